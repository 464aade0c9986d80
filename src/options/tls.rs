//! TLS settings for `wss://` and `https://`, and the native-tls connector built from them.

use std::fmt;
use std::sync::Arc;

use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};

/// TLS settings for `wss://` and `https://`. Both transports build the same native-tls
/// connector from them, so each setting means exactly the same on either (the test suite
/// checks every setting on both against a good, an expired, a wrong-name and an untrusted
/// certificate).
///
/// ```
/// use taosync::options::TlsOptions;
/// let tls = TlsOptions::new().danger_accept_invalid_certs(true);
/// assert!(tls.accepts_invalid_certs());
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    root_certs_pem: Vec<Arc<[u8]>>,
    accept_invalid_certs: bool,
    accept_invalid_hostnames: bool,
}

impl TlsOptions {
    /// The system's trust store, full verification.
    pub fn new() -> TlsOptions {
        TlsOptions::default()
    }

    /// Also trust the CA certificate(s) in `pem` (PEM text, one or more certificates).
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> TlsOptions {
        self.root_certs_pem.push(Arc::from(pem.as_ref()));
        self
    }

    /// Accept any server certificate, expired, self-signed or issued for another name.
    /// **For tests only**: it turns off the protection TLS gives against a man in the
    /// middle.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> TlsOptions {
        self.accept_invalid_certs = accept;
        self
    }

    /// Accept a certificate issued for another host name; it must still be trusted and
    /// current. **For tests only.**
    pub fn danger_accept_invalid_hostnames(mut self, accept: bool) -> TlsOptions {
        self.accept_invalid_hostnames = accept;
        self
    }

    /// The extra trusted CA certificates, as given.
    pub fn root_certificates_pem(&self) -> &[Arc<[u8]>] {
        &self.root_certs_pem
    }

    /// Whether invalid certificates are accepted.
    pub fn accepts_invalid_certs(&self) -> bool {
        self.accept_invalid_certs
    }

    /// Whether certificates for another host name are accepted.
    pub fn accepts_invalid_hostnames(&self) -> bool {
        self.accept_invalid_hostnames
    }

    /// A native-tls connector with these settings.
    pub(crate) fn native_connector(&self) -> Result<native_tls::TlsConnector> {
        let mut b = native_tls::TlsConnector::builder();
        for pem in &self.root_certs_pem {
            let cert = native_tls::Certificate::from_pem(pem).map_err(|e| {
                Error::new(ErrorKind::Interface, "invalid CA certificate PEM")
                    .with_code(Code::CLIENT_TLS_ERROR)
                    .with_source(e)
            })?;
            b.add_root_certificate(cert);
        }
        b.danger_accept_invalid_certs(self.accept_invalid_certs);
        b.danger_accept_invalid_hostnames(self.accept_invalid_hostnames);
        b.build().map_err(|e| {
            Error::new(ErrorKind::Connection, "cannot set up TLS")
                .with_code(Code::CLIENT_TLS_ERROR)
                .with_source(e)
        })
    }
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("root_certificates", &self.root_certs_pem.len())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field("accept_invalid_hostnames", &self.accept_invalid_hostnames)
            .finish()
    }
}
