//! SELECT statements (result sets, variable assignment, SELECT INTO), INSERT,
//! UPDATE/DELETE with FROM and joins, TRUNCATE.

use super::expr::expr;
use super::query::{
    from_list, order_list, query, scope_entries, select, table_columns, table_name, tail,
};
use super::{quote, Cx};
use crate::ast::*;

/// The query with `CONNECTION_ID()` as its first column (every branch of a
/// UNION), so rows land in this connection's part of a work table.
fn with_conn_item(q: &Query) -> Option<Query> {
    fn body(b: &mut SetExpr) -> bool {
        match b {
            SetExpr::Select(s) => {
                s.items.insert(
                    0,
                    SelectItem::Expr(
                        Expr::Func(Box::new(FuncCall {
                            name: vec!["CONNECTION_ID".into()],
                            args: Vec::new(),
                            distinct: false,
                            over: None,
                            within_group: Vec::new(),
                        })),
                        None,
                    ),
                );
                true
            }
            SetExpr::SetOp(l, _, r) => body(l) && body(r),
            SetExpr::Nested(_) => false,
        }
    }
    let mut q = q.clone();
    body(&mut q.body).then_some(q)
}

fn rowcount_capture(cx: &Cx<'_>, f: &str) -> Vec<String> {
    if cx.uses_rowcount {
        vec![format!("SET v_rowcount = {f};")]
    } else {
        Vec::new()
    }
}

/// A SELECT statement.
pub(crate) fn select_stmt(cx: &mut Cx<'_>, q: &Query) -> Vec<String> {
    if let SetExpr::Select(s) = &q.body {
        if s.items.iter().any(|i| matches!(i, SelectItem::Assign(..))) {
            return assign(cx, q, s);
        }
        if let Some(into) = &s.into {
            return select_into(cx, q, s, into);
        }
    }
    if matches!(cx.kind, RoutineKind::Trigger) {
        return vec![cx.manual("trg.result_set", "a trigger returning a result set")];
    }
    let mut out = vec![format!("{};", query(cx, q))];
    out.extend(rowcount_capture(cx, "FOUND_ROWS()"));
    out
}

fn refs_var(e: &Expr, v: &str) -> bool {
    let s = format!("{e:?}").to_lowercase();
    s.contains(&format!("var(\"{}\")", v.to_lowercase()))
}

