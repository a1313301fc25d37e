//! Error handling: TRY/CATCH → a labelled block with an EXIT handler that
//! records the diagnostics, then the CATCH code under `IF caught`;
//! RAISERROR/THROW → SIGNAL with MYSQL_ERRNO in the range the target
//! returns intact; ERROR_*() → the recorded diagnostics.
//!
//! The CATCH code runs after the block, not inside the handler, because a
//! MySQL handler cannot LEAVE to labels outside it (RETURN in a CATCH must
//! still leave the routine).

use super::expr::{expr, family_of};
use super::{string_lit, Cx};
use crate::ast::*;
use crate::types::Family;

/// seekdb returns MYSQL_ERRNO as a signed 16-bit value: keep user errors
/// 50000..=52767 at 30000..=32767 (and map them back in ERROR_NUMBER()).
pub const USER_ERRNO_SHIFT: i64 = 20000;

fn declare_diag(cx: &mut Cx<'_>) {
    cx.internal_var("v_errno", "INT", "0");
    cx.internal_var("v_errmsg", "VARCHAR(2048)", "NULL");
}

/// BEGIN TRY ... END TRY BEGIN CATCH ... END CATCH.
pub(crate) fn try_catch(cx: &mut Cx<'_>, t: &[Stmt], c: &[Stmt], stops: bool) -> Vec<String> {
    if cx.kind == RoutineKind::ScalarFunction {
        return vec![cx.manual("err.try_catch", "TRY/CATCH in a function")];
    }
    let n = cx.fresh("");
    let caught = format!("v_caught_{n}");
    let label = format!("try_{n}");
    declare_diag(cx);
    cx.internal_var(&caught, "INT", "0");
    cx.note(
        "err.try_catch",
        "TRY/CATCH → block with EXIT HANDLER + GET DIAGNOSTICS, CATCH code after it",
    );
    let mut out = vec![
        format!("SET {caught} = 0;"),
        format!("{label}: BEGIN"),
        "  DECLARE EXIT HANDLER FOR SQLEXCEPTION".into(),
        "  BEGIN".into(),
        "    GET DIAGNOSTICS CONDITION 1 v_errno = MYSQL_ERRNO, v_errmsg = MESSAGE_TEXT;".into(),
        format!("    SET {caught} = 1;"),
        "  END;".into(),
    ];
    cx.in_try += 1;
    let body = super::stmt::block(cx, t, false);
    cx.in_try -= 1;
    out.extend(body.into_iter().map(|l| format!("  {l}")));
    out.push(format!("END {label};"));
    cx.in_catch.push((caught.clone(), label));
    let catch = super::stmt::block(cx, c, stops);
    cx.in_catch.pop();
    out.push(format!("IF {caught} = 1 THEN"));
    if catch.is_empty() {
        out.push("  DO 0;".into());
    }
    out.extend(catch.into_iter().map(|l| format!("  {l}")));
    out.push("END IF;".into());
    out
}

/// ERROR_NUMBER() and friends.
pub(crate) fn error_function(cx: &mut Cx<'_>, name: &str) -> String {
    if cx.in_catch.is_empty() {
        // Outside CATCH these return NULL in SQL Server.
        return "NULL".into();
    }
    match name {
        "ERROR_NUMBER" => {
            cx.note("err.error_number", "ERROR_NUMBER(): user errors map back to 50000+, system errors are the target's numbers");
            format!("IF(v_errno BETWEEN 30000 AND 32767, v_errno + {USER_ERRNO_SHIFT}, v_errno)")
        }
        "ERROR_MESSAGE" => "v_errmsg".into(),
        "ERROR_SEVERITY" => {
            cx.note(
                "err.error_severity",
                "ERROR_SEVERITY() is always 16 on the target",
            );
            "16".into()
        }
        "ERROR_STATE" => {
            cx.note(
                "err.error_severity",
                "ERROR_STATE() is always 1 on the target",
            );
            "1".into()
        }
        "ERROR_PROCEDURE" => {
            cx.note(
                "err.error_procedure",
                "ERROR_PROCEDURE() names this routine even when the error came from one it called",
            );
            string_lit(&cx.routine_name)
        }
        _ => cx.manual(
            "err.error_line",
            format!("{name}() has no equivalent (the target reports no line)"),
        ),
    }
}

fn signal(cx: &mut Cx<'_>, msg: String, errno: i64) -> Vec<String> {
    cx.internal_var("v_sigmsg", "VARCHAR(128)", "NULL");
    vec![
        format!("SET v_sigmsg = LEFT({msg}, 128);"),
        format!("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_sigmsg, MYSQL_ERRNO = {errno};"),
    ]
}

fn map_errno(cx: &mut Cx<'_>, n: i64) -> Option<i64> {
    if (50000..=50000 + 2767).contains(&n) {
        Some(n - USER_ERRNO_SHIFT)
    } else {
        cx.manual(
            "err.errno_range",
            format!("error number {n} is outside 50000..52767, which maps into the range the target returns intact"),
        );
        None
    }
}

