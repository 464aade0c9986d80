//! The socket-owning transports (REST over ureq, WebSocket over tungstenite): the only
//! code of the client that touches a socket. Query, stmt, schemaless and TMQ all go
//! through here.
//!
//! * [`channel::Channel`] is the one WebSocket type (deadlines, `req_id` matching, pings,
//!   close, error mapping), used by the `/ws` session ([`ws::WsSession`]) and by the TMQ
//!   consumer ([`tmq::TmqChannel`]).
//! * [`Session`] is a two-arm enum (REST, WebSocket) offering every operation the public
//!   modules need, so none of them matches on the transport; a new transport is a new
//!   variant and the compiler lists every place to handle it.
//! * Server-side objects are held as a [`SocketId`] (results inside a [`ResultHandle`]):
//!   the id and the generation of the socket that created it. After the socket is
//!   reopened such an id fails with a `Connection` error and is never sent on the new
//!   socket, where the same number may belong to someone else.
//!
//! Requests are built and replies decoded by [`crate::proto`]; the transports only move
//! bytes.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, HostAddr};
use crate::proto::ws::{Action, SchemalessInsertArgs};
use crate::row::{Column, Row};
use crate::types::Precision;

pub(crate) mod channel;
mod deadline;
mod handshake;
#[cfg(feature = "rest")]
pub(crate) mod rest;
#[cfg(not(feature = "rest"))]
#[path = "rest_off.rs"]
pub(crate) mod rest;
#[cfg(feature = "rest")]
mod rest_sml;
#[cfg(feature = "rest")]
mod rest_stream;
#[cfg(feature = "rest")]
mod rest_tls;
pub(crate) mod tmq;
pub(crate) mod ws;

pub(crate) use channel::deadline_after;
pub(crate) use ws::version_at_least;

/// The TCP socket a WebSocket session currently uses, shared with its connection so that
/// `Connection::close` can shut it down while another thread's request blocks on it.
pub(crate) type Interrupter = Arc<std::sync::Mutex<Option<std::net::TcpStream>>>;

/// What kind of server-side object a [`SocketId`] names (for the error when it is lost).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lost {
    /// A query result.
    Result,
    /// A prepared statement.
    Statement,
}

/// A server-side object (a result, a prepared statement) and the socket it lives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SocketId {
    id: u64,
    generation: u64,
    what: Lost,
}

impl SocketId {
    /// The server's id.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The `Connection` error for an object whose socket is gone.
    fn lost_error(&self, host: &HostAddr, why: &str) -> Error {
        let (what, remedy) = match self.what {
            Lost::Result => ("result", "run the query again"),
            Lost::Statement => ("statement", "prepare it again"),
        };
        Error::new(
            ErrorKind::Connection,
            format!(
                "the {what} {} was lost with its connection to {host}: {why}, so the server no longer knows it; {remedy}",
                self.id
            ),
        )
        .with_code(Code::CLIENT_CONNECTION_CLOSED)
    }
}

/// An open result set: its columns, its precision and, while blocks remain, where they
/// come from: the server's result id bound to its socket (WebSocket), or the rest of the
/// reply body being read (REST).
#[derive(Debug)]
pub(crate) struct ResultHandle {
    columns: Arc<[Column]>,
    precision: Precision,
    remote: Option<SocketId>,
    /// The `req_id` of the fetch of the next block, sent ahead on `remote`'s socket.
    ahead: Option<u64>,
    rest: Option<Box<rest::BodyStream>>,
}

impl ResultHandle {
    fn new(columns: Arc<[Column]>, precision: Precision, remote: Option<SocketId>) -> Self {
        ResultHandle {
            columns,
            precision,
            remote,
            ahead: None,
            rest: None,
        }
    }

