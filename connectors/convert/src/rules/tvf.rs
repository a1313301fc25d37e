//! Inline table-valued functions used in FROM or APPLY: the call becomes
//! the function's query as a derived table, each parameter read as its
//! argument (the target has no table-valued functions; the function itself
//! is also converted to a procedure returning its rows, for CALLers).

use super::expr::{expr, family_of};
use super::{Cx, VarInfo};
use crate::ast::*;

fn key(call: &FuncCall) -> String {
    match &call.name[..] {
        [n] => format!("dbo.{n}"),
        [s, n] => format!("{}.{n}", if s.is_empty() { "dbo" } else { s }),
        _ => String::new(),
    }
    .to_lowercase()
}

/// Is `call` an inline table-valued function of this conversion?
pub(crate) fn known(cx: &Cx<'_>, call: &FuncCall) -> bool {
    cx.env.inline_tvfs.contains_key(&key(call))
}

/// The call as a derived table's text, or `None` (unknown function, wrong number
/// of arguments, an argument whose type family differs from its parameter's,
/// or that may give another value each time it is read).
pub(crate) fn expand(cx: &mut Cx<'_>, call: &FuncCall, alias: Option<&str>) -> Option<String> {
    let (params, q) = cx.env.inline_tvfs.get(&key(call))?.clone();
    if call.args.len() > params.len() {
        return None;
    }
    let mut bound = Vec::new();
    for (i, p) in params.iter().enumerate() {
        let arg = match call.args.get(i) {
            Some(Expr::Keyword(k)) if k.eq_ignore_ascii_case("DEFAULT") => p.default.clone()?,
            Some(Expr::Column(c)) if c.len() == 1 && c[0].eq_ignore_ascii_case("DEFAULT") => {
                p.default.clone()?
            }
            Some(a) => a.clone(),
            None => return None,
        };
        use crate::types::Family as F;
        let pf = crate::types::family(&p.ty, &cx.env.schema);
        let af = family_of(cx, &arg);
        // The argument is read where the parameter is: it must already have
        // the parameter's value (same type family, or an exact widening),
        // and be the same value each time it is read.
        let widening = matches!((af, pf), (F::Int, F::Decimal | F::Float));
        if !matches!(arg, Expr::Null) && ((af != pf && !widening) || af == F::Unknown) {
            return None;
        }
        let dbg = format!("{arg:?}").to_lowercase();
        if ["\"newid\"", "\"rand\"", "\"newsequentialid\"", "subquery("]
            .iter()
            .any(|f| dbg.contains(f))
        {
            return None;
        }
        // A string longer than a varchar(n) parameter is cut to n.
        let arg = match crate::types::char_length(&p.ty) {
            Some(n)
                if !matches!(&arg, Expr::Str(s) if s.chars().count() <= n as usize)
                    && !matches!(arg, Expr::Null) =>
            {
                Expr::Func(Box::new(FuncCall {
                    name: vec!["LEFT".into()],
                    args: vec![arg, Expr::Number(n.to_string())],
                    distinct: false,
                    over: None,
                    within_group: Vec::new(),
                }))
            }
            _ => arg,
        };
        let text = expr(cx, &arg);
        bound.push((p.name.to_lowercase(), p.ty.clone(), text));
    }
    // The function's query is converted with each parameter read as its
    // argument's text (the caller's variables and, under APPLY, the outer
    // row's columns).
    let saved: Vec<(String, Option<VarInfo>)> = bound
        .iter()
        .map(|(n, ty, text)| {
            let prev = cx.vars.insert(
                n.clone(),
                VarInfo {
                    target: format!("({text})"),
                    ty: ty.clone(),
                },
            );
            (n.clone(), prev)
        })
        .collect();
    let body = super::query::query(cx, &q);
    for (n, prev) in saved {
        match prev {
            Some(v) => {
                cx.vars.insert(n, v);
            }
            None => {
                cx.vars.remove(&n);
            }
        }
    }
    cx.note(
        "from.inline_tvf",
        format!(
            "inline table-valued function {} → its query as a derived table, parameters bound to the arguments",
            call.name.join(".")
        ),
    );
    let alias = alias
        .map(str::to_string)
        .unwrap_or_else(|| call.name.last().cloned().unwrap_or_default());
    Some(format!("({body}) AS {}", super::quote(&alias)))
}

