//! The binlog source against a real MariaDB (ROW, FULL image, FULL metadata):
//! every assertion compares decoded transactions with what the workload did.

use mysql_async::prelude::*;
use mysql_async::Conn;
use sluice_engine::event::{Change, ChangeEvent, RowOp, Transaction};
use sluice_engine::pipeline::{Source, SourceItem};
use sluice_engine::position::{BinlogPosition, SourcePosition};
use sluice_engine::value::{Date, DateTime, DateTimeOffset, Decimal, Time, Value};
use sluice_oceanbase::binlog::{BinlogConfig, BinlogSource, StartAt};
use sluice_testkit::MariaDb;
use std::time::Duration;

async fn master_pos(c: &mut Conn) -> BinlogPosition {
    let row: mysql_async::Row = c.query_first("SHOW MASTER STATUS").await.unwrap().unwrap();
    BinlogPosition {
        file: row.get(0).unwrap(),
        offset: row.get(1).unwrap(),
        gtid_set: None,
    }
}

fn config(db: &MariaDb, from: &BinlogPosition, to: &BinlogPosition) -> BinlogConfig {
    let mut cfg = BinlogConfig::new(db.url(), db.server_id() + 7);
    cfg.start = StartAt::Position(from.clone());
    cfg.stop_at = Some(to.clone());
    cfg
}

/// Reads every transaction from `from` (or the configured start) to the stop position.
async fn read_all(src: &mut BinlogSource, from: Option<&SourcePosition>) -> Vec<Transaction> {
    tokio::time::timeout(Duration::from_secs(60), src.start(from))
        .await
        .expect("start stalled")
        .unwrap();
    let mut out = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(60), src.next())
            .await
            .expect("source stalled")
            .unwrap()
        {
            SourceItem::Transaction(t) => out.push(t),
            SourceItem::Heartbeat { .. } => {}
            SourceItem::End => return out,
        }
    }
}

fn rows(tx: &Transaction) -> Vec<&ChangeEvent> {
    tx.rows().collect()
}

fn ops(tx: &Transaction) -> Vec<RowOp> {
    tx.rows().map(|r| r.op.clone()).collect()
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, sec: u32, ticks: u32) -> DateTime {
    DateTime {
        date: Date::from_ymd(y, mo, d).unwrap(),
        time: Time::from_hms_ticks(h, mi, sec, ticks).unwrap(),
    }
}

fn pos(tx: &Transaction) -> BinlogPosition {
    match &tx.position {
        SourcePosition::Binlog(p) => p.clone(),
        other => panic!("not a binlog position: {other}"),
    }
}

