//! The in-memory TDengine engine behind the embedded server: databases, supertables, child
//! and normal tables, a SQL subset (03-sql-subset.md tiers 1 and 2), and streaming results.
//!
//! CONTRACT (shared by the engine and the network layer; the engine owner may extend it but
//! must keep these signatures):
//!
//! ```text
//! Engine::new(EngineConfig) -> Engine                         (Send + Sync, share as Arc<Engine>)
//! Engine::authenticate(&self, user, password) -> Result<(), EngineError>   (0x0357 on failure)
//! Engine::config(&self) -> &EngineConfig
//! Session::new(Arc<Engine>, user: &str) -> Session            (one per WS connection / REST request)
//! Session::set_timezone(&mut self, chrono_tz::Tz)             (time literals without offset)
//! Session::current_db(&self) -> Option<&str>
//! Session::use_db(&mut self, db: &str) -> Result<(), EngineError>
//! Session::execute(&mut self, sql: &str, req_id: u64) -> Result<Outcome, EngineError>
//! Outcome::Affected(u64) | Outcome::Rows(QueryResult)
//! QueryResult::columns(&self) -> &Arc<[Column]>; QueryResult::precision(&self) -> Precision
//! QueryResult::next_block(&mut self, max_rows: usize) -> Result<Option<Vec<Vec<Value>>>, EngineError>
//!     (None at the end; QueryResult is Send + 'static and streams: it never materialises a
//!      large scan up front)
//! EngineError { code: Code, message: String }
//! ```
//!
//! Extensions (engine-owned, usable by the network layer):
//!
//! ```text
//! EngineConfig { user, password, server_version, default_timezone, enforce_keep,
//!                max_sql_length }                  (Default: root/taosdata, 3.3.8.0, 4 MiB)
//! Engine::with_defaults() -> Engine                           (tests only)
//! Session::engine(&self) -> &Arc<Engine>
//! Session::insert_rows(&mut self, &RowTarget, &[Vec<Value>]) -> Result<u64, EngineError>
//!     (typed rows for stmt / schemaless; RowTarget { db, table, using: Option<AutoCreate
//!      { stable, tag_names, tags }>, columns }; values converted like SQL literals)
//! Session::table_info(&self, db: Option<&str>, table) -> Result<TableInfo, EngineError>
//!     (TableInfo { db, name, kind: Super|Child|Normal, stable, columns, tags, tag_values,
//!      precision, vgroup })
//! QueryResult::from_rows(columns, precision, rows) -> QueryResult     (materialised result)
//! QueryResult::collect_rows(&mut self) -> Result<Vec<Vec<Value>>, EngineError>   (tests only)
//! Session::execute_with_params(&mut self, sql, params: &[Value], req_id) -> Result<Outcome, EngineError>
//!     (`?` placeholders bound in text order; engine::params::count_params(&stmt) counts them)
//! Session::prepare_shape(&self, sql) -> Result<stmt::StmtShape, EngineError>
//!     (stmt/stmt2 prepare: is_insert, number of `?`, insert fields in stmt2 order
//!      table name / tags / columns with kinds and types, and the insert target: db, table,
//!      stable, tag_names, columns — build a RowTarget from it for insert_rows)
//! Engine::broker(&self) -> &Arc<server::tmq::Broker>
//!     (TMQ: topics, groups, offsets over per-vgroup WALs every row write feeds; `topics`)
//! Engine::register_connection(self: &Arc<Engine>, ConnectionInfo) -> ConnectionGuard
//!     (lists the connection in SHOW CONNECTIONS / perf_connections until the guard drops;
//!      tests only: the network layer registers no connections)
//! engine::parser::parse(sql) -> Result<ast::Statement, EngineError>   (syntax check only)
//! ```
//!
//! Layout: `lexer` → `parser` (`ast`) → `Session::execute` dispatches to `ddl` (CREATE /
//! DROP / ALTER / USE / DELETE / topics / users), `insert` (INSERT and `insert_rows`; every
//! row write goes through `insert::write_rows`, the single place a per-vgroup WAL append
//! for TMQ belongs — tables hash to vgroups with `Database::vgroup_of`), `query` (SELECT:
//! streaming plain scans with a k-way merge for `ORDER BY ts` over supertables,
//! aggregates, GROUP / PARTITION BY, INTERVAL windows with FILL) and `sys` (SHOW, DESCRIBE,
//! information_schema / performance_schema). `catalog` holds schemas, `storage` the rows
//! (sorted, chunked, copy-on-write snapshots), `convert` the value rules of 03 §3,
//! `expr` bound expressions and scalar functions, `regex` MATCH patterns, `params` and
//! `stmt` the stmt support, `time` timestamp text and durations.
//!
//! Concurrency: one `RwLock` over the catalog; a statement holds it only while it plans
//! (queries clone `Arc`s of the chunks they read and then run without the lock) or
//! writes (an INSERT validates and applies under one write lock, so it is atomic).

