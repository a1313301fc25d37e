//! `MssqlVerifySide::rows_for_keys` (the point lookups online verify
//! re-checks differing keys with) on Babelfish: integer, composite text and
//! keyless tables, NULLs and trailing spaces included.

mod common;

use sluice_engine::event::TableRef;
use sluice_engine::value::Value;
use sluice_engine::verify::VerifySide;
use sluice_mssql::verify::{MssqlVerifySide, Role};

fn s(v: &str) -> Value {
    Value::String(v.into())
}

#[tokio::test]
async fn rows_for_keys_returns_exactly_the_named_keys() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "vkeys").await;
    let mut c = common::session(&db).await;
    for sql in [
        "CREATE TABLE dbo.p (id int NOT NULL PRIMARY KEY, name nvarchar(20) NULL)",
        "INSERT INTO dbo.p VALUES (1, N'a'), (2, N'b'), (3, NULL), (40, N'd')",
        "CREATE TABLE dbo.c (ward varchar(10) NOT NULL, bed varchar(10) NOT NULL, v int NULL, PRIMARY KEY (ward, bed))",
        "INSERT INTO dbo.c VALUES ('A', 'x', 1), ('A', 'x2', 2), ('B', 'y', 4)",
        "CREATE TABLE dbo.heap (pid int NULL, tag varchar(10) NULL)",
        "INSERT INTO dbo.heap VALUES (1, 'a'), (1, 'a'), (1, NULL), (1, 'a '), (2, 'b')",
    ] {
        common::exec(&mut c, sql).await;
    }
    let mut side = MssqlVerifySide::new(c, Role::Source, "babelfish");

    let p = side
        .describe("dbo", "p", TableRef::new("his", "p"))
        .await
        .unwrap();
    let mut got = side
        .rows_for_keys(
            &p,
            &[
                vec![Value::I64(2)],
                vec![Value::I64(40)],
                vec![Value::I64(7)],
            ],
        )
        .await
        .unwrap();
    got.sort_by_key(|r| r[0].as_i128());
    let ids: Vec<_> = got.iter().map(|r| r[0].as_i128().unwrap()).collect();
    assert_eq!(ids, vec![2, 40], "{got:?}");

    // 'x' does not match 'x2'.
    let cspec = side
        .describe("dbo", "c", TableRef::new("his", "c"))
        .await
        .unwrap();
    let got = side
        .rows_for_keys(&cspec, &[vec![s("A"), s("x")], vec![s("B"), s("z")]])
        .await
        .unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0][2].as_i128(), Some(1));

    // Keyless: every column is the key; duplicates come back twice, NULLs
    // match, and 'a ' (which `=` pads equal to 'a') is not the key 'a'.
    let h = side
        .describe("dbo", "heap", TableRef::new("his", "heap"))
        .await
        .unwrap();
    assert!(h.key.is_empty());
    let got = side
        .rows_for_keys(
            &h,
            &[
                vec![Value::I64(1), s("a")],
                vec![Value::I64(1), Value::Null],
            ],
        )
        .await
        .unwrap();
    assert_eq!(got.len(), 3, "{got:?}");
}
