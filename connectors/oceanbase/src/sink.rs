//! The OceanBase sink: log records → target rows, exactly once.
//!
//! Each target transaction locks and reads the pipeline's cursor row first,
//! skips records the target already has, applies the rest, writes the new
//! cursor and commits. The cursor therefore commits with exactly the rows it
//! accounts for, so:
//! - a commit whose acknowledgement is lost is found on the next cursor read
//!   (the pipeline re-reads it before retrying) and not applied twice;
//! - a replay of already-applied records changes nothing;
//! - two appliers of one pipeline serialize on the cursor row;
//! - a batch that would leave a hole (records between the target's cursor
//!   and the batch's first record) is refused: that is how rows get lost.
//!
//! Fast path: when the sink already knows the stored cursor (it wrote or read
//! it) and the batch follows it, one conditional `UPDATE … WHERE last_seq =
//! known` replaces the locking read and the final upsert; if it matches no
//! row, the transaction falls back to the locking read. (On seekdb the upsert
//! of the cursor row cost ~10 ms per commit; the UPDATE well under 1 ms.)
//!
//! Statements for slice i+1 of a commit are built while the server runs
//! slice i. With `lanes > 1` see [`crate::lanes`].
//!
//! The first time a batch names a target table, the sink reads that table's
//! unique indexes (see [`crate::unique`]): tables with a unique index other
//! than the key get `DELETE` + plain `INSERT` instead of the upsert, and a
//! collision on that index stops the pipeline (fatal, no values in the
//! message) instead of merging two rows. The facts are read again after any
//! failed apply or schema-change record.

use std::collections::HashMap;
use std::sync::Arc;

use mysql_async::prelude::Queryable;
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::{ApplyCursor, Sink};
use sluice_engine::{Error, Result};

use crate::config::{redact_url, OceanBaseConfig};
use crate::conn::{connect, ConnectError, Connected};
use crate::control;
use crate::error::{describe, is_retryable};
use crate::lanes;
use crate::plan::{plan, Kind, Limits, Statement};
use crate::unique::{read_unique, Guards, Mode};

/// Counters since the sink was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkStats {
    /// Target transactions committed.
    pub commits: u64,
    /// Log records applied.
    pub records: u64,
    /// Log records skipped because the target's cursor already covered them.
    pub skipped_records: u64,
    /// SQL statements of row changes executed.
    pub statements: u64,
    /// Connections made (the first one included).
    pub connects: u64,
}

/// Applies log records to OceanBase (MySQL mode). See the module docs.
pub struct OceanBaseSink {
    cfg: OceanBaseConfig,
    conn: Option<Connected>,
    stats: SinkStats,
    /// The cursor each pipeline has on the target, as this sink last wrote or
    /// read it. Only a hint for the fast path: forgotten on any error, and
    /// checked by the target (a conditional UPDATE) before it is relied on.
    known: HashMap<String, ApplyCursor>,
    /// One connection per apply lane (only with `lanes > 1`).
    lane_conns: Vec<Option<Connected>>,
    /// Unique indexes of the target tables met so far: upsert or delete+insert.
    guards: Arc<Guards>,
}

impl OceanBaseSink {
    /// A sink that connects on first use.
    pub fn new(cfg: OceanBaseConfig) -> Self {
        OceanBaseSink {
            cfg,
            conn: None,
            stats: SinkStats::default(),
            known: HashMap::new(),
            lane_conns: Vec::new(),
            guards: Arc::new(Guards::new()),
        }
    }

    /// A sink that has connected and created its control schema.
    pub async fn connect(cfg: OceanBaseConfig) -> Result<Self> {
        let mut s = Self::new(cfg);
        s.conn().await?;
        Ok(s)
    }

    pub fn config(&self) -> &OceanBaseConfig {
        &self.cfg
    }

    pub fn stats(&self) -> &SinkStats {
        &self.stats
    }

    /// Whether the current connection is encrypted (`None`: not connected).
    pub fn encrypted(&self) -> Option<bool> {
        self.conn.as_ref().map(|c| c.encrypted)
    }

    /// Drops the connection; the next call reconnects. (Tests use it to
    /// simulate a connection lost between calls.)
    pub fn disconnect(&mut self) {
        self.conn = None;
        self.lane_conns.clear();
    }

