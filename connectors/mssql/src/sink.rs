//! The reverse sink: applies log records to SQL Server exactly once.
//!
//! One [`Sink::apply`] call is one SQL Server transaction holding every row
//! change of the batch *and* the `sluice_apply_cursor` row, so the cursor
//! read back by [`Sink::read_cursor`] always names exactly what committed.
//! Rows are written with parameterised statements only; identifiers come
//! from the target's own catalog and are bracket-quoted.
//!
//! Upsert by key is `UPDATE …; IF @@ROWCOUNT = 0 INSERT …` rather than
//! `MERGE`: Babelfish has no MERGE (its README, trap 5), and on SQL Server the
//! two are equivalent for a single writer inside one transaction. Several
//! statements go to the server in one RPC (bounded by SQL Server's 2,100
//! parameter limit) so a batch costs few round trips.
//!
//! Not used here, on purpose: bulk insert (Babelfish corrupts DECIMAL sent
//! through it, trap 2) and temporary tables (Babelfish's FK checks break
//! after a temp table in the same session, trap 1).

use std::collections::HashMap;
use std::sync::Arc;

use sluice_engine::event::{Change, ChangeEvent, RowOp, TableRef};
use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::{ApplyCursor, Sink};
use sluice_engine::position::SourcePosition;
use sluice_engine::schema::{SourceType, Table};
use sluice_engine::value::Value;
use tiberius::{ColumnData, Query};

use crate::catalog::{self, int_of, text_of};
use crate::config::MssqlConfig;
use crate::connect::{connect, exec_batch, quote_ident, quote_table, MssqlClient};
use crate::encode::{encode, param_sql};
use crate::error::{Error, Result};

/// Name of the cursor table (in schema `dbo` of the target database).
pub const CURSOR_TABLE: &str = "sluice_apply_cursor";

/// Parameters per RPC; SQL Server allows 2,100.
const MAX_PARAMS: usize = 2_000;

/// Maps a source table to the target table it is applied to.
pub type TableMapper = Arc<dyn Fn(&TableRef) -> TableRef + Send + Sync>;

/// One target column as the sink needs it.
#[derive(Debug, Clone)]
pub struct TargetColumn {
    pub name: String,
    pub ty: Option<SourceType>,
    pub identity: bool,
    /// False for computed and rowversion columns, which the server fills.
    pub writable: bool,
}

/// A target table: its quoted name and columns, looked up by lower-case name.
#[derive(Debug, Clone)]
pub struct TargetTable {
    pub quoted: String,
    pub has_unique_key: bool,
    pub columns: HashMap<String, TargetColumn>,
}

impl TargetTable {
    /// Builds the sink's view of a catalog table.
    pub fn from_catalog(t: &Table) -> Self {
        let columns = t
            .columns
            .iter()
            .map(|c| {
                let rowversion = c
                    .data_type
                    .as_ref()
                    .is_some_and(|t| matches!(t.name.as_str(), "rowversion" | "timestamp"));
                (
                    c.name.to_lowercase(),
                    TargetColumn {
                        name: c.name.clone(),
                        ty: c.data_type.clone(),
                        identity: c.identity.is_some(),
                        writable: c.computed.is_none() && !rowversion,
                    },
                )
            })
            .collect();
        TargetTable {
            quoted: quote_table(t.name.schema_or_dbo(), &t.name.name),
            // A primary key, or a unique key over NOT NULL columns: either
            // makes "already there" decidable, so apply can be an upsert.
            has_unique_key: !crate::snapshot::SnapshotTable::from_catalog(t)
                .key
                .is_empty(),
            columns,
        }
    }
}

/// A batch of statements sent as one parameterised RPC.
#[derive(Default)]
pub struct StatementBatch {
    pub sql: String,
    pub params: Vec<ColumnData<'static>>,
}

impl StatementBatch {
    fn param(&mut self, cd: ColumnData<'static>) -> String {
        self.params.push(cd);
        format!("@P{}", self.params.len())
    }

