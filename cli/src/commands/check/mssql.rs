//! Checks of a SQL Server source: login, version, database, CDC (database
//! and capture instances), SQL Server Agent, snapshot isolation, permissions.
//!
//! Every query reads a documented catalog view or function; the pages:
//! - `sys.databases` (`is_cdc_enabled`, `snapshot_isolation_state`):
//!   <https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-databases-transact-sql>
//! - `cdc.change_tables` (one row per capture instance, with its gating `role_name`):
//!   <https://learn.microsoft.com/sql/relational-databases/system-tables/cdc-change-tables-transact-sql>
//! - `sys.sp_cdc_enable_db` (needs sysadmin):
//!   <https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sys-sp-cdc-enable-db-transact-sql>
//! - `sys.sp_cdc_enable_table` (needs db_owner):
//!   <https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sys-sp-cdc-enable-table-transact-sql>
//! - who may read change data (the gating role and SELECT on the captured
//!   columns; db_owner and sysadmin always may):
//!   <https://learn.microsoft.com/sql/relational-databases/track-changes/about-change-data-capture-sql-server#security>
//! - `sys.dm_server_services` (needs VIEW SERVER STATE):
//!   <https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-server-services-transact-sql>
//! - `SERVERPROPERTY`:
//!   <https://learn.microsoft.com/sql/t-sql/functions/serverproperty-transact-sql>
//! - `IS_SRVROLEMEMBER`, `IS_MEMBER`, `HAS_PERMS_BY_NAME`, `fn_my_permissions`:
//!   <https://learn.microsoft.com/sql/t-sql/functions/is-srvrolemember-transact-sql>,
//!   <https://learn.microsoft.com/sql/t-sql/functions/is-member-transact-sql>,
//!   <https://learn.microsoft.com/sql/t-sql/functions/has-perms-by-name-transact-sql>,
//!   <https://learn.microsoft.com/sql/relational-databases/system-functions/sys-fn-my-permissions-transact-sql>
//! - `ALTER DATABASE … SET ALLOW_SNAPSHOT_ISOLATION ON`:
//!   <https://learn.microsoft.com/sql/t-sql/statements/alter-database-transact-sql-set-options>
//!
//! Babelfish answers most of these (its README lists what it lacks: CDC,
//! `sys.dm_server_services`, `fn_my_permissions`); a missing view is a WARN
//! ("cannot see"), never a crash.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use sluice_engine::value::Value;
use sluice_mssql::catalog::{int_of, query, text_of};
use sluice_mssql::{connect, MssqlClient, MssqlConfig};

use super::{addr, password_fix, report_tables, some_of, Report, Secrets};
use crate::config::{EndpointKind, MigrationConfig};

/// At most this many per-table lines for one kind of problem.
const MAX_TABLE_LINES: usize = 20;

/// `N'…'` literal for a name (names only; values are never quoted into SQL).
fn lit(s: &str) -> String {
    format!("N'{}'", s.replace('\'', "''"))
}

/// `[name]` with `]` doubled.
fn ident(s: &str) -> String {
    format!("[{}]", s.replace(']', "]]"))
}

struct Session<'a> {
    what: String,
    login: String,
    cfg: MssqlConfig,
    secrets: &'a Secrets,
    timeout: Duration,
}

impl Session<'_> {
    fn scrub(&self, msg: &str) -> String {
        self.secrets.scrub(&self.cfg.scrub(msg))
    }

    /// Connects to `database`; the error is one scrubbed line.
    async fn connect(&self, database: &str) -> Result<MssqlClient, String> {
        let cfg = self.cfg.with_database(database);
        match tokio::time::timeout(self.timeout, connect(&cfg)).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(sluice_mssql::Error::Connect { message, .. })) => Err(self.scrub(&message)),
            Ok(Err(e)) => Err(self.scrub(&e.to_string())),
            Err(_) => Err(format!("no answer within {} s", self.timeout.as_secs())),
        }
    }

    async fn rows(
        &self,
        c: &mut MssqlClient,
        context: &str,
        sql: &str,
    ) -> Result<Vec<Vec<Value>>, String> {
        query(c, context, sql)
            .await
            .map_err(|e| self.scrub(&e.to_string()))
    }
}

