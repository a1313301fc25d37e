//! Expressions, by precedence climbing (T-SQL's operator precedence).

use super::{PResult, Parser};
use crate::ast::*;
use sluice_tsql::lexer::TokenKind;

/// Functions whose first argument is a date part keyword, not a column.
const DATEPART_FUNCS: &[&str] = &[
    "DATEADD",
    "DATEDIFF",
    "DATEPART",
    "DATENAME",
    "DATEDIFF_BIG",
];

impl Parser<'_> {
    pub(crate) fn expr(&mut self) -> PResult<Expr> {
        self.or_expr()
    }

    fn or_expr(&mut self) -> PResult<Expr> {
        let mut l = self.and_expr()?;
        while self.eat_kw("OR") {
            let r = self.and_expr()?;
            l = Expr::Binary(Box::new(l), "OR".into(), Box::new(r));
        }
        Ok(l)
    }

    fn and_expr(&mut self) -> PResult<Expr> {
        let mut l = self.not_expr()?;
        while self.eat_kw("AND") {
            let r = self.not_expr()?;
            l = Expr::Binary(Box::new(l), "AND".into(), Box::new(r));
        }
        Ok(l)
    }

    fn not_expr(&mut self) -> PResult<Expr> {
        if self.eat_kw("NOT") {
            let e = self.not_expr()?;
            return Ok(Expr::Unary("NOT".into(), Box::new(e)));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> PResult<Expr> {
        if self.is_kw("EXISTS") {
            self.bump();
            self.expect_punct("(")?;
            let q = self.query()?;
            self.expect_punct(")")?;
            return Ok(Expr::Exists(Box::new(q)));
        }
        let l = self.additive()?;
        const CMP: &[&str] = &["=", "<>", "!=", "<", ">", "<=", ">=", "!<", "!>"];
        if let Some(t) = self.peek() {
            if t.kind == TokenKind::Punct && CMP.contains(&t.text.as_str()) {
                self.bump();
                let op = match t.text.as_str() {
                    "!=" => "<>",
                    "!<" => ">=",
                    "!>" => "<=",
                    o => o,
                };
                let r = self.additive()?;
                return Ok(Expr::Binary(Box::new(l), op.into(), Box::new(r)));
            }
        }
        if self.is_kw("IS") {
            self.bump();
            let neg = self.eat_kw("NOT");
            self.expect_kw("NULL")?;
            return Ok(Expr::IsNull(Box::new(l), neg));
        }
        let neg = if self.is_kw("NOT")
            && (self.is_kw_at(1, "IN") || self.is_kw_at(1, "LIKE") || self.is_kw_at(1, "BETWEEN"))
        {
            self.bump();
            true
        } else {
            false
        };
        if self.eat_kw("IN") {
            self.expect_punct("(")?;
            if self.is_kw("SELECT") || self.is_kw("WITH") {
                let q = self.query()?;
                self.expect_punct(")")?;
                return Ok(Expr::InQuery(Box::new(l), Box::new(q), neg));
            }
            let list = self.expr_list()?;
            self.expect_punct(")")?;
            return Ok(Expr::InList(Box::new(l), list, neg));
        }
        if self.eat_kw("LIKE") {
            let p = self.additive()?;
            let esc = if self.eat_kw("ESCAPE") {
                Some(Box::new(self.primary()?))
            } else {
                None
            };
            return Ok(Expr::Like(Box::new(l), Box::new(p), neg, esc));
        }
        if self.eat_kw("BETWEEN") {
            let a = self.additive()?;
            self.expect_kw("AND")?;
            let b = self.additive()?;
            return Ok(Expr::Between(Box::new(l), Box::new(a), Box::new(b), neg));
        }
        if neg {
            return self.err("expected IN, LIKE or BETWEEN after NOT");
        }
        Ok(l)
    }

    fn additive(&mut self) -> PResult<Expr> {
        let mut l = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(t)
                    if t.kind == TokenKind::Punct
                        && ["+", "-", "&", "|", "^"].contains(&t.text.as_str()) =>
                {
                    t.text.clone()
                }
                _ => break,
            };
            self.bump();
            let r = self.multiplicative()?;
            l = Expr::Binary(Box::new(l), op, Box::new(r));
        }
        Ok(l)
    }

    fn multiplicative(&mut self) -> PResult<Expr> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(t)
                    if t.kind == TokenKind::Punct && ["*", "/", "%"].contains(&t.text.as_str()) =>
                {
                    t.text.clone()
                }
                _ => break,
            };
            self.bump();
            let r = self.unary()?;
            l = Expr::Binary(Box::new(l), op, Box::new(r));
        }
        Ok(l)
    }

    fn unary(&mut self) -> PResult<Expr> {
        for op in ["-", "+", "~"] {
            if self.is_punct(op) {
                self.bump();
                let e = self.unary()?;
                return Ok(Expr::Unary(op.into(), Box::new(e)));
            }
        }
        self.primary()
    }

    pub(crate) fn expr_list(&mut self) -> PResult<Vec<Expr>> {
        let mut v = vec![self.expr()?];
        while self.eat_punct(",") {
            v.push(self.expr()?);
        }
        Ok(v)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let Some(t) = self.peek() else {
            return self.err("expected an expression");
        };
        match &t.kind {
            TokenKind::Number => {
                self.bump();
                Ok(Expr::Number(t.text.clone()))
            }
            TokenKind::String { .. } => {
                self.bump();
                Ok(Expr::Str(t.text.clone()))
            }
            TokenKind::Binary => {
                self.bump();
                Ok(Expr::Hex(t.text.clone()))
            }
            TokenKind::Variable => {
                self.bump();
                if let Some(g) = t.text.strip_prefix("@@") {
                    Ok(Expr::Global(g.to_lowercase()))
                } else {
                    Ok(Expr::Var(t.text[1..].to_string()))
                }
            }
            TokenKind::Punct if t.text == "(" => {
                self.bump();
                if self.is_kw("SELECT") || self.is_kw("WITH") {
                    let q = self.query()?;
                    self.expect_punct(")")?;
                    return Ok(Expr::Subquery(Box::new(q)));
                }
                let e = self.expr()?;
                self.expect_punct(")")?;
                Ok(Expr::Paren(Box::new(e)))
            }
            TokenKind::Punct if t.text == "*" => {
                self.bump();
                Ok(Expr::Star(None))
            }
            TokenKind::Word if t.is_keyword("NULL") => {
                self.bump();
                Ok(Expr::Null)
            }
            TokenKind::Word if t.is_keyword("CASE") => self.case_expr(),
            TokenKind::Word
                if (t.is_keyword("CAST") || t.is_keyword("TRY_CAST"))
                    && self.peek_at(1).is_some_and(|n| n.is_punct("(")) =>
            {
                let try_ = t.is_keyword("TRY_CAST");
                self.bump();
                self.bump();
                let e = self.expr()?;
                self.expect_kw("AS")?;
                let ty = self.data_type()?;
                self.expect_punct(")")?;
                Ok(Expr::Cast {
                    expr: Box::new(e),
                    ty,
                    style: None,
                    try_,
                })
            }
            TokenKind::Word
                if (t.is_keyword("CONVERT") || t.is_keyword("TRY_CONVERT"))
                    && self.peek_at(1).is_some_and(|n| n.is_punct("(")) =>
            {
                let try_ = t.is_keyword("TRY_CONVERT");
                self.bump();
                self.bump();
                let ty = self.data_type()?;
                self.expect_punct(",")?;
                let e = self.expr()?;
                let style = if self.eat_punct(",") {
                    Some(Box::new(self.expr()?))
                } else {
                    None
                };
                self.expect_punct(")")?;
                Ok(Expr::Cast {
                    expr: Box::new(e),
                    ty,
                    style,
                    try_,
                })
            }
            TokenKind::Word | TokenKind::QuotedIdent(_) => {
                let call_like =
                    (t.is_keyword("LEFT") || t.is_keyword("RIGHT") || t.is_keyword("UPDATE"))
                        && self.peek_at(1).is_some_and(|n| n.is_punct("("));
                if t.kind == TokenKind::Word && self.at_reserved() && !call_like {
                    return self.err("expected an expression");
                }
                self.name_or_call()
            }
            _ => self.err("expected an expression"),
        }
    }

    fn name_or_call(&mut self) -> PResult<Expr> {
        let mut parts = vec![self.any_ident()?];
        while self.is_punct(".") {
            self.bump();
            if self.eat_punct("*") {
                return Ok(Expr::Star(Some(parts)));
            }
            parts.push(self.any_ident()?);
        }
        if !self.is_punct("(") {
            return Ok(Expr::Column(parts));
        }
        self.bump();
        let fname = parts.last().cloned().unwrap_or_default().to_uppercase();
        let mut call = FuncCall {
            name: parts,
            args: Vec::new(),
            distinct: false,
            over: None,
            within_group: Vec::new(),
        };
        if !self.is_punct(")") {
            if DATEPART_FUNCS.contains(&fname.as_str()) {
                let kw = self.any_ident()?;
                call.args.push(Expr::Keyword(kw.to_lowercase()));
                while self.eat_punct(",") {
                    call.args.push(self.expr()?);
                }
            } else {
                if self.eat_kw("DISTINCT") {
                    call.distinct = true;
                } else {
                    self.eat_kw("ALL");
                }
                call.args = self.expr_list()?;
            }
        }
        self.expect_punct(")")?;
        if self.is_kw("WITHIN") {
            self.bump();
            self.expect_kw("GROUP")?;
            self.expect_punct("(")?;
            self.expect_kw("ORDER")?;
            self.expect_kw("BY")?;
            call.within_group = self.order_items()?;
            self.expect_punct(")")?;
        }
        if self.eat_kw("OVER") {
            self.expect_punct("(")?;
            let mut w = Window {
                partition: Vec::new(),
                order: Vec::new(),
                frame: None,
            };
            if self.eat_kw("PARTITION") {
                self.expect_kw("BY")?;
                w.partition = self.expr_list()?;
            }
            if self.eat_kw("ORDER") {
                self.expect_kw("BY")?;
                w.order = self.order_items()?;
            }
            if self.is_kw("ROWS") || self.is_kw("RANGE") {
                w.frame = Some(self.raw_until_close_paren());
            }
            self.expect_punct(")")?;
            call.over = Some(w);
        }
        Ok(Expr::Func(Box::new(call)))
    }

    fn case_expr(&mut self) -> PResult<Expr> {
        self.expect_kw("CASE")?;
        let operand = if self.is_kw("WHEN") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut whens = Vec::new();
        while self.eat_kw("WHEN") {
            let c = self.expr()?;
            self.expect_kw("THEN")?;
            let v = self.expr()?;
            whens.push((c, v));
        }
        let else_ = if self.eat_kw("ELSE") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        self.expect_kw("END")?;
        if whens.is_empty() {
            return self.err("CASE without WHEN");
        }
        Ok(Expr::Case {
            operand,
            whens,
            else_,
        })
    }

    pub(crate) fn order_items(&mut self) -> PResult<Vec<OrderItem>> {
        let mut v = Vec::new();
        loop {
            let expr = self.expr()?;
            let desc = if self.eat_kw("DESC") {
                true
            } else {
                self.eat_kw("ASC");
                false
            };
            v.push(OrderItem { expr, desc });
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(v)
    }

    /// A data type: `int`, `varchar(10)`, `nvarchar(max)`, `dbo.ut_Mrn`, `decimal(18, 2)`.
    pub(crate) fn data_type(&mut self) -> PResult<DataType> {
        let n = self.name()?;
        let (schema, name) = match n.0.len() {
            1 => (None, n.0[0].to_lowercase()),
            _ => (Some(n.0[n.0.len() - 2].clone()), n.last().to_lowercase()),
        };
        let mut ty = DataType {
            schema,
            name,
            args: Vec::new(),
        };
        if ty.name == "double" && self.eat_kw("PRECISION") {
            ty.name = "float".into();
        }
        if self.eat_punct("(") {
            loop {
                match self.peek() {
                    Some(t) if t.kind == TokenKind::Number => {
                        self.bump();
                        ty.args.push(Some(t.text.parse().unwrap_or(0)));
                    }
                    Some(t) if t.is_keyword("MAX") => {
                        self.bump();
                        ty.args.push(None);
                    }
                    _ => return self.err("expected a type argument"),
                }
                if !self.eat_punct(",") {
                    break;
                }
            }
            self.expect_punct(")")?;
        }
        Ok(ty)
    }
}
