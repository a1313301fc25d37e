//! Verify reports for people (HTML) and machines (JSON).
//!
//! The JSON is the stable interface (`VerifyReport` serialized); the HTML is
//! a single self-contained page a DBA can attach to a change ticket: a
//! verdict, a table per database table, and the differing rows with both
//! sides' values next to each other.

use std::fmt::Write;

use serde::Serialize;

use super::compare::RowDiff;
use super::plan::short_value;
use super::run::TableOutcome;
use super::side::TableSpec;
use crate::value::Value;

/// The result of one `sluice verify` run.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub source: String,
    pub target: String,
    /// RFC 3339 time the run started.
    pub started_at: String,
    pub elapsed_ms: u64,
    pub tables: Vec<TableReport>,
}

/// One table's part of the report.
#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub spec: TableSpec,
    pub outcome: Option<TableOutcome>,
    /// Set when the table could not be compared at all.
    pub error: Option<String>,
}

impl VerifyReport {
    /// Whether every table compared and none differs.
    pub fn is_clean(&self) -> bool {
        self.tables
            .iter()
            .all(|t| t.error.is_none() && t.outcome.as_ref().is_some_and(|o| o.is_clean()))
    }

    /// (tables clean, tables differing, tables failed).
    pub fn table_counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for t in &self.tables {
            match (&t.error, &t.outcome) {
                (Some(_), _) | (None, None) => c.2 += 1,
                (None, Some(o)) if o.is_clean() => c.0 += 1,
                _ => c.1 += 1,
            }
        }
        c
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serializes")
    }

    /// One line for terminals and logs.
    pub fn summary_line(&self) -> String {
        let (clean, differing, failed) = self.table_counts();
        let (mut m, mut e, mut c, mut f) = (0, 0, 0, 0);
        for o in self.tables.iter().filter_map(|t| t.outcome.as_ref()) {
            let (a, b, d) = o.counts();
            m += a;
            e += b;
            c += d;
            f += o.in_flight;
        }
        let in_flight = if f > 0 {
            format!("; {f} keys in flight (matched, or still being written, on re-check)")
        } else {
            String::new()
        };
        format!(
            "{}: {} tables clean, {differing} differing, {failed} failed; rows missing {m}, extra {e}, changed {c}{in_flight}",
            if self.is_clean() { "CLEAN" } else { "DIFFERENCES FOUND" },
            clean
        )
    }

    /// The self-contained HTML page.
    pub fn to_html(&self, max_rows_per_table: usize) -> String {
        let mut h = String::new();
        let verdict = if self.is_clean() { "clean" } else { "diff" };
        let _ = write!(
            h,
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>sluice verify: {src} vs {dst}</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1d2430;max-width:1200px}}
h1{{font-size:1.5em;margin-bottom:.2em}} .sub{{color:#5b6575}}
.verdict{{display:inline-block;padding:.4em .9em;border-radius:6px;font-weight:600;margin:1em 0}}
.clean{{background:#e3f5e8;color:#17602e}} .diff{{background:#fde8e8;color:#8a1c1c}} .fail{{background:#fff3d6;color:#7a5300}}
table{{border-collapse:collapse;width:100%;margin:.6em 0 1.6em}}
th,td{{border:1px solid #d7dce3;padding:.35em .6em;text-align:left;vertical-align:top}}
th{{background:#f2f4f7}} td.num{{text-align:right;font-variant-numeric:tabular-nums}}
td.changed{{background:#fff6d1}} code{{font-family:ui-monospace,monospace;font-size:.92em}}
h2{{font-size:1.15em;margin-top:1.8em}}
</style></head><body>
<h1>Consistency check</h1>
<div class="sub">source <code>{src}</code> &rarr; target <code>{dst}</code> &middot; started {started} &middot; {secs:.1} s</div>
<div class="verdict {verdict}">{line}</div>
<table><tr><th>table</th><th>status</th><th>source rows</th><th>target rows</th><th>missing</th><th>extra</th><th>changed</th><th>time</th></tr>
"#,
            src = esc(&self.source),
            dst = esc(&self.target),
            started = esc(&self.started_at),
            secs = self.elapsed_ms as f64 / 1000.0,
            line = esc(&self.summary_line()),
        );
        for t in &self.tables {
            let name = esc(&t.spec.source.to_string());
            match (&t.error, &t.outcome) {
                (Some(err), _) => {
                    let _ = writeln!(
                        h,
                        r#"<tr><td><code>{name}</code></td><td class="fail">failed: {}</td><td colspan="6"></td></tr>"#,
                        esc(err)
                    );
                }
                (None, Some(o)) => {
                    let (m, e, c) = o.counts();
                    let note = if o.in_flight > 0 {
                        format!(" ({} keys in flight)", o.in_flight)
                    } else {
                        String::new()
                    };
                    let status = if o.is_clean() {
                        format!(r#"<span class="clean">clean</span>{note}"#)
                    } else {
                        format!(
                            r##"<a href="#t-{}">differs</a>{note}"##,
                            anchor(&t.spec.source.to_string())
                        )
                    };
                    let _ = writeln!(
                        h,
                        r#"<tr><td><code>{name}</code></td><td>{status}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{m}</td><td class="num">{e}</td><td class="num">{c}</td><td class="num">{:.2} s</td></tr>"#,
                        o.source_rows,
                        o.target_rows,
                        o.elapsed_ms as f64 / 1000.0
                    );
                }
                (None, None) => {}
            }
        }
        h.push_str("</table>\n");
        for t in &self.tables {
            let Some(o) = &t.outcome else { continue };
            if o.is_clean() {
                continue;
            }
            let _ = writeln!(
                h,
                r#"<h2 id="t-{}">{} &rarr; {}</h2>"#,
                anchor(&t.spec.source.to_string()),
                esc(&t.spec.source.to_string()),
                esc(&t.spec.target.to_string())
            );
            h.push_str("<table><tr><th>difference</th><th>key</th><th>column</th><th>source</th><th>target</th></tr>\n");
            for d in o.diffs.iter().take(max_rows_per_table) {
                diff_rows_html(&mut h, &t.spec, d);
            }
            h.push_str("</table>\n");
            if o.diffs.len() > max_rows_per_table {
                let _ = writeln!(
                    h,
                    "<p>{} more differences are in the JSON report and the repair script.</p>",
                    o.diffs.len() - max_rows_per_table
                );
            }
        }
        h.push_str("</body></html>\n");
        h
    }
}

fn diff_rows_html(h: &mut String, spec: &TableSpec, d: &RowDiff) {
    let key = esc(&d
        .key()
        .iter()
        .map(short_value)
        .collect::<Vec<_>>()
        .join(", "));
    let cell = |v: &Value| esc(&short_value(v));
    match d {
        RowDiff::Missing { source, copies, .. } => {
            let _ = writeln!(
                h,
                "<tr><td>missing in target{}</td><td><code>{key}</code></td><td>(row)</td><td><code>{}</code></td><td>&mdash;</td></tr>",
                if *copies > 1 { format!(" &times;{copies}") } else { String::new() },
                esc(&row_text(spec, source))
            );
        }
        RowDiff::Extra { target, copies, .. } => {
            let _ = writeln!(
                h,
                "<tr><td>extra in target{}</td><td><code>{key}</code></td><td>(row)</td><td>&mdash;</td><td><code>{}</code></td></tr>",
                if *copies > 1 { format!(" &times;{copies}") } else { String::new() },
                esc(&row_text(spec, target))
            );
        }
        RowDiff::Changed {
            source,
            target,
            columns,
            ..
        } => {
            for &c in columns {
                let _ = writeln!(
                    h,
                    r#"<tr><td>changed</td><td><code>{key}</code></td><td><code>{}</code></td><td class="changed"><code>{}</code></td><td class="changed"><code>{}</code></td></tr>"#,
                    esc(&spec.columns[c].name),
                    cell(&source[c]),
                    cell(&target[c])
                );
            }
        }
    }
}

fn row_text(spec: &TableSpec, row: &[Value]) -> String {
    spec.columns
        .iter()
        .zip(row)
        .map(|(c, v)| format!("{}={}", c.name, short_value(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn anchor(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::TableRef;
    use crate::verify::{CanonKind, ColumnSpec};

    fn report(diffs: Vec<RowDiff>) -> VerifyReport {
        let spec = TableSpec {
            source: TableRef::new("dbo", "Patients"),
            target: TableRef::new("his", "Patients"),
            columns: vec![
                ColumnSpec {
                    name: "id".into(),
                    kind: CanonKind::Int,
                },
                ColumnSpec {
                    name: "name".into(),
                    kind: CanonKind::Text {
                        trim_trailing_spaces: false,
                    },
                },
            ],
            key: vec![0],
        };
        VerifyReport {
            source: "mssql://src".into(),
            target: "mysql://dst".into(),
            started_at: "2026-01-01T00:00:00Z".into(),
            elapsed_ms: 1200,
            tables: vec![TableReport {
                spec,
                outcome: Some(TableOutcome {
                    source: "dbo.Patients".into(),
                    target: "his.Patients".into(),
                    source_rows: 2,
                    target_rows: 2,
                    digests_compared: 3,
                    leaf_ranges: 1,
                    diffs,
                    elapsed_ms: 10,
                    in_flight: 0,
                    resumed_chunks: 0,
                }),
                error: None,
            }],
        }
    }

    #[test]
    fn html_shows_both_values_escaped() {
        let r = report(vec![RowDiff::Changed {
            key: vec![Value::I64(7)],
            source: vec![Value::I64(7), Value::String("<Zhang>".into())],
            target: vec![Value::I64(7), Value::String("zhang".into())],
            columns: vec![1],
        }]);
        assert!(!r.is_clean());
        let html = r.to_html(100);
        assert!(
            html.contains("&quot;&lt;Zhang&gt;&quot;"),
            "source value escaped"
        );
        assert!(html.contains("&quot;zhang&quot;"));
        assert!(html.contains("DIFFERENCES FOUND"));
        assert!(!html.contains("<Zhang>"));
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(
            json["tables"][0]["outcome"]["diffs"][0]["Changed"]["columns"][0],
            1
        );
    }

    #[test]
    fn a_clean_report_says_so() {
        let r = report(vec![]);
        assert!(r.is_clean());
        assert!(r.summary_line().starts_with("CLEAN: 1 tables clean"));
        assert!(r.to_html(10).contains("class=\"verdict clean\""));
    }
}
