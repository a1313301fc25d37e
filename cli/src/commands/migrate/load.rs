//! The full load: chunks of every table copied in parallel, each chunk one
//! target transaction, checkpointed when it commits.

use std::collections::VecDeque;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use mysql_async::prelude::Queryable;
use sluice_engine::load::ChunkCheckpoints;
use sluice_engine::value::Value;
use sluice_mssql::catalog::{flavor, query, row_counts, text_of};
use sluice_mssql::snapshot::{
    isolation, plan_chunks, Chunk, ChunkReader, Isolation, SnapshotTable,
};
use sluice_mssql::{MssqlClient, MssqlConfig};
use tokio::sync::Mutex;

use super::insert::{insert_statements, row_exists, ER_DUP_ENTRY};
use super::schema::TablePlan;
use super::MigrateArgs;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Records `sys.fn_cdc_get_max_lsn()` before any row is read, once per
/// migration: `sync` replays changes from there. Without CDC (or on
/// Babelfish, which has none) the copy is a snapshot and the operator is told.
pub async fn record_low_watermark(
    client: &mut MssqlClient,
    state: &ChunkCheckpoints,
) -> Result<(), BoxError> {
    if state.meta("low_watermark")?.is_some() {
        return Ok(());
    }
    match query(
        client,
        "CDC low watermark",
        "SELECT CONVERT(varchar(22), sys.fn_cdc_get_max_lsn(), 1)",
    )
    .await
    {
        Ok(rows) if rows.first().is_some_and(|r| !r[0].is_null()) => {
            let lsn = text_of(&rows[0][0]);
            state.put_meta("low_watermark", &lsn)?;
            eprintln!("capture low watermark {lsn} recorded before the copy");
        }
        _ => {
            state.put_meta("low_watermark", "none")?;
            eprintln!(
                "warning: change data capture is not enabled on the source (sys.fn_cdc_get_max_lsn() \
                 returned nothing): this copy is a snapshot, and changes made during it are not \
                 captured. Enable CDC (sys.sp_cdc_enable_db, sys.sp_cdc_enable_table) before \
                 migrating a live database."
            );
        }
    }
    Ok(())
}

struct Job {
    table: usize,
    chunk: Chunk,
    chunks_in_table: usize,
}

