//! The OceanBase sink against a real seekdb (OceanBase 4.3.5 kernel).

use mysql_async::prelude::Queryable;
use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::{ApplyCursor, Sink};
use sluice_engine::position::SourcePosition;
use sluice_engine::value::Value;
use sluice_engine::Error;
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink, TlsMode};
use sluice_testkit::{SeekDb, TestDatabase};

const PEOPLE: &str = "CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(100), ward INT)";

struct Target {
    db: TestDatabase,
    conn: mysql_async::Conn,
}

async fn target(ddl: &[&str]) -> Target {
    let db = SeekDb::shared().fresh_database().await;
    let mut conn = mysql_async::Conn::from_url(&db.url).await.unwrap();
    for d in ddl {
        conn.query_drop(*d).await.unwrap();
    }
    Target { db, conn }
}

fn config(t: &Target) -> OceanBaseConfig {
    let mut c = OceanBaseConfig::new(t.db.url.clone());
    // A control database per test keeps tests on the shared server apart.
    c.control_database = format!("{}_ctl", t.db.name);
    c
}

fn person(id: i64, name: &str, ward: i32) -> Vec<Value> {
    vec![Value::I64(id), Value::String(name.into()), Value::I32(ward)]
}

fn ev(op: RowOp) -> Change {
    Change::Row(ChangeEvent {
        table: TableRef::new("dbo", "people"),
        columns: vec!["id".to_string(), "name".to_string(), "ward".to_string()].into(),
        key: vec![0u16].into(),
        op,
    })
}

fn rec(seq: u64, changes: Vec<Change>) -> LogRecord {
    LogRecord {
        seq,
        tx: Transaction {
            source_id: Some(format!("tx{seq}")),
            position: SourcePosition::Counter(seq * 10),
            commit_time_us: 1_700_000_000_000_000 + seq as i64,
            changes,
        },
    }
}

fn ins(id: i64, name: &str, ward: i32) -> Change {
    ev(RowOp::Insert {
        after: person(id, name, ward),
    })
}

async fn people(t: &mut Target) -> Vec<(i64, String, i32)> {
    t.conn
        .query("SELECT id, name, ward FROM people ORDER BY id")
        .await
        .unwrap()
}

#[tokio::test]
async fn applies_in_order_and_reads_the_cursor_back() {
    let mut t = target(&[PEOPLE]).await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    assert_eq!(sink.read_cursor("p").await.unwrap(), None);
    let recs = vec![
        rec(1, vec![ins(1, "ann", 1), ins(2, "bob", 1), ins(3, "cy", 2)]),
        rec(
            2,
            vec![ev(RowOp::Update {
                before: person(2, "bob", 1),
                after: person(2, "bob", 3),
            })],
        ),
        rec(
            3,
            vec![
                ev(RowOp::Delete {
                    before: person(3, "cy", 2),
                }),
                ins(3, "cy again", 4),
            ],
        ),
        rec(
            4,
            vec![ev(RowOp::Delete {
                before: person(1, "ann", 1),
            })],
        ),
    ];
    let c = sink.apply("p", &recs).await.unwrap();
    assert_eq!(
        c,
        ApplyCursor {
            seq: 4,
            position: SourcePosition::Counter(40)
        }
    );
    assert_eq!(
        people(&mut t).await,
        vec![(2, "bob".into(), 3), (3, "cy again".into(), 4)]
    );
    assert_eq!(
        sink.stats().commits,
        1,
        "small transactions batch into one commit"
    );
    // A new sink (a restarted process) reads the cursor from the target.
    let mut again = OceanBaseSink::new(config(&t));
    assert_eq!(again.read_cursor("p").await.unwrap(), Some(c));
    assert_eq!(again.read_cursor("other").await.unwrap(), None);
}

