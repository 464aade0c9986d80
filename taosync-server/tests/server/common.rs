//! What every file of the suite shares: a raw HTTP/1.1 client (one request per
//! connection, `Connection: close`), response decoding (status, de-chunked body, JSON),
//! `/rest/sql` as root, and a raw WebSocket client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use taosync_server::ServerHandle;
use tungstenite::Message;
use tungstenite::stream::MaybeTlsStream;

/// A client WebSocket over plain TCP.
pub type Ws = tungstenite::WebSocket<MaybeTlsStream<TcpStream>>;

/// `Authorization` for `root:taosdata`.
pub const BASIC: &str = "Basic cm9vdDp0YW9zZGF0YQ==";

/// Sends `request` as is on a fresh connection and returns everything the server sends
/// back until it closes the connection.
pub fn raw(h: &ServerHandle, request: &[u8]) -> String {
    let mut s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `POST path` with `body` and, when given, an `Authorization` header.
pub fn post_with(h: &ServerHandle, path: &str, auth: Option<&str>, body: &str) -> String {
    let auth = auth.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(h, req.as_bytes())
}

/// `POST path` with `body` and `Authorization: auth`.
pub fn post(h: &ServerHandle, path: &str, auth: &str, body: &str) -> String {
    post_with(h, path, Some(auth), body)
}

/// The status code of a raw response.
pub fn status(resp: &str) -> u16 {
    resp[9..12].parse().unwrap()
}

/// The response body with any chunked framing removed.
pub fn body(resp: &str) -> String {
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

/// The response body as JSON.
pub fn json_body(resp: &str) -> serde_json::Value {
    serde_json::from_str(&body(resp)).unwrap_or_else(|e| panic!("{e}: {resp}"))
}

/// Runs `sql` through `/rest/sql` as root and returns the reply object, whatever its code.
pub fn rest_reply(h: &ServerHandle, sql: &str) -> serde_json::Value {
    json_body(&post(h, "/rest/sql", BASIC, sql))
}

/// Runs `sql` through `/rest/sql` as root and returns the reply object (code 0 asserted).
pub fn rest_ok(h: &ServerHandle, sql: &str) -> serde_json::Value {
    let v = rest_reply(h, sql);
    assert_eq!(v["code"], 0, "{sql}: {v}");
    v
}

/// Opens the WebSocket at `path` (101 asserted) with a 10 s read timeout.
pub fn ws_connect(h: &ServerHandle, path: &str) -> Ws {
    let (mut ws, resp) = tungstenite::connect(format!("ws://{}{path}", h.addr())).unwrap();
    assert_eq!(resp.status(), 101);
    if let MaybeTlsStream::Plain(s) = ws.get_mut() {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    ws
}

/// The next data or close frame, skipping pings and pongs.
pub fn recv(ws: &mut Ws) -> Message {
    loop {
        match ws.read().unwrap() {
            Message::Ping(_) | Message::Pong(_) => continue,
            m => return m,
        }
    }
}

/// The next frame, which must be a JSON text frame.
pub fn recv_json(ws: &mut Ws) -> serde_json::Value {
    match recv(ws) {
        Message::Text(t) => serde_json::from_str(t.as_str()).unwrap(),
        other => panic!("expected text, got {other:?}"),
    }
}
