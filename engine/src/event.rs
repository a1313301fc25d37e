//! Normalized change events and the source transactions that carry them.

use std::fmt;
use std::sync::Arc;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::position::SourcePosition;
use crate::value::Value;

/// A table name as the source knows it.
///
/// The parts are `Arc<str>` because every decoded event carries one: cloning
/// must not allocate.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
pub struct TableRef {
    pub schema: Arc<str>,
    pub name: Arc<str>,
}

impl TableRef {
    pub fn new(schema: impl Into<Arc<str>>, name: impl Into<Arc<str>>) -> Self {
        TableRef {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for TableRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Encode, Decode, Serialize, Deserialize)]
pub enum RowOp {
    Insert {
        after: Vec<Value>,
    },
    /// A primary-key change is an update whose before and after keys differ.
    Update {
        before: Vec<Value>,
        after: Vec<Value>,
    },
    Delete {
        before: Vec<Value>,
    },
}

/// One row change, with the column names its values are ordered by.
#[derive(Debug, Clone, PartialEq, Encode, Decode, Serialize, Deserialize)]
pub struct ChangeEvent {
    pub table: TableRef,
    /// Column names, in the order of the row images.
    pub columns: Arc<[String]>,
    /// Indices into `columns` of the key the sink upserts by (the primary key,
    /// or every column for a table without one).
    pub key: Arc<[u16]>,
    pub op: RowOp,
}

impl ChangeEvent {
    /// Key values of the row image that identifies the row *before* the change
    /// (the after image for inserts).
    pub fn old_key(&self) -> Vec<&Value> {
        let img = match &self.op {
            RowOp::Insert { after } => after,
            RowOp::Update { before, .. } | RowOp::Delete { before } => before,
        };
        self.key.iter().map(|&i| &img[i as usize]).collect()
    }

    /// Key values after the change (`None` for deletes).
    pub fn new_key(&self) -> Option<Vec<&Value>> {
        match &self.op {
            RowOp::Insert { after } | RowOp::Update { after, .. } => {
                Some(self.key.iter().map(|&i| &after[i as usize]).collect())
            }
            RowOp::Delete { .. } => None,
        }
    }

    /// Checks the row images agree with the column list and key, so that a
    /// malformed event is refused at capture, not half-applied at the sink.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.columns.len();
        let check = |img: &Vec<Value>, which: &str| {
            if img.len() != n {
                Err(format!(
                    "{}: {which} image has {} values for {n} columns",
                    self.table,
                    img.len()
                ))
            } else {
                Ok(())
            }
        };
        match &self.op {
            RowOp::Insert { after } => check(after, "after")?,
            RowOp::Update { before, after } => {
                check(before, "before")?;
                check(after, "after")?
            }
            RowOp::Delete { before } => check(before, "before")?,
        }
        if self.key.is_empty() {
            return Err(format!("{}: event has no key columns", self.table));
        }
        if let Some(&k) = self.key.iter().find(|&&k| k as usize >= n) {
            return Err(format!(
                "{}: key index {k} out of range for {n} columns",
                self.table
            ));
        }
        Ok(())
    }
}

/// A DDL statement or schema change seen in the source stream. The apply side
/// decides what to do with it; the log keeps it in order with the rows.
#[derive(Debug, Clone, PartialEq, Encode, Decode, Serialize, Deserialize)]
pub struct SchemaChange {
    pub table: Option<TableRef>,
    /// The statement or description as the source gave it.
    pub ddl: String,
}

/// One item of a transaction.
#[derive(Debug, Clone, PartialEq, Encode, Decode, Serialize, Deserialize)]
pub enum Change {
    Row(ChangeEvent),
    Schema(SchemaChange),
}

/// One committed source transaction, the unit the log stores and sinks apply.
#[derive(Debug, Clone, PartialEq, Encode, Decode, Serialize, Deserialize)]
pub struct Transaction {
    /// The source's own id for the transaction (xid, transaction LSN), for diagnostics.
    pub source_id: Option<String>,
    /// Where the source stream stands after this transaction; capture resumes after it.
    pub position: SourcePosition,
    /// Commit time at the source, microseconds since the Unix epoch.
    pub commit_time_us: i64,
    pub changes: Vec<Change>,
}

impl Transaction {
    pub fn row_count(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| matches!(c, Change::Row(_)))
            .count()
    }

    pub fn rows(&self) -> impl Iterator<Item = &ChangeEvent> {
        self.changes.iter().filter_map(|c| match c {
            Change::Row(r) => Some(r),
            Change::Schema(_) => None,
        })
    }
}
