//! Databases for schemas, sequence emulation, synonyms and user types.

use super::expr::{quote_ident as q, string_literal};
use super::{Ctx, ObjectKind, ObjectReport};
use sluice_engine::schema::{Synonym, UserType, UserTypeKind};
use std::collections::BTreeSet;

/// One `CREATE DATABASE` per target database the objects need.
pub(super) fn databases(cx: &Ctx<'_>) -> Vec<ObjectReport> {
    let mut schemas: BTreeSet<String> = BTreeSet::new();
    schemas.insert("dbo".into());
    for s in &cx.catalog.schemas {
        schemas.insert(s.to_lowercase());
    }
    let names = cx
        .catalog
        .tables
        .iter()
        .map(|t| &t.name)
        .chain(cx.catalog.sequences.iter().map(|s| &s.name))
        .chain(cx.catalog.synonyms.iter().map(|s| &s.name))
        .chain(cx.catalog.routines.iter().map(|r| &r.name));
    for n in names {
        schemas.insert(n.schema_or_dbo().to_lowercase());
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for s in schemas {
        let db = cx.database_of(Some(&s));
        if !seen.insert(db.to_lowercase()) {
            continue;
        }
        let mut r = ObjectReport::new(ObjectKind::Database, s.clone(), None);
        r.target = Some(q(&db));
        if !s.eq_ignore_ascii_case("dbo") {
            r.add(
                "SCHEMA-DATABASE",
                format!("schema {s} → database {db}"),
                None,
            );
        }
        let collation = match &cx.catalog.collation {
            Some(source) => {
                let target = super::ddl::map_collation(cx, source);
                r.add(
                    "COL-COLLATION",
                    format!("database collation {source} → {target}"),
                    None,
                );
                target
            }
            None => cx.opts.default_collation.clone(),
        };
        r.ddl.push(format!(
            "CREATE DATABASE IF NOT EXISTS {} DEFAULT CHARACTER SET utf8mb4 COLLATE {collation}",
            q(&db),
        ));
        out.push(r);
    }
    out
}

/// The sequence table, the `sluice_nextval` function and one row per sequence.
pub(super) fn sequences(cx: &Ctx<'_>) -> Vec<ObjectReport> {
    if cx.catalog.sequences.is_empty() {
        return Vec::new();
    }
    let db = q(&cx.main_db);
    let table = format!("{db}.`sluice_sequence`");
    let mut out = Vec::new();
    for (i, s) in cx.catalog.sequences.iter().enumerate() {
        let name = format!("{}.{}", s.name.schema_or_dbo(), s.name.name);
        let mut r = ObjectReport::new(ObjectKind::Sequence, name.clone(), s.origin.clone());
        r.target = Some(format!("{table} row '{name}'"));
        let (lo, hi) = type_range(&s.data_type.name);
        let min = s.min_value.unwrap_or(if s.increment > 0 {
            lo.max(1).min(hi)
        } else {
            lo
        });
        let min = if s.min_value.is_none() && s.increment > 0 {
            lo
        } else {
            min
        };
        let max = s.max_value.unwrap_or(hi);
        let start = s.start.unwrap_or(if s.increment > 0 { min } else { max });
        if cx.caps.sequences {
            r.ddl.push(format!(
                "CREATE SEQUENCE {} START WITH {start} INCREMENT BY {} MINVALUE {min} MAXVALUE {max}{}",
                cx.qualified(&s.name),
                s.increment,
                if s.cycle { " CYCLE" } else { " NOCYCLE" }
            ));
        } else {
            r.add("SEQ-EMULATED", format!("sequence {name} → row in sluice_sequence; NEXT VALUE FOR {name} → {db}.sluice_nextval('{name}')"), None);
            if i == 0 {
                r.ddl.extend(support_objects(&db, &table));
            }
            r.ddl.push(format!(
                "INSERT INTO {table} (`name`, `next_value`, `increment`, `min_value`, `max_value`, `cycle`) VALUES ({}, {start}, {}, {min}, {max}, {})",
                string_literal(&name),
                s.increment,
                u8::from(s.cycle)
            ));
        }
        out.push(r);
    }
    out
}

fn support_objects(db: &str, table: &str) -> Vec<String> {
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS {table} (\n  `name` VARCHAR(300) NOT NULL PRIMARY KEY,\n  `next_value` DECIMAL(38,0) NOT NULL,\n  `increment` DECIMAL(38,0) NOT NULL,\n  `min_value` DECIMAL(38,0) NOT NULL,\n  `max_value` DECIMAL(38,0) NOT NULL,\n  `cycle` TINYINT(1) NOT NULL\n) COMMENT = 'sluice: emulation of SQL Server sequences'"
        ),
        format!(
            "CREATE FUNCTION {db}.`sluice_nextval`(seq_name VARCHAR(300)) RETURNS DECIMAL(38,0)\nMODIFIES SQL DATA NOT DETERMINISTIC\nBEGIN\n  DECLARE v DECIMAL(38,0);\n  DECLARE inc DECIMAL(38,0);\n  DECLARE lo DECIMAL(38,0);\n  DECLARE hi DECIMAL(38,0);\n  DECLARE cyc TINYINT;\n  SELECT `next_value`, `increment`, `min_value`, `max_value`, `cycle` INTO v, inc, lo, hi, cyc\n    FROM {table} WHERE `name` = seq_name FOR UPDATE;\n  IF v IS NULL THEN\n    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'sluice_nextval: unknown sequence';\n  END IF;\n  IF (inc > 0 AND v > hi) OR (inc < 0 AND v < lo) THEN\n    IF cyc = 1 THEN\n      SET v = IF(inc > 0, lo, hi);\n    ELSE\n      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'sluice_nextval: sequence exhausted';\n    END IF;\n  END IF;\n  UPDATE {table} SET `next_value` = v + inc WHERE `name` = seq_name;\n  RETURN v;\nEND"
        ),
    ]
}

