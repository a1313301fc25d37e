//! `sluice convert`, differential: every routine of `examples/routines` that
//! the converter deploys runs twice on the same fixture rows — the original
//! T-SQL on Babelfish (a real T-SQL server) and the converted routine on
//! seekdb (the OceanBase 4.3.5 kernel) — and what a caller observes is
//! compared: result sets, OUTPUT parameters, return value, raised error and
//! table effects. The cases and the accepted differences (each with its
//! reason) are in `examples/routines/behaviour.toml`.
//!
//! Needs `SLUICE_BABELFISH_URL` (the URL `../shared/babelfish/up.sh` prints);
//! without it the test prints a SKIPPED line and passes.
//!
//! Where Babelfish deviates from SQL Server (its README's traps), the test
//! follows SQL Server's documentation and says so:
//! - trap 1 (FK checks fail after a temp table in the same session): a case
//!   whose routine, or a routine it calls, uses a `#temp` table or a table
//!   variable runs in a fresh Babelfish session and leaves it behind;
//! - computed columns Babelfish rejects as "generation expression is not
//!   immutable" (`Patient.FullName`, `Patient.AgeYears`, `Visit.VisitDate`,
//!   `Visit.VisitDay`) are left out of its copy of the schema; no routine of
//!   the corpus reads them;
//! - `WITH CHECK ADD CONSTRAINT` is sent as `ADD CONSTRAINT` (same meaning),
//!   constraints SQL Server has disabled (`NOCHECK CONSTRAINT`) are not added,
//!   and indexes Babelfish lacks (columnstore, XML, spatial) are left out;
//! - `rowversion` needs `escape_hatch_rowversion` and takes no explicit
//!   value, so its fixture rows differ per side (see the manifest);
//! - a `QUOTED_IDENTIFIER OFF` procedure runs with the session setting OFF:
//!   SQL Server keeps the module's setting, Babelfish re-reads the body under
//!   the session's; and its `""` (the empty string there) is sent as `''`,
//!   which Babelfish otherwise rejects as a zero-length identifier;
//! - Babelfish names an unaliased expression column after the function
//!   (SQL Server leaves it unnamed), so the manifest's own SELECTs alias them;
//! - where Babelfish's behaviour is not SQL Server's documented one, the case
//!   says so (`sql_server_differs`) or the difference is listed as a Babelfish
//!   deviation in the manifest's `[[known]]` entries.

use sluice_convert::routine::Status;
use sluice_convert::{check, Options, ScriptFile};
use sluice_mssql::connect::exec_batch;
use sluice_mssql::{connect, MssqlConfig};
use sluice_testkit::{Babelfish, SeekDb};
use sluice_tests::behaviour::{self as bh, Case, Manifest, Observed};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SCHEMAS: &[&str] = &["dbo", "clin", "lab", "pharm", "bill"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The hospital schema's batches as Babelfish can take them (see the module docs).
fn babelfish_schema_batches() -> Vec<String> {
    let mut out = Vec::new();
    let mut disabled = BTreeSet::new();
    let mut all = Vec::new();
    for f in [
        "01_database_and_types.sql",
        "02_tables.sql",
        "03_indexes_constraints.sql",
    ] {
        let text = std::fs::read_to_string(repo().join("examples/hospital").join(f)).unwrap();
        let mut cur = String::new();
        for line in text.lines() {
            if line.trim().eq_ignore_ascii_case("GO") {
                all.push(std::mem::take(&mut cur));
            } else {
                cur.push_str(line);
                cur.push('\n');
            }
        }
        all.push(cur);
    }
    for b in &all {
        if let Some(i) = b.find(" NOCHECK CONSTRAINT [") {
            let rest = &b[i + " NOCHECK CONSTRAINT [".len()..];
            disabled.insert(rest[..rest.find(']').unwrap()].to_string());
        }
    }
    for b in all {
        let body: String = b
            .lines()
            .filter(|l| !l.trim_start().starts_with("/*") && !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let up = body.to_uppercase();
        if body.is_empty()
            || up.starts_with("USE ")
            || up.starts_with("CREATE DATABASE")
            || up.starts_with("ALTER DATABASE")
            || up.contains("CHECK CONSTRAINT [")
            || up.contains("COLUMNSTORE INDEX")
            || up.contains("XML INDEX")
            || up.contains("SPATIAL INDEX")
            || up.contains("[GEOGRAPHY]")
            || up.contains("[HIERARCHYID]")
            || up.contains("SP_ADDEXTENDEDPROPERTY")
        {
            continue;
        }
        if disabled
            .iter()
            .any(|c| body.contains(&format!("CONSTRAINT [{c}]")))
        {
            continue;
        }
        let body = body
            .replace("WITH CHECK ADD", "ADD")
            .replace("WITH NOCHECK ADD", "ADD")
            .replace("NOT FOR REPLICATION", "")
            .replace("NO CACHE", "");
        let body: String = body
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                !(t.starts_with("[FullName]")
                    || t.starts_with("[AgeYears]")
                    || t.starts_with("[VisitDate]")
                    || t.starts_with("[VisitDay]"))
            })
            .collect::<Vec<_>>()
            .join("\n");
        if body.contains("[IX_Visit_Date]") {
            continue;
        }
        out.push(body);
    }
    out
}

