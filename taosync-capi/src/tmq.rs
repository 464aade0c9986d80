//! TMQ (data subscription): `tmq_conf_*`, `tmq_list_*`, `tmq_consumer_*`, commits,
//! offsets and assignments, the `tmq_get_*` accessors of a polled message, and the JSON /
//! raw meta functions, on [`taosync::tmq::Consumer`] over taosAdapter's `/rest/tmq`.
//!
//! * Configuration: every key of [`ConsumerConfig`] (`group.id`, `td.connect.ip`,
//!   `td.connect.port`, `td.connect.user`, `td.connect.pass`, `auto.offset.reset`,
//!   `enable.auto.commit`, `msg.with.table.name`, …) plus the transport keys
//!   `conn_timeout`, `read_timeout`, `conn_retries`, `retry_backoff_ms`,
//!   `retry_backoff_max_ms`. `tmq_conf_set` checks a key and its value at once
//!   (`TMQ_CONF_UNKNOWN` / `TMQ_CONF_INVALID`, the reason in `taos_errstr(NULL)`). As in
//!   libtaos, `enable.auto.commit` defaults to `true` (the server commits at the next poll
//!   once `auto.commit.interval.ms` has elapsed). When `TAOSYNC_DSN` is set, its scheme,
//!   first address, credentials, `token` and transport keys are the consumer's defaults
//!   (its database and other parameters set up query connections only); configured keys
//!   override them.
//! * `tmq_consumer_poll` returns a `TAOS_RES*` that the result functions read: each
//!   `taos_fetch_block` / `taos_fetch_raw_block` / run of `taos_fetch_row` walks the next
//!   block of the message (one table each), and `taos_fetch_fields`, `taos_num_fields`,
//!   `taos_result_precision` and `tmq_get_table_name` describe the current block (the first
//!   one before any fetch). Free it with `taos_free_result`. NULL means no message within
//!   the timeout (`taos_errno(NULL)` is 0) or an error (`taos_errno(NULL)` says which). A
//!   negative timeout waits until a message arrives.
//! * `tmq_commit_sync(tmq, NULL)` commits every position this consumer has reached (the
//!   protocol's commit, through the newest message polled); with a message, the same for
//!   that message, which must come from this consumer.
//! * Callbacks (`tmq_commit_async`, `tmq_commit_offset_async`) are called from a thread
//!   of the library once the commit is answered, with the `tmq_t*` given, the code and
//!   `param`; with bad arguments they are called inline, before the function returns. The
//!   auto-commit callback of `tmq_conf_set_auto_commit_cb` is called from
//!   `tmq_consumer_poll`, on the polling thread, with code 0 at the polls where the server
//!   auto-commits (`enable.auto.commit` and `auto.commit.interval.ms` elapsed since the
//!   last such poll, with messages polled in between).
//! * `tmq_committed` and `tmq_position` return the offset, or a negative code: the
//!   "no offset" code `0x80004011` when nothing was committed / no position exists.
//! * Arrays and strings handed out (`tmq_get_topic_assignment`, `tmq_get_json_meta`,
//!   `tmq_get_raw`) are owned by the library and freed by their `tmq_free_*` function; a
//!   second free, or freeing a pointer the library did not hand out, only sets the thread
//!   error.
//! * `tmq_get_raw` gives the raw form of meta messages (for `tmq_write_raw`, which sends it
//!   with the `write_raw` action); data messages have none over WebSocket and fail with
//!   `TSDB_CODE_OPS_NOT_SUPPORT`.
//!
//! ```
//! # let server = taosync_server::Server::start(Default::default())?;
//! # let conn = taosync::connect(server.dsn_ws().as_str())?;
//! # conn.execute("create database power", ())?;
//! # conn.execute("create table power.t (ts timestamp, v int)", ())?;
//! # conn.execute("insert into power.t values (1700000000000, 7)", ())?;
//! # conn.execute("create topic topic_t as select ts, v from power.t", ())?;
//! use std::ffi::CString;
//! use taos::tmq::*;
//! let set = |conf, k: &str, v: &str| {
//!     let (k, v) = (CString::new(k).unwrap(), CString::new(v).unwrap());
//!     assert_eq!(tmq_conf_set(conf, k.as_ptr(), v.as_ptr()), TMQ_CONF_OK);
//! };
//! let conf = tmq_conf_new();
//! set(conf, "group.id", "g1");
//! set(conf, "td.connect.ip", "127.0.0.1");
//! set(conf, "td.connect.port", &server.port().to_string());
//! set(conf, "auto.offset.reset", "earliest");
//! let tmq = tmq_consumer_new(conf, std::ptr::null_mut(), 0);
//! tmq_conf_destroy(conf);
//! assert!(!tmq.is_null());
//! let topics = tmq_list_new();
//! tmq_list_append(topics, CString::new("topic_t").unwrap().as_ptr());
//! assert_eq!(tmq_subscribe(tmq, topics), 0);
//! tmq_list_destroy(topics);
//! let msg = tmq_consumer_poll(tmq, 2000);
//! assert!(!msg.is_null());
//! assert_eq!(tmq_get_res_type(msg), TMQ_RES_DATA);
//! let mut cols = std::ptr::null_mut();
//! assert_eq!(taos::result::taos_fetch_block(msg, &mut cols), 1);
//! assert_eq!(tmq_commit_sync(tmq, msg), 0);
//! taos::result::taos_free_result(msg);
//! assert_eq!(tmq_consumer_close(tmq), 0);
//! # Ok::<(), taosync::Error>(())
//! ```

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use taosync::tmq::{Consumer, ConsumerConfig, Message, MessageType, RawMeta, TRANSPORT_KEYS};
use taosync::{ConnectOptions, Protocol};

use crate::conn;
use crate::error::{
    self, CODE_INVALID_HANDLE, CODE_INVALID_PARA, CODE_INVALID_PTR, CODE_NOT_SUPPORTED, ErrState,
    code,
};
use crate::ffi::{self, guard};
use crate::handles::{self, Obj};
use crate::result::{self, ResultState};

