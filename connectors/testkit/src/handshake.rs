//! Readiness of a MySQL-protocol server without a client library: connect and
//! read the server's first packet, which is its handshake once it accepts logins.

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// What the server said on connect.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Greeting {
    /// A protocol-10 handshake: the server accepts logins. Holds its version string.
    Ready(String),
    /// An error packet (e.g. still initializing, too many connections).
    Refused(String),
}

/// Connects to `port` on 127.0.0.1 and reads one packet.
pub(crate) fn greet(port: u16, timeout: Duration) -> std::io::Result<Greeting> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    let mut header = [0u8; 4];
    s.read_exact(&mut header)?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    // A handshake is well under 1 KiB; refuse nonsense rather than allocate it.
    if len == 0 || len > 64 * 1024 {
        return Err(std::io::Error::other(format!("bad packet length {len}")));
    }
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload)?;
    Ok(parse(&payload))
}

fn parse(payload: &[u8]) -> Greeting {
    match payload.first() {
        Some(10) => {
            let end = payload[1..]
                .iter()
                .position(|&b| b == 0)
                .map_or(payload.len(), |p| p + 1);
            Greeting::Ready(String::from_utf8_lossy(&payload[1..end]).into_owned())
        }
        // 0xff, 2-byte code, then (optionally '#' + 5-byte state) the message.
        Some(0xff) if payload.len() >= 3 => {
            let code = u16::from_le_bytes([payload[1], payload[2]]);
            let mut msg = &payload[3..];
            if msg.first() == Some(&b'#') && msg.len() >= 6 {
                msg = &msg[6..];
            }
            Greeting::Refused(format!("{code}: {}", String::from_utf8_lossy(msg)))
        }
        _ => Greeting::Refused(format!(
            "unexpected first packet of {} bytes",
            payload.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_handshake_and_error_packets() {
        assert_eq!(
            parse(b"\x0a5.7.25\x00rest"),
            Greeting::Ready("5.7.25".into())
        );
        assert_eq!(
            parse(b"\xff\x10\x04#HY000Too many connections"),
            Greeting::Refused("1040: Too many connections".into())
        );
        assert!(matches!(parse(b"\x01"), Greeting::Refused(_)));
        assert!(matches!(parse(b""), Greeting::Refused(_)));
    }
}
