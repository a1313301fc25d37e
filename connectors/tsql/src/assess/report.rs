//! The assessment report: a stable JSON document (`format` =
//! `"sluice-assess/1"`; fields are only ever added) and the numbers every
//! rendering shares.
//!
//! Definitions used in the summary:
//! - **automatic**: objects whose status is `unchanged` or `changed`, i.e.
//!   sluice creates them on the target without a person. `automatic_pct` is
//!   `100 * automatic / total`, per kind and overall; objects of kind
//!   `database` (created for schemas) are not counted.
//! - **effort**: per finding, the rule's minutes × occurrences; plus once per
//!   distinct rule its learning minutes; plus, per routine that needs manual
//!   conversion, a base and a per-line allowance ([`super::EffortModel`]).

use super::EffortModel;
use crate::ast::Severity;
use crate::dialect::oceanbase::{
    rules, Capabilities, ConvertOptions, ObjectKind, ObjectReport, Status,
};
use crate::lower::LowerNote;
use rules::Class;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Per-script facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSummary {
    /// Path relative to the assessed folder.
    pub path: String,
    /// Detected encoding.
    pub encoding: String,
    /// Some bytes could not be decoded.
    pub decode_errors: bool,
    /// Lines.
    pub lines: u32,
    /// GO batches.
    pub batches: u32,
    /// Statements parsed.
    pub statements: u32,
    /// Statements that did not parse.
    pub parse_errors: u32,
}

/// A parse problem, with its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScriptDiagnostic {
    /// Script.
    pub file: String,
    /// Error (statement skipped) or warning.
    pub severity: Severity,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What went wrong.
    pub message: String,
    /// The statement text.
    pub raw: String,
}

/// Counts for one object kind.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct KindSummary {
    /// Object kind.
    pub kind: String,
    /// Objects.
    pub total: u32,
    /// Status `unchanged`.
    pub unchanged: u32,
    /// Status `changed`.
    pub changed: u32,
    /// Status `manual`.
    pub manual: u32,
    /// Status `unsupported`.
    pub unsupported: u32,
    /// `100 * (unchanged + changed) / total`, one decimal.
    pub automatic_pct: f64,
    /// Lines of source.
    pub lines: u32,
}

/// Findings of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ClassCount {
    /// Occurrences.
    pub total: u32,
    /// Distinct rules.
    pub distinct: u32,
}

/// A reason that blocks automatic conversion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocker {
    /// Rule id.
    pub rule: String,
    /// Its class (`manual` or `unsupported`).
    pub class: Class,
    /// What it means.
    pub title: String,
    /// Objects it affects.
    pub objects: u32,
    /// Occurrences.
    pub occurrences: u32,
}

/// Estimated manual effort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effort {
    /// Total person-hours.
    pub person_hours: f64,
    /// Total person-days.
    pub person_days: f64,
    /// Hours from per-occurrence rule effort.
    pub occurrence_hours: f64,
    /// Hours of one-time learning per distinct rule.
    pub learning_hours: f64,
    /// Hours of base effort for routines to convert by hand.
    pub routine_hours: f64,
    /// The assumptions used.
    pub model: EffortModel,
}

/// The summary block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Objects assessed (target databases excluded).
    pub objects: u32,
    /// Lines of SQL in the scripts.
    pub script_lines: u32,
    /// Statements that did not parse.
    pub parse_errors: u32,
    /// Per kind, in a fixed order.
    pub by_kind: Vec<KindSummary>,
    /// All kinds together.
    pub overall: KindSummary,
    /// Findings by class.
    pub findings_by_class: BTreeMap<String, ClassCount>,
    /// Top reasons for manual work, most objects first.
    pub top_blockers: Vec<Blocker>,
    /// Effort estimate.
    pub effort: Effort,
    /// One-line machine-readable summary (`key=value` pairs).
    pub line: String,
}

/// A rule that fired, for the appendix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FiredRule {
    /// The rule.
    #[serde(flatten)]
    pub rule: rules::Rule,
    /// Occurrences.
    pub occurrences: u32,
}