/// `TMQ_CONF_OK`.
pub const TMQ_CONF_OK: c_int = 0;
/// `TMQ_CONF_INVALID`: a bad value (or a bad handle / NULL argument).
pub const TMQ_CONF_INVALID: c_int = -1;
/// `TMQ_CONF_UNKNOWN`: an unknown key.
pub const TMQ_CONF_UNKNOWN: c_int = -2;

/// `TMQ_RES_INVALID`: not a TMQ message.
pub const TMQ_RES_INVALID: c_int = -1;
/// `TMQ_RES_DATA`: rows.
pub const TMQ_RES_DATA: c_int = 1;
/// `TMQ_RES_TABLE_META`: a table change (no rows).
pub const TMQ_RES_TABLE_META: c_int = 2;
/// `TMQ_RES_METADATA`: a table change with rows.
pub const TMQ_RES_METADATA: c_int = 3;

/// `TSDB_CODE_TMQ_INVALID_MSG`: a `TAOS_RES*` that is not a TMQ message where one is needed.
pub const CODE_TMQ_INVALID_MSG: c_int = code(0x4000);
/// The "no offset" code `tmq_committed` / `tmq_position` return when there is none (the
/// value taosAdapter reports for it, 02 §3.6).
pub const CODE_TMQ_NO_OFFSET: c_int = code(0x4011);

/// The longest single wait of a poll with a negative (endless) timeout.
const ENDLESS_STEP: Duration = Duration::from_secs(3600);

/// `tmq_commit_cb`: `void (*)(tmq_t *tmq, int32_t code, void *param)`.
pub type CommitCb = Option<extern "C" fn(*mut c_void, i32, *mut c_void)>;

/// `tmq_topic_assignment` (32 bytes: 4 bytes of padding after `vgId`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TmqTopicAssignment {
    /// The vgroup.
    pub vg_id: i32,
    /// The consumer's position in it.
    pub current_offset: i64,
    /// The first offset kept.
    pub begin: i64,
    /// The next offset to be written.
    pub end: i64,
}

/// `tmq_raw_data`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TmqRawData {
    /// The bytes.
    pub raw: *mut c_void,
    /// Their length.
    pub raw_len: u32,
    /// The raw type (as the server gave it).
    pub raw_type: u16,
}

// ---------------------------------------------------------------------------------------
// State

/// The state behind a `tmq_conf_t*`.
#[derive(Default)]
pub struct ConfState {
    entries: Vec<(String, String)>,
    /// The auto-commit callback and its `param`.
    auto_commit_cb: Option<(extern "C" fn(*mut c_void, i32, *mut c_void), usize)>,
}

/// The state behind a `tmq_list_t*`.
#[derive(Default)]
pub struct ListState {
    items: Vec<CString>,
    /// `tmq_list_to_c_array`: one pointer per item.
    ptrs: Vec<usize>,
}

/// The state behind a `tmq_t*`.
pub struct TmqState {
    consumer: Consumer,
    auto_commit_cb: Option<(extern "C" fn(*mut c_void, i32, *mut c_void), usize)>,
    inner: Mutex<TmqInner>,
}

struct TmqInner {
    /// The topics of the current subscription (empty when not subscribed).
    topics: Vec<String>,
    subscribed: bool,
    /// The newest message polled, for `tmq_commit_sync(tmq, NULL)`.
    last: Option<Arc<Message>>,
    /// Auto-commit callback bookkeeping.
    last_auto_commit: Instant,
    polled_since_auto_commit: bool,
    /// The `TAOS*` of `tmq_get_connect`, closed with the consumer.
    conn: Option<usize>,
}

/// The TMQ part of a `TAOS_RES*` from `tmq_consumer_poll`.
pub struct TmqResult {
    pub(crate) message: Arc<Message>,
    /// The next block `taos_fetch_block` reads.
    pub(crate) next: usize,
    /// The block being read (`None` before the first fetch and after the last).
    pub(crate) current: Option<usize>,
    topic: CString,
    db: CString,
    /// Per block, the table name (`None` when the server sent none).
    tables: Vec<Option<CString>>,
}

fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

