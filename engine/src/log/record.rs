//! On-disk encoding of log records: versioned, checksummed, fragmented.
//!
//! A record is one whole source transaction. Its bincode encoding is split
//! into fragments of at most `fragment_bytes`; each fragment is stored as
//!
//! ```text
//! [version: u8][flags: u8][crc32c(payload): u32 LE][payload...]
//! ```
//!
//! with flag bit 0 set on the last fragment. Decoding checks every byte it
//! trusts: a short header, an unknown version, a CRC mismatch, a missing last
//! fragment or trailing garbage after bincode are errors naming the sequence,
//! never panics (this decoder is fuzzed: `fuzz/fuzz_targets/log_record.rs`).

use bincode::config::{self, Configuration, Limit, LittleEndian, Varint};

use crate::error::{Error, Result};
use crate::event::Transaction;

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

/// Encodes a transaction into stored fragments.
pub fn encode(tx: &Transaction, fragment_bytes: usize) -> Result<Vec<Vec<u8>>> {
    let payload = bincode::encode_to_vec(tx, cfg())
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
    let (tx, used): (Transaction, usize) =
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
