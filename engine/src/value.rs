//! The one value type both databases' rows are normalized into.
//!
//! [`Value`] must hold anything SQL Server or OceanBase (MySQL mode) can put in
//! a column without loss, so that the event log never decides precision on a
//! connector's behalf. Every conversion that *can* lose information is a named
//! function whose documentation says exactly what it loses; nothing lossy
//! happens implicitly.

use std::cmp::Ordering;
use std::fmt;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// Number of 100 ns ticks in one day (SQL Server `time(7)` resolution).
pub const TICKS_PER_DAY: u64 = 864_000_000_000;
/// Number of 100 ns ticks in one second.
pub const TICKS_PER_SECOND: u64 = 10_000_000;

/// A column value, lossless for every type either side produces.
#[derive(Debug, Clone, PartialEq, Encode, Decode, Serialize, Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    /// Exact decimal with its declared precision and scale (never a float).
    Decimal(Decimal),
    F32(f32),
    F64(f64),
    String(String),
    Bytes(Vec<u8>),
    Date(Date),
    /// Time of day at 100 ns resolution (`time(7)`).
    Time(Time),
    /// Wall-clock date and time without zone at 100 ns resolution (`datetime2(7)`).
    DateTime(DateTime),
    /// A UTC instant plus the offset it was written with (`datetimeoffset`).
    DateTimeOffset(DateTimeOffset),
    /// A UUID in RFC 4122 byte order (not SQL Server's mixed-endian wire order).
    Uuid([u8; 16]),
    /// JSON text, kept verbatim.
    Json(String),
}

impl Value {
    /// Short type tag used in error messages (never the value itself: values may be patient data).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::I8(_) => "i8",
            Value::I16(_) => "i16",
            Value::I32(_) => "i32",
            Value::I64(_) => "i64",
            Value::U8(_) => "u8",
            Value::U16(_) => "u16",
            Value::U32(_) => "u32",
            Value::U64(_) => "u64",
            Value::Decimal(_) => "decimal",
            Value::F32(_) => "f32",
            Value::F64(_) => "f64",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::DateTime(_) => "datetime",
            Value::DateTimeOffset(_) => "datetimeoffset",
            Value::Uuid(_) => "uuid",
            Value::Json(_) => "json",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as an `i128` when it is any integer type; used for key hashing and range planning.
    pub fn as_i128(&self) -> Option<i128> {
        Some(match *self {
            Value::I8(v) => v as i128,
            Value::I16(v) => v as i128,
            Value::I32(v) => v as i128,
            Value::I64(v) => v as i128,
            Value::U8(v) => v as i128,
            Value::U16(v) => v as i128,
            Value::U32(v) => v as i128,
            Value::U64(v) => v as i128,
            _ => return None,
        })
    }

    /// Narrows an `F64` to `F32`.
    ///
    /// Loses: every digit beyond `f32`'s 24-bit mantissa, and turns magnitudes
    /// above `f32::MAX` into infinity. Other variants are returned unchanged.
    pub fn lossy_f64_to_f32(self) -> Value {
        match self {
            Value::F64(v) => Value::F32(v as f32),
            other => other,
        }
    }
}

/// An exact decimal: `unscaled * 10^-scale`, with the column's declared precision.
///
/// `i128` holds every DECIMAL(38, s) value SQL Server can store (10^38 - 1 < 2^127).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct Decimal {
    pub unscaled: i128,
    pub precision: u8,
    pub scale: u8,
}

/// Why a decimal could not be built or converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("not a decimal number: {0:?}")]
    Syntax(String),
    #[error("decimal needs {needed} digits but precision is {precision}")]
    Overflow { needed: u32, precision: u8 },
    #[error("precision {precision} / scale {scale} out of range (1..=38, scale <= precision)")]
    BadShape { precision: u8, scale: u8 },
}

const MAX_DECIMAL_PRECISION: u8 = 38;