impl TmqResult {
    fn new(message: Arc<Message>) -> TmqResult {
        TmqResult {
            topic: cstring(message.topic()),
            db: cstring(message.database()),
            tables: message
                .blocks()
                .iter()
                .map(|b| Some(b.table_name()).filter(|t| !t.is_empty()).map(cstring))
                .collect(),
            message,
            next: 0,
            current: None,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn conf_of(conf: *mut c_void) -> Result<Arc<Mutex<ConfState>>, ErrState> {
    if conf.is_null() {
        return Err(ErrState::new(CODE_INVALID_PTR, "tmq_conf_t* is NULL"));
    }
    match handles::get(conf as usize) {
        Some(Obj::TmqConf(c)) => Ok(c),
        _ => Err(ErrState::new(
            CODE_INVALID_HANDLE,
            "not a live tmq_conf_t* (destroyed, or another kind of handle)",
        )),
    }
}

fn list_of(list: *const c_void) -> Result<Arc<Mutex<ListState>>, ErrState> {
    if list.is_null() {
        return Err(ErrState::new(CODE_INVALID_PTR, "tmq_list_t* is NULL"));
    }
    match handles::get(list as usize) {
        Some(Obj::TmqList(l)) => Ok(l),
        _ => Err(ErrState::new(
            CODE_INVALID_HANDLE,
            "not a live tmq_list_t* (destroyed, or another kind of handle)",
        )),
    }
}

fn tmq_of(tmq: *mut c_void) -> Result<Arc<TmqState>, ErrState> {
    if tmq.is_null() {
        return Err(ErrState::new(CODE_INVALID_PTR, "tmq_t* is NULL"));
    }
    match handles::get(tmq as usize) {
        Some(Obj::Tmq(t)) => Ok(t),
        _ => Err(ErrState::new(
            CODE_INVALID_HANDLE,
            "not a live tmq_t* (closed, or another kind of handle)",
        )),
    }
}

fn str_arg<'a>(p: *const c_char, what: &'static str) -> Result<&'a str, ErrState> {
    ffi::req_str(p, what).map_err(|m| ErrState::new(CODE_INVALID_PARA, m))
}

fn tmq_err(e: &taosync::Error) -> ErrState {
    ErrState::from_error(e)
}

/// The message behind a `TAOS_RES*` from `tmq_consumer_poll`.
fn message_of(res: *const c_void) -> Result<Arc<Message>, ErrState> {
    let shared = result::lookup(res.cast_mut())?;
    let r = result::lock(&shared);
    r.tmq().map(|t| Arc::clone(&t.message)).ok_or_else(|| {
        ErrState::new(
            CODE_TMQ_INVALID_MSG,
            "not a TMQ message (a TAOS_RES* of tmq_consumer_poll)",
        )
    })
}

/// Runs `f` on the TMQ part of a result; a bad handle or a non-TMQ result sets the thread
/// error and gives `on_err`.
fn with_tmq_res<R>(res: *mut c_void, on_err: R, f: impl FnOnce(&TmqResult) -> R) -> R {
    let shared = match result::lookup(res) {
        Ok(s) => s,
        Err(e) => {
            error::set_thread_state(e);
            return on_err;
        }
    };
    let r = result::lock(&shared);
    match r.tmq() {
        Some(t) => f(t),
        None => {
            error::set_thread_error(CODE_TMQ_INVALID_MSG, "not a TMQ message");
            on_err
        }
    }
}

// ---------------------------------------------------------------------------------------
// Library-owned buffers

/// A buffer handed to C, kept here until its `tmq_free_*` call.
enum Alloc {
    Assignments(Box<[TmqTopicAssignment]>),
    Bytes(Box<[u8]>),
}

static ALLOCS: Mutex<Option<HashMap<usize, Alloc>>> = Mutex::new(None);

fn allocs() -> MutexGuard<'static, Option<HashMap<usize, Alloc>>> {
    lock(&ALLOCS)
}

/// Keeps `bytes` (at least one byte, so addresses are distinct) and returns its address.
fn keep_bytes(mut bytes: Vec<u8>) -> *mut u8 {
    if bytes.is_empty() {
        bytes.push(0);
    }
    let mut b = bytes.into_boxed_slice();
    let p = b.as_mut_ptr();
    allocs()
        .get_or_insert_with(HashMap::new)
        .insert(p as usize, Alloc::Bytes(b));
    p
}

/// Frees a buffer handed out; `false` when `p` is not one (freed already, or foreign).
fn release(p: usize) -> bool {
    let removed = allocs().as_mut().and_then(|m| m.remove(&p));
    match removed {
        Some(Alloc::Assignments(a)) => drop(a),
        Some(Alloc::Bytes(b)) => drop(b),
        None => return false,
    }
    true
}

// ---------------------------------------------------------------------------------------
// Configuration

/// `tmq_conf_t *tmq_conf_new(void)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_conf_new() -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        handles::insert(Obj::TmqConf(Arc::new(Mutex::new(ConfState::default())))) as *mut c_void
    })
}

/// `tmq_conf_res_t tmq_conf_set(tmq_conf_t *conf, const char *key, const char *value)`:
/// checks the key and value now; `TMQ_CONF_UNKNOWN` for an unknown key, `TMQ_CONF_INVALID`
/// for a bad value, NULL arguments or a bad handle (the reason in `taos_errstr(NULL)`).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_conf_set(
    conf: *mut c_void,
    key: *const c_char,
    value: *const c_char,
) -> c_int {
    guard(TMQ_CONF_INVALID, || {
        let r = (|| {
            let conf = conf_of(conf).map_err(|e| (TMQ_CONF_INVALID, e))?;
            let key = str_arg(key, "key is NULL").map_err(|e| (TMQ_CONF_INVALID, e))?;
            let value = str_arg(value, "value is NULL").map_err(|e| (TMQ_CONF_INVALID, e))?;
            let mut conf = lock(&conf);
            if !TRANSPORT_KEYS.contains(&key.trim()) {
                // The keys set so far, then this one (some checks depend on earlier keys).
                let mut check = ConsumerConfig::default();
                for (k, v) in conf
                    .entries
                    .iter()
                    .filter(|(k, _)| !TRANSPORT_KEYS.contains(&k.trim()))
                {
                    let _ = check.set(k, v);
                }
                if let Err(e) = check.set(key, value) {
                    let unknown = e.message().contains("unknown consumer configuration key");
                    let c = if unknown {
                        TMQ_CONF_UNKNOWN
                    } else {
                        TMQ_CONF_INVALID
                    };
                    return Err((c, ErrState::new(CODE_INVALID_PARA, e.message())));
                }
            }
            conf.entries.push((key.to_owned(), value.to_owned()));
            Ok(())
        })();
        match r {
            Ok(()) => {
                error::clear_thread_error();
                TMQ_CONF_OK
            }
            Err((c, e)) => {
                error::set_thread_state(e);
                c
            }
        }
    })
}

/// `void tmq_conf_destroy(tmq_conf_t *conf)`: a bad handle only sets the thread error.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_conf_destroy(conf: *mut c_void) {
    guard((), || destroy(conf, conf_of))
}

/// Removes the handle `h` once `check` accepts it as of its kind; NULL is a no-op and a
/// bad handle only sets the thread error (what both `_destroy` functions promise).
fn destroy<P, T>(h: *mut P, check: impl FnOnce(*mut P) -> Result<T, ErrState>) {
    if h.is_null() {
        return;
    }
    match check(h) {
        Ok(_) => {
            handles::remove(h as usize);
        }
        Err(e) => error::set_thread_state(e),
    }
}

