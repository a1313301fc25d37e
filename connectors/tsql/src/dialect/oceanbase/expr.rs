//! T-SQL expressions (defaults, computed columns, checks, index filters) →
//! MySQL-mode expressions. What cannot be converted exactly is refused with
//! a reason, never approximated silently.

use super::types::Family;
use crate::ast::*;

/// Where the expression is used; decides what the target allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// A column default; `fsp` is the column's fractional-second precision.
    Default {
        /// Column precision for CURRENT_TIMESTAMP(n).
        fsp: Option<u32>,
        /// The column's value family (DATE and TIME columns take other functions).
        column: Option<Family>,
    },
    /// A generated column.
    Computed,
    /// A CHECK constraint.
    Check,
}

/// Why an expression was not converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Plain-words reason.
    pub reason: String,
    /// The expression uses a non-deterministic function.
    pub nondeterministic: bool,
    /// The expression calls NEXT VALUE FOR.
    pub sequence: bool,
}

fn refuse<T>(reason: impl Into<String>) -> Result<T, Refused> {
    Err(Refused {
        reason: reason.into(),
        nondeterministic: false,
        sequence: false,
    })
}

/// Conversion state: the column types in scope and the rules that fired.
pub struct ExprCx<'a> {
    /// Where the expression is used.
    pub usage: Use,
    /// Looks up a column's target family by name.
    pub column_family: &'a dyn Fn(&str) -> Option<Family>,
    /// Rules that fired, with messages.
    pub rules: Vec<(&'static str, String)>,
}

/// Back-quotes a MySQL identifier.
pub fn quote_ident(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

/// Back-quotes a column name, shortened to the target's 64-character limit
/// the same way everywhere it appears (definition, keys, checks, foreign keys).
pub fn quote_column(s: &str) -> String {
    quote_ident(&super::fit_name(s).0)
}

/// A MySQL string literal with `\` and `'` escaped.
pub fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

fn date_unit(part: &str) -> Option<&'static str> {
    Some(match part.to_ascii_lowercase().as_str() {
        "year" | "yy" | "yyyy" => "YEAR",
        "quarter" | "qq" | "q" => "QUARTER",
        "month" | "mm" | "m" => "MONTH",
        "day" | "dd" | "d" | "dayofyear" | "dy" | "y" => "DAY",
        "week" | "wk" | "ww" => "WEEK",
        "hour" | "hh" => "HOUR",
        "minute" | "mi" | "n" => "MINUTE",
        "second" | "ss" | "s" => "SECOND",
        _ => return None,
    })
}

/// CONVERT style → DATE_FORMAT pattern, for styles whose output is fixed-width.
fn style_format(style: i128) -> Option<&'static str> {
    Some(match style {
        23 => "%Y-%m-%d",
        101 => "%m/%d/%Y",
        102 => "%Y.%m.%d",
        103 => "%d/%m/%Y",
        104 => "%d.%m.%Y",
        105 => "%d-%m-%Y",
        108 | 8 => "%H:%i:%s",
        110 => "%m-%d-%Y",
        111 => "%Y/%m/%d",
        112 => "%Y%m%d",
        120 | 20 => "%Y-%m-%d %H:%i:%s",
        _ => return None,
    })
}

const NONDETERMINISTIC: &[&str] = &[
    "GETDATE",
    "GETUTCDATE",
    "SYSDATETIME",
    "SYSUTCDATETIME",
    "SYSDATETIMEOFFSET",
    "NEWID",
    "NEWSEQUENTIALID",
    "RAND",
    "CURRENT_TIMESTAMP",
    "SUSER_SNAME",
    "SUSER_NAME",
    "USER_NAME",
    "HOST_NAME",
    "APP_NAME",
    "CURRENT_USER",
    "SYSTEM_USER",
    "SESSION_USER",
];

