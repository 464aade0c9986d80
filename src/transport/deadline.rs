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

/// How stale the armed socket timeout may get before it is set again: a call starting
/// `t` after arming blocks at most until `deadline + t`, so re-arming only when `t`
/// exceeds this bounds the overshoot while sparing a system call per small read.
const REARM_AFTER: Duration = Duration::from_millis(2);

/// A [`TcpStream`] with a deadline for everything read or written through it.
#[derive(Debug)]
pub(crate) struct DeadlineStream {
    tcp: TcpStream,
    deadline: Option<Instant>,
    /// When the read and write timeouts were last set to the time left.
    armed_at: Option<Instant>,
}

impl DeadlineStream {
    /// Wraps `tcp`; `deadline` bounds every call until [`set_deadline`](Self::set_deadline)
    /// moves it.
    pub(crate) fn new(tcp: TcpStream, deadline: Instant) -> DeadlineStream {
        DeadlineStream {
            tcp,
            deadline: Some(deadline),
            armed_at: None,
        }
    }

    /// Moves the deadline of every later read and write.
    pub(crate) fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = Some(deadline);
        self.armed_at = None;
    }

    /// The TCP socket underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// Sets the socket's timeouts to the time left, or fails when none is.
    fn arm(&mut self) -> io::Result<()> {
        let Some(deadline) = self.deadline else {
            return Ok(());
        };
        let now = Instant::now();
        let left = deadline.saturating_duration_since(now);
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
        }
        if self
            .armed_at
            .is_none_or(|at| now.duration_since(at) > REARM_AFTER)
        {
            // A zero timeout means "block forever" to the OS; `left` is never zero here.
            self.tcp.set_read_timeout(Some(left))?;
            self.tcp.set_write_timeout(Some(left))?;
            self.armed_at = Some(now);
        }
        Ok(())
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm()?;
        self.tcp.read(buf)
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.arm()?;
        self.tcp.write(buf)
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