/// Expands `%s`/`%d` placeholders of a RAISERROR message.
fn format_message(cx: &mut Cx<'_>, fmt: &str, args: &[Expr]) -> Option<String> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut it = fmt.chars().peekable();
    let mut argi = 0;
    while let Some(c) = it.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        // `%I64d` is a 64-bit integer placeholder: same text as `%d`.
        if it.peek() == Some(&'I') {
            let ahead: String = it.clone().take(4).collect();
            if ahead == "I64d" {
                it.nth(2);
            }
        }
        match it.next() {
            Some('%') => lit.push('%'),
            Some(k @ ('s' | 'd' | 'i' | 'u')) => {
                let _ = k;
                if !lit.is_empty() {
                    parts.push(string_lit(&lit));
                    lit.clear();
                }
                let Some(a) = args.get(argi) else {
                    cx.manual(
                        "err.raiserror",
                        "RAISERROR message has more placeholders than arguments",
                    );
                    return None;
                };
                argi += 1;
                let fam = family_of(cx, a);
                let v = expr(cx, a);
                // NULL arguments print as "(null)" in SQL Server.
                parts.push(if fam == Family::Str {
                    format!("IFNULL({v}, '(null)')")
                } else {
                    format!("IFNULL(CAST({v} AS CHAR), '(null)')")
                });
            }
            _ => {
                cx.manual(
                    "err.raiserror",
                    "RAISERROR placeholder with width/precision/flags",
                );
                return None;
            }
        }
    }
    if !lit.is_empty() || parts.is_empty() {
        parts.push(string_lit(&lit));
    }
    Some(if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("CONCAT({})", parts.join(", "))
    })
}

/// RAISERROR(msg, severity, state [, args]) [WITH ...].
pub(crate) fn raiserror(
    cx: &mut Cx<'_>,
    args: &[Expr],
    opts: &[String],
    stops: bool,
) -> Vec<String> {
    if args.len() < 3 {
        return vec![cx.manual(
            "err.raiserror",
            "RAISERROR needs message, severity and state",
        )];
    }
    if opts.iter().any(|o| o == "SETERROR") {
        return vec![cx.manual("err.raiserror", "RAISERROR ... WITH SETERROR")];
    }
    let severity = match &args[1] {
        Expr::Number(n) => n.parse::<i64>().unwrap_or(16),
        _ => return vec![cx.manual("err.raiserror", "RAISERROR with a non-literal severity")],
    };
    let msg = match &args[0] {
        Expr::Str(s) => match format_message(cx, s, &args[3..]) {
            Some(m) => m,
            None => return Vec::new(),
        },
        Expr::Var(_) if args.len() == 3 => expr(cx, &args[0]),
        Expr::Number(_) => {
            return vec![cx.manual(
                "err.raiserror",
                "RAISERROR with a message number from sys.messages",
            )]
        }
        _ => return vec![cx.manual("err.raiserror", "RAISERROR with a computed format string")],
    };
    if severity <= 10 {
        // Informational: no error is raised, the message goes to the client.
        cx.note(
            "err.raiserror_info",
            "RAISERROR with severity <= 10 is a message: logged like PRINT",
        );
        cx.uses_print = true;
        let log = cx.env.qualified(None, "sluice_print_log");
        return vec![format!(
            "INSERT INTO {log} (`conn`, `routine`, `msg`, `logged_at`) VALUES (CONNECTION_ID(), {}, {msg}, NOW(6));",
            string_lit(&cx.routine_name)
        )];
    }
    if cx.in_try == 0 && !stops {
        return vec![cx.manual(
            "err.raiserror_continues",
            "RAISERROR outside TRY does not stop execution in SQL Server, SIGNAL does: the statements after it would not run",
        )];
    }
    cx.note(
        "err.raiserror",
        "RAISERROR → SIGNAL SQLSTATE '45000', MYSQL_ERRNO 30000 (= 50000 - 20000)",
    );
    let errno = 50000 - USER_ERRNO_SHIFT;
    signal(cx, msg, errno)
}

/// THROW [n, msg, state].
pub(crate) fn throw(cx: &mut Cx<'_>, args: &[Expr]) -> Vec<String> {
    if args.is_empty() {
        if cx.in_catch.is_empty() {
            return vec![cx.manual("err.rethrow", "THROW without arguments outside CATCH")];
        }
        cx.note(
            "err.rethrow",
            "THROW; → SIGNAL of the caught error's number and message (SQLSTATE becomes 45000)",
        );
        return vec![
            "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_errmsg, MYSQL_ERRNO = v_errno;".into(),
        ];
    }
    if args.len() != 3 {
        return vec![cx.manual("err.throw", "THROW needs number, message and state")];
    }
    let n = match &args[0] {
        Expr::Number(n) => n.parse::<i64>().unwrap_or(0),
        _ => return vec![cx.manual("err.throw", "THROW with a non-literal error number")],
    };
    let Some(errno) = map_errno(cx, n) else {
        return Vec::new();
    };
    let msg = expr(cx, &args[1]);
    cx.note(
        "err.throw",
        format!("THROW {n} → SIGNAL SQLSTATE '45000' MYSQL_ERRNO {errno}"),
    );
    signal(cx, msg, errno)
}
