//! `sluice assess` from a live server against `sluice assess` on the scripts
//! the server was built from: the hospital sample (`examples/hospital`) is
//! loaded into a scratch Babelfish database (a real T-SQL server standing in
//! for SQL Server), then both assessments run through the binary and their
//! per-object findings are compared: same objects, same status, same rule ids.
//!
//! Needs `SLUICE_BABELFISH_URL` (the URL `../shared/babelfish/up.sh` prints);
//! without it the test prints a SKIPPED line and passes.
//!
//! The sample is loaded the way `scripts/lib/sample.sh` loads it (GO batches,
//! `USE`/`CREATE DATABASE`/`ALTER DATABASE` skipped, the session's escape
//! hatches set to `ignore`), plus `04_programmability.sql`, with these
//! adaptations where Babelfish rejects a batch:
//! - a computed column Babelfish cannot store ("generation expression is not
//!   immutable": it stores every computed column) is left out, non-persisted
//!   ones first;
//! - a sequence's `CACHE n` / `NO CACHE` clause is dropped (not in its grammar);
//! - a procedure's `WITH EXECUTE AS OWNER` is dropped (not supported);
//! - any other batch it rejects is skipped (geography / hierarchyid tables,
//!   XML / spatial / columnstore indexes, synonyms, and whatever depends on
//!   them). The filtered unique index is kept unique: no rows are loaded.
//!
//! Every difference between the two reports must be in [`ALLOWED`], with the
//! reason (the kit README's trap, or the Babelfish behaviour observed), and
//! what a real SQL Server would report (from SQL Server's documentation). The
//! test fails on a difference not listed and on a listed one that no longer
//! occurs, so the list stays true.
//!
//! Fixed in the catalog reader (`connectors/mssql/src/catalog.rs`) when this
//! test first ran, so no longer listed: every character column came back
//! with the database's collation as if declared (COL-COLLATION on every
//! table; SQL Server does the same in `sys.columns`); identity seed and
//! increment were NULL on Babelfish outside `dbo` (read as `IDENTITY(0, 0)`,
//! COL-IDENTITY-STEP); Babelfish's internal default on `rowversion` columns
//! (COL-DEFAULT-MANUAL; SQL Server allows none).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use sluice_mssql::connect::exec_batch;
use sluice_mssql::MssqlConfig;
use sluice_testkit::Babelfish;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

// Why a difference is expected. Each names the kit README's trap or the
// Babelfish behaviour observed, and what SQL Server itself reports.
const NAME_CASE: &str =
    "Babelfish reports sys.* names lowercased (observed, not in the kit README; \
    INFORMATION_SCHEMA.TABLES/COLUMNS keep the declared case, sys.objects does not); SQL Server \
    returns names as declared, so names are compared case-insensitively";
const DEFAULT_NAMES: &str =
    "trap 6: Babelfish replaces default-constraint names, so the reader drops \
    them; SQL Server keeps the given names and gives COL-DEFAULT-NAME as the scripts do";
const STORAGE_OPTIONS: &str =
    "sluice, not Babelfish: the live catalog reader does not read storage \
    options (sys.indexes.fill_factor, data_space_id); KEY-OPTIONS is class ignored (no effort); a \
    real SQL Server gives the same difference";
const SEQUENCES: &str =
    "trap 6: sys.sequences is empty on Babelfish; SQL Server lists the sequence";
const SYNONYMS: &str = "not created on Babelfish: 'CREATE SYNONYM' is not supported (kit README \
    feature table); SQL Server lists it in sys.synonyms";
const GEOGRAPHY: &str = "not created on Babelfish: 'GEOGRAPHY datatype' is not supported (spatial \
    types are not built into the kit)";
const HIERARCHYID: &str =
    "not created on Babelfish: 'HIERARCHYID datatype' is not supported (kit README feature table)";
const CLUSTERED: &str = "trap 6: every Babelfish table is a heap and every index NONCLUSTERED, so \
    the reader reports the primary key clustered; SQL Server reports the nonclustered key and the \
    clustered index (IDX-CLUSTERED, KEY-PK-NONCLUSTERED) as the scripts do";
