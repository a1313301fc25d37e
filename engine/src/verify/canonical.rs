//! The canonical row encoding both sides of a comparison agree on.
//!
//! Each column is rendered to a canonical text under a [`CanonKind`] chosen
//! from the *migration's* type mapping (not from either engine's display
//! rules), then framed as `N;` for NULL or `<byte length>:<text>;` otherwise,
//! so no separator inside a value and no NULL/empty-string pair can collide.
//! A row's hash is the first 8 bytes (big-endian) of the MD5 of that framing;
//! a chunk's digest is the row count plus the row hashes summed mod 2^64
//! (a sum, not an XOR: two equal rows must not cancel out).
//!
//! A database that can build the same text in SQL (MySQL mode can, see the
//! oceanbase connector's `verify` module) computes chunk digests itself;
//! otherwise the rows are hashed here. Either way the bytes hashed are the
//! ones this module defines.

use std::cmp::Ordering;
use std::fmt::Write;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::value::{uuid_from_str, uuid_to_string, Decimal, Value, TICKS_PER_SECOND};

/// How a column's values are canonicalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CanonKind {
    /// Any integer width and signedness, as decimal digits.
    Int,
    /// `bit` / `BOOL`: `1` or `0`.
    Bool,
    /// Exact decimal at the column's scale (`12.50` for DECIMAL(5,2)).
    Decimal { scale: u8 },
    /// Floating point: the shortest text that round-trips the `f64` (an `f32`
    /// is widened exactly first). Bit-exact equality; no database renders this
    /// in SQL, so tables with floats are hashed on the client.
    Float,
    /// Text as UTF-8. `trim_trailing_spaces` for CHAR(n) columns, whose
    /// padding SQL Server keeps and MySQL mode drops on read.
    Text { trim_trailing_spaces: bool },
    /// Bytes as upper-case hex.
    Bytes,
    /// `YYYY-MM-DD`.
    Date,
    /// `HH:MM:SS[.f…]` with `frac_digits` digits, truncated (the loader truncates).
    Time { frac_digits: u8 },
    /// `YYYY-MM-DD HH:MM:SS[.f…]` with `frac_digits` digits, truncated. A
    /// `datetimeoffset` is compared by its UTC instant.
    DateTime { frac_digits: u8 },
    /// Lower-case 8-4-4-4-12.
    Uuid,
    /// JSON text as stored.
    Json,
}

/// Why a value cannot be canonicalized under a kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {value_type} value cannot be compared as {kind:?}")]
pub struct CanonError {
    pub value_type: &'static str,
    pub kind: CanonKind,
}

fn frac_text(ticks_in_second: u64, digits: u8) -> String {
    if digits == 0 {
        return String::new();
    }
    let digits = digits.min(7) as usize;
    let s = format!(".{:07}", ticks_in_second);
    s[..1 + digits].to_string()
}

