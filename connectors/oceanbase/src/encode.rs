//! `Value` → SQL literal for OceanBase MySQL mode, exactly.
//!
//! Values are sent as literals in the text protocol rather than as prepared
//! statement parameters: a multi-row statement then needs no prepare round
//! trip and no per-row-count statement cache, and the encoding of every type
//! is one plain, testable function.
//!
//! The literals assume the session settings [`crate::conn`] applies:
//! `NO_BACKSLASH_ESCAPES` (so only `'` needs escaping), `utf8mb4`, and
//! `time_zone = '+00:00'`.
//!
//! | `Value` | literal | target column | rule |
//! |---|---|---|---|
//! | `Null` | `NULL` | any | |
//! | `Bool` | `1` / `0` | `TINYINT(1)`/`BOOLEAN`, `BIT(1)` | |
//! | integers | decimal digits | integer types | exact, signed or unsigned |
//! | `Decimal` | `-123.4500` | `DECIMAL(p,s)` | exact text at the value's scale, never a float |
//! | `F32` | the `f32` widened to `f64`, shortest round-trip exponent form | `FLOAT` | exact (the widening is exact) |
//! | `F64` | shortest round-trip exponent form (`1.5e0`) | `DOUBLE` | exact; NaN/±∞ refused (MySQL cannot store them) |
//! | `String`, `Json` | `'…'` with `'` doubled; `_utf8mb4 X'…'` when it holds a NUL | `VARCHAR`/`TEXT`/`JSON` | exact bytes (a `JSON` column normalizes whitespace) |
//! | `Bytes` | `X'…'` | `VARBINARY`/`BLOB`/`BINARY` | exact |
//! | `Date` | `'YYYY-MM-DD'` | `DATE` | exact (years 1..=9999) |
//! | `Time` | `'HH:MM:SS.ffffff'` | `TIME(6)` | [`Time::lossy_truncate_to_micros`]: drops the 7th digit (≤ 900 ns), truncating, never carrying |
//! | `DateTime` | `'YYYY-MM-DD HH:MM:SS.ffffff'` | `DATETIME(6)` | [`DateTime::lossy_truncate_to_micros`], as above |
//! | `DateTimeOffset` | the UTC instant, as `DateTime` | `DATETIME(6)` (UTC) or `TIMESTAMP(6)` | [`DateTimeOffset::lossy_to_utc`] (drops the writer's offset, keeps the instant) then truncation |
//! | `Uuid` | `'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'` lowercase | `CHAR(36)` | exact (RFC 4122 order) |

use std::fmt::Write;

use sluice_engine::value::{uuid_to_string, DateTime, Time, Value};

#[allow(unused_imports)] // named in the docs above
use sluice_engine::value::DateTimeOffset;

/// A value that has no exact MySQL-mode literal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// NaN or an infinity: MySQL's FLOAT/DOUBLE cannot hold it. The message names the type only.
    #[error("{0} value is NaN or infinite, which OceanBase (MySQL mode) cannot store")]
    NotFinite(&'static str),
}

/// Quotes an identifier with backticks (a backtick inside is doubled).
pub fn quote_ident(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    push_ident(&mut s, name);
    s
}

/// Appends a backtick-quoted identifier.
pub fn push_ident(out: &mut String, name: &str) {
    out.push('`');
    for c in name.chars() {
        if c == '`' {
            out.push('`');
        }
        out.push(c);
    }
    out.push('`');
}

/// The literal for `v`, as a new string.
pub fn literal(v: &Value) -> Result<String, EncodeError> {
    let mut s = String::new();
    push_literal(&mut s, v)?;
    Ok(s)
}

/// Appends the literal for `v` to `out`.
pub fn push_literal(out: &mut String, v: &Value) -> Result<(), EncodeError> {
    // `write!` into a String cannot fail.
    match v {
        Value::Null => out.push_str("NULL"),
        Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
        Value::I8(x) => write!(out, "{x}").unwrap(),
        Value::I16(x) => write!(out, "{x}").unwrap(),
        Value::I32(x) => write!(out, "{x}").unwrap(),
        Value::I64(x) => write!(out, "{x}").unwrap(),
        Value::U8(x) => write!(out, "{x}").unwrap(),
        Value::U16(x) => write!(out, "{x}").unwrap(),
        Value::U32(x) => write!(out, "{x}").unwrap(),
        Value::U64(x) => write!(out, "{x}").unwrap(),
        Value::Decimal(d) => write!(out, "{d}").unwrap(),
        Value::F32(x) => push_float(out, f64::from(*x), "f32")?,
        Value::F64(x) => push_float(out, *x, "f64")?,
        Value::String(s) | Value::Json(s) => push_string(out, s),
        Value::Bytes(b) => push_hex(out, b),
        Value::Date(d) => write!(out, "'{d}'").unwrap(),
        Value::Time(t) => push_time(out, *t),
        Value::DateTime(dt) => push_datetime(out, *dt),
        Value::DateTimeOffset(dto) => push_datetime(out, dto.lossy_to_utc()),
        Value::Uuid(u) => write!(out, "'{}'", uuid_to_string(u)).unwrap(),
    }
    Ok(())
}