const ROWGUIDCOL: &str = "Babelfish reports sys.columns.is_rowguidcol = 0 (observed, noted in \
    connectors/mssql/src/catalog.rs); SQL Server reports 1, giving COL-ROWGUIDCOL";
const SPARSE: &str =
    "Babelfish reports sys.columns.is_sparse = 0 (observed); SQL Server reports 1, \
    giving COL-SPARSE";
const NOCHECK: &str = "Babelfish ignores WITH NOCHECK and NOCHECK CONSTRAINT (escape hatch set to \
    ignore; kit README feature table), so the constraint is trusted and enabled live; SQL Server \
    reports is_not_trusted = 1 / is_disabled = 1 as the scripts say";
const FILTERS: &str = "Babelfish hides index filters (sys.indexes.has_filter = 0, no \
    filter_definition): a filtered index appears as a full one live, a filtered unique one as plain \
    unique (IDX-UNIQUE-NULLS); SQL Server reports the filter";
const DATETIME2_7: &str = "trap 3: Babelfish keeps microseconds, so a datetime2(7) / \
    datetimeoffset(7) column is reported with scale 6 and the 7th-digit finding does not fire; SQL \
    Server reports scale 7";
const NOT_IMMUTABLE: &str = "adapted: Babelfish stores every computed column and rejects this \
    expression (generation expression is not immutable), so the column was left out of its copy; \
    SQL Server has the column and gives the scripts' findings";
const PG_TEXT: &str =
    "trap 6: Babelfish returns expression text PostgreSQL-style (`~~*` for LIKE, \
    datediff('day', …), babelfish_conv_helper_to_date(…), nextval('…')), which the converter does \
    not parse, so the object goes manual; SQL Server returns T-SQL text and gives the scripts' \
    findings";
const UNPRINTABLE: &str = "Babelfish cannot print this computed column's expression \
    (sys.computed_columns.definition fails: 'unrecognized node type: 30'), so the reader marks it \
    unreadable (COL-COMPUTED-MANUAL); SQL Server returns the definition";
const EXECUTE_AS: &str =
    "adapted: Babelfish does not support EXECUTE AS OWNER on a procedure, so it \
    was created without the clause; SQL Server keeps it in sys.sql_modules (TSQL-EXECUTE-AS)";
const SPECIAL_INDEX: &str = "not created on Babelfish: XML and columnstore indexes are not \
    supported; SQL Server lists them in sys.indexes (types 3 and 6)";

