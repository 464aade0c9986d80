//! stmt v1: `taos_stmt_init`, `prepare`, `set_tbname(_tags)`, `set_tags`,
//! `bind_param(_batch)`, `bind_single_param_batch`, `add_batch`, `execute`,
//! `affected_rows`, `use_result`, `num_params`, `get_param`, `get_tag_fields`,
//! `get_col_fields`, `reclaim_fields`, `is_insert`, `errstr`, `close`.
//!
//! The calls follow libtaos' stmt v1; underneath they drive taosync's
//! [`Statement`] on the **stmt2** wire protocol, which describes the
//! prepared statement's tags and columns up front (stmt v1 on the wire only does after a
//! table name is set), so the C side knows how many `TAOS_MULTI_BIND`s each call carries.
//! This needs a taosAdapter of 3.3.5.0 or newer.
//!
//! `TAOS_MULTI_BIND` columns hold `num` rows: fixed-width types as packed arrays,
//! variable-width types with row `i` at `buffer + i * buffer_length` and `length[i]` bytes.
//! Tags take the first row of each bind. The result of `taos_stmt_use_result` belongs to
//! the statement, as in libtaos: the next prepare or execute, or `taos_stmt_close`, frees it
//! (a `taos_free_result` of it as well is harmless). Field arrays of
//! `taos_stmt_get_*_fields` are freed by `taos_stmt_reclaim_fields` or `taos_stmt_close`.
//!
//! ```
//! # let server = taosync_server::Server::start(Default::default())?;
//! use std::ffi::{CString, c_void};
//! use taos::stmt::*;
//! let host = CString::new("127.0.0.1").unwrap();
//! let taos = taos::conn::taos_connect(host.as_ptr(), std::ptr::null(), std::ptr::null(),
//!     std::ptr::null(), server.port());
//! # let setup = CString::new("create database d").unwrap();
//! # taos::result::taos_free_result(taos::result::taos_query(taos, setup.as_ptr()));
//! # let setup = CString::new("create table d.t (ts timestamp, s varchar(8))").unwrap();
//! # taos::result::taos_free_result(taos::result::taos_query(taos, setup.as_ptr()));
//! let stmt = taos_stmt_init(taos);
//! let sql = CString::new("insert into d.t values (?, ?)").unwrap();
//! assert_eq!(taos_stmt_prepare(stmt, sql.as_ptr(), 0), 0);
//! let mut ts = [1_700_000_000_000i64, 1_700_000_000_001];
//! let mut s = *b"ab\0\0cd\0\0"; // two rows of up to 4 bytes
//! let mut len = [2i32, 2];
//! let mut cols = [
//!     TaosMultiBind { buffer_type: 9, buffer: ts.as_mut_ptr().cast(), buffer_length: 8,
//!         length: std::ptr::null_mut(), is_null: std::ptr::null_mut(), num: 2 },
//!     TaosMultiBind { buffer_type: 8, buffer: s.as_mut_ptr().cast(), buffer_length: 4,
//!         length: len.as_mut_ptr(), is_null: std::ptr::null_mut(), num: 2 },
//! ];
//! assert_eq!(taos_stmt_bind_param_batch(stmt, cols.as_mut_ptr()), 0);
//! assert_eq!(taos_stmt_add_batch(stmt), 0);
//! assert_eq!(taos_stmt_execute(stmt), 0);
//! assert_eq!(taos_stmt_affected_rows(stmt), 2);
//! assert_eq!(taos_stmt_close(stmt), 0);
//! taos::conn::taos_close(taos);
//! # Ok::<(), taosync::Error>(())
//! ```

use std::ffi::{CStr, c_char, c_int, c_ulong, c_void};
use std::sync::{Arc, Mutex};

use taosync::stmt::{BindType, Stmt2Field};
use taosync::{ColumnView, Statement, Value};

