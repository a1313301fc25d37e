//! The live CDC reader: an engine [`Source`] over SQL Server's CDC functions.
//!
//! Every statement here follows Microsoft's documentation of the function it calls:
//! - `sys.fn_cdc_get_max_lsn()`: the highest LSN in the change tables
//!   (<https://learn.microsoft.com/sql/relational-databases/system-functions/sys-fn-cdc-get-max-lsn-transact-sql>);
//! - `sys.fn_cdc_get_min_lsn(capture_instance)`: the lowest LSN still retained
//!   for an instance, `0x00…` when it does not exist
//!   (<https://learn.microsoft.com/sql/relational-databases/system-functions/sys-fn-cdc-get-min-lsn-transact-sql>);
//! - `cdc.fn_cdc_get_all_changes_<capture_instance>(from, to, N'all update old')`:
//!   every change in `[from, to]`, updates as before/after pairs; `from`
//!   below the instance's minimum or `to` above the maximum is error 313,
//!   which the retention check prevents
//!   (<https://learn.microsoft.com/sql/relational-databases/system-functions/cdc-fn-cdc-get-all-changes-capture-instance-transact-sql>);
//! - `cdc.lsn_time_mapping` and `sys.fn_cdc_map_lsn_to_time(lsn)`: one row
//!   per committed transaction with changes, and its commit time in server
//!   local time (<https://learn.microsoft.com/sql/relational-databases/system-tables/cdc-lsn-time-mapping-transact-sql>,
//!   <https://learn.microsoft.com/sql/relational-databases/system-functions/sys-fn-cdc-map-lsn-to-time-transact-sql>);
//! - `cdc.change_tables`, `cdc.captured_columns`, `cdc.index_columns`: the
//!   capture instances, their columns and the key columns they identify rows by
//!   (<https://learn.microsoft.com/sql/relational-databases/system-tables/cdc-change-tables-transact-sql>).
//!
//! Not confirmed from documentation (needs a real server to pin): whether
//! `cdc.lsn_time_mapping` rows with `tran_id = 0x00` can carry change rows
//! (they are read like any other commit, so nothing is lost either way),
//! and the Agent status check needs `VIEW SERVER STATE` (a warning otherwise).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use sluice_engine::event::TableRef;
use sluice_engine::pipeline::{Source, SourceItem};
use sluice_engine::position::SourcePosition;
use sluice_engine::schema::SourceType;
use sluice_engine::value::Value;
use tiberius::{ColumnData, Query};

use super::assemble::{
    assemble, end_of, instance_switch, resume_from, Assembled, CdcRow, CdcTable,
};
use super::lsn::Lsn;
use super::window::{
    check_coverage, check_retention, plan_window, split_by_instance, switch_in, CaptureInstance,
    Plan, Window,
};
use crate::catalog::{self, int_of, text_of};
use crate::config::MssqlConfig;
use crate::connect::{connect, quote_ident, MssqlClient};
use crate::decode::{decode_row, select_expr};
use crate::error::{Error, Result};
use crate::sink::CURSOR_TABLE;

/// How the CDC source reads.
#[derive(Debug, Clone)]
pub struct CdcSourceConfig {
    /// Tables to capture; each must have at least one capture instance.
    pub tables: Vec<TableRef>,
    /// Most transactions read in one window (bounds memory).
    pub max_tx_per_window: usize,
    /// Wait between polls when nothing changed.
    pub poll_interval: Duration,
    /// Longest time without an item: a heartbeat is sent when idle this long.
    pub heartbeat: Duration,
}

impl Default for CdcSourceConfig {
    fn default() -> Self {
        CdcSourceConfig {
            tables: Vec::new(),
            max_tx_per_window: 1_000,
            poll_interval: Duration::from_millis(500),
            heartbeat: Duration::from_secs(5),
        }
    }
}

/// One capture instance with the columns it captured.
struct Instance {
    info: CaptureInstance,
    table: CdcTable,
    /// Declared types of the captured columns (from the source table's catalog).
    types: Vec<Option<SourceType>>,
}

/// Reads SQL Server CDC in commit order.
pub struct MssqlCdcSource {
    cfg: MssqlConfig,
    opts: CdcSourceConfig,
    client: Option<MssqlClient>,
    /// Per captured table (the cursor table last, when CDC-enabled): its instances.
    tables: Vec<(TableRef, Vec<Instance>)>,
    next_from: Option<Lsn>,
    buffer: VecDeque<SourceItem>,
    last_item: Instant,
}

