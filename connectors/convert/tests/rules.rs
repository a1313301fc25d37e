//! One test per rule family: the T-SQL in, the MySQL text out, the status
//! and the rule ids with their lines. No server needed.

use sluice_convert::routine::Status;
use sluice_convert::{convert, ObjectReport, Options, ScriptFile};

const SCHEMA: &str =
    "CREATE TABLE dbo.T (Id int IDENTITY(1,1) NOT NULL, Name nvarchar(50) NULL, Qty int NULL, \
Price decimal(10,2) NULL, At datetime NULL, D date NULL, Code varchar(10) NULL)\nGO\n\
CREATE TABLE dbo.U (Id int NOT NULL, Note varchar(100) NULL)\nGO\n\
CREATE TYPE dbo.ut_Code FROM varchar(10) NOT NULL\nGO\n";

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

fn conv(src: &str) -> ObjectReport {
    let mut v = conv_all(src);
    assert_eq!(v.len(), 1, "one object expected");
    v.remove(0)
}

fn proc_body(body: &str) -> ObjectReport {
    conv(&format!(
        "CREATE PROCEDURE dbo.p @a int = 1, @s varchar(20) = NULL, @o int OUTPUT AS\n{body}\n"
    ))
}

fn flagged(o: &ObjectReport, rule: &str) -> bool {
    o.converted.status == Status::Manual && o.converted.findings.iter().any(|f| f.rule == rule)
}

#[test]
fn header_parameters_without_parentheses_outputs_and_return_value() {
    let o = proc_body("SET @o = @a + 1\nRETURN 5");
    assert!(o.target.contains("CREATE PROCEDURE `h`.`p`(IN p_a INT, IN p_s VARCHAR(20), INOUT p_o INT, OUT sluice_return INT)"), "{}", o.target);
    assert!(o.target.contains("SET p_o = p_a + 1;"));
    assert!(o.target.contains("SET sluice_return = 5;\n") && o.target.contains("LEAVE body;"));
    assert!(o.rules.contains(&"ctl.return_value") && o.rules.contains(&"param.default"));
}

#[test]
fn string_plus_is_concat_numeric_plus_stays_and_unknown_is_flagged() {
    let o = proc_body("DECLARE @x nvarchar(10)\nSET @x = @s + 'a'\nSET @o = @a + '5'\nSELECT Name + N'!' , Qty + 1 FROM dbo.T");
    assert!(
        o.target.contains("SET v_x = CONCAT(p_s, 'a');"),
        "{}",
        o.target
    );
    // int + '5': SQL Server converts the string to int.
    assert!(o.target.contains("SET p_o = p_a + '5';"));
    assert!(o.target.contains("CONCAT(`Name`, '!')") && o.target.contains("`Qty` + 1"));
    let u = proc_body("SELECT x.a + x.b FROM (SELECT 1 AS a, 2 AS b) x WHERE 1 = 0\nSELECT Name + Missing FROM dbo.T");
    assert!(
        flagged(&u, "str.concat.unknown"),
        "{:?}",
        u.converted.findings
    );
    let line = u
        .converted
        .findings
        .iter()
        .find(|f| f.rule == "str.concat.unknown")
        .unwrap()
        .line;
    assert_eq!(line, 3, "the line of the statement");
}

#[test]
fn isnull_len_charindex_replicate_stuff_concat() {
    let o = proc_body("SELECT ISNULL(Name, ''), LEN(Name), CHARINDEX('a', Name), REPLICATE('-', 3), STUFF(Name, 1, 2, 'x'), CONCAT(Name, NULL, 'z') FROM dbo.T");
    for s in [
        "IFNULL(`Name`, '')",
        "CHAR_LENGTH(TRIM(TRAILING ' ' FROM `Name`))",
        "LOCATE('a', `Name`)",
        "REPEAT('-', 3)",
        "INSERT(`Name`, 1, 2, 'x')",
        "CONCAT_WS('', `Name`, NULL, 'z')",
    ] {
        assert!(o.target.contains(s), "{s} missing in {}", o.target);
    }
}