fn push_float(out: &mut String, x: f64, ty: &'static str) -> Result<(), EncodeError> {
    if !x.is_finite() {
        return Err(EncodeError::NotFinite(ty));
    }
    // Rust's `{:e}` is the shortest text that parses back to the same f64;
    // the exponent form makes MySQL read it as a DOUBLE, not a DECIMAL.
    write!(out, "{x:e}").unwrap();
    Ok(())
}

fn push_string(out: &mut String, s: &str) {
    if s.contains('\0') {
        // A NUL inside a quoted literal is not safe with every server parser.
        out.push_str("_utf8mb4 ");
        push_hex(out, s.as_bytes());
        return;
    }
    out.reserve(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

fn push_hex(out: &mut String, b: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(b.len() * 2 + 3);
    out.push_str("X'");
    for &byte in b {
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 15) as usize] as char);
    }
    out.push('\'');
}

fn push_time_of_day(out: &mut String, t: Time) {
    let (h, m, s, ticks) = t.lossy_truncate_to_micros().hms_ticks();
    write!(out, "{h:02}:{m:02}:{s:02}.{:06}", ticks / 10).unwrap();
}

fn push_time(out: &mut String, t: Time) {
    out.push('\'');
    push_time_of_day(out, t);
    out.push('\'');
}

fn push_datetime(out: &mut String, dt: DateTime) {
    let dt = dt.lossy_truncate_to_micros();
    write!(out, "'{} ", dt.date).unwrap();
    push_time_of_day(out, dt.time);
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_engine::value::{Date, DateTimeOffset, Decimal};

    fn lit(v: Value) -> String {
        literal(&v).unwrap()
    }

    #[test]
    fn scalars() {
        assert_eq!(lit(Value::Null), "NULL");
        assert_eq!(lit(Value::Bool(true)), "1");
        assert_eq!(lit(Value::I8(-128)), "-128");
        assert_eq!(lit(Value::I64(i64::MIN)), "-9223372036854775808");
        assert_eq!(lit(Value::U64(u64::MAX)), "18446744073709551615");
        assert_eq!(
            lit(Value::Decimal(Decimal::new(-5, 10, 4).unwrap())),
            "-0.0005"
        );
    }

    #[test]
    fn floats_are_shortest_round_trip_and_never_nan() {
        assert_eq!(lit(Value::F64(1.5)), "1.5e0");
        assert_eq!(lit(Value::F64(0.1)), "1e-1");
        assert_eq!(lit(Value::F64(f64::MAX)), "1.7976931348623157e308");
        assert_eq!(
            lit(Value::F32(0.1)),
            "1.0000000149011612e-1",
            "exact f32 widening"
        );
        for x in [
            0.1f64,
            -3.25e-300,
            123_456_789.123_456_79,
            f64::MIN_POSITIVE,
        ] {
            let back: f64 = lit(Value::F64(x)).parse().unwrap();
            assert_eq!(back.to_bits(), x.to_bits());
        }
        assert_eq!(
            literal(&Value::F64(f64::NAN)),
            Err(EncodeError::NotFinite("f64"))
        );
        assert!(literal(&Value::F32(f32::INFINITY)).is_err());
    }

    #[test]
    fn strings_escape_only_quotes_and_hex_nul() {
        assert_eq!(lit(Value::String("it's \\ ok".into())), "'it''s \\ ok'");
        assert_eq!(lit(Value::String("a\0b".into())), "_utf8mb4 X'610062'");
        assert_eq!(lit(Value::Json("{\"a\":1}".into())), "'{\"a\":1}'");
        assert_eq!(lit(Value::Bytes(vec![0, 0xAB, 0xff])), "X'00ABFF'");
        assert_eq!(lit(Value::Bytes(vec![])), "X''");
    }

    #[test]
    fn identifiers_double_backticks() {
        assert_eq!(quote_ident("we`ird"), "`we``ird`");
    }

    #[test]
    fn temporal_values_truncate_the_100ns_digit() {
        let date = Date::from_ymd(2024, 2, 29).unwrap();
        let time = Time::from_hms_ticks(23, 59, 59, 9_999_999).unwrap();
        assert_eq!(lit(Value::Date(date)), "'2024-02-29'");
        assert_eq!(lit(Value::Time(time)), "'23:59:59.999999'");
        let dt = DateTime { date, time };
        assert_eq!(lit(Value::DateTime(dt)), "'2024-02-29 23:59:59.999999'");
        let dto = DateTimeOffset {
            utc: dt,
            offset_minutes: -300,
        };
        assert_eq!(
            lit(Value::DateTimeOffset(dto)),
            "'2024-02-29 23:59:59.999999'",
            "the UTC instant, offset dropped"
        );
        let early = DateTime {
            date: Date::from_ymd(1, 1, 1).unwrap(),
            time: Time { ticks: 5 },
        };
        assert_eq!(lit(Value::DateTime(early)), "'0001-01-01 00:00:00.000000'");
    }

    #[test]
    fn uuid_is_lowercase_rfc_text() {
        let u =
            sluice_engine::value::uuid_from_str("6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap();
        assert_eq!(
            lit(Value::Uuid(u)),
            "'6f9619ff-8b86-d011-b42d-00c04fc964ff'"
        );
    }
}
