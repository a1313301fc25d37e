//! Between chunks: progress (rows, rate, ETA), checkpoints, and throttling
//! (a row rate shared by every table, and a pause while sync lags).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use sluice_engine::error::{Error, Result};
use sluice_engine::verify::{ChunkObserver, ChunkResult, KeyRange, TableSpec};

use super::checkpoint::{Checkpoint, TableState};

/// Shared by all tables of one run.
pub struct Pacer {
    /// Rows per second over the whole run (all tables together).
    pub max_rows_per_second: Option<f64>,
    /// Pause while the running sync on this state folder lags more than this.
    pub max_lag: Option<(PathBuf, f64)>,
    pub rows_bar: ProgressBar,
    /// (start of the rate window, rows compared since).
    budget: Mutex<(Instant, u64)>,
    pub paused_ms: Mutex<u64>,
}

impl Pacer {
    pub fn new(
        max_rows_per_second: Option<f64>,
        max_lag: Option<(PathBuf, f64)>,
        rows_bar: ProgressBar,
    ) -> Self {
        Pacer {
            max_rows_per_second: max_rows_per_second.filter(|r| *r > 0.0),
            max_lag,
            rows_bar,
            budget: Mutex::new((Instant::now(), 0)),
            paused_ms: Mutex::new(0),
        }
    }

    /// Counts `rows` as compared, then sleeps as long as the rate and the
    /// sync's lag ask for.
    pub async fn after_rows(&self, rows: u64) {
        self.rows_bar.inc(rows);
        if let Some(rate) = self.max_rows_per_second {
            let wait = {
                let mut b = self.budget.lock().expect("pacer lock");
                b.1 += rows;
                let due = Duration::from_secs_f64(b.1 as f64 / rate);
                due.saturating_sub(b.0.elapsed())
            };
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        let Some((dir, max)) = &self.max_lag else {
            return;
        };
        let started = Instant::now();
        while let Some(lag) = super::online::sync_lag_seconds(dir).filter(|l| l > max) {
            self.rows_bar.set_message(format!(
                "paused: sync lag {lag:.1} s > {max} s ({:.0} s)",
                started.elapsed().as_secs_f64()
            ));
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let paused = started.elapsed();
        if paused > Duration::from_millis(1) {
            self.rows_bar.set_message("");
            *self.paused_ms.lock().expect("pacer lock") += paused.as_millis() as u64;
            // The pause is not the comparison's time: the rate budget skips it.
            if self.max_rows_per_second.is_some() {
                self.budget.lock().expect("pacer lock").0 += paused;
            }
        }
    }
}

/// The observer of one table.
pub struct TableObserver {
    pub pacer: Arc<Pacer>,
    pub checkpoint: Option<(Checkpoint, TableState)>,
    pub spec: TableSpec,
}

impl ChunkObserver for TableObserver {
    fn planned(&mut self, rows: u64, _chunks: &[KeyRange]) {
        self.pacer.rows_bar.inc_length(rows);
    }

    fn resumed(&mut self, chunk: &KeyRange) -> Option<ChunkResult> {
        let (_, state) = self.checkpoint.as_ref()?;
        let done = state
            .chunks
            .iter()
            .find(|(r, _)| r == chunk)
            .map(|(_, c)| c.clone())?;
        self.pacer.rows_bar.inc(done.rows);
        Some(done)
    }

    async fn chunk_done(&mut self, chunk: &KeyRange, result: &ChunkResult) -> Result<()> {
        if let Some((cp, state)) = self.checkpoint.as_mut() {
            state.chunks.push((chunk.clone(), result.clone()));
            cp.save(&self.spec, state)
                .map_err(|e| Error::Invalid(format!("saving the verify checkpoint: {e}")))?;
        }
        self.pacer.after_rows(result.rows).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_status(dir: &std::path::Path, lag: f64) {
        let st = crate::observe::StatusReport {
            direction: "forward".into(),
            lag_seconds: lag,
            ..Default::default()
        };
        std::fs::write(dir.join("status.json"), serde_json::to_vec(&st).unwrap()).unwrap();
    }

    #[tokio::test]
    async fn rate_limit_holds_across_calls() {
        let p = Pacer::new(Some(1000.0), None, ProgressBar::hidden());
        let t = Instant::now();
        for _ in 0..5 {
            p.after_rows(100).await;
        }
        let s = t.elapsed().as_secs_f64();
        assert!((0.45..1.0).contains(&s), "500 rows at 1000/s took {s} s");
    }

    #[tokio::test]
    async fn pauses_while_the_running_sync_lags() {
        let dir = tempfile::tempdir().unwrap();
        // A live process whose command line names sluice stands for the
        // running `sluice sync` of the pid file (lock::running checks both).
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30; : sluice"])
            .spawn()
            .unwrap();
        std::fs::write(
            dir.path().join("sluice.pid"),
            format!("{} sync\n", child.id()),
        )
        .unwrap();
        // Until the child has exec'd, its /proc cmdline can be empty (not yet
        // "sluice"): wait for it, or a loaded machine sees no running sync.
        let seen = Instant::now();
        while crate::commands::journey::lock::running(dir.path()).is_none() {
            assert!(
                seen.elapsed() < Duration::from_secs(10),
                "stand-in never seen"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        write_status(dir.path(), 50.0);
        let p = Arc::new(Pacer::new(
            None,
            Some((dir.path().to_path_buf(), 10.0)),
            ProgressBar::hidden(),
        ));
        let d = dir.path().to_path_buf();
        let relief = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1200)).await;
            write_status(&d, 0.5);
        });
        let t = Instant::now();
        p.after_rows(10).await;
        let waited = t.elapsed();
        relief.await.unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert!(waited >= Duration::from_millis(1100), "paused {waited:?}");
        assert!(*p.paused_ms.lock().unwrap() >= 1100);
        // No running sync: no pause, whatever the file says.
        write_status(dir.path(), 50.0);
        let t = Instant::now();
        p.after_rows(10).await;
        assert!(t.elapsed() < Duration::from_millis(200));
    }
}
