//! SQL Server connector (tiberius): catalog, snapshot, CDC source, reverse sink.
//!
//! Where to find what:
//! - [`config`]: the endpoint from an ADO.NET string, TLS, password redaction;
//! - [`mod@connect`]: opening a session;
//! - [`catalog`]: `sys.*` → the engine's schema model;
//! - [`snapshot`]: chunk planning and keyset-paginated reading for the full load;
//! - [`decode`] / [`encode`]: TDS values ↔ engine `Value`s;
//! - [`sink`]: the reverse sink (OceanBase → SQL Server) and its apply cursor;
//! - [`cdc`]: change capture from SQL Server CDC (LSN windows → transactions);
//! - [`error`]: retryable vs fatal errors, with row values and passwords kept out of messages.

pub mod catalog;
pub mod cdc;
pub mod config;
pub mod connect;
pub mod decode;
pub mod encode;
pub mod error;
pub mod sink;
pub mod snapshot;
pub mod verify;

pub use cdc::MssqlCdcSource;
pub use config::MssqlConfig;
pub use connect::{connect, MssqlClient};
pub use error::{Error, Result};
pub use sink::MssqlSink;
