//! The full load from a MySQL-protocol source (MySQL, MariaDB): the same
//! contract as the SQL Server path, with the binlog position as the low
//! watermark.
//!
//! Tables are created from the source's own `SHOW CREATE TABLE` (both ends
//! speak MySQL DDL), rows are read per key range in key order and written as
//! plain INSERTs, one target transaction per chunk, checkpointed on commit.

use std::collections::VecDeque;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use mysql_async::prelude::Queryable;
use sluice_engine::load::ChunkCheckpoints;
use sluice_engine::position::BinlogPosition;
use sluice_engine::value::Value;
use sluice_engine::verify::plan::{int_key, int_key_value, integer_cuts};
use sluice_engine::verify::{KeyRange, TableSpec, VerifySide};
use sluice_oceanbase::encode::push_ident;
use sluice_oceanbase::verify::{list_tables, spec_from_catalog, MySqlVerifySide, Role};
use tokio::sync::Mutex;

use super::insert::{insert_statements, row_exists, ER_DUP_ENTRY};
use super::progress::LoadProgress;
use crate::config::MigrationConfig;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Meta key of the binlog position recorded before the copy.
pub const LOW_WATERMARK: &str = "low_watermark_binlog";

/// The source's current binlog end (`SHOW MASTER STATUS`).
pub async fn binlog_end(conn: &mut mysql_async::Conn) -> Result<BinlogPosition, BoxError> {
    let row: Option<mysql_async::Row> = conn.query_first("SHOW MASTER STATUS").await?;
    let row = row.ok_or(
        "SHOW MASTER STATUS returned nothing: the binary log is off on this server \
         (start it with --log-bin --binlog-format=ROW --binlog-row-image=FULL)",
    )?;
    let file: String = row.get(0).ok_or("SHOW MASTER STATUS: no file")?;
    let offset: u64 = row.get(1).ok_or("SHOW MASTER STATUS: no position")?;
    Ok(BinlogPosition {
        file,
        offset,
        gtid_set: None,
    })
}

/// One table to copy.
struct TableCopy {
    spec: TableSpec,
    /// `db`.`table` on the target, quoted.
    target_name: String,
}

struct Job {
    table: usize,
    chunk: u32,
    range: KeyRange,
}

