//! The state every connection thread of the network layer shares.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono_tz::Tz;

use super::http::BodyBudget;
use crate::backend::Backend;
use crate::faults::FaultInjector;

/// State shared by every connection thread.
pub(crate) struct Shared {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) version: String,
    pub(crate) server_tz: Tz,
    pub(crate) ping_interval: Duration,
    pub(crate) read_deadline: Duration,
    pub(crate) io_timeout: Duration,
    pub(crate) handshake_timeout: Duration,
    pub(crate) block_rows: usize,
    pub(crate) max_body: usize,
    pub(crate) body_budget: Arc<BodyBudget>,
    pub(crate) max_connections: usize,
    pub(crate) http_code_server_error: bool,
    pub(crate) faults: FaultInjector,
    pub(crate) tls: Option<native_tls::TlsAcceptor>,
    pub(crate) stop: AtomicBool,
}
