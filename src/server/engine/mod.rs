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
//! Session::timezone(&self) -> chrono_tz::Tz
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
//! EngineConfig { user, password, server_version, default_timezone, enforce_keep }  (Default: root/taosdata)
//! Engine::with_defaults() -> Engine
//! Session::engine(&self) -> &Arc<Engine>
//! QueryResult::from_rows(columns, precision, rows) -> QueryResult     (materialised result)
//! ```
//!
//! Layout: `lexer` → `parser` (`ast`) → `Session::execute` dispatches to `ddl` (CREATE /
//! DROP / ALTER / USE), `insert` (INSERT; every row write goes through
//! `insert::write_rows`, the single place a WAL append belongs), `query` (SELECT, streaming
//! plain scans, aggregates, windows) and `sys` (SHOW, DESCRIBE, information_schema).
//! `catalog` holds schemas, `storage` the rows, `convert` the value rules, `expr` bound
//! expressions and scalar functions, `time` timestamp text and durations.

pub mod ast;
pub mod catalog;
pub mod convert;
mod ddl;
pub mod error;
pub mod expr;
mod insert;
pub mod lexer;
pub mod parser;
mod query;
pub mod storage;
mod sys;
pub mod time;

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono_tz::Tz;

pub use error::EngineError;

use crate::code::Code;
use crate::row::Column;
use crate::types::Precision;
use crate::value::Value;
use ast::Statement;
use catalog::Catalog;
use error::EResult;

/// Engine settings.
#[derive(Clone, Debug)]
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
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            user: "root".into(),
            password: "taosdata".into(),
            server_version: "3.3.8.0".into(),
            default_timezone: time::local_timezone(),
            enforce_keep: true,
        }
    }
}

/// The shared in-memory store. `Send + Sync`; share it as `Arc<Engine>`.
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
    catalog: RwLock<Catalog>,
}

impl Engine {
    /// An empty engine.
    pub fn new(config: EngineConfig) -> Engine {
        Engine {
            config,
            catalog: RwLock::new(Catalog::default()),
        }
    }

    /// An empty engine with the default configuration.
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
                Some(r) => out.push(r),
                None => break,
            }
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }

    /// All remaining rows (tests and small results).
    pub fn collect_rows(&mut self) -> Result<Vec<Vec<Value>>, EngineError> {
        let mut all = Vec::new();
        while let Some(b) = self.next_block(4096)? {
            all.extend(b);
        }
        Ok(all)
    }
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

    /// The session zone.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The current database.
    pub fn current_db(&self) -> Option<&str> {
        self.db.as_deref()
    }

    /// `USE db` (0x0388 when it does not exist).
    pub fn use_db(&mut self, db: &str) -> Result<(), EngineError> {
        let cat = self.engine.read();
        if !cat.dbs.contains_key(db) && !sys::is_system_db(db) {
            return Err(EngineError::db_not_exist());
        }
        drop(cat);
        self.db = Some(db.to_string());
        Ok(())
    }

    /// Runs one SQL statement.
    pub fn execute(&mut self, sql: &str, req_id: u64) -> Result<Outcome, EngineError> {
        log::debug!("engine execute req_id={req_id}: {}", error::clip(sql, 200));
        if sql.len() > 16 * 1024 * 1024 {
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
