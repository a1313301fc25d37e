//! Differential behaviour tests of converted routines: the original T-SQL runs
//! on Babelfish, the converted routine on seekdb, both on the same fixture
//! rows, and what a caller can observe is compared (result sets, OUTPUT
//! parameters, return value, raised error, table effects).
//!
//! The cases live in a table-driven manifest (`examples/routines/behaviour.toml`),
//! written in a portable subset of SQL: `[schema].[name]` names (translated to
//! `` `db_schema`.`name` `` for the target), literals both sides read alike.

use mysql_async::prelude::Queryable;
use serde::Deserialize;
use sluice_convert::ast::{DataType, Expr, Param, Routine, RoutineKind};
use std::collections::BTreeMap;

/// The manifest file.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Rows both servers load before the first case.
    pub fixture: Fixture,
    /// Named effect queries (portable), referenced by cases.
    #[serde(default)]
    pub effects: BTreeMap<String, String>,
    /// The cases, run in order on both servers.
    #[serde(default, rename = "case")]
    pub cases: Vec<Case>,
    /// Routines not run on Babelfish, with the reason.
    #[serde(default, rename = "skip")]
    pub skips: Vec<Skip>,
    /// Accepted differences, with the reason.
    #[serde(default, rename = "known")]
    pub known: Vec<Known>,
    /// Other databases the corpus names (`OtherDb.dbo.table`), created on both sides.
    #[serde(default, rename = "other_database")]
    pub other_databases: Vec<OtherDatabase>,
}

/// A database outside the sample that routines reach with three-part names.
#[derive(Debug, Deserialize)]
pub struct OtherDatabase {
    /// Its name on both sides (sluice maps `Db.dbo.t` to `` `Db`.`t` ``).
    pub name: String,
    /// Its tables, dropped before `sql` runs.
    #[serde(default)]
    pub drop: Vec<String>,
    /// Portable statements with unqualified table names, run inside it.
    pub sql: String,
}

impl OtherDatabase {
    /// Drops its tables, then `sql`, for Babelfish.
    pub fn babelfish_sql(&self) -> String {
        let mut s: String = self
            .drop
            .iter()
            .map(|t| format!("IF OBJECT_ID('{t}') IS NOT NULL DROP TABLE [{t}];\n"))
            .collect();
        s.push_str(&self.sql);
        s
    }

    /// Drops its tables, then `sql`, for the target (still portable: pass it through [`to_mysql`]).
    pub fn seekdb_sql(&self) -> String {
        let mut s: String = self
            .drop
            .iter()
            .map(|t| format!("DROP TABLE IF EXISTS [{t}];\n"))
            .collect();
        s.push_str(&self.sql);
        s
    }
}

/// Fixture rows.
#[derive(Debug, Deserialize)]
pub struct Fixture {
    /// Portable INSERTs, `;`-separated.
    pub sql: String,
    /// Extra rows for Babelfish only (tables with a `rowversion` column, which
    /// takes no explicit value there).
    #[serde(default)]
    pub babelfish: String,
    /// The same rows for seekdb (where the column is a plain `BINARY(8)`).
    #[serde(default)]
    pub seekdb: String,
}

/// One call (or statement) run on both servers.
#[derive(Debug, Deserialize, Clone)]
pub struct Case {
    /// The routine exercised, `schema.name` as in the corpus.
    pub routine: String,
    /// Procedure arguments by parameter name (without `@`), as portable literals.
    /// OUTPUT parameters given here start with that value.
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// A portable statement to run instead of calling the routine (views,
    /// functions, triggers).
    pub sql: Option<String>,
    /// The statement for Babelfish only, where the two sides call a routine
    /// differently (an inline table-valued function becomes a procedure).
    pub tsql: Option<String>,
    /// The (portable) statement for seekdb only; with `tsql`.
    pub mysql: Option<String>,
    /// Portable statements run on both servers before the case (not compared).
    pub before: Option<String>,
    /// Effect queries (names from `[effects]` or portable SELECTs) compared after the case.
    #[serde(default)]
    pub effects: Vec<String>,
    /// Compare result rows as multisets (the routine has no ORDER BY).
    #[serde(default)]
    pub unordered: bool,
    /// What the case shows.
    pub note: Option<String>,
    /// Where Babelfish's behaviour here is not SQL Server's documented one:
    /// what SQL Server does instead. The case is still compared with
    /// Babelfish, and the routine counts as a known difference with this reason.
    pub sql_server_differs: Option<String>,
}

