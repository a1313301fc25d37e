//! The procedural T-SQL tree: routines, statements, queries, expressions.
//!
//! Every statement carries the line and column where it starts, because every
//! finding the converter makes must name its source line.

/// A source position (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    /// Line, 1-based.
    pub line: u32,
    /// Column, 1-based.
    pub column: u32,
}

/// A possibly qualified name (`[db].[schema].[name]`), parts as written, unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(pub Vec<String>);

impl Name {
    /// The last part.
    pub fn last(&self) -> &str {
        self.0.last().map(String::as_str).unwrap_or("")
    }
    /// Is this a `#temp` table name?
    pub fn is_temp(&self) -> bool {
        self.0.len() == 1 && self.last().starts_with('#')
    }
}

/// A T-SQL data type as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataType {
    /// Schema for user types.
    pub schema: Option<String>,
    /// Lower-case name.
    pub name: String,
    /// Arguments: numbers, or `max` as `None`.
    pub args: Vec<Option<u32>>,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `NULL`.
    Null,
    /// A number as written.
    Number(String),
    /// A string literal (unescaped); `national` for `N'...'`.
    Str(String),
    /// `0x...`.
    Hex(String),
    /// `@name` (without the `@`).
    Var(String),
    /// `@@name` (lower case, without the `@@`).
    Global(String),
    /// A column or other bare name, qualified or not.
    Column(Vec<String>),
    /// `*` or `t.*`.
    Star(Option<Vec<String>>),
    /// A function call.
    Func(Box<FuncCall>),
    /// A binary operator (upper-case for words: `AND`, `OR`).
    Binary(Box<Expr>, String, Box<Expr>),
    /// A unary operator (`-`, `+`, `~`, `NOT`).
    Unary(String, Box<Expr>),
    /// `CASE`.
    Case {
        /// Simple CASE operand.
        operand: Option<Box<Expr>>,
        /// WHEN/THEN pairs.
        whens: Vec<(Expr, Expr)>,
        /// ELSE.
        else_: Option<Box<Expr>>,
    },
    /// `CAST(e AS t)`, `CONVERT(t, e[, style])`, `TRY_CAST`, `TRY_CONVERT`.
    Cast {
        /// The converted value.
        expr: Box<Expr>,
        /// The target type.
        ty: DataType,
        /// CONVERT style code.
        style: Option<Box<Expr>>,
        /// TRY_ form.
        try_: bool,
    },
    /// `(SELECT ...)`.
    Subquery(Box<Query>),
    /// `EXISTS (SELECT ...)`.
    Exists(Box<Query>),
    /// `e [NOT] IN (list)` or `(subquery)`.
    InList(Box<Expr>, Vec<Expr>, bool),
    /// `e [NOT] IN (SELECT ...)`.
    InQuery(Box<Expr>, Box<Query>, bool),
    /// `e [NOT] BETWEEN a AND b`.
    Between(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    /// `e [NOT] LIKE p [ESCAPE c]`.
    Like(Box<Expr>, Box<Expr>, bool, Option<Box<Expr>>),
    /// `e IS [NOT] NULL`.
    IsNull(Box<Expr>, bool),
    /// `(e)`.
    Paren(Box<Expr>),
    /// A date part keyword argument kept verbatim (`year`, `dd`).
    Keyword(String),
}

/// A function call with optional `OVER`.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncCall {
    /// Name parts.
    pub name: Vec<String>,
    /// Arguments.
    pub args: Vec<Expr>,
    /// `DISTINCT` inside the call.
    pub distinct: bool,
    /// `OVER (...)`.
    pub over: Option<Window>,
    /// `WITHIN GROUP (ORDER BY ...)`.
    pub within_group: Vec<OrderItem>,
}

/// A window specification.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// PARTITION BY.
    pub partition: Vec<Expr>,
    /// ORDER BY.
    pub order: Vec<OrderItem>,
    /// The frame clause as written (`ROWS BETWEEN ...`), already MySQL-compatible.
    pub frame: Option<String>,
}

/// `expr [ASC|DESC]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// The key.
    pub expr: Expr,
    /// Descending.
    pub desc: bool,
}

/// A query: optional CTEs, a body, ORDER BY and OFFSET/FETCH.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `WITH` common table expressions.
    pub ctes: Vec<Cte>,
    /// The body.
    pub body: SetExpr,
    /// ORDER BY.
    pub order_by: Vec<OrderItem>,
    /// OFFSET n ROWS.
    pub offset: Option<Expr>,
    /// FETCH NEXT n ROWS ONLY.
    pub fetch: Option<Expr>,
}

