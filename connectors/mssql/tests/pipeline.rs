//! The engine's own pipeline (log → Apply) driving the SQL Server sink: the
//! reverse path exactly as `sluice sync` runs it, minus the binlog source.

mod common;

use std::sync::Arc;

use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::{Apply, ApplyOptions, Capture, CaptureOptions};
use sluice_engine::position::SourcePosition;
use sluice_engine::testing::ScriptSource;
use sluice_engine::value::Value;
use sluice_mssql::catalog::query;
use sluice_mssql::MssqlSink;

fn tx(changes: Vec<RowOp>) -> Transaction {
    Transaction {
        source_id: None,
        position: SourcePosition::Counter(0),
        commit_time_us: 0,
        changes: changes
            .into_iter()
            .map(|op| {
                Change::Row(ChangeEvent {
                    table: TableRef::new("dbo", "ward"),
                    columns: Arc::from(vec!["id".to_string(), "beds".to_string()]),
                    key: Arc::from(vec![0u16]),
                    op,
                })
            })
            .collect(),
    }
}

fn r(id: i32, beds: i32) -> Vec<Value> {
    vec![Value::I32(id), Value::I32(beds)]
}

#[tokio::test]
async fn engine_apply_through_the_sink_is_exactly_once_across_restarts() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "pipe").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.ward (id int NOT NULL PRIMARY KEY, beds int NOT NULL)",
    )
    .await;
    let mut txs = Vec::new();
    for i in 0..40 {
        txs.push(tx(vec![RowOp::Insert { after: r(i, 1) }]));
        if i % 3 == 0 {
            txs.push(tx(vec![RowOp::Update {
                before: r(i, 1),
                after: r(i, i),
            }]));
        }
        if i % 7 == 0 {
            txs.push(tx(vec![RowOp::Delete { before: r(i, i) }]));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
    let mut capture = Capture::new(
        ScriptSource::new(txs.clone()),
        log.clone(),
        CaptureOptions::default(),
    );
    while !capture.step().await.unwrap().ended {}
    let total = log.last_seq().unwrap().unwrap();

    let opts = || ApplyOptions {
        batch_records: 7,
        ..Default::default()
    };
    let mut apply = Apply::new(MssqlSink::new(db.clone()), log.clone(), "rev", opts());
    // Apply part of the log, then "crash" (drop) and resume with a new sink.
    for _ in 0..3 {
        apply.step().await.unwrap();
    }
    drop(apply);
    let mut apply = Apply::new(MssqlSink::new(db.clone()), log.clone(), "rev", opts());
    while apply.step().await.unwrap() > 0 {}
    assert_eq!(apply.next_seq(), Some(total + 1));

    let rows = query(&mut c, "read", "SELECT id, beds FROM dbo.ward ORDER BY id")
        .await
        .unwrap();
    let expected: Vec<Vec<Value>> = (0..40)
        .filter(|i| i % 7 != 0)
        .map(|i| vec![Value::I32(i), Value::I32(if i % 3 == 0 { i } else { 1 })])
        .collect();
    assert_eq!(rows, expected);
    // A third start finds nothing left to apply.
    let mut apply = Apply::new(MssqlSink::new(db.clone()), log.clone(), "rev", opts());
    assert_eq!(apply.step().await.unwrap(), 0);
}
