//! The reverse sink against a live T-SQL server (Babelfish): whole
//! transactions, the cursor in the same transaction, idempotent replay, key
//! changes, identity insert and exact values for every type.

mod common;

use std::sync::Arc;

use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::{ApplyCursor, Sink};
use sluice_engine::position::{BinlogPosition, SourcePosition};
use sluice_engine::value::{Date, DateTime, DateTimeOffset, Decimal, Time, Value};
use sluice_mssql::catalog::query;
use sluice_mssql::{MssqlClient, MssqlSink};

fn pos(offset: u64) -> SourcePosition {
    SourcePosition::Binlog(BinlogPosition {
        file: "mysql-bin.000001".into(),
        offset,
        gtid_set: None,
    })
}

fn record(seq: u64, changes: Vec<ChangeEvent>) -> LogRecord {
    LogRecord {
        seq,
        tx: Transaction {
            source_id: None,
            position: pos(seq * 100),
            commit_time_us: 0,
            changes: changes.into_iter().map(Change::Row).collect(),
        },
    }
}

fn patient(op: RowOp) -> ChangeEvent {
    ChangeEvent {
        table: TableRef::new("dbo", "patient"),
        columns: Arc::from(vec![
            "id".to_string(),
            "name".to_string(),
            "fee".to_string(),
        ]),
        key: Arc::from(vec![0u16]),
        op,
    }
}

fn row(id: i32, name: &str, fee: i128) -> Vec<Value> {
    vec![
        Value::I32(id),
        Value::String(name.into()),
        Value::Decimal(Decimal::new(fee, 12, 2).unwrap()),
    ]
}

async fn patients(c: &mut MssqlClient) -> Vec<(i64, String, String)> {
    query(
        c,
        "read back",
        "SELECT id, name, CONVERT(varchar(40), fee) FROM dbo.patient ORDER BY id",
    )
    .await
    .unwrap()
    .into_iter()
    .map(|r| {
        let s = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => format!("{other:?}"),
        };
        (sluice_mssql::catalog::int_of(&r[0]), s(&r[1]), s(&r[2]))
    })
    .collect()
}

async fn setup_patient(prefix: &str) -> Option<(sluice_mssql::MssqlConfig, MssqlClient)> {
    let base = common::babelfish()?;
    let db = common::scratch_db(&base, prefix).await;
    let mut c = common::session(&db).await;
    common::exec(&mut c, "CREATE TABLE dbo.patient (id int NOT NULL PRIMARY KEY, name nvarchar(50) NOT NULL, fee decimal(12,2) NULL)").await;
    Some((db, c))
}

#[tokio::test]
async fn applies_transactions_with_cursor_and_replay_changes_nothing() {
    let Some((db, mut c)) = setup_patient("sink").await else {
        return;
    };
    let records = vec![
        record(
            1,
            vec![
                patient(RowOp::Insert {
                    after: row(1, "Ann", 1050),
                }),
                patient(RowOp::Insert {
                    after: row(2, "Bob", 99),
                }),
            ],
        ),
        record(
            2,
            vec![patient(RowOp::Update {
                before: row(1, "Ann", 1050),
                after: row(1, "Ann Lee", 1100),
            })],
        ),
        record(
            3,
            vec![
                patient(RowOp::Delete {
                    before: row(2, "Bob", 99),
                }),
                patient(RowOp::Insert {
                    after: row(3, "Zoë", -5),
                }),
            ],
        ),
    ];
    let mut sink = MssqlSink::new(db.clone());
    assert_eq!(
        sink.read_cursor("rev").await.unwrap(),
        None,
        "fresh target has no cursor"
    );
    let cur = sink.apply("rev", &records[..2]).await.unwrap();
    assert_eq!(
        cur,
        ApplyCursor {
            seq: 2,
            position: pos(200)
        }
    );
    let cur = sink.apply("rev", &records[2..]).await.unwrap();
    assert_eq!(cur.seq, 3);
    let expected = vec![
        (1, "Ann Lee".to_string(), "11.00".to_string()),
        (3, "Zoë".to_string(), "-0.05".to_string()),
    ];
    assert_eq!(patients(&mut c).await, expected);

    // A restarted sink reads the cursor from the target, not from memory.
    let mut restarted = MssqlSink::new(db.clone());
    assert_eq!(
        restarted.read_cursor("rev").await.unwrap(),
        Some(ApplyCursor {
            seq: 3,
            position: pos(300)
        })
    );
    assert_eq!(
        restarted.read_cursor("other").await.unwrap(),
        None,
        "cursors are per pipeline"
    );

    // Replaying every applied record converges to the same rows.
    restarted.apply("rev", &records).await.unwrap();
    assert_eq!(patients(&mut c).await, expected);
    assert_eq!(restarted.read_cursor("rev").await.unwrap().unwrap().seq, 3);
}

