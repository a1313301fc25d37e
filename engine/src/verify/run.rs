//! Comparing one table: digests first, bisection where they differ, row diffs at the leaves.

use std::time::Instant;

use serde::Serialize;

use super::compare::{diff_rows, RowDiff};
use super::plan::{int_key, int_key_value, integer_cuts, KeyRange};
use super::side::{TableSpec, VerifySide};
use crate::error::{Error, Result};

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
#[derive(Debug, Clone, Serialize)]
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

struct Walk<'a, S, T> {
    src: &'a mut S,
    dst: &'a mut T,
    spec: &'a TableSpec,
    opts: &'a VerifyOptions,
    out: TableOutcome,
    /// Overall integer key bounds, for cutting open-ended ranges.
    int_bounds: Option<(i128, i128)>,
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
        },
        int_bounds: None,
    };
    let chunks = walk.plan(cs.max(ct)).await?;
    for c in chunks {
        walk.range(c).await?;
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
        while let Some(r) = stack.pop() {
            if self.opts.rows_only {
                self.leaf(&r).await?;
                continue;
            }
            let (ds, dt) = tokio::try_join!(
                self.src.digest(self.spec, &r),
                self.dst.digest(self.spec, &r)
            )?;
            self.out.digests_compared += 1;
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

    async fn leaf(&mut self, r: &KeyRange) -> Result<()> {
        let (s, t) = tokio::try_join!(self.src.rows(self.spec, r), self.dst.rows(self.spec, r))?;
        self.out.leaf_ranges += 1;
        let diffs = diff_rows(self.spec, s, t).map_err(|e| {
            Error::Invalid(format!(
                "table {}: range {}: {e}",
                self.spec.source,
                r.describe()
            ))
        })?;
        self.out.diffs.extend(diffs);
        Ok(())
    }
}