/// `void tmq_conf_set_auto_commit_cb(tmq_conf_t *conf, tmq_commit_cb *cb, void *param)`
/// (see the [module docs](self) for when it is called).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_conf_set_auto_commit_cb(conf: *mut c_void, cb: CommitCb, param: *mut c_void) {
    guard((), || match conf_of(conf) {
        Ok(c) => lock(&c).auto_commit_cb = cb.map(|cb| (cb, param as usize)),
        Err(e) => error::set_thread_state(e),
    })
}

// ---------------------------------------------------------------------------------------
// Topic lists

/// `tmq_list_t *tmq_list_new(void)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_list_new() -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        handles::insert(Obj::TmqList(Arc::new(Mutex::new(ListState::default())))) as *mut c_void
    })
}

fn append(list: &mut ListState, topic: &str) {
    list.items.push(cstring(topic));
    list.ptrs = list.items.iter().map(|s| s.as_ptr() as usize).collect();
}

/// `int32_t tmq_list_append(tmq_list_t *list, const char *topic)`: 0, or an error code.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_list_append(list: *mut c_void, topic: *const c_char) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(list_of(list).and_then(|l| {
            let topic = str_arg(topic, "topic is NULL")?;
            append(&mut lock(&l), topic);
            Ok(0)
        }))
    })
}

/// `void tmq_list_destroy(tmq_list_t *list)`: a bad handle only sets the thread error.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_list_destroy(list: *mut c_void) {
    guard((), || destroy(list, |l| list_of(l)))
}

/// `int32_t tmq_list_get_size(const tmq_list_t *list)`: -1 for a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_list_get_size(list: *const c_void) -> i32 {
    guard(-1, || match list_of(list) {
        Ok(l) => i32::try_from(lock(&l).items.len()).unwrap_or(i32::MAX),
        Err(e) => {
            error::set_thread_state(e);
            -1
        }
    })
}

/// `char **tmq_list_to_c_array(const tmq_list_t *list)`: `tmq_list_get_size` pointers to
/// the topics, valid until the list changes or is destroyed; NULL for an empty list or a
/// bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_list_to_c_array(list: *const c_void) -> *mut *mut c_char {
    guard(std::ptr::null_mut(), || match list_of(list) {
        Ok(l) => {
            let mut l = lock(&l);
            if l.ptrs.is_empty() {
                std::ptr::null_mut()
            } else {
                l.ptrs.as_mut_ptr().cast()
            }
        }
        Err(e) => {
            error::set_thread_state(e);
            std::ptr::null_mut()
        }
    })
}

// ---------------------------------------------------------------------------------------
// Consumers

/// The consumer's part of `TAOSYNC_DSN`, if set: see [`dsn_base`].
fn env_dsn_base() -> Option<String> {
    dsn_base(&std::env::var(conn::DSN_ENV).ok()?)
}

/// The query parameters of a connection DSN that a consumer takes too: its token and the
/// transport keys (timeouts and reconnect settings).
fn consumer_param(key: &str) -> bool {
    matches!(key, "token" | "bearer_token") || taosync::tmq::TRANSPORT_KEYS.contains(&key)
}

/// `dsn` as a consumer DSN: scheme, credentials and address (the first, when the DSN
/// lists several hosts: a consumer has one), with the parameters [`consumer_param`]
/// keeps. The database path and the other parameters (time zone, compression, …) set up
/// query connections, not consumers.
fn dsn_base(dsn: &str) -> Option<String> {
    let dsn = dsn.trim();
    if dsn.is_empty() {
        return None;
    }
    let (base, query) = dsn.split_once('?').unwrap_or((dsn, ""));
    let (scheme, rest) = base.split_once("://")?;
    let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let host = hosts.split(',').next().unwrap_or(hosts);
    let authority = match userinfo {
        Some(u) => format!("{u}@{host}"),
        None => host.to_owned(),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| consumer_param(pair.split_once('=').map_or(*pair, |(k, _)| k)))
        .collect();
    Some(if kept.is_empty() {
        format!("{scheme}://{authority}")
    } else {
        format!("{scheme}://{authority}?{}", kept.join("&"))
    })
}

fn new_consumer(conf: &ConfState) -> taosync::Result<Consumer> {
    let mut builder = Consumer::builder();
    if let Some(dsn) = env_dsn_base() {
        builder = builder.dsn(dsn);
    }
    // libtaos commits automatically unless told otherwise.
    if !conf
        .entries
        .iter()
        .any(|(k, _)| k.trim().eq_ignore_ascii_case("enable.auto.commit"))
    {
        builder = builder.config("enable.auto.commit", "true");
    }
    builder.configs(conf.entries.iter().cloned()).build()
}

/// `tmq_t *tmq_consumer_new(tmq_conf_t *conf, char *errstr, int32_t errstrLen)`: NULL on
/// failure, with the reason in `errstr` (truncated to `errstrLen` bytes with the NUL) and
/// in `taos_errstr(NULL)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_consumer_new(
    conf: *mut c_void,
    errstr: *mut c_char,
    errstr_len: i32,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let made = conf_of(conf).and_then(|c| {
            let c = lock(&c);
            let consumer = new_consumer(&c).map_err(|e| tmq_err(&e))?;
            Ok(TmqState {
                consumer,
                auto_commit_cb: c.auto_commit_cb,
                inner: Mutex::new(TmqInner {
                    topics: Vec::new(),
                    subscribed: false,
                    last: None,
                    last_auto_commit: Instant::now(),
                    polled_since_auto_commit: false,
                    conn: None,
                }),
            })
        });
        match made {
            Ok(state) => {
                error::clear_thread_error();
                ffi::copy_cstr(errstr, usize::try_from(errstr_len).unwrap_or(0), b"");
                handles::insert(Obj::Tmq(Arc::new(state))) as *mut c_void
            }
            Err(e) => {
                ffi::copy_cstr(
                    errstr,
                    usize::try_from(errstr_len).unwrap_or(0),
                    e.msg.as_bytes(),
                );
                error::set_thread_state(e);
                std::ptr::null_mut()
            }
        }
    })
}

