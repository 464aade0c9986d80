//! The WebSocket transport: `std::net::TcpStream` (timeouts set before anything is sent) →
//! native-tls for `wss` → tungstenite, speaking taosAdapter's `/ws` protocol (01 §2).
//!
//! One request is in flight at a time (the [`Connection`](crate::Connection) serialises
//! them), and every reply is matched to its request by `req_id`. Server pings are answered
//! whenever the socket is read; a socket idle for more than [`IDLE_PROBE`] is probed with a
//! `version` request before the next statement and reopened transparently when the server
//! has dropped it (taosAdapter closes sockets idle for about 114 s).

use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tungstenite::handshake::HandshakeError;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::{Outcome, is_timeout, timeout_error};
use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, HostAddr};
use crate::proto::block::decode_rows;
use crate::proto::ws::{
    Action, BinaryReplyKind, ConnArgs, FetchArgs, FetchBlockArgs, FetchBlockReply,
    FetchRawBlockReply, FreeResultArgs, QueryArgs, QueryReply, ReplyHeader, VersionArgs,
    binary_reply_kind, decode_reply, encode_binary_query, encode_fetch_raw_block, encode_request,
};
use crate::row::{Column, Row};
use crate::types::Precision;

/// A socket idle for longer than this is probed before it is used again.
pub(crate) const IDLE_PROBE: Duration = Duration::from_secs(60);

/// A socket idle for longer than this is drained of pending frames (pings, a close) before
/// it is used again.
pub(crate) const IDLE_DRAIN: Duration = Duration::from_millis(500);

/// The largest message accepted from the server (a raw block of a wide, long result).
const MAX_MESSAGE: usize = 512 << 20;

/// The connector string sent in `conn`.
pub(crate) const CONNECTOR: &str = concat!("taosync-v", env!("CARGO_PKG_VERSION"));

/// req_ids used internally (handshake, probes) live in the top half of the id space so they
/// never collide with the connection's counter.
const INTERNAL_REQ_ID: u64 = 1 << 63;

pub(crate) type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

/// An open `/ws` session.
pub(crate) struct WsSession {
    socket: Socket,
    opts: Arc<ConnectOptions>,
    host: HostAddr,
    path: &'static str,
    version: String,
    binary: bool,
    db: Option<String>,
    last_used: Instant,
    broken: Option<String>,
    internal_req: u64,
    /// How many times this session reopened its socket; server-side state tied to a socket
    /// (stmt ids, result ids) from an older generation is gone.
    generation: u64,
}

/// True when `version` is at least `min` on its first four numeric components (01 §6).
pub(crate) fn version_at_least(version: &str, min: [u64; 4]) -> bool {
    if version.starts_with("3.x") {
        return true;
    }
    let mut parts = [0u64; 4];
    for (slot, piece) in parts.iter_mut().zip(
        version
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty()),
    ) {
        *slot = piece.parse().unwrap_or(u64::MAX);
    }
    parts >= min
}

impl WsSession {
    /// Connects, upgrades (falling back to `/rest/ws` on HTTP 400/404), then sends `version`
    /// and `conn`.
    pub(crate) fn open(
        opts: &Arc<ConnectOptions>,
        host: &HostAddr,
        db: Option<&str>,
    ) -> Result<WsSession> {
        let socket = match upgrade(opts, host, "/ws") {
            Ok(s) => (s, "/ws"),
            Err(Upgrade::Status(400 | 404)) => {
                log::debug!("{host}: /ws upgrade refused, trying /rest/ws");
                match upgrade(opts, host, "/rest/ws") {
                    Ok(s) => (s, "/rest/ws"),
                    Err(e) => return Err(e.into_error(host)),
                }
            }
            Err(e) => return Err(e.into_error(host)),
        };
        if opts.get_compression() {
            log::debug!(
                "{host}: compression requested; WebSocket permessage-deflate is not available, continuing without it"
            );
        }
        let mut session = WsSession {
            socket: socket.0,
            opts: Arc::clone(opts),
            host: host.clone(),
            path: socket.1,
            version: String::new(),
            binary: false,
            db: db.map(str::to_owned),
            last_used: Instant::now(),
            broken: None,
            internal_req: INTERNAL_REQ_ID,
            generation: 0,
        };
        session.handshake()?;
        session.set_socket_timeout(opts.get_read_timeout());
        Ok(session)
    }

