//! What the target accepts, decided by probing it rather than by its version
//! string. A live connection runs [`PROBES`] once (each in a scratch
//! database) and builds [`Capabilities`] with [`Capabilities::from_probe`];
//! offline runs use [`Capabilities::seekdb`], which is what those probes
//! return on seekdb (OceanBase 4.3.5 kernel) — the live test checks that.

use serde::{Deserialize, Serialize};

/// Target capabilities that change the generated DDL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// `SELECT VERSION()` of the probed target, or a note that nothing was probed.
    pub version: String,
    /// Whether the values come from a live probe.
    pub probed: bool,
    /// `CREATE TEMPORARY TABLE` works.
    pub temporary_tables: bool,
    /// `CREATE SEQUENCE` works.
    pub sequences: bool,
    /// `DEFAULT (expr)` (e.g. `(UUID())`) works.
    pub expression_defaults: bool,
    /// CHECK constraints are enforced.
    pub check_constraints: bool,
    /// `GENERATED ALWAYS AS (...) STORED` works.
    pub generated_columns: bool,
    /// Defaults on LONGTEXT/LONGBLOB columns work.
    pub lob_defaults: bool,
    /// Collations offered (`SHOW COLLATION`), utf8mb4 ones at least.
    pub collations: Vec<String>,
}

/// One probe: statements run in an empty scratch database; the capability
/// holds when the last statement succeeds (and, for `check`, when it fails:
/// see [`Probe::expect_error`]).
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    /// Capability field name.
    pub capability: &'static str,
    /// Statements to run in order.
    pub statements: &'static [&'static str],
    /// The capability holds when the last statement fails (a violated CHECK must fail).
    pub expect_error: bool,
}

/// The probes, in order.
pub const PROBES: &[Probe] = &[
    Probe {
        capability: "temporary_tables",
        statements: &["CREATE TEMPORARY TABLE sluice_probe_tmp (a INT)"],
        expect_error: false,
    },
    Probe {
        capability: "sequences",
        statements: &["CREATE SEQUENCE sluice_probe_seq START WITH 1 INCREMENT BY 1"],
        expect_error: false,
    },
    Probe {
        capability: "expression_defaults",
        statements: &["CREATE TABLE sluice_probe_def (a CHAR(36) DEFAULT (UUID()))"],
        expect_error: false,
    },
    Probe {
        capability: "check_constraints",
        statements: &[
            "CREATE TABLE sluice_probe_chk (a INT, CONSTRAINT sluice_probe_ck CHECK (a > 0))",
            "INSERT INTO sluice_probe_chk VALUES (-1)",
        ],
        expect_error: true,
    },
    Probe {
        capability: "generated_columns",
        statements: &[
            "CREATE TABLE sluice_probe_gen (a INT, b INT GENERATED ALWAYS AS (a + 1) STORED)",
        ],
        expect_error: false,
    },
    Probe {
        capability: "lob_defaults",
        statements: &["CREATE TABLE sluice_probe_lob (a LONGTEXT DEFAULT ('x'))"],
        expect_error: false,
    },
];

/// The query whose first column lists collations.
pub const COLLATION_QUERY: &str = "SHOW COLLATION";

impl Capabilities {
    /// What seekdb (OceanBase 4.3.5 kernel) returns for [`PROBES`]; used when
    /// no target is connected.
    pub fn seekdb() -> Self {
        Capabilities {
            version: "not probed: assumed seekdb / OceanBase 4.3.5 MySQL mode".into(),
            probed: false,
            temporary_tables: false,
            sequences: false,
            expression_defaults: true,
            check_constraints: true,
            generated_columns: true,
            lob_defaults: false,
            collations: vec![
                "utf8mb4_general_ci".into(),
                "utf8mb4_bin".into(),
                "binary".into(),
            ],
        }
    }

    /// Builds capabilities from probe outcomes: `succeeded(capability)` says
    /// whether the probe's last statement succeeded.
    pub fn from_probe(
        version: String,
        collations: Vec<String>,
        succeeded: impl Fn(&str) -> bool,
    ) -> Self {
        let holds = |name: &str| {
            let p = PROBES.iter().find(|p| p.capability == name);
            let ok = succeeded(name);
            match p {
                Some(p) if p.expect_error => !ok,
                _ => ok,
            }
        };
        Capabilities {
            version,
            probed: true,
            temporary_tables: holds("temporary_tables"),
            sequences: holds("sequences"),
            expression_defaults: holds("expression_defaults"),
            check_constraints: holds("check_constraints"),
            generated_columns: holds("generated_columns"),
            lob_defaults: holds("lob_defaults"),
            collations,
        }
    }

    /// Whether a collation is offered.
    pub fn has_collation(&self, c: &str) -> bool {
        self.collations.iter().any(|x| x.eq_ignore_ascii_case(c))
    }
}

/// A connection the probes can run on. Implemented by the caller over its
/// driver, so this crate imports none.
pub trait ProbeTarget {
    /// Runs a statement; `Err` carries the server's message.
    fn execute(&mut self, sql: &str) -> impl std::future::Future<Output = Result<(), String>>;
    /// Runs a query and returns the first column of every row as text.
    fn first_column(
        &mut self,
        sql: &str,
    ) -> impl std::future::Future<Output = Result<Vec<String>, String>>;
}

/// Probes a live target: creates a scratch database, runs [`PROBES`] in it,
/// reads `VERSION()` and the collations, and drops the scratch database.
pub async fn probe(target: &mut impl ProbeTarget) -> Result<Capabilities, String> {
    let version = target
        .first_column("SELECT VERSION()")
        .await?
        .into_iter()
        .next()
        .unwrap_or_default();
    let collations = target.first_column(COLLATION_QUERY).await?;
    let scratch = format!("sluice_probe_{}", std::process::id());
    target
        .execute(&format!("DROP DATABASE IF EXISTS `{scratch}`"))
        .await?;
    target
        .execute(&format!("CREATE DATABASE `{scratch}`"))
        .await?;
    // The probe connection is the caller's to discard: switching its
    // database keeps the probe statements plain.
    target.execute(&format!("USE `{scratch}`")).await?;
    let mut outcomes = std::collections::HashMap::new();
    let mut result = Ok(());
    for p in PROBES {
        let mut ok = true;
        for s in p.statements {
            if target.execute(s).await.is_err() {
                ok = false;
                break;
            }
        }
        outcomes.insert(p.capability, ok);
    }
    if let Err(e) = target.execute(&format!("DROP DATABASE `{scratch}`")).await {
        result = Err(format!(
            "probe: could not drop scratch database {scratch}: {e}"
        ));
    }
    result?;
    Ok(Capabilities::from_probe(version, collations, |n| {
        outcomes.get(n).copied().unwrap_or(false)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_outcomes_map_to_fields() {
        // A CHECK probe "succeeding" means the violating insert went in: not enforced.
        let c = Capabilities::from_probe("v".into(), vec![], |name| {
            matches!(name, "check_constraints" | "sequences")
        });
        assert!(!c.check_constraints && c.sequences && !c.temporary_tables && c.probed);
        let c = Capabilities::from_probe("v".into(), vec![], |_| false);
        assert!(c.check_constraints && !c.generated_columns);
    }

    #[test]
    fn every_field_has_a_probe() {
        for f in [
            "temporary_tables",
            "sequences",
            "expression_defaults",
            "check_constraints",
            "generated_columns",
            "lob_defaults",
        ] {
            assert!(PROBES.iter().any(|p| p.capability == f), "{f}");
        }
    }
}
