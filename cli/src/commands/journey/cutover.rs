//! `sluice cutover`: move the applications from the source to OceanBase
//! with the source kept current by reverse sync.
//!
//! Steps, each recorded in `journey.json` before the next begins (a killed
//! cutover is run again and skips what is done):
//! 1. preflight: forward lag under `cutover.max_lag_seconds`, a clean verify
//!    younger than `cutover.verify_max_age_minutes`;
//! 2. take over from the running `sync` (SIGTERM, it finishes its batch);
//! 3. wait until the source has had no writes for `cutover.quiet_seconds`
//!    (or the operator says `--writes-stopped`), then drain forward sync to
//!    the source's end position;
//! 4. verify the tables changed since the last verify (all, without one);
//! 5. record OceanBase's binlog position: reverse sync starts exactly there,
//!    and the position never moves once recorded;
//! 6. GO: the phase becomes `reverse`; `sluice sync` now runs reverse sync.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::lock::{self, RunLock};
use super::run::{self, Direction, Endpoints, Until};
use super::state::{load_verify, now_unix, JourneyState, Phase};
use super::ConfigArg;
use crate::commands::CmdResult;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(clap::Args, Debug)]
pub struct CutoverArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// The applications are stopped: drain now instead of waiting for
    /// `cutover.quiet_seconds` without writes.
    #[arg(long)]
    pub writes_stopped: bool,
    /// Go on without a recent clean `sluice verify` (the final verify still runs).
    #[arg(long)]
    pub skip_verify_check: bool,
    /// After GO, keep running reverse sync in this process (until Ctrl-C);
    /// otherwise start it with `sluice sync`.
    #[arg(long)]
    pub follow: bool,
}

pub fn run(a: CutoverArgs) -> CmdResult {
    let cfg = a.config.load()?;
    super::runtime()?.block_on(async move {
        let eps = Endpoints::new(&cfg);
        cutover(&eps, &a).await
    })
}

fn done(j: &JourneyState, step: &str) -> bool {
    j.cutover_done.iter().any(|s| s == step)
}

fn mark(
    j: &mut JourneyState,
    eps: &Endpoints<'_>,
    step: &str,
    detail: String,
) -> Result<(), BoxError> {
    j.cutover_done.push(step.to_string());
    j.record(&eps.state_dir, &format!("cutover:{step}"), detail)
}

