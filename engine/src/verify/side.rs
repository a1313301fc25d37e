//! What each side of a comparison must answer.

use std::future::Future;

use serde::{Deserialize, Serialize};

use super::canonical::{CanonKind, ChunkDigest};
use super::plan::KeyRange;
use crate::error::Result;
use crate::event::TableRef;
use crate::value::Value;

/// One column as both sides compare it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSpec {
    pub name: String,
    pub kind: CanonKind,
}

/// A table pair to compare: the same columns (in the same order) on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSpec {
    /// Name on the source side.
    pub source: TableRef,
    /// Name on the target side.
    pub target: TableRef,
    pub columns: Vec<ColumnSpec>,
    /// Indices of the key columns. Empty: the table has no key, and rows are
    /// compared as a multiset of whole rows (duplicates count).
    pub key: Vec<usize>,
}

impl TableSpec {
    pub fn kinds(&self) -> Vec<CanonKind> {
        self.columns.iter().map(|c| c.kind).collect()
    }

    /// Key column indices, or every column for a keyless table.
    pub fn effective_key(&self) -> Vec<usize> {
        if self.key.is_empty() {
            (0..self.columns.len()).collect()
        } else {
            self.key.clone()
        }
    }

    /// Whether the key is one integer column (ranges can be split arithmetically).
    pub fn integer_key(&self) -> bool {
        self.key.len() == 1 && self.columns[self.key[0]].kind == CanonKind::Int
    }

    /// Whether every column's canonical text can be built in SQL.
    pub fn server_hashable(&self) -> bool {
        self.columns.iter().all(|c| c.kind != CanonKind::Float)
    }
}

/// One database's view of a table, for comparison.
///
/// Row order and range predicates must use binary ordering of the key
/// (`cmp_keys` in [`super::canonical`]) so both sides cut chunks at the same rows.
pub trait VerifySide: Send {
    /// A name for reports ("source", "target", or a host).
    fn label(&self) -> String;

    /// Number of rows whose key is in `range` (cheap: no hashing).
    fn count(
        &mut self,
        table: &TableSpec,
        range: &KeyRange,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Row count and canonical digest of the rows whose key is in `range`.
    fn digest(
        &mut self,
        table: &TableSpec,
        range: &KeyRange,
    ) -> impl Future<Output = Result<ChunkDigest>> + Send;

    /// The rows whose key is in `range`, in key order, columns as in `table`.
    fn rows(
        &mut self,
        table: &TableSpec,
        range: &KeyRange,
    ) -> impl Future<Output = Result<Vec<Vec<Value>>>> + Send;

    /// Smallest and largest key, or `None` for an empty table.
    fn key_bounds(
        &mut self,
        table: &TableSpec,
    ) -> impl Future<Output = Result<Option<(Vec<Value>, Vec<Value>)>>> + Send;

    /// Up to `parts - 1` keys that cut the rows in `range` into about equal
    /// parts, in order (used for non-integer keys).
    fn split_points(
        &mut self,
        table: &TableSpec,
        range: &KeyRange,
        parts: usize,
    ) -> impl Future<Output = Result<Vec<Vec<Value>>>> + Send;

    /// The rows whose key is one of `keys` (the effective key: every column
    /// for a keyless table), in any order.
    ///
    /// The default reads the range `[k, successor(k))` per key, which needs
    /// a successor of the last key column under binary order (integers;
    /// text and bytes by appending a zero byte, which is right where the
    /// range predicate compares without padding); sides override it with an
    /// equality lookup.
    fn rows_for_keys(
        &mut self,
        table: &TableSpec,
        keys: &[Vec<Value>],
    ) -> impl Future<Output = Result<Vec<Vec<Value>>>> + Send {
        async move {
            let key_idx = table.effective_key();
            let mut out = Vec::new();
            for k in keys {
                let Some(next) = key_successor(k) else {
                    return Err(crate::error::Error::Invalid(format!(
                        "table {}: no point lookup for key {k:?}",
                        table.source
                    )));
                };
                let r = KeyRange {
                    lo: Some(k.clone()),
                    hi: Some(next),
                };
                for row in self.rows(table, &r).await? {
                    let rk: Vec<Value> = key_idx.iter().map(|&i| row[i].clone()).collect();
                    if super::canonical::cmp_keys(&rk, k) == std::cmp::Ordering::Equal {
                        out.push(row);
                    }
                }
            }
            Ok(out)
        }
    }
}

/// The smallest key greater than `k` under binary order, where one is known.
pub fn key_successor(k: &[Value]) -> Option<Vec<Value>> {
    let mut next = k.to_vec();
    let last = next.last_mut()?;
    *last = match &*last {
        Value::String(s) => Value::String(format!("{s}\0")),
        Value::Bytes(b) => {
            let mut b: Vec<u8> = b.clone();
            b.push(0);
            Value::Bytes(b)
        }
        other => {
            let i = other.as_i128()?;
            super::plan::int_key_value(i.checked_add(1)?).pop()?
        }
    };
    Some(next)
}
