//! seekdb: the OceanBase 4.3.5 kernel (MySQL mode) in one binary, from PyPI `pylibseekdb`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use mysql_async::prelude::Queryable;

use crate::error::{Error, Result};
use crate::handshake::{greet, Greeting};
use crate::port::free_port;
use crate::supervisor::{make_dir, Supervised};

const SERVER: &str = "seekdb";
// Measured ~1-3 s on an idle 2-core machine; parallel compiles can slow it a lot.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running seekdb server on 127.0.0.1, user `root`, no password.
///
/// Dropping it stops the server and removes its directory.
pub struct SeekDb {
    port: u16,
    dir: PathBuf,
    proc: Supervised,
    started_in: Duration,
}

/// A database created for one test on a (usually shared) seekdb.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    /// The database name (unique within the server).
    pub name: String,
    /// `mysql://root@127.0.0.1:PORT/NAME`, for `mysql_async::Opts::from_url`.
    pub url: String,
    /// The server's port.
    pub port: u16,
}

/// The folder holding the `seekdb` binary, found once per process.
///
/// `SLUICE_SEEKDB_DIR` overrides the lookup through `python3`.
pub fn seekdb_package_dir() -> Result<PathBuf> {
    static DIR: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(find_package_dir)
        .clone()
        .map_err(|detail| Error::Missing {
            what: "seekdb (PyPI package pylibseekdb)".into(),
            detail,
        })
}

fn find_package_dir() -> std::result::Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("SLUICE_SEEKDB_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.join("seekdb").is_file() {
            Ok(dir)
        } else {
            Err(format!(
                "SLUICE_SEEKDB_DIR={} has no seekdb binary",
                dir.display()
            ))
        };
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import pylibseekdb,os;print(os.path.dirname(pylibseekdb.__file__))",
        ])
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("").trim().to_string();
        return Err(format!("`python3 -c 'import pylibseekdb'` failed: {last}"));
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !dir.join("seekdb").is_file() {
        return Err(format!("{} has no seekdb binary", dir.display()));
    }
    Ok(dir)
}

impl SeekDb {
    /// Starts a fresh server, panicking with a message naming what is missing.
    pub fn start() -> SeekDb {
        Self::try_start().unwrap_or_else(|e| panic!("cannot start a seekdb test server: {e}"))
    }

    /// Starts a fresh server on a free port in a new temp dir.
    pub fn try_start() -> Result<SeekDb> {
        let pkg = seekdb_package_dir()?;
        let libs = pkg
            .parent()
            .map(|p| p.join("pylibseekdb.libs"))
            .unwrap_or_default();
        let ld_path = match std::env::var("LD_LIBRARY_PATH") {
            Ok(old) if !old.is_empty() => format!("{}:{}:{old}", pkg.display(), libs.display()),
            _ => format!("{}:{}", pkg.display(), libs.display()),
        };
        // A port can be taken by another process between our probe and the
        // server's bind; a fresh port on a second try settles that race.
        let mut last_err = None;
        for _ in 0..3 {
            let port = free_port().map_err(|e| Error::setup(SERVER, "free port", e))?;
            let dir = make_dir("seekdb")?;
            let log = dir.join("stdout.log");
            let args = vec![
                "--nodaemon".to_string(),
                "--port".into(),
                port.to_string(),
                "--base-dir".into(),
                dir.display().to_string(),
            ];
            let mut proc = Supervised::new(
                &dir,
                &log,
                &pkg.join("seekdb"),
                &args,
                &[("LD_LIBRARY_PATH", ld_path.clone())],
            )?;
            proc.start()?;
            match wait_mysql_ready(&proc, SERVER, port, START_TIMEOUT) {
                Ok(started_in) => {
                    return Ok(SeekDb {
                        port,
                        dir,
                        proc,
                        started_in,
                    })
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.expect("at least one attempt"))
    }

    /// One server for the whole test binary, started on first use.
    ///
    /// It is never dropped; its supervisor stops it and removes its directory
    /// when the test process exits. Use [`SeekDb::fresh_database`] per test.
    pub fn shared() -> &'static SeekDb {
        static SHARED: OnceLock<std::result::Result<SeekDb, String>> = OnceLock::new();
        match SHARED.get_or_init(|| SeekDb::try_start().map_err(|e| e.to_string())) {
            Ok(db) => db,
            Err(e) => panic!("cannot start the shared seekdb test server: {e}"),
        }
    }

    /// Creates a new, empty database with a unique name.
    pub async fn fresh_database(&self) -> TestDatabase {
        self.try_fresh_database()
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database on seekdb: {e}"))
    }

    /// Fallible form of [`SeekDb::fresh_database`].
    pub async fn try_fresh_database(&self) -> Result<TestDatabase> {
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = mysql_async::Conn::from_url(self.url())
            .await
            .map_err(|e| Error::setup(SERVER, "connect", e))?;
        conn.query_drop(format!("CREATE DATABASE `{name}`"))
            .await
            .map_err(|e| Error::setup(SERVER, "CREATE DATABASE", e))?;
        let _ = conn.disconnect().await;
        Ok(TestDatabase {
            url: self.url_for(&name),
            name,
            port: self.port,
        })
    }

    /// The MySQL-protocol port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `mysql://root@127.0.0.1:PORT` (no database).
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    /// `mysql://root@127.0.0.1:PORT/DB`.
    pub fn url_for(&self, db: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{db}", self.port)
    }

    /// The server's base dir (data, logs); removed on drop.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How long the server took from spawn to accepting logins.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// The server's process id while it runs (for RSS measurements, kill tests).
    pub fn pid(&self) -> Option<u32> {
        self.proc.pid()
    }

    /// Stops the server (SIGKILL when `hard`, else SIGTERM) keeping its data,
    /// so a test can take the target away and [`SeekDb::restart`] it.
    pub fn stop(&mut self, hard: bool) -> Result<()> {
        self.proc.stop(hard)
    }

    /// Starts the server again on the same port and data after [`SeekDb::stop`].
    pub fn restart(&mut self) -> Result<()> {
        self.proc.start()?;
        self.started_in = wait_mysql_ready(&self.proc, SERVER, self.port, START_TIMEOUT)?;
        Ok(())
    }
}

/// Waits until the server on `port` sends a protocol-10 handshake.
pub(crate) fn wait_mysql_ready(
    proc: &Supervised,
    server: &'static str,
    port: u16,
    timeout: Duration,
) -> Result<Duration> {
    proc.wait_ready(server, timeout, || {
        match greet(port, Duration::from_secs(5)) {
            Ok(Greeting::Ready(_)) => Ok(true),
            Ok(Greeting::Refused(msg)) => Err(msg),
            Err(e) => Err(e.to_string()),
        }
    })
}
