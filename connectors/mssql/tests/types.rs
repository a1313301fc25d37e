//! Every SQL Server type Babelfish has, written as T-SQL literals and read
//! back through `decode`, compared value by value with what SQL Server's
//! documentation says the stored value is.

mod common;

use sluice_engine::schema::SourceType;
use sluice_engine::value::{uuid_from_str, Date, DateTime, DateTimeOffset, Decimal, Time, Value};
use sluice_mssql::decode::{decode_row, select_expr};

fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ticks: u32) -> DateTime {
    DateTime {
        date: Date::from_ymd(y, mo, d).unwrap(),
        time: Time::from_hms_ticks(h, mi, s, ticks).unwrap(),
    }
}

fn ty(name: &str, p: Option<u32>, s: Option<u32>) -> SourceType {
    SourceType {
        name: name.into(),
        precision: p,
        scale: s,
        ..Default::default()
    }
}

#[tokio::test]
async fn every_babelfish_type_decodes_exactly() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "types").await;
    let mut c = common::session(&db).await;
    let big_text: String = "Zoë ✓ ".repeat(3000);
    let big_bin: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    let hex: String = big_bin.iter().map(|b| format!("{b:02X}")).collect();
    // (column, declared type, SQL literal, expected value)
    let cases: Vec<(&str, &str, SourceType, String, Value)> = vec![
        (
            "c_bit",
            "bit",
            ty("bit", None, None),
            "1".into(),
            Value::Bool(true),
        ),
        (
            "c_tiny",
            "tinyint",
            ty("tinyint", None, None),
            "255".into(),
            Value::U8(255),
        ),
        (
            "c_small",
            "smallint",
            ty("smallint", None, None),
            "-32768".into(),
            Value::I16(-32768),
        ),
        (
            "c_int",
            "int",
            ty("int", None, None),
            "-2147483648".into(),
            Value::I32(i32::MIN),
        ),
        (
            "c_big",
            "bigint",
            ty("bigint", None, None),
            "9223372036854775807".into(),
            Value::I64(i64::MAX),
        ),
        (
            "c_dec38",
            "decimal(38,10)",
            ty("decimal", Some(38), Some(10)),
            format!("-{}.{}", "9".repeat(28), "9".repeat(10)),
            Value::Decimal(Decimal::new(-(10i128.pow(38) - 1), 38, 10).unwrap()),
        ),
        (
            "c_num",
            "numeric(9,4)",
            ty("numeric", Some(9), Some(4)),
            "0.0001".into(),
            Value::Decimal(Decimal::new(1, 9, 4).unwrap()),
        ),
        (
            "c_money",
            "money",
            ty("money", None, None),
            "922337203685477.5807".into(),
            Value::Decimal(Decimal::new(9_223_372_036_854_775_807, 19, 4).unwrap()),
        ),
        (
            "c_smallmoney",
            "smallmoney",
            ty("smallmoney", None, None),
            "-214748.3648".into(),
            Value::Decimal(Decimal::new(-2_147_483_648, 10, 4).unwrap()),
        ),
        (
            "c_float",
            "float",
            ty("float", None, None),
            "0.1".into(),
            Value::F64(0.1),
        ),
        (
            "c_real",
            "real",
            ty("real", None, None),
            "0.5".into(),
            Value::F32(0.5),
        ),
        (
            "c_date",
            "date",
            ty("date", None, None),
            "'0001-01-01'".into(),
            Value::Date(Date { days: 0 }),
        ),
        (
            "c_time",
            "time(7)",
            ty("time", Some(7), None),
            "'23:59:59.999999'".into(),
            // Babelfish stores time at µs (trap 3); SQL Server would keep a 7th digit.
            Value::Time(Time::from_hms_ticks(23, 59, 59, 9_999_990).unwrap()),
        ),
        (
            "c_datetime",
            "datetime",
            ty("datetime", None, None),
            "'2024-02-29 13:14:15.997'".into(),
            // .997 is 299/300 s: 9_966_667 ticks, the value CAST(... AS datetime2(7)) gives on SQL Server.
            Value::DateTime(dt(2024, 2, 29, 13, 14, 15, 9_966_667)),
        ),
        (
            "c_dt2",
            "datetime2(7)",
            ty("datetime2", Some(7), None),
            "'9999-12-31 23:59:59.123456'".into(),
            Value::DateTime(dt(9999, 12, 31, 23, 59, 59, 1_234_560)),
        ),
        (
            "c_dto",
            "datetimeoffset(7)",
            ty("datetimeoffset", Some(7), None),
            "'2025-01-01 04:00:00.5 +08:00'".into(),
            Value::DateTimeOffset(DateTimeOffset {
                utc: dt(2024, 12, 31, 20, 0, 0, 5_000_000),
                offset_minutes: 480,
            }),
        ),
        (
            "c_sdt",
            "smalldatetime",
            ty("smalldatetime", None, None),
            "'2079-06-06 23:59:00'".into(),
            Value::DateTime(dt(2079, 6, 6, 23, 59, 0, 0)),
        ),
        (
            "c_char",
            "char(5)",
            ty("char", None, None),
            "'ab'".into(),
            Value::String("ab   ".into()),
        ),
        (
            "c_varchar",
            "varchar(20)",
            ty("varchar", None, None),
            "'plain ascii'".into(),
            Value::String("plain ascii".into()),
        ),
        (
            "c_nchar",
            "nchar(3)",
            ty("nchar", None, None),
            "N'ő'".into(),
            Value::String("ő  ".into()),
        ),
        (
            "c_nvarchar",
            "nvarchar(40)",
            ty("nvarchar", None, None),
            "N'Zoë ✓ 患者'".into(),
            Value::String("Zoë ✓ 患者".into()),
        ),
        (
            "c_nvmax",
            "nvarchar(max)",
            ty("nvarchar", None, None),
            format!("N'{big_text}'"),
            Value::String(big_text.clone()),
        ),
        (
            "c_vcmax",
            "varchar(max)",
            ty("varchar", None, None),
            "REPLICATE(CAST('x' AS varchar(max)), 10000)".into(),
            Value::String("x".repeat(10_000)),
        ),
        (
            "c_text",
            "text",
            ty("text", None, None),
            "'legacy text'".into(),
            Value::String("legacy text".into()),
        ),
        (
            "c_ntext",
            "ntext",
            ty("ntext", None, None),
            "N'légacy'".into(),
            Value::String("légacy".into()),
        ),
        (
            "c_bin",
            "binary(4)",
            ty("binary", None, None),
            "0x0102".into(),
            Value::Bytes(vec![1, 2, 0, 0]),
        ),
        (
            "c_varbin",
            "varbinary(10)",
            ty("varbinary", None, None),
            "0x00FF".into(),
            Value::Bytes(vec![0, 255]),
        ),
        (
            "c_vbmax",
            "varbinary(max)",
            ty("varbinary", None, None),
            format!("0x{hex}"),
            Value::Bytes(big_bin.clone()),
        ),
        (
            "c_image",
            "image",
            ty("image", None, None),
            "0xCAFE".into(),
            Value::Bytes(vec![0xca, 0xfe]),
        ),
        (
            "c_guid",
            "uniqueidentifier",
            ty("uniqueidentifier", None, None),
            "'6F9619FF-8B86-D011-B42D-00C04FC964FF'".into(),
            Value::Uuid(uuid_from_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap()),
        ),
        (
            "c_xml",
            "xml",
            ty("xml", None, None),
            "N'<a x=\"1\">é</a>'".into(),
            Value::String("<a x=\"1\">é</a>".into()),
        ),
        (
            "c_variant",
            "sql_variant",
            ty("sql_variant", None, None),
            "CAST(42 AS int)".into(),
            Value::I32(42),
        ),
        (
            "c_null",
            "datetime2(7)",
            ty("datetime2", Some(7), None),
            "NULL".into(),
            Value::Null,
        ),
    ];
    let cols: Vec<String> = cases
        .iter()
        .map(|(n, t, ..)| format!("[{n}] {t} NULL"))
        .collect();
    common::exec(
        &mut c,
        &format!(
            "CREATE TABLE dbo.all_types (id int NOT NULL PRIMARY KEY, {})",
            cols.join(", ")
        ),
    )
    .await;
    let names: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let lits: Vec<&str> = cases.iter().map(|c| c.3.as_str()).collect();
    common::exec(
        &mut c,
        &format!(
            "INSERT INTO dbo.all_types (id, {}) VALUES (1, {})",
            names.join(", "),
            lits.join(", ")
        ),
    )
    .await;
    let select: Vec<String> = cases
        .iter()
        .map(|(n, _, t, ..)| select_expr(n, Some(t)))
        .collect();
    let row = c
        .simple_query(format!(
            "SELECT {} FROM dbo.all_types WHERE id = 1",
            select.join(", ")
        ))
        .await
        .unwrap()
        .into_row()
        .await
        .unwrap()
        .expect("one row");
    let declared: Vec<Option<&SourceType>> = cases.iter().map(|c| Some(&c.2)).collect();
    let values = decode_row(&row, &declared).unwrap();
    let mut bad = Vec::new();
    for ((name, t, _, _, want), (got, (col, _))) in cases.iter().zip(values.iter().zip(row.cells()))
    {
        if got != want {
            let show = |v: &Value| format!("{v:?}").chars().take(120).collect::<String>();
            bad.push(format!(
                "{name} {t} (wire {:?}): got {} want {}",
                col.column_type(),
                show(got),
                show(want)
            ));
        }
    }
    assert!(bad.is_empty(), "mismatches:\n{}", bad.join("\n"));
}

