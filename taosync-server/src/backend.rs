//! The one seam between the network layer (`crate::net`) and the engine side (`engine`,
//! `sml`, `tmq`): three small object-safe traits, so that the HTTP, REST and WebSocket code
//! can be exercised against a stand-in engine in unit tests and drives the real in-memory
//! engine (through `crate::binding`) in the server.
//!
//! Besides the traits, the seam names the engine-owned data the network layer passes
//! across it: the stmt shapes and row targets ([`StmtShape`], [`RowTarget`], ...), the
//! schemaless request and its wire enums ([`SmlRequest`], [`SmlPrecision`],
//! [`SmlProtocol`], [`telnet_http_payload`]) and the TMQ broker that `/rest/tmq` drives
//! ([`Broker`], [`TmqSession`], ...; reached through [`Backend::tmq_broker`]). The network
//! layer imports them from here, never from `engine`, `sml` or `tmq` directly.

use std::sync::Arc;

use chrono_tz::Tz;

pub(crate) use crate::engine::stmt::{FieldKind, StmtShape};
pub(crate) use crate::engine::{AutoCreate, RowTarget, TableInfo};
pub(crate) use crate::sml::{SmlPrecision, SmlProtocol, telnet_http_payload};
pub(crate) use crate::tmq::session::MAX_BLOCKING_TIME_MS;
pub(crate) use crate::tmq::{Broker, SessionReply, TmqError, TmqSession};
use taosync_proto::row::Column;
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

/// The error of a [`Session`] stmt method its backend does not provide.
fn no_stmt() -> DbError {
    DbError::new(
        0x0200,
        "Invalid operation: this backend has no prepared statements",
    )
}

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

/// One schemaless write, as every endpoint describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SmlRequest<'a> {
    /// The wire protocol number (1 line, 2 telnet, 3 JSON); anything else is
    /// `SML_INVALID_PROTOCOL_TYPE`.
    pub(crate) protocol: i64,
    /// The timestamp unit of line-protocol records.
    pub(crate) precision: SmlPrecision,
    /// The payload.
    pub(crate) data: &'a str,
    /// TTL in days of the tables this call creates (accepted; the engine keeps no TTL).
    pub(crate) ttl: i64,
    /// Request id (logging only).
    pub(crate) req_id: u64,
    /// The tag naming child tables (`""` for the MD5 rule).
    pub(crate) table_name_key: &'a str,
}

/// What a successful write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SmlOutcome {
    /// Rows written.
    pub(crate) affected_rows: u64,
    /// Records parsed.
    pub(crate) total_rows: usize,
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
    fn tmq_broker(&self) -> Option<Arc<Broker>> {
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
    /// Writes a schemaless batch into the current database (02 §2); nothing is written
    /// when it fails. Backends without schemaless support keep this default.
    fn schemaless_insert(&mut self, req: &SmlRequest<'_>) -> Result<SmlOutcome, DbError> {
        let _ = req;
        Err(DbError::new(
            0xffff,
            "schemaless writes are not supported by this backend",
        ))
    }

    /// stmt / stmt2 prepare: the placeholders of `sql` and, for an insert, its target.
    fn prepare_shape(&self, _sql: &str) -> Result<StmtShape, DbError> {
        Err(no_stmt())
    }
    /// The constant tag values of an `INSERT INTO ? USING st TAGS (…)` written without `?`
    /// (`None` when `sql` is anything else); backends without stmt support keep this default.
    fn literal_tags(&self, _sql: &str) -> Option<Vec<Value>> {
        None
    }
    /// The schema of a table or supertable (`db` defaults to the current database).
    fn table_info(&self, _db: Option<&str>, _table: &str) -> Result<TableInfo, DbError> {
        Err(no_stmt())
    }
    /// Writes typed rows into `target` (auto-creating a child table) through the normal
    /// insert path; the number of rows written.
    fn insert_rows(&mut self, _target: &RowTarget, _rows: &[Vec<Value>]) -> Result<u64, DbError> {
        Err(no_stmt())
    }
    /// Runs `sql` with its `?` placeholders bound to `params` in text order.
    fn execute_with_params(
        &mut self,
        _sql: &str,
        _params: &[Value],
        _req_id: u64,
    ) -> Result<Exec, DbError> {
        Err(no_stmt())
    }
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
