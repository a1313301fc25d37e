//! `sluice rollback`: the mirror of cutover. Reverse sync is drained to
//! zero so the source holds every write made on OceanBase; then the
//! applications can go back. `--resume-forward` makes OceanBase a follower
//! again, capturing the source from its current position.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::lock::{self, RunLock};
use super::run::{self, Direction, Endpoints, Until};
use super::state::{JourneyState, Phase};
use super::ConfigArg;
use crate::commands::CmdResult;

#[derive(clap::Args, Debug)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// The applications have stopped writing to OceanBase: drain now instead
    /// of waiting for `cutover.quiet_seconds` without writes.
    #[arg(long)]
    pub writes_stopped: bool,
    /// Afterwards, sync forward again from the source's current position
    /// (a new forward log; run `sluice sync`).
    #[arg(long)]
    pub resume_forward: bool,
}

pub fn run(a: RollbackArgs) -> CmdResult {
    let cfg = a.config.load()?;
    super::runtime()?.block_on(async move {
        let eps = Endpoints::new(&cfg);
        rollback(&eps, &a).await
    })
}

async fn rollback(eps: &Endpoints<'_>, a: &RollbackArgs) -> CmdResult {
    let started = Instant::now();
    let dir = eps.state_dir.clone();
    let cfg = eps.cfg;
    let mut j = JourneyState::load(&dir)?;
    match j.phase {
        Phase::Reverse => {}
        Phase::RolledBack => {}
        other => {
            return Err(format!(
                "rollback follows a cutover; the migration is in phase {other} (the source is still the primary)"
            )
            .into())
        }
    }
    if let Some(cmd) = lock::stop_running(&dir, Duration::from_secs(60)).await? {
        j.record(
            &dir,
            "rollback:took-over",
            format!("stopped `sluice {cmd}`"),
        )?;
    }
    let _lock = RunLock::acquire(&dir, "rollback")?;
    if j.phase == Phase::Reverse {
        let (_tx, stop) = run::stop_on_signals();
        let observed = super::observe(cfg, stop.clone()).await?;
        observed.set_phase("rollback:drain");
        let quiet = (!a.writes_stopped).then(|| Duration::from_secs(cfg.cutover.quiet_seconds));
        let out = run::run(
            eps,
            &j,
            Direction::Reverse,
            Until::Drained {
                quiet,
                timeout: Duration::from_secs(cfg.cutover.drain_timeout_seconds),
            },
            stop,
            observed,
        )
        .await?;
        let Some(pos) = out.drained_to else {
            println!("rollback interrupted before the drain finished; run it again to continue");
            return Ok(ExitCode::from(1));
        };
        j.phase = Phase::RolledBack;
        j.record(
            &dir,
            "rollback:drained",
            format!(
                "source current up to OceanBase binlog {pos} (reverse log seq {})",
                out.status.last_seq
            ),
        )?;
        println!(
            "the source is current: every OceanBase write up to binlog {pos} is applied ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("already rolled back; the source is current");
    }
    if a.resume_forward {
        let pos = eps.end_of(Direction::Forward).await?;
        j.forward_gen += 1;
        j.forward_start = Some(pos.clone());
        j.reverse_gen += 1;
        j.reverse_start = None;
        j.cutover_done.clear();
        j.phase = Phase::Syncing;
        j.record(
            &dir,
            "rollback:resume-forward",
            format!("forward generation {} from {pos}", j.forward_gen),
        )?;
        println!(
            "forward sync will resume from {pos}: run `sluice sync --config {}`",
            cfg.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
