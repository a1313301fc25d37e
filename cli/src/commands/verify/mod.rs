//! `sluice verify`: is every row the same on both sides?
//!
//! Exit status: 0 when every table is clean, 1 when differences were found,
//! 2 when the check itself failed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use sluice_engine::verify::{
    repair_sql, verify_table, Dialect, TableReport, TableSpec, VerifyOptions, VerifyReport,
};
use sluice_oceanbase::config::redact_url;
use sluice_oceanbase::verify::{MySqlVerifySide, Role};

mod sides;
use sides::Source;
use tokio::sync::Semaphore;

use super::CmdResult;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Source (the truth): an ADO.NET string for SQL Server
    /// (`server=tcp:host,1433;database=his;user=…;password=…`) or a
    /// `mysql://user[:password]@host:port` URL (MySQL, MariaDB, OceanBase).
    #[arg(long, env = "SLUICE_SOURCE", default_value = "")]
    pub source: String,
    /// Target URL: `mysql://user@host:port` (OceanBase MySQL mode).
    #[arg(long, env = "SLUICE_TARGET", default_value = "")]
    pub target: String,
    /// Take source, target and databases from a migration file instead, and
    /// record the result for `sluice cutover`'s preflight.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Database on the source (MySQL sources; SQL Server uses the connection's database).
    #[arg(long, default_value = "")]
    pub source_db: String,
    /// Main database on the target (default: the source database's name); for SQL Server,
    /// schema `s` other than dbo is compared with `<target-db>_<s>` as `migrate` creates it.
    #[arg(long)]
    pub target_db: Option<String>,
    /// Tables to compare (comma-separated; default: every base table of the source database).
    #[arg(long, value_delimiter = ',')]
    pub tables: Vec<String>,
    /// Folder for verify.json, verify.html, repair.sql and revert.sql.
    #[arg(long, default_value = "sluice-verify")]
    pub out: PathBuf,
    /// Tables compared at once (each uses one connection per side).
    #[arg(long, default_value_t = 4)]
    pub parallel: usize,
    /// Rows per first-level chunk when a table's digests differ.
    #[arg(long, default_value_t = 50_000)]
    pub chunk_rows: u64,
    /// Ranges with at most this many rows are compared row by row.
    #[arg(long, default_value_t = 2_000)]
    pub leaf_rows: u64,
    /// Parts a differing range is cut into per step.
    #[arg(long, default_value_t = 16)]
    pub fanout: usize,
    /// Compare every chunk row by row instead of by server-side digests
    /// (faster when both databases are on the same host or LAN).
    #[arg(long)]
    pub rows_only: bool,
    /// Apply the repair SQL to the target after writing it.
    #[arg(long)]
    pub apply_repair: bool,
}

pub fn run(mut a: VerifyArgs) -> CmdResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let Some(path) = a.config.clone() else {
        if a.source.is_empty() || a.target.is_empty() {
            return Err("name --source and --target, or a migration file with --config".into());
        }
        return rt.block_on(run_async(a)).map(|(code, _)| code);
    };
    let cfg = crate::config::MigrationConfig::load(&path)?;
    fill_from_config(&mut a, &cfg)?;
    if a.out.as_os_str() == "sluice-verify" {
        a.out = cfg.state_dir().join("verify");
    }
    rt.block_on(async {
        let fence = forward_fence(&cfg)?;
        let (code, report) = run_async(a).await?;
        record(&cfg, &report, fence)?;
        Ok(code)
    })
}

/// Source, target and databases from the migration file.
fn fill_from_config(
    a: &mut VerifyArgs,
    cfg: &crate::config::MigrationConfig,
) -> Result<(), BoxError> {
    match cfg.source_kind() {
        crate::config::EndpointKind::Mssql => a.source = cfg.source.ado("source")?,
        crate::config::EndpointKind::Mysql => {
            a.source = cfg.source.mysql_url("source")?;
            a.source_db = cfg.source.database.clone();
        }
    }
    a.target = cfg.target.mysql_url("target")?;
    a.target_db = Some(cfg.target.database.clone());
    a.parallel = cfg.load.parallel;
    Ok(())
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The forward apply cursor before any row is read: changes after it are
/// what a cutover's final verify must look at again.
fn forward_fence(cfg: &crate::config::MigrationConfig) -> Result<Option<u64>, BoxError> {
    use crate::commands::journey::{lock, state::JourneyState};
    let dir = cfg.state_dir();
    let j = JourneyState::load(&dir)?;
    if lock::running(&dir).is_some() {
        let Ok(text) = std::fs::read_to_string(dir.join("status.json")) else {
            return Ok(None);
        };
        let r: crate::observe::StatusReport = serde_json::from_str(&text)?;
        return Ok(r.apply_cursor_seq);
    }
    let log_dir = j.forward_log_dir(&dir);
    if !log_dir.exists() {
        return Ok(None);
    }
    let log = sluice_engine::log::EventLog::open(&log_dir, Default::default())?;
    let name = j.forward_name(&cfg.migration.name);
    Ok(log
        .cursor_hints()?
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c.seq))
}

