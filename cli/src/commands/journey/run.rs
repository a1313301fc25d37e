//! Runs one direction of the migration (forward: source -> OceanBase;
//! reverse: OceanBase's binlog -> source) with the endpoints of the
//! migration file, until a signal or until drained.
//!
//! Both directions are the same `Pipeline<Source, Sink>`; only the
//! endpoints differ. While it runs, the status is written to
//! `status.json` in the state folder every second, for `sluice status`
//! (the logs are locked by this process) and the status page.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_engine::event::TableRef;
use sluice_engine::log::{EventLog, LogOptions, RetentionPolicy};
use sluice_engine::pipeline::{Pipeline, PipelineOptions, PipelineStatus, Sink, Source};
use sluice_engine::position::{BinlogPosition, SourcePosition};
use sluice_mssql::cdc::{assemble::end_of, source::current_max_lsn, CdcSourceConfig};
use sluice_mssql::{MssqlCdcSource, MssqlConfig, MssqlSink};
use sluice_oceanbase::binlog::{BinlogConfig, BinlogSource, StartAt};
use sluice_oceanbase::config::TableNaming;
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink};
use tokio::sync::watch;

use super::state::JourneyState;
use super::throttle::{Throttle, ThrottledSink};
use crate::commands::migrate::mysql::binlog_end;
use crate::config::{EndpointKind, MigrationConfig};
use crate::observe::{Observed, StatusReport};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Reverse,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Reverse => "reverse",
        }
    }
}

/// When a run ends.
#[derive(Debug, Clone)]
pub enum Until {
    /// On SIGINT/SIGTERM (or the stop channel).
    Stopped,
    /// Once everything the source has committed is applied. With `quiet`,
    /// first wait until the source has had no new writes for that long
    /// (the applications have stopped).
    Drained {
        quiet: Option<Duration>,
        timeout: Duration,
    },
}

/// What a finished run reached.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The source end position drained to (for `Until::Drained`).
    pub drained_to: Option<SourcePosition>,
    pub status: PipelineStatus,
}

/// The configured endpoints of one migration.
pub struct Endpoints<'a> {
    pub cfg: &'a MigrationConfig,
    pub state_dir: PathBuf,
}

impl<'a> Endpoints<'a> {
    pub fn new(cfg: &'a MigrationConfig) -> Self {
        Endpoints {
            cfg,
            state_dir: cfg.state_dir(),
        }
    }

    /// How source tables are named on the target.
    pub fn target_naming(&self) -> TableNaming {
        let base = match self.cfg.source_kind() {
            EndpointKind::Mssql => TableNaming::MainAndSchemas(self.cfg.target.database.clone()),
            EndpointKind::Mysql => TableNaming::Database(self.cfg.target.database.clone()),
        };
        if self.cfg.tables.rename.is_empty() {
            return base;
        }
        TableNaming::Renamed {
            base: Box::new(base),
            renames: self
                .cfg
                .tables
                .rename
                .iter()
                .map(|(k, v)| (k.to_lowercase(), v.clone()))
                .collect(),
        }
    }

    /// How target tables are named back on a MySQL-protocol source (reverse sync).
    fn source_naming(&self) -> TableNaming {
        let base = TableNaming::Database(self.cfg.source.database.clone());
        if self.cfg.tables.rename.is_empty() {
            return base;
        }
        // Inverse of the forward renames: `targetdb.new_name` -> the source's name.
        let renames = self
            .cfg
            .tables
            .rename
            .iter()
            .filter_map(|(k, v)| {
                let (_, table) = k.split_once('.')?;
                Some((
                    format!("{}.{v}", self.cfg.target.database).to_lowercase(),
                    table.to_string(),
                ))
            })
            .collect();
        TableNaming::Renamed {
            base: Box::new(base),
            renames,
        }
    }

    fn target_config(&self, url: String) -> OceanBaseConfig {
        let mut c = OceanBaseConfig::new(url);
        c.naming = self.target_naming();
        c.lanes = self.cfg.sync.lanes;
        c.control_database = self.cfg.control_database();
        c
    }

    /// The source's current end of change stream.
    pub async fn source_end(&self) -> Result<SourcePosition, BoxError> {
        match self.cfg.source_kind() {
            EndpointKind::Mysql => {
                let url = self.cfg.source.mysql_url("source")?;
                let mut c = sluice_oceanbase::conn::connect(&OceanBaseConfig::new(&url))
                    .await
                    .map_err(|e| format!("connecting to the source: {e}"))?;
                Ok(SourcePosition::Binlog(binlog_end(&mut c.conn).await?))
            }
            EndpointKind::Mssql => {
                let cfg = MssqlConfig::from_ado(&self.cfg.source.ado("source")?)?;
                let mut client = sluice_mssql::connect(&cfg).await?;
                let lsn = current_max_lsn(&mut client).await?;
                Ok(SourcePosition::Mssql(end_of(lsn)))
            }
        }
    }

