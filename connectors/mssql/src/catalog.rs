//! `sys.*` catalog views → the engine's schema model ([`Catalog`]).
//!
//! Every query is written from Microsoft's documentation of the catalog view
//! it reads (<https://learn.microsoft.com/sql/relational-databases/system-catalog-views/>),
//! and runs unchanged on Babelfish, whose catalog differs in places (its
//! README's traps 6 and 7). Where the difference matters it is handled here
//! and the comment names the trap:
//! - trap 7: `sys.columns.system_type_id` is a PostgreSQL OID, so types are
//!   always resolved through `user_type_id` joined to `sys.types`;
//! - trap 6: secondary index names are mangled (`<name><table><32 hex>`):
//!   [`unmangle_index_name`] strips the suffix;
//! - trap 6: every table is a heap and every index NONCLUSTERED: a primary
//!   key is reported clustered (SQL Server's default) on Babelfish;
//! - trap 6: default-constraint names are generated, so they are dropped
//!   (`None`) rather than reported as if the user had chosen them;
//! - trap 6: expression text (defaults, checks, computed columns, filters)
//!   is PostgreSQL-style (`((qty > 0))`, `sysdatetime()`); it is kept as the
//!   server gives it — converters must parse both spellings;
//! - trap 6: `sys.sequences` is empty, so sequences are missing on Babelfish;
//! - trap 6: `sys.partitions.rows` is an estimate and `dm_db_partition_stats`
//!   does not exist: [`row_counts`] counts with `COUNT_BIG(*)` there, and
//!   [`table_stats`] does the same and reports no sizes, with a note.
//!
//! - not in the kit's list: Babelfish reports `is_rowguidcol = 0` for a
//!   `ROWGUIDCOL` column and reports inline TVFs as type `FN`;
//! - not in the kit's list: `sys.identity_columns.seed_value` and
//!   `increment_value` are NULL for tables outside `dbo`: `IDENT_SEED` /
//!   `IDENT_INCR` fill them in;
//! - not in the kit's list: a `rowversion` column carries a default
//!   (`get_current_full_xact_id()`), which SQL Server never has: dropped.
//!
//! Column collations equal to the database's default are cleared (`None`,
//! as in a script without `COLLATE`): `sys.columns` names one for every
//! character column, on SQL Server as on Babelfish.
//!
//! Collation names come back as the server spells them (Babelfish:
//! `bbf_unicode_cp1_ci_as` for SQL Server's `SQL_Latin1_General_CP1_CI_AS`).

use std::collections::HashMap;

use sluice_engine::schema::{
    Catalog, CheckConstraint, Column, ColumnDefault, Computed, ForeignKey, Identity, Index,
    IndexColumn, IndexKind, KeyConstraint, Length, ObjectName, ReferentialAction, Routine,
    RoutineKind, Sequence, SourceType, Synonym, Table, TableStats, UserType, UserTypeKind,
};
use sluice_engine::value::Value;

use crate::connect::MssqlClient;
use crate::decode::decode_row;
use crate::error::{Error, Result};

/// Which server answers: SQL Server itself, or Babelfish for PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    SqlServer,
    Babelfish,
}

/// Detects the flavor from `@@VERSION` (Babelfish reports SQL Server 2014's
/// version number, trap 10, so only the text tells them apart).
pub async fn flavor(client: &mut MssqlClient) -> Result<Flavor> {
    let rows = query(client, "detect server flavor", "SELECT @@VERSION").await?;
    let text = rows
        .first()
        .and_then(|r| r.first())
        .map(text_of)
        .unwrap_or_default();
    Ok(if text.contains("Babelfish") {
        Flavor::Babelfish
    } else {
        Flavor::SqlServer
    })
}

/// Runs a query without parameters and decodes every row of its first result.
pub async fn query(client: &mut MssqlClient, context: &str, sql: &str) -> Result<Vec<Vec<Value>>> {
    let stream = client
        .simple_query(sql)
        .await
        .map_err(|e| Error::query(context, e))?;
    let rows: Vec<tiberius::Row> = stream
        .into_first_result()
        .await
        .map_err(|e| Error::query(context, e))?;
    rows.iter().map(|r| decode_row(r, &[])).collect()
}

/// A string value's text; empty for others.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn opt_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// An integer-ish catalog value (`bit`, any int, scale-0 decimal) as `i64`; 0 for others.
pub fn int_of(v: &Value) -> i64 {
    match v {
        Value::Bool(b) => *b as i64,
        Value::Decimal(d) if d.scale == 0 => d.unscaled as i64,
        other => other.as_i128().unwrap_or(0) as i64,
    }
}

fn bool_of(v: &Value) -> bool {
    int_of(v) != 0
}

/// Strips Babelfish's index-name mangling (trap 6): Babelfish appends the
/// table name and a 32-hex-digit md5 to every secondary index name.
pub fn unmangle_index_name(name: &str, table: &str) -> String {
    let b = name.as_bytes();
    if b.len() > 32 + table.len() {
        let (head, hash) = name.split_at(name.len() - 32);
        if hash.bytes().all(|c| c.is_ascii_hexdigit()) {
            let lower = head.to_lowercase();
            if let Some(stripped) = lower.strip_suffix(&table.to_lowercase()) {
                return head[..stripped.len()].to_string();
            }
        }
    }
    name.to_string()
}

