//! SET, USE, EXEC, and statements kept as text.

use super::{PResult, Parser};
use crate::ast::*;
use crate::lexer::TokenKind;

impl Parser<'_> {
    pub(super) fn parse_set(&mut self) -> PResult<Statement> {
        let start = self.here();
        self.expect_kw("SET")?;
        let mut options = Vec::new();
        if self.peek().is_some_and(|t| t.kind == TokenKind::Variable) {
            let t = self.next().expect("peeked");
            options.push(Ident {
                value: t.text.clone(),
                quote: None,
                span: t.span,
            });
        } else {
            options.push(self.parse_ident()?);
            while self.eat_punct(",") {
                options.push(self.parse_ident()?);
            }
        }
        let vstart = self.here();
        self.skip_statement_keep_semicolon();
        let value = self
            .text_between(vstart, self.prev_end())
            .trim()
            .to_string();
        if value.is_empty() {
            return self.error("SET needs a value");
        }
        Ok(Statement::Set(SetStatement {
            options,
            value,
            span: self.span_from(start),
        }))
    }

    fn skip_statement_keep_semicolon(&mut self) {
        self.skip_statement();
        if self.pos > 0 && self.toks[self.pos - 1].is_punct(";") {
            self.pos -= 1;
        }
    }

    pub(super) fn parse_use(&mut self) -> PResult<Statement> {
        let start = self.here();
        self.expect_kw("USE")?;
        let database = self.parse_ident()?;
        Ok(Statement::Use(UseStatement {
            database,
            span: self.span_from(start),
        }))
    }

    pub(super) fn parse_exec(&mut self) -> PResult<Statement> {
        let start = self.here();
        self.pos += 1; // EXEC / EXECUTE
        if self.peek().is_some_and(|t| t.kind == TokenKind::Variable)
            && self.peek_nth(1).is_some_and(|t| t.is_punct("="))
        {
            self.pos += 2; // @rc = proc
        }
        let procedure = self.parse_object_name()?;
        let mut args = Vec::new();
        let first = self.pos;
        while !(self.at_eof()
            || self.at_punct(";")
            || (self.pos > first && self.starts_statement_at(self.pos)))
        {
            let name = if self.peek().is_some_and(|t| t.kind == TokenKind::Variable)
                && self.peek_nth(1).is_some_and(|t| t.is_punct("="))
            {
                let n = self.next().expect("peeked").text.clone();
                self.pos += 1;
                Some(n)
            } else {
                None
            };
            let value = self.parse_expr()?;
            let output = self.eat_kw("OUTPUT") || self.eat_kw("OUT");
            args.push(ExecArg {
                name,
                value,
                output,
            });
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(Statement::Exec(ExecStatement {
            procedure,
            args,
            span: self.span_from(start),
        }))
    }

    /// A statement kept as text, up to its end.
    pub(super) fn parse_other(&mut self) -> PResult<Statement> {
        let start = self.here();
        let mut keyword = self
            .next()
            .map(|t| t.text.to_ascii_uppercase())
            .unwrap_or_default();
        if matches!(keyword.as_str(), "CREATE" | "ALTER" | "DROP") {
            if let Some(t) = self.peek() {
                if t.kind == TokenKind::Word {
                    keyword.push(' ');
                    keyword.push_str(&t.text.to_ascii_uppercase());
                }
            }
        }
        self.pos -= 1;
        self.skip_statement_keep_semicolon();
        Ok(Statement::Other(OtherStatement {
            keyword,
            text: self.text_between(start, self.prev_end()),
            span: self.span_from(start),
        }))
    }
}
