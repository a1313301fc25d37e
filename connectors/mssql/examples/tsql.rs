//! Runs the T-SQL batch on stdin against `SLUICE_BABELFISH_URL` (optionally in
//! database `$1`) and prints every result row as decoded `Value`s. A probe for
//! developers; nothing depends on it.

use std::io::Read;

use futures_util::TryStreamExt;
use sluice_mssql::decode::decode_row;
use sluice_mssql::{connect, MssqlConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::var("SLUICE_BABELFISH_URL").expect("set SLUICE_BABELFISH_URL");
    let mut cfg = MssqlConfig::from_ado(&url).expect("url");
    if let Some(db) = std::env::args().nth(1) {
        cfg = cfg.with_database(db);
    }
    let mut sql = String::new();
    std::io::stdin().read_to_string(&mut sql).unwrap();
    let mut c = connect(&cfg).await.expect("connect");
    let mut s = c.simple_query(sql).await.expect("query");
    while let Some(item) = s.try_next().await.expect("row") {
        if let Some(m) = item.as_metadata() {
            let cols: Vec<String> = m
                .columns()
                .iter()
                .map(|c| format!("{}:{:?}", c.name(), c.column_type()))
                .collect();
            println!("-- {}", cols.join(" | "));
        }
        if let Some(r) = item.as_row() {
            match decode_row(r, &[]) {
                Ok(v) => println!("{v:?}"),
                Err(e) => println!("decode error: {e}"),
            }
        }
    }
}
