//! Reading binlog files directly: the same decoder and grouping as the
//! network stream, for offline decoding, benchmarks and fuzzing.

use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use sluice_engine::event::Transaction;

use super::decode::{bad, DecodeError, Decoder, Event, EventHeader, HEADER_LEN};
use super::schema::TableSchema;
use super::txn::{Assembler, Stats};

/// The four bytes every binlog file starts with.
pub const MAGIC: [u8; 4] = [0xfe, b'b', b'i', b'n'];

/// Iterates the raw events of a binlog file, checking each header's size
/// field before reading the body it announces.
pub struct BinlogFile<R> {
    read: R,
    offset: u64,
}

impl BinlogFile<BufReader<std::fs::File>> {
    /// Opens a file and checks its magic number.
    pub fn open(path: &Path) -> Result<Self, DecodeError> {
        let f = std::fs::File::open(path)
            .map_err(|e| DecodeError(format!("{}: {e}", path.display())))?;
        Self::new(BufReader::with_capacity(1 << 20, f))
    }
}

impl<R: Read> BinlogFile<R> {
    pub fn new(mut read: R) -> Result<Self, DecodeError> {
        let mut magic = [0u8; 4];
        read.read_exact(&mut magic)
            .map_err(|e| DecodeError(format!("binlog file header: {e}")))?;
        if magic != MAGIC {
            return bad("not a binlog file (bad magic number)");
        }
        Ok(BinlogFile { read, offset: 4 })
    }

    /// The next raw event into `buf`; `Ok(false)` at a clean end of file.
    pub fn next_into(&mut self, buf: &mut Vec<u8>) -> Result<bool, DecodeError> {
        buf.clear();
        buf.resize(HEADER_LEN, 0);
        let mut got = 0;
        while got < HEADER_LEN {
            match self.read.read(&mut buf[got..]) {
                Ok(0) if got == 0 => return Ok(false),
                Ok(0) => return bad(format!("truncated event header at offset {}", self.offset)),
                Ok(n) => got += n,
                Err(e) => return bad(format!("reading at offset {}: {e}", self.offset)),
            }
        }
        let h = EventHeader::parse(buf)
            .map_err(|e| DecodeError(format!("at offset {}: {e}", self.offset)))?;
        let size = h.event_size as usize;
        // Grow with the bytes actually there: a corrupt size field must not
        // allocate its claimed size up front.
        let want = (size - HEADER_LEN) as u64;
        let got = (&mut self.read)
            .take(want)
            .read_to_end(buf)
            .map_err(|e| DecodeError(format!("reading at offset {}: {e}", self.offset)))?;
        if got as u64 != want {
            return bad(format!(
                "truncated event at offset {}: {size} bytes announced, {} present",
                self.offset,
                HEADER_LEN + got
            ));
        }
        self.offset += size as u64;
        Ok(true)
    }

    /// Offset of the next event.
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

/// Decodes a whole binlog file into transactions, using only the binlog's
/// own FULL row metadata (no catalog: a file read offline has none).
pub fn read_transactions(path: &Path, each: impl FnMut(Transaction)) -> Result<Stats, DecodeError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    decode_from(BinlogFile::open(path)?, &name, each)
}

/// Decodes an in-memory binlog (magic number, then events) into
/// transactions, with the same checks as a file. For fuzzing and tests.
pub fn decode_bytes(bytes: &[u8]) -> Result<(Vec<Transaction>, Stats), DecodeError> {
    let mut out = Vec::new();
    let stats = decode_from(BinlogFile::new(bytes)?, "memory", |t| out.push(t))?;
    Ok((out, stats))
}

fn decode_from<R: Read>(
    mut file: BinlogFile<R>,
    name: &str,
    mut each: impl FnMut(Transaction),
) -> Result<Stats, DecodeError> {
    let mut asm = Assembler::new(name, 4, None)?;
    let mut decoder = Decoder::default();
    let mut buf = Vec::new();
    loop {
        let at = file.offset();
        if !file.next_into(&mut buf)? {
            break;
        }
        let wrap = |e: DecodeError| DecodeError(format!("{name}:{at}: {e}"));
        let d = decoder.decode(&buf).map_err(wrap)?;
        if let Event::TableMap(tm) = &d.event {
            let schema = TableSchema::resolve(tm, None).map_err(wrap)?;
            asm.register_table(tm.table_id, Arc::new(schema));
        }
        if let Some(tx) = asm.apply(&d).map_err(wrap)?.committed {
            each(tx);
        }
    }
    Ok(asm.stats)
}