/// sql_variant carries values of many base types; each decodes exactly (the
/// column is flagged because the per-row base type itself is not kept).
#[tokio::test]
async fn sql_variant_values_of_every_base_type_decode_exactly() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "variant").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.v (id int NOT NULL PRIMARY KEY, v sql_variant NULL)",
    )
    .await;
    common::exec(
        &mut c,
        "INSERT INTO dbo.v VALUES (1, CAST(CAST(922337203685477.5807 AS money) AS sql_variant)), \
         (2, CAST(CAST(-1.50 AS decimal(5,2)) AS sql_variant)), (3, CAST(N'Zoë' AS sql_variant)), \
         (4, CAST(CAST('2024-01-02' AS date) AS sql_variant)), (5, CAST(CAST(5 AS bigint) AS sql_variant)), \
         (6, NULL), (7, CAST(0x0102 AS sql_variant)), (8, CAST(CAST('abc' AS varchar(10)) AS sql_variant))",
    )
    .await;
    let vt = ty("sql_variant", None, None);
    assert_eq!(
        sluice_mssql::decode::type_flag(&vt),
        Some(sluice_mssql::decode::TypeFlag::SqlVariant)
    );
    let sql = format!(
        "SELECT {} FROM dbo.v ORDER BY id",
        select_expr("v", Some(&vt))
    );
    let rows = c
        .simple_query(sql)
        .await
        .unwrap()
        .into_first_result()
        .await
        .unwrap();
    let got: Vec<Value> = rows
        .iter()
        .map(|r| decode_row(r, &[Some(&vt)]).unwrap().remove(0))
        .collect();
    let dec = |u: i128, s: u8| match Value::Decimal(Decimal::new(u, 38, s).unwrap()) {
        Value::Decimal(d) => format!("{d}"),
        _ => unreachable!(),
    };
    let show: Vec<String> = got
        .iter()
        .map(|v| match v {
            Value::Decimal(d) => d.to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        show,
        vec![
            dec(9_223_372_036_854_775_807, 4),
            dec(-150, 2),
            format!("{:?}", Value::String("Zoë".into())),
            format!("{:?}", Value::Date(Date::from_ymd(2024, 1, 2).unwrap())),
            format!("{:?}", Value::I64(5)),
            format!("{:?}", Value::Null),
            format!("{:?}", Value::Bytes(vec![1, 2])),
            format!("{:?}", Value::String("abc".into())),
        ]
    );
}
