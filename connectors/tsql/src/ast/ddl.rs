//! Schema statements: tables, constraints, indexes, sequences, synonyms,
//! types, schemas and the headers of code objects.

use super::{DataType, Expr, Ident, ObjectName, Span};
use sluice_engine::schema::{ReferentialAction, RoutineKind};

/// `NAME = value` in a `WITH (...)` list, or a bare flag.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlOption {
    /// Option name.
    pub name: Ident,
    /// Value text as written, if any.
    pub value: Option<String>,
    /// Where.
    pub span: Span,
}

/// One key column: `name [ASC|DESC]`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexColumn {
    /// Column.
    pub name: Ident,
    /// `DESC`.
    pub descending: bool,
    /// `ASC` written out explicitly (kept for faithful printing).
    pub explicit_asc: bool,
}

/// `ON [filegroup]` or `ON scheme(column)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    /// Filegroup or partition scheme.
    pub name: Ident,
    /// Partitioning column.
    pub column: Option<Ident>,
    /// Where.
    pub span: Span,
}

/// What a table-level (or column-level) constraint is.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstraintKind {
    /// `PRIMARY KEY [CLUSTERED|NONCLUSTERED] (cols) [WITH (...)] [ON fg]`.
    PrimaryKey(KeySpec),
    /// `UNIQUE [CLUSTERED|NONCLUSTERED] (cols) ...`.
    Unique(KeySpec),
    /// `FOREIGN KEY (cols) REFERENCES t (cols) [ON DELETE ..] [ON UPDATE ..]`.
    ForeignKey(ForeignKeySpec),
    /// `CHECK [NOT FOR REPLICATION] (expr)`.
    Check {
        /// Condition.
        expr: Expr,
        /// `NOT FOR REPLICATION`.
        not_for_replication: bool,
    },
    /// `DEFAULT expr FOR column` (only in `ALTER TABLE ... ADD CONSTRAINT`).
    Default {
        /// Value.
        expr: Expr,
        /// Column.
        column: Ident,
    },
}

/// The body of a PRIMARY KEY / UNIQUE constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    /// `Some(true)` for CLUSTERED, `Some(false)` for NONCLUSTERED.
    pub clustered: Option<bool>,
    /// Key columns (empty for a column-level constraint: the column itself).
    pub columns: Vec<IndexColumn>,
    /// `WITH (...)`.
    pub options: Vec<SqlOption>,
    /// `ON filegroup`.
    pub storage: Option<Storage>,
}

/// The body of a FOREIGN KEY constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeySpec {
    /// Referencing columns (empty for a column-level constraint).
    pub columns: Vec<Ident>,
    /// Referenced table.
    pub table: ObjectName,
    /// Referenced columns.
    pub referenced: Vec<Ident>,
    /// `ON DELETE`.
    pub on_delete: Option<ReferentialAction>,
    /// `ON UPDATE`.
    pub on_update: Option<ReferentialAction>,
    /// `NOT FOR REPLICATION`.
    pub not_for_replication: bool,
}

/// A constraint with its optional name.
#[derive(Debug, Clone, PartialEq)]
pub struct TableConstraint {
    /// `CONSTRAINT name`.
    pub name: Option<Ident>,
    /// What it is.
    pub kind: ConstraintKind,
    /// Where.
    pub span: Span,
}

/// A column option.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnOption {
    /// `NULL`.
    Null,
    /// `NOT NULL`.
    NotNull,
    /// `IDENTITY[(seed, increment)] [NOT FOR REPLICATION]`.
    Identity {
        /// Seed and increment as written.
        args: Option<(Expr, Expr)>,
        /// `NOT FOR REPLICATION`.
        not_for_replication: bool,
    },
    /// `[CONSTRAINT name] DEFAULT expr`.
    Default {
        /// Constraint name.
        name: Option<Ident>,
        /// Value.
        expr: Expr,
    },
    /// `COLLATE name`.
    Collate(Ident),
    /// `ROWGUIDCOL`.
    RowGuidCol,
    /// `SPARSE`.
    Sparse,
    /// `FILESTREAM`.
    Filestream,
    /// `PERSISTED` (after a computed column's expression).
    Persisted,
    /// A column-level constraint (PK, UNIQUE, REFERENCES, CHECK).
    Constraint(TableConstraint),
    /// Anything else we skip over but keep (`MASKED WITH (...)`, `ENCRYPTED WITH (...)`, `HIDDEN`, ...).
    Other(String),
}

/// A column definition.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    /// Name.
    pub name: Ident,
    /// Declared type (absent for computed columns).
    pub data_type: Option<DataType>,
    /// `AS (expr)` for computed columns.
    pub computed: Option<Expr>,
    /// Options in order.
    pub options: Vec<ColumnOption>,
    /// Where.
    pub span: Span,
}

/// An item in a table's parenthesised list.
#[derive(Debug, Clone, PartialEq)]
pub enum TableElement {
    /// A column.
    Column(ColumnDef),
    /// A table constraint.
    Constraint(TableConstraint),
    /// An inline `INDEX name [CLUSTERED|NONCLUSTERED] (cols)`.
    Index(InlineIndex),
}

/// `INDEX name [UNIQUE] [CLUSTERED|NONCLUSTERED] (cols)` inside CREATE TABLE.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineIndex {
    /// Name.
    pub name: Ident,
    /// `UNIQUE`.
    pub unique: bool,
    /// `CLUSTERED` / `NONCLUSTERED`.
    pub clustered: Option<bool>,
    /// Key columns.
    pub columns: Vec<IndexColumn>,
    /// Where.
    pub span: Span,
}

