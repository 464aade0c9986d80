//! Connections: [`connect`], [`Connection`] and the streaming [`ResultSet`].
//!
//! ```no_run
//! let conn = taosync::connect("ws://root:taosdata@localhost:6041")?;
//! conn.execute("create database if not exists demo")?;
//! conn.select_db("demo")?;
//! conn.execute("create table if not exists t (ts timestamp, v int)")?;
//! conn.execute("insert into t values (now, 1)")?;
//! for row in conn.query("select ts, v from t")? {
//!     let row = row?;
//!     println!("{} {}", row.get::<taosync::Timestamp>(0)?, row.get::<i32>("v")?);
//! }
//! # Ok::<(), taosync::Error>(())
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crate::code::Code;
use crate::cursor::Cursor;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, IntoConnectOptions};
use crate::params::Params;
use crate::row::{Column, Row};
use crate::transport::{Outcome, ResultHandle, Session, parse_use};
use crate::types::Timestamp;

/// Opens a connection from a DSN (see [`options`](crate::options) for its syntax) or from
/// [`ConnectOptions`]. PEP 249's module-level `connect()`.
///
/// Each host of the DSN is tried in order, each up to `1 + conn_retries` times with an
/// exponential backoff from `retry_backoff_ms` to `retry_backoff_max_ms`; when all fail the
/// error names every host and why it failed. A server that answers and rejects the login is
/// not retried.
pub fn connect(dsn: impl IntoConnectOptions) -> Result<Connection> {
    Connection::open(dsn.into_connect_options()?)
}

/// State shared by a connection and its cursors.
pub(crate) struct Shared {
    pub(crate) options: Arc<ConnectOptions>,
    session: Mutex<Option<Session>>,
    /// Dropping this sender (on close, or with the last handle) stops the keep-alive thread.
    keepalive_stop: Mutex<Option<mpsc::Sender<()>>>,
    req_id: AtomicU64,
    tz: Option<chrono_tz::Tz>,
}

impl Shared {
    pub(crate) fn next_req_id(&self) -> u64 {
        self.req_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `f` on the open session; a closed connection is an Interface error.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Session) -> Result<R>) -> Result<R> {
        let mut guard = self.session.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_mut() {
            Some(s) => f(s),
            None => Err(closed_error()),
        }
    }

    /// One keep-alive tick: probes an idle WebSocket. Skips the tick when a request holds the
    /// session (that request is activity enough) rather than waiting behind it.
    fn keepalive(&self, idle: Duration) {
        if let Ok(mut guard) = self.session.try_lock()
            && let Some(session) = guard.as_mut()
        {
            session.keepalive(idle);
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    /// Runs `sql`, remembering the database of a successful `USE`.
    pub(crate) fn run(&self, sql: &str, req_id: u64) -> Result<Outcome> {
        self.with(|session| {
            let out = session.query(sql, req_id)?;
            if let Some(db) = parse_use(sql) {
                session.set_current_db(Some(db));
            }
            Ok(out)
        })
    }

    /// Frees a result early if blocks remain on the server; never fails (the connection
    /// may be closed already, the socket replaced).
    pub(crate) fn free_result(&self, result: &mut ResultHandle) {
        if !result.has_more() {
            return;
        }
        let req_id = self.next_req_id();
        let mut guard = self.session.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = guard.as_mut() {
            s.free_result(result, req_id);
        }
    }
}

/// Starts the keep-alive thread of a WebSocket connection: every `keepalive` interval it
/// probes the socket if nothing else used it meanwhile. The thread holds only a weak handle
/// and ends when the connection is closed or dropped.
fn start_keepalive(shared: &Arc<Shared>) {
    let idle = shared.options.get_keepalive();
    if idle.is_zero() {
        return;
    }
    let (stop, stopped) = mpsc::channel::<()>();
    let weak = Arc::downgrade(shared);
    let spawned = std::thread::Builder::new()
        .name("taosync-keepalive".into())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(idle) {
                match weak.upgrade() {
                    Some(shared) => shared.keepalive(idle),
                    None => break,
                }
            }
        });
    match spawned {
        Ok(_) => {
            *shared
                .keepalive_stop
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(stop);
        }
        Err(e) => log::warn!("no keep-alive thread for this connection: {e}"),
    }
}

/// The error of any call on a closed connection.
pub(crate) fn closed_error() -> Error {
    Error::interface("the connection is closed").with_code(Code::CLIENT_CONNECTION_CLOSED)
}

/// An open connection to TDengine. `Send + Sync + 'static`: clone-free sharing through
/// `Arc<Connection>` or plain references; requests from several threads are serialised on
/// the one socket. Closed on [`close`](Connection::close) or drop.
pub struct Connection {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("options", &self.shared.options)
            .field("closed", &self.shared.is_closed())
            .finish()
    }
}

