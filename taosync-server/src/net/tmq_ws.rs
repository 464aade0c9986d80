//! The `/rest/tmq` WebSocket endpoint (02 §3): one [`TmqSession`] per socket.
//!
//! Two threads serve a socket. The connection thread owns the socket: it reads frames,
//! answers pings, pings idle clients, drops sockets idle past the read deadline, parses
//! requests (malformed frames and unknown actions are ignored silently, as taosAdapter
//! does) and sends the replies the worker produces. The worker owns the session and runs
//! the requests in order, so a `poll` that blocks up to its `blocking_time` holds no lock
//! and never stops the socket from being read:
//!
//! * a `poll` queued while another request runs is replaced by a newer `poll` (the older
//!   one gets no reply), and a waiting `poll` gives way to a newer one the same way; any
//!   other request ends a waiting `poll` early with its empty reply;
//! * polls run in slices of at most [`POLL_SLICE`], so a closed socket or a stopping
//!   server ends a long poll promptly;
//! * between requests the worker heartbeats the consumer every [`HEARTBEAT`], so a
//!   consumer stays alive as long as its socket does; when the socket ends the consumer is
//!   closed without committing.

use crate::faults::FaultState;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tungstenite::protocol::{Message, WebSocket};

use super::http::{Stream, is_timeout};
use super::shared::Shared;
use crate::backend::{Broker, MAX_BLOCKING_TIME_MS, SessionReply, TmqError, TmqSession};
use taosync_proto::code::Code;
use taosync_proto::tmq::{PollArgs, TmqRequest, decode_tmq_reply, parse_tmq_request};

/// The longest a poll runs before the worker looks at its queue and the socket state.
pub const POLL_SLICE: Duration = Duration::from_millis(100);

/// How often an idle worker heartbeats its consumer.
pub const HEARTBEAT: Duration = Duration::from_secs(2);

/// How long the connection thread waits for a frame while replies may be due.
const BUSY_TICK: Duration = Duration::from_millis(5);

/// Requests a socket may have queued or running before the connection thread stops
/// reading until the worker catches up (a client flooding requests cannot grow memory).
const MAX_PENDING: usize = 256;

/// Requests waiting for the worker, and whether the socket is gone.
#[derive(Default)]
struct Queue {
    requests: VecDeque<TmqRequest>,
    closed: bool,
}

/// The queue shared by the connection thread and the worker.
#[derive(Default)]
struct Inbox {
    queue: Mutex<Queue>,
    arrived: Condvar,
}

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `request`; a queued `poll` is replaced by a newer one. Returns whether a
    /// queued request was dropped (it will get no reply).
    fn push(&self, request: TmqRequest) -> bool {
        let mut q = self.lock();
        let replaced = matches!(request, TmqRequest::Poll(_))
            && matches!(q.requests.back(), Some(TmqRequest::Poll(_)));
        if replaced {
            q.requests.pop_back();
        }
        q.requests.push_back(request);
        drop(q);
        self.arrived.notify_all();
        replaced
    }

    fn close(&self) {
        self.lock().closed = true;
        self.arrived.notify_all();
    }

    fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// What is queued: `None` when nothing, else whether the next request is a `poll`.
    fn queued(&self) -> Option<bool> {
        self.lock()
            .requests
            .front()
            .map(|r| matches!(r, TmqRequest::Poll(_)))
    }

    /// The next request, `Ok(None)` after `timeout` without one, `Err(())` once closed.
    fn next(&self, timeout: Duration) -> Result<Option<TmqRequest>, ()> {
        let q = self.lock();
        let (mut q, _) = self
            .arrived
            .wait_timeout_while(q, timeout, |q| q.requests.is_empty() && !q.closed)
            .unwrap_or_else(PoisonError::into_inner);
        if q.closed {
            return Err(());
        }
        Ok(q.requests.pop_front())
    }
}

/// True when `replies` is exactly one `poll` reply without a message.
fn is_empty_poll(replies: &[SessionReply]) -> bool {
    match replies {
        [SessionReply::Text(text)] => {
            decode_tmq_reply::<PollArgs>(text).is_ok_and(|r| !r.body.have_message)
        }
        _ => false,
    }
}

