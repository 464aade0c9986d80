//! Fault injection for tests: make the server misbehave on purpose (drop connections,
//! delay or truncate replies) so that client error paths can be exercised.

use std::time::Duration;

/// Faults the server injects into every connection. All are off by default.
///
/// Counting is per connection: a WebSocket counts data frames received and reply frames
/// sent, an HTTP connection counts requests and responses.
///
/// ```
/// use std::time::Duration;
/// use taosync_server::FaultInjector;
/// let faults = FaultInjector::new()
///     .drop_after(3)
///     .delay(Duration::from_millis(50))
///     .truncate_reply(2);
/// assert_eq!(faults.drop_after_requests(), Some(3));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultInjector {
    drop_after: Option<usize>,
    delay: Option<Duration>,
    truncate_reply: Option<usize>,
}

impl FaultInjector {
    /// No faults.
    pub fn new() -> FaultInjector {
        FaultInjector::default()
    }

    /// Close the connection, without answering, when the request (or WebSocket data
    /// frame) after the first `n` arrives.
    pub fn drop_after(mut self, n: usize) -> FaultInjector {
        self.drop_after = Some(n);
        self
    }

    /// Sleep `delay` before sending each reply.
    pub fn delay(mut self, delay: Duration) -> FaultInjector {
        self.delay = Some(delay);
        self
    }

    /// Send only the first half of the `n`-th reply (1-based) on each connection, then
    /// close the connection.
    pub fn truncate_reply(mut self, n: usize) -> FaultInjector {
        self.truncate_reply = Some(n);
        self
    }

    /// The configured [`drop_after`](Self::drop_after) count.
    pub fn drop_after_requests(&self) -> Option<usize> {
        self.drop_after
    }

    /// The configured [`delay`](Self::delay).
    pub fn reply_delay(&self) -> Option<Duration> {
        self.delay
    }

    /// The configured [`truncate_reply`](Self::truncate_reply) index.
    pub fn truncated_reply(&self) -> Option<usize> {
        self.truncate_reply
    }
}

/// What to do with one reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReplyFate {
    /// Send it whole.
    Send,
    /// Send half of it and close the connection.
    Truncate,
}

/// Per-connection counters for a [`FaultInjector`].
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: FaultInjector,
    received: usize,
    sent: usize,
}

impl FaultState {
    /// Fresh counters for one connection.
    pub(crate) fn new(faults: &FaultInjector) -> FaultState {
        FaultState {
            faults: faults.clone(),
            received: 0,
            sent: 0,
        }
    }

    /// Counts an incoming request; true when the connection must be dropped now.
    pub(crate) fn on_request(&mut self) -> bool {
        self.received += 1;
        self.faults.drop_after.is_some_and(|n| self.received > n)
    }

    /// Counts an outgoing reply (sleeping first when a delay is configured) and says
    /// whether to send it whole.
    pub(crate) fn on_reply(&mut self) -> ReplyFate {
        if let Some(d) = self.faults.delay {
            std::thread::sleep(d);
        }
        self.sent += 1;
        if self.faults.truncate_reply == Some(self.sent) {
            ReplyFate::Truncate
        } else {
            ReplyFate::Send
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_fire_at_the_right_time() {
        let mut st = FaultState::new(&FaultInjector::new().drop_after(2).truncate_reply(2));
        assert!(!st.on_request());
        assert!(!st.on_request());
        assert!(st.on_request());
        assert_eq!(st.on_reply(), ReplyFate::Send);
        assert_eq!(st.on_reply(), ReplyFate::Truncate);
        assert_eq!(st.on_reply(), ReplyFate::Send);
        let mut none = FaultState::new(&FaultInjector::new());
        assert!((0..100).all(|_| !none.on_request()));
    }
}
