//! The embedded, in-memory, taosAdapter-compatible server.
//!
//! [`Server::start`] binds `127.0.0.1` and serves, on one port, what taosAdapter serves on
//! 6041: REST (`POST /rest/sql`, `/rest/sql/{db}`, `GET /rest/login/{user}/{password}`),
//! WebSocket (`/ws`, legacy `/rest/ws`) and schemaless ingestion (the `/ws` action
//! `insert`, legacy `/rest/schemaless`, `POST /influxdb/v1/write`,
//! `/opentsdb/v1/put/{json,telnet}/{db}`) and TMQ (`/rest/tmq`), over plain TCP or
//! TLS. Data lives in memory in the crate's engine and disappears with the server. One thread
//! accepts connections and each connection gets a thread of its own; dropping the
//! [`ServerHandle`] stops everything.
//!
//! ```
//! use taosync_server::{Server, ServerConfig};
//! let server = Server::start(ServerConfig::new()).unwrap();
//! assert!(server.dsn_ws().starts_with("ws://root:taosdata@127.0.0.1:"));
//! drop(server); // stops accepting, closes every connection, joins the threads
//! ```

mod engine;
mod sml;
mod tmq;

mod backend;
mod binding;
mod faults;
mod net;
mod redact;
pub mod testing;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono_tz::Tz;

use taosync_proto::error::{Error, ErrorKind, Result};

pub use faults::FaultInjector;

use backend::Backend;

use net::Shared;
use net::conn::{handle_connection, refuse};
use net::http::BodyBudget;

/// The server's default time zone, found the way taosd finds the machine's zone: `TZ` if
/// set (an IANA name, optionally prefixed with `:`, or a path into a `zoneinfo` tree),
/// else the zone `/etc/localtime` links to, else the name in `/etc/timezone`, else UTC.
fn local_timezone() -> Tz {
    let tz_env = std::env::var("TZ").ok();
    let link = std::fs::read_link("/etc/localtime")
        .ok()
        .map(|p| p.to_string_lossy().into_owned());
    let file = std::fs::read_to_string("/etc/timezone").ok();
    zone_from(tz_env.as_deref(), link.as_deref(), file.as_deref())
}

/// The zone named by the first of `TZ`, the `/etc/localtime` link target and the contents
/// of `/etc/timezone` that names one; UTC when none does.
fn zone_from(
    tz_env: Option<&str>,
    localtime_link: Option<&str>,
    timezone_file: Option<&str>,
) -> Tz {
    let parse = |text: &str| -> Option<Tz> {
        let text = text.trim().trim_start_matches(':');
        let name = match text.rfind("zoneinfo/") {
            Some(at) => &text[at + "zoneinfo/".len()..],
            None => text,
        };
        name.parse::<Tz>().ok()
    };
    if let Some(tz) = tz_env.filter(|t| !t.trim().is_empty()) {
        // glibc reads a TZ it cannot resolve as UTC, and so does taosd.
        return parse(tz).unwrap_or(Tz::UTC);
    }
    localtime_link
        .and_then(parse)
        .or_else(|| timezone_file.and_then(parse))
        .unwrap_or(Tz::UTC)
}

/// Configuration of an embedded server (a by-value builder).
///
/// ```
/// use std::time::Duration;
/// use taosync_server::ServerConfig;
/// let config = ServerConfig::new()
///     .port(0)
///     .version("3.3.1.0")
///     .timezone(chrono_tz::Tz::UTC)
///     .user("reader", "secret")
///     .ws_ping_interval(Duration::from_secs(1));
/// assert_eq!(config.reported_version(), "3.3.1.0");
/// ```
#[derive(Clone)]
pub struct ServerConfig {
    port: u16,
    users: Vec<(String, String)>,
    version: String,
    timezone: Tz,
    tls: Option<native_tls::TlsAcceptor>,
    faults: FaultInjector,
    ws_ping_interval: Duration,
    ws_read_deadline: Duration,
    io_timeout: Duration,
    handshake_timeout: Duration,
    block_rows: usize,
    max_body: usize,
    body_budget: usize,
    max_connections: usize,
    http_code_server_error: bool,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("port", &self.port)
            .field(
                "users",
                &self
                    .users
                    .iter()
                    .map(|(u, _)| u.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("version", &self.version)
            .field("timezone", &self.timezone)
            .field("tls", &self.tls.is_some())
            .field("faults", &self.faults)
            .field("ws_ping_interval", &self.ws_ping_interval)
            .field("ws_read_deadline", &self.ws_read_deadline)
            .field("io_timeout", &self.io_timeout)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("block_rows", &self.block_rows)
            .field("max_body", &self.max_body)
            .field("body_budget", &self.body_budget)
            .field("max_connections", &self.max_connections)
            .field("http_code_server_error", &self.http_code_server_error)
            .finish_non_exhaustive()
    }
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig::new()
    }
}

