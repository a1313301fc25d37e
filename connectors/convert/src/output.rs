//! Writing the results: one `.sql` file per object, a combined deploy script
//! with DELIMITER handling, and the JSON report (objects, findings, rule
//! catalog) in a shape the assess report can merge.

use crate::routine::{Status, TargetObject};
use crate::rules::RULES;
use crate::Conversion;
use std::collections::BTreeSet;
use std::path::Path;

/// The statements that deploy one target object, in order.
pub fn deploy_statements(t: &TargetObject) -> Vec<String> {
    let mut v = t.pre_deploy.clone();
    if t.kind != "VIEW" {
        v.push(format!("DROP {} IF EXISTS {}", t.kind, t.name));
    }
    v.push(t.create.clone());
    v
}

fn delimited(stmts: &[String]) -> String {
    let mut s = String::from("DELIMITER $$\n");
    for st in stmts {
        s.push_str(st);
        s.push_str("$$\n\n");
    }
    s.push_str("DELIMITER ;\n");
    s
}

fn databases(conv: &Conversion) -> BTreeSet<String> {
    conv.objects
        .iter()
        .filter(|o| o.converted.status != Status::Manual)
        .flat_map(|o| o.converted.objects.iter())
        .filter_map(|t| {
            t.name
                .split("`.`")
                .next()
                .map(|d| d.trim_start_matches('`').replace("``", "`"))
        })
        .collect()
}

/// The combined deploy script: every object that is not flagged, in source order.
pub fn deploy_script(conv: &Conversion) -> String {
    let mut out = format!(
        "-- sluice convert: {} objects, {} converted, {} converted with review notes, {} need a person (not included)\n\n",
        conv.summary.objects, conv.summary.converted, conv.summary.review, conv.summary.manual
    );
    for db in databases(conv) {
        out.push_str(&format!(
            "CREATE DATABASE IF NOT EXISTS `{}`;\n",
            db.replace('`', "``")
        ));
    }
    out.push('\n');
    let mut stmts = Vec::new();
    for o in &conv.objects {
        if o.converted.status == Status::Manual {
            out.push_str(&format!(
                "-- NOT DEPLOYED: {} ({}:{})\n",
                o.converted.source_name, o.file, o.line
            ));
            for f in o
                .converted
                .findings
                .iter()
                .filter(|f| f.severity == crate::rules::Severity::Manual)
            {
                out.push_str(&format!(
                    "--   line {}: [{}] {}\n",
                    f.line,
                    f.rule,
                    f.message.replace('\n', " ")
                ));
            }
            continue;
        }
        for t in &o.converted.objects {
            let db = t
                .name
                .split("`.`")
                .next()
                .unwrap_or("")
                .trim_start_matches('`');
            stmts.push(format!("USE `{db}`"));
            stmts.extend(deploy_statements(t));
        }
    }
    out.push('\n');
    out.push_str(&delimited(&stmts));
    out
}

fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The JSON report.
pub fn report_json(conv: &Conversion) -> serde_json::Value {
    serde_json::json!({
        "tool": "sluice convert",
        "target": "OceanBase 4.x MySQL mode (seekdb 4.3.5)",
        "database": conv.database,
        "tables_known": conv.tables_known,
        "summary": conv.summary,
        "objects": conv.objects,
        "rules": RULES,
    })
}

/// Writes `objects/*.sql`, `deploy.sql`, `report.json`, `report.html` under `out`.
pub fn write(conv: &Conversion, out: &Path) -> std::io::Result<()> {
    let objs = out.join("objects");
    std::fs::create_dir_all(&objs)?;
    for o in &conv.objects {
        let mut text = format!(
            "-- {} from {}:{} — status: {:?}\n",
            o.converted.source_name, o.file, o.line, o.converted.status
        );
        for f in &o.converted.findings {
            text.push_str(&format!(
                "-- line {} [{}] {:?}: {}\n",
                f.line,
                f.rule,
                f.severity,
                f.message.replace('\n', " ")
            ));
        }
        text.push('\n');
        let stmts: Vec<String> = o
            .converted
            .objects
            .iter()
            .flat_map(deploy_statements)
            .collect();
        text.push_str(&delimited(&stmts));
        std::fs::write(
            objs.join(format!("{}.sql", file_name(&o.converted.source_name))),
            text,
        )?;
    }
    std::fs::write(out.join("deploy.sql"), deploy_script(conv))?;
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&report_json(conv)).unwrap_or_default(),
    )?;
    std::fs::write(out.join("report.html"), crate::html::report_html(conv))?;
    Ok(())
}