/// One table's rows and bytes on the source (live assessment only; see
/// `sluice_engine::schema::TableStats` for what each figure covers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableSize {
    /// Source name (`schema.name`).
    pub table: String,
    /// Rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Bytes reserved for the table and its indexes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_bytes: Option<u64>,
    /// Bytes in use by the table and its indexes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_bytes: Option<u64>,
    /// Bytes of the table's data pages (no indexes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_bytes: Option<u64>,
}

/// Rows and bytes of the source's tables, largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SourceSizes {
    /// Rows of every table whose count is known.
    pub total_rows: u64,
    /// Reserved bytes of every table whose size is known (`None`: none is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_reserved_bytes: Option<u64>,
    /// Used bytes, likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_used_bytes: Option<u64>,
    /// Data bytes, likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_data_bytes: Option<u64>,
    /// Per table, by reserved bytes then rows, largest first.
    pub tables: Vec<TableSize>,
    /// Why figures are missing or where they came from (distinct notes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SourceSizes {
    /// Sizes of the catalog's tables; `None` when no table has any (scripts).
    pub fn of(tables: &[sluice_engine::schema::Table]) -> Option<SourceSizes> {
        let mut out = SourceSizes::default();
        let sum = |acc: &mut Option<u64>, v: Option<u64>| {
            if let Some(v) = v {
                *acc = Some(acc.unwrap_or(0).saturating_add(v));
            }
        };
        for t in tables {
            let Some(st) = &t.stats else { continue };
            out.total_rows = out.total_rows.saturating_add(st.rows.unwrap_or(0));
            sum(&mut out.total_reserved_bytes, st.reserved_bytes);
            sum(&mut out.total_used_bytes, st.used_bytes);
            sum(&mut out.total_data_bytes, st.data_bytes);
            if let Some(n) = &st.note {
                if !out.notes.contains(n) {
                    out.notes.push(n.clone());
                }
            }
            out.tables.push(TableSize {
                table: format!("{}.{}", t.name.schema_or_dbo(), t.name.name),
                rows: st.rows,
                reserved_bytes: st.reserved_bytes,
                used_bytes: st.used_bytes,
                data_bytes: st.data_bytes,
            });
        }
        if out.tables.is_empty() {
            return None;
        }
        out.tables.sort_by(|a, b| {
            b.reserved_bytes
                .cmp(&a.reserved_bytes)
                .then(b.rows.cmp(&a.rows))
                .then(a.table.cmp(&b.table))
        });
        Some(out)
    }
}

/// Bytes for people, in 1024-based units as `sp_spaceused` counts them
/// (`8.0 KB`, `1.5 MB`); `n/a` when unknown.
pub fn human_bytes(b: Option<u64>) -> String {
    let Some(b) = b else {
        return "n/a".into();
    };
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    if b < 1024 {
        return format!("{b} B");
    }
    let mut v = b as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Document format and version.
    pub format: &'static str,
    /// Tool and version.
    pub tool: String,
    /// What was assessed.
    pub source: String,
    /// The target the report was made for.
    pub target: Target,
    /// Conversion options in force.
    pub options: ConvertOptions,
    /// Scripts read.
    pub files: Vec<FileSummary>,
    /// Numbers at the top.
    pub summary: Summary,
    /// One entry per object.
    pub objects: Vec<ObjectReport>,
    /// Parse problems.
    pub diagnostics: Vec<ScriptDiagnostic>,
    /// Things the model builder could not place.
    pub notes: Vec<LowerNote>,
    /// Rules that fired.
    pub rules: Vec<FiredRule>,
    /// The converted schema, in deploy order.
    pub deploy: Vec<String>,
    /// Rows and bytes per source table (live assessment only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sizes: Option<SourceSizes>,
}

/// The target description.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// Dialect.
    pub dialect: &'static str,
    /// Capabilities (and the probed version).
    pub capabilities: Capabilities,
}

pub(super) struct BuildInput {
    pub source_label: String,
    pub files: Vec<FileSummary>,
    pub capabilities: Capabilities,
    pub options: ConvertOptions,
    pub effort: EffortModel,
    pub objects: Vec<ObjectReport>,
    pub diagnostics: Vec<ScriptDiagnostic>,
    pub notes: Vec<LowerNote>,
    pub sizes: Option<SourceSizes>,
}

fn pct(n: u32, d: u32) -> f64 {
    if d == 0 {
        100.0
    } else {
        (1000.0 * f64::from(n) / f64::from(d)).round() / 10.0
    }
}

