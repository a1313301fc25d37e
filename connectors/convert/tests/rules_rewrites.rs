//! The structural rewrites, one test per rule: the T-SQL in, the MySQL text
//! out, the status, and the flags (with their lines) where no faithful
//! rewrite exists. No server needed (`behaviour_rewrites.rs` runs them).

use sluice_convert::routine::Status;
use sluice_convert::{convert, ObjectReport, Options, ScriptFile};

const SCHEMA: &str =
    "CREATE TABLE dbo.T (Id int IDENTITY(1,1) NOT NULL, Name nvarchar(50) NULL, Qty int NULL, \
Price decimal(10,2) NULL, At datetime NULL, D date NULL, Code varchar(10) NULL)\nGO\n\
CREATE TABLE dbo.U (Id int NOT NULL, Note varchar(100) NULL)\nGO\n";

fn conv_all(src: &str) -> Vec<ObjectReport> {
    let scripts = vec![ScriptFile {
        path: "t.sql".into(),
        text: src.into(),
    }];
    let schema = vec![ScriptFile {
        path: "schema.sql".into(),
        text: SCHEMA.into(),
    }];
    convert(
        &scripts,
        &schema,
        &Options {
            database: Some("h".into()),
        },
    )
    .objects
}

fn proc_body(body: &str) -> ObjectReport {
    let mut v = conv_all(&format!(
        "CREATE PROCEDURE dbo.p @a int = 1, @s varchar(20) = NULL, @o int OUTPUT AS\n{body}\n"
    ));
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn flag_line(o: &ObjectReport, rule: &str) -> Option<u32> {
    (o.converted.status == Status::Manual)
        .then(|| {
            o.converted
                .findings
                .iter()
                .find(|f| f.rule == rule)
                .map(|f| f.line)
        })
        .flatten()
}

fn pos(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{hay}"))
}

#[test]
fn merge_becomes_delete_update_insert_in_an_order_where_no_action_sees_another() {
    let o = proc_body(
        "MERGE dbo.T AS t USING dbo.U AS u ON t.Id = u.Id\n\
         WHEN MATCHED AND u.Note IS NULL THEN DELETE\n\
         WHEN MATCHED THEN UPDATE SET Name = u.Note, Qty = t.Qty + 1\n\
         WHEN NOT MATCHED BY SOURCE AND t.Qty > 5 THEN UPDATE SET Qty = 0;\n\
         SET @o = @@ROWCOUNT",
    );
    assert_eq!(
        o.converted.status,
        Status::Review,
        "{:?}",
        o.converted.findings
    );
    let x = &o.target;
    // A target row matched twice raises SQL Server's 8672.
    let guard = pos(x, "IF (SELECT COUNT(*) FROM `h`.`T` AS `t` JOIN `h`.`U` AS `u` ON `t`.`Id` = `u`.`Id`) > (SELECT COUNT(*) FROM `h`.`T` AS `t` WHERE EXISTS (SELECT 1 FROM `h`.`U` AS `u` WHERE `t`.`Id` = `u`.`Id`)) THEN");
    assert!(x.contains("MYSQL_ERRNO = 8672"));
    let by_source = pos(x, "UPDATE `h`.`T` AS `t` SET `t`.`Qty` = 0 WHERE NOT EXISTS (SELECT 1 FROM `h`.`U` AS `u` WHERE `t`.`Id` = `u`.`Id`) AND (`t`.`Qty` > 5);");
    let del = pos(x, "DELETE `t` FROM `h`.`T` AS `t` JOIN `h`.`U` AS `u` ON `t`.`Id` = `u`.`Id` WHERE (`u`.`Note` IS NULL);");
    // The second MATCHED clause takes only rows the first did not.
    let upd = pos(x, "UPDATE `h`.`T` AS `t` JOIN `h`.`U` AS `u` ON `t`.`Id` = `u`.`Id` SET `t`.`Name` = `u`.`Note`, `t`.`Qty` = `t`.`Qty` + 1 WHERE NOT IFNULL((`u`.`Note` IS NULL), FALSE);");
    assert!(guard < by_source && by_source < del && del < upd);
    // @@ROWCOUNT is the sum over the actions.
    assert_eq!(
        x.matches("SET v_rowcount = v_rowcount + ROW_COUNT();")
            .count(),
        3
    );
    assert!(x.contains("SET p_o = v_rowcount;"));

    // NOT MATCHED → INSERT ... WHERE NOT EXISTS, after the UPDATE; a one-row
    // source needs no duplicate guard.
    let i = proc_body(
        "MERGE INTO dbo.U u USING (SELECT @a AS Id, @s AS Note) AS s ON u.Id = s.Id\n\
         WHEN MATCHED THEN UPDATE SET Note = s.Note\n\
         WHEN NOT MATCHED BY TARGET AND s.Note IS NOT NULL THEN INSERT (Id, Note) VALUES (s.Id, s.Note);",
    );
    let x = &i.target;
    assert!(!x.contains("8672"), "{x}");
    let upd = pos(x, "UPDATE `h`.`U` AS `u` JOIN (SELECT p_a AS `Id`, p_s AS `Note`) AS `s` ON `u`.`Id` = `s`.`Id` SET `u`.`Note` = `s`.`Note`;");
    let ins = pos(x, "INSERT INTO `h`.`U` (`Id`, `Note`) SELECT `s`.`Id`, `s`.`Note` FROM (SELECT p_a AS `Id`, p_s AS `Note`) AS `s` WHERE NOT EXISTS (SELECT 1 FROM `h`.`U` AS `u` WHERE `u`.`Id` = `s`.`Id`) AND (`s`.`Note` IS NOT NULL);");
    assert!(upd < ins);
}

#[test]
fn merge_is_flagged_where_the_actions_would_see_each_other() {
    let cases = [
        // UPDATE of a column the ON condition reads.
        "MERGE dbo.U AS t USING dbo.T AS s ON t.Id = s.Id WHEN MATCHED THEN UPDATE SET Id = s.Qty;",
        // MATCHED DELETE with NOT MATCHED INSERT.
        "MERGE dbo.U AS t USING dbo.T AS s ON t.Id = s.Id WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (Id) VALUES (s.Id);",
        // TOP, NEWID() in the source.
        "MERGE TOP (1) dbo.U AS t USING dbo.T AS s ON t.Id = s.Id WHEN MATCHED THEN DELETE;",
        "MERGE dbo.U AS t USING (SELECT NEWID() AS g, 1 AS Id) AS s ON t.Id = s.Id WHEN MATCHED THEN DELETE;",
    ];
    for c in cases {
        let o = proc_body(&format!("SET @o = 0\n{c}"));
        assert_eq!(
            flag_line(&o, "merge.unsupported"),
            Some(3),
            "{c}: {:?}",
            o.converted.findings
        );
    }
    let out = proc_body("MERGE dbo.U AS t USING dbo.T AS s ON t.Id = s.Id WHEN MATCHED THEN DELETE OUTPUT deleted.Id;");
    assert_eq!(flag_line(&out, "dml.output"), Some(2));
}

#[test]
fn update_set_list_is_reordered_so_each_assignment_reads_old_values() {
    let o = proc_body("UPDATE dbo.T SET Qty = Qty + 1, Price = Qty * 2 WHERE Id = @a");
    assert!(
        o.target.contains(
            "UPDATE `h`.`T` SET `Price` = `Qty` * 2, `Qty` = `Qty` + 1 WHERE (`Id` = p_a);"
        ),
        "{}",
        o.target
    );
    assert!(o.rules.contains(&"upd.set_reorder"));
    // A cycle cannot be ordered.
    let c = proc_body("UPDATE dbo.T SET Qty = Price, Price = Qty");
    assert_eq!(flag_line(&c, "upd.set_order"), Some(2));
}

#[test]
fn try_convert_of_a_string_to_decimal_checks_pattern_and_range() {
    let o = proc_body("DECLARE @d decimal(10,3)\nSET @d = TRY_CONVERT(decimal(10,3), @s)\nSET @d = TRY_CAST(@s AS numeric(5,2))");
    assert_eq!(
        o.converted.status,
        Status::Review,
        "{:?}",
        o.converted.findings
    );
    assert!(o.target.contains("SET v_d = (CASE WHEN p_s REGEXP '^ *[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+) *$' THEN (CASE WHEN ABS(ROUND(CAST(TRIM(p_s) AS DECIMAL(65,30)), 3)) < 10000000 THEN CAST(TRIM(p_s) AS DECIMAL(10,3)) END) END);"), "{}", o.target);
    assert!(o
        .target
        .contains("< 1000 THEN CAST(TRIM(p_s) AS DECIMAL(5,2))"));
    // Other targets keep the flag.
    let i = proc_body("SET @o = TRY_CONVERT(int, @s)");
    assert_eq!(flag_line(&i, "fn.try_convert"), Some(2));
}

#[test]
fn fetch_last_of_a_scroll_cursor_reads_to_the_end_other_directions_flagged() {
    let o = proc_body("DECLARE c SCROLL CURSOR FOR SELECT Qty FROM dbo.T ORDER BY Id\nOPEN c\nFETCH LAST FROM c INTO @o\nCLOSE c\nDEALLOCATE c");
    assert_ne!(
        o.converted.status,
        Status::Manual,
        "{:?}",
        o.converted.findings
    );
    let x = &o.target;
    let reopen = pos(x, "CLOSE `c_c`;\n    OPEN `c_c`;");
    let fetch = pos(x, "FETCH `c_c` INTO v_last1_0;");
    assert!(reopen < fetch);
    assert!(x.contains("SET p_o = v_last1_0;"));
    assert!(x.contains("SET v_fetch_status = IF(v_last_found = 1, 0, -1);"));
    let p = proc_body(
        "DECLARE c SCROLL CURSOR FOR SELECT Qty FROM dbo.T\nOPEN c\nFETCH PRIOR FROM c INTO @o",
    );
    assert_eq!(flag_line(&p, "cursor.scroll"), Some(4));
}

#[test]
fn select_concatenation_over_rows_is_one_group_concat() {
    let o = proc_body("DECLARE @l varchar(200) = ''\nSELECT @l += Code + ',' FROM dbo.T WHERE Qty > @a\nSET @s = @l");
    assert!(
        o.target
            .contains("GROUP_CONCAT(CONCAT(`Code`, ',') SEPARATOR '')"),
        "{}",
        o.target
    );
    assert!(o.target.contains("LEFT(CONCAT(v_l, GROUP_CONCAT"));
    assert!(o.rules.contains(&"sel.assign_concat"));
}

#[test]
fn output_of_delete_and_single_row_identity_insert_other_outputs_flagged() {
    let d = proc_body("DELETE FROM dbo.U OUTPUT deleted.Id, deleted.Note AS Was WHERE Id > @a");
    let x = &d.target;
    let sel = pos(
        x,
        "SELECT `Id`, `Note` AS `Was` FROM `h`.`U` WHERE `Id` > p_a;",
    );
    let del = pos(x, "DELETE FROM `h`.`U` WHERE (`Id` > p_a);");
    assert!(sel < del);
    assert!(d.rules.contains(&"dml.output_delete"));

    let i =
        proc_body("INSERT INTO dbo.T (Name, Qty) OUTPUT inserted.Id, inserted.Qty VALUES (@s, @a)");
    let x = &i.target;
    let ins = pos(x, "INSERT INTO `h`.`T` (`Name`, `Qty`) VALUES (p_s, p_a);");
    let back = pos(
        x,
        "SELECT `Id`, `Qty` FROM `h`.`T` WHERE `Id` = LAST_INSERT_ID();",
    );
    assert!(ins < back);

    // OUTPUT INTO a table variable.
    let v = proc_body("DECLARE @ids TABLE (Id int)\nINSERT INTO dbo.T (Name) OUTPUT inserted.Id INTO @ids (Id) VALUES (@s)\nSELECT Id FROM @ids");
    assert!(
        v.target
            .contains("SELECT CONNECTION_ID(), `Id` FROM `h`.`T` WHERE `Id` = LAST_INSERT_ID();"),
        "{}",
        v.target
    );

    for (src, line) in [
        (
            "UPDATE dbo.U SET Note = 'x' OUTPUT inserted.Id WHERE Id = 1",
            2,
        ),
        (
            "INSERT INTO dbo.T (Name) OUTPUT inserted.Id VALUES ('a'), ('b')",
            2,
        ),
        ("INSERT INTO dbo.U (Id) OUTPUT inserted.Id VALUES (1)", 2),
        ("DELETE TOP (1) FROM dbo.U OUTPUT deleted.Id", 2),
    ] {
        let o = proc_body(src);
        assert_eq!(
            flag_line(&o, "dml.output"),
            Some(line),
            "{src}: {:?}",
            o.converted.findings
        );
    }
}

#[test]
fn insert_exec_of_a_procedure_without_result_sets_is_a_call() {
    let objs = conv_all(
        "CREATE PROCEDURE dbo.quiet @n int OUTPUT AS SET @n = 1\nGO\n\
         CREATE PROCEDURE dbo.caller AS\nCREATE TABLE #r (x int)\nINSERT INTO #r EXEC dbo.quiet 0\nSELECT x FROM #r\nGO\n",
    );
    let caller = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.caller")
        .unwrap();
    assert_ne!(
        caller.converted.status,
        Status::Manual,
        "{:?}",
        caller.converted.findings
    );
    assert!(caller.rules.contains(&"ins.exec_no_rows"));
    assert!(
        caller.target.contains("CALL `h`.`quiet`(@sluice_arg_1);"),
        "{}",
        caller.target
    );
}

#[test]
fn insert_exec_of_a_procedure_returning_rows_calls_a_copy_inserting_them() {
    let objs = conv_all(
        "CREATE PROCEDURE dbo.loud @k int AS\nIF @k > 0 SELECT Id, Note FROM dbo.U WHERE Id > @k\nELSE SELECT 0, 'none'\nSELECT 1, 'end'\nGO\n\
         CREATE PROCEDURE dbo.caller AS\nCREATE TABLE #r (Id int, Note varchar(100))\nINSERT INTO #r (Id, Note) EXEC dbo.loud @k = 2\nSELECT Id FROM #r\nGO\n\
         CREATE PROCEDURE dbo.tv AS\nDECLARE @t TABLE (Id int, Note varchar(100))\nINSERT INTO @t EXEC dbo.loud 1\nSELECT Id FROM @t\nGO\n\
         CREATE PROCEDURE dbo.dyn AS\nEXEC ('SELECT 1')\nGO\n\
         CREATE PROCEDURE dbo.caller2 AS\nCREATE TABLE #d (x int)\nINSERT INTO #d EXEC dbo.dyn\nGO\n",
    );
    let caller = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.caller")
        .unwrap();
    assert_eq!(
        caller.converted.status,
        Status::Review,
        "{:?}",
        caller.converted.findings
    );
    assert!(caller.rules.contains(&"ins.exec_capture"));
    let x = &caller.target;
    assert!(x.contains("CALL `h`.`loud_rows_1`(2);"), "{x}");
    // The copy: every result-set SELECT inserts into the caller's work table.
    assert!(
        x.contains("CREATE PROCEDURE `h`.`loud_rows_1`(IN p_k INT)"),
        "{x}"
    );
    assert!(x.contains("INSERT INTO `h`.`sluice_wt_caller_r` (`sluice_conn`, `Id`, `Note`) SELECT CONNECTION_ID(), `Id`, `Note` FROM `h`.`U` WHERE `Id` > p_k;"), "{x}");
    assert!(x.contains("INSERT INTO `h`.`sluice_wt_caller_r` (`sluice_conn`, `Id`, `Note`) SELECT CONNECTION_ID(), 0, 'none';"), "{x}");
    assert!(x.contains("SELECT CONNECTION_ID(), 1, 'end';"), "{x}");
    // A table variable is the caller's own: flagged, as is a callee sending rows by dynamic SQL.
    let tv = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.tv")
        .unwrap();
    assert_eq!(
        flag_line(tv, "ins.exec"),
        Some(13),
        "{:?}",
        tv.converted.findings
    );
    let d = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.caller2")
        .unwrap();
    assert_eq!(
        flag_line(d, "ins.exec"),
        Some(21),
        "{:?}",
        d.converted.findings
    );
}

#[test]
fn trigger_veto_and_any_rows_test_become_a_signal() {
    let o = conv_all("CREATE TRIGGER dbo.tr ON dbo.U AFTER DELETE AS\nBEGIN\nIF (SELECT COUNT(*) FROM deleted) > 0\nBEGIN\nRAISERROR('no deletes', 16, 1)\nROLLBACK TRANSACTION\nEND\nEND").remove(0);
    assert_eq!(
        o.converted.status,
        Status::Review,
        "{:?}",
        o.converted.findings
    );
    let x = &o.target;
    assert!(x.contains("IF 1 = 1 THEN"), "{x}");
    assert!(x.contains("SIGNAL SQLSTATE '45000'") && !x.contains("ROLLBACK"));
    assert!(o.rules.contains(&"trg.veto") && o.rules.contains(&"trg.any_rows"));
    // On INSERT the deleted table is empty: the test is false.
    let i = conv_all("CREATE TRIGGER dbo.tr ON dbo.U AFTER INSERT AS\nIF (SELECT COUNT(*) FROM deleted) > 0 RAISERROR('x', 16, 1)").remove(0);
    assert!(i.target.contains("IF 1 = 0 THEN"), "{}", i.target);
}

#[test]
fn apply_becomes_lateral_derived_tables() {
    let o = proc_body(
        "SELECT t.Id, x.Note FROM dbo.T t CROSS APPLY (SELECT TOP 1 u.Note FROM dbo.U u WHERE u.Id = t.Id ORDER BY u.Note) x\n\
         SELECT t.Id, y.Note FROM dbo.T t OUTER APPLY (SELECT u.Note FROM dbo.U u WHERE u.Id = t.Qty) AS y\n\
         SELECT t.Id, v.n FROM dbo.T t CROSS APPLY (VALUES (t.Qty), (t.Id)) v(n)",
    );
    assert_ne!(
        o.converted.status,
        Status::Manual,
        "{:?}",
        o.converted.findings
    );
    let x = &o.target;
    assert!(x.contains("FROM `h`.`T` AS `t` CROSS JOIN LATERAL (SELECT `u`.`Note` FROM `h`.`U` AS `u` WHERE `u`.`Id` = `t`.`Id` ORDER BY `u`.`Note` LIMIT 1) AS `x`;"), "{x}");
    assert!(x.contains("FROM `h`.`T` AS `t` LEFT JOIN LATERAL (SELECT `u`.`Note` FROM `h`.`U` AS `u` WHERE `u`.`Id` = `t`.`Qty`) AS `y` ON TRUE;"));
    assert!(
        x.contains("CROSS JOIN LATERAL (SELECT `t`.`Qty` AS `n` UNION ALL SELECT `t`.`Id`) AS `v`")
    );
    let f = proc_body("SELECT t.Id FROM dbo.T t CROSS APPLY dbo.fn_unknown(t.Id) f");
    assert_eq!(flag_line(&f, "from.table_function"), Some(2));
}

#[test]
fn pivot_is_conditional_aggregation_unpivot_a_union() {
    let o = proc_body(
        "SELECT Id, [a], [b] FROM (SELECT Id, Code, Qty FROM dbo.T) s PIVOT (SUM(Qty) FOR Code IN ([a], [b])) p\n\
         SELECT Id, k, v FROM (SELECT Id, Qty, CAST(Price AS int) AS P FROM dbo.T) s UNPIVOT (v FOR k IN (Qty, P)) u",
    );
    assert_ne!(
        o.converted.status,
        Status::Manual,
        "{:?}",
        o.converted.findings
    );
    let x = &o.target;
    assert!(x.contains("FROM (SELECT `s`.`Id` AS `Id`, SUM((CASE WHEN `s`.`Code` = 'a' THEN `s`.`Qty` END)) AS `a`, SUM((CASE WHEN `s`.`Code` = 'b' THEN `s`.`Qty` END)) AS `b` FROM (SELECT `Id`, `Code`, `Qty` FROM `h`.`T`) AS `s` GROUP BY `s`.`Id`) AS `p`;"), "{x}");
    assert!(
        x.contains(
            "SELECT `s`.`Id` AS `Id`, 'Qty' AS `k`, `s`.`Qty` AS `v` FROM (SELECT `Id`, `Qty`, "
        ),
        "{x}"
    );
    assert!(x.contains(" WHERE `s`.`Qty` IS NOT NULL UNION ALL SELECT `s`.`Id` AS `Id`, 'P' AS `k`, `s`.`P` AS `v` FROM"));
    // A numeric pivot column compares with numbers.
    let n = proc_body("SELECT * FROM (SELECT Code, Qty, Price FROM dbo.T) s PIVOT (MAX(Price) FOR Qty IN ([1], [2])) p");
    assert!(n.target.contains("WHEN `s`.`Qty` = 1 THEN"), "{}", n.target);
    // Unknown input columns cannot be grouped.
    let s = proc_body("SELECT * FROM (SELECT * FROM dbo.T) s PIVOT (SUM(Qty) FOR Code IN ([a])) p");
    assert_eq!(
        flag_line(&s, "from.pivot"),
        Some(2),
        "{:?}",
        s.converted.findings
    );
}

#[test]
fn inline_tvf_calls_are_expanded_multi_statement_tvfs_flagged() {
    let objs = conv_all(
        "CREATE FUNCTION dbo.fn_u (@min int, @note varchar(10) = 'x') RETURNS TABLE AS RETURN (SELECT Id, Note FROM dbo.U WHERE Id >= @min AND Note <> @note)\nGO\n\
         CREATE PROCEDURE dbo.p @a int AS SELECT f.Id FROM dbo.fn_u(@a + 1, DEFAULT) f ORDER BY f.Id\nGO\n\
         CREATE FUNCTION dbo.fn_m (@a int) RETURNS @r TABLE (Id int) AS\nBEGIN\nDECLARE @x int = @a\nINSERT INTO @r SELECT Id FROM dbo.U WHERE Id > @x\nRETURN\nEND\nGO\n",
    );
    let p = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.p")
        .unwrap();
    assert_eq!(
        p.converted.status,
        Status::Converted,
        "{:?}",
        p.converted.findings
    );
    assert!(p.target.contains("SELECT `f`.`Id` FROM (SELECT `Id`, `Note` FROM `h`.`U` WHERE `Id` >= (p_a + 1) AND `Note` <> ('x')) AS `f` ORDER BY `f`.`Id`;"), "{}", p.target);
    let m = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.fn_m")
        .unwrap();
    // Flagged at the statement that keeps it from being one query.
    assert_eq!(flag_line(m, "fn.mstvf"), Some(7));
}

#[test]
fn a_multi_statement_tvf_that_only_fills_its_table_becomes_one_query() {
    let objs = conv_all(
        "CREATE FUNCTION dbo.fn_m (@min int) RETURNS @r TABLE (Id int, Note varchar(5)) AS\nBEGIN\n\
         INSERT INTO @r (Id, Note) SELECT Id, Note FROM dbo.U WHERE Id >= @min\n\
         INSERT INTO @r (Id) VALUES (0)\n\
         UPDATE @r SET Note = 'none' WHERE Note IS NULL\n\
         DELETE FROM @r WHERE Id = 7\n\
         RETURN\nEND\nGO\n\
         CREATE PROCEDURE dbo.p AS SELECT m.Id FROM dbo.fn_m(5) AS m\nGO\n",
    );
    let f = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.fn_m")
        .unwrap();
    assert_eq!(
        f.converted.status,
        Status::Review,
        "{:?}",
        f.converted.findings
    );
    assert!(f.rules.contains(&"fn.mstvf_inline"));
    let x = &f.target;
    assert!(
        x.starts_with("CREATE PROCEDURE `h`.`fn_m`(IN p_min INT)"),
        "{x}"
    );
    // INSERTs: a UNION ALL, values cast to the declared types (NULL where not listed).
    assert!(x.contains("SELECT CAST(`sluice_t1`.`c1` AS SIGNED) AS `Id`, LEFT(CAST(`sluice_t1`.`c2` AS CHAR), 5) AS `Note` FROM (SELECT `Id`, `Note` FROM `h`.`U` WHERE `Id` >= p_min) AS `sluice_t1` (`c1`, `c2`) UNION ALL SELECT CAST(TRUNCATE(`sluice_t2`.`c1`, 0) AS SIGNED) AS `Id`, LEFT(CAST(NULL AS CHAR), 5) AS `Note` FROM (SELECT 0 AS `c1`) AS `sluice_t2`"), "{x}");
    // UPDATE: a CASE over the rows so far; DELETE: a filter keeping rows where the condition is not TRUE.
    assert!(x.contains("(CASE WHEN `Note` IS NULL THEN LEFT(CAST('none' AS CHAR), 5) ELSE `sluice_t3`.`Note` END) AS `Note`"), "{x}");
    assert!(
        x.contains("WHERE (CASE WHEN `Id` = 7 THEN 0 ELSE 1 END) = 1"),
        "{x}"
    );
    let p = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.p")
        .unwrap();
    assert!(
        p.target.contains("WHERE `Id` >= (5)) AS `sluice_t1`"),
        "{}",
        p.target
    );
    assert_ne!(p.converted.status, Status::Manual);
}