use crate::bind::{self, RawBind, VarLayout};
use crate::conn;
use crate::error::{
    self, CODE_APP_ERROR, CODE_INVALID_HANDLE, CODE_INVALID_PARA, CODE_INVALID_PTR, ErrState,
};
use crate::ffi::{self, guard};
use crate::handles::{self, Obj, lock};
use crate::prepared::{self, Lent, placeholders};
use crate::result::{self, ResultState, TaosFieldE};
use crate::stmt2::sql_arg;

/// `TAOS_MULTI_BIND`: one column (or tag) of `num` rows.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaosMultiBind {
    /// `TSDB_DATA_TYPE_*`.
    pub buffer_type: c_int,
    /// The values: `num` fixed-width values, or `num` slots of `buffer_length` bytes.
    pub buffer: *mut c_void,
    /// Bytes per slot of a variable-width column.
    pub buffer_length: usize,
    /// Byte length per row (variable-width types).
    pub length: *mut i32,
    /// NULL flag per row (may be NULL: no NULLs).
    pub is_null: *mut c_char,
    /// Row count.
    pub num: c_int,
}

/// `TAOS_STMT_OPTIONS` of `taos_stmt_init_with_options`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaosStmtOptions {
    /// Request id (0: generated).
    pub req_id: i64,
    /// All rows go to one supertable.
    pub single_stb_insert: bool,
    /// Each table is bound at most once per execute.
    pub single_table_bind_once: bool,
}

/// The state behind a `TAOS_STMT*`.
pub struct StmtState {
    stmt: Statement,
    err: ErrState,
    /// Columns bound one at a time by `taos_stmt_bind_single_param_batch`.
    partial: Vec<Option<ColumnView>>,
    /// Field arrays handed out by `taos_stmt_get_*_fields`, until reclaimed.
    lent: Lent<TaosFieldE>,
    /// The result handle of `taos_stmt_use_result`, owned by the statement.
    result: Option<usize>,
    /// The last table name and tags set: as in libtaos, they stay for the batches after
    /// `add_batch` until set again.
    table: Option<(String, Option<Vec<Value>>)>,
    /// Whether the batch being bound had its table set (else `table` is applied again).
    table_set: bool,
}

impl StmtState {
    /// Applies the remembered table name and tags to a batch that did not set them.
    fn reapply_table(&mut self) -> Result<(), ErrState> {
        if self.table_set {
            return Ok(());
        }
        if let Some((name, tags)) = &self.table {
            self.stmt.set_tbname(name).map_err(|e| taos_err(&e))?;
            if let Some(tags) = tags {
                self.stmt.set_tags(tags).map_err(|e| taos_err(&e))?;
            }
        }
        self.table_set = true;
        Ok(())
    }

    fn free_result(&mut self) {
        if let Some(h) = self.result.take() {
            handles::remove(h);
        }
    }
}

type Shared = Arc<Mutex<StmtState>>;

fn lookup(stmt: *mut c_void) -> Result<Shared, ErrState> {
    handles::lookup(stmt, "TAOS_STMT*", |o| match o {
        Obj::Stmt(s) => Some(s),
        _ => None,
    })
}

fn taos_err(e: &taosync::Error) -> ErrState {
    ErrState::from_error(e)
}

fn para(msg: &str) -> ErrState {
    ErrState::new(CODE_INVALID_PARA, msg)
}

/// Runs `f` on the live statement `stmt`, recording its outcome on it and the thread.
fn with_stmt(
    stmt: *mut c_void,
    f: impl FnOnce(&mut StmtState) -> Result<c_int, ErrState>,
) -> c_int {
    match lookup(stmt) {
        Ok(s) => {
            let mut st = lock(&s);
            let r = f(&mut st);
            prepared::record(&mut st.err, r)
        }
        Err(e) => conn::finish(Err(e)),
    }
}

