//! SQL Server type → OceanBase (MySQL mode) type. Every lossy or
//! behaviour-changing case cites a rule; choices that have alternatives are
//! options in [`TypeOptions`].

use serde::{Deserialize, Serialize};
use sluice_engine::schema::{Length, SourceType};
use std::collections::BTreeMap;

/// How `bit` is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BitAs {
    /// `TINYINT(1)`: reads back as 0/1 numbers, works with BOOLEAN.
    #[default]
    TinyInt1,
    /// `BIT(1)`: reads back as a byte string in most clients.
    Bit1,
}

/// How `uniqueidentifier` is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UuidAs {
    /// `CHAR(36)` text (readable, 36 bytes).
    #[default]
    Char36,
    /// `BINARY(16)` (compact; the application must convert).
    Binary16,
}

/// How `datetimeoffset` is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OffsetAs {
    /// `DATETIME(n)` in UTC; the offset is dropped.
    #[default]
    Utc,
    /// `DATETIME(n)` in UTC plus a `<column>_offset_min SMALLINT` column.
    UtcWithOffsetColumn,
}

/// Type-mapping choices, overridable in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TypeOptions {
    /// `bit` storage.
    pub bit: BitAs,
    /// `uniqueidentifier` storage.
    pub uniqueidentifier: UuidAs,
    /// `datetimeoffset` storage.
    pub datetimeoffset: OffsetAs,
    /// Source type name (lower-case, e.g. `xml` or `money`) → target type text.
    pub overrides: BTreeMap<String, String>,
    /// One column (`schema.table.column`, lower-case) → target type text;
    /// wins over everything else for that column.
    pub column_overrides: BTreeMap<String, String>,
}

/// What kind of values a target type holds (used for expression typing and key sizes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Integers.
    Integer,
    /// DECIMAL.
    Decimal,
    /// FLOAT/DOUBLE.
    Float,
    /// Character data; `lob` for LONGTEXT.
    Text {
        /// LONGTEXT.
        lob: bool,
    },
    /// Binary data; `lob` for LONGBLOB.
    Binary {
        /// LONGBLOB.
        lob: bool,
    },
    /// DATE.
    Date,
    /// DATETIME(fsp).
    DateTime,
    /// TIME(fsp).
    Time,
    /// GEOMETRY.
    Spatial,
}

/// A mapped type.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// Target type text (`DECIMAL(19,4)`).
    pub sql: String,
    /// Value family.
    pub family: Family,
    /// Fractional-second digits for temporal types.
    pub fsp: Option<u32>,
    /// Bytes one value can take in an index key (utf8mb4: 4 per character).
    pub key_bytes: u32,
    /// Rules that fired, with a message naming the source type.
    pub rules: Vec<(&'static str, String)>,
    /// Extra column to add next to this one (datetimeoffset with offset column).
    pub offset_column: bool,
}

impl Mapped {
    /// A configured type for a column whose own type has no mapping.
    pub fn configured(sql: &str) -> Mapped {
        m(sql, Family::Text { lob: true }, 0)
    }
}

fn m(sql: impl Into<String>, family: Family, key_bytes: u32) -> Mapped {
    Mapped {
        sql: sql.into(),
        family,
        fsp: None,
        key_bytes,
        rules: Vec::new(),
        offset_column: false,
    }
}

impl Mapped {
    fn rule(mut self, id: &'static str, msg: impl Into<String>) -> Self {
        self.rules.push((id, msg.into()));
        self
    }

    fn fsp(mut self, fsp: u32) -> Self {
        self.fsp = Some(fsp);
        self
    }
}

