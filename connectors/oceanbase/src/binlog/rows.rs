//! Row images of WRITE/UPDATE/DELETE_ROWS events → `RowOp`s of exact `Value`s.

use sluice_engine::event::RowOp;
use sluice_engine::value::{
    Date, DateTime, DateTimeOffset, Decimal, Time, Value, TICKS_PER_SECOND,
};

use super::decode::{bad, Cursor, DecodeError, RowsEvent, RowsKind};
use super::schema::{ColumnKind, ColumnSpec, TableSchema, Text};

/// Decodes every row of a rows event against the table's layout.
///
/// The event's column count must equal the layout's: a mismatch means the
/// layout is not the one the event was written with, and decoding on would
/// shift values into the wrong columns.
pub fn decode_rows(ev: &RowsEvent<'_>, schema: &TableSchema) -> Result<Vec<RowOp>, DecodeError> {
    let mut c = Cursor::new(ev.body, "ROWS");
    let width = c.lenenc()?;
    let n = schema.columns.len();
    if width != n as u64 {
        return bad(format!(
            "{}: row event has {width} columns but the table map has {n}",
            schema.table
        ));
    }
    let bitmap_len = n.div_ceil(8);
    let full = |bits: &[u8]| (0..n).all(|i| bits[i / 8] & (1 << (i % 8)) != 0);
    if !full(c.take(bitmap_len)?) {
        return bad(format!(
            "{}: row image is not FULL (set binlog_row_image=FULL)",
            schema.table
        ));
    }
    if ev.kind == RowsKind::Update && !full(c.take(bitmap_len)?) {
        return bad(format!(
            "{}: after image is not FULL (set binlog_row_image=FULL)",
            schema.table
        ));
    }
    let mut out = Vec::new();
    while !c.is_empty() {
        let first = image(&mut c, schema)?;
        out.push(match ev.kind {
            RowsKind::Write => RowOp::Insert { after: first },
            RowsKind::Delete => RowOp::Delete { before: first },
            RowsKind::Update => RowOp::Update {
                before: first,
                after: image(&mut c, schema)?,
            },
        });
    }
    Ok(out)
}

fn image(c: &mut Cursor<'_>, schema: &TableSchema) -> Result<Vec<Value>, DecodeError> {
    let n = schema.columns.len();
    let nulls = c.take(n.div_ceil(8))?;
    let mut row = Vec::with_capacity(schema.out_columns.len());
    for (i, col) in schema.columns.iter().enumerate() {
        let v = if nulls[i / 8] & (1 << (i % 8)) != 0 {
            Value::Null
        } else {
            value(c, col).map_err(|e| DecodeError(format!("{}.{}: {e}", schema.table, col.name)))?
        };
        // Generated columns are read (their bytes are in the image) but not carried.
        if !col.generated {
            row.push(v);
        }
    }
    Ok(row)
}

fn text(bytes: &[u8], t: Text) -> Result<Value, DecodeError> {
    Ok(match t {
        Text::Binary => Value::Bytes(bytes.to_vec()),
        Text::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => Value::String(s.to_string()),
            Err(e) => return bad(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
        },
        Text::Latin1 => Value::String(
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        ),
        Text::Other(enc) => {
            let (s, had_errors) = enc.decode_without_bom_handling(bytes);
            if had_errors {
                return bad(format!("invalid {} text", enc.name()));
            }
            Value::String(s.into_owned())
        }
    })
}

fn frac_micros(c: &mut Cursor<'_>, fsp: u8) -> Result<u32, DecodeError> {
    Ok(match fsp {
        0 => 0,
        1 | 2 => c.u8()? as u32 * 10_000,
        3 | 4 => c.uint_be(2)? as u32 * 100,
        _ => c.uint_be(3)? as u32,
    })
}

fn micros_to_ticks(us: u32) -> Result<u32, DecodeError> {
    if us >= 1_000_000 {
        return bad("fraction out of range");
    }
    Ok(us * 10)
}

fn date(year: u64, month: u64, day: u64) -> Result<Date, DecodeError> {
    if year == 0 || month == 0 || day == 0 {
        return bad("zero or partial date (0000-00-00) cannot be carried exactly");
    }
    Date::from_ymd(year as i32, month as u32, day as u32).map_err(|e| DecodeError(e.to_string()))
}

fn time(h: u64, m: u64, s: u64, us: u32) -> Result<Time, DecodeError> {
    Time::from_hms_ticks(h as u32, m as u32, s as u32, micros_to_ticks(us)?)
        .map_err(|e| DecodeError(e.to_string()))
}

fn unix_instant(secs: u64, us: u32) -> Result<Value, DecodeError> {
    if secs == 0 && us == 0 {
        return bad("zero TIMESTAMP (0000-00-00 00:00:00) cannot be carried exactly");
    }
    let days = (secs / 86_400) as i32;
    let rem = secs % 86_400;
    Ok(Value::DateTimeOffset(DateTimeOffset {
        utc: DateTime {
            date: Date::from_unix_days(days),
            time: Time {
                ticks: rem * TICKS_PER_SECOND + micros_to_ticks(us)? as u64,
            },
        },
        offset_minutes: 0,
    }))
}