    /// The target binlog service's current end.
    pub async fn target_binlog_end(&self) -> Result<BinlogPosition, BoxError> {
        let (url, _) = self.cfg.target.binlog_url()?;
        let mut c = sluice_oceanbase::conn::connect(&OceanBaseConfig::new(&url))
            .await
            .map_err(|e| format!("connecting to the target's binlog service: {e}"))?;
        binlog_end(&mut c.conn).await.map_err(|e| {
            format!(
                "the target's binlog service gives no position ({e}); reverse sync needs it \
                 (set [target.binlog] to OceanBase's binlog service)"
            )
            .into()
        })
    }

    pub async fn end_of(&self, d: Direction) -> Result<SourcePosition, BoxError> {
        match d {
            Direction::Forward => self.source_end().await,
            Direction::Reverse => Ok(SourcePosition::Binlog(self.target_binlog_end().await?)),
        }
    }

    /// The source's tables to capture (SQL Server CDC needs them named).
    async fn mssql_tables(&self, cfg: &MssqlConfig) -> Result<Vec<TableRef>, BoxError> {
        let mut client = sluice_mssql::connect(cfg).await?;
        let fl = sluice_mssql::catalog::flavor(&mut client).await?;
        let tables = sluice_mssql::catalog::read_tables(&mut client, fl).await?;
        Ok(tables
            .iter()
            .filter(|t| !t.name.name.eq_ignore_ascii_case("sluice_apply_cursor"))
            .filter(|t| {
                self.cfg
                    .tables
                    .wants(&format!("{}.{}", t.name.schema_or_dbo(), t.name.name))
            })
            .map(|t| TableRef::new(t.name.schema_or_dbo(), t.name.name.as_str()))
            .collect())
    }
}

/// Opens a direction's log, seeding an empty log's checkpoint with `start`
/// so capture begins exactly there.
pub fn open_log(dir: &Path, start: Option<&SourcePosition>) -> Result<Arc<EventLog>, BoxError> {
    let log = EventLog::open(dir, LogOptions::default())
        .map_err(|e| format!("opening the event log {}: {e}", dir.display()))?;
    if log.checkpoint()?.position.is_none() {
        let start = start.ok_or(
            "this direction has no start position yet (run `sluice migrate` first, or `sluice cutover` for the reverse direction)",
        )?;
        log.advance_checkpoint(start.clone(), now_us(), true)?;
    }
    Ok(Arc::new(log))
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// A stop channel that turns true on SIGINT or SIGTERM.
pub fn stop_on_signals() -> (watch::Sender<bool>, watch::Receiver<bool>) {
    let (tx, rx) = watch::channel(false);
    let t = tx.clone();
    tokio::spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        eprintln!("stopping: finishing the batch in hand");
        let _ = t.send(true);
    });
    (tx, rx)
}