pub mod ast;
pub mod catalog;
pub mod convert;
mod ddl;
pub mod error;
pub mod expr;
mod insert;
pub mod lexer;
pub mod params;
pub mod parser;
mod query;
pub mod regex;
pub mod stmt;
pub mod storage;
mod sys;
pub mod time;
pub(crate) mod topics;

use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono_tz::Tz;

pub use error::EngineError;
pub use insert::{AutoCreate, RowTarget};

use ast::Statement;
use catalog::Catalog;
use error::EResult;
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

/// Engine settings. `Debug` leaves the password out.
#[derive(Clone)]
pub struct EngineConfig {
    /// The user that always exists.
    pub user: String,
    /// Its password.
    pub password: String,
    /// What `server_version()` reports.
    pub server_version: String,
    /// Time zone of sessions that set none.
    pub default_timezone: Tz,
    /// Reject rows older than the database KEEP (0x060B).
    pub enforce_keep: bool,
    /// Longest SQL text accepted (0x0219 "SQL statement too long" beyond).
    pub max_sql_length: usize,
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("server_version", &self.server_version)
            .field("default_timezone", &self.default_timezone)
            .field("enforce_keep", &self.enforce_keep)
            .field("max_sql_length", &self.max_sql_length)
            .finish()
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            user: "root".into(),
            password: "taosdata".into(),
            server_version: "3.3.8.0".into(),
            default_timezone: time::local_timezone(),
            enforce_keep: true,
            max_sql_length: 4 * 1024 * 1024,
        }
    }
}

/// The shared in-memory store. `Send + Sync`; share it as `Arc<Engine>`.
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
    catalog: RwLock<Catalog>,
    connections: Mutex<ConnRegistry>,
    broker: Arc<crate::tmq::Broker>,
}

/// A client connection as `SHOW CONNECTIONS` / `performance_schema.perf_connections`
/// lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// User name.
    pub user: String,
    /// Application name (`app`).
    pub app: String,
    /// Client process id.
    pub pid: u32,
    /// Peer address `ip:port`.
    pub end_point: String,
    /// The connect option `user_app`.
    pub user_app: String,
    /// The connect option `user_ip`.
    pub user_ip: String,
    /// The connect option `connector_info`.
    pub connector_info: String,
}

#[derive(Debug, Default)]
struct ConnRegistry {
    #[cfg(test)]
    next_id: u32,
    live: std::collections::BTreeMap<u32, (ConnectionInfo, i64)>,
}

/// Keeps a connection listed in `perf_connections` until dropped.
#[cfg(test)]
#[derive(Debug)]
pub struct ConnectionGuard {
    engine: Arc<Engine>,
    id: u32,
}

#[cfg(test)]
impl ConnectionGuard {
    /// The connection id (`conn_id`).
    pub fn id(&self) -> u32 {
        self.id
    }
}

#[cfg(test)]
impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.engine.conns().live.remove(&self.id);
    }
}

impl Engine {
    /// An empty engine.
    pub fn new(config: EngineConfig) -> Engine {
        let catalog = Catalog::default();
        let broker = topics::new_broker(&catalog.wal);
        Engine {
            config,
            catalog: RwLock::new(catalog),
            connections: Mutex::new(ConnRegistry::default()),
            broker,
        }
    }

