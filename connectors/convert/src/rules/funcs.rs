//! Built-in functions: strings, dates (DATEDIFF boundaries, CONVERT styles),
//! casts, NULL handling, identity, errors; user functions by name.

use super::expr::{expr, family_of};
use super::Cx;
use crate::ast::*;
use crate::types::{map_type, Family};

fn upper(f: &FuncCall) -> String {
    f.name.last().map(|n| n.to_uppercase()).unwrap_or_default()
}

/// The family of a function's result.
pub(crate) fn func_family(cx: &Cx<'_>, f: &FuncCall) -> Family {
    let first = || {
        f.args
            .first()
            .map(|a| family_of(cx, a))
            .unwrap_or(Family::Unknown)
    };
    match upper(f).as_str() {
        "ISNULL" | "COALESCE" | "NULLIF" | "MAX" | "MIN" | "ABS" => {
            let mut fam = Family::Unknown;
            for a in &f.args {
                fam = family_of(cx, a);
                if fam != Family::Unknown {
                    break;
                }
            }
            fam
        }
        "IIF" => f
            .args
            .get(1)
            .map(|a| family_of(cx, a))
            .unwrap_or(Family::Unknown),
        "LEN" | "DATALENGTH" | "CHARINDEX" | "PATINDEX" | "COUNT" | "DATEDIFF" | "DATEPART"
        | "YEAR" | "MONTH" | "DAY" | "ROW_NUMBER" | "RANK" | "DENSE_RANK" | "NTILE" | "SIGN"
        | "ASCII" | "UNICODE" | "COUNT_BIG" | "SCOPE_IDENTITY" | "ERROR_NUMBER" | "ERROR_LINE"
        | "ERROR_SEVERITY" | "ERROR_STATE" => Family::Int,
        "SUM" | "AVG" | "ROUND" | "FLOOR" | "CEILING" => match first() {
            Family::Int => Family::Int,
            Family::Unknown => Family::Unknown,
            Family::Float => Family::Float,
            _ => Family::Decimal,
        },
        "POWER" | "SQRT" | "LOG" | "EXP" | "RAND" | "SQUARE" | "PI" => Family::Float,
        "LEFT" | "RIGHT" | "SUBSTRING" | "LTRIM" | "RTRIM" | "TRIM" | "UPPER" | "LOWER"
        | "REPLACE" | "REPLICATE" | "STUFF" | "SPACE" | "STR" | "CHAR" | "NCHAR" | "DATENAME"
        | "CONCAT" | "CONCAT_WS" | "STRING_AGG" | "FORMAT" | "NEWID" | "QUOTENAME" | "REVERSE"
        | "ERROR_MESSAGE" | "ERROR_PROCEDURE" | "SUSER_SNAME" | "SUSER_NAME" | "USER_NAME"
        | "HOST_NAME" | "DB_NAME" | "APP_NAME" | "OBJECT_NAME" => Family::Str,
        "GETDATE" | "SYSDATETIME" | "GETUTCDATE" | "SYSUTCDATETIME" | "DATEADD"
        | "CURRENT_TIMESTAMP" | "SYSDATETIMEOFFSET" | "DATETIMEFROMPARTS" => Family::DateTime,
        "EOMONTH" | "DATEFROMPARTS" => Family::Date,
        _ => Family::Unknown,
    }
}

fn args(cx: &mut Cx<'_>, f: &FuncCall) -> Vec<String> {
    f.args.iter().map(|a| expr(cx, a)).collect()
}

