//! On-disk encoding of log records: versioned, checksummed, fragmented.
//!
//! A record is one whole source transaction. Its bincode encoding is split
//! into fragments of at most `fragment_bytes`; each fragment is stored as
//!
//! ```text
//! [version: u8][flags: u8][crc32c(payload): u32 LE][payload...]
//! ```
//!
//! with flag bit 0 set on the last fragment.
//!
//! The payload is a [`WireTx`]: row events refer to a per-transaction table of
//! distinct (table, columns, key) shapes instead of repeating column names in
//! every event. Decoding then builds each shape's `Arc`s once per transaction,
//! which is most of the allocation a decoded event would otherwise cost. Decoding checks every byte it
//! trusts: a short header, an unknown version, a CRC mismatch, a missing last
//! fragment or trailing garbage after bincode are errors naming the sequence,
//! never panics (this decoder is fuzzed: `fuzz/fuzz_targets/log_record.rs`).

use bincode::config::{self, Configuration, Limit, LittleEndian, Varint};

use std::sync::Arc;

use bincode::{Decode, Encode};

use crate::error::{Error, Result};
use crate::event::{Change, ChangeEvent, RowOp, SchemaChange, TableRef, Transaction};
use crate::position::SourcePosition;

/// Current on-disk format version.
pub const FORMAT_VERSION: u8 = 1;
/// Header bytes before each fragment's payload.
pub const HEADER_LEN: usize = 6;
const FLAG_LAST: u8 = 1;
/// Largest transaction encoding the decoder will accept; bounds allocation
/// when a corrupted length prefix claims more.
pub const MAX_RECORD_BYTES: usize = 1 << 30;

type Cfg = Configuration<LittleEndian, Varint, Limit<MAX_RECORD_BYTES>>;

fn cfg() -> Cfg {
    config::standard().with_limit::<MAX_RECORD_BYTES>()
}

/// One stored transaction with its log sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub seq: u64,
    pub tx: Transaction,
}

#[derive(Encode)]
struct WireTxRef<'a> {
    source_id: &'a Option<String>,
    position: &'a SourcePosition,
    commit_time_us: i64,
    shapes: Vec<WireShapeRef<'a>>,
    items: Vec<WireItemRef<'a>>,
}

#[derive(Encode)]
struct WireShapeRef<'a> {
    table: &'a TableRef,
    columns: &'a [String],
    key: &'a [u16],
}

#[derive(Encode)]
enum WireItemRef<'a> {
    Row { shape: u32, op: &'a RowOp },
    Schema(&'a SchemaChange),
}

/// The stored form of a [`Transaction`] (decode side of `WireTxRef`).
#[derive(Decode)]
struct WireTx {
    source_id: Option<String>,
    position: SourcePosition,
    commit_time_us: i64,
    shapes: Vec<WireShape>,
    items: Vec<WireItem>,
}

#[derive(Decode)]
struct WireShape {
    table: TableRef,
    columns: Vec<String>,
    key: Vec<u16>,
}

#[derive(Decode)]
enum WireItem {
    Row { shape: u32, op: RowOp },
    Schema(SchemaChange),
}

fn to_wire(tx: &Transaction) -> WireTxRef<'_> {
    let mut shapes: Vec<(&ChangeEvent, WireShapeRef<'_>)> = Vec::new();
    let mut items = Vec::with_capacity(tx.changes.len());
    for c in &tx.changes {
        match c {
            Change::Row(ev) => {
                let found = shapes.iter().position(|(seen, _)| {
                    (Arc::ptr_eq(&seen.columns, &ev.columns) || seen.columns == ev.columns)
                        && (Arc::ptr_eq(&seen.key, &ev.key) || seen.key == ev.key)
                        && seen.table == ev.table
                });
                let shape = found.unwrap_or_else(|| {
                    shapes.push((
                        ev,
                        WireShapeRef {
                            table: &ev.table,
                            columns: &ev.columns,
                            key: &ev.key,
                        },
                    ));
                    shapes.len() - 1
                });
                items.push(WireItemRef::Row {
                    shape: shape as u32,
                    op: &ev.op,
                });
            }
            Change::Schema(s) => items.push(WireItemRef::Schema(s)),
        }
    }
    WireTxRef {
        source_id: &tx.source_id,
        position: &tx.position,
        commit_time_us: tx.commit_time_us,
        shapes: shapes.into_iter().map(|(_, s)| s).collect(),
        items,
    }
}

fn from_wire(seq: u64, w: WireTx) -> Result<Transaction> {
    // Decoded strings are fresh allocations; share them across the shape's events.
    type Shape = (TableRef, Arc<[String]>, Arc<[u16]>);
    let shapes: Vec<Shape> = w
        .shapes
        .into_iter()
        .map(|s| (s.table, s.columns.into(), s.key.into()))
        .collect();
    let mut changes = Vec::with_capacity(w.items.len());
    for item in w.items {
        changes.push(match item {
            WireItem::Row { shape, op } => {
                let (table, columns, key) =
                    shapes
                        .get(shape as usize)
                        .ok_or_else(|| Error::CorruptRecord {
                            seq,
                            reason: format!("row refers to shape {shape} of {}", shapes.len()),
                        })?;
                Change::Row(ChangeEvent {
                    table: table.clone(),
                    columns: columns.clone(),
                    key: key.clone(),
                    op,
                })
            }
            WireItem::Schema(s) => Change::Schema(s),
        });
    }
    Ok(Transaction {
        source_id: w.source_id,
        position: w.position,
        commit_time_us: w.commit_time_us,
        changes,
    })
}

/// Encodes a transaction into stored fragments.
pub fn encode(tx: &Transaction, fragment_bytes: usize) -> Result<Vec<Vec<u8>>> {
    let payload = bincode::encode_to_vec(to_wire(tx), cfg())
        .map_err(|e| Error::Invalid(format!("cannot encode transaction: {e}")))?;
    let fragment_bytes = fragment_bytes.max(1);
    let chunks: Vec<&[u8]> = if payload.is_empty() {
        vec![&[][..]]
    } else {
        payload.chunks(fragment_bytes).collect()
    };
    let n = chunks.len();
    Ok(chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut out = Vec::with_capacity(HEADER_LEN + chunk.len());
            out.push(FORMAT_VERSION);
            out.push(if i + 1 == n { FLAG_LAST } else { 0 });
            out.extend_from_slice(&crc32c::crc32c(chunk).to_le_bytes());
            out.extend_from_slice(chunk);
            out
        })
        .collect())
}

