//! Shared helpers for the end-to-end tests in `tests/tests/`.

pub mod behaviour;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A small deterministic generator (xorshift64), so a failing workload replays exactly.
pub struct Rng(pub u64);

impl Rng {
    #[allow(clippy::should_implement_trait)] // an infinite generator, not an Iterator
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Where a `binlog_worker` process applies to.
pub enum WorkerSink<'a> {
    /// An ADO.NET string (tables land in its database's `dbo`).
    Mssql(&'a str),
    /// A `mysql://…/db` URL (tables land in `db`).
    OceanBase(&'a str),
}

/// The `binlog_worker` command: `bin` is `env!("CARGO_BIN_EXE_binlog_worker")`
/// of the calling test. With `idle_exit`, the worker stops once caught up
/// and idle for that many seconds.
pub fn binlog_worker(
    bin: &str,
    sink: WorkerSink<'_>,
    binlog_url: &str,
    log: &Path,
    start: (&str, u64),
    idle_exit: Option<u64>,
) -> Command {
    let (kind, target) = match sink {
        WorkerSink::Mssql(t) => ("mssql", t),
        WorkerSink::OceanBase(t) => ("oceanbase", t),
    };
    let mut c = Command::new(bin);
    c.args([
        kind,
        target,
        binlog_url,
        log.to_str().expect("utf-8 path"),
        start.0,
    ]);
    c.arg(start.1.to_string());
    if let Some(i) = idle_exit {
        c.arg(i.to_string());
    }
    c.stdout(Stdio::null());
    c
}

/// Starts the worker `rounds` times and SIGKILLs it after a varying delay
/// each time (unless it already ended); returns how many times it was killed.
pub async fn kill_repeatedly(mut start: impl FnMut() -> Command, rounds: u64) -> u32 {
    let mut kills = 0;
    for round in 0..rounds {
        let mut child = start().spawn().expect("spawn worker");
        tokio::time::sleep(Duration::from_millis(600 + (round * 431) % 900)).await;
        if child.try_wait().expect("poll worker").is_none() {
            child.kill().expect("SIGKILL worker");
            kills += 1;
        }
        child.wait().expect("reap worker");
    }
    kills
}
