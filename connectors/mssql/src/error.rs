//! The connector's error type.
//!
//! Messages name the server (redacted), object and operation, never row
//! values or passwords: values may be patient data, and messages reach logs.

/// Result with the connector's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong talking to SQL Server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The connection string is malformed or names an unusable option.
    #[error("connection string: {0}")]
    Config(String),
    /// The server could not be reached or refused the login.
    #[error("connecting to {server}: {message}")]
    Connect {
        /// The connection string with its password replaced.
        server: String,
        message: String,
        retryable: bool,
    },
    /// A statement failed. `context` says which step, not which values.
    #[error("{context}: {message}")]
    Query {
        context: String,
        message: String,
        /// SQL Server's error number, when the server sent one.
        number: Option<u32>,
        retryable: bool,
    },
    /// A value could not be converted without loss.
    #[error("column {column}: {reason}")]
    Decode { column: String, reason: String },
    /// The database, table or data is not in a state this connector can work with.
    #[error("{0}")]
    Unsupported(String),
}

/// SQL Server error numbers after which the same statement may succeed:
/// deadlock victim (1205), lock request timeout (1222), snapshot update
/// conflict (3960), and Azure SQL's transient errors (documented at
/// <https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-errors-issues>).
const TRANSIENT_NUMBERS: &[u32] = &[
    1205, 1222, 3960, 4060, 40197, 40501, 40613, 49918, 49919, 49920, 10928, 10929,
];

impl Error {
    /// Wraps a tiberius error from step `context`, classifying it as retryable or not.
    pub fn query(context: impl Into<String>, e: tiberius::error::Error) -> Self {
        let (number, retryable) = classify(&e);
        Error::Query {
            context: context.into(),
            message: redact_values(&e.to_string()),
            number,
            retryable,
        }
    }

    /// Whether retrying the same operation on a new connection may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Connect { retryable, .. } | Error::Query { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// The SQL Server error number, when there is one.
    pub fn number(&self) -> Option<u32> {
        match self {
            Error::Query { number, .. } => *number,
            _ => None,
        }
    }

    /// As an engine error on the sink side.
    pub fn into_sink(self) -> sluice_engine::Error {
        if self.is_retryable() {
            sluice_engine::Error::sink_retryable(format!("sql server: {self}"))
        } else {
            sluice_engine::Error::sink_fatal(format!("sql server: {self}"))
        }
    }

    /// As an engine error on the source side.
    pub fn into_source(self) -> sluice_engine::Error {
        if self.is_retryable() {
            sluice_engine::Error::source_retryable(format!("sql server: {self}"))
        } else {
            sluice_engine::Error::source_fatal(format!("sql server: {self}"))
        }
    }
}

/// Removes row values that server messages quote, keeping object names and
/// error numbers: "Cannot insert duplicate key … The duplicate key value is
/// (12345)." (2627/2601), "Truncated value: '…'" (2628), "converting the
/// varchar value '…' to …" (245), and PostgreSQL's "Key (id)=(…)" detail as
/// Babelfish forwards it. Values may be patient data; messages reach logs.
pub fn redact_values(msg: &str) -> String {
    let mut out = msg.to_string();
    // (marker, what ends the value)
    for (marker, end) in [
        ("duplicate key value is ", ")"),
        ("Truncated value: ", "'."),
        (" value '", "' to"),
        (")=(", ")"),
    ] {
        let mut from = 0;
        while let Some(i) = out[from..].find(marker) {
            let start = from + i + marker.len();
            let stop = out[start..]
                .find(end)
                .map(|j| start + j + if end == ")" && marker != ")=(" { 1 } else { 0 })
                .unwrap_or(out.len());
            out.replace_range(start..stop, "<redacted>");
            from = start + "<redacted>".len();
        }
    }
    out
}

/// (server error number, retryable) for a tiberius error.
pub(crate) fn classify(e: &tiberius::error::Error) -> (Option<u32>, bool) {
    use tiberius::error::Error as T;
    match e {
        T::Io { .. } => (None, true),
        T::Server(tok) => {
            let n = tok.code();
            (Some(n), TRANSIENT_NUMBERS.contains(&n))
        }
        // A rejected certificate stays rejected: retrying would only hide it.
        T::Tls(_) => (None, false),
        _ => (None, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_lose_row_values_but_keep_names() {
        let m = redact_values(
            "Violation of PRIMARY KEY constraint 'pk_patient'. Cannot insert duplicate key in object 'dbo.patient'. \
             The duplicate key value is (1234, Smith). (code: 2627)",
        );
        assert!(!m.contains("Smith") && !m.contains("1234"), "{m}");
        assert!(
            m.contains("pk_patient") && m.contains("dbo.patient") && m.contains("2627"),
            "{m}"
        );
        let m = redact_values("String or binary data would be truncated in table 'h.dbo.p', column 'name'. Truncated value: 'Jane Do'.");
        assert!(!m.contains("Jane") && m.contains("column 'name'"), "{m}");
        let m = redact_values(
            "Conversion failed when converting the varchar value 'MRN-77' to data type int.",
        );
        assert!(
            !m.contains("MRN-77") && m.contains("to data type int"),
            "{m}"
        );
        let m = redact_values(
            "duplicate key value violates unique constraint \"pk\" Key (id)=(42) already exists.",
        );
        assert!(!m.contains("42") && m.contains("Key (id)="), "{m}");
    }

    #[test]
    fn deadlock_is_retryable_and_syntax_error_is_not() {
        let io = tiberius::error::Error::Io {
            kind: std::io::ErrorKind::ConnectionReset,
            message: "reset".into(),
        };
        assert!(Error::query("apply", io).is_retryable());
        let proto = tiberius::error::Error::Protocol("bad".into());
        assert!(!Error::query("apply", proto).is_retryable());
        let e = Error::Query {
            context: "x".into(),
            message: "y".into(),
            number: Some(1205),
            retryable: true,
        };
        assert!(e.into_sink().is_retryable());
    }
}
