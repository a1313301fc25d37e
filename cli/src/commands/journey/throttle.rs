//! Rate limits from the migration file (`load.max_rows_per_second`,
//! `sync.max_rows_per_second`): a busy source or target at a hospital must
//! keep serving the wards while sluice copies.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::{ApplyCursor, Sink};

/// Holds a long-run average at or below `rows_per_second`.
#[derive(Debug)]
pub struct Throttle {
    rows_per_second: u64,
    state: std::sync::Mutex<(Instant, u64)>,
}

impl Throttle {
    /// `None` for 0 (unlimited).
    pub fn new(rows_per_second: u64) -> Option<Arc<Throttle>> {
        (rows_per_second > 0).then(|| {
            Arc::new(Throttle {
                rows_per_second,
                state: std::sync::Mutex::new((Instant::now(), 0)),
            })
        })
    }

    /// How long the caller must wait before moving `rows` more rows.
    fn reserve(&self, rows: u64) -> Duration {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (start, done) = *s;
        // Idle time is not saved up as a burst: restart the window when
        // the budget is ahead of the clock.
        let now = Instant::now();
        let due = start + Duration::from_secs_f64(done as f64 / self.rows_per_second as f64);
        let (start, done) = if due < now { (now, 0) } else { (start, done) };
        *s = (start, done + rows);
        let at = start + Duration::from_secs_f64(done as f64 / self.rows_per_second as f64);
        at.saturating_duration_since(now)
    }

    /// Waits until `rows` more rows fit under the limit.
    pub async fn admit(&self, rows: u64) {
        let wait = self.reserve(rows);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// A sink that applies no faster than its throttle allows.
pub struct ThrottledSink<K> {
    inner: K,
    throttle: Option<Arc<Throttle>>,
}

impl<K: Sink> ThrottledSink<K> {
    pub fn new(inner: K, throttle: Option<Arc<Throttle>>) -> Self {
        ThrottledSink { inner, throttle }
    }
}

impl<K: Sink> Sink for ThrottledSink<K> {
    async fn read_cursor(&mut self, pipeline: &str) -> sluice_engine::Result<Option<ApplyCursor>> {
        self.inner.read_cursor(pipeline).await
    }

    async fn apply(
        &mut self,
        pipeline: &str,
        records: &[LogRecord],
    ) -> sluice_engine::Result<ApplyCursor> {
        if let Some(t) = &self.throttle {
            let rows: u64 = records.iter().map(|r| r.tx.row_count() as u64).sum();
            t.admit(rows).await;
        }
        self.inner.apply(pipeline, records).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_spreads_rows_over_time() {
        let t = Throttle::new(1000).unwrap();
        assert!(t.reserve(500).is_zero(), "the first rows go at once");
        let w = t.reserve(500);
        assert!(
            w > Duration::from_millis(400) && w <= Duration::from_millis(500),
            "{w:?}"
        );
        let w = t.reserve(1000);
        assert!(w > Duration::from_millis(900), "{w:?}");
        assert!(Throttle::new(0).is_none(), "0 means unlimited");
    }
}