fn init(taos: *mut c_void, opt: Option<TaosStmtOptions>) -> *mut c_void {
    let o = opt.unwrap_or(TaosStmtOptions {
        req_id: 0,
        single_stb_insert: false,
        single_table_bind_once: false,
    });
    match prepared::new_statement(
        taos,
        o.single_stb_insert,
        o.single_table_bind_once,
        o.req_id,
    ) {
        Ok(stmt) => {
            error::clear_thread_error();
            let state = StmtState {
                stmt,
                err: ErrState::ok(),
                partial: Vec::new(),
                lent: Lent::default(),
                result: None,
                table: None,
                table_set: false,
            };
            handles::insert(Obj::Stmt(Arc::new(Mutex::new(state)))) as *mut c_void
        }
        Err(e) => {
            error::set_thread_state(e);
            std::ptr::null_mut()
        }
    }
}

/// `TAOS_STMT *taos_stmt_init(TAOS *taos)`: NULL on failure (see `taos_errstr(NULL)`).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_init(taos: *mut c_void) -> *mut c_void {
    guard(std::ptr::null_mut(), || init(taos, None))
}

/// `TAOS_STMT *taos_stmt_init_with_reqid(TAOS *taos, int64_t reqid)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_init_with_reqid(taos: *mut c_void, req_id: i64) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let opt = TaosStmtOptions {
            req_id,
            single_stb_insert: false,
            single_table_bind_once: false,
        };
        init(taos, Some(opt))
    })
}

/// `TAOS_STMT *taos_stmt_init_with_options(TAOS *taos, TAOS_STMT_OPTIONS *options)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_init_with_options(
    taos: *mut c_void,
    options: *mut TaosStmtOptions,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        init(taos, ffi::read(options.cast_const()))
    })
}

/// `int taos_stmt_prepare(TAOS_STMT *stmt, const char *sql, unsigned long length)`:
/// `length` 0 means NUL-terminated.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_prepare(stmt: *mut c_void, sql: *const c_char, len: c_ulong) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let sql = sql_arg(sql, len)?;
            s.partial.clear();
            s.free_result();
            s.table = None;
            s.table_set = false;
            s.stmt.prepare(sql).map_err(|e| taos_err(&e))?;
            Ok(0)
        })
    })
}

/// The C function that prepares a statement, for "was not called" errors.
const PREPARE: &str = "taos_stmt_prepare";

/// The number of column binds one bind call carries.
fn column_count(stmt: &Statement) -> Result<usize, ErrState> {
    prepared::shape(stmt, PREPARE).map(|s| s.cols)
}

fn raw(b: &TaosMultiBind) -> RawBind {
    RawBind {
        buffer_type: b.buffer_type,
        buffer: b.buffer.cast_const(),
        length: b.length.cast_const(),
        is_null: b.is_null.cast_const(),
        num: b.num,
    }
}

/// Column bind `i`, fitted to its placeholder.
fn read(stmt: &Statement, i: usize, b: &TaosMultiBind) -> Result<ColumnView, ErrState> {
    let col = bind::read_column(&raw(b), VarLayout::Strided(b.buffer_length)).map_err(para)?;
    let cols = placeholders(stmt, BindType::Column);
    Ok(bind::for_placeholder(col, cols.get(i).copied()))
}

fn read_tags(s: &StmtState, tags: *mut TaosMultiBind) -> Result<Vec<Value>, ErrState> {
    let n = placeholders(&s.stmt, BindType::Tag).len();
    let binds = ffi::in_slice(tags.cast_const(), n)
        .ok_or_else(|| ErrState::new(CODE_INVALID_PTR, "tags is NULL"))?;
    binds
        .iter()
        .map(|b| bind::read_single(&raw(b), VarLayout::Strided(b.buffer_length)).map_err(para))
        .collect()
}

fn table_name<'a>(name: *const c_char) -> Result<&'a str, ErrState> {
    ffi::req_str(name, "name is NULL").map_err(|m| ErrState::new(CODE_INVALID_PTR, m))
}

/// `int taos_stmt_set_tbname(TAOS_STMT *stmt, const char *name)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_set_tbname(stmt: *mut c_void, name: *const c_char) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let name = table_name(name)?;
            s.stmt.set_tbname(name).map_err(|e| taos_err(&e))?;
            s.table = Some((name.to_owned(), None));
            s.table_set = true;
            Ok(0)
        })
    })
}