/// The fix for a failed login or connection, from the driver's message.
fn connect_fix(msg: &str, cfg: &MigrationConfig) -> String {
    let m = msg.to_lowercase();
    if m.contains("18456") || m.contains("login failed") {
        let pw = match (&cfg.source.password_env, &cfg.source.password_file) {
            (Some(v), _) => format!("the password in ${v}"),
            (_, Some(f)) => format!("the password in {}", f.display()),
            _ => "the password (none is configured: set source.password_env)".into(),
        };
        format!(
            "check source.user and {pw}; the login must exist and SQL Server authentication must be enabled (mixed mode)"
        )
    } else if m.contains("certificate") || m.contains("tls") || m.contains("handshake") {
        "the TLS handshake failed: with tls = \"require\" set source.ca_file to the CA that signed the server's certificate, or use tls = \"prefer\"".into()
    } else {
        "check source.host and source.port, that SQL Server accepts TCP connections there (TCP/IP enabled in SQL Server Configuration Manager) and that no firewall blocks the port".into()
    }
}

fn product_year(major: i64) -> &'static str {
    match major {
        10 => "2008",
        11 => "2012",
        12 => "2014",
        13 => "2016",
        14 => "2017",
        15 => "2019",
        16 => "2022",
        17 => "2025",
        _ => "?",
    }
}

