//! The `sluice` binary: argument parsing and wiring. The work happens in the
//! engine and connector crates; each subcommand lives in its own module.

mod commands;
mod config;
// The status page, /metrics and `sluice status` rendering; wired by the commands.
#[allow(dead_code, unused_imports)]
mod observe;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "sluice", version, about, long_about = None)]
struct Cli {
    /// Log filter (tracing syntax), e.g. `info` or `sluice_engine=debug`. The TDS
    /// driver's own log is off by default: its errors reach sluice as results
    /// and are reported once, with context.
    #[arg(
        long,
        global = true,
        env = "SLUICE_LOG",
        default_value = "warn,tiberius=off"
    )]
    log: String,
    /// Write logs as JSON lines (one object per event, with timestamp, level,
    /// target and fields) instead of text, for log shippers.
    #[arg(long, global = true, env = "SLUICE_LOG_JSON", value_parser = clap::builder::BoolishValueParser::new())]
    log_json: bool,
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::new(&cli.log);
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cli.log_json {
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.init();
    }
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
