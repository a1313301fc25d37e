//! The T-SQL syntax tree.
//!
//! Split by statement family like sqlparser-rs: [`query`] holds expressions
//! and data types (shared with routine bodies, which the convert step parses),
//! [`ddl`] the schema statements. Every node carries a [`Span`] so that each
//! finding can name its line. [`display`] prints nodes back as T-SQL and
//! [`visitor`] walks them.

pub mod ddl;
pub mod display;
pub mod query;
pub mod visitor;

pub use ddl::*;
pub use query::*;

use crate::lexer::QuoteStyle;

/// A position in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, serde::Serialize)]
pub struct Loc {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte offset into the decoded text.
    pub offset: u32,
}

/// A range of source text, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, serde::Serialize)]
pub struct Span {
    /// First character.
    pub start: Loc,
    /// Just past the last character.
    pub end: Loc,
}

impl Span {
    /// The smallest span covering both.
    pub fn union(self, other: Span) -> Span {
        let start = if other.start.offset < self.start.offset {
            other.start
        } else {
            self.start
        };
        let end = if other.end.offset > self.end.offset {
            other.end
        } else {
            self.end
        };
        Span { start, end }
    }

    /// The text this span covers in `src` (empty if it does not fit).
    pub fn slice(self, src: &str) -> &str {
        src.get(self.start.offset as usize..self.end.offset as usize)
            .unwrap_or("")
    }
}

/// An identifier, with how it was quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name, unescaped.
    pub value: String,
    /// `[..]`, `".."` or none.
    pub quote: Option<QuoteStyle>,
    /// Where.
    pub span: Span,
}

impl Ident {
    /// An unquoted identifier with an empty span (for building trees in code).
    pub fn new(value: impl Into<String>) -> Self {
        Ident {
            value: value.into(),
            quote: None,
            span: Span::default(),
        }
    }

    /// Case-insensitive comparison, as SQL Server's default collations compare names.
    pub fn eq_name(&self, other: &str) -> bool {
        self.value.eq_ignore_ascii_case(other)
    }
}

/// A dotted name, 1 to 4 parts (`server.database.schema.object`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectName {
    /// The parts, outermost first. A part may be empty (`db..table`).
    pub parts: Vec<Ident>,
    /// Where.
    pub span: Span,
}

impl ObjectName {
    /// The last part (the object's own name).
    pub fn name(&self) -> &Ident {
        self.parts.last().expect("an ObjectName always has a part")
    }

    /// The schema part, if given.
    pub fn schema(&self) -> Option<&Ident> {
        let n = self.parts.len();
        (n >= 2)
            .then(|| &self.parts[n - 2])
            .filter(|p| !p.value.is_empty())
    }

    /// Converts to the schema model's name.
    pub fn to_model(&self) -> sluice_engine::schema::ObjectName {
        let n = self.parts.len();
        let part = |i: usize| -> Option<String> {
            (n > i)
                .then(|| self.parts[n - 1 - i].value.clone())
                .filter(|s| !s.is_empty())
        };
        sluice_engine::schema::ObjectName {
            server: part(3),
            database: part(2),
            schema: part(1),
            name: self.name().value.clone(),
        }
    }
}

/// A top-level statement of a script.
// Statements are built once and moved a handful of times; boxing the large
// variants would cost an allocation each for nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `CREATE TABLE`.
    CreateTable(CreateTable),
    /// `ALTER TABLE`.
    AlterTable(AlterTable),
    /// `CREATE INDEX`.
    CreateIndex(CreateIndex),
    /// `CREATE SEQUENCE`.
    CreateSequence(CreateSequence),
    /// `CREATE SYNONYM`.
    CreateSynonym(CreateSynonym),
    /// `CREATE TYPE`.
    CreateType(CreateType),
    /// `CREATE SCHEMA`.
    CreateSchema(CreateSchema),
    /// `CREATE`/`ALTER` `VIEW`/`PROCEDURE`/`FUNCTION`/`TRIGGER`.
    CreateRoutine(CreateRoutine),
    /// `SET option ON|OFF` and other session `SET`s.
    Set(SetStatement),
    /// `USE database`.
    Use(UseStatement),
    /// `EXEC procedure args` (e.g. `sp_addextendedproperty`).
    Exec(ExecStatement),
    /// A statement this front end recognises but does not model (INSERT,
    /// DROP, IF, GRANT, ...). Kept as text.
    Other(OtherStatement),
}

impl Statement {
    /// The statement's span.
    pub fn span(&self) -> Span {
        match self {
            Statement::CreateTable(s) => s.span,
            Statement::AlterTable(s) => s.span,
            Statement::CreateIndex(s) => s.span,
            Statement::CreateSequence(s) => s.span,
            Statement::CreateSynonym(s) => s.span,
            Statement::CreateType(s) => s.span,
            Statement::CreateSchema(s) => s.span,
            Statement::CreateRoutine(s) => s.span,
            Statement::Set(s) => s.span,
            Statement::Use(s) => s.span,
            Statement::Exec(s) => s.span,
            Statement::Other(s) => s.span,
        }
    }
}

/// `SET option[, option...] value`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetStatement {
    /// Option names (`ANSI_NULLS`, `QUOTED_IDENTIFIER`, ...), or a variable.
    pub options: Vec<Ident>,
    /// The value text as written (`ON`, `OFF`, `READ COMMITTED`, an expression).
    pub value: String,
    /// Where.
    pub span: Span,
}

/// `USE database`.
#[derive(Debug, Clone, PartialEq)]
pub struct UseStatement {
    /// Database name.
    pub database: Ident,
    /// Where.
    pub span: Span,
}

/// One argument of `EXEC`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecArg {
    /// `@name =` when given by name.
    pub name: Option<String>,
    /// The value.
    pub value: Expr,
    /// `OUTPUT`.
    pub output: bool,
}

/// `EXEC[UTE] procedure arg, ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecStatement {
    /// Procedure name.
    pub procedure: ObjectName,
    /// Arguments.
    pub args: Vec<ExecArg>,
    /// Where.
    pub span: Span,
}

/// A statement kept as text.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherStatement {
    /// The leading keyword(s), upper-case (`INSERT`, `DROP TABLE`, `IF`).
    pub keyword: String,
    /// The statement text.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// One `GO`-separated batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Statements in order.
    pub statements: Vec<Statement>,
    /// The `GO n` count that ended it (1 without a count or at end of file).
    pub go_count: u32,
    /// Where.
    pub span: Span,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The statement could not be parsed and was skipped.
    Error,
    /// Parsed, but something looks wrong.
    Warning,
}

/// A problem found while parsing; the statement's text is kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// How bad.
    pub severity: Severity,
    /// What went wrong, in words.
    pub message: String,
    /// 1-based line of the problem.
    pub line: u32,
    /// 1-based column of the problem.
    pub column: u32,
    /// The raw text of the statement that was skipped.
    pub raw: String,
    /// Where the skipped statement starts and ends.
    #[serde(skip)]
    pub span: Span,
}

/// A parsed script.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The decoded text (spans index into it).
    pub source: String,
    /// Batches in order.
    pub batches: Vec<Batch>,
    /// Parse problems.
    pub diagnostics: Vec<Diagnostic>,
}

impl Script {
    /// All statements of all batches.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.batches.iter().flat_map(|b| b.statements.iter())
    }
}
