//! Assembling converted routines: headers, hoisted declarations (MySQL wants
//! every DECLARE at the top of its block), handlers, the `sp`/`body` block
//! pair (RETURN leaves `body`, so cleanup after it always runs), triggers
//! split per event, views, inline table-valued functions as procedures.

use crate::ast::*;
use crate::rules::{quote, Cx, Env, Finding, Severity};
use crate::types::map_type;
use serde::Serialize;

/// How far an object converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Converted exactly.
    Converted,
    /// Converted with documented semantic differences to review.
    Review,
    /// Needs a person: not deployed.
    Manual,
}

/// One converted target object (a T-SQL trigger on several events gives several).
#[derive(Debug, Clone, Serialize)]
pub struct TargetObject {
    /// Kind keyword: PROCEDURE, FUNCTION, TRIGGER, VIEW.
    pub kind: &'static str,
    /// Quoted, qualified name.
    pub name: String,
    /// Statements to run before the CREATE (work tables, log table).
    pub pre_deploy: Vec<String>,
    /// The CREATE statement (no delimiter).
    pub create: String,
}

/// The result for one source routine.
#[derive(Debug, Clone, Serialize)]
pub struct Converted {
    /// Source name as written (`dbo.usp_x`).
    pub source_name: String,
    /// Kind.
    pub kind: RoutineKind,
    /// Status.
    pub status: Status,
    /// Findings, in line order.
    pub findings: Vec<Finding>,
    /// Target objects (empty when the header did not parse).
    pub objects: Vec<TargetObject>,
}

fn walk<'a>(stmts: &'a [Stmt], f: &mut dyn FnMut(&'a Stmt)) {
    for s in stmts {
        f(s);
        match &s.kind {
            StmtKind::If(_, t, e) => {
                walk(std::slice::from_ref(t), f);
                if let Some(e) = e {
                    walk(std::slice::from_ref(e), f);
                }
            }
            StmtKind::While(_, b) => walk(std::slice::from_ref(b), f),
            StmtKind::Block(b) => walk(b, f),
            StmtKind::TryCatch(t, c) => {
                walk(t, f);
                walk(c, f);
            }
            _ => {}
        }
    }
}

/// Whether a procedure has `RETURN n` anywhere.
pub fn returns_value(body: &[Stmt]) -> bool {
    let mut r = false;
    walk(body, &mut |s| {
        if matches!(s.kind, StmtKind::Return(Some(_))) {
            r = true;
        }
    });
    r
}

/// Whether a procedure may send a result set: a SELECT that neither assigns
/// variables nor fills a table, FETCH without INTO, EXEC of anything, dynamic
/// SQL, or a statement that did not parse.
pub fn may_return_rows(body: &[Stmt]) -> bool {
    let mut r = false;
    walk(body, &mut |s| {
        let rows = match &s.kind {
            StmtKind::Select(q) => match &q.body {
                SetExpr::Select(sel) => {
                    sel.into.is_none()
                        && !sel
                            .items
                            .iter()
                            .any(|i| matches!(i, SelectItem::Assign(..)))
                }
                _ => true,
            },
            StmtKind::Fetch(_, _, vars) => vars.is_empty(),
            StmtKind::Exec { .. }
            | StmtKind::ExecDynamic(_)
            | StmtKind::Unparsed(_)
            | StmtKind::Unsupported(_) => true,
            StmtKind::Insert { output, .. }
            | StmtKind::Update { output, .. }
            | StmtKind::Delete { output, .. } => output.as_ref().is_some_and(|o| o.into.is_none()),
            StmtKind::Merge(m) => m.output.as_ref().is_some_and(|o| o.into.is_none()),
            _ => false,
        };
        r |= rows;
    });
    r
}