fn record(
    cfg: &crate::config::MigrationConfig,
    report: &VerifyReport,
    fence: Option<u64>,
) -> Result<(), BoxError> {
    let (clean, differing, failed) = report.table_counts();
    let _ = clean;
    let differences: u64 = report
        .tables
        .iter()
        .filter_map(|t| t.outcome.as_ref())
        .map(|o| {
            let (m, e, c) = o.counts();
            m + e + c
        })
        .sum();
    crate::commands::journey::state::save_verify(
        &cfg.state_dir(),
        &crate::commands::journey::state::VerifyRecord {
            at_unix: crate::commands::journey::state::now_unix(),
            clean: differing == 0 && failed == 0,
            tables: report.tables.len(),
            differences,
            forward_seq: fence,
        },
    )
}

/// The verify a cutover runs: `tables` (`schema.table`; `None` = all) into
/// `<state>/<out>`. `Some(empty)` compares nothing and is clean.
pub async fn verify_for_journey(
    cfg: &crate::config::MigrationConfig,
    tables: Option<Vec<String>>,
    out: &str,
) -> Result<VerifyReport, BoxError> {
    if tables.as_ref().is_some_and(|t| t.is_empty()) {
        return Ok(VerifyReport {
            source: String::new(),
            target: String::new(),
            started_at: now_rfc3339(),
            elapsed_ms: 0,
            tables: Vec::new(),
        });
    }
    let mut a = VerifyArgs {
        source: String::new(),
        target: String::new(),
        config: None,
        source_db: String::new(),
        target_db: None,
        tables: tables.unwrap_or_default(),
        out: cfg.state_dir().join(out),
        parallel: 4,
        chunk_rows: 50_000,
        leaf_rows: 2_000,
        fanout: 16,
        rows_only: false,
        apply_repair: false,
    };
    fill_from_config(&mut a, cfg)?;
    let fence = forward_fence(cfg)?;
    let (_, report) = run_async(a).await?;
    record(cfg, &report, fence)?;
    Ok(report)
}

fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let date = sluice_engine::value::Date::from_unix_days(secs.div_euclid(86_400) as i32);
    let t = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

