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
    // As in libtaos, a VARCHAR value is `len` bytes, not NUL-terminated (it points into the
    // block as received).
    assert_eq!(
        unsafe { std::slice::from_raw_parts(s.cast::<u8>(), len as usize) },
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
    run(
        taos,
        "create table big.t (ts timestamp, v int, s varchar(8))",
    );
    // Every 7th `s` is NULL, so blocks differ in their NULLs and heap sizes.
    let text = |v: i64| (v % 7 != 0).then(|| format!("s{}", v % 1000));
    for chunk in 0..3 {
        let vals: String = (0..2000)
            .map(|i| {
                let v = chunk * 2000 + i;
                let s = text(v).map_or("NULL".to_string(), |s| format!("'{s}'"));
                format!("({}, {v}, {s})", 1_600_000_000_000i64 + v)
            })
            .collect();
        run(taos, &format!("insert into big.t values {vals}"));
    }
    let res = exec(taos, "select v, s from big.t order by ts");
    let mut cols = null_mut();
    let (mut seen, mut blocks) = (Vec::new(), 0);
    loop {
        let n = taos_fetch_block(res, &mut cols);
        assert!(n >= 0);
        if n == 0 {
            break;
        }
        blocks += 1;
        for r in 0..n as usize {
            let v = fixed::<i32>(cols, 0, r);
            let s = var(res, cols, 1, r).map(|b| String::from_utf8(b).unwrap());
            assert_eq!(s, text(i64::from(v)), "row {r} of block {blocks}");
            assert_eq!(taos_is_null(res, r as i32, 1), s.is_none());
            seen.push(v);
        }
    }
    assert!(
        blocks > 1,
        "one block only: the reuse of block buffers is not exercised"
    );
    assert_eq!(seen, (0..6000).collect::<Vec<_>>());
    taos_free_result(res);

    // taos_query_a + taos_fetch_rows_a: callbacks from our thread.
    extern "C" fn on_query(param: *mut c_void, res: *mut c_void, code: c_int) {
        let tx = unsafe { &*param.cast::<mpsc::Sender<(usize, c_int)>>() };
        tx.send((res as usize, code)).unwrap();
    }
    let (tx, rx) = mpsc::channel::<(usize, c_int)>();
    // The callback thread may still be inside `send` when `recv` returns here: the sender
    // must outlive this function, so it is leaked.
    let tx: &'static mpsc::Sender<(usize, c_int)> = Box::leak(Box::new(tx));
    let sql = c("select v from big.t where v < 10 order by ts");
    taos_query_a(
        taos,
        sql.as_ptr(),
        Some(on_query),
        (tx as *const mpsc::Sender<_>).cast_mut().cast(),
    );
    let (res, code) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(code, 0);
    let res = res as *mut c_void;
    taos_fetch_rows_a(
        res,
        Some(on_query),
        (tx as *const mpsc::Sender<_>).cast_mut().cast(),
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
        (tx as *const mpsc::Sender<_>).cast_mut().cast(),
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
    assert!(taos::stmt::taos_stmt_init(null_mut()).is_null());
    assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
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

// ---------------------------------------------------------------------------------------
// stmt2

mod stmt2_api {
    use super::*;
    use taos::stmt2::*;

    fn bind<T>(
        ty: c_int,
        values: &mut [T],
        len: Option<&mut [i32]>,
        nulls: Option<&mut [c_char]>,
        num: usize,
    ) -> TaosStmt2Bind {
        TaosStmt2Bind {
            buffer_type: ty,
            buffer: if values.is_empty() {
                null_mut()
            } else {
                values.as_mut_ptr().cast()
            },
            length: len.map_or(null_mut(), |l| l.as_mut_ptr()),
            is_null: nulls.map_or(null_mut(), |n| n.as_mut_ptr()),
            num: num as c_int,
        }
    }

    fn stmt_err(stmt: *mut c_void) -> String {
        unsafe { CStr::from_ptr(taos_stmt2_error(stmt)) }
            .to_string_lossy()
            .into_owned()
    }

    fn prepare(taos: *mut c_void, sql: &str) -> *mut c_void {
        let stmt = taos_stmt2_init(taos, null_mut());
        assert!(!stmt.is_null(), "{}", errstr(null_mut()));
        let sql = c(sql);
        assert_eq!(
            taos_stmt2_prepare(stmt, sql.as_ptr(), 0),
            0,
            "{}",
            stmt_err(stmt)
        );
        stmt
    }

    /// All rows of `sql` as text, through taos_fetch_row.
    fn rows(taos: *mut c_void, sql: &str) -> Vec<Vec<Option<String>>> {
        let res = exec(taos, sql);
        let n = taos_field_count(res) as usize;
        let fields = unsafe { std::slice::from_raw_parts(taos_fetch_fields(res), n) };
        let mut out = Vec::new();
        loop {
            let row = taos_fetch_row(res);
            if row.is_null() {
                break;
            }
            let lens = unsafe { std::slice::from_raw_parts(taos_fetch_lengths(res), n) };
            let vals = (0..n)
                .map(|i| {
                    let p = unsafe { *row.add(i) };
                    if p.is_null() {
                        return None;
                    }
                    Some(match fields[i].type_ {
                        1 => (unsafe { *p.cast::<i8>() } != 0).to_string(),
                        4 => unsafe { p.cast::<i32>().read_unaligned() }.to_string(),
                        5 | 9 => unsafe { p.cast::<i64>().read_unaligned() }.to_string(),
                        7 => unsafe { p.cast::<f64>().read_unaligned() }.to_string(),
                        _ => String::from_utf8_lossy(unsafe {
                            std::slice::from_raw_parts(p.cast::<u8>(), lens[i] as usize)
                        })
                        .into_owned(),
                    })
                })
                .collect();
            out.push(vals);
        }
        taos_free_result(res);
        out
    }

    #[test]
    fn insert_into_a_supertable_with_tags_nulls_and_nanoseconds() {
        let server = server();
        let taos = open(&server, None);
        run(taos, "create database s2 precision 'ns'");
        assert_eq!(taos_select_db(taos, c("s2").as_ptr()), 0);
        run(
            taos,
            "create stable s2.st (ts timestamp, v int, s varchar(16), n nchar(8), d double) tags (loc varchar(16), gid int)",
        );
        let stmt = prepare(
            taos,
            "insert into ? using s2.st tags (?, ?) values (?, ?, ?, ?, ?)",
        );

        let mut insert: c_int = -1;
        assert_eq!(taos_stmt2_is_insert(stmt, &mut insert), 0);
        assert_eq!(insert, 1);
        let mut count: c_int = 0;
        let mut fields: *mut TaosFieldAll = null_mut();
        assert_eq!(taos_stmt2_get_fields(stmt, &mut count, &mut fields), 0);
        assert_eq!(count, 8);
        let f = unsafe { std::slice::from_raw_parts(fields, 8) };
        assert_eq!(
            f.iter().map(|f| f.field_type).collect::<Vec<_>>(),
            [4, 2, 2, 1, 1, 1, 1, 1]
        );
        assert_eq!(
            unsafe { CStr::from_ptr(f[3].name.as_ptr()) }
                .to_str()
                .unwrap(),
            "ts"
        );
        assert_eq!(
            (f[3].type_, f[3].precision),
            (9, 2),
            "a nanosecond TIMESTAMP column"
        );
        assert_eq!(std::mem::size_of::<TaosFieldAll>(), 76);
        taos_stmt2_free_fields(stmt, fields);
        taos_stmt2_free_fields(stmt, fields); // a second free is refused, not a crash
        assert_ne!(taos_errno(null_mut()), 0);

        // Two tables in one bindv.
        let base = 1_700_000_000_123_456_789i64;
        let mut names = [c("d1"), c("d2")];
        let mut name_ptrs: Vec<*mut c_char> = names
            .iter_mut()
            .map(|n| n.as_ptr() as *mut c_char)
            .collect();
        let mut loc = *b"bjsh";
        let mut loc1_len = [2i32];
        let mut loc2_len = [2i32];
        let mut gid1 = [1i32];
        let mut gid_null: [c_char; 1] = [1];
        let mut gid2 = [0i32];
        let (loc_a, loc_b) = loc.split_at_mut(2);
        let mut tags1 = [
            bind(8, loc_a, Some(&mut loc1_len), None, 1),
            bind(4, &mut gid1, None, None, 1),
        ];
        let mut tags2 = [
            bind(8, loc_b, Some(&mut loc2_len), None, 1),
            bind(4, &mut gid2, None, Some(&mut gid_null), 1),
        ];

        let mut ts1 = [base, base + 1];
        let mut v1 = [10i32, 0];
        let mut v1_null: [c_char; 2] = [0, 1];
        let mut s1 = *b"helloX";
        let mut s1_len = [5i32, 1];
        let mut n1 = "中文".as_bytes().to_vec();
        let mut n1_len = [n1.len() as i32, 0];
        let mut n1_null: [c_char; 2] = [0, 1];
        let mut d1 = [1.5f64, -2.25];
        let mut cols1 = [
            bind(9, &mut ts1, None, None, 2),
            bind(4, &mut v1, None, Some(&mut v1_null), 2),
            bind(8, &mut s1, Some(&mut s1_len), None, 2),
            bind(10, &mut n1, Some(&mut n1_len), Some(&mut n1_null), 2),
            bind(7, &mut d1, None, None, 2),
        ];
        let mut ts2 = [base + 5];
        let mut v2 = [20i32];
        let mut empty: [u8; 0] = [];
        let mut s2_len = [0i32];
        let mut s2_null: [c_char; 1] = [1];
        let mut n2 = *b"x";
        let mut n2_len = [1i32];
        let mut d2 = [0.0f64];
        let mut d2_null: [c_char; 1] = [1];
        let mut cols2 = [
            bind(9, &mut ts2, None, None, 1),
            bind(4, &mut v2, None, None, 1),
            bind(8, &mut empty, Some(&mut s2_len), Some(&mut s2_null), 1),
            bind(10, &mut n2, Some(&mut n2_len), None, 1),
            bind(7, &mut d2, None, Some(&mut d2_null), 1),
        ];
        let mut tags = [tags1.as_mut_ptr(), tags2.as_mut_ptr()];
        let mut cols = [cols1.as_mut_ptr(), cols2.as_mut_ptr()];
        let mut bindv = TaosStmt2Bindv {
            count: 2,
            tbnames: name_ptrs.as_mut_ptr(),
            tags: tags.as_mut_ptr(),
            bind_cols: cols.as_mut_ptr(),
        };
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            0,
            "{}",
            stmt_err(stmt)
        );
        let mut affected: c_int = 0;
        assert_eq!(
            taos_stmt2_exec(stmt, &mut affected),
            0,
            "{}",
            stmt_err(stmt)
        );
        assert_eq!(affected, 3);
        assert_eq!(stmt_err(stmt), "");
        assert_eq!(taos_stmt2_close(stmt), 0);
        assert_eq!(
            taos_stmt2_close(stmt),
            CODE_INVALID_HANDLE,
            "a second close"
        );

        let got = rows(
            taos,
            "select ts, v, s, n, d, loc, gid from s2.st order by ts",
        );
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            got,
            vec![
                vec![
                    s(&base.to_string()),
                    s("10"),
                    s("hello"),
                    s("中文"),
                    s("1.5"),
                    s("bj"),
                    s("1")
                ],
                vec![
                    s(&(base + 1).to_string()),
                    None,
                    s("X"),
                    None,
                    s("-2.25"),
                    s("bj"),
                    s("1")
                ],
                vec![
                    s(&(base + 5).to_string()),
                    s("20"),
                    None,
                    s("x"),
                    None,
                    s("sh"),
                    None
                ],
            ]
        );
        taos_close(taos);
    }

    #[test]
    fn query_with_parameters_and_result() {
        let server = server();
        let taos = open(&server, None);
        run(taos, "create database s2q");
        run(
            taos,
            "create table s2q.t (ts timestamp, v int, s varchar(8))",
        );
        run(
            taos,
            "insert into s2q.t values (1700000000000, 1, 'a') (1700000000001, 2, 'b') (1700000000002, 3, 'c')",
        );
        let stmt = prepare(
            taos,
            "select v, s from s2q.t where v >= ? and s <> ? order by ts",
        );
        let mut insert: c_int = -1;
        assert_eq!(taos_stmt2_is_insert(stmt, &mut insert), 0);
        assert_eq!(insert, 0);
        let mut count: c_int = 0;
        let mut fields: *mut TaosFieldAll = 8 as *mut TaosFieldAll;
        assert_eq!(taos_stmt2_get_fields(stmt, &mut count, &mut fields), 0);
        assert_eq!(count, 2, "a query reports its ? count");
        assert!(fields.is_null());
        assert!(taos_stmt2_result(stmt).is_null(), "no result before exec");

        let mut v = [2i64];
        let mut s = *b"c";
        let mut s_len = [1i32];
        let mut cols = [
            bind(5, &mut v, None, None, 1),
            bind(8, &mut s, Some(&mut s_len), None, 1),
        ];
        let mut tables = [cols.as_mut_ptr()];
        let mut bindv = TaosStmt2Bindv {
            count: 1,
            tbnames: null_mut(),
            tags: null_mut(),
            bind_cols: tables.as_mut_ptr(),
        };
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            0,
            "{}",
            stmt_err(stmt)
        );
        let mut affected: c_int = -1;
        assert_eq!(
            taos_stmt2_exec(stmt, &mut affected),
            0,
            "{}",
            stmt_err(stmt)
        );
        let res = taos_stmt2_result(stmt);
        assert!(!res.is_null(), "{}", stmt_err(stmt));
        assert_eq!(taos_field_count(res), 2);
        let row = taos_fetch_row(res);
        assert!(!row.is_null());
        assert_eq!(unsafe { (*row).cast::<i32>().read_unaligned() }, 2);
        assert!(taos_fetch_row(res).is_null(), "only v=2 ('c' is excluded)");
        // The result belongs to the statement: close frees it.
        assert_eq!(taos_stmt2_close(stmt), 0);
        assert_eq!(taos_errno(res), CODE_INVALID_HANDLE);
        taos_close(taos);
    }

    #[test]
    fn untyped_placeholders_keep_raw_timestamps() {
        // `INSERT INTO ? VALUES (?, ?)`: the server cannot type the columns before a table
        // is bound; raw counts must still land in the table's precision, unscaled.
        let server = server();
        let taos = open(&server, None);
        run(taos, "create database s2u precision 'us'");
        assert_eq!(taos_select_db(taos, c("s2u").as_ptr()), 0);
        run(taos, "create table t (ts timestamp, v int)");
        let stmt = prepare(taos, "insert into ? values (?, ?)");
        let mut name = c("t").into_raw();
        let mut ts = [1_700_000_000_000_007i64];
        let mut v = [9i32];
        let mut cols = [
            bind(9, &mut ts, None, None, 1),
            bind(4, &mut v, None, None, 1),
        ];
        let mut tables = [cols.as_mut_ptr()];
        let mut bindv = TaosStmt2Bindv {
            count: 1,
            tbnames: &mut name,
            tags: null_mut(),
            bind_cols: tables.as_mut_ptr(),
        };
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            0,
            "{}",
            stmt_err(stmt)
        );
        let mut n: c_int = 0;
        assert_eq!(taos_stmt2_exec(stmt, &mut n), 0, "{}", stmt_err(stmt));
        assert_eq!(n, 1);
        assert_eq!(taos_stmt2_close(stmt), 0);
        drop(unsafe { CString::from_raw(name) });
        assert_eq!(
            rows(taos, "select ts, v from t"),
            vec![vec![Some("1700000000000007".into()), Some("9".into())]]
        );
        taos_close(taos);
    }

    #[test]
    fn async_exec_calls_back_from_another_thread() {
        let server = server();
        let taos = open(&server, None);
        run(taos, "create database s2a");
        run(taos, "create table s2a.t (ts timestamp, v int)");
        extern "C" fn done(param: *mut c_void, res: *mut c_void, code: c_int) {
            let tx = unsafe { &*param.cast::<mpsc::Sender<(c_int, i64, std::thread::ThreadId)>>() };
            tx.send((code, taos_affected_rows64(res), std::thread::current().id()))
                .unwrap();
        }
        let (tx, rx) = mpsc::channel::<(c_int, i64, std::thread::ThreadId)>();
        // Leaked: the callback thread may still be inside `send` when `recv` returns.
        let tx: &'static mpsc::Sender<_> = Box::leak(Box::new(tx));
        let mut opt = TaosStmt2Option {
            reqid: 77,
            single_stb_insert: false,
            single_table_bind_once: false,
            async_exec_fn: Some(done),
            userdata: (tx as *const mpsc::Sender<_>).cast_mut().cast(),
        };
        let stmt = taos_stmt2_init(taos, &mut opt);
        assert!(!stmt.is_null());
        let sql = c("insert into s2a.t values (?, ?)");
        assert_eq!(
            taos_stmt2_prepare(stmt, sql.as_ptr(), sql.as_bytes().len() as _),
            0
        );
        let mut ts = [1_700_000_000_000i64, 1_700_000_000_001, 1_700_000_000_002];
        let mut v = [1i32, 2, 3];
        let mut cols = [
            bind(9, &mut ts, None, None, 3),
            bind(4, &mut v, None, None, 3),
        ];
        let mut tables = [cols.as_mut_ptr()];
        let mut bindv = TaosStmt2Bindv {
            count: 1,
            tbnames: null_mut(),
            tags: null_mut(),
            bind_cols: tables.as_mut_ptr(),
        };
        assert_eq!(taos_stmt2_bind_param(stmt, &mut bindv, -1), 0);
        assert_eq!(taos_stmt2_exec(stmt, null_mut()), 0);
        let (code, n, thread) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!((code, n), (0, 3));
        assert_ne!(thread, std::thread::current().id());
        assert_eq!(taos_stmt2_close(stmt), 0);
        assert_eq!(
            rows(taos, "select count(*) from s2a.t"),
            vec![vec![Some("3".into())]]
        );
        taos_close(taos);
    }

    #[test]
    fn hostile_stmt2_arguments() {
        let server = server();
        let taos = open(&server, None);
        run(taos, "create database s2h");
        run(taos, "create table s2h.t (ts timestamp, s varchar(4))");
        // NULL and wrong-kind handles.
        assert!(taos_stmt2_init(null_mut(), null_mut()).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
        assert_eq!(taos_stmt2_prepare(null_mut(), null(), 0), CODE_INVALID_PTR);
        assert_eq!(
            taos_stmt2_prepare(taos, c("select 1").as_ptr(), 0),
            CODE_INVALID_HANDLE,
            "a TAOS* is not a TAOS_STMT2*"
        );
        assert_eq!(
            taos_stmt2_exec(0x1234 as *mut c_void, null_mut()),
            CODE_INVALID_HANDLE
        );
        assert_eq!(
            taos_stmt2_bind_param(null_mut(), null_mut(), -1),
            CODE_INVALID_PTR
        );
        assert!(taos_stmt2_result(null_mut()).is_null());
        taos_stmt2_free_fields(null_mut(), null_mut());
        assert!(!taos_stmt2_error(0x1234 as *mut c_void).is_null());

        let stmt = taos_stmt2_init(taos, null_mut());
        // Before prepare.
        let mut flag: c_int = 0;
        assert_ne!(taos_stmt2_is_insert(stmt, &mut flag), 0);
        assert_ne!(taos_stmt2_get_fields(stmt, &mut flag, null_mut()), 0);
        // A bad SQL: the server's error on the statement.
        assert_ne!(
            taos_stmt2_prepare(stmt, c("insert into s2h.nope values (?, ?)").as_ptr(), 0),
            0
        );
        assert!(!stmt_err(stmt).is_empty());
        let sql = c("insert into s2h.t values (?, ?)");
        assert_eq!(taos_stmt2_prepare(stmt, sql.as_ptr(), 0), 0);
        assert_eq!(taos_stmt2_is_insert(stmt, null_mut()), CODE_INVALID_PTR);
        assert_eq!(
            taos_stmt2_bind_param(stmt, null_mut(), -1),
            CODE_INVALID_PTR
        );
        let mut ts = [1_700_000_000_000i64];
        let mut s = *b"ab";
        let mut bad_len = [-1i32];
        let mut cols = [
            bind(9, &mut ts, None, None, 1),
            bind(8, &mut s, Some(&mut bad_len), None, 1),
        ];
        let mut tables = [cols.as_mut_ptr()];
        let mut bindv = TaosStmt2Bindv {
            count: 1,
            tbnames: null_mut(),
            tags: null_mut(),
            bind_cols: tables.as_mut_ptr(),
        };
        // The C side mutates its binds between calls: re-derive the pointers after each change.
        macro_rules! again {
            () => {
                tables = [cols.as_mut_ptr()];
                bindv.bind_cols = tables.as_mut_ptr();
            };
        }
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, 0),
            CODE_NOT_SUPPORTED,
            "col_idx >= 0"
        );
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            CODE_INVALID_PARA,
            "negative length"
        );
        bad_len[0] = 2;
        again!();
        cols[1].length = null_mut();
        again!();
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            CODE_INVALID_PARA,
            "no lengths for VARCHAR"
        );
        cols[1].length = bad_len.as_mut_ptr();
        again!();
        cols[1].buffer_type = 99;
        again!();
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            CODE_INVALID_PARA,
            "unknown type"
        );
        cols[1].buffer_type = 8;
        again!();
        cols[0].buffer = null_mut();
        again!();
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            CODE_INVALID_PARA,
            "NULL buffer"
        );
        cols[0].buffer = ts.as_mut_ptr().cast();
        again!();
        cols[0].num = -3;
        again!();
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            CODE_INVALID_PARA,
            "negative num"
        );
        cols[0].num = 1;
        again!();
        bindv.count = -1;
        assert_eq!(
            taos_stmt2_bind_param(stmt, &mut bindv, -1),
            CODE_INVALID_PARA,
            "negative count"
        );
        bindv.count = 1;
        // Nothing of the failed binds was kept: exec has nothing to run.
        let mut n: c_int = 0;
        assert_ne!(taos_stmt2_exec(stmt, &mut n), 0);
        // A value too long for its column: the server (or the client) says so at exec.
        let mut long = *b"toolong";
        let mut long_len = [7i32];
        cols[1] = bind(8, &mut long, Some(&mut long_len), None, 1);
        again!();
        assert_eq!(taos_stmt2_bind_param(stmt, &mut bindv, -1), 0);
        assert_ne!(taos_stmt2_exec(stmt, &mut n), 0);
        assert!(!stmt_err(stmt).is_empty());
        // Still usable afterwards.
        cols[1] = bind(8, &mut s, Some(&mut bad_len), None, 1);
        again!();
        assert_eq!(taos_stmt2_bind_param(stmt, &mut bindv, -1), 0);
        assert_eq!(taos_stmt2_exec(stmt, &mut n), 0, "{}", stmt_err(stmt));
        assert_eq!(n, 1);
        assert_eq!(taos_stmt2_close(stmt), 0);
        assert_eq!(
            taos_stmt2_prepare(stmt, sql.as_ptr(), 0),
            CODE_INVALID_HANDLE,
            "after close"
        );
        // A statement outliving its connection fails cleanly.
        let stmt = taos_stmt2_init(taos, null_mut());
        taos_close(taos);
        assert_ne!(taos_stmt2_prepare(stmt, sql.as_ptr(), 0), 0);
        assert_eq!(taos_stmt2_close(stmt), 0);
    }
}

