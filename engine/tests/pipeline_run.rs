//! The long-running driver: capture and apply together, stop, backpressure.

use std::sync::{Arc, Mutex};

use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::{Pipeline, PipelineOptions, Sink};
use sluice_engine::testing::{sample_transaction, MemorySink, MemoryTarget, ScriptSource};

fn workload(n: u64) -> Vec<sluice_engine::event::Transaction> {
    (1..=n).map(|i| sample_transaction(i, 3)).collect()
}

#[tokio::test]
async fn a_finite_source_is_applied_completely_then_run_returns() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
    let target = Arc::new(Mutex::new(MemoryTarget::default()));
    let mut p = Pipeline::new(
        "fwd",
        ScriptSource::new(workload(500)),
        MemorySink::new(target.clone()),
        log.clone(),
        PipelineOptions::default(),
    );
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    p.run(stop).await.unwrap();
    let t = target.lock().unwrap();
    assert_eq!(t.applied, (1..=500).collect::<Vec<_>>());
    assert_eq!(t.tables.values().map(|r| r.len()).sum::<usize>(), 1500);
    let status = p.status(0).unwrap();
    assert_eq!(
        (status.last_seq, status.cursor_seq, status.lag_records),
        (500, Some(500), 0)
    );
}

#[tokio::test]
async fn a_restarted_pipeline_continues_where_the_target_says() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
    let target = Arc::new(Mutex::new(MemoryTarget::default()));
    let txs = workload(50);
    // First run: capture everything, apply only part (the sink "dies").
    {
        let mut opts = PipelineOptions::default();
        opts.apply.batch_records = 10;
        let mut p = Pipeline::new(
            "fwd",
            ScriptSource::new(txs.clone()),
            MemorySink::new(target.clone()),
            log.clone(),
            opts,
        );
        while !p.capture_mut().step().await.unwrap().ended {}
        p.apply_mut().step().await.unwrap();
    }
    let applied_before = target.lock().unwrap().applied.len();
    assert!(applied_before > 0 && applied_before < 50);
    // Second run from a fresh process: same log, same target.
    let mut p = Pipeline::new(
        "fwd",
        ScriptSource::new(txs),
        MemorySink::new(target.clone()),
        log.clone(),
        PipelineOptions::default(),
    );
    let (_tx, stop) = tokio::sync::watch::channel(false);
    p.run(stop).await.unwrap();
    assert_eq!(target.lock().unwrap().applied, (1..=50).collect::<Vec<_>>());
}

/// A sink that never finishes does not hold capture back: the log keeps
/// filling from the source, and stop ends the run.
#[tokio::test]
async fn a_stuck_sink_does_not_stop_capture_and_stop_ends_the_run() {
    struct StuckSink;
    impl Sink for StuckSink {
        async fn read_cursor(
            &mut self,
            _: &str,
        ) -> sluice_engine::Result<Option<sluice_engine::pipeline::ApplyCursor>> {
            Ok(None)
        }
        async fn apply(
            &mut self,
            _: &str,
            _: &[sluice_engine::log::LogRecord],
        ) -> sluice_engine::Result<sluice_engine::pipeline::ApplyCursor> {
            std::future::pending().await
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
    let mut p = Pipeline::new(
        "fwd",
        ScriptSource::new(workload(2000)),
        StuckSink,
        log.clone(),
        PipelineOptions {
            stop_grace: std::time::Duration::from_millis(100),
            ..PipelineOptions::default()
        },
    );
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut appended = log.subscribe();
    let stopper = tokio::spawn(async move {
        while *appended.borrow_and_update() < 2000 {
            appended.changed().await.unwrap();
        }
        stop_tx.send(true).unwrap();
    });
    tokio::time::timeout(std::time::Duration::from_secs(30), p.run(stop))
        .await
        .expect("stop must end the run even with the sink stuck")
        .unwrap();
    stopper.await.unwrap();
    assert_eq!(log.checkpoint().unwrap().last_seq, 2000);
}