    /// A result a prepared statement produced: it lives on the statement's socket.
    pub(crate) fn of_statement(
        stmt: &SocketId,
        result_id: u64,
        columns: Arc<[Column]>,
        precision: Precision,
    ) -> ResultHandle {
        let remote = SocketId {
            id: result_id,
            generation: stmt.generation,
            what: Lost::Result,
        };
        ResultHandle::new(columns, precision, Some(remote))
    }

    /// The result's columns.
    pub(crate) fn columns(&self) -> &Arc<[Column]> {
        &self.columns
    }

    /// The precision of the result's timestamps.
    pub(crate) fn precision(&self) -> Precision {
        self.precision
    }

    /// True when more blocks may follow.
    pub(crate) fn has_more(&self) -> bool {
        self.remote.is_some() || self.rest.is_some()
    }
}

/// What a statement produced.
pub(crate) enum Outcome {
    /// A statement without a result set, with its affected-row count.
    Affected(u64),
    /// A result set and the rows already received.
    Rows {
        result: ResultHandle,
        rows: VecDeque<Row>,
    },
}

/// The next part of a result.
pub(crate) enum Fetched {
    /// Rows already decoded (REST's streamed JSON).
    Rows(Vec<Row>),
    /// A raw block, decoded row by row as the rows are taken (WebSocket).
    Block(crate::proto::block::BlockRows),
}

/// One schemaless write as the transports send it.
pub(crate) struct SchemalessWrite<'a> {
    /// The protocol code (1 line, 2 telnet, 3 JSON; 02 §2).
    pub(crate) protocol: i32,
    /// The precision name (`""` when not configured).
    pub(crate) precision: &'a str,
    /// Days, 0 for none.
    pub(crate) ttl: i32,
    /// `""` for none.
    pub(crate) table_name_key: &'a str,
    pub(crate) req_id: u64,
    pub(crate) data: &'a str,
}

/// One open session with a server.
pub(crate) enum Session {
    /// REST: stateless HTTP requests.
    Rest(rest::RestSession),
    /// WebSocket: one socket, a server-side session.
    Ws(Box<ws::WsSession>),
}

/// The error of a WebSocket-only `feature` asked of a REST session.
fn needs_websocket(feature: &str) -> Error {
    Error::new(
        ErrorKind::NotSupported,
        format!("{feature} need a WebSocket connection (ws:// or wss://)"),
    )
}

impl Session {
    /// Opens a session to `host`.
    pub(crate) fn open(
        opts: &Arc<ConnectOptions>,
        host: &HostAddr,
        db: Option<&str>,
    ) -> Result<Session> {
        if opts.get_protocol().is_websocket() {
            ws::WsSession::open(opts, host, db).map(|s| Session::Ws(Box::new(s)))
        } else {
            rest::RestSession::open(opts, host, db).map(Session::Rest)
        }
    }

    /// True when the session keeps a socket open that a keep-alive should probe.
    pub(crate) fn wants_keepalive(&self) -> bool {
        matches!(self, Session::Ws(_))
    }

    /// Probes an idle socket (see [`ws::WsSession::keepalive`]); nothing over REST.
    pub(crate) fn keepalive(&mut self, idle: Duration) {
        if let Session::Ws(s) = self {
            s.keepalive(idle);
        }
    }

    /// Runs one statement.
    pub(crate) fn query(&mut self, sql: &str, req_id: u64) -> Result<Outcome> {
        match self {
            Session::Rest(s) => s.query(sql, req_id),
            Session::Ws(s) => s.query(sql, req_id),
        }
    }

