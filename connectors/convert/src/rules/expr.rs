//! Expressions: operators (with `+` typed), literals, variables, globals.

use super::{quote, string_lit, Cx};
use crate::ast::*;
use crate::types::{family, Family};

/// Looks a column's declared type up through the FROM scopes.
pub(crate) fn column_type(cx: &Cx<'_>, parts: &[String]) -> Option<DataType> {
    let col = parts.last()?;
    let qual = if parts.len() >= 2 {
        Some(&parts[parts.len() - 2])
    } else {
        None
    };
    let mut found: Option<DataType> = None;
    let mut count = 0;
    for scope in cx.scopes.iter().rev() {
        for e in scope {
            if let Some(q) = qual {
                if !e.alias.eq_ignore_ascii_case(q) {
                    continue;
                }
            }
            if let Some((_, t)) = e.columns.iter().find(|(c, _)| c.eq_ignore_ascii_case(col)) {
                count += 1;
                if found.is_none() {
                    found = t.clone();
                }
            }
        }
        if count > 0 {
            break;
        }
    }
    found
}

/// The family of an expression's value, as far as declared types tell.
pub(crate) fn family_of(cx: &Cx<'_>, e: &Expr) -> Family {
    let schema = &cx.env.schema;
    match e {
        Expr::Null => Family::Unknown,
        Expr::Number(n) => {
            if n.contains(['.', 'e', 'E']) {
                Family::Decimal
            } else {
                Family::Int
            }
        }
        Expr::Str(_) => Family::Str,
        Expr::Hex(_) => Family::Binary,
        Expr::Var(v) => cx.var_family(v),
        Expr::Global(g) => match g.as_str() {
            "servername" | "version" => Family::Str,
            _ => Family::Int,
        },
        Expr::Column(parts) => column_type(cx, parts)
            .map(|t| family(&t, schema))
            .unwrap_or(Family::Unknown),
        Expr::Paren(x) => family_of(cx, x),
        Expr::Unary(op, x) if op != "NOT" => family_of(cx, x),
        Expr::Cast { ty, .. } => family(ty, schema),
        Expr::Case { whens, else_, .. } => {
            let mut f = Family::Unknown;
            for (_, v) in whens {
                let g = family_of(cx, v);
                if g != Family::Unknown {
                    f = g;
                    break;
                }
            }
            if f == Family::Unknown {
                if let Some(x) = else_ {
                    f = family_of(cx, x);
                }
            }
            f
        }
        Expr::Subquery(q) => match &q.body {
            SetExpr::Select(s) if s.items.len() == 1 => {
                if let SelectItem::Expr(x, _) = &s.items[0] {
                    let mut scope = Vec::new();
                    for t in &s.from {
                        super::query::scope_entries(cx, t, &mut scope);
                    }
                    // A scratch context would need &mut; approximate by the
                    // item alone when it is a literal or function.
                    let f = family_of(cx, x);
                    if f != Family::Unknown {
                        return f;
                    }
                    if let Expr::Column(parts) = x {
                        let col = parts.last().cloned().unwrap_or_default();
                        for e in &scope {
                            if let Some((_, Some(t))) =
                                e.columns.iter().find(|(c, _)| c.eq_ignore_ascii_case(&col))
                            {
                                return family(t, schema);
                            }
                        }
                    }
                }
                Family::Unknown
            }
            _ => Family::Unknown,
        },
        Expr::Binary(l, op, r) => match op.as_str() {
            "+" | "-" => {
                let (a, b) = (family_of(cx, l), family_of(cx, r));
                if op == "+" && concat_kind(a, b, l, r) == Some(true) {
                    return Family::Str;
                }
                if matches!(a, Family::DateTime | Family::Date) {
                    return a;
                }
                numeric_result(a, b)
            }
            "*" | "/" | "%" => numeric_result(family_of(cx, l), family_of(cx, r)),
            "&" | "|" | "^" => Family::Int,
            _ => Family::Int,
        },
        Expr::Func(f) => super::funcs::func_family(cx, f),
        _ => Family::Int,
    }
}

fn numeric_result(a: Family, b: Family) -> Family {
    match (a, b) {
        (Family::Float, _) | (_, Family::Float) => Family::Float,
        (Family::Decimal, _) | (_, Family::Decimal) => Family::Decimal,
        (Family::Int, Family::Int) => Family::Int,
        _ => Family::Unknown,
    }
}

fn numeric_text(e: &Expr) -> bool {
    matches!(e, Expr::Str(s) if s.trim().parse::<f64>().is_ok())
}

