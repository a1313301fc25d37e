//! Conversion decisions on edge cases (tests/data/edge_cases.sql; the same
//! DDL runs on seekdb in tests/seekdb.rs).

use sluice_tsql::assess::{self, AssessOptions, ScriptInput};
use sluice_tsql::dialect::oceanbase::types::{BitAs, OffsetAs};
use sluice_tsql::dialect::oceanbase::{ConvertOptions, ObjectReport, SchemaMapping, Status};

const EDGE: &str = include_str!("data/edge_cases.sql");

fn run(opts: ConvertOptions) -> assess::report::Report {
    let files = vec![ScriptInput {
        path: "edge.sql".into(),
        bytes: EDGE.as_bytes().to_vec(),
    }];
    assess::assess_files(
        &files,
        &AssessOptions {
            convert: opts,
            ..Default::default()
        },
    )
}

fn obj<'a>(r: &'a assess::report::Report, name: &str) -> &'a ObjectReport {
    r.objects
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("{name}"))
}

fn has(o: &ObjectReport, rule: &str) -> bool {
    o.findings.iter().any(|f| f.rule == rule)
}

#[test]
fn edge_cases_with_default_options() {
    let r = run(ConvertOptions::default());
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let code = obj(&r, "ref.Code");
    let ddl = code.ddl.join("\n");
    assert!(
        ddl.contains("`CodeId` BIGINT NOT NULL AUTO_INCREMENT"),
        "{ddl}"
    );
    assert!(has(code, "TYPE-DECIMAL-IDENTITY"));
    assert!(
        ddl.contains("`Active` TINYINT(1) NOT NULL DEFAULT 1"),
        "bit default 2 stores 1: {ddl}"
    );
    assert!(ddl.contains("`IssuedAt` DATETIME(6) NULL") && !ddl.contains("IssuedAt_offset_min"));
    for want in [
        "`ValidOn` DATE NOT NULL DEFAULT (CURDATE())",
        "`ValidAt` TIME(0) NULL DEFAULT (CURTIME())",
        "`UtcOn` DATE NULL DEFAULT (UTC_DATE())",
        "`Stamp` DATETIME(2) NULL DEFAULT (UTC_TIMESTAMP(2))",
        // A live catalog's rendering of a string default: the literal, not a CAST
        // (OceanBase rejects CAST in a default with error 5023).
        "`Currency` CHAR(3) NOT NULL DEFAULT (('CNY'))",
    ] {
        assert!(ddl.contains(want), "{want} in {ddl}");
    }
    assert!(has(code, "IDX-UNIQUE-NULLS"), "UNIQUE on nullable Code");
    // A unique index filtered on a column outside its key stays non-unique:
    // as a plain unique index it would reject rows the source accepts.
    assert!(has(code, "IDX-FILTER-UNIQUE"), "{:?}", code.findings);
    assert!(!ddl.contains("UNIQUE KEY `UX_Code_Currency`"), "{ddl}");
    assert_eq!(
        code.target.as_deref(),
        Some("`dbo_ref`.`Code`"),
        "no USE: main database is dbo"
    );

    assert!(r.notes.is_empty(), "{:?}", r.notes);
    // a case-sensitive source database gives case-sensitive target databases
    assert!(
        r.deploy[0].ends_with("DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
        "{}",
        r.deploy[0]
    );
    assert!(!has(obj(&r, "dbo.ref_code"), "NAME-CASE-CLASH"));

    let long = r
        .objects
        .iter()
        .find(|o| o.name.starts_with("dbo.AVeryLong"))
        .unwrap();
    assert!(has(long, "NAME-TOO-LONG"));
    let t = long.target.as_deref().unwrap();
    assert!(t.len() <= "`dbo`.``".len() + 64, "{t}");
    let d = long.ddl.join("");
    // two 67/70-character columns: shortened, distinct, and used consistently
    let short: Vec<&str> = d
        .split('`')
        .filter(|p| p.starts_with("PatientReferenceNumber"))
        .collect();
    assert!(short.iter().all(|p| p.chars().count() <= 64), "{short:?}");
    let mut distinct = short.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 2, "{d}");
    assert_eq!(short.len(), 5, "column x2, computed, check, index: {d}");

    let unknown = obj(&r, "dbo.OnlyUnknown");
    assert!(unknown.ddl.is_empty() && has(unknown, "TYPE-UNKNOWN"));

    let quoted = obj(&r, "dbo.Quote's \"Table\"");
    let q = quoted.ddl.join("");
    assert!(
        q.contains("`Quote's \"Table\"`")
            && q.contains("`a b` INT")
            && q.contains("`c``d` VARCHAR(10)"),
        "{q}"
    );
    assert!(q.contains("CHECK (`c``d` <> 'x\\\\y')"), "{q}");

    let nosemi = obj(&r, "dbo.NoSemicolons");
    let n = nosemi.ddl.join("");
    assert!(
        n.contains("KEY `IX_NoSemicolons_Amount` (`Amount`)")
            && n.contains("CONSTRAINT `CK_NoSemicolons_Amount` CHECK (`Amount` >= 0)"),
        "{n}"
    );
}

#[test]
fn options_change_the_output() {
    let opts = ConvertOptions {
        database: Some("his".into()),
        schema_mapping: SchemaMapping::PrefixTables,
        types: sluice_tsql::dialect::oceanbase::types::TypeOptions {
            bit: BitAs::Bit1,
            datetimeoffset: OffsetAs::UtcWithOffsetColumn,
            ..Default::default()
        },
        ..Default::default()
    };
    let r = run(opts);
    let code = obj(&r, "ref.Code");
    assert_eq!(code.target.as_deref(), Some("`his`.`ref_Code`"));
    let ddl = code.ddl.join("\n");
    assert!(
        ddl.contains("`Active` BIT(1) NOT NULL DEFAULT b'1'"),
        "{ddl}"
    );
    assert!(ddl.contains("`IssuedAt_offset_min` SMALLINT NULL"), "{ddl}");
    assert!(!r
        .deploy
        .iter()
        .any(|s| s.contains("CREATE DATABASE IF NOT EXISTS `his_ref`")));
    // ref.Code → his.ref_Code and dbo.ref_code → his.ref_code clash when case is ignored
    let clash = obj(&r, "dbo.ref_code");
    assert!(has(clash, "NAME-CASE-CLASH"));
    assert_eq!(clash.status, Status::Manual);
    assert_eq!(clash.target.as_deref(), Some("`his`.`ref_code_2`"));
}

#[test]
fn a_configured_column_type_wins_for_that_column_only() {
    let mut types = sluice_tsql::dialect::oceanbase::types::TypeOptions::default();
    types
        .column_overrides
        .insert("ref.code.label".into(), "VARCHAR(400)".into());
    let r = run(ConvertOptions {
        types,
        ..Default::default()
    });
    let code = obj(&r, "ref.Code");
    let ddl = code.ddl.join("\n");
    assert!(ddl.contains("`Label` VARCHAR(400)"), "{ddl}");
    assert!(has(code, "TYPE-OVERRIDE"));
    // Other columns keep their mapping.
    assert!(ddl.contains("`Code` VARCHAR(10)"), "{ddl}");
}