    fn handshake(&mut self) -> Result<()> {
        let deadline = Instant::now() + self.opts.get_conn_timeout();
        let req_id = self.next_internal();
        let version = self
            .json_request(&VersionArgs { req_id }, deadline)
            .map_err(|e| handshake_error(&self.host, "version", e))?;
        self.version = version.version;
        self.binary = self.path == "/ws" && version_at_least(&self.version, [3, 3, 2, 0]);
        log::debug!(
            "{}: server version {}, {} fetch",
            self.host,
            self.version,
            if self.binary { "binary" } else { "JSON" }
        );
        let tz = self.opts.parsed_timezone()?.map(|tz| tz.name().to_owned());
        let args = ConnArgs {
            req_id: self.next_internal(),
            user: self.opts.get_user().to_owned(),
            password: self.opts.get_password().to_owned(),
            db: self.db.clone().unwrap_or_default(),
            tz,
            app: self.opts.get_app().map(str::to_owned),
            ip: self.opts.get_ip().map(str::to_owned),
            connector: Some(CONNECTOR.to_owned()),
            ..ConnArgs::default()
        };
        self.json_request(&args, deadline)
            .map_err(|e| handshake_error(&self.host, "conn", e))?;
        Ok(())
    }

    fn next_internal(&mut self) -> u64 {
        self.internal_req += 1;
        self.internal_req
    }

    pub(crate) fn host(&self) -> &HostAddr {
        &self.host
    }

    pub(crate) fn server_version(&self) -> &str {
        &self.version
    }

    pub(crate) fn current_db(&self) -> Option<&str> {
        self.db.as_deref()
    }

    pub(crate) fn set_current_db(&mut self, db: Option<String>) {
        self.db = db;
    }

