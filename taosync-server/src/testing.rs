//! A test fixture for code that uses TDengine: a fresh, isolated database on an embedded
//! server, a DSN for it, and a clean shutdown — in two or three lines of a user's test.
//!
//! ```
//! use taosync_server::testing::TestDatabase;
//!
//! // A database of its own on the process's shared server, dropped with `db`.
//! let db = TestDatabase::new()?;
//! let conn = taosync::connect(db.dsn().as_str())?;
//! conn.execute("create table t (ts timestamp, v int)", ())?;
//! conn.execute("insert into t values (now, 1)", ())?;
//! assert_eq!(conn.query_one::<(i32,), _>("select v from t", ())?.0, 1);
//! # Ok::<(), taosync::Error>(())
//! ```
//!
//! Two ways to isolate tests:
//!
//! - [`TestDatabase::new`]: one server per test process, started on first use
//!   ([`shared_server`]) and left to end with the process; every `TestDatabase` is a database
//!   of its own on it (a unique name), created at once and dropped when the value drops.
//!   Tests running in parallel threads never see each other's tables. Cheapest; the usual
//!   choice.
//! - [`TestDatabase::on_own_server`]: a server of its own, with any [`ServerConfig`] (a
//!   reported version, a time zone, users, faults), shut down — every connection closed,
//!   every thread joined — when the value drops. For tests that change server-wide state
//!   (users, topics) or inject faults.
//!
//! Nothing here needs a client: the database is created and dropped inside the server's
//! engine, so the fixture works with any client (taosync, the official connectors, a
//! `curl`), over WebSocket ([`dsn`](TestDatabase::dsn)) or REST
//! ([`dsn_rest`](TestDatabase::dsn_rest)).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use taosync_proto::error::{Error, ErrorKind, Result};

use crate::{Server, ServerConfig, ServerHandle};

/// The server shared by every [`TestDatabase::new`] of this process, started with
/// [`ServerConfig::new`] on first use. It is never stopped before the process ends.
///
/// ```
/// let server = taosync_server::testing::shared_server()?;
/// let again = taosync_server::testing::shared_server()?;
/// assert_eq!(server.port(), again.port());
/// # Ok::<(), taosync_proto::Error>(())
/// ```
pub fn shared_server() -> Result<&'static ServerHandle> {
    static SHARED: OnceLock<std::result::Result<ServerHandle, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| Server::start(ServerConfig::new()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| {
            Error::new(
                ErrorKind::Connection,
                format!("the shared test server did not start: {e}"),
            )
        })
}

/// Where a [`TestDatabase`] lives.
enum Host {
    Shared(&'static ServerHandle),
    Own(ServerHandle),
}

impl Host {
    fn server(&self) -> &ServerHandle {
        match self {
            Host::Shared(s) => s,
            Host::Own(s) => s,
        }
    }
}

/// A fresh database on an embedded server, dropped (and its own server, if any, shut
/// down) when the value drops. See the [module docs](self).
///
/// ```
/// use taosync_server::{ServerConfig, testing::TestDatabase};
/// let db = TestDatabase::on_own_server(ServerConfig::new().version("3.3.1.0"))?;
/// let conn = taosync::connect(db.dsn_rest().as_str())?;
/// assert_eq!(conn.server_version()?, "3.3.1.0");
/// assert_eq!(conn.current_db()?.as_deref(), Some(db.name()));
/// # Ok::<(), taosync::Error>(())
/// ```
pub struct TestDatabase {
    name: String,
    host: Host,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .field("server", &self.host.server().addr())
            .finish()
    }
}

impl TestDatabase {
    /// A new database on the [shared server](shared_server), with the server's default
    /// options (millisecond precision).
    ///
    /// ```
    /// let a = taosync_server::testing::TestDatabase::new()?;
    /// let b = taosync_server::testing::TestDatabase::new()?;
    /// assert_ne!(a.name(), b.name());
    /// assert_eq!(a.server().port(), b.server().port());
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn new() -> Result<TestDatabase> {
        TestDatabase::with_options("")
    }

    /// A new database on the shared server, created with `options` appended to
    /// `CREATE DATABASE <name>` (e.g. `"precision 'ns'"`).
    ///
    /// ```
    /// let db = taosync_server::testing::TestDatabase::with_options("precision 'ns'")?;
    /// let conn = taosync::connect(db.dsn().as_str())?;
    /// conn.execute("create table t (ts timestamp, v int)", ())?;
    /// let cur = conn.query("select ts from t", ())?;
    /// assert_eq!(cur.fields()[0].name, "ts");
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn with_options(options: &str) -> Result<TestDatabase> {
        TestDatabase::create(Host::Shared(shared_server()?), options)
    }

    /// A new database on a server of its own, started with `config` and shut down when
    /// the value drops.
    ///
    /// ```
    /// use taosync_server::{ServerConfig, testing::TestDatabase};
    /// let db = TestDatabase::on_own_server(ServerConfig::new())?;
    /// let port = db.server().port();
    /// drop(db); // the server stops: nothing listens on `port` any more
    /// assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn on_own_server(config: ServerConfig) -> Result<TestDatabase> {
        TestDatabase::create(Host::Own(Server::start(config)?), "")
    }

    fn create(host: Host, options: &str) -> Result<TestDatabase> {
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let options = options.trim();
        let sql = if options.is_empty() {
            format!("create database {name}")
        } else {
            format!("create database {name} {options}")
        };
        host.server().admin_execute(&sql)?;
        Ok(TestDatabase { name, host })
    }

    /// The database's name (`test_<pid>_<n>`).
    ///
    /// ```
    /// let db = taosync_server::testing::TestDatabase::new()?;
    /// assert!(db.name().starts_with("test_"));
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server it lives on.
    ///
    /// ```
    /// let db = taosync_server::testing::TestDatabase::new()?;
    /// assert!(db.dsn().starts_with(&db.server().dsn_ws()));
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn server(&self) -> &ServerHandle {
        self.host.server()
    }

    /// A WebSocket DSN selecting the database: `ws://root:taosdata@127.0.0.1:PORT/<name>`.
    ///
    /// ```
    /// let db = taosync_server::testing::TestDatabase::new()?;
    /// assert!(db.dsn().ends_with(&format!("/{}", db.name())));
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn dsn(&self) -> String {
        format!("{}/{}", self.server().dsn_ws(), self.name)
    }

    /// A REST DSN selecting the database: `http://root:taosdata@127.0.0.1:PORT/<name>`.
    ///
    /// ```
    /// let db = taosync_server::testing::TestDatabase::new()?;
    /// assert!(db.dsn_rest().starts_with("http://"));
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn dsn_rest(&self) -> String {
        format!("{}/{}", self.server().dsn_rest(), self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let sql = format!("drop database if exists {}", self.name);
        if let Err(e) = self.host.server().admin_execute(&sql) {
            log::warn!("test database {}: {e}", self.name);
        }
    }
}