fn lines_of(o: &ObjectReport) -> u32 {
    o.origin
        .as_ref()
        .map(|x| x.end_line.saturating_sub(x.line) + 1)
        .unwrap_or(0)
}

const KIND_ORDER: &[ObjectKind] = &[
    ObjectKind::Table,
    ObjectKind::View,
    ObjectKind::Procedure,
    ObjectKind::Function,
    ObjectKind::Trigger,
    ObjectKind::Sequence,
    ObjectKind::Synonym,
    ObjectKind::Type,
    ObjectKind::Unparsed,
];

fn tally(k: &mut KindSummary, o: &ObjectReport) {
    k.total += 1;
    k.lines += lines_of(o);
    match o.status {
        Status::Unchanged => k.unchanged += 1,
        Status::Changed => k.changed += 1,
        Status::Manual => k.manual += 1,
        Status::Unsupported => k.unsupported += 1,
    }
    k.automatic_pct = pct(k.unchanged + k.changed, k.total);
}

pub(super) fn build(input: BuildInput) -> Report {
    let BuildInput {
        source_label,
        files,
        capabilities,
        options,
        effort: model,
        objects,
        diagnostics,
        notes,
        sizes,
    } = input;
    let counted: Vec<&ObjectReport> = objects
        .iter()
        .filter(|o| o.kind != ObjectKind::Database)
        .collect();
    let mut by_kind = Vec::new();
    let mut overall = KindSummary {
        kind: "all".into(),
        ..Default::default()
    };
    for k in KIND_ORDER {
        let mut s = KindSummary {
            kind: k.label().into(),
            ..Default::default()
        };
        for o in counted.iter().filter(|o| o.kind == *k) {
            tally(&mut s, o);
            tally(&mut overall, o);
        }
        if s.total > 0 {
            by_kind.push(s);
        }
    }

    let mut classes: BTreeMap<String, (u32, BTreeSet<&str>)> = BTreeMap::new();
    let mut fired: BTreeMap<&str, u32> = BTreeMap::new();
    let mut blockers: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut occurrence_min = 0.0;
    let mut routine_min = 0.0;
    for o in &objects {
        for f in &o.findings {
            let c = classes.entry(snake(&f.class)).or_default();
            c.0 += f.count;
            c.1.insert(f.rule);
            *fired.entry(f.rule).or_default() += f.count;
            if f.class >= Class::Manual && f.rule != "ROUTINE-NOT-CONVERTED" {
                let b = blockers.entry(f.rule).or_default();
                b.1 += f.count;
            }
            let minutes = model
                .rule_minutes
                .get(f.rule)
                .copied()
                .unwrap_or(f64::from(rules::rule(f.rule).minutes));
            occurrence_min += minutes * f64::from(f.count);
        }
        for rule in o
            .findings
            .iter()
            .filter(|f| f.class >= Class::Manual && f.rule != "ROUTINE-NOT-CONVERTED")
            .map(|f| f.rule)
            .collect::<BTreeSet<_>>()
        {
            blockers.entry(rule).or_default().0 += 1;
        }
        if o.findings.iter().any(|f| f.rule == "ROUTINE-NOT-CONVERTED") {
            routine_min += model.routine_base_minutes
                + model.routine_minutes_per_line * f64::from(lines_of(o));
        }
    }
    let learn_min: f64 = fired
        .keys()
        .map(|id| {
            model
                .rule_learn_minutes
                .get(*id)
                .copied()
                .unwrap_or(f64::from(rules::rule(id).learn_minutes))
        })
        .sum();
    let hours = |m: f64| (m / 6.0).round() / 10.0;
    let total_h = hours(occurrence_min + learn_min + routine_min);
    let effort = Effort {
        person_hours: total_h,
        person_days: (10.0 * total_h / model.hours_per_day.max(0.1)).round() / 10.0,
        occurrence_hours: hours(occurrence_min),
        learning_hours: hours(learn_min),
        routine_hours: hours(routine_min),
        model,
    };
    let mut top: Vec<Blocker> = blockers
        .into_iter()
        .map(|(id, (objs, occ))| {
            let r = rules::rule(id);
            Blocker {
                rule: id.to_string(),
                class: r.class,
                title: r.title.to_string(),
                objects: objs,
                occurrences: occ,
            }
        })
        .collect();
    top.sort_by(|a, b| {
        b.objects
            .cmp(&a.objects)
            .then(b.occurrences.cmp(&a.occurrences))
            .then(a.rule.cmp(&b.rule))
    });
    top.truncate(10);
    let parse_errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count() as u32;
    let script_lines = files.iter().map(|f| f.lines).sum();
    let line = format!(
        "objects={} automatic={} automatic_pct={} manual={} unsupported={} parse_errors={} effort_person_days={} target=\"{}\"",
        overall.total,
        overall.unchanged + overall.changed,
        overall.automatic_pct,
        overall.manual,
        overall.unsupported,
        parse_errors,
        effort.person_days,
        capabilities.version
    );
    let findings_by_class = classes
        .into_iter()
        .map(|(k, (total, set))| {
            (
                k,
                ClassCount {
                    total,
                    distinct: set.len() as u32,
                },
            )
        })
        .collect();
    let rules_fired = fired
        .into_iter()
        .map(|(id, n)| FiredRule {
            rule: *rules::rule(id),
            occurrences: n,
        })
        .collect();
    let deploy = crate::dialect::oceanbase::deploy_order(&objects)
        .into_iter()
        .map(str::to_string)
        .collect();
    Report {
        format: "sluice-assess/1",
        tool: format!("sluice {}", env!("CARGO_PKG_VERSION")),
        source: source_label,
        target: Target {
            dialect: "OceanBase (MySQL mode)",
            capabilities,
        },
        options,
        files,
        summary: Summary {
            objects: overall.total,
            script_lines,
            parse_errors,
            by_kind,
            overall,
            findings_by_class,
            top_blockers: top,
            effort,
            line,
        },
        objects,
        diagnostics,
        notes,
        rules: rules_fired,
        deploy,
        sizes,
    }
}

