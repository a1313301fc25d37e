//! The rule catalog: every change the converter can make, with an id that
//! findings cite, the class that decides an object's status, and the effort
//! a person needs per occurrence (minutes) plus once per distinct rule.

use serde::Serialize;

/// How a finding affects its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Dropped on purpose with a recorded reason; no effect on data or behaviour (e.g. `ON [PRIMARY]`).
    Ignored,
    /// Converted automatically with the same behaviour.
    Auto,
    /// Converted, but behaviour differs in a way a person should confirm.
    Review,
    /// Not converted (or converted incompletely): needs a person.
    Manual,
    /// No equivalent on the target.
    Unsupported,
}

/// One rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id (`TYPE-MONEY`).
    pub id: &'static str,
    /// Class of the findings it produces.
    pub class: Class,
    /// What it does, in plain words.
    pub title: &'static str,
    /// Person-minutes per occurrence.
    pub minutes: u32,
    /// Person-minutes once per distinct rule (learning the pattern).
    pub learn_minutes: u32,
}

macro_rules! rules {
    ($($id:literal, $class:ident, $min:literal, $learn:literal, $title:literal;)*) => {
        /// All rules.
        pub const RULES: &[Rule] = &[$(Rule { id: $id, class: Class::$class, title: $title, minutes: $min, learn_minutes: $learn }),*];
    };
}

