//! A table's row layout as of one TABLE_MAP: names, exact value kinds, key.
//!
//! Names and kinds come from the TABLE_MAP's own FULL metadata when the
//! server writes it; only what the binlog never carries (MariaDB's JSON
//! marker, generated columns) is looked up in the catalog, and then by column
//! *name*, so a catalog that is newer than the event cannot shift values.
//! Without FULL metadata the catalog supplies the names by position, and only
//! when its column count and types agree with the TABLE_MAP exactly.

use std::sync::Arc;

use encoding_rs::Encoding;
use sluice_engine::event::TableRef;

use super::catalog::{CatalogColumn, CatalogTable};
use super::decode::{bad, DecodeError};
use super::table_map::{ty, TableMap, WireColumn};

/// How a column's text bytes become a string (or stay bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Binary,
    Utf8,
    /// MySQL's `latin1` is Windows-1252.
    Latin1,
    Other(&'static Encoding),
}

/// How one column's bytes in a row image decode into a `Value`.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    /// Integers of 1, 2, 3, 4 or 8 bytes.
    Int {
        width: u8,
        unsigned: bool,
    },
    Float,
    Double,
    Decimal {
        precision: u8,
        scale: u8,
    },
    Year,
    Date,
    Time2 {
        fsp: u8,
    },
    DateTime2 {
        fsp: u8,
    },
    /// UTC epoch seconds plus fraction.
    Timestamp2 {
        fsp: u8,
    },
    /// Pre-5.6 `DATETIME` (packed decimal digits in a u64).
    DateTimeOld,
    /// Pre-5.6 `TIMESTAMP` (epoch seconds).
    TimestampOld,
    Bit {
        bytes: u8,
    },
    /// CHAR/VARCHAR/BINARY/VARBINARY with a 1- or 2-byte length prefix;
    /// `pad_to` restores BINARY(n)'s trimmed trailing zero bytes.
    Str {
        prefix: u8,
        text: Text,
        pad_to: Option<usize>,
    },
    /// BLOB/TEXT family (also MariaDB JSON and GEOMETRY) with a 1–4 byte length.
    Blob {
        prefix: u8,
        text: Text,
        json: bool,
    },
    Enum {
        width: u8,
        members: Arc<[String]>,
    },
    Set {
        width: u8,
        members: Arc<[String]>,
    },
    Null,
}

/// One column of a resolved table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    pub kind: ColumnKind,
    /// Virtual or stored generated column: decoded (its bytes are in the
    /// image) but left out of the change event, since no sink may write it.
    pub generated: bool,
}

/// The resolved layout of a table as of one TABLE_MAP event.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    pub table: TableRef,
    /// Every column in row-image order, generated ones included.
    pub columns: Vec<ColumnSpec>,
    /// Names of the columns an event carries (generated ones left out).
    pub out_columns: Arc<[String]>,
    /// Key indexes into `out_columns`.
    pub key: Arc<[u16]>,
    /// Where the primary key came from, for diagnostics.
    pub key_source: &'static str,
}

fn classify_collation(id: u64) -> Option<Text> {
    Some(match id {
        63 => Text::Binary,
        5 | 8 | 15 | 31 | 47 | 48 | 49 | 94 => Text::Latin1,
        // ascii, utf8mb3 and utf8mb4 collations (MySQL and MariaDB numbering).
        11 | 65 | 33 | 83 | 45 | 46 | 76 | 192..=215 | 223..=247 | 255..=323 => Text::Utf8,
        576..=579 | 608..=611 | 1024..=2047 => Text::Utf8,
        _ => return None,
    })
}

fn classify_charset(name: &str) -> Option<Text> {
    Some(match name.to_ascii_lowercase().as_str() {
        "binary" => Text::Binary,
        "utf8" | "utf8mb3" | "utf8mb4" | "ascii" => Text::Utf8,
        "latin1" => Text::Latin1,
        other => Text::Other(Encoding::for_label(other.as_bytes())?),
    })
}

