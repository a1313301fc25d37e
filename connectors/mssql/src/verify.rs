//! One side of `sluice verify` for SQL Server.
//!
//! Rows are hashed on the client with the engine's canonical encoding:
//! `HASHBYTES` could hash on the server, but building the canonical text in
//! T-SQL (UTF-8 bytes on SQL Server 2016, which has no UTF-8 collation) is
//! not exact, and an inexact digest would report differences that are not
//! there. Keys are ordered and cut in binary order (`Latin1_General_BIN2`),
//! which matches the MySQL side's byte order for every character of the
//! Basic Multilingual Plane; a key holding characters beyond it can be
//! ordered differently by the two sides (noted in the verify report).

use futures_util::TryStreamExt;
use sluice_engine::error::{Error as EngineError, Result};
use sluice_engine::event::TableRef;
use sluice_engine::schema::{SourceType, Table, UserTypeKind};
use sluice_engine::value::Value;
use sluice_engine::verify::canonical::row_hash;
use sluice_engine::verify::{CanonKind, ChunkDigest, ColumnSpec, KeyRange, TableSpec, VerifySide};
use tiberius::Query;

use crate::connect::{quote_ident, quote_table, MssqlClient};
use crate::decode::{decode_row, select_expr};
use crate::encode::encode;
use crate::error::Error;

/// Which of the spec's two table names this side reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source,
    Target,
}

/// A SQL Server database as one side of a comparison.
pub struct MssqlVerifySide {
    client: MssqlClient,
    role: Role,
    label: String,
    /// Declared types of the table last described, by column (for decoding).
    declared: Vec<(TableRef, Vec<Option<SourceType>>)>,
}

fn engine_err(e: Error) -> EngineError {
    EngineError::Connector {
        side: "verify",
        retryable: e.is_retryable(),
        message: e.to_string(),
    }
}

/// The canonical kind of a SQL Server column, following the migration's type
/// mapping (what the target stores is what is compared).
pub fn kind_for(t: Option<&SourceType>) -> CanonKind {
    let Some(t) = t else {
        return CanonKind::Text {
            trim_trailing_spaces: false,
        };
    };
    let frac = |default: u32| CanonKind::DateTime {
        frac_digits: t.precision.unwrap_or(default).min(6) as u8,
    };
    match t.name.as_str() {
        "tinyint" | "smallint" | "int" | "bigint" => CanonKind::Int,
        "bit" => CanonKind::Bool,
        "decimal" | "numeric" => CanonKind::Decimal {
            scale: t.scale.unwrap_or(0) as u8,
        },
        "money" | "smallmoney" => CanonKind::Decimal { scale: 4 },
        "float" | "real" => CanonKind::Float,
        "char" | "nchar" => CanonKind::Text {
            trim_trailing_spaces: true,
        },
        "binary" | "varbinary" | "image" | "rowversion" | "timestamp" => CanonKind::Bytes,
        "date" => CanonKind::Date,
        "datetime" => CanonKind::DateTime { frac_digits: 3 },
        "smalldatetime" => CanonKind::DateTime { frac_digits: 0 },
        "datetime2" | "datetimeoffset" => frac(7),
        "time" => CanonKind::Time {
            frac_digits: t.precision.unwrap_or(7).min(6) as u8,
        },
        "uniqueidentifier" => CanonKind::Uuid,
        _ => CanonKind::Text {
            trim_trailing_spaces: false,
        },
    }
}

fn is_text_key(k: CanonKind) -> bool {
    matches!(k, CanonKind::Text { .. })
}

impl MssqlVerifySide {
    pub fn new(client: MssqlClient, role: Role, label: impl Into<String>) -> Self {
        MssqlVerifySide {
            client,
            role,
            label: label.into(),
            declared: Vec::new(),
        }
    }

