//! The durable, append-only event log of one pipeline, on sled.
//!
//! Everything lives in sled's default tree so that appending records and
//! moving the source checkpoint is a single atomic [`sled::Batch`]: after any
//! crash the log ends exactly at a transaction boundary, and the checkpoint
//! says where that boundary is in the source. sled 0.34's `flush` is not an
//! fsync, so a crash can still lose a tail of batches; because the checkpoint
//! is lost with them, capture resumes from the older checkpoint and, sources
//! being deterministic, re-creates the same records with the same sequence
//! numbers.
//!
//! Key layout (all big-endian so byte order is numeric order):
//!
//! | key | value |
//! | --- | --- |
//! | `r` seq:u64 frag:u32 | fragment ([`super::record`]) |
//! | `i` seq:u64 | [`RecordMeta`] (commit time, size, fragment count) |
//! | `m` `checkpoint` | [`Checkpoint`] |
//! | `c` name | [`crate::pipeline::ApplyCursor`] hint of a sink |

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bincode::{Decode, Encode};
use serde::Serialize;
use tokio::sync::watch;

use super::record::{self, LogRecord};
use crate::error::{Error, Result};
use crate::event::Transaction;
use crate::pipeline::ApplyCursor;
use crate::position::SourcePosition;

const P_RECORD: u8 = b'r';
const P_INDEX: u8 = b'i';
const P_CURSOR: u8 = b'c';
const CHECKPOINT_KEY: &[u8] = b"mcheckpoint";

/// Tuning of a log.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// Largest fragment payload; transactions bigger than this are split.
    pub fragment_bytes: usize,
    /// sled page cache size.
    pub cache_bytes: u64,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            fragment_bytes: 1 << 20,
            cache_bytes: 256 << 20,
        }
    }
}

/// Where capture stands: the last sequence appended and the source position
/// the stream has been read to (a transaction's end or a heartbeat).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct Checkpoint {
    /// Last sequence number ever assigned (0: none yet). Never reused, even
    /// after retention removes the record.
    pub last_seq: u64,
    pub position: Option<SourcePosition>,
    /// Source time of the checkpoint, microseconds since the Unix epoch.
    pub at_us: i64,
}

/// Per-record facts kept beside the record for status and retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct RecordMeta {
    pub commit_time_us: i64,
    pub bytes: u64,
    pub fragments: u32,
    pub rows: u32,
}

/// A durable, append-only log of source transactions.
pub struct EventLog {
    db: sled::Db,
    path: PathBuf,
    options: LogOptions,
    /// Serializes appends so sequence assignment and the checkpoint move together.
    append_lock: Mutex<()>,
    last_seq_tx: watch::Sender<u64>,
}

fn bin() -> bincode::config::Configuration {
    bincode::config::standard()
}

fn record_key(seq: u64, frag: u32) -> [u8; 13] {
    let mut k = [0u8; 13];
    k[0] = P_RECORD;
    k[1..9].copy_from_slice(&seq.to_be_bytes());
    k[9..13].copy_from_slice(&frag.to_be_bytes());
    k
}

fn index_key(seq: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = P_INDEX;
    k[1..9].copy_from_slice(&seq.to_be_bytes());
    k
}

fn seq_of_key(k: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&k[1..9]);
    u64::from_be_bytes(b)
}

impl EventLog {
    /// Opens (or creates) the log stored in directory `dir`.
    pub fn open(dir: impl AsRef<Path>, options: LogOptions) -> Result<Self> {
        let path = dir.as_ref().to_path_buf();
        let config = sled::Config::new()
            .path(&path)
            .cache_capacity(options.cache_bytes)
            .mode(sled::Mode::HighThroughput);
        // sled releases its file lock a moment after the previous owner drops
        // the database (its flusher thread exits asynchronously): wait briefly
        // for a process that just stopped, then say who holds it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                // sled reports the lock as an `Other` IO error with this text.
                Err(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock") => {
                    if std::time::Instant::now() >= deadline {
                        return Err(Error::Invalid(format!(
                            "event log at {} is in use by another sluice process (a running sync?); \
                             stop it or use its status command",
                            path.display()
                        )));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => {
                    return Err(Error::Storage {
                        path: path.display().to_string(),
                        source: e,
                    })
                }
            }
        };
        let log = EventLog {
            db,
            path,
            options,
            append_lock: Mutex::new(()),
            last_seq_tx: watch::channel(0).0,
        };
        let last = log.checkpoint()?.last_seq;
        log.last_seq_tx.send_replace(last);
        Ok(log)
    }

