//! The control schema on the target: `sluice_apply_cursor`, written in the
//! same transaction as the rows it accounts for.
//!
//! The table name is fixed: a binlog source recognizes sluice's own
//! transactions by it and drops them (loop prevention).

use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use sluice_engine::pipeline::ApplyCursor;
use sluice_engine::position::SourcePosition;

use crate::encode::{push_ident, push_literal};
use sluice_engine::value::Value;

/// The cursor table's name (fixed; see the module docs).
pub const CURSOR_TABLE: &str = "sluice_apply_cursor";

/// `` `db`.`sluice_apply_cursor` ``.
pub fn cursor_table(db: &str) -> String {
    let mut s = String::new();
    push_ident(&mut s, db);
    s.push('.');
    push_ident(&mut s, CURSOR_TABLE);
    s
}

/// Creates the control database and cursor table when absent.
pub async fn ensure_schema(conn: &mut Conn, db: &str) -> Result<(), mysql_async::Error> {
    let mut create_db = String::from("CREATE DATABASE IF NOT EXISTS ");
    push_ident(&mut create_db, db);
    conn.query_drop(create_db).await?;
    conn.query_drop(format!(
        "CREATE TABLE IF NOT EXISTS {} (\
           pipeline VARCHAR(190) NOT NULL PRIMARY KEY,\
           last_seq BIGINT UNSIGNED NOT NULL,\
           source_position VARCHAR(16384) NOT NULL COMMENT 'JSON of the last record''s SourcePosition',\
           source_commit_time_us BIGINT NOT NULL,\
           applied_at DATETIME(6) NOT NULL COMMENT 'UTC'\
         )",
        cursor_table(db)
    ))
    .await
}

/// Why a stored cursor could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CursorError {
    #[error(transparent)]
    Mysql(#[from] mysql_async::Error),
    #[error("stored cursor of pipeline {pipeline} is unreadable: {reason}")]
    Corrupt { pipeline: String, reason: String },
}

/// Reads a pipeline's cursor; with `lock`, also locks the row (`FOR UPDATE`)
/// so that two appliers of one pipeline cannot interleave.
pub async fn read(
    conn: &mut Conn,
    db: &str,
    pipeline: &str,
    lock: bool,
) -> Result<Option<ApplyCursor>, CursorError> {
    let mut sql = format!(
        "SELECT last_seq, source_position FROM {} WHERE pipeline = ",
        cursor_table(db)
    );
    push_literal(&mut sql, &Value::String(pipeline.to_string())).expect("strings always encode");
    if lock {
        sql.push_str(" FOR UPDATE");
    }
    let row: Option<(u64, String)> = conn.query_first(sql).await?;
    let Some((seq, position)) = row else {
        return Ok(None);
    };
    let position: SourcePosition =
        serde_json::from_str(&position).map_err(|e| CursorError::Corrupt {
            pipeline: pipeline.to_string(),
            reason: e.to_string(),
        })?;
    Ok(Some(ApplyCursor { seq, position }))
}

/// The statement that stores `cursor` for `pipeline`.
pub fn write_sql(db: &str, pipeline: &str, cursor: &ApplyCursor, commit_time_us: i64) -> String {
    let position = serde_json::to_string(&cursor.position).expect("positions serialize");
    let mut sql = format!(
        "INSERT INTO {} (pipeline, last_seq, source_position, source_commit_time_us, applied_at) VALUES (",
        cursor_table(db)
    );
    push_literal(&mut sql, &Value::String(pipeline.to_string())).expect("string");
    sql.push_str(&format!(", {}, ", cursor.seq));
    push_literal(&mut sql, &Value::String(position)).expect("string");
    sql.push_str(&format!(
        ", {commit_time_us}, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE \
         last_seq = VALUES(last_seq), source_position = VALUES(source_position), \
         source_commit_time_us = VALUES(source_commit_time_us), applied_at = VALUES(applied_at)"
    ));
    sql
}

/// The statement that moves `pipeline`'s cursor from `expected_seq` to
/// `cursor`; it changes one row only if the stored cursor is still `expected_seq`.
pub fn advance_sql(
    db: &str,
    pipeline: &str,
    expected_seq: u64,
    cursor: &ApplyCursor,
    commit_time_us: i64,
) -> String {
    let position = serde_json::to_string(&cursor.position).expect("positions serialize");
    let mut sql = format!(
        "UPDATE {} SET last_seq = {}, source_position = ",
        cursor_table(db),
        cursor.seq
    );
    push_literal(&mut sql, &Value::String(position)).expect("string");
    sql.push_str(&format!(
        ", source_commit_time_us = {commit_time_us}, applied_at = UTC_TIMESTAMP(6) WHERE pipeline = "
    ));
    push_literal(&mut sql, &Value::String(pipeline.to_string())).expect("string");
    sql.push_str(&format!(" AND last_seq = {expected_seq}"));
    sql
}
