//! `verify` between two real servers: MariaDB (source) and seekdb/OceanBase
//! (target). A clean pair reports nothing; each injected difference is found
//! exactly; the repair SQL makes the pair clean and the revert SQL undoes it.

use mysql_async::prelude::Queryable;
use sluice_engine::verify::{repair_sql, verify_table, Dialect, RowDiff, TableSpec, VerifyOptions};
use sluice_oceanbase::verify::{spec_from_catalog, MySqlVerifySide, Role};
use sluice_testkit::{MariaDb, SeekDb};

const DDL_ALL: &str = "CREATE TABLE t_all (
    id INT PRIMARY KEY,
    c CHAR(10),
    v VARCHAR(40),
    d DECIMAL(12,3),
    dt DATETIME(6),
    dte DATE,
    tm TIME(6),
    b VARBINARY(16),
    u CHAR(36),
    n INT NULL
) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_general_ci";
const DDL_KEYLESS: &str = "CREATE TABLE t_nokey (a INT, b VARCHAR(10))";
const DDL_FLOAT: &str = "CREATE TABLE t_float (id INT PRIMARY KEY, f DOUBLE)";
const ROWS: i64 = 3000;

fn all_rows_sql(from: i64, to: i64) -> String {
    let vals: Vec<String> = (from..to)
        .map(|i| {
            format!(
                "({i}, 'c{i}', 'name {i}', {}.{:03}, '2024-03-{:02} 10:{:02}:{:02}.{:06}', '2023-12-{:02}', '0{}:30:15.{:06}', X'{:08X}', '{:08x}-0000-4000-8000-{:012x}', {})",
                i * 3,
                i % 1000,
                1 + i % 28,
                i % 60,
                (i * 7) % 60,
                (i * 37) % 1_000_000,
                1 + i % 28,
                i % 10,
                i * 11 % 1_000_000,
                i,
                i,
                i,
                if i % 10 == 0 { "NULL".to_string() } else { i.to_string() }
            )
        })
        .collect();
    format!("INSERT INTO t_all VALUES {}", vals.join(","))
}

async fn load(url: &str) -> mysql_async::Conn {
    let mut c = mysql_async::Conn::from_url(url).await.expect("connect");
    c.query_drop("SET time_zone = '+00:00'").await.unwrap();
    for ddl in [DDL_ALL, DDL_KEYLESS, DDL_FLOAT] {
        c.query_drop(ddl).await.unwrap();
    }
    for start in (0..ROWS).step_by(500) {
        c.query_drop(all_rows_sql(start, (start + 500).min(ROWS)))
            .await
            .unwrap();
    }
    c.query_drop("INSERT INTO t_nokey VALUES (1,'x'),(1,'x'),(2,'y')")
        .await
        .unwrap();
    c.query_drop("INSERT INTO t_float VALUES (1, 0.1), (2, 1e300), (3, -2.5)")
        .await
        .unwrap();
    c
}

async fn compare(spec: &TableSpec, src: &str, dst: &str, opts: &VerifyOptions) -> Vec<RowDiff> {
    let mut s = MySqlVerifySide::connect(src, Role::Source).await.unwrap();
    let mut t = MySqlVerifySide::connect(dst, Role::Target).await.unwrap();
    verify_table(&mut s, &mut t, spec, opts)
        .await
        .unwrap()
        .diffs
}

