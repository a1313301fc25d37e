//! T-SQL tokenizer.
//!
//! Produces every token with its [`Span`]; comments are returned too (flagged
//! as trivia) so that callers can reproduce text exactly. `GO` batch
//! separators are recognised here, because whether `GO` separates batches
//! depends on where it stands on its line, which the parser no longer sees.
//! The lexer never fails: malformed input (an unterminated string, a stray
//! character) becomes an [`TokenKind::Error`] token and lexing goes on.

use crate::ast::{Loc, Span};

/// How an identifier was delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStyle {
    /// `[name]`
    Bracket,
    /// `"name"` (an identifier under `QUOTED_IDENTIFIER ON`, a string otherwise)
    Double,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// An unquoted identifier or keyword; `text` is as written.
    Word,
    /// A delimited identifier; `text` is the unescaped name.
    QuotedIdent(QuoteStyle),
    /// `@name` or `@@name`; `text` includes the `@`s.
    Variable,
    /// A numeric literal as written (`12`, `1.5`, `2e10`, `.5`).
    Number,
    /// A string literal; `text` is the unescaped value.
    String {
        /// `N'...'`
        national: bool,
    },
    /// `0x...`; `text` is as written.
    Binary,
    /// An operator or punctuation mark; `text` is the symbol.
    Punct,
    /// `GO [count]` on a line of its own.
    BatchSeparator {
        /// The repeat count (1 when absent).
        count: u32,
    },
    /// `-- ...` or `/* ... */`; `text` is the whole comment.
    Comment,
    /// Something that is not T-SQL (a stray character, an unterminated
    /// string or comment); `text` says what went wrong.
    Error,
}

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Value (see [`TokenKind`] for what each kind keeps here).
    pub text: String,
    /// Where it is.
    pub span: Span,
    /// Whether it is the first token on its line (comments aside).
    pub line_start: bool,
}

impl Token {
    /// Is this the unquoted keyword `kw` (case-insensitive)?
    pub fn is_keyword(&self, kw: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    /// Is this the punctuation `p`?
    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text == p
    }

    /// Is this a comment?
    pub fn is_trivia(&self) -> bool {
        self.kind == TokenKind::Comment
    }
}

const TWO_CHAR_OPS: &[&str] = &[
    "<>", "!=", "<=", ">=", "!<", "!>", "::", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
];

struct Cursor<'a> {
    src: &'a str,
    offset: usize,
    line: u32,
    column: u32,
}

impl<'a> Cursor<'a> {
    fn loc(&self) -> Loc {
        Loc {
            line: self.line,
            column: self.column,
            offset: self.offset as u32,
        }
    }

    fn peek(&self) -> Option<char> {
        self.src[self.offset..].chars().next()
    }

    fn peek_nth(&self, n: usize) -> Option<char> {
        self.src[self.offset..].chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn rest(&self) -> &'a str {
        &self.src[self.offset..]
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '#'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '@' | '#' | '$')
}

/// Splits `src` into tokens, comments included.
pub fn tokenize(src: &str) -> Vec<Token> {
    Lexer::new(src).collect()
}

/// Streaming tokenizer: yields tokens one at a time, so a large script
/// never holds all of its tokens in memory at once.
pub struct Lexer<'a> {
    cur: Cursor<'a>,
    last_line_with_token: u32,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub fn new(src: &'a str) -> Self {
        Lexer {
            cur: Cursor {
                src,
                offset: 0,
                line: 1,
                column: 1,
            },
            last_line_with_token: 0,
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let cur = &mut self.cur;
        while let Some(c) = cur.peek() {
            if c.is_whitespace() || c == '\u{feff}' {
                cur.bump();
                continue;
            }
            let start = cur.loc();
            let line_start = self.last_line_with_token != start.line;
            let (kind, text) = lex_one(cur, c, line_start);
            let end = cur.loc();
            if kind != TokenKind::Comment {
                // A token after a multi-line comment still starts "its" line only
                // if nothing else was on that line before it.
                self.last_line_with_token = end.line;
            }
            return Some(Token {
                kind,
                text,
                span: Span { start, end },
                line_start,
            });
        }
        None
    }
}

