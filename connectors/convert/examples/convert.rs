//! `cargo run -p sluice-convert --example convert -- SCRIPTS_DIR SCHEMA_DIR OUT_DIR [DATABASE]`:
//! the library without the CLI, for quick looks at the output.

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        eprintln!("usage: convert SCRIPTS_DIR SCHEMA_DIR OUT_DIR [DATABASE]");
        std::process::exit(2);
    }
    let scripts = sluice_convert::ScriptFile::read_dir(a[1].as_ref()).expect("scripts");
    let schema = sluice_convert::ScriptFile::read_dir(a[2].as_ref()).expect("schema");
    let opts = sluice_convert::Options {
        database: a.get(4).cloned(),
    };
    let conv = sluice_convert::convert(&scripts, &schema, &opts);
    sluice_convert::output::write(&conv, a[3].as_ref()).expect("write");
    println!("{:?}", conv.summary);
    for o in &conv.objects {
        println!(
            "{:?} {} ({}:{})",
            o.converted.status, o.converted.source_name, o.file, o.line
        );
        for f in &o.converted.findings {
            if f.severity == sluice_convert::rules::Severity::Manual {
                println!("    line {} [{}] {}", f.line, f.rule, f.message);
            }
        }
    }
}
