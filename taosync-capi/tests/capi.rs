//! The C API called from Rust through the rlib, against the embedded server: behaviour,
//! and hostile arguments (NULL pointers, freed / closed / foreign / wrong-kind handles, bad
//! indices) that must give error codes, never crashes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::ptr::{null, null_mut};
use std::sync::mpsc;

use proptest::prelude::*;
use taos::conn::*;
use taos::error::{CODE_INVALID_HANDLE, CODE_INVALID_PARA, CODE_INVALID_PTR, CODE_NOT_SUPPORTED};
use taos::result::*;
use taosync_server::{Server, ServerConfig, ServerHandle};

fn server() -> ServerHandle {
    Server::start(ServerConfig::default()).unwrap()
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn open(server: &ServerHandle, db: Option<&str>) -> *mut c_void {
    let host = c("127.0.0.1");
    let db = db.map(c);
    let t = taos_connect(
        host.as_ptr(),
        c("root").as_ptr(),
        c("taosdata").as_ptr(),
        db.as_ref().map_or(null(), |d| d.as_ptr()),
        server.port(),
    );
    assert!(!t.is_null(), "{}", errstr(null_mut()));
    t
}

fn errstr(res: *mut c_void) -> String {
    unsafe { CStr::from_ptr(taos_errstr(res)) }
        .to_string_lossy()
        .into_owned()
}

fn exec(taos: *mut c_void, sql: &str) -> *mut c_void {
    let sql = c(sql);
    let res = taos_query(taos, sql.as_ptr());
    assert!(!res.is_null());
    assert_eq!(taos_errno(res), 0, "{}", errstr(res));
    res
}

fn run(taos: *mut c_void, sql: &str) {
    taos_free_result(exec(taos, sql));
}

/// Reads one fixed-width value of a block column.
fn fixed<T: Copy>(cols: *mut *mut c_void, col: usize, row: usize) -> T {
    unsafe { (*cols.add(col)).cast::<T>().add(row).read_unaligned() }
}

/// Reads one variable-width value of a block column through its offsets.
fn var(res: *mut c_void, cols: *mut *mut c_void, col: usize, row: usize) -> Option<Vec<u8>> {
    let offsets = taos_get_column_data_offset(res, col as c_int);
    assert!(!offsets.is_null());
    let off = unsafe { *offsets.add(row) };
    if off < 0 {
        return None;
    }
    unsafe {
        let p = (*cols.add(col)).cast::<u8>().add(off as usize);
        let len = u16::from_ne_bytes([*p, *p.add(1)]) as usize;
        Some(std::slice::from_raw_parts(p.add(2), len).to_vec())
    }
}

#[test]
fn connect_query_and_fetch_block_and_rows() {
    let server = server();
    let taos = open(&server, None);
    run(taos, "create database capi precision 'us'");
    run(
        taos,
        "create table capi.t (ts timestamp, v int, s varchar(10), n nchar(4), b bool)",
    );
    let res = exec(
        taos,
        "insert into capi.t values (1700000000000001, 7, 'ab', 'é', true) (1700000000000002, NULL, NULL, NULL, NULL)",
    );
    assert_eq!(taos_affected_rows(res), 2);
    assert_eq!(taos_field_count(res), 0);
    taos_free_result(res);

    let res = exec(taos, "select * from capi.t order by ts");
    assert_eq!(taos_field_count(res), 5);
    assert_eq!(taos_result_precision(res), 1);
    let fields = taos_fetch_fields(res);
    let f = unsafe { std::slice::from_raw_parts(fields, 5) };
    let name = unsafe { CStr::from_ptr(f[2].name.as_ptr()) };
    assert_eq!(name.to_str().unwrap(), "s");
    assert_eq!(
        f.iter().map(|f| f.type_).collect::<Vec<_>>(),
        vec![9, 4, 8, 10, 1]
    );
    assert_eq!(std::mem::size_of::<TaosField>(), 72);
    assert_eq!(std::mem::size_of::<TaosFieldE>(), 72);

    let mut cols: *mut *mut c_void = null_mut();
    let n = taos_fetch_block(res, &mut cols);
    assert_eq!(n, 2);
    assert_eq!(fixed::<i64>(cols, 0, 0), 1700000000000001);
    assert_eq!(fixed::<i64>(cols, 0, 1), 1700000000000002);
    assert_eq!(fixed::<i32>(cols, 1, 0), 7);
    assert!(!taos_is_null(res, 0, 1));
    assert!(taos_is_null(res, 1, 1));
    assert_eq!(var(res, cols, 2, 0).as_deref(), Some(&b"ab"[..]));
    assert_eq!(var(res, cols, 2, 1), None);
    assert_eq!(var(res, cols, 3, 0).as_deref(), Some("é".as_bytes()));
    assert_eq!(fixed::<i8>(cols, 4, 0), 1);
    assert!(
        taos_get_column_data_offset(res, 1).is_null(),
        "fixed columns have no offsets"
    );
    let mut nulls = [false; 4];
    let mut rows: c_int = 4;
    assert_eq!(
        taos_is_null_by_column(res, 1, nulls.as_mut_ptr(), &mut rows),
        0
    );
    assert_eq!(rows, 2);
    assert_eq!(&nulls[..2], &[false, true]);
    assert_eq!(taos_fetch_block(res, &mut cols), 0);
    assert!(cols.is_null());
    taos_free_result(res);

    // Row by row, with lengths.
    let res = exec(taos, "select s, v from capi.t order by ts");
    let row = taos_fetch_row(res);
    assert!(!row.is_null());
    let lens = taos_fetch_lengths(res);
    let (s, len) = unsafe { (*row, *lens) };
    assert_eq!(len, 2);
    assert_eq!(
        unsafe { CStr::from_ptr(s.cast::<c_char>()) }.to_bytes(),
        b"ab"
    );
    let row = taos_fetch_row(res);
    assert!(
        unsafe { (*row).is_null() },
        "a NULL value is a NULL pointer"
    );
    assert!(taos_fetch_row(res).is_null());
    taos_free_result(res);

    // Server errors come back on a result, with the server's code.
    let bad = c("select * from capi.nope");
    let res = taos_query(taos, bad.as_ptr());
    assert_eq!(taos_errno(res) & 0xFFFF, 0x2603, "{}", errstr(res));
    assert!(!errstr(res).is_empty());
    assert_eq!(taos_field_count(res), 0);
    taos_free_result(res);

    // select_db and the current database.
    assert_eq!(taos_select_db(taos, c("capi").as_ptr()), 0);
    let mut buf = [0 as c_char; 16];
    let mut need: c_int = 0;
    assert_eq!(
        taos_get_current_db(taos, buf.as_mut_ptr(), 16, &mut need),
        0
    );
    assert_eq!(
        unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap(),
        "capi"
    );
    assert_eq!(need, 5);
    assert_ne!(
        taos_get_current_db(taos, buf.as_mut_ptr(), 2, &mut need),
        0,
        "too small a buffer"
    );
    let res = taos_query_with_reqid(taos, c("select count(*) from t").as_ptr(), 99);
    assert_eq!(taos_errno(res), 0, "{}", errstr(res));
    taos_free_result(res);

    let info = unsafe { CStr::from_ptr(taos_get_server_info(taos)) };
    assert!(info.to_str().unwrap().split('.').count() >= 3);
    let client = unsafe { CStr::from_ptr(taos_get_client_info()) };
    assert!(client.to_str().unwrap().starts_with("3."));
    taos_close(taos);
}

#[test]
fn several_blocks_and_async_calls() {
    let server = server();
    let taos = open(&server, None);
    run(taos, "create database big");
    run(taos, "create table big.t (ts timestamp, v int)");
    for chunk in 0..3 {
        let vals: String = (0..2000)
            .map(|i| {
                format!(
                    "({}, {})",
                    1_600_000_000_000i64 + chunk * 2000 + i,
                    chunk * 2000 + i
                )
            })
            .collect();
        run(taos, &format!("insert into big.t values {vals}"));
    }
    let res = exec(taos, "select v from big.t order by ts");
    let mut cols = null_mut();
    let mut seen = Vec::new();
    loop {
        let n = taos_fetch_block(res, &mut cols);
        assert!(n >= 0);
        if n == 0 {
            break;
        }
        seen.extend((0..n as usize).map(|r| fixed::<i32>(cols, 0, r)));
    }
    assert_eq!(seen, (0..6000).collect::<Vec<_>>());
    taos_free_result(res);

    // taos_query_a + taos_fetch_rows_a: callbacks from our thread.
    extern "C" fn on_query(param: *mut c_void, res: *mut c_void, code: c_int) {
        let tx = unsafe { &*param.cast::<mpsc::Sender<(usize, c_int)>>() };
        tx.send((res as usize, code)).unwrap();
    }
    let (tx, rx) = mpsc::channel::<(usize, c_int)>();
    let sql = c("select v from big.t where v < 10 order by ts");
    taos_query_a(
        taos,
        sql.as_ptr(),
        Some(on_query),
        (&tx as *const mpsc::Sender<_>).cast_mut().cast(),
    );
    let (res, code) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(code, 0);
    let res = res as *mut c_void;
    taos_fetch_rows_a(
        res,
        Some(on_query),
        (&tx as *const mpsc::Sender<_>).cast_mut().cast(),
    );
    let (_, n) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(n, 10);
    let mut count = 0;
    while !taos_fetch_row(res).is_null() {
        count += 1;
    }
    assert_eq!(
        count, 10,
        "taos_fetch_row walks the block fetch_rows_a fetched"
    );
    taos_free_result(res);

    // A failing async query reports its code.
    taos_query_a(
        taos,
        c("select * from nowhere.t").as_ptr(),
        Some(on_query),
        (&tx as *const mpsc::Sender<_>).cast_mut().cast(),
    );
    let (res, code) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_ne!(code, 0);
    taos_free_result(res as *mut c_void);
    taos_close(taos);
}

#[test]
fn hostile_arguments_give_error_codes() {
    let server = server();
    let taos = open(&server, None);

    // NULL everything.
    assert!(taos_query(null_mut(), c("select 1").as_ptr()).is_null());
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
    assert!(taos_query(taos, null()).is_null());
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_PARA);
    assert_eq!(taos_field_count(null_mut()), 0);
    assert!(taos_fetch_row(null_mut()).is_null());
    assert!(taos_fetch_fields(null_mut()).is_null());
    assert!(taos_fetch_lengths(null_mut()).is_null());
    assert!(taos_is_null(null_mut(), 0, 0));
    assert!(taos_get_server_info(null_mut()).is_null());
    assert_eq!(taos_select_db(taos, null()), CODE_INVALID_PARA);
    taos_free_result(null_mut());
    taos_close(null_mut());
    assert_eq!(taos_fetch_block(null_mut(), null_mut()), CODE_INVALID_PTR);

    // A handle of the wrong kind.
    let res = exec(taos, "select server_version()");
    assert!(taos_query(res, c("select 1").as_ptr()).is_null());
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
    assert_eq!(taos_field_count(taos), 0);
    assert_eq!(taos_errno(taos), CODE_INVALID_HANDLE);
    taos_free_result(taos); // not a result: ignored
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
    let mut cols = null_mut();
    assert_eq!(taos_fetch_block(taos, &mut cols), CODE_INVALID_HANDLE);

    // Out-of-range indices (on a fetched block).
    let mut block = null_mut();
    assert_eq!(taos_fetch_block(res, &mut block), 1);
    assert!(taos_is_null(res, -1, 0));
    assert!(taos_is_null(res, 0, 99));
    assert!(taos_get_column_data_offset(res, -5).is_null());
    let mut rows: c_int = 1;
    let mut one = [false; 1];
    assert_eq!(
        taos_is_null_by_column(res, 7, one.as_mut_ptr(), &mut rows),
        CODE_INVALID_PARA
    );
    assert_eq!(
        taos_is_null_by_column(res, 0, null_mut(), &mut rows),
        CODE_INVALID_PTR
    );
    assert_eq!(
        taos_is_null_by_column(res, 0, one.as_mut_ptr(), null_mut()),
        CODE_INVALID_PTR
    );
    rows = -1;
    assert_eq!(
        taos_is_null_by_column(res, 0, one.as_mut_ptr(), &mut rows),
        CODE_INVALID_PARA
    );

    // Double free.
    taos_free_result(res);
    taos_free_result(res);
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
    assert_eq!(taos_errno(res), CODE_INVALID_HANDLE);
    assert!(taos_fetch_row(res).is_null());

    // Bad UTF-8 SQL.
    let bad = [0xffu8 as c_char, 0];
    assert!(taos_query(taos, bad.as_ptr()).is_null());
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_PARA);

    // Calls after close; a result outlives its connection's handle.
    let res = exec(taos, "select server_version()");
    taos_close(taos);
    taos_close(taos);
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
    assert!(taos_query(taos, c("select 1").as_ptr()).is_null());
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
    assert_eq!(taos_field_count(res), 1);
    taos_free_result(res);

    // Unsupported functions fail cleanly.
    assert_eq!(
        taos_validate_sql(open(&server, None), c("select 1").as_ptr()),
        CODE_NOT_SUPPORTED
    );
    assert!(taos::unsupported::taos_stmt_init(null_mut()).is_null());
    assert_eq!(taos_errno(null_mut()), CODE_NOT_SUPPORTED);
}