fn type_range(t: &str) -> (i128, i128) {
    match t {
        "tinyint" => (0, 255),
        "smallint" => (i16::MIN.into(), i16::MAX.into()),
        "int" => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

/// A synonym for a table becomes a view over it.
pub(super) fn synonym(cx: &Ctx<'_>, s: &Synonym) -> ObjectReport {
    let name = format!("{}.{}", s.name.schema_or_dbo(), s.name.name);
    let mut r = ObjectReport::new(ObjectKind::Synonym, name.clone(), s.origin.clone());
    if s.target.server.is_some() {
        r.add(
            "SYN-LINKED-SERVER",
            format!("synonym {name} points at linked server {}", s.target),
            None,
        );
        return r;
    }
    let mut target = s.target.clone();
    if target.schema.is_none() {
        target.schema = s.name.schema.clone();
    }
    let same_db = target.database.as_ref().is_none_or(|d| {
        cx.catalog
            .database
            .as_ref()
            .is_some_and(|c| c.eq_ignore_ascii_case(d))
    });
    target.database = None;
    match cx.table(&target).filter(|_| same_db) {
        Some(t) => {
            r.add(
                "SYN-VIEW",
                format!("synonym {name} → view over {}", s.target),
                None,
            );
            r.target = Some(cx.qualified(&s.name));
            r.ddl.push(format!(
                "CREATE VIEW {} AS SELECT * FROM {}",
                cx.qualified(&s.name),
                cx.qualified(&t.name)
            ));
        }
        None => r.add(
            "SYN-MANUAL",
            format!(
                "synonym {name} → {}: not a table of this database",
                s.target
            ),
            None,
        ),
    }
    r
}

/// Alias types are inlined; table types are flagged.
pub(super) fn user_type(t: &UserType) -> ObjectReport {
    let name = format!("{}.{}", t.name.schema_or_dbo(), t.name.name);
    let mut r = ObjectReport::new(ObjectKind::Type, name.clone(), t.origin.clone());
    match &t.kind {
        UserTypeKind::Alias { base, .. } => r.add(
            "UDT-ALIAS",
            format!("alias type {name} ({base}) is inlined into its columns"),
            None,
        ),
        UserTypeKind::Table { .. } => r.add("UDT-TABLE", format!("table type {name}"), None),
    }
    r
}
