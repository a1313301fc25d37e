//! The converter never panics, whatever the input: a statement it cannot
//! read becomes a finding.

use proptest::prelude::*;
use sluice_convert::{convert, Options, ScriptFile};

fn run(text: String) {
    let scripts = vec![ScriptFile {
        path: "p.sql".into(),
        text,
    }];
    let c = convert(&scripts, &[], &Options::default());
    let _ = sluice_convert::output::deploy_script(&c);
}

const WORDS: &[&str] = &[
    "CREATE",
    "ALTER",
    "PROCEDURE",
    "FUNCTION",
    "TRIGGER",
    "VIEW",
    "dbo.p",
    "@a",
    "@@ROWCOUNT",
    "int",
    "AS",
    "BEGIN",
    "END",
    "IF",
    "ELSE",
    "WHILE",
    "SELECT",
    "INTO",
    "#t",
    "FROM",
    "WHERE",
    "(",
    ")",
    ",",
    "=",
    "+",
    "'x'",
    "N'y'",
    "1",
    "TRY",
    "CATCH",
    "RAISERROR",
    "THROW",
    "GOTO",
    "l:",
    "EXEC",
    "DECLARE",
    "CURSOR",
    "FOR",
    "FETCH",
    "NEXT",
    "SET",
    "NOCOUNT",
    "ON",
    "TABLE",
    "RETURN",
    "TOP",
    "ORDER",
    "BY",
    "UPDATE",
    "DELETE",
    "INSERT",
    "VALUES",
    "CASE",
    "WHEN",
    "THEN",
    ";",
    "GO\n",
    "\n",
    "[x y]",
    "\"q\"",
    "OUTPUT",
    "RETURNS",
    "inserted",
    "JOIN",
    "ON",
    "WITH",
    "(NOLOCK)",
    "CONVERT",
    "DATEDIFF",
    "year",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,300}") {
        run(s);
    }

    #[test]
    fn token_soup_after_a_routine_header_never_panics(words in proptest::collection::vec(0..WORDS.len(), 0..80)) {
        let body: Vec<&str> = words.iter().map(|i| WORDS[*i]).collect();
        run(format!("CREATE PROCEDURE dbo.p @a int AS\n{}", body.join(" ")));
    }
}
