//! Free TCP ports for servers.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Mutex;

// Ports handed out by this process. The kernel may give the same ephemeral
// port to two `bind(0)` calls once the first listener is closed, and two
// tests starting servers at the same moment must not race for one port.
static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A port that was free a moment ago and that this process has not handed out before.
///
/// The server binds it later, so another process can still take it in
/// between; callers retry the start on a bind failure.
pub(crate) fn free_port() -> std::io::Result<u16> {
    let mut guard = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    let seen = guard.get_or_insert_with(HashSet::new);
    for _ in 0..100 {
        let port = TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port();
        // Servers such as Babelfish also use port + 4000; keep that inside u16.
        if port < 61_000 && seen.insert(port) {
            return Ok(port);
        }
    }
    Err(std::io::Error::other("no free port after 100 tries"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_not_repeated() {
        let ports: HashSet<u16> = (0..50).map(|_| free_port().unwrap()).collect();
        assert_eq!(ports.len(), 50);
    }
}
