//! What the converter knows about the source tables: read with `sluice-tsql`
//! into the engine's schema model, then indexed for column type lookups
//! (which decide what `+` means) and canonical table names.

use crate::ast::DataType;
use sluice_engine::schema::{Catalog, Length, SourceType, UserTypeKind};
use std::collections::HashMap;

/// One table's columns.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// Schema as declared (`dbo` when absent).
    pub schema: String,
    /// Name as declared.
    pub name: String,
    /// Columns in order: name and type (computed columns without a type: `None`).
    pub columns: Vec<(String, Option<DataType>)>,
    /// Identity columns.
    pub identity: Vec<String>,
}

impl TableInfo {
    /// A column's type.
    pub fn column(&self, name: &str) -> Option<&Option<DataType>> {
        self.columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(name))
            .map(|(_, t)| t)
    }
}

/// Indexed schema.
#[derive(Debug, Clone, Default)]
pub struct SchemaInfo {
    tables: HashMap<String, TableInfo>,
    aliases: HashMap<String, DataType>,
}

/// Converts the engine's type to ours.
pub fn from_source_type(t: &SourceType) -> DataType {
    let mut args = Vec::new();
    match (t.length, t.precision, t.scale) {
        (Some(Length::Max), _, _) => args.push(None),
        (Some(Length::N(n)), _, _) => args.push(Some(n)),
        (None, Some(p), Some(s)) => {
            args.push(Some(p));
            args.push(Some(s));
        }
        (None, Some(p), None) => args.push(Some(p)),
        _ => {}
    }
    DataType {
        schema: t.schema.clone(),
        name: t.name.to_lowercase(),
        args,
    }
}

impl SchemaInfo {
    /// Indexes a catalog.
    pub fn from_catalog(c: &Catalog) -> Self {
        let mut s = SchemaInfo::default();
        for t in &c.tables {
            let schema = t.name.schema_or_dbo().to_string();
            let info = TableInfo {
                schema: schema.clone(),
                name: t.name.name.clone(),
                columns: t
                    .columns
                    .iter()
                    .map(|col| {
                        (
                            col.name.clone(),
                            col.data_type.as_ref().map(from_source_type),
                        )
                    })
                    .collect(),
                identity: t
                    .columns
                    .iter()
                    .filter(|c| c.identity.is_some())
                    .map(|c| c.name.clone())
                    .collect(),
            };
            s.tables.insert(
                format!("{}.{}", schema.to_lowercase(), t.name.name.to_lowercase()),
                info,
            );
        }
        for u in &c.user_types {
            if let UserTypeKind::Alias { base, .. } = &u.kind {
                s.aliases
                    .insert(u.name.name.to_lowercase(), from_source_type(base));
            }
        }
        s
    }

    /// Reads the tables and alias types out of T-SQL scripts.
    pub fn from_scripts(scripts: &[(String, String)]) -> Self {
        let mut catalog = Catalog::default();
        let mut notes = Vec::new();
        for (file, text) in scripts {
            let script = sluice_tsql::parse_script(text);
            sluice_tsql::lower::lower_into(&mut catalog, file, &script, &mut notes);
        }
        Self::from_catalog(&catalog)
    }

    /// A table by schema (default `dbo`) and name, case-insensitive.
    pub fn table(&self, schema: Option<&str>, name: &str) -> Option<&TableInfo> {
        let schema = schema.filter(|s| !s.is_empty()).unwrap_or("dbo");
        self.tables.get(&format!(
            "{}.{}",
            schema.to_lowercase(),
            name.to_lowercase()
        ))
    }

    /// Does any table live in schema `s`?
    pub fn has_schema(&self, s: &str) -> bool {
        self.tables
            .values()
            .any(|t| t.schema.eq_ignore_ascii_case(s))
    }

    /// The base type of an alias type.
    pub fn alias_type(&self, name: &str) -> Option<DataType> {
        self.aliases.get(&name.to_lowercase()).cloned()
    }

    /// Number of tables known.
    pub fn table_count(&self) -> usize {
        self.tables.len()
    }
}
