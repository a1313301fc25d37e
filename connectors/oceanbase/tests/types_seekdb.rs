//! Every `Value` variant through the sink into real seekdb and back, read with
//! the binary protocol so nothing is reformatted on the way out.

use mysql_async::prelude::Queryable;
use mysql_async::Value as My;
use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::Sink;
use sluice_engine::position::SourcePosition;
use sluice_engine::value::{uuid_from_str, Date, DateTime, DateTimeOffset, Decimal, Time, Value};
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink};
use sluice_testkit::SeekDb;

/// Writes `values` into a one-column table of `sql_type` through the sink and
/// returns what the server holds, in order.
async fn round_trip(sql_type: &str, values: Vec<Value>) -> Vec<My> {
    let db = SeekDb::shared().fresh_database().await;
    let mut conn = mysql_async::Conn::from_url(&db.url).await.unwrap();
    conn.query_drop(format!("CREATE TABLE t (id INT PRIMARY KEY, v {sql_type})"))
        .await
        .unwrap();
    let mut cfg = OceanBaseConfig::new(db.url.clone());
    cfg.control_database = format!("{}_ctl", db.name);
    let mut sink = OceanBaseSink::connect(cfg).await.unwrap();
    let columns: std::sync::Arc<[String]> = vec!["id".to_string(), "v".to_string()].into();
    let changes = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            Change::Row(ChangeEvent {
                table: TableRef::new("dbo", "t"),
                columns: columns.clone(),
                key: vec![0u16].into(),
                op: RowOp::Insert {
                    after: vec![Value::I32(i as i32), v],
                },
            })
        })
        .collect();
    let rec = LogRecord {
        seq: 1,
        tx: Transaction {
            source_id: None,
            position: SourcePosition::Counter(1),
            commit_time_us: 0,
            changes,
        },
    };
    sink.apply("types", &[rec]).await.unwrap();
    // Read TIMESTAMPs as UTC instants, whatever the server's default zone.
    conn.query_drop("SET time_zone = '+00:00'").await.unwrap();
    // exec = binary protocol: floats and temporals come back as typed values.
    let rows: Vec<mysql_async::Row> = conn.exec("SELECT v FROM t ORDER BY id", ()).await.unwrap();
    rows.into_iter().map(|mut r| r.take(0).unwrap()).collect()
}

fn text(s: &str) -> My {
    My::Bytes(s.as_bytes().to_vec())
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap()
}

#[tokio::test]
async fn bool_as_tinyint1() {
    let got = round_trip(
        "TINYINT(1)",
        vec![Value::Bool(true), Value::Bool(false), Value::Null],
    )
    .await;
    assert_eq!(got, vec![My::Int(1), My::Int(0), My::NULL]);
}

#[tokio::test]
async fn signed_integers_at_their_limits() {
    let got = round_trip("TINYINT", vec![Value::I8(i8::MIN), Value::I8(i8::MAX)]).await;
    assert_eq!(got, vec![My::Int(-128), My::Int(127)]);
    let got = round_trip("SMALLINT", vec![Value::I16(i16::MIN), Value::I16(i16::MAX)]).await;
    assert_eq!(got, vec![My::Int(-32768), My::Int(32767)]);
    let got = round_trip("INT", vec![Value::I32(i32::MIN), Value::I32(i32::MAX)]).await;
    assert_eq!(
        got,
        vec![My::Int(i32::MIN as i64), My::Int(i32::MAX as i64)]
    );
    let got = round_trip("BIGINT", vec![Value::I64(i64::MIN), Value::I64(i64::MAX)]).await;
    assert_eq!(got, vec![My::Int(i64::MIN), My::Int(i64::MAX)]);
}

#[tokio::test]
async fn unsigned_integers_at_their_limits() {
    let got = round_trip("TINYINT UNSIGNED", vec![Value::U8(255)]).await;
    assert_eq!(got, vec![My::Int(255)]);
    let got = round_trip("SMALLINT UNSIGNED", vec![Value::U16(u16::MAX)]).await;
    assert_eq!(got, vec![My::Int(65535)]);
    let got = round_trip("INT UNSIGNED", vec![Value::U32(u32::MAX)]).await;
    assert_eq!(got, vec![My::Int(u32::MAX as i64)]);
    let got = round_trip("BIGINT UNSIGNED", vec![Value::U64(u64::MAX), Value::U64(0)]).await;
    // mysql_async reports unsigned values that fit i64 as Int.
    assert_eq!(got, vec![My::UInt(u64::MAX), My::Int(0)]);
}

