//! One side of `sluice verify` for MySQL-protocol servers (OceanBase MySQL
//! mode, MySQL, MariaDB).
//!
//! Chunk digests are computed by the server: the canonical framed text of
//! each row (see `sluice_engine::verify::canonical`) is built in SQL, hashed
//! with `MD5`, and the first 16 hex digits summed as unsigned integers, so only
//! a count and a sum cross the network per chunk. Tables with floating-point
//! columns are hashed on the client (no SQL renders a float the way the
//! canonical text does). Keys are compared and ordered as binary strings so
//! chunk boundaries fall on the same rows whatever the column collations.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Params, Row, Value as My};
use sluice_engine::error::{Error, Result};
use sluice_engine::event::TableRef;
use sluice_engine::value::{Date, DateTime, Decimal, Time, Value};
use sluice_engine::verify::canonical::row_hash;
use sluice_engine::verify::{CanonKind, ChunkDigest, ColumnSpec, KeyRange, TableSpec, VerifySide};

use crate::config::{redact_url, OceanBaseConfig};
use crate::conn::connect;

fn q(name: &str) -> String {
    sluice_engine::verify::repair::ident(sluice_engine::verify::Dialect::MySql, name)
}

/// Which of the spec's two table names this side reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source,
    Target,
}

/// A MySQL-protocol server as one side of a comparison.
pub struct MySqlVerifySide {
    conn: Conn,
    role: Role,
    label: String,
}

fn err(context: &str, e: impl std::fmt::Display) -> Error {
    Error::Connector {
        side: "verify",
        retryable: false,
        message: format!("{context}: {e}"),
    }
}

impl MySqlVerifySide {
    /// Connects (TLS when offered, session in UTC and utf8mb4).
    pub async fn connect(url: &str, role: Role) -> Result<Self> {
        let cfg = OceanBaseConfig::new(url);
        let c = connect(&cfg)
            .await
            .map_err(|e| err(&format!("connecting to {}", redact_url(url)), e))?;
        Ok(MySqlVerifySide {
            conn: c.conn,
            role,
            label: redact_url(url),
        })
    }

    fn table<'a>(&self, spec: &'a TableSpec) -> &'a TableRef {
        match self.role {
            Role::Source => &spec.source,
            Role::Target => &spec.target,
        }
    }

    fn from(&self, spec: &TableSpec) -> String {
        let t = self.table(spec);
        format!("{}.{}", q(&t.schema), q(&t.name))
    }

    /// The key columns as ordered in SQL (binary for text).
    fn key_exprs(spec: &TableSpec) -> Vec<String> {
        spec.effective_key()
            .iter()
            .map(|&i| order_expr(&spec.columns[i]))
            .collect()
    }

    /// `WHERE` text and parameters for a key range.
    fn range_sql(spec: &TableSpec, r: &KeyRange) -> (String, Vec<My>) {
        let keys = Self::key_exprs(spec);
        let kcols: Vec<&ColumnSpec> = spec
            .effective_key()
            .iter()
            .map(|&i| &spec.columns[i])
            .collect();
        let tuple = |exprs: &[String]| {
            if exprs.len() == 1 {
                exprs[0].clone()
            } else {
                format!("({})", exprs.join(", "))
            }
        };
        let mut conds = Vec::new();
        let mut params = Vec::new();
        for (bound, op) in [(&r.lo, ">="), (&r.hi, "<")] {
            if let Some(vals) = bound {
                let ph: Vec<String> = kcols.iter().map(|c| param_expr(c)).collect();
                conds.push(format!("{} {op} {}", tuple(&keys), tuple(&ph)));
                params.extend(vals.iter().map(to_param));
            }
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        (w, params)
    }

    async fn query_rows(&mut self, sql: String, params: Vec<My>) -> Result<Vec<Row>> {
        let p = if params.is_empty() {
            Params::Empty
        } else {
            Params::Positional(params)
        };
        self.conn
            .exec(sql, p)
            .await
            .map_err(|e| err(&format!("reading from {}", self.label), e))
    }
}

