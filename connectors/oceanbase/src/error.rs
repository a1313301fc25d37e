//! What a target failure means for the pipeline, told without row values.
//!
//! Retryable: the connection broke, the server was busy or restarting, a
//! deadlock or lock wait timed out. The pipeline retries them with backoff,
//! and the cursor committed with the rows makes the retry exactly-once.
//!
//! Fatal: anything the same statement would hit again (missing table or
//! column, type mismatch, constraint violation). The pipeline stops, and the
//! message names table, log sequences and the statement's shape.
//!
//! Server messages often quote the offending value (`Duplicate entry 'x'`,
//! `Incorrect integer value: 'y'`); values may be patient data, so every
//! quoted part of a message is replaced unless it is a known identifier.

/// Whether retrying the same work later may succeed.
pub fn is_retryable(e: &mysql_async::Error) -> bool {
    use mysql_async::{DriverError, Error};
    match e {
        // A rejected certificate stays rejected; a reset socket may not.
        // rustls reports handshake failures as InvalidData I/O errors.
        Error::Io(mysql_async::IoError::Tls(_)) => false,
        Error::Io(mysql_async::IoError::Io(io)) => io.kind() != std::io::ErrorKind::InvalidData,
        Error::Driver(d) => !matches!(
            d,
            DriverError::NoClientSslFlagFromServer
                | DriverError::CleartextPluginDisabled
                | DriverError::UnknownAuthPlugin { .. }
        ),
        Error::Server(s) => is_retryable_code(s.code),
        Error::Other(_) | Error::Url(_) => false,
    }
}

/// Server error codes that mean "try again" on MySQL and OceanBase MySQL mode.
pub fn is_retryable_code(code: u16) -> bool {
    matches!(
        code,
        1040 // too many connections
        | 1053 // server shutdown in progress
        | 1205 // lock wait timeout
        | 1213 // deadlock
        | 1317 // query interrupted
        | 1927 // connection killed
        | 2006 | 2013 // server gone / lost connection
        | 4012 // OB: timeout
        | 4019 // OB: server is initializing
        | 4023 // OB: EAGAIN
        | 4038 // OB: not master (leader moved)
        | 6002 // OB: transaction rolled back / killed / idle timeout / context lost
        | 6005 // OB: try lock row conflict
        | 6210 // OB: transaction timeout
    )
}

/// The error's text with every quoted part that is not in `identifiers` replaced by `'?'`.
pub fn describe(e: &mysql_async::Error, identifiers: &[&str]) -> String {
    match e {
        mysql_async::Error::Server(s) => format!(
            "server error {} ({}): {}",
            s.code,
            s.state,
            redact_quoted(&s.message, identifiers)
        ),
        other => redact_quoted(&other.to_string(), identifiers),
    }
}

/// Replaces the content of each `'…'` or `"…"` span with `?`, except spans
/// that are exactly one of `identifiers` (table and column names help a DBA
/// and are not data).
///
/// A quote opens a span only after a non-alphanumeric character and closes it
/// only before one, so apostrophes in words (`doesn't`) are text while a
/// value with one inside (`'O'Brien'`) is still hidden whole.
pub fn redact_quoted(msg: &str, identifiers: &[&str]) -> String {
    let b = msg.as_bytes();
    let is_word = |i: usize| {
        b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c >= 0x80)
    };
    let mut out = String::with_capacity(msg.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let q = b[i];
        if (q == b'\'' || q == b'"') && (i == 0 || !is_word(i - 1)) {
            let close = (i + 1..b.len()).find(|&j| b[j] == q && !is_word(j + 1));
            out.push_str(&msg[copied..=i]);
            match close {
                Some(j) => {
                    let inner = &msg[i + 1..j];
                    let bare = inner.rsplit('.').next().unwrap_or(inner);
                    if identifiers.contains(&inner) || identifiers.contains(&bare) {
                        out.push_str(inner);
                    } else {
                        out.push('?');
                    }
                    out.push(q as char);
                    i = j + 1;
                    copied = i;
                }
                None => {
                    // An unterminated quote: whatever follows may be a value.
                    out.push('?');
                    return out;
                }
            }
        } else {
            i += 1;
        }
    }
    out.push_str(&msg[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_redacted_identifiers_kept() {
        let m = "Duplicate entry 'alice@example.org' for key 'uk_email'";
        assert_eq!(
            redact_quoted(m, &["uk_email"]),
            "Duplicate entry '?' for key 'uk_email'"
        );
        let m = "Incorrect integer value: 'Jane Doe' for column 'age' at row 3";
        assert_eq!(
            redact_quoted(m, &["age"]),
            "Incorrect integer value: '?' for column 'age' at row 3"
        );
        assert_eq!(
            redact_quoted("Table 'db.t' doesn't exist", &["t"]),
            "Table 'db.t' doesn't exist"
        );
        assert_eq!(redact_quoted("bad 'unterminated secret", &[]), "bad '?");
        assert_eq!(
            redact_quoted("Duplicate entry 'O'Brien' for key 'PRIMARY'", &["PRIMARY"]),
            "Duplicate entry '?' for key 'PRIMARY'"
        );
        assert_eq!(
            redact_quoted("value \"x y\" isn't valid", &[]),
            "value \"?\" isn't valid"
        );
    }

    #[test]
    fn deadlocks_and_lost_connections_retry_type_errors_do_not() {
        for code in [1205, 1213, 4012, 6002, 2013] {
            assert!(is_retryable_code(code), "{code}");
        }
        for code in [1146, 1054, 1366, 1062, 1406, 1264] {
            assert!(!is_retryable_code(code), "{code}");
        }
        let io = mysql_async::Error::Io(mysql_async::IoError::Io(std::io::Error::other("reset")));
        assert!(is_retryable(&io));
    }
}
