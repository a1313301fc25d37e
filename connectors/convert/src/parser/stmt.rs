//! Procedural statements.

use super::{PResult, Parser};
use crate::ast::*;
use sluice_tsql::lexer::TokenKind;

impl Parser<'_> {
    /// Statements until `END` (or `END TRY`/`END CATCH`) or the end of input.
    pub(crate) fn statements_until_end(&mut self) -> Vec<Stmt> {
        let mut out = Vec::new();
        loop {
            while self.eat_punct(";") {}
            if self.at_end() || self.is_kw("END") {
                break;
            }
            out.push(self.statement_recovering());
        }
        out
    }

    /// One statement; an unparseable one becomes [`StmtKind::Unparsed`].
    pub(crate) fn statement_recovering(&mut self) -> Stmt {
        let start = self.pos;
        let pos = self.here();
        match self.statement() {
            Ok(s) => s,
            Err(e) => {
                self.pos = start;
                let text = self.recover(start);
                Stmt {
                    pos,
                    kind: StmtKind::Unparsed(format!(
                        "{} at line {} column {}: {}",
                        e.message,
                        e.pos.line,
                        e.pos.column,
                        truncate(&text, 120)
                    )),
                }
            }
        }
    }

    fn statement(&mut self) -> PResult<Stmt> {
        let pos = self.here();
        let kind = self.statement_kind()?;
        self.eat_punct(";");
        Ok(Stmt { pos, kind })
    }

    fn body_statement(&mut self) -> PResult<Box<Stmt>> {
        while self.eat_punct(";") {}
        if self.at_end() {
            return self.err("expected a statement");
        }
        Ok(Box::new(self.statement()?))
    }

    fn statement_kind(&mut self) -> PResult<StmtKind> {
        let Some(t) = self.peek() else {
            return self.err("expected a statement");
        };
        // `label:`
        if t.kind == TokenKind::Word
            && !self.at_reserved()
            && self.peek_at(1).is_some_and(|n| n.is_punct(":"))
        {
            self.bump();
            self.bump();
            return Ok(StmtKind::Label(t.text.clone()));
        }
        if t.kind != TokenKind::Word {
            return self.err("expected a statement");
        }
        let kw = t.text.to_uppercase();
        match kw.as_str() {
            "SELECT" => Ok(StmtKind::Select(Box::new(self.query()?))),
            "WITH" => {
                self.bump();
                let ctes = self.ctes()?;
                if self.is_kw("SELECT") || self.is_punct("(") {
                    return Ok(StmtKind::Select(Box::new(self.query_after_ctes(ctes)?)));
                }
                if self.is_kw("UPDATE") {
                    let mut u = self.update()?;
                    if let StmtKind::Update { ctes: c, .. } = &mut u {
                        *c = ctes;
                    }
                    return Ok(u);
                }
                if self.is_kw("INSERT") || self.is_kw("DELETE") || self.is_kw("MERGE") {
                    return self.err("a CTE before INSERT/DELETE/MERGE is not supported");
                }
                self.err("expected SELECT after WITH")
            }
            "DECLARE" => self.declare(),
            "SET" => self.set(),
            "IF" => {
                self.bump();
                let c = self.expr()?;
                let then = self.body_statement()?;
                while self.eat_punct(";") {}
                let else_ = if self.eat_kw("ELSE") {
                    Some(self.body_statement()?)
                } else {
                    None
                };
                Ok(StmtKind::If(c, then, else_))
            }
            "WHILE" => {
                self.bump();
                let c = self.expr()?;
                let body = self.body_statement()?;
                Ok(StmtKind::While(c, body))
            }
            "BEGIN" => self.begin(),
            "BREAK" => {
                self.bump();
                Ok(StmtKind::Break)
            }
            "CONTINUE" => {
                self.bump();
                Ok(StmtKind::Continue)
            }
            "RETURN" => {
                self.bump();
                let starts_expr = match self.peek() {
                    None => false,
                    Some(t) => match &t.kind {
                        TokenKind::Number | TokenKind::Variable | TokenKind::String { .. } => true,
                        TokenKind::Punct => t.text == "(" || t.text == "-",
                        TokenKind::Word => {
                            !t.line_start
                                && (!self.at_reserved()
                                    || t.is_keyword("CASE")
                                    || t.is_keyword("NULL"))
                        }
                        _ => false,
                    },
                };
                if starts_expr {
                    Ok(StmtKind::Return(Some(self.expr()?)))
                } else {
                    Ok(StmtKind::Return(None))
                }
            }
            "GOTO" => {
                self.bump();
                Ok(StmtKind::Goto(self.any_ident()?))
            }
            "PRINT" => {
                self.bump();
                Ok(StmtKind::Print(self.expr()?))
            }
            "RAISERROR" => {
                self.bump();
                self.expect_punct("(")?;
                let args = self.expr_list()?;
                self.expect_punct(")")?;
                let mut opts = Vec::new();
                if self.eat_kw("WITH") {
                    loop {
                        opts.push(self.any_ident()?.to_uppercase());
                        if !self.eat_punct(",") {
                            break;
                        }
                    }
                }
                Ok(StmtKind::Raiserror(args, opts))
            }
            "THROW" => {
                self.bump();
                if self.is_punct(";") || self.at_end() || self.is_kw("END") {
                    return Ok(StmtKind::Throw(Vec::new()));
                }
                Ok(StmtKind::Throw(self.expr_list()?))
            }
            "EXEC" | "EXECUTE" => self.exec(),
            "INSERT" => self.insert(),
            "UPDATE" => self.update(),
            "DELETE" => self.delete(),
            "MERGE" => self.merge(),
            "TRUNCATE" => {
                self.bump();
                self.expect_kw("TABLE")?;
                Ok(StmtKind::Truncate(self.name()?))
            }
            "COMMIT" => {
                self.bump();
                let tran = self.eat_kw("TRAN") || self.eat_kw("TRANSACTION") || self.eat_kw("WORK");
                // An optional transaction name on the same line.
                if tran
                    && self.peek().is_some_and(|t| {
                        !t.line_start
                            && (matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent(_))
                                && !self.at_reserved()
                                || t.kind == TokenKind::Variable)
                    })
                {
                    self.bump();
                }
                Ok(StmtKind::Commit)
            }
            "ROLLBACK" => {
                self.bump();
                let mut sp = None;
                if self.eat_kw("TRAN") || self.eat_kw("TRANSACTION") || self.eat_kw("WORK") {
                    if let Some(t) = self.peek() {
                        if !t.line_start
                            && (matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent(_))
                                && !self.at_reserved())
                        {
                            self.bump();
                            sp = Some(t.text.clone());
                        }
                    }
                }
                Ok(StmtKind::Rollback(sp))
            }
            "SAVE" => {
                self.bump();
                if !self.eat_kw("TRAN") {
                    self.expect_kw("TRANSACTION")?;
                }
                Ok(StmtKind::SaveTran(self.any_ident()?))
            }
            "CREATE" => {
                self.bump();
                if self.eat_kw("TABLE") {
                    let name = self.name()?;
                    self.expect_punct("(")?;
                    let cols = self.column_defs()?;
                    self.expect_punct(")")?;
                    return Ok(StmtKind::CreateTable(name, cols));
                }
                self.eat_kw("UNIQUE");
                if !self.eat_kw("CLUSTERED") {
                    self.eat_kw("NONCLUSTERED");
                }
                self.expect_kw("INDEX")?;
                self.any_ident()?;
                self.expect_kw("ON")?;
                let name = self.name()?;
                self.expect_punct("(")?;
                self.raw_until_close_paren();
                self.expect_punct(")")?;
                if self.eat_kw("INCLUDE") {
                    self.expect_punct("(")?;
                    self.raw_until_close_paren();
                    self.expect_punct(")")?;
                }
                Ok(StmtKind::CreateIndex(name))
            }
            "DROP" => {
                self.bump();
                self.expect_kw("TABLE")?;
                if self.is_kw("IF") {
                    self.bump();
                    self.expect_kw("EXISTS")?;
                }
                let mut names = vec![self.name()?];
                while self.eat_punct(",") {
                    names.push(self.name()?);
                }
                Ok(StmtKind::DropTable(names))
            }
            "OPEN" => {
                self.bump();
                self.eat_kw("GLOBAL");
                Ok(StmtKind::Open(self.any_ident()?))
            }
            "CLOSE" => {
                self.bump();
                self.eat_kw("GLOBAL");
                Ok(StmtKind::Close(self.any_ident()?))
            }
            "DEALLOCATE" => {
                self.bump();
                self.eat_kw("GLOBAL");
                Ok(StmtKind::Deallocate(self.any_ident()?))
            }
            "FETCH" => {
                self.bump();
                let mut dir = "NEXT".to_string();
                for d in ["NEXT", "PRIOR", "FIRST", "LAST"] {
                    if self.eat_kw(d) {
                        dir = d.into();
                    }
                }
                if self.is_kw("ABSOLUTE") || self.is_kw("RELATIVE") {
                    dir = self
                        .bump()
                        .map(|t| t.text.to_uppercase())
                        .unwrap_or_default();
                    self.expr()?;
                }
                self.eat_kw("FROM");
                self.eat_kw("GLOBAL");
                let c = self.any_ident()?;
                let mut vars = Vec::new();
                if self.eat_kw("INTO") {
                    vars.push(self.variable()?);
                    while self.eat_punct(",") {
                        vars.push(self.variable()?);
                    }
                }
                Ok(StmtKind::Fetch(c, dir, vars))
            }
            "WAITFOR" => {
                self.bump();
                let what = self
                    .bump()
                    .map(|t| t.text.to_uppercase())
                    .unwrap_or_default();
                self.expr()?;
                Ok(StmtKind::Unsupported(format!("WAITFOR {what}")))
            }
            "USE" => self.err("USE inside a routine"),
            _ => self.err("unknown statement"),
        }
    }

    fn begin(&mut self) -> PResult<StmtKind> {
        self.expect_kw("BEGIN")?;
        if self.eat_kw("TRY") {
            let body = self.statements_until_end();
            self.expect_kw("END")?;
            self.expect_kw("TRY")?;
            while self.eat_punct(";") {}
            self.expect_kw("BEGIN")?;
            self.expect_kw("CATCH")?;
            let catch = self.statements_until_end();
            self.expect_kw("END")?;
            self.expect_kw("CATCH")?;
            return Ok(StmtKind::TryCatch(body, catch));
        }
        if self.eat_kw("TRAN") || self.eat_kw("TRANSACTION") {
            if let Some(t) = self.peek() {
                if !t.line_start
                    && ((matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent(_))
                        && !self.at_reserved())
                        || t.kind == TokenKind::Variable)
                {
                    self.bump();
                }
            }
            return Ok(StmtKind::BeginTran);
        }
        if self.is_kw("DISTRIBUTED") {
            return self.err("BEGIN DISTRIBUTED TRANSACTION");
        }
        let body = self.statements_until_end();
        self.expect_kw("END")?;
        Ok(StmtKind::Block(body))
    }

    fn declare(&mut self) -> PResult<StmtKind> {
        self.expect_kw("DECLARE")?;
        // Cursor: `DECLARE name CURSOR ...`.
        if !self.is_variable() {
            let name = self.any_ident()?;
            self.eat_kw("INSENSITIVE");
            self.eat_kw("SCROLL");
            self.expect_kw("CURSOR")?;
            let mut options = Vec::new();
            while let Some(t) = self.peek() {
                if t.is_keyword("FOR") {
                    break;
                }
                if t.kind != TokenKind::Word {
                    return self.err("unexpected token in cursor options");
                }
                options.push(t.text.to_uppercase());
                self.bump();
            }
            self.expect_kw("FOR")?;
            let query = self.query()?;
            let mut for_update = false;
            if self.is_kw("FOR") && (self.is_kw_at(1, "UPDATE") || self.is_kw_at(1, "READ")) {
                self.bump();
                for_update = self.is_kw("UPDATE");
                if self.eat_kw("READ") {
                    self.expect_kw("ONLY")?;
                } else {
                    self.bump();
                    if self.eat_kw("OF") {
                        self.ident_list()?;
                    }
                }
            }
            return Ok(StmtKind::DeclareCursor {
                name,
                options,
                query: Box::new(query),
                for_update,
            });
        }
        let mut decls = Vec::new();
        loop {
            let name = self.variable()?;
            self.eat_kw("AS");
            if self.is_kw("TABLE") {
                self.bump();
                self.expect_punct("(")?;
                let cols = self.column_defs()?;
                self.expect_punct(")")?;
                if !decls.is_empty() {
                    return self.err("table variable mixed with scalars in one DECLARE");
                }
                return Ok(StmtKind::DeclareTable(name, cols));
            }
            if self.is_kw("CURSOR") {
                return self.err("cursor variables are not supported");
            }
            let ty = self.data_type()?;
            let init = if self.eat_punct("=") {
                Some(self.expr()?)
            } else {
                None
            };
            decls.push(VarDecl { name, ty, init });
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(StmtKind::Declare(decls))
    }

    fn set(&mut self) -> PResult<StmtKind> {
        self.expect_kw("SET")?;
        if self.is_variable() {
            let v = self.variable()?;
            let op = match self.peek() {
                Some(t)
                    if t.kind == TokenKind::Punct
                        && ["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="]
                            .contains(&t.text.as_str()) =>
                {
                    t.text.clone()
                }
                _ => return self.err("expected `=` after SET @variable"),
            };
            self.bump();
            if self.is_kw("CURSOR") {
                return self.err("cursor variables are not supported");
            }
            let e = self.expr()?;
            return Ok(StmtKind::SetVar(v, op, e));
        }
        // Session options: words, commas, ON/OFF, numbers until the line ends.
        let mut words = Vec::new();
        let line = self.peek().map(|t| t.span.start.line).unwrap_or(0);
        while let Some(t) = self.peek() {
            if t.span.start.line != line || t.is_punct(";") {
                break;
            }
            if matches!(
                t.kind,
                TokenKind::Word | TokenKind::Number | TokenKind::Variable
            ) {
                words.push(t.text.to_uppercase());
            } else if matches!(t.kind, TokenKind::QuotedIdent(_)) {
                // A table name (`SET IDENTITY_INSERT [dbo].[t] ON`), as written.
                words.push(t.text.clone());
            } else if !t.is_punct(",") && !t.is_punct("-") && !t.is_punct(".") {
                break;
            }
            self.bump();
        }
        if words.is_empty() {
            return self.err("expected a SET option");
        }
        Ok(StmtKind::SetOption(words))
    }

    fn exec(&mut self) -> PResult<StmtKind> {
        self.bump();
        if self.is_punct("(") {
            self.bump();
            let e = self.expr()?;
            self.expect_punct(")")?;
            if self.is_kw("AT") {
                return self.err("EXEC ... AT linked server");
            }
            return Ok(StmtKind::ExecDynamic(e));
        }
        let ret = if self.is_variable() && self.peek_at(1).is_some_and(|t| t.is_punct("=")) {
            let v = self.variable()?;
            self.bump();
            Some(v)
        } else {
            None
        };
        if self.is_variable() {
            return self.err("EXEC of a procedure named by a variable");
        }
        let proc_name = self.name()?;
        let mut args = Vec::new();
        let ends = |p: &Parser<'_>| -> bool {
            match p.peek() {
                None => true,
                Some(t) => {
                    t.is_punct(";")
                        || (t.line_start
                            && t.kind == TokenKind::Word
                            && !t.is_keyword("DEFAULT")
                            && !t.is_keyword("NULL"))
                        || (t.kind == TokenKind::Word && p.at_reserved() && !t.is_keyword("NULL"))
                }
            }
        };
        if !ends(self) {
            loop {
                let name = if self.is_variable() && self.peek_at(1).is_some_and(|t| t.is_punct("="))
                {
                    let v = self.variable()?;
                    self.bump();
                    Some(v)
                } else {
                    None
                };
                let value = if self.eat_kw("DEFAULT") {
                    Expr::Keyword("DEFAULT".into())
                } else {
                    self.expr()?
                };
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
        }
        if self.eat_kw("WITH") {
            self.any_ident()?;
        }
        Ok(StmtKind::Exec {
            ret,
            proc_name,
            args,
        })
    }

    fn output_clause(&mut self) -> PResult<Option<Box<OutputClause>>> {
        if !self.eat_kw("OUTPUT") {
            return Ok(None);
        }
        let mut items = Vec::new();
        loop {
            let e = self.expr()?;
            let a = self.alias()?;
            items.push((e, a));
            if !self.eat_punct(",") {
                break;
            }
        }
        let mut into = None;
        if self.eat_kw("INTO") {
            let name = if self.is_variable() {
                Name(vec![format!("@{}", self.variable()?)])
            } else {
                self.name()?
            };
            let mut cols = Vec::new();
            if self.is_punct("(") {
                self.bump();
                cols = self.ident_list()?;
                self.expect_punct(")")?;
            }
            into = Some((name, cols));
        }
        Ok(Some(Box::new(OutputClause { items, into })))
    }

    fn target_name(&mut self) -> PResult<Name> {
        if self.is_variable() {
            return Ok(Name(vec![format!("@{}", self.variable()?)]));
        }
        self.name()
    }

    fn insert(&mut self) -> PResult<StmtKind> {
        self.expect_kw("INSERT")?;
        if self.is_kw("TOP") {
            return self.err("INSERT TOP is not supported");
        }
        self.eat_kw("INTO");
        let target = self.target_name()?;
        self.table_hints()?;
        let mut columns = Vec::new();
        if self.is_punct("(") {
            self.bump();
            columns = self.ident_list()?;
            self.expect_punct(")")?;
        }
        let output = self.output_clause()?;
        let source = if self.eat_kw("VALUES") {
            InsertSource::Values(self.values_rows()?)
        } else if self.is_kw("DEFAULT") {
            self.bump();
            self.expect_kw("VALUES")?;
            InsertSource::Default
        } else if self.is_kw("EXEC") || self.is_kw("EXECUTE") {
            let pos = self.here();
            let kind = self.exec()?;
            InsertSource::Exec(Box::new(Stmt { pos, kind }))
        } else {
            InsertSource::Query(Box::new(self.query()?))
        };
        Ok(StmtKind::Insert {
            target,
            columns,
            source,
            output,
        })
    }

    fn update(&mut self) -> PResult<StmtKind> {
        self.expect_kw("UPDATE")?;
        let top = self.top()?;
        let target = self.target_name()?;
        let hints = self.table_hints()?;
        self.expect_kw("SET")?;
        let sets = self.set_list()?;
        let output = self.output_clause()?;
        let from = if self.eat_kw("FROM") {
            self.table_list()?
        } else {
            Vec::new()
        };
        let (where_, current_of) = self.where_or_current_of()?;
        self.option_clause()?;
        Ok(StmtKind::Update {
            top,
            target,
            sets,
            from,
            where_,
            current_of,
            output,
            hints,
            ctes: Vec::new(),
        })
    }

    /// `col = expr, @v = expr, ...` after SET.
    fn set_list(&mut self) -> PResult<Vec<Assignment>> {
        let mut sets = Vec::new();
        loop {
            let (target, is_var) = if self.is_variable() {
                (vec![self.variable()?], true)
            } else {
                let n = self.name()?;
                (n.0, false)
            };
            let op = match self.peek() {
                Some(t)
                    if t.kind == TokenKind::Punct
                        && ["=", "+=", "-=", "*=", "/=", "%="].contains(&t.text.as_str()) =>
                {
                    t.text.clone()
                }
                _ => return self.err("expected `=` in SET"),
            };
            self.bump();
            if is_var && !self.is_variable() && self.peek_at(1).is_some_and(|t| t.is_punct("=")) {
                return self.err("`SET @v = column = expr` is not supported");
            }
            let value = self.expr()?;
            sets.push(Assignment {
                target,
                is_var,
                op,
                value,
            });
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(sets)
    }

    fn where_or_current_of(&mut self) -> PResult<(Option<Expr>, bool)> {
        if !self.eat_kw("WHERE") {
            return Ok((None, false));
        }
        if self.is_kw("CURRENT") && self.is_kw_at(1, "OF") {
            self.bump();
            self.bump();
            self.eat_kw("GLOBAL");
            self.any_ident()?;
            return Ok((None, true));
        }
        Ok((Some(self.expr()?), false))
    }

    fn option_clause(&mut self) -> PResult<()> {
        if self.is_kw("OPTION") && self.peek_at(1).is_some_and(|t| t.is_punct("(")) {
            self.bump();
            self.bump();
            self.raw_until_close_paren();
            self.expect_punct(")")?;
        }
        Ok(())
    }

    fn delete(&mut self) -> PResult<StmtKind> {
        self.expect_kw("DELETE")?;
        let top = self.top()?;
        self.eat_kw("FROM");
        let target = self.target_name()?;
        self.table_hints()?;
        let output = self.output_clause()?;
        let from = if self.eat_kw("FROM") {
            self.table_list()?
        } else {
            Vec::new()
        };
        let (where_, current_of) = self.where_or_current_of()?;
        self.option_clause()?;
        Ok(StmtKind::Delete {
            top,
            target,
            from,
            where_,
            current_of,
            output,
        })
    }

    /// `MERGE [TOP (n)] [INTO] target [WITH (hints)] [[AS] t] USING source ON cond
    /// WHEN [NOT] MATCHED [BY TARGET|SOURCE] [AND cond] THEN action ... [OUTPUT ...];`
    fn merge(&mut self) -> PResult<StmtKind> {
        self.expect_kw("MERGE")?;
        let top = self.top()?;
        self.eat_kw("INTO");
        let target = self.name()?;
        self.table_hints()?;
        let alias = if self.is_kw("USING") {
            None
        } else {
            self.alias()?
        };
        self.expect_kw("USING")?;
        let source = self.table_factor()?;
        self.expect_kw("ON")?;
        let on = self.expr()?;
        let mut clauses = Vec::new();
        while self.is_kw("WHEN") {
            let pos = self.here();
            self.bump();
            let when = if self.eat_kw("MATCHED") {
                MergeWhen::Matched
            } else {
                self.expect_kw("NOT")?;
                self.expect_kw("MATCHED")?;
                if self.eat_kw("BY") {
                    if self.eat_kw("SOURCE") {
                        MergeWhen::NotMatchedBySource
                    } else {
                        self.expect_kw("TARGET")?;
                        MergeWhen::NotMatchedByTarget
                    }
                } else {
                    MergeWhen::NotMatchedByTarget
                }
            };
            let cond = if self.eat_kw("AND") {
                Some(self.expr()?)
            } else {
                None
            };
            self.expect_kw("THEN")?;
            let action = if self.eat_kw("UPDATE") {
                self.expect_kw("SET")?;
                MergeAction::Update(self.set_list()?)
            } else if self.eat_kw("DELETE") {
                MergeAction::Delete
            } else {
                self.expect_kw("INSERT")?;
                let mut cols = Vec::new();
                if self.is_punct("(") {
                    self.bump();
                    cols = self.ident_list()?;
                    self.expect_punct(")")?;
                }
                if self.eat_kw("DEFAULT") {
                    self.expect_kw("VALUES")?;
                    MergeAction::Insert(cols, None)
                } else {
                    self.expect_kw("VALUES")?;
                    self.expect_punct("(")?;
                    let vals = self.expr_list()?;
                    self.expect_punct(")")?;
                    MergeAction::Insert(cols, Some(vals))
                }
            };
            clauses.push(MergeClause {
                when,
                cond,
                action,
                pos,
            });
        }
        if clauses.is_empty() {
            return self.err("MERGE without WHEN clauses");
        }
        let output = self.output_clause()?;
        self.option_clause()?;
        Ok(StmtKind::Merge(Box::new(Merge {
            top,
            target,
            alias,
            source,
            on,
            clauses,
            output,
        })))
    }

    pub(crate) fn column_defs(&mut self) -> PResult<Vec<ColumnDef>> {
        let mut cols = Vec::new();
        loop {
            if self.is_kw("PRIMARY")
                || self.is_kw("UNIQUE")
                || self.is_kw("CONSTRAINT")
                || self.is_kw("INDEX")
                || self.is_kw("CHECK")
            {
                // Table-level constraint: keep the primary key on its columns.
                let pk = self.is_kw("PRIMARY");
                let mut depth = 0;
                let mut names = Vec::new();
                while let Some(t) = self.peek() {
                    if depth == 0 && (t.is_punct(",") || t.is_punct(")")) {
                        break;
                    }
                    if t.is_punct("(") {
                        depth += 1;
                    } else if t.is_punct(")") {
                        depth -= 1;
                    } else if depth == 1
                        && matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent(_))
                        && !t.is_keyword("ASC")
                        && !t.is_keyword("DESC")
                    {
                        names.push(t.text.clone());
                    }
                    self.bump();
                }
                if pk {
                    for c in cols.iter_mut() {
                        let c: &mut ColumnDef = c;
                        if names.iter().any(|n| n.eq_ignore_ascii_case(&c.name)) {
                            c.primary_key = true;
                        }
                    }
                }
            } else {
                let name = self.any_ident()?;
                let ty = self.data_type()?;
                let mut c = ColumnDef {
                    name,
                    ty,
                    not_null: false,
                    identity: false,
                    identity_spec: None,
                    primary_key: false,
                    default: None,
                };
                loop {
                    if self.eat_kw("NOT") {
                        self.expect_kw("NULL")?;
                        c.not_null = true;
                    } else if self.eat_kw("NULL") {
                    } else if self.eat_kw("IDENTITY") {
                        c.identity = true;
                        if self.eat_punct("(") {
                            c.identity_spec = Some(self.raw_until_close_paren());
                            self.expect_punct(")")?;
                        }
                    } else if self.eat_kw("PRIMARY") {
                        self.expect_kw("KEY")?;
                        c.primary_key = true;
                        if !self.eat_kw("CLUSTERED") {
                            self.eat_kw("NONCLUSTERED");
                        }
                    } else if self.eat_kw("UNIQUE") {
                        if !self.eat_kw("CLUSTERED") {
                            self.eat_kw("NONCLUSTERED");
                        }
                    } else if self.eat_kw("DEFAULT") {
                        c.default = Some(self.primary_or_paren()?);
                    } else if self.eat_kw("COLLATE") || self.eat_kw("CONSTRAINT") {
                        self.any_ident()?;
                    } else {
                        break;
                    }
                }
                cols.push(c);
            }
            if !self.eat_punct(",") {
                break;
            }
            if self.is_punct(")") {
                break;
            }
        }
        Ok(cols)
    }

    fn primary_or_paren(&mut self) -> PResult<Expr> {
        self.expr()
    }
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}