/// `SELECT @a = x, @b = y [FROM ...]`.
fn assign(cx: &mut Cx<'_>, q: &Query, s: &Select) -> Vec<String> {
    let mut targets = Vec::new();
    let mut values = Vec::new();
    if s.items.iter().any(|i| !matches!(i, SelectItem::Assign(..))) {
        return vec![cx.manual(
            "sel.assign",
            "a SELECT mixing assignments and result columns",
        )];
    }
    if s.from.is_empty() && s.where_.is_none() {
        let mut sets = Vec::new();
        for it in &s.items {
            if let SelectItem::Assign(v, op, e) = it {
                sets.push(super::stmt::set_var_text(cx, v, op, e));
            }
        }
        cx.note("sel.assign", "SELECT @v = expr without FROM → SET");
        let mut out = vec![format!("SET {};", sets.join(", "))];
        if cx.uses_rowcount {
            out.push("SET v_rowcount = 1;".into());
        }
        return out;
    }
    for it in &s.items {
        if let SelectItem::Assign(v, op, e) = it {
            if cx.sql_vars.contains_key(&v.to_lowercase()) {
                return vec![cx.manual("dyn.built", format!("SQL text @{v} read from a table"))];
            }
            if op != "=" || refs_var(e, v) {
                return vec![cx.manual(
                    "sel.assign_accumulate",
                    format!("@{v} accumulates over the rows of a query (row-by-row concatenation/aggregation)"),
                )];
            }
        }
    }
    let mut scope = Vec::new();
    for t in &s.from {
        scope_entries(cx, t, &mut scope);
    }
    cx.scopes.push(scope);
    let from = from_list(cx, &s.from);
    for it in &s.items {
        if let SelectItem::Assign(v, _, e) = it {
            values.push(expr(cx, e));
            targets.push(cx.var(v));
        }
    }
    let where_etc = tail(cx, s);
    cx.scopes.pop();
    let mut text = format!(
        "SELECT {}{} INTO {}",
        if s.distinct { "DISTINCT " } else { "" },
        values.join(", "),
        targets.join(", ")
    );
    if !from.is_empty() {
        text.push_str(&format!(" FROM {from}"));
    }
    text.push_str(&where_etc);
    let single_row_aggregate = s.group_by.is_empty()
        && s.items.iter().all(|i| matches!(i, SelectItem::Assign(_, _, Expr::Func(f)) if f.over.is_none() && ["COUNT", "SUM", "MAX", "MIN", "AVG", "COUNT_BIG"].contains(&f.name.last().map(|n| n.to_uppercase()).unwrap_or_default().as_str())));
    if let Some(t) = &s.top {
        if !matches!(t.count, Expr::Number(ref n) if n == "1")
            && !matches!(&t.count, Expr::Paren(x) if matches!(**x, Expr::Number(ref n) if n == "1"))
        {
            return vec![cx.manual(
                "sel.assign",
                "SELECT TOP (n > 1) @v = ... assigns the last of n rows",
            )];
        }
        if !q.order_by.is_empty() {
            text.push_str(&format!(" ORDER BY {}", order_list(cx, &q.order_by)));
        }
        text.push_str(" LIMIT 1");
    } else if !q.order_by.is_empty() {
        // SQL Server keeps the last row's values: reverse the order, take one.
        let rev: Vec<OrderItem> = q
            .order_by
            .iter()
            .map(|o| OrderItem {
                expr: o.expr.clone(),
                desc: !o.desc,
            })
            .collect();
        text.push_str(&format!(" ORDER BY {} LIMIT 1", order_list(cx, &rev)));
        cx.note(
            "sel.assign",
            "SELECT @v = ... ORDER BY keeps the last row: order reversed, LIMIT 1",
        );
    } else if !single_row_aggregate {
        text.push_str(" LIMIT 1");
        cx.note(
            "sel.assign",
            "SELECT @v = ... FROM: one row is assigned (SQL Server assigns the last of an unordered set: any row)",
        );
    }
    // No row leaves the variables unchanged, as in SQL Server; the local
    // handler keeps that "no data" from reaching a cursor's NOT FOUND handler.
    let mut out = vec![
        "BEGIN".to_string(),
        "  DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN END;".to_string(),
        format!("  {text};"),
    ];
    if cx.uses_rowcount {
        out.push("  SET v_rowcount = FOUND_ROWS();".into());
    }
    out.push("END;".into());
    out
}

/// `SELECT ... INTO #t FROM ...`.
fn select_into(cx: &mut Cx<'_>, q: &Query, s: &Select, into: &Name) -> Vec<String> {
    if !into.is_temp() {
        return vec![cx.manual(
            "sel.into_permanent",
            format!(
                "SELECT ... INTO {} creates a permanent table at run time",
                into.0.join(".")
            ),
        )];
    }
    let name = into.last().to_string();
    let Some(table) = super::temp::create_from_select(cx, &name, s) else {
        return vec!["/* sluice: SELECT INTO not converted */".into()];
    };
    let mut q2 = q.clone();
    if let SetExpr::Select(sel) = &mut q2.body {
        sel.into = None;
    }
    let cols: Vec<String> = cx.temps[&name.to_lowercase()]
        .columns
        .iter()
        .map(|(c, _)| quote(c))
        .collect();
    let insert = match with_conn_item(&q2) {
        Some(q3) => format!("INSERT INTO {table} (`sluice_conn`, {}) {};", cols.join(", "), query(cx, &q3)),
        None => format!(
            "INSERT INTO {table} (`sluice_conn`, {}) SELECT CONNECTION_ID(), sluice_src.* FROM ({}) AS sluice_src;",
            cols.join(", "),
            query(cx, &q2)
        ),
    };
    let mut out = vec![
        format!("DELETE FROM {table} WHERE `sluice_conn` = CONNECTION_ID();"),
        insert,
    ];
    out.extend(rowcount_capture(cx, "ROW_COUNT()"));
    out
}

