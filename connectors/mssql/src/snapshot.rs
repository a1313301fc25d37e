//! Full-load reading: chunk planning and keyset-paginated chunk reads.
//!
//! A table is split into key ranges ([`Chunk`]: lower bound inclusive,
//! upper bound exclusive, `None` = unbounded), so chunks can be copied in
//! parallel and a killed load resumes at the first unfinished chunk (the
//! caller checkpoints chunk ids; [`Chunk`] is serde-serializable for that).
//! The first chunk has no lower bound and the last no upper bound, so rows
//! inserted outside the planned key range during the copy are still read.
//!
//! - single integer keys are split arithmetically between `MIN` and `MAX`;
//! - other and composite keys are split at boundaries read from the source
//!   (every n-th key in key order);
//! - a table without a primary key is paged by a unique key over NOT NULL
//!   columns when it has one; otherwise it is one chunk, read by one
//!   unordered `SELECT` streamed a page at a time.
//!
//! A chunk is read page by page (`TOP (n) … WHERE key > last ORDER BY key`)
//! inside one transaction, under SNAPSHOT isolation when the database allows
//! it, so memory stays bounded by one page and the pages of a chunk see one
//! consistent state. Comparisons run on the server, in the key's own
//! collation; string parameters are cast to the column type
//! ([`crate::encode::param_sql`]) so the server orders them as the index does.

use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use sluice_engine::event::TableRef;
use sluice_engine::schema::{SourceType, Table};
use sluice_engine::value::Value;
use tiberius::Query;

use crate::catalog::{self, int_of};
use crate::connect::{exec_batch, quote_ident, quote_table, MssqlClient};
use crate::decode::{decode_row, select_expr, type_flag, TypeFlag};
use crate::encode::{encode, param_sql};
use crate::error::{Error, Result};

/// One key range of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    /// Position of the chunk in its table's plan (0-based); the checkpoint key.
    pub id: u32,
    /// Inclusive lower key bound; `None` for the first chunk.
    pub lower: Option<Vec<Value>>,
    /// Exclusive upper key bound; `None` for the last chunk.
    pub upper: Option<Vec<Value>>,
}

/// A table as the snapshot reads it: columns with their declared types, and the key.
#[derive(Debug, Clone)]
pub struct SnapshotTable {
    pub table: TableRef,
    /// Column names and declared types, in table order.
    pub columns: Vec<(String, Option<SourceType>)>,
    /// Indices into `columns` of the key rows are paged by, in key order:
    /// the primary key or a unique key over NOT NULL columns (empty: none).
    pub key: Vec<usize>,
}

