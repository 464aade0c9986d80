//! Connection options: a by-value builder and a DSN parser that produce the same
//! [`ConnectOptions`].
//!
//! # DSN syntax
//!
//! ```text
//! [<driver>[+<protocol>]://][[<user>:<password>@]<host>:<port>][,<host>:<port>...][/<database>][?<p1>=<v1>[&...]]
//! ```
//!
//! * **Scheme.** `ws`, `wss`, `http`, `https` select the transport directly. A driver name
//!   (`taos`, `taosws`, `taosrest`, `tdengine`) may come first, optionally followed by
//!   `+<protocol>`: `taos+ws://`, `taos+https://`, `taosws://` (WebSocket), `taosrest://`
//!   (REST over HTTP). A bare driver (`taos://`) and a DSN without any scheme mean WebSocket,
//!   the transport with sessions and binary fetch. `native` is not available in this crate.
//! * **Credentials** default to `root` / `taosdata`, each independently. Percent-encode
//!   reserved characters (`%40` for `@`, `%3A` for `:`, `%2F` for `/`, `%3F` for `?`);
//!   user, password and database are percent-decoded.
//! * **Hosts** default to `localhost:6041`; a missing port is 6041 for every protocol.
//!   Several comma-separated hosts are tried in order when connecting. IPv6 addresses go in
//!   brackets: `[::1]:6041`.
//! * **Database** is the path; it is optional.
//! * **Parameters** (names are case-sensitive, values percent-decoded):
//!
//!   | Parameter | Meaning | Default |
//!   |---|---|---|
//!   | `token` | TDengine Cloud token, sent as `?token=` on the URL | none |
//!   | `timezone` (alias `tz`) | IANA zone of the connection (`Asia/Shanghai`, `UTC`) | server's |
//!   | `conn_timeout` | TCP connect + handshake timeout | `10s` |
//!   | `read_timeout` | how long to wait for any reply (also the write timeout) | `300s` |
//!   | `keepalive` | WebSocket only: a connection idle this long is probed in the background so taosAdapter (which drops sockets idle for ~114 s) keeps it and its open results; `0` turns it off | `30s` |
//!   | `conn_retries` | extra attempts per host after the first one fails | `2` |
//!   | `retry_backoff_ms` | first pause between attempts, doubled each time | `200` |
//!   | `retry_backoff_max_ms` | the longest pause | `2000` |
//!   | `compression` | ask for compressed replies (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`); see below | `false` |
//!   | `app` | application name reported to the server | none |
//!   | `ip` | client IP reported to the server | none |
//!
//!   Durations are an integer with an optional unit: `500ms`, `5s`, `2m`, `1h`; a bare
//!   integer is **seconds**. `retry_backoff_ms` and `retry_backoff_max_ms` are bare
//!   milliseconds (a unit is accepted too).
//!
//!   `compression`: REST requests always offer gzip (ureq decodes it transparently), so
//!   the flag changes nothing there; over WebSocket, permessage-deflate is not available in
//!   the tungstenite version used, so the flag is recorded and ignored (with a debug log).
//!
//!   **Unknown parameters are accepted and ignored** with a `log::warn!` line, so DSNs written
//!   for the official connectors (which know more parameters) still work; they are kept and
//!   listed by [`ConnectOptions::extra_params`].
//!
//! Anything malformed is an [`Interface`](crate::ErrorKind::Interface) error with code
//! [`Code::CLIENT_DSN_ERROR`] whose message names the part that is wrong.
//!
//! ```
//! use std::time::Duration;
//! use taosync::options::{ConnectOptions, Protocol};
//!
//! let o = ConnectOptions::from_dsn(
//!     "taos+wss://admin:p%40ss@db1:6043,[::1]:6044/power?timezone=Asia/Shanghai&conn_timeout=5s",
//! )?;
//! assert_eq!(o.get_protocol(), Protocol::Wss);
//! assert_eq!(o.get_user(), "admin");
//! assert_eq!(o.get_password(), "p@ss");
//! assert_eq!(o.get_hosts()[0].to_string(), "db1:6043");
//! assert_eq!(o.get_hosts()[1].to_string(), "[::1]:6044");
//! assert_eq!(o.get_database(), Some("power"));
//! assert_eq!(o.get_timezone(), Some("Asia/Shanghai"));
//! assert_eq!(o.get_conn_timeout(), Duration::from_secs(5));
//! // Display and Debug never show secrets.
//! assert!(!o.to_string().contains("p@ss"));
//! assert!(!format!("{o:?}").contains("p@ss"));
//!
//! // Defaults.
//! let d = ConnectOptions::from_dsn("http://")?;
//! assert_eq!((d.get_protocol(), d.get_user(), d.get_password()), (Protocol::Http, "root", "taosdata"));
//! assert_eq!(d.get_hosts()[0].to_string(), "localhost:6041");
//!
//! // Errors say what is wrong.
//! let e = ConnectOptions::from_dsn("ws://localhost:99999").unwrap_err();
//! assert_eq!(e.kind(), taosync::ErrorKind::Interface);
//! assert_eq!(e.code(), Some(taosync::Code::CLIENT_DSN_ERROR));
//! assert!(e.message().contains("port"), "{e}");
//! # Ok::<(), taosync::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};

