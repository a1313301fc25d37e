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

mod load;
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
    #[arg(long, env = "SLUICE_SOURCE")]
    pub source: String,
    /// Target OceanBase (MySQL mode): `mysql://user[:password]@host:port`.
    #[arg(long, env = "SLUICE_TARGET")]
    pub target: String,
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
    rt.block_on(run_async(a))
}

async fn run_async(a: MigrateArgs) -> CmdResult {
    let started = Instant::now();
    let source = MssqlConfig::from_ado(&a.source)?;
    let mut client = sluice_mssql::connect(&source).await?;
    eprintln!("source  {}", source.redacted());
    eprintln!("target  {}", redact_url(&a.target));
    let catalog = sluice_mssql::catalog::read_catalog(&mut client).await?;
    let opts = ConvertOptions {
        database: a.database.clone(),
        ..ConvertOptions::default()
    };
    let conversion = convert(&catalog, &Capabilities::seekdb(), &opts);
    std::fs::create_dir_all(&a.state)
        .map_err(|e| format!("cannot create state folder {}: {e}", a.state.display()))?;
    let state = std::sync::Arc::new(ChunkCheckpoints::open(a.state.join("load"))?);

    let wanted =
        |name: &str| a.tables.is_empty() || a.tables.iter().any(|t| t.eq_ignore_ascii_case(name));
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
    let fks = schema::deploy_foreign_keys(&mut target.conn, &conversion, &state).await?;
    println!(
        "migrated {} tables, {copied} rows copied, {fks} foreign keys, in {:.1} s",
        plan.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
