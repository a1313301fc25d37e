//! `sluice status`: where the migration stands. A running sluice writes
//! `status.json` every second; without one, the state folder is read directly.

use std::process::ExitCode;
use std::sync::Arc;

use sluice_engine::pipeline::PipelineStatus;

use super::lock;
use super::run::Endpoints;
use super::state::JourneyState;
use super::ConfigArg;
use crate::commands::CmdResult;
use crate::observe::{render_text, Observed, StatusReport};

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: StatusArgs) -> CmdResult {
    let cfg = a.config.load()?;
    let eps = Endpoints::new(&cfg);
    let journey = JourneyState::load(&eps.state_dir)?;
    let (report, live) = match lock::running(&eps.state_dir) {
        Some((pid, cmd)) => {
            let text = std::fs::read_to_string(eps.state_dir.join("status.json")).map_err(|e| {
                format!(
                    "`sluice {cmd}` (pid {pid}) is running but its status.json is unreadable: {e}"
                )
            })?;
            let mut r: StatusReport = serde_json::from_str(&text)?;
            r.phase = journey.phase.to_string();
            (r, format!("running: sluice {cmd} (pid {pid})"))
        }
        None => (offline(&cfg, &eps, &journey)?, "not running".to_string()),
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_text(&report));
        println!("process    {live}");
        if let Some(v) = super::state::load_verify(&eps.state_dir) {
            println!(
                "verify     {} ({} tables, {} differences) {} s ago",
                if v.clean { "clean" } else { "DIFFERENCES" },
                v.tables,
                v.differences,
                super::state::now_unix() - v.at_unix
            );
        }
        if let Some(s) = journey.steps.last() {
            println!("last step  {} {}: {}", s.at, s.step, s.detail);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Status from the state folder when nothing runs (the logs are free to open).
fn offline(
    cfg: &crate::config::MigrationConfig,
    eps: &Endpoints<'_>,
    journey: &JourneyState,
) -> Result<StatusReport, Box<dyn std::error::Error + Send + Sync>> {
    let observed = Arc::new(Observed::new(cfg.migration.name.clone()));
    // The last run's report keeps what only a running process knows (per-table
    // load progress, counters); the log and the phase are read fresh below.
    if let Ok(text) = std::fs::read_to_string(eps.state_dir.join("status.json")) {
        if let Ok(last) = serde_json::from_str::<StatusReport>(&text) {
            for t in last.tables {
                observed.set_table_progress(t);
            }
            if let Some(e) = last.last_error {
                observed.record_error(e);
            }
        }
    }
    observed.set_phase(journey.phase.to_string());
    let (dir, name, direction) = match journey.phase {
        super::state::Phase::Reverse | super::state::Phase::RolledBack => (
            journey.reverse_log_dir(&eps.state_dir),
            journey.reverse_name(&cfg.migration.name),
            crate::observe::Direction::Reverse,
        ),
        _ => (
            journey.forward_log_dir(&eps.state_dir),
            journey.forward_name(&cfg.migration.name),
            crate::observe::Direction::Forward,
        ),
    };
    observed.set_direction(direction);
    if dir.exists() {
        // Opened, never seeded: status must not write a start position.
        if let Ok(log) = sluice_engine::log::EventLog::open(&dir, Default::default()) {
            let hint = log
                .cursor_hints()?
                .into_iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| c.seq);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_micros() as i64)
                .unwrap_or(0);
            observed.set_pipeline_status(&PipelineStatus::compute(&log, hint, now)?);
        }
    }
    Ok(observed.snapshot())
}