/// The current `sys.fn_cdc_get_max_lsn()`: record it before a snapshot as
/// the low watermark and start capture from [`end_of`] it.
pub async fn current_max_lsn(client: &mut MssqlClient) -> Result<Lsn> {
    let r = catalog::query(
        client,
        "sys.fn_cdc_get_max_lsn",
        "SELECT sys.fn_cdc_get_max_lsn()",
    )
    .await?;
    lsn_of(r.first().and_then(|r| r.first()))
}

fn lsn_of(v: Option<&Value>) -> Result<Lsn> {
    match v {
        Some(Value::Bytes(b)) => Lsn::from_bytes(b),
        _ => None,
    }
    .ok_or_else(|| {
        Error::Unsupported("CDC returned no LSN: is CDC enabled on this database?".into())
    })
}

fn lsn_param(l: Lsn) -> ColumnData<'static> {
    ColumnData::Binary(Some(l.0.to_vec().into()))
}

/// Microseconds since the Unix epoch of a server-local `datetime`, given
/// the server's offset from UTC in minutes.
pub fn local_to_unix_us(v: &Value, utc_offset_min: i64) -> Option<i64> {
    let Value::DateTime(dt) = v else { return None };
    let ticks = dt.total_ticks() - 719_162i128 * sluice_engine::value::TICKS_PER_DAY as i128;
    Some((ticks / 10) as i64 - utc_offset_min * 60_000_000)
}

impl MssqlCdcSource {
    /// A source over the database `cfg` connects to.
    pub fn new(cfg: MssqlConfig, opts: CdcSourceConfig) -> Self {
        MssqlCdcSource {
            cfg,
            opts,
            client: None,
            tables: Vec::new(),
            next_from: None,
            buffer: VecDeque::new(),
            last_item: Instant::now(),
        }
    }

    async fn client(&mut self) -> Result<&mut MssqlClient> {
        if self.client.is_none() {
            self.client = Some(connect(&self.cfg).await?);
        }
        Ok(self.client.as_mut().expect("connected"))
    }

