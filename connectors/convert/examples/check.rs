//! `cargo run -p sluice-convert --example check -- SCRIPTS_DIR SCHEMA_DIR URL_WITHOUT_DB DATABASE`:
//! deploys the schema scripts (through sluice-tsql's conversion) into
//! DATABASE on a live target, converts the routines and creates them there.

use mysql_async::prelude::Queryable;

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 5 {
        eprintln!("usage: check SCRIPTS_DIR SCHEMA_DIR mysql://root@127.0.0.1:PORT DATABASE");
        std::process::exit(2);
    }
    let (scripts, schema, url, db) = (&a[1], &a[2], &a[3], &a[4]);
    let files = sluice_tsql::assess::read_scripts(schema.as_ref()).expect("schema scripts");
    let opts = sluice_tsql::assess::AssessOptions {
        convert: sluice_tsql::dialect::oceanbase::ConvertOptions {
            database: Some(db.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let report = sluice_tsql::assess::assess_files(&files, &opts);
    let mut c = mysql_async::Conn::from_url(url.as_str())
        .await
        .expect("connect");
    for s in &report.deploy {
        if let Err(e) = c.query_drop(s).await {
            eprintln!("schema statement failed: {e}\n{s}");
        }
    }
    let conv = sluice_convert::convert(
        &sluice_convert::ScriptFile::read_dir(scripts.as_ref()).expect("scripts"),
        &sluice_convert::ScriptFile::read_dir(schema.as_ref()).expect("schema"),
        &sluice_convert::Options {
            database: Some(db.clone()),
        },
    );
    sluice_convert::output::write(&conv, "/tmp/cv-check-out".as_ref()).expect("write");
    let res = sluice_convert::check::check(url, &conv)
        .await
        .expect("check");
    println!("{:?}", conv.summary);
    let ok = res.iter().filter(|r| r.error.is_none()).count();
    println!("compiled {ok} of {}", res.len());
    for r in res.iter().filter(|r| r.error.is_some()) {
        println!(
            "FAIL {}: {}",
            r.source_name,
            r.error.as_deref().unwrap_or("")
        );
    }
}
