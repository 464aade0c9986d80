//! The state a connection shares with its cursors, statements and schemaless writers:
//! the options, the one [`Session`] behind a mutex, the request counter and the
//! keep-alive thread. Everything that talks to the server goes through [`Shared::with`].

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::Duration;

use crate::code::Code;
use crate::error::{Error, Result};
use crate::options::ConnectOptions;
use crate::transport::{Interrupter, Outcome, ResultHandle, Session, parse_use};
use crate::tz::Zone;

/// State shared by a connection and its cursors.
pub(crate) struct Shared {
    pub(crate) options: Arc<ConnectOptions>,
    session: Mutex<Option<Session>>,
    /// Dropping this sender (on close, or with the last handle) stops the keep-alive thread.
    keepalive_stop: Mutex<Option<mpsc::Sender<()>>>,
    req_id: AtomicU64,
    tz: Option<Zone>,
    /// The WebSocket's current socket, shut down by `close` to interrupt a request in flight.
    interrupter: Option<Interrupter>,
    /// Set by `close` before it interrupts: a request failing then failed because of it.
    closing: AtomicBool,
}

impl Shared {
    /// Wraps an open session and starts its keep-alive thread when it wants one.
    pub(crate) fn start(
        options: Arc<ConnectOptions>,
        session: Session,
        tz: Option<Zone>,
    ) -> Arc<Shared> {
        let keepalive = session.wants_keepalive();
        let interrupter = session.interrupter();
        let shared = Arc::new(Shared {
            options,
            session: Mutex::new(Some(session)),
            keepalive_stop: Mutex::new(None),
            req_id: AtomicU64::new(1),
            tz,
            interrupter,
            closing: AtomicBool::new(false),
        });
        if keepalive {
            start_keepalive(&shared);
        }
        shared
    }

    /// The connection's time zone.
    pub(crate) fn tz(&self) -> Option<&Zone> {
        self.tz.as_ref()
    }

    /// The id of the next request: the caller's (see [`crate::with_req_id`]) or the
    /// connection's counter.
    pub(crate) fn next_req_id(&self) -> u64 {
        crate::req_id::next(|| self.req_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Closes the session and stops the keep-alive thread. Idempotent. A request another
    /// thread has in flight on a WebSocket is interrupted (its socket shut down) rather
    /// than waited for; it fails with an Interface error saying the connection was closed.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        if let Some(slot) = &self.interrupter
            && let Some(tcp) = slot.lock().unwrap_or_else(PoisonError::into_inner).take()
        {
            let _ = tcp.shutdown(std::net::Shutdown::Both);
        }
        let mut guard = self.session();
        if let Some(mut s) = guard.take() {
            log::debug!("closing the connection to {}", s.host());
            s.close();
        }
        drop(guard);
        // Stops the keep-alive thread now rather than at its next tick.
        self.keepalive_stop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// The session slot (`None` once closed); a poisoned lock is taken over, as everywhere
    /// in the crate.
    fn session(&self) -> MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the open session; a closed connection is an Interface error.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Session) -> Result<R>) -> Result<R> {
        let mut guard = self.session();
        match guard.as_mut() {
            Some(s) => {
                let r = f(s);
                if r.is_err() && self.closing.load(Ordering::SeqCst) {
                    return Err(Error::interface(
                        "the connection was closed (by close() on another thread) while this request was in flight",
                    )
                    .with_code(Code::CLIENT_CONNECTION_CLOSED));
                }
                r
            }
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
        self.session().is_none()
    }

    /// True when closed or when the socket is known to have failed. Never waits: while a
    /// request holds the session the answer is `false` (that request will tell).
    pub(crate) fn is_broken(&self) -> bool {
        let guard = match self.session.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return false,
        };
        guard.as_ref().is_none_or(Session::is_broken)
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

    /// Runs `sql` for its affected-row count: a result set it produces is freed unread
    /// and counts 0.
    pub(crate) fn run_affected(&self, sql: &str) -> Result<u64> {
        match self.run(sql, self.next_req_id())? {
            Outcome::Affected(n) => Ok(n),
            Outcome::Rows { mut result, .. } => {
                self.free_result(&mut result);
                Ok(0)
            }
        }
    }

    /// Frees a result early if blocks remain on the server; never fails (the connection
    /// may be closed already, the socket replaced).
    pub(crate) fn free_result(&self, result: &mut ResultHandle) {
        if !result.has_more() {
            return;
        }
        let req_id = self.next_req_id();
        let mut guard = self.session();
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
