//! The crate's raw-pointer helpers: every dereference of a pointer handed in by C goes
//! through one of these small, checked functions, and every exported function runs its
//! body inside [`guard`], so no panic unwinds into C.

use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `f`, turning a panic into `on_panic` (and a thread error) instead of unwinding
/// across the C boundary.
pub(crate) fn guard<R>(on_panic: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => {
            crate::error::set_thread_error(
                crate::error::CODE_APP_ERROR,
                "internal error in libtaos (taosync)",
            );
            on_panic
        }
    }
}

/// The UTF-8 text of a NUL-terminated C string; `Ok(None)` for a null pointer.
///
/// The caller (C) promises `p` is null or points to a NUL-terminated string that lives
/// for the call; that is the contract of every `const char*` in `taos.h`.
pub(crate) fn opt_str<'a>(p: *const c_char) -> Result<Option<&'a str>, &'static str> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-null, and taos.h requires NUL-terminated strings valid for the call.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str()
        .map(Some)
        .map_err(|_| "string argument is not valid UTF-8")
}

/// Like [`opt_str`], but a null pointer is an error.
pub(crate) fn req_str<'a>(p: *const c_char, what: &'static str) -> Result<&'a str, &'static str> {
    opt_str(p)?.ok_or(what)
}

/// Stores `v` at `p`; `false` (nothing written) when `p` is null.
pub(crate) fn write<T>(p: *mut T, v: T) -> bool {
    if p.is_null() {
        return false;
    }
    // SAFETY: non-null, and the caller passed it as an out-parameter of type T.
    unsafe { p.write(v) };
    true
}

/// Reads the `T` at `p`; `None` when `p` is null.
pub(crate) fn read<T: Copy>(p: *const T) -> Option<T> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, and the caller passed a pointer to a valid T.
    Some(unsafe { p.read_unaligned() })
}

/// A mutable slice of `n` `T`s at `p` (an out-array); `None` when `p` is null.
pub(crate) fn out_slice<'a, T>(p: *mut T, n: usize) -> Option<&'a mut [T]> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, and the caller promises room for `n` elements.
    Some(unsafe { std::slice::from_raw_parts_mut(p, n) })
}

/// Copies `src` into the C buffer `dst` of `cap` bytes, NUL-terminated and truncated to
/// fit; returns the number of bytes written without the NUL.
pub(crate) fn copy_cstr(dst: *mut c_char, cap: usize, src: &[u8]) -> usize {
    let Some(out) = out_slice(dst.cast::<u8>(), cap) else {
        return 0;
    };
    if out.is_empty() {
        return 0;
    }
    let n = src.len().min(out.len() - 1);
    out[..n].copy_from_slice(&src[..n]);
    out[n] = 0;
    n
}

/// `len` bytes at `p` (C's `(const char*, int len)` pairs); a negative `len` means
/// "NUL-terminated".
pub(crate) fn bytes<'a>(p: *const c_char, len: i64) -> Result<&'a [u8], &'static str> {
    if p.is_null() {
        return Err("null buffer");
    }
    if len < 0 {
        // SAFETY: as in `opt_str`.
        return Ok(unsafe { CStr::from_ptr(p) }.to_bytes());
    }
    let n = usize::try_from(len).map_err(|_| "bad length")?;
    // SAFETY: the caller promises `len` readable bytes at `p` (non-null, checked above).
    Ok(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), n) })
}

/// A slice of `n` `T`s at `p` (an in-array); `None` when `p` is null and `n > 0`.
pub(crate) fn in_slice<'a, T>(p: *const T, n: usize) -> Option<&'a [T]> {
    if n == 0 {
        return Some(&[]);
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, and the caller promises `n` readable elements.
    Some(unsafe { std::slice::from_raw_parts(p, n) })
}
