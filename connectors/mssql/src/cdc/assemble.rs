//! Change-table rows → whole source transactions.
//!
//! `cdc.fn_cdc_get_all_changes_<instance>(from, to, N'all update old')`
//! returns, per table, rows with `__$start_lsn` (the commit LSN of the
//! transaction), `__$seqval` (the order of the change within it) and
//! `__$operation` (1 delete, 2 insert, 3 update before-image, 4 update
//! after-image)
//! (<https://learn.microsoft.com/sql/relational-databases/system-functions/cdc-fn-cdc-get-all-changes-capture-instance-transact-sql>).
//! This module merges the tables in (commit LSN, seqval, operation) order,
//! pairs each before-image with its after-image, groups rows by commit LSN
//! and drops whole transactions that touched `sluice_apply_cursor`.

use std::collections::HashMap;
use std::sync::Arc;

use sluice_engine::event::{Change, ChangeEvent, RowOp, SchemaChange, TableRef, Transaction};
use sluice_engine::position::{MssqlPosition, SourcePosition};
use sluice_engine::value::Value;

use super::lsn::Lsn;

/// A captured table as the assembler needs it.
#[derive(Debug, Clone)]
pub struct CdcTable {
    pub table: TableRef,
    pub columns: Arc<[String]>,
    pub key: Arc<[u16]>,
    /// True for `sluice_apply_cursor`: its transactions are sluice's own writes.
    pub is_cursor: bool,
}

/// One row of a change function's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CdcRow {
    /// Index into the table list.
    pub table: usize,
    pub start_lsn: Lsn,
    pub seqval: Lsn,
    pub operation: u8,
    pub values: Vec<Value>,
}

/// What a commit LSN became.
#[derive(Debug, Clone, PartialEq)]
pub enum Assembled {
    Transaction(Transaction),
    /// A transaction sluice itself wrote (it touched the cursor table):
    /// nothing is emitted, but the stream has read up to here.
    Dropped(MssqlPosition),
}

/// Position "everything of commit `lsn` has been read".
pub fn end_of(lsn: Lsn) -> MssqlPosition {
    MssqlPosition {
        commit_lsn: lsn.0,
        seqval: [0xff; 10],
        operation: 0xff,
    }
}

/// Where to start reading after position `p`: a position at the very start
/// of an LSN (seqval 0, operation 0: nothing of that commit read yet)
/// resumes *at* it; any other resumes after its commit, because transactions
/// are emitted whole.
pub fn resume_from(p: &MssqlPosition) -> Lsn {
    if p.seqval == [0; 10] && p.operation == 0 {
        Lsn(p.commit_lsn)
    } else {
        Lsn(p.commit_lsn).increment()
    }
}

/// A schema-change record for a capture-instance switch, positioned at the
/// very start of the switch LSN so it sorts before that LSN's rows.
pub fn instance_switch(
    table: &TableRef,
    old: &str,
    new: &str,
    at: Lsn,
    commit_time_us: i64,
) -> Transaction {
    Transaction {
        source_id: None,
        position: SourcePosition::Mssql(MssqlPosition::at_lsn(at.0)),
        commit_time_us,
        changes: vec![Change::Schema(SchemaChange {
            table: Some(table.clone()),
            ddl: format!("capture instance switched from {old} to {new} at LSN {at}: the table's schema changed"),
        })],
    }
}

