//! Benchmark of the embedded server's WebSocket binary fetch path, with raw frames.
//!
//! Starts a server in-process, inserts N rows (default 1,000,000; first argument
//! overrides) through WS `query` with multi-row INSERTs, then times `select *` over binary
//! query (action 6) + `fetch_raw_block` (action 7), then the same `select *` over REST
//! (one streamed, chunked JSON body), and reports rows/s and the process's peak RSS
//! (`VmHWM`, server and client together).
//!
//! ```text
//! cargo run --release --example server_bench [-- ROWS]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use taosync_server::{Server, ServerConfig};
use tungstenite::Message;
use tungstenite::stream::MaybeTlsStream;

#[path = "support/measure.rs"]
mod measure;

type Ws = tungstenite::WebSocket<MaybeTlsStream<TcpStream>>;

fn ask(ws: &mut Ws, msg: &str) -> serde_json::Value {
    ws.send(Message::text(msg)).unwrap();
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => {
                let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
                assert_eq!(v["code"], 0, "{v}");
                return v;
            }
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected reply {other:?}"),
        }
    }
}

fn main() {
    let total: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let server = Server::start(ServerConfig::new()).expect("server starts");
    let (mut ws, _) = tungstenite::connect(format!("ws://{}/ws", server.addr())).unwrap();
    ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata"}}"#,
    );
    ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":2,"sql":"create database bench"}}"#,
    );
    ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":3,"sql":"create table bench.t (ts timestamp, v int, d double, s varchar(16))"}}"#,
    );

    let base: i64 = 1_700_000_000_000;
    let batch: u64 = 10_000;
    let started = Instant::now();
    let mut written = 0u64;
    let mut req_id = 10u64;
    while written < total {
        let n = batch.min(total - written);
        let mut sql = String::with_capacity(n as usize * 40);
        sql.push_str("insert into bench.t values ");
        for i in written..written + n {
            let _ = write!(
                sql,
                "({}, {}, {}.5, 's{}') ",
                base + i as i64,
                i,
                i,
                i % 1000
            );
        }
        req_id += 1;
        let msg = serde_json::json!({"action": "query", "args": {"req_id": req_id, "sql": sql}});
        let v = ask(&mut ws, &msg.to_string());
        assert_eq!(v["affected_rows"], n);
        written += n;
    }
    let insert_secs = started.elapsed().as_secs_f64();
    println!(
        "insert: {written} rows in {insert_secs:.2} s ({:.0} rows/s, {batch} rows per INSERT)",
        written as f64 / insert_secs
    );

    // select * over binary query + fetch_raw_block.
    let started = Instant::now();
    let sql = b"select * from bench.t";
    let mut frame = Vec::new();
    frame.extend_from_slice(&100u64.to_le_bytes());
    frame.extend_from_slice(&0u64.to_le_bytes());
    frame.extend_from_slice(&6u64.to_le_bytes());
    frame.extend_from_slice(&1u16.to_le_bytes());
    frame.extend_from_slice(&(sql.len() as u32).to_le_bytes());
    frame.extend_from_slice(sql);
    ws.send(Message::binary(frame)).unwrap();
    let Message::Text(reply) = ws.read().unwrap() else {
        panic!("binary query answers in text")
    };
    let reply: serde_json::Value = serde_json::from_str(reply.as_str()).unwrap();
    let id = reply["id"].as_u64().expect("a result id");
    let (mut rows, mut blocks, mut bytes) = (0u64, 0u64, 0u64);
    loop {
        let mut fetch = Vec::with_capacity(26);
        fetch.extend_from_slice(&(101 + blocks).to_le_bytes());
        fetch.extend_from_slice(&id.to_le_bytes());
        fetch.extend_from_slice(&7u64.to_le_bytes());
        fetch.extend_from_slice(&1u16.to_le_bytes());
        ws.send(Message::binary(fetch)).unwrap();
        let Message::Binary(b) = ws.read().unwrap() else {
            panic!("fetch_raw_block answers in binary")
        };
        assert_eq!(&b[34..38], &[0, 0, 0, 0], "fetch error");
        if b[50] == 1 {
            break;
        }
        let block = &b[55..];
        rows += u64::from(u32::from_le_bytes(block[8..12].try_into().unwrap()));
        blocks += 1;
        bytes += b.len() as u64;
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(rows, total);
    println!(
        "select *: {rows} rows in {blocks} blocks ({:.1} MiB) in {secs:.2} s = {:.0} rows/s",
        bytes as f64 / (1 << 20) as f64,
        rows as f64 / secs
    );
    // The same result over REST: read the chunked body to its end.
    let started = Instant::now();
    let sql = "select * from bench.t";
    let mut tcp = TcpStream::connect(server.addr()).unwrap();
    write!(
        tcp,
        "POST /rest/sql HTTP/1.1\r\nHost: bench\r\nAuthorization: Basic cm9vdDp0YW9zZGF0YQ==\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{sql}",
        sql.len()
    )
    .unwrap();
    let mut reader = BufReader::with_capacity(1 << 16, tcp);
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
    }
    let (mut body_bytes, mut tail) = (0u64, Vec::new());
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let size = usize::from_str_radix(line.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        let mut chunk = vec![0u8; size + 2];
        reader.read_exact(&mut chunk).unwrap();
        body_bytes += size as u64;
        chunk.truncate(size);
        tail = chunk;
    }
    let secs = started.elapsed().as_secs_f64();
    let tail = String::from_utf8_lossy(&tail);
    assert!(
        tail.ends_with(&format!("\"rows\":{total}}}")),
        "REST body ends {tail}"
    );
    println!(
        "REST select *: {total} rows ({:.1} MiB of JSON) in {secs:.2} s = {:.0} rows/s",
        body_bytes as f64 / (1 << 20) as f64,
        total as f64 / secs
    );
    match measure::status_kib("VmHWM:") {
        0 => println!("peak RSS: unavailable (no /proc/self/status)"),
        kib => println!("peak RSS (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
    }
}
