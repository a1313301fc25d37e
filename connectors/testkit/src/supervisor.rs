//! Runs a server process under a tiny supervisor shell that owns its cleanup.
//!
//! Rust cannot run destructors when a test process is killed or aborts, so a
//! `Drop` impl alone would leak servers and temp dirs. The supervisor reads
//! commands from a pipe whose other end only this process holds; when that
//! end closes — on drop, on panic, or because the process died — it stops the
//! server and removes the directory.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

const SCRIPT: &str = r#"
dir=$1; log=$2; shift 2
# Outlive Ctrl-C and a TERM to the whole process group: cleanup happens when
# the test process is gone (EOF on stdin), whatever killed it.
trap '' INT HUP TERM
pid=
stop() {
  if [ -n "$pid" ]; then
    kill -s "$1" "$pid" 2>/dev/null
    ( sleep 30; kill -s KILL "$pid" 2>/dev/null ) >/dev/null 2>&1 &
    guard=$!
    wait "$pid" 2>/dev/null
    kill "$guard" 2>/dev/null
    pid=
  fi
}
while IFS= read -r cmd; do
  case $cmd in
    start) (trap - HUP TERM; exec "$@") >>"$log" 2>&1 </dev/null & pid=$!; echo "started $pid" ;;
    term) stop TERM; echo stopped ;;
    kill) stop KILL; echo stopped ;;
  esac
done
stop TERM
rm -rf "$dir"
"#;

static DIR_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates an empty directory for one server under the system temp dir.
pub(crate) fn make_dir(kind: &str) -> Result<PathBuf> {
    let n = DIR_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // Short on purpose: servers put unix sockets in here (108-byte path limit).
    let dir = std::env::temp_dir().join(format!(
        "sluice-{kind}-{}-{n}-{nanos:x}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::setup("testkit", dir.display().to_string(), e))?;
    Ok(dir)
}

/// One supervised server process (which may be stopped and started again).
pub(crate) struct Supervised {
    shell: Child,
    commands: Option<ChildStdin>,
    replies: BufReader<ChildStdout>,
    pid: Option<u32>,
    dir: PathBuf,
    log: PathBuf,
}

impl Supervised {
    /// Prepares a supervisor for `program args…`; output goes to `log`, and
    /// `dir` is removed when the supervisor ends. Does not start the server.
    pub(crate) fn new(
        dir: &Path,
        log: &Path,
        program: &Path,
        args: &[String],
        env: &[(&str, String)],
    ) -> Result<Self> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(SCRIPT)
            .arg("sluice-testkit-supervisor")
            .arg(dir)
            .arg(log)
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut shell = cmd.spawn().map_err(|e| Error::Missing {
            what: "sh".into(),
            detail: e.to_string(),
        })?;
        let commands = shell.stdin.take();
        let replies = BufReader::new(shell.stdout.take().expect("piped stdout"));
        Ok(Supervised {
            shell,
            commands,
            replies,
            pid: None,
            dir: dir.to_path_buf(),
            log: log.to_path_buf(),
        })
    }

    fn command(&mut self, cmd: &str) -> Result<String> {
        let err =
            |e: &dyn std::fmt::Display| Error::setup("testkit", format!("supervisor `{cmd}`"), e);
        let w = self.commands.as_mut().ok_or_else(|| err(&"closed"))?;
        w.write_all(cmd.as_bytes())
            .and_then(|_| w.write_all(b"\n"))
            .and_then(|_| w.flush())
            .map_err(|e| err(&e))?;
        let mut line = String::new();
        self.replies.read_line(&mut line).map_err(|e| err(&e))?;
        if line.is_empty() {
            return Err(err(&"supervisor exited"));
        }
        Ok(line.trim().to_string())
    }

    /// Starts the server; returns its pid.
    pub(crate) fn start(&mut self) -> Result<u32> {
        let reply = self.command("start")?;
        let pid = reply
            .strip_prefix("started ")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| {
                Error::setup("testkit", "supervisor start", format!("reply {reply:?}"))
            })?;
        self.pid = Some(pid);
        Ok(pid)
    }

    /// Stops the server (SIGTERM, or SIGKILL when `hard`) and waits for it to exit.
    pub(crate) fn stop(&mut self, hard: bool) -> Result<()> {
        self.command(if hard { "kill" } else { "term" })?;
        self.pid = None;
        Ok(())
    }

    /// Whether the server process is running (not exited, not a zombie).
    pub(crate) fn is_running(&self) -> bool {
        let Some(pid) = self.pid else { return false };
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // The state letter follows the parenthesised command name.
            Ok(stat) => stat
                .rsplit_once(") ")
                .is_some_and(|(_, rest)| !rest.starts_with('Z')),
            Err(_) => false,
        }
    }

    pub(crate) fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Polls `ready` every 50 ms until it returns `Ok(true)`, the server exits, or `timeout` passes.
    pub(crate) fn wait_ready(
        &self,
        server: &'static str,
        timeout: Duration,
        mut ready: impl FnMut() -> std::result::Result<bool, String>,
    ) -> Result<Duration> {
        let t0 = Instant::now();
        let mut last = String::from("no answer yet");
        loop {
            match ready() {
                Ok(true) => return Ok(t0.elapsed()),
                Ok(false) => {}
                Err(e) => last = e,
            }
            if !self.is_running() {
                return Err(self.failed(server, format!("the process exited (last probe: {last})")));
            }
            if t0.elapsed() > timeout {
                return Err(self.failed(
                    server,
                    format!("not ready after {timeout:?} (last probe: {last})"),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn failed(&self, server: &'static str, reason: String) -> Error {
        Error::StartFailed {
            server,
            reason,
            log: self.log.clone(),
            tail: crate::error::tail(&self.log, 30),
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        // Closing the pipe is the shutdown command; then wait so the server and
        // its directory are really gone when the handle's owner moves on.
        drop(self.commands.take());
        let _ = self.shell.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
