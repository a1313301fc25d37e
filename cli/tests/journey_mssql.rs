//! The journey with a SQL Server source (`kind = "mssql"` in the migration file).
//!
//! - Babelfish (`SLUICE_BABELFISH_URL`) speaks TDS and T-SQL but has no CDC:
//!   `migrate -c` copies every row and then refuses to call it a live
//!   migration, naming CDC and the fix. This pins the migration file -> ADO
//!   path against a real T-SQL server.
//! - A real SQL Server (`SLUICE_MSSQL_URL`, 2016+ with the Agent running):
//!   the whole journey with CDC forward and reverse sync back into SQL Server,
//!   MariaDB standing in for OceanBase with its binlog service.

use std::process::Command;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use sluice_mssql::connect::exec_batch;
use sluice_mssql::MssqlConfig;
use sluice_testkit::{Babelfish, MariaDb, SeekDb};

fn sluice(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .output()
        .unwrap();
    let r = (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    eprintln!("$ sluice {}\n-> {}\n{}{}", args.join(" "), r.0, r.1, r.2);
    r
}

/// (host, port, user, password) of an ADO.NET string `server=tcp:h,p;user=…;password=…`.
fn ado_parts(ado: &str) -> (String, u16, String, String) {
    let mut host = String::from("127.0.0.1");
    let mut port = 1433;
    let (mut user, mut password) = (String::new(), String::new());
    for pair in ado.split(';') {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        match k.trim().to_ascii_lowercase().as_str() {
            "server" | "data source" => {
                let v = v.trim().trim_start_matches("tcp:");
                let (h, p) = v.split_once(',').unwrap_or((v, "1433"));
                host = h.to_string();
                port = p.parse().unwrap();
            }
            "user" | "user id" | "uid" => user = v.trim().to_string(),
            "password" | "pwd" => password = v.trim().to_string(),
            _ => {}
        }
    }
    (host, port, user, password)
}

fn write_config(
    dir: &std::path::Path,
    ado: &str,
    db: &str,
    password_var: &str,
    target_port: u16,
    target_db: &str,
) -> String {
    let (host, port, user, _) = ado_parts(ado);
    let path = dir.join("sluice.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[migration]
name = "mssql-night"

[source]
kind = "mssql"
host = "{host}"
port = {port}
database = "{db}"
user = "{user}"
password_env = "{password_var}"

[target]
host = "127.0.0.1"
port = {target_port}
database = "{target_db}"
user = "root"

[load]
chunk_rows = 500

[cutover]
quiet_seconds = 2
drain_timeout_seconds = 180
"#
        ),
    )
    .unwrap();
    path.display().to_string()
}

async fn fresh_db(cfg: &MssqlConfig, db: &str) {
    for attempt in 0..10 {
        let mut c = sluice_mssql::connect(cfg).await.unwrap();
        let r = exec_batch(
            &mut c,
            "recreate",
            &format!("IF DB_ID('{db}') IS NOT NULL DROP DATABASE {db}; CREATE DATABASE {db}"),
        )
        .await;
        match r {
            Ok(()) => return,
            Err(e) if attempt < 9 && e.to_string().contains("concurrently") => {
                tokio::time::sleep(Duration::from_millis(300)).await
            }
            Err(e) => panic!("creating {db}: {e}"),
        }
    }
}

const TABLES: &str = "CREATE TABLE dbo.patients (id INT NOT NULL PRIMARY KEY, name NVARCHAR(60) NOT NULL, ward CHAR(4) NULL, born DATE NULL);
     CREATE TABLE dbo.doses (id BIGINT NOT NULL PRIMARY KEY, patient_id INT NOT NULL, amount DECIMAL(10,3) NULL, given_at DATETIME2(3) NULL);";

