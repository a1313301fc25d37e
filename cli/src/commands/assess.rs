//! `sluice assess`: the compatibility report (terminal summary, `assess.json`,
//! `assess.html`, `findings.csv`) and the converted schema (`deploy.sql`).

use super::CmdResult;
use sluice_tsql::assess::{self, AssessOptions, EffortModel};
use sluice_tsql::dialect::oceanbase::{Capabilities, ConvertOptions, SchemaMapping};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `sluice assess`.
#[derive(clap::Args, Debug)]
pub struct AssessArgs {
    /// Folder of exported T-SQL scripts (`*.sql`, any depth; UTF-8, UTF-16 or GBK/GB18030).
    #[arg(long, required_unless_present = "source", conflicts_with = "source")]
    pub scripts: Option<PathBuf>,
    /// Live SQL Server to read the catalog from, as an ADO.NET connection string
    /// (`server=tcp:host,1433;database=his;user=…;password=…;TrustServerCertificate=true`).
    #[arg(long, env = "SLUICE_SOURCE")]
    pub source: Option<String>,
    /// Folder to write the report into (created if missing).
    #[arg(long, default_value = "sluice-assess")]
    pub out: PathBuf,
    /// Main target database (default: the scripts' `USE` database, else `dbo`).
    #[arg(long)]
    pub database: Option<String>,
    /// Put every schema's tables in the main database as `<schema>_<table>`
    /// instead of one database per schema.
    #[arg(long)]
    pub prefix_tables: bool,
    /// JSON file overriding the effort model (see `summary.effort.model` in assess.json).
    #[arg(long)]
    pub effort: Option<PathBuf>,
    /// OceanBase to probe for its capabilities (mysql://user:pass@host:port);
    /// without it the report assumes what seekdb / OceanBase 4.3.5 accepts.
    #[arg(long)]
    pub target: Option<String>,
}

/// The capability probe over a mysql_async connection.
struct Probe(mysql_async::Conn);

impl sluice_tsql::dialect::oceanbase::capabilities::ProbeTarget for Probe {
    async fn execute(&mut self, sql: &str) -> Result<(), String> {
        use mysql_async::prelude::Queryable;
        self.0.query_drop(sql).await.map_err(|e| e.to_string())
    }
    async fn first_column(&mut self, sql: &str) -> Result<Vec<String>, String> {
        use mysql_async::prelude::Queryable;
        self.0
            .query_map(sql, |row: mysql_async::Row| {
                row.get::<String, _>(0).unwrap_or_default()
            })
            .await
            .map_err(|e| e.to_string())
    }
}

fn probe_target(url: &str) -> Result<Capabilities, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let conn = mysql_async::Conn::from_url(url)
            .await
            .map_err(|e| format!("connecting to --target {url}: {e}"))?;
        let mut p = Probe(conn);
        let caps = sluice_tsql::dialect::oceanbase::capabilities::probe(&mut p)
            .await
            .map_err(|e| format!("probing --target {url}: {e}"))?;
        let _ = p.0.disconnect().await;
        Ok(caps)
    })
}

/// Reads the `sys.*` catalog of the connected database.
fn read_live_catalog(
    cfg: &sluice_mssql::MssqlConfig,
) -> Result<sluice_engine::schema::Catalog, Box<dyn std::error::Error + Send + Sync>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut client = sluice_mssql::connect(cfg).await?;
        Ok(sluice_mssql::catalog::read_catalog(&mut client).await?)
    })
}

