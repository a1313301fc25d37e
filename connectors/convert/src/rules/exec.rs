//! EXEC of procedures → CALL with positional arguments (named arguments and
//! defaults expanded from the callee's signature; the return value through
//! the callee's extra OUT parameter), and dynamic SQL → PREPARE/EXECUTE.

use super::expr::expr;
use super::{quote, Cx};
use crate::ast::*;
use sluice_tsql::lexer::{tokenize, QuoteStyle, TokenKind};

/// `EXEC [@rc =] proc args`.
pub(crate) fn call(
    cx: &mut Cx<'_>,
    ret: Option<&str>,
    proc_name: &Name,
    args: &[ExecArg],
) -> Vec<String> {
    let last = proc_name.last().to_lowercase();
    if last == "sp_executesql" {
        let Some(first) = args.first() else {
            return vec![cx.manual("dyn.built", "sp_executesql without a statement")];
        };
        return dynamic(cx, &first.value, &args[1..]);
    }
    if matches!(cx.kind, RoutineKind::ScalarFunction) {
        return vec![cx.manual("exec.in_function", "EXEC in a function")];
    }
    if last.starts_with("sp_") || last.starts_with("xp_") {
        return vec![cx.manual(
            "exec.system",
            format!("system procedure {}", proc_name.0.join(".")),
        )];
    }
    let parts = &proc_name.0;
    let (schema, name) = match parts.len() {
        1 => (None, parts[0].clone()),
        2 => (Some(parts[0].clone()), parts[1].clone()),
        3 if cx
            .env
            .source_database
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case(&parts[0])) =>
        {
            (Some(parts[1].clone()), parts[2].clone())
        }
        _ => {
            return vec![cx.manual(
                "name.linked_server",
                format!("EXEC of {} in another database/server", parts.join(".")),
            )]
        }
    };
    let key = format!(
        "{}.{}",
        schema.as_deref().filter(|s| !s.is_empty()).unwrap_or("dbo"),
        name
    )
    .to_lowercase();
    let Some(sig) = cx.env.procs.get(&key).cloned() else {
        if args.iter().any(|a| a.name.is_some()) || ret.is_some() {
            return vec![cx.manual(
                "exec.unknown_callee",
                format!("EXEC {key} with named arguments or a return value, but the procedure is not among the converted ones"),
            )];
        }
        cx.note(
            "exec.unknown_callee",
            format!("{key} is not among the converted procedures: arguments passed as written"),
        );
        let a: Vec<String> = args.iter().map(|a| expr(cx, &a.value)).collect();
        return vec![format!(
            "CALL {}({});",
            cx.env.qualified(schema.as_deref(), &name),
            a.join(", ")
        )];
    };
    let mut pre = Vec::new();
    let mut out_args = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let arg = args
            .iter()
            .find(|a| {
                a.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&p.name))
            })
            .or_else(|| args.get(i).filter(|a| a.name.is_none()));
        let value = match arg {
            Some(a) if !matches!(&a.value, Expr::Keyword(k) if k == "DEFAULT") => Some(a),
            _ => None,
        };
        match (value, p.output) {
            (Some(a), true) if a.output => match &a.value {
                Expr::Var(v) => out_args.push(cx.var(v)),
                _ => {
                    return vec![cx.manual("exec.output", "OUTPUT argument that is not a variable")]
                }
            },
            (Some(a), _) => {
                let v = expr(cx, &a.value);
                if p.output {
                    // An OUTPUT parameter passed without OUTPUT: the caller's
                    // value must not change, so pass a scratch variable.
                    let scratch = format!("@sluice_arg_{}", i + 1);
                    pre.push(format!("SET {scratch} = {v};"));
                    out_args.push(scratch);
                } else {
                    out_args.push(v);
                }
            }
            (None, _) => match &p.default {
                Some(d) => {
                    cx.note(
                        "exec.default_fill",
                        format!("argument @{} omitted: its default filled in", p.name),
                    );
                    let v = expr(cx, d);
                    if p.output {
                        let scratch = format!("@sluice_arg_{}", i + 1);
                        pre.push(format!("SET {scratch} = {v};"));
                        out_args.push(scratch);
                    } else {
                        out_args.push(v);
                    }
                }
                None => {
                    return vec![cx.manual(
                        "exec.missing_arg",
                        format!("EXEC {key} without a value for @{}", p.name),
                    )];
                }
            },
        }
    }
    if args.len() > sig.params.len() {
        return vec![cx.manual(
            "exec.missing_arg",
            format!("EXEC {key} with more arguments than parameters"),
        )];
    }
    if sig.returns_value {
        out_args.push(match ret {
            Some(r) => cx.var(r),
            None => "@sluice_rv".into(),
        });
    }
    cx.note("exec.call", "EXEC → CALL with positional arguments");
    let mut out = pre;
    out.push(format!("CALL {}({});", sig.target, out_args.join(", ")));
    if let (Some(r), false) = (ret, sig.returns_value) {
        // A procedure without RETURN n returns 0.
        let v = cx.var(r);
        out.push(format!("SET {v} = 0;"));
    }
    out
}

