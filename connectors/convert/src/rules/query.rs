//! Queries: TOP/OFFSET → LIMIT, table names → target databases, hints,
//! joins, CTEs (RECURSIVE when self-referencing), temp tables and trigger
//! pseudo tables as derived tables.

use super::expr::expr;
use super::{quote, Cx, ScopeEntry};
use crate::ast::*;

/// The columns a FROM item exposes, for type lookups.
pub(crate) fn scope_entries(cx: &Cx<'_>, t: &TableRef, out: &mut Vec<ScopeEntry>) {
    match t {
        TableRef::Table { name, alias, .. } => {
            let alias = alias.clone().unwrap_or_else(|| name.last().to_string());
            let columns = table_columns(cx, name).unwrap_or_default();
            let pseudo = pseudo_row(cx, name);
            out.push(ScopeEntry {
                alias,
                columns,
                pseudo,
            });
        }
        TableRef::Derived {
            query,
            alias,
            columns,
        } => {
            let cols = query_columns(cx, query, columns);
            out.push(ScopeEntry {
                alias: alias.clone(),
                columns: cols,
                pseudo: None,
            });
        }
        TableRef::Values { alias, columns, .. } => out.push(ScopeEntry {
            alias: alias.clone(),
            columns: columns.iter().map(|c| (c.clone(), None)).collect(),
            pseudo: None,
        }),
        TableRef::Join { left, right, .. } => {
            scope_entries(cx, left, out);
            scope_entries(cx, right, out);
        }
        TableRef::Function { call, alias } => {
            let columns = super::tvf::columns(cx, call);
            if !columns.is_empty() {
                out.push(ScopeEntry {
                    alias: alias
                        .clone()
                        .unwrap_or_else(|| call.name.last().cloned().unwrap_or_default()),
                    columns,
                    pseudo: None,
                });
            }
        }
        TableRef::Pivot { .. } | TableRef::Unpivot { .. } => {
            if let Ok(TableRef::Derived {
                query,
                alias,
                columns,
            }) = pivot_as_derived(cx, t)
            {
                let cols = query_columns(cx, &query, &columns);
                out.push(ScopeEntry {
                    alias,
                    columns: cols,
                    pseudo: None,
                });
            }
        }
        TableRef::Unsupported(_) => {}
    }
}

/// The columns a query produces (names from aliases or column names, types
/// where the first SELECT tells), for derived tables and CTEs.
pub(crate) fn query_columns(
    cx: &Cx<'_>,
    q: &Query,
    explicit: &[String],
) -> Vec<(String, Option<DataType>)> {
    let mut first = &q.body;
    while let SetExpr::SetOp(l, _, _) = first {
        first = l;
    }
    let mut cols: Vec<(String, Option<DataType>)> = Vec::new();
    if let SetExpr::Select(s) = first {
        let mut inner = Vec::new();
        for f in &s.from {
            scope_entries(cx, f, &mut inner);
        }
        for (i, it) in s.items.iter().enumerate() {
            if let SelectItem::Expr(e, a) = it {
                let ty = match e {
                    Expr::Column(p) => inner.iter().find_map(|en| {
                        let qual_ok = p.len() < 2 || en.alias.eq_ignore_ascii_case(&p[p.len() - 2]);
                        if !qual_ok {
                            return None;
                        }
                        en.columns
                            .iter()
                            .find(|(c, _)| c.eq_ignore_ascii_case(p.last().unwrap()))
                            .and_then(|(_, t)| t.clone())
                    }),
                    Expr::Cast { ty, .. } => Some(ty.clone()),
                    Expr::Str(_) => Some(DataType {
                        schema: None,
                        name: "varchar".into(),
                        args: vec![Some(1)],
                    }),
                    Expr::Number(n) if !n.contains(['.', 'e', 'E']) => Some(DataType {
                        schema: None,
                        name: "int".into(),
                        args: Vec::new(),
                    }),
                    _ => None,
                };
                let name = explicit
                    .get(i)
                    .cloned()
                    .or_else(|| a.clone())
                    .or_else(|| match e {
                        Expr::Column(p) => p.last().cloned(),
                        _ => None,
                    });
                if let Some(n) = name {
                    cols.push((n, ty));
                }
            }
        }
    }
    cols
}

