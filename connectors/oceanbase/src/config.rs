//! How to reach the target and how to shape what is written to it.

use std::time::Duration;

use sluice_engine::event::TableRef;

pub use crate::plan::SchemaChanges;

/// TLS to the target.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain TCP.
    Disable,
    /// Encrypt when the server offers TLS, without checking its certificate
    /// (MySQL's `PREFERRED`); plain only when the server offers no TLS at all.
    #[default]
    Prefer,
    /// Encrypt and verify the certificate, against `ca_file` when given or the
    /// system roots otherwise. Fails when the server offers no TLS.
    Require { ca_file: Option<std::path::PathBuf> },
}

/// Where a source table lands on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableNaming {
    /// Every table into this database, under its source name (the source
    /// schema is dropped: `dbo.Patients` → `db.Patients`).
    Database(String),
    /// The source schema becomes the target database (`dbo.Patients` → `dbo.Patients`).
    SchemaAsDatabase,
    /// How `sluice migrate` places tables: `dbo` into the main database,
    /// schema `s` into `<main>_s` (`clin.Visit` → `his_clin.Visit`).
    MainAndSchemas(String),
    /// `base`, except for the tables `renames` names: key `schema.table`
    /// (lower-case, the incoming name), value the table name to use instead
    /// (in the database `base` chooses).
    Renamed {
        base: Box<TableNaming>,
        renames: std::collections::BTreeMap<String, String>,
    },
}

impl TableNaming {
    /// (database, table) on the target for a source table.
    pub fn target(&self, t: &TableRef) -> (String, String) {
        match self {
            TableNaming::Database(db) => (db.clone(), t.name.to_string()),
            TableNaming::SchemaAsDatabase => (t.schema.to_string(), t.name.to_string()),
            TableNaming::MainAndSchemas(main) if t.schema.eq_ignore_ascii_case("dbo") => {
                (main.clone(), t.name.to_string())
            }
            TableNaming::MainAndSchemas(main) => {
                (format!("{main}_{}", t.schema), t.name.to_string())
            }
            TableNaming::Renamed { base, renames } => {
                let (db, name) = base.target(t);
                let key = format!("{}.{}", t.schema, t.name).to_lowercase();
                match renames.get(&key) {
                    Some(new_name) => (db, new_name.clone()),
                    None => (db, name),
                }
            }
        }
    }
}

/// Everything the sink needs to know.
///
/// `url` may hold a password: it is never printed (see the `Debug` impl).
#[derive(Clone)]
pub struct OceanBaseConfig {
    /// `mysql://user:password@host:port[/db]`.
    pub url: String,
    pub tls: TlsMode,
    pub naming: TableNaming,
    /// Database holding `sluice_apply_cursor`; created when absent.
    pub control_database: String,
    /// Upper bound on one SQL statement's text; statements are split below it
    /// (the server's `max_allowed_packet` must be larger).
    pub max_statement_bytes: usize,
    /// Most rows in one multi-row statement.
    pub max_rows_per_statement: usize,
    /// A batch is committed in several target transactions, each with its own
    /// cursor, once it passes this many rows (never inside a source transaction).
    pub max_rows_per_commit: usize,
    /// Server-side limit for one statement (OceanBase's default is 10 s,
    /// too short for a large batch on a busy target).
    pub statement_timeout: Duration,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// What a schema-change record in the log does to apply.
    pub schema_changes: SchemaChanges,
    /// Parallel apply lanes (connections); 1 = one connection, strictly in order.
    ///
    /// With more, rows are spread over lanes by a hash of (table, key): order
    /// per key and atomicity of each source transaction hold (a transaction
    /// whose rows span lanes is applied alone, between barriers), but rows of
    /// *different* keys in different lanes may commit in another order than at
    /// the source. Use it only where the target does not check constraints
    /// across keys (foreign keys, unique secondary keys) during sync.
    pub lanes: usize,
}

impl std::fmt::Debug for OceanBaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OceanBaseConfig")
            .field("url", &redact_url(&self.url))
            .field("tls", &self.tls)
            .field("naming", &self.naming)
            .field("control_database", &self.control_database)
            .field("max_statement_bytes", &self.max_statement_bytes)
            .field("max_rows_per_statement", &self.max_rows_per_statement)
            .field("max_rows_per_commit", &self.max_rows_per_commit)
            .field("schema_changes", &self.schema_changes)
            .field("lanes", &self.lanes)
            .finish_non_exhaustive()
    }
}

impl OceanBaseConfig {
    /// Defaults for a target URL: tables into the URL's database (or `sluice_target`),
    /// control schema `sluice`, TLS preferred.
    pub fn new(url: impl Into<String>) -> Self {
        let url = url.into();
        let db = url_database(&url).unwrap_or_else(|| "sluice_target".to_string());
        OceanBaseConfig {
            url,
            tls: TlsMode::Prefer,
            naming: TableNaming::Database(db),
            control_database: "sluice".to_string(),
            max_statement_bytes: 4 << 20,
            max_rows_per_statement: 1000,
            max_rows_per_commit: 50_000,
            statement_timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(10),
            schema_changes: SchemaChanges::Stop,
            lanes: 1,
        }
    }
}

/// The URL with any password replaced by `***`, for messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<url>".to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    match auth {
        Some(a) => {
            let user = a.split(':').next().unwrap_or("");
            let pw = if a.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{pw}@{host}")
        }
        None => format!("{scheme}://{host}"),
    }
}

fn url_database(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let path = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let db = path.split_once('/')?.1.split('?').next()?;
    (!db.is_empty()).then(|| db.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_tables_keep_the_base_database() {
        let n = TableNaming::Renamed {
            base: Box::new(TableNaming::Database("his".into())),
            renames: [("src.tblpatient".to_string(), "patient".to_string())].into(),
        };
        assert_eq!(
            n.target(&TableRef::new("src", "tblPatient")),
            ("his".into(), "patient".into())
        );
        assert_eq!(
            n.target(&TableRef::new("src", "ward")),
            ("his".into(), "ward".into())
        );
    }

    #[test]
    fn migrate_placement_puts_dbo_in_main_and_schemas_beside_it() {
        let n = TableNaming::MainAndSchemas("his".into());
        assert_eq!(
            n.target(&TableRef::new("dbo", "Patient")),
            ("his".into(), "Patient".into())
        );
        assert_eq!(
            n.target(&TableRef::new("clin", "Visit")),
            ("his_clin".into(), "Visit".into())
        );
    }

    #[test]
    fn passwords_never_reach_debug_output() {
        let c = OceanBaseConfig::new("mysql://app:s3cret@db:2881/clinic");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("s3cret"), "{dbg}");
        assert!(dbg.contains("mysql://app:***@db:2881/clinic"), "{dbg}");
        assert_eq!(c.naming, TableNaming::Database("clinic".into()));
        assert_eq!(redact_url("mysql://root@h:1"), "mysql://root@h:1");
    }

    #[test]
    fn naming_maps_schema_or_not() {
        let t = TableRef::new("dbo", "Patients");
        assert_eq!(
            TableNaming::Database("x".into()).target(&t),
            ("x".into(), "Patients".into())
        );
        assert_eq!(
            TableNaming::SchemaAsDatabase.target(&t),
            ("dbo".into(), "Patients".into())
        );
    }
}
