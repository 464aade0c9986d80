//! A build without the `rest` feature (`cargo test --no-default-features --test ws_only`):
//! WebSocket does everything it does in the full build, and a REST DSN is refused with a
//! `NotSupported` error at connect, never at a later call. The full suite (`tests/client`)
//! needs REST and runs with the default features.
#![cfg(not(feature = "rest"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use taosync::schemaless::{SchemalessPrecision, SchemalessProtocol};
use taosync::{ErrorKind, Precision, Timestamp, Value, connect, params};
use taosync_server::{Server, ServerConfig};

fn ns(v: i64) -> Timestamp {
    Timestamp::new(v, Precision::Nanosecond)
}

#[test]
fn a_rest_dsn_is_refused_at_connect() {
    let server = Server::start(ServerConfig::new()).unwrap();
    for dsn in [server.dsn_rest(), "https://localhost:6041".to_owned()] {
        let e = connect(dsn.as_str()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSupported, "{dsn}: {e}");
        assert!(e.to_string().contains("`rest`"), "{e}");
    }
}

#[test]
fn websocket_queries_binds_schemaless_and_tmq_work() {
    let server = Server::start(ServerConfig::new().block_rows(2)).unwrap();
    let conn = connect(server.dsn_ws().as_str()).unwrap();
    conn.execute("create database w precision 'ns'", ())
        .unwrap();
    conn.select_db("w").unwrap();
    conn.execute("create table t (ts timestamp, v int, s nchar(8))", ())
        .unwrap();

    let mut cur = conn.cursor().unwrap();
    let rows = (0..5i64).map(|i| params![ns(1_700_000_000_000_000_000 + i), i as i32, "ω"]);
    cur.executemany("insert into t values (?, ?, ?)", rows)
        .unwrap();
    assert_eq!(cur.rowcount(), 5);

    let mut stmt = conn.statement().unwrap();
    stmt.prepare("insert into t values (?, ?, ?)").unwrap();
    stmt.bind_row(&[
        Value::Timestamp(ns(1_700_000_000_000_000_100)),
        Value::Int(100),
        Value::NChar("β".into()),
    ])
    .unwrap();
    stmt.add_batch().unwrap();
    assert_eq!(stmt.execute().unwrap(), 1);

    let n = conn
        .schemaless_insert(
            "m,k=a v=1i 1700000000000000000",
            SchemalessProtocol::Line,
            SchemalessPrecision::Nanosecond,
            0,
            None,
        )
        .unwrap();
    assert_eq!(n, 1);

    // Six rows in 2-row blocks: fetched block by block.
    cur.execute("select ts, v, s from t order by ts", ())
        .unwrap();
    let got: Vec<(Timestamp, i32, String)> = cur
        .fetchall()
        .unwrap()
        .into_iter()
        .map(|r| r.to_typed().unwrap())
        .collect();
    assert_eq!(got.len(), 6);
    assert_eq!(got[0].0.value(), 1_700_000_000_000_000_000);
    assert_eq!(got[5], (ns(1_700_000_000_000_000_100), 100, "β".into()));

    conn.execute("create topic wt as select ts, v from w.t", ())
        .unwrap();
    let consumer = taosync::Consumer::builder()
        .dsn(server.dsn_ws())
        .config("group.id", "g")
        .config("auto.offset.reset", "earliest")
        .build()
        .unwrap();
    consumer.subscribe(&["wt"]).unwrap();
    let mut seen = 0;
    for _ in 0..20 {
        let Some(msg) = consumer.poll(Duration::from_millis(500)).unwrap() else {
            break;
        };
        seen += msg.blocks().iter().map(|b| b.rows().len()).sum::<usize>();
    }
    assert_eq!(seen, 6);
    consumer.close().unwrap();
    conn.close().unwrap();
}