fn prescan(cx: &mut Cx<'_>, r: &Routine, source: &str) {
    let low = source.to_lowercase();
    cx.uses_rowcount = low.contains("@@rowcount");
    cx.uses_trancount = low.contains("@@trancount");
    if cx.uses_rowcount {
        cx.internal_var("v_rowcount", "BIGINT", "0");
    }
    if cx.uses_trancount {
        cx.internal_var("v_trancount", "INT", "0");
    }
    cx.xact_abort = r.body.iter().any(|s| matches!(&s.kind, StmtKind::SetOption(w) if w.first().map(String::as_str) == Some("XACT_ABORT") && w.last().map(String::as_str) == Some("ON")));
    cx.error_checked = low.contains("@@error") && !cx.xact_abort;
    if cx.error_checked {
        cx.internal_var("v_error", "INT", "0");
    }
    // Variables assigned once from a literal (dynamic SQL text).
    let mut counts: std::collections::HashMap<String, (u32, Option<String>)> = Default::default();
    let mut bump = |v: &str, e: Option<&Expr>| {
        let en = counts.entry(v.to_lowercase()).or_insert((0, None));
        en.0 += 1;
        en.1 = match e {
            Some(Expr::Str(s)) => Some(s.clone()),
            _ => None,
        };
    };
    walk(&r.body, &mut |s| match &s.kind {
        StmtKind::Declare(ds) => {
            for d in ds {
                if let Some(i) = &d.init {
                    bump(&d.name, Some(i));
                }
            }
        }
        StmtKind::SetVar(v, op, e) => bump(v, if op == "=" { Some(e) } else { None }),
        StmtKind::Select(q) => {
            if let SetExpr::Select(sel) = &q.body {
                for it in &sel.items {
                    if let SelectItem::Assign(v, _, _) = it {
                        bump(v, None);
                    }
                }
            }
        }
        StmtKind::Fetch(_, _, vars) => {
            for v in vars {
                bump(v, None);
            }
        }
        StmtKind::Exec { ret, args, .. } => {
            if let Some(v) = ret {
                bump(v, None);
            }
            for a in args {
                if let (true, Expr::Var(v)) = (a.output, &a.value) {
                    bump(v, None);
                }
            }
        }
        _ => {}
    });
    for p in &r.params {
        counts.entry(p.name.to_lowercase()).or_insert((0, None)).0 += 2;
    }
    for (v, (n, lit)) in counts {
        if let (1, Some(l)) = (n, lit) {
            cx.literal_vars.insert(v, l);
        }
    }
    // Variables used as dynamic SQL text, with their sp_executesql parameters.
    walk(&r.body, &mut |s| match &s.kind {
        StmtKind::ExecDynamic(Expr::Var(v)) => {
            cx.sql_vars.entry(v.to_lowercase()).or_default();
        }
        StmtKind::Exec {
            proc_name, args, ..
        } if proc_name.last().eq_ignore_ascii_case("sp_executesql") => {
            if let Some(ExecArg {
                value: Expr::Var(v),
                ..
            }) = args.first()
            {
                let params: Vec<String> = match args.get(1).map(|a| &a.value) {
                    Some(Expr::Str(d)) => d
                        .split(',')
                        .filter_map(|p| p.split_whitespace().next())
                        .map(|p| p.trim_start_matches('@').to_lowercase())
                        .collect(),
                    _ => Vec::new(),
                };
                cx.sql_vars
                    .entry(v.to_lowercase())
                    .or_default()
                    .extend(params);
            }
        }
        _ => {}
    });
    for v in cx.sql_vars.keys().cloned().collect::<Vec<_>>() {
        cx.literal_vars.remove(&v);
    }
    // Temp tables a caller creates: borrowed when this routine does not create them.
    let mut created = Vec::new();
    walk(&r.body, &mut |s| match &s.kind {
        StmtKind::CreateTable(n, _) if n.is_temp() => created.push(n.last().to_lowercase()),
        StmtKind::Select(q) => {
            if let SetExpr::Select(sel) = &q.body {
                if let Some(n) = &sel.into {
                    created.push(n.last().to_lowercase());
                }
            }
        }
        _ => {}
    });
    let names: Vec<String> = cx.env.shared_temps.keys().cloned().collect();
    for n in names {
        if !created.contains(&n) && low.contains(&n) {
            crate::rules::temp::borrow_shared(cx, &n);
        }
    }
    // GOTO targets: labels at the top level of the body; the code after each.
    for (i, s) in r.body.iter().enumerate() {
        if let StmtKind::Label(l) = &s.kind {
            cx.goto_tails
                .insert(l.to_lowercase(), r.body[i + 1..].to_vec());
        }
    }
}

