//! A converted hospital database on a real seekdb: the hospital schema
//! (converted by sluice-tsql), the routines corpus (converted by this crate,
//! every deployable object created), and the fixture rows.

#![allow(dead_code)]

use mysql_async::prelude::*;
use sluice_convert::{check, routine::Status, Conversion, Options, ScriptFile};
use sluice_testkit::SeekDb;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Converts the corpus for target database `db`.
pub fn convert_corpus(db: &str) -> Conversion {
    let scripts = ScriptFile::read_dir(&repo().join("examples/routines")).expect("corpus");
    let schema = ScriptFile::read_dir(&repo().join("examples/hospital")).expect("schema");
    sluice_convert::convert(
        &scripts,
        &schema,
        &Options {
            database: Some(db.to_string()),
        },
    )
}

pub struct World {
    /// Held for the test's lifetime: the tests of one binary run one at a
    /// time on the shared server (see `new`).
    _serial: tokio::sync::MutexGuard<'static, ()>,
    pub conn: mysql_async::Conn,
    pub db: String,
    pub conv: Conversion,
}

fn text(v: mysql_async::Value) -> String {
    match v {
        mysql_async::Value::NULL => "NULL".into(),
        mysql_async::Value::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
        other => other.as_sql(true).trim_matches('\'').to_string(),
    }
}

impl World {
    /// A fresh database with schema, converted routines and (optionally) fixtures.
    pub async fn new(fixtures: bool) -> World {
        // Concurrent CREATE TRIGGER of one name in two databases makes
        // seekdb report "already exist", and a row trigger fired while
        // another test's session works on a twin database was seen to
        // misfire: one world at a time.
        static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let guard = SERIAL.lock().await;
        let server = SeekDb::shared();
        let tdb = server.fresh_database().await;
        let db = tdb.name.clone();
        let files = sluice_tsql::assess::read_scripts(&repo().join("examples/hospital")).unwrap();
        let opts = sluice_tsql::assess::AssessOptions {
            convert: sluice_tsql::dialect::oceanbase::ConvertOptions {
                database: Some(db.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        let report = sluice_tsql::assess::assess_files(&files, &opts);
        let mut conn = mysql_async::Conn::from_url(server.url())
            .await
            .expect("connect");
        for s in &report.deploy {
            conn.query_drop(s)
                .await
                .unwrap_or_else(|e| panic!("schema: {e}\n{s}"));
        }
        let conv = convert_corpus(&db);
        let results = check::check(&server.url(), &conv).await.expect("check");
        let failed: Vec<_> = results.iter().filter(|r| r.error.is_some()).collect();
        assert!(
            failed.is_empty(),
            "objects the target rejected: {failed:#?}"
        );
        let deployable = conv
            .objects
            .iter()
            .filter(|o| o.converted.status != Status::Manual)
            .count();
        assert!(
            results.len() >= deployable,
            "{} created for {deployable} objects",
            results.len()
        );
        conn.query_drop(format!("USE `{db}`")).await.unwrap();
        let mut w = World {
            _serial: guard,
            conn,
            db,
            conv,
        };
        if fixtures {
            let f =
                std::fs::read_to_string(repo().join("connectors/convert/tests/fixtures/base.sql"))
                    .unwrap();
            for stmt in f.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
                let lines: Vec<&str> = stmt
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("--"))
                    .collect();
                if lines.is_empty() {
                    continue;
                }
                w.exec(&lines.join("\n"))
                    .await
                    .unwrap_or_else(|e| panic!("fixture: {e}\n{stmt}"));
            }
        }
        w
    }

    fn sub(&self, sql: &str) -> String {
        sql.replace("{db}", &self.db)
    }

    /// Runs statements; the error text when the target raises one.
    pub async fn exec(&mut self, sql: &str) -> Result<(), String> {
        self.sets(sql).await.map(|_| ())
    }

    /// All result sets of a statement (a CALL may return several).
    pub async fn sets(&mut self, sql: &str) -> Result<Vec<Vec<Vec<String>>>, String> {
        let sql = self.sub(sql);
        let mut res = self.conn.query_iter(sql).await.map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        loop {
            let cols = res.columns().map(|c| c.len()).unwrap_or(0);
            let rows: Vec<mysql_async::Row> = res.collect().await.map_err(|e| e.to_string())?;
            if cols > 0 {
                out.push(
                    rows.into_iter()
                        .map(|r| r.unwrap().into_iter().map(text).collect())
                        .collect(),
                );
            }
            if res.is_empty() {
                break;
            }
        }
        Ok(out)
    }

    /// The rows of a query.
    pub async fn rows(&mut self, sql: &str) -> Vec<Vec<String>> {
        let s = self
            .sets(sql)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
        s.into_iter().next().unwrap_or_default()
    }

    /// One row.
    pub async fn row(&mut self, sql: &str) -> Vec<String> {
        let r = self.rows(sql).await;
        assert_eq!(r.len(), 1, "expected one row from {sql}: {r:?}");
        r.into_iter().next().unwrap()
    }

    /// One value.
    pub async fn val(&mut self, sql: &str) -> String {
        let r = self.row(sql).await;
        r.into_iter().next().unwrap()
    }
}

/// `vec![vec!["a","b"]]` from string slices.
pub fn t(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}