#[test]
fn connect_failures_set_the_thread_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = taos_connect(c("127.0.0.1").as_ptr(), null(), null(), null(), port);
    assert!(t.is_null());
    assert_ne!(taos_errno(null_mut()), 0);
    assert!(!errstr(null_mut()).is_empty());
    let server = server();
    let t = taos_connect(
        c("127.0.0.1").as_ptr(),
        c("root").as_ptr(),
        c("wrong").as_ptr(),
        null(),
        server.port(),
    );
    assert!(t.is_null());
    assert_ne!(taos_errno(null_mut()), 0);
}

#[test]
fn connect_options_follow_the_arguments() {
    let o = connect_options(Some("db.example"), Some("u"), Some("p"), Some("d"), 0).unwrap();
    assert_eq!(o.get_hosts()[0].url_host(), "db.example");
    assert_eq!(o.get_hosts()[0].port, 6041);
    assert_eq!(o.get_user(), "u");
    assert_eq!(o.get_password(), "p");
    assert_eq!(o.get_database(), Some("d"));
    assert!(o.get_protocol().is_websocket());
    let o = connect_options(None, None, None, None, 7000).unwrap();
    assert_eq!(o.get_hosts()[0].url_host(), "localhost");
    assert_eq!(o.get_hosts()[0].port, 7000);
    assert_eq!(o.get_user(), "root");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary numbers passed as handles are never dereferenced: every call answers an
    /// error (or a neutral value) without crashing.
    #[test]
    fn arbitrary_handles_are_rejected(h in any::<usize>(), row in any::<i32>(), col in any::<i32>()) {
        let p = h as *mut c_void;
        prop_assert!(taos_fetch_row(p).is_null());
        prop_assert_eq!(taos_field_count(p), 0);
        prop_assert!(taos_is_null(p, row, col));
        prop_assert!(taos_get_column_data_offset(p, col).is_null());
        let mut cols = null_mut();
        let code = taos_fetch_block(p, &mut cols);
        prop_assert!(code < 0);
        taos_free_result(p);
        taos_close(p);
        prop_assert!(taos_get_server_info(p).is_null() || h == 0);
        let mut need = 0;
        prop_assert!(taos_get_current_db(p, null_mut(), col, &mut need) != 0);
    }
}