#[test]
fn datediff_counts_boundaries_and_convert_styles_are_explicit() {
    let o = proc_body(
        "SELECT DATEDIFF(year, At, D), DATEDIFF(month, At, D), DATEDIFF(day, At, D), DATEDIFF(week, At, D), DATEDIFF(hour, At, D), \
         CONVERT(varchar(8), At, 112), CONVERT(varchar(10), At, 120), CONVERT(varchar(10), D, 103), CONVERT(datetime, '20240131', 112) FROM dbo.T",
    );
    for s in [
        "(YEAR(`D`) - YEAR(`At`))",
        "((YEAR(`D`) * 12 + MONTH(`D`)) - (YEAR(`At`) * 12 + MONTH(`At`)))",
        "DATEDIFF(`D`, `At`)",
        "((TO_DAYS(`D`) - DAYOFWEEK(`D`)) - (TO_DAYS(`At`) - DAYOFWEEK(`At`))) DIV 7",
        "TIMESTAMPDIFF(HOUR, DATE_FORMAT(`At`, '%Y-%m-%d %H:00:00')",
        "LEFT(DATE_FORMAT(`At`, '%Y%m%d'), 8)",
        "LEFT(DATE_FORMAT(`At`, '%Y-%m-%d %H:%i:%s'), 10)",
        "LEFT(DATE_FORMAT(`D`, '%d/%m/%Y'), 10)",
        "CAST(STR_TO_DATE('20240131', '%Y%m%d') AS DATETIME(3))",
    ] {
        assert!(o.target.contains(s), "{s} missing in {}", o.target);
    }
    let bad = proc_body("SELECT CONVERT(varchar(30), At, 109) FROM dbo.T");
    assert!(flagged(&bad, "fn.convert.style"));
    let noformat = proc_body("SELECT CAST(At AS varchar(30)) FROM dbo.T");
    assert!(flagged(&noformat, "fn.cast.datetime_text"));
}

#[test]
fn integer_division_and_int_casts_truncate() {
    let o = proc_body("SELECT Qty / 2, Price / 2, CAST(Price AS int) FROM dbo.T");
    assert!(
        o.target.contains("`Qty` DIV 2") && o.target.contains("`Price` / 2"),
        "{}",
        o.target
    );
    assert!(o.target.contains("CAST(TRUNCATE(`Price`, 0) AS SIGNED)"));
}

#[test]
fn top_offset_nolock_and_hints() {
    let o = proc_body("SELECT TOP (@a) Id FROM dbo.T WITH (NOLOCK) ORDER BY Id\nSELECT Id FROM dbo.T t (NOLOCK) ORDER BY Id OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY");
    assert!(
        o.target
            .contains("SELECT `Id` FROM `h`.`T` ORDER BY `Id` LIMIT p_a;"),
        "{}",
        o.target
    );
    assert!(o.target.contains("LIMIT 5, 10"));
    assert!(
        o.rules.contains(&"hint.nolock")
            && o.rules.contains(&"sel.top")
            && o.rules.contains(&"sel.offset_fetch")
    );
    assert!(flagged(
        &proc_body("SELECT TOP 10 PERCENT Id FROM dbo.T"),
        "sel.top_percent"
    ));
    assert!(flagged(
        &proc_body("SELECT TOP 1 WITH TIES Id FROM dbo.T ORDER BY Qty"),
        "sel.with_ties"
    ));
}

#[test]
fn select_assignment_keeps_last_row_and_no_row_semantics() {
    let o = proc_body("SELECT @o = Qty FROM dbo.T WHERE Id > 1 ORDER BY Id");
    assert!(
        o.target
            .contains("DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN END;"),
        "{}",
        o.target
    );
    assert!(o
        .target
        .contains("SELECT `Qty` INTO p_o FROM `h`.`T` WHERE `Id` > 1 ORDER BY `Id` DESC LIMIT 1;"));
    // Row-by-row string concatenation → one GROUP_CONCAT with SQL Server's
    // NULL and no-row results; numeric accumulation stays flagged.
    let acc = proc_body("SELECT @s = @s + Name + ';' FROM dbo.T WHERE Qty > 0 ORDER BY Name");
    assert_eq!(
        acc.converted.status,
        Status::Review,
        "{:?}",
        acc.converted.findings
    );
    assert!(acc.target.contains("SET p_s = (SELECT CASE WHEN COUNT(*) = 0 THEN p_s WHEN COUNT(*) > COUNT(CONCAT(`Name`, ';')) THEN NULL ELSE LEFT(CONCAT(p_s, GROUP_CONCAT(CONCAT(`Name`, ';') ORDER BY `Name` SEPARATOR '')), 20) END FROM `h`.`T` WHERE `Qty` > 0);"), "{}", acc.target);
    assert!(acc.target.contains("SET SESSION group_concat_max_len"));
    let num = proc_body("SELECT @o = @o + Qty FROM dbo.T");
    assert!(flagged(&num, "sel.assign_accumulate"));
}

