//! The procedural half of T-SQL: routine headers, statements, queries and
//! expressions, parsed from `sluice-tsql`'s tokens.
//!
//! Statements need no semicolons: each parse function consumes what its
//! grammar allows and the next statement starts at the next token. A
//! statement that does not parse becomes [`StmtKind::Unparsed`] with its
//! position, and parsing resumes at the next line that starts with a
//! statement keyword, so one bad statement never hides the rest.

mod expr;
mod object;
mod query;
mod stmt;

pub use object::{parse_objects, ParsedObject};

use crate::ast::*;
use sluice_tsql::lexer::{QuoteStyle, Token, TokenKind};

/// A parse error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where.
    pub pos: Pos,
    /// What.
    pub message: String,
}

pub(crate) type PResult<T> = Result<T, ParseError>;

/// Words that can never be an alias or a bare column name: they start or
/// continue statements and clauses, so a statement without a semicolon ends
/// before them.
const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BREAK",
    "BY",
    "CASE",
    "CATCH",
    "CLOSE",
    "COMMIT",
    "CONTINUE",
    "CREATE",
    "CROSS",
    "CURSOR",
    "DEALLOCATE",
    "DECLARE",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXEC",
    "EXECUTE",
    "EXISTS",
    "FETCH",
    "FOR",
    "FROM",
    "FULL",
    "GOTO",
    "GROUP",
    "HAVING",
    "IF",
    "IN",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "LEFT",
    "LIKE",
    "MERGE",
    "NOT",
    "NULL",
    "OFFSET",
    "ON",
    "OPEN",
    "OPTION",
    "OR",
    "ORDER",
    "OUTER",
    "OUTPUT",
    "PIVOT",
    "PRINT",
    "RAISERROR",
    "RETURN",
    "RIGHT",
    "ROLLBACK",
    "SAVE",
    "SELECT",
    "SET",
    "THEN",
    "THROW",
    "TOP",
    "TRUNCATE",
    "UNION",
    "UNPIVOT",
    "UPDATE",
    "USE",
    "VALUES",
    "WAITFOR",
    "WHEN",
    "WHERE",
    "WHILE",
    "WITH",
];

/// Words that start a statement (used for error recovery).
const STATEMENT_START: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "SET",
    "DECLARE",
    "IF",
    "WHILE",
    "BEGIN",
    "END",
    "RETURN",
    "EXEC",
    "EXECUTE",
    "PRINT",
    "RAISERROR",
    "THROW",
    "COMMIT",
    "ROLLBACK",
    "OPEN",
    "FETCH",
    "CLOSE",
    "DEALLOCATE",
    "CREATE",
    "DROP",
    "TRUNCATE",
    "GOTO",
    "MERGE",
    "WITH",
    "ELSE",
];