fn describe(d: &RowDiff, spec: &TableSpec) -> String {
    let key = format!("{:?}", d.key());
    match d {
        RowDiff::Changed { columns, .. } => format!(
            "changed {key} {:?}",
            columns
                .iter()
                .map(|&c| spec.columns[c].name.as_str())
                .collect::<Vec<_>>()
        ),
        RowDiff::Missing { copies, .. } => format!("missing {key} x{copies}"),
        RowDiff::Extra { copies, .. } => format!("extra {key} x{copies}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_finds_every_injected_difference_and_repair_fixes_it() {
    let maria = MariaDb::start();
    let seek = SeekDb::shared();
    let target_db = seek.fresh_database().await;
    let mut admin = mysql_async::Conn::from_url(maria.url()).await.unwrap();
    admin.query_drop("CREATE DATABASE src").await.unwrap();
    let src_url = maria.url_for("src");
    let _src = load(&src_url).await;
    let mut dst = load(&target_db.url).await;

    let mut side = MySqlVerifySide::connect(&src_url, Role::Source)
        .await
        .unwrap();
    let spec_all = spec_from_catalog(&mut side, "src", "t_all", &target_db.name)
        .await
        .unwrap();
    let spec_nokey = spec_from_catalog(&mut side, "src", "t_nokey", &target_db.name)
        .await
        .unwrap();
    let spec_float = spec_from_catalog(&mut side, "src", "t_float", &target_db.name)
        .await
        .unwrap();
    assert_eq!(spec_all.key, vec![0]);
    assert!(spec_nokey.key.is_empty());
    // Small chunks so bisection really runs on a 3,000-row table.
    let opts = VerifyOptions {
        chunk_rows: 400,
        leaf_rows: 40,
        fanout: 4,
        rows_only: false,
    };

    // A clean pair reports zero differences.
    for spec in [&spec_all, &spec_nokey, &spec_float] {
        let d = compare(spec, &src_url, &target_db.url, &opts).await;
        assert!(d.is_empty(), "{}: {:?}", spec.source, d);
    }

    // Inject one difference of each kind into the target.
    for sql in [
        "DELETE FROM t_all WHERE id = 5",                    // missing row
        "INSERT INTO t_all (id, v) VALUES (99999, 'extra')", // extra row
        "UPDATE t_all SET v = 'NAME 11' WHERE id = 11",      // case-only under a _ci collation
        "UPDATE t_all SET v = 'name 12 ' WHERE id = 12",     // trailing space in VARCHAR
        "UPDATE t_all SET v = '' WHERE id = 13",             // ... value vs empty string
        "UPDATE t_all SET n = NULL WHERE id = 14",           // NULL vs value
        "UPDATE t_all SET d = d + 0.001 WHERE id = 15",      // decimal in the last digit
        "UPDATE t_all SET dt = dt + INTERVAL 1 MICROSECOND WHERE id = 16", // datetime precision
        "UPDATE t_all SET dte = dte - INTERVAL 1 DAY WHERE id = 17", // date
        "UPDATE t_all SET tm = '00:00:00' WHERE id = 18",    // time
        "UPDATE t_all SET b = X'00' WHERE id = 19",          // bytes
        "UPDATE t_all SET u = '00000000-0000-4000-8000-000000000000' WHERE id = 2999", // uuid, last chunk
        "UPDATE t_all SET c = 'c20       ' WHERE id = 20", // CHAR padding: NOT a difference
        "UPDATE t_all SET u = UPPER(u) WHERE id = 21",     // uuid case: NOT a difference
        "DELETE FROM t_nokey WHERE a = 1 LIMIT 1",         // keyless: one copy missing
        "INSERT INTO t_nokey VALUES (2, 'y')",             // keyless: duplicate extra
        "UPDATE t_float SET f = 0.1000000000000001 WHERE id = 1", // float, hashed on the client
    ] {
        dst.query_drop(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    let d_all = compare(&spec_all, &src_url, &target_db.url, &opts).await;
    let mut got: Vec<String> = d_all.iter().map(|d| describe(d, &spec_all)).collect();
    got.sort();
    let mut want: Vec<String> = vec![
        "missing [I64(5)] x1".into(),
        "extra [I64(99999)] x1".into(),
        "changed [I64(11)] [\"v\"]".into(),
        "changed [I64(12)] [\"v\"]".into(),
        "changed [I64(13)] [\"v\"]".into(),
        "changed [I64(14)] [\"n\"]".into(),
        "changed [I64(15)] [\"d\"]".into(),
        "changed [I64(16)] [\"dt\"]".into(),
        "changed [I64(17)] [\"dte\"]".into(),
        "changed [I64(18)] [\"tm\"]".into(),
        "changed [I64(19)] [\"b\"]".into(),
        "changed [I64(2999)] [\"u\"]".into(),
    ];
    want.sort();
    assert_eq!(got, want);

    let d_nokey = compare(&spec_nokey, &src_url, &target_db.url, &opts).await;
    let mut got: Vec<String> = d_nokey.iter().map(|d| describe(d, &spec_nokey)).collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            "extra [I64(2), String(\"y\")] x1".to_string(),
            "missing [I64(1), String(\"x\")] x1".to_string()
        ]
    );
    let d_float = compare(&spec_float, &src_url, &target_db.url, &opts).await;
    assert_eq!(d_float.len(), 1, "{d_float:?}");

    // Repair makes the pair clean; revert brings the differences back.
    let mut scripts = Vec::new();
    for (spec, diffs) in [
        (&spec_all, &d_all),
        (&spec_nokey, &d_nokey),
        (&spec_float, &d_float),
    ] {
        let script = repair_sql(spec, diffs, Dialect::MySql);
        for stmt in &script.apply {
            dst.query_drop(stmt)
                .await
                .unwrap_or_else(|e| panic!("{stmt}: {e}"));
        }
        scripts.push(script);
    }
    for spec in [&spec_all, &spec_nokey, &spec_float] {
        let d = compare(spec, &src_url, &target_db.url, &opts).await;
        assert!(d.is_empty(), "after repair {}: {:?}", spec.source, d);
    }
    for stmt in &scripts[0].revert {
        dst.query_drop(stmt)
            .await
            .unwrap_or_else(|e| panic!("{stmt}: {e}"));
    }
    let again = compare(&spec_all, &src_url, &target_db.url, &opts).await;
    assert_eq!(again.len(), d_all.len(), "revert restores every difference");
}
