//! `INSERT INTO t EXEC p ...` where `p` returns rows: the target cannot
//! capture a procedure's result sets, so a copy of `p` is made whose every
//! result-set SELECT inserts into `t` instead (SQL Server inserts the rows
//! of all of them), and the caller CALLs that copy. `t` is a permanent table
//! or a `#temp` table the caller creates: callees see a caller's temp
//! tables in SQL Server, and the converted work table is keyed by connection.

use crate::ast::*;
use std::collections::HashMap;

/// A procedure copy for one `INSERT ... EXEC` site.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The copy (its name is the callee's with a `_rows_N` suffix).
    pub routine: Routine,
    /// Lower-case `schema.name` of the copy (in `Env::procs`).
    pub key: String,
}

fn key_of(name: &Name) -> String {
    let p = &name.0;
    match p.len() {
        1 => format!("dbo.{}", p[0]),
        n => format!(
            "{}.{}",
            if p[n - 2].is_empty() {
                "dbo"
            } else {
                &p[n - 2]
            },
            p[n - 1]
        ),
    }
    .to_lowercase()
}

/// The site key: caller, target, callee (lower-case).
pub fn site_key(caller: &str, target: &Name, callee: &Name) -> String {
    format!(
        "{}|{}|{}",
        caller.to_lowercase(),
        target.0.join(".").to_lowercase(),
        key_of(callee)
    )
}

/// Replaces every result-set SELECT of `body` by an INSERT into `target`;
/// `None` when some other statement could send rows (EXEC, dynamic SQL,
/// FETCH without INTO, OUTPUT without INTO, an unparsed statement).
fn redirect(body: &[Stmt], target: &Name, columns: &[String]) -> Option<Vec<Stmt>> {
    let mut out = Vec::new();
    for s in body {
        let kind = match &s.kind {
            StmtKind::Select(q) => {
                let plain = match &q.body {
                    SetExpr::Select(sel) => {
                        sel.into.is_none()
                            && !sel
                                .items
                                .iter()
                                .any(|i| matches!(i, SelectItem::Assign(..)))
                    }
                    _ => true,
                };
                if plain {
                    StmtKind::Insert {
                        target: target.clone(),
                        columns: columns.to_vec(),
                        source: InsertSource::Query(q.clone()),
                        output: None,
                    }
                } else {
                    s.kind.clone()
                }
            }
            StmtKind::If(c, t, e) => StmtKind::If(
                c.clone(),
                Box::new(redirect(std::slice::from_ref(t), target, columns)?.remove(0)),
                match e {
                    Some(e) => Some(Box::new(
                        redirect(std::slice::from_ref(e), target, columns)?.remove(0),
                    )),
                    None => None,
                },
            ),
            StmtKind::While(c, b) => StmtKind::While(
                c.clone(),
                Box::new(redirect(std::slice::from_ref(b), target, columns)?.remove(0)),
            ),
            StmtKind::Block(b) => StmtKind::Block(redirect(b, target, columns)?),
            StmtKind::TryCatch(t, c) => {
                StmtKind::TryCatch(redirect(t, target, columns)?, redirect(c, target, columns)?)
            }
            StmtKind::Exec { .. }
            | StmtKind::ExecDynamic(_)
            | StmtKind::Unparsed(_)
            | StmtKind::Unsupported(_) => return None,
            StmtKind::Fetch(_, _, vars) if vars.is_empty() => return None,
            StmtKind::Insert {
                output: Some(o), ..
            }
            | StmtKind::Update {
                output: Some(o), ..
            }
            | StmtKind::Delete {
                output: Some(o), ..
            } if o.into.is_none() => return None,
            other => other.clone(),
        };
        out.push(Stmt { pos: s.pos, kind });
    }
    Some(out)
}

fn sites(stmts: &[Stmt], out: &mut Vec<(Name, Vec<String>, Name)>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Insert {
                target,
                columns,
                source: InsertSource::Exec(call),
                output: None,
            } => {
                if let StmtKind::Exec { proc_name, .. } = &call.kind {
                    out.push((target.clone(), columns.clone(), proc_name.clone()));
                }
            }
            StmtKind::If(_, t, e) => {
                sites(std::slice::from_ref(t), out);
                if let Some(e) = e {
                    sites(std::slice::from_ref(e), out);
                }
            }
            StmtKind::While(_, b) => sites(std::slice::from_ref(b), out),
            StmtKind::Block(b) => sites(b, out),
            StmtKind::TryCatch(t, c) => {
                sites(t, out);
                sites(c, out);
            }
            _ => {}
        }
    }
}

/// The procedure copies every `INSERT ... EXEC` site of `routines` needs,
/// by site key. A site gets none when its callee is not a procedure of
/// this conversion, sends no rows (plain CALL), could send rows some other
/// way, or the target is a table variable or a temp table the caller does
/// not create (the caller's flag then names the reason).
pub fn plan(
    routines: &[&Routine],
    shared_temps: &HashMap<String, super::SharedTemp>,
) -> HashMap<String, Capture> {
    let by_key: HashMap<String, &Routine> = routines
        .iter()
        .filter(|r| r.kind == RoutineKind::Procedure)
        .map(|r| (key_of(&r.name), *r))
        .collect();
    let mut out = HashMap::new();
    let mut counts: HashMap<String, u32> = HashMap::new();
    for caller in routines {
        let mut found = Vec::new();
        sites(&caller.body, &mut found);
        for (target, columns, callee) in found {
            let Some(p) = by_key.get(&key_of(&callee)) else {
                continue;
            };
            if !crate::routine::may_return_rows(&p.body) {
                continue;
            }
            let t = target.last();
            let ok_target = if target.0.len() == 1 && t.starts_with('#') {
                shared_temps
                    .get(&t.to_lowercase())
                    .is_some_and(|s| s.creator.eq_ignore_ascii_case(caller.name.last()))
            } else {
                !t.starts_with('@')
            };
            if !ok_target {
                continue;
            }
            let Some(body) = redirect(&p.body, &target, &columns) else {
                continue;
            };
            let n = counts.entry(key_of(&callee)).or_insert(0);
            *n += 1;
            let mut name = p.name.clone();
            let last = format!("{}_rows_{n}", p.name.last());
            *name.0.last_mut().unwrap() = last;
            let mut routine = (*p).clone();
            routine.name = name;
            routine.body = body;
            out.insert(
                site_key(caller.name.last(), &target, &callee),
                Capture {
                    key: key_of(&routine.name),
                    routine,
                },
            );
        }
    }
    out
}
