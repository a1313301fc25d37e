//! The hospital sample (examples/hospital) through parse, model, conversion
//! and report, offline. The same DDL is executed on seekdb in `seekdb.rs`.

use sluice_tsql::assess::{self, AssessOptions};
use sluice_tsql::dialect::oceanbase::{ObjectKind, ObjectReport, Status};
use std::path::Path;

fn sample_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/hospital"
    ))
}

fn report() -> assess::report::Report {
    let files = assess::read_scripts(sample_dir()).expect("examples/hospital is readable");
    assess::assess_files(&files, &AssessOptions::default())
}

fn object<'a>(r: &'a assess::report::Report, name: &str) -> &'a ObjectReport {
    r.objects
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no object {name}"))
}

fn ddl(o: &ObjectReport) -> String {
    o.ddl.join("\n")
}

fn rules(o: &ObjectReport) -> Vec<&str> {
    o.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn sample_is_large_and_parses_cleanly() {
    let r = report();
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert!(
        r.deploy[0].contains("COLLATE utf8mb4_general_ci"),
        "Chinese_PRC_CI_AS is case-insensitive"
    );
    assert!(r.objects[0]
        .findings
        .iter()
        .any(|f| f.message.contains("Chinese_PRC_CI_AS")));
    assert!(r.notes.is_empty(), "{:#?}", r.notes);
    let tables = r
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Table)
        .count();
    assert!(tables >= 30, "only {tables} tables");
    for kind in [
        ObjectKind::View,
        ObjectKind::Procedure,
        ObjectKind::Function,
        ObjectKind::Trigger,
        ObjectKind::Sequence,
        ObjectKind::Synonym,
        ObjectKind::Type,
    ] {
        assert!(
            r.objects.iter().any(|o| o.kind == kind),
            "no {kind:?} in the sample"
        );
    }
    // every SQL Server type is used somewhere
    let all: String = r
        .objects
        .iter()
        .filter_map(|o| o.origin.as_ref())
        .map(|o| o.text.to_lowercase())
        .collect();
    for ty in [
        "bigint",
        "[int]",
        "smallint",
        "tinyint",
        "[bit]",
        "decimal",
        "numeric",
        "[money]",
        "smallmoney",
        "[float]",
        "[real]",
        "[date]",
        "[time]",
        "[datetime]",
        "datetime2",
        "smalldatetime",
        "datetimeoffset",
        "[char]",
        "[varchar]",
        "[text]",
        "[nchar]",
        "nvarchar",
        "ntext",
        "[binary]",
        "varbinary",
        "[image]",
        "uniqueidentifier",
        "rowversion",
        "timestamp",
        "[xml]",
        "sql_variant",
        "hierarchyid",
        "geography",
        "geometry",
        "sysname",
    ] {
        assert!(all.contains(ty), "type {ty} missing from the sample");
    }
}