fn params(cx: &mut Cx<'_>, r: &Routine, with_mode: bool) -> Vec<String> {
    let mut out = Vec::new();
    for p in &r.params {
        if p.readonly {
            cx.manual("tvp", format!("table-valued parameter @{}", p.name));
            continue;
        }
        let sql = match map_type(&p.ty, &cx.env.schema) {
            Some(m) => m.sql,
            None => {
                cx.manual(
                    "type.unknown",
                    format!("type {} of @{}", crate::types::describe(&p.ty), p.name),
                );
                "TEXT".into()
            }
        };
        let target = cx.declare_var(&p.name, &p.ty, "p_");
        if p.default.is_some() && with_mode {
            cx.note("param.default", format!("@{} has a default: callers converted here get it filled in; other callers must pass it", p.name));
        }
        let mode = if !with_mode {
            ""
        } else if p.output {
            "INOUT "
        } else {
            "IN "
        };
        out.push(format!("{mode}{target} {sql}"));
    }
    out
}

fn handlers(cx: &Cx<'_>) -> Vec<String> {
    let mut h = Vec::new();
    if cx.uses_fetch {
        h.push("DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_fetch_status = -1;".to_string());
    }
    // Errors the routine raises itself (RAISERROR/THROW → MYSQL_ERRNO
    // 30000..32767) reach the caller as in SQL Server; RAISERROR (30000)
    // does not roll back under XACT_ABORT, other errors do.
    if cx.xact_abort {
        h.push("DECLARE EXIT HANDLER FOR SQLEXCEPTION".to_string());
        h.push("BEGIN".to_string());
        h.push("  GET DIAGNOSTICS CONDITION 1 v_xa_errno = MYSQL_ERRNO;".to_string());
        h.push("  IF v_xa_errno <> 30000 THEN ROLLBACK; END IF;".to_string());
        h.push("  RESIGNAL;".to_string());
        h.push("END;".to_string());
    } else if cx.uses_error {
        h.push("DECLARE CONTINUE HANDLER FOR SQLEXCEPTION".to_string());
        h.push("BEGIN".to_string());
        h.push("  GET DIAGNOSTICS CONDITION 1 v_error = MYSQL_ERRNO;".to_string());
        h.push("  IF v_error BETWEEN 30000 AND 32767 THEN RESIGNAL; END IF;".to_string());
        h.push("END;".to_string());
    }
    h
}

fn indent(lines: &[String], n: usize) -> String {
    let pad = " ".repeat(n);
    lines.iter().map(|l| format!("{pad}{l}\n")).collect()
}

/// The `sp: BEGIN ... END` text around converted statements.
fn assemble_body(cx: &mut Cx<'_>, stmts: Vec<String>, return_init: bool) -> String {
    if cx.xact_abort {
        cx.internal_var("v_xa_errno", "INT", "0");
    }
    if cx.uses_fetch {
        cx.internal_var("v_fetch_status", "INT", "-1");
    }
    let cleanup = crate::rules::temp_cleanup(cx);
    let mut sp = Vec::new();
    sp.extend(cx.decls.clone());
    sp.extend(cx.cursors.iter().map(|(_, d)| d.clone()));
    if !cleanup.is_empty() {
        sp.push("DECLARE EXIT HANDLER FOR SQLEXCEPTION".into());
        sp.push("BEGIN".into());
        sp.extend(cleanup.iter().map(|c| format!("  {c}")));
        sp.push("  RESIGNAL;".into());
        sp.push("END;".into());
    }
    if return_init {
        sp.push("SET sluice_return = 0;".into());
    }
    sp.extend(cleanup.clone());
    let mut body = handlers(cx);
    body.extend(stmts);
    if body.is_empty() {
        body.push("DO 0;".into());
    }
    let mut text = String::from("sp: BEGIN\n");
    text.push_str(&indent(&sp, 2));
    text.push_str("  body: BEGIN\n");
    text.push_str(&indent(&body, 4));
    text.push_str("  END body;\n");
    text.push_str(&indent(&cleanup, 2));
    text.push_str("END sp");
    text
}

