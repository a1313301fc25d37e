//! Event log throughput against a raw sled baseline, measured in one run.
//!
//! `cargo bench -p sluice-engine --bench log_throughput`
//!
//! Workload: transactions of 10 row events, each row ~200 bytes of values
//! (5 columns: bigint key, int, two strings, a datetime). Durable append
//! flushes once per group (group commit); the baseline inserts the same
//! encoded bytes into a bare sled tree with the same flush cadence, so the
//! ratio shows what the log's framing, CRC, index and checkpoint cost.
//! Set `SLUICE_BENCH_EVENTS` to change the size (default 1,000,000 events).

use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use sluice_engine::log::{EventLog, GroupCommitter, LogOptions};
use sluice_engine::position::SourcePosition;
use sluice_engine::value::{Date, DateTime, Time, Value};

const EVENTS_PER_TX: usize = 10;
const TX_PER_GROUP: usize = 100;

fn workload(events: usize) -> Vec<Transaction> {
    let columns: Arc<[String]> = ["id", "qty", "drug", "note", "given_at"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let key: Arc<[u16]> = vec![0u16].into();
    let table = TableRef::new("dbo", "medication_admin");
    (0..events / EVENTS_PER_TX)
        .map(|t| Transaction {
            source_id: None,
            position: SourcePosition::Counter(t as u64 + 1),
            commit_time_us: 1_700_000_000_000_000 + t as i64,
            changes: (0..EVENTS_PER_TX)
                .map(|e| {
                    let id = (t * EVENTS_PER_TX + e) as i64;
                    Change::Row(ChangeEvent {
                        table: table.clone(),
                        columns: columns.clone(),
                        key: key.clone(),
                        op: RowOp::Insert {
                            after: vec![
                                Value::I64(id),
                                Value::I32(e as i32),
                                Value::String(format!("{:0>60}", id)),
                                Value::String(format!("{:x>100}", id)),
                                Value::DateTime(DateTime {
                                    date: Date { days: 738_000 },
                                    time: Time { ticks: id as u64 },
                                }),
                            ],
                        },
                    })
                })
                .collect(),
        })
        .collect()
}

struct Figure {
    name: &'static str,
    events: usize,
    bytes: u64,
    elapsed: Duration,
}

impl Figure {
    fn eps(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
    fn print(&self, baseline: Option<&Figure>) {
        let mbps = self.bytes as f64 / self.elapsed.as_secs_f64() / 1e6;
        let ratio = baseline
            .map(|b| format!("{:.2}x baseline", self.eps() / b.eps()))
            .unwrap_or_else(|| "baseline".into());
        println!(
            "{:<44} {:>12.0} events/s {:>8.1} MB/s  {:>7.3} s  {}",
            self.name,
            self.eps(),
            mbps,
            self.elapsed.as_secs_f64(),
            ratio
        );
    }
}

fn main() {
    let events: usize = std::env::var("SLUICE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let txs = workload(events);
    let events = txs.len() * EVENTS_PER_TX;
    let encoded: Vec<Vec<Vec<u8>>> = txs
        .iter()
        .map(|t| sluice_engine::log::record::encode(t, 1 << 20).unwrap())
        .collect();
    let bytes: u64 = encoded.iter().flatten().map(|f| f.len() as u64).sum();
    println!(
        "{} events in {} transactions, {:.1} MB encoded ({} bytes/event)\n",
        events,
        txs.len(),
        bytes as f64 / 1e6,
        bytes / events as u64
    );

    // Baseline: bare sled, same bytes, same keys shape, one batch + flush per group.
    let dir = tempfile::tempdir().unwrap();
    let db = sled::Config::new()
        .path(dir.path())
        .mode(sled::Mode::HighThroughput)
        .cache_capacity(256 << 20)
        .open()
        .unwrap();
    let start = Instant::now();
    for (g, group) in encoded.chunks(TX_PER_GROUP).enumerate() {
        let mut batch = sled::Batch::default();
        for (i, frags) in group.iter().enumerate() {
            let seq = (g * TX_PER_GROUP + i) as u64;
            batch.insert(&seq.to_be_bytes()[..], frags[0].as_slice());
        }
        db.apply_batch(batch).unwrap();
        db.flush().unwrap();
    }
    let base_append = Figure {
        name: "raw sled batch+flush (baseline)",
        events,
        bytes,
        elapsed: start.elapsed(),
    };
    let start = Instant::now();
    let mut n = 0;
    for kv in db.iter() {
        n += kv.unwrap().1.len();
    }
    assert!(n > 0);
    let base_read = Figure {
        name: "raw sled iterate (baseline)",
        events,
        bytes,
        elapsed: start.elapsed(),
    };
    drop(db);

    // EventLog::append, one durable append per group.
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::open(dir.path(), LogOptions::default()).unwrap();
    let start = Instant::now();
    for group in txs.chunks(TX_PER_GROUP) {
        log.append(group, true).unwrap();
    }
    let append = Figure {
        name: "EventLog::append durable (group of 100 tx)",
        events,
        bytes,
        elapsed: start.elapsed(),
    };
    let start = Instant::now();
    let mut seq = 1;
    let mut read_events = 0;
    loop {
        let recs = log.read_from(seq, 1000, 16 << 20).unwrap();
        let Some(last) = recs.last() else { break };
        seq = last.seq + 1;
        read_events += recs.iter().map(|r| r.tx.row_count()).sum::<usize>();
    }
    assert_eq!(read_events, events);
    let read = Figure {
        name: "EventLog::read_from (decode + CRC)",
        events,
        bytes,
        elapsed: start.elapsed(),
    };
    drop(log);

    // Group commit: 4 concurrent appenders of 10-tx batches share flushes.
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
    let committer = GroupCommitter::start(log.clone(), 1000);
    let per_thread: Vec<Vec<Transaction>> = (0..4)
        .map(|t| txs.iter().skip(t).step_by(4).cloned().collect())
        .collect();
    let start = Instant::now();
    std::thread::scope(|s| {
        for part in &per_thread {
            let c = committer.clone();
            s.spawn(move || {
                for chunk in part.chunks(10) {
                    c.append(chunk.to_vec()).unwrap();
                }
            });
        }
    });
    let group = Figure {
        name: "GroupCommitter, 4 appenders x 10 tx",
        events,
        bytes,
        elapsed: start.elapsed(),
    };
    assert_eq!(log.checkpoint().unwrap().last_seq as usize, txs.len());

    println!("append:");
    base_append.print(None);
    append.print(Some(&base_append));
    group.print(Some(&base_append));
    println!("read:");
    base_read.print(None);
    read.print(Some(&base_read));
    println!(
        "\ntargets: append >= 300000 events/s ({}), read >= 1000000 events/s ({})",
        if append.eps() >= 300_000.0 {
            "met"
        } else {
            "NOT met"
        },
        if read.eps() >= 1_000_000.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}