impl Report {
    /// A flat CSV of findings (one row per finding).
    pub fn findings_csv(&self) -> String {
        fn field(s: &str) -> String {
            format!("\"{}\"", s.replace('"', "\"\""))
        }
        let mut out = String::from("kind,object,status,rule,class,line,count,message,file\n");
        for o in &self.objects {
            for f in &o.findings {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{}\n",
                    snake(&o.kind),
                    field(&o.name),
                    snake(&o.status),
                    f.rule,
                    snake(&f.class),
                    f.line.map(|l| l.to_string()).unwrap_or_default(),
                    f.count,
                    field(&f.message),
                    field(o.origin.as_ref().map(|x| x.file.as_str()).unwrap_or(""))
                ));
            }
        }
        out
    }

    /// The deploy script for the `mysql` client.
    pub fn deploy_script(&self) -> String {
        crate::dialect::oceanbase::deploy_script(&self.objects)
    }

    /// A terminal summary.
    pub fn terminal_summary(&self) -> String {
        let s = &self.summary;
        let mut out = String::new();
        out.push_str(&format!(
            "sluice assess — {} files, {} lines, target: {}\n\n",
            self.files.len(),
            s.script_lines,
            self.target.capabilities.version
        ));
        out.push_str(&format!(
            "{:<20} {:>6} {:>10} {:>9} {:>7} {:>12} {:>10}\n",
            "kind", "total", "unchanged", "changed", "manual", "unsupported", "automatic"
        ));
        for k in s.by_kind.iter().chain(std::iter::once(&s.overall)) {
            out.push_str(&format!(
                "{:<20} {:>6} {:>10} {:>9} {:>7} {:>12} {:>9.1}%\n",
                k.kind, k.total, k.unchanged, k.changed, k.manual, k.unsupported, k.automatic_pct
            ));
        }
        if let Some(z) = &self.sizes {
            out.push_str(&format!(
                "\nsource data: {} rows in {} tables, {} reserved ({} used, {} data)\n",
                z.total_rows,
                z.tables.len(),
                human_bytes(z.total_reserved_bytes),
                human_bytes(z.total_used_bytes),
                human_bytes(z.total_data_bytes)
            ));
            for n in &z.notes {
                out.push_str(&format!("  note: {n}\n"));
            }
        }
        out.push_str(&format!(
            "\nestimated manual effort: {:.1} person-days ({:.1} h; routines {:.1} h, findings {:.1} h, learning {:.1} h)\n",
            s.effort.person_days, s.effort.person_hours, s.effort.routine_hours, s.effort.occurrence_hours, s.effort.learning_hours
        ));
        if s.parse_errors > 0 {
            out.push_str(&format!(
                "statements that did not parse: {} (listed in the report)\n",
                s.parse_errors
            ));
        }
        if !s.top_blockers.is_empty() {
            out.push_str("\ntop blocking reasons:\n");
            for b in s.top_blockers.iter().take(5) {
                out.push_str(&format!(
                    "  {:<26} {:>4} objects  {}\n",
                    b.rule, b.objects, b.title
                ));
            }
        }
        out.push_str(&format!("\n{}\n", s.line));
        out
    }
}

