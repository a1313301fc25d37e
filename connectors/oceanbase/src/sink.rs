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

use mysql_async::prelude::Queryable;
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::{ApplyCursor, Sink};
use sluice_engine::{Error, Result};

use crate::config::{redact_url, OceanBaseConfig};
use crate::conn::{connect, ConnectError, Connected};
use crate::control;
use crate::error::{describe, is_retryable};
use crate::plan::{plan, Limits, Statement};

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
}

impl OceanBaseSink {
    /// A sink that connects on first use.
    pub fn new(cfg: OceanBaseConfig) -> Self {
        OceanBaseSink {
            cfg,
            conn: None,
            stats: SinkStats::default(),
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
        let c = self.conn().await?;
        let result = run_unit(&mut c.conn, &cfg, pipeline, unit).await;
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
                Ok(outcome.cursor())
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

fn sql_error(e: &mysql_async::Error, what: String, identifiers: &[&str]) -> Error {
    let msg = format!("{what}: {}", describe(e, identifiers));
    if is_retryable(e) {
        Error::sink_retryable(msg)
    } else {
        Error::sink_fatal(msg)
    }
}

fn statement_error(e: &mysql_async::Error, st: &Statement, pipeline: &str) -> Error {
    let mut ids: Vec<&str> = st.columns.iter().map(String::as_str).collect();
    ids.push(&st.table_name);
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

async fn run_unit(
    conn: &mut mysql_async::Conn,
    cfg: &OceanBaseConfig,
    pipeline: &str,
    unit: &[LogRecord],
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
    let stored = control::read(conn, db, pipeline, true)
        .await
        .map_err(|e| match e {
            control::CursorError::Mysql(m) => fail(sql_error(
                &m,
                format!("reading cursor of pipeline {pipeline}"),
                &ctl_ids,
            )),
            other => fail(Error::sink_fatal(other.to_string())),
        })?;
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
    let statements = plan(todo, &cfg.naming, limits, cfg.schema_changes)
        .map_err(|e| fail(Error::sink_fatal(format!("pipeline {pipeline}: {e}"))))?;
    for st in &statements {
        conn.query_drop(st.sql.as_str())
            .await
            .map_err(|e| fail(statement_error(&e, st, pipeline)))?;
    }
    let cursor = ApplyCursor {
        seq: last.seq,
        position: last.tx.position.clone(),
    };
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
        statements: statements.len(),
    })
}

/// Splits a batch at record boundaries into commit units of about `max_rows` rows.
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
        let c = self.conn().await?;
        match control::read(&mut c.conn, &db, pipeline, false).await {
            Ok(c) => Ok(c),
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