/// Ends a procedure by re-computing each DECIMAL OUTPUT parameter
/// (`SET p = p + 0`). seekdb (OceanBase 4.3.5) hands an OUT/INOUT DECIMAL
/// that last received a column's value (`SELECT col INTO p`) back to the
/// caller's user variable rounded to an integer (9.5000 arrives as 10); a
/// computed value arrives intact. Found by the differential tests
/// (`tests/tests/convert_behaviour.rs`, `bill.usp_Bill_PriceLookup`).
fn refresh_decimal_outs(body: String, params: &[String]) -> String {
    let fix: String = params
        .iter()
        .filter_map(|p| {
            let mut it = p.split_whitespace();
            if it.next()? != "INOUT" {
                return None;
            }
            let name = it.next()?;
            let ty = it.next()?;
            ty.starts_with("DECIMAL")
                .then(|| format!("  SET {name} = {name} + 0;\n"))
        })
        .collect();
    match body.strip_suffix("END sp") {
        Some(head) if !fix.is_empty() => format!("{head}{fix}END sp"),
        _ => body,
    }
}

fn status_of(findings: &[Finding]) -> Status {
    match findings.iter().map(|f| f.severity).max() {
        Some(Severity::Manual) => Status::Manual,
        Some(Severity::Review) => Status::Review,
        _ => Status::Converted,
    }
}

