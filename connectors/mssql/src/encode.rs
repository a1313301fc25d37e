//! Engine [`Value`]s → tiberius parameters, typed for the target column.
//!
//! Values are always sent as RPC parameters (`@P1…`), never spliced into
//! SQL text. The target column's declared type decides the parameter type
//! where the value alone cannot: a NULL must be typed (an `nvarchar` NULL
//! does not convert implicitly to `varbinary`), and a `datetime` column gets
//! its exact 1/300 s value instead of a `datetime2` the server would round.

use std::borrow::Cow;

use sluice_engine::schema::SourceType;
use sluice_engine::value::{DateTime, Value};
use tiberius::numeric::Numeric;
use tiberius::{time as tt, ColumnData, Uuid};

use crate::error::{Error, Result};

/// Days from 0001-01-01 to 1900-01-01.
const DAYS_TO_1900: i32 = 693_595;

fn err(column: &str, reason: impl Into<String>) -> Error {
    Error::Decode {
        column: column.to_string(),
        reason: reason.into(),
    }
}

/// A NULL of the parameter type that converts to `target` implicitly.
fn typed_null(target: Option<&SourceType>) -> ColumnData<'static> {
    match target.map(|t| t.name.as_str()).unwrap_or("") {
        "bit" => ColumnData::Bit(None),
        "tinyint" => ColumnData::U8(None),
        "smallint" => ColumnData::I16(None),
        "int" => ColumnData::I32(None),
        "bigint" => ColumnData::I64(None),
        "decimal" | "numeric" | "money" | "smallmoney" => ColumnData::Numeric(None),
        "float" => ColumnData::F64(None),
        "real" => ColumnData::F32(None),
        "date" => ColumnData::Date(None),
        "time" => ColumnData::Time(None),
        "datetime" | "smalldatetime" | "datetime2" => ColumnData::DateTime2(None),
        "datetimeoffset" => ColumnData::DateTimeOffset(None),
        "binary" | "varbinary" | "image" | "rowversion" | "timestamp" | "hierarchyid"
        | "geography" | "geometry" => ColumnData::Binary(None),
        "uniqueidentifier" => ColumnData::Guid(None),
        _ => ColumnData::String(None),
    }
}

fn time7(ticks: u64) -> tt::Time {
    tt::Time::new(ticks, 7)
}

fn date(column: &str, days: i32) -> Result<tt::Date> {
    // date is 3 bytes on the wire: 0001-01-01 ..= 9999-12-31.
    if !(0..=3_652_058).contains(&days) {
        return Err(err(column, "date outside 0001-01-01..9999-12-31"));
    }
    Ok(tt::Date::new(days as u32))
}

fn datetime2(column: &str, v: DateTime) -> Result<tt::DateTime2> {
    Ok(tt::DateTime2::new(
        date(column, v.date.days)?,
        time7(v.time.ticks),
    ))
}

/// `datetime`'s exact wire form: days since 1900 and 1/300 s fragments,
/// rounded half up the way SQL Server rounds datetime2 → datetime.
pub fn sql_datetime_parts(v: DateTime) -> (i32, u32) {
    let frag = (v.time.ticks * 3 + 50_000) / 100_000;
    // Rounding can reach midnight: carry into the next day, as SQL Server does.
    if frag >= 300 * 86_400 {
        (v.date.days - DAYS_TO_1900 + 1, (frag - 300 * 86_400) as u32)
    } else {
        (v.date.days - DAYS_TO_1900, frag as u32)
    }
}

/// The SQL for parameter `p` *compared with* a column of type `ty`.
///
/// A `char`/`varchar` column gets the parameter cast to `varchar(8000)`:
/// tiberius sends strings as `nvarchar`, and comparing a `varchar` column
/// with an `nvarchar` value converts the *column*, which turns a key seek
/// into a scan and, under SQL collations, orders some characters
/// differently than the index does (keyset pages could skip or repeat rows).
/// Only comparisons are cast: a written value is passed as is, so a value
/// too long for its column fails loudly instead of being truncated by a cast.
pub fn param_sql(p: &str, ty: Option<&SourceType>) -> String {
    match ty {
        Some(t) if t.schema.is_none() && matches!(t.name.as_str(), "char" | "varchar") => {
            format!("CAST({p} AS varchar(8000))")
        }
        _ => p.to_string(),
    }
}

