//! Comparing one table: digests first, bisection where they differ, row diffs at the leaves.

use std::future::Future;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::compare::{diff_rows, RowDiff};
use super::plan::{int_key, int_key_value, integer_cuts, KeyRange};
use super::side::{TableSpec, VerifySide};
use crate::error::{Error, Result};
use crate::value::Value;

/// Tuning of a comparison.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Rows per first-level chunk when a table's digests differ.
    pub chunk_rows: u64,
    /// Ranges with at most this many rows (on either side) are compared row by row.
    pub leaf_rows: u64,
    /// Parts a differing range is cut into per step. Each step reads the
    /// range once, so a wide fan-out reaches the leaves in fewer reads than
    /// halving does.
    pub fanout: usize,
    /// Skip digests and compare every chunk row by row. Reads every row over
    /// the network once per side; faster than server-side hashing when the
    /// databases are near (same host or LAN) and their CPUs are the limit,
    /// slower across a WAN. Memory stays bounded by `chunk_rows`.
    pub rows_only: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            chunk_rows: 50_000,
            leaf_rows: 2_000,
            fanout: 16,
            rows_only: false,
        }
    }
}

/// What comparing one table found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableOutcome {
    pub source: String,
    pub target: String,
    pub source_rows: u64,
    pub target_rows: u64,
    /// Digest comparisons made (whole table, chunks, bisection steps).
    pub digests_compared: u64,
    /// Ranges compared row by row.
    pub leaf_ranges: u64,
    pub diffs: Vec<RowDiff>,
    pub elapsed_ms: u64,
    /// Online mode: keys that differed at first but matched when re-read
    /// after a later fence (changes still in flight, not differences).
    #[serde(default)]
    pub in_flight: u64,
    /// First-level chunks taken from a checkpoint of an earlier, interrupted run.
    #[serde(default)]
    pub resumed_chunks: u64,
}

impl TableOutcome {
    pub fn is_clean(&self) -> bool {
        self.diffs.is_empty()
    }

    /// (missing, extra, changed) row counts, duplicates counted.
    pub fn counts(&self) -> (u64, u64, u64) {
        let mut c = (0, 0, 0);
        for d in &self.diffs {
            match d {
                RowDiff::Missing { copies, .. } => c.0 += copies,
                RowDiff::Extra { copies, .. } => c.1 += copies,
                RowDiff::Changed { .. } => c.2 += 1,
            }
        }
        c
    }
}

/// What one first-level chunk found (kept by checkpoints so a resumed run
/// can skip the chunk).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ChunkResult {
    /// Rows in the chunk (the larger of the two sides).
    pub rows: u64,
    pub digests_compared: u64,
    pub leaf_ranges: u64,
    pub diffs: Vec<RowDiff>,
}

/// Hooks into a table comparison, called between first-level chunks:
/// progress, checkpoints and throttling live behind it.
pub trait ChunkObserver: Send {
    /// The table's row count (the larger side) and its first-level chunks.
    fn planned(&mut self, _rows: u64, _chunks: &[KeyRange]) {}

    /// The result of `chunk` from an earlier run, to skip comparing it again.
    fn resumed(&mut self, _chunk: &KeyRange) -> Option<ChunkResult> {
        None
    }

