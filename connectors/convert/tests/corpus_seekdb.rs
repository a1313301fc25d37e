//! The whole corpus (`examples/routines`) converted and every deployable
//! object created on a real seekdb; the flagged objects are exactly the
//! expected ones, each with its construct and line.

mod common;
use common::World;
use sluice_convert::routine::Status;
use sluice_convert::rules::Severity;

/// Objects the converter must flag, with the rule that must decide it.
const FLAGGED: &[(&str, &str)] = &[
    ("dbo.usp_Flag_LegacyLookup", "name.linked_server"),
    ("dbo.usp_Flag_PatientXml", "parse.error"),
    ("dbo.usp_Flag_TopNDynamic", "dyn.built"),
    // 10_rewrites.sql (the extension of the corpus):
    ("dbo.fn_DeptAncestors", "fn.mstvf"),
];

#[test]
fn corpus_converts_with_only_the_expected_flags() {
    let conv = common::convert_corpus("hospital");
    assert!(
        conv.summary.objects >= 60,
        "{} objects",
        conv.summary.objects
    );
    assert!(
        conv.tables_known >= 38,
        "{} tables known",
        conv.tables_known
    );
    let mut flagged: Vec<(String, Vec<&str>)> = conv
        .objects
        .iter()
        .filter(|o| o.converted.status == Status::Manual)
        .map(|o| (o.converted.source_name.clone(), o.rules.clone()))
        .collect();
    flagged.sort();
    let mut expected: Vec<&str> = FLAGGED.iter().map(|(n, _)| *n).collect();
    expected.sort();
    assert_eq!(
        flagged.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        expected
    );
    for (name, rule) in FLAGGED {
        let o = conv
            .objects
            .iter()
            .find(|o| o.converted.source_name == *name)
            .unwrap();
        let f = o
            .converted
            .findings
            .iter()
            .find(|f| f.rule == *rule && f.severity == Severity::Manual)
            .unwrap_or_else(|| panic!("{name} not flagged by {rule}: {:?}", o.converted.findings));
        assert!(
            f.line >= o.line,
            "{name}: finding line {} inside the object (starts {})",
            f.line,
            o.line
        );
        assert!(
            o.converted.objects.is_empty()
                || !sluice_convert::output::deploy_script(&conv)
                    .contains(&o.converted.objects[0].name)
        );
    }
    // Every object that is not flagged is deployable text and names its rules.
    for o in conv
        .objects
        .iter()
        .filter(|o| o.converted.status != Status::Manual)
    {
        assert!(
            !o.target.contains("NOT CONVERTED"),
            "{}",
            o.converted.source_name
        );
        assert!(!o.converted.objects.is_empty());
    }
    println!(
        "corpus: {} objects, {} converted, {} converted with review notes, {} flagged",
        conv.summary.objects, conv.summary.converted, conv.summary.review, conv.summary.manual
    );
    // The original 80 objects (files 01-09) and the extension
    // (10_rewrites.sql, objects for the structural rewrites) separately.
    let original: Vec<_> = conv
        .objects
        .iter()
        .filter(|o| !o.file.ends_with("10_rewrites.sql"))
        .collect();
    let ok = original
        .iter()
        .filter(|o| o.converted.status != Status::Manual)
        .count();
    println!(
        "original corpus: {ok} of {} convert ({:.2}%); with the extension: {} of {} ({:.2}%)",
        original.len(),
        100.0 * ok as f64 / original.len() as f64,
        conv.summary.converted + conv.summary.review,
        conv.summary.objects,
        100.0 * (conv.summary.converted + conv.summary.review) as f64 / conv.summary.objects as f64
    );
    assert_eq!(original.len(), 80);
    assert!(ok * 100 >= 95 * original.len(), "{ok} of 80 convert");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_deployable_corpus_object_compiles_on_seekdb() {
    // World::new creates every non-flagged object and fails on any error.
    let mut w = World::new(false).await;
    let deployable = w
        .conv
        .objects
        .iter()
        .filter(|o| o.converted.status != Status::Manual)
        .count();
    // Each converted target object exists on the server under its name.
    let targets: Vec<(String, &'static str)> = w
        .conv
        .objects
        .iter()
        .filter(|o| o.converted.status != Status::Manual)
        .flat_map(|o| o.converted.objects.iter().map(|t| (t.name.clone(), t.kind)))
        .collect();
    assert!(targets.len() >= deployable);
    for (name, kind) in &targets {
        let (db, obj) = name.trim_matches('`').split_once("`.`").unwrap();
        let sql = match *kind {
            "VIEW" => format!("SELECT COUNT(*) FROM information_schema.views WHERE table_schema = '{db}' AND table_name = '{obj}'"),
            "TRIGGER" => format!("SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = '{db}' AND trigger_name = '{obj}'"),
            _ => format!("SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = '{db}' AND routine_name = '{obj}' AND routine_type = '{kind}'"),
        };
        assert_eq!(
            w.val(&sql).await,
            "1",
            "{kind} {name} missing on the target"
        );
    }
    // The deploy script is what a DBA runs: it names every deployable object.
    let script = sluice_convert::output::deploy_script(&w.conv);
    assert!(script.contains("DELIMITER $$") && script.trim_end().ends_with("DELIMITER ;"));
}