    /// The next block of `result`; `None` at the end (the server has then freed it). A
    /// failed fetch also ends the result (the server frees it).
    pub(crate) fn fetch(
        &mut self,
        result: &mut ResultHandle,
        req_id: u64,
    ) -> Result<Option<Fetched>> {
        if let Some(stream) = result.rest.as_mut() {
            let rows = rest::next_rows(stream, &result.columns, result.precision);
            if !matches!(rows, Ok(Some(_))) || stream.is_done() {
                // The end, or a reply that cannot be read on: nothing more to fetch.
                result.rest = None;
            }
            return rows.map(|r| r.map(Fetched::Rows));
        }
        let Some(target) = result.remote.take() else {
            return Ok(None);
        };
        let rows = match self {
            Session::Rest(_) => None,
            Session::Ws(s) => s.fetch(
                &target,
                &mut result.ahead,
                result.precision,
                &result.columns,
                req_id,
            )?,
        };
        if rows.is_some() {
            result.remote = Some(target);
        }
        Ok(rows)
    }

    /// The next raw block of `result`, undecoded; `None` at the end. Only WebSocket
    /// results have raw blocks: a REST result arrives whole with the query, as rows.
    pub(crate) fn fetch_raw(
        &mut self,
        result: &mut ResultHandle,
        req_id: u64,
    ) -> Result<Option<Vec<u8>>> {
        let Some(target) = result.remote.take() else {
            return Ok(None);
        };
        let block = match self {
            Session::Rest(_) => None,
            Session::Ws(s) => s.fetch_raw(&target, &mut result.ahead, req_id)?,
        };
        if block.is_some() {
            result.remote = Some(target);
        }
        Ok(block)
    }

    /// Frees `result` on the server if blocks remain there and its socket still lives
    /// (fire and forget).
    pub(crate) fn free_result(&mut self, result: &mut ResultHandle, req_id: u64) {
        // A REST reply not read to its end: dropping it closes its HTTP connection.
        result.rest = None;
        let ahead = result.ahead.take();
        if let (Some(target), Session::Ws(s)) = (result.remote.take(), self) {
            s.free_result(&target, ahead, req_id);
        }
    }

    /// The server version as the server reports it.
    pub(crate) fn server_version(&mut self, req_id: u64) -> Result<String> {
        match self {
            Session::Rest(s) => s.server_version(req_id),
            Session::Ws(s) => Ok(s.server_version().to_owned()),
        }
    }

    /// The database selected with `USE` (or the DSN), as this client knows it.
    pub(crate) fn current_db(&self) -> Option<&str> {
        match self {
            Session::Rest(s) => s.current_db(),
            Session::Ws(s) => s.current_db(),
        }
    }

    /// Records that `db` is now the current database (after a successful `USE`).
    pub(crate) fn set_current_db(&mut self, db: Option<String>) {
        match self {
            Session::Rest(s) => s.set_current_db(db),
            Session::Ws(s) => s.set_current_db(db),
        }
    }

    /// The slot of the current socket (WebSocket only: an in-flight REST request cannot be
    /// interrupted and ends within its timeout).
    pub(crate) fn interrupter(&self) -> Option<Interrupter> {
        match self {
            Session::Rest(_) => None,
            Session::Ws(s) => Some(s.interrupter()),
        }
    }

    /// True once the WebSocket failed (cheap: no I/O). REST has no socket to break.
    pub(crate) fn is_broken(&self) -> bool {
        match self {
            Session::Rest(_) => false,
            Session::Ws(s) => s.is_broken(),
        }
    }

    /// How many times the socket was reopened (0 over REST, which keeps no socket).
    pub(crate) fn reconnects(&self) -> u64 {
        match self {
            Session::Rest(_) => 0,
            Session::Ws(s) => s.generation(),
        }
    }

    /// One round trip within `timeout`, never reconnecting.
    pub(crate) fn ping(&mut self, timeout: Duration) -> Result<()> {
        match self {
            Session::Rest(s) => s.ping(timeout),
            Session::Ws(s) => s.ping(timeout),
        }
    }

    /// The host this session talks to.
    pub(crate) fn host(&self) -> &HostAddr {
        match self {
            Session::Rest(s) => s.host(),
            Session::Ws(s) => s.host(),
        }
    }

    /// Closes the session; errors are logged, not returned.
    pub(crate) fn close(&mut self) {
        match self {
            Session::Rest(_) => {}
            Session::Ws(s) => s.close(),
        }
    }