async fn run_async(a: VerifyArgs) -> Result<(ExitCode, VerifyReport), BoxError> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let target_db = a.target_db.clone().unwrap_or_else(|| a.source_db.clone());
    if target_db.is_empty() {
        return Err("name the target database with --target-db".into());
    }
    let mut catalog = Source::connect(&a.source)
        .await
        .map_err(|e| format!("connecting to {}: {e}", sides::redact(&a.source)))?;
    let all = catalog.tables(&a.source_db).await?;
    let tables: Vec<(String, String)> = if a.tables.is_empty() {
        all
    } else {
        let mut v = Vec::new();
        for want in &a.tables {
            let found = all.iter().find(|(s, n)| {
                n.eq_ignore_ascii_case(want) || format!("{s}.{n}").eq_ignore_ascii_case(want)
            });
            v.push(
                found
                    .cloned()
                    .ok_or_else(|| format!("table {want} not found on the source"))?,
            );
        }
        v
    };
    if tables.is_empty() {
        return Err("no tables to compare on the source".into());
    }
    let mut specs = Vec::new();
    for (schema, name) in &tables {
        specs.push(catalog.spec(schema, name, &target_db).await?);
    }
    drop(catalog);

    let bars = MultiProgress::new();
    let overall = bars.add(ProgressBar::new(specs.len() as u64));
    overall.set_style(
        ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} tables  {elapsed_precise}  eta {eta}  {msg}",
        )
        .expect("template")
        .progress_chars("=> "),
    );
    overall.set_prefix("verify");
    let opts = Arc::new(VerifyOptions {
        chunk_rows: a.chunk_rows,
        leaf_rows: a.leaf_rows,
        fanout: a.fanout,
        rows_only: a.rows_only,
    });
    let limit = Arc::new(Semaphore::new(a.parallel.max(1)));
    let mut tasks = Vec::new();
    for spec in specs {
        let (src, dst, opts, limit, overall) = (
            a.source.clone(),
            a.target.clone(),
            opts.clone(),
            limit.clone(),
            overall.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            let result = async {
                let mut s = Source::connect(&src)
                    .await
                    .map_err(|e| sluice_engine::Error::Invalid(e.to_string()))?;
                if let Source::Ms(_) = s {
                    // The SQL Server side decodes by declared types: describe the table on this connection.
                    let src_table = &spec.source;
                    s.spec(&src_table.schema, &src_table.name, &spec.target.schema)
                        .await
                        .map_err(|e| sluice_engine::Error::Invalid(e.to_string()))?;
                }
                let mut t = MySqlVerifySide::connect(&dst, Role::Target).await?;
                verify_table(&mut s, &mut t, &spec, &opts).await
            }
            .await;
            overall.inc(1);
            match &result {
                Ok(o) => overall.set_message(format!("{} rows in {}", o.source_rows, spec.source)),
                Err(_) => overall.set_message(format!("{} failed", spec.source)),
            }
            (spec, result)
        }));
    }
    let mut report = VerifyReport {
        source: sides::redact(&a.source),
        target: redact_url(&a.target),
        started_at,
        elapsed_ms: 0,
        tables: Vec::new(),
    };
    for t in tasks {
        let (spec, result) = t.await?;
        report.tables.push(match result {
            Ok(o) => TableReport {
                spec,
                outcome: Some(o),
                error: None,
            },
            Err(e) => TableReport {
                spec,
                outcome: None,
                error: Some(e.to_string()),
            },
        });
    }
    overall.finish_and_clear();
    report.elapsed_ms = started.elapsed().as_millis() as u64;

    std::fs::create_dir_all(&a.out)
        .map_err(|e| format!("cannot create output folder {}: {e}", a.out.display()))?;
    let (mut repair, mut revert) = (String::new(), String::new());
    for t in &report.tables {
        if let Some(o) = t.outcome.as_ref().filter(|o| !o.is_clean()) {
            let s = repair_sql(&t.spec, &o.diffs, Dialect::MySql);
            repair.push_str(&format!(
                "-- {} -> {}\n{}",
                t.spec.source,
                t.spec.target,
                s.apply_text()
            ));
            revert.push_str(&format!("-- {}\n{}", t.spec.target, s.revert_text()));
        }
    }
    write(&a.out.join("verify.json"), &report.to_json())?;
    write(&a.out.join("verify.html"), &report.to_html(500))?;
    write(&a.out.join("repair.sql"), &repair)?;
    write(&a.out.join("revert.sql"), &revert)?;

    for t in &report.tables {
        match (&t.outcome, &t.error) {
            (_, Some(e)) => println!("  FAILED   {:<40} {e}", t.spec.source.to_string()),
            (Some(o), None) => {
                let (m, e, c) = o.counts();
                println!(
                    "  {:<8} {:<40} {:>10} rows  missing {m}, extra {e}, changed {c}  ({:.1} s)",
                    if o.is_clean() { "clean" } else { "DIFFERS" },
                    t.spec.source.to_string(),
                    o.source_rows,
                    o.elapsed_ms as f64 / 1000.0
                );
            }
            (None, None) => {}
        }
    }
    println!("{}", report.summary_line());
    println!("report: {}", a.out.join("verify.html").display());

    if a.apply_repair && !report.is_clean() {
        apply(&a.target, &report.tables).await?;
        println!(
            "repair applied to the target; revert script: {}",
            a.out.join("revert.sql").display()
        );
    }
    let (_, differing, failed) = report.table_counts();
    let code = if failed > 0 {
        ExitCode::from(2)
    } else if differing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    Ok((code, report))
}

fn write(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

async fn apply(
    target: &str,
    tables: &[TableReport],
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut side = sluice_oceanbase::conn::connect(&sluice_oceanbase::OceanBaseConfig::new(target))
        .await
        .map_err(|e| format!("connecting to {}: {e}", redact_url(target)))?;
    for t in tables {
        let Some(o) = t.outcome.as_ref().filter(|o| !o.is_clean()) else {
            continue;
        };
        let spec: &TableSpec = &t.spec;
        let script = repair_sql(spec, &o.diffs, Dialect::MySql);
        use mysql_async::prelude::Queryable;
        // One transaction per table: a failed repair leaves that table as it was.
        let mut tx = side
            .conn
            .start_transaction(mysql_async::TxOpts::default())
            .await?;
        for stmt in &script.apply {
            tx.query_drop(stmt).await.map_err(|e| {
                format!(
                    "repair of {} failed (nothing applied to it): {e}",
                    spec.target
                )
            })?;
        }
        tx.commit().await?;
    }
    Ok(())
}
