//! The migration file: one TOML file per migration, read by `migrate`,
//! `sync`, `status`, `cutover`, `rollback` and `check`.
//!
//! Passwords never live in the file: an endpoint names an environment
//! variable or a file that holds its password, so the TOML can be kept in
//! version control and shown in a ticket.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A whole migration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationConfig {
    pub migration: MigrationSection,
    pub source: Endpoint,
    pub target: Endpoint,
    #[serde(default)]
    pub tables: TableFilter,
    /// Target type overrides: `"schema.table.column" = "mysql type"` for one
    /// column, `"money" = "DECIMAL(19,4)"` for every column of a source type.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    #[serde(default)]
    pub load: LoadSection,
    #[serde(default)]
    pub sync: SyncSection,
    #[serde(default)]
    pub log: LogSection,
    #[serde(default)]
    pub metrics: MetricsSection,
    #[serde(default)]
    pub cutover: CutoverSection,
    /// Where this file was read from (for messages and relative paths).
    #[serde(skip)]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationSection {
    /// A short name: pipeline names and the control tables use it.
    pub name: String,
    /// Folder for the event logs, load checkpoints and journey state,
    /// relative to the migration file.
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
}

fn default_state_dir() -> PathBuf {
    PathBuf::from("sluice-state")
}

/// Which kind of server an endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointKind {
    /// SQL Server (TDS): CDC for capture, the T-SQL sink for reverse sync.
    Mssql,
    /// A MySQL-protocol server (OceanBase MySQL mode, MySQL, MariaDB).
    Mysql,
}

/// TLS policy for one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsSetting {
    /// Plain TCP (only where the network itself is trusted).
    Disable,
    /// Encrypt when the server offers TLS, without verifying its certificate.
    #[default]
    Prefer,
    /// Encrypt and verify the certificate (against `ca_file` when given).
    Require,
}

/// One database server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Source only: `mssql` or `mysql`. The target is always MySQL protocol.
    pub kind: Option<EndpointKind>,
    pub host: String,
    pub port: Option<u16>,
    pub database: String,
    pub user: String,
    /// Name of the environment variable holding the password.
    pub password_env: Option<String>,
    /// File holding the password (first line; trailing newline ignored).
    pub password_file: Option<PathBuf>,
    #[serde(default)]
    pub tls: TlsSetting,
    /// CA bundle for `tls = "require"`.
    pub ca_file: Option<PathBuf>,
    /// Target only: OceanBase's binlog service (obbinlog), which reverse sync
    /// reads; defaults to the target's own host and port.
    pub binlog: Option<BinlogEndpoint>,
}

/// The binlog service of the target: a separate endpoint on OceanBase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinlogEndpoint {
    pub host: Option<String>,
    pub port: Option<u16>,
    /// Defaults to the target's user and password.
    pub user: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    /// This reader's replica id; must be unique among the server's replicas.
    #[serde(default = "default_server_id")]
    pub server_id: u32,
}

fn default_server_id() -> u32 {
    0x51_1C_E0
}

/// Which source tables migrate, and under which names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableFilter {
    /// `schema.table` patterns (`*` and `?` wildcards, case-insensitive);
    /// empty means every table.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `"schema.table" = "new_name"` on the target.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
}

impl TableFilter {
    /// Whether `schema.table` is migrated.
    pub fn wants(&self, qualified: &str) -> bool {
        let included =
            self.include.is_empty() || self.include.iter().any(|p| wildcard(p, qualified));
        included && !self.exclude.iter().any(|p| wildcard(p, qualified))
    }

    /// The target table name for `schema.table`, when renamed.
    pub fn renamed(&self, qualified: &str) -> Option<&str> {
        self.rename
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(qualified))
            .map(|(_, v)| v.as_str())
    }
}

/// Case-insensitive glob with `*` and `?`.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoadSection {
    /// Chunks copied at once (each uses one connection per side).
    pub parallel: usize,
    /// Rows per chunk (one target transaction each).
    pub chunk_rows: u64,
    /// Rows per source page and per target INSERT statement.
    pub page_rows: usize,
    /// Upper bound on rows copied per second over all chunks (0 = unlimited).
    pub max_rows_per_second: u64,
}