const DIG2BYTES: [usize; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

fn decimal(c: &mut Cursor<'_>, precision: u8, scale: u8) -> Result<Value, DecodeError> {
    let intg = (precision - scale) as usize;
    let (intg0, intg0x) = (intg / 9, intg % 9);
    let (frac0, frac0x) = (scale as usize / 9, scale as usize % 9);
    let size = intg0 * 4 + DIG2BYTES[intg0x] + frac0 * 4 + DIG2BYTES[frac0x];
    let mut buf = c.take(size)?.to_vec();
    if buf.is_empty() {
        return bad("empty decimal");
    }
    let negative = buf[0] & 0x80 == 0;
    buf[0] ^= 0x80;
    if negative {
        buf.iter_mut().for_each(|b| *b ^= 0xff);
    }
    let mut d = Cursor::new(&buf, "DECIMAL");
    let overflow = || DecodeError("decimal digits overflow".into());
    let group = |d: &mut Cursor<'_>, bytes: usize, digits: u32, acc: i128| {
        let v = d.uint_be(bytes)? as i128;
        if v >= 10i128.pow(digits) {
            return bad("decimal group out of range");
        }
        acc.checked_mul(10i128.pow(digits))
            .and_then(|a| a.checked_add(v))
            .ok_or_else(overflow)
    };
    let mut int_part = 0i128;
    if intg0x > 0 {
        int_part = group(&mut d, DIG2BYTES[intg0x], intg0x as u32, 0)?;
    }
    for _ in 0..intg0 {
        int_part = group(&mut d, 4, 9, int_part)?;
    }
    let mut frac_part = 0i128;
    for _ in 0..frac0 {
        frac_part = group(&mut d, 4, 9, frac_part)?;
    }
    if frac0x > 0 {
        frac_part = group(&mut d, DIG2BYTES[frac0x], frac0x as u32, frac_part)?;
    }
    let mut unscaled = int_part
        .checked_mul(10i128.pow(scale as u32))
        .and_then(|v| v.checked_add(frac_part))
        .ok_or_else(overflow)?;
    if negative {
        unscaled = -unscaled;
    }
    Decimal::new(unscaled, precision, scale)
        .map(Value::Decimal)
        .map_err(|e| DecodeError(e.to_string()))
}

