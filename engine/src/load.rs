//! Full-load progress that survives a kill: which chunks of which tables are
//! already committed on the target.
//!
//! A chunk is marked done only after its target transaction committed, and
//! the mark is flushed before the next chunk of that worker starts. A crash
//! between the commit and the mark makes the chunk run again; the loader
//! writes chunks as upserts (or replaces a keyless table whole), so a second
//! run converges to the same rows.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What is stored per finished chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkDone {
    pub rows: u64,
}

/// The chunk checkpoint store of one migration (a sled database).
pub struct ChunkCheckpoints {
    db: sled::Db,
    path: String,
}

fn key(table: &str, chunk: u32) -> Vec<u8> {
    let mut k = table.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&chunk.to_be_bytes());
    k
}

impl ChunkCheckpoints {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let path = dir.as_ref().display().to_string();
        let db = sled::open(dir.as_ref()).map_err(|e| Error::Storage {
            path: path.clone(),
            source: e,
        })?;
        Ok(ChunkCheckpoints { db, path })
    }

    fn storage(&self, e: sled::Error) -> Error {
        Error::Storage {
            path: self.path.clone(),
            source: e,
        }
    }

    /// Whether `chunk` of `table` is committed on the target.
    pub fn is_done(&self, table: &str, chunk: u32) -> Result<Option<ChunkDone>> {
        self.db
            .get(key(table, chunk))
            .map_err(|e| self.storage(e))?
            .map(|v| {
                serde_json::from_slice(&v).map_err(|e| Error::CorruptRecord {
                    seq: 0,
                    reason: format!("chunk checkpoint of {table} #{chunk}: {e}"),
                })
            })
            .transpose()
    }

    /// Records that `chunk` of `table` committed with `rows` rows, durably.
    pub fn mark_done(&self, table: &str, chunk: u32, rows: u64) -> Result<()> {
        let v = serde_json::to_vec(&ChunkDone { rows }).expect("serializes");
        self.db
            .insert(key(table, chunk), v)
            .map_err(|e| self.storage(e))?;
        self.db.flush().map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Rows already loaded for `table` (sum over its finished chunks).
    pub fn rows_done(&self, table: &str) -> Result<u64> {
        let mut prefix = table.as_bytes().to_vec();
        prefix.push(0);
        let mut total = 0;
        for item in self.db.scan_prefix(prefix) {
            let (_, v) = item.map_err(|e| self.storage(e))?;
            let d: ChunkDone = serde_json::from_slice(&v).map_err(|e| Error::CorruptRecord {
                seq: 0,
                reason: format!("chunk checkpoint of {table}: {e}"),
            })?;
            total += d.rows;
        }
        Ok(total)
    }

    /// A named step (schema deployed, foreign keys created…) is done.
    pub fn step_done(&self, step: &str) -> Result<bool> {
        Ok(self
            .db
            .get(format!("\u{1}step\u{0}{step}"))
            .map_err(|e| self.storage(e))?
            .is_some())
    }

    pub fn mark_step(&self, step: &str) -> Result<()> {
        self.db
            .insert(format!("\u{1}step\u{0}{step}"), &b"1"[..])
            .map_err(|e| self.storage(e))?;
        self.db.flush().map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Stores a small value (e.g. the change-capture low watermark).
    pub fn put_meta(&self, name: &str, value: &str) -> Result<()> {
        self.db
            .insert(format!("\u{1}meta\u{0}{name}"), value.as_bytes())
            .map_err(|e| self.storage(e))?;
        self.db.flush().map_err(|e| self.storage(e))?;
        Ok(())
    }

    pub fn meta(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .db
            .get(format!("\u{1}meta\u{0}{name}"))
            .map_err(|e| self.storage(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_survive_reopen_and_sum_per_table() {
        let dir = tempfile::tempdir().unwrap();
        {
            let c = ChunkCheckpoints::open(dir.path()).unwrap();
            c.mark_done("dbo.a", 0, 10).unwrap();
            c.mark_done("dbo.a", 3, 5).unwrap();
            c.mark_done("dbo.ab", 0, 7).unwrap();
            c.mark_step("schema").unwrap();
            c.put_meta("low_watermark", "0x01").unwrap();
        }
        let c = ChunkCheckpoints::open(dir.path()).unwrap();
        assert_eq!(c.is_done("dbo.a", 3).unwrap(), Some(ChunkDone { rows: 5 }));
        assert_eq!(c.is_done("dbo.a", 1).unwrap(), None);
        assert_eq!(c.rows_done("dbo.a").unwrap(), 15, "dbo.ab is another table");
        assert!(c.step_done("schema").unwrap() && !c.step_done("fks").unwrap());
        assert_eq!(c.meta("low_watermark").unwrap().as_deref(), Some("0x01"));
    }
}