#[test]
fn issue_type_mapping_shows_in_the_ddl() {
    let r = report();
    let patient = ddl(object(&r, "dbo.Patient"));
    assert!(
        patient.contains("`Mrn` VARCHAR(20) NOT NULL"),
        "alias type inlined: {patient}"
    );
    assert!(patient.contains("`CreatedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"));
    assert!(patient.contains("`UpdatedAt` DATETIME(6) NULL"));
    assert!(patient.contains("`Guid` CHAR(36) NOT NULL DEFAULT (UUID())"));
    assert!(patient.contains("`IsDeceased` TINYINT(1) NOT NULL DEFAULT 0"));
    assert!(patient.contains(") AUTO_INCREMENT = 1000"));
    assert!(patient.contains("GENERATED ALWAYS AS ((CONCAT(IFNULL(`FamilyName`, ''), ' ', IFNULL(`GivenName`, '')))) VIRTUAL"), "{patient}");
    assert!(patient.contains("`Mrn` REGEXP '^[0-9][0-9][0-9][0-9][0-9][0-9].*$'"));
    assert!(
        !patient.contains("AgeYears"),
        "non-deterministic computed column must be left out"
    );
    assert!(
        !patient.contains("CK_Patient_BirthDate"),
        "GETDATE() check must be left out"
    );
    let p = object(&r, "dbo.Patient");
    for rule in [
        "TYPE-ALIAS",
        "TYPE-DATETIME",
        "TYPE-DATETIME2-PRECISION",
        "COL-COMPUTED-MANUAL",
        "CHECK-NONDETERMINISTIC",
        "COL-DEFAULT-UUID",
        "COL-COLLATION",
        "COL-ROWGUIDCOL",
        "CHECK-LIKE-PATTERN",
        "EXPR-CONCAT",
        "COL-DEFAULT-LOB",
    ] {
        assert!(
            rules(p).contains(&rule),
            "{rule} not reported for Patient: {:?}",
            rules(p)
        );
    }
    assert_eq!(p.status, Status::Manual);

    let vital = ddl(object(&r, "clin.VitalSign"));
    for want in [
        "`RespRate` TINYINT UNSIGNED",
        "`SpO2Pct` FLOAT",
        "`WeightKg` FLOAT",
        "`HeightCm` DOUBLE",
        "`TemperatureC` DECIMAL(4,1)",
    ] {
        assert!(vital.contains(want), "{want} in {vital}");
    }
    let price = ddl(object(&r, "bill.PriceList"));
    for want in [
        "`EffectiveFrom` DATETIME NOT NULL",
        "`Price` DECIMAL(19,4)",
        "`Currency` CHAR(3) NOT NULL DEFAULT 'CNY'",
        "`Signature` BINARY(32)",
        "`Memo` VARCHAR(8000) NULL DEFAULT 'C:\\\\Prices\\\\'",
        "PRIMARY KEY (`ServiceCode`, `EffectiveFrom`)",
    ] {
        assert!(price.contains(want), "{want} in {price}");
    }
    let staff = ddl(object(&r, "dbo.Staff"));
    for want in [
        "`RowVer` BINARY(8) NOT NULL",
        "`LoginName` VARCHAR(128) NULL",
        "`Photo` LONGBLOB NULL",
        "`GivenName` VARCHAR(50) NULL",
        "`EmployeeNo` VARCHAR(12) COLLATE utf8mb4_bin NOT NULL",
    ] {
        assert!(staff.contains(want), "{want} in {staff}");
    }
    assert!(rules(object(&r, "dbo.Staff")).contains(&"TYPE-ROWVERSION"));
    let misc = ddl(object(&r, "dbo.AuditLog"))
        + &ddl(object(&r, "dbo.Facility"))
        + &ddl(object(&r, "dbo.OrgUnit"))
        + &ddl(object(&r, "dbo.ImportStaging"));
    for want in [
        "`KeyValue` LONGTEXT",
        "`OldRow` LONGTEXT",
        "`Location` GEOMETRY",
        "`Node` VARBINARY(892)",
        "`RawText` LONGTEXT",
        "`Payload` LONGBLOB",
        "`Checksum` BINARY(16)",
    ] {
        assert!(misc.contains(want), "{want}");
    }
    assert!(rules(object(&r, "dbo.AuditLog")).contains(&"COL-IDENTITY-STEP"));
    assert!(rules(object(&r, "dbo.ImportStaging")).contains(&"TABLE-NO-PK"));
}

