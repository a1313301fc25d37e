//! In-memory source and sink with failure injection, and proptest strategies.
//!
//! These model the *contracts* of [`Source`] and [`Sink`], not any database:
//! the property tests use them to check the pipeline's exactly-once logic
//! under crashes that real servers cannot be made to produce on demand.
//! Connector behaviour is tested against real servers elsewhere.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use proptest::prelude::*;

use crate::error::{Error, Result};
use crate::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use crate::log::LogRecord;
use crate::pipeline::{ApplyCursor, Sink, Source, SourceItem};
use crate::position::SourcePosition;
use crate::value::{Date, DateTime, Decimal, Time, Value};

/// A deterministic source over a fixed list of transactions; transaction `i`
/// (0-based) ends at position `Counter(i + 1)`.
#[derive(Debug)]
pub struct ScriptSource {
    txs: Arc<Vec<Transaction>>,
    next: usize,
    /// Items to return before the next transaction (errors to inject).
    pub inject: VecDeque<Error>,
}

impl ScriptSource {
    /// Builds the source, renumbering positions to `Counter(i + 1)`.
    pub fn new(mut txs: Vec<Transaction>) -> Self {
        for (i, t) in txs.iter_mut().enumerate() {
            t.position = SourcePosition::Counter(i as u64 + 1);
        }
        ScriptSource {
            txs: Arc::new(txs),
            next: 0,
            inject: VecDeque::new(),
        }
    }

    pub fn transactions(&self) -> &[Transaction] {
        &self.txs
    }
}

impl Source for ScriptSource {
    async fn start(&mut self, from: Option<&SourcePosition>) -> Result<()> {
        self.next = match from {
            None => 0,
            Some(SourcePosition::Counter(n)) => *n as usize,
            Some(other) => {
                return Err(Error::source_fatal(format!(
                    "script source cannot resume from {other}"
                )))
            }
        };
        Ok(())
    }

    async fn next(&mut self) -> Result<SourceItem> {
        if let Some(e) = self.inject.pop_front() {
            return Err(e);
        }
        match self.txs.get(self.next) {
            Some(t) => {
                self.next += 1;
                Ok(SourceItem::Transaction(t.clone()))
            }
            None => Ok(SourceItem::End),
        }
    }
}

/// Table state of the in-memory target: rows by encoded key.
pub type TableRows = BTreeMap<Vec<u8>, Vec<Value>>;

/// The "database" behind [`MemorySink`]. It survives sink restarts (it is the
/// target), and is shared so tests can inspect it.
#[derive(Debug, Clone, Default)]
pub struct MemoryTarget {
    pub tables: BTreeMap<TableRef, TableRows>,
    pub cursors: BTreeMap<String, ApplyCursor>,
    /// Every log sequence ever committed, in commit order: the exactly-once witness.
    pub applied: Vec<u64>,
}

/// Encodes key values into bytes usable as a map key (floats are not `Ord`).
pub fn key_bytes(values: &[&Value]) -> Vec<u8> {
    bincode::encode_to_vec(values, bincode::config::standard()).expect("values encode")
}

impl MemoryTarget {
    /// Applies one row change with upsert semantics (what real sinks do).
    pub fn apply_event(&mut self, ev: &ChangeEvent) {
        let table = self.tables.entry(ev.table.clone()).or_default();
        let old = key_bytes(&ev.old_key());
        match &ev.op {
            RowOp::Insert { after } => {
                table.insert(old, after.clone());
            }
            RowOp::Update { after, .. } => {
                let new = key_bytes(&ev.new_key().expect("update has after image"));
                if new != old {
                    table.remove(&old);
                }
                table.insert(new, after.clone());
            }
            RowOp::Delete { .. } => {
                table.remove(&old);
            }
        }
    }
}

/// What the next `apply` call should do wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Fail before anything reaches the target.
    BeforeCommit,
    /// Apply part of the batch, then fail: the target transaction rolls back.
    MidBatch,
    /// Commit everything (rows and cursor), then lose the acknowledgement.
    AfterCommit,
}

/// A sink into a [`MemoryTarget`] with injectable failures.
#[derive(Debug, Clone)]
pub struct MemorySink {
    pub target: Arc<Mutex<MemoryTarget>>,
    pub fail_next: VecDeque<Failure>,
}

impl MemorySink {
    pub fn new(target: Arc<Mutex<MemoryTarget>>) -> Self {
        MemorySink {
            target,
            fail_next: VecDeque::new(),
        }
    }
}

