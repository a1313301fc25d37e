//! Conversion of the schema model to OceanBase (MySQL mode) DDL.
//!
//! Input is a [`Catalog`] (from scripts or the live catalog), the target's
//! [`Capabilities`] and the user's [`ConvertOptions`]; output is one
//! [`ObjectReport`] per source object with its target DDL and every change
//! recorded as a [`Finding`] that cites a rule of [`rules::RULES`].

pub mod capabilities;
mod ddl;
pub mod expr;
mod objects;
pub mod rules;
pub mod types;

pub use capabilities::Capabilities;
use rules::Class;
use serde::{Deserialize, Serialize};
use sluice_engine::schema::{Catalog, ObjectName, Origin, Table};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Where SQL Server schemas go on the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum SchemaMapping {
    /// `dbo` → the main database; schema `s` → database `<main>_<s>`.
    DatabasePerSchema,
    /// Everything in the main database; tables of schema `s` are named `<s>_<table>` (`dbo` unprefixed).
    PrefixTables,
}

/// Conversion choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConvertOptions {
    /// Main target database; defaults to the source database name (from `USE`), else `dbo`.
    pub database: Option<String>,
    /// Schema placement.
    pub schema_mapping: SchemaMapping,
    /// Type choices.
    pub types: types::TypeOptions,
    /// Collation of created databases (and of columns without COLLATE).
    pub default_collation: String,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            database: None,
            schema_mapping: SchemaMapping::DatabasePerSchema,
            types: types::TypeOptions::default(),
            default_collation: "utf8mb4_general_ci".into(),
        }
    }
}

/// The kind of a reported object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// A target database created for a schema.
    Database,
    /// A table (with its indexes and constraints).
    Table,
    /// A view.
    View,
    /// A stored procedure.
    Procedure,
    /// A function.
    Function,
    /// A trigger.
    Trigger,
    /// A sequence.
    Sequence,
    /// A synonym.
    Synonym,
    /// A user-defined type.
    Type,
    /// A statement that did not parse.
    Unparsed,
}

impl ObjectKind {
    /// Plural label for reports.
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Database => "databases",
            ObjectKind::Table => "tables",
            ObjectKind::View => "views",
            ObjectKind::Procedure => "procedures",
            ObjectKind::Function => "functions",
            ObjectKind::Trigger => "triggers",
            ObjectKind::Sequence => "sequences",
            ObjectKind::Synonym => "synonyms",
            ObjectKind::Type => "user types",
            ObjectKind::Unparsed => "unparsed statements",
        }
    }
}

/// An object's overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Converts with no change in behaviour.
    Unchanged,
    /// Converts automatically; some findings may ask for review.
    Changed,
    /// Needs a person.
    Manual,
    /// Has no equivalent.
    Unsupported,
}

impl Status {
    /// Words for reports.
    pub fn label(self) -> &'static str {
        match self {
            Status::Unchanged => "converts unchanged",
            Status::Changed => "converts with changes",
            Status::Manual => "needs manual work",
            Status::Unsupported => "unsupported",
        }
    }
}

/// One change or problem, tied to a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// Class (from the rule).
    pub class: Class,
    /// What happened, naming the column/constraint/construct.
    pub message: String,
    /// Source line, when known (the first occurrence's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// How many occurrences this finding stands for (effort scales with it).
    pub count: u32,
    /// Script of `line`, when it is not the object's own script.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// One source object's conversion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectReport {
    /// What it is.
    pub kind: ObjectKind,
    /// Source name (`schema.name`).
    pub name: String,
    /// Target name (`` `db`.`name` ``), when something is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Outcome.
    pub status: Status,
    /// Findings in source order.
    pub findings: Vec<Finding>,
    /// Statements that create it on the target.
    pub ddl: Vec<String>,
    /// Statements to run after every table exists (foreign keys).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_ddl: Vec<String>,
    /// Where it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl ObjectReport {
    /// A report with no findings yet.
    pub fn new(kind: ObjectKind, name: String, origin: Option<Origin>) -> Self {
        ObjectReport {
            kind,
            name,
            target: None,
            status: Status::Unchanged,
            findings: Vec::new(),
            ddl: Vec::new(),
            post_ddl: Vec::new(),
            origin,
        }
    }

    /// Records a finding for `rule`.
    pub fn add(&mut self, rule: &'static str, message: impl Into<String>, line: Option<u32>) {
        let r = rules::rule(rule);
        self.findings.push(Finding {
            rule: r.id,
            class: r.class,
            message: message.into(),
            line: line.or_else(|| self.origin.as_ref().map(|o| o.line)),
            count: 1,
            file: None,
        });
    }

    /// Records a finding located in a given script and line.
    pub fn add_at(
        &mut self,
        rule: &'static str,
        message: impl Into<String>,
        at: Option<(String, u32)>,
    ) {
        match at {
            Some((file, line)) => {
                let elsewhere = self.origin.as_ref().is_none_or(|o| o.file != file);
                self.add(rule, message, Some(line));
                if elsewhere {
                    if let Some(f) = self.findings.last_mut() {
                        f.file = Some(file);
                    }
                }
            }
            None => self.add(rule, message, None),
        }
    }

    /// Sets `status` from the findings.
    pub fn settle(&mut self) {
        let worst = self.findings.iter().map(|f| f.class).max();
        self.status = match worst {
            Some(Class::Unsupported) => Status::Unsupported,
            Some(Class::Manual) => Status::Manual,
            Some(Class::Auto) | Some(Class::Review) => Status::Changed,
            Some(Class::Ignored) | None => Status::Unchanged,
        };
    }
}

/// The conversion of a whole catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    /// One report per object, in deploy order.
    pub objects: Vec<ObjectReport>,
}