/// Members of `enum('a','b')` / `set('x','y')` from a catalog COLUMN_TYPE.
pub fn parse_members(column_type: &str) -> Option<Vec<String>> {
    let open = column_type.find('(')?;
    let body = &column_type[open + 1..column_type.rfind(')')?];
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        if chars.next()? != '\'' {
            return None;
        }
        let mut s = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    s.push('\'');
                }
                '\'' => break,
                '\\' => s.push(chars.next()?),
                c => s.push(c),
            }
        }
        out.push(s);
        if chars.peek().is_none() {
            return Some(out);
        }
    }
}

// Catalog DATA_TYPE values a TABLE_MAP type code may stand for.
fn catalog_type_matches(w: &WireColumn, data_type: &str) -> bool {
    let d = data_type;
    match w.real_type() {
        ty::TINY => d == "tinyint" || d == "bool" || d == "boolean",
        ty::SHORT => d == "smallint",
        ty::INT24 => d == "mediumint",
        ty::LONG => d == "int" || d == "integer",
        ty::LONGLONG => d == "bigint",
        ty::FLOAT => d == "float",
        ty::DOUBLE => d == "double" || d == "real",
        ty::NEWDECIMAL | ty::DECIMAL => d == "decimal" || d == "numeric",
        ty::YEAR => d == "year",
        ty::DATE | ty::NEWDATE => d == "date",
        ty::TIME | ty::TIME2 => d == "time",
        ty::DATETIME | ty::DATETIME2 => d == "datetime",
        ty::TIMESTAMP | ty::TIMESTAMP2 => d == "timestamp",
        ty::BIT => d == "bit",
        ty::VARCHAR | ty::VAR_STRING => d == "varchar" || d == "varbinary",
        ty::STRING => d == "char" || d == "binary",
        ty::ENUM => d == "enum",
        ty::SET => d == "set",
        ty::BLOB | ty::TINY_BLOB | ty::MEDIUM_BLOB | ty::LONG_BLOB => {
            d.ends_with("blob") || d.ends_with("text") || d == "json"
        }
        ty::JSON => d == "json",
        ty::GEOMETRY => true,
        _ => false,
    }
}

