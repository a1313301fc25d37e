//! SELECT queries and FROM clauses.

use super::{PResult, Parser};
use crate::ast::*;
use sluice_tsql::lexer::TokenKind;

impl Parser<'_> {
    /// `[WITH ctes] body [ORDER BY] [OFFSET/FETCH]`.
    pub(crate) fn query(&mut self) -> PResult<Query> {
        let ctes = if self.is_kw("WITH") {
            self.bump();
            self.ctes()?
        } else {
            Vec::new()
        };
        self.query_after_ctes(ctes)
    }

    pub(crate) fn ctes(&mut self) -> PResult<Vec<Cte>> {
        let mut ctes = Vec::new();
        loop {
            let name = self.ident()?;
            let columns = if self.is_punct("(") {
                self.bump();
                let c = self.ident_list()?;
                self.expect_punct(")")?;
                c
            } else {
                Vec::new()
            };
            self.expect_kw("AS")?;
            self.expect_punct("(")?;
            let query = self.query()?;
            self.expect_punct(")")?;
            ctes.push(Cte {
                name,
                columns,
                query,
            });
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(ctes)
    }

    pub(crate) fn query_after_ctes(&mut self, ctes: Vec<Cte>) -> PResult<Query> {
        let body = self.set_expr()?;
        let mut q = Query {
            ctes,
            body,
            order_by: Vec::new(),
            offset: None,
            fetch: None,
        };
        if self.is_kw("ORDER") && self.is_kw_at(1, "BY") {
            self.bump();
            self.bump();
            q.order_by = self.order_items()?;
            if self.eat_kw("OFFSET") {
                q.offset = Some(self.expr()?);
                if !self.eat_kw("ROWS") {
                    self.expect_kw("ROW")?;
                }
                if self.eat_kw("FETCH") {
                    if !self.eat_kw("NEXT") {
                        self.expect_kw("FIRST")?;
                    }
                    q.fetch = Some(self.expr()?);
                    if !self.eat_kw("ROWS") {
                        self.expect_kw("ROW")?;
                    }
                    self.expect_kw("ONLY")?;
                }
            }
        }
        if self.is_kw("FOR")
            && (self.is_kw_at(1, "XML") || self.is_kw_at(1, "JSON") || self.is_kw_at(1, "BROWSE"))
        {
            return self.err("FOR XML / FOR JSON has no equivalent on the target");
        }
        if self.is_kw("OPTION") && self.peek_at(1).is_some_and(|t| t.is_punct("(")) {
            // Query hints (MAXDOP, RECOMPILE) only steer SQL Server's optimiser.
            self.bump();
            self.bump();
            self.raw_until_close_paren();
            self.expect_punct(")")?;
        }
        Ok(q)
    }

    fn set_expr(&mut self) -> PResult<SetExpr> {
        let mut l = self.set_term()?;
        loop {
            let op = if self.is_kw("UNION") {
                self.bump();
                if self.eat_kw("ALL") {
                    "UNION ALL"
                } else {
                    "UNION"
                }
            } else if self.eat_kw("EXCEPT") {
                "EXCEPT"
            } else if self.eat_kw("INTERSECT") {
                "INTERSECT"
            } else {
                break;
            };
            let r = self.set_term()?;
            l = SetExpr::SetOp(Box::new(l), op.into(), Box::new(r));
        }
        Ok(l)
    }

    fn set_term(&mut self) -> PResult<SetExpr> {
        if self.is_punct("(") {
            self.bump();
            let q = self.query()?;
            self.expect_punct(")")?;
            return Ok(SetExpr::Nested(Box::new(q)));
        }
        Ok(SetExpr::Select(Box::new(self.select()?)))
    }

    pub(crate) fn top(&mut self) -> PResult<Option<Top>> {
        if !self.eat_kw("TOP") {
            return Ok(None);
        }
        let count = if self.is_punct("(") {
            self.bump();
            let e = self.expr()?;
            self.expect_punct(")")?;
            e
        } else {
            match self.bump() {
                Some(t) if t.kind == TokenKind::Number => Expr::Number(t.text.clone()),
                Some(t) if t.kind == TokenKind::Variable => Expr::Var(t.text[1..].to_string()),
                _ => return self.err("expected the TOP count"),
            }
        };
        let percent = self.eat_kw("PERCENT");
        let with_ties = if self.is_kw("WITH") && self.is_kw_at(1, "TIES") {
            self.bump();
            self.bump();
            true
        } else {
            false
        };
        Ok(Some(Top {
            count,
            percent,
            with_ties,
        }))
    }

    fn select(&mut self) -> PResult<Select> {
        let pos = self.here();
        self.expect_kw("SELECT")?;
        let distinct = if self.eat_kw("DISTINCT") {
            true
        } else {
            self.eat_kw("ALL");
            false
        };
        let top = self.top()?;
        let mut items = Vec::new();
        loop {
            items.push(self.select_item()?);
            if !self.eat_punct(",") {
                break;
            }
        }
        let into = if self.eat_kw("INTO") {
            Some(self.name()?)
        } else {
            None
        };
        let from = if self.eat_kw("FROM") {
            self.table_list()?
        } else {
            Vec::new()
        };
        let where_ = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut group_by = Vec::new();
        if self.is_kw("GROUP") && self.is_kw_at(1, "BY") {
            self.bump();
            self.bump();
            group_by = self.expr_list()?;
        }
        let having = if self.eat_kw("HAVING") {
            Some(self.expr()?)
        } else {
            None
        };
        Ok(Select {
            distinct,
            top,
            items,
            into,
            from,
            where_,
            group_by,
            having,
            pos,
        })
    }

    fn select_item(&mut self) -> PResult<SelectItem> {
        // `@v = expr` assignment.
        if self.is_variable() {
            if let Some(op) = self.peek_at(1) {
                if op.kind == TokenKind::Punct
                    && ["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="]
                        .contains(&op.text.as_str())
                {
                    let v = self.variable()?;
                    let op = self.bump().map(|t| t.text.clone()).unwrap_or_default();
                    let e = self.expr()?;
                    return Ok(SelectItem::Assign(v, op, e));
                }
            }
        }
        // `alias = expr`.
        if let (Some(a), Some(eq)) = (self.peek(), self.peek_at(1)) {
            if (matches!(a.kind, TokenKind::QuotedIdent(_) | TokenKind::String { .. })
                || (a.kind == TokenKind::Word && !self.at_reserved()))
                && eq.is_punct("=")
            {
                self.bump();
                self.bump();
                let e = self.expr()?;
                return Ok(SelectItem::Expr(e, Some(a.text.clone())));
            }
        }
        let e = self.expr()?;
        let alias = self.alias()?;
        Ok(SelectItem::Expr(e, alias))
    }

    pub(crate) fn table_list(&mut self) -> PResult<Vec<TableRef>> {
        let mut v = vec![self.joined()?];
        while self.eat_punct(",") {
            v.push(self.joined()?);
        }
        Ok(v)
    }

    fn joined(&mut self) -> PResult<TableRef> {
        let mut l = self.table_factor()?;
        loop {
            let kind = if self.is_kw("JOIN") {
                self.bump();
                "JOIN"
            } else if self.is_kw("INNER") {
                self.bump();
                self.hash_hint();
                self.expect_kw("JOIN")?;
                "JOIN"
            } else if self.is_kw("LEFT") || self.is_kw("RIGHT") || self.is_kw("FULL") {
                let k = self
                    .bump()
                    .map(|t| t.text.to_uppercase())
                    .unwrap_or_default();
                self.eat_kw("OUTER");
                self.hash_hint();
                self.expect_kw("JOIN")?;
                match k.as_str() {
                    "LEFT" => "LEFT JOIN",
                    "RIGHT" => "RIGHT JOIN",
                    _ => "FULL JOIN",
                }
            } else if self.is_kw("CROSS") && self.is_kw_at(1, "JOIN") {
                self.bump();
                self.bump();
                "CROSS JOIN"
            } else if self.is_kw("CROSS") && self.is_kw_at(1, "APPLY") {
                self.bump();
                self.bump();
                "CROSS APPLY"
            } else if self.is_kw("OUTER") && self.is_kw_at(1, "APPLY") {
                self.bump();
                self.bump();
                "OUTER APPLY"
            } else if self.is_kw("PIVOT") || self.is_kw("UNPIVOT") {
                let pivot = self.is_kw("PIVOT");
                self.bump();
                self.expect_punct("(")?;
                l = if pivot {
                    let agg = self.any_ident()?.to_uppercase();
                    self.expect_punct("(")?;
                    let value = self.expr()?;
                    self.expect_punct(")")?;
                    self.expect_kw("FOR")?;
                    let column = self.name()?.last().to_string();
                    self.expect_kw("IN")?;
                    self.expect_punct("(")?;
                    let values = self.pivot_values()?;
                    self.expect_punct(")")?;
                    self.expect_punct(")")?;
                    let alias = self
                        .alias()?
                        .ok_or(())
                        .or_else(|_| self.err("PIVOT needs an alias"))?;
                    TableRef::Pivot {
                        source: Box::new(l),
                        agg,
                        value,
                        column,
                        values,
                        alias,
                    }
                } else {
                    let value = self.any_ident()?;
                    self.expect_kw("FOR")?;
                    let name = self.any_ident()?;
                    self.expect_kw("IN")?;
                    self.expect_punct("(")?;
                    let columns = self.pivot_values()?;
                    self.expect_punct(")")?;
                    self.expect_punct(")")?;
                    let alias = self
                        .alias()?
                        .ok_or(())
                        .or_else(|_| self.err("UNPIVOT needs an alias"))?;
                    TableRef::Unpivot {
                        source: Box::new(l),
                        value,
                        name,
                        columns,
                        alias,
                    }
                };
                continue;
            } else {
                break;
            };
            let r = self.table_factor()?;
            let on = if kind == "CROSS JOIN" || kind.ends_with("APPLY") {
                None
            } else {
                self.expect_kw("ON")?;
                Some(self.expr()?)
            };
            l = TableRef::Join {
                left: Box::new(l),
                kind: kind.into(),
                right: Box::new(r),
                on,
            };
        }
        Ok(l)
    }

    /// `[a], [b], 3, ...` in PIVOT/UNPIVOT's IN list.
    fn pivot_values(&mut self) -> PResult<Vec<String>> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Some(t)
                    if matches!(
                        t.kind,
                        TokenKind::Word | TokenKind::QuotedIdent(_) | TokenKind::Number
                    ) =>
                {
                    out.push(t.text.clone());
                    self.bump();
                }
                _ => return self.err("expected a column name in PIVOT/UNPIVOT"),
            }
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(out)
    }

    /// `LOOP`/`HASH`/`MERGE` join hints: optimiser-only, dropped.
    fn hash_hint(&mut self) {
        if self.is_kw("LOOP") || self.is_kw("HASH") || self.is_kw("MERGE") || self.is_kw("REMOTE") {
            self.bump();
        }
    }

    pub(crate) fn table_factor(&mut self) -> PResult<TableRef> {
        if self.is_punct("(") {
            self.bump();
            if self.is_kw("SELECT") || self.is_kw("WITH") {
                let q = self.query()?;
                self.expect_punct(")")?;
                let alias = self
                    .alias()?
                    .ok_or(())
                    .or_else(|_| self.err("a derived table needs an alias"))?;
                let columns = self.column_aliases()?;
                return Ok(TableRef::Derived {
                    query: Box::new(q),
                    alias,
                    columns,
                });
            }
            if self.eat_kw("VALUES") {
                let rows = self.values_rows()?;
                self.expect_punct(")")?;
                let alias = self
                    .alias()?
                    .ok_or(())
                    .or_else(|_| self.err("VALUES needs an alias"))?;
                let columns = self.column_aliases()?;
                return Ok(TableRef::Values {
                    rows,
                    alias,
                    columns,
                });
            }
            let inner = self.joined()?;
            self.expect_punct(")")?;
            return Ok(inner);
        }
        let name = if self.is_variable() {
            Name(vec![format!("@{}", self.variable()?)])
        } else {
            self.name()?
        };
        let hint_next = self.peek_at(1).is_some_and(|t| {
            [
                "NOLOCK",
                "READUNCOMMITTED",
                "UPDLOCK",
                "ROWLOCK",
                "HOLDLOCK",
                "TABLOCK",
                "TABLOCKX",
                "READPAST",
                "XLOCK",
                "PAGLOCK",
            ]
            .iter()
            .any(|h| t.is_keyword(h))
        });
        if self.is_punct("(") && !hint_next {
            self.bump();
            let args = if self.is_punct(")") {
                Vec::new()
            } else {
                self.expr_list()?
            };
            self.expect_punct(")")?;
            let alias = self.alias()?;
            return Ok(TableRef::Function {
                call: FuncCall {
                    name: name.0,
                    args,
                    distinct: false,
                    over: None,
                    within_group: Vec::new(),
                },
                alias,
            });
        }
        let mut hints = self.table_hints()?;
        let alias = self.alias()?;
        hints.extend(self.table_hints()?);
        Ok(TableRef::Table { name, alias, hints })
    }

    /// `WITH (NOLOCK, INDEX(ix))` or the old `(NOLOCK)`.
    pub(crate) fn table_hints(&mut self) -> PResult<Vec<String>> {
        let old_style = self.is_punct("(")
            && self.peek_at(1).is_some_and(|t| {
                [
                    "NOLOCK",
                    "READUNCOMMITTED",
                    "UPDLOCK",
                    "ROWLOCK",
                    "HOLDLOCK",
                    "TABLOCK",
                    "TABLOCKX",
                    "READPAST",
                    "XLOCK",
                    "PAGLOCK",
                ]
                .iter()
                .any(|h| t.is_keyword(h))
            });
        if !(old_style || (self.is_kw("WITH") && self.peek_at(1).is_some_and(|t| t.is_punct("("))))
        {
            return Ok(Vec::new());
        }
        if !old_style {
            self.bump();
        }
        self.expect_punct("(")?;
        let raw = self.raw_until_close_paren();
        self.expect_punct(")")?;
        Ok(raw
            .split(',')
            .map(|h| h.trim().to_uppercase())
            .filter(|h| !h.is_empty())
            .collect())
    }

    fn column_aliases(&mut self) -> PResult<Vec<String>> {
        if !self.is_punct("(") {
            return Ok(Vec::new());
        }
        self.bump();
        let c = self.ident_list()?;
        self.expect_punct(")")?;
        Ok(c)
    }

    pub(crate) fn ident_list(&mut self) -> PResult<Vec<String>> {
        let mut v = vec![self.any_ident()?];
        while self.eat_punct(",") {
            v.push(self.any_ident()?);
        }
        Ok(v)
    }

    pub(crate) fn values_rows(&mut self) -> PResult<Vec<Vec<Expr>>> {
        let mut rows = Vec::new();
        loop {
            self.expect_punct("(")?;
            rows.push(self.expr_list()?);
            self.expect_punct(")")?;
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(rows)
    }
}
