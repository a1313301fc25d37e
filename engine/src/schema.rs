//! The schema model shared by the T-SQL script parser and the live catalog readers.
//!
//! It describes a *source* database in terms that do not depend on any
//! driver: the script parser (`sluice-tsql`) fills it from `CREATE ...`
//! statements and the SQL Server catalog reader fills it from `sys.*`. The
//! converters to a target dialect read only this model, so both roads produce
//! the same target DDL.
//!
//! Conventions that both producers follow:
//! - Names are stored as written in the source, without brackets or quotes.
//! - Type names are stored lower-case (`nvarchar`, `datetime2`); user-defined
//!   types keep their schema in [`SourceType::schema`].
//! - Expressions (defaults, computed columns, checks, index filters) are
//!   T-SQL text as SQL Server itself would print them (e.g. `(getdate())` from
//!   `sys.default_constraints.definition`). Converters parse them again; the
//!   model does not carry an AST so that the catalog reader need not build one.
//! - `origin` is set when the object came from a script, so that findings can
//!   point at a line; the catalog reader leaves it `None`.

use serde::{Deserialize, Serialize};

/// A possibly qualified object name: `[server].[database].[schema].[name]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct ObjectName {
    /// Linked server name (four-part names only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Database name (three- and four-part names only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Schema; `None` when the source did not say (SQL Server then uses the
    /// caller's default schema, normally `dbo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The object's own name.
    pub name: String,
}

impl ObjectName {
    /// A name in a schema.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        ObjectName {
            server: None,
            database: None,
            schema: Some(schema.into()),
            name: name.into(),
        }
    }

    /// The schema, with SQL Server's default `dbo` filled in.
    pub fn schema_or_dbo(&self) -> &str {
        self.schema.as_deref().unwrap_or("dbo")
    }

    /// `schema.name` (with `dbo` filled in), the key objects are looked up by.
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema_or_dbo(), self.name).to_lowercase()
    }
}

impl std::fmt::Display for ObjectName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for part in [&self.server, &self.database, &self.schema]
            .into_iter()
            .flatten()
        {
            write!(f, "{part}.")?;
        }
        f.write_str(&self.name)
    }
}

/// Where an object was defined in a script (1-based lines and columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Origin {
    /// Script file, relative to the folder that was assessed.
    pub file: String,
    /// First line of the statement.
    pub line: u32,
    /// Column of the first character of the statement.
    pub column: u32,
    /// Last line of the statement.
    pub end_line: u32,
    /// The statement text exactly as written. For tables, the later
    /// statements that shaped the table (`ALTER TABLE ... ADD CONSTRAINT`,
    /// `CREATE INDEX`) follow, each after a `GO` line, so a report can show
    /// the whole source of what was converted.
    pub text: String,
}

/// The length argument of a character or binary type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Length {
    /// `(n)`: characters for `char`/`varchar`/`nchar`/`nvarchar`, bytes for binary types.
    N(u32),
    /// `(max)`.
    Max,
}

/// A column's type as the source declared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SourceType {
    /// Schema of a user-defined type; `None` for system types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Lower-case type name (`int`, `nvarchar`, `datetime2`, or a user type's name).
    pub name: String,
    /// Length for character and binary types, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<Length>,
    /// Precision for `decimal`/`numeric`, bits for `float(n)`, fractional
    /// digits for `time`/`datetime2`/`datetimeoffset`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    /// Scale for `decimal`/`numeric`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
}

impl SourceType {
    /// A system type with no arguments.
    pub fn named(name: &str) -> Self {
        SourceType {
            name: name.to_lowercase(),
            ..Default::default()
        }
    }
}

impl std::fmt::Display for SourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(s) = &self.schema {
            write!(f, "{s}.")?;
        }
        f.write_str(&self.name)?;
        match (self.length, self.precision, self.scale) {
            (Some(Length::Max), _, _) => f.write_str("(max)"),
            (Some(Length::N(n)), _, _) => write!(f, "({n})"),
            (None, Some(p), Some(s)) => write!(f, "({p},{s})"),
            (None, Some(p), None) => write!(f, "({p})"),
            _ => Ok(()),
        }
    }
}

/// `IDENTITY(seed, increment)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// First value.
    pub seed: i64,
    /// Step between values.
    pub increment: i64,
    /// `NOT FOR REPLICATION`.
    #[serde(default)]
    pub not_for_replication: bool,
}

/// A computed column: `AS (expr) [PERSISTED]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Computed {
    /// T-SQL expression text.
    pub expression: String,
    /// `PERSISTED`.
    pub persisted: bool,
}

