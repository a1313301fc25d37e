//! Apply: durable log -> sink, exactly once.
//!
//! The cursor read back from the target is the truth. The local copy in the
//! log (a "hint") serves retention and status only. Starting from the hint
//! would re-apply a batch whose commit reached the target but whose
//! acknowledgement did not, which is the duplicate this module exists to
//! prevent.

use std::sync::Arc;

use super::retry::RetryPolicy;
use super::sink::{ApplyCursor, Sink};
use crate::error::{Error, Result};
use crate::log::{EventLog, LogRecord};

/// Where apply takes its starting cursor from.
///
/// Only [`CursorTruth::Target`] is correct. `LocalHint` exists so the
/// property tests can show that the exactly-once rule is what they check: with
/// it, crash injection produces duplicate applies and the tests fail.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CursorTruth {
    #[default]
    Target,
    LocalHint,
}

/// Tuning of apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Most log records handed to one `Sink::apply` (one target transaction).
    pub batch_records: usize,
    /// Most stored bytes read for one batch (bounds memory).
    pub batch_bytes: usize,
    pub retry: RetryPolicy,
    #[doc(hidden)]
    pub cursor_truth: CursorTruth,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            batch_records: 500,
            batch_bytes: 8 << 20,
            retry: RetryPolicy::default(),
            cursor_truth: CursorTruth::Target,
        }
    }
}

/// Applies log records through a sink, resuming from the sink's own cursor.
pub struct Apply<K> {
    sink: K,
    log: Arc<EventLog>,
    pipeline: String,
    options: ApplyOptions,
    /// Next sequence to apply; `None` until `restart` has read the cursor.
    next: Option<u64>,
    /// A cursor the target holds but the log does not (yet) contain: the log
    /// lost its tail in a crash and capture is re-creating it. Nothing is
    /// applied until the re-captured record is checked against it.
    unverified: Option<ApplyCursor>,
}

impl<K: Sink> Apply<K> {
    pub fn new(
        sink: K,
        log: Arc<EventLog>,
        pipeline: impl Into<String>,
        options: ApplyOptions,
    ) -> Self {
        Apply {
            sink,
            log,
            pipeline: pipeline.into(),
            options,
            next: None,
            unverified: None,
        }
    }

    /// Reads the cursor (from the target) and positions apply after it.
    pub async fn restart(&mut self) -> Result<()> {
        let cursor = match self.options.cursor_truth {
            CursorTruth::Target => self.sink.read_cursor(&self.pipeline).await?,
            CursorTruth::LocalHint => self
                .log
                .cursor_hints()?
                .into_iter()
                .find(|(n, _)| *n == self.pipeline)
                .map(|(_, c)| c),
        };
        self.unverified = None;
        self.next = Some(match cursor {
            None => self.log.first_seq()?.unwrap_or(1),
            Some(c) => {
                self.check_cursor(&c)?;
                // The target's word refreshes the local hint: a run killed
                // after its commit but before its hint would otherwise leave
                // status (and anything watching the hint) behind until the
                // next record is applied, which an idle source never brings.
                if self.options.cursor_truth == CursorTruth::Target && self.unverified.is_none() {
                    self.log.store_cursor_hint(&self.pipeline, &c)?;
                }
                c.seq + 1
            }
        });
        Ok(())
    }

    /// Compares a target cursor with the log record it names.
    fn check_cursor(&mut self, c: &ApplyCursor) -> Result<()> {
        let last_assigned = self.log.checkpoint()?.last_seq;
        if c.seq > last_assigned {
            self.unverified = Some(c.clone());
            return Ok(());
        }
        match self.log.meta(c.seq)? {
            None => Ok(()), // removed by retention after being applied: nothing to compare
            Some(_) => {
                let rec = self.log.get(c.seq)?;
                if rec.tx.position != c.position {
                    return Err(Error::CursorMismatch(format!(
                        "pipeline {}: the target's cursor says record {} ends at source position {}, \
                         but the log's record {} ends at {}. The log was rebuilt from a different \
                         source range, or this target belongs to another pipeline; re-create the \
                         log from the target's position or re-load the target",
                        self.pipeline, c.seq, c.position, c.seq, rec.tx.position
                    )));
                }
                Ok(())
            }
        }
    }

