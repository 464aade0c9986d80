//! One WebSocket to taosAdapter: the only code of the client that reads or writes a
//! WebSocket. The query session (`/ws`) and the TMQ consumer (`/rest/tmq`) both speak
//! through a [`Channel`], so deadlines, `req_id` matching, ping answers, close handling and
//! error mapping are written once.
//!
//! * Every request has a deadline for its whole reply, and every connect attempt one for
//!   TCP, TLS, the upgrade and the `version`/`conn` exchange together: the socket is a
//!   [`DeadlineStream`], which sets the timeout to the time left before each read and
//!   write, so a peer that drips bytes cannot stretch a request past it.
//! * Replies are matched to requests by `req_id` (01 §2.2); stale replies of earlier,
//!   abandoned requests are skipped. A text reply is read once for its envelope (to route
//!   it) and once for its body.
//! * Pings are answered whenever the socket is read; a close frame, a reset or a timeout
//!   marks the channel broken, and its owner decides whether to reopen it.
//! * A request may be sent ahead of its reader ([`Channel::send_binary_ahead`]: the next
//!   block of a result, asked for while the caller decodes the current one). Its reply is
//!   kept, not skipped as stale, if it arrives while another reply is being read, and
//!   handed to the [`read_binary`](Channel::read_binary) that asks for its `req_id`.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use tungstenite::protocol::{Role, WebSocketConfig};
use tungstenite::{Bytes, Message, Utf8Bytes, WebSocket};

use super::deadline::{DeadlineStream, WsStream};
use super::handshake::{HandshakeFailure, client_handshake};
use super::{is_hangup, is_timeout, named_timeout_error};
use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, HostAddr, percent_encode};
use crate::proto::ws::block_reply::binary_reply_req_id;
use crate::proto::ws::{Action, ReplyHeader, decode_body, encode_request};

/// The largest message accepted from the server (a raw block of a wide, long result).
const MAX_MESSAGE: usize = 512 << 20;

type Socket = WebSocket<WsStream>;

/// A frame read from the server, without copying its payload.
pub(crate) enum Frame {
    /// A text frame (a JSON reply).
    Text(Utf8Bytes),
    /// A binary frame (a block reply).
    Binary(Bytes),
}

/// An open WebSocket with its deadlines and state.
pub(crate) struct Channel {
    socket: Socket,
    host: HostAddr,
    /// Names the socket in errors: "WebSocket", "tmq WebSocket".
    label: &'static str,
    /// The request timeout the deadlines come from.
    read_timeout: Duration,
    /// The limit named in timeout errors: `conn_timeout` until the handshake is done,
    /// then `read_timeout`.
    limit: (Duration, &'static str),
    last_used: Instant,
    broken: Option<String>,
    /// When true a JSON reply must also carry the request's action to match it (the TMQ
    /// endpoint, whose consumers number their requests from 1 each).
    match_action: bool,
    /// The `req_id`s of requests sent ahead whose replies have not been read yet.
    ahead: Vec<u64>,
    /// Replies to requests sent ahead that arrived while another reply was being read
    /// (at most one per entry of `ahead`).
    parked: Vec<(u64, Frame)>,
}

impl Channel {
    /// Connects to `host` and upgrades to a WebSocket on `path`; TCP connect, TLS and the
    /// upgrade all end by `deadline` (the attempt's `conn_timeout`), and so do the requests
    /// of the handshake until [`handshake_done`](Self::handshake_done).
    pub(crate) fn connect(
        opts: &ConnectOptions,
        host: &HostAddr,
        path: &str,
        label: &'static str,
        deadline: Instant,
    ) -> std::result::Result<Channel, Upgrade> {
        let socket = upgrade(opts, host, path, deadline)?;
        Ok(Channel {
            socket,
            host: host.clone(),
            label,
            read_timeout: opts.get_read_timeout(),
            limit: (opts.get_conn_timeout(), "conn_timeout"),
            last_used: Instant::now(),
            broken: None,
            match_action: false,
            ahead: Vec::new(),
            parked: Vec::new(),
        })
    }

    /// The handshake is over: timeouts from now on are `read_timeout`'s.
    pub(crate) fn handshake_done(&mut self) {
        self.limit = (self.read_timeout, "read_timeout");
    }

