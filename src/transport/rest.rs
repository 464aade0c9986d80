//! The REST transport: a ureq 3 agent (native-tls, `http_status_as_error(false)`, every
//! timeout set) posting SQL to `/rest/sql[/{db}]` (01 §1).
//!
//! Every request carries `Authorization: Basic` (taosAdapter requires it) and, when the DSN
//! has a `token`, also `?token=` (the TDengine Cloud convention; taosAdapter only uses it to
//! turn off Bearer parsing). `req_id`, `tz`/`conn_tz`, `app` and `ip` go in the query string.
//!
//! REST has no session: the current database is remembered here and sent in the URL path
//! of every request. A result set is streamed (`rest_stream.rs`): its `data` array is read
//! block by block while the body arrives, so memory stays around one block whatever the
//! result's size; error replies and other bodies are read whole (at most [`MAX_BODY`]
//! bytes).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

use super::rest_stream::{Opened, RestStream};
use super::rest_tls::SharedTls;
use super::{Outcome, ResultHandle, named_timeout_error, timeout_error};
use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::percent_encode;
use crate::options::{ConnectOptions, HostAddr};
use crate::row::{Column, Row};
use crate::value::Value;

/// The largest REST response body read (1 GiB).
pub const MAX_BODY: u64 = 1 << 30;

/// A REST "session": an agent, the base URL and the remembered database.
pub(crate) struct RestSession {
    agent: ureq::Agent,
    opts: Arc<ConnectOptions>,
    host: HostAddr,
    base: String,
    auth: String,
    db: Option<String>,
    version: Option<String>,
    /// True while `open` checks the server: the check's whole exchange is bounded by
    /// `conn_timeout` (a peer that accepts and never answers fails the connect in
    /// `conn_timeout`, not in `read_timeout`), and its timeout errors name it.
    checking: bool,
}

impl RestSession {
    /// Builds the agent and checks the server and the credentials with
    /// `select server_version()`.
    pub(crate) fn open(
        opts: &Arc<ConnectOptions>,
        host: &HostAddr,
        db: Option<&str>,
    ) -> Result<RestSession> {
        let mut s = RestSession::unchecked(opts, host, db)?;
        s.checking = true;
        let version = s.fetch_version(0);
        s.checking = false;
        let version = version.map_err(|e| super::connect_error(&host.to_string(), db, e))?;
        s.version = Some(version);
        Ok(s)
    }