/// Converts one value for a column of type `target` (when known).
pub fn encode(
    column: &str,
    value: &Value,
    target: Option<&SourceType>,
) -> Result<ColumnData<'static>> {
    let target_name = target.map(|t| t.name.as_str()).unwrap_or("");
    Ok(match value {
        Value::Null => typed_null(target),
        Value::Bool(b) => ColumnData::Bit(Some(*b)),
        Value::I8(v) => ColumnData::I16(Some(*v as i16)),
        Value::I16(v) => ColumnData::I16(Some(*v)),
        Value::I32(v) => ColumnData::I32(Some(*v)),
        Value::I64(v) => ColumnData::I64(Some(*v)),
        Value::U8(v) => ColumnData::U8(Some(*v)),
        Value::U16(v) => ColumnData::I32(Some(*v as i32)),
        Value::U32(v) => ColumnData::I64(Some(*v as i64)),
        Value::U64(v) => match i64::try_from(*v) {
            Ok(i) => ColumnData::I64(Some(i)),
            Err(_) => ColumnData::Numeric(Some(Numeric::new_with_scale(*v as i128, 0))),
        },
        Value::Decimal(d) => {
            // SQL Server would round a value with more fractional digits than
            // the column keeps; refuse instead (schema drift must be seen).
            let d = match target.map(|t| (t.name.as_str(), t.precision, t.scale)) {
                Some(("decimal" | "numeric", Some(p), Some(s))) if (s as u8) < d.scale => {
                    d.rescale_exact(s as u8, p as u8).map_err(|_| {
                        err(
                            column,
                            format!("value has more than the column's {s} fractional digits"),
                        )
                    })?
                }
                Some(("money" | "smallmoney", _, _)) if d.scale > 4 => d
                    .rescale_exact(4, 19)
                    .map_err(|_| err(column, "value has more than money's 4 fractional digits"))?,
                _ => *d,
            };
            if d.scale > Numeric::MAX_NUMERIC_SCALE {
                return Err(err(column, "decimal scale above 38"));
            }
            ColumnData::Numeric(Some(Numeric::new_with_scale(d.unscaled, d.scale)))
        }
        Value::F32(v) => ColumnData::F32(Some(*v)),
        Value::F64(v) => ColumnData::F64(Some(*v)),
        Value::String(s) | Value::Json(s) => ColumnData::String(Some(Cow::Owned(s.clone()))),
        Value::Bytes(b) => ColumnData::Binary(Some(Cow::Owned(b.clone()))),
        Value::Date(d) => ColumnData::Date(Some(date(column, d.days)?)),
        Value::Time(t) => ColumnData::Time(Some(time7(t.ticks))),
        Value::DateTime(v) if target_name == "datetime" => {
            let (days, frag) = sql_datetime_parts(*v);
            ColumnData::DateTime(Some(tt::DateTime::new(days, frag)))
        }
        Value::DateTime(v) => ColumnData::DateTime2(Some(datetime2(column, *v)?)),
        Value::DateTimeOffset(v) => {
            if !(-840..=840).contains(&v.offset_minutes) {
                return Err(err(column, "offset outside -14:00..+14:00"));
            }
            // MS-TDS: a datetimeoffset's date and time are sent in UTC.
            ColumnData::DateTimeOffset(Some(tt::DateTimeOffset::new(
                datetime2(column, v.utc)?,
                v.offset_minutes,
            )))
        }
        Value::Uuid(b) => ColumnData::Guid(Some(Uuid::from_bytes(*b))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, sql_datetime};
    use proptest::prelude::*;
    use sluice_engine::value::{Date, DateTimeOffset, Decimal, Time};
    use tiberius::ColumnType;

    fn wire(v: &ColumnData<'_>) -> ColumnType {
        match v {
            ColumnData::Numeric(_) => ColumnType::Numericn,
            ColumnData::DateTime(_) => ColumnType::Datetime,
            ColumnData::F64(_) => ColumnType::Float8,
            _ => ColumnType::Null,
        }
    }

    #[test]
    fn values_survive_encode_then_decode() {
        let ty = SourceType {
            name: "decimal".into(),
            precision: Some(38),
            scale: Some(4),
            ..Default::default()
        };
        let values = [
            Value::Decimal(Decimal::new(-(10i128.pow(38) - 1), 38, 4).unwrap()),
            Value::Date(Date::from_ymd(9999, 12, 31).unwrap()),
            Value::Time(Time {
                ticks: 863_999_999_999,
            }),
            Value::DateTimeOffset(DateTimeOffset {
                utc: DateTime {
                    date: Date::from_ymd(2024, 1, 1).unwrap(),
                    time: Time { ticks: 1 },
                },
                offset_minutes: -840,
            }),
            Value::Uuid(
                sluice_engine::value::uuid_from_str("6F9619FF-8B86-D011-B42D-00C04FC964FF")
                    .unwrap(),
            ),
            Value::Bytes(vec![0, 1, 255]),
            Value::String("Zoë".into()),
            Value::I64(i64::MIN),
        ];
        for v in values {
            let target = matches!(v, Value::Decimal(_)).then_some(&ty);
            let cd = encode("c", &v, target).unwrap();
            assert_eq!(decode("c", wire(&cd), &cd, target).unwrap(), v);
        }
    }

    #[test]
    fn decimals_are_never_rounded_into_a_narrower_column() {
        let col = SourceType {
            name: "decimal".into(),
            precision: Some(12),
            scale: Some(2),
            ..Default::default()
        };
        let exact = Value::Decimal(Decimal::new(12_3400, 12, 4).unwrap());
        let ColumnData::Numeric(Some(n)) = encode("fee", &exact, Some(&col)).unwrap() else {
            panic!()
        };
        assert_eq!(
            (n.value(), n.scale()),
            (1234, 2),
            "trailing zeros are dropped exactly"
        );
        let lossy = Value::Decimal(Decimal::new(12_3456, 12, 4).unwrap());
        let e = encode("fee", &lossy, Some(&col)).unwrap_err().to_string();
        assert!(
            e.contains("fee") && !e.contains("3456"),
            "names the column, not the value: {e}"
        );
        let money = SourceType::named("money");
        assert!(encode(
            "m",
            &Value::Decimal(Decimal::new(1, 10, 5).unwrap()),
            Some(&money)
        )
        .is_err());
    }

    #[test]
    fn nulls_are_typed_for_their_column() {
        let vb = SourceType::named("varbinary");
        assert!(matches!(
            encode("c", &Value::Null, Some(&vb)).unwrap(),
            ColumnData::Binary(None)
        ));
        assert!(matches!(
            encode("c", &Value::Null, None).unwrap(),
            ColumnData::String(None)
        ));
        let u = encode("c", &Value::U64(u64::MAX), None).unwrap();
        assert!(matches!(u, ColumnData::Numeric(Some(n)) if n.value() == u64::MAX as i128));
    }

    proptest! {
        #[test]
        fn datetime_columns_get_their_exact_fragment(frag in 0u32..25_920_000, days in -53_690i32..2_958_463) {
            let v = sql_datetime("c", days, frag).unwrap();
            let dt = SourceType::named("datetime");
            let ColumnData::DateTime(Some(back)) = encode("c", &Value::DateTime(v), Some(&dt)).unwrap() else { panic!() };
            prop_assert_eq!((back.days(), back.seconds_fragments()), (days, frag));
        }
    }

    #[test]
    fn datetime_rounding_carries_into_the_next_day() {
        let v = DateTime {
            date: Date::from_ymd(2024, 1, 1).unwrap(),
            time: Time {
                ticks: 863_999_990_000,
            },
        };
        let (d, f) = sql_datetime_parts(v);
        assert_eq!(f, 0);
        assert_eq!(d + DAYS_TO_1900, Date::from_ymd(2024, 1, 2).unwrap().days);
        assert!(encode("c", &Value::Date(Date { days: -1 }), None).is_err());
    }
}