/// Builds a [`SourceType`] from `sys.types`/`sys.columns` fields.
///
/// `max_length` is bytes (-1 for `max`); n-types store two bytes per
/// character. Precision is set for decimal/numeric, and for time-like types
/// it holds the fractional-second digits (`sys.columns.scale`), as the model
/// documents.
pub fn source_type(
    name: &str,
    type_schema: Option<&str>,
    max_length: i64,
    precision: i64,
    scale: i64,
) -> SourceType {
    let name = name.to_lowercase();
    let mut t = SourceType {
        schema: type_schema.map(str::to_string),
        name: name.clone(),
        ..Default::default()
    };
    if t.schema.is_some() {
        return t;
    }
    match name.as_str() {
        "char" | "varchar" | "binary" | "varbinary" => {
            t.length = Some(if max_length == -1 {
                Length::Max
            } else {
                Length::N(max_length as u32)
            })
        }
        "nchar" | "nvarchar" => {
            t.length = Some(if max_length == -1 {
                Length::Max
            } else {
                Length::N(max_length as u32 / 2)
            })
        }
        "decimal" | "numeric" => {
            t.precision = Some(precision as u32);
            t.scale = Some(scale as u32);
        }
        "time" | "datetime2" | "datetimeoffset" => t.precision = Some(scale as u32),
        "float" if precision != 53 => t.precision = Some(precision as u32),
        _ => {}
    }
    t
}

const TABLES_SQL: &str = "\
SELECT t.object_id, s.name AS schema_name, t.name \
FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id \
WHERE t.is_ms_shipped = 0 AND s.name <> 'cdc' ORDER BY s.name, t.name";

// trap 7: the type comes from sys.types by user_type_id, never system_type_id.
const COLUMNS_SQL: &str = "\
SELECT c.object_id, c.column_id, c.name, ty.name AS type_name, \
  CASE WHEN ty.is_user_defined = 1 THEN SCHEMA_NAME(ty.schema_id) END AS type_schema, \
  c.max_length, c.precision, c.scale, c.is_nullable, c.collation_name, \
  c.is_identity, c.is_computed, c.is_rowguidcol, c.is_sparse, c.is_filestream \
FROM sys.columns c \
JOIN sys.types ty ON ty.user_type_id = c.user_type_id \
JOIN sys.tables t ON t.object_id = c.object_id \
WHERE t.is_ms_shipped = 0 \
ORDER BY c.object_id, c.column_id";

// Babelfish (not in the kit's list) leaves seed_value/increment_value NULL for
// identity columns of tables outside dbo; IDENT_SEED/IDENT_INCR answer there.
// On SQL Server both columns are always set, so the fallback never runs.
const IDENTITY_SQL: &str = "\
SELECT object_id, column_id, \
  COALESCE(CONVERT(bigint, seed_value), CONVERT(bigint, IDENT_SEED(QUOTENAME(OBJECT_SCHEMA_NAME(object_id)) \
    + '.' + QUOTENAME(OBJECT_NAME(object_id))))), \
  COALESCE(CONVERT(bigint, increment_value), CONVERT(bigint, IDENT_INCR(QUOTENAME(OBJECT_SCHEMA_NAME(object_id)) \
    + '.' + QUOTENAME(OBJECT_NAME(object_id))))), \
  is_not_for_replication FROM sys.identity_columns";

// Definitions are read separately (see `definitions`).
const COMPUTED_SQL: &str = "SELECT object_id, column_id, is_persisted FROM sys.computed_columns";

const DEFAULTS_SQL: &str = "\
SELECT parent_object_id, parent_column_id, name, object_id FROM sys.default_constraints";

/// Stands in for an expression the server failed to print, so the column or
/// constraint is still reported (and a converter flags it for manual work)
/// instead of the whole catalog read failing or the expression vanishing.
pub const UNREADABLE_EXPRESSION: &str = "/* sluice: the server could not print this expression */";

/// `definition` of an expression-bearing catalog view, keyed by `keys`.
///
/// One query normally. Babelfish fails the *whole* query when it cannot
/// deparse one expression (seen: a computed column with `CASE`, error
/// "unrecognized node type: 30"), so on failure each definition is read on
/// its own and the unreadable ones become [`UNREADABLE_EXPRESSION`], with a
/// warning naming the object.
async fn definitions(
    client: &mut MssqlClient,
    view: &str,
    key_cols: &[&str],
) -> Result<HashMap<Vec<i64>, String>> {
    let keys = key_cols.join(", ");
    let context = format!("expressions ({view})");
    let bulk = format!("SELECT {keys}, definition FROM {view}");
    let n = key_cols.len();
    let to_map = |rows: Vec<Vec<Value>>| -> HashMap<Vec<i64>, String> {
        rows.into_iter()
            .map(|r| (r[..n].iter().map(int_of).collect(), text_of(&r[n])))
            .collect()
    };
    match query(client, &context, &bulk).await {
        Ok(rows) => return Ok(to_map(rows)),
        Err(e) => tracing::warn!(view, error = %e, "reading expressions one by one"),
    }
    let ids = query(client, &context, &format!("SELECT {keys} FROM {view}")).await?;
    let mut out = HashMap::new();
    for id in ids {
        let key: Vec<i64> = id.iter().map(int_of).collect();
        let filter: Vec<String> = key_cols
            .iter()
            .zip(&key)
            .map(|(c, v)| format!("{c} = {v}"))
            .collect();
        let one = format!(
            "SELECT {keys}, definition FROM {view} WHERE {}",
            filter.join(" AND ")
        );
        match query(client, &context, &one).await {
            Ok(rows) => out.extend(to_map(rows)),
            Err(e) => {
                tracing::warn!(view, object_id = key[0], error = %e, "expression unreadable on this server");
                out.insert(key, UNREADABLE_EXPRESSION.to_string());
            }
        }
    }
    Ok(out)
}

