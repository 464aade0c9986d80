//! The crate's one error type, with kinds that mirror the Python connector's exception classes.
//!
//! Every fallible call returns [`Result<T>`](crate::Result). An [`Error`] carries
//!
//! * a [`kind`](Error::kind), the Python class it maps to: for a server error, the class of
//!   its code in the one [code table](crate::code#codes-and-pep-249-classes) every transport
//!   and path uses, else the class of the call that raised it,
//! * the server's [`code`](Error::code), masked to 16 bits, when a server (or the client,
//!   in the client-local 0xE000 range) assigned one,
//! * the [`message`](Error::message), verbatim from the server where it came from one,
//! * for schemaless inserts, the [`affected_rows`](Error::affected_rows) count,
//! * and the underlying cause as [`source`](std::error::Error::source).
//!
//! ```
//! use taosync_proto::{Code, Error, ErrorKind};
//! let e = Error::from_server(0x2603, "Table does not exist: t9", ErrorKind::Database);
//! assert_eq!(e.to_string(), "[0x2603] Table does not exist: t9");
//! assert_eq!(e.code(), Some(Code::PAR_TABLE_NOT_EXIST));
//! assert!(e.kind().is_database_error());
//! assert_eq!(e.kind().python_name(), "ProgrammingError");
//! ```

use std::fmt;

use crate::code::Code;

/// A boxed error cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The kind of an [`Error`]: the Python connector's exception class it corresponds to.
///
/// As in PEP 249, all kinds but [`Interface`](ErrorKind::Interface),
/// [`Connection`](ErrorKind::Connection) are "database errors"
/// ([`is_database_error`](ErrorKind::is_database_error)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `InterfaceError`: misuse of the API or bad input caught before any I/O: a malformed
    /// DSN, a closed cursor or connection, a typed read (`row.get::<T>`) of a NULL or of a value that does not fit.
    Interface,
    /// `ConnectionError`: the server cannot be reached or the link broke: refused or
    /// timed-out TCP connect, TLS or WebSocket handshake failure, the socket closed
    /// mid-request, authentication rejected while connecting.
    Connection,
    /// `DatabaseError`: a server error whose code has no class of its own in the
    /// [code table](crate::code#codes-and-pep-249-classes), raised by a query (a call with
    /// no more specific class). taosAdapter's free-text code `0xFFFF` is the usual one.
    Database,
    /// `OperationalError`: a request failed for operational reasons: a read timeout, an
    /// HTTP 5xx, a reply the protocol does not allow at that point, and the server codes
    /// for an unavailable node, a timeout, a cancelled or killed query, a resource or
    /// licence limit; also a fetch when no result set exists (as the Python connector
    /// raises it).
    Operational,
    /// `ProgrammingError`: the request is wrong, on every path (query, stmt, schemaless,
    /// TMQ): a parameter count that does not match the placeholders, or a server code for
    /// a syntax error, an unknown database, table, column, topic or function, no database
    /// selected, an invalid option, missing permission.
    Programming,
    /// `StatementError`: a parameter-binding statement (stmt / stmt2) failed to prepare,
    /// bind or execute for a reason no code class covers (calls in the wrong order, a
    /// closed statement, a server error without a classified code).
    Statement,
    /// `ResultError`: a result could not be decoded (a truncated or malformed block) or the
    /// server refused a fetch without a classified code (a freed result). A connection
    /// that breaks during a fetch is a [`Connection`](ErrorKind::Connection) error, on
    /// every transport.
    Result,
    /// `SchemalessError`: a schemaless insert failed with a schemaless code (`0x30xx`) or
    /// one without a class; [`Error::affected_rows`] is set on every server error of a
    /// schemaless insert, whatever its kind.
    Schemaless,
    /// `TmqError`: a data-subscription call failed (configuration, subscribe, poll, commit,
    /// seek, assignment) with a TMQ code (`0x40xx`), the consumer-gone code `0x03E6`, or a
    /// code without a class.
    Tmq,
    /// `DataError` (PEP 249): a value does not fit: too long for its column or tag
    /// (`0x2653`), out of range (`0x0224`, `0x0112`), an invalid or out-of-range timestamp
    /// (`0x0202`, `0x0127`, `0x060B`), a DECIMAL overflow, a division by zero, or a
    /// parameter that has no SQL literal form.
    Data,
    /// `InternalError` (PEP 249): the server reported an internal failure (the common
    /// range `0x01xx` mostly, `0x02FF`, `0x26FF`), or an invariant of this crate was
    /// broken; please report it.
    Internal,
    /// `NotSupportedError` (PEP 249): the operation is not supported by TDengine or by the
    /// chosen transport (for example `rollback`).
    NotSupported,
    /// `IntegrityError` (PEP 249): a duplicate or a constraint: every "already exists"
    /// code (database, table, supertable, column, tag, user, topic, …, when the statement
    /// has no `IF NOT EXISTS`) and an object still in use (a topic subscribed, a column
    /// a topic reads).
    Integrity,
    /// `Warning` (PEP 249; like PEP 249's `Warning`, not a database error): **never raised
    /// by this crate**. TDengine refuses values that do not fit instead of truncating them
    /// (for example `0x2653`, a value too long for its column, is an error), and neither
    /// taosAdapter's REST nor its WebSocket replies carry warnings, so there is nothing to
    /// report as one. The kind exists so that code ported from PEP 249 can name it.
    Warning,
}