/// A CTE.
#[derive(Debug, Clone, PartialEq)]
pub struct Cte {
    /// Name.
    pub name: String,
    /// Column list.
    pub columns: Vec<String>,
    /// The query.
    pub query: Query,
}

/// A query body.
#[derive(Debug, Clone, PartialEq)]
pub enum SetExpr {
    /// One SELECT.
    Select(Box<Select>),
    /// `UNION [ALL]`, `EXCEPT`, `INTERSECT`.
    SetOp(Box<SetExpr>, String, Box<SetExpr>),
    /// `( query )`.
    Nested(Box<Query>),
}

/// `TOP (n) [PERCENT] [WITH TIES]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Top {
    /// Row count.
    pub count: Expr,
    /// PERCENT.
    pub percent: bool,
    /// WITH TIES.
    pub with_ties: bool,
}

/// One SELECT.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// DISTINCT.
    pub distinct: bool,
    /// TOP.
    pub top: Option<Top>,
    /// Select list.
    pub items: Vec<SelectItem>,
    /// `INTO table`.
    pub into: Option<Name>,
    /// FROM.
    pub from: Vec<TableRef>,
    /// WHERE.
    pub where_: Option<Expr>,
    /// GROUP BY.
    pub group_by: Vec<Expr>,
    /// HAVING.
    pub having: Option<Expr>,
    /// Where the SELECT keyword is.
    pub pos: Pos,
}

/// A select-list item.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `expr [AS alias]` (also `alias = expr`).
    Expr(Expr, Option<String>),
    /// `@var = expr` (also `+=` etc.).
    Assign(String, String, Expr),
}

/// A FROM item.
#[derive(Debug, Clone, PartialEq)]
pub enum TableRef {
    /// A named table.
    Table {
        /// Name.
        name: Name,
        /// Alias.
        alias: Option<String>,
        /// Table hints (upper-case).
        hints: Vec<String>,
    },
    /// A table-valued function call.
    Function {
        /// The call.
        call: FuncCall,
        /// Alias.
        alias: Option<String>,
    },
    /// A derived table.
    Derived {
        /// The query.
        query: Box<Query>,
        /// Alias.
        alias: String,
        /// Column aliases.
        columns: Vec<String>,
    },
    /// `VALUES (...), (...) AS t(cols)`.
    Values {
        /// Rows.
        rows: Vec<Vec<Expr>>,
        /// Alias.
        alias: String,
        /// Column aliases.
        columns: Vec<String>,
    },
    /// A join.
    Join {
        /// Left side.
        left: Box<TableRef>,
        /// `JOIN`, `LEFT JOIN`, `RIGHT JOIN`, `FULL JOIN`, `CROSS JOIN`, `CROSS APPLY`, `OUTER APPLY`.
        kind: String,
        /// Right side.
        right: Box<TableRef>,
        /// ON condition.
        on: Option<Expr>,
    },
    /// `source PIVOT (agg(value) FOR column IN ([v1], [v2], ...)) AS alias`.
    Pivot {
        /// The pivoted input.
        source: Box<TableRef>,
        /// Aggregate function name (upper-case).
        agg: String,
        /// Aggregated value.
        value: Expr,
        /// The column whose values become columns.
        column: String,
        /// Those values, as written (unquoted).
        values: Vec<String>,
        /// Alias.
        alias: String,
    },
    /// `source UNPIVOT (value FOR name IN (c1, c2, ...)) AS alias`.
    Unpivot {
        /// The input.
        source: Box<TableRef>,
        /// New value column.
        value: String,
        /// New name column.
        name: String,
        /// Columns turned into rows.
        columns: Vec<String>,
        /// Alias.
        alias: String,
    },
    /// Constructs kept only to be flagged.
    Unsupported(String),
}

/// A variable declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct VarDecl {
    /// Name without `@`.
    pub name: String,
    /// Type.
    pub ty: DataType,
    /// Initial value.
    pub init: Option<Expr>,
}

/// A column of a `CREATE TABLE #t` or table variable.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: DataType,
    /// NOT NULL.
    pub not_null: bool,
    /// IDENTITY.
    pub identity: bool,
    /// `seed, increment` as written, when given.
    pub identity_spec: Option<String>,
    /// PRIMARY KEY on the column.
    pub primary_key: bool,
    /// DEFAULT.
    pub default: Option<Expr>,
}

