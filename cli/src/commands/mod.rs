//! One module per subcommand.

pub mod assess;
pub mod convert;
pub mod log;
pub mod migrate;
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
    /// Create the converted schema on OceanBase and copy every table in parallel, resumable chunks.
    Migrate(migrate::MigrateArgs),
    /// Compare source and target table by table (counts, chunk digests, row diffs) and write repair SQL.
    Verify(verify::VerifyArgs),
    /// Convert T-SQL procedures, functions, triggers and views to OceanBase routines (per-object SQL, deploy script, report).
    Convert(convert::ConvertArgs),
}

/// Error type for commands: a message a DBA can act on.
pub type CmdResult = Result<ExitCode, Box<dyn std::error::Error + Send + Sync>>;

pub fn run(cmd: Command) -> CmdResult {
    match cmd {
        Command::Log(c) => log::run(c),
        Command::Assess(a) => assess::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Migrate(a) => migrate::run(a),
        Command::Convert(a) => convert::run(a),
    }
}