#[test]
fn temp_tables_become_connection_keyed_work_tables_cleaned_on_every_exit() {
    let o = proc_body("CREATE TABLE #w (Id int PRIMARY KEY, Name nvarchar(50))\nINSERT INTO #w VALUES (1, 'a')\nIF @a = 1 RETURN\nSELECT * FROM #w w\nDROP TABLE #w");
    let wt = "`h`.`sluice_wt_p_w`";
    assert!(
        o.target
            .contains(&format!("CREATE TABLE IF NOT EXISTS {wt}")),
        "{}",
        o.target
    );
    assert!(o.target.contains("PRIMARY KEY (`sluice_conn`, `Id`)"));
    assert!(o.target.contains(&format!(
        "INSERT INTO {wt} (`sluice_conn`, `Id`, `Name`) VALUES (CONNECTION_ID(), 1, 'a');"
    )));
    assert!(o.target.contains(&format!(
        "FROM (SELECT `Id`, `Name` FROM {wt} WHERE `sluice_conn` = CONNECTION_ID()) AS `w`"
    )));
    let cleanup = format!("DELETE FROM {wt} WHERE `sluice_conn` = CONNECTION_ID();");
    // Start, DROP, after body (normal end and RETURN), error handler.
    assert!(o.target.matches(&cleanup).count() >= 5, "{}", o.target);
    assert!(o.target.contains("RESIGNAL;"));
    let into = proc_body("SELECT Id, Name, Qty * 2 AS Q2 INTO #x FROM dbo.T\nSELECT Q2 FROM #x");
    assert!(into.target.contains("`Q2` BIGINT"), "{}", into.target);
    let unknown = proc_body("SELECT Id, dbo.fnX(Id) AS f INTO #x FROM dbo.T");
    assert!(flagged(&unknown, "temp.select_into") || flagged(&unknown, "fn.unsupported"));
    assert!(flagged(
        &proc_body("SELECT * FROM #callers_table"),
        "temp.not_created_here"
    ));
}

#[test]
fn cursors_use_a_not_found_handler_for_fetch_status() {
    let o = proc_body("DECLARE @id int\nDECLARE c CURSOR LOCAL FAST_FORWARD FOR SELECT Id FROM dbo.T\nOPEN c\nFETCH NEXT FROM c INTO @id\nWHILE @@FETCH_STATUS = 0\nBEGIN\n SET @o = @id\n FETCH NEXT FROM c INTO @id\nEND\nCLOSE c\nDEALLOCATE c");
    assert!(
        o.target
            .contains("DECLARE `c_c` CURSOR FOR SELECT `Id` FROM `h`.`T`;"),
        "{}",
        o.target
    );
    assert!(o
        .target
        .contains("DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_fetch_status = -1;"));
    assert!(
        o.target.contains("SET v_fetch_status = 0;\n")
            && o.target.contains("FETCH `c_c` INTO v_id;")
    );
    assert!(o.target.contains("WHILE v_fetch_status = 0 DO"));
    assert!(flagged(
        &proc_body("DECLARE c CURSOR KEYSET FOR SELECT Id FROM dbo.T"),
        "cursor.scroll"
    ));
}