fn print_log_ddl(env: &Env) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n  `id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n  `conn` BIGINT NOT NULL,\n  `routine` VARCHAR(256) NOT NULL,\n  `msg` LONGTEXT,\n  `logged_at` DATETIME(6) NOT NULL\n)",
        env.qualified(None, "sluice_print_log")
    )
}

/// Converts one parsed routine.
pub fn convert_routine(env: &Env, r: &Routine, source: &str, line_offset: u32) -> Converted {
    let source_name = r.name.0.join(".");
    let schema = if r.name.0.len() >= 2 {
        Some(r.name.0[r.name.0.len() - 2].clone())
    } else {
        None
    };
    let mut findings = Vec::new();
    let mut objects = Vec::new();
    match r.kind {
        RoutineKind::Trigger => {
            let info = r.trigger.clone().expect("trigger header");
            let events = info.events.clone();
            for ev in &events {
                let mut cx = new_cx(env, r, schema.clone(), line_offset);
                let tbl_schema = if info.table.0.len() >= 2 {
                    Some(info.table.0[info.table.0.len() - 2].as_str())
                } else {
                    None
                };
                cx.trigger_table = env.schema.table(tbl_schema, info.table.last()).cloned();
                cx.trigger_event = Some(ev.clone());
                cx.current_line = r.pos.line + line_offset;
                if info.instead_of {
                    cx.manual(
                        "trg.instead_of",
                        "INSTEAD OF trigger (the target has BEFORE/AFTER row triggers only)",
                    );
                }
                if cx.trigger_table.is_none() {
                    cx.manual(
                        "trg.unknown_table",
                        format!("table {} is not in the schema", info.table.0.join(".")),
                    );
                }
                if events.len() > 1 {
                    cx.note("trg.split_events", format!("one trigger per event: {ev}"));
                }
                cx.note("trg.row_level", "statement trigger → FOR EACH ROW trigger; inserted/deleted are the row's NEW/OLD");
                let body = row_trigger_body(&mut cx, &r.body, ev);
                check_trigger_sets(&mut cx, &body);
                prescan(&mut cx, r, source);
                let stmts = crate::rules::block(&mut cx, &body, true);
                let body = assemble_body(&mut cx, stmts, false);
                let suffix = if events.len() > 1 {
                    format!("_{}", &ev[..3].to_lowercase())
                } else {
                    String::new()
                };
                let tname = format!("{}{suffix}", r.name.last());
                let table = {
                    let canon = cx
                        .trigger_table
                        .as_ref()
                        .map(|t| t.name.clone())
                        .unwrap_or_else(|| info.table.last().to_string());
                    env.qualified(tbl_schema, &canon)
                };
                let name = env.qualified(tbl_schema, &tname);
                let mut pre = cx.pre_deploy.clone();
                if cx.uses_print {
                    pre.push(print_log_ddl(env));
                }
                objects.push(TargetObject {
                    kind: "TRIGGER",
                    name: name.clone(),
                    pre_deploy: pre,
                    create: format!(
                        "CREATE TRIGGER {name} AFTER {ev} ON {table} FOR EACH ROW\n{body}"
                    ),
                });
                for f in cx.findings {
                    if !findings.contains(&f) {
                        findings.push(f);
                    }
                }
            }
        }
        RoutineKind::View => {
            let mut cx = new_cx(env, r, schema.clone(), line_offset);
            cx.current_line = r.pos.line + line_offset;
            let mut cols = String::new();
            let mut check = "";
            for o in &r.options {
                if let Some(c) = o.strip_prefix("COLUMNS:") {
                    cols = format!(
                        " ({})",
                        c.split(',').map(quote).collect::<Vec<_>>().join(", ")
                    );
                } else if o == "SCHEMABINDING" {
                    cx.note(
                        "view.schemabinding",
                        "WITH SCHEMABINDING dropped: the target does not bind views to tables",
                    );
                } else if o == "CHECK OPTION" {
                    check = "\nWITH CHECK OPTION";
                } else if o != "VIEW_METADATA" && o != "ENCRYPTION" {
                    cx.manual("view.option", format!("view option {o}"));
                }
            }
            let q = match &r.body.first().map(|s| &s.kind) {
                Some(StmtKind::Select(q)) => crate::rules::query_text(&mut cx, q),
                _ => cx.manual("parse.error", "view body"),
            };
            let name = env.qualified(schema.as_deref(), r.name.last());
            objects.push(TargetObject {
                kind: "VIEW",
                name: name.clone(),
                pre_deploy: Vec::new(),
                create: format!("CREATE OR REPLACE VIEW {name}{cols} AS\n{q}{check}"),
            });
            findings = cx.findings;
        }
        RoutineKind::TableFunction => match crate::rules::tvf::mstvf_query(r) {
            Ok((q, pos)) => {
                // Only fills its return table: converted as the equivalent
                // inline function (a procedure for CALLers; FROM/APPLY
                // call sites get its query).
                let mut inline = r.clone();
                inline.kind = RoutineKind::InlineTableFunction;
                inline.returns_table = None;
                inline.body = vec![Stmt {
                    pos,
                    kind: StmtKind::Select(Box::new(q)),
                }];
                let mut c = convert_routine(env, &inline, source, line_offset);
                c.kind = RoutineKind::TableFunction;
                let line = r.pos.line + line_offset;
                c.findings.insert(0, Finding {
                    rule: crate::rules::rule("fn.mstvf_inline").id,
                    severity: crate::rules::rule("fn.mstvf_inline").severity,
                    line,
                    message: "multi-statement table-valued function that only fills its return table → one query (values converted to the declared column types; a string too long for its column is cut, where SQL Server raises an error), then as an inline function".into(),
                });
                if r.returns_table
                    .as_ref()
                    .is_some_and(|(_, cols)| cols.iter().any(|c| c.not_null || c.primary_key))
                {
                    c.findings.insert(1, Finding {
                        rule: crate::rules::rule("fn.mstvf_inline").id,
                        severity: Severity::Review,
                        line,
                        message: "NOT NULL / PRIMARY KEY of the return table are not checked (SQL Server raises an error on a NULL or duplicate row)".into(),
                    });
                }
                c.status = status_of(&c.findings);
                return c;
            }
            Err((why, pos)) => {
                let mut cx = new_cx(env, r, schema.clone(), line_offset);
                cx.current_line = pos.line + line_offset;
                cx.manual("fn.mstvf", format!("multi-statement table-valued function not converted: {why} (the target has no table-valued functions)"));
                findings = cx.findings;
            }
        },
        RoutineKind::Procedure | RoutineKind::ScalarFunction | RoutineKind::InlineTableFunction => {
            let mut cx = new_cx(env, r, schema.clone(), line_offset);
            cx.current_line = r.pos.line + line_offset;
            if r.kind == RoutineKind::InlineTableFunction {
                cx.kind = RoutineKind::Procedure;
                cx.note("fn.inline_tvf", "table-valued function → procedure returning its rows for callers that CALL it; its uses in FROM/APPLY of converted routines get its query (rule from.inline_tvf); other callers must change");
            }
            let is_fn = r.kind == RoutineKind::ScalarFunction;
            let ps = params(&mut cx, r, !is_fn);
            for o in &r.options {
                match o.as_str() {
                    "RECOMPILE" | "ENCRYPTION" | "NATIVE_COMPILATION" | "SCHEMABINDING" => cx.note(
                        "opt.ignored",
                        format!("WITH {o} dropped (no effect on results)"),
                    ),
                    "RETURNS NULL ON NULL INPUT" | "CALLED ON NULL INPUT" => {
                        if o.starts_with("RETURNS") {
                            cx.manual("opt.unsupported", "RETURNS NULL ON NULL INPUT");
                        }
                    }
                    o if o.starts_with("EXECUTE AS") => {
                        if o.ends_with("CALLER") {
                        } else {
                            cx.note(
                                "opt.execute_as",
                                format!("WITH {o} → SQL SECURITY DEFINER (the definer's rights)"),
                            );
                        }
                    }
                    o => {
                        cx.manual("opt.unsupported", format!("WITH {o}"));
                    }
                }
            }
            prescan(&mut cx, r, source);
            let rv = !is_fn && returns_value(&r.body);
            let stmts = crate::rules::block(&mut cx, &r.body, true);
            let body = assemble_body(&mut cx, stmts, rv);
            let body = refresh_decimal_outs(body, &ps);
            let mut ps = ps;
            if rv {
                ps.push("OUT sluice_return INT".into());
            }
            let security = if r
                .options
                .iter()
                .any(|o| o.starts_with("EXECUTE AS") && !o.ends_with("CALLER"))
            {
                "SQL SECURITY DEFINER\n"
            } else if r.options.iter().any(|o| o.ends_with("CALLER")) {
                "SQL SECURITY INVOKER\n"
            } else {
                ""
            };
            let name = env.qualified(schema.as_deref(), r.name.last());
            let create = if is_fn {
                let ret = r
                    .returns
                    .as_ref()
                    .and_then(|t| map_type(t, &env.schema))
                    .map(|m| m.sql);
                let ret = match ret {
                    Some(t) => t,
                    None => {
                        cx.manual("type.unknown", "function return type");
                        "TEXT".into()
                    }
                };
                format!(
                    "CREATE FUNCTION {name}({}) RETURNS {ret}\nNOT DETERMINISTIC READS SQL DATA\n{security}{body}",
                    ps.join(", ")
                )
            } else {
                format!(
                    "CREATE PROCEDURE {name}({})\n{security}{body}",
                    ps.join(", ")
                )
            };
            let mut pre = cx.pre_deploy.clone();
            if cx.uses_print {
                pre.push(print_log_ddl(env));
            }
            objects.push(TargetObject {
                kind: if is_fn { "FUNCTION" } else { "PROCEDURE" },
                name,
                pre_deploy: pre,
                create,
            });
            findings = cx.findings;
        }
    }
    findings.sort_by_key(|f| (f.line, f.severity));
    Converted {
        source_name,
        kind: r.kind.clone(),
        status: status_of(&findings),
        findings,
        objects,
    }
}

/// Is `q` exactly `SELECT COUNT(*) FROM inserted|deleted` with nothing else?
/// Gives the pseudo table.
fn pseudo_only(q: &Query) -> Option<String> {
    let SetExpr::Select(s) = &q.body else {
        return None;
    };
    if !q.ctes.is_empty()
        || s.where_.is_some()
        || !s.group_by.is_empty()
        || s.having.is_some()
        || s.top.is_some()
    {
        return None;
    }
    let [TableRef::Table { name, .. }] = &s.from[..] else {
        return None;
    };
    let p = name.last().to_lowercase();
    if name.0.len() != 1 || (p != "inserted" && p != "deleted") {
        return None;
    }
    let [SelectItem::Expr(Expr::Func(f), _)] = &s.items[..] else {
        return None;
    };
    let n = f.name.last().map(|n| n.to_uppercase()).unwrap_or_default();
    if !(n == "COUNT" || n == "COUNT_BIG")
        || f.over.is_some()
        || !matches!(f.args[..], [Expr::Star(None)])
    {
        return None;
    }
    Some(p)
}

fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(x) => unparen(x),
        other => other,
    }
}

/// "Any rows in inserted/deleted?" tests: `(SELECT COUNT(*) FROM deleted) > 0`
/// (also `>= 1`, `<> 0`, `!= 0`); gives the pseudo table and whether the
/// test is negated (`= 0`, `NOT`).
fn any_rows_test(e: &Expr) -> Option<(String, bool)> {
    // (EXISTS over a pseudo table is the row's own condition: see the query rules.)
    match unparen(e) {
        Expr::Unary(op, x) if op == "NOT" => any_rows_test(x).map(|(p, n)| (p, !n)),
        Expr::Binary(l, op, r) => {
            let Expr::Subquery(q) = unparen(l) else {
                return None;
            };
            let p = pseudo_only(q)?;
            let Expr::Number(n) = unparen(r) else {
                return None;
            };
            match (op.as_str(), n.as_str()) {
                (">", "0") | (">=", "1") | ("<>", "0") | ("!=", "0") => Some((p, false)),
                ("=", "0") | ("<", "1") | ("<=", "0") => Some((p, true)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The trigger body for one event of a FOR EACH ROW trigger: "any rows in
/// inserted/deleted?" tests become constants (a row trigger fires once per
/// row, never for a statement touching no rows), and `RAISERROR ...;
/// ROLLBACK` (the veto idiom) becomes the SIGNAL alone, which undoes the
/// triggering statement.
fn row_trigger_body(cx: &mut Cx<'_>, body: &[Stmt], ev: &str) -> Vec<Stmt> {
    fn cond(cx: &mut Cx<'_>, e: &Expr, ev: &str, line: u32) -> Expr {
        if let Some((p, neg)) = any_rows_test(e) {
            let exists = matches!(
                (p.as_str(), ev),
                ("inserted", "INSERT" | "UPDATE") | ("deleted", "DELETE" | "UPDATE")
            );
            let saved = cx.current_line;
            cx.current_line = line;
            cx.note(
                "trg.any_rows",
                format!("a test for rows in {p} → {} in a row trigger on {ev} (it fires only for affected rows)", if exists != neg { "TRUE" } else { "FALSE" }),
            );
            cx.current_line = saved;
            let v = if exists != neg { "1" } else { "0" };
            return Expr::Binary(
                Box::new(Expr::Number("1".into())),
                "=".into(),
                Box::new(Expr::Number(v.into())),
            );
        }
        e.clone()
    }
    fn list(cx: &mut Cx<'_>, stmts: &[Stmt], ev: &str) -> Vec<Stmt> {
        let mut out: Vec<Stmt> = Vec::new();
        for s in stmts {
            // Only an error (severity 11-18) vetoes; a message (<= 10) does not.
            let vetoes = |p: &Stmt| match &p.kind {
                StmtKind::Raiserror(args, _) => matches!(
                    args.get(1),
                    Some(Expr::Number(n)) if n.parse::<u32>().is_ok_and(|n| (11..=18).contains(&n))
                ),
                _ => false,
            };
            if matches!(s.kind, StmtKind::Rollback(None)) && out.last().is_some_and(vetoes) {
                let saved = cx.current_line;
                cx.current_line = s.pos.line + cx.line_offset;
                cx.note(
                    "trg.veto",
                    "RAISERROR + ROLLBACK in a trigger → SIGNAL: the triggering statement is undone; a transaction the caller opened stays open (SQL Server rolls it back and ends the batch)",
                );
                cx.current_line = saved;
                continue;
            }
            out.push(one(cx, s, ev));
        }
        out
    }
    fn one(cx: &mut Cx<'_>, s: &Stmt, ev: &str) -> Stmt {
        let line = s.pos.line + cx.line_offset;
        let kind = match &s.kind {
            StmtKind::If(c, t, e) => StmtKind::If(
                cond(cx, c, ev, line),
                Box::new(one(cx, t, ev)),
                e.as_ref().map(|e| Box::new(one(cx, e, ev))),
            ),
            StmtKind::While(c, b) => StmtKind::While(c.clone(), Box::new(one(cx, b, ev))),
            StmtKind::Block(b) => StmtKind::Block(list(cx, b, ev)),
            StmtKind::TryCatch(t, c) => StmtKind::TryCatch(list(cx, t, ev), list(cx, c, ev)),
            other => other.clone(),
        };
        Stmt { pos: s.pos, kind }
    }
    list(cx, body, ev)
}

