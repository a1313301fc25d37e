//! `--check`: creates every converted object on a live target and records,
//! per object, whether the target accepted it and its error if not.

use crate::output::deploy_statements;
use crate::routine::Status;
use crate::Conversion;
use mysql_async::prelude::Queryable;
use serde::Serialize;

/// The outcome for one target object.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckResult {
    /// Source object name.
    pub source_name: String,
    /// Target object name.
    pub target_name: String,
    /// The target's error, when it rejected a statement.
    pub error: Option<String>,
}

/// Creates every object that is not flagged; flagged objects are skipped.
pub async fn check(url: &str, conv: &Conversion) -> Result<Vec<CheckResult>, mysql_async::Error> {
    let mut conn = mysql_async::Conn::from_url(url).await?;
    let mut out = Vec::new();
    for db in conv
        .objects
        .iter()
        .flat_map(|o| o.converted.objects.iter())
        .filter_map(|t| {
            t.name
                .split("`.`")
                .next()
                .map(|d| d.trim_start_matches('`').to_string())
        })
        .collect::<std::collections::BTreeSet<_>>()
    {
        conn.query_drop(format!("CREATE DATABASE IF NOT EXISTS `{db}`"))
            .await?;
    }
    for o in &conv.objects {
        if o.converted.status == Status::Manual {
            continue;
        }
        for t in &o.converted.objects {
            let mut error = None;
            // Triggers need a current database on OceanBase.
            let db = t
                .name
                .split("`.`")
                .next()
                .unwrap_or("")
                .trim_start_matches('`')
                .to_string();
            if let Err(e) = conn.query_drop(format!("USE `{db}`")).await {
                error = Some(format!("{e}"));
            }
            for s in deploy_statements(t) {
                if error.is_some() {
                    break;
                }
                if let Err(e) = conn.query_drop(&s).await {
                    error = Some(format!("{e}"));
                    break;
                }
            }
            out.push(CheckResult {
                source_name: o.converted.source_name.clone(),
                target_name: t.name.clone(),
                error,
            });
        }
    }
    let _ = conn.disconnect().await;
    Ok(out)
}
