//! TLS: `wss://` and `https://` against the embedded server with a self-signed certificate,
//! trusted either through a custom CA PEM or with verification turned off.

use std::time::Duration;

use taosync::options::TlsOptions;
use taosync::{ConnectOptions, ErrorKind};

use crate::common::{CERT, tls_server};

#[test]
fn wss_and_https_with_a_custom_ca_or_without_verification() {
    let server = tls_server();
    for dsn in [server.dsn_ws(), server.dsn_rest()] {
        assert!(
            dsn.starts_with("wss://") || dsn.starts_with("https://"),
            "{dsn}"
        );
        let base = ConnectOptions::from_dsn(&dsn)
            .unwrap()
            .conn_retries(0)
            .timeout(Duration::from_secs(5));

        // Not trusted by default.
        let e = base.clone().connect().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{dsn}: {e:?}");

        // Trusted through the custom CA.
        let conn = base
            .clone()
            .tls(TlsOptions::new().add_root_certificate_pem(CERT))
            .connect()
            .unwrap_or_else(|e| panic!("{dsn}: {e}"));
        assert!(conn.server_version().unwrap().starts_with('3'));

        // Verification off (tests only).
        let conn = base
            .tls(TlsOptions::new().danger_accept_invalid_certs(true))
            .connect()
            .unwrap();
        assert_eq!(
            conn.query("select server_version()", ()).unwrap().count(),
            1
        );
    }
}

#[test]
fn a_plain_client_against_a_tls_port_fails_cleanly() {
    let server = tls_server();
    let dsn = format!(
        "ws://127.0.0.1:{}?conn_retries=0&conn_timeout=2s&read_timeout=2s",
        server.port()
    );
    let e = taosync::connect(dsn).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
}

#[test]
fn invalid_ca_pem_is_reported() {
    let e = ConnectOptions::new()
        .protocol(taosync::Protocol::Wss)
        .host("127.0.0.1")
        .port(1)
        .conn_retries(0)
        .tls(TlsOptions::new().add_root_certificate_pem("not a certificate"))
        .connect()
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Interface | ErrorKind::Connection),
        "{e:?}"
    );
}

/// Issue #14 item 5: each TLS option means the same on `wss://` and `https://`. Four server
/// certificates (signed by the test CA: good, expired, for another name; and a self-signed
/// one nobody trusts) against three settings (the CA trusted; plus accepting invalid host
/// names; plus accepting invalid certificates).
#[test]
fn tls_options_mean_the_same_on_wss_and_https() {
    const CA: &str = include_str!("certs/ca.pem");
    const LEAF_KEY: &str = include_str!("certs/leaf.key");
    let servers = [
        ("good", include_str!("certs/good.pem"), LEAF_KEY),
        ("expired", include_str!("certs/expired.pem"), LEAF_KEY),
        ("wrong name", include_str!("certs/wrongname.pem"), LEAF_KEY),
        ("untrusted", CERT, crate::common::KEY),
    ];
    // (setting, accept invalid host names, accept invalid certificates, which servers pass)
    let settings: [(&str, bool, bool, &[&str]); 3] = [
        ("the CA", false, false, &["good"]),
        (
            "the CA + any host name",
            true,
            false,
            &["good", "wrong name"],
        ),
        (
            "the CA + any certificate",
            false,
            true,
            &["good", "expired", "wrong name", "untrusted"],
        ),
    ];
    for (name, cert, key) in servers {
        let server = taosync_server::Server::start(
            taosync_server::ServerConfig::new()
                .tls_pem(cert.as_bytes(), key.as_bytes())
                .unwrap(),
        )
        .unwrap();
        for dsn in [server.dsn_ws(), server.dsn_rest()] {
            for (setting, any_host, any_cert, passes) in settings {
                let tls = TlsOptions::new()
                    .add_root_certificate_pem(CA)
                    .danger_accept_invalid_hostnames(any_host)
                    .danger_accept_invalid_certs(any_cert);
                let result = ConnectOptions::from_dsn(&dsn)
                    .unwrap()
                    .conn_retries(0)
                    .timeout(Duration::from_secs(5))
                    .tls(tls)
                    .connect();
                let what = format!("{dsn} with {setting} against the {name} certificate");
                if passes.contains(&name) {
                    let conn = result.unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(conn.query("select 1", ()).unwrap().count(), 1, "{what}");
                } else {
                    let e = result.err().unwrap_or_else(|| panic!("{what}: connected"));
                    assert_eq!(e.kind(), ErrorKind::Connection, "{what}: {e:?}");
                    assert_eq!(
                        e.code(),
                        Some(taosync::Code::CLIENT_TLS_ERROR),
                        "{what}: {e}"
                    );
                }
            }
        }
    }
}
