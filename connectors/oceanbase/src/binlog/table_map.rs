//! TABLE_MAP events: which table a table id means, its column types, and —
//! with `binlog_row_metadata=FULL` — its column names, signedness, charsets,
//! ENUM/SET members and primary key.

use super::decode::{bad, Cursor, DecodeError};

/// MySQL column type codes as they appear in TABLE_MAP events.
pub mod ty {
    pub const DECIMAL: u8 = 0;
    pub const TINY: u8 = 1;
    pub const SHORT: u8 = 2;
    pub const LONG: u8 = 3;
    pub const FLOAT: u8 = 4;
    pub const DOUBLE: u8 = 5;
    pub const NULL: u8 = 6;
    pub const TIMESTAMP: u8 = 7;
    pub const LONGLONG: u8 = 8;
    pub const INT24: u8 = 9;
    pub const DATE: u8 = 10;
    pub const TIME: u8 = 11;
    pub const DATETIME: u8 = 12;
    pub const YEAR: u8 = 13;
    pub const NEWDATE: u8 = 14;
    pub const VARCHAR: u8 = 15;
    pub const BIT: u8 = 16;
    pub const TIMESTAMP2: u8 = 17;
    pub const DATETIME2: u8 = 18;
    pub const TIME2: u8 = 19;
    pub const JSON: u8 = 245;
    pub const NEWDECIMAL: u8 = 246;
    pub const ENUM: u8 = 247;
    pub const SET: u8 = 248;
    pub const TINY_BLOB: u8 = 249;
    pub const MEDIUM_BLOB: u8 = 250;
    pub const LONG_BLOB: u8 = 251;
    pub const BLOB: u8 = 252;
    pub const VAR_STRING: u8 = 253;
    pub const STRING: u8 = 254;
    pub const GEOMETRY: u8 = 255;
}

/// One column as the TABLE_MAP describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireColumn {
    pub type_code: u8,
    /// Type metadata (0–2 bytes, unused bytes zero), in wire order.
    pub meta: [u8; 2],
    pub nullable: bool,
}

impl WireColumn {
    /// The type a STRING column really is (CHAR/BINARY, ENUM or SET).
    pub fn real_type(&self) -> u8 {
        if self.type_code == ty::STRING && self.meta[0] != 0 {
            // Large CHAR lengths borrow bits 4-5 of the real-type byte.
            if self.meta[0] & 0x30 != 0x30 {
                return ty::STRING;
            }
            return self.meta[0];
        }
        self.type_code
    }

    /// Numeric in the sense of the signedness metadata: one bit per such column.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.type_code,
            ty::TINY
                | ty::SHORT
                | ty::INT24
                | ty::LONG
                | ty::LONGLONG
                | ty::FLOAT
                | ty::DOUBLE
                | ty::NEWDECIMAL
                | ty::DECIMAL
        )
    }

    /// Character in the sense of the charset metadata (ENUM/SET excluded).
    pub fn is_character(&self) -> bool {
        match self.type_code {
            ty::VARCHAR
            | ty::VAR_STRING
            | ty::BLOB
            | ty::TINY_BLOB
            | ty::MEDIUM_BLOB
            | ty::LONG_BLOB => true,
            ty::STRING => self.real_type() == ty::STRING,
            _ => false,
        }
    }

    pub fn is_enum(&self) -> bool {
        self.real_type() == ty::ENUM
    }

    pub fn is_set(&self) -> bool {
        self.real_type() == ty::SET
    }
}

/// What `binlog_row_metadata=FULL` (or MINIMAL, partly) adds to a TABLE_MAP.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionalMeta {
    /// Unsigned flag per numeric column, in column order.
    pub unsigned: Option<Vec<bool>>,
    /// Collation id per character column, in column order.
    pub collations: Option<Vec<u64>>,
    pub names: Option<Vec<String>>,
    pub enum_members: Option<Vec<Vec<String>>>,
    pub set_members: Option<Vec<Vec<String>>>,
    /// Column indexes of the primary key, in key order (`Some(empty)` never occurs).
    pub primary_key: Option<Vec<usize>>,
}

/// A decoded TABLE_MAP event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMap {
    pub table_id: u64,
    pub schema: String,
    pub table: String,
    pub columns: Vec<WireColumn>,
    pub meta: OptionalMeta,
}

/// Upper bound on columns per table (MySQL allows 4096).
const MAX_COLUMNS: usize = 4096;