/// INSERT.
pub(crate) fn insert(
    cx: &mut Cx<'_>,
    target: &Name,
    columns: &[String],
    source: &InsertSource,
    output: bool,
) -> Vec<String> {
    if output {
        return vec![cx.manual("dml.output", "INSERT ... OUTPUT has no equivalent")];
    }
    if let InsertSource::Exec(_) = source {
        return vec![cx.manual(
            "ins.exec",
            "INSERT ... EXEC (a procedure's result set into a table)",
        )];
    }
    let n = target.last().to_lowercase();
    let temp = target.0.len() == 1 && cx.temps.contains_key(&n);
    if target.0.len() == 1
        && (target.last().starts_with('#') || target.last().starts_with('@'))
        && !temp
    {
        return vec![cx.manual(
            "temp.not_created_here",
            format!("{} is not created in this routine", target.last()),
        )];
    }
    let mut cols: Vec<String> = columns.to_vec();
    if cols.is_empty() && !matches!(source, InsertSource::Default) {
        // SQL Server skips identity and computed columns; MySQL needs them named.
        if temp {
            let t = &cx.temps[&n];
            cols = t
                .columns
                .iter()
                .filter(|(c, _)| t.identity.as_deref() != Some(c.as_str()))
                .map(|(c, _)| c.clone())
                .collect();
        } else {
            let Some(tc) = table_columns(cx, target) else {
                return vec![cx.manual(
                    "ins.columns",
                    format!(
                        "INSERT into {} without a column list and the table is unknown",
                        target.0.join(".")
                    ),
                )];
            };
            let schema = target.0.len().checked_sub(2).map(|i| target.0[i].clone());
            let info = cx
                .env
                .schema
                .table(schema.as_deref(), target.last())
                .cloned();
            cols = tc
                .iter()
                .filter(|(c, t)| {
                    t.is_some()
                        && !info
                            .as_ref()
                            .is_some_and(|i| i.identity.iter().any(|x| x.eq_ignore_ascii_case(c)))
                        && !t
                            .as_ref()
                            .is_some_and(|t| t.name == "rowversion" || t.name == "timestamp")
                })
                .map(|(c, _)| c.clone())
                .collect();
            cx.note(
                "ins.columns",
                "INSERT without a column list: columns listed (identity/computed skipped)",
            );
        }
    }
    let col_list = cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
    let ident = if temp {
        cx.temps[&n].identity.clone()
    } else {
        None
    };
    if let Some(id) = &ident {
        if cols.iter().any(|c| c.eq_ignore_ascii_case(id)) {
            return vec![cx.manual(
                "temp.identity",
                format!("explicit value for identity column {id}"),
            )];
        }
    }
    let (tbl, prefix_cols) = match (temp, &ident) {
        (true, Some(id)) => (
            cx.temps[&n].table.clone(),
            format!("`sluice_conn`, {}, {col_list}", quote(id)),
        ),
        (true, None) => (
            cx.temps[&n].table.clone(),
            format!("`sluice_conn`, {col_list}"),
        ),
        (false, _) => (table_name(cx, target), col_list.clone()),
    };
    let mut pre = Vec::new();
    if let Some(id) = &ident {
        // SQL Server numbers a new temp table's identity from its seed on every call.
        cx.internal_var("v_ident", "BIGINT", "0");
        pre.push(format!(
            "SET v_ident = (SELECT IFNULL(MAX({}), 0) FROM {tbl} WHERE `sluice_conn` = CONNECTION_ID());",
            quote(id)
        ));
    }
    let text = match source {
        InsertSource::Default => format!("INSERT INTO {tbl} () VALUES ();"),
        InsertSource::Values(rows) => {
            let rows: Vec<String> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut v: Vec<String> = r.iter().map(|e| expr(cx, e)).collect();
                    if ident.is_some() {
                        v.insert(0, format!("v_ident + {}", i + 1));
                    }
                    if temp {
                        v.insert(0, "CONNECTION_ID()".into());
                    }
                    format!("({})", v.join(", "))
                })
                .collect();
            format!(
                "INSERT INTO {tbl} ({prefix_cols}) VALUES {};",
                rows.join(", ")
            )
        }
        InsertSource::Query(q) if ident.is_some() => {
            if !q.order_by.is_empty() {
                return vec![cx.manual(
                    "temp.identity",
                    "INSERT ... SELECT ... ORDER BY into a temp table with an identity column",
                )];
            }
            let body = query(cx, q);
            format!("INSERT INTO {tbl} ({prefix_cols}) SELECT CONNECTION_ID(), v_ident + ROW_NUMBER() OVER (), sluice_src.* FROM ({body}) AS sluice_src;")
        }
        InsertSource::Query(q) => match (temp, with_conn_item(q)) {
            (true, Some(q2)) => format!("INSERT INTO {tbl} ({prefix_cols}) {};", query(cx, &q2)),
            (true, None) => {
                let body = query(cx, q);
                format!("INSERT INTO {tbl} ({prefix_cols}) SELECT CONNECTION_ID(), sluice_src.* FROM ({body}) AS sluice_src;")
            }
            (false, _) => format!("INSERT INTO {tbl} ({prefix_cols}) {};", query(cx, q)),
        },
        InsertSource::Exec(_) => unreachable!("handled above"),
    };
    let mut out = pre;
    out.push(text);
    out.extend(rowcount_capture(cx, "ROW_COUNT()"));
    out
}

