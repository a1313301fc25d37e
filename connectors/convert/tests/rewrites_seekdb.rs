//! The structural rewrites' variants that the corpus does not hold, created
//! and run on a real seekdb: MERGE with NOT MATCHED BY SOURCE ... DELETE,
//! INSERT and the 8672 duplicate-match guard, PIVOT of a numeric column,
//! UNPIVOT of a table, APPLY of VALUES, OUTPUT ... INTO, a multi-statement
//! TVF made one query, INSERT ... EXEC through a copy of the callee.

use mysql_async::prelude::*;
use sluice_convert::routine::Status;
use sluice_convert::{check, Options, ScriptFile};
use sluice_testkit::SeekDb;

const SCHEMA: &str =
    "CREATE TABLE dbo.Stock (Code varchar(10) NOT NULL, Qty int NULL, Note varchar(20) NULL)\nGO\n\
CREATE TABLE dbo.Count (Code varchar(10) NOT NULL, Qty int NULL)\nGO\n\
CREATE TABLE dbo.Ev (Id int IDENTITY(1,1) NOT NULL, Kind varchar(10) NOT NULL, Val int NULL)\nGO\n";

const ROUTINES: &str = "CREATE PROCEDURE dbo.sync_stock @n int OUTPUT AS
MERGE dbo.Stock AS s
USING dbo.Count AS c ON s.Code = c.Code
 WHEN MATCHED AND c.Qty = 0 THEN DELETE
 WHEN MATCHED THEN UPDATE SET Qty = c.Qty, Note = 'counted'
 WHEN NOT MATCHED BY SOURCE THEN UPDATE SET Note = 'not counted';
SET @n = @@ROWCOUNT
GO
CREATE PROCEDURE dbo.load_stock AS
MERGE dbo.Stock AS s
USING dbo.Count AS c ON s.Code = c.Code
 WHEN NOT MATCHED BY TARGET AND c.Qty > 0 THEN INSERT (Code, Qty, Note) VALUES (c.Code, c.Qty, 'new')
 WHEN NOT MATCHED BY SOURCE AND s.Qty IS NULL THEN DELETE;
GO
CREATE PROCEDURE dbo.by_kind AS
SELECT * FROM (SELECT Kind, Val, Id % 2 AS Odd FROM dbo.Ev) e
PIVOT (COUNT(Val) FOR Odd IN ([0], [1])) p ORDER BY Kind
GO
CREATE PROCEDURE dbo.ev_rows AS
SELECT Id, Col, V FROM dbo.Ev UNPIVOT (V FOR Col IN (Val)) u ORDER BY Id
GO
CREATE PROCEDURE dbo.pairs AS
SELECT e.Id, x.n, x.v FROM dbo.Ev e CROSS APPLY (VALUES ('id', e.Id), ('val', e.Val)) x(n, v) WHERE x.v IS NOT NULL ORDER BY e.Id, x.n
GO
CREATE PROCEDURE dbo.add_ev @k varchar(10), @v int AS
DECLARE @ids TABLE (Id int, Kind varchar(10))
INSERT INTO dbo.Ev (Kind, Val) OUTPUT inserted.Id, inserted.Kind INTO @ids VALUES (@k, @v)
SELECT Id, Kind FROM @ids
GO
CREATE FUNCTION dbo.fn_big (@min int) RETURNS @r TABLE (Id int, Val int, Tag varchar(5)) AS
BEGIN
	INSERT INTO @r (Id, Val) SELECT Id, Val FROM dbo.Ev WHERE Val >= @min
	UPDATE @r SET Tag = CASE WHEN Val >= 100 THEN 'huge' ELSE 'big' END
	DELETE FROM @r WHERE Id = 1
	RETURN
END
GO
CREATE PROCEDURE dbo.big_list @min int AS
SELECT b.Id, b.Tag FROM dbo.fn_big(@min) b ORDER BY b.Id
GO
CREATE PROCEDURE dbo.kinds @min int AS
SELECT Kind, Val FROM dbo.Ev WHERE Val >= @min
SELECT 'total', SUM(Val) FROM dbo.Ev WHERE Val >= @min
GO
CREATE PROCEDURE dbo.kinds_report @min int AS
CREATE TABLE #k (Kind varchar(10), Val int)
INSERT INTO #k EXEC dbo.kinds @min
SELECT Kind, Val FROM #k ORDER BY Kind, Val
GO
";

fn conv(db: &str) -> sluice_convert::Conversion {
    sluice_convert::convert(
        &[ScriptFile {
            path: "r.sql".into(),
            text: ROUTINES.into(),
        }],
        &[ScriptFile {
            path: "s.sql".into(),
            text: SCHEMA.into(),
        }],
        &Options {
            database: Some(db.into()),
        },
    )
}

async fn rows(c: &mut mysql_async::Conn, sql: &str) -> Vec<Vec<String>> {
    let r: Vec<mysql_async::Row> = c.query(sql).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
    r.into_iter()
        .map(|r| {
            r.unwrap()
                .into_iter()
                .map(|v| match v {
                    mysql_async::Value::NULL => "NULL".to_string(),
                    mysql_async::Value::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
                    o => o.as_sql(true).trim_matches('\'').to_string(),
                })
                .collect()
        })
        .collect()
}

