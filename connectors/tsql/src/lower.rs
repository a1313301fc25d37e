//! Builds the schema model from parsed scripts: `CREATE TABLE` plus the
//! `ALTER TABLE ... ADD CONSTRAINT`, `CREATE INDEX` and extended properties
//! that SSMS scripts put after it are gathered onto one table.

use crate::ast::{self, *};
use sluice_engine::schema::{self as model, Catalog, Origin};
use std::collections::HashMap;

/// Something lowering could not place (a constraint for an unknown table, ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LowerNote {
    /// Script file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// What happened.
    pub message: String,
}

/// Adds the objects of one parsed script to `catalog`.
pub fn lower_into(catalog: &mut Catalog, file: &str, script: &Script, notes: &mut Vec<LowerNote>) {
    let mut l = Lowerer::new(catalog, file, &script.source, notes);
    for stmt in script.statements() {
        l.statement(stmt);
    }
}

/// Parses nothing; lowers one script into a fresh catalog (for tests and tools).
pub fn lower(file: &str, script: &Script) -> (Catalog, Vec<LowerNote>) {
    let mut c = Catalog::default();
    let mut n = Vec::new();
    lower_into(&mut c, file, script, &mut n);
    (c, n)
}

/// Lowers the statements of one script as they come (see
/// [`crate::parser::parse_each_batch`]), into a catalog that may already hold
/// other scripts' objects.
pub struct Lowerer<'a> {
    catalog: &'a mut Catalog,
    file: &'a str,
    src: &'a str,
    notes: &'a mut Vec<LowerNote>,
    tables: HashMap<String, usize>,
    routines: HashMap<(model::RoutineKind, String), usize>,
}

impl<'a> Lowerer<'a> {
    /// Starts lowering script `file` whose text is `src` (spans index into it).
    pub fn new(
        catalog: &'a mut Catalog,
        file: &'a str,
        src: &'a str,
        notes: &'a mut Vec<LowerNote>,
    ) -> Self {
        // Name indexes, so that gathering ALTERs onto tables stays linear in
        // the size of the script (10,000-table exports are normal).
        let tables = catalog
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.key(), i))
            .collect();
        let routines = catalog
            .routines
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.kind, r.name.key()), i))
            .collect();
        Lowerer {
            catalog,
            file,
            src,
            notes,
            tables,
            routines,
        }
    }
}

type Cx<'a> = Lowerer<'a>;

/// Evaluates a constant integer expression (`1`, `(1)`, `-5`).
pub fn const_int(e: &Expr) -> Option<i128> {
    match e.unnested() {
        Expr::Literal(Literal::Number(n), _) => n.parse().ok(),
        Expr::Unary {
            op: UnaryOp::Minus,
            expr,
            ..
        } => const_int(expr).map(|v| -v),
        Expr::Unary {
            op: UnaryOp::Plus,
            expr,
            ..
        } => const_int(expr),
        _ => None,
    }
}

fn idx_cols(cols: &[ast::IndexColumn]) -> Vec<model::IndexColumn> {
    cols.iter()
        .map(|c| model::IndexColumn {
            name: c.name.value.clone(),
            descending: c.descending,
        })
        .collect()
}

fn names(v: &[Ident]) -> Vec<String> {
    v.iter().map(|i| i.value.clone()).collect()
}