/// An EXEC argument.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecArg {
    /// `@name =` when named.
    pub name: Option<String>,
    /// The value (`DEFAULT` is `Expr::Keyword("DEFAULT")`).
    pub value: Expr,
    /// OUTPUT.
    pub output: bool,
}

/// The source of an INSERT.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertSource {
    /// `VALUES (...), ...`.
    Values(Vec<Vec<Expr>>),
    /// A query.
    Query(Box<Query>),
    /// `EXEC proc ...`.
    Exec(Box<Stmt>),
    /// `DEFAULT VALUES`.
    Default,
}

/// `SET col = expr` in UPDATE.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Column (possibly qualified) or `@var`.
    pub target: Vec<String>,
    /// Whether the target is a variable.
    pub is_var: bool,
    /// `=`, `+=`, ...
    pub op: String,
    /// Value.
    pub value: Expr,
}

/// `OUTPUT expr [AS a], ... [INTO target [(cols)]]` of INSERT/UPDATE/DELETE/MERGE.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputClause {
    /// The output list (`inserted.c`, `deleted.*`, expressions).
    pub items: Vec<(Expr, Option<String>)>,
    /// `INTO` table (or `@table variable`) and its column list.
    pub into: Option<(Name, Vec<String>)>,
}

/// Which rows a `WHEN` clause of MERGE acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeWhen {
    /// `WHEN MATCHED`.
    Matched,
    /// `WHEN NOT MATCHED [BY TARGET]`: source rows without a target row.
    NotMatchedByTarget,
    /// `WHEN NOT MATCHED BY SOURCE`: target rows without a source row.
    NotMatchedBySource,
}

/// The action of a MERGE `WHEN` clause.
#[derive(Debug, Clone, PartialEq)]
pub enum MergeAction {
    /// `UPDATE SET ...`.
    Update(Vec<Assignment>),
    /// `DELETE`.
    Delete,
    /// `INSERT [(cols)] VALUES (...)`; `None`: `DEFAULT VALUES`.
    Insert(Vec<String>, Option<Vec<Expr>>),
}

/// One `WHEN ... [AND cond] THEN action` of MERGE.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeClause {
    /// Which rows.
    pub when: MergeWhen,
    /// `AND cond`.
    pub cond: Option<Expr>,
    /// What to do.
    pub action: MergeAction,
    /// Where the `WHEN` is.
    pub pos: Pos,
}

/// `MERGE [TOP (n)] [INTO] target [AS t] USING source ON cond WHEN ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// TOP.
    pub top: Option<Top>,
    /// Target table.
    pub target: Name,
    /// Target alias.
    pub alias: Option<String>,
    /// The source (table, derived table, VALUES).
    pub source: TableRef,
    /// The match condition.
    pub on: Expr,
    /// `WHEN` clauses in order.
    pub clauses: Vec<MergeClause>,
    /// OUTPUT clause.
    pub output: Option<Box<OutputClause>>,
}

/// A statement with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// Where it starts.
    pub pos: Pos,
    /// What it is.
    pub kind: StmtKind,
}