/// The default taosAdapter port.
pub const DEFAULT_PORT: u16 = 6041;
/// The default user.
pub const DEFAULT_USER: &str = "root";
/// The default password.
pub const DEFAULT_PASSWORD: &str = "taosdata";
/// The default connect (and handshake) timeout.
pub const DEFAULT_CONN_TIMEOUT: Duration = Duration::from_secs(10);
/// The default read timeout: how long a request may wait for its reply.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(300);
/// Default idle time after which a WebSocket connection is probed in the background: well
/// under taosAdapter's 54 s ping interval and ~114 s idle deadline (01 §2.1).
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(30);
/// The default number of extra connection attempts per host.
pub const DEFAULT_CONN_RETRIES: u32 = 2;
/// The default first backoff between connection attempts.
pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(200);
/// The default longest backoff between connection attempts.
pub const DEFAULT_RETRY_BACKOFF_MAX: Duration = Duration::from_millis(2000);

fn dsn_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Interface, message).with_code(Code::CLIENT_DSN_ERROR)
}

/// The wire protocol of a connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// WebSocket (`ws://`, taosAdapter `/ws`).
    #[default]
    Ws,
    /// WebSocket over TLS (`wss://`).
    Wss,
    /// REST over HTTP (`http://`, taosAdapter `/rest/sql`).
    Http,
    /// REST over HTTPS (`https://`).
    Https,
}

impl Protocol {
    /// True for `wss` and `https`.
    pub fn is_tls(self) -> bool {
        matches!(self, Protocol::Wss | Protocol::Https)
    }

    /// True for the WebSocket protocols.
    pub fn is_websocket(self) -> bool {
        matches!(self, Protocol::Ws | Protocol::Wss)
    }

    /// The URL scheme: `ws`, `wss`, `http` or `https`.
    pub fn scheme(self) -> &'static str {
        match self {
            Protocol::Ws => "ws",
            Protocol::Wss => "wss",
            Protocol::Http => "http",
            Protocol::Https => "https",
        }
    }

    fn parse(s: &str) -> Option<Protocol> {
        match s.to_ascii_lowercase().as_str() {
            "ws" => Some(Protocol::Ws),
            "wss" => Some(Protocol::Wss),
            "http" => Some(Protocol::Http),
            "https" => Some(Protocol::Https),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.scheme())
    }
}

/// One `host:port` address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostAddr {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl HostAddr {
    /// An address.
    pub fn new(host: impl Into<String>, port: u16) -> HostAddr {
        HostAddr {
            host: host.into(),
            port,
        }
    }

    /// The host as it goes into a URL: IPv6 addresses in brackets.
    pub fn url_host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }
}

impl fmt::Display for HostAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.url_host(), self.port)
    }
}

/// TLS settings for `wss://` and `https://`.
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

    /// Accept any server certificate, expired or self-signed. **For tests only**: it turns
    /// off the protection TLS gives against a man in the middle.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> TlsOptions {
        self.accept_invalid_certs = accept;
        self
    }

    /// Accept a valid certificate issued for another host name. **For tests only.**
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

