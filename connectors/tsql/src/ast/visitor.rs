//! Read-only traversal, so each analysis or conversion rule can be a small
//! pass that overrides only the hooks it needs.

use super::*;
use std::ops::ControlFlow;

/// Hooks called before a node's children are visited. Returning
/// `ControlFlow::Break` stops the whole walk.
pub trait Visitor {
    /// Value carried out by `Break`.
    type Break;

    /// Called for every expression, parents before children.
    fn pre_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<Self::Break> {
        ControlFlow::Continue(())
    }

    /// Called for every data type.
    fn visit_data_type(&mut self, _ty: &DataType) -> ControlFlow<Self::Break> {
        ControlFlow::Continue(())
    }

    /// Called for every statement, before its parts.
    fn pre_visit_statement(&mut self, _stmt: &Statement) -> ControlFlow<Self::Break> {
        ControlFlow::Continue(())
    }
}

/// Something a [`Visitor`] can walk.
pub trait Visit {
    /// Walks `self` and its children.
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break>;
}

impl Visit for DataType {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        v.visit_data_type(self)
    }
}

impl<T: Visit> Visit for Option<T> {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        if let Some(t) = self {
            t.visit(v)?;
        }
        ControlFlow::Continue(())
    }
}

impl<T: Visit> Visit for Vec<T> {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        for t in self {
            t.visit(v)?;
        }
        ControlFlow::Continue(())
    }
}

impl<T: Visit> Visit for Box<T> {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        (**self).visit(v)
    }
}

impl Visit for Expr {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        v.pre_visit_expr(self)?;
        match self {
            Expr::Name(_)
            | Expr::Variable(_)
            | Expr::Literal(..)
            | Expr::Star(_)
            | Expr::NextValueFor(..)
            | Expr::Subquery { .. } => {}
            Expr::Unary { expr, .. } | Expr::Nested(expr, _) => expr.visit(v)?,
            Expr::Binary { left, right, .. } => {
                left.visit(v)?;
                right.visit(v)?;
            }
            Expr::Function { args, .. } => args.visit(v)?,
            Expr::Cast {
                expr, data_type, ..
            } => {
                expr.visit(v)?;
                data_type.visit(v)?;
            }
            Expr::Convert {
                data_type,
                expr,
                style,
                ..
            } => {
                data_type.visit(v)?;
                expr.visit(v)?;
                style.visit(v)?;
            }
            Expr::Case {
                operand,
                whens,
                else_result,
                ..
            } => {
                operand.visit(v)?;
                for (w, t) in whens {
                    w.visit(v)?;
                    t.visit(v)?;
                }
                else_result.visit(v)?;
            }
            Expr::IsNull { expr, .. } => expr.visit(v)?,
            Expr::InList { expr, list, .. } => {
                expr.visit(v)?;
                list.visit(v)?;
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                expr.visit(v)?;
                low.visit(v)?;
                high.visit(v)?;
            }
            Expr::Like {
                expr,
                pattern,
                escape,
                ..
            } => {
                expr.visit(v)?;
                pattern.visit(v)?;
                escape.visit(v)?;
            }
        }
        ControlFlow::Continue(())
    }
}

impl Visit for TableConstraint {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        match &self.kind {
            ConstraintKind::Check { expr, .. } | ConstraintKind::Default { expr, .. } => {
                expr.visit(v)
            }
            _ => ControlFlow::Continue(()),
        }
    }
}

impl Visit for ColumnDef {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        self.data_type.visit(v)?;
        self.computed.visit(v)?;
        for o in &self.options {
            match o {
                ColumnOption::Default { expr, .. } => expr.visit(v)?,
                ColumnOption::Identity {
                    args: Some((a, b)), ..
                } => {
                    a.visit(v)?;
                    b.visit(v)?;
                }
                ColumnOption::Constraint(c) => c.visit(v)?,
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }
}

impl Visit for TableElement {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        match self {
            TableElement::Column(c) => c.visit(v),
            TableElement::Constraint(c) => c.visit(v),
            TableElement::Index(_) => ControlFlow::Continue(()),
        }
    }
}

impl Visit for Statement {
    fn visit<V: Visitor>(&self, v: &mut V) -> ControlFlow<V::Break> {
        v.pre_visit_statement(self)?;
        match self {
            Statement::CreateTable(t) => t.elements.visit(v),
            Statement::AlterTable(a) => match &a.op {
                AlterTableOp::Add { elements, .. } => elements.visit(v),
                AlterTableOp::AlterColumn(c) => c.visit(v),
                _ => ControlFlow::Continue(()),
            },
            Statement::CreateIndex(i) => i.filter.visit(v),
            Statement::CreateSequence(s) => {
                s.data_type.visit(v)?;
                s.start.visit(v)?;
                s.increment.visit(v)?;
                s.min_value.visit(v)?;
                s.max_value.visit(v)
            }
            Statement::CreateType(t) => match &t.definition {
                TypeDefinition::Alias { base, .. } => base.visit(v),
                TypeDefinition::Table(elements) => elements.visit(v),
            },
            Statement::Exec(e) => {
                for a in &e.args {
                    a.value.visit(v)?;
                }
                ControlFlow::Continue(())
            }
            Statement::CreateSynonym(_)
            | Statement::CreateSchema(_)
            | Statement::CreateRoutine(_)
            | Statement::Set(_)
            | Statement::Use(_)
            | Statement::Other(_) => ControlFlow::Continue(()),
        }
    }
}

/// Collects every function name called in `node`, upper-case.
pub fn called_functions<T: Visit>(node: &T) -> Vec<String> {
    struct Calls(Vec<String>);
    impl Visitor for Calls {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if let Expr::Function { name, .. } = e {
                self.0.push(name.name().value.to_ascii_uppercase());
            }
            ControlFlow::Continue(())
        }
    }
    let mut c = Calls(Vec::new());
    let _ = node.visit(&mut c);
    c.0
}