/// A default, named (`CONSTRAINT DF_x DEFAULT ...`) or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDefault {
    /// Constraint name, when the source named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// T-SQL expression text.
    pub expression: String,
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Declared type; for computed columns without a declared type, `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<SourceType>,
    /// Whether NULL is allowed. `None` when the source did not say (SQL
    /// Server then decides from `ANSI_NULL_DFLT_ON`, normally NULL allowed,
    /// or from the alias type's own nullability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
    /// `IDENTITY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `AS (expr) [PERSISTED]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computed: Option<Computed>,
    /// Default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<ColumnDefault>,
    /// `COLLATE` name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// `ROWGUIDCOL`.
    #[serde(default)]
    pub rowguidcol: bool,
    /// `SPARSE`.
    #[serde(default)]
    pub sparse: bool,
    /// `FILESTREAM`.
    #[serde(default)]
    pub filestream: bool,
    /// Description (from `MS_Description` extended properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Column {
    /// A nullable column of a type, with no options.
    pub fn new(name: impl Into<String>, data_type: SourceType) -> Self {
        Column {
            name: name.into(),
            data_type: Some(data_type),
            nullable: None,
            identity: None,
            computed: None,
            default: None,
            collation: None,
            rowguidcol: false,
            sparse: false,
            filestream: false,
            comment: None,
        }
    }
}

/// One key column of an index or key constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexColumn {
    /// Column name.
    pub name: String,
    /// `DESC`.
    #[serde(default)]
    pub descending: bool,
}

/// A PRIMARY KEY or UNIQUE constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyConstraint {
    /// Constraint name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Key columns, in order.
    pub columns: Vec<IndexColumn>,
    /// `CLUSTERED` (the default for a primary key) or `NONCLUSTERED`.
    pub clustered: bool,
}

/// What a foreign key does when the referenced row changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReferentialAction {
    /// `NO ACTION` (the default).
    #[default]
    NoAction,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

/// A FOREIGN KEY constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    /// Constraint name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Referencing columns.
    pub columns: Vec<String>,
    /// Referenced table.
    pub referenced_table: ObjectName,
    /// Referenced columns (empty: the referenced table's primary key).
    pub referenced_columns: Vec<String>,
    /// `ON DELETE`.
    #[serde(default)]
    pub on_delete: ReferentialAction,
    /// `ON UPDATE`.
    #[serde(default)]
    pub on_update: ReferentialAction,
    /// `NOT FOR REPLICATION`.
    #[serde(default)]
    pub not_for_replication: bool,
    /// False after `WITH NOCHECK` (existing rows were not checked) — SQL
    /// Server's `is_not_trusted`.
    #[serde(default = "yes")]
    pub trusted: bool,
    /// False after `NOCHECK CONSTRAINT` — SQL Server's `is_disabled`.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckConstraint {
    /// Constraint name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// T-SQL expression text.
    pub expression: String,
    /// The column it was declared on, for column-level checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `NOT FOR REPLICATION`.
    #[serde(default)]
    pub not_for_replication: bool,
    /// False after `WITH NOCHECK`.
    #[serde(default = "yes")]
    pub trusted: bool,
    /// False after `NOCHECK CONSTRAINT`.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// The storage kind of an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IndexKind {
    /// B-tree rowstore index.
    #[default]
    Rowstore,
    /// `COLUMNSTORE`.
    Columnstore,
    /// `XML` index.
    Xml,
    /// `SPATIAL` index.
    Spatial,
    /// Full-text index.
    Fulltext,
}

/// A `CREATE INDEX` (not a key constraint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Index name.
    pub name: String,
    /// `UNIQUE`.
    #[serde(default)]
    pub unique: bool,
    /// `CLUSTERED`.
    #[serde(default)]
    pub clustered: bool,
    /// Storage kind.
    #[serde(default)]
    pub kind: IndexKind,
    /// Key columns.
    pub columns: Vec<IndexColumn>,
    /// `INCLUDE (...)` columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub included: Vec<String>,
    /// `WHERE` filter, T-SQL text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// `WITH (...)` options as `NAME = value` text, kept for the report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Where it was defined, when from a script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A table with everything declared on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Qualified name.
    pub name: ObjectName,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    /// Primary key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<KeyConstraint>,
    /// UNIQUE constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique_constraints: Vec<KeyConstraint>,
    /// FOREIGN KEY constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// CHECK constraints (column- and table-level).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckConstraint>,
    /// Indexes created separately.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// `ON [filegroup]` / partition scheme, for the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filegroup: Option<String>,
    /// Description (from `MS_Description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Where it was defined, when from a script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Rows and bytes on the source, when read from a live server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<TableStats>,
}

/// How big a table is on the source, as the server reports it. The byte
/// figures follow `sp_spaceused` (SQL Server pages are 8 KB): `reserved` and
/// `used` cover the table and all its indexes, `data` the heap or clustered
/// index's data pages only (in-row, LOB and row-overflow).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableStats {
    /// Rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Bytes reserved for the table and its indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_bytes: Option<u64>,
    /// Bytes in use by the table and its indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_bytes: Option<u64>,
    /// Bytes of data pages of the heap or clustered index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_bytes: Option<u64>,
    /// Where the figures came from when not the usual place, or why some are missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Table {
    /// A table with columns and nothing else.
    pub fn new(name: ObjectName, columns: Vec<Column>) -> Self {
        Table {
            name,
            columns,
            primary_key: None,
            unique_constraints: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            indexes: Vec::new(),
            filegroup: None,
            comment: None,
            origin: None,
            stats: None,
        }
    }

    /// Looks a column up by name, case-insensitively as SQL Server's default collations do.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// The kind of a code object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    /// `CREATE VIEW`.
    View,
    /// `CREATE PROCEDURE`.
    Procedure,
    /// `CREATE FUNCTION`.
    Function,
    /// `CREATE TRIGGER`.
    Trigger,
}