/// Every expected difference: `(object, difference, reason)`. `object` is
/// `kind schema.name` lowercased, or `kind *` for every object of the kind;
/// `difference` is one of `missing live`, `only live`,
/// `status <scripts> -> <live>`, `rule <id> only in scripts`,
/// `rule <id> only live`; `("*", "name case")` stands for every object whose
/// name differs only in case.
const ALLOWED: &[(&str, &str, &str)] = &[
    ("*", "name case", NAME_CASE),
    (
        "table *",
        "rule COL-DEFAULT-NAME only in scripts",
        DEFAULT_NAMES,
    ),
    (
        "table *",
        "rule KEY-OPTIONS only in scripts",
        STORAGE_OPTIONS,
    ),
    ("sequence bill.invoicenumber", "missing live", SEQUENCES),
    ("sequence lab.specimennumber", "missing live", SEQUENCES),
    ("synonym dbo.legacypatient", "missing live", SYNONYMS),
    ("synonym dbo.patients", "missing live", SYNONYMS),
    ("synonym lab.results", "missing live", SYNONYMS),
    ("table dbo.facility", "missing live", GEOGRAPHY),
    ("table dbo.orgunit", "missing live", HIERARCHYID),
    (
        "procedure bill.usp_searchinvoices",
        "rule TSQL-EXECUTE-AS only in scripts",
        EXECUTE_AS,
    ),
    // clustered index + nonclustered primary key
    (
        "table bill.claim",
        "rule IDX-CLUSTERED only in scripts",
        CLUSTERED,
    ),
    (
        "table bill.claim",
        "rule KEY-PK-NONCLUSTERED only in scripts",
        CLUSTERED,
    ),
    (
        "table clin.vitalsign",
        "rule IDX-CLUSTERED only in scripts",
        CLUSTERED,
    ),
    (
        "table clin.vitalsign",
        "rule KEY-PK-NONCLUSTERED only in scripts",
        CLUSTERED,
    ),
    (
        "table dbo.patientcontact",
        "rule IDX-CLUSTERED only in scripts",
        CLUSTERED,
    ),
    (
        "table dbo.patientcontact",
        "rule KEY-PK-NONCLUSTERED only in scripts",
        CLUSTERED,
    ),
    (
        "table bill.claim",
        "rule COL-ROWGUIDCOL only in scripts",
        ROWGUIDCOL,
    ),
    (
        "table dbo.patient",
        "rule COL-ROWGUIDCOL only in scripts",
        ROWGUIDCOL,
    ),
    (
        "table dbo.auditlog",
        "rule COL-SPARSE only in scripts",
        SPARSE,
    ),
    // WITH NOCHECK / NOCHECK CONSTRAINT
    (
        "table clin.admission",
        "rule CHECK-NOT-ENFORCED only in scripts",
        NOCHECK,
    ),
    (
        "table lab.labresult",
        "rule CHECK-NOT-ENFORCED only in scripts",
        NOCHECK,
    ),
    (
        "table clin.visit",
        "rule FK-NOT-TRUSTED only in scripts",
        NOCHECK,
    ),
    (
        "table dbo.allergy",
        "rule FK-DISABLED only in scripts",
        NOCHECK,
    ),
    // filtered indexes
    (
        "table clin.admission",
        "rule IDX-FILTER-UNIQUE only in scripts",
        FILTERS,
    ),
    (
        "table clin.admission",
        "rule IDX-UNIQUE-NULLS only live",
        FILTERS,
    ),
    (
        "table clin.visit",
        "rule IDX-FILTER-DROPPED only in scripts",
        FILTERS,
    ),
    (
        "table dbo.patient",
        "rule IDX-FILTER-NOT-NULL only in scripts",
        FILTERS,
    ),
    (
        "table dbo.patient",
        "rule IDX-UNIQUE-NULLS only live",
        FILTERS,
    ),
    (
        "table lab.specimen",
        "rule IDX-FILTER-NOT-NULL only in scripts",
        FILTERS,
    ),
    (
        "table lab.specimen",
        "rule IDX-UNIQUE-NULLS only live",
        FILTERS,
    ),
    // datetime2(7)
    (
        "table clin.clinicalnote",
        "rule TYPE-DATETIME2-PRECISION only in scripts",
        DATETIME2_7,
    ),
    (
        "table dbo.patient",
        "rule TYPE-DATETIME2-PRECISION only in scripts",
        DATETIME2_7,
    ),
    (
        "table dbo.patientidentifier",
        "rule TYPE-DATETIME2-PRECISION only in scripts",
        DATETIME2_7,
    ),
    (
        "table lab.labresult",
        "rule TYPE-DATETIME2-PRECISION only in scripts",
        DATETIME2_7,
    ),
    // computed columns left out (Patient.FullName/AgeYears, Visit.VisitDate/VisitDay)
    (
        "table dbo.patient",
        "rule COL-COMPUTED only in scripts",
        NOT_IMMUTABLE,
    ),
    (
        "table dbo.patient",
        "rule COL-COMPUTED-MANUAL only in scripts",
        NOT_IMMUTABLE,
    ),
    (
        "table dbo.patient",
        "rule EXPR-CONCAT only in scripts",
        NOT_IMMUTABLE,
    ),
    (
        "table dbo.patient",
        "rule EXPR-FUNCTION only in scripts",
        NOT_IMMUTABLE,
    ),
    (
        "table clin.visit",
        "rule COL-COMPUTED only in scripts",
        NOT_IMMUTABLE,
    ),
    (
        "table clin.visit",
        "rule EXPR-CONVERT-STYLE only in scripts",
        NOT_IMMUTABLE,
    ),
    // PostgreSQL-style expression text
    (
        "table clin.admission",
        "rule COL-COMPUTED only in scripts",
        PG_TEXT,
    ),
    (
        "table clin.admission",
        "rule EXPR-DATEDIFF only in scripts",
        PG_TEXT,
    ),
    (
        "table clin.admission",
        "rule COL-COMPUTED-MANUAL only live",
        PG_TEXT,
    ),
    (
        "table clin.diagnosis",
        "rule CHECK-LIKE-PATTERN only in scripts",
        PG_TEXT,
    ),
    (
        "table clin.diagnosis",
        "rule CHECK-MANUAL only live",
        PG_TEXT,
    ),
    ("table clin.diagnosis", "status changed -> manual", PG_TEXT),
    (
        "table dbo.patient",
        "rule CHECK-LIKE-PATTERN only in scripts",
        PG_TEXT,
    ),
    ("table dbo.patient", "rule CHECK-MANUAL only live", PG_TEXT),
    (
        "table dbo.patientaddress",
        "rule COL-DEFAULT-NOW only in scripts",
        PG_TEXT,
    ),
    (
        "table dbo.patientaddress",
        "rule COL-DEFAULT-MANUAL only live",
        PG_TEXT,
    ),
    (
        "table dbo.patientaddress",
        "status changed -> manual",
        PG_TEXT,
    ),
    (
        "table lab.specimen",
        "rule COL-DEFAULT-SEQUENCE only in scripts",
        PG_TEXT,
    ),
    (
        "table lab.specimen",
        "rule COL-DEFAULT-MANUAL only live",
        PG_TEXT,
    ),
    // IsPrimary AS (case when [Rank]=(1) then CONVERT([bit],(1)) else CONVERT([bit],(0)) end)
    (
        "table clin.visitdiagnosis",
        "rule COL-COMPUTED only in scripts",
        UNPRINTABLE,
    ),
    (
        "table clin.visitdiagnosis",
        "rule EXPR-FUNCTION only in scripts",
        UNPRINTABLE,
    ),
    (
        "table clin.visitdiagnosis",
        "rule COL-COMPUTED-MANUAL only live",
        UNPRINTABLE,
    ),
    (
        "table clin.visitdiagnosis",
        "status changed -> manual",
        UNPRINTABLE,
    ),
    (
        "table clin.clinicalnote",
        "rule IDX-SPECIAL only in scripts",
        SPECIAL_INDEX,
    ),
    (
        "table lab.labresult",
        "rule IDX-COLUMNSTORE only in scripts",
        SPECIAL_INDEX,
    ),
];

