//! Repair SQL: statements that make the target equal the source (the
//! source is the truth), and the statements that undo the repair.
//!
//! Values are rendered as literals of the target dialect. Strings holding a
//! backslash or control characters are written as hex (`CONVERT(X'..' USING
//! utf8mb4)`) so the script means the same under any `sql_mode`. Keyed
//! repairs are idempotent (upsert, delete by key, update by key); repairs of
//! keyless tables insert or delete exact copies and must run once.

use std::fmt::Write;

use serde::Serialize;

use super::compare::RowDiff;
use super::side::TableSpec;
use crate::event::TableRef;
use crate::value::{uuid_to_string, Value};

/// SQL dialect of the side being repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Dialect {
    /// MySQL, MariaDB, OceanBase MySQL mode.
    MySql,
    /// SQL Server.
    TSql,
}

/// The repair and its undo, one statement per entry (no trailing `;`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RepairScript {
    pub apply: Vec<String>,
    pub revert: Vec<String>,
}

impl RepairScript {
    /// The statements as a script, each ending with `;`.
    pub fn apply_text(&self) -> String {
        script(&self.apply)
    }

    pub fn revert_text(&self) -> String {
        script(&self.revert)
    }
}

fn script(stmts: &[String]) -> String {
    let mut s = String::new();
    for st in stmts {
        s.push_str(st);
        s.push_str(";\n");
    }
    s
}

/// Quotes an identifier.
pub fn ident(d: Dialect, name: &str) -> String {
    match d {
        Dialect::MySql => format!("`{}`", name.replace('`', "``")),
        Dialect::TSql => format!("[{}]", name.replace(']', "]]")),
    }
}

fn table_name(d: Dialect, t: &TableRef) -> String {
    format!("{}.{}", ident(d, &t.schema), ident(d, &t.name))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// Renders a value as a literal of the dialect.
pub fn literal(d: Dialect, v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(b) => (*b as u8).to_string(),
        Value::Decimal(x) => x.to_string(),
        Value::F32(f) => float_literal(*f as f64),
        Value::F64(f) => float_literal(*f),
        Value::String(s) | Value::Json(s) => string_literal(d, s),
        Value::Bytes(b) => match d {
            Dialect::MySql => format!("X'{}'", hex(b)),
            Dialect::TSql => format!("0x{}", hex(b)),
        },
        Value::Date(x) => format!("'{x}'"),
        Value::Time(t) => match d {
            Dialect::MySql => format!("'{}'", &t.to_string()[..15]),
            Dialect::TSql => format!("CAST('{t}' AS TIME(7))"),
        },
        Value::DateTime(dt) => match d {
            Dialect::MySql => format!("'{}'", &dt.to_string()[..26]),
            Dialect::TSql => format!("CAST('{dt}' AS DATETIME2(7))"),
        },
        Value::DateTimeOffset(o) => match d {
            Dialect::MySql => format!("'{}'", &o.utc.to_string()[..26]),
            Dialect::TSql => {
                let m = o.offset_minutes;
                let sign = if m < 0 { '-' } else { '+' };
                format!(
                    "CAST('{} {sign}{:02}:{:02}' AS DATETIMEOFFSET(7))",
                    o.local(),
                    m.unsigned_abs() / 60,
                    m.unsigned_abs() % 60
                )
            }
        },
        Value::Uuid(u) => format!("'{}'", uuid_to_string(u)),
        other => other
            .as_i128()
            .map(|i| i.to_string())
            .unwrap_or_else(|| "NULL".into()),
    }
}

fn float_literal(f: f64) -> String {
    if f.is_finite() {
        // `{:e}` is exact (shortest round-trip) and both dialects read it.
        format!("{f:e}")
    } else {
        // Neither target stores infinities or NaN; NULL would hide the
        // difference, so make the statement fail loudly instead.
        "CAST('non-finite float' AS DECIMAL)".into()
    }
}

