//! Raw binlog events → typed events, with every length checked first.
//!
//! Nothing here trusts a length field: the header's `event_size` must match
//! the bytes we hold, every read goes through [`Cursor`], and a short or
//! inconsistent event is a [`DecodeError`] rather than a panic. mysql_common
//! `unwrap()`s a `read_exact` on truncated events, so its event-body parsers
//! are not used at all.

use std::fmt;

use super::table_map::TableMap;

/// Length of the v4 event header.
pub const HEADER_LEN: usize = 19;
/// Largest event we accept. The server cannot send more than
/// `max_allowed_packet` (at most 1 GiB) in one event; a bigger size field is
/// corruption, and trusting it would let one bad header allocate gigabytes.
pub const MAX_EVENT_SIZE: usize = 1 << 30;
const CHECKSUM_LEN: usize = 4;

/// Event type codes this decoder acts on (MySQL and MariaDB numbering).
pub mod kind {
    pub const QUERY: u8 = 2;
    pub const STOP: u8 = 3;
    pub const ROTATE: u8 = 4;
    pub const FORMAT_DESCRIPTION: u8 = 15;
    pub const XID: u8 = 16;
    pub const TABLE_MAP: u8 = 19;
    pub const WRITE_ROWS_V1: u8 = 23;
    pub const UPDATE_ROWS_V1: u8 = 24;
    pub const DELETE_ROWS_V1: u8 = 25;
    pub const HEARTBEAT: u8 = 27;
    pub const WRITE_ROWS_V2: u8 = 30;
    pub const UPDATE_ROWS_V2: u8 = 31;
    pub const DELETE_ROWS_V2: u8 = 32;
    pub const GTID: u8 = 33;
    pub const PARTIAL_UPDATE_ROWS: u8 = 39;
    pub const TRANSACTION_PAYLOAD: u8 = 40;
    pub const HEARTBEAT_V2: u8 = 41;
    pub const MARIA_GTID: u8 = 162;
    pub const MARIA_GTID_LIST: u8 = 163;
    pub const MARIA_START_ENCRYPTION: u8 = 164;
    pub const MARIA_QUERY_COMPRESSED: u8 = 165;
    pub const MARIA_WRITE_ROWS_COMPRESSED_V1: u8 = 169;
    pub const MARIA_DELETE_ROWS_COMPRESSED_V1: u8 = 171;
    pub const MARIA_ROWS_COMPRESSED_FIRST: u8 = 166;
}

/// Why bytes could not be decoded as an event. Never contains row values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

pub(crate) fn bad<T>(msg: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError(msg.into()))
}

/// A bounds-checked little-endian reader over a byte slice.
#[derive(Debug, Clone, Copy)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Cursor<'a> {
    /// `what` names the structure being read, for error messages.
    pub fn new(buf: &'a [u8], what: &'static str) -> Self {
        Cursor { buf, what }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// The unread bytes (without consuming them).
    pub fn rest(&self) -> &'a [u8] {
        self.buf
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The next `n` bytes, or an error naming what was being read.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return bad(format!(
                "{}: needs {n} more bytes, only {} left",
                self.what,
                self.buf.len()
            ));
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    /// A little-endian u16.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(self.uint(2)? as u16)
    }

    /// A little-endian u32.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(self.uint(4)? as u32)
    }

    /// A little-endian u64.
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        self.uint(8)
    }

    /// An unsigned little-endian integer of `n` (≤ 8) bytes.
    pub fn uint(&mut self, n: usize) -> Result<u64, DecodeError> {
        let b = self.take(n)?;
        Ok(b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    }

    /// An unsigned big-endian integer of `n` (≤ 8) bytes.
    pub fn uint_be(&mut self, n: usize) -> Result<u64, DecodeError> {
        let b = self.take(n)?;
        Ok(b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    }

    /// A length-encoded integer (`0xfb` and `0xff` are not valid here).
    pub fn lenenc(&mut self) -> Result<u64, DecodeError> {
        match self.u8()? {
            x @ 0..=0xfa => Ok(x as u64),
            0xfc => self.uint(2),
            0xfd => self.uint(3),
            0xfe => self.uint(8),
            x => bad(format!(
                "{}: invalid length-encoded integer 0x{x:02x}",
                self.what
            )),
        }
    }

    /// A length-encoded integer used as a length: must fit in what is left.
    pub fn lenenc_len(&mut self) -> Result<usize, DecodeError> {
        let n = self.lenenc()?;
        if n > self.buf.len() as u64 {
            return bad(format!(
                "{}: length {n} exceeds the {} bytes left",
                self.what,
                self.buf.len()
            ));
        }
        Ok(n as usize)
    }

    /// Bytes prefixed by a length-encoded length.
    pub fn lenenc_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.lenenc_len()?;
        self.take(n)
    }
}

