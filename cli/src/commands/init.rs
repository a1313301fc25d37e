//! `sluice init`: writes a commented example migration file.
//!
//! The example is `init_template.toml` (beside this file), so it reads as
//! the TOML a user gets. Its blocks are marked `#%% all`, `#%% mssql` and
//! `#%% mysql`: [`render`] keeps the shared blocks and the source block of
//! the chosen kind and drops the marker lines. The tests below parse both
//! renderings with [`MigrationConfig::parse`] and compare every key of the
//! schema against the template, so the example cannot drift from the schema.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::CmdResult;

const TEMPLATE: &str = include_str!("init_template.toml");

/// The source kind the example is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceKind {
    /// SQL Server, read through CDC.
    Mssql,
    /// A MySQL-protocol server (MySQL, MariaDB, OceanBase), read through its binlog.
    Mysql,
}

impl SourceKind {
    fn marker(self) -> &'static str {
        match self {
            SourceKind::Mssql => "mssql",
            SourceKind::Mysql => "mysql",
        }
    }
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The source's kind.
    #[arg(long, value_enum, default_value = "mssql")]
    pub kind: SourceKind,
    /// Where to write the file (`-` for standard output).
    #[arg(long, short, default_value = "sluice.toml")]
    pub output: PathBuf,
    /// Overwrite the file when it exists.
    #[arg(long)]
    pub force: bool,
}

