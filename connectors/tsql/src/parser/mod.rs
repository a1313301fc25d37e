//! Recursive-descent T-SQL parser with statement-level error recovery.
//!
//! A script is split into `GO` batches; each batch into statements, which may
//! or may not end in `;`. A statement that does not parse becomes a
//! [`Diagnostic`] holding its line, column and raw text, and parsing resumes
//! at the next statement start, so one bad object never hides the rest.
//!
//! Split by statement family: [`expr`] (expressions, types — reused for
//! routine bodies), [`table`] (CREATE/ALTER TABLE and constraints),
//! [`objects`] (indexes, sequences, synonyms, types, schemas), [`routine`]
//! (headers of views, procedures, functions and triggers), [`session`]
//! (SET, USE, EXEC and statements kept as text).

mod expr;
mod objects;
mod routine;
mod session;
mod table;

use crate::ast::*;
use crate::lexer::{tokenize, Token, TokenKind};

/// A parse failure at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What was expected or found.
    pub message: String,
    /// Where.
    pub loc: Loc,
}

/// Result of a parse step.
pub type PResult<T> = Result<T, ParseError>;

/// Keywords that begin a statement; used to find where a statement without
/// a semicolon ends, and where to resume after an error.
const STATEMENT_STARTS: &[&str] = &[
    "CREATE",
    "ALTER",
    "DROP",
    "SET",
    "USE",
    "INSERT",
    "UPDATE",
    "DELETE",
    "SELECT",
    "EXEC",
    "EXECUTE",
    "IF",
    "BEGIN",
    "PRINT",
    "DECLARE",
    "GRANT",
    "DENY",
    "REVOKE",
    "TRUNCATE",
    "MERGE",
    "RAISERROR",
    "RETURN",
    "COMMIT",
    "ROLLBACK",
    "WHILE",
    "DBCC",
    "CHECKPOINT",
    "BACKUP",
    "RESTORE",
    "THROW",
    "WAITFOR",
    "OPEN",
    "CLOSE",
    "FETCH",
    "DEALLOCATE",
    "ENABLE",
    "DISABLE",
    "SAVE",
    "BREAK",
    "CONTINUE",
    "GOTO",
    "RECONFIGURE",
    "KILL",
];

/// The parser over one batch's tokens (comments removed).
pub struct Parser<'a> {
    src: &'a str,
    toks: &'a [Token],
    pos: usize,
    end: Loc,
}