/// Maps a system type (alias types must be resolved first). `None` for a
/// name that is not a SQL Server system type.
pub fn map_type(t: &SourceType, opts: &TypeOptions) -> Option<Mapped> {
    let name = t.name.as_str();
    if let Some(sql) = opts.overrides.get(name) {
        let fam = map_type(
            t,
            &TypeOptions {
                overrides: BTreeMap::new(),
                column_overrides: BTreeMap::new(),
                ..opts.clone()
            },
        )
        .map(|x| x.family)
        .unwrap_or(Family::Text { lob: true });
        return Some(m(sql.clone(), fam, 0).rule(
            "TYPE-OVERRIDE",
            format!("{t} → {sql} (configured override)"),
        ));
    }
    let n = match t.length {
        Some(Length::N(n)) => Some(n),
        _ => None,
    };
    let max = t.length == Some(Length::Max);
    let text = |len: u32| -> u32 { len.saturating_mul(4) };
    Some(match name {
        "bigint" => m("BIGINT", Family::Integer, 8),
        "int" | "integer" => m("INT", Family::Integer, 4),
        "smallint" => m("SMALLINT", Family::Integer, 2),
        "tinyint" => m("TINYINT UNSIGNED", Family::Integer, 1)
            .rule("TYPE-TINYINT", "tinyint → TINYINT UNSIGNED"),
        "bit" => match opts.bit {
            BitAs::TinyInt1 => m("TINYINT(1)", Family::Integer, 1),
            BitAs::Bit1 => m("BIT(1)", Family::Integer, 1),
        }
        .rule("TYPE-BIT", "bit → TINYINT(1)"),
        "decimal" | "numeric" | "dec" => {
            let p = t.precision.unwrap_or(18);
            let s = t.scale.unwrap_or(0);
            m(format!("DECIMAL({p},{s})"), Family::Decimal, 16)
        }
        "money" => {
            m("DECIMAL(19,4)", Family::Decimal, 16).rule("TYPE-MONEY", "money → DECIMAL(19,4)")
        }
        "smallmoney" => {
            m("DECIMAL(10,4)", Family::Decimal, 16).rule("TYPE-MONEY", "smallmoney → DECIMAL(10,4)")
        }
        "real" => m("FLOAT", Family::Float, 4).rule("TYPE-FLOAT", "real → FLOAT"),
        "float" => {
            if t.precision.is_some_and(|p| p <= 24) {
                m("FLOAT", Family::Float, 4).rule("TYPE-FLOAT", format!("{t} → FLOAT"))
            } else {
                m("DOUBLE", Family::Float, 8)
            }
        }
        "date" => m("DATE", Family::Date, 3),
        "datetime" => m("DATETIME(3)", Family::DateTime, 8).fsp(3).rule(
            "TYPE-DATETIME",
            "datetime → DATETIME(3) (1/300 s rounding on the source)",
        ),
        "smalldatetime" => m("DATETIME", Family::DateTime, 8)
            .fsp(0)
            .rule("TYPE-SMALLDATETIME", "smalldatetime → DATETIME"),
        "datetime2" | "time" | "datetimeoffset" => {
            let p = t.precision.unwrap_or(7);
            let fsp = p.min(6);
            let (base, fam) = if name == "time" {
                ("TIME", Family::Time)
            } else {
                ("DATETIME", Family::DateTime)
            };
            let mut x = m(format!("{base}({fsp})"), fam, 8).fsp(fsp);
            if p > 6 {
                x = x.rule(
                    "TYPE-DATETIME2-PRECISION",
                    format!("{t} → {base}({fsp}): the 7th fractional digit (100 ns) is truncated"),
                );
            }
            if name == "datetimeoffset" {
                x.offset_column = opts.datetimeoffset == OffsetAs::UtcWithOffsetColumn;
                let msg = if x.offset_column {
                    format!("{t} → {base}({fsp}) in UTC plus an offset column (minutes)")
                } else {
                    format!("{t} → {base}({fsp}) in UTC; the offset is dropped")
                };
                x = x.rule("TYPE-DATETIMEOFFSET", msg);
            }
            x
        }
        "char" | "nchar" => {
            let len = n.unwrap_or(1);
            let mut x = if len <= 255 {
                m(
                    format!("CHAR({len})"),
                    Family::Text { lob: false },
                    text(len),
                )
            } else {
                m(
                    format!("VARCHAR({len})"),
                    Family::Text { lob: false },
                    text(len),
                )
                .rule("TYPE-CHAR-LONG", format!("{t} → VARCHAR({len})"))
            };
            if name == "nchar" {
                x = x.rule("TYPE-UNICODE", format!("{t} → utf8mb4"));
            }
            x
        }
        "varchar" | "nvarchar" => {
            let mut x = if max {
                m("LONGTEXT", Family::Text { lob: true }, u32::MAX)
                    .rule("TYPE-LOB", format!("{t} → LONGTEXT"))
            } else {
                let len = n.unwrap_or(1);
                m(
                    format!("VARCHAR({len})"),
                    Family::Text { lob: false },
                    text(len),
                )
            };
            if name == "nvarchar" {
                x = x.rule("TYPE-UNICODE", format!("{t} → utf8mb4"));
            }
            x
        }
        "sysname" => m("VARCHAR(128)", Family::Text { lob: false }, 512)
            .rule("TYPE-SYSNAME", "sysname → VARCHAR(128)"),
        "text" | "ntext" => m("LONGTEXT", Family::Text { lob: true }, u32::MAX)
            .rule("TYPE-LOB", format!("{name} → LONGTEXT")),
        "xml" => {
            m("LONGTEXT", Family::Text { lob: true }, u32::MAX).rule("TYPE-XML", "xml → LONGTEXT")
        }
        "binary" => {
            let len = n.unwrap_or(1);
            if len <= 255 {
                m(format!("BINARY({len})"), Family::Binary { lob: false }, len)
            } else {
                m(
                    format!("VARBINARY({len})"),
                    Family::Binary { lob: false },
                    len,
                )
            }
        }
        "varbinary" => {
            if max {
                m("LONGBLOB", Family::Binary { lob: true }, u32::MAX)
                    .rule("TYPE-LOB", "varbinary(max) → LONGBLOB")
            } else {
                let len = n.unwrap_or(1);
                m(
                    format!("VARBINARY({len})"),
                    Family::Binary { lob: false },
                    len,
                )
            }
        }
        "image" => m("LONGBLOB", Family::Binary { lob: true }, u32::MAX)
            .rule("TYPE-LOB", "image → LONGBLOB"),
        "uniqueidentifier" => match opts.uniqueidentifier {
            UuidAs::Char36 => m("CHAR(36)", Family::Text { lob: false }, 144)
                .rule("TYPE-UNIQUEIDENTIFIER", "uniqueidentifier → CHAR(36)"),
            UuidAs::Binary16 => m("BINARY(16)", Family::Binary { lob: false }, 16)
                .rule("TYPE-UNIQUEIDENTIFIER", "uniqueidentifier → BINARY(16)"),
        },
        "rowversion" | "timestamp" => m("BINARY(8)", Family::Binary { lob: false }, 8).rule(
            "TYPE-ROWVERSION",
            format!("{name} → BINARY(8), not maintained by the target"),
        ),
        "sql_variant" => m("LONGTEXT", Family::Text { lob: true }, u32::MAX)
            .rule("TYPE-SQL-VARIANT", "sql_variant → LONGTEXT"),
        "hierarchyid" => m("VARBINARY(892)", Family::Binary { lob: false }, 892)
            .rule("TYPE-HIERARCHYID", "hierarchyid → VARBINARY(892)"),
        "geography" | "geometry" => m("GEOMETRY", Family::Spatial, u32::MAX)
            .rule("TYPE-SPATIAL", format!("{name} → GEOMETRY")),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_data_type;

    fn map(src: &str) -> Mapped {
        let t = parse_data_type(src).unwrap().to_model();
        map_type(&t, &TypeOptions::default()).unwrap()
    }

    #[test]
    fn issue_mapping_table() {
        for (src, want) in [
            ("tinyint", "TINYINT UNSIGNED"),
            ("bit", "TINYINT(1)"),
            ("money", "DECIMAL(19,4)"),
            ("smallmoney", "DECIMAL(10,4)"),
            ("real", "FLOAT"),
            ("float(24)", "FLOAT"),
            ("float", "DOUBLE"),
            ("float(53)", "DOUBLE"),
            ("datetime", "DATETIME(3)"),
            ("datetime2", "DATETIME(6)"),
            ("datetime2(7)", "DATETIME(6)"),
            ("datetime2(3)", "DATETIME(3)"),
            ("datetime2(0)", "DATETIME(0)"),
            ("smalldatetime", "DATETIME"),
            ("datetimeoffset(7)", "DATETIME(6)"),
            ("time(7)", "TIME(6)"),
            ("time(2)", "TIME(2)"),
            ("char(10)", "CHAR(10)"),
            ("nchar(300)", "VARCHAR(300)"),
            ("nvarchar(50)", "VARCHAR(50)"),
            ("varchar(max)", "LONGTEXT"),
            ("nvarchar(max)", "LONGTEXT"),
            ("text", "LONGTEXT"),
            ("ntext", "LONGTEXT"),
            ("xml", "LONGTEXT"),
            ("binary(16)", "BINARY(16)"),
            ("varbinary(100)", "VARBINARY(100)"),
            ("varbinary(max)", "LONGBLOB"),
            ("image", "LONGBLOB"),
            ("uniqueidentifier", "CHAR(36)"),
            ("rowversion", "BINARY(8)"),
            ("timestamp", "BINARY(8)"),
            ("decimal(9,2)", "DECIMAL(9,2)"),
            ("numeric", "DECIMAL(18,0)"),
            ("sql_variant", "LONGTEXT"),
            ("hierarchyid", "VARBINARY(892)"),
            ("geography", "GEOMETRY"),
        ] {
            assert_eq!(map(src).sql, want, "{src}");
        }
    }

    #[test]
    fn lossy_cases_name_their_rule() {
        let ids = |src: &str| map(src).rules.iter().map(|r| r.0).collect::<Vec<_>>();
        assert!(ids("datetime2(7)").contains(&"TYPE-DATETIME2-PRECISION"));
        assert!(!ids("datetime2(6)").contains(&"TYPE-DATETIME2-PRECISION"));
        assert!(ids("datetime").contains(&"TYPE-DATETIME"));
        assert!(ids("rowversion").contains(&"TYPE-ROWVERSION"));
        assert!(ids("datetimeoffset").contains(&"TYPE-DATETIMEOFFSET"));
        assert!(ids("xml").contains(&"TYPE-XML"));
        assert!(ids("int").is_empty());
    }

    #[test]
    fn options_and_overrides() {
        let t = parse_data_type("uniqueidentifier").unwrap().to_model();
        let mut o = TypeOptions {
            uniqueidentifier: UuidAs::Binary16,
            ..Default::default()
        };
        assert_eq!(map_type(&t, &o).unwrap().sql, "BINARY(16)");
        o.overrides
            .insert("uniqueidentifier".into(), "VARCHAR(40)".into());
        let x = map_type(&t, &o).unwrap();
        assert_eq!(x.sql, "VARCHAR(40)");
        assert_eq!(x.rules[0].0, "TYPE-OVERRIDE");
        assert!(map_type(&parse_data_type("dbo.ut_name").unwrap().to_model(), &o).is_none());
    }
}
