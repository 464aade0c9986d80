//! One failure, one PEP 249 kind, whatever the transport (issue #11 item 4): the same fault
//! injected under WebSocket with binary fetch, WebSocket with JSON fetch and REST gives the
//! same `ErrorKind` (and, for server errors, the same code), because every path classifies
//! errors through one table (`Code::kind`, documented in `taosync_proto::code`).

use std::io::{Read, Write};
use std::net::TcpStream;

use taosync::{Code, ErrorKind, connect};
use taosync_server::{FaultInjector, Server, ServerConfig};

use crate::common::unique_db;
use crate::dbapi::{each, targets};
use crate::faults::{fake_many, fast};

/// Each WebSocket connection's 5th reply is cut in half, then the socket closed: with one
/// statement per connection (`version`, `conn`, the statement), setup never reaches it, and
/// a query's 5th reply is its second fetch.
fn ws_server_cutting_the_fifth_reply(version: Option<&str>) -> taosync_server::ServerHandle {
    ws_server_cutting_reply(5, version)
}

/// [`ws_server_cutting_the_fifth_reply`] cutting the `n`-th reply instead.
fn ws_server_cutting_reply(n: usize, version: Option<&str>) -> taosync_server::ServerHandle {
    let mut cfg = ServerConfig::new()
        .block_rows(2)
        .faults(FaultInjector::new().truncate_reply(n));
    if let Some(v) = version {
        cfg = cfg.version(v);
    }
    let server = Server::start(cfg).unwrap();
    let dsn = format!("{}?conn_retries=0&read_timeout=5s", server.dsn_ws());
    for sql in [
        "create database d",
        "create table d.t (ts timestamp, v int)",
        "insert into d.t values (1700000000000, 1) (1700000000001, 2) (1700000000002, 3) \
         (1700000000003, 4) (1700000000004, 5)",
    ] {
        connect(dsn.as_str()).unwrap().execute(sql, ()).unwrap();
    }
    server
}

/// Reads one HTTP request (head and `Content-Length` body) from `s`; false at end of stream.
fn read_request(s: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => return false,
        }
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).is_ok()
}

/// A REST peer that answers its first request (the connect check) and cuts the body of the
/// second (the query) in half, then closes the socket.
fn rest_peer_cutting_the_query_reply() -> u16 {
    let body = r#"{"code":0,"column_meta":[["v","INT",4]],"data":[[1],[2],[3],[4],[5]],"rows":5}"#;
    let version = r#"{"code":0,"column_meta":[["server_version()","VARCHAR",7]],"data":[["3.3.6.0"]],"rows":1}"#;
    let mut served = 0;
    fake_many(2, move |mut s| {
        while read_request(&mut s) {
            served += 1;
            let (body, cut) = if served == 1 {
                (version, version.len())
            } else {
                (body, body.len() / 2)
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body.as_bytes()[..cut]);
            if served > 1 {
                return;
            }
        }
    })
}

