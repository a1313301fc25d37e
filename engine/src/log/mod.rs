//! The durable event log: one per pipeline, append-only, on sled.

mod group_commit;
pub mod record;
mod retention;
mod store;

pub use group_commit::GroupCommitter;
pub use record::LogRecord;
pub use retention::{RetentionOutcome, RetentionPolicy};
pub use store::{Checkpoint, EventLog, LogOptions, RecordMeta};
