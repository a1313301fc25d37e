//! The conversion rules, one module per construct family, over one shared
//! per-routine context ([`Cx`]).
//!
//! Every rule that fires records a [`Finding`] with its rule id and source
//! line; a rule that cannot convert a construct exactly records a
//! [`Severity::Manual`] finding, which keeps the whole object out of the
//! deploy script. Nothing is approximated without a finding.

pub mod capture;
pub mod catalog;
mod cursor;
mod dml;
mod errors;
mod exec;
mod expr;
mod funcs;
mod merge;
mod query;
mod stmt;
pub mod temp;
pub mod tvf;

pub use catalog::{rule, Rule, RULES};

use crate::ast::*;
use crate::schema::SchemaInfo;
use crate::types::{map_type, Family};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// How a finding affects its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Dropped on purpose, with the reason (e.g. `SET NOCOUNT ON`).
    Ignored,
    /// Converted exactly.
    Converted,
    /// Converted; a documented semantic difference a person should review.
    Review,
    /// Not converted: a person must do it. The object is not deployed.
    Manual,
}

/// One thing the converter did or could not do, with its source line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id from the catalog.
    pub rule: &'static str,
    /// Effect on the object.
    pub severity: Severity,
    /// Source line (in the file).
    pub line: u32,
    /// Plain-words detail.
    pub message: String,
}

/// A known procedure's signature, for `EXEC` → `CALL` expansion.
#[derive(Debug, Clone)]
pub struct ProcSig {
    /// Target name, quoted and qualified.
    pub target: String,
    /// Parameters in order.
    pub params: Vec<Param>,
    /// Whether the converted procedure has the extra return-value OUT parameter.
    pub returns_value: bool,
    /// Whether it may send result sets (a SELECT without assignment, an
    /// EXEC, dynamic SQL): `INSERT ... EXEC` of one that cannot inserts nothing.
    pub result_sets: bool,
}

/// Conversion settings shared by all objects.
#[derive(Debug, Clone)]
pub struct Env {
    /// Main target database (schema `dbo`); schema `s` goes to `<main>_<s>`.
    pub database: String,
    /// The source tables.
    pub schema: SchemaInfo,
    /// Known procedures by lower-case `schema.name`.
    pub procs: HashMap<String, ProcSig>,
    /// Known scalar functions by lower-case `schema.name`.
    pub functions: BTreeSet<String>,
    /// Known views by lower-case `schema.name`.
    pub views: BTreeSet<String>,
    /// The source database name (three-part names naming it are local).
    pub source_database: Option<String>,
    /// `#temp` tables created (by CREATE TABLE) in exactly one routine.
    pub shared_temps: HashMap<String, SharedTemp>,
    /// Inline table-valued functions by lower-case `schema.name`: their
    /// parameters and query, expanded where they are used in FROM/APPLY.
    pub inline_tvfs: HashMap<String, (Vec<Param>, Query)>,
    /// `INSERT ... EXEC` sites served by a copy of the callee that inserts
    /// its result sets, by [`capture::site_key`].
    pub captures: HashMap<String, capture::Capture>,
}

impl Env {
    /// The target database of a source schema.
    pub fn database_of(&self, schema: Option<&str>) -> String {
        match schema.filter(|s| !s.is_empty()) {
            None => self.database.clone(),
            Some(s) if s.eq_ignore_ascii_case("dbo") => self.database.clone(),
            Some(s) => format!("{}_{}", self.database, s),
        }
    }

    /// Is `s` a schema of some source table?
    pub fn known_schema(&self, s: &str) -> bool {
        self.schema.has_schema(s)
    }

    /// Back-quoted `db`.`name` for an object of this database.
    pub fn qualified(&self, schema: Option<&str>, name: &str) -> String {
        format!("{}.{}", quote(&self.database_of(schema)), quote(name))
    }
}

