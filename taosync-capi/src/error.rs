//! Error codes and messages: per thread (`taos_errno(NULL)`) and per result.

use std::cell::RefCell;
use std::ffi::CString;

/// `TSDB_CODE_SUCCESS`.
pub const CODE_SUCCESS: i32 = 0;
/// `TSDB_CODE_OPS_NOT_SUPPORT`: the call has no WebSocket equivalent.
pub const CODE_NOT_SUPPORTED: i32 = code(0x0100);
/// `TSDB_CODE_INVALID_PTR`: a null pointer where one is required.
pub const CODE_INVALID_PTR: i32 = code(0x0103);
/// `TSDB_CODE_INVALID_PARA`: a bad argument (bad UTF-8, bad length, out of range).
pub const CODE_INVALID_PARA: i32 = code(0x010A);
/// `TSDB_CODE_REF_INVALID_ID`: a handle that is not live (freed, closed or never ours),
/// or of the wrong kind.
pub const CODE_INVALID_HANDLE: i32 = code(0x0113);
/// `TSDB_CODE_APP_ERROR`: an internal failure (a caught panic).
pub const CODE_APP_ERROR: i32 = code(0x0006);
/// `TSDB_CODE_TSC_DISCONNECTED`: the connection is closed.
pub const CODE_DISCONNECTED: i32 = code(0x0204);

/// A 16-bit TDengine code as libtaos reports it: with the high bit set (negative).
pub const fn code(c: u16) -> i32 {
    (0x8000_0000u32 | c as u32) as i32
}

/// The libtaos code of a taosync error (`TSDB_CODE_APP_ERROR`-like fallback when the
/// error has no server code).
pub fn errno_of(e: &taosync::Error) -> i32 {
    match e.code() {
        Some(c) if c.value() != 0 => code(c.value()),
        _ => match e.kind() {
            taosync::ErrorKind::Connection => CODE_DISCONNECTED,
            taosync::ErrorKind::NotSupported => CODE_NOT_SUPPORTED,
            taosync::ErrorKind::Interface => CODE_INVALID_PARA,
            _ => code(0xFFFF),
        },
    }
}

/// A code and its message as a C string.
#[derive(Debug, Clone)]
pub struct ErrState {
    /// The code (0 on success).
    pub code: i32,
    /// The message (`""` on success).
    pub msg: CString,
}

impl ErrState {
    /// No error.
    pub fn ok() -> ErrState {
        ErrState {
            code: 0,
            msg: CString::default(),
        }
    }

    /// `code` with `msg` (interior NULs are dropped).
    pub fn new(code: i32, msg: &str) -> ErrState {
        let clean: Vec<u8> = msg.bytes().filter(|b| *b != 0).collect();
        ErrState {
            code,
            msg: CString::new(clean).unwrap_or_default(),
        }
    }

    /// The state of a taosync error.
    pub fn from_error(e: &taosync::Error) -> ErrState {
        ErrState::new(errno_of(e), e.message())
    }
}

thread_local! {
    static LAST: RefCell<ErrState> = RefCell::new(ErrState::ok());
}

/// Sets this thread's error.
pub fn set_thread_error(code: i32, msg: &str) {
    LAST.with(|l| *l.borrow_mut() = ErrState::new(code, msg));
}

/// Sets this thread's error state.
pub fn set_thread_state(s: ErrState) {
    LAST.with(|l| *l.borrow_mut() = s);
}

/// Clears this thread's error.
pub fn clear_thread_error() {
    LAST.with(|l| *l.borrow_mut() = ErrState::ok());
}

/// This thread's error code.
pub fn thread_code() -> i32 {
    LAST.with(|l| l.borrow().code)
}

/// This thread's message; the pointer stays valid until this thread's next error.
pub fn thread_msg_ptr() -> *const std::ffi::c_char {
    LAST.with(|l| l.borrow().msg.as_ptr())
}

/// This thread's message as text.
pub fn thread_message() -> String {
    LAST.with(|l| l.borrow().msg.to_string_lossy().into_owned())
}
