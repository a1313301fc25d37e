//! kill -9 during apply loses and doubles nothing (issue 10).
//!
//! A child process (this test binary, re-run on one helper test) applies
//! log records one transaction at a time to a table *without* a key, where
//! an insert applied twice would leave a duplicate row and a lost one a gap.
//! The parent kills it with SIGKILL at arbitrary points, resumes from the
//! cursor the target holds, and finally checks every row is there exactly once.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::Sink;
use sluice_engine::position::SourcePosition;
use sluice_engine::value::Value;
use sluice_mssql::catalog::{int_of, query};
use sluice_mssql::{MssqlConfig, MssqlSink};

const RECORDS: u64 = 200;
const ROWS_PER_RECORD: i32 = 3;
const CHILD_DB: &str = "SLUICE_SINK_KILL_CHILD_DB";

fn record(seq: u64) -> LogRecord {
    let changes = (0..ROWS_PER_RECORD)
        .map(|k| {
            Change::Row(ChangeEvent {
                table: TableRef::new("dbo", "audit"),
                columns: Arc::from(vec!["seq".to_string(), "k".to_string(), "note".to_string()]),
                key: Arc::from(vec![0u16, 1, 2]),
                op: RowOp::Insert {
                    after: vec![
                        Value::I64(seq as i64),
                        Value::I32(k),
                        Value::String(format!("r{seq}.{k}")),
                    ],
                },
            })
        })
        .collect();
    LogRecord {
        seq,
        tx: Transaction {
            source_id: None,
            position: SourcePosition::Counter(seq),
            commit_time_us: 0,
            changes,
        },
    }
}

async fn apply_from_cursor(db: &MssqlConfig, limit: u64) {
    let mut sink = MssqlSink::new(db.clone());
    let start = sink
        .read_cursor("kill")
        .await
        .unwrap()
        .map_or(1, |c| c.seq + 1);
    for seq in start..=limit {
        sink.apply("kill", &[record(seq)]).await.unwrap();
    }
}

/// Helper run by the parent in a child process; does nothing in a normal test run.
#[tokio::test]
async fn zz_child_applier_for_kill_test() {
    let Ok(db) = std::env::var(CHILD_DB) else {
        return;
    };
    let base = MssqlConfig::from_ado(&std::env::var("SLUICE_BABELFISH_URL").unwrap()).unwrap();
    apply_from_cursor(&base.with_database(db), RECORDS).await;
}

fn spawn_child(db: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "zz_child_applier_for_kill_test",
            "--exact",
            "--test-threads=1",
        ])
        .env(CHILD_DB, db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child")
}

#[tokio::test]
async fn kill_9_during_apply_loses_and_doubles_nothing() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "kill").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.audit (seq bigint NOT NULL, k int NOT NULL, note nvarchar(20) NULL)",
    )
    .await;
    let name = db.database().unwrap().to_string();
    let mut probe = MssqlSink::new(db.clone());
    for round in 1..=4u64 {
        let mut child = spawn_child(&name);
        // Kill at a different point each round, once the child is well into applying.
        let target = round * 30 + round * round * 3;
        let (mut last_seq, mut last_progress) = (u64::MAX, Instant::now());
        loop {
            let seq = probe
                .read_cursor("kill")
                .await
                .unwrap()
                .map_or(0, |c| c.seq);
            if seq >= target {
                break;
            }
            if seq != last_seq {
                (last_seq, last_progress) = (seq, Instant::now());
            }
            // Generous: the machine is shared, but a stuck child must not hang the suite.
            assert!(
                last_progress.elapsed() < Duration::from_secs(120),
                "child made no progress past {seq}"
            );
            tokio::time::sleep(Duration::from_millis(5 + round * 7)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
    }
    apply_from_cursor(&db, RECORDS).await;
    let r = query(
        &mut c,
        "check",
        "SELECT COUNT_BIG(*), COUNT_BIG(DISTINCT CONCAT(seq, '.', k)), MIN(seq), MAX(seq) FROM dbo.audit",
    )
    .await
    .unwrap();
    let got: Vec<i64> = r[0].iter().map(int_of).collect();
    let n = RECORDS as i64 * ROWS_PER_RECORD as i64;
    assert_eq!(
        got,
        vec![n, n, 1, RECORDS as i64],
        "[rows, distinct rows, min seq, max seq]"
    );
    assert_eq!(
        probe.read_cursor("kill").await.unwrap().unwrap().seq,
        RECORDS
    );
}
