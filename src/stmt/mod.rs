//! Parameter binding: prepared statements over stmt2 and stmt v1.
//!
//! A [`Statement`] is prepared once with `?` placeholders and executed many times with
//! values bound column by column ([`ColumnView`], one typed, nullable vector per column)
//! or row by row ([`Statement::bind_row`]). Its surface follows the Python connector's
//! `TaosStmt`: [`prepare`](Statement::prepare), [`set_tbname`](Statement::set_tbname),
//! [`set_tags`](Statement::set_tags), [`bind_param`](Statement::bind_param),
//! [`add_batch`](Statement::add_batch), [`execute`](Statement::execute),
//! [`affected_rows`](Statement::affected_rows), [`result`](Statement::result) and
//! [`close`](Statement::close).
//!
//! ```
//! use taosync::stmt::ColumnView;
//! use taosync::Value;
//!
//! # let server = taosync_server::Server::start(Default::default())?;
//! # let setup = taosync::connect(server.dsn_ws().as_str())?;
//! # setup.execute("create database power", ())?;
//! # setup.execute("create stable power.meters (ts timestamp, current float, voltage int) tags (groupid int, location varchar(24))", ())?;
//! # let dsn = format!("{}/power", server.dsn_ws()); // ws://root:taosdata@127.0.0.1:<port>/power
//! let conn = taosync::connect(dsn.as_str())?;
//! let mut stmt = conn.statement_with("INSERT INTO ? USING meters TAGS (?, ?) VALUES (?, ?, ?)")?;
//! for (i, site) in ["d1001", "d1002"].iter().enumerate() {
//!     stmt.set_tbname_tags(site, &[Value::Int(i as i32), Value::from("California")])?;
//!     stmt.bind_param([
//!         ColumnView::millis_timestamps([1_700_000_000_000, 1_700_000_000_001]),
//!         ColumnView::floats([Some(10.2), None]),
//!         ColumnView::ints([219, 221]),
//!     ])?;
//!     stmt.add_batch()?;
//! }
//! assert_eq!(stmt.execute()?, 4); // both tables in one request on stmt2
//!
//! let mut query = conn.statement_with("SELECT ts, current FROM meters WHERE voltage > ?")?;
//! query.bind_row(&[Value::Int(220)])?;
//! query.execute()?;
//! for row in query.result()? {
//!     println!("{:?}", row?);
//! }
//! # Ok::<(), taosync::Error>(())
//! ```
//!
//! ## Wire protocol
//!
//! [`StmtProtocol::Auto`] (the default) uses **stmt2** on servers reporting 3.3.5.0 or newer
//! and **stmt v1** on older ones; either can be chosen with
//! [`StatementBuilder::protocol`]. Binds are kept client-side until
//! [`execute`](Statement::execute):
//!
//! * stmt2 sends every table bound since the last execute in **one** binary bind message
//!   (action 9), then `stmt2_exec`;
//! * stmt v1 sends, per table, `set_table_name`, the tags (binary action 1), the rows
//!   (binary action 2) and `add_batch`, then one `exec`.
//!
//! Values are converted to the types the server reports for the prepared statement (an
//! `ints` view bound to a BIGINT column is sent as BIGINT, a timestamp is converted to the
//! column precision). A value that cannot be converted (text into an INT column, 300 into a
//! TINYINT) is a [`Data`](ErrorKind::Data) error with code 0x0203 (invalid value) naming
//! the column and row, raised before anything is sent.
//!
//! The statement lives on the connection's WebSocket. If that socket breaks and the
//! connection reopens it, the server has forgotten the statement: the next call fails with
//! a [`Connection`](ErrorKind::Connection) error instead of sending the stale id, and
//! [`prepare`](Statement::prepare) starts over on the new socket.
//!
//! ## Errors and what a failed execute leaves behind
//!
//! Binds the server rejects (wrong column count, wrong row count, a missing table name,
//! tags on a normal table, a value too long for its column) carry the server's code
//! ([`Error::code`]) and the kind the [code table](crate::Code) gives it: a wrong column
//! count is `Programming`, a value too long is `Data`; codes the table leaves to the
//! context (the statement API's own, 0x022A–0x0233) are `Statement`. When [`execute`](Statement::execute)
//! fails, nothing of that execute is written and its binds are dropped: on stmt2 the one
//! bind message is checked as a whole before `stmt2_exec`; on stmt v1, where the tables
//! before the failing one were already added on the server, the statement is prepared
//! again on the server to drop them. Rows of earlier, successful executes stay written.
//! The statement stays prepared and can be bound again.
//!
//! ## REST
//!
//! REST (`http://`) has no server-side prepared statements. Rather than emulate them by
//! rendering SQL (which [`Cursor::executemany`](crate::Cursor::executemany) already does,
//! batching INSERT rows into multi-row statements), [`Connection::statement`] over REST is a
//! [`NotSupported`](ErrorKind::NotSupported) error that says to use `ws://` or
//! `executemany`.

