//! stmt2: `taos_stmt2_init`, `prepare`, `bind_param`, `exec`, `result`, `close`,
//! `is_insert`, `get_fields`, `free_fields`, `error`, on taosync's
//! [`Statement`] speaking stmt2 on the wire.
//!
//! `taos_stmt2_bind_param` reads a `TAOS_STMT2_BINDV` (see `bind`) with as many tag and
//! column binds per table as the prepared INSERT has tag and column placeholders (as many
//! columns as `?` for a query); the binds of several calls add up until `taos_stmt2_exec`.
//! With `asyncExecFn` set in the `TAOS_STMT2_OPTION`, `taos_stmt2_exec` returns at once and
//! a thread of ours runs the statement, then calls `asyncExecFn(userdata, res, code)`.
//!
//! Result handles from `taos_stmt2_result` (and the one given to `asyncExecFn`) belong to
//! the statement: they are freed by the next exec or by `taos_stmt2_close`, as in libtaos.
//! Field arrays from `taos_stmt2_get_fields` live until `taos_stmt2_free_fields` or close.
//!
//! ```
//! # let server = taosync_server::Server::start(Default::default())?;
//! use std::ffi::{CString, c_void};
//! use taos::stmt2::*;
//! let host = CString::new("127.0.0.1").unwrap();
//! let taos = taos::conn::taos_connect(host.as_ptr(), std::ptr::null(), std::ptr::null(),
//!     std::ptr::null(), server.port());
//! # let setup = CString::new("create database d").unwrap();
//! # taos::result::taos_free_result(taos::result::taos_query(taos, setup.as_ptr()));
//! # let setup = CString::new("create table d.t (ts timestamp, v int)").unwrap();
//! # taos::result::taos_free_result(taos::result::taos_query(taos, setup.as_ptr()));
//! let stmt = taos_stmt2_init(taos, std::ptr::null_mut());
//! let sql = CString::new("insert into d.t values (?, ?)").unwrap();
//! assert_eq!(taos_stmt2_prepare(stmt, sql.as_ptr(), 0), 0);
//! let mut ts = [1_700_000_000_000i64, 1_700_000_000_001];
//! let mut v = [7i32, 8];
//! let mut cols = [
//!     TaosStmt2Bind { buffer_type: 9, buffer: ts.as_mut_ptr().cast(), length: std::ptr::null_mut(),
//!         is_null: std::ptr::null_mut(), num: 2 },
//!     TaosStmt2Bind { buffer_type: 4, buffer: v.as_mut_ptr().cast(), length: std::ptr::null_mut(),
//!         is_null: std::ptr::null_mut(), num: 2 },
//! ];
//! let mut tables = [cols.as_mut_ptr()];
//! let mut bindv = TaosStmt2Bindv { count: 1, tbnames: std::ptr::null_mut(),
//!     tags: std::ptr::null_mut(), bind_cols: tables.as_mut_ptr() };
//! assert_eq!(taos_stmt2_bind_param(stmt, &mut bindv, -1), 0);
//! let mut affected = 0;
//! assert_eq!(taos_stmt2_exec(stmt, &mut affected), 0);
//! assert_eq!(affected, 2);
//! assert_eq!(taos_stmt2_close(stmt), 0);
//! taos::conn::taos_close(taos);
//! # Ok::<(), taosync::Error>(())
//! ```

use std::ffi::{CStr, c_char, c_int, c_ulong, c_void};
use std::sync::{Arc, Mutex};

use taosync::stmt::{BindType, Stmt2Field};
use taosync::{ColumnView, Statement};

use crate::bind::{self, RawBind, VarLayout};
use crate::conn;
use crate::error::{
    self, CODE_APP_ERROR, CODE_INVALID_HANDLE, CODE_INVALID_PARA, CODE_INVALID_PTR,
    CODE_NOT_SUPPORTED, ErrState,
};
use crate::ffi::{self, guard};
use crate::handles::{self, Obj, lock};
use crate::prepared::{self, Lent, placeholders};
use crate::result::{self, AsyncFn, ResultState};

