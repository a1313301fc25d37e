//! The migration night, driven by the migration file: `sync`, `status`,
//! `cutover` and `rollback` (and `migrate --config`, which ends in `sync`).
//!
//! Each command reads the phase from `journey.json` in the state folder,
//! does its steps (each recorded before the next starts, so a killed run
//! resumes), and leaves the phase for the next command.

pub mod cutover;
pub mod lock;
pub mod rollback;
pub mod run;
pub mod state;
pub mod status;
pub mod sync;
pub mod throttle;

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::MigrationConfig;
use crate::observe::Observed;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `--config` shared by the journey commands.
#[derive(clap::Args, Debug, Clone)]
pub struct ConfigArg {
    /// The migration file (`sluice init` writes an example).
    #[arg(
        long,
        short = 'c',
        env = "SLUICE_CONFIG",
        default_value = "sluice.toml"
    )]
    pub config: PathBuf,
}

impl ConfigArg {
    pub fn load(&self) -> Result<MigrationConfig, BoxError> {
        Ok(MigrationConfig::load(&self.config)?)
    }
}

/// A multi-threaded runtime for a command.
pub fn runtime() -> Result<tokio::runtime::Runtime, BoxError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// The shared status handle, served on `metrics.listen` when configured.
pub async fn observe(
    cfg: &MigrationConfig,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Arc<Observed>, BoxError> {
    let observed = Arc::new(Observed::new(cfg.migration.name.clone()));
    if let Some(addr) = &cfg.metrics.listen {
        let addr: std::net::SocketAddr = addr.parse()?;
        let bound = crate::observe::serve(addr, observed.clone(), stop)
            .await
            .map_err(|e| format!("metrics.listen {addr}: cannot listen ({e})"))?;
        eprintln!("status page http://{bound}/  metrics http://{bound}/metrics");
    }
    Ok(observed)
}
