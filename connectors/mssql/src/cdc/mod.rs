//! Change capture from SQL Server CDC: LSN windows → change transactions.
//!
//! Written against Microsoft's documented CDC API; Babelfish has no CDC
//! (its README, trap 5), so the live reader runs only against a real SQL
//! Server (`SLUICE_MSSQL_URL`). The pure parts — LSN arithmetic, window
//! planning, capture-instance switches, retention checks, merging and
//! grouping — are unit tested here.

pub mod assemble;
pub mod lsn;
pub mod source;
pub mod window;

pub use assemble::{assemble, Assembled, CdcRow, CdcTable};
pub use lsn::Lsn;
pub use source::{CdcSourceConfig, MssqlCdcSource};
pub use window::{plan_window, split_by_instance, CaptureInstance, Plan, Window};