rules! {
    "TYPE-TINYINT", Auto, 0, 0, "tinyint (0..255) becomes TINYINT UNSIGNED, which keeps the range";
    "TYPE-BIT", Auto, 0, 0, "bit becomes TINYINT(1) (BOOLEAN-compatible; BIT(1) reads back as bytes in most clients). SQL Server stores any non-zero as 1; TINYINT(1) keeps the value written";
    "TYPE-MONEY", Auto, 0, 0, "money/smallmoney become DECIMAL(19,4)/DECIMAL(10,4): exact, same range";
    "TYPE-FLOAT", Auto, 0, 0, "real/float(1..24) become FLOAT, float(25..53) DOUBLE";
    "TYPE-DATETIME", Review, 5, 15, "datetime becomes DATETIME(3): SQL Server rounds to 1/300 s (.000/.003/.007); copied values keep their displayed milliseconds, new values on the target are exact to the millisecond";
    "TYPE-DATETIME2-PRECISION", Review, 5, 15, "datetime2(7)/time(7) keep 100 ns; the target keeps at most microseconds: the 7th digit is truncated";
    "TYPE-SMALLDATETIME", Auto, 0, 0, "smalldatetime becomes DATETIME (minute precision is a subset)";
    "TYPE-DATETIMEOFFSET", Review, 15, 30, "datetimeoffset becomes DATETIME(n) holding UTC; the original offset is dropped unless an offset column is configured";
    "TYPE-CHAR-LONG", Auto, 0, 0, "char/nchar longer than 255 become VARCHAR (the target's CHAR stops at 255); trailing-space padding is not stored";
    "TYPE-UNICODE", Auto, 0, 0, "nchar/nvarchar become CHAR/VARCHAR in utf8mb4, which holds every Unicode character";
    "TYPE-LOB", Auto, 0, 0, "(n)varchar(max), text and ntext become LONGTEXT; varbinary(max) and image become LONGBLOB";
    "TYPE-XML", Review, 15, 30, "xml becomes LONGTEXT: no XML validation, no XQuery methods (.value(), .nodes()) on the target";
    "TYPE-UNIQUEIDENTIFIER", Review, 5, 15, "uniqueidentifier becomes CHAR(36): comparisons are textual (SQL Server orders GUIDs by byte groups) and case matters under utf8mb4_bin";
    "TYPE-ROWVERSION", Manual, 60, 60, "rowversion/timestamp becomes BINARY(8): the target does not maintain it; optimistic-concurrency checks in the application need another token (e.g. an updated-at column)";
    "TYPE-SQL-VARIANT", Manual, 120, 60, "sql_variant has no equivalent; stored as LONGTEXT in its text form, its base type is lost";
    "TYPE-HIERARCHYID", Manual, 240, 120, "hierarchyid becomes VARBINARY(892) holding its binary form (which sorts depth-first); its methods (GetAncestor, IsDescendantOf) must be rewritten";
    "TYPE-SPATIAL", Manual, 240, 120, "geography/geometry become GEOMETRY without an SRID; data must be copied as WKB (STAsBinary) and geography semantics (earth curvature) are lost";
    "TYPE-ALIAS", Auto, 0, 0, "a user-defined alias type is replaced by its base type (and its nullability when the column does not say)";
    "TYPE-SYSNAME", Auto, 0, 0, "sysname is nvarchar(128)";
    "TYPE-UNKNOWN", Manual, 30, 0, "the type is not known (a user type the scripts do not define, or a CLR type)";
    "TYPE-OVERRIDE", Auto, 0, 0, "the type was mapped by an override in the configuration";
    "TYPE-DECIMAL-IDENTITY", Auto, 0, 0, "an IDENTITY column of type decimal/numeric(p,0) becomes BIGINT, since AUTO_INCREMENT needs an integer type";
    "COL-IDENTITY", Auto, 0, 0, "IDENTITY becomes AUTO_INCREMENT; a seed other than 1 becomes the table's AUTO_INCREMENT start";
    "COL-IDENTITY-STEP", Manual, 30, 30, "IDENTITY increments other than 1 (or negative seeds) have no per-table equivalent (auto_increment_increment is server-wide)";
    "COL-COMPUTED", Auto, 0, 0, "a computed column becomes a generated column (STORED when PERSISTED, else VIRTUAL)";
    "COL-COMPUTED-MANUAL", Manual, 45, 30, "a computed column whose expression cannot be converted (or is non-deterministic) is left out; compute it in a view or in the application";
    "COL-DEFAULT-NAME", Ignored, 0, 0, "named DEFAULT constraints become plain column defaults (the target has no default-constraint names)";
    "COL-DEFAULT-NOW", Auto, 0, 0, "GETDATE()/SYSDATETIME()/CURRENT_TIMESTAMP become CURRENT_TIMESTAMP(n) with the column's precision";
    "COL-DEFAULT-UTC", Auto, 0, 0, "GETUTCDATE()/SYSUTCDATETIME() become the expression default (UTC_TIMESTAMP(n))";
    "COL-DEFAULT-UUID", Auto, 0, 0, "NEWID() becomes the expression default (UUID()), lower-case text";
    "COL-DEFAULT-SEQUENTIAL-UUID", Review, 5, 15, "NEWSEQUENTIALID() becomes (UUID()): values are unique but not increasing";
    "COL-DEFAULT-EXPR", Auto, 0, 0, "a default expression was converted to the target's syntax";
    "COL-DEFAULT-LOB", Manual, 20, 15, "the target rejects defaults on LONGTEXT/LONGBLOB columns; the default is left out and inserts that omit the column must supply it";
    "COL-DEFAULT-MANUAL", Manual, 30, 15, "a default expression cannot be converted and is left out";
    "COL-DEFAULT-SEQUENCE", Manual, 30, 30, "DEFAULT (NEXT VALUE FOR seq) cannot call a function on the target; set the value in the application or with a trigger (nullable column)";
    "COL-COLLATION", Review, 5, 15, "a column collation is mapped to the nearest utf8mb4 collation the target offers; sort order (e.g. Chinese pinyin order) and accent sensitivity can differ";
    "COL-ROWGUIDCOL", Ignored, 0, 0, "ROWGUIDCOL is a merge-replication marker; dropped";
    "COL-SPARSE", Ignored, 0, 0, "SPARSE is a storage hint; dropped";
    "COL-FILESTREAM", Manual, 120, 60, "FILESTREAM data lives outside the database on SQL Server; becomes LONGBLOB, sizes and access paths change";
    "COL-OPTION-OTHER", Review, 10, 15, "a column option (masking, encryption, temporal GENERATED ALWAYS) has no equivalent and is dropped";
    "KEY-PK-NAME", Ignored, 0, 0, "the primary key's name is dropped (it is always PRIMARY on the target)";
    "KEY-PK-DESC", Ignored, 0, 0, "the target rejects DESC in a primary key; the key is created ascending (same uniqueness, different physical order)";
    "KEY-PK-NONCLUSTERED", Ignored, 0, 0, "OceanBase organises every table by its primary key; a nonclustered primary key becomes the clustering key and the clustered index a secondary one";
    "KEY-OPTIONS", Ignored, 0, 0, "index and table storage options (FILLFACTOR, PAD_INDEX, DATA_COMPRESSION, ON [filegroup], TEXTIMAGE_ON) are dropped";
    "TABLE-NO-PK", Review, 15, 15, "the table has no primary key: OceanBase adds a hidden one, and sync must match rows on all columns; add a key if the table is synced";
    "IDX-INCLUDE", Auto, 0, 0, "INCLUDE columns are dropped (the target has no covering-column syntax); the index keeps its keys";
    "IDX-FILTER-NOT-NULL", Auto, 0, 0, "a unique index filtered WHERE col IS NOT NULL is a plain unique index on the target, which already lets NULLs repeat";
    "IDX-UNIQUE-NULLS", Review, 10, 15, "a UNIQUE key on a nullable column: SQL Server allows a single NULL, the target allows many (add a NOT NULL or a check if the application relies on it)";
    "IDX-FILTER-DROPPED", Review, 5, 15, "a filtered non-unique index becomes a full index (larger, same results)";
    "IDX-FILTER-UNIQUE", Manual, 60, 30, "a filtered UNIQUE index cannot be expressed; it becomes non-unique and the partial uniqueness must be enforced elsewhere";
    "IDX-DESC", Ignored, 0, 0, "the target builds index keys ascending (it accepts DESC but ignores it); DESC is dropped so the DDL says what the target does";
    "IDX-CLUSTERED", Ignored, 0, 0, "a clustered index that is not the primary key becomes a secondary index";
    "IDX-COLUMNSTORE", Review, 15, 30, "columnstore indexes are left out; OceanBase 4.3 column groups can replace them (ALTER TABLE ... ADD COLUMN GROUP)";
    "IDX-SPECIAL", Manual, 60, 30, "XML and spatial indexes have no equivalent and are left out";
    "IDX-NAME-DUP", Auto, 0, 0, "an index or constraint name already used on the target was made unique";
    "IDX-KEY-TOO-LONG", Manual, 30, 15, "the index key exceeds the target's 16384-byte limit in utf8mb4";
    "FK-SET-DEFAULT", Manual, 30, 15, "ON DELETE/UPDATE SET DEFAULT is rejected by the target; the action becomes NO ACTION and the behaviour must be reproduced (trigger or application)";
    "FK-NOT-TRUSTED", Review, 15, 15, "the foreign key was added WITH NOCHECK: existing rows may violate it; it is created after the data load and creation fails if they do";
    "FK-DISABLED", Review, 10, 15, "the foreign key is disabled on the source (NOCHECK CONSTRAINT) and is not created on the target";
    "FK-NOT-FOR-REPLICATION", Ignored, 0, 0, "NOT FOR REPLICATION is dropped";
    "FK-UNKNOWN-TABLE", Manual, 15, 0, "the foreign key refers to a table the scripts do not create; it is left out";
    "CHECK-NOT-ENFORCED", Review, 10, 15, "a CHECK added WITH NOCHECK or disabled on the source is created NOT ENFORCED";
    "CHECK-LIKE-PATTERN", Auto, 0, 0, "LIKE with [..] character classes becomes an anchored REGEXP";
    "CHECK-NONDETERMINISTIC", Manual, 30, 30, "the target forbids non-deterministic functions (GETDATE(), ...) in CHECK; the constraint is left out (enforce it in a trigger or the application)";
    "CHECK-MANUAL", Manual, 30, 15, "a CHECK expression cannot be converted and is left out";
    "EXPR-CONCAT", Auto, 0, 0, "string + string becomes CONCAT() (both yield NULL when an operand is NULL)";
    "EXPR-PLUS-UNTYPED", Review, 10, 15, "'+' with operands whose types could not be inferred was kept as addition; if they are strings, use CONCAT()";
    "EXPR-FUNCTION", Auto, 0, 0, "a built-in function was mapped to its target equivalent";
    "EXPR-LEN", Auto, 0, 0, "LEN() ignores trailing spaces: becomes CHAR_LENGTH(TRIM(TRAILING ' ' FROM x))";
    "EXPR-DATEDIFF", Auto, 0, 0, "DATEDIFF counts boundaries crossed: converted to an exact expression for the unit";
    "EXPR-CONVERT-STYLE", Auto, 0, 0, "CONVERT style code mapped to an explicit DATE_FORMAT pattern";
    "EXPR-STRING-ESCAPE", Auto, 0, 0, "backslashes in string literals are escaped (the target treats \\ as an escape character)";
    "NAME-TOO-LONG", Auto, 0, 0, "names longer than 64 characters are shortened with a stable hash suffix";
    "NAME-CASE-CLASH", Manual, 30, 15, "two names differ only in case; the target compares table names case-insensitively";
    "SCHEMA-DATABASE", Auto, 0, 0, "each SQL Server schema becomes a database (dbo the main one)";
    "SEQ-EMULATED", Review, 30, 60, "the target has no CREATE SEQUENCE: a row in sluice_sequence plus the function sluice_nextval('schema.name') replace it; values are handed out under a row lock and a rolled-back transaction returns its value";
    "SYN-VIEW", Review, 10, 15, "a synonym for a table becomes a view over it (reads and simple writes work; DDL through it does not)";
    "SYN-MANUAL", Manual, 30, 15, "a synonym for a procedure, function, view, another database or an unknown object cannot be created as a view";
    "SYN-LINKED-SERVER", Unsupported, 120, 60, "a synonym for a linked-server object has no equivalent";
    "UDT-ALIAS", Auto, 0, 0, "alias types are inlined into the columns that use them; no object is created";
    "UDT-TABLE", Manual, 60, 60, "table types (table-valued parameters) have no equivalent; their procedures need rework (see sluice convert)";
    "ROUTINE-NOT-CONVERTED", Manual, 0, 0, "this version does not convert routine bodies yet (sluice convert); the effort shown is an estimate from its size and the constructs found";
    "PARSE-ERROR", Manual, 30, 0, "a statement could not be parsed; it is listed with its line and was not converted";
    "TSQL-TEMP-TABLE", Manual, 45, 60, "#temp tables: the target rejects CREATE TEMPORARY TABLE; rewrite as a derived table/CTE or a work table keyed by CONNECTION_ID()";
    "TSQL-TABLE-VARIABLE", Manual, 30, 30, "table variables need a derived table or work table";
    "TSQL-CURSOR", Manual, 45, 60, "cursors become MySQL cursors with a NOT FOUND handler; @@FETCH_STATUS logic changes";
    "TSQL-DYNAMIC-SQL", Manual, 60, 60, "dynamic SQL (EXEC(@sql), sp_executesql) becomes PREPARE/EXECUTE and its text must itself be converted";
    "TSQL-ERROR-VAR", Manual, 20, 45, "@@ERROR checks become condition handlers";
    "TSQL-ROWCOUNT", Review, 10, 15, "@@ROWCOUNT becomes ROW_COUNT() or FOUND_ROWS(), captured right after its statement";
    "TSQL-NOLOCK", Auto, 0, 0, "WITH (NOLOCK) hints are dropped (the target reads committed data without blocking)";
    "TSQL-NOCOUNT", Ignored, 0, 0, "SET NOCOUNT has no equivalent and no effect on results";
    "TSQL-TRY-CATCH", Manual, 20, 45, "TRY/CATCH becomes a block with DECLARE EXIT HANDLER and GET DIAGNOSTICS";
    "TSQL-RAISERROR", Manual, 10, 30, "RAISERROR/THROW become SIGNAL with the error number mapped into the range the target returns intact";
    "TSQL-TRANSACTION", Manual, 20, 45, "explicit transactions, @@TRANCOUNT and XACT_ABORT need emulation (no nesting on the target)";
    "TSQL-MERGE", Manual, 45, 45, "MERGE becomes separate DELETE / UPDATE ... JOIN / INSERT ... WHERE NOT EXISTS statements (sluice convert; flagged where one action would see another's rows)";
    "TSQL-OUTPUT-CLAUSE", Manual, 30, 30, "the target has no OUTPUT clause: sluice convert rewrites DELETE ... OUTPUT and one-row identity INSERT ... OUTPUT, and flags the others";
    "TSQL-SELECT-INTO", Manual, 15, 15, "SELECT ... INTO creates a table: becomes CREATE TABLE ... AS SELECT or INSERT ... SELECT";
    "TSQL-CROSS-DATABASE", Manual, 15, 30, "three-part names (other databases) must be mapped to the target's databases";
    "TSQL-LINKED-SERVER", Unsupported, 120, 60, "four-part names, OPENQUERY and OPENROWSET reach other servers";
    "TSQL-IDENTITY-FN", Auto, 5, 10, "SCOPE_IDENTITY()/@@IDENTITY become LAST_INSERT_ID()";
    "TSQL-TOP", Auto, 5, 10, "TOP (n) becomes LIMIT n";
    "TSQL-PRINT", Review, 5, 10, "PRINT has no equivalent: the message becomes a SELECT or is logged";
    "TSQL-GOTO", Manual, 30, 30, "GOTO needs restructuring into labelled blocks and LEAVE";
    "TSQL-XML-JSON", Manual, 45, 60, "FOR XML / FOR JSON / OPENJSON / OPENXML need JSON functions or rework";
    "TSQL-CLR", Unsupported, 240, 120, "CLR (EXTERNAL NAME) code has no equivalent";
    "TSQL-EXECUTE-AS", Review, 10, 15, "WITH EXECUTE AS becomes SQL SECURITY DEFINER/INVOKER";
    "TSQL-SCHEMABINDING", Ignored, 0, 0, "WITH SCHEMABINDING has no equivalent; dropped";
    "TSQL-WAITFOR", Manual, 15, 15, "WAITFOR DELAY becomes DO SLEEP(n); WAITFOR on a queue has no equivalent";
    "TSQL-DOUBLE-QUOTED-STRING", Review, 5, 15, "double-quoted strings (QUOTED_IDENTIFIER OFF) must become single-quoted literals";
    "TSQL-STRING-PLUS", Review, 5, 15, "string '+' concatenation must become CONCAT() where the operands are strings";
}