/// The columns an inline table-valued function returns (for types).
pub(crate) fn columns(cx: &Cx<'_>, call: &FuncCall) -> Vec<(String, Option<DataType>)> {
    match cx.env.inline_tvfs.get(&key(call)) {
        Some((_, q)) => super::query::query_columns(cx, q, &[]),
        None => Vec::new(),
    }
}

fn col(t: &str, c: &str) -> Expr {
    Expr::Column(vec![t.to_string(), c.to_string()])
}

fn cast_to(e: Expr, ty: &DataType) -> Expr {
    Expr::Cast {
        expr: Box::new(e),
        ty: ty.clone(),
        style: None,
        try_: false,
    }
}

fn select_from(items: Vec<SelectItem>, from: Vec<TableRef>, where_: Option<Expr>) -> SetExpr {
    SetExpr::Select(Box::new(Select {
        distinct: false,
        top: None,
        items,
        into: None,
        from,
        where_,
        group_by: Vec::new(),
        having: None,
        pos: Pos::default(),
    }))
}

fn query_of(body: SetExpr) -> Query {
    Query {
        ctes: Vec::new(),
        body,
        order_by: Vec::new(),
        offset: None,
        fetch: None,
    }
}

fn derived(q: SetExpr, alias: &str, columns: Vec<String>) -> TableRef {
    TableRef::Derived {
        query: Box::new(query_of(q)),
        alias: alias.into(),
        columns,
    }
}

