//! Connections: [`connect`], [`Connection`] and the streaming [`ResultSet`].
//!
//! ```
//! # let server = taosync_server::Server::start(Default::default())?;
//! # let dsn = server.dsn_ws(); // ws://root:taosdata@127.0.0.1:<port>
//! let conn = taosync::connect(dsn.as_str())?;
//! conn.execute("create database if not exists demo", ())?;
//! conn.select_db("demo")?;
//! conn.execute("create table if not exists t (ts timestamp, v int)", ())?;
//! conn.execute("insert into t values (now, 1)", ())?;
//! for row in conn.query("select ts, v from t", ())? {
//!     let row = row?;
//!     println!("{} {}", row.get::<taosync::Timestamp>(0)?, row.get::<i32>("v")?);
//! }
//! # Ok::<(), taosync::Error>(())
//! ```

use std::sync::Arc;

use crate::code::Code;
use crate::cursor::Cursor;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, IntoConnectOptions};
use crate::params::Params;
use crate::row::{Column, FromRow, Row};
use crate::shared::{Shared, closed_error};
use crate::transport::Session;
use crate::types::Timestamp;
use crate::tz::Zone;

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
        Ok(Connection {
            shared: Shared::start(options, session, tz),
        })
    }

    /// The state shared with cursors and statements (crate-internal).
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// A new cursor on this connection. Cursors share the connection's socket; each keeps
    /// its own result. On a closed connection this is an
    /// [`Interface`](ErrorKind::Interface) error, like every other call.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// let mut cur = conn.cursor()?;
    /// cur.execute("select 1", ())?;
    /// conn.close()?;
    /// assert_eq!(conn.cursor().unwrap_err().kind(), taosync::ErrorKind::Interface);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn cursor(&self) -> Result<Cursor> {
        if self.shared.is_closed() {
            return Err(closed_error());
        }
        Ok(Cursor::new(Arc::clone(&self.shared)))
    }

    /// Runs a statement and returns the affected-row count (0 for DDL, and for statements
    /// that return rows, whose rows are discarded). `params` fill the `?` placeholders,
    /// rendered client-side as SQL literals (`()` for none; see [`params`](mod@crate::params)).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// conn.execute("create database if not exists demo", ())?;
    /// conn.execute("create table if not exists demo.t (ts timestamp, v int)", ())?;
    /// let n = conn.execute("insert into demo.t values (?, ?)", taosync::params![1_700_000_000_000i64, 7])?;
    /// assert_eq!(n, 1);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<u64> {
        let sql = crate::params::render(sql, &params.into_values())?;
        self.shared.run_affected(&sql)
    }

    /// Runs a query and returns its rows as a streaming iterator (one block in memory at a
    /// time over WebSocket). `params` as for [`execute`](Self::execute).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// for row in conn.query("select ? + 1", taosync::params![41])? {
    ///     assert_eq!(row?.get::<i64>(0)?, 42);
    /// }
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn query<P: Params>(&self, sql: &str, params: P) -> Result<ResultSet> {
        let mut cursor = self.cursor()?;
        cursor.execute(sql, params)?;
        Ok(ResultSet { cursor })
    }

    /// The one row of a query, as `T`: a [`Programming`](ErrorKind::Programming) error when
    /// the query returns no row or more than one.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// let (answer,): (i64,) = conn.query_one("select ? * 2", taosync::params![21])?;
    /// assert_eq!(answer, 42);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn query_one<T: FromRow, P: Params>(&self, sql: &str, params: P) -> Result<T> {
        self.query_opt(sql, params)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Programming,
                "query_one: the query returned no rows",
            )
        })
    }

    /// The row of a query that returns at most one, as `T`; `None` for no row and a
    /// [`Programming`](ErrorKind::Programming) error for more than one.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// conn.execute("create database if not exists demo", ())?;
    /// conn.execute("create table if not exists demo.e (ts timestamp, v int)", ())?;
    /// let none: Option<(i32,)> = conn.query_opt("select v from demo.e", ())?;
    /// assert!(none.is_none());
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn query_opt<T: FromRow, P: Params>(&self, sql: &str, params: P) -> Result<Option<T>> {
        let mut rows = self.query(sql, params)?;
        let Some(first) = rows.next().transpose()? else {
            return Ok(None);
        };
        if rows.next().transpose()?.is_some() {
            return Err(Error::new(
                ErrorKind::Programming,
                "query_one/query_opt: the query returned more than one row",
            ));
        }
        T::from_row(&first).map(Some)
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
            let _ = session.query(&quoted, req_id)?;
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
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(format!("{}?timezone=UTC", server.dsn_ws()))?;
    /// assert_eq!(conn.timezone(), Some(taosync::Zone::utc()));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn timezone(&self) -> Option<Zone> {
        self.shared.tz().cloned()
    }

    /// A timestamp as a date-time in the connection's time zone (UTC when none is set).
    /// `None` when the instant is outside chrono's range.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// use taosync::{Precision, Timestamp};
    /// let conn = taosync::connect(format!("{}?timezone=Asia/Shanghai", server.dsn_ws()))?;
    /// let ts = Timestamp::new(1_700_000_000_000, Precision::Millisecond);
    /// let local = conn.localize(ts).unwrap();
    /// assert_eq!(local.to_rfc3339(), "2023-11-15T06:13:20+08:00");
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn localize(&self, ts: Timestamp) -> Option<chrono::DateTime<Zone>> {
        let tz = self.shared.tz().cloned().unwrap_or_else(Zone::utc);
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
    /// an [`Interface`](ErrorKind::Interface) error. A request another thread has in flight
    /// over WebSocket is interrupted (its socket is shut down) and fails with an
    /// `Interface` error saying the connection was closed; over REST it ends within its
    /// `read_timeout`, as an HTTP request in flight cannot be cut from outside.
    pub fn close(&self) -> Result<()> {
        self.shared.close();
        Ok(())
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// One round trip to the server within `timeout`, on the current socket, never
    /// reconnecting: `Ok` proves the connection works now. A dead socket is a
    /// [`Connection`](ErrorKind::Connection) error, no answer in time an
    /// [`Operational`](ErrorKind::Operational) one, a closed connection an
    /// [`Interface`](ErrorKind::Interface) one. (A pool's health check; ordinary calls
    /// reopen a broken socket on their own.)
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// conn.ping(std::time::Duration::from_secs(2))?;
    /// conn.close()?;
    /// assert!(conn.ping(std::time::Duration::from_secs(2)).is_err());
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn ping(&self, timeout: std::time::Duration) -> Result<()> {
        self.shared.with(|s| s.ping(timeout))
    }

    /// True once the connection is closed or its socket is known to have failed (an I/O
    /// error, the server closing it, a failed keep-alive probe). Cheap: no I/O and no
    /// waiting for a request in flight. A REST connection has no socket to break, so only
    /// `close` makes it true.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// assert!(!conn.is_broken());
    /// conn.close()?;
    /// assert!(conn.is_broken());
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn is_broken(&self) -> bool {
        self.shared.is_broken()
    }

    /// Writes a block in TDengine's raw block layout (a TMQ
    /// [`MessageBlock::raw_block`](crate::MessageBlock::raw_block), say) into `table`, an
    /// existing table of the current database; the block's columns fill the table's first
    /// columns in order (taosAdapter's `write_raw_block`). WebSocket only.
    ///
    /// ```
    /// use taosync::{Column, Precision, Timestamp, Type, Value};
    /// use taosync_proto::block::encode_block;
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// conn.execute("create database replica", ())?;
    /// conn.execute("use replica", ())?;
    /// conn.execute("create table t (ts timestamp, v int)", ())?;
    /// let columns = [Column::new("ts", Type::Timestamp, 8), Column::new("v", Type::Int, 4)];
    /// let block = encode_block(&columns, &[vec![Value::Timestamp(Timestamp::new(1_700_000_000_000, Precision::Millisecond)), Value::Int(7)]])?;
    /// conn.write_raw_block("t", &block)?;
    /// assert_eq!(conn.query_one::<(i32,), _>("select v from t", ())?, (7,));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn write_raw_block(&self, table: &str, block: &[u8]) -> Result<()> {
        let req_id = self.shared.next_req_id();
        self.shared.with(|s| {
            s.request_binary("write_raw_block", req_id, |id| {
                crate::proto::ws::encode_write_raw_block(id, table, block, None)
            })
        })
    }

    /// [`write_raw_block`](Self::write_raw_block) with the block's columns named by
    /// `fields`: each fills the table column of its name, so the table may have more
    /// columns, in another order (taosAdapter's `write_raw_block_with_fields`). Replaying a
    /// TMQ block is `write_raw_block_with_fields(block.table_name(), block.raw_block(),
    /// block.columns())`. WebSocket only.
    ///
    /// ```
    /// use taosync::{Column, Precision, Timestamp, Type, Value};
    /// use taosync_proto::block::encode_block;
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// conn.execute("create database replica", ())?;
    /// conn.execute("use replica", ())?;
    /// conn.execute("create table t (ts timestamp, a int, b int)", ())?;
    /// let columns = [Column::new("ts", Type::Timestamp, 8), Column::new("b", Type::Int, 4)];
    /// let block = encode_block(&columns, &[vec![Value::Timestamp(Timestamp::new(1_700_000_000_000, Precision::Millisecond)), Value::Int(2)]])?;
    /// conn.write_raw_block_with_fields("t", &block, &columns)?;
    /// assert_eq!(conn.query_one::<(Option<i32>, i32), _>("select a, b from t", ())?, (None, 2));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn write_raw_block_with_fields(
        &self,
        table: &str,
        block: &[u8],
        fields: &[Column],
    ) -> Result<()> {
        let req_id = self.shared.next_req_id();
        self.shared.with(|s| {
            s.request_binary("write_raw_block_with_fields", req_id, |id| {
                crate::proto::ws::encode_write_raw_block(id, table, block, Some(fields))
            })
        })
    }

    /// Applies the raw form of a TMQ meta message ([`Message::raw_meta`](crate::Message::raw_meta):
    /// a table created, altered or dropped, rows deleted) to the current database, as the
    /// server that produced it describes it (taosAdapter's `write_raw`). With
    /// [`write_raw_block_with_fields`](Self::write_raw_block_with_fields) this replays a
    /// `WITH META` topic into another database; `examples/replay_topic.rs` does exactly
    /// that. WebSocket only.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// conn.execute("create database replica", ())?;
    /// conn.execute("use replica", ())?;
    /// // The embedded server's raw meta is the message's JSON (raw type 0xffff).
    /// let json = br#"{"type":"create","tableType":"normal","tableName":"n","columns":[{"name":"ts","type":9},{"name":"v","type":4}],"tags":[]}"#;
    /// conn.write_raw_meta(&taosync::tmq::RawMeta::new(0xffff, json.to_vec()))?;
    /// assert_eq!(conn.query("describe n", ())?.count(), 2);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn write_raw_meta(&self, meta: &crate::tmq::RawMeta) -> Result<()> {
        let req_id = self.shared.next_req_id();
        self.shared.with(|s| {
            s.request_binary("write_raw_meta", req_id, |id| {
                crate::proto::ws::encode_write_raw(id, meta.raw_type(), meta.data())
            })
        })
    }

    /// How many times the connection reopened its WebSocket (after the server, the network
    /// or a keep-alive found it dead); always 0 over REST, which holds no socket. Waits for
    /// a request in flight on another thread.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// assert_eq!(conn.reconnects(), 0);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn reconnects(&self) -> u64 {
        self.shared.with(|s| Ok(s.reconnects())).unwrap_or(0)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

impl ConnectOptions {
    /// Opens a connection with these options (see [`connect`]).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let options = taosync::ConnectOptions::from_dsn(&server.dsn_ws())?.database("information_schema");
    /// let conn = options.connect()?;
    /// assert_eq!(conn.current_db()?.as_deref(), Some("information_schema"));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn connect(&self) -> Result<Connection> {
        Connection::open(self.clone())
    }
}

/// Tries every host in order, each with retries and backoff.
fn open_any(options: &Arc<ConnectOptions>) -> Result<Session> {
    let mut failures: Vec<String> = Vec::new();
    let mut last: Option<Error> = None;
    for host in options.get_hosts() {
        let target = format!("connect to {host}");
        match crate::retry::with_backoff(options, &target, || {
            Session::open(options, host, options.get_database())
        }) {
            Ok(s) => {
                log::debug!("connected to {host} ({})", options.get_protocol());
                return Ok(s);
            }
            Err(e) => {
                failures.push(format!("{host}: {e}"));
                last = Some(e);
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
    pub(crate) cursor: Cursor,
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
        let expected = if cfg!(feature = "rest") {
            ErrorKind::Connection
        } else {
            ErrorKind::NotSupported
        };
        assert_eq!(e.kind(), expected, "{e}");
    }
}
