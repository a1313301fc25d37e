//! Apply throughput of the OceanBase sink into a real seekdb versus a direct
//! multi-row INSERT of the same rows, measured in the same run.
//!
//! `cargo bench -p sluice-oceanbase --bench sink_throughput`
//! (`SLUICE_BENCH_ROWS`, default 200000; `SLUICE_BENCH_TX_ROWS`, rows per
//! source transaction, default 10; `SLUICE_BENCH_BATCH`, records per apply,
//! default 500 like the engine's default; `SLUICE_BENCH_LANES`, apply lanes,
//! default 1; `SLUICE_BENCH_SECONDARY_UNIQUE=1` adds `UNIQUE (name)`, which
//! moves the sink from upserts to DELETE + INSERT).
//!
//! Both sides send 1000-row statements and commit every `TX_ROWS × BATCH`
//! rows; the sink additionally locks/reads and writes its cursor per commit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::Sink;
use sluice_engine::position::SourcePosition;
use sluice_engine::value::{Date, DateTime, Decimal, Time, Value};
use sluice_oceanbase::encode::push_literal;
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink};
use sluice_testkit::SeekDb;

const DDL: &str = "(id BIGINT PRIMARY KEY, name VARCHAR(64), ward INT, admitted DATETIME(6), amount DECIMAL(12,2))";
const COLS: [&str; 5] = ["id", "name", "ward", "admitted", "amount"];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn row(id: i64, gen: u32) -> Vec<Value> {
    vec![
        Value::I64(id),
        Value::String(format!("patient {id} gen {gen}")),
        Value::I32((id % 40) as i32),
        Value::DateTime(DateTime {
            date: Date::from_ymd(2024, 1 + (id % 12) as u32, 1 + (id % 28) as u32).unwrap(),
            time: Time::from_hms_ticks((id % 24) as u32, 30, 15, 1_234_567).unwrap(),
        }),
        Value::Decimal(Decimal::new((id * 100 + gen as i64) as i128, 12, 2).unwrap()),
    ]
}

fn records(
    rows: &[Vec<Value>],
    op: fn(&[Value]) -> RowOp,
    tx_rows: usize,
    first_seq: u64,
) -> Vec<LogRecord> {
    let columns: Arc<[String]> = COLS
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .into();
    let key: Arc<[u16]> = vec![0u16].into();
    rows.chunks(tx_rows)
        .enumerate()
        .map(|(i, chunk)| {
            let seq = first_seq + i as u64;
            LogRecord {
                seq,
                tx: Transaction {
                    source_id: None,
                    position: SourcePosition::Counter(seq),
                    commit_time_us: 0,
                    changes: chunk
                        .iter()
                        .map(|r| {
                            Change::Row(ChangeEvent {
                                table: TableRef::new("dbo", "t_sink"),
                                columns: columns.clone(),
                                key: key.clone(),
                                op: op(r),
                            })
                        })
                        .collect(),
                },
            }
        })
        .collect()
}

async fn direct_insert(
    conn: &mut mysql_async::Conn,
    rows: &[Vec<Value>],
    commit_rows: usize,
    suffix: &str,
) -> Duration {
    let t0 = Instant::now();
    for commit in rows.chunks(commit_rows) {
        conn.query_drop("BEGIN").await.unwrap();
        for stmt in commit.chunks(1000) {
            let mut sql =
                String::from("INSERT INTO t_direct (id, name, ward, admitted, amount) VALUES ");
            for (i, r) in stmt.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for (j, v) in r.iter().enumerate() {
                    if j > 0 {
                        sql.push_str(", ");
                    }
                    push_literal(&mut sql, v).unwrap();
                }
                sql.push(')');
            }
            sql.push_str(suffix);
            conn.query_drop(sql).await.unwrap();
        }
        conn.query_drop("COMMIT").await.unwrap();
    }
    t0.elapsed()
}

async fn direct_delete(conn: &mut mysql_async::Conn, n: usize, commit_rows: usize) -> Duration {
    let t0 = Instant::now();
    let ids: Vec<usize> = (0..n).collect();
    for commit in ids.chunks(commit_rows) {
        conn.query_drop("BEGIN").await.unwrap();
        for stmt in commit.chunks(1000) {
            let list: Vec<String> = stmt.iter().map(|i| i.to_string()).collect();
            conn.query_drop(format!(
                "DELETE FROM t_direct WHERE id IN ({})",
                list.join(", ")
            ))
            .await
            .unwrap();
        }
        conn.query_drop("COMMIT").await.unwrap();
    }
    t0.elapsed()
}

