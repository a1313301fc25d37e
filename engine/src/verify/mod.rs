//! Cross-database consistency checking: are source and target the same?
//!
//! Per table: chunk digests over key ranges computed on both sides, then,
//! for chunks that differ, bisection down to small ranges whose rows are
//! fetched from both sides and merge-compared. The result is a list of
//! missing, extra and changed rows, and repair SQL that makes the target
//! match the source (plus the SQL that reverts the repair).
//!
//! Database-specific work (building the canonical text in SQL, range
//! predicates in binary collation) lives behind [`VerifySide`] in the
//! connectors.

pub mod canonical;
pub mod compare;
pub mod plan;
pub mod repair;
pub mod report;
mod run;
mod side;

pub use canonical::{CanonKind, ChunkDigest};
pub use compare::RowDiff;
pub use plan::KeyRange;
pub use repair::{repair_sql, Dialect, RepairScript};
pub use report::{TableReport, VerifyReport};
pub use run::{
    classify_recheck, read_keys, verify_table, verify_table_observed, ChunkObserver, ChunkResult,
    NoObserver, Recheck, TableOutcome, VerifyOptions,
};
pub use side::{key_successor, ColumnSpec, TableSpec, VerifySide};
