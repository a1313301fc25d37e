//! The engine's apply loop driving the OceanBase sink through a target outage.

use std::sync::Arc;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::{Apply, ApplyOptions, RetryPolicy, Sink};
use sluice_engine::testing::sample_transaction;
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink};
use sluice_testkit::SeekDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_outage_mid_run_converges_with_every_row_once() {
    let mut server = SeekDb::start();
    let db = server.fresh_database().await;
    let mut conn = mysql_async::Conn::from_url(&db.url).await.unwrap();
    conn.query_drop("CREATE TABLE `rows` (id BIGINT PRIMARY KEY, payload VARCHAR(100))")
        .await
        .unwrap();
    drop(conn);

    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
    // 400 source transactions of 5 rows: 2000 rows.
    let txs: Vec<_> = (1..=400).map(|i| sample_transaction(i, 5)).collect();
    log.append(&txs, true).unwrap();

    let mut cfg = OceanBaseConfig::new(db.url.clone());
    cfg.connect_timeout = Duration::from_secs(2);
    let options = ApplyOptions {
        batch_records: 20,
        retry: RetryPolicy {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(500),
            max_attempts: None,
        },
        ..ApplyOptions::default()
    };
    let mut apply = Apply::new(OceanBaseSink::new(cfg.clone()), log.clone(), "fwd", options);
    // Apply a few batches, then take the target away while apply runs.
    for _ in 0..5 {
        assert!(apply.step().await.unwrap() > 0);
    }
    server.stop(true).unwrap();
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        server.restart().unwrap();
        server
    });
    let mut applied = 0;
    loop {
        let n = apply
            .step()
            .await
            .expect("retryable errors are retried, not returned");
        if n == 0 {
            break;
        }
        applied += n;
    }
    let server = restarter.join().unwrap();
    assert_eq!(applied, 300);
    assert!(
        apply.sink_mut().stats().connects >= 2,
        "the sink reconnected"
    );

    let mut conn = mysql_async::Conn::from_url(&db.url).await.unwrap();
    let (count, distinct): (u64, u64) = conn
        .query_first("SELECT COUNT(*), COUNT(DISTINCT id) FROM `rows`")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((count, distinct), (2000, 2000));
    let mut fresh = OceanBaseSink::new(cfg);
    assert_eq!(fresh.read_cursor("fwd").await.unwrap().unwrap().seq, 400);
    drop(server);
}