/// `TAOS_STMT2_OPTION`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaosStmt2Option {
    /// Request id of the init request (0: generated).
    pub reqid: i64,
    /// All rows go to one supertable.
    pub single_stb_insert: bool,
    /// Each table is bound at most once per exec.
    pub single_table_bind_once: bool,
    /// When set, `taos_stmt2_exec` runs asynchronously and calls this.
    pub async_exec_fn: AsyncFn,
    /// First argument of `async_exec_fn`.
    pub userdata: *mut c_void,
}

/// `TAOS_STMT2_BIND`: one column (or tag) of `num` rows.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaosStmt2Bind {
    /// `TSDB_DATA_TYPE_*`.
    pub buffer_type: c_int,
    /// The values: `num` fixed-width values, or the non-NULL variable-width values back to back.
    pub buffer: *mut c_void,
    /// Byte length per row (variable-width types).
    pub length: *mut i32,
    /// NULL flag per row (may be NULL: no NULLs).
    pub is_null: *mut c_char,
    /// Row count.
    pub num: c_int,
}

/// `TAOS_STMT2_BINDV`: the binds of `count` tables.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaosStmt2Bindv {
    /// Number of tables.
    pub count: c_int,
    /// `count` table names (may be NULL).
    pub tbnames: *mut *mut c_char,
    /// `count` arrays of tag binds, one per tag placeholder (may be NULL).
    pub tags: *mut *mut TaosStmt2Bind,
    /// `count` arrays of column binds, one per column placeholder (may be NULL).
    pub bind_cols: *mut *mut TaosStmt2Bind,
}

/// `TAOS_FIELD_ALL`: one placeholder of a prepared statement.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaosFieldAll {
    /// NUL-terminated name.
    pub name: [c_char; 65],
    /// `TSDB_DATA_TYPE_*`.
    pub type_: i8,
    /// Timestamp precision (0 ms, 1 µs, 2 ns) or DECIMAL precision.
    pub precision: u8,
    /// DECIMAL scale.
    pub scale: u8,
    /// Storage width.
    pub bytes: i32,
    /// `TAOS_FIELD_T`: 1 column, 2 tag, 3 query parameter, 4 table name.
    pub field_type: u8,
}

/// The state behind a `TAOS_STMT2*`.
pub struct Stmt2State {
    stmt: Statement,
    err: ErrState,
    async_fn: AsyncFn,
    userdata: usize,
    /// Field arrays handed out by `taos_stmt2_get_fields`, until freed.
    lent: Lent<TaosFieldAll>,
    /// Result handles this statement owns (freed at the next exec and on close).
    results: Vec<usize>,
}

type Shared = Arc<Mutex<Stmt2State>>;

fn lookup(stmt: *mut c_void) -> Result<Shared, ErrState> {
    handles::lookup(stmt, "TAOS_STMT2*", |o| match o {
        Obj::Stmt2(s) => Some(s),
        _ => None,
    })
}

impl Stmt2State {
    /// Records the outcome on the statement and the thread; returns the code.
    fn finish(&mut self, r: Result<c_int, ErrState>) -> c_int {
        prepared::record(&mut self.err, r)
    }

    fn free_results(&mut self) {
        for h in self.results.drain(..) {
            handles::remove(h);
        }
    }
}

/// Runs `f` on the live statement `stmt`, recording its outcome.
fn with_stmt(
    stmt: *mut c_void,
    f: impl FnOnce(&mut Stmt2State) -> Result<c_int, ErrState>,
) -> c_int {
    match lookup(stmt) {
        Ok(s) => {
            let mut st = lock(&s);
            let r = f(&mut st);
            st.finish(r)
        }
        Err(e) => conn::finish(Err(e)),
    }
}

fn taos_err(e: &taosync::Error) -> ErrState {
    ErrState::from_error(e)
}

fn para(msg: &str) -> ErrState {
    ErrState::new(CODE_INVALID_PARA, msg)
}

