//! Loads a folder of SSMS-style `.sql` scripts (GO-separated) into a fresh
//! database on `SLUICE_BABELFISH_URL`, batch by batch, reporting batches the
//! server rejects, then prints a summary of `read_catalog`. A probe for
//! developers: `cargo run -p sluice-mssql --example load_scripts -- DIR DB`.

use sluice_mssql::catalog::read_catalog;
use sluice_mssql::connect::exec_batch;
use sluice_mssql::{connect, MssqlConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("scripts dir");
    let db = args.next().expect("database name");
    let url = std::env::var("SLUICE_BABELFISH_URL").expect("set SLUICE_BABELFISH_URL");
    let base = MssqlConfig::from_ado(&url).expect("url");
    let mut m = connect(&base.with_database("master"))
        .await
        .expect("connect");
    exec_batch(&mut m, "create db", &format!("CREATE DATABASE [{db}]"))
        .await
        .expect("create db");
    let cfg = base.with_database(&db);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let (mut ok, mut failed) = (0, 0);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut batch = String::new();
        for line in text.lines().chain(std::iter::once("GO")) {
            if line.trim().eq_ignore_ascii_case("GO") {
                let b = std::mem::take(&mut batch);
                let t = b.trim();
                let skip = t.is_empty()
                    || t.to_uppercase().starts_with("USE ")
                    || t.to_uppercase().contains("CREATE DATABASE")
                    || t.to_uppercase().starts_with("ALTER DATABASE");
                if !skip {
                    // A fresh session per batch: Babelfish trap 1 (FK checks after temp tables).
                    let mut c = connect(&cfg).await.expect("connect");
                    match exec_batch(&mut c, "batch", t).await {
                        Ok(()) => ok += 1,
                        Err(e) => {
                            failed += 1;
                            let first: String = t
                                .lines()
                                .find(|l| !l.trim().starts_with("/*") && !l.trim().is_empty())
                                .unwrap_or("")
                                .chars()
                                .take(90)
                                .collect();
                            println!(
                                "REJECTED {}: {first}\n    {}",
                                f.file_name().unwrap().to_string_lossy(),
                                e.to_string().chars().take(200).collect::<String>()
                            );
                        }
                    }
                }
            } else {
                batch.push_str(line);
                batch.push('\n');
            }
        }
    }
    println!("batches ok {ok}, rejected {failed}");
    let mut c = connect(&cfg).await.expect("connect");
    let cat = read_catalog(&mut c).await.expect("read_catalog");
    println!(
        "schemas {:?}; tables {}; columns {}; pks {}; fks {}; checks {}; indexes {}; routines {}; user types {}",
        cat.schemas,
        cat.tables.len(),
        cat.tables.iter().map(|t| t.columns.len()).sum::<usize>(),
        cat.tables.iter().filter(|t| t.primary_key.is_some()).count(),
        cat.tables.iter().map(|t| t.foreign_keys.len()).sum::<usize>(),
        cat.tables.iter().map(|t| t.checks.len()).sum::<usize>(),
        cat.tables.iter().map(|t| t.indexes.len()).sum::<usize>(),
        cat.routines.len(),
        cat.user_types.len()
    );
}