    /// An empty engine with the default configuration.
    #[cfg(test)]
    pub fn with_defaults() -> Engine {
        Engine::new(EngineConfig::default())
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Checks a user name and password (0x0357 Authentication failure otherwise).
    pub fn authenticate(&self, user: &str, password: &str) -> Result<(), EngineError> {
        if user == self.config.user && password == self.config.password {
            return Ok(());
        }
        if self.read().users.get(user).is_some_and(|p| p == password) {
            return Ok(());
        }
        Err(EngineError::code(Code::MND_AUTH_FAILURE))
    }

    /// Lists a connection in `perf_connections` until the returned guard is dropped.
    #[cfg(test)]
    pub fn register_connection(self: &Arc<Self>, info: ConnectionInfo) -> ConnectionGuard {
        let mut reg = self.conns();
        reg.next_id = reg.next_id.wrapping_add(1).max(1);
        let id = reg.next_id;
        reg.live
            .insert(id, (info, time::now_ticks(Precision::Millisecond)));
        drop(reg);
        ConnectionGuard {
            engine: Arc::clone(self),
            id,
        }
    }

    /// The live connections with their ids and login times (ms).
    pub fn connections(&self) -> Vec<(u32, ConnectionInfo, i64)> {
        self.conns()
            .live
            .iter()
            .map(|(id, (c, t))| (*id, c.clone(), *t))
            .collect()
    }

    fn conns(&self) -> std::sync::MutexGuard<'_, ConnRegistry> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Catalog> {
        self.catalog.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The result of a statement.
#[derive(Debug)]
pub enum Outcome {
    /// A statement without a result set, with its affected-row count.
    Affected(u64),
    /// A result set.
    Rows(QueryResult),
}

/// A result set that produces its rows in blocks.
pub struct QueryResult {
    columns: Arc<[Column]>,
    precision: Precision,
    source: query::RowSource,
}

impl std::fmt::Debug for QueryResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryResult")
            .field("columns", &self.columns)
            .field("precision", &self.precision)
            .finish_non_exhaustive()
    }
}

impl QueryResult {
    /// A materialised result.
    pub fn from_rows(
        columns: Vec<Column>,
        precision: Precision,
        rows: Vec<Vec<Value>>,
    ) -> QueryResult {
        QueryResult {
            columns: columns.into(),
            precision,
            source: query::RowSource::Mem(rows.into_iter()),
        }
    }

    /// The columns.
    pub fn columns(&self) -> &Arc<[Column]> {
        &self.columns
    }

    /// The precision of timestamps in this result.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Up to `max_rows` more rows; `None` at the end.
    pub fn next_block(&mut self, max_rows: usize) -> Result<Option<Vec<Vec<Value>>>, EngineError> {
        let max = max_rows.max(1);
        let mut out = Vec::with_capacity(max.min(4096));
        while out.len() < max {
            match self.source.next_row()? {
                Some(mut r) => {
                    for (v, c) in r.iter_mut().zip(self.columns.iter()) {
                        expr::conform(v, c, self.precision);
                    }
                    out.push(r);
                }
                None => break,
            }
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }

    /// All remaining rows (tests and small results).
    #[cfg(test)]
    pub fn collect_rows(&mut self) -> Result<Vec<Vec<Value>>, EngineError> {
        let mut all = Vec::new();
        while let Some(b) = self.next_block(4096)? {
            all.extend(b);
        }
        Ok(all)
    }
}

/// What kind of table a [`TableInfo`] describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// A supertable.
    Super,
    /// A child table of a supertable.
    Child,
    /// A normal table.
    Normal,
}

/// The schema of one table, for stmt / schemaless / TMQ callers.
#[derive(Clone, Debug, PartialEq)]
pub struct TableInfo {
    /// Database.
    pub db: String,
    /// Table name.
    pub name: String,
    /// Kind.
    pub kind: TableKind,
    /// The supertable of a child table.
    pub stable: Option<String>,
    /// Data columns in order (the first is the primary timestamp).
    pub columns: Vec<Column>,
    /// Tags in order (supertables and child tables).
    pub tags: Vec<Column>,
    /// A child table's tag values, in tag order.
    pub tag_values: Vec<Value>,
    /// Database precision.
    pub precision: Precision,
    /// Vgroup id (0 for supertables).
    pub vgroup: i32,
}

/// One client's state: current database, time zone, user.
#[derive(Debug)]
pub struct Session {
    engine: Arc<Engine>,
    user: String,
    tz: Tz,
    db: Option<String>,
}

