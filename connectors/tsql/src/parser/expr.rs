//! Expressions and data types (Pratt parser with T-SQL precedence).

use super::{PResult, Parser};
use crate::ast::*;
use crate::lexer::TokenKind;

/// Words that end an expression rather than start one.
const NOT_AN_OPERAND: &[&str] = &[
    "AND",
    "OR",
    "THEN",
    "ELSE",
    "END",
    "WHEN",
    "FROM",
    "AS",
    "ON",
    "WHERE",
    "FOR",
    "WITH",
    "ASC",
    "DESC",
    "IS",
    "IN",
    "LIKE",
    "BETWEEN",
    "ESCAPE",
    "NOT",
    "CONSTRAINT",
    "PRIMARY",
    "UNIQUE",
    "FOREIGN",
    "REFERENCES",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "PERSISTED",
];

impl Parser<'_> {
    /// Parses an expression.
    pub fn parse_expr(&mut self) -> PResult<Expr> {
        self.parse_expr_bp(0)
    }

    fn parse_expr_bp(&mut self, min: u8) -> PResult<Expr> {
        let mut left = self.parse_prefix()?;
        loop {
            let start = left.span().start;
            // Postfix and keyword operators, all at comparison strength (4).
            if 4 > min {
                let negated = self.at_kw("NOT")
                    && ["IN", "LIKE", "BETWEEN"]
                        .iter()
                        .any(|k| self.at_kw_nth(1, k));
                let skip = usize::from(negated);
                if self.at_kw("IS") {
                    self.pos += 1;
                    let neg = self.eat_kw("NOT");
                    self.expect_kw("NULL")?;
                    left = Expr::IsNull {
                        expr: Box::new(left),
                        negated: neg,
                        span: self.span_from(start),
                    };
                    continue;
                }
                if self.at_kw_nth(skip, "IN") {
                    self.pos += skip + 1;
                    self.expect_punct("(")?;
                    if self.at_kw("SELECT") {
                        return self.error("IN (SELECT ...) is not supported in this context");
                    }
                    let mut list = vec![self.parse_expr()?];
                    while self.eat_punct(",") {
                        list.push(self.parse_expr()?);
                    }
                    self.expect_punct(")")?;
                    left = Expr::InList {
                        expr: Box::new(left),
                        list,
                        negated,
                        span: self.span_from(start),
                    };
                    continue;
                }
                if self.at_kw_nth(skip, "BETWEEN") {
                    self.pos += skip + 1;
                    let low = self.parse_expr_bp(4)?;
                    self.expect_kw("AND")?;
                    let high = self.parse_expr_bp(4)?;
                    left = Expr::Between {
                        expr: Box::new(left),
                        low: Box::new(low),
                        high: Box::new(high),
                        negated,
                        span: self.span_from(start),
                    };
                    continue;
                }
                if self.at_kw_nth(skip, "LIKE") {
                    self.pos += skip + 1;
                    let pattern = self.parse_expr_bp(4)?;
                    let escape = if self.eat_kw("ESCAPE") {
                        Some(Box::new(self.parse_expr_bp(4)?))
                    } else {
                        None
                    };
                    left = Expr::Like {
                        expr: Box::new(left),
                        pattern: Box::new(pattern),
                        escape,
                        negated,
                        span: self.span_from(start),
                    };
                    continue;
                }
            }
            let Some(op) = self.peek_binary_op() else {
                break;
            };
            let p = op.precedence();
            if p <= min {
                break;
            }
            self.pos += 1;
            let right = self.parse_expr_bp(p)?;
            left = Expr::Binary {
                left: Box::new(left),
                op,
                right: Box::new(right),
                span: self.span_from(start),
            };
        }
        Ok(left)
    }

    fn peek_binary_op(&self) -> Option<BinaryOp> {
        let t = self.peek()?;
        use BinaryOp::*;
        match t.kind {
            TokenKind::Punct => Some(match t.text.as_str() {
                "+" => Plus,
                "-" => Minus,
                "*" => Multiply,
                "/" => Divide,
                "%" => Modulo,
                "&" => BitAnd,
                "|" => BitOr,
                "^" => BitXor,
                "=" => Eq,
                "<>" => NotEq,
                "!=" => BangEq,
                "<" => Lt,
                ">" => Gt,
                "<=" => LtEq,
                ">=" => GtEq,
                "!<" => NotLt,
                "!>" => NotGt,
                _ => return None,
            }),
            TokenKind::Word if t.text.eq_ignore_ascii_case("AND") => Some(And),
            TokenKind::Word if t.text.eq_ignore_ascii_case("OR") => Some(Or),
            _ => None,
        }
    }

    fn parse_prefix(&mut self) -> PResult<Expr> {
        let start = self.here();
        let Some(t) = self.peek() else {
            return self.error("expected an expression, found end of batch");
        };
        match &t.kind {
            TokenKind::Number => {
                self.pos += 1;
                Ok(Expr::Literal(Literal::Number(t.text.clone()), t.span))
            }
            TokenKind::String { national } => {
                self.pos += 1;
                Ok(Expr::Literal(
                    Literal::String {
                        value: t.text.clone(),
                        national: *national,
                    },
                    t.span,
                ))
            }
            TokenKind::Binary => {
                self.pos += 1;
                Ok(Expr::Literal(Literal::Binary(t.text.clone()), t.span))
            }
            TokenKind::Variable => {
                self.pos += 1;
                Ok(Expr::Variable(Ident {
                    value: t.text.clone(),
                    quote: None,
                    span: t.span,
                }))
            }
            TokenKind::Punct if t.text == "(" => {
                if self.at_kw_nth(1, "SELECT") || self.at_kw_nth(1, "WITH") {
                    return self.parse_subquery(start, false);
                }
                self.pos += 1;
                let e = self.parse_expr()?;
                self.expect_punct(")")?;
                Ok(Expr::Nested(Box::new(e), self.span_from(start)))
            }
            TokenKind::Punct if matches!(t.text.as_str(), "-" | "+" | "~") => {
                self.pos += 1;
                let op = match t.text.as_str() {
                    "-" => UnaryOp::Minus,
                    "+" => UnaryOp::Plus,
                    _ => UnaryOp::BitNot,
                };
                let e = self.parse_expr_bp(6)?;
                Ok(Expr::Unary {
                    op,
                    expr: Box::new(e),
                    span: self.span_from(start),
                })
            }
            TokenKind::Punct if t.text == "*" => {
                self.pos += 1;
                Ok(Expr::Star(t.span))
            }
            TokenKind::Word => self.parse_word_expr(start),
            TokenKind::QuotedIdent(_) => self.parse_name_or_call(start),
            _ => self.error(format!("expected an expression, found {}", self.found())),
        }
    }

    fn parse_word_expr(&mut self, start: Loc) -> PResult<Expr> {
        let t = self.peek().expect("caller checked");
        let up = t.text.to_ascii_uppercase();
        let next_is_paren = self.peek_nth(1).is_some_and(|n| n.is_punct("("));
        match up.as_str() {
            "NULL" => {
                self.pos += 1;
                Ok(Expr::Literal(Literal::Null, t.span))
            }
            "NOT" => {
                self.pos += 1;
                let e = self.parse_expr_bp(3)?;
                Ok(Expr::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(e),
                    span: self.span_from(start),
                })
            }
            "EXISTS" if next_is_paren => {
                self.pos += 1;
                self.parse_subquery(start, true)
            }
            "CASE" => self.parse_case(start),
            "CAST" | "TRY_CAST" if next_is_paren => {
                self.pos += 2;
                let e = self.parse_expr()?;
                self.expect_kw("AS")?;
                let ty = self.parse_data_type()?;
                self.expect_punct(")")?;
                Ok(Expr::Cast {
                    kind: if up == "CAST" {
                        CastKind::Strict
                    } else {
                        CastKind::Try
                    },
                    expr: Box::new(e),
                    data_type: ty,
                    span: self.span_from(start),
                })
            }
            "CONVERT" | "TRY_CONVERT" if next_is_paren => {
                self.pos += 2;
                let ty = self.parse_data_type()?;
                self.expect_punct(",")?;
                let e = self.parse_expr()?;
                let style = if self.eat_punct(",") {
                    Some(Box::new(self.parse_expr()?))
                } else {
                    None
                };
                self.expect_punct(")")?;
                Ok(Expr::Convert {
                    kind: if up == "CONVERT" {
                        CastKind::Strict
                    } else {
                        CastKind::Try
                    },
                    data_type: ty,
                    expr: Box::new(e),
                    style,
                    span: self.span_from(start),
                })
            }
            "NEXT" if self.at_kw_nth(1, "VALUE") && self.at_kw_nth(2, "FOR") => {
                self.pos += 3;
                let n = self.parse_object_name()?;
                Ok(Expr::NextValueFor(n, self.span_from(start)))
            }
            w if NOT_AN_OPERAND.contains(&w) => {
                self.error(format!("expected an expression, found {}", self.found()))
            }
            _ => self.parse_name_or_call(start),
        }
    }

    fn parse_name_or_call(&mut self, start: Loc) -> PResult<Expr> {
        let name = self.parse_object_name()?;
        if !self.at_punct("(") {
            return Ok(Expr::Name(name));
        }
        self.pos += 1;
        let distinct = self.eat_kw("DISTINCT");
        let mut args = Vec::new();
        if !self.at_punct(")") {
            args.push(self.parse_expr()?);
            while self.eat_punct(",") {
                args.push(self.parse_expr()?);
            }
        }
        self.expect_punct(")")?;
        Ok(Expr::Function {
            name,
            distinct,
            args,
            span: self.span_from(start),
        })
    }

    fn parse_case(&mut self, start: Loc) -> PResult<Expr> {
        self.expect_kw("CASE")?;
        let operand = if self.at_kw("WHEN") {
            None
        } else {
            Some(Box::new(self.parse_expr()?))
        };
        let mut whens = Vec::new();
        while self.eat_kw("WHEN") {
            let w = self.parse_expr()?;
            self.expect_kw("THEN")?;
            let t = self.parse_expr()?;
            whens.push((w, t));
        }
        if whens.is_empty() {
            return self.error("CASE needs at least one WHEN");
        }
        let else_result = if self.eat_kw("ELSE") {
            Some(Box::new(self.parse_expr()?))
        } else {
            None
        };
        self.expect_kw("END")?;
        Ok(Expr::Case {
            operand,
            whens,
            else_result,
            span: self.span_from(start),
        })
    }

    /// `(SELECT ...)` kept as text; balanced parentheses decide the end.
    fn parse_subquery(&mut self, start: Loc, exists: bool) -> PResult<Expr> {
        self.expect_punct("(")?;
        let inner_start = self.here();
        let mut depth = 1;
        while let Some(t) = self.next() {
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
                if depth == 0 {
                    let text = self.text_between(inner_start, t.span.start);
                    return Ok(Expr::Subquery {
                        exists,
                        text: text.trim().to_string(),
                        span: self.span_from(start),
                    });
                }
            }
        }
        self.error("unclosed '(' in subquery")
    }

    /// Parses a data type.
    pub fn parse_data_type(&mut self) -> PResult<DataType> {
        let start = self.here();
        let mut name = self.parse_object_name()?;
        // `double precision` is the only two-word system type scripts use.
        if name.parts.len() == 1 && name.name().eq_name("double") && self.at_kw("PRECISION") {
            self.pos += 1;
            name.parts[0].value = "float".into();
            name.parts[0].quote = None;
        }
        let mut args = Vec::new();
        if self.eat_punct("(") {
            loop {
                let t = self.next();
                match t {
                    Some(t) if t.kind == TokenKind::Number => match t.text.parse::<u32>() {
                        Ok(n) => args.push(TypeArg::Number(n)),
                        Err(_) => return self.error(format!("bad type argument '{}'", t.text)),
                    },
                    Some(t) if t.is_keyword("MAX") => args.push(TypeArg::Max),
                    _ => {
                        self.pos = self.pos.saturating_sub(1);
                        return self.error(format!(
                            "expected a number or MAX in the type, found {}",
                            self.found()
                        ));
                    }
                }
                if self.eat_punct(")") {
                    break;
                }
                self.expect_punct(",")?;
            }
        }
        Ok(DataType {
            name,
            args,
            span: self.span_from(start),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::*;
    use crate::parser::parse_expression;

    #[test]
    fn precedence_follows_tsql() {
        let e = parse_expression("a + b * c = d AND NOT e OR f").unwrap();
        let Expr::Binary {
            op: BinaryOp::Or,
            left,
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        let Expr::Binary {
            op: BinaryOp::And,
            left: cmp,
            right: not,
            ..
        } = &**left
        else {
            panic!()
        };
        assert!(matches!(
            &**not,
            Expr::Unary {
                op: UnaryOp::Not,
                ..
            }
        ));
        let Expr::Binary {
            op: BinaryOp::Eq,
            left: sum,
            ..
        } = &**cmp
        else {
            panic!()
        };
        let Expr::Binary {
            op: BinaryOp::Plus,
            right: prod,
            ..
        } = &**sum
        else {
            panic!()
        };
        assert!(matches!(
            &**prod,
            Expr::Binary {
                op: BinaryOp::Multiply,
                ..
            }
        ));
    }

    #[test]
    fn catalog_style_definitions_parse() {
        for src in [
            "((0))",
            "(getdate())",
            "(newid())",
            "(N'')",
            "([Qty]*[UnitPrice])",
            "([Sex]='U' OR [Sex]='F' OR [Sex]='M')",
            "([DischargeDate] IS NULL OR [DischargeDate]>=[AdmitDate])",
            "([Mrn] like '[0-9][0-9][0-9][0-9][0-9][0-9]')",
            "(CONVERT([date],[VisitTime]))",
            "(CONVERT(varchar(10), [d], 112))",
            "(datediff(year,[BirthDate],getdate()))",
            "(CASE WHEN [Status] IN ('A', 'B') THEN 1 ELSE 0 END)",
            "([Amount] BETWEEN (0) AND (100000))",
            "(NEXT VALUE FOR [lab].[SpecimenSeq])",
            "(CAST(1 AS bit))",
            "(-1)",
            "(isnull([a],'')+' '+isnull([b],''))",
        ] {
            let e = parse_expression(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
            let printed = e.to_string();
            let again = parse_expression(&printed).unwrap();
            assert_eq!(again.to_string(), printed, "{src}");
        }
    }

    #[test]
    fn errors_point_at_the_token() {
        let e = parse_expression("(a +\n  )").unwrap_err();
        assert_eq!((e.loc.line, e.loc.column), (2, 3));
    }

    #[test]
    fn spans_cover_the_expression() {
        let src = "  a  +  f(1, 2)";
        let e = parse_expression(src).unwrap();
        assert_eq!(e.span().slice(src), "a  +  f(1, 2)");
    }
}