/// For a trigger's `inserted`/`deleted`: which row (`NEW`/`OLD`) it is for
/// this event, or `Some(None)` when it is empty; `None` for other tables.
pub(crate) fn pseudo_row(cx: &Cx<'_>, name: &Name) -> Option<Option<&'static str>> {
    if cx.kind != RoutineKind::Trigger || name.0.len() != 1 {
        return None;
    }
    let which = name.last().to_lowercase();
    let event = cx.trigger_event.as_deref().unwrap_or("");
    match (which.as_str(), event) {
        ("inserted", "INSERT" | "UPDATE") => Some(Some("NEW")),
        ("deleted", "DELETE" | "UPDATE") => Some(Some("OLD")),
        ("inserted", _) | ("deleted", _) => Some(None),
        _ => None,
    }
}

/// Columns of a named table: temp tables, trigger pseudo tables, source tables.
pub(crate) fn table_columns(cx: &Cx<'_>, name: &Name) -> Option<Vec<(String, Option<DataType>)>> {
    if name.0.len() == 1 {
        let n = name.last().to_lowercase();
        if let Some(c) = cx.cte_cols.get(&n) {
            return Some(c.clone());
        }
        if let Some(t) = cx.temps.get(&n) {
            return Some(t.columns.clone());
        }
        if (n == "inserted" || n == "deleted") && cx.trigger_table.is_some() {
            return cx.trigger_table.as_ref().map(|t| t.columns.clone());
        }
    }
    let (schema, table) = match name.0.len() {
        1 => (None, name.0[0].as_str()),
        2 => (Some(name.0[0].as_str()), name.0[1].as_str()),
        3 => (Some(name.0[1].as_str()), name.0[2].as_str()),
        _ => return None,
    };
    cx.env
        .schema
        .table(schema, table)
        .map(|t| t.columns.clone())
}

/// The target text of a table name (not a temp or pseudo table).
pub(crate) fn table_name(cx: &mut Cx<'_>, name: &Name) -> String {
    let p = &name.0;
    match p.len() {
        1 => {
            if cx.ctes.iter().any(|c| c.eq_ignore_ascii_case(&p[0])) {
                return quote(&p[0]);
            }
            let canon = cx
                .env
                .schema
                .table(None, &p[0])
                .map(|t| t.name.clone())
                .unwrap_or_else(|| p[0].clone());
            unknown_check(cx, None, &p[0]);
            cx.env.qualified(None, &canon)
        }
        2 => {
            let canon = cx
                .env
                .schema
                .table(Some(&p[0]), &p[1])
                .map(|t| t.name.clone())
                .unwrap_or_else(|| p[1].clone());
            unknown_check(cx, Some(&p[0]), &p[1]);
            cx.env.qualified(Some(&p[0]), &canon)
        }
        3 => {
            let local = cx
                .env
                .source_database
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(&p[0]));
            if local {
                return table_name(cx, &Name(p[1..].to_vec()));
            }
            cx.note(
                "name.cross_db",
                format!(
                    "{} is in database {}: it must be migrated as database {}",
                    p.join("."),
                    p[0],
                    cross_db(&p[0], &p[1])
                ),
            );
            format!("{}.{}", quote(&cross_db(&p[0], &p[1])), quote(&p[2]))
        }
        _ => cx.manual(
            "name.linked_server",
            format!("linked-server name {}", p.join(".")),
        ),
    }
}

fn cross_db(db: &str, schema: &str) -> String {
    if schema.is_empty() || schema.eq_ignore_ascii_case("dbo") {
        db.to_string()
    } else {
        format!("{db}_{schema}")
    }
}