impl<'a> Parser<'a> {
    /// A parser over `toks`, which index into `src`.
    pub fn new(src: &'a str, toks: &'a [Token]) -> Self {
        let end = toks.last().map(|t| t.span.end).unwrap_or_default();
        Parser {
            src,
            toks,
            pos: 0,
            end,
        }
    }

    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn peek_nth(&self, n: usize) -> Option<&'a Token> {
        self.toks.get(self.pos + n)
    }

    fn next(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Location of the next token (end of batch when none).
    fn here(&self) -> Loc {
        self.peek().map(|t| t.span.start).unwrap_or(self.end)
    }

    /// End of the last consumed token.
    fn prev_end(&self) -> Loc {
        if self.pos == 0 {
            self.here()
        } else {
            self.toks[self.pos - 1].span.end
        }
    }

    fn span_from(&self, start: Loc) -> Span {
        Span {
            start,
            end: self.prev_end(),
        }
    }

    fn at_kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(kw))
    }

    fn at_kw_nth(&self, n: usize, kw: &str) -> bool {
        self.peek_nth(n).is_some_and(|t| t.is_keyword(kw))
    }

    fn at_punct(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(p))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.at_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Eats a sequence of keywords only if all of them are there.
    fn eat_kws(&mut self, kws: &[&str]) -> bool {
        if kws.iter().enumerate().all(|(i, k)| self.at_kw_nth(i, k)) {
            self.pos += kws.len();
            true
        } else {
            false
        }
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.at_punct(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            message: message.into(),
            loc: self.here(),
        })
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "end of batch".into(),
            Some(t) => match &t.kind {
                TokenKind::Error => t.text.clone(),
                TokenKind::String { .. } => format!("string '{}'", t.text),
                _ => format!("'{}'", t.text),
            },
        }
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            self.error(format!("expected {kw}, found {}", self.found()))
        }
    }

    fn expect_punct(&mut self, p: &str) -> PResult<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            self.error(format!("expected '{p}', found {}", self.found()))
        }
    }

    /// An identifier: a word or a delimited name.
    fn parse_ident(&mut self) -> PResult<Ident> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Word => {
                self.pos += 1;
                Ok(Ident {
                    value: t.text.clone(),
                    quote: None,
                    span: t.span,
                })
            }
            Some(t) if matches!(t.kind, TokenKind::QuotedIdent(_)) => {
                self.pos += 1;
                let TokenKind::QuotedIdent(q) = t.kind else {
                    unreachable!()
                };
                Ok(Ident {
                    value: t.text.clone(),
                    quote: Some(q),
                    span: t.span,
                })
            }
            _ => self.error(format!("expected a name, found {}", self.found())),
        }
    }

    /// `a`, `a.b`, `a.b.c`, `a..c`, up to four parts.
    fn parse_object_name(&mut self) -> PResult<ObjectName> {
        let start = self.here();
        let mut parts = vec![self.parse_ident()?];
        while self.at_punct(".") && parts.len() < 4 {
            self.pos += 1;
            if self.at_punct(".") {
                // `db..table`: the schema part is empty
                parts.push(Ident {
                    value: String::new(),
                    quote: None,
                    span: Span {
                        start: self.here(),
                        end: self.here(),
                    },
                });
                continue;
            }
            parts.push(self.parse_ident()?);
        }
        Ok(ObjectName {
            parts,
            span: self.span_from(start),
        })
    }

    /// `( name [, name ...] )`
    fn parse_ident_list(&mut self) -> PResult<Vec<Ident>> {
        self.expect_punct("(")?;
        let mut v = vec![self.parse_ident()?];
        while self.eat_punct(",") {
            v.push(self.parse_ident()?);
        }
        self.expect_punct(")")?;
        Ok(v)
    }

    /// Whether the token at `i` starts a new statement: a statement keyword
    /// first on its line (scripts put statements on lines of their own; inside
    /// a statement, `SET` follows `ON DELETE` on the same line).
    fn starts_statement_at(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        if !t.line_start || t.kind != TokenKind::Word {
            return false;
        }
        let up = t.text.to_ascii_uppercase();
        if up == "ALTER" {
            // `ALTER COLUMN` continues an ALTER TABLE
            return !self.toks.get(i + 1).is_some_and(|n| n.is_keyword("COLUMN"));
        }
        STATEMENT_STARTS.contains(&up.as_str())
    }

    /// Consumes tokens up to the end of the current statement: a `;` at
    /// nesting depth 0 (consumed) or the next statement start at depth 0.
    /// Nesting counts parentheses and BEGIN/CASE ... END.
    fn skip_statement(&mut self) {
        let mut depth = 0i32;
        let first = self.pos;
        while let Some(t) = self.peek() {
            if self.pos > first && depth <= 0 && self.starts_statement_at(self.pos) {
                break;
            }
            self.pos += 1;
            if t.is_punct("(") || t.is_keyword("CASE") {
                depth += 1;
            } else if t.is_keyword("BEGIN") {
                let n = self.peek();
                let is_block = !n.is_some_and(|n| {
                    ["TRAN", "TRANSACTION", "DISTRIBUTED"]
                        .iter()
                        .any(|k| n.is_keyword(k))
                });
                if is_block {
                    depth += 1;
                }
            } else if t.is_punct(")") || t.is_keyword("END") {
                depth -= 1;
            } else if t.is_punct(";") && depth <= 0 {
                break;
            }
        }
    }

    /// After an error in the statement that began at token `start`: skip to
    /// where the next statement begins.
    fn recover(&mut self, start: usize) {
        self.pos = start;
        let mut depth = 0i32;
        self.pos += 1;
        while let Some(t) = self.peek() {
            let hard_start = t.line_start
                && (t.is_keyword("CREATE")
                    || (t.is_keyword("ALTER") && !self.at_kw_nth(1, "COLUMN")));
            if hard_start || (depth <= 0 && self.starts_statement_at(self.pos)) {
                break;
            }
            self.pos += 1;
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
            } else if t.is_punct(";") && depth <= 0 {
                break;
            }
        }
    }

    fn text_between(&self, start: Loc, end: Loc) -> String {
        self.src
            .get(start.offset as usize..end.offset as usize)
            .unwrap_or("")
            .to_string()
    }

    /// Parses one statement.
    fn parse_statement(&mut self) -> PResult<Statement> {
        let Some(t) = self.peek() else {
            return self.error("expected a statement");
        };
        if t.kind != TokenKind::Word {
            return self.error(format!("expected a statement, found {}", self.found()));
        }
        let kw = t.text.to_ascii_uppercase();
        match kw.as_str() {
            "CREATE" => self.parse_create(),
            "ALTER" => self.parse_alter(),
            "SET" => self.parse_set(),
            "USE" => self.parse_use(),
            "EXEC" | "EXECUTE" if !self.peek_nth(1).is_some_and(|n| n.is_punct("(")) => {
                let save = self.pos;
                match self.parse_exec() {
                    Ok(s) => Ok(s),
                    Err(_) => {
                        self.pos = save;
                        self.parse_other()
                    }
                }
            }
            k if STATEMENT_STARTS.contains(&k) || k == "WITH" => self.parse_other(),
            _ => self.error(format!(
                "'{}' does not start a T-SQL statement this parser knows",
                t.text
            )),
        }
    }

    fn parse_create(&mut self) -> PResult<Statement> {
        let start = self.here();
        self.expect_kw("CREATE")?;
        let mode = if self.eat_kws(&["OR", "ALTER"]) {
            CreateMode::CreateOrAlter
        } else {
            CreateMode::Create
        };
        if let Some(kind) = self.routine_kind() {
            return self.parse_routine(start, mode, kind);
        }
        if mode == CreateMode::CreateOrAlter {
            return self.error(
                "CREATE OR ALTER applies only to views, procedures, functions and triggers",
            );
        }
        if self.eat_kw("TABLE") {
            return self.parse_create_table(start).map(Statement::CreateTable);
        }
        if self.at_index_start() {
            return self.parse_create_index(start).map(Statement::CreateIndex);
        }
        if self.eat_kw("SEQUENCE") {
            return self
                .parse_create_sequence(start)
                .map(Statement::CreateSequence);
        }
        if self.eat_kw("SYNONYM") {
            return self
                .parse_create_synonym(start)
                .map(Statement::CreateSynonym);
        }
        if self.eat_kw("TYPE") {
            return self.parse_create_type(start);
        }
        if self.eat_kw("SCHEMA") {
            return self.parse_create_schema(start).map(Statement::CreateSchema);
        }
        self.pos = self.pos.saturating_sub(1);
        self.parse_other()
    }

    fn parse_alter(&mut self) -> PResult<Statement> {
        let start = self.here();
        self.expect_kw("ALTER")?;
        if let Some(kind) = self.routine_kind() {
            return self.parse_routine(start, CreateMode::Alter, kind);
        }
        if self.eat_kw("TABLE") {
            return self.parse_alter_table(start).map(Statement::AlterTable);
        }
        self.pos -= 1;
        self.parse_other()
    }

    /// Parses a batch's tokens into statements, recording diagnostics.
    fn parse_batch(&mut self, diags: &mut Vec<Diagnostic>) -> Vec<Statement> {
        let mut out = Vec::new();
        loop {
            while self.eat_punct(";") {}
            if self.at_eof() {
                break;
            }
            let start = self.pos;
            match self.parse_statement() {
                Ok(s) => {
                    out.push(s);
                    // A statement must end at `;`, a statement start or the batch end.
                    if !self.at_eof() && !self.at_punct(";") && !self.starts_statement_at(self.pos)
                    {
                        let err = ParseError {
                            message: format!(
                                "unexpected {} after the end of a statement",
                                self.found()
                            ),
                            loc: self.here(),
                        };
                        let from = self.pos;
                        out.pop();
                        self.push_diag(diags, start, from, err);
                    }
                }
                Err(e) => self.push_diag(diags, start, start, e),
            }
        }
        out
    }

    fn push_diag(
        &mut self,
        diags: &mut Vec<Diagnostic>,
        start: usize,
        from: usize,
        err: ParseError,
    ) {
        self.recover(from.max(start));
        let s = self.toks[start].span.start;
        let e = self.prev_end();
        let span = Span { start: s, end: e };
        diags.push(Diagnostic {
            severity: Severity::Error,
            message: err.message,
            line: err.loc.line,
            column: err.loc.column,
            raw: span.slice(self.src).to_string(),
            span,
        });
    }
}

