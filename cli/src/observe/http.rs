//! A small HTTP/1.1 server for the status page, `/status.json`, `/metrics`
//! and `/healthz`, on tokio alone.
//!
//! It answers one request per connection (`Connection: close`), reads at
//! most [`MAX_REQUEST_HEAD`] bytes of request head within [`READ_TIMEOUT`],
//! never reads a body, and answers anything it cannot parse with 400. At
//! most [`MAX_CONNECTIONS`] connections are served at once; more are closed
//! at accept. Nothing here panics on outside input.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::timeout;

use super::metrics;
use super::status::{Observed, StatusReport};

/// Largest request head (request line + headers) accepted, in bytes.
pub const MAX_REQUEST_HEAD: usize = 8 * 1024;
/// Most header lines accepted.
pub const MAX_HEADERS: usize = 64;
/// Time a client has to send its request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 64;
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

const PAGE: &str = include_str!("page.html");

/// Binds `addr`, serves in a spawned task until `stop` turns true (or its
/// sender is dropped), and returns the bound address (so port 0 works).
///
/// Routes: `GET /` (the status page), `/status.json`, `/metrics`,
/// `/healthz`; `HEAD` of each; 404 for other paths, 405 for other methods.
pub async fn serve(
    addr: SocketAddr,
    observed: Arc<Observed>,
    mut stop: watch::Receiver<bool>,
) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!(%local, "status page and metrics listening");
    tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            if *stop.borrow() {
                break;
            }
            tokio::select! {
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                accepted = listener.accept() => match accepted {
                    Ok((sock, peer)) => {
                        let Ok(permit) = slots.clone().try_acquire_owned() else {
                            tracing::debug!(%peer, "status server busy; connection closed");
                            continue;
                        };
                        let observed = observed.clone();
                        tokio::spawn(async move {
                            handle(sock, &observed).await;
                            drop(permit);
                        });
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: back off, go on.
                        tracing::warn!(error = %e, "status server accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
        tracing::debug!(%local, "status server stopped");
    });
    Ok(local)
}

/// Reads `/status.json` from a running sluice at `addr` (for `sluice status`
/// while a `sync` serves its page).
pub async fn fetch_status(addr: SocketAddr) -> io::Result<StatusReport> {
    let (code, body) = get(addr, "/status.json").await?;
    if code != 200 {
        return Err(io::Error::other(format!(
            "GET http://{addr}/status.json answered HTTP {code}"
        )));
    }
    serde_json::from_slice(&body).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("http://{addr}/status.json: {e}"),
        )
    })
}

/// A minimal `GET path` against this server: (status code, body).
pub async fn get(addr: SocketAddr, path: &str) -> io::Result<(u16, Vec<u8>)> {
    const MAX_RESPONSE: u64 = 64 * 1024 * 1024;
    let work = async {
        let mut sock = TcpStream::connect(addr).await?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        sock.write_all(req.as_bytes()).await?;
        let mut buf = Vec::new();
        (&mut sock).take(MAX_RESPONSE).read_to_end(&mut buf).await?;
        Ok::<_, io::Error>(buf)
    };
    let buf = timeout(Duration::from_secs(10), work).await.map_err(|_| {
        io::Error::new(io::ErrorKind::TimedOut, format!("GET http://{addr}{path}"))
    })??;
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "malformed HTTP response");
    let end = find(&buf, b"\r\n\r\n").ok_or_else(bad)?;
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| bad())?;
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(bad)?;
    Ok((code, buf[end + 4..].to_vec()))
}

/// A parsed request head: all the server needs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Request {
    pub method: String,
    /// Path without the query string.
    pub path: String,
}

/// Why a request head was refused; each is answered with its status.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 400 with a short reason.
    Bad(&'static str),
    /// 505.
    Version,
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    extra: &'static str,
}

impl Response {
    fn text(status: u16, body: impl Into<String>) -> Self {
        let mut body: String = body.into();
        body.push('\n');
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into_bytes(),
            extra: "",
        }
    }
}