/// The fixed 19-byte header every event starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventHeader {
    pub timestamp: u32,
    pub type_code: u8,
    pub server_id: u32,
    /// Whole event length: header + body + checksum.
    pub event_size: u32,
    /// Offset just after this event in its file (0 for artificial events).
    pub log_pos: u32,
    pub flags: u16,
}

/// Header flag of events the server made up (fake ROTATE, resent FDE): they
/// have no place in the file and must not move the read position.
pub const LOG_EVENT_ARTIFICIAL_F: u16 = 0x20;
/// Header flag of the FDE of a binlog file that is still being written.
pub const LOG_EVENT_BINLOG_IN_USE_F: u16 = 0x1;

impl EventHeader {
    /// Parses a header and checks `event_size` is plausible on its own.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut c = Cursor::new(bytes, "event header");
        let h = EventHeader {
            timestamp: c.u32()?,
            type_code: c.u8()?,
            server_id: c.u32()?,
            event_size: c.u32()?,
            log_pos: c.u32()?,
            flags: c.u16()?,
        };
        let size = h.event_size as usize;
        if size < HEADER_LEN {
            return bad(format!(
                "event size {size} is smaller than the {HEADER_LEN}-byte header"
            ));
        }
        if size > MAX_EVENT_SIZE {
            return bad(format!(
                "event size {size} exceeds the {MAX_EVENT_SIZE}-byte limit"
            ));
        }
        Ok(h)
    }

    /// Whether this event was made up by the server rather than read from a file.
    pub fn is_artificial(&self) -> bool {
        self.log_pos == 0 || self.flags & LOG_EVENT_ARTIFICIAL_F != 0
    }

    /// Offset of the event's first byte in its file, when known.
    pub fn start_offset(&self) -> Option<u64> {
        (self.log_pos as u64).checked_sub(self.event_size as u64)
    }
}

/// What the format description event says about the events after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    /// Events carry a trailing CRC32.
    pub checksum: bool,
    /// Post-header length per event type (index = type code - 1).
    pub post_header_len: Vec<u8>,
    pub server_version: String,
}

impl Default for Format {
    /// What a v4 binlog looks like before its FDE is seen: no checksum, the
    /// standard post-header lengths.
    fn default() -> Self {
        Format {
            checksum: false,
            post_header_len: Vec::new(),
            server_version: String::new(),
        }
    }
}

impl Format {
    fn post_header(&self, type_code: u8, default: u8) -> usize {
        (type_code as usize)
            .checked_sub(1)
            .and_then(|i| self.post_header_len.get(i))
            .copied()
            .filter(|&l| l != 0 || default == 0)
            .unwrap_or(default) as usize
    }
}

/// Row event flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsKind {
    Write,
    Update,
    Delete,
}

/// A rows event before its values are decoded (that needs the table's schema).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsEvent<'a> {
    pub kind: RowsKind,
    pub table_id: u64,
    pub flags: u16,
    /// Everything after the post-header (and v2 extra data): width, bitmaps, rows.
    pub body: &'a [u8],
}

/// A MariaDB GTID, `domain-server-seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MariaGtid {
    pub domain: u32,
    pub server: u32,
    pub seq: u64,
}

impl fmt::Display for MariaGtid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.domain, self.server, self.seq)
    }
}

/// A decoded event.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<'a> {
    FormatDescription(Format),
    Rotate {
        next_file: String,
        position: u64,
    },
    Query {
        schema: String,
        sql: &'a [u8],
    },
    Xid(u64),
    TableMap(TableMap),
    Rows(RowsEvent<'a>),
    /// MariaDB GTID; `standalone` means a single statement (DDL) follows, not BEGIN.
    MariaGtid {
        gtid: MariaGtid,
        standalone: bool,
    },
    /// MariaDB GTID list: the binlog state at the start of a file.
    MariaGtidList(Vec<MariaGtid>),
    /// MySQL GTID (`uuid:gno`).
    MysqlGtid {
        sid: [u8; 16],
        gno: u64,
    },
    Heartbeat,
    /// Anything we pass over (INTVAR, RAND, annotations, checkpoints, previous GTIDs …).
    Other(u8),
}

/// An event together with its header.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<'a> {
    pub header: EventHeader,
    pub event: Event<'a>,
}