/// `int taos_stmt_set_sub_tbname(TAOS_STMT *stmt, const char *name)`: as `taos_stmt_set_tbname`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_set_sub_tbname(stmt: *mut c_void, name: *const c_char) -> c_int {
    taos_stmt_set_tbname(stmt, name)
}

/// `int taos_stmt_set_tags(TAOS_STMT *stmt, TAOS_MULTI_BIND *tags)`: one bind per tag
/// placeholder, the first row of each.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_set_tags(stmt: *mut c_void, tags: *mut TaosMultiBind) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let values = read_tags(s, tags)?;
            s.reapply_table()?;
            s.stmt.set_tags(&values).map_err(|e| taos_err(&e))?;
            if let Some((_, t)) = s.table.as_mut() {
                *t = Some(values);
            }
            Ok(0)
        })
    })
}

/// `int taos_stmt_set_tbname_tags(TAOS_STMT *stmt, const char *name, TAOS_MULTI_BIND *tags)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_set_tbname_tags(
    stmt: *mut c_void,
    name: *const c_char,
    tags: *mut TaosMultiBind,
) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let name = table_name(name)?;
            let values = read_tags(s, tags)?;
            s.stmt
                .set_tbname_tags(name, &values)
                .map_err(|e| taos_err(&e))?;
            s.table = Some((name.to_owned(), Some(values)));
            s.table_set = true;
            Ok(0)
        })
    })
}

fn bind_all(stmt: *mut c_void, bind: *mut TaosMultiBind) -> c_int {
    with_stmt(stmt, |s| {
        let n = column_count(&s.stmt)?;
        let binds = ffi::in_slice(bind.cast_const(), n)
            .ok_or_else(|| ErrState::new(CODE_INVALID_PTR, "bind is NULL"))?;
        let cols = binds
            .iter()
            .enumerate()
            .map(|(i, b)| read(&s.stmt, i, b))
            .collect::<Result<Vec<_>, _>>()?;
        s.partial.clear();
        s.reapply_table()?;
        s.stmt.bind_param(cols).map_err(|e| taos_err(&e))?;
        Ok(0)
    })
}

/// `int taos_stmt_bind_param(TAOS_STMT *stmt, TAOS_MULTI_BIND *bind)`: one bind per column
/// placeholder (any row count).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_bind_param(stmt: *mut c_void, bind: *mut TaosMultiBind) -> c_int {
    guard(CODE_APP_ERROR, || bind_all(stmt, bind))
}

/// `int taos_stmt_bind_param_batch(TAOS_STMT *stmt, TAOS_MULTI_BIND *bind)`: as
/// `taos_stmt_bind_param`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_bind_param_batch(stmt: *mut c_void, bind: *mut TaosMultiBind) -> c_int {
    guard(CODE_APP_ERROR, || bind_all(stmt, bind))
}

/// `int taos_stmt_bind_single_param_batch(TAOS_STMT *stmt, TAOS_MULTI_BIND *bind, int colIdx)`:
/// binds one column; once every column is bound, the rows are taken as one bind.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_bind_single_param_batch(
    stmt: *mut c_void,
    bind: *mut TaosMultiBind,
    col: c_int,
) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let n = column_count(&s.stmt)?;
            let i = usize::try_from(col)
                .ok()
                .filter(|i| *i < n)
                .ok_or_else(|| para("colIdx out of range"))?;
            let b = ffi::read(bind.cast_const())
                .ok_or_else(|| ErrState::new(CODE_INVALID_PTR, "bind is NULL"))?;
            let view = read(&s.stmt, i, &b)?;
            s.partial.resize(n, None);
            s.partial[i] = Some(view);
            if s.partial.iter().all(Option::is_some) {
                let cols: Vec<ColumnView> = s.partial.drain(..).flatten().collect();
                s.reapply_table()?;
                s.stmt.bind_param(cols).map_err(|e| taos_err(&e))?;
            }
            Ok(0)
        })
    })
}