    /// Checks CDC is on, warns about the Agent, and loads capture instances.
    async fn load(&mut self) -> Result<()> {
        let c = self.client().await?;
        let r = catalog::query(
            c,
            "check CDC",
            "SELECT is_cdc_enabled, DB_NAME() FROM sys.databases WHERE database_id = DB_ID()",
        )
        .await?;
        if r.first().map(|r| int_of(&r[0])) != Some(1) {
            let db = r.first().map(|r| text_of(&r[1])).unwrap_or_default();
            return Err(Error::Unsupported(format!(
                "CDC is not enabled on database {db}: run EXEC sys.sp_cdc_enable_db, then sys.sp_cdc_enable_table for each table"
            )));
        }
        match catalog::query(
            c,
            "check SQL Server Agent",
            "SELECT status_desc FROM sys.dm_server_services WHERE servicename LIKE N'SQL Server Agent%'",
        )
        .await
        {
            Ok(rows) if rows.first().map(|r| text_of(&r[0])) == Some("Running".into()) => {}
            Ok(_) => tracing::warn!("SQL Server Agent is not running: CDC capture jobs are stopped and no changes will arrive"),
            Err(_) => tracing::warn!("cannot check whether SQL Server Agent runs (needs VIEW SERVER STATE); CDC needs it"),
        }
        let flavor = catalog::flavor(c).await?;
        let catalog_tables = catalog::read_tables(c, flavor).await?;
        let instances = catalog::query(
            c,
            "capture instances (cdc.change_tables)",
            "SELECT OBJECT_SCHEMA_NAME(ct.source_object_id), OBJECT_NAME(ct.source_object_id), ct.capture_instance, \
             ct.start_lsn, ct.object_id FROM cdc.change_tables ct ORDER BY ct.start_lsn",
        )
        .await?;
        let columns = catalog::query(
            c,
            "captured columns (cdc.captured_columns)",
            "SELECT object_id, column_name FROM cdc.captured_columns ORDER BY object_id, column_ordinal",
        )
        .await?;
        let keys = catalog::query(
            c,
            "key columns (cdc.index_columns)",
            "SELECT object_id, column_name FROM cdc.index_columns ORDER BY object_id, index_ordinal",
        )
        .await?;
        let mut cols_by: HashMap<i64, Vec<String>> = HashMap::new();
        for r in columns {
            cols_by
                .entry(int_of(&r[0]))
                .or_default()
                .push(text_of(&r[1]));
        }
        let mut keys_by: HashMap<i64, Vec<String>> = HashMap::new();
        for r in keys {
            keys_by
                .entry(int_of(&r[0]))
                .or_default()
                .push(text_of(&r[1]));
        }
        let mut wanted = self.opts.tables.clone();
        let cursor = TableRef::new("dbo", CURSOR_TABLE);
        wanted.push(cursor.clone());
        let mut tables = Vec::new();
        for t in wanted {
            let is_cursor = t == cursor;
            let mut list = Vec::new();
            for r in &instances {
                if !(text_of(&r[0]).eq_ignore_ascii_case(&t.schema)
                    && text_of(&r[1]).eq_ignore_ascii_case(&t.name))
                {
                    continue;
                }
                let obj = int_of(&r[4]);
                let cols = cols_by.get(&obj).cloned().unwrap_or_default();
                let key_names = keys_by.get(&obj).cloned().unwrap_or_default();
                let key: Vec<u16> = if key_names.is_empty() {
                    (0..cols.len() as u16).collect()
                } else {
                    key_names
                        .iter()
                        .filter_map(|k| {
                            cols.iter()
                                .position(|c| c.eq_ignore_ascii_case(k))
                                .map(|p| p as u16)
                        })
                        .collect()
                };
                let src = catalog_tables.iter().find(|ct| {
                    ct.name.schema_or_dbo().eq_ignore_ascii_case(&t.schema)
                        && ct.name.name.eq_ignore_ascii_case(&t.name)
                });
                let types = cols
                    .iter()
                    .map(|c| {
                        src.and_then(|s| s.column(c))
                            .and_then(|c| c.data_type.clone())
                    })
                    .collect();
                list.push(Instance {
                    info: CaptureInstance {
                        name: text_of(&r[2]),
                        start_lsn: lsn_of(r.get(3))?,
                    },
                    table: CdcTable {
                        table: t.clone(),
                        columns: cols.into(),
                        key: key.into(),
                        is_cursor,
                    },
                    types,
                });
            }
            if list.is_empty() {
                if is_cursor {
                    continue; // no reverse sink has written here with CDC on: nothing to filter
                }
                return Err(Error::Unsupported(format!(
                    "table {t} has no CDC capture instance: run EXEC sys.sp_cdc_enable_table for it"
                )));
            }
            tables.push((t, list));
        }
        self.tables = tables;
        Ok(())
    }

    /// The capture instances the server has now, as `schema.table/instance` names.
    async fn instance_names(&mut self) -> Result<Vec<String>> {
        let c = self.client().await?;
        let rows = catalog::query(
            c,
            "capture instances (cdc.change_tables)",
            "SELECT OBJECT_SCHEMA_NAME(source_object_id) + N'.' + OBJECT_NAME(source_object_id) + N'/' + capture_instance \
             FROM cdc.change_tables",
        )
        .await?;
        let mut names: Vec<String> = rows.iter().map(|r| text_of(&r[0]).to_lowercase()).collect();
        names.sort();
        Ok(names)
    }

