//! Resumable verify: what an interrupted run had finished.
//!
//! One small JSON file per table under `<out>/checkpoint/`, replaced
//! atomically after every first-level chunk: the chunks compared (their key
//! range and what they found) and, once the table is done, its outcome. A
//! run with `--resume` takes finished tables whole and skips finished
//! chunks of the others; a chunk is skipped only when the new plan cuts
//! exactly the same key range, so a plan that moved (rows added since) is
//! simply compared again. The files name the run's settings: a checkpoint of
//! a different source, target or chunking is ignored. A run that finishes
//! without failures removes the folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sluice_engine::verify::{ChunkResult, KeyRange, TableOutcome, TableSpec};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One table's saved progress.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TableState {
    pub settings: String,
    pub spec: Option<TableSpec>,
    pub chunks: Vec<(KeyRange, ChunkResult)>,
    pub outcome: Option<TableOutcome>,
}

/// The checkpoint folder of one verify output folder.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    dir: PathBuf,
    settings: String,
}

impl Checkpoint {
    /// Opens `<out>/checkpoint`; without `resume` any earlier state is removed.
    pub fn open(out: &Path, settings: String, resume: bool) -> Result<Self, BoxError> {
        let dir = out.join("checkpoint");
        if !resume && dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Checkpoint { dir, settings })
    }

    fn path(&self, spec: &TableSpec) -> PathBuf {
        let name = format!("{}.{}", spec.source.schema, spec.source.name);
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        // Two names that sanitize alike still get their own files.
        let h = name.bytes().fold(0xcbf29ce484222325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100000001b3)
        });
        self.dir.join(format!("{safe}-{:08x}.json", h as u32))
    }

    /// The saved state of `spec`, or an empty one when there is none that
    /// matches this run's settings and the table's columns.
    pub fn load(&self, spec: &TableSpec) -> TableState {
        let fresh = TableState {
            settings: self.settings.clone(),
            spec: Some(spec.clone()),
            ..Default::default()
        };
        let Ok(text) = std::fs::read_to_string(self.path(spec)) else {
            return fresh;
        };
        match serde_json::from_str::<TableState>(&text) {
            Ok(s) if s.settings == self.settings && s.spec.as_ref() == Some(spec) => s,
            _ => fresh,
        }
    }

    pub fn save(&self, spec: &TableSpec, state: &TableState) -> Result<(), BoxError> {
        let text = serde_json::to_vec(state)?;
        crate::commands::journey::state::write_atomic(&self.path(spec), &text)
    }

    /// Tables finished in the checkpoint (for messages).
    pub fn finished_tables(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .filter_map(|t| serde_json::from_str::<TableState>(&t).ok())
                    .filter(|s| s.settings == self.settings && s.outcome.is_some())
                    .count()
            })
            .unwrap_or(0)
    }

    /// Removes the folder (the run finished).
    pub fn clear(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
