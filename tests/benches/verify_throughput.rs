//! `sluice verify` throughput on a real MariaDB -> seekdb table pair, against
//! a naive full scan-and-compare baseline in the same run, and against
//! `data-diff` when it is installed (`pip install "data-diff[mysql]"`).
//!
//! `cargo bench -p sluice-tests --bench verify_throughput`
//! (`SLUICE_BENCH_ROWS`, default 1,000,000).

use std::process::Command;
use std::time::Instant;

use mysql_async::prelude::Queryable;
use sluice_engine::verify::compare::diff_rows;
use sluice_engine::verify::{verify_table, KeyRange, VerifyOptions, VerifySide};
use sluice_oceanbase::verify::{spec_from_catalog, MySqlVerifySide, Role};
use sluice_testkit::{MariaDb, SeekDb};

const DDL: &str = "CREATE TABLE big (id BIGINT PRIMARY KEY, a INT, b VARCHAR(40), c DECIMAL(12,2), d DATETIME(6))";

async fn load(url: &str, rows: u64) {
    let mut c = mysql_async::Conn::from_url(url).await.unwrap();
    c.query_drop("SET time_zone = '+00:00'").await.unwrap();
    c.query_drop(DDL).await.unwrap();
    c.query_drop("CREATE TABLE n1000 (n INT PRIMARY KEY)")
        .await
        .unwrap();
    let vals: Vec<String> = (0..1000).map(|i| format!("({i})")).collect();
    c.query_drop(format!("INSERT INTO n1000 VALUES {}", vals.join(",")))
        .await
        .unwrap();
    // Same deterministic expressions on both servers; loaded in slices to keep transactions small.
    let per = 1_000_000u64;
    for base in (0..rows).step_by(per as usize) {
        c.query_drop(format!(
            "INSERT INTO big SELECT {base} + x.n * 1000 + y.n AS id, (x.n * 1000 + y.n) % 977, \
             CONCAT('patient ', {base} + x.n * 1000 + y.n), ({base} + x.n * 1000 + y.n) * 0.01, \
             DATE_ADD('2024-01-01 00:00:00', INTERVAL ({base} + x.n * 1000 + y.n) SECOND) \
             FROM n1000 x, n1000 y WHERE {base} + x.n * 1000 + y.n < {rows}"
        ))
        .await
        .unwrap();
    }
}

