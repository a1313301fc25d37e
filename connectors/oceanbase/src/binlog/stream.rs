//! The replication connection: asks the server for its binlog from a
//! position and hands out each event as raw bytes for [`super::decode`].
//!
//! mysql_async's stream splits packets into events with mysql_common, whose
//! `Event::read` `unwrap()`s on an event shorter than its size field. We
//! cannot check bytes before that call (it happens inside the stream's
//! poll), so the poll runs under `catch_unwind` and a panic there becomes an
//! error naming the position; every byte of the event is then re-checked by
//! our own decoder (size field, CRC32) before any body is parsed.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use mysql_async::prelude::Queryable;
use mysql_async::{BinlogStream, BinlogStreamRequest, Conn, Opts};
use sluice_engine::error::{Error, Result};

use super::decode::{kind, HEADER_LEN};

/// Opens a connection, mapping failures to retryable source errors.
pub async fn connect(url: &str) -> Result<Conn> {
    crate::conn::ensure_crypto_provider();
    let opts =
        Opts::from_url(url).map_err(|e| Error::Invalid(format!("binlog source url: {e}")))?;
    Conn::new(opts)
        .await
        .map_err(|e| Error::source_retryable(format!("connecting to the binlog server: {e}")))
}

/// Maps a driver error on the replication connection: a server refusal
/// (purged binlog, bad position, replication privilege) will not go away by
/// retrying; a lost connection will.
pub fn map_err(context: &str, e: mysql_async::Error) -> Error {
    match &e {
        // Shutdown in progress, connection killed, query interrupted, too many
        // connections: the server (or a failover) will be back.
        mysql_async::Error::Server(se) if matches!(se.code, 1040 | 1053 | 1317 | 1927) => {
            Error::source_retryable(format!("{context}: {e}"))
        }
        mysql_async::Error::Server(_) | mysql_async::Error::Url(_) => {
            Error::source_fatal(format!("{context}: {e}"))
        }
        mysql_async::Error::Io(mysql_async::IoError::Io(io))
            if io.kind() == std::io::ErrorKind::InvalidData =>
        {
            Error::source_fatal(format!("{context}: malformed binlog event: {e}"))
        }
        _ => Error::source_retryable(format!("{context}: {e}")),
    }
}

/// Where to start the dump.
pub enum DumpFrom<'a> {
    File {
        file: &'a str,
        offset: u64,
    },
    /// MariaDB GTID state (`@slave_connect_state`).
    MariaGtid(&'a str),
}

/// Turns `conn` into a binlog stream from `from`, with server heartbeats
/// every `heartbeat` so a dead connection is noticed.
pub async fn open(
    mut conn: Conn,
    server_id: u32,
    from: DumpFrom<'_>,
    heartbeat: Duration,
) -> Result<BinlogStream> {
    let ctx = "starting the binlog dump";
    let period_ns = heartbeat.as_nanos().min(u64::MAX as u128) as u64;
    conn.query_drop(format!("SET @master_heartbeat_period = {period_ns}"))
        .await
        .map_err(|e| map_err(ctx, e))?;
    // MariaDB: send real GTID / GTID_LIST events instead of compatibility
    // stand-ins, so GTIDs and transaction starts are exact. Others ignore it.
    conn.query_drop("SET @mariadb_slave_capability = 4")
        .await
        .map_err(|e| map_err(ctx, e))?;
    let request = BinlogStreamRequest::new(server_id);
    let stream = match from {
        DumpFrom::File { file, offset } => {
            conn.get_binlog_stream(request.with_filename(file.as_bytes()).with_pos(offset))
                .await
        }
        DumpFrom::MariaGtid(state) => {
            conn.exec_drop("SET @slave_connect_state = ?", (state,))
                .await
                .map_err(|e| map_err(ctx, e))?;
            conn.query_drop("SET @slave_gtid_strict_mode = 1")
                .await
                .map_err(|e| map_err(ctx, e))?;
            conn.get_binlog_stream(request.with_pos(4u64)).await
        }
    };
    stream.map_err(|e| map_err(ctx, e))
}

/// The next event as raw bytes (header, body, checksum trailer as sent),
/// `Ok(None)` when `wait` passed with nothing. `at` names the stream position
/// for error messages.
pub async fn next_raw(
    stream: &mut BinlogStream,
    wait: Duration,
    at: &str,
) -> Result<Option<Vec<u8>>> {
    let polled = tokio::time::timeout(wait, AssertUnwindSafe(stream.next()).catch_unwind()).await;
    let event = match polled {
        Err(_elapsed) => return Ok(None),
        Ok(Err(_panic)) => {
            return Err(Error::source_fatal(format!(
                "malformed binlog event at {at}: the driver's event framing panicked"
            )))
        }
        Ok(Ok(None)) => {
            return Err(Error::source_retryable(format!(
                "binlog server closed the stream at {at}"
            )))
        }
        Ok(Ok(Some(Err(e)))) => return Err(map_err(&format!("reading the binlog at {at}"), e)),
        Ok(Ok(Some(Ok(ev)))) => ev,
    };
    // Rebuild the bytes exactly as the server sent them, so that our own
    // decoder checks the size field and the server's CRC, not a recomputed one.
    let h = event.header();
    let data = event.data();
    let mut raw = Vec::with_capacity(HEADER_LEN + data.len() + 5);
    raw.extend_from_slice(&h.timestamp().to_le_bytes());
    raw.push(h.event_type_raw());
    raw.extend_from_slice(&h.server_id().to_le_bytes());
    raw.extend_from_slice(&h.event_size().to_le_bytes());
    raw.extend_from_slice(&h.log_pos().to_le_bytes());
    raw.extend_from_slice(&h.flags_raw().to_le_bytes());
    raw.extend_from_slice(data);
    if h.event_type_raw() == kind::FORMAT_DESCRIPTION {
        if let Ok(Some(alg)) = event.footer().get_checksum_alg() {
            raw.push(alg as u8);
        }
    }
    if let Some(sum) = event.checksum() {
        raw.extend_from_slice(&sum);
    }
    Ok(Some(raw))
}