impl Connection {
    /// Opens a connection with `options` (see [`connect`]).
    pub(crate) fn open(options: ConnectOptions) -> Result<Connection> {
        let tz = options.parsed_timezone()?;
        let options = Arc::new(options);
        let session = open_any(&options)?;
        let keepalive = session.wants_keepalive();
        let shared = Arc::new(Shared {
            options,
            session: Mutex::new(Some(session)),
            keepalive_stop: Mutex::new(None),
            req_id: AtomicU64::new(1),
            tz,
        });
        if keepalive {
            start_keepalive(&shared);
        }
        Ok(Connection { shared })
    }

    /// The state shared with cursors and statements (crate-internal).
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// A new cursor on this connection. Cursors share the connection's socket; each keeps
    /// its own result.
    pub fn cursor(&self) -> Cursor {
        Cursor::new(Arc::clone(&self.shared))
    }

    /// Runs a statement as it is and returns the affected-row count (0 for DDL, and for
    /// statements that return rows, whose rows are discarded).
    pub fn execute(&self, sql: &str) -> Result<u64> {
        self.execute_with_req_id(sql, self.shared.next_req_id())
    }

    /// [`execute`](Self::execute) with `?` parameters rendered client-side.
    pub fn execute_params<P: Params>(&self, sql: &str, params: P) -> Result<u64> {
        let sql = crate::params::render(sql, &params.into_values())?;
        self.execute(&sql)
    }

    /// [`execute`](Self::execute) with a caller-chosen request id (for tracing).
    pub fn execute_with_req_id(&self, sql: &str, req_id: u64) -> Result<u64> {
        match self.shared.run(sql, req_id)? {
            Outcome::Affected(n) => Ok(n),
            Outcome::Rows { mut result, .. } => {
                self.shared.free_result(&mut result);
                Ok(0)
            }
        }
    }

    /// Runs a query and returns its rows as a streaming iterator (one block in memory at a
    /// time over WebSocket).
    pub fn query(&self, sql: &str) -> Result<ResultSet> {
        self.query_with_req_id(sql, self.shared.next_req_id())
    }

    /// [`query`](Self::query) with `?` parameters rendered client-side.
    pub fn query_params<P: Params>(&self, sql: &str, params: P) -> Result<ResultSet> {
        let mut cursor = self.cursor();
        cursor.execute(sql, params)?;
        Ok(ResultSet { cursor })
    }

    /// [`query`](Self::query) with a caller-chosen request id.
    pub fn query_with_req_id(&self, sql: &str, req_id: u64) -> Result<ResultSet> {
        let mut cursor = self.cursor();
        cursor.execute_with_req_id(sql, (), req_id)?;
        Ok(ResultSet { cursor })
    }

    /// Makes `db` the current database (`USE db`; over REST it is sent in the URL of every
    /// later request).
    pub fn select_db(&self, db: &str) -> Result<()> {
        let plain = !db.is_empty() && db.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let quoted = if plain {
            format!("use {db}")
        } else {
            format!("use `{}`", db.replace('`', "``"))
        };
        let req_id = self.shared.next_req_id();
        self.shared.with(|session| {
            session.query(&quoted, req_id)?;
            session.set_current_db(Some(db.to_owned()));
            Ok(())
        })
    }

    /// The current database as this client knows it (from the DSN, [`select_db`](Self::select_db)
    /// or a `USE` statement run through this connection).
    pub fn current_db(&self) -> Result<Option<String>> {
        self.shared.with(|s| Ok(s.current_db().map(str::to_owned)))
    }

    /// The server's version string, e.g. `3.3.6.0`.
    pub fn server_version(&self) -> Result<String> {
        let req_id = self.shared.next_req_id();
        self.shared.with(|s| s.server_version(req_id))
    }

    /// The connection's time zone (the DSN's `timezone`), `None` when not set.
    pub fn timezone(&self) -> Option<chrono_tz::Tz> {
        self.shared.tz
    }

    /// A timestamp as a date-time in the connection's time zone (UTC when none is set).
    /// `None` when the instant is outside chrono's range.
    pub fn localize(&self, ts: Timestamp) -> Option<chrono::DateTime<chrono_tz::Tz>> {
        let tz = self.shared.tz.unwrap_or(chrono_tz::UTC);
        ts.to_utc().map(|d| d.with_timezone(&tz))
    }

    /// The options this connection was opened with.
    pub fn options(&self) -> &ConnectOptions {
        &self.shared.options
    }

    /// PEP 249 `commit`: a no-op, TDengine has no transactions.
    pub fn commit(&self) -> Result<()> {
        self.shared.with(|_| Ok(()))
    }

