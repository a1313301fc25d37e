//! Headers of views, procedures, functions and triggers. A code object is
//! the only statement of its batch in T-SQL, so its body runs to the end of
//! the batch; it is kept as text with its span for the convert step.

use super::{PResult, Parser};
use crate::ast::*;
use crate::lexer::TokenKind;
use sluice_engine::schema::RoutineKind;

impl Parser<'_> {
    /// After CREATE/ALTER: eats the routine keyword if there is one.
    pub(super) fn routine_kind(&mut self) -> Option<RoutineKind> {
        let kind = match self.peek()?.text.to_ascii_uppercase().as_str() {
            "VIEW" => RoutineKind::View,
            "PROC" | "PROCEDURE" => RoutineKind::Procedure,
            "FUNCTION" => RoutineKind::Function,
            "TRIGGER" => RoutineKind::Trigger,
            _ => return None,
        };
        if self.peek()?.kind != TokenKind::Word {
            return None;
        }
        self.pos += 1;
        Some(kind)
    }

    pub(super) fn parse_routine(
        &mut self,
        start: Loc,
        mode: CreateMode,
        kind: RoutineKind,
    ) -> PResult<Statement> {
        let name = self.parse_object_name()?;
        if kind == RoutineKind::Procedure && self.eat_punct(";") {
            // numbered procedure `p;2`
            self.next();
        }
        let mut parent = None;
        if kind == RoutineKind::Trigger {
            self.expect_kw("ON")?;
            if self.eat_kws(&["ALL", "SERVER"]) || self.eat_kw("DATABASE") {
                parent = None;
            } else {
                parent = Some(self.parse_object_name()?);
            }
        }
        let header_start = self.here();
        let mut depth = 0i32;
        let mut options = Vec::new();
        let mut in_with = false;
        let body_start;
        loop {
            let Some(t) = self.peek() else {
                return self.error(format!("expected AS before the body of {}", name));
            };
            let prev = self.pos.checked_sub(1).and_then(|i| self.toks.get(i));
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
            } else if depth == 0 {
                let after_var = prev.is_some_and(|p| p.kind == TokenKind::Variable);
                let after_execute =
                    prev.is_some_and(|p| p.is_keyword("EXECUTE") || p.is_keyword("EXEC"));
                if t.is_keyword("AS") && !after_var && !after_execute {
                    self.pos += 1;
                    body_start = self.here();
                    break;
                }
                if kind == RoutineKind::Function
                    && (t.is_keyword("BEGIN") || t.is_keyword("RETURN"))
                    && self.toks[..self.pos]
                        .iter()
                        .rev()
                        .take(64)
                        .any(|p| p.is_keyword("RETURNS"))
                {
                    body_start = t.span.start;
                    break;
                }
                if t.is_keyword("WITH") {
                    in_with = true;
                    options.push(String::new());
                } else if in_with && t.is_punct(",") {
                    options.push(String::new());
                } else if in_with && ["FOR", "AFTER", "INSTEAD"].iter().any(|k| t.is_keyword(k)) {
                    in_with = false;
                } else if in_with {
                    let o = options.last_mut().expect("pushed at WITH");
                    if !o.is_empty() {
                        o.push(' ');
                    }
                    o.push_str(&t.text.to_ascii_uppercase());
                }
            }
            self.pos += 1;
        }
        let header = self.text_between(header_start, self.prev_end());
        self.pos = self.toks.len();
        let body_span = Span {
            start: body_start,
            end: self.end,
        };
        Ok(Statement::CreateRoutine(CreateRoutine {
            kind,
            mode,
            name,
            parent,
            options: options.into_iter().filter(|o| !o.is_empty()).collect(),
            header: header.trim().to_string(),
            body: body_span.slice(self.src).to_string(),
            body_span,
            span: self.span_from(start),
        }))
    }
}