/// Finds the FROM item the UPDATE/DELETE target names.
fn find_target<'a>(t: &'a TableRef, target: &str) -> Option<&'a TableRef> {
    match t {
        TableRef::Table { name, alias, .. } => {
            let hit = alias
                .as_deref()
                .is_some_and(|a| a.eq_ignore_ascii_case(target))
                || (alias.is_none() && name.last().eq_ignore_ascii_case(target))
                || name.last().eq_ignore_ascii_case(target);
            hit.then_some(t)
        }
        TableRef::Join { left, right, .. } => {
            find_target(left, target).or_else(|| find_target(right, target))
        }
        _ => None,
    }
}

/// Renders a FROM list where `target` is the written table (a temp's work
/// table itself, not its read-only derived view).
fn dml_from(
    cx: &mut Cx<'_>,
    from: &[TableRef],
    target_alias: &str,
    conn_preds: &mut Vec<String>,
) -> String {
    fn render(cx: &mut Cx<'_>, t: &TableRef, target_alias: &str, conn: &mut Vec<String>) -> String {
        match t {
            TableRef::Table { name, alias, .. } => {
                let a = alias.clone().unwrap_or_else(|| name.last().to_string());
                let n = name.last().to_lowercase();
                if a.eq_ignore_ascii_case(target_alias)
                    && name.0.len() == 1
                    && cx.temps.contains_key(&n)
                {
                    conn.push(format!("{}.`sluice_conn` = CONNECTION_ID()", quote(&a)));
                    return format!("{} AS {}", cx.temps[&n].table, quote(&a));
                }
                from_list(cx, std::slice::from_ref(t))
            }
            TableRef::Join {
                left,
                kind,
                right,
                on,
            } if kind != "FULL JOIN" && !kind.ends_with("APPLY") => {
                let l = render(cx, left, target_alias, conn);
                let r = render(cx, right, target_alias, conn);
                match on {
                    Some(c) => {
                        let c = expr(cx, c);
                        format!("{l} {kind} {r} ON {c}")
                    }
                    None => format!("{l} {kind} {r}"),
                }
            }
            other => from_list(cx, std::slice::from_ref(other)),
        }
    }
    from.iter()
        .map(|t| render(cx, t, target_alias, conn_preds))
        .collect::<Vec<_>>()
        .join(", ")
}

fn with_conn(where_: Option<String>, conn: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(w) = where_ {
        parts.push(format!("({w})"));
    }
    parts.extend(conn.iter().cloned());
    if parts.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", parts.join(" AND "))
    }
}

fn columns_in(e: &Expr, out: &mut Vec<String>) {
    let dbg = format!("{e:?}");
    // Column(["a", "b"]) → last part; cheap but sufficient for the order check.
    for chunk in dbg.split("Column([").skip(1) {
        if let Some(end) = chunk.find("])") {
            if let Some(last) = chunk[..end].rsplit(", ").next() {
                out.push(last.trim_matches('"').to_lowercase());
            }
        }
    }
}

