//! A self-contained HTML page of the conversion: counts, then one row per
//! object (status, rules) with its findings and the T-SQL and converted text
//! side by side. The JSON report carries the same data for the assess report.

use crate::routine::Status;
use crate::Conversion;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn status_label(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Converted => ("converted", "#1a7f37"),
        Status::Review => ("converted, review", "#9a6700"),
        Status::Manual => ("needs a person", "#cf222e"),
    }
}

/// The HTML report.
pub fn report_html(conv: &Conversion) -> String {
    let s = &conv.summary;
    let mut h = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>sluice convert</title><style>\
body{font-family:system-ui,sans-serif;margin:2em;color:#1f2328}table{border-collapse:collapse;width:100%}\
td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}\
pre{white-space:pre-wrap;font-size:12px;margin:0}.side{display:grid;grid-template-columns:1fr 1fr;gap:8px}\
details{margin:4px 0}.n{font-weight:600}</style></head><body>",
    );
    h.push_str(&format!(
        "<h1>sluice convert — T-SQL routines → OceanBase MySQL mode</h1>\
<p>Target database <code>{}</code>; {} tables known from the schema scripts.</p>\
<p class=\"n\">{} objects: {} converted, {} converted with review notes, {} need a person (not deployed).</p>",
        esc(&conv.database),
        conv.tables_known,
        s.objects,
        s.converted,
        s.review,
        s.manual
    ));
    h.push_str(
        "<table><tr><th>object</th><th>kind</th><th>status</th><th>rules</th><th>source</th></tr>",
    );
    for o in &conv.objects {
        let (label, color) = status_label(o.converted.status);
        h.push_str(&format!(
            "<tr><td><a href=\"#o{}\">{}</a></td><td>{:?}</td><td style=\"color:{color}\">{label}</td><td>{}</td><td>{}:{}</td></tr>",
            o.line,
            esc(&o.converted.source_name),
            o.converted.kind,
            esc(&o.rules.join(", ")),
            esc(&o.file),
            o.line
        ));
    }
    h.push_str("</table>");
    for o in &conv.objects {
        let (label, color) = status_label(o.converted.status);
        h.push_str(&format!(
            "<h3 id=\"o{}\">{} <span style=\"color:{color}\">({label})</span></h3><ul>",
            o.line,
            esc(&o.converted.source_name)
        ));
        for f in &o.converted.findings {
            h.push_str(&format!(
                "<li>line {} <code>{}</code> {:?}: {}</li>",
                f.line,
                f.rule,
                f.severity,
                esc(&f.message)
            ));
        }
        h.push_str(&format!(
            "</ul><details><summary>T-SQL and converted text</summary><div class=\"side\"><pre>{}</pre><pre>{}</pre></div></details>",
            esc(&o.source),
            esc(&o.target)
        ));
    }
    h.push_str("</body></html>\n");
    h
}