#[test]
fn try_catch_raiserror_throw_map_to_handlers_and_signal() {
    let o = proc_body("BEGIN TRY\n INSERT INTO dbo.U (Id) VALUES (1)\n RAISERROR('bad %s %d', 16, 1, @s, @a)\nEND TRY\nBEGIN CATCH\n SET @s = ERROR_MESSAGE()\n SET @o = ERROR_NUMBER()\n RETURN -1\nEND CATCH");
    assert!(
        o.target.contains("DECLARE EXIT HANDLER FOR SQLEXCEPTION"),
        "{}",
        o.target
    );
    assert!(o
        .target
        .contains("GET DIAGNOSTICS CONDITION 1 v_errno = MYSQL_ERRNO, v_errmsg = MESSAGE_TEXT;"));
    assert!(o.target.contains(
        "CONCAT('bad ', IFNULL(p_s, '(null)'), ' ', IFNULL(CAST(p_a AS CHAR), '(null)'))"
    ));
    assert!(o.target.contains("MYSQL_ERRNO = 30000"));
    assert!(o.target.contains("IF v_caught_1 = 1 THEN"));
    assert!(o
        .target
        .contains("IF(v_errno BETWEEN 30000 AND 32767, v_errno + 20000, v_errno)"));
    let t = proc_body("THROW 50001, 'x', 1");
    assert!(t.target.contains("MYSQL_ERRNO = 30001"), "{}", t.target);
    assert!(flagged(
        &proc_body("THROW 60000, 'x', 1"),
        "err.errno_range"
    ));
    // RAISERROR that execution continues after cannot become SIGNAL.
    assert!(flagged(
        &proc_body("RAISERROR('warn', 16, 1)\nUPDATE dbo.T SET Qty = 1"),
        "err.raiserror_continues"
    ));
    // Severity <= 10 is a message.
    assert!(
        proc_body("RAISERROR('note', 10, 1)\nUPDATE dbo.T SET Qty = 1")
            .target
            .contains("sluice_print_log")
    );
}

#[test]
fn at_error_goto_becomes_continue_handler_and_inlined_tail() {
    let o = proc_body("BEGIN TRAN\nUPDATE dbo.T SET Qty = 0\nIF @@ERROR <> 0 GOTO err\nCOMMIT TRAN\nRETURN 0\nerr:\nROLLBACK TRAN\nRETURN 1");
    assert!(
        o.target
            .contains("DECLARE CONTINUE HANDLER FOR SQLEXCEPTION"),
        "{}",
        o.target
    );
    assert!(o
        .target
        .contains("IF v_error BETWEEN 30000 AND 32767 THEN RESIGNAL; END IF;"));
    assert!(o.target.contains("IF v_error <> 0 THEN\n") && o.target.contains("-- GOTO err"));
    let inlined = o.target.split("-- GOTO err").nth(1).unwrap();
    assert!(
        inlined
            .trim_start()
            .starts_with("SET v_error = 0;\n      ROLLBACK;")
            || inlined.contains("ROLLBACK;"),
        "{inlined}"
    );
    assert!(flagged(
        &proc_body("lbl:\nSET @o = 1\nIF @o < 3 GOTO lbl2\nBEGIN\n lbl2:\n SET @o = 2\nEND"),
        "ctl.goto.unsupported"
    ));
}

#[test]
fn rowcount_is_captured_after_dml_and_flagged_elsewhere() {
    let o = proc_body("UPDATE dbo.T SET Qty = 1\nSET @o = @@ROWCOUNT");
    assert!(
        o.target.contains("SET v_rowcount = ROW_COUNT();\n")
            && o.target.contains("SET p_o = v_rowcount;"),
        "{}",
        o.target
    );
    assert!(flagged(
        &proc_body("UPDATE dbo.T SET Qty = 1\nSET @a = 2\nSET @o = @@ROWCOUNT"),
        "rowcount.unsupported"
    ));
}

#[test]
fn exec_expands_named_arguments_defaults_and_return_value() {
    let objs = conv_all(
        "CREATE PROCEDURE dbo.callee @x int, @y int = 7, @z int OUTPUT AS SET @z = @x + @y RETURN 3\nGO\n\
         CREATE PROCEDURE dbo.caller @r int OUTPUT AS DECLARE @rc int EXEC @rc = dbo.callee @z = @r OUTPUT, @x = 1\nGO\n",
    );
    let caller = objs
        .iter()
        .find(|o| o.converted.source_name == "dbo.caller")
        .unwrap();
    assert!(
        caller
            .target
            .contains("CALL `h`.`callee`(1, 7, p_r, v_rc);"),
        "{}",
        caller.target
    );
}

