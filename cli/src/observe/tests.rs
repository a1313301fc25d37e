//! The HTTP surface end to end: a real server on a free port, real sockets,
//! and the status page rendered by headless Chromium.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::status::unix_now;
use super::*;

/// An `Observed` that looks like a forward sync five minutes into a run.
fn populated() -> Arc<Observed> {
    let now = unix_now();
    let o = Observed::new_at("hospital", now - 300.0);
    o.set_phase("syncing");
    let mut noise = 0x2545_f491_u64;
    for s in 0..=300 {
        noise = noise
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let jitter = (noise >> 33) % 200;
        let wave = 900.0 + 450.0 * ((s as f64) / 40.0).sin() + jitter as f64;
        if s < 300 {
            o.record_applied_at(wave as u64, now.floor() - 300.0 + s as f64);
        } else {
            // The current second, so far.
            o.record_applied_at((wave * now.fract()) as u64, now);
        }
    }
    o.record_captured(245_310);
    o.record_loop_filtered(17);
    o.record_error("apply: OceanBase error 1205 (HY000): Lock wait timeout exceeded; retrying");
    o.set_log_status(LogStatus {
        capture_position: Some("lsn 0x00000027:00000a88:0003 seq 0x00000027:00000a88:0002".into()),
        first_seq: Some(1),
        last_seq: 245_310,
        bytes: 187_654_321,
        apply_cursor_seq: Some(243_890),
        lag_records: 1_420,
        lag_seconds: 12.5,
    });
    let tables = [
        ("dbo.Patients", 120_000, 120_000, 12, 12, "done"),
        ("dbo.Admissions", 310_500, 480_000, 31, 48, "loading"),
        ("dbo.LabResults", 95_000, 1_200_000, 9, 120, "loading"),
        ("dbo.Wards", 0, 64, 0, 1, "pending"),
    ];
    for (name, rows_done, rows_total, chunks_done, chunks_total, state) in tables {
        o.set_table_progress(TableProgress {
            name: name.into(),
            rows_done,
            rows_total,
            chunks_done,
            chunks_total,
            state: state.into(),
        });
    }
    Arc::new(o)
}

async fn start(observed: Arc<Observed>) -> (SocketAddr, watch::Sender<bool>) {
    let (tx, rx) = watch::channel(false);
    let addr = serve("127.0.0.1:0".parse().unwrap(), observed, rx)
        .await
        .expect("bind");
    assert_ne!(addr.port(), 0);
    (addr, tx)
}

/// Sends `request` as is and returns the whole response as text.
async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut sock = TcpStream::connect(addr).await.unwrap();
    // The server may answer (and close) before taking all of an oversized request.
    let _ = sock.write_all(request).await;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut buf))
        .await
        .expect("server answered in time")
        .ok();
    String::from_utf8_lossy(&buf).into_owned()
}

fn status_line(resp: &str) -> &str {
    resp.lines().next().unwrap_or("")
}

