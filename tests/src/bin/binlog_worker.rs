//! A pipeline from a MySQL-protocol binlog into SQL Server or OceanBase, as
//! its own process, so tests can kill it with SIGKILL at any moment.
//!
//! `binlog_worker mssql ADO MYSQL_URL LOG_DIR START_FILE START_POS [IDLE_EXIT_SECS]`
//! `binlog_worker oceanbase MYSQL_TARGET_URL/DB MYSQL_URL LOG_DIR START_FILE START_POS [IDLE_EXIT_SECS]`
//!
//! SQL Server: tables land in `dbo` of the ADO string's database.
//! OceanBase: tables land in the database named by the target URL's path.
//! With IDLE_EXIT_SECS the worker stops cleanly once nothing has been
//! captured or applied for that long; otherwise it runs until killed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_engine::event::TableRef;
use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::{Pipeline, PipelineOptions, Sink};
use sluice_engine::position::BinlogPosition;
use sluice_mssql::{MssqlConfig, MssqlSink};
use sluice_oceanbase::binlog::{BinlogConfig, BinlogSource, StartAt};
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 7 {
        eprintln!("usage: binlog_worker mssql|oceanbase TARGET MYSQL_URL LOG_DIR START_FILE START_POS [IDLE_EXIT_SECS]");
        std::process::exit(2);
    }
    let idle_exit = a
        .get(7)
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs);
    let mut cfg = BinlogConfig::new(a[3].clone(), 4242);
    cfg.start = StartAt::Position(BinlogPosition {
        file: a[5].clone(),
        offset: a[6].parse().expect("start offset"),
        gtid_set: None,
    });
    cfg.heartbeat = Duration::from_millis(300);
    let source = BinlogSource::new(cfg);
    match a[1].as_str() {
        "mssql" => {
            let sink = MssqlSink::new(MssqlConfig::from_ado(&a[2]).expect("ADO string"))
                .with_table_mapper(Arc::new(|t: &TableRef| {
                    TableRef::new("dbo", t.name.clone())
                }));
            run(source, sink, &a[4], idle_exit).await
        }
        "oceanbase" => {
            run(
                source,
                OceanBaseSink::new(OceanBaseConfig::new(&a[2])),
                &a[4],
                idle_exit,
            )
            .await
        }
        other => {
            eprintln!("unknown sink {other}");
            std::process::exit(2);
        }
    }
}

async fn run<K: Sink>(source: BinlogSource, sink: K, log_dir: &str, idle_exit: Option<Duration>) {
    let log = Arc::new(EventLog::open(log_dir, LogOptions::default()).expect("open log"));
    let mut opts = PipelineOptions::default();
    opts.apply.batch_records = 50;
    let mut p = Pipeline::new("binlog", source, sink, log.clone(), opts);
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
                        .find(|(n, _)| n == "binlog")
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
        eprintln!("pipeline failed: {e}");
        std::process::exit(1);
    }
}