// ---------------------------------------------------------------------------------------
// stmt v1

mod stmt_v1_api {
    use super::*;
    use taos::stmt::*;

    fn mbind<T>(
        ty: c_int,
        values: &mut [T],
        stride: usize,
        len: Option<&mut [i32]>,
        nulls: Option<&mut [c_char]>,
        num: usize,
    ) -> TaosMultiBind {
        TaosMultiBind {
            buffer_type: ty,
            buffer: values.as_mut_ptr().cast(),
            buffer_length: stride,
            length: len.map_or(null_mut(), |l| l.as_mut_ptr()),
            is_null: nulls.map_or(null_mut(), |n| n.as_mut_ptr()),
            num: num as c_int,
        }
    }

    fn stmt_err(stmt: *mut c_void) -> String {
        unsafe { CStr::from_ptr(taos_stmt_errstr(stmt)) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn supertable_insert_with_tags_nulls_and_query() {
        let server = server();
        let taos = open(&server, None);
        run(taos, "create database v1 precision 'us'");
        assert_eq!(taos_select_db(taos, c("v1").as_ptr()), 0);
        run(
            taos,
            "create stable st (ts timestamp, v int, s varchar(8), n nchar(4)) tags (loc varchar(8), gid int)",
        );
        let stmt = taos_stmt_init_with_reqid(taos, 5);
        assert!(!stmt.is_null());
        let sql = c("insert into ? using st tags (?, ?) values (?, ?, ?, ?)");
        assert_eq!(
            taos_stmt_prepare(stmt, sql.as_ptr(), 0),
            0,
            "{}",
            stmt_err(stmt)
        );
        let mut flag: c_int = -1;
        assert_eq!(taos_stmt_is_insert(stmt, &mut flag), 0);
        assert_eq!(flag, 1);
        assert_eq!(taos_stmt_num_params(stmt, &mut flag), 0);
        assert_eq!(flag, 4);
        let (mut ty, mut bytes) = (0, 0);
        assert_eq!(taos_stmt_get_param(stmt, 2, &mut ty, &mut bytes), 0);
        assert_eq!(ty, 8);
        assert_ne!(taos_stmt_get_param(stmt, 9, &mut ty, &mut bytes), 0);
        let mut n: c_int = 0;
        let mut fields: *mut TaosFieldE = null_mut();
        assert_eq!(taos_stmt_get_tag_fields(stmt, &mut n, &mut fields), 0);
        assert_eq!(n, 2);
        let f = unsafe { std::slice::from_raw_parts(fields, 2) };
        assert_eq!(
            unsafe { CStr::from_ptr(f[0].name.as_ptr()) }
                .to_str()
                .unwrap(),
            "loc"
        );
        taos_stmt_reclaim_fields(stmt, fields);
        assert_eq!(taos_stmt_get_col_fields(stmt, &mut n, &mut fields), 0);
        assert_eq!(n, 4);
        assert_eq!(unsafe { (*fields).precision }, 1, "a microsecond TIMESTAMP");
        taos_stmt_reclaim_fields(stmt, fields);

        // Table 1: tags ('bj', 7); two rows, the second with NULLs.
        let mut loc = *b"bj\0\0";
        let mut loc_len = [2i32];
        let mut gid = [7i32];
        let mut tags = [
            mbind(8, &mut loc, 4, Some(&mut loc_len), None, 1),
            mbind(4, &mut gid, 4, None, None, 1),
        ];
        assert_eq!(
            taos_stmt_set_tbname_tags(stmt, c("t1").as_ptr(), tags.as_mut_ptr()),
            0,
            "{}",
            stmt_err(stmt)
        );
        let mut ts = [1_700_000_000_000_001i64, 1_700_000_000_000_002];
        let mut v = [1i32, 0];
        let mut v_null: [c_char; 2] = [0, 1];
        let mut s = *b"abcdefgh\0\0\0\0\0\0\0\0"; // two slots of 8
        let mut s_len = [8i32, 0];
        let mut s_null: [c_char; 2] = [0, 1];
        let mut nc = "é\0\0\0中\0".as_bytes().to_vec(); // slots of 6 bytes... built below
        nc.clear();
        nc.extend_from_slice("é".as_bytes());
        nc.resize(6, 0);
        nc.extend_from_slice("中".as_bytes());
        nc.resize(12, 0);
        let mut nc_len = ["é".len() as i32, "中".len() as i32];
        let mut cols = [
            mbind(9, &mut ts, 8, None, None, 2),
            mbind(4, &mut v, 4, None, Some(&mut v_null), 2),
            mbind(8, &mut s, 8, Some(&mut s_len), Some(&mut s_null), 2),
            mbind(10, &mut nc, 6, Some(&mut nc_len), None, 2),
        ];
        assert_eq!(
            taos_stmt_bind_param_batch(stmt, cols.as_mut_ptr()),
            0,
            "{}",
            stmt_err(stmt)
        );
        assert_eq!(taos_stmt_add_batch(stmt), 0);
        // Table 2 via set_tbname + set_tags, one row bound column by column.
        assert_eq!(taos_stmt_set_tbname(stmt, c("t2").as_ptr()), 0);
        let mut loc2 = *b"sh";
        let mut loc2_len = [2i32];
        let mut gid2 = [0i32];
        let mut gid2_null: [c_char; 1] = [1];
        let mut tags2 = [
            mbind(8, &mut loc2, 2, Some(&mut loc2_len), None, 1),
            mbind(4, &mut gid2, 4, None, Some(&mut gid2_null), 1),
        ];
        assert_eq!(
            taos_stmt_set_tags(stmt, tags2.as_mut_ptr()),
            0,
            "{}",
            stmt_err(stmt)
        );
        let mut ts2 = [1_700_000_000_000_010i64];
        let mut v2 = [2i32];
        let mut s2 = *b"x";
        let mut s2_len = [1i32];
        let mut n2 = *b"y";
        let mut n2_len = [1i32];
        let mut single = [
            mbind(9, &mut ts2, 8, None, None, 1),
            mbind(4, &mut v2, 4, None, None, 1),
            mbind(8, &mut s2, 1, Some(&mut s2_len), None, 1),
            mbind(10, &mut n2, 1, Some(&mut n2_len), None, 1),
        ];
        for (i, b) in single.iter_mut().enumerate().rev() {
            if i == 0 {
                assert_ne!(
                    taos_stmt_add_batch(stmt),
                    0,
                    "add_batch with some columns missing"
                );
            }
            assert_eq!(
                taos_stmt_bind_single_param_batch(stmt, b, i as c_int),
                0,
                "{}",
                stmt_err(stmt)
            );
        }
        assert_eq!(taos_stmt_add_batch(stmt), 0);
        assert_eq!(taos_stmt_execute(stmt), 0, "{}", stmt_err(stmt));
        assert_eq!(taos_stmt_affected_rows(stmt), 3);
        assert_eq!(taos_stmt_affected_rows_once(stmt), 3);

        // A query on the same statement: prepare again, bind, use_result (the statement's).
        let q = c("select v, s, n, loc, gid from st where ts >= ? order by ts");
        assert_eq!(taos_stmt_prepare(stmt, q.as_ptr(), 0), 0);
        assert_eq!(taos_stmt_is_insert(stmt, &mut flag), 0);
        assert_eq!(flag, 0);
        assert_eq!(taos_stmt_num_params(stmt, &mut flag), 0);
        assert_eq!(flag, 1);
        let mut from = [1_700_000_000_000_002i64];
        let mut p = [mbind(5, &mut from, 8, None, None, 1)];
        assert_eq!(taos_stmt_bind_param(stmt, p.as_mut_ptr()), 0);
        assert_eq!(taos_stmt_add_batch(stmt), 0);
        assert_eq!(taos_stmt_execute(stmt), 0, "{}", stmt_err(stmt));
        let res = taos_stmt_use_result(stmt);
        assert!(!res.is_null(), "{}", stmt_err(stmt));
        let mut rows = 0;
        loop {
            let row = taos_fetch_row(res);
            if row.is_null() {
                break;
            }
            let r = unsafe { std::slice::from_raw_parts(row, 5) };
            if rows == 0 {
                assert!(
                    r[0].is_null() && r[1].is_null(),
                    "the NULLs of t1's second row"
                );
                assert!(!r[2].is_null());
            } else {
                assert_eq!(unsafe { r[0].cast::<i32>().read_unaligned() }, 2);
                assert!(r[4].is_null(), "t2's NULL tag");
            }
            rows += 1;
        }
        assert_eq!(rows, 2);
        assert_eq!(taos_stmt_use_result(stmt), res, "the same result again");
        assert_eq!(taos_stmt_close(stmt), 0);
        assert_eq!(
            taos_errno(res),
            CODE_INVALID_HANDLE,
            "close freed the result"
        );
        taos_free_result(res); // harmless
        assert_eq!(taos_stmt_close(stmt), CODE_INVALID_HANDLE);

        let got = stmt2_api_rows(taos, "select s, n from st order by ts");
        assert_eq!(
            got,
            vec![
                (Some("abcdefgh".into()), Some("é".into())),
                (None, Some("中".into())),
                (Some("x".into()), Some("y".into()))
            ]
        );
        taos_close(taos);
    }

    fn stmt2_api_rows(taos: *mut c_void, sql: &str) -> Vec<(Option<String>, Option<String>)> {
        let res = exec(taos, sql);
        let mut out = Vec::new();
        loop {
            let row = taos_fetch_row(res);
            if row.is_null() {
                break;
            }
            let lens = unsafe { std::slice::from_raw_parts(taos_fetch_lengths(res), 2) };
            let text = |i: usize| {
                let p = unsafe { *row.add(i) };
                (!p.is_null()).then(|| {
                    String::from_utf8_lossy(unsafe {
                        std::slice::from_raw_parts(p.cast::<u8>(), lens[i] as usize)
                    })
                    .into_owned()
                })
            };
            out.push((text(0), text(1)));
        }
        taos_free_result(res);
        out
    }

    #[test]
    fn hostile_stmt_arguments() {
        let server = server();
        let taos = open(&server, None);
        run(taos, "create database v1h");
        run(taos, "create table v1h.t (ts timestamp, s varchar(4))");
        assert!(taos_stmt_init(null_mut()).is_null());
        assert!(taos_stmt_init_with_options(0x99 as *mut c_void, null_mut()).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
        assert_eq!(taos_stmt_prepare(null_mut(), null(), 0), CODE_INVALID_PTR);
        assert_eq!(
            taos_stmt_execute(taos),
            CODE_INVALID_HANDLE,
            "a TAOS* is not a TAOS_STMT*"
        );
        assert_eq!(taos_stmt_affected_rows(0x77 as *mut c_void), 0);
        assert!(taos_stmt_use_result(null_mut()).is_null());
        assert!(!taos_stmt_errstr(0x77 as *mut c_void).is_null());
        taos_stmt_reclaim_fields(null_mut(), null_mut());

        let mut opts = TaosStmtOptions {
            req_id: 0,
            single_stb_insert: false,
            single_table_bind_once: false,
        };
        let stmt = taos_stmt_init_with_options(taos, &mut opts);
        assert!(!stmt.is_null());
        // A stmt2 handle is not a stmt v1 handle and vice versa.
        assert_eq!(
            taos::stmt2::taos_stmt2_exec(stmt, null_mut()),
            CODE_INVALID_HANDLE
        );
        let mut n: c_int = 0;
        assert_ne!(taos_stmt_num_params(stmt, &mut n), 0, "before prepare");
        assert_ne!(taos_stmt_bind_param(stmt, null_mut()), 0);
        assert_eq!(
            taos_stmt_prepare(stmt, c("insert into v1h.t values (?, ?)").as_ptr(), 0),
            0
        );
        assert_eq!(taos_stmt_num_params(stmt, null_mut()), CODE_INVALID_PTR);
        assert_eq!(taos_stmt_is_insert(stmt, null_mut()), CODE_INVALID_PTR);
        assert_eq!(taos_stmt_bind_param(stmt, null_mut()), CODE_INVALID_PTR);
        assert_eq!(taos_stmt_set_tbname(stmt, null()), CODE_INVALID_PTR);
        assert_eq!(
            taos_stmt_set_tags(stmt, null_mut()),
            0,
            "no tag placeholders: nothing to read"
        );
        let mut ts = [1i64];
        let mut s = *b"abcd";
        let mut s_len = [5i32]; // longer than its slot of 4
        let mut cols = [
            mbind(9, &mut ts, 8, None, None, 1),
            mbind(8, &mut s, 4, Some(&mut s_len), None, 1),
        ];
        assert_eq!(
            taos_stmt_bind_param(stmt, cols.as_mut_ptr()),
            CODE_INVALID_PARA
        );
        assert!(!stmt_err(stmt).is_empty());
        let mut bad_null: [c_char; 1] = [2];
        let mut cols = [
            mbind(9, &mut ts, 8, None, Some(&mut bad_null), 1),
            mbind(8, &mut s, 4, Some(&mut s_len), None, 1),
        ];
        assert_eq!(
            taos_stmt_bind_param(stmt, cols.as_mut_ptr()),
            CODE_INVALID_PARA,
            "is_null 2 (ignore)"
        );
        let mut one = mbind(9, &mut ts, 8, None, None, 1);
        assert_eq!(
            taos_stmt_bind_single_param_batch(stmt, &mut one, 5),
            CODE_INVALID_PARA
        );
        assert_eq!(
            taos_stmt_bind_single_param_batch(stmt, &mut one, -1),
            CODE_INVALID_PARA
        );
        let mut fields: *mut TaosFieldE = null_mut();
        assert_eq!(taos_stmt_get_col_fields(stmt, &mut n, &mut fields), 0);
        taos_stmt_reclaim_fields(stmt, fields);
        taos_stmt_reclaim_fields(stmt, fields); // the second reclaim is refused, not a double free
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_PARA);
        assert_ne!(taos_stmt_execute(stmt), 0, "nothing bound");
        assert_eq!(taos_stmt_close(stmt), 0);
        assert_eq!(
            taos_stmt_add_batch(stmt),
            CODE_INVALID_HANDLE,
            "after close"
        );
        taos_close(taos);
    }
}

#[test]
fn raw_blocks_and_in_place_columns() {
    let server = server();
    let taos = open(&server, None);
    run(taos, "create database rawb precision 'ns'");
    run(
        taos,
        "create table rawb.t (ts timestamp, v bigint, s varchar(8), n nchar(4), b varbinary(4), ok bool)",
    );
    run(
        taos,
        "insert into rawb.t values (1700000000000000001, -5, 'xy', '中文', '\\x0102', true) \
         (1700000000000000002, NULL, NULL, NULL, NULL, NULL) (1700000000000000003, 7, '', 'é', '', false)",
    );

    // taos_fetch_raw_block: the block as the server sent it.
    let res = exec(taos, "select * from rawb.t order by ts");
    let mut rows: c_int = -1;
    let mut data: *mut c_void = null_mut();
    assert_eq!(taos_fetch_raw_block(res, &mut rows, &mut data), 0);
    assert_eq!(rows, 3);
    assert!(!data.is_null());
    let len = unsafe { data.cast::<u8>().add(4).cast::<u32>().read_unaligned() } as usize;
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
    let view = taosync_proto::block::BlockView::parse(bytes).unwrap();
    assert_eq!((view.rows(), view.column_count()), (3, 6));
    assert_eq!(
        view.column(2).unwrap().var_value(0).unwrap(),
        Some(&b"xy"[..])
    );
    assert!(taos_is_null(res, 1, 1) && !taos_is_null(res, 0, 1));
    assert_eq!(taos_fetch_raw_block(res, &mut rows, &mut data), 0);
    assert_eq!(rows, 0);
    assert!(data.is_null());
    assert_eq!(
        taos_fetch_raw_block(res, null_mut(), &mut data),
        CODE_INVALID_PTR
    );
    taos_free_result(res);

    // taos_fetch_block over the same data: in-place columns and converted NCHAR agree.
    let res = exec(taos, "select * from rawb.t order by ts");
    let mut cols: *mut *mut c_void = null_mut();
    assert_eq!(taos_fetch_block(res, &mut cols), 3);
    assert_eq!(fixed::<i64>(cols, 0, 2), 1700000000000000003);
    assert_eq!(fixed::<i64>(cols, 1, 0), -5);
    assert_eq!(fixed::<i64>(cols, 1, 2), 7);
    assert!(taos_is_null(res, 1, 1));
    assert_eq!(var(res, cols, 2, 0).as_deref(), Some(&b"xy"[..]));
    assert_eq!(var(res, cols, 2, 1), None);
    assert_eq!(var(res, cols, 2, 2).as_deref(), Some(&b""[..]));
    assert_eq!(
        var(res, cols, 3, 0).as_deref(),
        Some("中文".as_bytes()),
        "NCHAR as UTF-8"
    );
    assert_eq!(var(res, cols, 3, 2).as_deref(), Some("é".as_bytes()));
    assert_eq!(var(res, cols, 4, 0).as_deref(), Some(&[1u8, 2][..]));
    assert_eq!(fixed::<i8>(cols, 5, 0), 1);
    assert_eq!(fixed::<i8>(cols, 5, 2), 0);
    assert_eq!(taos_fetch_block(res, &mut cols), 0);
    taos_free_result(res);

    // Row by row through the same buffers, with lengths.
    let res = exec(taos, "select s, n from rawb.t order by ts");
    let row = taos_fetch_row(res);
    let lens = unsafe { std::slice::from_raw_parts(taos_fetch_lengths(res), 2) };
    let text = |p: *mut c_void, n: c_int| unsafe {
        std::slice::from_raw_parts(p.cast::<u8>(), n as usize).to_vec()
    };
    unsafe {
        assert_eq!(text(*row, lens[0]), b"xy");
        assert_eq!(text(*row.add(1), lens[1]), "中文".as_bytes());
        // NCHAR (converted) stays NUL-terminated: taospy reads it as a C string.
        assert_eq!(
            CStr::from_ptr((*row.add(1)).cast()).to_bytes(),
            "中文".as_bytes()
        );
    }
    taos_free_result(res);
    taos_close(taos);
}

// ---------------------------------------------------------------------------------------
// TMQ

mod tmq_api {
    use super::*;
    use std::sync::Mutex;
    use taos::error::CODE_NOT_SUPPORTED;
    use taos::tmq::*;

    fn set(conf: *mut c_void, k: &str, v: &str) -> c_int {
        tmq_conf_set(conf, c(k).as_ptr(), c(v).as_ptr())
    }

    fn conf(port: u16, group: &str) -> *mut c_void {
        let conf = tmq_conf_new();
        assert!(!conf.is_null());
        for (k, v) in [
            ("group.id", group),
            ("td.connect.ip", "127.0.0.1"),
            ("td.connect.port", &port.to_string()),
            ("td.connect.user", "root"),
            ("td.connect.pass", "taosdata"),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
            ("msg.with.table.name", "true"),
        ] {
            assert_eq!(set(conf, k, v), TMQ_CONF_OK, "{k}: {}", errstr(null_mut()));
        }
        conf
    }

    fn consumer(server: &ServerHandle, group: &str) -> *mut c_void {
        let conf = conf(server.port(), group);
        let mut err = [0 as c_char; 256];
        let tmq = tmq_consumer_new(conf, err.as_mut_ptr(), err.len() as i32);
        tmq_conf_destroy(conf);
        assert!(!tmq.is_null(), "{}", text(err.as_ptr()).unwrap_or_default());
        tmq
    }

    fn subscribe(tmq: *mut c_void, topics: &[&str]) -> i32 {
        let list = tmq_list_new();
        for t in topics {
            assert_eq!(tmq_list_append(list, c(t).as_ptr()), 0);
        }
        let code = tmq_subscribe(tmq, list);
        tmq_list_destroy(list);
        code
    }

    fn text(p: *const c_char) -> Option<String> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    fn subscription(tmq: *mut c_void) -> Vec<String> {
        let mut list = null_mut();
        assert_eq!(tmq_subscription(tmq, &mut list), 0);
        assert!(!list.is_null());
        let n = tmq_list_get_size(list);
        let arr = tmq_list_to_c_array(list);
        let out = (0..n as usize)
            .map(|i| text(unsafe { *arr.add(i) }).unwrap())
            .collect();
        tmq_list_destroy(list);
        out
    }

    /// One row as read from a block: (table, ts, v, s, n).
    type Got = (String, i64, Option<i32>, Option<String>, Option<String>);

    /// Reads every block of a message with taos_fetch_block.
    fn read_blocks(msg: *mut c_void) -> Vec<Got> {
        let mut out = Vec::new();
        assert!(
            tmq_get_table_name(msg).is_null(),
            "a table before the first fetch"
        );
        loop {
            let mut cols = null_mut();
            let n = taos_fetch_block(msg, &mut cols);
            assert!(n >= 0, "{}", errstr(null_mut()));
            if n == 0 {
                break;
            }
            assert_eq!(taos_num_fields(msg), 4);
            assert_eq!(taos_result_precision(msg), 0);
            let fields = taos_fetch_fields(msg);
            let names: Vec<String> = (0..4)
                .map(|i| text(unsafe { (*fields.add(i)).name.as_ptr() }).unwrap())
                .collect();
            assert_eq!(names, ["ts", "v", "s", "n"]);
            let table = text(tmq_get_table_name(msg)).expect("table name");
            for r in 0..n as usize {
                let str_of = |col| var(msg, cols, col, r).map(|b| String::from_utf8(b).unwrap());
                out.push((
                    table.clone(),
                    fixed::<i64>(cols, 0, r),
                    (!taos_is_null(msg, r as i32, 1)).then(|| fixed::<i32>(cols, 1, r)),
                    str_of(2),
                    str_of(3),
                ));
            }
        }
        assert!(
            tmq_get_table_name(msg).is_null(),
            "a table after the last block"
        );
        out
    }

    /// Reads every row of a message with taos_fetch_row / taos_fetch_lengths.
    fn read_rows(msg: *mut c_void) -> Vec<Got> {
        let mut out = Vec::new();
        loop {
            let row = taos_fetch_row(msg);
            if row.is_null() {
                break;
            }
            let lens = taos_fetch_lengths(msg);
            let cell = |i: usize| unsafe { *row.add(i) };
            let bytes = |i: usize| -> Option<String> {
                let p = cell(i);
                (!p.is_null()).then(|| {
                    let len = unsafe { *lens.add(i) } as usize;
                    String::from_utf8(
                        unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) }.to_vec(),
                    )
                    .unwrap()
                })
            };
            out.push((
                text(tmq_get_table_name(msg)).expect("table name"),
                unsafe { cell(0).cast::<i64>().read_unaligned() },
                (!cell(1).is_null()).then(|| unsafe { cell(1).cast::<i32>().read_unaligned() }),
                bytes(2),
                bytes(3),
            ));
        }
        out
    }