/// Decodes events of one stream: remembers the format (checksums,
/// post-header lengths) the last FDE announced.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    pub format: Format,
    seen_fde: bool,
}

/// Decodes one complete raw event (header, body, and a CRC32 trailer when it
/// is an FDE announcing checksums) with no prior stream state.
///
/// For a stream of events use a [`Decoder`], which remembers the FDE.
pub fn decode_event(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    Decoder::default().decode(bytes)
}

impl Decoder {
    /// Decodes one complete raw event: checks `event_size` against the bytes
    /// held, verifies the CRC32 when the stream has checksums, then the body.
    pub fn decode<'a>(&mut self, bytes: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        let header = EventHeader::parse(bytes)?;
        if header.event_size as usize != bytes.len() {
            return bad(format!(
                "event size field says {} bytes but the event has {}",
                header.event_size,
                bytes.len()
            ));
        }
        let is_fde = header.type_code == kind::FORMAT_DESCRIPTION;
        // An FDE of a checksum-capable server always ends in a 4-byte trailer,
        // which holds a real CRC only when its algorithm byte says CRC32.
        let (has_trailer, verify) = if is_fde {
            let alg = fde_checksum_alg(&bytes[HEADER_LEN..]);
            (alg.is_some(), alg == Some(1))
        } else if !self.seen_fde && header.type_code == kind::ROTATE {
            // The server's artificial ROTATE comes before any FDE, so whether
            // it has a checksum is unknown: it does if its last 4 bytes are
            // the CRC32 of the rest.
            let n = bytes.len();
            let crc = n >= HEADER_LEN + 8 + CHECKSUM_LEN
                && crc32fast::hash(&bytes[..n - CHECKSUM_LEN]).to_le_bytes()
                    == bytes[n - CHECKSUM_LEN..];
            (crc, crc)
        } else {
            (self.format.checksum, self.format.checksum)
        };
        let body_end = if has_trailer {
            let end = bytes
                .len()
                .checked_sub(CHECKSUM_LEN)
                .filter(|&e| e >= HEADER_LEN);
            let Some(end) = end else {
                return bad("event too short for its checksum");
            };
            let stored = u32::from_le_bytes(bytes[end..].try_into().expect("4 bytes"));
            let computed = if is_fde && header.flags & LOG_EVENT_BINLOG_IN_USE_F != 0 {
                // The server checksums the FDE with its "file in use" flag
                // clear: the flag is cleared in place when the file closes.
                let mut h = crc32fast::Hasher::new();
                h.update(&bytes[..17]);
                h.update(&(header.flags & !LOG_EVENT_BINLOG_IN_USE_F).to_le_bytes());
                h.update(&bytes[HEADER_LEN..end]);
                h.finalize()
            } else {
                crc32fast::hash(&bytes[..end])
            };
            if verify && stored != computed {
                return bad(format!(
                    "checksum mismatch (stored {stored:08x}, computed {computed:08x})"
                ));
            }
            end
        } else {
            bytes.len()
        };
        let event = self.decode_body(&header, &bytes[HEADER_LEN..body_end])?;
        Ok(Decoded { header, event })
    }

    /// Decodes an event body whose header was parsed (and checksum checked
    /// and stripped) elsewhere, e.g. by the network stream.
    pub fn decode_body<'a>(
        &mut self,
        header: &EventHeader,
        body: &'a [u8],
    ) -> Result<Event<'a>, DecodeError> {
        let t = header.type_code;
        let ev = match t {
            kind::FORMAT_DESCRIPTION => {
                let f = parse_fde(body)?;
                self.format = f.clone();
                self.seen_fde = true;
                Event::FormatDescription(f)
            }
            kind::ROTATE => {
                let mut c = Cursor::new(body, "ROTATE");
                let position = c.u64()?;
                let next_file = String::from_utf8_lossy(c.rest()).into_owned();
                Event::Rotate {
                    next_file,
                    position,
                }
            }
            kind::QUERY => self.parse_query(body)?,
            kind::XID => Event::Xid(Cursor::new(body, "XID").u64()?),
            kind::TABLE_MAP => {
                let ph = self.format.post_header(t, 8);
                Event::TableMap(TableMap::parse(body, ph)?)
            }
            kind::WRITE_ROWS_V1 | kind::WRITE_ROWS_V2 => self.parse_rows(t, RowsKind::Write, body)?,
            kind::UPDATE_ROWS_V1 | kind::UPDATE_ROWS_V2 => {
                self.parse_rows(t, RowsKind::Update, body)?
            }
            kind::DELETE_ROWS_V1 | kind::DELETE_ROWS_V2 => {
                self.parse_rows(t, RowsKind::Delete, body)?
            }
            kind::MARIA_GTID => {
                let mut c = Cursor::new(body, "GTID");
                let seq = c.u64()?;
                let domain = c.u32()?;
                let flags = c.u8()?;
                Event::MariaGtid {
                    gtid: MariaGtid {
                        domain,
                        server: header.server_id,
                        seq,
                    },
                    standalone: flags & 1 != 0,
                }
            }
            kind::MARIA_GTID_LIST => {
                let mut c = Cursor::new(body, "GTID_LIST");
                let n = c.u32()? & 0x0fff_ffff;
                if n as usize > c.remaining() / 16 {
                    return bad(format!("GTID_LIST: {n} entries do not fit the event"));
                }
                let mut list = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    list.push(MariaGtid {
                        domain: c.u32()?,
                        server: c.u32()?,
                        seq: c.u64()?,
                    });
                }
                Event::MariaGtidList(list)
            }
            kind::GTID => {
                let mut c = Cursor::new(body, "GTID");
                let _flags = c.u8()?;
                let sid: [u8; 16] = c.take(16)?.try_into().expect("16 bytes");
                let gno = c.u64()?;
                Event::MysqlGtid { sid, gno }
            }
            kind::HEARTBEAT | kind::HEARTBEAT_V2 => Event::Heartbeat,
            kind::TRANSACTION_PAYLOAD => {
                return bad(
                    "compressed transaction payload (binlog_transaction_compression=ON) is not supported",
                )
            }
            kind::MARIA_START_ENCRYPTION => return bad("encrypted binlog is not supported"),
            kind::MARIA_QUERY_COMPRESSED
            | kind::MARIA_ROWS_COMPRESSED_FIRST..=kind::MARIA_DELETE_ROWS_COMPRESSED_V1 => {
                return bad("compressed binlog events (log_bin_compress=ON) are not supported")
            }
            kind::PARTIAL_UPDATE_ROWS => {
                return bad("partial JSON updates (binlog_row_value_options=PARTIAL_JSON) are not supported")
            }
            other => Event::Other(other),
        };
        Ok(ev)
    }

    fn parse_query<'a>(&self, body: &'a [u8]) -> Result<Event<'a>, DecodeError> {
        let ph = self.format.post_header(kind::QUERY, 13);
        let mut c = Cursor::new(body, "QUERY");
        let mut post = Cursor::new(c.take(ph)?, "QUERY post-header");
        let _thread = post.u32()?;
        let _exec_time = post.u32()?;
        let db_len = post.u8()? as usize;
        let _err = post.u16()?;
        let status_len = if ph >= 13 { post.u16()? as usize } else { 0 };
        c.take(status_len)?;
        let schema = String::from_utf8_lossy(c.take(db_len)?).into_owned();
        c.take(1)?; // the db name's NUL
        Ok(Event::Query {
            schema,
            sql: c.rest(),
        })
    }

    fn parse_rows<'a>(
        &self,
        t: u8,
        kind: RowsKind,
        body: &'a [u8],
    ) -> Result<Event<'a>, DecodeError> {
        let v2 = (kind::WRITE_ROWS_V2..=kind::DELETE_ROWS_V2).contains(&t);
        let ph = self.format.post_header(t, if v2 { 10 } else { 8 });
        let mut c = Cursor::new(body, "ROWS");
        let id_len = if ph == 6 { 4 } else { 6 };
        let table_id = c.uint(id_len)?;
        let flags = c.u16()?;
        // Any post-header bytes this decoder does not know about.
        c.take(ph.saturating_sub(id_len + 2 + if v2 { 2 } else { 0 }))?;
        if v2 {
            let extra = c.u16()? as usize;
            if extra < 2 {
                return bad(format!("ROWS: extra-data length {extra} < 2"));
            }
            c.take(extra - 2)?;
        }
        Ok(Event::Rows(RowsEvent {
            kind,
            table_id,
            flags,
            body: c.rest(),
        }))
    }
}

