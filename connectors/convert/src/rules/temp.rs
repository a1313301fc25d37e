//! `#temp` tables and table variables → permanent work tables keyed by
//! `CONNECTION_ID()`.
//!
//! The target (OceanBase 4.x MySQL mode) rejects `CREATE TEMPORARY TABLE`
//! (error 1235), so each temp table of a routine is a permanent table created
//! once at deploy time, with a `sluice_conn` column. The routine only ever
//! sees its own connection's rows: reads go through a derived table filtered
//! on `CONNECTION_ID()`, writes set or filter `sluice_conn`, and the rows are
//! deleted at the start, at `DROP TABLE`, and on every exit path (normal end,
//! `RETURN`, and an error handler that re-signals).

use super::{quote, sanitize, string_lit, Cx, TempInfo};
use crate::ast::*;
use crate::types::map_type;

/// The work table's name for temp table `temp` of the current routine.
fn work_table_name(cx: &Cx<'_>, temp: &str) -> String {
    work_table_for(&cx.routine_name, temp)
}

/// The work table (unqualified) of temp table `temp` created by `routine`.
pub fn work_table_for(routine: &str, temp: &str) -> String {
    let base = format!(
        "sluice_wt_{}_{}",
        sanitize(routine),
        sanitize(temp.trim_start_matches(['#', '@']))
    );
    if base.len() <= 64 {
        return base;
    }
    // Keep names unique when truncated: a short hash of the full name.
    let h = base
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    format!("{}_{:08x}", &base[..50], h)
}

/// Registers a temp table from its column definitions and returns the
/// statement that replaces `CREATE TABLE #t` / `DECLARE @t TABLE`.
pub(crate) fn create(
    cx: &mut Cx<'_>,
    name: &str,
    cols: &[ColumnDef],
    rule_id: &'static str,
) -> String {
    if matches!(
        cx.kind,
        RoutineKind::ScalarFunction | RoutineKind::InlineTableFunction | RoutineKind::TableFunction
    ) {
        return cx.manual(
            rule_id,
            format!("{name} in a function: functions cannot write work tables safely"),
        );
    }
    let db = cx.env.database_of(schema_of(cx));
    let table = format!("{}.{}", quote(&db), quote(&work_table_name(cx, name)));
    let mut defs = vec!["`sluice_conn` BIGINT NOT NULL".to_string()];
    let mut pk = Vec::new();
    let mut identity = None;
    for c in cols {
        let Some(m) = map_type(&c.ty, &cx.env.schema) else {
            return cx.manual(
                "type.unknown",
                format!(
                    "column {} of {name}: type {} has no mapping",
                    c.name,
                    crate::types::describe(&c.ty)
                ),
            );
        };
        let mut d = format!("{} {}", quote(&c.name), m.sql);
        if c.not_null || c.primary_key || c.identity {
            d.push_str(" NOT NULL");
        }
        if c.identity {
            if c.identity_spec
                .as_deref()
                .is_some_and(|s| s.replace(' ', "") != "1,1")
            {
                return cx.manual(
                    "temp.identity",
                    format!(
                        "identity column {}.{} with a seed or step other than (1,1)",
                        name, c.name
                    ),
                );
            }
            identity = Some(c.name.clone());
            cx.note(
                "temp.identity",
                format!("identity column {}.{}: numbered from 1 per call by the converted INSERTs (after a DELETE, numbering continues from the highest remaining row)", name, c.name),
            );
        }
        if let Some(def) = &c.default {
            match def {
                Expr::Number(n) => d.push_str(&format!(" DEFAULT {n}")),
                Expr::Str(s) => d.push_str(&format!(" DEFAULT {}", string_lit(s))),
                Expr::Paren(inner) if matches!(**inner, Expr::Number(_) | Expr::Str(_)) => {
                    let v = super::expr::expr(cx, inner);
                    d.push_str(&format!(" DEFAULT {v}"));
                }
                _ => {
                    return cx.manual(
                        "temp.default",
                        format!("default of {name}.{} is not a literal", c.name),
                    );
                }
            }
        }
        if c.primary_key {
            pk.push(quote(&c.name));
        }
        defs.push(d);
    }
    if pk.is_empty() {
        defs.push("KEY (`sluice_conn`)".into());
    } else {
        defs.push(format!("PRIMARY KEY (`sluice_conn`, {})", pk.join(", ")));
    }
    register(
        cx,
        name,
        table.clone(),
        cols.iter()
            .map(|c| (c.name.clone(), Some(c.ty.clone())))
            .collect(),
        identity,
        defs,
    );
    cx.note(
        rule_id,
        format!("{name} → work table {table} keyed by CONNECTION_ID(), cleared on every exit"),
    );
    format!("DELETE FROM {table} WHERE `sluice_conn` = CONNECTION_ID();")
}