#[tokio::test]
async fn a_failing_batch_commits_nothing_not_even_the_cursor() {
    let Some((db, mut c)) = setup_patient("atomic").await else {
        return;
    };
    let mut sink = MssqlSink::new(db.clone());
    sink.apply(
        "rev",
        &[record(
            1,
            vec![patient(RowOp::Insert {
                after: row(1, "Ann", 1),
            })],
        )],
    )
    .await
    .unwrap();
    // Record 3's second row violates NOT NULL on name: the whole batch must roll back.
    let bad = vec![
        record(
            2,
            vec![patient(RowOp::Insert {
                after: row(2, "Bob", 2),
            })],
        ),
        record(
            3,
            vec![
                patient(RowOp::Update {
                    before: row(1, "Ann", 1),
                    after: row(1, "Ann2", 1),
                }),
                patient(RowOp::Insert {
                    after: vec![Value::I32(4), Value::Null, Value::Null],
                }),
            ],
        ),
    ];
    let err = sink.apply("rev", &bad).await.unwrap_err();
    assert!(
        !err.is_retryable(),
        "a constraint violation is not retried: {err}"
    );
    // Babelfish's text (trap 14) or SQL Server's: the batch failed for the NOT NULL row.
    let msg = err.to_string().to_lowercase();
    assert!(
        msg.contains("null value in column") || msg.contains("cannot insert the value null"),
        "{msg}"
    );
    assert!(!err.to_string().contains("Sluice-Passw0rd1"));
    assert_eq!(
        patients(&mut c).await,
        vec![(1, "Ann".to_string(), "0.01".to_string())]
    );
    assert_eq!(sink.read_cursor("rev").await.unwrap().unwrap().seq, 1);
    // The sink recovers on a fresh session.
    sink.apply("rev", &bad[..1]).await.unwrap();
    assert_eq!(patients(&mut c).await.len(), 2);
}

#[tokio::test]
async fn primary_key_change_moves_the_row_and_replays_cleanly() {
    let Some((db, mut c)) = setup_patient("pkchange").await else {
        return;
    };
    let records = vec![
        record(
            1,
            vec![patient(RowOp::Insert {
                after: row(1, "Ann", 1),
            })],
        ),
        record(
            2,
            vec![patient(RowOp::Update {
                before: row(1, "Ann", 1),
                after: row(10, "Ann", 2),
            })],
        ),
        record(
            3,
            vec![patient(RowOp::Insert {
                after: row(1, "New", 3),
            })],
        ),
    ];
    let mut sink = MssqlSink::new(db.clone());
    sink.apply("rev", &records).await.unwrap();
    let expected = vec![
        (1, "New".to_string(), "0.03".to_string()),
        (10, "Ann".to_string(), "0.02".to_string()),
    ];
    assert_eq!(patients(&mut c).await, expected);
    // Replay record by record (as a replay from seq 1 would): the key change
    // finds row 10 already there and must neither fail nor duplicate.
    for r in &records {
        sink.apply("rev", std::slice::from_ref(r)).await.unwrap();
    }
    assert_eq!(patients(&mut c).await, expected);
}

#[tokio::test]
async fn identity_values_are_written_as_given() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "ident").await;
    let mut c = common::session(&db).await;
    common::exec(&mut c, "CREATE TABLE dbo.visit (id int IDENTITY(1,1) NOT NULL PRIMARY KEY, note nvarchar(20) NULL, total AS (id * 2))").await;
    let ev = |id: i32, note: &str| ChangeEvent {
        table: TableRef::new("dbo", "visit"),
        columns: Arc::from(vec!["id".to_string(), "note".to_string()]),
        key: Arc::from(vec![0u16]),
        op: RowOp::Insert {
            after: vec![Value::I32(id), Value::String(note.into())],
        },
    };
    let mut sink = MssqlSink::new(db.clone());
    sink.apply("rev", &[record(1, vec![ev(100, "a"), ev(5, "b")])])
        .await
        .unwrap();
    sink.apply("rev", &[record(2, vec![ev(100, "a2")])])
        .await
        .unwrap();
    let rows = query(
        &mut c,
        "read",
        "SELECT id, note, total FROM dbo.visit ORDER BY id",
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            vec![Value::I32(5), Value::String("b".into()), Value::I32(10)],
            vec![Value::I32(100), Value::String("a2".into()), Value::I32(200)],
        ]
    );
    // IDENTITY_INSERT was switched off again: the server numbers new rows itself.
    common::exec(&mut c, "INSERT INTO dbo.visit (note) VALUES ('auto')").await;
    let auto = query(
        &mut c,
        "read",
        "SELECT id FROM dbo.visit WHERE note = 'auto'",
    )
    .await
    .unwrap();
    assert_eq!(auto.len(), 1);
}