fn lex_one(cur: &mut Cursor<'_>, c: char, line_start: bool) -> (TokenKind, String) {
    let next = cur.peek_nth(1);
    match c {
        '-' if next == Some('-') => {
            let start = cur.offset;
            while let Some(ch) = cur.peek() {
                if ch == '\n' {
                    break;
                }
                cur.bump();
            }
            (TokenKind::Comment, cur.src[start..cur.offset].to_string())
        }
        '/' if next == Some('*') => block_comment(cur),
        '\'' => string(cur, false),
        'N' | 'n' if next == Some('\'') => {
            cur.bump();
            string(cur, true)
        }
        '[' => delimited(cur, ']', QuoteStyle::Bracket),
        '"' => delimited(cur, '"', QuoteStyle::Double),
        '@' => {
            let start = cur.offset;
            cur.bump();
            if cur.peek() == Some('@') {
                cur.bump();
            }
            while cur.peek().is_some_and(is_ident_continue) {
                cur.bump();
            }
            (TokenKind::Variable, cur.src[start..cur.offset].to_string())
        }
        '0' if matches!(next, Some('x') | Some('X')) => {
            let start = cur.offset;
            cur.bump();
            cur.bump();
            while cur.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                cur.bump();
            }
            (TokenKind::Binary, cur.src[start..cur.offset].to_string())
        }
        c if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
            number(cur)
        }
        c if is_ident_start(c) => word(cur, line_start),
        _ => punct(cur),
    }
}

fn block_comment(cur: &mut Cursor<'_>) -> (TokenKind, String) {
    let start = cur.offset;
    cur.bump();
    cur.bump();
    let mut depth = 1u32;
    while depth > 0 {
        let rest = cur.rest();
        if rest.starts_with("/*") {
            depth += 1;
            cur.bump();
            cur.bump();
        } else if rest.starts_with("*/") {
            depth -= 1;
            cur.bump();
            cur.bump();
        } else if cur.bump().is_none() {
            return (
                TokenKind::Error,
                "unterminated /* comment (comments nest in T-SQL)".into(),
            );
        }
    }
    (TokenKind::Comment, cur.src[start..cur.offset].to_string())
}

fn string(cur: &mut Cursor<'_>, national: bool) -> (TokenKind, String) {
    cur.bump();
    let mut value = String::new();
    loop {
        match cur.bump() {
            None => return (TokenKind::Error, "unterminated string literal".into()),
            Some('\'') => {
                if cur.peek() == Some('\'') {
                    cur.bump();
                    value.push('\'');
                } else {
                    return (TokenKind::String { national }, value);
                }
            }
            Some(c) => value.push(c),
        }
    }
}

fn delimited(cur: &mut Cursor<'_>, close: char, style: QuoteStyle) -> (TokenKind, String) {
    cur.bump();
    let mut value = String::new();
    loop {
        match cur.bump() {
            None => {
                return (
                    TokenKind::Error,
                    format!("unterminated delimited identifier (missing {close})"),
                )
            }
            Some(c) if c == close => {
                if cur.peek() == Some(close) {
                    cur.bump();
                    value.push(close);
                } else {
                    return (TokenKind::QuotedIdent(style), value);
                }
            }
            Some(c) => value.push(c),
        }
    }
}

fn number(cur: &mut Cursor<'_>) -> (TokenKind, String) {
    let start = cur.offset;
    while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
        cur.bump();
    }
    if cur.peek() == Some('.') {
        cur.bump();
        while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
            cur.bump();
        }
    }
    if matches!(cur.peek(), Some('e') | Some('E')) {
        let sign = matches!(cur.peek_nth(1), Some('+') | Some('-'));
        let digit_at = if sign { 2 } else { 1 };
        if cur.peek_nth(digit_at).is_some_and(|c| c.is_ascii_digit()) {
            for _ in 0..digit_at {
                cur.bump();
            }
            while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
                cur.bump();
            }
        }
    }
    (TokenKind::Number, cur.src[start..cur.offset].to_string())
}

fn word(cur: &mut Cursor<'_>, line_start: bool) -> (TokenKind, String) {
    let start = cur.offset;
    cur.bump();
    while cur.peek().is_some_and(is_ident_continue) {
        cur.bump();
    }
    let text = &cur.src[start..cur.offset];
    if line_start && text.eq_ignore_ascii_case("go") {
        if let Some((count, len)) = go_tail(cur.rest()) {
            for _ in cur.rest()[..len].chars() {
                cur.bump();
            }
            return (TokenKind::BatchSeparator { count }, text.to_string());
        }
    }
    (TokenKind::Word, text.to_string())
}

