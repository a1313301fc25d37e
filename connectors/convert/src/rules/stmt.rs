//! Statement lists and control flow: DECLARE/SET, IF/WHILE/BREAK/CONTINUE,
//! blocks, RETURN (as an OUT parameter), GOTO (forward to a label at the end
//! of the body: the tail is inlined), transactions, SET options, PRINT, temp
//! table DDL, trigger pseudo tables.

use super::expr::expr;
use super::{quote, string_lit, Cx};
use crate::ast::*;
use crate::types::Family;

fn indent(lines: Vec<String>) -> Vec<String> {
    lines.into_iter().map(|l| format!("  {l}")).collect()
}

/// `SET v = e` text (without `SET`), with compound operators expanded.
pub(crate) fn set_var_text(cx: &mut Cx<'_>, v: &str, op: &str, e: &Expr) -> String {
    if cx.sql_vars.contains_key(&v.to_lowercase()) {
        return super::exec::assign_sql_text(cx, v, op, e);
    }
    let target = cx.var(v);
    if op == "=" {
        return format!("{target} = {}", expr(cx, e));
    }
    let bop = &op[..op.len() - 1];
    let combined = Expr::Binary(
        Box::new(Expr::Var(v.to_string())),
        bop.into(),
        Box::new(e.clone()),
    );
    format!("{target} = {}", expr(cx, &combined))
}

fn mentions_global(s: &Stmt, g: &str) -> bool {
    format!("{:?}", s.kind)
        .to_lowercase()
        .contains(&format!("global(\"{g}\")"))
}

fn is_counting(s: &Stmt) -> bool {
    matches!(
        s.kind,
        StmtKind::Insert { .. }
            | StmtKind::Update { .. }
            | StmtKind::Delete { .. }
            | StmtKind::Merge(_)
            | StmtKind::Select(_)
    )
}

fn is_simple(s: &Stmt) -> bool {
    !matches!(
        s.kind,
        StmtKind::If(..)
            | StmtKind::While(..)
            | StmtKind::Block(_)
            | StmtKind::TryCatch(..)
            | StmtKind::Label(_)
            | StmtKind::Declare(_)
            | StmtKind::DeclareCursor { .. }
            | StmtKind::Return(_)
            | StmtKind::Goto(_)
            | StmtKind::Break
            | StmtKind::Continue
    )
}

/// Converts a statement list. `stops_after` says whether nothing but a
/// return follows the list in the routine.
pub(crate) fn block(cx: &mut Cx<'_>, stmts: &[Stmt], stops_after: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev_counting = false;
    for (i, s) in stmts.iter().enumerate() {
        let stops = match stmts.get(i + 1) {
            Some(n) => matches!(n.kind, StmtKind::Return(_)),
            None => stops_after,
        };
        if cx.error_checked && is_simple(s) && !mentions_global(s, "error") {
            out.push("SET v_error = 0;".into());
        }
        cx.rowcount_valid = prev_counting;
        out.extend(statement(cx, s, stops));
        prev_counting = is_counting(s);
        if matches!(s.kind, StmtKind::Block(_)) {
            prev_counting = false;
        }
    }
    cx.rowcount_valid = false;
    out
}