impl ServerConfig {
    /// Defaults: a free port, user `root`/`taosdata`, version `3.3.6.0`, the process time
    /// zone as taosd finds it (`TZ`, else `/etc/localtime`, else UTC), plain TCP, no
    /// faults, pings every 54 s, a 114 s idle read deadline, 60 s socket timeouts, a 10 s
    /// handshake timeout, blocks of 4096 rows, request bodies up to 64 MiB and 256 MiB of
    /// them buffered at once, at most 1024 simultaneous connections.
    pub fn new() -> ServerConfig {
        ServerConfig {
            port: 0,
            users: vec![("root".to_owned(), "taosdata".to_owned())],
            version: "3.3.6.0".to_owned(),
            timezone: local_timezone(),
            tls: None,
            faults: FaultInjector::new(),
            ws_ping_interval: Duration::from_secs(54),
            ws_read_deadline: Duration::from_secs(114),
            io_timeout: Duration::from_secs(60),
            handshake_timeout: Duration::from_secs(10),
            block_rows: 4096,
            max_body: 64 << 20,
            body_budget: 256 << 20,
            max_connections: 1024,
            http_code_server_error: false,
        }
    }

    /// The port to bind on 127.0.0.1; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> ServerConfig {
        self.port = port;
        self
    }

    /// Adds a user (or changes the password of an existing one).
    pub fn user(mut self, name: impl Into<String>, password: impl Into<String>) -> ServerConfig {
        let (name, password) = (name.into(), password.into());
        match self.users.iter_mut().find(|(u, _)| *u == name) {
            Some(entry) => entry.1 = password,
            None => self.users.push((name, password)),
        }
        self
    }

    /// The version reported by WS `version`/`conn` and `select server_version()`.
    /// `3.3.1.0` drives the official clients into JSON fetch mode; `3.3.6.0` (default)
    /// into binary mode.
    pub fn version(mut self, version: impl Into<String>) -> ServerConfig {
        self.version = version.into();
        self
    }

    /// The server time zone: how time literals without an offset are read on connections
    /// that set no zone of their own.
    pub fn timezone(mut self, tz: Tz) -> ServerConfig {
        self.timezone = tz;
        self
    }

    /// Serves `https://` and `wss://` with this TLS acceptor.
    pub fn tls_acceptor(mut self, acceptor: native_tls::TlsAcceptor) -> ServerConfig {
        self.tls = Some(acceptor);
        self
    }

    /// Serves TLS with a PKCS#12 (`.p12`/`.pfx`) identity.
    pub fn tls_pkcs12(self, der: &[u8], password: &str) -> Result<ServerConfig> {
        let identity = native_tls::Identity::from_pkcs12(der, password).map_err(tls_error)?;
        self.tls_identity(identity)
    }

    /// Serves TLS with a PEM certificate chain and a PEM PKCS#8 private key.
    pub fn tls_pem(self, cert_chain: &[u8], key: &[u8]) -> Result<ServerConfig> {
        let identity = native_tls::Identity::from_pkcs8(cert_chain, key).map_err(tls_error)?;
        self.tls_identity(identity)
    }

    fn tls_identity(self, identity: native_tls::Identity) -> Result<ServerConfig> {
        let acceptor = native_tls::TlsAcceptor::new(identity).map_err(tls_error)?;
        Ok(self.tls_acceptor(acceptor))
    }

    /// Faults to inject (tests only).
    pub fn faults(mut self, faults: FaultInjector) -> ServerConfig {
        self.faults = faults;
        self
    }

    /// How often the server pings idle WebSocket clients (taosAdapter: 54 s).
    pub fn ws_ping_interval(mut self, interval: Duration) -> ServerConfig {
        self.ws_ping_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// How long a WebSocket may go without data frames or pongs before the server drops
    /// it (taosAdapter: about 114 s).
    pub fn ws_read_deadline(mut self, deadline: Duration) -> ServerConfig {
        self.ws_read_deadline = deadline.max(Duration::from_millis(1));
        self
    }

    /// Socket write timeout, HTTP keep-alive idle timeout (a connection silent that long
    /// between requests is closed) and how long a whole HTTP request, body included, may
    /// take once its first byte is in. The TLS handshake and request heads are bounded by
    /// [`handshake_timeout`](Self::handshake_timeout).
    pub fn io_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.io_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long a new connection has to finish its TLS handshake and send the complete
    /// head (request line and headers) of its first request, counted from the accept
    /// (default 10 s); also how long the head of any later request may take once its first
    /// byte is in. A connection that misses it is closed without a reply, so clients that
    /// connect and never speak give their [slot](Self::max_connections) back quickly.
    /// Bodies are bounded by [`io_timeout`](Self::io_timeout) instead. At least 1 ms.
    ///
    /// taosAdapter sets no such timeout; the embedded server is stricter so that a test
    /// leaking idle sockets cannot lock everyone out.
    ///
    /// ```
    /// use std::io::Read;
    /// use std::net::TcpStream;
    /// use std::time::{Duration, Instant};
    /// use taosync_server::{Server, ServerConfig};
    /// let server = Server::start(
    ///     ServerConfig::new().handshake_timeout(Duration::from_millis(100)),
    /// )
    /// .unwrap();
    /// let mut silent = TcpStream::connect(server.addr()).unwrap();
    /// silent.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    /// let started = Instant::now();
    /// // The server closes the connection that never sent a request: end of stream.
    /// assert_eq!(silent.read(&mut [0u8; 16]).unwrap(), 0);
    /// assert!(started.elapsed() < Duration::from_secs(2));
    /// ```
    pub fn handshake_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.handshake_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Most request-body bytes buffered at once across all connections (default 256 MiB),
    /// on top of the per-request [`max_body`](Self::max_body). A request whose body does
    /// not fit in what is left gets HTTP 503 with a taosAdapter-style JSON error
    /// (`{"code":65535,"desc":"server busy: ..."}`) and its body is not buffered: it is
    /// read past and dropped (the connection stays usable), or, when the client waits for
    /// `100 Continue`, never asked for (the connection is closed). A body gives its bytes
    /// back as soon as its request has been answered, whatever happened to it;
    /// [`ServerHandle::buffered_body_bytes`] shows what is held.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::net::TcpStream;
    /// use taosync_server::{Server, ServerConfig};
    /// let server = Server::start(ServerConfig::new().body_budget(16)).unwrap();
    /// let mut s = TcpStream::connect(server.addr()).unwrap();
    /// let sql = "select server_version()"; // 23 bytes, over the 16-byte budget
    /// write!(
    ///     s,
    ///     "POST /rest/sql HTTP/1.1\r\nAuthorization: Basic cm9vdDp0YW9zZGF0YQ==\r\n\
    ///      Connection: close\r\nContent-Length: {}\r\n\r\n{sql}",
    ///     sql.len()
    /// )
    /// .unwrap();
    /// let mut reply = String::new();
    /// s.read_to_string(&mut reply).unwrap();
    /// assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    /// assert!(reply.contains(r#""code":65535"#));
    /// assert_eq!(server.buffered_body_bytes(), 0);
    /// ```
    pub fn body_budget(mut self, bytes: usize) -> ServerConfig {
        self.body_budget = bytes;
        self
    }

    /// Rows per result block (WS fetches, REST streaming); at least 1.
    pub fn block_rows(mut self, rows: usize) -> ServerConfig {
        self.block_rows = rows.max(1);
        self
    }

    /// Largest HTTP request body accepted (larger ones get 400 `invalid content length`).
    /// All bodies being read at once share [`body_budget`](Self::body_budget).
    pub fn max_body(mut self, bytes: usize) -> ServerConfig {
        self.max_body = bytes;
        self
    }

    /// Most simultaneous connections (each has a thread); further ones are answered with
    /// HTTP 503 and closed. At least 1.
    pub fn max_connections(mut self, n: usize) -> ServerConfig {
        self.max_connections = n.max(1);
        self
    }

    /// taosAdapter's `httpCodeServerError` option: when true, REST engine errors get an
    /// HTTP error status (400 for syntax-like codes, 401 for user/auth codes, 502 for
    /// 0x000B, 500 otherwise, 01 §1.7) instead of the default 200.
    pub fn http_code_server_error(mut self, enabled: bool) -> ServerConfig {
        self.http_code_server_error = enabled;
        self
    }

    /// The configured version string.
    pub fn reported_version(&self) -> &str {
        &self.version
    }

    /// The configured users and passwords.
    pub fn users(&self) -> &[(String, String)] {
        &self.users
    }

    /// The configured server time zone.
    pub fn server_timezone(&self) -> Tz {
        self.timezone
    }
}

