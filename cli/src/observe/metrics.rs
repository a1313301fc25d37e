//! `/metrics`: the Prometheus text exposition format, version 0.0.4.
//!
//! Per-pipeline series carry a `direction` label ("forward" or "reverse");
//! both directions are always present (zero until used) so rates and alerts
//! work from the first scrape.

use std::fmt::Write;

use super::status::Observed;

/// The `Content-Type` of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The metrics exposition of `observed`, as of now.
pub fn render(observed: &Observed) -> String {
    let report = observed.snapshot();
    let dirs = observed.directions();
    let mut out = String::with_capacity(4096);

    type Get = fn(&super::status::DirectionState) -> f64;
    let per_direction: [(&str, &str, &str, Get); 7] = [
        (
            "sluice_rows_applied_total",
            "counter",
            "Rows applied to the target.",
            |d| d.rows_applied as f64,
        ),
        (
            "sluice_events_captured_total",
            "counter",
            "Change events captured from the source into the event log.",
            |d| d.events_captured as f64,
        ),
        (
            "sluice_errors_total",
            "counter",
            "Errors seen by the pipeline (retried or fatal).",
            |d| d.errors as f64,
        ),
        (
            "sluice_loop_filtered_transactions_total",
            "counter",
            "Source transactions dropped because sluice wrote them (loop prevention).",
            |d| d.loop_filtered as f64,
        ),
        (
            "sluice_lag_seconds",
            "gauge",
            "Age of the oldest captured but unapplied change, in seconds (0 when caught up).",
            |d| d.log.lag_seconds,
        ),
        (
            "sluice_lag_records",
            "gauge",
            "Log records captured but not yet applied.",
            |d| d.log.lag_records as f64,
        ),
        (
            "sluice_log_bytes",
            "gauge",
            "Bytes stored in the pipeline's event log.",
            |d| d.log.bytes as f64,
        ),
    ];
    for (name, kind, help, get) in per_direction {
        header(&mut out, name, kind, help);
        for (dir, state) in &dirs {
            sample(&mut out, name, &[("direction", dir.as_str())], get(state));
        }
    }

    header(
        &mut out,
        "sluice_log_last_seq",
        "gauge",
        "Sequence number of the newest record in the event log.",
    );
    for (dir, state) in &dirs {
        sample(
            &mut out,
            "sluice_log_last_seq",
            &[("direction", dir.as_str())],
            state.log.last_seq as f64,
        );
    }
    header(
        &mut out,
        "sluice_apply_cursor_seq",
        "gauge",
        "Last event log sequence applied to the target (absent before the first apply).",
    );
    for (dir, state) in &dirs {
        if let Some(seq) = state.log.apply_cursor_seq {
            sample(
                &mut out,
                "sluice_apply_cursor_seq",
                &[("direction", dir.as_str())],
                seq as f64,
            );
        }
    }

    header(
        &mut out,
        "sluice_rows_per_second",
        "gauge",
        "Rows applied per second over the last 5 seconds.",
    );
    sample(&mut out, "sluice_rows_per_second", &[], report.rps_now);

    header(
        &mut out,
        "sluice_phase",
        "gauge",
        "Current phase of the migration (1 for the current one).",
    );
    sample(
        &mut out,
        "sluice_phase",
        &[
            ("migration", &report.migration),
            ("phase", &report.phase),
            ("direction", &report.direction),
        ],
        1.0,
    );

    header(
        &mut out,
        "sluice_load_rows_done",
        "gauge",
        "Rows copied so far by the full load, per table.",
    );
    for t in &report.tables {
        sample(
            &mut out,
            "sluice_load_rows_done",
            &[("table", &t.name)],
            t.rows_done as f64,
        );
    }
    header(
        &mut out,
        "sluice_load_rows_total",
        "gauge",
        "Rows the full load expects to copy, per table (an estimate).",
    );
    for t in &report.tables {
        sample(
            &mut out,
            "sluice_load_rows_total",
            &[("table", &t.name)],
            t.rows_total as f64,
        );
    }

    header(
        &mut out,
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since unix epoch in seconds.",
    );
    sample(
        &mut out,
        "process_start_time_seconds",
        &[],
        observed.start_time(),
    );
    out
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {}", escape_help(help));
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{k}=\"{}\"", escape_label(v));
        }
        out.push('}');
    }
    out.push(' ');
    out.push_str(&format_value(value));
    out.push('\n');
}

/// HELP text: backslash and newline escaped.
fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Label values: backslash, double quote and newline escaped.
pub(crate) fn escape_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A sample value as Prometheus spells it (`NaN`, `+Inf`, `-Inf`, Go-style floats).
pub(crate) fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_escapes() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(0.25), "0.25");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::INFINITY), "+Inf");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_value(1e20), "100000000000000000000");
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn every_family_has_help_and_type() {
        let o = Observed::new("m");
        o.record_applied(3);
        let text = render(&o);
        assert!(text.contains("sluice_rows_applied_total{direction=\"forward\"} 3\n"));
        assert!(text.contains("sluice_rows_applied_total{direction=\"reverse\"} 0\n"));
        assert!(text.contains("# TYPE process_start_time_seconds gauge\n"));
    }
}
