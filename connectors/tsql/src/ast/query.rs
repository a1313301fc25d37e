//! Expressions and data types: the part of T-SQL shared by DDL (defaults,
//! computed columns, checks, index filters) and routine bodies.

use super::{Ident, ObjectName, Span};

/// A data type as written: `nvarchar(50)`, `decimal(19, 4)`, `varchar(max)`, `dbo.ut_Name`.
#[derive(Debug, Clone, PartialEq)]
pub struct DataType {
    /// The type name (qualified for user types).
    pub name: ObjectName,
    /// Arguments in parentheses.
    pub args: Vec<TypeArg>,
    /// Where.
    pub span: Span,
}

/// One argument of a data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeArg {
    /// A number.
    Number(u32),
    /// `max`.
    Max,
}

impl DataType {
    /// Converts to the schema model's type description.
    pub fn to_model(&self) -> sluice_engine::schema::SourceType {
        use sluice_engine::schema::{Length, SourceType};
        let name = self.name.name().value.to_lowercase();
        let mut t = SourceType {
            schema: self.name.schema().map(|s| s.value.clone()),
            name,
            ..Default::default()
        };
        let takes_length = matches!(
            t.name.as_str(),
            "char" | "varchar" | "nchar" | "nvarchar" | "binary" | "varbinary"
        );
        match (self.args.first(), self.args.get(1)) {
            (Some(TypeArg::Max), _) => t.length = Some(Length::Max),
            (Some(TypeArg::Number(n)), None) if takes_length => t.length = Some(Length::N(*n)),
            (Some(TypeArg::Number(p)), s) => {
                t.precision = Some(*p);
                if let Some(TypeArg::Number(s)) = s {
                    t.scale = Some(*s);
                }
            }
            (None, _) => {}
        }
        t
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A number as written.
    Number(String),
    /// A string; `national` for `N'...'`.
    String {
        /// The unescaped value.
        value: String,
        /// `N'...'`.
        national: bool,
    },
    /// `0x...` as written.
    Binary(String),
    /// `NULL`.
    Null,
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Minus,
    /// `+`
    Plus,
    /// `~`
    BitNot,
    /// `NOT`
    Not,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+` (addition or string concatenation, decided by operand types)
    Plus,
    /// `-`
    Minus,
    /// `*`
    Multiply,
    /// `/` (integer division when both operands are integers)
    Divide,
    /// `%`
    Modulo,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `=`
    Eq,
    /// `<>`
    NotEq,
    /// `!=`
    BangEq,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    LtEq,
    /// `>=`
    GtEq,
    /// `!<`
    NotLt,
    /// `!>`
    NotGt,
    /// `AND`
    And,
    /// `OR`
    Or,
}

impl BinaryOp {
    /// Binding strength: higher binds tighter (T-SQL operator precedence).
    pub fn precedence(self) -> u8 {
        use BinaryOp::*;
        match self {
            Or => 1,
            And => 2,
            Eq | NotEq | BangEq | Lt | Gt | LtEq | GtEq | NotLt | NotGt => 4,
            Plus | Minus | BitAnd | BitOr | BitXor => 5,
            Multiply | Divide | Modulo => 6,
        }
    }

    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Plus => "+",
            Minus => "-",
            Multiply => "*",
            Divide => "/",
            Modulo => "%",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            Eq => "=",
            NotEq => "<>",
            BangEq => "!=",
            Lt => "<",
            Gt => ">",
            LtEq => "<=",
            GtEq => ">=",
            NotLt => "!<",
            NotGt => "!>",
            And => "AND",
            Or => "OR",
        }
    }
}

/// `CAST` or `TRY_CAST`, `CONVERT` or `TRY_CONVERT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastKind {
    /// Fails on bad input.
    Strict,
    /// Returns NULL on bad input.
    Try,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column or other name, possibly dotted.
    Name(ObjectName),
    /// `@var` or `@@function`.
    Variable(Ident),
    /// A literal.
    Literal(Literal, Span),
    /// `op expr`.
    Unary {
        /// Operator.
        op: UnaryOp,
        /// Operand.
        expr: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `left op right`.
    Binary {
        /// Left operand.
        left: Box<Expr>,
        /// Operator.
        op: BinaryOp,
        /// Right operand.
        right: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `name(args)`; `COUNT(*)` has a [`Expr::Star`] argument.
    Function {
        /// Function name.
        name: ObjectName,
        /// `DISTINCT` before the arguments.
        distinct: bool,
        /// Arguments.
        args: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `CAST(expr AS type)` / `TRY_CAST`.
    Cast {
        /// Which.
        kind: CastKind,
        /// Operand.
        expr: Box<Expr>,
        /// Target type.
        data_type: DataType,
        /// Where.
        span: Span,
    },
    /// `CONVERT(type, expr [, style])` / `TRY_CONVERT`.
    Convert {
        /// Which.
        kind: CastKind,
        /// Target type.
        data_type: DataType,
        /// Operand.
        expr: Box<Expr>,
        /// Style code.
        style: Option<Box<Expr>>,
        /// Where.
        span: Span,
    },
    /// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`.
    Case {
        /// Simple CASE operand.
        operand: Option<Box<Expr>>,
        /// `WHEN cond THEN result` pairs.
        whens: Vec<(Expr, Expr)>,
        /// `ELSE`.
        else_result: Option<Box<Expr>>,
        /// Where.
        span: Span,
    },
    /// `expr IS [NOT] NULL`.
    IsNull {
        /// Operand.
        expr: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
        /// Where.
        span: Span,
    },
    /// `expr [NOT] IN (list)`.
    InList {
        /// Operand.
        expr: Box<Expr>,
        /// Values.
        list: Vec<Expr>,
        /// `NOT IN`.
        negated: bool,
        /// Where.
        span: Span,
    },
    /// `expr [NOT] BETWEEN low AND high`.
    Between {
        /// Operand.
        expr: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
        /// `NOT BETWEEN`.
        negated: bool,
        /// Where.
        span: Span,
    },
    /// `expr [NOT] LIKE pattern [ESCAPE esc]`.
    Like {
        /// Operand.
        expr: Box<Expr>,
        /// Pattern.
        pattern: Box<Expr>,
        /// Escape character.
        escape: Option<Box<Expr>>,
        /// `NOT LIKE`.
        negated: bool,
        /// Where.
        span: Span,
    },
    /// `(expr)`, kept so printing reproduces SQL Server's `((0))`.
    Nested(Box<Expr>, Span),
    /// `*` as a function argument.
    Star(Span),
    /// `NEXT VALUE FOR sequence`.
    NextValueFor(ObjectName, Span),
    /// A parenthesised subquery or `EXISTS (...)`, kept as text for the
    /// convert step to parse.
    Subquery {
        /// `EXISTS`.
        exists: bool,
        /// The text between the parentheses.
        text: String,
        /// Where.
        span: Span,
    },
}

impl Expr {
    /// The expression's span.
    pub fn span(&self) -> Span {
        match self {
            Expr::Name(n) => n.span,
            Expr::Variable(i) => i.span,
            Expr::Literal(_, s) | Expr::Nested(_, s) | Expr::Star(s) | Expr::NextValueFor(_, s) => {
                *s
            }
            Expr::Unary { span, .. }
            | Expr::Binary { span, .. }
            | Expr::Function { span, .. }
            | Expr::Cast { span, .. }
            | Expr::Convert { span, .. }
            | Expr::Case { span, .. }
            | Expr::IsNull { span, .. }
            | Expr::InList { span, .. }
            | Expr::Between { span, .. }
            | Expr::Like { span, .. }
            | Expr::Subquery { span, .. } => *span,
        }
    }

    /// Strips any number of enclosing parentheses.
    pub fn unnested(&self) -> &Expr {
        let mut e = self;
        while let Expr::Nested(inner, _) = e {
            e = inner;
        }
        e
    }

    /// A column reference's last name part, if this is one.
    pub fn as_column(&self) -> Option<&Ident> {
        match self.unnested() {
            Expr::Name(n) => Some(n.name()),
            _ => None,
        }
    }

    /// Binding strength for printing: operands of lower strength get parentheses.
    pub fn precedence(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            Expr::Unary {
                op: UnaryOp::Not, ..
            } => 3,
            Expr::IsNull { .. }
            | Expr::InList { .. }
            | Expr::Between { .. }
            | Expr::Like { .. } => 4,
            Expr::Unary { .. } => 7,
            _ => 9,
        }
    }
}
