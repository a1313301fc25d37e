//! A reverse pipeline (MySQL-protocol binlog -> SQL Server) as its own
//! process, so tests can kill it with SIGKILL at any moment.
//!
//! `reverse_worker MYSQL_URL ADO LOG_DIR START_FILE START_POS [IDLE_EXIT_SECS]`
//!
//! Tables of the binlog's database land in `dbo` of the ADO string's
//! database. With IDLE_EXIT_SECS the worker stops cleanly once nothing has
//! been captured or applied for that long; otherwise it runs until killed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_engine::event::TableRef;
use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::{Pipeline, PipelineOptions};
use sluice_engine::position::BinlogPosition;
use sluice_mssql::{MssqlConfig, MssqlSink};
use sluice_oceanbase::binlog::{BinlogConfig, BinlogSource, StartAt};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 6 {
        eprintln!(
            "usage: reverse_worker MYSQL_URL ADO LOG_DIR START_FILE START_POS [IDLE_EXIT_SECS]"
        );
        std::process::exit(2);
    }
    let idle_exit = a
        .get(6)
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs);
    let log = Arc::new(EventLog::open(&a[3], LogOptions::default()).expect("open log"));
    let mut cfg = BinlogConfig::new(a[1].clone(), 4242);
    cfg.start = StartAt::Position(BinlogPosition {
        file: a[4].clone(),
        offset: a[5].parse().expect("start offset"),
        gtid_set: None,
    });
    cfg.heartbeat = Duration::from_millis(300);
    let sink = MssqlSink::new(MssqlConfig::from_ado(&a[2]).expect("ADO string")).with_table_mapper(
        Arc::new(|t: &TableRef| TableRef::new("dbo", t.name.clone())),
    );
    let mut opts = PipelineOptions::default();
    opts.apply.batch_records = 50;
    let mut p = Pipeline::new("reverse", BinlogSource::new(cfg), sink, log.clone(), opts);
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    if let Some(idle) = idle_exit {
        let log = log.clone();
        tokio::spawn(async move {
            let mut last = (u64::MAX, None);
            let mut since = Instant::now();
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let seq = log.checkpoint().map(|c| c.last_seq).unwrap_or(0);
                let cur = log.cursor_hints().ok().and_then(|h| {
                    h.into_iter()
                        .find(|(n, _)| n == "reverse")
                        .map(|(_, c)| c.seq)
                });
                let now = (seq, cur);
                if now != last || cur.unwrap_or(0) < seq {
                    last = now;
                    since = Instant::now();
                } else if since.elapsed() >= idle {
                    let _ = stop_tx.send(true);
                    return;
                }
            }
        });
    }
    if let Err(e) = p.run(stop).await {
        eprintln!("reverse pipeline failed: {e}");
        std::process::exit(1);
    }
}