/// Renders one non-null value's canonical text.
pub fn canonical_text(v: &Value, kind: CanonKind) -> Result<String, CanonError> {
    let bad = || CanonError {
        value_type: v.type_name(),
        kind,
    };
    Ok(match kind {
        CanonKind::Int => match v {
            Value::Bool(b) => (*b as u8).to_string(),
            Value::Decimal(d) if d.scale == 0 => d.to_string(),
            _ => v.as_i128().ok_or_else(bad)?.to_string(),
        },
        CanonKind::Bool => match v {
            Value::Bool(b) => (*b as u8).to_string(),
            _ => match v.as_i128().ok_or_else(bad)? {
                0 => "0".into(),
                _ => "1".into(),
            },
        },
        CanonKind::Decimal { scale } => {
            let d = match v {
                Value::Decimal(d) => *d,
                _ => Decimal {
                    unscaled: v.as_i128().ok_or_else(bad)?,
                    precision: 38,
                    scale: 0,
                },
            };
            d.rescale_exact(scale, 38).map_err(|_| bad())?.to_string()
        }
        CanonKind::Float => match v {
            Value::F64(f) => format!("{f:?}"),
            Value::F32(f) => format!("{:?}", *f as f64),
            _ => return Err(bad()),
        },
        CanonKind::Text {
            trim_trailing_spaces,
        } => match v {
            Value::String(s) | Value::Json(s) => {
                if trim_trailing_spaces {
                    s.trim_end_matches(' ').to_string()
                } else {
                    s.clone()
                }
            }
            _ => return Err(bad()),
        },
        CanonKind::Bytes => match v {
            Value::Bytes(b) => {
                let mut s = String::with_capacity(b.len() * 2);
                for x in b {
                    let _ = write!(s, "{x:02X}");
                }
                s
            }
            _ => return Err(bad()),
        },
        CanonKind::Date => match v {
            Value::Date(d) => d.to_string(),
            Value::DateTime(dt) => dt.date.to_string(),
            _ => return Err(bad()),
        },
        CanonKind::Time { frac_digits } => match v {
            Value::Time(t) => {
                let (h, m, s, f) = t.hms_ticks();
                format!("{h:02}:{m:02}:{s:02}{}", frac_text(f as u64, frac_digits))
            }
            _ => return Err(bad()),
        },
        CanonKind::DateTime { frac_digits } => {
            let dt = match v {
                Value::DateTime(dt) => *dt,
                Value::DateTimeOffset(o) => o.utc,
                Value::Date(d) => crate::value::DateTime {
                    date: *d,
                    time: crate::value::Time { ticks: 0 },
                },
                _ => return Err(bad()),
            };
            let (h, m, s, f) = dt.time.hms_ticks();
            format!(
                "{} {h:02}:{m:02}:{s:02}{}",
                dt.date,
                frac_text(f as u64 % TICKS_PER_SECOND, frac_digits)
            )
        }
        CanonKind::Uuid => match v {
            Value::Uuid(b) => uuid_to_string(b),
            Value::String(s) => uuid_to_string(&uuid_from_str(s).ok_or_else(bad)?),
            Value::Bytes(b) if b.len() == 16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(b);
                uuid_to_string(&a)
            }
            _ => return Err(bad()),
        },
        CanonKind::Json => match v {
            Value::Json(s) | Value::String(s) => s.clone(),
            _ => return Err(bad()),
        },
    })
}

/// Appends one column's framing (`N;` or `<len>:<text>;`) to `out`.
pub fn frame_value(out: &mut Vec<u8>, v: &Value, kind: CanonKind) -> Result<(), CanonError> {
    if v.is_null() {
        out.extend_from_slice(b"N;");
        return Ok(());
    }
    let t = canonical_text(v, kind)?;
    out.extend_from_slice(t.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(t.as_bytes());
    out.push(b';');
    Ok(())
}

/// The framed canonical bytes of a whole row.
pub fn canonical_row(row: &[Value], kinds: &[CanonKind]) -> Result<Vec<u8>, CanonError> {
    let mut out = Vec::with_capacity(row.len() * 12);
    for (v, k) in row.iter().zip(kinds) {
        frame_value(&mut out, v, *k)?;
    }
    Ok(out)
}

/// First 8 bytes (big-endian) of the MD5 of `bytes`.
pub fn hash64(bytes: &[u8]) -> u64 {
    let d = Md5::digest(bytes);
    u64::from_be_bytes(d[..8].try_into().expect("md5 is 16 bytes"))
}

/// A row's hash under the canonical encoding.
pub fn row_hash(row: &[Value], kinds: &[CanonKind]) -> Result<u64, CanonError> {
    Ok(hash64(&canonical_row(row, kinds)?))
}

/// Count and hash sum of a set of rows: equal sets give equal digests, and
/// the digest of a union is the sum of the digests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkDigest {
    pub count: u64,
    pub sum: u64,
}

impl ChunkDigest {
    pub fn add_row(&mut self, hash: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(hash);
    }