impl Default for LoadSection {
    fn default() -> Self {
        LoadSection {
            parallel: 4,
            chunk_rows: 50_000,
            page_rows: 2_000,
            max_rows_per_second: 0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncSection {
    /// Upper bound on rows applied per second (0 = unlimited).
    pub max_rows_per_second: u64,
    /// Parallel apply lanes on the target (1 = strict source order).
    pub lanes: usize,
    /// How often change capture polls the source, in milliseconds (CDC).
    pub poll_ms: u64,
    /// Replica id used when the source is read as a binlog (`kind = "mysql"`).
    pub server_id: u32,
}

impl Default for SyncSection {
    fn default() -> Self {
        SyncSection {
            max_rows_per_second: 0,
            lanes: 1,
            poll_ms: 500,
            server_id: 0x51_1C_E1,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// Keep applied records at least this long (hours); 0 = drop once applied.
    pub retention_hours: u64,
    /// Upper bound on the log's size in bytes (applied records are dropped first).
    pub max_bytes: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSection {
    /// `host:port` for the status page and `/metrics`; unset = not served.
    pub listen: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CutoverSection {
    /// Preflight: forward lag must be below this.
    pub max_lag_seconds: f64,
    /// Writes are taken as stopped after this long with none captured.
    pub quiet_seconds: u64,
    /// Preflight: the last clean verify must be at most this old.
    pub verify_max_age_minutes: u64,
    /// Give up draining after this long.
    pub drain_timeout_seconds: u64,
}

impl Default for CutoverSection {
    fn default() -> Self {
        CutoverSection {
            max_lag_seconds: 5.0,
            quiet_seconds: 30,
            verify_max_age_minutes: 60,
            drain_timeout_seconds: 600,
        }
    }
}

/// A problem with the migration file, naming the file and the key.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

impl MigrationConfig {
    /// Reads and validates a migration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let err = |message: String| ConfigError {
            file: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            err(format!(
                "cannot read the migration file ({e}); `sluice init` writes an example"
            ))
        })?;
        let mut cfg = Self::parse(&text).map_err(err)?;
        cfg.path = path.to_path_buf();
        Ok(cfg)
    }

    /// Parses and validates TOML text. Errors are one line naming the line
    /// and the key (`line 7, key target.hots: unknown field ...`); they never
    /// quote a line of the file, which could hold a secret someone typed in.
    pub fn parse(text: &str) -> Result<Self, String> {
        let cfg: MigrationConfig =
            toml::from_str(text).map_err(|e| describe_toml_error(text, &e))?;
        cfg.validate().map_err(|m| locate_key(text, &m))?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        let name_ok = !self.migration.name.is_empty()
            && self.migration.name.len() <= 48
            && self
                .migration
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(format!(
                "migration.name = {:?}: use 1-48 letters, digits, '_' or '-'",
                self.migration.name
            ));
        }
        if self.source.kind.is_none() {
            return Err(
                "source.kind is missing: set kind = \"mssql\" (SQL Server) or \"mysql\"".into(),
            );
        }
        if self.target.kind == Some(EndpointKind::Mssql) {
            return Err(
                "target.kind = \"mssql\": the target is OceanBase (MySQL mode); remove target.kind"
                    .into(),
            );
        }
        if self.source.binlog.is_some() {
            return Err("source.binlog: only the target has a binlog section (reverse sync reads the target's binlog service)".into());
        }
        for (side, ep) in [("source", &self.source), ("target", &self.target)] {
            ep.validate(side)?;
        }
        if self.source.kind == Some(EndpointKind::Mssql) && !self.tables.rename.is_empty() {
            return Err("tables.rename: renaming tables is supported for mysql sources only in this version (a SQL Server source's tables keep their names; rename them after cutover)".into());
        }
        if self.load.parallel == 0 || self.load.parallel > 256 {
            return Err(format!(
                "load.parallel = {}: use 1..=256",
                self.load.parallel
            ));
        }
        if self.load.chunk_rows == 0 || self.load.page_rows == 0 {
            return Err("load.chunk_rows and load.page_rows must be positive".into());
        }
        if self.sync.lanes == 0 || self.sync.lanes > 64 {
            return Err(format!("sync.lanes = {}: use 1..=64", self.sync.lanes));
        }
        if let Some(addr) = &self.metrics.listen {
            addr.parse::<std::net::SocketAddr>().map_err(|_| {
                format!("metrics.listen = {addr:?}: expected host:port, e.g. \"127.0.0.1:9187\"")
            })?;
        }
        for key in self.types.keys() {
            if key.split('.').count() != 3 {
                return Err(format!(
                    "types.{key:?}: name a column as \"schema.table.column\""
                ));
            }
        }
        Ok(())
    }

    /// `[types]` split into (per source type, per `schema.table.column`), keys lower-case.
    pub fn type_overrides(&self) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
        let (mut by_type, mut by_column) = (BTreeMap::new(), BTreeMap::new());
        for (k, v) in &self.types {
            if k.contains('.') {
                by_column.insert(k.to_lowercase(), v.clone());
            } else {
                by_type.insert(k.to_lowercase(), v.clone());
            }
        }
        (by_type, by_column)
    }

    /// Database holding the apply cursors (`sluice_apply_cursor`) on each side.
    pub fn control_database(&self) -> String {
        format!("sluice_{}", self.migration.name.replace('-', "_"))
    }

    /// The source's kind (validated present).
    pub fn source_kind(&self) -> EndpointKind {
        self.source.kind.unwrap_or(EndpointKind::Mssql)
    }

    /// The state folder, relative paths taken from the migration file's folder.
    pub fn state_dir(&self) -> PathBuf {
        let d = &self.migration.state_dir;
        if d.is_absolute() {
            return d.clone();
        }
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.join(d),
            _ => d.clone(),
        }
    }
}

impl Endpoint {
    fn validate(&self, side: &str) -> Result<(), String> {
        if self.host.trim().is_empty() {
            return Err(format!("{side}.host is empty"));
        }
        if self.user.trim().is_empty() {
            return Err(format!("{side}.user is empty"));
        }
        if self.database.trim().is_empty() {
            return Err(format!("{side}.database is empty"));
        }
        if self.password_env.is_some() && self.password_file.is_some() {
            return Err(format!(
                "{side}: set password_env or password_file, not both"
            ));
        }
        if self.ca_file.is_some() && self.tls != TlsSetting::Require {
            return Err(format!(
                "{side}.ca_file is set but {side}.tls is not \"require\": the certificate would not be checked"
            ));
        }
        Ok(())
    }

