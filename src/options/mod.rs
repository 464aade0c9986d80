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
//!   | `timezone` (alias `tz`) | zone of the connection: an IANA name (`Asia/Shanghai`, `UTC`) from the system's zoneinfo, see [`Zone`] | server's |
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
//!   `compression`: with the cargo feature `gzip`, REST requests offer gzip and ureq
//!   decodes gzipped replies transparently (without it, replies come uncompressed); over
//!   WebSocket, permessage-deflate is not available in the tungstenite version used, so
//!   the flag is recorded and ignored (with a debug log).
//!
//!   **Unknown parameters are accepted and ignored** with a `log::warn!` line, so DSNs written
//!   for the official connectors (which know more parameters) still work; they are kept and
//!   listed by [`ConnectOptions::extra_params`].
//!
//! Anything malformed is an [`Interface`](crate::ErrorKind::Interface) error with code
//! [`Code::CLIENT_DSN_ERROR`](crate::Code::CLIENT_DSN_ERROR) whose message names the part that is wrong.
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

// Split by job: this file holds the options and their builder, `dsn` the DSN parser and
// printer, `tls` the TLS settings, `percent` the percent coding of DSN and URL parts.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::error::{Error, Result};

mod dsn;
mod percent;
mod tls;

pub(crate) use dsn::{apply_params, parse_timeout};
pub(crate) use percent::percent_encode;
pub use tls::TlsOptions;

use dsn::{parse_dsn, parse_tz};

use crate::tz::Zone;

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
#[non_exhaustive]
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

    /// Sets the connection time zone (an IANA name, resolved as [`Zone::from_name`] does).
    /// Unknown names are reported by [`connect`](Self::connect).
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

    /// The time zone, when one is configured.
    pub(crate) fn parsed_timezone(&self) -> Result<Option<Zone>> {
        match &self.timezone {
            None => Ok(None),
            Some(name) => parse_tz(name).map(Some),
        }
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