#[tokio::test]
async fn replay_of_applied_records_changes_nothing() {
    let mut t = target(&[PEOPLE]).await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    let first = vec![rec(1, vec![ins(1, "a", 1)]), rec(2, vec![ins(2, "b", 1)])];
    sink.apply("p", &first).await.unwrap();
    // Someone fixes a row by hand on the target; a replay must not undo it.
    t.conn
        .query_drop("UPDATE people SET ward = 9 WHERE id = 1")
        .await
        .unwrap();
    let c = sink.apply("p", &first).await.unwrap();
    assert_eq!(c.seq, 2);
    assert_eq!(sink.stats().skipped_records, 2);
    assert_eq!(
        people(&mut t).await,
        vec![(1, "a".into(), 9), (2, "b".into(), 1)]
    );
    // An overlapping batch applies only what is new.
    let overlap = vec![rec(2, vec![ins(2, "b", 1)]), rec(3, vec![ins(3, "c", 1)])];
    assert_eq!(sink.apply("p", &overlap).await.unwrap().seq, 3);
    assert_eq!(people(&mut t).await.len(), 3);
    assert_eq!(people(&mut t).await[0], (1, "a".into(), 9));
}

#[tokio::test]
async fn a_batch_that_would_skip_records_is_refused() {
    let mut t = target(&[PEOPLE]).await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    sink.apply("p", &[rec(1, vec![ins(1, "a", 1)])])
        .await
        .unwrap();
    let err = sink
        .apply("p", &[rec(5, vec![ins(5, "e", 1)])])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CursorMismatch(_)), "{err}");
    assert!(err.to_string().contains("2..=4"), "{err}");
    assert_eq!(people(&mut t).await.len(), 1);
    assert_eq!(sink.read_cursor("p").await.unwrap().unwrap().seq, 1);
}

#[tokio::test]
async fn primary_key_change_moves_the_row_in_one_transaction() {
    let mut t = target(&[PEOPLE]).await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    sink.apply("p", &[rec(1, vec![ins(1, "a", 1), ins(2, "b", 2)])])
        .await
        .unwrap();
    // Swap keys 1 and 2 through a temporary key, as an application would.
    let upd = |b: Vec<Value>, a: Vec<Value>| {
        ev(RowOp::Update {
            before: b,
            after: a,
        })
    };
    sink.apply(
        "p",
        &[rec(
            2,
            vec![
                upd(person(1, "a", 1), person(100, "a", 1)),
                upd(person(2, "b", 2), person(1, "b", 2)),
                upd(person(100, "a", 1), person(2, "a", 1)),
            ],
        )],
    )
    .await
    .unwrap();
    assert_eq!(
        people(&mut t).await,
        vec![(1, "b".into(), 2), (2, "a".into(), 1)]
    );
}

