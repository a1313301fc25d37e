//! Opening a TDS session.

use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use crate::config::MssqlConfig;
use crate::error::{classify, Error, Result};

/// A connected tiberius client.
pub type MssqlClient = tiberius::Client<Compat<TcpStream>>;

/// Connects, following one server redirect (Azure SQL gateway routing).
pub async fn connect(cfg: &MssqlConfig) -> Result<MssqlClient> {
    // Both drivers in one process bring two rustls crypto providers; pick one
    // explicitly or rustls panics at the first handshake (idempotent).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut tc = cfg.tiberius_config()?;
    let fail = |e: tiberius::error::Error| {
        let (_, retryable) = classify(&e);
        Error::Connect {
            server: cfg.redacted(),
            message: cfg.scrub(&e.to_string()),
            retryable,
        }
    };
    for _ in 0..2 {
        let tcp = TcpStream::connect(tc.get_addr())
            .await
            .map_err(|e| Error::Connect {
                server: cfg.redacted(),
                message: e.to_string(),
                retryable: true,
            })?;
        tcp.set_nodelay(true).ok();
        match tiberius::Client::connect(tc.clone(), tcp.compat_write()).await {
            Ok(c) => return Ok(c),
            Err(tiberius::error::Error::Routing { host, port }) => {
                tc.host(&host);
                tc.port(port);
            }
            Err(e) => return Err(fail(e)),
        }
    }
    Err(Error::Connect {
        server: cfg.redacted(),
        message: "the server redirected the login more than once".into(),
        retryable: false,
    })
}

/// Runs a batch without parameters and discards its results.
pub async fn exec_batch(client: &mut MssqlClient, context: &str, sql: &str) -> Result<()> {
    client
        .simple_query(sql)
        .await
        .map_err(|e| Error::query(context, e))?
        .into_results()
        .await
        .map_err(|e| Error::query(context, e))?;
    Ok(())
}

/// Quotes an identifier with brackets (`]` doubled), for names that come from
/// the catalog. Values are never quoted into SQL; they are parameters.
pub fn quote_ident(name: &str) -> String {
    format!("[{}]", name.replace(']', "]]"))
}

/// `[schema].[name]`.
pub fn quote_table(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_cannot_break_out_of_brackets() {
        assert_eq!(quote_ident("a]b"), "[a]]b]");
        assert_eq!(quote_table("dbo", "x y"), "[dbo].[x y]");
    }
}