/// Back-quotes an identifier.
pub fn quote(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

/// A MySQL string literal.
pub fn string_lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

/// A variable in scope.
#[derive(Debug, Clone)]
pub(crate) struct VarInfo {
    pub target: String,
    pub ty: DataType,
}

/// A `#temp` table or table variable, held in a work table.
#[derive(Debug, Clone)]
pub(crate) struct TempInfo {
    /// Quoted, qualified work table.
    pub table: String,
    /// Columns and their source types.
    pub columns: Vec<(String, Option<DataType>)>,
    /// The identity column, numbered by the converter (from 1 per call).
    pub identity: Option<String>,
    /// Created by a calling routine, not this one: not cleared here.
    pub borrowed: bool,
}

/// A `#temp` table created by exactly one routine, usable by the routines it calls.
#[derive(Debug, Clone)]
pub struct SharedTemp {
    /// The creating routine's name.
    pub creator: String,
    /// Quoted, qualified work table.
    pub table: String,
    /// Columns and source types.
    pub columns: Vec<(String, Option<DataType>)>,
    /// Identity column.
    pub identity: Option<String>,
}

/// What a FROM alias refers to, for column types.
#[derive(Debug, Clone)]
pub(crate) struct ScopeEntry {
    pub alias: String,
    pub columns: Vec<(String, Option<DataType>)>,
    /// A trigger's `inserted`/`deleted`: its columns are `NEW.c`/`OLD.c`
    /// (`None`: the pseudo table is empty for this event, columns are NULL).
    pub pseudo: Option<Option<&'static str>>,
}

/// Per-routine conversion state.
pub(crate) struct Cx<'e> {
    pub env: &'e Env,
    pub kind: RoutineKind,
    pub routine_name: String,
    pub line_offset: u32,
    pub vars: HashMap<String, VarInfo>,
    pub temps: HashMap<String, TempInfo>,
    pub cursors: Vec<(String, String)>,
    pub ctes: Vec<String>,
    /// Column names and types of the CTEs in scope (from their first SELECT).
    pub cte_cols: HashMap<String, Vec<(String, Option<DataType>)>>,
    pub scopes: Vec<Vec<ScopeEntry>>,
    pub findings: Vec<Finding>,
    /// Declarations hoisted to the top of the routine, in order.
    pub decls: Vec<String>,
    /// Statements the deploy script runs before the routine (work tables).
    pub pre_deploy: Vec<String>,
    pub uses_error: bool,
    pub uses_rowcount: bool,
    pub uses_fetch: bool,
    pub uses_trancount: bool,
    pub xact_abort: bool,
    pub returns_value: bool,
    pub loop_labels: Vec<String>,
    pub counter: u32,
    pub rowcount_valid: bool,
    pub in_catch: Vec<(String, String)>,
    pub in_try: u32,
    /// Trigger: which pseudo tables exist for this event.
    pub trigger_event: Option<String>,
    pub trigger_table: Option<crate::schema::TableInfo>,
    /// Labels and the converted statements from each label to the end.
    pub goto_tails: HashMap<String, Vec<Stmt>>,
    pub current_line: u32,
    /// The routine reads @@ERROR: reset the flag before each statement.
    pub error_checked: bool,
    pub goto_depth: u32,
    pub uses_print: bool,
    /// The routine's own schema (its work tables go to that database).
    pub routine_schema: Option<String>,
    /// Variables assigned exactly once, from a string literal.
    pub literal_vars: HashMap<String, String>,
    /// Variables holding dynamic SQL text, with the sp_executesql parameter
    /// names their text may use: every assignment to them is checked.
    pub sql_vars: HashMap<String, Vec<String>>,
}

