//! SQL the full load sends, shared by both source kinds: plain multi-row
//! INSERTs (never an upsert: `ON DUPLICATE KEY UPDATE` matches any unique
//! key and could merge two rows) and the probe that tells a chunk a killed
//! run already committed.

use mysql_async::prelude::Queryable;
use sluice_engine::value::Value;
use sluice_oceanbase::encode::{push_ident, push_literal};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Largest INSERT statement sent (below the server's `max_allowed_packet`).
pub const MAX_STATEMENT_BYTES: usize = 4 << 20;

/// MySQL's "Duplicate entry" error.
pub const ER_DUP_ENTRY: u16 = 1062;

/// Multi-row `INSERT` statements for `rows`, each below `MAX_STATEMENT_BYTES`.
/// `columns` pairs each written column's name with its index in a row.
pub fn insert_statements(
    target_name: &str,
    columns: &[(&str, usize)],
    rows: &[Vec<Value>],
) -> Result<Vec<String>, BoxError> {
    let mut head = format!("INSERT INTO {target_name} (");
    for (n, (name, _)) in columns.iter().enumerate() {
        if n > 0 {
            head.push_str(", ");
        }
        push_ident(&mut head, name);
    }
    head.push_str(") VALUES ");
    let mut out = Vec::new();
    let mut cur = head.clone();
    let mut in_cur = 0;
    for row in rows {
        let mut r = String::from("(");
        for (n, (name, i)) in columns.iter().enumerate() {
            if n > 0 {
                r.push_str(", ");
            }
            push_literal(&mut r, &row[*i]).map_err(|e| format!("column {name}: {e}"))?;
        }
        r.push(')');
        if in_cur > 0 && cur.len() + r.len() > MAX_STATEMENT_BYTES {
            out.push(std::mem::replace(&mut cur, head.clone()));
            in_cur = 0;
        }
        if in_cur > 0 {
            cur.push_str(", ");
        }
        cur.push_str(&r);
        in_cur += 1;
    }
    if in_cur > 0 {
        out.push(cur);
    }
    Ok(out)
}

/// Whether the target already holds the row with this key (`key` pairs key
/// column names with values).
pub async fn row_exists(
    target: &mut mysql_async::Conn,
    target_name: &str,
    key: &[(&str, &Value)],
) -> Result<bool, BoxError> {
    let mut sql = format!("SELECT 1 FROM {target_name} WHERE ");
    for (n, (name, v)) in key.iter().enumerate() {
        if n > 0 {
            sql.push_str(" AND ");
        }
        push_ident(&mut sql, name);
        sql.push_str(" = ");
        push_literal(&mut sql, v).map_err(|e| format!("key column {name}: {e}"))?;
    }
    sql.push_str(" LIMIT 1");
    Ok(target.query_first::<i64, _>(sql).await?.is_some())
}