fn t(r: &[&[&str]]) -> Vec<Vec<String>> {
    r.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn rewrite_variants_compile_and_run_on_seekdb() {
    let tdb = SeekDb::shared().fresh_database().await;
    let db = tdb.name.clone();
    let mut c = mysql_async::Conn::from_url(tdb.url.as_str()).await.unwrap();
    for ddl in [
        "CREATE TABLE Stock (Code VARCHAR(10) NOT NULL PRIMARY KEY, Qty INT NULL, Note VARCHAR(20) NULL)",
        "CREATE TABLE `Count` (Code VARCHAR(10) NOT NULL, Qty INT NULL)",
        "CREATE TABLE Ev (Id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, Kind VARCHAR(10) NOT NULL, Val INT NULL)",
    ] {
        c.query_drop(ddl).await.unwrap();
    }
    let conv = conv(&db);
    for o in &conv.objects {
        assert_ne!(
            o.converted.status,
            Status::Manual,
            "{}: {:?}",
            o.converted.source_name,
            o.converted.findings
        );
    }
    let checked = check::check(&tdb.url, &conv).await.unwrap();
    let failed: Vec<_> = checked.iter().filter(|r| r.error.is_some()).collect();
    assert!(failed.is_empty(), "{failed:#?}");

    // MERGE: MATCHED AND Qty = 0 deletes, other matches update, BY SOURCE marks.
    c.query_drop("INSERT INTO Stock VALUES ('a', 1, NULL), ('b', 2, NULL), ('c', 3, NULL)")
        .await
        .unwrap();
    c.query_drop("INSERT INTO `Count` VALUES ('a', 0), ('b', 5), ('z', 9)")
        .await
        .unwrap();
    c.query_drop("SET @n = NULL").await.unwrap();
    c.query_drop("CALL sync_stock(@n)").await.unwrap();
    assert_eq!(rows(&mut c, "SELECT @n").await, t(&[&["3"]]));
    assert_eq!(
        rows(&mut c, "SELECT Code, Qty, Note FROM Stock ORDER BY Code").await,
        t(&[&["b", "5", "counted"], &["c", "3", "not counted"]])
    );
    // NOT MATCHED BY TARGET AND cond → INSERT; BY SOURCE AND cond → DELETE.
    c.query_drop("INSERT INTO Stock VALUES ('d', NULL, NULL)")
        .await
        .unwrap();
    c.query_drop("CALL load_stock()").await.unwrap();
    assert_eq!(
        rows(&mut c, "SELECT Code, Qty, Note FROM Stock ORDER BY Code").await,
        t(&[
            &["b", "5", "counted"],
            &["c", "3", "not counted"],
            &["z", "9", "new"]
        ])
    );
    // A target row matched by two source rows: SQL Server's error 8672, nothing changed.
    c.query_drop("INSERT INTO `Count` VALUES ('b', 6)")
        .await
        .unwrap();
    let e = c.query_drop("CALL sync_stock(@n)").await.unwrap_err();
    assert!(e.to_string().contains("same row more than once"), "{e}");
    assert_eq!(
        rows(&mut c, "SELECT Qty FROM Stock WHERE Code = 'b'").await,
        t(&[&["5"]])
    );

    // OUTPUT inserted.* INTO a table variable.
    let r = rows(&mut c, "CALL add_ev('x', 7)").await;
    assert_eq!(r, t(&[&["1", "x"]]));
    for (k, v) in [("x", "NULL"), ("y", "100"), ("y", "50")] {
        c.query_drop(format!("CALL add_ev('{k}', {v})"))
            .await
            .unwrap();
    }
    // PIVOT COUNT over a numeric column: 0 where no rows, NULLs not counted.
    assert_eq!(
        rows(&mut c, "CALL by_kind()").await,
        t(&[&["x", "0", "1"], &["y", "1", "1"]])
    );
    // UNPIVOT leaves NULLs out; APPLY (VALUES ...) is one row per value.
    assert_eq!(
        rows(&mut c, "CALL ev_rows()").await,
        t(&[
            &["1", "Val", "7"],
            &["3", "Val", "100"],
            &["4", "Val", "50"]
        ])
    );
    assert_eq!(
        rows(&mut c, "CALL pairs()").await[..3],
        t(&[&["1", "id", "1"], &["1", "val", "7"], &["2", "id", "2"]])[..]
    );
    // Multi-statement TVF as one query: UPDATE then DELETE applied in order.
    assert_eq!(
        rows(&mut c, "CALL big_list(7)").await,
        t(&[&["3", "huge"], &["4", "big"]])
    );
    // INSERT #k EXEC of a procedure with two result sets: both inserted.
    assert_eq!(
        rows(&mut c, "CALL kinds_report(50)").await,
        t(&[&["total", "150"], &["y", "50"], &["y", "100"]])
    );
}
