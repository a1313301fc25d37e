//! `sluice check`: is this migration ready to run?
//!
//! Validates the migration file, then logs in to every endpoint and checks
//! what the journey will need, printing one line per check:
//!
//! ```text
//! OK    source 10.0.0.5:1433: login as sluice works
//! FAIL  source 10.0.0.5:1433: CDC is not enabled on database [his] -> fix: USE [his]; EXEC sys.sp_cdc_enable_db;
//! WARN  binlog 10.0.0.7:2983: cannot connect (...) -> fix: ...
//! ```
//!
//! Exit status: 0 when nothing FAILed (warnings allowed), 1 when something
//! did, 2 when the file cannot be read or is not a valid migration file.
//!
//! Where each check lives: [`mssql`] (a SQL Server source: version, CDC,
//! capture instances, Agent, snapshot isolation, permissions), [`mysql`]
//! (a MySQL-protocol source's binlog settings and grants, the OceanBase
//! target, the binlog service reverse sync reads); this module holds the
//! report, the local checks (state folder, metrics address) and the
//! secret scrubbing every driver message goes through.

mod mssql;
mod mysql;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::CmdResult;
use crate::config::{Endpoint, EndpointKind, MigrationConfig, TableFilter, TlsSetting};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The migration file (`sluice init` writes an example).
    #[arg(long, short, default_value = "sluice.toml")]
    pub config: PathBuf,
    /// Seconds to wait for each server to answer a login.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
}