    /// Builds the comparison spec of `schema.name` from this server's catalog
    /// (computed columns are left out: the target computes them itself), with
    /// `target` as the other side's table name.
    pub async fn describe(
        &mut self,
        schema: &str,
        name: &str,
        target: TableRef,
    ) -> Result<TableSpec> {
        let t: Table = crate::catalog::read_table(&mut self.client, schema, name)
            .await
            .map_err(engine_err)?
            .ok_or_else(|| EngineError::Invalid(format!("table {schema}.{name} not found")))?;
        // Alias types (`CREATE TYPE ut_Amount FROM decimal(18,2)`) compare as their base type.
        let aliases: Vec<(String, SourceType)> = crate::catalog::read_user_types(&mut self.client)
            .await
            .map_err(engine_err)?
            .into_iter()
            .filter_map(|u| match u.kind {
                UserTypeKind::Alias { base, .. } => Some((u.name.name.to_lowercase(), base)),
                _ => None,
            })
            .collect();
        let base_of = |ty: Option<&SourceType>| -> Option<SourceType> {
            let ty = ty?;
            match &ty.schema {
                Some(_) => aliases
                    .iter()
                    .find(|(n, _)| *n == ty.name.to_lowercase())
                    .map(|(_, b)| b.clone()),
                None => Some(ty.clone()),
            }
        };
        // sql_variant holds a different type per row and has no single
        // canonical form; it is left out of the comparison (and reported).
        let cols: Vec<_> = t
            .columns
            .iter()
            .filter(|c| c.computed.is_none())
            .filter(|c| {
                let variant = c.data_type.as_ref().is_some_and(|d| d.name == "sql_variant");
                if variant {
                    tracing::warn!(table = %t.name.name, column = %c.name, "sql_variant column not compared");
                }
                !variant
            })
            .collect();
        let columns = cols
            .iter()
            .map(|c| ColumnSpec {
                name: c.name.clone(),
                kind: kind_for(base_of(c.data_type.as_ref()).as_ref()),
            })
            .collect();
        let key = t
            .primary_key
            .as_ref()
            .map(|pk| {
                pk.columns
                    .iter()
                    .filter_map(|k| {
                        cols.iter()
                            .position(|c| c.name.eq_ignore_ascii_case(&k.name))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let me = TableRef::new(t.name.schema_or_dbo(), t.name.name.as_str());
        self.declared.push((
            me.clone(),
            cols.iter().map(|c| c.data_type.clone()).collect(),
        ));
        let (source, target) = match self.role {
            Role::Source => (me, target),
            Role::Target => (target, me),
        };
        Ok(TableSpec {
            source,
            target,
            columns,
            key,
        })
    }

    /// `(schema, name)` of every user table of the connected database.
    pub async fn catalog_tables(&mut self) -> Result<Vec<(String, String)>> {
        let flavor = crate::catalog::flavor(&mut self.client)
            .await
            .map_err(engine_err)?;
        Ok(crate::catalog::read_tables(&mut self.client, flavor)
            .await
            .map_err(engine_err)?
            .into_iter()
            .map(|t| (t.name.schema_or_dbo().to_string(), t.name.name.clone()))
            .collect())
    }

    fn table<'a>(&self, spec: &'a TableSpec) -> &'a TableRef {
        match self.role {
            Role::Source => &spec.source,
            Role::Target => &spec.target,
        }
    }

    fn declared(&self, spec: &TableSpec) -> Vec<Option<SourceType>> {
        let t = self.table(spec);
        self.declared
            .iter()
            .find(|(n, _)| n == t)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| vec![None; spec.columns.len()])
    }

    fn key_expr(spec: &TableSpec, i: usize) -> String {
        let c = &spec.columns[i];
        if is_text_key(c.kind) {
            format!("{} COLLATE Latin1_General_BIN2", quote_ident(&c.name))
        } else {
            quote_ident(&c.name)
        }
    }

    /// `WHERE` text and parameters for a key range.
    fn range_sql(
        &self,
        spec: &TableSpec,
        r: &KeyRange,
    ) -> Result<(String, Vec<tiberius::ColumnData<'static>>)> {
        let key = spec.effective_key();
        let declared = self.declared(spec);
        let mut conds = Vec::new();
        let mut params = Vec::new();
        for (bound, strict, last_op) in [(&r.lo, ">", ">="), (&r.hi, "<", "<")] {
            let Some(vals) = bound else { continue };
            // (k1 > a) OR (k1 = a AND k2 > b) … with the last comparison inclusive for `lo`.
            let mut ors = Vec::new();
            for i in 0..key.len() {
                let mut ands = Vec::new();
                for (j, &col) in key.iter().enumerate().take(i + 1) {
                    let op = if j < i {
                        "="
                    } else if i == key.len() - 1 {
                        last_op
                    } else {
                        strict
                    };
                    params.push(
                        encode(&spec.columns[col].name, &vals[j], declared[col].as_ref())
                            .map_err(engine_err)?,
                    );
                    ands.push(format!(
                        "{} {op} @P{}",
                        Self::key_expr(spec, col),
                        params.len()
                    ));
                }
                ors.push(format!("({})", ands.join(" AND ")));
            }
            conds.push(format!("({})", ors.join(" OR ")));
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        Ok((w, params))
    }

    fn order_by(spec: &TableSpec) -> String {
        spec.effective_key()
            .iter()
            .map(|&i| Self::key_expr(spec, i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn from(&self, spec: &TableSpec) -> String {
        let t = self.table(spec);
        quote_table(&t.schema, &t.name)
    }

    async fn fetch(
        &mut self,
        sql: String,
        params: Vec<tiberius::ColumnData<'static>>,
        declared: &[Option<&SourceType>],
    ) -> Result<Vec<Vec<Value>>> {
        let mut q = Query::new(sql);
        for p in params {
            q.bind(p);
        }
        let mut stream = q
            .query(&mut self.client)
            .await
            .map_err(|e| engine_err(Error::query("verify read", e)))?
            .into_row_stream();
        let mut out = Vec::new();
        while let Some(row) = stream
            .try_next()
            .await
            .map_err(|e| engine_err(Error::query("verify read", e)))?
        {
            out.push(decode_row(&row, declared).map_err(engine_err)?);
        }
        Ok(out)
    }

    async fn keys(
        &mut self,
        spec: &TableSpec,
        sql: String,
        params: Vec<tiberius::ColumnData<'static>>,
    ) -> Result<Vec<Vec<Value>>> {
        let declared = self.declared(spec);
        let key_types: Vec<Option<&SourceType>> = spec
            .effective_key()
            .iter()
            .map(|&i| declared[i].as_ref())
            .collect();
        self.fetch(sql, params, &key_types).await
    }
}

impl VerifySide for MssqlVerifySide {
    fn label(&self) -> String {
        self.label.clone()
    }

    async fn count(&mut self, spec: &TableSpec, range: &KeyRange) -> Result<u64> {
        let (w, params) = self.range_sql(spec, range)?;
        let sql = format!("SELECT COUNT_BIG(*) FROM {}{w}", self.from(spec));
        let rows = self.fetch(sql, params, &[None]).await?;
        Ok(rows
            .first()
            .and_then(|r| r.first())
            .and_then(|v| v.as_i128())
            .unwrap_or(0) as u64)
    }

    async fn digest(&mut self, spec: &TableSpec, range: &KeyRange) -> Result<ChunkDigest> {
        let kinds = spec.kinds();
        let mut d = ChunkDigest::default();
        for r in self.rows(spec, range).await? {
            d.add_row(row_hash(&r, &kinds).map_err(|e| EngineError::Invalid(e.to_string()))?);
        }
        Ok(d)
    }

    async fn rows(&mut self, spec: &TableSpec, range: &KeyRange) -> Result<Vec<Vec<Value>>> {
        let declared = self.declared(spec);
        let (w, params) = self.range_sql(spec, range)?;
        let cols: Vec<String> = spec
            .columns
            .iter()
            .zip(&declared)
            .map(|(c, t)| select_expr(&c.name, t.as_ref()))
            .collect();
        let sql = format!(
            "SELECT {} FROM {}{w} ORDER BY {}",
            cols.join(", "),
            self.from(spec),
            Self::order_by(spec)
        );
        let refs: Vec<Option<&SourceType>> = declared.iter().map(|t| t.as_ref()).collect();
        self.fetch(sql, params, &refs).await
    }

    async fn rows_for_keys(
        &mut self,
        spec: &TableSpec,
        keys: &[Vec<Value>],
    ) -> Result<Vec<Vec<Value>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let key = spec.effective_key();
        let declared = self.declared(spec);
        let mut params = Vec::new();
        let mut ors = Vec::new();
        for k in keys {
            let mut ands = Vec::new();
            for (j, &col) in key.iter().enumerate() {
                let expr = Self::key_expr(spec, col);
                if k[j].is_null() {
                    ands.push(format!("{expr} IS NULL"));
                    continue;
                }
                params.push(
                    encode(&spec.columns[col].name, &k[j], declared[col].as_ref())
                        .map_err(engine_err)?,
                );
                ands.push(format!("{expr} = @P{}", params.len()));
            }
            ors.push(format!("({})", ands.join(" AND ")));
        }
        let cols: Vec<String> = spec
            .columns
            .iter()
            .zip(&declared)
            .map(|(c, t)| select_expr(&c.name, t.as_ref()))
            .collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE {} ORDER BY {}",
            cols.join(", "),
            self.from(spec),
            ors.join(" OR "),
            Self::order_by(spec)
        );
        let refs: Vec<Option<&SourceType>> = declared.iter().map(|t| t.as_ref()).collect();
        let rows = self.fetch(sql, params, &refs).await?;
        // `=` ignores trailing spaces in SQL Server: keep exact matches only.
        Ok(rows
            .into_iter()
            .filter(|r| {
                let rk: Vec<Value> = key.iter().map(|&i| r[i].clone()).collect();
                keys.iter().any(|k| {
                    sluice_engine::verify::canonical::cmp_keys(&rk, k) == std::cmp::Ordering::Equal
                })
            })
            .collect())
    }

    async fn key_bounds(&mut self, spec: &TableSpec) -> Result<Option<(Vec<Value>, Vec<Value>)>> {
        let cols: Vec<String> = spec
            .effective_key()
            .iter()
            .map(|&i| quote_ident(&spec.columns[i].name))
            .collect();
        let mut out = Vec::new();
        for dir in ["ASC", "DESC"] {
            let order: Vec<String> = spec
                .effective_key()
                .iter()
                .map(|&i| format!("{} {dir}", Self::key_expr(spec, i)))
                .collect();
            let sql = format!(
                "SELECT TOP (1) {} FROM {} ORDER BY {}",
                cols.join(", "),
                self.from(spec),
                order.join(", ")
            );
            match self.keys(spec, sql, Vec::new()).await?.into_iter().next() {
                Some(k) => out.push(k),
                None => return Ok(None),
            }
        }
        let hi = out.pop().expect("two bounds");
        let lo = out.pop().expect("two bounds");
        Ok(Some((lo, hi)))
    }

    async fn split_points(
        &mut self,
        spec: &TableSpec,
        range: &KeyRange,
        parts: usize,
    ) -> Result<Vec<Vec<Value>>> {
        if parts < 2 {
            return Ok(Vec::new());
        }
        let count = self.count(spec, range).await?;
        if count < 2 {
            return Ok(Vec::new());
        }
        let step = count.div_ceil(parts as u64).max(1);
        let (w, params) = self.range_sql(spec, range)?;
        let cols: Vec<String> = spec
            .effective_key()
            .iter()
            .map(|&i| quote_ident(&spec.columns[i].name))
            .collect();
        let c = cols.join(", ");
        let sql = format!(
            "SELECT {c} FROM (SELECT {c}, ROW_NUMBER() OVER (ORDER BY {o}) AS sluice_rn FROM {f}{w}) s \
             WHERE s.sluice_rn > 1 AND (s.sluice_rn - 1) % {step} = 0 ORDER BY s.sluice_rn",
            o = Self::order_by(spec),
            f = self.from(spec),
        );
        self.keys(spec, sql, params).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(name: &str, precision: Option<u32>, scale: Option<u32>) -> SourceType {
        SourceType {
            schema: None,
            name: name.into(),
            length: None,
            precision,
            scale,
        }
    }

    #[test]
    fn kinds_follow_the_migration_type_mapping() {
        assert_eq!(
            kind_for(Some(&ty("datetime2", Some(7), None))),
            CanonKind::DateTime { frac_digits: 6 }
        );
        assert_eq!(
            kind_for(Some(&ty("datetime", None, None))),
            CanonKind::DateTime { frac_digits: 3 }
        );
        assert_eq!(
            kind_for(Some(&ty("money", None, None))),
            CanonKind::Decimal { scale: 4 }
        );
        assert_eq!(
            kind_for(Some(&ty("nchar", None, None))),
            CanonKind::Text {
                trim_trailing_spaces: true
            }
        );
        assert_eq!(
            kind_for(Some(&ty("uniqueidentifier", None, None))),
            CanonKind::Uuid
        );
        assert_eq!(
            kind_for(Some(&ty("decimal", Some(12), Some(3)))),
            CanonKind::Decimal { scale: 3 }
        );
    }
}