/// Adds the procedure copies the `INSERT ... EXEC` sites of `r` call (see
/// [`crate::rules::capture`]) to its conversion; a copy that does not
/// convert flags `r` at the site.
pub fn add_captures(env: &Env, r: &Routine, c: &mut Converted) {
    let mut sites: Vec<(&String, &crate::rules::capture::Capture)> = env
        .captures
        .iter()
        .filter(|(k, _)| {
            k.split('|')
                .next()
                .is_some_and(|caller| caller.eq_ignore_ascii_case(r.name.last()))
        })
        .collect();
    sites.sort_by(|a, b| a.0.cmp(b.0));
    for (_, cap) in sites {
        // Only when the caller's conversion used it (it called the copy).
        if !c.objects.iter().any(|o| {
            o.create
                .contains(&format!("`{}`(", cap.routine.name.last()))
        }) {
            continue;
        }
        // The copy reads the caller's temp table: name it in the "source"
        // so the copy borrows it.
        let targets: String = format!("{:?}", cap.routine.body);
        let copy = convert_routine(env, &cap.routine, &targets, 0);
        let line = c
            .findings
            .iter()
            .find(|f| f.rule == "ins.exec_capture")
            .map(|f| f.line)
            .unwrap_or(r.pos.line);
        if let Some(f) = copy
            .findings
            .iter()
            .find(|f| f.severity == Severity::Manual)
        {
            c.findings.push(Finding {
                rule: "ins.exec",
                severity: Severity::Manual,
                line,
                message: format!(
                    "INSERT ... EXEC: the copy of {} that inserts its rows does not convert: [{}] {}",
                    cap.routine.name.0.join("."),
                    f.rule,
                    f.message
                ),
            });
            c.status = Status::Manual;
            continue;
        }
        c.objects.extend(copy.objects);
    }
}