#[tokio::test]
async fn large_batches_commit_in_units_each_with_its_cursor() {
    let mut t = target(&[PEOPLE]).await;
    let mut cfg = config(&t);
    cfg.max_rows_per_commit = 250;
    cfg.max_rows_per_statement = 100;
    let mut sink = OceanBaseSink::connect(cfg).await.unwrap();
    let recs: Vec<LogRecord> = (1..=100u64)
        .map(|s| {
            rec(
                s,
                (0..10)
                    .map(|i| ins((s * 10 + i) as i64, "x", i as i32))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(sink.apply("p", &recs).await.unwrap().seq, 100);
    assert_eq!(sink.stats().commits, 4);
    assert_eq!(people(&mut t).await.len(), 1000);
}

#[tokio::test]
async fn fatal_errors_name_table_seq_and_shape_but_no_values() {
    let t = target(&[
        PEOPLE,
        "CREATE TABLE strict_ward (id BIGINT PRIMARY KEY, name VARCHAR(100), ward TINYINT)",
    ])
    .await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    // Missing table.
    let missing = LogRecord {
        seq: 1,
        tx: Transaction {
            changes: vec![Change::Row(ChangeEvent {
                table: TableRef::new("dbo", "no_such_table"),
                columns: vec!["id".to_string(), "name".to_string()].into(),
                key: vec![0u16].into(),
                op: RowOp::Insert {
                    after: vec![Value::I64(1), Value::String("Jane Doe".into())],
                },
            })],
            ..rec(1, vec![]).tx
        },
    };
    let err = sink.apply("p", &[missing]).await.unwrap_err();
    let msg = err.to_string();
    assert!(!err.is_retryable(), "{msg}");
    assert!(
        msg.contains("no_such_table") && msg.contains("log record 1"),
        "{msg}"
    );
    assert!(
        msg.contains("INSERT INTO") && msg.contains("`name`"),
        "{msg}"
    );
    assert!(!msg.contains("Jane"), "value leaked: {msg}");
    // A value that does not fit the column (strict mode: an error, not a clamp).
    let too_big = LogRecord {
        seq: 1,
        tx: Transaction {
            changes: vec![Change::Row(ChangeEvent {
                table: TableRef::new("dbo", "strict_ward"),
                columns: vec!["id".to_string(), "name".to_string(), "ward".to_string()].into(),
                key: vec![0u16].into(),
                op: RowOp::Insert {
                    after: vec![
                        Value::I64(1),
                        Value::String("Jane Doe".into()),
                        Value::I32(4242),
                    ],
                },
            })],
            ..rec(1, vec![]).tx
        },
    };
    let err = sink.apply("p", &[too_big]).await.unwrap_err();
    let msg = err.to_string();
    assert!(!err.is_retryable(), "{msg}");
    assert!(
        msg.contains("strict_ward") && !msg.contains("4242") && !msg.contains("Jane"),
        "{msg}"
    );
    // Nothing of the failed batches was applied, and the sink still works.
    assert_eq!(sink.read_cursor("p").await.unwrap(), None);
    sink.apply("p", &[rec(1, vec![ins(1, "ok", 1)])])
        .await
        .unwrap();
}

#[tokio::test]
async fn tls_prefer_falls_back_only_when_the_server_offers_none_and_require_refuses() {
    // seekdb ships without a TLS wallet, so its handshake offers no TLS.
    let t = target(&[]).await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    assert_eq!(sink.encrypted(), Some(false));
    assert_eq!(sink.read_cursor("p").await.unwrap(), None);
    let mut cfg = config(&t);
    cfg.tls = TlsMode::Require { ca_file: None };
    let err = OceanBaseSink::connect(cfg)
        .await
        .err()
        .expect("must not go plain");
    assert!(!err.is_retryable(), "{err}");
}

#[tokio::test]
async fn duplicate_keys_in_one_statement_end_with_the_last_image() {
    let mut t = target(&[PEOPLE]).await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    sink.apply(
        "p",
        &[rec(
            1,
            vec![ins(1, "v1", 1), ins(1, "v2", 2), ins(1, "v3", 3)],
        )],
    )
    .await
    .unwrap();
    assert_eq!(people(&mut t).await, vec![(1, "v3".into(), 3)]);
}

#[tokio::test]
async fn a_stale_sink_never_reapplies_what_another_applier_committed() {
    let mut t = target(&[PEOPLE]).await;
    let mut a = OceanBaseSink::connect(config(&t)).await.unwrap();
    a.apply(
        "p",
        &[rec(1, vec![ins(1, "a", 1)]), rec(2, vec![ins(2, "b", 1)])],
    )
    .await
    .unwrap();
    // A second applier of the same pipeline moves the cursor behind a's back.
    let mut b = OceanBaseSink::connect(config(&t)).await.unwrap();
    b.read_cursor("p").await.unwrap();
    b.apply("p", &[rec(3, vec![ins(3, "c", 1)])]).await.unwrap();
    t.conn
        .query_drop("UPDATE people SET name = 'fixed by hand' WHERE id = 3")
        .await
        .unwrap();
    // a still believes the cursor is 2; the target must correct it.
    let c = a
        .apply(
            "p",
            &[rec(3, vec![ins(3, "c", 1)]), rec(4, vec![ins(4, "d", 1)])],
        )
        .await
        .unwrap();
    assert_eq!(c.seq, 4);
    assert_eq!(a.stats().skipped_records, 1);
    assert_eq!(
        people(&mut t).await,
        vec![
            (1, "a".into(), 1),
            (2, "b".into(), 1),
            (3, "fixed by hand".into(), 1),
            (4, "d".into(), 1)
        ]
    );
}

#[tokio::test]
async fn tables_without_a_key_change_one_row_of_identical_twins() {
    let mut t = target(&["CREATE TABLE log_lines (msg VARCHAR(50), n INT)"]).await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    // The source marks every column as key when a table has no primary key.
    let line = |op| {
        Change::Row(ChangeEvent {
            table: TableRef::new("dbo", "log_lines"),
            columns: vec!["msg".to_string(), "n".to_string()].into(),
            key: vec![0u16, 1].into(),
            op,
        })
    };
    let row = |m: &str, n: i32| vec![Value::String(m.into()), Value::I32(n)];
    sink.apply(
        "p",
        &[
            rec(
                1,
                vec![line(RowOp::Insert {
                    after: row("dup", 1),
                })],
            ),
            rec(
                2,
                vec![line(RowOp::Insert {
                    after: row("dup", 1),
                })],
            ),
            rec(
                3,
                vec![line(RowOp::Insert {
                    after: row("nul", 0),
                })],
            ),
        ],
    )
    .await
    .unwrap();
    sink.apply(
        "p",
        &[
            rec(
                4,
                vec![line(RowOp::Delete {
                    before: row("dup", 1),
                })],
            ),
            rec(
                5,
                vec![line(RowOp::Update {
                    before: row("nul", 0),
                    after: vec![Value::String("nul".into()), Value::Null],
                })],
            ),
        ],
    )
    .await
    .unwrap();
    let rows: Vec<(String, Option<i32>)> = t
        .conn
        .query("SELECT msg, n FROM log_lines ORDER BY msg")
        .await
        .unwrap();
    assert_eq!(rows, vec![("dup".into(), Some(1)), ("nul".into(), None)]);
    // A NULL in the "key" is matched with <=>, so the row can still be deleted.
    sink.apply(
        "p",
        &[rec(
            6,
            vec![line(RowOp::Delete {
                before: vec![Value::String("nul".into()), Value::Null],
            })],
        )],
    )
    .await
    .unwrap();
    let n: u64 = t
        .conn
        .query_first("SELECT COUNT(*) FROM log_lines")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn lanes_resume_after_one_lane_failed_without_reapplying_the_others() {
    let mut t = target(&[PEOPLE]).await;
    let mut cfg = config(&t);
    cfg.lanes = 2;
    let naming = cfg.naming.clone();
    let lane_of = |r: &LogRecord| {
        sluice_oceanbase::lanes::record_lane(
            r,
            &naming,
            2,
            &sluice_oceanbase::unique::Guards::unguarded(),
        )
        .unwrap()
    };
    // A record into a table that does not exist yet, and one person on each lane.
    let later = rec(
        3,
        vec![Change::Row(ChangeEvent {
            table: TableRef::new("dbo", "later"),
            columns: vec!["id".to_string()].into(),
            key: vec![0u16].into(),
            op: RowOp::Insert {
                after: vec![Value::I64(1)],
            },
        })],
    );
    let failing_lane = lane_of(&later);
    let id_on = |lane: usize| {
        (1..100)
            .find(|&id| lane_of(&rec(1, vec![ins(id, "x", 0)])) == lane)
            .unwrap()
    };
    let (same, other) = (id_on(failing_lane), id_on(1 - failing_lane));
    let recs = vec![
        rec(1, vec![ins(same, "same lane", 1)]),
        rec(2, vec![ins(other, "other lane", 1)]),
        later,
    ];
    let mut sink = OceanBaseSink::connect(cfg.clone()).await.unwrap();
    let err = sink.apply("p", &recs).await.unwrap_err();
    assert!(
        !err.is_retryable() && err.to_string().contains("later"),
        "{err}"
    );
    // The other lane committed; the failing lane rolled back.
    assert_eq!(people(&mut t).await, vec![(other, "other lane".into(), 1)]);
    // A one-lane sink must refuse to continue from the lowest lane.
    let mut single = OceanBaseSink::new(config(&t));
    let e = single.read_cursor("p").await.unwrap_err();
    assert!(e.to_string().contains("lanes = 2"), "{e}");
    // Fix the target, then resume with lanes as the pipeline would: from the cursor.
    t.conn
        .query_drop("CREATE TABLE later (id BIGINT PRIMARY KEY)")
        .await
        .unwrap();
    t.conn
        .query_drop(format!(
            "UPDATE people SET name = 'fixed by hand' WHERE id = {other}"
        ))
        .await
        .unwrap();
    let mut resumed = OceanBaseSink::new(cfg);
    assert_eq!(
        resumed.read_cursor("p").await.unwrap(),
        None,
        "lowest lane applied nothing"
    );
    // Resume in smaller batches than before: the other lane stays ahead of
    // the first batch's end, and the lanes fold only once all meet.
    assert_eq!(resumed.apply("p", &recs[..2]).await.unwrap().seq, 2);
    assert_eq!(resumed.read_cursor("p").await.unwrap().unwrap().seq, 2);
    assert!(
        single.read_cursor("p").await.is_err(),
        "lanes not folded yet"
    );
    assert_eq!(resumed.apply("p", &recs[2..]).await.unwrap().seq, 3);
    let mut want = vec![
        (same, "same lane".to_string(), 1),
        (other, "fixed by hand".to_string(), 1),
    ];
    want.sort();
    assert_eq!(
        people(&mut t).await,
        want,
        "the other lane's record was not re-applied"
    );
    // Lanes are folded back into the one cursor row.
    assert_eq!(single.read_cursor("p").await.unwrap().unwrap().seq, 3);
}

const PATIENTS: &str = "CREATE TABLE patients (id BIGINT PRIMARY KEY, mrn VARCHAR(20), \
                        name VARCHAR(100), UNIQUE KEY uk_mrn (mrn))";

fn pat(op: RowOp) -> Change {
    Change::Row(ChangeEvent {
        table: TableRef::new("dbo", "patients"),
        columns: vec!["id".to_string(), "mrn".to_string(), "name".to_string()].into(),
        key: vec![0u16].into(),
        op,
    })
}

fn patient(id: i64, mrn: &str, name: &str) -> Vec<Value> {
    vec![
        Value::I64(id),
        Value::String(mrn.into()),
        Value::String(name.into()),
    ]
}

async fn patients(t: &mut Target) -> Vec<(i64, String, String)> {
    t.conn
        .query("SELECT id, mrn, name FROM patients ORDER BY id")
        .await
        .unwrap()
}

/// `INSERT … ON DUPLICATE KEY UPDATE` fires on any unique key: a new row
/// whose MRN is already taken would have overwritten the other patient.
async fn secondary_unique_key_collision_stops_instead_of_merging(lanes: usize) {
    let mut t = target(&[PATIENTS]).await;
    let mut cfg = config(&t);
    cfg.lanes = lanes;
    let mut sink = OceanBaseSink::connect(cfg.clone()).await.unwrap();
    sink.apply(
        "p",
        &[rec(
            1,
            vec![pat(RowOp::Insert {
                after: patient(1, "MRN-7731", "Jane Doe"),
            })],
        )],
    )
    .await
    .unwrap();
    let clash = rec(
        2,
        vec![pat(RowOp::Insert {
            after: patient(2, "MRN-7731", "John Roe"),
        })],
    );
    let err = sink.apply("p", &[clash]).await.unwrap_err();
    let msg = err.to_string();
    eprintln!("the error a DBA sees: {msg}");
    assert!(!err.is_retryable(), "{msg}");
    assert!(
        msg.contains("patients")
            && msg.contains("uk_mrn")
            && msg.contains("(mrn)")
            && msg.contains("log record 2")
            && msg.contains("key is id"),
        "{msg}"
    );
    for value in ["MRN-7731", "7731", "Jane", "John", "Roe"] {
        assert!(!msg.contains(value), "value {value} leaked: {msg}");
    }
    assert_eq!(
        patients(&mut t).await,
        vec![(1, "MRN-7731".into(), "Jane Doe".into())],
        "the other patient's row is untouched"
    );
    assert_eq!(sink.read_cursor("p").await.unwrap().map(|c| c.seq), Some(1));

    // What the source really did instead: the MRN moves to a free value and
    // the freed one goes to the new patient (in one transaction), then a key
    // change, an update in place and a replay.
    let recs = vec![
        rec(
            2,
            vec![
                pat(RowOp::Update {
                    before: patient(1, "MRN-7731", "Jane Doe"),
                    after: patient(1, "MRN-9000", "Jane Doe"),
                }),
                pat(RowOp::Insert {
                    after: patient(2, "MRN-7731", "John Roe"),
                }),
            ],
        ),
        rec(
            3,
            vec![pat(RowOp::Update {
                before: patient(2, "MRN-7731", "John Roe"),
                after: patient(3, "MRN-7731", "John Roe"),
            })],
        ),
        rec(
            4,
            vec![pat(RowOp::Update {
                before: patient(1, "MRN-9000", "Jane Doe"),
                after: patient(1, "MRN-9000", "Jane Q. Doe"),
            })],
        ),
    ];
    assert_eq!(sink.apply("p", &recs).await.unwrap().seq, 4);
    let want = vec![
        (1, "MRN-9000".to_string(), "Jane Q. Doe".to_string()),
        (3, "MRN-7731".to_string(), "John Roe".to_string()),
    ];
    assert_eq!(patients(&mut t).await, want);
    // A restarted sink replaying from the start changes nothing.
    let mut again = OceanBaseSink::new(cfg);
    again.read_cursor("p").await.unwrap();
    assert_eq!(again.apply("p", &recs).await.unwrap().seq, 4);
    assert_eq!(patients(&mut t).await, want);
}

#[tokio::test]
async fn a_secondary_unique_key_collision_fails_instead_of_merging_two_rows() {
    secondary_unique_key_collision_stops_instead_of_merging(1).await;
}

#[tokio::test]
async fn a_secondary_unique_key_collision_fails_with_lanes_too() {
    secondary_unique_key_collision_stops_instead_of_merging(3).await;
}

#[tokio::test]
async fn a_primary_key_only_table_keeps_the_upsert() {
    let mut t = target(&[PEOPLE]).await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    sink.apply("p", &[rec(1, vec![ins(1, "a", 1), ins(1, "b", 2)])])
        .await
        .unwrap();
    // One multi-row upsert: the fast path, not DELETE + INSERT.
    assert_eq!(sink.stats().statements, 1);
    assert_eq!(people(&mut t).await, vec![(1, "b".into(), 2)]);
}

/// A guarded table (a unique index besides the key) that other tables point
/// at: an update of the parent must neither fail on the foreign key nor
/// cascade into the children, as a delete-then-insert would.
#[tokio::test]
async fn a_guarded_parent_keeps_its_children() {
    let mut t = target(&[
        PATIENTS,
        "CREATE TABLE allergies (id INT PRIMARY KEY, patient_id BIGINT NOT NULL, \
           CONSTRAINT fk_allergy_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE)",
        "CREATE TABLE contacts (id INT PRIMARY KEY, patient_id BIGINT NOT NULL, \
           CONSTRAINT fk_contact_patient FOREIGN KEY (patient_id) REFERENCES patients (id))",
    ])
    .await;
    let mut sink = OceanBaseSink::connect(config(&t)).await.unwrap();
    sink.apply(
        "p",
        &[rec(
            1,
            vec![pat(RowOp::Insert {
                after: patient(1, "MRN-1", "Jane Doe"),
            })],
        )],
    )
    .await
    .unwrap();
    t.conn
        .query_drop("INSERT INTO allergies VALUES (10, 1), (11, 1)")
        .await
        .unwrap();
    t.conn
        .query_drop("INSERT INTO contacts VALUES (20, 1)")
        .await
        .unwrap();
    // The source updates the patient, then replays the same insert (a
    // capture restart re-reads it): both must leave the children alone.
    sink.apply(
        "p",
        &[
            rec(
                2,
                vec![pat(RowOp::Update {
                    before: patient(1, "MRN-1", "Jane Doe"),
                    after: patient(1, "MRN-1", "Jane Roe"),
                })],
            ),
            rec(
                3,
                vec![pat(RowOp::Insert {
                    after: patient(1, "MRN-1", "Jane Roe"),
                })],
            ),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        patients(&mut t).await,
        vec![(1, "MRN-1".into(), "Jane Roe".into())]
    );
    let children: i64 = t
        .conn
        .query_first("SELECT (SELECT COUNT(*) FROM allergies) + (SELECT COUNT(*) FROM contacts)")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        children, 3,
        "no child row was cascaded away or blocked the write"
    );
    // The target does enforce the foreign keys: a delete-then-insert of the
    // parent would have failed here (and emptied `allergies` without `contacts`).
    let blocked = t.conn.query_drop("DELETE FROM patients WHERE id = 1").await;
    assert!(blocked.is_err(), "seekdb enforces fk_contact_patient");
}
