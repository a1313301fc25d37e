//! Retention: which records may be removed.
//!
//! A record may go only when every known cursor has passed it **and** the
//! retention window allows (older than `max_age`, or the log is over
//! `max_bytes`). Cursor hints may lag the targets' true cursors; that only
//! keeps more, never less.

use std::time::Duration;

use serde::Serialize;

use super::store::{EventLog, RecordMeta};
use crate::error::Result;

/// How long records are kept after every cursor has passed them.
#[derive(Debug, Clone, Default)]
pub struct RetentionPolicy {
    /// Remove passed records whose commit time is older than this.
    pub max_age: Option<Duration>,
    /// Remove the oldest passed records while the log is larger than this.
    pub max_bytes: Option<u64>,
}

/// What a retention pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionOutcome {
    pub removed_records: u64,
    pub removed_bytes: u64,
    /// The lowest cursor that bounded removal (`None`: no cursor known, nothing removed).
    pub bounded_by_cursor: Option<u64>,
}

impl EventLog {
    /// Applies `policy` at time `now_us` (microseconds since the Unix epoch).
    pub fn apply_retention(
        &self,
        policy: &RetentionPolicy,
        now_us: i64,
    ) -> Result<RetentionOutcome> {
        let hints = self.cursor_hints()?;
        let Some(min_cursor) = hints.iter().map(|(_, c)| c.seq).min() else {
            return Ok(RetentionOutcome::default());
        };
        let mut total = self.stored_bytes()?;
        let age_limit_us = policy
            .max_age
            .map(|a| now_us.saturating_sub(a.as_micros().min(i64::MAX as u128) as i64));
        let mut doomed: Vec<(u64, RecordMeta)> = Vec::new();
        let mut removed_bytes = 0;
        for item in self.metas() {
            let (seq, meta) = item?;
            if seq > min_cursor {
                break;
            }
            let too_old = age_limit_us.is_some_and(|limit| meta.commit_time_us < limit);
            let too_big = policy.max_bytes.is_some_and(|max| total > max);
            if !(too_old || too_big) {
                break; // records are in commit order: later ones are newer
            }
            total -= meta.bytes;
            removed_bytes += meta.bytes;
            doomed.push((seq, meta));
        }
        if !doomed.is_empty() {
            self.remove_records(&doomed)?;
        }
        Ok(RetentionOutcome {
            removed_records: doomed.len() as u64,
            removed_bytes,
            bounded_by_cursor: Some(min_cursor),
        })
    }
}
