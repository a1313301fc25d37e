//! What a change sink must provide.

use std::future::Future;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::log::LogRecord;
use crate::position::SourcePosition;

/// The last log record a sink applied, as stored *in the target* (table
/// `sluice_apply_cursor`) in the same transaction as the rows it applied.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ApplyCursor {
    /// Sequence number of the last applied log record.
    pub seq: u64,
    /// That record's source position; checked against the log on restart.
    pub position: SourcePosition,
}

/// Applies log records to a target exactly once.
///
/// Contract:
/// - `apply` applies every record of the batch, in order, and writes the
///   cursor `(last record's seq, position)` **in the same target
///   transaction**. Either all of it commits or none of it does.
/// - `read_cursor` reads that cursor back from the target. It is the truth on
///   restart; any local copy is only a hint.
/// - Apply is idempotent per row (upsert by key), so a replay from an older
///   sequence converges to the same state.
pub trait Sink: Send {
    /// Reads the pipeline's cursor from the target (`None`: nothing applied yet).
    fn read_cursor(
        &mut self,
        pipeline: &str,
    ) -> impl Future<Output = Result<Option<ApplyCursor>>> + Send;

    /// Applies `records` (non-empty, consecutive sequences) and the cursor atomically.
    fn apply(
        &mut self,
        pipeline: &str,
        records: &[LogRecord],
    ) -> impl Future<Output = Result<ApplyCursor>> + Send;
}