fn string_literal(d: Dialect, s: &str) -> String {
    match d {
        Dialect::MySql => {
            if s.chars().any(|c| c == '\\' || c.is_control()) {
                format!("CONVERT(X'{}' USING utf8mb4)", hex(s.as_bytes()))
            } else {
                format!("'{}'", s.replace('\'', "''"))
            }
        }
        Dialect::TSql => format!("N'{}'", s.replace('\'', "''")),
    }
}

fn where_key(d: Dialect, spec: &TableSpec, row: &[Value]) -> String {
    spec.effective_key()
        .iter()
        .map(|&i| {
            let col = ident(d, &spec.columns[i].name);
            match &row[i] {
                Value::Null => format!("{col} IS NULL"),
                v => format!("{col} = {}", literal(d, v)),
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn insert(d: Dialect, spec: &TableSpec, table: &TableRef, row: &[Value], upsert: bool) -> String {
    let cols: Vec<String> = spec.columns.iter().map(|c| ident(d, &c.name)).collect();
    let vals: Vec<String> = row.iter().map(|v| literal(d, v)).collect();
    let mut s = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table_name(d, table),
        cols.join(", "),
        vals.join(", ")
    );
    if upsert && d == Dialect::TSql {
        // SQL Server has no upsert statement; only insert when the key is absent.
        s = format!(
            "IF NOT EXISTS (SELECT 1 FROM {} WHERE {}) {s}",
            table_name(d, table),
            where_key(d, spec, row)
        );
    }
    s
}

/// Puts `row` in place by its key, idempotently. On MySQL this is a delete
/// by key and a plain insert, never `ON DUPLICATE KEY UPDATE`: that clause
/// fires on *any* unique key, and a repair must not merge two patients'
/// rows that collide on a secondary unique key (the insert fails instead).
fn put_row(
    out: &mut Vec<String>,
    d: Dialect,
    spec: &TableSpec,
    table: &TableRef,
    row: &[Value],
    keyed: bool,
) {
    if keyed && d == Dialect::MySql {
        out.push(delete(d, spec, table, row, 1));
        out.push(insert(d, spec, table, row, false));
    } else {
        out.push(insert(d, spec, table, row, keyed));
    }
}

fn delete(d: Dialect, spec: &TableSpec, table: &TableRef, row: &[Value], copies: u64) -> String {
    let limit_one = spec.key.is_empty();
    match d {
        Dialect::MySql => format!(
            "DELETE FROM {} WHERE {}{}",
            table_name(d, table),
            where_key(d, spec, row),
            if limit_one {
                format!(" LIMIT {copies}")
            } else {
                String::new()
            }
        ),
        Dialect::TSql => format!(
            "DELETE {}FROM {} WHERE {}",
            if limit_one {
                format!("TOP ({copies}) ")
            } else {
                String::new()
            },
            table_name(d, table),
            where_key(d, spec, row)
        ),
    }
}

fn update(
    d: Dialect,
    spec: &TableSpec,
    table: &TableRef,
    key_row: &[Value],
    to: &[Value],
    cols: &[usize],
) -> String {
    let sets: Vec<String> = cols
        .iter()
        .map(|&i| {
            format!(
                "{} = {}",
                ident(d, &spec.columns[i].name),
                literal(d, &to[i])
            )
        })
        .collect();
    format!(
        "UPDATE {} SET {} WHERE {}",
        table_name(d, table),
        sets.join(", "),
        where_key(d, spec, key_row)
    )
}

/// Builds the repair of the target (named `spec.target`) and its undo.
pub fn repair_sql(spec: &TableSpec, diffs: &[RowDiff], d: Dialect) -> RepairScript {
    let t = &spec.target;
    let keyed = !spec.key.is_empty();
    let mut out = RepairScript::default();
    // The undo of each difference, kept whole: undo runs the differences in
    // reverse order, each one's statements in their own order.
    let mut undo: Vec<Vec<String>> = Vec::with_capacity(diffs.len());
    for diff in diffs {
        let mut back = Vec::new();
        match diff {
            RowDiff::Missing { source, copies, .. } => {
                let n = if keyed { 1 } else { *copies };
                for _ in 0..n {
                    put_row(&mut out.apply, d, spec, t, source, keyed);
                }
                back.push(delete(d, spec, t, source, *copies));
            }
            RowDiff::Extra { target, copies, .. } => {
                out.apply.push(delete(d, spec, t, target, *copies));
                let n = if keyed { 1 } else { *copies };
                for _ in 0..n {
                    put_row(&mut back, d, spec, t, target, keyed);
                }
            }
            RowDiff::Changed {
                source,
                target,
                columns,
                ..
            } => {
                out.apply.push(update(d, spec, t, source, source, columns));
                back.push(update(d, spec, t, target, target, columns));
            }
        }
        undo.push(back);
    }
    out.revert = undo.into_iter().rev().flatten().collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Date, DateTime, Decimal, Time};

    #[test]
    fn literals_are_exact_and_safe() {
        let m = Dialect::MySql;
        assert_eq!(literal(m, &Value::String("O'Brien".into())), "'O''Brien'");
        assert_eq!(
            literal(m, &Value::String("a\\b".into())),
            "CONVERT(X'615C62' USING utf8mb4)"
        );
        assert_eq!(literal(m, &Value::Bytes(vec![0, 255])), "X'00FF'");
        assert_eq!(
            literal(Dialect::TSql, &Value::Bytes(vec![0, 255])),
            "0x00FF"
        );
        assert_eq!(
            literal(m, &Value::Decimal(Decimal::parse("-0.50", 5, 2).unwrap())),
            "-0.50"
        );
        let dt = Value::DateTime(DateTime {
            date: Date::from_ymd(2024, 1, 2).unwrap(),
            time: Time::from_hms_ticks(3, 4, 5, 1_234_567).unwrap(),
        });
        assert_eq!(literal(m, &dt), "'2024-01-02 03:04:05.123456'");
        assert_eq!(
            literal(Dialect::TSql, &dt),
            "CAST('2024-01-02 03:04:05.1234567' AS DATETIME2(7))"
        );
        assert_eq!(literal(m, &Value::F64(0.1)), "1e-1");
        assert_eq!(ident(m, "we`ird"), "`we``ird`");
        assert_eq!(ident(Dialect::TSql, "we]ird"), "[we]]ird]");
    }

    #[test]
    fn a_missing_row_is_put_back_by_key_never_by_upsert() {
        use super::super::side::ColumnSpec;
        use super::super::CanonKind;
        let spec = TableSpec {
            source: TableRef::new("his", "p"),
            target: TableRef::new("his", "p"),
            columns: vec![
                ColumnSpec {
                    name: "id".into(),
                    kind: CanonKind::Int,
                },
                ColumnSpec {
                    name: "mrn".into(),
                    kind: CanonKind::Text {
                        trim_trailing_spaces: false,
                    },
                },
            ],
            key: vec![0],
        };
        let row = vec![Value::I64(7), Value::String("A1".into())];
        let diffs = vec![
            RowDiff::Missing {
                key: vec![Value::I64(7)],
                source: row.clone(),
                copies: 1,
            },
            RowDiff::Extra {
                key: vec![Value::I64(8)],
                target: vec![Value::I64(8), Value::String("B".into())],
                copies: 1,
            },
        ];
        let s = repair_sql(&spec, &diffs, Dialect::MySql);
        assert!(
            s.apply.iter().all(|x| !x.contains("ON DUPLICATE KEY")),
            "{:?}",
            s.apply
        );
        assert_eq!(s.apply[0], "DELETE FROM `his`.`p` WHERE `id` = 7");
        assert!(
            s.apply[1].starts_with("INSERT INTO `his`.`p`"),
            "{:?}",
            s.apply
        );
        // Undo: the extra row comes back (delete then insert, in that order), then the missing one goes.
        assert_eq!(s.revert[0], "DELETE FROM `his`.`p` WHERE `id` = 8");
        assert!(s.revert[1].starts_with("INSERT INTO"), "{:?}", s.revert);
        assert_eq!(s.revert[2], "DELETE FROM `his`.`p` WHERE `id` = 7");
    }
}