/// `TAOS_STMT2 *taos_stmt2_init(TAOS *taos, TAOS_STMT2_OPTION *option)`: NULL on failure
/// (see `taos_errstr(NULL)`). A NULL `option` means no flags and synchronous exec.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_init(taos: *mut c_void, option: *mut TaosStmt2Option) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let opt = ffi::read(option.cast_const());
        let (stb, once, req_id) = opt.map_or((false, false, 0), |o| {
            (o.single_stb_insert, o.single_table_bind_once, o.reqid)
        });
        match prepared::new_statement(taos, stb, once, req_id) {
            Ok(stmt) => {
                error::clear_thread_error();
                let state = Stmt2State {
                    stmt,
                    err: ErrState::ok(),
                    async_fn: opt.and_then(|o| o.async_exec_fn),
                    userdata: opt.map_or(0, |o| o.userdata as usize),
                    lent: Lent::default(),
                    results: Vec::new(),
                };
                handles::insert(Obj::Stmt2(Arc::new(Mutex::new(state)))) as *mut c_void
            }
            Err(e) => {
                error::set_thread_state(e);
                std::ptr::null_mut()
            }
        }
    })
}

/// The SQL of a `(const char *sql, unsigned long length)` pair (0: NUL-terminated).
pub(crate) fn sql_arg<'a>(sql: *const c_char, len: c_ulong) -> Result<&'a str, ErrState> {
    let n = if len == 0 {
        -1
    } else {
        i64::try_from(len).map_err(|_| para("length is too large"))?
    };
    let bytes = ffi::bytes(sql, n).map_err(|m| ErrState::new(CODE_INVALID_PTR, m))?;
    std::str::from_utf8(bytes).map_err(|_| para("sql is not valid UTF-8"))
}

/// `int taos_stmt2_prepare(TAOS_STMT2 *stmt, const char *sql, unsigned long length)`:
/// `length` 0 means NUL-terminated. Drops pending binds.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_prepare(stmt: *mut c_void, sql: *const c_char, len: c_ulong) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let sql = sql_arg(sql, len)?;
            s.stmt.prepare(sql).map_err(|e| taos_err(&e))?;
            Ok(0)
        })
    })
}

/// The C function that prepares a statement, for "was not called" errors.
const PREPARE: &str = "taos_stmt2_prepare";

fn binds_of(
    arrays: *mut *mut TaosStmt2Bind,
    table: usize,
    n: usize,
) -> Result<Option<Vec<RawBind>>, ErrState> {
    if arrays.is_null() || n == 0 {
        return Ok(None);
    }
    // `table` < count was checked by the caller against the array of `count` pointers.
    let ptrs =
        ffi::in_slice(arrays.cast_const(), table + 1).ok_or_else(|| para("NULL bind array"))?;
    let binds: &[TaosStmt2Bind] = ffi::in_slice(ptrs[table].cast_const(), n)
        .ok_or_else(|| para("a table's bind array is NULL"))?;
    Ok(Some(
        binds
            .iter()
            .map(|b| RawBind {
                buffer_type: b.buffer_type,
                buffer: b.buffer.cast_const(),
                length: b.length.cast_const(),
                is_null: b.is_null.cast_const(),
                num: b.num,
            })
            .collect(),
    ))
}