async fn cutover(eps: &Endpoints<'_>, a: &CutoverArgs) -> CmdResult {
    let started = Instant::now();
    let dir = eps.state_dir.clone();
    let cfg = eps.cfg;
    let mut j = JourneyState::load(&dir)?;
    match j.phase {
        Phase::Syncing | Phase::Cutover => {}
        Phase::Reverse => {
            println!("cutover already done: reverse sync is the active direction (`sluice sync`)");
            return Ok(ExitCode::SUCCESS);
        }
        other => {
            return Err(format!(
                "cutover needs forward sync running; the migration is in phase {other}"
            )
            .into())
        }
    }
    if j.phase == Phase::Syncing {
        j.cutover_done.clear();
    }

    // 1. Preflight (before anything is stopped: a NO-GO here changes nothing).
    if !done(&j, "preflight") {
        let mut problems = Vec::new();
        if let Some(lag) = current_lag(eps, &j)? {
            if lag > cfg.cutover.max_lag_seconds {
                problems.push(format!(
                    "forward lag is {lag:.1} s (cutover.max_lag_seconds = {}): let sync catch up",
                    cfg.cutover.max_lag_seconds
                ));
            }
        }
        if !a.skip_verify_check {
            match load_verify(&dir) {
                None => problems.push("no verify has run: run `sluice verify --config …` first (or --skip-verify-check)".into()),
                Some(v) if !v.clean => problems.push(format!("the last verify found {} differences: repair them and verify again", v.differences)),
                Some(v) if now_unix() - v.at_unix > cfg.cutover.verify_max_age_minutes as i64 * 60 => problems.push(format!(
                    "the last clean verify is {} min old (cutover.verify_max_age_minutes = {}): verify again",
                    (now_unix() - v.at_unix) / 60,
                    cfg.cutover.verify_max_age_minutes
                )),
                Some(_) => {}
            }
        }
        // Reverse sync is the safety net: without a readable binlog position
        // on OceanBase there is no instant rollback, so do not start.
        if j.reverse_start.is_none() {
            if let Err(e) = eps.target_binlog_end().await {
                problems.push(e.to_string());
            }
        }
        if !problems.is_empty() {
            println!("NO-GO (preflight):");
            for p in &problems {
                println!("  - {p}");
            }
            return Ok(ExitCode::from(1));
        }
        j.phase = Phase::Cutover;
        mark(
            &mut j,
            eps,
            "preflight",
            "lag and last verify within limits".into(),
        )?;
    }

    // 2. Take over from `sync`, then hold the folder.
    if let Some(cmd) = lock::stop_running(&dir, Duration::from_secs(60)).await? {
        j.record(&dir, "cutover:took-over", format!("stopped `sluice {cmd}`"))?;
    }
    let _lock = RunLock::acquire(&dir, "cutover")?;
    let (_tx, stop) = run::stop_on_signals();
    let observed = super::observe(cfg, stop.clone()).await?;

    // 3. Quiet, then drain.
    let mut writes_stopped_at = None;
    if !done(&j, "drain") {
        let quiet = (!a.writes_stopped).then(|| Duration::from_secs(cfg.cutover.quiet_seconds));
        observed.set_phase("cutover:drain");
        let out = run::run(
            eps,
            &j,
            Direction::Forward,
            Until::Drained {
                quiet,
                timeout: Duration::from_secs(cfg.cutover.drain_timeout_seconds),
            },
            stop.clone(),
            observed.clone(),
        )
        .await?;
        let Some(pos) = out.drained_to else {
            println!("cutover interrupted before the drain finished; run it again to continue");
            return Ok(ExitCode::from(1));
        };
        writes_stopped_at = Some(Instant::now());
        mark(
            &mut j,
            eps,
            "drain",
            format!("forward drained to {pos}, log seq {}", out.status.last_seq),
        )?;
    }

    // 4. Final verify of what changed since the last verify.
    if !done(&j, "final-verify") {
        observed.set_phase("cutover:verify");
        let tables = changed_tables(eps, &j)?;
        let report =
            crate::commands::verify::verify_for_journey(cfg, tables.clone(), "verify-cutover")
                .await?;
        if !report.is_clean() {
            j.phase = Phase::Syncing;
            j.cutover_done.clear();
            j.record(&dir, "cutover:no-go", report.summary_line())?;
            println!(
                "NO-GO: the final verify found differences ({}).",
                report.summary_line()
            );
            println!(
                "  report and repair SQL: {}",
                dir.join("verify-cutover").display()
            );
            println!("  forward sync can continue (`sluice sync`); the applications may resume on the source.");
            return Ok(ExitCode::from(1));
        }
        let scope = match &tables {
            Some(t) => format!("{} changed tables", t.len()),
            None => "all tables".into(),
        };
        mark(
            &mut j,
            eps,
            "final-verify",
            format!("clean: {scope}; {}", report.summary_line()),
        )?;
    }

    // 5. The reverse start: recorded once, never moved.
    if j.reverse_start.is_none() {
        let pos = eps.target_binlog_end().await?;
        j.reverse_start = Some(sluice_engine::position::SourcePosition::Binlog(pos.clone()));
        mark(
            &mut j,
            eps,
            "reverse-start",
            format!("OceanBase binlog {}:{}", pos.file, pos.offset),
        )?;
    }

    // 6. GO.
    j.phase = Phase::Reverse;
    j.record(
        &dir,
        "cutover:go",
        "applications may write to OceanBase; reverse sync keeps the source current",
    )?;
    let took = started.elapsed().as_secs_f64();
    println!("GO: cutover complete in {took:.1} s");
    if let Some(t) = writes_stopped_at {
        println!("    from drained to GO: {:.1} s", t.elapsed().as_secs_f64());
    }
    if let Some(p) = &j.reverse_start {
        println!("    reverse sync starts at OceanBase binlog {p}");
    }
    if a.follow {
        drop(_lock);
        let _lock = RunLock::acquire(&dir, "sync")?;
        println!("    reverse sync running; Ctrl-C stops it (resume with `sluice sync`)");
        run::run(eps, &j, Direction::Reverse, Until::Stopped, stop, observed).await?;
    } else {
        println!(
            "    start reverse sync now: sluice sync --config {}",
            cfg.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Forward lag in seconds: from the running sync's status, or from the log.
fn current_lag(eps: &Endpoints<'_>, j: &JourneyState) -> Result<Option<f64>, BoxError> {
    if lock::running(&eps.state_dir).is_some() {
        let text = std::fs::read_to_string(eps.state_dir.join("status.json"))?;
        let r: crate::observe::StatusReport = serde_json::from_str(&text)?;
        return Ok(Some(r.lag_seconds));
    }
    let dir = j.forward_log_dir(&eps.state_dir);
    if !dir.exists() {
        return Ok(None);
    }
    let log = sluice_engine::log::EventLog::open(&dir, Default::default())?;
    let name = j.forward_name(&eps.cfg.migration.name);
    let hint = log
        .cursor_hints()?
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c.seq);
    let now = now_unix() * 1_000_000;
    Ok(Some(
        sluice_engine::pipeline::PipelineStatus::compute(&log, hint, now)?.lag_seconds,
    ))
}

/// `schema.table` of every table the forward log changed after the last
/// verify; `None` (verify everything) when there is no usable fence.
fn changed_tables(eps: &Endpoints<'_>, j: &JourneyState) -> Result<Option<Vec<String>>, BoxError> {
    let Some(fence) = load_verify(&eps.state_dir).and_then(|v| v.forward_seq) else {
        return Ok(None);
    };
    let log =
        sluice_engine::log::EventLog::open(j.forward_log_dir(&eps.state_dir), Default::default())?;
    if log.first_seq()?.is_some_and(|f| f > fence + 1) {
        return Ok(None); // retention removed records since the fence
    }
    let mut tables = BTreeSet::new();
    let mut next = fence + 1;
    loop {
        let batch = log.read_from(next, 500, 16 << 20)?;
        let Some(last) = batch.last().map(|r| r.seq) else {
            break;
        };
        for r in &batch {
            for c in &r.tx.changes {
                if let sluice_engine::event::Change::Row(ev) = c {
                    tables.insert(format!("{}.{}", ev.table.schema, ev.table.name));
                }
            }
        }
        next = last + 1;
    }
    Ok(Some(tables.into_iter().collect()))
}
