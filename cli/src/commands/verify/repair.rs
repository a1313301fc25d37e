//! `--apply-repair` with a migration file: the repair goes through the
//! normal OceanBase sink, as log records of a pipeline of its own
//! (`<migration>-repair-<unix time>`). The sink writes that pipeline's
//! cursor row in the same transaction as the repaired rows, so a reverse
//! binlog source drops the repair like any other sluice write (loop
//! prevention by the cursor table), and a repair whose commit was lost is
//! not applied twice.

use std::sync::Arc;

use sluice_engine::event::{Change, ChangeEvent, RowOp, Transaction};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::Sink;
use sluice_engine::position::SourcePosition;
use sluice_engine::verify::{RowDiff, TableReport, TableSpec};
use sluice_oceanbase::config::TableNaming;
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink};

use crate::config::MigrationConfig;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The row changes that make the target's rows of `spec` match the source
/// (`source` is the truth): inserts for missing rows, updates for changed
/// ones, deletes for extra ones. Events name the *target* table.
pub fn repair_changes(spec: &TableSpec, diffs: &[RowDiff]) -> Vec<Change> {
    let columns: Arc<[String]> = spec.columns.iter().map(|c| c.name.clone()).collect();
    let key: Arc<[u16]> = spec.effective_key().iter().map(|&i| i as u16).collect();
    let event = |op| {
        Change::Row(ChangeEvent {
            table: spec.target.clone(),
            columns: columns.clone(),
            key: key.clone(),
            op,
        })
    };
    let mut out = Vec::new();
    for d in diffs {
        match d {
            RowDiff::Missing { source, copies, .. } => {
                for _ in 0..*copies {
                    out.push(event(RowOp::Insert {
                        after: source.clone(),
                    }));
                }
            }
            RowDiff::Extra { target, copies, .. } => {
                for _ in 0..*copies {
                    out.push(event(RowOp::Delete {
                        before: target.clone(),
                    }));
                }
            }
            RowDiff::Changed { source, target, .. } => out.push(event(RowOp::Update {
                before: target.clone(),
                after: source.clone(),
            })),
        }
    }
    out
}

/// What was applied.
pub struct Applied {
    pub pipeline: String,
    pub records: usize,
    pub rows: usize,
}

/// Applies the repair of every differing table through the sink: one log
/// record (one target transaction, with the cursor) per table.
pub async fn apply_through_sink(
    cfg: &MigrationConfig,
    target_url: &str,
    tables: &[TableReport],
) -> Result<Applied, BoxError> {
    let now = crate::commands::journey::state::now_unix();
    let pipeline = format!("{}-repair-{now}", cfg.migration.name);
    let mut records = Vec::new();
    let mut rows = 0;
    for t in tables {
        let Some(o) = t.outcome.as_ref().filter(|o| !o.is_clean()) else {
            continue;
        };
        let changes = repair_changes(&t.spec, &o.diffs);
        rows += changes.len();
        let seq = records.len() as u64 + 1;
        records.push(LogRecord {
            seq,
            tx: Transaction {
                source_id: Some(format!("verify repair of {}", t.spec.target)),
                position: SourcePosition::Counter(seq),
                commit_time_us: now * 1_000_000,
                changes,
            },
        });
    }
    if records.is_empty() {
        return Ok(Applied {
            pipeline,
            records: 0,
            rows: 0,
        });
    }
    let mut oc = OceanBaseConfig::new(target_url);
    // Events already carry the target's database and table.
    oc.naming = TableNaming::SchemaAsDatabase;
    oc.lanes = 1;
    oc.control_database = format!("sluice_{}", cfg.migration.name.replace('-', "_"));
    let mut sink = OceanBaseSink::new(oc);
    // Each record is applied and committed with the cursor on its own: a
    // table's repair is all or nothing.
    for r in &records {
        sink.apply(&pipeline, std::slice::from_ref(r))
            .await
            .map_err(|e| format!("repair of {} through the sink: {e}", describe(r)))?;
    }
    Ok(Applied {
        pipeline,
        records: records.len(),
        rows,
    })
}

fn describe(r: &LogRecord) -> String {
    r.tx.source_id.clone().unwrap_or_default()
}
