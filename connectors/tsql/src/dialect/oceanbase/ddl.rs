//! CREATE TABLE for one source table, with its keys, indexes and checks;
//! foreign keys go to `post_ddl` so they run after every table exists (and
//! after the data load, if the loader wants).

use super::expr::{quote_column as qc, quote_ident as q, string_literal, ExprCx, Refused, Use};
use super::types::{map_type, Family, Mapped};
use super::{fit_name, Ctx, ObjectKind, ObjectReport};
use crate::parse_expression;
use sluice_engine::schema::{
    Column, Index, IndexKind, Length, ReferentialAction, SourceType, Table, UserTypeKind,
};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A column as it will be created.
struct TargetColumn {
    name: String,
    mapped: Mapped,
    nullable: bool,
}

pub(super) fn convert_table(cx: &Ctx<'_>, t: &Table) -> ObjectReport {
    let mut r = ObjectReport::new(ObjectKind::Table, display(&t.name), t.origin.clone());
    let (db, mut name) = cx.target_of(&t.name);
    if fit_name(&t.name.name).1 {
        r.add(
            "NAME-TOO-LONG",
            format!("table name shortened to {name}"),
            None,
        );
    }
    {
        let mut names = cx.table_names.lock().unwrap_or_else(|e| e.into_inner());
        let set = names.entry(db.to_lowercase()).or_default();
        if !set.insert(name.to_lowercase()) {
            let clash = name.clone();
            let mut i = 2;
            while !set.insert(format!("{clash}_{i}").to_lowercase()) {
                i += 1;
            }
            name = format!("{clash}_{i}");
            r.add(
                "NAME-CASE-CLASH",
                format!("{clash} already exists in {db} when case is ignored; created as {name}"),
                None,
            );
        }
    }
    let qualified = format!("{}.{}", q(&db), q(&name));
    r.target = Some(qualified.clone());

    let mut cols: Vec<TargetColumn> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut omitted: HashSet<String> = HashSet::new();
    let mut auto_increment_start = None;
    let mut named_defaults = 0;
    let mut collations: BTreeSet<String> = BTreeSet::new();

    // Types first, so that expressions can be typed against every column.
    let pk_cols: HashSet<String> = t
        .primary_key
        .iter()
        .flat_map(|k| k.columns.iter().map(|c| c.name.to_lowercase()))
        .collect();
    let mut resolved: Vec<(Option<Mapped>, Option<bool>)> = Vec::new();
    for c in &t.columns {
        resolved.push(resolve_column_type(cx, t, c, &mut r));
    }
    let families: HashMap<String, Family> = t
        .columns
        .iter()
        .zip(&resolved)
        .filter_map(|(c, (m, _))| m.as_ref().map(|m| (c.name.to_lowercase(), m.family)))
        .collect();
    let family_of = |n: &str| families.get(&n.to_lowercase()).copied();
    // Declared types with alias types replaced by their base, for sizing computed columns.
    let base_types: HashMap<String, SourceType> = t
        .columns
        .iter()
        .filter_map(|c| {
            let ty = c.data_type.as_ref()?;
            let key = sluice_engine::schema::ObjectName {
                schema: ty.schema.clone(),
                name: ty.name.clone(),
                ..Default::default()
            };
            let base = match cx.catalog.user_type(&key).map(|u| &u.kind) {
                Some(UserTypeKind::Alias { base, .. })
                    if map_type(ty, &cx.opts.types).is_none() || ty.schema.is_some() =>
                {
                    base.clone()
                }
                _ => ty.clone(),
            };
            Some((c.name.to_lowercase(), base))
        })
        .collect();

    for (c, (mapped, alias_nullable)) in t.columns.iter().zip(resolved) {
        let line = None;
        if let Some(comp) = &c.computed {
            match computed_column(
                cx,
                c,
                &comp.expression,
                comp.persisted,
                &family_of,
                &base_types,
                &mut r,
            ) {
                Some((def, m)) => {
                    lines.push(def);
                    cols.push(TargetColumn {
                        name: c.name.clone(),
                        mapped: m,
                        nullable: c.nullable != Some(false),
                    });
                }
                None => {
                    omitted.insert(c.name.to_lowercase());
                }
            }
            continue;
        }
        let Some(mut mapped) = mapped else {
            omitted.insert(c.name.to_lowercase());
            continue;
        };
        for (rule, msg) in std::mem::take(&mut mapped.rules) {
            r.add(rule, format!("column {}: {msg}", c.name), line);
        }
        if c.identity.is_some() && mapped.family == Family::Decimal {
            mapped.sql = "BIGINT".into();
            mapped.family = Family::Integer;
            r.add(
                "TYPE-DECIMAL-IDENTITY",
                format!("column {}: IDENTITY decimal → BIGINT", c.name),
                line,
            );
        }
        if fit_name(&c.name).1 {
            r.add(
                "NAME-TOO-LONG",
                format!("column {} shortened to {}", c.name, fit_name(&c.name).0),
                None,
            );
        }
        let mut def = format!("{} {}", qc(&c.name), mapped.sql);
        if let Some(coll) = &c.collation {
            if matches!(mapped.family, Family::Text { .. }) {
                let target = map_collation(cx, coll);
                collations.insert(format!("{coll} → {target}"));
                def.push_str(&format!(" COLLATE {target}"));
            }
        }
        let not_null = c.nullable == Some(false)
            || (c.nullable.is_none() && alias_nullable == Some(false))
            || c.identity.is_some()
            || pk_cols.contains(&c.name.to_lowercase());
        def.push_str(if not_null { " NOT NULL" } else { " NULL" });
        if let Some(id) = &c.identity {
            def.push_str(" AUTO_INCREMENT");
            r.add(
                "COL-IDENTITY",
                format!(
                    "column {}: IDENTITY({}, {}) → AUTO_INCREMENT",
                    c.name, id.seed, id.increment
                ),
                line,
            );
            if id.increment != 1 || id.seed < 1 {
                r.add(
                    "COL-IDENTITY-STEP",
                    format!("column {}: IDENTITY({}, {}) cannot be reproduced; AUTO_INCREMENT counts up by 1", c.name, id.seed, id.increment),
                    line,
                );
            } else if id.seed > 1 {
                auto_increment_start = Some(id.seed);
            }
        }
        if let Some(d) = &c.default {
            if d.name.is_some() {
                named_defaults += 1;
            }
            if let Some(text) = default_clause(cx, c, &d.expression, &mapped, &family_of, &mut r) {
                def.push_str(" DEFAULT ");
                def.push_str(&text);
            }
        }
        if c.rowguidcol {
            r.add(
                "COL-ROWGUIDCOL",
                format!("column {}: ROWGUIDCOL dropped", c.name),
                line,
            );
        }
        if c.sparse {
            r.add(
                "COL-SPARSE",
                format!("column {}: SPARSE dropped", c.name),
                line,
            );
        }
        if c.filestream {
            r.add(
                "COL-FILESTREAM",
                format!("column {}: FILESTREAM → LONGBLOB", c.name),
                line,
            );
        }
        if let Some(cm) = &c.comment {
            def.push_str(&format!(" COMMENT {}", string_literal(cm)));
        }
        lines.push(def);
        if mapped.offset_column {
            lines.push(format!(
                "{} SMALLINT NULL COMMENT 'UTC offset in minutes of {}'",
                qc(&format!("{}_offset_min", c.name)),
                c.name.replace('\'', "''")
            ));
        }
        cols.push(TargetColumn {
            name: c.name.clone(),
            mapped,
            nullable: !not_null,
        });
    }
    if named_defaults > 0 {
        r.add(
            "COL-DEFAULT-NAME",
            format!("{named_defaults} named DEFAULT constraint(s) became plain defaults"),
            None,
        );
    }
    if !collations.is_empty() {
        let list: Vec<_> = collations.into_iter().collect();
        r.add(
            "COL-COLLATION",
            format!("collations mapped: {}", list.join(", ")),
            None,
        );
    }

    let col_of = |n: &str| find_col(&cols, n);
    let mut storage_options = t.filegroup.is_some();
    let mut index_names: HashSet<String> = HashSet::new();

    match &t.primary_key {
        Some(pk) => {
            let missing: Vec<_> = pk
                .columns
                .iter()
                .filter(|c| col_of(&c.name).is_none())
                .collect();
            if missing.is_empty() {
                let mut cols = pk.columns.clone();
                if cols.iter().any(|c| c.descending) {
                    r.add("KEY-PK-DESC", "DESC dropped from the primary key", None);
                    cols.iter_mut().for_each(|c| c.descending = false);
                }
                lines.push(format!("PRIMARY KEY ({})", key_list(&cols)));
                if pk.name.is_some() {
                    r.add(
                        "KEY-PK-NAME",
                        format!(
                            "primary key {} is named PRIMARY on the target",
                            pk.name.as_deref().unwrap_or("")
                        ),
                        None,
                    );
                }
                if !pk.clustered {
                    r.add(
                        "KEY-PK-NONCLUSTERED",
                        "nonclustered primary key becomes the table's organising key",
                        None,
                    );
                }
            } else {
                r.add(
                    "CHECK-MANUAL",
                    "primary key uses a column that could not be created; left out",
                    None,
                );
            }
        }
        None => r.add("TABLE-NO-PK", "no primary key", None),
    }
    for u in &t.unique_constraints {
        let cname = u.name.clone().unwrap_or_else(|| {
            format!(
                "UQ_{}_{}",
                t.name.name,
                u.columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            )
        });
        if u.columns.iter().any(|c| col_of(&c.name).is_none()) {
            r.add(
                "CHECK-MANUAL",
                format!(
                    "unique constraint {cname} uses a column that could not be created; left out"
                ),
                None,
            );
            continue;
        }
        unique_nulls(
            &cname,
            u.columns.iter().map(|c| c.name.as_str()),
            &cols,
            &mut r,
        );
        let n = unique_index_name(&mut index_names, &cname, &mut r);
        lines.push(format!("UNIQUE KEY {} ({})", q(&n), key_list(&u.columns)));
    }
    for ix in &t.indexes {
        storage_options |= !ix.options.is_empty();
        if let Some(line) = index_line(ix, &cols, &mut index_names, &mut r) {
            lines.push(line);
        }
    }

    for ck in &t.checks {
        let label = ck.name.clone().unwrap_or_else(|| "(unnamed)".into());
        let parsed = match parse_expression(&ck.expression) {
            Ok(e) => e,
            Err(e) => {
                r.add(
                    "CHECK-MANUAL",
                    format!(
                        "check {label}: could not parse {}: {}",
                        ck.expression, e.message
                    ),
                    None,
                );
                continue;
            }
        };
        let mut ecx = ExprCx {
            usage: Use::Check,
            column_family: &|n| {
                if omitted.contains(&n.to_lowercase()) {
                    None
                } else {
                    family_of(n)
                }
            },
            rules: vec![],
        };
        match ecx.convert(&parsed) {
            Ok(sql) => {
                for (rule, msg) in ecx.rules {
                    r.add(rule, format!("check {label}: {msg}"), None);
                }
                let mut line = String::new();
                if let Some(n) = &ck.name {
                    let (n2, renamed) = cx.reserve_constraint(&db, n);
                    if renamed {
                        r.add(
                            "IDX-NAME-DUP",
                            format!("check {n} renamed {n2}: the name is taken in database {db}"),
                            None,
                        );
                    }
                    line.push_str(&format!("CONSTRAINT {} ", q(&n2)));
                }
                line.push_str(&format!("CHECK ({sql})"));
                if !ck.trusted || !ck.enabled {
                    line.push_str(" NOT ENFORCED");
                    r.add(
                        "CHECK-NOT-ENFORCED",
                        format!(
                            "check {label} is {} on the source; created NOT ENFORCED",
                            if ck.enabled {
                                "not trusted (WITH NOCHECK)"
                            } else {
                                "disabled"
                            }
                        ),
                        None,
                    );
                }
                lines.push(line);
            }
            Err(Refused {
                reason,
                nondeterministic,
                ..
            }) => {
                let rule = if nondeterministic {
                    "CHECK-NONDETERMINISTIC"
                } else {
                    "CHECK-MANUAL"
                };
                r.add(
                    rule,
                    format!("check {label} ({}) left out: {reason}", ck.expression),
                    None,
                );
            }
        }
    }
    if storage_options {
        r.add(
            "KEY-OPTIONS",
            "storage options (filegroup, FILLFACTOR, PAD_INDEX, ...) dropped",
            None,
        );
    }

    if cols.is_empty() {
        r.add(
            "TYPE-UNKNOWN",
            "no column of this table could be created; the table is left out",
            None,
        );
        return r;
    }
    let mut ddl = format!("CREATE TABLE {qualified} (\n  {}\n)", lines.join(",\n  "));
    if let Some(seed) = auto_increment_start {
        ddl.push_str(&format!(" AUTO_INCREMENT = {seed}"));
    }
    if let Some(c) = &t.comment {
        ddl.push_str(&format!(" COMMENT = {}", string_literal(c)));
    }
    r.ddl.push(ddl);

    for fk in &t.foreign_keys {
        if let Some(stmt) = foreign_key(cx, t, &qualified, &db, fk, &cols, &mut r) {
            r.post_ddl.push(stmt);
        }
    }
    r
}