    /// Polls until a poll brings nothing; `read` each message, then free it (the last one
    /// is returned unfreed).
    fn drain(
        tmq: *mut c_void,
        read: fn(*mut c_void) -> Vec<Got>,
    ) -> (Vec<Got>, Option<*mut c_void>) {
        let mut rows = Vec::new();
        let mut last: Option<*mut c_void> = None;
        loop {
            let msg = tmq_consumer_poll(tmq, 500);
            if msg.is_null() {
                assert_eq!(taos_errno(null_mut()), 0, "{}", errstr(null_mut()));
                break;
            }
            assert_eq!(tmq_get_res_type(msg), TMQ_RES_DATA);
            assert_eq!(text(tmq_get_topic_name(msg)).as_deref(), Some("tq_t"));
            assert_eq!(text(tmq_get_db_name(msg)).as_deref(), Some("tq"));
            assert!(tmq_get_vgroup_id(msg) > 0);
            assert!(tmq_get_vgroup_offset(msg) >= 0);
            rows.extend(read(msg));
            if let Some(prev) = last.replace(msg) {
                taos_free_result(prev);
            }
        }
        rows.sort();
        (rows, last)
    }

    fn expected() -> Vec<Got> {
        let s = |v: &str| Some(v.to_owned());
        vec![
            ("d0".into(), 1700000000000, Some(1), s("a"), s("ä")),
            ("d0".into(), 1700000000001, Some(2), s(""), s("中")),
            ("d1".into(), 1700000000002, None, None, None),
        ]
    }