    fn is_empty(&self) -> bool {
        self.sql.is_empty()
    }
}

/// A column of an event resolved against the target.
struct Resolved<'a> {
    col: &'a TargetColumn,
    idx: usize,
}

fn resolve<'a>(table: &'a TargetTable, ev: &ChangeEvent) -> Result<Vec<Resolved<'a>>> {
    ev.columns
        .iter()
        .enumerate()
        .map(|(idx, name)| {
            table
                .columns
                .get(&name.to_lowercase())
                .map(|col| Resolved { col, idx })
                .ok_or_else(|| {
                    Error::Unsupported(format!(
                        "{}: column {name} of the change stream does not exist in the target table",
                        table.quoted
                    ))
                })
        })
        .collect()
}

/// `@Pn` for a value written to or compared with `col` (see [`param_sql`]).
///
/// A NULL is the keyword `NULL`, not a parameter: tiberius sends untyped
/// NULL parameters for most types as TDS NULLTYPE (0x1F), which Babelfish
/// rejects (error 8009), and the keyword converts to every column type.
fn value_expr(
    b: &mut StatementBatch,
    col: &TargetColumn,
    v: &Value,
    compared: bool,
) -> Result<String> {
    if v.is_null() {
        return Ok("NULL".into());
    }
    let p = b.param(encode(&col.name, v, col.ty.as_ref())?);
    Ok(if compared {
        param_sql(&p, col.ty.as_ref())
    } else {
        p
    })
}

