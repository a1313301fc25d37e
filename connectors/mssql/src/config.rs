//! Endpoint configuration from an ADO.NET connection string.
//!
//! The string is the one users already have (`server=tcp:host,1433;user=…;
//! password=…;TrustServerCertificate=true`). TLS follows the string:
//! `TrustServerCertificateCA=<pem>` validates against a private CA,
//! `TrustServerCertificate=true` encrypts without validating, and without an
//! `encrypt` key tiberius requires TLS. Passwords never leave this module in
//! clear: every message that may quote the string goes through
//! [`redact_ado`] or [`MssqlConfig::scrub`].

use std::time::Duration;

use crate::error::{Error, Result};

/// Keys whose values are secrets, compared case-insensitively.
const SECRET_KEYS: &[&str] = &["password", "pwd"];

/// A SQL Server endpoint.
#[derive(Clone)]
pub struct MssqlConfig {
    ado: String,
    database: Option<String>,
    application_name: String,
}

impl std::fmt::Debug for MssqlConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MssqlConfig")
            .field("ado", &redact_ado(&self.ado))
            .field("database", &self.database)
            .finish()
    }
}

impl MssqlConfig {
    /// Parses an ADO.NET connection string, checking it the way tiberius will.
    pub fn from_ado(ado: &str) -> Result<Self> {
        let cfg = MssqlConfig {
            ado: ado.to_string(),
            database: None,
            application_name: "sluice".into(),
        };
        cfg.tiberius_config()?;
        Ok(cfg)
    }

    /// The same endpoint, connected to another database.
    pub fn with_database(&self, database: impl Into<String>) -> Self {
        MssqlConfig {
            database: Some(database.into()),
            ..self.clone()
        }
    }

    /// The database this endpoint connects to, when one was set with
    /// [`MssqlConfig::with_database`] (otherwise the string's or the login's default).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The connection string with every password replaced by `***`.
    pub fn redacted(&self) -> String {
        let mut s = redact_ado(&self.ado);
        if let Some(db) = &self.database {
            s.push_str(&format!(";database={db}"));
        }
        s
    }

    /// The raw value of a (non-secret) key, case-insensitive, unquoted.
    fn value_of(&self, key: &str) -> Option<String> {
        pairs(&self.ado)
            .into_iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, r)| {
                self.ado[r]
                    .trim()
                    .trim_matches(|c| c == '\'' || c == '"')
                    .to_string()
            })
    }

    /// Removes any secret of this endpoint from a message (a driver error may quote it).
    pub fn scrub(&self, message: &str) -> String {
        let mut out = message.to_string();
        for secret in secrets(&self.ado) {
            if !secret.is_empty() {
                out = out.replace(&secret, "***");
            }
        }
        out
    }

    /// The tiberius configuration: no command timeout, because snapshot
    /// chunks and CDC windows are long reads that must not be cut at
    /// tiberius's 30 s default; liveness is the caller's business.
    pub(crate) fn tiberius_config(&self) -> Result<tiberius::Config> {
        let mut cfg = tiberius::Config::from_ado_string(&self.ado)
            .map_err(|e| Error::Config(self.scrub(&e.to_string())))?;
        cfg.command_timeout(None);
        // `encrypt=false` in ADO.NET means "login only" in tiberius; patient
        // data must not cross the wire in clear when the server can do TLS,
        // so it becomes "encrypt everything if the server offers it".
        // `encrypt=DANGER_PLAINTEXT` stays an explicit, logged opt-out.
        match self.value_of("encrypt").map(|v| v.to_ascii_lowercase()) {
            Some(v) if v == "false" || v == "no" => cfg.encryption(tiberius::EncryptionLevel::On),
            Some(v) if v == "danger_plaintext" => {
                tracing::warn!(server = %self.redacted(), "TLS disabled by encrypt=DANGER_PLAINTEXT: data crosses the network unencrypted")
            }
            _ => {}
        }
        cfg.handshake_timeout(Some(Duration::from_secs(30)));
        cfg.application_name(&self.application_name);
        if let Some(db) = &self.database {
            cfg.database(db);
        }
        Ok(cfg)
    }
}

