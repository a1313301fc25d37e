//! Parallel apply lanes: rows spread over connections by a hash of their key,
//! each lane exactly-once through a cursor row of its own.
//!
//! Every lane has a cursor row `PIPELINE#laneI/N` meaning "every record up to
//! this sequence that belongs to lane I is applied". A batch is cut into runs
//! of records that each touch a single lane, and records whose rows touch
//! several lanes (barriers):
//! - a run is applied by all lanes at once; lane I commits its records of the
//!   run together with its cursor set to the run's last sequence (a lane with
//!   nothing in the run still moves its cursor);
//! - a barrier waits for the run before it, then applies the whole record in
//!   one transaction that also moves *every* lane cursor to it — so either all
//!   lanes are past a barrier or none is, and the record stays atomic;
//! - at the end of the batch all lanes stand at its last record; one
//!   transaction folds them back into the pipeline's plain cursor row and
//!   deletes the lane rows.
//!
//! After a crash the lane rows remain; the pipeline's cursor is then the
//! lowest lane cursor, and on the re-sent records each lane skips what its
//! own cursor covers. The lane of a row must not change while lane rows exist,
//! so the hash is fixed (FNV-1a over the key's SQL literals) and the lane
//! count is part of the row names and checked.

use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use sluice_engine::event::{Change, ChangeEvent};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::ApplyCursor;
use sluice_engine::position::SourcePosition;
use sluice_engine::value::Value;
use sluice_engine::Error;

use crate::config::{OceanBaseConfig, TableNaming};
use crate::control::cursor_table;
use crate::encode::push_literal;
use crate::unique::{Guards, Mode};

/// The cursor row name of lane `i` of `n`.
pub fn lane_name(pipeline: &str, i: usize, n: usize) -> String {
    format!("{pipeline}#lane{i}/{n}")
}