/// Copies every table of `plan`; returns the rows copied by this run.
pub async fn copy_all(
    a: &MigrateArgs,
    source: &MssqlConfig,
    plan: &TablePlan,
    state: Arc<ChunkCheckpoints>,
) -> Result<u64, BoxError> {
    let mut client = sluice_mssql::connect(source).await?;
    let fl = flavor(&mut client).await?;
    let tables: Vec<_> = plan.0.iter().map(|c| c.source.clone()).collect();
    let counts = row_counts(&mut client, fl, &tables).await?;
    let iso = isolation(&mut client).await?;
    if iso == Isolation::ReadCommitted {
        eprintln!("warning: snapshot isolation is off on the source: chunks are read under READ COMMITTED");
    }
    let mut jobs = VecDeque::new();
    let mut total_rows = 0u64;
    let mut already = 0u64;
    for (i, copy) in plan.0.iter().enumerate() {
        let st = SnapshotTable::from_catalog(&copy.source);
        let rows = counts
            .iter()
            .find(|(n, _)| n.key() == copy.source.name.key())
            .map(|(_, r)| *r)
            .unwrap_or(0);
        total_rows += rows;
        let name = st.table.to_string();
        already += state.rows_done(&name)?;
        // The plan is made once per migration and kept: chunk ids are what the
        // checkpoints name, so a resumed run must cut the table the same way
        // even though the live source has changed since.
        let plan_key = format!("plan:{name}");
        let chunks: Vec<Chunk> = match state.meta(&plan_key)? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| format!("stored chunk plan of {name} is unreadable: {e}"))?,
            None => {
                let chunks = plan_chunks(&mut client, &st, rows, a.chunk_rows).await?;
                state.put_meta(&plan_key, &serde_json::to_string(&chunks)?)?;
                chunks
            }
        };
        let n = chunks.len();
        let mut chunks_done = 0;
        for c in &chunks {
            if state.is_done(&name, c.id)?.is_some() {
                chunks_done += 1;
            }
        }
        a.progress
            .add_table(&name, rows, n as u64, state.rows_done(&name)?, chunks_done);
        for chunk in chunks {
            if state.is_done(&name, chunk.id)?.is_none() {
                jobs.push_back(Job {
                    table: i,
                    chunk,
                    chunks_in_table: n,
                });
            }
        }
    }
    drop(client);

    let bar = ProgressBar::new(total_rows.max(already));
    bar.set_style(
        ProgressStyle::with_template(
            "copy [{bar:30}] {human_pos}/{human_len} rows  {per_sec}  eta {eta}  {msg}",
        )
        .expect("template")
        .progress_chars("=> "),
    );
    bar.set_position(already);
    let jobs = Arc::new(Mutex::new(jobs));
    let plan = Arc::new(
        plan.0
            .iter()
            .map(|c| {
                (
                    SnapshotTable::from_catalog(&c.source),
                    c.target.clone(),
                    c.written.clone(),
                )
            })
            .collect::<Vec<_>>(),
    );
    let mut workers = Vec::new();
    for _ in 0..a.parallel.max(1) {
        let progress = a.progress.clone();
        let throttle = a.throttle.clone();
        let (jobs, plan, bar, source, target, state) = (
            jobs.clone(),
            plan.clone(),
            bar.clone(),
            source.clone(),
            a.target.clone(),
            state.clone(),
        );
        let page_rows = a.page_rows;
        workers.push(tokio::spawn(async move {
            let mut client = sluice_mssql::connect(&source).await?;
            let mut t =
                sluice_oceanbase::conn::connect(&sluice_oceanbase::OceanBaseConfig::new(&target))
                    .await
                    .map_err(|e| format!("connecting to the target: {e}"))?;
            let mut copied = 0u64;
            loop {
                let Some(job) = jobs.lock().await.pop_front() else {
                    break;
                };
                let (st, target_name, written) = &plan[job.table];
                bar.set_message(format!(
                    "{:.1} MB sent  {} chunk {}/{}",
                    progress.mb_sent(),
                    st.table,
                    job.chunk.id + 1,
                    job.chunks_in_table
                ));
                let name = st.table.to_string();
                progress.chunk_started(&name);
                let rows = match copy_chunk(
                    &mut client,
                    &mut t.conn,
                    st,
                    target_name,
                    written,
                    job.chunk.clone(),
                    page_rows,
                    iso,
                    &bar,
                    &state,
                    &progress,
                )
                .await
                {
                    Ok(rows) => rows,
                    Err(e) => {
                        progress.chunk_failed(&name);
                        return Err(format!("copying {name} chunk {}: {e}", job.chunk.id).into());
                    }
                };
                progress.chunk_done(&name, rows);
                if let Some(t) = &throttle {
                    t.admit(rows).await;
                }
                copied += rows;
            }
            Ok::<_, BoxError>(copied)
        }));
    }
    let mut copied = 0;
    let mut first_error = None;
    for w in workers {
        match w.await? {
            Ok(rows) => copied += rows,
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
    Ok(copied)
}

#[allow(clippy::too_many_arguments)]
async fn copy_chunk(
    client: &mut MssqlClient,
    target: &mut mysql_async::Conn,
    st: &SnapshotTable,
    target_name: &str,
    written: &[usize],
    chunk: Chunk,
    page_rows: usize,
    iso: Isolation,
    bar: &ProgressBar,
    state: &ChunkCheckpoints,
    progress: &super::progress::LoadProgress,
) -> Result<u64, BoxError> {
    let id = chunk.id;
    let keyless = st.key.is_empty();
    let mut reader = ChunkReader::begin(client, st, chunk.clone(), page_rows, iso).await?;
    let mut tx = target
        .start_transaction(mysql_async::TxOpts::default())
        .await?;
    if keyless {
        // A keyless table is one chunk: replace it whole, so a re-run after a
        // crash cannot duplicate rows.
        tx.query_drop(format!("DELETE FROM {target_name}")).await?;
    }
    let mut rows = 0u64;
    let mut first_key: Option<Vec<Value>> = None;
    let mut duplicate: Option<String> = None;
    'pages: while let Some(page) = reader.next_page().await? {
        if first_key.is_none() && !keyless {
            first_key = page
                .first()
                .map(|r| st.key.iter().map(|&i| r[i].clone()).collect());
        }
        // Plain INSERTs, never an upsert: `ON DUPLICATE KEY UPDATE` matches
        // *any* unique key, and a target key the source does not enforce
        // (a filtered unique index, say) would silently merge distinct rows.
        let columns: Vec<(&str, usize)> = written
            .iter()
            .map(|&i| (st.columns[i].0.as_str(), i))
            .collect();
        for stmt in insert_statements(target_name, &columns, &page)? {
            progress.sent(stmt.len());
            match tx.query_drop(stmt).await {
                Ok(()) => {}
                Err(mysql_async::Error::Server(e)) if e.code == ER_DUP_ENTRY => {
                    duplicate = Some(key_name_of(&e.message));
                    break 'pages;
                }
                Err(e) => return Err(e.into()),
            }
        }
        rows += page.len() as u64;
        bar.inc(page.len() as u64);
    }
    reader.finish().await?;
    let Some(key) = duplicate else {
        tx.commit().await?;
        // Only now is the chunk on the target; a crash before this line re-runs it.
        state.mark_done(&st.table.to_string(), id, rows)?;
        return Ok(rows);
    };
    tx.rollback().await?;
    // Either an earlier run committed this chunk and died before marking it
    // (its first row is on the target), or a source row breaks a unique key
    // of the converted schema: never merge, say which.
    let already = match &first_key {
        Some(k) => {
            let key: Vec<(&str, &Value)> = st
                .key
                .iter()
                .zip(k)
                .map(|(&i, v)| (st.columns[i].0.as_str(), v))
                .collect();
            row_exists(target, target_name, &key).await?
        }
        None => false,
    };
    if already {
        state.mark_done(&st.table.to_string(), id, 0)?;
        return Ok(0);
    }
    Err(format!(
        "rows of {} conflict on unique key {key} of the target table {target_name}, although the \
         source accepts them: the converted schema is stricter than the source (a filtered unique \
         index made a plain one?). Nothing of this chunk was written; fix or drop that key on the \
         target and run migrate again",
        st.table
    )
    .into())
}

/// The key named in a duplicate-entry message (`… for key 'name'`), without the
/// duplicated value, which may be patient data.
fn key_name_of(message: &str) -> String {
    message
        .rsplit_once("for key")
        .map(|(_, k)| k.trim().trim_matches(|c| c == '\'' || c == '`').to_string())
        .unwrap_or_else(|| "(unnamed)".into())
}