/// Parses a whole script (already decoded to text).
pub fn parse_script(src: &str) -> Script {
    parse_script_owned(src.to_string())
}

/// [`parse_script`] taking ownership of the text, which the [`Script`] keeps
/// (saves a copy of large scripts).
pub fn parse_script_owned(source: String) -> Script {
    let (batches, diagnostics) = parse_batches(&source);
    Script {
        source,
        batches,
        diagnostics,
    }
}

fn parse_batches(src: &str) -> (Vec<Batch>, Vec<Diagnostic>) {
    let mut batches = Vec::new();
    let diagnostics = parse_each_batch(src, |b| batches.push(b));
    (batches, diagnostics)
}

/// Parses `src` batch by batch, handing each [`Batch`] to `f` as soon as it
/// is parsed, so that a caller that consumes batches (the assessment) never
/// holds the tree of a whole large script. Returns the diagnostics.
pub fn parse_each_batch(src: &str, mut f: impl FnMut(Batch)) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let flush = |toks: &mut Vec<Token>, count: u32, diags: &mut Vec<Diagnostic>| {
        let stmts;
        let span;
        {
            let mut p = Parser::new(src, toks);
            stmts = p.parse_batch(diags);
            span = match (toks.first(), toks.last()) {
                (Some(a), Some(b)) => a.span.union(b.span),
                _ => Span::default(),
            };
        }
        toks.clear();
        Batch {
            statements: stmts,
            go_count: count,
            span,
        }
    };
    for t in crate::lexer::Lexer::new(src) {
        match t.kind {
            TokenKind::Comment => {}
            TokenKind::BatchSeparator { count } => {
                let b = flush(&mut current, count, &mut diagnostics);
                if !b.statements.is_empty() || count != 1 {
                    if count == 0 {
                        diagnostics.push(Diagnostic {
                            severity: Severity::Warning,
                            message: "GO 0 runs its batch zero times".into(),
                            line: t.span.start.line,
                            column: t.span.start.column,
                            raw: t.span.slice(src).to_string(),
                            span: t.span,
                        });
                    }
                    f(b);
                }
            }
            _ => current.push(t),
        }
    }
    let b = flush(&mut current, 1, &mut diagnostics);
    if !b.statements.is_empty() {
        f(b);
    }
    diagnostics
}

