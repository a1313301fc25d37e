//! Group commit: many concurrent appenders, one sled batch and one flush.
//!
//! A flush costs the same for one transaction as for a thousand, so appenders
//! hand their transactions to one committer thread that takes everything
//! queued, appends it as a single batch, flushes once, and answers each
//! appender with its sequence numbers.

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam::channel::{self, Receiver, Sender};

use super::store::EventLog;
use crate::error::{Error, Result};
use crate::event::Transaction;

type Reply = Sender<std::result::Result<RangeInclusive<u64>, String>>;

struct Request {
    txs: Vec<Transaction>,
    reply: Reply,
}

/// A handle that appends durably through a shared committer thread.
#[derive(Clone)]
pub struct GroupCommitter {
    tx: Sender<Request>,
    _thread: Arc<CommitterThread>,
}

struct CommitterThread {
    handle: Option<JoinHandle<()>>,
    /// Keeps the channel open until the last handle is gone.
    sender: Option<Sender<Request>>,
}

impl Drop for CommitterThread {
    fn drop(&mut self) {
        // Closing the last sender ends the loop; wait so nothing queued is abandoned.
        drop(self.sender.take());
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl GroupCommitter {
    /// Starts the committer for `log`. `max_group` bounds transactions per flush.
    pub fn start(log: Arc<EventLog>, max_group: usize) -> Self {
        let (tx, rx) = channel::bounded::<Request>(max_group.max(1) * 2);
        let handle = std::thread::Builder::new()
            .name("sluice-log-commit".into())
            .spawn(move || commit_loop(log, rx, max_group.max(1)))
            .expect("spawn log committer");
        GroupCommitter {
            tx: tx.clone(),
            _thread: Arc::new(CommitterThread {
                handle: Some(handle),
                sender: Some(tx),
            }),
        }
    }

    /// Appends `txs` durably; returns once they are flushed.
    pub fn append(&self, txs: Vec<Transaction>) -> Result<RangeInclusive<u64>> {
        let (reply, answer) = channel::bounded(1);
        self.tx
            .send(Request { txs, reply })
            .map_err(|_| Error::Invalid("log committer has stopped".into()))?;
        answer
            .recv()
            .map_err(|_| Error::Invalid("log committer has stopped".into()))?
            .map_err(Error::Invalid)
    }
}

fn commit_loop(log: Arc<EventLog>, rx: Receiver<Request>, max_group: usize) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        let mut n = group[0].txs.len();
        while n < max_group {
            match rx.try_recv() {
                Ok(r) => {
                    n += r.txs.len();
                    group.push(r);
                }
                Err(_) => break,
            }
        }
        let sizes: Vec<usize> = group.iter().map(|r| r.txs.len()).collect();
        let all: Vec<Transaction> = group.iter_mut().flat_map(|r| r.txs.drain(..)).collect();
        match log.append(&all, true) {
            Ok(range) => {
                let mut next = *range.start();
                for (req, len) in group.iter().zip(sizes) {
                    // An empty request gets an empty range (start > end).
                    let r = next..=(next + len as u64).wrapping_sub(1);
                    next += len as u64;
                    let _ = req.reply.send(Ok(r));
                }
            }
            Err(e) => {
                for req in &group {
                    let _ = req.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogOptions;
    use crate::testing::sample_transaction;

    #[test]
    fn concurrent_appenders_get_disjoint_dense_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
        let committer = GroupCommitter::start(log.clone(), 64);
        let mut ranges: Vec<RangeInclusive<u64>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4u64)
                .map(|t| {
                    let c = committer.clone();
                    s.spawn(move || {
                        (0..25u64)
                            .map(|i| {
                                c.append(vec![sample_transaction(t * 100 + i, 1); 3])
                                    .unwrap()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        drop(committer); // joins the committer thread
        ranges.sort_by_key(|r| *r.start());
        let mut next = 1;
        for r in &ranges {
            assert_eq!((*r.start(), *r.end()), (next, next + 2), "{ranges:?}");
            next += 3;
        }
        assert_eq!(log.checkpoint().unwrap().last_seq, 300);
        assert_eq!(log.read_from(1, 1000, usize::MAX).unwrap().len(), 300);
    }
}
