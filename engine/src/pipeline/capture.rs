//! Capture: source -> durable log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::source::{Source, SourceItem};
use crate::error::{Error, Result};
use crate::event::{Change, Transaction};
use crate::log::EventLog;

/// Tuning of capture.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// Transactions gathered into one atomic append + flush (group commit).
    pub group_transactions: usize,
    /// Row changes gathered into one append, whichever limit comes first.
    pub group_rows: usize,
    /// A group is appended once its first transaction has waited this long,
    /// even when not full: under steady writes the log (and so the target)
    /// must not trail by a whole group. Checked between items; an idle source
    /// ends a group with its heartbeat.
    pub group_wait: Duration,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            group_transactions: 1000,
            group_rows: 50_000,
            group_wait: Duration::from_millis(100),
        }
    }
}

/// What one capture step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaptureStep {
    pub appended: usize,
    pub heartbeats: usize,
    /// The source reported `End`.
    pub ended: bool,
}

/// Reads a source into the log, resuming from the log's checkpoint.
pub struct Capture<S> {
    source: S,
    log: Arc<EventLog>,
    options: CaptureOptions,
    started: bool,
}

impl<S: Source> Capture<S> {
    pub fn new(source: S, log: Arc<EventLog>, options: CaptureOptions) -> Self {
        Capture {
            source,
            log,
            options,
            started: false,
        }
    }

    /// (Re)positions the source just after the log's checkpoint. Called
    /// automatically by the first `step`, and again after a retryable error,
    /// so that nothing read but not yet durable is skipped.
    pub async fn restart(&mut self) -> Result<()> {
        let cp = self.log.checkpoint()?;
        self.source.start(cp.position.as_ref()).await?;
        self.started = true;
        Ok(())
    }

    /// Forgets the source's read position so the next step restarts it from
    /// the log's checkpoint (after an interrupted step).
    pub fn reset(&mut self) {
        self.started = false;
    }

    /// Reads up to one group of items and appends them durably.
    pub async fn step(&mut self) -> Result<CaptureStep> {
        if !self.started {
            self.restart().await?;
        }
        let mut out = CaptureStep::default();
        let mut group: Vec<Transaction> = Vec::new();
        let mut rows = 0usize;
        let mut first_at: Option<Instant> = None;
        let result = loop {
            if group.len() >= self.options.group_transactions
                || rows >= self.options.group_rows
                || first_at.is_some_and(|t| t.elapsed() >= self.options.group_wait)
            {
                break Ok(());
            }
            match self.source.next().await {
                Ok(SourceItem::Transaction(tx)) => {
                    validate(&tx)?;
                    rows += tx.row_count();
                    first_at.get_or_insert_with(Instant::now);
                    group.push(tx);
                }
                Ok(SourceItem::Heartbeat { position, at_us }) => {
                    self.append(&mut group, &mut out)?;
                    self.log.advance_checkpoint(position, at_us, false)?;
                    out.heartbeats += 1;
                    break Ok(());
                }
                Ok(SourceItem::End) => {
                    out.ended = true;
                    break Ok(());
                }
                Err(e) => break Err(e),
            }
        };
        // Whatever was read before an error is still whole transactions: keep it.
        self.append(&mut group, &mut out)?;
        if result.is_err() {
            self.started = false;
        }
        result.map(|_| out)
    }

    fn append(&self, group: &mut Vec<Transaction>, out: &mut CaptureStep) -> Result<()> {
        if !group.is_empty() {
            self.log.append(group, true)?;
            out.appended += group.len();
            group.clear();
        }
        Ok(())
    }

    /// The source, for inspection by callers and tests.
    pub fn source_mut(&mut self) -> &mut S {
        &mut self.source
    }
}

fn validate(tx: &Transaction) -> Result<()> {
    for c in &tx.changes {
        if let Change::Row(ev) = c {
            ev.validate().map_err(|m| {
                Error::source_fatal(format!("malformed change at {}: {m}", tx.position))
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod group_wait_tests {
    use super::*;
    use crate::log::LogOptions;
    use crate::testing::{sample_transaction, ScriptSource};

    /// A source that hands out transactions slowly, as steady writes do.
    struct Slow(ScriptSource);

    impl Source for Slow {
        async fn start(&mut self, from: Option<&crate::position::SourcePosition>) -> Result<()> {
            self.0.start(from).await
        }
        async fn next(&mut self) -> Result<SourceItem> {
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.0.next().await
        }
    }

    #[tokio::test]
    async fn a_group_is_appended_once_it_has_waited_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
        let txs: Vec<_> = (1..=50).map(|i| sample_transaction(i, 1)).collect();
        let mut c = Capture::new(
            Slow(ScriptSource::new(txs)),
            log,
            CaptureOptions {
                group_transactions: 1000,
                group_rows: usize::MAX,
                group_wait: Duration::from_millis(100),
            },
        );
        let step = c.step().await.unwrap();
        assert!(
            step.appended > 0 && step.appended < 50,
            "a full group would hold all 50; got {}",
            step.appended
        );
    }
}
