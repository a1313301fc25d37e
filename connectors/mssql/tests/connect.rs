//! Connection security against a live server (Babelfish): TLS is on,
//! certificates are validated when a CA is given, and no error or debug
//! output carries the password.

mod common;

use sluice_mssql::catalog::{query, text_of};
use sluice_mssql::{connect, MssqlConfig};

async fn encrypted(cfg: &MssqlConfig) -> String {
    let mut c = connect(cfg).await.expect("connect");
    let r = query(
        &mut c,
        "tls",
        "SELECT encrypt_option FROM sys.dm_exec_connections WHERE session_id = @@SPID",
    )
    .await
    .unwrap();
    text_of(&r[0][0]).to_uppercase()
}

#[tokio::test]
async fn tls_is_on_validated_and_passwords_never_leak() {
    let Some(cfg) = common::babelfish() else {
        return;
    };
    let url = std::env::var("SLUICE_BABELFISH_URL").unwrap();
    assert_eq!(encrypted(&cfg).await, "TRUE", "the kit URL negotiates TLS");
    // encrypt=false would only encrypt the login; sluice upgrades it.
    let off = MssqlConfig::from_ado(&format!("{url};encrypt=false")).unwrap();
    assert_eq!(
        encrypted(&off).await,
        "TRUE",
        "encrypt=false still encrypts the session"
    );

    let port = sluice_testkit::Babelfish::from_env_or_skip()
        .and_then(|b| b.port())
        .unwrap_or(1433);
    let ca = format!("/tmp/sluice-babelfish-{port}-ca.crt");
    let password = url
        .split(';')
        .find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case("password"))
                .map(|(_, v)| v.to_string())
        })
        .unwrap();
    let no_trust = url.replace("TrustServerCertificate=true", "");
    if std::path::Path::new(&ca).exists() {
        let validated =
            MssqlConfig::from_ado(&format!("{no_trust};TrustServerCertificateCA={ca}")).unwrap();
        assert_eq!(
            encrypted(&validated).await,
            "TRUE",
            "validated against the kit's CA"
        );
    } else {
        println!("note: {ca} not found; CA validation not exercised");
    }
    // Without any trust setting the self-signed chain is rejected, and the
    // error names the server without the password.
    let cfg = MssqlConfig::from_ado(&no_trust).unwrap();
    let err = connect(&cfg)
        .await
        .expect_err("untrusted certificate must be refused");
    let msg = err.to_string();
    assert!(msg.to_lowercase().contains("certificate"), "{msg}");
    assert!(!msg.contains(&password), "{msg}");
    assert!(!format!("{err:?}").contains(&password));
    assert!(!format!("{cfg:?}").contains(&password));
    assert!(!err.is_retryable(), "a rejected certificate is not retried");
    // A wrong password: the login error does not echo it either.
    let wrong = MssqlConfig::from_ado(&url.replace(&password, "Wrong-Secret-42")).unwrap();
    let err = connect(&wrong).await.expect_err("bad password");
    assert!(!err.to_string().contains("Wrong-Secret-42"), "{err}");
}
