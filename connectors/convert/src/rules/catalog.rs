//! The rule catalog: every rule the converter applies or flags, with the
//! T-SQL it matches, what it produces, and the semantic caveat, if any.
//! `sluice convert` writes it into the report; tests check every rule id the
//! code uses is here.

use super::Severity;
use serde::Serialize;

/// One rule.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Stable id (`family.name`).
    pub id: &'static str,
    /// What a finding of this rule does to its object.
    pub severity: Severity,
    /// The T-SQL pattern.
    pub tsql: &'static str,
    /// The MySQL-mode output.
    pub mysql: &'static str,
    /// Semantic difference a reviewer must know ("" when exact).
    pub caveat: &'static str,
}

use Severity::{Converted as C, Ignored as I, Manual as M, Review as R};

macro_rules! rules {
    ($(($id:literal, $sev:ident, $t:literal, $m:literal, $c:literal)),* $(,)?) => {
        /// All rules.
        pub static RULES: &[Rule] = &[$(Rule { id: $id, severity: $sev, tsql: $t, mysql: $m, caveat: $c }),*];
    };
}

rules![
    // statements and control flow
    ("ctl.break", M, "BREAK/CONTINUE outside a loop", "-", "not valid T-SQL either"),
    ("ctl.goto", C, "GOTO label (label at the end of the body)", "the label's code inlined, then LEAVE body", "the tail is duplicated at each GOTO"),
    ("ctl.goto.unsupported", M, "GOTO to a label inside a block, backwards, or nested", "-", "no GOTO on the target"),
    ("ctl.print", R, "PRINT msg", "INSERT INTO sluice_print_log (conn, routine, msg, logged_at)", "messages go to a table, not the client; a rolled-back transaction loses them"),
    ("ctl.return", M, "RETURN without a value in a function", "-", ""),
    ("ctl.return_value", R, "RETURN n in a procedure", "SET sluice_return = n; LEAVE body (extra OUT parameter)", "callers outside this conversion must pass the extra OUT argument"),
    ("param.default", R, "@p type = default", "IN p_p type", "MySQL has no parameter defaults: converted callers get them filled in, other callers must pass every argument"),
    ("var.undeclared", M, "@v used but not declared", "-", ""),
    ("type.alias", C, "user alias type (ut_*)", "its base type", ""),
    ("type.unknown", M, "a type with no mapping", "-", ""),
    ("stmt.unsupported", M, "WAITFOR and other statements without equivalent", "-", ""),
    ("parse.error", M, "a statement the parser cannot read", "-", "the object is listed with the statement's line"),
    ("ddl.in_routine", M, "CREATE/DROP of permanent tables or indexes inside a routine", "-", "DDL commits implicitly on the target"),
    // expressions
    ("str.concat", C, "a + b on strings", "CONCAT(a, b)", "NULL operand gives NULL in both"),
    ("str.concat.unknown", M, "a + b with operand types unknown", "-", "addition vs concatenation cannot be decided"),
    ("op.int_div", C, "int / int", "a DIV b", "truncates toward zero in both"),
    ("op.div.unknown", M, "a / b with an integer or unknown operand", "-", "integer vs decimal division cannot be decided"),
    ("op.date_plus_number", C, "datetime + n", "d + INTERVAL n DAY", ""),
    ("op.like_class", C, "LIKE '[0-9]%'", "REGEXP '^[0-9]'", "patterns with classes only when literal"),
    ("fn.avg_int", C, "AVG(int_expr)", "TRUNCATE(AVG(int_expr), 0)", "SQL Server averages integers in integer arithmetic (the result is truncated toward zero)"),
    ("fn.isnull", C, "ISNULL(a, b)", "IFNULL(a, b)", "SQL Server types the result as a (b may be truncated to a's length)"),
    ("fn.len", C, "LEN(s)", "CHAR_LENGTH(TRIM(TRAILING ' ' FROM s))", ""),
    ("fn.datalength", R, "DATALENGTH(s)", "LENGTH(s)", "nvarchar counts 2 bytes per char in SQL Server, utf8mb4 1-4"),
    ("fn.charindex", C, "CHARINDEX(a, b[, n])", "LOCATE(a, b[, n])", "case sensitivity follows the column collation in both"),
    ("fn.replicate", C, "REPLICATE(s, n)", "REPEAT(s, n)", ""),
    ("fn.stuff", C, "STUFF(s, i, n, r)", "INSERT(s, i, n, r)", ""),
    ("fn.replace_case", R, "REPLACE(s, 'abc', r)", "REPLACE(s, 'abc', r)", "the target's REPLACE is case-sensitive; SQL Server's follows the collation"),
    ("fn.round_trunc", C, "ROUND(x, n, 1)", "TRUNCATE(x, n)", ""),
    ("fn.getdate", C, "GETDATE()", "NOW(3)", "datetime's 1/300 s ticks become milliseconds"),
    ("fn.newid", C, "NEWID()", "UUID()", ""),
    ("fn.concat", C, "CONCAT(a, b)", "CONCAT_WS('', a, b)", "SQL Server's CONCAT skips NULLs"),
    ("fn.string_agg", R, "STRING_AGG(x, sep)", "GROUP_CONCAT(x SEPARATOR sep)", "result capped at group_concat_max_len"),
    ("fn.dateadd", C, "DATEADD(part, n, d)", "DATE_ADD(d, INTERVAL n part)", "month ends clamp in both"),
    ("fn.datediff", C, "DATEDIFF(part, a, b)", "boundary arithmetic (YEAR(b)-YEAR(a), DATEDIFF, week from Sundays, TIMESTAMPDIFF on truncated values)", "counts boundaries crossed, like SQL Server"),
    ("fn.datepart", C, "DATEPART(part, d)", "YEAR()/MONTH()/... ; week: (DAYOFYEAR + DAYOFWEEK(Jan 1) - 2) DIV 7 + 1", ""),
    ("fn.datepart.unknown", M, "DATEADD/DATEDIFF with an unknown part", "-", ""),
    ("fn.datepart_weekday", R, "DATEPART(weekday, d)", "DAYOFWEEK(d)", "equal only under SET DATEFIRST 7 (us_english default)"),
    ("fn.datename", R, "DATENAME(month|weekday, d)", "MONTHNAME/DAYNAME", "English names (us_english)"),
    ("fn.convert.style", C, "CONVERT(varchar, d, 112|120|121|23|103|101|108|...)", "DATE_FORMAT(d, pattern) / STR_TO_DATE(s, pattern), LEFT(.., n) for varchar(n)", "every style mapped explicitly; others flagged"),
    ("fn.cast.int_trunc", C, "CAST(decimal AS int)", "CAST(TRUNCATE(x, 0) AS SIGNED)", "the target's CAST rounds; SQL Server truncates"),
    ("fn.cast.float_text", M, "CAST(float AS varchar)", "-", "SQL Server prints 6 significant digits"),
    ("fn.cast.datetime_text", M, "CAST(datetime AS varchar) without a style", "-", "SQL Server's default 'mon dd yyyy hh:miAM' format"),
    ("fn.try_convert", M, "TRY_CAST / TRY_CONVERT (other than string → decimal)", "-", "the target's CAST does not return NULL on failure"),
    ("fn.try_convert.decimal", R, "TRY_CONVERT(decimal(p,s), string) / TRY_CAST(string AS decimal(p,s))", "CASE WHEN s REGEXP '^ *[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+) *$' AND ABS(ROUND(CAST(TRIM(s) AS DECIMAL(65,30)), s)) < 10^(p-s) THEN CAST(TRIM(s) AS DECIMAL(p,s)) END", "only spaces are trimmed (a tab or newline around the number gives NULL)"),
    ("fn.scope_identity", R, "SCOPE_IDENTITY()", "LAST_INSERT_ID()", "after a multi-row insert the target gives the first id, SQL Server the last"),
    ("fn.identity_global", R, "@@IDENTITY", "LAST_INSERT_ID()", "ids inserted by triggers are not seen"),
    ("fn.user", R, "SUSER_SNAME()", "CURRENT_USER()", "user@host, not the Windows/SQL login"),
    ("fn.host_name", R, "HOST_NAME()", "@@hostname", "the server's name, not the client's"),
    ("fn.version", R, "@@VERSION", "VERSION()", ""),
    ("fn.isnumeric", R, "ISNUMERIC(s)", "REGEXP for decimal numbers", "SQL Server also accepts currency symbols, 'e' notation"),
    ("fn.user_unknown", R, "schema.fn(...) not among converted objects", "db.fn(...)", "must exist on the target"),
    ("fn.unsupported", M, "FORMAT, STR, PATINDEX, STRING_SPLIT, OPENJSON, ...", "-", "no exact equivalent"),
    ("fn.inline_tvf", R, "table-valued function (inline, or multi-statement made one query)", "procedure returning the rows", "callers outside the conversion must CALL it instead of SELECT ... FROM it (converted routines get its query: from.inline_tvf)"),
    ("fn.mstvf", M, "multi-statement table-valued function with variables, IF/WHILE, identity/default columns or other statements", "-", "the target has no table-valued functions; only functions that just fill their return table become one query"),
    ("global.unsupported", M, "@@PROCID, @@NESTLEVEL, ...", "-", ""),
    ("name.cross_db", R, "OtherDb.schema.table", "`OtherDb[_schema]`.`table`", "the other database must be migrated under that name"),
    ("name.linked_server", M, "server.db.schema.table", "-", "linked servers do not exist on the target"),
    ("name.unknown_table", R, "a table not in the schema scripts", "`db`.`name`", "must exist on the target"),
    // queries
    ("sel.top", C, "SELECT TOP (n)", "LIMIT n", ""),
    ("sel.top_percent", M, "TOP n PERCENT", "-", ""),
    ("sel.with_ties", M, "TOP n WITH TIES", "-", ""),
    ("sel.offset_fetch", C, "OFFSET m ROWS FETCH NEXT n ROWS ONLY", "LIMIT m, n; a result-set SELECT whose offset is a variable first raises 10742 when it is negative, as SQL Server does", ""),
    ("sel.assign", C, "SELECT @v = expr [FROM ...]", "SET, or SELECT ... INTO inside a block with a local NOT FOUND handler; LIMIT 1 (ORDER BY reversed: SQL Server keeps the last row)", "no row leaves @v unchanged in both"),
    ("sel.assign_concat", R, "SELECT @s = @s + expr FROM t [WHERE ...] [ORDER BY k] (string @s)", "SET s = (SELECT CASE WHEN COUNT(*) = 0 THEN s WHEN COUNT(*) > COUNT(expr) THEN NULL ELSE LEFT(CONCAT(s, GROUP_CONCAT(expr ORDER BY k SEPARATOR '')), len) END FROM t ...)", "Microsoft documents the row order of this idiom as not guaranteed; the conversion uses the ORDER BY order; raises the session's group_concat_max_len to 16 MiB"),
    ("sel.assign_accumulate", M, "SELECT @s = @s + col FROM t", "-", "row-by-row accumulation"),
    ("sel.into", M, "SELECT INTO inside a subquery", "-", ""),
    ("sel.into_permanent", M, "SELECT ... INTO permanent_table", "-", "DDL inside a routine"),
    ("sel.except_intersect", R, "EXCEPT / INTERSECT", "EXCEPT / INTERSECT", "needs MySQL 8.0.31 syntax on the target"),
    ("cte.recursive", C, "self-referencing CTE", "WITH RECURSIVE", ""),
    ("hint.nolock", I, "WITH (NOLOCK)", "(dropped)", "the target reads committed data instead of dirty data"),
    ("hint.lock", R, "UPDLOCK, HOLDLOCK, ROWLOCK, ...", "(dropped)", "default locking on the target"),
    ("hint.optimizer", I, "INDEX(...) hints", "(dropped)", "optimizer only"),
    ("join.full", M, "FULL OUTER JOIN", "-", ""),
    ("join.apply", C, "a CROSS APPLY (SELECT ... WHERE x = a.k) t / a OUTER APPLY (...) t (also VALUES and inline table-valued functions)", "a CROSS JOIN LATERAL (SELECT ...) AS t / a LEFT JOIN LATERAL (SELECT ...) AS t ON TRUE", "LATERAL needs OceanBase 4.x / MySQL 8.0.14+ (probed on seekdb)"),
    ("fn.mstvf_inline", R, "CREATE FUNCTION f(...) RETURNS @t TABLE (...) AS BEGIN INSERT INTO @t SELECT ...; UPDATE @t SET ... WHERE ...; DELETE FROM @t WHERE ...; RETURN END", "one query: UNION ALL of the INSERTs, each UPDATE a CASE over the previous rows, each DELETE a filter, values CAST to the declared column types; then an inline function (procedure for CALLers, its query expanded at FROM/APPLY call sites)", "NOT NULL / PRIMARY KEY of the return table are not enforced"),
    ("from.table_function", M, "a multi-statement or unknown table-valued function in FROM", "-", "the target has no table-valued functions"),
    ("from.inline_tvf", C, "FROM / APPLY dbo.fn_inline(args) AS f", "(the function's SELECT with each parameter replaced by its argument) AS f", "arguments are evaluated where the parameter is read (the same value: no side effects in T-SQL functions)"),
    ("from.pivot", M, "PIVOT / UNPIVOT of a join, of SELECT *, of an expression, or with another aggregate", "-", "the input's columns must be known one by one"),
    ("from.pivot_rewrite", C, "src PIVOT (SUM(v) FOR c IN ([a], [b])) AS p", "(SELECT g..., SUM(CASE WHEN c = 'a' THEN v END) AS a, ... FROM src GROUP BY g...) AS p (g: the other input columns)", ""),
    ("from.unpivot_rewrite", C, "src UNPIVOT (v FOR n IN (a, b)) AS u", "(SELECT o..., 'a' AS n, a AS v FROM src WHERE a IS NOT NULL UNION ALL ...) AS u", ""),
    // DML
    ("ins.columns", C, "INSERT INTO t VALUES (...) without a column list", "the column list, identity/computed skipped", ""),
    ("ins.exec_no_rows", C, "INSERT INTO t EXEC p ... where p sends no result set", "CALL p(...) (nothing is inserted, as in SQL Server)", ""),
    ("ins.exec_capture", R, "INSERT INTO t EXEC p ... where p returns rows (t: a permanent table or a #temp the caller creates)", "CALL p_rows_N(...): a copy of p, deployed with the caller, whose result-set SELECTs are INSERT INTO t SELECT ...", "the copy must be kept in step with p; @@ROWCOUNT after it is flagged"),
    ("ins.exec", M, "INSERT ... EXEC proc", "-", "a procedure's result set cannot be inserted on the target"),
    ("dml.output", M, "OUTPUT / OUTPUT INTO of UPDATE, MERGE, multi-row INSERT, DELETE with TOP/joins", "-", "the affected rows cannot be found again after the statement"),
    ("dml.output_delete", R, "DELETE FROM t OUTPUT deleted.c, ... [INTO x] WHERE cond", "SELECT c, ... FROM t WHERE cond (to the client or INSERT INTO x), then DELETE FROM t WHERE cond", "two statements: a row changed by another session between them can differ; run in a transaction for atomicity"),
    ("dml.output_insert", R, "INSERT INTO t (...) OUTPUT inserted.c, ... [INTO x] VALUES (one row), t with an identity", "INSERT ...; SELECT c, ... FROM t WHERE id = LAST_INSERT_ID() (to the client or INSERT INTO x)", "values are read back after the insert: an AFTER trigger changing the row shows its change"),
    ("dml.truncate", R, "TRUNCATE TABLE t", "DELETE FROM t", "identity not reset; TRUNCATE would commit the transaction on the target"),
    ("upd.from", C, "UPDATE t SET ... FROM t JOIN u", "UPDATE t JOIN u SET t.col = ...", ""),
    ("upd.set_order", M, "UPDATE t SET a = b, b = a (assignments reading each other in a cycle)", "-", "SQL Server reads old values; MySQL assigns left to right"),
    ("upd.set_reorder", R, "UPDATE t SET a = a + x, b = f(a)", "UPDATE t SET b = f(a), a = a + x", "assignments reordered so each reads the old values; relies on the target assigning left to right (documented for single-table UPDATE, observed on seekdb for multi-table)"),
    ("upd.top", R, "UPDATE/DELETE TOP (n)", "... LIMIT n", "which rows is unspecified in both"),
    ("upd.var", M, "UPDATE ... SET @v = col", "-", ""),
    ("upd.cte", M, "WITH c AS (...) UPDATE c", "-", ""),
    ("del.from", C, "DELETE t FROM t JOIN u", "DELETE t FROM t JOIN u", ""),
    ("del.top", M, "DELETE TOP with joins", "-", ""),
    ("merge", R, "MERGE t USING s ON c WHEN MATCHED [AND x] THEN UPDATE/DELETE WHEN NOT MATCHED [BY TARGET] THEN INSERT WHEN NOT MATCHED BY SOURCE THEN UPDATE/DELETE", "NOT MATCHED BY SOURCE: UPDATE/DELETE ... WHERE NOT EXISTS (source match); MATCHED: DELETE/UPDATE t JOIN s ON c (DELETE first, later clauses exclude earlier conditions); NOT MATCHED: INSERT ... SELECT FROM s WHERE NOT EXISTS (target match), last; @@ROWCOUNT summed", "several statements instead of one atomic pass: a concurrent writer between them can be seen (run it in a transaction)"),
    ("merge.duplicate_guard", C, "MERGE whose source may match a target row twice", "IF (matched pairs) > (matched target rows) THEN SIGNAL ... MYSQL_ERRNO = 8672", "same error number as SQL Server"),
    ("merge.unsupported", M, "MERGE updating a column its ON reads, MATCHED DELETE with NOT MATCHED INSERT, a subquery in a clause, OUTPUT, TOP, NEWID() in the source, a temp-table target", "-", "the sequential rewrite would let one action see another's rows"),
    // temp tables
    ("temp.work_table", C, "CREATE TABLE #t (...)", "permanent work table keyed by CONNECTION_ID(), created at deploy, rows cleared at start, DROP, RETURN, end and on error", "work tables exist for every connection (rows are per connection)"),
    ("tvar.work_table", C, "DECLARE @t TABLE (...)", "permanent work table keyed by CONNECTION_ID()", ""),
    ("temp.select_into", C, "SELECT ... INTO #t", "INSERT INTO work table; column types inferred from the source", "flagged when a type cannot be inferred"),
    ("temp.identity", R, "IDENTITY(1,1) column in a temp table", "numbered by the converted INSERTs from MAX+1 per connection", "after a DELETE from the temp table numbering continues from the highest remaining row, not the highest ever issued"),
    ("temp.default", M, "non-literal default on a temp column", "-", ""),
    ("temp.index", I, "CREATE INDEX on #t", "(dropped)", "work tables are keyed by connection"),
    ("temp.shared", R, "#t created by the calling procedure", "the caller's work table (rows keyed by connection)", "the routine must be called by the one that creates #t, as in SQL Server; called alone it sees no rows instead of failing"),
    ("temp.not_created_here", M, "#t created by a caller", "-", "temp tables shared between procedures need a person"),
    ("temp.drop_unknown", I, "DROP TABLE #t not created here", "(dropped)", ""),
    ("tvar.unknown", M, "a table variable that is not declared", "-", ""),
    ("tvp", M, "READONLY table-valued parameter", "-", ""),
    // cursors
    ("cursor.basic", C, "DECLARE c CURSOR LOCAL FAST_FORWARD ... FETCH NEXT ... @@FETCH_STATUS", "DECLARE CURSOR + CONTINUE HANDLER FOR NOT FOUND SET v_fetch_status = -1", ""),
    ("cursor.static", R, "STATIC / INSENSITIVE cursor", "cursor", "not guaranteed to be a snapshot"),
    ("cursor.global", R, "GLOBAL cursor", "routine-local cursor", ""),
    ("cursor.for_update", I, "FOR UPDATE cursor", "cursor", ""),
    ("cursor.scroll", M, "KEYSET/DYNAMIC cursors, FETCH FIRST/PRIOR/ABSOLUTE/RELATIVE", "-", "the target's cursors only move forward"),
    ("cursor.fetch_last", C, "SCROLL cursor, FETCH LAST FROM c INTO @a", "CLOSE c; OPEN c; LOOP FETCH c INTO temps ... (keep the last row) END LOOP; @@FETCH_STATUS 0 or -1", "the query runs again (a STATIC cursor would read its snapshot)"),
    ("cursor.current_of", M, "WHERE CURRENT OF", "-", ""),
    ("cursor.fetch_result", M, "FETCH without INTO", "-", ""),
    ("cursor.redeclared", M, "one cursor name declared twice", "-", ""),
    ("cursor.unknown", M, "a cursor not declared in the routine", "-", ""),
    ("cursor.deallocate", I, "DEALLOCATE c", "(dropped)", "cursors end with their block"),
    // errors and transactions
    ("err.try_catch", C, "BEGIN TRY ... END TRY BEGIN CATCH ... END CATCH", "labelled block with EXIT HANDLER + GET DIAGNOSTICS; CATCH code under IF caught", ""),
    ("err.at_error", R, "IF @@ERROR <> 0 ...", "CONTINUE HANDLER setting v_error; v_error reset before each statement", "the number is the target's error number; SQL Server also sends the failed statement's error to the client while the routine goes on, the handler keeps it from the client (flow, return value and rollback are SQL Server's)"),
    ("err.raiserror", R, "RAISERROR('msg %s', 16, 1, @x) followed by RETURN or inside TRY", "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT, MYSQL_ERRNO = 30000", "the error also stops calling procedures outside TRY (SQL Server's RAISERROR stops no one); OUT parameters and the return value are not delivered; message cut to 128 characters; in a trigger it undoes the triggering statement (SQL Server's RAISERROR keeps the row)"),
    ("err.raiserror_continues", M, "RAISERROR followed by more statements outside TRY", "-", "SQL Server continues after RAISERROR, SIGNAL stops"),
    ("err.raiserror_info", R, "RAISERROR(msg, 0..10, ...)", "row in sluice_print_log", "informational message"),
    ("err.throw", C, "THROW 50001, msg, 1", "SIGNAL SQLSTATE '45000' MYSQL_ERRNO 30001", "numbers 50000..52767 map to 30000..32767: the target returns MYSQL_ERRNO as signed 16-bit"),
    ("err.rethrow", R, "THROW; in CATCH", "SIGNAL with the caught number and message", "SQLSTATE becomes 45000"),
    ("err.errno_range", M, "THROW n outside 50000..52767", "-", "would come back wrapped"),
    ("err.error_number", R, "ERROR_NUMBER()", "IF(v_errno BETWEEN 30000 AND 32767, v_errno + 20000, v_errno)", "system errors carry the target's numbers"),
    ("err.error_severity", R, "ERROR_SEVERITY(), ERROR_STATE()", "16, 1", ""),
    ("err.error_procedure", R, "ERROR_PROCEDURE()", "the routine's name", ""),
    ("err.error_line", M, "ERROR_LINE()", "-", ""),
    ("tx.begin", R, "BEGIN TRAN", "START TRANSACTION", "no nesting: it commits a transaction the caller has open"),
    ("tx.trancount", R, "@@TRANCOUNT", "v_trancount (this routine's count)", "the caller's transactions are not counted"),
    ("tx.savepoint", C, "SAVE TRAN s / ROLLBACK TRAN s", "SAVEPOINT s / ROLLBACK TO SAVEPOINT s", ""),
    ("tx.xact_abort", C, "SET XACT_ABORT ON", "EXIT HANDLER: ROLLBACK; RESIGNAL", ""),
    ("tx.in_trigger", M, "transaction control in triggers/functions", "-", ""),
    ("rowcount.capture", C, "@@ROWCOUNT right after DML/SELECT", "v_rowcount = ROW_COUNT() / FOUND_ROWS()", "after SELECT @v = ... it is 0 or 1"),
    ("rowcount.unsupported", M, "@@ROWCOUNT not right after the statement it counts", "-", ""),
    ("set.nocount", I, "SET NOCOUNT ON/OFF", "(dropped)", "the target sends no row-count messages from routines"),
    ("set.session_option", I, "SET ANSI_NULLS/QUOTED_IDENTIFIER/ANSI_WARNINGS/ARITHABORT ON, IDENTITY_INSERT", "(dropped)", "the target behaves as with these ON; explicit identity values are always allowed"),
    ("set.ansi_off", M, "SET ANSI_NULLS OFF / CONCAT_NULL_YIELDS_NULL OFF", "-", ""),
    ("set.isolation", R, "SET TRANSACTION ISOLATION LEVEL x", "SET TRANSACTION ISOLATION LEVEL x", "applies to the next transaction only"),
    ("set.unsupported", M, "SET DATEFIRST/DATEFORMAT/LANGUAGE/ROWCOUNT/LOCK_TIMEOUT", "-", ""),
    // calls and dynamic SQL
    ("exec.call", C, "EXEC proc @a = 1, @b = @x OUTPUT", "CALL proc(1, v_x) with defaults filled in", ""),
    ("exec.default_fill", C, "EXEC without an argument that has a default", "the default value passed", ""),
    ("exec.unknown_callee", R, "EXEC of a procedure not in this conversion", "CALL with arguments as written", "argument count and modes are not checked"),
    ("exec.missing_arg", M, "EXEC without a required argument", "-", ""),
    ("exec.output", M, "OUTPUT argument that is not a variable", "-", ""),
    ("exec.system", M, "EXEC sp_*/xp_* system procedure", "-", ""),
    ("exec.in_function", M, "EXEC inside a function", "-", ""),
    ("dyn.prepare", R, "EXEC(@sql) / sp_executesql with literal or checked text", "PREPARE/EXECUTE ... USING", "text built at run time is checked fragment by fragment for T-SQL-only syntax"),
    ("dyn.built", M, "dynamic SQL whose text cannot be checked", "-", "the text is T-SQL; it would run on the target unconverted"),
    ("dyn.output", M, "sp_executesql with OUTPUT parameters", "-", ""),
    ("dyn.in_function", M, "dynamic SQL in a function or trigger", "-", "PREPARE is not allowed there"),
    // triggers, views, options
    ("trg.row_level", R, "AFTER INSERT/UPDATE/DELETE trigger over inserted/deleted", "FOR EACH ROW trigger; inserted/deleted columns → NEW.c/OLD.c (NULL when the event has no such row), the pseudo table a one-row placeholder", "fires per row; a row trigger sees the table mid-statement; an UPDATE ... FROM inserted that matches one target row for several inserted rows applies each of them (SQL Server applies one, its result documented as undefined)"),
    ("trg.update_col", R, "IF UPDATE(col)", "NOT (NEW.col <=> OLD.col) (TRUE on INSERT)", "SQL Server is true when the column is in the SET list even if the value did not change"),
    ("trg.split_events", C, "FOR INSERT, UPDATE", "one trigger per event", ""),
    ("trg.any_rows", C, "IF (SELECT COUNT(*) FROM deleted) > 0 (also >= 1, <> 0, = 0) in a trigger", "IF 1 = 1 (or 1 = 0 when the event has no such rows) in the FOR EACH ROW trigger", "a row trigger runs only for affected rows; SQL Server's statement trigger also runs for none, where the test is false"),
    ("trg.veto", R, "RAISERROR(...); ROLLBACK TRAN in a trigger", "SIGNAL (the triggering statement is rolled back)", "a transaction the caller opened is not rolled back and the caller's batch is not ended: only the statement is undone"),
    ("trg.aggregate", M, "aggregates over inserted/deleted", "-", "per-row firing would change the result"),
    ("trg.self_update", M, "a trigger updating its own table", "-", "the target forbids it (error 1442)"),
    ("trg.instead_of", M, "INSTEAD OF trigger", "-", ""),
    ("trg.unknown_table", M, "trigger on a table not in the schema", "-", ""),
    ("trg.result_set", M, "SELECT returning rows in a trigger", "-", ""),
    ("view.schemabinding", I, "WITH SCHEMABINDING", "(dropped)", ""),
    ("view.option", M, "other view options", "-", ""),
    ("opt.ignored", I, "WITH RECOMPILE / ENCRYPTION", "(dropped)", ""),
    ("opt.execute_as", R, "WITH EXECUTE AS OWNER/SELF", "SQL SECURITY DEFINER", ""),
    ("opt.unsupported", M, "other routine options", "-", ""),
];

/// The rule with this id. Unknown ids (a bug) map to `parse.error`'s entry
/// rather than panicking; a unit test keeps the catalog complete.
pub fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).unwrap_or_else(|| {
        RULES
            .iter()
            .find(|r| r.id == "parse.error")
            .expect("catalog has parse.error")
    })
}
