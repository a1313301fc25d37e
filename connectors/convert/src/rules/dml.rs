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
    let mut out = Vec::new();
    if let Some(off) = q.offset.as_ref().filter(|e| !matches!(e, Expr::Number(_))) {
        // SQL Server rejects a negative OFFSET (error 10742); LIMIT with a
        // negative offset returns nothing without an error.
        let o = expr(cx, off);
        out.push(format!(
            "IF {o} < 0 THEN SIGNAL SQLSTATE '22003' SET MESSAGE_TEXT = 'The offset specified in a OFFSET clause may not be negative.', MYSQL_ERRNO = 10742; END IF;"
        ));
    }
    out.push(format!("{};", query(cx, q)));
    out.extend(rowcount_capture(cx, "FOUND_ROWS()"));
    out
}

fn refs_var(e: &Expr, v: &str) -> bool {
    let s = format!("{e:?}").to_lowercase();
    s.contains(&format!("var(\"{}\")", v.to_lowercase()))
}

/// `e` with the leftmost operand `@v` of its `+` chain removed.
fn strip_leading_var(e: &Expr, v: &str) -> Option<Expr> {
    match e {
        Expr::Binary(l, op, r) if op == "+" => {
            if matches!(&**l, Expr::Var(x) if x.eq_ignore_ascii_case(v)) {
                return Some((**r).clone());
            }
            strip_leading_var(l, v).map(|l2| Expr::Binary(Box::new(l2), op.clone(), r.clone()))
        }
        _ => None,
    }
}

