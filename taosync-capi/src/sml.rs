//! Schemaless writes: `taos_schemaless_insert` and its `_raw`, `_ttl`, `_with_reqid` and
//! `_tbname_key` variants, on taosync's [`Connection::schemaless`](taosync::Connection::schemaless).
//!
//! Each returns a `TAOS_RES*` without columns whose `taos_errno` / `taos_errstr` tell the
//! outcome and whose `taos_affected_rows` is the server's row count; NULL only for a bad
//! connection handle (then the thread error says why).

use std::ffi::{c_char, c_int, c_void};

use taosync::{SchemalessPrecision, SchemalessProtocol};

use crate::conn;
use crate::error::{self, CODE_INVALID_PARA, ErrState};
use crate::ffi;
use crate::result::{self, ResultState};

/// `TSDB_CODE_SML_INVALID_PROTOCOL_TYPE`.
const CODE_SML_INVALID_PROTOCOL: i32 = error::code(0x3000);
/// `TSDB_CODE_SML_INVALID_PRECISION_TYPE`.
const CODE_SML_INVALID_PRECISION: i32 = error::code(0x3001);

/// `TSDB_SML_TIMESTAMP_PRECISION` → taosync's precision.
fn precision(p: c_int) -> Option<SchemalessPrecision> {
    Some(match p {
        0 => SchemalessPrecision::NotConfigured,
        1 => SchemalessPrecision::Hour,
        2 => SchemalessPrecision::Minute,
        3 => SchemalessPrecision::Second,
        4 => SchemalessPrecision::Millisecond,
        5 => SchemalessPrecision::Microsecond,
        6 => SchemalessPrecision::Nanosecond,
        _ => return None,
    })
}

/// The records of a call: either an array of lines or one raw buffer.
enum Input<'a> {
    Lines(Vec<&'a str>),
    Raw(&'a str),
}

struct Args<'a> {
    protocol: c_int,
    precision: c_int,
    ttl: i32,
    req_id: Option<i64>,
    tbname_key: *const c_char,
    input: Result<Input<'a>, &'static str>,
}

fn lines_of<'a>(lines: *const *const c_char, num: c_int) -> Result<Input<'a>, &'static str> {
    let n = usize::try_from(num).map_err(|_| "numLines is negative")?;
    let ptrs = ffi::in_slice(lines, n).ok_or("lines is NULL")?;
    let mut out = Vec::with_capacity(n);
    for p in ptrs {
        out.push(ffi::req_str(*p, "a line is NULL")?);
    }
    Ok(Input::Lines(out))
}

fn raw_of<'a>(lines: *const c_char, len: c_int) -> Result<Input<'a>, &'static str> {
    let n = i64::from(len);
    if n < 0 {
        return Err("len is negative");
    }
    let bytes = ffi::bytes(lines, n)?;
    std::str::from_utf8(bytes)
        .map(Input::Raw)
        .map_err(|_| "lines are not valid UTF-8")
}

fn insert(taos: *mut c_void, args: Args<'_>, total_rows: *mut i32) -> *mut c_void {
    let c = match conn::lookup(taos) {
        Ok(c) => c,
        Err(e) => {
            error::set_thread_state(e);
            return std::ptr::null_mut();
        }
    };
    let outcome = (|| -> Result<i64, (ErrState, i64)> {
        let bad = |code, msg: &str| (ErrState::new(code, msg), 0);
        let input = args.input.map_err(|m| bad(CODE_INVALID_PARA, m))?;
        let protocol = SchemalessProtocol::from_code(args.protocol)
            .ok_or_else(|| bad(CODE_SML_INVALID_PROTOCOL, "invalid schemaless protocol"))?;
        let precision = precision(args.precision)
            .ok_or_else(|| bad(CODE_SML_INVALID_PRECISION, "invalid schemaless precision"))?;
        let ttl = u32::try_from(args.ttl).map_err(|_| bad(CODE_INVALID_PARA, "ttl is negative"))?;
        let key = ffi::opt_str(args.tbname_key).map_err(|m| bad(CODE_INVALID_PARA, m))?;
        let mut w = c.conn.schemaless(protocol).precision(precision).ttl(ttl);
        if let Some(k) = key {
            w = w.table_name_key(k);
        }
        if let Some(id) = args.req_id {
            w = w.req_id(id as u64);
        }
        let r = match input {
            Input::Lines(lines) => w.insert(&lines),
            Input::Raw(text) => w.insert(text),
        };
        r.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
            .map_err(|e| {
                let rows = e
                    .affected_rows()
                    .map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX));
                (ErrState::from_error(&e), rows)
            })
    })();
    let (err, rows) = match outcome {
        Ok(n) => (ErrState::ok(), n),
        Err((e, n)) => (e, n),
    };
    ffi::write(total_rows, i32::try_from(rows).unwrap_or(i32::MAX));
    error::set_thread_state(err.clone());
    result::register(ResultState::affected(err, rows))
}

