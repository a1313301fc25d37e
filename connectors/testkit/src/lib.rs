//! Real database servers for sluice's tests.
//!
//! Every server here is a real one: a fresh process on a free port, with its
//! own temporary directory, stopped and its directory removed when the handle
//! is dropped — also when the test panics, and also when the test process is
//! killed outright (each server runs under a small supervisor shell that
//! cleans up when the test process's end of a pipe closes).
//!
//! - [`SeekDb`]: the OceanBase 4.3.5 kernel (MySQL mode) from PyPI `pylibseekdb`.
//!   [`SeekDb::shared`] gives one server per test binary and
//!   [`SeekDb::fresh_database`] a new database per test.
//! - [`MariaDb`]: Debian's MariaDB with a ROW binlog (FULL image, FULL metadata).
//! - [`Babelfish`]: a T-SQL/TDS server that CI starts from `../shared/babelfish`;
//!   tests find it through `SLUICE_BABELFISH_URL` or are skipped visibly.
//!
//! A missing binary is an error that names it and the install command
//! (`scripts/install-test-deps.sh`); `start()` panics with that message, so a
//! test that needs a server and cannot get one fails rather than passing.

mod babelfish;
mod error;
mod handshake;
mod mariadb;
mod port;
mod seekdb;
mod supervisor;

pub use babelfish::Babelfish;
pub use error::{Error, Result};
pub use mariadb::MariaDb;
pub use seekdb::{SeekDb, TestDatabase};

/// The command that installs everything these servers need on Debian.
pub const INSTALL_HINT: &str = "run scripts/install-test-deps.sh (as root, Debian)";

/// Prints a skip notice where a person running the tests sees it: straight
/// to the process's stderr, which the test harness does not capture (its
/// capture only covers `print!`/`eprint!`), and to stdout as well for
/// `--nocapture` runs.
pub fn skip(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
    println!("{message}");
}