    /// The session without any request sent.
    fn unchecked(
        opts: &Arc<ConnectOptions>,
        host: &HostAddr,
        db: Option<&str>,
    ) -> Result<RestSession> {
        let agent = build_agent(opts)?;
        let scheme = if opts.get_protocol().is_tls() {
            "https"
        } else {
            "http"
        };
        let base = format!("{scheme}://{}:{}/rest/sql", host.url_host(), host.port);
        let credentials = format!("{}:{}", opts.get_user(), opts.get_password());
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        );
        Ok(RestSession {
            agent,
            opts: Arc::clone(opts),
            host: host.clone(),
            base,
            auth,
            db: db.map(str::to_owned),
            version: None,
            checking: false,
        })
    }

    pub(crate) fn host(&self) -> &HostAddr {
        &self.host
    }

    pub(crate) fn current_db(&self) -> Option<&str> {
        self.db.as_deref()
    }

    pub(crate) fn set_current_db(&mut self, db: Option<String>) {
        self.db = db;
    }

    /// The server version (`select server_version()`, cached).
    pub(crate) fn server_version(&mut self, req_id: u64) -> Result<String> {
        if let Some(v) = &self.version {
            return Ok(v.clone());
        }
        let v = self.fetch_version(req_id)?;
        self.version = Some(v.clone());
        Ok(v)
    }

    /// The server's version, by `select server_version(), database()`. taosAdapter runs
    /// ``use `{db}` `` before a `/rest/sql/{db}` request and ignores its error (so that
    /// `create database` works there), so a database the DSN names but the server lacks
    /// shows only as a NULL `database()`: that is reported as the server reports it over
    /// WebSocket, `0x0388` "Database not exist".
    fn fetch_version(&mut self, req_id: u64) -> Result<String> {
        let sql = "select server_version(), database()";
        let Outcome::Rows { rows, .. } = self.query(sql, req_id)? else {
            return Err(Error::result(format!("`{sql}` returned no result set")));
        };
        let row = rows.front();
        let value = |i: usize| row.and_then(|r| r.values().get(i)).and_then(Value::as_str);
        let version = value(0)
            .map(str::to_owned)
            .ok_or_else(|| Error::result(format!("`{sql}` returned no version")))?;
        if let Some(db) = &self.db
            && !value(1).is_some_and(|current| current.eq_ignore_ascii_case(db))
        {
            let code = Code::MND_DB_NOT_EXIST;
            let message = code.default_message().unwrap_or("Database not exist");
            return Err(Error::from_server(
                i64::from(code.value()),
                message,
                ErrorKind::Programming,
            ));
        }
        Ok(version)
    }

    fn url(&self, req_id: u64) -> String {
        let mut url = self.base.clone();
        if let Some(db) = &self.db {
            url.push('/');
            url.push_str(&percent_encode(db));
        }
        let mut params: Vec<(&str, String)> = Vec::new();
        if req_id != 0 {
            params.push(("req_id", (req_id & (i64::MAX as u64)).to_string()));
        }
        if let Some(tz) = self.opts.get_timezone() {
            params.push(("tz", percent_encode(tz)));
            params.push(("conn_tz", percent_encode(tz)));
        }
        if let Some(token) = self.opts.get_token() {
            params.push(("token", percent_encode(token)));
        }
        if let Some(app) = self.opts.get_app() {
            params.push(("app", percent_encode(app)));
        }
        if let Some(ip) = self.opts.get_ip() {
            params.push(("ip", percent_encode(ip)));
        }
        for (i, (k, v)) in params.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.push_str(v);
        }
        url
    }

    /// Posts one statement and returns the HTTP status and body.
    /// `select server_version()` with the whole exchange bounded by `timeout`.
    pub(crate) fn ping(&self, timeout: Duration) -> Result<()> {
        let response = self
            .agent
            .post(self.url(0))
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Authorization", &self.auth)
            .content_type("text/plain; charset=utf-8")
            .send("select server_version()".as_bytes());
        let mut response = response.map_err(|e| self.ping_error(e, timeout))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(|e| self.ping_error(e, timeout))?;
        decode(status, &body).map(|_| ())
    }

    fn ping_error(&self, e: ureq::Error, timeout: Duration) -> Error {
        match e {
            ureq::Error::Timeout(t) => {
                timeout_error(&format!("REST {} ping ({t})", self.host), timeout)
            }
            other => self.ureq_error(other),
        }
    }

    fn post(&self, sql: &str, req_id: u64) -> Result<(u16, Vec<u8>)> {
        let mut response = self.send_sql(sql, req_id)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| self.ureq_error(e))?;
        Ok((status, body))
    }

    /// Posts `sql`, returning the response with its body unread.
    fn send_sql(&self, sql: &str, req_id: u64) -> Result<ureq::http::Response<ureq::Body>> {
        let url = self.url(req_id);
        log::debug!(
            "rest query req_id={req_id} {} ({} bytes of SQL)",
            self.base,
            sql.len()
        );
        let mut request = self.agent.post(&url);
        if self.checking {
            request = request
                .config()
                .timeout_global(Some(
                    self.opts.get_conn_timeout().max(Duration::from_millis(1)),
                ))
                .build();
        }
        let response = request
            .header("Authorization", &self.auth)
            .content_type("text/plain; charset=utf-8")
            .send(sql.as_bytes());
        response.map_err(|e| self.ureq_error(e))
    }

    /// Posts `body` to another HTTP endpoint of the adapter (`path`, e.g.
    /// `/influxdb/v1/write`) with this session's agent (TLS, timeouts), `Authorization`
    /// and `token`/`app`; `query` values are percent-encoded here. Returns the status and
    /// at most 1 MiB of the body (these endpoints answer with short JSON or nothing).
    pub(crate) fn post_endpoint(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &[u8],
    ) -> Result<(u16, Vec<u8>)> {
        let origin = self.base.strip_suffix("/rest/sql").unwrap_or(&self.base);
        let mut url = format!("{origin}{path}");
        let extra = [
            ("token", self.opts.get_token()),
            ("app", self.opts.get_app()),
        ];
        let pairs = query
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(extra.iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
        for (i, (k, v)) in pairs.enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.push_str(&percent_encode(v));
        }
        log::debug!("rest POST {origin}{path} ({} bytes)", body.len());
        let response = self
            .agent
            .post(&url)
            .header("Authorization", &self.auth)
            .content_type("text/plain; charset=utf-8")
            .send(body);
        let mut response = response.map_err(|e| self.ureq_error(e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(|e| self.ureq_error(e))?;
        Ok((status, body))
    }

    /// Posts one statement and decodes the reply. A result set is streamed: the first
    /// block of rows is decoded now, the rest as they are fetched
    /// ([`next_rows`]), so memory stays around one block whatever the result's size.
    pub(crate) fn query(&mut self, sql: &str, req_id: u64) -> Result<Outcome> {
        let mut response = self.send_sql(sql, req_id)?;
        let status = response.status().as_u16();
        if status != 200 {
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| self.ureq_error(e))?;
            return decode(status, &body);
        }
        let reader =
            std::io::BufReader::with_capacity(64 * 1024, response.into_body().into_reader());
        match RestStream::open(reader)? {
            Opened::Whole(body) => decode(status, &body),
            Opened::Streaming(first, stream) => {
                let mut outcome = decode(status, &first)?;
                if let Outcome::Rows { result, .. } = &mut outcome
                    && !stream.is_done()
                {
                    result.rest = Some(Box::new(stream));
                }
                Ok(outcome)
            }
        }
    }

    fn ureq_error(&self, e: ureq::Error) -> Error {
        let host = &self.host;
        let (limit, option) = if self.checking {
            (self.opts.get_conn_timeout(), "conn_timeout")
        } else {
            (self.opts.get_read_timeout(), "read_timeout")
        };
        match e {
            ureq::Error::Timeout(t) => {
                named_timeout_error(&format!("REST {host} ({t})"), limit, option)
            }
            ureq::Error::Io(io) if super::rest_tls::tls_failure(&io).is_some() => Error::new(
                ErrorKind::Connection,
                format!("REST {host}: TLS failed: {io}"),
            )
            .with_code(Code::CLIENT_TLS_ERROR)
            .with_source(io),
            ureq::Error::Io(io) if super::is_timeout(&io) => {
                named_timeout_error(&format!("REST {host}"), limit, option).with_source(io)
            }
            ureq::Error::Io(io) if super::is_hangup(&io) => Error::new(
                ErrorKind::Connection,
                format!("REST {host}: the server closed the connection mid-reply: {io}"),
            )
            .with_code(Code::CLIENT_CONNECTION_CLOSED)
            .with_source(io),
            ureq::Error::BodyExceedsLimit(n) => Error::new(
                ErrorKind::Operational,
                format!(
                    "REST {host}: response body exceeds {n} bytes; use WebSocket to stream large results"
                ),
            ),
            ureq::Error::Tls(_) => Error::new(
                ErrorKind::Connection,
                format!("REST {host}: TLS failed: {e}"),
            )
            .with_code(Code::CLIENT_TLS_ERROR)
            .with_source(e),
            other => Error::new(ErrorKind::Connection, format!("REST {host}: {other}"))
                .with_code(Code::CLIENT_IO_ERROR)
                .with_source(other),
        }
    }
}