#[test]
fn dynamic_sql_is_checked_and_prepared_or_flagged() {
    let o = proc_body("DECLARE @sql nvarchar(200)\nSET @sql = N'SELECT Id FROM dbo.T WHERE Qty > @q'\nIF @a > 0 SET @sql = @sql + N' AND Id > 0'\nEXEC sp_executesql @sql, N'@q int', @q = @a");
    assert!(
        o.target
            .contains("SET v_sql = 'SELECT Id FROM `h`.T WHERE Qty > @sluice_p_q';"),
        "{}",
        o.target
    );
    assert!(
        o.target.contains("SET @sluice_p_q = p_a;")
            && o.target.contains("PREPARE sluice_stmt FROM @sluice_sql;")
    );
    assert!(flagged(
        &proc_body("EXEC ('SELECT TOP 1 * FROM [dbo].[T]')"),
        "dyn.built"
    ));
    let ok = proc_body("EXEC ('DELETE FROM [dbo].[U] WHERE Id = 0')");
    assert!(
        ok.target
            .contains("SET @sluice_sql = 'DELETE FROM `h`.`U` WHERE Id = 0';"),
        "{}",
        ok.target
    );
    let f =
        conv("CREATE FUNCTION dbo.f (@a int) RETURNS int AS BEGIN EXEC ('SELECT 1') RETURN 1 END");
    assert!(f.converted.status == Status::Manual);
}

#[test]
fn update_from_join_and_set_order_trap() {
    let o = proc_body(
        "UPDATE t SET Qty = u.Id FROM dbo.T t JOIN dbo.U u ON u.Id = t.Id WHERE u.Note IS NULL",
    );
    assert!(o.target.contains("UPDATE `h`.`T` AS `t` JOIN `h`.`U` AS `u` ON `u`.`Id` = `t`.`Id` SET `t`.`Qty` = `u`.`Id` WHERE (`u`.`Note` IS NULL);"), "{}", o.target);
    assert!(flagged(
        &proc_body("UPDATE dbo.T SET Qty = Id, Id = Qty"),
        "upd.set_order"
    ));
    let d = proc_body("DELETE dbo.U WHERE Id = 1");
    assert!(
        d.target.contains("DELETE FROM `h`.`U` WHERE (`Id` = 1);"),
        "{}",
        d.target
    );
}

#[test]
fn set_options_are_dropped_with_reasons_or_flagged() {
    let o = proc_body("SET NOCOUNT ON\nSET ANSI_WARNINGS ON\nSET @o = 1");
    let f: Vec<_> = o
        .converted
        .findings
        .iter()
        .filter(|f| f.rule == "set.nocount")
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, 2);
    assert!(flagged(&proc_body("SET DATEFIRST 1"), "set.unsupported"));
    assert!(flagged(&proc_body("SET ANSI_NULLS OFF"), "set.ansi_off"));
}

#[test]
fn triggers_split_per_event_with_new_old_rows() {
    let objs = conv_all("CREATE TRIGGER dbo.tr ON dbo.U AFTER INSERT, UPDATE AS\nINSERT INTO dbo.T (Name) SELECT i.Note FROM inserted i LEFT JOIN deleted d ON d.Id = i.Id WHERE d.Id IS NULL\nGO\n");
    let o = &objs[0];
    assert_eq!(o.converted.objects.len(), 2);
    let ins = &o.converted.objects[0].create;
    let upd = &o.converted.objects[1].create;
    assert!(
        ins.contains("AFTER INSERT ON `h`.`U` FOR EACH ROW")
            && upd.contains("AFTER UPDATE ON `h`.`U` FOR EACH ROW")
    );
    assert!(
        ins.contains("SELECT NEW.`Note` FROM (SELECT 1 AS `sluice_row`) AS `i`"),
        "{ins}"
    );
    // No deleted row on INSERT: its columns are NULL, the LEFT JOIN keeps the row.
    assert!(ins.contains("LEFT JOIN (SELECT 1 AS `sluice_row` FROM DUAL WHERE FALSE) AS `d` ON NULL = NEW.`Id` WHERE NULL IS NULL"), "{ins}");
    assert!(
        upd.contains("ON OLD.`Id` = NEW.`Id` WHERE OLD.`Id` IS NULL"),
        "{upd}"
    );
    let agg = conv("CREATE TRIGGER dbo.tr2 ON dbo.U AFTER DELETE AS IF (SELECT COUNT(*) FROM deleted) > 1 RAISERROR('no', 16, 1)");
    assert!(flagged(&agg, "trg.aggregate"));
    // EXISTS over the pseudo row is the plain condition on NEW (no subquery:
    // seekdb evaluated NEW inside one with an earlier row's values).
    let chk = conv("CREATE TRIGGER dbo.tr3 ON dbo.U AFTER INSERT AS IF EXISTS (SELECT 1 FROM inserted WHERE Id > 300) RAISERROR('bad', 16, 1)");
    let c = &chk.converted.objects[0].create;
    assert!(c.contains("IF (NEW.`Id` > 300) THEN"), "{c}");
    assert!(!c.contains("EXISTS"), "{c}");
    let none = conv("CREATE TRIGGER dbo.tr4 ON dbo.U AFTER INSERT AS IF EXISTS (SELECT 1 FROM deleted) RAISERROR('bad', 16, 1)");
    assert!(none.converted.objects[0].create.contains("IF FALSE THEN"));
}

