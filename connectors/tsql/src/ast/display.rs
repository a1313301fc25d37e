//! Prints the tree back as T-SQL. Printing then parsing gives the same
//! printed text again (tested by property), so a tree can be edited and
//! written back out.

use super::*;
use crate::lexer::QuoteStyle;
use sluice_engine::schema::ReferentialAction;
use std::fmt::{self, Display, Formatter, Write};

/// Words that must be bracketed when printed as identifiers.
const RESERVED: &[&str] = &[
    "add",
    "all",
    "alter",
    "and",
    "any",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "clustered",
    "collate",
    "column",
    "constraint",
    "convert",
    "create",
    "cross",
    "current",
    "default",
    "delete",
    "desc",
    "distinct",
    "drop",
    "else",
    "end",
    "escape",
    "exec",
    "execute",
    "exists",
    "for",
    "foreign",
    "from",
    "function",
    "go",
    "identity",
    "in",
    "index",
    "insert",
    "into",
    "is",
    "join",
    "key",
    "like",
    "nonclustered",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "primary",
    "procedure",
    "references",
    "rowguidcol",
    "select",
    "set",
    "table",
    "then",
    "to",
    "trigger",
    "union",
    "unique",
    "update",
    "use",
    "values",
    "view",
    "when",
    "where",
    "with",
    "persisted",
    "sparse",
    "filestream",
    "include",
    "next",
    "try_cast",
    "try_convert",
    "cycle",
    "textimage_on",
];

/// Whether `s` can be written without brackets.
pub fn is_regular_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.quote {
            Some(QuoteStyle::Double) => write!(f, "\"{}\"", self.value.replace('"', "\"\"")),
            None if is_regular_identifier(&self.value) => f.write_str(&self.value),
            _ => write!(f, "[{}]", self.value.replace(']', "]]")),
        }
    }
}

impl Display for ObjectName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_char('.')?;
            }
            if !p.value.is_empty() || p.quote.is_some() {
                p.fmt(f)?;
            }
        }
        Ok(())
    }
}

impl Display for DataType {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.name.fmt(f)?;
        if !self.args.is_empty() {
            f.write_char('(')?;
            for (i, a) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                match a {
                    TypeArg::Number(n) => write!(f, "{n}")?,
                    TypeArg::Max => f.write_str("max")?,
                }
            }
            f.write_char(')')?;
        }
        Ok(())
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Number(n) | Literal::Binary(n) => f.write_str(n),
            Literal::String { value, national } => {
                if *national {
                    f.write_char('N')?;
                }
                write!(f, "'{}'", value.replace('\'', "''"))
            }
            Literal::Null => f.write_str("NULL"),
        }
    }
}

fn list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        it.fmt(f)?;
    }
    Ok(())
}