/// Creates the tables and copies every wanted table of the source database.
/// Returns the rows copied by this run.
pub async fn migrate(
    cfg: &MigrationConfig,
    state: Arc<ChunkCheckpoints>,
    schema_only: bool,
    progress: LoadProgress,
) -> Result<u64, BoxError> {
    let source_url = cfg.source.mysql_url("source")?;
    let target_url = cfg.target.mysql_url("target")?;
    let src_db = cfg.source.database.clone();
    let dst_db = cfg.target.database.clone();
    let mut src = MySqlVerifySide::connect(&source_url, Role::Source).await?;
    let mut src_conn =
        sluice_oceanbase::conn::connect(&sluice_oceanbase::OceanBaseConfig::new(&source_url))
            .await
            .map_err(|e| format!("connecting to the source: {e}"))?;

    // Before any row is read: sync replays the binlog from here.
    if !schema_only && state.meta(LOW_WATERMARK)?.is_none() {
        let pos = binlog_end(&mut src_conn.conn).await?;
        state.put_meta(LOW_WATERMARK, &serde_json::to_string(&pos)?)?;
        eprintln!(
            "capture low watermark {}:{} recorded before the copy",
            pos.file, pos.offset
        );
    }

    let names: Vec<String> = list_tables(&mut src, &src_db)
        .await?
        .into_iter()
        .filter(|t| !t.eq_ignore_ascii_case(sluice_oceanbase::binlog::CURSOR_TABLE))
        .filter(|t| cfg.tables.wants(&format!("{src_db}.{t}")))
        .collect();
    if names.is_empty() {
        return Err(format!("no tables to migrate in source database {src_db}").into());
    }

    let mut target =
        sluice_oceanbase::conn::connect(&sluice_oceanbase::OceanBaseConfig::new(&target_url))
            .await
            .map_err(|e| format!("connecting to the target: {e}"))?;
    let mut db_q = String::new();
    push_ident(&mut db_q, &dst_db);
    target
        .conn
        .query_drop(format!("CREATE DATABASE IF NOT EXISTS {db_q}"))
        .await?;
    let mut tables = Vec::new();
    for name in &names {
        let target_table = cfg
            .tables
            .renamed(&format!("{src_db}.{name}"))
            .unwrap_or(name);
        let mut target_name = db_q.clone();
        target_name.push('.');
        push_ident(&mut target_name, target_table);
        let step = format!("table:{name}");
        if !state.step_done(&step)? {
            let ddl = create_statement(&mut src_conn.conn, &src_db, name, &target_name).await?;
            // Plain secondary indexes are built after the load (deferred.rs).
            let (ddl, mut later) = super::deferred::split_secondary_indexes(&ddl);
            // Foreign keys name their parent unqualified: the parent's target name.
            for (old, new) in &cfg.tables.rename {
                if let Some((db, table)) = old.split_once('.') {
                    if db.eq_ignore_ascii_case(&src_db) {
                        let (mut from, mut to) =
                            (String::from("REFERENCES "), String::from("REFERENCES "));
                        push_ident(&mut from, table);
                        push_ident(&mut to, new);
                        for l in later.iter_mut() {
                            *l = l.replace(&from, &to);
                        }
                    }
                }
            }
            state.put_meta(&format!("indexes:{name}"), &serde_json::to_string(&later)?)?;
            target
                .conn
                .query_drop(ddl)
                .await
                .map_err(|e| format!("creating {target_name} on the target: {e}"))?;
            for alter in
                type_alterations(cfg, &mut src_conn.conn, &src_db, name, &target_name).await?
            {
                target
                    .conn
                    .query_drop(&alter)
                    .await
                    .map_err(|e| format!("{alter}: {e}"))?;
            }
            state.mark_step(&step)?;
        }
        let mut spec = spec_from_catalog(&mut src, &src_db, name, &dst_db).await?;
        spec.target = sluice_engine::event::TableRef::new(dst_db.as_str(), target_table);
        tables.push(TableCopy { spec, target_name });
    }
    eprintln!("schema  {} tables on the target", tables.len());
    if schema_only {
        return Ok(0);
    }

    let mut jobs = VecDeque::new();
    let mut total = 0u64;
    let mut already = 0u64;
    for (i, t) in tables.iter().enumerate() {
        let name = t.spec.source.to_string();
        let rows = src.count(&t.spec, &KeyRange::all()).await?;
        total += rows;
        already += state.rows_done(&name)?;
        let plan_key = format!("plan:{name}");
        let ranges: Vec<KeyRange> = match state.meta(&plan_key)? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| format!("stored chunk plan of {name} is unreadable: {e}"))?,
            None => {
                let r = plan_ranges(&mut src, &t.spec, rows, cfg.load.chunk_rows).await?;
                state.put_meta(&plan_key, &serde_json::to_string(&r)?)?;
                r
            }
        };
        let mut chunks_done = 0;
        for c in 0..ranges.len() {
            if state.is_done(&name, c as u32)?.is_some() {
                chunks_done += 1;
            }
        }
        progress.add_table(
            &name,
            rows,
            ranges.len() as u64,
            state.rows_done(&name)?,
            chunks_done,
        );
        for (c, range) in ranges.into_iter().enumerate() {
            if state.is_done(&name, c as u32)?.is_none() {
                jobs.push_back(Job {
                    table: i,
                    chunk: c as u32,
                    range,
                });
            }
        }
    }
    drop(src);

    let bar = ProgressBar::new(total.max(already));
    bar.set_style(
        ProgressStyle::with_template(
            "copy [{bar:30}] {human_pos}/{human_len} rows  {per_sec}  eta {eta}  {msg}",
        )
        .expect("template")
        .progress_chars("=> "),
    );
    bar.set_position(already);
    let jobs = Arc::new(Mutex::new(jobs));
    let tables = Arc::new(tables);
    let throttle = crate::commands::journey::throttle::Throttle::new(cfg.load.max_rows_per_second);
    let mut workers = Vec::new();
    for _ in 0..cfg.load.parallel.max(1) {
        let (jobs, tables, bar, state, progress) = (
            jobs.clone(),
            tables.clone(),
            bar.clone(),
            state.clone(),
            progress.clone(),
        );
        let (source_url, target_url) = (source_url.clone(), target_url.clone());
        let page_rows = cfg.load.page_rows;
        let throttle = throttle.clone();
        workers.push(tokio::spawn(async move {
            let mut src = MySqlVerifySide::connect(&source_url, Role::Source).await?;
            let mut t = sluice_oceanbase::conn::connect(&sluice_oceanbase::OceanBaseConfig::new(
                &target_url,
            ))
            .await
            .map_err(|e| format!("connecting to the target: {e}"))?;
            let mut copied = 0u64;
            loop {
                let Some(job) = jobs.lock().await.pop_front() else {
                    break;
                };
                let table = &tables[job.table];
                bar.set_message(format!(
                    "{:.1} MB sent  {} chunk {}",
                    progress.mb_sent(),
                    table.spec.source,
                    job.chunk + 1
                ));
                let name = table.spec.source.to_string();
                progress.chunk_started(&name);
                let n = match copy_chunk(
                    &mut src,
                    &mut t.conn,
                    table,
                    &job,
                    page_rows,
                    &state,
                    &progress,
                )
                .await
                {
                    Ok(n) => n,
                    Err(e) => {
                        progress.chunk_failed(&name);
                        return Err(format!("copying {name} chunk {}: {e}", job.chunk).into());
                    }
                };
                progress.chunk_done(&name, n);
                if let Some(t) = &throttle {
                    t.admit(n).await;
                }
                bar.inc(n);
                copied += n;
            }
            Ok::<_, BoxError>(copied)
        }));
    }
    let mut copied = 0;
    let mut first_error = None;
    for w in workers {
        match w.await? {
            Ok(n) => {
                copied += n;
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    bar.finish_and_clear();
    if let Some(e) = first_error {
        return Err(
            format!("{e}\nfinished chunks are kept; run the same command again to resume").into(),
        );
    }
    // Unqualified REFERENCES resolve in the session's database.
    target.conn.query_drop(format!("USE {db_q}")).await?;
    build_deferred_indexes(&mut target.conn, &names, &state).await?;
    Ok(copied)
}

/// Runs the index statements held back at table creation (once; a resumed
/// run skips indexes a killed one already built).
async fn build_deferred_indexes(
    target: &mut mysql_async::Conn,
    names: &[String],
    state: &ChunkCheckpoints,
) -> Result<(), BoxError> {
    if state.step_done("indexes")? {
        return Ok(());
    }
    let mut built = 0;
    for name in names {
        let Some(json) = state.meta(&format!("indexes:{name}"))? else {
            continue;
        };
        let stmts: Vec<String> = serde_json::from_str(&json)?;
        for stmt in stmts {
            match target.query_drop(&stmt).await {
                Ok(()) => built += 1,
                // Built by a killed run: 1061 duplicate key name, 1826 duplicate
                // foreign key name, 1022/121 duplicate constraint.
                Err(mysql_async::Error::Server(e)) if [1061, 1826, 1022, 121].contains(&e.code) => {
                }
                Err(e) => return Err(format!("{stmt}: {e}").into()),
            }
        }
    }
    state.mark_step("indexes")?;
    if built > 0 {
        eprintln!("indexes {built} secondary indexes and foreign keys built after the load");
    }
    Ok(())
}

/// The source's DDL for one table, retargeted at `target_name` and made
/// idempotent (a resumed run may have created it already).
async fn create_statement(
    conn: &mut mysql_async::Conn,
    db: &str,
    table: &str,
    target_name: &str,
) -> Result<String, BoxError> {
    let mut name = String::new();
    push_ident(&mut name, db);
    name.push('.');
    push_ident(&mut name, table);
    let row: Option<(String, String)> = conn
        .query_first(format!("SHOW CREATE TABLE {name}"))
        .await?;
    let (_, ddl) = row.ok_or_else(|| format!("SHOW CREATE TABLE {name} returned nothing"))?;
    retarget_ddl(&ddl, target_name).ok_or_else(|| format!("unexpected DDL for {name}").into())
}

/// `CREATE TABLE `t` (…) ENGINE=… CHARSET=latin1` -> `CREATE TABLE IF NOT
/// EXISTS db.t (…) DEFAULT CHARSET=utf8mb4`: the target stores text as
/// utf8mb4 (the session reads the source's text as utf8mb4 too), and engine
/// or character-set options of the source may not exist there (OceanBase
/// has no latin1).
pub fn retarget_ddl(ddl: &str, target_name: &str) -> Option<String> {
    let open = ddl.find('(')?;
    let close = ddl.rfind(')')?;
    let mut body = String::new();
    let mut rest = &ddl[open..=close];
    // Column-level character sets and collations, outside string literals.
    while let Some(i) = find_outside_quotes(rest, &[" CHARACTER SET ", " COLLATE "]) {
        body.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let kw_len = if after.starts_with("CHARACTER SET ") {
            14
        } else {
            8
        };
        let value = &after[kw_len..];
        let end = value
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(value.len());
        rest = &value[end..];
    }
    body.push_str(rest);
    Some(format!(
        "CREATE TABLE IF NOT EXISTS {target_name} {body} DEFAULT CHARSET=utf8mb4"
    ))
}

fn find_outside_quotes(s: &str, needles: &[&str]) -> Option<usize> {
    let b = s.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        match quote {
            Some(_) if b[i] == b'\\' => i += 1,
            Some(q) if b[i] == q => quote = None,
            Some(_) => {}
            None if b[i] == b'\'' || b[i] == b'`' || b[i] == b'"' => quote = Some(b[i]),
            None if needles.iter().any(|n| s[i..].starts_with(n)) => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

/// `ALTER TABLE … MODIFY` statements applying the `[types]` overrides of the
/// migration file to one created table (per column, or per source type).
async fn type_alterations(
    cfg: &MigrationConfig,
    conn: &mut mysql_async::Conn,
    db: &str,
    table: &str,
    target_name: &str,
) -> Result<Vec<String>, BoxError> {
    let (by_type, by_column) = cfg.type_overrides();
    if by_type.is_empty() && by_column.is_empty() {
        return Ok(Vec::new());
    }
    let cols: Vec<(String, String, String)> = conn
        .exec(
            "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            (db, table),
        )
        .await?;
    let mut out = Vec::new();
    for (col, data_type, nullable) in cols {
        let key = format!("{db}.{table}.{col}").to_lowercase();
        let Some(sql) = by_column
            .get(&key)
            .or_else(|| by_type.get(&data_type.to_lowercase()))
        else {
            continue;
        };
        let mut stmt = format!("ALTER TABLE {target_name} MODIFY COLUMN ");
        push_ident(&mut stmt, &col);
        stmt.push(' ');
        stmt.push_str(sql);
        if nullable == "NO" {
            stmt.push_str(" NOT NULL");
        }
        out.push(stmt);
    }
    Ok(out)
}

/// Key ranges of about `chunk_rows` rows each.
async fn plan_ranges(
    src: &mut MySqlVerifySide,
    spec: &TableSpec,
    rows: u64,
    chunk_rows: u64,
) -> Result<Vec<KeyRange>, BoxError> {
    let parts = rows.div_ceil(chunk_rows.max(1)).max(1) as usize;
    if spec.key.is_empty() || parts == 1 {
        return Ok(vec![KeyRange::all()]);
    }
    let points = if spec.integer_key() {
        match src.key_bounds(spec).await? {
            Some((lo, hi)) => match (int_key(&lo), int_key(&hi)) {
                (Some(lo), Some(hi)) => integer_cuts(lo, hi, parts)
                    .into_iter()
                    .map(int_key_value)
                    .collect(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        }
    } else {
        src.split_points(spec, &KeyRange::all(), parts).await?
    };
    Ok(KeyRange::all().cut(&points))
}

async fn copy_chunk(
    src: &mut MySqlVerifySide,
    target: &mut mysql_async::Conn,
    table: &TableCopy,
    job: &Job,
    page_rows: usize,
    state: &ChunkCheckpoints,
    progress: &LoadProgress,
) -> Result<u64, BoxError> {
    let spec = &table.spec;
    let name = spec.source.to_string();
    let rows = src.rows(spec, &job.range).await?;
    let keyless = spec.key.is_empty();
    let mut tx = target
        .start_transaction(mysql_async::TxOpts::default())
        .await?;
    tx.query_drop("SET foreign_key_checks = 0").await?;
    if keyless {
        // One chunk replaces the whole table, so a re-run cannot duplicate rows.
        tx.query_drop(format!("DELETE FROM {}", table.target_name))
            .await?;
    }
    let columns: Vec<(&str, usize)> = spec
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    let mut duplicate = false;
    for page in rows.chunks(page_rows.max(1)) {
        for stmt in insert_statements(&table.target_name, &columns, page)? {
            progress.sent(stmt.len());
            match tx.query_drop(stmt).await {
                Ok(()) => {}
                Err(mysql_async::Error::Server(e)) if e.code == ER_DUP_ENTRY => {
                    duplicate = true;
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        if duplicate {
            break;
        }
    }
    if !duplicate {
        tx.query_drop("SET foreign_key_checks = 1").await?;
        tx.commit().await?;
        // Only now is the chunk on the target; a crash before this re-runs it.
        state.mark_done(&name, job.chunk, rows.len() as u64)?;
        return Ok(rows.len() as u64);
    }
    tx.rollback().await?;
    // An earlier run committed this chunk and died before marking it (its
    // first row is there), or the target is stricter than the source.
    let first = rows
        .first()
        .map(|r| spec.key.iter().map(|&i| r[i].clone()).collect::<Vec<_>>());
    if let Some(key) = first {
        let key: Vec<(&str, &Value)> = spec
            .key
            .iter()
            .zip(&key)
            .map(|(&i, v)| (spec.columns[i].name.as_str(), v))
            .collect();
        if row_exists(target, &table.target_name, &key).await? {
            state.mark_done(&name, job.chunk, 0)?;
            return Ok(0);
        }
    }
    Err(format!(
        "rows of {name} conflict on a unique key of {} although the source accepts them; \
         nothing of this chunk was written",
        table.target_name
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::retarget_ddl;

    #[test]
    fn source_charsets_and_engine_are_dropped() {
        let ddl = "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `ward` char(4) CHARACTER SET latin1 COLLATE latin1_bin DEFAULT ' COLLATE x',\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci";
        let out = retarget_ddl(ddl, "`db`.`t`").unwrap();
        assert!(
            out.starts_with("CREATE TABLE IF NOT EXISTS `db`.`t` ("),
            "{out}"
        );
        assert!(!out.contains("latin1"), "{out}");
        assert!(!out.contains("InnoDB"), "{out}");
        assert!(
            out.contains("DEFAULT ' COLLATE x'"),
            "string literals are kept: {out}"
        );
        assert!(out.ends_with(") DEFAULT CHARSET=utf8mb4"), "{out}");
    }
}