enum ReadOutcome {
    Head(Vec<u8>),
    /// The peer closed before sending anything: nothing to answer.
    Closed,
    TooLarge,
    Truncated,
}

async fn handle(mut sock: TcpStream, observed: &Observed) {
    let (response, head_only) = match timeout(READ_TIMEOUT, read_head(&mut sock)).await {
        Err(_) => (Response::text(408, "request timeout"), false),
        Ok(Err(_)) | Ok(Ok(ReadOutcome::Closed)) => return,
        Ok(Ok(ReadOutcome::TooLarge)) => (Response::text(400, "request head too large"), false),
        Ok(Ok(ReadOutcome::Truncated)) => (Response::text(400, "incomplete request"), false),
        Ok(Ok(ReadOutcome::Head(head))) => match parse_request(&head) {
            Ok(req) => (route(&req, observed), req.method == "HEAD"),
            Err(Refusal::Bad(why)) => (Response::text(400, why), false),
            Err(Refusal::Version) => (Response::text(505, "HTTP version not supported"), false),
        },
    };
    let _ = timeout(
        WRITE_TIMEOUT,
        write_response(&mut sock, &response, head_only),
    )
    .await;
    // Close gracefully: stop sending, then swallow whatever the client still
    // sends (a body, the rest of an oversized head) for a moment, so the
    // kernel does not reset the connection and lose the response.
    let _ = sock.shutdown().await;
    let mut sink = [0u8; 4096];
    let mut drained = 0usize;
    let _ = timeout(Duration::from_secs(1), async {
        while drained < 1 << 20 {
            match sock.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    })
    .await;
}

async fn read_head(sock: &mut TcpStream) -> io::Result<ReadOutcome> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(if buf.is_empty() {
                ReadOutcome::Closed
            } else {
                ReadOutcome::Truncated
            });
        }
        let search_from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&buf, search_from) {
            if end > MAX_REQUEST_HEAD {
                return Ok(ReadOutcome::TooLarge);
            }
            buf.truncate(end);
            return Ok(ReadOutcome::Head(buf));
        }
        if buf.len() > MAX_REQUEST_HEAD {
            return Ok(ReadOutcome::TooLarge);
        }
    }
}

/// End of the head (index just past the blank line), accepting bare LF line ends.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    // Leading blank lines before the request line are allowed (RFC 9112 §2.2).
    let start = buf
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(buf.len());
    let from = from.max(start);
    (from..buf.len()).find_map(|i| {
        if buf[i] != b'\n' {
            return None;
        }
        if i >= 1 && buf[i - 1] == b'\n' {
            return Some(i + 1);
        }
        if i >= 2 && buf[i - 1] == b'\r' && buf[i - 2] == b'\n' {
            return Some(i + 1);
        }
        None
    })
}