/// Merges, pairs and groups change rows into transactions in commit order.
///
/// `commit_times` maps commit LSNs to microseconds since the Unix epoch
/// (`sys.fn_cdc_map_lsn_to_time`); a missing entry is an error, because a
/// commit time of zero would make lag reports lie.
pub fn assemble(
    tables: &[CdcTable],
    mut rows: Vec<CdcRow>,
    commit_times: &HashMap<Lsn, i64>,
) -> Result<Vec<Assembled>, String> {
    // Stable sort: equal keys keep the function's own order.
    rows.sort_by(|a, b| {
        (a.start_lsn, a.seqval, a.operation).cmp(&(b.start_lsn, b.seqval, b.operation))
    });
    let mut out = Vec::new();
    let mut it = rows.into_iter().peekable();
    while let Some(first) = it.peek() {
        let commit = first.start_lsn;
        let mut changes = Vec::new();
        let mut touches_cursor = false;
        let mut last = (Lsn::ZERO, 0u8);
        while let Some(row) = it.next_if(|r| r.start_lsn == commit) {
            let t = tables
                .get(row.table)
                .ok_or_else(|| format!("change row for unknown table index {}", row.table))?;
            touches_cursor |= t.is_cursor;
            last = (row.seqval, row.operation);
            let op = match row.operation {
                1 => RowOp::Delete { before: row.values },
                2 => RowOp::Insert { after: row.values },
                3 => {
                    let after = it
                        .next_if(|n| n.start_lsn == commit && n.seqval == row.seqval && n.table == row.table && n.operation == 4)
                        .ok_or_else(|| {
                            format!("{}: update before-image at LSN {commit} seqval {} has no after-image", t.table, row.seqval)
                        })?;
                    last = (after.seqval, after.operation);
                    RowOp::Update {
                        before: row.values,
                        after: after.values,
                    }
                }
                4 => {
                    return Err(format!(
                        "{}: update after-image at LSN {commit} seqval {} has no before-image \
                         (the change function must be called with N'all update old')",
                        t.table, row.seqval
                    ))
                }
                other => {
                    return Err(format!(
                        "{}: unknown __$operation {other} at LSN {commit}",
                        t.table
                    ))
                }
            };
            let ev = ChangeEvent {
                table: t.table.clone(),
                columns: t.columns.clone(),
                key: t.key.clone(),
                op,
            };
            ev.validate()?;
            changes.push(Change::Row(ev));
        }
        let position = MssqlPosition {
            commit_lsn: commit.0,
            seqval: last.0 .0,
            operation: last.1,
        };
        if touches_cursor {
            out.push(Assembled::Dropped(position));
            continue;
        }
        let commit_time_us = *commit_times
            .get(&commit)
            .ok_or_else(|| format!("no commit time for LSN {commit} in cdc.lsn_time_mapping"))?;
        out.push(Assembled::Transaction(Transaction {
            source_id: Some(commit.to_string()),
            position: SourcePosition::Mssql(position),
            commit_time_us,
            changes,
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(n: u8) -> Lsn {
        let mut b = [0u8; 10];
        b[9] = n;
        Lsn(b)
    }

    fn tables() -> Vec<CdcTable> {
        let mk = |name: &str, cursor: bool| CdcTable {
            table: TableRef::new("dbo", name),
            columns: Arc::from(vec!["id".to_string(), "v".to_string()]),
            key: Arc::from(vec![0u16]),
            is_cursor: cursor,
        };
        vec![
            mk("a", false),
            mk("b", false),
            mk("sluice_apply_cursor", true),
        ]
    }

    fn row(table: usize, commit: u8, seq: u8, op: u8, id: i32, v: &str) -> CdcRow {
        CdcRow {
            table,
            start_lsn: l(commit),
            seqval: l(seq),
            operation: op,
            values: vec![Value::I32(id), Value::String(v.into())],
        }
    }

    fn times() -> HashMap<Lsn, i64> {
        (0..=255u8).map(|n| (l(n), n as i64 * 1000)).collect()
    }

    fn txs(a: Vec<Assembled>) -> Vec<Transaction> {
        a.into_iter()
            .filter_map(|x| match x {
                Assembled::Transaction(t) => Some(t),
                Assembled::Dropped(_) => None,
            })
            .collect()
    }

    #[test]
    fn tables_merge_in_commit_then_seqval_order_and_group_by_commit() {
        // Rows arrive per table (as two function calls return them).
        let rows = vec![
            row(1, 20, 22, 2, 7, "b-insert"),
            row(0, 10, 12, 2, 1, "a-second"),
            row(0, 20, 21, 1, 1, "a-delete"),
            row(1, 10, 11, 2, 5, "b-first"),
        ];
        let out = txs(assemble(&tables(), rows, &times()).unwrap());
        assert_eq!(out.len(), 2);
        let names = |t: &Transaction| {
            t.rows()
                .map(|r| format!("{}:{:?}", r.table.name, r.op))
                .collect::<Vec<_>>()
        };
        assert!(
            names(&out[0])[0].starts_with("b:Insert"),
            "{:?}",
            names(&out[0])
        );
        assert!(names(&out[0])[1].starts_with("a:Insert"));
        assert!(names(&out[1])[0].starts_with("a:Delete"));
        assert_eq!(
            out[0].position,
            SourcePosition::Mssql(MssqlPosition {
                commit_lsn: l(10).0,
                seqval: l(12).0,
                operation: 2
            })
        );
        assert_eq!(out[1].commit_time_us, 20_000);
        assert_eq!(
            out[0].source_id.as_deref(),
            Some(l(10).to_string().as_str())
        );
    }

    #[test]
    fn update_images_pair_into_one_update() {
        let rows = vec![
            row(0, 10, 11, 4, 1, "new"),
            row(0, 10, 11, 3, 1, "old"),
            row(0, 10, 12, 3, 2, "x"),
            row(0, 10, 12, 4, 3, "y"),
        ];
        let out = txs(assemble(&tables(), rows, &times()).unwrap());
        let evs: Vec<_> = out[0].rows().collect();
        assert_eq!(evs.len(), 2);
        assert_eq!(
            evs[0].op,
            RowOp::Update {
                before: vec![Value::I32(1), Value::String("old".into())],
                after: vec![Value::I32(1), Value::String("new".into())]
            }
        );
        // A key change is an update whose keys differ.
        assert_eq!(evs[1].old_key(), vec![&Value::I32(2)]);
        assert_eq!(evs[1].new_key(), Some(vec![&Value::I32(3)]));
    }

    #[test]
    fn unpaired_images_are_errors() {
        assert!(assemble(&tables(), vec![row(0, 10, 11, 3, 1, "old")], &times()).is_err());
        assert!(assemble(&tables(), vec![row(0, 10, 11, 4, 1, "new")], &times()).is_err());
        assert!(assemble(
            &tables(),
            vec![row(0, 10, 11, 3, 1, "old"), row(1, 10, 11, 4, 1, "new")],
            &times()
        )
        .is_err());
        assert!(
            assemble(&tables(), vec![row(0, 10, 11, 2, 1, "x")], &HashMap::new()).is_err(),
            "commit time required"
        );
    }

    #[test]
    fn transactions_touching_the_cursor_table_are_dropped_whole() {
        let rows = vec![
            row(0, 10, 11, 2, 1, "app"),
            row(0, 20, 21, 2, 2, "sluice wrote this"),
            row(2, 20, 22, 4, 1, "cursor"),
            row(2, 20, 22, 3, 1, "cursor-old"),
            row(1, 30, 31, 2, 3, "app"),
        ];
        let out = assemble(&tables(), rows, &times()).unwrap();
        assert_eq!(out.len(), 3);
        assert!(matches!(&out[1], Assembled::Dropped(p) if p.commit_lsn == l(20).0));
        let kept = txs(out);
        assert_eq!(kept.len(), 2);
        assert!(kept.iter().all(|t| t.rows().all(|r| r.table.name.as_ref()
            != "sluice_apply_cursor"
            && r.op
                != RowOp::Insert {
                    after: vec![Value::I32(2), Value::String("sluice wrote this".into())]
                })));
    }

    #[test]
    fn resume_points_never_split_or_repeat_a_transaction() {
        assert_eq!(resume_from(&MssqlPosition::at_lsn(l(20).0)), l(20));
        assert_eq!(resume_from(&end_of(l(20))), l(21));
        assert_eq!(
            resume_from(&MssqlPosition {
                commit_lsn: l(20).0,
                seqval: l(3).0,
                operation: 2
            }),
            l(21)
        );
        let sw = instance_switch(&TableRef::new("dbo", "a"), "dbo_a", "dbo_a_v2", l(50), 0);
        let SourcePosition::Mssql(p) = sw.position else {
            panic!()
        };
        assert_eq!(
            resume_from(&p),
            l(50),
            "the switch LSN's rows are still read after the schema record"
        );
        assert!(
            MssqlPosition::at_lsn(l(50).0)
                < MssqlPosition {
                    commit_lsn: l(50).0,
                    seqval: l(1).0,
                    operation: 2
                }
        );
    }
}