    /// Positions apply at `seq` regardless of the target's cursor, for
    /// `sluice log replay` after a target restore. Safe because apply is an
    /// upsert per row and the cursor written with each batch moves forward
    /// from here; records the target already had converge to the same rows.
    pub fn start_at(&mut self, seq: u64) {
        self.next = Some(seq);
        self.unverified = None;
    }

    /// Forgets the position so the next step re-reads the target's cursor
    /// (after an interrupted apply whose outcome is unknown).
    pub fn reset(&mut self) {
        self.next = None;
        self.unverified = None;
    }

    /// The next sequence this apply will hand to the sink.
    pub fn next_seq(&self) -> Option<u64> {
        self.next
    }

    /// Applies one batch if records are available. Returns the number of
    /// records applied (0: caught up, or waiting for a lost tail to be re-captured).
    pub async fn step(&mut self) -> Result<usize> {
        if self.next.is_none() {
            self.restart().await?;
        }
        if let Some(c) = self.unverified.clone() {
            if self.log.checkpoint()?.last_seq < c.seq {
                return Ok(0);
            }
            self.check_cursor(&c)?;
            self.unverified = None;
        }
        let next = self.next.expect("positioned");
        let batch =
            self.log
                .read_from(next, self.options.batch_records, self.options.batch_bytes)?;
        let Some(first) = batch.first() else {
            return Ok(0);
        };
        if first.seq != next {
            return Err(Error::NotRetained {
                seq: next,
                first: first.seq,
                last: self.log.last_seq()?.unwrap_or(0),
            });
        }
        let n = batch.len();
        let cursor = match self.apply_with_retry(&batch).await {
            Ok(c) => c,
            Err(e) => {
                // The last attempt may have committed before failing: whoever
                // steps next must start from the target's cursor, not from ours.
                self.next = None;
                return Err(e);
            }
        };
        self.log.store_cursor_hint(&self.pipeline, &cursor)?;
        self.next = Some(cursor.seq + 1);
        Ok(n)
    }

    async fn apply_with_retry(&mut self, batch: &[LogRecord]) -> Result<ApplyCursor> {
        let mut attempt = 0;
        loop {
            match self.sink.apply(&self.pipeline, batch).await {
                Ok(c) => return Ok(c),
                Err(e) if e.is_retryable() => {
                    attempt += 1;
                    let Some(delay) = self.options.retry.delay(attempt) else {
                        return Err(e);
                    };
                    tracing::warn!(pipeline = %self.pipeline, attempt, error = %e, "apply failed, retrying");
                    tokio::time::sleep(delay).await;
                    // The commit may have reached the target before the error:
                    // re-read the cursor and apply only what is still missing.
                    self.restart_with_retry().await?;
                    let next = self.next.expect("positioned");
                    if self.unverified.is_some() || next > batch.last().expect("non-empty").seq {
                        return Ok(ApplyCursor {
                            seq: next - 1,
                            position: self.log.get(next - 1)?.tx.position,
                        });
                    }
                    if next != batch[0].seq {
                        let skip = (next - batch[0].seq) as usize;
                        return Box::pin(self.apply_with_retry(&batch[skip..])).await;
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn restart_with_retry(&mut self) -> Result<()> {
        let mut attempt = 0;
        loop {
            match self.restart().await {
                Err(e) if e.is_retryable() => {
                    attempt += 1;
                    let Some(delay) = self.options.retry.delay(attempt) else {
                        return Err(e);
                    };
                    tokio::time::sleep(delay).await;
                }
                other => return other,
            }
        }
    }

    /// The sink, for inspection by callers and tests.
    pub fn sink_mut(&mut self) -> &mut K {
        &mut self.sink
    }
}