/// Reads every user table with its columns, keys, indexes and constraints.
pub async fn read_tables(client: &mut MssqlClient, flavor: Flavor) -> Result<Vec<Table>> {
    let mut tables: Vec<(i64, Table)> = Vec::new();
    for r in query(client, "list tables (sys.tables)", TABLES_SQL).await? {
        tables.push((
            int_of(&r[0]),
            Table::new(ObjectName::new(text_of(&r[1]), text_of(&r[2])), Vec::new()),
        ));
    }
    let by_id: HashMap<i64, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    // column_id -> position in Table::columns, per table
    let mut col_pos: HashMap<(i64, i64), usize> = HashMap::new();
    for r in query(client, "list columns (sys.columns)", COLUMNS_SQL).await? {
        let Some(&ti) = by_id.get(&int_of(&r[0])) else {
            continue;
        };
        let ty = source_type(
            &text_of(&r[3]),
            opt_text(&r[4]).as_deref(),
            int_of(&r[5]),
            int_of(&r[6]),
            int_of(&r[7]),
        );
        let mut col = Column::new(text_of(&r[2]), ty);
        col.nullable = Some(bool_of(&r[8]));
        col.collation = opt_text(&r[9]);
        col.rowguidcol = bool_of(&r[12]);
        col.sparse = bool_of(&r[13]);
        col.filestream = bool_of(&r[14]);
        if bool_of(&r[11]) {
            // A computed column's type is derived from its expression; the model
            // leaves it undeclared (Babelfish reports numeric(38,38) here anyway).
            col.data_type = None;
            col.computed = Some(Computed {
                expression: String::new(),
                persisted: false,
            });
        }
        let (obj, t) = &mut tables[ti];
        col_pos.insert((*obj, int_of(&r[1])), t.columns.len());
        t.columns.push(col);
    }
    for r in query(
        client,
        "identity columns (sys.identity_columns)",
        IDENTITY_SQL,
    )
    .await?
    {
        if let Some(c) = column_mut(&mut tables, &by_id, &col_pos, int_of(&r[0]), int_of(&r[1])) {
            c.identity = Some(Identity {
                seed: int_of(&r[2]),
                increment: int_of(&r[3]),
                not_for_replication: bool_of(&r[4]),
            });
        }
    }
    let computed_defs =
        definitions(client, "sys.computed_columns", &["object_id", "column_id"]).await?;
    for r in query(
        client,
        "computed columns (sys.computed_columns)",
        COMPUTED_SQL,
    )
    .await?
    {
        let key = vec![int_of(&r[0]), int_of(&r[1])];
        if let Some(c) = column_mut(&mut tables, &by_id, &col_pos, key[0], key[1]) {
            c.computed = Some(Computed {
                expression: computed_defs
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| UNREADABLE_EXPRESSION.into()),
                persisted: bool_of(&r[2]),
            });
        }
    }
    let default_defs = definitions(client, "sys.default_constraints", &["object_id"]).await?;
    for r in query(client, "defaults (sys.default_constraints)", DEFAULTS_SQL).await? {
        if let Some(c) = column_mut(&mut tables, &by_id, &col_pos, int_of(&r[0]), int_of(&r[1])) {
            if is_rowversion(c) {
                // Babelfish implements rowversion with a default
                // (`get_current_full_xact_id()`); SQL Server cannot have a
                // default on a rowversion column (error 1755): not the user's.
                continue;
            }
            c.default = Some(ColumnDefault {
                // trap 6: Babelfish replaces the given name with a generated one.
                name: (flavor == Flavor::SqlServer).then(|| text_of(&r[2])),
                expression: default_defs
                    .get(&vec![int_of(&r[3])])
                    .cloned()
                    .unwrap_or_else(|| UNREADABLE_EXPRESSION.into()),
            });
        }
    }
    read_keys_and_indexes(client, flavor, &mut tables, &by_id, &col_pos).await?;
    read_foreign_keys(client, &mut tables, &by_id, &col_pos).await?;
    read_checks(client, &mut tables, &by_id, &col_pos).await?;
    Ok(tables.into_iter().map(|(_, t)| t).collect())
}

fn is_rowversion(c: &Column) -> bool {
    c.data_type.as_ref().is_some_and(|t| {
        t.schema.is_none()
            && (t.name.eq_ignore_ascii_case("rowversion")
                || t.name.eq_ignore_ascii_case("timestamp"))
    })
}

/// Clears column collations equal to the database's default: `sys.columns`
/// names a collation for every character column, but only one that differs
/// from the default was declared (`COLLATE`), which is what the model's
/// [`Column::collation`] holds (scripts carry no COLLATE for the default).
pub fn clear_default_collations(tables: &mut [Table], database_collation: Option<&str>) {
    let Some(db) = database_collation else {
        return;
    };
    for c in tables.iter_mut().flat_map(|t| t.columns.iter_mut()) {
        if c.collation
            .as_deref()
            .is_some_and(|x| x.eq_ignore_ascii_case(db))
        {
            c.collation = None;
        }
    }
}

fn column_mut<'a>(
    tables: &'a mut [(i64, Table)],
    by_id: &HashMap<i64, usize>,
    col_pos: &HashMap<(i64, i64), usize>,
    obj: i64,
    colid: i64,
) -> Option<&'a mut Column> {
    let ti = *by_id.get(&obj)?;
    let ci = *col_pos.get(&(obj, colid))?;
    tables[ti].1.columns.get_mut(ci)
}

fn column_name(
    tables: &[(i64, Table)],
    by_id: &HashMap<i64, usize>,
    col_pos: &HashMap<(i64, i64), usize>,
    obj: i64,
    colid: i64,
) -> Option<String> {
    let ti = *by_id.get(&obj)?;
    let ci = *col_pos.get(&(obj, colid))?;
    Some(tables[ti].1.columns[ci].name.clone())
}

const INDEXES_SQL: &str = "\
SELECT i.object_id, i.index_id, i.name, i.type, i.is_unique, i.is_primary_key, \
  i.is_unique_constraint, i.filter_definition, kc.name AS constraint_name \
FROM sys.indexes i \
JOIN sys.tables t ON t.object_id = i.object_id \
LEFT JOIN sys.key_constraints kc ON kc.parent_object_id = i.object_id AND kc.unique_index_id = i.index_id \
WHERE t.is_ms_shipped = 0 AND i.type > 0 \
ORDER BY i.object_id, i.index_id";