/// Parses a standalone expression, as found in catalog definitions
/// (`((0))`, `(getdate())`, `([Qty]*[Price])`).
pub fn parse_expression(src: &str) -> PResult<Expr> {
    let toks: Vec<Token> = tokenize(src)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let mut p = Parser::new(src, &toks);
    let e = p.parse_expr()?;
    if !p.at_eof() {
        return p.error(format!("unexpected {} after the expression", p.found()));
    }
    Ok(e)
}

/// Parses a standalone data type (`nvarchar(50)`).
pub fn parse_data_type(src: &str) -> PResult<DataType> {
    let toks: Vec<Token> = tokenize(src)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let mut p = Parser::new(src, &toks);
    let t = p.parse_data_type()?;
    if !p.at_eof() {
        return p.error(format!("unexpected {} after the type", p.found()));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_statement_becomes_a_diagnostic_and_the_rest_parses() {
        let src = "CREATE TABLE a (x int)\nCREATE TABLE b (x int,, y int)\nCREATE TABLE c (x int)\nGO\nFROBNICATE the database\nCREATE TABLE d (x int)\n";
        let s = parse_script(src);
        let names: Vec<String> = s
            .statements()
            .filter_map(|st| match st {
                Statement::CreateTable(t) => Some(t.name.name().value.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["a", "c", "d"]);
        assert_eq!(s.diagnostics.len(), 2, "{:?}", s.diagnostics);
        let d = &s.diagnostics[0];
        assert_eq!((d.line, d.column), (2, 23));
        assert_eq!(d.raw, "CREATE TABLE b (x int,, y int)");
        assert_eq!(s.diagnostics[1].line, 5);
        assert!(s.diagnostics[1].raw.starts_with("FROBNICATE"));
    }

    #[test]
    fn statements_with_and_without_semicolons_and_go_counts() {
        let src = "SET ANSI_NULLS ON;SET QUOTED_IDENTIFIER ON\nUSE [Hosp];\nGO 3\nCREATE SCHEMA lab AUTHORIZATION dbo\nGO";
        let s = parse_script(src);
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        assert_eq!(s.batches.len(), 2);
        assert_eq!(s.batches[0].go_count, 3);
        assert_eq!(s.batches[0].statements.len(), 3);
        let Statement::Set(set) = &s.batches[0].statements[1] else {
            panic!()
        };
        assert!(set.options[0].eq_name("QUOTED_IDENTIFIER") && set.value == "ON");
        let Statement::Use(u) = &s.batches[0].statements[2] else {
            panic!()
        };
        assert_eq!(u.database.value, "Hosp");
    }

    #[test]
    fn routine_bodies_are_kept_with_spans() {
        let src = "CREATE PROCEDURE dbo.p @a int = 1, @b varchar(10) OUTPUT\nWITH EXECUTE AS OWNER\nAS\nBEGIN TRY SELECT 1 END TRY BEGIN CATCH SELECT 2 END CATCH\nGO\nCREATE TRIGGER t ON dbo.x AFTER INSERT, UPDATE AS SELECT 1\nGO\nCREATE FUNCTION f() RETURNS int BEGIN RETURN 1 END";
        let s = parse_script(src);
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        let r: Vec<&CreateRoutine> = s
            .statements()
            .filter_map(|st| match st {
                Statement::CreateRoutine(r) => Some(r),
                _ => None,
            })
            .collect();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].options, ["EXECUTE AS OWNER"]);
        assert!(r[0].header.starts_with("@a int = 1"));
        assert!(r[0].body.starts_with("BEGIN TRY"));
        assert_eq!(r[0].body_span.start.line, 4);
        assert_eq!(r[1].parent.as_ref().unwrap().name().value, "x");
        assert_eq!(r[2].body, "BEGIN RETURN 1 END");
    }

    #[test]
    fn select_go_on_one_line_is_an_alias_not_a_batch_end() {
        let s = parse_script("SELECT 1 GO\nGO");
        assert_eq!(s.batches.len(), 1);
        let Statement::Other(o) = &s.batches[0].statements[0] else {
            panic!()
        };
        assert_eq!(o.text, "SELECT 1 GO");
    }

    #[test]
    fn table_features() {
        let src = "CREATE TABLE [s].[t w] (\n id int IDENTITY(5,2) NOT FOR REPLICATION NOT NULL CONSTRAINT pk PRIMARY KEY NONCLUSTERED,\n g uniqueidentifier ROWGUIDCOL NOT NULL DEFAULT newsequentialid(),\n c AS (id*2) PERSISTED NOT NULL,\n n nvarchar(max) COLLATE Latin1_General_BIN2 SPARSE NULL,\n r int REFERENCES s.o(id) ON DELETE SET NULL,\n k int CHECK NOT FOR REPLICATION (k > 0),\n CONSTRAINT uq UNIQUE CLUSTERED (g DESC) WITH FILLFACTOR = 80,\n INDEX ix NONCLUSTERED (r)\n) ON ps(id) TEXTIMAGE_ON [PRIMARY] WITH (DATA_COMPRESSION = PAGE)";
        let s = parse_script(src);
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        let Some(Statement::CreateTable(t)) = s.statements().next() else {
            panic!()
        };
        assert_eq!(t.name.name().value, "t w");
        assert_eq!(t.elements.len(), 8);
        assert_eq!(
            t.storage.as_ref().unwrap().column.as_ref().unwrap().value,
            "id"
        );
        assert_eq!(t.options[0].value.as_deref(), Some("PAGE"));
        let printed = t.to_string();
        let again = parse_script(&printed);
        assert!(
            again.diagnostics.is_empty(),
            "{printed}\n{:?}",
            again.diagnostics
        );
        let Some(Statement::CreateTable(t2)) = again.statements().next() else {
            panic!()
        };
        assert_eq!(t2.to_string(), printed);
    }

    #[test]
    fn alter_table_forms() {
        let src = "ALTER TABLE t WITH NOCHECK ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (b)\nALTER TABLE t NOCHECK CONSTRAINT ALL\nALTER TABLE t ADD c int NULL, CONSTRAINT d DEFAULT (0) FOR c\nALTER TABLE t DROP CONSTRAINT IF EXISTS f\nALTER TABLE t ALTER COLUMN c bigint NOT NULL\nALTER TABLE t SET (LOCK_ESCALATION = AUTO)";
        let s = parse_script(src);
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        let ops: Vec<&AlterTableOp> = s
            .statements()
            .filter_map(|st| match st {
                Statement::AlterTable(a) => Some(&a.op),
                _ => None,
            })
            .collect();
        assert_eq!(ops.len(), 6);
        assert!(matches!(
            ops[0],
            AlterTableOp::Add {
                with_check: Some(false),
                ..
            }
        ));
        assert!(
            matches!(ops[1], AlterTableOp::SetConstraintCheck { enable: false, names, .. } if names.is_empty())
        );
        assert!(matches!(ops[2], AlterTableOp::Add { elements, .. } if elements.len() == 2));
        assert!(matches!(ops[3], AlterTableOp::DropConstraint(n) if n[0].value == "f"));
        assert!(matches!(ops[4], AlterTableOp::AlterColumn(_)));
        assert!(matches!(ops[5], AlterTableOp::Other(t) if t.contains("LOCK_ESCALATION")));
    }

    #[test]
    fn never_panics_on_truncated_statements() {
        let full = "CREATE UNIQUE NONCLUSTERED INDEX [ix] ON [dbo].[t] ([a] DESC) INCLUDE ([b]) WHERE ([a] IS NOT NULL) WITH (FILLFACTOR = 90) ON [PRIMARY]\nCREATE SEQUENCE s AS int START WITH -5 INCREMENT BY -1 MINVALUE -100 MAXVALUE 0 CYCLE CACHE 10\nCREATE TYPE t FROM varchar(10) NOT NULL\nCREATE SYNONYM x FOR a.b.c.d";
        for end in 0..full.len() {
            if full.is_char_boundary(end) {
                let _ = parse_script(&full[..end]);
            }
        }
        let s = parse_script(full);
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        assert_eq!(s.statements().count(), 4);
    }
}