/// Prints `e`, parenthesised if it binds more loosely than `min`.
fn operand(f: &mut Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if e.precedence() < min {
        write!(f, "({e})")
    } else {
        e.fmt(f)
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Name(n) => n.fmt(f),
            Expr::Variable(v) => f.write_str(&v.value),
            Expr::Literal(l, _) => l.fmt(f),
            Expr::Unary { op, expr, .. } => {
                let sym = match op {
                    UnaryOp::Minus => "-",
                    UnaryOp::Plus => "+",
                    UnaryOp::BitNot => "~",
                    UnaryOp::Not => "NOT ",
                };
                f.write_str(sym)?;
                let inner = if expr.precedence() < self.precedence() {
                    format!("({expr})")
                } else {
                    expr.to_string()
                };
                // `- -1` must not print as `--1`, which is a comment.
                if matches!(op, UnaryOp::Minus | UnaryOp::Plus) && inner.starts_with(['-', '+']) {
                    f.write_char(' ')?;
                }
                f.write_str(&inner)
            }
            Expr::Binary {
                left, op, right, ..
            } => {
                let p = op.precedence();
                operand(f, left, p)?;
                write!(f, " {} ", op.symbol())?;
                operand(f, right, p + 1)
            }
            Expr::Function {
                name,
                distinct,
                args,
                ..
            } => {
                write!(f, "{name}(")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                list(f, args)?;
                f.write_char(')')
            }
            Expr::Cast {
                kind,
                expr,
                data_type,
                ..
            } => {
                let kw = if *kind == CastKind::Try {
                    "TRY_CAST"
                } else {
                    "CAST"
                };
                write!(f, "{kw}({expr} AS {data_type})")
            }
            Expr::Convert {
                kind,
                data_type,
                expr,
                style,
                ..
            } => {
                let kw = if *kind == CastKind::Try {
                    "TRY_CONVERT"
                } else {
                    "CONVERT"
                };
                write!(f, "{kw}({data_type}, {expr}")?;
                if let Some(s) = style {
                    write!(f, ", {s}")?;
                }
                f.write_char(')')
            }
            Expr::Case {
                operand,
                whens,
                else_result,
                ..
            } => {
                f.write_str("CASE")?;
                if let Some(o) = operand {
                    write!(f, " {o}")?;
                }
                for (w, t) in whens {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = else_result {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            Expr::IsNull { expr, negated, .. } => {
                operand(f, expr, 5)?;
                f.write_str(if *negated { " IS NOT NULL" } else { " IS NULL" })
            }
            Expr::InList {
                expr,
                list: items,
                negated,
                ..
            } => {
                operand(f, expr, 5)?;
                f.write_str(if *negated { " NOT IN (" } else { " IN (" })?;
                list(f, items)?;
                f.write_char(')')
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
                ..
            } => {
                operand(f, expr, 5)?;
                f.write_str(if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                })?;
                operand(f, low, 5)?;
                f.write_str(" AND ")?;
                operand(f, high, 5)
            }
            Expr::Like {
                expr,
                pattern,
                escape,
                negated,
                ..
            } => {
                operand(f, expr, 5)?;
                f.write_str(if *negated { " NOT LIKE " } else { " LIKE " })?;
                operand(f, pattern, 5)?;
                if let Some(e) = escape {
                    f.write_str(" ESCAPE ")?;
                    operand(f, e, 5)?;
                }
                Ok(())
            }
            Expr::Nested(e, _) => write!(f, "({e})"),
            Expr::Star(_) => f.write_char('*'),
            Expr::NextValueFor(n, _) => write!(f, "NEXT VALUE FOR {n}"),
            Expr::Subquery { exists, text, .. } => {
                if *exists {
                    f.write_str("EXISTS ")?;
                }
                write!(f, "({text})")
            }
        }
    }
}

impl Display for SqlOption {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.name.fmt(f)?;
        if let Some(v) = &self.value {
            write!(f, " = {v}")?;
        }
        Ok(())
    }
}

impl Display for IndexColumn {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.name.fmt(f)?;
        if self.descending {
            f.write_str(" DESC")
        } else if self.explicit_asc {
            f.write_str(" ASC")
        } else {
            Ok(())
        }
    }
}

impl Display for Storage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "ON {}", self.name)?;
        if let Some(c) = &self.column {
            write!(f, "({c})")?;
        }
        Ok(())
    }
}

fn action(a: ReferentialAction) -> &'static str {
    match a {
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}

fn key_spec(f: &mut Formatter<'_>, kw: &str, k: &KeySpec) -> fmt::Result {
    f.write_str(kw)?;
    match k.clustered {
        Some(true) => f.write_str(" CLUSTERED")?,
        Some(false) => f.write_str(" NONCLUSTERED")?,
        None => {}
    }
    if !k.columns.is_empty() {
        f.write_str(" (")?;
        list(f, &k.columns)?;
        f.write_char(')')?;
    }
    if !k.options.is_empty() {
        f.write_str(" WITH (")?;
        list(f, &k.options)?;
        f.write_char(')')?;
    }
    if let Some(s) = &k.storage {
        write!(f, " {s}")?;
    }
    Ok(())
}

impl Display for TableConstraint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(n) = &self.name {
            write!(f, "CONSTRAINT {n} ")?;
        }
        match &self.kind {
            ConstraintKind::PrimaryKey(k) => key_spec(f, "PRIMARY KEY", k),
            ConstraintKind::Unique(k) => key_spec(f, "UNIQUE", k),
            ConstraintKind::ForeignKey(fk) => {
                if !fk.columns.is_empty() {
                    f.write_str("FOREIGN KEY (")?;
                    list(f, &fk.columns)?;
                    f.write_str(") ")?;
                }
                write!(f, "REFERENCES {}", fk.table)?;
                if !fk.referenced.is_empty() {
                    f.write_str(" (")?;
                    list(f, &fk.referenced)?;
                    f.write_char(')')?;
                }
                if let Some(a) = fk.on_delete {
                    write!(f, " ON DELETE {}", action(a))?;
                }
                if let Some(a) = fk.on_update {
                    write!(f, " ON UPDATE {}", action(a))?;
                }
                if fk.not_for_replication {
                    f.write_str(" NOT FOR REPLICATION")?;
                }
                Ok(())
            }
            ConstraintKind::Check {
                expr,
                not_for_replication,
            } => {
                f.write_str("CHECK ")?;
                if *not_for_replication {
                    f.write_str("NOT FOR REPLICATION ")?;
                }
                write!(f, "({expr})")
            }
            ConstraintKind::Default { expr, column } => write!(f, "DEFAULT {expr} FOR {column}"),
        }
    }
}