/// UPDATE.
#[allow(clippy::too_many_arguments)]
pub(crate) fn update(
    cx: &mut Cx<'_>,
    top: &Option<Top>,
    target: &Name,
    sets: &[Assignment],
    from: &[TableRef],
    where_: &Option<Expr>,
    current_of: bool,
    output: bool,
    ctes: &[Cte],
) -> Vec<String> {
    if output {
        return vec![cx.manual("dml.output", "UPDATE ... OUTPUT has no equivalent")];
    }
    if current_of {
        return vec![cx.manual("cursor.current_of", "UPDATE ... WHERE CURRENT OF")];
    }
    if !ctes.is_empty() {
        return vec![cx.manual("upd.cte", "UPDATE of a CTE")];
    }
    if sets.iter().any(|s| s.is_var) {
        return vec![cx.manual("upd.var", "UPDATE ... SET @variable = ...")];
    }
    // SQL Server evaluates every SET against the old row; MySQL goes left to right.
    let mut assigned: Vec<String> = Vec::new();
    for s in sets {
        let mut used = Vec::new();
        columns_in(&s.value, &mut used);
        if let Some(c) = used.iter().find(|u| assigned.contains(u)) {
            return vec![cx.manual(
                "upd.set_order",
                format!("SET reads column {c} after assigning it (SQL Server reads the old value)"),
            )];
        }
        assigned.push(s.target.last().cloned().unwrap_or_default().to_lowercase());
    }
    let tname = target.last().to_string();
    let n = tname.to_lowercase();
    let mut conn = Vec::new();
    let mut scope = Vec::new();
    for t in from {
        scope_entries(cx, t, &mut scope);
    }
    let target_ref;
    let in_from = from.iter().find_map(|t| find_target(t, &tname)).cloned();
    let (head, alias) = if let (false, Some(t)) = (from.is_empty(), &in_from) {
        cx.scopes.push(scope);
        let alias = match t {
            TableRef::Table { name, alias, .. } => {
                alias.clone().unwrap_or_else(|| name.last().to_string())
            }
            _ => tname.clone(),
        };
        (dml_from(cx, from, &alias, &mut conn), Some(alias))
    } else {
        target_ref = TableRef::Table {
            name: target.clone(),
            alias: None,
            hints: Vec::new(),
        };
        scope_entries(cx, &target_ref, &mut scope);
        cx.scopes.push(scope);
        let head = if target.0.len() == 1 && cx.temps.contains_key(&n) {
            conn.push(format!("{}.`sluice_conn` = CONNECTION_ID()", quote(&tname)));
            format!("{} AS {}", cx.temps[&n].table, quote(&tname))
        } else if target.0.len() == 1 && (tname.starts_with('#') || tname.starts_with('@')) {
            cx.scopes.pop();
            return vec![cx.manual(
                "temp.not_created_here",
                format!("{tname} is not created in this routine"),
            )];
        } else {
            table_name(cx, target)
        };
        let rest = if from.is_empty() {
            String::new()
        } else {
            format!(", {}", dml_from(cx, from, "", &mut conn))
        };
        (
            format!("{head}{rest}"),
            if from.is_empty() {
                None
            } else {
                Some(head_alias(target))
            },
        )
    };
    let set_list: Vec<String> = sets
        .iter()
        .map(|s| {
            let col = s.target.last().cloned().unwrap_or_default();
            let lhs = match &alias {
                Some(a) => format!("{}.{}", quote(a), quote(&col)),
                None => quote(&col),
            };
            let rhs = if s.op == "=" {
                expr(cx, &s.value)
            } else {
                let op = &s.op[..s.op.len() - 1];
                let e = Expr::Binary(
                    Box::new(Expr::Column(s.target.clone())),
                    op.into(),
                    Box::new(s.value.clone()),
                );
                expr(cx, &e)
            };
            format!("{lhs} = {rhs}")
        })
        .collect();
    let w = where_.as_ref().map(|w| expr(cx, w));
    cx.scopes.pop();
    let mut text = format!(
        "UPDATE {head} SET {}{}",
        set_list.join(", "),
        with_conn(w, &conn)
    );
    if let Some(t) = top {
        if !from.is_empty() {
            return vec![cx.manual("upd.top", "UPDATE TOP with FROM/joins")];
        }
        let l = match &t.count {
            Expr::Number(n) => n.clone(),
            other => expr(cx, other),
        };
        cx.note(
            "upd.top",
            "UPDATE TOP (n) → LIMIT n (which rows: unspecified in both)",
        );
        text.push_str(&format!(" LIMIT {l}"));
    }
    if !from.is_empty() {
        cx.note("upd.from", "UPDATE ... FROM/JOIN → multi-table UPDATE");
    }
    let mut out = vec![format!("{text};")];
    out.extend(rowcount_capture(cx, "ROW_COUNT()"));
    out
}

