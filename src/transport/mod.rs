//! The socket-owning transports (REST over ureq, WebSocket over tungstenite).
//!
//! [`Session`] is a two-arm enum: every operation is a `match` over REST and WebSocket, so a
//! new transport is a new variant and the compiler lists every place to handle it. The
//! transports only move bytes: requests are built and replies decoded by [`crate::proto`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, HostAddr};
use crate::row::{Column, Row};
use crate::types::Precision;

pub(crate) mod rest;
pub(crate) mod ws;

/// What a statement produced.
pub(crate) enum Outcome {
    /// A statement without a result set, with its affected-row count.
    Affected(u64),
    /// A result set: its columns, precision, the rows already received and, when more may
    /// follow, the server's result handle.
    Rows {
        columns: Arc<[Column]>,
        precision: Precision,
        rows: VecDeque<Row>,
        handle: Option<u64>,
    },
}

/// One open session with a server.
pub(crate) enum Session {
    /// REST: stateless HTTP requests.
    Rest(rest::RestSession),
    /// WebSocket: one socket, a server-side session.
    Ws(Box<ws::WsSession>),
}

impl Session {
    /// Opens a session to `host`.
    pub(crate) fn open(
        opts: &Arc<ConnectOptions>,
        host: &HostAddr,
        db: Option<&str>,
    ) -> Result<Session> {
        if opts.get_protocol().is_websocket() {
            ws::WsSession::open(opts, host, db).map(|s| Session::Ws(Box::new(s)))
        } else {
            rest::RestSession::open(opts, host, db).map(Session::Rest)
        }
    }

    /// The WebSocket session, `None` over REST.
    pub(crate) fn ws(&mut self) -> Option<&mut ws::WsSession> {
        match self {
            Session::Rest(_) => None,
            Session::Ws(s) => Some(s),
        }
    }

    /// Runs one statement.
    pub(crate) fn query(&mut self, sql: &str, req_id: u64) -> Result<Outcome> {
        match self {
            Session::Rest(s) => s.query(sql, req_id),
            Session::Ws(s) => s.query(sql, req_id),
        }
    }

    /// The next block of result `handle`; `None` at the end (the server has then freed it).
    pub(crate) fn fetch(
        &mut self,
        handle: u64,
        columns: &Arc<[Column]>,
        precision: Precision,
        req_id: u64,
    ) -> Result<Option<Vec<Row>>> {
        match self {
            Session::Rest(_) => Ok(None),
            Session::Ws(s) => s.fetch(handle, columns, precision, req_id),
        }
    }

    /// Frees result `handle` early (fire and forget).
    pub(crate) fn free_result(&mut self, handle: u64, req_id: u64) {
        match self {
            Session::Rest(_) => {}
            Session::Ws(s) => s.free_result(handle, req_id),
        }
    }

    /// The server version as the server reports it.
    pub(crate) fn server_version(&mut self, req_id: u64) -> Result<String> {
        match self {
            Session::Rest(s) => s.server_version(req_id),
            Session::Ws(s) => Ok(s.server_version().to_owned()),
        }
    }

    /// The database selected with `USE` (or the DSN), as this client knows it.
    pub(crate) fn current_db(&self) -> Option<&str> {
        match self {
            Session::Rest(s) => s.current_db(),
            Session::Ws(s) => s.current_db(),
        }
    }

    /// Records that `db` is now the current database (after a successful `USE`).
    pub(crate) fn set_current_db(&mut self, db: Option<String>) {
        match self {
            Session::Rest(s) => s.set_current_db(db),
            Session::Ws(s) => s.set_current_db(db),
        }
    }

    /// The host this session talks to.
    pub(crate) fn host(&self) -> &HostAddr {
        match self {
            Session::Rest(s) => s.host(),
            Session::Ws(s) => s.host(),
        }
    }

    /// Closes the session; errors are logged, not returned.
    pub(crate) fn close(&mut self) {
        match self {
            Session::Rest(_) => {}
            Session::Ws(s) => s.close(),
        }
    }
}

/// The database named by a `USE <db>` statement, when `sql` is one.
pub(crate) fn parse_use(sql: &str) -> Option<String> {
    let t = sql.trim();
    let t = t.strip_suffix(';').unwrap_or(t).trim_end();
    let head = t.get(..3)?;
    if !head.eq_ignore_ascii_case("use") {
        return None;
    }
    let rest = &t[3..];
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let name = rest.trim();
    let name = match name.strip_prefix('`') {
        Some(inner) => inner.strip_suffix('`')?.to_owned(),
        None => {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return None;
            }
            name.to_ascii_lowercase()
        }
    };
    (!name.is_empty()).then_some(name)
}

/// A timeout on a blocking read or write: `OperationalError`, code 0xE004.
pub(crate) fn timeout_error(what: &str, after: Duration) -> Error {
    Error::new(
        ErrorKind::Operational,
        format!("{what}: no reply within {after:?} (read_timeout)"),
    )
    .with_code(Code::CLIENT_RECV_TIMEOUT)
}

/// True for the I/O error kinds a socket timeout produces.
pub(crate) fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_statements() {
        assert_eq!(parse_use("use db1"), Some("db1".into()));
        assert_eq!(parse_use("  USE  Db1 ;"), Some("db1".into()));
        assert_eq!(parse_use("use `My`"), Some("My".into()));
        assert_eq!(parse_use("user"), None);
        assert_eq!(parse_use("use a b"), None);
        assert_eq!(parse_use("use"), None);
        assert_eq!(parse_use("select 1"), None);
    }
}