fn digit_count(mut v: u128) -> u32 {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

impl Decimal {
    /// Builds a decimal, checking the unscaled value fits the precision.
    pub fn new(unscaled: i128, precision: u8, scale: u8) -> Result<Self, DecimalError> {
        if precision == 0 || precision > MAX_DECIMAL_PRECISION || scale > precision {
            return Err(DecimalError::BadShape { precision, scale });
        }
        let needed = digit_count(unscaled.unsigned_abs());
        if unscaled != 0 && needed > precision as u32 {
            return Err(DecimalError::Overflow { needed, precision });
        }
        Ok(Decimal {
            unscaled,
            precision,
            scale,
        })
    }

    /// Parses `-123.4500` style text into a decimal of the given precision and scale.
    ///
    /// Text with more fractional digits than `scale` is rejected rather than
    /// rounded: a parse must never lose digits silently.
    pub fn parse(text: &str, precision: u8, scale: u8) -> Result<Self, DecimalError> {
        let t = text.trim();
        let (neg, body) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int_part.is_empty() && frac_part.is_empty())
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return Err(DecimalError::Syntax(text.to_string()));
        }
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > scale as usize {
            return Err(DecimalError::Syntax(format!(
                "{text} has more than {scale} fractional digits"
            )));
        }
        let mut unscaled: i128 = 0;
        let overflow = || DecimalError::Overflow {
            needed: 39,
            precision,
        };
        for b in int_part
            .bytes()
            .chain(frac_trimmed.bytes().chain(std::iter::repeat_n(
                b'0',
                scale as usize - frac_trimmed.len(),
            )))
        {
            unscaled = unscaled
                .checked_mul(10)
                .and_then(|v| v.checked_add((b - b'0') as i128))
                .ok_or_else(overflow)?;
        }
        if neg {
            unscaled = -unscaled;
        }
        Decimal::new(unscaled, precision, scale)
    }

    /// Changes the scale, refusing when digits would be dropped.
    pub fn rescale_exact(self, scale: u8, precision: u8) -> Result<Self, DecimalError> {
        let unscaled = if scale >= self.scale {
            let factor =
                10i128
                    .checked_pow((scale - self.scale) as u32)
                    .ok_or(DecimalError::Overflow {
                        needed: 39,
                        precision,
                    })?;
            self.unscaled
                .checked_mul(factor)
                .ok_or(DecimalError::Overflow {
                    needed: 39,
                    precision,
                })?
        } else {
            let factor = 10i128.pow((self.scale - scale) as u32);
            if self.unscaled % factor != 0 {
                return Err(DecimalError::Syntax(format!(
                    "{self} does not fit scale {scale} without rounding"
                )));
            }
            self.unscaled / factor
        };
        Decimal::new(unscaled, precision, scale)
    }

    /// Converts to `f64`.
    ///
    /// Loses: digits beyond f64's ~15.9 significant decimal digits. Only for
    /// display and statistics, never for data that is written anywhere.
    pub fn lossy_to_f64(self) -> f64 {
        self.unscaled as f64 / 10f64.powi(self.scale as i32)
    }
}

impl fmt::Display for Decimal {
    /// Canonical text: all `scale` fractional digits, no exponent, `-` only when negative.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.unscaled < 0;
        let digits = self.unscaled.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (i, frac) = padded.split_at(padded.len() - scale);
        if neg {
            f.write_str("-")?;
        }
        f.write_str(i)?;
        if scale > 0 {
            f.write_str(".")?;
            f.write_str(frac)?;
        }
        Ok(())
    }
}

/// A calendar date in the proleptic Gregorian calendar, years 1..=9999.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
pub struct Date {
    /// Days since 0001-01-01 (SQL Server's `date` wire encoding uses the same origin).
    pub days: i32,
}

/// Why a date/time could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {detail}")]
pub struct DateTimeError {
    pub what: &'static str,
    pub detail: String,
}

