//! # taosync
//!
//! A synchronous, blocking [TDengine](https://tdengine.com) client whose surface follows
//! Python's DB-API 2.0 (PEP 249). It talks to taosAdapter over WebSocket (`ws://`, `wss://`)
//! or REST (`http://`, `https://`), with no async runtime anywhere in its dependency tree.
//!
//! With the `server` feature it also embeds an in-memory, taosAdapter-compatible server
//! (see `server`), so code that uses TDengine can be tested without installing it.
//!
//! ## Quickstart
//!
//! ```no_run
//! use taosync::{params, Timestamp};
//!
//! // ws:// and wss:// use WebSocket, http:// and https:// use REST (see `options`).
//! let conn = taosync::connect("ws://root:taosdata@localhost:6041")?;
//! conn.execute("create database if not exists power", ())?;
//! conn.select_db("power")?;
//! conn.execute("create table if not exists t (ts timestamp, current float, site nchar(16))", ())?;
//!
//! let mut cur = conn.cursor();
//! cur.executemany(
//!     "insert into t values (?, ?, ?)",
//!     [params![1_700_000_000_000i64, 10.3f32, "北京"], params![1_700_000_001_000i64, 10.8f32, "上海"]],
//! )?;
//! cur.execute("select ts, current, site from t where current > ?", params![10.0f32])?;
//! for row in cur.fetchall()? {
//!     let (ts, current, site): (Timestamp, f32, String) = row.to_typed()?;
//!     println!("{ts} {current} {site}");
//! }
//! # Ok::<(), taosync::Error>(())
//! ```
//!
//! ## Module facts (PEP 249)
//!
//! * [`APILEVEL`] is `"2.0"`.
//! * [`THREADSAFETY`] is `2`: threads may share the module and connections, but not
//!   cursors. A [`Connection`] is `Send + Sync` and serialises requests on one socket;
//!   a cursor is `Send` and owned by one thread at a time.
//! * [`PARAMSTYLE`] is `"qmark"`: parameters are written `?`, as the Python connector and
//!   TDengine's own stmt interface write them.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod connection;
pub mod cursor;
pub mod options;
pub mod params;
mod req_id;
pub mod schemaless;
mod shared;
pub mod stmt;
pub mod tmq;
pub(crate) mod transport;

// The value model lives in the wire-level crate, shared with the embedded server; the client
// re-exports the items users touch and keeps the codecs private.
pub(crate) use taosync_proto as proto;
pub(crate) use taosync_proto::{code, error, row, types, value};

pub use connection::{Connection, ResultSet, connect};
pub use cursor::{ColumnDescription, Cursor};
pub use options::{ConnectOptions, Protocol, TlsOptions};
pub use params::Params;
pub use req_id::with_req_id;
pub use schemaless::{Schemaless, SchemalessLines, SchemalessPrecision, SchemalessProtocol};
pub use stmt::{ColumnView, Statement, StatementBuilder, StmtProtocol};
pub use taosync_proto::Code;
pub use taosync_proto::error::{Error, ErrorKind, FromValueError, Result};
pub use taosync_proto::row::{Column, FromRow, Row, RowIndex};
pub use taosync_proto::types::{Decimal, Precision, Timestamp, Type};
pub use taosync_proto::value::{FromValue, Value};
pub use tmq::{Consumer, ConsumerBuilder, Message, MessageBlock, TopicAssignment, TopicPartition};
pub use transport::rest::RestClient;

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

/// The README's Rust examples, compiled (not run) as doc-tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