/// Decides what `l + r` is: `Some(true)` string concatenation, `Some(false)`
/// arithmetic, `None` when the declared types do not tell.
fn concat_kind(a: Family, b: Family, l: &Expr, r: &Expr) -> Option<bool> {
    use Family::*;
    match (a, b) {
        (Str, Str) => Some(true),
        // SQL Server converts the string to the number's type (precedence).
        (x, y) if x.is_numeric() || y.is_numeric() => Some(false),
        (Date | DateTime | Time, _) | (_, Date | DateTime | Time) => Some(false),
        // A non-numeric literal can only be concatenated: adding it to a
        // number would fail in SQL Server, so working code never does.
        (Str, Unknown) if matches!(l, Expr::Str(_)) && !numeric_text(l) => Some(true),
        (Unknown, Str) if matches!(r, Expr::Str(_)) && !numeric_text(r) => Some(true),
        (Str, Unknown) | (Unknown, Str) => {
            // NULL + string is NULL under either reading.
            if matches!(l, Expr::Null) || matches!(r, Expr::Null) {
                Some(true)
            } else {
                None
            }
        }
        (Binary, Binary) => Some(true),
        _ => None,
    }
}

/// Converts an expression.
pub(crate) fn expr(cx: &mut Cx<'_>, e: &Expr) -> String {
    match e {
        Expr::Null => "NULL".into(),
        Expr::Number(n) => n.clone(),
        Expr::Str(s) => string_lit(s),
        Expr::Hex(h) => h.clone(),
        Expr::Var(v) => cx.var(v),
        Expr::Global(g) => global(cx, g),
        Expr::Column(parts) => column(cx, parts),
        Expr::Star(None) => "*".into(),
        Expr::Star(Some(q)) => format!(
            "{}.*",
            q.iter().map(|p| quote(p)).collect::<Vec<_>>().join(".")
        ),
        Expr::Keyword(k) => k.clone(),
        Expr::Paren(x) => format!("({})", expr(cx, x)),
        Expr::Unary(op, x) => {
            let inner = expr(cx, x);
            match op.as_str() {
                "NOT" => format!("NOT {inner}"),
                _ => format!("{op}{inner}"),
            }
        }
        Expr::Binary(l, op, r) => binary(cx, l, op, r),
        Expr::Case {
            operand,
            whens,
            else_,
        } => {
            // Parenthesised: OceanBase's PL parser rejects `RETURN (a) - CASE ...`.
            let mut s = "(CASE".to_string();
            if let Some(o) = operand {
                s.push(' ');
                s.push_str(&expr(cx, o));
            }
            for (c, v) in whens {
                s.push_str(&format!(" WHEN {} THEN {}", expr(cx, c), expr(cx, v)));
            }
            if let Some(x) = else_ {
                s.push_str(&format!(" ELSE {}", expr(cx, x)));
            }
            s.push_str(" END)");
            s
        }
        Expr::Cast {
            expr: x,
            ty,
            style,
            try_,
        } => super::funcs::cast(cx, x, ty, style.as_deref(), *try_),
        Expr::Subquery(q) => format!("({})", super::query::query(cx, q)),
        Expr::Exists(q) => match exists_over_pseudo_row(cx, q) {
            Some(cond) => cond,
            None => format!("EXISTS ({})", super::query::query(cx, q)),
        },
        Expr::InList(x, list, neg) => {
            let items: Vec<String> = list.iter().map(|i| expr(cx, i)).collect();
            format!(
                "{} {}IN ({})",
                expr(cx, x),
                if *neg { "NOT " } else { "" },
                items.join(", ")
            )
        }
        Expr::InQuery(x, q, neg) => {
            let l = expr(cx, x);
            format!(
                "{l} {}IN ({})",
                if *neg { "NOT " } else { "" },
                super::query::query(cx, q)
            )
        }
        Expr::Between(x, a, b, neg) => format!(
            "{} {}BETWEEN {} AND {}",
            expr(cx, x),
            if *neg { "NOT " } else { "" },
            expr(cx, a),
            expr(cx, b)
        ),
        Expr::Like(x, p, neg, esc) => like(cx, x, p, *neg, esc.as_deref()),
        Expr::IsNull(x, neg) => {
            format!("{} IS {}NULL", expr(cx, x), if *neg { "NOT " } else { "" })
        }
        Expr::Func(f) => super::funcs::call(cx, f),
    }
}