/// One statement.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt, stops: bool) -> Vec<String> {
    cx.current_line = s.pos.line + cx.line_offset;
    match &s.kind {
        StmtKind::Declare(decls) => {
            let mut out = Vec::new();
            for d in decls {
                cx.declare_var(&d.name, &d.ty, "v_");
                if let Some(init) = &d.init {
                    let t = set_var_text(cx, &d.name, "=", init);
                    out.push(format!("SET {t};"));
                }
            }
            out
        }
        StmtKind::DeclareTable(name, cols) => vec![super::temp::create(
            cx,
            &format!("@{name}"),
            cols,
            "tvar.work_table",
        )],
        StmtKind::DeclareCursor {
            name,
            options,
            query,
            for_update,
        } => super::cursor::declare(cx, name, options, query, *for_update),
        StmtKind::SetVar(v, op, e) => {
            let t = set_var_text(cx, v, op, e);
            let mut out = vec![format!("SET {t};")];
            if cx.uses_rowcount {
                out.push("SET v_rowcount = 1;".into());
            }
            out
        }
        StmtKind::SetOption(words) => set_option(cx, words),
        StmtKind::Select(q) => super::dml::select_stmt(cx, q),
        StmtKind::Insert {
            target,
            columns,
            source,
            output,
        } => super::dml::insert(cx, target, columns, source, output.as_deref()),
        StmtKind::Update {
            top,
            target,
            sets,
            from,
            where_,
            current_of,
            output,
            ctes,
            ..
        } => super::dml::update(
            cx,
            top,
            target,
            sets,
            from,
            where_,
            *current_of,
            output.is_some(),
            ctes,
        ),
        StmtKind::Delete {
            top,
            target,
            from,
            where_,
            current_of,
            output,
        } => super::dml::delete(
            cx,
            top,
            target,
            from,
            where_,
            *current_of,
            output.as_deref(),
        ),
        StmtKind::Truncate(t) => super::dml::truncate(cx, t),
        StmtKind::Merge(m) => super::merge::merge(cx, m),
        StmtKind::If(c, then, else_) => {
            let cond = expr(cx, c);
            let mut out = vec![format!("IF {cond} THEN")];
            let t = branch(cx, then, stops);
            out.extend(indent(t));
            if let Some(e) = else_ {
                out.push("ELSE".into());
                let e = branch(cx, e, stops);
                out.extend(indent(e));
            }
            out.push("END IF;".into());
            out
        }
        StmtKind::While(c, body) => {
            let label = cx.fresh("loop_");
            let cond = expr(cx, c);
            cx.loop_labels.push(label.clone());
            let b = branch(cx, body, false);
            cx.loop_labels.pop();
            let mut out = vec![format!("{label}: WHILE {cond} DO")];
            out.extend(indent(b));
            out.push(format!("END WHILE {label};"));
            out
        }
        StmtKind::Block(stmts) => block(cx, stmts, stops),
        StmtKind::TryCatch(t, c) => super::errors::try_catch(cx, t, c, stops),
        StmtKind::Break => match cx.loop_labels.last() {
            Some(l) => vec![format!("LEAVE {l};")],
            None => vec![cx.manual("ctl.break", "BREAK outside a loop")],
        },
        StmtKind::Continue => match cx.loop_labels.last() {
            Some(l) => vec![format!("ITERATE {l};")],
            None => vec![cx.manual("ctl.break", "CONTINUE outside a loop")],
        },
        StmtKind::Return(e) => ret(cx, e.as_ref()),
        StmtKind::Goto(label) => goto(cx, label),
        StmtKind::Label(l) => vec![format!(
            "-- {l}: (GOTO target; its code is inlined at each GOTO)"
        )],
        StmtKind::Raiserror(args, opts) => super::errors::raiserror(cx, args, opts, stops),
        StmtKind::Throw(args) => super::errors::throw(cx, args),
        StmtKind::Print(e) => print(cx, e),
        StmtKind::Exec {
            ret,
            proc_name,
            args,
        } => super::exec::call(cx, ret.as_deref(), proc_name, args),
        StmtKind::ExecDynamic(e) => super::exec::dynamic(cx, e, &[]),
        StmtKind::BeginTran => {
            if cx.kind != RoutineKind::Procedure {
                return vec![cx.manual(
                    "tx.in_trigger",
                    "transaction control in a trigger or function",
                )];
            }
            cx.note("tx.begin", "BEGIN TRAN → START TRANSACTION: no nesting; it commits a transaction the caller has open");
            if cx.uses_trancount {
                vec![
                    "IF v_trancount = 0 THEN START TRANSACTION; END IF;".into(),
                    "SET v_trancount = v_trancount + 1;".into(),
                ]
            } else {
                vec!["START TRANSACTION;".into()]
            }
        }
        StmtKind::Commit => {
            if cx.kind != RoutineKind::Procedure {
                return vec![cx.manual(
                    "tx.in_trigger",
                    "transaction control in a trigger or function",
                )];
            }
            if cx.uses_trancount {
                vec![
                    "SET v_trancount = GREATEST(v_trancount - 1, 0);".into(),
                    "IF v_trancount = 0 THEN COMMIT; END IF;".into(),
                ]
            } else {
                vec!["COMMIT;".into()]
            }
        }
        StmtKind::Rollback(sp) => {
            if cx.kind != RoutineKind::Procedure {
                return vec![cx.manual(
                    "tx.in_trigger",
                    "ROLLBACK in a trigger (rolls back the caller's whole transaction in SQL Server)",
                )];
            }
            match sp {
                Some(sp) => vec![format!("ROLLBACK TO SAVEPOINT {};", quote(sp))],
                None if cx.uses_trancount => {
                    vec!["ROLLBACK;".into(), "SET v_trancount = 0;".into()]
                }
                None => vec!["ROLLBACK;".into()],
            }
        }
        StmtKind::SaveTran(sp) => {
            cx.note("tx.savepoint", "SAVE TRAN → SAVEPOINT");
            vec![format!("SAVEPOINT {};", quote(sp))]
        }
        StmtKind::CreateTable(name, cols) => {
            if name.is_temp() {
                vec![super::temp::create(
                    cx,
                    name.last(),
                    cols,
                    "temp.work_table",
                )]
            } else {
                vec![cx.manual(
                    "ddl.in_routine",
                    format!("CREATE TABLE {} inside a routine", name.0.join(".")),
                )]
            }
        }
        StmtKind::DropTable(names) => {
            let mut out = Vec::new();
            for n in names {
                let key = n.last().to_lowercase();
                if n.0.len() == 1 && cx.temps.contains_key(&key) {
                    out.push(format!(
                        "DELETE FROM {} WHERE `sluice_conn` = CONNECTION_ID();",
                        cx.temps[&key].table
                    ));
                } else if n.is_temp() {
                    cx.note(
                        "temp.drop_unknown",
                        format!(
                            "DROP TABLE {} of a temp table not created here: nothing to drop",
                            n.last()
                        ),
                    );
                } else {
                    out.push(cx.manual(
                        "ddl.in_routine",
                        format!("DROP TABLE {} inside a routine", n.0.join(".")),
                    ));
                }
            }
            out
        }
        StmtKind::CreateIndex(n) => {
            if n.is_temp() {
                cx.note(
                    "temp.index",
                    format!(
                        "index on {} dropped (work tables are keyed by connection)",
                        n.last()
                    ),
                );
                Vec::new()
            } else {
                vec![cx.manual("ddl.in_routine", "CREATE INDEX inside a routine")]
            }
        }
        StmtKind::Open(c) => super::cursor::open(cx, c),
        StmtKind::Fetch(c, dir, vars) => super::cursor::fetch(cx, c, dir, vars),
        StmtKind::Close(c) => super::cursor::close(cx, c),
        StmtKind::Deallocate(c) => {
            cx.note(
                "cursor.deallocate",
                format!("DEALLOCATE {c} dropped: cursors end with their block"),
            );
            Vec::new()
        }
        StmtKind::Unsupported(what) => {
            vec![cx.manual("stmt.unsupported", format!("{what} has no equivalent"))]
        }
        StmtKind::Unparsed(msg) => {
            vec![cx.manual("parse.error", format!("statement not parsed: {msg}"))]
        }
    }
}

