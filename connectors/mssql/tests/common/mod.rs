//! Shared helpers for the live tests: a scratch database per test on the
//! Babelfish server named by `SLUICE_BABELFISH_URL` (skipped visibly when unset).
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use sluice_mssql::connect::exec_batch;
use sluice_mssql::{connect, MssqlClient, MssqlConfig};

static COUNTER: AtomicU32 = AtomicU32::new(0);
static REAPED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Drops scratch databases (`s_<prefix>_<pid>_…`) left by test processes
/// that no longer run, so a long-lived server does not fill up with them.
/// Databases of live processes (tests running in parallel) are left alone.
async fn reap_stale(master: &mut MssqlClient) {
    let Ok(rows) = sluice_mssql::catalog::query(
        master,
        "list scratch databases",
        "SELECT name FROM sys.databases WHERE name LIKE 's[_]%[_]%[_]%[_]%'",
    )
    .await
    else {
        return;
    };
    for r in rows {
        let name = sluice_mssql::catalog::text_of(&r[0]);
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if pid == std::process::id() || std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let _ = exec_batch(
            master,
            "drop stale scratch database",
            &format!("DROP DATABASE [{name}]"),
        )
        .await;
    }
}

/// The Babelfish endpoint, or `None` after a visible SKIPPED line.
pub fn babelfish() -> Option<MssqlConfig> {
    let bf = sluice_testkit::Babelfish::from_env_or_skip()?;
    Some(MssqlConfig::from_ado(bf.ado_url()).expect("SLUICE_BABELFISH_URL parses"))
}

/// A real SQL Server (with SQL Server Agent running) for the CDC tests, or
/// `None` after a visible SKIPPED line: Babelfish has no CDC (its trap 5).
pub fn real_sql_server() -> Option<MssqlConfig> {
    match std::env::var("SLUICE_MSSQL_URL") {
        Ok(url) if !url.trim().is_empty() => {
            Some(MssqlConfig::from_ado(&url).expect("SLUICE_MSSQL_URL parses"))
        }
        _ => {
            let test = std::thread::current()
                .name()
                .unwrap_or("this test")
                .to_string();
            sluice_testkit::skip(&format!(
                "SKIPPED: {test}: set SLUICE_MSSQL_URL to a real SQL Server with SQL Server Agent \
                 (docker run -e ACCEPT_EULA=Y -e MSSQL_SA_PASSWORD=Sluice-Passw0rd1 -e MSSQL_AGENT_ENABLED=true \
                 -p 1433:1433 mcr.microsoft.com/mssql/server:2022-latest; then \
                 SLUICE_MSSQL_URL='server=tcp:127.0.0.1,1433;user=sa;password=Sluice-Passw0rd1;TrustServerCertificate=true')"
            ));
            None
        }
    }
}

/// Creates a uniquely named database and returns an endpoint connected to it.
/// Names are unique per process and test so tests can run in parallel.
pub async fn scratch_db(base: &MssqlConfig, prefix: &str) -> MssqlConfig {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("s_{prefix}_{}_{n}_{}", std::process::id(), nanos % 100_000);
    let mut master = connect(&base.with_database("master"))
        .await
        .expect("connect master");
    REAPED.get_or_init(|| reap_stale(&mut master)).await;
    // Babelfish fails concurrent CREATE DATABASEs with "tuple concurrently
    // updated" (its catalog rows race); tests run in parallel, so retry.
    for attempt in 0.. {
        let sql = format!("CREATE DATABASE [{name}]");
        match exec_batch(&mut master, "create scratch database", &sql).await {
            Ok(()) => break,
            Err(e) if attempt < 20 && e.to_string().contains("concurrently") => {
                tokio::time::sleep(std::time::Duration::from_millis(100 + 50 * attempt)).await;
            }
            Err(e) => panic!("create database: {e}"),
        }
    }
    base.with_database(name)
}

/// A fresh session on `cfg`.
pub async fn session(cfg: &MssqlConfig) -> MssqlClient {
    connect(cfg).await.expect("connect")
}

/// Asserts two row sets are equal as multisets, printing only the first difference.
pub fn assert_same_rows(
    got: &[Vec<sluice_engine::value::Value>],
    want: &[Vec<sluice_engine::value::Value>],
) {
    let norm = |rows: &[Vec<sluice_engine::value::Value>]| {
        let mut v: Vec<String> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| match v {
                        // Declared precision is metadata, not the value.
                        sluice_engine::value::Value::Decimal(d) => format!("dec {d}"),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect();
        v.sort();
        v
    };
    let (g, w) = (norm(got), norm(want));
    assert_eq!(g.len(), w.len(), "row counts differ");
    if let Some((a, b)) = g.iter().zip(&w).find(|(a, b)| a != b) {
        panic!("first difference:\n got  {a}\n want {b}");
    }
}

/// Runs a batch, panicking with the server's message on error.
pub async fn exec(c: &mut MssqlClient, sql: &str) {
    exec_batch(c, "test setup", sql)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
}
