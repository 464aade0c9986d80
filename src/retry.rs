//! Connection attempts with retries and exponential backoff, shared by
//! [`Connection`](crate::Connection)'s host failover and the TMQ consumer's reconnect, so
//! both honour `conn_retries`, `retry_backoff_ms` and `retry_backoff_max_ms` alike and
//! stop alike on an answer that would not change.

use std::fmt::Display;

use crate::error::{Error, ErrorKind, Result};
use crate::options::ConnectOptions;

/// True when trying again cannot help: bad options (an [`Interface`](ErrorKind::Interface)
/// error), or a server that answered with its own error (a bad password, a missing
/// database). Lost sockets, refused connections and timeouts are worth another attempt.
pub(crate) fn is_definitive(e: &Error) -> bool {
    e.kind() == ErrorKind::Interface || e.code().is_some_and(|c| !c.is_client_local())
}

/// Runs `attempt` up to `conn_retries + 1` times, sleeping `retry_backoff` (doubled each
/// time, at most `retry_backoff_max`) between failures; a [definitive](is_definitive)
/// failure is returned at once. `target` names what is tried, for the log.
pub(crate) fn with_backoff<T>(
    opts: &ConnectOptions,
    target: &dyn Display,
    mut attempt: impl FnMut() -> Result<T>,
) -> Result<T> {
    let attempts = opts.get_conn_retries().saturating_add(1);
    let mut backoff = opts.get_retry_backoff();
    let mut n = 1;
    loop {
        match attempt() {
            Ok(v) => return Ok(v),
            Err(e) => {
                log::debug!("{target}: attempt {n}/{attempts} failed: {e}");
                if n >= attempts || is_definitive(&e) {
                    return Err(e);
                }
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(opts.get_retry_backoff_max());
                n += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::code::Code;

    fn opts(retries: u32) -> ConnectOptions {
        ConnectOptions::new()
            .conn_retries(retries)
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
    }

    fn lost() -> Error {
        Error::new(ErrorKind::Connection, "lost").with_code(Code::CLIENT_IO_ERROR)
    }

    #[test]
    fn retries_transient_failures_then_gives_up() {
        let mut calls = 0;
        let r: Result<()> = with_backoff(&opts(3), &"h", || {
            calls += 1;
            Err(lost())
        });
        assert!(r.is_err());
        assert_eq!(calls, 4);
        let mut calls = 0;
        let r = with_backoff(&opts(3), &"h", || {
            calls += 1;
            if calls < 3 { Err(lost()) } else { Ok(calls) }
        });
        assert_eq!(r.unwrap(), 3);
    }

    #[test]
    fn a_definitive_answer_is_not_retried() {
        let start = Instant::now();
        let mut calls = 0;
        let r: Result<()> = with_backoff(&opts(5), &"h", || {
            calls += 1;
            Err(Error::interface("bad option"))
        });
        assert!(r.is_err());
        assert_eq!(calls, 1);
        let mut calls = 0;
        let r: Result<()> = with_backoff(&opts(5), &"h", || {
            calls += 1;
            Err(Error::new(ErrorKind::Operational, "auth").with_code(Code::new(0x0357)))
        });
        assert!(r.is_err());
        assert_eq!(calls, 1);
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