    async fn conn(&mut self) -> Result<&mut Connected> {
        if self.conn.is_none() {
            let mut c = connect(&self.cfg)
                .await
                .map_err(|e| self.connect_error(e))?;
            control::ensure_schema(&mut c.conn, &self.cfg.control_database)
                .await
                .map_err(|e| {
                    sql_error(
                        &e,
                        format!(
                            "creating control table {}",
                            control::cursor_table(&self.cfg.control_database)
                        ),
                        &[&self.cfg.control_database, control::CURSOR_TABLE],
                    )
                })?;
            self.stats.connects += 1;
            tracing::debug!(target = %redact_url(&self.cfg.url), encrypted = c.encrypted, "sink connected");
            self.conn = Some(c);
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    fn connect_error(&self, e: ConnectError) -> Error {
        let msg = format!(
            "connecting to {}: {}",
            redact_url(&self.cfg.url),
            match &e {
                ConnectError::Mysql(m) => describe(m, &[]),
                other => other.to_string(),
            }
        );
        if e.is_retryable() {
            Error::sink_retryable(msg)
        } else {
            Error::sink_fatal(msg)
        }
    }

    /// Applies one commit unit; on any error the transaction is rolled back
    /// (or the connection dropped, which rolls it back on the server).
    async fn apply_unit(&mut self, pipeline: &str, unit: &[LogRecord]) -> Result<ApplyCursor> {
        let cfg = self.cfg.clone();
        let known = self.known.remove(pipeline);
        let guards = self.guards.clone();
        let c = self.conn().await?;
        let result = run_unit(&mut c.conn, &cfg, pipeline, unit, known.as_ref(), &guards).await;
        match result {
            Ok(outcome) => {
                match &outcome {
                    Outcome::Applied {
                        records,
                        statements,
                        ..
                    } => {
                        self.stats.commits += 1;
                        self.stats.records += *records as u64;
                        self.stats.statements += *statements as u64;
                        self.stats.skipped_records += (unit.len() - records) as u64;
                    }
                    Outcome::AlreadyApplied(_) => self.stats.skipped_records += unit.len() as u64,
                }
                let cursor = outcome.cursor();
                self.known.insert(pipeline.to_string(), cursor.clone());
                Ok(cursor)
            }
            Err(UnitError { error, rollback }) => {
                let conn_ok = rollback && !error.is_retryable();
                let rolled_back = if conn_ok {
                    let c = self.conn.as_mut().expect("connected");
                    c.conn.query_drop("ROLLBACK").await.is_ok()
                } else {
                    false
                };
                if !rolled_back {
                    // A broken or unknown session: dropping it makes the server roll back.
                    self.conn = None;
                }
                Err(error)
            }
        }
    }
}

/// Ends a failed unit on its connection: rolls back when the session is
/// healthy, else drops it (the server then rolls back).
async fn settle(slot: &mut Option<Connected>, ue: UnitError) -> Error {
    let rolled_back = if ue.rollback && !ue.error.is_retryable() {
        match slot.as_mut() {
            Some(c) => c.conn.query_drop("ROLLBACK").await.is_ok(),
            None => false,
        }
    } else {
        false
    };
    if !rolled_back {
        *slot = None;
    }
    ue.error
}

impl OceanBaseSink {
    async fn lane_conn(&mut self, i: usize) -> Result<()> {
        if self.lane_conns.len() < self.cfg.lanes {
            self.lane_conns.resize_with(self.cfg.lanes, || None);
        }
        if self.lane_conns[i].is_none() {
            let c = connect(&self.cfg)
                .await
                .map_err(|e| self.connect_error(e))?;
            self.stats.connects += 1;
            self.lane_conns[i] = Some(c);
        }
        Ok(())
    }

    /// Reads the unique indexes of every target table in `records` that the
    /// sink has not met yet (all of them again after a schema change).
    async fn load_guards(&mut self, records: &[LogRecord]) -> Result<()> {
        use sluice_engine::event::Change;
        let rows = || {
            records
                .iter()
                .flat_map(|r| &r.tx.changes)
                .filter_map(|c| match c {
                    Change::Row(ev) => Some(ev),
                    Change::Schema(_) => None,
                })
        };
        if records
            .iter()
            .flat_map(|r| &r.tx.changes)
            .any(|c| matches!(c, Change::Schema(_)))
        {
            Arc::make_mut(&mut self.guards).clear();
        }
        let mut todo: Vec<((String, String), &sluice_engine::event::ChangeEvent)> = Vec::new();
        let mut last = None;
        for ev in rows() {
            if last == Some(&ev.table) {
                continue;
            }
            last = Some(&ev.table);
            let t = self.cfg.naming.target(&ev.table);
            if !self.guards.knows(&t.0, &t.1) && !todo.iter().any(|(k, _)| *k == t) {
                todo.push((t, ev));
            }
        }
        if todo.is_empty() {
            return Ok(());
        }
        let c = self.conn().await?;
        let mut read = Vec::new();
        for ((db, table), ev) in todo {
            let t = match read_unique(&mut c.conn, &db, &table).await {
                Ok(t) => t,
                Err(e) => {
                    if is_retryable(&e) {
                        self.conn = None;
                    }
                    return Err(sql_error(
                        &e,
                        format!("reading the unique indexes of `{db}`.`{table}`"),
                        &[&db, &table],
                    ));
                }
            };
            let key: Vec<&str> = ev
                .key
                .iter()
                .map(|&k| ev.columns[k as usize].as_str())
                .collect();
            if ev.key.len() < ev.columns.len() && t.mode(&key) == Mode::DeleteInsert {
                let others: Vec<String> = t
                    .others(&key)
                    .map(|i| format!("{} ({})", i.name, i.column_list()))
                    .collect();
                tracing::warn!(
                    table = %format!("{db}.{table}"),
                    key = %key.join(", "),
                    other_unique = %others.join("; "),
                    "target table has a unique index other than the key: inserts and updates                      are applied as DELETE + INSERT, and a collision on that index stops apply"
                );
            }
            read.push((db, table, t));
        }
        let g = Arc::make_mut(&mut self.guards);
        for (db, table, t) in read {
            g.insert(db, table, t);
        }
        Ok(())
    }

    /// Applies `records` over `cfg.lanes` connections (see [`crate::lanes`]).
    async fn apply_laned(&mut self, pipeline: &str, records: &[LogRecord]) -> Result<ApplyCursor> {
        let cfg = self.cfg.clone();
        let guards = self.guards.clone();
        let n = cfg.lanes;
        self.known.remove(pipeline);
        let c = self.conn().await?;
        if let Err(e) = lanes::ensure_lanes(&mut c.conn, &cfg, pipeline, records[0].seq).await {
            if e.is_retryable() {
                self.conn = None;
            }
            return Err(e);
        }
        for i in 0..n {
            self.lane_conn(i).await?;
        }
        let assigned: Vec<Option<usize>> = records
            .iter()
            .map(|r| lanes::record_lane(r, &cfg.naming, n, &guards))
            .collect();
        let mut i = 0;
        while i < records.len() {
            if assigned[i].is_none() {
                let j = (i..records.len())
                    .find(|&j| assigned[j].is_some())
                    .unwrap_or(records.len());
                for unit in commit_units(&records[i..j], cfg.max_rows_per_commit.max(1)) {
                    let c = self.conn().await?;
                    match barrier_unit(&mut c.conn, &cfg, pipeline, unit, &guards).await {
                        Ok((applied, skipped)) => {
                            self.stats.commits += (applied > 0) as u64;
                            self.stats.records += applied as u64;
                            self.stats.skipped_records += skipped as u64;
                        }
                        Err(ue) => return Err(settle(&mut self.conn, ue).await),
                    }
                }
                i = j;
                continue;
            }
            let j = (i..records.len())
                .find(|&j| assigned[j].is_none())
                .unwrap_or(records.len());
            let run = &records[i..j];
            let mut per_lane: Vec<Vec<&LogRecord>> = vec![Vec::new(); n];
            for (r, a) in run.iter().zip(&assigned[i..j]) {
                per_lane[a.expect("single-lane run")].push(r);
            }
            let first = run[0].seq;
            let last = run.last().expect("non-empty run");
            let futures = self.lane_conns.iter_mut().zip(&per_lane).enumerate().map(
                |(lane, (slot, recs))| {
                    let conn = &mut slot.as_mut().expect("connected above").conn;
                    lane_unit(conn, &cfg, pipeline, lane, recs, first, last, &guards)
                },
            );
            let results = futures_util::future::join_all(futures).await;
            let mut failure = None;
            for (lane, r) in results.into_iter().enumerate() {
                match r {
                    Ok((applied, skipped, committed)) => {
                        self.stats.records += applied as u64;
                        self.stats.skipped_records += skipped as u64;
                        self.stats.commits += committed as u64;
                    }
                    Err(ue) => {
                        let e = settle(&mut self.lane_conns[lane], ue).await;
                        failure.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = failure {
                return Err(e);
            }
            i = j;
        }
        let last = records.last().expect("non-empty");
        let c = self.conn().await?;
        if let Err(e) = lanes::fold_lanes(&mut c.conn, &cfg, pipeline, last).await {
            if e.is_retryable() {
                self.conn = None;
            }
            return Err(e);
        }
        let cursor = ApplyCursor {
            seq: last.seq,
            position: last.tx.position.clone(),
        };
        self.known.insert(pipeline.to_string(), cursor.clone());
        Ok(cursor)
    }
}

async fn exec_all(
    conn: &mut mysql_async::Conn,
    statements: &[Statement],
    pipeline: &str,
    guards: &Guards,
) -> std::result::Result<(), UnitError> {
    for st in statements {
        conn.query_drop(st.sql.as_str())
            .await
            .map_err(|e| UnitError {
                error: statement_error(&e, st, pipeline, guards),
                rollback: true,
            })?;
    }
    Ok(())
}

async fn commit(
    conn: &mut mysql_async::Conn,
    pipeline: &str,
    what: String,
) -> std::result::Result<(), UnitError> {
    // The outcome of a failed COMMIT is unknown: report it retryable so the
    // pipeline re-reads the cursor, which says whether it landed.
    conn.query_drop("COMMIT").await.map_err(|e| UnitError {
        error: Error::sink_retryable(format!(
            "pipeline {pipeline}: COMMIT of {what} failed, outcome unknown until the cursor is \
             read again: {}",
            describe(&e, &[])
        )),
        rollback: false,
    })
}

/// Lane `lane`'s share of a run: its records after its own cursor, and its
/// cursor moved to the run's end, in one transaction.
/// Returns (records applied, records skipped, commits).
#[allow(clippy::too_many_arguments)]
async fn lane_unit(
    conn: &mut mysql_async::Conn,
    cfg: &OceanBaseConfig,
    pipeline: &str,
    lane: usize,
    recs: &[&LogRecord],
    run_first: u64,
    run_last: &LogRecord,
    guards: &Guards,
) -> std::result::Result<(usize, usize, usize), UnitError> {
    let db = &cfg.control_database;
    let name = lanes::lane_name(pipeline, lane, cfg.lanes);
    let ctl = |e: mysql_async::Error| UnitError {
        error: sql_error(
            &e,
            format!("apply lane {name}"),
            &[db, control::CURSOR_TABLE],
        ),
        rollback: true,
    };
    conn.query_drop("BEGIN").await.map_err(ctl)?;
    let mut q = format!(
        "SELECT last_seq FROM {} WHERE pipeline = ",
        control::cursor_table(db)
    );
    crate::encode::push_literal(&mut q, &sluice_engine::value::Value::String(name.clone()))
        .expect("strings encode");
    q.push_str(" FOR UPDATE");
    let cur: Option<u64> = conn.query_first(q).await.map_err(ctl)?;
    let fail = |error| UnitError {
        error,
        rollback: true,
    };
    let Some(cur) = cur else {
        return Err(fail(Error::sink_fatal(format!(
            "lane cursor row {name} is missing"
        ))));
    };
    if cur >= run_last.seq {
        conn.query_drop("ROLLBACK").await.map_err(ctl)?;
        return Ok((0, recs.len(), 0));
    }
    if cur + 1 < run_first {
        return Err(fail(Error::CursorMismatch(format!(
            "lane {name} has applied up to log record {cur} but was asked to start at {run_first}"
        ))));
    }
    let todo: Vec<&LogRecord> = recs.iter().copied().filter(|r| r.seq > cur).collect();
    let limits = Limits {
        max_statement_bytes: cfg.max_statement_bytes,
        max_rows_per_statement: cfg.max_rows_per_statement,
    };
    let statements = plan(
        todo.iter().copied(),
        &cfg.naming,
        limits,
        cfg.schema_changes,
        guards,
    )
    .map_err(|e| fail(Error::sink_fatal(format!("pipeline {pipeline}: {e}"))))?;
    exec_all(conn, &statements, pipeline, guards).await?;
    conn.query_drop(lanes::set_lanes_sql(
        db,
        &lanes::all_lane_names_one(&name),
        run_last.seq,
        Some(&run_last.tx.position),
    ))
    .await
    .map_err(ctl)?;
    commit(
        conn,
        pipeline,
        format!("lane {name} up to log record {}", run_last.seq),
    )
    .await?;
    Ok((todo.len(), recs.len() - todo.len(), 1))
}

/// Consecutive records whose rows span lanes: applied in one transaction on
/// one connection, which also moves every lane's cursor to the last of them.
/// Returns (records applied, records skipped).
async fn barrier_unit(
    conn: &mut mysql_async::Conn,
    cfg: &OceanBaseConfig,
    pipeline: &str,
    recs: &[LogRecord],
    guards: &Guards,
) -> std::result::Result<(usize, usize), UnitError> {
    let db = &cfg.control_database;
    let n = cfg.lanes;
    let fail = |error| UnitError {
        error,
        rollback: true,
    };
    let ctl = |e: mysql_async::Error| UnitError {
        error: sql_error(
            &e,
            format!("apply barrier of pipeline {pipeline}"),
            &[db, control::CURSOR_TABLE],
        ),
        rollback: true,
    };
    conn.query_drop("BEGIN").await.map_err(ctl)?;
    let lane_state = lanes::read_lanes(conn, db, pipeline, true)
        .await
        .map_err(|e| match e {
            lanes::LaneError::Mysql(m) => ctl(m),
            lanes::LaneError::Corrupt(m) => fail(Error::sink_fatal(m)),
        })?;
    let Some((_, cursors)) = lane_state.filter(|(have, _)| *have == n) else {
        return Err(fail(Error::sink_fatal(format!(
            "pipeline {pipeline}: lane cursor rows missing at barrier record {}",
            recs[0].seq
        ))));
    };
    // A barrier moves all lanes at once, so for each of these records either
    // every lane is past it (applied) or none is.
    let mut todo = Vec::new();
    for r in recs {
        let past = cursors.iter().filter(|(s, _)| *s >= r.seq).count();
        if past == 0 {
            todo.push(r);
        } else if past < n {
            return Err(fail(Error::sink_fatal(format!(
                "pipeline {pipeline}: {past} of {n} lanes are past barrier record {} and the \
                 others are not; the lane cursors are inconsistent",
                r.seq
            ))));
        }
    }
    let Some(first) = todo.first() else {
        conn.query_drop("ROLLBACK").await.map_err(ctl)?;
        return Ok((0, recs.len()));
    };
    if let Some((behind, _)) = cursors.iter().find(|(s, _)| s + 1 < first.seq) {
        return Err(fail(Error::CursorMismatch(format!(
            "pipeline {pipeline}: a lane has applied up to log record {behind} but the barrier \
             starts at record {}",
            first.seq
        ))));
    }
    let last = todo.last().expect("non-empty");
    let limits = Limits {
        max_statement_bytes: cfg.max_statement_bytes,
        max_rows_per_statement: cfg.max_rows_per_statement,
    };
    let statements = plan(
        todo.iter().copied(),
        &cfg.naming,
        limits,
        cfg.schema_changes,
        guards,
    )
    .map_err(|e| fail(Error::sink_fatal(format!("pipeline {pipeline}: {e}"))))?;
    exec_all(conn, &statements, pipeline, guards).await?;
    conn.query_drop(lanes::set_lanes_sql(
        db,
        &lanes::all_lane_names(pipeline, n),
        last.seq,
        Some(&last.tx.position),
    ))
    .await
    .map_err(ctl)?;
    commit(
        conn,
        pipeline,
        format!("barrier records {}..={}", first.seq, last.seq),
    )
    .await?;
    Ok((todo.len(), recs.len() - todo.len()))
}

enum Outcome {
    Applied {
        cursor: ApplyCursor,
        records: usize,
        statements: usize,
    },
    AlreadyApplied(ApplyCursor),
}

impl Outcome {
    fn cursor(self) -> ApplyCursor {
        match self {
            Outcome::Applied { cursor, .. } | Outcome::AlreadyApplied(cursor) => cursor,
        }
    }
}

struct UnitError {
    error: Error,
    /// Whether a ROLLBACK on the same connection is meaningful (false after
    /// a failed COMMIT or a lost connection).
    rollback: bool,
}

pub(crate) fn sql_error(e: &mysql_async::Error, what: String, identifiers: &[&str]) -> Error {
    let msg = format!("{what}: {}", describe(e, identifiers));
    if is_retryable(e) {
        Error::sink_retryable(msg)
    } else {
        Error::sink_fatal(msg)
    }
}

/// MySQL's ER_DUP_ENTRY.
const ER_DUP_ENTRY: u16 = 1062;

pub(crate) fn statement_error(
    e: &mysql_async::Error,
    st: &Statement,
    pipeline: &str,
    guards: &Guards,
) -> Error {
    let target = guards.table(&st.db_name, &st.table_name);
    if let (mysql_async::Error::Server(se), Kind::Insert | Kind::UpdateByKey) = (e, st.kind) {
        if se.code == ER_DUP_ENTRY {
            if let Some(msg) = duplicate_message(&se.message, st, pipeline, target) {
                return Error::sink_fatal(msg);
            }
        }
    }
    let mut ids: Vec<&str> = st.columns.iter().map(String::as_str).collect();
    ids.push(&st.table_name);
    if let Some(t) = target {
        ids.extend(t.unique.iter().map(|i| i.name.as_str()));
    }
    sql_error(
        e,
        format!(
            "pipeline {pipeline}: table {}, {}, statement {}",
            st.table,
            st.seqs(),
            st.shape()
        ),
        &ids,
    )
}

/// A collision on a unique index other than the key, told with the index's
/// name and columns from the catalog and no value: the server's message
/// quotes the colliding value, so only the key name is taken from it, and
/// only when the catalog knows that name. `None` when the index is the key
/// itself (the row was deleted just before, so another writer inserted it):
/// the plain statement error says that case.
fn duplicate_message(
    server: &str,
    st: &Statement,
    pipeline: &str,
    target: Option<&crate::unique::TargetTable>,
) -> Option<String> {
    // "Duplicate entry '…' for key 'uk_mrn'" (MySQL 8: 'table.uk_mrn').
    let quoted_key = server
        .rfind("for key '")
        .map(|i| &server[i + "for key '".len()..])
        .map(|k| k.strip_suffix('\'').unwrap_or(k));
    let bare = quoted_key.map(|k| k.rsplit('.').next().unwrap_or(k));
    let index = target.and_then(|t| {
        t.unique
            .iter()
            .find(|i| bare.is_some_and(|b| i.name.eq_ignore_ascii_case(b)))
    });
    let key_cols: Vec<&str> = st
        .key
        .iter()
        .map(|&k| st.columns[k as usize].as_str())
        .collect();
    if let (Some(t), Some(i)) = (target, index) {
        if t.others(&key_cols).all(|o| o.name != i.name) {
            return None;
        }
    }
    let which = match index {
        Some(i) => format!("unique index `{}` ({})", i.name, i.column_list()),
        None => "a unique index".to_string(),
    };
    Some(format!(
        "pipeline {pipeline}: table {}, {}: a row would take a value of {which} that a different \
         row already holds (the rows' key is {}); an upsert would have merged the two rows, so \
         apply stops instead. The source does not enforce this index the way the target does \
         (a filtered unique index, or one added on the target): correct the rows on the source \
         or change the index on the target, then resume. (server error {ER_DUP_ENTRY}, \
         statement {})",
        st.table,
        st.seqs(),
        key_cols.join(", "),
        st.shape()
    ))
}

async fn run_unit(
    conn: &mut mysql_async::Conn,
    cfg: &OceanBaseConfig,
    pipeline: &str,
    unit: &[LogRecord],
    known: Option<&ApplyCursor>,
    guards: &Guards,
) -> std::result::Result<Outcome, UnitError> {
    let db = &cfg.control_database;
    let ctl_ids = [db.as_str(), control::CURSOR_TABLE];
    let fail = |error: Error| UnitError {
        error,
        rollback: true,
    };
    conn.query_drop("BEGIN")
        .await
        .map_err(|e| fail(sql_error(&e, "BEGIN".into(), &[])))?;
    let last = unit.last().expect("non-empty unit");
    let new_cursor = ApplyCursor {
        seq: last.seq,
        position: last.tx.position.clone(),
    };
    // Fast path: the sink knows what the target's cursor says (it wrote or
    // read it) and this unit follows it. One conditional UPDATE both locks the
    // row and checks that nobody else moved it; if it matched nothing, fall
    // back to reading the row in this same transaction.
    let mut cursor_written = false;
    if let Some(k) = known.filter(|k| unit[0].seq == k.seq + 1) {
        conn.query_drop(control::advance_sql(
            db,
            pipeline,
            k.seq,
            &new_cursor,
            last.tx.commit_time_us,
        ))
        .await
        .map_err(|e| {
            fail(sql_error(
                &e,
                format!("advancing cursor of pipeline {pipeline}"),
                &ctl_ids,
            ))
        })?;
        cursor_written = conn.affected_rows() == 1;
    }
    let stored = if cursor_written {
        known.cloned()
    } else {
        control::read(conn, db, pipeline, true)
            .await
            .map_err(|e| match e {
                control::CursorError::Mysql(m) => fail(sql_error(
                    &m,
                    format!("reading cursor of pipeline {pipeline}"),
                    &ctl_ids,
                )),
                other => fail(Error::sink_fatal(other.to_string())),
            })?
    };
    let todo = match &stored {
        None => unit,
        Some(c) => {
            let first_new = c.seq + 1;
            if unit[0].seq > first_new {
                return Err(fail(Error::CursorMismatch(format!(
                    "pipeline {pipeline}: the target has applied up to log record {}, but apply \
                     was asked to start at record {}; records {}..={} would be skipped and their \
                     rows lost",
                    c.seq,
                    unit[0].seq,
                    first_new,
                    unit[0].seq - 1
                ))));
            }
            let skip = unit.iter().take_while(|r| r.seq <= c.seq).count();
            &unit[skip..]
        }
    };
    let Some(last) = todo.last() else {
        conn.query_drop("ROLLBACK")
            .await
            .map_err(|e| fail(sql_error(&e, "ROLLBACK".into(), &[])))?;
        return Ok(Outcome::AlreadyApplied(
            stored.expect("non-empty unit all skipped"),
        ));
    };
    let limits = Limits {
        max_statement_bytes: cfg.max_statement_bytes,
        max_rows_per_statement: cfg.max_rows_per_statement,
    };
    let plan_slice = |slice: &[LogRecord]| {
        plan(slice, &cfg.naming, limits, cfg.schema_changes, guards)
            .map_err(|e| fail(Error::sink_fatal(format!("pipeline {pipeline}: {e}"))))
    };
    // Plan slice i+1 while the server executes slice i, so the client's
    // encoding time overlaps the server's work instead of adding to it.
    // (Slices are in order, so statement order is unchanged; a run that
    // straddles two slices just becomes two statements.)
    let slices = commit_units(todo, cfg.max_rows_per_statement.max(1));
    let mut current = plan_slice(slices[0])?;
    let mut statements = 0;
    for i in 0..slices.len() {
        let next_slice = slices.get(i + 1).copied();
        let exec = async {
            for st in &current {
                conn.query_drop(st.sql.as_str())
                    .await
                    .map_err(|e| fail(statement_error(&e, st, pipeline, guards)))?;
            }
            Ok::<usize, UnitError>(current.len())
        };
        // join! polls `exec` first: its query is on the wire before planning starts.
        let (ran, next) = tokio::join!(exec, async { next_slice.map(plan_slice) });
        statements += ran?;
        match next {
            Some(n) => current = n?,
            None => break,
        }
    }
    let cursor = new_cursor;
    if !cursor_written {
        conn.query_drop(control::write_sql(
            db,
            pipeline,
            &cursor,
            last.tx.commit_time_us,
        ))
        .await
        .map_err(|e| {
            fail(sql_error(
                &e,
                format!("writing cursor of pipeline {pipeline}"),
                &ctl_ids,
            ))
        })?;
    }
    // The outcome of a failed COMMIT is unknown: report it retryable so the
    // pipeline re-reads the cursor, which says whether it landed.
    conn.query_drop("COMMIT").await.map_err(|e| UnitError {
        error: Error::sink_retryable(format!(
            "pipeline {pipeline}: COMMIT of log records {}..={} failed, outcome unknown until the \
             cursor is read again: {}",
            todo[0].seq,
            last.seq,
            describe(&e, &[])
        )),
        rollback: false,
    })?;
    Ok(Outcome::Applied {
        cursor,
        records: todo.len(),
        statements,
    })
}

/// Splits records at record boundaries into groups of about `max_rows` row changes.
fn commit_units(records: &[LogRecord], max_rows: usize) -> Vec<&[LogRecord]> {
    let mut units = Vec::new();
    let (mut start, mut rows) = (0, 0);
    for (i, r) in records.iter().enumerate() {
        let n = r.tx.changes.len();
        if i > start && rows + n > max_rows {
            units.push(&records[start..i]);
            start = i;
            rows = 0;
        }
        rows += n;
    }
    if start < records.len() {
        units.push(&records[start..]);
    }
    units
}

impl Sink for OceanBaseSink {
    async fn read_cursor(&mut self, pipeline: &str) -> Result<Option<ApplyCursor>> {
        let db = self.cfg.control_database.clone();
        let lanes_wanted = self.cfg.lanes;
        let c = self.conn().await?;
        // Lane rows exist only while an apply with lanes is unfinished (a crash).
        match lanes::read_lanes(&mut c.conn, &db, pipeline, false).await {
            Ok(Some((have, cursors))) => {
                self.known.remove(pipeline);
                if lanes_wanted <= 1 {
                    return Err(Error::sink_fatal(format!(
                        "pipeline {pipeline} stopped in the middle of an apply with {have} lanes; \
                         resume it with lanes = {have}"
                    )));
                }
                return Ok(lanes::min_cursor(&cursors));
            }
            Ok(None) => {}
            Err(lanes::LaneError::Corrupt(m)) => return Err(Error::sink_fatal(m)),
            Err(lanes::LaneError::Mysql(e)) => {
                if is_retryable(&e) {
                    self.conn = None;
                }
                return Err(sql_error(
                    &e,
                    format!("reading lane cursors of pipeline {pipeline}"),
                    &[&db, control::CURSOR_TABLE],
                ));
            }
        }
        let c = self.conn.as_mut().expect("connected above");
        match control::read(&mut c.conn, &db, pipeline, false).await {
            Ok(c) => {
                match &c {
                    Some(c) => self.known.insert(pipeline.to_string(), c.clone()),
                    None => self.known.remove(pipeline),
                };
                Ok(c)
            }
            Err(control::CursorError::Mysql(e)) => {
                if is_retryable(&e) {
                    self.conn = None;
                }
                Err(sql_error(
                    &e,
                    format!("reading cursor of pipeline {pipeline}"),
                    &[&db, control::CURSOR_TABLE],
                ))
            }
            Err(other) => Err(Error::sink_fatal(other.to_string())),
        }
    }

    async fn apply(&mut self, pipeline: &str, records: &[LogRecord]) -> Result<ApplyCursor> {
        if records.is_empty() {
            return Err(Error::Invalid("apply called with no records".into()));
        }
        if let Some(w) = records.windows(2).find(|w| w[1].seq != w[0].seq + 1) {
            return Err(Error::Invalid(format!(
                "apply needs consecutive records, got {} then {}",
                w[0].seq, w[1].seq
            )));
        }
        let result = self.apply_checked(pipeline, records).await;
        if result.is_err() {
            // The DBA may change the target's indexes before the retry.
            Arc::make_mut(&mut self.guards).clear();
        }
        result
    }
}

impl OceanBaseSink {
    async fn apply_checked(
        &mut self,
        pipeline: &str,
        records: &[LogRecord],
    ) -> Result<ApplyCursor> {
        self.load_guards(records).await?;
        if self.cfg.lanes > 1 {
            return self.apply_laned(pipeline, records).await;
        }
        let mut cursor = None;
        for unit in commit_units(records, self.cfg.max_rows_per_commit.max(1)) {
            cursor = Some(self.apply_unit(pipeline, unit).await?);
        }
        Ok(cursor.expect("at least one unit"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_engine::testing::sample_transaction;

    #[test]
    fn duplicates_on_another_unique_index_name_it_and_never_the_value() {
        use crate::unique::{TargetTable, UniqueIndex};
        let idx = |name: &str, col: &str| UniqueIndex {
            name: name.into(),
            columns: vec![Some(col.into())],
        };
        let t = TargetTable {
            unique: vec![idx("PRIMARY", "id"), idx("uk_mrn", "mrn")],
        };
        let st = Statement {
            sql: String::new(),
            table: "`h`.`patients`".into(),
            kind: Kind::Insert,
            rows: 2,
            first_seq: 4,
            last_seq: 5,
            columns: vec!["id".to_string(), "mrn".to_string()].into(),
            table_name: "patients".into(),
            db_name: "h".into(),
            key: vec![0u16].into(),
        };
        for server in [
            "Duplicate entry 'MRN-1' for key 'uk_mrn'",
            "Duplicate entry 'MRN-1' for key 'patients.uk_mrn'",
            // A value that looks like the tail of the message.
            "Duplicate entry 'x for key 'PRIMARY'' for key 'uk_mrn'",
        ] {
            let m = duplicate_message(server, &st, "p", Some(&t)).unwrap();
            assert!(
                m.contains("unique index `uk_mrn` (mrn)")
                    && m.contains("key is id")
                    && m.contains("log records 4..=5"),
                "{m}"
            );
            assert!(!m.contains("MRN-1") && !m.contains("x for"), "{m}");
        }
        // A name the catalog does not know is not repeated (it could be anything).
        let m = duplicate_message("Duplicate entry 'a' for key 'zz'", &st, "p", Some(&t)).unwrap();
        assert!(m.contains("a unique index") && !m.contains("zz"), "{m}");
        // The key itself: not this case (another writer), the plain error tells it.
        assert!(
            duplicate_message("Duplicate entry '1' for key 'PRIMARY'", &st, "p", Some(&t))
                .is_none()
        );
    }

    #[test]
    fn commit_units_split_only_between_records() {
        let recs: Vec<LogRecord> = (1..=4)
            .map(|i| LogRecord {
                seq: i,
                tx: sample_transaction(i, 3),
            })
            .collect();
        let units = commit_units(&recs, 7);
        assert_eq!(
            units.iter().map(|u| u.len()).collect::<Vec<_>>(),
            vec![2, 2]
        );
        // A record larger than the limit is one unit on its own, never split.
        let units = commit_units(&recs, 1);
        assert_eq!(units.len(), 4);
    }
}