fn head_alias(target: &Name) -> String {
    target.last().to_string()
}

/// DELETE.
#[allow(clippy::too_many_arguments)]
pub(crate) fn delete(
    cx: &mut Cx<'_>,
    top: &Option<Top>,
    target: &Name,
    from: &[TableRef],
    where_: &Option<Expr>,
    current_of: bool,
    output: bool,
) -> Vec<String> {
    if output {
        return vec![cx.manual("dml.output", "DELETE ... OUTPUT has no equivalent")];
    }
    if current_of {
        return vec![cx.manual("cursor.current_of", "DELETE ... WHERE CURRENT OF")];
    }
    let tname = target.last().to_string();
    let n = tname.to_lowercase();
    let mut conn = Vec::new();
    let mut scope = Vec::new();
    for t in from {
        scope_entries(cx, t, &mut scope);
    }
    let text = if from.is_empty() {
        scope_entries(
            cx,
            &TableRef::Table {
                name: target.clone(),
                alias: None,
                hints: Vec::new(),
            },
            &mut scope,
        );
        cx.scopes.push(scope);
        let tbl = if target.0.len() == 1 && cx.temps.contains_key(&n) {
            conn.push("`sluice_conn` = CONNECTION_ID()".to_string());
            cx.temps[&n].table.clone()
        } else if target.0.len() == 1 && (tname.starts_with('#') || tname.starts_with('@')) {
            cx.scopes.pop();
            return vec![cx.manual(
                "temp.not_created_here",
                format!("{tname} is not created in this routine"),
            )];
        } else {
            table_name(cx, target)
        };
        let w = where_.as_ref().map(|w| expr(cx, w));
        format!("DELETE FROM {tbl}{}", with_conn(w, &conn))
    } else {
        cx.scopes.push(scope);
        let in_from = from.iter().find_map(|t| find_target(t, &tname)).cloned();
        let alias = match &in_from {
            Some(TableRef::Table { name, alias, .. }) => {
                alias.clone().unwrap_or_else(|| name.last().to_string())
            }
            _ => {
                cx.scopes.pop();
                return vec![cx.manual(
                    "del.from",
                    format!("DELETE {tname} whose table is not in its FROM"),
                )];
            }
        };
        let f = dml_from(cx, from, &alias, &mut conn);
        let w = where_.as_ref().map(|w| expr(cx, w));
        cx.note("del.from", "DELETE ... FROM/JOIN → multi-table DELETE");
        format!("DELETE {} FROM {f}{}", quote(&alias), with_conn(w, &conn))
    };
    cx.scopes.pop();
    let mut text = text;
    if let Some(t) = top {
        if !from.is_empty() {
            return vec![cx.manual("del.top", "DELETE TOP with FROM/joins")];
        }
        let l = match &t.count {
            Expr::Number(n) => n.clone(),
            other => expr(cx, other),
        };
        cx.note("upd.top", "DELETE TOP (n) → LIMIT n");
        text.push_str(&format!(" LIMIT {l}"));
    }
    let mut out = vec![format!("{text};")];
    out.extend(rowcount_capture(cx, "ROW_COUNT()"));
    out
}

/// TRUNCATE TABLE.
pub(crate) fn truncate(cx: &mut Cx<'_>, target: &Name) -> Vec<String> {
    let n = target.last().to_lowercase();
    if target.0.len() == 1 && cx.temps.contains_key(&n) {
        return vec![format!(
            "DELETE FROM {} WHERE `sluice_conn` = CONNECTION_ID();",
            cx.temps[&n].table
        )];
    }
    // TRUNCATE is DDL on the target: it would commit the open transaction.
    cx.note(
        "dml.truncate",
        "TRUNCATE TABLE → DELETE FROM (keeps the transaction; the identity is not reset)",
    );
    vec![format!("DELETE FROM {};", table_name(cx, target))]
}

#[allow(dead_code)]
fn unused(cx: &mut Cx<'_>, s: &Select) -> String {
    select(cx, s, true)
}
