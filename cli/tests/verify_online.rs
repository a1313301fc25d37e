//! `sluice verify` beyond a still pair of databases, on real servers:
//!
//! - online, while `sluice sync` applies a running application's writes
//!   (MariaDB source -> seekdb): no false differences, and a difference
//!   made on the target alone is found;
//! - resumable: a run killed with SIGKILL and re-run with `--resume` does
//!   not compare its finished tables again; `--max-rows-per-second` holds;
//! - `--apply-repair` through the sink on a MariaDB target with a binlog:
//!   the repair lands, and a binlog source on that target drops it (the
//!   cursor row in the same transaction), so reverse sync would not echo it.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use sluice_engine::pipeline::{Source, SourceItem};
use sluice_engine::position::BinlogPosition;
use sluice_oceanbase::binlog::{BinlogConfig, BinlogSource, StartAt};
use sluice_testkit::{MariaDb, SeekDb};

// Helpers copied from tests/journey.rs (that file is not shared).

fn sluice(args: &[&str]) -> (i32, String, String) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .output()
        .unwrap();
    let r = (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    eprintln!(
        "$ sluice {}\n-> {} in {:.1} s\n{}{}",
        args.join(" "),
        r.0,
        started.elapsed().as_secs_f64(),
        r.1,
        r.2
    );
    r
}

/// A sluice process, SIGKILLed if still running when dropped.
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

