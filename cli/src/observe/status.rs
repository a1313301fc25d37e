//! What a running pipeline reports about itself: [`StatusReport`] (the one
//! shape `sluice status`, `/status.json`, the status page and `/metrics` all
//! show) and [`Observed`], the shared handle the pipeline updates.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Everything `sluice status`, the status page and `/metrics` show.
/// Serializable for `sluice status --json` and `/status.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusReport {
    /// Name of the migration (from the config file).
    pub migration: String,
    /// e.g. "loading", "syncing", "cutover:drain", "reverse", "rolled-back".
    pub phase: String,
    /// "forward" (SQL Server -> OceanBase) or "reverse".
    pub direction: String,
    /// When this report was taken, RFC 3339 UTC.
    pub updated_at: String,
    /// Where capture stands in the source (LSN, binlog file:offset, ...).
    pub capture_position: Option<String>,
    pub log_first_seq: Option<u64>,
    pub log_last_seq: u64,
    pub log_bytes: u64,
    /// Last log sequence applied to the target (read from the target's cursor table).
    pub apply_cursor_seq: Option<u64>,
    pub lag_records: u64,
    pub lag_seconds: f64,
    /// Rows applied per second over the last ~5 seconds.
    pub rps_now: f64,
    /// Rows applied per second since the process started.
    pub rps_avg: f64,
    pub rows_applied: u64,
    pub events_captured: u64,
    pub errors: u64,
    /// Transactions dropped because sluice itself wrote them (loop prevention).
    pub loop_filtered: u64,
    pub last_error: Option<String>,
    pub tables: Vec<TableProgress>,
    /// One point per second: (unix seconds, rows applied in that second), oldest first.
    pub rps_history: Vec<(i64, f64)>,
}

/// Full-load progress of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableProgress {
    pub name: String,
    pub rows_done: u64,
    pub rows_total: u64,
    pub chunks_done: u64,
    pub chunks_total: u64,
    /// e.g. "pending", "loading", "done", "failed".
    pub state: String,
}

/// Which way changes flow; the `direction` label of the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// SQL Server -> OceanBase.
    #[default]
    Forward,
    /// OceanBase -> SQL Server (after cutover).
    Reverse,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::Forward, Direction::Reverse];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Reverse => "reverse",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a pipeline's log and cursor stand; see [`Observed::set_log_status`].
/// (`sluice_engine::pipeline::PipelineStatus` converts into it.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogStatus {
    pub capture_position: Option<String>,
    pub first_seq: Option<u64>,
    pub last_seq: u64,
    pub bytes: u64,
    pub apply_cursor_seq: Option<u64>,
    pub lag_records: u64,
    pub lag_seconds: f64,
}

impl From<&sluice_engine::pipeline::PipelineStatus> for LogStatus {
    fn from(s: &sluice_engine::pipeline::PipelineStatus) -> Self {
        LogStatus {
            capture_position: s.checkpoint.clone(),
            first_seq: s.first_seq,
            last_seq: s.last_seq,
            bytes: s.stored_bytes,
            apply_cursor_seq: s.cursor_seq,
            lag_records: s.lag_records,
            lag_seconds: s.lag_seconds,
        }
    }
}

/// Seconds of per-second history kept (and drawn on the status page).
pub const HISTORY_SECONDS: usize = 600;
/// Width of the window behind `rps_now`, in seconds.
pub const RPS_WINDOW_SECONDS: i64 = 5;

/// Counters and gauges of one direction.
#[derive(Debug, Clone, Default)]
pub(crate) struct DirectionState {
    pub rows_applied: u64,
    pub events_captured: u64,
    pub errors: u64,
    pub loop_filtered: u64,
    pub log: LogStatus,
}

#[derive(Debug, Default)]
struct Inner {
    migration: String,
    phase: String,
    direction: Direction,
    per_direction: [DirectionState; 2],
    last_error: Option<String>,
    tables: Vec<TableProgress>,
    /// (unix second, rows applied in it), ascending, no gaps filled; at most
    /// HISTORY_SECONDS + 1 entries.
    buckets: VecDeque<(i64, u64)>,
    /// Rows applied since start, all directions (for rps_avg).
    rows_total: u64,
}

/// The shared, live status of one `sluice` process. Wrap it in an `Arc`, hand
/// clones to the pipeline (which records into it) and to [`super::serve`]
/// (which reads it). Every method takes `&self`; updates are cheap (one
/// uncontended mutex), so calling them once per applied batch is fine.
#[derive(Debug)]
pub struct Observed {
    start_unix: f64,
    inner: Mutex<Inner>,
}

