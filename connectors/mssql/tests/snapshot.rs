//! Chunked snapshot reads against a live T-SQL server (Babelfish): the union
//! of the chunks is the table, exactly once per row, for integer and for
//! composite string keys.

mod common;

use std::collections::BTreeSet;

use sluice_engine::value::Value;
use sluice_mssql::catalog::{query, read_table};
use sluice_mssql::snapshot::{
    isolation, plan_chunks, Chunk, ChunkReader, Isolation, SnapshotTable,
};
use sluice_mssql::MssqlClient;

async fn read_all(
    c: &mut MssqlClient,
    t: &SnapshotTable,
    chunks: &[Chunk],
    page: usize,
) -> Vec<Vec<Value>> {
    let iso = isolation(c).await.unwrap();
    let mut out = Vec::new();
    for ch in chunks {
        // Chunks go through JSON as a checkpoint would.
        let ch: Chunk = serde_json::from_str(&serde_json::to_string(ch).unwrap()).unwrap();
        let mut r = ChunkReader::begin(c, t, ch, page, iso).await.unwrap();
        while let Some(rows) = r.next_page().await.unwrap() {
            assert!(rows.len() <= page, "a page is bounded");
            out.extend(rows);
        }
        r.finish().await.unwrap();
    }
    out
}

#[tokio::test]
async fn integer_key_chunks_union_to_the_table() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "snapint").await;
    let mut c = common::session(&db).await;
    common::exec(&mut c, "CREATE TABLE dbo.obs (id bigint NOT NULL PRIMARY KEY, v nvarchar(20) NULL, fee money NULL)").await;
    // 1000 rows with gaps and a far outlier, so arithmetic chunks are uneven.
    let mut values = Vec::new();
    for i in 0..999i64 {
        values.push(format!("({}, N'r{i}', {i}.25)", i * 3 - 500));
    }
    values.push("(9000000000, NULL, NULL)".into());
    for part in values.chunks(250) {
        common::exec(
            &mut c,
            &format!("INSERT INTO dbo.obs VALUES {}", part.join(", ")),
        )
        .await;
    }
    assert_eq!(
        isolation(&mut c).await.unwrap(),
        Isolation::Snapshot,
        "Babelfish reports snapshot_isolation_state = 1"
    );
    let t = SnapshotTable::from_catalog(&read_table(&mut c, "dbo", "obs").await.unwrap().unwrap());
    let chunks = plan_chunks(&mut c, &t, 1000, 120).await.unwrap();
    assert_eq!(chunks.len(), 9, "ceil(1000 / 120) chunks");
    let rows = read_all(&mut c, &t, &chunks, 37).await;
    let whole = query(
        &mut c,
        "whole",
        "SELECT id, v, CAST(fee AS decimal(19,4)) FROM dbo.obs",
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1000, "every row once");
    common::assert_same_rows(&rows, &whole);
    // Rows come in key order within and across chunks.
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| sluice_mssql::catalog::int_of(&r[0]))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
async fn composite_string_key_chunks_union_to_the_table() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "snapstr").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.lab (ward varchar(10) NOT NULL, code nvarchar(20) NOT NULL, n int NOT NULL, \
         CONSTRAINT pk_lab PRIMARY KEY (ward, code))",
    )
    .await;
    let wards = ["A", "a-b", "ab", "B", "b_", "Z"];
    let codes = ["x", "X-1", "x1", "é", "Ω", "zz", "-", "0"];
    let mut values = Vec::new();
    let mut n = 0;
    for w in wards {
        for cd in codes {
            // Case-insensitive collation: wards are distinct under it ('b ' would equal 'B').
            values.push(format!("('{w}', N'{cd}', {n})"));
            n += 1;
        }
    }
    common::exec(
        &mut c,
        &format!("INSERT INTO dbo.lab VALUES {}", values.join(", ")),
    )
    .await;
    let t = SnapshotTable::from_catalog(&read_table(&mut c, "dbo", "lab").await.unwrap().unwrap());
    assert_eq!(t.key, vec![0, 1]);
    let chunks = plan_chunks(&mut c, &t, n as u64, 7).await.unwrap();
    assert!(
        chunks.len() >= 6,
        "sampled boundaries split the table: {}",
        chunks.len()
    );
    let rows = read_all(&mut c, &t, &chunks, 3).await;
    let whole = query(&mut c, "whole", "SELECT ward, code, n FROM dbo.lab")
        .await
        .unwrap();
    assert_eq!(rows.len(), whole.len(), "every row once");
    common::assert_same_rows(&rows, &whole);
    let ns: BTreeSet<i64> = rows
        .iter()
        .map(|r| sluice_mssql::catalog::int_of(&r[2]))
        .collect();
    assert_eq!(ns.len(), n as usize, "no duplicates");
}