#[test]
fn a_peer_hanging_up_mid_result_is_a_connection_error_on_every_transport() {
    let binary = ws_server_cutting_the_fifth_reply(None);
    let json = ws_server_cutting_the_fifth_reply(Some("3.3.1.0"));
    let rest = format!("http://127.0.0.1:{}", rest_peer_cutting_the_query_reply());
    let cases = [
        ("ws-binary", binary.dsn_ws(), 1),
        ("ws-json", json.dsn_ws(), 1),
        ("rest", rest, 0),
    ];
    for (name, dsn, rows_before) in cases {
        let conn = connect(fast(&dsn)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let mut cur = conn.cursor().unwrap();
        let e = cur
            .execute("select * from d.t", ())
            .and_then(|()| {
                let first = cur.fetchmany(Some(1))?;
                assert_eq!(first.len(), rows_before, "{name}");
                cur.fetchall()
            })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{name}: {e:?}");
        assert_eq!(
            e.code(),
            Some(Code::CLIENT_CONNECTION_CLOSED),
            "{name}: {e:?}"
        );
        // The cut-off result never looks complete.
        assert_eq!(cur.rowcount(), -1, "{name}");
        // REST carries the whole result in the query's reply, so there the failure is the
        // execute's and the cursor has no result set; over WebSocket the result's own error
        // is raised again.
        let again = loop {
            match cur.fetchone() {
                // Rows received before the failure stay in the cursor.
                Ok(Some(_)) => {}
                Ok(None) => panic!("{name}: a cut-off result looked complete"),
                Err(e) => break e,
            }
        };
        let expected = if rows_before == 0 {
            ErrorKind::Operational
        } else {
            ErrorKind::Connection
        };
        assert_eq!(again.kind(), expected, "{name}: {again:?}");
    }
}

#[test]
fn a_dsn_naming_a_missing_database_fails_connect_on_every_transport() {
    let t = targets();
    for (name, dsn) in &t.dsns {
        let (base, query) = dsn.split_once('?').unwrap_or((dsn.as_str(), ""));
        let base = base.trim_end_matches('/');
        let missing = unique_db("m", "missing", name);
        let e = connect(format!("{base}/{missing}?{query}")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Programming, "{name}: {e:?}");
        assert_eq!(e.code(), Some(Code::MND_DB_NOT_EXIST), "{name}: {e:?}");
        assert!(e.message().contains(&missing), "{name}: {e}");
    }
}

#[test]
fn a_value_too_long_for_its_column_is_a_data_error_on_every_transport() {
    each("toolong", "ms", |name, conn| {
        conn.execute(
            "create table t (ts timestamp, s varchar(4), n nchar(2))",
            (),
        )
        .unwrap();
        for sql in [
            "insert into t values (now, 'toolong', 'ab')",
            "insert into t values (now, 'ab', 'abc')",
        ] {
            let e = conn.execute(sql, ()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Data, "{name}: {sql}: {e:?}");
            assert_eq!(e.code(), Some(Code::PAR_VALUE_TOO_LONG), "{name}: {e:?}");
        }
        // A bound parameter too long for its column fails the same way.
        let mut cur = conn.cursor().unwrap();
        let e = cur
            .execute(
                "insert into t values (now, ?, 'ab')",
                taosync::params!["toolong"],
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data, "{name}: {e:?}");
    });
}

#[test]
fn a_wrong_parameter_count_is_a_programming_error_on_every_transport() {
    each("paramcount", "ms", |name, conn| {
        conn.execute("create table t (ts timestamp, v int)", ())
            .unwrap();
        let mut cur = conn.cursor().unwrap();
        for (sql, n) in [("insert into t values (?, ?)", 1), ("select ?", 2)] {
            let params: Vec<taosync::Value> = (0..n).map(taosync::Value::Int).collect();
            let e = cur.execute(sql, params).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Programming, "{name}: {sql}: {e:?}");
        }
        let e = cur
            .executemany("insert into t values (?, ?)", vec![taosync::params![1_i64]])
            .unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::Programming,
            "{name}: executemany: {e:?}"
        );
    });
}

#[test]
fn rows_received_before_a_failure_are_returned_or_kept_never_dropped() {
    for version in [None, Some("3.3.1.0")] {
        // Blocks of 2 rows; the second fetch's reply is cut (binary fetch: one reply per
        // block; JSON fetch: `fetch` and `fetch_block` per block).
        let cut = if version.is_some() { 7 } else { 5 };
        let server = ws_server_cutting_reply(cut, version);
        let dsn = fast(&server.dsn_ws());

        // fetchmany: the rows before the failure come back, then the failure.
        let conn = connect(dsn.as_str()).unwrap();
        let mut cur = conn.cursor().unwrap();
        cur.execute("select v from d.t", ()).unwrap();
        let got = cur.fetchmany(Some(4)).unwrap();
        assert_eq!(got.len(), 2, "{version:?}: the first block");
        let e = cur.fetchmany(Some(4)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{version:?}: {e:?}");
        assert_eq!(cur.rowcount(), -1);

        // fetchall: the failure, with the rows kept for later fetches.
        let conn = connect(dsn.as_str()).unwrap();
        let mut cur = conn.cursor().unwrap();
        cur.execute("select v from d.t", ()).unwrap();
        let e = cur.fetchall().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{version:?}: {e:?}");
        assert!(e.message().contains("2 rows received"), "{e}");
        let kept: Vec<i32> = std::iter::from_fn(|| cur.fetchone().ok().flatten())
            .map(|r| r.get::<i32>(0).unwrap())
            .collect();
        assert_eq!(kept, [1, 2], "{version:?}");
        assert_eq!(cur.fetchone().unwrap_err().kind(), ErrorKind::Connection);
        assert_eq!(cur.rowcount(), -1);
    }
}
