//! The `sluice` binary: argument parsing and wiring. The work happens in the
//! engine and connector crates; each subcommand lives in its own module.

mod commands;

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
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&cli.log))
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
