//! Connection pooling with [r2d2](https://docs.rs/r2d2) (cargo feature `r2d2`, off by
//! default).
//!
//! [`ConnectionManager`] opens [`Connection`]s from one set of [`ConnectOptions`]; r2d2
//! checks a connection out only after [`is_valid`](r2d2::ManageConnection::is_valid) — a real
//! round trip ([`Connection::ping`]) bounded by a short timeout — succeeded, and drops a
//! connection whose socket failed ([`Connection::is_broken`], no I/O) when it is returned.
//! After a server restart the pool therefore hands out working connections only: the
//! stale ones fail their check and are replaced.
//!
//! ```
//! # let server = taosync_server::Server::start(Default::default())?;
//! # let dsn = server.dsn_ws();
//! use taosync::pool::{ConnectionManager, r2d2};
//!
//! let manager = ConnectionManager::new(dsn.as_str())?;
//! let pool = r2d2::Pool::builder().max_size(4).build(manager)?;
//! let conn = pool.get()?;
//! let (one,): (i64,) = conn.query_one("select 1", ())?;
//! assert_eq!(one, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Duration;

pub use r2d2;

use crate::options::IntoConnectOptions;
use crate::{ConnectOptions, Connection, Error, Result};

/// How long [`ConnectionManager`]'s health check waits for the server by default.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// An [`r2d2::ManageConnection`] for taosync connections. See the [module docs](self).
///
/// ```
/// # let server = taosync_server::Server::start(Default::default())?;
/// use std::time::Duration;
/// use taosync::pool::ConnectionManager;
/// let manager = ConnectionManager::new(server.dsn_rest().as_str())?
///     .check_timeout(Duration::from_millis(500));
/// assert_eq!(manager.options().get_conn_retries(), 2);
/// # Ok::<(), taosync::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ConnectionManager {
    options: ConnectOptions,
    check_timeout: Duration,
}

impl ConnectionManager {
    /// A manager for connections to `dsn` (a DSN string or [`ConnectOptions`]); a
    /// malformed DSN is an [`Interface`](crate::ErrorKind::Interface) error now, not at the
    /// first checkout.
    ///
    /// ```
    /// let e = taosync::pool::ConnectionManager::new("ws://host:notaport").unwrap_err();
    /// assert_eq!(e.kind(), taosync::ErrorKind::Interface);
    /// ```
    pub fn new(dsn: impl IntoConnectOptions) -> Result<ConnectionManager> {
        Ok(ConnectionManager::from_options(dsn.into_connect_options()?))
    }

    /// A manager for connections opened with `options`.
    ///
    /// ```
    /// let options = taosync::ConnectOptions::from_dsn("ws://localhost:6041")?;
    /// let manager = taosync::pool::ConnectionManager::from_options(options);
    /// assert_eq!(manager.options().get_hosts()[0].port, 6041);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn from_options(options: ConnectOptions) -> ConnectionManager {
        ConnectionManager {
            options,
            check_timeout: DEFAULT_CHECK_TIMEOUT,
        }
    }

    /// How long the checkout health check waits for the server
    /// ([`DEFAULT_CHECK_TIMEOUT`] unless set).
    ///
    /// ```
    /// # let manager = taosync::pool::ConnectionManager::new("ws://localhost:6041")?;
    /// let manager = manager.check_timeout(std::time::Duration::from_secs(1));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn check_timeout(mut self, timeout: Duration) -> ConnectionManager {
        self.check_timeout = timeout;
        self
    }

    /// The options new connections are opened with.
    ///
    /// ```
    /// # let manager = taosync::pool::ConnectionManager::new("ws://localhost:6041/power")?;
    /// assert_eq!(manager.options().get_database(), Some("power"));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Connection;
    type Error = Error;

    fn connect(&self) -> Result<Connection> {
        self.options.connect()
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<()> {
        conn.ping(self.check_timeout)
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.is_broken()
    }
}