/// `int32_t tmq_subscribe(tmq_t *tmq, const tmq_list_t *topic_list)`: replaces the
/// subscription (an empty list unsubscribes).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_subscribe(tmq: *mut c_void, topic_list: *const c_void) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish((|| {
            let st = tmq_of(tmq)?;
            let topics: Vec<String> = {
                let l = list_of(topic_list)?;
                let l = lock(&l);
                l.items
                    .iter()
                    .map(|t| t.to_string_lossy().into_owned())
                    .collect()
            };
            let mut inner = lock(&st.inner);
            if inner.subscribed {
                st.consumer.unsubscribe().map_err(|e| tmq_err(&e))?;
                inner.subscribed = false;
                inner.topics.clear();
            }
            if topics.is_empty() {
                return Ok(0);
            }
            st.consumer.subscribe(&topics).map_err(|e| tmq_err(&e))?;
            inner.subscribed = true;
            inner.topics = topics;
            Ok(0)
        })())
    })
}

/// `int32_t tmq_unsubscribe(tmq_t *tmq)`: 0 also when not subscribed.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_unsubscribe(tmq: *mut c_void) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(tmq_of(tmq).and_then(|st| {
            let mut inner = lock(&st.inner);
            if inner.subscribed {
                st.consumer.unsubscribe().map_err(|e| tmq_err(&e))?;
                inner.subscribed = false;
                inner.topics.clear();
            }
            Ok(0)
        }))
    })
}

/// `int32_t tmq_subscription(tmq_t *tmq, tmq_list_t **topics)`: appends the subscribed
/// topics to `*topics` (a new list when `*topics` is NULL; free it with
/// `tmq_list_destroy`).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_subscription(tmq: *mut c_void, topics: *mut *mut c_void) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(tmq_of(tmq).and_then(|st| {
            let current = ffi::read(topics.cast_const())
                .ok_or_else(|| ErrState::new(CODE_INVALID_PTR, "topics is NULL"))?;
            let list = if current.is_null() {
                let l = tmq_list_new();
                ffi::write(topics, l);
                l
            } else {
                current
            };
            let l = list_of(list)?;
            let names = lock(&st.inner).topics.clone();
            let mut l = lock(&l);
            for t in &names {
                append(&mut l, t);
            }
            Ok(0)
        }))
    })
}

/// `TAOS_RES *tmq_consumer_poll(tmq_t *tmq, int64_t timeout)`: waits up to `timeout` ms
/// (forever when negative) for a message (see the [module docs](self)).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_consumer_poll(tmq: *mut c_void, timeout: i64) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let st = match tmq_of(tmq) {
            Ok(s) => s,
            Err(e) => {
                error::set_thread_state(e);
                return std::ptr::null_mut();
            }
        };
        let polled = if timeout < 0 {
            loop {
                match st.consumer.poll(ENDLESS_STEP) {
                    Ok(None) => continue,
                    other => break other,
                }
            }
        } else {
            st.consumer
                .poll(Duration::from_millis(timeout.unsigned_abs()))
        };
        let message = match polled {
            Ok(m) => m,
            Err(e) => {
                error::set_thread_state(tmq_err(&e));
                return std::ptr::null_mut();
            }
        };
        auto_commit_notice(&st, tmq, message.is_some());
        error::clear_thread_error();
        let Some(message) = message else {
            return std::ptr::null_mut();
        };
        let message = Arc::new(message);
        lock(&st.inner).last = Some(Arc::clone(&message));
        result::register(ResultState::from_message(TmqResult::new(message)))
    })
}

/// Calls the auto-commit callback at the polls where the server auto-commits.
fn auto_commit_notice(st: &TmqState, tmq: *mut c_void, got: bool) {
    let Some((cb, param)) = st.auto_commit_cb else {
        return;
    };
    let config = st.consumer.config();
    if !config.enable_auto_commit {
        return;
    }
    let interval = Duration::from_millis(config.auto_commit_interval_ms);
    let due = {
        let mut inner = lock(&st.inner);
        let due = inner.polled_since_auto_commit && inner.last_auto_commit.elapsed() >= interval;
        if due {
            inner.last_auto_commit = Instant::now();
            inner.polled_since_auto_commit = false;
        }
        inner.polled_since_auto_commit |= got;
        due
    };
    if due {
        cb(tmq, 0, param as *mut c_void);
    }
}

/// `int32_t tmq_consumer_close(tmq_t *tmq)`: unsubscribes (without committing) and closes;
/// the handle is gone afterwards (a second close is `TSDB_CODE_REF_INVALID_ID`). Messages
/// polled before stay readable until freed.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_consumer_close(tmq: *mut c_void) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(tmq_of(tmq).and_then(|st| {
            handles::remove(tmq as usize);
            let conn = {
                let mut inner = lock(&st.inner);
                inner.last = None;
                inner.conn.take()
            };
            if let Some(c) = conn {
                handles::remove(c);
            }
            st.consumer.close().map_err(|e| tmq_err(&e))?;
            Ok(0)
        }))
    })
}

/// Commits `msg` (NULL: every position reached, through the newest message polled).
fn commit(st: &TmqState, msg: *const c_void) -> Result<(), ErrState> {
    let message = if msg.is_null() {
        match lock(&st.inner).last.clone() {
            Some(m) => m,
            None => return Ok(()),
        }
    } else {
        message_of(msg)?
    };
    st.consumer.commit(&message).map_err(|e| tmq_err(&e))
}

/// `int32_t tmq_commit_sync(tmq_t *tmq, const TAOS_RES *msg)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_commit_sync(tmq: *mut c_void, msg: *const c_void) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(tmq_of(tmq).and_then(|st| commit(&st, msg).map(|()| 0)))
    })
}

