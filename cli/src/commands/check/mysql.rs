//! Checks of the MySQL-protocol endpoints: a `kind = "mysql"` source (its
//! binlog settings and grants), the OceanBase target (version, database,
//! privileges, `ob_query_timeout`, TLS) and the binlog service reverse sync
//! reads after cutover.
//!
//! References: MySQL's replication privileges
//! (<https://dev.mysql.com/doc/refman/8.0/en/privileges-provided.html#priv_replication-slave>),
//! binlog options (<https://dev.mysql.com/doc/refman/8.0/en/replication-options-binary-log.html>),
//! MariaDB's `BINLOG MONITOR` (the 10.5+ name of REPLICATION CLIENT,
//! <https://mariadb.com/kb/en/grant/#global-privileges>), OceanBase's
//! `ob_query_timeout` (microseconds, default 10 s).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use sluice_oceanbase::config::redact_url;
use sluice_oceanbase::conn::{connect, ConnectError, Connected};
use sluice_oceanbase::{OceanBaseConfig, TlsMode};

use super::{addr, password_fix, report_tables, report_tls, some_of, Report, Secrets};
use crate::config::{EndpointKind, MigrationConfig, TlsSetting};

/// `max_statement_bytes` of the sink: the server's packet limit must exceed it.
const SINK_STATEMENT_BYTES: u64 = 4 << 20;

fn tls_mode(tls: TlsSetting, ca: &Option<std::path::PathBuf>) -> TlsMode {
    match tls {
        TlsSetting::Disable => TlsMode::Disable,
        TlsSetting::Prefer => TlsMode::Prefer,
        TlsSetting::Require => TlsMode::Require {
            ca_file: ca.clone(),
        },
    }
}

/// Connects; the error is one line without secrets.
async fn open(
    url: &str,
    tls: TlsMode,
    timeout: Duration,
    secrets: &Secrets,
) -> Result<Connected, String> {
    let mut ob = OceanBaseConfig::new(url);
    ob.tls = tls;
    ob.connect_timeout = timeout;
    // The handshake after TCP connect has no timeout of its own.
    match tokio::time::timeout(timeout + Duration::from_secs(5), connect(&ob)).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => {
            let msg = match &e {
                ConnectError::Mysql(mysql_async::Error::Driver(
                    mysql_async::DriverError::NoClientSslFlagFromServer,
                )) => "the server offers no TLS, and tls = \"require\"".to_string(),
                _ => e.to_string(),
            };
            // A driver message could echo the URL: redact it, then any password.
            Err(secrets.scrub(&msg.replace(url, &redact_url(url))))
        }
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs())),
    }
}

/// The fix for a failed connection, from the message.
fn connect_fix(msg: &str, side: &str, env: &Option<String>) -> String {
    let m = msg.to_lowercase();
    if m.contains("1045") || m.contains("access denied") {
        let pw = env
            .as_ref()
            .map(|v| format!("the password in ${v}"))
            .unwrap_or_else(|| format!("{side}.password_env / {side}.password_file"));
        format!(
            "check {side}.user and {pw}; the user must be allowed to connect from this host (CREATE USER 'user'@'%')"
        )
    } else if m.contains("no tls") || m.contains("ssl") || m.contains("certificate") {
        format!(
            "enable TLS on the server, or set {side}.tls = \"prefer\"; with a private CA set {side}.ca_file"
        )
    } else {
        format!(
            "check {side}.host and {side}.port, that the server listens on TCP there and that no firewall blocks the port"
        )
    }
}

/// `SHOW GLOBAL VARIABLES` for the names given (absent ones are missing from the map).
async fn variables(c: &mut Conn, names: &[&str]) -> Result<BTreeMap<String, String>, String> {
    let list = names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<(String, String)> = c
        .query(format!(
            "SHOW GLOBAL VARIABLES WHERE Variable_name IN ({list})"
        ))
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .map(|(k, v)| (k.to_lowercase(), v))
        .collect())
}