use std::sync::Arc;

use crate::code::Code;
use crate::connection::{Connection, ResultSet};
use crate::cursor::Cursor;
use crate::error::{Error, ErrorKind, Result};
use crate::proto::stmt::coerce;
use crate::proto::ws::{
    Action, Stmt2CloseArgs, Stmt2InitArgs, Stmt2PrepareArgs, StmtCloseArgs, StmtIdReply,
    StmtInitArgs, StmtPrepareArgs,
};
use crate::shared::{Shared, closed_error};
use crate::transport::{Lost, Outcome, SocketId, version_at_least};
use crate::types::{Precision, Type};
use crate::value::Value;

/// `TSC_INVALID_OPERATION`: a call the statement cannot take (rows of unequal length, an
/// invalid table name).
const INVALID_OPERATION: Code = Code::new(0x0200);
/// `TSC_INVALID_VALUE`: a value that does not fit its column.
const INVALID_VALUE: Code = Code::new(0x0203);
/// `TSC_STMT_API_ERROR`: a call out of order.
const API_ERROR: Code = Code::new(0x022A);
/// `TSC_STMT_TBNAME_ERROR`: the table name is a parameter and was not set.
const TBNAME_ERROR: Code = Code::new(0x022B);
/// `PAR_TAGS_NOT_MATCHED`.
const TAGS_NOT_MATCHED: Code = Code::new(0x260D);
/// `PAR_INVALID_COLUMNS_NUM`.
const COLUMNS_NUM: Code = Code::new(0x263F);
/// The first server version whose stmt2 has the shape this crate speaks (02 §1.5).
const STMT2_SINCE: [u64; 4] = [3, 3, 5, 0];

/// Which wire protocol a [`Statement`] speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StmtProtocol {
    /// stmt2 on servers ≥ 3.3.5.0, stmt v1 on older ones.
    #[default]
    Auto,
    /// stmt2 (`stmt2_init` … binary action 9 … `stmt2_exec`): many tables per request.
    Stmt2,
    /// stmt v1 (`init` … binary actions 1 and 2 … `exec`): one request per table step.
    Stmt1,
}

mod column_view;
mod v1;
mod v2;

/// The placeholder descriptions of [`Statement::fields`].
pub use crate::proto::stmt::{BindType, Stmt2Field};
pub use column_view::{ColumnView, NullableBytes, NullableText};

/// The binds of one table, collected until [`Statement::add_batch`].
#[derive(Debug, Default)]
struct TableBinds {
    name: Option<String>,
    tags: Option<Vec<Value>>,
    /// One (type, values) per column; every column has `rows` values.
    cols: Vec<(Type, Vec<Value>)>,
    rows: usize,
}

impl TableBinds {
    fn is_empty(&self) -> bool {
        self.name.is_none() && self.tags.is_none() && self.cols.is_empty()
    }
}

