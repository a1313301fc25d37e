//! `sluice log status` and `sluice log inspect` against a log written by the engine.

use std::process::Command;

use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::ApplyCursor;
use sluice_engine::testing::sample_transaction;

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

#[test]
fn status_and_inspect_show_what_the_log_holds() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = EventLog::open(dir.path(), LogOptions::default()).unwrap();
        let txs: Vec<_> = (1..=4).map(|i| sample_transaction(i, 2)).collect();
        log.append(&txs, true).unwrap();
        log.store_cursor_hint(
            "forward",
            &ApplyCursor {
                seq: 1,
                position: txs[0].position.clone(),
            },
        )
        .unwrap();
        log.flush().unwrap();
    }
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = sluice(&["log", "status", "--log-dir", d, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"]["last_seq"], 4);
    assert_eq!(v["status"]["first_seq"], 1);
    assert_eq!(v["status"]["lag_records"], 3);
    assert_eq!(v["cursors"][0]["pipeline"], "forward");

    let (code, out, err) = sluice(&["log", "inspect", "--log-dir", d, "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("record       3"), "{out}");
    assert!(out.contains("INSERT dbo.rows"), "{out}");
    assert!(out.contains("row 1 of tx 3"), "{out}");
}

#[test]
fn a_missing_log_or_record_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let (code, _, err) = sluice(&["log", "status", "--log-dir", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no event log at"), "{err}");

    {
        let log = EventLog::open(dir.path(), LogOptions::default()).unwrap();
        log.append(&[sample_transaction(1, 1)], true).unwrap();
    }
    let (code, _, err) = sluice(&[
        "log",
        "inspect",
        "--log-dir",
        dir.path().to_str().unwrap(),
        "9",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("record 9 is not in the log"), "{err}");
}