#[tokio::test]
async fn binlog_every_common_type_decodes_exactly() {
    let db = MariaDb::start();
    let mut c = Conn::from_url(db.url()).await.unwrap();
    c.query_drop("CREATE DATABASE app CHARACTER SET utf8mb4")
        .await
        .unwrap();
    c.query_drop(
        "CREATE TABLE app.types (
            id INT PRIMARY KEY,
            ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
            mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED,
            bi BIGINT, bu BIGINT UNSIGNED, tb TINYINT(1),
            f FLOAT, d DOUBLE, dec1 DECIMAL(10,2), dec2 DECIMAL(38,10),
            y YEAR, dt DATE, tm TIME(3), dtm DATETIME(6), ts TIMESTAMP(6) NULL,
            c CHAR(5), vc VARCHAR(300), bn BINARY(4), vb VARBINARY(10),
            tx TEXT, bl BLOB,
            e ENUM('red','green','blue'), st SET('a','b','c','d','e','f','g','h','i'),
            bt BIT(10), j JSON,
            g BIGINT AS (i * 2) VIRTUAL, gs BIGINT AS (i + 1) STORED,
            lat VARCHAR(10) CHARACTER SET latin1
        )",
    )
    .await
    .unwrap();
    let from = master_pos(&mut c).await;
    // TIMESTAMP is stored as UTC: a +08:00 session's 08:00 is 00:00 UTC.
    c.query_drop("SET time_zone = '+08:00'").await.unwrap();
    c.query_drop(
        "INSERT INTO app.types (id, ti, tu, si, su, mi, mu, i, iu, bi, bu, tb, f, d, dec1, dec2,
            y, dt, tm, dtm, ts, c, vc, bn, vb, tx, bl, e, st, bt, j, lat) VALUES
         (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
          -9223372036854775808, 18446744073709551615, 1, 1.5, -2.25, -12345678.91,
          1234567890123456789012345678.0123456789,
          2024, '2024-02-29', '13:14:15.678', '9999-12-31 23:59:59.999999',
          '2024-06-01 08:00:00.250000', 'ab', 'héllo wörld ✓', x'0102', x'000100',
          'some text', x'ff00', 'green', 'a,i', b'1000000001', '{\"k\": [1, 2]}', 'café')",
    )
    .await
    .unwrap();
    c.query_drop("INSERT INTO app.types (id) VALUES (2)")
        .await
        .unwrap();
    let to = master_pos(&mut c).await;

    let mut src = BinlogSource::new(config(&db, &from, &to));
    let txs = read_all(&mut src, None).await;
    assert_eq!(txs.len(), 2, "{txs:#?}");
    let ev = rows(&txs[0])[0];
    let expected_cols = [
        "id", "ti", "tu", "si", "su", "mi", "mu", "i", "iu", "bi", "bu", "tb", "f", "d", "dec1",
        "dec2", "y", "dt", "tm", "dtm", "ts", "c", "vc", "bn", "vb", "tx", "bl", "e", "st", "bt",
        "j", "lat",
    ];
    // Generated columns g and gs are in the row image but must not be carried.
    assert_eq!(&*ev.columns, &expected_cols.map(String::from)[..]);
    assert_eq!(&*ev.key, &[0]);
    let expected = vec![
        Value::I32(1),
        Value::I8(-128),
        Value::U8(255),
        Value::I16(-32768),
        Value::U16(65535),
        Value::I32(-8388608),
        Value::U32(16777215),
        Value::I32(i32::MIN),
        Value::U32(u32::MAX),
        Value::I64(i64::MIN),
        Value::U64(u64::MAX),
        Value::I8(1),
        Value::F32(1.5),
        Value::F64(-2.25),
        Value::Decimal(Decimal::new(-1234567891, 10, 2).unwrap()),
        Value::Decimal(Decimal::new(12345678901234567890123456780123456789, 38, 10).unwrap()),
        Value::U16(2024),
        Value::Date(Date::from_ymd(2024, 2, 29).unwrap()),
        Value::Time(Time::from_hms_ticks(13, 14, 15, 6_780_000).unwrap()),
        Value::DateTime(dt(9999, 12, 31, 23, 59, 59, 9_999_990)),
        Value::DateTimeOffset(DateTimeOffset {
            utc: dt(2024, 6, 1, 0, 0, 0, 2_500_000),
            offset_minutes: 0,
        }),
        s("ab"),
        s("héllo wörld ✓"),
        Value::Bytes(vec![1, 2, 0, 0]),
        Value::Bytes(vec![0, 1, 0]),
        s("some text"),
        Value::Bytes(vec![0xff, 0]),
        s("green"),
        s("a,i"),
        Value::U64(513),
        Value::Json("{\"k\": [1, 2]}".into()),
        s("café"),
    ];
    assert_eq!(ev.op, RowOp::Insert { after: expected });
    let nulls = rows(&txs[1])[0];
    let mut all_null = vec![Value::Null; expected_cols.len()];
    all_null[0] = Value::I32(2);
    assert_eq!(nulls.op, RowOp::Insert { after: all_null });
}