/// `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    /// Name.
    pub name: ObjectName,
    /// Columns, constraints and inline indexes, in order.
    pub elements: Vec<TableElement>,
    /// `ON filegroup`.
    pub storage: Option<Storage>,
    /// `TEXTIMAGE_ON filegroup`.
    pub textimage_on: Option<Ident>,
    /// `WITH (...)` table options.
    pub options: Vec<SqlOption>,
    /// Where.
    pub span: Span,
}

/// One action of `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub enum AlterTableOp {
    /// `[WITH CHECK|NOCHECK] ADD element, ...`.
    Add {
        /// `Some(true)` for WITH CHECK, `Some(false)` for WITH NOCHECK.
        with_check: Option<bool>,
        /// What is added.
        elements: Vec<TableElement>,
    },
    /// `[WITH CHECK|NOCHECK] CHECK|NOCHECK CONSTRAINT name|ALL`.
    SetConstraintCheck {
        /// `WITH CHECK` / `WITH NOCHECK`.
        with_check: Option<bool>,
        /// `CHECK` (true) or `NOCHECK` (false).
        enable: bool,
        /// Constraint names; empty for `ALL`.
        names: Vec<Ident>,
    },
    /// `DROP CONSTRAINT name, ...`.
    DropConstraint(Vec<Ident>),
    /// `DROP COLUMN name, ...`.
    DropColumn(Vec<Ident>),
    /// `ALTER COLUMN name type [NULL|NOT NULL] ...`.
    AlterColumn(Box<ColumnDef>),
    /// Another action, kept as text (`SET (...)`, `ENABLE TRIGGER`, `SWITCH`, ...).
    Other(String),
}

/// `ALTER TABLE name op`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlterTable {
    /// Table.
    pub name: ObjectName,
    /// Action.
    pub op: AlterTableOp,
    /// Where.
    pub span: Span,
}

/// `CREATE [UNIQUE] [CLUSTERED|NONCLUSTERED] [COLUMNSTORE|XML|SPATIAL] INDEX`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    /// `UNIQUE`.
    pub unique: bool,
    /// `CLUSTERED` / `NONCLUSTERED`.
    pub clustered: Option<bool>,
    /// `COLUMNSTORE`, `XML`, `SPATIAL`, `PRIMARY XML` as written, upper-case.
    pub special: Option<String>,
    /// Index name.
    pub name: Ident,
    /// Table.
    pub table: ObjectName,
    /// Key columns.
    pub columns: Vec<IndexColumn>,
    /// `INCLUDE (...)`.
    pub include: Vec<Ident>,
    /// `WHERE` filter.
    pub filter: Option<Expr>,
    /// `WITH (...)`.
    pub options: Vec<SqlOption>,
    /// `ON filegroup`.
    pub storage: Option<Storage>,
    /// Where.
    pub span: Span,
}

/// `CREATE SEQUENCE`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateSequence {
    /// Name.
    pub name: ObjectName,
    /// `AS type`.
    pub data_type: Option<DataType>,
    /// `START WITH`.
    pub start: Option<Expr>,
    /// `INCREMENT BY`.
    pub increment: Option<Expr>,
    /// `MINVALUE` (None: not given or `NO MINVALUE`).
    pub min_value: Option<Expr>,
    /// `MAXVALUE`.
    pub max_value: Option<Expr>,
    /// `CYCLE` (`Some(false)` for `NO CYCLE`).
    pub cycle: Option<bool>,
    /// `CACHE [n]` (`Some(None)` for CACHE without a size).
    pub cache: Option<Option<Expr>>,
    /// Where.
    pub span: Span,
}

/// `CREATE SYNONYM name FOR target`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateSynonym {
    /// Name.
    pub name: ObjectName,
    /// Target.
    pub target: ObjectName,
    /// Where.
    pub span: Span,
}

/// What `CREATE TYPE` creates.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDefinition {
    /// `FROM base [NULL|NOT NULL]`.
    Alias {
        /// Base type.
        base: DataType,
        /// `Some(false)` for NOT NULL.
        nullable: Option<bool>,
    },
    /// `AS TABLE (...)`.
    Table(Vec<TableElement>),
}

/// `CREATE TYPE`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateType {
    /// Name.
    pub name: ObjectName,
    /// Definition.
    pub definition: TypeDefinition,
    /// Where.
    pub span: Span,
}

/// `CREATE SCHEMA name [AUTHORIZATION owner]`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateSchema {
    /// Name.
    pub name: Ident,
    /// Owner.
    pub authorization: Option<Ident>,
    /// Where.
    pub span: Span,
}

/// How a code object was introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateMode {
    /// `CREATE`.
    Create,
    /// `ALTER`.
    Alter,
    /// `CREATE OR ALTER`.
    CreateOrAlter,
}

/// The header of a view, procedure, function or trigger; the body is text.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateRoutine {
    /// What it is.
    pub kind: RoutineKind,
    /// CREATE, ALTER or CREATE OR ALTER.
    pub mode: CreateMode,
    /// Name.
    pub name: ObjectName,
    /// For triggers: the table or view after `ON`.
    pub parent: Option<ObjectName>,
    /// Header options after `WITH` (`SCHEMABINDING`, `ENCRYPTION`, `EXECUTE AS ...`, `RECOMPILE`).
    pub options: Vec<String>,
    /// The text between the name and `AS` (parameters, RETURNS, trigger events).
    pub header: String,
    /// The body after `AS`, as text, with its span; the convert step parses it.
    pub body: String,
    /// Where the body starts and ends.
    pub body_span: Span,
    /// Where the whole statement is.
    pub span: Span,
}
