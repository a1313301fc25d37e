//! Planning the LSN window of one poll, capture-instance switches and
//! retention checks: pure functions over LSNs read from the server.

use super::lsn::Lsn;

/// An inclusive LSN range `[from, to]` to read from the change tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Lsn,
    pub to: Lsn,
}

/// What one poll should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Read this window; it ends on a commit LSN, so no transaction is split.
    Read(Window),
    /// Nothing committed since `next_from`: the source is caught up to `max_lsn`.
    Idle { up_to: Lsn },
}

/// Plans a window starting at `next_from`.
///
/// `commits` are the commit LSNs at or after `next_from` in ascending order
/// (from `cdc.lsn_time_mapping`), at least `max_tx + 1` of them when that
/// many exist. The window ends at the `max_tx`-th commit, or at `max_lsn`
/// when fewer are pending, which bounds the memory one poll needs: a
/// transaction is always read whole.
pub fn plan_window(next_from: Lsn, max_lsn: Lsn, commits: &[Lsn], max_tx: usize) -> Plan {
    let pending: Vec<Lsn> = commits
        .iter()
        .copied()
        .filter(|l| *l >= next_from && *l <= max_lsn)
        .collect();
    if max_lsn < next_from || pending.is_empty() {
        return Plan::Idle { up_to: max_lsn };
    }
    let max_tx = max_tx.max(1);
    let to = if pending.len() > max_tx {
        pending[max_tx - 1]
    } else {
        max_lsn
    };
    Plan::Read(Window {
        from: next_from,
        to,
    })
}

/// One capture instance of a table (`cdc.change_tables`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureInstance {
    pub name: String,
    /// `cdc.change_tables.start_lsn`: changes at or after it are in this instance.
    pub start_lsn: Lsn,
}

/// Splits a window over a table's capture instances (at most two exist).
///
/// After a schema change a DBA creates a second instance; both capture
/// until the old one is dropped. Microsoft's guidance is to read the old
/// instance up to the new one's `start_lsn` and the new one from there
/// (<https://learn.microsoft.com/sql/relational-databases/track-changes/about-change-data-capture-sql-server>,
/// "Handling changes to source tables"), which is what this does: no LSN is
/// read from both (no duplicate) and none from neither (no gap). Returns
/// `(instance index, sub-window)` in LSN order.
pub fn split_by_instance(instances: &[CaptureInstance], w: Window) -> Vec<(usize, Window)> {
    let mut order: Vec<usize> = (0..instances.len()).collect();
    order.sort_by_key(|&i| instances[i].start_lsn);
    let mut out = Vec::new();
    for (pos, &i) in order.iter().enumerate() {
        let lo = instances[i].start_lsn.max(w.from);
        let hi = match order.get(pos + 1) {
            Some(&next) => instances[next].start_lsn.decrement().min(w.to),
            None => w.to,
        };
        if lo <= hi {
            out.push((i, Window { from: lo, to: hi }));
        }
    }
    out
}

/// The LSN at which a window crosses into a newer capture instance, if it does.
pub fn switch_in(instances: &[CaptureInstance], w: Window) -> Option<(usize, Lsn)> {
    let parts = split_by_instance(instances, w);
    parts.windows(2).next().map(|p| (p[1].0, p[1].1.from))
}

/// Checks that nothing between `next_from` and the instance's minimum LSN
/// was removed by CDC cleanup (`sys.fn_cdc_get_min_lsn`).
///
/// A gap means changes were lost to retention: the only safe recovery is to
/// re-snapshot the table, so the error says so instead of skipping.
pub fn check_retention(
    table: &str,
    instance: &str,
    next_from: Lsn,
    min_lsn: Lsn,
) -> Result<(), String> {
    if min_lsn.is_zero() {
        return Err(format!(
            "{table}: capture instance {instance} does not exist or CDC is disabled \
             (sys.fn_cdc_get_min_lsn returned 0x00…); re-enable CDC and re-snapshot the table"
        ));
    }
    if next_from < min_lsn {
        return Err(format!(
            "{table}: changes from LSN {next_from} up to {} were removed by CDC cleanup \
             (capture instance {instance} now starts at {min_lsn}) before sluice read them. \
             Re-snapshot {table} and restart capture from the current LSN; raise the CDC \
             retention (sys.sp_cdc_change_job @retention) so it outlasts sluice outages",
            min_lsn.decrement()
        ));
    }
    Ok(())
}