/// What `prepare` learned.
#[derive(Debug, Default)]
struct Prepared {
    sql: String,
    is_insert: bool,
    /// stmt2: the fields of an insert (table name, tags, columns).
    fields: Vec<Stmt2Field>,
    /// stmt2: the number of `?` the server counted (`fields_count`).
    param_count: Option<usize>,
    /// stmt v1: the tag and column fields the server reported, asked once per prepared
    /// statement and table shape (see [`Prepared::v1_key`]) instead of on every execute.
    v1_fields: std::collections::HashMap<Option<String>, V1Fields>,
}

/// The stmt v1 fields of one table shape.
#[derive(Clone, Debug, Default)]
struct V1Fields {
    tags: Option<Vec<crate::proto::stmt::StmtField>>,
    cols: Option<Vec<crate::proto::stmt::StmtField>>,
}

impl Prepared {
    /// The cache key of a table's fields: every child table of `INSERT INTO ? USING stb`
    /// has the supertable's fields (one entry); otherwise each named table has its own.
    fn v1_key(&self, table: Option<&str>) -> Option<String> {
        let uses_stable = self
            .sql
            .to_ascii_lowercase()
            .split_whitespace()
            .any(|w| w == "using");
        if uses_stable {
            None
        } else {
            table.map(str::to_owned)
        }
    }
}

/// Options for a new [`Statement`]; from [`Connection::statement_builder`].
#[derive(Debug)]
#[must_use]
pub struct StatementBuilder<'a> {
    conn: &'a Connection,
    protocol: StmtProtocol,
    sql: Option<String>,
    single_stb_insert: bool,
    single_table_bind_once: bool,
}

impl StatementBuilder<'_> {
    /// The wire protocol ([`StmtProtocol::Auto`] by default).
    pub fn protocol(mut self, protocol: StmtProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Prepares `sql` when building.
    pub fn sql(mut self, sql: impl Into<String>) -> Self {
        self.sql = Some(sql.into());
        self
    }

    /// stmt2 `single_stb_insert` (all rows go to one supertable; default true, as the
    /// official clients send).
    pub fn single_stb_insert(mut self, yes: bool) -> Self {
        self.single_stb_insert = yes;
        self
    }

    /// stmt2 `single_table_bind_once` (each table bound at most once per execute; default
    /// false).
    pub fn single_table_bind_once(mut self, yes: bool) -> Self {
        self.single_table_bind_once = yes;
        self
    }

    /// The statement. Over REST this is a [`NotSupported`](ErrorKind::NotSupported) error
    /// (see the [module docs](self)).
    pub fn build(self) -> Result<Statement> {
        let shared = Arc::clone(self.conn.shared());
        let req_id = shared.next_req_id();
        let version = shared.with(|session| {
            session.require_websocket(
                "prepared statements (over REST use Cursor::executemany, which batches INSERT \
                 rows into multi-row statements)",
            )?;
            session.server_version(req_id)
        })?;
        let protocol = match self.protocol {
            StmtProtocol::Auto if version_at_least(&version, STMT2_SINCE) => StmtProtocol::Stmt2,
            StmtProtocol::Auto => StmtProtocol::Stmt1,
            p => p,
        };
        let mut stmt = Statement {
            shared,
            protocol,
            single_stb_insert: self.single_stb_insert,
            single_table_bind_once: self.single_table_bind_once,
            handle: None,
            prepared: None,
            batches: Vec::new(),
            current: TableBinds::default(),
            affected: 0,
            result: None,
            closed: false,
        };
        if let Some(sql) = self.sql {
            stmt.prepare(&sql)?;
        }
        Ok(stmt)
    }
}

impl Connection {
    /// A new prepared statement (not yet prepared: call [`Statement::prepare`]), speaking
    /// stmt2 or stmt v1 by the server version. Over REST, a
    /// [`NotSupported`](ErrorKind::NotSupported) error.
    pub fn statement(&self) -> Result<Statement> {
        self.statement_builder().build()
    }

    /// A new statement with `sql` prepared.
    pub fn statement_with(&self, sql: &str) -> Result<Statement> {
        self.statement_builder().sql(sql).build()
    }

