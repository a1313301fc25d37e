//! No bytes make the binlog decoder panic: arbitrary bytes, and real MariaDB
//! binlogs truncated or corrupted (with the CRC recomputed, so the corrupt
//! body reaches the body parsers instead of stopping at the checksum).

use mysql_async::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sluice_oceanbase::binlog::decode::{EventHeader, HEADER_LEN};
use sluice_oceanbase::binlog::file::{decode_bytes, MAGIC};
use sluice_oceanbase::binlog::{decode_event, Decoder};
use sluice_testkit::MariaDb;

/// Cases per property: `SLUICE_PROPTEST_CASES` overrides the default, which
/// is kept small because every case decodes in a debug build under CI's 2 cores.
fn cases(default: u32) -> u32 {
    std::env::var("SLUICE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(Config::with_cases(cases(400)))]

    #[test]
    fn binlog_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_event(&bytes);
        let mut d = Decoder::default();
        let _ = d.decode(&bytes);
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&bytes);
        let _ = decode_bytes(&file);
    }

    #[test]
    fn binlog_headers_with_any_size_field_never_panic(
        ty in any::<u8>(), size in any::<u32>(), body in proptest::collection::vec(any::<u8>(), 0..300)
    ) {
        let mut ev = vec![0u8; HEADER_LEN];
        ev[4] = ty;
        ev[9..13].copy_from_slice(&size.to_le_bytes());
        ev.extend_from_slice(&body);
        let r = decode_event(&ev);
        // A size field that disagrees with the bytes held is always refused.
        if size as usize != ev.len() {
            prop_assert!(r.is_err());
        }
    }
}

/// Event boundaries of a binlog file (offset, length), from the headers.
fn events(file: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 4;
    while at + HEADER_LEN <= file.len() {
        let h = EventHeader::parse(&file[at..]).unwrap();
        out.push((at, h.event_size as usize));
        at += h.event_size as usize;
    }
    assert_eq!(at, file.len());
    out
}

#[tokio::test]
async fn binlog_truncated_and_corrupted_real_binlogs_never_panic() {
    let db = MariaDb::start();
    let mut c = mysql_async::Conn::from_url(db.url()).await.unwrap();
    for sql in [
        "CREATE DATABASE app CHARACTER SET utf8mb4",
        "CREATE TABLE app.t (id INT PRIMARY KEY, tu TINYINT UNSIGNED, d DECIMAL(20,6), dt DATETIME(6),
            ts TIMESTAMP(3) NULL, tm TIME(2), v VARCHAR(400), b BINARY(3), e ENUM('a','b'),
            s SET('x','y','z'), bt BIT(12), j JSON, bl BLOB, y YEAR, f FLOAT, g INT AS (id + 1) VIRTUAL)",
        "INSERT INTO app.t (id, tu, d, dt, ts, tm, v, b, e, s, bt, j, bl, y, f) VALUES
            (1, 200, -123456.654321, '2020-01-01 01:02:03.456789', '2021-02-03 04:05:06.789',
             '12:34:56.78', 'vé', 'a', 'b', 'x,z', b'101', '[1]', x'00ff', 2000, 0.5),
            (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        "UPDATE app.t SET id = 3, v = REPEAT('w', 300) WHERE id = 1",
        "DELETE FROM app.t WHERE id = 2",
        "ALTER TABLE app.t ADD COLUMN extra INT",
        "FLUSH BINARY LOGS",
    ] {
        c.query_drop(sql).await.unwrap();
    }
    let file = std::fs::read(db.binlog_dir().join("mysql-bin.000001")).unwrap();
    if let Some(dir) = std::env::var_os("SLUICE_WRITE_FUZZ_SEED") {
        // Seeds the cargo-fuzz corpus (`fuzz/corpus/binlog_event`) with this
        // real binlog, minus the magic number the target adds itself.
        std::fs::write(
            std::path::Path::new(&dir).join("mariadb-all-types"),
            &file[4..],
        )
        .unwrap();
    }
    let (txs, _) = decode_bytes(&file).expect("the intact binlog decodes");
    assert_eq!(txs.iter().map(|t| t.row_count()).sum::<usize>(), 4);
    let evs = events(&file);

    let mut runner = TestRunner::new(Config::with_cases(cases(300)));
    runner
        .run(
            &(
                0..evs.len(),
                any::<prop::sample::Index>(),
                any::<u8>(),
                any::<bool>(),
            ),
            |(e, at, xor, truncate)| {
                let (start, len) = evs[e];
                let mut bytes = file.clone();
                if truncate {
                    // Cut inside the event: the file ends mid-event.
                    bytes.truncate(start + 1 + at.index(len - 1));
                    prop_assert!(decode_bytes(&bytes).is_err());
                } else {
                    // Corrupt one byte of the body (past the header), then fix
                    // the CRC so the parsers, not the checksum, meet the damage.
                    let body = len - HEADER_LEN - 4;
                    if body == 0 {
                        return Ok(());
                    }
                    let i = start + HEADER_LEN + at.index(body);
                    bytes[i] ^= xor.max(1);
                    let crc = crc32fast::hash(&bytes[start..start + len - 4]);
                    bytes[start + len - 4..start + len].copy_from_slice(&crc.to_le_bytes());
                    let _ = decode_bytes(&bytes);
                }
                Ok(())
            },
        )
        .unwrap();
}
