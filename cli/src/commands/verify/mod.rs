//! `sluice verify`: is every row the same on both sides?
//!
//! Exit status: 0 when every table is clean, 1 when differences were found,
//! 2 when the check itself failed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use sluice_engine::verify::{
    classify_recheck, read_keys, repair_sql, verify_table_observed, Dialect, TableReport,
    TableSpec, VerifyOptions, VerifyReport,
};
use sluice_oceanbase::config::redact_url;
use sluice_oceanbase::verify::{MySqlVerifySide, Role};

pub mod checkpoint;
pub mod online;
pub mod pace;
pub mod repair;
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
    /// Apply the repair to the target after writing repair.sql. With
    /// --config it goes through the normal sink, cursor-tagged (pipeline
    /// `<migration>-repair-<unix time>`) so reverse sync does not echo it.
    #[arg(long)]
    pub apply_repair: bool,
    /// Compare while `sluice sync` runs (needs --config): wait until sync has
    /// applied everything up to a fence (the source's end position) before
    /// comparing, then re-read each differing key after a later fence and
    /// report only those that still differ; the others are counted as in flight.
    ///
    /// Not with --apply-repair: a repair written while sync applies newer
    /// changes to the same rows could land after them and undo them.
    #[arg(long, requires = "config", conflicts_with = "apply_repair")]
    pub online: bool,
    /// Longest wait, in seconds, for the running sync to reach a fence.
    #[arg(long, default_value_t = 300)]
    pub fence_timeout_seconds: u64,
    /// Continue an interrupted run in the same --out folder: tables (and
    /// first-level chunks) it finished are not compared again.
    #[arg(long)]
    pub resume: bool,
    /// Hold the comparison to about this many rows per second over all
    /// tables (sleeps between chunks; 0 = no limit).
    #[arg(long, default_value_t = 0)]
    pub max_rows_per_second: u64,
    /// With --config: pause between chunks while the running sync's lag is
    /// above this many seconds.
    #[arg(long, requires = "config")]
    pub max_lag_seconds: Option<f64>,
}

/// What a run through a migration file adds to a plain comparison.
#[derive(Default)]
struct Ctx {
    cfg: Option<crate::config::MigrationConfig>,
}

