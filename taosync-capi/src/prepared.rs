//! What stmt v1 ([`stmt`](crate::stmt)) and stmt2 ([`stmt2`](crate::stmt2)) share: building
//! the taosync [`Statement`] both drive, the prepared statement's shape (placeholder
//! kinds and counts, "prepare was not called"), recording a call's outcome on the statement
//! and the thread, and the field arrays lent to C until they are reclaimed.

use std::ffi::{c_int, c_void};

use taosync::stmt::{BindType, Stmt2Field};
use taosync::{Statement, StmtProtocol};

use crate::conn;
use crate::error::{CODE_APP_ERROR, CODE_INVALID_PARA, ErrState};
use crate::ffi;

/// A new statement on the connection `taos` (stmt2 on the wire, which describes tags and
/// columns up front), with the `TAOS_STMT_OPTIONS` / `TAOS_STMT2_OPTION` flags and request
/// id (0: generated).
pub(crate) fn new_statement(
    taos: *mut c_void,
    single_stb_insert: bool,
    single_table_bind_once: bool,
    req_id: i64,
) -> Result<Statement, ErrState> {
    let c = conn::lookup(taos)?;
    let build = || {
        c.conn
            .statement_builder()
            .protocol(StmtProtocol::Stmt2)
            .single_stb_insert(single_stb_insert)
            .single_table_bind_once(single_table_bind_once)
            .build()
    };
    let built = if req_id == 0 {
        build()
    } else {
        taosync::with_req_id(req_id as u64, build)
    };
    built.map_err(|e| ErrState::from_error(&e))
}

/// The placeholders of the prepared INSERT of one kind (none for a query).
pub(crate) fn placeholders(stmt: &Statement, kind: BindType) -> Vec<&Stmt2Field> {
    stmt.fields()
        .iter()
        .filter(|f| f.kind() == Some(kind))
        .collect()
}

/// The shape of a prepared statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    /// An INSERT (else a query).
    pub(crate) is_insert: bool,
    /// Tag placeholders (0 for a query).
    pub(crate) tags: usize,
    /// Column binds one bind call carries: the INSERT's column placeholders, or the
    /// query's `?` count.
    pub(crate) cols: usize,
}

/// The shape of `stmt`; an error naming `prepare` (the C function to call) when nothing is
/// prepared.
pub(crate) fn shape(stmt: &Statement, prepare: &str) -> Result<Shape, ErrState> {
    let is_insert = stmt
        .is_insert()
        .ok_or_else(|| ErrState::new(CODE_APP_ERROR, &format!("{prepare} was not called")))?;
    if !is_insert {
        let cols = stmt.param_count().unwrap_or(0);
        return Ok(Shape {
            is_insert,
            tags: 0,
            cols,
        });
    }
    let count = |k| placeholders(stmt, k).len();
    Ok(Shape {
        is_insert,
        tags: count(BindType::Tag),
        cols: count(BindType::Column),
    })
}

/// Records the outcome of a statement call in `err` (the statement's) and as this thread's
/// error; returns the value or the code.
pub(crate) fn record(err: &mut ErrState, r: Result<c_int, ErrState>) -> c_int {
    *err = match &r {
        Ok(_) => ErrState::ok(),
        Err(e) => e.clone(),
    };
    conn::finish(r)
}

/// Field arrays lent to C (`taos_stmt_get_*_fields`, `taos_stmt2_get_fields`), kept until
/// C gives them back or the statement closes.
pub(crate) struct Lent<T>(Vec<Box<[T]>>);

impl<T> Default for Lent<T> {
    fn default() -> Self {
        Lent(Vec::new())
    }
}

impl<T> Lent<T> {
    /// Hands `fields` to C through `out` (NULL for an empty array, nothing kept), unless
    /// `out` is NULL.
    pub(crate) fn lend(&mut self, mut fields: Box<[T]>, out: *mut *mut T) {
        ffi::write(out, std::ptr::null_mut());
        if !out.is_null() && !fields.is_empty() {
            ffi::write(out, fields.as_mut_ptr());
            self.0.push(fields);
        }
    }

    /// Takes back an array [`lend`](Self::lend) handed out (NULL: nothing to do); an
    /// error for any other pointer, a second reclaim included.
    pub(crate) fn reclaim(&mut self, fields: *mut T) -> Result<c_int, ErrState> {
        if fields.is_null() {
            return Ok(0);
        }
        let at = self
            .0
            .iter()
            .position(|b| std::ptr::eq(b.as_ptr(), fields.cast_const()))
            .ok_or_else(|| {
                ErrState::new(
                    CODE_INVALID_PARA,
                    "not a field array of this statement (or already freed)",
                )
            })?;
        self.0.swap_remove(at);
        Ok(0)
    }

    /// Frees every array still lent.
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}
