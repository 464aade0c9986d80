//! The in-memory engine (`crate::engine`) behind the [`Backend`] traits, used only through
//! the engine's contract (`Engine`, `Session`, `Outcome`, `QueryResult`, `EngineError`),
//! and the engine side of schemaless writes ([`schemaless`]).

mod schemaless;

use std::sync::Arc;

use chrono_tz::Tz;

use crate::backend::{
    Backend, Broker, DbError, Exec, ResultSet, Session, SmlOutcome, SmlRequest, StmtShape,
};
use crate::engine::error::EngineError;
use crate::engine::{self, Engine, EngineConfig, Outcome, QueryResult, RowTarget, TableInfo};
use taosync_proto::error::{Error, ErrorKind, Result};
use taosync_proto::row::Column;
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

impl From<EngineError> for DbError {
    fn from(e: EngineError) -> DbError {
        DbError::new(e.code.value(), e.message)
    }
}

/// The engine shared by every connection.
pub(crate) struct EngineBackend(Arc<Engine>);

/// Builds the engine for a server's configuration: the first of `users` is the built-in
/// one, the others are created with `CREATE USER`; `version` is what the engine reports
/// and `timezone` the zone of sessions that set none.
pub(crate) fn engine_backend(
    users: &[(String, String)],
    version: &str,
    timezone: Tz,
) -> Result<Arc<dyn Backend>> {
    let mut users = users.iter();
    let (root, root_password) = users
        .next()
        .cloned()
        .unwrap_or_else(|| ("root".to_owned(), "taosdata".to_owned()));
    let engine = Arc::new(Engine::new(EngineConfig {
        user: root.clone(),
        password: root_password,
        server_version: version.to_owned(),
        default_timezone: timezone,
        ..EngineConfig::default()
    }));
    let mut admin = engine::Session::new(Arc::clone(&engine), &root);
    for (user, password) in users {
        let sql = format!(
            "create user `{}` pass '{}'",
            user.replace('`', "``"),
            password.replace('\\', "\\\\").replace('\'', "\\'")
        );
        admin.execute(&sql, 0).map_err(|e| {
            Error::server(
                ErrorKind::Interface,
                i64::from(e.code.value()),
                format!("cannot create user {user:?}: {}", e.message),
            )
        })?;
    }
    Ok(Arc::new(EngineBackend(engine)))
}

impl Backend for EngineBackend {
    fn authenticate(&self, user: &str, password: &str) -> std::result::Result<(), DbError> {
        self.0.authenticate(user, password).map_err(DbError::from)
    }

    fn open(&self, user: &str) -> Box<dyn Session> {
        Box::new(EngineSession(engine::Session::new(
            Arc::clone(&self.0),
            user,
        )))
    }

    fn tmq_broker(&self) -> Option<Arc<Broker>> {
        Some(Arc::clone(self.0.broker()))
    }
}

struct EngineSession(engine::Session);

impl Session for EngineSession {
    fn set_timezone(&mut self, tz: Tz) {
        self.0.set_timezone(tz);
    }

    fn current_db(&self) -> Option<String> {
        self.0.current_db().map(str::to_owned)
    }

    fn use_db(&mut self, db: &str) -> std::result::Result<(), DbError> {
        self.0.use_db(db).map_err(DbError::from)
    }

    fn execute(&mut self, sql: &str, req_id: u64) -> std::result::Result<Exec, DbError> {
        match self.0.execute(sql, req_id)? {
            Outcome::Affected(n) => Ok(Exec::Affected(n)),
            Outcome::Rows(rs) => Ok(Exec::Rows(Box::new(EngineRows(rs)))),
        }
    }

    fn validate(&mut self, sql: &str) -> std::result::Result<(), DbError> {
        engine::parser::parse(sql).map(drop).map_err(DbError::from)
    }

    fn schemaless_insert(
        &mut self,
        req: &SmlRequest<'_>,
    ) -> std::result::Result<SmlOutcome, DbError> {
        schemaless::write(&mut self.0, req)
    }

    fn prepare_shape(&self, sql: &str) -> std::result::Result<StmtShape, DbError> {
        self.0.prepare_shape(sql).map_err(DbError::from)
    }

    fn literal_tags(&self, sql: &str) -> Option<Vec<Value>> {
        engine::stmt::literal_tags(sql)
    }

    fn table_info(&self, db: Option<&str>, table: &str) -> std::result::Result<TableInfo, DbError> {
        self.0.table_info(db, table).map_err(DbError::from)
    }

    fn insert_rows(
        &mut self,
        target: &RowTarget,
        rows: &[Vec<Value>],
    ) -> std::result::Result<u64, DbError> {
        self.0.insert_rows(target, rows).map_err(DbError::from)
    }

    fn execute_with_params(
        &mut self,
        sql: &str,
        params: &[Value],
        req_id: u64,
    ) -> std::result::Result<Exec, DbError> {
        match self.0.execute_with_params(sql, params, req_id)? {
            Outcome::Affected(n) => Ok(Exec::Affected(n)),
            Outcome::Rows(rs) => Ok(Exec::Rows(Box::new(EngineRows(rs)))),
        }
    }
}

struct EngineRows(QueryResult);

impl ResultSet for EngineRows {
    fn columns(&self) -> &Arc<[Column]> {
        self.0.columns()
    }

    fn precision(&self) -> Precision {
        self.0.precision()
    }

    fn next_block(
        &mut self,
        max_rows: usize,
    ) -> std::result::Result<Option<Vec<Vec<Value>>>, DbError> {
        self.0.next_block(max_rows).map_err(DbError::from)
    }
}