#[tokio::test]
async fn binlog_transactions_group_rollbacks_savepoints_ddl_and_resume_deterministically() {
    let db = MariaDb::start();
    let mut c = Conn::from_url(db.url()).await.unwrap();
    c.query_drop("CREATE DATABASE app CHARACTER SET utf8mb4")
        .await
        .unwrap();
    c.query_drop("CREATE TABLE app.acct (id INT PRIMARY KEY, v INT)")
        .await
        .unwrap();
    c.query_drop("CREATE TABLE app.nopk (a INT, b VARCHAR(5))")
        .await
        .unwrap();
    let from = master_pos(&mut c).await;
    for sql in [
        "INSERT INTO app.acct VALUES (1, 10), (2, 20)",
        "BEGIN",
        "INSERT INTO app.acct VALUES (3, 30)",
        "UPDATE app.acct SET v = 11 WHERE id = 1",
        "DELETE FROM app.acct WHERE id = 2",
        "COMMIT",
        "UPDATE app.acct SET id = 100 WHERE id = 3",
        "BEGIN",
        "INSERT INTO app.acct VALUES (99, 0)",
        "ROLLBACK",
        "BEGIN",
        "INSERT INTO app.acct VALUES (4, 40)",
        "SAVEPOINT sp",
        "INSERT INTO app.acct VALUES (5, 50)",
        "ROLLBACK TO sp",
        "COMMIT",
        "INSERT INTO app.nopk VALUES (1, 'x')",
        "ALTER TABLE app.acct ADD COLUMN note VARCHAR(10) DEFAULT 'n'",
        "INSERT INTO app.acct VALUES (6, 60, 'six')",
        "UPDATE app.acct SET v = 12 WHERE id = 1",
    ] {
        c.query_drop(sql).await.unwrap();
    }
    let to = master_pos(&mut c).await;

    // Read after the ALTER has happened (catch-up): rows from before it must
    // still decode with the two columns they were written with.
    let mut src = BinlogSource::new(config(&db, &from, &to));
    let txs = read_all(&mut src, None).await;
    let i = |v| Value::I32(v);
    assert_eq!(txs.len(), 8, "{txs:#?}");
    assert_eq!(
        ops(&txs[0]),
        vec![
            RowOp::Insert {
                after: vec![i(1), i(10)]
            },
            RowOp::Insert {
                after: vec![i(2), i(20)]
            },
        ]
    );
    assert_eq!(
        ops(&txs[1]),
        vec![
            RowOp::Insert {
                after: vec![i(3), i(30)]
            },
            RowOp::Update {
                before: vec![i(1), i(10)],
                after: vec![i(1), i(11)]
            },
            RowOp::Delete {
                before: vec![i(2), i(20)]
            },
        ]
    );
    // A primary-key change is one update whose keys differ.
    assert_eq!(
        ops(&txs[2]),
        vec![RowOp::Update {
            before: vec![i(3), i(30)],
            after: vec![i(100), i(30)]
        }]
    );
    // The rolled-back transaction is absent; the savepoint's rolled-back row too.
    assert_eq!(
        ops(&txs[3]),
        vec![RowOp::Insert {
            after: vec![i(4), i(40)]
        }]
    );
    // No primary key: every column is the key.
    assert_eq!(
        ops(&txs[4]),
        vec![RowOp::Insert {
            after: vec![i(1), s("x")]
        }]
    );
    assert_eq!(&*rows(&txs[4])[0].key, &[0, 1]);
    match &txs[5].changes[..] {
        [Change::Schema(sc)] => {
            assert_eq!(
                sc.ddl,
                "ALTER TABLE app.acct ADD COLUMN note VARCHAR(10) DEFAULT 'n'"
            );
            assert_eq!(sc.table.as_ref().unwrap().to_string(), "app.acct");
        }
        other => panic!("expected one schema change, got {other:?}"),
    }
    assert_eq!(
        &*rows(&txs[6])[0].columns,
        &["id", "v", "note"].map(String::from)[..]
    );
    assert_eq!(
        ops(&txs[6]),
        vec![RowOp::Insert {
            after: vec![i(6), i(60), s("six")]
        }]
    );
    // Rows that existed before ADD COLUMN carry its default in later images.
    assert_eq!(
        ops(&txs[7]),
        vec![RowOp::Update {
            before: vec![i(1), i(11), s("n")],
            after: vec![i(1), i(12), s("n")]
        }]
    );

    // Positions: strictly increasing, each with a GTID set, the last at the end.
    for w in txs.windows(2) {
        assert!(pos(&w[0]) < pos(&w[1]));
    }
    assert!(txs.iter().all(|t| pos(t).gtid_set.is_some()));
    assert_eq!(pos(txs.last().unwrap()).offset, to.offset);

    // Resuming after any transaction yields exactly the rest, by file+offset
    // and by GTID state alike.
    for k in 0..txs.len() {
        // A GTID start learns its file offset from the next transaction, so
        // "nothing after the last one" cannot be told from "nothing yet".
        let modes: &[bool] = if k + 1 < txs.len() {
            &[false, true]
        } else {
            &[false]
        };
        for &by_gtid in modes {
            let mut cfg = config(&db, &from, &to);
            cfg.resume_by_gtid = by_gtid;
            let mut src = BinlogSource::new(cfg);
            let rest = read_all(&mut src, Some(&txs[k].position)).await;
            assert_eq!(
                rest,
                txs[k + 1..].to_vec(),
                "resume after #{k}, by_gtid={by_gtid}"
            );
        }
    }
}