impl ExprCx<'_> {
    fn rule(&mut self, id: &'static str, msg: impl Into<String>) {
        self.rules.push((id, msg.into()));
    }

    /// Infers the family of a T-SQL expression, where it can.
    fn family(&self, e: &Expr) -> Option<Family> {
        match e.unnested() {
            Expr::Literal(Literal::String { .. }, _) => Some(Family::Text { lob: false }),
            Expr::Literal(Literal::Number(n), _) => Some(if n.contains(['.', 'e', 'E']) {
                Family::Decimal
            } else {
                Family::Integer
            }),
            Expr::Name(n) => (self.column_family)(&n.name().value),
            Expr::Binary {
                left, op, right, ..
            } => {
                let (l, r) = (self.family(left), self.family(right));
                match op {
                    BinaryOp::Plus if is_text(l) && is_text(r) => l,
                    BinaryOp::Plus
                    | BinaryOp::Minus
                    | BinaryOp::Multiply
                    | BinaryOp::Divide
                    | BinaryOp::Modulo => match (l, r) {
                        (Some(Family::Integer), Some(Family::Integer)) => Some(Family::Integer),
                        (Some(a), Some(b)) if !is_text(Some(a)) && !is_text(Some(b)) => {
                            Some(Family::Decimal)
                        }
                        _ => None,
                    },
                    _ => Some(Family::Integer),
                }
            }
            Expr::Function { name, args, .. } => {
                let f = name.name().value.to_ascii_uppercase();
                match f.as_str() {
                    "UPPER" | "LOWER" | "LTRIM" | "RTRIM" | "TRIM" | "SUBSTRING" | "LEFT"
                    | "RIGHT" | "REPLACE" | "REPLICATE" | "SPACE" | "REVERSE" | "CONCAT"
                    | "STUFF" | "FORMAT" | "STR" | "CHAR" | "NCHAR" | "QUOTENAME" => {
                        Some(Family::Text { lob: false })
                    }
                    "ISNULL" | "COALESCE" | "NULLIF" => args.first().and_then(|a| self.family(a)),
                    "LEN" | "DATALENGTH" | "CHARINDEX" | "DATEDIFF" | "YEAR" | "MONTH" | "DAY"
                    | "DATEPART" => Some(Family::Integer),
                    "GETDATE" | "SYSDATETIME" | "DATEADD" => Some(Family::DateTime),
                    _ => None,
                }
            }
            Expr::Cast { data_type, .. } | Expr::Convert { data_type, .. } => {
                let n = data_type.name.name().value.to_ascii_lowercase();
                Some(match n.as_str() {
                    "char" | "varchar" | "nchar" | "nvarchar" => Family::Text { lob: false },
                    "int" | "bigint" | "smallint" | "tinyint" | "bit" => Family::Integer,
                    "decimal" | "numeric" | "money" => Family::Decimal,
                    "date" => Family::Date,
                    "datetime" | "datetime2" | "smalldatetime" => Family::DateTime,
                    _ => return None,
                })
            }
            Expr::Case { whens, .. } => whens.first().and_then(|(_, t)| self.family(t)),
            _ => None,
        }
    }

    /// Converts `e`.
    pub fn convert(&mut self, e: &Expr) -> Result<String, Refused> {
        Ok(match e {
            Expr::Literal(l, _) => match l {
                Literal::Number(n) => n.clone(),
                Literal::Null => "NULL".into(),
                Literal::Binary(b) => {
                    if b.len() <= 2 {
                        "X''".into()
                    } else if b.len() % 2 == 1 {
                        format!("X'0{}'", &b[2..])
                    } else {
                        format!("X'{}'", &b[2..])
                    }
                }
                Literal::String { value, .. } => {
                    if value.contains('\\') {
                        self.rule(
                            "EXPR-STRING-ESCAPE",
                            "backslash escaped in a string literal",
                        );
                    }
                    string_literal(value)
                }
            },
            Expr::Name(n) => {
                if n.parts.len() > 1 {
                    return refuse(format!("qualified name {n} in a column expression"));
                }
                if (self.column_family)(&n.name().value).is_none() {
                    let v = n.name().value.to_ascii_uppercase();
                    if matches!(v.as_str(), "CURRENT_TIMESTAMP") {
                        return self.function("CURRENT_TIMESTAMP", &[]);
                    }
                    return refuse(format!("{n} is not a column of this table"));
                }
                quote_column(&n.name().value)
            }
            Expr::Variable(v) => {
                return refuse(format!("variable {} in a column expression", v.value))
            }
            Expr::Nested(inner, _) => format!("({})", self.convert(inner)?),
            Expr::Unary { op, expr, .. } => {
                let inner = self.convert(expr)?;
                match op {
                    UnaryOp::Minus => format!("-{inner}"),
                    UnaryOp::Plus => inner,
                    UnaryOp::BitNot => format!("~{inner}"),
                    UnaryOp::Not => format!("NOT {inner}"),
                }
            }
            Expr::Binary {
                left, op, right, ..
            } => self.binary(left, *op, right)?,
            Expr::Function { name, args, .. } => {
                if name.parts.len() > 1 {
                    return refuse(format!("user-defined function {name}"));
                }
                let f = name.name().value.to_ascii_uppercase();
                return self.function(&f, args);
            }
            Expr::Cast {
                kind,
                expr,
                data_type,
                ..
            } => {
                if *kind == CastKind::Try {
                    return refuse("TRY_CAST has no equivalent that returns NULL on bad input");
                }
                return self.cast(data_type, expr);
            }
            Expr::Convert {
                kind,
                data_type,
                expr,
                style,
                ..
            } => {
                if *kind == CastKind::Try {
                    return refuse("TRY_CONVERT has no equivalent that returns NULL on bad input");
                }
                self.convert_fn(data_type, expr, style.as_deref())?
            }
            Expr::Case {
                operand,
                whens,
                else_result,
                ..
            } => {
                let mut s = String::from("CASE");
                if let Some(o) = operand {
                    s.push(' ');
                    s.push_str(&self.convert(o)?);
                }
                for (w, t) in whens {
                    s.push_str(&format!(
                        " WHEN {} THEN {}",
                        self.convert(w)?,
                        self.convert(t)?
                    ));
                }
                if let Some(e) = else_result {
                    s.push_str(&format!(" ELSE {}", self.convert(e)?));
                }
                s.push_str(" END");
                s
            }
            Expr::IsNull { expr, negated, .. } => {
                format!(
                    "{} IS {}NULL",
                    self.convert(expr)?,
                    if *negated { "NOT " } else { "" }
                )
            }
            Expr::InList {
                expr,
                list,
                negated,
                ..
            } => {
                let items: Result<Vec<_>, _> = list.iter().map(|x| self.convert(x)).collect();
                format!(
                    "{} {}IN ({})",
                    self.convert(expr)?,
                    if *negated { "NOT " } else { "" },
                    items?.join(", ")
                )
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
                ..
            } => format!(
                "{} {}BETWEEN {} AND {}",
                self.convert(expr)?,
                if *negated { "NOT " } else { "" },
                self.convert(low)?,
                self.convert(high)?
            ),
            Expr::Like {
                expr,
                pattern,
                escape,
                negated,
                ..
            } => self.like(expr, pattern, escape.as_deref(), *negated)?,
            Expr::Star(_) => return refuse("* in a column expression"),
            Expr::NextValueFor(n, _) => {
                return Err(Refused {
                    reason: format!("NEXT VALUE FOR {n}"),
                    nondeterministic: true,
                    sequence: true,
                })
            }
            Expr::Subquery { .. } => return refuse("subquery in a column expression"),
        })
    }

    fn binary(&mut self, left: &Expr, op: BinaryOp, right: &Expr) -> Result<String, Refused> {
        if op == BinaryOp::Plus {
            let (l, r) = (self.family(left), self.family(right));
            if is_text(l) && is_text(r) {
                self.rule("EXPR-CONCAT", "string + string → CONCAT()");
                let mut parts = Vec::new();
                self.concat_parts(left, &mut parts)?;
                self.concat_parts(right, &mut parts)?;
                return Ok(format!("CONCAT({})", parts.join(", ")));
            }
            if l.is_none() || r.is_none() {
                self.rule(
                    "EXPR-PLUS-UNTYPED",
                    format!("operand types of '+' not known in {left} + {right}"),
                );
            }
        }
        let l = self.convert(left)?;
        let r = self.convert(right)?;
        let both_int = self.family(left) == Some(Family::Integer)
            && self.family(right) == Some(Family::Integer);
        let sym = match op {
            BinaryOp::BangEq => "<>",
            BinaryOp::NotLt => ">=",
            BinaryOp::NotGt => "<=",
            // T-SQL int / int truncates toward zero, as DIV does.
            BinaryOp::Divide if both_int => "DIV",
            o => o.symbol(),
        };
        Ok(format!("{l} {sym} {r}"))
    }

    /// Flattens a chain of string `+` into CONCAT arguments.
    fn concat_parts(&mut self, e: &Expr, out: &mut Vec<String>) -> Result<(), Refused> {
        if let Expr::Nested(inner, _) = e {
            if matches!(
                **inner,
                Expr::Binary {
                    op: BinaryOp::Plus,
                    ..
                }
            ) && is_text(self.family(inner))
            {
                return self.concat_parts(inner, out);
            }
        }
        if let Expr::Binary {
            left,
            op: BinaryOp::Plus,
            right,
            ..
        } = e
        {
            if is_text(self.family(left)) && is_text(self.family(right)) {
                self.concat_parts(left, out)?;
                return self.concat_parts(right, out);
            }
        }
        out.push(self.convert(e)?);
        Ok(())
    }

    fn args(&mut self, args: &[Expr]) -> Result<Vec<String>, Refused> {
        args.iter().map(|a| self.convert(a)).collect()
    }

    fn function(&mut self, f: &str, args: &[Expr]) -> Result<String, Refused> {
        if NONDETERMINISTIC.contains(&f) {
            return self.nondeterministic(f);
        }
        // The first argument of the date functions is a unit keyword, not an expression.
        let a = if matches!(f, "DATEADD" | "DATEDIFF" | "DATEPART" | "DATENAME") && !args.is_empty()
        {
            let mut v = vec![String::new()];
            v.extend(self.args(&args[1..])?);
            v
        } else {
            self.args(args)?
        };
        let simple = |name: &str| format!("{name}({})", a.join(", "));
        let out = match (f, a.len()) {
            ("ISNULL", 2) => simple("IFNULL"),
            (
                "COALESCE" | "NULLIF" | "UPPER" | "LOWER" | "LTRIM" | "RTRIM" | "REPLACE"
                | "SUBSTRING" | "LEFT" | "RIGHT" | "REVERSE" | "ABS" | "FLOOR" | "CEILING" | "SIGN"
                | "POWER" | "SQRT" | "EXP" | "LOG10" | "YEAR" | "MONTH" | "DAY" | "SPACE"
                | "CONCAT" | "ASCII",
                _,
            ) => {
                return Ok(simple(f));
            }
            ("ROUND", 2) => simple("ROUND"),
            ("LEN", 1) => {
                self.rule(
                    "EXPR-LEN",
                    "LEN(x) → CHAR_LENGTH(TRIM(TRAILING ' ' FROM x))",
                );
                return Ok(format!("CHAR_LENGTH(TRIM(TRAILING ' ' FROM {}))", a[0]));
            }
            ("CHARINDEX", 2 | 3) => simple("LOCATE"),
            ("REPLICATE", 2) => simple("REPEAT"),
            ("IIF", 3) => simple("IF"),
            ("DATEADD", 3) => {
                let unit = args[0].as_column().and_then(|u| date_unit(&u.value));
                let Some(unit) = unit else {
                    return refuse(format!("DATEADD unit {}", args[0]));
                };
                format!("DATE_ADD({}, INTERVAL {} {unit})", a[2], a[1])
            }
            ("DATEDIFF", 3) => {
                let unit = args[0].as_column().and_then(|u| date_unit(&u.value));
                let (x, y) = (&a[1], &a[2]);
                self.rule("EXPR-DATEDIFF", "DATEDIFF → boundary-exact expression");
                return match unit {
                    Some("DAY") => Ok(format!("DATEDIFF({y}, {x})")),
                    Some("YEAR") => Ok(format!("(YEAR({y}) - YEAR({x}))")),
                    Some("MONTH") => Ok(format!(
                        "((YEAR({y}) - YEAR({x})) * 12 + MONTH({y}) - MONTH({x}))"
                    )),
                    Some("QUARTER") => Ok(format!(
                        "((YEAR({y}) - YEAR({x})) * 4 + QUARTER({y}) - QUARTER({x}))"
                    )),
                    _ => refuse(format!("DATEDIFF with unit {}", args[0])),
                };
            }
            _ => return refuse(format!("function {f}() has no mapping in this context")),
        };
        self.rule("EXPR-FUNCTION", format!("{f}() → {out}"));
        Ok(out)
    }

    fn nondeterministic(&mut self, f: &str) -> Result<String, Refused> {
        let (fsp, column) = match self.usage {
            Use::Default { fsp, column } => (fsp, column),
            _ => {
                return Err(Refused {
                    reason: format!("{f}() is not deterministic"),
                    nondeterministic: true,
                    sequence: false,
                })
            }
        };
        let n = fsp.unwrap_or(0);
        let with_fsp = |name: &str| {
            if n > 0 {
                format!("{name}({n})")
            } else {
                name.to_string()
            }
        };
        let now = matches!(f, "GETDATE" | "SYSDATETIME" | "CURRENT_TIMESTAMP");
        let utc = matches!(f, "GETUTCDATE" | "SYSUTCDATETIME" | "SYSDATETIMEOFFSET");
        if now || utc {
            // Probed on seekdb: DATE and TIME columns reject CURRENT_TIMESTAMP
            // and take (CURDATE()) / (CURTIME()).
            let target = match (column, utc) {
                (Some(Family::Date), false) => "CURDATE()".to_string(),
                (Some(Family::Date), true) => "UTC_DATE()".to_string(),
                (Some(Family::Time), false) if n > 0 => format!("CURTIME({n})"),
                (Some(Family::Time), false) => "CURTIME()".to_string(),
                (Some(Family::Time), true) if n > 0 => format!("UTC_TIME({n})"),
                (Some(Family::Time), true) => "UTC_TIME()".to_string(),
                (Some(Family::DateTime) | None, false) => with_fsp("CURRENT_TIMESTAMP"),
                (Some(Family::DateTime) | None, true) => format!("UTC_TIMESTAMP({n})"),
                (Some(other), _) => {
                    return refuse(format!("{f}() as the default of a {other:?} column"));
                }
            };
            let rule = if utc {
                "COL-DEFAULT-UTC"
            } else {
                "COL-DEFAULT-NOW"
            };
            self.rule(rule, format!("{f}() → {target}"));
            return Ok(target);
        }
        Ok(match f {
            "NEWID" => {
                self.rule("COL-DEFAULT-UUID", "NEWID() → (UUID())");
                "UUID()".into()
            }
            "NEWSEQUENTIALID" => {
                self.rule(
                    "COL-DEFAULT-SEQUENTIAL-UUID",
                    "NEWSEQUENTIALID() → (UUID())",
                );
                "UUID()".into()
            }
            "SUSER_SNAME" | "SUSER_NAME" | "CURRENT_USER" | "SYSTEM_USER" | "SESSION_USER"
            | "USER_NAME" => {
                // Probed on seekdb: DEFAULT (CURRENT_USER()) and (USER()) are rejected.
                return refuse(format!(
                    "{f}(): the target accepts no user-name function as a default"
                ));
            }
            _ => return refuse(format!("{f}() has no default-value equivalent")),
        })
    }

    fn convert_fn(
        &mut self,
        ty: &DataType,
        expr: &Expr,
        style: Option<&Expr>,
    ) -> Result<String, Refused> {
        let Some(style) = style else {
            return self.cast(ty, expr);
        };
        let inner = self.convert(expr)?;
        let code = crate::lower::const_int(style);
        let tname = ty.name.name().value.to_ascii_lowercase();
        let to_text = matches!(tname.as_str(), "char" | "varchar" | "nchar" | "nvarchar");
        let from_date = matches!(
            self.family(expr),
            Some(Family::Date) | Some(Family::DateTime) | Some(Family::Time)
        );
        match (code.and_then(style_format), to_text && from_date) {
            (Some(fmt), true) => {
                self.rule(
                    "EXPR-CONVERT-STYLE",
                    format!("CONVERT style {} → DATE_FORMAT '{fmt}'", code.unwrap_or(0)),
                );
                let formatted = format!("DATE_FORMAT({inner}, '{fmt}')");
                Ok(match ty.args.first() {
                    Some(TypeArg::Number(n)) => format!("LEFT({formatted}, {n})"),
                    _ => formatted,
                })
            }
            _ => refuse(format!(
                "CONVERT({ty}, ..., {style}) style not mapped for this operand"
            )),
        }
    }

    fn cast(&mut self, ty: &DataType, expr: &Expr) -> Result<String, Refused> {
        // CONVERT(date, GETDATE()) as a default: the target takes (CURDATE()),
        // not a CAST of the current time.
        if let (Use::Default { .. }, Expr::Function { name, args, .. }) =
            (self.usage, expr.unnested())
        {
            let f = name.name().value.to_ascii_uppercase();
            if args.is_empty()
                && ty.name.name().eq_name("date")
                && matches!(f.as_str(), "GETDATE" | "SYSDATETIME" | "CURRENT_TIMESTAMP")
            {
                self.rule(
                    "COL-DEFAULT-NOW",
                    format!("CONVERT(date, {f}()) → (CURDATE())"),
                );
                return Ok("CURDATE()".into());
            }
        }
        // CAST('CNY' AS nvarchar(3)) as a default (how a live catalog renders
        // a plain string default): the literal itself when it fits, since
        // OceanBase rejects CAST inside a column default (error 5023).
        if let (Use::Default { .. }, Expr::Literal(Literal::String { value, .. }, _)) =
            (self.usage, expr.unnested())
        {
            let t = ty.to_model();
            let fits = match t.length {
                Some(sluice_engine::schema::Length::N(n)) => {
                    value.chars().count() as u64 <= n as u64
                }
                Some(_) => true,
                None => value.chars().count() <= 1,
            };
            if fits && matches!(t.name.as_str(), "char" | "varchar" | "nchar" | "nvarchar") {
                return self.convert(expr);
            }
        }
        let inner = self.convert(expr)?;
        if ty.name.name().eq_name("bit") {
            // T-SQL: any non-zero number becomes 1; NULL stays NULL.
            return match self.family(expr) {
                Some(Family::Integer | Family::Decimal | Family::Float) => {
                    self.rule("EXPR-FUNCTION", "CAST(x AS bit) → CASE on x <> 0");
                    Ok(format!(
                        "(CASE WHEN {inner} IS NULL THEN NULL WHEN {inner} <> 0 THEN 1 ELSE 0 END)"
                    ))
                }
                _ => refuse("CAST to bit of a non-numeric value"),
            };
        }
        Ok(format!("CAST({inner} AS {})", cast_target(ty)?))
    }

    fn like(
        &mut self,
        expr: &Expr,
        pattern: &Expr,
        escape: Option<&Expr>,
        negated: bool,
    ) -> Result<String, Refused> {
        let subject = self.convert(expr)?;
        let not = if negated { "NOT " } else { "" };
        let Expr::Literal(Literal::String { value, .. }, _) = pattern.unnested() else {
            return refuse("LIKE with a non-literal pattern");
        };
        if escape.is_some() {
            return refuse("LIKE ... ESCAPE");
        }
        if value.contains('[') {
            let Some(re) = like_to_regex(value) else {
                return refuse(format!("LIKE pattern {value:?} could not be translated"));
            };
            self.rule(
                "CHECK-LIKE-PATTERN",
                format!("LIKE '{value}' → REGEXP '{re}'"),
            );
            return Ok(format!("{subject} {not}REGEXP {}", string_literal(&re)));
        }
        // T-SQL has no LIKE escape character; on the target `\` is one.
        let pat = value.replace('\\', "\\\\");
        Ok(format!("{subject} {not}LIKE {}", string_literal(&pat)))
    }
}

