//! Which target tables may take `INSERT … ON DUPLICATE KEY UPDATE`.
//!
//! MySQL and OceanBase fire `ON DUPLICATE KEY UPDATE` on a collision with
//! *any* unique index, not just the primary key. When a target table has a
//! unique index that is not the key the change events use (a SQL Server
//! filtered unique index created as a plain one, any secondary `UNIQUE`), an
//! upsert of a new row that collides on that other index would silently
//! update a *different* row: two patients' records merged.
//!
//! So the sink reads each target table's unique indexes from
//! `information_schema.STATISTICS` when it first meets the table, and picks
//! how to apply its inserts and updates ([`Mode`]):
//!
//! - [`Mode::Upsert`] (the fast path) when every unique index contains all
//!   the key's columns and one of them is exactly the key — a collision can
//!   then only be with the same row — or when the table has no unique index at
//!   all (nothing can collide; a keyless source table is always this case);
//! - [`Mode::DeleteInsert`] otherwise: `DELETE … WHERE <key> IN (…)` then a
//!   plain `INSERT`, in the same transaction and order, so a collision on
//!   another unique index fails with `ER_DUP_ENTRY` (1062), which the sink
//!   reports as fatal, naming the table and the index but no values.
//!
//! With apply lanes, records touching a `DeleteInsert` table are applied as
//! barriers (one connection, in order): rows of different keys can contend
//! for the same value of another unique index, and only the source's order
//! makes that consistent.

use std::collections::HashMap;
use std::sync::Arc;

use mysql_async::prelude::Queryable;
use sluice_engine::event::ChangeEvent;

/// How a table's inserts and updates are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `INSERT … ON DUPLICATE KEY UPDATE`: a collision can only be the same row.
    Upsert,
    /// `DELETE` by key, then plain `INSERT`: a collision on another unique
    /// index is an error instead of a merge.
    DeleteInsert,
}

/// One unique index of a target table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueIndex {
    pub name: String,
    /// Column names in index order; `None` for an expression or a prefix
    /// (`col(10)`) part, which never counts as a key column.
    pub columns: Vec<Option<String>>,
}

impl UniqueIndex {
    fn has(&self, col: &str) -> bool {
        self.columns
            .iter()
            .any(|c| c.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(col)))
    }

    /// Column list for messages: `mrn, ward`.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.as_deref().unwrap_or("(expression)"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What the target says about one table's unique indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetTable {
    pub unique: Vec<UniqueIndex>,
}

impl TargetTable {
    /// The mode for events whose key is `key` (column names).
    pub fn mode(&self, key: &[&str]) -> Mode {
        if self.unique.is_empty() {
            return Mode::Upsert;
        }
        let covers = |i: &UniqueIndex| key.iter().all(|k| i.has(k));
        let exact = |i: &UniqueIndex| covers(i) && i.columns.len() == key.len();
        if self.unique.iter().all(covers) && self.unique.iter().any(exact) {
            Mode::Upsert
        } else {
            Mode::DeleteInsert
        }
    }

    /// The unique indexes that are not the key `key`.
    pub fn others<'a>(&'a self, key: &'a [&'a str]) -> impl Iterator<Item = &'a UniqueIndex> {
        self.unique
            .iter()
            .filter(move |i| !(i.columns.len() == key.len() && key.iter().all(|k| i.has(k))))
    }
}

/// Unique-index facts per target table (`db`, `table`), read once per table.
#[derive(Debug, Clone, Default)]
pub struct Guards {
    tables: HashMap<(String, String), Arc<TargetTable>>,
    /// Upsert everywhere without looking (planning benchmarks and unit tests).
    unguarded: bool,
}

impl Guards {
    /// Guards that know no table yet; the sink fills them before planning.
    pub fn new() -> Self {
        Guards::default()
    }

    /// Upserts every table without checking: only for planning tests and
    /// benchmarks, never for a real target.
    pub fn unguarded() -> Self {
        Guards {
            unguarded: true,
            ..Guards::default()
        }
    }

    pub fn knows(&self, db: &str, table: &str) -> bool {
        self.unguarded
            || self
                .tables
                .contains_key(&(db.to_string(), table.to_string()))
    }

    pub fn insert(&mut self, db: String, table: String, t: TargetTable) {
        self.tables.insert((db, table), Arc::new(t));
    }

    pub fn table(&self, db: &str, table: &str) -> Option<&TargetTable> {
        self.tables
            .get(&(db.to_string(), table.to_string()))
            .map(|v| v.as_ref())
    }

