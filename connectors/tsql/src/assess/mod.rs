//! `sluice assess`: parse every script, build the schema model, convert it,
//! inventory routine bodies, and report object by object.
//!
//! [`assess_files`] does the work; [`report::Report`] is the stable JSON
//! document (`format: "sluice-assess/1"`); [`html::render`] the page for people.

pub mod constructs;
pub mod html;
pub mod report;

use crate::dialect::oceanbase::{
    self, rules, Capabilities, ConvertOptions, ObjectKind, ObjectReport,
};
use crate::lower::{LowerNote, Lowerer};
use report::{FileSummary, Report, ScriptDiagnostic};
use sluice_engine::schema::{Catalog, Origin, RoutineKind};
use std::path::{Path, PathBuf};

/// Effort assumptions, overridable from a JSON file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EffortModel {
    /// Minutes of base effort for a routine that needs manual conversion.
    pub routine_base_minutes: f64,
    /// Extra minutes per line of such a routine.
    pub routine_minutes_per_line: f64,
    /// Per-rule overrides: rule id → minutes per occurrence.
    pub rule_minutes: std::collections::BTreeMap<String, f64>,
    /// Per-rule overrides: rule id → one-time learning minutes.
    pub rule_learn_minutes: std::collections::BTreeMap<String, f64>,
    /// Working hours in a person-day.
    pub hours_per_day: f64,
}

impl Default for EffortModel {
    fn default() -> Self {
        EffortModel {
            routine_base_minutes: 30.0,
            routine_minutes_per_line: 0.5,
            rule_minutes: Default::default(),
            rule_learn_minutes: Default::default(),
            hours_per_day: 8.0,
        }
    }
}

/// Everything `assess` needs besides the scripts.
#[derive(Debug, Clone, Default)]
pub struct AssessOptions {
    /// Target capabilities (probed, or [`Capabilities::seekdb`]).
    pub capabilities: Option<Capabilities>,
    /// Conversion choices.
    pub convert: ConvertOptions,
    /// Effort assumptions.
    pub effort: EffortModel,
    /// What was assessed, for the report header (a folder, a URL).
    pub source_label: String,
}

/// One script to assess.
#[derive(Debug, Clone)]
pub struct ScriptInput {
    /// Path relative to the assessed folder.
    pub path: String,
    /// Raw bytes (any supported encoding).
    pub bytes: Vec<u8>,
}

/// Reads every `.sql` file under `dir` (recursively, sorted by path).
pub fn read_scripts(dir: &Path) -> std::io::Result<Vec<ScriptInput>> {
    let mut paths = Vec::new();
    collect(dir, &mut paths)?;
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p)?;
            let rel = p
                .strip_prefix(dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            Ok(ScriptInput { path: rel, bytes })
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("sql")) {
            out.push(p);
        }
    }
    Ok(())
}

/// Parses, converts and reports.
pub fn assess_files(files: &[ScriptInput], opts: &AssessOptions) -> Report {
    let caps = opts
        .capabilities
        .clone()
        .unwrap_or_else(Capabilities::seekdb);
    let mut catalog = Catalog::default();
    let mut notes: Vec<LowerNote> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut file_summaries = Vec::new();
    let mut unparsed = Vec::new();
    for f in files {
        let decoded = crate::decode::decode(&f.bytes);
        let text = decoded.text;
        let (mut batches, mut statements) = (0u32, 0u32);
        // Batch by batch: each batch's tree is dropped once lowered.
        let diags = {
            let mut lw = Lowerer::new(&mut catalog, &f.path, &text, &mut notes);
            crate::parser::parse_each_batch(&text, |b| {
                batches += 1;
                statements += b.statements.len() as u32;
                for st in &b.statements {
                    lw.statement(st);
                }
            })
        };
        for d in &diags {
            diagnostics.push(ScriptDiagnostic {
                file: f.path.clone(),
                severity: d.severity,
                line: d.line,
                column: d.column,
                message: d.message.clone(),
                raw: d.raw.clone(),
            });
            if d.severity == crate::ast::Severity::Error {
                let mut o = ObjectReport::new(
                    ObjectKind::Unparsed,
                    format!("{}:{}", f.path, d.span.start.line),
                    Some(Origin {
                        file: f.path.clone(),
                        line: d.span.start.line,
                        column: d.span.start.column,
                        end_line: d.span.end.line,
                        text: d.raw.clone(),
                    }),
                );
                o.add(
                    "PARSE-ERROR",
                    format!("line {}, column {}: {}", d.line, d.column, d.message),
                    Some(d.line),
                );
                o.settle();
                unparsed.push(o);
            }
        }
        file_summaries.push(FileSummary {
            path: f.path.clone(),
            encoding: decoded.encoding.to_string(),
            decode_errors: decoded.had_errors,
            lines: text.lines().count() as u32,
            batches,
            statements,
            parse_errors: diags
                .iter()
                .filter(|d| d.severity == crate::ast::Severity::Error)
                .count() as u32,
        });
    }
    report_catalog(
        &catalog,
        caps,
        file_summaries,
        diagnostics,
        notes,
        unparsed,
        opts,
    )
}