#[test]
fn views_functions_and_inline_tvfs() {
    let v =
        conv("CREATE VIEW dbo.v WITH SCHEMABINDING AS SELECT Id, ISNULL(Name, '') AS N FROM dbo.T");
    assert!(v.target.starts_with("CREATE OR REPLACE VIEW `h`.`v` AS\nSELECT `Id`, IFNULL(`Name`, '') AS `N` FROM `h`.`T`"), "{}", v.target);
    let f = conv("CREATE FUNCTION dbo.f (@a dbo.ut_Code) RETURNS int AS BEGIN RETURN LEN(@a) END");
    assert!(
        f.target
            .contains("CREATE FUNCTION `h`.`f`(p_a VARCHAR(10)) RETURNS INT"),
        "{}",
        f.target
    );
    assert!(f
        .target
        .contains("RETURN CHAR_LENGTH(TRIM(TRAILING ' ' FROM p_a));"));
    let tvf = conv("CREATE FUNCTION dbo.tv (@q int) RETURNS TABLE AS RETURN (SELECT Id FROM dbo.T WHERE Qty > @q)");
    assert_eq!(tvf.converted.status, Status::Review);
    assert!(tvf.target.contains("CREATE PROCEDURE `h`.`tv`(IN p_q INT)"));
    // A multi-statement TVF that only fills its table is one query; one with
    // variables or control flow is flagged.
    let ms = conv("CREATE FUNCTION dbo.ms (@q int) RETURNS @r TABLE (Id int) AS BEGIN INSERT @r SELECT Id FROM dbo.T RETURN END");
    assert!(
        ms.rules.contains(&"fn.mstvf_inline"),
        "{:?}",
        ms.converted.findings
    );
    let ms2 = conv("CREATE FUNCTION dbo.ms (@q int) RETURNS @r TABLE (Id int) AS BEGIN IF @q > 0 INSERT @r SELECT Id FROM dbo.T RETURN END");
    assert!(flagged(&ms2, "fn.mstvf"));
}

#[test]
fn parse_errors_become_findings_with_lines_and_the_rest_converts() {
    let objs = conv_all("CREATE PROCEDURE dbo.a AS\nSELECT 1\nSELECT FROM WHERE ((\nSELECT 2\nGO\nCREATE PROCEDURE dbo.b AS SELECT 3\nGO\n");
    assert_eq!(objs.len(), 2);
    let a = &objs[0];
    assert_eq!(a.converted.status, Status::Manual);
    let f = a
        .converted
        .findings
        .iter()
        .find(|f| f.rule == "parse.error")
        .unwrap();
    assert_eq!(f.line, 3);
    assert!(
        a.target.contains("SELECT 2;"),
        "statements after the bad one still convert: {}",
        a.target
    );
    assert_eq!(objs[1].converted.status, Status::Converted);
}

#[test]
fn scripts_without_go_alter_and_quoted_identifier_off() {
    let objs = conv_all("SET QUOTED_IDENTIFIER OFF\nGO\nALTER PROCEDURE dbo.x AS SELECT \"a\" + Name FROM dbo.T\nALTER PROCEDURE dbo.y AS SELECT [Order Id] = 1\n");
    assert_eq!(objs.len(), 2);
    assert!(
        objs[0]
            .target
            .contains("SELECT CONCAT('a', `Name`) FROM `h`.`T`;"),
        "{}",
        objs[0].target
    );
    assert!(objs[1].target.contains("SELECT 1 AS `Order Id`;"));
}

