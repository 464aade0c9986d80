//! The TMQ consumer's socket on `/rest/tmq` (02 §3): a [`Channel`] that matches replies
//! by action as well as `req_id`, labels server errors `TmqError`, and is never reopened
//! behind the consumer's back (the server drops a consumer with its socket, so a broken
//! channel stays broken and the consumer must be rebuilt).

use std::time::{Duration, Instant};

use tungstenite::Bytes;

use super::channel::{Channel, deadline_after};
use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, HostAddr};
use crate::proto::tmq::VersionArgs;
use crate::proto::ws::Action;

/// An open `/rest/tmq` socket.
pub(crate) struct TmqChannel {
    channel: Channel,
}

impl TmqChannel {
    /// Connects and asks the server's version (within `conn_timeout`); returns the channel
    /// and the version.
    pub(crate) fn open(
        opts: &ConnectOptions,
        host: &HostAddr,
        req_id: u64,
    ) -> Result<(TmqChannel, String)> {
        let deadline = deadline_after(opts.get_conn_timeout());
        let channel = Channel::connect(opts, host, "/rest/tmq", "tmq WebSocket", deadline)
            .map_err(|e| e.into_error(host))?
            .match_action();
        let mut tmq = TmqChannel { channel };
        let version = tmq
            .request(&VersionArgs { req_id }, deadline)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Connection,
                    format!("{host}: `version` on /rest/tmq failed: {}", e.message()),
                )
                .with_source(e)
            })?;
        tmq.channel.handshake_done();
        Ok((tmq, version.version))
    }

    /// The host the consumer talks to.
    pub(crate) fn host(&self) -> &HostAddr {
        self.channel.host()
    }

    /// The deadline of a request sent now (`read_timeout`).
    pub(crate) fn deadline(&self) -> Instant {
        self.channel.deadline()
    }

    /// True while the socket works.
    pub(crate) fn is_usable(&self) -> bool {
        self.channel.broken().is_none()
    }

    /// Marks the socket unusable (the next call reopens it).
    pub(crate) fn mark_broken(&mut self, why: String) {
        self.channel.mark_broken(why);
    }

    /// Fails when the socket broke: the consumer is gone on the server too.
    pub(crate) fn ensure_usable(&self) -> Result<()> {
        match self.channel.broken() {
            None => Ok(()),
            Some(why) => Err(Error::new(
                ErrorKind::Connection,
                format!(
                    "the consumer's WebSocket to {} is unusable ({why})",
                    self.host()
                ),
            )
            .with_code(Code::CLIENT_WEBSOCKET_DISCONNECTED)),
        }
    }

    /// One JSON request; the server's errors (kind `Database` from the channel) are
    /// `TmqError`s with its code, transport errors keep their kind.
    pub(crate) fn request<A: Action>(&mut self, args: &A, deadline: Instant) -> Result<A::Reply> {
        self.ensure_usable()?;
        log::debug!("tmq {} req_id={}", A::NAME, args.req_id());
        self.channel
            .request(args, deadline)
            .map_err(|e| e.in_context(ErrorKind::Tmq))
    }

    /// One JSON request whose reply is a binary frame that `is_reply` recognises (by the
    /// request id it carries). A text reply for the request is the server's error.
    pub(crate) fn request_binary<A: Action>(
        &mut self,
        args: &A,
        is_reply: &dyn Fn(&[u8]) -> bool,
    ) -> Result<Bytes> {
        self.ensure_usable()?;
        let deadline = self.deadline();
        log::debug!("tmq {} req_id={}", A::NAME, args.req_id());
        self.channel.send_json(args)?;
        self.channel
            .read_binary(args.req_id(), A::NAME, is_reply, ErrorKind::Tmq, deadline)
    }

    /// Sends a Close frame, waiting at most `wait`.
    pub(crate) fn close(&mut self, wait: Duration) {
        self.channel.close(wait);
    }
}