fn schema_of<'a>(cx: &'a Cx<'_>) -> Option<&'a str> {
    cx.routine_schema.as_deref()
}

/// Registers a work table built from already-mapped column definitions.
pub(crate) fn register(
    cx: &mut Cx<'_>,
    name: &str,
    table: String,
    columns: Vec<(String, Option<DataType>)>,
    identity: Option<String>,
    defs: Vec<String>,
) {
    let ddl = format!(
        "CREATE TABLE IF NOT EXISTS {table} (\n  {}\n)",
        defs.join(",\n  ")
    );
    cx.pre_deploy.push(ddl);
    cx.temps.insert(
        name.to_lowercase(),
        TempInfo {
            table,
            columns,
            identity,
            borrowed: false,
        },
    );
}

/// `SELECT ... INTO #t`: a work table typed from the select list.
pub(crate) fn create_from_select(cx: &mut Cx<'_>, name: &str, s: &Select) -> Option<String> {
    if matches!(
        cx.kind,
        RoutineKind::ScalarFunction | RoutineKind::InlineTableFunction | RoutineKind::TableFunction
    ) {
        cx.manual(
            "temp.select_into",
            format!("SELECT INTO {name} in a function"),
        );
        return None;
    }
    let mut scope = Vec::new();
    for t in &s.from {
        super::query::scope_entries(cx, t, &mut scope);
    }
    cx.scopes.push(scope);
    let mut cols = Vec::new();
    let mut defs = vec!["`sluice_conn` BIGINT NOT NULL".to_string()];
    let mut failed = None;
    for it in &s.items {
        let SelectItem::Expr(e, alias) = it else {
            failed = Some("an assignment in SELECT INTO".to_string());
            break;
        };
        let col = match (alias, e) {
            (Some(a), _) => a.clone(),
            (None, Expr::Column(p)) => p.last().cloned().unwrap_or_default(),
            _ => {
                failed = Some("a select-list item without a name".into());
                break;
            }
        };
        if matches!(e, Expr::Star(_)) {
            failed = Some("SELECT * INTO (columns not listed)".into());
            break;
        }
        let Some(ty) = item_type(cx, e) else {
            failed = Some(format!("the type of column {col} cannot be inferred"));
            break;
        };
        let Some(m) = map_type(&ty, &cx.env.schema) else {
            failed = Some(format!("the type of column {col} has no mapping"));
            break;
        };
        defs.push(format!("{} {}", quote(&col), m.sql));
        cols.push((col, Some(ty)));
    }
    cx.scopes.pop();
    if let Some(why) = failed {
        cx.manual("temp.select_into", format!("SELECT ... INTO {name}: {why}"));
        return None;
    }
    defs.push("KEY (`sluice_conn`)".into());
    let db = cx.env.database_of(schema_of(cx));
    let table = format!("{}.{}", quote(&db), quote(&work_table_name(cx, name)));
    if cx.temps.contains_key(&name.to_lowercase()) {
        cx.manual(
            "temp.select_into",
            format!("{name} is created twice in this routine"),
        );
        return None;
    }
    register(cx, name, table.clone(), cols, None, defs);
    cx.note("temp.select_into", format!("SELECT INTO {name} → INSERT INTO work table {table} (column types inferred from the source)"));
    Some(table)
}

