//! Why a test server could not be had.

use std::path::PathBuf;

/// Result with the testkit's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every message names the missing piece and how to get it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A program or package the server needs is not installed.
    #[error("{what} is not installed ({detail}); {hint}", hint = crate::INSTALL_HINT)]
    Missing { what: String, detail: String },
    /// The server process started but never became ready, or exited.
    #[error("{server} did not start: {reason}\n--- last lines of {log} ---\n{tail}")]
    StartFailed {
        server: &'static str,
        reason: String,
        log: PathBuf,
        tail: String,
    },
    /// Setting up the server (temp dir, init step, query) failed.
    #[error("{server}: {context}: {message}")]
    Setup {
        server: &'static str,
        context: String,
        message: String,
    },
}

impl Error {
    pub(crate) fn setup(
        server: &'static str,
        context: impl Into<String>,
        err: impl std::fmt::Display,
    ) -> Self {
        Error::Setup {
            server,
            context: context.into(),
            message: err.to_string(),
        }
    }
}

/// The last `n` lines of a text file, for error messages about a server that failed.
pub(crate) fn tail(path: &std::path::Path, n: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        }
        Err(e) => format!("(cannot read: {e})"),
    }
}