impl<'e> Cx<'e> {
    pub(crate) fn new(env: &'e Env, kind: RoutineKind, routine_name: String) -> Self {
        Cx {
            env,
            kind,
            routine_name,
            line_offset: 0,
            vars: HashMap::new(),
            temps: HashMap::new(),
            cursors: Vec::new(),
            ctes: Vec::new(),
            cte_cols: HashMap::new(),
            scopes: Vec::new(),
            findings: Vec::new(),
            decls: Vec::new(),
            pre_deploy: Vec::new(),
            uses_error: false,
            uses_rowcount: false,
            uses_fetch: false,
            uses_trancount: false,
            xact_abort: false,
            returns_value: false,
            loop_labels: Vec::new(),
            counter: 0,
            rowcount_valid: false,
            in_catch: Vec::new(),
            in_try: 0,
            trigger_event: None,
            trigger_table: None,
            goto_tails: HashMap::new(),
            current_line: 0,
            error_checked: false,
            goto_depth: 0,
            uses_print: false,
            routine_schema: None,
            literal_vars: HashMap::new(),
            sql_vars: HashMap::new(),
        }
    }

    /// Records a finding at the current statement's line.
    pub(crate) fn note(&mut self, rule_id: &'static str, message: impl Into<String>) {
        let r = rule(rule_id);
        let f = Finding {
            rule: r.id,
            severity: r.severity,
            line: self.current_line,
            message: message.into(),
        };
        if !self.findings.contains(&f) {
            self.findings.push(f);
        }
    }

    /// Records a finding that keeps the object out of deployment.
    pub(crate) fn manual(&mut self, rule_id: &'static str, message: impl Into<String>) -> String {
        let f = Finding {
            rule: rule(rule_id).id,
            severity: Severity::Manual,
            line: self.current_line,
            message: message.into(),
        };
        let text = format!(
            "/* sluice: NOT CONVERTED ({}): {} */",
            f.rule,
            f.message.replace("*/", "* /")
        );
        if !self.findings.contains(&f) {
            self.findings.push(f);
        }
        text
    }

    pub(crate) fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    /// The target name of `@name`.
    pub(crate) fn var(&mut self, name: &str) -> String {
        match self.vars.get(&name.to_lowercase()) {
            Some(v) => v.target.clone(),
            None => self.manual(
                "var.undeclared",
                format!("@{name} is not declared in this routine"),
            ),
        }
    }

    pub(crate) fn var_family(&self, name: &str) -> Family {
        self.vars
            .get(&name.to_lowercase())
            .map(|v| crate::types::family(&v.ty, &self.env.schema))
            .unwrap_or(Family::Unknown)
    }

    pub(crate) fn var_type(&self, name: &str) -> Option<DataType> {
        self.vars.get(&name.to_lowercase()).map(|v| v.ty.clone())
    }

    /// Declares a variable (hoisted), returning its target name.
    pub(crate) fn declare_var(&mut self, name: &str, ty: &DataType, prefix: &str) -> String {
        let target = format!("{prefix}{}", sanitize(name));
        let sql = match map_type(ty, &self.env.schema) {
            Some(m) => {
                if let Some(n) = &m.note {
                    let n = n.clone();
                    self.note("type.alias", n);
                }
                m.sql
            }
            None => {
                let d = crate::types::describe(ty);
                self.manual(
                    "type.unknown",
                    format!("type {d} of @{name} has no mapping"),
                );
                "TEXT".into()
            }
        };
        if prefix == "v_" && !self.vars.contains_key(&name.to_lowercase()) {
            self.decls.push(format!("DECLARE {target} {sql};"));
        }
        self.vars.insert(
            name.to_lowercase(),
            VarInfo {
                target: target.clone(),
                ty: ty.clone(),
            },
        );
        target
    }

    /// Declares a converter-internal variable once.
    pub(crate) fn internal_var(&mut self, name: &str, sql_type: &str, init: &str) {
        let d = format!("DECLARE {name} {sql_type} DEFAULT {init};");
        if !self.decls.contains(&d) {
            self.decls.push(d);
        }
    }
}

/// Turns a T-SQL variable name into a MySQL identifier body.
pub(crate) fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub(crate) use stmt::block;

/// A query's converted text.
pub(crate) fn query_text(cx: &mut Cx<'_>, q: &Query) -> String {
    query::query(cx, q)
}

/// The statements that clear this connection's work-table rows.
pub(crate) fn temp_cleanup(cx: &Cx<'_>) -> Vec<String> {
    temp::cleanup(cx)
}