/// The example file for a source kind.
pub fn render(kind: SourceKind) -> String {
    let mut out = String::with_capacity(TEMPLATE.len());
    let mut keep = true;
    for line in TEMPLATE.lines() {
        if let Some(block) = line.strip_prefix("#%%") {
            let block = block.trim();
            keep = block == "all" || block == kind.marker();
            continue;
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

pub fn run(a: InitArgs) -> CmdResult {
    let text = render(a.kind);
    if a.output.as_os_str() == "-" {
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if a.force {
        open.create(true).truncate(true);
    } else {
        // create_new: no window between "does it exist" and the write.
        open.create_new(true);
    }
    let mut file = open.open(&a.output).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists; not overwriting it (pass --force to replace it, or --output another file)",
                a.output.display()
            )
        } else {
            format!("cannot write {}: {e}", a.output.display())
        }
    })?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", a.output.display()))?;
    let kind = a.kind.marker();
    println!(
        "wrote {} (source kind {kind}). Next: edit hosts, databases and users, export the password \
         variables it names, then run `sluice check --config {}`.",
        a.output.display(),
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{
        BinlogEndpoint, CutoverSection, Endpoint, EndpointKind, LoadSection, LogSection,
        MetricsSection, MigrationConfig, MigrationSection, SyncSection, TableFilter, TlsSetting,
    };

    #[test]
    fn both_examples_parse_with_the_schema() {
        let c = MigrationConfig::parse(&render(SourceKind::Mssql)).unwrap();
        assert_eq!(c.source_kind(), EndpointKind::Mssql);
        assert_eq!(c.source.port, Some(1433));
        let c = MigrationConfig::parse(&render(SourceKind::Mysql)).unwrap();
        assert_eq!(c.source_kind(), EndpointKind::Mysql);
        assert_eq!(c.source.port, Some(3306));
        for kind in [SourceKind::Mssql, SourceKind::Mysql] {
            let text = render(kind);
            assert!(!text.contains("#%%"), "markers are removed");
            assert_eq!(text.matches("\n[source]\n").count(), 1, "one source block");
        }
    }

    /// The values the example shows as defaults are the schema's defaults.
    #[test]
    fn example_values_are_the_defaults() {
        let c = MigrationConfig::parse(&render(SourceKind::Mssql)).unwrap();
        let (load, sync, cut, log) = (
            LoadSection::default(),
            SyncSection::default(),
            CutoverSection::default(),
            LogSection::default(),
        );
        assert_eq!(c.load.parallel, load.parallel);
        assert_eq!(c.load.chunk_rows, load.chunk_rows);
        assert_eq!(c.load.page_rows, load.page_rows);
        assert_eq!(c.load.max_rows_per_second, load.max_rows_per_second);
        assert_eq!(c.sync.max_rows_per_second, sync.max_rows_per_second);
        assert_eq!(c.sync.lanes, sync.lanes);
        assert_eq!(c.sync.poll_ms, sync.poll_ms);
        assert_eq!(c.sync.server_id, sync.server_id);
        assert_eq!(c.log.retention_hours, log.retention_hours);
        assert_eq!(c.log.max_bytes, log.max_bytes);
        assert_eq!(c.metrics.listen, MetricsSection::default().listen);
        assert_eq!(c.cutover.max_lag_seconds, cut.max_lag_seconds);
        assert_eq!(c.cutover.quiet_seconds, cut.quiet_seconds);
        assert_eq!(c.cutover.verify_max_age_minutes, cut.verify_max_age_minutes);
        assert_eq!(c.cutover.drain_timeout_seconds, cut.drain_timeout_seconds);
        assert_eq!(c.source.tls, TlsSetting::default());
        assert_eq!(c.target.tls, TlsSetting::default());
        assert_eq!(c.migration.state_dir, PathBuf::from("sluice-state"));
        assert!(c.tables.include.is_empty() && c.tables.exclude.is_empty());
        // [target.binlog] with only server_id = the default means "the target itself".
        let b = c.target.binlog.as_ref().unwrap();
        let bare: BinlogEndpoint = toml::from_str("").unwrap();
        assert_eq!(b.server_id, bare.server_id);
        assert!(b.host.is_none() && b.port.is_none() && b.user.is_none());
        // Passwords are referenced, never present.
        for side in [&c.source, &c.target] {
            assert!(side.password_env.is_some());
        }
    }

    /// Every key of every section of the schema is shown in the example,
    /// set or commented out, under its own section header.
    #[test]
    fn every_schema_key_is_in_the_example() {
        let sections: Vec<(&str, &[&str])> = vec![
            ("", fields_of::<MigrationConfig>()),
            ("migration", fields_of::<MigrationSection>()),
            ("source", fields_of::<Endpoint>()),
            ("target", fields_of::<Endpoint>()),
            ("target.binlog", fields_of::<BinlogEndpoint>()),
            ("tables", fields_of::<TableFilter>()),
            ("load", fields_of::<LoadSection>()),
            ("sync", fields_of::<SyncSection>()),
            ("log", fields_of::<LogSection>()),
            ("metrics", fields_of::<MetricsSection>()),
            ("cutover", fields_of::<CutoverSection>()),
        ];
        for kind in [SourceKind::Mssql, SourceKind::Mysql] {
            let shown = keys_by_section(&render(kind));
            for (section, fields) in &sections {
                for f in *fields {
                    // Top-level fields are sections; kind/binlog only where they apply.
                    let found = if section.is_empty() {
                        shown.iter().any(|(s, _)| s == f)
                    } else if *section == "target" && (*f == "kind" || *f == "binlog") {
                        *f == "kind" || shown.iter().any(|(s, _)| s == "target.binlog")
                    } else if *section == "source" && *f == "binlog" {
                        true
                    } else if *section == "tables" && *f == "rename" {
                        shown.iter().any(|(s, _)| s == "tables.rename")
                    } else {
                        shown.iter().any(|(s, k)| s == section && k == f)
                    };
                    assert!(
                        found,
                        "{kind:?}: key {section}.{f} is not in init_template.toml"
                    );
                }
            }
        }
    }

    /// Each commented-out key, uncommented on its own, is a key the schema
    /// knows (it may still be refused for its value, never as unknown).
    #[test]
    fn commented_keys_are_known_to_the_schema() {
        for kind in [SourceKind::Mssql, SourceKind::Mysql] {
            let text = render(kind);
            let lines: Vec<&str> = text.lines().collect();
            let mut tried = 0;
            for (i, l) in lines.iter().enumerate() {
                let Some(rest) = l.strip_prefix("# ") else {
                    continue;
                };
                let Some((k, _)) = rest.split_once(" = ") else {
                    continue;
                };
                if !k
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '"' || c == '.')
                    || k.contains(char::is_whitespace)
                {
                    continue;
                }
                let mut edited = lines.clone();
                edited[i] = rest;
                let mut one = edited.join("\n");
                one.push('\n');
                tried += 1;
                if let Err(e) = MigrationConfig::parse(&one) {
                    assert!(
                        !e.contains("unknown field"),
                        "{kind:?}: uncommenting line {} ({rest}) gives {e}",
                        i + 1
                    );
                }
            }
            assert!(tried >= 10, "only {tried} commented keys found");
        }
    }

    /// `(section, key)` for every `key = value` line, set or commented out.
    fn keys_by_section(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut section = String::new();
        for l in text.lines() {
            let t = l.trim_start_matches('#').trim();
            if let Some(h) = t.strip_prefix('[') {
                if let Some(end) = h.find(']') {
                    section = h[..end].to_string();
                    out.push((section.clone(), String::new()));
                }
                continue;
            }
            if let Some((k, _)) = t.split_once(" = ") {
                if !k.contains(' ') {
                    out.push((section.clone(), k.to_string()));
                }
            }
        }
        out
    }

    /// The field names serde's derive knows for `T` (skipped fields excluded):
    /// a deserializer that records them and stops.
    fn fields_of<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
        use serde::de::{self, Visitor};
        #[derive(Debug)]
        struct Stop(&'static [&'static str]);
        impl std::fmt::Display for Stop {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("introspection")
            }
        }
        impl std::error::Error for Stop {}
        impl de::Error for Stop {
            fn custom<M: std::fmt::Display>(_: M) -> Self {
                Stop(&[])
            }
        }
        struct Fields;
        impl<'de> de::Deserializer<'de> for Fields {
            type Error = Stop;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
                Err(Stop(&[]))
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Stop> {
                Err(Stop(fields))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
                bytes byte_buf option unit unit_struct newtype_struct seq tuple
                tuple_struct map enum identifier ignored_any
            }
        }
        match T::deserialize(Fields) {
            Err(Stop(f)) => {
                assert!(
                    !f.is_empty(),
                    "{} is not a struct",
                    std::any::type_name::<T>()
                );
                f
            }
            Ok(_) => unreachable!(),
        }
    }
}
