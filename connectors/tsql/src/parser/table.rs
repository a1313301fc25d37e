//! CREATE TABLE, ALTER TABLE, columns and constraints.

use super::{PResult, Parser};
use crate::ast::*;
use sluice_engine::schema::ReferentialAction;

impl Parser<'_> {
    pub(super) fn parse_create_table(&mut self, start: Loc) -> PResult<CreateTable> {
        let name = self.parse_object_name()?;
        if self.at_kw("AS") {
            return self.error("CREATE TABLE ... AS FILETABLE/NODE/EDGE is not supported");
        }
        self.expect_punct("(")?;
        let elements = self.parse_table_elements()?;
        self.expect_punct(")")?;
        let mut storage = None;
        let mut textimage_on = None;
        let mut options = Vec::new();
        loop {
            if self.at_kw("ON") {
                storage = Some(self.parse_storage()?);
            } else if self.eat_kw("TEXTIMAGE_ON") || self.eat_kw("FILESTREAM_ON") {
                textimage_on = Some(self.parse_ident()?);
            } else if self.at_kw("WITH") && self.peek_nth(1).is_some_and(|t| t.is_punct("(")) {
                self.pos += 1;
                options = self.parse_options()?;
            } else {
                break;
            }
        }
        Ok(CreateTable {
            name,
            elements,
            storage,
            textimage_on,
            options,
            span: self.span_from(start),
        })
    }

    /// Comma-separated columns, constraints and inline indexes (no parentheses).
    pub(super) fn parse_table_elements(&mut self) -> PResult<Vec<TableElement>> {
        let mut v = vec![self.parse_table_element()?];
        while self.eat_punct(",") {
            if self.at_punct(")") {
                break; // trailing comma, accepted by SQL Server
            }
            v.push(self.parse_table_element()?);
        }
        Ok(v)
    }

    fn at_constraint_start(&self) -> bool {
        ["CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"]
            .iter()
            .any(|k| self.at_kw(k))
    }

    fn parse_table_element(&mut self) -> PResult<TableElement> {
        if self.at_constraint_start() {
            return Ok(TableElement::Constraint(self.parse_table_constraint()?));
        }
        if self.at_kw("INDEX") {
            let start = self.here();
            self.pos += 1;
            let name = self.parse_ident()?;
            let unique = self.eat_kw("UNIQUE");
            let clustered = self.parse_clustered();
            let columns = self.parse_index_columns()?;
            return Ok(TableElement::Index(InlineIndex {
                name,
                unique,
                clustered,
                columns,
                span: self.span_from(start),
            }));
        }
        if self.at_kw("PERIOD") {
            return self.error("PERIOD FOR SYSTEM_TIME (temporal tables) is not supported");
        }
        Ok(TableElement::Column(self.parse_column_def()?))
    }

    fn parse_clustered(&mut self) -> Option<bool> {
        if self.eat_kw("CLUSTERED") {
            Some(true)
        } else if self.eat_kw("NONCLUSTERED") {
            Some(false)
        } else {
            None
        }
    }

    /// `( col [ASC|DESC], ... )`
    pub(super) fn parse_index_columns(&mut self) -> PResult<Vec<IndexColumn>> {
        self.expect_punct("(")?;
        let mut v = Vec::new();
        loop {
            let name = self.parse_ident()?;
            let descending = self.eat_kw("DESC");
            let explicit_asc = !descending && self.eat_kw("ASC");
            v.push(IndexColumn {
                name,
                descending,
                explicit_asc,
            });
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct(")")?;
        Ok(v)
    }

    /// `ON name [(column)]`
    pub(super) fn parse_storage(&mut self) -> PResult<Storage> {
        let start = self.here();
        self.expect_kw("ON")?;
        let name = self.parse_ident()?;
        let column = if self.at_punct("(") {
            self.pos += 1;
            let c = self.parse_ident()?;
            self.expect_punct(")")?;
            Some(c)
        } else {
            None
        };
        Ok(Storage {
            name,
            column,
            span: self.span_from(start),
        })
    }

    /// `( NAME = value, FLAG, ... )` after WITH; values kept as text.
    pub(super) fn parse_options(&mut self) -> PResult<Vec<SqlOption>> {
        self.expect_punct("(")?;
        let mut v = Vec::new();
        loop {
            let start = self.here();
            let name = self.parse_ident()?;
            let value = if self.eat_punct("=") {
                let vstart = self.here();
                let mut depth = 0;
                while let Some(t) = self.peek() {
                    if depth == 0 && (t.is_punct(",") || t.is_punct(")")) {
                        break;
                    }
                    if t.is_punct("(") {
                        depth += 1;
                    } else if t.is_punct(")") {
                        depth -= 1;
                    }
                    self.pos += 1;
                }
                let text = self.text_between(vstart, self.prev_end());
                if text.trim().is_empty() {
                    return self.error(format!("option {} has no value", name.value));
                }
                Some(text)
            } else {
                None
            };
            v.push(SqlOption {
                name,
                value,
                span: self.span_from(start),
            });
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct(")")?;
        Ok(v)
    }

    /// `[CONSTRAINT name] PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK|DEFAULT ...`
    pub(super) fn parse_table_constraint(&mut self) -> PResult<TableConstraint> {
        let start = self.here();
        let name = if self.eat_kw("CONSTRAINT") {
            Some(self.parse_ident()?)
        } else {
            None
        };
        let kind = self.parse_constraint_kind(true)?;
        Ok(TableConstraint {
            name,
            kind,
            span: self.span_from(start),
        })
    }

    fn parse_key_spec(&mut self, table_level: bool) -> PResult<KeySpec> {
        let clustered = self.parse_clustered();
        let columns = if table_level || self.at_punct("(") {
            self.parse_index_columns()?
        } else {
            Vec::new()
        };
        let mut options = Vec::new();
        let mut storage = None;
        loop {
            if self.at_kw("WITH") && self.peek_nth(1).is_some_and(|t| t.is_punct("(")) {
                self.pos += 1;
                options = self.parse_options()?;
            } else if self.at_kw("WITH") && self.at_kw_nth(1, "FILLFACTOR") {
                // old-style `WITH FILLFACTOR = 90`
                let start = self.here();
                self.pos += 2;
                self.expect_punct("=")?;
                let n = self.next().map(|t| t.text.clone()).unwrap_or_default();
                options.push(SqlOption {
                    name: Ident::new("FILLFACTOR"),
                    value: Some(n),
                    span: self.span_from(start),
                });
            } else if self.at_kw("ON")
                && !self.at_kw_nth(1, "DELETE")
                && !self.at_kw_nth(1, "UPDATE")
            {
                storage = Some(self.parse_storage()?);
            } else {
                break;
            }
        }
        Ok(KeySpec {
            clustered,
            columns,
            options,
            storage,
        })
    }

    fn parse_constraint_kind(&mut self, table_level: bool) -> PResult<ConstraintKind> {
        if self.eat_kws(&["PRIMARY", "KEY"]) {
            return Ok(ConstraintKind::PrimaryKey(
                self.parse_key_spec(table_level)?,
            ));
        }
        if self.eat_kw("UNIQUE") {
            return Ok(ConstraintKind::Unique(self.parse_key_spec(table_level)?));
        }
        if self.eat_kw("CHECK") {
            let not_for_replication = self.eat_kws(&["NOT", "FOR", "REPLICATION"]);
            self.expect_punct("(")?;
            let expr = self.parse_expr()?;
            self.expect_punct(")")?;
            return Ok(ConstraintKind::Check {
                expr,
                not_for_replication,
            });
        }
        if self.eat_kw("DEFAULT") {
            let expr = self.parse_expr()?;
            self.expect_kw("FOR")?;
            let column = self.parse_ident()?;
            self.eat_kws(&["WITH", "VALUES"]);
            return Ok(ConstraintKind::Default { expr, column });
        }
        let columns = if self.eat_kws(&["FOREIGN", "KEY"]) {
            if table_level || self.at_punct("(") {
                self.parse_ident_list()?
            } else {
                Vec::new()
            }
        } else if self.at_kw("REFERENCES") {
            Vec::new()
        } else {
            return self.error(format!(
                "expected PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK or DEFAULT, found {}",
                self.found()
            ));
        };
        self.expect_kw("REFERENCES")?;
        let table = self.parse_object_name()?;
        let referenced = if self.at_punct("(") {
            self.parse_ident_list()?
        } else {
            Vec::new()
        };
        let mut fk = ForeignKeySpec {
            columns,
            table,
            referenced,
            on_delete: None,
            on_update: None,
            not_for_replication: false,
        };
        loop {
            if self.eat_kws(&["ON", "DELETE"]) {
                fk.on_delete = Some(self.parse_action()?);
            } else if self.eat_kws(&["ON", "UPDATE"]) {
                fk.on_update = Some(self.parse_action()?);
            } else if self.eat_kws(&["NOT", "FOR", "REPLICATION"]) {
                fk.not_for_replication = true;
            } else {
                break;
            }
        }
        Ok(ConstraintKind::ForeignKey(fk))
    }

    fn parse_action(&mut self) -> PResult<ReferentialAction> {
        if self.eat_kws(&["NO", "ACTION"]) {
            Ok(ReferentialAction::NoAction)
        } else if self.eat_kw("CASCADE") {
            Ok(ReferentialAction::Cascade)
        } else if self.eat_kws(&["SET", "NULL"]) {
            Ok(ReferentialAction::SetNull)
        } else if self.eat_kws(&["SET", "DEFAULT"]) {
            Ok(ReferentialAction::SetDefault)
        } else {
            self.error(format!(
                "expected NO ACTION, CASCADE, SET NULL or SET DEFAULT, found {}",
                self.found()
            ))
        }
    }

    /// A column definition (also used by ALTER TABLE ADD / ALTER COLUMN).
    pub(super) fn parse_column_def(&mut self) -> PResult<ColumnDef> {
        let start = self.here();
        let name = self.parse_ident()?;
        let (data_type, computed) = if self.eat_kw("AS") {
            (None, Some(self.parse_expr()?))
        } else {
            (Some(self.parse_data_type()?), None)
        };
        let mut options = Vec::new();
        while let Some(t) = self.peek() {
            if t.is_punct(",")
                || t.is_punct(")")
                || t.is_punct(";")
                || self.starts_statement_at(self.pos)
            {
                break;
            }
            if self.eat_kw("NULL") {
                options.push(ColumnOption::Null);
            } else if self.eat_kws(&["NOT", "NULL"]) {
                options.push(ColumnOption::NotNull);
            } else if self.eat_kw("IDENTITY") {
                let args = if self.eat_punct("(") {
                    let seed = self.parse_expr()?;
                    self.expect_punct(",")?;
                    let inc = self.parse_expr()?;
                    self.expect_punct(")")?;
                    Some((seed, inc))
                } else {
                    None
                };
                let not_for_replication = self.eat_kws(&["NOT", "FOR", "REPLICATION"]);
                options.push(ColumnOption::Identity {
                    args,
                    not_for_replication,
                });
            } else if self.at_kw("DEFAULT")
                || (self.at_kw("CONSTRAINT") && self.at_kw_nth(2, "DEFAULT"))
            {
                let name = if self.eat_kw("CONSTRAINT") {
                    Some(self.parse_ident()?)
                } else {
                    None
                };
                self.expect_kw("DEFAULT")?;
                let expr = self.parse_expr()?;
                self.eat_kws(&["WITH", "VALUES"]);
                options.push(ColumnOption::Default { name, expr });
            } else if self.eat_kw("COLLATE") {
                options.push(ColumnOption::Collate(self.parse_ident()?));
            } else if self.eat_kw("ROWGUIDCOL") {
                options.push(ColumnOption::RowGuidCol);
            } else if self.eat_kw("SPARSE") {
                options.push(ColumnOption::Sparse);
            } else if self.eat_kw("FILESTREAM") {
                options.push(ColumnOption::Filestream);
            } else if self.eat_kw("PERSISTED") {
                options.push(ColumnOption::Persisted);
            } else if self.at_constraint_start() || self.at_kw("REFERENCES") {
                let cstart = self.here();
                let cname = if self.eat_kw("CONSTRAINT") {
                    Some(self.parse_ident()?)
                } else {
                    None
                };
                let kind = self.parse_constraint_kind(false)?;
                options.push(ColumnOption::Constraint(TableConstraint {
                    name: cname,
                    kind,
                    span: self.span_from(cstart),
                }));
            } else if self.at_kw("MASKED") || self.at_kw("ENCRYPTED") {
                let ostart = self.here();
                self.pos += 1;
                self.expect_kw("WITH")?;
                self.skip_parenthesised()?;
                options.push(ColumnOption::Other(
                    self.text_between(ostart, self.prev_end()),
                ));
            } else if self.at_kw("GENERATED") {
                let ostart = self.here();
                while let Some(t) = self.peek() {
                    if t.is_punct(",")
                        || t.is_punct(")")
                        || t.is_keyword("NOT")
                        || t.is_keyword("NULL")
                    {
                        break;
                    }
                    self.pos += 1;
                }
                options.push(ColumnOption::Other(
                    self.text_between(ostart, self.prev_end()),
                ));
            } else if self.eat_kw("HIDDEN") {
                options.push(ColumnOption::Other("HIDDEN".into()));
            } else {
                return self.error(format!(
                    "unexpected {} in the definition of column {}",
                    self.found(),
                    name.value
                ));
            }
        }
        Ok(ColumnDef {
            name,
            data_type,
            computed,
            options,
            span: self.span_from(start),
        })
    }

    fn skip_parenthesised(&mut self) -> PResult<()> {
        self.expect_punct("(")?;
        let mut depth = 1;
        while let Some(t) = self.next() {
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
        }
        self.error("unclosed '('")
    }

    pub(super) fn parse_alter_table(&mut self, start: Loc) -> PResult<AlterTable> {
        let name = self.parse_object_name()?;
        let with_check = if self.eat_kws(&["WITH", "CHECK"]) {
            Some(true)
        } else if self.eat_kws(&["WITH", "NOCHECK"]) {
            Some(false)
        } else {
            None
        };
        let op = if self.eat_kw("ADD") {
            AlterTableOp::Add {
                with_check,
                elements: self.parse_table_elements()?,
            }
        } else if self.at_kw("CHECK") || self.at_kw("NOCHECK") {
            let enable = self.at_kw("CHECK");
            self.pos += 1;
            self.expect_kw("CONSTRAINT")?;
            let names = if self.eat_kw("ALL") {
                Vec::new()
            } else {
                let mut v = vec![self.parse_ident()?];
                while self.eat_punct(",") {
                    v.push(self.parse_ident()?);
                }
                v
            };
            AlterTableOp::SetConstraintCheck {
                with_check,
                enable,
                names,
            }
        } else if with_check.is_some() {
            return self.error(format!(
                "expected ADD, CHECK or NOCHECK after WITH CHECK/NOCHECK, found {}",
                self.found()
            ));
        } else if self.eat_kw("DROP") {
            let column = self.eat_kw("COLUMN");
            if !column {
                self.eat_kw("CONSTRAINT");
            }
            self.eat_kws(&["IF", "EXISTS"]);
            let mut v = vec![self.parse_ident()?];
            while self.eat_punct(",") {
                v.push(self.parse_ident()?);
            }
            if column {
                AlterTableOp::DropColumn(v)
            } else {
                AlterTableOp::DropConstraint(v)
            }
        } else if self.eat_kws(&["ALTER", "COLUMN"]) {
            AlterTableOp::AlterColumn(Box::new(self.parse_column_def()?))
        } else {
            let ostart = self.here();
            self.skip_statement();
            if self
                .toks
                .get(self.pos.wrapping_sub(1))
                .is_some_and(|t| t.is_punct(";"))
            {
                self.pos -= 1;
            }
            AlterTableOp::Other(self.text_between(ostart, self.prev_end()))
        };
        Ok(AlterTable {
            name,
            op,
            span: self.span_from(start),
        })
    }
}