#[tokio::test]
async fn every_type_round_trips_through_the_sink() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "sinktypes").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.t (id bigint NOT NULL PRIMARY KEY, b bit, u8 tinyint, i16 smallint, d38 decimal(38,10), m money, \
         f float, r real, dt date, tm time(7), dtm datetime, dt2 datetime2(7), dto datetimeoffset(7), sdt smalldatetime, \
         vc varchar(20), nv nvarchar(max), vb varbinary(max), g uniqueidentifier, x xml, nb varbinary(10))",
    )
    .await;
    let d = |y, m, dd| Date::from_ymd(y, m, dd).unwrap();
    // time/datetime2/datetimeoffset values are whole microseconds: Babelfish
    // stores µs (trap 3); SQL Server would also keep a seventh digit.
    let values = vec![
        Value::I64(1),
        Value::Bool(true),
        Value::U8(200),
        Value::I16(-7),
        Value::Decimal(Decimal::new(-(10i128.pow(38) - 1), 38, 10).unwrap()),
        Value::Decimal(Decimal::new(-9_223_372_036_854_775_808, 19, 4).unwrap()),
        Value::F64(-1.5e300),
        Value::F32(3.25),
        Value::Date(d(1, 1, 1)),
        Value::Time(Time::from_hms_ticks(23, 59, 59, 9_999_990).unwrap()),
        // 2024-02-29 13:14:15.997 exactly as datetime decodes it (299/300 s).
        Value::DateTime(DateTime {
            date: d(2024, 2, 29),
            time: Time::from_hms_ticks(13, 14, 15, 9_966_667).unwrap(),
        }),
        Value::DateTime(DateTime {
            date: d(9999, 12, 31),
            time: Time::from_hms_ticks(23, 59, 59, 9_999_990).unwrap(),
        }),
        Value::DateTimeOffset(DateTimeOffset {
            utc: DateTime {
                date: d(2024, 12, 31),
                time: Time::from_hms_ticks(20, 0, 0, 1_234_560).unwrap(),
            },
            offset_minutes: 330,
        }),
        Value::DateTime(DateTime {
            date: d(2079, 6, 6),
            time: Time::from_hms_ticks(23, 59, 0, 0).unwrap(),
        }),
        Value::String("ascii only".into()),
        Value::String("Zoë ✓ 患者 ".repeat(2000)),
        Value::Bytes((0..30_000u32).map(|i| (i % 256) as u8).collect()),
        Value::Uuid(
            sluice_engine::value::uuid_from_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap(),
        ),
        Value::String("<a>é</a>".into()),
        Value::Null,
    ];
    let cols = [
        "id", "b", "u8", "i16", "d38", "m", "f", "r", "dt", "tm", "dtm", "dt2", "dto", "sdt", "vc",
        "nv", "vb", "g", "x", "nb",
    ];
    let ev = ChangeEvent {
        table: TableRef::new("dbo", "t"),
        columns: Arc::from(cols.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        key: Arc::from(vec![0u16]),
        op: RowOp::Insert {
            after: values.clone(),
        },
    };
    let mut sink = MssqlSink::new(db.clone());
    sink.apply("rev", &[record(1, vec![ev])]).await.unwrap();

    let cat = sluice_mssql::catalog::read_table(&mut c, "dbo", "t")
        .await
        .unwrap()
        .unwrap();
    let types: Vec<_> = cat.columns.iter().map(|c| c.data_type.clone()).collect();
    let select: Vec<String> = cat
        .columns
        .iter()
        .map(|c| sluice_mssql::decode::select_expr(&c.name, c.data_type.as_ref()))
        .collect();
    let row = c
        .simple_query(format!("SELECT {} FROM dbo.t", select.join(", ")))
        .await
        .unwrap()
        .into_row()
        .await
        .unwrap()
        .unwrap();
    let declared: Vec<_> = types.iter().map(|t| t.as_ref()).collect();
    let got = sluice_mssql::decode::decode_row(&row, &declared).unwrap();
    for (i, (g, w)) in got.iter().zip(&values).enumerate() {
        assert_eq!(g, w, "column {}", cols[i]);
    }
}

