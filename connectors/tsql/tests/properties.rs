//! Properties: no input makes the front end panic, and printing a tree then
//! parsing it gives a tree that prints the same.

use proptest::prelude::*;
use sluice_tsql::ast::*;
use sluice_tsql::{assess, parse_expression, parse_script};

/// Fragments that steer random text into the parser's deeper paths.
const FRAGMENTS: &[&str] = &[
    "CREATE",
    "TABLE",
    "ALTER",
    "ADD",
    "CONSTRAINT",
    "PRIMARY KEY",
    "FOREIGN KEY",
    "REFERENCES",
    "CHECK",
    "DEFAULT",
    "FOR",
    "INDEX",
    "UNIQUE",
    "CLUSTERED",
    "ON",
    "[PRIMARY]",
    "WITH",
    "(",
    ")",
    ",",
    ";",
    ".",
    "GO\n",
    "\nGO 2\n",
    "N'x'",
    "'it''s'",
    "[a b]",
    "\"q\"",
    "@p",
    "@@ERROR",
    "#t",
    "0x1F",
    "1.5",
    "-",
    "+",
    "*",
    "=",
    "<>",
    "!<",
    "/* /* */",
    "*/",
    "--c\n",
    "\n",
    "NOT NULL",
    "NULL",
    "IDENTITY(1,1)",
    "AS",
    "PERSISTED",
    "int",
    "nvarchar(max)",
    "decimal(18,2)",
    "PROCEDURE",
    "BEGIN",
    "END",
    "CASE WHEN",
    "THEN",
    "ELSE",
    "IS",
    "IN",
    "BETWEEN",
    "AND",
    "OR",
    "LIKE",
    "EXEC",
    "SET",
    "USE",
    "SEQUENCE",
    "SYNONYM",
    "TYPE",
    "FROM",
    "SCHEMA",
    "TRIGGER",
    "VIEW",
    "FUNCTION",
    "RETURNS",
    "CAST(",
    "CONVERT(",
    "NEXT VALUE FOR",
    "SELECT",
    "INCLUDE",
    "WHERE",
    "'",
    "[",
    "\"",
    "é",
    "患者",
    "\u{feff}",
    "\t",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|v| v.join(" "))
}

fn ident() -> impl Strategy<Value = Ident> {
    ("[a-zA-Z_][a-zA-Z0-9_]{0,8}", any::<bool>(), "[a-z ]{1,6}").prop_map(
        |(plain, quoted, spaced)| {
            if quoted {
                Ident {
                    value: format!("{spaced}]x"),
                    quote: Some(sluice_tsql::lexer::QuoteStyle::Bracket),
                    span: Span::default(),
                }
            } else {
                Ident::new(plain)
            }
        },
    )
}

fn name() -> impl Strategy<Value = ObjectName> {
    prop::collection::vec(ident(), 1..3).prop_map(|parts| ObjectName {
        parts,
        span: Span::default(),
    })
}

fn data_type() -> impl Strategy<Value = DataType> {
    let base = prop::sample::select(vec![
        "int",
        "bigint",
        "nvarchar",
        "varchar",
        "decimal",
        "datetime2",
        "money",
        "bit",
        "uniqueidentifier",
    ]);
    (base, prop::option::of(1u32..4000), any::<bool>()).prop_map(|(b, n, max)| DataType {
        name: ObjectName {
            parts: vec![Ident::new(b)],
            span: Span::default(),
        },
        args: match (b, n) {
            ("nvarchar" | "varchar", _) if max => vec![TypeArg::Max],
            ("decimal", Some(n)) => vec![TypeArg::Number(n % 38 + 1), TypeArg::Number(n % 5)],
            (_, Some(n)) if b.ends_with("char") => vec![TypeArg::Number(n)],
            _ => vec![],
        },
        span: Span::default(),
    })
}