impl Session {
    /// A session of `user` (already authenticated) on `engine`.
    pub fn new(engine: Arc<Engine>, user: &str) -> Session {
        let tz = engine.config.default_timezone;
        Session {
            engine,
            user: user.to_string(),
            tz,
            db: None,
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Sets the zone used for timestamp text without an offset.
    pub fn set_timezone(&mut self, tz: Tz) {
        self.tz = tz;
    }

    /// The current database.
    pub fn current_db(&self) -> Option<&str> {
        self.db.as_deref()
    }

    /// `USE db` (0x0388 when it does not exist).
    pub fn use_db(&mut self, db: &str) -> Result<(), EngineError> {
        let cat = self.engine.read();
        if !cat.dbs.contains_key(db) && !catalog::is_system_db(db) {
            return Err(EngineError::db_not_exist());
        }
        drop(cat);
        self.db = Some(db.to_string());
        Ok(())
    }

    /// Runs one SQL statement.
    pub fn execute(&mut self, sql: &str, req_id: u64) -> Result<Outcome, EngineError> {
        log::debug!(
            "engine execute req_id={req_id}: {}",
            crate::redact::sql(error::clip(sql, 200))
        );
        if sql.len() > self.engine.config.max_sql_length {
            return Err(EngineError::code(Code::TSC_EXCEED_SQL_LIMIT));
        }
        if sql.trim().is_empty() {
            return Err(EngineError::new(
                Code::PAR_SYNTAX_ERROR,
                "syntax error near \"\" (empty statement)",
            ));
        }
        let stmt = parser::parse(sql)?;
        self.run(stmt)
    }

    /// Runs one SQL statement whose `?` placeholders are bound, in order, to `params`
    /// (stmt / stmt2 queries and inserts; values convert like SQL literals).
    pub fn execute_with_params(
        &mut self,
        sql: &str,
        params: &[Value],
        req_id: u64,
    ) -> Result<Outcome, EngineError> {
        log::debug!(
            "engine execute req_id={req_id} with {} params",
            params.len()
        );
        if sql.len() > self.engine.config.max_sql_length {
            return Err(EngineError::code(Code::TSC_EXCEED_SQL_LIMIT));
        }
        let mut stmt = parser::parse(sql)?;
        params::bind_params(&mut stmt, params)?;
        self.run(stmt)
    }

    fn run(&mut self, stmt: Statement) -> EResult<Outcome> {
        match stmt {
            Statement::Use(db) => {
                self.use_db(&db)?;
                Ok(Outcome::Affected(0))
            }
            Statement::Insert(clauses) => insert::insert(self, clauses).map(Outcome::Affected),
            Statement::Select(sel) => query::select(self, &sel).map(Outcome::Rows),
            Statement::Show(show) => sys::show(self, show).map(Outcome::Rows),
            Statement::Describe(name) => sys::describe(self, &name).map(Outcome::Rows),
            other => ddl::execute(self, other).map(Outcome::Affected),
        }
    }

    /// Writes already-typed rows (stmt binding, schemaless) into `target`, auto-creating
    /// it as a child table when `target.using` is given. Values are converted to the
    /// column types with the SQL literal rules (0x2653 for too-long values, range checks);
    /// returns the number of rows written.
    pub fn insert_rows(
        &mut self,
        target: &RowTarget,
        rows: &[Vec<Value>],
    ) -> Result<u64, EngineError> {
        insert::insert_rows(self, target, rows)
    }

    /// The schema of a table or supertable (`db` defaults to the current database).
    pub fn table_info(&self, db: Option<&str>, table: &str) -> Result<TableInfo, EngineError> {
        let dbn = self.db_for(db)?;
        let cat = self.engine.read();
        let d = cat.dbs.get(&dbn).ok_or_else(EngineError::db_not_exist)?;
        let cols =
            |v: &[catalog::ColDef]| v.iter().map(catalog::ColDef::column).collect::<Vec<_>>();
        if let Some(st) = d.stables.get(table) {
            return Ok(TableInfo {
                db: dbn.clone(),
                name: table.to_string(),
                kind: TableKind::Super,
                stable: None,
                columns: cols(&st.schema.columns),
                tags: cols(&st.schema.tags),
                tag_values: Vec::new(),
                precision: d.precision(),
                vgroup: 0,
            });
        }
        let t = d
            .tables
            .get(table)
            .ok_or_else(|| EngineError::table_not_exist(table))?;
        let schema = d
            .schema_of(t)
            .ok_or_else(|| EngineError::table_not_exist(table))?;
        let (kind, tag_values) = match &t.kind {
            catalog::TableKind::Child { tags, .. } => (TableKind::Child, tags.clone()),
            catalog::TableKind::Normal(_) => (TableKind::Normal, Vec::new()),
        };
        Ok(TableInfo {
            db: dbn.clone(),
            name: table.to_string(),
            kind,
            stable: t.stable().map(str::to_string),
            columns: cols(&schema.columns),
            tags: cols(&schema.tags),
            tag_values,
            precision: d.precision(),
            vgroup: t.vgroup,
        })
    }

    /// The database a possibly qualified name lives in (0x2616 when none).
    pub(crate) fn db_for(&self, db: Option<&str>) -> EResult<String> {
        match db.or(self.db.as_deref()) {
            Some(d) => Ok(d.to_string()),
            None => Err(EngineError::db_not_specified()),
        }
    }
}

#[cfg(test)]
mod tests;