#[tokio::test]
async fn a_large_batch_spans_several_rpcs_but_stays_one_transaction() {
    let Some((db, mut c)) = setup_patient("bigbatch").await else {
        return;
    };
    let mut sink = MssqlSink::new(db.clone());
    // 1,500 upserts need more parameters than one RPC may carry (2,100).
    let good: Vec<LogRecord> = (1..=15u64)
        .map(|s| {
            record(
                s,
                (0..100)
                    .map(|i| {
                        patient(RowOp::Insert {
                            after: row((s * 1000 + i) as i32, "p", i as i128),
                        })
                    })
                    .collect(),
            )
        })
        .collect();
    let mut bad = good.clone();
    bad.push(record(
        16,
        vec![patient(RowOp::Insert {
            after: vec![Value::I32(1), Value::Null, Value::Null],
        })],
    ));
    let started = std::time::Instant::now();
    assert!(sink.apply("rev", &bad).await.is_err());
    assert!(
        patients(&mut c).await.is_empty(),
        "rows sent in earlier RPCs were rolled back with the failing one"
    );
    assert_eq!(sink.read_cursor("rev").await.unwrap(), None);
    sink.apply("rev", &good).await.unwrap();
    assert_eq!(patients(&mut c).await.len(), 1500);
    println!(
        "1,500-row batch failed once, then applied, in {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn foreign_key_order_within_a_transaction_is_kept() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "sinkfk").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.ward (id int NOT NULL PRIMARY KEY, name nvarchar(20) NOT NULL)",
    )
    .await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.bed (id int NOT NULL PRIMARY KEY, ward_id int NOT NULL \
         CONSTRAINT fk_bed_ward REFERENCES dbo.ward(id))",
    )
    .await;
    let ward = |op| ChangeEvent {
        table: TableRef::new("dbo", "ward"),
        columns: Arc::from(vec!["id".to_string(), "name".to_string()]),
        key: Arc::from(vec![0u16]),
        op,
    };
    let bed = |op| ChangeEvent {
        table: TableRef::new("dbo", "bed"),
        columns: Arc::from(vec!["id".to_string(), "ward_id".to_string()]),
        key: Arc::from(vec![0u16]),
        op,
    };
    let w = || vec![Value::I32(1), Value::String("ICU".into())];
    let b = || vec![Value::I32(10), Value::I32(1)];
    let mut sink = MssqlSink::new(db.clone());
    // Parent before child, then child deleted before parent: each order is
    // the only one the foreign key accepts.
    sink.apply(
        "rev",
        &[record(
            1,
            vec![
                ward(RowOp::Insert { after: w() }),
                bed(RowOp::Insert { after: b() }),
            ],
        )],
    )
    .await
    .unwrap();
    sink.apply(
        "rev",
        &[record(
            2,
            vec![
                bed(RowOp::Delete { before: b() }),
                ward(RowOp::Delete { before: w() }),
            ],
        )],
    )
    .await
    .unwrap();
    let left = query(
        &mut c,
        "count",
        "SELECT (SELECT COUNT(*) FROM dbo.ward) + (SELECT COUNT(*) FROM dbo.bed)",
    )
    .await
    .unwrap();
    assert_eq!(left[0][0], Value::I32(0));
    // A child without its parent is refused by the server and nothing commits.
    let orphan = record(
        3,
        vec![
            ward(RowOp::Insert { after: w() }),
            bed(RowOp::Insert {
                after: vec![Value::I32(11), Value::I32(99)],
            }),
        ],
    );
    assert!(sink.apply("rev", &[orphan]).await.is_err());
    let left = query(&mut c, "count", "SELECT COUNT(*) FROM dbo.ward")
        .await
        .unwrap();
    assert_eq!(left[0][0], Value::I32(0));
    assert_eq!(sink.read_cursor("rev").await.unwrap().unwrap().seq, 2);
}