    /// Called after each first-level chunk is compared (not for resumed ones).
    fn chunk_done(
        &mut self,
        chunk: &KeyRange,
        result: &ChunkResult,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// An observer that does nothing.
pub struct NoObserver;

impl ChunkObserver for NoObserver {
    async fn chunk_done(&mut self, _chunk: &KeyRange, _result: &ChunkResult) -> Result<()> {
        Ok(())
    }
}

struct Walk<'a, S, T> {
    src: &'a mut S,
    dst: &'a mut T,
    spec: &'a TableSpec,
    opts: &'a VerifyOptions,
    out: TableOutcome,
    /// Overall integer key bounds, for cutting open-ended ranges.
    int_bounds: Option<(i128, i128)>,
    /// Rows in the first-level chunk being compared.
    chunk_rows_seen: u64,
}

/// Compares one table between `src` (the truth) and `dst`.
///
/// Each row is hashed once per side for a clean table: the table is cut into
/// chunks by key (from cheap counts and key bounds) and each chunk's digests
/// are compared, both sides queried concurrently. Only differing chunks are
/// bisected and, at the leaves, compared row by row.
pub async fn verify_table<S: VerifySide, T: VerifySide>(
    src: &mut S,
    dst: &mut T,
    spec: &TableSpec,
    opts: &VerifyOptions,
) -> Result<TableOutcome> {
    verify_table_observed(src, dst, spec, opts, &mut NoObserver).await
}

/// [`verify_table`] with hooks between first-level chunks (progress,
/// checkpoints, throttling).
pub async fn verify_table_observed<S: VerifySide, T: VerifySide, O: ChunkObserver>(
    src: &mut S,
    dst: &mut T,
    spec: &TableSpec,
    opts: &VerifyOptions,
    observer: &mut O,
) -> Result<TableOutcome> {
    let started = Instant::now();
    let all = KeyRange::all();
    let (cs, ct) = tokio::try_join!(src.count(spec, &all), dst.count(spec, &all))?;
    let mut walk = Walk {
        src,
        dst,
        spec,
        opts,
        out: TableOutcome {
            source: spec.source.to_string(),
            target: spec.target.to_string(),
            source_rows: cs,
            target_rows: ct,
            digests_compared: 0,
            leaf_ranges: 0,
            diffs: Vec::new(),
            elapsed_ms: 0,
            in_flight: 0,
            resumed_chunks: 0,
        },
        int_bounds: None,
        chunk_rows_seen: 0,
    };
    let chunks = walk.plan(cs.max(ct)).await?;
    observer.planned(cs.max(ct), &chunks);
    for c in chunks {
        if let Some(done) = observer.resumed(&c) {
            walk.out.digests_compared += done.digests_compared;
            walk.out.leaf_ranges += done.leaf_ranges;
            walk.out.diffs.extend(done.diffs);
            walk.out.resumed_chunks += 1;
            continue;
        }
        let (d0, l0, n0) = (
            walk.out.digests_compared,
            walk.out.leaf_ranges,
            walk.out.diffs.len(),
        );
        walk.chunk_rows_seen = 0;
        walk.range(c.clone()).await?;
        let result = ChunkResult {
            rows: walk.chunk_rows_seen,
            digests_compared: walk.out.digests_compared - d0,
            leaf_ranges: walk.out.leaf_ranges - l0,
            diffs: walk.out.diffs[n0..].to_vec(),
        };
        observer.chunk_done(&c, &result).await?;
    }
    walk.out.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(walk.out)
}

impl<S: VerifySide, T: VerifySide> Walk<'_, S, T> {
    /// First-level chunks of about `chunk_rows` rows each.
    async fn plan(&mut self, rows: u64) -> Result<Vec<KeyRange>> {
        let all = KeyRange::all();
        if self.spec.key.is_empty() || rows <= self.opts.chunk_rows {
            return Ok(vec![all]);
        }
        let parts = rows.div_ceil(self.opts.chunk_rows).max(2) as usize;
        if self.spec.integer_key() {
            self.int_bounds = self.integer_bounds().await?;
            let Some((lo, hi)) = self.int_bounds else {
                return Ok(vec![all]);
            };
            let cuts: Vec<_> = integer_cuts(lo, hi, parts)
                .into_iter()
                .map(int_key_value)
                .collect();
            return Ok(all.cut(&cuts));
        }
        let mut cuts = self.src.split_points(self.spec, &all, parts).await?;
        if cuts.is_empty() {
            cuts = self.dst.split_points(self.spec, &all, parts).await?;
        }
        Ok(all.cut(&cuts))
    }