/// T-SQL words whose meaning differs on the target, so dynamic SQL text
/// containing them cannot run unchanged.
const TSQL_ONLY: &[&str] = &[
    "TOP",
    "NOLOCK",
    "ISNULL",
    "GETDATE",
    "LEN",
    "CHARINDEX",
    "CONVERT",
    "DATEADD",
    "DATEDIFF",
    "DATEPART",
    "NEWID",
    "EXEC",
    "EXECUTE",
    "PRINT",
    "RAISERROR",
    "OUTPUT",
    "MERGE",
    "SCOPE_IDENTITY",
    "APPLY",
    "PIVOT",
    "WITH",
    "IDENTITY",
    "GO",
    "TRAN",
    "TRANSACTION",
    "OFFSET",
    "DECLARE",
    "SET",
    "IF",
    "WHILE",
    "BEGIN",
];

/// Converts the T-SQL text pieces of a dynamic statement. `pieces` is the
/// `+` chain: `Ok(text)` literal parts and `Err(expr)` value parts.
fn convert_template(
    cx: &mut Cx<'_>,
    pieces: &[Result<String, Expr>],
    params: &[String],
) -> Result<(Vec<String>, Vec<String>), String> {
    const MARK: &str = "sluicedynvalue";
    let mut template = String::new();
    let mut values = Vec::new();
    for p in pieces {
        match p {
            Ok(t) => template.push_str(t),
            Err(e) => {
                template.push_str(&format!("{MARK}{}x", values.len()));
                values.push(e.clone());
            }
        }
    }
    if template.contains('\\') {
        return Err("the text contains a backslash (an escape character on the target)".into());
    }
    let toks = tokenize(&template);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut using = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match &t.kind {
            TokenKind::Word => {
                let up = t.text.to_uppercase();
                if TSQL_ONLY.contains(&up.as_str()) {
                    return Err(format!("the text uses {up}"));
                }
                if t.text.starts_with('#') {
                    return Err(format!("the text uses temp table {}", t.text));
                }
                let dotted = toks.get(i + 1).is_some_and(|n| n.is_punct("."));
                let is_schema = up == "DBO" || cx.env.known_schema(&t.text);
                if dotted && is_schema {
                    let db = cx.env.database_of(Some(&t.text));
                    edits.push((
                        t.span.start.offset as usize,
                        t.span.end.offset as usize,
                        quote(&db),
                    ));
                }
            }
            TokenKind::QuotedIdent(QuoteStyle::Bracket) => {
                let prev_dot = i > 0 && toks[i - 1].is_punct(".");
                let next_dot = toks.get(i + 1).is_some_and(|n| n.is_punct("."));
                let text = if next_dot
                    && !prev_dot
                    && (t.text.eq_ignore_ascii_case("dbo") || cx.env.known_schema(&t.text))
                {
                    quote(&cx.env.database_of(Some(&t.text)))
                } else {
                    quote(&t.text)
                };
                edits.push((
                    t.span.start.offset as usize,
                    t.span.end.offset as usize,
                    text,
                ));
            }
            TokenKind::QuotedIdent(QuoteStyle::Double) => {
                return Err("the text has a double-quoted name".into())
            }
            TokenKind::Variable => {
                let name = t.text.trim_start_matches('@').to_lowercase();
                if !params.contains(&name) {
                    return Err(format!("the text uses variable {}", t.text));
                }
                // A user variable the statement reads directly: the text may
                // be assembled conditionally, so positional `?` would not line up.
                using.push(name.clone());
                edits.push((
                    t.span.start.offset as usize,
                    t.span.end.offset as usize,
                    format!("@sluice_p_{}", super::sanitize(&name)),
                ));
            }
            TokenKind::Punct if t.text == "+" || t.text == ";" => {
                return Err(format!("the text contains `{}`", t.text));
            }
            TokenKind::Error => return Err("the text does not lex".into()),
            _ => {}
        }
    }
    let mut text = template.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (s, e, r) in edits {
        text.replace_range(s..e, &r);
    }
    // Split back into literal and value parts.
    let mut parts = Vec::new();
    let mut rest = text.as_str();
    for (i, v) in values.iter().enumerate() {
        let m = format!("{MARK}{i}x");
        let Some(pos) = rest.find(&m) else {
            return Err("a value is spliced into a name".into());
        };
        parts.push(super::string_lit(&rest[..pos]));
        parts.push(expr(cx, v));
        rest = &rest[pos + m.len()..];
    }
    parts.push(super::string_lit(rest));
    if parts.len() > 1 {
        parts.retain(|p| p != "''");
    }
    Ok((parts, using))
}