const INDEX_COLUMNS_SQL: &str = "\
SELECT ic.object_id, ic.index_id, ic.column_id, ic.key_ordinal, ic.is_descending_key, \
  ic.is_included_column, ic.index_column_id \
FROM sys.index_columns ic JOIN sys.tables t ON t.object_id = ic.object_id \
WHERE t.is_ms_shipped = 0 \
ORDER BY ic.object_id, ic.index_id, ic.key_ordinal, ic.index_column_id";

async fn read_keys_and_indexes(
    client: &mut MssqlClient,
    flavor: Flavor,
    tables: &mut [(i64, Table)],
    by_id: &HashMap<i64, usize>,
    col_pos: &HashMap<(i64, i64), usize>,
) -> Result<()> {
    // (object_id, index_id) -> (key columns, included columns)
    let mut cols: HashMap<(i64, i64), (Vec<IndexColumn>, Vec<String>)> = HashMap::new();
    for r in query(
        client,
        "index columns (sys.index_columns)",
        INDEX_COLUMNS_SQL,
    )
    .await?
    {
        let (obj, idx) = (int_of(&r[0]), int_of(&r[1]));
        let Some(name) = column_name(tables, by_id, col_pos, obj, int_of(&r[2])) else {
            continue;
        };
        let entry = cols.entry((obj, idx)).or_default();
        if bool_of(&r[5]) {
            entry.1.push(name);
        } else {
            entry.0.push(IndexColumn {
                name,
                descending: bool_of(&r[4]),
            });
        }
    }
    for r in query(client, "indexes (sys.indexes)", INDEXES_SQL).await? {
        let (obj, idx) = (int_of(&r[0]), int_of(&r[1]));
        let Some(&ti) = by_id.get(&obj) else { continue };
        let table = &mut tables[ti].1;
        let (key_cols, included) = cols.remove(&(obj, idx)).unwrap_or_default();
        // sys.indexes.type: 1 clustered, 2 nonclustered, 3 xml, 4 spatial,
        // 5 clustered columnstore, 6 nonclustered columnstore.
        let itype = int_of(&r[3]);
        let clustered = matches!(itype, 1 | 5);
        if bool_of(&r[5]) {
            table.primary_key = Some(KeyConstraint {
                name: opt_text(&r[8]).or_else(|| opt_text(&r[2])),
                columns: key_cols,
                // trap 6: Babelfish reports every index NONCLUSTERED; SQL
                // Server's default for a primary key is CLUSTERED.
                clustered: clustered || flavor == Flavor::Babelfish,
            });
        } else if bool_of(&r[6]) {
            table.unique_constraints.push(KeyConstraint {
                name: opt_text(&r[8]).or_else(|| opt_text(&r[2])),
                columns: key_cols,
                clustered,
            });
        } else {
            let raw = text_of(&r[2]);
            let name = match flavor {
                Flavor::Babelfish => unmangle_index_name(&raw, &table.name.name),
                Flavor::SqlServer => raw,
            };
            table.indexes.push(Index {
                name,
                unique: bool_of(&r[4]),
                clustered,
                kind: match itype {
                    3 => IndexKind::Xml,
                    4 => IndexKind::Spatial,
                    5 | 6 => IndexKind::Columnstore,
                    _ => IndexKind::Rowstore,
                },
                columns: key_cols,
                included,
                filter: opt_text(&r[7]),
                options: Vec::new(),
                origin: None,
            });
        }
    }
    Ok(())
}

const FK_SQL: &str = "\
SELECT fk.object_id, fk.name, fk.parent_object_id, SCHEMA_NAME(rt.schema_id), rt.name, \
  fk.delete_referential_action, fk.update_referential_action, fk.is_not_for_replication, \
  fk.is_not_trusted, fk.is_disabled, fk.referenced_object_id \
FROM sys.foreign_keys fk JOIN sys.tables rt ON rt.object_id = fk.referenced_object_id \
ORDER BY fk.parent_object_id, fk.name";

const FK_COLUMNS_SQL: &str = "\
SELECT c.constraint_object_id, c.parent_column_id, rc.name \
FROM sys.foreign_key_columns c \
JOIN sys.columns rc ON rc.object_id = c.referenced_object_id AND rc.column_id = c.referenced_column_id \
ORDER BY c.constraint_object_id, c.constraint_column_id";