// Days from 0001-01-01 to 1970-01-01.
const UNIX_EPOCH_DAYS: i32 = 719_162;

impl Date {
    /// Builds a date from civil fields, validating month length and leap years.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Self, DateTimeError> {
        let bad = |d: String| DateTimeError {
            what: "date",
            detail: d,
        };
        if !(1..=9999).contains(&year) {
            return Err(bad(format!("year {year} outside 1..=9999")));
        }
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(bad(format!("{year:04}-{month:02}-{day:02}")));
        }
        Ok(Date {
            days: days_from_civil(year, month, day) + UNIX_EPOCH_DAYS,
        })
    }

    /// Civil (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.days - UNIX_EPOCH_DAYS)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn unix_days(self) -> i32 {
        self.days - UNIX_EPOCH_DAYS
    }

    pub fn from_unix_days(days: i32) -> Self {
        Date {
            days: days + UNIX_EPOCH_DAYS,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the whole proleptic calendar.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Time of day in 100 ns ticks since midnight.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
pub struct Time {
    pub ticks: u64,
}

impl Time {
    pub fn from_hms_ticks(h: u32, m: u32, s: u32, frac_ticks: u32) -> Result<Self, DateTimeError> {
        if h > 23 || m > 59 || s > 59 || frac_ticks as u64 >= TICKS_PER_SECOND {
            return Err(DateTimeError {
                what: "time",
                detail: format!("{h:02}:{m:02}:{s:02} + {frac_ticks} ticks"),
            });
        }
        Ok(Time {
            ticks: ((h as u64 * 60 + m as u64) * 60 + s as u64) * TICKS_PER_SECOND
                + frac_ticks as u64,
        })
    }

    /// (hour, minute, second, 100 ns ticks within the second).
    pub fn hms_ticks(self) -> (u32, u32, u32, u32) {
        let secs = self.ticks / TICKS_PER_SECOND;
        (
            (secs / 3600) as u32,
            (secs / 60 % 60) as u32,
            (secs % 60) as u32,
            (self.ticks % TICKS_PER_SECOND) as u32,
        )
    }

    /// Drops the seventh fractional digit (100 ns) to fit a microsecond type.
    ///
    /// Loses: up to 900 ns. Truncation, not rounding, so a value never moves
    /// into the next second, minute or day (MySQL `TIME(6)` and `DATETIME(6)`).
    pub fn lossy_truncate_to_micros(self) -> Time {
        Time {
            ticks: self.ticks - self.ticks % 10,
        }
    }
}

impl fmt::Display for Time {
    /// `HH:MM:SS.fffffff` (always seven fractional digits: canonical, not pretty).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s, t) = self.hms_ticks();
        write!(f, "{h:02}:{m:02}:{s:02}.{t:07}")
    }
}

/// A wall-clock date and time without zone.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
pub struct DateTime {
    pub date: Date,
    pub time: Time,
}

impl DateTime {
    /// Ticks since 0001-01-01 00:00:00.
    pub fn total_ticks(self) -> i128 {
        self.date.days as i128 * TICKS_PER_DAY as i128 + self.time.ticks as i128
    }

    pub fn from_total_ticks(ticks: i128) -> Self {
        let days = ticks.div_euclid(TICKS_PER_DAY as i128);
        let rem = ticks.rem_euclid(TICKS_PER_DAY as i128);
        DateTime {
            date: Date { days: days as i32 },
            time: Time { ticks: rem as u64 },
        }
    }

    /// See [`Time::lossy_truncate_to_micros`].
    pub fn lossy_truncate_to_micros(self) -> DateTime {
        DateTime {
            date: self.date,
            time: self.time.lossy_truncate_to_micros(),
        }
    }

    /// Rounds to SQL Server `datetime`'s 1/300 s grid the way SQL Server stores it.
    ///
    /// Loses: everything finer than 1/300 s (values end in .xx0, .xx3 or .xx7 ms).
    /// Rounding can carry into the next day, as it does in SQL Server.
    pub fn lossy_round_to_sql_datetime(self) -> DateTime {
        // One datetime tick is 1/300 s = 33_333.33 ticks of 100 ns; work in 1/3 of a 100ns tick.
        let ticks = self.time.ticks as u128;
        let sql_ticks = (ticks * 300 + TICKS_PER_SECOND as u128 / 2) / TICKS_PER_SECOND as u128;
        let back = (sql_ticks * TICKS_PER_SECOND as u128 + 150) / 300;
        DateTime::from_total_ticks(self.date.days as i128 * TICKS_PER_DAY as i128 + back as i128)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.date, self.time)
    }
}