impl Cx<'_> {
    fn origin(&self, span: Span) -> Origin {
        Origin {
            file: self.file.to_string(),
            line: span.start.line,
            column: span.start.column,
            end_line: span.end.line,
            text: span.slice(self.src).to_string(),
        }
    }

    fn note(&mut self, span: Span, message: String) {
        self.notes.push(LowerNote {
            file: self.file.to_string(),
            line: span.start.line,
            message,
        });
    }

    /// Adds one statement's effect to the catalog.
    pub fn statement(&mut self, stmt: &Statement) {
        match stmt {
            Statement::CreateSchema(s) => {
                if !self
                    .catalog
                    .schemas
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(&s.name.value))
                {
                    self.catalog.schemas.push(s.name.value.clone());
                }
            }
            Statement::Use(u) => {
                let system = ["master", "tempdb", "model", "msdb"]
                    .iter()
                    .any(|s| u.database.eq_name(s));
                if self.catalog.database.is_none() && !system {
                    self.catalog.database = Some(u.database.value.clone());
                }
            }
            Statement::CreateTable(t) => self.create_table(t),
            Statement::AlterTable(a) => self.alter_table(a),
            Statement::CreateIndex(i) => self.create_index(i),
            Statement::CreateSequence(s) => self.create_sequence(s),
            Statement::CreateSynonym(s) => {
                let o = self.origin(s.span);
                self.catalog.synonyms.push(model::Synonym {
                    name: s.name.to_model(),
                    target: s.target.to_model(),
                    origin: Some(o),
                });
            }
            Statement::CreateType(t) => self.create_type(t),
            Statement::CreateRoutine(r) => {
                let o = self.origin(r.span);
                let key = (r.kind, r.name.to_model().key());
                let routine = model::Routine {
                    kind: r.kind,
                    name: r.name.to_model(),
                    parent: r.parent.as_ref().map(|p| p.to_model()),
                    definition: o.text.clone(),
                    origin: Some(o),
                };
                // `ALTER` after `CREATE` of the same object: the later text wins.
                match self.routines.get(&key) {
                    Some(&i) => self.catalog.routines[i] = routine,
                    None => {
                        self.routines.insert(key, self.catalog.routines.len());
                        self.catalog.routines.push(routine);
                    }
                }
            }
            Statement::Exec(e) => self.exec(e),
            Statement::Other(o) if o.keyword == "CREATE DATABASE" => self.create_database(&o.text),
            Statement::Set(_) | Statement::Other(_) => {}
        }
    }

    fn column(&self, c: &ColumnDef) -> model::Column {
        let mut col = model::Column {
            name: c.name.value.clone(),
            data_type: c.data_type.as_ref().map(|t| t.to_model()),
            nullable: None,
            identity: None,
            computed: c.computed.as_ref().map(|e| model::Computed {
                expression: e.to_string(),
                persisted: false,
            }),
            default: None,
            collation: None,
            rowguidcol: false,
            sparse: false,
            filestream: false,
            comment: None,
        };
        for o in &c.options {
            match o {
                ColumnOption::Null => col.nullable = Some(true),
                ColumnOption::NotNull => col.nullable = Some(false),
                ColumnOption::Identity {
                    args,
                    not_for_replication,
                } => {
                    let (seed, increment) = match args {
                        Some((s, i)) => (
                            const_int(s).unwrap_or(1) as i64,
                            const_int(i).unwrap_or(1) as i64,
                        ),
                        None => (1, 1),
                    };
                    col.identity = Some(model::Identity {
                        seed,
                        increment,
                        not_for_replication: *not_for_replication,
                    });
                }
                ColumnOption::Default { name, expr } => {
                    col.default = Some(model::ColumnDefault {
                        name: name.as_ref().map(|n| n.value.clone()),
                        expression: expr.to_string(),
                    })
                }
                ColumnOption::Collate(c) => col.collation = Some(c.value.clone()),
                ColumnOption::RowGuidCol => col.rowguidcol = true,
                ColumnOption::Sparse => col.sparse = true,
                ColumnOption::Filestream => col.filestream = true,
                ColumnOption::Persisted => {
                    if let Some(cc) = &mut col.computed {
                        cc.persisted = true;
                    }
                }
                ColumnOption::Constraint(_) | ColumnOption::Other(_) => {}
            }
        }
        col
    }

    /// Attaches a constraint to `table`; `column` is set for column-level ones.
    fn add_constraint(
        &mut self,
        table: &mut model::Table,
        c: &TableConstraint,
        column: Option<&str>,
        trusted: bool,
    ) {
        let name = c.name.as_ref().map(|n| n.value.clone());
        let key = |k: &KeySpec, primary: bool| model::KeyConstraint {
            name: name.clone(),
            columns: if k.columns.is_empty() {
                column
                    .map(|c| {
                        vec![model::IndexColumn {
                            name: c.to_string(),
                            descending: false,
                        }]
                    })
                    .unwrap_or_default()
            } else {
                idx_cols(&k.columns)
            },
            clustered: k.clustered.unwrap_or(primary),
        };
        match &c.kind {
            ConstraintKind::PrimaryKey(k) => {
                if table.primary_key.is_some() {
                    self.note(
                        c.span,
                        format!("second PRIMARY KEY on {} ignored", table.name),
                    );
                } else {
                    table.primary_key = Some(key(k, true));
                }
            }
            ConstraintKind::Unique(k) => table.unique_constraints.push(key(k, false)),
            ConstraintKind::ForeignKey(fk) => table.foreign_keys.push(model::ForeignKey {
                name,
                columns: if fk.columns.is_empty() {
                    column.map(|c| vec![c.to_string()]).unwrap_or_default()
                } else {
                    names(&fk.columns)
                },
                referenced_table: fk.table.to_model(),
                referenced_columns: names(&fk.referenced),
                on_delete: fk.on_delete.unwrap_or_default(),
                on_update: fk.on_update.unwrap_or_default(),
                not_for_replication: fk.not_for_replication,
                trusted,
                enabled: true,
            }),
            ConstraintKind::Check {
                expr,
                not_for_replication,
            } => table.checks.push(model::CheckConstraint {
                name,
                expression: expr.to_string(),
                column: column.map(str::to_string),
                not_for_replication: *not_for_replication,
                trusted,
                enabled: true,
            }),
            ConstraintKind::Default { expr, column: col } => {
                match table
                    .columns
                    .iter_mut()
                    .find(|x| x.name.eq_ignore_ascii_case(&col.value))
                {
                    Some(x) => {
                        x.default = Some(model::ColumnDefault {
                            name,
                            expression: expr.to_string(),
                        })
                    }
                    None => self.note(
                        c.span,
                        format!("DEFAULT for unknown column {} of {}", col.value, table.name),
                    ),
                }
            }
        }
    }

    fn add_elements(&mut self, table: &mut model::Table, elements: &[TableElement], trusted: bool) {
        for e in elements {
            match e {
                TableElement::Column(c) => {
                    let col = self.column(c);
                    table.columns.push(col);
                    for o in &c.options {
                        if let ColumnOption::Constraint(k) = o {
                            self.add_constraint(table, k, Some(&c.name.value), trusted);
                        }
                    }
                }
                TableElement::Constraint(k) => self.add_constraint(table, k, None, trusted),
                TableElement::Index(i) => table.indexes.push(model::Index {
                    name: i.name.value.clone(),
                    unique: i.unique,
                    clustered: i.clustered.unwrap_or(false),
                    kind: model::IndexKind::Rowstore,
                    columns: idx_cols(&i.columns),
                    included: Vec::new(),
                    filter: None,
                    options: Vec::new(),
                    origin: Some(self.origin(i.span)),
                }),
            }
        }
    }

    fn create_table(&mut self, t: &CreateTable) {
        let mut table = model::Table::new(t.name.to_model(), Vec::new());
        self.add_elements(&mut table, &t.elements, true);
        table.filegroup = t.storage.as_ref().map(|s| s.name.value.clone());
        table.origin = Some(self.origin(t.span));
        let key = table.name.key();
        match self.tables.get(&key) {
            Some(&i) => {
                self.note(
                    t.span,
                    format!(
                        "table {} is created twice; the later definition is used",
                        table.name
                    ),
                );
                self.catalog.tables[i] = table;
            }
            None => {
                self.tables.insert(key, self.catalog.tables.len());
                self.catalog.tables.push(table);
            }
        }
    }

    fn with_table(
        &mut self,
        name: &ObjectName,
        span: Span,
        f: impl FnOnce(&mut Self, &mut model::Table),
    ) {
        let m = name.to_model();
        let Some(&i) = self.tables.get(&m.key()) else {
            self.note(
                span,
                format!("statement refers to table {m}, which the scripts do not create"),
            );
            return;
        };
        // Take the table out so `f` can borrow `self` too.
        let mut table =
            std::mem::replace(&mut self.catalog.tables[i], model::Table::new(m, vec![]));
        f(self, &mut table);
        // Keep the statements that shaped the table next to its CREATE, so
        // the report shows the whole source of what it converted.
        if let Some(o) = &mut table.origin {
            o.text.push_str("\nGO\n");
            o.text.push_str(span.slice(self.src));
        }
        self.catalog.tables[i] = table;
    }

    fn alter_table(&mut self, a: &AlterTable) {
        let span = a.span;
        self.with_table(&a.name, span, |cx, table| match &a.op {
            AlterTableOp::Add {
                with_check,
                elements,
            } => cx.add_elements(table, elements, *with_check != Some(false)),
            AlterTableOp::SetConstraintCheck {
                with_check,
                enable,
                names,
            } => {
                let hit = |n: &Option<String>| {
                    names.is_empty()
                        || n.as_ref()
                            .is_some_and(|n| names.iter().any(|x| x.eq_name(n)))
                };
                for fk in table.foreign_keys.iter_mut().filter(|f| hit(&f.name)) {
                    fk.enabled = *enable;
                    if *with_check == Some(true) {
                        fk.trusted = true;
                    }
                }
                for ck in table.checks.iter_mut().filter(|c| hit(&c.name)) {
                    ck.enabled = *enable;
                    if *with_check == Some(true) {
                        ck.trusted = true;
                    }
                }
            }
            AlterTableOp::DropConstraint(names) => {
                let gone = |n: &Option<String>| {
                    n.as_ref()
                        .is_some_and(|n| names.iter().any(|x| x.eq_name(n)))
                };
                table.foreign_keys.retain(|f| !gone(&f.name));
                table.checks.retain(|c| !gone(&c.name));
                table.unique_constraints.retain(|c| !gone(&c.name));
                if table.primary_key.as_ref().is_some_and(|p| gone(&p.name)) {
                    table.primary_key = None;
                }
                for c in &mut table.columns {
                    if c.default.as_ref().is_some_and(|d| gone(&d.name)) {
                        c.default = None;
                    }
                }
            }
            AlterTableOp::DropColumn(names) => table
                .columns
                .retain(|c| !names.iter().any(|n| n.eq_name(&c.name))),
            AlterTableOp::AlterColumn(def) => {
                let new = cx.column(def);
                if let Some(c) = table
                    .columns
                    .iter_mut()
                    .find(|c| c.name.eq_ignore_ascii_case(&new.name))
                {
                    c.data_type = new.data_type;
                    c.nullable = new.nullable;
                    if new.collation.is_some() {
                        c.collation = new.collation;
                    }
                }
            }
            // SSMS scripts every trigger followed by ENABLE TRIGGER: the state it has anyway.
            AlterTableOp::Other(text)
                if text
                    .trim_start()
                    .to_ascii_uppercase()
                    .starts_with("ENABLE TRIGGER") => {}
            AlterTableOp::Other(text) => cx.note(
                span,
                format!("ALTER TABLE action not modelled: {}", text.trim()),
            ),
        });
    }

    fn create_index(&mut self, i: &CreateIndex) {
        let kind = match i.special.as_deref() {
            Some(s) if s.contains("COLUMNSTORE") => model::IndexKind::Columnstore,
            Some(s) if s.contains("XML") => model::IndexKind::Xml,
            Some(s) if s.contains("SPATIAL") => model::IndexKind::Spatial,
            _ => model::IndexKind::Rowstore,
        };
        let index = model::Index {
            name: i.name.value.clone(),
            unique: i.unique,
            clustered: i.clustered.unwrap_or(false),
            kind,
            columns: idx_cols(&i.columns),
            included: names(&i.include),
            filter: i.filter.as_ref().map(|f| f.to_string()),
            options: i.options.iter().map(|o| o.to_string()).collect(),
            origin: Some(self.origin(i.span)),
        };
        self.with_table(&i.table, i.span, |_, t| t.indexes.push(index));
    }

    fn create_sequence(&mut self, s: &CreateSequence) {
        let o = self.origin(s.span);
        self.catalog.sequences.push(model::Sequence {
            name: s.name.to_model(),
            data_type: s
                .data_type
                .as_ref()
                .map(|t| t.to_model())
                .unwrap_or_else(|| model::SourceType::named("bigint")),
            start: s.start.as_ref().and_then(const_int),
            increment: s.increment.as_ref().and_then(const_int).unwrap_or(1),
            min_value: s.min_value.as_ref().and_then(const_int),
            max_value: s.max_value.as_ref().and_then(const_int),
            cycle: s.cycle.unwrap_or(false),
            cache: s
                .cache
                .as_ref()
                .and_then(|c| c.as_ref().and_then(const_int)),
            origin: Some(o),
        });
    }

    fn create_type(&mut self, t: &CreateType) {
        let kind = match &t.definition {
            TypeDefinition::Alias { base, nullable } => model::UserTypeKind::Alias {
                base: base.to_model(),
                nullable: nullable.unwrap_or(true),
            },
            TypeDefinition::Table(elements) => {
                let mut tmp = model::Table::new(t.name.to_model(), Vec::new());
                self.add_elements(&mut tmp, elements, true);
                model::UserTypeKind::Table {
                    columns: tmp.columns,
                }
            }
        };
        let o = self.origin(t.span);
        self.catalog.user_types.push(model::UserType {
            name: t.name.to_model(),
            kind,
            origin: Some(o),
        });
    }

    /// `CREATE DATABASE name ... COLLATE x`: the default collation of every
    /// column that does not name one.
    fn create_database(&mut self, text: &str) {
        let toks: Vec<crate::lexer::Token> = crate::lexer::tokenize(text)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        if let Some(i) = toks.iter().position(|t| t.is_keyword("COLLATE")) {
            if let Some(c) = toks.get(i + 1) {
                self.catalog.collation = Some(c.text.clone());
            }
        }
    }

    /// `sp_addextendedproperty 'MS_Description'` becomes a table or column comment.
    fn exec(&mut self, e: &ExecStatement) {
        if !e.procedure.name().eq_name("sp_addextendedproperty") {
            return;
        }
        let mut named = std::collections::HashMap::new();
        for (i, a) in e.args.iter().enumerate() {
            let key = a
                .name
                .clone()
                .map(|n| n.to_ascii_lowercase())
                .unwrap_or_else(|| {
                    [
                        "@name",
                        "@value",
                        "@level0type",
                        "@level0name",
                        "@level1type",
                        "@level1name",
                        "@level2type",
                        "@level2name",
                    ]
                    .get(i)
                    .unwrap_or(&"")
                    .to_string()
                });
            if let Expr::Literal(Literal::String { value, .. }, _) = a.value.unnested() {
                named.insert(key, value.clone());
            }
        }
        let get = |k: &str| named.get(k).cloned().unwrap_or_default();
        if !get("@name").eq_ignore_ascii_case("MS_Description")
            || !get("@level1type").eq_ignore_ascii_case("TABLE")
        {
            return;
        }
        let table = model::ObjectName::new(get("@level0name"), get("@level1name"));
        let value = get("@value");
        let column = get("@level2name");
        let is_column = get("@level2type").eq_ignore_ascii_case("COLUMN");
        if let Some(t) = self
            .tables
            .get(&table.key())
            .map(|&i| &mut self.catalog.tables[i])
        {
            if is_column {
                if let Some(c) = t
                    .columns
                    .iter_mut()
                    .find(|c| c.name.eq_ignore_ascii_case(&column))
                {
                    c.comment = Some(value);
                }
            } else if get("@level2type").is_empty() {
                t.comment = Some(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_script;
    use sluice_engine::schema::ReferentialAction;

    const SCRIPT: &str = r#"
USE [Hospital]
GO
CREATE TABLE [dbo].[Ward](
	[WardId] [int] IDENTITY(10,1) NOT NULL,
	[Name] [nvarchar](50) COLLATE Chinese_PRC_CI_AS NOT NULL,
	[Beds] [tinyint] NULL CONSTRAINT [DF_Ward_Beds] DEFAULT ((0)),
 CONSTRAINT [PK_Ward] PRIMARY KEY CLUSTERED ([WardId] ASC) WITH (PAD_INDEX = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
CREATE TABLE [dbo].[Bed]([BedId] int NOT NULL PRIMARY KEY NONCLUSTERED, [WardId] int NOT NULL, [Code] AS ('B' + CONVERT(varchar(10), [BedId])) PERSISTED)
GO
ALTER TABLE [dbo].[Bed]  WITH NOCHECK ADD  CONSTRAINT [FK_Bed_Ward] FOREIGN KEY([WardId])
REFERENCES [dbo].[Ward] ([WardId])
ON DELETE CASCADE
GO
ALTER TABLE [dbo].[Bed] NOCHECK CONSTRAINT [FK_Bed_Ward]
GO
ALTER TABLE [dbo].[Ward]  WITH CHECK ADD  CONSTRAINT [CK_Ward_Beds] CHECK  (([Beds]<=(60)))
GO
CREATE UNIQUE NONCLUSTERED INDEX [UX_Ward_Name] ON [dbo].[Ward] ([Name] ASC) INCLUDE ([Beds]) WHERE ([Name] IS NOT NULL) WITH (FILLFACTOR = 90) ON [PRIMARY]
GO
EXEC sys.sp_addextendedproperty @name=N'MS_Description', @value=N'病区' , @level0type=N'SCHEMA',@level0name=N'dbo', @level1type=N'TABLE',@level1name=N'Ward'
GO
"#;

    #[test]
    fn ssms_script_gathers_onto_tables() {
        let s = parse_script(SCRIPT);
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        let (c, notes) = lower("x.sql", &s);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(c.database.as_deref(), Some("Hospital"));
        let ward = c.table(&model::ObjectName::new("dbo", "Ward")).unwrap();
        assert_eq!(
            ward.columns[0]
                .identity
                .as_ref()
                .map(|i| (i.seed, i.increment)),
            Some((10, 1))
        );
        assert_eq!(
            ward.columns[1].collation.as_deref(),
            Some("Chinese_PRC_CI_AS")
        );
        assert_eq!(
            ward.columns[2].default.as_ref().unwrap().expression,
            "((0))"
        );
        assert_eq!(
            ward.columns[2].default.as_ref().unwrap().name.as_deref(),
            Some("DF_Ward_Beds")
        );
        assert!(ward.primary_key.as_ref().unwrap().clustered);
        assert_eq!(ward.checks[0].expression, "([Beds] <= (60))");
        let ix = &ward.indexes[0];
        assert!(
            ix.unique
                && ix.included == ["Beds"]
                && ix.filter.as_deref() == Some("([Name] IS NOT NULL)")
        );
        assert_eq!(ward.comment.as_deref(), Some("病区"));
        assert_eq!(ward.origin.as_ref().unwrap().line, 4);

        let bed = c.table(&model::ObjectName::new("dbo", "Bed")).unwrap();
        let pk = bed.primary_key.as_ref().unwrap();
        assert!(!pk.clustered && pk.columns[0].name == "BedId");
        let fk = &bed.foreign_keys[0];
        assert_eq!(fk.on_delete, ReferentialAction::Cascade);
        assert!(!fk.trusted && !fk.enabled);
        assert!(bed.columns[2].computed.as_ref().unwrap().persisted);
    }
}