/// Everything needed to open a [`Connection`](crate::Connection): built with the by-value
/// setters or parsed from a DSN (see the [module docs](self)).
///
/// ```
/// use std::time::Duration;
/// use taosync::options::{ConnectOptions, Protocol};
/// let built = ConnectOptions::new()
///     .protocol(Protocol::Http)
///     .host("db1")
///     .port(6042)
///     .user("u")
///     .password("secret")
///     .database("power")
///     .read_timeout(Duration::from_secs(30));
/// let parsed = ConnectOptions::from_dsn("http://u:secret@db1:6042/power?read_timeout=30").unwrap();
/// assert_eq!(built, parsed);
/// ```
#[derive(Clone, PartialEq)]
pub struct ConnectOptions {
    protocol: Protocol,
    hosts: Vec<HostAddr>,
    user: String,
    password: String,
    database: Option<String>,
    token: Option<String>,
    timezone: Option<String>,
    conn_timeout: Duration,
    read_timeout: Duration,
    keepalive: Duration,
    conn_retries: u32,
    retry_backoff: Duration,
    retry_backoff_max: Duration,
    compression: bool,
    app: Option<String>,
    ip: Option<String>,
    tls: TlsOptions,
    extra_params: Vec<(String, String)>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            protocol: Protocol::Ws,
            hosts: vec![HostAddr::new("localhost", DEFAULT_PORT)],
            user: DEFAULT_USER.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            database: None,
            token: None,
            timezone: None,
            conn_timeout: DEFAULT_CONN_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            keepalive: DEFAULT_KEEPALIVE,
            conn_retries: DEFAULT_CONN_RETRIES,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
            retry_backoff_max: DEFAULT_RETRY_BACKOFF_MAX,
            compression: false,
            app: None,
            ip: None,
            tls: TlsOptions::default(),
            extra_params: Vec::new(),
        }
    }
}

impl ConnectOptions {
    /// The defaults: `ws://root:taosdata@localhost:6041`, no database.
    pub fn new() -> ConnectOptions {
        ConnectOptions::default()
    }

    /// Parses a DSN (see the [module docs](self)).
    pub fn from_dsn(dsn: &str) -> Result<ConnectOptions> {
        parse_dsn(dsn)
    }

    /// Opens a connection with these options.
    pub fn connect(&self) -> Result<crate::connection::Connection> {
        crate::connection::Connection::open(self.clone())
    }

    // ---- by-value setters ----

