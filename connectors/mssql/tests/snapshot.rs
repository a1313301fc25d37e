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