    fn loaded_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tables
            .iter()
            .flat_map(|(t, list)| {
                list.iter()
                    .map(move |i| format!("{}.{}/{}", t.schema, t.name, i.info.name).to_lowercase())
            })
            .collect();
        names.sort();
        names
    }

    async fn poll(&mut self) -> Result<bool> {
        let max_tx = self.opts.max_tx_per_window;
        let next_from = self.next_from.expect("started");
        // A DBA adds a second capture instance after a schema change: pick it
        // up at once, or the new columns would be read from the old instance
        // (which does not capture them) until a restart.
        let relevant: Vec<String> = self
            .opts
            .tables
            .iter()
            .map(|t| format!("{}.{}", t.schema, t.name).to_lowercase())
            .chain(std::iter::once(format!("dbo.{CURSOR_TABLE}")))
            .collect();
        let current: Vec<String> = self
            .instance_names()
            .await?
            .into_iter()
            .filter(|n| {
                n.split('/')
                    .next()
                    .is_some_and(|t| relevant.iter().any(|r| r == t))
            })
            .collect();
        if current != self.loaded_names() {
            self.load().await?;
        }
        let c = self.client().await?;
        let r = catalog::query(
            c,
            "poll max LSN",
            "SELECT sys.fn_cdc_get_max_lsn(), DATEDIFF(minute, SYSUTCDATETIME(), SYSDATETIME()), SYSUTCDATETIME()",
        )
        .await?;
        let max_lsn = lsn_of(r.first().and_then(|r| r.first()))?;
        let utc_offset = r.first().map(|r| int_of(&r[1])).unwrap_or(0);
        // Heartbeats carry the server's clock, not ours: lag is measured in source time.
        let server_now = r
            .first()
            .and_then(|r| local_to_unix_us(&r[2], 0))
            .unwrap_or_else(now_us);
        let mut q = Query::new(format!(
            "SELECT TOP ({}) start_lsn, sys.fn_cdc_map_lsn_to_time(start_lsn) FROM cdc.lsn_time_mapping \
             WHERE start_lsn >= @P1 AND start_lsn <= @P2 ORDER BY start_lsn",
            max_tx + 1
        ));
        q.bind(lsn_param(next_from));
        q.bind(lsn_param(max_lsn));
        let rows = q
            .query(c)
            .await
            .map_err(|e| Error::query("read cdc.lsn_time_mapping", e))?
            .into_first_result()
            .await
            .map_err(|e| Error::query("read cdc.lsn_time_mapping", e))?;
        let mut commits = Vec::new();
        let mut times = HashMap::new();
        for row in &rows {
            let v = decode_row(row, &[])?;
            let l = lsn_of(v.first())?;
            commits.push(l);
            if let Some(t) = v.get(1).and_then(|t| local_to_unix_us(t, utc_offset)) {
                times.insert(l, t);
            }
        }
        let w = match plan_window(next_from, max_lsn, &commits, max_tx) {
            Plan::Idle { up_to } => {
                if up_to >= next_from {
                    self.next_from = Some(up_to.increment());
                }
                if self.last_item.elapsed() >= self.opts.heartbeat {
                    let at = self.next_from.expect("set").decrement();
                    self.buffer.push_back(SourceItem::Heartbeat {
                        position: SourcePosition::Mssql(end_of(at)),
                        at_us: server_now,
                    });
                    return Ok(true);
                }
                return Ok(false);
            }
            Plan::Read(w) => w,
        };
        let mut cdc_tables = Vec::new();
        let mut rows_out = Vec::new();
        let mut switches = Vec::new();
        for (t, instances) in &self.tables {
            let infos: Vec<CaptureInstance> = instances.iter().map(|i| i.info.clone()).collect();
            // The cursor table is CDC-enabled by the sink before its first
            // write, so a young instance there hides nothing.
            if !instances[0].table.is_cursor {
                check_coverage(&t.to_string(), &infos, w.from).map_err(Error::Unsupported)?;
            }
            if let Some((new, at)) = switch_in(&infos, w) {
                let old = infos
                    .iter()
                    .filter(|i| i.start_lsn < at)
                    .max_by_key(|i| i.start_lsn)
                    .map(|i| i.name.clone())
                    .unwrap_or_default();
                switches.push(instance_switch(
                    t,
                    &old,
                    &infos[new].name,
                    at,
                    times.get(&at).copied().unwrap_or_else(now_us),
                ));
            }
            for (idx, sub) in split_by_instance(&infos, w) {
                let inst = &instances[idx];
                let c = self.client.as_mut().expect("connected");
                read_instance(c, t, inst, sub, cdc_tables.len(), &mut rows_out).await?;
                cdc_tables.push(inst.table.clone());
            }
        }
        let assembled = assemble(&cdc_tables, rows_out, &times).map_err(Error::Unsupported)?;
        let mut items: Vec<(sluice_engine::position::MssqlPosition, SourceItem)> = switches
            .into_iter()
            .map(|tx| {
                let SourcePosition::Mssql(p) = tx.position else {
                    unreachable!("mssql position")
                };
                (p, SourceItem::Transaction(tx))
            })
            .collect();
        for a in assembled {
            if let Assembled::Transaction(tx) = a {
                let SourcePosition::Mssql(p) = tx.position else {
                    unreachable!("mssql position")
                };
                items.push((p, SourceItem::Transaction(tx)));
            }
        }
        items.sort_by_key(|a| a.0);
        self.buffer.extend(items.into_iter().map(|(_, i)| i));
        // Everything up to the window's end is read, including sluice's own
        // (dropped) transactions: say so, so a restart does not re-read them.
        self.buffer.push_back(SourceItem::Heartbeat {
            position: SourcePosition::Mssql(end_of(w.to)),
            at_us: server_now,
        });
        self.next_from = Some(w.to.increment());
        Ok(true)
    }
}