    /// The password from `password_env` or `password_file` (none: empty).
    pub fn password(&self, side: &str) -> Result<String, String> {
        read_password(side, &self.password_env, &self.password_file)
    }

    /// The server's port, or the default for its protocol.
    pub fn port_or_default(&self, kind: EndpointKind) -> u16 {
        self.port.unwrap_or(match kind {
            EndpointKind::Mssql => 1433,
            EndpointKind::Mysql => 3306,
        })
    }

    /// ADO.NET connection string for a SQL Server endpoint.
    pub fn ado(&self, side: &str) -> Result<String, String> {
        let password = self.password(side)?;
        let mut s = format!(
            "server=tcp:{},{};database={};user={};password={}",
            self.host,
            self.port_or_default(EndpointKind::Mssql),
            ado_quote(&self.database),
            ado_quote(&self.user),
            ado_quote(&password),
        );
        match self.tls {
            TlsSetting::Disable => s.push_str(";encrypt=DANGER_PLAINTEXT"),
            TlsSetting::Prefer => s.push_str(";encrypt=true;TrustServerCertificate=true"),
            TlsSetting::Require => {
                s.push_str(";encrypt=true");
                if let Some(ca) = &self.ca_file {
                    s.push_str(";TrustServerCertificateCA=");
                    s.push_str(&ado_quote(&ca.display().to_string()));
                }
            }
        }
        Ok(s)
    }