fn rate(rows: u64, secs: f64) -> String {
    format!("{:>10.0} rows/s  {:>7.2} s", rows as f64 / secs, secs)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rows: u64 = std::env::var("SLUICE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let maria = MariaDb::start();
    let seek = SeekDb::start();
    let mut admin = mysql_async::Conn::from_url(maria.url()).await.unwrap();
    admin.query_drop("CREATE DATABASE src").await.unwrap();
    let mut admin2 = mysql_async::Conn::from_url(seek.url()).await.unwrap();
    admin2.query_drop("CREATE DATABASE dst").await.unwrap();
    let (src, dst) = (maria.url_for("src"), seek.url_for("dst"));
    let t = Instant::now();
    tokio::join!(load(&src, rows), load(&dst, rows));
    println!(
        "loaded {rows} rows into MariaDB and seekdb in {:.1} s\n",
        t.elapsed().as_secs_f64()
    );

    let mut s = MySqlVerifySide::connect(&src, Role::Source).await.unwrap();
    let mut d = MySqlVerifySide::connect(&dst, Role::Target).await.unwrap();
    let spec = spec_from_catalog(&mut s, "src", "big", "dst")
        .await
        .unwrap();
    let opts = VerifyOptions::default();

    // Cost of one small-range digest on each side (index range scan expected).
    let small = KeyRange {
        lo: Some(vec![sluice_engine::value::Value::I64(5000)]),
        hi: Some(vec![sluice_engine::value::Value::I64(7000)]),
    };
    for (name, side) in [
        ("MariaDB", &mut s as &mut MySqlVerifySide),
        ("seekdb", &mut d),
    ] {
        let t = Instant::now();
        for _ in 0..10 {
            side.digest(&spec, &small).await.unwrap();
        }
        println!(
            "  2,000-row digest on {name}: {:.1} ms",
            t.elapsed().as_secs_f64() * 100.0
        );
        let t = Instant::now();
        for _ in 0..10 {
            side.count(&spec, &small).await.unwrap();
        }
        println!(
            "  2,000-row count on {name}: {:.1} ms",
            t.elapsed().as_secs_f64() * 100.0
        );
    }

    // sluice verify on a clean pair: one digest per side.
    let t = Instant::now();
    let out = verify_table(&mut s, &mut d, &spec, &opts).await.unwrap();
    let clean_secs = t.elapsed().as_secs_f64();
    assert!(out.is_clean() && out.source_rows == rows);

    // The same with 20 scattered differences: digests, bisection, row diffs.
    let mut c = mysql_async::Conn::from_url(&dst).await.unwrap();
    for i in 0..20u64 {
        let id = (i * 7919 * 131) % rows;
        c.query_drop(format!("UPDATE big SET a = a + 1 WHERE id = {id}"))
            .await
            .unwrap();
    }
    let t = Instant::now();
    let out = verify_table(&mut s, &mut d, &spec, &opts).await.unwrap();
    let diff_secs = t.elapsed().as_secs_f64();
    assert_eq!(out.diffs.len(), 20);

    // Row-by-row chunks, no digests.
    let rows_opts = VerifyOptions {
        rows_only: true,
        ..VerifyOptions::default()
    };
    let t = Instant::now();
    let out_rows = verify_table(&mut s, &mut d, &spec, &rows_opts)
        .await
        .unwrap();
    let rows_secs = t.elapsed().as_secs_f64();
    assert_eq!(out_rows.diffs.len(), 20);

    // Naive baseline: read every row from both sides (concurrently) and compare them all.
    let t = Instant::now();
    let all = KeyRange::all();
    let (a, b) = tokio::join!(s.rows(&spec, &all), d.rows(&spec, &all));
    let (a, b) = (a.unwrap(), b.unwrap());
    let naive = diff_rows(&spec, a, b).unwrap();
    let naive_secs = t.elapsed().as_secs_f64();
    assert_eq!(naive.len(), 20, "the baseline finds the same differences");

    println!("verify, {rows}-row table pair (MariaDB 10.11 -> seekdb 4.3.5, same host)");
    println!(
        "  naive full scan + compare (baseline)   {}",
        rate(rows, naive_secs)
    );
    println!(
        "  sluice verify, clean pair              {}  {:.1}x baseline",
        rate(rows, clean_secs),
        naive_secs / clean_secs
    );
    println!(
        "  sluice verify, 20 differences          {}  {:.1}x baseline ({} digests, {} leaf ranges)",
        rate(rows, diff_secs),
        naive_secs / diff_secs,
        out.digests_compared,
        out.leaf_ranges
    );

    println!(
        "  sluice verify --rows-only, 20 diffs    {}  {:.1}x baseline",
        rate(rows, rows_secs),
        naive_secs / rows_secs
    );
    match Command::new("data-diff").arg("--version").output() {
        Ok(o) if o.status.success() => {
            let t = Instant::now();
            let r = Command::new("data-diff")
                .args([
                    &format!("{}/src", maria.url()),
                    "big",
                    &format!("{}/dst", seek.url()),
                    "big",
                    "-k",
                    "id",
                    "-c",
                    "a",
                    "-c",
                    "b",
                    "-c",
                    "c",
                    "-c",
                    "d",
                    "-j",
                    "2",
                ])
                .output()
                .unwrap();
            let secs = t.elapsed().as_secs_f64();
            let found = String::from_utf8_lossy(&r.stdout)
                .lines()
                .filter(|l| l.starts_with('-') || l.starts_with('+'))
                .count();
            println!(
                "  data-diff (hashdiff), 20 differences   {}  (reported {found} lines, exit {}){}",
                rate(rows, secs),
                r.status.code().unwrap_or(-1),
                if r.status.success() {
                    String::new()
                } else {
                    format!(
                        ": {}",
                        String::from_utf8_lossy(&r.stderr)
                            .lines()
                            .last()
                            .unwrap_or("")
                    )
                }
            );
        }
        _ => println!("  data-diff: not installed (pip install \"data-diff[mysql]\"), skipped"),
    }
}
