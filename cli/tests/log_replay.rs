//! `sluice log replay` re-applies retained records to a real seekdb.

use std::process::Command;

use mysql_async::prelude::Queryable;
use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::testing::sample_transaction;
use sluice_testkit::SeekDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_restores_rows_a_target_lost() {
    let db = SeekDb::shared().fresh_database().await;
    let mut c = mysql_async::Conn::from_url(&db.url).await.unwrap();
    c.query_drop("CREATE TABLE `rows` (id BIGINT PRIMARY KEY, payload VARCHAR(100))")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    {
        let log = EventLog::open(dir.path(), LogOptions::default()).unwrap();
        let txs: Vec<_> = (1..=5).map(|i| sample_transaction(i, 3)).collect();
        log.append(&txs, true).unwrap();
    }
    let target = format!("mysql://root@127.0.0.1:{}", db.port);
    let replay = |from: &str| {
        Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args([
                "log",
                "replay",
                "--log-dir",
                dir.path().to_str().unwrap(),
                "--from",
                from,
                "--target",
                &target,
                "--database",
                &db.name,
            ])
            .output()
            .unwrap()
    };
    let out = replay("1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n: i64 = c
        .query_first("SELECT COUNT(*) FROM `rows`")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 15);

    // The target loses rows; a replay from record 3 brings back exactly those of 3..=5.
    c.query_drop("DELETE FROM `rows`").await.unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100)); // a new default cursor name
    let out = replay("3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("replayed 3 records (3..=5)"));
    let n: i64 = c
        .query_first("SELECT COUNT(*) FROM `rows`")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 9);

    let out = replay("9");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("record 9 is not in the log"));
}
