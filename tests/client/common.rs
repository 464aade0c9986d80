//! What several modules of the suite share: the test certificate and a TLS server built on
//! it, and unique database names.

use std::sync::atomic::{AtomicU32, Ordering};

use taosync_server::{Server, ServerConfig, ServerHandle};

/// A self-signed certificate for localhost / 127.0.0.1 (EC P-256, 100 years), test only.
pub const CERT: &str = "\
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
pub const KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdoFxVeXgUQ3ic3rV
IsMYcBBzcXTlrCeeD3LSQYVQhaihRANCAATbNNzr65GSD4RL+0iDAq8AXbVnkLiE
EANGAPjL+VcrjNsvJWOqmF3BWgKhqnWbtXxZV0vqwSFvAMhLy+Mo16dU
-----END PRIVATE KEY-----
";

/// An embedded server speaking only TLS (`wss://`, `https://`) with [`CERT`].
pub fn tls_server() -> ServerHandle {
    Server::start(
        ServerConfig::new()
            .tls_pem(CERT.as_bytes(), KEY.as_bytes())
            .unwrap(),
    )
    .unwrap()
}

/// A database name no other case of this run uses: `{prefix}_{case}_{transport}_{pid}_{n}`,
/// with `-` in `transport` spelled `_`.
pub fn unique_db(prefix: &str, case: &str, transport: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}_{case}_{}_{}_{}",
        transport.replace('-', "_"),
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
