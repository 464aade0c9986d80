//! TLS for REST with the very connector `wss://` uses.
//!
//! ureq's own TLS settings cannot relax only the host name check (its one switch turns off
//! all verification), and its root-certificate list replaces the platform's roots where
//! the WebSocket transport adds to them. So `https://` does not use them: the agent's
//! connector chain is ureq's TCP connector followed by [`SharedTls`], which runs the
//! handshake with the `native_tls::TlsConnector` built from the connection's
//! [`TlsOptions`](crate::options::TlsOptions) — the same one the WebSocket handshake uses,
//! so every option means exactly the same on both transports.

use std::fmt;
use std::io::{Read, Write};
use std::sync::Arc;

use native_tls::{HandshakeError, TlsConnector, TlsStream};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
    TransportAdapter,
};

/// The native-tls error inside an I/O error from [`SharedTls`], if that is what it is.
pub(crate) fn tls_failure(e: &std::io::Error) -> Option<&native_tls::Error> {
    e.get_ref()?.downcast_ref::<native_tls::Error>()
}

/// The second link of the REST agent's connector chain: TLS for `https` URLs.
pub(crate) struct SharedTls {
    connector: Arc<TlsConnector>,
}

impl SharedTls {
    pub(crate) fn new(connector: TlsConnector) -> SharedTls {
        SharedTls {
            connector: Arc::new(connector),
        }
    }
}

impl fmt::Debug for SharedTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedTls").finish_non_exhaustive()
    }
}

impl<In: Transport> Connector<In> for SharedTls {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .host()
            .ok_or_else(|| ureq::Error::BadUri(format!("{} has no host", details.uri)))?;
        // An IPv6 literal keeps its brackets in the URI, not in the TLS name.
        let domain = host.trim_start_matches('[').trim_end_matches(']');
        let mut adapter = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        adapter.set_timeout(details.timeout);
        let stream = self
            .connector
            .connect(domain, adapter)
            .map_err(|e| match e {
                // Carried as an I/O error (ureq is built without TLS features);
                // `tls_failure` recognises it.
                HandshakeError::Failure(e) => ureq::Error::Io(std::io::Error::other(e)),
                // The adapter blocks (with ureq's timeouts); it never reports WouldBlock.
                HandshakeError::WouldBlock(_) => ureq::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    "TLS handshake interrupted",
                )),
            })?;
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TlsTransport { buffers, stream })))
    }
}

/// An HTTP connection inside TLS.
pub(crate) struct TlsTransport {
    buffers: LazyBuffers,
    stream: TlsStream<TransportAdapter>,
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTransport").finish_non_exhaustive()
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let n = self.stream.read(input)?;
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}
