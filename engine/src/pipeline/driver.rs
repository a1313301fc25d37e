//! The long-running loop that drives capture and apply together.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

use super::apply::{Apply, ApplyOptions};
use super::capture::{Capture, CaptureOptions};
use super::sink::Sink;
use super::source::Source;
use crate::error::{Error, Result};
use crate::log::EventLog;

/// Tuning of a whole pipeline.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    pub capture: CaptureOptions,
    pub apply: ApplyOptions,
    /// How long a stop waits for the batch being applied before abandoning it.
    pub stop_grace: Duration,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            capture: CaptureOptions::default(),
            apply: ApplyOptions::default(),
            stop_grace: Duration::from_secs(10),
        }
    }
}

/// One source, one log, one sink.
pub struct Pipeline<S, K> {
    pub name: String,
    capture: Capture<S>,
    apply: Apply<K>,
    log: Arc<EventLog>,
    retry: super::RetryPolicy,
    stop_grace: Duration,
}

/// Where a pipeline stands, for `sluice log status` and `sluice status`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PipelineStatus {
    pub first_seq: Option<u64>,
    pub last_seq: u64,
    pub checkpoint: Option<String>,
    pub cursor_seq: Option<u64>,
    pub lag_records: u64,
    /// Age of the oldest unapplied record's commit, in seconds (0 when caught up).
    pub lag_seconds: f64,
    pub stored_bytes: u64,
}

impl PipelineStatus {
    /// Computes status from the log and a cursor (hint or read from the target).
    pub fn compute(log: &EventLog, cursor_seq: Option<u64>, now_us: i64) -> Result<Self> {
        let cp = log.checkpoint()?;
        let applied = cursor_seq.unwrap_or(0);
        let lag_records = cp.last_seq.saturating_sub(applied);
        let lag_seconds = if lag_records == 0 {
            0.0
        } else {
            match log.meta(applied + 1)? {
                Some(m) => (now_us - m.commit_time_us).max(0) as f64 / 1e6,
                None => 0.0,
            }
        };
        Ok(PipelineStatus {
            first_seq: log.first_seq()?,
            last_seq: cp.last_seq,
            checkpoint: cp.position.map(|p| p.to_string()),
            cursor_seq,
            lag_records,
            lag_seconds,
            stored_bytes: log.stored_bytes()?,
        })
    }
}

impl<S: Source, K: Sink> Pipeline<S, K> {
    pub fn new(
        name: impl Into<String>,
        source: S,
        sink: K,
        log: Arc<EventLog>,
        options: PipelineOptions,
    ) -> Self {
        let name = name.into();
        Pipeline {
            retry: options.apply.retry.clone(),
            stop_grace: options.stop_grace,
            capture: Capture::new(source, log.clone(), options.capture),
            apply: Apply::new(sink, log.clone(), name.clone(), options.apply),
            log,
            name,
        }
    }

    /// Runs until `stop` turns true (finishing the batch in hand) or, for a
    /// finite source, until everything captured has been applied. Retryable
    /// errors are retried with backoff on either side; others end the run.
    pub async fn run(&mut self, mut stop: watch::Receiver<bool>) -> Result<()> {
        let log = self.log.clone();
        let retry = self.retry.clone();
        let stop_grace = self.stop_grace;
        let capture = &mut self.capture;
        let apply = &mut self.apply;
        let (ended_tx, ended_rx) = watch::channel(false);

        let mut stop_c = stop.clone();
        let capture_loop = async move {
            let mut attempt = 0;
            loop {
                if *stop_c.borrow() {
                    return Ok::<(), Error>(());
                }
                let step = tokio::select! {
                    s = capture.step() => s,
                    // A step cut short may have read past what it appended:
                    // make the next step re-read from the durable checkpoint.
                    _ = stop_c.changed() => { capture.reset(); continue }
                };
                match step {
                    Ok(s) => {
                        attempt = 0;
                        if s.ended {
                            let _ = ended_tx.send(true);
                            return Ok(());
                        }
                    }
                    Err(e) if e.is_retryable() => {
                        attempt += 1;
                        let delay = retry.delay(attempt).ok_or(e)?;
                        tracing::warn!(attempt, "capture failed, retrying from the checkpoint");
                        tokio::time::sleep(delay).await;
                    }
                    Err(e) => return Err(e),
                }
            }
        };

        let apply_loop = async move {
            let mut appended = log.subscribe();
            loop {
                if *stop.borrow() {
                    return Ok::<(), Error>(());
                }
                let mut step = Box::pin(apply.step());
                let n = tokio::select! {
                    r = &mut step => r?,
                    _ = stop.changed() => {
                        // Let the batch in hand finish; a target that hangs is
                        // abandoned after the grace period. Either way the
                        // target's cursor says what committed.
                        if let Ok(r) = tokio::time::timeout(stop_grace, &mut step).await {
                            r?;
                        } else {
                            drop(step);
                            apply.reset();
                        }
                        return Ok(());
                    }
                };
                drop(step);
                if n > 0 {
                    continue;
                }
                let ended = *ended_rx.borrow();
                if ended {
                    // Capture is done: drain what is left, then finish.
                    if apply.step().await? == 0 {
                        return Ok(());
                    }
                    continue;
                }
                tokio::select! {
                    _ = appended.changed() => {}
                    _ = stop.changed() => {}
                    // Re-check periodically: a lost-tail wait or a checkpoint-only change
                    // does not always bump the watch.
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                }
            }
        };

        tokio::try_join!(capture_loop, apply_loop).map(|_| ())
    }

    /// Current status, using the local cursor hint (cheap; the target holds the truth).
    pub fn status(&self, now_us: i64) -> Result<PipelineStatus> {
        let hint = self
            .log
            .cursor_hints()?
            .into_iter()
            .find(|(n, _)| *n == self.name)
            .map(|(_, c)| c.seq);
        PipelineStatus::compute(&self.log, hint, now_us)
    }

    pub fn capture_mut(&mut self) -> &mut Capture<S> {
        &mut self.capture
    }

    pub fn apply_mut(&mut self) -> &mut Apply<K> {
        &mut self.apply
    }
}
