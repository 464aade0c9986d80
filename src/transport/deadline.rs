//! A TCP stream whose every read and write ends by a deadline.
//!
//! A socket timeout alone is an idle timer: a peer that sends one byte just before each
//! timeout keeps a read going forever, because tungstenite and the TLS layer call `read`
//! again until a frame is complete. [`DeadlineStream`] sets the socket timeout to the time
//! left before each call, and fails with `TimedOut` once the deadline has passed, so a
//! whole handshake or reply is bounded however the bytes trickle in.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How far past the deadline a call may block: a socket timeout armed earlier is kept
/// while a call starting now would end by `deadline + SLACK`, which spares the two
/// `setsockopt` calls per request that re-arming every time cost.
const SLACK: Duration = Duration::from_millis(2);

/// Which way a call moves bytes (the socket has one timeout for each).
#[derive(Clone, Copy)]
enum Direction {
    Read,
    Write,
}

/// A [`TcpStream`] with a deadline for everything read or written through it.
#[derive(Debug)]
pub(crate) struct DeadlineStream {
    tcp: TcpStream,
    deadline: Option<Instant>,
    /// The socket's read and write timeouts as last set (`None`: not set by us yet).
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// Non-blocking mode: every call returns at once (`WouldBlock` when it would wait),
    /// whatever the deadline.
    nonblocking: bool,
}

impl DeadlineStream {
    /// Wraps `tcp`; `deadline` bounds every call until [`set_deadline`](Self::set_deadline)
    /// moves it.
    pub(crate) fn new(tcp: TcpStream, deadline: Instant) -> DeadlineStream {
        DeadlineStream {
            tcp,
            deadline: Some(deadline),
            read_timeout: None,
            write_timeout: None,
            nonblocking: false,
        }
    }

    /// Switches between calls that block until the deadline and calls that never wait
    /// (`WouldBlock` when nothing can be moved now): a check of what has already arrived
    /// must read it even when the thread was descheduled past any short deadline.
    pub(crate) fn set_nonblocking(&mut self, on: bool) -> io::Result<()> {
        if self.nonblocking != on {
            self.tcp.set_nonblocking(on)?;
            self.nonblocking = on;
        }
        Ok(())
    }

    /// Moves the deadline of every later read and write.
    pub(crate) fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = Some(deadline);
    }

    /// The TCP socket underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// Makes sure a call in `dir` starting now cannot block past the deadline (by more
    /// than [`SLACK`]), setting the socket timeout to the time left when the armed one
    /// is too long; fails once the deadline has passed. An armed timeout that is
    /// *shorter* than the time left is kept: the call then times out early and
    /// [`bounded`](Self::bounded) arms it again.
    fn arm(&mut self, dir: Direction) -> io::Result<()> {
        let Some(deadline) = self.deadline else {
            return Ok(());
        };
        let now = Instant::now();
        let left = deadline.saturating_duration_since(now);
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
        }
        if self.armed(dir).is_some_and(|t| t <= left + SLACK) {
            return Ok(());
        }
        // A zero timeout means "block forever" to the OS; `left` is never zero here.
        match dir {
            Direction::Read => self.tcp.set_read_timeout(Some(left))?,
            Direction::Write => self.tcp.set_write_timeout(Some(left))?,
        }
        *self.armed(dir) = Some(left);
        Ok(())
    }

    /// The timeout last set for `dir`.
    fn armed(&mut self, dir: Direction) -> &mut Option<Duration> {
        match dir {
            Direction::Read => &mut self.read_timeout,
            Direction::Write => &mut self.write_timeout,
        }
    }

    /// Runs one read or write (`op`) within the deadline. A socket timeout while the
    /// deadline is still ahead came from a timeout armed shorter than the time left: it
    /// is disarmed and the call repeated with the time actually left.
    fn bounded<T>(
        &mut self,
        dir: Direction,
        mut op: impl FnMut(&mut TcpStream) -> io::Result<T>,
    ) -> io::Result<T> {
        if self.nonblocking {
            return op(&mut self.tcp);
        }
        loop {
            self.arm(dir)?;
            match op(&mut self.tcp) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) && self.deadline.is_some_and(|d| Instant::now() < d) =>
                {
                    *self.armed(dir) = None;
                }
                r => return r,
            }
        }
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.bounded(Direction::Read, |tcp| tcp.read(buf))
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bounded(Direction::Write, |tcp| tcp.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// The stream under a WebSocket: a [`DeadlineStream`], inside TLS for `wss`.
#[derive(Debug)]
pub(crate) enum WsStream {
    /// `ws://`.
    Plain(DeadlineStream),
    /// `wss://`.
    Tls(Box<native_tls::TlsStream<DeadlineStream>>),
}

impl WsStream {
    /// The deadline-keeping stream, under TLS if any.
    pub(crate) fn inner(&self) -> &DeadlineStream {
        match self {
            WsStream::Plain(s) => s,
            WsStream::Tls(s) => s.get_ref(),
        }
    }

    /// Moves the deadline of every later read and write.
    pub(crate) fn set_deadline(&mut self, deadline: Instant) {
        match self {
            WsStream::Plain(s) => s.set_deadline(deadline),
            WsStream::Tls(s) => s.get_mut().set_deadline(deadline),
        }
    }

    /// [`DeadlineStream::set_nonblocking`] on the socket under TLS if any.
    pub(crate) fn set_nonblocking(&mut self, on: bool) -> io::Result<()> {
        match self {
            WsStream::Plain(s) => s.set_nonblocking(on),
            WsStream::Tls(s) => s.get_mut().set_nonblocking(on),
        }
    }
}

impl Read for WsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            WsStream::Plain(s) => s.read(buf),
            WsStream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for WsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            WsStream::Plain(s) => s.write(buf),
            WsStream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            WsStream::Plain(s) => s.flush(),
            WsStream::Tls(s) => s.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// A timeout armed for a short deadline does not cut a later, longer one short: the
    /// early socket timeout is retried with the time actually left.
    #[test]
    fn a_short_armed_timeout_does_not_fail_a_longer_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            thread::sleep(Duration::from_millis(300));
            let _ = s.write_all(b"late");
            thread::sleep(Duration::from_millis(100));
        });
        let tcp = TcpStream::connect(addr).unwrap();
        let mut stream = DeadlineStream::new(tcp, Instant::now() + Duration::from_millis(50));
        let mut buf = [0u8; 8];
        let e = stream.read(&mut buf).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ),
            "{e:?}"
        );
        stream.set_deadline(Instant::now() + Duration::from_secs(5));
        let n = stream.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"late");
        drop(stream);
        peer.join().unwrap();
    }

    /// A peer writing a byte every 50 ms cannot stretch a read loop past its deadline.
    #[test]
    fn a_dripping_peer_cannot_stretch_a_read_past_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            for _ in 0..40 {
                if s.write_all(b"x").is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(50));
            }
        });
        let start = Instant::now();
        let tcp = TcpStream::connect(addr).unwrap();
        let mut stream = DeadlineStream::new(tcp, start + Duration::from_millis(300));
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        let e = loop {
            match stream.read(&mut buf) {
                Ok(0) => panic!("the peer ended first"),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => break e,
            }
        };
        assert!(
            matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ),
            "{e:?}"
        );
        assert!(start.elapsed() < Duration::from_millis(600));
        assert!(!got.is_empty() && got.len() < 40);
        drop(stream);
        peer.join().unwrap();
    }
}