/// `int taos_stmt2_bind_param(TAOS_STMT2 *stmt, TAOS_STMT2_BINDV *bindv, int32_t col_idx)`:
/// `col_idx` must be -1 (all columns at once).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_bind_param(
    stmt: *mut c_void,
    bindv: *mut TaosStmt2Bindv,
    col_idx: i32,
) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let v = ffi::read(bindv.cast_const())
                .ok_or_else(|| ErrState::new(CODE_INVALID_PTR, "bindv is NULL"))?;
            if col_idx != -1 {
                return Err(ErrState::new(
                    CODE_NOT_SUPPORTED,
                    "binding one column at a time (col_idx >= 0) is not supported; pass -1",
                ));
            }
            let count = usize::try_from(v.count).map_err(|_| para("bindv->count is negative"))?;
            let shape = prepared::shape(&s.stmt, PREPARE)?;
            let (tag_n, col_n) = (shape.tags, shape.cols);
            let col_fields: Vec<&Stmt2Field> = placeholders(&s.stmt, BindType::Column);
            let names = if v.tbnames.is_null() {
                None
            } else {
                Some(ffi::in_slice(v.tbnames.cast_const(), count).ok_or_else(|| para("tbnames"))?)
            };
            // Read every table first, so a bad bind adds nothing.
            let mut tables = Vec::with_capacity(count);
            for t in 0..count {
                let name = match names.map(|n| n[t]) {
                    Some(p) if !p.is_null() => {
                        Some(ffi::req_str(p, "tbname").map_err(para)?.to_owned())
                    }
                    _ => None,
                };
                let tags = binds_of(v.tags, t, tag_n)?
                    .map(|binds| {
                        binds
                            .iter()
                            .map(|b| bind::read_single(b, VarLayout::Packed))
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .transpose()
                    .map_err(para)?;
                let cols = binds_of(v.bind_cols, t, col_n)?
                    .map(|binds| {
                        binds
                            .iter()
                            .enumerate()
                            .map(|(i, b)| {
                                let view = bind::read_column(b, VarLayout::Packed)?;
                                Ok(bind::for_placeholder(view, col_fields.get(i).copied()))
                            })
                            .collect::<Result<Vec<ColumnView>, &'static str>>()
                    })
                    .transpose()
                    .map_err(para)?;
                tables.push((name, tags, cols));
            }
            let st = &mut s.stmt;
            for (name, tags, cols) in tables {
                let r = (|| {
                    if let Some(n) = &name {
                        st.set_tbname(n)?;
                    }
                    if let Some(tags) = &tags {
                        st.set_tags(tags)?;
                    }
                    if let Some(cols) = cols {
                        st.bind_param(cols)?;
                        st.add_batch()?;
                    }
                    Ok::<(), taosync::Error>(())
                })();
                r.map_err(|e| taos_err(&e))?;
            }
            Ok(0)
        })
    })
}

/// Executes and, for a query, registers the result as owned by the statement.
fn exec(s: &mut Stmt2State) -> Result<(i64, usize), ErrState> {
    s.free_results();
    let is_insert = s.stmt.is_insert().unwrap_or(true);
    let n = s.stmt.execute().map_err(|e| taos_err(&e))?;
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let state = if is_insert {
        ResultState::affected(ErrState::ok(), n)
    } else {
        let rs = s.stmt.result().map_err(|e| taos_err(&e))?;
        ResultState::from_cursor(rs.into_cursor())
    };
    let h = result::register(state) as usize;
    s.results.push(h);
    Ok((n, h))
}

/// `int taos_stmt2_exec(TAOS_STMT2 *stmt, int *affected_rows)`: the rows written go to
/// `*affected_rows` (may be NULL). With an `asyncExecFn`, returns 0 at once and calls it
/// from a thread of ours with a result (`taos_affected_rows`) or NULL and the error code.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_exec(stmt: *mut c_void, affected_rows: *mut c_int) -> c_int {
    guard(CODE_APP_ERROR, || {
        let shared = match lookup(stmt) {
            Ok(s) => s,
            Err(e) => return conn::finish(Err(e)),
        };
        let async_fn = lock(&shared).async_fn;
        let Some(fp) = async_fn else {
            let mut st = lock(&shared);
            let r = exec(&mut st).map(|(n, _)| {
                ffi::write(affected_rows, c_int::try_from(n).unwrap_or(c_int::MAX));
                0
            });
            return st.finish(r);
        };
        let spawned = std::thread::Builder::new()
            .name("taosync-capi-stmt2".into())
            .spawn(move || {
                guard((), || {
                    let (userdata, outcome) = {
                        let mut st = lock(&shared);
                        let r = exec(&mut st);
                        let out = match &r {
                            Ok((_, h)) => (*h, 0),
                            Err(e) => (0, e.code),
                        };
                        st.finish(r.map(|_| 0));
                        (st.userdata, out)
                    };
                    fp(userdata as *mut c_void, outcome.0 as *mut c_void, outcome.1);
                })
            });
        match spawned {
            Ok(_) => conn::finish(Ok(0)),
            Err(_) => conn::finish(Err(ErrState::new(CODE_APP_ERROR, "cannot start a thread"))),
        }
    })
}

