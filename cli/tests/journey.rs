//! The whole migration night on real servers, driven by a migration file:
//! migrate -> sync -> verify -> cutover -> reverse sync -> rollback, with
//! application writes running throughout and sluice killed with SIGKILL in
//! every phase. The end state is compared row by row: nothing lost, nothing
//! applied twice.
//!
//! MariaDB stands in for SQL Server as a MySQL-protocol source (SQL Server
//! cannot run here; its CDC path is covered by `SLUICE_MSSQL_URL` tests), and
//! a second MariaDB stands in for OceanBase *with its binlog service*: seekdb
//! has no binlog service, and reverse sync reads exactly that. The seekdb
//! variant runs the forward half against the real OceanBase kernel.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use sluice_testkit::{MariaDb, SeekDb};

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

/// A sluice process, SIGKILLed if still running when dropped (a failed
/// test must not leave it syncing).
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> Proc {
    Proc(
        Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    )
}

fn kill9(p: Proc) {
    drop(p);
}

/// Stops a long-running sluice cleanly (SIGTERM) and checks it exits 0.
fn term(mut p: Proc) {
    let c = &mut p.0;
    Command::new("kill")
        .arg("-TERM")
        .arg(c.id().to_string())
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(s) = c.try_wait().unwrap() {
            assert!(s.success(), "sluice sync exits 0 on SIGTERM, got {s}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "sluice sync did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE patients (id INT PRIMARY KEY, name VARCHAR(60) NOT NULL, ward CHAR(4), born DATE, updated DATETIME(6))",
    "CREATE TABLE doses (id BIGINT PRIMARY KEY, patient_id INT NOT NULL, drug VARCHAR(40), amount DECIMAL(10,3), given_at DATETIME(3), KEY ix_doses_patient (patient_id), \
       CONSTRAINT fk_doses_patient FOREIGN KEY (patient_id) REFERENCES patients (id))",
    "CREATE TABLE notes (pid INT, seq INT, body TEXT, PRIMARY KEY (pid, seq))",
];

async fn seed(url: &str) {
    let mut c = mysql_async::Conn::from_url(url).await.unwrap();
    c.query_drop("CREATE DATABASE his").await.unwrap();
    c.query_drop("USE his").await.unwrap();
    for s in SCHEMA {
        c.query_drop(*s).await.unwrap();
    }
    for chunk in 0..4 {
        let mut p = String::from("INSERT INTO patients VALUES ");
        let mut d = String::from("INSERT INTO doses VALUES ");
        for i in 0..500 {
            let id = chunk * 500 + i + 1;
            if i > 0 {
                p.push(',');
                d.push(',');
            }
            p.push_str(&format!(
                "({id}, 'patient {id}', 'W{:02}', '19{:02}-0{}-1{}', '2026-01-01 10:00:00.{:06}')",
                id % 40,
                id % 100,
                id % 9 + 1,
                id % 10,
                id
            ));
            d.push_str(&format!(
                "({id}, {id}, 'drug {}', {}.{:03}, '2026-02-03 04:05:06.{:03}')",
                id % 17,
                id % 50,
                id % 1000,
                id % 1000
            ));
        }
        c.query_drop(p).await.unwrap();
        c.query_drop(d).await.unwrap();
    }
    c.query_drop("INSERT INTO notes SELECT id, 1, CONCAT('first note of ', name) FROM patients WHERE id <= 300")
        .await
        .unwrap();
}

/// The applications: random small transactions against whichever server is
/// the primary now.
struct Writer {
    primary: Arc<std::sync::Mutex<Option<String>>>,
    next_id: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
}

impl Writer {
    /// `renamed_on`: the server where `notes` is called `patient_notes`
    /// (the migration renames it on the target).
    fn start(url: &str, renamed_on: Option<String>) -> (Writer, tokio::task::JoinHandle<()>) {
        let w = Writer {
            primary: Arc::new(std::sync::Mutex::new(Some(url.to_string()))),
            next_id: Arc::new(AtomicU64::new(100_000)),
            stop: Arc::new(AtomicBool::new(false)),
            done: Arc::new(AtomicU64::new(0)),
        };
        let (primary, next_id, stop, done) = (
            w.primary.clone(),
            w.next_id.clone(),
            w.stop.clone(),
            w.done.clone(),
        );
        let h = tokio::spawn(async move {
            let mut conn: Option<(String, mysql_async::Conn)> = None;
            let mut rng = 0x2545F4914F6CDD1Du64;
            while !stop.load(Ordering::SeqCst) {
                let want = primary.lock().unwrap().clone();
                let Some(url) = want else {
                    conn = None;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                if conn.as_ref().map(|(u, _)| u != &url).unwrap_or(true) {
                    let mut c = mysql_async::Conn::from_url(&url).await.unwrap();
                    c.query_drop("USE his").await.unwrap();
                    conn = Some((url.clone(), c));
                }
                let notes = if renamed_on.as_deref() == Some(url.as_str()) {
                    "patient_notes"
                } else {
                    "notes"
                };
                let c = &mut conn.as_mut().unwrap().1;
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let pid = rng % 2000 + 1;
                let id = next_id.fetch_add(1, Ordering::SeqCst);
                let stmts: Vec<String> = match rng % 6 {
                    0 | 1 => vec![format!(
                        "INSERT INTO doses VALUES ({id}, {pid}, 'drug {}', {}.{:03}, NOW(3))",
                        rng % 13,
                        rng % 90,
                        rng % 1000
                    )],
                    2 => vec![format!(
                        "UPDATE patients SET ward = 'W{:02}', updated = NOW(6) WHERE id = {pid}",
                        rng % 40
                    )],
                    3 => vec![format!("DELETE FROM doses WHERE patient_id = {pid} LIMIT 1")],
                    4 => vec![format!(
                        "INSERT INTO {notes} VALUES ({pid}, {}, 'note {id}') ON DUPLICATE KEY UPDATE body = 'edited {id}'",
                        rng % 5
                    )],
                    _ => vec![
                        // A multi-statement transaction: both or neither.
                        format!(
                            "INSERT INTO doses VALUES ({id}, {pid}, 'pair', 1.000, NOW(3))"
                        ),
                        format!("UPDATE patients SET name = 'renamed {id}' WHERE id = {pid}"),
                    ],
                };
                let mut tx = c
                    .start_transaction(mysql_async::TxOpts::default())
                    .await
                    .unwrap();
                for s in &stmts {
                    tx.query_drop(s).await.unwrap();
                }
                tx.commit().await.unwrap();
                done.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
        (w, h)
    }

    fn switch(&self, url: Option<&str>) {
        *self.primary.lock().unwrap() = url.map(str::to_string);
        // Let an in-flight transaction on the old primary finish.
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn write_config(
    dir: &std::path::Path,
    source_port: u16,
    target_port: u16,
    target_db: &str,
    extra: &str,
) -> String {
    let path = dir.join("sluice.toml");
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &path,
        format!(
            r#"
[migration]
name = "his-night"
state_dir = "state"

[source]
kind = "mysql"
host = "127.0.0.1"
port = {source_port}
database = "his"
user = "root"
tls = "prefer"

[target]
host = "127.0.0.1"
port = {target_port}
database = "{target_db}"
user = "root"
[load]
parallel = 2
chunk_rows = 400

{extra}
[types]
"his.patients.name" = "VARCHAR(200)"

[metrics]
listen = "127.0.0.1:{metrics_port}"

[cutover]
quiet_seconds = 2
max_lag_seconds = 30
verify_max_age_minutes = 30
drain_timeout_seconds = 120
"#
        ),
    )
    .unwrap();
    path.display().to_string()
}

fn status_json(cfg: &str) -> serde_json::Value {
    let (code, out, _) = sluice(&["status", "-c", cfg, "--json"]);
    assert_eq!(code, 0, "status works in every phase");
    serde_json::from_str(&out).expect("status --json is JSON")
}

/// Verify through the migration file until clean (sync may still be applying
/// the last writes), at most `tries` times.
fn verify_until_clean(cfg: &str, tries: usize) {
    for i in 0..tries {
        let (code, out, _) = sluice(&["verify", "-c", cfg]);
        if code == 0 {
            assert!(out.contains("clean"), "{out}");
            return;
        }
        assert_eq!(code, 1, "verify itself works: {out}");
        eprintln!("verify try {i}: differences (sync still applying?), retrying");
        std::thread::sleep(Duration::from_secs(2));
    }
    panic!("source and target never verified clean");
}

/// A plain HTTP/1.0 GET of the running sluice's status server.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(
        out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200"),
        "{out}"
    );
    out
}

async fn count(url: &str, sql: &str) -> i64 {
    let mut c = mysql_async::Conn::from_url(url).await.unwrap();
    c.query_first::<i64, _>(sql).await.unwrap().unwrap()
}

/// The forward half, common to both targets: migrate (killed once), sync
/// (killed once), verify with writes paused.
async fn forward_half(cfg: &str, writer: &Writer, app_url: &str) -> Proc {
    // Migrate while the applications write; SIGKILL it once mid-load.
    let m = spawn(&["migrate", "-c", cfg, "--no-sync"]);
    let state = std::path::Path::new(cfg).with_file_name("state");
    let started = Instant::now();
    while !state.join("load").exists() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    kill9(m);
    let (code, _, err) = sluice(&["migrate", "-c", cfg, "--no-sync"]);
    assert_eq!(code, 0, "a resumed migrate finishes: {err}");
    let st = status_json(cfg);
    assert_eq!(st["phase"], "syncing", "{st}");
    let tables = st["tables"].as_array().expect("per-table load progress");
    assert_eq!(tables.len(), 3, "{st}");
    for t in tables {
        assert_eq!(t["state"], "done", "{t}");
        assert_eq!(t["chunks_done"], t["chunks_total"], "{t}");
        assert!(t["rows_done"].as_u64().unwrap() > 0, "{t}");
    }

    // Sync; SIGKILL it once while it applies, then run it again.
    let s = spawn(&["sync", "-c", cfg]);
    std::thread::sleep(Duration::from_secs(3));
    kill9(s);
    let s = spawn(&["sync", "-c", cfg]);
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let st = status_json(cfg);
        if st["apply_cursor_seq"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "sync applies changes: {st}"
        );
    }
    // The running sync serves its metrics and status page.
    let text = std::fs::read_to_string(cfg).unwrap();
    let addr = text
        .lines()
        .find_map(|l| l.strip_prefix("listen = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    // The restarted sync counts from zero: wait for its first applied rows.
    let started = Instant::now();
    loop {
        let metrics = http_get(&addr, "/metrics");
        let applied: f64 = metrics
            .lines()
            .find(|l| l.starts_with("sluice_rows_applied_total{") && l.contains("forward"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("rows applied metric: {metrics}"));
        if applied > 0.0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{metrics}");
        std::thread::sleep(Duration::from_millis(500));
    }
    let page = http_get(&addr, "/");
    assert!(page.contains("<html"), "the status page is served");

    // Verify with the applications paused (verify compares a moving
    // database only through cutover's fence).
    let before = writer.done.load(Ordering::SeqCst);
    writer.switch(None);
    verify_until_clean(cfg, 10);
    writer.switch(Some(app_url));
    assert!(
        before > 0,
        "the applications wrote during the load and sync"
    );
    std::thread::sleep(Duration::from_secs(1));
    // Sync keeps running: cutover takes over from it.
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_journey_with_reverse_sync_and_kills() {
    let source = MariaDb::start();
    let target = MariaDb::start();
    seed(&source.url()).await;
    let dir = tempfile::tempdir().unwrap();
    // The target calls `notes` `patient_notes`: forward sync renames, reverse
    // sync renames back, verify compares the pair.
    let cfg = write_config(
        dir.path(),
        source.port(),
        target.port(),
        "his",
        "[tables.rename]\n\"his.notes\" = \"patient_notes\"\n",
    );
    let source_his = source.url_for("his");
    let target_his = target.url_for("his");
    let (writer, handle) = Writer::start(&source_his, Some(target_his.clone()));

    let _sync = forward_half(&cfg, &writer, &source_his).await;

    // Cutover while the applications still write: killed once while it
    // waits for the writes to stop, then run again; the applications stop
    // (as the runbook says) and cutover drains, verifies and says GO.
    let c = spawn(&["cutover", "-c", &cfg]);
    std::thread::sleep(Duration::from_millis(1500));
    kill9(c);
    let cut = std::thread::spawn({
        let cfg = cfg.clone();
        move || sluice(&["cutover", "-c", &cfg])
    });
    std::thread::sleep(Duration::from_secs(1));
    writer.switch(None);
    let (code, out, err) = cut.join().unwrap();
    assert_eq!(code, 0, "cutover: {out}{err}");
    assert!(out.contains("GO: cutover complete"), "{out}");
    let st = status_json(&cfg);
    assert_eq!(st["phase"], "reverse", "{st}");
    let at_cutover = count(&source_his, "SELECT COUNT(*) FROM doses").await;
    assert_eq!(
        at_cutover,
        count(&target_his, "SELECT COUNT(*) FROM doses").await,
        "at GO the target holds every source row"
    );
    assert_eq!(
        count(&source_his, "SELECT COUNT(*) FROM notes").await,
        count(&target_his, "SELECT COUNT(*) FROM patient_notes").await,
        "the renamed table holds the source's rows"
    );

    // The applications now write to OceanBase; reverse sync (killed once)
    // keeps the source current.
    let r = spawn(&["sync", "-c", &cfg]);
    writer.switch(Some(&target_his));
    std::thread::sleep(Duration::from_secs(3));
    kill9(r);
    let r = spawn(&["sync", "-c", &cfg]);
    std::thread::sleep(Duration::from_secs(3));
    writer.switch(None);
    let reverse_writes = count(&target_his, "SELECT COUNT(*) FROM doses").await;

    // Rollback: killed once while it waits for OceanBase's writes to stop,
    // then run again; it drains reverse sync to zero (stopping the running sync).
    let rb = spawn(&["rollback", "-c", &cfg]);
    std::thread::sleep(Duration::from_millis(1500));
    kill9(rb);
    let (code, out, err) = sluice(&["rollback", "-c", &cfg, "--writes-stopped"]);
    assert_eq!(code, 0, "rollback: {out}{err}");
    assert!(out.contains("the source is current"), "{out}");
    drop(r);
    assert_eq!(
        count(&source_his, "SELECT COUNT(*) FROM doses").await,
        reverse_writes,
        "after rollback the source holds every row written on the target"
    );

    // `sluice log` reads the configured logs (nothing runs now).
    let (code, out, err) = sluice(&["log", "status", "-c", &cfg, "--reverse", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let pipeline = v["cursors"][0]["pipeline"].as_str().unwrap_or_default();
    assert!(
        pipeline.starts_with("his-night-") && pipeline.ends_with("-reverse-1"),
        "{v}"
    );
    assert_eq!(v["status"]["lag_records"], 0, "drained: {v}");

    // Row by row, both ways: nothing lost, nothing applied twice.
    let (code, out, _) = sluice(&["verify", "-c", &cfg]);
    assert_eq!(
        code, 0,
        "source and target are identical after the round trip: {out}"
    );

    // Forward again from the source's current position.
    let (code, out, err) = sluice(&["rollback", "-c", &cfg, "--resume-forward"]);
    assert_eq!(code, 0, "{out}{err}");
    let s = spawn(&["sync", "-c", &cfg]);
    writer.switch(Some(&source_his));
    std::thread::sleep(Duration::from_secs(2));
    writer.switch(None);
    verify_until_clean(&cfg, 15);
    term(s);

    writer.stop.store(true, Ordering::SeqCst);
    handle.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_journey_onto_seekdb() {
    let source = MariaDb::start();
    let target = SeekDb::shared().fresh_database().await;
    seed(&source.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), source.port(), target.port, &target.name, "");
    let (writer, handle) = Writer::start(&source.url_for("his"), None);
    let mut sync = forward_half(&cfg, &writer, &source.url_for("his")).await;

    // seekdb has no binlog service: without a reverse stream there is no
    // instant rollback, so cutover's preflight says NO-GO before it stops
    // anything, and forward sync goes on.
    let (code, out, _) = sluice(&["cutover", "-c", &cfg, "--writes-stopped"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("NO-GO (preflight)") && out.contains("binlog service"),
        "names the missing binlog service: {out}"
    );
    let st = status_json(&cfg);
    assert_eq!(st["phase"], "syncing", "{st}");
    assert!(
        sync.0.try_wait().unwrap().is_none(),
        "the running sync was not stopped"
    );
    writer.switch(None);
    verify_until_clean(&cfg, 15);
    let width = count(
        &target.url,
        &format!(
            "SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 'patients' AND COLUMN_NAME = 'name'",
            target.name
        ),
    )
    .await;
    assert_eq!(width, 200, "the [types] override shaped the target column");
    let indexed = count(
        &target.url,
        &format!(
            "SELECT COUNT(*) FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 'doses' AND INDEX_NAME = 'ix_doses_patient'",
            target.name
        ),
    )
    .await;
    assert_eq!(
        indexed, 1,
        "the secondary index held back for the load was built after it"
    );
    let fks = count(
        &target.url,
        &format!(
            "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = '{}' AND CONSTRAINT_NAME = 'fk_doses_patient'",
            target.name
        ),
    )
    .await;
    assert_eq!(
        fks, 1,
        "the foreign key (its table sorts before its parent) was added after the load"
    );
    let rows_src = count(&source.url_for("his"), "SELECT COUNT(*) FROM doses").await;
    let rows_dst = count(&target.url, "SELECT COUNT(*) FROM doses").await;
    assert_eq!(rows_src, rows_dst, "drained: every row is on seekdb");

    writer.stop.store(true, Ordering::SeqCst);
    handle.await.unwrap();
}

/// A fatal apply error (here: the target has a unique index the source does
/// not, and the source writes a row that breaks it) ends `sluice sync` with
/// the error on stderr and in `status`, instead of leaving a process that
/// looks healthy while its lag grows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fatal_apply_error_ends_sync_and_shows_in_status() {
    let source = MariaDb::start();
    let target = SeekDb::shared().fresh_database().await;
    seed(&source.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), source.port(), target.port, &target.name, "");
    let (code, _, err) = sluice(&["migrate", "-c", &cfg, "--no-sync"]);
    assert_eq!(code, 0, "{err}");
    let mut t = mysql_async::Conn::from_url(&target.url).await.unwrap();
    t.query_drop("CREATE UNIQUE INDEX ux_patient_name ON patients (name)")
        .await
        .unwrap();
    // OceanBase builds an index in the background: wait until it is enforced.
    let started = Instant::now();
    loop {
        let mut tx = t
            .start_transaction(mysql_async::TxOpts::default())
            .await
            .unwrap();
        let probe = tx
            .query_drop("UPDATE patients SET name = 'patient 3' WHERE id = 4")
            .await;
        tx.rollback().await.unwrap();
        match probe {
            Err(mysql_async::Error::Server(e)) if e.code == 1062 => break,
            other => {
                assert!(started.elapsed() < Duration::from_secs(60), "{other:?}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    let mut s = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["sync", "-c", &cfg])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut src = mysql_async::Conn::from_url(source.url_for("his"))
        .await
        .unwrap();
    src.query_drop("UPDATE patients SET name = 'patient 2' WHERE id = 1")
        .await
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(st) = s.try_wait().unwrap() {
            break st;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "sync kept running after a fatal apply error: {}",
            status_json(&cfg)
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(s.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("ux_patient_name"),
        "names the index: {stderr}"
    );
    assert!(!stderr.contains("patient 2"), "no row values: {stderr}");
    let st = status_json(&cfg);
    assert!(
        st["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("ux_patient_name")),
        "{st}"
    );
}