    /// Compares one range by digest, bisecting while it differs and is large.
    async fn range(&mut self, first: KeyRange) -> Result<()> {
        // An explicit stack keeps deep bisection off the async call stack.
        let mut stack = vec![first];
        let mut top = true;
        while let Some(r) = stack.pop() {
            if self.opts.rows_only {
                self.chunk_rows_seen += self.leaf(&r).await?;
                continue;
            }
            let (ds, dt) = tokio::try_join!(
                self.src.digest(self.spec, &r),
                self.dst.digest(self.spec, &r)
            )?;
            self.out.digests_compared += 1;
            if top {
                self.chunk_rows_seen = ds.count.max(dt.count);
                top = false;
            }
            if ds == dt {
                continue;
            }
            if ds.count.max(dt.count) <= self.opts.leaf_rows {
                self.leaf(&r).await?;
                continue;
            }
            let parts = self.split(&r).await?;
            if parts.len() < 2 {
                self.leaf(&r).await?;
            } else {
                stack.extend(parts.into_iter().rev());
            }
        }
        Ok(())
    }

    /// Smallest and largest integer key over both sides.
    async fn integer_bounds(&mut self) -> Result<Option<(i128, i128)>> {
        let (a, b) = tokio::try_join!(
            self.src.key_bounds(self.spec),
            self.dst.key_bounds(self.spec)
        )?;
        let ints = |x: &Option<(Vec<_>, Vec<_>)>| {
            x.as_ref()
                .and_then(|(lo, hi)| Some((int_key(lo)?, int_key(hi)?)))
        };
        Ok(match (ints(&a), ints(&b)) {
            (Some(p), Some(q)) => Some((p.0.min(q.0), p.1.max(q.1))),
            (Some(p), None) | (None, Some(p)) => Some(p),
            (None, None) => None,
        })
    }

    async fn split(&mut self, r: &KeyRange) -> Result<Vec<KeyRange>> {
        let fanout = self.opts.fanout.max(2);
        if self.spec.integer_key() {
            if self.int_bounds.is_none() {
                // A table small enough for one first-level chunk: cut between
                // its real key bounds, not across the whole integer range.
                self.int_bounds = self.integer_bounds().await?;
            }
            let (min, max) = self
                .int_bounds
                .unwrap_or((i64::MIN as i128, i64::MAX as i128));
            let lo = r.lo.as_deref().and_then(int_key).unwrap_or(min);
            let hi =
                r.hi.as_deref()
                    .and_then(int_key)
                    .map(|h| h - 1)
                    .unwrap_or(max);
            let cuts: Vec<_> = integer_cuts(lo, hi, fanout)
                .into_iter()
                .map(int_key_value)
                .collect();
            return Ok(r.cut(&cuts));
        }
        let mut cuts = self.src.split_points(self.spec, r, fanout).await?;
        if cuts.is_empty() {
            cuts = self.dst.split_points(self.spec, r, fanout).await?;
        }
        // A cut equal to the range's own lower bound would not shrink it.
        cuts.retain(|c| r.lo.as_ref() != Some(c));
        Ok(r.cut(&cuts))
    }

    /// Compares one range row by row; returns its row count (the larger side).
    async fn leaf(&mut self, r: &KeyRange) -> Result<u64> {
        let (s, t) = tokio::try_join!(self.src.rows(self.spec, r), self.dst.rows(self.spec, r))?;
        self.out.leaf_ranges += 1;
        let n = s.len().max(t.len()) as u64;
        let diffs = diff_rows(self.spec, s, t).map_err(|e| {
            Error::Invalid(format!(
                "table {}: range {}: {e}",
                self.spec.source,
                r.describe()
            ))
        })?;
        self.out.diffs.extend(diffs);
        Ok(n)
    }
}

/// The rows of `keys` on one side, read in bounded batches (under SQL
/// Server's 2,100 parameters).
pub async fn read_keys<S: VerifySide>(
    side: &mut S,
    spec: &TableSpec,
    keys: &[Vec<Value>],
) -> Result<Vec<Vec<Value>>> {
    let per = (1000 / spec.effective_key().len().max(1)).max(1);
    let mut out = Vec::new();
    for batch in keys.chunks(per) {
        out.extend(side.rows_for_keys(spec, batch).await?);
    }
    Ok(out)
}

