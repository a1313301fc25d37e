//! `sluice verify` end to end: MariaDB (source) vs seekdb (target).

use std::process::Command;

use mysql_async::prelude::Queryable;
use sluice_testkit::{MariaDb, SeekDb};

fn sluice(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SETUP: &[&str] = &[
    "CREATE TABLE patients (id INT PRIMARY KEY, name VARCHAR(50), born DATE)",
    "CREATE TABLE orders (id BIGINT PRIMARY KEY, patient_id INT, dose DECIMAL(10,3))",
    "INSERT INTO patients VALUES (1,'Li Wei','1980-01-02'),(2,'Zhang Min','1975-06-30'),(3,'Wang Fang','2001-11-11')",
    "INSERT INTO orders VALUES (10,1,2.500),(11,2,0.125),(12,3,10.000)",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_differences_writes_repair_and_applies_it() {
    let maria = MariaDb::start();
    let target = SeekDb::shared().fresh_database().await;
    let mut src = mysql_async::Conn::from_url(maria.url()).await.unwrap();
    src.query_drop("CREATE DATABASE his").await.unwrap();
    src.query_drop("USE his").await.unwrap();
    let mut dst = mysql_async::Conn::from_url(&target.url).await.unwrap();
    for s in SETUP {
        src.query_drop(*s).await.unwrap();
        dst.query_drop(*s).await.unwrap();
    }
    dst.query_drop("UPDATE orders SET dose = 25.000 WHERE id = 10")
        .await
        .unwrap();
    dst.query_drop("DELETE FROM patients WHERE id = 3")
        .await
        .unwrap();

    let out = tempfile::tempdir().unwrap();
    let source_url = maria.url();
    let target_url = format!("mysql://root@127.0.0.1:{}", target.port);
    let args = |extra: &[&str]| {
        let mut v = vec![
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
            out.path().to_str().unwrap(),
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let a = args(&[]);
    let (code, stdout, stderr) = sluice(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    assert_eq!(code, 1, "differences give exit 1\n{stdout}\n{stderr}");
    assert!(stdout.contains("DIFFERENCES FOUND"), "{stdout}");
    let repair = std::fs::read_to_string(out.path().join("repair.sql")).unwrap();
    assert!(repair.contains("INSERT INTO"), "{repair}");
    assert!(repair.contains("`dose` = 2.500"), "{repair}");
    let html = std::fs::read_to_string(out.path().join("verify.html")).unwrap();
    // For looking at the page in a browser: SLUICE_KEEP_REPORTS=DIR keeps a copy.
    if let Ok(dir) = std::env::var("SLUICE_KEEP_REPORTS") {
        std::fs::write(std::path::Path::new(&dir).join("verify.html"), &html).unwrap();
    }
    assert!(
        html.contains("25.000") && html.contains("2.500"),
        "both values shown"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("verify.json")).unwrap())
            .unwrap();
    assert_eq!(json["tables"].as_array().unwrap().len(), 2);

    let a = args(&["--apply-repair"]);
    let (code, stdout, _) = sluice(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("repair applied"), "{stdout}");
    let a = args(&[]);
    let (code, stdout, stderr) = sluice(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    assert_eq!(code, 0, "clean after repair\n{stdout}\n{stderr}");
    assert!(stdout.contains("CLEAN"), "{stdout}");
    // The password never reaches the output.
    assert!(!stdout.contains("password"));
}

#[test]
fn an_unreachable_server_is_a_one_line_error() {
    let (code, _, stderr) = sluice(&[
        "verify",
        "--source",
        "mysql://root:topsecret@127.0.0.1:1",
        "--target",
        "mysql://root@127.0.0.1:1",
        "--source-db",
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("connecting to mysql://root:***@127.0.0.1:1"),
        "{stderr}"
    );
    assert!(!stderr.contains("topsecret"), "{stderr}");
}