#[tokio::test]
async fn decimal_keeps_every_digit_at_its_scale() {
    let d = |s: &str| Value::Decimal(Decimal::parse(s, 38, 10).unwrap());
    let vals = [
        "-1234567890123456789012345678.0123456789",
        "9999999999999999999999999999.9999999999",
        "0.0000000001",
        "0",
    ];
    let got = round_trip("DECIMAL(38,10)", vals.iter().map(|s| d(s)).collect()).await;
    let want: Vec<My> = [
        "-1234567890123456789012345678.0123456789",
        "9999999999999999999999999999.9999999999",
        "0.0000000001",
        "0.0000000000",
    ]
    .iter()
    .map(|s| text(s))
    .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn floats_round_trip_bit_for_bit() {
    let f32s = [0.1f32, -3.4028235e38, 1.1754944e-38, 16_777_217.0, 0.0];
    let got = round_trip("FLOAT", f32s.iter().map(|&x| Value::F32(x)).collect()).await;
    let want: Vec<My> = f32s.iter().map(|&x| My::Float(x)).collect();
    assert_eq!(got, want);
    let f64s = [
        0.1f64,
        f64::MAX,
        f64::MIN_POSITIVE,
        -123_456.789_012_345_67,
        1e-300,
    ];
    let got = round_trip("DOUBLE", f64s.iter().map(|&x| Value::F64(x)).collect()).await;
    let want: Vec<My> = f64s.iter().map(|&x| My::Double(x)).collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn strings_keep_every_character() {
    let vals = [
        "",
        "it's",
        "back\\slash \\' \\0",
        "emoji 😀 汉字 ñ",
        "line\nbreak\ttab\r",
        "nul\0inside",
        "\"double\" `back`",
    ];
    let got = round_trip(
        "VARCHAR(200)",
        vals.iter().map(|s| Value::String(s.to_string())).collect(),
    )
    .await;
    assert_eq!(got, vals.iter().map(|s| text(s)).collect::<Vec<_>>());
    let long = "x'y\\z".repeat(20_000);
    let got = round_trip("LONGTEXT", vec![Value::String(long.clone())]).await;
    assert_eq!(got, vec![text(&long)]);
}

#[tokio::test]
async fn bytes_keep_every_byte() {
    let all: Vec<u8> = (0..=255u8).collect();
    let got = round_trip(
        "BLOB",
        vec![
            Value::Bytes(vec![]),
            Value::Bytes(all.clone()),
            Value::Bytes(vec![0; 3]),
        ],
    )
    .await;
    assert_eq!(
        got,
        vec![My::Bytes(vec![]), My::Bytes(all), My::Bytes(vec![0; 3])]
    );
}

#[tokio::test]
async fn dates_over_the_whole_range() {
    let got = round_trip(
        "DATE",
        vec![
            Value::Date(date(1, 1, 1)),
            Value::Date(date(2024, 2, 29)),
            Value::Date(date(9999, 12, 31)),
        ],
    )
    .await;
    assert_eq!(
        got,
        vec![
            My::Date(1, 1, 1, 0, 0, 0, 0),
            My::Date(2024, 2, 29, 0, 0, 0, 0),
            My::Date(9999, 12, 31, 0, 0, 0, 0)
        ]
    );
}

#[tokio::test]
async fn time_truncates_the_100ns_digit() {
    let got = round_trip(
        "TIME(6)",
        vec![
            Value::Time(Time::from_hms_ticks(0, 0, 0, 0).unwrap()),
            Value::Time(Time::from_hms_ticks(23, 59, 59, 9_999_999).unwrap()),
            Value::Time(Time::from_hms_ticks(12, 34, 56, 1_234_567).unwrap()),
        ],
    )
    .await;
    assert_eq!(
        got,
        vec![
            My::Time(false, 0, 0, 0, 0, 0),
            My::Time(false, 0, 23, 59, 59, 999_999),
            My::Time(false, 0, 12, 34, 56, 123_456)
        ]
    );
}

#[tokio::test]
async fn datetime_truncates_the_100ns_digit_and_never_carries() {
    let dt = |d: Date, h, m, s, t| {
        Value::DateTime(DateTime {
            date: d,
            time: Time::from_hms_ticks(h, m, s, t).unwrap(),
        })
    };
    let got = round_trip(
        "DATETIME(6)",
        vec![
            dt(date(1, 1, 1), 0, 0, 0, 1),
            dt(date(9999, 12, 31), 23, 59, 59, 9_999_999),
            dt(date(2024, 6, 1), 8, 30, 0, 5_000_000),
        ],
    )
    .await;
    assert_eq!(
        got,
        vec![
            My::Date(1, 1, 1, 0, 0, 0, 0),
            My::Date(9999, 12, 31, 23, 59, 59, 999_999),
            My::Date(2024, 6, 1, 8, 30, 0, 500_000)
        ]
    );
}

#[tokio::test]
async fn datetimeoffset_is_stored_as_its_utc_instant() {
    // 2024-06-01 20:00:00.1234567 +08:00 is 12:00:00.1234567 UTC.
    let utc = DateTime {
        date: date(2024, 6, 1),
        time: Time::from_hms_ticks(12, 0, 0, 1_234_567).unwrap(),
    };
    let v = Value::DateTimeOffset(DateTimeOffset {
        utc,
        offset_minutes: 480,
    });
    let got = round_trip("DATETIME(6)", vec![v.clone()]).await;
    assert_eq!(got, vec![My::Date(2024, 6, 1, 12, 0, 0, 123_456)]);
    // Into TIMESTAMP the instant must survive the target's +08:00 default zone.
    let got = round_trip("TIMESTAMP(6) NULL", vec![v]).await;
    assert_eq!(got, vec![My::Date(2024, 6, 1, 12, 0, 0, 123_456)]);
}

#[tokio::test]
async fn uuid_as_char36() {
    let u = uuid_from_str("6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap();
    let got = round_trip("CHAR(36)", vec![Value::Uuid(u)]).await;
    assert_eq!(got, vec![text("6f9619ff-8b86-d011-b42d-00c04fc964ff")]);
}

#[tokio::test]
async fn json_keeps_its_meaning() {
    let doc =
        r#"{"name": "O'Brien \\ \"Jr\"", "list": [1, 2.5, null, true], "nested": {"k": "😀"}}"#;
    let got = round_trip("JSON", vec![Value::Json(doc.into())]).await;
    let My::Bytes(b) = &got[0] else {
        panic!("{got:?}")
    };
    let back: serde_json::Value = serde_json::from_slice(b).unwrap();
    let want: serde_json::Value = serde_json::from_str(doc).unwrap();
    assert_eq!(back, want);
}

#[tokio::test]
async fn composite_keys_of_every_keyable_type_update_and_delete() {
    let db = SeekDb::shared().fresh_database().await;
    let mut conn = mysql_async::Conn::from_url(&db.url).await.unwrap();
    conn.query_drop(
        "CREATE TABLE k (k_int BIGINT, k_str VARCHAR(50), k_date DATE, k_dt DATETIME(6), \
         k_uuid CHAR(36), k_dec DECIMAL(10,2), k_bin VARBINARY(16), v INT, \
         PRIMARY KEY (k_int, k_str, k_date, k_dt, k_uuid, k_dec, k_bin))",
    )
    .await
    .unwrap();
    let mut cfg = OceanBaseConfig::new(db.url.clone());
    cfg.control_database = format!("{}_ctl", db.name);
    let mut sink = OceanBaseSink::connect(cfg).await.unwrap();
    let columns: std::sync::Arc<[String]> = [
        "k_int", "k_str", "k_date", "k_dt", "k_uuid", "k_dec", "k_bin", "v",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()
    .into();
    let key: std::sync::Arc<[u16]> = (0..7u16).collect::<Vec<_>>().into();
    let row = |i: i64, tick: u32, v: i32| {
        vec![
            Value::I64(i),
            Value::String(format!("it's {i}")),
            Value::Date(date(2024, 1, 1 + i as u32)),
            // The 7th digit differs from what the target stores: keys must
            // still match, because the sink truncates the same way every time.
            Value::DateTime(DateTime {
                date: date(2024, 1, 1),
                time: Time::from_hms_ticks(1, 2, 3, tick).unwrap(),
            }),
            Value::Uuid([i as u8; 16]),
            Value::Decimal(Decimal::new((i * 100 + 5) as i128, 10, 2).unwrap()),
            Value::Bytes(vec![0, i as u8, 0xff]),
            Value::I32(v),
        ]
    };
    let change = |op| {
        Change::Row(ChangeEvent {
            table: TableRef::new("dbo", "k"),
            columns: columns.clone(),
            key: key.clone(),
            op,
        })
    };
    let rec = |seq: u64, changes| LogRecord {
        seq,
        tx: Transaction {
            source_id: None,
            position: SourcePosition::Counter(seq),
            commit_time_us: 0,
            changes,
        },
    };
    sink.apply(
        "keys",
        &[
            rec(
                1,
                vec![
                    change(RowOp::Insert {
                        after: row(1, 1_234_567, 10),
                    }),
                    change(RowOp::Insert {
                        after: row(2, 7, 20),
                    }),
                ],
            ),
            rec(
                2,
                vec![change(RowOp::Update {
                    before: row(1, 1_234_567, 10),
                    after: row(1, 1_234_567, 11),
                })],
            ),
            rec(
                3,
                vec![change(RowOp::Update {
                    before: row(2, 7, 20),
                    after: row(2, 5_000_000, 21),
                })],
            ),
            rec(
                4,
                vec![change(RowOp::Delete {
                    before: row(1, 1_234_567, 11),
                })],
            ),
        ],
    )
    .await
    .unwrap();
    let rows: Vec<(i64, String, i32)> = conn
        .query("SELECT k_int, CAST(k_dt AS CHAR), v FROM k ORDER BY k_int")
        .await
        .unwrap();
    assert_eq!(
        rows,
        vec![(2, "2024-01-01 01:02:03.500000".to_string(), 21)]
    );
}
