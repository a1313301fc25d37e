//! `sluice log`: look inside a pipeline's durable event log.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use sluice_engine::event::{Change, RowOp};
use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::PipelineStatus;

use super::CmdResult;

/// Subcommands of `sluice log`.
#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// First/last sequence, size, checkpoint, cursors and lag.
    Status(StatusArgs),
    /// Print one record (a whole source transaction).
    Inspect(InspectArgs),
    /// Re-apply retained records to an OceanBase target from a sequence on.
    Replay(ReplayArgs),
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub log: LogDir,
    /// First sequence to re-apply.
    #[arg(long)]
    pub from: u64,
    /// Target: `mysql://user@host:port` (OceanBase MySQL mode); from the
    /// migration file with --config.
    #[arg(long, env = "SLUICE_TARGET", required_unless_present = "config")]
    pub target: Option<String>,
    /// Main target database, as given to `migrate` (`dbo` tables land in it, schema `s` in `<main>_s`).
    #[arg(long, required_unless_present = "config")]
    pub database: Option<String>,
    /// Cursor name for the replay. The default, `replay-<time>-from-<SEQ>`, is new, so every
    /// retained record from SEQ on is applied again (upserts converge); naming the
    /// pipeline's own cursor instead applies only what that cursor has not covered.
    #[arg(long)]
    pub pipeline: Option<String>,
}

/// Where the log lives: a directory, or the configured migration's log.
#[derive(Args, Debug)]
pub struct LogDir {
    /// Directory of the pipeline's event log.
    #[arg(
        long = "log-dir",
        value_name = "DIR",
        required_unless_present = "config"
    )]
    pub dir: Option<PathBuf>,
    /// The migration file: its current forward (or, with --reverse, reverse) log.
    #[arg(long, short = 'c', conflicts_with = "dir")]
    pub config: Option<PathBuf>,
    /// With --config: the reverse direction's log instead of the forward one.
    #[arg(long, requires = "config")]
    pub reverse: bool,
}

impl LogDir {
    /// The log directory, resolved through the migration file when given.
    pub fn resolve(&self) -> Result<PathBuf, Box<dyn std::error::Error + Send + Sync>> {
        if let Some(d) = &self.dir {
            return Ok(d.clone());
        }
        let path = self.config.as_ref().ok_or("name --log-dir or --config")?;
        let cfg = crate::config::MigrationConfig::load(path)?;
        let state = cfg.state_dir();
        let j = super::journey::state::JourneyState::load(&state)?;
        let dir = if self.reverse {
            j.reverse_log_dir(&state)
        } else {
            j.forward_log_dir(&state)
        };
        if let Some((pid, cmd)) = super::journey::lock::running(&state) {
            return Err(format!(
                "`sluice {cmd}` (pid {pid}) holds {}; `sluice status -c {}` reads its live status",
                dir.display(),
                path.display()
            )
            .into());
        }
        Ok(dir)
    }
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub log: LogDir,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    pub log: LogDir,
    /// Sequence number of the record.
    pub seq: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: LogCommand) -> CmdResult {
    match cmd {
        LogCommand::Status(a) => status(a),
        LogCommand::Inspect(a) => inspect(a),
        LogCommand::Replay(a) => replay(a),
    }
}

