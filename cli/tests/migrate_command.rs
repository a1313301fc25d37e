//! `sluice migrate` end to end: Babelfish (a real T-SQL server standing in
//! for SQL Server) -> seekdb, including a kill -9 in the middle of the copy.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use sluice_mssql::connect::exec_batch;
use sluice_mssql::MssqlConfig;
use sluice_testkit::{Babelfish, SeekDb};

const ROWS: i64 = 30_000;

/// Drops and creates a scratch database on Babelfish. Retried: Babelfish fails
/// concurrent CREATE DATABASE with "tuple concurrently updated".
async fn fresh_db(cfg: &MssqlConfig, db: &str) {
    for attempt in 0..10 {
        let mut c = sluice_mssql::connect(cfg).await.unwrap();
        let r = exec_batch(
            &mut c,
            "recreate",
            &format!("IF DB_ID('{db}') IS NOT NULL DROP DATABASE {db}; CREATE DATABASE {db}"),
        )
        .await;
        match r {
            Ok(()) => return,
            Err(e) if attempt < 9 && e.to_string().contains("concurrently") => {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await
            }
            Err(e) => panic!("creating {db}: {e}"),
        }
    }
}

async fn make_source(bf: &Babelfish, db: &str) {
    let cfg = MssqlConfig::from_ado(bf.ado_url()).unwrap();
    fresh_db(&cfg, db).await;
    let mut c = sluice_mssql::connect(&cfg.with_database(db)).await.unwrap();
    exec_batch(
        &mut c,
        "ddl",
        "CREATE TABLE dbo.visits (id INT IDENTITY(1,1) PRIMARY KEY, patient NVARCHAR(60) NOT NULL, \
           fee DECIMAL(12,2) NULL, seen_at DATETIME2(7) NOT NULL, ref UNIQUEIDENTIFIER NULL, \
           fee_x2 AS (fee * 2));
         CREATE TABLE dbo.codes (system VARCHAR(10) NOT NULL, code NVARCHAR(20) NOT NULL, label NVARCHAR(100), \
           CONSTRAINT pk_codes PRIMARY KEY (system, code));
         CREATE TABLE dbo.audit_log (who NVARCHAR(30), what NVARCHAR(100));",
    )
    .await
    .unwrap();
    // Multi-row INSERTs (not bulk insert: Babelfish corrupts DECIMAL there, README trap 2).
    for start in (0..ROWS).step_by(1000) {
        let vals: Vec<String> = (start..start + 1000)
            .map(|i| {
                format!(
                    "(N'患者 {i}', {}.{:02}, '2024-05-{:02} 08:{:02}:{:02}.123456', {})",
                    i % 5000,
                    i % 100,
                    1 + i % 28,
                    i % 60,
                    (i * 7) % 60,
                    if i % 3 == 0 {
                        "NULL".into()
                    } else {
                        format!("'{:08X}-1111-4222-8333-{:012X}'", i, i)
                    }
                )
            })
            .collect();
        exec_batch(
            &mut c,
            "rows",
            &format!(
                "INSERT INTO dbo.visits (patient, fee, seen_at, ref) VALUES {}",
                vals.join(",")
            ),
        )
        .await
        .unwrap();
    }
    exec_batch(
        &mut c,
        "rows",
        "INSERT INTO dbo.codes VALUES ('ICD10','A00',N'Cholera'),('ICD10','B01',N'Varicella'),('LOINC','2345-7',N'Glucose');
         INSERT INTO dbo.audit_log VALUES (N'nurse',N'login'),(N'nurse',N'login'),(N'doctor',N'order');",
    )
    .await
    .unwrap();
}

fn migrate(source: &str, target: &str, db: &str, state: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.args([
        "migrate",
        "--source",
        source,
        "--target",
        target,
        "--database",
        db,
        "--state",
        state.to_str().unwrap(),
        "--chunk-rows",
        "2000",
        "--page-rows",
        "500",
        "--parallel",
        "2",
    ]);
    cmd
}