/// An instant stored as its UTC date-time plus the offset it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct DateTimeOffset {
    pub utc: DateTime,
    /// Minutes east of UTC, -840..=840.
    pub offset_minutes: i16,
}

impl DateTimeOffset {
    /// The local wall-clock time the value was written in.
    pub fn local(self) -> DateTime {
        DateTime::from_total_ticks(
            self.utc.total_ticks() + self.offset_minutes as i128 * 60 * TICKS_PER_SECOND as i128,
        )
    }

    /// Drops the offset, keeping the instant as UTC.
    ///
    /// Loses: the offset the application wrote (the instant is kept).
    pub fn lossy_to_utc(self) -> DateTime {
        self.utc
    }
}

impl PartialOrd for DateTimeOffset {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTimeOffset {
    /// Instants compare by UTC; equal instants by offset so the order is total.
    fn cmp(&self, other: &Self) -> Ordering {
        self.utc
            .cmp(&other.utc)
            .then(self.offset_minutes.cmp(&other.offset_minutes))
    }
}

/// Formats 16 RFC 4122 bytes as the lowercase 8-4-4-4-12 form.
pub fn uuid_to_string(b: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{byte:02x}"));
    }
    s
}

/// Parses the 8-4-4-4-12 form (either case, braces allowed) into RFC 4122 bytes.
pub fn uuid_from_str(s: &str) -> Option<[u8; 16]> {
    let s = s.trim().trim_start_matches('{').trim_end_matches('}');
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || s.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

/// Converts between RFC 4122 byte order and SQL Server's `uniqueidentifier`
/// storage order (first three groups little-endian). The swap is its own inverse.
pub fn uuid_swap_mssql_order(b: [u8; 16]) -> [u8; 16] {
    let mut o = b;
    o[0..4].reverse();
    o[4..6].reverse();
    o[6..8].reverse();
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimal_display_and_parse_round_trip() {
        let d = Decimal::parse("-0.0500", 10, 4).unwrap();
        assert_eq!(d.unscaled, -500);
        assert_eq!(d.to_string(), "-0.0500");
        assert_eq!(Decimal::parse("12", 5, 2).unwrap().to_string(), "12.00");
        assert!(Decimal::parse("1.234", 10, 2).is_err(), "must not round");
        assert!(
            Decimal::parse("123456", 5, 0).is_err(),
            "precision overflow"
        );
        assert!(Decimal::parse("1e5", 10, 0).is_err());
        let max38 = "9".repeat(38);
        assert_eq!(
            Decimal::parse(&max38, 38, 0).unwrap().to_string(),
            max38,
            "DECIMAL(38) must fit"
        );
    }

    #[test]
    fn decimal_rescale_refuses_to_drop_digits() {
        let d = Decimal::parse("1.25", 5, 2).unwrap();
        assert_eq!(d.rescale_exact(4, 7).unwrap().to_string(), "1.2500");
        assert!(d.rescale_exact(1, 5).is_err());
        assert_eq!(
            Decimal::parse("1.20", 5, 2)
                .unwrap()
                .rescale_exact(1, 5)
                .unwrap()
                .to_string(),
            "1.2"
        );
    }

    #[test]
    fn dates_match_known_days() {
        assert_eq!(Date::from_ymd(1, 1, 1).unwrap().days, 0);
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().unix_days(), 0);
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap().unix_days(), 11_017);
        assert!(Date::from_ymd(2023, 2, 29).is_err());
        assert!(Date::from_ymd(2024, 2, 29).is_ok());
        assert_eq!(
            Date::from_ymd(9999, 12, 31).unwrap().to_string(),
            "9999-12-31"
        );
    }

    #[test]
    fn sql_datetime_rounding_follows_the_1_300_grid() {
        let dt = |ms_ticks: u64| DateTime {
            date: Date::from_ymd(2024, 1, 1).unwrap(),
            time: Time { ticks: ms_ticks },
        };
        // .001 s -> .000, .002 -> .003, .005 -> .007 (SQL Server's documented examples).
        let r = |t| dt(t).lossy_round_to_sql_datetime().time.ticks;
        assert_eq!(r(10_000), 0);
        assert_eq!(r(20_000), 33_333);
        assert_eq!(r(50_000), 66_667);
        // 23:59:59.999 rounds into the next day.
        let late = dt(TICKS_PER_DAY - 10_000).lossy_round_to_sql_datetime();
        assert_eq!(late.date.to_string(), "2024-01-02");
        assert_eq!(late.time.ticks, 0);
    }

    #[test]
    fn time_truncation_never_carries() {
        let t = Time::from_hms_ticks(23, 59, 59, 9_999_999).unwrap();
        assert_eq!(t.lossy_truncate_to_micros().to_string(), "23:59:59.9999990");
    }

    #[test]
    fn uuid_text_and_mssql_order() {
        let b = uuid_from_str("6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap();
        assert_eq!(uuid_to_string(&b), "6f9619ff-8b86-d011-b42d-00c04fc964ff");
        let wire = uuid_swap_mssql_order(b);
        assert_eq!(&wire[..4], &[0xff, 0x19, 0x96, 0x6f]);
        assert_eq!(uuid_swap_mssql_order(wire), b);
        assert!(uuid_from_str("not-a-uuid").is_none());
    }

    #[test]
    fn datetimeoffset_local_applies_offset() {
        let utc = DateTime {
            date: Date::from_ymd(2024, 12, 31).unwrap(),
            time: Time::from_hms_ticks(20, 0, 0, 0).unwrap(),
        };
        let v = DateTimeOffset {
            utc,
            offset_minutes: 8 * 60,
        };
        assert_eq!(v.local().to_string(), "2025-01-01 04:00:00.0000000");
        assert_eq!(v.lossy_to_utc(), utc);
    }

    proptest! {
        #[test]
        fn civil_round_trip(days in 0i32..3_652_059) {
            let d = Date { days };
            let (y, m, dd) = d.ymd();
            prop_assert_eq!(Date::from_ymd(y, m, dd).unwrap(), d);
        }

        #[test]
        fn decimal_text_round_trip(unscaled in -(10i128.pow(30))..10i128.pow(30), scale in 0u8..=8) {
            let d = Decimal::new(unscaled, 38, scale).unwrap();
            prop_assert_eq!(Decimal::parse(&d.to_string(), 38, scale).unwrap(), d);
        }

        #[test]
        fn datetime_ticks_round_trip(t in 0i128..(3_652_059i128 * TICKS_PER_DAY as i128)) {
            prop_assert_eq!(DateTime::from_total_ticks(t).total_ticks(), t);
        }

        #[test]
        fn sql_datetime_rounding_moves_at_most_half_a_tick(t in 0u64..TICKS_PER_DAY) {
            let dt = DateTime { date: Date { days: 1000 }, time: Time { ticks: t } };
            let r = dt.lossy_round_to_sql_datetime();
            let diff = (r.total_ticks() - dt.total_ticks()).abs();
            prop_assert!(diff <= 16_667, "moved {} ticks", diff);
        }
    }
}