impl SnapshotTable {
    /// Builds the reader's view of a catalog table.
    pub fn from_catalog(t: &Table) -> Self {
        let columns: Vec<(String, Option<SourceType>)> = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.data_type.clone()))
            .collect();
        let position = |name: &str| {
            columns
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        let not_null = |name: &str| t.column(name).is_some_and(|c| c.nullable == Some(false));
        // The primary key, else the first unique constraint or unfiltered
        // unique index over NOT NULL columns: any of them orders rows
        // totally, which keyset pagination needs.
        // (Primary-key columns are NOT NULL by definition, whatever the model says.)
        let candidates = t
            .primary_key
            .iter()
            .map(|k| (k.columns.clone(), true))
            .chain(
                t.unique_constraints
                    .iter()
                    .map(|k| (k.columns.clone(), false)),
            )
            .chain(
                t.indexes
                    .iter()
                    .filter(|i| i.unique && i.filter.is_none())
                    .map(|i| (i.columns.clone(), false)),
            );
        let mut key = Vec::new();
        for (cols, is_pk) in candidates {
            if !cols.is_empty() && (is_pk || cols.iter().all(|c| not_null(&c.name))) {
                key = cols.iter().filter_map(|c| position(&c.name)).collect();
                break;
            }
        }
        SnapshotTable {
            table: TableRef::new(t.name.schema_or_dbo(), t.name.name.as_str()),
            columns,
            key,
        }
    }

    /// Columns whose values are carried exactly but need a DBA's attention.
    pub fn flags(&self) -> Vec<(String, TypeFlag)> {
        self.columns
            .iter()
            .filter_map(|(n, t)| Some((n.clone(), type_flag(t.as_ref()?)?)))
            .collect()
    }

    fn quoted(&self) -> String {
        quote_table(&self.table.schema, &self.table.name)
    }

    fn key_list(&self) -> String {
        self.key
            .iter()
            .map(|&i| quote_ident(&self.columns[i].0))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn select_list(&self) -> String {
        self.columns
            .iter()
            .map(|(n, t)| select_expr(n, t.as_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn key_types(&self) -> Vec<Option<&SourceType>> {
        self.key
            .iter()
            .map(|&i| self.columns[i].1.as_ref())
            .collect()
    }
}

/// Splits `[min, max]` into `n` ranges of near-equal width; returns the
/// `n - 1` interior boundaries (each the inclusive start of the next range).
pub fn split_integer_range(min: i128, max: i128, n: u64) -> Vec<i128> {
    if n <= 1 || max <= min {
        return Vec::new();
    }
    let width = max - min + 1;
    let n = (n as i128).min(width);
    let mut out: Vec<i128> = (1..n).map(|i| min + width * i / n).collect();
    out.dedup();
    out
}

/// Turns boundaries into chunks `[None, b1) [b1, b2) … [bn, None)`.
pub fn chunks_from_boundaries(boundaries: Vec<Vec<Value>>) -> Vec<Chunk> {
    let mut out = Vec::with_capacity(boundaries.len() + 1);
    let mut lower = None;
    for (i, b) in boundaries.into_iter().enumerate() {
        out.push(Chunk {
            id: i as u32,
            lower: lower.take(),
            upper: Some(b.clone()),
        });
        lower = Some(b);
    }
    out.push(Chunk {
        id: out.len() as u32,
        lower,
        upper: None,
    });
    out
}

fn int_value(ty: Option<&SourceType>, v: i128) -> Option<Value> {
    Some(match ty?.name.as_str() {
        "tinyint" => Value::U8(u8::try_from(v).ok()?),
        "smallint" => Value::I16(i16::try_from(v).ok()?),
        "int" => Value::I32(i32::try_from(v).ok()?),
        "bigint" => Value::I64(i64::try_from(v).ok()?),
        _ => return None,
    })
}

/// Plans the chunks of a table holding about `rows` rows, aiming at
/// `rows_per_chunk` rows each.
pub async fn plan_chunks(
    client: &mut MssqlClient,
    table: &SnapshotTable,
    rows: u64,
    rows_per_chunk: u64,
) -> Result<Vec<Chunk>> {
    let n = rows.div_ceil(rows_per_chunk.max(1));
    if table.key.is_empty() || n <= 1 {
        return Ok(chunks_from_boundaries(Vec::new()));
    }
    let key_types = table.key_types();
    let is_int = table.key.len() == 1 && int_value(key_types[0], 0).is_some();
    if is_int {
        let k = table.key_list();
        let r = catalog::query(
            client,
            "plan chunks (key range)",
            &format!(
                "SELECT CAST(MIN({k}) AS bigint), CAST(MAX({k}) AS bigint) FROM {}",
                table.quoted()
            ),
        )
        .await?;
        let (min, max) = match r.first() {
            Some(r) if !r[0].is_null() => (int_of(&r[0]) as i128, int_of(&r[1]) as i128),
            _ => return Ok(chunks_from_boundaries(Vec::new())),
        };
        let bounds = split_integer_range(min, max, n)
            .into_iter()
            .filter_map(|b| int_value(key_types[0], b).map(|v| vec![v]))
            .collect();
        return Ok(chunks_from_boundaries(bounds));
    }
    // The first key of every step-th row group in key order (rows step+1,
    // 2*step+1, …): exact boundaries from one scan of the narrowest index
    // that holds the key, and no empty trailing chunk.
    let step = rows.div_ceil(n).max(1) as i64;
    let k = table.key_list();
    let sql = format!(
        "SELECT {k} FROM (SELECT {k}, ROW_NUMBER() OVER (ORDER BY {k}) AS sluice_rn FROM {t}) s \
         WHERE s.sluice_rn > 1 AND (s.sluice_rn - 1) % @P1 = 0 ORDER BY {k}",
        t = table.quoted()
    );
    let mut q = Query::new(sql);
    q.bind(step);
    let rows = q
        .query(client)
        .await
        .map_err(|e| Error::query("plan chunks (sample boundaries)", e))?
        .into_first_result()
        .await
        .map_err(|e| Error::query("plan chunks (sample boundaries)", e))?;
    let bounds = rows
        .iter()
        .map(|r| decode_row(r, &key_types))
        .collect::<Result<Vec<_>>>()?;
    Ok(chunks_from_boundaries(bounds))
}

/// The isolation a snapshot read runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// One consistent state per chunk (`ALLOW_SNAPSHOT_ISOLATION ON`).
    Snapshot,
    /// Each page sees the latest committed rows; rows changing between pages
    /// may be read in their old or new state (CDC replays the changes, so
    /// the target converges), but a chunk is not a consistent picture.
    ReadCommitted,
}

/// Whether the database allows SNAPSHOT isolation (`sys.databases.snapshot_isolation_state = 1`).
pub async fn isolation(client: &mut MssqlClient) -> Result<Isolation> {
    let r = catalog::query(
        client,
        "check snapshot isolation",
        "SELECT snapshot_isolation_state FROM sys.databases WHERE database_id = DB_ID()",
    )
    .await?;
    if r.first().map(|r| int_of(&r[0])) == Some(1) {
        Ok(Isolation::Snapshot)
    } else {
        tracing::warn!(
            "snapshot isolation is off for this database (ALTER DATABASE … SET ALLOW_SNAPSHOT_ISOLATION ON \
             enables it): chunks are read under READ COMMITTED, so a chunk is not one consistent picture; \
             change capture replays what changed during the copy"
        );
        Ok(Isolation::ReadCommitted)
    }
}

/// `(k1 > @a) OR (k1 = @a AND k2 > @b) …` (or `>=` for `inclusive`), with parameters bound to `q`.
fn key_bound(
    table: &SnapshotTable,
    bound: &[Value],
    op: &str,
    inclusive: bool,
    next_param: &mut usize,
    params: &mut Vec<tiberius::ColumnData<'static>>,
) -> Result<String> {
    let mut ors = Vec::new();
    for i in 0..table.key.len() {
        let mut ands = Vec::new();
        for (j, &col) in table.key.iter().enumerate().take(i + 1) {
            let (name, ty) = &table.columns[col];
            params.push(encode(name, &bound[j], ty.as_ref())?);
            *next_param += 1;
            let p = param_sql(&format!("@P{next_param}"), ty.as_ref());
            let cmp = if j < i {
                "="
            } else if inclusive && i == table.key.len() - 1 {
                if op == ">" {
                    ">="
                } else {
                    "<="
                }
            } else {
                op
            };
            ands.push(format!("{} {cmp} {p}", quote_ident(name)));
        }
        ors.push(format!("({})", ands.join(" AND ")));
    }
    Ok(format!("({})", ors.join(" OR ")))
}

/// Reads one chunk page by page inside one transaction.
///
/// A table without any key cannot be paged by key: it is read by one
/// `SELECT` (one statement is one consistent snapshot under SNAPSHOT
/// isolation) whose result stream is consumed a page at a time, so memory
/// still holds one page. Such a chunk must be read to its end (a result
/// stream abandoned mid-way leaves the session unusable), and cannot be
/// resumed part-way: a killed copy re-reads the whole table.
pub struct ChunkReader<'a> {
    /// `None` once an unkeyed read's result stream has taken the session.
    client: Option<&'a mut MssqlClient>,
    stream: Option<BoxStream<'a, tiberius::Result<tiberius::Row>>>,
    table: &'a SnapshotTable,
    chunk: Chunk,
    page_rows: usize,
    last: Option<Vec<Value>>,
    done: bool,
}

impl<'a> ChunkReader<'a> {
    /// Starts the chunk's transaction (for an unkeyed table, sets the isolation level).
    pub async fn begin(
        client: &'a mut MssqlClient,
        table: &'a SnapshotTable,
        chunk: Chunk,
        page_rows: usize,
        isolation: Isolation,
    ) -> Result<ChunkReader<'a>> {
        let level = match isolation {
            Isolation::Snapshot => "SNAPSHOT",
            Isolation::ReadCommitted => "READ COMMITTED",
        };
        let begin = if table.key.is_empty() {
            ""
        } else {
            "; BEGIN TRANSACTION"
        };
        exec_batch(
            client,
            "begin snapshot read",
            &format!("SET TRANSACTION ISOLATION LEVEL {level}{begin}"),
        )
        .await?;
        Ok(ChunkReader {
            client: Some(client),
            stream: None,
            table,
            chunk,
            page_rows: page_rows.max(1),
            last: None,
            done: false,
        })
    }

    /// The next page of rows in key order (`None` when the chunk is done).
    pub async fn next_page(&mut self) -> Result<Option<Vec<Vec<Value>>>> {
        if self.done {
            return Ok(None);
        }
        let t = self.table;
        let declared: Vec<Option<&SourceType>> =
            t.columns.iter().map(|(_, ty)| ty.as_ref()).collect();
        if t.key.is_empty() {
            return self.next_unkeyed_page(&declared).await;
        }
        let client = self
            .client
            .as_deref_mut()
            .expect("keyed reads keep the session");
        let mut preds = Vec::new();
        let mut params = Vec::new();
        let mut n = 0usize;
        match (&self.last, &self.chunk.lower) {
            (Some(last), _) => preds.push(key_bound(t, last, ">", false, &mut n, &mut params)?),
            (None, Some(lower)) => preds.push(key_bound(t, lower, ">", true, &mut n, &mut params)?),
            (None, None) => {}
        }
        if let Some(upper) = &self.chunk.upper {
            preds.push(key_bound(t, upper, "<", false, &mut n, &mut params)?);
        }
        let where_ = if preds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", preds.join(" AND "))
        };
        let sql = format!(
            "SELECT TOP ({}) {} FROM {}{where_} ORDER BY {}",
            self.page_rows,
            t.select_list(),
            t.quoted(),
            t.key_list()
        );
        let rows = catalog_rows(client, &sql, params, &declared).await?;
        if rows.len() < self.page_rows {
            self.done = true;
        }
        if let Some(r) = rows.last() {
            self.last = Some(t.key.iter().map(|&i| r[i].clone()).collect());
        }
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(rows))
    }

    async fn next_unkeyed_page(
        &mut self,
        declared: &[Option<&SourceType>],
    ) -> Result<Option<Vec<Vec<Value>>>> {
        use futures_util::TryStreamExt;
        if self.stream.is_none() {
            let t = self.table;
            let client = self.client.take().expect("session available");
            let sql = format!("SELECT {} FROM {}", t.select_list(), t.quoted());
            let stream = client
                .simple_query(sql)
                .await
                .map_err(|e| Error::query("read unkeyed table", e))?
                .into_row_stream();
            self.stream = Some(stream);
        }
        let stream = self.stream.as_mut().expect("stream");
        let mut page = Vec::with_capacity(self.page_rows.min(10_000));
        while page.len() < self.page_rows {
            match stream
                .try_next()
                .await
                .map_err(|e| Error::query("read unkeyed table", e))?
            {
                Some(row) => page.push(decode_row(&row, declared)?),
                None => {
                    self.done = true;
                    self.stream = None;
                    break;
                }
            }
        }
        Ok(if page.is_empty() { None } else { Some(page) })
    }

    /// Ends the chunk's (read-only) transaction.
    pub async fn finish(self) -> Result<()> {
        match self.client {
            Some(client) if !self.table.key.is_empty() => {
                exec_batch(client, "end snapshot read", "COMMIT TRANSACTION").await
            }
            _ if self.stream.is_some() => Err(Error::Unsupported(format!(
                "{}: an unkeyed read was finished before its end; open a new session",
                self.table.table
            ))),
            _ => Ok(()),
        }
    }
}

