//! sluice's database-independent core.
//!
//! Changes from either side are normalized into [`event::Transaction`]s of
//! [`event::ChangeEvent`]s carrying [`value::Value`]s, appended to a durable
//! [`log::EventLog`] together with the [`position::SourcePosition`] they end
//! at, and moved into a target by a [`pipeline::Pipeline`] whose apply cursor
//! lives in the target's own transaction. No database driver is imported here.

pub mod error;
pub mod event;
pub mod load;
pub mod log;
pub mod pipeline;
pub mod position;
pub mod schema;
pub mod value;
pub mod verify;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{Error, Result};