fn literal() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0u64..100000).prop_map(|n| Expr::Literal(Literal::Number(n.to_string()), Span::default())),
        ("[ -~]{0,8}", any::<bool>()).prop_map(|(v, national)| Expr::Literal(
            Literal::String { value: v, national },
            Span::default()
        )),
        Just(Expr::Literal(Literal::Null, Span::default())),
        "[0-9A-F]{0,6}"
            .prop_map(|h| Expr::Literal(Literal::Binary(format!("0x{h}")), Span::default())),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal(),
        name().prop_map(Expr::Name),
        "@[a-z]{1,5}".prop_map(|v| Expr::Variable(Ident::new(v))),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        let ops = prop::sample::select(vec![
            BinaryOp::Plus,
            BinaryOp::Minus,
            BinaryOp::Multiply,
            BinaryOp::Divide,
            BinaryOp::Modulo,
            BinaryOp::BitAnd,
            BinaryOp::Eq,
            BinaryOp::NotEq,
            BinaryOp::BangEq,
            BinaryOp::Lt,
            BinaryOp::GtEq,
            BinaryOp::NotLt,
            BinaryOp::And,
            BinaryOp::Or,
        ]);
        let s = Span::default();
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(move |(l, op, r)| Expr::Binary {
                left: Box::new(l),
                op,
                right: Box::new(r),
                span: s
            }),
            (
                prop::sample::select(vec![UnaryOp::Minus, UnaryOp::Not, UnaryOp::BitNot]),
                inner.clone()
            )
                .prop_map(move |(op, e)| Expr::Unary {
                    op,
                    expr: Box::new(e),
                    span: s
                }),
            (name(), prop::collection::vec(inner.clone(), 0..3)).prop_map(move |(n, args)| {
                Expr::Function {
                    name: n,
                    distinct: false,
                    args,
                    span: s,
                }
            }),
            inner
                .clone()
                .prop_map(move |e| Expr::Nested(Box::new(e), s)),
            (inner.clone(), any::<bool>()).prop_map(move |(e, negated)| Expr::IsNull {
                expr: Box::new(e),
                negated,
                span: s
            }),
            (
                inner.clone(),
                prop::collection::vec(inner.clone(), 1..3),
                any::<bool>()
            )
                .prop_map(move |(e, list, negated)| Expr::InList {
                    expr: Box::new(e),
                    list,
                    negated,
                    span: s
                }),
            (inner.clone(), inner.clone(), inner.clone(), any::<bool>()).prop_map(
                move |(e, l, h, negated)| Expr::Between {
                    expr: Box::new(e),
                    low: Box::new(l),
                    high: Box::new(h),
                    negated,
                    span: s
                }
            ),
            (inner.clone(), inner.clone(), any::<bool>()).prop_map(move |(e, p, negated)| {
                Expr::Like {
                    expr: Box::new(e),
                    pattern: Box::new(p),
                    escape: None,
                    negated,
                    span: s,
                }
            }),
            (inner.clone(), data_type()).prop_map(move |(e, t)| Expr::Cast {
                kind: CastKind::Strict,
                expr: Box::new(e),
                data_type: t,
                span: s
            }),
            (data_type(), inner.clone(), prop::option::of(0u32..130)).prop_map(
                move |(t, e, st)| Expr::Convert {
                    kind: CastKind::Try,
                    data_type: t,
                    expr: Box::new(e),
                    style: st.map(|n| Box::new(Expr::Literal(Literal::Number(n.to_string()), s))),
                    span: s
                }
            ),
            (
                prop::option::of(inner.clone()),
                prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                prop::option::of(inner.clone())
            )
                .prop_map(move |(o, whens, e)| Expr::Case {
                    operand: o.map(Box::new),
                    whens,
                    else_result: e.map(Box::new),
                    span: s
                }),
        ]
    })
}

fn column() -> impl Strategy<Value = ColumnDef> {
    (
        ident(),
        data_type(),
        any::<bool>(),
        prop::option::of(literal()),
        any::<bool>(),
    )
        .prop_map(|(n, t, nn, d, id)| {
            let mut options = vec![if nn {
                ColumnOption::NotNull
            } else {
                ColumnOption::Null
            }];
            if id {
                options.push(ColumnOption::Identity {
                    args: None,
                    not_for_replication: false,
                });
            }
            if let Some(d) = d {
                options.push(ColumnOption::Default {
                    name: Some(Ident::new("DF_x")),
                    expr: Expr::Nested(Box::new(d), Span::default()),
                });
            }
            ColumnDef {
                name: n,
                data_type: Some(t),
                computed: None,
                options,
                span: Span::default(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parser_never_panics_on_any_string(s in any::<String>()) {
        let _ = parse_script(&s);
        let _ = parse_expression(&s);
    }

    #[test]
    fn parser_never_panics_on_sql_like_soup(s in soup()) {
        let script = parse_script(&s);
        for d in &script.diagnostics {
            prop_assert!(d.line >= 1 && d.column >= 1);
        }
    }

    #[test]
    fn assess_never_panics(s in soup(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let files = vec![
            assess::ScriptInput { path: "a.sql".into(), bytes: s.into_bytes() },
            assess::ScriptInput { path: "b.sql".into(), bytes },
        ];
        let r = assess::assess_files(&files, &Default::default());
        let _ = assess::html::render(&r);
    }

    #[test]
    fn expression_print_parse_round_trip(e in expr()) {
        let printed = e.to_string();
        let parsed = parse_expression(&printed).map_err(|err| TestCaseError::fail(format!("{printed}: {err:?}")))?;
        prop_assert_eq!(parsed.to_string(), printed);
    }

    #[test]
    fn create_table_print_parse_round_trip(n in name(), cols in prop::collection::vec(column(), 1..6), pk in any::<bool>()) {
        let mut elements: Vec<TableElement> = cols.into_iter().map(TableElement::Column).collect();
        if pk {
            let first = match &elements[0] { TableElement::Column(c) => c.name.clone(), _ => unreachable!() };
            elements.push(TableElement::Constraint(TableConstraint {
                name: Some(Ident::new("PK_t")),
                kind: ConstraintKind::PrimaryKey(KeySpec {
                    clustered: Some(true),
                    columns: vec![IndexColumn { name: first, descending: false, explicit_asc: true }],
                    options: vec![],
                    storage: None,
                }),
                span: Span::default(),
            }));
        }
        let t = CreateTable { name: n, elements, storage: None, textimage_on: None, options: vec![], span: Span::default() };
        let printed = t.to_string();
        let s = parse_script(&printed);
        prop_assert!(s.diagnostics.is_empty(), "{}\n{:?}", printed, s.diagnostics);
        let Some(Statement::CreateTable(back)) = s.statements().next() else {
            return Err(TestCaseError::fail(format!("not a CREATE TABLE: {printed}")));
        };
        prop_assert_eq!(back.to_string(), printed);
        prop_assert_eq!(back.elements.len(), t.elements.len());
    }
}