fn tls_error(e: native_tls::Error) -> Error {
    Error::new(ErrorKind::Interface, format!("invalid TLS identity: {e}")).with_source(e)
}

/// The shared state of a server with `config` over `backend`.
fn shared_state(config: ServerConfig, backend: Arc<dyn Backend>) -> Shared {
    Shared {
        backend,
        version: config.version,
        server_tz: config.timezone,
        ping_interval: config.ws_ping_interval,
        read_deadline: config.ws_read_deadline,
        io_timeout: config.io_timeout,
        handshake_timeout: config.handshake_timeout,
        block_rows: config.block_rows,
        max_body: config.max_body,
        body_budget: Arc::new(BodyBudget::new(config.body_budget)),
        max_connections: config.max_connections,
        http_code_server_error: config.http_code_server_error,
        faults: config.faults,
        tls: config.tls,
        stop: AtomicBool::new(false),
    }
}

/// Live connections, so that shutdown can close their sockets and join their threads.
#[derive(Default)]
struct Registry {
    next: AtomicU64,
    sockets: Mutex<HashMap<u64, TcpStream>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// The embedded server. See the [module docs](self).
#[derive(Debug)]
pub struct Server;

impl Server {
    /// Binds `127.0.0.1:port` and starts serving in background threads, with a fresh
    /// in-memory engine holding the configured users.
    pub fn start(config: ServerConfig) -> Result<ServerHandle> {
        let backend = binding::engine_backend(
            config.users(),
            config.reported_version(),
            config.server_timezone(),
        )?;
        start_with_backend(config, backend)
    }

