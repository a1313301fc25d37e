//! The HTML report: one self-contained page (inline CSS and script, no
//! external assets) that a DBA can hand to a manager — summary first, then
//! blockers, then every object with its findings and its source and target
//! DDL side by side.

use super::report::{snake, Report};
use crate::dialect::oceanbase::{rules::Class, Status};
use std::fmt::Write;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = r#"
:root{--ok:#1a7f37;--chg:#0969da;--man:#bf8700;--uns:#cf222e;--mut:#57606a;--line:#d0d7de}
*{box-sizing:border-box}body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:20px 32px}header h1{margin:0 0 4px;font-size:22px}header p{margin:2px 0;color:#d0d7de}
main{padding:20px 32px;max-width:1500px}section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin-bottom:18px}
h2{font-size:17px;margin:0 0 12px}.cards{display:flex;gap:14px;flex-wrap:wrap}.card{flex:1;min-width:160px;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card b{display:block;font-size:26px}.card span{color:var(--mut)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#f6f8fa;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;height:12px;border-radius:6px;overflow:hidden;min-width:160px;background:#eee}.bar i{display:block;height:100%}
.s-unchanged{background:var(--ok)}.s-changed{background:var(--chg)}.s-manual{background:var(--man)}.s-unsupported{background:var(--uns)}
.pill{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;color:#fff;white-space:nowrap}
.c-ignored{color:var(--mut)}.c-auto{color:var(--ok)}.c-review{color:var(--chg)}.c-manual{color:var(--man);font-weight:600}.c-unsupported{color:var(--uns);font-weight:600}
.filters{display:flex;gap:10px;margin-bottom:10px;flex-wrap:wrap}.filters select,.filters input{padding:5px 8px;border:1px solid var(--line);border-radius:6px}
details{border-top:1px solid var(--line)}details:first-of-type{border-top:none}summary{cursor:pointer;padding:7px 4px;display:flex;gap:12px;align-items:center}
summary .pill{min-width:150px;text-align:center}summary .name{font-family:ui-monospace,Consolas,monospace;flex:1}summary .kind{color:var(--mut);width:90px}summary .cnt{color:var(--mut);font-size:12px}
.findings{margin:4px 0 10px 18px;padding:0}.findings li{margin:2px 0;list-style:none}.findings code{font-size:12px;background:#f6f8fa;padding:0 4px;border-radius:4px}
.side{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:0 0 12px}.side div{min-width:0}.side h4{margin:4px 0;font-size:12px;color:var(--mut)}
pre{margin:0;background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;max-height:420px;font:12px/1.4 ui-monospace,Consolas,monospace;white-space:pre}
.muted{color:var(--mut)}.legend span{margin-right:14px}footer{color:var(--mut);padding:0 32px 30px}
@media print{details{break-inside:avoid}pre{max-height:none}}
"#;

const SCRIPT: &str = r#"
function applyFilters(){
  var k=document.getElementById('fk').value, s=document.getElementById('fs').value, q=document.getElementById('fq').value.toLowerCase();
  var shown=0;
  document.querySelectorAll('#objects details').forEach(function(d){
    var ok=(!k||d.dataset.kind===k)&&(!s||d.dataset.status===s)&&(!q||d.dataset.search.indexOf(q)>=0);
    d.style.display=ok?'':'none'; if(ok)shown++;
  });
  document.getElementById('shown').textContent=shown;
}
"#;

fn status_color(s: Status) -> &'static str {
    match s {
        Status::Unchanged => "var(--ok)",
        Status::Changed => "var(--chg)",
        Status::Manual => "var(--man)",
        Status::Unsupported => "var(--uns)",
    }
}

fn class_label(c: Class) -> &'static str {
    match c {
        Class::Ignored => "ignored",
        Class::Auto => "automatic",
        Class::Review => "review",
        Class::Manual => "manual",
        Class::Unsupported => "unsupported",
    }
}

/// Renders the report.
pub fn render(r: &Report) -> String {
    let mut out = Vec::new();
    render_to(r, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the page is built from str")
}

/// Renders the report into a writer, one object at a time, so a report of
/// tens of thousands of objects is never held in memory as one string.
pub fn render_to(r: &Report, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let s = &r.summary;
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>sluice assessment — {}</title><style>{STYLE}</style></head><body>",
        esc(&r.source)
    );
    let _ = write!(
        h,
        "<header><h1>SQL Server → OceanBase compatibility assessment</h1><p>Source: <b>{}</b> · {} script file(s), {} lines</p><p>Target: {} — {} · {}</p></header><main>",
        esc(&r.source),
        r.files.len(),
        s.script_lines,
        esc(r.target.dialect),
        esc(&r.target.capabilities.version),
        esc(&r.tool)
    );

    // Summary cards
    let _ = write!(
        h,
        "<section><h2>Summary</h2><div class=\"cards\">\
         <div class=\"card\"><b>{}</b><span>objects assessed</span></div>\
         <div class=\"card\"><b>{:.1}%</b><span>convert automatically ({} of {})</span></div>\
         <div class=\"card\"><b>{}</b><span>need manual work</span></div>\
         <div class=\"card\"><b>{}</b><span>unsupported</span></div>\
         <div class=\"card\"><b>{:.1}</b><span>person-days estimated ({:.1} h)</span></div>\
         <div class=\"card\"><b>{}</b><span>statements that did not parse</span></div></div>\
         <p class=\"muted\">“Convert automatically” counts objects whose status is <i>converts unchanged</i> or <i>converts with changes</i>: sluice creates them on the target without a person; findings marked <i>review</i> still deserve a look. Effort = rule minutes × occurrences + one-time learning per distinct rule + {:.0} min + {:.1} min/line per routine converted by hand (assumptions in the JSON; override with <code>--effort</code>).</p>",
        s.overall.total,
        s.overall.automatic_pct,
        s.overall.unchanged + s.overall.changed,
        s.overall.total,
        s.overall.manual,
        s.overall.unsupported,
        s.effort.person_days,
        s.effort.person_hours,
        s.parse_errors,
        s.effort.model.routine_base_minutes,
        s.effort.model.routine_minutes_per_line,
    );
    h.push_str("<table><tr><th>Object kind</th><th class=n>Total</th><th class=n>Unchanged</th><th class=n>With changes</th><th class=n>Manual</th><th class=n>Unsupported</th><th class=n>Automatic</th><th>Distribution</th><th class=n>Lines</th></tr>");
    for k in s.by_kind.iter().chain(std::iter::once(&s.overall)) {
        let w = |n: u32| {
            if k.total == 0 {
                0.0
            } else {
                100.0 * f64::from(n) / f64::from(k.total)
            }
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{:.1}%</td><td><div class=bar><i class=s-unchanged style=\"width:{:.2}%\"></i><i class=s-changed style=\"width:{:.2}%\"></i><i class=s-manual style=\"width:{:.2}%\"></i><i class=s-unsupported style=\"width:{:.2}%\"></i></div></td><td class=n>{}</td></tr>",
            if k.kind == "all" { "<b>all objects</b>".to_string() } else { esc(&k.kind) },
            k.total, k.unchanged, k.changed, k.manual, k.unsupported, k.automatic_pct,
            w(k.unchanged), w(k.changed), w(k.manual), w(k.unsupported), k.lines
        );
    }
    h.push_str("</table><p class=legend><span><span class=\"pill s-unchanged\">unchanged</span></span><span><span class=\"pill s-changed\">with changes</span></span><span><span class=\"pill s-manual\">manual</span></span><span><span class=\"pill s-unsupported\">unsupported</span></span></p>");
    h.push_str("<table><tr><th>Findings by class</th><th class=n>Occurrences</th><th class=n>Distinct rules</th></tr>");
    for (c, n) in &s.findings_by_class {
        let _ = write!(
            h,
            "<tr><td class=\"c-{c}\">{c}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            n.total, n.distinct
        );
    }
    h.push_str("</table></section>");

    // Blockers
    h.push_str("<section><h2>Top blocking reasons</h2>");
    if s.top_blockers.is_empty() {
        h.push_str("<p>Nothing blocks automatic conversion.</p>");
    } else {
        h.push_str("<table><tr><th>Rule</th><th>Meaning</th><th class=n>Objects</th><th class=n>Occurrences</th></tr>");
        for b in &s.top_blockers {
            let _ = write!(
                h,
                "<tr><td class=\"c-{}\"><code>{}</code></td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                snake(&b.class),
                esc(&b.rule),
                esc(&b.title),
                b.objects,
                b.occurrences
            );
        }
        h.push_str("</table>");
    }
    if r.objects
        .iter()
        .any(|o| o.findings.iter().any(|f| f.rule == "ROUTINE-NOT-CONVERTED"))
    {
        h.push_str("<p class=muted>Views, procedures, functions and triggers are listed with the constructs found in them; converting their bodies is the job of <code>sluice convert</code>.</p>");
    }
    h.push_str("</section>");

    // Source sizes (live assessment only)
    if let Some(z) = &r.sizes {
        use super::report::human_bytes;
        let _ = write!(
            h,
            "<section><h2>Source tables by size</h2><p>{} rows in {} tables · {} reserved, {} used, {} data (1 KB = 1024 bytes, as <code>sp_spaceused</code> counts; reserved and used include indexes, data does not).</p>",
            z.total_rows,
            z.tables.len(),
            human_bytes(z.total_reserved_bytes),
            human_bytes(z.total_used_bytes),
            human_bytes(z.total_data_bytes)
        );
        for n in &z.notes {
            let _ = write!(h, "<p class=muted>{}</p>", esc(n));
        }
        const SHOWN: usize = 200;
        h.push_str("<table><tr><th>Table</th><th class=n>Rows</th><th class=n>Reserved</th><th class=n>Used</th><th class=n>Data</th></tr>");
        for t in z.tables.iter().take(SHOWN) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                esc(&t.table),
                t.rows.map_or("n/a".to_string(), |n| n.to_string()),
                human_bytes(t.reserved_bytes),
                human_bytes(t.used_bytes),
                human_bytes(t.data_bytes)
            );
        }
        h.push_str("</table>");
        if z.tables.len() > SHOWN {
            let _ = write!(
                h,
                "<p class=muted>… and {} smaller tables (all are in the JSON report).</p>",
                z.tables.len() - SHOWN
            );
        }
        h.push_str("</section>");
    }

    // Objects
    let _ = write!(
        h,
        "<section><h2>Objects (<span id=shown>{}</span> shown)</h2><div class=filters><select id=fk onchange=applyFilters()><option value=\"\">all kinds</option>",
        r.objects.len()
    );
    let mut kinds: Vec<String> = r.objects.iter().map(|o| snake(&o.kind)).collect();
    kinds.sort();
    kinds.dedup();
    for k in &kinds {
        let _ = write!(h, "<option>{}</option>", esc(k));
    }
    h.push_str("</select><select id=fs onchange=applyFilters()><option value=\"\">all statuses</option><option value=unchanged>converts unchanged</option><option value=changed>converts with changes</option><option value=manual>needs manual work</option><option value=unsupported>unsupported</option></select><input id=fq placeholder=\"search name or rule\" oninput=applyFilters() size=30></div><div id=objects>");
    for o in &r.objects {
        let kind = snake(&o.kind);
        let status = snake(&o.status);
        let rules: Vec<&str> = o.findings.iter().map(|f| f.rule).collect();
        let search = format!("{} {} {}", o.name, kind, rules.join(" ")).to_lowercase();
        let where_ = o
            .origin
            .as_ref()
            .map(|x| format!("{}:{}", x.file, x.line))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<details data-kind=\"{}\" data-status=\"{}\" data-search=\"{}\"><summary><span class=pill style=\"background:{}\">{}</span><span class=kind>{}</span><span class=name>{}</span><span class=cnt>{} finding(s) · {}</span></summary>",
            esc(&kind),
            esc(&status),
            esc(&search),
            status_color(o.status),
            esc(o.status.label()),
            esc(&kind),
            esc(&o.name),
            o.findings.len(),
            esc(&where_)
        );
        if !o.findings.is_empty() {
            h.push_str("<ul class=findings>");
            for f in &o.findings {
                let c = snake(&f.class);
                let _ = write!(
                    h,
                    "<li><span class=\"c-{c}\">{}</span> <code>{}</code> {}{}</li>",
                    class_label(f.class),
                    esc(f.rule),
                    esc(&f.message),
                    match (&f.file, f.line) {
                        (Some(file), Some(l)) =>
                            format!(" <span class=muted>({} line {l})</span>", esc(file)),
                        (_, Some(l)) => format!(" <span class=muted>(line {l})</span>"),
                        _ => String::new(),
                    }
                );
            }
            h.push_str("</ul>");
        }
        let src = o.origin.as_ref().map(|x| x.text.as_str()).unwrap_or("");
        let mut target = o.ddl.join(";\n\n");
        if !o.post_ddl.is_empty() {
            target.push_str(";\n\n");
            target.push_str(&o.post_ddl.join(";\n\n"));
        }
        if !target.is_empty() {
            target.push(';');
        }
        let _ = write!(
            h,
            "<div class=side><div><h4>SQL Server source</h4><pre>{}</pre></div><div><h4>OceanBase (MySQL mode)</h4><pre>{}</pre></div></div></details>",
            if src.is_empty() { "<span class=muted>(from the catalog)</span>".to_string() } else { esc(src) },
            if target.is_empty() { "<span class=muted>(nothing created)</span>".to_string() } else { esc(&target) }
        );
        if h.len() > 1 << 20 {
            out.write_all(h.as_bytes())?;
            h.clear();
        }
    }
    h.push_str("</div></section>");

    // Diagnostics
    if !r.diagnostics.is_empty() {
        h.push_str("<section><h2>Statements that did not parse</h2><table><tr><th>File</th><th class=n>Line</th><th class=n>Col</th><th>Problem</th><th>Text</th></tr>");
        for d in &r.diagnostics {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td><pre>{}</pre></td></tr>",
                esc(&d.file),
                d.line,
                d.column,
                esc(&d.message),
                esc(&d.raw)
            );
        }
        h.push_str("</table></section>");
    }

    // Rules appendix
    h.push_str("<section><h2>Rules that fired</h2><table><tr><th>Rule</th><th>Class</th><th>Meaning</th><th class=n>Occurrences</th><th class=n>Minutes each</th></tr>");
    for fr in &r.rules {
        let c = snake(&fr.rule.class);
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"c-{c}\">{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(fr.rule.id),
            class_label(fr.rule.class),
            esc(fr.rule.title),
            fr.occurrences,
            fr.rule.minutes
        );
    }
    h.push_str("</table></section>");
    let _ = write!(
        h,
        "</main><footer>{} · machine-readable summary: <code>{}</code></footer><script>{SCRIPT}</script></body></html>",
        esc(&r.tool),
        esc(&s.line)
    );
    out.write_all(h.as_bytes())
}
