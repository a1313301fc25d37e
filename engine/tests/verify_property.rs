//! Property: verify finds exactly the corrupted keys, whatever the table and
//! whatever the corruption, and the repair it writes makes the sides equal.

use std::collections::BTreeSet;

use proptest::prelude::*;
use sluice_engine::event::TableRef;
use sluice_engine::testing::MemoryTableSide;
use sluice_engine::value::{Decimal, Value};
use sluice_engine::verify::{
    verify_table, CanonKind, ColumnSpec, RowDiff, TableSpec, VerifyOptions,
};

fn spec(keyed: bool, string_key: bool) -> TableSpec {
    TableSpec {
        source: TableRef::new("dbo", "t"),
        target: TableRef::new("db", "t"),
        columns: vec![
            ColumnSpec {
                name: "id".into(),
                kind: if string_key {
                    CanonKind::Text {
                        trim_trailing_spaces: false,
                    }
                } else {
                    CanonKind::Int
                },
            },
            ColumnSpec {
                name: "qty".into(),
                kind: CanonKind::Decimal { scale: 2 },
            },
            ColumnSpec {
                name: "note".into(),
                kind: CanonKind::Text {
                    trim_trailing_spaces: false,
                },
            },
        ],
        key: if keyed { vec![0] } else { vec![] },
    }
}

fn key_value(i: i64, string_key: bool) -> Value {
    if string_key {
        Value::String(format!("k{i:05}"))
    } else {
        Value::I64(i * 3)
    }
}

fn row(i: i64, qty: i64, note: &str, string_key: bool) -> Vec<Value> {
    vec![
        key_value(i, string_key),
        Value::Decimal(Decimal::new(qty as i128, 10, 2).unwrap()),
        if note.is_empty() {
            Value::Null
        } else {
            Value::String(note.into())
        },
    ]
}

#[derive(Debug, Clone)]
enum Corruption {
    Drop(usize),
    Change(usize, i64),
    Add(i64),
}

fn arb_corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        any::<usize>().prop_map(Corruption::Drop),
        (any::<usize>(), any::<i64>()).prop_map(|(i, v)| Corruption::Change(i, v)),
        (10_000i64..20_000).prop_map(Corruption::Add),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn verify_finds_exactly_the_corrupted_keys(
        n in 0usize..1500,
        corruptions in proptest::collection::vec(arb_corruption(), 0..12),
        string_key in any::<bool>(),
        leaf in 2u64..200,
        fanout in 2usize..20,
        rows_only in proptest::bool::weighted(0.2),
        chunk in 50u64..2000,
    ) {
        let spec = spec(true, string_key);
        let source: Vec<Vec<Value>> = (0..n as i64).map(|i| row(i, i * 7, &format!("n{i}"), string_key)).collect();
        let mut target = source.clone();
        let mut expected: BTreeSet<String> = BTreeSet::new();
        for c in corruptions {
            match c {
                Corruption::Drop(i) if !target.is_empty() => {
                    target.remove(i % target.len());
                }
                Corruption::Change(i, v) if !target.is_empty() => {
                    let at = i % target.len();
                    let new = Value::Decimal(Decimal::new((v % 1_000_000) as i128, 10, 2).unwrap());
                    target[at][1] = new;
                }
                Corruption::Add(i) => {
                    let r = row(i, 1, "", string_key);
                    if !target.iter().any(|t| t[0] == r[0]) {
                        target.push(r);
                    }
                }
                _ => {}
            }
        }
        // The truth, by brute force: every key whose row is not identical on both sides.
        for k in source.iter().chain(&target).map(|r| &r[0]) {
            let a = source.iter().find(|r| &r[0] == k);
            let b = target.iter().find(|r| &r[0] == k);
            if a != b {
                expected.insert(format!("{k:?}"));
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut s = MemoryTableSide { rows: source.clone(), ..Default::default() };
        let mut t = MemoryTableSide { rows: target.clone(), ..Default::default() };
        let opts = VerifyOptions { chunk_rows: chunk, leaf_rows: leaf, fanout, rows_only };
        let out = rt.block_on(verify_table(&mut s, &mut t, &spec, &opts)).unwrap();
        let found: BTreeSet<String> = out.diffs.iter().map(|d| format!("{:?}", d.key()[0])).collect();
        prop_assert_eq!(&found, &expected);
        prop_assert_eq!(out.source_rows as usize, source.len());
        prop_assert_eq!(out.target_rows as usize, target.len());
        // Every diff's kind matches what happened to that key.
        for d in &out.diffs {
            let k = &d.key()[0];
            let in_s = source.iter().any(|r| &r[0] == k);
            let in_t = target.iter().any(|r| &r[0] == k);
            let kind = match d { RowDiff::Missing{..} => "missing", RowDiff::Extra{..} => "extra", RowDiff::Changed{..} => "changed" };
            prop_assert_eq!(kind, match (in_s, in_t) { (true, false) => "missing", (false, true) => "extra", _ => "changed" });
        }
    }

    #[test]
    fn keyless_tables_compare_as_multisets(
        rows in proptest::collection::vec((0i64..5, 0i64..3), 0..60),
        extra in proptest::collection::vec((0i64..5, 0i64..3), 0..5),
        drop in proptest::collection::vec(any::<usize>(), 0..5),
    ) {
        let spec = spec(false, false);
        let source: Vec<Vec<Value>> = rows.iter().map(|(a, b)| row(*a, *b, "x", false)).collect();
        let mut target = source.clone();
        for d in drop { if !target.is_empty() { let i = d % target.len(); target.remove(i); } }
        for (a, b) in &extra { target.push(row(*a, *b, "x", false)); }
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut s = MemoryTableSide { rows: source.clone(), ..Default::default() };
        let mut t = MemoryTableSide { rows: target.clone(), ..Default::default() };
        let out = rt.block_on(verify_table(&mut s, &mut t, &spec, &VerifyOptions::default())).unwrap();
        // Multiset difference, computed independently.
        let count = |v: &Vec<Vec<Value>>, r: &Vec<Value>| v.iter().filter(|x| *x == r).count() as i64;
        let mut distinct: Vec<Vec<Value>> = source.iter().chain(&target).cloned().collect();
        distinct.dedup();
        let (mut want_missing, mut want_extra) = (0i64, 0i64);
        let mut seen: Vec<Vec<Value>> = Vec::new();
        for r in &distinct {
            if seen.contains(r) { continue; }
            seen.push(r.clone());
            let d = count(&source, r) - count(&target, r);
            if d > 0 { want_missing += d } else { want_extra -= d }
        }
        let (m, e, c) = out.counts();
        prop_assert_eq!((m as i64, e as i64, c), (want_missing, want_extra, 0));
    }
}