fn action(code: i64) -> ReferentialAction {
    // sys.foreign_keys.*_referential_action: 0 NO ACTION, 1 CASCADE, 2 SET NULL, 3 SET DEFAULT.
    match code {
        1 => ReferentialAction::Cascade,
        2 => ReferentialAction::SetNull,
        3 => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

async fn read_foreign_keys(
    client: &mut MssqlClient,
    tables: &mut [(i64, Table)],
    by_id: &HashMap<i64, usize>,
    col_pos: &HashMap<(i64, i64), usize>,
) -> Result<()> {
    let mut fk_cols: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for r in query(
        client,
        "foreign key columns (sys.foreign_key_columns)",
        FK_COLUMNS_SQL,
    )
    .await?
    {
        fk_cols
            .entry(int_of(&r[0]))
            .or_default()
            .push((int_of(&r[1]), text_of(&r[2])));
    }
    for r in query(client, "foreign keys (sys.foreign_keys)", FK_SQL).await? {
        let parent = int_of(&r[2]);
        let pairs = fk_cols.remove(&int_of(&r[0])).unwrap_or_default();
        let columns: Vec<String> = pairs
            .iter()
            .filter_map(|(cid, _)| column_name(tables, by_id, col_pos, parent, *cid))
            .collect();
        let Some(&ti) = by_id.get(&parent) else {
            continue;
        };
        tables[ti].1.foreign_keys.push(ForeignKey {
            name: opt_text(&r[1]),
            columns,
            referenced_table: ObjectName::new(text_of(&r[3]), text_of(&r[4])),
            referenced_columns: pairs.into_iter().map(|(_, n)| n).collect(),
            on_delete: action(int_of(&r[5])),
            on_update: action(int_of(&r[6])),
            not_for_replication: bool_of(&r[7]),
            trusted: !bool_of(&r[8]),
            enabled: !bool_of(&r[9]),
        });
    }
    Ok(())
}

const CHECKS_SQL: &str = "\
SELECT parent_object_id, parent_column_id, name, object_id, is_not_for_replication, \
  is_not_trusted, is_disabled FROM sys.check_constraints ORDER BY parent_object_id, name";

async fn read_checks(
    client: &mut MssqlClient,
    tables: &mut [(i64, Table)],
    by_id: &HashMap<i64, usize>,
    col_pos: &HashMap<(i64, i64), usize>,
) -> Result<()> {
    let defs = definitions(client, "sys.check_constraints", &["object_id"]).await?;
    for r in query(
        client,
        "check constraints (sys.check_constraints)",
        CHECKS_SQL,
    )
    .await?
    {
        let obj = int_of(&r[0]);
        let column = match int_of(&r[1]) {
            0 => None,
            cid => column_name(tables, by_id, col_pos, obj, cid),
        };
        let Some(&ti) = by_id.get(&obj) else { continue };
        tables[ti].1.checks.push(CheckConstraint {
            name: opt_text(&r[2]),
            // trap 6: PG-style text on Babelfish (`((qty > 0))`).
            expression: defs
                .get(&vec![int_of(&r[3])])
                .cloned()
                .unwrap_or_else(|| UNREADABLE_EXPRESSION.into()),
            column,
            not_for_replication: bool_of(&r[4]),
            trusted: !bool_of(&r[5]),
            enabled: !bool_of(&r[6]),
        });
    }
    Ok(())
}

// sys.objects.type: V view, P procedure, FN scalar function, IF inline TVF,
// TF multi-statement TVF, TR trigger. Babelfish reports inline TVFs as FN.
const ROUTINES_SQL: &str = "\
SELECT o.type, SCHEMA_NAME(o.schema_id), o.name, m.definition, \
  CASE WHEN o.parent_object_id <> 0 THEN SCHEMA_NAME(p.schema_id) END, p.name \
FROM sys.objects o \
JOIN sys.sql_modules m ON m.object_id = o.object_id \
LEFT JOIN sys.objects p ON p.object_id = o.parent_object_id \
WHERE o.is_ms_shipped = 0 AND o.type IN ('V', 'P', 'FN', 'IF', 'TF', 'TR') AND SCHEMA_NAME(o.schema_id) <> 'cdc' \
ORDER BY o.type, SCHEMA_NAME(o.schema_id), o.name";

// Database-level DDL triggers are not schema-scoped objects; they are only in sys.triggers.
const DDL_TRIGGERS_SQL: &str = "\
SELECT t.name, m.definition FROM sys.triggers t JOIN sys.sql_modules m ON m.object_id = t.object_id \
WHERE t.parent_class = 0";

/// Reads views, procedures, functions and triggers with their definitions.
pub async fn read_routines(client: &mut MssqlClient) -> Result<Vec<Routine>> {
    let mut out = Vec::new();
    for r in query(
        client,
        "routines (sys.objects, sys.sql_modules)",
        ROUTINES_SQL,
    )
    .await?
    {
        let kind = match text_of(&r[0]).trim() {
            "V" => RoutineKind::View,
            "P" => RoutineKind::Procedure,
            "TR" => RoutineKind::Trigger,
            _ => RoutineKind::Function,
        };
        out.push(Routine {
            kind,
            name: ObjectName::new(text_of(&r[1]), text_of(&r[2])),
            parent: opt_text(&r[5])
                .map(|p| ObjectName::new(opt_text(&r[4]).unwrap_or_else(|| "dbo".into()), p)),
            definition: text_of(&r[3]),
            origin: None,
        });
    }
    // Babelfish has no DDL triggers to list; a missing view is not an error there.
    if let Ok(rows) = query(client, "ddl triggers (sys.triggers)", DDL_TRIGGERS_SQL).await {
        for r in rows {
            out.push(Routine {
                kind: RoutineKind::Trigger,
                name: ObjectName {
                    name: text_of(&r[0]),
                    ..Default::default()
                },
                parent: None,
                definition: text_of(&r[1]),
                origin: None,
            });
        }
    }
    Ok(out)
}

const SEQUENCES_SQL: &str = "\
SELECT SCHEMA_NAME(s.schema_id), s.name, ty.name, CONVERT(decimal(38,0), s.start_value), \
  CONVERT(decimal(38,0), s.increment), CONVERT(decimal(38,0), s.minimum_value), \
  CONVERT(decimal(38,0), s.maximum_value), s.is_cycling, s.cache_size, s.is_cached \
FROM sys.sequences s JOIN sys.types ty ON ty.user_type_id = s.user_type_id";

/// Reads sequences (none on Babelfish, whose `sys.sequences` is empty: trap 6).
pub async fn read_sequences(client: &mut MssqlClient) -> Result<Vec<Sequence>> {
    let mut out = Vec::new();
    for r in query(client, "sequences (sys.sequences)", SEQUENCES_SQL).await? {
        let big = |v: &Value| match v {
            Value::Decimal(d) => Some(d.unscaled),
            Value::Null => None,
            other => other.as_i128(),
        };
        out.push(Sequence {
            name: ObjectName::new(text_of(&r[0]), text_of(&r[1])),
            data_type: SourceType::named(&text_of(&r[2])),
            start: big(&r[3]),
            increment: big(&r[4]).unwrap_or(1),
            min_value: big(&r[5]),
            max_value: big(&r[6]),
            cycle: bool_of(&r[7]),
            cache: if bool_of(&r[9]) { big(&r[8]) } else { None },
            origin: None,
        });
    }
    Ok(out)
}

/// Parses `sys.synonyms.base_object_name` (`[db].[schema].[name]`, brackets optional).
pub fn parse_multipart(name: &str) -> ObjectName {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_br = false;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' if !in_br => in_br = true,
            ']' if in_br && chars.peek() == Some(&']') => {
                cur.push(']');
                chars.next();
            }
            ']' if in_br => in_br = false,
            '.' if !in_br => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    let mut it = parts.into_iter().rev();
    let name = it.next().unwrap_or_default();
    let schema = it.next().filter(|s| !s.is_empty());
    let database = it.next().filter(|s| !s.is_empty());
    let server = it.next().filter(|s| !s.is_empty());
    ObjectName {
        server,
        database,
        schema,
        name,
    }
}

/// Reads synonyms (Babelfish has none: `CREATE SYNONYM` is unsupported there).
pub async fn read_synonyms(client: &mut MssqlClient) -> Result<Vec<Synonym>> {
    let rows = query(
        client,
        "synonyms (sys.synonyms)",
        "SELECT SCHEMA_NAME(schema_id), name, base_object_name FROM sys.synonyms",
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Synonym {
            name: ObjectName::new(text_of(&r[0]), text_of(&r[1])),
            target: parse_multipart(&text_of(&r[2])),
            origin: None,
        })
        .collect())
}

// Alias types: the base is the system type whose user_type_id equals the
// alias's system_type_id (documented for sys.types); joining on user_type_id
// also works on Babelfish (trap 7).
const USER_TYPES_SQL: &str = "\
SELECT SCHEMA_NAME(t.schema_id), t.name, b.name, t.max_length, t.precision, t.scale, t.is_nullable, \
  t.is_table_type, tt.type_table_object_id \
FROM sys.types t \
LEFT JOIN sys.types b ON b.user_type_id = t.system_type_id \
LEFT JOIN sys.table_types tt ON tt.user_type_id = t.user_type_id \
WHERE t.is_user_defined = 1 ORDER BY 1, 2";

const TABLE_TYPE_COLUMNS_SQL: &str = "\
SELECT c.object_id, c.name, ty.name, c.max_length, c.precision, c.scale, c.is_nullable \
FROM sys.table_types tt JOIN sys.columns c ON c.object_id = tt.type_table_object_id \
JOIN sys.types ty ON ty.user_type_id = c.user_type_id ORDER BY c.object_id, c.column_id";

/// Reads alias and table types.
pub async fn read_user_types(client: &mut MssqlClient) -> Result<Vec<UserType>> {
    let mut tt_cols: HashMap<i64, Vec<Column>> = HashMap::new();
    for r in query(
        client,
        "table type columns (sys.table_types)",
        TABLE_TYPE_COLUMNS_SQL,
    )
    .await?
    {
        let mut c = Column::new(
            text_of(&r[1]),
            source_type(
                &text_of(&r[2]),
                None,
                int_of(&r[3]),
                int_of(&r[4]),
                int_of(&r[5]),
            ),
        );
        c.nullable = Some(bool_of(&r[6]));
        tt_cols.entry(int_of(&r[0])).or_default().push(c);
    }
    let mut out = Vec::new();
    for r in query(client, "user types (sys.types)", USER_TYPES_SQL).await? {
        let kind = if bool_of(&r[7]) {
            UserTypeKind::Table {
                columns: tt_cols.remove(&int_of(&r[8])).unwrap_or_default(),
            }
        } else {
            UserTypeKind::Alias {
                base: source_type(
                    &text_of(&r[2]),
                    None,
                    int_of(&r[3]),
                    int_of(&r[4]),
                    int_of(&r[5]),
                ),
                nullable: bool_of(&r[6]),
            }
        };
        out.push(UserType {
            name: ObjectName::new(text_of(&r[0]), text_of(&r[1])),
            kind,
            origin: None,
        });
    }
    Ok(out)
}

/// Reads the whole catalog of the connected database.
pub async fn read_catalog(client: &mut MssqlClient) -> Result<Catalog> {
    let flavor = flavor(client).await?;
    let db = query(
        client,
        "current database",
        "SELECT DB_NAME(), CONVERT(nvarchar(128), DATABASEPROPERTYEX(DB_NAME(), 'Collation'))",
    )
    .await?;
    let schemas = query(
        client,
        "schemas (sys.schemas)",
        // Not `schema_id < 16384` (SQL Server's user range): Babelfish's ids are PG OIDs.
        "SELECT s.name FROM sys.schemas s WHERE s.name NOT IN ('dbo','guest','sys','INFORMATION_SCHEMA','cdc') \
         AND s.name NOT LIKE 'db[_]%' ORDER BY s.name",
    )
    .await
    .unwrap_or_default();
    // Babelfish names it its own way (`bbf_unicode_cp1_ci_as`).
    let collation = db.first().and_then(|r| r.get(1)).and_then(opt_text);
    // sluice's own cursor table is not the application's schema.
    let mut tables: Vec<Table> = read_tables(client, flavor)
        .await?
        .into_iter()
        .filter(|t| !t.name.name.eq_ignore_ascii_case(crate::sink::CURSOR_TABLE))
        .collect();
    clear_default_collations(&mut tables, collation.as_deref());
    let tables = with_stats(client, tables).await?;
    Ok(Catalog {
        database: db.first().and_then(|r| r.first()).and_then(opt_text),
        collation,
        schemas: schemas.iter().map(|r| text_of(&r[0])).collect(),
        tables,
        routines: read_routines(client).await?,
        sequences: read_sequences(client).await?,
        synonyms: read_synonyms(client).await?,
        user_types: read_user_types(client).await?,
    })
}

/// `tables` with their [`TableStats`] filled in.
async fn with_stats(client: &mut MssqlClient, mut tables: Vec<Table>) -> Result<Vec<Table>> {
    let stats = table_stats(client, &tables).await?;
    for t in &mut tables {
        t.stats = stats
            .iter()
            .find(|(n, _)| {
                n.schema_or_dbo()
                    .eq_ignore_ascii_case(t.name.schema_or_dbo())
                    && n.name.eq_ignore_ascii_case(&t.name.name)
            })
            .map(|(_, s)| s.clone());
    }
    Ok(tables)
}

/// One page is 8 KB ("Pages and Extents Architecture Guide").
const PAGE_BYTES: u64 = 8192;

/// Rows and sizes per user table, the way `sp_spaceused` computes them, from
/// `sys.dm_db_partition_stats` (one row per partition of every heap, clustered
/// and nonclustered index; page counts in 8 KB pages):
/// <https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-db-partition-stats-transact-sql>
/// and `sp_spaceused`'s definitions of reserved, data and index size:
/// <https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-spaceused-transact-sql>.
/// - rows: `row_count` of the heap or clustered index (`index_id` 0 or 1)
///   only — nonclustered indexes repeat the rows. The documentation calls it
///   approximate: it is maintained with the partition, not counted;
/// - reserved: `reserved_page_count`, every index;
/// - used: `used_page_count`, every index (`sp_spaceused`'s data + index_size);
/// - data: `in_row_data_page_count + lob_used_page_count +
///   row_overflow_used_page_count` of the heap or clustered index.
///
/// Internal tables (XML and full-text indexes) that `sp_spaceused` also adds
/// are not included. The view needs VIEW DATABASE STATE (SQL Server 2022:
/// VIEW DATABASE PERFORMANCE STATE). When it cannot be read — Babelfish has
/// no such view (trap 6), or the permission is missing — rows are counted
/// with `COUNT_BIG(*)`, sizes stay unknown, and each table's note says why.
/// Only a lost connection is an error.
pub async fn table_stats(
    client: &mut MssqlClient,
    tables: &[Table],
) -> Result<Vec<(ObjectName, TableStats)>> {
    let dmv = query(
        client,
        "table sizes (sys.dm_db_partition_stats)",
        "SELECT SCHEMA_NAME(t.schema_id), t.name, \
         SUM(CASE WHEN ps.index_id IN (0, 1) THEN ps.row_count ELSE 0 END), \
         SUM(ps.reserved_page_count), SUM(ps.used_page_count), \
         SUM(CASE WHEN ps.index_id IN (0, 1) THEN ps.in_row_data_page_count \
             + ps.lob_used_page_count + ps.row_overflow_used_page_count ELSE 0 END) \
         FROM sys.dm_db_partition_stats ps JOIN sys.tables t ON t.object_id = ps.object_id \
         GROUP BY t.schema_id, t.name",
    )
    .await;
    let why = match dmv {
        Ok(rows) => return Ok(rows.iter().map(|r| stats_of_dmv_row(r)).collect()),
        Err(e) if e.is_retryable() => return Err(e),
        Err(e) => server_text(&e),
    };
    let note = format!(
        "sizes unknown: sys.dm_db_partition_stats could not be read ({why}; Babelfish has no such \
         view, SQL Server needs VIEW DATABASE STATE); rows counted with COUNT_BIG(*)"
    );
    let mut out = Vec::new();
    for t in tables {
        let sql = format!(
            "SELECT COUNT_BIG(*) FROM {}",
            crate::connect::quote_table(t.name.schema_or_dbo(), &t.name.name)
        );
        let (rows, note) = match query(client, "row count (COUNT_BIG)", &sql).await {
            Ok(r) => (r.first().map(|r| int_of(&r[0]).max(0) as u64), note.clone()),
            Err(e) if e.is_retryable() => return Err(e),
            Err(e) => (None, format!("{note}, which failed: {}", server_text(&e))),
        };
        out.push((
            t.name.clone(),
            TableStats {
                rows,
                note: Some(note),
                ..TableStats::default()
            },
        ));
    }
    Ok(out)
}

/// The server's own words from an error (tiberius wraps them as
/// `Token error: '…' on server … (code: …)`), else the whole error.
fn server_text(e: &Error) -> String {
    let s = e.to_string();
    s.split_once("Token error: '")
        .and_then(|(_, rest)| rest.rsplit_once("' on server"))
        .map_or(s.clone(), |(msg, _)| msg.to_string())
}

/// One row of [`table_stats`]'s query: schema, table, rows, then reserved,
/// used and data pages.
fn stats_of_dmv_row(r: &[Value]) -> (ObjectName, TableStats) {
    let pages = |v: &Value| Some((int_of(v).max(0) as u64).saturating_mul(PAGE_BYTES));
    (
        ObjectName::new(text_of(&r[0]), text_of(&r[1])),
        TableStats {
            rows: Some(int_of(&r[2]).max(0) as u64),
            reserved_bytes: pages(&r[3]),
            used_bytes: pages(&r[4]),
            data_bytes: pages(&r[5]),
            note: None,
        },
    )
}

/// Exact row counts per table. SQL Server: `sys.dm_db_partition_stats`
/// (exact for committed rows, heap or clustered index only). Babelfish has
/// no such view and its `sys.partitions.rows` is an estimate (trap 6), so it
/// counts with `COUNT_BIG(*)` per table.
pub async fn row_counts(
    client: &mut MssqlClient,
    flavor: Flavor,
    tables: &[Table],
) -> Result<Vec<(ObjectName, u64)>> {
    let mut out = Vec::new();
    match flavor {
        Flavor::SqlServer => {
            let rows = query(
                client,
                "row counts (sys.dm_db_partition_stats)",
                "SELECT SCHEMA_NAME(t.schema_id), t.name, SUM(ps.row_count) FROM sys.dm_db_partition_stats ps \
                 JOIN sys.tables t ON t.object_id = ps.object_id WHERE ps.index_id IN (0, 1) \
                 GROUP BY t.schema_id, t.name",
            )
            .await?;
            for r in rows {
                out.push((
                    ObjectName::new(text_of(&r[0]), text_of(&r[1])),
                    int_of(&r[2]) as u64,
                ));
            }
        }
        Flavor::Babelfish => {
            for t in tables {
                let sql = format!(
                    "SELECT COUNT_BIG(*) FROM {}",
                    crate::connect::quote_table(t.name.schema_or_dbo(), &t.name.name)
                );
                let r = query(client, "row count (COUNT_BIG)", &sql).await?;
                out.push((
                    t.name.clone(),
                    r.first().map(|r| int_of(&r[0]) as u64).unwrap_or(0),
                ));
            }
        }
    }
    Ok(out)
}

/// Reads one table by name (`None` when it does not exist). Used by the
/// sink and the snapshot, which need one table's columns and key.
pub async fn read_table(
    client: &mut MssqlClient,
    schema: &str,
    name: &str,
) -> Result<Option<Table>> {
    let flavor = flavor(client).await?;
    let tables = read_tables(client, flavor).await?;
    Ok(tables.into_iter().find(|t| {
        t.name.schema_or_dbo().eq_ignore_ascii_case(schema)
            && t.name.name.eq_ignore_ascii_case(name)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_declared_collation_stays_on_a_column() {
        let mut t = Table::new(ObjectName::new("dbo", "t"), Vec::new());
        for (n, coll) in [
            ("a", Some("Chinese_PRC_CI_AS")),
            ("b", Some("chinese_prc_ci_as")),
            ("c", Some("Latin1_General_CS_AS")),
            ("d", None),
        ] {
            let mut c = Column::new(n, source_type("nvarchar", None, 20, 0, 0));
            c.collation = coll.map(str::to_string);
            t.columns.push(c);
        }
        let mut tables = vec![t];
        clear_default_collations(&mut tables, Some("Chinese_PRC_CI_AS"));
        let left: Vec<Option<&str>> = tables[0]
            .columns
            .iter()
            .map(|c| c.collation.as_deref())
            .collect();
        assert_eq!(left, [None, None, Some("Latin1_General_CS_AS"), None]);
        clear_default_collations(&mut tables, None);
        assert_eq!(
            tables[0].columns[2].collation.as_deref(),
            Some("Latin1_General_CS_AS")
        );
    }

    #[test]
    fn rowversion_columns_are_recognised() {
        let c =
            |name: &str, schema: Option<&str>| Column::new("v", source_type(name, schema, 8, 0, 0));
        assert!(is_rowversion(&c("rowversion", None)));
        assert!(is_rowversion(&c("TIMESTAMP", None)));
        assert!(!is_rowversion(&c("timestamp", Some("dbo"))));
        assert!(!is_rowversion(&c("binary", None)));
    }

    #[test]
    fn partition_stats_pages_become_bytes() {
        let (name, st) = stats_of_dmv_row(&[
            Value::String("lab".into()),
            Value::String("result".into()),
            Value::I64(1234),
            Value::I64(40),
            Value::I64(33),
            Value::I64(25),
        ]);
        assert_eq!(name, ObjectName::new("lab", "result"));
        assert_eq!(
            st,
            TableStats {
                rows: Some(1234),
                reserved_bytes: Some(40 * 8192),
                used_bytes: Some(33 * 8192),
                data_bytes: Some(25 * 8192),
                note: None,
            }
        );
    }

    #[test]
    fn babelfish_index_names_are_unmangled() {
        assert_eq!(
            unmangle_index_name(
                "ix_child_notechild7a9a0e04de98d968109eb4be66284d84",
                "child"
            ),
            "ix_child_note"
        );
        assert_eq!(
            unmangle_index_name("ux_p_code_qtyp2d0a2890253a748228b0fffc236e5139", "p"),
            "ux_p_code_qty"
        );
        // A real SQL Server name that merely ends in hex is left alone when the table is not there.
        assert_eq!(
            unmangle_index_name("ix_0123456789abcdef0123456789abcdef", "p"),
            "ix_0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn types_follow_sys_columns_units() {
        assert_eq!(
            source_type("nvarchar", None, 40, 0, 0).to_string(),
            "nvarchar(20)"
        );
        assert_eq!(
            source_type("varbinary", None, -1, 0, 0).to_string(),
            "varbinary(max)"
        );
        assert_eq!(
            source_type("decimal", None, 9, 10, 2).to_string(),
            "decimal(10,2)"
        );
        assert_eq!(
            source_type("datetime2", None, 7, 23, 3).to_string(),
            "datetime2(3)"
        );
        assert_eq!(source_type("float", None, 8, 53, 0).to_string(), "float");
        let alias = source_type("Phone", Some("dbo"), 40, 0, 0);
        assert_eq!(alias.to_string(), "dbo.phone");
    }

    #[test]
    fn synonym_targets_parse() {
        let n = parse_multipart("[srv].[Db].[dbo].[T]]x]");
        assert_eq!(
            (
                n.server.as_deref(),
                n.database.as_deref(),
                n.schema.as_deref(),
                n.name.as_str()
            ),
            (Some("srv"), Some("Db"), Some("dbo"), "T]x")
        );
        assert_eq!(parse_multipart("dbo.T").schema.as_deref(), Some("dbo"));
    }
}