/// The trigger row a column reference reads, when it names a column of
/// `EXISTS (SELECT … FROM inserted WHERE c)` in a row trigger is just `c` on
/// the NEW row (FALSE when the event has no such row). Written as a plain
/// condition because seekdb evaluates `NEW.x` inside a subquery of a trigger
/// with an earlier row's values once the statement's plan is cached: the
/// vital-sign check rejected a valid row after an invalid one.
fn exists_over_pseudo_row(cx: &mut Cx<'_>, q: &Query) -> Option<String> {
    if !q.ctes.is_empty() || !q.order_by.is_empty() || q.offset.is_some() || q.fetch.is_some() {
        return None;
    }
    let SetExpr::Select(sel) = &q.body else {
        return None;
    };
    if sel.from.len() != 1 || !sel.group_by.is_empty() || sel.having.is_some() || sel.top.is_some()
    {
        return None;
    }
    let TableRef::Table { name, .. } = &sel.from[0] else {
        return None;
    };
    let row = super::query::pseudo_row(cx, name)?;
    if row.is_none() {
        return Some("FALSE".into());
    }
    let Some(w) = &sel.where_ else {
        return Some("TRUE".into());
    };
    // Resolve the WHERE's columns against the pseudo table, as the subquery would.
    let mut scope = Vec::new();
    super::query::scope_entries(cx, &sel.from[0], &mut scope);
    cx.scopes.push(scope);
    let cond = expr(cx, w);
    cx.scopes.pop();
    Some(format!("({cond})"))
}

