//! Log records → the ordered SQL statements that apply them.
//!
//! Order is kept exactly: consecutive row changes of the same kind (upsert or
//! delete) to the same table with the same column list are merged into one
//! multi-row statement, and a change of kind, table or columns starts the
//! next statement. Inside one `INSERT … ON DUPLICATE KEY UPDATE` the server
//! applies rows in order, so a key that appears twice ends with its last image.
//!
//! - insert, and update with an unchanged key → upsert of the after image;
//! - update that changes the key → delete of the old key, then upsert of the
//!   new row (same target transaction);
//! - delete → delete by key: `k IN (…)` / `(k1, k2) IN ((…), …)`. A key with
//!   a NULL in it, or a "key" that is every column (a table without a primary
//!   key), is deleted row by row with `<=>` and `LIMIT 1`, so exactly one of
//!   several identical rows goes.
//!
//! Tables with a unique index other than the key ([`crate::unique`] decides,
//! from the target's catalog): each insert or update becomes `UPDATE … WHERE
//! <key>` ([`Kind::UpdateByKey`]) then `INSERT … SELECT … WHERE NOT EXISTS
//! (<key>)` ([`Kind::Insert`]), row by row. Neither touches a row with another
//! key, so a collision on that other index fails (1062) instead of updating a
//! different row; and the row is never deleted first, so foreign keys pointing
//! at it neither block the write (`NO ACTION`) nor cascade (`ON DELETE
//! CASCADE` would silently empty the child tables on the target).
//!
//! Tables without a primary key: the source marks every column as key. Their
//! upserts are plain inserts on a target without a unique key, so re-applying
//! an already-applied record duplicates the row; the cursor check in the sink
//! keeps normal apply and retries exactly-once, but `log replay` over such a
//! table needs care (`assess` warns about these tables).

use std::fmt::Write;
use std::sync::Arc;

use sluice_engine::event::{Change, ChangeEvent, RowOp};
use sluice_engine::log::LogRecord;
use sluice_engine::value::Value;

use crate::config::TableNaming;
use crate::encode::{push_ident, push_literal};
use crate::unique::{Guards, Mode};

/// Size limits for statements.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_statement_bytes: usize,
    pub max_rows_per_statement: usize,
}

/// What to do with a schema-change record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchemaChanges {
    /// Stop with an error naming the record (the DBA applies the change to the
    /// target, then resumes with `Skip` for that record). The safe default:
    /// rows after a DDL may not fit the target's old shape.
    #[default]
    Stop,
    /// Skip it (the target's schema is managed by hand or by `sluice migrate`).
    Skip,
}

/// One statement, with what a DBA needs to find the failing rows.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: String,
    /// `db`.`table` on the target.
    pub table: String,
    pub kind: Kind,
    pub rows: usize,
    pub first_seq: u64,
    pub last_seq: u64,
    /// Column names of the statement (kept in error messages; values are not).
    pub columns: Arc<[String]>,
    /// Bare target table name (kept in error messages).
    pub table_name: String,
    /// Target database name.
    pub db_name: String,
    /// Key column positions in `columns`.
    pub key: Arc<[u16]>,
}

/// The kind of statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Upsert,
    /// Plain INSERT, after a DELETE of the same keys (tables with another unique index).
    Insert,
    Delete,
    DeleteOne,
    /// `UPDATE t SET <non-key columns> WHERE <key>`: the first half of a
    /// guarded write (tables with another unique index).
    UpdateByKey,
}

