//! sluice's OceanBase connector (MySQL mode).
//!
//! The forward sink, [`OceanBaseSink`], applies event-log records to
//! OceanBase exactly once: whole source transactions, in order, batched into
//! target transactions that also write the pipeline's apply cursor
//! (`sluice_apply_cursor`). Where each job happens:
//!
//! - [`config`]: endpoint, TLS, table naming, batch limits.
//! - [`conn`]: connecting, TLS negotiation, session settings.
//! - [`encode`]: `Value` → MySQL-mode SQL literal, exactly.
//! - [`plan`]: log records → ordered upsert/delete statements.
//! - [`control`]: the control schema and the apply cursor.
//! - [`error`]: retryable vs fatal, with values redacted.
//! - [`sink`]: the `Sink` implementation tying them together.
//! - [`lanes`]: parallel apply lanes by key hash, with barriers.
//! - [`unique`]: which tables may take upserts (no unique index but the key).

pub mod binlog;
pub mod config;
pub mod conn;
pub mod control;
pub mod encode;
pub mod error;
pub mod lanes;
pub mod plan;
pub mod sink;
pub mod unique;
pub mod verify;

pub use config::{OceanBaseConfig, TableNaming, TlsMode};
pub use sink::OceanBaseSink;
