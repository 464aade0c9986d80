//! REST results stream: the `data` array is read block by block while the body arrives.

use std::io::Write;

use taosync::{Code, ErrorKind, connect};
use taosync_server::{Server, ServerConfig};

use crate::faults::{fake_many, fast};

#[test]
fn a_large_rest_result_arrives_in_blocks_in_order() {
    let server = Server::start(ServerConfig::new()).unwrap();
    let conn = connect(server.dsn_rest().as_str()).unwrap();
    conn.execute("create database d", ()).unwrap();
    conn.execute("create table d.t (ts timestamp, v int, s varchar(12))", ())
        .unwrap();
    let n = 10_000;
    for start in (0..n).step_by(2_000) {
        let values: String = (start..start + 2_000)
            .map(|i| format!(" ({}, {i}, 'r{i}')", 1_700_000_000_000_i64 + i64::from(i)))
            .collect();
        conn.execute(&format!("insert into d.t values{values}"), ())
            .unwrap();
    }
    let mut cur = conn.cursor().unwrap();
    cur.execute("select v, s from d.t order by ts", ()).unwrap();
    assert_eq!(cur.rowcount(), -1, "not known before the last block");
    let mut next = 0;
    while let Some(row) = cur.fetchone().unwrap() {
        assert_eq!(row.get::<i32>(0).unwrap(), next);
        assert_eq!(row.get::<String>(1).unwrap(), format!("r{next}"));
        next += 1;
    }
    assert_eq!(next, n);
    assert_eq!(cur.rowcount(), i64::from(n));
}

#[test]
fn a_rest_body_cut_after_some_blocks_fails_the_fetch_and_never_looks_complete() {
    let version = r#"{"code":0,"column_meta":[["server_version()","VARCHAR",7]],"data":[["3.3.6.0"]],"rows":1}"#;
    let rows: Vec<String> = (0..10_000).map(|i| format!("[{i}]")).collect();
    let body = format!(
        r#"{{"code":0,"column_meta":[["v","INT",4]],"data":[{}],"rows":10000}}"#,
        rows.join(",")
    );
    let mut served = 0;
    let port = fake_many(2, move |mut s| {
        let mut buf = [0u8; 65536];
        loop {
            // One request per read is enough for these tiny requests.
            let n = std::io::Read::read(&mut s, &mut buf).unwrap_or(0);
            if n == 0 {
                return;
            }
            served += 1;
            let (text, cut) = if served == 1 {
                (version, version.len())
            } else {
                (body.as_str(), body.len() * 3 / 4)
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                text.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&text.as_bytes()[..cut]);
            if served > 1 {
                return;
            }
        }
    });
    let conn = connect(fast(&format!("http://127.0.0.1:{port}"))).unwrap();
    let mut cur = conn.cursor().unwrap();
    cur.execute("select v from t", ()).unwrap();
    let mut got = 0;
    let e = loop {
        match cur.fetchone() {
            Ok(Some(row)) => {
                assert_eq!(row.get::<i32>(0).unwrap(), got);
                got += 1;
            }
            Ok(None) => panic!("a cut body looked complete after {got} rows"),
            Err(e) => break e,
        }
    };
    assert!(got >= 4096, "whole blocks arrived before the cut: {got}");
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    assert_eq!(e.code(), Some(Code::CLIENT_CONNECTION_CLOSED), "{e:?}");
    assert_eq!(cur.rowcount(), -1);
    assert_eq!(cur.fetchone().unwrap_err().kind(), ErrorKind::Connection);
}
