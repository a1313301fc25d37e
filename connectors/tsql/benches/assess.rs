//! Parse + convert + report over a generated script of 10,000 tables and
//! 5,000 routines (target: under 10 s and 1 GiB on the 2-core dev machine).
//!
//! `cargo bench -p sluice-tsql --bench assess` first prints one timed run
//! with the process's peak memory, then lets criterion measure.

use criterion::{criterion_group, Criterion};
use sluice_tsql::assess::{self, AssessOptions, ScriptInput};
use std::time::Instant;

const TABLES: usize = 10_000;
const ROUTINES: usize = 5_000;

fn input() -> Vec<ScriptInput> {
    vec![ScriptInput {
        path: "generated.sql".into(),
        bytes: sluice_tsql::synthetic::script(TABLES, ROUTINES, 42).into_bytes(),
    }]
}

/// Counts bytes instead of writing them.
#[derive(Default)]
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The whole `sluice assess` pipeline, with the JSON and HTML streamed the
/// way the CLI writes them (to a byte counter instead of disk).
fn run(files: &[ScriptInput]) -> usize {
    let report = assess::assess_files(files, &AssessOptions::default());
    assert!(report.diagnostics.is_empty());
    let mut out = Count::default();
    serde_json::to_writer(&mut out, &report).expect("report serialises");
    assess::html::render_to(&report, &mut out).expect("counting never fails");
    out.0
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn bench(c: &mut Criterion) {
    let files = input();
    let mut g = c.benchmark_group("assess");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(60));
    g.bench_function("10k_tables_5k_routines", |b| b.iter(|| run(&files)));
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    let files = input();
    let script_mib = files[0].bytes.len() as f64 / 1048576.0;
    let t = Instant::now();
    let out = run(&files);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "assess {TABLES} tables + {ROUTINES} routines ({script_mib:.1} MiB of T-SQL): {secs:.2} s, reports {:.1} MiB, peak RSS {:.0} MiB",
        out as f64 / 1048576.0,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    drop(files);
    if std::env::args().any(|a| a == "--quick") {
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
