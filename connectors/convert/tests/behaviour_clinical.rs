//! Behaviour of converted lab, pharmacy, billing, reporting, trigger and
//! legacy (GBK, QUOTED_IDENTIFIER OFF) routines on a real seekdb; expected
//! values follow SQL Server's documented semantics.

mod common;
use common::{t, World};

#[tokio::test(flavor = "multi_thread")]
async fn lab_and_pharmacy_routines_behave_like_sql_server() {
    let mut w = World::new(true).await;
    let (l, p) = ("{db}_lab", "{db}_pharm");

    // fn_FlagFor: decimal / int is decimal division (6.1 * 2 = 12.2 → 13 is HH).
    assert_eq!(
        w.row(&format!("SELECT {l}.fn_FlagFor(13, 3.9, 6.1) = 'HH', {l}.fn_FlagFor(7, 3.9, 6.1) = 'H', {l}.fn_FlagFor(1.5, 3.9, 6.1) = 'LL', {l}.fn_FlagFor(3, 3.9, 6.1) = 'L', {l}.fn_FlagFor(5, 3.9, 6.1) = 'N', {l}.fn_FlagFor(NULL, 1, 2) IS NULL")).await,
        vec!["1"; 6]
    );

    // usp_Lab_RecordResult: HH → the trigger's alert and the procedure's alert (CONVERT(nvarchar, decimal(18,6))).
    w.exec("SET @rid = NULL, @flag = NULL, @rv = NULL")
        .await
        .unwrap();
    w.exec(&format!(
        "CALL {l}.usp_Lab_RecordResult(500, 'GLU', 13, NULL, @rid, @flag, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.row("SELECT @flag, @rv").await, vec!["HH", "0"]);
    assert_eq!(
        w.rows(&format!(
            "SELECT Comment FROM {l}.CriticalValueAlert WHERE ResultId = @rid ORDER BY AlertId"
        ))
        .await,
        t(&[
            &["auto: GLU flagged HH"],
            &["Critical GLU = 13.000000 mmol/L"]
        ])
    );
    let e = w
        .exec(&format!(
            "CALL {l}.usp_Lab_RecordResult(500, 'OLD', 1, NULL, @rid, @flag, @rv)"
        ))
        .await
        .unwrap_err();
    assert!(e.contains("Unknown or inactive test OLD"), "{e}");
    for v in ["4.0", "5.0", "6.0"] {
        w.exec(&format!(
            "CALL {l}.usp_Lab_RecordResult(501, 'GLU', {v}, 1, @rid, @flag, @rv)"
        ))
        .await
        .unwrap();
    }
    assert_eq!(w.val("SELECT @flag").await, "N");

    // usp_Lab_NotifyCritical: a cursor over unnotified alerts; the count comes back in OUTPUT.
    w.exec("SET @n = NULL").await.unwrap();
    w.exec(&format!("CALL {l}.usp_Lab_NotifyCritical(2, @n)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @n").await, "2");
    assert_eq!(w.val(&format!("SELECT COUNT(*) FROM {l}.CriticalValueAlert WHERE Comment LIKE '% [notified]' AND NotifiedStaffId = 2")).await, "2");
    w.exec(&format!("CALL {l}.usp_Lab_NotifyCritical(2, @n)"))
        .await
        .unwrap();
    assert_eq!(
        w.val("SELECT @n").await,
        "0",
        "a cursor over no rows: @@FETCH_STATUS <> 0 at once"
    );

    // usp_Lab_ResultHistory: OFFSET/FETCH paging, CONVERT(varchar(10), datetime, 103).
    let page = w
        .rows(&format!(
            "CALL {l}.usp_Lab_ResultHistory(1000, 'GLU', 2, 1)"
        ))
        .await;
    let expected_id = w.val(&format!("SELECT ResultId FROM {l}.LabResult WHERE TestCode = 'GLU' ORDER BY ResultId DESC LIMIT 1, 1")).await;
    let today_103 = w.val("SELECT DATE_FORMAT(NOW(), '%d/%m/%Y')").await;
    assert_eq!(
        page,
        vec![vec![
            expected_id,
            "5.000000".to_string(),
            "N".to_string(),
            today_103
        ]]
    );

    // usp_Lab_VerifyBatch: UPDATE ... FROM join, then SELECT @v = @@ROWCOUNT.
    w.exec(&format!(
        "UPDATE {l}.LabResult SET Instrument = 'X1', VerifiedAt = NULL"
    ))
    .await
    .unwrap();
    w.exec("SET @v = NULL").await.unwrap();
    w.exec(&format!("CALL {l}.usp_Lab_VerifyBatch('X1', 2, @v)"))
        .await
        .unwrap();
    assert_eq!(
        w.val("SELECT @v").await,
        "3",
        "three normal results, the HH one stays unverified"
    );

    // usp_Lab_AbnormalCount: SUM(CASE) into two OUTPUTs, ISNULL afterwards.
    w.exec("SET @a = NULL, @c = NULL").await.unwrap();
    w.exec(&format!("CALL {l}.usp_Lab_AbnormalCount(2, @a, @c)"))
        .await
        .unwrap();
    assert_eq!(w.row("SELECT @a, @c").await, vec!["1", "1"]);
    w.exec(&format!("CALL {l}.usp_Lab_AbnormalCount(3, @a, @c)"))
        .await
        .unwrap();
    assert_eq!(w.row("SELECT @a, @c").await, vec!["0", "0"]);

    // usp_Lab_ReceiveSpecimen and usp_Lab_PendingSpecimens (SELECT ... INTO #pending).
    w.exec(&format!(
        "CALL {l}.usp_Lab_ReceiveSpecimen('BC500', 'OK', @rv)"
    ))
    .await
    .unwrap();
    let e = w
        .exec(&format!(
            "CALL {l}.usp_Lab_ReceiveSpecimen('NOPE', 'OK', @rv)"
        ))
        .await
        .unwrap_err();
    assert!(e.contains("No specimen with barcode NOPE"), "{e}");
    let pending = w
        .rows(&format!("CALL {l}.usp_Lab_PendingSpecimens(2)"))
        .await;
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (
            pending[0][0].as_str(),
            pending[0][1].as_str(),
            pending[0][4].as_str()
        ),
        ("501", "BC501", "100000")
    );

    // usp_Lab_CatalogSearch: sp_executesql with a parameter built from concatenation.
    assert_eq!(
        w.rows(&format!("CALL {l}.usp_Lab_CatalogSearch('ass', 'BLOOD')"))
            .await,
        t(&[&["K", "Potassium", "BLOOD", "12.0000"]])
    );
    assert_eq!(
        w.rows(&format!("CALL {l}.usp_Lab_CatalogSearch('glu', NULL)"))
            .await,
        t(&[&["GLU", "Glucose", "BLOOD", "10.0000"]])
    );

    // fn_DosesPerDay: CASE over UPPER(LTRIM(RTRIM())).
    assert_eq!(w.row(&format!("SELECT {p}.fn_DosesPerDay(' tid '), {p}.fn_DosesPerDay('q12h'), {p}.fn_DosesPerDay('odd')")).await, vec!["3", "2", "1"]);

    // usp_Rx_Prescribe: allergy check with LIKE '%' + substance + '%' (case-insensitive), quantity arithmetic.
    w.exec("SET @rx = NULL").await.unwrap();
    let e = w
        .exec(&format!(
            "CALL {p}.usp_Rx_Prescribe(2, 'AMOX', 1, 500, 'mg', 'PO', 'TID', 7, @rx, @rv)"
        ))
        .await
        .unwrap_err();
    assert!(
        e.contains("Patient is allergic to Amoxicillin (a penicillin)"),
        "{e}"
    );
    w.exec(&format!(
        "CALL {p}.usp_Rx_Prescribe(2, 'PARA', 1, 500, 'mg', 'PO', 'TID', 5, @rx, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(
        w.row(&format!("SELECT Quantity, DATEDIFF(EndDate, StartDate), StartDate = CURDATE(), Status FROM {p}.Prescription WHERE PrescriptionId = @rx")).await,
        vec!["7500.00", "4", "1", "ACTIVE"]
    );

    // usp_Rx_Dispense: stock check, @@ERROR/GOTO flow, CAST(decimal AS int) truncates.
    let e = w
        .exec(&format!("CALL {p}.usp_Rx_Dispense(@rx, 'P2', 10, 1, @rv)"))
        .await
        .unwrap_err();
    assert!(e.contains("Insufficient stock in lot P2"), "{e}");
    w.exec(&format!(
        "CALL {p}.usp_Rx_Dispense(@rx, 'P1', 10.9, 1, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "0");
    assert_eq!(
        w.val(&format!(
            "SELECT OnHand FROM {p}.Inventory WHERE LotNo = 'P1'"
        ))
        .await,
        "90",
        "CAST(10.9 AS int) is 10"
    );
    assert_eq!(
        w.val(&format!(
            "SELECT Quantity FROM {p}.DispenseRecord WHERE PrescriptionId = @rx"
        ))
        .await,
        "10.90"
    );

    // usp_Rx_StockReport: #stock with UPDATE ... WHERE correlated on #stock.DrugCode.
    assert_eq!(
        w.rows(&format!("CALL {p}.usp_Rx_StockReport(30)")).await,
        t(&[
            &["PARA", "Paracetamol", "95", "0", "OK"],
            &["MORPH", "Morphine", "3", "0", "REORDER"]
        ])
    );
    // usp_Rx_ReorderList: SELECT ... INTO #low with HAVING; string + CONVERT.
    w.exec("SET @cnt = NULL").await.unwrap();
    assert_eq!(
        w.rows(&format!("CALL {p}.usp_Rx_ReorderList(@cnt)")).await,
        t(&[&["MORPH", "Morphine", "3", "5", "Morphine (MORPH): 3 left"]])
    );
    assert_eq!(w.val("SELECT @cnt").await, "1");

    // vw_ActivePrescriptions: CAST(decimal AS varchar) keeps the scale.
    assert_eq!(
        w.val(&format!(
            "SELECT Sig FROM {p}.vw_ActivePrescriptions WHERE PrescriptionId = @rx"
        ))
        .await,
        "500.000 mg PO TID"
    );

    // usp_Rx_Renew (INSERT ... SELECT, @@ROWCOUNT, SCOPE_IDENTITY) and usp_Rx_Discontinue (return codes).
    w.exec("SET @new = NULL").await.unwrap();
    w.exec(&format!("CALL {p}.usp_Rx_Renew(@rx, 10, @new, @rv)"))
        .await
        .unwrap();
    assert_eq!(w.row(&format!("SELECT Refills, DATEDIFF(EndDate, StartDate) FROM {p}.Prescription WHERE PrescriptionId = @new")).await, vec!["1", "10"]);
    w.exec(&format!("CALL {p}.usp_Rx_Renew(424242, 10, @new, @rv)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "1");
    w.exec(&format!("CALL {p}.usp_Rx_Discontinue(@rx, NULL, @rv)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "0");
    w.exec(&format!("CALL {p}.usp_Rx_Discontinue(@rx, NULL, @rv)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "1");
    let e = w
        .exec(&format!("CALL {p}.usp_Rx_Dispense(@rx, 'P1', 1, 1, @rv)"))
        .await
        .unwrap_err();
    assert!(e.contains("Prescription is not active"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn billing_and_reporting_routines_behave_like_sql_server() {
    let mut w = World::new(true).await;
    let b = "{db}_bill";

    // usp_Bill_AgingReport: DATEDIFF(day) buckets over a #temp table with a primary key.
    assert_eq!(
        w.rows(&format!("CALL {b}.usp_Bill_AgingReport('2024-03-01')"))
            .await,
        t(&[&["1-30", "1", "250.00"], &["90+", "1", "30.00"]])
    );

    // A temp table created by the caller and filled by the procedure it calls.
    w.exec("SET @od = NULL").await.unwrap();
    assert_eq!(
        w.rows("CALL {db}.usp_Rpt_OverdueSummary('2024-03-01', @od)")
            .await,
        t(&[&["900", "21"], &["901", "121"]])
    );
    assert_eq!(w.val("SELECT @od").await, "2");
    assert_eq!(
        w.val("SELECT COUNT(*) FROM {db}.sluice_wt_usp_Rpt_OverdueSummary_overdue")
            .await,
        "0",
        "cleared at the caller's end"
    );

    // usp_Bill_InvoiceText: styles 112 and 103, a cursor appending lines with NCHAR(10), RETURN n.
    w.exec("SET @txt = NULL, @rv = NULL").await.unwrap();
    w.exec(&format!("CALL {b}.usp_Bill_InvoiceText(900, @txt, @rv)"))
        .await
        .unwrap();
    assert_eq!(
        w.row("SELECT @txt, @rv").await,
        vec!["INVOICE 900 issued 20240110 due 09/02/2024 total 250.00\n1. Consultation x1.00\n2. Glucose test x2.00", "2"]
    );

    // usp_Bill_ApplyCoverage: SELECT TOP 1 assignment, ROUND over money arithmetic.
    w.exec("SET @cov = NULL").await.unwrap();
    w.exec(&format!("CALL {b}.usp_Bill_ApplyCoverage(900, @cov, @rv)"))
        .await
        .unwrap();
    assert_eq!(w.row("SELECT @cov, @rv").await, vec!["120.0000", "0"]);
    w.exec(&format!("CALL {b}.usp_Bill_ApplyCoverage(901, @cov, @rv)"))
        .await
        .unwrap();
    assert_eq!(w.row("SELECT @cov, @rv").await, vec!["0.0000", "1"]);

    // usp_Bill_PriceLookup: TOP 1 ... ORDER BY EffectiveFrom DESC; NULL @At means now.
    w.exec("SET @price = NULL").await.unwrap();
    w.exec(&format!(
        "CALL {b}.usp_Bill_PriceLookup('GLU', '2023-06-01', @price, @rv)"
    ))
    .await
    .unwrap();
    // User variables print without trailing zeros on seekdb; compare as money.
    assert_eq!(
        w.val("SELECT CAST(@price AS DECIMAL(19,4))").await,
        "8.0000"
    );
    w.exec(&format!(
        "CALL {b}.usp_Bill_PriceLookup('GLU', NULL, @price, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(
        w.val("SELECT CAST(@price AS DECIMAL(19,4))").await,
        "9.5000"
    );
    w.exec("SET @price = NULL").await.unwrap();
    w.exec(&format!(
        "CALL {b}.usp_Bill_PriceLookup('NOPE', NULL, @price, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.row("SELECT @price, @rv").await, vec!["NULL", "1"]);

    // usp_Bill_CreateInvoice: SELECT INTO #lines with ROW_NUMBER(), SUM into OUTPUT, @@ERROR/GOTO.
    w.exec("SET @total = NULL").await.unwrap();
    w.exec(&format!(
        "CALL {b}.usp_Bill_CreateInvoice(902, 2, NULL, @total, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(
        w.row("SELECT CAST(@total AS DECIMAL(18,2)), @rv").await,
        vec!["57.00", "0"]
    );
    assert_eq!(
        w.row(&format!("SELECT COUNT(*), SUM(Quantity * UnitPrice), MIN(LineNo), MAX(LineNo), MIN(Description) FROM {b}.InvoiceLine WHERE InvoiceId = 902")).await,
        vec!["5", "57.000000", "1", "5", "Service GLU"]
    );
    assert_eq!(
        w.val(&format!(
            "SELECT DATEDIFF(DueOn, CURDATE()) FROM {b}.Invoice WHERE InvoiceId = 902"
        ))
        .await,
        "30"
    );
    w.exec(&format!(
        "CALL {b}.usp_Bill_CreateInvoice(903, 1, NULL, @total, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(
        w.row("SELECT CAST(@total AS DECIMAL(18,2)), @rv").await,
        vec!["0.00", "1"]
    );

    // usp_Bill_AddPayment: status from running total; error for non-positive amounts.
    w.exec("SET @st = NULL").await.unwrap();
    w.exec(&format!(
        "CALL {b}.usp_Bill_AddPayment(900, 100, 'CASH', NULL, @st, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.val("SELECT @st").await, "PARTIAL");
    w.exec(&format!(
        "CALL {b}.usp_Bill_AddPayment(900, 150, 'CARD', 'R1', @st, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.val("SELECT @st").await, "PAID");
    assert_eq!(
        w.row(&format!(
            "SELECT Paid, Status FROM {b}.Invoice WHERE InvoiceId = 900"
        ))
        .await,
        vec!["250.0000", "PAID"]
    );
    let e = w
        .exec(&format!(
            "CALL {b}.usp_Bill_AddPayment(900, 0, 'CASH', NULL, @st, @rv)"
        ))
        .await
        .unwrap_err();
    assert!(e.contains("Payment amount must be positive"), "{e}");
    let today = w.val("SELECT DATE_FORMAT(NOW(), '%Y-%m-%d')").await;
    assert_eq!(
        w.rows(&format!(
            "CALL {b}.usp_Bill_DailyTakings(CURDATE(), CURDATE())"
        ))
        .await,
        vec![
            vec![today.clone(), "CARD".into(), "1".into(), "150.0000".into()],
            vec![today, "CASH".into(), "1".into(), "100.0000".into()]
        ]
    );

    // fn_InvoiceBalance, usp_Bill_WriteOff (@@ROWCOUNT under XACT_ABORT), usp_Bill_Reprice (cursor + SUM).
    assert_eq!(
        w.row(&format!(
            "SELECT {b}.fn_InvoiceBalance(901), {b}.fn_InvoiceBalance(999)"
        ))
        .await,
        vec!["30.0000", "0.0000"]
    );
    w.exec("SET @wo = NULL").await.unwrap();
    w.exec(&format!("CALL {b}.usp_Bill_WriteOff(35, @wo)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @wo").await, "1");
    assert_eq!(
        w.val(&format!(
            "SELECT Status FROM {b}.Invoice WHERE InvoiceId = 901"
        ))
        .await,
        "VOID"
    );
    w.exec(&format!("CALL {b}.usp_Bill_Reprice(900, 10)"))
        .await
        .unwrap();
    assert_eq!(
        w.val(&format!(
            "SELECT Total FROM {b}.Invoice WHERE InvoiceId = 900"
        ))
        .await,
        "225.00"
    );

    // Reporting.
    assert_eq!(
        w.rows("CALL {db}.usp_Rpt_WardCensus('2024-01-26')").await,
        t(&[&["Ward A", "3", "0", "0"], &["Ward B", "2", "1", "50"]])
    );
    assert_eq!(
        w.rows("SELECT msg FROM {db}.sluice_print_log WHERE conn = CONNECTION_ID() AND routine = 'usp_Rpt_WardCensus' ORDER BY id").await,
        t(&[&["ward 10: 0"], &["ward 11: 1"]]),
        "PRINT lands in the log table"
    );
    let mut wl = w
        .rows("CALL {db}.usp_Rpt_DeptWorkload('2024-01-01', '2024-01-31')")
        .await;
    wl.sort();
    assert_eq!(
        wl,
        t(&[
            &["Cardiology", "1", "1", "1"],
            &["Emergency", "0", "3", "0"],
            &["Medicine", "1", "1", "0"]
        ])
    );
    assert_eq!(
        w.rows("CALL {db}.usp_Rpt_Readmissions(30)").await,
        t(&[&["1000", "2", "15"]])
    );
    assert_eq!(
        w.rows("CALL {db}.usp_Rpt_TopDiagnoses(1, 2024)").await,
        t(&[&["I10", "Hypertension", "2"]])
    );
    assert_eq!(
        w.rows("CALL {db}.usp_Rpt_WardOccupancy()").await,
        t(&[&["Ward A", "1", "3"], &["Ward B", "2", "2"]])
    );
    assert_eq!(
        w.rows("CALL {db}.usp_Rpt_DepartmentTree()").await,
        t(&[
            &["3", "Administration", "Administration"],
            &["4", "Emergency", "Emergency"],
            &["1", "Medicine", "Medicine"],
            &["2", "  Cardiology", "Medicine > Cardiology"]
        ])
    );
    assert_eq!(
        w.rows("CALL {db}.usp_Rpt_MonthlyVisits(2024)").await,
        t(&[&["1", "January", "2", "1"]])
    );
    w.exec("SET @avg = NULL, @max = NULL").await.unwrap();
    w.exec("CALL {db}.usp_Rpt_LengthOfStay(10, @avg, @max)")
        .await
        .unwrap();
    assert_eq!(
        w.row("SELECT CAST(@avg AS DECIMAL(9,2)), @max").await,
        vec!["6.50", "10"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn triggers_and_legacy_routines_behave_like_sql_server() {
    let mut w = World::new(true).await;

    // trg_Allergy_Audit (AFTER INSERT, DELETE → two row triggers) writes one audit row per row.
    w.exec("INSERT INTO {db}.Allergy (PatientId, Substance, Severity, RecordedAt) VALUES (1002, 'Dust', 1, NOW()), (1002, 'Nuts', 2, NOW())").await.unwrap();
    w.exec("DELETE FROM {db}.Allergy WHERE Substance = 'Dust'")
        .await
        .unwrap();
    assert_eq!(
        w.rows("SELECT Action, Host FROM {db}.AuditLog WHERE TableName = 'Allergy' AND Host LIKE 'patient 1002%' ORDER BY AuditId").await,
        t(&[&["I", "patient 1002: Dust"], &["I", "patient 1002: Nuts"], &["D", "patient 1002: Dust"]])
    );

    // trg_Prescription_Status: IF UPDATE(Status) with inserted JOIN deleted.
    w.exec("SET @rx = NULL, @rv = NULL").await.unwrap();
    w.exec("CALL {db}_pharm.usp_Rx_Prescribe(3, 'PARA', 1, 1, 'g', 'PO', 'QD', 3, @rx, @rv)")
        .await
        .unwrap();
    w.exec("UPDATE {db}_pharm.Prescription SET Refills = 2 WHERE PrescriptionId = @rx")
        .await
        .unwrap();
    w.exec("UPDATE {db}_pharm.Prescription SET Status = 'STOPPED' WHERE PrescriptionId = @rx")
        .await
        .unwrap();
    let rx = w.val("SELECT @rx").await;
    assert_eq!(
        w.rows("SELECT Action, Host FROM {db}.AuditLog WHERE TableName = 'Prescription'")
            .await,
        vec![vec!["U".to_string(), format!("{rx}: ACTIVE -> STOPPED")]]
    );

    // trg_VitalSign_Check: RAISERROR then RETURN in a trigger stops the insert with the message.
    let e = w.exec("INSERT INTO {db}_clin.VitalSign (VisitId, TakenAt, TemperatureC, PulseBpm) VALUES (2, NOW(), 37.0, 350)").await.unwrap_err();
    assert!(e.contains("Implausible vital sign value"), "{e}");
    w.exec("INSERT INTO {db}_clin.VitalSign (VisitId, TakenAt, TemperatureC, PulseBpm) VALUES (2, NOW(), 37.0, 80)").await.unwrap();
    assert_eq!(w.val("SELECT COUNT(*) FROM {db}_clin.VitalSign").await, "1");

    // GBK-encoded legacy script under QUOTED_IDENTIFIER OFF: "..." are strings, (NOLOCK) hints.
    w.exec("SET @vid = NULL, @msg = NULL").await.unwrap();
    w.exec("CALL {db}.usp_Legacy_RegisterVisit('100000', 'MED', @vid, @msg, @rv)")
        .await
        .unwrap();
    assert_eq!(
        w.row(
            "SELECT @msg, @rv, (SELECT ChiefComplaint FROM {db}_clin.Visit WHERE VisitId = @vid)"
        )
        .await,
        vec!["挂号成功", "0", "挂号"]
    );
    w.exec("CALL {db}.usp_Legacy_RegisterVisit('999999', 'MED', @vid, @msg, @rv)")
        .await
        .unwrap();
    assert_eq!(
        w.row("SELECT @msg, @rv").await,
        vec!["病人不存在: 999999", "1"]
    );
    w.exec("CALL {db}.usp_Legacy_RegisterVisit('100000', 'XX', @vid, @msg, @rv)")
        .await
        .unwrap();
    assert_eq!(w.row("SELECT @msg, @rv").await, vec!["科室不存在: XX", "2"]);

    // usp_Legacy_DailyFees: CONVERT(varchar(8), d, 112) comparison, SELECT INTO #fees, ISNULL(SUM()).
    w.exec("SET @tot = NULL").await.unwrap();
    assert_eq!(
        w.rows("CALL {db}.usp_Legacy_DailyFees('2024-01-10 15:00:00', @tot, @rv)")
            .await,
        t(&[&["900", "250.00", "ZhangSan"]])
    );
    assert_eq!(
        w.row("SELECT CAST(@tot AS DECIMAL(19,4)), @rv").await,
        vec!["250.0000", "0"]
    );
    w.exec("CALL {db}.usp_Legacy_DailyFees('2020-01-01', @tot, @rv)")
        .await
        .unwrap();
    assert_eq!(w.val("SELECT CAST(@tot AS DECIMAL(19,4))").await, "0.0000");
}
