//! sluice's converter of T-SQL procedures, functions, triggers and views to
//! OceanBase (MySQL mode) routines.
//!
//! - [`parser`] reads the procedural half of T-SQL (on `sluice-tsql`'s lexer);
//! - [`rules`] converts, one module per construct family, recording every
//!   rule applied or construct flagged with its source line;
//! - [`routine`] assembles target routines;
//! - [`output`] writes per-object files, the deploy script and the report;
//! - [`check`] creates each object on a live target and records errors.
//!
//! Never silently wrong: a construct that cannot be converted exactly flags
//! its object ([`routine::Status::Manual`]) with the construct and line, and
//! flagged objects are kept out of the deploy script.

pub mod ast;
pub mod check;
pub mod html;
pub mod output;
pub mod parser;
pub mod routine;
pub mod rules;
pub mod schema;
pub mod types;

use routine::{Converted, Status};
use rules::{Env, Finding, ProcSig, Severity};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A script file's name and decoded text.
#[derive(Debug, Clone)]
pub struct ScriptFile {
    /// Path as given (used in reports).
    pub path: String,
    /// Decoded text.
    pub text: String,
}

impl ScriptFile {
    /// Reads a file in any of the encodings exporters write (UTF-8/16, GBK/GB18030).
    pub fn read(path: &std::path::Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        Ok(ScriptFile {
            path: path.display().to_string(),
            text: sluice_tsql::decode::decode(&bytes).text,
        })
    }

    /// Every `.sql` file of a folder, sorted by name.
    pub fn read_dir(dir: &std::path::Path) -> std::io::Result<Vec<Self>> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")))
            .collect();
        paths.sort();
        paths.iter().map(|p| Self::read(p)).collect()
    }
}

/// Conversion settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Main target database (for schema `dbo`); default: the scripts' `USE`, else `dbo`.
    pub database: Option<String>,
}

/// The report entry of one source object.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectReport {
    /// File it came from.
    pub file: String,
    /// First line in that file.
    pub line: u32,
    /// The conversion.
    #[serde(flatten)]
    pub converted: Converted,
    /// Distinct rule ids that fired.
    pub rules: Vec<&'static str>,
    /// The T-SQL source.
    pub source: String,
    /// The converted text (all target statements, `;`-free CREATEs).
    pub target: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Objects found.
    pub objects: usize,
    /// Converted exactly.
    pub converted: usize,
    /// Converted with review notes.
    pub review: usize,
    /// Flagged for a person.
    pub manual: usize,
}

/// The result of a conversion run.
#[derive(Debug, Clone, Serialize)]
pub struct Conversion {
    /// The target database for `dbo`.
    pub database: String,
    /// Tables known from the schema scripts.
    pub tables_known: usize,
    /// Per object.
    pub objects: Vec<ObjectReport>,
    /// Counts.
    pub summary: Summary,
}

