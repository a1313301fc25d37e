//! The binlog source: committed row changes and DDL from a MySQL-protocol
//! ROW binlog (OceanBase's binlog service after cutover; MariaDB in tests),
//! grouped into transactions for the event log.
//!
//! Where each job happens:
//! - [`decode`]: raw event bytes → typed events, every length checked first.
//! - [`table_map`]: TABLE_MAP events and their FULL row metadata.
//! - [`catalog`]: information_schema facts the binlog lacks.
//! - [`schema`]: TABLE_MAP + catalog → column names, exact kinds, key.
//! - [`rows`]: row images → `Value`s.
//! - [`txn`]: events → transactions, positions, GTID state, loop prevention.
//! - [`stream`]: the replication connection (mysql_async).
//! - [`source`]: [`BinlogSource`], the engine's `Source`.
//! - [`file`]: the same decoding over binlog files.

pub mod catalog;
pub mod decode;
pub mod file;
pub mod rows;
pub mod schema;
pub mod source;
pub mod stream;
pub mod table_map;
pub mod txn;

pub use decode::{decode_event, DecodeError, Decoder};
pub use source::{BinlogConfig, BinlogSource, StartAt};
pub use txn::{Stats, CURSOR_TABLE};