impl TableSchema {
    /// Resolves a TABLE_MAP into a layout, consulting `catalog` (the table as
    /// the server's information_schema shows it now) only where the binlog is
    /// silent. Refuses rather than guesses when names cannot be known.
    pub fn resolve(tm: &TableMap, catalog: Option<&CatalogTable>) -> Result<Self, DecodeError> {
        let table = TableRef::new(tm.schema.clone(), tm.table.clone());
        let n = tm.columns.len();
        let names: Vec<String> = match (&tm.meta.names, catalog) {
            (Some(names), _) => names.clone(),
            (None, Some(cat)) => {
                if cat.columns.len() != n {
                    return bad(format!(
                        "{table}: the binlog has no column names (binlog_row_metadata is not FULL) \
                         and the catalog's {} columns differ from the binlog's {n}: refusing to guess",
                        cat.columns.len()
                    ));
                }
                for (i, (w, c)) in tm.columns.iter().zip(&cat.columns).enumerate() {
                    if !catalog_type_matches(w, &c.data_type) {
                        return bad(format!(
                            "{table}: column {} ({}) in the catalog does not match binlog type {} at position {i}: \
                             the table changed since this event; refusing to guess",
                            c.name, c.data_type, w.type_code
                        ));
                    }
                }
                cat.columns.iter().map(|c| c.name.clone()).collect()
            }
            (None, None) => {
                return bad(format!(
                    "{table}: the binlog has no column names (binlog_row_metadata is not FULL) and no catalog is available"
                ))
            }
        };
        let by_name = |name: &str| -> Option<&CatalogColumn> {
            catalog?
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
        };
        let (mut numeric_i, mut char_i, mut enum_i, mut set_i) = (0usize, 0usize, 0usize, 0usize);
        let mut columns = Vec::with_capacity(n);
        for (w, name) in tm.columns.iter().zip(&names) {
            let cat = by_name(name);
            let unsigned = if w.is_numeric() {
                let u = tm
                    .meta
                    .unsigned
                    .as_ref()
                    .and_then(|v| v.get(numeric_i).copied())
                    .or_else(|| cat.map(|c| c.column_type.contains("unsigned")));
                numeric_i += 1;
                u
            } else {
                None
            };
            let text = if w.is_character() {
                let from_meta = tm
                    .meta
                    .collations
                    .as_ref()
                    .and_then(|v| v.get(char_i).copied())
                    .and_then(classify_collation);
                char_i += 1;
                let from_cat = cat.map(|c| match &c.charset {
                    Some(cs) => classify_charset(cs),
                    None => Some(Text::Binary),
                });
                match from_meta.or(from_cat.flatten()) {
                    Some(t) => Some(t),
                    None => {
                        return bad(format!(
                            "{table}.{name}: unknown character set (collation {:?}, catalog {:?})",
                            tm.meta.collations.as_ref().and_then(|v| v.get(char_i - 1)),
                            cat.and_then(|c| c.charset.clone())
                        ))
                    }
                }
            } else {
                None
            };
            let members = |from_meta: Option<&Vec<Vec<String>>>, idx: usize| {
                from_meta
                    .and_then(|v| v.get(idx).cloned())
                    .or_else(|| cat.and_then(|c| parse_members(&c.column_type)))
            };
            let kind = match w.real_type() {
                ty::ENUM => {
                    let m = members(tm.meta.enum_members.as_ref(), enum_i);
                    enum_i += 1;
                    let Some(m) = m else {
                        return bad(format!("{table}.{name}: ENUM members unknown"));
                    };
                    if !(1..=2).contains(&w.meta[1]) {
                        return bad(format!("{table}.{name}: ENUM of {} bytes", w.meta[1]));
                    }
                    ColumnKind::Enum {
                        width: w.meta[1],
                        members: m.into(),
                    }
                }
                ty::SET => {
                    let m = members(tm.meta.set_members.as_ref(), set_i);
                    set_i += 1;
                    let Some(m) = m else {
                        return bad(format!("{table}.{name}: SET members unknown"));
                    };
                    if !(1..=8).contains(&w.meta[1]) {
                        return bad(format!("{table}.{name}: SET of {} bytes", w.meta[1]));
                    }
                    ColumnKind::Set {
                        width: w.meta[1],
                        members: m.into(),
                    }
                }
                _ => kind_of(w, unsigned, text, cat, &table, name)?,
            };
            columns.push(ColumnSpec {
                name: name.clone(),
                kind,
                generated: cat.is_some_and(|c| c.generated),
            });
        }
        // Output layout: generated columns dropped, key remapped onto what is left.
        let mut out_index = vec![None; n];
        let mut out_columns = Vec::with_capacity(n);
        for (i, c) in columns.iter().enumerate() {
            if !c.generated {
                out_index[i] = Some(out_columns.len() as u16);
                out_columns.push(c.name.clone());
            }
        }
        let (pk, key_source): (Option<Vec<usize>>, _) = match (&tm.meta.primary_key, catalog) {
            (Some(pk), _) => (Some(pk.clone()), "binlog metadata"),
            (None, Some(cat)) if !cat.primary_key.is_empty() => (
                cat.primary_key
                    .iter()
                    .map(|k| names.iter().position(|n| n.eq_ignore_ascii_case(k)))
                    .collect(),
                "catalog",
            ),
            _ => (None, "all columns (no primary key)"),
        };
        let key: Vec<u16> = match pk {
            Some(pk) if pk.iter().all(|&i| out_index[i].is_some()) => {
                pk.iter().map(|&i| out_index[i].expect("checked")).collect()
            }
            _ => (0..out_columns.len() as u16).collect(),
        };
        if out_columns.is_empty() {
            return bad(format!("{table}: every column is generated"));
        }
        Ok(TableSchema {
            table,
            columns,
            out_columns: out_columns.into(),
            key: key.into(),
            key_source,
        })
    }
}