/// A multi-statement table-valued function whose body only fills its
/// return table (`INSERT INTO @t SELECT/VALUES ...`, `UPDATE @t SET ...
/// [WHERE ...]`, `DELETE FROM @t [WHERE ...]`, then `RETURN`) as one query
/// over the inserted rows, each value converted to its declared column
/// type: the function is then an inline one. `Err`: why not, and the line.
pub fn mstvf_query(r: &Routine) -> Result<(Query, Pos), (String, Pos)> {
    let Some((var, cols)) = &r.returns_table else {
        return Err(("no RETURNS table".into(), r.pos));
    };
    if let Some(c) = cols.iter().find(|c| c.identity || c.default.is_some()) {
        return Err((
            format!("return-table column {} has an IDENTITY or DEFAULT", c.name),
            r.pos,
        ));
    }
    let is_ret =
        |n: &Name| n.0.len() == 1 && n.last().trim_start_matches('@').eq_ignore_ascii_case(var);
    let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
    let mut cur: Option<SetExpr> = None;
    let mut first_pos = None;
    let mut k = 0;
    let stmts = &r.body;
    for (i, s) in stmts.iter().enumerate() {
        k += 1;
        let alias = format!("sluice_t{k}");
        match &s.kind {
            StmtKind::Return(None) if i + 1 == stmts.len() => break,
            StmtKind::Insert {
                target,
                columns,
                source,
                output: None,
            } if is_ret(target) => {
                first_pos.get_or_insert(s.pos);
                let listed: Vec<String> = if columns.is_empty() {
                    names.clone()
                } else {
                    columns.clone()
                };
                if listed
                    .iter()
                    .any(|c| !names.iter().any(|n| n.eq_ignore_ascii_case(c)))
                {
                    return Err(("INSERT names a column the return table lacks".into(), s.pos));
                }
                let inner: Vec<String> = (1..=listed.len()).map(|j| format!("c{j}")).collect();
                let from = match source {
                    InsertSource::Query(q) => TableRef::Derived {
                        query: q.clone(),
                        alias: alias.clone(),
                        columns: inner.clone(),
                    },
                    InsertSource::Values(rows) => TableRef::Values {
                        rows: rows.clone(),
                        alias: alias.clone(),
                        columns: inner.clone(),
                    },
                    _ => {
                        return Err((
                            "INSERT ... EXEC or DEFAULT VALUES into the return table".into(),
                            s.pos,
                        ))
                    }
                };
                let items = cols
                    .iter()
                    .map(|c| {
                        let v = match listed.iter().position(|l| l.eq_ignore_ascii_case(&c.name)) {
                            Some(j) => col(&alias, &inner[j]),
                            None => Expr::Null,
                        };
                        SelectItem::Expr(cast_to(v, &c.ty), Some(c.name.clone()))
                    })
                    .collect();
                let piece = select_from(items, vec![from], None);
                cur = Some(match cur {
                    None => piece,
                    Some(prev) => {
                        SetExpr::SetOp(Box::new(prev), "UNION ALL".into(), Box::new(piece))
                    }
                });
            }
            StmtKind::Update {
                top: None,
                target,
                sets,
                from,
                where_,
                current_of: false,
                output: None,
                ctes,
                ..
            } if is_ret(target) && from.is_empty() && ctes.is_empty() => {
                let Some(prev) = cur.take() else {
                    return Err(("UPDATE of the return table before any INSERT".into(), s.pos));
                };
                if sets.iter().any(|a| a.is_var) {
                    return Err(("UPDATE ... SET @variable".into(), s.pos));
                }
                let items = cols
                    .iter()
                    .map(|c| {
                        let old = col(&alias, &c.name);
                        let v = match sets.iter().find(|a| {
                            a.target
                                .last()
                                .is_some_and(|t| t.eq_ignore_ascii_case(&c.name))
                        }) {
                            None => old,
                            Some(a) => {
                                let new = if a.op == "=" {
                                    a.value.clone()
                                } else {
                                    Expr::Binary(
                                        Box::new(old.clone()),
                                        a.op[..a.op.len() - 1].into(),
                                        Box::new(a.value.clone()),
                                    )
                                };
                                let new = cast_to(new, &c.ty);
                                match where_ {
                                    None => new,
                                    Some(w) => Expr::Case {
                                        operand: None,
                                        whens: vec![(w.clone(), new)],
                                        else_: Some(Box::new(old)),
                                    },
                                }
                            }
                        };
                        SelectItem::Expr(v, Some(c.name.clone()))
                    })
                    .collect();
                cur = Some(select_from(
                    items,
                    vec![derived(prev, &alias, Vec::new())],
                    None,
                ));
            }
            StmtKind::Delete {
                top: None,
                target,
                from,
                where_,
                current_of: false,
                output: None,
            } if is_ret(target) && from.is_empty() => {
                let Some(prev) = cur.take() else {
                    return Err((
                        "DELETE from the return table before any INSERT".into(),
                        s.pos,
                    ));
                };
                let keep = match where_ {
                    // Rows where the condition is not TRUE stay.
                    Some(w) => Expr::Binary(
                        Box::new(Expr::Case {
                            operand: None,
                            whens: vec![(w.clone(), Expr::Number("0".into()))],
                            else_: Some(Box::new(Expr::Number("1".into()))),
                        }),
                        "=".into(),
                        Box::new(Expr::Number("1".into())),
                    ),
                    None => Expr::Binary(
                        Box::new(Expr::Number("1".into())),
                        "=".into(),
                        Box::new(Expr::Number("0".into())),
                    ),
                };
                let items = cols
                    .iter()
                    .map(|c| SelectItem::Expr(col(&alias, &c.name), Some(c.name.clone())))
                    .collect();
                cur = Some(select_from(
                    items,
                    vec![derived(prev, &alias, Vec::new())],
                    Some(keep),
                ));
            }
            other => {
                let what = match other {
                    StmtKind::Declare(_) | StmtKind::DeclareTable(..) => "DECLARE of a variable",
                    StmtKind::While(..) => "a WHILE loop",
                    StmtKind::If(..) => "IF",
                    StmtKind::SetVar(..) => "SET of a variable",
                    StmtKind::Select(_) => "a SELECT (assignment)",
                    StmtKind::DeclareCursor { .. } => "a cursor",
                    StmtKind::Return(_) => "RETURN before the end",
                    _ => "a statement",
                };
                return Err((
                    format!("{what}, which is not an INSERT/UPDATE/DELETE of the return table or the final RETURN"),
                    s.pos,
                ));
            }
        }
    }
    match (cur, first_pos) {
        (Some(b), Some(p)) => Ok((query_of(b), p)),
        _ => Err(("the function never fills its return table".into(), r.pos)),
    }
}