/// What a re-check of differing keys concluded.
#[derive(Debug, Clone, Default)]
pub struct Recheck {
    /// Keys whose source rows did not change across the re-check and whose
    /// target rows still differ from them: real differences.
    pub real: Vec<RowDiff>,
    /// Keys that now match.
    pub settled: Vec<Vec<Value>>,
    /// Keys whose source rows changed during the re-check (still being
    /// written): neither proven equal nor proven different.
    pub moving: Vec<Vec<Value>>,
}

/// Classifies re-read keys. `before` is the source read before a fence,
/// `target` the target read once sync applied everything up to that fence,
/// and `after` the source read after that. A key whose source rows are the
/// same before and after did not change while the target caught up, so the
/// target must hold exactly those rows: if it does not, the difference is
/// real.
pub fn classify_recheck(
    spec: &TableSpec,
    keys: &[Vec<Value>],
    before: Vec<Vec<Value>>,
    target: Vec<Vec<Value>>,
    after: Vec<Vec<Value>>,
) -> Result<Recheck> {
    let canon = |e: super::canonical::CanonError| {
        Error::Invalid(format!("table {}: re-check: {e}", spec.source))
    };
    let moved = diff_rows(spec, before, after.clone()).map_err(canon)?;
    let is_in = |set: &[RowDiff], k: &[Value]| {
        set.iter()
            .any(|d| super::canonical::cmp_keys(d.key(), k) == std::cmp::Ordering::Equal)
    };
    let diffs = diff_rows(spec, after, target).map_err(canon)?;
    let mut out = Recheck::default();
    for k in keys {
        if is_in(&moved, k) {
            out.moving.push(k.clone());
        } else if !is_in(&diffs, k) {
            out.settled.push(k.clone());
        }
    }
    out.real = diffs
        .into_iter()
        .filter(|d| !is_in(&moved, d.key()))
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::TableRef;
    use crate::verify::{key_successor, CanonKind, ColumnSpec};

    fn spec() -> TableSpec {
        TableSpec {
            source: TableRef::new("his", "t"),
            target: TableRef::new("his", "t"),
            columns: vec![
                ColumnSpec {
                    name: "id".into(),
                    kind: CanonKind::Int,
                },
                ColumnSpec {
                    name: "v".into(),
                    kind: CanonKind::Text {
                        trim_trailing_spaces: false,
                    },
                },
            ],
            key: vec![0],
        }
    }

    fn r(id: i64, v: &str) -> Vec<Value> {
        vec![Value::I64(id), Value::String(v.into())]
    }

    #[test]
    fn recheck_separates_real_settled_and_moving_keys() {
        let keys: Vec<Vec<Value>> = (1..=4).map(|i| vec![Value::I64(i)]).collect();
        // 1: caught up (settled); 2: still differs with the source holding
        // still (real); 3: the source changed during the re-check (moving);
        // 4: missing on the target while the source holds still (real).
        let before = vec![r(1, "a"), r(2, "b"), r(3, "c"), r(4, "d")];
        let target = vec![r(1, "a"), r(2, "B"), r(3, "x")];
        let after = vec![r(1, "a"), r(2, "b"), r(3, "c2"), r(4, "d")];
        let out = classify_recheck(&spec(), &keys, before, target, after).unwrap();
        assert_eq!(out.settled, vec![vec![Value::I64(1)]]);
        assert_eq!(out.moving, vec![vec![Value::I64(3)]]);
        let real: Vec<_> = out
            .real
            .iter()
            .map(|d| (d.kind(), d.key().to_vec()))
            .collect();
        assert_eq!(
            real,
            vec![
                ("changed", vec![Value::I64(2)]),
                ("missing", vec![Value::I64(4)])
            ]
        );
    }

    #[test]
    fn successor_of_a_key() {
        assert_eq!(key_successor(&[Value::I32(7)]), Some(vec![Value::I64(8)]));
        assert_eq!(
            key_successor(&[Value::I64(1), Value::String("ab".into())]),
            Some(vec![Value::I64(1), Value::String("ab\0".into())])
        );
        assert_eq!(
            key_successor(&[Value::Date(crate::value::Date::from_unix_days(0))]),
            None
        );
    }
}