pub fn run(mut a: VerifyArgs) -> CmdResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let Some(path) = a.config.clone() else {
        if a.source.is_empty() || a.target.is_empty() {
            return Err("name --source and --target, or a migration file with --config".into());
        }
        return rt
            .block_on(run_async(a, Ctx::default()))
            .map(|(code, _, _)| code);
    };
    let cfg = crate::config::MigrationConfig::load(&path)?;
    fill_from_config(&mut a, &cfg)?;
    if a.out.as_os_str() == "sluice-verify" {
        a.out = cfg.state_dir().join("verify");
    }
    rt.block_on(async {
        let fence = forward_fence(&cfg)?;
        let ctx = Ctx {
            cfg: Some(cfg.clone()),
        };
        let (code, report, online_seq) = run_async(a, ctx).await?;
        record(&cfg, &report, online_seq.or(fence))?;
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
    verify_for_journey_with(cfg, tables, out, false).await
}

/// [`verify_for_journey`], optionally online: with `online`, a `sluice
/// sync` must be running on the state folder, and the comparison follows it
/// through fences (see `--online`).
pub async fn verify_for_journey_with(
    cfg: &crate::config::MigrationConfig,
    tables: Option<Vec<String>>,
    out: &str,
    online: bool,
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
        online,
        fence_timeout_seconds: 300,
        resume: false,
        max_rows_per_second: 0,
        max_lag_seconds: None,
    };
    fill_from_config(&mut a, cfg)?;
    let fence = forward_fence(cfg)?;
    let ctx = Ctx {
        cfg: Some(cfg.clone()),
    };
    let (_, report, online_seq) = run_async(a, ctx).await?;
    record(cfg, &report, online_seq.or(fence))?;
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

/// The run's settings that a checkpoint must share to be resumed.
fn settings_fingerprint(a: &VerifyArgs, target_db: &str) -> String {
    format!(
        "source={} source_db={} target={} target_db={target_db} chunk={} leaf={} fanout={} rows_only={}",
        sides::redact(&a.source),
        a.source_db,
        redact_url(&a.target),
        a.chunk_rows,
        a.leaf_rows,
        a.fanout,
        a.rows_only
    )
}

/// Runs the comparison; returns the exit code, the report and (online) the
/// forward log sequence the first fence reached.
async fn run_async(
    a: VerifyArgs,
    ctx: Ctx,
) -> Result<(ExitCode, VerifyReport, Option<u64>), BoxError> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let target_db = a.target_db.clone().unwrap_or_else(|| a.source_db.clone());
    if target_db.is_empty() {
        return Err("name the target database with --target-db".into());
    }
    if a.online && ctx.cfg.is_none() {
        return Err("--online needs the migration file (--config): it follows that migration's `sluice sync`".into());
    }
    let mut catalog = Source::connect(&a.source)
        .await
        .map_err(|e| format!("connecting to {}: {e}", sides::redact(&a.source)))?;
    let mut all = catalog.tables(&a.source_db).await?;
    if let Some(cfg) = &ctx.cfg {
        // Only what this migration moves.
        all.retain(|(s, n)| cfg.tables.wants(&format!("{s}.{n}")));
    }
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
        let mut spec = catalog.spec(schema, name, &target_db).await?;
        if let Some(new_name) = ctx
            .cfg
            .as_ref()
            .and_then(|c| c.tables.renamed(&format!("{schema}.{name}")))
        {
            spec.target = sluice_engine::event::TableRef::new(&*spec.target.schema, new_name);
        }
        specs.push(spec);
    }
    drop(catalog);

    std::fs::create_dir_all(&a.out)
        .map_err(|e| format!("cannot create output folder {}: {e}", a.out.display()))?;
    let checkpoint =
        checkpoint::Checkpoint::open(&a.out, settings_fingerprint(&a, &target_db), a.resume)?;
    if a.resume {
        let n = checkpoint.finished_tables();
        println!("resuming: {n} tables finished in the checkpoint are not compared again");
    }

    // Online: nothing committed on the source before this fence is still
    // on its way when the comparison starts.
    let fence_timeout = Duration::from_secs(a.fence_timeout_seconds.max(1));
    let mut first_fence_seq = None;
    if a.online {
        let cfg = ctx.cfg.as_ref().expect("checked above");
        let f = online::fence(cfg, fence_timeout).await?;
        println!(
            "online: sync applied everything up to the source's {} (log record {}) after {:.1} s; comparing",
            f.position,
            f.log_seq,
            f.waited.as_secs_f64()
        );
        first_fence_seq = Some(f.log_seq);
    }

    let bars = MultiProgress::new();
    let overall = bars.add(ProgressBar::new(specs.len() as u64));
    overall.set_style(
        ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} tables  {elapsed_precise}  {msg}",
        )
        .expect("template")
        .progress_chars("=> "),
    );
    overall.set_prefix("verify");
    let rows_bar = bars.add(ProgressBar::new(0));
    rows_bar.set_style(
        ProgressStyle::with_template(
            "  rows  [{bar:30}] {human_pos}/{human_len}  {rate}  eta {eta}  {msg}",
        )
        .expect("template")
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                // The average since the start: what a throttle holds to.
                let secs = s.elapsed().as_secs_f64().max(0.001);
                let _ = write!(w, "{:.0} rows/s", s.pos() as f64 / secs);
            },
        )
        .progress_chars("=> "),
    );
    let max_lag = match (&ctx.cfg, a.max_lag_seconds) {
        (Some(cfg), Some(l)) => Some((cfg.state_dir(), l)),
        _ => None,
    };
    let pacer = Arc::new(pace::Pacer::new(
        (a.max_rows_per_second > 0).then_some(a.max_rows_per_second as f64),
        max_lag,
        rows_bar.clone(),
    ));
    let opts = Arc::new(VerifyOptions {
        chunk_rows: a.chunk_rows,
        leaf_rows: a.leaf_rows,
        fanout: a.fanout,
        rows_only: a.rows_only,
    });
    let limit = Arc::new(Semaphore::new(a.parallel.max(1)));
    let mut tasks = Vec::new();
    for spec in specs {
        let (src, dst, opts, limit, overall, pacer, checkpoint) = (
            a.source.clone(),
            a.target.clone(),
            opts.clone(),
            limit.clone(),
            overall.clone(),
            pacer.clone(),
            checkpoint.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            let state = checkpoint.load(&spec);
            if let Some(mut done) = state.outcome.clone() {
                // Finished by an earlier run: taken whole.
                done.resumed_chunks = done.resumed_chunks.max(state.chunks.len() as u64).max(1);
                pacer
                    .rows_bar
                    .inc_length(done.source_rows.max(done.target_rows));
                pacer.rows_bar.inc(done.source_rows.max(done.target_rows));
                overall.inc(1);
                overall.set_message(format!("{} from the checkpoint", spec.source));
                return (spec, Ok(done), true);
            }
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
                let mut observer = pace::TableObserver {
                    pacer: pacer.clone(),
                    checkpoint: Some((checkpoint.clone(), state)),
                    spec: spec.clone(),
                };
                let o = verify_table_observed(&mut s, &mut t, &spec, &opts, &mut observer).await?;
                if let Some((cp, mut st)) = observer.checkpoint.take() {
                    st.outcome = Some(o.clone());
                    cp.save(&spec, &st).map_err(|e| {
                        sluice_engine::Error::Invalid(format!("saving the verify checkpoint: {e}"))
                    })?;
                }
                Ok::<_, sluice_engine::Error>(o)
            }
            .await;
            overall.inc(1);
            match &result {
                Ok(o) => overall.set_message(format!("{} rows in {}", o.source_rows, spec.source)),
                Err(_) => overall.set_message(format!("{} failed", spec.source)),
            }
            (spec, result, false)
        }));
    }
    let mut report = VerifyReport {
        source: sides::redact(&a.source),
        target: redact_url(&a.target),
        started_at,
        elapsed_ms: 0,
        tables: Vec::new(),
    };
    let mut from_checkpoint = Vec::new();
    for t in tasks {
        let (spec, result, resumed) = t.await?;
        if resumed {
            from_checkpoint.push(spec.source.to_string());
        }
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
    rows_bar.finish_and_clear();
    overall.finish_and_clear();
    // Rows compared by this run (tables taken whole from a checkpoint are not).
    let compared_rows: u64 = report
        .tables
        .iter()
        .filter(|t| !from_checkpoint.contains(&t.spec.source.to_string()))
        .filter_map(|t| t.outcome.as_ref())
        .map(|o| o.source_rows.max(o.target_rows))
        .sum();
    let compare_secs = started.elapsed().as_secs_f64();

    // Online: keys that differ may only be changes still in flight. Re-read
    // just those keys around a later fence; what still differs is real.
    if a.online {
        let cfg = ctx.cfg.as_ref().expect("checked above");
        recheck_online(&a, cfg, &mut report.tables, fence_timeout).await?;
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;

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
                let mut extra = String::new();
                if o.in_flight > 0 {
                    extra.push_str(&format!(", in flight {}", o.in_flight));
                }
                if from_checkpoint.contains(&t.spec.source.to_string()) {
                    extra.push_str(", from checkpoint");
                } else if o.resumed_chunks > 0 {
                    extra.push_str(&format!(", {} chunks from checkpoint", o.resumed_chunks));
                }
                println!(
                    "  {:<8} {:<40} {:>10} rows  missing {m}, extra {e}, changed {c}{extra}  ({:.1} s)",
                    if o.is_clean() { "clean" } else { "DIFFERS" },
                    t.spec.source.to_string(),
                    o.source_rows,
                    o.elapsed_ms as f64 / 1000.0
                );
            }
            (None, None) => {}
        }
    }
    let paused_ms = *pacer.paused_ms.lock().expect("pacer lock");
    println!(
        "compared {compared_rows} rows in {compare_secs:.1} s ({:.0} rows/s{}{})",
        compared_rows as f64 / compare_secs.max(0.001),
        if from_checkpoint.is_empty() {
            String::new()
        } else {
            format!(", {} tables from checkpoint", from_checkpoint.len())
        },
        if paused_ms > 0 {
            format!(", paused {:.1} s for sync lag", paused_ms as f64 / 1000.0)
        } else {
            String::new()
        }
    );
    println!("{}", report.summary_line());
    println!("report: {}", a.out.join("verify.html").display());

    if a.apply_repair && !report.is_clean() {
        match &ctx.cfg {
            Some(cfg) => {
                let done = repair::apply_through_sink(cfg, &a.target, &report.tables).await?;
                println!(
                    "repair applied through the sink: {} row changes in {} transactions (pipeline {}); revert script: {}",
                    done.rows,
                    done.records,
                    done.pipeline,
                    a.out.join("revert.sql").display()
                );
            }
            None => {
                apply(&a.target, &report.tables).await?;
                println!(
                    "repair applied to the target; revert script: {}",
                    a.out.join("revert.sql").display()
                );
            }
        }
    }
    let (_, differing, failed) = report.table_counts();
    if failed == 0 {
        checkpoint.clear();
    }
    let code = if failed > 0 {
        ExitCode::from(2)
    } else if differing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    Ok((code, report, first_fence_seq))
}

