//! One sluice process per migration at a time, and a way for `cutover` and
//! `rollback` to stop the one that is running (`sync`) before taking over.
//!
//! The pid file is advisory: the sled logs hold their own exclusive locks, so
//! two writers can never share a log; this file only lets the second process
//! say who is in the way and ask it to stop cleanly (SIGTERM: finish the
//! batch, persist, exit).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Held while a command runs; removes the pid file on drop.
pub struct RunLock {
    path: PathBuf,
}

fn pid_path(state_dir: &Path) -> PathBuf {
    state_dir.join("sluice.pid")
}

/// `(pid, command)` of the sluice process running on this state folder, if alive.
pub fn running(state_dir: &Path) -> Option<(u32, String)> {
    let text = std::fs::read_to_string(pid_path(state_dir)).ok()?;
    let (pid, cmd) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    let pid: u32 = pid.parse().ok()?;
    if pid == std::process::id() || !alive(pid) {
        return None;
    }
    Some((pid, cmd.to_string()))
}

fn alive(pid: u32) -> bool {
    // A pid reused by another program is not ours: check its command line.
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => {
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // A zombie has exited; it only waits for its parent to reap it.
            let zombie = state
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
            !zombie && String::from_utf8_lossy(&cmdline).contains("sluice")
        }
        Err(_) => false,
    }
}

impl RunLock {
    /// Takes the folder for `command`, or says which process holds it.
    pub fn acquire(state_dir: &Path, command: &str) -> Result<Self, BoxError> {
        std::fs::create_dir_all(state_dir)
            .map_err(|e| format!("cannot create state folder {}: {e}", state_dir.display()))?;
        if let Some((pid, cmd)) = running(state_dir) {
            return Err(format!(
                "another sluice ({cmd}, pid {pid}) is running on {}; stop it first \
                 (Ctrl-C or `kill {pid}`; it finishes its batch and exits)",
                state_dir.display()
            )
            .into());
        }
        let path = pid_path(state_dir);
        std::fs::write(&path, format!("{} {command}\n", std::process::id()))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(RunLock { path })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Asks the running sluice (if any) to stop and waits until it has exited.
/// Returns the command it was running.
pub async fn stop_running(state_dir: &Path, wait: Duration) -> Result<Option<String>, BoxError> {
    let Some((pid, cmd)) = running(state_dir) else {
        return Ok(None);
    };
    eprintln!("stopping the running `sluice {cmd}` (pid {pid}) so this command can take over");
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .map_err(|e| format!("cannot signal pid {pid}: {e}"))?;
    if !status.success() && alive(pid) {
        return Err(format!("cannot signal pid {pid} (is it another user's process?)").into());
    }
    let start = Instant::now();
    while alive(pid) {
        if start.elapsed() > wait {
            return Err(format!(
                "`sluice {cmd}` (pid {pid}) did not stop within {} s; stop it and run this again",
                wait.as_secs()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Some(cmd))
}