/// What `SHOW GRANTS` says the current user holds.
#[derive(Debug, Default)]
struct Grants {
    /// Privileges on `*.*` (upper-case; `ALL PRIVILEGES` kept as `ALL`).
    global: BTreeSet<String>,
    /// Privileges on `db`.* by database (lower-case name).
    db: BTreeMap<String, BTreeSet<String>>,
    /// `'user'@'host'` as the server names the account.
    account: String,
}

impl Grants {
    fn parse(lines: &[String]) -> Grants {
        let mut g = Grants::default();
        for l in lines {
            let Some(rest) = l.strip_prefix("GRANT ") else {
                continue;
            };
            let Some((privs, after)) = rest.split_once(" ON ") else {
                continue; // a role grant (`GRANT r TO u`)
            };
            let Some((scope, to)) = after.split_once(" TO ") else {
                continue;
            };
            if g.account.is_empty() {
                g.account = to
                    .split(" IDENTIFIED")
                    .next()
                    .unwrap_or("")
                    .split(" WITH")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .replace('`', "'")
                    .to_string();
            }
            let set: BTreeSet<String> = privs
                .split(',')
                .map(|p| {
                    let p = p.trim().to_uppercase();
                    if p.starts_with("ALL") {
                        "ALL".to_string()
                    } else {
                        // `SELECT (col)`: a column grant counts as none for a table.
                        p.split(" (").next().unwrap_or("").to_string()
                    }
                })
                .collect();
            let scope = scope.trim();
            if scope == "*.*" {
                g.global.extend(set);
            } else if let Some(db) = scope.strip_suffix(".*") {
                let db = db.trim_matches('`').replace("\\_", "_").to_lowercase();
                g.db.entry(db).or_default().extend(set);
            }
        }
        g
    }

    /// Whether `privilege` holds on every table of `database` (`None`: on `*.*`).
    fn has(&self, privilege: &str, database: Option<&str>) -> bool {
        let on = |s: &BTreeSet<String>| s.contains("ALL") || s.contains(privilege);
        on(&self.global)
            || database
                .and_then(|d| self.db.get(&d.to_lowercase()))
                .is_some_and(on)
    }

    fn account(&self, fallback: &str) -> String {
        if self.account.is_empty() {
            format!("'{fallback}'@'%'")
        } else {
            self.account.clone()
        }
    }
}

async fn grants(c: &mut Conn) -> Result<Grants, String> {
    let lines: Vec<String> = c.query("SHOW GRANTS").await.map_err(|e| e.to_string())?;
    Ok(Grants::parse(&lines))
}

