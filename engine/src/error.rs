//! The engine's error type.

/// Result with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core. Messages name the object and
/// place (sequence, table, position) but never row values: values may be
/// patient data and must not reach logs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The embedded store failed (disk full, permissions, corruption detected by sled).
    #[error("event log storage at {path}: {source}")]
    Storage {
        path: String,
        #[source]
        source: sled::Error,
    },
    /// A stored record failed its checksum, version or decoding.
    #[error("event log record {seq}: {reason}")]
    CorruptRecord { seq: u64, reason: String },
    /// A record was asked for that retention already removed (or never existed).
    #[error("event log record {seq} is not in the log (retained range is {first}..={last})")]
    NotRetained { seq: u64, first: u64, last: u64 },
    /// The target's cursor does not match the log: the log was rebuilt from a
    /// different source range, or the target belongs to another pipeline.
    #[error("apply cursor mismatch: {0}")]
    CursorMismatch(String),
    /// A source or sink failed. `retryable` errors (connection lost, deadlock,
    /// timeout) are retried by the pipeline with backoff; others stop it.
    #[error("{side}: {message}")]
    Connector {
        side: &'static str,
        retryable: bool,
        message: String,
    },
    /// The pipeline was asked to stop.
    #[error("stopped")]
    Stopped,
    /// Bad input from a user or caller.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub fn source_retryable(message: impl Into<String>) -> Self {
        Error::Connector {
            side: "source",
            retryable: true,
            message: message.into(),
        }
    }

    pub fn source_fatal(message: impl Into<String>) -> Self {
        Error::Connector {
            side: "source",
            retryable: false,
            message: message.into(),
        }
    }

    pub fn sink_retryable(message: impl Into<String>) -> Self {
        Error::Connector {
            side: "sink",
            retryable: true,
            message: message.into(),
        }
    }

    pub fn sink_fatal(message: impl Into<String>) -> Self {
        Error::Connector {
            side: "sink",
            retryable: false,
            message: message.into(),
        }
    }

    /// Whether retrying the same operation may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Connector {
                retryable: true,
                ..
            }
        )
    }
}