/// `TAOS_RES *taos_stmt2_result(TAOS_STMT2 *stmt)`: the rows of the last executed query,
/// owned by the statement (do not free it: the next exec or close does). NULL on error.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_result(stmt: *mut c_void) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let mut out = std::ptr::null_mut();
        with_stmt(stmt, |s| {
            if s.stmt.is_insert() != Some(false) {
                return Err(ErrState::new(
                    CODE_APP_ERROR,
                    "no result set: the last executed statement is not a query",
                ));
            }
            let h = *s.results.last().ok_or_else(|| {
                ErrState::new(CODE_APP_ERROR, "no result set: execute the query first")
            })?;
            out = h as *mut c_void;
            Ok(0)
        });
        out
    })
}

/// `int taos_stmt2_close(TAOS_STMT2 *stmt)`: closes the statement and frees its results and
/// field arrays. A second close gives an error code.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_close(stmt: *mut c_void) -> c_int {
    guard(CODE_APP_ERROR, || {
        if let Err(e) = lookup(stmt) {
            return conn::finish(Err(e));
        }
        let Some(Obj::Stmt2(s)) = handles::remove(stmt as usize) else {
            return conn::finish(Err(ErrState::new(CODE_INVALID_HANDLE, "already closed")));
        };
        let mut st = lock(&s);
        st.free_results();
        st.lent.clear();
        let r = st.stmt.close().map(|_| 0).map_err(|e| taos_err(&e));
        conn::finish(r)
    })
}

/// `int taos_stmt2_is_insert(TAOS_STMT2 *stmt, int *insert)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_is_insert(stmt: *mut c_void, insert: *mut c_int) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            if insert.is_null() {
                return Err(ErrState::new(CODE_INVALID_PTR, "insert is NULL"));
            }
            let is_insert = prepared::shape(&s.stmt, PREPARE)?.is_insert;
            ffi::write(insert, c_int::from(is_insert));
            Ok(0)
        })
    })
}

fn field_all(f: &Stmt2Field) -> TaosFieldAll {
    TaosFieldAll {
        name: result::name65(&f.name),
        type_: f.field_type,
        precision: f.precision,
        scale: f.scale,
        bytes: f.bytes,
        field_type: u8::try_from(f.bind_type).unwrap_or(0),
    }
}

/// `int taos_stmt2_get_fields(TAOS_STMT2 *stmt, int *count, TAOS_FIELD_ALL **fields)`: for an
/// INSERT, every placeholder in `?` order (free the array with `taos_stmt2_free_fields`);
/// for a query, only the count of `?` (`*fields` is set to NULL).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_get_fields(
    stmt: *mut c_void,
    count: *mut c_int,
    fields: *mut *mut TaosFieldAll,
) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            if count.is_null() {
                return Err(ErrState::new(CODE_INVALID_PTR, "count is NULL"));
            }
            let shape = prepared::shape(&s.stmt, PREPARE)?;
            ffi::write(fields, std::ptr::null_mut());
            if !shape.is_insert {
                ffi::write(count, c_int::try_from(shape.cols).unwrap_or(c_int::MAX));
                return Ok(0);
            }
            let all: Box<[TaosFieldAll]> = s.stmt.fields().iter().map(field_all).collect();
            ffi::write(count, c_int::try_from(all.len()).unwrap_or(c_int::MAX));
            s.lent.lend(all, fields);
            Ok(0)
        })
    })
}

/// `void taos_stmt2_free_fields(TAOS_STMT2 *stmt, TAOS_FIELD_ALL *fields)`: frees an array
/// from `taos_stmt2_get_fields`; NULL is a no-op, an unknown pointer only sets the error.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_free_fields(stmt: *mut c_void, fields: *mut TaosFieldAll) {
    guard((), || {
        with_stmt(stmt, |s| s.lent.reclaim(fields));
    })
}

static BAD_STMT_MSG: &CStr = c"not a live TAOS_STMT2* (closed, or another kind of handle)";

/// `char *taos_stmt2_error(TAOS_STMT2 *stmt)`: the statement's last error ("" after a
/// success), valid until the statement's next call; this thread's for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt2_error(stmt: *mut c_void) -> *const c_char {
    guard(BAD_STMT_MSG.as_ptr(), || {
        if stmt.is_null() {
            return error::thread_msg_ptr();
        }
        match lookup(stmt) {
            // The CString lives in the statement; it stays put until the next call on it.
            Ok(s) => lock(&s).err.msg.as_ptr(),
            Err(_) => BAD_STMT_MSG.as_ptr(),
        }
    })
}