/// `SELECT @s = @s + expr FROM ... [ORDER BY ...]` (or `@s += expr`) on a
/// string variable: row-by-row concatenation → one GROUP_CONCAT, with
/// SQL Server's results: no rows leave `@s` unchanged, a NULL `expr` on any
/// row (or a NULL `@s`) gives NULL, the variable's length truncates.
/// `None`: not this pattern (the caller flags it).
fn accumulate(
    cx: &mut Cx<'_>,
    q: &Query,
    s: &Select,
    v: &str,
    op: &str,
    e: &Expr,
) -> Option<Vec<String>> {
    if s.from.is_empty()
        || s.top.is_some()
        || s.distinct
        || !s.group_by.is_empty()
        || s.having.is_some()
    {
        return None;
    }
    if !q.ctes.is_empty() || q.offset.is_some() {
        return None;
    }
    if cx.var_family(v) != crate::types::Family::Str {
        return None;
    }
    let piece = match op {
        "+=" => e.clone(),
        "=" => strip_leading_var(e, v)?,
        _ => return None,
    };
    if refs_var(&piece, v) {
        return None;
    }
    // The piece must itself be a string (else `+` would be addition).
    let mut scope = Vec::new();
    for t in &s.from {
        scope_entries(cx, t, &mut scope);
    }
    cx.scopes.push(scope);
    let fam = super::expr::family_of(cx, &piece);
    if fam != crate::types::Family::Str {
        cx.scopes.pop();
        return None;
    }
    let from = from_list(cx, &s.from);
    let p = expr(cx, &piece);
    let where_etc = tail(cx, s);
    let order = if q.order_by.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", order_list(cx, &q.order_by))
    };
    cx.scopes.pop();
    let target = cx.var(v);
    let len = cx
        .var_type(v)
        .and_then(|t| t.args.first().copied())
        .flatten();
    let concat = format!("CONCAT({target}, GROUP_CONCAT({p}{order} SEPARATOR ''))");
    let concat = match len {
        Some(n) => format!("LEFT({concat}, {n})"),
        None => concat,
    };
    if q.order_by.is_empty() {
        cx.note(
            "sel.assign_concat",
            format!("@{v} = @{v} + ... over rows → GROUP_CONCAT (no ORDER BY: row order unspecified in both)"),
        );
    } else {
        cx.note(
            "sel.assign_concat",
            format!("@{v} = @{v} + ... over rows → GROUP_CONCAT in the ORDER BY order"),
        );
    }
    let mut out = vec![
        "SET SESSION group_concat_max_len = GREATEST(@@SESSION.group_concat_max_len, 16777216);".to_string(),
        format!(
            "SET {target} = (SELECT CASE WHEN COUNT(*) = 0 THEN {target} WHEN COUNT(*) > COUNT({p}) THEN NULL ELSE {concat} END FROM {from}{where_etc});"
        ),
    ];
    if cx.uses_rowcount {
        out.push(format!(
            "SET v_rowcount = (SELECT COUNT(*) FROM {from}{where_etc});"
        ));
    }
    Some(out)
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
    if let [SelectItem::Assign(v, op, e)] = &s.items[..] {
        if !cx.sql_vars.contains_key(&v.to_lowercase()) {
            if let Some(out) = accumulate(cx, q, s, v, op, e) {
                return out;
            }
        }
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
    output: Option<&OutputClause>,
) -> Vec<String> {
    if let Some(o) = output {
        return insert_output(cx, target, columns, source, o);
    }
    if let InsertSource::Exec(call) = source {
        return insert_exec(cx, target, call);
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

/// `INSERT INTO t EXEC p ...`: when `p` is a converted procedure that sends
/// no result set, nothing is inserted and the call keeps its other effects.
fn insert_exec(cx: &mut Cx<'_>, target: &Name, call: &Stmt) -> Vec<String> {
    let StmtKind::Exec {
        ret,
        proc_name,
        args,
    } = &call.kind
    else {
        return vec![cx.manual(
            "ins.exec",
            "INSERT ... EXEC of dynamic SQL (its result set into a table)",
        )];
    };
    let p = &proc_name.0;
    let key = match p.len() {
        1 => format!("dbo.{}", p[0]),
        2 => format!("{}.{}", if p[0].is_empty() { "dbo" } else { &p[0] }, p[1]),
        _ => String::new(),
    }
    .to_lowercase();
    if let Some(cap) = cx
        .env
        .captures
        .get(&super::capture::site_key(
            &cx.routine_name,
            target,
            proc_name,
        ))
        .cloned()
    {
        if cx.uses_rowcount {
            return vec![cx.manual(
                "ins.exec",
                "@@ROWCOUNT in a routine with INSERT ... EXEC (the rows a CALL inserted are not counted)",
            )];
        }
        cx.note(
            "ins.exec_capture",
            format!(
                "INSERT ... EXEC {}: CALL a copy of it whose result-set SELECTs insert into {} (deployed with this routine)",
                p.join("."),
                target.0.join(".")
            ),
        );
        return super::exec::call(cx, ret.as_deref(), &cap.routine.name, args);
    }
    match cx.env.procs.get(&key).map(|s| s.result_sets) {
        Some(false) => {
            cx.note(
                "ins.exec_no_rows",
                format!("INSERT ... EXEC {key}: the procedure sends no result set, so nothing is inserted → CALL"),
            );
            let mut out = super::exec::call(cx, ret.as_deref(), proc_name, args);
            out.extend(rowcount_capture(cx, "0"));
            out
        }
        Some(true) => {
            let why = if target.last().starts_with('@') {
                "into a table variable, which a copy of the procedure inserting its rows cannot see"
            } else if target.last().starts_with('#') {
                "into a #temp table this routine does not create (or several routines create)"
            } else {
                "the procedure may send rows by EXEC, dynamic SQL, FETCH or OUTPUT, which a copy cannot redirect"
            };
            vec![cx.manual(
                "ins.exec",
                format!(
                    "INSERT ... EXEC {}: its result sets into {}: {why} (the target cannot capture a procedure's result set)",
                    p.join("."),
                    target.0.join(".")
                ),
            )]
        }
        None => vec![cx.manual(
            "ins.exec",
            format!(
                "INSERT ... EXEC {} (a procedure that is not among the converted ones)",
                p.join(".")
            ),
        )],
    }
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

/// Orders SET assignments so that one reading column `c` runs before the
/// assignment of `c` (the target assigns left to right and later ones read
/// the new value; SQL Server reads the old row throughout). `Ok(None)`: the
/// written order is already safe; `Err(c)`: a cycle through column `c`.
pub(crate) fn reorder_sets(sets: &[Assignment]) -> Result<Option<Vec<Assignment>>, String> {
    let assigned: Vec<String> = sets
        .iter()
        .map(|s| s.target.last().cloned().unwrap_or_default().to_lowercase())
        .collect();
    let reads: Vec<Vec<String>> = sets
        .iter()
        .map(|s| {
            let mut used = Vec::new();
            columns_in(&s.value, &mut used);
            used
        })
        .collect();
    // j must precede i when j reads what i assigns.
    let must_precede = |j: usize, i: usize| i != j && reads[j].contains(&assigned[i]);
    let n = sets.len();
    if (0..n).all(|i| (i + 1..n).all(|j| !must_precede(j, i))) {
        return Ok(None);
    }
    let mut done = vec![false; n];
    let mut order = Vec::new();
    while order.len() < n {
        let next = (0..n).find(|&i| !done[i] && (0..n).all(|j| done[j] || !must_precede(j, i)));
        match next {
            Some(i) => {
                done[i] = true;
                order.push(sets[i].clone());
            }
            None => {
                let c = (0..n)
                    .find(|&i| !done[i])
                    .map(|i| assigned[i].clone())
                    .unwrap_or_default();
                return Err(c);
            }
        }
    }
    Ok(Some(order))
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
    let reordered;
    let sets = match reorder_sets(sets) {
        Ok(None) => sets,
        Ok(Some(r)) => {
            reordered = r;
            cx.note(
                "upd.set_reorder",
                "SET list reordered so every assignment reading a column runs before that column is assigned (SQL Server reads old values, the target assigns left to right)",
            );
            &reordered[..]
        }
        Err(c) => {
            return vec![cx.manual(
                "upd.set_order",
                format!("SET assignments read each other's columns in a cycle (column {c}): SQL Server reads the old values, the target the new ones"),
            )];
        }
    };
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
    output: Option<&OutputClause>,
) -> Vec<String> {
    if let Some(o) = output {
        return delete_output(cx, top, target, from, where_, current_of, o);
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

/// `e` with `pseudo.col` (`inserted`/`deleted`) made a plain `col` and
/// `pseudo.*` a plain `*`; `None` when `e` reads the other pseudo table or
/// holds a subquery.
fn unpseudo(e: &Expr, pseudo: &str) -> Option<Expr> {
    let other = if pseudo == "inserted" {
        "deleted"
    } else {
        "inserted"
    };
    let r = |x: &Expr| unpseudo(x, pseudo).map(Box::new);
    Some(match e {
        Expr::Column(p) if p.len() == 2 && p[0].eq_ignore_ascii_case(pseudo) => {
            Expr::Column(vec![p[1].clone()])
        }
        Expr::Column(p) if p.len() == 2 && p[0].eq_ignore_ascii_case(other) => return None,
        Expr::Star(Some(q)) if q.len() == 1 && q[0].eq_ignore_ascii_case(pseudo) => {
            Expr::Star(None)
        }
        Expr::Star(Some(_)) => return None,
        Expr::Func(f) => {
            let mut f2 = (**f).clone();
            f2.args = f
                .args
                .iter()
                .map(|a| unpseudo(a, pseudo))
                .collect::<Option<Vec<_>>>()?;
            if f.over.is_some() || !f.within_group.is_empty() {
                return None;
            }
            Expr::Func(Box::new(f2))
        }
        Expr::Binary(l, op, rr) => Expr::Binary(r(l)?, op.clone(), r(rr)?),
        Expr::Unary(op, x) => Expr::Unary(op.clone(), r(x)?),
        Expr::Paren(x) => Expr::Paren(r(x)?),
        Expr::IsNull(x, n) => Expr::IsNull(r(x)?, *n),
        Expr::Cast {
            expr,
            ty,
            style,
            try_,
        } => Expr::Cast {
            expr: r(expr)?,
            ty: ty.clone(),
            style: match style {
                Some(s) => Some(r(s)?),
                None => None,
            },
            try_: *try_,
        },
        Expr::Case {
            operand,
            whens,
            else_,
        } => Expr::Case {
            operand: match operand {
                Some(o) => Some(r(o)?),
                None => None,
            },
            whens: whens
                .iter()
                .map(|(a, b)| Some((unpseudo(a, pseudo)?, unpseudo(b, pseudo)?)))
                .collect::<Option<Vec<_>>>()?,
            else_: match else_ {
                Some(x) => Some(r(x)?),
                None => None,
            },
        },
        Expr::Subquery(_) | Expr::Exists(_) | Expr::InQuery(..) => return None,
        Expr::InList(x, l, n) => Expr::InList(
            r(x)?,
            l.iter()
                .map(|a| unpseudo(a, pseudo))
                .collect::<Option<Vec<_>>>()?,
            *n,
        ),
        Expr::Between(a, b, c, n) => Expr::Between(r(a)?, r(b)?, r(c)?, *n),
        Expr::Like(a, b, n, esc) => Expr::Like(
            r(a)?,
            r(b)?,
            *n,
            match esc {
                Some(x) => Some(r(x)?),
                None => None,
            },
        ),
        other => other.clone(),
    })
}

/// The OUTPUT list read from `table` (filtered by `where_`), as a query.
fn output_query(
    o: &OutputClause,
    pseudo: &str,
    table: &Name,
    where_: Option<Expr>,
) -> Option<Query> {
    let items = o
        .items
        .iter()
        .map(|(e, a)| Some(SelectItem::Expr(unpseudo(e, pseudo)?, a.clone())))
        .collect::<Option<Vec<_>>>()?;
    Some(Query {
        ctes: Vec::new(),
        body: SetExpr::Select(Box::new(Select {
            distinct: false,
            top: None,
            items,
            into: None,
            from: vec![TableRef::Table {
                name: table.clone(),
                alias: None,
                hints: Vec::new(),
            }],
            where_,
            group_by: Vec::new(),
            having: None,
            pos: Pos::default(),
        })),
        order_by: Vec::new(),
        offset: None,
        fetch: None,
    })
}

/// The statements that deliver an OUTPUT query: a result set, or rows
/// inserted into the INTO table; they leave `@@ROWCOUNT` alone.
fn deliver_output(cx: &mut Cx<'_>, o: &OutputClause, q: Query) -> Vec<String> {
    let saved = cx.uses_rowcount;
    cx.uses_rowcount = false;
    let out = match &o.into {
        None => select_stmt(cx, &q),
        Some((into, cols)) => insert(cx, into, cols, &InsertSource::Query(Box::new(q)), None),
    };
    cx.uses_rowcount = saved;
    out
}

/// `DELETE FROM t OUTPUT deleted.c, ... [INTO x] WHERE cond`: the rows to be
/// deleted are read (to the client or into `x`) by the same condition, then
/// deleted.
fn delete_output(
    cx: &mut Cx<'_>,
    top: &Option<Top>,
    target: &Name,
    from: &[TableRef],
    where_: &Option<Expr>,
    current_of: bool,
    o: &OutputClause,
) -> Vec<String> {
    let temp =
        target.0.len() == 1 && (target.last().starts_with('#') || target.last().starts_with('@'));
    if top.is_some() || !from.is_empty() || current_of || temp || cx.kind == RoutineKind::Trigger {
        return vec![cx.manual(
            "dml.output",
            "DELETE ... OUTPUT with TOP, FROM/joins, CURRENT OF, on a temp table or in a trigger",
        )];
    }
    let Some(q) = output_query(o, "deleted", target, where_.clone()) else {
        return vec![cx.manual(
            "dml.output",
            "DELETE ... OUTPUT reading inserted.*, a subquery or a window function",
        )];
    };
    cx.note(
        "dml.output_delete",
        "DELETE ... OUTPUT deleted.* → SELECT of the rows by the same WHERE, then the DELETE",
    );
    let mut out = deliver_output(cx, o, q);
    out.extend(delete(cx, top, target, from, where_, current_of, None));
    out
}

/// `INSERT INTO t (...) OUTPUT inserted.c, ... [INTO x] VALUES (one row)`
/// on a table with an identity column: the row is read back by
/// `LAST_INSERT_ID()` after the insert.
fn insert_output(
    cx: &mut Cx<'_>,
    target: &Name,
    columns: &[String],
    source: &InsertSource,
    o: &OutputClause,
) -> Vec<String> {
    let schema = target.0.len().checked_sub(2).map(|i| target.0[i].clone());
    let identity = if target.0.len() == 1
        && (target.last().starts_with('#') || target.last().starts_with('@'))
    {
        None
    } else {
        cx.env
            .schema
            .table(schema.as_deref(), target.last())
            .and_then(|t| t.identity.first().cloned())
    };
    let one_row = matches!(source, InsertSource::Values(rows) if rows.len() == 1)
        || matches!(source, InsertSource::Default);
    let (Some(id), true) = (identity, one_row) else {
        return vec![cx.manual(
            "dml.output",
            "INSERT ... OUTPUT of several rows or into a table without an identity column (the inserted rows cannot be found again)",
        )];
    };
    if columns.iter().any(|c| c.eq_ignore_ascii_case(&id)) || cx.kind == RoutineKind::Trigger {
        return vec![cx.manual(
            "dml.output",
            "INSERT ... OUTPUT with an explicit identity value or in a trigger",
        )];
    }
    let key = Expr::Binary(
        Box::new(Expr::Column(vec![id.clone()])),
        "=".into(),
        Box::new(Expr::Func(Box::new(FuncCall {
            name: vec!["SCOPE_IDENTITY".into()],
            args: Vec::new(),
            distinct: false,
            over: None,
            within_group: Vec::new(),
        }))),
    );
    let Some(q) = output_query(o, "inserted", target, Some(key)) else {
        return vec![cx.manual(
            "dml.output",
            "INSERT ... OUTPUT reading deleted.*, a subquery or a window function",
        )];
    };
    cx.note(
        "dml.output_insert",
        "INSERT (one row) ... OUTPUT inserted.* → the INSERT, then the row read back by its identity (LAST_INSERT_ID())",
    );
    let mut out = insert(cx, target, columns, source, None);
    out.extend(deliver_output(cx, o, q));
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