    /// Options for a new statement (protocol, SQL, stmt2 init flags).
    pub fn statement_builder(&self) -> StatementBuilder<'_> {
        StatementBuilder {
            conn: self,
            protocol: StmtProtocol::Auto,
            sql: None,
            single_stb_insert: true,
            single_table_bind_once: false,
        }
    }
}

/// A prepared statement on a WebSocket connection (see the [module docs](self)). Owned,
/// `Send`, and independent of the [`Connection`] value's lifetime (it shares the
/// connection's socket). Closed on [`close`](Statement::close) or drop.
pub struct Statement {
    shared: Arc<Shared>,
    protocol: StmtProtocol,
    single_stb_insert: bool,
    single_table_bind_once: bool,
    handle: Option<SocketId>,
    prepared: Option<Prepared>,
    /// Tables completed by `add_batch` since the last execute.
    batches: Vec<TableBinds>,
    /// The table being bound.
    current: TableBinds,
    affected: u64,
    result: Option<Outcome>,
    closed: bool,
}

impl std::fmt::Debug for Statement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statement")
            .field("protocol", &self.protocol)
            .field("stmt_id", &self.handle.as_ref().map(SocketId::id))
            .field("sql", &self.prepared.as_ref().map(|p| p.sql.as_str()))
            .field("pending_tables", &self.batches.len())
            .field("affected", &self.affected)
            .field("closed", &self.closed)
            .finish()
    }
}

/// An error this module raises with a TDengine code: the code's class from the table
/// (`Programming` for a wrong column count), `Statement` where the code leaves it open.
fn statement_error(code: Code, message: impl Into<String>) -> Error {
    Error::from_server(i64::from(code.value()), message, ErrorKind::Statement)
}

/// A server error reply in the stmt context (classified codes and transport errors keep
/// their kind).
fn relabel(e: Error) -> Error {
    e.in_context(ErrorKind::Statement)
}

/// Names prepared statements in the error of a REST session.
const FEATURE: &str = "prepared statements";

/// `value` converted to `ty` in `precision`; a value that does not fit is a `Data` error
/// (0x0203) naming `what`.
/// True when `value` can be sent as it is for a column of `ty` (NULL, or the column's own
/// type; timestamps in the column's precision). DECIMALs are always converted: their
/// scale must become the column's.
fn fits(value: &Value, ty: Type, precision: Precision) -> bool {
    match value {
        Value::Null => true,
        Value::Timestamp(ts) => ty == Type::Timestamp && ts.precision() == precision,
        Value::Decimal(_) => false,
        v => v.ty() == ty,
    }
}

fn convert(
    value: &Value,
    ty: Type,
    precision: Precision,
    what: &dyn Fn() -> String,
) -> Result<Value> {
    coerce(value, ty, precision)
        .map_err(|e| statement_error(INVALID_VALUE, format!("{}: {}", what(), e.message())))
}

impl Statement {
    /// The protocol in use (never `Auto`).
    pub fn protocol(&self) -> StmtProtocol {
        self.protocol
    }

    /// True when the prepared statement is an INSERT, `None` before [`prepare`](Self::prepare).
    pub fn is_insert(&self) -> Option<bool> {
        self.prepared.as_ref().map(|p| p.is_insert)
    }