    /// Checks the socket before a new statement: after [`IDLE_DRAIN`] of silence it reads
    /// whatever the server sent meanwhile (answering pings, noticing a close), after
    /// [`IDLE_PROBE`] it also sends a `version` probe, and it reopens the socket when an
    /// earlier error, the server or the probe broke it.
    fn ensure_usable(&mut self) -> Result<()> {
        if self.broken.is_none() && self.last_used.elapsed() > IDLE_DRAIN {
            self.drain_pending();
        }
        if self.broken.is_none() && self.last_used.elapsed() > IDLE_PROBE {
            let req_id = self.next_internal();
            let deadline = Instant::now() + self.opts.get_conn_timeout();
            if let Err(e) = self.json_request(&VersionArgs { req_id }, deadline) {
                log::debug!("{}: idle probe failed ({e}), reconnecting", self.host);
                self.broken = Some(e.to_string());
            }
        }
        if let Some(reason) = self.broken.take() {
            log::debug!("{}: reopening the WebSocket (was: {reason})", self.host);
            let db = self.db.clone();
            match WsSession::open(&self.opts, &self.host, db.as_deref()) {
                Ok(mut fresh) => {
                    fresh.generation = self.generation + 1;
                    *self = fresh;
                }
                Err(e) => {
                    self.broken = Some(reason);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// The background keep-alive (called by the connection's keep-alive thread): when the
    /// socket has been idle for `idle`, answers the pings waiting on it and sends a
    /// `version` request. taosAdapter counts only data frames and pongs as activity (01
    /// §2.1), so this keeps an idle socket, and the results open on it, past its ~114 s
    /// idle deadline. A failure marks the socket broken; the next statement reopens it.
    pub(crate) fn keepalive(&mut self, idle: Duration) {
        if self.broken.is_some() || self.last_used.elapsed() < idle {
            return;
        }
        self.drain_pending();
        if self.broken.is_some() {
            return;
        }
        let req_id = self.next_internal();
        let deadline = Instant::now() + self.opts.get_conn_timeout();
        match self.json_request(&VersionArgs { req_id }, deadline) {
            Ok(_) => log::trace!("{}: keep-alive probe answered", self.host),
            Err(e) => {
                log::debug!("{}: keep-alive probe failed: {e}", self.host);
                self.broken = Some(format!("keep-alive probe failed: {e}"));
            }
        }
    }

    /// Reads the frames already waiting on the socket without blocking (1 ms timeout):
    /// pings are answered, a close or a reset marks the session broken, anything else is
    /// a stale reply and dropped. tungstenite keeps a partly read frame across a timeout, so
    /// stopping mid-frame is safe.
    fn drain_pending(&mut self) {
        self.set_socket_timeout(Duration::from_millis(1));
        for _ in 0..64 {
            match self.socket.read() {
                Ok(Message::Ping(_)) => {
                    if let Err(e) = self.socket.flush() {
                        self.broken = Some(format!("answering a ping: {e}"));
                        return;
                    }
                }
                Ok(Message::Close(_)) => {
                    self.broken = Some("closed by the server while idle".into());
                    return;
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if is_timeout(&e) => return,
                Err(e) => {
                    self.broken = Some(format!("lost while idle: {e}"));
                    return;
                }
            }
        }
    }

    /// Runs one statement: binary query (action 6) on servers ≥ 3.3.2.0, JSON `query`
    /// otherwise.
    pub(crate) fn query(&mut self, sql: &str, req_id: u64) -> Result<Outcome> {
        self.ensure_usable()?;
        log::debug!("ws query req_id={req_id} ({} bytes of SQL)", sql.len());
        let deadline = Instant::now() + self.opts.get_read_timeout();
        let reply = if self.binary && !sql.trim().is_empty() {
            let frame = encode_binary_query(req_id, sql)?;
            self.send(Message::Binary(frame.into()))?;
            let text = self.read_text(req_id, deadline)?;
            decode_reply::<QueryReply>(&text).map(|r| r.body)
        } else {
            let args = QueryArgs {
                req_id,
                sql: sql.to_owned(),
            };
            self.json_request(&args, deadline)
        };
        let reply = reply.map_err(|e| {
            if e.code().is_some_and(|c| !c.is_client_local()) && e.kind() == ErrorKind::Database {
                e.with_kind(ErrorKind::Programming)
            } else {
                e
            }
        })?;
        let q = reply;
        if !q.has_result_set() {
            return Ok(Outcome::Affected(
                u64::try_from(q.affected_rows).unwrap_or(0),
            ));
        }
        let columns: Arc<[Column]> = q.columns()?.into();
        Ok(Outcome::Rows {
            columns,
            precision: q.timestamp_precision(),
            rows: VecDeque::new(),
            handle: Some(q.id),
        })
    }

    /// The next block of `handle`, `None` at the end.
    pub(crate) fn fetch(
        &mut self,
        handle: u64,
        columns: &Arc<[Column]>,
        precision: Precision,
        req_id: u64,
    ) -> Result<Option<Vec<Row>>> {
        if let Some(reason) = &self.broken {
            return Err(Error::new(
                ErrorKind::Connection,
                format!(
                    "the WebSocket to {} is broken ({reason}); the result is lost",
                    self.host
                ),
            )
            .with_code(Code::CLIENT_CONNECTION_CLOSED));
        }
        log::debug!("ws fetch req_id={req_id} result={handle}");
        let deadline = Instant::now() + self.opts.get_read_timeout();
        if self.binary {
            self.send(Message::Binary(
                encode_fetch_raw_block(req_id, handle).into(),
            ))?;
            let frame = self.read_binary(req_id, deadline)?;
            let reply = FetchRawBlockReply::decode(&frame)?;
            match reply.into_block()? {
                None => Ok(None),
                Some(block) => decode_rows(block, precision, columns).map(Some),
            }
        } else {
            let fetched = self
                .json_request(&FetchArgs { req_id, id: handle }, deadline)
                .map_err(|e| e.with_kind(ErrorKind::Result))?;
            if fetched.completed {
                return Ok(None);
            }
            let text = encode_request(&FetchBlockArgs { req_id, id: handle })?;
            self.send(Message::Text(text.into()))?;
            let frame = self.read_binary(req_id, deadline)?;
            let reply = FetchBlockReply::decode(&frame)?;
            if reply.result_id != handle {
                return Err(Error::result(format!(
                    "fetch_block reply for result {} while fetching result {handle}",
                    reply.result_id
                )));
            }
            decode_rows(reply.block, precision, columns).map(Some)
        }
    }

    /// Frees `handle`; the server never answers.
    pub(crate) fn free_result(&mut self, handle: u64, req_id: u64) {
        if self.broken.is_some() {
            return;
        }
        log::debug!("ws free_result req_id={req_id} result={handle}");
        match encode_request(&FreeResultArgs { req_id, id: handle }) {
            Ok(text) => {
                if let Err(e) = self.send(Message::Text(text.into())) {
                    log::debug!("free_result of {handle} failed: {e}");
                }
            }
            Err(e) => log::debug!("free_result of {handle} not sent: {e}"),
        }
    }

    /// Sends a Close frame and drops the socket.
    pub(crate) fn close(&mut self) {
        if self.broken.is_none() {
            let _ = self.socket.close(None);
            let _ = self.socket.flush();
        }
        self.broken = Some("closed".into());
    }

    // ---- requests for the other `/ws` actions (stmt, stmt2, schemaless) ----

    /// Makes the socket usable (reopening it if it broke) and returns its generation, so a
    /// caller holding server-side ids can check they still belong to this socket before
    /// sending them.
    pub(crate) fn ready(&mut self) -> Result<u64> {
        self.ensure_usable()?;
        Ok(self.generation)
    }

    /// Sends one JSON request and returns its decoded reply. A non-zero `code` is an error of
    /// kind `Database` carrying the server's code; callers relabel it with `with_kind`.
    pub(crate) fn call<A: Action>(&mut self, args: &A) -> Result<A::Reply> {
        self.ensure_usable()?;
        log::debug!("ws {} req_id={}", A::NAME, args.req_id());
        let deadline = Instant::now() + self.opts.get_read_timeout();
        self.json_request(args, deadline)
    }

    /// Sends one JSON request that the server never answers (stmt `close`, `free_result`).
    pub(crate) fn call_no_reply<A: Action>(&mut self, args: &A) -> Result<()> {
        let text = encode_request(args)?;
        self.send(Message::Text(text.into()))
    }

    /// Sends one binary request frame and returns the text reply carrying `req_id`.
    pub(crate) fn call_binary(&mut self, frame: Vec<u8>, req_id: u64) -> Result<String> {
        self.ensure_usable()?;
        log::debug!("ws binary request req_id={req_id} ({} bytes)", frame.len());
        let deadline = Instant::now() + self.opts.get_read_timeout();
        self.send(Message::Binary(frame.into()))?;
        self.read_text(req_id, deadline)
    }

    /// True when the socket broke and the next request would reopen it.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// The socket generation: it grows each time the session reopens its socket, which
    /// loses every server-side id (results, statements) of the older socket.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    // ---- framing ----

    fn json_request<A: Action>(&mut self, args: &A, deadline: Instant) -> Result<A::Reply> {
        let text = encode_request(args)?;
        self.send(Message::Text(text.into()))?;
        let reply = self.read_text(args.req_id(), deadline)?;
        decode_reply::<A::Reply>(&reply).map(|r| r.body)
    }

    fn send(&mut self, msg: Message) -> Result<()> {
        let r = self.socket.send(msg);
        self.last_used = Instant::now();
        r.map_err(|e| self.io_error("sending a request", e))
    }

    /// Reads frames until the text reply carrying `req_id`.
    fn read_text(&mut self, req_id: u64, deadline: Instant) -> Result<String> {
        loop {
            match self.read_frame(deadline)? {
                Frame::Text(text) => {
                    let header = ReplyHeader::peek(&text)?;
                    if header.req_id == req_id {
                        return Ok(text);
                    }
                    log::debug!(
                        "skipping a stale `{}` reply (req_id {}) while waiting for {req_id}",
                        header.action,
                        header.req_id
                    );
                }
                Frame::Binary(_) => {
                    log::debug!("skipping a stale binary reply while waiting for {req_id}");
                }
            }
        }
    }

    /// Reads frames until a binary reply for `req_id` (a `fetch_raw_block` reply carries it,
    /// a legacy `fetch_block` reply does not); a text reply for `req_id` is an error reply.
    fn read_binary(&mut self, req_id: u64, deadline: Instant) -> Result<Vec<u8>> {
        loop {
            match self.read_frame(deadline)? {
                Frame::Binary(frame) => match binary_reply_kind(&frame) {
                    Some(BinaryReplyKind::FetchRawBlock) => {
                        let r = FetchRawBlockReply::decode(&frame)?;
                        if r.req_id == req_id {
                            return Ok(frame);
                        }
                        log::debug!("skipping a stale block reply (req_id {})", r.req_id);
                    }
                    Some(BinaryReplyKind::FetchBlock) => return Ok(frame),
                    None => {
                        return Err(Error::result(format!(
                            "binary reply of {} bytes is too short to be a block reply",
                            frame.len()
                        )));
                    }
                },
                Frame::Text(text) => {
                    let header = ReplyHeader::peek(&text)?;
                    if header.req_id == req_id {
                        return Err(header.to_error().map_or_else(
                            || {
                                Error::result(format!(
                                    "expected a block, got a `{}` text reply",
                                    header.action
                                ))
                            },
                            |e| e.with_kind(ErrorKind::Result),
                        ));
                    }
                }
            }
        }
    }

    fn read_frame(&mut self, deadline: Instant) -> Result<Frame> {
        loop {
            let now = Instant::now();
            let Some(left) = deadline
                .checked_duration_since(now)
                .filter(|d| !d.is_zero())
            else {
                self.broken = Some("read timeout".into());
                return Err(timeout_error(
                    &format!("WebSocket {}", self.host),
                    self.opts.get_read_timeout(),
                ));
            };
            self.set_socket_timeout(left);
            let msg = self.socket.read();
            self.last_used = Instant::now();
            match msg {
                Ok(Message::Text(t)) => return Ok(Frame::Text(t.as_str().to_owned())),
                Ok(Message::Binary(b)) => return Ok(Frame::Binary(b.to_vec())),
                Ok(Message::Ping(_)) => {
                    // tungstenite queued the pong; push it out now.
                    if let Err(e) = self.socket.flush() {
                        return Err(self.io_error("answering a ping", e));
                    }
                }
                Ok(Message::Pong(_) | Message::Frame(_)) => {}
                Ok(Message::Close(frame)) => {
                    let why = frame
                        .map(|f| format!(" ({} {})", f.code, f.reason))
                        .unwrap_or_default();
                    self.broken = Some("closed by the server".into());
                    return Err(Error::new(
                        ErrorKind::Connection,
                        format!("server {} closed the WebSocket{why}", self.host),
                    )
                    .with_code(Code::CLIENT_WEBSOCKET_DISCONNECTED));
                }
                Err(e) => return Err(self.io_error("reading a reply", e)),
            }
        }
    }

    fn set_socket_timeout(&mut self, t: Duration) {
        let tcp = match self.socket.get_mut() {
            MaybeTlsStream::Plain(s) => s,
            MaybeTlsStream::NativeTls(s) => s.get_mut(),
            #[allow(unreachable_patterns)]
            _ => return,
        };
        let t = Some(t.max(Duration::from_millis(1)));
        let _ = tcp.set_read_timeout(t);
        let _ = tcp.set_write_timeout(t);
    }

    fn io_error(&mut self, what: &str, e: tungstenite::Error) -> Error {
        let error = match e {
            tungstenite::Error::Io(io) if is_timeout(&io) => {
                self.broken = Some("read timeout".into());
                return timeout_error(
                    &format!("WebSocket {} while {what}", self.host),
                    self.opts.get_read_timeout(),
                )
                .with_source(io);
            }
            tungstenite::Error::Capacity(c) => Error::new(
                ErrorKind::Operational,
                format!("WebSocket {}: {c}", self.host),
            )
            .with_code(Code::CLIENT_WEBSOCKET_ERROR),
            tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => Error::new(
                ErrorKind::Connection,
                format!("WebSocket to {} is closed ({what})", self.host),
            )
            .with_code(Code::CLIENT_WEBSOCKET_DISCONNECTED),
            other => Error::new(
                ErrorKind::Connection,
                format!("WebSocket to {} failed while {what}: {other}", self.host),
            )
            .with_code(Code::CLIENT_WEBSOCKET_DISCONNECTED)
            .with_source(other),
        };
        self.broken = Some(error.message().to_owned());
        error
    }
}

enum Frame {
    Text(String),
    Binary(Vec<u8>),
}

/// Whatever goes wrong while connecting is a connection error (PEP 249's class for
/// `connect`); the server's code, if any, is kept.
fn handshake_error(host: &HostAddr, step: &str, e: Error) -> Error {
    let message = format!("{host}: `{step}` failed: {}", e.message());
    let mut out = Error::new(ErrorKind::Connection, message);
    if let Some(code) = e.code() {
        out = out.with_code(code);
    }
    out.with_source(e)
}

/// Why an upgrade failed.
pub(crate) enum Upgrade {
    /// The server answered the upgrade with this HTTP status.
    Status(u16),
    /// Anything else, already an error.
    Failed(Error),
}

impl Upgrade {
    pub(crate) fn into_error(self, host: &HostAddr) -> Error {
        match self {
            Upgrade::Failed(e) => e,
            Upgrade::Status(s) => Error::new(
                ErrorKind::Connection,
                format!("{host}: the WebSocket upgrade was refused with HTTP {s}"),
            )
            .with_code(if s == 401 {
                Code::CLIENT_UNAUTHORIZED
            } else {
                Code::CLIENT_WEBSOCKET_ERROR
            }),
        }
    }
}

/// Opens a TCP connection with `conn_timeout` to the first address of `host` that answers.
pub(crate) fn tcp_connect(host: &HostAddr, timeout: Duration) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host.host.as_str(), host.port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::new(ErrorKind::Connection, format!("cannot resolve {host}: {e}"))
                .with_code(Code::CLIENT_IO_ERROR)
                .with_source(e)
        })?
        .collect();
    let mut last: Option<io::Error> = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"));
    let what = if is_timeout(&e) {
        format!("cannot connect to {host}: timed out after {timeout:?}")
    } else {
        format!("cannot connect to {host}: {e}")
    };
    Err(Error::new(ErrorKind::Connection, what)
        .with_code(Code::CLIENT_IO_ERROR)
        .with_source(e))
}

/// Opens a TCP connection (with `conn_timeout`), TLS for `wss`, and upgrades it to a
/// WebSocket on `path`; the socket's read and write timeouts are left at `conn_timeout`.
pub(crate) fn upgrade(
    opts: &ConnectOptions,
    host: &HostAddr,
    path: &str,
) -> std::result::Result<Socket, Upgrade> {
    // Timeouts before the first byte is written: the TLS and HTTP handshakes are bounded too.
    let t = Some(opts.get_conn_timeout().max(Duration::from_millis(1)));
    let scheme = if opts.get_protocol().is_tls() {
        "wss"
    } else {
        "ws"
    };
    let mut url = format!("{scheme}://{}:{}{path}", host.url_host(), host.port);
    if let Some(token) = opts.get_token() {
        url.push_str("?token=");
        url.push_str(&url_encode(token));
    }
    let connector = if opts.get_protocol().is_tls() {
        tungstenite::Connector::NativeTls(
            opts.get_tls().native_connector().map_err(Upgrade::Failed)?,
        )
    } else {
        tungstenite::Connector::Plain
    };
    let tcp = tcp_connect(host, opts.get_conn_timeout()).map_err(Upgrade::Failed)?;
    let _ = tcp.set_read_timeout(t);
    let _ = tcp.set_write_timeout(t);
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    match tungstenite::client_tls_with_config(url.as_str(), tcp, Some(config), Some(connector)) {
        Ok((socket, _response)) => Ok(socket),
        Err(HandshakeError::Interrupted(_)) => Err(Upgrade::Failed(
            Error::new(
                ErrorKind::Connection,
                format!(
                    "{host}: WebSocket handshake timed out after {:?}",
                    opts.get_conn_timeout()
                ),
            )
            .with_code(Code::CLIENT_RECV_TIMEOUT),
        )),
        Err(HandshakeError::Failure(tungstenite::Error::Http(resp))) => {
            Err(Upgrade::Status(resp.status().as_u16()))
        }
        Err(HandshakeError::Failure(e)) => {
            let (code, what) = match &e {
                tungstenite::Error::Tls(_) => (Code::CLIENT_TLS_ERROR, "TLS handshake failed"),
                tungstenite::Error::Io(io) if is_timeout(io) => {
                    (Code::CLIENT_RECV_TIMEOUT, "WebSocket handshake timed out")
                }
                _ => (Code::CLIENT_WEBSOCKET_ERROR, "WebSocket handshake failed"),
            };
            Err(Upgrade::Failed(
                Error::new(ErrorKind::Connection, format!("{host}: {what}: {e}"))
                    .with_code(code)
                    .with_source(e),
            ))
        }
    }
}

/// Percent-encodes a URL query value.
pub(crate) fn url_encode(s: &str) -> String {
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

    #[test]
    fn version_comparison() {
        assert!(version_at_least("3.3.6.0", [3, 3, 2, 0]));
        assert!(version_at_least("3.3.2.0", [3, 3, 2, 0]));
        assert!(!version_at_least("3.3.1.0", [3, 3, 2, 0]));
        assert!(!version_at_least("3.0.0.0-alpha", [3, 3, 2, 0]));
        assert!(version_at_least("3.x", [3, 3, 2, 0]));
        assert!(version_at_least("4.0", [3, 3, 2, 0]));
        assert!(!version_at_least("", [3, 3, 2, 0]));
        assert!(!version_at_least("2.6.0.99", [3, 3, 2, 0]));
    }
}