async fn sink_apply(sink: &mut OceanBaseSink, recs: &[LogRecord], batch: usize) -> Duration {
    let t0 = Instant::now();
    for b in recs.chunks(batch) {
        sink.apply("bench", b).await.unwrap();
    }
    t0.elapsed()
}

const UPSERT: &str = " ON DUPLICATE KEY UPDATE name = VALUES(name), ward = VALUES(ward), \
                      admitted = VALUES(admitted), amount = VALUES(amount)";

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn rate(rows: usize, d: Duration) -> f64 {
    rows as f64 / d.as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = env("SLUICE_BENCH_ROWS", 200_000);
    let tx_rows = env("SLUICE_BENCH_TX_ROWS", 10).max(1);
    let batch = env("SLUICE_BENCH_BATCH", 500).max(1);
    let par = env("SLUICE_BENCH_PAR", 1).max(1);
    let server = SeekDb::start();
    println!("seekdb ready in {:?}", server.started_in());
    let db = server.fresh_database().await;
    let mut conn = mysql_async::Conn::from_url(&db.url).await.unwrap();
    conn.query_drop(
        "SET NAMES utf8mb4; SET time_zone = '+00:00'; SET ob_query_timeout = 600000000; \
                     SET sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES'",
    )
    .await
    .unwrap();
    let mut cfg = OceanBaseConfig::new(db.url.clone());
    cfg.max_rows_per_commit = tx_rows * batch;
    cfg.lanes = env("SLUICE_BENCH_LANES", 1).max(1);
    let mut sink = OceanBaseSink::connect(cfg).await.unwrap();
    let commit_rows = tx_rows * batch;
    println!("{n} rows, {tx_rows} rows per source transaction, {batch} records per apply ({commit_rows} rows per commit), {} lanes", sink.config().lanes);

    let rows: Vec<Vec<Value>> = (0..n as i64).map(|id| row(id, 0)).collect();
    let updated: Vec<Vec<Value>> = (0..n as i64).map(|id| row(id, 1)).collect();
    let mut seq = 1;
    let rounds = env("SLUICE_BENCH_ROUNDS", 4).max(1);
    let ddl = if env("SLUICE_BENCH_SECONDARY_UNIQUE", 0) == 1 {
        println!("table has UNIQUE (name) besides its primary key: sink applies DELETE + INSERT");
        format!(
            "{}, UNIQUE KEY uk_name (name))",
            DDL.strip_suffix(')').unwrap()
        )
    } else {
        DDL.to_string()
    };
    let (mut ds, mut us, mut ss) = (Vec::new(), Vec::new(), Vec::new());
    // Alternating order, so no side always meets a warmer (or busier) server.
    for round in 1..=rounds {
        for t in ["t_direct", "t_sink"] {
            conn.query_drop(format!("DROP TABLE IF EXISTS {t}"))
                .await
                .unwrap();
            conn.query_drop(format!("CREATE TABLE {t} {ddl}"))
                .await
                .unwrap();
        }
        let recs = records(&rows, |r| RowOp::Insert { after: r.to_vec() }, tx_rows, seq);
        seq += recs.len() as u64;
        let order: [u8; 3] = if round % 2 == 1 { [0, 1, 2] } else { [2, 1, 0] };
        let (mut d, mut du, mut s) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        for op in order {
            match op {
                0 => {
                    conn.query_drop("TRUNCATE TABLE t_direct").await.unwrap();
                    d = direct_insert(&mut conn, &rows, commit_rows, "").await;
                }
                1 => {
                    conn.query_drop("TRUNCATE TABLE t_direct").await.unwrap();
                    du = direct_insert(&mut conn, &rows, commit_rows, UPSERT).await;
                }
                _ => s = sink_apply(&mut sink, &recs, batch).await,
            }
        }
        if par > 1 {
            // What parallel apply lanes could gain on this machine: the same
            // rows split over `par` connections.
            conn.query_drop("TRUNCATE TABLE t_direct").await.unwrap();
            let t0 = Instant::now();
            let mut tasks = Vec::new();
            for part in rows.chunks(n.div_ceil(par)) {
                let part = part.to_vec();
                let url = db.url.clone();
                tasks.push(tokio::spawn(async move {
                    let mut c = mysql_async::Conn::from_url(&url).await.unwrap();
                    c.query_drop("SET ob_query_timeout = 600000000")
                        .await
                        .unwrap();
                    direct_insert(&mut c, &part, commit_rows, "").await
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            println!(
                "round {round} direct INSERT over {par} connections: {:.0} rows/s",
                rate(n, t0.elapsed())
            );
        }
        println!(
            "round {round} insert: direct {:>9.0} rows/s  direct upsert {:>9.0} rows/s  sink {:>9.0} rows/s  sink/direct {:.2}",
            rate(n, d),
            rate(n, du),
            rate(n, s),
            d.as_secs_f64() / s.as_secs_f64()
        );
        ds.push(d);
        us.push(du);
        ss.push(s);
    }
    let (med_direct, med_upsert, med_sink) = (median(&mut ds), median(&mut us), median(&mut ss));
    // Client-side cost alone: turning the records into SQL text.
    let recs = records(&rows, |r| RowOp::Insert { after: r.to_vec() }, tx_rows, 1);
    // The guards the sink builds for this table (primary key only: upserts).
    let mut guards = sluice_oceanbase::unique::Guards::new();
    guards.insert(
        db.name.clone(),
        "t_sink".into(),
        sluice_oceanbase::unique::TargetTable {
            unique: vec![sluice_oceanbase::unique::UniqueIndex {
                name: "PRIMARY".into(),
                columns: vec![Some("id".into())],
            }],
        },
    );
    let t0 = Instant::now();
    let st = sluice_oceanbase::plan::plan(
        &recs,
        &sluice_oceanbase::TableNaming::Database(db.name.clone()),
        sluice_oceanbase::plan::Limits {
            max_statement_bytes: 4 << 20,
            max_rows_per_statement: 1000,
        },
        sluice_oceanbase::plan::SchemaChanges::Stop,
        &guards,
    )
    .unwrap();
    println!(
        "planning alone: {:.2} µs/row ({} statements)",
        t0.elapsed().as_secs_f64() * 1e6 / n as f64,
        st.len()
    );
    let count: u64 = conn
        .query_first("SELECT COUNT(*) FROM t_sink")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(count as usize, n, "sink lost or duplicated rows");

    // Updates (same key: upserts of the new image) and deletes, sink only.
    let pairs: Vec<Vec<Value>> = rows
        .iter()
        .zip(&updated)
        .flat_map(|(b, a)| [b.clone(), a.clone()])
        .collect();
    let upd_recs: Vec<LogRecord> = {
        let mut recs = records(
            &updated,
            |r| RowOp::Insert { after: r.to_vec() },
            tx_rows,
            seq,
        );
        // Turn the inserts into updates with before images.
        let mut it = pairs.chunks(2);
        for r in &mut recs {
            for c in &mut r.tx.changes {
                if let Change::Row(ev) = c {
                    let p = it.next().unwrap();
                    ev.op = RowOp::Update {
                        before: p[0].clone(),
                        after: p[1].clone(),
                    };
                }
            }
        }
        recs
    };
    seq += upd_recs.len() as u64;
    // t_direct holds every row again for the direct update and delete.
    conn.query_drop("TRUNCATE TABLE t_direct").await.unwrap();
    direct_insert(&mut conn, &rows, commit_rows, "").await;
    let du = direct_insert(&mut conn, &updated, commit_rows, UPSERT).await;
    let u = sink_apply(&mut sink, &upd_recs, batch).await;
    let dd = direct_delete(&mut conn, n, commit_rows).await;
    let del_recs = records(
        &updated,
        |r| RowOp::Delete { before: r.to_vec() },
        tx_rows,
        seq,
    );
    let del = sink_apply(&mut sink, &del_recs, batch).await;
    let left: u64 = conn
        .query_first("SELECT COUNT(*) FROM t_sink")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left, 0);

    println!();
    println!("| operation | direct multi-row SQL | sink | sink / direct |");
    println!("|---|---|---|---|");
    println!(
        "| insert (median) | {:.0} rows/s | {:.0} rows/s | {:.0}% |",
        rate(n, med_direct),
        rate(n, med_sink),
        100.0 * med_direct.as_secs_f64() / med_sink.as_secs_f64()
    );
    println!(
        "| insert vs direct INSERT … ON DUPLICATE KEY UPDATE (median) | {:.0} rows/s | {:.0} rows/s | {:.0}% |",
        rate(n, med_upsert),
        rate(n, med_sink),
        100.0 * med_upsert.as_secs_f64() / med_sink.as_secs_f64()
    );
    println!(
        "| update vs INSERT … ON DUPLICATE KEY UPDATE of existing rows | {:.0} rows/s | {:.0} rows/s | {:.0}% |",
        rate(n, du),
        rate(n, u),
        100.0 * du.as_secs_f64() / u.as_secs_f64()
    );
    println!(
        "| delete vs DELETE … WHERE id IN (…) | {:.0} rows/s | {:.0} rows/s | {:.0}% |",
        rate(n, dd),
        rate(n, del),
        100.0 * dd.as_secs_f64() / del.as_secs_f64()
    );
    if let Some(pid) = server.pid() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            for l in status
                .lines()
                .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
            {
                println!("seekdb {l}");
            }
        }
    }
}