async fn count(conn: &mut mysql_async::Conn, sql: &str) -> i64 {
    conn.query_first::<i64, _>(sql)
        .await
        .unwrap_or(None)
        .unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_copies_every_row_and_resumes_after_kill_9() {
    let Some(bf) = Babelfish::from_env_or_skip() else {
        return;
    };
    let src_db = format!("mig{}", std::process::id());
    make_source(&bf, &src_db).await;
    let seek = SeekDb::shared();
    let target_db = format!("his{}", std::process::id());
    let target = seek.url();
    let state = tempfile::tempdir().unwrap();
    let source = format!("{};database={src_db}", bf.ado_url());

    // assess reads the same source live: every table gets a status and DDL.
    let assess_out = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args([
            "assess",
            "--source",
            &source,
            "--out",
            assess_out.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(assess_out.path().join("assess.json")).unwrap(),
    )
    .unwrap();
    let text = report.to_string();
    for t in ["dbo.visits", "dbo.codes", "dbo.audit_log"] {
        assert!(text.contains(t), "{t} missing from the live assessment");
    }
    assert!(!text.contains("Sluice-Passw0rd1"), "password in the report");

    // First run: killed once some chunks are on the target.
    let mut child = migrate(&source, &target, &target_db, state.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut t = mysql_async::Conn::from_url(&target).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let n = count(
            &mut t,
            &format!("SELECT COUNT(*) FROM `{target_db}`.`visits`"),
        )
        .await;
        if n >= 4000 || Instant::now() > deadline {
            break;
        }
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    let partial = count(
        &mut t,
        &format!("SELECT COUNT(*) FROM `{target_db}`.`visits`"),
    )
    .await;
    assert!(
        partial > 0,
        "the first run copied something before the kill"
    );

    // The live source keeps changing while the load is down: 3,000 more rows,
    // so a re-planned table would be cut at other keys and finished chunk ids
    // would name other ranges.
    let mut sc = sluice_mssql::connect(&MssqlConfig::from_ado(&source).unwrap())
        .await
        .unwrap();
    exec_batch(
        &mut sc,
        "more rows",
        "INSERT INTO dbo.visits (patient, fee, seen_at) SELECT TOP (3000) patient, fee, seen_at FROM dbo.visits ORDER BY id",
    )
    .await
    .unwrap();
    drop(sc);
    const ROWS_NOW: i64 = ROWS + 3000;

    // Second run: resumes and finishes.
    let out = migrate(&source, &target, &target_db, state.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("migrated 3 tables"), "{stdout}");
    assert!(
        !stderr.contains("Sluice-Passw0rd1") && !stdout.contains("Sluice-Passw0rd1"),
        "password leaked"
    );

    // Every row exactly once, values intact.
    assert_eq!(
        count(
            &mut t,
            &format!("SELECT COUNT(*) FROM `{target_db}`.`visits`")
        )
        .await,
        ROWS_NOW
    );
    assert_eq!(
        count(
            &mut t,
            &format!("SELECT COUNT(DISTINCT id) FROM `{target_db}`.`visits`")
        )
        .await,
        ROWS_NOW
    );
    assert_eq!(
        count(
            &mut t,
            &format!("SELECT COUNT(*) FROM `{target_db}`.`codes`")
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &mut t,
            &format!("SELECT COUNT(*) FROM `{target_db}`.`audit_log`")
        )
        .await,
        3,
        "keyless table not duplicated"
    );
    let row: Option<(String, String, String, Option<String>, String)> = t
        .query_first(format!(
            "SELECT patient, CAST(fee AS CHAR), DATE_FORMAT(seen_at, '%Y-%m-%d %H:%i:%s.%f'), ref, CAST(CAST(fee_x2 AS DECIMAL(20,2)) AS CHAR) FROM `{target_db}`.`visits` WHERE id = 1235"
        ))
        .await
        .unwrap();
    let (patient, fee, seen, r, x2) = row.expect("row 1235");
    // id 1235 is the 1235th insert (i = 1234).
    assert_eq!(patient, "患者 1234");
    assert_eq!(fee, "1234.34");
    assert_eq!(seen, "2024-05-03 08:34:58.123456");
    assert_eq!(r.as_deref(), Some("000004d2-1111-4222-8333-0000000004d2"));
    // Compared at scale 2: the converted generated column's declared scale is the
    // converter's choice (SQL Server would type fee * 2 as DECIMAL(23,2)).
    assert_eq!(x2, "2468.68", "computed column recomputed by the target");

    // verify between the SQL Server side (Babelfish) and the target: clean after the migration...
    let verify = |out: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args([
                "verify",
                "--source",
                &source,
                "--target",
                &target,
                "--target-db",
                &target_db,
                "--out",
                out.to_str().unwrap(),
                "--chunk-rows",
                "5000",
                "--leaf-rows",
                "200",
            ])
            .output()
            .unwrap()
    };
    let reports = tempfile::tempdir().unwrap();
    let out = verify(reports.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("CLEAN: 3 tables clean"), "{stdout}");
    // ... and each injected difference found exactly.
    for sql in [
        format!("UPDATE `{target_db}`.`visits` SET seen_at = seen_at + INTERVAL 1 MICROSECOND WHERE id = 77"),
        format!("UPDATE `{target_db}`.`visits` SET ref = NULL WHERE id = 20000"),
        format!("DELETE FROM `{target_db}`.`codes` WHERE code = 'B01'"),
        format!("INSERT INTO `{target_db}`.`audit_log` VALUES ('doctor', 'order')"),
    ] {
        t.query_drop(sql).await.unwrap();
    }
    let out = verify(reports.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("rows missing 1, extra 1, changed 2"),
        "{stdout}"
    );
    let repair = std::fs::read_to_string(reports.path().join("repair.sql")).unwrap();
    assert!(repair.contains("'2024-05-21 08:16:52.123456'"), "{repair}");
}

/// A target unique key the source does not enforce must stop the load
/// loudly, never merge distinct rows (an upsert would silently keep one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stricter_target_key_stops_the_load_instead_of_merging_rows() {
    let Some(bf) = Babelfish::from_env_or_skip() else {
        return;
    };
    let src_db = format!("strict{}", std::process::id());
    let cfg = MssqlConfig::from_ado(bf.ado_url()).unwrap();
    fresh_db(&cfg, &src_db).await;
    let mut c = sluice_mssql::connect(&cfg.with_database(&src_db))
        .await
        .unwrap();
    exec_batch(
        &mut c,
        "rows",
        "CREATE TABLE dbo.beds (id INT PRIMARY KEY, ward INT NOT NULL, bed INT NOT NULL);
         INSERT INTO dbo.beds VALUES (1, 7, 3), (2, 7, 3), (3, 8, 1);",
    )
    .await
    .unwrap();
    drop(c);
    let source = format!("{};database={src_db}", bf.ado_url());
    let seek = SeekDb::shared();
    let target_db = format!("strict{}", std::process::id());
    let state = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = migrate(&source, &seek.url(), &target_db, state.path());
        cmd.args(extra).output().unwrap()
    };
    assert!(run(&["--schema-only"]).status.success());
    let mut t = mysql_async::Conn::from_url(seek.url()).await.unwrap();
    t.query_drop(format!(
        "CREATE UNIQUE INDEX ux_ward_bed ON `{target_db}`.`beds` (ward, bed)"
    ))
    .await
    .unwrap();
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("conflict on unique key") && stderr.contains("ux_ward_bed"),
        "{stderr}"
    );
    assert_eq!(
        count(
            &mut t,
            &format!("SELECT COUNT(*) FROM `{target_db}`.`beds`")
        )
        .await,
        0,
        "nothing half-written"
    );
}