fn branch(cx: &mut Cx<'_>, s: &Stmt, stops: bool) -> Vec<String> {
    let stmts = match &s.kind {
        StmtKind::Block(v) => v.clone(),
        _ => vec![s.clone()],
    };
    let mut b = block(cx, &stmts, stops);
    if b.is_empty() {
        b.push("DO 0;".into());
    }
    b
}

fn ret(cx: &mut Cx<'_>, e: Option<&Expr>) -> Vec<String> {
    match cx.kind {
        RoutineKind::ScalarFunction => match e {
            Some(e) => vec![format!("RETURN {};", expr(cx, e))],
            None => vec![cx.manual("ctl.return", "RETURN without a value in a function")],
        },
        RoutineKind::Procedure => {
            let mut out = Vec::new();
            if let Some(e) = e {
                cx.returns_value = true;
                cx.note("ctl.return_value", "RETURN n → OUT parameter sluice_return");
                let v = expr(cx, e);
                out.push(format!("SET sluice_return = {v};"));
            }
            out.push("LEAVE body;".into());
            out
        }
        _ => vec!["LEAVE body;".into()],
    }
}

fn goto(cx: &mut Cx<'_>, label: &str) -> Vec<String> {
    let Some(tail) = cx.goto_tails.get(&label.to_lowercase()).cloned() else {
        return vec![cx.manual(
            "ctl.goto.unsupported",
            format!("GOTO {label}: the label is not at the top level of the body"),
        )];
    };
    if cx.goto_depth >= 3 || cx.kind == RoutineKind::ScalarFunction {
        return vec![cx.manual(
            "ctl.goto.unsupported",
            format!("GOTO {label}: nested GOTOs in the label's code"),
        )];
    }
    cx.note(
        "ctl.goto",
        format!("GOTO {label} → the code after {label}: inlined, then leave the routine"),
    );
    cx.goto_depth += 1;
    let line = cx.current_line;
    let saved = cx.loop_labels.clone();
    let mut out = vec![format!("-- GOTO {label}")];
    out.extend(block(cx, &tail, true));
    if out.last().map(String::as_str) != Some("LEAVE body;") {
        out.push("LEAVE body;".into());
    }
    cx.loop_labels = saved;
    cx.goto_depth -= 1;
    cx.current_line = line;
    out
}

