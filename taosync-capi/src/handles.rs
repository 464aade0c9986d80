//! The handle registry. Every `TAOS*`, `TAOS_RES*`, statement and TMQ (`tmq_t*`,
//! `tmq_conf_t*`, `tmq_list_t*`) pointer
//! handed to C is an opaque number, never dereferenced: a lookup in this table finds the
//! object. Numbers are never reused, so a freed, closed, foreign or wrong-kind handle is
//! detected and answered with an error code instead of undefined behaviour.

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::conn::ConnState;
use crate::error::{CODE_INVALID_HANDLE, CODE_INVALID_PTR, ErrState};
use crate::result::ResultState;
use crate::stmt::StmtState;
use crate::stmt2::Stmt2State;
use crate::tmq::{ConfState, ListState, TmqState};

/// One live object.
#[derive(Clone)]
pub enum Obj {
    /// A `TAOS*`.
    Conn(Arc<ConnState>),
    /// A `TAOS_RES*`.
    Res(Arc<Mutex<ResultState>>),
    /// A `TAOS_STMT*`.
    Stmt(Arc<Mutex<StmtState>>),
    /// A `TAOS_STMT2*`.
    Stmt2(Arc<Mutex<Stmt2State>>),
    /// A `tmq_conf_t*`.
    TmqConf(Arc<Mutex<ConfState>>),
    /// A `tmq_list_t*`.
    TmqList(Arc<Mutex<ListState>>),
    /// A `tmq_t*`.
    Tmq(Arc<TmqState>),
}

static NEXT: AtomicUsize = AtomicUsize::new(0x7a05_0000);
static TABLE: Mutex<Option<HashMap<usize, Obj>>> = Mutex::new(None);

fn table() -> MutexGuard<'static, Option<HashMap<usize, Obj>>> {
    // A poisoned lock only means a panic was caught elsewhere; the map stays consistent
    // (every operation is a single insert/remove/get).
    TABLE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Registers `obj`, returning its handle (aligned, non-null, never reused).
pub(crate) fn insert(obj: Obj) -> usize {
    let h = NEXT.fetch_add(16, Ordering::Relaxed);
    table().get_or_insert_with(HashMap::new).insert(h, obj);
    h
}

/// The object behind `h`, if live.
pub(crate) fn get(h: usize) -> Option<Obj> {
    table().as_ref().and_then(|t| t.get(&h).cloned())
}

/// Removes `h` and returns its object, if it was live.
pub(crate) fn remove(h: usize) -> Option<Obj> {
    table().as_mut().and_then(|t| t.remove(&h))
}

/// Locks `m`, also when poisoned: a poisoned lock only means a panic was caught (by
/// `ffi::guard`) while it was held, and every object keeps its invariants between steps.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The object behind the C handle `h`, a `what` (`"TAOS_STMT*"`…) of the kind `pick`
/// accepts: `TSDB_CODE_INVALID_PTR` for NULL, `TSDB_CODE_REF_INVALID_ID` for a handle that
/// is not live (closed, freed, never ours) or of another kind.
pub(crate) fn lookup<T>(
    h: *const c_void,
    what: &str,
    pick: fn(Obj) -> Option<T>,
) -> Result<T, ErrState> {
    if h.is_null() {
        return Err(ErrState::new(CODE_INVALID_PTR, &format!("{what} is NULL")));
    }
    get(h as usize).and_then(pick).ok_or_else(|| {
        ErrState::new(
            CODE_INVALID_HANDLE,
            &format!("not a live {what} (closed, or another kind of handle)"),
        )
    })
}

/// The connection behind `h`.
pub(crate) fn conn(h: usize) -> Option<Arc<ConnState>> {
    match get(h) {
        Some(Obj::Conn(c)) => Some(c),
        _ => None,
    }
}

/// The result behind `h`.
pub(crate) fn res(h: usize) -> Option<Arc<Mutex<ResultState>>> {
    match get(h) {
        Some(Obj::Res(r)) => Some(r),
        _ => None,
    }
}

/// Drops every live object (`taos_cleanup`).
pub(crate) fn clear() {
    let old = table().take();
    drop(old);
}
