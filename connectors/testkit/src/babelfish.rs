//! Babelfish for PostgreSQL: a real TDS/T-SQL server, started by CI from
//! `../shared/babelfish/up.sh` and found through `SLUICE_BABELFISH_URL`.

/// A Babelfish server the environment points at.
#[derive(Debug, Clone)]
pub struct Babelfish {
    url: String,
}

/// The variable CI sets to the URL `up.sh` prints.
pub const BABELFISH_URL_VAR: &str = "SLUICE_BABELFISH_URL";

impl Babelfish {
    /// The server named by `SLUICE_BABELFISH_URL`, or `None` after printing a
    /// visible `SKIPPED:` line naming the calling test.
    ///
    /// Unlike seekdb and MariaDB, Babelfish cannot be started per test from
    /// here (it runs as a separate OS user and needs its own tarball), so CI
    /// starts one and these tests skip loudly on machines without it.
    pub fn from_env_or_skip() -> Option<Babelfish> {
        match std::env::var(BABELFISH_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => Some(Babelfish { url }),
            _ => {
                let test = std::thread::current()
                    .name()
                    .unwrap_or("this test")
                    .to_string();
                crate::skip(&format!(
                    "SKIPPED: {test}: set {BABELFISH_URL_VAR} to the URL printed by \
                     ../shared/babelfish/up.sh to run it against Babelfish"
                ));
                None
            }
        }
    }

    /// The ADO connection string (`server=tcp:127.0.0.1,1433;user=…;password=…;…`),
    /// for `tiberius::Config::from_ado_string`. It holds a password: do not log it.
    pub fn ado_url(&self) -> &str {
        &self.url
    }

    /// The TDS port from the URL's `server=tcp:HOST,PORT` part.
    pub fn port(&self) -> Option<u16> {
        self.url.split(';').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            if !k.trim().eq_ignore_ascii_case("server") {
                return None;
            }
            v.rsplit_once(',')?.1.trim().parse().ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_comes_from_the_server_key() {
        let b = Babelfish {
            url: "server=tcp:127.0.0.1,14330;user=sluice;password=x;TrustServerCertificate=true"
                .into(),
        };
        assert_eq!(b.port(), Some(14330));
    }
}