async fn catalog_rows(
    client: &mut MssqlClient,
    sql: &str,
    params: Vec<tiberius::ColumnData<'static>>,
    declared: &[Option<&SourceType>],
) -> Result<Vec<Vec<Value>>> {
    use futures_util::TryStreamExt;
    let mut q = Query::new(sql.to_string());
    for p in params {
        q.bind(p);
    }
    let mut stream = q
        .query(client)
        .await
        .map_err(|e| Error::query("read chunk", e))?
        .into_row_stream();
    let mut out = Vec::new();
    while let Some(row) = stream
        .try_next()
        .await
        .map_err(|e| Error::query("read chunk", e))?
    {
        out.push(decode_row(&row, declared)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chunks_cover_everything_with_open_ends() {
        let c = chunks_from_boundaries(vec![vec![Value::I32(10)], vec![Value::I32(20)]]);
        assert_eq!(c.len(), 3);
        assert_eq!(
            (c[0].lower.clone(), c[0].upper.clone()),
            (None, Some(vec![Value::I32(10)]))
        );
        assert_eq!(
            (c[1].lower.clone(), c[1].upper.clone()),
            (Some(vec![Value::I32(10)]), Some(vec![Value::I32(20)]))
        );
        assert_eq!(
            (c[2].lower.clone(), c[2].upper.clone()),
            (Some(vec![Value::I32(20)]), None)
        );
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            serde_json::from_str::<Vec<Chunk>>(&json).unwrap(),
            c,
            "chunks checkpoint as JSON"
        );
        assert_eq!(chunks_from_boundaries(vec![]).len(), 1);
    }

    proptest! {
        #[test]
        fn integer_split_is_increasing_and_inside_the_range(min in -1_000_000i128..1_000_000, w in 0i128..10_000_000, n in 1u64..500) {
            let max = min + w;
            let b = split_integer_range(min, max, n);
            prop_assert!(b.len() < n as usize);
            prop_assert!(b.windows(2).all(|p| p[0] < p[1]));
            prop_assert!(b.iter().all(|x| *x > min && *x <= max));
            if w + 1 >= n as i128 { prop_assert_eq!(b.len(), n as usize - 1); }
        }
    }

    #[test]
    fn a_table_without_primary_key_is_paged_by_a_not_null_unique_key() {
        use sluice_engine::schema::{Column, Index, IndexColumn, KeyConstraint, ObjectName};
        let col = |n: &str, nullable| {
            let mut c = Column::new(n, SourceType::named("int"));
            c.nullable = Some(nullable);
            c
        };
        let key = |n: &str| {
            vec![IndexColumn {
                name: n.into(),
                descending: false,
            }]
        };
        let mut t = Table::new(
            ObjectName::new("dbo", "heap"),
            vec![col("a", true), col("b", false), col("c", false)],
        );
        assert!(
            SnapshotTable::from_catalog(&t).key.is_empty(),
            "a heap has no key"
        );
        t.unique_constraints.push(KeyConstraint {
            name: None,
            columns: key("a"),
            clustered: false,
        });
        assert!(
            SnapshotTable::from_catalog(&t).key.is_empty(),
            "a nullable unique key does not order NULLs totally"
        );
        t.indexes.push(Index {
            name: "ux".into(),
            unique: true,
            clustered: false,
            kind: Default::default(),
            columns: key("c"),
            included: vec![],
            filter: None,
            options: vec![],
            origin: None,
        });
        assert_eq!(SnapshotTable::from_catalog(&t).key, vec![2]);
        // A primary key wins, even when the model leaves its nullability unsaid.
        t.columns[0].nullable = None;
        t.primary_key = Some(KeyConstraint {
            name: None,
            columns: key("a"),
            clustered: true,
        });
        assert_eq!(SnapshotTable::from_catalog(&t).key, vec![0]);
    }

    #[test]
    fn composite_bounds_expand_to_lexicographic_predicates() {
        let t = SnapshotTable {
            table: TableRef::new("dbo", "t"),
            columns: vec![
                ("a".into(), Some(SourceType::named("varchar"))),
                ("b".into(), Some(SourceType::named("int"))),
            ],
            key: vec![0, 1],
        };
        let mut n = 0;
        let mut p = Vec::new();
        let s = key_bound(
            &t,
            &[Value::String("x".into()), Value::I32(1)],
            ">",
            true,
            &mut n,
            &mut p,
        )
        .unwrap();
        assert_eq!(s, "(([a] > CAST(@P1 AS varchar(8000))) OR ([a] = CAST(@P2 AS varchar(8000)) AND [b] >= @P3))");
        assert_eq!(p.len(), 3);
    }
}