impl Sink for MemorySink {
    async fn read_cursor(&mut self, pipeline: &str) -> Result<Option<ApplyCursor>> {
        Ok(self.target.lock().unwrap().cursors.get(pipeline).cloned())
    }

    async fn apply(&mut self, pipeline: &str, records: &[LogRecord]) -> Result<ApplyCursor> {
        let failure = self.fail_next.pop_front();
        if failure == Some(Failure::BeforeCommit) {
            return Err(Error::sink_retryable(
                "injected: connection lost before commit",
            ));
        }
        let mut target = self.target.lock().unwrap();
        // Work on a copy: the "transaction". It replaces the target only on commit.
        let mut tx = target.clone();
        for (i, r) in records.iter().enumerate() {
            if failure == Some(Failure::MidBatch) && i == records.len() / 2 {
                return Err(Error::sink_retryable("injected: deadlock mid-batch"));
            }
            for ev in r.tx.rows() {
                tx.apply_event(ev);
            }
            tx.applied.push(r.seq);
        }
        let last = records.last().expect("non-empty batch");
        let cursor = ApplyCursor {
            seq: last.seq,
            position: last.tx.position.clone(),
        };
        tx.cursors.insert(pipeline.to_string(), cursor.clone());
        *target = tx;
        if failure == Some(Failure::AfterCommit) {
            return Err(Error::sink_retryable(
                "injected: acknowledgement lost after commit",
            ));
        }
        Ok(cursor)
    }
}

/// A small transaction of `rows` inserts into `t.rows`, for tests and benches.
pub fn sample_transaction(id: u64, rows: usize) -> Transaction {
    let columns: Arc<[String]> = vec!["id".to_string(), "payload".to_string()].into();
    let key: Arc<[u16]> = vec![0u16].into();
    Transaction {
        source_id: Some(format!("tx{id}")),
        position: SourcePosition::Counter(id),
        commit_time_us: 1_700_000_000_000_000 + id as i64,
        changes: (0..rows)
            .map(|i| {
                Change::Row(ChangeEvent {
                    table: TableRef::new("dbo", "rows"),
                    columns: columns.clone(),
                    key: key.clone(),
                    op: RowOp::Insert {
                        after: vec![
                            Value::I64((id * 1_000_000 + i as u64) as i64),
                            Value::String(format!("row {i} of tx {id}")),
                        ],
                    },
                })
            })
            .collect(),
    }
}

/// Any value of any variant.
pub fn arb_value() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i8>().prop_map(Value::I8),
        any::<i16>().prop_map(Value::I16),
        any::<i32>().prop_map(Value::I32),
        any::<i64>().prop_map(Value::I64),
        any::<u8>().prop_map(Value::U8),
        any::<u16>().prop_map(Value::U16),
        any::<u32>().prop_map(Value::U32),
        any::<u64>().prop_map(Value::U64),
        (-(10i128.pow(20))..10i128.pow(20), 0u8..10)
            .prop_map(|(u, s)| Value::Decimal(Decimal::new(u, 38, s).expect("fits"))),
        any::<f32>()
            .prop_filter("NaN is not equal to itself", |f| !f.is_nan())
            .prop_map(Value::F32),
        any::<f64>()
            .prop_filter("NaN is not equal to itself", |f| !f.is_nan())
            .prop_map(Value::F64),
        ".{0,20}".prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(Value::Bytes),
        (0i32..3_652_059).prop_map(|d| Value::Date(Date { days: d })),
        (0u64..crate::value::TICKS_PER_DAY).prop_map(|t| Value::Time(Time { ticks: t })),
        (0i32..3_652_059, 0u64..crate::value::TICKS_PER_DAY).prop_map(|(d, t)| Value::DateTime(
            DateTime {
                date: Date { days: d },
                time: Time { ticks: t }
            }
        )),
        any::<[u8; 16]>().prop_map(Value::Uuid),
        "\\{\"a\":[0-9]{1,3}\\}".prop_map(Value::Json),
    ]
}

