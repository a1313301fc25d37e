//! `sluice sync`: the long-running incremental sync. Forward (source ->
//! OceanBase) until cutover, reverse (OceanBase -> source) after it.
//! SIGINT/SIGTERM finish the batch in hand, persist, and exit 0.

use std::process::ExitCode;

use super::lock::RunLock;
use super::run::{self, Direction, Endpoints, Until};
use super::state::{JourneyState, Phase};
use super::ConfigArg;
use crate::commands::CmdResult;

#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(a: SyncArgs) -> CmdResult {
    let cfg = a.config.load()?;
    super::runtime()?.block_on(async move {
        let eps = Endpoints::new(&cfg);
        let _lock = RunLock::acquire(&eps.state_dir, "sync")?;
        sync(&eps).await
    })
}

/// Which way the phase says changes flow.
pub fn direction_for(phase: Phase) -> Result<Direction, String> {
    match phase {
        Phase::Syncing | Phase::Cutover => Ok(Direction::Forward),
        Phase::Reverse => Ok(Direction::Reverse),
        Phase::New | Phase::Loading => Err(
            "the full load has not finished: run `sluice migrate --config …` (it resumes)".into(),
        ),
        Phase::RolledBack => Err(
            "the migration was rolled back: run `sluice rollback --resume-forward` to sync forward again"
                .into(),
        ),
    }
}

/// Runs the current phase's direction until a signal.
pub async fn sync(eps: &Endpoints<'_>) -> CmdResult {
    // Fail on the phase before opening a port.
    direction_for(JourneyState::load(&eps.state_dir)?.phase)?;
    let (_tx, stop) = run::stop_on_signals();
    let observed = super::observe(eps.cfg, stop.clone()).await?;
    sync_observed(eps, observed, stop).await
}

/// [`sync`] with a status handle and stop channel made by the caller
/// (`migrate` hands over its own, so the status page stays up).
pub async fn sync_observed(
    eps: &Endpoints<'_>,
    observed: std::sync::Arc<crate::observe::Observed>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> CmdResult {
    let journey = JourneyState::load(&eps.state_dir)?;
    let d = direction_for(journey.phase)?;
    eprintln!(
        "{} sync running (phase {}); Ctrl-C or SIGTERM stops it cleanly",
        d.label(),
        journey.phase
    );
    let out = run::run(eps, &journey, d, Until::Stopped, stop, observed).await?;
    eprintln!(
        "{} sync stopped: log at {}, applied {}, lag {} records",
        d.label(),
        out.status.last_seq,
        out.status
            .cursor_seq
            .map(|c| c.to_string())
            .unwrap_or_else(|| "nothing yet".into()),
        out.status.lag_records
    );
    Ok(ExitCode::SUCCESS)
}