// Checksums exist from MySQL 5.6.1 / MariaDB 5.3 on; an FDE of such a server
// ends with the algorithm byte and a 4-byte checksum trailer.
fn fde_checksum_alg(body: &[u8]) -> Option<u8> {
    if body.len() < 2 + 50 + 4 + 1 + 5 {
        return None;
    }
    let version = version_tuple(&body[2..52]);
    if version < (5, 6, 1) {
        return None;
    }
    Some(body[body.len() - 5])
}

fn version_tuple(raw: &[u8]) -> (u32, u32, u32) {
    let s: String = raw
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    let mut nums = s
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse().unwrap_or(0));
    (
        nums.next().unwrap_or(0),
        nums.next().unwrap_or(0),
        nums.next().unwrap_or(0),
    )
}

fn parse_fde(body: &[u8]) -> Result<Format, DecodeError> {
    let mut c = Cursor::new(body, "FORMAT_DESCRIPTION");
    let version = c.u16()?;
    if version != 4 {
        return bad(format!("binlog version {version} (only v4 is supported)"));
    }
    let server_version_raw = c.take(50)?;
    let _created = c.u32()?;
    let header_len = c.u8()?;
    if header_len as usize != HEADER_LEN {
        return bad(format!(
            "event header length {header_len}, expected {HEADER_LEN}"
        ));
    }
    let alg = fde_checksum_alg(body);
    // The rest is one post-header length per event type, then (5.6.1+) the
    // checksum algorithm byte and the FDE's own checksum.
    let tail = if alg.is_some() { 5 } else { 0 };
    let rest = c.rest();
    if rest.len() < tail {
        return bad("FORMAT_DESCRIPTION: too short for its checksum trailer");
    }
    let post_header_len = rest[..rest.len() - tail].to_vec();
    let server_version: String = server_version_raw
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    Ok(Format {
        checksum: alg.is_some_and(|a| a != 0),
        post_header_len,
        server_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(type_code: u8, size: u32) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&0u32.to_le_bytes());
        v.push(type_code);
        v.extend_from_slice(&1u32.to_le_bytes());
        v.extend_from_slice(&size.to_le_bytes());
        v.extend_from_slice(&100u32.to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes());
        v
    }

    #[test]
    fn size_field_must_match_the_bytes() {
        let mut ev = header(kind::XID, 27);
        ev.extend_from_slice(&42u64.to_le_bytes());
        assert_eq!(decode_event(&ev).unwrap().event, Event::Xid(42));
        let short = &ev[..26];
        assert!(decode_event(short).unwrap_err().0.contains("27"));
        let mut huge = header(kind::XID, u32::MAX);
        huge.extend_from_slice(&42u64.to_le_bytes());
        assert!(decode_event(&huge).is_err());
        assert!(decode_event(&header(kind::XID, 3)).is_err());
    }

    #[test]
    fn truncated_bodies_are_errors() {
        // A QUERY whose db length points past the end.
        let mut body = vec![0u8; 13];
        body[8] = 200;
        let mut ev = header(kind::QUERY, (HEADER_LEN + body.len()) as u32);
        ev.extend_from_slice(&body);
        assert!(decode_event(&ev).is_err());
    }

    // MySQL's v2 rows events (MariaDB writes v1) carry extra data after the
    // post-header; the rows start after it.
    #[test]
    fn v2_rows_skip_their_extra_data() {
        let mut body = vec![7, 0, 0, 0, 0, 0, 1, 0];
        body.extend_from_slice(&5u16.to_le_bytes());
        body.extend_from_slice(&[0xaa, 0xbb, 0xcc]);
        body.extend_from_slice(&[1, 0x01, 0x00, 42, 0, 0, 0]);
        let mut ev = header(kind::WRITE_ROWS_V2, (HEADER_LEN + body.len()) as u32);
        ev.extend_from_slice(&body);
        match decode_event(&ev).unwrap().event {
            Event::Rows(r) => {
                assert_eq!((r.kind, r.table_id, r.flags), (RowsKind::Write, 7, 1));
                assert_eq!(r.body, &[1, 0x01, 0x00, 42, 0, 0, 0]);
            }
            other => panic!("{other:?}"),
        }
        // An extra-data length shorter than itself is malformed.
        let n = ev.len();
        ev[HEADER_LEN + 8] = 1;
        assert!(decode_event(&ev[..n]).is_err());
    }

    #[test]
    fn checksum_is_verified() {
        let mut d = Decoder {
            format: Format {
                checksum: true,
                ..Format::default()
            },
            seen_fde: true,
        };
        let mut ev = header(kind::XID, 31);
        ev.extend_from_slice(&7u64.to_le_bytes());
        let crc = crc32fast::hash(&ev);
        ev.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(d.decode(&ev).unwrap().event, Event::Xid(7));
        ev[20] ^= 1;
        assert!(d.decode(&ev).unwrap_err().0.contains("checksum"));
    }
}