/// `[k1] = @P1 AND [k2] IS NULL …` for the key values of `image`.
fn key_predicate(
    b: &mut StatementBatch,
    cols: &[Resolved<'_>],
    key: &[u16],
    image: &[Value],
) -> Result<String> {
    let mut parts = Vec::with_capacity(key.len());
    for &k in key {
        let r = &cols[k as usize];
        let v = &image[r.idx];
        if v.is_null() {
            parts.push(format!("{} IS NULL", quote_ident(&r.col.name)));
        } else {
            parts.push(format!(
                "{} = {}",
                quote_ident(&r.col.name),
                value_expr(b, r.col, v, true)?
            ));
        }
    }
    Ok(parts.join(" AND "))
}

/// `[c] = @Pn, …` for the writable, non-identity columns `pick` selects.
fn set_list(
    b: &mut StatementBatch,
    cols: &[Resolved<'_>],
    image: &[Value],
    pick: impl Fn(usize) -> bool,
) -> Result<String> {
    let mut parts = Vec::new();
    for (i, r) in cols.iter().enumerate() {
        if r.col.writable && !r.col.identity && pick(i) {
            parts.push(format!(
                "{} = {}",
                quote_ident(&r.col.name),
                value_expr(b, r.col, &image[r.idx], false)?
            ));
        }
    }
    Ok(parts.join(", "))
}

/// `INSERT` of every writable column, wrapped in `SET IDENTITY_INSERT` when
/// an identity column is written (at most one table per session may have it
/// ON, so it is switched off again at once).
fn insert_stmt(
    b: &mut StatementBatch,
    table: &TargetTable,
    cols: &[Resolved<'_>],
    image: &[Value],
) -> Result<String> {
    let mut names = Vec::new();
    let mut vals = Vec::new();
    let mut identity = false;
    for r in cols.iter().filter(|r| r.col.writable) {
        identity |= r.col.identity;
        names.push(quote_ident(&r.col.name));
        vals.push(value_expr(b, r.col, &image[r.idx], false)?);
    }
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({});",
        table.quoted,
        names.join(", "),
        vals.join(", ")
    );
    Ok(if identity {
        format!(
            "SET IDENTITY_INSERT {t} ON; {insert} SET IDENTITY_INSERT {t} OFF;",
            t = table.quoted
        )
    } else {
        insert
    })
}

/// Upsert of `image` by its key: update in place, insert when absent.
fn upsert(
    b: &mut StatementBatch,
    table: &TargetTable,
    cols: &[Resolved<'_>],
    key: &[u16],
    image: &[Value],
) -> Result<()> {
    if !table.has_unique_key {
        // Without a key, "already there" cannot be told from "a legitimate
        // duplicate": insert, and rely on the cursor for exactly-once.
        let ins = insert_stmt(b, table, cols, image)?;
        b.sql.push_str(&ins);
        b.sql.push('\n');
        return Ok(());
    }
    let is_key = |i: usize| key.contains(&(i as u16));
    let set = set_list(b, cols, image, |i| !is_key(i))?;
    let pred = key_predicate(b, cols, key, image)?;
    let ins = insert_stmt(b, table, cols, image)?;
    if set.is_empty() {
        b.sql.push_str(&format!(
            "IF NOT EXISTS (SELECT 1 FROM {t} WHERE {pred}) BEGIN {ins} END;\n",
            t = table.quoted
        ));
    } else {
        b.sql.push_str(&format!(
            "UPDATE {t} SET {set} WHERE {pred};\nIF @@ROWCOUNT = 0 BEGIN {ins} END;\n",
            t = table.quoted
        ));
    }
    Ok(())
}

/// Appends the statements that apply one row change.
pub fn build_change(b: &mut StatementBatch, table: &TargetTable, ev: &ChangeEvent) -> Result<()> {
    ev.validate().map_err(Error::Unsupported)?;
    let cols = resolve(table, ev)?;
    let key: &[u16] = &ev.key;
    match &ev.op {
        RowOp::Insert { after } => upsert(b, table, &cols, key, after),
        RowOp::Delete { before } => {
            let pred = key_predicate(b, &cols, key, before)?;
            let top = if table.has_unique_key { "" } else { "TOP (1) " };
            b.sql.push_str(&format!(
                "DELETE {top}FROM {} WHERE {pred};\n",
                table.quoted
            ));
            Ok(())
        }
        RowOp::Update { before, after } => {
            let same_key = key.iter().all(|&k| before[k as usize] == after[k as usize]);
            if same_key || !table.has_unique_key {
                if !table.has_unique_key {
                    // Keyless: replace one matching row.
                    let pred = key_predicate(b, &cols, key, before)?;
                    b.sql.push_str(&format!(
                        "DELETE TOP (1) FROM {} WHERE {pred};\n",
                        table.quoted
                    ));
                }
                return upsert(b, table, &cols, key, after);
            }
            let identity_in_key = key.iter().any(|&k| cols[k as usize].col.identity);
            let old_pred = key_predicate(b, &cols, key, before)?;
            if identity_in_key {
                // An identity column cannot be updated: move the row.
                b.sql
                    .push_str(&format!("DELETE FROM {} WHERE {old_pred};\n", table.quoted));
                return upsert(b, table, &cols, key, after);
            }
            // Key change. If a row with the new key already exists (a replay
            // after this change was applied), it is brought up to date and the
            // stale old-key row removed; otherwise the row is updated in place,
            // so ON UPDATE CASCADE foreign keys follow it.
            let is_key = |i: usize| key.contains(&(i as u16));
            let set_nonkey = set_list(b, &cols, after, |i| !is_key(i))?;
            let new_pred = key_predicate(b, &cols, key, after)?;
            let set_all = set_list(b, &cols, after, |_| true)?;
            let ins = insert_stmt(b, table, &cols, after)?;
            let t = &table.quoted;
            let exists_new = if set_nonkey.is_empty() {
                format!("IF EXISTS (SELECT 1 FROM {t} WHERE {new_pred})")
            } else {
                format!("UPDATE {t} SET {set_nonkey} WHERE {new_pred};\nIF @@ROWCOUNT > 0")
            };
            b.sql.push_str(&format!(
                "{exists_new} DELETE FROM {t} WHERE {old_pred};\nELSE BEGIN UPDATE {t} SET {set_all} WHERE {old_pred}; IF @@ROWCOUNT = 0 BEGIN {ins} END; END;\n"
            ));
            Ok(())
        }
    }
}

/// Encodes a position for the cursor row (JSON: readable by a DBA, exact for sluice).
pub fn position_text(p: &SourcePosition) -> Result<String> {
    serde_json::to_string(p).map_err(|e| Error::Unsupported(format!("cannot encode position: {e}")))
}

fn cursor_ddl() -> String {
    format!(
        "IF OBJECT_ID(N'dbo.{CURSOR_TABLE}', N'U') IS NULL \
         CREATE TABLE dbo.{CURSOR_TABLE} (\
           pipeline nvarchar(200) NOT NULL CONSTRAINT pk_{CURSOR_TABLE} PRIMARY KEY, \
           seq bigint NOT NULL, \
           position nvarchar(max) NOT NULL, \
           applied_at datetime2(7) NOT NULL)"
    )
}

/// Appends the cursor upsert for `pipeline`.
pub fn build_cursor(b: &mut StatementBatch, pipeline: &str, cursor: &ApplyCursor) -> Result<()> {
    let seq = i64::try_from(cursor.seq)
        .map_err(|_| Error::Unsupported("log sequence above 2^63".into()))?;
    let p = b.param(ColumnData::String(Some(pipeline.to_string().into())));
    let s = b.param(ColumnData::I64(Some(seq)));
    let pos = b.param(ColumnData::String(Some(
        position_text(&cursor.position)?.into(),
    )));
    b.sql.push_str(&format!(
        "UPDATE dbo.{CURSOR_TABLE} SET seq = {s}, position = {pos}, applied_at = SYSUTCDATETIME() WHERE pipeline = {p};\n\
         IF @@ROWCOUNT = 0 INSERT INTO dbo.{CURSOR_TABLE} (pipeline, seq, position, applied_at) VALUES ({p}, {s}, {pos}, SYSUTCDATETIME());\n"
    ));
    Ok(())
}

/// Applies OceanBase's changes to SQL Server (the reverse stream after cutover).
pub struct MssqlSink {
    cfg: MssqlConfig,
    client: Option<MssqlClient>,
    tables: HashMap<TableRef, Arc<TargetTable>>,
    mapper: TableMapper,
    cursor_ready: bool,
}

impl MssqlSink {
    /// A sink writing to the database `cfg` connects to. Tables keep their
    /// source schema and name unless [`MssqlSink::with_table_mapper`] says otherwise.
    pub fn new(cfg: MssqlConfig) -> Self {
        MssqlSink {
            cfg,
            client: None,
            tables: HashMap::new(),
            mapper: Arc::new(|t: &TableRef| t.clone()),
            cursor_ready: false,
        }
    }

    /// Maps source tables (e.g. an OceanBase database name) to target schema and name.
    pub fn with_table_mapper(mut self, mapper: TableMapper) -> Self {
        self.mapper = mapper;
        self
    }

    async fn client(&mut self) -> Result<&mut MssqlClient> {
        if self.client.is_none() {
            let mut c = connect(&self.cfg).await?;
            // Any error aborts the whole transaction (no half-applied batch).
            exec_batch(
                &mut c,
                "set session options",
                "SET XACT_ABORT ON; SET NOCOUNT OFF;",
            )
            .await?;
            self.client = Some(c);
        }
        Ok(self.client.as_mut().expect("connected"))
    }

    /// Creates the cursor table when absent; when the database has CDC
    /// enabled, also enables CDC on it so the forward source can see (and
    /// drop) sluice's own transactions. `sys.sp_cdc_enable_table`:
    /// <https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sys-sp-cdc-enable-table-transact-sql>
    async fn ensure_cursor_table(&mut self) -> Result<()> {
        if self.cursor_ready {
            return Ok(());
        }
        let c = self.client().await?;
        if let Err(e) = exec_batch(c, "create sluice_apply_cursor", &cursor_ddl()).await {
            // Two sinks starting at once can both see the table absent; the
            // loser's CREATE fails (SQL Server 2714; Babelfish reports a
            // duplicate in its type catalog). Fine if the table now exists.
            let exists = catalog::query(
                c,
                "check sluice_apply_cursor",
                &format!("SELECT OBJECT_ID(N'dbo.{CURSOR_TABLE}', N'U')"),
            )
            .await
            .ok()
            .and_then(|r| r.first().map(|r| !r[0].is_null()))
            .unwrap_or(false);
            if !exists {
                return Err(e);
            }
        }
        let rows = catalog::query(
            c,
            "check CDC state",
            &format!(
                "SELECT d.is_cdc_enabled, t.is_tracked_by_cdc FROM sys.databases d \
                 CROSS JOIN sys.tables t WHERE d.database_id = DB_ID() AND t.object_id = OBJECT_ID(N'dbo.{CURSOR_TABLE}')"
            ),
        )
        .await
        .unwrap_or_default();
        if let Some(r) = rows.first() {
            if int_of(&r[0]) == 1 && int_of(&r[1]) == 0 {
                exec_batch(
                    c,
                    "enable CDC on sluice_apply_cursor",
                    &format!(
                        "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'{CURSOR_TABLE}', \
                         @role_name = NULL, @supports_net_changes = 0"
                    ),
                )
                .await?;
            }
        }
        self.cursor_ready = true;
        Ok(())
    }

    async fn target(&mut self, source: &TableRef) -> Result<Arc<TargetTable>> {
        let target = (self.mapper)(source);
        if let Some(t) = self.tables.get(&target) {
            return Ok(t.clone());
        }
        let c = self.client().await?;
        let flavor = catalog::flavor(c).await?;
        for t in catalog::read_tables(c, flavor).await? {
            let r = TableRef::new(t.name.schema_or_dbo(), t.name.name.as_str());
            self.tables
                .insert(r, Arc::new(TargetTable::from_catalog(&t)));
        }
        self.tables
            .iter()
            .find(|(k, _)| {
                k.schema.eq_ignore_ascii_case(&target.schema)
                    && k.name.eq_ignore_ascii_case(&target.name)
            })
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                Error::Unsupported(format!(
                    "target table {target} does not exist in SQL Server"
                ))
            })
    }

    async fn send(&mut self, batch: StatementBatch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut q = Query::new(batch.sql);
        for p in batch.params {
            q.bind(p);
        }
        let c = self.client().await?;
        q.execute(c)
            .await
            .map_err(|e| Error::query("apply changes", e))?;
        Ok(())
    }

    async fn apply_inner(&mut self, pipeline: &str, records: &[LogRecord]) -> Result<ApplyCursor> {
        let last = records
            .last()
            .ok_or_else(|| Error::Unsupported("empty batch".into()))?;
        let cursor = ApplyCursor {
            seq: last.seq,
            position: last.tx.position.clone(),
        };
        self.ensure_cursor_table().await?;
        let c = self.client().await?;
        exec_batch(c, "begin transaction", "BEGIN TRANSACTION").await?;
        let mut batch = StatementBatch::default();
        for rec in records {
            for change in &rec.tx.changes {
                match change {
                    Change::Row(ev) => {
                        let table = self.target(&ev.table).await?;
                        build_change(&mut batch, &table, ev)?;
                        if batch.params.len() >= MAX_PARAMS / 2 {
                            self.send(std::mem::take(&mut batch)).await?;
                        }
                    }
                    Change::Schema(s) => {
                        return Err(Error::Unsupported(format!(
                            "log record {}: schema change on {} must be applied to SQL Server by hand before \
                             the reverse stream can continue",
                            rec.seq,
                            s.table.as_ref().map(|t| t.to_string()).unwrap_or_else(|| "the database".into())
                        )));
                    }
                }
            }
        }
        build_cursor(&mut batch, pipeline, &cursor)?;
        self.send(batch).await?;
        let c = self.client().await?;
        exec_batch(c, "commit", "COMMIT TRANSACTION").await?;
        Ok(cursor)
    }
}

impl Sink for MssqlSink {
    async fn read_cursor(&mut self, pipeline: &str) -> sluice_engine::Result<Option<ApplyCursor>> {
        let r: Result<Option<ApplyCursor>> = async {
            self.ensure_cursor_table().await?;
            let c = self.client().await?;
            let mut q = Query::new(format!(
                "SELECT seq, position FROM dbo.{CURSOR_TABLE} WHERE pipeline = @P1"
            ));
            q.bind(pipeline.to_string());
            let row = q
                .query(c)
                .await
                .map_err(|e| Error::query("read apply cursor", e))?
                .into_row()
                .await
                .map_err(|e| Error::query("read apply cursor", e))?;
            let Some(row) = row else { return Ok(None) };
            let v = crate::decode::decode_row(&row, &[])?;
            let position: SourcePosition = serde_json::from_str(&text_of(&v[1])).map_err(|e| {
                Error::Unsupported(format!(
                    "apply cursor of pipeline {pipeline} is unreadable: {e}"
                ))
            })?;
            Ok(Some(ApplyCursor {
                seq: int_of(&v[0]) as u64,
                position,
            }))
        }
        .await;
        r.map_err(|e| {
            self.client = None;
            e.into_sink()
        })
    }

    async fn apply(
        &mut self,
        pipeline: &str,
        records: &[LogRecord],
    ) -> sluice_engine::Result<ApplyCursor> {
        match self.apply_inner(pipeline, records).await {
            Ok(c) => Ok(c),
            Err(e) => {
                // Roll back if the session is still usable, then drop it: a
                // session that failed mid-batch is never reused.
                if let Some(c) = self.client.as_mut() {
                    let _ =
                        exec_batch(c, "rollback", "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION").await;
                }
                self.client = None;
                // The target's tables may have changed (that may be the error).
                self.tables.clear();
                Err(e.into_sink())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_engine::schema::{Column, Identity, KeyConstraint, ObjectName};

    fn table(identity: bool) -> TargetTable {
        let mut id = Column::new("id", SourceType::named("int"));
        if identity {
            id.identity = Some(Identity {
                seed: 1,
                increment: 1,
                not_for_replication: false,
            });
        }
        let mut t = Table::new(
            ObjectName::new("dbo", "p"),
            vec![
                id,
                Column::new(
                    "code",
                    SourceType {
                        name: "varchar".into(),
                        length: Some(sluice_engine::schema::Length::N(10)),
                        ..Default::default()
                    },
                ),
            ],
        );
        t.primary_key = Some(KeyConstraint {
            name: None,
            columns: vec![sluice_engine::schema::IndexColumn {
                name: "id".into(),
                descending: false,
            }],
            clustered: true,
        });
        TargetTable::from_catalog(&t)
    }

    fn ev(op: RowOp) -> ChangeEvent {
        ChangeEvent {
            table: TableRef::new("dbo", "p"),
            columns: vec!["id".to_string(), "code".to_string()].into(),
            key: vec![0u16].into(),
            op,
        }
    }

    /// Every statement shape the sink sends parses as T-SQL with the
    /// project's parser (wrapped in a procedure body, as the parser takes
    /// routines): inserts, updates, deletes, key changes, identity insert and
    /// the cursor upsert.
    #[test]
    fn generated_batches_parse_as_tsql() {
        let mut b = StatementBatch::default();
        for identity in [false, true] {
            let t = table(identity);
            build_change(
                &mut b,
                &t,
                &ev(RowOp::Insert {
                    after: vec![Value::I32(1), Value::String("a".into())],
                }),
            )
            .unwrap();
            build_change(
                &mut b,
                &t,
                &ev(RowOp::Update {
                    before: vec![Value::I32(1), Value::String("a".into())],
                    after: vec![Value::I32(2), Value::String("b".into())],
                }),
            )
            .unwrap();
            build_change(
                &mut b,
                &t,
                &ev(RowOp::Delete {
                    before: vec![Value::I32(2), Value::String("b".into())],
                }),
            )
            .unwrap();
        }
        build_cursor(
            &mut b,
            "his-reverse-1",
            &ApplyCursor {
                seq: 42,
                position: SourcePosition::Counter(42),
            },
        )
        .unwrap();
        let src = format!(
            "CREATE PROCEDURE dbo.sink_batch AS\nBEGIN\n{}\nEND\n",
            b.sql
        );
        let objects = sluice_convert::parser::parse_objects(&src);
        assert_eq!(objects.len(), 1, "{src}");
        let routine = objects[0]
            .routine
            .as_ref()
            .unwrap_or_else(|e| panic!("{e:?}\n{src}"));
        let tree = format!("{:?}", routine.body);
        assert!(
            !tree.contains("Unparsed("),
            "a statement did not parse:\n{tree}\n{src}"
        );
        assert!(routine.body.len() >= 6, "{tree}");
    }

    #[test]
    fn values_are_parameters_never_text() {
        let mut b = StatementBatch::default();
        let evil = "x'); DROP TABLE p; --";
        build_change(
            &mut b,
            &table(false),
            &ev(RowOp::Insert {
                after: vec![Value::I32(7), Value::String(evil.into())],
            }),
        )
        .unwrap();
        assert!(!b.sql.contains("DROP"), "{}", b.sql);
        assert!(
            b.sql
                .contains("UPDATE [dbo].[p] SET [code] = @P1 WHERE [id] = @P2"),
            "{}",
            b.sql
        );
        assert!(
            b.sql.contains(
                "IF @@ROWCOUNT = 0 BEGIN INSERT INTO [dbo].[p] ([id], [code]) VALUES (@P3, @P4)"
            ),
            "{}",
            b.sql
        );
        assert_eq!(b.params.len(), 4);
    }

    #[test]
    fn identity_columns_are_inserted_under_identity_insert_and_never_updated() {
        let mut b = StatementBatch::default();
        build_change(
            &mut b,
            &table(true),
            &ev(RowOp::Insert {
                after: vec![Value::I32(7), Value::String("a".into())],
            }),
        )
        .unwrap();
        assert!(
            b.sql.contains("SET IDENTITY_INSERT [dbo].[p] ON; INSERT"),
            "{}",
            b.sql
        );
        assert!(
            b.sql.contains("SET IDENTITY_INSERT [dbo].[p] OFF;"),
            "{}",
            b.sql
        );
        assert!(!b.sql.contains("SET [id] ="), "{}", b.sql);
    }

    #[test]
    fn key_change_updates_in_place_or_cleans_a_replayed_row() {
        let mut b = StatementBatch::default();
        build_change(
            &mut b,
            &table(false),
            &ev(RowOp::Update {
                before: vec![Value::I32(1), Value::String("a".into())],
                after: vec![Value::I32(2), Value::String("b".into())],
            }),
        )
        .unwrap();
        assert!(
            b.sql
                .contains("IF @@ROWCOUNT > 0 DELETE FROM [dbo].[p] WHERE [id] = "),
            "{}",
            b.sql
        );
        assert!(
            b.sql.contains("ELSE BEGIN UPDATE [dbo].[p] SET [id] = "),
            "{}",
            b.sql
        );
        let mut b = StatementBatch::default();
        build_change(
            &mut b,
            &table(true),
            &ev(RowOp::Update {
                before: vec![Value::I32(1), Value::String("a".into())],
                after: vec![Value::I32(2), Value::String("b".into())],
            }),
        )
        .unwrap();
        assert!(
            b.sql.starts_with("DELETE FROM [dbo].[p] WHERE [id] = @P1;"),
            "{}",
            b.sql
        );
    }

    #[test]
    fn unknown_columns_are_refused() {
        let mut b = StatementBatch::default();
        let mut e = ev(RowOp::Delete {
            before: vec![Value::I32(1), Value::Null],
        });
        e.columns = vec!["id".to_string(), "nope".to_string()].into();
        assert!(build_change(&mut b, &table(false), &e).is_err());
    }
}