/// Splits an ADO.NET string into `(key, raw value)` pairs, honouring the
/// quoting forms tiberius accepts (`'…'`, `"…"`, `{…}` with doubled closers),
/// so that a password containing `;` is still found and redacted whole.
fn pairs(s: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let key_start = i;
        while i < b.len() && b[i] != b'=' && b[i] != b';' {
            i += 1;
        }
        if i >= b.len() || b[i] == b';' {
            i += 1;
            continue;
        }
        let key = s[key_start..i].trim().to_ascii_lowercase();
        i += 1; // '='
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let v_start = i;
        let closer = match b.get(i) {
            Some(b'\'') => Some(b'\''),
            Some(b'"') => Some(b'"'),
            Some(b'{') => Some(b'}'),
            _ => None,
        };
        if let Some(c) = closer {
            i += 1;
            while i < b.len() {
                if b[i] == c {
                    if b.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < b.len() && b[i] != b';' {
            i += 1;
        }
        out.push((key, v_start..i));
        i += 1;
    }
    out
}

fn secrets(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (k, r) in pairs(s) {
        if SECRET_KEYS.contains(&k.as_str()) {
            let raw = s[r].trim().to_string();
            // Both the quoted form and its unquoted content may appear in messages.
            if raw.len() >= 2 && matches!(raw.as_bytes()[0], b'\'' | b'"' | b'{') {
                out.push(raw[1..raw.len() - 1].to_string());
            }
            out.push(raw);
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// The connection string with every `password`/`pwd` value replaced by `***`.
pub fn redact_ado(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (k, r) in pairs(s) {
        if SECRET_KEYS.contains(&k.as_str()) {
            out.push_str(&s[last..r.start]);
            out.push_str("***");
            last = r.end;
        }
    }
    out.push_str(&s[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_every_quoting_form() {
        for (ado, secret) in [
            (
                "server=tcp:h,1433;user=sa;password=Plain-1;TrustServerCertificate=true",
                "Plain-1",
            ),
            (
                "server=tcp:h,1433;User=sa;PWD='p@ss;word=42';encrypt=true",
                "word=42",
            ),
            ("Password={a;b}}c};server=tcp:h,1", "b}}c"),
            ("server=h;password=\"x;y\"", "x;y"),
        ] {
            let r = redact_ado(ado);
            assert!(!r.contains(secret), "{r}");
            assert!(r.contains("***"), "{r}");
            assert!(r.contains("server"), "other keys survive: {r}");
        }
    }

    #[test]
    fn scrub_removes_the_password_from_driver_messages() {
        let cfg = MssqlConfig {
            ado: "server=tcp:h,1;user=u;password='S3cret;x'".into(),
            database: None,
            application_name: "t".into(),
        };
        let msg = cfg.scrub("login failed for u with S3cret;x");
        assert!(!msg.contains("S3cret"), "{msg}");
        assert!(!format!("{cfg:?}").contains("S3cret"));
        assert!(!cfg.redacted().contains("S3cret"));
    }

    #[test]
    fn bad_strings_are_config_errors_without_secrets() {
        let err =
            MssqlConfig::from_ado("server=tcp:h,1;password=Hidden9;TrustServerCertificate=maybe")
                .unwrap_err();
        assert!(matches!(err, Error::Config(_)));
        assert!(!err.to_string().contains("Hidden9"), "{err}");
    }

    #[test]
    fn command_timeout_is_lifted() {
        let cfg =
            MssqlConfig::from_ado("server=tcp:h,1;user=u;password=p;TrustServerCertificate=true")
                .unwrap();
        assert_eq!(cfg.tiberius_config().unwrap().get_command_timeout(), None);
    }
}
