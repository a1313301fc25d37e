//! Observability: what a running `sluice` shows about itself.
//!
//! - [`Observed`]: the live, shared status a pipeline records into
//!   (phase, counters, lag, log and cursor, per-table load progress, RPS).
//! - [`StatusReport`]: a snapshot of it; `sluice status` prints it with
//!   [`render_text`] or as JSON, the HTTP server serves it as `/status.json`.
//! - [`serve`]: the status page (`/`), `/status.json`, `/metrics`
//!   (Prometheus text format 0.0.4) and `/healthz`.

mod http;
mod metrics;
mod status;

#[cfg(test)]
mod tests;

pub use http::{fetch_status, get, serve};
pub use metrics::{render as render_metrics, CONTENT_TYPE as METRICS_CONTENT_TYPE};
pub use status::{
    rfc3339, Direction, LogStatus, Observed, StatusReport, TableProgress, HISTORY_SECONDS,
    RPS_WINDOW_SECONDS,
};

use std::fmt::Write;

/// `report` for a terminal: aligned `label  value` lines, then one line per table.
pub fn render_text(report: &StatusReport) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("migration", report.migration.clone()),
        ("phase", format!("{} ({})", report.phase, report.direction)),
        ("updated", report.updated_at.clone()),
        (
            "lag",
            format!(
                "{} ({} records)",
                duration(report.lag_seconds),
                group(report.lag_records)
            ),
        ),
        (
            "throughput",
            format!(
                "{} rows/s now, {} rows/s average",
                rate(report.rps_now),
                rate(report.rps_avg)
            ),
        ),
        ("rows applied", group(report.rows_applied)),
        ("events captured", group(report.events_captured)),
        (
            "capture position",
            report
                .capture_position
                .clone()
                .unwrap_or_else(|| "not started".into()),
        ),
        (
            "apply cursor",
            report.apply_cursor_seq.map_or_else(
                || "nothing applied yet".into(),
                |s| format!("seq {}", group(s)),
            ),
        ),
        (
            "log",
            match report.log_first_seq {
                Some(first) => format!(
                    "seq {} .. {}, {}",
                    group(first),
                    group(report.log_last_seq),
                    bytes(report.log_bytes)
                ),
                None => format!(
                    "empty (last seq {}), {}",
                    group(report.log_last_seq),
                    bytes(report.log_bytes)
                ),
            },
        ),
        (
            "loop filtered",
            format!("{} transactions", group(report.loop_filtered)),
        ),
        ("errors", group(report.errors)),
        (
            "last error",
            report
                .last_error
                .as_deref()
                .map_or_else(|| "none".into(), one_line),
        ),
    ];
    if !report.tables.is_empty() {
        let done = report.tables.iter().filter(|t| t.state == "done").count();
        let rows_done: u64 = report.tables.iter().map(|t| t.rows_done).sum();
        let rows_total: u64 = report.tables.iter().map(|t| t.rows_total).sum();
        rows.push((
            "full load",
            format!(
                "{done} of {} tables done, {} of {} rows ({})",
                report.tables.len(),
                group(rows_done),
                group(rows_total),
                percent(rows_done, rows_total)
            ),
        ));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in &rows {
        let _ = writeln!(out, "{k:<width$}  {v}");
    }

    if !report.tables.is_empty() {
        // name, state, rows done, rows total, percent, chunks done, chunks total
        let cells: Vec<[String; 7]> = report
            .tables
            .iter()
            .map(|t| {
                [
                    t.name.clone(),
                    t.state.clone(),
                    group(t.rows_done),
                    group(t.rows_total),
                    percent(t.rows_done, t.rows_total),
                    group(t.chunks_done),
                    group(t.chunks_total),
                ]
            })
            .collect();
        let mut w = [5, 5, 0, 0, 4, 0, 0]; // "table", "state", .., "done"
        for row in &cells {
            for (i, cell) in row.iter().enumerate() {
                w[i] = w[i].max(cell.chars().count());
            }
        }
        // "rows" spans done + " / " + total; "chunks" likewise.
        let rows_w = (w[2] + 3 + w[3]).max(4);
        w[3] = rows_w - 3 - w[2];
        let chunks_w = (w[5] + 3 + w[6]).max(6);
        w[6] = chunks_w - 3 - w[5];
        out.push('\n');
        let _ = writeln!(
            out,
            "  {:<w0$}  {:<w1$}  {:>rows_w$}  {:>w4$}  {:>chunks_w$}",
            "table",
            "state",
            "rows",
            "done",
            "chunks",
            w0 = w[0],
            w1 = w[1],
            w4 = w[4],
        );
        for c in &cells {
            let _ = writeln!(
                out,
                "  {:<w0$}  {:<w1$}  {:>w2$} / {:>w3$}  {:>w4$}  {:>w5$} / {:>w6$}",
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                c[5],
                c[6],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2],
                w3 = w[3],
                w4 = w[4],
                w5 = w[5],
                w6 = w[6],
            );
        }
    }
    out
}

/// `1234567` -> `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn rate(r: f64) -> String {
    if r >= 100.0 {
        group(r.round() as u64)
    } else {
        format!("{r:.1}")
    }
}

fn percent(done: u64, total: u64) -> String {
    if total == 0 {
        return "-".into();
    }
    format!("{:.0}%", (done as f64 / total as f64 * 100.0).min(100.0))
}

fn duration(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return format!("{s} s");
    }
    if s < 60.0 {
        format!("{s:.1} s")
    } else if s < 3600.0 {
        format!("{} m {} s", (s / 60.0) as u64, (s % 60.0) as u64)
    } else {
        format!(
            "{} h {} m",
            (s / 3600.0) as u64,
            ((s % 3600.0) / 60.0) as u64
        )
    }
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// An error message on one line (the terminal view is line-oriented).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