pub async fn check_source(cfg: &MigrationConfig, r: &mut Report, timeout: Duration) {
    let ep = &cfg.source;
    let what = format!("source {}", addr(ep, EndpointKind::Mssql));
    let ado = match ep.ado("source") {
        Ok(a) => a,
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
    let mc = match MssqlConfig::from_ado(&ado) {
        Ok(c) => c,
        Err(e) => {
            r.fail(
                &what,
                secrets.scrub(&e.to_string()),
                "check source.host, source.port and source.tls",
            );
            return;
        }
    };
    let s = Session {
        what: what.clone(),
        login: ep.user.clone(),
        cfg: mc,
        secrets: &secrets,
        timeout,
    };

    // 1. Login, on master: it exists even when the database does not. A
    // contained user (Azure SQL Database) may log in only to its database.
    let first = match s.connect("master").await {
        Err(m) if m.contains("18456") || m.contains("4060") => {
            s.connect(&ep.database).await.map_err(|_| m)
        }
        other => other,
    };
    let mut c = match first {
        Ok(c) => c,
        Err(m) => {
            r.fail(
                &what,
                format!("cannot log in as {}: {m} (source checks skipped)", ep.user),
                connect_fix(&m, cfg),
            );
            return;
        }
    };
    r.ok(&what, format!("login as {} works", ep.user));
    // "prefer" and "require" both send encrypt=true: the login fails unless TLS is up.
    super::report_tls(
        r,
        &what,
        "source",
        ep.tls,
        ep.tls != crate::config::TlsSetting::Disable,
    );

    // 2. Version and edition.
    let v = s
        .rows(
            &mut c,
            "server version",
            "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)), \
             CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)), \
             CAST(SERVERPROPERTY('Edition') AS nvarchar(128)), \
             CAST(SERVERPROPERTY('EngineEdition') AS int), @@VERSION",
        )
        .await;
    let mut engine_edition = 0;
    match v.as_ref().map(|rows| rows.first()) {
        Ok(Some(row)) => {
            let version = text_of(&row[0]);
            let level = text_of(&row[1]);
            let edition = text_of(&row[2]);
            engine_edition = int_of(&row[3]);
            let babelfish = text_of(&row[4]).contains("Babelfish");
            let major: i64 = version
                .split('.')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            if babelfish {
                r.warn(
                    &s.what,
                    format!(
                        "Babelfish for PostgreSQL (reports SQL Server {version}): a T-SQL server without CDC; \
                         the full load and reverse sync work, forward sync does not"
                    ),
                    "for a live migration the source must be SQL Server 2016 or later",
                );
            } else if major < 13 {
                r.fail(
                    &s.what,
                    format!(
                        "SQL Server {} ({version}): sluice needs SQL Server 2016 (13.x) or later",
                        product_year(major)
                    ),
                    "upgrade the source server to SQL Server 2016 SP1 or later",
                );
            } else if engine_edition == 4 {
                // Express: no SQL Server Agent, so CDC's capture job never runs.
                r.fail(
                    &s.what,
                    format!("SQL Server {} {edition}: Express has no SQL Server Agent, so CDC captures nothing", product_year(major)),
                    "use Standard, Enterprise or Developer edition for the source",
                );
            } else if major == 13 && edition.contains("Standard") && level == "RTM" {
                r.fail(
                    &s.what,
                    format!(
                        "SQL Server 2016 {edition} {level}: CDC on Standard edition needs 2016 SP1"
                    ),
                    "install SQL Server 2016 Service Pack 1 or later",
                );
            } else {
                r.ok(
                    &s.what,
                    format!(
                        "SQL Server {} {level} ({version}, {edition})",
                        product_year(major)
                    ),
                );
            }
        }
        Ok(None) => r.warn(
            &s.what,
            "the server did not report its version",
            "run SELECT @@VERSION to check it is SQL Server 2016 or later",
        ),
        Err(e) => r.warn(
            &s.what,
            format!("cannot read the version: {e}"),
            "run SELECT @@VERSION to check it is SQL Server 2016 or later",
        ),
    }

    // 3. The database: exists, online, CDC, snapshot isolation.
    let db = &ep.database;
    let dbs = s
        .rows(
            &mut c,
            "sys.databases",
            &format!(
                "SELECT name, CAST(is_cdc_enabled AS int), CAST(snapshot_isolation_state AS int), \
                 CAST(state_desc AS nvarchar(60)) FROM sys.databases WHERE name = {}",
                lit(db)
            ),
        )
        .await;
    let row = match dbs {
        Ok(rows) => match rows.into_iter().next() {
            Some(row) => row,
            None => {
                let others = s
                    .rows(
                        &mut c,
                        "sys.databases",
                        "SELECT name FROM sys.databases WHERE database_id > 4 ORDER BY name",
                    )
                    .await
                    .unwrap_or_default()
                    .iter()
                    .map(|r| text_of(&r[0]))
                    .collect::<Vec<_>>();
                r.fail(
                    &what,
                    format!(
                        "database {} does not exist (or {} cannot see it)",
                        ident(db),
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
        },
        Err(e) => {
            r.fail(
                &what,
                format!("cannot read sys.databases: {e}"),
                "grant the login VIEW ANY DATABASE",
            );
            return;
        }
    };
    let cdc_enabled = int_of(&row[1]) == 1;
    let snapshot_state = int_of(&row[2]);
    let state = text_of(&row[3]);
    if !state.is_empty() && !state.eq_ignore_ascii_case("ONLINE") {
        r.fail(
            &what,
            format!("database {} is {state}", ident(db)),
            format!("bring it online: ALTER DATABASE {} SET ONLINE;", ident(db)),
        );
        return;
    }
    r.ok(&what, format!("database {} exists", ident(db)));
    if cdc_enabled {
        r.ok(&what, format!("CDC is enabled on database {}", ident(db)));
    } else {
        r.fail(
            &what,
            format!("CDC is not enabled on database {}: forward sync reads its changes through CDC", ident(db)),
            format!(
                "USE {}; EXEC sys.sp_cdc_enable_db; (as a member of sysadmin), then enable CDC on each table (sys.sp_cdc_enable_table)",
                ident(db)
            ),
        );
    }
    if snapshot_state == 1 {
        r.ok(
            &what,
            "snapshot isolation is allowed: each load chunk is read as one consistent snapshot",
        );
    } else {
        r.warn(
            &what,
            format!(
                "snapshot isolation is not allowed on {} (snapshot_isolation_state = {snapshot_state}): \
                 load chunks are read under READ COMMITTED, so a chunk is not one consistent picture \
                 (change capture still converges the target)",
                ident(db)
            ),
            format!("ALTER DATABASE {} SET ALLOW_SNAPSHOT_ISOLATION ON;", ident(db)),
        );
    }

    // 4. SQL Server Agent: runs CDC's capture and cleanup jobs.
    check_agent(&s, &mut c, r, engine_edition).await;
    drop(c);

    // 5. In the database: tables, capture instances, permissions.
    let mut c = match s.connect(db).await {
        Ok(c) => c,
        Err(m) => {
            r.fail(
                &what,
                format!("{} cannot open database {}: {m}", ep.user, ident(db)),
                format!(
                    "USE {}; CREATE USER {} FOR LOGIN {};",
                    ident(db),
                    ident(&ep.user),
                    ident(&ep.user)
                ),
            );
            return;
        }
    };
    let tables = match s
        .rows(
            &mut c,
            "sys.tables",
            "SELECT s.name, t.name FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id \
             WHERE t.is_ms_shipped = 0 AND s.name <> N'cdc' AND t.name <> N'sluice_apply_cursor' \
             AND t.name <> N'systranschemas' ORDER BY s.name, t.name",
        )
        .await
    {
        Ok(rows) => rows
            .iter()
            .map(|r| format!("{}.{}", text_of(&r[0]), text_of(&r[1])))
            .collect::<Vec<_>>(),
        Err(e) => {
            r.fail(&what, format!("cannot list the tables: {e}"), "grant the user VIEW DEFINITION on the database");
            return;
        }
    };
    let perms = membership(&s, &mut c).await;
    if tables.is_empty() && !perms.owner {
        // SQL Server hides tables the user has no permission on (metadata visibility).
        r.fail(
            &what,
            format!(
                "{} sees no table in {}: without a permission on a table, SQL Server hides it",
                perms.user,
                ident(db)
            ),
            format!(
                "GRANT SELECT ON SCHEMA::[dbo] TO {}; (and each other schema to migrate)",
                ident(&perms.user)
            ),
        );
        return;
    }
    let wanted = report_tables(r, &what, &cfg.tables, &tables);
    for (key, schema, table, column) in super::type_overrides(cfg) {
        let sql = format!(
            "SELECT COL_LENGTH({}, {})",
            lit(&format!("{}.{}", ident(&schema), ident(&table))),
            lit(&column)
        );
        let exists = s
            .rows(&mut c, "type override column", &sql)
            .await
            .ok()
            .and_then(|rows| rows.first().map(|r| !r[0].is_null()));
        super::report_type_override(r, &what, &key, exists);
    }
    check_permissions(&s, &mut c, r, &wanted, &perms).await;
    if cdc_enabled {
        check_capture_instances(&s, &mut c, r, &wanted, &perms).await;
    }
}

/// SQL Server Agent runs the CDC capture job; without it no change arrives.
async fn check_agent(s: &Session<'_>, c: &mut MssqlClient, r: &mut Report, engine_edition: i64) {
    // Azure SQL Database (5) runs CDC with its own scheduler; Managed Instance (8) always has an agent.
    if engine_edition == 5 {
        r.ok(
            &s.what,
            "Azure SQL Database: CDC runs on the service's own scheduler (no SQL Server Agent)",
        );
        return;
    }
    let services = s
        .rows(
            c,
            "sys.dm_server_services",
            "SELECT CAST(status_desc AS nvarchar(60)) FROM sys.dm_server_services WHERE servicename LIKE N'SQL Server Agent%'",
        )
        .await;
    let status = match services {
        Ok(rows) => rows.first().map(|r| text_of(&r[0])),
        Err(_) => None,
    };
    // On Linux the agent is not a service of its own: look for its sessions.
    let status = match status {
        Some(st) => Some(st),
        None => s
            .rows(
                c,
                "sys.dm_exec_sessions",
                "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE program_name LIKE N'SQLAgent%'",
            )
            .await
            .ok()
            .and_then(|rows| rows.first().map(|r| int_of(&r[0])))
            .filter(|n| *n > 0)
            .map(|_| "Running".to_string()),
    };
    match status.as_deref() {
        Some("Running") => r.ok(&s.what, "SQL Server Agent is running (it runs CDC's capture and cleanup jobs)"),
        Some(other) => r.fail(
            &s.what,
            format!("SQL Server Agent is {other}: CDC's capture job does not run, so no change reaches sluice"),
            "start SQL Server Agent and set it to start automatically (Linux: mssql-conf set sqlagent.enabled true, then restart mssql-server)",
        ),
        None => r.warn(
            &s.what,
            "cannot see whether SQL Server Agent runs (sys.dm_server_services is not visible to this login)",
            "make sure the SQL Server Agent service runs (CDC's capture job needs it), or GRANT VIEW SERVER STATE to the login so sluice check can see it",
        ),
    }
}

/// What the login may do in the database.
struct Perms {
    /// sysadmin or db_owner: reads every table and change table, writes for reverse sync.
    owner: bool,
    sysadmin: bool,
    /// The database user (`USER_NAME()`), for GRANT and ALTER ROLE fixes.
    user: String,
}

/// sysadmin / db_owner membership and the database user's name.
async fn membership(s: &Session<'_>, c: &mut MssqlClient) -> Perms {
    let who = s
        .rows(
            c,
            "role membership",
            "SELECT CAST(IS_SRVROLEMEMBER(N'sysadmin') AS int), CAST(IS_MEMBER(N'db_owner') AS int), USER_NAME()",
        )
        .await;
    let (sysadmin, db_owner, user) = match who.as_ref().ok().and_then(|rows| rows.first()) {
        Some(row) => (int_of(&row[0]) == 1, int_of(&row[1]) == 1, text_of(&row[2])),
        None => (false, false, String::new()),
    };
    Perms {
        owner: sysadmin || db_owner,
        sysadmin,
        user: if user.is_empty() {
            s.login.clone()
        } else {
            user
        },
    }
}

async fn check_permissions(
    s: &Session<'_>,
    c: &mut MssqlClient,
    r: &mut Report,
    wanted: &[String],
    perms: &Perms,
) {
    let user = &perms.user;
    if perms.owner {
        r.ok(
            &s.what,
            format!(
                "{} (database user {user}) is {}: may read every table and change table, and write for reverse sync",
                s.login,
                if perms.sysadmin { "sysadmin" } else { "db_owner" }
            ),
        );
        return;
    }
    // SELECT on each selected table (HAS_PERMS_BY_NAME counts grants through roles too).
    let mut missing = Vec::new();
    let mut unknown = false;
    for chunk in wanted.chunks(200) {
        let sql = chunk
            .iter()
            .map(|t| {
                let (sch, name) = t.split_once('.').unwrap_or(("dbo", t));
                let q = format!("{}.{}", ident(sch), ident(name));
                format!(
                    "SELECT {}, CAST(HAS_PERMS_BY_NAME({}, N'OBJECT', N'SELECT') AS int)",
                    lit(t),
                    lit(&q)
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        match s.rows(c, "SELECT permissions", &sql).await {
            Ok(rows) => {
                for row in rows {
                    match &row[1] {
                        Value::Null => unknown = true,
                        v if int_of(v) != 1 => missing.push(text_of(&row[0])),
                        _ => {}
                    }
                }
            }
            Err(_) => unknown = true,
        }
    }
    if !missing.is_empty() {
        let schemas: BTreeSet<&str> = missing
            .iter()
            .map(|t| t.split('.').next().unwrap_or("dbo"))
            .collect();
        r.fail(
            &s.what,
            format!(
                "{user} may not SELECT from {} tables: {}",
                missing.len(),
                some_of(&missing, 10)
            ),
            schemas
                .iter()
                .map(|sch| format!("GRANT SELECT ON SCHEMA::{} TO {};", ident(sch), ident(user)))
                .collect::<Vec<_>>()
                .join(" "),
        );
    } else if unknown {
        r.warn(
            &s.what,
            format!("cannot tell whether {user} may SELECT from every selected table"),
            format!(
                "GRANT SELECT ON SCHEMA::[dbo] TO {}; (and each other schema migrated)",
                ident(user)
            ),
        );
    } else if !wanted.is_empty() {
        r.ok(
            &s.what,
            format!(
                "{user} may SELECT from all {} selected tables",
                wanted.len()
            ),
        );
    }
    // Database permissions: VIEW DEFINITION (routine text for assess/convert).
    let db_perms: Option<BTreeSet<String>> = s
        .rows(
            c,
            "fn_my_permissions",
            "SELECT permission_name FROM fn_my_permissions(NULL, N'DATABASE')",
        )
        .await
        .ok()
        .map(|rows| rows.iter().map(|r| text_of(&r[0]).to_uppercase()).collect());
    match &db_perms {
        Some(p) if p.contains("VIEW DEFINITION") || p.contains("CONTROL") => {}
        Some(_) => r.warn(
            &s.what,
            format!("{user} lacks VIEW DEFINITION: assess and convert cannot read the text of views, procedures and triggers it does not own"),
            format!("GRANT VIEW DEFINITION TO {};", ident(user)),
        ),
        None => {}
    }
    // Reverse sync writes the tables back and keeps its cursor in dbo.sluice_apply_cursor,
    // which it creates and (with CDC on) enables CDC on: db_owner's job.
    r.warn(
        &s.what,
        format!("{user} is not db_owner: reverse sync after cutover creates dbo.sluice_apply_cursor, enables CDC on it and writes every table"),
        format!("before cutover: ALTER ROLE db_owner ADD MEMBER {};", ident(user)),
    );
}

/// Every selected table needs a capture instance; a gated one needs its role.
async fn check_capture_instances(
    s: &Session<'_>,
    c: &mut MssqlClient,
    r: &mut Report,
    wanted: &[String],
    perms: &Perms,
) {
    let rows = match s
        .rows(
            c,
            "cdc.change_tables",
            "SELECT OBJECT_SCHEMA_NAME(source_object_id), OBJECT_NAME(source_object_id), \
             capture_instance, role_name FROM cdc.change_tables",
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            r.fail(
                &s.what,
                format!("cannot read cdc.change_tables: {e}"),
                "grant the user SELECT on the cdc schema, or make it db_owner",
            );
            return;
        }
    };
    // table (lower-case) -> gating roles of its capture instances
    let mut captured: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for row in &rows {
        let t = format!("{}.{}", text_of(&row[0]), text_of(&row[1])).to_lowercase();
        let role = match &row[3] {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        captured.entry(t).or_default().push(role);
    }
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|t| !captured.contains_key(&t.to_lowercase()))
        .collect();
    if missing.is_empty() {
        if !wanted.is_empty() {
            r.ok(
                &s.what,
                format!(
                    "all {} selected tables have a CDC capture instance",
                    wanted.len()
                ),
            );
        }
    } else {
        for t in missing.iter().take(MAX_TABLE_LINES) {
            let (sch, name) = t.split_once('.').unwrap_or(("dbo", t));
            // @supports_net_changes = 0: sluice reads cdc.fn_cdc_get_all_changes_*,
            // which needs no primary key (net changes would).
            r.fail(
                &s.what,
                format!("table {}.{} has no CDC capture instance", ident(sch), ident(name)),
                format!(
                    "EXEC sys.sp_cdc_enable_table @source_schema = {}, @source_name = {}, @role_name = NULL, @supports_net_changes = 0;",
                    lit(sch),
                    lit(name)
                ),
            );
        }
        if missing.len() > MAX_TABLE_LINES {
            r.fail(
                &s.what,
                format!(
                    "{} more tables have no CDC capture instance",
                    missing.len() - MAX_TABLE_LINES
                ),
                "run sys.sp_cdc_enable_table for each, then sluice check again",
            );
        }
    }
    if perms.owner {
        return;
    }
    // The gating roles of the selected tables' capture instances.
    let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in wanted {
        for role in captured
            .get(&t.to_lowercase())
            .into_iter()
            .flatten()
            .flatten()
        {
            roles.entry(role.clone()).or_default().push(t.clone());
        }
    }
    for (role, tables) in roles {
        let member = s
            .rows(
                c,
                "gating role",
                &format!("SELECT CAST(IS_MEMBER({}) AS int)", lit(&role)),
            )
            .await
            .ok()
            .and_then(|rows| rows.first().map(|r| int_of(&r[0])));
        if member == Some(1) {
            r.ok(
                &s.what,
                format!("member of CDC gating role {}", ident(&role)),
            );
        } else {
            r.fail(
                &s.what,
                format!(
                    "not a member of CDC gating role {}, so the changes of {} are invisible",
                    ident(&role),
                    some_of(&tables, 5)
                ),
                format!(
                    "ALTER ROLE {} ADD MEMBER {};",
                    ident(&role),
                    ident(&perms.user)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_for_tsql() {
        assert_eq!(lit("o'brien"), "N'o''brien'");
        assert_eq!(ident("a]b"), "[a]]b]");
        assert_eq!(product_year(15), "2019");
    }

    #[test]
    fn login_failures_get_the_password_fix() {
        let cfg = MigrationConfig::parse(
            "[migration]\nname = \"x\"\n[source]\nkind = \"mssql\"\nhost = \"h\"\ndatabase = \"d\"\nuser = \"u\"\npassword_env = \"PW\"\n\
             [target]\nhost = \"t\"\ndatabase = \"d\"\nuser = \"u\"\n",
        )
        .unwrap();
        assert!(connect_fix("Login failed for user 'u'. (code: 18456)", &cfg).contains("$PW"));
        assert!(connect_fix("Connection refused (os error 111)", &cfg).contains("source.port"));
    }
}
