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