/// `(version(), @@version_comment)`.
async fn version(c: &mut Conn) -> (String, String) {
    c.query_first::<(String, String), _>("SELECT VERSION(), @@version_comment")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

async fn database_exists(c: &mut Conn, db: &str) -> Result<bool, String> {
    let n: Option<i64> = c
        .exec_first(
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            (db,),
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(n.unwrap_or(0) > 0)
}

/// Whether replication privileges are held: (REPLICATION SLAVE, REPLICATION CLIENT).
fn replication_privileges(g: &Grants) -> (bool, bool) {
    let slave = g.has("REPLICATION SLAVE", None);
    // MariaDB 10.5+ shows REPLICATION CLIENT as BINLOG MONITOR; SUPER covers it on MySQL.
    let client =
        g.has("REPLICATION CLIENT", None) || g.has("BINLOG MONITOR", None) || g.has("SUPER", None);
    (slave, client)
}

pub async fn check_source(cfg: &MigrationConfig, r: &mut Report, timeout: Duration) {
    let ep = &cfg.source;
    let what = format!("source {}", addr(ep, EndpointKind::Mysql));
    let url = match ep.mysql_url("source") {
        Ok(u) => u,
        Err(e) => {
            r.fail(
                &what,
                format!("{e} (source checks skipped)"),
                password_fix("source", &ep.password_env, &ep.password_file),
            );
            return;
        }
    };
    let secrets = Secrets::of(cfg);
    let mut conn = match open(&url, tls_mode(ep.tls, &ep.ca_file), timeout, &secrets).await {
        Ok(c) => c,
        Err(m) => {
            r.fail(
                &what,
                format!("cannot log in as {}: {m} (source checks skipped)", ep.user),
                connect_fix(&m, "source", &ep.password_env),
            );
            return;
        }
    };
    r.ok(&what, format!("login as {} works", ep.user));
    report_tls(r, &what, "source", ep.tls, conn.encrypted);
    let c = &mut conn.conn;
    let (v, comment) = version(c).await;
    r.ok(&what, format!("server {v} ({comment})"));

    // The binlog: on, ROW, FULL.
    match variables(
        c,
        &[
            "log_bin",
            "binlog_format",
            "binlog_row_image",
            "binlog_row_metadata",
            "log_bin_compress",
            "server_id",
        ],
    )
    .await
    {
        Ok(vars) => binlog_settings(r, &what, &vars, cfg.sync.server_id, true),
        Err(e) => r.fail(
            &what,
            format!("cannot read the binlog settings: {}", secrets.scrub(&e)),
            "run SHOW GLOBAL VARIABLES LIKE 'binlog%' on the source to check them",
        ),
    }

    // The database and its tables.
    let db = &ep.database;
    match database_exists(c, db).await {
        Ok(true) => r.ok(&what, format!("database {db} exists")),
        Ok(false) => {
            let all: Vec<String> = c.query("SHOW DATABASES").await.unwrap_or_default();
            let others: Vec<String> = all
                .into_iter()
                .filter(|d| {
                    !["information_schema", "mysql", "performance_schema", "sys"]
                        .contains(&d.as_str())
                })
                .collect();
            r.fail(
                &what,
                format!(
                    "database {db} does not exist (or {} cannot see it)",
                    ep.user
                ),
                if others.is_empty() {
                    "set source.database to the database to migrate".to_string()
                } else {
                    format!("set source.database to one of: {}", some_of(&others, 10))
                },
            );
            return;
        }
        Err(e) => {
            r.fail(
                &what,
                format!("cannot read information_schema: {}", secrets.scrub(&e)),
                "grant the user SELECT on the database",
            );
            return;
        }
    }
    let tables: Vec<String> = c
        .exec(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? \
             AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> 'sluice_apply_cursor' ORDER BY TABLE_NAME",
            (db,),
        )
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t: String| format!("{db}.{t}"))
        .collect();
    let wanted = report_tables(r, &what, &cfg.tables, &tables);
    for (key, schema, table, column) in super::type_overrides(cfg) {
        let n: Result<Option<i64>, _> = c
            .exec_first(
                "SELECT COUNT(*) FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?",
                (schema, table, column),
            )
            .await;
        super::report_type_override(r, &what, &key, n.ok().flatten().map(|n| n > 0));
    }

    // Grants: replication (global) and SELECT on the tables.
    let g = match grants(c).await {
        Ok(g) => g,
        Err(e) => {
            r.warn(
                &what,
                format!("cannot read SHOW GRANTS: {}", secrets.scrub(&e)),
                "check that the user has SELECT on the tables, REPLICATION SLAVE and REPLICATION CLIENT",
            );
            return;
        }
    };
    let account = g.account(&ep.user);
    let (slave, client) = replication_privileges(&g);
    if slave && client {
        r.ok(
            &what,
            format!("{account} has REPLICATION SLAVE and REPLICATION CLIENT"),
        );
    } else {
        let missing: Vec<&str> = [("REPLICATION SLAVE", slave), ("REPLICATION CLIENT", client)]
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(p, _)| *p)
            .collect();
        r.fail(
            &what,
            format!(
                "{account} lacks {}: change capture reads the binlog as a replica",
                missing.join(" and ")
            ),
            format!("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO {account};"),
        );
    }
    if g.has("SELECT", Some(db)) {
        r.ok(&what, format!("{account} may SELECT from database {db}"));
    } else {
        // Table-level grants: try each selected table.
        let mut denied = Vec::new();
        for t in &wanted {
            let (d, name) = t.split_once('.').unwrap_or((db, t));
            let sql = format!(
                "SELECT 1 FROM `{}`.`{}` LIMIT 0",
                d.replace('`', "``"),
                name.replace('`', "``")
            );
            if c.query_drop(sql).await.is_err() {
                denied.push(t.clone());
            }
        }
        if denied.is_empty() {
            r.ok(
                &what,
                format!("{account} may SELECT from the selected tables"),
            );
        } else {
            r.fail(
                &what,
                format!(
                    "{account} may not SELECT from {} tables: {}",
                    denied.len(),
                    some_of(&denied, 10)
                ),
                format!("GRANT SELECT ON `{db}`.* TO {account};"),
            );
        }
    }
    let _ = conn.conn.disconnect().await;
}