/// Checks one stored fragment and returns (is_last, payload).
pub fn check_fragment(seq: u64, frag: &[u8]) -> Result<(bool, &[u8])> {
    let corrupt = |reason: String| Error::CorruptRecord { seq, reason };
    if frag.len() < HEADER_LEN {
        return Err(corrupt(format!(
            "fragment is {} bytes, shorter than its {HEADER_LEN}-byte header",
            frag.len()
        )));
    }
    if frag[0] != FORMAT_VERSION {
        return Err(corrupt(format!(
            "format version {} is not supported (this build reads {FORMAT_VERSION})",
            frag[0]
        )));
    }
    if frag[1] & !FLAG_LAST != 0 {
        return Err(corrupt(format!("unknown flags {:#04x}", frag[1])));
    }
    let stored = u32::from_le_bytes([frag[2], frag[3], frag[4], frag[5]]);
    let payload = &frag[HEADER_LEN..];
    let actual = crc32c::crc32c(payload);
    if stored != actual {
        return Err(corrupt(format!(
            "CRC32C mismatch (stored {stored:#010x}, computed {actual:#010x})"
        )));
    }
    Ok((frag[1] & FLAG_LAST != 0, payload))
}

/// Decodes a record from its fragments, in order.
pub fn decode<'a>(seq: u64, fragments: impl IntoIterator<Item = &'a [u8]>) -> Result<LogRecord> {
    let mut payload = Vec::new();
    let mut saw_last = false;
    for (i, frag) in fragments.into_iter().enumerate() {
        if saw_last {
            return Err(Error::CorruptRecord {
                seq,
                reason: format!("fragment {i} follows the last fragment"),
            });
        }
        let (last, body) = check_fragment(seq, frag)?;
        if payload.len() + body.len() > MAX_RECORD_BYTES {
            return Err(Error::CorruptRecord {
                seq,
                reason: format!("record exceeds {MAX_RECORD_BYTES} bytes"),
            });
        }
        payload.extend_from_slice(body);
        saw_last = last;
    }
    if !saw_last {
        return Err(Error::CorruptRecord {
            seq,
            reason: "last fragment is missing".into(),
        });
    }
    decode_payload(seq, &payload)
}

/// Decodes a whole (reassembled) payload.
pub fn decode_payload(seq: u64, payload: &[u8]) -> Result<LogRecord> {
    let (wire, used): (WireTx, usize) =
        bincode::decode_from_slice(payload, cfg()).map_err(|e| Error::CorruptRecord {
            seq,
            reason: format!("cannot decode transaction: {e}"),
        })?;
    if used != payload.len() {
        return Err(Error::CorruptRecord {
            seq,
            reason: format!(
                "{} trailing bytes after the transaction",
                payload.len() - used
            ),
        });
    }
    let tx = from_wire(seq, wire)?;
    Ok(LogRecord { seq, tx })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::arb_transaction;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips_at_any_fragment_size(tx in arb_transaction(), frag in 1usize..400) {
            let frags = encode(&tx, frag).unwrap();
            let rec = decode(7, frags.iter().map(|f| f.as_slice())).unwrap();
            prop_assert_eq!(rec.tx, tx);
            prop_assert_eq!(rec.seq, 7);
        }

        #[test]
        fn any_single_bit_flip_is_detected(tx in arb_transaction(), bit in any::<prop::sample::Index>()) {
            let mut frags = encode(&tx, 64).unwrap();
            let total: usize = frags.iter().map(|f| f.len()).sum();
            let mut pos = bit.index(total * 8);
            for f in frags.iter_mut() {
                if pos < f.len() * 8 { f[pos / 8] ^= 1 << (pos % 8); break; }
                pos -= f.len() * 8;
            }
            let res = decode(3, frags.iter().map(|f| f.as_slice()));
            prop_assert!(res.is_err(), "a flipped bit decoded cleanly");
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(1, [bytes.as_slice()]);
            let _ = decode_payload(1, &bytes);
        }
    }

    #[test]
    fn errors_name_the_sequence() {
        let err = decode(42, [&[9u8, 1, 0, 0, 0, 0][..]]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("record 42"), "{msg}");
        assert!(msg.contains("version 9"), "{msg}");
        let err = decode(43, [&[1u8, 0][..]]).unwrap_err();
        assert!(err.to_string().contains("header"), "{err}");
    }

    #[test]
    fn missing_last_fragment_is_an_error() {
        let tx = crate::testing::sample_transaction(1, 50);
        let frags = encode(&tx, 16).unwrap();
        assert!(frags.len() > 2);
        let err = decode(5, frags[..frags.len() - 1].iter().map(|f| f.as_slice())).unwrap_err();
        assert!(
            err.to_string().contains("last fragment is missing"),
            "{err}"
        );
    }
}