impl TableMap {
    /// Parses a TABLE_MAP body whose post-header is `post_header_len` bytes.
    pub fn parse(body: &[u8], post_header_len: usize) -> Result<Self, DecodeError> {
        let mut c = Cursor::new(body, "TABLE_MAP");
        let id_len = if post_header_len == 6 { 4 } else { 6 };
        let table_id = c.uint(id_len)?;
        c.take(post_header_len.saturating_sub(id_len))?;
        let schema_len = c.u8()? as usize;
        let schema = String::from_utf8_lossy(c.take(schema_len)?).into_owned();
        c.take(1)?;
        let table_len = c.u8()? as usize;
        let table = String::from_utf8_lossy(c.take(table_len)?).into_owned();
        c.take(1)?;
        let n = c.lenenc_len()?;
        if n == 0 || n > MAX_COLUMNS {
            return bad(format!("TABLE_MAP {schema}.{table}: {n} columns"));
        }
        let types = c.take(n)?;
        let mut meta = Cursor::new(c.lenenc_bytes()?, "TABLE_MAP column metadata");
        let nulls = c.take(n.div_ceil(8))?;
        let mut columns = Vec::with_capacity(n);
        for (i, &type_code) in types.iter().enumerate() {
            let mlen = match type_code {
                ty::FLOAT
                | ty::DOUBLE
                | ty::BLOB
                | ty::TINY_BLOB
                | ty::MEDIUM_BLOB
                | ty::LONG_BLOB
                | ty::GEOMETRY
                | ty::JSON
                | ty::TIME2
                | ty::DATETIME2
                | ty::TIMESTAMP2 => 1,
                ty::VARCHAR
                | ty::VAR_STRING
                | ty::NEWDECIMAL
                | ty::STRING
                | ty::BIT
                | ty::ENUM
                | ty::SET => 2,
                _ => 0,
            };
            let mut m = [0u8; 2];
            m[..mlen].copy_from_slice(meta.take(mlen)?);
            columns.push(WireColumn {
                type_code,
                meta: m,
                nullable: nulls[i / 8] & (1 << (i % 8)) != 0,
            });
        }
        let meta = parse_optional(c.rest(), &columns)?;
        if let Some(names) = &meta.names {
            if names.len() != n {
                return bad(format!(
                    "TABLE_MAP {schema}.{table}: {} column names for {n} columns",
                    names.len()
                ));
            }
        }
        Ok(TableMap {
            table_id,
            schema,
            table,
            columns,
            meta,
        })
    }
}

fn strings(c: &mut Cursor<'_>) -> Result<Vec<String>, DecodeError> {
    let n = c.lenenc_len()?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(String::from_utf8_lossy(c.lenenc_bytes()?).into_owned());
    }
    Ok(v)
}

fn parse_optional(mut rest: &[u8], cols: &[WireColumn]) -> Result<OptionalMeta, DecodeError> {
    let mut m = OptionalMeta::default();
    let n_char = cols.iter().filter(|c| c.is_character()).count();
    while !rest.is_empty() {
        let mut c = Cursor::new(rest, "TABLE_MAP optional metadata");
        let tag = c.u8()?;
        let field = c.lenenc_bytes()?;
        rest = c.rest();
        let mut f = Cursor::new(field, "TABLE_MAP optional metadata field");
        match tag {
            1 => {
                let numeric = cols.iter().filter(|c| c.is_numeric()).count();
                let bits = f.take(numeric.div_ceil(8))?;
                m.unsigned = Some(
                    (0..numeric)
                        .map(|i| bits[i / 8] & (0x80 >> (i % 8)) != 0)
                        .collect(),
                );
            }
            2 => {
                // Default collation, then (character-column index, collation) exceptions.
                let default = f.lenenc()?;
                let mut v = vec![default; n_char];
                while !f.is_empty() {
                    let i = f.lenenc()? as usize;
                    let coll = f.lenenc()?;
                    match v.get_mut(i) {
                        Some(slot) => *slot = coll,
                        None => {
                            return bad(format!(
                                "charset override for character column {i} of {n_char}"
                            ))
                        }
                    }
                }
                m.collations = Some(v);
            }
            3 => {
                let mut v = Vec::with_capacity(n_char);
                while !f.is_empty() {
                    v.push(f.lenenc()?);
                }
                m.collations = Some(v);
            }
            4 => {
                let mut v = Vec::with_capacity(cols.len());
                while !f.is_empty() {
                    v.push(String::from_utf8_lossy(f.lenenc_bytes()?).into_owned());
                }
                m.names = Some(v);
            }
            5 | 6 => {
                let mut v = Vec::new();
                while !f.is_empty() {
                    v.push(strings(&mut f)?);
                }
                if tag == 5 {
                    m.set_members = Some(v);
                } else {
                    m.enum_members = Some(v);
                }
            }
            8 | 9 => {
                let mut pk = Vec::new();
                while !f.is_empty() {
                    let i = f.lenenc()? as usize;
                    if i >= cols.len() {
                        return bad(format!("primary key column {i} of {}", cols.len()));
                    }
                    pk.push(i);
                    if tag == 9 {
                        let _prefix = f.lenenc()?;
                    }
                }
                if !pk.is_empty() {
                    m.primary_key = Some(pk);
                }
            }
            // Geometry types, ENUM/SET charsets, visibility: not needed to decode rows.
            _ => {}
        }
    }
    Ok(m)
}