/// Statement-level semantics a row trigger cannot reproduce.
fn check_trigger_sets(cx: &mut Cx<'_>, body: &[Stmt]) {
    let text = format!("{body:?}").to_lowercase();
    let pseudo = text.contains("\"inserted\"") || text.contains("\"deleted\"");
    let aggregates = [
        "name: [\"count\"]",
        "name: [\"sum\"]",
        "name: [\"count_big\"]",
        "name: [\"max\"]",
        "name: [\"min\"]",
        "name: [\"avg\"]",
    ]
    .iter()
    .any(|a| text.contains(a));
    if pseudo && aggregates {
        cx.manual(
            "trg.aggregate",
            "an aggregate in a trigger reading inserted/deleted: per row it sees one row, per statement all of them",
        );
    }
    let mut joins_pseudo = None;
    walk(body, &mut |s| {
        if let StmtKind::Update { from, .. } = &s.kind {
            let f = format!("{from:?}").to_lowercase();
            if f.contains("[\"inserted\"]") || f.contains("[\"deleted\"]") {
                joins_pseudo.get_or_insert(s.pos.line);
            }
        }
    });
    if let Some(line) = joins_pseudo {
        let saved = cx.current_line;
        cx.current_line = line + cx.line_offset;
        cx.note(
            "trg.row_level",
            "UPDATE ... FROM joined with inserted/deleted: when one statement's rows match the same target row several times, the row trigger applies each (SQL Server applies one of them; Microsoft documents the result as undefined)",
        );
        cx.current_line = saved;
    }
    if let Some(t) = cx.trigger_table.clone() {
        let mut self_update = false;
        walk(body, &mut |s| {
            if let StmtKind::Update { target, from, .. } = &s.kind {
                let direct = target.last().eq_ignore_ascii_case(&t.name);
                let via_alias = from
                    .iter()
                    .any(|f| aliases_table(f, target.last(), &t.name));
                if direct || via_alias {
                    self_update = true;
                }
            }
        });
        if self_update {
            cx.manual(
                "trg.self_update",
                format!("the trigger updates its own table {} (the target forbids it; use a BEFORE trigger setting NEW columns)", t.name),
            );
        }
    }
}

fn aliases_table(f: &TableRef, alias: &str, table: &str) -> bool {
    match f {
        TableRef::Table {
            name,
            alias: Some(a),
            ..
        } => a.eq_ignore_ascii_case(alias) && name.last().eq_ignore_ascii_case(table),
        TableRef::Join { left, right, .. } => {
            aliases_table(left, alias, table) || aliases_table(right, alias, table)
        }
        _ => false,
    }
}

fn new_cx<'e>(env: &'e Env, r: &Routine, schema: Option<String>, line_offset: u32) -> Cx<'e> {
    let mut cx = Cx::new(env, r.kind.clone(), r.name.last().to_string());
    cx.routine_schema = schema;
    cx.line_offset = line_offset;
    cx
}