/// Runs `work` on a thread of ours and reports its code to `cb`; inline when the thread
/// cannot start.
fn run_async(
    tmq: *mut c_void,
    cb: CommitCb,
    param: *mut c_void,
    work: impl FnOnce() -> Result<(), ErrState> + Send + 'static,
) {
    let (h, p) = (tmq as usize, param as usize);
    let spawned = std::thread::Builder::new()
        .name("taosync-capi-tmq".into())
        .spawn(move || {
            guard((), || {
                let code = match work() {
                    Ok(()) => 0,
                    Err(e) => {
                        let c = e.code;
                        error::set_thread_state(e);
                        c
                    }
                };
                if let Some(cb) = cb {
                    cb(h as *mut c_void, code, p as *mut c_void);
                }
            })
        });
    if spawned.is_err() {
        error::set_thread_error(error::CODE_APP_ERROR, "cannot start a thread");
        if let Some(cb) = cb {
            cb(tmq, error::CODE_APP_ERROR, param);
        }
    }
}

/// Reports a failure found before any work started: inline to `cb`.
fn fail_inline(tmq: *mut c_void, cb: CommitCb, param: *mut c_void, e: ErrState) {
    let c = e.code;
    error::set_thread_state(e);
    if let Some(cb) = cb {
        cb(tmq, c, param);
    }
}

/// `void tmq_commit_async(tmq_t *tmq, const TAOS_RES *msg, tmq_commit_cb *cb, void *param)`:
/// commits on a thread of ours, then calls `cb(tmq, code, param)` from it (`cb` may be NULL).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_commit_async(
    tmq: *mut c_void,
    msg: *const c_void,
    cb: CommitCb,
    param: *mut c_void,
) {
    guard((), || {
        let st = match tmq_of(tmq) {
            Ok(s) => s,
            Err(e) => return fail_inline(tmq, cb, param, e),
        };
        let message = if msg.is_null() {
            None
        } else {
            match message_of(msg) {
                Ok(m) => Some(m),
                Err(e) => return fail_inline(tmq, cb, param, e),
            }
        };
        run_async(tmq, cb, param, move || match message {
            Some(m) => st.consumer.commit(&m).map_err(|e| tmq_err(&e)),
            None => commit(&st, std::ptr::null()),
        });
    })
}

/// `int32_t tmq_commit_offset_sync(tmq_t *tmq, const char *pTopicName, int32_t vgId, int64_t offset)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_commit_offset_sync(
    tmq: *mut c_void,
    topic: *const c_char,
    vg_id: i32,
    offset: i64,
) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(tmq_of(tmq).and_then(|st| {
            let topic = str_arg(topic, "topic is NULL")?;
            st.consumer
                .commit_offset(topic, vg_id, offset)
                .map_err(|e| tmq_err(&e))?;
            Ok(0)
        }))
    })
}

/// `void tmq_commit_offset_async(tmq_t *tmq, const char *pTopicName, int32_t vgId,
/// int64_t offset, tmq_commit_cb *cb, void *param)`: as [`tmq_commit_async`].
#[unsafe(no_mangle)]
pub extern "C" fn tmq_commit_offset_async(
    tmq: *mut c_void,
    topic: *const c_char,
    vg_id: i32,
    offset: i64,
    cb: CommitCb,
    param: *mut c_void,
) {
    guard((), || {
        let st = match tmq_of(tmq) {
            Ok(s) => s,
            Err(e) => return fail_inline(tmq, cb, param, e),
        };
        let topic = match str_arg(topic, "topic is NULL") {
            Ok(t) => t.to_owned(),
            Err(e) => return fail_inline(tmq, cb, param, e),
        };
        run_async(tmq, cb, param, move || {
            st.consumer
                .commit_offset(&topic, vg_id, offset)
                .map_err(|e| tmq_err(&e))
        });
    })
}

/// `int32_t tmq_get_topic_assignment(tmq_t *tmq, const char *pTopicName,
/// tmq_topic_assignment **assignment, int32_t *numOfAssignment)`: an array the library
/// owns (free it with `tmq_free_assignment`; NULL when empty).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_topic_assignment(
    tmq: *mut c_void,
    topic: *const c_char,
    assignment: *mut *mut TmqTopicAssignment,
    num: *mut i32,
) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        ffi::write(assignment, std::ptr::null_mut());
        ffi::write(num, 0);
        conn::finish(tmq_of(tmq).and_then(|st| {
            if assignment.is_null() || num.is_null() {
                return Err(ErrState::new(
                    CODE_INVALID_PTR,
                    "assignment or numOfAssignment is NULL",
                ));
            }
            let topic = str_arg(topic, "topic is NULL")?;
            let got = st
                .consumer
                .topic_assignment(topic)
                .map_err(|e| tmq_err(&e))?;
            if got.is_empty() {
                return Ok(0);
            }
            let mut array: Box<[TmqTopicAssignment]> = got
                .iter()
                .map(|a| TmqTopicAssignment {
                    vg_id: a.vgroup_id,
                    current_offset: a.offset,
                    begin: a.begin,
                    end: a.end,
                })
                .collect();
            let p = array.as_mut_ptr();
            let n = i32::try_from(array.len()).unwrap_or(i32::MAX);
            allocs()
                .get_or_insert_with(HashMap::new)
                .insert(p as usize, Alloc::Assignments(array));
            ffi::write(assignment, p);
            ffi::write(num, n);
            Ok(0)
        }))
    })
}

/// `void tmq_free_assignment(tmq_topic_assignment *pAssignment)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_free_assignment(assignment: *mut TmqTopicAssignment) {
    guard((), || {
        if !assignment.is_null() && !release(assignment as usize) {
            error::set_thread_error(
                CODE_INVALID_PTR,
                "tmq_free_assignment: not an array of tmq_get_topic_assignment",
            );
        }
    })
}

