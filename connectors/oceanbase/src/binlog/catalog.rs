//! What information_schema says about a table: the facts a binlog never
//! carries (generated columns, MariaDB's JSON marker) and, for servers
//! without `binlog_row_metadata=FULL`, names, signedness and members.

use std::collections::HashMap;
use std::sync::Arc;

use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use sluice_engine::event::TableRef;

/// One column as information_schema shows it (lower-cased type text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumn {
    pub name: String,
    pub data_type: String,
    pub column_type: String,
    /// `None` for non-character columns (and binary strings).
    pub charset: Option<String>,
    pub generated: bool,
    /// MariaDB JSON (LONGTEXT with a `json_valid` check) or a real JSON type.
    pub json: bool,
}

/// A table as information_schema shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogTable {
    pub columns: Vec<CatalogColumn>,
    /// Primary-key column names in key order (empty when there is none).
    pub primary_key: Vec<String>,
}

/// Per-table cache of catalog reads, dropped wholesale on any DDL.
#[derive(Debug, Default)]
pub struct CatalogCache {
    tables: HashMap<TableRef, Option<Arc<CatalogTable>>>,
}

impl CatalogCache {
    /// Forgets everything: called on every DDL, because a DDL statement's
    /// text does not reliably name every table it changes (RENAME, views …).
    pub fn invalidate(&mut self) {
        self.tables.clear();
    }

    /// The table's catalog entry (`None` when the table no longer exists),
    /// read once and then cached.
    pub async fn get(
        &mut self,
        conn: &mut Conn,
        table: &TableRef,
    ) -> mysql_async::Result<Option<Arc<CatalogTable>>> {
        if let Some(t) = self.tables.get(table) {
            return Ok(t.clone());
        }
        let t = read_table(conn, table).await?.map(Arc::new);
        self.tables.insert(table.clone(), t.clone());
        Ok(t)
    }
}

type ColumnRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Reads one table's columns, primary key and JSON checks.
pub async fn read_table(
    conn: &mut Conn,
    table: &TableRef,
) -> mysql_async::Result<Option<CatalogTable>> {
    let rows: Vec<ColumnRow> = conn
        .exec(
            "SELECT COLUMN_NAME, LOWER(DATA_TYPE), LOWER(COLUMN_TYPE), CHARACTER_SET_NAME, \
                    EXTRA, COLUMN_KEY \
             FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            (&table.schema, &table.name),
        )
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let pk: Vec<String> = conn
        .exec(
            "SELECT COLUMN_NAME FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' \
             ORDER BY SEQ_IN_INDEX",
            (&table.schema, &table.name),
        )
        .await?;
    // MariaDB spells JSON as LONGTEXT CHECK (json_valid(`c`)); servers
    // without CHECK_CONSTRAINTS.TABLE_NAME simply have no such columns.
    let checks: Vec<String> = conn
        .exec(
            "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?",
            (&table.schema, &table.name),
        )
        .await
        .unwrap_or_default();
    let json_cols: Vec<String> = checks
        .iter()
        .filter_map(|c| {
            let c = c.trim();
            let inner = c.strip_prefix("json_valid(")?.strip_suffix(')')?;
            Some(inner.trim_matches('`').to_string())
        })
        .collect();
    let columns = rows
        .into_iter()
        .map(|(name, data_type, column_type, charset, extra, _key)| {
            let extra = extra.unwrap_or_default().to_ascii_uppercase();
            CatalogColumn {
                json: data_type == "json"
                    || json_cols.iter().any(|j| j.eq_ignore_ascii_case(&name)),
                // Not "DEFAULT_GENERATED": that is a default expression.
                generated: extra.contains("VIRTUAL")
                    || extra.contains("STORED GENERATED")
                    || extra.contains("PERSISTENT"),
                name,
                data_type,
                column_type,
                charset,
            }
        })
        .collect();
    Ok(Some(CatalogTable {
        columns,
        primary_key: pk,
    }))
}