fn unit(cx: &mut Cx<'_>, part: &Expr) -> Option<&'static str> {
    let Expr::Keyword(k) = part else { return None };
    let u = match k.as_str() {
        "year" | "yy" | "yyyy" => "YEAR",
        "quarter" | "qq" | "q" => "QUARTER",
        "month" | "mm" | "m" => "MONTH",
        "dayofyear" | "dy" | "y" | "day" | "dd" | "d" | "weekday" | "dw" | "w" => "DAY",
        "week" | "wk" | "ww" => "WEEK",
        "hour" | "hh" => "HOUR",
        "minute" | "mi" | "n" => "MINUTE",
        "second" | "ss" | "s" => "SECOND",
        "millisecond" | "ms" => "MILLISECOND",
        "microsecond" | "mcs" => "MICROSECOND",
        _ => {
            cx.manual(
                "fn.datepart.unknown",
                format!("date part {k} has no mapping"),
            );
            return None;
        }
    };
    Some(u)
}

/// Converts a function call.
pub(crate) fn call(cx: &mut Cx<'_>, f: &FuncCall) -> String {
    if f.name.len() > 1 || !is_builtin(&upper(f)) {
        return user_function(cx, f);
    }
    let name = upper(f);
    let n = f.args.len();
    if let Some(w) = &f.over {
        return window(cx, f, w);
    }
    match name.as_str() {
        "ISNULL" if n == 2 => {
            cx.note("fn.isnull", "ISNULL → IFNULL");
            let a = args(cx, f);
            format!("IFNULL({}, {})", a[0], a[1])
        }
        "LEN" if n == 1 => {
            cx.note("fn.len", "LEN ignores trailing spaces: CHAR_LENGTH(TRIM(TRAILING ' ' ...))");
            let a = args(cx, f);
            format!("CHAR_LENGTH(TRIM(TRAILING ' ' FROM {}))", a[0])
        }
        "DATALENGTH" if n == 1 => {
            cx.note("fn.datalength", "DATALENGTH → LENGTH: byte counts of nvarchar differ (UTF-16 vs utf8mb4)");
            let a = args(cx, f);
            format!("LENGTH({})", a[0])
        }
        "CHARINDEX" if n == 2 || n == 3 => {
            cx.note("fn.charindex", "CHARINDEX → LOCATE");
            let a = args(cx, f);
            format!("LOCATE({})", a.join(", "))
        }
        "REPLICATE" if n == 2 => {
            cx.note("fn.replicate", "REPLICATE → REPEAT");
            let a = args(cx, f);
            format!("REPEAT({}, {})", a[0], a[1])
        }
        "STUFF" if n == 4 => {
            cx.note("fn.stuff", "STUFF → INSERT");
            let a = args(cx, f);
            format!("INSERT({}, {}, {}, {})", a[0], a[1], a[2], a[3])
        }
        "AVG" if n == 1 => {
            let a = args(cx, f);
            let d = if f.distinct { "DISTINCT " } else { "" };
            if family_of(cx, &f.args[0]) == Family::Int {
                // SQL Server's AVG of an integer is an integer (truncated);
                // MySQL's is a decimal.
                cx.note(
                    "fn.avg_int",
                    "AVG of an integer → TRUNCATE(AVG(...), 0): SQL Server truncates the average to an integer",
                );
                format!("TRUNCATE(AVG({d}{}), 0)", a[0])
            } else {
                format!("AVG({d}{})", a[0])
            }
        }
        "SUBSTRING" | "LEFT" | "RIGHT" | "LTRIM" | "RTRIM" | "UPPER" | "LOWER" | "SPACE" | "REVERSE"
        | "ABS" | "FLOOR" | "SIGN" | "SQRT" | "EXP" | "COALESCE" | "NULLIF" | "COUNT" | "SUM"
        | "MAX" | "MIN" | "ASCII" | "PI" | "YEAR" | "MONTH" | "DAY" | "TRIM" | "CONNECTION_ID"
        | "ROW_NUMBER" | "RANK" | "DENSE_RANK" | "NTILE" | "LAG" | "LEAD" | "FIRST_VALUE" | "LAST_VALUE" => {
            let a = args(cx, f);
            let d = if f.distinct { "DISTINCT " } else { "" };
            format!("{name}({d}{})", a.join(", "))
        }
        "REPLACE" if n == 3 => {
            if matches!(&f.args[1], Expr::Str(s) if s.chars().any(|c| c.is_alphabetic())) {
                cx.note("fn.replace_case", "REPLACE matches case-sensitively on the target; SQL Server follows the collation (usually case-insensitive)");
            }
            let a = args(cx, f);
            format!("REPLACE({})", a.join(", "))
        }
        "CEILING" if n == 1 => {
            let a = args(cx, f);
            format!("CEILING({})", a[0])
        }
        "ROUND" if n == 2 => {
            let a = args(cx, f);
            format!("ROUND({}, {})", a[0], a[1])
        }
        "ROUND" if n == 3 => {
            let a = args(cx, f);
            cx.note("fn.round_trunc", "ROUND(x, n, f): f <> 0 truncates");
            format!("IF({} = 0, ROUND({}, {}), TRUNCATE({}, {}))", a[2], a[0], a[1], a[0], a[1])
        }
        "POWER" if n == 2 => {
            let a = args(cx, f);
            format!("POW({}, {})", a[0], a[1])
        }
        "SQUARE" if n == 1 => {
            let a = args(cx, f);
            format!("POW({}, 2)", a[0])
        }
        "LOG" if n == 1 => {
            let a = args(cx, f);
            format!("LN({})", a[0])
        }
        "COUNT_BIG" => {
            let a = args(cx, f);
            format!("COUNT({})", a.join(", "))
        }
        "CHAR" | "NCHAR" if n == 1 => match &f.args[0] {
            // ASCII codes are one byte in every target character set.
            Expr::Number(v) if v.parse::<u32>().is_ok_and(|c| c < 128) => format!("CHAR({v} USING utf8mb4)"),
            _ => cx.manual(
                "fn.unsupported",
                format!("{name}() of a code outside ASCII or not a literal (the target has no UTF-16/UTF-32 conversion)"),
            ),
        },
        "GETDATE" | "CURRENT_TIMESTAMP" => {
            cx.note("fn.getdate", "GETDATE() → NOW(3)");
            "NOW(3)".into()
        }
        "SYSDATETIME" => "NOW(6)".into(),
        "GETUTCDATE" => "UTC_TIMESTAMP(3)".into(),
        "SYSUTCDATETIME" => "UTC_TIMESTAMP(6)".into(),
        "NEWID" => {
            cx.note("fn.newid", "NEWID() → UUID()");
            "UUID()".into()
        }
        "IIF" if n == 3 => {
            let a = args(cx, f);
            format!("IF({}, {}, {})", a[0], a[1], a[2])
        }
        "CHOOSE" if n >= 2 => {
            let a = args(cx, f);
            let mut s = format!("CASE {}", a[0]);
            for (i, v) in a[1..].iter().enumerate() {
                s.push_str(&format!(" WHEN {} THEN {}", i + 1, v));
            }
            s.push_str(" END");
            s
        }
        "CONCAT" => {
            cx.note("fn.concat", "CONCAT skips NULLs in SQL Server: CONCAT_WS('', ...)");
            let a = args(cx, f);
            format!("CONCAT_WS('', {})", a.join(", "))
        }
        "STRING_AGG" if n == 2 => {
            let a = args(cx, f);
            let order = if f.within_group.is_empty() {
                String::new()
            } else {
                format!(" ORDER BY {}", super::query::order_list(cx, &f.within_group))
            };
            cx.note("fn.string_agg", "STRING_AGG → GROUP_CONCAT: result capped by group_concat_max_len");
            format!("GROUP_CONCAT({}{order} SEPARATOR {})", a[0], a[1])
        }
        "DATEADD" if n == 3 => {
            let Some(u) = unit(cx, &f.args[0]) else {
                return cx.manual("fn.dateadd", "DATEADD with an unknown part");
            };
            let a = args(cx, f);
            cx.note("fn.dateadd", "DATEADD → DATE_ADD");
            if u == "MILLISECOND" {
                return format!("DATE_ADD({}, INTERVAL ({}) * 1000 MICROSECOND)", a[2], a[1]);
            }
            format!("DATE_ADD({}, INTERVAL ({}) {u})", a[2], a[1])
        }
        "DATEDIFF" if n == 3 => datediff(cx, f),
        "DATEPART" if n == 2 => datepart(cx, f),
        "DATENAME" if n == 2 => {
            let a = args(cx, f);
            match unit(cx, &f.args[0]) {
                Some("MONTH") => format!("MONTHNAME({})", a[1]),
                Some("DAY") if matches!(&f.args[0], Expr::Keyword(k) if k.starts_with('w') || k == "dw") => {
                    cx.note("fn.datename", "DATENAME(weekday) → DAYNAME (English names, like us_english)");
                    format!("DAYNAME({})", a[1])
                }
                Some(_) => format!("CAST({} AS CHAR)", datepart(cx, f)),
                None => cx.manual("fn.datename", "DATENAME with an unknown part"),
            }
        }
        "EOMONTH" if n == 1 => {
            let a = args(cx, f);
            format!("LAST_DAY({})", a[0])
        }
        "DATEFROMPARTS" if n == 3 => {
            let a = args(cx, f);
            format!("STR_TO_DATE(CONCAT_WS('-', {}, {}, {}), '%Y-%m-%d')", a[0], a[1], a[2])
        }
        "SCOPE_IDENTITY" => {
            cx.note("fn.scope_identity", "SCOPE_IDENTITY() → LAST_INSERT_ID() (first id of a multi-row insert)");
            "LAST_INSERT_ID()".into()
        }
        "UPDATE" if n == 1 => trigger_update(cx, &f.args[0]),
        "ERROR_NUMBER" | "ERROR_MESSAGE" | "ERROR_SEVERITY" | "ERROR_STATE" | "ERROR_LINE"
        | "ERROR_PROCEDURE" => super::errors::error_function(cx, &name),
        "SUSER_SNAME" | "SUSER_NAME" | "USER_NAME" | "SYSTEM_USER" => {
            cx.note("fn.user", "login name → CURRENT_USER() (user@host)");
            "CURRENT_USER()".into()
        }
        "DB_NAME" if n == 0 => "DATABASE()".into(),
        "HOST_NAME" => {
            cx.note("fn.host_name", "HOST_NAME() (the client's) → @@hostname (the server's)");
            "@@hostname".into()
        }
        "QUOTENAME" if n == 1 => {
            let a = args(cx, f);
            format!("CONCAT('[', REPLACE({}, ']', ']]'), ']')", a[0])
        }
        "ISNUMERIC" if n == 1 => {
            cx.note("fn.isnumeric", "ISNUMERIC → a decimal-number REGEXP (SQL Server also accepts currency signs and 'e')");
            let a = args(cx, f);
            format!("IF({} REGEXP '^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)[[:space:]]*$', 1, 0)", a[0])
        }
        _ => cx.manual("fn.unsupported", format!("{name}() with {n} arguments has no exact equivalent")),
    }
}

fn is_builtin(name: &str) -> bool {
    const B: &[&str] = &[
        "ISNULL",
        "LEN",
        "DATALENGTH",
        "CHARINDEX",
        "REPLICATE",
        "STUFF",
        "SUBSTRING",
        "LEFT",
        "RIGHT",
        "LTRIM",
        "RTRIM",
        "UPPER",
        "LOWER",
        "SPACE",
        "REVERSE",
        "ABS",
        "FLOOR",
        "SIGN",
        "SQRT",
        "EXP",
        "COALESCE",
        "NULLIF",
        "COUNT",
        "SUM",
        "MAX",
        "MIN",
        "AVG",
        "ASCII",
        "PI",
        "YEAR",
        "MONTH",
        "DAY",
        "TRIM",
        "REPLACE",
        "CEILING",
        "ROUND",
        "POWER",
        "SQUARE",
        "LOG",
        "COUNT_BIG",
        "CHAR",
        "NCHAR",
        "UNICODE",
        "GETDATE",
        "CURRENT_TIMESTAMP",
        "SYSDATETIME",
        "GETUTCDATE",
        "SYSUTCDATETIME",
        "NEWID",
        "IIF",
        "CHOOSE",
        "CONCAT",
        "STRING_AGG",
        "DATEADD",
        "DATEDIFF",
        "DATEPART",
        "DATENAME",
        "EOMONTH",
        "DATEFROMPARTS",
        "SCOPE_IDENTITY",
        "ERROR_NUMBER",
        "ERROR_MESSAGE",
        "ERROR_SEVERITY",
        "ERROR_STATE",
        "ERROR_LINE",
        "ERROR_PROCEDURE",
        "SUSER_SNAME",
        "SUSER_NAME",
        "USER_NAME",
        "SYSTEM_USER",
        "DB_NAME",
        "HOST_NAME",
        "QUOTENAME",
        "ISNUMERIC",
        "ROW_NUMBER",
        "RANK",
        "DENSE_RANK",
        "NTILE",
        "LAG",
        "LEAD",
        "FIRST_VALUE",
        "LAST_VALUE",
        "FORMAT",
        "STR",
        "PATINDEX",
        "STRING_SPLIT",
        "OBJECT_ID",
        "OPENJSON",
        "JSON_VALUE",
        "TRY_PARSE",
        "PARSE",
        "SOUNDEX",
        "DIFFERENCE",
        "CHECKSUM",
        "BINARY_CHECKSUM",
        "HASHBYTES",
        "COMPRESS",
        "RAND",
        "DATEDIFF_BIG",
        "SYSDATETIMEOFFSET",
        "SWITCHOFFSET",
        "TODATETIMEOFFSET",
        "DATETIMEFROMPARTS",
        "TRANSLATE",
        "CONCAT_WS",
        "APP_NAME",
        "OBJECT_NAME",
        "CURSOR_STATUS",
        "XACT_STATE",
        "SESSION_CONTEXT",
        "CONTEXT_INFO",
        "COL_LENGTH",
        "CONNECTION_ID",
        "UPDATE",
    ];
    B.contains(&name)
}

fn window(cx: &mut Cx<'_>, f: &FuncCall, w: &Window) -> String {
    let name = upper(f);
    let a = args(cx, f);
    let mut s = format!(
        "{name}({}{})",
        if f.distinct { "DISTINCT " } else { "" },
        a.join(", ")
    );
    let mut spec = Vec::new();
    if !w.partition.is_empty() {
        let p: Vec<String> = w.partition.iter().map(|e| expr(cx, e)).collect();
        spec.push(format!("PARTITION BY {}", p.join(", ")));
    }
    if !w.order.is_empty() {
        spec.push(format!(
            "ORDER BY {}",
            super::query::order_list(cx, &w.order)
        ));
    }
    if let Some(fr) = &w.frame {
        spec.push(fr.clone());
    }
    s.push_str(&format!(" OVER ({})", spec.join(" ")));
    s
}

fn user_function(cx: &mut Cx<'_>, f: &FuncCall) -> String {
    let (schema, name) = match f.name.len() {
        1 => (None, f.name[0].clone()),
        2 => (Some(f.name[0].clone()), f.name[1].clone()),
        _ => {
            return cx.manual(
                "name.cross_db",
                format!("function {} in another database", f.name.join(".")),
            );
        }
    };
    let key = format!("{}.{}", schema.as_deref().unwrap_or("dbo"), name).to_lowercase();
    if schema.is_none() && !cx.env.functions.contains(&key) {
        return cx.manual(
            "fn.unsupported",
            format!("{}() has no equivalent on the target", name.to_uppercase()),
        );
    }
    if !cx.env.functions.contains(&key) {
        cx.note(
            "fn.user_unknown",
            format!(
                "{} is not among the converted functions; it must exist on the target",
                f.name.join(".")
            ),
        );
    }
    let a = args(cx, f);
    format!(
        "{}({})",
        cx.env.qualified(schema.as_deref(), &name),
        a.join(", ")
    )
}

/// DATEDIFF counts boundaries crossed, not whole units elapsed.
fn datediff(cx: &mut Cx<'_>, f: &FuncCall) -> String {
    let Some(u) = unit(cx, &f.args[0]) else {
        return cx.manual("fn.datediff", "DATEDIFF with an unknown part");
    };
    let a = expr(cx, &f.args[1]);
    let b = expr(cx, &f.args[2]);
    cx.note(
        "fn.datediff",
        format!(
            "DATEDIFF({}) counts {} boundaries crossed",
            u.to_lowercase(),
            u.to_lowercase()
        ),
    );
    match u {
        "YEAR" => format!("(YEAR({b}) - YEAR({a}))"),
        "QUARTER" => format!("((YEAR({b}) * 4 + QUARTER({b})) - (YEAR({a}) * 4 + QUARTER({a})))"),
        "MONTH" => format!("((YEAR({b}) * 12 + MONTH({b})) - (YEAR({a}) * 12 + MONTH({a})))"),
        "DAY" => format!("DATEDIFF({b}, {a})"),
        // Weeks start on Sunday for DATEDIFF whatever DATEFIRST says.
        "WEEK" => format!("((TO_DAYS({b}) - DAYOFWEEK({b})) - (TO_DAYS({a}) - DAYOFWEEK({a}))) DIV 7"),
        "HOUR" => format!(
            "TIMESTAMPDIFF(HOUR, DATE_FORMAT({a}, '%Y-%m-%d %H:00:00'), DATE_FORMAT({b}, '%Y-%m-%d %H:00:00'))"
        ),
        "MINUTE" => format!(
            "TIMESTAMPDIFF(MINUTE, DATE_FORMAT({a}, '%Y-%m-%d %H:%i:00'), DATE_FORMAT({b}, '%Y-%m-%d %H:%i:00'))"
        ),
        "SECOND" => format!(
            "TIMESTAMPDIFF(SECOND, DATE_FORMAT({a}, '%Y-%m-%d %H:%i:%s'), DATE_FORMAT({b}, '%Y-%m-%d %H:%i:%s'))"
        ),
        _ => cx.manual("fn.datediff", format!("DATEDIFF({}) is not mapped", u.to_lowercase())),
    }
}

fn datepart(cx: &mut Cx<'_>, f: &FuncCall) -> String {
    let d = expr(cx, &f.args[1]);
    let Expr::Keyword(k) = &f.args[0] else {
        return cx.manual("fn.datepart", "DATEPART without a part");
    };
    match k.as_str() {
        "year" | "yy" | "yyyy" => format!("YEAR({d})"),
        "quarter" | "qq" | "q" => format!("QUARTER({d})"),
        "month" | "mm" | "m" => format!("MONTH({d})"),
        "dayofyear" | "dy" | "y" => format!("DAYOFYEAR({d})"),
        "day" | "dd" | "d" => format!("DAY({d})"),
        "weekday" | "dw" | "w" => {
            cx.note(
                "fn.datepart_weekday",
                "DATEPART(weekday) → DAYOFWEEK: equal under SET DATEFIRST 7 (us_english default)",
            );
            format!("DAYOFWEEK({d})")
        }
        "week" | "wk" | "ww" => {
            format!("((DAYOFYEAR({d}) + DAYOFWEEK(MAKEDATE(YEAR({d}), 1)) - 2) DIV 7 + 1)")
        }
        "hour" | "hh" => format!("HOUR({d})"),
        "minute" | "mi" | "n" => format!("MINUTE({d})"),
        "second" | "ss" | "s" => format!("SECOND({d})"),
        "millisecond" | "ms" => format!("(MICROSECOND({d}) DIV 1000)"),
        _ => cx.manual("fn.datepart", format!("DATEPART({k}) is not mapped")),
    }
}

/// CONVERT style → DATE_FORMAT / STR_TO_DATE pattern and its full length.
fn style_format(style: i64) -> Option<(&'static str, usize)> {
    Some(match style {
        1 => ("%m/%d/%y", 8),
        101 => ("%m/%d/%Y", 10),
        2 => ("%y.%m.%d", 8),
        102 => ("%Y.%m.%d", 10),
        3 => ("%d/%m/%y", 8),
        103 => ("%d/%m/%Y", 10),
        4 => ("%d.%m.%y", 8),
        104 => ("%d.%m.%Y", 10),
        5 => ("%d-%m-%y", 8),
        105 => ("%d-%m-%Y", 10),
        10 => ("%m-%d-%y", 8),
        110 => ("%m-%d-%Y", 10),
        11 => ("%y/%m/%d", 8),
        111 => ("%Y/%m/%d", 10),
        12 => ("%y%m%d", 6),
        112 => ("%Y%m%d", 8),
        8 | 108 | 24 => ("%H:%i:%s", 8),
        20 | 120 => ("%Y-%m-%d %H:%i:%s", 19),
        23 => ("%Y-%m-%d", 10),
        _ => return None,
    })
}

/// CAST / CONVERT / TRY_ forms.
pub(crate) fn cast(
    cx: &mut Cx<'_>,
    x: &Expr,
    ty: &DataType,
    style: Option<&Expr>,
    try_: bool,
) -> String {
    if try_
        && style.is_none()
        && (ty.name == "decimal" || ty.name == "numeric")
        && family_of(cx, x) == Family::Str
    {
        // String → decimal(p, s): SQL Server accepts surrounding spaces, a
        // sign, digits with an optional point (no exponent, not ''), rounds
        // to the scale, and fails (TRY_: NULL) when the integer part overflows.
        let p = ty
            .args
            .first()
            .copied()
            .flatten()
            .unwrap_or(18)
            .clamp(1, 38);
        let sc = ty.args.get(1).copied().flatten().unwrap_or(0).min(p);
        let xs = expr(cx, x);
        let limit = format!("1{}", "0".repeat((p - sc) as usize));
        cx.note(
            "fn.try_convert.decimal",
            format!("TRY_CONVERT/TRY_CAST(decimal({p},{sc}), string) → pattern check + range check + CAST"),
        );
        return format!(
            "(CASE WHEN {xs} REGEXP '^ *[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+) *$' THEN (CASE WHEN ABS(ROUND(CAST(TRIM({xs}) AS DECIMAL(65,30)), {sc})) < {limit} THEN CAST(TRIM({xs}) AS DECIMAL({p},{sc})) END) END)"
        );
    }
    if try_ {
        let xs = expr(cx, x);
        return cx.manual(
            "fn.try_convert",
            format!(
                "TRY_CAST/TRY_CONVERT of {xs}: the target's CAST does not return NULL on failure"
            ),
        );
    }
    let src = family_of(cx, x);
    let xs = expr(cx, x);
    let Some(target) = map_type(ty, &cx.env.schema) else {
        return cx.manual(
            "type.unknown",
            format!("CAST to {}", crate::types::describe(ty)),
        );
    };
    let style_n: Option<i64> = match style {
        None => None,
        Some(Expr::Number(n)) => n.parse().ok(),
        Some(_) => return cx.manual("fn.convert.style", "CONVERT with a non-literal style"),
    };
    match target.family {
        Family::Str => {
            let len = crate::types::char_length(ty);
            let inner = match (src, style_n) {
                (Family::Date | Family::DateTime | Family::Time | Family::Unknown, Some(s)) => {
                    match s {
                        121 | 21 | 25 => {
                            cx.note(
                                "fn.convert.style",
                                format!("CONVERT style {s} → DATE_FORMAT with milliseconds"),
                            );
                            format!("LEFT(DATE_FORMAT({xs}, '%Y-%m-%d %H:%i:%s.%f'), 23)")
                        }
                        126 => {
                            cx.note(
                                "fn.convert.style",
                                "CONVERT style 126 → ISO 8601 with milliseconds",
                            );
                            format!("LEFT(DATE_FORMAT({xs}, '%Y-%m-%dT%H:%i:%s.%f'), 23)")
                        }
                        _ => match style_format(s) {
                            Some((fmt, _)) => {
                                cx.note(
                                    "fn.convert.style",
                                    format!("CONVERT style {s} → DATE_FORMAT('{fmt}')"),
                                );
                                format!("DATE_FORMAT({xs}, '{fmt}')")
                            }
                            None => {
                                return cx.manual(
                                    "fn.convert.style",
                                    format!("CONVERT style {s} is not mapped"),
                                );
                            }
                        },
                    }
                }
                (Family::Float, _) => {
                    return cx.manual(
                        "fn.cast.float_text",
                        "float → string formatting differs (SQL Server uses 6 significant digits)",
                    );
                }
                (Family::Date, None) => format!("DATE_FORMAT({xs}, '%Y-%m-%d')"),
                (Family::DateTime, None) => {
                    return cx.manual("fn.cast.datetime_text", "datetime → string without a style: SQL Server's default format 'mon dd yyyy hh:miAM' is not reproduced");
                }
                _ => format!("CAST({xs} AS CHAR)"),
            };
            match len {
                Some(n) => format!("LEFT({inner}, {n})"),
                None => inner,
            }
        }
        Family::Date | Family::DateTime | Family::Time => {
            if let Some(s) = style_n {
                if matches!(src, Family::Str | Family::Unknown) {
                    return match style_format(s) {
                        Some((fmt, _)) => {
                            cx.note(
                                "fn.convert.style",
                                format!("CONVERT style {s} from text → STR_TO_DATE('{fmt}')"),
                            );
                            let parsed = format!("STR_TO_DATE({xs}, '{fmt}')");
                            format!("CAST({parsed} AS {})", target.sql)
                        }
                        None => cx.manual(
                            "fn.convert.style",
                            format!("CONVERT style {s} is not mapped"),
                        ),
                    };
                }
            }
            format!("CAST({xs} AS {})", target.sql)
        }
        Family::Int => {
            if ty.name == "bit" {
                return format!(
                    "(CASE WHEN {xs} IS NULL THEN NULL WHEN {xs} <> 0 THEN 1 ELSE 0 END)"
                );
            }
            let signed = if target.sql.contains("UNSIGNED") {
                "UNSIGNED"
            } else {
                "SIGNED"
            };
            if src == Family::Int {
                format!("CAST({xs} AS {signed})")
            } else {
                // SQL Server truncates toward zero; the target's CAST rounds.
                cx.note(
                    "fn.cast.int_trunc",
                    "CAST to an integer truncates: TRUNCATE(x, 0) first",
                );
                format!("CAST(TRUNCATE({xs}, 0) AS {signed})")
            }
        }
        Family::Decimal => format!("CAST({xs} AS {})", target.sql),
        Family::Float => format!("CAST({xs} AS DOUBLE)"),
        Family::Binary => format!("CAST({xs} AS BINARY)"),
        Family::Unknown => cx.manual(
            "type.unknown",
            format!("CAST to {}", crate::types::describe(ty)),
        ),
    }
}

/// `UPDATE(col)` in a trigger: true when the statement assigned the column.
/// A row trigger cannot see the SET list, so this becomes "the value
/// changed" (an assignment of the same value is not seen).
fn trigger_update(cx: &mut Cx<'_>, col: &Expr) -> String {
    let Expr::Column(p) = col else {
        return cx.manual(
            "trg.update_col",
            "UPDATE() of something that is not a column",
        );
    };
    let c = super::quote(p.last().map(String::as_str).unwrap_or(""));
    match cx.trigger_event.as_deref() {
        Some("INSERT") => "TRUE".into(),
        Some("DELETE") => "FALSE".into(),
        Some(_) => {
            cx.note(
                "trg.update_col",
                "UPDATE(col) → NOT (NEW.col <=> OLD.col): true only when the value changed",
            );
            format!("(NOT (NEW.{c} <=> OLD.{c}))")
        }
        None => cx.manual("trg.update_col", "UPDATE(col) outside a trigger"),
    }
}