/// Infers the family of a T-SQL expression in a context (None when unknown).
pub fn family_of(cx: &ExprCx<'_>, e: &Expr) -> Option<Family> {
    cx.family(e)
}

fn is_text(f: Option<Family>) -> bool {
    matches!(f, Some(Family::Text { .. }))
}

/// CAST target types the target accepts.
fn cast_target(ty: &DataType) -> Result<String, Refused> {
    let t = ty.to_model();
    let n = match t.length {
        Some(sluice_engine::schema::Length::N(n)) => Some(n),
        _ => None,
    };
    Ok(match t.name.as_str() {
        "int" | "bigint" | "smallint" => "SIGNED".into(),
        "tinyint" => "UNSIGNED".into(),
        "decimal" | "numeric" => format!(
            "DECIMAL({},{})",
            t.precision.unwrap_or(18),
            t.scale.unwrap_or(0)
        ),
        "money" => "DECIMAL(19,4)".into(),
        "char" | "varchar" | "nchar" | "nvarchar" => match n {
            Some(n) => format!("CHAR({n})"),
            None if t.length.is_some() => "CHAR".into(),
            None => "CHAR(30)".into(),
        },
        "date" => "DATE".into(),
        "datetime" => "DATETIME(3)".into(),
        "datetime2" => format!("DATETIME({})", t.precision.unwrap_or(7).min(6)),
        "smalldatetime" => "DATETIME".into(),
        "time" => format!("TIME({})", t.precision.unwrap_or(7).min(6)),
        "float" => "DOUBLE".into(),
        "real" => "FLOAT".into(),
        other => return refuse(format!("CAST to {other}")),
    })
}

