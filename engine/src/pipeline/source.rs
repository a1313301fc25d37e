//! What a change source must provide.

use std::future::Future;

use crate::error::Result;
use crate::event::Transaction;
use crate::position::SourcePosition;

/// One thing a source hands to the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceItem {
    /// A whole committed transaction, in commit order.
    Transaction(Transaction),
    /// Nothing changed, but the source has read up to `position` (at source
    /// time `at_us`). Advances the stored checkpoint so lag stays honest and a
    /// restart does not re-read an idle range; adds no log record.
    Heartbeat {
        position: SourcePosition,
        at_us: i64,
    },
    /// A finite source (a file, a test script) has nothing more.
    End,
}

/// Reads committed changes in commit order.
///
/// Contract:
/// - After `start(Some(p))`, the first transaction returned is the first one
///   that ends strictly after `p`.
/// - Reading the same range twice yields the same transactions with the same
///   positions (determinism): it is what lets a lost log tail be re-captured
///   into identical records.
/// - Transactions that touch `sluice_apply_cursor` (sluice's own writes) are
///   dropped whole, so nothing a sink applied is echoed back.
pub trait Source: Send {
    /// Positions the source after `from`, or at its configured start when `None`.
    fn start(&mut self, from: Option<&SourcePosition>) -> impl Future<Output = Result<()>> + Send;

    /// Waits for the next item. A source that is caught up returns a
    /// `Heartbeat` within its heartbeat interval rather than blocking forever.
    fn next(&mut self) -> impl Future<Output = Result<SourceItem>> + Send;
}