/// A routine the test does not run on Babelfish.
#[derive(Debug, Deserialize)]
pub struct Skip {
    /// `schema.name`.
    pub routine: String,
    /// Why.
    pub reason: String,
}

/// A known semantic difference.
#[derive(Debug, Deserialize)]
pub struct Known {
    /// `schema.name`.
    pub routine: String,
    /// Which parts may differ: `error`, `results`, `outputs`, `effects` (all when empty).
    #[serde(default)]
    pub parts: Vec<String>,
    /// The rule in the converter's catalog that documents it, when there is one.
    pub rule: Option<String>,
    /// Why the difference is accepted (or which Babelfish deviation it is).
    pub reason: String,
}

impl Fixture {
    /// The common rows with one side's rows in place of the `-- @side` line.
    pub fn for_side(&self, side: &str) -> String {
        assert!(
            self.sql.contains("-- @side\n"),
            "fixture.sql needs a `-- @side` line"
        );
        self.sql
            .replacen("-- @side\n", &format!("{}\n;\n", side.trim()), 1)
    }
}

impl Manifest {
    /// Reads and parses the manifest.
    pub fn load(path: &std::path::Path) -> Manifest {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        toml::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
    }
}

/// Splits a script on `;` at the end of a line (the fixture's statement separator).
pub fn statements(sql: &str) -> Vec<String> {
    sql.split(";\n")
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .trim_end_matches(';')
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Translates portable SQL to the target: `[schema].[name]` becomes
/// `` `db_schema`.`name` `` (`dbo` is `db` itself), any other `[x]` becomes
/// `` `x` ``. String literals are left alone.
pub fn to_mysql(sql: &str, db: &str, schemas: &[&str]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    let ident = |chars: &[char], i: usize| -> Option<(String, usize)> {
        if chars.get(i) != Some(&'[') {
            return None;
        }
        let end = chars[i + 1..].iter().position(|&c| c == ']')? + i + 1;
        Some((chars[i + 1..end].iter().collect(), end + 1))
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.extend(&chars[start..i]);
            continue;
        }
        if let Some((name, next)) = ident(&chars, i) {
            let is_schema = |n: &str| schemas.iter().any(|s| s.eq_ignore_ascii_case(n));
            // `[OtherDb].[schema].[t]` → `OtherDb[_schema]`.`t` (sluice's cross-database mapping).
            if chars.get(next) == Some(&'.') && !is_schema(&name) {
                if let Some((schema, after)) = ident(&chars, next + 1) {
                    if chars.get(after) == Some(&'.') {
                        let target = if schema.eq_ignore_ascii_case("dbo") {
                            name.clone()
                        } else {
                            format!("{name}_{schema}")
                        };
                        out.push_str(&format!("`{target}`."));
                        i = after + 1;
                        continue;
                    }
                }
            }
            if chars.get(next) == Some(&'.') && is_schema(&name) {
                let target = if name.eq_ignore_ascii_case("dbo") {
                    db.to_string()
                } else {
                    format!("{db}_{name}")
                };
                out.push_str(&format!("`{target}`."));
                i = next + 1;
                continue;
            }
            out.push_str(&format!("`{name}`"));
            i = next;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// A T-SQL type as written in a declaration.
pub fn tsql_type(t: &DataType) -> String {
    let mut s = match &t.schema {
        Some(sc) => format!("[{sc}].[{}]", t.name),
        None => t.name.clone(),
    };
    if !t.args.is_empty() {
        let a: Vec<String> = t
            .args
            .iter()
            .map(|a| a.map_or("max".to_string(), |n| n.to_string()))
            .collect();
        s.push_str(&format!("({})", a.join(",")));
    }
    s
}

/// A parameter default as a literal both sides read alike.
fn default_literal(p: &Param) -> Option<String> {
    Some(match p.default.as_ref()? {
        Expr::Null => "NULL".into(),
        Expr::Number(n) => n.clone(),
        Expr::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Expr::Unary(op, e) if op == "-" => match e.as_ref() {
            Expr::Number(n) => format!("-{n}"),
            _ => return None,
        },
        _ => return None,
    })
}

fn arg<'a>(case: &'a Case, p: &Param) -> Option<&'a String> {
    case.args
        .iter()
        .find(|(k, _)| k.trim_start_matches('@').eq_ignore_ascii_case(&p.name))
        .map(|(_, v)| v)
}

/// First column of the result set that carries `rv` and the OUTPUT parameters.
pub const OUTPUTS_MARKER: &str = "sluice_outputs";

/// Takes the OUTPUT-parameter set (marked with [`OUTPUTS_MARKER`]) out of a
/// T-SQL batch's result sets: `rv` first, then each OUTPUT parameter.
pub fn take_outputs(
    sets: &mut Vec<Vec<Vec<String>>>,
    names: &mut Vec<Vec<String>>,
) -> Option<Vec<String>> {
    let i = sets
        .iter()
        .rposition(|s| s.len() == 1 && s[0].first().map(String::as_str) == Some(OUTPUTS_MARKER))?;
    if i < names.len() {
        names.remove(i);
    }
    let mut row = sets.remove(i).remove(0);
    row.remove(0);
    Some(row)
}

/// The T-SQL batch that calls a procedure and returns its OUTPUT parameters
/// and return value as a last result set (the marker, `rv`, then each OUTPUT parameter).
pub fn tsql_call(r: &Routine, case: &Case) -> String {
    let name = r.name.0.join("].[");
    let mut decl = vec!["DECLARE @sluice_rv int".to_string()];
    let mut args = Vec::new();
    let mut outs = vec![
        format!("'{OUTPUTS_MARKER}' AS [sluice_marker]"),
        "@sluice_rv AS [rv]".to_string(),
    ];
    for p in &r.params {
        let given = arg(case, p);
        if p.output {
            decl.push(format!(
                "DECLARE @o_{} {} = {}",
                p.name,
                tsql_type(&p.ty),
                given.map(String::as_str).unwrap_or("NULL")
            ));
            args.push(format!("@{} = @o_{} OUTPUT", p.name, p.name));
            outs.push(format!("@o_{} AS [{}]", p.name, p.name));
        } else if let Some(v) = given {
            args.push(format!("@{} = {v}", p.name));
        }
    }
    format!(
        "SET NOCOUNT ON;\n{};\nEXEC @sluice_rv = [{name}] {};\nSELECT {};",
        decl.join(";\n"),
        args.join(", "),
        outs.join(", ")
    )
}

/// The target's statements for the same call: variable setup, the CALL, and
/// the SELECT of `rv` and each OUTPUT parameter.
///
/// `tag` makes the SELECT's text unique: seekdb caches a plan per statement
/// text, with the result types the user variables had when it was first
/// compiled, and a DECIMAL variable read through another session's cached
/// `SELECT @v` comes back rounded to that plan's scale.
pub fn mysql_call(r: &Routine, case: &Case, db: &str, tag: usize) -> (Vec<String>, String, String) {
    let schema = if r.name.0.len() >= 2 {
        r.name.0[r.name.0.len() - 2].clone()
    } else {
        "dbo".into()
    };
    let target_db = if schema.eq_ignore_ascii_case("dbo") {
        db.to_string()
    } else {
        format!("{db}_{schema}")
    };
    let mut setup = vec!["SET @sluice_rv = NULL".to_string()];
    let mut args = Vec::new();
    let mut outs = Vec::new();
    for p in &r.params {
        let given = arg(case, p).cloned();
        if p.output {
            setup.push(format!(
                "SET @o_{} = {}",
                p.name,
                given.unwrap_or_else(|| "NULL".into())
            ));
            args.push(format!("@o_{}", p.name));
            outs.push(format!("@o_{}", p.name));
        } else {
            let v = given.or_else(|| default_literal(p)).unwrap_or_else(|| {
                panic!(
                    "case for {}: give @{} (no literal default)",
                    case.routine, p.name
                )
            });
            args.push(v);
        }
    }
    let returns = sluice_convert::routine::returns_value(&r.body);
    if returns {
        args.push("@sluice_rv".into());
    }
    let call = format!(
        "CALL `{target_db}`.`{}`({})",
        r.name.last(),
        args.join(", ")
    );
    let mut sel = vec![if returns {
        format!("@sluice_rv AS rv_{tag}")
    } else {
        // A procedure without RETURN n returns 0.
        format!("0 AS rv_{tag}")
    }];
    sel.extend(outs.iter().map(|o| format!("{o} AS {}_{tag}", &o[1..])));
    (setup, call, format!("SELECT {}", sel.join(", ")))
}

/// What a caller observed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// Result sets (rows of canonical texts) before any error.
    pub results: Vec<Vec<Vec<String>>>,
    /// The column names of each result set.
    pub columns: Vec<Vec<String>>,
    /// `rv` and the OUTPUT parameters (empty when an error was raised).
    pub outputs: Vec<String>,
    /// The raised error: (number as SQL Server would report it, message).
    pub error: Option<(i64, String)>,
    /// Effect query results.
    pub effects: Vec<Vec<Vec<String>>>,
}