impl ErrorKind {
    /// The Python class name, e.g. `"ProgrammingError"`.
    pub fn python_name(self) -> &'static str {
        match self {
            ErrorKind::Interface => "InterfaceError",
            ErrorKind::Connection => "ConnectionError",
            ErrorKind::Database => "DatabaseError",
            ErrorKind::Operational => "OperationalError",
            ErrorKind::Programming => "ProgrammingError",
            ErrorKind::Statement => "StatementError",
            ErrorKind::Result => "ResultError",
            ErrorKind::Schemaless => "SchemalessError",
            ErrorKind::Tmq => "TmqError",
            ErrorKind::Data => "DataError",
            ErrorKind::Internal => "InternalError",
            ErrorKind::NotSupported => "NotSupportedError",
            ErrorKind::Integrity => "IntegrityError",
            ErrorKind::Warning => "Warning",
        }
    }

    /// True when this kind is a subclass of PEP 249's `DatabaseError` in the Python
    /// connector (everything but Interface and Connection errors, and `Warning`).
    ///
    /// ```
    /// use taosync_proto::ErrorKind;
    /// assert!(ErrorKind::Programming.is_database_error());
    /// assert!(!ErrorKind::Interface.is_database_error());
    /// assert!(!ErrorKind::Warning.is_database_error());
    /// assert_eq!(ErrorKind::Warning.python_name(), "Warning");
    /// ```
    pub fn is_database_error(self) -> bool {
        !matches!(
            self,
            ErrorKind::Interface | ErrorKind::Connection | ErrorKind::Warning
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.python_name())
    }
}

struct Inner {
    kind: ErrorKind,
    code: Option<Code>,
    message: String,
    affected_rows: Option<u64>,
    source: Option<BoxError>,
}

/// The error type of every fallible call in this crate. See the [module docs](self).
pub struct Error(Box<Inner>);

