//! TLS: `wss://` and `https://` against the embedded server with a self-signed certificate,
//! trusted either through a custom CA PEM or with verification turned off.

use std::time::Duration;

use taosync::options::TlsOptions;
use taosync::{ConnectOptions, ErrorKind};
use taosync_server::{Server, ServerConfig};

/// A self-signed certificate for localhost / 127.0.0.1 (EC P-256, 100 years), test only.
const CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUO7o2X23uSuCXHCi+R4/0ib9t2Z0wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMjAxNDcyM1oYDzIxMjYxMDI5
MDE0NzIzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATbNNzr65GSD4RL+0iDAq8AXbVnkLiEEANGAPjL+VcrjNsvJWOqmF3B
WgKhqnWbtXxZV0vqwSFvAMhLy+Mo16dUo28wbTAdBgNVHQ4EFgQUqj2Q6/OIhaTj
aN0XPWoXKtVbiD0wHwYDVR0jBBgwFoAUqj2Q6/OIhaTjaN0XPWoXKtVbiD0wGgYD
VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDSAAwRQIgdH6Zufl9DyqUNse35oXkYNIVKMoZCEyx0kaU8Su82wgCIQCx
LHEUJGt3qW1I17AW59muXQHdH+DdZmbBBph4OoD/Lw==
-----END CERTIFICATE-----
";

/// Its private key (PKCS#8), test only.
const KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdoFxVeXgUQ3ic3rV
IsMYcBBzcXTlrCeeD3LSQYVQhaihRANCAATbNNzr65GSD4RL+0iDAq8AXbVnkLiE
EANGAPjL+VcrjNsvJWOqmF3BWgKhqnWbtXxZV0vqwSFvAMhLy+Mo16dU
-----END PRIVATE KEY-----
";

#[test]
fn wss_and_https_with_a_custom_ca_or_without_verification() {
    let server = Server::start(
        ServerConfig::new()
            .tls_pem(CERT.as_bytes(), KEY.as_bytes())
            .unwrap(),
    )
    .unwrap();
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
        assert_eq!(conn.query("select server_version()").unwrap().count(), 1);
    }
}

#[test]
fn a_plain_client_against_a_tls_port_fails_cleanly() {
    let server = Server::start(
        ServerConfig::new()
            .tls_pem(CERT.as_bytes(), KEY.as_bytes())
            .unwrap(),
    )
    .unwrap();
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
