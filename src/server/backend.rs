//! The network layer's view of the engine: three small object-safe traits, so that the HTTP,
//! REST and WebSocket code can be exercised against a stand-in engine in unit tests and
//! drives the real in-memory engine (`super::engine`) in the server.

use std::sync::Arc;

use chrono_tz::Tz;

use crate::row::Column;
use crate::types::Precision;
use crate::value::Value;

/// An engine error as the network layer reports it: a 16-bit code and the engine's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DbError {
    /// The masked engine code.
    pub(crate) code: u16,
    /// The engine's message.
    pub(crate) message: String,
}

impl DbError {
    /// An error with `code` and `message`.
    pub(crate) fn new(code: u16, message: impl Into<String>) -> DbError {
        DbError {
            code,
            message: message.into(),
        }
    }
}

/// The outcome of one statement.
pub(crate) enum Exec {
    /// A statement without a result set; the number of rows it wrote or deleted.
    Affected(u64),
    /// A result set, to be streamed block by block.
    Rows(Box<dyn ResultSet>),
}

/// The engine as a whole: shared by every connection thread.
pub(crate) trait Backend: Send + Sync {
    /// Checks a user name and password (`0x0357` on failure).
    fn authenticate(&self, user: &str, password: &str) -> Result<(), DbError>;
    /// A new session (one per WebSocket connection or REST request) for `user`.
    fn open(&self, user: &str) -> Box<dyn Session>;
    /// The TMQ broker `/rest/tmq` serves (none: the endpoint closes every socket).
    fn tmq_broker(&self) -> Option<Arc<super::tmq::Broker>> {
        None
    }
}

/// One connection's state: current database and time zone.
pub(crate) trait Session: Send {
    /// Sets the connection time zone (time literals without an offset).
    fn set_timezone(&mut self, tz: Tz);
    /// The current database, if any.
    fn current_db(&self) -> Option<String>;
    /// `USE db`.
    fn use_db(&mut self, db: &str) -> Result<(), DbError>;
    /// Runs one statement.
    fn execute(&mut self, sql: &str, req_id: u64) -> Result<Exec, DbError>;
    /// Checks that `sql` would parse and resolve, without running it (WS `validate_sql`).
    fn validate(&mut self, sql: &str) -> Result<(), DbError>;
}

/// A streaming result set.
pub(crate) trait ResultSet: Send {
    /// The result columns.
    fn columns(&self) -> &Arc<[Column]>;
    /// The precision of every TIMESTAMP column.
    fn precision(&self) -> Precision;
    /// The next block of at most `max_rows` rows; `None` at the end.
    fn next_block(&mut self, max_rows: usize) -> Result<Option<Vec<Vec<Value>>>, DbError>;
}
