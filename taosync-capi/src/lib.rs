//! `libtaos.so`: TDengine's C API (`taos.h`) implemented on [taosync] over WebSocket, so
//! programs that link or `dlopen` the native client (taospy's `taos` module, C and C++
//! programs) work against any taosAdapter with nothing else installed.
//!
//! The header is `include/taos.h` in this crate. Connection target: see [`conn`].
//!
//! TMQ (`tmq_*`, data subscription) is in [`tmq`]: a polled message is a `TAOS_RES*` read
//! with the result functions.
//!
//! Safety model: every handle (`TAOS*`, `TAOS_RES*`, statements, `tmq_t*`, `tmq_conf_t*`,
//! `tmq_list_t*`) is an opaque number checked against
//! a registry ([`handles`]), so freed, closed and wrong-kind handles give error codes; all
//! raw-pointer access goes through the checked helpers in `ffi`; every exported function
//! runs inside a `catch_unwind` guard, so no panic crosses into C.
//!
//! ```
//! # let server = taosync_server::Server::start(Default::default())?;
//! use std::ffi::CString;
//! let host = CString::new("127.0.0.1").unwrap();
//! let taos = taos::conn::taos_connect(host.as_ptr(), std::ptr::null(), std::ptr::null(),
//!     std::ptr::null(), server.port());
//! assert!(!taos.is_null());
//! let sql = CString::new("select server_version()").unwrap();
//! let res = taos::result::taos_query(taos, sql.as_ptr());
//! assert_eq!(taos::result::taos_errno(res), 0);
//! assert_eq!(taos::result::taos_field_count(res), 1);
//! taos::result::taos_free_result(res);
//! taos::conn::taos_close(taos);
//! # Ok::<(), taosync::Error>(())
//! ```

mod bind;
pub mod conn;
pub mod error;
mod ffi;
pub mod handles;
mod layout;
mod prepared;
pub mod result;
pub mod sml;
pub mod stmt;
pub mod stmt2;
pub mod tmq;
