//! TLS to the target, against a MariaDB that offers it with a test CA
//! (seekdb ships without a TLS wallet, so it cannot show this).

use std::path::Path;
use std::process::Command;

use sluice_engine::log::LogRecord;
use sluice_engine::pipeline::Sink;
use sluice_engine::testing::sample_transaction;
use sluice_oceanbase::{OceanBaseConfig, OceanBaseSink, TlsMode};
use sluice_testkit::MariaDb;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (scripts/install-test-deps.sh)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1 signed by it.
fn make_certs(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=sluice test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

#[tokio::test]
async fn tls_is_used_when_offered_and_verified_when_required() {
    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path());
    let p = |f: &str| certs.path().join(f).display().to_string();
    let server = MariaDb::start_with_args(&[
        &format!("--ssl-ca={}", p("ca.pem")),
        &format!("--ssl-cert={}", p("server.pem")),
        &format!("--ssl-key={}", p("server.key")),
    ]);
    let url = server.url_for("tls_target");
    {
        let mut c = mysql_async::Conn::from_url(server.url()).await.unwrap();
        use mysql_async::prelude::Queryable;
        c.query_drop("CREATE DATABASE tls_target; CREATE TABLE tls_target.`rows` (id BIGINT PRIMARY KEY, payload VARCHAR(100))")
            .await
            .unwrap();
    }

    let mut prefer = OceanBaseSink::connect(OceanBaseConfig::new(url.clone()))
        .await
        .unwrap();
    assert_eq!(
        prefer.encrypted(),
        Some(true),
        "Prefer must encrypt when offered"
    );

    let mut cfg = OceanBaseConfig::new(url.clone());
    cfg.tls = TlsMode::Require {
        ca_file: Some(certs.path().join("ca.pem")),
    };
    let mut verified = OceanBaseSink::connect(cfg)
        .await
        .expect("certificate verifies against the CA");
    assert_eq!(verified.encrypted(), Some(true));
    let rec = LogRecord {
        seq: 1,
        tx: sample_transaction(1, 3),
    };
    assert_eq!(verified.apply("tls", &[rec]).await.unwrap().seq, 1);
    assert_eq!(prefer.read_cursor("tls").await.unwrap().unwrap().seq, 1);

    // Without the CA the same certificate must be rejected, not accepted quietly.
    let mut cfg = OceanBaseConfig::new(url);
    cfg.tls = TlsMode::Require { ca_file: None };
    let err = OceanBaseSink::connect(cfg)
        .await
        .err()
        .expect("unknown issuer must fail");
    assert!(
        !err.is_retryable(),
        "a rejected certificate is not retried: {err}"
    );
}