    /// A DSN to run against: the value of the environment variable `var` when it is set
    /// (a real TDengine, say), else the WebSocket DSN of an embedded server started now
    /// with the default configuration, which the returned handle keeps running. How the
    /// examples, and tests that can also run on a real server, pick their target.
    ///
    /// ```
    /// use taosync_server::Server;
    /// let (dsn, server) = Server::from_env_or_start("TAOSYNC_DOC_NEVER_SET")?;
    /// assert!(server.is_some() && dsn.starts_with("ws://"));
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn from_env_or_start(var: &str) -> Result<(String, Option<ServerHandle>)> {
        match std::env::var(var) {
            Ok(dsn) => Ok((dsn, None)),
            Err(_) => {
                let server = Server::start(ServerConfig::new())?;
                Ok((server.dsn_ws(), Some(server)))
            }
        }
    }
}

/// The running server. Dropping it (or calling [`shutdown`](Self::shutdown)) stops
/// accepting, closes every connection and joins every thread.
pub struct ServerHandle {
    addr: SocketAddr,
    tls: bool,
    /// The first configured user, whom [`admin_execute`](Self::admin_execute) acts as.
    admin: String,
    shared: Arc<Shared>,
    registry: Arc<Registry>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl ServerHandle {
    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address (`127.0.0.1:port`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://root:taosdata@127.0.0.1:PORT` (`wss://` with TLS).
    pub fn dsn_ws(&self) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        format!("{scheme}://root:taosdata@{}", self.addr)
    }

    /// `http://root:taosdata@127.0.0.1:PORT` (`https://` with TLS).
    pub fn dsn_rest(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://root:taosdata@{}", self.addr)
    }

    /// The request-body bytes buffered right now across all connections (what
    /// [`ServerConfig::body_budget`] bounds); 0 once every request has been answered.
    ///
    /// ```
    /// use taosync_server::{Server, ServerConfig};
    /// let server = Server::start(ServerConfig::new()).unwrap();
    /// assert_eq!(server.buffered_body_bytes(), 0);
    /// ```
    pub fn buffered_body_bytes(&self) -> usize {
        self.shared.body_budget.used()
    }

    /// Runs one statement inside the engine, as the first configured user, without a
    /// client (the test fixture's database setup and teardown).
    pub(crate) fn admin_execute(&self, sql: &str) -> Result<()> {
        let mut session = self.shared.backend.open(&self.admin);
        session
            .execute(sql, 0)
            .map(|_| ())
            .map_err(|e| Error::from_server(i64::from(e.code), e.message, ErrorKind::Database))
    }

    /// Stops the server and waits for its threads (same as dropping the handle).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let _ = accept.join();
        let sockets: Vec<TcpStream> = self
            .registry
            .sockets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .map(|(_, s)| s)
            .collect();
        for s in sockets {
            let _ = s.shutdown(Shutdown::Both);
        }
        let threads: Vec<JoinHandle<()>> = std::mem::take(
            &mut *self
                .registry
                .threads
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for t in threads {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts a server over any backend (the real engine, or a stand-in in unit tests).
pub(crate) fn start_with_backend(
    config: ServerConfig,
    backend: Arc<dyn Backend>,
) -> Result<ServerHandle> {
    let listener = TcpListener::bind(("127.0.0.1", config.port)).map_err(|e| {
        Error::new(
            ErrorKind::Connection,
            format!("cannot bind 127.0.0.1:{}: {e}", config.port),
        )
        .with_source(e)
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::new(ErrorKind::Connection, format!("no local address: {e}")))?;
    let tls = config.tls.is_some();
    let admin = config
        .users()
        .first()
        .map_or_else(|| "root".to_owned(), |(user, _)| user.clone());
    let shared = Arc::new(shared_state(config, backend));
    let registry = Arc::new(Registry::default());
    let accept = {
        let shared = Arc::clone(&shared);
        let registry = Arc::clone(&registry);
        std::thread::Builder::new()
            .name(format!("taosync-server-accept-{}", addr.port()))
            .spawn(move || accept_loop(&listener, &shared, &registry))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("cannot spawn the accept thread: {e}"),
                )
            })?
    };
    Ok(ServerHandle {
        addr,
        tls,
        admin,
        shared,
        registry,
        accept: Some(accept),
    })
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, registry: &Arc<Registry>) {
    for conn in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                log::debug!("accept failed: {e}");
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let id = registry.next.fetch_add(1, Ordering::Relaxed);
        {
            let mut sockets = registry
                .sockets
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if sockets.len() >= shared.max_connections {
                drop(sockets);
                refuse(stream);
                continue;
            }
            if let Ok(clone) = stream.try_clone() {
                sockets.insert(id, clone);
            }
        }
        let thread_shared = Arc::clone(shared);
        let thread_registry = Arc::clone(registry);
        let spawned = std::thread::Builder::new()
            .name(format!("taosync-server-conn-{id}"))
            .spawn(move || {
                handle_connection(stream, &thread_shared);
                thread_registry
                    .sockets
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&id);
            });
        let mut threads = registry
            .threads
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        threads.retain(|t| !t.is_finished());
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(e) => {
                log::warn!("cannot spawn a connection thread: {e}");
                registry
                    .sockets
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&id);
            }
        }
    }
}
