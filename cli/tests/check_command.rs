//! `sluice check` against real servers: MariaDB as a binlog source, seekdb
//! (OceanBase) as the target, Babelfish as a SQL Server source without CDC,
//! plus the failures a DBA meets first (unreachable port, unset password
//! variable, bad TOML).

use std::path::{Path, PathBuf};
use std::process::Command;

use mysql_async::prelude::Queryable;
use sluice_testkit::{Babelfish, MariaDb, SeekDb};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The first stdout line with this status that contains every needle.
    fn line(&self, status: &str, needles: &[&str]) -> Option<&str> {
        self.stdout
            .lines()
            .find(|l| l.starts_with(status) && needles.iter().all(|n| l.contains(n)))
    }

    fn assert_line(&self, status: &str, needles: &[&str]) -> &str {
        self.line(status, needles).unwrap_or_else(|| {
            panic!(
                "no {status} line with {needles:?}:\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

fn check(config: &Path, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.args(["check", "--config", config.to_str().unwrap()]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    // Shown with --nocapture, or when the test fails.
    println!(
        "$ sluice check --config {}\n{}{}",
        config.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Writes a migration file into `dir` (state folder and metrics address included).
fn write_config(dir: &Path, source: &str, target: &str, extra: &str) -> PathBuf {
    let path = dir.join("sluice.toml");
    let text = format!(
        "[migration]\nname = \"chk\"\nstate_dir = \"state\"\n\n[source]\n{source}\n[target]\n{target}\n\
         [metrics]\nlisten = \"127.0.0.1:{}\"\n{extra}",
        free_port()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn target_section(port: u16, database: &str) -> String {
    format!("host = \"127.0.0.1\"\nport = {port}\ndatabase = \"{database}\"\nuser = \"root\"\n")
}

const SOURCE_PASSWORD: &str = "S3cret-Pw;x";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_source_with_row_binlog_passes_and_missing_grants_fail() {
    let maria = MariaDb::start();
    let target = SeekDb::shared().fresh_database().await;
    let mut c = mysql_async::Conn::from_url(maria.url()).await.unwrap();
    for sql in [
        "CREATE DATABASE his",
        "CREATE TABLE his.patients (id INT PRIMARY KEY, name VARCHAR(50))",
        "CREATE TABLE his.visits (id INT PRIMARY KEY, patient_id INT)",
        // Least privilege: what sluice needs, and nothing else.
        "CREATE USER 'sluice'@'%' IDENTIFIED BY 'S3cret-Pw;x'",
        "GRANT SELECT ON his.* TO 'sluice'@'%'",
        "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'sluice'@'%'",
        // A user who forgot the replication grants.
        "CREATE USER 'reader'@'%' IDENTIFIED BY 'S3cret-Pw;x'",
        "GRANT SELECT ON his.* TO 'reader'@'%'",
    ] {
        c.query_drop(sql).await.unwrap();
    }
    drop(c);
    let dir = tempfile::tempdir().unwrap();
    let source = |user: &str| {
        format!(
            "kind = \"mysql\"\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"his\"\nuser = \"{user}\"\n\
             password_env = \"SLUICE_CHECK_SOURCE_PW\"\n",
            maria.port()
        )
    };
    // The binlog service stand-in: the MariaDB itself (root, no password).
    let binlog = format!(
        "[target.binlog]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"root\"\n",
        maria.port()
    );
    let cfg = write_config(
        dir.path(),
        &source("sluice"),
        &format!("{}{binlog}", target_section(target.port, &target.name)),
        "[tables]\ninclude = [\"his.*\"]\n[types]\n\"his.patients.name\" = \"varchar(100)\"\n",
    );
    let env = [("SLUICE_CHECK_SOURCE_PW", SOURCE_PASSWORD)];
    let run = check(&cfg, &env);
    assert_eq!(run.code, 0, "{}", run.all());
    let addr = format!("source 127.0.0.1:{}", maria.port());
    run.assert_line("OK", &[&addr, "login as sluice works"]);
    run.assert_line("OK", &[&addr, "log_bin is ON"]);
    run.assert_line("OK", &[&addr, "binlog_format is ROW"]);
    run.assert_line("OK", &[&addr, "binlog_row_image is FULL"]);
    run.assert_line("OK", &[&addr, "REPLICATION SLAVE and REPLICATION CLIENT"]);
    run.assert_line("OK", &[&addr, "2 of 2 tables selected"]);
    run.assert_line("OK", &[&addr, "may SELECT from database his"]);
    run.assert_line(
        "OK",
        &[
            &addr,
            "types.\"his.patients.name\" names an existing column",
        ],
    );
    let taddr = format!("target 127.0.0.1:{}", target.port);
    run.assert_line("OK", &[&taddr, "OceanBase 4."]);
    run.assert_line("OK", &[&taddr, &format!("database {} exists", target.name)]);
    run.assert_line("OK", &[&taddr, "CREATE, SELECT, INSERT, UPDATE and DELETE"]);
    run.assert_line(
        "WARN",
        &[
            &taddr,
            "ob_query_timeout is 10 s",
            "SET GLOBAL ob_query_timeout",
        ],
    );
    let baddr = format!("binlog 127.0.0.1:{}", maria.port());
    run.assert_line("OK", &[&baddr, "reachable"]);
    run.assert_line("OK", &[&baddr, "binlog_row_image is FULL"]);
    run.assert_line("OK", &["state folder", "writable"]);
    run.assert_line("OK", &["metrics", "can be bound"]);
    assert!(run.stdout.ends_with("FAIL: ready\n"), "{}", run.stdout);
    assert!(
        !run.all().contains("S3cret"),
        "a password leaked:\n{}",
        run.all()
    );

    // Without the replication grants: FAIL with the GRANT to run. The target
    // database does not exist yet, which is fine when the user may create it.
    let absent = format!("{}_new", target.name);
    let cfg = write_config(
        dir.path(),
        &source("reader"),
        &target_section(target.port, &absent),
        "[types]\n\"his.patients.nmae\" = \"text\"\n",
    );
    let run = check(&cfg, &env);
    assert_eq!(run.code, 1, "{}", run.all());
    run.assert_line(
        "FAIL",
        &[
            &addr,
            "lacks REPLICATION SLAVE and REPLICATION CLIENT",
            "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'reader'@'%';",
        ],
    );
    run.assert_line(
        "OK",
        &[
            &taddr,
            &format!("database {absent} does not exist yet"),
            "may create it",
        ],
    );
    run.assert_line(
        "FAIL",
        &[&addr, "types.\"his.patients.nmae\" names no column"],
    );
    // No [target.binlog] on an OceanBase target: a warning, not a failure.
    run.assert_line("WARN", &["binlog", "[target.binlog]"]);

    // A target user who may only read: FAIL naming what is missing and the GRANT.
    let ro = format!("chk_ro_{}", std::process::id());
    let mut t = mysql_async::Conn::from_url(SeekDb::shared().url())
        .await
        .unwrap();
    t.query_drop(format!("CREATE USER '{ro}'@'%' IDENTIFIED BY 'Ro-Pw;z'"))
        .await
        .unwrap();
    t.query_drop(format!("GRANT SELECT ON `{}`.* TO '{ro}'@'%'", target.name))
        .await
        .unwrap();
    let cfg = write_config(
        dir.path(),
        &source("reader"),
        &format!(
            "host = \"127.0.0.1\"\nport = {}\ndatabase = \"{}\"\nuser = \"{ro}\"\npassword_env = \"SLUICE_CHECK_TARGET_PW\"\n",
            target.port, target.name
        ),
        "",
    );
    // ... and a wrong source password: one line naming host:port, the password never shown.
    let run = check(
        &cfg,
        &[
            ("SLUICE_CHECK_SOURCE_PW", "Wrong-Pw;y"),
            ("SLUICE_CHECK_TARGET_PW", "Ro-Pw;z"),
        ],
    );
    t.query_drop(format!("DROP USER '{ro}'@'%'")).await.unwrap();
    assert_eq!(run.code, 1, "{}", run.all());
    let l = run.assert_line("FAIL", &[&addr, "cannot log in as reader", "Access denied"]);
    assert!(
        l.contains("SLUICE_CHECK_SOURCE_PW"),
        "the fix names the variable: {l}"
    );
    run.assert_line(
        "FAIL",
        &[
            &taddr,
            "lacks CREATE, INSERT, UPDATE, DELETE",
            "GRANT CREATE, ALTER, INDEX, SELECT, INSERT, UPDATE, DELETE ON *.*",
        ],
    );
    run.assert_line("WARN", &[&taddr, "lacks ALTER and INDEX"]);
    assert!(
        !run.all().contains("Wrong-Pw"),
        "a password leaked:\n{}",
        run.all()
    );
    assert!(
        !run.all().contains("Ro-Pw"),
        "a password leaked:\n{}",
        run.all()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_source_without_binlog_or_full_rows_fails_naming_the_setting() {
    // Options after the kit's own win: no binlog at all, and minimal row images.
    let maria = MariaDb::start_with_args(&["--skip-log-bin", "--binlog-row-image=MINIMAL"]);
    let target = SeekDb::shared().fresh_database().await;
    let mut c = mysql_async::Conn::from_url(maria.url()).await.unwrap();
    c.query_drop("CREATE DATABASE his").await.unwrap();
    drop(c);
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        &format!(
            "kind = \"mysql\"\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"his\"\nuser = \"root\"\n",
            maria.port()
        ),
        &target_section(target.port, &target.name),
        "",
    );
    let run = check(&cfg, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    run.assert_line("FAIL", &["log_bin is OFF", "log_bin = mysql-bin", "my.cnf"]);
    run.assert_line(
        "FAIL",
        &[
            "binlog_row_image is MINIMAL",
            "SET GLOBAL binlog_row_image = 'FULL'",
            "my.cnf",
        ],
    );
    // Everything else about this server is fine.
    run.assert_line("OK", &["binlog_format is ROW"]);
    assert!(run.stdout.contains("2 FAIL"), "{}", run.stdout);
}

/// `server=tcp:HOST,PORT;user=U;password=P;…` → (host, port, user, password).
fn ado_parts(ado: &str) -> (String, u16, String, String) {
    let get = |key: &str| {
        ado.split(';')
            .find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case(key)
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let server = get("server");
    let server = server.trim_start_matches("tcp:");
    let (host, port) = server.rsplit_once(',').unwrap_or((server, "1433"));
    (
        host.to_string(),
        port.parse().unwrap(),
        get("user"),
        get("password"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn babelfish_source_without_cdc_fails_with_sp_cdc_enable_db() {
    let Some(bf) = Babelfish::from_env_or_skip() else {
        return;
    };
    let (host, port, user, password) = ado_parts(bf.ado_url());
    let db = format!("chk{}", std::process::id());
    let admin = sluice_mssql::MssqlConfig::from_ado(bf.ado_url()).unwrap();
    {
        let mut c = sluice_mssql::connect(&admin).await.unwrap();
        sluice_mssql::connect::exec_batch(&mut c, "create db", &format!("CREATE DATABASE {db}"))
            .await
            .unwrap();
    }
    {
        let mut c = sluice_mssql::connect(&admin.with_database(&db))
            .await
            .unwrap();
        sluice_mssql::connect::exec_batch(
            &mut c,
            "create table",
            "CREATE TABLE dbo.patients (id int PRIMARY KEY, name nvarchar(50))",
        )
        .await
        .unwrap();
    }
    let target = SeekDb::shared().fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        &format!(
            "kind = \"mssql\"\nhost = \"{host}\"\nport = {port}\ndatabase = \"{db}\"\nuser = \"{user}\"\n\
             password_env = \"SLUICE_CHECK_BF_PW\"\n"
        ),
        &target_section(target.port, &target.name),
        "[types]\n\"dbo.patients.name\" = \"varchar(100)\"\n\"dbo.patients.nmae\" = \"text\"\n",
    );
    let run = check(&cfg, &[("SLUICE_CHECK_BF_PW", &password)]);
    // A login that is neither sysadmin nor db_owner: first without any grant
    // (SQL Server, like Babelfish, then hides the tables), then with SELECT.
    let login = format!("chk_lo_{}", std::process::id());
    let login_pw = "Chk-Login-Pw1";
    let as_login = |cfg_dir: &Path| {
        write_config(
            cfg_dir,
            &format!(
                "kind = \"mssql\"\nhost = \"{host}\"\nport = {port}\ndatabase = \"{db}\"\nuser = \"{login}\"\n\
                 password_env = \"SLUICE_CHECK_BF_PW\"\n"
            ),
            &target_section(target.port, &target.name),
            "",
        )
    };
    let login_dir = tempfile::tempdir().unwrap();
    let login_cfg = as_login(login_dir.path());
    let (no_grant, with_select) = {
        let mut c = sluice_mssql::connect(&admin).await.unwrap();
        sluice_mssql::connect::exec_batch(
            &mut c,
            "create login",
            &format!("CREATE LOGIN {login} WITH PASSWORD = '{login_pw}'"),
        )
        .await
        .unwrap();
        let mut d = sluice_mssql::connect(&admin.with_database(&db))
            .await
            .unwrap();
        sluice_mssql::connect::exec_batch(
            &mut d,
            "create user",
            &format!("CREATE USER {login} FOR LOGIN {login}"),
        )
        .await
        .unwrap();
        let no_grant = check(&login_cfg, &[("SLUICE_CHECK_BF_PW", login_pw)]);
        sluice_mssql::connect::exec_batch(
            &mut d,
            "grant",
            &format!("GRANT SELECT ON dbo.patients TO {login}"),
        )
        .await
        .unwrap();
        let with_select = check(&login_cfg, &[("SLUICE_CHECK_BF_PW", login_pw)]);
        (no_grant, with_select)
    };
    // Drop the database (and its users), then the login, before asserting,
    // so a failure leaves nothing behind.
    {
        let mut c = sluice_mssql::connect(&admin).await.unwrap();
        let _ =
            sluice_mssql::connect::exec_batch(&mut c, "drop db", &format!("DROP DATABASE {db}"))
                .await;
        let _ =
            sluice_mssql::connect::exec_batch(&mut c, "drop login", &format!("DROP LOGIN {login}"))
                .await;
    }
    assert_eq!(run.code, 1, "{}", run.all());
    let addr = format!("source {host}:{port}");
    run.assert_line("OK", &[&addr, &format!("login as {user} works")]);
    run.assert_line("WARN", &[&addr, "Babelfish"]);
    run.assert_line("OK", &[&addr, &format!("database [{db}] exists")]);
    run.assert_line(
        "FAIL",
        &[
            &addr,
            "CDC is not enabled",
            &format!("USE [{db}]; EXEC sys.sp_cdc_enable_db;"),
        ],
    );
    run.assert_line("OK", &[&addr, "snapshot isolation is allowed"]);
    // Babelfish has no sys.dm_server_services: the agent cannot be seen.
    run.assert_line("WARN", &[&addr, "SQL Server Agent"]);
    run.assert_line("OK", &[&addr, "1 of 1 tables selected"]);
    run.assert_line("OK", &[&addr, "is sysadmin"]);
    run.assert_line(
        "OK",
        &[
            &addr,
            "types.\"dbo.patients.name\" names an existing column",
        ],
    );
    run.assert_line(
        "FAIL",
        &[&addr, "types.\"dbo.patients.nmae\" names no column"],
    );
    assert!(
        !run.all().contains(&password),
        "a password leaked:\n{}",
        run.all()
    );

    assert_eq!(no_grant.code, 1, "{}", no_grant.all());
    no_grant.assert_line(
        "FAIL",
        &[
            &addr,
            &format!("{login} sees no table in [{db}]"),
            &format!("GRANT SELECT ON SCHEMA::[dbo] TO [{login}];"),
        ],
    );
    with_select.assert_line(
        "OK",
        &[
            &addr,
            &format!("{login} may SELECT from all 1 selected tables"),
        ],
    );
    with_select.assert_line(
        "WARN",
        &[
            &addr,
            "is not db_owner",
            &format!("ALTER ROLE db_owner ADD MEMBER [{login}];"),
        ],
    );
    assert!(!with_select.all().contains(login_pw), "a password leaked");
}

#[test]
fn unreachable_ports_get_one_line_naming_host_and_port() {
    let dir = tempfile::tempdir().unwrap();
    let (sport, tport) = (free_port(), free_port());
    for kind in ["mssql", "mysql"] {
        let cfg = write_config(
            dir.path(),
            &format!(
                "kind = \"{kind}\"\nhost = \"127.0.0.1\"\nport = {sport}\ndatabase = \"his\"\nuser = \"sluice\"\n"
            ),
            &target_section(tport, "his"),
            "",
        );
        let run = check(&cfg, &[]);
        assert_eq!(run.code, 1, "{}", run.all());
        let l = run.assert_line(
            "FAIL",
            &[
                &format!("source 127.0.0.1:{sport}"),
                "refused",
                "source.port",
            ],
        );
        assert!(!l.contains("password"), "{l}");
        run.assert_line(
            "FAIL",
            &[
                &format!("target 127.0.0.1:{tport}"),
                "refused",
                "target.port",
            ],
        );
        // The binlog endpoint is the (failed) target itself: no second line for it.
        assert!(run.line("WARN", &["binlog"]).is_none(), "{}", run.stdout);
        assert!(
            run.stdout
                .ends_with("2 FAIL: fix each FAIL above and run sluice check again\n"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn unset_password_variable_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        &format!(
            "kind = \"mssql\"\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"his\"\nuser = \"sluice\"\n\
             password_env = \"SLUICE_CHECK_NEVER_SET\"\n",
            free_port()
        ),
        &format!(
            "{}password_env = \"SLUICE_CHECK_NEVER_SET_EITHER\"\n",
            target_section(free_port(), "his")
        ),
        "",
    );
    let run = check(&cfg, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    run.assert_line(
        "FAIL",
        &[
            "source",
            "$SLUICE_CHECK_NEVER_SET,",
            "export SLUICE_CHECK_NEVER_SET=",
        ],
    );
    run.assert_line(
        "FAIL",
        &[
            "target",
            "$SLUICE_CHECK_NEVER_SET_EITHER",
            "export SLUICE_CHECK_NEVER_SET_EITHER=",
        ],
    );
}

#[test]
fn bad_toml_names_the_file_the_line_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[migration]\nname = \"chk\"\n[source]\nkind = \"mssql\"\nhost = \"h\"\ndatabase = \"d\"\nuser = \"u\"\n\
         [target]\nhost = \"t\"\nhots = \"typo\"\ndatabase = \"d\"\nuser = \"u\"\n",
    )
    .unwrap();
    let run = check(&path, &[]);
    assert_eq!(run.code, 2, "{}", run.all());
    let err = run.stderr.trim();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(path.to_str().unwrap()), "{err}");
    assert!(
        err.contains("line 10") && err.contains("target.hots"),
        "{err}"
    );
    assert!(err.contains("unknown field"), "{err}");

    // A value of the wrong type.
    std::fs::write(
        &path,
        "[migration]\nname = \"chk\"\n[source]\nkind = \"mssql\"\nhost = \"h\"\ndatabase = \"d\"\nuser = \"u\"\n\
         [target]\nhost = \"t\"\ndatabase = \"d\"\nuser = \"u\"\n[load]\nparallel = \"many\"\n",
    )
    .unwrap();
    let run = check(&path, &[]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.contains("line 13") && run.stderr.contains("load.parallel"),
        "{}",
        run.stderr
    );

    // No file at all.
    let run = check(&dir.path().join("missing.toml"), &[]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.contains("missing.toml") && run.stderr.contains("sluice init"),
        "{}",
        run.stderr
    );
}