    /// Makes JSON replies match on their action as well as their `req_id`.
    pub(crate) fn match_action(mut self) -> Channel {
        self.match_action = true;
        self
    }

    /// The host this channel talks to.
    pub(crate) fn host(&self) -> &HostAddr {
        &self.host
    }

    /// Why the channel is unusable, `None` while it works.
    pub(crate) fn broken(&self) -> Option<&str> {
        self.broken.as_deref()
    }

    /// Marks the channel unusable.
    pub(crate) fn mark_broken(&mut self, why: impl Into<String>) {
        self.broken = Some(why.into());
    }

    /// How long since the channel last sent or received anything.
    pub(crate) fn idle_for(&self) -> Duration {
        self.last_used.elapsed()
    }

    /// The deadline of a request sent now.
    pub(crate) fn deadline(&self) -> Instant {
        deadline_after(self.read_timeout)
    }

    /// Sends one JSON request and returns its reply's body (a non-zero `code` is an error
    /// of kind `Database` carrying the server's code; callers relabel it).
    pub(crate) fn request<A: Action>(&mut self, args: &A, deadline: Instant) -> Result<A::Reply> {
        let text = encode_request(args)?;
        self.send(Message::Text(text.into()), deadline)?;
        let action = self.match_action.then_some(A::NAME);
        let (header, text) = self.read_text(args.req_id(), action, deadline)?;
        decode_body(&header, &text)
    }

    /// Sends one JSON request (within `read_timeout`) without reading a reply.
    pub(crate) fn send_json<A: Action>(&mut self, args: &A) -> Result<()> {
        let text = encode_request(args)?;
        self.send(Message::Text(text.into()), self.deadline())
    }

    /// Sends one binary request frame (within `read_timeout`).
    pub(crate) fn send_binary(&mut self, frame: Vec<u8>) -> Result<()> {
        self.send(Message::Binary(frame.into()), self.deadline())
    }

    /// Sends a binary request whose reply is read later, by a
    /// [`read_binary`](Self::read_binary) for `req_id`; until then its reply is kept
    /// whatever else is read. [`forget_ahead`](Self::forget_ahead) gives it up.
    pub(crate) fn send_binary_ahead(&mut self, req_id: u64, frame: Vec<u8>) -> Result<()> {
        self.send_binary(frame)?;
        self.ahead.push(req_id);
        Ok(())
    }

    /// Gives up the reply of a request sent ahead: dropped if it is here, skipped as stale
    /// when it comes.
    pub(crate) fn forget_ahead(&mut self, req_id: u64) {
        self.ahead.retain(|r| *r != req_id);
        self.parked.retain(|(r, _)| *r != req_id);
    }

    /// `frame` back, unless it answers a request sent ahead: then it is kept for its
    /// reader.
    fn park_if_ahead(&mut self, frame: Frame) -> Option<Frame> {
        if self.ahead.is_empty() {
            return Some(frame);
        }
        let req_id = match &frame {
            Frame::Binary(b) => binary_reply_req_id(b),
            Frame::Text(t) => ReplyHeader::peek(t).ok().map(|h| h.req_id),
        };
        match req_id.and_then(|r| self.ahead.iter().position(|a| *a == r)) {
            Some(i) => {
                let r = self.ahead.swap_remove(i);
                self.parked.push((r, frame));
                None
            }
            None => Some(frame),
        }
    }

    fn send(&mut self, msg: Message, deadline: Instant) -> Result<()> {
        if let Some(why) = &self.broken {
            return Err(self.broken_error(why));
        }
        self.set_deadline(deadline);
        let r = self.socket.send(msg);
        self.last_used = Instant::now();
        r.map_err(|e| self.io_error("sending a request", e))
    }

    fn broken_error(&self, why: &str) -> Error {
        Error::new(
            ErrorKind::Connection,
            format!("the {} to {} is unusable ({why})", self.label, self.host),
        )
        .with_code(Code::CLIENT_WEBSOCKET_DISCONNECTED)
    }