/// The serde (snake_case) name of a unit enum value.
pub fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_engine::schema::{ObjectName, Table, TableStats};

    fn table(name: &str, stats: Option<TableStats>) -> Table {
        let mut t = Table::new(ObjectName::new("dbo", name), Vec::new());
        t.stats = stats;
        t
    }

    #[test]
    fn sizes_sum_sort_largest_first_and_keep_notes_once() {
        let sized = |rows, pages: u64| TableStats {
            rows: Some(rows),
            reserved_bytes: Some(pages * 8192),
            used_bytes: Some(pages * 8192 - 8192),
            data_bytes: Some(8192),
            note: None,
        };
        let z = SourceSizes::of(&[
            table("small", Some(sized(10, 2))),
            table("big", Some(sized(5000, 300))),
            table("script_only", None),
        ])
        .unwrap();
        assert_eq!(
            z.tables
                .iter()
                .map(|t| t.table.as_str())
                .collect::<Vec<_>>(),
            ["dbo.big", "dbo.small"]
        );
        assert_eq!(z.total_rows, 5010);
        assert_eq!(z.total_reserved_bytes, Some(302 * 8192));
        assert_eq!(z.total_data_bytes, Some(2 * 8192));
        assert!(z.notes.is_empty());
        // Babelfish: counted rows, no sizes, one note for all tables.
        let counted = |rows| TableStats {
            rows: Some(rows),
            note: Some("sizes unknown".into()),
            ..TableStats::default()
        };
        let z =
            SourceSizes::of(&[table("a", Some(counted(3))), table("b", Some(counted(0)))]).unwrap();
        assert_eq!((z.total_rows, z.total_reserved_bytes), (3, None));
        assert_eq!(z.notes, ["sizes unknown"]);
        // Scripts carry no sizes at all.
        assert_eq!(SourceSizes::of(&[table("a", None)]), None);
    }

    #[test]
    fn bytes_read_like_sp_spaceused() {
        assert_eq!(human_bytes(None), "n/a");
        assert_eq!(human_bytes(Some(0)), "0 B");
        assert_eq!(human_bytes(Some(8192)), "8.0 KB");
        assert_eq!(human_bytes(Some(3 << 20)), "3.0 MB");
        assert_eq!(human_bytes(Some(1536 << 20)), "1.5 GB");
    }

    #[test]
    fn a_live_catalog_reports_sizes_in_json_html_and_terminal() {
        let mut cat = sluice_engine::schema::Catalog::default();
        let mut t = table("visits", None);
        t.columns.push(sluice_engine::schema::Column::new(
            "id",
            sluice_engine::schema::SourceType::named("int"),
        ));
        t.stats = Some(TableStats {
            rows: Some(245_231),
            reserved_bytes: Some(40 << 20),
            used_bytes: Some(39 << 20),
            data_bytes: Some(30 << 20),
            note: None,
        });
        cat.tables.push(t);
        let r = super::super::assess_catalog(&cat, &Default::default());
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["sizes"]["total_rows"], 245_231);
        assert_eq!(json["sizes"]["tables"][0]["table"], "dbo.visits");
        assert_eq!(json["sizes"]["tables"][0]["reserved_bytes"], 40u64 << 20);
        let html = super::super::html::render(&r);
        assert!(
            html.contains("Source tables by size") && html.contains("40.0 MB"),
            "sizes missing from the page"
        );
        assert!(r
            .terminal_summary()
            .contains("245231 rows in 1 tables, 40.0 MB reserved"));
    }
}
