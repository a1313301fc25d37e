//! Finding routines in a script and parsing their headers.
//!
//! A routine runs from its `CREATE`/`ALTER` to the end of its batch (`GO`) or
//! to the next `CREATE`/`ALTER` of a routine at the start of a line: exported
//! scripts often have no `GO` between objects.

use super::{prepare_tokens, PResult, ParseError, Parser};
use crate::ast::*;
use sluice_tsql::lexer::{tokenize, Token, TokenKind};

/// A routine found in a script, parsed or not.
#[derive(Debug, Clone)]
pub struct ParsedObject {
    /// The parsed routine, or why its header did not parse.
    pub routine: Result<Routine, ParseError>,
    /// Best-effort name (for reports when the header failed).
    pub name: String,
    /// The object's source text.
    pub source: String,
    /// First line of the object in its file.
    pub line: u32,
}

const KINDS: &[&str] = &["PROCEDURE", "PROC", "FUNCTION", "TRIGGER", "VIEW"];

/// Index of the routine keyword if `toks[i..]` starts `CREATE|ALTER [OR ALTER] <kind>`.
fn routine_start(toks: &[Token], i: usize) -> Option<usize> {
    let t = toks.get(i)?;
    if !(t.is_keyword("CREATE") || t.is_keyword("ALTER")) {
        return None;
    }
    let mut j = i + 1;
    if toks.get(j)?.is_keyword("OR") {
        j += 1;
        if !(toks.get(j)?.is_keyword("ALTER") || toks.get(j)?.is_keyword("REPLACE")) {
            return None;
        }
        j += 1;
    }
    KINDS
        .iter()
        .any(|k| toks.get(j).is_some_and(|t| t.is_keyword(k)))
        .then_some(j)
}

/// Finds and parses every routine and view in `src`.
pub fn parse_objects(src: &str) -> Vec<ParsedObject> {
    let all = tokenize(src);
    let toks: Vec<Token> = all.into_iter().filter(|t| !t.is_trivia()).collect();
    let mut out = Vec::new();
    let mut qi_off = false;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.is_keyword("SET")
            && toks
                .get(i + 1)
                .is_some_and(|n| n.is_keyword("QUOTED_IDENTIFIER"))
        {
            qi_off = toks.get(i + 2).is_some_and(|n| n.is_keyword("OFF"));
        }
        if routine_start(&toks, i).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        while end < toks.len() {
            let e = &toks[end];
            if matches!(e.kind, TokenKind::BatchSeparator { .. }) {
                break;
            }
            if e.line_start && routine_start(&toks, end).is_some() {
                break;
            }
            end += 1;
        }
        let slice = prepare_tokens(&toks[start..end], qi_off);
        let from = toks[start].span.start.offset as usize;
        let to = toks[end - 1].span.end.offset as usize;
        let source = src.get(from..to).unwrap_or("").to_string();
        let name = guess_name(&slice);
        let routine = parse_routine(&slice, qi_off);
        out.push(ParsedObject {
            routine,
            name,
            source,
            line: toks[start].span.start.line,
        });
        i = end;
    }
    out
}

fn guess_name(toks: &[Token]) -> String {
    let kw = toks
        .iter()
        .position(|t| KINDS.iter().any(|k| t.is_keyword(k)));
    let Some(k) = kw else { return "?".into() };
    let mut parts = Vec::new();
    let mut j = k + 1;
    while let Some(t) = toks.get(j) {
        if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent(_)) {
            parts.push(t.text.clone());
        } else if !t.is_punct(".") {
            break;
        }
        j += 1;
    }
    parts.join(".")
}

