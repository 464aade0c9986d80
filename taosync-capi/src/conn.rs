//! Connections: `taos_connect`, `taos_close`, options, server and client info, `taos_select_db`.
//!
//! `taos_connect(host, user, pass, db, port)` reaches taosAdapter at `ws://host:port`
//! (`port` 0 → 6041, `host` NULL → `localhost`). When the environment variable
//! [`DSN_ENV`] (`TAOSYNC_DSN`) is set, it is used instead as a full taosync DSN (`wss://`,
//! `token=`, timeouts, several hosts...); non-NULL `user`, `pass` and `db` arguments still
//! override the DSN's.

use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::Arc;

use taosync::{ConnectOptions, Connection};

use crate::error::{self, CODE_INVALID_HANDLE, CODE_INVALID_PARA, CODE_NOT_SUPPORTED, ErrState};
use crate::ffi::{self, guard};
use crate::handles::{self, Obj};

/// The environment variable holding a full taosync DSN for `taos_connect`.
pub const DSN_ENV: &str = "TAOSYNC_DSN";

/// The version `taos_get_client_info` reports: a 3.x version, so clients take their v3 paths.
pub const CLIENT_VERSION: &str = "3.3.6.0";

static CLIENT_INFO: &[u8] = b"3.3.6.0\0";

/// A live connection.
pub struct ConnState {
    /// The taosync connection.
    pub conn: Connection,
    server_info: CString,
}

/// The connection options `taos_connect` builds from its arguments (and [`DSN_ENV`]).
pub fn connect_options(
    host: Option<&str>,
    user: Option<&str>,
    pass: Option<&str>,
    db: Option<&str>,
    port: u16,
) -> taosync::Result<ConnectOptions> {
    let mut opts = match std::env::var(DSN_ENV) {
        Ok(dsn) if !dsn.trim().is_empty() => ConnectOptions::from_dsn(dsn.trim())?,
        _ => {
            let host = host.filter(|h| !h.is_empty()).unwrap_or("localhost");
            let port = if port == 0 { 6041 } else { port };
            let host = if host.contains(':') && !host.starts_with('[') {
                format!("[{host}]")
            } else {
                host.to_string()
            };
            ConnectOptions::from_dsn(&format!("ws://{host}:{port}"))?
                .user("root")
                .password("taosdata")
        }
    };
    if let Some(u) = user.filter(|u| !u.is_empty()) {
        opts = opts.user(u);
    }
    if let Some(p) = pass {
        opts = opts.password(p);
    }
    if let Some(d) = db.filter(|d| !d.is_empty()) {
        opts = opts.database(d);
    }
    Ok(opts)
}

pub(crate) fn open(opts: &ConnectOptions) -> taosync::Result<usize> {
    let conn = opts.connect()?;
    let version = conn.server_version().unwrap_or_default();
    let server_info = CString::new(version.replace('\0', "")).unwrap_or_default();
    Ok(handles::insert(Obj::Conn(Arc::new(ConnState {
        conn,
        server_info,
    }))))
}

/// Looks up a connection handle, setting the thread error when it is not one.
pub(crate) fn lookup(taos: *mut c_void) -> Result<Arc<ConnState>, ErrState> {
    if taos.is_null() {
        return Err(ErrState::new(error::CODE_INVALID_PTR, "TAOS* is NULL"));
    }
    handles::conn(taos as usize).ok_or_else(|| {
        ErrState::new(
            CODE_INVALID_HANDLE,
            "not a live TAOS* (closed, freed or another kind of handle)",
        )
    })
}

/// `int taos_init(void)`: nothing to initialise; 0.
#[unsafe(no_mangle)]
pub extern "C" fn taos_init() -> c_int {
    0
}

/// `void taos_cleanup(void)`: closes every connection and frees every result still open.
#[unsafe(no_mangle)]
pub extern "C" fn taos_cleanup() {
    guard((), handles::clear)
}

/// `int taos_options(TSDB_OPTION option, const void *arg, ...)`: accepted and ignored
/// (locale, charset, time zone and config dir mean nothing to a WebSocket client; use
/// `TAOSYNC_DSN` for connection settings). Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn taos_options(option: c_int, _arg: *const c_void) -> c_int {
    guard(CODE_INVALID_PARA, || {
        if (0..=5).contains(&option) {
            0
        } else {
            CODE_INVALID_PARA
        }
    })
}

/// `int taos_options_connection(TAOS *taos, TSDB_OPTION_CONNECTION option, const void *arg, ...)`:
/// accepted for a live connection and ignored. Returns 0, or an error code for a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn taos_options_connection(
    taos: *mut c_void,
    _option: c_int,
    _arg: *const c_void,
) -> c_int {
    guard(CODE_INVALID_HANDLE, || match lookup(taos) {
        Ok(_) => 0,
        Err(e) => {
            let c = e.code;
            error::set_thread_state(e);
            c
        }
    })
}

/// `int taos_set_conn_mode(TAOS *taos, int mode, int value)`: accepted and ignored.
#[unsafe(no_mangle)]
pub extern "C" fn taos_set_conn_mode(taos: *mut c_void, _mode: c_int, _value: c_int) -> c_int {
    taos_options_connection(taos, 0, std::ptr::null())
}