/// `int32_t tmq_offset_seek(tmq_t *tmq, const char *pTopicName, int32_t vgId, int64_t offset)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_offset_seek(
    tmq: *mut c_void,
    topic: *const c_char,
    vg_id: i32,
    offset: i64,
) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(tmq_of(tmq).and_then(|st| {
            let topic = str_arg(topic, "topic is NULL")?;
            st.consumer
                .seek(topic, vg_id, offset)
                .map_err(|e| tmq_err(&e))?;
            Ok(0)
        }))
    })
}

fn offset_call(
    tmq: *mut c_void,
    topic: *const c_char,
    f: impl FnOnce(&Consumer, &str) -> taosync::Result<Option<i64>>,
) -> i64 {
    let r = tmq_of(tmq).and_then(|st| {
        let topic = str_arg(topic, "topic is NULL")?;
        f(&st.consumer, topic).map_err(|e| tmq_err(&e))
    });
    match r {
        Ok(Some(v)) => {
            error::clear_thread_error();
            v
        }
        Ok(None) => {
            error::set_thread_error(CODE_TMQ_NO_OFFSET, "no offset for this vgroup");
            i64::from(CODE_TMQ_NO_OFFSET)
        }
        Err(e) => {
            let c = e.code;
            error::set_thread_state(e);
            i64::from(c)
        }
    }
}

/// `int64_t tmq_position(tmq_t *tmq, const char *pTopicName, int32_t vgId)`: the next
/// offset this consumer reads, or a negative code.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_position(tmq: *mut c_void, topic: *const c_char, vg_id: i32) -> i64 {
    guard(i64::from(error::CODE_APP_ERROR), || {
        offset_call(tmq, topic, |c, t| c.position(t, vg_id))
    })
}

/// `int64_t tmq_committed(tmq_t *tmq, const char *pTopicName, int32_t vgId)`: the group's
/// committed offset, or a negative code.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_committed(tmq: *mut c_void, topic: *const c_char, vg_id: i32) -> i64 {
    guard(i64::from(error::CODE_APP_ERROR), || {
        offset_call(tmq, topic, |c, t| c.committed(t, vg_id))
    })
}

/// `TAOS *tmq_get_connect(tmq_t *tmq)`: a connection to the consumer's server with its
/// credentials, opened on first use and closed by `tmq_consumer_close` (do not
/// `taos_close` it); NULL on failure.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_connect(tmq: *mut c_void) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let r = tmq_of(tmq).and_then(|st| {
            let mut inner = lock(&st.inner);
            if let Some(h) = inner.conn.filter(|h| handles::conn(*h).is_some()) {
                return Ok(h);
            }
            let c = st.consumer.config();
            let mut opts = ConnectOptions::new()
                .protocol(if c.tls { Protocol::Wss } else { Protocol::Ws })
                .host(c.host.trim_start_matches('[').trim_end_matches(']'))
                .port(c.port)
                .user(c.user.clone())
                .password(c.password.clone());
            if let Some(t) = &c.token {
                opts = opts.token(t.clone());
            }
            let h = conn::open(&opts).map_err(|e| tmq_err(&e))?;
            inner.conn = Some(h);
            Ok(h)
        });
        match r {
            Ok(h) => {
                error::clear_thread_error();
                h as *mut c_void
            }
            Err(e) => {
                error::set_thread_state(e);
                std::ptr::null_mut()
            }
        }
    })
}

thread_local! {
    static ERR2STR: RefCell<CString> = RefCell::new(CString::default());
}

/// `const char *tmq_err2str(int32_t code)`: "success" for 0; this thread's last message
/// when `code` is its last error; otherwise the code in words. Valid until this thread's
/// next `tmq_err2str`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_err2str(code: i32) -> *const c_char {
    static SUCCESS: &[u8] = b"success\0";
    static FAIL: &[u8] = b"fail\0";
    guard(FAIL.as_ptr().cast(), || {
        if code == 0 {
            return SUCCESS.as_ptr().cast();
        }
        if code == -1 {
            return FAIL.as_ptr().cast();
        }
        let text = if code == error::thread_code() {
            error::thread_message()
        } else {
            match taosync::Code::new((code as u32 & 0xFFFF) as u16).default_message() {
                Some(d) => d.to_owned(),
                None => format!("error code 0x{:08X}", code as u32),
            }
        };
        ERR2STR.with(|s| {
            let mut s = s.borrow_mut();
            *s = cstring(&text);
            s.as_ptr()
        })
    })
}

// ---------------------------------------------------------------------------------------
// Message accessors

/// `tmq_res_t tmq_get_res_type(TAOS_RES *res)`: `TMQ_RES_INVALID` for other results and
/// bad handles.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_res_type(res: *mut c_void) -> c_int {
    guard(TMQ_RES_INVALID, || {
        let shared = match result::lookup(res) {
            Ok(s) => s,
            Err(e) => {
                error::set_thread_state(e);
                return TMQ_RES_INVALID;
            }
        };
        let r = result::lock(&shared);
        match r.tmq().map(|t| t.message.message_type()) {
            None => TMQ_RES_INVALID,
            Some(MessageType::Meta) => TMQ_RES_TABLE_META,
            Some(MessageType::MetaData) => TMQ_RES_METADATA,
            Some(_) => TMQ_RES_DATA,
        }
    })
}

/// `const char *tmq_get_topic_name(TAOS_RES *res)`: valid until the result is freed.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_topic_name(res: *mut c_void) -> *const c_char {
    guard(std::ptr::null(), || {
        with_tmq_res(res, std::ptr::null(), |t| t.topic.as_ptr())
    })
}

/// `const char *tmq_get_db_name(TAOS_RES *res)`: valid until the result is freed.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_db_name(res: *mut c_void) -> *const c_char {
    guard(std::ptr::null(), || {
        with_tmq_res(res, std::ptr::null(), |t| t.db.as_ptr())
    })
}

/// `int32_t tmq_get_vgroup_id(TAOS_RES *res)`: -1 for other results.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_vgroup_id(res: *mut c_void) -> i32 {
    guard(-1, || with_tmq_res(res, -1, |t| t.message.vgroup_id()))
}

