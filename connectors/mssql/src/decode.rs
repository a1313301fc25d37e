//! TDS values → engine [`Value`], with no silent loss.
//!
//! tiberius hands each cell over as a [`ColumnData`] plus the wire
//! [`ColumnType`]. What the wire does not carry (a decimal's declared
//! precision) comes from the catalog's declared [`SourceType`] when the
//! caller has it. Conversions that would lose information are errors that
//! name the column, never approximations:
//!
//! - `datetime` is 1/300 s on the wire; it becomes the nearest 100 ns tick,
//!   exactly as SQL Server's own `CAST(datetime AS datetime2(7))` does, and
//!   [`DateTime::lossy_round_to_sql_datetime`] maps it back to the same
//!   1/300 s value (tested for every tick of a day), so the round trip is exact.
//! - `money`/`smallmoney` arrive from tiberius as `f64`, which is exact only
//!   below 2^53 / 10^4 (≈ 900 billion). Readers select money columns as
//!   `CAST(… AS decimal(19,4))` ([`select_expr`]); a raw `f64` money that
//!   cannot be proven exact is refused.
//! - `sql_variant` arrives as its base type's value: the value is exact but
//!   the per-row base type is not kept, so such columns are flagged
//!   ([`type_flag`]). `hierarchyid`/`geography`/`geometry` arrive as their
//!   CLR bytes, also flagged.

use sluice_engine::schema::SourceType;
use sluice_engine::value::{Date, DateTime, DateTimeOffset, Decimal, Time, Value, TICKS_PER_DAY};
use tiberius::{ColumnData, ColumnType};

use crate::connect::quote_ident;
use crate::error::{Error, Result};

/// Days from 0001-01-01 to 1900-01-01, the origin of `datetime`/`smalldatetime`.
const DAYS_TO_1900: i32 = 693_595;

/// Why a column needs a reader's (or a DBA's) attention even though its
/// values are carried exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TypeFlag {
    /// `sql_variant`: each value keeps its content but not its per-row base type.
    SqlVariant,
    /// CLR type (`hierarchyid`, `geography`, `geometry`) carried as opaque bytes.
    ClrBytes,
    /// `rowversion`/`timestamp`: server-generated, cannot be written back.
    RowVersion,
}

/// The flag for a declared type, if it has one.
pub fn type_flag(ty: &SourceType) -> Option<TypeFlag> {
    match ty.name.as_str() {
        "sql_variant" => Some(TypeFlag::SqlVariant),
        "hierarchyid" | "geography" | "geometry" => Some(TypeFlag::ClrBytes),
        "rowversion" | "timestamp" => Some(TypeFlag::RowVersion),
        _ => None,
    }
}

/// The select-list expression that reads a column without loss.
///
/// `money` and `smallmoney` are cast to their exact decimal equivalents
/// (`decimal(19,4)` / `decimal(10,4)`, the ranges Microsoft documents for
/// them), because tiberius decodes money as `f64`; so is money stored in a
/// `sql_variant`.
pub fn select_expr(column: &str, ty: Option<&SourceType>) -> String {
    let q = quote_ident(column);
    match ty.map(|t| t.name.as_str()) {
        Some("money") => format!("CAST({q} AS decimal(19,4)) AS {q}"),
        Some("smallmoney") => format!("CAST({q} AS decimal(10,4)) AS {q}"),
        // A sql_variant holding money would also arrive as f64.
        Some("sql_variant") => format!(
            "CASE WHEN SQL_VARIANT_PROPERTY({q}, 'BaseType') IN ('money', 'smallmoney') \
             THEN CAST(CAST({q} AS decimal(19,4)) AS sql_variant) ELSE {q} END AS {q}"
        ),
        _ => q,
    }
}

fn err(column: &str, reason: impl Into<String>) -> Error {
    Error::Decode {
        column: column.to_string(),
        reason: reason.into(),
    }
}

