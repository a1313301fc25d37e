//! Behaviour on a real seekdb of the structural rewrites: MERGE, UPDATE SET
//! order, row-by-row concatenation, TRY_CONVERT to decimal, FETCH LAST,
//! DELETE/INSERT ... OUTPUT, INSERT ... EXEC of a procedure without result
//! sets, the trigger veto idiom (the original corpus), and CROSS/OUTER
//! APPLY, PIVOT, UNPIVOT, inline table-valued functions in FROM/APPLY
//! (`examples/routines/10_rewrites.sql`). Expected values follow SQL
//! Server's documented semantics.

mod common;
use common::{t, World};

#[tokio::test(flavor = "multi_thread")]
async fn rewritten_corpus_objects_behave_like_sql_server() {
    let mut w = World::new(true).await;
    let (b, d) = ("{db}_bill", "{db}");

    // MERGE → UPDATE ... JOIN then INSERT ... WHERE NOT EXISTS: the first
    // call inserts today's price, the second updates it (no duplicate).
    w.exec(&format!("CALL {d}.usp_Flag_MergePriceList('GLU', 12)"))
        .await
        .unwrap();
    w.exec(&format!("CALL {d}.usp_Flag_MergePriceList('GLU', 13)"))
        .await
        .unwrap();
    assert_eq!(
        w.rows(&format!("SELECT Price, Currency FROM {b}.PriceList WHERE ServiceCode = 'GLU' AND EffectiveFrom = CURDATE()")).await,
        t(&[&["13.0000", "CNY"]])
    );
    assert_eq!(
        w.val(&format!(
            "SELECT COUNT(*) FROM {b}.PriceList WHERE ServiceCode = 'GLU'"
        ))
        .await,
        "3"
    );

    // trg_Payment_Apply: Status reads the old Paid (0 + 130 < 250: PARTIAL;
    // left-to-right assignment would have read 130 + 130 and said PAID).
    w.exec(&format!("INSERT INTO {b}.Payment (InvoiceId, PaidAt, Amount, Method) VALUES (900, '2024-01-11 09:00:00', 130, 'CASH')")).await.unwrap();
    assert_eq!(
        w.row(&format!(
            "SELECT Paid, Status FROM {b}.Invoice WHERE InvoiceId = 900"
        ))
        .await,
        vec!["130.0000", "PARTIAL"]
    );
    w.exec(&format!("INSERT INTO {b}.Payment (InvoiceId, PaidAt, Amount, Method) VALUES (900, '2024-01-12 09:00:00', 120, 'CARD')")).await.unwrap();
    assert_eq!(
        w.row(&format!(
            "SELECT Paid, Status FROM {b}.Invoice WHERE InvoiceId = 900"
        ))
        .await,
        vec!["250.0000", "PAID"]
    );

    // trg_Staff_NoDelete: the veto undoes the DELETE and reports the message.
    let e = w
        .exec(&format!("DELETE FROM {d}.Staff WHERE StaffId = 2"))
        .await
        .unwrap_err();
    assert!(e.contains("Staff rows are never deleted"), "{e}");
    assert_eq!(w.val(&format!("SELECT COUNT(*) FROM {d}.Staff")).await, "2");

    // TRY_CONVERT(decimal(10,3), @Text): rounds to the scale; NULL for text,
    // '', exponents and integer parts beyond 7 digits (also after rounding).
    for (text, want) in [
        ("12.3456", "12.346"),
        (" -3.5 ", "-3.500"),
        ("+.5", "0.500"),
        ("7.", "7.000"),
        ("9999999.999", "9999999.999"),
        ("9999999.9996", "NULL"),
        ("12345678", "NULL"),
        ("abc", "NULL"),
        ("", "NULL"),
        ("1e5", "NULL"),
        ("1,5", "NULL"),
    ] {
        w.exec("SET @dose = 99").await.unwrap();
        w.exec(&format!("CALL {d}.usp_Flag_ParseDose('{text}', @dose)"))
            .await
            .unwrap();
        assert_eq!(w.val("SELECT @dose").await, want, "TRY_CONVERT of '{text}'");
    }
    w.exec(&format!("CALL {d}.usp_Flag_ParseDose(NULL, @dose)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @dose").await, "NULL");

    // SELECT @List = @List + Substance + '; ' ORDER BY Substance.
    w.exec(&format!("INSERT INTO {d}.Allergy (PatientId, Substance, Severity, RecordedAt) VALUES (1000, 'Aspirin', 2, '2021-01-01 10:00:00')")).await.unwrap();
    w.exec("SET @list = 'x'").await.unwrap();
    w.exec(&format!("CALL {d}.usp_Flag_ConcatRows(1000, @list)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @list").await, "Aspirin; Penicillin; ");
    w.exec(&format!("CALL {d}.usp_Flag_ConcatRows(1002, @list)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @list").await, "", "no rows: stays N''");

    // FETCH LAST of a SCROLL cursor ordered by PatientId.
    assert_eq!(
        w.rows(&format!("CALL {d}.usp_Flag_ScrollCursor()")).await,
        t(&[&["1002"]])
    );

    // DELETE ... OUTPUT deleted.*: the deleted rows come back, and are gone.
    w.exec(&format!("INSERT INTO {d}.AuditLog (TableName, Action, ChangedAt, ChangedBy) VALUES ('A', 'U', '2020-01-01', 'x'), ('B', 'U', '2020-06-01', 'x'), ('C', 'U', '2030-01-01', 'x')")).await.unwrap();
    let before = w.val(&format!("SELECT COUNT(*) FROM {d}.AuditLog")).await;
    let out = w
        .rows(&format!(
            "CALL {d}.usp_Flag_DeleteReturning('2021-01-01 00:00:00')"
        ))
        .await;
    let names: Vec<&str> = out.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, vec!["A", "B"]);
    assert_eq!(
        w.val(&format!("SELECT COUNT(*) FROM {d}.AuditLog")).await,
        (before.parse::<i64>().unwrap() - 2).to_string()
    );

    // INSERT #r EXEC of a procedure that sends no result set: #r stays empty.
    let sets = w
        .sets(&format!("CALL {d}.usp_Flag_CaptureResults(2)"))
        .await
        .unwrap();
    assert_eq!(sets.len(), 1);
    assert!(sets[0].is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn extension_corpus_rewrites_behave_like_sql_server() {
    let mut w = World::new(true).await;
    let (c, l, b, p, d) = ("{db}_clin", "{db}_lab", "{db}_bill", "{db}_pharm", "{db}");
    w.exec(&format!("INSERT INTO {l}.LabResult (ResultId, SpecimenId, TestCode, ValueNumeric, Flag, ResultedAt) VALUES (1, 500, 'GLU', 5.0, 'N', '2024-01-25 10:00:00'), (2, 501, 'GLU', 13, 'HH', '2024-01-25 11:00:00'), (3, 500, 'K', 6.0, 'H', '2024-01-25 10:00:00'), (4, 500, 'K', 4.0, NULL, '2024-01-25 09:00:00')")).await.unwrap();
    w.exec(&format!("INSERT INTO {c}.VitalSign (VitalId, VisitId, TakenAt, TemperatureC, PulseBpm, SystolicMmHg, DiastolicMmHg) VALUES (1, 1, '2024-01-10 09:05:00', 36.6, 72, 120, 80), (2, 1, '2024-01-10 10:05:00', 37.1, 80, NULL, 85)")).await.unwrap();

    // A multi-statement TVF made one query, read in FROM by its caller.
    w.exec("SET @total = NULL").await.unwrap();
    assert_eq!(
        w.rows(&format!("CALL {b}.usp_Bill_PatientOpenItems(1000, @total)"))
            .await,
        t(&[&["900", "250.0000"]])
    );
    assert_eq!(w.val("SELECT @total").await, "250.0000");
    w.exec(&format!("CALL {b}.usp_Bill_PatientOpenItems(1002, @total)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @total").await, "0.0000");
    // ... and CALLed directly: AgeDays is never negative (the UPDATE).
    assert_eq!(
        w.rows(&format!("CALL {b}.fn_Bill_OpenItems(1001)")).await[0][..2],
        ["901".to_string(), "30.0000".to_string()]
    );
    w.exec(&format!(
        "UPDATE {b}.Invoice SET IssuedAt = NOW() + INTERVAL 3 DAY WHERE InvoiceId = 901"
    ))
    .await
    .unwrap();
    assert_eq!(
        w.rows(&format!("CALL {b}.fn_Bill_OpenItems(1001)")).await,
        t(&[&["901", "30.0000", "0"]])
    );

    // CROSS APPLY (TOP 1 ... ORDER BY): tests without results drop out.
    assert_eq!(
        w.rows(&format!("CALL {l}.usp_Lab_LatestPerTest(2)")).await,
        t(&[
            &["GLU", "Glucose", "2", "13.000000", "HH"],
            &["K", "Potassium", "4", "4.000000", "NULL"]
        ])
    );
    // OUTER APPLY: a visit without vitals keeps its row with NULLs.
    assert_eq!(
        w.rows(&format!("CALL {c}.usp_Clin_LastVitals(1000)")).await,
        t(&[
            &["1", "2024-01-10 10:05:00", "37.1", "80"],
            &["2", "NULL", "NULL", "NULL"]
        ])
    );
    // UNPIVOT: NULL readings are left out.
    assert_eq!(
        w.rows(&format!("CALL {c}.usp_Clin_VitalsAsRows(1)")).await,
        t(&[
            &["1", "Diastolic", "80.0"],
            &["1", "Pulse", "72.0"],
            &["1", "Systolic", "120.0"],
            &["2", "Diastolic", "85.0"],
            &["2", "Pulse", "80.0"]
        ])
    );
    // PIVOT: one row per invoice, NULL where a method has no payment.
    w.exec(&format!("INSERT INTO {b}.Payment (InvoiceId, PaidAt, Amount, Method) VALUES (900, '2024-01-11 09:00:00', 30, 'CASH'), (900, '2024-01-11 10:00:00', 20, 'CASH'), (901, '2024-01-12 09:00:00', 5, 'CARD'), (901, '2024-02-12 09:00:00', 7, 'CARD')")).await.unwrap();
    assert_eq!(
        w.rows(&format!(
            "CALL {b}.usp_Bill_PaymentsByMethod('2024-01-01', '2024-01-31')"
        ))
        .await,
        t(&[
            &["900", "50.0000", "NULL", "NULL"],
            &["901", "NULL", "5.0000", "NULL"]
        ])
    );

    // MERGE with MATCHED AND cond UPDATE and NOT MATCHED BY SOURCE UPDATE;
    // @@ROWCOUNT is the sum of both actions.
    w.exec(&format!(
        "UPDATE {b}.Invoice SET Total = 200, Paid = 0, Status = 'OPEN' WHERE InvoiceId = 900"
    ))
    .await
    .unwrap();
    w.exec(&format!("INSERT INTO {b}.Invoice (InvoiceId, VisitId, IssuedAt, DueOn, Total, Paid, Status) VALUES (902, 2, '2024-01-26 10:00:00', '2024-02-26', 30, 0, 'OPEN')")).await.unwrap();
    w.exec("SET @changed = NULL").await.unwrap();
    w.exec(&format!("CALL {b}.usp_Bill_RefreshInvoiceTotals(@changed)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @changed").await, "2");
    assert_eq!(
        w.rows(&format!(
            "SELECT InvoiceId, Total, Status FROM {b}.Invoice ORDER BY InvoiceId"
        ))
        .await,
        t(&[
            &["900", "250.00", "OPEN"],
            &["901", "40.00", "PARTIAL"],
            &["902", "0.00", "OPEN"]
        ])
    );
    w.exec(&format!("CALL {b}.usp_Bill_RefreshInvoiceTotals(@changed)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @changed").await, "0");

    // MERGE with two MATCHED clauses: a zero count deletes the lot, another
    // count updates it; RETURN @@ROWCOUNT.
    w.exec("SET @rv = NULL").await.unwrap();
    w.exec(&format!(
        "CALL {p}.usp_Pharm_StockCount('PARA', 'P2', 0, '2024-02-01 08:00', @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "1");
    w.exec(&format!(
        "CALL {p}.usp_Pharm_StockCount('PARA', 'P1', 80, '2024-02-01 08:00', @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "1");
    w.exec(&format!(
        "CALL {p}.usp_Pharm_StockCount('NONE', 'X', 5, '2024-02-01 08:00', @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "0");
    assert_eq!(
        w.rows(&format!(
            "SELECT DrugCode, LotNo, OnHand, LastCounted FROM {p}.Inventory ORDER BY DrugCode, LotNo"
        ))
        .await,
        t(&[
            &["MORPH", "M1", "3", "NULL"],
            &["PARA", "P1", "80", "2024-02-01 08:00:00"]
        ])
    );

    // INSERT ... OUTPUT inserted.* INTO @t: the new identity comes back.
    let rows = w
        .rows(&format!(
            "CALL {d}.usp_Reg_AddAllergyLogged(1001, 'Latex', 2, '2024-03-01 10:00')"
        ))
        .await;
    let id = w
        .val(&format!(
            "SELECT AllergyId FROM {d}.Allergy WHERE Substance = 'Latex'"
        ))
        .await;
    assert_eq!(rows, t(&[&[id.as_str(), "2024-03-01 10:00:00"]]));
    assert_eq!(
        w.val(&format!(
            "SELECT Host FROM {d}.AuditLog WHERE TableName = 'Allergy' AND ChangedBy = 'registration'"
        ))
        .await,
        id
    );

    // INSERT #f EXEC of a procedure returning rows: its copy inserts them.
    assert_eq!(
        w.rows(&format!("CALL {l}.usp_Lab_FlagSummary(1000)")).await,
        t(&[&["H", "1"], &["HH", "1"], &["N", "1"]])
    );
    assert_eq!(
        w.val(&format!(
            "SELECT COUNT(*) FROM {l}.sluice_wt_usp_Lab_FlagSummary_f"
        ))
        .await,
        "0",
        "the work table is cleared on exit"
    );

    // An inline table-valued function in CROSS APPLY and in FROM.
    assert_eq!(
        w.rows(&format!("CALL {l}.usp_Lab_VisitAbnormalList(1000)"))
            .await,
        t(&[&["2", "GLU", "N"], &["2", "GLU", "HH"], &["2", "K", "H"]])
    );
    assert_eq!(
        w.rows(&format!("CALL {l}.usp_Lab_VisitFlagCount(2)")).await,
        t(&[&["NULL", "1"], &["H", "1"], &["HH", "1"], &["N", "1"]])
    );
}