/// Canonical text of a decoded T-SQL value.
pub fn canon_value(v: &sluice_engine::value::Value) -> String {
    use sluice_engine::value::Value as V;
    match v {
        V::Null => "NULL".into(),
        V::Bool(b) => (*b as u8).to_string(),
        V::Decimal(d) => canon_number(&d.to_string()),
        V::F32(f) => canon_float(*f as f64),
        V::F64(f) => canon_float(*f),
        V::String(s) => s.trim_end_matches(' ').to_string(),
        V::Bytes(b) => format!(
            "0x{}",
            b.iter().map(|x| format!("{x:02X}")).collect::<String>()
        ),
        V::Date(d) => d.to_string(),
        V::Time(t) => canon_time(&t.to_string()),
        V::DateTime(dt) => canon_time(&dt.to_string()),
        V::DateTimeOffset(o) => canon_time(&o.utc.to_string()),
        V::Uuid(u) => u.iter().map(|x| format!("{x:02x}")).collect(),
        V::Json(s) => s.clone(),
        other => other
            .as_i128()
            .map(|i| i.to_string())
            .unwrap_or_else(|| format!("{other:?}")),
    }
}

/// `12.5000` → `12.5`, `3.000` → `3`, `-0.00` → `0`.
pub fn canon_number(s: &str) -> String {
    let mut t = s.to_string();
    if t.contains('.') {
        t = t.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if t == "-0" || t.is_empty() {
        t = "0".into();
    }
    t
}

fn canon_float(f: f64) -> String {
    // Six significant digits: REAL/FLOAT texts differ in their last digits.
    if f == 0.0 {
        return "0".into();
    }
    let s = format!("{:.*e}", 5, f);
    let v: f64 = s.parse().unwrap_or(f);
    canon_number(&format!("{v}"))
}

/// Drops trailing zeros of a time's fraction: `10:00:00.0000000` → `10:00:00`.
pub fn canon_time(s: &str) -> String {
    match s.rsplit_once('.') {
        Some((head, frac)) if frac.chars().all(|c| c.is_ascii_digit()) && head.contains(':') => {
            let f = frac.trim_end_matches('0');
            if f.is_empty() {
                head.to_string()
            } else {
                format!("{head}.{f}")
            }
        }
        _ => s.to_string(),
    }
}

fn is_datetime_text(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && s[..19].chars().filter(|c| c.is_ascii_digit()).count() == 14
}

/// Canonical text of a target value, by its column type.
pub fn canon_mysql(v: &mysql_async::Value, col: &mysql_async::Column) -> String {
    use mysql_async::consts::ColumnType as T;
    use mysql_async::Value as V;
    match v {
        V::NULL => "NULL".into(),
        V::Int(i) => i.to_string(),
        V::UInt(u) => u.to_string(),
        V::Float(f) => canon_float(*f as f64),
        V::Double(f) => canon_float(*f),
        V::Bytes(b) => {
            let ty = col.column_type();
            match ty {
                T::MYSQL_TYPE_BIT => b.iter().fold(0u64, |a, x| (a << 8) | *x as u64).to_string(),
                T::MYSQL_TYPE_DECIMAL | T::MYSQL_TYPE_NEWDECIMAL => {
                    canon_number(&String::from_utf8_lossy(b))
                }
                T::MYSQL_TYPE_FLOAT | T::MYSQL_TYPE_DOUBLE => {
                    let s = String::from_utf8_lossy(b);
                    s.parse::<f64>()
                        .map(canon_float)
                        .unwrap_or_else(|_| s.into_owned())
                }
                T::MYSQL_TYPE_DATETIME
                | T::MYSQL_TYPE_TIMESTAMP
                | T::MYSQL_TYPE_TIME
                | T::MYSQL_TYPE_DATETIME2
                | T::MYSQL_TYPE_TIMESTAMP2
                | T::MYSQL_TYPE_TIME2 => canon_time(&String::from_utf8_lossy(b)),
                _ if col.character_set() == 63
                    && !matches!(
                        ty,
                        T::MYSQL_TYPE_LONGLONG
                            | T::MYSQL_TYPE_LONG
                            | T::MYSQL_TYPE_SHORT
                            | T::MYSQL_TYPE_TINY
                            | T::MYSQL_TYPE_INT24
                            | T::MYSQL_TYPE_DATE
                            | T::MYSQL_TYPE_NEWDATE
                            | T::MYSQL_TYPE_YEAR
                    ) =>
                {
                    // A user variable holding a number or a date comes back as binary text.
                    match std::str::from_utf8(b) {
                        Ok(s) if is_datetime_text(s) => canon_time(s),
                        Ok(s)
                            if !s.is_empty()
                                && s.contains('.')
                                && s.trim_start_matches('-')
                                    .chars()
                                    .all(|c| c.is_ascii_digit() || c == '.') =>
                        {
                            canon_number(s)
                        }
                        Ok(s)
                            if !s.is_empty()
                                && s.trim_start_matches('-')
                                    .chars()
                                    .all(|c| c.is_ascii_digit()) =>
                        {
                            s.to_string()
                        }
                        _ => format!(
                            "0x{}",
                            b.iter().map(|x| format!("{x:02X}")).collect::<String>()
                        ),
                    }
                }
                _ => {
                    let s = String::from_utf8_lossy(b);
                    if is_datetime_text(&s) {
                        canon_time(&s)
                    } else {
                        s.trim_end_matches(' ').to_string()
                    }
                }
            }
        }
        V::Date(y, mo, d, h, mi, s, us) => canon_time(&format!(
            "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}"
        )),
        V::Time(neg, d, h, mi, s, us) => canon_time(&format!(
            "{}{:02}:{mi:02}:{s:02}.{us:06}",
            if *neg { "-" } else { "" },
            *d * 24 + *h as u32
        )),
    }
}

/// Babelfish side: a session on the scratch database.
pub type Tds = sluice_mssql::MssqlClient;

/// Result sets (rows of canonical texts), each set's column names, and the error that ended them.
pub type Run = (
    Vec<Vec<Vec<String>>>,
    Vec<Vec<String>>,
    Option<(i64, String)>,
);

/// Runs a T-SQL batch; result sets until the first error, and that error.
pub async fn tds_run(
    client: &mut Tds,
    sql: &str,
) -> (Vec<Vec<Vec<String>>>, Option<(i64, String)>) {
    let (sets, _, error) = tds_run_named(client, sql).await;
    (sets, error)
}

/// [`tds_run`] with each result set's column names.
pub async fn tds_run_named(client: &mut Tds, sql: &str) -> Run {
    use futures_util::TryStreamExt;
    let mut sets: Vec<Vec<Vec<String>>> = Vec::new();
    let mut names: Vec<Vec<String>> = Vec::new();
    let mut error = None;
    match client.simple_query(sql).await {
        Err(e) => error = Some(tds_error(e)),
        Ok(mut stream) => loop {
            match stream.try_next().await {
                Ok(None) => break,
                Ok(Some(tiberius::QueryItem::Metadata(m))) => {
                    if !m.columns().is_empty() {
                        sets.push(Vec::new());
                        names.push(m.columns().iter().map(|c| c.name().to_string()).collect());
                    }
                }
                Ok(Some(tiberius::QueryItem::Row(row))) => {
                    let vals = sluice_mssql::decode::decode_row(&row, &[])
                        .map(|r| r.iter().map(canon_value).collect::<Vec<_>>())
                        .unwrap_or_else(|e| vec![format!("<decode error: {e}>")]);
                    if sets.is_empty() {
                        sets.push(Vec::new());
                        names.push(Vec::new());
                    }
                    sets.last_mut().unwrap().push(vals);
                }
                Err(e) => {
                    error = Some(tds_error(e));
                    break;
                }
            }
        },
    }
    (sets, names, error)
}

fn tds_error(e: tiberius::error::Error) -> (i64, String) {
    match e {
        tiberius::error::Error::Server(t) => (t.code() as i64, t.message().to_string()),
        other => (-1, other.to_string()),
    }
}

/// Runs target statements; result sets until the first error, and that error
/// (its number mapped back to SQL Server's: 30000–32767 → 50000–52767).
pub async fn my_run(
    conn: &mut mysql_async::Conn,
    sql: &str,
) -> (Vec<Vec<Vec<String>>>, Option<(i64, String)>) {
    let (sets, _, error) = my_run_named(conn, sql).await;
    (sets, error)
}

/// [`my_run`] with each result set's column names.
pub async fn my_run_named(conn: &mut mysql_async::Conn, sql: &str) -> Run {
    let mut sets = Vec::new();
    let mut names = Vec::new();
    let mut res = match conn.query_iter(sql).await {
        Ok(r) => r,
        Err(e) => return (sets, names, Some(my_error(e))),
    };
    loop {
        let cols = res.columns();
        let rows: Result<Vec<mysql_async::Row>, _> = res.collect().await;
        match rows {
            Ok(rows) => {
                if let Some(cols) = cols.filter(|c| !c.is_empty()) {
                    names.push(cols.iter().map(|c| c.name_str().into_owned()).collect());
                    sets.push(
                        rows.into_iter()
                            .map(|r| {
                                let r = r.unwrap();
                                r.iter()
                                    .zip(cols.iter())
                                    .map(|(v, c)| canon_mysql(v, c))
                                    .collect()
                            })
                            .collect(),
                    );
                }
            }
            Err(e) => return (sets, names, Some(my_error(e))),
        }
        if res.is_empty() {
            break;
        }
    }
    (sets, names, None)
}

fn my_error(e: mysql_async::Error) -> (i64, String) {
    match e {
        mysql_async::Error::Server(s) => {
            let code = s.code as i64;
            let code = if (30000..=32767).contains(&code) {
                code + 20000
            } else {
                code
            };
            (code, s.message)
        }
        other => (-1, other.to_string()),
    }
}

/// A user-defined error number (RAISERROR/THROW). Babelfish reports most of
/// its own errors as 33557097 (its README, trap 8): that one is a system error.
pub fn is_user_error(n: i64) -> bool {
    (50000..1_000_000).contains(&n)
}

/// How two observations differ (empty: identical).
pub fn differences(bf: &Observed, ob: &Observed, unordered: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // When both sides raised an error, an empty result set announced before
    // it (column metadata only) is each engine's own timing, not behaviour.
    let both_failed = bf.error.is_some() && ob.error.is_some();
    let sort = |sets: &[Vec<Vec<String>>]| -> Vec<Vec<Vec<String>>> {
        sets.iter()
            .filter(|s| !(both_failed && s.is_empty()))
            .map(|s| {
                let mut s = s.clone();
                if unordered {
                    s.sort();
                }
                s
            })
            .collect()
    };
    match (&bf.error, &ob.error) {
        (None, None) => {}
        (Some((bn, bm)), Some((on, om))) => {
            // A user error (50000+) must keep its number and text; a system
            // error's number and wording are each server's own.
            if (is_user_error(*bn) || is_user_error(*on)) && (bn != on || bm.trim() != om.trim()) {
                out.push((
                    "error".into(),
                    format!("Babelfish {bn} {bm:?}, seekdb {on} {om:?}"),
                ));
            }
        }
        (b, o) => out.push(("error".into(), format!("Babelfish {b:?}, seekdb {o:?}"))),
    }
    if bf.error.is_none() && ob.error.is_none() && bf.outputs != ob.outputs {
        out.push((
            "outputs".into(),
            format!("Babelfish {:?}, seekdb {:?}", bf.outputs, ob.outputs),
        ));
    }
    // Column names, where SQL Server gives one (an unnamed T-SQL column has
    // none; the target names it after the expression), case-insensitively.
    let named = |b: &[Vec<String>], o: &[Vec<String>]| -> bool {
        b.len() == o.len()
            && b.iter().zip(o).all(|(b, o)| {
                b.len() == o.len()
                    && b.iter()
                        .zip(o)
                        .all(|(b, o)| b.is_empty() || b.eq_ignore_ascii_case(o))
            })
    };
    if bf.results.len() == ob.results.len() && !named(&bf.columns, &ob.columns) {
        out.push((
            "columns".into(),
            format!("Babelfish {:?}, seekdb {:?}", bf.columns, ob.columns),
        ));
    }
    if sort(&bf.results) != sort(&ob.results) {
        out.push((
            "results".into(),
            format!("Babelfish {:?}, seekdb {:?}", bf.results, ob.results),
        ));
    }
    for (i, (b, o)) in bf.effects.iter().zip(&ob.effects).enumerate() {
        if b != o {
            out.push((
                "effects".into(),
                format!("effect {i}: Babelfish {b:?}, seekdb {o:?}"),
            ));
        }
    }
    out
}

/// The kind label used in the summary.
pub fn kind_label(k: &RoutineKind) -> &'static str {
    match k {
        RoutineKind::Procedure => "procedure",
        RoutineKind::View => "view",
        RoutineKind::Trigger => "trigger",
        _ => "function",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_names_map_to_target_databases() {
        let s = to_mysql(
            "SELECT [LineNo] FROM [clin].[Order Item] i JOIN [dbo].[Patient] p ON 1=1 WHERE x = '[clin].[a]'",
            "h",
            &["dbo", "clin"],
        );
        assert_eq!(
            s,
            "SELECT `LineNo` FROM `h_clin`.`Order Item` i JOIN `h`.`Patient` p ON 1=1 WHERE x = '[clin].[a]'"
        );
        assert_eq!(
            to_mysql(
                "SELECT * FROM [Arch].[dbo].[V], [Arch].[x].[W]",
                "h",
                &["dbo"]
            ),
            "SELECT * FROM `Arch`.`V`, `Arch_x`.`W`"
        );
    }

    #[test]
    fn canonical_texts() {
        assert_eq!(canon_number("12.5000"), "12.5");
        assert_eq!(canon_number("3.000"), "3");
        assert_eq!(canon_number("-0.00"), "0");
        assert_eq!(
            canon_time("2024-01-01 10:00:00.0000000"),
            "2024-01-01 10:00:00"
        );
        assert_eq!(
            canon_time("2024-01-01 10:00:00.120"),
            "2024-01-01 10:00:00.12"
        );
        assert_eq!(canon_time("1.50"), "1.50");
    }
}