#[tokio::test]
async fn binlog_fifty_thousand_row_transaction_and_multi_megabyte_values() {
    let db = MariaDb::start();
    let mut c = Conn::from_url(db.url()).await.unwrap();
    c.query_drop("CREATE DATABASE app CHARACTER SET utf8mb4")
        .await
        .unwrap();
    c.query_drop("CREATE TABLE app.big (id INT PRIMARY KEY, name VARCHAR(20))")
        .await
        .unwrap();
    c.query_drop("CREATE TABLE app.blobs (id INT PRIMARY KEY, t LONGTEXT, b LONGBLOB)")
        .await
        .unwrap();
    c.query_drop("SET SESSION max_recursive_iterations = 100000")
        .await
        .unwrap();
    let from = master_pos(&mut c).await;
    c.query_drop(
        "INSERT INTO app.big WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50000)
         SELECT n, CONCAT('row', n) FROM s",
    )
    .await
    .unwrap();
    let text: String = "ab✓".repeat(500_000); // 2.5 MB of UTF-8
    let blob: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    c.exec_drop("INSERT INTO app.blobs VALUES (1, ?, ?)", (&text, &blob))
        .await
        .unwrap();
    let to = master_pos(&mut c).await;

    let mut src = BinlogSource::new(config(&db, &from, &to));
    let txs = read_all(&mut src, None).await;
    assert_eq!(txs.len(), 2);
    assert_eq!(
        txs[0].row_count(),
        50_000,
        "one transaction, all of its rows"
    );
    for (n, r) in txs[0].rows().enumerate() {
        let n = n as i32 + 1;
        assert_eq!(
            r.op,
            RowOp::Insert {
                after: vec![Value::I32(n), s(&format!("row{n}"))]
            }
        );
    }
    assert_eq!(
        ops(&txs[1]),
        vec![RowOp::Insert {
            after: vec![Value::I32(1), Value::String(text), Value::Bytes(blob)]
        }]
    );
}

#[tokio::test]
async fn binlog_transactions_touching_the_apply_cursor_are_dropped_whole() {
    let db = MariaDb::start();
    let mut c = Conn::from_url(db.url()).await.unwrap();
    c.query_drop("CREATE DATABASE app").await.unwrap();
    c.query_drop("CREATE TABLE app.acct (id INT PRIMARY KEY, v INT)")
        .await
        .unwrap();
    let from = master_pos(&mut c).await;
    for sql in [
        // What a sink does: its control table, then rows + cursor in one transaction.
        "CREATE TABLE app.sluice_apply_cursor (pipeline VARCHAR(64) PRIMARY KEY, seq BIGINT)",
        "BEGIN",
        "INSERT INTO app.acct VALUES (1, 1)",
        "INSERT INTO app.sluice_apply_cursor VALUES ('p', 1)",
        "COMMIT",
        "BEGIN",
        "UPDATE app.acct SET v = 2 WHERE id = 1",
        "UPDATE app.sluice_apply_cursor SET seq = 2",
        "COMMIT",
        // A user's own change afterwards must still come through.
        "INSERT INTO app.acct VALUES (2, 20)",
    ] {
        c.query_drop(sql).await.unwrap();
    }
    let to = master_pos(&mut c).await;
    let mut src = BinlogSource::new(config(&db, &from, &to));
    let txs = read_all(&mut src, None).await;
    assert_eq!(txs.len(), 1, "{txs:#?}");
    assert_eq!(
        ops(&txs[0]),
        vec![RowOp::Insert {
            after: vec![Value::I32(2), Value::I32(20)]
        }]
    );
    assert_eq!(
        src.stats().dropped_own,
        3,
        "the DDL and both sink transactions"
    );
}

