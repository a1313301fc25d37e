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
                check_trigger_sets(&mut cx, &r.body);
                prescan(&mut cx, r, source);
                let stmts = crate::rules::block(&mut cx, &r.body, true);
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
        RoutineKind::TableFunction => {
            let mut cx = new_cx(env, r, schema.clone(), line_offset);
            cx.current_line = r.pos.line + line_offset;
            cx.manual("fn.mstvf", "multi-statement table-valued function (callers use it in FROM; needs a procedure + work table and caller changes)");
            findings = cx.findings;
        }
        RoutineKind::Procedure | RoutineKind::ScalarFunction | RoutineKind::InlineTableFunction => {
            let mut cx = new_cx(env, r, schema.clone(), line_offset);
            cx.current_line = r.pos.line + line_offset;
            if r.kind == RoutineKind::InlineTableFunction {
                cx.kind = RoutineKind::Procedure;
                cx.note("fn.inline_tvf", "inline table-valued function → procedure returning its rows: callers must CALL it instead of selecting FROM it");
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
