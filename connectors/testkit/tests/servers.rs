//! The testkit against the real servers it starts.

use std::time::Instant;

use mysql_async::prelude::Queryable;
use sluice_testkit::{Babelfish, MariaDb, SeekDb};

async fn query_one(url: &str, sql: &str) -> String {
    let mut conn = mysql_async::Conn::from_url(url).await.expect("connect");
    let v: Option<String> = conn.query_first(sql).await.expect("query");
    conn.disconnect().await.expect("disconnect");
    v.expect("one row")
}

#[tokio::test]
async fn seekdb_answers_queries_and_cleans_up_on_drop() {
    let t0 = Instant::now();
    let db = SeekDb::start();
    println!(
        "seekdb ready in {:?} (spawn to handshake), {:?} including setup",
        db.started_in(),
        t0.elapsed()
    );
    let version = query_one(&db.url(), "SELECT version()").await;
    assert!(version.contains("OceanBase"), "not OceanBase: {version}");
    let dir = db.dir().to_path_buf();
    let pid = db.pid().expect("running");
    assert!(dir.exists());
    if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
        let rss = status
            .lines()
            .find(|l| l.starts_with("VmRSS"))
            .unwrap_or("");
        println!("seekdb idle {rss}");
    }
    drop(db);
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "seekdb pid {pid} still running"
    );
}

#[tokio::test]
async fn two_seekdb_instances_are_independent() {
    let (a, b) = (SeekDb::start(), SeekDb::start());
    assert_ne!(a.port(), b.port());
    assert_ne!(a.dir(), b.dir());
    let da = a.fresh_database().await;
    let mut conn = mysql_async::Conn::from_url(&da.url).await.unwrap();
    conn.query_drop("CREATE TABLE only_in_a (id INT PRIMARY KEY)")
        .await
        .unwrap();
    conn.disconnect().await.unwrap();
    let n = query_one(
        &b.url(),
        &format!(
            "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.tables WHERE table_schema = '{}'",
            da.name
        ),
    )
    .await;
    assert_eq!(n, "0", "b must not see a's database");
}

#[tokio::test]
async fn shared_seekdb_gives_each_test_a_fresh_database() {
    let s1 = SeekDb::shared();
    let s2 = SeekDb::shared();
    assert_eq!(s1.port(), s2.port(), "one server per test binary");
    let (d1, d2) = (s1.fresh_database().await, s2.fresh_database().await);
    assert_ne!(d1.name, d2.name);
    let cur = query_one(&d1.url, "SELECT database()").await;
    assert_eq!(cur, d1.name);
}

#[tokio::test]
async fn seekdb_stop_and_restart_keeps_data() {
    let mut db = SeekDb::start();
    let d = db.fresh_database().await;
    let mut c = mysql_async::Conn::from_url(&d.url).await.unwrap();
    c.query_drop("CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (7)")
        .await
        .unwrap();
    drop(c);
    db.stop(true).unwrap();
    assert!(
        mysql_async::Conn::from_url(&d.url).await.is_err(),
        "server must be gone after stop"
    );
    db.restart().unwrap();
    assert_eq!(
        query_one(&d.url, "SELECT CAST(id AS CHAR) FROM t").await,
        "7"
    );
}

#[tokio::test]
async fn mariadb_has_a_full_row_binlog_and_cleans_up() {
    let a = MariaDb::start();
    let b = MariaDb::start();
    assert_ne!(a.port(), b.port());
    assert_ne!(a.server_id(), b.server_id());
    let mut conn = mysql_async::Conn::from_url(a.url()).await.unwrap();
    let row: (i64, String, String, String, u32) = conn
        .query_first("SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@binlog_row_metadata, @@server_id")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row,
        (1, "ROW".into(), "FULL".into(), "FULL".into(), a.server_id())
    );
    conn.query_drop(
        "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY); INSERT INTO d.t VALUES (1)",
    )
    .await
    .unwrap();
    let files: Vec<(String, u64)> = conn
        .query("SHOW BINARY LOGS")
        .await
        .unwrap()
        .into_iter()
        .map(|r: mysql_async::Row| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect();
    assert!(files[0].0.starts_with("mysql-bin."), "{files:?}");
    assert!(a.binlog_dir().join(&files[0].0).is_file());
    conn.disconnect().await.unwrap();
    let dir = a.dir().to_path_buf();
    drop(a);
    assert!(!dir.exists(), "{} left behind", dir.display());
}

#[test]
fn server_is_stopped_even_when_the_test_panics() {
    let mut seen = None;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let db = MariaDb::start();
        seen = Some((db.dir().to_path_buf(), db.pid().unwrap()));
        panic!("test failure while the server runs");
    }));
    assert!(result.is_err());
    let (dir, pid) = seen.unwrap();
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}

#[test]
fn babelfish_is_found_or_visibly_skipped() {
    // CI exports SLUICE_BABELFISH_URL; the probe then must log in over TDS.
    let Some(bf) = Babelfish::from_env_or_skip() else {
        return;
    };
    let port = bf.port().expect("URL names a port");
    std::net::TcpStream::connect(("127.0.0.1", port)).expect("Babelfish TDS port answers");
}

#[test]
#[ignore = "helper: started as a child process by servers_are_cleaned_up_when_the_test_process_dies"]
fn helper_start_mariadb_and_wait() {
    use std::io::Write;
    let db = MariaDb::start();
    println!("DIR {}", db.dir().display());
    std::io::stdout().flush().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(120));
}

#[test]
fn servers_are_cleaned_up_when_the_test_process_dies() {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    // kill -9 of the test process alone, and SIGTERM to its whole process
    // group (what Ctrl-C-like tooling and CI timeouts send).
    for how in ["-KILL", "-TERM-group"] {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "helper_start_mariadb_and_wait",
                "--nocapture",
                "--test-threads=1",
            ])
            .process_group(0)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let dir = out
            .lines()
            .map_while(Result::ok)
            // libtest prints "test NAME ... " before the helper's own output.
            .find_map(|l| {
                l.split_once("DIR ")
                    .map(|(_, d)| std::path::PathBuf::from(d))
            })
            .expect("helper printed its server dir");
        assert!(dir.exists());
        let pid = child.id().to_string();
        let target = if how == "-KILL" {
            pid.clone()
        } else {
            format!("-{pid}")
        };
        let sig = if how == "-KILL" { "-KILL" } else { "-TERM" };
        let st = std::process::Command::new("kill")
            .args([sig, "--", &target])
            .status()
            .unwrap();
        assert!(st.success());
        child.wait().unwrap();
        let t0 = Instant::now();
        while dir.exists() && t0.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(!dir.exists(), "{how}: {} left behind", dir.display());
    }
}