fn kind_of(
    w: &WireColumn,
    unsigned: Option<bool>,
    text: Option<Text>,
    cat: Option<&CatalogColumn>,
    table: &TableRef,
    name: &str,
) -> Result<ColumnKind, DecodeError> {
    let unsigned = unsigned.unwrap_or(false);
    let fsp = |m: u8| {
        if m > 6 {
            bad(format!("{table}.{name}: fractional precision {m} > 6"))
        } else {
            Ok(m)
        }
    };
    Ok(match w.real_type() {
        ty::TINY => ColumnKind::Int { width: 1, unsigned },
        ty::SHORT => ColumnKind::Int { width: 2, unsigned },
        ty::INT24 => ColumnKind::Int { width: 3, unsigned },
        ty::LONG => ColumnKind::Int { width: 4, unsigned },
        ty::LONGLONG => ColumnKind::Int { width: 8, unsigned },
        ty::FLOAT => ColumnKind::Float,
        ty::DOUBLE => ColumnKind::Double,
        ty::NEWDECIMAL => {
            let (precision, scale) = (w.meta[0], w.meta[1]);
            if precision == 0 || scale > precision || precision > 38 {
                return bad(format!(
                    "{table}.{name}: DECIMAL({precision},{scale}) is outside what sluice carries exactly (precision 1..=38)"
                ));
            }
            ColumnKind::Decimal { precision, scale }
        }
        ty::YEAR => ColumnKind::Year,
        ty::DATE | ty::NEWDATE => ColumnKind::Date,
        ty::TIME2 => ColumnKind::Time2 {
            fsp: fsp(w.meta[0])?,
        },
        ty::DATETIME2 => ColumnKind::DateTime2 {
            fsp: fsp(w.meta[0])?,
        },
        ty::TIMESTAMP2 => ColumnKind::Timestamp2 {
            fsp: fsp(w.meta[0])?,
        },
        ty::DATETIME => ColumnKind::DateTimeOld,
        ty::TIMESTAMP => ColumnKind::TimestampOld,
        ty::BIT => {
            let bytes = w.meta[1] as u16 + u16::from(w.meta[0] > 0);
            if bytes == 0 || bytes > 8 {
                return bad(format!("{table}.{name}: BIT of {bytes} bytes"));
            }
            ColumnKind::Bit { bytes: bytes as u8 }
        }
        ty::VARCHAR | ty::VAR_STRING => {
            let max = u16::from_le_bytes(w.meta) as usize;
            ColumnKind::Str {
                prefix: if max < 256 { 1 } else { 2 },
                text: text.unwrap_or(Text::Binary),
                pad_to: None,
            }
        }
        ty::STRING => {
            let (b0, b1) = (w.meta[0], w.meta[1]);
            let max = if b0 & 0x30 != 0x30 {
                ((((b0 & 0x30) ^ 0x30) as usize) << 4) | b1 as usize
            } else {
                b1 as usize
            };
            let text = text.unwrap_or(Text::Binary);
            ColumnKind::Str {
                prefix: if max < 256 { 1 } else { 2 },
                text,
                pad_to: (text == Text::Binary).then_some(max),
            }
        }
        ty::BLOB | ty::TINY_BLOB | ty::MEDIUM_BLOB | ty::LONG_BLOB | ty::GEOMETRY => {
            let prefix = w.meta[0];
            if !(1..=4).contains(&prefix) {
                return bad(format!("{table}.{name}: BLOB length size {prefix}"));
            }
            ColumnKind::Blob {
                prefix,
                text: if w.type_code == ty::GEOMETRY {
                    Text::Binary
                } else {
                    text.unwrap_or(Text::Binary)
                },
                json: cat.is_some_and(|c| c.json),
            }
        }
        ty::JSON => {
            return bad(format!(
            "{table}.{name}: MySQL binary JSON is not decoded yet (MariaDB's JSON is text and is)"
        ))
        }
        ty::NULL => ColumnKind::Null,
        other => return bad(format!("{table}.{name}: unsupported column type {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_members_parse_quotes() {
        assert_eq!(
            parse_members("enum('a','it''s','b,c')").unwrap(),
            vec!["a", "it's", "b,c"]
        );
        assert_eq!(parse_members("set('x')").unwrap(), vec!["x"]);
        assert!(parse_members("int(11)").is_none());
    }
}