fn header<'a>(resp: &'a str, name: &str) -> Option<&'a str> {
    let head = resp.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn body(resp: &str) -> &str {
    resp.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

// ---- Prometheus text format 0.0.4, checked strictly ----

/// Parses an exposition; panics with the offending line on anything invalid.
/// Returns every series (`name{sorted labels}`) with its value.
fn parse_prometheus(text: &str) -> BTreeMap<String, f64> {
    assert!(text.ends_with('\n'), "exposition must end with a newline");
    let mut help: HashSet<String> = HashSet::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    let mut series = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut it = rest.splitn(3, ' ');
            let (kw, name) = (it.next().unwrap(), it.next().unwrap_or(""));
            match kw {
                "HELP" => {
                    assert!(valid_name(name), "bad HELP name: {line}");
                    assert!(help.insert(name.into()), "second HELP: {line}");
                    let text = it.next().unwrap_or("");
                    assert!(!text.is_empty(), "empty HELP: {line}");
                    assert_escapes(text, false, line);
                }
                "TYPE" => {
                    assert!(valid_name(name), "bad TYPE name: {line}");
                    let t = it.next().unwrap_or("");
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&t),
                        "bad type: {line}"
                    );
                    assert!(
                        types.insert(name.into(), t.into()).is_none(),
                        "second TYPE: {line}"
                    );
                    assert!(!finished.contains(name), "TYPE after samples: {line}");
                }
                _ => {}
            }
            continue;
        }
        assert!(!line.starts_with('#') || line == "#", "bad comment: {line}");
        if line.trim().is_empty() {
            continue;
        }
        // name[{labels}] value [timestamp]
        let name_end = line
            .find(['{', ' '])
            .unwrap_or_else(|| panic!("no value: {line}"));
        let name = &line[..name_end];
        assert!(valid_name(name), "bad metric name: {line}");
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(r) = rest.strip_prefix('{') {
            let mut r = r;
            loop {
                if let Some(after) = r.strip_prefix('}') {
                    r = after;
                    break;
                }
                let eq = r.find('=').unwrap_or_else(|| panic!("bad label: {line}"));
                let lname = &r[..eq];
                assert!(
                    valid_name(lname) && !lname.contains(':'),
                    "bad label name: {line}"
                );
                r = r[eq + 1..]
                    .strip_prefix('"')
                    .unwrap_or_else(|| panic!("unquoted label value: {line}"));
                let mut value = String::new();
                let mut chars = r.char_indices();
                let end = loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, '\\')) => value.push('\\'),
                            Some((_, '"')) => value.push('"'),
                            other => panic!("bad escape {other:?}: {line}"),
                        },
                        Some((i, '"')) => break i,
                        Some((_, '\n')) | None => panic!("unterminated label value: {line}"),
                        Some((_, c)) => value.push(c),
                    }
                };
                labels.push(format!("{lname}={value:?}"));
                r = &r[end + 1..];
                r = r.strip_prefix(',').unwrap_or(r);
            }
            rest = r;
        }
        let mut parts = rest
            .strip_prefix(' ')
            .unwrap_or_else(|| panic!("no space before value: {line}"))
            .split(' ');
        let value = parts.next().unwrap();
        let value: f64 = match value {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
        };
        if let Some(ts) = parts.next() {
            ts.parse::<i64>()
                .unwrap_or_else(|_| panic!("bad timestamp: {line}"));
        }
        assert!(parts.next().is_none(), "trailing fields: {line}");

        let family = name.to_string();
        assert!(help.contains(&family), "sample before HELP: {line}");
        let ty = types
            .get(&family)
            .unwrap_or_else(|| panic!("sample before TYPE: {line}"));
        if ty == "counter" {
            assert!(family.ends_with("_total"), "counter without _total: {line}");
            assert!(value >= 0.0, "negative counter: {line}");
        }
        if current.as_deref() != Some(&family) {
            assert!(!finished.contains(&family), "family split in two: {line}");
            if let Some(prev) = current.take() {
                finished.insert(prev);
            }
            current = Some(family.clone());
        }
        labels.sort();
        let key = format!("{name}{{{}}}", labels.join(","));
        assert!(
            series.insert(key, value).is_none(),
            "duplicate series: {line}"
        );
    }
    for name in types.keys() {
        assert!(help.contains(name), "TYPE without HELP: {name}");
    }
    series
}

fn valid_name(n: &str) -> bool {
    let mut chars = n.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn assert_escapes(text: &str, quotes: bool, line: &str) {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let n = chars.next();
            assert!(
                matches!(n, Some('n') | Some('\\')) || (quotes && n == Some('"')),
                "bad escape in: {line}"
            );
        }
    }
}

#[test]
fn the_validator_rejects_bad_expositions() {
    for bad in [
        "x 1\n",                                    // no HELP/TYPE
        "# HELP x h\n# TYPE x gauge\nx{a=\"1} 1\n", // unterminated
        "# HELP x h\n# TYPE x gauge\nx one\n",      // value
        "# HELP x h\n# TYPE x counter\nx 1\n",      // counter name
        "# HELP x h\n# TYPE x gauge\nx 1\nx 2\n",   // duplicate
        "# HELP x h\n# TYPE x gauge\nx 1\n# HELP y h\n# TYPE y gauge\ny 1\nx{a=\"b\"} 1\n", // split
        "# HELP x h\n# TYPE x gauge\nx 1",          // no final newline
    ] {
        let r = std::panic::catch_unwind(|| parse_prometheus(bad));
        assert!(r.is_err(), "accepted: {bad:?}");
    }
}

