//! One module per subcommand.

pub mod log;

use std::process::ExitCode;

/// Every `sluice` subcommand.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Inspect and replay the durable event log of a pipeline.
    #[command(subcommand)]
    Log(log::LogCommand),
}

/// Error type for commands: a message a DBA can act on.
pub type CmdResult = Result<ExitCode, Box<dyn std::error::Error + Send + Sync>>;

pub fn run(cmd: Command) -> CmdResult {
    match cmd {
        Command::Log(c) => log::run(c),
    }
}