/// `inserted`/`deleted`: `Some(Some("NEW"))`, `Some(None)` for an empty one.
fn pseudo_of(cx: &Cx<'_>, parts: &[String]) -> Option<Option<&'static str>> {
    let col = parts.last()?;
    for scope in cx.scopes.iter().rev() {
        for e in scope {
            if parts.len() == 2 && !e.alias.eq_ignore_ascii_case(&parts[0]) {
                continue;
            }
            if parts.len() > 2 {
                return None;
            }
            if e.columns.iter().any(|(c, _)| c.eq_ignore_ascii_case(col)) {
                return e.pseudo;
            }
        }
    }
    None
}

fn column(cx: &mut Cx<'_>, parts: &[String]) -> String {
    if let Some(row) = pseudo_of(cx, parts) {
        let col = parts.last().map(String::as_str).unwrap_or("");
        return match row {
            Some(r) => format!("{r}.{}", quote(col)),
            None => "NULL".into(),
        };
    }
    match parts.len() {
        0 => String::new(),
        1 | 2 => parts.iter().map(|p| quote(p)).collect::<Vec<_>>().join("."),
        3 => {
            let db = cx.env.database_of(Some(&parts[0]));
            format!("{}.{}.{}", quote(&db), quote(&parts[1]), quote(&parts[2]))
        }
        _ => cx.manual(
            "name.linked_server",
            format!("four-part column reference {}", parts.join(".")),
        ),
    }
}

fn global(cx: &mut Cx<'_>, g: &str) -> String {
    match g {
        "rowcount" => {
            if !cx.rowcount_valid {
                return cx.manual(
                    "rowcount.unsupported",
                    "@@ROWCOUNT is read where the statement it refers to is not the one just before",
                );
            }
            cx.uses_rowcount = true;
            cx.internal_var("v_rowcount", "BIGINT", "0");
            cx.note(
                "rowcount.capture",
                "@@ROWCOUNT captured right after the statement it counts",
            );
            "v_rowcount".into()
        }
        "error" => {
            if cx.xact_abort {
                // Under XACT_ABORT an error never reaches the next statement.
                cx.note(
                    "err.at_error",
                    "@@ERROR under XACT_ABORT ON is always 0 when read",
                );
                return "0".into();
            }
            cx.uses_error = true;
            cx.internal_var("v_error", "INT", "0");
            cx.note(
                "err.at_error",
                "@@ERROR emulated by a CONTINUE handler flag; the number is the target's error number",
            );
            "v_error".into()
        }
        "fetch_status" => {
            cx.uses_fetch = true;
            "v_fetch_status".into()
        }
        "identity" => {
            cx.note(
                "fn.identity_global",
                "@@IDENTITY → LAST_INSERT_ID(): trigger inserts are not seen",
            );
            "LAST_INSERT_ID()".into()
        }
        "trancount" => {
            cx.uses_trancount = true;
            cx.internal_var("v_trancount", "INT", "0");
            cx.note(
                "tx.trancount",
                "@@TRANCOUNT counts only this routine's transactions",
            );
            "v_trancount".into()
        }
        "spid" => "CONNECTION_ID()".into(),
        "servername" => "@@hostname".into(),
        "version" => {
            cx.note(
                "fn.version",
                "@@VERSION returns the target's version string",
            );
            "VERSION()".into()
        }
        _ => cx.manual(
            "global.unsupported",
            format!("@@{} has no equivalent", g.to_uppercase()),
        ),
    }
}

fn binary(cx: &mut Cx<'_>, l: &Expr, op: &str, r: &Expr) -> String {
    match op {
        "+" => {
            let (a, b) = (family_of(cx, l), family_of(cx, r));
            match concat_kind(a, b, l, r) {
                Some(true) => {
                    let mut parts = Vec::new();
                    concat_parts(cx, l, &mut parts);
                    concat_parts(cx, r, &mut parts);
                    cx.note(
                        "str.concat",
                        "string + → CONCAT (NULL operand still gives NULL)",
                    );
                    format!("CONCAT({})", parts.join(", "))
                }
                Some(false) => {
                    if matches!(a, Family::Date | Family::DateTime) && b.is_numeric() {
                        cx.note("op.date_plus_number", "datetime + n adds n days");
                        return format!("({} + INTERVAL ({}) DAY)", expr(cx, l), expr(cx, r));
                    }
                    format!("{} + {}", expr(cx, l), expr(cx, r))
                }
                None => {
                    let ls = expr(cx, l);
                    let rs = expr(cx, r);
                    let m = cx.manual(
                        "str.concat.unknown",
                        format!("cannot tell whether `+` adds or concatenates: the types of {ls} and {rs} are not known"),
                    );
                    format!("{m} ({ls} + {rs})")
                }
            }
        }
        "-" => {
            let (a, b) = (family_of(cx, l), family_of(cx, r));
            if matches!(a, Family::Date | Family::DateTime) && b.is_numeric() {
                cx.note("op.date_plus_number", "datetime - n subtracts n days");
                return format!("({} - INTERVAL ({}) DAY)", expr(cx, l), expr(cx, r));
            }
            format!("{} - {}", expr(cx, l), expr(cx, r))
        }
        "/" => {
            let (a, b) = (family_of(cx, l), family_of(cx, r));
            let (ls, rs) = (expr(cx, l), expr(cx, r));
            if a == Family::Int && b == Family::Int {
                cx.note("op.int_div", "integer / integer truncates: DIV");
                format!("{ls} DIV {rs}")
            } else if (a == Family::Unknown && matches!(b, Family::Int | Family::Unknown))
                || (b == Family::Unknown && a == Family::Int)
            {
                let m = cx.manual(
                    "op.div.unknown",
                    format!("cannot tell whether {ls} / {rs} is integer division: operand types unknown"),
                );
                format!("{m} ({ls} / {rs})")
            } else {
                format!("{ls} / {rs}")
            }
        }
        "%" => format!("{} % {}", expr(cx, l), expr(cx, r)),
        "AND" | "OR" => format!("{} {op} {}", expr(cx, l), expr(cx, r)),
        _ => format!("{} {op} {}", expr(cx, l), expr(cx, r)),
    }
}

/// Flattens nested string concatenations into one CONCAT's arguments.
fn concat_parts(cx: &mut Cx<'_>, e: &Expr, out: &mut Vec<String>) {
    if let Expr::Binary(l, op, r) = e {
        if op == "+" {
            let (a, b) = (family_of(cx, l), family_of(cx, r));
            if concat_kind(a, b, l, r) == Some(true) {
                concat_parts(cx, l, out);
                concat_parts(cx, r, out);
                return;
            }
        }
    }
    out.push(expr(cx, e));
}

fn like(cx: &mut Cx<'_>, x: &Expr, p: &Expr, neg: bool, esc: Option<&Expr>) -> String {
    let xs = expr(cx, x);
    let not = if neg { "NOT " } else { "" };
    if let Expr::Str(pat) = p {
        if pat.contains('[') && esc.is_none() {
            if let Some(re) = sluice_tsql::dialect::oceanbase::expr::like_to_regex(pat) {
                cx.note(
                    "op.like_class",
                    format!("LIKE '{pat}' with a [] class → REGEXP"),
                );
                return format!("{xs} {not}REGEXP {}", string_lit(&re));
            }
            return cx.manual(
                "op.like_class",
                format!("LIKE pattern '{pat}' has a class the converter cannot map"),
            );
        }
        if pat.contains('\\') && esc.is_none() {
            // MySQL treats `\` as LIKE's escape by default; SQL Server has none.
            return format!(
                "{xs} {not}LIKE {} ESCAPE '|'",
                string_lit(&pat.replace('|', "||"))
            );
        }
    }
    let ps = expr(cx, p);
    match esc {
        Some(e) => {
            let es = expr(cx, e);
            format!("{xs} {not}LIKE {ps} ESCAPE {es}")
        }
        None => format!("{xs} {not}LIKE {ps}"),
    }
}
