//! The query session on `/ws` (01 §2): a [`Channel`] plus what the session knows (server
//! version, fetch protocol, current database) and how to reopen it.
//!
//! One request is in flight at a time (the [`Connection`](crate::Connection) serialises
//! them). A socket idle for more than [`IDLE_PROBE`] is probed with a `version` request
//! before the next statement and reopened transparently when the server has dropped it
//! (taosAdapter closes sockets idle for about 114 s). Reopening starts a new *generation*:
//! every server-side id of the old socket (results, statements) is gone with it, and a
//! [`SocketId`] from an older generation is refused here rather than sent on the new socket.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use super::channel::{Channel, Upgrade, deadline_after};
use super::{Lost, Outcome, ResultHandle, SocketId};
use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, HostAddr};
use crate::proto::block::BlockRows;
use crate::proto::ws::{
    Action, BinaryReplyKind, ConnArgs, FetchArgs, FetchBlockArgs, FetchBlockReply,
    FetchRawBlockReply, FreeResultArgs, QueryArgs, QueryReply, VersionArgs, binary_reply_kind,
    binary_reply_req_id, decode_body, encode_binary_query, encode_fetch_raw_block,
};
use crate::row::Column;
use crate::types::Precision;

/// A socket idle for longer than this is probed before it is used again.
pub(crate) const IDLE_PROBE: Duration = Duration::from_secs(60);

/// A socket idle for longer than this is drained of pending frames (pings, a close) before
/// it is used again.
pub(crate) const IDLE_DRAIN: Duration = Duration::from_millis(500);

/// The connector string sent in `conn`.
pub(crate) const CONNECTOR: &str = concat!("taosync-v", env!("CARGO_PKG_VERSION"));

/// req_ids used internally (handshake, probes) live in the top half of the id space so they
/// never collide with the connection's counter.
const INTERNAL_REQ_ID: u64 = 1 << 63;