/// Runs one `poll` in slices; `None` when it ended without a reply (socket closed, or a
/// newer `poll` superseded it). Another request arriving while it waits ends it early with
/// its empty reply, so that request (an `unsubscribe`, a `commit`) is not held up.
fn run_poll(session: &mut TmqSession, args: PollArgs, inbox: &Inbox) -> Option<Vec<SessionReply>> {
    let wait = Duration::from_millis(args.blocking_time.clamp(0, MAX_BLOCKING_TIME_MS) as u64);
    let deadline = Instant::now() + wait;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let slice = remaining.min(POLL_SLICE);
        let sliced = PollArgs {
            blocking_time: i64::try_from(slice.as_millis()).unwrap_or(i64::MAX),
            ..args.clone()
        };
        let replies = session.handle(TmqRequest::Poll(sliced));
        if !is_empty_poll(&replies) || remaining <= slice {
            return Some(replies);
        }
        if inbox.is_closed() {
            return None;
        }
        match inbox.queued() {
            Some(true) => return None,
            Some(false) => return Some(replies),
            None => {}
        }
    }
}

/// The worker: runs requests in order until the socket closes, then closes the consumer.
///
/// A `poll` before the first successful `subscribe` waits for it (a newer one replaces
/// it) and runs right after it, its reply following the subscribe reply.
fn work(mut session: TmqSession, inbox: &Inbox, replies: &Sender<Vec<SessionReply>>) {
    let mut deferred: Option<PollArgs> = None;
    loop {
        match inbox.next(HEARTBEAT) {
            Err(()) => break,
            Ok(None) => {
                if let Err(e) = session.heartbeat() {
                    log::debug!("tmq heartbeat: {e}");
                }
            }
            Ok(Some(request)) => {
                let out = match request {
                    TmqRequest::Poll(args) if session.consumer().is_none() => {
                        deferred = Some(args);
                        Vec::new()
                    }
                    TmqRequest::Poll(args) => {
                        run_poll(&mut session, args, inbox).unwrap_or_default()
                    }
                    subscribe @ TmqRequest::Subscribe(_) => {
                        let mut out = session.handle(subscribe);
                        if session.consumer().is_some()
                            && let Some(args) = deferred.take()
                        {
                            out.extend(run_poll(&mut session, args, inbox).unwrap_or_default());
                        }
                        out
                    }
                    other => session.handle(other),
                };
                if replies.send(out).is_err() {
                    break;
                }
            }
        }
    }
    session.close();
}

fn session_for(broker: Arc<Broker>, shared: &Shared, peer: String) -> TmqSession {
    let backend = Arc::clone(&shared.backend);
    TmqSession::new(broker, shared.version.clone())
        .with_authenticator(Box::new(move |user, password| {
            backend
                .authenticate(user, password)
                .map_err(|e| TmqError::new(Code::new(e.code), e.message))
        }))
        .with_peer(peer)
}

fn send_all(ws: &mut WebSocket<Stream>, replies: Vec<SessionReply>) -> bool {
    for reply in replies {
        let msg = match reply {
            SessionReply::Text(t) => Message::text(t),
            SessionReply::Binary(b) => Message::binary(b),
        };
        if ws.send(msg).is_err() {
            return false;
        }
    }
    true
}

/// Serves one upgraded `/rest/tmq` WebSocket until it closes, goes idle past the read
/// deadline, or the server stops.
pub(crate) fn serve(mut ws: WebSocket<Stream>, shared: &Shared) {
    let Some(broker) = shared.backend.tmq_broker() else {
        let _ = ws.close(None);
        let _ = ws.flush();
        return;
    };
    let tick = (shared.ping_interval / 4)
        .clamp(Duration::from_millis(10), Duration::from_millis(500))
        .min(shared.read_deadline.max(Duration::from_millis(10)));
    let _ = ws
        .get_ref()
        .tcp()
        .set_write_timeout(Some(shared.io_timeout));
    let peer = ws
        .get_ref()
        .tcp()
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let session = session_for(broker, shared, peer);
    let inbox = Arc::new(Inbox::default());
    let (reply_tx, reply_rx) = mpsc::channel();
    let worker = {
        let inbox = Arc::clone(&inbox);
        std::thread::Builder::new()
            .name("taosync-server-tmq".into())
            .spawn(move || work(session, &inbox, &reply_tx))
    };
    let worker = match worker {
        Ok(w) => w,
        Err(e) => {
            log::warn!("cannot spawn a tmq worker: {e}");
            let _ = ws.close(None);
            let _ = ws.flush();
            return;
        }
    };
    pump(&mut ws, shared, tick, &inbox, &reply_rx);
    inbox.close();
    let _ = worker.join();
    let _ = ws.get_ref().tcp().shutdown(std::net::Shutdown::Both);
}

