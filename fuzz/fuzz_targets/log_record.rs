//! Arbitrary bytes as a stored log fragment and as a reassembled payload:
//! decoding must return an error naming the sequence, never panic or
//! allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_engine::log::record;

fuzz_target!(|data: &[u8]| {
    let _ = record::decode(1, [data]);
    let _ = record::decode_payload(1, data);
    // Split into two fragments at a data-chosen point.
    if let Some((&cut, rest)) = data.split_first() {
        let at = (cut as usize).min(rest.len());
        let _ = record::decode(2, [&rest[..at], &rest[at..]]);
    }
});