/// Converts every routine of `scripts`, with tables read from `schema`
/// scripts (and from `scripts` themselves).
pub fn convert(scripts: &[ScriptFile], schema: &[ScriptFile], opts: &Options) -> Conversion {
    let mut all: Vec<(String, String)> = schema
        .iter()
        .map(|s| (s.path.clone(), s.text.clone()))
        .collect();
    all.extend(scripts.iter().map(|s| (s.path.clone(), s.text.clone())));
    let schema_info = schema::SchemaInfo::from_scripts(&all);
    let source_db = all.iter().find_map(|(_, t)| use_database(t));
    let database = opts
        .database
        .clone()
        .or_else(|| source_db.clone())
        .unwrap_or_else(|| "dbo".into());
    let parsed: Vec<(String, parser::ParsedObject)> = scripts
        .iter()
        .flat_map(|s| {
            parser::parse_objects(&s.text)
                .into_iter()
                .map(move |o| (s.path.clone(), o))
        })
        .collect();
    let mut env = Env {
        database: database.clone(),
        schema: schema_info,
        procs: HashMap::new(),
        functions: BTreeSet::new(),
        views: BTreeSet::new(),
        source_database: source_db,
        shared_temps: HashMap::new(),
        inline_tvfs: HashMap::new(),
        captures: HashMap::new(),
    };
    env.shared_temps = shared_temps(&env, &parsed);
    for (_, o) in &parsed {
        let Ok(r) = &o.routine else { continue };
        let schema = if r.name.0.len() >= 2 {
            Some(r.name.0[r.name.0.len() - 2].clone())
        } else {
            None
        };
        let key =
            format!("{}.{}", schema.as_deref().unwrap_or("dbo"), r.name.last()).to_lowercase();
        match r.kind {
            ast::RoutineKind::TableFunction => {
                if let Ok((q, _)) = rules::tvf::mstvf_query(r) {
                    env.inline_tvfs.insert(key.clone(), (r.params.clone(), q));
                    env.procs.insert(
                        key,
                        ProcSig {
                            target: env.qualified(schema.as_deref(), r.name.last()),
                            params: r.params.clone(),
                            returns_value: false,
                            result_sets: true,
                        },
                    );
                }
            }
            ast::RoutineKind::Procedure | ast::RoutineKind::InlineTableFunction => {
                if r.kind == ast::RoutineKind::InlineTableFunction {
                    if let Some(ast::StmtKind::Select(q)) = r.body.first().map(|s| &s.kind) {
                        env.inline_tvfs
                            .insert(key.clone(), (r.params.clone(), (**q).clone()));
                    }
                }
                env.procs.insert(
                    key,
                    ProcSig {
                        target: env.qualified(schema.as_deref(), r.name.last()),
                        params: r.params.clone(),
                        returns_value: r.kind == ast::RoutineKind::Procedure
                            && routine::returns_value(&r.body),
                        result_sets: r.kind != ast::RoutineKind::Procedure
                            || routine::may_return_rows(&r.body),
                    },
                );
            }
            ast::RoutineKind::ScalarFunction => {
                env.functions.insert(key);
            }
            ast::RoutineKind::View => {
                env.views.insert(key);
            }
            _ => {}
        }
    }
    let routines: Vec<&ast::Routine> = parsed
        .iter()
        .filter_map(|(_, o)| o.routine.as_ref().ok())
        .collect();
    env.captures = rules::capture::plan(&routines, &env.shared_temps);
    for c in env.captures.values() {
        let schema = (c.routine.name.0.len() >= 2)
            .then(|| c.routine.name.0[c.routine.name.0.len() - 2].clone());
        env.procs.insert(
            c.key.clone(),
            ProcSig {
                target: env.qualified(schema.as_deref(), c.routine.name.last()),
                params: c.routine.params.clone(),
                returns_value: routine::returns_value(&c.routine.body),
                result_sets: false,
            },
        );
    }
    let mut objects = Vec::new();
    for (file, o) in parsed {
        let converted = match &o.routine {
            Ok(r) => {
                let mut c = routine::convert_routine(&env, r, &o.source, 0);
                routine::add_captures(&env, r, &mut c);
                c
            }
            Err(e) => Converted {
                source_name: o.name.clone(),
                kind: ast::RoutineKind::Procedure,
                status: Status::Manual,
                findings: vec![Finding {
                    rule: "parse.error",
                    severity: Severity::Manual,
                    line: e.pos.line,
                    message: format!("header not parsed: {}", e.message),
                }],
                objects: Vec::new(),
            },
        };
        let mut rules: Vec<&'static str> = converted.findings.iter().map(|f| f.rule).collect();
        rules.sort();
        rules.dedup();
        let target = converted
            .objects
            .iter()
            .map(|t| {
                let mut s: String = t.pre_deploy.iter().map(|p| format!("{p};\n\n")).collect();
                s.push_str(&t.create);
                s
            })
            .collect::<Vec<_>>()
            .join("\n\n");
        objects.push(ObjectReport {
            file,
            line: o.line,
            converted,
            rules,
            source: o.source,
            target,
        });
    }
    let mut summary = Summary {
        objects: objects.len(),
        ..Default::default()
    };
    for o in &objects {
        match o.converted.status {
            Status::Converted => summary.converted += 1,
            Status::Review => summary.review += 1,
            Status::Manual => summary.manual += 1,
        }
    }
    Conversion {
        database,
        tables_known: env.schema.table_count(),
        objects,
        summary,
    }
}

/// `#temp` tables created by `CREATE TABLE` in exactly one routine, with the
/// work table that routine's conversion gives them.
fn shared_temps(
    env: &Env,
    parsed: &[(String, parser::ParsedObject)],
) -> HashMap<String, rules::SharedTemp> {
    let mut seen: HashMap<String, Vec<rules::SharedTemp>> = HashMap::new();
    for (_, o) in parsed {
        let Ok(r) = &o.routine else { continue };
        let schema = if r.name.0.len() >= 2 {
            Some(r.name.0[r.name.0.len() - 2].as_str())
        } else {
            None
        };
        let mut stack: Vec<&ast::Stmt> = r.body.iter().collect();
        while let Some(s) = stack.pop() {
            match &s.kind {
                ast::StmtKind::CreateTable(n, cols) if n.is_temp() => {
                    let table = format!(
                        "{}.{}",
                        rules::quote(&env.database_of(schema)),
                        rules::quote(&rules::temp::work_table_for(r.name.last(), n.last()))
                    );
                    seen.entry(n.last().to_lowercase())
                        .or_default()
                        .push(rules::SharedTemp {
                            creator: r.name.last().to_string(),
                            table,
                            columns: cols
                                .iter()
                                .map(|c| (c.name.clone(), Some(c.ty.clone())))
                                .collect(),
                            identity: cols.iter().find(|c| c.identity).map(|c| c.name.clone()),
                        });
                }
                ast::StmtKind::If(_, t, e) => {
                    stack.push(t);
                    if let Some(e) = e {
                        stack.push(e);
                    }
                }
                ast::StmtKind::While(_, b) => stack.push(b),
                ast::StmtKind::Block(b) => stack.extend(b.iter()),
                ast::StmtKind::TryCatch(t, c) => stack.extend(t.iter().chain(c.iter())),
                _ => {}
            }
        }
    }
    seen.into_iter()
        .filter(|(_, v)| v.len() == 1)
        .map(|(k, mut v)| (k, v.remove(0)))
        .collect()
}

/// The database a script switches to (`USE [Hospital]`), ignoring `master`.
fn use_database(text: &str) -> Option<String> {
    let toks = sluice_tsql::lexer::tokenize(text);
    let toks: Vec<_> = toks.iter().filter(|t| !t.is_trivia()).collect();
    toks.windows(2)
        .filter(|w| w[0].is_keyword("USE"))
        .map(|w| w[1].text.clone())
        .rfind(|d| !d.eq_ignore_ascii_case("master"))
}