/// Statement kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `DECLARE @a int = 1, @b ...`.
    Declare(Vec<VarDecl>),
    /// `DECLARE @t TABLE (...)`.
    DeclareTable(String, Vec<ColumnDef>),
    /// `DECLARE c CURSOR [options] FOR query`.
    DeclareCursor {
        /// Cursor name.
        name: String,
        /// Options (upper-case).
        options: Vec<String>,
        /// The query.
        query: Box<Query>,
        /// `FOR UPDATE` present.
        for_update: bool,
    },
    /// `SET @v = e` / `SET @v += e`.
    SetVar(String, String, Expr),
    /// `SET NOCOUNT ON` and other session options: words upper-case.
    SetOption(Vec<String>),
    /// A query (may contain assignments or INTO).
    Select(Box<Query>),
    /// INSERT.
    Insert {
        /// Target.
        target: Name,
        /// Column list.
        columns: Vec<String>,
        /// Source.
        source: InsertSource,
        /// OUTPUT clause.
        output: Option<Box<OutputClause>>,
    },
    /// UPDATE.
    Update {
        /// TOP.
        top: Option<Top>,
        /// Target name (table or alias).
        target: Name,
        /// SET list.
        sets: Vec<Assignment>,
        /// FROM.
        from: Vec<TableRef>,
        /// WHERE.
        where_: Option<Expr>,
        /// WHERE CURRENT OF.
        current_of: bool,
        /// OUTPUT clause.
        output: Option<Box<OutputClause>>,
        /// Hints on the target.
        hints: Vec<String>,
        /// CTEs.
        ctes: Vec<Cte>,
    },
    /// DELETE.
    Delete {
        /// TOP.
        top: Option<Top>,
        /// Target.
        target: Name,
        /// FROM (the second FROM).
        from: Vec<TableRef>,
        /// WHERE.
        where_: Option<Expr>,
        /// WHERE CURRENT OF.
        current_of: bool,
        /// OUTPUT clause.
        output: Option<Box<OutputClause>>,
    },
    /// `TRUNCATE TABLE t`.
    Truncate(Name),
    /// MERGE.
    Merge(Box<Merge>),
    /// IF.
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    /// WHILE.
    While(Expr, Box<Stmt>),
    /// BEGIN ... END.
    Block(Vec<Stmt>),
    /// BEGIN TRY ... END TRY BEGIN CATCH ... END CATCH.
    TryCatch(Vec<Stmt>, Vec<Stmt>),
    /// BREAK.
    Break,
    /// CONTINUE.
    Continue,
    /// RETURN [e].
    Return(Option<Expr>),
    /// GOTO label.
    Goto(String),
    /// `label:`.
    Label(String),
    /// RAISERROR(msg, severity, state, args...) [WITH ...].
    Raiserror(Vec<Expr>, Vec<String>),
    /// THROW [n, msg, state].
    Throw(Vec<Expr>),
    /// PRINT e.
    Print(Expr),
    /// `EXEC [@rc =] proc args`.
    Exec {
        /// Return-value variable.
        ret: Option<String>,
        /// Procedure name.
        proc_name: Name,
        /// Arguments.
        args: Vec<ExecArg>,
    },
    /// `EXEC (expr)` dynamic SQL.
    ExecDynamic(Expr),
    /// BEGIN TRAN [name].
    BeginTran,
    /// COMMIT [TRAN].
    Commit,
    /// ROLLBACK [TRAN] [savepoint].
    Rollback(Option<String>),
    /// SAVE TRAN name.
    SaveTran(String),
    /// `CREATE TABLE #t (...)` (or a permanent table: flagged).
    CreateTable(Name, Vec<ColumnDef>),
    /// `DROP TABLE [IF EXISTS] t`.
    DropTable(Vec<Name>),
    /// `CREATE INDEX ... ON t` (on a temp table; kept to be noted).
    CreateIndex(Name),
    /// OPEN c.
    Open(String),
    /// `FETCH [NEXT] FROM c INTO @a, @b`; direction upper-case.
    Fetch(String, String, Vec<String>),
    /// CLOSE c.
    Close(String),
    /// DEALLOCATE c.
    Deallocate(String),
    /// `WAITFOR DELAY ...` and other statements kept only to be flagged: a description.
    Unsupported(String),
    /// A statement that did not parse.
    Unparsed(String),
}

/// The kind of routine.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    /// Stored procedure.
    Procedure,
    /// Scalar function.
    ScalarFunction,
    /// Inline table-valued function.
    InlineTableFunction,
    /// Multi-statement table-valued function.
    TableFunction,
    /// Trigger.
    Trigger,
    /// View.
    View,
}

/// A routine parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name without `@`.
    pub name: String,
    /// Type.
    pub ty: DataType,
    /// Default.
    pub default: Option<Expr>,
    /// OUTPUT.
    pub output: bool,
    /// READONLY (table-valued parameter).
    pub readonly: bool,
}

/// Trigger header details.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerInfo {
    /// The table.
    pub table: Name,
    /// `AFTER`/`FOR` (false) or `INSTEAD OF` (true).
    pub instead_of: bool,
    /// INSERT/UPDATE/DELETE (upper-case).
    pub events: Vec<String>,
}

/// One parsed CREATE/ALTER of a routine or view.
#[derive(Debug, Clone, PartialEq)]
pub struct Routine {
    /// Kind.
    pub kind: RoutineKind,
    /// Name.
    pub name: Name,
    /// Parameters.
    pub params: Vec<Param>,
    /// Scalar function return type.
    pub returns: Option<DataType>,
    /// Multi-statement TVF return table.
    pub returns_table: Option<(String, Vec<ColumnDef>)>,
    /// `WITH ...` options (upper-case words).
    pub options: Vec<String>,
    /// Trigger details.
    pub trigger: Option<TriggerInfo>,
    /// Body statements (views and inline TVFs: one Select).
    pub body: Vec<Stmt>,
    /// Where the CREATE is.
    pub pos: Pos,
    /// Whether `QUOTED_IDENTIFIER` was OFF (double quotes delimit strings).
    pub quoted_identifier_off: bool,
}