    /// `mysql://` URL (user and password percent-encoded), without a database.
    pub fn mysql_url(&self, side: &str) -> Result<String, String> {
        let password = self.password(side)?;
        Ok(mysql_url(
            &self.host,
            self.port_or_default(EndpointKind::Mysql),
            &self.user,
            &password,
        ))
    }

    /// The binlog service endpoint of a target: its own section or the target itself.
    pub fn binlog_url(&self) -> Result<(String, u32), String> {
        let b = self.binlog.clone().unwrap_or(BinlogEndpoint {
            host: None,
            port: None,
            user: None,
            password_env: None,
            password_file: None,
            server_id: default_server_id(),
        });
        let password = if b.password_env.is_some() || b.password_file.is_some() {
            read_password("target.binlog", &b.password_env, &b.password_file)?
        } else {
            self.password("target")?
        };
        let url = mysql_url(
            b.host.as_deref().unwrap_or(&self.host),
            b.port
                .unwrap_or_else(|| self.port_or_default(EndpointKind::Mysql)),
            b.user.as_deref().unwrap_or(&self.user),
            &password,
        );
        Ok((url, b.server_id))
    }
}

/// One line for a TOML error: where (line, column), which key, what.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let mut message = e.message().trim().replace('\n', " ");
    if message.contains("unknown field `password`") {
        message.push_str(
            "; passwords are never kept in the file: set password_env (the name of an environment \
             variable) or password_file (a file holding it)",
        );
    }
    let Some(span) = e.span() else {
        return message;
    };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..start].chars().count() + 1;
    let line = text[line_start..].lines().next().unwrap_or("");
    let section = section_before(text, line_start);
    // The key written on that line (text before `=`), never its value.
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('[') && !k.starts_with('#'));
    match (key, section) {
        (Some(k), Some(s)) => format!("line {line_no}, column {column}, key {s}.{k}: {message}"),
        (Some(k), None) => format!("line {line_no}, column {column}, key {k}: {message}"),
        (None, Some(s)) => format!("line {line_no}, column {column}, in [{s}]: {message}"),
        (None, None) => format!("line {line_no}, column {column}: {message}"),
    }
}

/// The `[table]` header in force at byte `offset` (its dotted name).
fn section_before(text: &str, offset: usize) -> Option<String> {
    text[..offset].lines().rev().find_map(|l| {
        let t = l.trim();
        let t = t.strip_prefix("[[").or_else(|| t.strip_prefix('['))?;
        let end = t.find(']')?;
        Some(t[..end].trim().to_string())
    })
}

/// Prefixes a validation message with the line of the key it starts with
/// (`load.parallel = 0: ...` -> `line 12: load.parallel = 0: ...`).
fn locate_key(text: &str, message: &str) -> String {
    let head: String = message
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let Some((section, key)) = head.rsplit_once('.') else {
        return message.to_string();
    };
    let mut current: Option<String> = None;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            current = section_before(l, l.len());
            continue;
        }
        let Some((k, _)) = t.split_once('=') else {
            continue;
        };
        if current.as_deref() == Some(section) && k.trim().trim_matches('"') == key {
            return format!("line {}: {message}", i + 1);
        }
    }
    message.to_string()
}

fn read_password(
    side: &str,
    env: &Option<String>,
    file: &Option<PathBuf>,
) -> Result<String, String> {
    if let Some(var) = env {
        return std::env::var(var).map_err(|_| {
            format!("{side}.password_env names ${var}, which is not set in this environment")
        });
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "{side}.password_file {}: cannot read it ({e})",
                path.display()
            )
        })?;
        return Ok(text.lines().next().unwrap_or("").to_string());
    }
    Ok(String::new())
}

/// Quotes an ADO.NET value when it holds a character with meaning there.
fn ado_quote(v: &str) -> String {
    if v.contains([';', '=', '{', '}', '\'', '"']) || v.trim() != v {
        format!("{{{}}}", v.replace('}', "}}"))
    } else {
        v.to_string()
    }
}

