//! T-SQL data types of variables, parameters and work-table columns →
//! MySQL-mode types, and the family each belongs to (what `+` means for it).

use crate::ast::DataType;
use crate::schema::SchemaInfo;

/// What kind of value a type holds; decides `+` and `/` semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Exact integers (and bit).
    Int,
    /// decimal, numeric, money.
    Decimal,
    /// float, real.
    Float,
    /// Character strings.
    Str,
    /// date.
    Date,
    /// datetime, datetime2, smalldatetime, datetimeoffset.
    DateTime,
    /// time.
    Time,
    /// Binary strings.
    Binary,
    /// Not known.
    Unknown,
}

impl Family {
    /// Numeric (integer, exact or approximate)?
    pub fn is_numeric(self) -> bool {
        matches!(self, Family::Int | Family::Decimal | Family::Float)
    }
}

/// A type mapped to the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// MySQL type text.
    pub sql: String,
    /// Family.
    pub family: Family,
    /// Why the mapping loses something, when it does.
    pub note: Option<String>,
}

fn arg(t: &DataType, i: usize) -> Option<Option<u32>> {
    t.args.get(i).copied()
}

/// Maps a declared type; user alias types resolve through the schema.
pub fn map_type(t: &DataType, schema: &SchemaInfo) -> Option<Mapped> {
    let m = |sql: String, family: Family| {
        Some(Mapped {
            sql,
            family,
            note: None,
        })
    };
    let len = |d: u32| match arg(t, 0) {
        Some(Some(n)) => n,
        Some(None) => u32::MAX,
        None => d,
    };
    match t.name.as_str() {
        "int" | "integer" => m("INT".into(), Family::Int),
        "bigint" => m("BIGINT".into(), Family::Int),
        "smallint" => m("SMALLINT".into(), Family::Int),
        "tinyint" => m("TINYINT UNSIGNED".into(), Family::Int),
        "bit" => m("TINYINT".into(), Family::Int),
        "decimal" | "numeric" => {
            let p = arg(t, 0).flatten().unwrap_or(18);
            let s = arg(t, 1).flatten().unwrap_or(0);
            m(format!("DECIMAL({p},{s})"), Family::Decimal)
        }
        "money" => m("DECIMAL(19,4)".into(), Family::Decimal),
        "smallmoney" => m("DECIMAL(10,4)".into(), Family::Decimal),
        "float" => match arg(t, 0).flatten() {
            Some(n) if n <= 24 => m("FLOAT".into(), Family::Float),
            _ => m("DOUBLE".into(), Family::Float),
        },
        "real" => m("FLOAT".into(), Family::Float),
        "char" | "nchar" => {
            let n = len(1);
            if n <= 255 {
                m(format!("CHAR({n})"), Family::Str)
            } else {
                m(format!("VARCHAR({n})"), Family::Str)
            }
        }
        "varchar" | "nvarchar" | "sysname" => {
            let n = if t.name == "sysname" { 128 } else { len(1) };
            if n == u32::MAX || n > 16383 {
                m("LONGTEXT".into(), Family::Str)
            } else {
                m(format!("VARCHAR({n})"), Family::Str)
            }
        }
        "text" | "ntext" | "xml" => m("LONGTEXT".into(), Family::Str),
        "date" => m("DATE".into(), Family::Date),
        "datetime" => m("DATETIME(3)".into(), Family::DateTime),
        "smalldatetime" => m("DATETIME".into(), Family::DateTime),
        "datetime2" => {
            let n = arg(t, 0).flatten().unwrap_or(7).min(6);
            m(format!("DATETIME({n})"), Family::DateTime)
        }
        "datetimeoffset" => Some(Mapped {
            sql: "DATETIME(6)".into(),
            family: Family::DateTime,
            note: Some("datetimeoffset loses its offset".into()),
        }),
        "time" => {
            let n = arg(t, 0).flatten().unwrap_or(7).min(6);
            m(format!("TIME({n})"), Family::Time)
        }
        "uniqueidentifier" => m("CHAR(36)".into(), Family::Str),
        "binary" => m(format!("BINARY({})", len(1).min(255)), Family::Binary),
        "varbinary" => {
            let n = len(1);
            if n == u32::MAX || n > 65535 {
                m("LONGBLOB".into(), Family::Binary)
            } else {
                m(format!("VARBINARY({n})"), Family::Binary)
            }
        }
        "image" => m("LONGBLOB".into(), Family::Binary),
        "rowversion" | "timestamp" => m("BINARY(8)".into(), Family::Binary),
        _ => {
            let base = schema.alias_type(&t.name)?;
            let mut mapped = map_type(&base, schema)?;
            mapped.note = Some(format!("alias type {} is {}", t.name, describe(&base)));
            Some(mapped)
        }
    }
}

/// `varchar(10)` style text of a type.
pub fn describe(t: &DataType) -> String {
    let args: Vec<String> = t
        .args
        .iter()
        .map(|a| a.map(|n| n.to_string()).unwrap_or_else(|| "max".into()))
        .collect();
    if args.is_empty() {
        t.name.clone()
    } else {
        format!("{}({})", t.name, args.join(","))
    }
}

/// The family of a type, `Unknown` when it does not map.
pub fn family(t: &DataType, schema: &SchemaInfo) -> Family {
    map_type(t, schema)
        .map(|m| m.family)
        .unwrap_or(Family::Unknown)
}

/// The declared length of a character type (`None` for max or non-strings).
pub fn char_length(t: &DataType) -> Option<u32> {
    match t.name.as_str() {
        "char" | "nchar" | "varchar" | "nvarchar" => match t.args.first() {
            Some(Some(n)) => Some(*n),
            Some(None) => None,
            None => Some(if t.name.ends_with("char") { 1 } else { 30 }),
        },
        _ => None,
    }
}
