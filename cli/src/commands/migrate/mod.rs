//! `sluice migrate`: converted schema on OceanBase, then a parallel,
//! resumable full load from SQL Server.
//!
//! Order of work (each step recorded in the state folder, so a killed run
//! continues where it stopped):
//! 1. read the source catalog and convert it (the same conversion `assess` reports);
//! 2. record the change-capture low watermark *before* the first chunk is
//!    read, so changes made during the copy can be replayed by `sync`;
//! 3. create databases and tables (foreign keys wait: chunks load in parallel);
//! 4. copy every table in key-range chunks, each chunk one target transaction,
//!    checkpointed when it commits;
//! 5. create the foreign keys.

mod deferred;
mod insert;
mod load;
pub mod mysql;
pub mod progress;
mod schema;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use sluice_engine::load::ChunkCheckpoints;
use sluice_mssql::MssqlConfig;
use sluice_oceanbase::config::redact_url;
use sluice_tsql::dialect::oceanbase::{convert, Capabilities, ConvertOptions};

use super::CmdResult;

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// Source SQL Server as an ADO.NET connection string
    /// (`server=tcp:host,1433;database=his;user=…;password=…;TrustServerCertificate=true`).
    #[arg(long, env = "SLUICE_SOURCE", default_value = "")]
    pub source: String,
    /// Target OceanBase (MySQL mode): `mysql://user[:password]@host:port`.
    #[arg(long, env = "SLUICE_TARGET", default_value = "")]
    pub target: String,
    /// Take everything from a migration file (`sluice init`), and continue
    /// into `sync` once the load is done.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// With --config: stop after the load instead of continuing into sync.
    #[arg(long)]
    pub no_sync: bool,
    /// Table filter of the migration file (set with --config).
    #[arg(skip)]
    pub filter: Option<crate::config::TableFilter>,
    /// `[types]` of the migration file: (per source type, per column).
    #[arg(skip)]
    pub type_overrides: (
        std::collections::BTreeMap<String, String>,
        std::collections::BTreeMap<String, String>,
    ),
    /// `load.max_rows_per_second` of the migration file.
    #[arg(skip)]
    pub throttle: Option<std::sync::Arc<crate::commands::journey::throttle::Throttle>>,
    /// Where per-table progress is published (set with --config).
    #[arg(skip)]
    pub progress: progress::LoadProgress,
    /// Main target database (default: the source database's name).
    #[arg(long)]
    pub database: Option<String>,
    /// Folder for the migration's state (chunk checkpoints); reuse it to resume.
    #[arg(long, default_value = "sluice-state")]
    pub state: PathBuf,
    /// Only create the schema; copy no rows.
    #[arg(long)]
    pub schema_only: bool,
    /// Copy only these tables (`schema.table`, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tables: Vec<String>,
    /// Chunks copied at once (each uses one connection per side).
    #[arg(long, default_value_t = 4)]
    pub parallel: usize,
    /// Rows per chunk (one target transaction each).
    #[arg(long, default_value_t = 50_000)]
    pub chunk_rows: u64,
    /// Rows per source page and per target INSERT statement.
    #[arg(long, default_value_t = 2_000)]
    pub page_rows: usize,
}

pub fn run(a: MigrateArgs) -> CmdResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Some(path) = a.config.clone() {
        return rt.block_on(run_config(a, path));
    }
    if a.source.is_empty() || a.target.is_empty() {
        return Err("name --source and --target, or a migration file with --config".into());
    }
    rt.block_on(run_async(a))
}

fn blank_args() -> MigrateArgs {
    MigrateArgs {
        source: String::new(),
        target: String::new(),
        config: None,
        no_sync: true,
        filter: None,
        progress: Default::default(),
        type_overrides: Default::default(),
        throttle: None,
        database: None,
        state: PathBuf::new(),
        schema_only: false,
        tables: Vec::new(),
        parallel: 1,
        chunk_rows: 1,
        page_rows: 1,
    }
}