#[test]
fn keys_indexes_and_foreign_keys() {
    let r = report();
    let adm = object(&r, "clin.Admission");
    assert!(
        rules(adm).contains(&"IDX-FILTER-UNIQUE"),
        "unique index filtered on more than IS NOT NULL"
    );
    assert!(
        ddl(adm).contains("KEY `UX_Admission_ActiveBed` (`WardId`, `BedNo`)")
            && !ddl(adm).contains("UNIQUE KEY `UX_Admission_ActiveBed`")
    );
    assert!(ddl(adm).contains(
        "CHECK ((`DischargedAt` IS NULL OR `DischargedAt` > `AdmittedAt`)) NOT ENFORCED"
    ));
    assert!(
        ddl(adm).contains("GENERATED ALWAYS AS ((DATEDIFF(`DischargedAt`, `AdmittedAt`))) STORED"),
        "{}",
        ddl(adm)
    );
    let filtered = adm
        .findings
        .iter()
        .find(|f| f.rule == "IDX-FILTER-UNIQUE")
        .unwrap();
    assert_eq!(
        (filtered.file.as_deref(), filtered.line),
        (Some("03_indexes_constraints.sql"), Some(63))
    );
    let src = &adm.origin.as_ref().unwrap().text;
    assert!(src.starts_with("CREATE TABLE [clin].[Admission]") && src.contains("\nGO\nALTER TABLE [clin].[Admission]  WITH NOCHECK ADD  CONSTRAINT [CK_Admission_Discharge]"));
    let patient = object(&r, "dbo.Patient");
    assert!(ddl(patient).contains("UNIQUE KEY `UX_Patient_NationalId` (`NationalId`)"));
    assert!(rules(patient).contains(&"IDX-FILTER-NOT-NULL"));
    // UQ_Patient_Mrn is on a NOT NULL column; UX_Patient_NationalId is filtered: neither differs
    assert!(!rules(patient).contains(&"IDX-UNIQUE-NULLS"));
    let spec = object(&r, "lab.Specimen");
    assert!(
        !rules(spec).contains(&"IDX-UNIQUE-NULLS"),
        "filtered WHERE Barcode IS NOT NULL"
    );
    assert!(rules(patient).contains(&"IDX-INCLUDE"));
    let lab = object(&r, "lab.LabResult");
    assert!(rules(lab).contains(&"IDX-COLUMNSTORE"));
    assert!(rules(lab).contains(&"TYPE-DATETIMEOFFSET"));
    assert!(rules(object(&r, "clin.ClinicalNote")).contains(&"IDX-SPECIAL"));
    let fks = object(&r, "dbo.PatientAddress").post_ddl.join("\n");
    assert!(fks.contains("FOREIGN KEY (`PatientId`) REFERENCES `Hospital`.`Patient` (`PatientId`) ON DELETE CASCADE ON UPDATE CASCADE"), "{fks}");
    let allergy = object(&r, "dbo.Allergy");
    assert!(rules(allergy).contains(&"FK-DISABLED"));
    assert!(!allergy.post_ddl.join("").contains("FK_Allergy_Staff"));
    let inv = object(&r, "bill.Invoice");
    assert!(rules(inv).contains(&"FK-SET-DEFAULT"));
    assert_eq!(inv.status, Status::Manual);
    assert!(rules(object(&r, "clin.Visit")).contains(&"FK-NOT-TRUSTED"));
    let item = object(&r, "clin.Order Item");
    assert_eq!(item.target.as_deref(), Some("`Hospital_clin`.`Order Item`"));
    assert!(item.post_ddl[0].contains("CONSTRAINT `FK_Order Item_Order`"));
    let contact = object(&r, "dbo.PatientContact");
    assert!(
        rules(contact).contains(&"KEY-PK-NONCLUSTERED")
            && rules(contact).contains(&"IDX-CLUSTERED")
    );
}

#[test]
fn sequences_synonyms_types_and_routines() {
    let r = report();
    let seq = object(&r, "lab.SpecimenNumber");
    assert!(ddl(seq).contains("CREATE FUNCTION `Hospital`.`sluice_nextval`"));
    assert!(ddl(seq).contains("VALUES ('lab.SpecimenNumber', 100000, 1, 100000, 999999999, 0)"));
    let inv = object(&r, "bill.InvoiceNumber");
    assert!(ddl(inv).contains("VALUES ('bill.InvoiceNumber', 1, 1, 1, 99999999, 1)"));
    assert!(rules(object(&r, "lab.Specimen")).contains(&"COL-DEFAULT-SEQUENCE"));
    let syn = object(&r, "dbo.Patients");
    assert_eq!(syn.status, Status::Changed);
    assert!(ddl(syn)
        .contains("CREATE VIEW `Hospital`.`Patients` AS SELECT * FROM `Hospital`.`Patient`"));
    assert_eq!(
        object(&r, "lab.Results").status,
        Status::Changed,
        "three-part name into this database"
    );
    assert_eq!(object(&r, "dbo.LegacyPatient").status, Status::Manual);
    assert_eq!(object(&r, "dbo.OrderLineList").status, Status::Manual);
    assert_eq!(object(&r, "dbo.ut_Mrn").status, Status::Changed);
    let census = object(&r, "clin.usp_DailyCensus");
    for rule in [
        "TSQL-TEMP-TABLE",
        "TSQL-CURSOR",
        "TSQL-ERROR-VAR",
        "TSQL-GOTO",
        "TSQL-NOLOCK",
        "TSQL-PRINT",
        "TSQL-STRING-PLUS",
    ] {
        assert!(rules(census).contains(&rule), "{rule}: {:?}", rules(census));
    }
    let temp = census
        .findings
        .iter()
        .find(|f| f.rule == "TSQL-TEMP-TABLE")
        .unwrap();
    assert_eq!(temp.count, 4);
    assert!(temp.message.contains("#census"));
    let search = object(&r, "bill.usp_SearchInvoices");
    assert_eq!(search.status, Status::Unsupported, "linked server");
    assert!(
        rules(search).contains(&"TSQL-DYNAMIC-SQL") && rules(search).contains(&"TSQL-EXECUTE-AS")
    );
    let audit = object(&r, "dbo.trg_Patient_Audit");
    assert!(rules(audit).contains(&"TSQL-XML-JSON"));
}

