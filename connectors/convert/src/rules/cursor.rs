//! Cursors: forward-only, read-only cursors → MySQL cursors with a NOT FOUND
//! handler that sets `v_fetch_status` (the `@@FETCH_STATUS` of the routine).

use super::{quote, Cx};
use crate::ast::*;

/// DECLARE c CURSOR [options] FOR query.
pub(crate) fn declare(
    cx: &mut Cx<'_>,
    name: &str,
    options: &[String],
    q: &Query,
    for_update: bool,
) -> Vec<String> {
    for o in options {
        match o.as_str() {
            "LOCAL" | "FORWARD_ONLY" | "FAST_FORWARD" | "READ_ONLY" => {}
            "STATIC" | "INSENSITIVE" => cx.note(
                "cursor.static",
                "STATIC cursor: the target's cursor is not guaranteed to be a snapshot (do not change its rows while it is open)",
            ),
            "GLOBAL" => cx.note("cursor.global", "GLOBAL cursor becomes local to the routine"),
            // Scrolling fetches are checked one by one (only LAST converts).
            "SCROLL" => {}
            other => {
                return vec![cx.manual("cursor.scroll", format!("{other} cursor (only forward-only cursors convert)"))];
            }
        }
    }
    if for_update {
        cx.note(
            "cursor.for_update",
            "FOR UPDATE cursor option dropped (positioned updates are flagged where used)",
        );
    }
    if cx.cursors.iter().any(|(c, _)| c.eq_ignore_ascii_case(name)) {
        return vec![cx.manual("cursor.redeclared", format!("cursor {name} declared twice"))];
    }
    let text = super::query::query(cx, q);
    cx.uses_fetch = true;
    cx.note(
        "cursor.basic",
        "cursor → DECLARE CURSOR + NOT FOUND handler setting @@FETCH_STATUS",
    );
    cx.cursors.push((
        name.to_string(),
        format!("DECLARE {} CURSOR FOR {text};", cursor_name(name)),
    ));
    Vec::new()
}

fn cursor_name(c: &str) -> String {
    quote(&format!("c_{c}"))
}

fn known(cx: &mut Cx<'_>, c: &str) -> Option<String> {
    if cx.cursors.iter().any(|(n, _)| n.eq_ignore_ascii_case(c)) {
        Some(cursor_name(
            &cx.cursors
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(c))
                .unwrap()
                .0
                .clone(),
        ))
    } else {
        cx.manual(
            "cursor.unknown",
            format!("cursor {c} is not declared in this routine"),
        );
        None
    }
}

/// OPEN c.
pub(crate) fn open(cx: &mut Cx<'_>, c: &str) -> Vec<String> {
    match known(cx, c) {
        Some(n) => vec![format!("OPEN {n};")],
        None => Vec::new(),
    }
}

/// CLOSE c.
pub(crate) fn close(cx: &mut Cx<'_>, c: &str) -> Vec<String> {
    match known(cx, c) {
        Some(n) => vec![format!("CLOSE {n};")],
        None => Vec::new(),
    }
}

/// FETCH NEXT FROM c INTO @a, @b.
pub(crate) fn fetch(cx: &mut Cx<'_>, c: &str, dir: &str, vars: &[String]) -> Vec<String> {
    if dir == "LAST" && !vars.is_empty() {
        return fetch_last(cx, c, vars);
    }
    if dir != "NEXT" {
        return vec![cx.manual(
            "cursor.scroll",
            format!("FETCH {dir} (only FETCH NEXT converts)"),
        )];
    }
    if vars.is_empty() {
        return vec![cx.manual(
            "cursor.fetch_result",
            "FETCH without INTO returns a row to the client",
        )];
    }
    let Some(n) = known(cx, c) else {
        return Vec::new();
    };
    let targets: Vec<String> = vars.iter().map(|v| cx.var(v)).collect();
    vec![
        "SET v_fetch_status = 0;".into(),
        format!("FETCH {n} INTO {};", targets.join(", ")),
    ]
}

/// `FETCH LAST FROM c INTO @a, @b`: the target's cursors only move forward,
/// so the cursor is reopened and read to its end, keeping the last row.
/// Afterwards it is past its last row, where FETCH NEXT finds nothing, as
/// in SQL Server; no rows leave the variables unchanged with status -1.
fn fetch_last(cx: &mut Cx<'_>, c: &str, vars: &[String]) -> Vec<String> {
    let Some(n) = known(cx, c) else {
        return Vec::new();
    };
    let k = cx.fresh("");
    let mut temps = Vec::new();
    let mut copies = Vec::new();
    for (i, v) in vars.iter().enumerate() {
        let target = cx.var(v);
        let ty = cx
            .var_type(v)
            .and_then(|t| crate::types::map_type(&t, &cx.env.schema))
            .map(|m| m.sql);
        let Some(ty) = ty else {
            return vec![cx.manual(
                "cursor.scroll",
                format!("FETCH LAST into @{v} of unknown type"),
            )];
        };
        let t = format!("v_last{k}_{i}");
        cx.internal_var(&t, &ty, "NULL");
        copies.push(format!("{target} = {t}"));
        temps.push(t);
    }
    cx.internal_var("v_last_found", "INT", "0");
    cx.note(
        "cursor.fetch_last",
        "FETCH LAST → reopen the cursor and read it to the end, keeping the last row",
    );
    vec![
        format!("CLOSE {n};"),
        format!("OPEN {n};"),
        "SET v_last_found = 0;".into(),
        format!("last_{k}: LOOP"),
        "  SET v_fetch_status = 0;".into(),
        format!("  FETCH {n} INTO {};", temps.join(", ")),
        format!("  IF v_fetch_status <> 0 THEN LEAVE last_{k}; END IF;"),
        "  SET v_last_found = 1;".into(),
        format!("  SET {};", copies.join(", ")),
        format!("END LOOP last_{k};"),
        "SET v_fetch_status = IF(v_last_found = 1, 0, -1);".into(),
    ]
}