/// `TAOS *taos_connect(const char *ip, const char *user, const char *pass, const char *db, uint16_t port)`.
/// NULL on failure, with `taos_errno(NULL)` / `taos_errstr(NULL)` set.
#[unsafe(no_mangle)]
pub extern "C" fn taos_connect(
    ip: *const c_char,
    user: *const c_char,
    pass: *const c_char,
    db: *const c_char,
    port: u16,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let args = (|| {
            Ok((
                ffi::opt_str(ip)?,
                ffi::opt_str(user)?,
                ffi::opt_str(pass)?,
                ffi::opt_str(db)?,
            ))
        })();
        let (ip, user, pass, db) = match args {
            Ok(a) => a,
            Err(msg) => {
                error::set_thread_error(CODE_INVALID_PARA, msg);
                return std::ptr::null_mut();
            }
        };
        match connect_options(ip, user, pass, db, port).and_then(|o| open(&o)) {
            Ok(h) => {
                error::clear_thread_error();
                h as *mut c_void
            }
            Err(e) => {
                error::set_thread_state(ErrState::from_error(&e));
                std::ptr::null_mut()
            }
        }
    })
}

/// `TAOS *taos_connect_auth(...)`: an MD5 password digest cannot be sent to taosAdapter,
/// which wants the password itself; fails with `TSDB_CODE_OPS_NOT_SUPPORT`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_connect_auth(
    _ip: *const c_char,
    _user: *const c_char,
    _auth: *const c_char,
    _db: *const c_char,
    _port: u16,
) -> *mut c_void {
    error::set_thread_error(
        CODE_NOT_SUPPORTED,
        "taos_connect_auth is not supported over WebSocket",
    );
    std::ptr::null_mut()
}

/// `void taos_close(TAOS *taos)`: closes the connection. A NULL, closed or foreign handle
/// sets the thread error and does nothing else. Results of the connection stay readable
/// until freed (their fetches then fail).
#[unsafe(no_mangle)]
pub extern "C" fn taos_close(taos: *mut c_void) {
    guard((), || {
        if lookup(taos).is_err() {
            error::set_thread_error(CODE_INVALID_HANDLE, "taos_close: not a live TAOS*");
            return;
        }
        if let Some(Obj::Conn(c)) = handles::remove(taos as usize) {
            let _ = c.conn.close();
        }
    })
}

/// `const char *taos_get_server_info(TAOS *taos)`: the server version; NULL for a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn taos_get_server_info(taos: *mut c_void) -> *const c_char {
    guard(std::ptr::null(), || match lookup(taos) {
        // The CString lives in the connection; the handle table keeps it alive until close.
        Ok(c) => c.server_info.as_ptr(),
        Err(e) => {
            error::set_thread_state(e);
            std::ptr::null()
        }
    })
}

/// `const char *taos_get_client_info(void)`: [`CLIENT_VERSION`].
#[unsafe(no_mangle)]
pub extern "C" fn taos_get_client_info() -> *const c_char {
    CLIENT_INFO.as_ptr().cast()
}

/// `int taos_select_db(TAOS *taos, const char *db)`: 0 or an error code.
#[unsafe(no_mangle)]
pub extern "C" fn taos_select_db(taos: *mut c_void, db: *const c_char) -> c_int {
    guard(error::CODE_APP_ERROR, || {
        let r = lookup(taos).and_then(|c| {
            let db =
                ffi::req_str(db, "db is NULL").map_err(|m| ErrState::new(CODE_INVALID_PARA, m))?;
            c.conn.select_db(db).map_err(|e| ErrState::from_error(&e))
        });
        finish(r.map(|_| 0))
    })
}

/// `int taos_get_current_db(TAOS *taos, char *database, int len, int *required)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_get_current_db(
    taos: *mut c_void,
    database: *mut c_char,
    len: c_int,
    required: *mut c_int,
) -> c_int {
    guard(error::CODE_APP_ERROR, || {
        let r = lookup(taos).and_then(|c| {
            let db = c
                .conn
                .current_db()
                .map_err(|e| ErrState::from_error(&e))?
                .unwrap_or_default();
            let need = c_int::try_from(db.len() + 1).unwrap_or(c_int::MAX);
            ffi::write(required, need);
            let cap = usize::try_from(len)
                .map_err(|_| ErrState::new(CODE_INVALID_PARA, "negative len"))?;
            if database.is_null() || cap < db.len() + 1 {
                ffi::copy_cstr(database, cap, db.as_bytes());
                return Err(ErrState::new(
                    CODE_INVALID_PARA,
                    "buffer too small for the database name",
                ));
            }
            ffi::copy_cstr(database, cap, db.as_bytes());
            Ok(0)
        });
        finish(r)
    })
}

/// `int taos_validate_sql(TAOS *taos, const char *sql)`: taosAdapter has no validate-only
/// request, so this answers `TSDB_CODE_OPS_NOT_SUPPORT` (after checking its arguments).
#[unsafe(no_mangle)]
pub extern "C" fn taos_validate_sql(taos: *mut c_void, sql: *const c_char) -> c_int {
    guard(error::CODE_APP_ERROR, || {
        let r = lookup(taos).and_then(|_| {
            ffi::req_str(sql, "sql is NULL").map_err(|m| ErrState::new(CODE_INVALID_PARA, m))?;
            Err(ErrState::new(
                CODE_NOT_SUPPORTED,
                "taos_validate_sql is not supported over WebSocket",
            ))
        });
        finish(r)
    })
}

/// Sets the thread error from `r` and returns the code.
pub(crate) fn finish(r: Result<c_int, ErrState>) -> c_int {
    match r {
        Ok(v) => {
            error::clear_thread_error();
            v
        }
        Err(e) => {
            let c = e.code;
            error::set_thread_state(e);
            c
        }
    }
}