impl Display for ColumnOption {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ColumnOption::Null => f.write_str("NULL"),
            ColumnOption::NotNull => f.write_str("NOT NULL"),
            ColumnOption::Identity {
                args,
                not_for_replication,
            } => {
                f.write_str("IDENTITY")?;
                if let Some((s, i)) = args {
                    write!(f, "({s}, {i})")?;
                }
                if *not_for_replication {
                    f.write_str(" NOT FOR REPLICATION")?;
                }
                Ok(())
            }
            ColumnOption::Default { name, expr } => {
                if let Some(n) = name {
                    write!(f, "CONSTRAINT {n} ")?;
                }
                write!(f, "DEFAULT {expr}")
            }
            ColumnOption::Collate(c) => write!(f, "COLLATE {c}"),
            ColumnOption::RowGuidCol => f.write_str("ROWGUIDCOL"),
            ColumnOption::Sparse => f.write_str("SPARSE"),
            ColumnOption::Filestream => f.write_str("FILESTREAM"),
            ColumnOption::Persisted => f.write_str("PERSISTED"),
            ColumnOption::Constraint(c) => c.fmt(f),
            ColumnOption::Other(t) => f.write_str(t),
        }
    }
}

impl Display for ColumnDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.name.fmt(f)?;
        if let Some(t) = &self.data_type {
            write!(f, " {t}")?;
        }
        match &self.computed {
            Some(e @ Expr::Nested(..)) => write!(f, " AS {e}")?,
            Some(e) => write!(f, " AS ({e})")?,
            None => {}
        }
        for o in &self.options {
            write!(f, " {o}")?;
        }
        Ok(())
    }
}

impl Display for TableElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TableElement::Column(c) => c.fmt(f),
            TableElement::Constraint(c) => c.fmt(f),
            TableElement::Index(i) => {
                write!(f, "INDEX {}", i.name)?;
                if i.unique {
                    f.write_str(" UNIQUE")?;
                }
                match i.clustered {
                    Some(true) => f.write_str(" CLUSTERED")?,
                    Some(false) => f.write_str(" NONCLUSTERED")?,
                    None => {}
                }
                f.write_str(" (")?;
                list(f, &i.columns)?;
                f.write_char(')')
            }
        }
    }
}

impl Display for CreateTable {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "CREATE TABLE {} (", self.name)?;
        for (i, e) in self.elements.iter().enumerate() {
            let sep = if i + 1 < self.elements.len() { "," } else { "" };
            writeln!(f, "    {e}{sep}")?;
        }
        f.write_char(')')?;
        if let Some(s) = &self.storage {
            write!(f, " {s}")?;
        }
        if let Some(t) = &self.textimage_on {
            write!(f, " TEXTIMAGE_ON {t}")?;
        }
        if !self.options.is_empty() {
            f.write_str(" WITH (")?;
            list(f, &self.options)?;
            f.write_char(')')?;
        }
        Ok(())
    }
}

impl Display for CreateIndex {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE ")?;
        if self.unique {
            f.write_str("UNIQUE ")?;
        }
        match self.clustered {
            Some(true) => f.write_str("CLUSTERED ")?,
            Some(false) => f.write_str("NONCLUSTERED ")?,
            None => {}
        }
        if let Some(s) = &self.special {
            write!(f, "{s} ")?;
        }
        write!(f, "INDEX {} ON {} (", self.name, self.table)?;
        list(f, &self.columns)?;
        f.write_char(')')?;
        if !self.include.is_empty() {
            f.write_str(" INCLUDE (")?;
            list(f, &self.include)?;
            f.write_char(')')?;
        }
        if let Some(w) = &self.filter {
            write!(f, " WHERE {w}")?;
        }
        if !self.options.is_empty() {
            f.write_str(" WITH (")?;
            list(f, &self.options)?;
            f.write_char(')')?;
        }
        if let Some(s) = &self.storage {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}