fn print(cx: &mut Cx<'_>, e: &Expr) -> Vec<String> {
    if cx.kind == RoutineKind::ScalarFunction {
        return vec![cx.manual("ctl.print", "PRINT in a function")];
    }
    let fam = super::expr::family_of(cx, e);
    let v = expr(cx, e);
    let msg = if fam == Family::Str {
        v
    } else {
        format!("CAST({v} AS CHAR)")
    };
    cx.uses_print = true;
    cx.note(
        "ctl.print",
        "PRINT → a row in sluice_print_log (connection, routine, message)",
    );
    let log = cx.env.qualified(None, "sluice_print_log");
    vec![format!(
        "INSERT INTO {log} (`conn`, `routine`, `msg`, `logged_at`) VALUES (CONNECTION_ID(), {}, {msg}, NOW(6));",
        string_lit(&cx.routine_name)
    )]
}

fn set_option(cx: &mut Cx<'_>, words: &[String]) -> Vec<String> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let on = w.last() == Some(&"ON");
    match w.first().copied() {
        Some("NOCOUNT") => {
            cx.note(
                "set.nocount",
                "SET NOCOUNT dropped: the target sends no row-count messages from routines",
            );
            Vec::new()
        }
        Some("ANSI_NULLS" | "CONCAT_NULL_YIELDS_NULL") if !on => {
            vec![cx.manual(
                "set.ansi_off",
                format!("SET {} OFF changes NULL semantics", w[0]),
            )]
        }
        Some(
            "ANSI_NULLS"
            | "QUOTED_IDENTIFIER"
            | "ANSI_WARNINGS"
            | "ANSI_PADDING"
            | "ARITHABORT"
            | "CONCAT_NULL_YIELDS_NULL"
            | "NUMERIC_ROUNDABORT"
            | "ANSI_NULL_DFLT_ON"
            | "DEADLOCK_PRIORITY"
            | "STATISTICS"
            | "SHOWPLAN_ALL"
            | "FMTONLY"
            | "IDENTITY_INSERT"
            | "ANSI_DEFAULTS"
            | "IMPLICIT_TRANSACTIONS",
        ) if w[0] != "IMPLICIT_TRANSACTIONS" || !on => {
            cx.note(
                "set.session_option",
                format!(
                    "SET {} dropped: no effect on the target's behaviour here",
                    words.join(" ")
                ),
            );
            Vec::new()
        }
        Some("XACT_ABORT") => {
            if on {
                cx.note(
                    "tx.xact_abort",
                    "SET XACT_ABORT ON → EXIT handler that rolls back and re-signals",
                );
            }
            Vec::new()
        }
        Some("TRANSACTION") if w.len() >= 4 => {
            let level = w[3..].join(" ");
            match level.as_str() {
                "READ UNCOMMITTED" | "READ COMMITTED" | "REPEATABLE READ" | "SERIALIZABLE" => {
                    cx.note("set.isolation", "SET TRANSACTION ISOLATION LEVEL applies to the next transaction only on the target");
                    vec![format!("SET TRANSACTION ISOLATION LEVEL {level};")]
                }
                _ => vec![cx.manual("set.isolation", format!("isolation level {level}"))],
            }
        }
        _ => vec![cx.manual("set.unsupported", format!("SET {}", words.join(" ")))],
    }
}

/// `inserted`/`deleted` of a row trigger: a one-row (or, when the event has
/// no such row, empty) placeholder; its columns are written as `NEW.c` /
/// `OLD.c` where they are used (see `expr::column`). NEW/OLD are kept out of
/// derived tables: seekdb was seen to evaluate `(SELECT NEW.c ...)` with a
/// previous row's values.
pub(crate) fn pseudo_table(cx: &mut Cx<'_>, which: &str) -> String {
    if cx.trigger_table.is_none() {
        return cx.manual(
            "trg.unknown_table",
            "the trigger's table is not in the schema: inserted/deleted cannot be mapped",
        );
    }
    let row = super::query::pseudo_row(cx, &Name(vec![which.to_string()])).flatten();
    cx.note(
        "trg.row_level",
        format!(
            "{which} → the single {} row of a FOR EACH ROW trigger",
            row.unwrap_or("(no)")
        ),
    );
    match row {
        Some(_) => "(SELECT 1 AS `sluice_row`)".to_string(),
        None => "(SELECT 1 AS `sluice_row` FROM DUAL WHERE FALSE)".to_string(),
    }
}
