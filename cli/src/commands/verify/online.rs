//! Online verify: comparing while `sluice sync` applies changes.
//!
//! A fence is the source's end of change stream at one moment. Once the
//! running sync has captured past it *and* applied every log record that
//! existed when capture passed it, everything the source committed before
//! the fence is on the target. Rows compared after that can only differ
//! because of changes committed after the fence (in flight) or because they
//! really differ; a second fence and a re-read of just the differing keys
//! tells the two apart.
//!
//! The running sync is observed through `<state>/status.json`, which it
//! rewrites every second: `capture_position` (the log checkpoint's source
//! position, as text), `log_last_seq` (read in the same snapshot of the log
//! checkpoint, so every record up to the position has a sequence at most
//! this) and `apply_cursor_seq`.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use sluice_engine::position::{BinlogPosition, MssqlPosition, SourcePosition};

use crate::commands::journey::lock;
use crate::commands::journey::run::{Direction, Endpoints};
use crate::config::MigrationConfig;
use crate::observe::StatusReport;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Parses a position as `SourcePosition`'s `Display` writes it:
/// `file:offset[ gtid …]`, `lsn 0x… seq 0x… op N`, or `#N`.
pub fn parse_position(s: &str) -> Option<SourcePosition> {
    let s = s.trim();
    if let Some(n) = s.strip_prefix('#') {
        return n.parse().ok().map(SourcePosition::Counter);
    }
    if let Some(rest) = s.strip_prefix("lsn ") {
        let mut it = rest.split_whitespace();
        let lsn = hex10(it.next()?)?;
        (it.next()? == "seq").then_some(())?;
        let seq = hex10(it.next()?)?;
        (it.next()? == "op").then_some(())?;
        let op: u8 = it.next()?.parse().ok()?;
        return Some(SourcePosition::Mssql(MssqlPosition {
            commit_lsn: lsn,
            seqval: seq,
            operation: op,
        }));
    }
    let (head, gtid) = match s.split_once(" gtid ") {
        Some((h, g)) => (h, Some(g.to_string())),
        None => (s, None),
    };
    let (file, offset) = head.rsplit_once(':')?;
    Some(SourcePosition::Binlog(BinlogPosition {
        file: file.to_string(),
        offset: offset.parse().ok()?,
        gtid_set: gtid,
    }))
}

fn hex10(s: &str) -> Option<[u8; 10]> {
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    if h.len() != 20 {
        return None;
    }
    let mut out = [0u8; 10];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&h[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

/// The running sync's last status and when it was written.
pub fn read_status(state_dir: &Path) -> Option<(StatusReport, SystemTime)> {
    let p = state_dir.join("status.json");
    let written = std::fs::metadata(&p).ok()?.modified().ok()?;
    let text = std::fs::read_to_string(&p).ok()?;
    Some((serde_json::from_str(&text).ok()?, written))
}

/// The forward sync's lag in seconds when a `sluice sync` runs on the
/// state folder and its status is fresh; `None` otherwise.
pub fn sync_lag_seconds(state_dir: &Path) -> Option<f64> {
    lock::running(state_dir)?;
    let (st, written) = read_status(state_dir)?;
    let age = SystemTime::now()
        .duration_since(written)
        .unwrap_or_default();
    (age < Duration::from_secs(10) && st.direction == "forward").then_some(st.lag_seconds)
}

/// A fence the running sync has passed.
#[derive(Debug, Clone)]
pub struct Fence {
    pub position: SourcePosition,
    /// Every change committed before `position` is in log records up to this.
    pub log_seq: u64,
    pub waited: Duration,
}

/// Takes a fence (the source's current end) and waits until the running
/// forward sync has captured past it and applied everything logged up to it.
pub async fn fence(cfg: &MigrationConfig, timeout: Duration) -> Result<Fence, BoxError> {
    let dir = cfg.state_dir();
    let not_running = || -> BoxError {
        format!(
            "online verify follows the running `sluice sync`, and none runs on {} \
             (start `sluice sync -c …`, or verify without --online while writes are stopped)",
            dir.display()
        )
        .into()
    };
    match lock::running(&dir) {
        Some((_, cmd)) if cmd == "sync" => {}
        Some((pid, cmd)) => {
            return Err(format!(
                "online verify follows `sluice sync`, but `sluice {cmd}` (pid {pid}) runs on {}",
                dir.display()
            )
            .into())
        }
        None => return Err(not_running()),
    }
    let started = Instant::now();
    let taken_at = SystemTime::now();
    let position = Endpoints::new(cfg).end_of(Direction::Forward).await?;
    let mut need_seq: Option<u64> = None;
    let mut last = String::new();
    loop {
        if lock::running(&dir).is_none() {
            return Err(not_running());
        }
        if let Some((st, written)) = read_status(&dir) {
            // Only a status written after the fence was taken says anything about it.
            if written > taken_at && st.direction == "forward" {
                let captured = st.capture_position.as_deref().and_then(parse_position);
                if need_seq.is_none()
                    && captured
                        .as_ref()
                        .and_then(|c| c.partial_cmp(&position))
                        .is_some_and(|o| o.is_ge())
                {
                    need_seq = Some(st.log_last_seq);
                }
                if let Some(n) = need_seq {
                    if st.apply_cursor_seq.unwrap_or(0) >= n {
                        return Ok(Fence {
                            position,
                            log_seq: n,
                            waited: started.elapsed(),
                        });
                    }
                }
                last = format!(
                    "capture at {}, applied {:?} of {}",
                    st.capture_position.as_deref().unwrap_or("nothing"),
                    st.apply_cursor_seq,
                    st.log_last_seq
                );
            }
        }
        if started.elapsed() > timeout {
            return Err(format!(
                "the running sync did not reach the fence {position} within {} s ({}); \
                 is it lagging? (`sluice status`)",
                timeout.as_secs(),
                if last.is_empty() {
                    "no fresh status.json"
                } else {
                    &last
                }
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_through_their_text() {
        for p in [
            SourcePosition::Binlog(BinlogPosition {
                file: "mysql-bin.000012".into(),
                offset: 4711,
                gtid_set: None,
            }),
            SourcePosition::Binlog(BinlogPosition {
                file: "a:b.000001".into(),
                offset: 4,
                gtid_set: Some("0-1-42".into()),
            }),
            SourcePosition::Mssql(MssqlPosition {
                commit_lsn: [0, 0, 0, 0x27, 0, 0, 0x0a, 0x88, 0, 3],
                seqval: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                operation: 4,
            }),
            SourcePosition::Counter(99),
        ] {
            assert_eq!(parse_position(&p.to_string()), Some(p.clone()), "{p}");
        }
        assert_eq!(parse_position("garbage"), None);
    }
}