    /// Writes schemaless records: the `schemaless_insert` action over WebSocket, the
    /// InfluxDB / OpenTSDB endpoints over REST (02 §2). Returns the affected rows.
    pub(crate) fn schemaless_insert(&mut self, w: &SchemalessWrite<'_>) -> Result<u64> {
        match self {
            Session::Rest(s) => s.schemaless_insert(w),
            Session::Ws(s) => {
                let reply = s
                    .request(&SchemalessInsertArgs {
                        req_id: w.req_id,
                        protocol: w.protocol,
                        precision: w.precision.to_owned(),
                        ttl: w.ttl,
                        data: w.data.to_owned(),
                        table_name_key: w.table_name_key.to_owned(),
                    })
                    .map_err(schemaless_error)?;
                Ok(u64::try_from(reply.affected_rows).unwrap_or(0))
            }
        }
    }

    // ---- WebSocket-only actions (stmt, stmt2); `feature` names them in the REST error ----

    /// One JSON request that creates a server-side object (a statement), whose id `id_of`
    /// reads from the reply.
    pub(crate) fn request_new<A: Action>(
        &mut self,
        feature: &str,
        args: &A,
        what: Lost,
        id_of: impl FnOnce(&A::Reply) -> u64,
    ) -> Result<(A::Reply, SocketId)> {
        match self {
            Session::Rest(_) => Err(needs_websocket(feature)),
            Session::Ws(s) => s.request_new(args, what, id_of),
        }
    }

    /// One JSON request about `target`, built by `args(id)`; refused with a `Connection`
    /// error when `target`'s socket was replaced.
    pub(crate) fn request_on<A: Action>(
        &mut self,
        feature: &str,
        target: &SocketId,
        args: impl FnOnce(u64) -> A,
    ) -> Result<A::Reply> {
        match self {
            Session::Rest(_) => Err(needs_websocket(feature)),
            Session::Ws(s) => s.request_on(target, args),
        }
    }

    /// One binary request about `target`, built by `frame(id)`, whose text reply carries
    /// `req_id` and decodes as `R`.
    pub(crate) fn request_binary_on<R: DeserializeOwned>(
        &mut self,
        feature: &str,
        target: &SocketId,
        req_id: u64,
        frame: impl FnOnce(u64) -> Result<Vec<u8>>,
    ) -> Result<R> {
        match self {
            Session::Rest(_) => Err(needs_websocket(feature)),
            Session::Ws(s) => s.request_binary_on(target, req_id, frame),
        }
    }

    /// A request that ends `target` (statement close), sent only while `target`'s socket
    /// lives; `reply` says whether the server answers it.
    pub(crate) fn release<A: Action>(
        &mut self,
        target: &SocketId,
        reply: bool,
        args: impl FnOnce(u64) -> A,
    ) -> Result<()> {
        match self {
            Session::Rest(_) => Ok(()),
            Session::Ws(s) => s.release(target, reply, args),
        }
    }

    /// True when `target` lives on the current socket and the socket works.
    pub(crate) fn is_live(&self, target: &SocketId) -> bool {
        match self {
            Session::Rest(_) => false,
            Session::Ws(s) => s.is_live(target),
        }
    }

    /// One binary request not tied to a server-side object (the raw writes), built by
    /// `frame(req_id)`; its text reply carries `req_id`.
    pub(crate) fn request_binary(
        &mut self,
        feature: &str,
        req_id: u64,
        frame: impl FnOnce(u64) -> Result<Vec<u8>>,
    ) -> Result<()> {
        match self {
            Session::Rest(_) => Err(needs_websocket(feature)),
            Session::Ws(s) => s.request_binary(req_id, frame),
        }
    }

