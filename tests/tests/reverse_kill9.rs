//! The reverse path on real servers: MariaDB's ROW binlog (standing in for
//! OceanBase's binlog service) -> event log -> Babelfish (standing in for SQL
//! Server), with the pipeline process killed by SIGKILL at random points
//! while writes continue, then a row-by-row comparison: nothing lost,
//! nothing duplicated.

use std::process::Stdio;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use sluice_engine::event::TableRef;
use sluice_engine::verify::{verify_table, VerifyOptions};
use sluice_mssql::connect::exec_batch;
use sluice_mssql::verify::{MssqlVerifySide, Role as MsRole};
use sluice_mssql::MssqlConfig;
use sluice_oceanbase::verify::{spec_from_catalog, MySqlVerifySide, Role};
use sluice_testkit::{Babelfish, MariaDb};
use sluice_tests::{binlog_worker, kill_repeatedly, Rng, WorkerSink};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverse_sync_survives_kill_9_with_nothing_lost_or_doubled() {
    let Some(bf) = Babelfish::from_env_or_skip() else {
        return;
    };
    let maria = MariaDb::start();
    let mut m = mysql_async::Conn::from_url(maria.url()).await.unwrap();
    m.query_drop("CREATE DATABASE app").await.unwrap();
    m.query_drop("CREATE TABLE app.t (id INT PRIMARY KEY, name VARCHAR(50), amount DECIMAL(10,2), at DATETIME(6))")
        .await
        .unwrap();

    let db = format!("rev{}", std::process::id());
    let base = MssqlConfig::from_ado(bf.ado_url()).unwrap();
    let mut c = sluice_mssql::connect(&base).await.unwrap();
    exec_batch(
        &mut c,
        "drop",
        &format!("IF DB_ID('{db}') IS NOT NULL DROP DATABASE {db}"),
    )
    .await
    .unwrap();
    exec_batch(&mut c, "create", &format!("CREATE DATABASE {db}"))
        .await
        .unwrap();
    drop(c);
    let ado = format!("{};database={db}", bf.ado_url());
    let mut c = sluice_mssql::connect(&MssqlConfig::from_ado(&ado).unwrap())
        .await
        .unwrap();
    exec_batch(
        &mut c,
        "ddl",
        "CREATE TABLE dbo.t (id INT PRIMARY KEY, name NVARCHAR(50), amount DECIMAL(10,2), at DATETIME2(6))",
    )
    .await
    .unwrap();
    drop(c);

    let (file, pos): (String, u64) = {
        let row: mysql_async::Row = m.query_first("SHOW MASTER STATUS").await.unwrap().unwrap();
        (row.get(0).unwrap(), row.get(1).unwrap())
    };
    let log = tempfile::tempdir().unwrap();
    let maria_url = maria.url();

    // Writes on the source run throughout: inserts, updates (some of the key), deletes.
    let writer_url = maria_url.clone();
    let writer = tokio::spawn(async move {
        let mut w = mysql_async::Conn::from_url(writer_url).await.unwrap();
        let mut rng = Rng(0x9e3779b97f4a7c15);
        let mut next = || rng.next();
        for tx in 0..240u64 {
            let mut stmts = Vec::new();
            for _ in 0..(1 + next() % 4) {
                let id = next() % 400;
                stmts.push(match next() % 5 {
                    0 | 1 => format!(
                        "INSERT INTO app.t VALUES ({id}, 'n{tx}', {}.{:02}, '2024-01-01 00:00:00.{:06}') \
                         ON DUPLICATE KEY UPDATE name = VALUES(name), amount = VALUES(amount)",
                        next() % 1000, next() % 100, next() % 1_000_000
                    ),
                    2 => format!("UPDATE app.t SET amount = amount + 1, name = 'u{tx}' WHERE id = {id}"),
                    3 => format!("UPDATE IGNORE app.t SET id = {} WHERE id = {id}", 400 + next() % 400),
                    _ => format!("DELETE FROM app.t WHERE id = {id}"),
                });
            }
            w.query_drop(format!("START TRANSACTION; {}; COMMIT", stmts.join("; ")))
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    });

    // Kill the pipeline process at random points while the writes go on.
    let worker = |idle: Option<u64>| {
        binlog_worker(
            env!("CARGO_BIN_EXE_binlog_worker"),
            WorkerSink::Mssql(&ado),
            &maria_url,
            log.path(),
            (&file, pos),
            idle,
        )
    };
    let kills = kill_repeatedly(|| worker(None), 4).await;
    writer.await.unwrap();
    assert!(kills >= 3, "the worker was killed mid-run");

    // A last run that drains to zero lag and stops.
    let out = worker(Some(3)).stderr(Stdio::piped()).output().unwrap();
    assert!(
        out.status.success(),
        "final run: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Row by row: MariaDB (the truth) against Babelfish.
    let mut s = MySqlVerifySide::connect(&maria_url, Role::Source)
        .await
        .unwrap();
    let mut spec = spec_from_catalog(&mut s, "app", "t", "dbo").await.unwrap();
    let mut t = MssqlVerifySide::new(
        sluice_mssql::connect(&MssqlConfig::from_ado(&ado).unwrap())
            .await
            .unwrap(),
        MsRole::Target,
        "babelfish",
    );
    // Registers the target's declared types (and checks the table exists there).
    let tspec = t
        .describe("dbo", "t", TableRef::new("app", "t"))
        .await
        .unwrap();
    assert_eq!(tspec.columns.len(), spec.columns.len());
    spec.target = TableRef::new("dbo", "t");
    let outcome = verify_table(&mut s, &mut t, &spec, &VerifyOptions::default())
        .await
        .unwrap();
    assert!(
        outcome.source_rows > 50,
        "the workload left rows: {}",
        outcome.source_rows
    );
    assert!(
        outcome.diffs.is_empty(),
        "differences after kill -9 and restart: {:?}",
        outcome.diffs
    );
    assert_eq!(outcome.source_rows, outcome.target_rows);
}