fn mysql_url(host: &str, port: u16, user: &str, password: &str) -> String {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    if password.is_empty() {
        format!("mysql://{}@{host}:{port}", enc(user))
    } else {
        format!("mysql://{}:{}@{host}:{port}", enc(user), enc(password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[migration]
name = "his"
[source]
kind = "mssql"
host = "db1"
database = "his"
user = "sluice"
password_env = "SLUICE_TEST_NO_SUCH_VAR"
[target]
host = "ob1"
port = 2881
database = "his"
user = "root"
"#;

    #[test]
    fn minimal_file_gets_defaults() {
        let c = MigrationConfig::parse(MINIMAL).unwrap();
        assert_eq!(c.source_kind(), EndpointKind::Mssql);
        assert_eq!(c.load.parallel, 4);
        assert_eq!(c.cutover.quiet_seconds, 30);
        assert_eq!(
            c.target.mysql_url("target").unwrap(),
            "mysql://root@ob1:2881"
        );
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = MINIMAL.replace("[target]\n", "[target]\nhots = \"x\"\n");
        let e = MigrationConfig::parse(&text).unwrap_err();
        assert!(e.contains("hots") && e.contains("line"), "{e}");
    }

    #[test]
    fn missing_password_variable_is_named() {
        let c = MigrationConfig::parse(MINIMAL).unwrap();
        let e = c.source.ado("source").unwrap_err();
        assert!(e.contains("SLUICE_TEST_NO_SUCH_VAR"), "{e}");
    }

    #[test]
    fn passwords_are_encoded_not_leaked_into_structure() {
        assert_eq!(
            mysql_url("h", 1, "u@x", "p:w/d"),
            "mysql://u%40x:p%3Aw%2Fd@h:1"
        );
        assert_eq!(ado_quote("a;b}"), "{a;b}}}");
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = MigrationConfig::parse(&MINIMAL.replace("kind = \"mssql\"\n", "")).unwrap_err();
        assert!(e.contains("source.kind"), "{e}");
        let e = MigrationConfig::parse(&format!("{MINIMAL}[load]\nparallel = 0\n")).unwrap_err();
        assert!(e.contains("load.parallel"), "{e}");
        let e = MigrationConfig::parse(&format!("{MINIMAL}[metrics]\nlisten = \"nowhere\"\n"))
            .unwrap_err();
        assert!(e.contains("metrics.listen"), "{e}");
    }

    #[test]
    fn parse_errors_are_one_line_with_line_and_key() {
        let text = format!("{MINIMAL}[load]\nparallel = \"many\"\n");
        let e = MigrationConfig::parse(&text).unwrap_err();
        let line = text
            .lines()
            .position(|l| l.starts_with("parallel"))
            .unwrap()
            + 1;
        assert!(e.starts_with(&format!("line {line}, column")), "{e}");
        assert!(e.contains("key load.parallel"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        // A password typed into the file: named, with the fix, never echoed.
        let text = MINIMAL.replace(
            "user = \"root\"\n",
            "user = \"root\"\npassword = \"Hunter2!\"\n",
        );
        let e = MigrationConfig::parse(&text).unwrap_err();
        assert!(
            e.contains("key target.password") && e.contains("password_env"),
            "{e}"
        );
        assert!(!e.contains("Hunter2"), "{e}");
        // Validation errors get the line of their key.
        let text = format!("{MINIMAL}[sync]\nlanes = 0\n");
        let e = MigrationConfig::parse(&text).unwrap_err();
        let line = text.lines().position(|l| l.starts_with("lanes")).unwrap() + 1;
        assert!(e.starts_with(&format!("line {line}: sync.lanes")), "{e}");
    }

    #[test]
    fn table_filter_globs() {
        let f = TableFilter {
            include: vec!["dbo.*".into()],
            exclude: vec!["dbo.audit_*".into()],
            rename: BTreeMap::new(),
        };
        assert!(f.wants("dbo.Patient"));
        assert!(f.wants("DBO.PATIENT"));
        assert!(!f.wants("dbo.Audit_2024"));
        assert!(!f.wants("clin.Visit"));
        assert!(wildcard("a?c*", "abcdef"));
        assert!(!wildcard("a?c", "abcd"));
    }
}
