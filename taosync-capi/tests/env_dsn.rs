//! `TAOSYNC_DSN`: the full DSN that replaces `taos_connect`'s address arguments and gives
//! consumers their address, credentials, token and transport keys. Its own test binary
//! (one process, one test) because it sets the process environment.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::{CStr, CString, c_char, c_void};
use std::ptr::{null, null_mut};

use taos::conn::*;
use taos::result::*;
use taos::tmq::*;
use taosync_server::{Server, ServerConfig};

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn errstr(res: *mut c_void) -> String {
    unsafe { CStr::from_ptr(taos_errstr(res)) }
        .to_string_lossy()
        .into_owned()
}

fn run(taos: *mut c_void, sql: &str) {
    let res = taos_query(taos, c(sql).as_ptr());
    assert_eq!(taos_errno(res), 0, "{sql}: {}", errstr(res));
    taos_free_result(res);
}

fn set_dsn(dsn: &str) {
    // SAFETY: this test binary has one test and sets the variable before any thread of its
    // own reads the environment.
    unsafe { std::env::set_var(DSN_ENV, dsn) };
}

/// A consumer configured with `group.id` alone: everything else comes from the DSN.
fn consumer(group: &str) -> Result<*mut c_void, String> {
    let conf = tmq_conf_new();
    for (k, v) in [("group.id", group), ("auto.offset.reset", "earliest")] {
        assert_eq!(
            tmq_conf_set(conf, c(k).as_ptr(), c(v).as_ptr()),
            TMQ_CONF_OK
        );
    }
    let mut err = [0 as c_char; 256];
    let tmq = tmq_consumer_new(conf, err.as_mut_ptr(), err.len() as i32);
    tmq_conf_destroy(conf);
    if tmq.is_null() {
        Err(unsafe { CStr::from_ptr(err.as_ptr()) }
            .to_string_lossy()
            .into_owned())
    } else {
        Ok(tmq)
    }
}

#[test]
fn the_env_dsn_reaches_connections_and_consumers() {
    let server = Server::start(ServerConfig::default()).unwrap();
    let base = server.dsn_ws();

    // The DSN wins over taos_connect's address; its database is used, its query
    // parameters apply.
    set_dsn(&format!("{base}?timezone=UTC&conn_timeout=5s"));
    let taos = taos_connect(c("no.such.host").as_ptr(), null(), null(), null(), 1);
    assert!(!taos.is_null(), "{}", errstr(null_mut()));
    run(taos, "create database envdsn");
    run(taos, "create table envdsn.t (ts timestamp, v int)");
    run(taos, "insert into envdsn.t values (1700000000000, 7)");
    run(
        taos,
        "create topic envdsn_topic as select ts, v from envdsn.t",
    );

    // A transport key of the DSN reaches the consumer: a bad one fails its creation.
    set_dsn(&format!("{base}?conn_timeout=soon"));
    let err = consumer("g_bad").expect_err("a bad conn_timeout in TAOSYNC_DSN");
    assert!(err.contains("conn_timeout"), "{err}");

    // The DSN's address and credentials, with its connection-only parameters ignored.
    set_dsn(&format!(
        "{base}/envdsn?timezone=UTC&compression=true&read_timeout=30"
    ));
    let tmq = consumer("g_ok").unwrap();
    let list = tmq_list_new();
    assert_eq!(tmq_list_append(list, c("envdsn_topic").as_ptr()), 0);
    assert_eq!(tmq_subscribe(tmq, list), 0, "{}", errstr(null_mut()));
    tmq_list_destroy(list);
    let msg = tmq_consumer_poll(tmq, 5_000);
    assert!(!msg.is_null(), "{}", errstr(null_mut()));
    let row = taos_fetch_row(msg);
    assert!(!row.is_null(), "{}", errstr(msg));
    let v = unsafe { (*row.add(1)).cast::<i32>().read_unaligned() };
    assert_eq!(v, 7);
    taos_free_result(msg);
    assert_eq!(tmq_consumer_close(tmq), 0);

    // A DSN the parser rejects fails taos_connect with its reason.
    set_dsn("ws://[::1");
    assert!(taos_connect(null(), null(), null(), null(), 0).is_null());
    assert!(!errstr(null_mut()).is_empty());

    unsafe { std::env::remove_var(DSN_ENV) };
    taos_close(taos);
}