    /// Sets the protocol.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Sets a single host, keeping the port of the first configured host.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        let port = self.hosts.first().map_or(DEFAULT_PORT, |h| h.port);
        self.hosts = vec![HostAddr::new(host, port)];
        self
    }

    /// Sets the port of every configured host.
    pub fn port(mut self, port: u16) -> Self {
        for h in &mut self.hosts {
            h.port = port;
        }
        self
    }

    /// Replaces the host list (tried in order when connecting). An empty list means
    /// `localhost:6041`.
    pub fn hosts(mut self, hosts: impl IntoIterator<Item = HostAddr>) -> Self {
        self.hosts = hosts.into_iter().collect();
        if self.hosts.is_empty() {
            self.hosts.push(HostAddr::new("localhost", DEFAULT_PORT));
        }
        self
    }

    /// Appends a host to try after the ones already configured.
    pub fn add_host(mut self, host: impl Into<String>, port: u16) -> Self {
        self.hosts.push(HostAddr::new(host, port));
        self
    }

    /// Sets the user.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// Sets the password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = password.into();
        self
    }

    /// Sets the default database.
    pub fn database(mut self, database: impl Into<String>) -> Self {
        let db = database.into();
        self.database = (!db.is_empty()).then_some(db);
        self
    }

    /// Sets the cloud token (sent as `?token=` on the URL).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets the connection time zone (an IANA name). Unknown names are reported by
    /// [`connect`](Self::connect).
    pub fn timezone(mut self, tz: impl Into<String>) -> Self {
        self.timezone = Some(tz.into());
        self
    }

    /// Sets the connect (TCP + handshake) timeout.
    pub fn conn_timeout(mut self, timeout: Duration) -> Self {
        self.conn_timeout = timeout;
        self
    }

    /// Sets the read (and write) timeout of every request.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets how long a WebSocket connection may sit idle before a background probe keeps it
    /// open (`Duration::ZERO` turns the probe off; the connection then reopens its socket on
    /// next use if taosAdapter dropped it, losing open results).
    pub fn keepalive(mut self, idle: Duration) -> Self {
        self.keepalive = idle;
        self
    }

    /// Sets both the connect and the read timeout.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.conn_timeout(timeout).read_timeout(timeout)
    }

    /// Sets how many extra attempts are made per host.
    pub fn conn_retries(mut self, retries: u32) -> Self {
        self.conn_retries = retries;
        self
    }

    /// Sets the first and the longest pause between connection attempts.
    pub fn retry_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.retry_backoff = first;
        self.retry_backoff_max = max;
        self
    }

    /// Turns compression on or off.
    pub fn compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }

    /// Sets the application name reported to the server.
    pub fn app(mut self, app: impl Into<String>) -> Self {
        self.app = Some(app.into());
        self
    }

    /// Sets the client IP reported to the server.
    pub fn ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }

    /// Sets the TLS options used by `wss://` and `https://`.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    // ---- getters (named `get_*` where a setter has the plain name) ----

    /// The protocol.
    pub fn get_protocol(&self) -> Protocol {
        self.protocol
    }

    /// The hosts, in the order they are tried.
    pub fn get_hosts(&self) -> &[HostAddr] {
        &self.hosts
    }

    /// The user.
    pub fn get_user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn get_password(&self) -> &str {
        &self.password
    }

    /// The default database.
    pub fn get_database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The cloud token.
    pub fn get_token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The connection time zone.
    pub fn get_timezone(&self) -> Option<&str> {
        self.timezone.as_deref()
    }

    /// The connect timeout.
    pub fn get_conn_timeout(&self) -> Duration {
        self.conn_timeout
    }

    /// The read timeout.
    pub fn get_read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// The idle time after which a WebSocket connection is probed (zero: never).
    pub fn get_keepalive(&self) -> Duration {
        self.keepalive
    }

    /// Extra attempts per host.
    pub fn get_conn_retries(&self) -> u32 {
        self.conn_retries
    }

    /// The first pause between connection attempts.
    pub fn get_retry_backoff(&self) -> Duration {
        self.retry_backoff
    }

    /// The longest pause between connection attempts.
    pub fn get_retry_backoff_max(&self) -> Duration {
        self.retry_backoff_max
    }

    /// Whether compression is offered.
    pub fn get_compression(&self) -> bool {
        self.compression
    }

    /// The application name.
    pub fn get_app(&self) -> Option<&str> {
        self.app.as_deref()
    }

    /// The client IP.
    pub fn get_ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }

    /// The TLS options.
    pub fn get_tls(&self) -> &TlsOptions {
        &self.tls
    }

    /// DSN parameters this crate does not know, kept in order as `(name, value)`.
    pub fn extra_params(&self) -> &[(String, String)] {
        &self.extra_params
    }

    /// The time zone as a chrono-tz zone, when one is configured.
    pub(crate) fn parsed_timezone(&self) -> Result<Option<chrono_tz::Tz>> {
        match &self.timezone {
            None => Ok(None),
            Some(name) => parse_tz(name).map(Some),
        }
    }
}

fn parse_tz(name: &str) -> Result<chrono_tz::Tz> {
    name.parse::<chrono_tz::Tz>().map_err(|_| {
        dsn_error(format!(
            "unknown time zone {name:?} (expected an IANA name such as Asia/Shanghai or UTC)"
        ))
    })
}

impl fmt::Display for ConnectOptions {
    /// The DSN, with the password and token replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:***@", self.protocol, percent_encode(&self.user))?;
        for (i, h) in self.hosts.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{h}")?;
        }
        if let Some(db) = &self.database {
            write!(f, "/{}", percent_encode(db))?;
        }
        let mut params: Vec<(String, String)> = Vec::new();
        if self.token.is_some() {
            params.push(("token".into(), "***".into()));
        }
        if let Some(tz) = &self.timezone {
            params.push(("timezone".into(), percent_encode(tz)));
        }
        if self.conn_timeout != DEFAULT_CONN_TIMEOUT {
            params.push(("conn_timeout".into(), fmt_duration(self.conn_timeout)));
        }
        if self.read_timeout != DEFAULT_READ_TIMEOUT {
            params.push(("read_timeout".into(), fmt_duration(self.read_timeout)));
        }
        if self.keepalive != DEFAULT_KEEPALIVE {
            params.push(("keepalive".into(), fmt_duration(self.keepalive)));
        }
        if self.conn_retries != DEFAULT_CONN_RETRIES {
            params.push(("conn_retries".into(), self.conn_retries.to_string()));
        }
        if self.retry_backoff != DEFAULT_RETRY_BACKOFF {
            params.push((
                "retry_backoff_ms".into(),
                self.retry_backoff.as_millis().to_string(),
            ));
        }
        if self.retry_backoff_max != DEFAULT_RETRY_BACKOFF_MAX {
            params.push((
                "retry_backoff_max_ms".into(),
                self.retry_backoff_max.as_millis().to_string(),
            ));
        }
        if self.compression {
            params.push(("compression".into(), "true".into()));
        }
        if let Some(app) = &self.app {
            params.push(("app".into(), percent_encode(app)));
        }
        if let Some(ip) = &self.ip {
            params.push(("ip".into(), percent_encode(ip)));
        }
        for (i, (k, v)) in params.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("protocol", &self.protocol)
            .field("hosts", &self.hosts)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("database", &self.database)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("timezone", &self.timezone)
            .field("conn_timeout", &self.conn_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("keepalive", &self.keepalive)
            .field("conn_retries", &self.conn_retries)
            .field("retry_backoff", &self.retry_backoff)
            .field("retry_backoff_max", &self.retry_backoff_max)
            .field("compression", &self.compression)
            .field("app", &self.app)
            .field("ip", &self.ip)
            .field("tls", &self.tls)
            .field("extra_params", &self.extra_params)
            .finish()
    }
}