/// SQL rendering of one column's canonical text (must match `canonical_text`).
fn canon_sql(c: &ColumnSpec) -> String {
    let col = q(&c.name);
    match c.kind {
        CanonKind::Int => format!("CAST({col} AS CHAR)"),
        CanonKind::Bool => format!("IF({col} <> 0, '1', '0')"),
        CanonKind::Decimal { .. } => format!("CAST({col} AS CHAR)"),
        CanonKind::Float => unreachable!("float columns are hashed on the client"),
        CanonKind::Text {
            trim_trailing_spaces: true,
        } => format!("TRIM(TRAILING ' ' FROM CONVERT({col} USING utf8mb4))"),
        CanonKind::Text { .. } | CanonKind::Json => format!("CONVERT({col} USING utf8mb4)"),
        CanonKind::Bytes => format!("HEX({col})"),
        CanonKind::Date => format!("DATE_FORMAT({col}, '%Y-%m-%d')"),
        CanonKind::DateTime { frac_digits: 0 } => {
            format!("DATE_FORMAT({col}, '%Y-%m-%d %H:%i:%s')")
        }
        CanonKind::DateTime { frac_digits } => format!(
            "CONCAT(DATE_FORMAT({col}, '%Y-%m-%d %H:%i:%s.'), LEFT(DATE_FORMAT({col}, '%f'), {}))",
            frac_digits.min(6)
        ),
        CanonKind::Time { frac_digits: 0 } => format!("TIME_FORMAT({col}, '%H:%i:%s')"),
        CanonKind::Time { frac_digits } => format!(
            "CONCAT(TIME_FORMAT({col}, '%H:%i:%s.'), LEFT(TIME_FORMAT({col}, '%f'), {}))",
            frac_digits.min(6)
        ),
        CanonKind::Uuid => format!("LOWER(CONVERT({col} USING utf8mb4))"),
    }
}

/// The framed canonical row text in SQL.
fn framed_row_sql(spec: &TableSpec) -> String {
    let parts: Vec<String> = spec
        .columns
        .iter()
        .map(|c| {
            let t = canon_sql(c);
            format!(
                "IF({col} IS NULL, 'N;', CONCAT(LENGTH({t}), ':', {t}, ';'))",
                col = q(&c.name)
            )
        })
        .collect();
    format!("CONCAT({})", parts.join(", "))
}

fn order_expr(c: &ColumnSpec) -> String {
    match c.kind {
        CanonKind::Text { .. } | CanonKind::Uuid | CanonKind::Json => {
            format!("CAST({} AS BINARY)", q(&c.name))
        }
        _ => q(&c.name),
    }
}

fn param_expr(c: &ColumnSpec) -> String {
    match c.kind {
        CanonKind::Text { .. } | CanonKind::Uuid | CanonKind::Json => "CAST(? AS BINARY)".into(),
        _ => "?".into(),
    }
}

fn to_param(v: &Value) -> My {
    match v {
        Value::Null => My::NULL,
        Value::Bool(b) => My::Int(*b as i64),
        Value::String(s) | Value::Json(s) => My::Bytes(s.as_bytes().to_vec()),
        Value::Bytes(b) => My::Bytes(b.clone()),
        Value::Decimal(d) => My::Bytes(d.to_string().into_bytes()),
        Value::F32(f) => My::Float(*f),
        Value::F64(f) => My::Double(*f),
        Value::Uuid(u) => My::Bytes(sluice_engine::value::uuid_to_string(u).into_bytes()),
        Value::Date(d) => {
            let (y, m, dd) = d.ymd();
            My::Date(y as u16, m as u8, dd as u8, 0, 0, 0, 0)
        }
        Value::DateTime(dt) => datetime_param(dt),
        Value::DateTimeOffset(o) => datetime_param(&o.utc),
        Value::Time(t) => {
            let (h, m, s, f) = t.hms_ticks();
            My::Time(false, 0, h as u8, m as u8, s as u8, f / 10)
        }
        Value::U64(u) => My::UInt(*u),
        other => other
            .as_i128()
            .and_then(|i| i64::try_from(i).ok())
            .map(My::Int)
            .unwrap_or(My::NULL),
    }
}

fn datetime_param(dt: &DateTime) -> My {
    let (y, m, d) = dt.date.ymd();
    let (h, mi, s, f) = dt.time.hms_ticks();
    My::Date(
        y as u16,
        m as u8,
        d as u8,
        h as u8,
        mi as u8,
        s as u8,
        f / 10,
    )
}