#[tokio::test]
async fn metrics_are_valid_prometheus_text_and_move() {
    let observed = Arc::new(Observed::new("m\"with\\odd\nname"));
    observed.set_table_progress(TableProgress {
        name: "dbo.\"Quoted\"".into(),
        rows_total: 10,
        ..Default::default()
    });
    let (addr, _stop) = start(observed.clone()).await;

    let resp = raw(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status_line(&resp), "HTTP/1.1 200 OK");
    assert_eq!(
        header(&resp, "content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let before = parse_prometheus(body(&resp));
    for family in [
        "sluice_rows_applied_total",
        "sluice_events_captured_total",
        "sluice_lag_seconds",
        "sluice_log_bytes",
        "sluice_errors_total",
        "sluice_loop_filtered_transactions_total",
    ] {
        for dir in ["forward", "reverse"] {
            let key = format!("{family}{{direction=\"{dir}\"}}");
            assert_eq!(before.get(&key), Some(&0.0), "{key}");
        }
    }
    let start_time = before["process_start_time_seconds{}"];
    assert!((start_time - unix_now()).abs() < 60.0);
    assert!(before.contains_key("sluice_load_rows_total{table=\"dbo.\\\"Quoted\\\"\"}"));

    observed.record_applied(42);
    observed.record_captured(7);
    observed.record_error("x");
    observed.set_direction(Direction::Reverse);
    observed.record_loop_filtered(3);
    observed.set_log_status(LogStatus {
        lag_seconds: 1.5,
        bytes: 4096,
        ..Default::default()
    });
    let (code, after) = get(addr, "/metrics").await.unwrap();
    assert_eq!(code, 200);
    let after = parse_prometheus(std::str::from_utf8(&after).unwrap());
    let v = |k: &str| after[k];
    assert_eq!(v("sluice_rows_applied_total{direction=\"forward\"}"), 42.0);
    assert_eq!(
        v("sluice_events_captured_total{direction=\"forward\"}"),
        7.0
    );
    assert_eq!(v("sluice_errors_total{direction=\"forward\"}"), 1.0);
    assert_eq!(
        v("sluice_loop_filtered_transactions_total{direction=\"reverse\"}"),
        3.0
    );
    assert_eq!(v("sluice_lag_seconds{direction=\"reverse\"}"), 1.5);
    assert_eq!(v("sluice_log_bytes{direction=\"reverse\"}"), 4096.0);
    assert_eq!(v("sluice_rows_applied_total{direction=\"reverse\"}"), 0.0);
}

#[tokio::test]
async fn status_json_round_trips() {
    let observed = populated();
    let (addr, _stop) = start(observed.clone()).await;
    let resp = raw(addr, b"GET /status.json HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status_line(&resp), "HTTP/1.1 200 OK");
    assert_eq!(header(&resp, "content-type"), Some("application/json"));
    assert_eq!(header(&resp, "connection"), Some("close"));

    let served: StatusReport = serde_json::from_str(body(&resp)).unwrap();
    let mut expected = observed.snapshot();
    // Time-dependent parts: compare loosely, then align.
    assert_eq!(served.updated_at.len(), "2026-01-01T00:00:00Z".len());
    assert!(
        served.rps_history.len() >= 299,
        "{}",
        served.rps_history.len()
    );
    assert!(served.rps_avg > 0.0 && served.rps_now >= 0.0);
    expected.updated_at = served.updated_at.clone();
    expected.rps_now = served.rps_now;
    expected.rps_avg = served.rps_avg;
    expected.rps_history = served.rps_history.clone();
    assert_eq!(served, expected);

    // And through the client `sluice status` uses, and through serde alone.
    let fetched = fetch_status(addr).await.unwrap();
    assert_eq!(fetched.migration, "hospital");
    assert_eq!(fetched.tables.len(), 4);
    let json = serde_json::to_string_pretty(&expected).unwrap();
    assert_eq!(
        serde_json::from_str::<StatusReport>(&json).unwrap(),
        expected
    );
    // Older or newer peers: missing fields default.
    let partial: StatusReport = serde_json::from_str(r#"{"phase":"loading"}"#).unwrap();
    assert_eq!(partial.phase, "loading");
}

#[tokio::test]
async fn routes_and_methods() {
    let (addr, _stop) = start(populated()).await;
    let page = raw(addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status_line(&page), "HTTP/1.1 200 OK");
    assert_eq!(
        header(&page, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(header(&page, "content-security-policy")
        .unwrap()
        .contains("default-src 'none'"));
    let len: usize = header(&page, "content-length").unwrap().parse().unwrap();
    assert_eq!(len, body(&page).len());
    // Self-contained: nothing loaded from anywhere else.
    let html = body(&page);
    for outside in ["http://", "https://", "src=\"//", "@import"] {
        assert!(!html.contains(outside), "page refers outside: {outside}");
    }

    let health = raw(addr, b"GET /healthz HTTP/1.0\r\n\r\n").await;
    assert_eq!(status_line(&health), "HTTP/1.1 200 OK");
    assert_eq!(body(&health), "ok\n");

    let head = raw(addr, b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status_line(&head), "HTTP/1.1 200 OK");
    assert!(body(&head).is_empty());

    let missing = raw(addr, b"GET /nope?x=1 HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status_line(&missing), "HTTP/1.1 404 Not Found");

    let post = raw(
        addr,
        b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
    )
    .await;
    assert_eq!(status_line(&post), "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(header(&post, "allow"), Some("GET, HEAD"));

    let h2 = raw(addr, b"GET / HTTP/2.0\r\nHost: x\r\n\r\n").await;
    assert_eq!(status_line(&h2), "HTTP/1.1 505 HTTP Version Not Supported");
}

#[tokio::test]
async fn malformed_requests_get_400_and_the_server_survives() {
    let (addr, _stop) = start(populated()).await;
    let mut huge_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    huge_header.extend(std::iter::repeat_n(b'a', 100_000));
    huge_header.extend_from_slice(b"\r\n\r\n");
    let mut huge_target = b"GET /".to_vec();
    huge_target.extend(std::iter::repeat_n(b'b', 20_000));
    huge_target.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut endless = b"GET / HTTP/1.1\r\n".to_vec();
    endless.extend(std::iter::repeat_n(b'z', 64 * 1024)); // never ends its head

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\x01\x02\xff\xfe hello\r\n\r\n".to_vec()),
        (
            "lowercase method",
            b"get / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        ("no version", b"GET /\r\nHost: x\r\n\r\n".to_vec()),
        (
            "extra spaces",
            b"GET  /  HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        ("no host", b"GET / HTTP/1.1\r\n\r\n".to_vec()),
        (
            "two hosts",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_vec(),
        ),
        (
            "bad header",
            b"GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n".to_vec(),
        ),
        (
            "folded header",
            b"GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n".to_vec(),
        ),
        (
            "control in target",
            b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        (
            "not utf-8",
            b"GET /\xc3 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        ("truncated", b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec()),
        ("oversized header", huge_header),
        ("oversized target", huge_target),
        ("endless head", endless),
        (
            "tls hello",
            vec![
                0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, b'\r', b'\n',
                b'\r', b'\n',
            ],
        ),
    ];
    for (what, req) in cases {
        let resp = if what == "truncated" {
            // Half a head, then the client stops sending.
            let mut sock = TcpStream::connect(addr).await.unwrap();
            sock.write_all(&req).await.unwrap();
            sock.shutdown().await.unwrap();
            let mut buf = Vec::new();
            sock.read_to_end(&mut buf).await.unwrap();
            String::from_utf8_lossy(&buf).into_owned()
        } else {
            raw(addr, &req).await
        };
        assert_eq!(
            status_line(&resp),
            "HTTP/1.1 400 Bad Request",
            "{what}: {resp:?}"
        );
        assert_eq!(header(&resp, "connection"), Some("close"), "{what}");
    }

    // A client that connects and says nothing is dropped after the read
    // timeout; meanwhile others are served.
    let idle = TcpStream::connect(addr).await.unwrap();
    let (code, _) = get(addr, "/healthz").await.unwrap();
    assert_eq!(code, 200);
    drop(idle);
}

#[tokio::test]
async fn stops_when_told() {
    let (addr, stop) = start(populated()).await;
    assert_eq!(get(addr, "/healthz").await.unwrap().0, 200);
    stop.send(true).unwrap();
    // The listener closes once the accept loop sees the stop.
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "still accepting after stop");
}

#[test]
fn text_report_is_aligned_and_complete() {
    let report = populated().snapshot();
    let text = render_text(&report);
    for needle in [
        "migration         hospital",
        "phase             syncing (forward)",
        "lag               12.5 s (1,420 records)",
        "apply cursor      seq 243,890",
        "log               seq 1 .. 245,310, 179.0 MiB",
        "loop filtered     17 transactions",
        "errors            1",
        "last error        apply: OceanBase error 1205",
        "full load         1 of 4 tables done, 525,500 of 1,800,064 rows (29%)",
        "  table           state                   rows  done    chunks\n",
        "  dbo.Admissions  loading  310,500 /   480,000   65%  31 /  48\n",
        "  dbo.LabResults  loading   95,000 / 1,200,000    8%   9 / 120\n",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // Every label column ends at the same place.
    let first_block: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    let col = first_block[0].find("hospital").unwrap();
    for l in &first_block {
        assert!(
            l.as_bytes()[col - 1] == b' ' && l.as_bytes()[col] != b' ',
            "not aligned: {l}"
        );
    }
    let empty = render_text(&StatusReport::default());
    assert!(empty.contains("nothing applied yet"));
    assert!(!empty.contains("table "));
}

// ---- the page, rendered by a real browser ----

fn chromium() -> Option<std::path::PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists())
}

async fn run_chromium(
    bin: &std::path::Path,
    profile: &std::path::Path,
    extra: &[&str],
    url: &str,
) -> Vec<u8> {
    let mut cmd = tokio::process::Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--window-size=1200,900",
        "--virtual-time-budget=3000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(std::process::Stdio::null())
    .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(90), cmd.output())
        .await
        .expect("chromium finished within 90 s")
        .expect("chromium ran");
    assert!(
        out.status.success(),
        "chromium failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Renders the page in headless Chromium against a live server and checks
/// the DOM after the page's script ran, then takes a screenshot (copied to
/// `$SLUICE_STATUS_PAGE_PNG` when set, e.g. `docs/status-page.png`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_page_renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        sluice_testkit::skip(
            "SKIPPED status_page_renders_in_headless_chromium: /usr/bin/chromium not found \
             (apt-get install chromium, or scripts/install-test-deps.sh)",
        );
        return;
    };
    let observed = populated();
    let (addr, _stop) = start(observed.clone()).await;
    // Keep applying while the browser looks, as a running sync would.
    let feeder = {
        let observed = observed.clone();
        tokio::spawn(async move {
            loop {
                observed.record_applied(130);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let url = format!("http://{addr}/");
    let tmp = tempfile::tempdir().unwrap();

    let dom = run_chromium(&bin, &tmp.path().join("profile-dom"), &["--dump-dom"], &url).await;
    let dom = String::from_utf8_lossy(&dom);
    for needle in [
        ">hospital<",
        ">syncing<",
        ">12.5 s<",
        ">1,420 records behind<",
        ">dbo.Patients<",
        ">dbo.LabResults<",
        ">310,500 / 480,000 (65%)<",
        ">seq 243,890<",
        ">179.0 MiB<",
        "Lock wait timeout exceeded",
        ">live<",
    ] {
        assert!(
            dom.contains(needle),
            "DOM after JS lacks {needle:?}:\n{dom}"
        );
    }
    assert!(
        dom.contains("id=\"rps-line\" d=\"M"),
        "no RPS line drawn:\n{dom}"
    );

    let png = tmp.path().join("page.png");
    run_chromium(
        &bin,
        &tmp.path().join("profile-shot"),
        &[&format!("--screenshot={}", png.display())],
        &url,
    )
    .await;
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1200, 900));
    // A blank or unstyled page compresses to a few KB; the rendered one does not.
    assert!(
        bytes.len() > 20_000,
        "screenshot suspiciously small: {} bytes",
        bytes.len()
    );
    feeder.abort();

    // A fresh process: nulls and empty lists render too (the script must not stop on them).
    let (fresh, _stop_fresh) = start(Arc::new(Observed::new("fresh"))).await;
    let dom = run_chromium(
        &bin,
        &tmp.path().join("profile-fresh"),
        &["--dump-dom"],
        &format!("http://{fresh}/"),
    )
    .await;
    let dom = String::from_utf8_lossy(&dom);
    for needle in [
        ">fresh<",
        ">starting<",
        ">0.0 s<",
        ">not started<",
        ">nothing applied yet<",
        ">no full load in this run<",
        ">live<",
    ] {
        assert!(dom.contains(needle), "fresh DOM lacks {needle:?}:\n{dom}");
    }
    if let Some(dest) = std::env::var_os("SLUICE_STATUS_PAGE_PNG") {
        std::fs::copy(&png, &dest).expect("copy screenshot");
    }
}
