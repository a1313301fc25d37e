//! Per-table load progress, shared by the copy workers and shown by
//! `sluice status`, the status page and `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::observe::{Observed, TableProgress};

/// The load's progress table; cheap to clone into workers.
#[derive(Clone, Default, Debug)]
pub struct LoadProgress {
    tables: Arc<Mutex<Vec<TableProgress>>>,
    observed: Option<Arc<Observed>>,
    /// Bytes of SQL sent to the target by this run (the load's volume on the wire).
    bytes: Arc<AtomicU64>,
}

impl LoadProgress {
    pub fn new(observed: Option<Arc<Observed>>) -> Self {
        LoadProgress {
            tables: Arc::default(),
            observed,
            bytes: Arc::default(),
        }
    }

    /// Counts `n` bytes sent to the target.
    pub fn sent(&self, n: usize) {
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Megabytes sent so far, for the progress line.
    pub fn mb_sent(&self) -> f64 {
        self.bytes.load(Ordering::Relaxed) as f64 / 1e6
    }

    fn publish(&self, t: &TableProgress) {
        if let Some(o) = &self.observed {
            o.set_table_progress(t.clone());
        }
    }

    /// Registers a table with what earlier runs already finished.
    pub fn add_table(
        &self,
        name: &str,
        rows_total: u64,
        chunks_total: u64,
        rows_done: u64,
        chunks_done: u64,
    ) {
        let t = TableProgress {
            name: name.to_string(),
            rows_done,
            rows_total: rows_total.max(rows_done),
            chunks_done,
            chunks_total,
            state: if chunks_done >= chunks_total {
                "done"
            } else {
                "pending"
            }
            .into(),
        };
        self.publish(&t);
        self.tables
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(t);
    }

    fn update(&self, name: &str, f: impl FnOnce(&mut TableProgress)) {
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = tables.iter_mut().find(|t| t.name == name) {
            f(t);
            self.publish(t);
        }
    }

    /// A chunk of `name` started copying.
    pub fn chunk_started(&self, name: &str) {
        self.update(name, |t| {
            if t.state != "done" {
                t.state = "loading".into();
            }
        });
    }

    /// A chunk of `name` committed with `rows` rows.
    pub fn chunk_done(&self, name: &str, rows: u64) {
        self.update(name, |t| {
            t.rows_done += rows;
            t.rows_total = t.rows_total.max(t.rows_done);
            t.chunks_done += 1;
            if t.chunks_done >= t.chunks_total {
                t.state = "done".into();
                // A chunk found already committed by a killed run counts 0
                // rows here; done means every planned row range is copied.
                t.rows_done = t.rows_done.max(t.rows_total);
            }
        });
    }

    /// A chunk of `name` failed (the load stops; finished chunks are kept).
    pub fn chunk_failed(&self, name: &str) {
        self.update(name, |t| t.state = "failed".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_move_a_table_to_done_and_reach_the_status() {
        let o = Arc::new(Observed::new("m"));
        let p = LoadProgress::new(Some(o.clone()));
        p.add_table("dbo.a", 100, 2, 0, 0);
        p.chunk_started("dbo.a");
        p.chunk_done("dbo.a", 60);
        let t = &o.snapshot().tables[0];
        assert_eq!(
            (t.rows_done, t.chunks_done, t.state.as_str()),
            (60, 1, "loading")
        );
        p.chunk_done("dbo.a", 40);
        let t = &o.snapshot().tables[0];
        assert_eq!((t.rows_done, t.state.as_str()), (100, "done"));
        p.clone().sent(1_500_000);
        assert_eq!(p.mb_sent(), 1.5, "clones count into one total");
    }
}