    static CALLBACKS: Mutex<Vec<(usize, i32, usize, std::thread::ThreadId)>> =
        Mutex::new(Vec::new());

    extern "C" fn on_commit(tmq: *mut c_void, code: i32, param: *mut c_void) {
        CALLBACKS.lock().unwrap().push((
            tmq as usize,
            code,
            param as usize,
            std::thread::current().id(),
        ));
    }

    fn wait_callbacks(param: usize, n: usize) -> Vec<(usize, i32, usize, std::thread::ThreadId)> {
        for _ in 0..500 {
            let got: Vec<_> = CALLBACKS
                .lock()
                .unwrap()
                .iter()
                .filter(|c| c.2 == param)
                .cloned()
                .collect();
            if got.len() >= n {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("callback {param:#x} not called");
    }

    #[test]
    fn a_consumer_reads_messages_through_the_result_functions() {
        let server = server();
        let taos = open(&server, None);
        for sql in [
            "create database tq vgroups 1",
            "create stable tq.st (ts timestamp, v int, s varchar(8), n nchar(8)) tags (loc int)",
            "create table tq.d0 using tq.st tags (0)",
            "create table tq.d1 using tq.st tags (1)",
            "insert into tq.d0 values (1700000000000, 1, 'a', 'ä') (1700000000001, 2, '', '中')",
            "insert into tq.d1 values (1700000000002, null, null, null)",
            "create topic tq_t as select ts, v, s, n from tq.st",
        ] {
            run(taos, sql);
        }
        let tmq = consumer(&server, "g1");
        assert!(subscription(tmq).is_empty());
        // Polling before subscribing is an error, not a wait.
        assert!(tmq_consumer_poll(tmq, 100).is_null());
        assert_ne!(taos_errno(null_mut()), 0);
        assert_eq!(subscribe(tmq, &["tq_t"]), 0, "{}", errstr(null_mut()));
        assert_eq!(subscription(tmq), ["tq_t"]);

        // Nothing committed yet.
        let (rows, last) = drain(tmq, read_blocks);
        assert_eq!(rows, expected());
        let last = last.unwrap();
        let vg = tmq_get_vgroup_id(last);
        let topic = c("tq_t");
        assert_eq!(
            tmq_committed(tmq, topic.as_ptr(), vg),
            i64::from(CODE_TMQ_NO_OFFSET)
        );
        assert_eq!(tmq_commit_sync(tmq, last), 0, "{}", errstr(null_mut()));
        let position = tmq_position(tmq, topic.as_ptr(), vg);
        assert!(position > 0);
        assert_eq!(tmq_committed(tmq, topic.as_ptr(), vg), position);

        // The assignment: one vgroup, at the end of its WAL.
        let mut assignment = null_mut();
        let mut num = 0;
        assert_eq!(
            tmq_get_topic_assignment(tmq, topic.as_ptr(), &mut assignment, &mut num),
            0
        );
        assert_eq!(num, 1);
        let a = unsafe { *assignment };
        tmq_free_assignment(assignment);
        assert_eq!(a.vg_id, vg);
        assert_eq!(a.current_offset, position);
        assert!(a.begin <= a.current_offset && a.current_offset <= a.end);

        // Seek back: the same rows, read with taos_fetch_row this time.
        assert_eq!(tmq_offset_seek(tmq, topic.as_ptr(), vg, a.begin), 0);
        assert_eq!(tmq_position(tmq, topic.as_ptr(), vg), a.begin);
        let (again, last2) = drain(tmq, read_rows);
        assert_eq!(again, expected());
        let last2 = last2.unwrap();

        // Async commits call back from another thread with the tmq_t* and param.
        // (one at a time: two commits in flight may land in either order).
        let check_callback = |param: usize| {
            let got = wait_callbacks(param, 1);
            assert_eq!(got[0].0, tmq as usize);
            assert_eq!(got[0].1, 0);
            assert_ne!(got[0].3, std::thread::current().id());
        };
        tmq_commit_async(tmq, null(), Some(on_commit), 0xA1 as *mut c_void);
        check_callback(0xA1);
        assert_eq!(tmq_committed(tmq, topic.as_ptr(), vg), position);
        tmq_commit_offset_async(
            tmq,
            topic.as_ptr(),
            vg,
            a.begin,
            Some(on_commit),
            0xA2 as *mut c_void,
        );
        check_callback(0xA2);
        assert_eq!(tmq_committed(tmq, topic.as_ptr(), vg), a.begin);
        assert_eq!(tmq_commit_offset_sync(tmq, topic.as_ptr(), vg, position), 0);
        assert_eq!(tmq_committed(tmq, topic.as_ptr(), vg), position);

        // The consumer's own connection.
        let own = tmq_get_connect(tmq);
        assert!(!own.is_null(), "{}", errstr(null_mut()));
        assert_eq!(tmq_get_connect(tmq), own);
        let res = exec(own, "select count(*) from tq.st");
        taos_free_result(res);

        assert_eq!(tmq_unsubscribe(tmq), 0);
        assert!(subscription(tmq).is_empty());
        assert_eq!(tmq_unsubscribe(tmq), 0);
        assert_eq!(tmq_consumer_close(tmq), 0);
        assert_eq!(tmq_consumer_close(tmq), CODE_INVALID_HANDLE);
        assert!(taos_query(own, c("select 1").as_ptr()).is_null());
        // Messages outlive their consumer.
        assert_eq!(text(tmq_get_topic_name(last2)).as_deref(), Some("tq_t"));
        assert_eq!(tmq_commit_sync(tmq, last2), CODE_INVALID_HANDLE);
        taos_free_result(last);
        taos_free_result(last2);

        // A new consumer of the group starts at the committed offset: nothing left.
        let tmq = consumer(&server, "g1");
        assert_eq!(subscribe(tmq, &["tq_t"]), 0);
        let (rows, _) = drain(tmq, read_blocks);
        assert!(rows.is_empty(), "{rows:?}");
        // Subscribing again replaces the subscription.
        assert_eq!(subscribe(tmq, &["tq_t"]), 0);
        assert_eq!(subscribe(tmq, &[]), 0);
        assert!(subscription(tmq).is_empty());
        assert_eq!(tmq_consumer_close(tmq), 0);
        taos_close(taos);
    }

    #[test]
    fn meta_messages_give_json_and_raw_meta() {
        let server = server();
        let taos = open(&server, None);
        for sql in [
            "create database tm_src vgroups 1",
            "create database tm_dst vgroups 1",
            "create topic tm_t with meta as database tm_src",
            "create stable tm_src.st (ts timestamp, v int) tags (loc int)",
            "create table tm_src.c1 using tm_src.st tags (1)",
            "insert into tm_src.c1 values (1700000000000, 1)",
        ] {
            run(taos, sql);
        }
        let dst = open(&server, Some("tm_dst"));
        let tmq = consumer(&server, "gm");
        assert_eq!(subscribe(tmq, &["tm_t"]), 0);
        let (mut metas, mut data) = (0, 0);
        loop {
            let msg = tmq_consumer_poll(tmq, 500);
            if msg.is_null() {
                break;
            }
            let mut raw = TmqRawData {
                raw: null_mut(),
                raw_len: 0,
                raw_type: 0,
            };
            match tmq_get_res_type(msg) {
                TMQ_RES_TABLE_META | TMQ_RES_METADATA => {
                    let json = tmq_get_json_meta(msg);
                    let text = text(json).unwrap();
                    assert!(text.starts_with('{') && text.contains("\"type\""), "{text}");
                    tmq_free_json_meta(json);
                    tmq_free_json_meta(json);
                    assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
                    assert_eq!(tmq_get_raw(msg, &mut raw), 0, "{}", errstr(null_mut()));
                    assert!(!raw.raw.is_null() && raw.raw_len > 0);
                    assert_eq!(tmq_write_raw(dst, raw), 0, "{}", errstr(null_mut()));
                    tmq_free_raw(raw);
                    metas += 1;
                }
                TMQ_RES_DATA => {
                    assert!(tmq_get_json_meta(msg).is_null());
                    assert_eq!(tmq_get_raw(msg, &mut raw), CODE_NOT_SUPPORTED);
                    let mut cols = null_mut();
                    assert_eq!(taos_fetch_block(msg, &mut cols), 1);
                    assert_eq!(fixed::<i32>(cols, 1, 0), 1);
                    data += 1;
                }
                other => panic!("message type {other}"),
            }
            taos_free_result(msg);
        }
        assert!(metas >= 2 && data >= 1, "{metas} metas, {data} data");
        // The raw meta replayed the tables (not the rows) into tm_dst.
        for sql in ["select * from tm_dst.st", "select * from tm_dst.c1"] {
            let res = exec(dst, sql);
            assert!(taos_fetch_row(res).is_null());
            assert_eq!(taos_errno(res), 0);
            taos_free_result(res);
        }
        let res = taos_query(dst, c("select * from tm_dst.c2").as_ptr());
        assert_ne!(taos_errno(res), 0, "a table that was never created");
        taos_free_result(res);
        assert_eq!(tmq_consumer_close(tmq), 0);
        taos_close(dst);
        taos_close(taos);
    }

    #[test]
    fn hostile_tmq_arguments_give_error_codes() {
        let server = server();
        let taos = open(&server, None);
        run(taos, "create database th vgroups 1");
        run(taos, "create table th.t (ts timestamp, v int)");
        run(taos, "insert into th.t values (1700000000000, 1)");
        run(taos, "create topic th_t as select ts, v from th.t");

        // Configuration.
        assert_eq!(set(null_mut(), "group.id", "g"), TMQ_CONF_INVALID);
        let conf = tmq_conf_new();
        assert_eq!(set(conf, "no.such.key", "1"), TMQ_CONF_UNKNOWN);
        assert!(errstr(null_mut()).contains("no.such.key"));
        assert_eq!(
            set(conf, "auto.offset.reset", "sometimes"),
            TMQ_CONF_INVALID
        );
        assert_eq!(set(conf, "td.connect.port", "0"), TMQ_CONF_INVALID);
        assert_eq!(
            tmq_conf_set(conf, null(), c("x").as_ptr()),
            TMQ_CONF_INVALID
        );
        assert_eq!(
            tmq_conf_set(conf, c("group.id").as_ptr(), null()),
            TMQ_CONF_INVALID
        );
        let bad = [0xffu8 as c_char, 0];
        assert_eq!(
            tmq_conf_set(conf, bad.as_ptr(), bad.as_ptr()),
            TMQ_CONF_INVALID
        );
        tmq_conf_set_auto_commit_cb(null_mut(), Some(on_commit), null_mut());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
        // No group.id: the consumer is refused, the reason in errstr (truncated).
        let mut err = [0x55 as c_char; 16];
        assert!(tmq_consumer_new(conf, err.as_mut_ptr(), err.len() as i32).is_null());
        let msg = text(err.as_ptr()).unwrap();
        assert!(!msg.is_empty() && msg.len() < 16, "{msg}");
        assert!(tmq_consumer_new(conf, null_mut(), 0).is_null());
        assert!(errstr(null_mut()).contains("group.id"));
        assert!(tmq_consumer_new(null_mut(), null_mut(), 0).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
        // Nobody listening.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let unreachable = super::tmq_api::conf(port, "g");
        assert!(tmq_consumer_new(unreachable, null_mut(), 0).is_null());
        assert_ne!(taos_errno(null_mut()), 0);
        tmq_conf_destroy(unreachable);
        // Wrong kinds and double destroys.
        assert!(tmq_consumer_new(taos, null_mut(), 0).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
        tmq_conf_destroy(conf);
        tmq_conf_destroy(conf);
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
        assert_eq!(set(conf, "group.id", "g"), TMQ_CONF_INVALID);

        // Lists.
        let list = tmq_list_new();
        assert!(tmq_list_to_c_array(list).is_null());
        assert_eq!(tmq_list_get_size(list), 0);
        assert_eq!(tmq_list_append(list, null()), CODE_INVALID_PARA);
        assert_eq!(
            tmq_list_append(null_mut(), c("t").as_ptr()),
            CODE_INVALID_PTR
        );
        assert_eq!(tmq_list_append(taos, c("t").as_ptr()), CODE_INVALID_HANDLE);
        assert_eq!(tmq_list_get_size(taos), -1);
        assert!(tmq_list_to_c_array(null()).is_null());
        assert_eq!(tmq_list_append(list, c("no_such_topic").as_ptr()), 0);
        let other = tmq_conf_new();
        tmq_list_destroy(other); // a conf, not a list: ignored
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
        tmq_conf_destroy(other);

        // Consumers.
        let tmq = consumer(&server, "gh");
        assert_ne!(tmq_subscribe(tmq, list), 0, "an unknown topic");
        assert_eq!(tmq_subscribe(tmq, null()), CODE_INVALID_PTR);
        assert_eq!(tmq_subscribe(tmq, taos), CODE_INVALID_HANDLE);
        assert_eq!(tmq_subscribe(list, list), CODE_INVALID_HANDLE);
        assert_eq!(tmq_subscription(tmq, null_mut()), CODE_INVALID_PTR);
        let mut not_a_list = taos;
        assert_eq!(tmq_subscription(tmq, &mut not_a_list), CODE_INVALID_HANDLE);
        tmq_list_destroy(list);
        tmq_list_destroy(list);
        assert_eq!(tmq_list_get_size(list), -1);
        assert!(tmq_consumer_poll(null_mut(), 0).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
        assert!(tmq_consumer_poll(taos, 0).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
        assert_eq!(subscribe(tmq, &["th_t"]), 0);

        // Messages: a query result is not one.
        let res = exec(taos, "select 1");
        assert_eq!(tmq_get_res_type(res), TMQ_RES_INVALID);
        assert!(tmq_get_topic_name(res).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_TMQ_INVALID_MSG);
        assert!(tmq_get_db_name(res).is_null());
        assert!(tmq_get_table_name(res).is_null());
        assert_eq!(tmq_get_vgroup_id(res), -1);
        assert_eq!(tmq_get_vgroup_offset(res), -1);
        assert!(tmq_get_json_meta(res).is_null());
        assert_eq!(tmq_commit_sync(tmq, res), CODE_TMQ_INVALID_MSG);
        let mut raw = TmqRawData {
            raw: null_mut(),
            raw_len: 0,
            raw_type: 0,
        };
        assert_eq!(tmq_get_raw(res, &mut raw), CODE_TMQ_INVALID_MSG);
        taos_free_result(res);
        assert_eq!(tmq_get_res_type(res), TMQ_RES_INVALID);
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
        assert!(tmq_get_topic_name(null_mut()).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);

        let msg = tmq_consumer_poll(tmq, 2000);
        assert!(!msg.is_null(), "{}", errstr(null_mut()));
        assert_eq!(tmq_get_raw(msg, null_mut()), CODE_INVALID_PTR);
        // taos_fetch_raw_block hands out the message's raw block (version, length, rows).
        let (mut num, mut data) = (0, null_mut());
        assert_eq!(taos_fetch_raw_block(msg, &mut num, &mut data), 0);
        assert_eq!(num, 1);
        let header = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), 12) };
        let length = i32::from_le_bytes(header[4..8].try_into().unwrap());
        assert!(length >= 28, "raw block length {length}");
        assert_eq!(i32::from_le_bytes(header[8..12].try_into().unwrap()), 1);
        assert_eq!(text(tmq_get_table_name(msg)).as_deref(), Some("t"));
        assert_eq!(taos_fetch_raw_block(msg, &mut num, &mut data), 0);
        assert_eq!(num, 0);
        // Another consumer cannot commit it.
        let other = consumer(&server, "gh2");
        assert_eq!(subscribe(other, &["th_t"]), 0);
        assert_ne!(tmq_commit_sync(other, msg), 0);
        assert_eq!(tmq_consumer_close(other), 0);
        // Async with bad arguments: the callback runs inline.
        tmq_commit_async(null_mut(), msg, Some(on_commit), 0xB1 as *mut c_void);
        tmq_commit_async(tmq, taos, Some(on_commit), 0xB2 as *mut c_void);
        tmq_commit_offset_async(tmq, null(), 1, 0, Some(on_commit), 0xB3 as *mut c_void);
        for (param, code) in [
            (0xB1, CODE_INVALID_PTR),
            (0xB2, CODE_INVALID_HANDLE),
            (0xB3, CODE_INVALID_PARA),
        ] {
            let got = wait_callbacks(param, 1);
            assert_eq!(got[0].1, code);
            assert_eq!(got[0].3, std::thread::current().id());
        }
        tmq_commit_async(tmq, null(), None, null_mut()); // no callback: fine
        // Offsets and assignments with bad arguments.
        let topic = c("th_t");
        assert_eq!(tmq_offset_seek(tmq, null(), 1, 0), CODE_INVALID_PARA);
        assert!(tmq_offset_seek(tmq, topic.as_ptr(), 999, 0) < 0);
        assert!(tmq_position(tmq, null(), 1) < 0);
        assert!(tmq_committed(null_mut(), topic.as_ptr(), 1) < 0);
        assert!(tmq_commit_offset_sync(tmq, topic.as_ptr(), 999, 0) < 0);
        let mut num = 0;
        assert_eq!(
            tmq_get_topic_assignment(tmq, topic.as_ptr(), null_mut(), &mut num),
            CODE_INVALID_PTR
        );
        let mut arr = null_mut();
        assert_eq!(
            tmq_get_topic_assignment(tmq, topic.as_ptr(), &mut arr, null_mut()),
            CODE_INVALID_PTR
        );
        assert!(tmq_get_topic_assignment(tmq, c("nope").as_ptr(), &mut arr, &mut num) < 0);
        assert!(arr.is_null() && num == 0);
        let mut local = TmqTopicAssignment::default();
        tmq_free_assignment(&mut local); // not ours: refused, not freed
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
        tmq_free_assignment(null_mut());
        tmq_free_raw(TmqRawData {
            raw: (&mut local as *mut TmqTopicAssignment).cast(),
            raw_len: 1,
            raw_type: 0,
        });
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_PTR);
        assert_eq!(tmq_write_raw(null_mut(), raw), CODE_INVALID_PTR);
        assert_eq!(tmq_write_raw(taos, raw), CODE_INVALID_PTR);
        assert!(tmq_get_connect(null_mut()).is_null());
        // Errors in words.
        assert_eq!(text(tmq_err2str(0)).as_deref(), Some("success"));
        assert!(!text(tmq_err2str(-1)).unwrap().is_empty());
        assert!(!text(tmq_err2str(CODE_TMQ_INVALID_MSG)).unwrap().is_empty());
        assert!(tmq_committed(tmq, topic.as_ptr(), 999) < 0);
        assert!(
            !text(tmq_err2str(taos_errno(null_mut())))
                .unwrap()
                .is_empty()
        );

        // Close: then everything is a bad handle, the message stays readable.
        assert_eq!(tmq_consumer_close(tmq), 0);
        assert_eq!(tmq_consumer_close(tmq), CODE_INVALID_HANDLE);
        assert!(tmq_consumer_poll(tmq, 0).is_null());
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
        assert_eq!(tmq_unsubscribe(tmq), CODE_INVALID_HANDLE);
        assert_eq!(tmq_subscribe(tmq, null()), CODE_INVALID_HANDLE);
        assert!(tmq_position(tmq, topic.as_ptr(), 1) < 0);
        assert_eq!(tmq_get_res_type(msg), TMQ_RES_DATA);
        taos_free_result(msg);
        taos_free_result(msg);
        assert_eq!(taos_errno(null_mut()), CODE_INVALID_HANDLE);
        assert_eq!(tmq_consumer_close(taos), CODE_INVALID_HANDLE);
        taos_close(taos);
    }

    /// enable.auto.commit is on unless set (as in libtaos); the auto-commit callback runs
    /// on the polling thread at the poll where the server commits.
    #[test]
    fn auto_commit_is_the_default_and_calls_back() {
        let server = server();
        let taos = open(&server, None);
        for sql in [
            "create database ta vgroups 1",
            "create table ta.t (ts timestamp, v int)",
            "insert into ta.t values (1700000000000, 1) (1700000000001, 2)",
            "create topic ta_t as select ts, v from ta.t",
        ] {
            run(taos, sql);
        }
        let conf = tmq_conf_new();
        for (k, v) in [
            ("group.id", "ga"),
            ("td.connect.ip", "127.0.0.1"),
            ("td.connect.port", &server.port().to_string()),
            ("auto.offset.reset", "earliest"),
            ("auto.commit.interval.ms", "100"),
        ] {
            assert_eq!(set(conf, k, v), TMQ_CONF_OK);
        }
        tmq_conf_set_auto_commit_cb(conf, Some(on_commit), 0xC1 as *mut c_void);
        let tmq = tmq_consumer_new(conf, null_mut(), 0);
        tmq_conf_destroy(conf);
        assert!(!tmq.is_null(), "{}", errstr(null_mut()));
        assert_eq!(subscribe(tmq, &["ta_t"]), 0);
        let msg = tmq_consumer_poll(tmq, 2000);
        assert!(!msg.is_null());
        let vg = tmq_get_vgroup_id(msg);
        taos_free_result(msg);
        std::thread::sleep(std::time::Duration::from_millis(150));
        assert!(tmq_consumer_poll(tmq, 200).is_null());
        let got = wait_callbacks(0xC1, 1);
        assert_eq!(got[0].0, tmq as usize);
        assert_eq!(got[0].1, 0);
        assert_eq!(got[0].3, std::thread::current().id());
        // The server did commit at that poll.
        let committed = tmq_committed(tmq, c("ta_t").as_ptr(), vg);
        assert!(committed > 0, "committed {committed}");
        assert_eq!(tmq_consumer_close(tmq), 0);
        taos_close(taos);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Arbitrary numbers as TMQ handles and buffers are never dereferenced.
        #[test]
        fn arbitrary_tmq_handles_are_rejected(h in any::<usize>(), vg in any::<i32>(), code in any::<i32>()) {
            let p = h as *mut c_void;
            let topic = c("t");
            prop_assert!(tmq_consumer_poll(p, 0).is_null());
            prop_assert!(tmq_subscribe(p, p) < 0);
            prop_assert!(tmq_unsubscribe(p) < 0);
            prop_assert!(tmq_commit_sync(p, p) < 0);
            prop_assert!(tmq_commit_offset_sync(p, topic.as_ptr(), vg, 0) < 0);
            prop_assert!(tmq_position(p, topic.as_ptr(), vg) < 0);
            prop_assert!(tmq_committed(p, topic.as_ptr(), vg) < 0);
            prop_assert!(tmq_offset_seek(p, topic.as_ptr(), vg, 0) < 0);
            prop_assert!(tmq_consumer_close(p) < 0);
            prop_assert!(tmq_get_connect(p).is_null());
            prop_assert_eq!(tmq_get_res_type(p), TMQ_RES_INVALID);
            prop_assert!(tmq_get_topic_name(p).is_null());
            prop_assert!(tmq_get_table_name(p).is_null());
            prop_assert_eq!(tmq_get_vgroup_id(p), -1);
            prop_assert!(tmq_get_json_meta(p).is_null());
            prop_assert_eq!(tmq_list_get_size(p), -1);
            prop_assert!(tmq_list_to_c_array(p).is_null());
            prop_assert!(tmq_list_append(p, topic.as_ptr()) < 0);
            prop_assert_eq!(tmq_conf_set(p, topic.as_ptr(), topic.as_ptr()), TMQ_CONF_INVALID);
            prop_assert!(tmq_consumer_new(p, null_mut(), 0).is_null());
            let mut arr = null_mut();
            let mut num = 0;
            prop_assert!(tmq_get_topic_assignment(p, topic.as_ptr(), &mut arr, &mut num) < 0);
            tmq_free_assignment(p.cast());
            tmq_free_json_meta(p.cast());
            tmq_free_raw(TmqRawData { raw: p, raw_len: vg as u32, raw_type: 0 });
            tmq_conf_destroy(p);
            tmq_list_destroy(p);
            prop_assert!(!tmq_err2str(code).is_null());
        }
    }
}