/// Token cursor shared by the parse functions.
pub(crate) struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(toks: &'a [Token]) -> Self {
        Parser { toks, pos: 0 }
    }

    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&'a Token> {
        self.toks.get(self.pos + n)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn bump(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn here(&self) -> Pos {
        match self.peek().or_else(|| self.toks.last()) {
            Some(t) => Pos {
                line: t.span.start.line,
                column: t.span.start.column,
            },
            None => Pos::default(),
        }
    }

    fn err<T>(&self, message: impl Into<String>) -> PResult<T> {
        let found = match self.peek() {
            Some(t) => format!(" (found `{}`)", t.text),
            None => " (found end of text)".to_string(),
        };
        Err(ParseError {
            pos: self.here(),
            message: format!("{}{found}", message.into()),
        })
    }

    fn is_kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(kw))
    }

    fn is_kw_at(&self, n: usize, kw: &str) -> bool {
        self.peek_at(n).is_some_and(|t| t.is_keyword(kw))
    }

    fn is_punct(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(p))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            self.err(format!("expected {kw}"))
        }
    }

    fn expect_punct(&mut self, p: &str) -> PResult<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            self.err(format!("expected `{p}`"))
        }
    }

    /// Is the current token a word that cannot be a name here?
    fn at_reserved(&self) -> bool {
        self.peek().is_some_and(|t| {
            t.kind == TokenKind::Word && RESERVED.iter().any(|r| t.text.eq_ignore_ascii_case(r))
        })
    }

    /// An identifier (word or delimited), not a reserved word.
    fn ident(&mut self) -> PResult<String> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Word && !self.at_reserved() => {
                self.pos += 1;
                Ok(t.text.clone())
            }
            Some(t) if matches!(t.kind, TokenKind::QuotedIdent(_)) => {
                self.pos += 1;
                Ok(t.text.clone())
            }
            _ => self.err("expected a name"),
        }
    }

    /// An identifier that may be a reserved word (after `.` or in column lists).
    fn any_ident(&mut self) -> PResult<String> {
        match self.peek() {
            Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent(_)) => {
                self.pos += 1;
                Ok(t.text.clone())
            }
            _ => self.err("expected a name"),
        }
    }

    /// `a.b.c` (empty parts allowed, as in `db..t`).
    fn name(&mut self) -> PResult<Name> {
        let mut parts = vec![self.ident()?];
        while self.is_punct(".") {
            self.pos += 1;
            if self.is_punct(".") {
                parts.push(String::new());
                continue;
            }
            parts.push(self.any_ident()?);
        }
        Ok(Name(parts))
    }

    fn variable(&mut self) -> PResult<String> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Variable && !t.text.starts_with("@@") => {
                self.pos += 1;
                Ok(t.text[1..].to_string())
            }
            _ => self.err("expected a @variable"),
        }
    }

    fn is_variable(&self) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == TokenKind::Variable && !t.text.starts_with("@@"))
    }

    /// An optional alias: `AS x`, `x`, `'x'`.
    fn alias(&mut self) -> PResult<Option<String>> {
        if self.eat_kw("AS") {
            return match self.peek() {
                Some(t) if matches!(t.kind, TokenKind::String { .. }) => {
                    self.pos += 1;
                    Ok(Some(t.text.clone()))
                }
                _ => Ok(Some(self.any_ident()?)),
            };
        }
        match self.peek() {
            Some(t)
                if (t.kind == TokenKind::Word && !self.at_reserved())
                    || matches!(t.kind, TokenKind::QuotedIdent(_)) =>
            {
                self.pos += 1;
                Ok(Some(t.text.clone()))
            }
            _ => Ok(None),
        }
    }

    /// Skips to a point where a new statement plausibly starts; returns the skipped text.
    fn recover(&mut self, start: usize) -> String {
        if self.pos == start {
            self.pos += 1;
        }
        while let Some(t) = self.peek() {
            if t.is_punct(";") {
                self.pos += 1;
                break;
            }
            if t.line_start
                && t.kind == TokenKind::Word
                && STATEMENT_START
                    .iter()
                    .any(|k| t.text.eq_ignore_ascii_case(k))
            {
                break;
            }
            self.pos += 1;
        }
        self.toks[start..self.pos.min(self.toks.len())]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads the tokens of a parenthesised group as raw text (frame clauses).
    fn raw_until_close_paren(&mut self) -> String {
        let mut depth = 0i32;
        let mut out = Vec::new();
        while let Some(t) = self.peek() {
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            out.push(t.text.clone());
            self.pos += 1;
        }
        out.join(" ")
    }
}

/// Prepares tokens: drops comments and, under `QUOTED_IDENTIFIER OFF`, turns
/// double-quoted names into string literals (that is what they are then).
pub(crate) fn prepare_tokens(toks: &[Token], quoted_identifier_off: bool) -> Vec<Token> {
    toks.iter()
        .filter(|t| !t.is_trivia())
        .map(|t| {
            let mut t = t.clone();
            if quoted_identifier_off && t.kind == TokenKind::QuotedIdent(QuoteStyle::Double) {
                t.kind = TokenKind::String { national: false };
            }
            t
        })
        .collect()
}
