//! Binlog decode rate: sluice versus `mysqlbinlog --verbose
//! --base64-output=decode-rows`, on the same real MariaDB binlog in the same
//! run. Run with `cargo bench -p sluice-oceanbase --bench binlog_decode`
//! (`BINLOG_BENCH_ROWS` sets the row-change count, default 600,000).
//!
//! Three figures:
//! - `mysqlbinlog`: decodes the file to text (output to /dev/null).
//! - `sluice file`: decodes the same file into `Transaction`s (no log).
//! - `sluice capture`: `BinlogSource` over the replication protocol from the
//!   live server into the durable sled event log (`Capture`, group commit
//!   with flush): what reverse sync really does.
//!
//! Figures (2026-11-25, 2 shared cores, MariaDB 10.11, 600,000 row changes,
//! 73.7 MB binlog; two runs under different machine load):
//!
//! | reader | run 1 rows/s | run 2 rows/s |
//! | --- | --- | --- |
//! | mysqlbinlog --verbose --base64-output=decode-rows | 205,657 | 379,504 |
//! | sluice file decode | 813,741 (3.96x) | 1,393,104 (3.67x) |
//! | sluice capture, stream -> durable log | 400,232 (1.95x) | 520,651 (1.37x) |

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use mysql_async::prelude::*;
use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::{Capture, CaptureOptions};
use sluice_engine::position::BinlogPosition;
use sluice_oceanbase::binlog::file::read_transactions;
use sluice_oceanbase::binlog::{BinlogConfig, BinlogSource, StartAt};
use sluice_testkit::MariaDb;

fn rate(rows: u64, secs: f64) -> String {
    format!(
        "{:>10.0} rows/s ({rows} rows in {secs:.2} s)",
        rows as f64 / secs
    )
}

#[tokio::main]
async fn main() {
    // `cargo test --benches` runs bench binaries with no arguments as a smoke
    // check; only `cargo bench` (which passes --bench) does the real thing.
    if !std::env::args().any(|a| a == "--bench") {
        println!("binlog_decode: skipped (run with cargo bench)");
        return;
    }
    let total: u64 = std::env::var("BINLOG_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600_000);
    let db = MariaDb::start();
    let mut c = mysql_async::Conn::from_url(db.url()).await.unwrap();
    c.query_drop("SET SESSION max_recursive_iterations = 10000000")
        .await
        .unwrap();
    c.query_drop("CREATE DATABASE app CHARACTER SET utf8mb4")
        .await
        .unwrap();
    c.query_drop(
        "CREATE TABLE app.orders (id INT PRIMARY KEY, customer BIGINT, note VARCHAR(64),
            amount DECIMAL(12,2), placed DATETIME(6), score DOUBLE, flags TINYINT UNSIGNED,
            body TEXT)",
    )
    .await
    .unwrap();
    let from_row: mysql_async::Row = c.query_first("SHOW MASTER STATUS").await.unwrap().unwrap();
    let file: String = from_row.get(0).unwrap();
    let start: u64 = from_row.get(1).unwrap();

    // Workload: half inserts, a third updates, the rest deletes, in
    // transactions of 1,000 rows, plus 2,000 single-row transactions.
    let t0 = Instant::now();
    let inserts = total / 2;
    let updates = total / 3;
    let singles = 2_000u64;
    let deletes = total - inserts - updates - singles;
    let chunk = 1_000u64;
    let mut lo = 1;
    while lo <= inserts {
        let hi = (lo + chunk - 1).min(inserts);
        c.query_drop(format!(
            "INSERT INTO app.orders WITH RECURSIVE s(n) AS (SELECT {lo} UNION ALL SELECT n + 1 FROM s WHERE n < {hi})
             SELECT n, n * 7, CONCAT('order ', n), n / 100, TIMESTAMP'2024-01-01 00:00:00' + INTERVAL n SECOND,
                    n / 3, n % 256, REPEAT('x', 40) FROM s"
        ))
        .await
        .unwrap();
        lo = hi + 1;
    }
    let mut lo = 1;
    while lo <= updates {
        let hi = (lo + chunk - 1).min(updates);
        c.query_drop(format!(
            "UPDATE app.orders SET amount = amount + 1, note = 'updated' WHERE id BETWEEN {lo} AND {hi}"
        ))
        .await
        .unwrap();
        lo = hi + 1;
    }
    for i in 0..singles {
        c.query_drop(format!(
            "UPDATE app.orders SET score = score + 1 WHERE id = {}",
            i + 1
        ))
        .await
        .unwrap();
    }
    let mut lo = inserts - deletes + 1;
    while lo <= inserts {
        let hi = (lo + chunk - 1).min(inserts);
        c.query_drop(format!(
            "DELETE FROM app.orders WHERE id BETWEEN {lo} AND {hi}"
        ))
        .await
        .unwrap();
        lo = hi + 1;
    }
    let end_row: mysql_async::Row = c.query_first("SHOW MASTER STATUS").await.unwrap().unwrap();
    let end: u64 = end_row.get(1).unwrap();
    assert_eq!(
        end_row.get::<String, _>(0).unwrap(),
        file,
        "workload spans one file"
    );
    c.query_drop("FLUSH BINARY LOGS").await.unwrap();
    let path = db.binlog_dir().join(&file);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "workload: {total} row changes ({inserts} inserts, {updates}+{singles} updates, {deletes} deletes) \
         in {:.1} s; binlog {file} {:.1} MB",
        t0.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );

    // mysqlbinlog.
    let t = Instant::now();
    let status = Command::new("mysqlbinlog")
        .args(["--verbose", "--base64-output=decode-rows"])
        .arg(&path)
        .stdout(Stdio::null())
        .status()
        .expect("mysqlbinlog (Debian package mariadb-client) must be installed");
    assert!(status.success());
    let mysqlbinlog_s = t.elapsed().as_secs_f64();
    println!(
        "mysqlbinlog --verbose --base64-output=decode-rows: {}",
        rate(total, mysqlbinlog_s)
    );

    // sluice, file decode only.
    let t = Instant::now();
    let mut rows = 0u64;
    read_transactions(&path, |tx| rows += tx.row_count() as u64).unwrap();
    let file_s = t.elapsed().as_secs_f64();
    assert_eq!(rows, total, "every row change decoded");
    println!(
        "sluice file decode:                                {}",
        rate(rows, file_s)
    );

    // sluice, live stream into the durable log.
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
    let mut cfg = BinlogConfig::new(db.url(), db.server_id() + 11);
    cfg.start = StartAt::Position(BinlogPosition {
        file: file.clone(),
        offset: start,
        gtid_set: None,
    });
    cfg.stop_at = Some(BinlogPosition {
        file: file.clone(),
        offset: end,
        gtid_set: None,
    });
    let source = BinlogSource::new(cfg);
    let mut capture = Capture::new(source, log.clone(), CaptureOptions::default());
    let t = Instant::now();
    loop {
        let step = capture.step().await.unwrap();
        if step.ended {
            break;
        }
    }
    log.flush().unwrap();
    let capture_s = t.elapsed().as_secs_f64();
    let captured = capture.source_mut().stats().rows;
    assert_eq!(captured, total, "every row change captured");
    println!(
        "sluice capture (stream -> durable log):            {}",
        rate(captured, capture_s)
    );
    println!(
        "ratio vs mysqlbinlog: file decode {:.2}x, capture {:.2}x",
        mysqlbinlog_s / file_s,
        mysqlbinlog_s / capture_s
    );
}
