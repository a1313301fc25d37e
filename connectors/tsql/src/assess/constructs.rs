//! Inventory of the T-SQL constructs in a routine body that decide how much
//! work its conversion is (temp tables, cursors, dynamic SQL, @@ERROR flow,
//! ...). Token-level, so it works on bodies the parser does not handle yet;
//! each hit carries its line.

use crate::lexer::{tokenize, Token, TokenKind};
use std::collections::BTreeMap;

/// All hits of one rule in a routine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hits {
    /// Rule id.
    pub rule: &'static str,
    /// Lines (in the script) of each occurrence.
    pub lines: Vec<u32>,
    /// Distinct names involved (temp tables, linked servers), if any.
    pub names: Vec<String>,
}

/// Scans a routine definition. `first_line` is the script line the text starts on;
/// `database` is the source database, so that three-part names into it are not flagged.
pub fn scan(definition: &str, first_line: u32, database: Option<&str>) -> Vec<Hits> {
    let toks: Vec<Token> = tokenize(definition)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let mut hits: BTreeMap<&'static str, Hits> = BTreeMap::new();
    let mut hit = |rule: &'static str, t: &Token, name: Option<String>| {
        let h = hits.entry(rule).or_insert_with(|| Hits {
            rule,
            lines: Vec::new(),
            names: Vec::new(),
        });
        h.lines.push(t.span.start.line + first_line - 1);
        if let Some(n) = name {
            if !h.names.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
                h.names.push(n);
            }
        }
    };
    let kw = |i: usize, k: &str| toks.get(i).is_some_and(|t| t.is_keyword(k));
    let punct = |i: usize, p: &str| toks.get(i).is_some_and(|t| t.is_punct(p));
    let mut last_dml: Option<&str> = None;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let up = t.text.to_ascii_uppercase();
        match &t.kind {
            TokenKind::Word if up.starts_with('#') => {
                hit("TSQL-TEMP-TABLE", t, Some(t.text.clone()))
            }
            TokenKind::Word => match up.as_str() {
                "CURSOR" => hit("TSQL-CURSOR", t, None),
                "NOLOCK" => hit("TSQL-NOLOCK", t, None),
                "NOCOUNT" => hit("TSQL-NOCOUNT", t, None),
                "TRY" if i > 0 && kw(i - 1, "BEGIN") => hit("TSQL-TRY-CATCH", t, None),
                "RAISERROR" | "THROW" => hit("TSQL-RAISERROR", t, None),
                "TRAN" | "TRANSACTION"
                    if i > 0
                        && (kw(i - 1, "BEGIN")
                            || kw(i - 1, "COMMIT")
                            || kw(i - 1, "ROLLBACK")
                            || kw(i - 1, "SAVE")) =>
                {
                    hit("TSQL-TRANSACTION", t, None)
                }
                "XACT_ABORT" => hit("TSQL-TRANSACTION", t, None),
                "MERGE" if t.line_start || (i > 0 && punct(i - 1, ";")) => {
                    hit("TSQL-MERGE", t, None)
                }
                "OUTPUT" if kw(i + 1, "INSERTED") || kw(i + 1, "DELETED") => {
                    hit("TSQL-OUTPUT-CLAUSE", t, None)
                }
                "SCOPE_IDENTITY" => hit("TSQL-IDENTITY-FN", t, None),
                "TOP" => hit("TSQL-TOP", t, None),
                "PRINT" => hit("TSQL-PRINT", t, None),
                "GOTO" => hit("TSQL-GOTO", t, None),
                "WAITFOR" => hit("TSQL-WAITFOR", t, None),
                "OPENJSON" | "OPENXML" => hit("TSQL-XML-JSON", t, None),
                "XML" | "JSON" if i > 0 && kw(i - 1, "FOR") => hit("TSQL-XML-JSON", t, None),
                "OPENQUERY" | "OPENROWSET" | "OPENDATASOURCE" => hit("TSQL-LINKED-SERVER", t, None),
                "EXTERNAL" if kw(i + 1, "NAME") => hit("TSQL-CLR", t, None),
                "SCHEMABINDING" => hit("TSQL-SCHEMABINDING", t, None),
                "AS" if i > 0
                    && (kw(i - 1, "EXECUTE") || kw(i - 1, "EXEC"))
                    && ["OWNER", "CALLER", "SELF"].iter().any(|k| kw(i + 1, k))
                    || (i > 0
                        && (kw(i - 1, "EXECUTE") || kw(i - 1, "EXEC"))
                        && toks
                            .get(i + 1)
                            .is_some_and(|n| matches!(n.kind, TokenKind::String { .. }))) =>
                {
                    hit("TSQL-EXECUTE-AS", t, None)
                }
                "EXEC" | "EXECUTE" => {
                    let dynamic = punct(i + 1, "(")
                        || kw(i + 1, "sp_executesql")
                        || (toks
                            .get(i + 1)
                            .is_some_and(|n| n.kind == TokenKind::Variable)
                            && !punct(i + 2, "="))
                        || (kw(i + 1, "sys") && punct(i + 2, ".") && kw(i + 3, "sp_executesql"));
                    if dynamic {
                        hit("TSQL-DYNAMIC-SQL", t, None);
                    }
                }
                "SELECT" | "INSERT" | "UPDATE" | "DELETE" => {
                    last_dml = Some(if up == "SELECT" { "SELECT" } else { "OTHER" })
                }
                "INTO" if last_dml == Some("SELECT") => {
                    hit("TSQL-SELECT-INTO", t, None);
                    last_dml = None;
                }
                "TABLE"
                    if i > 0
                        && toks[i - 1].kind == TokenKind::Variable
                        && i > 1
                        && kw(i - 2, "DECLARE") =>
                {
                    hit("TSQL-TABLE-VARIABLE", t, None)
                }
                _ => {}
            },
            TokenKind::Variable => match up.as_str() {
                "@@ERROR" => hit("TSQL-ERROR-VAR", t, None),
                "@@ROWCOUNT" => hit("TSQL-ROWCOUNT", t, None),
                "@@TRANCOUNT" => hit("TSQL-TRANSACTION", t, None),
                "@@IDENTITY" => hit("TSQL-IDENTITY-FN", t, None),
                _ => {}
            },
            TokenKind::String { .. } if punct(i + 1, "+") || (i > 0 && punct(i - 1, "+")) => {
                hit("TSQL-STRING-PLUS", t, None)
            }
            _ => {}
        }
        // Dotted names: 4 parts reach a linked server, 3 parts another database.
        if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent(_))
            && !(i > 0 && punct(i - 1, "."))
        {
            let mut parts = vec![t.text.clone()];
            let mut j = i;
            while punct(j + 1, ".") {
                match toks.get(j + 2) {
                    Some(n) if matches!(n.kind, TokenKind::Word | TokenKind::QuotedIdent(_)) => {
                        parts.push(n.text.clone());
                        j += 2;
                    }
                    Some(n) if n.is_punct(".") => {
                        parts.push(String::new());
                        j += 1;
                    }
                    _ => break,
                }
            }
            let is_call = punct(j + 1, "(");
            if parts.len() >= 4 && !is_call {
                hit("TSQL-LINKED-SERVER", t, Some(parts[0].clone()));
            } else if parts.len() == 3
                && !is_call
                && !database.is_some_and(|d| d.eq_ignore_ascii_case(&parts[0]))
                // `schema.table.column` is also three parts; only `db..t` and
                // `db.dbo.t` are certain to name a database.
                && (parts[1].is_empty() || parts[1].eq_ignore_ascii_case("dbo"))
            {
                hit("TSQL-CROSS-DATABASE", t, Some(parts[0].clone()));
            }
            i = j + 1;
            continue;
        }
        i += 1;
    }
    hits.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(src: &str) -> Vec<(&'static str, Vec<u32>)> {
        scan(src, 10, Some("Hospital"))
            .into_iter()
            .map(|h| (h.rule, h.lines))
            .collect()
    }

    #[test]
    fn finds_the_census_constructs_with_lines() {
        let src = "CREATE PROC p AS\nSET NOCOUNT ON\nSELECT * INTO #t FROM a WITH (NOLOCK)\nIF @@ERROR <> 0 GOTO e\nEXEC (@sql)\nDECLARE c CURSOR FOR SELECT 1\nSELECT * FROM [SRV].[db].[dbo].[t]\nSELECT * FROM Other..t\nSELECT * FROM Hospital.dbo.t\nINSERT INTO x SELECT 1\n";
        let r = rules(src);
        let get = |id: &str| r.iter().find(|x| x.0 == id).map(|x| x.1.clone());
        assert_eq!(get("TSQL-NOCOUNT"), Some(vec![11]));
        assert_eq!(get("TSQL-TEMP-TABLE"), Some(vec![12]));
        assert_eq!(get("TSQL-SELECT-INTO"), Some(vec![12]));
        assert_eq!(get("TSQL-NOLOCK"), Some(vec![12]));
        assert_eq!(get("TSQL-ERROR-VAR"), Some(vec![13]));
        assert_eq!(get("TSQL-GOTO"), Some(vec![13]));
        assert_eq!(get("TSQL-DYNAMIC-SQL"), Some(vec![14]));
        assert_eq!(get("TSQL-CURSOR"), Some(vec![15]));
        assert_eq!(get("TSQL-LINKED-SERVER"), Some(vec![16]));
        // Other..t is cross-database; Hospital.dbo.t is this database
        assert_eq!(get("TSQL-CROSS-DATABASE"), Some(vec![17]));
    }

    #[test]
    fn insert_into_is_not_select_into() {
        assert!(!rules("INSERT INTO t (a) SELECT a FROM b")
            .iter()
            .any(|x| x.0 == "TSQL-SELECT-INTO"));
        assert!(!rules("EXEC dbo.p @a = 1")
            .iter()
            .any(|x| x.0 == "TSQL-DYNAMIC-SQL"));
        assert!(rules("EXEC sp_executesql @s")
            .iter()
            .any(|x| x.0 == "TSQL-DYNAMIC-SQL"));
    }
}