/// The REST agent: ureq with this connection's timeouts; for `https`, TLS through
/// [`SharedTls`], i.e. with the connector `wss://` uses (see `rest_tls`).
fn build_agent(opts: &ConnectOptions) -> Result<ureq::Agent> {
    use ureq::unversioned::resolver::DefaultResolver;
    use ureq::unversioned::transport::{Connector, TcpConnector};
    let read = Some(opts.get_read_timeout().max(Duration::from_millis(1)));
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(opts.get_conn_timeout().max(Duration::from_millis(1))))
        .timeout_send_request(read)
        .timeout_send_body(read)
        .timeout_recv_response(read)
        .timeout_recv_body(read)
        .max_redirects(0)
        .user_agent(concat!("taosync/", env!("CARGO_PKG_VERSION")))
        .build();
    if !opts.get_protocol().is_tls() {
        return Ok(config.into());
    }
    let tls = SharedTls::new(opts.get_tls().native_connector()?);
    let connector = TcpConnector::default().chain(tls);
    Ok(ureq::Agent::with_parts(
        config,
        connector,
        DefaultResolver::default(),
    ))
}

/// A REST error reply: the code's class from the table, else what the HTTP status says
/// (401: the credentials, a `ConnectionError`; a 5xx: `OperationalError`; else a plain
/// `DatabaseError`, which the caller puts in its context).
fn rest_error(status: u16, code: Code, desc: String) -> Error {
    let context = match status {
        401 | 403 => ErrorKind::Connection,
        500..=599 => ErrorKind::Operational,
        _ => ErrorKind::Database,
    };
    Error::from_server(i64::from(code.value()), desc, context)
}

/// A REST result's body being read block by block.
pub(crate) type BodyStream = RestStream<std::io::BufReader<ureq::BodyReader<'static>>>;