impl FromStr for ConnectOptions {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_dsn(s)
    }
}

impl TryFrom<&str> for ConnectOptions {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        parse_dsn(s)
    }
}

impl TryFrom<&String> for ConnectOptions {
    type Error = Error;
    fn try_from(s: &String) -> Result<Self> {
        parse_dsn(s)
    }
}

/// Anything [`connect`](crate::connect) accepts: a DSN string or ready options.
pub trait IntoConnectOptions {
    /// The options.
    fn into_connect_options(self) -> Result<ConnectOptions>;
}

impl IntoConnectOptions for &str {
    fn into_connect_options(self) -> Result<ConnectOptions> {
        parse_dsn(self)
    }
}

impl IntoConnectOptions for &String {
    fn into_connect_options(self) -> Result<ConnectOptions> {
        parse_dsn(self)
    }
}

impl IntoConnectOptions for String {
    fn into_connect_options(self) -> Result<ConnectOptions> {
        parse_dsn(&self)
    }
}

impl IntoConnectOptions for ConnectOptions {
    fn into_connect_options(self) -> Result<ConnectOptions> {
        Ok(self)
    }
}

impl IntoConnectOptions for &ConnectOptions {
    fn into_connect_options(self) -> Result<ConnectOptions> {
        Ok(self.clone())
    }
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/// The longest DSN accepted; anything longer is certainly not a DSN.
const MAX_DSN_LEN: usize = 64 * 1024;

fn parse_dsn(dsn: &str) -> Result<ConnectOptions> {
    if dsn.len() > MAX_DSN_LEN {
        return Err(dsn_error(format!(
            "DSN is {} bytes long; at most {MAX_DSN_LEN} are accepted",
            dsn.len()
        )));
    }
    let dsn = dsn.trim();
    if dsn.chars().any(char::is_control) {
        return Err(dsn_error("DSN contains control characters"));
    }
    let mut o = ConnectOptions::default();

    // Scheme.
    let rest = match dsn.find("://") {
        Some(i) => {
            o.protocol = parse_scheme(&dsn[..i])?;
            &dsn[i + 3..]
        }
        None => dsn,
    };

    // Query parameters.
    let (rest, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    if rest.contains('#') {
        return Err(dsn_error(
            "DSN contains '#' (fragments are not allowed; percent-encode it as %23)",
        ));
    }

    // Credentials: everything before the last '@' (so an unencoded '/' in a password works).
    let (userinfo, rest) = match rest.rfind('@') {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    if let Some(ui) = userinfo {
        let (user, password) = match ui.find(':') {
            Some(i) => (&ui[..i], Some(&ui[i + 1..])),
            None => (ui, None),
        };
        let user = percent_decode(user, "user")?;
        if user.is_empty() {
            if password.is_some() {
                return Err(dsn_error("DSN has a password but an empty user name"));
            }
        } else {
            o.user = user;
        }
        if let Some(p) = password {
            o.password = percent_decode(p, "password")?;
        }
    }

    // Hosts and database.
    let (hosts, db) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    o.hosts = parse_hosts(hosts)?;
    if let Some(db) = db {
        let db = db.strip_suffix('/').unwrap_or(db);
        if db.contains('/') {
            return Err(dsn_error(format!(
                "database {db:?} in DSN contains '/' (the path must be a single database name)"
            )));
        }
        let db = percent_decode(db, "database")?;
        o.database = (!db.is_empty()).then_some(db);
    }

    if let Some(q) = query {
        parse_params(&mut o, q)?;
    }
    Ok(o)
}

fn parse_scheme(scheme: &str) -> Result<Protocol> {
    let lower = scheme.to_ascii_lowercase();
    let (driver, proto) = match lower.split_once('+') {
        Some((d, p)) => (d, Some(p)),
        None => (lower.as_str(), None),
    };
    if let (None, Some(p)) = (proto, Protocol::parse(driver)) {
        return Ok(p);
    }
    let default = match driver {
        "taos" | "tdengine" | "taosws" => Protocol::Ws,
        "taosrest" => Protocol::Http,
        "" => {
            return Err(dsn_error(format!(
                "empty driver name in DSN scheme {scheme:?}"
            )));
        }
        other => {
            return Err(dsn_error(format!(
                "unknown DSN scheme {other:?} (expected ws, wss, http, https, or taos[+<protocol>])"
            )));
        }
    };
    match proto {
        None => Ok(default),
        Some("native") => Err(dsn_error(
            "the native protocol (taos+native://) is not supported; use ws, wss, http or https",
        )),
        Some(p) => Protocol::parse(p).ok_or_else(|| {
            dsn_error(format!(
                "unknown protocol {p:?} in DSN scheme {scheme:?} (expected ws, wss, http or https)"
            ))
        }),
    }
}

fn parse_hosts(s: &str) -> Result<Vec<HostAddr>> {
    if s.is_empty() {
        return Ok(vec![HostAddr::new("localhost", DEFAULT_PORT)]);
    }
    s.split(',').map(parse_host).collect()
}

fn parse_host(s: &str) -> Result<HostAddr> {
    let (host, port) = if let Some(inner) = s.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or_else(|| dsn_error(format!("host {s:?}: '[' without a closing ']'")))?;
        let addr = &inner[..close];
        addr.parse::<std::net::Ipv6Addr>()
            .map_err(|_| dsn_error(format!("host {s:?}: {addr:?} is not an IPv6 address")))?;
        let after = &inner[close + 1..];
        let port =
            match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(|| {
                    dsn_error(format!("host {s:?}: expected ':<port>' after ']'"))
                })?),
            };
        (addr.to_owned(), port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => {
                if h.contains(':') {
                    return Err(dsn_error(format!(
                        "host {s:?}: write IPv6 addresses in brackets, e.g. [::1]:6041"
                    )));
                }
                (h.to_owned(), Some(p))
            }
            None => (s.to_owned(), None),
        }
    };
    let host = if host.is_empty() {
        if s.is_empty() {
            return Err(dsn_error(
                "empty host in the DSN's host list (check for a stray ',')",
            ));
        }
        "localhost".to_owned()
    } else {
        host
    };
    if !host.contains(':')
        && !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        return Err(dsn_error(format!(
            "host {host:?} contains characters not allowed in a host name"
        )));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(0) | Err(_) => {
                return Err(dsn_error(format!(
                    "port {p:?} of host {host:?} is not a port number (1-65535)"
                )));
            }
            Ok(n) => n,
        },
    };
    Ok(HostAddr { host, port })
}