/// `int64_t tmq_get_vgroup_offset(TAOS_RES *res)`: the message's offset in its vgroup; -1
/// for other results.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_vgroup_offset(res: *mut c_void) -> i64 {
    guard(-1, || with_tmq_res(res, -1, |t| t.message.offset()))
}

/// `const char *tmq_get_table_name(TAOS_RES *res)`: the table of the block last fetched;
/// NULL before the first fetch, after the last, or when the server sent no table names
/// (`msg.with.table.name=false`).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_table_name(res: *mut c_void) -> *const c_char {
    guard(std::ptr::null(), || {
        with_tmq_res(res, std::ptr::null(), |t| {
            t.current
                .and_then(|i| t.tables.get(i))
                .and_then(|n| n.as_ref())
                .map_or(std::ptr::null(), |n| n.as_ptr())
        })
    })
}

/// `char *tmq_get_json_meta(TAOS_RES *res)`: the meta of a meta message as JSON (free it
/// with `tmq_free_json_meta`); NULL for data messages and on error.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_json_meta(res: *mut c_void) -> *mut c_char {
    guard(std::ptr::null_mut(), || match message_of(res) {
        Ok(m) => match m.meta() {
            Some(meta) => {
                let mut text = meta.to_string().into_bytes();
                text.retain(|b| *b != 0);
                text.push(0);
                error::clear_thread_error();
                keep_bytes(text).cast()
            }
            None => {
                error::set_thread_error(CODE_TMQ_INVALID_MSG, "the message has no meta");
                std::ptr::null_mut()
            }
        },
        Err(e) => {
            error::set_thread_state(e);
            std::ptr::null_mut()
        }
    })
}

/// `void tmq_free_json_meta(char *jsonMeta)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_free_json_meta(meta: *mut c_char) {
    guard((), || {
        if !meta.is_null() && !release(meta as usize) {
            error::set_thread_error(
                CODE_INVALID_PTR,
                "tmq_free_json_meta: not a string of tmq_get_json_meta",
            );
        }
    })
}

/// `int32_t tmq_get_raw(TAOS_RES *res, tmq_raw_data *raw)`: the raw form of a meta message
/// (free it with `tmq_free_raw`); `TSDB_CODE_OPS_NOT_SUPPORT` for data messages.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_get_raw(res: *mut c_void, raw: *mut TmqRawData) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(message_of(res).and_then(|m| {
            if raw.is_null() {
                return Err(ErrState::new(CODE_INVALID_PTR, "raw is NULL"));
            }
            let meta = m.raw_meta().ok_or_else(|| {
                ErrState::new(
                    CODE_NOT_SUPPORTED,
                    "tmq_get_raw: data messages have no raw form over WebSocket (only meta messages)",
                )
            })?;
            let len = u32::try_from(meta.data().len())
                .map_err(|_| ErrState::new(CODE_INVALID_PARA, "raw meta larger than 4 GiB"))?;
            let p = keep_bytes(meta.data().to_vec());
            ffi::write(
                raw,
                TmqRawData {
                    raw: p.cast(),
                    raw_len: len,
                    raw_type: meta.raw_type(),
                },
            );
            Ok(0)
        }))
    })
}

/// `void tmq_free_raw(tmq_raw_data raw)`.
#[unsafe(no_mangle)]
pub extern "C" fn tmq_free_raw(raw: TmqRawData) {
    guard((), || {
        if !raw.raw.is_null() && !release(raw.raw as usize) {
            error::set_thread_error(CODE_INVALID_PTR, "tmq_free_raw: not data of tmq_get_raw");
        }
    })
}

/// `int32_t tmq_write_raw(TAOS *taos, tmq_raw_data raw)`: replays raw meta on `taos`
/// (the `write_raw` action).
#[unsafe(no_mangle)]
pub extern "C" fn tmq_write_raw(taos: *mut c_void, raw: TmqRawData) -> i32 {
    guard(error::CODE_APP_ERROR, || {
        conn::finish(conn::lookup(taos).and_then(|c| {
            if raw.raw.is_null() {
                return Err(ErrState::new(CODE_INVALID_PTR, "raw.raw is NULL"));
            }
            let len = usize::try_from(raw.raw_len).unwrap_or(usize::MAX);
            let data = ffi::in_slice(raw.raw.cast_const().cast::<u8>(), len)
                .ok_or_else(|| ErrState::new(CODE_INVALID_PTR, "raw.raw is NULL"))?;
            c.conn
                .write_raw_meta(&RawMeta::new(raw.raw_type, data.to_vec()))
                .map_err(|e| tmq_err(&e))?;
            Ok(0)
        }))
    })
}

/// The number of buffers (assignment arrays, JSON metas, raw data) handed out and not
/// freed yet: for leak tests.
pub fn live_buffers() -> usize {
    allocs().as_ref().map_or(0, HashMap::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_dsn_gives_address_credentials_token_and_transport_keys() {
        assert_eq!(
            dsn_base("wss://u:p@h1:6041/db?token=x&timezone=UTC&conn_timeout=5s").as_deref(),
            Some("wss://u:p@h1:6041?token=x&conn_timeout=5s")
        );
        assert_eq!(
            dsn_base("ws://h:6041?read_timeout=30&conn_retries=2&compression=true").as_deref(),
            Some("ws://h:6041?read_timeout=30&conn_retries=2")
        );
        assert_eq!(dsn_base(" ws://h ").as_deref(), Some("ws://h"));
        assert_eq!(
            dsn_base("ws://u:p@h1:6041,h2:6042,[::1]:6043/db").as_deref(),
            Some("ws://u:p@h1:6041")
        );
        assert_eq!(dsn_base(""), None);
        assert_eq!(dsn_base("no-scheme"), None);
    }

    #[test]
    fn no_offset_code_is_the_adapters() {
        assert_eq!(
            i64::from(CODE_TMQ_NO_OFFSET),
            taosync_proto::tmq::messages::OFFSET_INVALID
        );
    }
}