/// Translates a T-SQL LIKE pattern with `[...]` classes to an anchored regex.
pub fn like_to_regex(p: &str) -> Option<String> {
    let mut out = String::from("^");
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            '[' => {
                let mut class = String::from("[");
                if chars.peek() == Some(&'^') {
                    chars.next();
                    class.push('^');
                }
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == ']' {
                        closed = true;
                        break;
                    }
                    if d == '\\' || d == '[' {
                        class.push('\\');
                    }
                    class.push(d);
                }
                if !closed || class.len() <= 1 {
                    return None;
                }
                class.push(']');
                out.push_str(&class);
            }
            c if ".^$*+?(){}|\\]".contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('$');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_expression;

    fn cols(name: &str) -> Option<Family> {
        match name.to_ascii_lowercase().as_str() {
            "first" | "last" | "mrn" => Some(Family::Text { lob: false }),
            "qty" | "n" => Some(Family::Integer),
            "price" => Some(Family::Decimal),
            "born" | "admitted" => Some(Family::DateTime),
            _ => None,
        }
    }

    fn conv(usage: Use, src: &str) -> Result<(String, Vec<&'static str>), Refused> {
        let parsed = parse_expression(src).unwrap();
        let e = match usage {
            Use::Default { .. } => parsed.unnested().clone(),
            _ => parsed,
        };
        let mut cx = ExprCx {
            usage,
            column_family: &cols,
            rules: vec![],
        };
        let s = cx.convert(&e)?;
        Ok((s, cx.rules.iter().map(|r| r.0).collect()))
    }

    #[test]
    fn defaults() {
        let d = |s| {
            conv(
                Use::Default {
                    fsp: Some(3),
                    column: None,
                },
                s,
            )
            .unwrap()
            .0
        };
        assert_eq!(d("(getdate())"), "CURRENT_TIMESTAMP(3)");
        assert_eq!(d("(newid())"), "UUID()");
        assert_eq!(d("((0))"), "0");
        assert_eq!(d("(N'it''s \\ ok')"), "'it''s \\\\ ok'");
        assert_eq!(d("(getutcdate())"), "UTC_TIMESTAMP(3)");
        assert!(
            conv(
                Use::Default {
                    fsp: None,
                    column: None
                },
                "(NEXT VALUE FOR s)"
            )
            .unwrap_err()
            .sequence
        );
    }

    #[test]
    fn computed_and_typing() {
        let (s, r) = conv(Use::Computed, "([First]+' '+[Last])").unwrap();
        assert_eq!(s, "(CONCAT(`First`, ' ', `Last`))");
        assert!(r.contains(&"EXPR-CONCAT"));
        assert_eq!(
            conv(Use::Computed, "([Qty]*[Price])").unwrap().0,
            "(`Qty` * `Price`)"
        );
        assert_eq!(
            conv(Use::Computed, "([Qty]/(2))").unwrap().0,
            "(`Qty` DIV (2))"
        );
        assert_eq!(
            conv(Use::Computed, "(isnull([First],''))").unwrap().0,
            "(IFNULL(`First`, ''))"
        );
        assert_eq!(
            conv(Use::Computed, "(datediff(day,[Born],[Admitted]))")
                .unwrap()
                .0,
            "(DATEDIFF(`Admitted`, `Born`))"
        );
        assert_eq!(
            conv(Use::Computed, "(CONVERT(varchar(8),[Admitted],112))")
                .unwrap()
                .0,
            "(LEFT(DATE_FORMAT(`Admitted`, '%Y%m%d'), 8))"
        );
        assert!(
            conv(Use::Computed, "(datediff(year,[Born],getdate()))")
                .unwrap_err()
                .nondeterministic
        );
        assert!(conv(Use::Computed, "(dbo.fn_x([N]))").is_err());
        assert!(conv(Use::Computed, "([Unknown]+[Other])").is_err());
    }

    #[test]
    fn checks() {
        let (s, r) = conv(Use::Check, "([Mrn] like '[0-9][0-9][A-Z]%')").unwrap();
        assert_eq!(s, "(`Mrn` REGEXP '^[0-9][0-9][A-Z].*$')");
        assert!(r.contains(&"CHECK-LIKE-PATTERN"));
        assert_eq!(
            conv(Use::Check, "([Mrn] like 'a\\%')").unwrap().0,
            "(`Mrn` LIKE 'a\\\\\\\\%')"
        );
        assert_eq!(
            conv(Use::Check, "([Qty]!<(0))").unwrap().0,
            "(`Qty` >= (0))"
        );
        assert!(
            conv(Use::Check, "([Born]<=getdate())")
                .unwrap_err()
                .nondeterministic
        );
        assert_eq!(
            conv(
                Use::Check,
                "([First] IN ('M', 'F') AND [Qty] BETWEEN 1 AND 9)"
            )
            .unwrap()
            .0,
            "(`First` IN ('M', 'F') AND `Qty` BETWEEN 1 AND 9)"
        );
    }

    #[test]
    fn like_patterns() {
        assert_eq!(like_to_regex("[^a-c]_x.%").unwrap(), "^[^a-c].x\\..*$");
        assert!(like_to_regex("[abc").is_none());
    }
}