fn parse_params(o: &mut ConnectOptions, q: &str) -> Result<()> {
    for pair in q.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k, "parameter name")?;
        let value = percent_decode(v, &format!("value of parameter {key:?}"))?;
        match key.as_str() {
            "token" => o.token = Some(value),
            "timezone" | "tz" => {
                parse_tz(&value)?;
                o.timezone = Some(value);
            }
            "conn_timeout" => o.conn_timeout = parse_duration(&key, &value, Unit::Seconds)?,
            "read_timeout" => o.read_timeout = parse_duration(&key, &value, Unit::Seconds)?,
            "keepalive" => o.keepalive = parse_duration(&key, &value, Unit::Seconds)?,
            "conn_retries" => {
                o.conn_retries = value.parse::<u32>().map_err(|_| {
                    dsn_error(format!(
                        "parameter conn_retries={value:?} is not a non-negative integer"
                    ))
                })?;
            }
            "retry_backoff_ms" => {
                o.retry_backoff = parse_duration(&key, &value, Unit::Millis)?;
            }
            "retry_backoff_max_ms" => {
                o.retry_backoff_max = parse_duration(&key, &value, Unit::Millis)?;
            }
            "compression" => o.compression = parse_bool(&key, &value)?,
            "app" => o.app = Some(value),
            "ip" => o.ip = Some(value),
            _ => {
                log::warn!("ignoring unknown DSN parameter {key:?}");
                o.extra_params.push((key, value));
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Unit {
    Seconds,
    Millis,
}

/// Parses a timeout as the DSN does: `500ms`, `5s`, `2m`, `1h`, or a bare integer of
/// seconds (an Interface error naming `key` otherwise).
pub(crate) fn parse_timeout(key: &str, value: &str) -> Result<Duration> {
    parse_duration(key, value, Unit::Seconds)
}

/// Parses `500ms`, `5s`, `2m`, `1h`, or a bare integer in `bare` units.
fn parse_duration(key: &str, value: &str, bare: Unit) -> Result<Duration> {
    let bad = || {
        dsn_error(format!(
            "parameter {key}={value:?} is not a duration (examples: 500ms, 5s, 2m, or a bare integer)"
        ))
    };
    let v = value.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    if num.is_empty() {
        return Err(bad());
    }
    let n: u64 = num.parse().map_err(|_| bad())?;
    let d = match (unit.trim(), bare) {
        ("", Unit::Seconds) | ("s", _) => Duration::from_secs(n),
        ("", Unit::Millis) | ("ms", _) => Duration::from_millis(n),
        ("us", _) => Duration::from_micros(n),
        ("m", _) => Duration::from_secs(n.checked_mul(60).ok_or_else(bad)?),
        ("h", _) => Duration::from_secs(n.checked_mul(3600).ok_or_else(bad)?),
        _ => return Err(bad()),
    };
    Ok(d)
}

fn parse_bool(key: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(dsn_error(format!(
            "parameter {key}={value:?} is not a boolean (true/false)"
        ))),
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Decodes `%XX` escapes; `what` names the DSN part for the error message.
fn percent_decode(s: &str, what: &str) -> Result<String> {
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    dsn_error(format!(
                        "{what} contains an invalid percent escape at byte {i}"
                    ))
                })?;
            out.push(byte);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| dsn_error(format!("{what} is not valid UTF-8 after percent-decoding")))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(dsn: &str) -> String {
        let e = ConnectOptions::from_dsn(dsn).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface);
        assert_eq!(e.code(), Some(Code::CLIENT_DSN_ERROR));
        e.message().to_owned()
    }

    #[test]
    fn schemes() {
        for (dsn, p) in [
            ("ws://h", Protocol::Ws),
            ("WSS://h", Protocol::Wss),
            ("http://h", Protocol::Http),
            ("https://h", Protocol::Https),
            ("taos://h", Protocol::Ws),
            ("taos+ws://h", Protocol::Ws),
            ("taos+wss://h", Protocol::Wss),
            ("taosws://h", Protocol::Ws),
            ("taosws+wss://h", Protocol::Wss),
            ("taos+http://h", Protocol::Http),
            ("taos+https://h", Protocol::Https),
            ("taosrest://h", Protocol::Http),
            ("h:6041", Protocol::Ws),
            ("", Protocol::Ws),
        ] {
            assert_eq!(ConnectOptions::from_dsn(dsn).unwrap().protocol, p, "{dsn}");
        }
        assert!(err("taos+native://h").contains("native"));
        assert!(err("mysql://h").contains("mysql"));
        assert!(err("taos+ftp://h").contains("ftp"));
    }

    #[test]
    fn full_dsn() {
        let o = ConnectOptions::from_dsn(
            "taos+ws://us%20er:pa%2Fss:w@h1:1,h2,[::1]:3,[fe80::1]/my%20db?token=t%26k&tz=UTC\
             &conn_timeout=500ms&read_timeout=7&conn_retries=4&retry_backoff_ms=10\
             &retry_backoff_max_ms=2s&compression=on&app=a&ip=1.2.3.4&future=x",
        )
        .unwrap();
        assert_eq!(o.user, "us er");
        assert_eq!(o.password, "pa/ss:w");
        assert_eq!(
            o.hosts,
            vec![
                HostAddr::new("h1", 1),
                HostAddr::new("h2", 6041),
                HostAddr::new("::1", 3),
                HostAddr::new("fe80::1", 6041)
            ]
        );
        assert_eq!(o.database.as_deref(), Some("my db"));
        assert_eq!(o.token.as_deref(), Some("t&k"));
        assert_eq!(o.timezone.as_deref(), Some("UTC"));
        assert_eq!(o.conn_timeout, Duration::from_millis(500));
        assert_eq!(o.read_timeout, Duration::from_secs(7));
        assert_eq!(o.conn_retries, 4);
        assert_eq!(o.retry_backoff, Duration::from_millis(10));
        assert_eq!(o.retry_backoff_max, Duration::from_secs(2));
        assert!(o.compression);
        assert_eq!(o.app.as_deref(), Some("a"));
        assert_eq!(o.ip.as_deref(), Some("1.2.3.4"));
        assert_eq!(o.extra_params, vec![("future".to_owned(), "x".to_owned())]);
        let shown = format!("{o} {o:?}");
        assert!(
            !shown.contains("pa/ss") && !shown.contains("pa%2Fss"),
            "{shown}"
        );
        assert!(
            !shown.contains("t&k") && !shown.contains("t%26k"),
            "{shown}"
        );
        // Display round-trips (minus the secrets).
        let again = ConnectOptions::from_dsn(&o.to_string()).unwrap();
        assert_eq!(again.hosts, o.hosts);
        assert_eq!(again.database, o.database);
        assert_eq!(again.conn_timeout, o.conn_timeout);
    }

    #[test]
    fn defaults_and_partial_credentials() {
        let o = ConnectOptions::from_dsn("ws://u@h/").unwrap();
        assert_eq!((o.user.as_str(), o.password.as_str()), ("u", "taosdata"));
        assert_eq!(o.database, None);
        let o = ConnectOptions::from_dsn("ws://:6042").unwrap();
        assert_eq!(o.hosts, vec![HostAddr::new("localhost", 6042)]);
        let o = ConnectOptions::from_dsn("ws://u:@h").unwrap();
        assert_eq!(o.password, "");
        assert_eq!(
            ConnectOptions::from_dsn("ws://").unwrap(),
            ConnectOptions::new()
        );
    }

    #[test]
    fn malformed() {
        assert!(err("ws://h:0").contains("port"));
        assert!(err("ws://h:abc").contains("port"));
        assert!(err("ws://h:1,,h2").contains("empty host"));
        assert!(err("ws://[::1").contains("]"));
        assert!(err("ws://[zz]:1").contains("IPv6"));
        assert!(err("ws://::1:6041").contains("brackets"));
        assert!(err("ws://h o:1").contains("host"));
        assert!(err("ws://h/a/b").contains("database"));
        assert!(err("ws://u:p%zz@h").contains("password"));
        assert!(err("ws://h?conn_timeout=abc").contains("conn_timeout"));
        assert!(err("ws://h?read_timeout=5x").contains("read_timeout"));
        assert!(err("ws://h?conn_retries=-1").contains("conn_retries"));
        assert!(err("ws://h?compression=maybe").contains("compression"));
        assert!(err("ws://h?timezone=Mars/Base").contains("time zone"));
        assert!(err("ws://:p@h").contains("user"));
        assert!(err("ws://h#frag").contains('#'));
    }

    #[test]
    fn builder_matches_dsn() {
        let b = ConnectOptions::new()
            .protocol(Protocol::Wss)
            .host("a")
            .port(7)
            .add_host("b", 8)
            .user("u")
            .password("p")
            .database("d")
            .token("t")
            .timezone("UTC")
            .timeout(Duration::from_secs(3))
            .conn_retries(0)
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
            .compression(true)
            .app("x")
            .ip("y");
        let d = ConnectOptions::from_dsn(
            "wss://u:p@a:7,b:8/d?token=t&timezone=UTC&conn_timeout=3s&read_timeout=3s\
             &conn_retries=0&retry_backoff_ms=1&retry_backoff_max_ms=5&compression=true&app=x&ip=y",
        )
        .unwrap();
        assert_eq!(b, d);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = ConnectOptions::from_dsn(&s);
        }

        #[test]
        fn never_panics_dsn_like(s in "(taos\\+)?(ws|http)s?://([a-z%:@]{0,8}@)?[a-z0-9\\[\\]:,.]{0,20}(/[a-z%]{0,5})?(\\?[a-z_=&%0-9]{0,30})?") {
            let _ = ConnectOptions::from_dsn(&s);
        }
    }
}
