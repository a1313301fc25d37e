//! The journey's own state: which phase the migration is in, where each
//! direction starts, and a log of the steps taken.
//!
//! Kept as a small JSON file written atomically (temp file, fsync, rename,
//! fsync of the folder), because a cutover step recorded and then lost would
//! make a restarted cutover repeat it: above all the reverse start position,
//! which must never move once recorded.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sluice_engine::position::SourcePosition;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where the migration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Nothing done yet.
    #[default]
    New,
    /// Schema created, full load running or interrupted.
    Loading,
    /// Load finished; forward sync (source -> OceanBase) keeps the target current.
    Syncing,
    /// Cutover started: forward drained, verify and the reverse position pending.
    Cutover,
    /// Applications write to OceanBase; reverse sync keeps the source current.
    Reverse,
    /// Reverse drained; the source is current and the applications may go back.
    RolledBack,
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            Phase::New => "new",
            Phase::Loading => "loading",
            Phase::Syncing => "syncing",
            Phase::Cutover => "cutover",
            Phase::Reverse => "reverse",
            Phase::RolledBack => "rolled-back",
        };
        f.write_str(s)
    }
}

/// One thing the journey did, for the operator's record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    pub at: String,
    pub step: String,
    pub detail: String,
}

/// The last verify run through the migration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyRecord {
    pub at_unix: i64,
    pub clean: bool,
    pub tables: usize,
    pub differences: u64,
    /// Forward log sequence that was applied when it ran (tables changed after
    /// it are what a cutover re-verifies).
    pub forward_seq: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JourneyState {
    /// Random id of this state folder, part of every pipeline (cursor) name:
    /// a migration started again in a fresh folder under the same name must
    /// not find the old run's cursors on the target and skip records.
    #[serde(default)]
    pub id: String,
    pub phase: Phase,
    /// Generation of each direction: a rollback that resumes forward sync
    /// starts a new forward log (and cursor name) from the source's then
    /// current position.
    pub forward_gen: u32,
    pub reverse_gen: u32,
    /// Where forward capture starts when its log is empty (set by the load's
    /// low watermark or by a rollback).
    pub forward_start: Option<SourcePosition>,
    /// The target's binlog position recorded at cutover: reverse capture starts here.
    pub reverse_start: Option<SourcePosition>,
    /// Cutover steps done (restartable: a re-run skips them).
    pub cutover_done: Vec<String>,
    pub steps: Vec<Step>,
}

impl JourneyState {
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join("journey.json")
    }

    pub fn load(state_dir: &Path) -> Result<Self, BoxError> {
        let p = Self::path(state_dir);
        match std::fs::read_to_string(&p) {
            Ok(text) => Ok(serde_json::from_str(&text)
                .map_err(|e| format!("{} is unreadable ({e}); it records the migration's phase: restore it from a backup rather than deleting it", p.display()))?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(JourneyState {
                id: new_id(),
                forward_gen: 1,
                reverse_gen: 1,
                ..Default::default()
            }),
            Err(e) => Err(format!("reading {}: {e}", p.display()).into()),
        }
    }

    /// Writes the state durably (atomic replace).
    pub fn save(&self, state_dir: &Path) -> Result<(), BoxError> {
        write_atomic(
            &Self::path(state_dir),
            serde_json::to_string_pretty(self)?.as_bytes(),
        )
    }

    /// Records a step (and saves).
    pub fn record(
        &mut self,
        state_dir: &Path,
        step: &str,
        detail: impl Into<String>,
    ) -> Result<(), BoxError> {
        let detail = detail.into();
        tracing::info!(step, %detail, "journey");
        self.steps.push(Step {
            at: now_rfc3339(),
            step: step.to_string(),
            detail,
        });
        self.save(state_dir)
    }

    fn pipeline_prefix(&self, migration: &str) -> String {
        if self.id.is_empty() {
            migration.to_string()
        } else {
            format!("{migration}-{}", self.id)
        }
    }

    pub fn forward_name(&self, migration: &str) -> String {
        format!(
            "{}-forward-{}",
            self.pipeline_prefix(migration),
            self.forward_gen.max(1)
        )
    }

    pub fn reverse_name(&self, migration: &str) -> String {
        format!(
            "{}-reverse-{}",
            self.pipeline_prefix(migration),
            self.reverse_gen.max(1)
        )
    }

    pub fn forward_log_dir(&self, state_dir: &Path) -> PathBuf {
        state_dir.join(format!("forward-{}", self.forward_gen.max(1)))
    }

    pub fn reverse_log_dir(&self, state_dir: &Path) -> PathBuf {
        state_dir.join(format!("reverse-{}", self.reverse_gen.max(1)))
    }
}

/// Eight hex digits, different for every new state folder.
fn new_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded from the OS per process; mix in time and pid too.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

/// Replaces `path` with `bytes` so that a crash leaves the old or the new file, whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), BoxError> {
    let tmp = path.with_extension("tmp");
    {
        let mut f =
            std::fs::File::create(&tmp).map_err(|e| format!("writing {}: {e}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).map_err(|e| format!("replacing {}: {e}", path.display()))?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn now_rfc3339() -> String {
    let secs = now_unix();
    let date = sluice_engine::value::Date::from_unix_days(secs.div_euclid(86_400) as i32);
    let t = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

/// The last verify's record, kept beside the journey state by `verify --config`.
pub fn load_verify(state_dir: &Path) -> Option<VerifyRecord> {
    let text = std::fs::read_to_string(state_dir.join("verify-last.json")).ok()?;
    serde_json::from_str(&text).ok()
}

pub fn save_verify(state_dir: &Path, r: &VerifyRecord) -> Result<(), BoxError> {
    write_atomic(
        &state_dir.join("verify-last.json"),
        serde_json::to_string_pretty(r)?.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_survives_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = JourneyState::load(dir.path()).unwrap();
        assert_eq!(s.phase, Phase::New);
        assert_eq!(s.id.len(), 8);
        assert_eq!(s.forward_name("his"), format!("his-{}-forward-1", s.id));
        let other = tempfile::tempdir().unwrap();
        assert_ne!(
            JourneyState::load(other.path()).unwrap().id,
            s.id,
            "a fresh folder gets its own cursor names"
        );
        s.phase = Phase::Reverse;
        s.reverse_start = Some(SourcePosition::Counter(7));
        s.record(dir.path(), "reverse-start", "pos 7").unwrap();
        let back = JourneyState::load(dir.path()).unwrap();
        assert_eq!(back.phase, Phase::Reverse);
        assert_eq!(back.reverse_start, Some(SourcePosition::Counter(7)));
        assert_eq!(back.steps.len(), 1);
        assert!(!dir.path().join("journey.tmp").exists());
    }

    #[test]
    fn a_corrupt_state_file_is_an_error_not_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(JourneyState::path(dir.path()), "{ not json").unwrap();
        let e = JourneyState::load(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("journey.json") && e.contains("unreadable"),
            "{e}"
        );
    }
}