/// Opens an existing log; a missing directory is an error, not a new empty log.
pub fn open_existing(dir: &LogDir) -> Result<EventLog, Box<dyn std::error::Error + Send + Sync>> {
    let dir = dir.resolve()?;
    if !dir.join("conf").exists() && !dir.join("db").exists() {
        return Err(format!(
            "no event log at {} (expected a directory written by sluice)",
            dir.display()
        )
        .into());
    }
    Ok(EventLog::open(&dir, LogOptions::default())?)
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

fn status(a: StatusArgs) -> CmdResult {
    let log = open_existing(&a.log)?;
    let cursors = log.cursor_hints()?;
    let min_cursor = cursors.iter().map(|(_, c)| c.seq).min();
    let st = PipelineStatus::compute(&log, min_cursor, now_us())?;
    if a.json {
        let cursors_json: Vec<_> = cursors
            .iter()
            .map(|(n, c)| serde_json::json!({"pipeline": n, "seq": c.seq, "position": c.position.to_string()}))
            .collect();
        let v = serde_json::json!({ "status": st, "cursors": cursors_json });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("log          {}", a.log.resolve()?.display());
    match st.first_seq {
        Some(f) => println!("records      {f}..={}", st.last_seq),
        None => println!(
            "records      none retained (last assigned: {})",
            st.last_seq
        ),
    }
    println!("stored       {} bytes", st.stored_bytes);
    println!(
        "checkpoint   {}",
        st.checkpoint
            .as_deref()
            .unwrap_or("none (capture has not started)")
    );
    if cursors.is_empty() {
        println!("cursors      none recorded");
    }
    for (name, c) in &cursors {
        println!("cursor       {name}: seq {} at {}", c.seq, c.position);
    }
    println!(
        "lag          {} records, {:.1} s (from the slowest cursor hint; the target holds the exact cursor)",
        st.lag_records, st.lag_seconds
    );
    Ok(ExitCode::SUCCESS)
}

fn inspect(a: InspectArgs) -> CmdResult {
    let log = open_existing(&a.log)?;
    let rec = log.get(a.seq)?;
    if a.json {
        let v = serde_json::json!({ "seq": rec.seq, "transaction": rec.tx });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let tx = &rec.tx;
    println!("record       {}", rec.seq);
    println!("position     {}", tx.position);
    println!("commit time  {} µs since epoch", tx.commit_time_us);
    if let Some(id) = &tx.source_id {
        println!("source tx    {id}");
    }
    println!("changes      {}", tx.changes.len());
    for c in &tx.changes {
        match c {
            Change::Row(ev) => {
                let (op, img) = match &ev.op {
                    RowOp::Insert { after } => ("INSERT", after),
                    RowOp::Update { after, .. } => ("UPDATE", after),
                    RowOp::Delete { before } => ("DELETE", before),
                };
                let cols: Vec<String> = ev
                    .columns
                    .iter()
                    .zip(img)
                    .map(|(c, v)| format!("{c}={v:?}"))
                    .collect();
                println!("  {op:<6} {} {}", ev.table, cols.join(", "));
            }
            Change::Schema(s) => println!("  DDL    {}", s.ddl),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn replay(a: ReplayArgs) -> CmdResult {
    use sluice_engine::pipeline::{Apply, ApplyOptions};
    use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink, TableNaming};

    let log = std::sync::Arc::new(open_existing(&a.log)?);
    let first = log.first_seq()?.unwrap_or(0);
    let last = log.checkpoint()?.last_seq;
    if a.from < first || a.from > last {
        return Err(format!(
            "record {} is not in the log (retained range is {first}..={last})",
            a.from
        )
        .into());
    }
    let pipeline = a
        .pipeline
        .clone()
        .unwrap_or_else(|| format!("replay-{}-from-{}", now_us() / 1_000_000, a.from));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let cfg = match &a.log.config {
            Some(path) => {
                if a.log.reverse {
                    return Err("replay applies to OceanBase: use it on the forward log".into());
                }
                let m = crate::config::MigrationConfig::load(path)?;
                let eps = super::journey::run::Endpoints::new(&m);
                let mut cfg = OceanBaseConfig::new(m.target.mysql_url("target")?);
                cfg.naming = eps.target_naming();
                cfg.control_database = m.control_database();
                cfg
            }
            None => {
                let mut cfg = OceanBaseConfig::new(a.target.clone().unwrap_or_default());
                cfg.naming = TableNaming::MainAndSchemas(a.database.clone().unwrap_or_default());
                cfg
            }
        };
        let sink = OceanBaseSink::connect(cfg).await?;
        let mut apply = Apply::new(sink, log.clone(), pipeline.clone(), ApplyOptions::default());
        apply.restart().await?;
        // A fresh replay cursor starts exactly at --from; an existing one resumes after itself.
        if a.pipeline.is_none() {
            apply.start_at(a.from);
        }
        let mut applied = 0usize;
        loop {
            let n = apply.step().await?;
            if n == 0 {
                break;
            }
            applied += n;
        }
        println!(
            "replayed {applied} records ({}..={last}) as pipeline {pipeline}",
            a.from
        );
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(ExitCode::SUCCESS)
    })
}
