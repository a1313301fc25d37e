//! Property test: random workloads through the sink into real seekdb, with
//! random batch boundaries, replays, dropped connections and sink restarts,
//! must leave exactly the table state an in-memory model computes.

use std::collections::BTreeMap;
use std::sync::Arc;

use mysql_async::prelude::Queryable;
use proptest::prelude::*;
use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef, Transaction};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::Sink;
use sluice_engine::position::SourcePosition;
use sluice_engine::value::{Date, DateTime, Decimal, Time, Value};
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink};
use sluice_testkit::SeekDb;

const DDL: [&str; 3] = [
    "CREATE TABLE a (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(18,4), at DATETIME(6))",
    "CREATE TABLE b (k1 INT, k2 VARCHAR(10), v BIGINT, PRIMARY KEY (k1, k2))",
    // A unique key besides the primary key: applied as DELETE + INSERT.
    "CREATE TABLE c (id INT PRIMARY KEY, code VARCHAR(10), v INT, UNIQUE KEY uk_code (code))",
];

/// One abstract operation; `Op::materialize` turns it into a row change that
/// is valid against the current model state.
#[derive(Debug, Clone)]
struct Op {
    /// 0: a, 1: b, 2: c.
    table: u8,
    kind: u8,
    key: u32,
    val: i64,
}

/// What the workload does between applies.
#[derive(Debug, Clone)]
enum Step {
    /// Apply the next `n` records.
    Apply(usize),
    /// Re-apply the last `n` already-applied records plus the next one (replay overlap).
    Replay(usize),
    /// Drop the connection (the next call reconnects).
    Disconnect,
    /// Throw the sink away and start a new one (a process restart).
    Restart,
}

type Rows = BTreeMap<String, Vec<Value>>;

/// Table `a` as text, as read back from the target.
type RowA = (String, Option<String>, Option<String>, Option<String>);

struct Model {
    a: Rows,
    b: Rows,
    c: Rows,
}

fn key_a(id: i32) -> String {
    format!("{id:08}")
}

fn row_a(id: i32, val: i64) -> Vec<Value> {
    vec![
        Value::I32(id),
        Value::String(format!("n{val}'")),
        if val % 5 == 0 {
            Value::Null
        } else {
            Value::Decimal(Decimal::new(val as i128 * 7, 18, 4).unwrap())
        },
        Value::DateTime(DateTime {
            date: Date::from_ymd(2020 + (val.rem_euclid(5)) as i32, 1, 1).unwrap(),
            time: Time {
                ticks: (val.unsigned_abs() * 1_234_567) % 864_000_000_000,
            },
        }),
    ]
}

fn row_b(k: u32, val: i64) -> Vec<Value> {
    // Lowercase keys only: the target's default collation is case-insensitive.
    let k2 = ["x", "yy", "zzz"][(k % 3) as usize];
    vec![
        Value::I32((k / 3) as i32),
        Value::String(k2.to_string()),
        if val % 4 == 0 {
            Value::Null
        } else {
            Value::I64(val)
        },
    ]
}

/// Codes repeat often, so rows contend for them; the model gives a row
/// NULL instead of a code another row holds (NULLs never collide).
fn row_c(id: i32, val: i64) -> Vec<Value> {
    vec![
        Value::I32(id),
        Value::String(format!("c{}", val.rem_euclid(12))),
        Value::I32(val as i32),
    ]
}

fn key_b(row: &[Value]) -> String {
    format!("{:?}/{:?}", row[0], row[1])
}