fn unknown_check(cx: &mut Cx<'_>, schema: Option<&str>, name: &str) {
    let key = format!("{}.{}", schema.unwrap_or("dbo"), name).to_lowercase();
    if cx.env.schema.table(schema, name).is_none() && !cx.env.views.contains(&key) {
        cx.note(
            "name.unknown_table",
            format!(
                "{} is not a known table or view; it must exist on the target",
                key
            ),
        );
    }
}

/// ORDER BY items.
pub(crate) fn order_list(cx: &mut Cx<'_>, items: &[OrderItem]) -> String {
    items
        .iter()
        .map(|o| format!("{}{}", expr(cx, &o.expr), if o.desc { " DESC" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

fn references(q: &Query, name: &str) -> bool {
    fn in_ref(t: &TableRef, name: &str) -> bool {
        match t {
            TableRef::Table { name: n, .. } => {
                n.0.len() == 1 && n.last().eq_ignore_ascii_case(name)
            }
            TableRef::Derived { query, .. } => references(query, name),
            TableRef::Join { left, right, .. } => in_ref(left, name) || in_ref(right, name),
            _ => false,
        }
    }
    fn in_set(s: &SetExpr, name: &str) -> bool {
        match s {
            SetExpr::Select(s) => s.from.iter().any(|t| in_ref(t, name)),
            SetExpr::SetOp(l, _, r) => in_set(l, name) || in_set(r, name),
            SetExpr::Nested(q) => references(q, name),
        }
    }
    in_set(&q.body, name)
}

/// A full query.
pub(crate) fn query(cx: &mut Cx<'_>, q: &Query) -> String {
    let saved = cx.ctes.len();
    let mut out = String::new();
    if !q.ctes.is_empty() {
        let recursive = q.ctes.iter().any(|c| references(&c.query, &c.name));
        if recursive {
            cx.note("cte.recursive", "recursive CTE → WITH RECURSIVE");
        }
        out.push_str(if recursive {
            "WITH RECURSIVE "
        } else {
            "WITH "
        });
        let mut parts = Vec::new();
        for c in &q.ctes {
            cx.ctes.push(c.name.clone());
            let cols = query_columns(cx, &c.query, &c.columns);
            cx.cte_cols.insert(c.name.to_lowercase(), cols);
            let cols = if c.columns.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    c.columns
                        .iter()
                        .map(|c| quote(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let body = query(cx, &c.query);
            parts.push(format!("{}{cols} AS ({body})", quote(&c.name)));
        }
        out.push_str(&parts.join(", "));
        out.push(' ');
    }
    // A single SELECT's TOP becomes the query's LIMIT.
    let mut limit = None;
    match &q.body {
        SetExpr::Select(s) => {
            if let Some(t) = &s.top {
                limit = Some(top_limit(cx, t));
            }
            out.push_str(&select(cx, s, true));
        }
        other => out.push_str(&set_expr(cx, other)),
    }
    if !q.order_by.is_empty() {
        out.push_str(" ORDER BY ");
        out.push_str(&order_list(cx, &q.order_by));
    }
    if let Some(off) = &q.offset {
        cx.note("sel.offset_fetch", "OFFSET/FETCH → LIMIT offset, count");
        let o = expr(cx, off);
        let n = match &q.fetch {
            Some(f) => expr(cx, f),
            None => "18446744073709551615".into(),
        };
        out.push_str(&format!(" LIMIT {o}, {n}"));
    } else if let Some(l) = limit {
        out.push_str(&format!(" LIMIT {l}"));
    }
    cx.ctes.truncate(saved);
    out
}

fn top_limit(cx: &mut Cx<'_>, t: &Top) -> String {
    if t.percent {
        return cx.manual("sel.top_percent", "TOP ... PERCENT has no LIMIT equivalent");
    }
    if t.with_ties {
        return cx.manual("sel.with_ties", "TOP ... WITH TIES has no LIMIT equivalent");
    }
    cx.note("sel.top", "TOP (n) → LIMIT n");
    match &t.count {
        Expr::Number(n) => n.clone(),
        Expr::Var(_) => expr(cx, &t.count),
        Expr::Paren(inner) if matches!(**inner, Expr::Number(_) | Expr::Var(_)) => expr(cx, inner),
        _ => cx.manual(
            "sel.top",
            "TOP with an expression: LIMIT takes only a number or a variable",
        ),
    }
}

fn set_expr(cx: &mut Cx<'_>, s: &SetExpr) -> String {
    match s {
        SetExpr::Select(sel) => {
            if let Some(t) = &sel.top {
                let l = top_limit(cx, t);
                return format!("({} LIMIT {l})", select(cx, sel, true));
            }
            select(cx, sel, true)
        }
        SetExpr::SetOp(l, op, r) => {
            if op != "UNION" && op != "UNION ALL" {
                cx.note(
                    "sel.except_intersect",
                    format!("{op} needs OceanBase 4.x (MySQL 8.0.31 syntax)"),
                );
            }
            format!("{} {op} {}", set_expr(cx, l), set_expr(cx, r))
        }
        SetExpr::Nested(q) => format!("({})", query(cx, q)),
    }
}

/// One SELECT (without TOP, which the caller places as LIMIT).
pub(crate) fn select(cx: &mut Cx<'_>, s: &Select, plain: bool) -> String {
    let mut scope = Vec::new();
    for t in &s.from {
        scope_entries(cx, t, &mut scope);
    }
    cx.scopes.push(scope);
    let from = from_list(cx, &s.from);
    let mut items = Vec::new();
    for it in &s.items {
        match it {
            SelectItem::Expr(e, alias) => {
                let mut t = expr(cx, e);
                if let Some(a) = alias {
                    t.push_str(&format!(" AS {}", quote(a)));
                }
                items.push(t);
            }
            SelectItem::Assign(v, _, _) => {
                if plain {
                    items.push(
                        cx.manual("sel.assign", format!("assignment to @{v} inside a query")),
                    );
                }
            }
        }
    }
    if plain && s.into.is_some() {
        items.push(cx.manual("sel.into", "SELECT ... INTO inside a query"));
    }
    let mut out = format!(
        "SELECT {}{}",
        if s.distinct { "DISTINCT " } else { "" },
        items.join(", ")
    );
    if !from.is_empty() {
        out.push_str(" FROM ");
        out.push_str(&from);
    }
    out.push_str(&tail(cx, s));
    cx.scopes.pop();
    out
}

/// WHERE, GROUP BY, HAVING.
pub(crate) fn tail(cx: &mut Cx<'_>, s: &Select) -> String {
    let mut out = String::new();
    if let Some(w) = &s.where_ {
        out.push_str(&format!(" WHERE {}", expr(cx, w)));
    }
    if !s.group_by.is_empty() {
        let g: Vec<String> = s.group_by.iter().map(|e| expr(cx, e)).collect();
        out.push_str(&format!(" GROUP BY {}", g.join(", ")));
    }
    if let Some(h) = &s.having {
        out.push_str(&format!(" HAVING {}", expr(cx, h)));
    }
    out
}

/// A FROM list (the caller has pushed the scope).
pub(crate) fn from_list(cx: &mut Cx<'_>, from: &[TableRef]) -> String {
    from.iter()
        .map(|t| table_ref(cx, t))
        .collect::<Vec<_>>()
        .join(", ")
}

fn hints(cx: &mut Cx<'_>, hints: &[String]) {
    for h in hints {
        let h = h.as_str();
        if h == "NOLOCK" || h == "READUNCOMMITTED" {
            cx.note(
                "hint.nolock",
                "WITH (NOLOCK) dropped: the target reads committed data (no dirty reads)",
            );
        } else if h.starts_with("INDEX") || h == "FORCESEEK" || h == "FASTFIRSTROW" {
            cx.note(
                "hint.optimizer",
                format!("index hint {h} dropped (optimizer only)"),
            );
        } else {
            cx.note(
                "hint.lock",
                format!("locking hint {h} dropped: the target takes its default locks"),
            );
        }
    }
}

fn table_ref(cx: &mut Cx<'_>, t: &TableRef) -> String {
    match t {
        TableRef::Table {
            name,
            alias,
            hints: h,
        } => {
            hints(cx, h);
            let n = name.last().to_lowercase();
            if name.0.len() == 1 && cx.temps.contains_key(&n) {
                let a = alias.clone().unwrap_or_else(|| name.last().to_string());
                return format!("{} AS {}", super::temp::read_source(cx, &n), quote(&a));
            }
            if name.0.len() == 1
                && (n == "inserted" || n == "deleted")
                && cx.kind == RoutineKind::Trigger
            {
                let a = alias.clone().unwrap_or_else(|| name.last().to_string());
                return format!("{} AS {}", super::stmt::pseudo_table(cx, &n), quote(&a));
            }
            if name.0.len() == 1 && name.last().starts_with('@') {
                return cx.manual(
                    "tvar.unknown",
                    format!("table variable {} is not declared", name.last()),
                );
            }
            if name.0.len() == 1 && name.last().starts_with('#') {
                return cx.manual(
                    "temp.not_created_here",
                    format!(
                        "{} is not created in this routine (a caller's temp table)",
                        name.last()
                    ),
                );
            }
            let mut s = table_name(cx, name);
            if let Some(a) = alias {
                s.push_str(&format!(" AS {}", quote(a)));
            }
            s
        }
        TableRef::Derived {
            query: q,
            alias,
            columns,
        } => {
            let body = query(cx, q);
            let cols = if columns.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    columns
                        .iter()
                        .map(|c| quote(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!("({body}) AS {}{cols}", quote(alias))
        }
        TableRef::Values {
            rows,
            alias,
            columns,
        } => {
            let mut sels = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                let vals: Vec<String> = r
                    .iter()
                    .enumerate()
                    .map(|(j, e)| {
                        let v = expr(cx, e);
                        match (i, columns.get(j)) {
                            (0, Some(c)) => format!("{v} AS {}", quote(c)),
                            _ => v,
                        }
                    })
                    .collect();
                sels.push(format!("SELECT {}", vals.join(", ")));
            }
            format!("({}) AS {}", sels.join(" UNION ALL "), quote(alias))
        }
        TableRef::Join {
            left,
            kind,
            right,
            on,
        } => {
            let l = table_ref(cx, left);
            match kind.as_str() {
                "FULL JOIN" => cx.manual("join.full", "FULL OUTER JOIN has no direct equivalent"),
                "CROSS APPLY" | "OUTER APPLY" => apply(cx, l, kind, right),
                _ => {
                    let r = table_ref(cx, right);
                    match on {
                        Some(c) => {
                            let c = expr(cx, c);
                            format!("{l} {kind} {r} ON {c}")
                        }
                        None => format!("{l} {kind} {r}"),
                    }
                }
            }
        }
        TableRef::Function { call, alias } if super::tvf::known(cx, call) => {
            match super::tvf::expand(cx, call, alias.as_deref()) {
                Some(d) => d,
                None => cx.manual(
                    "from.table_function",
                    format!("inline table-valued function {} called with arguments of other types than its parameters", call.name.join(".")),
                ),
            }
        }
        TableRef::Function { call, .. } => cx.manual(
            "from.table_function",
            format!(
                "table-valued function {} in FROM (the target has none)",
                call.name.join(".")
            ),
        ),
        TableRef::Pivot { .. } | TableRef::Unpivot { .. } => match pivot_as_derived(cx, t) {
            Ok(d) => {
                if matches!(t, TableRef::Pivot { .. }) {
                    cx.note("from.pivot_rewrite", "PIVOT → GROUP BY the other input columns with AGG(CASE WHEN col = value THEN v END) per value");
                } else {
                    cx.note("from.unpivot_rewrite", "UNPIVOT → UNION ALL of one SELECT per column, rows with NULL left out");
                }
                table_ref(cx, &d)
            }
            Err(why) => cx.manual("from.pivot", why),
        },
        TableRef::Unsupported(what) => cx.manual("from.pivot", format!("{what} has no equivalent")),
    }
}

/// `l CROSS APPLY r` → `l CROSS JOIN LATERAL r`, `l OUTER APPLY r` →
/// `l LEFT JOIN LATERAL r ON TRUE` (seekdb, like MySQL 8.0.14+, has LATERAL
/// derived tables); `r` a derived table, VALUES, a known inline
/// table-valued function (expanded), or a plain table.
fn apply(cx: &mut Cx<'_>, l: String, kind: &str, right: &TableRef) -> String {
    let r = match right {
        TableRef::Function { call, alias } => match super::tvf::expand(cx, call, alias.as_deref()) {
            Some(d) => format!("LATERAL {d}"),
            None => return table_ref(cx, right),
        },
        TableRef::Derived { .. } | TableRef::Values { .. } => {
            format!("LATERAL {}", table_ref(cx, right))
        }
        TableRef::Table { .. } => table_ref(cx, right),
        _ => {
            return cx.manual(
                "join.apply",
                format!("{kind} of something other than a derived table, VALUES, a table or an inline table-valued function"),
            )
        }
    };
    cx.note(
        "join.apply",
        format!(
            "{kind} → {} LATERAL derived table",
            if kind == "CROSS APPLY" {
                "CROSS JOIN"
            } else {
                "LEFT JOIN ... ON TRUE of a"
            }
        ),
    );
    if kind == "CROSS APPLY" {
        format!("{l} CROSS JOIN {r}")
    } else {
        format!("{l} LEFT JOIN {r} ON TRUE")
    }
}

fn plain_select(
    items: Vec<SelectItem>,
    from: TableRef,
    where_: Option<Expr>,
    group_by: Vec<Expr>,
) -> SetExpr {
    SetExpr::Select(Box::new(Select {
        distinct: false,
        top: None,
        items,
        into: None,
        from: vec![from],
        where_,
        group_by,
        having: None,
        pos: Pos::default(),
    }))
}

fn plain_query(body: SetExpr) -> Query {
    Query {
        ctes: Vec::new(),
        body,
        order_by: Vec::new(),
        offset: None,
        fetch: None,
    }
}

/// PIVOT → `(SELECT g..., AGG(CASE WHEN s.col = v THEN s.value END) AS [v], ...
/// FROM source GROUP BY g...)`, the grouping columns being every source
/// column but the pivot and value columns; UNPIVOT → `(SELECT o..., N'c' AS
/// name, s.c AS value FROM source WHERE s.c IS NOT NULL UNION ALL ...)`.
pub(crate) fn pivot_as_derived(cx: &Cx<'_>, t: &TableRef) -> Result<TableRef, String> {
    let (source, alias) = match t {
        TableRef::Pivot { source, alias, .. } | TableRef::Unpivot { source, alias, .. } => {
            (source, alias)
        }
        _ => return Err("not a PIVOT/UNPIVOT".into()),
    };
    let mut entries = Vec::new();
    scope_entries(cx, source, &mut entries);
    let [entry] = &entries[..] else {
        return Err("PIVOT/UNPIVOT of a join (its input columns are not known one by one)".into());
    };
    if entry.columns.is_empty() || entry.columns.iter().any(|(c, _)| c == "*" || c.is_empty()) {
        return Err("PIVOT/UNPIVOT input whose columns are not known (a table outside the schema or SELECT *)".into());
    }
    let sa = entry.alias.clone();
    let col = |c: &str| Expr::Column(vec![sa.clone(), c.to_string()]);
    let has = |c: &str| entry.columns.iter().any(|(x, _)| x.eq_ignore_ascii_case(c));
    match t {
        TableRef::Pivot {
            agg,
            value,
            column,
            values,
            ..
        } => {
            let Expr::Column(vparts) = value else {
                return Err("PIVOT of an expression (only a column converts)".into());
            };
            let vcol = vparts.last().cloned().unwrap_or_default();
            if !has(&vcol) || !has(column) {
                return Err(format!(
                    "PIVOT columns {vcol}/{column} are not columns of its input"
                ));
            }
            if !["SUM", "COUNT", "COUNT_BIG", "MAX", "MIN", "AVG"].contains(&agg.as_str()) {
                return Err(format!("PIVOT with aggregate {agg}"));
            }
            let numeric = entry
                .columns
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(column))
                .and_then(|(_, ty)| ty.as_ref())
                .map(|ty| {
                    matches!(
                        crate::types::family(ty, &cx.env.schema),
                        crate::types::Family::Int
                            | crate::types::Family::Decimal
                            | crate::types::Family::Float
                    )
                })
                .unwrap_or(false);
            let group: Vec<String> = entry
                .columns
                .iter()
                .map(|(c, _)| c.clone())
                .filter(|c| !c.eq_ignore_ascii_case(&vcol) && !c.eq_ignore_ascii_case(column))
                .collect();
            let mut items: Vec<SelectItem> = group
                .iter()
                .map(|g| SelectItem::Expr(col(g), Some(g.clone())))
                .collect();
            for v in values {
                let lit = if numeric && v.parse::<f64>().is_ok() {
                    Expr::Number(v.clone())
                } else if numeric {
                    return Err(format!("PIVOT value [{v}] for a numeric column"));
                } else {
                    Expr::Str(v.clone())
                };
                let case = Expr::Case {
                    operand: None,
                    whens: vec![(
                        Expr::Binary(Box::new(col(column)), "=".into(), Box::new(lit)),
                        col(&vcol),
                    )],
                    else_: None,
                };
                items.push(SelectItem::Expr(
                    Expr::Func(Box::new(FuncCall {
                        name: vec![agg.clone()],
                        args: vec![case],
                        distinct: false,
                        over: None,
                        within_group: Vec::new(),
                    })),
                    Some(v.clone()),
                ));
            }
            let body = plain_select(
                items,
                (**source).clone(),
                None,
                group.iter().map(|g| col(g)).collect(),
            );
            Ok(TableRef::Derived {
                query: Box::new(plain_query(body)),
                alias: alias.clone(),
                columns: Vec::new(),
            })
        }
        TableRef::Unpivot {
            value,
            name,
            columns,
            ..
        } => {
            if let Some(c) = columns.iter().find(|c| !has(c)) {
                return Err(format!("UNPIVOT column {c} is not a column of its input"));
            }
            let others: Vec<String> = entry
                .columns
                .iter()
                .map(|(c, _)| c.clone())
                .filter(|c| !columns.iter().any(|x| x.eq_ignore_ascii_case(c)))
                .collect();
            let mut body: Option<SetExpr> = None;
            for c in columns {
                let mut items: Vec<SelectItem> = others
                    .iter()
                    .map(|g| SelectItem::Expr(col(g), Some(g.clone())))
                    .collect();
                items.push(SelectItem::Expr(Expr::Str(c.clone()), Some(name.clone())));
                items.push(SelectItem::Expr(col(c), Some(value.clone())));
                let sel = plain_select(
                    items,
                    (**source).clone(),
                    Some(Expr::IsNull(Box::new(col(c)), true)),
                    Vec::new(),
                );
                body = Some(match body {
                    None => sel,
                    Some(b) => SetExpr::SetOp(Box::new(b), "UNION ALL".into(), Box::new(sel)),
                });
            }
            let Some(body) = body else {
                return Err("UNPIVOT without columns".into());
            };
            Ok(TableRef::Derived {
                query: Box::new(plain_query(body)),
                alias: alias.clone(),
                columns: Vec::new(),
            })
        }
        _ => unreachable!(),
    }
}
