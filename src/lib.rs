#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "arrow")]
#[cfg_attr(docsrs, doc(cfg(feature = "arrow")))]
pub mod arrow;
pub mod connection;
pub mod cursor;
pub mod dbapi;
pub mod options;
pub mod params;
#[cfg(feature = "r2d2")]
#[cfg_attr(docsrs, doc(cfg(feature = "r2d2")))]
pub mod pool;
mod req_id;
mod retry;
pub mod schemaless;
mod shared;
pub mod stmt;
pub mod tmq;
pub(crate) mod transport;

// The value model lives in the wire-level crate, shared with the embedded server; the client
// re-exports the items users touch and keeps the codecs private.
pub(crate) use taosync_proto as proto;
pub(crate) use taosync_proto::{code, error, row, types, tz, value};

pub use connection::{Connection, ResultSet, connect};
pub use cursor::{ColumnDescription, Cursor};
pub use dbapi::{BINARY, DATETIME, NUMBER, ROWID, STRING, TypeObject};
pub use options::{ConnectOptions, Protocol, TlsOptions};
pub use params::Params;
pub use req_id::with_req_id;
pub use schemaless::{Schemaless, SchemalessLines, SchemalessPrecision, SchemalessProtocol};
pub use stmt::{ColumnView, Statement, StatementBuilder, StmtProtocol};
pub use taosync_proto::Code;
pub use taosync_proto::block::ValueRef;
pub use taosync_proto::error::{Error, ErrorKind, FromValueError, Result};
pub use taosync_proto::row::{Column, FromRow, Row, RowIndex};
pub use taosync_proto::types::{Decimal, Precision, Timestamp, Type};
pub use taosync_proto::tz::{Zone, ZoneOffset};
pub use taosync_proto::value::{FromValue, Value};
pub use tmq::{Consumer, ConsumerBuilder, Message, MessageBlock, TopicAssignment, TopicPartition};
#[cfg(feature = "rest")]
pub use transport::rest::RestClient;

/// This crate's version, as Cargo knows it (also sent to the server as the connector name
/// `taosync-v<VERSION>` in `conn`).
///
/// ```
/// assert_eq!(taosync::VERSION.split('.').count(), 3);
/// ```
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// PEP 249 `apilevel`: the DB-API level this crate follows.
pub const APILEVEL: &str = "2.0";

/// PEP 249 `threadsafety`: `2`, threads may share the module and connections.
///
/// A connection serialises its requests internally (one request on the wire at a time), so
/// sharing one between threads is safe but gives no parallelism; open one connection per
/// thread for that. Cursors hold per-query state and are used by one thread at a time.
pub const THREADSAFETY: u8 = 2;

/// PEP 249 `paramstyle`: `"qmark"` (`WHERE ts > ? AND v = ?`), the style of the Python
/// connector and of TDengine's prepared statements.
pub const PARAMSTYLE: &str = "qmark";

#[cfg(test)]
mod tests {
    /// The quickstart is written once: the README (which is also the crate's front page)
    /// shows `examples/quickstart.rs` verbatim.
    #[test]
    fn the_readme_quickstart_is_the_quickstart_example() {
        let readme = include_str!("../README.md");
        let example = include_str!("../examples/quickstart.rs");
        assert!(
            readme.contains(&format!("```rust\n{example}```")),
            "README.md's Quickstart block differs from examples/quickstart.rs"
        );
    }
}
