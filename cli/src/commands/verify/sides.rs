//! The source side of a comparison: a MySQL-protocol server or SQL Server.

use sluice_engine::error::Result;
use sluice_engine::event::TableRef;
use sluice_engine::value::Value;
use sluice_engine::verify::{ChunkDigest, KeyRange, TableSpec, VerifySide};
use sluice_mssql::verify::{MssqlVerifySide, Role as MsRole};
use sluice_mssql::MssqlConfig;
use sluice_oceanbase::config::redact_url;
use sluice_oceanbase::verify::{list_tables, spec_from_catalog, MySqlVerifySide, Role};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A source given as an ADO.NET string (`server=…;…`) is SQL Server; a
/// `mysql://` URL is a MySQL-protocol server.
pub fn is_mssql(url: &str) -> bool {
    !url.trim_start()
        .to_ascii_lowercase()
        .starts_with("mysql://")
}

pub fn redact(url: &str) -> String {
    if is_mssql(url) {
        sluice_mssql::config::redact_ado(url)
    } else {
        redact_url(url)
    }
}

/// Either kind of source.
pub enum Source {
    My(MySqlVerifySide),
    // Boxed: a TDS client is large and the enum moves between tasks.
    Ms(Box<MssqlVerifySide>),
}

impl Source {
    pub async fn connect(url: &str) -> Result<Self, BoxError> {
        if is_mssql(url) {
            let cfg = MssqlConfig::from_ado(url)?;
            let client = sluice_mssql::connect(&cfg).await?;
            Ok(Source::Ms(Box::new(MssqlVerifySide::new(
                client,
                MsRole::Source,
                cfg.redacted(),
            ))))
        } else {
            Ok(Source::My(
                MySqlVerifySide::connect(url, Role::Source).await?,
            ))
        }
    }

    /// `(schema, table)` of every base table (`db` for MySQL; the connected database for SQL Server).
    pub async fn tables(&mut self, db: &str) -> Result<Vec<(String, String)>, BoxError> {
        match self {
            Source::My(s) => Ok(list_tables(s, db)
                .await?
                .into_iter()
                .map(|t| (db.to_string(), t))
                .collect()),
            Source::Ms(s) => Ok(s
                .catalog_tables()
                .await?
                .into_iter()
                .filter(|(_, n)| !n.eq_ignore_ascii_case("sluice_apply_cursor"))
                .collect()),
        }
    }

    /// The comparison spec of one source table against its target table.
    pub async fn spec(
        &mut self,
        schema: &str,
        name: &str,
        target_db: &str,
    ) -> Result<TableSpec, BoxError> {
        match self {
            Source::My(s) => Ok(spec_from_catalog(s, schema, name, target_db).await?),
            Source::Ms(s) => {
                // Same placement as `migrate`: dbo into the main database,
                // schema `s` into `<main>_<s>`.
                let db = if schema.eq_ignore_ascii_case("dbo") {
                    target_db.to_string()
                } else {
                    format!("{target_db}_{schema}")
                };
                Ok(s.describe(schema, name, TableRef::new(db, name)).await?)
            }
        }
    }
}

impl VerifySide for Source {
    fn label(&self) -> String {
        match self {
            Source::My(s) => s.label(),
            Source::Ms(s) => s.label(),
        }
    }

    async fn count(&mut self, t: &TableSpec, r: &KeyRange) -> Result<u64> {
        match self {
            Source::My(s) => s.count(t, r).await,
            Source::Ms(s) => s.count(t, r).await,
        }
    }

    async fn digest(&mut self, t: &TableSpec, r: &KeyRange) -> Result<ChunkDigest> {
        match self {
            Source::My(s) => s.digest(t, r).await,
            Source::Ms(s) => s.digest(t, r).await,
        }
    }

    async fn rows(&mut self, t: &TableSpec, r: &KeyRange) -> Result<Vec<Vec<Value>>> {
        match self {
            Source::My(s) => s.rows(t, r).await,
            Source::Ms(s) => s.rows(t, r).await,
        }
    }

    async fn key_bounds(&mut self, t: &TableSpec) -> Result<Option<(Vec<Value>, Vec<Value>)>> {
        match self {
            Source::My(s) => s.key_bounds(t).await,
            Source::Ms(s) => s.key_bounds(t).await,
        }
    }

    async fn split_points(
        &mut self,
        t: &TableSpec,
        r: &KeyRange,
        parts: usize,
    ) -> Result<Vec<Vec<Value>>> {
        match self {
            Source::My(s) => s.split_points(t, r, parts).await,
            Source::Ms(s) => s.split_points(t, r, parts).await,
        }
    }

    async fn rows_for_keys(
        &mut self,
        t: &TableSpec,
        keys: &[Vec<Value>],
    ) -> Result<Vec<Vec<Value>>> {
        match self {
            Source::My(s) => s.rows_for_keys(t, keys).await,
            Source::Ms(s) => s.rows_for_keys(t, keys).await,
        }
    }
}