    fn storage(&self, e: sled::Error) -> Error {
        Error::Storage {
            path: self.path.display().to_string(),
            source: e,
        }
    }

    /// Directory of the log.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored checkpoint (all zero / `None` for a new log).
    pub fn checkpoint(&self) -> Result<Checkpoint> {
        match self.db.get(CHECKPOINT_KEY).map_err(|e| self.storage(e))? {
            None => Ok(Checkpoint {
                last_seq: 0,
                position: None,
                at_us: 0,
            }),
            Some(v) => bincode::decode_from_slice(&v, bin())
                .map(|(c, _)| c)
                .map_err(|e| Error::CorruptRecord {
                    seq: 0,
                    reason: format!("checkpoint does not decode: {e}"),
                }),
        }
    }

    /// Appends transactions (in order) and moves the checkpoint to the last
    /// one's position, atomically. When `durable`, flushes before returning.
    /// Returns the sequence numbers assigned.
    pub fn append(
        &self,
        txs: &[Transaction],
        durable: bool,
    ) -> Result<std::ops::RangeInclusive<u64>> {
        let guard = self.append_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut cp = self.checkpoint()?;
        let first = cp.last_seq + 1;
        let mut batch = sled::Batch::default();
        for tx in txs {
            cp.last_seq += 1;
            let frags = record::encode(tx, self.options.fragment_bytes)?;
            let meta = RecordMeta {
                commit_time_us: tx.commit_time_us,
                bytes: frags.iter().map(|f| f.len() as u64).sum(),
                fragments: frags.len() as u32,
                rows: tx.row_count() as u32,
            };
            for (i, f) in frags.into_iter().enumerate() {
                batch.insert(&record_key(cp.last_seq, i as u32)[..], f);
            }
            batch.insert(
                &index_key(cp.last_seq)[..],
                bincode::encode_to_vec(meta, bin()).expect("meta encodes"),
            );
            cp.position = Some(tx.position.clone());
            cp.at_us = tx.commit_time_us;
        }
        batch.insert(
            CHECKPOINT_KEY,
            bincode::encode_to_vec(&cp, bin()).expect("checkpoint encodes"),
        );
        self.db.apply_batch(batch).map_err(|e| self.storage(e))?;
        if durable {
            self.db.flush().map_err(|e| self.storage(e))?;
        }
        drop(guard);
        self.last_seq_tx.send_replace(cp.last_seq);
        Ok(first..=cp.last_seq)
    }

    /// Moves the checkpoint without adding a record (a source heartbeat).
    pub fn advance_checkpoint(
        &self,
        position: SourcePosition,
        at_us: i64,
        durable: bool,
    ) -> Result<()> {
        let _guard = self.append_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut cp = self.checkpoint()?;
        cp.position = Some(position);
        cp.at_us = at_us;
        self.db
            .insert(
                CHECKPOINT_KEY,
                bincode::encode_to_vec(&cp, bin()).expect("encodes"),
            )
            .map_err(|e| self.storage(e))?;
        if durable {
            self.db.flush().map_err(|e| self.storage(e))?;
        }
        Ok(())
    }