/// `migrate --config`: the load as a journey phase, then straight into sync.
async fn run_config(mut a: MigrateArgs, path: PathBuf) -> CmdResult {
    use crate::commands::journey::{
        lock::RunLock,
        run::Endpoints,
        state::{JourneyState, Phase},
    };
    use crate::config::EndpointKind;
    let cfg = crate::config::MigrationConfig::load(&path)?;
    let eps = Endpoints::new(&cfg);
    let dir = eps.state_dir.clone();
    let no_sync = a.no_sync;
    let (_stop_tx, stop) = crate::commands::journey::run::stop_on_signals();
    let observed = crate::commands::journey::observe(&cfg, stop.clone()).await?;
    {
        let _lock = RunLock::acquire(&dir, "migrate")?;
        let mut j = JourneyState::load(&dir)?;
        match j.phase {
            Phase::New | Phase::Loading => {
                observed.set_phase("loading");
                a.progress = progress::LoadProgress::new(Some(observed.clone()));
                let status_writer = {
                    let (observed, dir) = (observed.clone(), dir.clone());
                    tokio::spawn(async move {
                        loop {
                            write_report(&dir, &observed);
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        }
                    })
                };
                let _stop_writer = AbortOnDrop(status_writer);
                // However the load ends, the last word on its progress is kept.
                let _final_report = FinalReport(&dir, &observed);
                if j.phase == Phase::New {
                    j.phase = Phase::Loading;
                    j.record(&dir, "migrate:start", "schema and full load")?;
                }
                let started = Instant::now();
                let forward_start = match cfg.source_kind() {
                    EndpointKind::Mssql => {
                        a.source = cfg.source.ado("source")?;
                        a.target = cfg.target.mysql_url("target")?;
                        a.database = Some(cfg.target.database.clone());
                        a.state = dir.clone();
                        a.parallel = cfg.load.parallel;
                        a.chunk_rows = cfg.load.chunk_rows;
                        a.page_rows = cfg.load.page_rows;
                        a.filter = Some(cfg.tables.clone());
                        a.type_overrides = cfg.type_overrides();
                        a.throttle = crate::commands::journey::throttle::Throttle::new(
                            cfg.load.max_rows_per_second,
                        );
                        let schema_only = a.schema_only;
                        run_async(std::mem::replace(&mut a, blank_args())).await?;
                        if schema_only {
                            return Ok(ExitCode::SUCCESS);
                        }
                        let state = ChunkCheckpoints::open(dir.join("load"))?;
                        match state.meta("low_watermark")? {
                            Some(lsn) if lsn != "none" => {
                                let l = sluice_mssql::cdc::Lsn::parse(&lsn).ok_or_else(|| {
                                    format!("stored low watermark {lsn:?} is not an LSN")
                                })?;
                                Some(sluice_engine::position::SourcePosition::Mssql(
                                    sluice_mssql::cdc::assemble::end_of(l),
                                ))
                            }
                            _ => None,
                        }
                    }
                    EndpointKind::Mysql => {
                        let state = std::sync::Arc::new(ChunkCheckpoints::open(dir.join("load"))?);
                        let copied =
                            mysql::migrate(&cfg, state.clone(), a.schema_only, a.progress.clone())
                                .await?;
                        if a.schema_only {
                            return Ok(ExitCode::SUCCESS);
                        }
                        println!(
                            "migrated: {copied} rows copied by this run, in {:.1} s",
                            started.elapsed().as_secs_f64()
                        );
                        match state.meta(mysql::LOW_WATERMARK)? {
                            Some(json) => Some(sluice_engine::position::SourcePosition::Binlog(
                                serde_json::from_str(&json)?,
                            )),
                            None => None,
                        }
                    }
                };
                let Some(start) = forward_start else {
                    j.record(
                        &dir,
                        "migrate:loaded",
                        "snapshot only: no change capture on the source",
                    )?;
                    return Err("the load is done, but change capture was not enabled on the source when it started, so changes made since are not captured: enable CDC and migrate again into a fresh state folder".into());
                };
                j.forward_start = Some(start.clone());
                j.phase = Phase::Syncing;
                j.record(
                    &dir,
                    "migrate:loaded",
                    format!("forward sync starts at {start}"),
                )?;
            }
            other => eprintln!("the load is already done (phase {other}); continuing"),
        }
    }
    if no_sync {
        return Ok(ExitCode::SUCCESS);
    }
    let _lock = RunLock::acquire(&dir, "sync")?;
    crate::commands::journey::sync::sync_observed(&eps, observed, stop).await
}