/// The next block of a streamed REST result as rows of `columns`, `None` at the end.
pub(crate) fn next_rows(
    stream: &mut BodyStream,
    columns: &Arc<[Column]>,
    precision: crate::Precision,
) -> Result<Option<Vec<Row>>> {
    use crate::proto::rest::{RestResponse, decode_response};
    let Some(body) = stream.next_body()? else {
        return Ok(None);
    };
    match decode_response(&body)? {
        RestResponse::ResultSet(set) => set
            .rows
            .into_iter()
            .map(|values| {
                let values = values
                    .into_iter()
                    .map(|v| match v {
                        // A block's precision is inferred from its own first timestamp;
                        // the result's (from the first block) applies to every block.
                        crate::Value::Timestamp(ts) => {
                            crate::Value::Timestamp(ts.to_precision(precision))
                        }
                        v => v,
                    })
                    .collect();
                Row::new(Arc::clone(columns), values)
            })
            .collect::<Result<Vec<Row>>>()
            .map(Some),
        _ => Err(Error::result(
            "a later block of a REST result is not a block of rows",
        )),
    }
}

/// Turns a REST reply (status + body) into an outcome or an error of the right kind.
fn decode(status: u16, body: &[u8]) -> Result<Outcome> {
    use crate::proto::rest::{RestResponse, decode_response};
    let parsed = decode_response(body);
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let kind = match status {
                200 => e.kind(),
                401 | 403 => ErrorKind::Connection,
                400..=499 => ErrorKind::Programming,
                _ => ErrorKind::Operational,
            };
            let excerpt: String =
                String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            return Err(Error::new(
                kind,
                format!(
                    "REST reply with HTTP status {status} could not be read ({}): {excerpt:?}",
                    e.message()
                ),
            )
            .with_source(e));
        }
    };
    match parsed {
        RestResponse::Error { code, desc, .. } => Err(rest_error(status, code, desc)),
        RestResponse::AffectedRows { affected_rows, .. } => Ok(Outcome::Affected(affected_rows)),
        RestResponse::ResultSet(set) => {
            let columns: Arc<[Column]> = set.columns.into();
            let rows = set
                .rows
                .into_iter()
                .map(|values| Row::new(Arc::clone(&columns), values))
                .collect::<Result<VecDeque<Row>>>()?;
            Ok(Outcome::Rows {
                result: ResultHandle::new(columns, set.precision, None),
                rows,
            })
        }
        #[allow(unreachable_patterns)]
        _ => Err(Error::result(format!(
            "REST reply with HTTP status {status} has an unexpected shape"
        ))),
    }
}

/// A low-level REST client, like the Python connector's `taosrest.RestClient`: posts SQL to
/// `/rest/sql[/{db}]` and returns the server's JSON reply as it is.
///
/// ```
/// use taosync::RestClient;
/// # let server = taosync_server::Server::start(Default::default())?;
/// # let url = format!("http://{}", server.addr()); // http://127.0.0.1:<port>
/// # taosync::connect(server.dsn_ws().as_str())?.execute("create database power", ())?;
/// let client = RestClient::new(&url)?
///     .user("root")
///     .password("taosdata")
///     .database("power");
/// let reply = client.sql("select server_version()")?;
/// println!("{}", reply["data"][0][0]);
/// # Ok::<(), taosync::Error>(())
/// ```
pub struct RestClient {
    session: RestSession,
    req_id: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for RestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestClient")
            .field("url", &self.session.base)
            .field("database", &self.session.db)
            .field("options", &self.session.opts)
            .finish()
    }
}

impl RestClient {
    /// A client for `url` (`http[s]://[user:password@]host:port[/db][?params]`, the DSN
    /// syntax of [`options`](crate::options)). No request is sent yet.
    pub fn new(url: &str) -> Result<RestClient> {
        let opts = ConnectOptions::from_dsn(url)?;
        if opts.get_protocol().is_websocket() {
            return Err(Error::new(
                ErrorKind::Interface,
                format!(
                    "RestClient needs an http:// or https:// URL, not {}://",
                    opts.get_protocol()
                ),
            )
            .with_code(Code::CLIENT_DSN_ERROR));
        }
        RestClient::from_options(opts)
    }

    /// A client with `options` (the first host is used).
    pub fn from_options(options: ConnectOptions) -> Result<RestClient> {
        let host = options
            .get_hosts()
            .first()
            .cloned()
            .unwrap_or_else(|| HostAddr::new("localhost", crate::options::DEFAULT_PORT));
        let db = options.get_database().map(str::to_owned);
        let opts = Arc::new(options);
        Ok(RestClient {
            session: RestSession::unchecked(&opts, &host, db.as_deref())?,
            req_id: std::sync::atomic::AtomicU64::new(1),
        })
    }