/// log_bin, binlog_format, binlog_row_image (+ metadata, compression, server_id).
/// `source`: FAIL on a wrong setting; otherwise (the binlog service, needed
/// only from cutover on) WARN.
fn binlog_settings(
    r: &mut Report,
    what: &str,
    vars: &BTreeMap<String, String>,
    reader_id: u32,
    source: bool,
) {
    let bad = |r: &mut Report, detail: String, fix: String| {
        if source {
            r.fail(what, detail, fix)
        } else {
            r.warn(
                what,
                format!("{detail} (reverse sync after cutover needs it)"),
                fix,
            )
        }
    };
    let get = |k: &str| vars.get(k).map(|v| v.to_uppercase());
    match get("log_bin").as_deref() {
        Some("ON") | Some("1") => r.ok(what, "log_bin is ON"),
        Some(v) => bad(
            r,
            format!("log_bin is {v}: the server writes no binlog, so no change can be captured"),
            "add log_bin = mysql-bin and server_id = 1 under [mysqld] in my.cnf, then restart the server".into(),
        ),
        None => r.warn(what, "log_bin is not reported by this server", "check that the binlog is enabled"),
    }
    match get("binlog_format").as_deref() {
        Some("ROW") => r.ok(what, "binlog_format is ROW"),
        Some(v) => bad(
            r,
            format!("binlog_format is {v}: sluice needs ROW (row images, not statements)"),
            "SET GLOBAL binlog_format = 'ROW'; and binlog_format = ROW under [mysqld] in my.cnf (sessions already open keep the old format until they reconnect)".into(),
        ),
        None => r.warn(what, "binlog_format is not reported by this server", "check that it is ROW"),
    }
    match get("binlog_row_image").as_deref() {
        Some("FULL") => r.ok(what, "binlog_row_image is FULL"),
        Some(v) => bad(
            r,
            format!("binlog_row_image is {v}: sluice needs FULL (every column before and after each change)"),
            "SET GLOBAL binlog_row_image = 'FULL'; and binlog_row_image = FULL under [mysqld] in my.cnf".into(),
        ),
        None => r.warn(what, "binlog_row_image is not reported by this server", "check that it is FULL"),
    }
    if let Some(v) = get("binlog_row_metadata") {
        if v != "FULL" {
            r.warn(
                what,
                format!("binlog_row_metadata is {v}: column names come from information_schema, not the binlog, so a column change during sync can be misread"),
                "SET GLOBAL binlog_row_metadata = 'FULL'; and binlog_row_metadata = FULL under [mysqld] in my.cnf",
            );
        }
    }
    if get("log_bin_compress").as_deref() == Some("ON") {
        bad(
            r,
            "log_bin_compress is ON: compressed binlog events are not supported".into(),
            "SET GLOBAL log_bin_compress = OFF; and remove log_bin_compress from my.cnf".into(),
        );
    }
    if let Some(id) = vars.get("server_id").and_then(|v| v.parse::<u64>().ok()) {
        if id == 0 && source {
            bad(
                r,
                "server_id is 0: the server refuses replicas".into(),
                "set server_id = 1 (any unique non-zero number) under [mysqld] in my.cnf and restart".into(),
            );
        } else if id == u64::from(reader_id) {
            bad(
                r,
                format!("the server's server_id is {id}, the same as sluice's replica id"),
                if source {
                    "set sync.server_id to another number".into()
                } else {
                    "set target.binlog.server_id to another number".into()
                },
            );
        }
    }
}

