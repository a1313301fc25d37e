//! MariaDB's ROW binlog -> event log -> seekdb (OceanBase), over several
//! tables and the common column types, with the pipeline process killed by
//! SIGKILL at random points while writes continue; then every table is
//! compared row by row: nothing lost, nothing applied twice.

use std::process::Stdio;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use sluice_engine::verify::{verify_table, VerifyOptions};
use sluice_oceanbase::verify::{spec_from_catalog, MySqlVerifySide, Role};
use sluice_testkit::{MariaDb, SeekDb};
use sluice_tests::{binlog_worker, kill_repeatedly, Rng, WorkerSink};

const TABLES: &[&str] = &[
    "CREATE TABLE patients (id BIGINT PRIMARY KEY, mrn CHAR(10), name VARCHAR(60), born DATE, \
     weight DECIMAL(6,2), active TINYINT(1), note TEXT)",
    "CREATE TABLE orders (id INT PRIMARY KEY, patient_id BIGINT, dose DOUBLE, given_at DATETIME(6), \
     at_time TIME(3), code VARBINARY(8), qty SMALLINT UNSIGNED)",
    "CREATE TABLE audit (who VARCHAR(20), what VARCHAR(40))",
];

fn statement(r: &mut Rng, tx: u64) -> String {
    let id = r.next() % 300;
    match r.next() % 9 {
        0 | 1 => format!(
            "INSERT INTO app.patients VALUES ({id}, 'M{id:06}', '患者 {tx} O''Brien', '19{:02}-0{}-1{}', {}.{:02}, {}, {}) \
             ON DUPLICATE KEY UPDATE name = VALUES(name), weight = VALUES(weight)",
            r.next() % 100, 1 + r.next() % 9, r.next() % 10, r.next() % 200, r.next() % 100, r.next() % 2,
            if r.next().is_multiple_of(3) { "NULL".to_string() } else { format!("'note {tx}'") }
        ),
        2 => format!("UPDATE app.patients SET weight = weight + 0.25, active = 1 - active WHERE id = {id}"),
        3 => format!("UPDATE IGNORE app.patients SET id = {} WHERE id = {id}", 300 + r.next() % 300),
        4 => format!("DELETE FROM app.patients WHERE id = {id}"),
        5 | 6 => format!(
            "INSERT INTO app.orders VALUES ({id}, {}, {}e-3, '2024-02-2{} 1{}:00:00.{:06}', '0{}:15:30.{:03}', X'{:04X}', {}) \
             ON DUPLICATE KEY UPDATE dose = VALUES(dose), qty = VALUES(qty)",
            r.next() % 300, r.next() % 100_000, r.next() % 9, r.next() % 10, r.next() % 1_000_000,
            r.next() % 10, r.next() % 1000, r.next() % 65536, r.next() % 65536
        ),
        7 => format!("DELETE FROM app.orders WHERE id = {id}"),
        _ => format!("INSERT INTO app.audit VALUES ('u{}', 'tx {tx}')", r.next() % 5),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binlog_to_seekdb_survives_kill_9_with_nothing_lost_or_doubled() {
    let maria = MariaDb::start();
    let target = SeekDb::shared().fresh_database().await;
    let mut m = mysql_async::Conn::from_url(maria.url()).await.unwrap();
    m.query_drop("CREATE DATABASE app CHARACTER SET utf8mb4")
        .await
        .unwrap();
    let mut t = mysql_async::Conn::from_url(&target.url).await.unwrap();
    for ddl in TABLES {
        m.query_drop(format!("USE app; {ddl}")).await.unwrap();
        t.query_drop(*ddl).await.unwrap();
    }
    let (file, pos): (String, u64) = {
        let row: mysql_async::Row = m.query_first("SHOW MASTER STATUS").await.unwrap().unwrap();
        (row.get(0).unwrap(), row.get(1).unwrap())
    };
    let log = tempfile::tempdir().unwrap();
    let maria_url = maria.url();

    let writer_url = maria_url.clone();
    let writer = tokio::spawn(async move {
        let mut w = mysql_async::Conn::from_url(writer_url).await.unwrap();
        let mut r = Rng(0x2545f4914f6cdd1d);
        for tx in 0..300u64 {
            let n = 1 + r.next() % 5;
            let stmts: Vec<String> = (0..n).map(|_| statement(&mut r, tx)).collect();
            w.query_drop(format!("START TRANSACTION; {}; COMMIT", stmts.join("; ")))
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });

    let worker = |idle: Option<u64>| {
        binlog_worker(
            env!("CARGO_BIN_EXE_binlog_worker"),
            WorkerSink::OceanBase(&target.url),
            &maria_url,
            log.path(),
            (&file, pos),
            idle,
        )
    };
    let kills = kill_repeatedly(|| worker(None), 4).await;
    writer.await.unwrap();
    assert!(kills >= 3, "the worker was killed mid-run");
    let out = worker(Some(3)).stderr(Stdio::piped()).output().unwrap();
    assert!(
        out.status.success(),
        "final run: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut s = MySqlVerifySide::connect(&maria_url, Role::Source)
        .await
        .unwrap();
    let mut d = MySqlVerifySide::connect(&target.url, Role::Target)
        .await
        .unwrap();
    let mut total = 0;
    for table in ["patients", "orders", "audit"] {
        let spec = spec_from_catalog(&mut s, "app", table, &target.name)
            .await
            .unwrap();
        let o = verify_table(&mut s, &mut d, &spec, &VerifyOptions::default())
            .await
            .unwrap();
        assert!(
            o.diffs.is_empty(),
            "{table} differs after kill -9 and restart: {:?}",
            o.diffs
        );
        assert_eq!(o.source_rows, o.target_rows, "{table}");
        total += o.source_rows;
    }
    assert!(total > 100, "the workload left rows: {total}");
}