/// Converts and reports a catalog read from a live server (`sys.*`), the
/// same way [`assess_files`] reports one lowered from scripts.
pub fn assess_catalog(catalog: &Catalog, opts: &AssessOptions) -> Report {
    let caps = opts
        .capabilities
        .clone()
        .unwrap_or_else(Capabilities::seekdb);
    report_catalog(
        catalog,
        caps,
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        opts,
    )
}

fn report_catalog(
    catalog: &Catalog,
    caps: Capabilities,
    file_summaries: Vec<FileSummary>,
    diagnostics: Vec<ScriptDiagnostic>,
    notes: Vec<LowerNote>,
    unparsed: Vec<ObjectReport>,
    opts: &AssessOptions,
) -> Report {
    let conversion = oceanbase::convert(catalog, &caps, &opts.convert);
    let mut objects = conversion.objects;
    for r in &catalog.routines {
        objects.push(routine_report(r, catalog.database.as_deref()));
    }
    objects.extend(unparsed);
    report::build(report::BuildInput {
        source_label: opts.source_label.clone(),
        files: file_summaries,
        capabilities: caps,
        options: opts.convert.clone(),
        effort: opts.effort.clone(),
        objects,
        diagnostics,
        notes,
        sizes: report::SourceSizes::of(&catalog.tables),
    })
}

fn routine_report(r: &sluice_engine::schema::Routine, database: Option<&str>) -> ObjectReport {
    let kind = match r.kind {
        RoutineKind::View => ObjectKind::View,
        RoutineKind::Procedure => ObjectKind::Procedure,
        RoutineKind::Function => ObjectKind::Function,
        RoutineKind::Trigger => ObjectKind::Trigger,
    };
    let mut o = ObjectReport::new(
        kind,
        format!("{}.{}", r.name.schema_or_dbo(), r.name.name),
        r.origin.clone(),
    );
    let first = r.origin.as_ref().map(|o| o.line).unwrap_or(1);
    let lines = r.definition.lines().count();
    o.add(
        "ROUTINE-NOT-CONVERTED",
        format!("{lines} lines; body conversion comes with `sluice convert`"),
        Some(first),
    );
    for h in constructs::scan(&r.definition, first, database) {
        let rule = rules::rule(h.rule);
        let shown: Vec<String> = h.lines.iter().take(8).map(|l| l.to_string()).collect();
        let more = if h.lines.len() > 8 { ", ..." } else { "" };
        let names = if h.names.is_empty() {
            String::new()
        } else {
            format!(" ({})", h.names.join(", "))
        };
        let mut f = oceanbase::Finding {
            rule: rule.id,
            class: rule.class,
            message: format!("{}{names}: line {}{more}", rule.id, shown.join(", ")),
            line: h.lines.first().copied(),
            count: h.lines.len() as u32,
            file: None,
        };
        if h.lines.len() == 1 {
            f.message = format!("line {}{names}", h.lines[0]);
        } else {
            f.message = format!(
                "{} occurrences{names}: lines {}{more}",
                h.lines.len(),
                shown.join(", ")
            );
        }
        o.findings.push(f);
    }
    o.settle();
    o
}
