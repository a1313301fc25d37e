//! `sluice assess`: the compatibility report (terminal summary, `assess.json`,
//! `assess.html`, `findings.csv`) and the converted schema (`deploy.sql`).

use super::CmdResult;
use sluice_tsql::assess::{self, AssessOptions, EffortModel};
use sluice_tsql::dialect::oceanbase::{ConvertOptions, SchemaMapping};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `sluice assess`.
#[derive(clap::Args, Debug)]
pub struct AssessArgs {
    /// Folder of exported T-SQL scripts (`*.sql`, any depth; UTF-8, UTF-16 or GBK/GB18030).
    #[arg(long, required_unless_present = "source", conflicts_with = "source")]
    pub scripts: Option<PathBuf>,
    /// Live SQL Server to read the catalog from (mssql://...).
    #[arg(long)]
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
}

pub fn run(args: AssessArgs) -> CmdResult {
    if let Some(url) = &args.source {
        return Err(format!(
            "--source {url}: reading a live SQL Server catalog needs the mssql connector, which this build does not have yet; \
             export the schema with SSMS (Tasks > Generate Scripts) and use --scripts DIR"
        )
        .into());
    }
    let dir = args.scripts.clone().expect("clap requires --scripts without --source");
    let files = assess::read_scripts(&dir).map_err(|e| format!("reading scripts in {}: {e}", dir.display()))?;
    if files.is_empty() {
        return Err(format!("no .sql files under {}", dir.display()).into());
    }
    let effort = match &args.effort {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
            serde_json::from_str::<EffortModel>(&text).map_err(|e| format!("{}: {e}", p.display()))?
        }
        None => EffortModel::default(),
    };
    let opts = AssessOptions {
        capabilities: None,
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
        source_label: dir.display().to_string(),
    };
    let report = assess::assess_files(&files, &opts);
    std::fs::create_dir_all(&args.out).map_err(|e| format!("creating {}: {e}", args.out.display()))?;
    let write = |name: &str, text: &str| -> Result<(), String> {
        let p = args.out.join(name);
        std::fs::write(&p, text).map_err(|e| format!("writing {}: {e}", p.display()))
    };
    write("assess.json", &serde_json::to_string_pretty(&report)?)?;
    write("assess.html", &assess::html::render(&report))?;
    write("findings.csv", &report.findings_csv())?;
    write("deploy.sql", &report.deploy_script())?;
    print!("{}", report.terminal_summary());
    println!(
        "\nwrote {0}/assess.html, {0}/assess.json, {0}/findings.csv, {0}/deploy.sql",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
