//! Arbitrary bytes into the binlog decoder: as one raw event, and as the
//! body of a binlog file (so FDE, TABLE_MAP metadata and row images chain).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_oceanbase::binlog::decode_event;
use sluice_oceanbase::binlog::file::{decode_bytes, MAGIC};

fuzz_target!(|data: &[u8]| {
    let _ = decode_event(data);
    let mut file = Vec::with_capacity(data.len() + 4);
    file.extend_from_slice(&MAGIC);
    file.extend_from_slice(data);
    let _ = decode_bytes(&file);
});