/// Turns a server value into the engine value the column's kind compares.
fn from_mysql(v: My, kind: CanonKind, column: &str) -> Result<Value> {
    let bad = |what: &str| {
        err(
            &format!("column {column}"),
            format!("unexpected {what} for {kind:?}"),
        )
    };
    let text = |b: Vec<u8>| String::from_utf8(b).map_err(|_| bad("non-UTF-8 text"));
    Ok(match (v, kind) {
        (My::NULL, _) => Value::Null,
        (My::Int(i), CanonKind::Int | CanonKind::Bool) => Value::I64(i),
        (My::UInt(u), CanonKind::Int | CanonKind::Bool) => Value::U64(u),
        (My::Bytes(b), CanonKind::Int | CanonKind::Bool) => {
            let s = text(b)?;
            match s.parse::<i64>() {
                Ok(i) => Value::I64(i),
                Err(_) => Value::U64(s.parse().map_err(|_| bad("integer text"))?),
            }
        }
        (My::Bytes(b), CanonKind::Decimal { scale }) => {
            let s = text(b)?;
            let frac = s.split_once('.').map_or(0, |(_, f)| f.len()) as u8;
            Value::Decimal(
                Decimal::parse(&s, 38, frac.max(scale)).map_err(|_| bad("decimal text"))?,
            )
        }
        (My::Int(i), CanonKind::Decimal { .. }) => Value::I64(i),
        (My::UInt(u), CanonKind::Decimal { .. }) => Value::U64(u),
        (My::Float(f), CanonKind::Float) => Value::F32(f),
        (My::Double(d), CanonKind::Float) => Value::F64(d),
        (My::Bytes(b), CanonKind::Float) => {
            Value::F64(text(b)?.parse().map_err(|_| bad("float text"))?)
        }
        (My::Bytes(b), CanonKind::Bytes) => Value::Bytes(b),
        (My::Bytes(b), CanonKind::Text { .. } | CanonKind::Uuid) => Value::String(text(b)?),
        (My::Bytes(b), CanonKind::Json) => Value::Json(text(b)?),
        (My::Date(y, m, d, h, mi, s, us), CanonKind::Date | CanonKind::DateTime { .. }) => {
            let date =
                Date::from_ymd(y as i32, m as u32, d as u32).map_err(|e| bad(&e.to_string()))?;
            if kind == CanonKind::Date {
                Value::Date(date)
            } else {
                Value::DateTime(DateTime {
                    date,
                    time: Time::from_hms_ticks(h as u32, mi as u32, s as u32, us * 10)
                        .map_err(|e| bad(&e.to_string()))?,
                })
            }
        }
        (My::Time(neg, days, h, m, s, us), CanonKind::Time { .. }) => {
            if neg || days > 0 {
                return Err(bad("TIME outside 00:00..24:00"));
            }
            Value::Time(
                Time::from_hms_ticks(h as u32, m as u32, s as u32, us * 10)
                    .map_err(|e| bad(&e.to_string()))?,
            )
        }
        (other, _) => {
            return Err(bad(&format!("{other:?}")
                .chars()
                .take(40)
                .collect::<String>()))
        }
    })
}

impl VerifySide for MySqlVerifySide {
    fn label(&self) -> String {
        self.label.clone()
    }

    async fn count(&mut self, spec: &TableSpec, range: &KeyRange) -> Result<u64> {
        let (w, params) = Self::range_sql(spec, range);
        let sql = format!("SELECT COUNT(*) FROM {}{w}", self.from(spec));
        let row = self.query_rows(sql, params).await?.into_iter().next();
        Ok(row.and_then(|r| r.get(0)).unwrap_or(0))
    }