/// The type a select-list expression produces, where it can be told.
pub(crate) fn item_type(cx: &Cx<'_>, e: &Expr) -> Option<DataType> {
    let ty = |name: &str, args: Vec<Option<u32>>| {
        Some(DataType {
            schema: None,
            name: name.into(),
            args,
        })
    };
    match e {
        Expr::Column(p) => super::expr::column_type(cx, p),
        Expr::Cast { ty: t, .. } => Some(t.clone()),
        Expr::Var(v) => cx.var_type(v),
        Expr::Str(s) => ty("nvarchar", vec![Some(s.chars().count().max(1) as u32)]),
        Expr::Number(n) => {
            if let Some((i, f)) = n.split_once('.') {
                let s = f.len() as u32;
                ty(
                    "decimal",
                    vec![Some(i.trim_start_matches('-').len() as u32 + s), Some(s)],
                )
            } else {
                ty("int", vec![])
            }
        }
        Expr::Paren(x) => item_type(cx, x),
        Expr::Case { whens, else_, .. } => whens
            .iter()
            .find_map(|(_, v)| item_type(cx, v))
            .or_else(|| else_.as_ref().and_then(|x| item_type(cx, x))),
        Expr::Func(f) => {
            let name = f.name.last()?.to_uppercase();
            match name.as_str() {
                "ISNULL" | "COALESCE" | "MAX" | "MIN" | "LTRIM" | "RTRIM" | "UPPER" | "LOWER"
                | "LEFT" | "RIGHT" | "SUBSTRING" | "REPLACE" | "ABS" | "TRIM" => {
                    f.args.iter().find_map(|a| item_type(cx, a))
                }
                "COUNT" | "LEN" | "DATEDIFF" | "DATEPART" | "ROW_NUMBER" | "RANK"
                | "DENSE_RANK" | "CHARINDEX" | "YEAR" | "MONTH" | "DAY" => ty("int", vec![]),
                "SUM" => match item_type(cx, f.args.first()?) {
                    Some(t)
                        if crate::types::family(&t, &cx.env.schema)
                            == crate::types::Family::Int =>
                    {
                        ty("bigint", vec![])
                    }
                    Some(t)
                        if crate::types::family(&t, &cx.env.schema)
                            == crate::types::Family::Decimal =>
                    {
                        let s = t
                            .args
                            .get(1)
                            .copied()
                            .flatten()
                            .unwrap_or(if t.name.contains("money") { 4 } else { 0 });
                        ty("decimal", vec![Some(38), Some(s)])
                    }
                    _ => ty("float", vec![]),
                },
                "GETDATE" | "CURRENT_TIMESTAMP" => ty("datetime", vec![]),
                "SYSDATETIME" => ty("datetime2", vec![Some(7)]),
                "DATEADD" => f.args.get(2).and_then(|a| item_type(cx, a)),
                "NEWID" => ty("uniqueidentifier", vec![]),
                _ => None,
            }
        }
        Expr::Binary(l, op, r) if op == "+" || op == "-" || op == "*" => {
            let (a, b) = (item_type(cx, l)?, item_type(cx, r)?);
            let fam = |t: &DataType| crate::types::family(t, &cx.env.schema);
            use crate::types::Family::*;
            match (fam(&a), fam(&b)) {
                (Str, Str) => {
                    let la = crate::types::char_length(&a);
                    let lb = crate::types::char_length(&b);
                    match (la, lb) {
                        (Some(x), Some(y)) if x + y <= 4000 => ty("nvarchar", vec![Some(x + y)]),
                        _ => ty("nvarchar", vec![None]),
                    }
                }
                (Int, Int) => ty("bigint", vec![]),
                (Decimal | Int, Decimal | Int) => ty("decimal", vec![Some(38), Some(4)]),
                (Date | DateTime, _) => Some(a),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The derived table a temp table is read through.
pub(crate) fn read_source(cx: &Cx<'_>, temp: &str) -> String {
    let t = &cx.temps[temp];
    let cols: Vec<String> = t.columns.iter().map(|(c, _)| quote(c)).collect();
    format!(
        "(SELECT {} FROM {} WHERE `sluice_conn` = CONNECTION_ID())",
        cols.join(", "),
        t.table
    )
}

/// Deletes this connection's rows of every work table.
pub(crate) fn cleanup(cx: &Cx<'_>) -> Vec<String> {
    let mut v: Vec<String> = cx
        .temps
        .values()
        // A caller's temp table is the caller's to clear.
        .filter(|t| !t.borrowed)
        .map(|t| {
            format!(
                "DELETE FROM {} WHERE `sluice_conn` = CONNECTION_ID();",
                t.table
            )
        })
        .collect();
    v.sort();
    v
}

/// Makes a `#temp` table created by the one routine that creates it visible
/// here: SQL Server shows a caller's temp tables to the procedures it calls,
/// and the work table is keyed by connection, so the callee sees the same rows.
pub(crate) fn borrow_shared(cx: &mut Cx<'_>, name: &str) -> bool {
    let Some(shared) = cx.env.shared_temps.get(&name.to_lowercase()).cloned() else {
        return false;
    };
    if shared.creator.eq_ignore_ascii_case(&cx.routine_name) {
        return false;
    }
    cx.note(
        "temp.shared",
        format!("{name} is created by {}: this routine reads its work table, as SQL Server shows a caller's temp tables to callees", shared.creator),
    );
    cx.temps.insert(
        name.to_lowercase(),
        TempInfo {
            table: shared.table,
            columns: shared.columns,
            identity: shared.identity,
            borrowed: true,
        },
    );
    true
}
