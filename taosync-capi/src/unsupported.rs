//! Entry points that exist (taospy loads them at import) but are not implemented yet in
//! taosync's libtaos: each checks nothing it cannot, touches no pointer, and fails with
//! `TSDB_CODE_OPS_NOT_SUPPORT` and a message (statement handles come back NULL).

use std::ffi::{c_char, c_int, c_void};

use crate::error::{self, CODE_NOT_SUPPORTED};

fn unsupported(name: &str) -> c_int {
    error::set_thread_error(
        CODE_NOT_SUPPORTED,
        &format!("{name} is not supported by taosync's libtaos yet"),
    );
    CODE_NOT_SUPPORTED
}

/// `TAOS_STMT *taos_stmt_init(TAOS *taos)`: NULL (not supported yet).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_init(_taos: *mut c_void) -> *mut c_void {
    unsupported("taos_stmt_init");
    std::ptr::null_mut()
}

/// `TAOS_STMT *taos_stmt_init_with_reqid(TAOS *taos, int64_t reqid)`: NULL (not supported yet).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_init_with_reqid(_taos: *mut c_void, _req_id: i64) -> *mut c_void {
    unsupported("taos_stmt_init_with_reqid");
    std::ptr::null_mut()
}

/// `int taos_stmt_prepare(TAOS_STMT *stmt, const char *sql, unsigned long length)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_prepare(
    _stmt: *mut c_void,
    _sql: *const c_char,
    _len: std::ffi::c_ulong,
) -> c_int {
    unsupported("taos_stmt_prepare")
}

/// `int taos_stmt_close(TAOS_STMT *stmt)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_close(_stmt: *mut c_void) -> c_int {
    unsupported("taos_stmt_close")
}

/// `char *taos_stmt_errstr(TAOS_STMT *stmt)`: this thread's message.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_errstr(_stmt: *mut c_void) -> *const c_char {
    error::thread_msg_ptr()
}