/// What the target turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Not reached (bad password setting, no answer, login refused).
    Unreachable,
    OceanBase,
    /// Another MySQL-protocol server.
    Other,
}

/// Checks the target.
pub async fn check_target(cfg: &MigrationConfig, r: &mut Report, timeout: Duration) -> Target {
    let ep = &cfg.target;
    let what = format!("target {}", addr(ep, EndpointKind::Mysql));
    let url = match ep.mysql_url("target") {
        Ok(u) => u,
        Err(e) => {
            r.fail(
                &what,
                format!("{e} (target checks skipped)"),
                password_fix("target", &ep.password_env, &ep.password_file),
            );
            return Target::Unreachable;
        }
    };
    let secrets = Secrets::of(cfg);
    let mut conn = match open(&url, tls_mode(ep.tls, &ep.ca_file), timeout, &secrets).await {
        Ok(c) => c,
        Err(m) => {
            r.fail(
                &what,
                format!("cannot log in as {}: {m} (target checks skipped)", ep.user),
                connect_fix(&m, "target", &ep.password_env),
            );
            return Target::Unreachable;
        }
    };
    r.ok(&what, format!("login as {} works", ep.user));
    report_tls(r, &what, "target", ep.tls, conn.encrypted);
    let oceanbase = conn.oceanbase;
    let c = &mut conn.conn;
    let (v, comment) = version(c).await;
    if oceanbase {
        let ob = ob_version(&comment).or_else(|| ob_version(&v.replace("-v", " ")));
        match ob
            .as_deref()
            .and_then(|s| s.split('.').next()?.parse::<u32>().ok())
        {
            Some(major) if major < 4 => r.warn(
                &what,
                format!(
                    "OceanBase {} ({v}): sluice is built and tested for OceanBase 4.x",
                    ob.unwrap_or_default()
                ),
                "upgrade the target to OceanBase 4.2 or later",
            ),
            _ => r.ok(&what, format!("OceanBase {} ({v})", ob.unwrap_or_default())),
        }
    } else {
        r.warn(
            &what,
            format!("the target is not OceanBase: {v} ({comment})"),
            "point target at the OceanBase tenant (MySQL mode); other MySQL-protocol servers take the load and forward sync but are not what sluice is tested for",
        );
    }

    // The database: exists, or may be created.
    let db = &ep.database;
    let g = grants(c).await;
    let account = g
        .as_ref()
        .map(|g| g.account(&ep.user))
        .unwrap_or_else(|_| format!("'{}'@'%'", ep.user));
    match database_exists(c, db).await {
        Ok(true) => r.ok(&what, format!("database {db} exists")),
        Ok(false) => match &g {
            Ok(g) if g.has("CREATE", Some(db)) => r.ok(
                &what,
                format!("database {db} does not exist yet; {account} may create it (migrate does)"),
            ),
            Ok(_) => r.fail(
                &what,
                format!("database {db} does not exist and {account} may not create it"),
                format!("CREATE DATABASE `{db}`; as an administrator, or GRANT CREATE ON *.* TO {account};"),
            ),
            Err(_) => r.warn(
                &what,
                format!("database {db} does not exist; cannot tell whether {account} may create it"),
                format!("CREATE DATABASE `{db}`; as an administrator"),
            ),
        },
        Err(e) => r.fail(
            &what,
            format!("cannot read information_schema: {}", secrets.scrub(&e)),
            "check the user's privileges on the target",
        ),
    }

    // Privileges for the load, sync and the control tables.
    match &g {
        Ok(g) => {
            let needed = ["CREATE", "SELECT", "INSERT", "UPDATE", "DELETE"];
            let missing: Vec<&str> = needed
                .iter()
                .copied()
                .filter(|p| !g.has(p, Some(db)))
                .collect();
            if missing.is_empty() {
                r.ok(
                    &what,
                    format!("{account} has CREATE, SELECT, INSERT, UPDATE and DELETE on {db}"),
                );
            } else {
                r.fail(
                    &what,
                    format!("{account} lacks {} on {db}", missing.join(", ")),
                    format!(
                        "GRANT CREATE, ALTER, INDEX, SELECT, INSERT, UPDATE, DELETE ON *.* TO {account}; \
                         (migrate also creates <database>_<schema> databases and the control database)"
                    ),
                );
            }
            let later: Vec<&str> = ["ALTER", "INDEX"]
                .into_iter()
                .filter(|p| !g.has(p, Some(db)))
                .collect();
            if !later.is_empty() {
                r.warn(
                    &what,
                    format!(
                        "{account} lacks {}: indexes and foreign keys are added after the load with ALTER TABLE / CREATE INDEX",
                        later.join(" and ")
                    ),
                    format!("GRANT ALTER, INDEX ON *.* TO {account};"),
                );
            }
        }
        Err(e) => r.warn(
            &what,
            format!("cannot read SHOW GRANTS: {}", secrets.scrub(e)),
            "check that the user has CREATE, ALTER, INDEX, SELECT, INSERT, UPDATE and DELETE",
        ),
    }

    // Server settings.
    if let Ok(vars) = variables(c, &["ob_query_timeout", "max_allowed_packet"]).await {
        if let Some(us) = vars
            .get("ob_query_timeout")
            .and_then(|v| v.parse::<u64>().ok())
        {
            let secs = us as f64 / 1e6;
            if us <= 10_000_000 {
                r.warn(
                    &what,
                    format!(
                        "ob_query_timeout is {secs} s: longer statements are cancelled in sessions that do not raise it \
                         (sluice's apply sessions do; verify digests of big tables and your own checks may not)"
                    ),
                    "SET GLOBAL ob_query_timeout = 600000000; (600 s, as the tenant's administrator)",
                );
            } else {
                r.ok(&what, format!("ob_query_timeout is {secs} s"));
            }
        }
        if let Some(bytes) = vars
            .get("max_allowed_packet")
            .and_then(|v| v.parse::<u64>().ok())
        {
            if bytes <= SINK_STATEMENT_BYTES + 1024 {
                r.fail(
                    &what,
                    format!(
                        "max_allowed_packet is {bytes} bytes: the sink sends statements up to {SINK_STATEMENT_BYTES} bytes"
                    ),
                    "SET GLOBAL max_allowed_packet = 67108864; (64 MiB)",
                );
            } else {
                r.ok(&what, format!("max_allowed_packet is {} MiB", bytes >> 20));
            }
        }
    }
    let _ = conn.conn.disconnect().await;
    if oceanbase {
        Target::OceanBase
    } else {
        Target::Other
    }
}