impl Conversion {
    /// Every statement in an order that deploys: databases, tables,
    /// sequences, then foreign keys, then synonym views.
    pub fn deploy_statements(&self) -> Vec<&str> {
        deploy_order(&self.objects)
    }

    /// A deploy script for the `mysql` client (DELIMITER around bodies).
    pub fn deploy_script(&self) -> String {
        deploy_script(&self.objects)
    }
}

/// [`Conversion::deploy_statements`] over any list of reports.
pub fn deploy_order(objects: &[ObjectReport]) -> Vec<&str> {
    {
        let mut out = Vec::new();
        let phase = |k: ObjectKind| match k {
            ObjectKind::Database => 0,
            ObjectKind::Table => 1,
            ObjectKind::Sequence => 2,
            _ => 4,
        };
        for p in [0, 1, 2] {
            for o in objects.iter().filter(|o| phase(o.kind) == p) {
                out.extend(o.ddl.iter().map(String::as_str));
            }
        }
        for o in objects {
            out.extend(o.post_ddl.iter().map(String::as_str));
        }
        for o in objects.iter().filter(|o| phase(o.kind) == 4) {
            out.extend(o.ddl.iter().map(String::as_str));
        }
        out
    }
}

/// [`Conversion::deploy_script`] over any list of reports.
pub fn deploy_script(objects: &[ObjectReport]) -> String {
    {
        let mut s = String::from(
            "-- generated by sluice: SQL Server schema converted for OceanBase (MySQL mode)\n\n",
        );
        for stmt in deploy_order(objects) {
            if stmt.contains("BEGIN") && stmt.contains(';') {
                s.push_str(&format!("DELIMITER $$\n{stmt}$$\nDELIMITER ;\n\n"));
            } else {
                s.push_str(stmt);
                s.push_str(";\n\n");
            }
        }
        s
    }
}

/// Shared state of one conversion.
pub(crate) struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub opts: &'a ConvertOptions,
    pub caps: &'a Capabilities,
    pub main_db: String,
    /// Constraint names used per target database (CHECK and FOREIGN KEY names
    /// are unique per database on the target).
    pub constraint_names: Mutex<HashMap<String, HashSet<String>>>,
    /// Target table names used per database, lower-case.
    pub table_names: Mutex<HashMap<String, HashSet<String>>>,
    /// Source tables by [`ObjectName::key`].
    pub tables: HashMap<String, &'a Table>,
}

/// Shortens a name to the target's 64-character limit with a stable hash.
pub fn fit_name(name: &str) -> (String, bool) {
    if name.chars().count() <= 64 {
        return (name.to_string(), false);
    }
    // FNV-1a: stable across runs and platforms.
    let mut h: u32 = 0x811c9dc5;
    for b in name.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x01000193);
    }
    let head: String = name.chars().take(55).collect();
    (format!("{head}_{h:08x}"), true)
}

impl Ctx<'_> {
    /// Target database of a source schema.
    pub fn database_of(&self, schema: Option<&str>) -> String {
        let s = schema.unwrap_or("dbo");
        match self.opts.schema_mapping {
            SchemaMapping::DatabasePerSchema if !s.eq_ignore_ascii_case("dbo") => {
                fit_name(&format!("{}_{}", self.main_db, s)).0
            }
            _ => self.main_db.clone(),
        }
    }

    /// Target (database, object name) of a source object.
    pub fn target_of(&self, name: &ObjectName) -> (String, String) {
        let db = self.database_of(name.schema.as_deref());
        let s = name.schema_or_dbo();
        let n = match self.opts.schema_mapping {
            SchemaMapping::PrefixTables if !s.eq_ignore_ascii_case("dbo") => {
                format!("{s}_{}", name.name)
            }
            _ => name.name.clone(),
        };
        (db, fit_name(&n).0)
    }

    /// A source table by name (schema defaults to `dbo`).
    pub fn table(&self, name: &ObjectName) -> Option<&Table> {
        self.tables.get(&name.key()).copied()
    }

    /// `` `db`.`name` ``.
    pub fn qualified(&self, name: &ObjectName) -> String {
        let (db, n) = self.target_of(name);
        format!("{}.{}", expr::quote_ident(&db), expr::quote_ident(&n))
    }

    /// Reserves a constraint name in a database; returns the name to use.
    pub fn reserve_constraint(&self, db: &str, name: &str) -> (String, bool) {
        let mut all = self
            .constraint_names
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let set = all.entry(db.to_lowercase()).or_default();
        let (base, _) = fit_name(name);
        let mut candidate = base.clone();
        let mut i = 2;
        while !set.insert(candidate.to_lowercase()) {
            candidate = fit_name(&format!("{base}_{i}")).0;
            i += 1;
        }
        let renamed = candidate != base;
        (candidate, renamed)
    }
}

/// Converts a catalog.
pub fn convert(catalog: &Catalog, caps: &Capabilities, opts: &ConvertOptions) -> Conversion {
    let main_db = opts
        .database
        .clone()
        .or_else(|| catalog.database.clone())
        .unwrap_or_else(|| "dbo".to_string());
    let cx = Ctx {
        catalog,
        opts,
        caps,
        main_db,
        constraint_names: Mutex::new(HashMap::new()),
        table_names: Mutex::new(HashMap::new()),
        tables: catalog.tables.iter().map(|t| (t.name.key(), t)).collect(),
    };
    let mut objects = objects::databases(&cx);
    for t in &catalog.tables {
        objects.push(ddl::convert_table(&cx, t));
    }
    objects.extend(objects::sequences(&cx));
    for s in &catalog.synonyms {
        objects.push(objects::synonym(&cx, s));
    }
    for t in &catalog.user_types {
        objects.push(objects::user_type(t));
    }
    for o in &mut objects {
        o.settle();
    }
    Conversion { objects }
}
