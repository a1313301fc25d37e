//! Pipelines: a [`Source`] feeding the durable log, and a [`Sink`] applying
//! the log exactly once. Forward (SQL Server -> OceanBase) and reverse
//! (OceanBase -> SQL Server) are the same code with the roles swapped.
//!
//! The two halves are decoupled by the log: capture never waits for the sink
//! (a slow target only grows the log on disk), and apply reads bounded
//! batches (memory stays flat however far behind it is).

mod apply;
mod capture;
mod driver;
mod retry;
mod sink;
mod source;

pub use apply::{Apply, ApplyOptions, CursorTruth};
pub use capture::{Capture, CaptureOptions, CaptureStep};
pub use driver::{Pipeline, PipelineOptions, PipelineStatus};
pub use retry::RetryPolicy;
pub use sink::{ApplyCursor, Sink};
pub use source::{Source, SourceItem};