/// After `GO` at the start of a line: the rest of the line may hold only
/// blanks, an optional repeat count and an optional `--` comment. Returns the
/// count and how many bytes of the count to consume (not the comment).
fn go_tail(rest: &str) -> Option<(u32, usize)> {
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let line = &rest[..line_end];
    let body = match line.find("--") {
        Some(i) => &line[..i],
        None => line,
    };
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Some((1, 0));
    }
    if !body.starts_with(|c: char| c.is_whitespace()) {
        return None; // `GOTO`, `GO;` and the like are not separators
    }
    let count: u32 = trimmed.parse().ok()?;
    Some((count, body.trim_end().len()))
}

fn punct(cur: &mut Cursor<'_>) -> (TokenKind, String) {
    let rest = cur.rest();
    for op in TWO_CHAR_OPS {
        if rest.starts_with(op) {
            for _ in 0..op.len() {
                cur.bump();
            }
            return (TokenKind::Punct, op.to_string());
        }
    }
    let c = cur.bump().unwrap_or(' ');
    if "(),.;=<>+-*/%&|^~:!$".contains(c) {
        (TokenKind::Punct, c.to_string())
    } else {
        (TokenKind::Error, format!("unexpected character {c:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, String)> {
        tokenize(src)
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn go_is_a_separator_only_alone_on_its_line() {
        let toks = tokenize("SELECT 1\nGO\nSELECT 2 GO\n  go 3 -- again\nGOTO x");
        let seps: Vec<_> = toks
            .iter()
            .filter_map(|t| match t.kind {
                TokenKind::BatchSeparator { count } => Some((t.span.start.line, count)),
                _ => None,
            })
            .collect();
        assert_eq!(seps, vec![(2, 1), (4, 3)]);
        assert!(toks.iter().any(|t| t.is_keyword("GOTO")));
        // `SELECT 2 GO` keeps GO as a word (an alias), as SQL Server does
        assert!(toks
            .iter()
            .any(|t| t.is_keyword("go") && t.span.start.line == 3));
    }

    #[test]
    fn go_inside_comment_or_string_is_not_a_separator() {
        let toks = tokenize("/* a\nGO\n */ SELECT 'x\nGO\n'");
        assert!(!toks
            .iter()
            .any(|t| matches!(t.kind, TokenKind::BatchSeparator { .. })));
    }

    #[test]
    fn identifiers_strings_and_nested_comments() {
        let k = kinds("[Order Details] \"Q\"\"x\" N'caf\u{e9}''s' /* a /* b */ c */ @p @@ROWCOUNT #tmp 0x0A 1.5e3 .5");
        assert_eq!(
            k[0],
            (
                TokenKind::QuotedIdent(QuoteStyle::Bracket),
                "Order Details".into()
            )
        );
        assert_eq!(
            k[1],
            (TokenKind::QuotedIdent(QuoteStyle::Double), "Q\"x".into())
        );
        assert_eq!(
            k[2],
            (TokenKind::String { national: true }, "caf\u{e9}'s".into())
        );
        assert_eq!(k[3], (TokenKind::Comment, "/* a /* b */ c */".into()));
        assert_eq!(k[4], (TokenKind::Variable, "@p".into()));
        assert_eq!(k[5], (TokenKind::Variable, "@@ROWCOUNT".into()));
        assert_eq!(k[6], (TokenKind::Word, "#tmp".into()));
        assert_eq!(k[7], (TokenKind::Binary, "0x0A".into()));
        assert_eq!(k[8], (TokenKind::Number, "1.5e3".into()));
        assert_eq!(k[9], (TokenKind::Number, ".5".into()));
    }

    #[test]
    fn spans_count_lines_and_characters() {
        let toks = tokenize("SELECT\n  [é], x");
        let e = &toks[1];
        assert_eq!((e.span.start.line, e.span.start.column), (2, 3));
        let x = &toks[3];
        assert_eq!((x.span.start.line, x.span.start.column), (2, 8));
        assert!(toks[1].line_start && !toks[3].line_start);
    }

    #[test]
    fn malformed_input_becomes_error_tokens() {
        let k = kinds("'open");
        assert_eq!(k[0].0, TokenKind::Error);
        let k = kinds("/* open /* nested */");
        assert_eq!(k[0].0, TokenKind::Error);
        let k = kinds("a ` b");
        assert_eq!(k[1].0, TokenKind::Error);
    }

    #[test]
    fn two_char_operators() {
        let k = kinds("a<>b!=c>=d!<e");
        let ops: Vec<_> = k
            .iter()
            .filter(|t| t.0 == TokenKind::Punct)
            .map(|t| t.1.as_str())
            .collect();
        assert_eq!(ops, vec!["<>", "!=", ">=", "!<"]);
    }
}
