//! MERGE → a sequence of DELETE / UPDATE ... JOIN / INSERT ... SELECT ...
//! WHERE NOT EXISTS statements that gives the same rows as SQL Server's
//! single pass, or a flag when the clauses could see each other's effects.
//!
//! Order: `NOT MATCHED BY SOURCE` actions, then `MATCHED` actions (in each
//! group DELETE before UPDATE, each clause excluding the rows an earlier
//! clause of its group takes), then `NOT MATCHED [BY TARGET]` INSERT last.
//! That order is sound when no UPDATE assigns a column the ON condition
//! reads (matching would change between statements) and a `MATCHED ...
//! DELETE` is not combined with an INSERT (the deleted rows' source rows
//! would then look unmatched): both are flagged.

use super::dml::reorder_sets;
use super::expr::expr;
use super::query::{from_list, scope_entries, table_name};
use super::{quote, Cx};
use crate::ast::*;

fn columns_of(e: &Expr) -> Vec<String> {
    let dbg = format!("{e:?}");
    let mut out = Vec::new();
    for chunk in dbg.split("Column([").skip(1) {
        if let Some(end) = chunk.find("])") {
            if let Some(last) = chunk[..end].rsplit(", ").next() {
                out.push(last.trim_matches('"').to_lowercase());
            }
        }
    }
    out
}

/// Is the source exactly one row (so no target row can match twice)?
fn single_row(src: &TableRef) -> bool {
    match src {
        TableRef::Values { rows, .. } => rows.len() == 1,
        TableRef::Derived { query, .. } => {
            matches!(&query.body, SetExpr::Select(s) if s.from.is_empty() && s.where_.is_none() && query.ctes.is_empty())
        }
        _ => false,
    }
}

fn source_alias(src: &TableRef) -> Option<String> {
    match src {
        TableRef::Table { name, alias, .. } => {
            Some(alias.clone().unwrap_or_else(|| name.last().to_string()))
        }
        TableRef::Derived { alias, .. } | TableRef::Values { alias, .. } => Some(alias.clone()),
        _ => None,
    }
}

fn nondeterministic(e: &str) -> bool {
    let l = e.to_lowercase();
    [
        "\"newid\"",
        "\"rand\"",
        "\"newsequentialid\"",
        "\"crypt_gen_random\"",
    ]
    .iter()
    .any(|f| l.contains(f))
}

