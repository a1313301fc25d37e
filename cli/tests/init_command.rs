//! `sluice init`: writes the example, refuses to overwrite without --force.

use std::path::Path;
use std::process::Command;

fn sluice(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SLUICE_SOURCE_PASSWORD")
        .env_remove("SLUICE_TARGET_PASSWORD")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn init_writes_the_example_and_keeps_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    // Default name, SQL Server source.
    let (code, out, err) = sluice(&["init"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("sluice check --config sluice.toml"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("sluice.toml")).unwrap();
    assert!(text.contains("kind = \"mssql\""), "{text}");
    assert!(text.contains("password_env = \"SLUICE_SOURCE_PASSWORD\""));
    assert!(!text.contains("#%%"), "template markers are removed");
    // No password value anywhere, only references to one.
    for l in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        assert!(!l.trim_start().starts_with("password ="), "{l}");
    }

    // Not overwritten without --force, and the file is untouched.
    std::fs::write(dir.path().join("sluice.toml"), "# mine\n").unwrap();
    let (code, out, err) = sluice(&["init"], dir.path());
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sluice.toml")).unwrap(),
        "# mine\n"
    );

    // --force replaces it; --kind mysql writes a binlog source.
    let (code, out, err) = sluice(
        &[
            "init",
            "--kind",
            "mysql",
            "--output",
            "sluice.toml",
            "--force",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(dir.path().join("sluice.toml")).unwrap();
    assert!(
        text.contains("kind = \"mysql\"") && text.contains("port = 3306"),
        "{text}"
    );
    assert!(!text.contains("kind = \"mssql\""), "{text}");

    // `-` prints it.
    let (code, out, _) = sluice(&["init", "--output", "-"], dir.path());
    assert_eq!(code, 0);
    assert!(out.starts_with("# sluice migration file"), "{out}");

    // The written file is a valid migration file: check gets past validation
    // (it fails later, at the missing password variables / unknown hosts).
    let (code, out, err) = sluice(
        &["check", "--config", "sluice.toml", "--timeout", "2"],
        dir.path(),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("OK    config: sluice.toml is valid"), "{out}");
    assert!(out.contains("SLUICE_SOURCE_PASSWORD"), "{out}");
}