#[test]
fn every_rule_id_used_in_the_code_is_in_the_catalog() {
    let src = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules"))
        .unwrap()
        .chain(std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).unwrap())
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect::<String>();
    let mut missing = Vec::new();
    for call in [
        "note(",
        "manual(",
        "create(cx, &format!(\"@{name}\"), cols, ",
    ] {
        for chunk in src.split(call).skip(1) {
            let chunk = chunk.trim_start();
            if let Some(rest) = chunk.strip_prefix('"') {
                let id = &rest[..rest.find('"').unwrap()];
                if !sluice_convert::rules::RULES.iter().any(|r| r.id == id) {
                    missing.push(id.to_string());
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "rule ids not in the catalog: {missing:?}"
    );
    let mut ids: Vec<_> = sluice_convert::rules::RULES.iter().map(|r| r.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
}

#[test]
fn reports_name_every_object_with_status_and_findings() {
    let scripts = vec![ScriptFile {
        path: "r.sql".into(),
        text: "CREATE PROCEDURE dbo.ok AS SELECT 1\nGO\nCREATE PROCEDURE dbo.bad AS MERGE dbo.T AS t USING dbo.U AS u ON t.Id = u.Id WHEN MATCHED THEN UPDATE SET Id = u.Id + 1;\nGO\n".into(),
    }];
    let c = convert(
        &scripts,
        &[],
        &Options {
            database: Some("h".into()),
        },
    );
    let dir = std::env::temp_dir().join(format!("sluice-convert-report-{}", std::process::id()));
    sluice_convert::output::write(&c, &dir).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["manual"], 1);
    assert_eq!(
        json["objects"][1]["findings"][0]["rule"],
        "merge.unsupported"
    );
    assert_eq!(json["objects"][1]["findings"][0]["line"], 3);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("dbo.ok")
            && html.contains("dbo.bad")
            && html.contains("needs a person")
            && html.contains("<code>merge.unsupported</code>")
    );
    let deploy = std::fs::read_to_string(dir.join("deploy.sql")).unwrap();
    assert!(
        deploy.contains("CREATE PROCEDURE `h`.`ok`()")
            && !deploy.contains("CREATE PROCEDURE `h`.`bad`")
    );
    assert!(deploy.contains("-- NOT DEPLOYED: dbo.bad"));
    assert!(dir.join("objects/dbo.bad.sql").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn avg_of_an_integer_stays_an_integer() {
    // SQL Server: AVG over int is int (truncated); MySQL's AVG is a decimal.
    let o = proc_body(
        "CREATE TABLE #t (M int)\nSELECT AVG(Qty), AVG(Price), AVG(DISTINCT Qty) FROM dbo.T\nSELECT AVG(M) FROM #t",
    );
    assert!(
        o.target.contains("TRUNCATE(AVG(`Qty`), 0)")
            && o.target.contains("AVG(`Price`)")
            && !o.target.contains("TRUNCATE(AVG(`Price`)")
            && o.target.contains("TRUNCATE(AVG(DISTINCT `Qty`), 0)")
            && o.target.contains("TRUNCATE(AVG(`M`), 0)"),
        "{}",
        o.target
    );
    assert!(o.rules.contains(&"fn.avg_int"));
}

#[test]
fn decimal_output_parameters_are_recomputed_on_the_way_out() {
    // seekdb rounds an OUT DECIMAL that last received a column value when it
    // copies it to the caller's user variable; `p = p + 0` gives it a fresh value.
    let o = conv(
        "CREATE PROCEDURE dbo.p @id int, @price decimal(10,2) OUTPUT, @n int OUTPUT AS\nSELECT @price = Price, @n = Qty FROM dbo.T WHERE Id = @id\nRETURN 0\n",
    );
    assert!(
        o.target
            .contains("  END body;\n  SET p_price = p_price + 0;\nEND sp"),
        "{}",
        o.target
    );
    assert!(!o.target.contains("SET p_n = p_n + 0"), "{}", o.target);
}

#[test]
fn a_negative_offset_from_a_variable_raises_sql_servers_error() {
    // SQL Server: error 10742; LIMIT with a negative offset returns nothing.
    let o = proc_body(
        "SELECT Id FROM dbo.T ORDER BY Id OFFSET @a ROWS FETCH NEXT 5 ROWS ONLY\nSELECT Id FROM dbo.T ORDER BY Id OFFSET 10 ROWS",
    );
    assert!(
        o.target.contains("IF p_a < 0 THEN SIGNAL SQLSTATE '22003'")
            && o.target.contains("MYSQL_ERRNO = 10742")
            && o.target.contains("LIMIT p_a, 5")
            && o.target.matches("SIGNAL").count() == 1,
        "{}",
        o.target
    );
}