/// An open `/ws` session.
pub(crate) struct WsSession {
    channel: Channel,
    opts: Arc<ConnectOptions>,
    path: &'static str,
    version: String,
    binary: bool,
    db: Option<String>,
    internal_req: u64,
    /// How many times this session reopened its socket; server-side state tied to a socket
    /// (stmt ids, result ids) from an older generation is gone.
    generation: u64,
    /// The current socket, for `Connection::close` to shut down from another thread.
    interrupter: super::Interrupter,
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
        // One deadline for the whole attempt: TCP, TLS, the upgrade (and its fallback),
        // `version` and `conn`.
        let deadline = deadline_after(opts.get_conn_timeout());
        let (channel, path) = match Channel::connect(opts, host, "/ws", "WebSocket", deadline) {
            Ok(c) => (c, "/ws"),
            Err(Upgrade::Status(400 | 404)) => {
                log::debug!("{host}: /ws upgrade refused, trying /rest/ws");
                match Channel::connect(opts, host, "/rest/ws", "WebSocket", deadline) {
                    Ok(c) => (c, "/rest/ws"),
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
        let interrupter = Arc::new(std::sync::Mutex::new(channel.tcp_clone()));
        let mut session = WsSession {
            channel,
            opts: Arc::clone(opts),
            path,
            version: String::new(),
            binary: false,
            db: db.map(str::to_owned),
            internal_req: INTERNAL_REQ_ID,
            generation: 0,
            interrupter,
        };
        session.handshake(deadline)?;
        session.channel.handshake_done();
        Ok(session)
    }

    fn handshake(&mut self, deadline: Instant) -> Result<()> {
        let req_id = self.next_internal();
        let host = self.channel.host().clone();
        let version = self
            .channel
            .request(&VersionArgs { req_id }, deadline)
            .map_err(|e| handshake_error(&host, "version", None, e))?;
        self.version = version.version;
        self.binary = self.path == "/ws" && version_at_least(&self.version, [3, 3, 2, 0]);
        log::debug!(
            "{host}: server version {}, {} fetch",
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
        self.channel
            .request(&args, deadline)
            .map_err(|e| handshake_error(&host, "conn", self.db.as_deref(), e))?;
        Ok(())
    }

    fn next_internal(&mut self) -> u64 {
        self.internal_req += 1;
        self.internal_req
    }

    pub(crate) fn host(&self) -> &HostAddr {
        self.channel.host()
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

    /// Checks the socket before a new request: after [`IDLE_DRAIN`] of silence it reads
    /// whatever the server sent meanwhile (answering pings, noticing a close), after
    /// [`IDLE_PROBE`] it also sends a `version` probe, and it reopens the socket when an
    /// earlier error, the server or the probe broke it.
    fn ensure_usable(&mut self) -> Result<()> {
        if self.channel.idle_for() > IDLE_DRAIN {
            self.channel.drain_pending();
        }
        if self.channel.broken().is_none() && self.channel.idle_for() > IDLE_PROBE {
            self.probe();
        }
        let Some(reason) = self.channel.broken().map(str::to_owned) else {
            return Ok(());
        };
        log::debug!("{}: reopening the WebSocket (was: {reason})", self.host());
        let db = self.db.clone();
        let host = self.host().clone();
        let mut fresh = match WsSession::open(&self.opts, &host, db.as_deref()) {
            // The database this session was using is gone (a restarted server, a dropped
            // database): reconnect without it, so that `create database` and fully
            // qualified statements still work and the next statement that needs it says
            // what is missing, instead of every call failing on the reconnect.
            Err(e) if db.is_some() && e.code() == Some(Code::MND_DB_NOT_EXIST) => {
                log::warn!(
                    "{host}: database {:?} no longer exists; reconnected without a current database",
                    db.as_deref().unwrap_or_default()
                );
                WsSession::open(&self.opts, &host, None)?
            }
            other => other?,
        };
        fresh.generation = self.generation + 1;
        // The connection's close() keeps reaching the current socket.
        *fresh
            .interrupter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        fresh.interrupter = Arc::clone(&self.interrupter);
        *fresh
            .interrupter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh.channel.tcp_clone();
        *self = fresh;
        Ok(())
    }

    /// The slot holding the current socket, for interrupting a request from another thread.
    pub(crate) fn interrupter(&self) -> super::Interrupter {
        Arc::clone(&self.interrupter)
    }

    /// True once the socket failed (an I/O error, the server's close, a failed probe); the
    /// next request would reopen it.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    pub(crate) fn is_broken(&self) -> bool {
        self.channel.broken().is_some()
    }

    /// One `version` round trip on the current socket within `timeout`, never reopening
    /// it: a broken socket, or no answer in time, is an error (and leaves the socket
    /// broken).
    pub(crate) fn ping(&mut self, timeout: std::time::Duration) -> Result<()> {
        let req_id = self.next_internal();
        self.channel
            .request(&VersionArgs { req_id }, deadline_after(timeout))
            .map(|_| ())
    }

    /// Sends a `version` request with `conn_timeout`; a failure marks the socket broken.
    fn probe(&mut self) {
        let req_id = self.next_internal();
        let deadline = deadline_after(self.opts.get_conn_timeout());
        match self.channel.request(&VersionArgs { req_id }, deadline) {
            Ok(_) => log::trace!("{}: probe answered", self.host()),
            Err(e) => {
                log::debug!("{}: probe failed: {e}", self.host());
                self.channel.mark_broken(format!("probe failed: {e}"));
            }
        }
    }

    /// The background keep-alive (called by the connection's keep-alive thread): when the
    /// socket has been idle for `idle`, answers the pings waiting on it and sends a
    /// `version` request. taosAdapter counts only data frames and pongs as activity (01
    /// §2.1), so this keeps an idle socket, and the results open on it, past its ~114 s
    /// idle deadline. A failure marks the socket broken; the next statement reopens it.
    pub(crate) fn keepalive(&mut self, idle: Duration) {
        if self.channel.broken().is_some() || self.channel.idle_for() < idle {
            return;
        }
        self.channel.drain_pending();
        if self.channel.broken().is_none() {
            self.probe();
        }
    }

    /// Runs one statement: binary query (action 6) on servers ≥ 3.3.2.0, JSON `query`
    /// otherwise.
    pub(crate) fn query(&mut self, sql: &str, req_id: u64) -> Result<Outcome> {
        self.ensure_usable()?;
        log::debug!("ws query req_id={req_id} ({} bytes of SQL)", sql.len());
        let deadline = self.channel.deadline();
        let reply = if self.binary && !sql.trim().is_empty() {
            self.channel
                .send_binary(encode_binary_query(req_id, sql)?)?;
            let (header, text) = self.channel.read_text(req_id, None, deadline)?;
            decode_body::<QueryReply>(&header, &text)
        } else {
            let args = QueryArgs {
                req_id,
                sql: sql.to_owned(),
            };
            self.channel.request(&args, deadline)
        };
        let q = reply?;
        if !q.has_result_set() {
            return Ok(Outcome::Affected(
                u64::try_from(q.affected_rows).unwrap_or(0),
            ));
        }
        let result = ResultHandle::new(
            q.columns()?.into(),
            q.timestamp_precision(),
            Some(self.socket_id(q.id, Lost::Result)),
        );
        Ok(Outcome::Rows {
            result,
            rows: Default::default(),
        })
    }

    /// `id` as a server-side object of the current socket.
    fn socket_id(&self, id: u64, what: Lost) -> SocketId {
        SocketId {
            id,
            generation: self.generation,
            what,
        }
    }

    /// Fails when `target` does not live on the current, working socket.
    fn check_live(&self, target: &SocketId) -> Result<()> {
        if target.generation != self.generation {
            return Err(target.lost_error(self.host(), "the WebSocket it lived on was reopened"));
        }
        if let Some(why) = self.channel.broken() {
            return Err(target.lost_error(self.host(), &format!("the WebSocket broke ({why})")));
        }
        Ok(())
    }

    /// True when `target` lives on the current socket and the socket works.
    pub(crate) fn is_live(&self, target: &SocketId) -> bool {
        self.check_live(target).is_ok()
    }

    /// The next block of `result`, validated and ready to be decoded row by row; `None`
    /// at the end (the server then freed it).
    pub(crate) fn fetch(
        &mut self,
        target: &SocketId,
        ahead: &mut Option<u64>,
        precision: Precision,
        columns: &Arc<[Column]>,
        req_id: u64,
    ) -> Result<Option<super::Fetched>> {
        match self.fetch_raw(target, ahead, req_id)? {
            None => Ok(None),
            Some(block) => BlockRows::new(block, precision, Arc::clone(columns))
                .map(|rows| Some(super::Fetched::Block(rows))),
        }
    }

    /// The next raw block of `target` (its bytes, copied out of the reply frame), `None`
    /// at the end (the server then freed it).
    ///
    /// With binary fetches the request for the block after it goes out before this one is
    /// returned (its `req_id` in `ahead`), so the server prepares the next block while the
    /// caller decodes this one: one request in flight per result, one block of memory.
    pub(crate) fn fetch_raw(
        &mut self,
        target: &SocketId,
        ahead: &mut Option<u64>,
        req_id: u64,
    ) -> Result<Option<Vec<u8>>> {
        self.check_live(target)?;
        let id = target.id;
        let deadline = self.channel.deadline();
        if self.binary {
            let req_id = match ahead.take() {
                Some(sent) => sent,
                None => {
                    log::debug!("ws fetch req_id={req_id} result={id}");
                    self.channel
                        .send_binary(encode_fetch_raw_block(req_id, id))?;
                    req_id
                }
            };
            let frame = self.channel.read_binary(
                req_id,
                "fetch_raw_block",
                &|f| binary_reply_req_id(f) == Some(req_id),
                ErrorKind::Result,
                deadline,
            )?;
            let reply = FetchRawBlockReply::decode(&frame)?;
            let Some(block) = reply.into_block()? else {
                return Ok(None);
            };
            let block = block.to_vec();
            let next = self.next_internal();
            log::debug!("ws fetch ahead req_id={next} result={id}");
            match self
                .channel
                .send_binary_ahead(next, encode_fetch_raw_block(next, id))
            {
                Ok(()) => *ahead = Some(next),
                // The block in hand is good; the next fetch reports the broken socket.
                Err(e) => log::debug!("fetching ahead on result {id} failed: {e}"),
            }
            Ok(Some(block))
        } else {
            let fetched = self
                .channel
                .request(&FetchArgs { req_id, id }, deadline)
                .map_err(|e| e.in_context(ErrorKind::Result))?;
            if fetched.completed {
                return Ok(None);
            }
            self.channel.send_json(&FetchBlockArgs { req_id, id })?;
            let frame = self.channel.read_binary(
                req_id,
                "fetch_block",
                &|f| binary_reply_kind(f) == Some(BinaryReplyKind::FetchBlock),
                ErrorKind::Result,
                deadline,
            )?;
            let reply = FetchBlockReply::decode(&frame)?;
            if reply.result_id != id {
                return Err(Error::result(format!(
                    "fetch_block reply for result {} while fetching result {id}",
                    reply.result_id
                )));
            }
            Ok(Some(reply.block.to_vec()))
        }
    }

    /// Frees `target` when it still lives on this socket; the server never answers.
    pub(crate) fn free_result(&mut self, target: &SocketId, ahead: Option<u64>, req_id: u64) {
        if !self.is_live(target) {
            return;
        }
        if let Some(sent) = ahead {
            self.channel.forget_ahead(sent);
        }
        log::debug!("ws free_result req_id={req_id} result={}", target.id);
        if let Err(e) = self.channel.send_json(&FreeResultArgs {
            req_id,
            id: target.id,
        }) {
            log::debug!("free_result of {} failed: {e}", target.id);
        }
    }

    /// Sends a Close frame and drops the socket.
    pub(crate) fn close(&mut self) {
        self.channel
            .close(Duration::from_secs(2).min(self.opts.get_read_timeout()));
    }

    // ---- requests for the other `/ws` actions (stmt, stmt2, schemaless) ----

    /// Sends one JSON request (reopening a broken socket first) and returns its reply.
    pub(crate) fn request<A: Action>(&mut self, args: &A) -> Result<A::Reply> {
        self.ensure_usable()?;
        self.exchange(args)
    }

    /// One JSON request and its reply on the socket as it is.
    fn exchange<A: Action>(&mut self, args: &A) -> Result<A::Reply> {
        log::debug!("ws {} req_id={}", A::NAME, args.req_id());
        let deadline = self.channel.deadline();
        self.channel.request(args, deadline)
    }

    /// Sends one JSON request that creates a server-side object, and ties the id
    /// `id_of` reads from the reply to the socket.
    pub(crate) fn request_new<A: Action>(
        &mut self,
        args: &A,
        what: Lost,
        id_of: impl FnOnce(&A::Reply) -> u64,
    ) -> Result<(A::Reply, SocketId)> {
        let reply = self.request(args)?;
        let id = self.socket_id(id_of(&reply), what);
        Ok((reply, id))
    }

    /// One JSON request about `target`, refused when `target`'s socket is gone.
    pub(crate) fn request_on<A: Action>(
        &mut self,
        target: &SocketId,
        args: impl FnOnce(u64) -> A,
    ) -> Result<A::Reply> {
        self.ensure_usable()?;
        self.check_live(target)?;
        self.exchange(&args(target.id))
    }

    /// One binary request about `target` (built by `frame(id)`), whose text reply
    /// carrying `req_id` is decoded as `R`.
    pub(crate) fn request_binary_on<R: DeserializeOwned>(
        &mut self,
        target: &SocketId,
        req_id: u64,
        frame: impl FnOnce(u64) -> Result<Vec<u8>>,
    ) -> Result<R> {
        self.ensure_usable()?;
        self.check_live(target)?;
        let frame = frame(target.id)?;
        log::debug!("ws binary request req_id={req_id} ({} bytes)", frame.len());
        let deadline = self.channel.deadline();
        self.channel.send_binary(frame)?;
        let (header, text) = self.channel.read_text(req_id, None, deadline)?;
        decode_body(&header, &text)
    }

    /// One binary request that creates nothing on the server (the raw writes), whose
    /// text reply carrying `req_id` reports success or the server's error.
    pub(crate) fn request_binary(
        &mut self,
        req_id: u64,
        frame: impl FnOnce(u64) -> Result<Vec<u8>>,
    ) -> Result<()> {
        self.ensure_usable()?;
        let frame = frame(req_id)?;
        log::debug!("ws binary request req_id={req_id} ({} bytes)", frame.len());
        let deadline = self.channel.deadline();
        self.channel.send_binary(frame)?;
        let (header, text) = self.channel.read_text(req_id, None, deadline)?;
        decode_body::<crate::proto::ws::Empty>(&header, &text).map(|_| ())
    }

    /// A request that ends `target` (stmt `close`): sent only when `target` still lives on
    /// a working socket, never reopening one for it. With `reply` the answer is awaited.
    pub(crate) fn release<A: Action>(
        &mut self,
        target: &SocketId,
        reply: bool,
        args: impl FnOnce(u64) -> A,
    ) -> Result<()> {
        if !self.is_live(target) {
            return Ok(());
        }
        let args = args(target.id);
        if reply {
            let deadline = self.channel.deadline();
            self.channel.request(&args, deadline).map(|_| ())
        } else {
            self.channel.send_json(&args)
        }
    }
}

/// A failed handshake step: a `ConnectionError` (PEP 249's class for `connect`), unless
/// the server's code has a class of its own (a missing database is a `ProgrammingError`
/// on every transport); the code, if any, is kept.
fn handshake_error(host: &HostAddr, step: &str, db: Option<&str>, e: Error) -> Error {
    super::connect_error(&format!("{host}: `{step}` failed"), db, e)
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
