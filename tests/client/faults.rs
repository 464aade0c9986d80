//! Client behaviour against misbehaving peers: tiny std::net fake servers (no async runtime)
//! that speak garbage, HTTP/1.0, nothing at all, or a scripted `/ws` dialogue that breaks
//! part-way. Every case must end in a clear error of the right kind — no panic, no hang.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use taosync::{Code, Column, ErrorKind, Precision, Type, Value};
use taosync_proto::block::encode_block;
use taosync_proto::ws::{
    BinaryRequest, QueryReply, ReplyHeader, VersionReply, encode_raw_block_data,
    encode_raw_block_finished, encode_reply, parse_request,
};

/// A listener on a free port whose first connection is handed to `serve`.
pub(crate) fn fake(serve: impl FnOnce(TcpStream) + Send + 'static) -> u16 {
    let mut serve = Some(serve);
    fake_many(1, move |s| {
        if let Some(f) = serve.take() {
            f(s);
        }
    })
}

/// A listener on a free port whose first `n` connections are handed to `serve`, one after
/// the other.
pub(crate) fn fake_many(n: usize, mut serve: impl FnMut(TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for _ in 0..n {
            if let Ok((s, _)) = listener.accept() {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                serve(s);
            }
        }
    });
    port
}

pub(crate) fn fast(dsn: &str) -> String {
    let sep = if dsn.contains('?') { '&' } else { '?' };
    format!("{dsn}{sep}conn_retries=0&conn_timeout=2s&read_timeout=2s")
}

fn read_some(s: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = s.read(&mut buf);
}

/// The first line of `bytes` (an HTTP request line), lossily decoded.
fn first_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The first line of what the client sent on `s`, left unread for the WebSocket handshake.
fn peek_first_line(s: &TcpStream) -> String {
    let mut peek = [0u8; 128];
    let len = s.peek(&mut peek).unwrap_or(0);
    first_line(&peek[..len])
}

