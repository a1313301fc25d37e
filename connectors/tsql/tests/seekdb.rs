//! Every generated DDL statement executed on a real OceanBase kernel
//! (seekdb, from `sluice-testkit`). These tests fail — never skip — when
//! seekdb cannot be started; the panic names what is missing.

use mysql_async::prelude::*;
use sluice_testkit::SeekDb;
use sluice_tsql::assess::{self, AssessOptions};
use sluice_tsql::dialect::oceanbase::capabilities::{probe, Capabilities, ProbeTarget};
use sluice_tsql::dialect::oceanbase::ConvertOptions;
use std::path::Path;

async fn conn(url: &str) -> mysql_async::Conn {
    use mysql_async::prelude::Queryable;
    let mut c = mysql_async::Conn::from_url(url)
        .await
        .expect("connect to seekdb");
    // seekdb's default statement timeout is 10 s; the tests of this file share
    // one server and CI's 2 cores, where a DDL batch can take longer.
    c.query_drop("SET ob_query_timeout = 120000000")
        .await
        .expect("set ob_query_timeout");
    c
}

/// Runs statements in order; panics naming the first that fails.
async fn deploy(c: &mut mysql_async::Conn, statements: &[String]) {
    for s in statements {
        if let Err(e) = c.query_drop(s).await {
            panic!("seekdb rejected a generated statement: {e}\n{s}");
        }
    }
}

fn hospital(main_db: &str) -> assess::report::Report {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/hospital"
    ));
    let files = assess::read_scripts(dir).unwrap();
    let opts = AssessOptions {
        convert: ConvertOptions {
            database: Some(main_db.to_string()),
            ..Default::default()
        },
        ..Default::default()
    };
    assess::assess_files(&files, &opts)
}