/// `4.3.5.3` from `OceanBase 4.3.5.3 seekdb (…)` or `OceanBase_CE 4.2.1.0 (…)`.
fn ob_version(text: &str) -> Option<String> {
    let after = &text[text.find("OceanBase")?..];
    after
        .split_whitespace()
        .skip(1)
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .map(|t| t.trim_start_matches('v').to_string())
}

/// The binlog service reverse sync reads: `[target.binlog]` or the target itself.
pub async fn check_binlog(
    cfg: &MigrationConfig,
    r: &mut Report,
    timeout: Duration,
    target: Target,
) {
    let t = &cfg.target;
    let b = t.binlog.as_ref();
    let host = b
        .and_then(|b| b.host.clone())
        .unwrap_or_else(|| t.host.clone());
    let port = b
        .and_then(|b| b.port)
        .unwrap_or_else(|| t.port_or_default(EndpointKind::Mysql));
    let what = format!("binlog {host}:{port}");
    let own = b.is_none_or(|b| b.host.is_none() && b.port.is_none());
    if own && target == Target::Unreachable {
        // The same server as the target, which already FAILed.
        return;
    }
    if own && target == Target::OceanBase {
        r.warn(
            &what,
            "no binlog service configured: OceanBase serves its binlog through the binlog service (obbinlog) \
             on its own host and port; reverse sync reads it from cutover on",
            "set host and port under [target.binlog] to the obbinlog service of this tenant before cutover",
        );
        return;
    }
    let (url, server_id) = match t.binlog_url() {
        Ok(u) => u,
        Err(e) => {
            let (env, file) = b
                .filter(|b| b.password_env.is_some() || b.password_file.is_some())
                .map(|b| (b.password_env.clone(), b.password_file.clone()))
                .unwrap_or((t.password_env.clone(), t.password_file.clone()));
            let side = if e.starts_with("target.binlog") {
                "target.binlog"
            } else {
                "target"
            };
            r.warn(
                &what,
                format!("{e} (needed only for reverse sync at cutover)"),
                password_fix(side, &env, &file),
            );
            return;
        }
    };
    let secrets = Secrets::of(cfg);
    let mut conn = match open(&url, tls_mode(t.tls, &t.ca_file), timeout, &secrets).await {
        Ok(c) => c,
        Err(m) => {
            r.warn(
                &what,
                format!("cannot connect: {m} (needed only for reverse sync at cutover)"),
                "check [target.binlog] host, port, user and password, and that the binlog service runs",
            );
            return;
        }
    };
    r.ok(&what, "reachable: login works");
    let c = &mut conn.conn;
    match variables(
        c,
        &[
            "log_bin",
            "binlog_format",
            "binlog_row_image",
            "binlog_row_metadata",
            "server_id",
        ],
    )
    .await
    {
        Ok(vars) if !vars.is_empty() => binlog_settings(r, &what, &vars, server_id, false),
        _ => r.warn(
            &what,
            "cannot read binlog_format / binlog_row_image from the binlog service",
            "check on the server that binlog_format = ROW and binlog_row_image = FULL",
        ),
    }
    if let Ok(g) = grants(c).await {
        let (slave, client) = replication_privileges(&g);
        if !(slave && client) {
            let account = g.account(b.and_then(|b| b.user.as_deref()).unwrap_or(&t.user));
            r.warn(
                &what,
                format!("{account} lacks REPLICATION SLAVE / REPLICATION CLIENT (reverse sync after cutover reads the binlog as a replica)"),
                format!("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO {account};"),
            );
        }
    }
    let _ = conn.conn.disconnect().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_read_from_show_grants() {
        let g = Grants::parse(&[
            "GRANT USAGE ON *.* TO `sluice`@`%`".into(),
            "GRANT SELECT, INSERT ON `his`.* TO `sluice`@`%`".into(),
            "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `sluice`@`%`".into(),
        ]);
        assert!(g.has("SELECT", Some("HIS")));
        assert!(!g.has("SELECT", Some("other")));
        assert!(!g.has("SELECT", None));
        assert_eq!(replication_privileges(&g), (true, true));
        assert_eq!(g.account("x"), "'sluice'@'%'");
        let root =
            Grants::parse(&["GRANT ALL PRIVILEGES ON *.* TO 'root' WITH GRANT OPTION".into()]);
        assert!(root.has("CREATE", Some("any")));
        assert_eq!(root.account("x"), "'root'");
        let none = Grants::parse(&[]);
        assert_eq!(replication_privileges(&none), (false, false));
    }

    #[test]
    fn oceanbase_versions() {
        assert_eq!(
            ob_version("OceanBase 4.3.5.3 seekdb (r1.4.0.0) (Built 1-d0cb)").as_deref(),
            Some("4.3.5.3")
        );
        assert_eq!(
            ob_version("OceanBase_CE 4.2.1.0 (r1)").as_deref(),
            Some("4.2.1.0")
        );
        assert_eq!(ob_version("MariaDB Server"), None);
    }

    #[test]
    fn wrong_binlog_settings_fail_on_a_source_and_warn_on_the_service() {
        let vars: BTreeMap<String, String> = [
            ("log_bin", "OFF"),
            ("binlog_format", "MIXED"),
            ("binlog_row_image", "MINIMAL"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut r = Report::default();
        binlog_settings(&mut r, "t", &vars, 1, true);
        assert_eq!((r.ok, r.fail), (0, 3));
        let mut r = Report::default();
        binlog_settings(&mut r, "t", &vars, 1, false);
        assert_eq!((r.ok, r.warn, r.fail), (0, 3, 0));
    }
}