fn value(c: &mut Cursor<'_>, col: &ColumnSpec) -> Result<Value, DecodeError> {
    Ok(match &col.kind {
        ColumnKind::Int { width, unsigned } => {
            let w = *width as usize;
            let raw = c.uint(w)?;
            match (w, unsigned) {
                (1, true) => Value::U8(raw as u8),
                (1, false) => Value::I8(raw as u8 as i8),
                (2, true) => Value::U16(raw as u16),
                (2, false) => Value::I16(raw as u16 as i16),
                (3, true) => Value::U32(raw as u32),
                // Sign-extend the 24-bit value.
                (3, false) => Value::I32(((raw as u32) << 8) as i32 >> 8),
                (4, true) => Value::U32(raw as u32),
                (4, false) => Value::I32(raw as u32 as i32),
                (_, true) => Value::U64(raw),
                (_, false) => Value::I64(raw as i64),
            }
        }
        ColumnKind::Float => Value::F32(f32::from_bits(c.u32()?)),
        ColumnKind::Double => Value::F64(f64::from_bits(c.u64()?)),
        ColumnKind::Decimal { precision, scale } => decimal(c, *precision, *scale)?,
        ColumnKind::Year => {
            let y = c.u8()? as u16;
            Value::U16(if y == 0 { 0 } else { 1900 + y })
        }
        ColumnKind::Date => {
            let v = c.uint(3)?;
            Value::Date(date(v >> 9, (v >> 5) & 15, v & 31)?)
        }
        ColumnKind::Time2 { fsp } => {
            const INT_OFS: i64 = 0x80_0000;
            let packed: i64 = match fsp {
                0 => (c.uint_be(3)? as i64 - INT_OFS) << 24,
                1 | 2 => {
                    let mut int = c.uint_be(3)? as i64 - INT_OFS;
                    let mut frac = c.u8()? as i64;
                    if int < 0 && frac != 0 {
                        int += 1;
                        frac -= 0x100;
                    }
                    (int << 24) + frac * 10_000
                }
                3 | 4 => {
                    let mut int = c.uint_be(3)? as i64 - INT_OFS;
                    let mut frac = c.uint_be(2)? as i64;
                    if int < 0 && frac != 0 {
                        int += 1;
                        frac -= 0x1_0000;
                    }
                    (int << 24) + frac * 100
                }
                _ => c.uint_be(6)? as i64 - 0x8000_0000_0000,
            };
            if packed < 0 {
                return bad("negative TIME is not a time of day and cannot be carried exactly");
            }
            let hms = packed >> 24;
            let us = (packed & 0xff_ffff) as u32;
            let h = ((hms >> 12) & 0x3ff) as u64;
            if h > 23 {
                return bad(
                    "TIME of 24 hours or more is not a time of day and cannot be carried exactly",
                );
            }
            Value::Time(time(h, ((hms >> 6) & 63) as u64, (hms & 63) as u64, us)?)
        }
        ColumnKind::DateTime2 { fsp } => {
            let int = c.uint_be(5)? as i64 - 0x80_0000_0000;
            let us = frac_micros(c, *fsp)?;
            if int < 0 {
                return bad("negative DATETIME");
            }
            let int = int as u64;
            let ymd = int >> 17;
            let ym = ymd >> 5;
            let hms = int & 0x1_ffff;
            Value::DateTime(DateTime {
                date: date(ym / 13, ym % 13, ymd & 31)?,
                time: time(hms >> 12, (hms >> 6) & 63, hms & 63, us)?,
            })
        }
        ColumnKind::Timestamp2 { fsp } => {
            let secs = c.uint_be(4)?;
            let us = frac_micros(c, *fsp)?;
            unix_instant(secs, us)?
        }
        ColumnKind::TimestampOld => unix_instant(c.u32()? as u64, 0)?,
        ColumnKind::DateTimeOld => {
            let v = c.u64()?;
            let (d, t) = (v / 1_000_000, v % 1_000_000);
            Value::DateTime(DateTime {
                date: date(d / 10_000, d / 100 % 100, d % 100)?,
                time: time(t / 10_000, t / 100 % 100, t % 100, 0)?,
            })
        }
        ColumnKind::Bit { bytes } => Value::U64(c.uint_be(*bytes as usize)?),
        ColumnKind::Str {
            prefix,
            text: t,
            pad_to,
        } => {
            let len = c.uint(*prefix as usize)? as usize;
            let bytes = c.take(len)?;
            match pad_to {
                Some(n) if bytes.len() < *n => {
                    let mut b = bytes.to_vec();
                    b.resize(*n, 0);
                    Value::Bytes(b)
                }
                _ => text(bytes, *t)?,
            }
        }
        ColumnKind::Blob {
            prefix,
            text: t,
            json,
        } => {
            let len = c.uint(*prefix as usize)? as usize;
            let bytes = c.take(len)?;
            match (text(bytes, *t)?, json) {
                (Value::String(s), true) => Value::Json(s),
                (v, _) => v,
            }
        }
        ColumnKind::Enum { width, members } => {
            let i = c.uint(*width as usize)? as usize;
            match i {
                // Index 0 is MySQL's "invalid value" marker, shown as ''.
                0 => Value::String(String::new()),
                i => match members.get(i - 1) {
                    Some(m) => Value::String(m.clone()),
                    None => return bad(format!("ENUM index {i} beyond {} members", members.len())),
                },
            }
        }
        ColumnKind::Set { width, members } => {
            let bits = c.uint(*width as usize)?;
            if members.len() < 64 && bits >> members.len() != 0 {
                return bad(format!("SET bits beyond {} members", members.len()));
            }
            let names: Vec<&str> = members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 64 && bits & (1 << i) != 0)
                .map(|(_, m)| m.as_str())
                .collect();
            Value::String(names.join(","))
        }
        ColumnKind::Null => Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(kind: ColumnKind) -> ColumnSpec {
        ColumnSpec {
            name: "c".into(),
            kind,
            generated: false,
        }
    }

    fn dec(bytes: &[u8], p: u8, s: u8) -> String {
        match decimal(&mut Cursor::new(bytes, "t"), p, s).unwrap() {
            Value::Decimal(d) => d.to_string(),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn decimal_matches_mysql_examples() {
        // DECIMAL(14,4) 1234567890.1234 from MySQL's decimal2bin documentation.
        assert_eq!(
            dec(&[0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2], 14, 4),
            "1234567890.1234"
        );
        // Negated: every byte inverted.
        assert_eq!(
            dec(&[0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D], 14, 4),
            "-1234567890.1234"
        );
    }

    #[test]
    fn unsigned_tiny_minus_one_is_255() {
        let u = col(ColumnKind::Int {
            width: 1,
            unsigned: true,
        });
        let s = col(ColumnKind::Int {
            width: 1,
            unsigned: false,
        });
        assert_eq!(
            value(&mut Cursor::new(&[0xff], "t"), &u).unwrap(),
            Value::U8(255)
        );
        assert_eq!(
            value(&mut Cursor::new(&[0xff], "t"), &s).unwrap(),
            Value::I8(-1)
        );
        let m = col(ColumnKind::Int {
            width: 3,
            unsigned: false,
        });
        assert_eq!(
            value(&mut Cursor::new(&[0xff, 0xff, 0xff], "t"), &m).unwrap(),
            Value::I32(-1)
        );
    }

    #[test]
    fn set_of_nine_members_is_two_bytes() {
        let members: Vec<String> = (1..=9).map(|i| format!("m{i}")).collect();
        let s = col(ColumnKind::Set {
            width: 2,
            members: members.into(),
        });
        assert_eq!(
            value(&mut Cursor::new(&[0x01, 0x01], "t"), &s).unwrap(),
            Value::String("m1,m9".into())
        );
    }
}