struct Obj {
    /// The corpus file's name (`01_registration.sql`).
    file: String,
    routine: sluice_convert::ast::Routine,
    source: String,
    status: Status,
    compile_error: Option<String>,
    babelfish_error: Option<String>,
}

fn key_of(r: &sluice_convert::ast::Routine) -> String {
    let n = &r.name.0;
    let schema = if n.len() >= 2 { &n[n.len() - 2] } else { "dbo" };
    format!("{schema}.{}", n.last().unwrap()).to_lowercase()
}

#[derive(Default)]
struct Tally {
    cases: usize,
    identical: usize,
    known: Vec<String>,
    different: Vec<String>,
}

#[tokio::test(flavor = "multi_thread")]
async fn converted_routines_behave_like_their_originals() {
    let Some(bf) = Babelfish::from_env_or_skip() else {
        return;
    };
    let started = std::time::Instant::now();
    let manifest = Manifest::load(&repo().join("examples/routines/behaviour.toml"));

    // ---- seekdb: converted schema, converted routines, fixture rows.
    let server = SeekDb::shared();
    let tdb = server.fresh_database().await;
    let db = tdb.name.clone();
    let files = sluice_tsql::assess::read_scripts(&repo().join("examples/hospital")).unwrap();
    let opts = sluice_tsql::assess::AssessOptions {
        convert: sluice_tsql::dialect::oceanbase::ConvertOptions {
            database: Some(db.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let report = sluice_tsql::assess::assess_files(&files, &opts);
    let mut my = mysql_async::Conn::from_url(server.url()).await.unwrap();
    use mysql_async::prelude::Queryable;
    for s in &report.deploy {
        my.query_drop(s)
            .await
            .unwrap_or_else(|e| panic!("schema: {e}\n{s}"));
    }
    // Fixture rows before the routines, as on Babelfish: no trigger fires on them.
    let fixture_ob = manifest.fixture.for_side(&manifest.fixture.seekdb);
    for stmt in bh::statements(&fixture_ob) {
        let sql = bh::to_mysql(&stmt, &db, SCHEMAS);
        my.query_drop(&sql)
            .await
            .unwrap_or_else(|e| panic!("seekdb fixture: {e}\n{sql}"));
    }
    for other in &manifest.other_databases {
        my.query_drop(format!("CREATE DATABASE IF NOT EXISTS `{}`", other.name))
            .await
            .unwrap();
        my.query_drop(format!("USE `{}`", other.name))
            .await
            .unwrap();
        for stmt in bh::statements(&other.seekdb_sql()) {
            let sql = bh::to_mysql(&stmt, &db, SCHEMAS);
            my.query_drop(&sql)
                .await
                .unwrap_or_else(|e| panic!("seekdb {}: {e}\n{sql}", other.name));
        }
    }
    let scripts = ScriptFile::read_dir(&repo().join("examples/routines")).unwrap();
    let schema = ScriptFile::read_dir(&repo().join("examples/hospital")).unwrap();
    let conv = sluice_convert::convert(
        &scripts,
        &schema,
        &Options {
            database: Some(db.clone()),
        },
    );
    let checked = check::check(&server.url(), &conv).await.expect("check");
    my.query_drop(format!("USE `{db}`")).await.unwrap();
    // Babelfish runs in UTC; GETDATE() and NOW() must read the same clock.
    my.query_drop("SET time_zone = '+00:00'").await.unwrap();

    // Every object of the corpus, with its parsed header and conversion status.
    let mut objs: BTreeMap<String, Obj> = BTreeMap::new();
    let mut order = Vec::new();
    for s in &scripts {
        for o in sluice_convert::parser::parse_objects(&s.text) {
            let Ok(r) = o.routine else {
                panic!("corpus object {} did not parse", o.name)
            };
            let key = key_of(&r);
            let rep = conv
                .objects
                .iter()
                .find(|x| x.file == s.path && x.line == o.line)
                .expect("conversion of every parsed object");
            let compile_error = checked
                .iter()
                .filter(|c| c.source_name == rep.converted.source_name)
                .find_map(|c| c.error.clone());
            order.push(key.clone());
            objs.insert(
                key,
                Obj {
                    file: Path::new(&s.path)
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    routine: r,
                    source: o.source,
                    status: rep.converted.status,
                    compile_error,
                    babelfish_error: None,
                },
            );
        }
    }
    assert!(objs.len() >= 80, "the corpus has at least 80 objects");

    let t_seekdb = started.elapsed().as_secs_f64();
    // ---- Babelfish: a scratch database with the schema and the originals.
    let base = MssqlConfig::from_ado(bf.ado_url()).expect("SLUICE_BABELFISH_URL parses");
    let bdb = format!(
        "s_convbeh_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
            % 100_000
    );
    let mut master = connect(&base.with_database("master")).await.unwrap();
    reap_stale(&mut master).await;
    exec_batch(
        &mut master,
        "create db",
        &format!("CREATE DATABASE [{bdb}]"),
    )
    .await
    .unwrap();
    // Databases the corpus reaches with three-part names: shared names on the
    // server, so created if missing, refilled, and dropped at the end.
    for other in &manifest.other_databases {
        let _ = exec_batch(
            &mut master,
            "other database",
            &format!("IF DB_ID('{0}') IS NULL CREATE DATABASE [{0}]", other.name),
        )
        .await;
        let mut o = connect(&base.with_database(other.name.clone()))
            .await
            .unwrap();
        for stmt in bh::statements(&other.babelfish_sql()) {
            if let (_, Some(e)) = bh::tds_run(&mut o, &stmt).await {
                panic!("Babelfish {}: {e:?}\n{stmt}", other.name);
            }
        }
    }
    let cfg = base.with_database(bdb.clone());
    let mut t = connect(&cfg).await.unwrap();
    exec_batch(
        &mut t,
        "rowversion hatch",
        "EXEC sp_babelfish_configure 'escape_hatch_rowversion', 'ignore'",
    )
    .await
    .unwrap();
    for b in babelfish_schema_batches() {
        exec_batch(&mut t, "schema", &b)
            .await
            .unwrap_or_else(|e| panic!("Babelfish schema: {e}\n{b}"));
    }
    // Fixture rows on both sides.
    let ident: BTreeSet<String> = bh::tds_run(
        &mut t,
        "SELECT s.name + '.' + o.name FROM sys.identity_columns c JOIN sys.objects o ON o.object_id = c.object_id JOIN sys.schemas s ON s.schema_id = o.schema_id",
    )
    .await
    .0
    .into_iter()
    .flatten()
    .map(|r| r[0].to_lowercase())
    .collect();
    let fixture_bf = manifest.fixture.for_side(&manifest.fixture.babelfish);
    for stmt in bh::statements(&fixture_bf) {
        let table = insert_table(&stmt);
        let sql = match table.filter(|t| ident.contains(&t.replace(['[', ']'], "").to_lowercase()))
        {
            Some(t) => {
                format!("SET IDENTITY_INSERT {t} ON;\n{stmt};\nSET IDENTITY_INSERT {t} OFF;")
            }
            None => stmt.clone(),
        };
        if let (_, Some(e)) = bh::tds_run(&mut t, &sql).await {
            panic!("Babelfish fixture: {e:?}\n{sql}");
        }
    }
    // The originals of every deployed object (flagged ones are deployed on neither side).
    for key in &order {
        let o = objs.get_mut(key).unwrap();
        if o.status == Status::Manual {
            continue;
        }
        let mut src = o.source.trim().to_string();
        if src
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("ALTER"))
        {
            src = format!("CREATE{}", &src[5..]);
        }
        if o.routine.quoted_identifier_off {
            // Under QUOTED_IDENTIFIER OFF `""` is the empty string; Babelfish
            // rejects it as a zero-length identifier, so send it as `''`.
            src = src.replace("\"\"", "''");
        }
        let qi = if o.routine.quoted_identifier_off {
            "SET QUOTED_IDENTIFIER OFF"
        } else {
            "SET QUOTED_IDENTIFIER ON"
        };
        let _ = exec_batch(&mut t, "qi", qi).await;
        if let Err(e) = exec_batch(&mut t, "create routine", &src).await {
            o.babelfish_error = Some(e.to_string());
        }
        let _ = exec_batch(&mut t, "qi", "SET QUOTED_IDENTIFIER ON").await;
    }
    drop(t);

    let t_babelfish = started.elapsed().as_secs_f64() - t_seekdb;
    // ---- The cases, in order, on both sides.
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut report_lines = Vec::new();
    // A Babelfish session is a PostgreSQL backend whose first statements are
    // slow (cold catalog caches): sessions are reused where trap 1 allows.
    let mut tds: Option<bh::Tds> = None;
    for (n, case) in manifest.cases.iter().enumerate() {
        let key = case.routine.to_lowercase();
        let o = objs
            .get(&key)
            .unwrap_or_else(|| panic!("case {n}: no routine {} in the corpus", case.routine));
        assert!(
            o.status != Status::Manual,
            "case {n}: {} is flagged by the converter: it is deployed on neither side",
            case.routine
        );
        if let Some(e) = &o.babelfish_error {
            let t = tallies.entry(key.clone()).or_default();
            t.cases += 1;
            t.different
                .push(format!("Babelfish did not create it: {e}"));
            report_lines.push(format!(
                "case {n} {} — Babelfish did not create it: {e}",
                case.routine
            ));
            continue;
        }
        // Babelfish trap 1: FK checks fail after temp-table work in the same
        // session (seen even inside one call: usp_Visit_Start → usp_Order_Create
        // with its table variable), so a case whose routine or any routine it
        // calls uses a #temp table or a table variable runs in a fresh
        // session and leaves it; so does one that switches QUOTED_IDENTIFIER
        // off.
        let isolated = uses_temp_tables(&key, &objs, &mut BTreeSet::new())
            || o.routine.quoted_identifier_off
            || case
                .tsql
                .as_deref()
                .or(case.sql.as_deref())
                .is_some_and(|t| t.contains('#'));
        if isolated {
            tds = None;
        }
        if tds.is_none() {
            tds = Some(connect(&cfg).await.unwrap());
        }
        // Both sides at once: routines that read the clock (GETDATE, DATEDIFF
        // from now) then see nearly the same instant.
        let (bfo, obo) = tokio::join!(
            run_babelfish(tds.as_mut().unwrap(), o, case, &manifest),
            run_seekdb(&mut my, &db, n, o, case, &manifest)
        );
        if isolated {
            tds = None;
        }
        if std::env::var_os("SLUICE_BEHAVIOUR_VERBOSE").is_some() {
            eprintln!(
                "case {n} {}\n  Babelfish {bfo:?}\n  seekdb    {obo:?}",
                case.routine
            );
        }
        let diffs = bh::differences(&bfo, &obo, case.unordered);
        let tally = tallies.entry(key.clone()).or_default();
        tally.cases += 1;
        if let Some(why) = &case.sql_server_differs {
            tally.known.push(why.clone());
            report_lines.push(format!(
                "case {n} {} — Babelfish is not SQL Server here: {why}",
                case.routine
            ));
        }
        if diffs.is_empty() {
            tally.identical += 1;
            continue;
        }
        let known = manifest.known.iter().find(|k| {
            k.routine.eq_ignore_ascii_case(&case.routine)
                && (k.parts.is_empty() || diffs.iter().all(|(p, _)| k.parts.contains(p)))
        });
        let text = diffs
            .iter()
            .map(|(p, d)| format!("    {p}: {d}"))
            .collect::<Vec<_>>()
            .join("\n");
        match known {
            Some(k) => {
                tally.known.push(k.reason.clone());
                report_lines.push(format!(
                    "case {n} {} — known difference: {}\n{text}",
                    case.routine, k.reason
                ));
            }
            None => {
                tally.different.push(text.clone());
                report_lines.push(format!(
                    "case {n} {} — UNEXPLAINED difference{}\n{text}",
                    case.routine,
                    case.note
                        .as_deref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
                ));
            }
        }
    }

    // ---- Summary.
    // Counts for the original 80 objects (files 01–09) and for the whole corpus.
    #[derive(Default)]
    struct Counts {
        objects: usize,
        compiled: usize,
        identical: usize,
        known: usize,
        flagged: usize,
        skipped: usize,
        different: usize,
    }
    let mut all = Counts::default();
    let mut original = Counts::default();
    let mut table =
        String::from("\nroutine                                  kind       compiled  behaviour\n");
    for key in &order {
        let o = &objs[key];
        let kind = bh::kind_label(&o.routine.kind);
        let comp = match (&o.status, &o.compile_error) {
            (Status::Manual, _) => "flagged",
            (_, Some(_)) => "NO",
            _ => "yes",
        };
        let mut c = Counts {
            objects: 1,
            compiled: (comp == "yes") as usize,
            ..Default::default()
        };
        let behaviour = if o.status == Status::Manual {
            c.flagged = 1;
            "not deployed (flagged for a person)".to_string()
        } else if let Some(t) = tallies.get(key) {
            if !t.different.is_empty() {
                c.different = 1;
                format!("DIFFERENT ({} of {} cases)", t.different.len(), t.cases)
            } else if !t.known.is_empty() {
                c.known = 1;
                format!("known difference: {}", t.known[0])
            } else {
                c.identical = 1;
                format!("identical ({} cases)", t.cases)
            }
        } else {
            c.skipped = 1;
            match manifest
                .skips
                .iter()
                .find(|s| s.routine.eq_ignore_ascii_case(key))
            {
                Some(s) => format!("skipped: {}", s.reason),
                None => "skipped: NO CASE AND NO REASON".to_string(),
            }
        };
        let is_original = !o.file.starts_with("10_");
        for (target, yes) in [(&mut all, true), (&mut original, is_original)] {
            if yes {
                target.objects += c.objects;
                target.compiled += c.compiled;
                target.identical += c.identical;
                target.known += c.known;
                target.flagged += c.flagged;
                target.skipped += c.skipped;
                target.different += c.different;
            }
        }
        table.push_str(&format!("{key:<40} {kind:<10} {comp:<9} {behaviour}\n"));
    }
    for (label, c) in [
        ("original corpus (files 01-09)", &original),
        ("whole corpus", &all),
    ] {
        table.push_str(&format!(
            "\n{label}: {} objects: compiled on seekdb {}, behaviour-identical {}, known difference {}, flagged {}, skipped {}, unexplained {}",
            c.objects, c.compiled, c.identical, c.known, c.flagged, c.skipped, c.different
        ));
    }
    table.push_str(&format!(
        "\n{} cases; {:.1} s: seekdb setup {t_seekdb:.1}, Babelfish setup {t_babelfish:.1}, cases {:.1}\n",
        manifest.cases.len(),
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64() - t_seekdb - t_babelfish
    ));
    let different = all.different;
    for l in &report_lines {
        table.push_str(l);
        table.push('\n');
    }
    // Straight to the process's stderr: shown whether or not the harness captures output.
    {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{table}");
    }

    drop(tds);
    let _ = exec_batch(&mut master, "drop db", &format!("DROP DATABASE [{bdb}]")).await;
    for other in &manifest.other_databases {
        let _ = exec_batch(
            &mut master,
            "drop other database",
            &format!("DROP DATABASE [{}]", other.name),
        )
        .await;
    }

    let no_reason: Vec<&String> = order
        .iter()
        .filter(|k| {
            objs[*k].status != Status::Manual
                && !tallies.contains_key(*k)
                && !manifest
                    .skips
                    .iter()
                    .any(|s| s.routine.eq_ignore_ascii_case(k))
        })
        .collect();
    assert!(
        no_reason.is_empty(),
        "deployed routines with neither a case nor a reason to skip: {no_reason:?} \
         (add a [[case]], or a [[skip]] with the reason, to examples/routines/behaviour.toml)"
    );
    let not_compiled: Vec<_> = objs
        .iter()
        .filter(|(_, o)| o.compile_error.is_some())
        .map(|(k, o)| format!("{k}: {}", o.compile_error.as_deref().unwrap()))
        .collect();
    assert!(
        not_compiled.is_empty(),
        "seekdb rejected: {not_compiled:#?}"
    );
    assert_eq!(different, 0, "unexplained differences (see above)");
}

/// Whether a routine, or any routine it EXECs (by `schema.name`), uses a
/// `#temp` table or a table variable.
fn uses_temp_tables(key: &str, objs: &BTreeMap<String, Obj>, seen: &mut BTreeSet<String>) -> bool {
    if !seen.insert(key.to_string()) {
        return false;
    }
    let Some(o) = objs.get(key) else {
        return false;
    };
    let text = o.source.to_lowercase();
    if text.contains('#') || text.contains(" table (") || text.contains(" table(") {
        return true;
    }
    objs.keys()
        .filter(|k| *k != key && text.contains(k.as_str()))
        .cloned()
        .collect::<Vec<_>>()
        .iter()
        .any(|k| uses_temp_tables(k, objs, seen))
}

/// `[s].[t]` of `INSERT INTO [s].[t] ...`.
fn insert_table(stmt: &str) -> Option<String> {
    let rest = stmt.trim_start().strip_prefix("INSERT INTO ")?;
    let end = rest.find(" (").or_else(|| rest.find('('))?;
    Some(rest[..end].trim().to_string())
}

async fn run_babelfish(tds: &mut bh::Tds, o: &Obj, case: &Case, m: &Manifest) -> Observed {
    let mut ob = Observed::default();
    if o.routine.quoted_identifier_off {
        // SQL Server keeps a module's QUOTED_IDENTIFIER setting with it;
        // Babelfish re-reads the body under the session's, so set it.
        let _ = bh::tds_run(tds, "SET QUOTED_IDENTIFIER OFF").await;
    }
    if let Some(b) = &case.before {
        for s in bh::statements(b) {
            if let (_, Some(e)) = bh::tds_run(tds, &s).await {
                panic!("Babelfish before: {e:?}\n{s}");
            }
        }
    }
    let (mut sets, mut names, err) = match case.tsql.as_ref().or(case.sql.as_ref()) {
        Some(sql) => bh::tds_run_named(tds, sql).await,
        None => bh::tds_run_named(tds, &bh::tsql_call(&o.routine, case)).await,
    };
    // T-SQL goes on after RAISERROR, so the outputs may follow an error;
    // they are compared only when neither side raised one.
    let outputs = bh::take_outputs(&mut sets, &mut names);
    ob.columns = names;
    if err.is_none() {
        ob.outputs = outputs.unwrap_or_default();
    }
    ob.results = sets;
    ob.error = err;
    let _ = bh::tds_run(tds, "IF @@TRANCOUNT > 0 ROLLBACK").await;
    if !case.effects.is_empty() {
        // One batch, one result set per effect query.
        let q: Vec<&str> = case
            .effects
            .iter()
            .map(|e| m.effects.get(e).unwrap_or(e).as_str())
            .collect();
        let q = q.join(";\n");
        let (s, err) = bh::tds_run(tds, &q).await;
        if let Some(err) = err {
            panic!("Babelfish effect query: {err:?}\n{q}");
        }
        assert_eq!(
            s.len(),
            case.effects.len(),
            "one result set per effect query\n{q}"
        );
        ob.effects = s;
    }
    ob
}

async fn run_seekdb(
    my: &mut mysql_async::Conn,
    db: &str,
    n: usize,
    o: &Obj,
    case: &Case,
    m: &Manifest,
) -> Observed {
    use mysql_async::prelude::Queryable;
    let mut ob = Observed::default();
    if let Some(b) = &case.before {
        for s in bh::statements(b) {
            let s = bh::to_mysql(&s, db, SCHEMAS);
            my.query_drop(&s)
                .await
                .unwrap_or_else(|e| panic!("seekdb before: {e}\n{s}"));
        }
    }
    match case.mysql.as_ref().or(case.sql.as_ref()) {
        Some(sql) => {
            let (sets, names, err) = bh::my_run_named(my, &bh::to_mysql(sql, db, SCHEMAS)).await;
            ob.results = sets;
            ob.columns = names;
            ob.error = err;
        }
        None => {
            let (setup, call, outs) = bh::mysql_call(&o.routine, case, db, n);
            for s in setup {
                my.query_drop(&s).await.unwrap();
            }
            let (sets, names, err) = bh::my_run_named(my, &call).await;
            ob.results = sets;
            ob.columns = names;
            ob.error = err;
            if ob.error.is_none() {
                let (mut s, _) = bh::my_run(my, &outs).await;
                ob.outputs = s
                    .pop()
                    .and_then(|s| s.into_iter().next())
                    .unwrap_or_default();
            }
        }
    }
    let _ = my.query_drop("ROLLBACK").await;
    for e in &case.effects {
        let q = bh::to_mysql(m.effects.get(e).unwrap_or(e), db, SCHEMAS);
        let (mut s, err) = bh::my_run(my, &q).await;
        if let Some(err) = err {
            panic!("seekdb effect query: {err:?}\n{q}");
        }
        ob.effects.push(s.pop().unwrap_or_default());
    }
    ob
}

/// Drops scratch databases of this test left by processes that no longer run.
async fn reap_stale(master: &mut bh::Tds) {
    let (sets, _) = bh::tds_run(
        master,
        "SELECT name FROM sys.databases WHERE name LIKE 's[_]convbeh[_]%'",
    )
    .await;
    for r in sets.into_iter().flatten() {
        let name = &r[0];
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let _ = exec_batch(master, "drop stale", &format!("DROP DATABASE [{name}]")).await;
    }
}