/// Any well-formed transaction (one table, random columns and ops).
pub fn arb_transaction() -> impl Strategy<Value = Transaction> {
    (1usize..4, 0usize..5).prop_flat_map(|(ncols, nrows)| {
        let row = proptest::collection::vec(arb_value(), ncols);
        let op = prop_oneof![
            row.clone().prop_map(|after| RowOp::Insert { after }),
            (row.clone(), row.clone()).prop_map(|(before, after)| RowOp::Update { before, after }),
            row.prop_map(|before| RowOp::Delete { before }),
        ];
        (
            proptest::collection::vec(op, nrows),
            any::<u64>(),
            any::<i64>(),
            proptest::option::of("[a-z0-9]{1,8}"),
        )
            .prop_map(move |(ops, pos, time, id)| {
                let columns: Arc<[String]> = (0..ncols).map(|i| format!("c{i}")).collect();
                let key: Arc<[u16]> = vec![0u16].into();
                Transaction {
                    source_id: id,
                    position: SourcePosition::Counter(pos),
                    commit_time_us: time,
                    changes: ops
                        .into_iter()
                        .map(|op| {
                            Change::Row(ChangeEvent {
                                table: TableRef::new("dbo", "t"),
                                columns: columns.clone(),
                                key: key.clone(),
                                op,
                            })
                        })
                        .collect(),
                }
            })
    })
}

/// An in-memory table as one side of a comparison; digests are computed with
/// the same canonical encoding a database side uses. Models a table for the
/// verify algorithm's property tests (database sides are tested live).
#[derive(Debug, Clone, Default)]
pub struct MemoryTableSide {
    pub rows: Vec<Vec<Value>>,
    /// Digest calls made, to show bisection reads less than a full compare.
    pub digest_calls: u64,
    pub rows_read: u64,
}

impl MemoryTableSide {
    fn in_range<'a>(
        &'a self,
        spec: &'a crate::verify::TableSpec,
        range: &'a crate::verify::KeyRange,
    ) -> impl Iterator<Item = &'a Vec<Value>> + 'a {
        let key = spec.effective_key();
        self.rows.iter().filter(move |r| {
            let k: Vec<Value> = key.iter().map(|&i| r[i].clone()).collect();
            range.contains(&k)
        })
    }
}

impl crate::verify::VerifySide for MemoryTableSide {
    fn label(&self) -> String {
        "memory".into()
    }

    async fn count(
        &mut self,
        spec: &crate::verify::TableSpec,
        range: &crate::verify::KeyRange,
    ) -> Result<u64> {
        Ok(self.in_range(spec, range).count() as u64)
    }

    async fn digest(
        &mut self,
        spec: &crate::verify::TableSpec,
        range: &crate::verify::KeyRange,
    ) -> Result<crate::verify::ChunkDigest> {
        self.digest_calls += 1;
        let kinds = spec.kinds();
        let mut d = crate::verify::ChunkDigest::default();
        for r in self.in_range(spec, range) {
            d.add_row(
                crate::verify::canonical::row_hash(r, &kinds)
                    .map_err(|e| Error::Invalid(e.to_string()))?,
            );
        }
        Ok(d)
    }

    async fn rows(
        &mut self,
        spec: &crate::verify::TableSpec,
        range: &crate::verify::KeyRange,
    ) -> Result<Vec<Vec<Value>>> {
        let out: Vec<Vec<Value>> = self.in_range(spec, range).cloned().collect();
        self.rows_read += out.len() as u64;
        Ok(out)
    }

    async fn key_bounds(
        &mut self,
        spec: &crate::verify::TableSpec,
    ) -> Result<Option<(Vec<Value>, Vec<Value>)>> {
        let key = spec.effective_key();
        let mut keys: Vec<Vec<Value>> = self
            .rows
            .iter()
            .map(|r| key.iter().map(|&i| r[i].clone()).collect())
            .collect();
        keys.sort_by(|a, b| crate::verify::canonical::cmp_keys(a, b));
        Ok(keys.first().cloned().zip(keys.last().cloned()))
    }

    async fn split_points(
        &mut self,
        spec: &crate::verify::TableSpec,
        range: &crate::verify::KeyRange,
        parts: usize,
    ) -> Result<Vec<Vec<Value>>> {
        let key = spec.effective_key();
        let mut keys: Vec<Vec<Value>> = self
            .in_range(spec, range)
            .map(|r| key.iter().map(|&i| r[i].clone()).collect())
            .collect();
        keys.sort_by(|a, b| crate::verify::canonical::cmp_keys(a, b));
        keys.dedup();
        let mut cuts: Vec<Vec<Value>> = (1..parts.max(1))
            .filter_map(|i| keys.get(keys.len() * i / parts).cloned())
            .collect();
        cuts.dedup();
        if let Some(first) = keys.first() {
            cuts.retain(|c| c != first);
        }
        Ok(cuts)
    }
}