pub fn run(args: AssessArgs) -> CmdResult {
    let effort = match &args.effort {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
            serde_json::from_str::<EffortModel>(&text)
                .map_err(|e| format!("{}: {e}", p.display()))?
        }
        None => EffortModel::default(),
    };
    let capabilities = match &args.target {
        Some(url) => Some(probe_target(url)?),
        None => None,
    };
    let opts = AssessOptions {
        capabilities,
        convert: ConvertOptions {
            database: args.database.clone(),
            schema_mapping: if args.prefix_tables {
                SchemaMapping::PrefixTables
            } else {
                SchemaMapping::DatabasePerSchema
            },
            ..Default::default()
        },
        effort,
        source_label: String::new(),
    };
    let report = match (&args.source, &args.scripts) {
        (Some(url), _) => {
            let cfg = sluice_mssql::MssqlConfig::from_ado(url)?;
            let opts = AssessOptions {
                source_label: cfg.redacted(),
                ..opts
            };
            let catalog = read_live_catalog(&cfg)?;
            assess::assess_catalog(&catalog, &opts)
        }
        (None, Some(dir)) => {
            let files = assess::read_scripts(dir)
                .map_err(|e| format!("reading scripts in {}: {e}", dir.display()))?;
            if files.is_empty() {
                return Err(format!("no .sql files under {}", dir.display()).into());
            }
            let opts = AssessOptions {
                source_label: dir.display().to_string(),
                ..opts
            };
            assess::assess_files(&files, &opts)
        }
        (None, None) => return Err("give --scripts DIR or --source ADO-STRING".into()),
    };
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("creating {}: {e}", args.out.display()))?;
    let write = |name: &str, text: &str| -> Result<(), String> {
        let p = args.out.join(name);
        std::fs::write(&p, text).map_err(|e| format!("writing {}: {e}", p.display()))
    };
    let create = |name: &str| -> Result<std::io::BufWriter<std::fs::File>, String> {
        let p = args.out.join(name);
        std::fs::File::create(&p)
            .map(std::io::BufWriter::new)
            .map_err(|e| format!("writing {}: {e}", p.display()))
    };
    // Streamed: reports of 10,000-table schemas run to hundreds of MiB.
    serde_json::to_writer_pretty(create("assess.json")?, &report)?;
    let mut html = create("assess.html")?;
    assess::html::render_to(&report, &mut html)?;
    std::io::Write::flush(&mut html)?;
    write("findings.csv", &report.findings_csv())?;
    write("deploy.sql", &report.deploy_script())?;
    print!("{}", report.terminal_summary());
    println!(
        "\nwrote {0}/assess.html, {0}/assess.json, {0}/findings.csv, {0}/deploy.sql",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_report_files_for_the_hospital_sample() {
        let out = tempfile::tempdir().unwrap();
        let args = AssessArgs {
            scripts: Some(PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../examples/hospital"
            ))),
            source: None,
            out: out.path().to_path_buf(),
            database: Some("hosp".into()),
            prefix_tables: false,
            effort: None,
            target: None,
        };
        run(args).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("assess.json")).unwrap())
                .unwrap();
        assert_eq!(json["format"], "sluice-assess/1");
        assert!(json["summary"]["objects"].as_u64().unwrap() > 50);
        let html = std::fs::read_to_string(out.path().join("assess.html")).unwrap();
        assert!(html.ends_with("</html>"));
        let deploy = std::fs::read_to_string(out.path().join("deploy.sql")).unwrap();
        assert!(deploy.contains("CREATE TABLE `hosp`.`Patient`"));
        assert!(
            std::fs::read_to_string(out.path().join("findings.csv"))
                .unwrap()
                .lines()
                .count()
                > 100
        );
    }

    /// `--target` probes a real seekdb and pins its version in the report.
    #[test]
    fn target_is_probed_and_pinned_in_the_report() {
        let server = sluice_testkit::SeekDb::shared();
        let out = tempfile::tempdir().unwrap();
        let args = AssessArgs {
            scripts: Some(PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../examples/hospital"
            ))),
            source: None,
            out: out.path().to_path_buf(),
            database: None,
            prefix_tables: false,
            effort: None,
            target: Some(server.url()),
        };
        run(args).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("assess.json")).unwrap())
                .unwrap();
        let caps = &json["target"]["capabilities"];
        assert_eq!(caps["probed"], true);
        assert!(caps["version"].as_str().unwrap().contains("OceanBase"));
        assert_eq!(caps["sequences"], false);
        assert_eq!(caps["check_constraints"], true);
    }

    #[test]
    fn an_unreachable_live_source_is_a_clear_error_without_the_password() {
        let args = AssessArgs {
            scripts: None,
            source: Some(
                "server=tcp:127.0.0.1,1;user=sa;password=Secret-123;TrustServerCertificate=true"
                    .into(),
            ),
            out: PathBuf::from("unused"),
            database: None,
            prefix_tables: false,
            effort: None,
            target: None,
        };
        let e = run(args).unwrap_err().to_string();
        assert!(!e.contains("Secret-123"), "{e}");
        assert!(e.contains("127.0.0.1"), "names the server: {e}");
    }
}