impl Statement {
    /// The statement with every value replaced by `?`: safe to log.
    pub fn shape(&self) -> String {
        let cols = |c: &[String]| {
            c.iter()
                .map(|n| crate::encode::quote_ident(n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.kind {
            Kind::Upsert => format!(
                "INSERT INTO {} ({}) VALUES ({}) ×{} ON DUPLICATE KEY UPDATE …",
                self.table,
                cols(&self.columns),
                vec!["?"; self.columns.len()].join(", "),
                self.rows
            ),
            Kind::Insert => format!(
                "INSERT INTO {} ({}) VALUES ({}) ×{}",
                self.table,
                cols(&self.columns),
                vec!["?"; self.columns.len()].join(", "),
                self.rows
            ),
            Kind::Delete => format!(
                "DELETE FROM {} WHERE <key> IN (…) ×{}",
                self.table, self.rows
            ),
            Kind::DeleteOne => format!("DELETE FROM {} WHERE <key> <=> ? LIMIT 1", self.table),
            Kind::UpdateByKey => format!("UPDATE {} SET … = ? WHERE <key> <=> ?", self.table),
        }
    }

    /// Where it came from: `log records 10..=12` or `log record 10`.
    pub fn seqs(&self) -> String {
        if self.first_seq == self.last_seq {
            format!("log record {}", self.first_seq)
        } else {
            format!("log records {}..={}", self.first_seq, self.last_seq)
        }
    }
}

/// Why records could not be turned into SQL (always fatal: the same record fails again).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{table}, log record {seq}: {reason}")]
pub struct PlanError {
    pub table: String,
    pub seq: u64,
    pub reason: String,
}

struct Open {
    stmt: Statement,
    key: Arc<[u16]>,
}

/// Builds statements for `records`, in order. `guards` says which tables
/// take upserts and which delete-then-insert (see [`crate::unique`]).
pub fn plan<'a>(
    records: impl IntoIterator<Item = &'a LogRecord>,
    naming: &TableNaming,
    limits: Limits,
    schema_changes: SchemaChanges,
    guards: &Guards,
) -> Result<Vec<Statement>, PlanError> {
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    for rec in records {
        for change in &rec.tx.changes {
            let ev = match change {
                Change::Row(ev) => ev,
                Change::Schema(sc) => {
                    let table = sc
                        .table
                        .as_ref()
                        .map_or("(no table)".to_string(), |t| t.to_string());
                    match schema_changes {
                        SchemaChanges::Skip => {
                            tracing::warn!(seq = rec.seq, %table, "schema change record skipped");
                            continue;
                        }
                        SchemaChanges::Stop => {
                            return Err(PlanError {
                                table,
                                seq: rec.seq,
                                reason:
                                    "schema change in the stream; apply it to the target, then \
                                         resume with schema changes set to skip"
                                        .into(),
                            })
                        }
                    }
                }
            };
            let target = naming.target(&ev.table);
            let (db, name) = (&target.0, &target.1);
            let mut table = String::new();
            push_ident(&mut table, db);
            table.push('.');
            push_ident(&mut table, name);
            ev.validate().map_err(|reason| PlanError {
                table: table.clone(),
                seq: rec.seq,
                reason,
            })?;
            let ctx = Ctx {
                table: &table,
                name,
                db,
                seq: rec.seq,
                limits,
            };
            let mode = match &ev.op {
                RowOp::Delete { .. } => Mode::Upsert,
                _ => guards.mode(&target, ev),
            };
            match &ev.op {
                RowOp::Insert { after } => ctx.write(&mut open, &mut out, ev, after, mode)?,
                RowOp::Update { before, after } => {
                    let key_changed = ev
                        .key
                        .iter()
                        .any(|&k| before[k as usize] != after[k as usize]);
                    if key_changed {
                        ctx.delete(&mut open, &mut out, ev, before)?;
                    }
                    ctx.write(&mut open, &mut out, ev, after, mode)?;
                }
                RowOp::Delete { before } => ctx.delete(&mut open, &mut out, ev, before)?,
            }
        }
    }
    if let Some(o) = open.take() {
        finish(o, &mut out);
    }
    Ok(out)
}

struct Ctx<'a> {
    table: &'a str,
    name: &'a str,
    db: &'a str,
    seq: u64,
    limits: Limits,
}

fn finish(mut o: Open, out: &mut Vec<Statement>) {
    match o.stmt.kind {
        Kind::Upsert => {
            o.stmt.sql.push_str(" ON DUPLICATE KEY UPDATE ");
            let non_key: Vec<usize> = (0..o.stmt.columns.len())
                .filter(|i| !o.key.contains(&(*i as u16)))
                .collect();
            // Every column in the key: nothing to update, but the clause must
            // name one column to turn "duplicate" into a no-op.
            let targets = if non_key.is_empty() {
                vec![o.key[0] as usize]
            } else {
                non_key
            };
            for (n, i) in targets.into_iter().enumerate() {
                if n > 0 {
                    o.stmt.sql.push_str(", ");
                }
                let c = crate::encode::quote_ident(&o.stmt.columns[i]);
                write!(o.stmt.sql, "{c} = VALUES({c})").unwrap();
            }
        }
        Kind::Delete => {
            o.stmt.sql.push(')');
        }
        Kind::Insert | Kind::DeleteOne | Kind::UpdateByKey => {}
    }
    out.push(o.stmt);
}

impl Ctx<'_> {
    fn err(&self, reason: impl Into<String>) -> PlanError {
        PlanError {
            table: self.table.to_string(),
            seq: self.seq,
            reason: reason.into(),
        }
    }