impl Op {
    fn materialize(&self, m: &mut Model) -> ChangeEvent {
        let table_b = self.table == 1;
        let (table, columns, key): (&str, Vec<&str>, Vec<u16>) = match self.table {
            1 => ("b", vec!["k1", "k2", "v"], vec![0, 1]),
            2 => ("c", vec!["id", "code", "v"], vec![0]),
            _ => ("a", vec!["id", "name", "amount", "at"], vec![0]),
        };
        let rows = match self.table {
            1 => &mut m.b,
            2 => &mut m.c,
            _ => &mut m.a,
        };
        let new_row = |k: u32| match self.table {
            1 => row_b(k, self.val),
            2 => row_c(k as i32, self.val),
            _ => row_a(k as i32, self.val),
        };
        let key_of = |r: &[Value]| {
            if table_b {
                key_b(r)
            } else {
                key_a(match r[0] {
                    Value::I32(i) => i,
                    _ => unreachable!(),
                })
            }
        };
        let existing: Vec<Vec<Value>> = rows.values().cloned().collect();
        let pick = |n: u32| existing[(n as usize) % existing.len()].clone();
        let op = match (self.kind % 4, existing.is_empty()) {
            (_, true) | (0, _) => {
                let after = new_row(self.key % 40);
                match rows.get(&key_of(&after)) {
                    Some(before) => RowOp::Update {
                        before: before.clone(),
                        after,
                    },
                    None => RowOp::Insert { after },
                }
            }
            (1, _) => {
                let before = pick(self.key);
                let mut after = new_row(0);
                let nkeys = key.len();
                after[..nkeys].clone_from_slice(&before[..nkeys]);
                RowOp::Update { before, after }
            }
            (2, _) => {
                let before = pick(self.key);
                let after = new_row(self.key % 40 + 40);
                if rows.contains_key(&key_of(&after)) {
                    RowOp::Delete { before }
                } else {
                    RowOp::Update { before, after }
                }
            }
            _ => RowOp::Delete {
                before: pick(self.key),
            },
        };
        let mut op = op;
        if self.table == 2 {
            let (before_key, after) = match &mut op {
                RowOp::Insert { after } => (None, Some(after)),
                RowOp::Update { before, after } => (Some(key_of(before)), Some(after)),
                RowOp::Delete { .. } => (None, None),
            };
            if let Some(after) = after {
                let after_key = key_of(after);
                let taken = rows.iter().any(|(k, r)| {
                    *k != after_key && Some(k) != before_key.as_ref() && r[1] == after[1]
                });
                if taken {
                    after[1] = Value::Null;
                }
            }
        }
        match &op {
            RowOp::Insert { after } => {
                rows.insert(key_of(after), after.clone());
            }
            RowOp::Update { before, after } => {
                rows.remove(&key_of(before));
                rows.insert(key_of(after), after.clone());
            }
            RowOp::Delete { before } => {
                rows.remove(&key_of(before));
            }
        }
        ChangeEvent {
            table: TableRef::new("dbo", table),
            columns: columns
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .into(),
            key: Arc::from(key),
            op,
        }
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::I32(i) => Some(i.to_string()),
        Value::I64(i) => Some(i.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Decimal(d) => Some(d.to_string()),
        Value::DateTime(dt) => {
            let s = dt.lossy_truncate_to_micros().to_string();
            Some(s[..s.len() - 1].to_string()) // 7 digits → the stored 6
        }
        other => panic!("unexpected {other:?}"),
    }
}

async fn run(ops: Vec<Op>, tx_sizes: Vec<usize>, steps: Vec<Step>, lanes: usize) {
    let db = SeekDb::shared().fresh_database().await;
    let mut conn = mysql_async::Conn::from_url(&db.url).await.unwrap();
    for d in DDL {
        conn.query_drop(d).await.unwrap();
    }
    let mut model = Model {
        a: BTreeMap::new(),
        b: BTreeMap::new(),
        c: BTreeMap::new(),
    };
    // Group the ops into transactions → log records.
    let mut records = Vec::new();
    let mut it = ops.iter();
    for (i, &n) in tx_sizes.iter().enumerate() {
        let changes: Vec<Change> = it
            .by_ref()
            .take(n.max(1))
            .map(|op| Change::Row(op.materialize(&mut model)))
            .collect();
        if changes.is_empty() {
            break;
        }
        records.push(LogRecord {
            seq: i as u64 + 1,
            tx: Transaction {
                source_id: None,
                position: SourcePosition::Counter(i as u64 + 1),
                commit_time_us: 0,
                changes,
            },
        });
    }
    let mut cfg = OceanBaseConfig::new(db.url.clone());
    cfg.control_database = format!("{}_ctl", db.name);
    cfg.max_rows_per_statement = 7; // small, so statement and slice boundaries move around
    cfg.max_rows_per_commit = 13;
    cfg.lanes = lanes;
    let mut sink = OceanBaseSink::connect(cfg.clone()).await.unwrap();
    let mut next = 0usize; // index of the next record to apply
    for step in steps
        .into_iter()
        .chain(std::iter::once(Step::Apply(usize::MAX)))
    {
        match step {
            Step::Apply(n) => {
                let end = next.saturating_add(n.max(1)).min(records.len());
                if next < end {
                    let c = sink.apply("m", &records[next..end]).await.unwrap();
                    assert_eq!(c.seq, end as u64);
                    next = end;
                }
            }
            Step::Replay(n) => {
                let start = next.saturating_sub(n);
                let end = (next + 1).min(records.len());
                if start < end {
                    let c = sink.apply("m", &records[start..end]).await.unwrap();
                    assert_eq!(c.seq, end as u64);
                    next = end;
                }
            }
            Step::Disconnect => sink.disconnect(),
            Step::Restart => {
                sink = OceanBaseSink::new(cfg.clone());
                let c = sink.read_cursor("m").await.unwrap();
                assert_eq!(c.map_or(0, |c| c.seq), next as u64, "cursor read back");
            }
        }
    }
    assert_eq!(next, records.len());

    let got_a: Vec<RowA> = conn
        .query(
            "SELECT CAST(id AS CHAR), name, CAST(amount AS CHAR), CAST(at AS CHAR) FROM a ORDER BY id",
        )
        .await
        .unwrap();
    let want_a: Vec<_> = model
        .a
        .values()
        .map(|r| (text(&r[0]).unwrap(), text(&r[1]), text(&r[2]), text(&r[3])))
        .collect();
    assert_eq!(got_a, want_a, "table a");
    let got_b: Vec<(String, String, Option<String>)> = conn
        .query("SELECT CAST(k1 AS CHAR), k2, CAST(v AS CHAR) FROM b")
        .await
        .unwrap();
    let mut got_b = got_b;
    got_b.sort();
    let mut want_b: Vec<_> = model
        .b
        .values()
        .map(|r| (text(&r[0]).unwrap(), text(&r[1]).unwrap(), text(&r[2])))
        .collect();
    want_b.sort();
    assert_eq!(got_b, want_b, "table b");
    let got_c: Vec<(String, Option<String>, Option<String>)> = conn
        .query("SELECT CAST(id AS CHAR), code, CAST(v AS CHAR) FROM c ORDER BY id")
        .await
        .unwrap();
    let want_c: Vec<_> = model
        .c
        .values()
        .map(|r| (text(&r[0]).unwrap(), text(&r[1]), text(&r[2])))
        .collect();
    assert_eq!(got_c, want_c, "table c");
}

fn op() -> impl Strategy<Value = Op> {
    (0u8..3, 0u8..4, any::<u32>(), -1000i64..1000).prop_map(|(table, kind, key, val)| Op {
        table,
        kind,
        key,
        val,
    })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1usize..12).prop_map(Step::Apply),
        1 => (1usize..6).prop_map(Step::Replay),
        1 => Just(Step::Disconnect),
        1 => Just(Step::Restart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn sink_state_equals_the_model(
        ops in proptest::collection::vec(op(), 1..120),
        tx_sizes in proptest::collection::vec(1usize..6, 1..60),
        steps in proptest::collection::vec(step(), 0..20),
        lanes in prop_oneof![Just(1usize), Just(3usize)],
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run(ops, tx_sizes, steps, lanes));
    }
}