#[tokio::test]
async fn binlog_without_full_metadata_uses_the_catalog_and_refuses_to_guess() {
    let db = MariaDb::start();
    let mut c = Conn::from_url(db.url()).await.unwrap();
    c.query_drop("SET GLOBAL binlog_row_metadata = NO_LOG")
        .await
        .unwrap();
    c.query_drop("CREATE DATABASE app").await.unwrap();
    c.query_drop(
        "CREATE TABLE app.t (u TINYINT UNSIGNED, id INT, e ENUM('x','y'), PRIMARY KEY (id))",
    )
    .await
    .unwrap();
    let from = master_pos(&mut c).await;
    c.query_drop("INSERT INTO app.t VALUES (255, 1, 'y')")
        .await
        .unwrap();
    let mid = master_pos(&mut c).await;

    // Names, signedness, ENUM members and key all from information_schema.
    let mut src = BinlogSource::new(config(&db, &from, &mid));
    let txs = read_all(&mut src, None).await;
    assert_eq!(txs.len(), 1);
    let r = rows(&txs[0])[0];
    assert_eq!(&*r.columns, &["u", "id", "e"].map(String::from)[..]);
    assert_eq!(&*r.key, &[1]);
    assert_eq!(
        r.op,
        RowOp::Insert {
            after: vec![Value::U8(255), Value::I32(1), s("y")]
        }
    );

    // The table changes after the event: reading behind it must stop, naming
    // the table and the position, rather than map values onto today's columns.
    c.query_drop("ALTER TABLE app.t ADD COLUMN extra INT FIRST")
        .await
        .unwrap();
    let to = master_pos(&mut c).await;
    let mut src = BinlogSource::new(config(&db, &from, &to));
    src.start(None).await.unwrap();
    let err = loop {
        match src.next().await {
            Ok(SourceItem::Heartbeat { .. }) => continue,
            Ok(other) => panic!("expected an error, got {other:?}"),
            Err(e) => break e,
        }
    };
    let msg = err.to_string();
    assert!(!err.is_retryable(), "{msg}");
    assert!(msg.contains("app.t"), "{msg}");
    // The position named is the offending event's, inside the insert's transaction.
    let at: u64 = msg
        .split(&format!("{}:", from.file))
        .nth(1)
        .and_then(|r| r.split(|ch: char| !ch.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no position in {msg}"));
    assert!((from.offset..mid.offset).contains(&at), "{msg}");
    assert!(msg.contains("refusing to guess"), "{msg}");
}

#[tokio::test]
async fn binlog_heartbeats_when_idle_and_recovers_after_the_server_dies() {
    let mut db = MariaDb::start();
    let mut c = Conn::from_url(db.url()).await.unwrap();
    c.query_drop("CREATE DATABASE app").await.unwrap();
    c.query_drop("CREATE TABLE app.acct (id INT PRIMARY KEY, v INT)")
        .await
        .unwrap();
    let here = master_pos(&mut c).await;
    let mut cfg = BinlogConfig::new(db.url(), db.server_id() + 7);
    cfg.heartbeat = Duration::from_millis(300);
    let mut src = BinlogSource::new(cfg);
    src.start(None).await.unwrap();
    let t0 = std::time::Instant::now();
    match src.next().await.unwrap() {
        SourceItem::Heartbeat {
            position: SourcePosition::Binlog(p),
            ..
        } => {
            assert_eq!(
                (p.file.as_str(), p.offset),
                (here.file.as_str(), here.offset)
            );
        }
        other => panic!("expected a heartbeat, got {other:?}"),
    }
    assert!(t0.elapsed() < Duration::from_secs(3));

    c.query_drop("INSERT INTO app.acct VALUES (1, 1)")
        .await
        .unwrap();
    let first = loop {
        match src.next().await.unwrap() {
            SourceItem::Transaction(t) => break t,
            _ => continue,
        }
    };
    assert_eq!(
        ops(&first),
        vec![RowOp::Insert {
            after: vec![Value::I32(1), Value::I32(1)]
        }]
    );
    drop(c);

    db.stop(true).unwrap();
    let err = loop {
        match tokio::time::timeout(Duration::from_secs(10), src.next())
            .await
            .expect("no error after server death")
        {
            Ok(SourceItem::Heartbeat { .. }) => continue,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(e) => break e,
        }
    };
    assert!(err.is_retryable(), "{err}");

    db.restart().unwrap();
    let mut c = Conn::from_url(db.url()).await.unwrap();
    c.query_drop("INSERT INTO app.acct VALUES (2, 2)")
        .await
        .unwrap();
    // What the pipeline does after a retryable error: restart from its checkpoint.
    src.start(Some(&first.position)).await.unwrap();
    // The restarted server logs its init file's account statements (as
    // schema changes, table None) before our row.
    let next = loop {
        match src.next().await.unwrap() {
            SourceItem::Transaction(t) if t.row_count() > 0 => break t,
            SourceItem::Transaction(t) => assert!(t
                .changes
                .iter()
                .all(|c| matches!(c, Change::Schema(sc) if sc.table.is_none()))),
            _ => continue,
        }
    };
    assert_eq!(
        ops(&next),
        vec![RowOp::Insert {
            after: vec![Value::I32(2), Value::I32(2)]
        }]
    );

    // A clean shutdown (the server says so before closing) is retryable too.
    drop(c);
    db.stop(false).unwrap();
    let err = loop {
        match tokio::time::timeout(Duration::from_secs(30), src.next())
            .await
            .expect("no error after shutdown")
        {
            Ok(SourceItem::Heartbeat { .. }) => continue,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(e) => break e,
        }
    };
    assert!(err.is_retryable(), "{err}");
}