    async fn digest(&mut self, spec: &TableSpec, range: &KeyRange) -> Result<ChunkDigest> {
        if !spec.server_hashable() {
            let kinds = spec.kinds();
            let mut d = ChunkDigest::default();
            for r in self.rows(spec, range).await? {
                d.add_row(row_hash(&r, &kinds).map_err(|e| err("hashing", e))?);
            }
            return Ok(d);
        }
        let (w, params) = Self::range_sql(spec, range);
        let sql = format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CAST(CONV(LEFT(MD5({}), 16), 16, 10) AS UNSIGNED)), 0) AS CHAR) FROM {}{w}",
            framed_row_sql(spec),
            self.from(spec)
        );
        let rows = self.query_rows(sql, params).await?;
        let row = rows
            .into_iter()
            .next()
            .ok_or_else(|| err("digest", "no row"))?;
        let (count, sum): (u64, String) =
            mysql_async::from_row_opt(row).map_err(|e| err("digest", e))?;
        ChunkDigest::from_sum_text(count, &sum).ok_or_else(|| err("digest", "sum is not a number"))
    }

    async fn rows(&mut self, spec: &TableSpec, range: &KeyRange) -> Result<Vec<Vec<Value>>> {
        let (w, params) = Self::range_sql(spec, range);
        let cols: Vec<String> = spec.columns.iter().map(|c| q(&c.name)).collect();
        let sql = format!(
            "SELECT {} FROM {}{w} ORDER BY {}",
            cols.join(", "),
            self.from(spec),
            Self::key_exprs(spec).join(", ")
        );
        let rows = self.query_rows(sql, params).await?;
        rows.into_iter()
            .map(|r| {
                r.unwrap()
                    .into_iter()
                    .zip(&spec.columns)
                    .map(|(v, c)| from_mysql(v, c.kind, &c.name))
                    .collect()
            })
            .collect()
    }

    async fn rows_for_keys(
        &mut self,
        spec: &TableSpec,
        keys: &[Vec<Value>],
    ) -> Result<Vec<Vec<Value>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let kcols: Vec<&ColumnSpec> = spec
            .effective_key()
            .iter()
            .map(|&i| &spec.columns[i])
            .collect();
        let exprs = Self::key_exprs(spec);
        // Null-safe equality on the binary forms: exact, and NULL-matching
        // for tables whose "key" is every column.
        let one: Vec<String> = exprs
            .iter()
            .zip(&kcols)
            .map(|(e, c)| format!("{e} <=> {}", param_expr(c)))
            .collect();
        let one = format!("({})", one.join(" AND "));
        let w = vec![one; keys.len()].join(" OR ");
        let params: Vec<My> = keys.iter().flatten().map(to_param).collect();
        let cols: Vec<String> = spec.columns.iter().map(|c| q(&c.name)).collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE {w} ORDER BY {}",
            cols.join(", "),
            self.from(spec),
            exprs.join(", ")
        );
        let rows = self.query_rows(sql, params).await?;
        rows.into_iter()
            .map(|r| {
                r.unwrap()
                    .into_iter()
                    .zip(&spec.columns)
                    .map(|(v, c)| from_mysql(v, c.kind, &c.name))
                    .collect()
            })
            .collect()
    }

    async fn key_bounds(&mut self, spec: &TableSpec) -> Result<Option<(Vec<Value>, Vec<Value>)>> {
        let key_idx = spec.effective_key();
        let cols: Vec<String> = key_idx.iter().map(|&i| q(&spec.columns[i].name)).collect();
        let order = Self::key_exprs(spec);
        let mut out = Vec::new();
        for dir in ["ASC", "DESC"] {
            let ord: Vec<String> = order.iter().map(|o| format!("{o} {dir}")).collect();
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {} LIMIT 1",
                cols.join(", "),
                self.from(spec),
                ord.join(", ")
            );
            let Some(row) = self.query_rows(sql, vec![]).await?.into_iter().next() else {
                return Ok(None);
            };
            let vals = row
                .unwrap()
                .into_iter()
                .zip(&key_idx)
                .map(|(v, &i)| from_mysql(v, spec.columns[i].kind, &spec.columns[i].name))
                .collect::<Result<Vec<_>>>()?;
            out.push(vals);
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
        let (w, params) = Self::range_sql(spec, range);
        let count_sql = format!("SELECT COUNT(*) FROM {}{w}", self.from(spec));
        let row = self
            .query_rows(count_sql, params.clone())
            .await?
            .into_iter()
            .next();
        let count: u64 = row.and_then(|r| r.get(0)).unwrap_or(0);
        if count < 2 {
            return Ok(Vec::new());
        }
        let step = count.div_ceil(parts as u64).max(1);
        let key_idx = spec.effective_key();
        let cols: Vec<String> = key_idx.iter().map(|&i| q(&spec.columns[i].name)).collect();
        let order = Self::key_exprs(spec).join(", ");
        // Every step-th key in binary key order, in one pass.
        let sql = format!(
            "SELECT {c} FROM (SELECT {c}, ROW_NUMBER() OVER (ORDER BY {order}) AS sluice_rn FROM {from}{w}) x \
             WHERE MOD(sluice_rn - 1, {step}) = 0 AND sluice_rn > 1 ORDER BY sluice_rn",
            c = cols.join(", "),
            from = self.from(spec),
        );
        let rows = self.query_rows(sql, params).await?;
        rows.into_iter()
            .map(|r| {
                r.unwrap()
                    .into_iter()
                    .zip(&key_idx)
                    .map(|(v, &i)| from_mysql(v, spec.columns[i].kind, &spec.columns[i].name))
                    .collect()
            })
            .collect()
    }
}