/// An assignment to a variable that holds dynamic SQL text: its literal
/// pieces are checked and converted like the text of `EXEC (...)`.
pub(crate) fn assign_sql_text(cx: &mut Cx<'_>, v: &str, op: &str, e: &Expr) -> String {
    let target = cx.var(v);
    let full = if op == "=" {
        e.clone()
    } else if op == "+=" {
        Expr::Binary(
            Box::new(Expr::Var(v.to_string())),
            "+".into(),
            Box::new(e.clone()),
        )
    } else {
        return cx.manual("dyn.built", format!("@{v} {op} on SQL text"));
    };
    let params = cx
        .sql_vars
        .get(&v.to_lowercase())
        .cloned()
        .unwrap_or_default();
    let mut pieces = Vec::new();
    flatten(cx, &full, &mut pieces);
    match convert_template(cx, &pieces, &params) {
        Ok((parts, _)) => {
            cx.note(
                "dyn.prepare",
                format!(
                    "SQL text in @{v}: literal pieces checked for T-SQL-only syntax, names mapped"
                ),
            );
            let text = if parts.len() == 1 {
                parts[0].clone()
            } else {
                format!("CONCAT({})", parts.join(", "))
            };
            format!("{target} = {text}")
        }
        Err(why) => {
            let m = cx.manual(
                "dyn.built",
                format!("SQL text assigned to @{v} cannot be checked or converted: {why}"),
            );
            format!("{target} = NULL {m}")
        }
    }
}

fn flatten(cx: &Cx<'_>, e: &Expr, out: &mut Vec<Result<String, Expr>>) {
    match e {
        Expr::Binary(l, op, r) if op == "+" => {
            flatten(cx, l, out);
            flatten(cx, r, out);
        }
        Expr::Str(s) => out.push(Ok(s.clone())),
        Expr::Var(v) if cx.literal_vars.contains_key(&v.to_lowercase()) => {
            out.push(Ok(cx.literal_vars[&v.to_lowercase()].clone()))
        }
        Expr::Paren(x) => flatten(cx, x, out),
        other => out.push(Err(other.clone())),
    }
}

/// `EXEC (@sql)` / `sp_executesql @sql, N'@p int', @p = @x`.
pub(crate) fn dynamic(cx: &mut Cx<'_>, sql: &Expr, rest: &[ExecArg]) -> Vec<String> {
    if cx.kind != RoutineKind::Procedure {
        return vec![cx.manual(
            "dyn.in_function",
            "dynamic SQL in a function or trigger (PREPARE is not allowed there)",
        )];
    }
    // sp_executesql's parameter list and values.
    let mut params = Vec::new();
    let mut values = Vec::new();
    if let Some(decl) = rest.first() {
        let Expr::Str(d) = &decl.value else {
            return vec![cx.manual("dyn.built", "sp_executesql with a computed parameter list")];
        };
        for p in d.split(',') {
            let p = p.trim();
            if p.to_uppercase().ends_with("OUTPUT") || p.to_uppercase().ends_with(" OUT") {
                return vec![cx.manual("dyn.output", "sp_executesql with OUTPUT parameters")];
            }
            if let Some(n) = p.split_whitespace().next() {
                params.push(n.trim_start_matches('@').to_lowercase());
            }
        }
        for (i, a) in rest[1..].iter().enumerate() {
            let pname = match &a.name {
                Some(n) => n.to_lowercase(),
                None => match params.get(i) {
                    Some(p) => p.clone(),
                    None => {
                        return vec![cx.manual(
                            "dyn.built",
                            "sp_executesql with more values than parameters",
                        )]
                    }
                },
            };
            values.push((pname, a.value.clone()));
        }
    }
    let checked_var = match sql {
        Expr::Var(v) if cx.sql_vars.contains_key(&v.to_lowercase()) => Some(v.clone()),
        _ => None,
    };
    let mut pieces = Vec::new();
    flatten(cx, sql, &mut pieces);
    let converted = match &checked_var {
        // Every assignment to the variable was checked where it happened.
        Some(v) => Ok((vec![cx.var(v)], params.clone())),
        None => convert_template(cx, &pieces, &params),
    };
    let (parts, using) = match converted {
        Ok(x) => x,
        Err(why) => {
            return vec![cx.manual(
                "dyn.built",
                format!("dynamic SQL whose T-SQL text cannot be checked or converted: {why}"),
            )]
        }
    };
    cx.note("dyn.prepare", "dynamic SQL → PREPARE/EXECUTE; its text was checked for T-SQL-only syntax and its names mapped");
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for u in &using {
        if seen.contains(u) {
            continue;
        }
        seen.push(u.clone());
        let Some((_, v)) = values.iter().find(|(n, _)| n == u) else {
            return vec![cx.manual(
                "dyn.built",
                format!("sp_executesql parameter @{u} has no value"),
            )];
        };
        let val = expr(cx, v);
        let sv = format!("@sluice_p_{}", super::sanitize(u));
        out.push(format!("SET {sv} = {val};"));
    }
    let text = if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("CONCAT({})", parts.join(", "))
    };
    out.push(format!("SET @sluice_sql = {text};"));
    out.push("PREPARE sluice_stmt FROM @sluice_sql;".into());
    out.push("EXECUTE sluice_stmt;".into());
    out.push("DEALLOCATE PREPARE sluice_stmt;".into());
    out
}