/// Decodes one cell. `declared` is the column's catalog type when known.
pub fn decode(
    column: &str,
    wire: ColumnType,
    data: &ColumnData<'_>,
    declared: Option<&SourceType>,
) -> Result<Value> {
    Ok(match data {
        ColumnData::U8(v) => v.map_or(Value::Null, Value::U8),
        ColumnData::I16(v) => v.map_or(Value::Null, Value::I16),
        ColumnData::I32(v) => v.map_or(Value::Null, Value::I32),
        ColumnData::I64(v) => v.map_or(Value::Null, Value::I64),
        ColumnData::F32(v) => v.map_or(Value::Null, Value::F32),
        ColumnData::F64(None) => Value::Null,
        ColumnData::F64(Some(v)) => match wire {
            ColumnType::Money | ColumnType::Money4 => money_from_f64(column, *v, wire)?,
            _ => Value::F64(*v),
        },
        ColumnData::Bit(v) => v.map_or(Value::Null, Value::Bool),
        ColumnData::String(v) => v
            .as_ref()
            .map_or(Value::Null, |s| Value::String(s.to_string())),
        ColumnData::Guid(v) => v.map_or(Value::Null, |u| Value::Uuid(*u.as_bytes())),
        ColumnData::Binary(v) => v.as_ref().map_or(Value::Null, |b| Value::Bytes(b.to_vec())),
        ColumnData::Xml(v) => v.as_ref().map_or(Value::Null, |x| {
            Value::String(x.as_ref().as_ref().to_string())
        }),
        ColumnData::Numeric(None) => Value::Null,
        ColumnData::Numeric(Some(n)) => {
            // The wire does not carry the declared precision; the catalog does.
            let precision = match declared.map(|t| (t.name.as_str(), t.precision)) {
                Some(("decimal" | "numeric", Some(p))) => p as u8,
                Some(("money", _)) => 19,
                Some(("smallmoney", _)) => 10,
                _ => 38,
            };
            let d = Decimal::new(n.value(), precision.max(n.scale()).max(1), n.scale())
                .map_err(|e| err(column, e.to_string()))?;
            Value::Decimal(d)
        }
        ColumnData::DateTime(None) | ColumnData::SmallDateTime(None) => Value::Null,
        ColumnData::DateTime(Some(dt)) => {
            Value::DateTime(sql_datetime(column, dt.days(), dt.seconds_fragments())?)
        }
        ColumnData::SmallDateTime(Some(dt)) => {
            let minutes = dt.seconds_fragments() as u64;
            if minutes >= 24 * 60 {
                return Err(err(
                    column,
                    format!("smalldatetime minute field {minutes} out of range"),
                ));
            }
            Value::DateTime(DateTime {
                date: Date {
                    days: DAYS_TO_1900 + dt.days() as i32,
                },
                time: Time {
                    ticks: minutes * 60 * 10_000_000,
                },
            })
        }
        ColumnData::Date(v) => v.map_or(Value::Null, |d| {
            Value::Date(Date {
                days: d.days() as i32,
            })
        }),
        ColumnData::Time(None) => Value::Null,
        ColumnData::Time(Some(t)) => Value::Time(time_ticks(column, t.increments(), t.scale())?),
        ColumnData::DateTime2(None) => Value::Null,
        ColumnData::DateTime2(Some(dt)) => Value::DateTime(DateTime {
            date: Date {
                days: dt.date().days() as i32,
            },
            time: time_ticks(column, dt.time().increments(), dt.time().scale())?,
        }),
        ColumnData::DateTimeOffset(None) => Value::Null,
        ColumnData::DateTimeOffset(Some(dto)) => {
            let dt = dto.datetime2();
            let offset = dto.offset();
            if !(-840..=840).contains(&offset) {
                return Err(err(column, format!("offset {offset} min out of range")));
            }
            // MS-TDS 2.2.5.5.1.8: the date and time of a datetimeoffset are UTC.
            Value::DateTimeOffset(DateTimeOffset {
                utc: DateTime {
                    date: Date {
                        days: dt.date().days() as i32,
                    },
                    time: time_ticks(column, dt.time().increments(), dt.time().scale())?,
                },
                offset_minutes: offset,
            })
        }
    })
}

/// Decodes a whole row; `declared[i]` is column `i`'s catalog type when known.
pub fn decode_row(row: &tiberius::Row, declared: &[Option<&SourceType>]) -> Result<Vec<Value>> {
    row.cells()
        .enumerate()
        .map(|(i, (col, data))| {
            decode(
                col.name(),
                col.column_type(),
                data,
                declared.get(i).copied().flatten(),
            )
        })
        .collect()
}

