//! One module per subcommand.

pub mod assess;
pub mod log;
pub mod verify;

use std::process::ExitCode;

/// Every `sluice` subcommand.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Inspect and replay the durable event log of a pipeline.
    #[command(subcommand)]
    Log(log::LogCommand),
    /// Assess SQL Server objects for OceanBase: status, rules and effort per object (HTML + JSON).
    Assess(assess::AssessArgs),
    /// Compare source and target table by table (counts, chunk digests, row diffs) and write repair SQL.
    Verify(verify::VerifyArgs),
}

/// Error type for commands: a message a DBA can act on.
pub type CmdResult = Result<ExitCode, Box<dyn std::error::Error + Send + Sync>>;

pub fn run(cmd: Command) -> CmdResult {
    match cmd {
        Command::Log(c) => log::run(c),
        Command::Assess(a) => assess::run(a),
        Command::Verify(a) => verify::run(a),
    }
}