/// Checks the table's capture instances reach back to `from`.
///
/// If the oldest instance starts after `from`, the changes in between were
/// never captured (CDC was disabled and re-enabled, or the old instance was
/// dropped while sluice was behind): that is a gap, not a quiet start.
pub fn check_coverage(table: &str, instances: &[CaptureInstance], from: Lsn) -> Result<(), String> {
    let Some(oldest) = instances.iter().min_by_key(|i| i.start_lsn) else {
        return Err(format!("{table}: no capture instance"));
    };
    if oldest.start_lsn > from {
        return Err(format!(
            "{table}: its oldest capture instance {} starts at LSN {}, after sluice's position {from}: \
             changes made before it were never captured. Re-snapshot {table}",
            oldest.name, oldest.start_lsn
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(n: u8) -> Lsn {
        let mut b = [0u8; 10];
        b[9] = n;
        Lsn(b)
    }

    #[test]
    fn windows_end_on_a_commit_and_are_bounded_by_transactions() {
        let commits = [l(10), l(20), l(30), l(40)];
        assert_eq!(
            plan_window(l(5), l(45), &commits, 2),
            Plan::Read(Window {
                from: l(5),
                to: l(20)
            })
        );
        // Exactly max_tx pending: read up to max_lsn.
        assert_eq!(
            plan_window(l(21), l(45), &commits, 2),
            Plan::Read(Window {
                from: l(21),
                to: l(45)
            })
        );
        assert_eq!(
            plan_window(l(41), l(45), &commits, 2),
            Plan::Idle { up_to: l(45) }
        );
        assert_eq!(
            plan_window(l(50), l(45), &commits, 2),
            Plan::Idle { up_to: l(45) }
        );
        assert_eq!(
            plan_window(l(1), l(45), &commits, 0),
            Plan::Read(Window {
                from: l(1),
                to: l(10)
            })
        );
    }

    #[test]
    fn instance_switch_has_no_gap_and_no_overlap() {
        let inst = vec![
            CaptureInstance {
                name: "dbo_t_v2".into(),
                start_lsn: l(50),
            },
            CaptureInstance {
                name: "dbo_t".into(),
                start_lsn: l(10),
            },
        ];
        let parts = split_by_instance(
            &inst,
            Window {
                from: l(40),
                to: l(60),
            },
        );
        assert_eq!(
            parts,
            vec![
                (
                    1,
                    Window {
                        from: l(40),
                        to: l(49)
                    }
                ),
                (
                    0,
                    Window {
                        from: l(50),
                        to: l(60)
                    }
                )
            ]
        );
        assert_eq!(
            switch_in(
                &inst,
                Window {
                    from: l(40),
                    to: l(60)
                }
            ),
            Some((0, l(50)))
        );
        // Entirely before or after the switch: one instance.
        assert_eq!(
            split_by_instance(
                &inst,
                Window {
                    from: l(11),
                    to: l(20)
                }
            ),
            vec![(
                1,
                Window {
                    from: l(11),
                    to: l(20)
                }
            )]
        );
        assert_eq!(
            split_by_instance(
                &inst,
                Window {
                    from: l(55),
                    to: l(60)
                }
            ),
            vec![(
                0,
                Window {
                    from: l(55),
                    to: l(60)
                }
            )]
        );
        assert_eq!(
            switch_in(
                &inst,
                Window {
                    from: l(55),
                    to: l(60)
                }
            ),
            None
        );
        // Every LSN of the window is covered exactly once.
        for x in 40..=60u8 {
            let n = parts
                .iter()
                .filter(|(_, w)| w.from <= l(x) && l(x) <= w.to)
                .count();
            assert_eq!(n, 1, "lsn {x}");
        }
    }

    #[test]
    fn an_instance_younger_than_the_position_is_a_gap() {
        let inst = vec![CaptureInstance {
            name: "dbo_t".into(),
            start_lsn: l(30),
        }];
        assert!(check_coverage("dbo.t", &inst, l(30)).is_ok());
        assert!(check_coverage("dbo.t", &inst, l(31)).is_ok());
        let e = check_coverage("dbo.t", &inst, l(10)).unwrap_err();
        assert!(
            e.contains("dbo_t") && e.contains("Re-snapshot dbo.t"),
            "{e}"
        );
        assert!(check_coverage("dbo.t", &[], l(10)).is_err());
    }

    #[test]
    fn retention_gaps_are_errors_naming_table_range_and_recovery() {
        assert!(check_retention("dbo.t", "dbo_t", l(20), l(20)).is_ok());
        assert!(check_retention("dbo.t", "dbo_t", l(30), l(20)).is_ok());
        let e = check_retention("dbo.t", "dbo_t", l(5), l(20)).unwrap_err();
        assert!(
            e.contains("dbo.t") && e.contains(&l(5).to_string()) && e.contains(&l(19).to_string()),
            "{e}"
        );
        assert!(e.contains("Re-snapshot"), "{e}");
        assert!(check_retention("dbo.t", "dbo_t", l(5), Lsn::ZERO).is_err());
    }
}