/// `datetime`: days since 1900-01-01 (may be negative, back to 1753) and
/// 1/300 s since midnight, rounded to the nearest 100 ns tick.
pub fn sql_datetime(column: &str, days: i32, fragments: u32) -> Result<DateTime> {
    if fragments as u64 >= 300 * 86_400 {
        return Err(err(
            column,
            format!("datetime fragment {fragments} out of range"),
        ));
    }
    // 1/300 s = 100_000/3 ticks; round half up, as CAST(datetime AS datetime2(7)) does.
    let ticks = (fragments as u64 * 100_000 + 1) / 3;
    debug_assert!(ticks < TICKS_PER_DAY);
    Ok(DateTime {
        date: Date {
            days: DAYS_TO_1900 + days,
        },
        time: Time { ticks },
    })
}

fn time_ticks(column: &str, increments: u64, scale: u8) -> Result<Time> {
    if scale > 7 {
        return Err(err(column, format!("time scale {scale} above 7")));
    }
    let ticks = increments
        .checked_mul(10u64.pow(7 - scale as u32))
        .filter(|t| *t < TICKS_PER_DAY)
        .ok_or_else(|| err(column, "time of day out of range"))?;
    Ok(Time { ticks })
}

/// Money decoded by tiberius as `f64`: accepted only when the scaled value
/// is an integer that `f64` represents exactly.
fn money_from_f64(column: &str, v: f64, wire: ColumnType) -> Result<Value> {
    let scaled = (v * 10_000.0).round();
    if !v.is_finite() || scaled.abs() >= 9_007_199_254_740_992.0 {
        return Err(err(
            column,
            "money value too large to decode exactly from tiberius's f64; select it as decimal(19,4)",
        ));
    }
    let precision = if wire == ColumnType::Money4 { 10 } else { 19 };
    Ok(Value::Decimal(
        Decimal::new(scaled as i128, precision, 4).map_err(|e| err(column, e.to_string()))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::borrow::Cow;
    use tiberius::numeric::Numeric;
    use tiberius::time as tt;

    fn dec(ty: &str, p: u32, s: u32) -> SourceType {
        SourceType {
            name: ty.into(),
            precision: Some(p),
            scale: Some(s),
            ..Default::default()
        }
    }

    #[test]
    fn decimal_38_keeps_every_digit_and_declared_precision() {
        let max = 10i128.pow(38) - 1;
        let v = decode(
            "d",
            ColumnType::Numericn,
            &ColumnData::Numeric(Some(Numeric::new_with_scale(-max, 10))),
            Some(&dec("decimal", 38, 10)),
        )
        .unwrap();
        let Value::Decimal(d) = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            d.to_string(),
            format!("-{}.{}", "9".repeat(28), "9".repeat(10))
        );
        assert_eq!((d.precision, d.scale), (38, 10));
        let v = decode(
            "d",
            ColumnType::Numericn,
            &ColumnData::Numeric(Some(Numeric::new_with_scale(12345, 4))),
            Some(&dec("numeric", 9, 4)),
        )
        .unwrap();
        assert_eq!(v, Value::Decimal(Decimal::new(12345, 9, 4).unwrap()));
    }

    #[test]
    fn datetime_fragments_become_sql_servers_datetime2_ticks() {
        // 1900-01-01 00:00:00.003 is fragment 1 -> .0033333 (SQL Server's CAST to datetime2(7)).
        let v = decode(
            "t",
            ColumnType::Datetime,
            &ColumnData::DateTime(Some(tt::DateTime::new(0, 1))),
            None,
        )
        .unwrap();
        assert_eq!(
            v.clone(),
            Value::DateTime(DateTime {
                date: Date::from_ymd(1900, 1, 1).unwrap(),
                time: Time { ticks: 33_333 }
            })
        );
        // .007 is fragment 2 -> .0066667
        assert_eq!(sql_datetime("t", 0, 2).unwrap().time.ticks, 66_667);
        // 1753-01-01 is the earliest datetime: -53690 days.
        assert_eq!(
            sql_datetime("t", -53_690, 0).unwrap().date.to_string(),
            "1753-01-01"
        );
    }

    proptest! {
        #[test]
        fn every_datetime_fragment_round_trips_through_ticks(frag in 0u32..25_920_000, days in -53_690i32..2_958_463) {
            let dt = sql_datetime("t", days, frag).unwrap();
            // Back to SQL Server's grid gives the same fragment: nothing was lost.
            let back = dt.lossy_round_to_sql_datetime();
            prop_assert_eq!(back, dt);
            prop_assert_eq!((dt.time.ticks * 3 + 50_000) / 100_000, frag as u64);
        }
    }

    #[test]
    fn smalldatetime_is_minutes_and_time_scales_to_ticks() {
        let v = decode(
            "s",
            ColumnType::Datetime4,
            &ColumnData::SmallDateTime(Some(tt::SmallDateTime::new(1, 61))),
            None,
        )
        .unwrap();
        assert_eq!(
            v,
            Value::DateTime(DateTime {
                date: Date::from_ymd(1900, 1, 2).unwrap(),
                time: Time::from_hms_ticks(1, 1, 0, 0).unwrap()
            })
        );
        let t = decode(
            "t",
            ColumnType::Timen,
            &ColumnData::Time(Some(tt::Time::new(123, 3))),
            None,
        )
        .unwrap();
        assert_eq!(t, Value::Time(Time { ticks: 1_230_000 }));
        let t7 = decode(
            "t",
            ColumnType::Timen,
            &ColumnData::Time(Some(tt::Time::new(863_999_999_999, 7))),
            None,
        )
        .unwrap();
        assert_eq!(
            t7.clone(),
            Value::Time(Time {
                ticks: 863_999_999_999
            })
        );
        assert!(decode(
            "t",
            ColumnType::Timen,
            &ColumnData::Time(Some(tt::Time::new(864_000_000_000, 7))),
            None
        )
        .is_err());
    }

    #[test]
    fn datetimeoffset_keeps_utc_and_offset() {
        let date = tt::Date::new(Date::from_ymd(2024, 12, 31).unwrap().days as u32);
        let time = tt::Time::new(20 * 3600 * 10_000_000, 7);
        let v = decode(
            "o",
            ColumnType::DatetimeOffsetn,
            &ColumnData::DateTimeOffset(Some(tt::DateTimeOffset::new(
                tt::DateTime2::new(date, time),
                480,
            ))),
            None,
        )
        .unwrap();
        let Value::DateTimeOffset(o) = v else {
            panic!()
        };
        assert_eq!(o.offset_minutes, 480);
        assert_eq!(o.local().to_string(), "2025-01-01 04:00:00.0000000");
    }

    #[test]
    fn guid_is_rfc_order_and_money_f64_is_exact_or_refused() {
        let u = tiberius::Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
        let v = decode("g", ColumnType::Guid, &ColumnData::Guid(Some(u)), None).unwrap();
        assert_eq!(
            v,
            Value::Uuid(
                sluice_engine::value::uuid_from_str("6F9619FF-8B86-D011-B42D-00C04FC964FF")
                    .unwrap()
            )
        );
        let m = decode(
            "m",
            ColumnType::Money,
            &ColumnData::F64(Some(-1234.5678)),
            None,
        )
        .unwrap();
        assert_eq!(m, Value::Decimal(Decimal::new(-12_345_678, 19, 4).unwrap()));
        assert!(decode(
            "m",
            ColumnType::Money,
            &ColumnData::F64(Some(922_337_203_685_477.0)),
            None
        )
        .is_err());
        // A plain float stays a float.
        assert_eq!(
            decode("f", ColumnType::Float8, &ColumnData::F64(Some(0.1)), None).unwrap(),
            Value::F64(0.1)
        );
    }

    #[test]
    fn nulls_strings_bytes() {
        assert_eq!(
            decode("n", ColumnType::NVarchar, &ColumnData::String(None), None).unwrap(),
            Value::Null
        );
        assert_eq!(
            decode(
                "n",
                ColumnType::NVarchar,
                &ColumnData::String(Some(Cow::Borrowed("Zoë"))),
                None
            )
            .unwrap(),
            Value::String("Zoë".into())
        );
        assert_eq!(
            decode(
                "b",
                ColumnType::BigVarBin,
                &ColumnData::Binary(Some(Cow::Borrowed(&[0, 255]))),
                None
            )
            .unwrap(),
            Value::Bytes(vec![0, 255])
        );
    }

    #[test]
    fn money_columns_are_selected_as_exact_decimals() {
        assert_eq!(
            select_expr("Fee", Some(&SourceType::named("money"))),
            "CAST([Fee] AS decimal(19,4)) AS [Fee]"
        );
        assert_eq!(
            select_expr("a]b", Some(&SourceType::named("int"))),
            "[a]]b]"
        );
        assert_eq!(
            type_flag(&SourceType::named("sql_variant")),
            Some(TypeFlag::SqlVariant)
        );
    }
}