#[tokio::test]
async fn a_chunk_is_one_consistent_snapshot_across_pages() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "snapiso").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.t (id int NOT NULL PRIMARY KEY, v int NOT NULL)",
    )
    .await;
    let values: Vec<String> = (1..=20).map(|i| format!("({i}, 0)")).collect();
    common::exec(
        &mut c,
        &format!("INSERT INTO dbo.t VALUES {}", values.join(", ")),
    )
    .await;
    let t = SnapshotTable::from_catalog(&read_table(&mut c, "dbo", "t").await.unwrap().unwrap());
    let chunk = plan_chunks(&mut c, &t, 20, 100).await.unwrap().remove(0);
    let mut other = common::session(&db).await;
    let mut r = ChunkReader::begin(&mut c, &t, chunk, 5, Isolation::Snapshot)
        .await
        .unwrap();
    let first = r.next_page().await.unwrap().unwrap();
    assert_eq!(first.len(), 5);
    // Committed by another session between pages: row 15 changes, row 3 moves past the cursor.
    common::exec(
        &mut other,
        "UPDATE dbo.t SET v = 1 WHERE id = 15; UPDATE dbo.t SET id = 30 WHERE id = 3",
    )
    .await;
    let mut rest = Vec::new();
    while let Some(p) = r.next_page().await.unwrap() {
        rest.extend(p);
    }
    r.finish().await.unwrap();
    assert_eq!(rest.len(), 15, "the moved row is not read twice");
    let v15 = rest.iter().find(|row| row[0] == Value::I32(15)).unwrap();
    assert_eq!(
        v15[1],
        Value::I32(0),
        "pages after the first see the chunk's snapshot, not the later commit"
    );
    assert!(!rest.iter().any(|row| row[0] == Value::I32(30)));
}

#[tokio::test]
async fn chunks_read_in_parallel_sessions_union_to_the_table() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "snappar").await;
    let mut c = common::session(&db).await;
    common::exec(&mut c, "CREATE TABLE dbo.p (id int NOT NULL PRIMARY KEY, v uniqueidentifier NOT NULL DEFAULT NEWID())").await;
    for start in (0..2000).step_by(500) {
        let values: Vec<String> = (start..start + 500)
            .map(|i| format!("({})", i * 7))
            .collect();
        common::exec(
            &mut c,
            &format!("INSERT INTO dbo.p (id) VALUES {}", values.join(", ")),
        )
        .await;
    }
    let t = std::sync::Arc::new(SnapshotTable::from_catalog(
        &read_table(&mut c, "dbo", "p").await.unwrap().unwrap(),
    ));
    let chunks = plan_chunks(&mut c, &t, 2000, 150).await.unwrap();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(chunks));
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let (db, t, queue) = (db.clone(), t.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = common::session(&db).await;
            let mut rows = Vec::new();
            loop {
                let Some(ch) = queue.lock().unwrap().pop() else {
                    return rows;
                };
                let mut r = ChunkReader::begin(&mut c, &t, ch, 100, Isolation::Snapshot)
                    .await
                    .unwrap();
                while let Some(p) = r.next_page().await.unwrap() {
                    rows.extend(p);
                }
                r.finish().await.unwrap();
            }
        }));
    }
    let mut rows = Vec::new();
    for task in tasks {
        rows.extend(task.await.unwrap());
    }
    let whole = query(&mut c, "whole", "SELECT id, v FROM dbo.p")
        .await
        .unwrap();
    common::assert_same_rows(&rows, &whole);
}

/// uniqueidentifier keys sort in SQL Server's own byte order (last group
/// first); bounds and pages are compared by the server, so that order holds.
#[tokio::test]
async fn uniqueidentifier_key_chunks_union_to_the_table() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "snapguid").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.g (id uniqueidentifier NOT NULL PRIMARY KEY, n int NOT NULL)",
    )
    .await;
    let values: Vec<String> = (0..300).map(|i| format!("(NEWID(), {i})")).collect();
    common::exec(
        &mut c,
        &format!("INSERT INTO dbo.g VALUES {}", values.join(", ")),
    )
    .await;
    let t = SnapshotTable::from_catalog(&read_table(&mut c, "dbo", "g").await.unwrap().unwrap());
    let chunks = plan_chunks(&mut c, &t, 300, 60).await.unwrap();
    assert_eq!(chunks.len(), 5, "sampled boundaries");
    let rows = read_all(&mut c, &t, &chunks, 17).await;
    let whole = query(&mut c, "whole", "SELECT id, n FROM dbo.g")
        .await
        .unwrap();
    common::assert_same_rows(&rows, &whole);
}

#[tokio::test]
async fn an_unkeyed_heap_streams_in_bounded_pages() {
    let Some(base) = common::babelfish() else {
        return;
    };
    let db = common::scratch_db(&base, "snapheap").await;
    let mut c = common::session(&db).await;
    common::exec(
        &mut c,
        "CREATE TABLE dbo.staging (a int NULL, b nvarchar(10) NULL)",
    )
    .await;
    let values: Vec<String> = (0..250)
        .map(|i| format!("({}, N'x{}')", i % 7, i % 3))
        .collect();
    common::exec(
        &mut c,
        &format!("INSERT INTO dbo.staging VALUES {}", values.join(", ")),
    )
    .await;
    let t =
        SnapshotTable::from_catalog(&read_table(&mut c, "dbo", "staging").await.unwrap().unwrap());
    assert!(t.key.is_empty());
    let chunks = plan_chunks(&mut c, &t, 250, 50).await.unwrap();
    assert_eq!(chunks.len(), 1, "no key: one chunk");
    let rows = read_all(&mut c, &t, &chunks, 40).await;
    let whole = query(&mut c, "whole", "SELECT a, b FROM dbo.staging")
        .await
        .unwrap();
    // Duplicates are real rows here: the multiset must match.
    common::assert_same_rows(&rows, &whole);
}