    /// PEP 249 `rollback`: not supported (TDengine has no transactions).
    pub fn rollback(&self) -> Result<()> {
        self.shared.with(|_| Ok(()))?;
        Err(Error::new(
            ErrorKind::NotSupported,
            "rollback is not supported: TDengine has no transactions",
        ))
    }

    /// Closes the connection. Idempotent; afterwards every call on it and on its cursors is
    /// an [`Interface`](ErrorKind::Interface) error.
    pub fn close(&self) -> Result<()> {
        let mut guard = self
            .shared
            .session
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(mut s) = guard.take() {
            log::debug!("closing the connection to {}", s.host());
            s.close();
        }
        drop(guard);
        // Stops the keep-alive thread now rather than at its next tick.
        self.shared
            .keepalive_stop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        Ok(())
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Tries every host in order, with retries and backoff.
fn open_any(options: &Arc<ConnectOptions>) -> Result<Session> {
    let mut failures: Vec<String> = Vec::new();
    let mut last: Option<Error> = None;
    for host in options.get_hosts() {
        let mut backoff = options.get_retry_backoff();
        let attempts = options.get_conn_retries().saturating_add(1);
        for attempt in 1..=attempts {
            match Session::open(options, host, options.get_database()) {
                Ok(s) => {
                    log::debug!("connected to {host} ({})", options.get_protocol());
                    return Ok(s);
                }
                Err(e) => {
                    log::debug!("connect to {host}, attempt {attempt}/{attempts}: {e}");
                    // A server that answered with its own error (bad password, missing
                    // database) will answer the same way again, and bad options stay bad.
                    let definitive = e.kind() == ErrorKind::Interface
                        || e.code().is_some_and(|c| !c.is_client_local());
                    if definitive || attempt == attempts {
                        failures.push(format!("{host}: {e}"));
                        last = Some(e);
                        break;
                    }
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(options.get_retry_backoff_max());
                }
            }
        }
    }
    let Some(last) = last else {
        return Err(Error::interface("no host to connect to").with_code(Code::CLIENT_DSN_ERROR));
    };
    if failures.len() == 1 {
        return Err(last);
    }
    let mut e = Error::new(
        last.kind(),
        format!("cannot connect to any host: {}", failures.join("; ")),
    );
    if let Some(code) = last.code() {
        e = e.with_code(code);
    }
    Err(e.with_source(last))
}

/// The rows of a query, streamed block by block. An `Iterator<Item = Result<Row>>`.
pub struct ResultSet {
    cursor: Cursor,
}

impl ResultSet {
    /// The rows of `cursor`'s current result (crate-internal: prepared statements).
    pub(crate) fn from_cursor(cursor: Cursor) -> ResultSet {
        ResultSet { cursor }
    }

    /// The result's columns.
    pub fn fields(&self) -> &[Column] {
        self.cursor.columns().unwrap_or(&[])
    }

    /// The number of columns.
    pub fn field_count(&self) -> usize {
        self.fields().len()
    }

    /// PEP 249 `rowcount` of the underlying cursor: the number of rows once they are all
    /// known, -1 before.
    pub fn rowcount(&self) -> i64 {
        self.cursor.rowcount()
    }

    /// Reads all remaining rows.
    pub fn fetchall(&mut self) -> Result<Vec<Row>> {
        self.cursor.fetchall()
    }

    /// The underlying cursor.
    pub fn into_cursor(self) -> Cursor {
        self.cursor
    }
}

impl Iterator for ResultSet {
    type Item = Result<Row>;
    fn next(&mut self) -> Option<Result<Row>> {
        self.cursor.next()
    }
}

impl std::fmt::Debug for ResultSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultSet")
            .field("fields", &self.fields())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn connection_is_send_sync_static() {
        assert_send_sync::<Connection>();
        fn assert_send<T: Send + 'static>() {}
        assert_send::<Cursor>();
        assert_send::<ResultSet>();
    }

    #[test]
    fn refused_port_names_every_host() {
        // Bind then drop to get ports nobody listens on.
        let ports: Vec<u16> = (0..2)
            .map(|_| {
                std::net::TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port()
            })
            .collect();
        let dsn = format!(
            "ws://127.0.0.1:{},127.0.0.1:{}?conn_retries=1&retry_backoff_ms=1&conn_timeout=2s",
            ports[0], ports[1]
        );
        let e = connect(dsn.as_str()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection);
        for p in &ports {
            assert!(e.message().contains(&p.to_string()), "{e}");
        }
        let e = connect(format!("http://127.0.0.1:{}?conn_retries=0", ports[0])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    }
}