impl Error {
    /// An error of `kind` with `message` and no code.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            code: None,
            message: message.into(),
            affected_rows: None,
            source: None,
        }))
    }

    /// An error of `kind` carrying a server (or client-local) code. `raw` may be the masked
    /// 16-bit code or the raw 32-bit engine value; it is masked to 16 bits.
    pub fn server(kind: ErrorKind, raw: i64, message: impl Into<String>) -> Error {
        Error::new(kind, message).with_code(Code::from_raw(raw))
    }

    /// An error a server reported with `raw` (masked to 16 bits): its kind is the code's
    /// class from the [table](crate::code#codes-and-pep-249-classes), or `context` when the
    /// code alone does not decide it.
    ///
    /// ```
    /// use taosync_proto::{Code, Error, ErrorKind};
    /// let e = Error::from_server(0x2653, "Value too long for column/tag: s", ErrorKind::Statement);
    /// assert_eq!(e.kind(), ErrorKind::Data);
    /// let e = Error::from_server(0xFFFF, "stmt is closed", ErrorKind::Statement);
    /// assert_eq!(e.kind(), ErrorKind::Statement);
    /// ```
    pub fn from_server(raw: i64, message: impl Into<String>, context: ErrorKind) -> Error {
        let code = Code::from_raw(raw);
        Error::new(code.kind().unwrap_or(context), message).with_code(code)
    }

    /// The same error in the context of a call of class `context`: a server error whose
    /// code left its class to the context (kind [`Database`](ErrorKind::Database), as
    /// decoding a reply without knowing the call produces it) takes `context`'s kind; every
    /// other error — a classified server code, a transport failure — keeps its own.
    ///
    /// ```
    /// use taosync_proto::{Error, ErrorKind};
    /// let unclassified = Error::from_server(0xFFFF, "no such stmt", ErrorKind::Database);
    /// assert_eq!(unclassified.in_context(ErrorKind::Statement).kind(), ErrorKind::Statement);
    /// let syntax = Error::from_server(0x2600, "syntax error", ErrorKind::Database);
    /// assert_eq!(syntax.in_context(ErrorKind::Statement).kind(), ErrorKind::Programming);
    /// let reset = Error::new(ErrorKind::Connection, "reset");
    /// assert_eq!(reset.in_context(ErrorKind::Result).kind(), ErrorKind::Connection);
    /// ```
    pub fn in_context(self, context: ErrorKind) -> Error {
        if self.0.kind == ErrorKind::Database {
            self.with_kind(context)
        } else {
            self
        }
    }

    /// The same error with `code` set.
    pub fn with_code(mut self, code: Code) -> Error {
        self.0.code = Some(code);
        self
    }

    /// The same error with `source` as its cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Error {
        self.0.source = Some(source.into());
        self
    }

    /// The same error with the affected-rows count set (schemaless inserts).
    pub fn with_affected_rows(mut self, rows: u64) -> Error {
        self.0.affected_rows = Some(rows);
        self
    }

    /// The same error re-labelled as `kind` (used where a lower layer's error surfaces
    /// through a call whose class is known, e.g. a server error during `subscribe` is a
    /// `TmqError`).
    pub fn with_kind(mut self, kind: ErrorKind) -> Error {
        self.0.kind = kind;
        self
    }

    /// The kind: which Python exception class this error corresponds to.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The server's error code masked to 16 bits, or a client-local code (0xE000 range);
    /// `None` for errors raised by this crate without a code.
    pub fn code(&self) -> Option<Code> {
        self.0.code
    }

    /// The message, verbatim from the server where it came from one.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// For schemaless inserts: the rows the server reported as written.
    pub fn affected_rows(&self) -> Option<u64> {
        self.0.affected_rows
    }

    /// True when the error says the connection is unusable (the caller should reconnect).
    pub fn is_connection_error(&self) -> bool {
        self.0.kind == ErrorKind::Connection
    }

    /// Shorthand for `Error::new(ErrorKind::Interface, message)`: the caller used the API
    /// wrongly (a malformed DSN, a bad argument).
    ///
    /// ```
    /// use taosync_proto::{Error, ErrorKind};
    /// assert_eq!(Error::interface("bad").kind(), ErrorKind::Interface);
    /// ```
    pub fn interface(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Interface, message)
    }

    /// Shorthand for `Error::new(ErrorKind::Result, message)`: a reply or block that could
    /// not be decoded.
    ///
    /// ```
    /// use taosync_proto::{Error, ErrorKind};
    /// assert_eq!(Error::result("truncated").kind(), ErrorKind::Result);
    /// ```
    pub fn result(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Result, message)
    }

    /// Shorthand for `Error::new(ErrorKind::NotSupported, message)`.
    ///
    /// ```
    /// use taosync_proto::{Error, ErrorKind};
    /// assert_eq!(Error::not_supported("no").kind(), ErrorKind::NotSupported);
    /// ```
    pub fn not_supported(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotSupported, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.code {
            Some(code) => write!(f, "[{code}] {}", self.0.message),
            None => f.write_str(&self.0.message),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.0.kind);
        if let Some(code) = self.0.code {
            d.field("code", &format_args!("{code}"));
        }
        d.field("message", &self.0.message);
        if let Some(rows) = self.0.affected_rows {
            d.field("affected_rows", &rows);
        }
        if let Some(source) = &self.0.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// A failed conversion of one value to a Rust type, before it is tied to a column.
/// [`Row::get`](crate::Row::get) lifts it into an [`Error`] of kind
/// [`Interface`](ErrorKind::Interface) that names the column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FromValueError {
    /// The value is NULL and the target type is not an `Option`.
    #[error("value is NULL; read it as Option<{target}>")]
    Null {
        /// The Rust type asked for.
        target: &'static str,
    },
    /// The value's type cannot be converted to the target type.
    #[error("cannot read a {from} value as {target}")]
    WrongType {
        /// The TDengine type of the value.
        from: &'static str,
        /// The Rust type asked for.
        target: &'static str,
    },
    /// The value does not fit the target type.
    #[error("value {value} is out of range for {target}")]
    OutOfRange {
        /// The value, as text.
        value: String,
        /// The Rust type asked for.
        target: &'static str,
    },
    /// The value's text could not be parsed as the target type.
    #[error("cannot parse {value:?} as {target}: {reason}")]
    Parse {
        /// The value, as text.
        value: String,
        /// The Rust type asked for.
        target: &'static str,
        /// Why parsing failed.
        reason: String,
    },
}

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn display_debug_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::new(ErrorKind::Connection, "cannot connect to localhost:1")
            .with_code(Code::CLIENT_IO_ERROR)
            .with_source(io);
        assert_eq!(e.to_string(), "[0xe005] cannot connect to localhost:1");
        assert!(e.source().unwrap().to_string().contains("refused"));
        assert!(format!("{e:?}").contains("Connection"));
        assert!(!e.kind().is_database_error());
        let plain = Error::interface("fetch before execute");
        assert_eq!(plain.to_string(), "fetch before execute");
        assert_eq!(plain.code(), None);
        assert_eq!(std::mem::size_of::<Result<(), Error>>(), 8);
    }
}