/// The canonical kind for a column from `information_schema.COLUMNS`.
pub fn kind_for(
    data_type: &str,
    column_type: &str,
    scale: Option<u64>,
    dt_precision: Option<u64>,
) -> CanonKind {
    let dt = data_type.to_ascii_lowercase();
    match dt.as_str() {
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "year" => {
            CanonKind::Int
        }
        "bit" if column_type.eq_ignore_ascii_case("bit(1)") => CanonKind::Bool,
        "bit" => CanonKind::Int,
        "decimal" | "numeric" => CanonKind::Decimal {
            scale: scale.unwrap_or(0) as u8,
        },
        "float" | "double" | "real" => CanonKind::Float,
        "char" => CanonKind::Text {
            trim_trailing_spaces: true,
        },
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => {
            CanonKind::Bytes
        }
        "date" => CanonKind::Date,
        "datetime" | "timestamp" => CanonKind::DateTime {
            frac_digits: dt_precision.unwrap_or(0) as u8,
        },
        "time" => CanonKind::Time {
            frac_digits: dt_precision.unwrap_or(0) as u8,
        },
        "json" => CanonKind::Json,
        _ => CanonKind::Text {
            trim_trailing_spaces: false,
        },
    }
}

/// Builds the comparison spec of `source_db.table` (read from the source's
/// catalog) against `target_db.table`.
pub async fn spec_from_catalog(
    side: &mut MySqlVerifySide,
    source_db: &str,
    table: &str,
    target_db: &str,
) -> Result<TableSpec> {
    let rows = side
        .query_rows(
            "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_SCALE, DATETIME_PRECISION, COLUMN_KEY \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION"
                .into(),
            vec![source_db.into(), table.into()],
        )
        .await?;
    if rows.is_empty() {
        return Err(Error::Invalid(format!(
            "table {source_db}.{table} not found on the source"
        )));
    }
    let mut columns = Vec::new();
    let mut key = Vec::new();
    for (i, r) in rows.into_iter().enumerate() {
        let (name, dt, ct, scale, prec, ck): (
            String,
            String,
            String,
            Option<u64>,
            Option<u64>,
            String,
        ) = mysql_async::from_row_opt(r).map_err(|e| err("catalog", e))?;
        if ck == "PRI" {
            key.push(i);
        }
        columns.push(ColumnSpec {
            name,
            kind: kind_for(&dt, &ct, scale, prec),
        });
    }
    // COLUMN_KEY lists PK columns in table order; the key's own order matters for ranges.
    let pk: Vec<String> = side
        .query_rows(
            "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION"
                .into(),
            vec![source_db.into(), table.into()],
        )
        .await?
        .into_iter()
        .filter_map(|r| r.get::<String, _>(0))
        .collect();
    if pk.len() == key.len() && !pk.is_empty() {
        key = pk
            .iter()
            .filter_map(|n| columns.iter().position(|c| &c.name == n))
            .collect();
    }
    Ok(TableSpec {
        source: TableRef::new(source_db, table),
        target: TableRef::new(target_db, table),
        columns,
        key,
    })
}

/// Base tables of a database, by name.
pub async fn list_tables(side: &mut MySqlVerifySide, db: &str) -> Result<Vec<String>> {
    Ok(side
        .query_rows(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"
                .into(),
            vec![db.into()],
        )
        .await?
        .into_iter()
        .filter_map(|r| r.get::<String, _>(0))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_types_map_to_kinds() {
        assert_eq!(
            kind_for("bigint", "bigint(20) unsigned", None, None),
            CanonKind::Int
        );
        assert_eq!(
            kind_for("decimal", "decimal(19,4)", Some(4), None),
            CanonKind::Decimal { scale: 4 }
        );
        assert_eq!(
            kind_for("char", "char(10)", None, None),
            CanonKind::Text {
                trim_trailing_spaces: true
            }
        );
        assert_eq!(
            kind_for("datetime", "datetime(6)", None, Some(6)),
            CanonKind::DateTime { frac_digits: 6 }
        );
        assert_eq!(kind_for("bit", "bit(1)", None, None), CanonKind::Bool);
        assert_eq!(kind_for("double", "double", None, None), CanonKind::Float);
    }

    #[test]
    fn range_sql_uses_binary_order_for_text_keys() {
        let spec = TableSpec {
            source: TableRef::new("a", "t"),
            target: TableRef::new("b", "t"),
            columns: vec![ColumnSpec {
                name: "code".into(),
                kind: CanonKind::Text {
                    trim_trailing_spaces: false,
                },
            }],
            key: vec![0],
        };
        let r = KeyRange {
            lo: Some(vec![Value::String("A".into())]),
            hi: Some(vec![Value::String("b".into())]),
        };
        let (w, p) = MySqlVerifySide::range_sql(&spec, &r);
        assert_eq!(
            w,
            " WHERE CAST(`code` AS BINARY) >= CAST(? AS BINARY) AND CAST(`code` AS BINARY) < CAST(? AS BINARY)"
        );
        assert_eq!(p.len(), 2);
    }
}
