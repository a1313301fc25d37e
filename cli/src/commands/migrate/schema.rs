//! Creating the converted schema on the target.

use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use sluice_engine::load::ChunkCheckpoints;
use sluice_engine::schema::{Catalog, Table};
use sluice_tsql::dialect::oceanbase::{Conversion, ObjectKind};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One table to copy: the source table and its converted target.
pub struct TableCopy {
    pub source: Table,
    /// `` `db`.`name` `` on the target.
    pub target: String,
    /// Indices of the source columns written to the target (generated
    /// columns are computed by the target and cannot be written).
    pub written: Vec<usize>,
}

/// The tables a migration copies.
pub struct TablePlan(pub Vec<TableCopy>);

impl TablePlan {
    pub fn build(
        catalog: &Catalog,
        conv: &Conversion,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Result<Self, BoxError> {
        let mut out = Vec::new();
        for t in &catalog.tables {
            let name = format!("{}.{}", t.name.schema_or_dbo(), t.name.name);
            if !wanted(&name) {
                continue;
            }
            let report = conv
                .objects
                .iter()
                .find(|o| o.kind == ObjectKind::Table && o.name.eq_ignore_ascii_case(&name));
            let Some(target) = report.and_then(|r| r.target.clone()) else {
                return Err(
                    format!("table {name} has no converted target (see `sluice assess`)").into(),
                );
            };
            let written = t
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.computed.is_none())
                .map(|(i, _)| i)
                .collect();
            out.push(TableCopy {
                source: t.clone(),
                target,
                written,
            });
        }
        Ok(TablePlan(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

// MySQL error numbers that mean "already there": a resumed run meets what
// the killed run created.
const ALREADY_EXISTS: &[u16] = &[1007, 1050, 1061, 1826, 1022];

async fn run_all<'a>(
    conn: &mut Conn,
    stmts: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<usize, BoxError> {
    let mut n = 0;
    for (object, sql) in stmts {
        match conn.query_drop(sql).await {
            Ok(()) => n += 1,
            Err(mysql_async::Error::Server(e)) if ALREADY_EXISTS.contains(&e.code) => {}
            Err(e) => {
                return Err(format!(
                    "creating {object} on the target failed: {e}\n  statement: {sql}"
                )
                .into())
            }
        }
    }
    Ok(n)
}

/// Creates databases, tables and sequences (not foreign keys).
pub async fn deploy_tables(
    conn: &mut Conn,
    conv: &Conversion,
    state: &ChunkCheckpoints,
) -> Result<usize, BoxError> {
    if state.step_done("schema")? {
        return Ok(0);
    }
    let stmts = conv
        .objects
        .iter()
        .filter(|o| {
            matches!(
                o.kind,
                ObjectKind::Database | ObjectKind::Table | ObjectKind::Sequence
            )
        })
        .flat_map(|o| {
            o.ddl.iter().map(move |s| {
                // Plain secondary indexes wait for the load (see deferred.rs).
                let table_only = match o.kind {
                    ObjectKind::Table => super::deferred::split_secondary_indexes(s).0,
                    _ => s.clone(),
                };
                (o.name.as_str(), table_only)
            })
        })
        .collect::<Vec<_>>();
    let n = run_all(conn, stmts.iter().map(|(o, s)| (*o, s.as_str()))).await?;
    state.mark_step("schema")?;
    Ok(n)
}

/// Creates the secondary indexes held back from the tables, once the rows are in.
pub async fn deploy_secondary_indexes(
    conn: &mut Conn,
    conv: &Conversion,
    state: &ChunkCheckpoints,
) -> Result<usize, BoxError> {
    if state.step_done("indexes")? {
        return Ok(0);
    }
    let stmts: Vec<(&str, String)> = conv
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Table)
        .flat_map(|o| {
            o.ddl.iter().flat_map(move |s| {
                super::deferred::split_secondary_indexes(s)
                    .1
                    .into_iter()
                    .map(move |a| (o.name.as_str(), a))
            })
        })
        .collect();
    let n = run_all(conn, stmts.iter().map(|(o, s)| (*o, s.as_str()))).await?;
    state.mark_step("indexes")?;
    Ok(n)
}

/// Creates the foreign keys once the rows are in.
pub async fn deploy_foreign_keys(
    conn: &mut Conn,
    conv: &Conversion,
    state: &ChunkCheckpoints,
) -> Result<usize, BoxError> {
    if state.step_done("foreign_keys")? {
        return Ok(0);
    }
    let stmts = conv
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Table)
        .flat_map(|o| {
            o.post_ddl
                .iter()
                .map(move |s| (o.name.as_str(), s.as_str()))
        });
    let n = run_all(conn, stmts).await?;
    state.mark_step("foreign_keys")?;
    Ok(n)
}