impl Observed {
    /// A fresh status for migration `migration`, phase "starting", direction forward.
    pub fn new(migration: impl Into<String>) -> Self {
        Self::new_at(migration, unix_now())
    }

    pub(crate) fn new_at(migration: impl Into<String>, start_unix: f64) -> Self {
        Observed {
            start_unix,
            inner: Mutex::new(Inner {
                migration: migration.into(),
                phase: "starting".into(),
                ..Inner::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain counters behind: still
        // good to report, so poisoning is ignored.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When this handle was made (≈ process start), unix seconds.
    pub fn start_time(&self) -> f64 {
        self.start_unix
    }

    pub fn set_phase(&self, phase: impl Into<String>) {
        self.lock().phase = phase.into();
    }

    /// Switches the direction that later `record_*` and `set_log_status`
    /// calls count against (and that `snapshot` reports).
    pub fn set_direction(&self, direction: Direction) {
        self.lock().direction = direction;
    }

    /// `n` rows applied to the target (counts toward RPS).
    pub fn record_applied(&self, n: u64) {
        self.record_applied_at(n, unix_now());
    }

    pub(crate) fn record_applied_at(&self, n: u64, now: f64) {
        let sec = now.floor() as i64;
        let mut g = self.lock();
        let d = g.direction.index();
        g.per_direction[d].rows_applied += n;
        g.rows_total += n;
        match g.buckets.back_mut() {
            Some((s, rows)) if *s == sec => *rows += n,
            // A clock step backwards lands in the newest bucket rather than
            // breaking the ascending order.
            Some((s, rows)) if *s > sec => *rows += n,
            _ => g.buckets.push_back((sec, n)),
        }
        while g.buckets.len() > HISTORY_SECONDS + 1 {
            g.buckets.pop_front();
        }
    }

    /// `n` change events captured into the log.
    pub fn record_captured(&self, n: u64) {
        let mut g = self.lock();
        let d = g.direction.index();
        g.per_direction[d].events_captured += n;
    }

    /// One error (retried or fatal); it becomes `last_error`.
    pub fn record_error(&self, msg: impl Into<String>) {
        let mut g = self.lock();
        let d = g.direction.index();
        g.per_direction[d].errors += 1;
        g.last_error = Some(msg.into());
    }

    /// `n` source transactions dropped because sluice wrote them (loop prevention).
    pub fn record_loop_filtered(&self, n: u64) {
        let mut g = self.lock();
        let d = g.direction.index();
        g.per_direction[d].loop_filtered += n;
    }

    /// Inserts or replaces (by name) one table's load progress; tables keep
    /// the order in which they were first reported.
    pub fn set_table_progress(&self, progress: TableProgress) {
        let mut g = self.lock();
        match g.tables.iter_mut().find(|t| t.name == progress.name) {
            Some(t) => *t = progress,
            None => g.tables.push(progress),
        }
    }

    /// Log, cursor and lag of the current direction's pipeline.
    pub fn set_log_status(&self, status: LogStatus) {
        let mut g = self.lock();
        let d = g.direction.index();
        g.per_direction[d].log = status;
    }

    /// The same, straight from the engine's status.
    pub fn set_pipeline_status(&self, status: &sluice_engine::pipeline::PipelineStatus) {
        self.set_log_status(status.into());
    }

    /// Everything, as of now.
    pub fn snapshot(&self) -> StatusReport {
        self.snapshot_at(unix_now())
    }

    pub(crate) fn snapshot_at(&self, now: f64) -> StatusReport {
        let g = self.lock();
        let now_sec = now.floor() as i64;
        let d = &g.per_direction[g.direction.index()];

        // rps_now: rows in the buckets of the last RPS_WINDOW_SECONDS seconds
        // (the current, partial one included) over the time they span.
        let window_start = now_sec - (RPS_WINDOW_SECONDS - 1);
        let rows_in_window: u64 = g
            .buckets
            .iter()
            .rev()
            .take_while(|(s, _)| *s >= window_start)
            .map(|(_, r)| *r)
            .sum();
        let span = now - (window_start as f64).max(self.start_unix);
        let rps_now = if span > 1e-3 {
            rows_in_window as f64 / span.max(1.0)
        } else {
            0.0
        };
        let elapsed = now - self.start_unix;
        let rps_avg = if elapsed > 1e-3 {
            g.rows_total as f64 / elapsed.max(1.0)
        } else {
            0.0
        };

        // History: one point per completed second, gaps filled with zeros,
        // from the first second seen (or HISTORY_SECONDS ago) to now - 1.
        let mut rps_history = Vec::new();
        let first = (self.start_unix.floor() as i64).max(now_sec - HISTORY_SECONDS as i64);
        let mut it = g.buckets.iter().peekable();
        for sec in first..now_sec {
            while it.peek().is_some_and(|(s, _)| *s < sec) {
                it.next();
            }
            let rows = match it.peek() {
                Some((s, r)) if *s == sec => *r,
                _ => 0,
            };
            rps_history.push((sec, rows as f64));
        }

        StatusReport {
            migration: g.migration.clone(),
            phase: g.phase.clone(),
            direction: g.direction.as_str().into(),
            updated_at: rfc3339(now),
            capture_position: d.log.capture_position.clone(),
            log_first_seq: d.log.first_seq,
            log_last_seq: d.log.last_seq,
            log_bytes: d.log.bytes,
            apply_cursor_seq: d.log.apply_cursor_seq,
            lag_records: d.log.lag_records,
            lag_seconds: d.log.lag_seconds,
            rps_now,
            rps_avg,
            rows_applied: d.rows_applied,
            events_captured: d.events_captured,
            errors: d.errors,
            loop_filtered: d.loop_filtered,
            last_error: g.last_error.clone(),
            tables: g.tables.clone(),
            rps_history,
        }
    }

    /// Per-direction counters, for `/metrics`.
    pub(crate) fn directions(&self) -> [(Direction, DirectionState); 2] {
        let g = self.lock();
        Direction::ALL.map(|dir| (dir, g.per_direction[dir.index()].clone()))
    }
}

/// Seconds since the Unix epoch, fractional.
pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// `unix` seconds as RFC 3339 UTC with second precision, e.g. `2026-11-25T11:36:59Z`.
pub fn rfc3339(unix: f64) -> String {
    let secs = unix.floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400.5), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_608_000.0), "2026-11-25T12:00:00Z");
        assert_eq!(rfc3339(-1.0), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn rps_now_avg_and_history() {
        let o = Observed::new_at("m", 1000.0);
        // 100 rows in each of seconds 1000..1009.
        for s in 0..10 {
            o.record_applied_at(100, 1000.5 + s as f64);
        }
        let r = o.snapshot_at(1010.0);
        assert_eq!(r.rows_applied, 1000);
        // Window = seconds 1006..=1010 (1010 empty so far): 400 rows over 4 s.
        assert!((r.rps_now - 100.0).abs() < 1e-9, "{}", r.rps_now);
        assert!((r.rps_avg - 100.0).abs() < 1e-9, "{}", r.rps_avg);
        assert_eq!(r.rps_history.len(), 10);
        assert_eq!(r.rps_history[0], (1000, 100.0));
        assert_eq!(r.rps_history[9], (1009, 100.0));

        // Quiet for a while: rps_now falls to zero, history fills with zeros.
        let r = o.snapshot_at(1030.2);
        assert_eq!(r.rps_now, 0.0);
        assert_eq!(r.rps_history.len(), 30);
        assert_eq!(r.rps_history[29], (1029, 0.0));
        assert!((r.rps_avg - 1000.0 / 30.2).abs() < 1e-9);
    }

    #[test]
    fn history_is_capped() {
        let o = Observed::new_at("m", 0.0);
        for s in 0..2000 {
            o.record_applied_at(1, s as f64);
        }
        let r = o.snapshot_at(2000.0);
        assert_eq!(r.rps_history.len(), HISTORY_SECONDS);
        assert_eq!(r.rps_history.last().unwrap(), &(1999, 1.0));
        assert!(o.lock().buckets.len() <= HISTORY_SECONDS + 1);
    }

    #[test]
    fn counters_follow_the_direction() {
        let o = Observed::new("m");
        o.record_applied(5);
        o.record_error("boom");
        o.set_direction(Direction::Reverse);
        o.record_applied(2);
        o.record_loop_filtered(3);
        let r = o.snapshot();
        assert_eq!(r.direction, "reverse");
        assert_eq!((r.rows_applied, r.loop_filtered, r.errors), (2, 3, 0));
        assert_eq!(r.last_error.as_deref(), Some("boom"));
        let dirs = o.directions();
        assert_eq!(dirs[0].1.rows_applied, 5);
        assert_eq!(dirs[0].1.errors, 1);
    }

    #[test]
    fn table_progress_upserts_by_name() {
        let o = Observed::new("m");
        let t = |name: &str, done| TableProgress {
            name: name.into(),
            rows_done: done,
            ..Default::default()
        };
        o.set_table_progress(t("a", 1));
        o.set_table_progress(t("b", 1));
        o.set_table_progress(t("a", 7));
        let r = o.snapshot();
        assert_eq!(r.tables.len(), 2);
        assert_eq!((r.tables[0].name.as_str(), r.tables[0].rows_done), ("a", 7));
    }
}