    /// Fails with NotSupported over REST: `feature` needs a WebSocket.
    pub(crate) fn require_websocket(&self, feature: &str) -> Result<()> {
        match self {
            Session::Rest(_) => Err(needs_websocket(feature)),
            Session::Ws(_) => Ok(()),
        }
    }
}

/// A server error surfaced through a schemaless write: in the `SchemalessError` context
/// (classified codes keep their class) with the affected rows set; transport failures keep
/// their kind and have no affected rows.
fn schemaless_error(e: Error) -> Error {
    if e.code().is_some_and(|c| !c.is_client_local()) {
        let rows = e.affected_rows().unwrap_or(0);
        e.in_context(ErrorKind::Schemaless).with_affected_rows(rows)
    } else {
        e
    }
}

/// An error while connecting, prefixed with `what` (the host, the step): a
/// `ConnectionError`, PEP 249's class for `connect`, unless a server code says something
/// is wrong with the request rather than with reaching the server (a DSN naming a missing
/// database is a `ProgrammingError` `0x0388` on every transport, its message naming the
/// database `db`). Operational codes (the server cannot serve now) stay
/// `ConnectionError`s here. The code, if any, and the cause are kept.
pub(crate) fn connect_error(what: &str, db: Option<&str>, e: Error) -> Error {
    let kind = match e.code().and_then(Code::kind) {
        Some(kind) if kind != ErrorKind::Operational => kind,
        _ => ErrorKind::Connection,
    };
    let message = match db {
        Some(db) if e.code() == Some(Code::MND_DB_NOT_EXIST) => {
            format!(
                "{what}: {} (database `{db}`, named in the DSN)",
                e.message()
            )
        }
        _ => format!("{what}: {}", e.message()),
    };
    let mut out = Error::new(kind, message);
    if let Some(code) = e.code() {
        out = out.with_code(code);
    }
    out.with_source(e)
}

/// The database named by a `USE <db>` statement, when `sql` is one.
pub(crate) fn parse_use(sql: &str) -> Option<String> {
    let t = sql.trim();
    let t = t.strip_suffix(';').unwrap_or(t).trim_end();
    let head = t.get(..3)?;
    if !head.eq_ignore_ascii_case("use") {
        return None;
    }
    let rest = &t[3..];
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let name = rest.trim();
    let name = match name.strip_prefix('`') {
        Some(inner) => inner.strip_suffix('`')?.to_owned(),
        None => {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return None;
            }
            name.to_ascii_lowercase()
        }
    };
    (!name.is_empty()).then_some(name)
}

/// A timeout on a blocking read or write: `OperationalError`, code 0xE004.
#[cfg(feature = "rest")]
pub(crate) fn timeout_error(what: &str, after: Duration) -> Error {
    named_timeout_error(what, after, "read_timeout")
}

/// [`timeout_error`] naming the option that set the limit (`conn_timeout` for connects).
pub(crate) fn named_timeout_error(what: &str, after: Duration, option: &str) -> Error {
    Error::new(
        ErrorKind::Operational,
        format!("{what}: no reply within {after:?} ({option})"),
    )
    .with_code(Code::CLIENT_RECV_TIMEOUT)
}

/// True for the I/O error kinds a socket timeout produces.
pub(crate) fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// True when `e` says the peer hung up: the connection was reset, aborted or ended in the
/// middle of a reply. Every transport reports that as a `ConnectionError` with code
/// [`Code::CLIENT_CONNECTION_CLOSED`], so the same failure looks the same over WebSocket and
/// REST.
pub(crate) fn is_hangup(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_statements() {
        assert_eq!(parse_use("use db1"), Some("db1".into()));
        assert_eq!(parse_use("  USE  Db1 ;"), Some("db1".into()));
        assert_eq!(parse_use("use `My`"), Some("My".into()));
        assert_eq!(parse_use("user"), None);
        assert_eq!(parse_use("use a b"), None);
        assert_eq!(parse_use("use"), None);
        assert_eq!(parse_use("select 1"), None);
    }
}