    /// The placeholders of a prepared stmt2 INSERT as the server described them, in `?`
    /// order: the table name ([`BindType::TableName`]), tags and columns with their types
    /// and timestamp precision. Empty for queries, on stmt v1 and before
    /// [`prepare`](Self::prepare).
    ///
    /// ```
    /// use taosync::stmt::BindType;
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database power precision 'ns'", ())?;
    /// # conn.execute("create stable power.meters (ts timestamp, current float) tags (groupid int)", ())?;
    /// # conn.select_db("power")?;
    /// let stmt = conn.statement_with("INSERT INTO ? USING meters TAGS (?) VALUES (?, ?)")?;
    /// let kinds: Vec<_> = stmt.fields().iter().map(|f| f.kind()).collect();
    /// assert_eq!(kinds, [Some(BindType::TableName), Some(BindType::Tag), Some(BindType::Column), Some(BindType::Column)]);
    /// assert_eq!(stmt.fields()[2].timestamp_precision(), taosync::Precision::Nanosecond);
    /// assert_eq!(stmt.param_count(), Some(4));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn fields(&self) -> &[Stmt2Field] {
        self.prepared.as_ref().map_or(&[], |p| p.fields.as_slice())
    }

    /// The number of `?` placeholders the server counted for the prepared statement (stmt2;
    /// `None` on stmt v1 and before [`prepare`](Self::prepare)).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database power", ())?;
    /// # conn.execute("create table power.t (ts timestamp, v int)", ())?;
    /// let stmt = conn.statement_with("SELECT * FROM power.t WHERE v > ? AND v < ?")?;
    /// assert_eq!(stmt.param_count(), Some(2));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn param_count(&self) -> Option<usize> {
        self.prepared.as_ref().and_then(|p| p.param_count)
    }

    /// The rows written by the last [`execute`](Self::execute).
    pub fn affected_rows(&self) -> u64 {
        self.affected
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    fn check_open(&self) -> Result<()> {
        if self.closed {
            return Err(statement_error(API_ERROR, "the statement is closed"));
        }
        if self.shared.is_closed() {
            return Err(closed_error());
        }
        Ok(())
    }

    fn prepared(&self) -> Result<&Prepared> {
        self.check_open()?;
        self.prepared.as_ref().ok_or_else(|| {
            statement_error(
                API_ERROR,
                "the statement is not prepared: call prepare first",
            )
        })
    }

    /// The statement's server-side id, a `Statement` error before `prepare`.
    fn handle(&self) -> Result<SocketId> {
        self.handle.ok_or_else(|| {
            statement_error(
                API_ERROR,
                "the statement is not prepared: call prepare first",
            )
        })
    }

    /// One JSON request on the statement's socket (refused when the socket was replaced);
    /// server errors become `Statement` errors.
    fn call<A: Action>(&self, make: impl FnOnce(u64, u64) -> A) -> Result<A::Reply> {
        let handle = self.handle()?;
        let req_id = self.shared.next_req_id();
        self.shared
            .with(|s| s.request_on(FEATURE, &handle, |stmt_id| make(req_id, stmt_id)))
            .map_err(relabel)
    }

    /// One binary request built by `make(req_id, stmt_id)`; its text reply is checked.
    fn call_binary(&self, make: impl FnOnce(u64, u64) -> Result<Vec<u8>>) -> Result<()> {
        let handle = self.handle()?;
        let req_id = self.shared.next_req_id();
        self.shared
            .with(|s| {
                s.request_binary_on::<StmtIdReply>(FEATURE, &handle, req_id, |stmt_id| {
                    make(req_id, stmt_id)
                })
            })
            .map(|_| ())
            .map_err(relabel)
    }

    /// Prepares `sql` (INSERT or SELECT with `?` placeholders), dropping any pending binds.
    /// The statement is created on the server on first use, and again when its socket was
    /// reopened.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database power", ())?;
    /// # conn.execute("create stable power.meters (ts timestamp, current float, voltage int) tags (groupid int, location varchar(24))", ())?;
    /// let mut stmt = conn.statement()?;
    /// stmt.prepare("INSERT INTO power.d1001 USING power.meters TAGS (1, 'SF') VALUES (?, ?, ?)")?;
    /// assert_eq!(stmt.is_insert(), Some(true));
    /// // Preparing again drops the pending binds and switches to the new SQL.
    /// stmt.prepare("SELECT ts, current FROM power.meters WHERE voltage > ?")?;
    /// assert_eq!(stmt.is_insert(), Some(false));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn prepare(&mut self, sql: &str) -> Result<()> {
        self.check_open()?;
        self.batches.clear();
        self.current = TableBinds::default();
        self.drop_result();
        self.prepared = None;
        self.affected = 0;
        // A statement whose socket was replaced is gone on the server: create it anew.
        if let Some(h) = self.handle
            && !self.shared.with(|s| Ok(s.is_live(&h)))?
        {
            self.handle = None;
        }
        if self.handle.is_none() {
            let req_id = self.shared.next_req_id();
            let (single_stb_insert, single_table_bind_once) =
                (self.single_stb_insert, self.single_table_bind_once);
            let protocol = self.protocol;
            let stmt_id = |r: &StmtIdReply| r.stmt_id;
            let handle = self
                .shared
                .with(|session| {
                    let created = if protocol == StmtProtocol::Stmt2 {
                        let args = Stmt2InitArgs {
                            req_id,
                            single_stb_insert,
                            single_table_bind_once,
                        };
                        session.request_new(FEATURE, &args, Lost::Statement, stmt_id)
                    } else {
                        let args = StmtInitArgs { req_id };
                        session.request_new(FEATURE, &args, Lost::Statement, stmt_id)
                    };
                    created.map(|(_, handle)| handle)
                })
                .map_err(relabel)?;
            self.handle = Some(handle);
        }
        let prepared = if self.protocol == StmtProtocol::Stmt2 {
            let reply = self.call(|req_id, stmt_id| Stmt2PrepareArgs {
                req_id,
                stmt_id,
                sql: sql.to_owned(),
                get_fields: true,
            })?;
            Prepared {
                sql: sql.to_owned(),
                is_insert: reply.is_insert,
                fields: if reply.is_insert {
                    reply.fields.unwrap_or_default()
                } else {
                    Vec::new()
                },
                param_count: usize::try_from(reply.fields_count).ok(),
                v1_fields: Default::default(),
            }
        } else {
            let reply = self.call(|req_id, stmt_id| StmtPrepareArgs {
                req_id,
                stmt_id,
                sql: sql.to_owned(),
            })?;
            Prepared {
                sql: sql.to_owned(),
                is_insert: reply.is_insert,
                fields: Vec::new(),
                param_count: None,
                v1_fields: Default::default(),
            }
        };
        self.prepared = Some(prepared);
        Ok(())
    }

    /// Starts a new table when the current one already has rows (a table name or tags set
    /// after `bind_param` without `add_batch` begin the next table).
    fn next_table_if_bound(&mut self) {
        if !self.current.cols.is_empty() {
            let done = std::mem::take(&mut self.current);
            self.batches.push(done);
        }
    }

    /// Sets the table the next rows go to (`INSERT INTO ? …`); may be `db.table`.
    pub fn set_tbname(&mut self, name: &str) -> Result<()> {
        let p = self.prepared()?;
        if !p.is_insert {
            return Err(statement_error(
                API_ERROR,
                "a query statement binds no table name",
            ));
        }
        if name.is_empty() || name.contains('\0') {
            return Err(statement_error(
                INVALID_OPERATION,
                format!("invalid table name {name:?}"),
            ));
        }
        self.next_table_if_bound();
        self.current.name = Some(name.to_owned());
        Ok(())
    }

    /// Sets the tags of the current table (`… USING st TAGS (?, …)`), one value per tag,
    /// converted to the tag types on execute. `Value::Json(text)` for a JSON tag.
    pub fn set_tags(&mut self, tags: &[Value]) -> Result<()> {
        let p = self.prepared()?;
        if !p.is_insert {
            return Err(statement_error(
                API_ERROR,
                "a query statement binds no tags",
            ));
        }
        if !self.current.cols.is_empty() {
            let name = self.current.name.clone();
            self.next_table_if_bound();
            self.current.name = name;
        }
        self.current.tags = Some(tags.to_vec());
        Ok(())
    }

    /// [`set_tbname`](Self::set_tbname) then [`set_tags`](Self::set_tags).
    pub fn set_tbname_tags(&mut self, name: &str, tags: &[Value]) -> Result<()> {
        self.set_tbname(name)?;
        self.set_tags(tags)
    }

    /// Binds rows column-wise: one [`ColumnView`] per `?` column placeholder, all with the
    /// same number of rows. Called several times for one table, the rows add up (the
    /// column count and types must stay the same).
    pub fn bind_param(&mut self, columns: impl IntoIterator<Item = ColumnView>) -> Result<()> {
        self.prepared()?;
        let columns: Vec<ColumnView> = columns.into_iter().collect();
        let Some(rows) = columns.first().map(ColumnView::len) else {
            return Err(statement_error(
                COLUMNS_NUM,
                "bind_param needs at least one column",
            ));
        };
        if let Some((i, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != rows) {
            return Err(statement_error(
                INVALID_OPERATION,
                format!("column {i} has {} rows, column 0 has {rows}", c.len()),
            ));
        }
        if self.current.cols.is_empty() {
            self.current.cols = columns.into_iter().map(|c| (c.ty, c.values)).collect();
        } else {
            if self.current.cols.len() != columns.len() {
                return Err(statement_error(
                    COLUMNS_NUM,
                    format!(
                        "this bind has {} columns, the earlier binds of this table have {}",
                        columns.len(),
                        self.current.cols.len()
                    ),
                ));
            }
            for (slot, c) in self.current.cols.iter_mut().zip(columns) {
                slot.1.extend(c.values);
            }
        }
        self.current.rows += rows;
        Ok(())
    }

    /// Binds one row (one value per `?` column placeholder); the column types come from the
    /// prepared statement, or from the values when the server does not report them.
    pub fn bind_row(&mut self, row: &[Value]) -> Result<()> {
        let p = self.prepared()?;
        let col_types: Vec<Type> = p
            .fields
            .iter()
            .filter(|f| f.kind() == Some(BindType::Column))
            .filter_map(Stmt2Field::ty)
            .filter(|t| *t != Type::Null)
            .collect();
        let columns = row.iter().enumerate().map(|(i, v)| {
            let ty = col_types.get(i).copied().unwrap_or(if v.is_null() {
                Type::VarChar
            } else {
                v.ty()
            });
            ColumnView::from_values(ty, vec![v.clone()])
        });
        self.bind_param(columns.collect::<Vec<_>>())
    }

    /// Closes the current table's binds; the next binds start a new table (or more rows of
    /// the same one after another [`set_tbname`](Self::set_tbname)).
    pub fn add_batch(&mut self) -> Result<()> {
        self.prepared()?;
        if self.current.cols.is_empty() {
            return Err(statement_error(API_ERROR, "add_batch before bind_param"));
        }
        let done = std::mem::take(&mut self.current);
        self.batches.push(done);
        Ok(())
    }

    /// Executes every bound table (an implicit [`add_batch`](Self::add_batch) closes the
    /// current one) and returns the rows written. For a query, the rows are then read with
    /// [`result`](Self::result) and the return value is 0.
    ///
    /// ```
    /// use taosync::{Precision, Timestamp, Value};
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database power", ())?;
    /// # conn.execute("create stable power.meters (ts timestamp, current float, voltage int) tags (groupid int, location varchar(24))", ())?;
    /// let mut stmt = conn.statement_with("INSERT INTO power.d1001 USING power.meters TAGS (1, 'SF') VALUES (?, ?, ?)")?;
    /// stmt.bind_row(&[Timestamp::new(1_700_000_000_000, Precision::Millisecond).into(), Value::Float(10.2), Value::Int(219)])?;
    /// stmt.bind_row(&[Timestamp::new(1_700_000_000_001, Precision::Millisecond).into(), Value::Float(10.3), Value::Int(221)])?;
    /// assert_eq!(stmt.execute()?, 2);
    /// assert_eq!(stmt.affected_rows(), 2);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn execute(&mut self) -> Result<u64> {
        self.prepared()?;
        if !self.current.cols.is_empty() {
            self.add_batch()?;
        } else if !self.current.is_empty() {
            return Err(statement_error(
                API_ERROR,
                "a table name or tags were set but no rows were bound",
            ));
        }
        let batches = std::mem::take(&mut self.batches);
        self.current = TableBinds::default();
        self.drop_result();
        if batches.is_empty() {
            return Err(statement_error(API_ERROR, "execute before bind_param"));
        }
        let is_insert = self.prepared()?.is_insert;
        let outcome = match (self.protocol, is_insert) {
            (StmtProtocol::Stmt2, true) => self.exec_stmt2_insert(batches),
            (StmtProtocol::Stmt2, false) => self.exec_stmt2_query(&batches),
            (_, true) => self.exec_v1_insert(batches),
            (_, false) => self.exec_v1_query(&batches),
        };
        match outcome {
            Ok(affected) => {
                self.affected = affected;
                Ok(affected)
            }
            Err(e) => {
                self.affected = 0;
                if self.protocol == StmtProtocol::Stmt1 && e.kind() != ErrorKind::Connection {
                    self.discard_server_binds();
                }
                Err(e)
            }
        }
    }
    /// The single row of parameters a query binds.
    fn query_params(batches: &[TableBinds]) -> Result<&TableBinds> {
        match batches {
            [one] if one.rows == 1 => Ok(one),
            _ => Err(statement_error(
                INVALID_OPERATION,
                format!(
                    "a query binds exactly one row of parameters, got {}",
                    batches.iter().map(|b| b.rows).sum::<usize>()
                ),
            )),
        }
    }
    /// Frees the server-side result of the last query when it was not taken.
    fn drop_result(&mut self) {
        if let Some(Outcome::Rows { mut result, .. }) = self.result.take() {
            self.shared.free_result(&mut result);
        }
    }

    /// The rows of the last executed query, streamed like [`Connection::query`]'s (read
    /// them before executing again). An error when the last execute was not a query.
    pub fn result(&mut self) -> Result<ResultSet> {
        self.check_open()?;
        let outcome = self.result.take().ok_or_else(|| {
            statement_error(
                API_ERROR,
                "no result set: execute a query statement first (an INSERT has none)",
            )
        })?;
        let cursor = Cursor::from_outcome(Arc::clone(&self.shared), outcome);
        Ok(ResultSet::from_cursor(cursor))
    }

    /// Closes the statement on the server. Idempotent; afterwards every call is a
    /// `Statement` error.
    pub fn close(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        self.prepared = None;
        self.batches.clear();
        self.current = TableBinds::default();
        self.drop_result();
        let Some(handle) = self.handle.take() else {
            return Ok(());
        };
        if self.shared.is_closed() {
            return Ok(());
        }
        let req_id = self.shared.next_req_id();
        let protocol = self.protocol;
        // A socket that broke or was reopened has forgotten the statement: nothing to
        // close (and no reason to reconnect for it).
        self.shared
            .with(|session| {
                if protocol == StmtProtocol::Stmt2 {
                    session.release(&handle, true, |stmt_id| Stmt2CloseArgs { req_id, stmt_id })
                } else {
                    session.release(&handle, false, |stmt_id| StmtCloseArgs { req_id, stmt_id })
                }
            })
            .map_err(relabel)
    }
}

/// A query parameter column as sent: a timestamp goes as RFC 3339 text, since a query
/// has no column precision to read a raw count in (and stmt v1 refuses TIMESTAMP query
/// binds, 02 §1.2.4).
fn query_param(ty: Type, values: &[Value]) -> (Type, Vec<Value>) {
    if ty != Type::Timestamp {
        return (ty, values.to_vec());
    }
    let values = values
        .iter()
        .map(|v| match v {
            Value::Timestamp(ts) => Value::VarChar(ts.to_rfc3339()),
            other => other.clone(),
        })
        .collect();
    (Type::VarChar, values)
}

impl Drop for Statement {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            log::debug!("closing a statement on drop: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_is_send() {
        fn assert_send<T: Send + 'static>() {}
        assert_send::<Statement>();
        assert_send::<ColumnView>();
    }
}