fn write_config(
    dir: &std::path::Path,
    source_port: u16,
    target_port: u16,
    target_db: &str,
) -> String {
    let path = dir.join("sluice.toml");
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

async fn exec(url: &str, stmts: &[&str]) {
    let mut c = mysql_async::Conn::from_url(url).await.unwrap();
    for s in stmts {
        c.query_drop(*s).await.unwrap();
    }
}

async fn seed_patients(url: &str, rows: u64) {
    let mut c = mysql_async::Conn::from_url(url).await.unwrap();
    c.query_drop("CREATE DATABASE his").await.unwrap();
    c.query_drop("USE his").await.unwrap();
    c.query_drop("CREATE TABLE patients (id INT PRIMARY KEY, name VARCHAR(60) NOT NULL, ward CHAR(4), updated DATETIME(6))")
        .await
        .unwrap();
    c.query_drop("CREATE TABLE doses (id BIGINT PRIMARY KEY, patient_id INT NOT NULL, drug VARCHAR(40), amount DECIMAL(10,3), given_at DATETIME(3))")
        .await
        .unwrap();
    for chunk in 0..rows.div_ceil(500) {
        let mut p = String::from("INSERT INTO patients VALUES ");
        let mut d = String::from("INSERT INTO doses VALUES ");
        for i in 0..500 {
            let id = chunk * 500 + i + 1;
            if i > 0 {
                p.push(',');
                d.push(',');
            }
            p.push_str(&format!(
                "({id}, 'patient {id}', 'W{:02}', '2026-01-01 10:00:00.{:06}')",
                id % 40,
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
}

/// The application: small transactions on patients 1..=2000 and doses.
fn start_writer(
    url: String,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut c = mysql_async::Conn::from_url(&url).await.unwrap();
        c.query_drop("USE his").await.unwrap();
        let mut rng = 0x2545F4914F6CDD1Du64;
        let mut next_id = 100_000u64;
        while !stop.load(Ordering::SeqCst) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let pid = rng % 2000 + 1;
            next_id += 1;
            let id = next_id;
            let stmts: Vec<String> = match rng % 4 {
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
                _ => vec![
                    format!("DELETE FROM doses WHERE patient_id = {pid} LIMIT 1"),
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
    })
}

fn report(out: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("verify.json")).unwrap()).unwrap()
}

/// Differences in a verify.json: (table, kind, key as JSON).
fn diffs(r: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v = Vec::new();
    for t in r["tables"].as_array().unwrap() {
        let name = t["outcome"]["source"].as_str().unwrap_or("?").to_string();
        for d in t["outcome"]["diffs"].as_array().into_iter().flatten() {
            let (kind, body) = d.as_object().unwrap().iter().next().unwrap();
            v.push((name.clone(), kind.clone(), body["key"].to_string()));
        }
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_verify_while_sync_applies_writes() {
    let source = MariaDb::start();
    let target = SeekDb::shared().fresh_database().await;
    // Patients 2001..=3000 are never written by the application.
    seed_patients(&source.url(), 3000).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), source.port(), target.port, &target.name);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let writer = start_writer(source.url_for("his"), stop.clone(), done.clone());

    let (code, _, err) = sluice(&["migrate", "-c", &cfg, "--no-sync"]);
    assert_eq!(code, 0, "migrate: {err}");
    let sync = spawn(&["sync", "-c", &cfg]);
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let st = status_json(&cfg);
        if st["apply_cursor_seq"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "sync applies changes: {st}"
        );
    }

    // Without --online a moving pair is not comparable; with it, every
    // difference seen is either in flight (re-checked away) or real.
    let out = dir.path().join("online");
    let out_s = out.display().to_string();
    let mut in_flight_total = 0;
    for round in 0..3 {
        let before = done.load(Ordering::SeqCst);
        let (code, stdout, err) = sluice(&["verify", "-c", &cfg, "--online", "--out", &out_s]);
        assert_eq!(
            code, 0,
            "round {round}: online verify while writes run is clean\n{stdout}{err}"
        );
        assert!(stdout.contains("CLEAN"), "{stdout}");
        assert!(
            stdout.contains("online: sync applied everything up to"),
            "{stdout}"
        );
        assert!(
            done.load(Ordering::SeqCst) > before,
            "the application wrote during the verify"
        );
        let r = report(&out);
        for t in r["tables"].as_array().unwrap() {
            in_flight_total += t["outcome"]["in_flight"].as_u64().unwrap();
        }
    }
    eprintln!("in-flight keys re-checked away over 3 online runs: {in_flight_total}");
    let rec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("state").join("verify-last.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(rec["clean"], true, "{rec}");
    assert!(
        rec["forward_seq"].as_u64().unwrap() > 0,
        "the fence's log sequence is recorded: {rec}"
    );

    // A difference made on the target alone, on a row the application never touches.
    exec(
        &target.url,
        &["UPDATE patients SET name = 'changed on the target only' WHERE id = 2500"],
    )
    .await;
    let (code, stdout, err) = sluice(&["verify", "-c", &cfg, "--online", "--out", &out_s]);
    assert_eq!(code, 1, "the injected difference is found\n{stdout}{err}");
    let found = diffs(&report(&out));
    assert_eq!(
        found,
        vec![(
            "his.patients".to_string(),
            "Changed".to_string(),
            r#"[{"I64":2500}]"#.to_string()
        )],
        "exactly the injected difference is real: {stdout}"
    );

    // Online needs a running sync to follow.
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    term(sync);
    let (code, stdout, err) = sluice(&["verify", "-c", &cfg, "--online", "--out", &out_s]);
    assert_eq!(code, 2, "{stdout}");
    assert!(err.contains("none runs on"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_verify_resumes_without_comparing_finished_tables_again() {
    let source = MariaDb::start();
    let target = SeekDb::shared().fresh_database().await;
    let mut s = mysql_async::Conn::from_url(source.url()).await.unwrap();
    s.query_drop("CREATE DATABASE his").await.unwrap();
    s.query_drop("USE his").await.unwrap();
    let mut t = mysql_async::Conn::from_url(&target.url).await.unwrap();
    let tables = 6;
    let rows = 3000;
    for n in 1..=tables {
        let create =
            format!("CREATE TABLE t{n} (id INT PRIMARY KEY, v VARCHAR(40), d DECIMAL(8,2))");
        let mut ins = format!("INSERT INTO t{n} VALUES ");
        for i in 1..=rows {
            if i > 1 {
                ins.push(',');
            }
            ins.push_str(&format!(
                "({i}, 'value {i} of t{n}', {}.{:02})",
                i % 1000,
                i % 100
            ));
        }
        for c in [&mut s, &mut t] {
            c.query_drop(&create).await.unwrap();
            c.query_drop(&ins).await.unwrap();
        }
    }
    // One real difference, in the last table, so the resumed report is not trivially clean.
    t.query_drop(format!(
        "UPDATE t{tables} SET v = 'tampered' WHERE id = 1234"
    ))
    .await
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v");
    let source_url = source.url();
    let target_url = format!("mysql://root@127.0.0.1:{}", target.port);
    let out_s = out.display().to_string();
    let base = [
        "verify",
        "--source",
        &source_url,
        "--target",
        &target_url,
        "--source-db",
        "his",
        "--target-db",
        &target.name,
        "--out",
        &out_s,
        "--parallel",
        "1",
        "--chunk-rows",
        "500",
    ];

    // Throttled: 18,000 rows at 6,000 rows/s take at least ~3 s.
    let mut a = base.to_vec();
    a.extend(["--max-rows-per-second", "6000"]);
    let t0 = Instant::now();
    let (code, stdout, _) = sluice(&a);
    let took = t0.elapsed().as_secs_f64();
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("compared {} rows", tables * rows)),
        "{stdout}"
    );
    let rate = (tables * rows) as f64 / took;
    eprintln!("throttled run: {took:.2} s, {rate:.0} rows/s (limit 6000)");
    assert!(
        rate < 6000.0 * 1.1,
        "the rate limit holds: {rate:.0} rows/s"
    );
    assert!(
        !out.join("checkpoint").exists(),
        "a finished run leaves no checkpoint"
    );

    // Killed mid-run (SIGKILL), then resumed.
    let mut a = base.to_vec();
    a.extend(["--max-rows-per-second", "4000"]);
    let p = spawn(&a);
    let cp = out.join("checkpoint");
    let finished = |cp: &std::path::Path| -> Vec<String> {
        let mut v = Vec::new();
        for e in std::fs::read_dir(cp).into_iter().flatten().flatten() {
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            let Ok(j) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if !j["outcome"].is_null() {
                v.push(j["outcome"]["source"].as_str().unwrap().to_string());
            }
        }
        v.sort();
        v
    };
    let started = Instant::now();
    while finished(&cp).len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "verify makes progress"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(p); // SIGKILL
    let done_before = finished(&cp);
    assert!(
        done_before.len() < tables as usize,
        "killed before the end: {done_before:?}"
    );
    eprintln!(
        "killed with {} tables finished: {done_before:?}",
        done_before.len()
    );

    let mut a = base.to_vec();
    a.push("--resume");
    let left = (tables as usize - done_before.len()) * rows as usize;
    let (code, stdout, _) = sluice(&a);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("resuming: {} tables finished", done_before.len())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("compared {left} rows")),
        "only the unfinished tables: {stdout}"
    );
    let r = report(&out);
    let mut resumed_whole: Vec<String> = Vec::new();
    for t in r["tables"].as_array().unwrap() {
        let name = t["outcome"]["source"].as_str().unwrap().to_string();
        let line = stdout.lines().find(|l| l.contains(&name)).unwrap();
        if line.contains("from checkpoint") && !line.contains("chunks from checkpoint") {
            resumed_whole.push(name);
        }
    }
    resumed_whole.sort();
    assert_eq!(
        resumed_whole, done_before,
        "exactly the finished tables were not compared again"
    );
    assert_eq!(
        diffs(&r),
        vec![(
            format!("his.t{tables}"),
            "Changed".to_string(),
            r#"[{"I64":1234}]"#.to_string()
        )]
    );
    assert!(
        !cp.exists(),
        "the finished resumed run removes its checkpoint"
    );
}

async fn master_pos(url: &str) -> BinlogPosition {
    let mut c = mysql_async::Conn::from_url(url).await.unwrap();
    let row: mysql_async::Row = c.query_first("SHOW MASTER STATUS").await.unwrap().unwrap();
    BinlogPosition {
        file: row.get(0).unwrap(),
        offset: row.get(1).unwrap(),
        gtid_set: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repair_through_the_sink_is_applied_and_not_echoed_by_the_binlog() {
    let source = MariaDb::start();
    let target = MariaDb::start();
    let setup = [
        "CREATE DATABASE his",
        "CREATE TABLE his.patients (id INT PRIMARY KEY, name VARCHAR(50), born DATE, dose DECIMAL(10,3))",
        "CREATE TABLE his.tags (pid INT, tag VARCHAR(10))",
        "INSERT INTO his.patients VALUES (1,'Li Wei','1980-01-02',1.500),(2,'Zhang Min','1975-06-30',0.125),(3,'Wang Fang','2001-11-11',NULL),(4,'Chen Jie','1990-03-04',2.000)",
        "INSERT INTO his.tags VALUES (1,'a'),(1,'a'),(2,'b')",
    ];
    exec(&source.url(), &setup).await;
    exec(&target.url(), &setup).await;
    // Every kind of difference, made on the target.
    exec(
        &target.url(),
        &[
            "DELETE FROM his.patients WHERE id = 3",
            "UPDATE his.patients SET dose = 9.999, name = 'Li  Wei' WHERE id = 1",
            "INSERT INTO his.patients VALUES (7,'Nobody','2000-01-01',0.000)",
            "DELETE FROM his.tags WHERE pid = 1 LIMIT 1",
            "INSERT INTO his.tags VALUES (2,'b')",
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), source.port(), target.port(), "his");
    let from = master_pos(&target.url()).await;

    let (code, stdout, err) = sluice(&["verify", "-c", &cfg, "--apply-repair"]);
    assert_eq!(
        code, 1,
        "differences were found (and repaired)\n{stdout}{err}"
    );
    assert!(
        stdout.contains("rows missing 2, extra 2, changed 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("repair applied through the sink: 5 row changes in 2 transactions"),
        "{stdout}"
    );

    // The application writes on the target after the repair: that one must come through.
    exec(
        &target.url(),
        &["INSERT INTO his.patients VALUES (8,'After','2001-01-01',1.000)"],
    )
    .await;
    let to = master_pos(&target.url()).await;

    // What reverse sync would read from the target's binlog.
    let mut bc = BinlogConfig::new(target.url(), target.server_id() + 7);
    bc.catalog_url = Some(target.url());
    bc.start = StartAt::Position(from);
    bc.stop_at = Some(to);
    let mut src = BinlogSource::new(bc);
    tokio::time::timeout(Duration::from_secs(60), src.start(None))
        .await
        .unwrap()
        .unwrap();
    let mut txs = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(60), src.next())
            .await
            .expect("source stalled")
            .unwrap()
        {
            SourceItem::Transaction(t) => txs.push(t),
            SourceItem::Heartbeat { .. } => {}
            SourceItem::End => break,
        }
    }
    // (The first sink write on this target also created the control
    // database: a schema-only transaction, no rows.)
    let with_rows: Vec<_> = txs.iter().filter(|t| t.row_count() > 0).collect();
    assert_eq!(
        with_rows.len(),
        1,
        "only the application's insert is captured: {txs:#?}"
    );
    assert_eq!(with_rows[0].row_count(), 1);
    assert_eq!(&*with_rows[0].rows().next().unwrap().table.name, "patients");
    assert!(
        src.stats().dropped_own >= 2,
        "both repair transactions were dropped as sluice's own: {}",
        src.stats().dropped_own
    );

    // The cursor row of the repair pipeline is on the target.
    let mut c = mysql_async::Conn::from_url(target.url()).await.unwrap();
    let names: Vec<String> = c
        .query("SELECT pipeline FROM sluice_his_night.sluice_apply_cursor")
        .await
        .unwrap();
    assert!(
        names.len() == 1 && names[0].starts_with("his-night-repair-"),
        "{names:?}"
    );
    // Clean now (apart from the application's row 8, written on the target only).
    exec(&target.url(), &["DELETE FROM his.patients WHERE id = 8"]).await;
    let (code, stdout, _) = sluice(&["verify", "-c", &cfg]);
    assert_eq!(code, 0, "the repair made the target match: {stdout}");
}
