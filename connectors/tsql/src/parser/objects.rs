//! CREATE INDEX, SEQUENCE, SYNONYM, TYPE and SCHEMA.

use super::{PResult, Parser};
use crate::ast::*;

impl Parser<'_> {
    /// After CREATE: is this an index?
    pub(super) fn at_index_start(&self) -> bool {
        let mut i = 0;
        for kw in [
            "UNIQUE",
            "CLUSTERED",
            "NONCLUSTERED",
            "COLUMNSTORE",
            "PRIMARY",
            "XML",
            "SPATIAL",
        ] {
            if self.at_kw_nth(i, kw) {
                i += 1;
            }
        }
        self.at_kw_nth(i, "INDEX")
    }

    pub(super) fn parse_create_index(&mut self, start: Loc) -> PResult<CreateIndex> {
        let unique = self.eat_kw("UNIQUE");
        let clustered = if self.eat_kw("CLUSTERED") {
            Some(true)
        } else if self.eat_kw("NONCLUSTERED") {
            Some(false)
        } else {
            None
        };
        let mut special = Vec::new();
        for kw in ["COLUMNSTORE", "PRIMARY", "XML", "SPATIAL"] {
            if self.eat_kw(kw) {
                special.push(kw);
            }
        }
        self.expect_kw("INDEX")?;
        let name = self.parse_ident()?;
        self.expect_kw("ON")?;
        let table = self.parse_object_name()?;
        let columns = if self.at_punct("(") {
            self.parse_index_columns()?
        } else {
            Vec::new()
        };
        let mut include = Vec::new();
        let mut filter = None;
        let mut options = Vec::new();
        let mut storage = None;
        loop {
            if self.eat_kw("INCLUDE") {
                include = self.parse_ident_list()?;
            } else if self.eat_kw("WHERE") {
                filter = Some(self.parse_expr()?);
            } else if self.at_kw("WITH") && self.peek_nth(1).is_some_and(|t| t.is_punct("(")) {
                self.pos += 1;
                options = self.parse_options()?;
            } else if self.at_kw("ON") {
                storage = Some(self.parse_storage()?);
            } else if self.at_kw("USING") || self.at_kw("FOR") || self.at_kw("FILESTREAM_ON") {
                // XML / spatial index clauses: keep the statement, skip the detail
                let s = self.pos;
                while self.peek().is_some_and(|t| {
                    !t.is_punct(";") && !t.is_keyword("WITH") && !t.is_keyword("ON")
                }) {
                    if self.pos > s && self.starts_statement_at(self.pos) {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
        Ok(CreateIndex {
            unique,
            clustered,
            special: (!special.is_empty()).then(|| special.join(" ")),
            name,
            table,
            columns,
            include,
            filter,
            options,
            storage,
            span: self.span_from(start),
        })
    }

    pub(super) fn parse_create_sequence(&mut self, start: Loc) -> PResult<CreateSequence> {
        let mut s = CreateSequence {
            name: self.parse_object_name()?,
            data_type: None,
            start: None,
            increment: None,
            min_value: None,
            max_value: None,
            cycle: None,
            cache: None,
            span: Span::default(),
        };
        loop {
            if self.eat_kw("AS") {
                s.data_type = Some(self.parse_data_type()?);
            } else if self.eat_kws(&["START", "WITH"]) {
                s.start = Some(self.parse_expr_bp_signed()?);
            } else if self.eat_kws(&["INCREMENT", "BY"]) {
                s.increment = Some(self.parse_expr_bp_signed()?);
            } else if self.eat_kw("MINVALUE") {
                s.min_value = Some(self.parse_expr_bp_signed()?);
            } else if self.eat_kw("MAXVALUE") {
                s.max_value = Some(self.parse_expr_bp_signed()?);
            } else if self.eat_kws(&["NO", "MINVALUE"]) || self.eat_kws(&["NO", "MAXVALUE"]) {
            } else if self.eat_kw("CYCLE") {
                s.cycle = Some(true);
            } else if self.eat_kws(&["NO", "CYCLE"]) {
                s.cycle = Some(false);
            } else if self.eat_kws(&["NO", "CACHE"]) {
                s.cache = None;
            } else if self.eat_kw("CACHE") {
                let n = if self
                    .peek()
                    .is_some_and(|t| t.kind == crate::lexer::TokenKind::Number)
                {
                    Some(self.parse_expr_bp_signed()?)
                } else {
                    None
                };
                s.cache = Some(n);
            } else {
                break;
            }
        }
        s.span = self.span_from(start);
        Ok(s)
    }

    /// A possibly negative number (sequence bounds).
    fn parse_expr_bp_signed(&mut self) -> PResult<Expr> {
        let start = self.here();
        let neg = self.eat_punct("-");
        let e = match self.peek() {
            Some(t) if t.kind == crate::lexer::TokenKind::Number => {
                self.pos += 1;
                Expr::Literal(Literal::Number(t.text.clone()), t.span)
            }
            _ => return self.error(format!("expected a number, found {}", self.found())),
        };
        Ok(if neg {
            Expr::Unary {
                op: UnaryOp::Minus,
                expr: Box::new(e),
                span: self.span_from(start),
            }
        } else {
            e
        })
    }

    pub(super) fn parse_create_synonym(&mut self, start: Loc) -> PResult<CreateSynonym> {
        let name = self.parse_object_name()?;
        self.expect_kw("FOR")?;
        let target = self.parse_object_name()?;
        Ok(CreateSynonym {
            name,
            target,
            span: self.span_from(start),
        })
    }

    pub(super) fn parse_create_type(&mut self, start: Loc) -> PResult<Statement> {
        let name = self.parse_object_name()?;
        let definition = if self.eat_kw("FROM") {
            let base = self.parse_data_type()?;
            let nullable = if self.eat_kws(&["NOT", "NULL"]) {
                Some(false)
            } else if self.eat_kw("NULL") {
                Some(true)
            } else {
                None
            };
            TypeDefinition::Alias { base, nullable }
        } else if self.eat_kws(&["AS", "TABLE"]) {
            self.expect_punct("(")?;
            let elements = self.parse_table_elements()?;
            self.expect_punct(")")?;
            if self.at_kw("WITH") && self.peek_nth(1).is_some_and(|t| t.is_punct("(")) {
                self.pos += 1;
                self.parse_options()?;
            }
            TypeDefinition::Table(elements)
        } else {
            return self.error(format!(
                "expected FROM or AS TABLE in CREATE TYPE, found {}",
                self.found()
            ));
        };
        Ok(Statement::CreateType(CreateType {
            name,
            definition,
            span: self.span_from(start),
        }))
    }

    pub(super) fn parse_create_schema(&mut self, start: Loc) -> PResult<CreateSchema> {
        let name = self.parse_ident()?;
        let authorization = if self.eat_kw("AUTHORIZATION") {
            Some(self.parse_ident()?)
        } else {
            None
        };
        Ok(CreateSchema {
            name,
            authorization,
            span: self.span_from(start),
        })
    }
}