    fn encode_row(
        &self,
        ev: &ChangeEvent,
        idx: &mut dyn Iterator<Item = usize>,
        img: &[Value],
        out: &mut String,
    ) -> Result<(), PlanError> {
        for (n, i) in idx.enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            push_literal(out, &img[i])
                .map_err(|e| self.err(format!("column {}: {e}", ev.columns[i])))?;
        }
        Ok(())
    }

    /// Whether `o` can take one more row of this kind for this event.
    fn fits(&self, o: &Open, kind: Kind, ev: &ChangeEvent) -> bool {
        o.stmt.kind == kind
            && o.stmt.table == self.table
            && (Arc::ptr_eq(&o.stmt.columns, &ev.columns) || o.stmt.columns == ev.columns)
            && (Arc::ptr_eq(&o.key, &ev.key) || o.key == ev.key)
            && o.stmt.rows < self.limits.max_rows_per_statement
            && o.stmt.sql.len() < self.limits.max_statement_bytes
    }

    fn new_stmt(&self, kind: Kind, ev: &ChangeEvent, sql: String) -> Open {
        Open {
            stmt: Statement {
                sql,
                table: self.table.to_string(),
                kind,
                rows: 0,
                first_seq: self.seq,
                last_seq: self.seq,
                columns: ev.columns.clone(),
                table_name: self.name.to_string(),
                db_name: self.db.to_string(),
                key: ev.key.clone(),
            },
            key: ev.key.clone(),
        }
    }

    /// An insert, or the new image of an update, in `mode`.
    fn write(
        &self,
        open: &mut Option<Open>,
        out: &mut Vec<Statement>,
        ev: &ChangeEvent,
        after: &[Value],
        mode: Mode,
    ) -> Result<(), PlanError> {
        match mode {
            Mode::Upsert => self.upsert(open, out, ev, after),
            Mode::DeleteInsert => self.delete_insert(open, out, ev, after),
        }
    }

    /// A guarded write: `UPDATE` by key, then `INSERT … WHERE NOT EXISTS`
    /// by key, one row at a time. Neither statement can touch a row with
    /// another key, so a collision on another unique index fails (1062)
    /// instead of merging two rows; and the row is never deleted, so
    /// foreign keys pointing at it neither block the write nor cascade.
    fn delete_insert(
        &self,
        open: &mut Option<Open>,
        out: &mut Vec<Statement>,
        ev: &ChangeEvent,
        after: &[Value],
    ) -> Result<(), PlanError> {
        if let Some(o) = open.take() {
            finish(o, out);
        }
        let mut key_cond = String::new();
        for (n, &k) in ev.key.iter().enumerate() {
            if n > 0 {
                key_cond.push_str(" AND ");
            }
            push_ident(&mut key_cond, &ev.columns[k as usize]);
            key_cond.push_str(" <=> ");
            push_literal(&mut key_cond, &after[k as usize])
                .map_err(|e| self.err(format!("column {}: {e}", ev.columns[k as usize])))?;
        }
        let non_key: Vec<usize> = (0..ev.columns.len())
            .filter(|i| !ev.key.contains(&(*i as u16)))
            .collect();
        if !non_key.is_empty() {
            let mut sql = format!("UPDATE {} SET ", self.table);
            for (n, &i) in non_key.iter().enumerate() {
                if n > 0 {
                    sql.push_str(", ");
                }
                push_ident(&mut sql, &ev.columns[i]);
                sql.push_str(" = ");
                push_literal(&mut sql, &after[i])
                    .map_err(|e| self.err(format!("column {}: {e}", ev.columns[i])))?;
            }
            sql.push_str(" WHERE ");
            sql.push_str(&key_cond);
            let mut st = self.new_stmt(Kind::UpdateByKey, ev, sql).stmt;
            st.rows = 1;
            out.push(st);
        }
        let mut sql = format!("INSERT INTO {} (", self.table);
        for (n, c) in ev.columns.iter().enumerate() {
            if n > 0 {
                sql.push_str(", ");
            }
            push_ident(&mut sql, c);
        }
        sql.push_str(") SELECT ");
        self.encode_row(ev, &mut (0..after.len()), after, &mut sql)?;
        sql.push_str(&format!(
            " FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM {} WHERE {key_cond})",
            self.table
        ));
        let mut st = self.new_stmt(Kind::Insert, ev, sql).stmt;
        st.rows = 1;
        out.push(st);
        Ok(())
    }

    fn upsert(
        &self,
        open: &mut Option<Open>,
        out: &mut Vec<Statement>,
        ev: &ChangeEvent,
        after: &[Value],
    ) -> Result<(), PlanError> {
        if !open
            .as_ref()
            .is_some_and(|o| self.fits(o, Kind::Upsert, ev))
        {
            if let Some(o) = open.take() {
                finish(o, out);
            }
            let mut sql = format!("INSERT INTO {} (", self.table);
            for (n, c) in ev.columns.iter().enumerate() {
                if n > 0 {
                    sql.push_str(", ");
                }
                push_ident(&mut sql, c);
            }
            sql.push_str(") VALUES ");
            *open = Some(self.new_stmt(Kind::Upsert, ev, sql));
        }
        let o = open.as_mut().expect("opened above");
        if o.stmt.rows > 0 {
            o.stmt.sql.push_str(", ");
        }
        o.stmt.sql.push('(');
        self.encode_row(ev, &mut (0..after.len()), after, &mut o.stmt.sql)?;
        o.stmt.sql.push(')');
        o.stmt.rows += 1;
        o.stmt.last_seq = self.seq;
        Ok(())
    }

    fn delete(
        &self,
        open: &mut Option<Open>,
        out: &mut Vec<Statement>,
        ev: &ChangeEvent,
        before: &[Value],
    ) -> Result<(), PlanError> {
        let one_by_one = ev.key.len() == ev.columns.len()
            || ev.key.iter().any(|&k| before[k as usize].is_null());
        if one_by_one {
            if let Some(o) = open.take() {
                finish(o, out);
            }
            let mut sql = format!("DELETE FROM {} WHERE ", self.table);
            for (n, &k) in ev.key.iter().enumerate() {
                if n > 0 {
                    sql.push_str(" AND ");
                }
                push_ident(&mut sql, &ev.columns[k as usize]);
                sql.push_str(" <=> ");
                push_literal(&mut sql, &before[k as usize])
                    .map_err(|e| self.err(format!("column {}: {e}", ev.columns[k as usize])))?;
            }
            sql.push_str(" LIMIT 1");
            let mut o = self.new_stmt(Kind::DeleteOne, ev, sql);
            o.stmt.rows = 1;
            out.push(o.stmt);
            return Ok(());
        }
        if !open
            .as_ref()
            .is_some_and(|o| self.fits(o, Kind::Delete, ev))
        {
            if let Some(o) = open.take() {
                finish(o, out);
            }
            let mut sql = format!("DELETE FROM {} WHERE ", self.table);
            if ev.key.len() > 1 {
                sql.push('(');
            }
            for (n, &k) in ev.key.iter().enumerate() {
                if n > 0 {
                    sql.push_str(", ");
                }
                push_ident(&mut sql, &ev.columns[k as usize]);
            }
            if ev.key.len() > 1 {
                sql.push(')');
            }
            sql.push_str(" IN (");
            *open = Some(self.new_stmt(Kind::Delete, ev, sql));
        }
        let o = open.as_mut().expect("opened above");
        if o.stmt.rows > 0 {
            o.stmt.sql.push_str(", ");
        }
        let composite = ev.key.len() > 1;
        if composite {
            o.stmt.sql.push('(');
        }
        self.encode_row(
            ev,
            &mut ev.key.iter().map(|&k| k as usize),
            before,
            &mut o.stmt.sql,
        )?;
        if composite {
            o.stmt.sql.push(')');
        }
        o.stmt.rows += 1;
        o.stmt.last_seq = self.seq;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_engine::event::{TableRef, Transaction};
    use sluice_engine::position::SourcePosition;

    fn rec(seq: u64, ops: Vec<RowOp>) -> LogRecord {
        let columns: Arc<[String]> = vec!["id".to_string(), "name".to_string()].into();
        let key: Arc<[u16]> = vec![0u16].into();
        LogRecord {
            seq,
            tx: Transaction {
                source_id: None,
                position: SourcePosition::Counter(seq),
                commit_time_us: 0,
                changes: ops
                    .into_iter()
                    .map(|op| {
                        Change::Row(ChangeEvent {
                            table: TableRef::new("dbo", "p"),
                            columns: columns.clone(),
                            key: key.clone(),
                            op,
                        })
                    })
                    .collect(),
            },
        }
    }

    fn row(id: i32, name: &str) -> Vec<Value> {
        vec![Value::I32(id), Value::String(name.into())]
    }

    const LIMITS: Limits = Limits {
        max_statement_bytes: 1 << 20,
        max_rows_per_statement: 1000,
    };

    fn sqls(records: &[LogRecord]) -> Vec<String> {
        plan(
            records,
            &TableNaming::Database("t".into()),
            LIMITS,
            SchemaChanges::Stop,
            &Guards::unguarded(),
        )
        .unwrap()
        .into_iter()
        .map(|s| s.sql)
        .collect()
    }

    #[test]
    fn consecutive_upserts_across_transactions_merge_in_order() {
        let r = vec![
            rec(1, vec![RowOp::Insert { after: row(1, "a") }]),
            rec(
                2,
                vec![RowOp::Update {
                    before: row(1, "a"),
                    after: row(1, "b"),
                }],
            ),
        ];
        assert_eq!(
            sqls(&r),
            vec!["INSERT INTO `t`.`p` (`id`, `name`) VALUES (1, 'a'), (1, 'b') ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)"]
        );
    }

    #[test]
    fn key_change_is_delete_then_insert_and_order_is_kept() {
        let r = vec![rec(
            7,
            vec![
                RowOp::Update {
                    before: row(1, "a"),
                    after: row(2, "a"),
                },
                RowOp::Delete {
                    before: row(3, "c"),
                },
                RowOp::Delete {
                    before: row(4, "d"),
                },
            ],
        )];
        assert_eq!(
            sqls(&r),
            vec![
                "DELETE FROM `t`.`p` WHERE `id` IN (1)",
                "INSERT INTO `t`.`p` (`id`, `name`) VALUES (2, 'a') ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)",
                "DELETE FROM `t`.`p` WHERE `id` IN (3, 4)",
            ]
        );
    }

    #[test]
    fn another_unique_index_turns_upserts_into_update_then_insert_if_absent() {
        use crate::unique::{TargetTable, UniqueIndex};
        let mut guards = Guards::new();
        let idx = |name: &str, col: &str| UniqueIndex {
            name: name.into(),
            columns: vec![Some(col.into())],
        };
        guards.insert(
            "t".into(),
            "p".into(),
            TargetTable {
                unique: vec![idx("PRIMARY", "id"), idx("uk_name", "name")],
            },
        );
        let r = vec![
            rec(1, vec![RowOp::Insert { after: row(1, "a") }]),
            rec(
                2,
                vec![
                    RowOp::Update {
                        before: row(1, "a"),
                        after: row(1, "b"),
                    },
                    RowOp::Insert { after: row(2, "a") },
                    RowOp::Delete {
                        before: row(3, "c"),
                    },
                    RowOp::Update {
                        before: row(4, "d"),
                        after: row(5, "e"),
                    },
                ],
            ),
        ];
        let st = plan(
            &r,
            &TableNaming::Database("t".into()),
            LIMITS,
            SchemaChanges::Stop,
            &guards,
        )
        .unwrap();
        assert_eq!(
            st.iter().map(|s| s.sql.as_str()).collect::<Vec<_>>(),
            vec![
                // Row by row: update by key, then insert only if the key is absent.
                // Nothing is deleted, so foreign keys to the row neither block nor cascade.
                "UPDATE `t`.`p` SET `name` = 'a' WHERE `id` <=> 1",
                "INSERT INTO `t`.`p` (`id`, `name`) SELECT 1, 'a' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t`.`p` WHERE `id` <=> 1)",
                "UPDATE `t`.`p` SET `name` = 'b' WHERE `id` <=> 1",
                "INSERT INTO `t`.`p` (`id`, `name`) SELECT 1, 'b' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t`.`p` WHERE `id` <=> 1)",
                "UPDATE `t`.`p` SET `name` = 'a' WHERE `id` <=> 2",
                "INSERT INTO `t`.`p` (`id`, `name`) SELECT 2, 'a' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t`.`p` WHERE `id` <=> 2)",
                // A delete, and the old key of a key change, are real deletes.
                "DELETE FROM `t`.`p` WHERE `id` IN (3, 4)",
                "UPDATE `t`.`p` SET `name` = 'e' WHERE `id` <=> 5",
                "INSERT INTO `t`.`p` (`id`, `name`) SELECT 5, 'e' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t`.`p` WHERE `id` <=> 5)",
            ]
        );
        assert_eq!(st[0].kind, Kind::UpdateByKey);
        assert_eq!(st[1].kind, Kind::Insert);
        assert_eq!(st[3].seqs(), "log record 2");
        assert_eq!(
            st[1].shape(),
            "INSERT INTO `t`.`p` (`id`, `name`) VALUES (?, ?) ×1"
        );
        // A key with a NULL in it is matched with <=>.
        let n = rec(
            3,
            vec![RowOp::Insert {
                after: vec![Value::Null, Value::String("z".into())],
            }],
        );
        let st = plan(
            std::slice::from_ref(&n),
            &TableNaming::Database("t".into()),
            LIMITS,
            SchemaChanges::Stop,
            &guards,
        )
        .unwrap();
        assert_eq!(
            st.iter().map(|s| s.sql.as_str()).collect::<Vec<_>>(),
            vec![
                "UPDATE `t`.`p` SET `name` = 'z' WHERE `id` <=> NULL",
                "INSERT INTO `t`.`p` (`id`, `name`) SELECT NULL, 'z' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t`.`p` WHERE `id` <=> NULL)",
            ]
        );
        // A table the guards were not told about is applied the safe way;
        // a primary key alone keeps the upsert.
        guards.insert(
            "t".into(),
            "p".into(),
            TargetTable {
                unique: vec![idx("PRIMARY", "id")],
            },
        );
        assert!(plan(
            &r,
            &TableNaming::Database("t".into()),
            LIMITS,
            SchemaChanges::Stop,
            &guards
        )
        .unwrap()
        .iter()
        .all(|s| s.kind != Kind::Insert));
        assert!(plan(
            &r,
            &TableNaming::Database("t".into()),
            LIMITS,
            SchemaChanges::Stop,
            &Guards::new()
        )
        .unwrap()
        .iter()
        .any(|s| s.kind == Kind::Insert));
    }

    #[test]
    fn statements_split_at_the_row_limit_and_carry_their_seqs() {
        let r: Vec<_> = (1..=5)
            .map(|i| {
                rec(
                    i,
                    vec![RowOp::Insert {
                        after: row(i as i32, "x"),
                    }],
                )
            })
            .collect();
        let limits = Limits {
            max_statement_bytes: 1 << 20,
            max_rows_per_statement: 2,
        };
        let st = plan(
            &r,
            &TableNaming::Database("t".into()),
            limits,
            SchemaChanges::Stop,
            &Guards::unguarded(),
        )
        .unwrap();
        assert_eq!(st.iter().map(|s| s.rows).collect::<Vec<_>>(), vec![2, 2, 1]);
        assert_eq!(st[1].seqs(), "log records 3..=4");
        assert!(
            !st[0].shape().contains("'x'"),
            "shape must not carry values"
        );
    }

    #[test]
    fn null_or_all_column_keys_delete_one_row_at_a_time() {
        let mut r = rec(
            1,
            vec![RowOp::Delete {
                before: vec![Value::Null, Value::String("n".into())],
            }],
        );
        let sql = sqls(std::slice::from_ref(&r));
        assert_eq!(sql, vec!["DELETE FROM `t`.`p` WHERE `id` <=> NULL LIMIT 1"]);
        if let Change::Row(ev) = &mut r.tx.changes[0] {
            ev.key = vec![0u16, 1].into();
            ev.op = RowOp::Delete {
                before: row(5, "e"),
            };
        }
        assert_eq!(
            sqls(&[r]),
            vec!["DELETE FROM `t`.`p` WHERE `id` <=> 5 AND `name` <=> 'e' LIMIT 1"]
        );
    }

    #[test]
    fn schema_changes_stop_by_default() {
        let mut r = rec(9, vec![]);
        r.tx.changes
            .push(Change::Schema(sluice_engine::event::SchemaChange {
                table: Some(TableRef::new("dbo", "p")),
                ddl: "ALTER TABLE p ADD x INT".into(),
            }));
        let e = plan(
            std::slice::from_ref(&r),
            &TableNaming::Database("t".into()),
            LIMITS,
            SchemaChanges::Stop,
            &Guards::unguarded(),
        )
        .unwrap_err();
        assert_eq!(e.seq, 9);
        assert!(plan(
            &[r],
            &TableNaming::Database("t".into()),
            LIMITS,
            SchemaChanges::Skip,
            &Guards::unguarded(),
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn nan_names_the_column_not_the_value() {
        let mut r = rec(3, vec![]);
        r.tx.changes.push(Change::Row(ChangeEvent {
            table: TableRef::new("dbo", "m"),
            columns: vec!["id".to_string(), "temp".to_string()].into(),
            key: vec![0u16].into(),
            op: RowOp::Insert {
                after: vec![Value::I32(1), Value::F64(f64::NAN)],
            },
        }));
        let e = plan(
            &[r],
            &TableNaming::Database("t".into()),
            LIMITS,
            SchemaChanges::Stop,
            &Guards::unguarded(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "`t`.`m`, log record 3: column temp: f64 value is NaN or infinite, which OceanBase (MySQL mode) cannot store");
    }
}