/// Whether the allow-list entry `(obj, diff)` covers the difference `d`.
fn covers(obj: &str, diff: &str, d: &(String, String)) -> bool {
    diff == d.1
        && match obj.strip_suffix(" *") {
            Some(kind) => d.0.split_once(' ').is_some_and(|(k, _)| k == kind),
            None => obj == d.0,
        }
}

/// Drops and creates a scratch database on Babelfish. Retried: Babelfish fails
/// concurrent CREATE DATABASE with "tuple concurrently updated".
async fn fresh_db(cfg: &MssqlConfig, db: &str) {
    for attempt in 0..10 {
        let mut c = sluice_mssql::connect(cfg).await.unwrap();
        let r = exec_batch(
            &mut c,
            "recreate",
            &format!("IF DB_ID('{db}') IS NOT NULL DROP DATABASE {db}; CREATE DATABASE {db}"),
        )
        .await;
        match r {
            Ok(()) => return,
            Err(e) if attempt < 9 && e.to_string().contains("concurrently") => {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await
            }
            Err(e) => panic!("creating {db}: {e}"),
        }
    }
}

/// The batches of one script (split on `GO` lines).
fn batches(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.trim().eq_ignore_ascii_case("GO") {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    out.push(cur);
    out
}

/// The batch without comments, whitespace collapsed (for classifying and logs).
fn code_of(batch: &str) -> String {
    let mut s = String::new();
    let mut rest = batch;
    while let Some(i) = rest.find("/*") {
        s.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    s.push_str(rest);
    let s: Vec<&str> = s
        .lines()
        .map(|l| l.split_once("--").map_or(l, |(a, _)| a))
        .collect();
    s.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `[Name] AS (…)` lines of a CREATE TABLE: computed columns.
fn computed_lines(batch: &str) -> Vec<&str> {
    batch
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with('[')
                && t.find(']')
                    .is_some_and(|i| t[i + 1..].trim_start().starts_with("AS ("))
        })
        .collect()
}

fn without_lines(batch: &str, drop: &[&str]) -> String {
    batch
        .lines()
        .filter(|l| !drop.contains(l))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn column_names(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads `examples/hospital` into `db`; returns the load log (one line per
/// adapted or skipped batch).
async fn load_sample(cfg: &MssqlConfig) -> Vec<String> {
    let mut c = sluice_mssql::connect(cfg).await.unwrap();
    // Session-level escape hatches, as scripts/lib/sample.sh sets them.
    exec_batch(
        &mut c,
        "hatches",
        "EXEC sp_babelfish_configure '%', 'ignore'",
    )
    .await
    .unwrap();
    let mut log = Vec::new();
    let dir = repo().join("examples/hospital");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        for b in batches(text) {
            let code = code_of(&b);
            let up = code.to_uppercase();
            if code.is_empty()
                || up.starts_with("USE ")
                || up.starts_with("CREATE DATABASE")
                || up.starts_with("ALTER DATABASE")
            {
                continue;
            }
            let head: String = code.chars().take(80).collect();
            let Err(e) = exec_batch(&mut c, "load", &b).await else {
                continue;
            };
            let err = e.to_string();
            let mut adapted = None;
            if err.contains("not immutable") {
                let comp = computed_lines(&b);
                let soft: Vec<&str> = comp
                    .iter()
                    .copied()
                    .filter(|l| !l.contains("PERSISTED"))
                    .collect();
                let mut tries: Vec<Vec<&str>> = soft.iter().map(|l| vec![*l]).collect();
                tries.push(soft.clone());
                tries.push(comp.clone());
                for drop in tries.into_iter().filter(|d| !d.is_empty()) {
                    if exec_batch(&mut c, "load", &without_lines(&b, &drop))
                        .await
                        .is_ok()
                    {
                        adapted = Some(format!(
                            "without computed column(s) {} (generation expression is not immutable)",
                            column_names(&drop)
                        ));
                        break;
                    }
                }
            } else if err.contains("CACHE") {
                let lines: Vec<&str> = b
                    .lines()
                    .filter(|l| {
                        let t = l.trim().to_uppercase();
                        t == "NO CACHE" || t.starts_with("CACHE ")
                    })
                    .collect();
                if exec_batch(&mut c, "load", &without_lines(&b, &lines))
                    .await
                    .is_ok()
                {
                    adapted = Some("without the CACHE clause".to_string());
                }
            } else if err.contains("EXECUTE AS") {
                let lines: Vec<&str> = b
                    .lines()
                    .filter(|l| l.trim().to_uppercase().starts_with("WITH EXECUTE AS"))
                    .collect();
                if exec_batch(&mut c, "load", &without_lines(&b, &lines))
                    .await
                    .is_ok()
                {
                    adapted = Some("without WITH EXECUTE AS".to_string());
                }
            }
            match adapted {
                Some(how) => log.push(format!("adapted  {name}: {head} -- {how}")),
                None => {
                    let err: String = err.split_whitespace().collect::<Vec<_>>().join(" ");
                    let err: String = err.chars().take(140).collect();
                    log.push(format!("skipped  {name}: {head} -- {err}"))
                }
            }
        }
    }
    log
}

fn assess(args: &[&str], out: &Path) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .arg("assess")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "sluice assess {:?} failed:\n{}{}",
        args.first(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&std::fs::read(out.join("assess.json")).unwrap()).unwrap()
}

/// An object's status and rule ids, and its name as the report spells it.
type Obj = (String, BTreeSet<String>, String);

/// `kind schema.name` (name lowercased: T-SQL names are case-insensitive here,
/// and Babelfish reports most of them lowercased) → object.
fn objects(report: &serde_json::Value) -> BTreeMap<String, Obj> {
    let mut out = BTreeMap::new();
    for o in report["objects"].as_array().unwrap() {
        let name = o["name"].as_str().unwrap().to_string();
        let key = format!("{} {}", o["kind"].as_str().unwrap(), name.to_lowercase());
        let rules = o["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        let prev = out.insert(
            key.clone(),
            (o["status"].as_str().unwrap().into(), rules, name),
        );
        assert!(prev.is_none(), "two objects {key} in one report");
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_assess_matches_the_scripts_assess() {
    let Some(bf) = Babelfish::from_env_or_skip() else {
        return;
    };
    let started = std::time::Instant::now();
    let db = format!("assess_live_{}", std::process::id());
    let cfg = MssqlConfig::from_ado(bf.ado_url()).unwrap();
    fresh_db(&cfg, &db).await;
    let log = load_sample(&cfg.with_database(&db)).await;
    eprintln!("loaded examples/hospital into Babelfish database {db}:");
    for l in &log {
        eprintln!("  {l}");
    }

    let out = tempfile::tempdir().unwrap();
    let hospital = repo().join("examples/hospital");
    let scripts = assess(
        &["--scripts", hospital.to_str().unwrap()],
        &out.path().join("scripts"),
    );
    let source = format!("{};database={db}", bf.ado_url());
    let live = assess(&["--source", &source], &out.path().join("live"));
    let (s, l) = (objects(&scripts), objects(&live));

    // Every difference, as `(object, difference)`.
    let mut diffs: BTreeSet<(String, String)> = BTreeSet::new();
    let mut identical = 0;
    let mut cased = 0;
    let keys: BTreeSet<&String> = s.keys().chain(l.keys()).collect();
    for k in &keys {
        match (s.get(*k), l.get(*k)) {
            (Some(_), None) => {
                diffs.insert((k.to_string(), "missing live".into()));
            }
            (None, Some(_)) => {
                diffs.insert((k.to_string(), "only live".into()));
            }
            (Some((ss, sr, sn)), Some((ls, lr, ln))) => {
                if sn != ln {
                    // Counted apart: a name's case is not a finding.
                    cased += 1;
                }
                let before = diffs.len();
                if ss != ls {
                    diffs.insert((k.to_string(), format!("status {ss} -> {ls}")));
                }
                for r in sr.difference(lr) {
                    diffs.insert((k.to_string(), format!("rule {r} only in scripts")));
                }
                for r in lr.difference(sr) {
                    diffs.insert((k.to_string(), format!("rule {r} only live")));
                }
                if diffs.len() == before {
                    identical += 1;
                }
            }
            (None, None) => unreachable!(),
        }
    }
    if cased > 0 {
        diffs.insert(("*".into(), "name case".into()));
    }

    let reason = |d: &(String, String)| {
        ALLOWED
            .iter()
            .find(|(o, x, _)| covers(o, x, d))
            .map(|(_, _, why)| *why)
    };
    let unexpected: Vec<&(String, String)> = diffs.iter().filter(|d| reason(d).is_none()).collect();
    let stale: Vec<(&str, &str)> = ALLOWED
        .iter()
        .filter(|(o, x, _)| !diffs.iter().any(|d| covers(o, x, d)))
        .map(|(o, x, _)| (*o, *x))
        .collect();
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &diffs {
        if let Some(why) = reason(d) {
            *by_reason.entry(why).or_default() += if d.0 == "*" { cased } else { 1 };
        }
    }
    eprintln!(
        "assess live vs scripts: {} objects compared ({} in the scripts' report, {} live), \
         {identical} identical, {} allowed differences, {} unexpected, {} stale allow-list \
         entries ({:.1}s)",
        keys.len(),
        s.len(),
        l.len(),
        by_reason.values().sum::<usize>(),
        unexpected.len(),
        stale.len(),
        started.elapsed().as_secs_f64()
    );
    for (why, n) in &by_reason {
        let short: String = why.chars().take(110).collect();
        eprintln!("  {n:>3} × {short}…");
    }
    let mut failures = String::new();
    for (o, d) in &unexpected {
        let detail = match (s.get(o), l.get(o)) {
            (Some(a), Some(b)) => format!("    scripts: {a:?}\n    live:    {b:?}\n"),
            _ => String::new(),
        };
        failures.push_str(&format!("  unexpected: (\"{o}\", \"{d}\")\n{detail}"));
    }
    for (o, d) in &stale {
        failures.push_str(&format!("  no longer occurs: (\"{o}\", \"{d}\")\n"));
    }
    // The scratch database is no longer needed (the load log above says what it held).
    if let Ok(mut c) = sluice_mssql::connect(&cfg).await {
        let _ = exec_batch(&mut c, "drop", &format!("DROP DATABASE {db}")).await;
    }
    assert!(
        failures.is_empty(),
        "live assess differs from the scripts' assess:\n{failures}"
    );
}