fn find_col<'a>(cols: &'a [TargetColumn], n: &str) -> Option<&'a TargetColumn> {
    cols.iter().find(|c| c.name.eq_ignore_ascii_case(n))
}

fn display(n: &sluice_engine::schema::ObjectName) -> String {
    format!("{}.{}", n.schema_or_dbo(), n.name)
}

fn key_list(cols: &[sluice_engine::schema::IndexColumn]) -> String {
    cols.iter()
        .map(|c| {
            if c.descending {
                format!("{} DESC", qc(&c.name))
            } else {
                qc(&c.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A configured per-column type wins; otherwise [`resolve_type`].
fn resolve_column_type(
    cx: &Ctx<'_>,
    t: &Table,
    c: &Column,
    r: &mut ObjectReport,
) -> (Option<Mapped>, Option<bool>) {
    let key = format!("{}.{}", t.name.key(), c.name).to_lowercase();
    let Some(sql) = cx.opts.types.column_overrides.get(&key) else {
        return resolve_type(cx, c, r);
    };
    let (base, nullable) = resolve_type(cx, c, r);
    let mut m = base.unwrap_or_else(|| super::types::Mapped::configured(sql));
    r.add(
        "TYPE-OVERRIDE",
        format!("column {}: {} → {sql} (configured override)", c.name, m.sql),
        None,
    );
    m.sql = sql.clone();
    (Some(m), nullable)
}

/// Resolves alias types and maps the column's type. Returns the mapping and
/// the alias type's nullability.
fn resolve_type(cx: &Ctx<'_>, c: &Column, r: &mut ObjectReport) -> (Option<Mapped>, Option<bool>) {
    let Some(t) = &c.data_type else {
        return (None, None); // computed
    };
    let mut base: SourceType = t.clone();
    let mut nullable = None;
    let system = t.schema.is_none() && map_type(t, &cx.opts.types).is_some();
    if !system {
        let key = sluice_engine::schema::ObjectName {
            schema: t.schema.clone(),
            name: t.name.clone(),
            ..Default::default()
        };
        match cx.catalog.user_type(&key).map(|u| &u.kind) {
            Some(UserTypeKind::Alias {
                base: b,
                nullable: n,
            }) => {
                r.add(
                    "TYPE-ALIAS",
                    format!("column {}: alias type {t} → {b}", c.name),
                    None,
                );
                base = b.clone();
                nullable = Some(*n);
            }
            _ => {
                r.add(
                    "TYPE-UNKNOWN",
                    format!(
                        "column {}: type {t} is not defined in the scripts; column left out",
                        c.name
                    ),
                    None,
                );
                return (None, None);
            }
        }
    }
    match map_type(&base, &cx.opts.types) {
        Some(m) => (Some(m), nullable),
        None => {
            r.add(
                "TYPE-UNKNOWN",
                format!(
                    "column {}: type {base} has no mapping; column left out",
                    c.name
                ),
                None,
            );
            (None, None)
        }
    }
}

/// The utf8mb4 collation the target offers nearest to a SQL Server one:
/// case-sensitive and binary collations → `utf8mb4_bin`, others → `utf8mb4_general_ci`.
pub(super) fn map_collation(cx: &Ctx<'_>, source: &str) -> String {
    let up = source.to_ascii_uppercase();
    let want = if up.contains("_BIN") || up.contains("_CS") {
        "utf8mb4_bin"
    } else {
        "utf8mb4_general_ci"
    };
    if cx.caps.has_collation(want) {
        want.to_string()
    } else {
        cx.opts.default_collation.clone()
    }
}

/// `DEFAULT` text for a column, or `None` (with a finding) when it cannot be kept.
fn default_clause(
    cx: &Ctx<'_>,
    c: &Column,
    text: &str,
    mapped: &Mapped,
    family_of: &dyn Fn(&str) -> Option<Family>,
    r: &mut ObjectReport,
) -> Option<String> {
    let e = match parse_expression(text) {
        Ok(e) => e,
        Err(e) => {
            r.add(
                "COL-DEFAULT-MANUAL",
                format!(
                    "column {}: default {text} could not be parsed: {}",
                    c.name, e.message
                ),
                None,
            );
            return None;
        }
    };
    let inner = e.unnested();
    let lob = matches!(
        mapped.family,
        Family::Text { lob: true } | Family::Binary { lob: true }
    );
    if lob && !cx.caps.lob_defaults {
        r.add(
            "COL-DEFAULT-LOB",
            format!(
                "column {}: default {text} left out ({} column)",
                c.name, mapped.sql
            ),
            None,
        );
        return None;
    }
    let mut ecx = ExprCx {
        usage: Use::Default {
            fsp: mapped.fsp,
            column: Some(mapped.family),
        },
        column_family: family_of,
        rules: vec![],
    };
    match ecx.convert(inner) {
        Ok(sql) => {
            for (rule, msg) in ecx.rules {
                r.add(rule, format!("column {}: {msg}", c.name), None);
            }
            use crate::ast::{Expr, Literal, UnaryOp};
            let bare = matches!(inner, Expr::Literal(..))
                || matches!(inner, Expr::Unary { op: UnaryOp::Minus, expr, .. } if matches!(**expr, Expr::Literal(Literal::Number(_), _)))
                || sql.starts_with("CURRENT_TIMESTAMP");
            if bare {
                // bit columns: SQL Server stores any non-zero as 1
                if let (Some(bit), Expr::Literal(Literal::Number(n), _)) = (is_bit(mapped), inner) {
                    let one = n.parse::<f64>().is_ok_and(|v| v != 0.0);
                    return Some(match (bit, one) {
                        (BitStorage::TinyInt, true) => "1".into(),
                        (BitStorage::TinyInt, false) => "0".into(),
                        // BIT(1) takes bit-value literals only (probed on seekdb)
                        (BitStorage::Bit, true) => "b'1'".into(),
                        (BitStorage::Bit, false) => "b'0'".into(),
                    });
                }
                // NEWID() into BINARY(16) storage
                if sql == "UUID()" && mapped.sql == "BINARY(16)" {
                    return Some("(UUID_TO_BIN(UUID()))".into());
                }
                Some(sql)
            } else if cx.caps.expression_defaults {
                if sql == "UUID()" && mapped.sql == "BINARY(16)" {
                    return Some("(UUID_TO_BIN(UUID()))".into());
                }
                Some(format!("({sql})"))
            } else {
                r.add("COL-DEFAULT-MANUAL", format!("column {}: the target does not accept expression defaults; {text} left out", c.name), None);
                None
            }
        }
        Err(Refused {
            reason, sequence, ..
        }) => {
            let rule = if sequence {
                "COL-DEFAULT-SEQUENCE"
            } else {
                "COL-DEFAULT-MANUAL"
            };
            r.add(
                rule,
                format!("column {}: default {text} left out: {reason}", c.name),
                None,
            );
            None
        }
    }
}

#[derive(Clone, Copy)]
enum BitStorage {
    TinyInt,
    Bit,
}

fn is_bit(m: &Mapped) -> Option<BitStorage> {
    match m.sql.as_str() {
        "TINYINT(1)" => Some(BitStorage::TinyInt),
        "BIT(1)" => Some(BitStorage::Bit),
        _ => None,
    }
}

/// A generated column definition and its mapped type, or `None` with a finding.
fn computed_column(
    cx: &Ctx<'_>,
    c: &Column,
    text: &str,
    persisted: bool,
    family_of: &dyn Fn(&str) -> Option<Family>,
    base_types: &HashMap<String, SourceType>,
    r: &mut ObjectReport,
) -> Option<(String, Mapped)> {
    if !cx.caps.generated_columns {
        r.add(
            "COL-COMPUTED-MANUAL",
            format!("column {}: the target has no generated columns", c.name),
            None,
        );
        return None;
    }
    let e = match parse_expression(text) {
        Ok(e) => e,
        Err(e) => {
            r.add(
                "COL-COMPUTED-MANUAL",
                format!("column {}: could not parse {text}: {}", c.name, e.message),
                None,
            );
            return None;
        }
    };
    let mut ecx = ExprCx {
        usage: Use::Computed,
        column_family: family_of,
        rules: vec![],
    };
    let sql = match ecx.convert(&e) {
        Ok(s) => s,
        Err(refused) => {
            r.add(
                "COL-COMPUTED-MANUAL",
                format!("column {} AS {text} left out: {}", c.name, refused.reason),
                None,
            );
            return None;
        }
    };
    let Some((ty, family)) = infer_type(&e, family_of, base_types) else {
        r.add(
            "COL-COMPUTED-MANUAL",
            format!(
                "column {} AS {text} left out: its type could not be inferred",
                c.name
            ),
            None,
        );
        return None;
    };
    for (rule, msg) in ecx.rules {
        r.add(rule, format!("column {}: {msg}", c.name), None);
    }
    let kind = if persisted { "STORED" } else { "VIRTUAL" };
    r.add(
        "COL-COMPUTED",
        format!("column {}: computed → GENERATED {kind} {ty}", c.name),
        None,
    );
    let nn = if c.nullable == Some(false) {
        " NOT NULL"
    } else {
        ""
    };
    if fit_name(&c.name).1 {
        r.add(
            "NAME-TOO-LONG",
            format!("column {} shortened to {}", c.name, fit_name(&c.name).0),
            None,
        );
    }
    let def = format!(
        "{} {ty} GENERATED ALWAYS AS ({sql}) {kind}{nn}",
        qc(&c.name)
    );
    let m = Mapped {
        sql: ty.clone(),
        family,
        fsp: None,
        key_bytes: if ty.starts_with("VARCHAR") {
            4 * 4000
        } else {
            16
        },
        rules: vec![],
        offset_column: false,
    };
    Some((def, m))
}

/// Result type of a computed column's expression.
fn infer_type(
    e: &crate::ast::Expr,
    family_of: &dyn Fn(&str) -> Option<Family>,
    base_types: &HashMap<String, SourceType>,
) -> Option<(String, Family)> {
    use crate::ast::{BinaryOp, Expr, Literal};
    let col_type = |n: &str| -> Option<SourceType> { base_types.get(&n.to_lowercase()).cloned() };
    fn text_len(e: &Expr, col_type: &dyn Fn(&str) -> Option<SourceType>) -> Option<u32> {
        match e.unnested() {
            Expr::Literal(Literal::String { value, .. }, _) => Some(value.chars().count() as u32),
            Expr::Literal(Literal::Null, _) => Some(0),
            Expr::Name(n) => {
                let t = col_type(&n.name().value)?;
                match t.length {
                    Some(Length::N(n)) => Some(n),
                    Some(Length::Max) => None,
                    None => match t.name.as_str() {
                        "int" => Some(11),
                        "bigint" => Some(20),
                        "smallint" | "tinyint" => Some(6),
                        "date" => Some(10),
                        "datetime" | "datetime2" => Some(27),
                        "uniqueidentifier" => Some(36),
                        _ => Some(40),
                    },
                }
            }
            Expr::Binary {
                left,
                op: BinaryOp::Plus,
                right,
                ..
            } => Some(text_len(left, col_type)? + text_len(right, col_type)?),
            Expr::Function { name, args, .. } => {
                let f = name.name().value.to_ascii_uppercase();
                match f.as_str() {
                    "ISNULL" | "COALESCE" => args
                        .iter()
                        .map(|a| text_len(a, col_type))
                        .try_fold(0, |m, x| x.map(|x| m.max(x))),
                    "UPPER" | "LOWER" | "LTRIM" | "RTRIM" | "TRIM" | "REVERSE" => {
                        text_len(args.first()?, col_type)
                    }
                    "LEFT" | "RIGHT" | "SUBSTRING" => text_len(args.first()?, col_type),
                    _ => None,
                }
            }
            Expr::Cast { data_type, .. } | Expr::Convert { data_type, .. } => {
                match data_type.args.first() {
                    Some(crate::ast::TypeArg::Number(n)) => Some(*n),
                    _ => Some(30),
                }
            }
            Expr::Case {
                whens, else_result, ..
            } => {
                let mut m = 0;
                for (_, t) in whens {
                    m = m.max(text_len(t, col_type)?);
                }
                if let Some(e) = else_result {
                    m = m.max(text_len(e, col_type)?);
                }
                Some(m)
            }
            _ => None,
        }
    }
    let fam_cx = ExprCx {
        usage: Use::Computed,
        column_family: family_of,
        rules: vec![],
    };
    let fam = super::expr::family_of(&fam_cx, e)?;
    Some(match fam {
        Family::Integer => ("BIGINT".into(), fam),
        Family::Decimal => ("DECIMAL(38,6)".into(), fam),
        Family::Float => ("DOUBLE".into(), fam),
        Family::Date => ("DATE".into(), fam),
        Family::DateTime => ("DATETIME(6)".into(), fam),
        Family::Time => ("TIME(6)".into(), fam),
        Family::Text { .. } => {
            let n = text_len(e, &col_type)?.clamp(1, 16383);
            (format!("VARCHAR({n})"), Family::Text { lob: false })
        }
        _ => return None,
    })
}

/// SQL Server lets a UNIQUE key hold one NULL; the target lets it hold many.
fn unique_nulls<'a>(
    name: &str,
    key: impl Iterator<Item = &'a str>,
    cols: &[TargetColumn],
    r: &mut ObjectReport,
) {
    let nullable: Vec<&str> = key
        .filter(|k| find_col(cols, k).is_some_and(|c| c.nullable))
        .collect();
    if !nullable.is_empty() {
        r.add(
            "IDX-UNIQUE-NULLS",
            format!("unique key {name} on nullable {}: SQL Server allows one NULL, the target any number", nullable.join(", ")),
            None,
        );
    }
}

fn unique_index_name(used: &mut HashSet<String>, name: &str, r: &mut ObjectReport) -> String {
    let (base, long) = fit_name(name);
    if long {
        r.add(
            "NAME-TOO-LONG",
            format!("index {name} shortened to {base}"),
            None,
        );
    }
    let mut n = base.clone();
    let mut i = 2;
    while !used.insert(n.to_lowercase()) {
        n = format!("{base}_{i}");
        i += 1;
    }
    if n != base {
        r.add("IDX-NAME-DUP", format!("index {name} renamed {n}"), None);
    }
    n
}

fn index_line(
    ix: &Index,
    cols: &[TargetColumn],
    used: &mut HashSet<String>,
    r: &mut ObjectReport,
) -> Option<String> {
    // CREATE INDEX usually sits in another file than CREATE TABLE.
    let at = ix.origin.as_ref().map(|o| (o.file.clone(), o.line));
    let col_of = |n: &str| find_col(cols, n);
    match ix.kind {
        IndexKind::Columnstore => {
            r.add_at(
                "IDX-COLUMNSTORE",
                format!("columnstore index {} left out", ix.name),
                at.clone(),
            );
            return None;
        }
        IndexKind::Xml | IndexKind::Spatial | IndexKind::Fulltext => {
            r.add_at(
                "IDX-SPECIAL",
                format!("index {} ({:?}) left out", ix.name, ix.kind),
                at.clone(),
            );
            return None;
        }
        IndexKind::Rowstore => {}
    }
    let mut bytes: u64 = 0;
    for c in &ix.columns {
        let Some(tc) = col_of(&c.name) else {
            r.add_at(
                "IDX-SPECIAL",
                format!(
                    "index {} uses column {}, which could not be created; left out",
                    ix.name, c.name
                ),
                at.clone(),
            );
            return None;
        };
        if matches!(
            tc.mapped.family,
            Family::Text { lob: true } | Family::Binary { lob: true } | Family::Spatial
        ) {
            r.add_at(
                "IDX-KEY-TOO-LONG",
                format!(
                    "index {} has {} column {} as a key; left out",
                    ix.name, tc.mapped.sql, c.name
                ),
                at.clone(),
            );
            return None;
        }
        bytes += u64::from(tc.mapped.key_bytes);
    }
    if bytes > 16384 {
        r.add_at(
            "IDX-KEY-TOO-LONG",
            format!(
                "index {} key is up to {bytes} bytes in utf8mb4; left out",
                ix.name
            ),
            at.clone(),
        );
        return None;
    }
    let mut unique = ix.unique;
    if unique && ix.filter.is_none() {
        unique_nulls(
            &ix.name,
            ix.columns.iter().map(|c| c.name.as_str()),
            cols,
            r,
        );
    }
    if let Some(f) = &ix.filter {
        // `WHERE k IS NOT NULL` over key columns only: MySQL's unique index
        // already ignores rows with a NULL key, so it is the same constraint.
        // A condition on any other column is not.
        let key_names: Vec<String> = ix.columns.iter().map(|c| c.name.to_lowercase()).collect();
        let not_null_on_keys = parse_expression(f)
            .ok()
            .is_some_and(|e| only_is_not_null(&e, &key_names));
        if unique && not_null_on_keys {
            r.add_at(
                "IDX-FILTER-NOT-NULL",
                format!("unique index {} WHERE {f} → plain unique index", ix.name),
                at.clone(),
            );
        } else if unique {
            unique = false;
            r.add_at(
                "IDX-FILTER-UNIQUE",
                format!(
                    "unique index {} WHERE {f} becomes a non-unique index",
                    ix.name
                ),
                at.clone(),
            );
        } else {
            r.add_at(
                "IDX-FILTER-DROPPED",
                format!("index {} WHERE {f} becomes a full index", ix.name),
                at.clone(),
            );
        }
    }
    if !ix.included.is_empty() {
        r.add_at(
            "IDX-INCLUDE",
            format!(
                "index {}: INCLUDE ({}) dropped",
                ix.name,
                ix.included.join(", ")
            ),
            at.clone(),
        );
    }
    if ix.clustered {
        r.add_at(
            "IDX-CLUSTERED",
            format!("clustered index {} becomes a secondary index", ix.name),
            at.clone(),
        );
    }
    let mut cols = ix.columns.clone();
    if cols.iter().any(|c| c.descending) {
        r.add_at(
            "IDX-DESC",
            format!("index {}: DESC dropped", ix.name),
            at.clone(),
        );
        cols.iter_mut().for_each(|c| c.descending = false);
    }
    let n = unique_index_name(used, &ix.name, r);
    Some(format!(
        "{}KEY {} ({})",
        if unique { "UNIQUE " } else { "" },
        q(&n),
        key_list(&cols)
    ))
}

/// `a IS NOT NULL [AND b IS NOT NULL ...]`
fn only_is_not_null(e: &crate::ast::Expr, keys: &[String]) -> bool {
    use crate::ast::{BinaryOp, Expr};
    match e.unnested() {
        Expr::IsNull {
            negated: true,
            expr,
            ..
        } => expr
            .as_column()
            .is_some_and(|c| keys.contains(&c.value.to_lowercase())),
        Expr::Binary {
            left,
            op: BinaryOp::And,
            right,
            ..
        } => only_is_not_null(left, keys) && only_is_not_null(right, keys),
        _ => false,
    }
}

fn action(a: ReferentialAction) -> &'static str {
    match a {
        ReferentialAction::NoAction | ReferentialAction::SetDefault => "NO ACTION",
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::SetNull => "SET NULL",
    }
}

fn foreign_key(
    cx: &Ctx<'_>,
    t: &Table,
    qualified: &str,
    db: &str,
    fk: &sluice_engine::schema::ForeignKey,
    cols: &[TargetColumn],
    r: &mut ObjectReport,
) -> Option<String> {
    let col_of = |n: &str| find_col(cols, n);
    let label = fk
        .name
        .clone()
        .unwrap_or_else(|| format!("FK_{}_{}", t.name.name, fk.referenced_table.name));
    if !fk.enabled {
        r.add(
            "FK-DISABLED",
            format!("foreign key {label} is disabled on the source; not created"),
            None,
        );
        return None;
    }
    let mut ref_name = fk.referenced_table.clone();
    if ref_name.schema.is_none() {
        ref_name.schema = t.name.schema.clone();
    }
    let Some(target) = cx
        .catalog
        .table(&ref_name)
        .filter(|_| ref_name.database.is_none())
    else {
        r.add(
            "FK-UNKNOWN-TABLE",
            format!(
                "foreign key {label} refers to {}, which the scripts do not create; left out",
                fk.referenced_table
            ),
            None,
        );
        return None;
    };
    let ref_cols: Vec<String> = if fk.referenced_columns.is_empty() {
        target
            .primary_key
            .iter()
            .flat_map(|k| k.columns.iter().map(|c| c.name.clone()))
            .collect()
    } else {
        fk.referenced_columns.clone()
    };
    if fk.columns.iter().any(|c| col_of(c).is_none()) || ref_cols.len() != fk.columns.len() {
        r.add(
            "FK-UNKNOWN-TABLE",
            format!("foreign key {label}: its columns could not be matched; left out"),
            None,
        );
        return None;
    }
    if fk.on_delete == ReferentialAction::SetDefault
        || fk.on_update == ReferentialAction::SetDefault
    {
        r.add(
            "FK-SET-DEFAULT",
            format!("foreign key {label}: SET DEFAULT becomes NO ACTION"),
            None,
        );
    }
    if !fk.trusted {
        r.add(
            "FK-NOT-TRUSTED",
            format!("foreign key {label} was added WITH NOCHECK"),
            None,
        );
    }
    if fk.not_for_replication {
        r.add(
            "FK-NOT-FOR-REPLICATION",
            format!("foreign key {label}: NOT FOR REPLICATION dropped"),
            None,
        );
    }
    let (name, renamed) = cx.reserve_constraint(db, &label);
    if renamed {
        r.add(
            "IDX-NAME-DUP",
            format!("foreign key {label} renamed {name}: the name is taken in database {db}"),
            None,
        );
    }
    let list = |v: &[String]| v.iter().map(|c| qc(c)).collect::<Vec<_>>().join(", ");
    Some(format!(
        "ALTER TABLE {qualified} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
        q(&name),
        list(&fk.columns),
        cx.qualified(&target.name),
        list(&ref_cols),
        action(fk.on_delete),
        action(fk.on_update)
    ))
}