fn fnv1a(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= b as u64;
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

fn key_lane(db_table: &(String, String), key: &[&Value], n: usize) -> usize {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    fnv1a(&mut h, db_table.0.as_bytes());
    fnv1a(&mut h, b".");
    fnv1a(&mut h, db_table.1.as_bytes());
    let mut lit = String::new();
    for v in key {
        lit.clear();
        // NaN keys cannot be applied anyway; plan() reports them.
        let _ = push_literal(&mut lit, v);
        fnv1a(&mut h, b"\x00");
        fnv1a(&mut h, lit.as_bytes());
    }
    (h % n as u64) as usize
}

fn event_lanes(ev: &ChangeEvent, naming: &TableNaming, n: usize, out: &mut Vec<usize>) {
    let t = naming.target(&ev.table);
    out.push(key_lane(&t, &ev.old_key(), n));
    if let Some(k) = ev.new_key() {
        out.push(key_lane(&t, &k, n));
    }
}

/// The one lane all of `rec`'s rows hash to, or `None` when they span lanes
/// or touch a table with a unique index other than the key (rows of
/// different keys may contend for one value of that index, so only the
/// source's order is safe: such records are barriers).
pub fn record_lane(
    rec: &LogRecord,
    naming: &TableNaming,
    n: usize,
    guards: &Guards,
) -> Option<usize> {
    let mut lanes = Vec::new();
    for c in &rec.tx.changes {
        if let Change::Row(ev) = c {
            // Deletes too: a delete can free the value an insert in another lane takes.
            if guards.mode(&naming.target(&ev.table), ev) == Mode::DeleteInsert {
                return None;
            }
            event_lanes(ev, naming, n, &mut lanes);
        }
    }
    match lanes.first() {
        None => Some(0),
        Some(&l) => lanes.iter().all(|&x| x == l).then_some(l),
    }
}

fn quoted(s: &str) -> String {
    let mut out = String::new();
    push_literal(&mut out, &Value::String(s.to_string())).expect("strings encode");
    out
}

fn names_in(pipeline: &str, n: usize) -> String {
    (0..n)
        .map(|i| quoted(&lane_name(pipeline, i, n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A lane cursor: sequence, and the position of that record (`None` when the
/// lanes were started before anything was applied).
pub type LaneCursor = (u64, Option<SourcePosition>);

/// Reads all lane rows of `pipeline` (any lane count), optionally locking them.
/// Returns (lane count, cursors by lane) or `None` when there are none.
pub async fn read_lanes(
    conn: &mut Conn,
    db: &str,
    pipeline: &str,
    lock: bool,
) -> Result<Option<(usize, Vec<LaneCursor>)>, LaneError> {
    // '!' escapes LIKE wildcards in the pipeline name.
    let pattern: String = pipeline
        .chars()
        .flat_map(|c| match c {
            '!' | '%' | '_' => vec!['!', c],
            c => vec![c],
        })
        .collect();
    let sql = format!(
        "SELECT pipeline, last_seq, source_position FROM {} WHERE pipeline LIKE {} ESCAPE '!'{}",
        cursor_table(db),
        quoted(&format!("{pattern}#lane%")),
        if lock { " FOR UPDATE" } else { "" }
    );
    let rows: Vec<(String, u64, String)> = conn.query(sql).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut n_seen = None;
    let mut lanes: Vec<Option<LaneCursor>> = Vec::new();
    for (name, seq, pos) in rows {
        let corrupt = || LaneError::Corrupt(format!("unexpected lane cursor row {name:?}"));
        let spec = name
            .strip_prefix(pipeline)
            .and_then(|r| r.strip_prefix("#lane"))
            .ok_or_else(corrupt)?;
        let (i, n) = spec.split_once('/').ok_or_else(corrupt)?;
        let (i, n): (usize, usize) = (
            i.parse().map_err(|_| corrupt())?,
            n.parse().map_err(|_| corrupt())?,
        );
        if *n_seen.get_or_insert(n) != n || i >= n {
            return Err(LaneError::Corrupt(format!(
                "lane cursor rows of pipeline {pipeline} disagree on the lane count"
            )));
        }
        lanes.resize(n, None);
        let pos: Option<SourcePosition> = serde_json::from_str(&pos)
            .map_err(|e| LaneError::Corrupt(format!("lane cursor {name:?}: {e}")))?;
        lanes[i] = Some((seq, pos));
    }
    let n = n_seen.expect("non-empty");
    let lanes: Option<Vec<LaneCursor>> = lanes.into_iter().collect();
    match lanes {
        Some(l) if l.len() == n => Ok(Some((n, l))),
        _ => Err(LaneError::Corrupt(format!(
            "pipeline {pipeline} is missing some of its {n} lane cursor rows"
        ))),
    }
}

/// The cursor the whole pipeline can claim: the lowest lane's.
pub fn min_cursor(lanes: &[LaneCursor]) -> Option<ApplyCursor> {
    let (seq, pos) = lanes.iter().min_by_key(|(s, _)| *s)?;
    pos.clone().map(|position| ApplyCursor {
        seq: *seq,
        position,
    })
}

/// Why lane bookkeeping failed.
#[derive(Debug, thiserror::Error)]
pub enum LaneError {
    #[error(transparent)]
    Mysql(#[from] mysql_async::Error),
    #[error("{0}")]
    Corrupt(String),
}

/// Sets lane `names` to `seq`/`pos` (statement only; the caller owns the transaction).
pub fn set_lanes_sql(db: &str, names: &str, seq: u64, pos: Option<&SourcePosition>) -> String {
    format!(
        "UPDATE {} SET last_seq = {seq}, source_position = {}, applied_at = UTC_TIMESTAMP(6) \
         WHERE pipeline IN ({names})",
        cursor_table(db),
        quoted(&serde_json::to_string(&pos).expect("positions serialize"))
    )
}

/// Creates the lane rows from the plain cursor (in their own transaction)
/// unless they exist. Returns the lanes' cursors.
pub async fn ensure_lanes(
    conn: &mut Conn,
    cfg: &OceanBaseConfig,
    pipeline: &str,
    first_seq: u64,
) -> Result<Vec<LaneCursor>, Error> {
    let n = cfg.lanes;
    let db = &cfg.control_database;
    let fatal = |e: LaneError| match e {
        LaneError::Mysql(m) => crate::sink::sql_error(
            &m,
            format!("preparing apply lanes of pipeline {pipeline}"),
            &[db, crate::control::CURSOR_TABLE],
        ),
        LaneError::Corrupt(m) => Error::sink_fatal(m),
    };
    conn.query_drop("BEGIN")
        .await
        .map_err(|e| fatal(e.into()))?;
    let result = async {
        if let Some((have, lanes)) = read_lanes(conn, db, pipeline, true).await.map_err(fatal)? {
            if have != n {
                return Err(Error::sink_fatal(format!(
                    "pipeline {pipeline} stopped in the middle of an apply with {have} lanes; \
                     resume it with lanes = {have} (now {n})"
                )));
            }
            return Ok(lanes);
        }
        let plain = crate::control::read(conn, db, pipeline, true)
            .await
            .map_err(|e| match e {
                crate::control::CursorError::Mysql(m) => fatal(m.into()),
                other => Error::sink_fatal(other.to_string()),
            })?;
        let base: LaneCursor = match plain {
            Some(c) => {
                if first_seq > c.seq + 1 {
                    return Err(Error::CursorMismatch(format!(
                        "pipeline {pipeline}: the target has applied up to log record {}, but apply \
                         was asked to start at record {first_seq}; records {}..={} would be lost",
                        c.seq,
                        c.seq + 1,
                        first_seq - 1
                    )));
                }
                (c.seq, Some(c.position))
            }
            None => (first_seq.saturating_sub(1), None),
        };
        let pos = quoted(&serde_json::to_string(&base.1).expect("positions serialize"));
        let values: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "({}, {}, {pos}, 0, UTC_TIMESTAMP(6))",
                    quoted(&lane_name(pipeline, i, n)),
                    base.0
                )
            })
            .collect();
        conn.query_drop(format!(
            "INSERT INTO {} (pipeline, last_seq, source_position, source_commit_time_us, applied_at) VALUES {}",
            cursor_table(db),
            values.join(", ")
        ))
        .await
        .map_err(|e| fatal(e.into()))?;
        Ok(vec![base; n])
    }
    .await;
    match result {
        Ok(l) => {
            conn.query_drop("COMMIT")
                .await
                .map_err(|e| fatal(e.into()))?;
            Ok(l)
        }
        Err(e) => {
            let _ = conn.query_drop("ROLLBACK").await;
            Err(e)
        }
    }
}

/// Folds the lanes back into the plain cursor row when all of them stand at
/// `last`. Lanes ahead of `last` (re-sent records after a crash, in smaller
/// batches) are left as they are and folded by a later batch.
pub async fn fold_lanes(
    conn: &mut Conn,
    cfg: &OceanBaseConfig,
    pipeline: &str,
    last: &LogRecord,
) -> Result<(), Error> {
    let db = &cfg.control_database;
    let n = cfg.lanes;
    let err = |e: LaneError| match e {
        LaneError::Mysql(m) => crate::sink::sql_error(
            &m,
            format!("folding apply lanes of pipeline {pipeline}"),
            &[db, crate::control::CURSOR_TABLE],
        ),
        LaneError::Corrupt(m) => Error::sink_fatal(m),
    };
    conn.query_drop("BEGIN").await.map_err(|e| err(e.into()))?;
    let cursor = ApplyCursor {
        seq: last.seq,
        position: last.tx.position.clone(),
    };
    let r = async {
        let Some((have, lanes)) = read_lanes(conn, db, pipeline, true).await? else {
            return Err(LaneError::Corrupt(format!(
                "pipeline {pipeline}: lane cursor rows vanished during apply"
            )));
        };
        if have != n || lanes.iter().any(|(s, _)| *s < last.seq) {
            return Err(LaneError::Corrupt(format!(
                "pipeline {pipeline}: a lane is behind log record {} after applying it \
                 (another applier is running?)",
                last.seq
            )));
        }
        if lanes.iter().all(|(s, _)| *s == last.seq) {
            conn.query_drop(crate::control::write_sql(
                db,
                pipeline,
                &cursor,
                last.tx.commit_time_us,
            ))
            .await?;
            conn.query_drop(format!(
                "DELETE FROM {} WHERE pipeline IN ({})",
                cursor_table(db),
                names_in(pipeline, n)
            ))
            .await?;
        }
        Ok(())
    }
    .await;
    match r {
        Ok(()) => conn.query_drop("COMMIT").await.map_err(|e| err(e.into())),
        Err(e) => {
            let _ = conn.query_drop("ROLLBACK").await;
            Err(err(e))
        }
    }
}

/// The `IN (…)` list for one lane row.
pub fn all_lane_names_one(name: &str) -> String {
    quoted(name)
}

/// The `IN (…)` list of all lane row names.
pub fn all_lane_names(pipeline: &str, n: usize) -> String {
    names_in(pipeline, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_engine::event::{RowOp, TableRef, Transaction};

    fn rec(keys: &[i64]) -> LogRecord {
        LogRecord {
            seq: 1,
            tx: Transaction {
                source_id: None,
                position: SourcePosition::Counter(1),
                commit_time_us: 0,
                changes: keys
                    .iter()
                    .map(|&k| {
                        Change::Row(ChangeEvent {
                            table: TableRef::new("dbo", "t"),
                            columns: vec!["id".to_string()].into(),
                            key: vec![0u16].into(),
                            op: RowOp::Insert {
                                after: vec![Value::I64(k)],
                            },
                        })
                    })
                    .collect(),
            },
        }
    }

    #[test]
    fn lanes_are_stable_and_spread() {
        let naming = TableNaming::Database("db".into());
        let lanes: Vec<usize> = (0..400)
            .map(|k| record_lane(&rec(&[k]), &naming, 4, &Guards::unguarded()).unwrap())
            .collect();
        for l in 0..4 {
            let share = lanes.iter().filter(|&&x| x == l).count();
            assert!((60..140).contains(&share), "lane {l} got {share} of 400");
        }
        // Fixed hash: the same key lands in the same lane in every build.
        assert_eq!(
            record_lane(&rec(&[42]), &naming, 4, &Guards::unguarded()),
            record_lane(&rec(&[42]), &naming, 4, &Guards::unguarded())
        );
        assert_eq!(
            record_lane(&rec(&[]), &naming, 4, &Guards::unguarded()),
            Some(0)
        );
        // Two keys in different lanes make a barrier record.
        let (a, b) = (0..400)
            .flat_map(|x| (0..400).map(move |y| (x, y)))
            .find(|&(x, y)| lanes[x as usize] != lanes[y as usize])
            .unwrap();
        assert_eq!(
            record_lane(&rec(&[a, b]), &naming, 4, &Guards::unguarded()),
            None
        );
    }

    #[test]
    fn lane_names_carry_the_count() {
        assert_eq!(lane_name("fwd", 2, 4), "fwd#lane2/4");
    }
}