    /// Forces everything appended so far to disk.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map(|_| ()).map_err(|e| self.storage(e))
    }

    /// A receiver that changes whenever records are appended (value: last seq).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.last_seq_tx.subscribe()
    }

    /// Sequence of the first retained record, if any.
    pub fn first_seq(&self) -> Result<Option<u64>> {
        Ok(self
            .db
            .scan_prefix([P_INDEX])
            .next()
            .transpose()
            .map_err(|e| self.storage(e))?
            .map(|(k, _)| seq_of_key(&k)))
    }

    /// Sequence of the last retained record, if any.
    pub fn last_seq(&self) -> Result<Option<u64>> {
        Ok(self
            .db
            .scan_prefix([P_INDEX])
            .next_back()
            .transpose()
            .map_err(|e| self.storage(e))?
            .map(|(k, _)| seq_of_key(&k)))
    }

    /// The stored facts of one record.
    pub fn meta(&self, seq: u64) -> Result<Option<RecordMeta>> {
        self.db
            .get(index_key(seq))
            .map_err(|e| self.storage(e))?
            .map(|v| {
                bincode::decode_from_slice(&v, bin())
                    .map(|(m, _)| m)
                    .map_err(|e| Error::CorruptRecord {
                        seq,
                        reason: format!("index entry does not decode: {e}"),
                    })
            })
            .transpose()
    }

    /// Iterates (seq, meta) over retained records in order.
    pub fn metas(&self) -> impl Iterator<Item = Result<(u64, RecordMeta)>> + '_ {
        self.db.scan_prefix([P_INDEX]).map(move |r| {
            let (k, v) = r.map_err(|e| self.storage(e))?;
            let seq = seq_of_key(&k);
            let (m, _) =
                bincode::decode_from_slice(&v, bin()).map_err(|e| Error::CorruptRecord {
                    seq,
                    reason: format!("index entry does not decode: {e}"),
                })?;
            Ok((seq, m))
        })
    }

    /// Reads one record.
    pub fn get(&self, seq: u64) -> Result<LogRecord> {
        match self.read_from(seq, 1, usize::MAX)?.into_iter().next() {
            Some(r) if r.seq == seq => Ok(r),
            _ => Err(Error::NotRetained {
                seq,
                first: self.first_seq()?.unwrap_or(0),
                last: self.last_seq()?.unwrap_or(0),
            }),
        }
    }

    /// Reads up to `max_records` consecutive records starting at `from`,
    /// stopping early once `max_bytes` of stored data have been read (at least
    /// one record is always returned when one exists). Bounds the memory an
    /// apply batch takes regardless of how far behind the sink is.
    pub fn read_from(
        &self,
        from: u64,
        max_records: usize,
        max_bytes: usize,
    ) -> Result<Vec<LogRecord>> {
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let start = record_key(from, 0);
        let end = [P_RECORD + 1];
        let mut iter = self
            .db
            .range::<&[u8], _>((Bound::Included(&start[..]), Bound::Excluded(&end[..])));
        let mut cur_seq: Option<u64> = None;
        let mut payload: Vec<u8> = Vec::new();
        let mut expect_seq = from;
        loop {
            let item = iter.next().transpose().map_err(|e| self.storage(e))?;
            let (seq, value) = match item {
                Some((k, v)) => (seq_of_key(&k), v),
                None => break,
            };
            if cur_seq != Some(seq) {
                if let Some(unfinished) = cur_seq {
                    // The previous record ended without its last fragment.
                    return Err(Error::CorruptRecord {
                        seq: unfinished,
                        reason: "last fragment is missing".into(),
                    });
                }
                if seq != expect_seq {
                    if out.is_empty() && seq > from && expect_seq == from {
                        // `from` itself was removed by retention: start at what remains.
                        expect_seq = seq;
                    } else {
                        break; // a gap ends the consecutive run
                    }
                }
                cur_seq = Some(seq);
            }
            let (last, body) = record::check_fragment(seq, &value)?;
            bytes += value.len();
            if payload.len() + body.len() > record::MAX_RECORD_BYTES {
                return Err(Error::CorruptRecord {
                    seq,
                    reason: format!("record exceeds {} bytes", record::MAX_RECORD_BYTES),
                });
            }
            if last && payload.is_empty() {
                // Single-fragment record (the common case): decode in place.
                out.push(record::decode_payload(seq, body)?);
                cur_seq = None;
                expect_seq = seq + 1;
                if out.len() >= max_records || bytes >= max_bytes {
                    break;
                }
                continue;
            }
            payload.extend_from_slice(body);
            if last {
                let rec = record::decode_payload(seq, &payload)?;
                payload.clear();
                cur_seq = None;
                out.push(rec);
                expect_seq = seq + 1;
                if out.len() >= max_records || bytes >= max_bytes {
                    break;
                }
            }
        }
        if let Some(seq) = cur_seq {
            return Err(Error::CorruptRecord {
                seq,
                reason: "last fragment is missing".into(),
            });
        }
        Ok(out)
    }

    /// Stores a sink's cursor as a hint (used by retention and `log status`).
    /// The truth stays in the target.
    pub fn store_cursor_hint(&self, name: &str, cursor: &ApplyCursor) -> Result<()> {
        let mut k = vec![P_CURSOR];
        k.extend_from_slice(name.as_bytes());
        self.db
            .insert(k, bincode::encode_to_vec(cursor, bin()).expect("encodes"))
            .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// All stored cursor hints, by sink name.
    pub fn cursor_hints(&self) -> Result<Vec<(String, ApplyCursor)>> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix([P_CURSOR]) {
            let (k, v) = item.map_err(|e| self.storage(e))?;
            let name = String::from_utf8_lossy(&k[1..]).into_owned();
            let (c, _) =
                bincode::decode_from_slice(&v, bin()).map_err(|e| Error::CorruptRecord {
                    seq: 0,
                    reason: format!("cursor hint {name} does not decode: {e}"),
                })?;
            out.push((name, c));
        }
        Ok(out)
    }

    /// Removes the records `seqs` (from retention). The checkpoint is untouched.
    pub(crate) fn remove_records(&self, seqs: &[(u64, RecordMeta)]) -> Result<()> {
        let mut batch = sled::Batch::default();
        for (seq, m) in seqs {
            for f in 0..m.fragments {
                batch.remove(&record_key(*seq, f)[..]);
            }
            batch.remove(&index_key(*seq)[..]);
        }
        self.db.apply_batch(batch).map_err(|e| self.storage(e))?;
        self.flush()
    }

    /// Drops every record after `seq` and moves the checkpoint back to record
    /// `seq`'s position: the state a crash leaves when the tail after `seq`
    /// never reached the disk. Used by crash-injection tests.
    #[doc(hidden)]
    pub fn simulate_lost_tail_after(&self, seq: u64) -> Result<()> {
        let _guard = self.append_lock.lock().unwrap_or_else(|p| p.into_inner());
        let (position, at_us) = if seq == 0 {
            (None, 0)
        } else {
            let r = self.read_from(seq, 1, usize::MAX)?;
            match r.into_iter().next() {
                Some(r) if r.seq == seq => (Some(r.tx.position), r.tx.commit_time_us),
                _ => return Err(Error::Invalid(format!("record {seq} not in log"))),
            }
        };
        let mut batch = sled::Batch::default();
        let from_r = record_key(seq + 1, 0);
        for k in self.db.range(&from_r[..]..&[P_RECORD + 1][..]).keys() {
            batch.remove(k.map_err(|e| self.storage(e))?);
        }
        let from_i = index_key(seq + 1);
        for k in self.db.range(&from_i[..]..&[P_INDEX + 1][..]).keys() {
            batch.remove(k.map_err(|e| self.storage(e))?);
        }
        let cp = Checkpoint {
            last_seq: seq,
            position,
            at_us,
        };
        batch.insert(
            CHECKPOINT_KEY,
            bincode::encode_to_vec(&cp, bin()).expect("encodes"),
        );
        self.db.apply_batch(batch).map_err(|e| self.storage(e))?;
        self.last_seq_tx.send_replace(seq);
        Ok(())
    }

    /// Bytes of stored record data (fragments with headers).
    pub fn stored_bytes(&self) -> Result<u64> {
        let mut total = 0;
        for m in self.metas() {
            total += m?.1.bytes;
        }
        Ok(total)
    }

    /// Size of the log directory on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        self.db.size_on_disk().map_err(|e| self.storage(e))
    }

    // Direct access for the corruption tests in this crate.
    #[cfg(test)]
    pub(crate) fn raw_insert_fragment(&self, seq: u64, frag: u32, bytes: &[u8]) {
        self.db.insert(&record_key(seq, frag)[..], bytes).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::sample_transaction;

    fn open(dir: &tempfile::TempDir) -> EventLog {
        EventLog::open(dir.path(), LogOptions::default()).unwrap()
    }

    #[test]
    fn appends_are_dense_and_move_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let log = open(&dir);
        assert_eq!(log.checkpoint().unwrap().last_seq, 0);
        let txs: Vec<_> = (1..=5).map(|i| sample_transaction(i, 3)).collect();
        assert_eq!(log.append(&txs[..2], true).unwrap(), 1..=2);
        assert_eq!(log.append(&txs[2..], false).unwrap(), 3..=5);
        let cp = log.checkpoint().unwrap();
        assert_eq!(cp.last_seq, 5);
        assert_eq!(cp.position, Some(txs[4].position.clone()));
        let all = log.read_from(1, 100, usize::MAX).unwrap();
        assert_eq!(
            all.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5]
        );
        assert_eq!(all[3].tx, txs[3]);
        assert_eq!(log.read_from(4, 1, usize::MAX).unwrap()[0].seq, 4);
        assert!(log.read_from(6, 10, usize::MAX).unwrap().is_empty());
    }

    #[test]
    fn a_log_held_by_another_opener_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let _held = open(&dir);
        let err = match EventLog::open(dir.path(), LogOptions::default()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("opened a log that is in use"),
        };
        assert!(err.contains("in use by another sluice process"), "{err}");
    }

    #[test]
    fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let log = open(&dir);
            log.append(&[sample_transaction(1, 2)], true).unwrap();
        }
        let log = open(&dir);
        assert_eq!(log.checkpoint().unwrap().last_seq, 1);
        assert_eq!(*log.subscribe().borrow(), 1);
        assert_eq!(log.get(1).unwrap().tx, sample_transaction(1, 2));
    }

    #[test]
    fn large_transactions_are_fragmented_and_reassembled() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::open(
            dir.path(),
            LogOptions {
                fragment_bytes: 1000,
                ..LogOptions::default()
            },
        )
        .unwrap();
        let big = sample_transaction(1, 2000);
        log.append(&[big.clone(), sample_transaction(2, 1)], true)
            .unwrap();
        let meta = log.meta(1).unwrap().unwrap();
        assert!(meta.fragments > 10, "{meta:?}");
        let recs = log.read_from(1, 10, usize::MAX).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].tx, big);
    }

    #[test]
    fn read_stops_at_the_byte_budget_but_returns_at_least_one() {
        let dir = tempfile::tempdir().unwrap();
        let log = open(&dir);
        let txs: Vec<_> = (1..=10).map(|i| sample_transaction(i, 100)).collect();
        log.append(&txs, true).unwrap();
        assert_eq!(log.read_from(1, 100, 1).unwrap().len(), 1);
        let per = log.meta(1).unwrap().unwrap().bytes as usize;
        assert_eq!(log.read_from(1, 100, per * 3).unwrap().len(), 3);
    }

    #[test]
    fn a_corrupted_fragment_is_an_error_naming_its_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let log = open(&dir);
        log.append(&[sample_transaction(1, 2), sample_transaction(2, 2)], true)
            .unwrap();
        let mut frag = record::encode(&sample_transaction(2, 2), 1 << 20)
            .unwrap()
            .remove(0);
        let n = frag.len();
        frag[n - 1] ^= 0x40;
        log.raw_insert_fragment(2, 0, &frag);
        assert_eq!(log.get(1).unwrap().seq, 1);
        let err = log.read_from(1, 10, usize::MAX).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("record 2") && msg.contains("CRC32C"), "{msg}");
    }

    #[test]
    fn simulated_lost_tail_rewinds_records_and_checkpoint_together() {
        let dir = tempfile::tempdir().unwrap();
        let log = open(&dir);
        let txs: Vec<_> = (1..=6).map(|i| sample_transaction(i, 2)).collect();
        log.append(&txs, true).unwrap();
        log.simulate_lost_tail_after(4).unwrap();
        let cp = log.checkpoint().unwrap();
        assert_eq!(
            (cp.last_seq, cp.position),
            (4, Some(txs[3].position.clone()))
        );
        assert_eq!(log.last_seq().unwrap(), Some(4));
        // Re-capturing the same range reproduces the same sequence numbers.
        assert_eq!(log.append(&txs[4..], true).unwrap(), 5..=6);
        assert_eq!(log.get(6).unwrap().tx, txs[5]);
    }

    #[test]
    fn retention_never_removes_what_a_cursor_still_needs() {
        use crate::log::RetentionPolicy;
        let dir = tempfile::tempdir().unwrap();
        let log = open(&dir);
        let txs: Vec<_> = (1..=10).map(|i| sample_transaction(i, 2)).collect();
        log.append(&txs, true).unwrap();
        let everything = RetentionPolicy {
            max_age: Some(std::time::Duration::from_secs(0)),
            max_bytes: Some(0),
        };
        let far_future = i64::MAX / 2;
        // No cursor known: nothing may go.
        assert_eq!(
            log.apply_retention(&everything, far_future)
                .unwrap()
                .removed_records,
            0
        );
        let cursor = |seq: u64| ApplyCursor {
            seq,
            position: txs[seq as usize - 1].position.clone(),
        };
        log.store_cursor_hint("a", &cursor(7)).unwrap();
        log.store_cursor_hint("b", &cursor(4)).unwrap();
        let out = log.apply_retention(&everything, far_future).unwrap();
        assert_eq!((out.removed_records, out.bounded_by_cursor), (4, Some(4)));
        assert_eq!(log.first_seq().unwrap(), Some(5));
        // Sequence numbers are never reused after removal.
        assert_eq!(
            log.append(&[sample_transaction(11, 1)], true).unwrap(),
            11..=11
        );
    }

    #[test]
    fn retention_keeps_passed_records_inside_the_window() {
        use crate::log::RetentionPolicy;
        let dir = tempfile::tempdir().unwrap();
        let log = open(&dir);
        let txs: Vec<_> = (1..=10).map(|i| sample_transaction(i, 2)).collect();
        log.append(&txs, true).unwrap();
        log.store_cursor_hint(
            "a",
            &ApplyCursor {
                seq: 10,
                position: txs[9].position.clone(),
            },
        )
        .unwrap();
        // Commit times are base + seq µs: an age limit that cuts between 3 and 4.
        let now = txs[0].commit_time_us + 1_000_000;
        let age = std::time::Duration::from_micros((now - txs[3].commit_time_us) as u64);
        let out = log
            .apply_retention(
                &RetentionPolicy {
                    max_age: Some(age),
                    max_bytes: None,
                },
                now,
            )
            .unwrap();
        assert_eq!(out.removed_records, 3);
        // Size: keep at most ~2 records.
        let per = log.meta(5).unwrap().unwrap().bytes;
        let out = log
            .apply_retention(
                &RetentionPolicy {
                    max_age: None,
                    max_bytes: Some(per * 2 + per / 2),
                },
                now,
            )
            .unwrap();
        assert_eq!(out.removed_records, 5);
        assert_eq!(log.first_seq().unwrap(), Some(9));
    }
}