/// `int taos_stmt_add_batch(TAOS_STMT *stmt)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_add_batch(stmt: *mut c_void) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            if s.partial.iter().any(Option::is_some) {
                return Err(ErrState::new(
                    CODE_APP_ERROR,
                    "add_batch with only some columns bound by taos_stmt_bind_single_param_batch",
                ));
            }
            s.stmt.add_batch().map_err(|e| taos_err(&e))?;
            s.table_set = false;
            Ok(0)
        })
    })
}

/// `int taos_stmt_execute(TAOS_STMT *stmt)`: runs every batch; see `taos_stmt_affected_rows`
/// and, for a query, `taos_stmt_use_result`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_execute(stmt: *mut c_void) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            s.partial.clear();
            s.free_result();
            s.table_set = false;
            s.stmt.execute().map_err(|e| taos_err(&e))?;
            Ok(0)
        })
    })
}

/// `int taos_stmt_affected_rows(TAOS_STMT *stmt)`: the rows written by the last execute
/// (0 for a bad handle).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_affected_rows(stmt: *mut c_void) -> c_int {
    guard(0, || match lookup(stmt) {
        Ok(s) => c_int::try_from(lock(&s).stmt.affected_rows()).unwrap_or(c_int::MAX),
        Err(e) => {
            error::set_thread_state(e);
            0
        }
    })
}

/// `int taos_stmt_affected_rows_once(TAOS_STMT *stmt)`: as `taos_stmt_affected_rows`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_affected_rows_once(stmt: *mut c_void) -> c_int {
    taos_stmt_affected_rows(stmt)
}

/// `TAOS_RES *taos_stmt_use_result(TAOS_STMT *stmt)`: the rows of the last executed query,
/// owned by the statement (freed by the next prepare, execute or close; the same handle
/// again on a second call); NULL on error.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_use_result(stmt: *mut c_void) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let mut out = std::ptr::null_mut();
        with_stmt(stmt, |s| {
            if let Some(h) = s.result.filter(|h| handles::get(*h).is_some()) {
                out = h as *mut c_void;
                return Ok(0);
            }
            let rs = s.stmt.result().map_err(|e| taos_err(&e))?;
            out = result::register(ResultState::from_cursor(rs.into_cursor()));
            s.result = Some(out as usize);
            Ok(0)
        });
        out
    })
}

/// `int taos_stmt_is_insert(TAOS_STMT *stmt, int *insert)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_is_insert(stmt: *mut c_void, insert: *mut c_int) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let v = prepared::shape(&s.stmt, PREPARE)?.is_insert;
            if !ffi::write(insert, c_int::from(v)) {
                return Err(ErrState::new(CODE_INVALID_PTR, "insert is NULL"));
            }
            Ok(0)
        })
    })
}

/// `int taos_stmt_num_params(TAOS_STMT *stmt, int *nums)`: the column placeholders of an
/// INSERT, the `?` of a query.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_num_params(stmt: *mut c_void, nums: *mut c_int) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            let n = column_count(&s.stmt)?;
            if !ffi::write(nums, c_int::try_from(n).unwrap_or(c_int::MAX)) {
                return Err(ErrState::new(CODE_INVALID_PTR, "nums is NULL"));
            }
            Ok(0)
        })
    })
}

/// `int taos_stmt_get_param(TAOS_STMT *stmt, int idx, int *type, int *bytes)`: the type and
/// width of column placeholder `idx` of an INSERT.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_get_param(
    stmt: *mut c_void,
    idx: c_int,
    ty: *mut c_int,
    bytes: *mut c_int,
) -> c_int {
    guard(CODE_APP_ERROR, || {
        with_stmt(stmt, |s| {
            prepared::shape(&s.stmt, PREPARE)?;
            let cols = placeholders(&s.stmt, BindType::Column);
            let f = usize::try_from(idx)
                .ok()
                .and_then(|i| cols.get(i))
                .ok_or_else(|| para("idx out of range (or not an INSERT)"))?;
            if ty.is_null() || bytes.is_null() {
                return Err(ErrState::new(CODE_INVALID_PTR, "type or bytes is NULL"));
            }
            ffi::write(ty, c_int::from(f.field_type));
            ffi::write(bytes, f.bytes);
            Ok(0)
        })
    })
}