/// The connection thread's loop.
fn pump(
    ws: &mut WebSocket<Stream>,
    shared: &Shared,
    tick: Duration,
    inbox: &Inbox,
    replies: &Receiver<Vec<SessionReply>>,
) {
    let mut pending = 0usize;
    let mut last_activity = Instant::now();
    let mut last_ping = Instant::now();
    // The fault injector drops this socket too (the consumer's reconnect is tested on it).
    let mut faults = FaultState::new(&shared.faults);
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            let _ = ws.close(None);
            let _ = ws.flush();
            return;
        }
        if pending >= MAX_PENDING {
            // Back-pressure: read nothing until the worker has answered something.
            match replies.recv_timeout(tick) {
                Ok(out) => {
                    pending -= 1;
                    if !send_all(ws, out) {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            continue;
        }
        let wait = if pending > 0 { BUSY_TICK } else { tick };
        let _ = ws.get_ref().tcp().set_read_timeout(Some(wait));
        match ws.read() {
            Ok(Message::Text(text)) => {
                last_activity = Instant::now();
                if faults.on_request() {
                    return;
                }
                if let Some(request) = parse_tmq_request(text.as_str()) {
                    pending += 1;
                    if inbox.push(request) {
                        pending -= 1;
                    }
                }
            }
            Ok(Message::Binary(_)) => {
                // No binary requests exist on `/rest/tmq`; ignored like malformed text.
                last_activity = Instant::now();
            }
            Ok(Message::Pong(_)) => last_activity = Instant::now(),
            Ok(Message::Ping(_) | Message::Frame(_) | Message::Close(_)) => {
                let _ = ws.flush();
            }
            Err(tungstenite::Error::Io(e)) if is_timeout(&e) => {
                let _ = ws.flush();
            }
            Err(_) => return,
        }
        loop {
            match replies.try_recv() {
                Ok(out) => {
                    pending = pending.saturating_sub(1);
                    last_activity = Instant::now();
                    if !send_all(ws, out) {
                        return;
                    }
                }
                Err(TryRecvError::Empty) => break,
                // The worker is gone: nothing will answer this socket any more.
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let now = Instant::now();
        // A client waiting on its own long poll is not idle.
        if pending == 0 && now.duration_since(last_activity) >= shared.read_deadline {
            log::debug!("tmq websocket idle past the read deadline; closing");
            return;
        }
        if now.duration_since(last_ping) >= shared.ping_interval {
            last_ping = now;
            if ws.send(Message::Ping(Default::default())).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use taosync_proto::tmq::{PollReply, VersionArgs, encode_tmq_reply};

    fn poll(req_id: u64) -> TmqRequest {
        TmqRequest::Poll(PollArgs {
            req_id,
            blocking_time: 100,
            message_id: None,
        })
    }

    #[test]
    fn a_queued_poll_is_replaced_by_a_newer_one_but_other_requests_stay() {
        let inbox = Inbox::default();
        assert!(!inbox.push(poll(1)));
        assert!(inbox.push(poll(2)), "the queued poll 1 is dropped");
        assert_eq!(inbox.queued(), Some(true));
        assert!(!inbox.push(TmqRequest::Version(VersionArgs { req_id: 3 })));
        assert!(
            !inbox.push(poll(4)),
            "a poll after another request does not replace"
        );
        let ids: Vec<u64> = std::iter::from_fn(|| inbox.next(Duration::ZERO).unwrap())
            .map(|r| r.req_id())
            .collect();
        assert_eq!(ids, vec![2, 3, 4]);
        assert!(inbox.next(Duration::from_millis(1)).unwrap().is_none());
        inbox.close();
        assert!(
            inbox.next(Duration::from_secs(5)).is_err(),
            "closed wakes at once"
        );
    }

    #[test]
    fn only_a_single_message_less_poll_reply_counts_as_empty() {
        let empty = encode_tmq_reply("poll", 1, 0, &PollReply::default()).unwrap();
        let full = encode_tmq_reply(
            "poll",
            1,
            0,
            &PollReply {
                have_message: true,
                ..PollReply::default()
            },
        )
        .unwrap();
        assert!(is_empty_poll(&[SessionReply::Text(empty.clone())]));
        assert!(!is_empty_poll(&[SessionReply::Text(full)]));
        assert!(!is_empty_poll(&[]));
        assert!(!is_empty_poll(&[
            SessionReply::Text(empty.clone()),
            SessionReply::Text(empty)
        ]));
        assert!(!is_empty_poll(&[SessionReply::Text(
            r#"{"code":65535,"message":"tmq not init","action":"poll","req_id":1,"timing":1}"#
                .into()
        )]));
        assert!(!is_empty_poll(&[SessionReply::Binary(vec![0; 8])]));
    }
}