    /// Builds a digest from a database's decimal `SUM` text (any sign, any
    /// size), reducing it mod 2^64.
    pub fn from_sum_text(count: u64, sum: &str) -> Option<Self> {
        let t = sum.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, t),
        };
        let digits = digits.split('.').next()?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut acc: u64 = 0;
        for b in digits.bytes() {
            acc = acc.wrapping_mul(10).wrapping_add((b - b'0') as u64);
        }
        Some(ChunkDigest {
            count,
            sum: if neg { acc.wrapping_neg() } else { acc },
        })
    }
}

/// Orders key values the way both sides' range predicates do: numbers
/// numerically, text and bytes by their bytes (binary collation), temporal
/// values chronologically. Values of unrelated types order by type name so
/// the order stays total.
pub fn cmp_values(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    match (a, b) {
        (Null, Null) => Ordering::Equal,
        (Null, _) => Ordering::Less,
        (_, Null) => Ordering::Greater,
        (Decimal(x), Decimal(y)) => {
            let s = x.scale.max(y.scale);
            let ux = x.rescale_exact(s, 38).map(|d| d.unscaled);
            let uy = y.rescale_exact(s, 38).map(|d| d.unscaled);
            match (ux, uy) {
                (Ok(p), Ok(q)) => p.cmp(&q),
                _ => x.lossy_to_f64().total_cmp(&y.lossy_to_f64()),
            }
        }
        (Decimal(x), other) | (other, Decimal(x)) if other.as_i128().is_some() => {
            let i = other.as_i128().expect("checked");
            let d = crate::value::Decimal {
                unscaled: i,
                precision: 38,
                scale: 0,
            };
            let ord = cmp_values(&Decimal(*x), &Decimal(d));
            if matches!(a, Decimal(_)) {
                ord
            } else {
                ord.reverse()
            }
        }
        _ if a.as_i128().is_some() && b.as_i128().is_some() => {
            a.as_i128().unwrap().cmp(&b.as_i128().unwrap())
        }
        (String(x), String(y)) | (Json(x), Json(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Bytes(x), Bytes(y)) => x.cmp(y),
        (Uuid(x), Uuid(y)) => uuid_to_string(x).cmp(&uuid_to_string(y)),
        (Uuid(x), String(y)) => uuid_to_string(x)
            .as_bytes()
            .cmp(y.to_lowercase().as_bytes()),
        (String(x), Uuid(y)) => x
            .to_lowercase()
            .as_bytes()
            .cmp(uuid_to_string(y).as_bytes()),
        (Date(x), Date(y)) => x.cmp(y),
        (Time(x), Time(y)) => x.cmp(y),
        (DateTime(x), DateTime(y)) => x.cmp(y),
        (DateTimeOffset(x), DateTimeOffset(y)) => x.cmp(y),
        (F64(x), F64(y)) => x.total_cmp(y),
        (F32(x), F32(y)) => x.total_cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        _ => a.type_name().cmp(b.type_name()),
    }
}

/// Lexicographic order of key tuples under [`cmp_values`].
pub fn cmp_keys(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match cmp_values(x, y) {
            Ordering::Equal => continue,
            o => return o,
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Date, DateTime, Time};

    fn framed(vals: &[Value], kinds: &[CanonKind]) -> String {
        String::from_utf8(canonical_row(vals, kinds).unwrap()).unwrap()
    }

    #[test]
    fn framing_keeps_null_empty_and_separators_apart() {
        let k = [CanonKind::Text {
            trim_trailing_spaces: false,
        }; 2];
        let a = framed(&[Value::Null, Value::String("".into())], &k);
        let b = framed(&[Value::String("".into()), Value::Null], &k);
        let c = framed(
            &[Value::String("a;1:b".into()), Value::String("".into())],
            &k,
        );
        let d = framed(
            &[Value::String("a".into()), Value::String("1:b;".into())],
            &k,
        );
        assert_eq!(a, "N;0:;");
        assert_ne!(a, b);
        assert_ne!(c, d);
    }

    #[test]
    fn decimals_render_at_the_column_scale() {
        let k = CanonKind::Decimal { scale: 4 };
        let d = Decimal::parse("12.5", 10, 1).unwrap();
        assert_eq!(canonical_text(&Value::Decimal(d), k).unwrap(), "12.5000");
        assert_eq!(canonical_text(&Value::I32(-3), k).unwrap(), "-3.0000");
        // A value that does not fit the scale is refused, not rounded.
        let fine = Decimal::parse("1.23456", 10, 5).unwrap();
        assert!(canonical_text(&Value::Decimal(fine), k).is_err());
    }

    #[test]
    fn char_padding_rule_applies_only_to_char_columns() {
        let v = Value::String("ab  ".into());
        let padded = CanonKind::Text {
            trim_trailing_spaces: true,
        };
        let varchar = CanonKind::Text {
            trim_trailing_spaces: false,
        };
        assert_eq!(canonical_text(&v, padded).unwrap(), "ab");
        assert_eq!(canonical_text(&v, varchar).unwrap(), "ab  ");
    }

    #[test]
    fn datetimes_truncate_to_the_migration_precision() {
        let dt = Value::DateTime(DateTime {
            date: Date::from_ymd(2024, 2, 29).unwrap(),
            time: Time::from_hms_ticks(23, 59, 59, 9_999_999).unwrap(),
        });
        assert_eq!(
            canonical_text(&dt, CanonKind::DateTime { frac_digits: 6 }).unwrap(),
            "2024-02-29 23:59:59.999999"
        );
        assert_eq!(
            canonical_text(&dt, CanonKind::DateTime { frac_digits: 0 }).unwrap(),
            "2024-02-29 23:59:59"
        );
    }

    #[test]
    fn uuids_compare_case_insensitively_across_representations() {
        let b = uuid_from_str("6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap();
        let as_text = Value::String("6F9619FF-8B86-D011-B42D-00C04FC964FF".into());
        assert_eq!(
            canonical_text(&Value::Uuid(b), CanonKind::Uuid).unwrap(),
            canonical_text(&as_text, CanonKind::Uuid).unwrap()
        );
    }

    #[test]
    fn digests_sum_so_duplicates_do_not_cancel() {
        let mut once = ChunkDigest::default();
        once.add_row(42);
        let mut twice = once;
        twice.add_row(42);
        twice.add_row(42);
        assert_ne!(once.sum, twice.sum.wrapping_sub(42)); // XOR would make these equal
        assert_eq!(twice.count, 3);
    }

    #[test]
    fn database_sum_text_reduces_mod_2_64() {
        let h: [u64; 3] = [u64::MAX, u64::MAX - 5, 1 << 63];
        let exact: u128 = h.iter().map(|&x| x as u128).sum();
        let d = ChunkDigest::from_sum_text(3, &exact.to_string()).unwrap();
        let mut want = ChunkDigest::default();
        h.iter().for_each(|&x| want.add_row(x));
        assert_eq!(d, want);
        // Signed sums (SQL Server BIGINT hashes) agree mod 2^64 too.
        let signed: i128 = h.iter().map(|&x| x as i64 as i128).sum();
        assert_eq!(
            ChunkDigest::from_sum_text(3, &signed.to_string()).unwrap(),
            want
        );
        assert!(ChunkDigest::from_sum_text(1, "12x").is_none());
    }

    #[test]
    fn keys_order_numerically_and_bytewise() {
        assert_eq!(cmp_values(&Value::I32(9), &Value::I64(10)), Ordering::Less);
        assert_eq!(
            cmp_values(&Value::String("B".into()), &Value::String("a".into())),
            Ordering::Less,
            "binary order: upper case before lower case"
        );
        let d = Value::Decimal(Decimal::parse("2.5", 5, 1).unwrap());
        assert_eq!(cmp_values(&Value::I32(2), &d), Ordering::Less);
        assert_eq!(cmp_values(&d, &Value::I32(3)), Ordering::Less);
    }
}
