//! Behaviour of converted registration, order and visit routines on a real
//! seekdb, against results written down from SQL Server's documented
//! semantics (noted per check).

mod common;
use common::{t, World};

#[tokio::test(flavor = "multi_thread")]
async fn registration_routines_behave_like_sql_server() {
    let mut w = World::new(true).await;

    // usp_Patient_Register: new MRN → 0, id from SCOPE_IDENTITY, address row; UPPER(sex), ISNULL(given, N'').
    w.exec("SET @pid = NULL, @rv = NULL").await.unwrap();
    w.exec("CALL {db}.usp_Patient_Register('100010', 'Chen', NULL, 'm', '1975-05-05', NULL, @pid, @rv)").await.unwrap();
    let r = w.row("SELECT @pid, @rv").await;
    assert_eq!(r[1], "0");
    let pid = r[0].clone();
    assert_eq!(
        w.row(&format!(
            "SELECT Mrn, GivenName, Sex FROM {{db}}.Patient WHERE PatientId = {pid}"
        ))
        .await,
        vec!["100010", "", "M"]
    );
    assert_eq!(
        w.rows(&format!(
            "SELECT Kind, Line1 FROM {{db}}.PatientAddress WHERE PatientId = {pid}"
        ))
        .await,
        t(&[&["HOME", "(unknown)"]])
    );
    // Existing MRN: SELECT @PatientId = ... then RETURN 1.
    w.exec(
        "CALL {db}.usp_Patient_Register('100000', 'Dup', NULL, 'M', '1975-05-05', NULL, @pid, @rv)",
    )
    .await
    .unwrap();
    assert_eq!(w.row("SELECT @pid, @rv").await, vec!["1000", "1"]);

    // usp_Patient_UpdatePhone: LTRIM/RTRIM, @@ROWCOUNT into OUTPUT; RAISERROR + RETURN 1 when nothing updated.
    w.exec("SET @u = NULL").await.unwrap();
    w.exec("CALL {db}.usp_Patient_UpdatePhone(1001, '  555-9  ', @u, @rv)")
        .await
        .unwrap();
    assert_eq!(w.row("SELECT @u, @rv").await, vec!["1", "0"]);
    assert_eq!(
        w.val("SELECT Phone FROM {db}.Patient WHERE PatientId = 1001")
            .await,
        "555-9"
    );
    let e = w
        .exec("CALL {db}.usp_Patient_UpdatePhone(9999, '1', @u, @rv)")
        .await
        .unwrap_err();
    assert!(
        e.contains("Patient 9999 not found") && e.contains("30000"),
        "{e}"
    );

    // usp_Patient_Search: dynamic SQL built conditionally, parameters by name.
    assert_eq!(
        w.rows("CALL {db}.usp_Patient_Search('Z%', NULL, NULL)")
            .await,
        t(&[
            &["1000", "100000", "Zhang", "San"],
            &["1002", "100002", "Zhao", "Liu"]
        ])
    );
    assert_eq!(
        w.rows("CALL {db}.usp_Patient_Search(NULL, 'F', '1995-01-01')")
            .await,
        t(&[&["1002", "100002", "Zhao", "Liu"]])
    );

    // usp_Patient_GetSummary: + concatenation, ISNULL, CONVERT(varchar(10), date, 120), COUNT into OUTPUT.
    w.exec("SET @s = NULL, @vc = NULL").await.unwrap();
    w.exec("CALL {db}.usp_Patient_GetSummary(1000, @s, @vc, @rv)")
        .await
        .unwrap();
    assert_eq!(
        w.row("SELECT @s, @vc, @rv").await,
        vec!["Zhang San (M, born 1980-02-29, 2 visits)", "2", "0"]
    );
    // NULL given name: ISNULL → '' so two spaces.
    w.exec("CALL {db}.usp_Patient_GetSummary(1001, @s, @vc, @rv)")
        .await
        .unwrap();
    assert_eq!(
        w.row("SELECT @s, @vc").await,
        vec!["Li  (F, born 1990-12-31, 1 visits)", "1"]
    );
    // Unknown patient: no row leaves @name NULL → RETURN 1.
    w.exec("CALL {db}.usp_Patient_GetSummary(4242, @s, @vc, @rv)")
        .await
        .unwrap();
    assert_eq!(w.row("SELECT @s, @vc, @rv").await, vec!["NULL", "0", "1"]);

    // fn_FormatName: LEN ignores trailing spaces, so a blank given name adds nothing.
    assert_eq!(
        w.row("SELECT {db}.fn_FormatName(' Zhang ', 'San'), {db}.fn_FormatName('Li', '   '), {db}.fn_FormatName(NULL, NULL)").await,
        vec!["Zhang, San", "Li", ""]
    );
    // fn_AgeAt: DATEDIFF(year) counts boundaries; DATEADD clamps Feb 29.
    assert_eq!(
        w.row("SELECT {db}.fn_AgeAt('1980-02-29', '2024-02-28'), {db}.fn_AgeAt('1980-02-29', '2024-02-29'), {db}.fn_AgeAt('2000-12-31', '2001-01-01')").await,
        vec!["43", "44", "0"]
    );

    // usp_Allergy_Add: unknown patient → error; existing substance keeps the higher severity, returns 1.
    w.exec("SET @aid = NULL").await.unwrap();
    let e = w
        .exec("CALL {db}.usp_Allergy_Add(4242, 'Latex', 2, NULL, @aid, @rv)")
        .await
        .unwrap_err();
    assert!(e.contains("Unknown patient 4242"), "{e}");
    w.exec("CALL {db}.usp_Allergy_Add(1000, 'Penicillin', 2, NULL, @aid, @rv)")
        .await
        .unwrap();
    assert_eq!(w.row("SELECT @rv").await, vec!["1"]);
    assert_eq!(
        w.val(
            "SELECT Severity FROM {db}.Allergy WHERE PatientId = 1000 AND Substance = 'Penicillin'"
        )
        .await,
        "3"
    );
    w.exec("CALL {db}.usp_Allergy_Add(1000, 'Penicillin', 4, NULL, @aid, @rv)")
        .await
        .unwrap();
    assert_eq!(
        w.val(
            "SELECT Severity FROM {db}.Allergy WHERE PatientId = 1000 AND Substance = 'Penicillin'"
        )
        .await,
        "4"
    );
    w.exec("CALL {db}.usp_Allergy_Add(1002, 'Latex', 1, NULL, @aid, @rv)")
        .await
        .unwrap();
    assert_eq!(
        w.row("SELECT @rv, @aid = (SELECT AllergyId FROM {db}.Allergy WHERE Substance = 'Latex')")
            .await,
        vec!["0", "1"]
    );

    // vw_PatientDirectory: CONVERT(char(8), date, 112), ISNULL(phone, 'n/a'); deceased excluded.
    assert_eq!(
        w.rows("SELECT PatientId, DisplayName, BirthDateText, Phone FROM {db}.vw_PatientDirectory WHERE PatientId < 1003 ORDER BY PatientId").await,
        t(&[&["1000", "Zhang San", "19800229", "555-0100"], &["1001", "Li ", "19901231", "555-9"], &["1002", "Zhao Liu", "20010715", "555-0102"]])
    );

    // usp_Patient_MarkDeceased: THROW 50010 inside TRY → CATCH rolls back and re-throws.
    let e = w
        .exec("CALL {db}.usp_Patient_MarkDeceased(4242, '2024-01-01 00:00:00')")
        .await
        .unwrap_err();
    assert!(
        e.contains("Patient not found") && e.contains("30010"),
        "THROW 50010 comes back as 30010: {e}"
    );
    w.exec("CALL {db}.usp_Patient_MarkDeceased(1001, '2024-02-01 12:00:00')")
        .await
        .unwrap();
    assert_eq!(
        w.row("SELECT IsDeceased, DeceasedAt FROM {db}.Patient WHERE PatientId = 1001")
            .await,
        vec!["1", "2024-02-01 12:00:00"]
    );
    assert_eq!(
        w.val("SELECT COUNT(*) FROM {db}.vw_PatientDirectory WHERE PatientId = 1001")
            .await,
        "0"
    );

    // usp_Address_SetCurrent: UPDATE ... FROM join closes the old row, inserts the new one, in one transaction.
    w.exec("CALL {db}.usp_Address_SetCurrent(1000, 'HOME', 'No. 1 Road', 'Hangzhou', '310000')")
        .await
        .unwrap();
    w.exec("CALL {db}.usp_Address_SetCurrent(1000, 'HOME', 'No. 2 Road', 'Hangzhou', NULL)")
        .await
        .unwrap();
    assert_eq!(
        w.rows("SELECT Line1, ValidTo IS NULL FROM {db}.PatientAddress WHERE PatientId = 1000 ORDER BY AddressId").await,
        t(&[&["No. 1 Road", "0"], &["No. 2 Road", "1"]])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn order_and_visit_routines_behave_like_sql_server() {
    let mut w = World::new(true).await;
    let c = "{db}_clin";

    // usp_Visit_Open: SELECT TOP 1 @v = ... ORDER BY DESC picks the latest visit; within 30 days → readmission.
    w.exec("SET @vid = NULL, @rv = NULL").await.unwrap();
    w.exec(&format!(
        "CALL {c}.usp_Visit_Open(1001, 'OP', 1, NULL, 'cough', @vid, @rv)"
    ))
    .await
    .unwrap();
    let vid = w.val("SELECT @vid").await;
    // Patient 1001's last visit ended 2024-01-01: long ago → not a readmission.
    assert_eq!(
        w.row(&format!(
            "SELECT IsReadmission, ChiefComplaint FROM {c}.Visit WHERE VisitId = {vid}"
        ))
        .await,
        vec!["0", "cough"]
    );
    w.exec(&format!(
        "UPDATE {c}.Visit SET EndedAt = NOW(3) + INTERVAL 1 SECOND WHERE VisitId = {vid}"
    ))
    .await
    .unwrap();
    w.exec(&format!(
        "CALL {c}.usp_Visit_Open(1001, 'OP', 1, NULL, NULL, @vid, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(
        w.val(&format!(
            "SELECT IsReadmission FROM {c}.Visit WHERE VisitId = @vid"
        ))
        .await,
        "1"
    );

    // usp_Visit_Start: EXEC @rc = proc with named arguments → CALL with positions and defaults; then EXEC positional.
    w.exec(&format!("CALL {c}.usp_Visit_Start(1002, 4, @vid, @rv)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "0");
    assert_eq!(
        w.rows(&format!("SELECT v.VisitType, v.DepartmentId, o.OrderType, o.Priority, i.ItemCode FROM {c}.Visit v JOIN {c}.`Order` o ON o.VisitId = v.VisitId JOIN {c}.`Order Item` i ON i.OrderId = o.OrderId WHERE v.VisitId = @vid")).await,
        t(&[&["OP", "4", "TRIAGE", "U", "VITALS"]])
    );

    // usp_Order_Create: the table variable is filled by a CHARINDEX/SUBSTRING loop; identity numbers lines.
    w.exec("SET @oid = NULL").await.unwrap();
    w.exec(&format!("CALL {c}.usp_Order_Create(2, 1, 'LAB', DEFAULT_PLACEHOLDER, ' GLU , K,,NA ', @oid, @rv)").replace("DEFAULT_PLACEHOLDER", "'R'")).await.unwrap();
    assert_eq!(w.val("SELECT @rv").await, "0");
    assert_eq!(
        w.rows(&format!("SELECT LineNo, ItemCode, Quantity FROM {c}.`Order Item` WHERE OrderId = @oid ORDER BY LineNo")).await,
        t(&[&["1", "GLU", "1.00"], &["2", "K", "1.00"], &["3", "NA", "1.00"]])
    );
    // The work table holds nothing for this connection after the call.
    assert_eq!(w.val(&format!("SELECT COUNT(*) FROM {c}.sluice_wt_usp_Order_Create_lines WHERE sluice_conn = CONNECTION_ID()")).await, "0");
    let e = w
        .exec(&format!(
            "CALL {c}.usp_Order_Create(2, 1, 'LAB', 'R', ' , ', @oid, @rv)"
        ))
        .await
        .unwrap_err();
    assert!(e.contains("Order has no items"), "{e}");

    // usp_Order_Cancel: %s placeholder; comment built with ISNULL(Comment + ' | ', '').
    let e = w
        .exec(&format!("CALL {c}.usp_Order_Cancel(2, 'dup', @rv)"))
        .await
        .unwrap_err();
    assert!(
        e.contains("Order cannot be cancelled in status DONE"),
        "{e}"
    );
    let e = w
        .exec(&format!("CALL {c}.usp_Order_Cancel(77, 'x', @rv)"))
        .await
        .unwrap_err();
    assert!(
        e.contains("Order 77 not found"),
        "%I64d prints the number: {e}"
    );
    w.exec(&format!("CALL {c}.usp_Order_Cancel(1, 'duplicate', @rv)"))
        .await
        .unwrap();
    assert_eq!(
        w.row(&format!(
            "SELECT Status, Comment FROM {c}.`Order` WHERE OrderId = 1"
        ))
        .await,
        vec!["CANCELLED", "Cancelled: duplicate"]
    );
    w.exec(&format!(
        "UPDATE {c}.`Order` SET Status = 'NEW' WHERE OrderId = 1"
    ))
    .await
    .unwrap();
    w.exec(&format!("CALL {c}.usp_Order_Cancel(1, 'again', @rv)"))
        .await
        .unwrap();
    assert_eq!(
        w.val(&format!(
            "SELECT Comment FROM {c}.`Order` WHERE OrderId = 1"
        ))
        .await,
        "Cancelled: duplicate | Cancelled: again"
    );

    // usp_Order_AddItem: ISNULL(MAX(LineNo), 0) + 1.
    w.exec("SET @ln = NULL").await.unwrap();
    w.exec(&format!("CALL {c}.usp_Order_AddItem(2, 'na', 2.5, @ln)"))
        .await
        .unwrap();
    assert_eq!(w.val("SELECT @ln").await, "2");
    assert_eq!(w.row(&format!("SELECT ItemCode, Quantity, Unit FROM {c}.`Order Item` WHERE OrderId = 2 AND LineNo = 2")).await, vec!["NA", "2.50", "EA"]);

    // usp_Order_ListOpen: TOP (@n) → LIMIT; ORDER BY CASE priority; concatenation with ISNULL(' ' + NULL, '').
    w.exec(&format!(
        "UPDATE {c}.`Order` SET Status = 'NEW', Priority = 'S' WHERE OrderId = 2"
    ))
    .await
    .unwrap();
    let rows = w.rows(&format!("CALL {c}.usp_Order_ListOpen(2, 1)")).await;
    assert_eq!(
        rows,
        t(&[&[
            "2",
            "LAB",
            "S",
            "2024-01-25 10:00:00",
            "100000",
            "Zhang San"
        ]])
    );

    // usp_Admission_Assign: @@ROWCOUNT <> 1 → ROLLBACK + RAISERROR with %s/%d; success → bed occupied.
    w.exec("SET @aid = NULL").await.unwrap();
    let e = w
        .exec(&format!(
            "CALL {c}.usp_Admission_Assign(2, 11, 'B2', @aid, @rv)"
        ))
        .await
        .unwrap_err();
    assert!(e.contains("Bed B2 in ward 11 is not available"), "{e}");
    w.exec(&format!(
        "CALL {c}.usp_Admission_Assign(2, 10, 'A3', @aid, @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(
        w.val("SELECT Status FROM {db}.Bed WHERE WardId = 10 AND BedNo = 'A3'")
            .await,
        "O"
    );
    let aid = w.val("SELECT @aid").await;

    // usp_Admission_Discharge: TRY/CATCH → CATCH re-raises with ERROR_MESSAGE() prefixed; success frees the bed.
    let e = w
        .exec(&format!(
            "CALL {c}.usp_Admission_Discharge(999, 'HOME', @rv)"
        ))
        .await
        .unwrap_err();
    assert!(
        e.contains("Discharge failed: Admission not found or already discharged"),
        "{e}"
    );
    w.exec(&format!(
        "CALL {c}.usp_Admission_Discharge({aid}, 'HOME', @rv)"
    ))
    .await
    .unwrap();
    assert_eq!(w.val("SELECT @rv").await, "0");
    assert_eq!(
        w.val("SELECT Status FROM {db}.Bed WHERE WardId = 10 AND BedNo = 'A3'")
            .await,
        "C"
    );

    // fn_StayDays: DATEDIFF(day) counts midnights; +1.
    assert_eq!(
        w.val(&format!(
            "SELECT {c}.fn_StayDays('2023-12-31 23:30:00', '2024-01-01 00:10:00')"
        ))
        .await,
        "2"
    );
    // vw_OpenOrders counts items per open order.
    assert_eq!(
        w.rows(&format!(
            "SELECT OrderId, Items FROM {c}.vw_OpenOrders WHERE OrderId IN (1, 2) ORDER BY OrderId"
        ))
        .await,
        t(&[&["2", "2"]])
    );
}