macro_rules! sml_fn {
    ($(#[$doc:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) => |$($bind:ident),*| $build:expr, $total:expr) => {
        $(#[$doc])*
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(taos: *mut c_void, $($arg: $ty),*) -> *mut c_void {
            crate::ffi::guard(std::ptr::null_mut(), || {
                let ($($bind),*) = ($($arg),*);
                insert(taos, $build, $total)
            })
        }
    };
}

fn args<'a>(input: Result<Input<'a>, &'static str>, protocol: c_int, precision: c_int) -> Args<'a> {
    Args {
        protocol,
        precision,
        ttl: 0,
        req_id: None,
        tbname_key: std::ptr::null(),
        input,
    }
}

sml_fn!(
    /// `TAOS_RES *taos_schemaless_insert(TAOS *taos, char *lines[], int numLines, int protocol, int precision)`.
    taos_schemaless_insert(lines: *const *const c_char, num: c_int, protocol: c_int, precision: c_int)
        => |l, n, pr, pc| args(lines_of(l, n), pr, pc), std::ptr::null_mut()
);
sml_fn!(
    /// `TAOS_RES *taos_schemaless_insert_with_reqid(TAOS *taos, char *lines[], int numLines, int protocol, int precision, int64_t reqid)`.
    taos_schemaless_insert_with_reqid(lines: *const *const c_char, num: c_int, protocol: c_int, precision: c_int, req_id: i64)
        => |l, n, pr, pc, id| Args { req_id: Some(id), ..args(lines_of(l, n), pr, pc) }, std::ptr::null_mut()
);
sml_fn!(
    /// `TAOS_RES *taos_schemaless_insert_ttl(TAOS *taos, char *lines[], int numLines, int protocol, int precision, int32_t ttl)`.
    taos_schemaless_insert_ttl(lines: *const *const c_char, num: c_int, protocol: c_int, precision: c_int, ttl: i32)
        => |l, n, pr, pc, t| Args { ttl: t, ..args(lines_of(l, n), pr, pc) }, std::ptr::null_mut()
);
sml_fn!(
    /// `TAOS_RES *taos_schemaless_insert_ttl_with_reqid(TAOS *taos, char *lines[], int numLines, int protocol, int precision, int32_t ttl, int64_t reqid)`.
    taos_schemaless_insert_ttl_with_reqid(lines: *const *const c_char, num: c_int, protocol: c_int, precision: c_int, ttl: i32, req_id: i64)
        => |l, n, pr, pc, t, id| Args { ttl: t, req_id: Some(id), ..args(lines_of(l, n), pr, pc) }, std::ptr::null_mut()
);
sml_fn!(
    /// `TAOS_RES *taos_schemaless_insert_ttl_with_reqid_tbname_key(TAOS *taos, char *lines[], int numLines, int protocol, int precision, int32_t ttl, int64_t reqid, char *tbnameKey)`.
    taos_schemaless_insert_ttl_with_reqid_tbname_key(lines: *const *const c_char, num: c_int, protocol: c_int, precision: c_int, ttl: i32, req_id: i64, key: *const c_char)
        => |l, n, pr, pc, t, id, k| Args { ttl: t, req_id: Some(id), tbname_key: k, ..args(lines_of(l, n), pr, pc) }, std::ptr::null_mut()
);

macro_rules! sml_raw_fn {
    ($(#[$doc:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) => |$($bind:ident),*| $build:expr) => {
        $(#[$doc])*
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(taos: *mut c_void, lines: *const c_char, len: c_int, total_rows: *mut i32, $($arg: $ty),*) -> *mut c_void {
            crate::ffi::guard(std::ptr::null_mut(), || {
                let ($($bind),*) = ($($arg),*);
                insert(taos, Args { ..$build(raw_of(lines, len)) }, total_rows)
            })
        }
    };
}

sml_raw_fn!(
    /// `TAOS_RES *taos_schemaless_insert_raw(TAOS *taos, char *lines, int len, int32_t *totalRows, int protocol, int precision)`.
    taos_schemaless_insert_raw(protocol: c_int, precision: c_int)
        => |pr, pc| |i| args(i, pr, pc)
);
sml_raw_fn!(
    /// `TAOS_RES *taos_schemaless_insert_raw_with_reqid(TAOS *taos, char *lines, int len, int32_t *totalRows, int protocol, int precision, int64_t reqid)`.
    taos_schemaless_insert_raw_with_reqid(protocol: c_int, precision: c_int, req_id: i64)
        => |pr, pc, id| |i| Args { req_id: Some(id), ..args(i, pr, pc) }
);
sml_raw_fn!(
    /// `TAOS_RES *taos_schemaless_insert_raw_ttl(TAOS *taos, char *lines, int len, int32_t *totalRows, int protocol, int precision, int32_t ttl)`.
    taos_schemaless_insert_raw_ttl(protocol: c_int, precision: c_int, ttl: i32)
        => |pr, pc, t| |i| Args { ttl: t, ..args(i, pr, pc) }
);
sml_raw_fn!(
    /// `TAOS_RES *taos_schemaless_insert_raw_ttl_with_reqid(TAOS *taos, char *lines, int len, int32_t *totalRows, int protocol, int precision, int32_t ttl, int64_t reqid)`.
    taos_schemaless_insert_raw_ttl_with_reqid(protocol: c_int, precision: c_int, ttl: i32, req_id: i64)
        => |pr, pc, t, id| |i| Args { ttl: t, req_id: Some(id), ..args(i, pr, pc) }
);
sml_raw_fn!(
    /// `TAOS_RES *taos_schemaless_insert_raw_ttl_with_reqid_tbname_key(TAOS *taos, char *lines, int len, int32_t *totalRows, int protocol, int precision, int32_t ttl, int64_t reqid, char *tbnameKey)`.
    taos_schemaless_insert_raw_ttl_with_reqid_tbname_key(protocol: c_int, precision: c_int, ttl: i32, req_id: i64, key: *const c_char)
        => |pr, pc, t, id, k| |i| Args { ttl: t, req_id: Some(id), tbname_key: k, ..args(i, pr, pc) }
);