    fn rebuild(self, f: impl FnOnce(ConnectOptions) -> ConnectOptions) -> RestClient {
        let opts = f((*self.session.opts).clone());
        let db = opts
            .get_database()
            .map(str::to_owned)
            .or(self.session.db.clone());
        let opts = Arc::new(opts);
        match RestSession::unchecked(&opts, &self.session.host, db.as_deref()) {
            Ok(session) => RestClient {
                session,
                req_id: self.req_id,
            },
            Err(e) => {
                log::warn!("RestClient option change not applied: {e}");
                self
            }
        }
    }

    /// Sets the user.
    pub fn user(self, user: &str) -> RestClient {
        self.rebuild(|o| o.user(user))
    }

    /// Sets the password.
    pub fn password(self, password: &str) -> RestClient {
        self.rebuild(|o| o.password(password))
    }

    /// Sets the cloud token (`?token=`).
    pub fn token(self, token: &str) -> RestClient {
        self.rebuild(|o| o.token(token))
    }

    /// Sets the default database (sent in the URL path).
    pub fn database(mut self, db: &str) -> RestClient {
        self.session.db = (!db.is_empty()).then(|| db.to_owned());
        self
    }

    /// Sets the time zone timestamps are rendered in (`tz`).
    pub fn timezone(self, tz: &str) -> RestClient {
        self.rebuild(|o| o.timezone(tz))
    }

    /// Sets the connect and read timeout.
    pub fn timeout(self, timeout: Duration) -> RestClient {
        self.rebuild(|o| o.timeout(timeout))
    }

    /// Sets the TLS options.
    pub fn tls(self, tls: crate::options::TlsOptions) -> RestClient {
        self.rebuild(|o| o.tls(tls))
    }

    /// Runs `sql` and returns the reply object (`code`, `column_meta`, `data`, `rows`). A
    /// reply with a non-zero `code` is an error carrying that code.
    pub fn sql(&self, sql: &str) -> Result<serde_json::Value> {
        let req_id = crate::req_id::next(|| {
            self.req_id
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        });
        let (status, body) = self.session.post(sql, req_id)?;
        let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            Error::new(
                if status == 200 {
                    ErrorKind::Result
                } else {
                    ErrorKind::Operational
                },
                format!("REST reply with HTTP status {status} is not JSON"),
            )
            .with_source(e)
        })?;
        let code = value.get("code").and_then(serde_json::Value::as_i64);
        match code {
            Some(0) => Ok(value),
            Some(code) => {
                let desc = value
                    .get("desc")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                Err(rest_error(status, Code::from_raw(code), desc))
            }
            None => Err(Error::new(
                ErrorKind::Operational,
                format!("REST reply with HTTP status {status} has no `code`: {value}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_body_map_to_outcomes_and_kinds() {
        let ok = br#"{"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[3]],"rows":1}"#;
        assert!(matches!(decode(200, ok).unwrap(), Outcome::Affected(3)));

        let rows = br#"{"code":0,"column_meta":[["ts","TIMESTAMP",8],["v","INT",4]],"data":[["2023-11-14T22:13:20.123456Z",1],["2023-11-14T22:13:21.000000Z",null]],"rows":2}"#;
        match decode(200, rows).unwrap() {
            Outcome::Rows { result, rows } => {
                let handle = result.remote;
                assert_eq!(result.columns.len(), 2);
                assert_eq!(result.precision, crate::Precision::Microsecond);
                assert_eq!(rows.len(), 2);
                assert_eq!(rows[1].values()[1], crate::Value::Null);
                assert!(handle.is_none());
            }
            Outcome::Affected(_) => panic!("expected rows"),
        }

        let syntax = br#"{"code":9728,"desc":"syntax error near \"x\"","timing":1}"#;
        let e = decode(200, syntax).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Programming);
        assert_eq!(e.code(), Some(Code::PAR_SYNTAX_ERROR));

        let auth = br#"{"code":4357,"desc":"no auth info input"}"#;
        assert_eq!(
            decode(401, auth).err().unwrap().kind(),
            ErrorKind::Connection
        );

        let busy = br#""memory exceeds threshold""#;
        assert_eq!(
            decode(503, busy).err().unwrap().kind(),
            ErrorKind::Operational
        );

        let html = b"<html>502 Bad Gateway</html>";
        let e = decode(502, html).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Operational);
        assert!(e.message().contains("502"), "{e}");
    }
}