fn parse_routine(toks: &[Token], qi_off: bool) -> Result<Routine, ParseError> {
    let mut p = Parser::new(toks);
    let pos = p.here();
    p.bump(); // CREATE / ALTER
    if p.eat_kw("OR") {
        p.bump();
    }
    let kind_kw = p.bump().map(|t| t.text.to_uppercase()).unwrap_or_default();
    let name = p.name()?;
    if p.eat_punct(";") {
        // `;1` numbered procedures.
        p.bump();
    }
    let mut r = Routine {
        kind: RoutineKind::Procedure,
        name,
        params: Vec::new(),
        returns: None,
        returns_table: None,
        options: Vec::new(),
        trigger: None,
        body: Vec::new(),
        pos,
        quoted_identifier_off: qi_off,
    };
    match kind_kw.as_str() {
        "PROCEDURE" | "PROC" => {
            let paren = p.eat_punct("(");
            if p.is_variable() {
                r.params = p.params()?;
            }
            if paren {
                p.expect_punct(")")?;
            }
            r.options = p.with_options()?;
            if p.eat_kw("FOR") {
                p.expect_kw("REPLICATION")?;
            }
            p.expect_kw("AS")?;
            r.body = body(&mut p);
        }
        "FUNCTION" => {
            p.expect_punct("(")?;
            if p.is_variable() {
                r.params = p.params()?;
            }
            p.expect_punct(")")?;
            p.expect_kw("RETURNS")?;
            if p.is_variable() {
                let v = p.variable()?;
                p.expect_kw("TABLE")?;
                p.expect_punct("(")?;
                let cols = p.column_defs()?;
                p.expect_punct(")")?;
                r.returns_table = Some((v, cols));
                r.kind = RoutineKind::TableFunction;
            } else if p.eat_kw("TABLE") {
                r.kind = RoutineKind::InlineTableFunction;
            } else {
                r.returns = Some(p.data_type()?);
                r.kind = RoutineKind::ScalarFunction;
            }
            r.options = p.with_options()?;
            p.eat_kw("AS");
            if r.kind == RoutineKind::InlineTableFunction {
                p.expect_kw("RETURN")?;
                let pos = p.here();
                let paren = p.is_punct("(") && (p.is_kw_at(1, "SELECT") || p.is_kw_at(1, "WITH"));
                if paren {
                    p.bump();
                }
                let q = p.query()?;
                if paren {
                    p.expect_punct(")")?;
                }
                r.body = vec![Stmt {
                    pos,
                    kind: StmtKind::Select(Box::new(q)),
                }];
            } else {
                r.body = body(&mut p);
            }
        }
        "TRIGGER" => {
            p.expect_kw("ON")?;
            let table = p.name()?;
            r.kind = RoutineKind::Trigger;
            r.options = p.with_options()?;
            let instead_of = if p.eat_kw("INSTEAD") {
                p.expect_kw("OF")?;
                true
            } else {
                if !p.eat_kw("AFTER") {
                    p.expect_kw("FOR")?;
                }
                false
            };
            let mut events = Vec::new();
            loop {
                let e = p.any_ident()?.to_uppercase();
                if !["INSERT", "UPDATE", "DELETE"].contains(&e.as_str()) {
                    return p.err("expected INSERT, UPDATE or DELETE");
                }
                events.push(e);
                if !p.eat_punct(",") {
                    break;
                }
            }
            if p.eat_kw("NOT") {
                p.expect_kw("FOR")?;
                p.expect_kw("REPLICATION")?;
            }
            p.expect_kw("AS")?;
            r.trigger = Some(TriggerInfo {
                table,
                instead_of,
                events,
            });
            r.body = body(&mut p);
        }
        "VIEW" => {
            r.kind = RoutineKind::View;
            if p.is_punct("(") {
                p.bump();
                let cols = p.ident_list()?;
                p.expect_punct(")")?;
                r.options.push(format!("COLUMNS:{}", cols.join(",")));
            }
            r.options.extend(p.with_options()?);
            p.expect_kw("AS")?;
            let pos = p.here();
            let q = p.query()?;
            if p.eat_kw("WITH") {
                p.expect_kw("CHECK")?;
                p.expect_kw("OPTION")?;
                r.options.push("CHECK OPTION".into());
            }
            p.eat_punct(";");
            if !p.at_end() {
                return p.err("unexpected text after the view's query");
            }
            r.body = vec![Stmt {
                pos,
                kind: StmtKind::Select(Box::new(q)),
            }];
        }
        _ => return p.err("expected PROCEDURE, FUNCTION, TRIGGER or VIEW"),
    }
    Ok(r)
}

/// The body: statements to the end of the object; a stray `END` becomes a finding.
fn body(p: &mut Parser<'_>) -> Vec<Stmt> {
    let mut out = Vec::new();
    loop {
        out.extend(p.statements_until_end());
        if p.at_end() {
            break;
        }
        let pos = p.here();
        p.bump();
        out.push(Stmt {
            pos,
            kind: StmtKind::Unparsed("END without a matching BEGIN".into()),
        });
    }
    // A body that is one BEGIN ... END block is that block's statements.
    if out.len() == 1 {
        if let StmtKind::Block(inner) = &out[0].kind {
            return inner.clone();
        }
    }
    out
}

impl Parser<'_> {
    fn params(&mut self) -> PResult<Vec<Param>> {
        let mut v = Vec::new();
        loop {
            let name = self.variable()?;
            self.eat_kw("AS");
            let ty = self.data_type()?;
            self.eat_kw("VARYING");
            self.eat_kw("NULL");
            let default = if self.eat_punct("=") {
                Some(self.expr()?)
            } else {
                None
            };
            let output = self.eat_kw("OUTPUT") || self.eat_kw("OUT");
            let readonly = self.eat_kw("READONLY");
            v.push(Param {
                name,
                ty,
                default,
                output,
                readonly,
            });
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(v)
    }

    /// `WITH opt [, opt]` before AS: `EXECUTE AS OWNER`, `SCHEMABINDING`, `RECOMPILE`...
    fn with_options(&mut self) -> PResult<Vec<String>> {
        let mut opts = Vec::new();
        if !self.eat_kw("WITH") {
            return Ok(opts);
        }
        loop {
            let mut words = vec![self.any_ident()?.to_uppercase()];
            if words[0] == "EXECUTE" || words[0] == "EXEC" {
                self.expect_kw("AS")?;
                match self.bump() {
                    Some(t) => words = vec!["EXECUTE AS".into(), t.text.to_uppercase()],
                    None => return self.err("expected EXECUTE AS target"),
                }
            } else if words[0] == "RETURNS" {
                // RETURNS NULL ON NULL INPUT
                while self
                    .peek()
                    .is_some_and(|t| t.kind == TokenKind::Word && !t.is_keyword("AS"))
                {
                    words.push(
                        self.bump()
                            .map(|t| t.text.to_uppercase())
                            .unwrap_or_default(),
                    );
                }
            }
            opts.push(words.join(" "));
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(opts)
    }
}