fn field_e(f: &Stmt2Field) -> TaosFieldE {
    TaosFieldE {
        name: result::name65(&f.name),
        type_: f.field_type,
        precision: f.precision,
        scale: f.scale,
        bytes: f.bytes,
    }
}

fn lend_fields(
    stmt: *mut c_void,
    kind: BindType,
    num: *mut c_int,
    fields: *mut *mut TaosFieldE,
) -> c_int {
    with_stmt(stmt, |s| {
        prepared::shape(&s.stmt, PREPARE)?;
        if num.is_null() {
            return Err(ErrState::new(CODE_INVALID_PTR, "fieldNum is NULL"));
        }
        let all: Box<[TaosFieldE]> = placeholders(&s.stmt, kind)
            .into_iter()
            .map(field_e)
            .collect();
        ffi::write(num, c_int::try_from(all.len()).unwrap_or(c_int::MAX));
        s.lent.lend(all, fields);
        Ok(0)
    })
}

/// `int taos_stmt_get_tag_fields(TAOS_STMT *stmt, int *fieldNum, TAOS_FIELD_E **fields)`:
/// the tag placeholders (reclaim the array with `taos_stmt_reclaim_fields`).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_get_tag_fields(
    stmt: *mut c_void,
    num: *mut c_int,
    fields: *mut *mut TaosFieldE,
) -> c_int {
    guard(CODE_APP_ERROR, || {
        lend_fields(stmt, BindType::Tag, num, fields)
    })
}

/// `int taos_stmt_get_col_fields(TAOS_STMT *stmt, int *fieldNum, TAOS_FIELD_E **fields)`:
/// the column placeholders.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_get_col_fields(
    stmt: *mut c_void,
    num: *mut c_int,
    fields: *mut *mut TaosFieldE,
) -> c_int {
    guard(CODE_APP_ERROR, || {
        lend_fields(stmt, BindType::Column, num, fields)
    })
}

/// `void taos_stmt_reclaim_fields(TAOS_STMT *stmt, TAOS_FIELD_E *fields)`: frees an array
/// of `taos_stmt_get_*_fields`; NULL is a no-op, an unknown pointer only sets the error.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_reclaim_fields(stmt: *mut c_void, fields: *mut TaosFieldE) {
    guard((), || {
        with_stmt(stmt, |s| s.lent.reclaim(fields));
    })
}

/// `int taos_stmt_close(TAOS_STMT *stmt)`: a second close gives an error code.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_close(stmt: *mut c_void) -> c_int {
    guard(CODE_APP_ERROR, || {
        if let Err(e) = lookup(stmt) {
            return conn::finish(Err(e));
        }
        let Some(Obj::Stmt(s)) = handles::remove(stmt as usize) else {
            return conn::finish(Err(ErrState::new(CODE_INVALID_HANDLE, "already closed")));
        };
        let mut st = lock(&s);
        st.lent.clear();
        st.free_result();
        let r = st.stmt.close().map(|_| 0).map_err(|e| taos_err(&e));
        conn::finish(r)
    })
}

static BAD_STMT_MSG: &CStr = c"not a live TAOS_STMT* (closed, or another kind of handle)";

/// `char *taos_stmt_errstr(TAOS_STMT *stmt)`: the statement's last error ("" after a
/// success), valid until the statement's next call; this thread's for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn taos_stmt_errstr(stmt: *mut c_void) -> *const c_char {
    guard(BAD_STMT_MSG.as_ptr(), || {
        if stmt.is_null() {
            return error::thread_msg_ptr();
        }
        match lookup(stmt) {
            Ok(s) => lock(&s).err.msg.as_ptr(),
            Err(_) => BAD_STMT_MSG.as_ptr(),
        }
    })
}