/// Stands in for an id missing from the catalog (a bug the catalog test catches).
const UNKNOWN: Rule = Rule {
    id: "INTERNAL-UNKNOWN-RULE",
    class: Class::Manual,
    title: "internal: a finding cited a rule missing from the catalog",
    minutes: 0,
    learn_minutes: 0,
};

/// Looks a rule up by id.
pub fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).unwrap_or(&UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_shaped() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id");
        for r in RULES {
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                r.id
            );
            assert!(!r.title.is_empty());
        }
    }

    /// Every `"XXX-YYY"` literal the converter cites must be in the catalog.
    #[test]
    fn every_cited_rule_exists() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("types.rs"),
            include_str!("expr.rs"),
            include_str!("ddl.rs"),
            include_str!("objects.rs"),
            include_str!("../../assess/constructs.rs"),
        ];
        let mut cited = 0;
        for src in sources {
            for lit in src.split('"').skip(1).step_by(2) {
                let shaped = lit.len() > 4
                    && lit.contains('-')
                    && lit
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
                    && lit.starts_with(|c: char| c.is_ascii_uppercase());
                if shaped && !lit.starts_with("INTERNAL") {
                    cited += 1;
                    assert_ne!(
                        rule(lit).id,
                        UNKNOWN.id,
                        "rule {lit} is cited but not in the catalog"
                    );
                }
            }
        }
        assert!(cited > 50, "only {cited} rule citations found");
    }
}