/// Reads one capture instance's changes in `w` into `out` (tagged `table_idx`).
async fn read_instance(
    c: &mut MssqlClient,
    t: &TableRef,
    inst: &Instance,
    w: Window,
    table_idx: usize,
    out: &mut Vec<CdcRow>,
) -> Result<()> {
    let r = {
        let mut q = Query::new("SELECT sys.fn_cdc_get_min_lsn(@P1)");
        q.bind(inst.info.name.clone());
        q.query(c)
            .await
            .map_err(|e| Error::query("sys.fn_cdc_get_min_lsn", e))?
            .into_row()
            .await
            .map_err(|e| Error::query("sys.fn_cdc_get_min_lsn", e))?
    };
    let min = match r {
        Some(row) => lsn_of(decode_row(&row, &[])?.first())?,
        None => Lsn::ZERO,
    };
    check_retention(&t.to_string(), &inst.info.name, w.from, min).map_err(Error::Unsupported)?;
    let select: Vec<String> = inst
        .table
        .columns
        .iter()
        .zip(&inst.types)
        .map(|(n, ty)| select_expr(n, ty.as_ref()))
        .collect();
    let func = format!(
        "cdc.{}",
        quote_ident(&format!("fn_cdc_get_all_changes_{}", inst.info.name))
    );
    let mut q = Query::new(format!(
        "SELECT __$start_lsn, __$seqval, __$operation{}{} FROM {func}(@P1, @P2, N'all update old')",
        if select.is_empty() { "" } else { ", " },
        select.join(", ")
    ));
    q.bind(lsn_param(w.from));
    q.bind(lsn_param(w.to));
    let rows = q
        .query(c)
        .await
        .map_err(|e| Error::query(format!("read changes of {t} ({})", inst.info.name), e))?
        .into_first_result()
        .await
        .map_err(|e| Error::query(format!("read changes of {t} ({})", inst.info.name), e))?;
    let mut declared: Vec<Option<&SourceType>> = vec![None, None, None];
    declared.extend(inst.types.iter().map(|t| t.as_ref()));
    for row in rows {
        let mut v = decode_row(&row, &declared)?;
        let values = v.split_off(3);
        out.push(CdcRow {
            table: table_idx,
            start_lsn: lsn_of(v.first())?,
            seqval: lsn_of(v.get(1))?,
            operation: int_of(&v[2]) as u8,
            values,
        });
    }
    Ok(())
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

impl Source for MssqlCdcSource {
    async fn start(&mut self, from: Option<&SourcePosition>) -> sluice_engine::Result<()> {
        let r: Result<()> = async {
            self.buffer.clear();
            self.load().await?;
            self.next_from = Some(match from {
                Some(SourcePosition::Mssql(p)) => resume_from(p),
                Some(other) => {
                    return Err(Error::Unsupported(format!(
                        "a SQL Server CDC source cannot resume from {other}"
                    )))
                }
                None => {
                    let c = self.client().await?;
                    current_max_lsn(c).await?.increment()
                }
            });
            self.last_item = Instant::now();
            Ok(())
        }
        .await;
        r.map_err(|e| {
            self.client = None;
            e.into_source()
        })
    }

    async fn next(&mut self) -> sluice_engine::Result<SourceItem> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                self.last_item = Instant::now();
                return Ok(item);
            }
            if self.next_from.is_none() {
                return Err(sluice_engine::Error::source_fatal(
                    "CDC source used before start",
                ));
            }
            match self.poll().await {
                Ok(true) => continue,
                Ok(false) => tokio::time::sleep(self.opts.poll_interval).await,
                Err(e) => {
                    self.client = None;
                    self.buffer.clear();
                    return Err(e.into_source());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_engine::value::{Date, DateTime, Time};

    #[test]
    fn commit_times_convert_from_server_local_time() {
        let v = Value::DateTime(DateTime {
            date: Date::from_ymd(1970, 1, 1).unwrap(),
            time: Time::from_hms_ticks(2, 0, 0, 30).unwrap(),
        });
        // A server two hours east of UTC: 02:00 local is the epoch.
        assert_eq!(local_to_unix_us(&v, 120), Some(3));
        assert_eq!(local_to_unix_us(&v, 0), Some(7_200_000_003));
        assert_eq!(local_to_unix_us(&Value::Null, 0), None);
    }
}
