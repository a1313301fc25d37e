//! Source positions: where in a source's change stream a transaction ends.
//!
//! These are plain data so the engine can store and compare them without any
//! database driver. Positions are totally ordered *within one source kind*;
//! comparing an SQL Server position with a binlog position is meaningless and
//! [`SourcePosition::partial_cmp`] says so by returning `None`.

use std::cmp::Ordering;
use std::fmt;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// A position in SQL Server's CDC stream: commit LSN, then sequence value
/// within the transaction, then the `__$operation` ordinal.
///
/// LSNs are `binary(10)` and compare as big-endian byte strings, which is how
/// `sys.fn_cdc_increment_lsn` and the CDC functions order them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
pub struct MssqlPosition {
    pub commit_lsn: [u8; 10],
    pub seqval: [u8; 10],
    pub operation: u8,
}

impl MssqlPosition {
    /// The position just at the start of a commit LSN (before any of its rows).
    pub fn at_lsn(commit_lsn: [u8; 10]) -> Self {
        MssqlPosition {
            commit_lsn,
            seqval: [0; 10],
            operation: 0,
        }
    }
}

/// Formats an LSN the way SQL Server shows it: `0x` and 20 upper-case hex digits.
pub fn lsn_to_hex(lsn: &[u8; 10]) -> String {
    let mut s = String::from("0x");
    for b in lsn {
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// A position in a MySQL-protocol binlog (MariaDB, MySQL, OceanBase binlog service).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct BinlogPosition {
    /// Binlog file name, e.g. `mysql-bin.000042`.
    pub file: String,
    /// Byte offset of the *next* event to read in that file.
    pub offset: u64,
    /// The GTID set executed up to here, when the server offers GTIDs.
    pub gtid_set: Option<String>,
}

impl BinlogPosition {
    /// The numeric suffix of the file name; binlog files rotate with an increasing suffix.
    pub fn file_index(&self) -> Option<u64> {
        self.file.rsplit('.').next()?.parse().ok()
    }
}

impl PartialOrd for BinlogPosition {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BinlogPosition {
    /// Orders by file sequence number, then offset. The GTID set is not part
    /// of the order: it is derived from the same point in the stream.
    fn cmp(&self, other: &Self) -> Ordering {
        let base = |f: &str| f.rsplit_once('.').map(|(b, _)| b.to_string());
        self.file_index()
            .cmp(&other.file_index())
            .then_with(|| base(&self.file).cmp(&base(&other.file)))
            .then_with(|| self.file.cmp(&other.file))
            .then(self.offset.cmp(&other.offset))
    }
}

/// The position a source transaction ends at, stored in the log with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub enum SourcePosition {
    Mssql(MssqlPosition),
    Binlog(BinlogPosition),
    /// A plain counter, for sources that number their own transactions
    /// (test sources, file replays).
    Counter(u64),
}

impl PartialOrd for SourcePosition {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (SourcePosition::Mssql(a), SourcePosition::Mssql(b)) => Some(a.cmp(b)),
            (SourcePosition::Binlog(a), SourcePosition::Binlog(b)) => Some(a.cmp(b)),
            (SourcePosition::Counter(a), SourcePosition::Counter(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl fmt::Display for SourcePosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourcePosition::Mssql(p) => write!(
                f,
                "lsn {} seq {} op {}",
                lsn_to_hex(&p.commit_lsn),
                lsn_to_hex(&p.seqval),
                p.operation
            ),
            SourcePosition::Binlog(p) => {
                write!(f, "{}:{}", p.file, p.offset)?;
                if let Some(g) = &p.gtid_set {
                    write!(f, " gtid {g}")?;
                }
                Ok(())
            }
            SourcePosition::Counter(c) => write!(f, "#{c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mssql() -> impl Strategy<Value = MssqlPosition> {
        (any::<[u8; 10]>(), any::<[u8; 10]>(), 1u8..=4).prop_map(|(l, s, o)| MssqlPosition {
            commit_lsn: l,
            seqval: s,
            operation: o,
        })
    }

    fn binlog() -> impl Strategy<Value = BinlogPosition> {
        (0u64..2000, any::<u64>()).prop_map(|(i, o)| BinlogPosition {
            file: format!("mysql-bin.{i:06}"),
            offset: o,
            gtid_set: None,
        })
    }

    #[test]
    fn binlog_files_order_numerically_not_lexically() {
        let a = BinlogPosition {
            file: "bin.999999".into(),
            offset: 9_000,
            gtid_set: None,
        };
        let b = BinlogPosition {
            file: "bin.1000000".into(),
            offset: 4,
            gtid_set: None,
        };
        assert!(a < b);
    }

    #[test]
    fn kinds_do_not_compare() {
        let a = SourcePosition::Counter(1);
        let b = SourcePosition::Mssql(MssqlPosition::at_lsn([0; 10]));
        assert_eq!(a.partial_cmp(&b), None);
    }

    #[test]
    fn lsn_prints_like_sql_server() {
        let mut lsn = [0u8; 10];
        lsn[9] = 0x2a;
        lsn[0] = 0x1f;
        assert_eq!(lsn_to_hex(&lsn), "0x1F00000000000000002A");
    }

    proptest! {
        #[test]
        fn mssql_order_is_total_and_lexicographic(a in mssql(), b in mssql(), c in mssql()) {
            // Antisymmetry and consistency with the (lsn, seqval, op) tuple order.
            prop_assert_eq!(a.cmp(&b), (a.commit_lsn, a.seqval, a.operation).cmp(&(b.commit_lsn, b.seqval, b.operation)));
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            if a <= b && b <= c { prop_assert!(a <= c); }
            let (pa, pb) = (SourcePosition::Mssql(a), SourcePosition::Mssql(b));
            prop_assert_eq!(pa.partial_cmp(&pb), Some(a.cmp(&b)));
        }

        #[test]
        fn binlog_order_is_total(a in binlog(), b in binlog(), c in binlog()) {
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            if a <= b && b <= c { prop_assert!(a <= c); }
            prop_assert_eq!(a.cmp(&b), (a.file_index(), a.offset).cmp(&(b.file_index(), b.offset)));
        }

        #[test]
        fn positions_round_trip_through_bincode(a in mssql(), b in binlog()) {
            for p in [SourcePosition::Mssql(a), SourcePosition::Binlog(b)] {
                let bytes = bincode::encode_to_vec(&p, bincode::config::standard()).unwrap();
                let (back, _): (SourcePosition, usize) = bincode::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
                prop_assert_eq!(back, p);
            }
        }
    }
}
