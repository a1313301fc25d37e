//! MariaDB from Debian with a ROW binlog: the stand-in for OceanBase's binlog service.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::port::free_port;
use crate::seekdb::wait_mysql_ready;
use crate::supervisor::{make_dir, Supervised};

const SERVER: &str = "mariadb";
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running MariaDB on 127.0.0.1 with `--log-bin --binlog-format=ROW
/// --binlog-row-image=FULL --binlog-row-metadata=FULL`, user `root` with no
/// password over TCP. Dropping it stops the server and removes its directory.
pub struct MariaDb {
    port: u16,
    server_id: u32,
    dir: PathBuf,
    proc: Supervised,
}

fn find_program(name: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    // mariadbd lives in /usr/sbin, which is not on every user's PATH.
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/bin", "/usr/libexec"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| Error::Missing {
            what: format!("{name} (Debian package mariadb-server)"),
            detail: "not on PATH nor in /usr/sbin, /usr/bin".into(),
        })
}

fn running_as_root() -> bool {
    // /proc/self/status `Uid:` line: real, effective, saved, fs.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

impl MariaDb {
    /// Starts a fresh server, panicking with a message naming what is missing.
    pub fn start() -> MariaDb {
        Self::try_start().unwrap_or_else(|e| panic!("cannot start a MariaDB test server: {e}"))
    }

    /// Initializes a new datadir and starts a server on a free port.
    pub fn try_start() -> Result<MariaDb> {
        Self::try_start_with_args(&[])
    }

    /// Like [`MariaDb::start`], with extra `mariadbd` options (e.g. `--ssl-cert=…`).
    pub fn start_with_args(extra: &[&str]) -> MariaDb {
        Self::try_start_with_args(extra)
            .unwrap_or_else(|e| panic!("cannot start a MariaDB test server: {e}"))
    }

    /// Fallible form of [`MariaDb::start_with_args`].
    pub fn try_start_with_args(extra: &[&str]) -> Result<MariaDb> {
        let mariadbd = find_program("mariadbd")?;
        let install_db = find_program("mariadb-install-db")?;
        let root = running_as_root();
        let mut last_err = None;
        for _ in 0..3 {
            let dir = make_dir("mariadb")?;
            let data = dir.join("data");
            // A private tmpdir: bootstraps running at once in the shared /tmp
            // collided on their temporary tables ("Unknown table 'mysql.tmp_user_sys'").
            let tmp = dir.join("tmp");
            std::fs::create_dir_all(&tmp).map_err(|e| Error::setup(SERVER, "create tmpdir", e))?;
            let mut init = Command::new(&install_db);
            init.arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()))
                .arg(format!("--tmpdir={}", tmp.display()))
                .arg("--auth-root-authentication-method=normal")
                .arg("--skip-test-db");
            if root {
                init.arg("--user=root");
            }
            let out = init
                .output()
                .map_err(|e| Error::setup(SERVER, "run mariadb-install-db", e))?;
            if !out.status.success() {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(Error::setup(
                    SERVER,
                    "mariadb-install-db",
                    String::from_utf8_lossy(&out.stderr).trim().to_string(),
                ));
            }
            // install-db makes root@localhost (socket); tests connect over TCP.
            let init_sql = dir.join("init.sql");
            std::fs::write(
                &init_sql,
                "CREATE USER IF NOT EXISTS 'root'@'%';\n\
                 GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;\n",
            )
            .map_err(|e| Error::setup(SERVER, "write init.sql", e))?;
            let port = free_port().map_err(|e| Error::setup(SERVER, "free port", e))?;
            let server_id = next_server_id();
            let mut args = vec![
                "--no-defaults".to_string(),
                format!("--datadir={}", data.display()),
                format!("--tmpdir={}", tmp.display()),
                format!("--port={port}"),
                "--bind-address=127.0.0.1".into(),
                format!("--socket={}", dir.join("mysqld.sock").display()),
                format!("--pid-file={}", dir.join("mysqld.pid").display()),
                format!("--log-error={}", dir.join("error.log").display()),
                format!("--init-file={}", init_sql.display()),
                format!("--log-bin={}", data.join("mysql-bin").display()),
                "--binlog-format=ROW".into(),
                "--binlog-row-image=FULL".into(),
                "--binlog-row-metadata=FULL".into(),
                format!("--server-id={server_id}"),
                "--skip-name-resolve".into(),
                "--max-allowed-packet=256M".into(),
                // Small buffers: several servers share a test machine.
                "--innodb-buffer-pool-size=128M".into(),
                "--innodb-log-file-size=48M".into(),
            ];
            if root {
                args.push("--user=root".into());
            }
            args.extend(extra.iter().map(|a| a.to_string()));
            let mut proc = Supervised::new(&dir, &dir.join("stdout.log"), &mariadbd, &args, &[])?;
            proc.start()?;
            match wait_mysql_ready(&proc, SERVER, port, START_TIMEOUT) {
                Ok(_) => {
                    return Ok(MariaDb {
                        port,
                        server_id,
                        dir,
                        proc,
                    })
                }
                Err(e) => {
                    // The real reasons are in the error log, not on stdout.
                    last_err = Some(match e {
                        Error::StartFailed { reason, .. } => Error::StartFailed {
                            server: SERVER,
                            reason,
                            log: dir.join("error.log"),
                            tail: crate::error::tail(&dir.join("error.log"), 30),
                        },
                        other => other,
                    });
                }
            }
        }
        Err(last_err.expect("at least one attempt"))
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `mysql://root@127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    /// `mysql://root@127.0.0.1:PORT/DB`.
    pub fn url_for(&self, db: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{db}", self.port)
    }

    /// This server's `server_id` (unique among servers this process started);
    /// a binlog client must use a different one.
    pub fn server_id(&self) -> u32 {
        self.server_id
    }

    /// The folder holding the binlog files (`mysql-bin.000001`, …).
    pub fn binlog_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The server's temp dir; removed on drop.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The server's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.proc.pid()
    }

    /// Stops the server (SIGKILL when `hard`, else SIGTERM) keeping its data.
    pub fn stop(&mut self, hard: bool) -> Result<()> {
        self.proc.stop(hard)
    }

    /// Starts it again on the same port and data after [`MariaDb::stop`].
    pub fn restart(&mut self) -> Result<()> {
        self.proc.start()?;
        wait_mysql_ready(&self.proc, SERVER, self.port, START_TIMEOUT)?;
        Ok(())
    }
}

fn next_server_id() -> u32 {
    // Distinct per process and per server, and never 0 (0 disables the binlog role).
    static N: AtomicU32 = AtomicU32::new(0);
    1000 + (std::process::id() % 100_000) * 10 + N.fetch_add(1, Ordering::Relaxed) % 10
}