/// `cond AND NOT (earlier conds)`: SQL Server takes the first clause whose
/// condition is true.
fn effective(cx: &mut Cx<'_>, own: &Option<Expr>, earlier: &[&Option<Expr>]) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(c) = own {
        parts.push(format!("({})", expr(cx, c)));
    }
    for c in earlier.iter().copied().flatten() {
        parts.push(format!("NOT IFNULL(({}), FALSE)", expr(cx, c)));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// MERGE.
pub(crate) fn merge(cx: &mut Cx<'_>, m: &Merge) -> Vec<String> {
    if m.output.is_some() {
        return vec![cx.manual(
            "dml.output",
            "MERGE ... OUTPUT ($action and inserted/deleted rows of several actions) has no equivalent",
        )];
    }
    if m.top.is_some() {
        return vec![cx.manual(
            "merge.unsupported",
            "MERGE TOP (n): which rows are acted on is unspecified",
        )];
    }
    let tname = m.target.last();
    if m.target.0.len() == 1 && (tname.starts_with('#') || tname.starts_with('@')) {
        return vec![cx.manual(
            "merge.unsupported",
            format!("MERGE into {tname} (a temp table or table variable)"),
        )];
    }
    if source_alias(&m.source).is_none() {
        return vec![cx.manual("merge.unsupported", "MERGE USING a table-valued function")];
    }
    if nondeterministic(&format!("{:?}", m.source)) {
        return vec![cx.manual(
            "merge.unsupported",
            "MERGE source calls NEWID()/RAND(): the rewrite reads the source once per action",
        )];
    }
    let line = cx.current_line;
    // A subquery in a clause could read the target while the actions run
    // one after the other (SQL Server reads it as it was before the MERGE).
    if m.clauses.iter().any(|c| {
        let d = format!("{:?}{:?}", c.cond, c.action);
        d.contains("Subquery(") || d.contains("Exists(") || d.contains("InQuery(")
    }) {
        return vec![cx.manual(
            "merge.unsupported",
            "a subquery in a MERGE clause (it could read rows an earlier action changed)",
        )];
    }
    let on_cols = columns_of(&m.on);
    let has_insert = m
        .clauses
        .iter()
        .any(|c| matches!(c.action, MergeAction::Insert(..)));
    for c in &m.clauses {
        cx.current_line = c.pos.line + cx.line_offset;
        match &c.action {
            MergeAction::Update(sets) => {
                if sets.iter().any(|s| s.is_var) {
                    return vec![cx.manual("merge.unsupported", "MERGE ... UPDATE SET @variable")];
                }
                if let Some(s) = sets.iter().find(|s| {
                    s.target
                        .last()
                        .is_some_and(|t| on_cols.contains(&t.to_lowercase()))
                }) {
                    return vec![cx.manual(
                        "merge.unsupported",
                        format!(
                            "MERGE updates {}, which its ON condition reads: the actions after it would match differently",
                            s.target.join(".")
                        ),
                    )];
                }
            }
            MergeAction::Delete if c.when == MergeWhen::Matched && has_insert => {
                return vec![cx.manual(
                    "merge.unsupported",
                    "MERGE with WHEN MATCHED ... DELETE and WHEN NOT MATCHED ... INSERT: run one after the other, the deleted rows would be inserted again",
                )];
            }
            MergeAction::Insert(cols, vals) => {
                if cols.is_empty() || vals.is_none() {
                    return vec![cx.manual(
                        "merge.unsupported",
                        "MERGE ... INSERT without a column list or with DEFAULT VALUES",
                    )];
                }
                if c.when != MergeWhen::NotMatchedByTarget {
                    return vec![cx.manual("merge.unsupported", "INSERT in a MATCHED clause")];
                }
            }
            MergeAction::Delete => {}
        }
    }
    let talias = m.alias.clone().unwrap_or_else(|| tname.to_string());
    let target_ref = TableRef::Table {
        name: m.target.clone(),
        alias: Some(talias.clone()),
        hints: Vec::new(),
    };
    let mut scope = Vec::new();
    scope_entries(cx, &target_ref, &mut scope);
    scope_entries(cx, &m.source, &mut scope);
    cx.scopes.push(scope);
    let tbl = format!("{} AS {}", table_name(cx, &m.target), quote(&talias));
    let tbl_plain = table_name(cx, &m.target);
    let src = from_list(cx, std::slice::from_ref(&m.source));
    let on = expr(cx, &m.on);
    let ta = quote(&talias);
    let mut out = Vec::new();
    let count = cx.uses_rowcount;
    if count {
        out.push("SET v_rowcount = 0;".to_string());
    }
    let after = |out: &mut Vec<String>| {
        if count {
            out.push("SET v_rowcount = v_rowcount + ROW_COUNT();".into());
        }
    };
    // SQL Server fails the MERGE when a target row matches several source
    // rows that an UPDATE/DELETE clause takes (error 8672).
    let matched: Vec<&MergeClause> = m
        .clauses
        .iter()
        .filter(|c| c.when == MergeWhen::Matched)
        .collect();
    if !matched.is_empty() && !single_row(&m.source) {
        cx.current_line = m.clauses[0].pos.line + cx.line_offset;
        let any = if matched.iter().any(|c| c.cond.is_none()) {
            String::new()
        } else {
            let conds: Vec<String> = matched
                .iter()
                .map(|c| format!("({})", expr(cx, c.cond.as_ref().unwrap())))
                .collect();
            format!(" AND ({})", conds.join(" OR "))
        };
        out.push(format!(
            "IF (SELECT COUNT(*) FROM {tbl} JOIN {src} ON {on}{any}) > (SELECT COUNT(*) FROM {tbl} WHERE EXISTS (SELECT 1 FROM {src} WHERE {on}{any})) THEN"
        ));
        out.push("  SIGNAL SQLSTATE '21000' SET MESSAGE_TEXT = 'The MERGE statement attempted to UPDATE or DELETE the same row more than once.', MYSQL_ERRNO = 8672;".into());
        out.push("END IF;".into());
        cx.note(
            "merge.duplicate_guard",
            "a target row matched by several source rows raises error 8672, as in SQL Server",
        );
    }
    for group in [MergeWhen::NotMatchedBySource, MergeWhen::Matched] {
        let clauses: Vec<&MergeClause> = m.clauses.iter().filter(|c| c.when == group).collect();
        // DELETE clauses first: they remove rows the UPDATE clause does not take.
        let mut order: Vec<usize> = (0..clauses.len()).collect();
        order.sort_by_key(|&i| !matches!(clauses[i].action, MergeAction::Delete));
        for i in order {
            let c = clauses[i];
            cx.current_line = c.pos.line + cx.line_offset;
            let earlier: Vec<&Option<Expr>> = clauses[..i].iter().map(|e| &e.cond).collect();
            let cond = effective(cx, &c.cond, &earlier);
            let (joins, mut wheres) = if group == MergeWhen::Matched {
                (format!(" JOIN {src} ON {on}"), Vec::new())
            } else {
                (
                    String::new(),
                    vec![format!("NOT EXISTS (SELECT 1 FROM {src} WHERE {on})")],
                )
            };
            wheres.extend(cond);
            let w = if wheres.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", wheres.join(" AND "))
            };
            match &c.action {
                MergeAction::Delete => {
                    out.push(format!("DELETE {ta} FROM {tbl}{joins}{w};"));
                }
                MergeAction::Update(sets) => {
                    let sets = match reorder_sets(sets) {
                        Ok(None) => sets.clone(),
                        Ok(Some(r)) => {
                            cx.note("upd.set_reorder", "MERGE ... UPDATE SET list reordered so each assignment reads the old values");
                            r
                        }
                        Err(col) => {
                            cx.scopes.pop();
                            return vec![cx.manual(
                                "upd.set_order",
                                format!("MERGE ... UPDATE SET assignments read each other's columns in a cycle (column {col})"),
                            )];
                        }
                    };
                    let list: Vec<String> = sets
                        .iter()
                        .map(|s| {
                            let col = s.target.last().cloned().unwrap_or_default();
                            let rhs = if s.op == "=" {
                                expr(cx, &s.value)
                            } else {
                                let e = Expr::Binary(
                                    Box::new(Expr::Column(vec![talias.clone(), col.clone()])),
                                    s.op[..s.op.len() - 1].into(),
                                    Box::new(s.value.clone()),
                                );
                                expr(cx, &e)
                            };
                            format!("{ta}.{} = {rhs}", quote(&col))
                        })
                        .collect();
                    out.push(format!("UPDATE {tbl}{joins} SET {}{w};", list.join(", ")));
                }
                MergeAction::Insert(..) => {}
            }
            after(&mut out);
        }
    }
    for c in m
        .clauses
        .iter()
        .filter(|c| c.when == MergeWhen::NotMatchedByTarget)
    {
        cx.current_line = c.pos.line + cx.line_offset;
        let MergeAction::Insert(cols, Some(vals)) = &c.action else {
            continue;
        };
        // The INSERT's values and condition read the source only.
        let saved = cx.scopes.pop();
        let mut s2 = Vec::new();
        scope_entries(cx, &m.source, &mut s2);
        cx.scopes.push(s2);
        let v: Vec<String> = vals.iter().map(|e| expr(cx, e)).collect();
        let cond = c.cond.as_ref().map(|e| format!(" AND ({})", expr(cx, e)));
        cx.scopes.pop();
        if let Some(s) = saved {
            cx.scopes.push(s);
        }
        let on = expr(cx, &m.on);
        out.push(format!(
            "INSERT INTO {tbl_plain} ({}) SELECT {} FROM {src} WHERE NOT EXISTS (SELECT 1 FROM {tbl} WHERE {on}){};",
            cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "),
            v.join(", "),
            cond.unwrap_or_default()
        ));
        after(&mut out);
    }
    cx.scopes.pop();
    cx.current_line = line;
    cx.note(
        "merge",
        "MERGE → DELETE / UPDATE ... JOIN / INSERT ... SELECT ... WHERE NOT EXISTS, in an order where no action sees another's rows",
    );
    out
}
