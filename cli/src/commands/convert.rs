//! `sluice convert`: T-SQL procedures, functions, triggers and views →
//! OceanBase MySQL-mode routines (`objects/*.sql`, `deploy.sql`,
//! `report.json`), optionally created on a live target with `--check`.

use super::CmdResult;
use sluice_convert::{check, output, Options, ScriptFile};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `sluice convert`.
#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// Folder of T-SQL scripts holding the routines (`*.sql`; UTF-8, UTF-16 or GBK/GB18030).
    #[arg(long)]
    pub scripts: PathBuf,
    /// Folder of scripts with the table definitions the routines use (types decide `+`).
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// Folder to write into (created if missing).
    #[arg(long, default_value = "sluice-convert")]
    pub out: PathBuf,
    /// Main target database (default: the scripts' `USE` database, else `dbo`).
    #[arg(long)]
    pub database: Option<String>,
    /// Target to create the objects on with --check (mysql://root@127.0.0.1:PORT/db).
    #[arg(long)]
    pub target: Option<String>,
    /// Create every converted object on --target and report errors per object.
    #[arg(long, requires = "target")]
    pub check: bool,
}

pub fn run(args: ConvertArgs) -> CmdResult {
    let scripts = ScriptFile::read_dir(&args.scripts)
        .map_err(|e| format!("reading {}: {e}", args.scripts.display()))?;
    let schema = match &args.schema {
        Some(d) => ScriptFile::read_dir(d).map_err(|e| format!("reading {}: {e}", d.display()))?,
        None => Vec::new(),
    };
    let opts = Options {
        database: args.database.clone(),
    };
    let conv = sluice_convert::convert(&scripts, &schema, &opts);
    output::write(&conv, &args.out).map_err(|e| format!("writing {}: {e}", args.out.display()))?;
    let s = &conv.summary;
    println!(
        "{} objects: {} converted, {} converted with review notes, {} need a person -> {}",
        s.objects,
        s.converted,
        s.review,
        s.manual,
        args.out.display()
    );
    for o in conv
        .objects
        .iter()
        .filter(|o| o.converted.status == sluice_convert::routine::Status::Manual)
    {
        if let Some(f) = o
            .converted
            .findings
            .iter()
            .find(|f| f.severity == sluice_convert::rules::Severity::Manual)
        {
            println!(
                "  flagged {} ({}:{}): [{}] {}",
                o.converted.source_name, o.file, f.line, f.rule, f.message
            );
        }
    }
    if args.check {
        let url = args.target.as_deref().expect("clap requires --target");
        let rt = tokio::runtime::Runtime::new()?;
        let results = rt
            .block_on(check::check(url, &conv))
            .map_err(|e| format!("--check on {url}: {e}"))?;
        let failed: Vec<_> = results.iter().filter(|r| r.error.is_some()).collect();
        println!(
            "check: {} of {} objects created on the target",
            results.len() - failed.len(),
            results.len()
        );
        for r in &failed {
            println!(
                "  {} ({}): {}",
                r.source_name,
                r.target_name,
                r.error.as_deref().unwrap_or("")
            );
        }
        std::fs::write(
            args.out.join("check.json"),
            serde_json::to_string_pretty(&results).unwrap_or_default(),
        )?;
        if !failed.is_empty() {
            return Ok(ExitCode::from(2));
        }
    }
    Ok(ExitCode::SUCCESS)
}