#[test]
fn garbage_peer_is_a_connection_error() {
    for scheme in ["ws", "http"] {
        let port = fake(|mut s| {
            read_some(&mut s);
            let _ = s.write_all(b"\x00\xffgarbage garbage\r\n\r\n\x01\x02");
        });
        let e = taosync::connect(fast(&format!("{scheme}://127.0.0.1:{port}"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{scheme}: {e}");
        assert!(e.message().contains(&port.to_string()), "{e}");
    }
}

#[test]
fn http10_peer_is_a_clear_error() {
    for scheme in ["ws", "http"] {
        let port = fake(|mut s| {
            read_some(&mut s);
            let _ = s
                .write_all(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>hello</html>");
        });
        let e = taosync::connect(fast(&format!("{scheme}://127.0.0.1:{port}"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{scheme}: {e}");
    }
}

#[test]
fn silent_peer_times_out() {
    for scheme in ["ws", "http"] {
        let port = fake(|mut s| {
            read_some(&mut s);
            thread::sleep(Duration::from_secs(3));
        });
        let start = Instant::now();
        let dsn = format!(
            "{scheme}://127.0.0.1:{port}?conn_retries=0&conn_timeout=300ms&read_timeout=300ms"
        );
        let e = taosync::connect(dsn).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Connection | ErrorKind::Operational),
            "{scheme}: {e:?}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{scheme} took {:?}",
            start.elapsed()
        );
    }
}

// ---- a scripted /ws peer ----

enum Req {
    Text(String, u64),
    Binary {
        req_id: u64,
        action: u64,
        resource: u64,
        sql: String,
    },
}

enum Out {
    Text(String),
    Binary(Vec<u8>),
    Ping,
    /// Drop the socket without a Close frame.
    Hangup,
    /// Bytes written straight to the socket, bypassing the WebSocket framing.
    Raw(Vec<u8>),
    /// A text frame written one byte at a time, `gap` apart (a dripping peer).
    Drip(String, Duration),
    Sleep(Duration),
}

/// An unmasked server text frame, as the peer would send it.
fn text_frame(text: &str) -> Vec<u8> {
    let mut frame = vec![0x81];
    let len = text.len();
    if len < 126 {
        frame.push(len as u8);
    } else {
        frame.push(126);
        frame.extend_from_slice(&(len as u16).to_be_bytes());
    }
    frame.extend_from_slice(text.as_bytes());
    frame
}

/// Writes `bytes` one at a time, `gap` apart, until done or the reader goes away.
fn drip(s: &mut impl Write, bytes: &[u8], gap: Duration) {
    for b in bytes {
        if s.write_all(&[*b]).and_then(|()| s.flush()).is_err() {
            return;
        }
        thread::sleep(gap);
    }
}

type Script = Box<dyn FnMut(&Req) -> Vec<Out> + Send>;

fn ok_header(action: &str, req_id: u64) -> ReplyHeader {
    ReplyHeader::ok(action, req_id, 1)
}

/// A `/ws` peer answering `version` (with `version`) and `conn`, then running `script` for
/// everything else. Requests the script answers with nothing get no reply.
fn ws_peer(version: &'static str, script: Script) -> u16 {
    ws_peer_n(1, version, script)
}

/// [`ws_peer`] serving `n` connections in turn with the same script.
fn ws_peer_n(n: usize, version: &'static str, mut script: Script) -> u16 {
    fake_many(n, move |s| serve_ws(s, version, &mut script))
}

/// Serves one `/ws` connection: answers `version` and `conn`, then runs `script`.
fn serve_ws(s: TcpStream, version: &'static str, script: &mut Script) {
    {
        let Ok(mut ws) = tungstenite::accept(s) else {
            return;
        };
        loop {
            let msg = match ws.read() {
                Ok(m) => m,
                Err(_) => return,
            };
            let req = match msg {
                tungstenite::Message::Text(t) => {
                    let r = parse_request(t.as_str()).unwrap();
                    match r.action.as_str() {
                        "version" | "conn" => {
                            let body = VersionReply {
                                version: version.into(),
                            };
                            ws.send(tungstenite::Message::Text(
                                encode_reply(&ok_header(&r.action, r.req_id), &body)
                                    .unwrap()
                                    .into(),
                            ))
                            .unwrap();
                            continue;
                        }
                        _ => Req::Text(r.action, r.req_id),
                    }
                }
                tungstenite::Message::Binary(b) => {
                    let r = BinaryRequest::decode(&b).unwrap();
                    Req::Binary {
                        req_id: r.header.req_id,
                        action: r.header.action,
                        resource: r.header.resource_id,
                        sql: r
                            .sql()
                            .map(|b| String::from_utf8_lossy(b).into_owned())
                            .unwrap_or_default(),
                    }
                }
                tungstenite::Message::Close(_) => return,
                _ => continue,
            };
            for out in script(&req) {
                let r = match out {
                    Out::Text(t) => ws.send(tungstenite::Message::Text(t.into())),
                    Out::Binary(b) => ws.send(tungstenite::Message::Binary(b.into())),
                    Out::Ping => ws.send(tungstenite::Message::Ping(b"x".to_vec().into())),
                    Out::Hangup => return,
                    Out::Raw(bytes) => ws.get_mut().write_all(&bytes).map_err(Into::into),
                    Out::Drip(text, gap) => {
                        drip(ws.get_mut(), &text_frame(&text), gap);
                        Ok(())
                    }
                    Out::Sleep(d) => {
                        thread::sleep(d);
                        Ok(())
                    }
                };
                if r.is_err() {
                    return;
                }
            }
        }
    }
}

fn int_columns() -> Vec<Column> {
    vec![Column::new("v", Type::Int, 4)]
}

fn query_reply(action: &str, req_id: u64) -> Out {
    let body = QueryReply::result_set(1, &int_columns(), Precision::Millisecond);
    Out::Text(encode_reply(&ok_header(action, req_id), &body).unwrap())
}

fn block(values: &[i32]) -> Vec<u8> {
    let rows: Vec<Vec<Value>> = values.iter().map(|v| vec![Value::Int(*v)]).collect();
    encode_block(&int_columns(), &rows).unwrap()
}

#[test]
fn binary_fetch_then_server_hangs_up_mid_result() {
    let mut fetches = 0;
    let port = ws_peer(
        "3.3.6.0",
        Box::new(move |req| match req {
            Req::Binary {
                req_id, action: 6, ..
            } => vec![Out::Ping, query_reply("binary_query", *req_id)],
            Req::Binary {
                req_id,
                action: 7,
                resource,
                ..
            } => {
                fetches += 1;
                if fetches == 1 {
                    vec![Out::Binary(
                        encode_raw_block_data(1, *req_id, *resource, &block(&[1, 2])).unwrap(),
                    )]
                } else {
                    vec![Out::Hangup]
                }
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    assert_eq!(conn.server_version().unwrap(), "3.3.6.0");
    let mut rs = conn.query("select v from t", ()).unwrap();
    assert_eq!(rs.field_count(), 1);
    assert_eq!(rs.next().unwrap().unwrap().get::<i32>(0).unwrap(), 1);
    assert_eq!(rs.next().unwrap().unwrap().get::<i32>(0).unwrap(), 2);
    let e = rs.next().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    assert!(rs.next().is_none(), "iteration ends after an error");
}

#[test]
fn truncated_block_is_a_result_error() {
    let port = ws_peer(
        "3.3.6.0",
        Box::new(|req| match req {
            Req::Binary {
                req_id, action: 6, ..
            } => vec![query_reply("binary_query", *req_id)],
            Req::Binary {
                req_id,
                action: 7,
                resource,
                ..
            } => {
                let mut b = block(&[1, 2, 3]);
                // Claim the full length but cut the data short.
                b.truncate(b.len() - 6);
                vec![Out::Binary(
                    encode_raw_block_data(1, *req_id, *resource, &b).unwrap(),
                )]
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    let mut cur = conn.cursor().unwrap();
    cur.execute("select v from t", ()).unwrap();
    let e = cur.fetchall().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Result, "{e:?}");
}

#[test]
fn json_fetch_path_for_old_servers() {
    let mut fetches = 0;
    let port = ws_peer(
        "3.3.1.0",
        Box::new(move |req| match req {
            Req::Text(a, req_id) if a == "query" => vec![query_reply("query", *req_id)],
            Req::Text(a, req_id) if a == "fetch" => {
                fetches += 1;
                let done = fetches > 2;
                let text = format!(
                    r#"{{"code":0,"message":"","action":"fetch","req_id":{req_id},"timing":1,"id":1,"completed":{done},"lengths":null,"rows":{}}}"#,
                    if done { 0 } else { 2 }
                );
                vec![Out::Text(text)]
            }
            Req::Text(a, _) if a == "fetch_block" => {
                let base = fetches * 10;
                let frame = taosync_proto::ws::FetchBlockReply {
                    timing: 1,
                    result_id: 1,
                    block: &block(&[base, base + 1]),
                }
                .encode();
                vec![Out::Binary(frame)]
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    let mut cur = conn.cursor().unwrap();
    cur.execute("select v from t", ()).unwrap();
    assert_eq!(cur.rowcount(), -1);
    let first = cur.fetchmany(Some(3)).unwrap();
    assert_eq!(first.len(), 3);
    let rest: Vec<i32> = cur
        .fetchall_as::<(i32,)>()
        .unwrap()
        .into_iter()
        .map(|t| t.0)
        .collect();
    assert_eq!(rest, vec![21]);
    assert_eq!(cur.rowcount(), 4);
}

#[test]
fn server_error_codes_keep_their_kind() {
    let port = ws_peer(
        "3.3.6.0",
        Box::new(|req| match req {
            Req::Binary {
                req_id, action: 6, ..
            } => {
                let h = ReplyHeader::error(
                    "binary_query",
                    *req_id,
                    1,
                    0x2600,
                    "syntax error near \"selec\"",
                );
                vec![Out::Text(h.to_json())]
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    let e = conn.execute("selec 1", ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Programming);
    assert_eq!(e.code(), Some(Code::PAR_SYNTAX_ERROR));
    assert!(e.to_string().starts_with("[0x2600] syntax error"), "{e}");
}

#[test]
fn read_timeout_is_operational_and_the_next_request_reconnects() {
    let port = ws_peer(
        "3.3.6.0",
        Box::new(|req| match req {
            Req::Binary { action: 6, .. } => vec![Out::Sleep(Duration::from_secs(2))],
            _ => vec![],
        }),
    );
    let dsn = format!("ws://127.0.0.1:{port}?conn_retries=0&conn_timeout=1s&read_timeout=300ms");
    let conn = taosync::connect(dsn).unwrap();
    let start = Instant::now();
    let e = conn.execute("select 1", ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Operational, "{e:?}");
    assert_eq!(e.code(), Some(Code::CLIENT_RECV_TIMEOUT));
    assert!(start.elapsed() < Duration::from_secs(2));
    // The fake server accepts only one connection: the reconnect fails cleanly.
    let e = conn.execute("select 1", ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
}

#[test]
fn early_drop_frees_the_result() {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = Arc::new(std::sync::Mutex::new(tx));
    let port = ws_peer(
        "3.3.6.0",
        Box::new(move |req| match req {
            Req::Binary {
                req_id, action: 6, ..
            } => vec![query_reply("binary_query", *req_id)],
            Req::Text(a, _) => {
                let _ = tx.lock().unwrap().send(a.clone());
                vec![]
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    {
        let mut cur = conn.cursor().unwrap();
        cur.execute("select v from t", ()).unwrap();
        assert_eq!(cur.description().unwrap()[0].name, "v");
    }
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(2)).unwrap(),
        "free_result"
    );
    let _ = encode_raw_block_finished(0, 0, 0);
}

#[test]
fn a_broken_socket_is_reopened_transparently_on_the_next_statement() {
    let mut queries = 0;
    let port = ws_peer_n(
        2,
        "3.3.6.0",
        Box::new(move |req| match req {
            Req::Binary {
                req_id, action: 6, ..
            } => {
                queries += 1;
                if queries == 1 {
                    vec![Out::Hangup]
                } else {
                    let body = QueryReply::affected(7);
                    vec![Out::Text(
                        encode_reply(&ok_header("binary_query", *req_id), &body).unwrap(),
                    )]
                }
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    let e = conn
        .execute("insert into t values (now, 1)", ())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    assert_eq!(
        conn.execute("insert into t values (now, 1)", ()).unwrap(),
        7
    );
}

/// A result lives and dies with its socket: after the socket is replaced, fetching or
/// dropping an old result fails clearly (or does nothing) and its id is never sent on the
/// new socket, where the same number may name another cursor's result.
#[test]
fn a_result_from_a_replaced_socket_fails_and_is_never_sent_on_the_new_one() {
    let (tx, rx) = std::sync::mpsc::channel::<(usize, u64, u64)>();
    let mut connection = 0usize;
    let mut queries = 0;
    let port = ws_peer_n(
        2,
        "3.3.6.0",
        Box::new(move |req| match req {
            Req::Binary {
                req_id,
                action: 6,
                sql,
                ..
            } => {
                queries += 1;
                if sql.starts_with("select") {
                    vec![query_reply("binary_query", *req_id)]
                } else if queries == 2 {
                    // The statement after the select: the socket dies under it.
                    connection += 1;
                    vec![Out::Hangup]
                } else {
                    let body = QueryReply::affected(7);
                    vec![Out::Text(
                        encode_reply(&ok_header("binary_query", *req_id), &body).unwrap(),
                    )]
                }
            }
            Req::Binary {
                req_id,
                action: 7,
                resource,
                ..
            } => {
                let _ = tx.send((connection, *req_id, *resource));
                vec![Out::Binary(
                    encode_raw_block_data(1, *req_id, *resource, &block(&[1])).unwrap(),
                )]
            }
            Req::Text(action, _) if action == "free_result" => {
                let _ = tx.send((connection, u64::MAX, 0));
                vec![]
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    let mut a = conn.cursor().unwrap();
    a.execute("select v from t", ()).unwrap();
    assert_eq!(a.fetchone().unwrap().unwrap().get::<i32>(0).unwrap(), 1);
    // The socket breaks under another statement, and the next one reopens it.
    let e = conn
        .execute("insert into t values (now, 1)", ())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    assert_eq!(
        conn.execute("insert into t values (now, 1)", ()).unwrap(),
        7
    );
    // The old result is gone: a clear Connection error, then the end of the rows.
    let e = a.fetchone().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    assert!(
        e.message().contains("lost with its connection"),
        "{}",
        e.message()
    );
    // A result cut off never looks complete: the error stays, rowcount stays unknown.
    assert_eq!(a.fetchone().unwrap_err().kind(), ErrorKind::Connection);
    assert_eq!(a.rowcount(), -1);
    drop(a);
    // A second result, opened and dropped on the new socket, is freed there as usual.
    let mut b = conn.cursor().unwrap();
    b.execute("select v from t", ()).unwrap();
    drop(b);
    drop(conn);
    // The free is fire and forget: give the fake server a moment to record it, then
    // make sure nothing more arrives.
    let mut seen: Vec<(usize, u64, u64)> = Vec::new();
    while !seen.iter().any(|&(_, req, _)| req == u64::MAX) {
        match rx.recv_timeout(Duration::from_secs(2)) {
            Ok(item) => seen.push(item),
            Err(_) => break,
        }
    }
    seen.extend(rx.recv_timeout(Duration::from_millis(100)));
    // On the old socket: the fetch of the block read, and the one sent ahead for the next.
    let (old, new): (Vec<_>, Vec<_>) = seen.iter().partition(|&&(c, _, _)| c == 0);
    assert_eq!(old.len(), 2, "{seen:?}");
    assert!(
        old.iter()
            .all(|&&(_, req, res)| req != u64::MAX && res == 1),
        "{seen:?}"
    );
    assert_eq!(
        new,
        [&(1, u64::MAX, 0)],
        "one free on the new socket, nothing about the old result: {seen:?}"
    );
}

#[test]
fn falls_back_to_rest_ws_when_ws_is_missing() {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let mut script: Script = Box::new(|req| match req {
        Req::Text(a, req_id) if a == "query" => {
            let body = QueryReply::affected(1);
            vec![Out::Text(
                encode_reply(&ok_header("query", *req_id), &body).unwrap(),
            )]
        }
        _ => vec![],
    });
    let mut n = 0;
    let port = fake_many(2, move |mut s| {
        n += 1;
        if n == 1 {
            // An old adapter without /ws.
            let mut buf = [0u8; 4096];
            let len = s.read(&mut buf).unwrap_or(0);
            let _ = tx.send(first_line(&buf[..len]));
            let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        } else {
            let _ = tx.send(peek_first_line(&s));
            serve_ws(s, "3.3.6.0", &mut script);
        }
    });
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    assert!(rx.recv().unwrap().starts_with("GET /ws "));
    assert!(rx.recv().unwrap().starts_with("GET /rest/ws "));
    // The legacy endpoint has no binary query: the JSON `query` action is used.
    assert_eq!(
        conn.execute("insert into t values (now, 1)", ()).unwrap(),
        1
    );
}

#[test]
fn token_goes_on_the_websocket_url() {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let mut script: Script = Box::new(|_| vec![]);
    let port = fake_many(1, move |s| {
        let _ = tx.send(peek_first_line(&s));
        serve_ws(s, "3.3.6.0", &mut script);
    });
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}?token=a%20b%26c"))).unwrap();
    assert_eq!(rx.recv().unwrap(), "GET /ws?token=a%20b%26c HTTP/1.1");
    assert!(
        !format!("{conn:?}").contains("a b&c"),
        "the token is never shown"
    );
}

#[test]
fn executemany_batches_insert_rows_into_few_statements() {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    let port = ws_peer(
        "3.3.6.0",
        Box::new(move |req| match req {
            Req::Binary {
                req_id,
                action: 6,
                sql,
                ..
            } => {
                let _ = tx.lock().unwrap().send(sql.clone());
                let rows = sql.matches('(').count() as i64
                    - sql.to_ascii_lowercase().matches("tags").count() as i64;
                let body = QueryReply::affected(rows);
                vec![Out::Text(
                    encode_reply(&ok_header("binary_query", *req_id), &body).unwrap(),
                )]
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    let mut cur = conn.cursor().unwrap();
    cur.executemany(
        "insert into t values (?, ?)",
        (0..1000).map(|i| (1_700_000_000_000i64 + i, format!("v{i}"))),
    )
    .unwrap();
    assert_eq!(cur.rowcount(), 1000);
    let sql = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert!(
        sql.starts_with("INSERT INTO t values (1700000000000, 'v0') (1700000000001, 'v1')"),
        "{sql}"
    );
    assert!(rx.try_recv().is_err(), "one statement for 1000 rows");

    // Per-row tags: one table clause per change of the rendered prefix.
    cur.executemany(
        "insert into d1 using st tags (?) values (?, ?)",
        [(1, 10i64, 1), (1, 11, 2), (2, 12, 3)],
    )
    .unwrap();
    let sql = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(
        sql,
        "INSERT INTO d1 using st tags (1) values (10, 1) (11, 2) d1 using st tags (2) values (12, 3)"
    );
    assert_eq!(cur.rowcount(), 3);

    // Parameter sets of the wrong size are rejected before anything is sent.
    let e = cur
        .executemany("insert into t values (?, ?)", [vec![1], vec![1, 2]])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Programming);
}

#[test]
fn a_huge_frame_header_is_refused_without_allocating() {
    let port = ws_peer(
        "3.3.6.0",
        Box::new(|req| match req {
            Req::Binary { action: 6, .. } => {
                // FIN + binary opcode, 64-bit length of 1 TiB, then nothing.
                let mut frame = vec![0x82, 127];
                frame.extend_from_slice(&(1u64 << 40).to_be_bytes());
                vec![Out::Raw(frame), Out::Sleep(Duration::from_millis(500))]
            }
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    let e = conn.execute("select 1", ()).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Operational | ErrorKind::Connection),
        "{e:?}"
    );
}

#[test]
fn a_non_json_text_reply_is_a_clear_error() {
    let port = ws_peer(
        "3.3.6.0",
        Box::new(|req| match req {
            Req::Binary { action: 6, .. } => vec![Out::Text("<html>not json</html>".into())],
            _ => vec![],
        }),
    );
    let conn = taosync::connect(fast(&format!("ws://127.0.0.1:{port}"))).unwrap();
    let e = conn.execute("select 1", ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Result, "{e:?}");
}

#[test]
fn close_from_another_thread_interrupts_a_request_in_flight() {
    // The server never answers the query.
    let port = ws_peer("3.3.6.0", Box::new(|_| vec![]));
    let conn = Arc::new(
        taosync::connect(format!(
            "ws://127.0.0.1:{port}?conn_retries=0&read_timeout=30s"
        ))
        .unwrap(),
    );
    let worker = {
        let conn = Arc::clone(&conn);
        thread::spawn(move || {
            let started = Instant::now();
            let r = conn.execute("select v from t", ());
            (r, started.elapsed())
        })
    };
    thread::sleep(Duration::from_millis(300));
    let closing = Instant::now();
    conn.close().unwrap();
    assert!(
        closing.elapsed() < Duration::from_secs(5),
        "close waited {:?}",
        closing.elapsed()
    );
    let (r, took) = worker.join().unwrap();
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Interface, "{e:?}");
    assert!(e.message().contains("closed"), "{e}");
    assert!(took < Duration::from_secs(5), "the request took {took:?}");
    assert!(conn.is_closed());
}

// ---- deadlines, not idle timers (issue #14 items 2-4) ----

const GAP: Duration = Duration::from_millis(150);

/// A reply dripped a byte every 150 ms would take about 20 s; `read_timeout=1s` is a
/// deadline for the whole reply, so the query fails after about a second.
#[test]
fn a_dripped_query_reply_fails_at_the_read_deadline() {
    let port = ws_peer(
        "3.3.6.0",
        Box::new(|req| match req {
            Req::Binary {
                req_id, action: 6, ..
            } => vec![Out::Drip(
                encode_reply(
                    &ok_header("binary_query", *req_id),
                    &QueryReply::affected(1),
                )
                .unwrap(),
                GAP,
            )],
            _ => vec![],
        }),
    );
    let conn = taosync::connect(format!(
        "ws://127.0.0.1:{port}?conn_retries=0&conn_timeout=1s&read_timeout=1s"
    ))
    .unwrap();
    let start = Instant::now();
    let e = conn
        .execute("insert into t values (now, 1)", ())
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(e.kind(), ErrorKind::Operational, "{e:?}");
    assert_eq!(e.code(), Some(Code::CLIENT_RECV_TIMEOUT), "{e:?}");
    assert!(e.message().contains("read_timeout"), "{e}");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
}

/// The same for a TMQ consumer: a dripped `poll` reply ends at the consumer's read
/// deadline (its poll timeout plus `read_timeout`).
#[test]
fn a_dripped_poll_reply_fails_at_the_read_deadline() {
    let port = ws_peer(
        "3.3.6.0",
        Box::new(|req| match req {
            Req::Text(action, req_id) if action == "subscribe" => vec![Out::Text(
                encode_reply(
                    &ok_header("subscribe", *req_id),
                    &taosync_proto::tmq::SubscribeReply::default(),
                )
                .unwrap(),
            )],
            Req::Text(action, req_id) if action == "poll" => vec![Out::Drip(
                encode_reply(
                    &ok_header("poll", *req_id),
                    &taosync_proto::tmq::PollReply::default(),
                )
                .unwrap(),
                GAP,
            )],
            _ => vec![],
        }),
    );
    let consumer = taosync::Consumer::from_dsn_and_config(
        &format!("ws://127.0.0.1:{port}?conn_timeout=1s&read_timeout=1s"),
        [("group.id", "g1")],
    )
    .unwrap();
    consumer.subscribe(&["t"]).unwrap();
    let start = Instant::now();
    let e = consumer.poll(Duration::from_millis(100)).unwrap_err();
    let took = start.elapsed();
    assert_eq!(e.code(), Some(Code::CLIENT_RECV_TIMEOUT), "{e:?}");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
}

/// The WebSocket upgrade's `101` reply dripped a byte every 150 ms: `conn_timeout=1s`
/// bounds TCP connect, upgrade, `version` and `conn` together, and the error names it.
#[test]
fn a_dripped_upgrade_fails_at_the_connect_deadline() {
    let port = fake(|mut s| {
        read_some(&mut s);
        drip(
            &mut s,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            GAP,
        );
    });
    let start = Instant::now();
    let e = taosync::connect(format!(
        "ws://127.0.0.1:{port}?conn_retries=0&conn_timeout=1s&read_timeout=30s"
    ))
    .unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(e.kind(), ErrorKind::Connection | ErrorKind::Operational),
        "{e:?}"
    );
    assert!(e.message().contains("conn_timeout"), "{e}");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
}

/// The upgrade succeeds but the `version` reply drips: still bounded by `conn_timeout`.
#[test]
fn a_dripped_version_reply_fails_at_the_connect_deadline() {
    let port = fake(|s| {
        let Ok(mut ws) = tungstenite::accept(s) else {
            return;
        };
        if let Ok(tungstenite::Message::Text(t)) = ws.read() {
            let r = parse_request(t.as_str()).unwrap();
            let body = VersionReply {
                version: "3.3.6.0".into(),
            };
            let text = encode_reply(&ok_header("version", r.req_id), &body).unwrap();
            drip(ws.get_mut(), &text_frame(&text), GAP);
        }
    });
    let start = Instant::now();
    let e = taosync::connect(format!(
        "ws://127.0.0.1:{port}?conn_retries=0&conn_timeout=1s&read_timeout=30s"
    ))
    .unwrap_err();
    let took = start.elapsed();
    assert!(e.message().contains("conn_timeout"), "{e}");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
}

/// Issue #14 item 4: a REST peer that accepts and never answers. With the default
/// `read_timeout` (300 s) the connect check is still bounded by `conn_timeout`, per
/// attempt.
#[test]
fn a_silent_rest_peer_fails_connect_within_conn_timeout() {
    let port = fake_many(2, |mut s| {
        read_some(&mut s);
        thread::sleep(Duration::from_secs(4));
    });
    let start = Instant::now();
    let e = taosync::connect(format!(
        "http://127.0.0.1:{port}?conn_retries=1&conn_timeout=500ms"
    ))
    .unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(e.kind(), ErrorKind::Connection | ErrorKind::Operational),
        "{e:?}"
    );
    assert!(e.message().contains("conn_timeout"), "{e}");
    assert!(took < Duration::from_millis(3000), "took {took:?}");
}