pub fn run(a: CheckArgs) -> CmdResult {
    // An unreadable or invalid file is an error (exit 2), naming file, line and key.
    let cfg = MigrationConfig::load(&a.config)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut r = Report::default();
    println!(
        "sluice check: {} (migration {:?}, source kind {})",
        a.config.display(),
        cfg.migration.name,
        match cfg.source_kind() {
            EndpointKind::Mssql => "mssql",
            EndpointKind::Mysql => "mysql",
        }
    );
    r.ok("config", format!("{} is valid", a.config.display()));
    rt.block_on(check_all(
        &cfg,
        &mut r,
        Duration::from_secs(a.timeout.max(1)),
    ));
    println!(
        "{} OK, {} WARN, {} FAIL: {}",
        r.ok,
        r.warn,
        r.fail,
        if r.fail == 0 {
            "ready"
        } else {
            "fix each FAIL above and run sluice check again"
        }
    );
    Ok(if r.fail == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn check_all(cfg: &MigrationConfig, r: &mut Report, timeout: Duration) {
    check_state_dir(cfg, r);
    check_metrics(cfg, r);
    check_same_database(cfg, r);
    match cfg.source_kind() {
        EndpointKind::Mssql => mssql::check_source(cfg, r, timeout).await,
        EndpointKind::Mysql => mysql::check_source(cfg, r, timeout).await,
    }
    let target = mysql::check_target(cfg, r, timeout).await;
    mysql::check_binlog(cfg, r, timeout, target).await;
}

/// Counts and prints check results, one line each.
#[derive(Default)]
pub struct Report {
    pub ok: usize,
    pub warn: usize,
    pub fail: usize,
}

impl Report {
    pub fn ok(&mut self, what: &str, detail: impl std::fmt::Display) {
        self.ok += 1;
        self.line("OK", what, &detail.to_string(), None);
    }

    pub fn warn(
        &mut self,
        what: &str,
        detail: impl std::fmt::Display,
        fix: impl std::fmt::Display,
    ) {
        self.warn += 1;
        self.line("WARN", what, &detail.to_string(), Some(&fix.to_string()));
    }

    pub fn fail(
        &mut self,
        what: &str,
        detail: impl std::fmt::Display,
        fix: impl std::fmt::Display,
    ) {
        self.fail += 1;
        self.line("FAIL", what, &detail.to_string(), Some(&fix.to_string()));
    }

    fn line(&self, status: &str, what: &str, detail: &str, fix: Option<&str>) {
        let mut s = format!("{status:<5} {what}: {}", one_line(detail));
        if let Some(f) = fix.filter(|f| !f.is_empty()) {
            s.push_str(" -> fix: ");
            s.push_str(&one_line(f));
        }
        println!("{s}");
        let _ = std::io::stdout().flush();
    }
}

/// Folds a (driver) message onto one line, dropping a repeated prefix
/// (`Input/output error: Input/output error: …`).
fn one_line(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut parts: Vec<&str> = Vec::new();
    for p in flat.split(": ") {
        if parts.last() != Some(&p) {
            parts.push(p);
        }
    }
    parts.join(": ")
}

/// Removes every password in play from a message: driver errors may quote
/// a connection string or URL. Applied on top of the drivers' own scrubbing
/// (`MssqlConfig::scrub`, `redact_url`).
pub struct Secrets(Vec<String>);

impl Secrets {
    pub fn of(cfg: &MigrationConfig) -> Self {
        let mut v: Vec<String> = [
            cfg.source.password("source").ok(),
            cfg.target.password("target").ok(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
        if let Ok((url, _)) = cfg.target.binlog_url() {
            if let Some(p) = url_password(&url) {
                v.push(p);
            }
        }
        // Longest first, so a password containing another is removed whole.
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Secrets(v)
    }

    pub fn scrub(&self, msg: &str) -> String {
        let mut out = msg.to_string();
        for s in &self.0 {
            out = out.replace(s.as_str(), "***");
        }
        out
    }
}

/// The (percent-encoded) password part of a `mysql://user:pw@host` URL.
fn url_password(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let auth = rest.rsplit_once('@')?.0;
    let pw = auth.split_once(':')?.1;
    (!pw.is_empty()).then(|| pw.to_string())
}

/// `host:port` of an endpoint (never its password).
pub fn addr(ep: &Endpoint, kind: EndpointKind) -> String {
    let host = if ep.host.contains(':') {
        format!("[{}]", ep.host)
    } else {
        ep.host.clone()
    };
    format!("{host}:{}", ep.port_or_default(kind))
}

/// The fix for a password that cannot be read.
pub fn password_fix(side: &str, env: &Option<String>, file: &Option<PathBuf>) -> String {
    match (env, file) {
        (Some(v), _) => format!(
            "export {v}=<password> in the shell that runs sluice (or point {side}.password_file at a file holding it)"
        ),
        (_, Some(f)) => format!(
            "make {} readable by this user, or set {side}.password_env instead",
            f.display()
        ),
        _ => String::new(),
    }
}

/// Reports the tables the filter selects; returns them (`schema.table`).
///
/// `all` are the source's tables as `schema.table`. Warns about include
/// patterns that match nothing (usually a typo).
pub fn report_tables(
    r: &mut Report,
    what: &str,
    filter: &TableFilter,
    all: &[String],
) -> Vec<String> {
    let wanted: Vec<String> = all.iter().filter(|t| filter.wants(t)).cloned().collect();
    for p in &filter.include {
        if !all.iter().any(|t| crate::config::wildcard(p, t)) {
            r.warn(
                what,
                format!("tables.include pattern {p:?} matches no table"),
                "correct the pattern (\"schema.table\", * and ? wildcards; for a mysql source \"database.table\")",
            );
        }
    }
    for old in filter.rename.keys() {
        if !all.iter().any(|t| t.eq_ignore_ascii_case(old)) {
            r.warn(
                what,
                format!("tables.rename names {old:?}, which is not a table of the source"),
                "name the source table as \"schema.table\"",
            );
        }
    }
    if wanted.is_empty() {
        r.warn(
            what,
            format!(
                "no table to migrate ({} in the database, none selected)",
                all.len()
            ),
            "check [tables] include/exclude, or that source.database is the right database",
        );
    } else {
        r.ok(
            what,
            format!(
                "{} of {} tables selected for migration",
                wanted.len(),
                all.len()
            ),
        );
    }
    wanted
}

/// `[types]` keys split as (key, schema, table, column).
pub fn type_overrides(cfg: &MigrationConfig) -> Vec<(String, String, String, String)> {
    cfg.types
        .keys()
        .filter_map(|k| {
            let mut it = k.splitn(3, '.');
            let (s, t, c) = (it.next()?, it.next()?, it.next()?);
            Some((k.clone(), s.to_string(), t.to_string(), c.to_string()))
        })
        .collect()
}

/// A `[types]` override must name an existing source column (`None`: cannot tell).
pub fn report_type_override(r: &mut Report, what: &str, key: &str, exists: Option<bool>) {
    match exists {
        Some(true) => r.ok(what, format!("types.{key:?} names an existing column")),
        Some(false) => r.fail(
            what,
            format!("types.{key:?} names no column of the source: the override would be ignored"),
            "name the column as \"schema.table.column\" (for a mysql source \"database.table.column\") as the source spells it",
        ),
        None => r.warn(
            what,
            format!("cannot tell whether types.{key:?} names a column of the source"),
            "check the spelling of the override",
        ),
    }
}

/// A short list for messages: the first `n` names and how many more.
pub fn some_of(names: &[String], n: usize) -> String {
    let mut s = names.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > n {
        s.push_str(&format!(" and {} more", names.len() - n));
    }
    s
}

fn check_state_dir(cfg: &MigrationConfig, r: &mut Report) {
    let dir = cfg.state_dir();
    let what = "state folder";
    let fix = |d: &Path| {
        format!(
            "create {} and give this user write access, or set migration.state_dir to a writable folder",
            d.display()
        )
    };
    // Probe the folder, or the nearest existing parent it will be created in.
    let mut probe_dir = dir.clone();
    let exists = dir.exists();
    if exists && !dir.is_dir() {
        r.fail(
            what,
            format!("{} exists but is not a folder", dir.display()),
            fix(&dir),
        );
        return;
    }
    if !exists {
        while !probe_dir.exists() {
            match probe_dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => probe_dir = p.to_path_buf(),
                _ => {
                    probe_dir = PathBuf::from(".");
                    break;
                }
            }
        }
    }
    let probe = probe_dir.join(format!(".sluice-check-{}", std::process::id()));
    match std::fs::write(&probe, b"sluice check\n") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            if exists {
                r.ok(what, format!("{} is writable", dir.display()));
            } else {
                r.ok(
                    what,
                    format!(
                        "{} does not exist yet; it will be created in {}, which is writable",
                        dir.display(),
                        probe_dir.display()
                    ),
                );
            }
        }
        Err(e) => r.fail(
            what,
            format!("cannot write in {}: {e}", probe_dir.display()),
            fix(&dir),
        ),
    }
}

fn check_metrics(cfg: &MigrationConfig, r: &mut Report) {
    let what = "metrics";
    let Some(addr) = &cfg.metrics.listen else {
        r.ok(
            what,
            "metrics.listen is not set: no status page or /metrics will be served",
        );
        return;
    };
    match std::net::TcpListener::bind(addr.as_str()) {
        Ok(l) => {
            drop(l);
            r.ok(what, format!("{addr} can be bound for the status page and /metrics"));
        }
        // In use: possibly by a sluice already running with this file.
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => r.warn(
            what,
            format!("{addr} is in use"),
            "expected while `sluice sync` runs with this file; otherwise choose another port in metrics.listen",
        ),
        Err(e) => r.fail(
            what,
            format!("cannot bind {addr}: {e}"),
            "use an address of this machine and a free port above 1024 in metrics.listen, e.g. \"127.0.0.1:9187\"",
        ),
    }
}

/// A MySQL-protocol source and the target must not be the same database.
fn check_same_database(cfg: &MigrationConfig, r: &mut Report) {
    if cfg.source_kind() != EndpointKind::Mysql {
        return;
    }
    let (s, t) = (&cfg.source, &cfg.target);
    if s.host.eq_ignore_ascii_case(&t.host)
        && s.port_or_default(EndpointKind::Mysql) == t.port_or_default(EndpointKind::Mysql)
        && s.database.eq_ignore_ascii_case(&t.database)
    {
        r.fail(
            "config",
            format!(
                "source and target are the same database ({} on {})",
                s.database,
                addr(s, EndpointKind::Mysql)
            ),
            "point target at the OceanBase server and database the data moves to",
        );
    }
}

/// A TLS line for an endpoint: whether the session is encrypted.
pub fn report_tls(r: &mut Report, what: &str, side: &str, tls: TlsSetting, encrypted: bool) {
    match (tls, encrypted) {
        (_, true) => r.ok(what, "the connection is encrypted (TLS)"),
        (TlsSetting::Disable, false) => r.warn(
            what,
            format!("TLS is disabled by {side}.tls: data crosses the network unencrypted"),
            format!("set {side}.tls = \"prefer\" or \"require\" unless the network is trusted"),
        ),
        (_, false) => r.warn(
            what,
            "the server offers no TLS: data crosses the network unencrypted",
            format!(
                "enable TLS on the server (a certificate and key), then set {side}.tls = \"require\""
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_and_secrets_go() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
        assert_eq!(one_line("IO: IO: refused"), "IO: refused");
        let s = Secrets(vec!["p@ss:word".into()]);
        assert_eq!(s.scrub("login p@ss:word failed"), "login *** failed");
        assert_eq!(
            url_password("mysql://u:p%40w@h:1").as_deref(),
            Some("p%40w")
        );
        assert_eq!(url_password("mysql://u@h:1"), None);
    }

    #[test]
    fn some_of_counts_the_rest() {
        let v: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(some_of(&v, 2), "a, b and 1 more");
        assert_eq!(some_of(&v, 5), "a, b, c");
    }
}