    pub fn clear(&mut self) {
        self.tables.clear();
    }

    /// How `ev`'s inserts and updates go to target table `db`.`table`. A
    /// table the guards were not told about is applied the safe way.
    pub fn mode(&self, target: &(String, String), ev: &ChangeEvent) -> Mode {
        if self.unguarded || ev.key.len() == ev.columns.len() {
            // A keyless source table (every column is the "key") keeps its upserts.
            return Mode::Upsert;
        }
        match self.tables.get(target) {
            None => Mode::DeleteInsert,
            Some(t) => {
                if t.unique.is_empty() {
                    return Mode::Upsert;
                }
                let key: Vec<&str> = ev
                    .key
                    .iter()
                    .map(|&k| ev.columns[k as usize].as_str())
                    .collect();
                t.mode(&key)
            }
        }
    }
}

/// Reads the unique indexes of `db`.`table` (none when the table is missing;
/// the apply then fails on the table itself, with its own message).
pub async fn read_unique(
    conn: &mut mysql_async::Conn,
    db: &str,
    table: &str,
) -> mysql_async::Result<TargetTable> {
    let rows: Vec<(String, Option<String>, Option<u64>)> = conn
        .exec(
            "SELECT INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 \
             ORDER BY INDEX_NAME, SEQ_IN_INDEX",
            (db, table),
        )
        .await?;
    Ok(group(rows))
}

fn group(rows: Vec<(String, Option<String>, Option<u64>)>) -> TargetTable {
    let mut unique: Vec<UniqueIndex> = Vec::new();
    for (name, column, sub_part) in rows {
        let col = column.filter(|_| sub_part.is_none());
        match unique.last_mut() {
            Some(i) if i.name == name => i.columns.push(col),
            _ => unique.push(UniqueIndex {
                name,
                columns: vec![col],
            }),
        }
    }
    TargetTable { unique }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(name: &str, cols: &[&str]) -> UniqueIndex {
        UniqueIndex {
            name: name.into(),
            columns: cols.iter().map(|c| Some(c.to_string())).collect(),
        }
    }

    #[test]
    fn only_the_key_or_supersets_of_it_keep_the_upsert() {
        let t = |i: Vec<UniqueIndex>| TargetTable { unique: i };
        assert_eq!(t(vec![]).mode(&["id"]), Mode::Upsert);
        assert_eq!(t(vec![idx("PRIMARY", &["id"])]).mode(&["ID"]), Mode::Upsert);
        // A superset of the key can only collide with the same row.
        assert_eq!(
            t(vec![idx("PRIMARY", &["id"]), idx("u", &["mrn", "id"])]).mode(&["id"]),
            Mode::Upsert
        );
        assert_eq!(
            t(vec![idx("PRIMARY", &["k1", "k2"])]).mode(&["k2", "k1"]),
            Mode::Upsert
        );
        // Another unique index: a new row could collide with a different row.
        assert_eq!(
            t(vec![idx("PRIMARY", &["id"]), idx("uk_mrn", &["mrn"])]).mode(&["id"]),
            Mode::DeleteInsert
        );
        // No index is exactly the key: the upsert would not find the row.
        assert_eq!(
            t(vec![idx("u", &["id", "mrn"])]).mode(&["id"]),
            Mode::DeleteInsert
        );
        // The target's primary key is not the source's key.
        assert_eq!(
            t(vec![idx("PRIMARY", &["sid"]), idx("u", &["id"])]).mode(&["id"]),
            Mode::DeleteInsert
        );
        // A prefix or expression part is not the column.
        let prefix = UniqueIndex {
            name: "PRIMARY".into(),
            columns: vec![None],
        };
        assert_eq!(t(vec![prefix]).mode(&["id"]), Mode::DeleteInsert);
        let tt = t(vec![idx("PRIMARY", &["id"]), idx("uk_mrn", &["mrn"])]);
        assert_eq!(
            tt.others(&["id"])
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>(),
            vec!["uk_mrn"]
        );
    }

    #[test]
    fn statistics_rows_group_by_index_and_drop_prefix_parts() {
        let t = group(vec![
            ("PRIMARY".into(), Some("id".into()), None),
            ("uk".into(), Some("a".into()), None),
            ("uk".into(), Some("b".into()), Some(10)),
        ]);
        assert_eq!(
            t.unique,
            vec![
                idx("PRIMARY", &["id"]),
                UniqueIndex {
                    name: "uk".into(),
                    columns: vec![Some("a".into()), None]
                }
            ]
        );
    }
}