/// Online re-check of every differing key, in up to three rounds: read the
/// keys' source rows, take a fence and wait for sync to apply it, read the
/// target rows, then the source rows again. A key whose source rows did not
/// move across the round is settled (in flight: it matches now) or real (it
/// still differs); a key still being written is tried again next round and,
/// if it never holds still, counted as in flight.
async fn recheck_online(
    a: &VerifyArgs,
    cfg: &crate::config::MigrationConfig,
    tables: &mut [TableReport],
    fence_timeout: Duration,
) -> Result<(), BoxError> {
    use sluice_engine::value::Value;
    use sluice_engine::verify::canonical::cmp_keys;
    let mut pending: Vec<Vec<Vec<Value>>> = tables
        .iter()
        .map(|t| {
            let mut keys: Vec<Vec<Value>> = t
                .outcome
                .iter()
                .flat_map(|o| o.diffs.iter().map(|d| d.key().to_vec()))
                .collect();
            keys.sort_by(|x, y| cmp_keys(x, y));
            keys.dedup_by(|x, y| cmp_keys(x, y) == std::cmp::Ordering::Equal);
            keys
        })
        .collect();
    if pending.iter().all(|k| k.is_empty()) {
        return Ok(());
    }
    let mut real: Vec<Vec<sluice_engine::verify::RowDiff>> = vec![Vec::new(); tables.len()];
    let mut src = Source::connect(&a.source)
        .await
        .map_err(|e| format!("connecting to {}: {e}", sides::redact(&a.source)))?;
    let mut dst = MySqlVerifySide::connect(&a.target, Role::Target).await?;
    if let Source::Ms(_) = src {
        for t in tables
            .iter()
            .filter(|t| t.outcome.as_ref().is_some_and(|o| !o.is_clean()))
        {
            src.spec(
                &t.spec.source.schema,
                &t.spec.source.name,
                &t.spec.target.schema,
            )
            .await?;
        }
    }
    for round in 1..=3 {
        let todo: Vec<usize> = (0..tables.len())
            .filter(|&i| !pending[i].is_empty())
            .collect();
        if todo.is_empty() {
            break;
        }
        let mut before = Vec::new();
        for &i in &todo {
            before.push(read_keys(&mut src, &tables[i].spec, &pending[i]).await?);
        }
        let f = online::fence(cfg, fence_timeout).await?;
        println!(
            "online: re-checking {} differing keys in {} tables after fence {} (round {round})",
            todo.iter().map(|&i| pending[i].len()).sum::<usize>(),
            todo.len(),
            f.position
        );
        for (&i, before) in todo.iter().zip(before) {
            let spec = &tables[i].spec;
            let target = read_keys(&mut dst, spec, &pending[i]).await?;
            let after = read_keys(&mut src, spec, &pending[i]).await?;
            let r = classify_recheck(spec, &pending[i], before, target, after)?;
            let o = tables[i].outcome.as_mut().expect("has differences");
            o.in_flight += r.settled.len() as u64;
            real[i].extend(r.real);
            pending[i] = r.moving;
        }
    }
    for (i, t) in tables.iter_mut().enumerate() {
        if let Some(o) = t.outcome.as_mut().filter(|o| !o.is_clean()) {
            if !pending[i].is_empty() {
                eprintln!(
                    "online: {} keys of {} kept changing on the source through every re-check; counted as in flight",
                    pending[i].len(),
                    t.spec.source
                );
                o.in_flight += pending[i].len() as u64;
            }
            o.diffs = std::mem::take(&mut real[i]);
        }
    }
    Ok(())
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