#[tokio::test(flavor = "multi_thread")]
async fn hospital_schema_deploys_and_behaves_on_seekdb() {
    let server = SeekDb::shared();
    let db = server.fresh_database().await;
    let report = hospital(&db.name);
    assert!(
        report.deploy.len() > 90,
        "{} statements",
        report.deploy.len()
    );
    let mut c = conn(&server.url()).await;
    deploy(&mut c, &report.deploy).await;
    let d = &db.name;

    let tables: u64 = c
        .query_first(format!("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema LIKE '{d}%' AND table_type = 'BASE TABLE'"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tables, 39, "38 source tables + sluice_sequence");
    let fks: u64 = c
        .query_first(format!("SELECT COUNT(*) FROM information_schema.referential_constraints WHERE constraint_schema LIKE '{d}%'"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fks, 43);

    // defaults, identity seed, generated columns, checks
    c.query_drop(format!(
        "INSERT INTO `{d}`.`Department` (`Code`, `Name`) VALUES ('ER', '急诊科')"
    ))
    .await
    .unwrap();
    c.query_drop(format!(
        "INSERT INTO `{d}`.`Patient` (`Mrn`, `FamilyName`, `GivenName`, `Sex`, `BirthDate`, `CreatedBy`) VALUES ('123456', '张', '三', 'M', '1980-02-29', 'reg')"
    ))
    .await
    .unwrap();
    let row: (u32, String, String, u8, String) = c
        .query_first(format!("SELECT `PatientId`, `FullName`, `Guid`, `IsDeceased`, CAST(`CreatedAt` AS CHAR) FROM `{d}`.`Patient`"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.0, 1000, "IDENTITY(1000,1) seed");
    assert_eq!(row.1, "张 三");
    assert_eq!(row.2.len(), 36);
    assert_eq!(row.3, 0);
    assert!(
        row.4.len() == 23,
        "DATETIME(3) default keeps milliseconds: {}",
        row.4
    );
    let clinical: u8 = c
        .query_first(format!("SELECT `IsClinical` FROM `{d}`.`Department`"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(clinical, 1);
    for bad in [
        "('abc123', 'X', 'M', '1990-01-01', 'reg')", // CK_Patient_Mrn (LIKE [0-9] → REGEXP)
        "('654321', 'X', 'Q', '1990-01-01', 'reg')", // CK_Patient_Sex
    ] {
        let r = c
            .query_drop(format!("INSERT INTO `{d}`.`Patient` (`Mrn`, `FamilyName`, `Sex`, `BirthDate`, `CreatedBy`) VALUES {bad}"))
            .await;
        assert!(r.is_err(), "CHECK must reject {bad}");
    }
    // LIKE pattern without classes keeps working and backslash defaults survive
    c.query_drop(format!("INSERT INTO `{d}_bill`.`PriceList` (`ServiceCode`, `EffectiveFrom`, `Price`) VALUES ('S1', '2024-01-01', 12.5)")).await.unwrap();
    let memo: String = c
        .query_first(format!("SELECT `Memo` FROM `{d}_bill`.`PriceList`"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(memo, "C:\\Prices\\");

    // persisted computed money arithmetic
    c.query_drop(format!(
        "INSERT INTO `{d}_bill`.`InsurancePlan` VALUES (1, 'P', 'C', 80, 0, 1)"
    ))
    .await
    .unwrap();
    c.query_drop(format!("INSERT INTO `{d}_clin`.`Visit` (`PatientId`, `VisitType`, `DepartmentId`, `StartedAt`) VALUES (1000, 'OP', 1, '2024-03-05 10:20:30.123')")).await.unwrap();
    let visit: (u64, String, String) = c
        .query_first(format!(
            "SELECT `VisitId`, CAST(`VisitDate` AS CHAR), `VisitDay` FROM `{d}_clin`.`Visit`"
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (visit.1.as_str(), visit.2.as_str()),
        ("2024-03-05", "20240305"),
        "CONVERT(date,..) and style 112"
    );
    c.query_drop(format!("INSERT INTO `{d}_bill`.`Invoice` (`InvoiceId`, `VisitId`, `DueOn`, `Total`, `Guid`) VALUES (1, {}, '2024-04-01', 100.50, UUID())", visit.0)).await.unwrap();
    c.query_drop(format!("INSERT INTO `{d}_bill`.`InvoiceLine` (`InvoiceId`, `LineNo`, `ServiceCode`, `Description`, `Quantity`, `UnitPrice`, `DiscountPct`) VALUES (1, 1, 'S1', 'x', 3, 2.5, 10)")).await.unwrap();
    let (total, balance): (String, String) = c
        .query_first(format!("SELECT CAST(l.`LineTotal` AS CHAR), CAST(i.`Balance` AS CHAR) FROM `{d}_bill`.`InvoiceLine` l JOIN `{d}_bill`.`Invoice` i USING (`InvoiceId`)"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(total.parse::<f64>().unwrap(), 6.75);
    assert_eq!(balance.parse::<f64>().unwrap(), 100.5);

    // sequence emulation
    let (a, b): (u64, u64) = c
        .query_first(format!("SELECT `{d}`.sluice_nextval('lab.SpecimenNumber'), `{d}`.sluice_nextval('lab.SpecimenNumber')"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a, b), (100000, 100001));

    // synonym view and cascade
    c.query_drop(format!("INSERT INTO `{d}`.`PatientAddress` (`PatientId`, `Kind`, `Line1`, `City`) VALUES (1000, 'home', 'x', 'y')")).await.unwrap();
    let via_view: u64 = c
        .query_first(format!("SELECT COUNT(*) FROM `{d}`.`Patients`"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(via_view, 1);
    let valid_from: String = c
        .query_first(format!(
            "SELECT CAST(`ValidFrom` AS CHAR) FROM `{d}`.`PatientAddress`"
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(valid_from.len(), 10, "DEFAULT (CURDATE())");
    c.query_drop(format!("DELETE FROM `{d}_bill`.`InvoiceLine`"))
        .await
        .unwrap();
    c.query_drop(format!("DELETE FROM `{d}_bill`.`Invoice`"))
        .await
        .unwrap();
    c.query_drop(format!("DELETE FROM `{d}_clin`.`Visit`"))
        .await
        .unwrap();
    c.query_drop(format!("DELETE FROM `{d}`.`Patient`"))
        .await
        .unwrap();
    let left: u64 = c
        .query_first(format!("SELECT COUNT(*) FROM `{d}`.`PatientAddress`"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left, 0, "ON DELETE CASCADE");
    let _ = c.disconnect().await;
}

/// The probe runner over mysql_async.
struct Probe(mysql_async::Conn);

impl ProbeTarget for Probe {
    async fn execute(&mut self, sql: &str) -> Result<(), String> {
        self.0.query_drop(sql).await.map_err(|e| e.to_string())
    }
    async fn first_column(&mut self, sql: &str) -> Result<Vec<String>, String> {
        self.0
            .query_map(sql, |row: mysql_async::Row| {
                row.get::<String, _>(0).unwrap_or_default()
            })
            .await
            .map_err(|e| e.to_string())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn probes_on_seekdb_give_the_default_capabilities() {
    let server = SeekDb::shared();
    let mut p = Probe(conn(&server.url()).await);
    let probed = probe(&mut p).await.expect("probe runs");
    let assumed = Capabilities::seekdb();
    assert!(
        probed.probed && probed.version.contains("OceanBase"),
        "{}",
        probed.version
    );
    assert_eq!(
        (
            probed.temporary_tables,
            probed.sequences,
            probed.expression_defaults,
            probed.check_constraints,
            probed.generated_columns,
            probed.lob_defaults
        ),
        (
            assumed.temporary_tables,
            assumed.sequences,
            assumed.expression_defaults,
            assumed.check_constraints,
            assumed.generated_columns,
            assumed.lob_defaults
        ),
        "offline defaults must be what seekdb shows"
    );
    for c in &assumed.collations {
        assert!(probed.has_collation(c), "seekdb lacks collation {c}");
    }
    // the scratch database is gone
    let left: Vec<String> = p
        .first_column("SHOW DATABASES LIKE 'sluice_probe_%'")
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
    let _ = p.0.disconnect().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn synthetic_schema_deploys_on_seekdb() {
    let server = SeekDb::shared();
    let db = server.fresh_database().await;
    let script = sluice_tsql::synthetic::script(60, 0, 7);
    let files = vec![assess::ScriptInput {
        path: "gen.sql".into(),
        bytes: script.into_bytes(),
    }];
    let opts = AssessOptions {
        convert: ConvertOptions {
            database: Some(db.name.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let r = assess::assess_files(&files, &opts);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics.first());
    let mut c = conn(&server.url()).await;
    deploy(&mut c, &r.deploy).await;
    let _ = c.disconnect().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn edge_case_ddl_deploys_on_seekdb_under_every_option_set() {
    use sluice_tsql::dialect::oceanbase::types::{BitAs, OffsetAs, TypeOptions, UuidAs};
    use sluice_tsql::dialect::oceanbase::SchemaMapping;
    let server = SeekDb::shared();
    let mut c = conn(&server.url()).await;
    let option_sets = [
        (SchemaMapping::DatabasePerSchema, TypeOptions::default()),
        (
            SchemaMapping::PrefixTables,
            TypeOptions {
                bit: BitAs::Bit1,
                uniqueidentifier: UuidAs::Binary16,
                datetimeoffset: OffsetAs::UtcWithOffsetColumn,
                ..Default::default()
            },
        ),
    ];
    for (mapping, types) in option_sets {
        let db = server.fresh_database().await;
        for (path, text) in [
            ("edge.sql", include_str!("data/edge_cases.sql").to_string()),
            ("hospital", String::new()),
        ] {
            let files = if path == "hospital" {
                assess::read_scripts(Path::new(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../examples/hospital"
                )))
                .unwrap()
            } else {
                vec![assess::ScriptInput {
                    path: path.into(),
                    bytes: text.into_bytes(),
                }]
            };
            let opts = AssessOptions {
                convert: ConvertOptions {
                    database: Some(format!(
                        "{}{}",
                        db.name,
                        if path == "hospital" { "h" } else { "" }
                    )),
                    schema_mapping: mapping.clone(),
                    types: types.clone(),
                    ..Default::default()
                },
                ..Default::default()
            };
            let r = assess::assess_files(&files, &opts);
            deploy(&mut c, &r.deploy).await;
        }
    }
    let _ = c.disconnect().await;
}
