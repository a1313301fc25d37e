//! Connecting to the target: TLS negotiation and the session settings the
//! encoder relies on.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder, SslOpts};

use crate::config::{OceanBaseConfig, TlsMode};

/// `sql_mode` for the sink's sessions.
///
/// `NO_BACKSLASH_ESCAPES`: the encoder escapes only `'`.
/// `STRICT_ALL_TABLES` and the zero-date modes: a value that does not fit is
/// an error, never a silently truncated or zeroed row.
pub const SESSION_SQL_MODE: &str = "STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_IN_DATE,\
NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

/// A connection with its facts.
pub struct Connected {
    pub conn: Conn,
    /// Whether the session runs over TLS.
    pub encrypted: bool,
    /// Whether the server is OceanBase (vs. another MySQL-protocol server).
    pub oceanbase: bool,
}

/// Why a connection could not be made (the URL is never part of it).
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("the target URL is not valid: {0}")]
    BadUrl(String),
    #[error("connect timed out after {0:?}")]
    Timeout(std::time::Duration),
    #[error(transparent)]
    Mysql(#[from] mysql_async::Error),
}

impl ConnectError {
    /// A timeout or a broken connection may go away; a bad URL or TLS policy will not.
    pub fn is_retryable(&self) -> bool {
        match self {
            ConnectError::BadUrl(_) => false,
            ConnectError::Timeout(_) => true,
            ConnectError::Mysql(e) => crate::error::is_retryable(e),
        }
    }
}

fn base_opts(cfg: &OceanBaseConfig) -> Result<OptsBuilder, ConnectError> {
    // The URL error's text can echo parts of the URL; keep only its kind.
    let opts = Opts::from_url(&cfg.url).map_err(|e| {
        ConnectError::BadUrl(match e {
            mysql_async::UrlError::UnsupportedScheme { .. } => "scheme must be mysql://".into(),
            _ => "cannot parse (check host, port and parameters)".into(),
        })
    })?;
    Ok(OptsBuilder::from_opts(opts)
        // On localhost mysql_async would otherwise switch to the unix socket,
        // where TLS does not apply; keep one predictable path.
        .prefer_socket(false)
        .tcp_nodelay(true))
}

async fn try_connect(cfg: &OceanBaseConfig, ssl: Option<SslOpts>) -> Result<Conn, ConnectError> {
    let opts = base_opts(cfg)?.ssl_opts(ssl);
    match tokio::time::timeout(cfg.connect_timeout, Conn::new(opts)).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(ConnectError::Timeout(cfg.connect_timeout)),
    }
}

/// Selects rustls's crypto provider for the process, once.
///
/// The MySQL and TDS drivers both use rustls 0.23 but enable different
/// providers (ring, aws-lc-rs); with both compiled in, rustls refuses to
/// guess and panics at the first TLS handshake. Installing one explicitly is
/// idempotent: whoever installs first wins, the rest is a no-op.
pub fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Connects as `cfg.tls` says and prepares the session.
pub async fn connect(cfg: &OceanBaseConfig) -> Result<Connected, ConnectError> {
    ensure_crypto_provider();
    let (mut conn, encrypted) = match &cfg.tls {
        TlsMode::Disable => (try_connect(cfg, None).await?, false),
        TlsMode::Prefer => {
            let ssl = SslOpts::default()
                .with_danger_accept_invalid_certs(true)
                .with_danger_skip_domain_validation(true);
            match try_connect(cfg, Some(ssl)).await {
                Ok(c) => (c, true),
                // Only "the server offers no TLS" falls back; a failed TLS
                // handshake is an error, not a reason to go plain.
                Err(ConnectError::Mysql(mysql_async::Error::Driver(
                    mysql_async::DriverError::NoClientSslFlagFromServer,
                ))) => (try_connect(cfg, None).await?, false),
                Err(e) => return Err(e),
            }
        }
        TlsMode::Require { ca_file } => {
            let mut ssl = SslOpts::default();
            if let Some(ca) = ca_file {
                ssl = ssl.with_root_certs(vec![ca.clone().into()]);
            }
            (try_connect(cfg, Some(ssl)).await?, true)
        }
    };
    let version: Option<String> = conn.query_first("SELECT version()").await?;
    let oceanbase = version.is_some_and(|v| v.contains("OceanBase"));
    let mut setup =
        format!("SET NAMES utf8mb4; SET time_zone = '+00:00'; SET sql_mode = '{SESSION_SQL_MODE}'");
    if oceanbase {
        let us = cfg.statement_timeout.as_micros();
        // OceanBase's default ob_query_timeout is 10 s: too short for a large batch.
        setup.push_str(&format!(
            "; SET ob_query_timeout = {us}; SET ob_trx_timeout = {}",
            us.max(86_400_000_000)
        ));
    }
    conn.query_drop(setup).await?;
    Ok(Connected {
        conn,
        encrypted,
        oceanbase,
    })
}
