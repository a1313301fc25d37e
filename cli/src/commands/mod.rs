//! One module per subcommand.

pub mod assess;
pub mod check;
pub mod convert;
pub mod init;
pub mod journey;
pub mod log;
pub mod migrate;
pub mod verify;

use std::process::ExitCode;

/// Every `sluice` subcommand.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Write a commented example migration file (sluice.toml).
    Init(init::InitArgs),
    /// Validate the migration file, then both servers: logins, CDC or binlog settings, privileges, each problem with its fix.
    Check(check::CheckArgs),
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
    /// Incremental sync, long-running: forward before cutover, reverse after it.
    Sync(journey::sync::SyncArgs),
    /// Where the migration stands: phase, lag, throughput, log, cursor (`--json` too).
    Status(journey::status::StatusArgs),
    /// Switch to OceanBase: preflight, drain, final verify, start reverse sync (GO / NO-GO).
    Cutover(journey::cutover::CutoverArgs),
    /// Back to the source: drain reverse sync, optionally resume forward sync.
    Rollback(journey::rollback::RollbackArgs),
}

/// Error type for commands: a message a DBA can act on.
pub type CmdResult = Result<ExitCode, Box<dyn std::error::Error + Send + Sync>>;

pub fn run(cmd: Command) -> CmdResult {
    match cmd {
        Command::Init(a) => init::run(a),
        Command::Check(a) => check::run(a),
        Command::Log(c) => log::run(c),
        Command::Assess(a) => assess::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Migrate(a) => migrate::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Sync(a) => journey::sync::run(a),
        Command::Status(a) => journey::status::run(a),
        Command::Cutover(a) => journey::cutover::run(a),
        Command::Rollback(a) => journey::rollback::run(a),
    }
}