    /// Reads frames until the text reply carrying `req_id` (and, when given, `action`),
    /// returning its envelope and its text.
    pub(crate) fn read_text(
        &mut self,
        req_id: u64,
        action: Option<&str>,
        deadline: Instant,
    ) -> Result<(ReplyHeader, Utf8Bytes)> {
        loop {
            match self.read_frame(deadline)? {
                Frame::Text(text) => {
                    let header = ReplyHeader::peek(&text)?;
                    if header.req_id == req_id && action.is_none_or(|a| a == header.action) {
                        return Ok((header, text));
                    }
                    log::debug!(
                        "{}: skipping a stale `{}` reply (req_id {}) while waiting for {req_id}",
                        self.label,
                        header.action,
                        header.req_id
                    );
                }
                Frame::Binary(_) => {
                    log::debug!(
                        "{}: skipping a stale binary reply while waiting for {req_id}",
                        self.label
                    );
                }
            }
        }
    }

    /// Reads frames until a binary reply that `is_reply` accepts. A text reply carrying
    /// `req_id` (and `action`, on a channel that matches actions) instead is the server's
    /// error for the request (kind `error_kind`), or a protocol error when it reports
    /// success.
    pub(crate) fn read_binary(
        &mut self,
        req_id: u64,
        action: &str,
        is_reply: &dyn Fn(&[u8]) -> bool,
        error_kind: ErrorKind,
        deadline: Instant,
    ) -> Result<Bytes> {
        // A request sent ahead: its reply may be here already; if not, it is read below
        // like any other.
        self.ahead.retain(|r| *r != req_id);
        if let Some(i) = self.parked.iter().position(|(r, _)| *r == req_id) {
            let (_, frame) = self.parked.swap_remove(i);
            if let Some(reply) = self.binary_reply(frame, req_id, action, is_reply, error_kind) {
                return reply;
            }
        }
        loop {
            let frame = self.read_frame(deadline)?;
            if let Some(reply) = self.binary_reply(frame, req_id, action, is_reply, error_kind) {
                return reply;
            }
        }
    }

    /// What `frame` means to a [`read_binary`](Self::read_binary) for `req_id`: its reply,
    /// the server's error for it, or `None` (a stale frame, skipped).
    fn binary_reply(
        &self,
        frame: Frame,
        req_id: u64,
        action: &str,
        is_reply: &dyn Fn(&[u8]) -> bool,
        error_kind: ErrorKind,
    ) -> Option<Result<Bytes>> {
        match frame {
            Frame::Binary(frame) => {
                if is_reply(&frame) {
                    return Some(Ok(frame));
                }
                log::debug!("{}: skipping a stale binary reply", self.label);
                None
            }
            Frame::Text(text) => {
                let header = match ReplyHeader::peek(&text) {
                    Ok(h) => h,
                    Err(e) => return Some(Err(e)),
                };
                if header.req_id == req_id && (!self.match_action || header.action == action) {
                    return Some(Err(header.to_error().map_or_else(
                        || {
                            Error::new(
                                error_kind,
                                format!(
                                    "expected a binary reply, got a `{}` text reply",
                                    header.action
                                ),
                            )
                        },
                        |e| e.in_context(error_kind),
                    )));
                }
                None
            }
        }
    }

    /// Reads the next data frame before `deadline`, answering pings on the way.
    pub(crate) fn read_frame(&mut self, deadline: Instant) -> Result<Frame> {
        if let Some(why) = &self.broken {
            return Err(self.broken_error(why));
        }
        loop {
            if Instant::now() >= deadline {
                self.broken = Some("read timeout".into());
                return Err(named_timeout_error(
                    &format!("{} {}", self.label, self.host),
                    self.limit.0,
                    self.limit.1,
                ));
            }
            self.set_deadline(deadline);
            let msg = self.socket.read();
            self.last_used = Instant::now();
            let frame = match msg {
                Ok(Message::Text(t)) => Frame::Text(t),
                Ok(Message::Binary(b)) => Frame::Binary(b),
                Ok(Message::Ping(_)) => {
                    // tungstenite queued the pong; push it out now.
                    if let Err(e) = self.socket.flush() {
                        return Err(self.io_error("answering a ping", e));
                    }
                    continue;
                }
                Ok(Message::Pong(_) | Message::Frame(_)) => continue,
                Ok(Message::Close(frame)) => {
                    let why = frame
                        .map(|f| format!(" ({} {})", f.code, f.reason))
                        .unwrap_or_default();
                    self.broken = Some("closed by the server".into());
                    return Err(Error::new(
                        ErrorKind::Connection,
                        format!("server {} closed the {}{why}", self.host, self.label),
                    )
                    .with_code(Code::CLIENT_WEBSOCKET_DISCONNECTED));
                }
                Err(e) => return Err(self.io_error("reading a reply", e)),
            };
            if let Some(frame) = self.park_if_ahead(frame) {
                return Ok(frame);
            }
        }
    }