/// Runs `d` until `until`, writing status as it goes.
pub async fn run(
    eps: &Endpoints<'_>,
    journey: &JourneyState,
    d: Direction,
    until: Until,
    stop: watch::Receiver<bool>,
    observed: Arc<Observed>,
) -> Result<RunOutcome, BoxError> {
    let cfg = eps.cfg;
    let dir = &eps.state_dir;
    match d {
        Direction::Forward => {
            let log = open_log(
                &journey.forward_log_dir(dir),
                journey.forward_start.as_ref(),
            )?;
            let name = journey.forward_name(&cfg.migration.name);
            let sink = OceanBaseSink::new(eps.target_config(cfg.target.mysql_url("target")?));
            match cfg.source_kind() {
                EndpointKind::Mysql => {
                    let mut b =
                        BinlogConfig::new(cfg.source.mysql_url("source")?, cfg.sync.server_id);
                    b.start = StartAt::Current;
                    let source = BinlogSource::new(b);
                    drive(
                        eps,
                        d,
                        name,
                        source,
                        ThrottledSink::new(sink, Throttle::new(cfg.sync.max_rows_per_second)),
                        log,
                        until,
                        stop,
                        observed,
                    )
                    .await
                }
                EndpointKind::Mssql => {
                    let mcfg = MssqlConfig::from_ado(&cfg.source.ado("source")?)?;
                    let tables = eps.mssql_tables(&mcfg).await?;
                    let source = MssqlCdcSource::new(
                        mcfg,
                        CdcSourceConfig {
                            tables,
                            poll_interval: Duration::from_millis(cfg.sync.poll_ms.max(10)),
                            ..CdcSourceConfig::default()
                        },
                    );
                    drive(
                        eps,
                        d,
                        name,
                        source,
                        ThrottledSink::new(sink, Throttle::new(cfg.sync.max_rows_per_second)),
                        log,
                        until,
                        stop,
                        observed,
                    )
                    .await
                }
            }
        }
        Direction::Reverse => {
            let log = open_log(
                &journey.reverse_log_dir(dir),
                journey.reverse_start.as_ref(),
            )?;
            let name = journey.reverse_name(&cfg.migration.name);
            let (url, server_id) = cfg.target.binlog_url()?;
            let mut b = BinlogConfig::new(url, server_id);
            b.catalog_url = Some(cfg.target.mysql_url("target")?);
            b.start = StartAt::Current;
            let source = BinlogSource::new(b);
            match cfg.source_kind() {
                EndpointKind::Mysql => {
                    let mut sc = OceanBaseConfig::new(cfg.source.mysql_url("source")?);
                    sc.naming = eps.source_naming();
                    sc.control_database = cfg.control_database();
                    let sink = OceanBaseSink::new(sc);
                    drive(
                        eps,
                        d,
                        name,
                        source,
                        ThrottledSink::new(sink, Throttle::new(cfg.sync.max_rows_per_second)),
                        log,
                        until,
                        stop,
                        observed,
                    )
                    .await
                }
                EndpointKind::Mssql => {
                    let main = cfg.target.database.clone();
                    let mapper: sluice_mssql::sink::TableMapper = Arc::new(move |t: &TableRef| {
                        // Inverse of the forward placement: `main` -> dbo, `main_s` -> s.
                        let schema = if t.schema.eq_ignore_ascii_case(&main) {
                            "dbo".to_string()
                        } else {
                            t.schema
                                .strip_prefix(&format!("{main}_"))
                                .unwrap_or(&t.schema)
                                .to_string()
                        };
                        TableRef::new(schema.as_str(), &*t.name)
                    });
                    let sink = MssqlSink::new(MssqlConfig::from_ado(&cfg.source.ado("source")?)?)
                        .with_table_mapper(mapper);
                    drive(
                        eps,
                        d,
                        name,
                        source,
                        ThrottledSink::new(sink, Throttle::new(cfg.sync.max_rows_per_second)),
                        log,
                        until,
                        stop,
                        observed,
                    )
                    .await
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn drive<S: Source, K: Sink>(
    eps: &Endpoints<'_>,
    d: Direction,
    name: String,
    source: S,
    sink: K,
    log: Arc<EventLog>,
    until: Until,
    stop: watch::Receiver<bool>,
    observed: Arc<Observed>,
) -> Result<RunOutcome, BoxError> {
    let (inner_tx, inner_rx) = watch::channel(false);
    let mut pipeline = Pipeline::new(
        name.clone(),
        source,
        sink,
        log.clone(),
        PipelineOptions::default(),
    );
    let retention = RetentionPolicy {
        max_age: Some(Duration::from_secs(eps.cfg.log.retention_hours * 3600)),
        max_bytes: eps.cfg.log.max_bytes,
    };
    observed.set_phase(JourneyState::load(&eps.state_dir)?.phase.to_string());
    observed.set_direction(match d {
        Direction::Forward => crate::observe::Direction::Forward,
        Direction::Reverse => crate::observe::Direction::Reverse,
    });

    // This process's status replaces whatever a previous (maybe killed) one left.
    write_status(
        &eps.state_dir,
        &observed,
        &PipelineStatus::compute(&log, hint(&log, &name)?, now_us())?,
    )?;

    // Forward the outer stop (signals) to the pipeline's own stop.
    let mut outer = stop.clone();
    let fwd = inner_tx.clone();
    tokio::spawn(async move {
        while outer.changed().await.is_ok() {
            if *outer.borrow() {
                let _ = fwd.send(true);
                break;
            }
        }
    });

    let monitor = monitor(
        eps,
        d,
        &name,
        log.clone(),
        until,
        inner_tx.clone(),
        stop,
        observed.clone(),
        retention,
    );
    // A pipeline that ends on its own (a fatal error: a constraint, a schema
    // change) ends the monitor too: the process must exit and say why, not
    // sit there looking healthy while the lag grows.
    let run = async {
        let r = pipeline.run(inner_rx).await;
        if let Err(e) = &r {
            observed.record_error(e.to_string());
        }
        // `send_replace`: the pipeline's receiver is gone by now, and `send`
        // would not store the value without one.
        inner_tx.send_replace(true);
        r
    };
    let (ran, watched) = tokio::join!(run, monitor);
    let status = PipelineStatus::compute(&log, hint(&log, &name)?, now_us())?;
    write_status(&eps.state_dir, &observed, &status)?;
    ran.map_err(|e| format!("{} sync: {e}", d.label()))?;
    let drained_to = watched?;
    log.flush()?;
    Ok(RunOutcome { drained_to, status })
}

fn hint(log: &EventLog, name: &str) -> Result<Option<u64>, BoxError> {
    Ok(log
        .cursor_hints()?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c.seq))
}

/// Writes status every second; for `Until::Drained`, waits for quiet, then
/// for the drain, then stops the pipeline. Returns the position drained to.
#[allow(clippy::too_many_arguments)]
async fn monitor(
    eps: &Endpoints<'_>,
    d: Direction,
    name: &str,
    log: Arc<EventLog>,
    until: Until,
    stop_pipeline: watch::Sender<bool>,
    mut outer_stop: watch::Receiver<bool>,
    observed: Arc<Observed>,
    retention: RetentionPolicy,
) -> Result<Option<SourcePosition>, BoxError> {
    let started = Instant::now();
    let mut last_seq = log.checkpoint()?.last_seq;
    let mut last_cursor = hint(&log, name)?;
    let mut last_write = Instant::now();
    let mut last_end: Option<SourcePosition> = None;
    let mut drain_target: Option<SourcePosition> = None;
    let mut last_note = Instant::now();
    let mut ticks = 0u64;
    let result = loop {
        if *outer_stop.borrow() || *stop_pipeline.borrow() {
            break Ok(None);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = outer_stop.changed() => {}
        }
        ticks += 1;
        let now = now_us();
        let cursor = hint(&log, name)?;
        let status = PipelineStatus::compute(&log, cursor, now)?;
        // Counters: records captured, rows applied since the last tick.
        if status.last_seq > last_seq {
            observed.record_captured(status.last_seq - last_seq);
            last_seq = status.last_seq;
        }
        if let Some(c) = cursor {
            let from = last_cursor.unwrap_or(0);
            if c > from {
                let mut rows = 0u64;
                for seq in from + 1..=c {
                    if let Some(m) = log.meta(seq)? {
                        rows += m.rows as u64;
                    }
                }
                observed.record_applied(rows);
            }
            last_cursor = Some(c);
        }
        write_status(&eps.state_dir, &observed, &status)?;
        if ticks.is_multiple_of(120) {
            if let Err(e) = log.apply_retention(&retention, now) {
                tracing::warn!(error = %e, "log retention pass failed");
            }
        }
        let Until::Drained { quiet, timeout } = &until else {
            continue;
        };
        if started.elapsed() > *timeout {
            break Err(format!(
                "{} sync did not drain within {} s (lag {} records, {:.1} s); nothing is lost: run the command again",
                d.label(),
                timeout.as_secs(),
                status.lag_records,
                status.lag_seconds
            )
            .into());
        }
        if drain_target.is_none() {
            let end = eps.end_of(d).await?;
            if let Some(q) = quiet {
                if last_end.as_ref() != Some(&end) {
                    last_end = Some(end.clone());
                    last_write = Instant::now();
                }
                if last_write.elapsed() < *q {
                    if last_note.elapsed() > Duration::from_secs(5) {
                        eprintln!(
                            "waiting for writes to stop on the {} side: last change {:.0} s ago (need {} s quiet)",
                            match d { Direction::Forward => "source", Direction::Reverse => "OceanBase" },
                            last_write.elapsed().as_secs_f64(),
                            q.as_secs()
                        );
                        last_note = Instant::now();
                    }
                    continue;
                }
            }
            drain_target = Some(end);
        }
        let target = drain_target.as_ref().expect("set above");
        let captured = log.checkpoint()?.position;
        let caught_up = captured
            .as_ref()
            .is_some_and(|p| p.partial_cmp(target).is_some_and(|o| o.is_ge()));
        if caught_up && status.lag_records == 0 {
            stop_pipeline.send_replace(true);
            break Ok(drain_target.clone());
        }
    };
    if result.is_err() {
        stop_pipeline.send_replace(true);
    }
    result
}

/// Writes `status.json` (atomically) from the observed counters and the log.
pub fn write_status(
    state_dir: &Path,
    observed: &Observed,
    status: &PipelineStatus,
) -> Result<(), BoxError> {
    observed.set_pipeline_status(status);
    let report: StatusReport = observed.snapshot();
    super::state::write_atomic(
        &state_dir.join("status.json"),
        serde_json::to_string_pretty(&report)?.as_bytes(),
    )
}