fn write_report(dir: &std::path::Path, observed: &crate::observe::Observed) {
    if let Ok(json) = serde_json::to_string_pretty(&observed.snapshot()) {
        let _ = crate::commands::journey::state::write_atomic(
            &dir.join("status.json"),
            json.as_bytes(),
        );
    }
}

struct FinalReport<'a>(&'a std::path::Path, &'a crate::observe::Observed);

impl Drop for FinalReport<'_> {
    fn drop(&mut self) {
        write_report(self.0, self.1);
    }
}

/// Stops a background task when the scope ends, however it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn run_async(a: MigrateArgs) -> CmdResult {
    let started = Instant::now();
    let source = MssqlConfig::from_ado(&a.source)?;
    let mut client = sluice_mssql::connect(&source).await?;
    eprintln!("source  {}", source.redacted());
    eprintln!("target  {}", redact_url(&a.target));
    let catalog = sluice_mssql::catalog::read_catalog(&mut client).await?;
    let mut opts = ConvertOptions {
        database: a.database.clone(),
        ..ConvertOptions::default()
    };
    opts.types.overrides = a.type_overrides.0.clone();
    opts.types.column_overrides = a.type_overrides.1.clone();
    let conversion = convert(&catalog, &Capabilities::seekdb(), &opts);
    std::fs::create_dir_all(&a.state)
        .map_err(|e| format!("cannot create state folder {}: {e}", a.state.display()))?;
    let state = std::sync::Arc::new(ChunkCheckpoints::open(a.state.join("load"))?);

    let wanted = |name: &str| {
        (a.tables.is_empty() || a.tables.iter().any(|t| t.eq_ignore_ascii_case(name)))
            && a.filter.as_ref().is_none_or(|f| f.wants(name))
    };
    let plan = schema::TablePlan::build(&catalog, &conversion, &wanted)?;
    if plan.is_empty() {
        return Err("no tables to migrate (check --tables and the source database)".into());
    }

    if !a.schema_only {
        load::record_low_watermark(&mut client, &state).await?;
    }
    let mut target =
        sluice_oceanbase::conn::connect(&sluice_oceanbase::OceanBaseConfig::new(&a.target))
            .await
            .map_err(|e| format!("connecting to {}: {e}", redact_url(&a.target)))?;
    if !target.encrypted {
        eprintln!("note: the target offers no TLS; the connection is not encrypted");
    }
    let created = schema::deploy_tables(&mut target.conn, &conversion, &state).await?;
    eprintln!("schema  {created} statements run (tables; foreign keys after the load)");
    drop(client);

    let mut copied = 0;
    if !a.schema_only {
        copied = load::copy_all(&a, &source, &plan, state.clone()).await?;
    }
    let indexes = schema::deploy_secondary_indexes(&mut target.conn, &conversion, &state).await?;
    if indexes > 0 {
        eprintln!("indexes {indexes} secondary indexes built after the load");
    }
    let fks = schema::deploy_foreign_keys(&mut target.conn, &conversion, &state).await?;
    println!(
        "migrated {} tables, {copied} rows copied, {fks} foreign keys, in {:.1} s",
        plan.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