async fn seed(c: &mut sluice_mssql::MssqlClient) {
    for start in (1..=2000).step_by(500) {
        let p: Vec<String> = (start..start + 500)
            .map(|i| {
                format!(
                    "({i}, N'patient {i}', 'W{:02}', '1980-01-{:02}')",
                    i % 40,
                    1 + i % 28
                )
            })
            .collect();
        let d: Vec<String> = (start..start + 500)
            .map(|i| {
                format!(
                    "({i}, {i}, {}.{:03}, '2026-02-03 04:05:06.{:03}')",
                    i % 50,
                    i % 1000,
                    i % 1000
                )
            })
            .collect();
        exec_batch(
            c,
            "seed",
            &format!("INSERT INTO dbo.patients VALUES {}", p.join(",")),
        )
        .await
        .unwrap();
        exec_batch(
            c,
            "seed",
            &format!("INSERT INTO dbo.doses VALUES {}", d.join(",")),
        )
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_without_cdc_is_loaded_then_refused_as_live() {
    let Some(bf) = Babelfish::from_env_or_skip() else {
        return;
    };
    let target = SeekDb::shared().fresh_database().await;
    let cfg = MssqlConfig::from_ado(bf.ado_url()).unwrap();
    let db = "sluice_journey_nocdc";
    fresh_db(&cfg, db).await;
    let mut c = sluice_mssql::connect(&cfg.with_database(db)).await.unwrap();
    exec_batch(&mut c, "ddl", TABLES).await.unwrap();
    seed(&mut c).await;
    drop(c);

    let dir = tempfile::tempdir().unwrap();
    let (_, _, _, password) = ado_parts(bf.ado_url());
    // The password reaches sluice only through the variable the file names.
    let var = "SLUICE_TEST_JOURNEY_MSSQL_PASSWORD";
    std::env::set_var(var, &password);
    let cfg_path = write_config(dir.path(), bf.ado_url(), db, var, target.port, &target.name);
    let (code, out, err) = sluice(&["migrate", "-c", &cfg_path, "--no-sync"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("change capture was not enabled") && err.contains("enable CDC"),
        "names CDC and the fix: {err}"
    );
    assert!(
        !err.contains(&password) && !out.contains(&password),
        "no password in output"
    );
    let mut t = mysql_async::Conn::from_url(&target.url).await.unwrap();
    let n: i64 = t
        .query_first("SELECT COUNT(*) FROM doses")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 2000, "the snapshot itself is complete");
    let (code, _, err) = sluice(&["sync", "-c", &cfg_path]);
    assert_ne!(code, 0);
    assert!(
        err.contains("full load has not finished") || err.contains("no start position"),
        "{err}"
    );
}

/// Runs a T-SQL batch on SQL Server.
async fn tsql(cfg: &MssqlConfig, sql: &str) {
    let mut c = sluice_mssql::connect(cfg).await.unwrap();
    exec_batch(&mut c, "test", sql).await.unwrap();
}

async fn mssql_count(cfg: &MssqlConfig, sql: &str) -> i64 {
    let mut c = sluice_mssql::connect(cfg).await.unwrap();
    let rows = sluice_mssql::catalog::query(&mut c, "count", sql)
        .await
        .unwrap();
    sluice_mssql::catalog::text_of(&rows[0][0]).parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_journey_against_sql_server() {
    let Ok(ado) = std::env::var("SLUICE_MSSQL_URL") else {
        sluice_testkit::skip(
            "SKIPPED: whole_journey_against_sql_server: set SLUICE_MSSQL_URL to a SQL Server 2016+ with the Agent running (CDC cannot run on Babelfish)",
        );
        return;
    };
    let cfg = MssqlConfig::from_ado(&ado).unwrap();
    let db = "sluice_journey_cdc";
    fresh_db(&cfg, db).await;
    let dbc = cfg.with_database(db);
    tsql(&dbc, TABLES).await;
    {
        let mut c = sluice_mssql::connect(&dbc).await.unwrap();
        seed(&mut c).await;
    }
    // https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sys-sp-cdc-enable-table-transact-sql
    tsql(
        &dbc,
        "EXEC sys.sp_cdc_enable_db;
         EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'patients', @role_name = NULL;
         EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'doses', @role_name = NULL;",
    )
    .await;

    let target = MariaDb::start();
    let dir = tempfile::tempdir().unwrap();
    let (_, _, _, password) = ado_parts(&ado);
    let var = "SLUICE_TEST_JOURNEY_MSSQL_PASSWORD";
    std::env::set_var(var, &password);
    let cfg_path = write_config(dir.path(), &ado, db, var, target.port(), "his");

    let (code, out, err) = sluice(&["migrate", "-c", &cfg_path, "--no-sync"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut sync = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["sync", "-c", &cfg_path])
        .spawn()
        .unwrap();
    for i in 0..50 {
        tsql(
            &dbc,
            &format!(
                "BEGIN TRAN; INSERT INTO dbo.doses VALUES ({}, {}, 1.5, SYSDATETIME()); UPDATE dbo.patients SET ward = 'X{:02}' WHERE id = {}; COMMIT",
                100_000 + i,
                1 + i,
                i % 40,
                1 + i
            ),
        )
        .await;
    }
    let started = Instant::now();
    loop {
        let (code, out, _) = sluice(&["verify", "-c", &cfg_path]);
        if code == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "forward sync never caught up: {out}"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let (code, out, err) = sluice(&["cutover", "-c", &cfg_path, "--writes-stopped"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("GO"), "{out}");
    let _ = sync.kill();
    let _ = sync.wait();

    // Applications on "OceanBase" now; reverse sync keeps SQL Server current.
    let mut reverse = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["sync", "-c", &cfg_path])
        .spawn()
        .unwrap();
    let mut t = mysql_async::Conn::from_url(target.url_for("his"))
        .await
        .unwrap();
    for i in 0..30 {
        t.query_drop(format!(
            "INSERT INTO doses VALUES ({}, 1, 2.000, NOW(3))",
            200_000 + i
        ))
        .await
        .unwrap();
    }
    let (code, out, err) = sluice(&["rollback", "-c", &cfg_path, "--writes-stopped"]);
    assert_eq!(code, 0, "{out}{err}");
    let _ = reverse.kill();
    let _ = reverse.wait();
    assert_eq!(
        mssql_count(&dbc, "SELECT COUNT(*) FROM dbo.doses WHERE id >= 200000").await,
        30,
        "every write made after cutover reached SQL Server"
    );
}