/// A view, procedure, function or trigger: its full definition as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routine {
    /// What it is.
    pub kind: RoutineKind,
    /// Qualified name.
    pub name: ObjectName,
    /// For triggers, the table or view it fires on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ObjectName>,
    /// The whole `CREATE ...` text as SQL Server stores it (`sys.sql_modules.definition`).
    pub definition: String,
    /// Where it was defined, when from a script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// `CREATE SEQUENCE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// Qualified name.
    pub name: ObjectName,
    /// `AS type` (default `bigint`).
    pub data_type: SourceType,
    /// `START WITH` (default: the minimum for ascending sequences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i128>,
    /// `INCREMENT BY` (default 1).
    pub increment: i128,
    /// `MINVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i128>,
    /// `MAXVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i128>,
    /// `CYCLE`.
    #[serde(default)]
    pub cycle: bool,
    /// `CACHE n`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i128>,
    /// Where it was defined, when from a script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// `CREATE SYNONYM name FOR target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synonym {
    /// Qualified name of the synonym.
    pub name: ObjectName,
    /// What it stands for (may name another database or a linked server).
    pub target: ObjectName,
    /// Where it was defined, when from a script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// What a user-defined type is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum UserTypeKind {
    /// `CREATE TYPE x FROM base [NOT NULL]`.
    Alias {
        /// Base system type.
        base: SourceType,
        /// Whether columns of this type allow NULL unless they say otherwise.
        nullable: bool,
    },
    /// `CREATE TYPE x AS TABLE (...)`, used for table-valued parameters.
    Table {
        /// The table type's columns.
        columns: Vec<Column>,
    },
}

/// A user-defined type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserType {
    /// Qualified name.
    pub name: ObjectName,
    /// Alias or table type.
    pub kind: UserTypeKind,
    /// Where it was defined, when from a script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// Everything known about one source database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Catalog {
    /// Source database name (from `USE` or the connection), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// The database's default collation (`sys.databases.collation_name`, or
    /// `CREATE DATABASE ... COLLATE`), which columns without COLLATE use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Schemas created explicitly (`dbo` is implicit).
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Tables.
    #[serde(default)]
    pub tables: Vec<Table>,
    /// Views, procedures, functions and triggers.
    #[serde(default)]
    pub routines: Vec<Routine>,
    /// Sequences.
    #[serde(default)]
    pub sequences: Vec<Sequence>,
    /// Synonyms.
    #[serde(default)]
    pub synonyms: Vec<Synonym>,
    /// User-defined types.
    #[serde(default)]
    pub user_types: Vec<UserType>,
}

impl Catalog {
    /// Looks a table up by name (schema defaults to `dbo`, case-insensitive).
    pub fn table(&self, name: &ObjectName) -> Option<&Table> {
        let key = name.key();
        self.tables.iter().find(|t| t.name.key() == key)
    }

    /// Mutable [`Catalog::table`].
    pub fn table_mut(&mut self, name: &ObjectName) -> Option<&mut Table> {
        let key = name.key();
        self.tables.iter_mut().find(|t| t.name.key() == key)
    }

    /// Looks a user type up by name.
    pub fn user_type(&self, name: &ObjectName) -> Option<&UserType> {
        let key = name.key();
        self.user_types.iter().find(|t| t.name.key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_round_trips_through_json() {
        let mut t = Table::new(
            ObjectName::new("dbo", "Patient"),
            vec![Column::new("Id", SourceType::named("int"))],
        );
        t.checks.push(CheckConstraint {
            name: Some("CK".into()),
            expression: "([Id]>(0))".into(),
            column: None,
            not_for_replication: false,
            trusted: false,
            enabled: true,
        });
        let c = Catalog {
            tables: vec![t],
            ..Default::default()
        };
        let json = serde_json::to_string(&c).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        // trusted defaults to true when a producer leaves it out
        let ck: CheckConstraint = serde_json::from_str(r#"{"expression":"(1=1)"}"#).unwrap();
        assert!(ck.trusted && ck.enabled);
    }

    #[test]
    fn lookups_default_to_dbo_and_ignore_case() {
        let c = Catalog {
            tables: vec![Table::new(ObjectName::new("dbo", "Patient"), vec![])],
            ..Default::default()
        };
        let unqualified = ObjectName {
            name: "PATIENT".into(),
            ..Default::default()
        };
        assert!(c.table(&unqualified).is_some());
        assert!(c.table(&ObjectName::new("lab", "Patient")).is_none());
    }

    #[test]
    fn source_type_prints_like_tsql() {
        let mut t = SourceType::named("nvarchar");
        t.length = Some(Length::Max);
        assert_eq!(t.to_string(), "nvarchar(max)");
        let d = SourceType {
            name: "decimal".into(),
            precision: Some(19),
            scale: Some(4),
            ..Default::default()
        };
        assert_eq!(d.to_string(), "decimal(19,4)");
    }
}