/// Parses a request head (request line and header lines).
pub(crate) fn parse_request(head: &[u8]) -> Result<Request, Refusal> {
    let text = std::str::from_utf8(head).map_err(|_| Refusal::Bad("request head is not UTF-8"))?;
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .skip_while(|l| l.is_empty());
    let request_line = lines.next().ok_or(Refusal::Bad("empty request"))?;

    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Bad("malformed request line"));
    };
    if method.is_empty() || method.len() > 16 || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Refusal::Bad("malformed method"));
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        v if v.len() == 8
            && v.starts_with("HTTP/")
            && v.as_bytes()[5].is_ascii_digit()
            && v.as_bytes()[6] == b'.'
            && v.as_bytes()[7].is_ascii_digit() =>
        {
            return Err(Refusal::Version)
        }
        _ => return Err(Refusal::Bad("malformed HTTP version")),
    };
    if target.is_empty() || !target.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(Refusal::Bad("malformed request target"));
    }
    // Origin form ("/path?query") or absolute form ("http://host/path").
    let path_and_query = if target.starts_with('/') {
        target
    } else if let Some(rest) = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        rest.find('/').map_or("/", |i| &rest[i..])
    } else {
        return Err(Refusal::Bad("malformed request target"));
    };
    let path = path_and_query
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();

    let mut hosts = 0;
    let mut count = 0;
    for line in lines {
        if line.is_empty() {
            break;
        }
        count += 1;
        if count > MAX_HEADERS {
            return Err(Refusal::Bad("too many headers"));
        }
        if line.starts_with([' ', '\t']) {
            return Err(Refusal::Bad("obsolete header line folding"));
        }
        let Some((name, _value)) = line.split_once(':') else {
            return Err(Refusal::Bad("malformed header line"));
        };
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(Refusal::Bad("malformed header name"));
        }
        if name.eq_ignore_ascii_case("host") {
            hosts += 1;
        }
    }
    if hosts > 1 || (http11 && hosts == 0) {
        return Err(Refusal::Bad(
            "an HTTP/1.1 request needs exactly one Host header",
        ));
    }
    Ok(Request {
        method: method.to_string(),
        path,
    })
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn route(req: &Request, observed: &Observed) -> Response {
    if req.method != "GET" && req.method != "HEAD" {
        return Response {
            extra: "Allow: GET, HEAD\r\n",
            ..Response::text(405, "method not allowed")
        };
    }
    match req.path.as_str() {
        "/" | "/index.html" => Response {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: PAGE.as_bytes().to_vec(),
            // The page is self-contained: forbid every outside load.
            extra: "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; \
                    style-src 'unsafe-inline'; connect-src 'self'; img-src data:\r\n",
        },
        "/status.json" => {
            let report = observed.snapshot();
            match serde_json::to_vec(&report) {
                Ok(body) => Response {
                    status: 200,
                    content_type: "application/json",
                    body,
                    extra: "",
                },
                // Non-finite floats and the like; reported, not panicked on.
                Err(e) => Response::text(500, format!("status serialization failed: {e}")),
            }
        }
        "/metrics" => Response {
            status: 200,
            content_type: metrics::CONTENT_TYPE,
            body: metrics::render(observed).into_bytes(),
            extra: "",
        },
        "/healthz" => Response::text(200, "ok"),
        _ => Response::text(404, "not found"),
    }
}

async fn write_response(sock: &mut TcpStream, r: &Response, head_only: bool) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n{}\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len(),
        r.extra,
    );
    sock.write_all(head.as_bytes()).await?;
    if !head_only {
        sock.write_all(&r.body).await?;
    }
    sock.flush().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        500 => "Internal Server Error",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(head: &str) -> Request {
        parse_request(head.as_bytes()).unwrap()
    }

    #[test]
    fn parses_good_heads() {
        let r = ok("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
        assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/metrics"));
        assert_eq!(ok("\r\nGET / HTTP/1.0\n\n").path, "/");
        assert_eq!(
            ok("GET http://h:1/status.json HTTP/1.1\r\nHost: h\r\n\r\n").path,
            "/status.json"
        );
        assert_eq!(ok("HEAD http://h HTTP/1.1\r\nHost: h\r\n\r\n").path, "/");
    }

    #[test]
    fn refuses_bad_heads() {
        for head in [
            "",
            "GET\r\n\r\n",
            "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n",
            "get / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET nopath HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHo st: a\r\n\r\n",
            "GET / HTTX/1.1\r\nHost: a\r\n\r\n",
            "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
        ] {
            assert!(
                matches!(parse_request(head.as_bytes()), Err(Refusal::Bad(_))),
                "{head:?}"
            );
        }
        assert_eq!(
            parse_request(b"GET / HTTP/2.0\r\n\r\n"),
            Err(Refusal::Version)
        );
        assert!(parse_request(b"GET / HTTP/1.1\r\nHost: \xff\r\n\r\n").is_err());
    }

    #[test]
    fn finds_head_end() {
        assert_eq!(head_end(b"GET / HTTP/1.0\r\n\r\nbody", 0), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\nbody", 0), Some(16));
        assert_eq!(head_end(b"\r\n\r\nGET / HTTP/1.0\r\n", 0), None);
        assert_eq!(head_end(b"GET / HTTP/1.0\r\n", 0), None);
    }
}