    /// Reads the frames already waiting, without blocking: pings are answered, a close or
    /// a reset marks the channel broken, replies to requests sent ahead are kept, anything
    /// else is a stale reply and dropped.
    /// tungstenite keeps a partly read frame across a `WouldBlock`, so stopping mid-frame
    /// is safe.
    pub(crate) fn drain_pending(&mut self) {
        if self.broken.is_some() {
            return;
        }
        // Non-blocking rather than a short deadline: a thread descheduled past a 1 ms
        // deadline would give up before its first read and miss a Close already here.
        if let Err(e) = self.socket.get_mut().set_nonblocking(true) {
            self.broken = Some(format!("checking the idle socket: {e}"));
            return;
        }
        self.read_arrived();
        if let Err(e) = self.socket.get_mut().set_nonblocking(false)
            && self.broken.is_none()
        {
            self.broken = Some(format!("checking the idle socket: {e}"));
        }
    }

    /// The loop of [`drain_pending`](Self::drain_pending), on a non-blocking socket.
    fn read_arrived(&mut self) {
        for _ in 0..64 {
            match self.socket.read() {
                Ok(Message::Ping(_)) => match self.socket.flush() {
                    Ok(()) => {}
                    // A full send buffer: the queued pong goes out with the next write.
                    Err(tungstenite::Error::Io(e)) if is_timeout(&e) => return,
                    Err(e) => {
                        self.broken = Some(format!("answering a ping: {e}"));
                        return;
                    }
                },
                Ok(Message::Close(_)) => {
                    self.broken = Some("closed by the server while idle".into());
                    return;
                }
                Ok(Message::Binary(b)) => {
                    let _ = self.park_if_ahead(Frame::Binary(b));
                }
                Ok(Message::Text(t)) => {
                    let _ = self.park_if_ahead(Frame::Text(t));
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

    /// Sends a Close frame (waiting at most `wait` to write it) and marks the channel
    /// closed. Errors are ignored: the socket is dropped either way.
    pub(crate) fn close(&mut self, wait: Duration) {
        if self.broken.is_none() {
            self.set_deadline(deadline_after(wait));
            let _ = self.socket.close(None);
            let _ = self.socket.flush();
        }
        self.broken = Some("closed".into());
    }

    /// A second handle on the TCP socket under the WebSocket (and TLS), for shutting it
    /// down from another thread while a request blocks on it.
    pub(crate) fn tcp_clone(&self) -> Option<TcpStream> {
        self.socket.get_ref().inner().tcp().try_clone().ok()
    }

    /// Bounds every later read and write of the socket by `deadline`.
    fn set_deadline(&mut self, deadline: Instant) {
        self.socket.get_mut().set_deadline(deadline);
    }

    fn io_error(&mut self, what: &str, e: tungstenite::Error) -> Error {
        let error = match e {
            tungstenite::Error::Io(io) if is_timeout(&io) => named_timeout_error(
                &format!("{} {} while {what}", self.label, self.host),
                self.limit.0,
                self.limit.1,
            )
            .with_source(io),
            tungstenite::Error::Capacity(c) => Error::new(
                ErrorKind::Operational,
                format!("{} {}: {c}", self.label, self.host),
            )
            .with_code(Code::CLIENT_WEBSOCKET_ERROR),
            tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => Error::new(
                ErrorKind::Connection,
                format!("{} to {} is closed ({what})", self.label, self.host),
            )
            .with_code(Code::CLIENT_CONNECTION_CLOSED),
            // The peer hung up: the same code as a REST server closing mid-reply.
            tungstenite::Error::Protocol(
                tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            ) => Error::new(
                ErrorKind::Connection,
                format!(
                    "{} to {}: the server closed the connection while {what}",
                    self.label, self.host
                ),
            )
            .with_code(Code::CLIENT_CONNECTION_CLOSED)
            .with_source(e),
            tungstenite::Error::Io(io) if is_hangup(&io) => Error::new(
                ErrorKind::Connection,
                format!(
                    "{} to {}: the server closed the connection while {what}: {io}",
                    self.label, self.host
                ),
            )
            .with_code(Code::CLIENT_CONNECTION_CLOSED)
            .with_source(io),
            other => Error::new(
                ErrorKind::Connection,
                format!(
                    "{} to {} failed while {what}: {other}",
                    self.label, self.host
                ),
            )
            .with_code(Code::CLIENT_WEBSOCKET_DISCONNECTED)
            .with_source(other),
        };
        self.broken = Some(error.message().to_owned());
        error
    }
}

/// `now + d`, saturating at a year from now (a `Duration::MAX` timeout means "wait").
pub(crate) fn deadline_after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 86_400)))
        .unwrap_or(now)
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

/// Opens a TCP connection, TLS for `wss`, and upgrades it to a WebSocket on `path`, all
/// before `deadline`.
fn upgrade(
    opts: &ConnectOptions,
    host: &HostAddr,
    path: &str,
    deadline: Instant,
) -> std::result::Result<Socket, Upgrade> {
    let conn_timeout = opts.get_conn_timeout();
    let timed_out = |step: &str| {
        Upgrade::Failed(
            Error::new(
                ErrorKind::Connection,
                format!("{host}: {step} timed out after {conn_timeout:?} (conn_timeout)"),
            )
            .with_code(Code::CLIENT_RECV_TIMEOUT),
        )
    };
    let mut target = path.to_owned();
    if let Some(token) = opts.get_token() {
        target.push_str("?token=");
        target.push_str(&percent_encode(token));
    }
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(timed_out("connecting"));
    }
    let tcp = tcp_connect(host, left).map_err(Upgrade::Failed)?;
    let stream = DeadlineStream::new(tcp, deadline);
    let failed = |code: Code, what: &str, source: Option<io::Error>| {
        if Instant::now() >= deadline || source.as_ref().is_some_and(is_timeout) {
            // Whatever the layer that noticed it (TLS, HTTP), a handshake cut at the
            // deadline is a timeout.
            return timed_out("the TLS and WebSocket handshake");
        }
        let e = Error::new(ErrorKind::Connection, format!("{host}: {what}")).with_code(code);
        Upgrade::Failed(match source {
            Some(io) => e.with_source(io),
            None => e,
        })
    };
    let mut stream = if opts.get_protocol().is_tls() {
        let connector = opts.get_tls().native_connector().map_err(Upgrade::Failed)?;
        match connector.connect(&host.host, stream) {
            Ok(tls) => WsStream::Tls(Box::new(tls)),
            Err(native_tls::HandshakeError::WouldBlock(_)) => {
                return Err(timed_out("the TLS handshake"));
            }
            Err(native_tls::HandshakeError::Failure(e)) => {
                return Err(failed(
                    Code::CLIENT_TLS_ERROR,
                    &format!("TLS handshake failed: {e}"),
                    Some(io::Error::other(e)),
                ));
            }
        }
    } else {
        WsStream::Plain(stream)
    };
    let host_header = format!("{}:{}", host.url_host(), host.port);
    let rest = match client_handshake(&mut stream, &host_header, &target) {
        Ok(rest) => rest,
        Err(HandshakeFailure::Status(s)) => return Err(Upgrade::Status(s)),
        Err(HandshakeFailure::Io(io)) => {
            let what = format!("WebSocket handshake failed: {io}");
            return Err(failed(Code::CLIENT_WEBSOCKET_ERROR, &what, Some(io)));
        }
        Err(HandshakeFailure::Invalid(why)) => {
            let what = format!("WebSocket handshake failed: {why}");
            return Err(failed(Code::CLIENT_WEBSOCKET_ERROR, &what, None));
        }
    };
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    Ok(WebSocket::from_partially_read(
        stream,
        rest,
        Role::Client,
        Some(config),
    ))
}