#[test]
fn report_documents_render() {
    let r = report();
    let json: serde_json::Value = serde_json::to_value(&r).unwrap();
    assert_eq!(json["format"], "sluice-assess/1");
    assert!(json["summary"]["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["kind"] == "tables"));
    assert!(json["summary"]["effort"]["person_days"].as_f64().unwrap() > 0.0);
    assert!(json["objects"][0]["findings"].is_array());
    let tables = &r.summary.by_kind[0];
    assert_eq!(tables.kind, "tables");
    assert_eq!(
        tables.total,
        tables.unchanged + tables.changed + tables.manual + tables.unsupported
    );
    let html = assess::html::render(&r);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must not load anything"
    );
    assert!(
        html.contains("dbo.Patient")
            && html.contains("CREATE TABLE `Hospital`.`Patient`")
            && html.contains("Top blocking reasons")
    );
    assert!(
        html.contains("&lt;= (60)") || !html.contains("<= (60)"),
        "source text is escaped"
    );
    let csv = r.findings_csv();
    assert!(csv.starts_with("kind,object,status,rule,class,line,count,message,file\n"));
    assert!(csv.contains("table,\"dbo.Patient\",manual,TYPE-ALIAS,auto,"));
    let text = r.terminal_summary();
    assert!(text.contains("tables") && text.contains("person-days"));
    let script = r.deploy_script();
    assert!(script.contains("DELIMITER $$\nCREATE FUNCTION"));
}

#[test]
fn utf16_and_gbk_exports_give_the_same_report() {
    let files = assess::read_scripts(sample_dir()).unwrap();
    let utf8 = assess::assess_files(&files, &AssessOptions::default());
    let recoded = |f: &assess::ScriptInput, i: usize| -> Vec<u8> {
        let text = String::from_utf8(f.bytes.clone()).unwrap();
        if i % 2 == 1 {
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
            b
        } else {
            let (b, _, lossy) = encoding_rs::GBK.encode(&text);
            assert!(!lossy);
            b.into_owned()
        }
    };
    let other: Vec<assess::ScriptInput> = files
        .iter()
        .enumerate()
        .map(|(i, f)| assess::ScriptInput {
            path: f.path.clone(),
            bytes: recoded(f, i),
        })
        .collect();
    let r = assess::assess_files(&other, &AssessOptions::default());
    let encodings: Vec<&str> = r.files.iter().map(|f| f.encoding.as_str()).collect();
    // GBK of an ASCII-only file is byte-for-byte UTF-8, and is read as such
    assert_eq!(encodings, ["UTF-8", "UTF-16LE", "gb18030", "UTF-16LE"]);
    assert_eq!(r.deploy, utf8.deploy);
    assert!(r.deploy.iter().any(|s| s.contains("患者主索引")));
}

#[test]
fn effort_model_overrides_change_the_estimate() {
    let files = assess::read_scripts(sample_dir()).unwrap();
    let base = assess::assess_files(&files, &AssessOptions::default());
    let mut opts = AssessOptions::default();
    opts.effort
        .rule_minutes
        .insert("TYPE-ROWVERSION".into(), 600.0);
    opts.effort.routine_base_minutes = 0.0;
    opts.effort.routine_minutes_per_line = 0.0;
    let tuned = assess::assess_files(&files, &opts);
    let (b, t) = (&base.summary.effort, &tuned.summary.effort);
    // two rowversion columns (Staff.RowVer, Inventory.Version): 2 × (600 − 60) minutes more
    assert!(
        (t.occurrence_hours - b.occurrence_hours - 18.0).abs() < 0.11,
        "{b:?} {t:?}"
    );
    assert_eq!(t.routine_hours, 0.0);
    assert!(b.routine_hours > 0.0);
    assert!(
        (b.person_hours - (b.occurrence_hours + b.learning_hours + b.routine_hours)).abs() < 0.2
    );
}
