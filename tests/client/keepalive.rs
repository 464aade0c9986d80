//! The WebSocket keep-alive: a connection left idle longer than taosAdapter's idle deadline
//! keeps its socket, and the results open on it, because a background probe keeps it busy.

use std::time::Duration;

use taosync::connect;
use taosync_server::{Server, ServerConfig};

/// A server that drops sockets idle for 1 s (taosAdapter: ~114 s) and sends 2-row blocks,
/// with a table of 10 rows.
fn server() -> taosync_server::ServerHandle {
    let server = Server::start(
        ServerConfig::new()
            .ws_ping_interval(Duration::from_millis(200))
            .ws_read_deadline(Duration::from_secs(1))
            .block_rows(2),
    )
    .unwrap();
    let setup = connect(server.dsn_ws().as_str()).unwrap();
    setup.execute("create database d", ()).unwrap();
    setup
        .execute("create table d.t (ts timestamp, v int)", ())
        .unwrap();
    let values: Vec<String> = (0..10)
        .map(|i| format!("({}, {i})", 1_700_000_000_000i64 + i))
        .collect();
    setup
        .execute(&format!("insert into d.t values {}", values.join(" ")), ())
        .unwrap();
    server
}

/// Reads one row of a 10-row result, idles past the server's deadline, reads the rest.
fn read_across_idle_gap(dsn: &str) -> Vec<taosync::Result<taosync::Row>> {
    let conn = connect(dsn).unwrap();
    let mut rows = conn.query("select * from d.t", ()).unwrap();
    let mut out = vec![rows.next().unwrap()];
    std::thread::sleep(Duration::from_millis(2500));
    out.extend(rows);
    out
}

#[test]
fn an_idle_connection_keeps_its_socket_and_open_results() {
    let server = server();
    let dsn = format!("{}?keepalive=200ms", server.dsn_ws());
    let rows = read_across_idle_gap(&dsn);
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(Result::is_ok), "{rows:?}");
}

#[test]
fn without_the_keepalive_the_server_drops_the_idle_socket() {
    // The control case: the same gap with the probe off loses the open result.
    let server = server();
    let dsn = format!("{}?keepalive=0&conn_retries=0", server.dsn_ws());
    let rows = read_across_idle_gap(&dsn);
    assert!(rows.iter().any(Result::is_err), "{rows:?}");
}

#[test]
fn close_with_a_running_keepalive_is_idempotent() {
    let server = server();
    let conn = connect(format!("{}?keepalive=100ms", server.dsn_ws()).as_str()).unwrap();
    conn.close().unwrap();
    let e = conn.execute("select 1", ()).unwrap_err();
    assert_eq!(e.kind(), taosync::ErrorKind::Interface, "{e:?}");
    conn.close().unwrap();
}
