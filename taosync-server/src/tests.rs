//! Socket-level tests of the network layer against a stand-in engine, so HTTP, REST and
//! WebSocket behaviour is checked independently of the real engine.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use tungstenite::Message;

use super::backend::{Backend, DbError, Exec, ResultSet, Session};
use super::*;
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

struct Mock;

struct MockSession {
    db: Option<String>,
}

struct MockRows {
    columns: Arc<[Column]>,
    rows: Vec<Vec<Value>>,
    fail_after: Option<usize>,
    served: usize,
}

impl Backend for Mock {
    fn authenticate(&self, user: &str, password: &str) -> std::result::Result<(), DbError> {
        if user == "root" && password == "taosdata" {
            Ok(())
        } else {
            Err(DbError::new(0x0357, "Authentication failure"))
        }
    }
    fn open(&self, _user: &str) -> Box<dyn Session> {
        Box::new(MockSession { db: None })
    }
}

fn sample() -> MockRows {
    MockRows {
        columns: vec![
            Column::new("ts", Type::Timestamp, 8),
            Column::new("v", Type::Int, 4),
            Column::new("s", Type::VarChar, 10),
            Column::new("n", Type::NChar, 4),
        ]
        .into(),
        rows: vec![
            vec![
                Value::Timestamp(Timestamp::new(1_700_000_000_000, Precision::Millisecond)),
                Value::Int(42),
                Value::VarChar("ab".into()),
                Value::NChar("中".into()),
            ],
            vec![
                Value::Timestamp(Timestamp::new(1_700_000_001_000, Precision::Millisecond)),
                Value::Null,
                Value::Null,
                Value::NChar("ok".into()),
            ],
        ],
        fail_after: None,
        served: 0,
    }
}

impl Session for MockSession {
    fn set_timezone(&mut self, _tz: Tz) {}
    fn current_db(&self) -> Option<String> {
        self.db.clone()
    }
    fn use_db(&mut self, db: &str) -> std::result::Result<(), DbError> {
        if db == "test" {
            self.db = Some(db.to_owned());
            Ok(())
        } else {
            Err(DbError::new(0x0388, "Database not exist"))
        }
    }
    fn execute(&mut self, sql: &str, _req_id: u64) -> std::result::Result<Exec, DbError> {
        match sql {
            "insert" => Ok(Exec::Affected(2)),
            "select" if self.db.is_some() => Ok(Exec::Rows(Box::new(sample()))),
            "select" => Err(DbError::new(0x2616, "Database not specified")),
            "many" => {
                let mut rs = sample();
                rs.rows = (0..10_000)
                    .map(|i| {
                        vec![
                            Value::Timestamp(Timestamp::new(i, Precision::Millisecond)),
                            Value::Int(i as i32),
                            Value::VarChar("x".into()),
                            Value::NChar("y".into()),
                        ]
                    })
                    .collect();
                Ok(Exec::Rows(Box::new(rs)))
            }
            "broken" => {
                let mut rs = sample();
                rs.fail_after = Some(0);
                Ok(Exec::Rows(Box::new(rs)))
            }
            _ => Err(DbError::new(0x2600, format!("syntax error near \"{sql}\""))),
        }
    }
    fn validate(&mut self, sql: &str) -> std::result::Result<(), DbError> {
        if sql == "select" {
            Ok(())
        } else {
            Err(DbError::new(0x2600, "syntax error"))
        }
    }
}

impl ResultSet for MockRows {
    fn columns(&self) -> &Arc<[Column]> {
        &self.columns
    }
    fn precision(&self) -> Precision {
        Precision::Millisecond
    }
    fn next_block(
        &mut self,
        max_rows: usize,
    ) -> std::result::Result<Option<Vec<Vec<Value>>>, DbError> {
        if self.fail_after.is_some_and(|n| self.served >= n) {
            return Err(DbError::new(0x0018, "Conn is broken"));
        }
        if self.served >= self.rows.len() {
            return Ok(None);
        }
        let end = (self.served + max_rows).min(self.rows.len());
        let block = self.rows[self.served..end].to_vec();
        self.served = end;
        Ok(Some(block))
    }
}

fn server(config: ServerConfig) -> ServerHandle {
    start_with_backend(config, Arc::new(Mock)).unwrap()
}

/// Sends raw bytes, reads until the server closes or `Connection: close` response ends.
fn raw(handle: &ServerHandle, request: &[u8]) -> String {
    let mut s = TcpStream::connect(handle.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn post(handle: &ServerHandle, path: &str, auth: &str, body: &str) -> String {
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(handle, req.as_bytes())
}

/// Removes chunked framing from a response body.
fn dechunk(resp: &str) -> String {
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    if !head.contains("Transfer-Encoding: chunked") {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size, 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

const BASIC: &str = "Basic cm9vdDp0YW9zZGF0YQ==";

#[test]
fn rest_success_shapes() {
    let h = server(ServerConfig::new());
    let r = post(&h, "/rest/sql/test", BASIC, "select");
    assert!(r.starts_with("HTTP/1.1 200 OK"), "{r}");
    assert_eq!(
        dechunk(&r),
        r#"{"code":0,"column_meta":[["ts","TIMESTAMP",8],["v","INT",4],["s","VARCHAR",10],["n","NCHAR",4]],"data":[["2023-11-14T22:13:20.000Z",42,"ab","中"],["2023-11-14T22:13:21.000Z",null,null,"ok"]],"rows":2}"#
    );
    let r = post(
        &h,
        "/rest/sql/test?tz=Asia/Shanghai&row_with_meta=true",
        BASIC,
        "select",
    );
    assert!(
        dechunk(&r).contains(r#"{"ts":"2023-11-15T06:13:20.000+08:00","v":42,"s":"ab","n":"中"}"#)
    );
    let r = post(&h, "/rest/sql?timing=true", BASIC, "  insert \n");
    let body = dechunk(&r);
    assert!(
        body.starts_with(
            r#"{"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[2]],"rows":1,"timing":"#
        ),
        "{body}"
    );
    let r = post(&h, "/rest/sql?row_with_meta=1", BASIC, "insert");
    assert!(dechunk(&r).contains(r#""data":[{"affected_rows":2}]"#));
    // Many rows stream in several chunks.
    let r = post(&h, "/rest/sql", BASIC, "many");
    let body = dechunk(&r);
    assert!(body.ends_with(r#""rows":10000}"#));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["data"].as_array().unwrap().len(), 10_000);
    // A fetch failure mid-stream ends the data with code 0.
    let r = post(&h, "/rest/sql", BASIC, "broken");
    assert!(dechunk(&r).ends_with(r#""data":[],"rows":0}"#));
}

#[test]
fn rest_errors() {
    let h = server(ServerConfig::new());
    let r = post(&h, "/rest/sql", BASIC, "wrong sql");
    assert!(r.starts_with("HTTP/1.1 200"));
    assert!(
        dechunk(&r)
            .starts_with(r#"{"code":9728,"desc":"syntax error near \"wrong sql\"","timing":"#)
    );
    let r = post(&h, "/rest/sql", "Basic cm9vdDp3cm9uZw==", "select");
    assert!(dechunk(&r).starts_with(r#"{"code":855,"desc":"Authentication failure""#));
    let r = raw(
        &h,
        b"POST /rest/sql HTTP/1.1\r\nContent-Length: 6\r\nConnection: close\r\n\r\nselect",
    );
    assert!(r.starts_with("HTTP/1.1 401"));
    assert!(r.contains(r#"{"code":4357,"desc":"no auth info input""#));
    let r = post(&h, "/rest/sql", "Digest abc", "select");
    assert!(r.starts_with("HTTP/1.1 401") && r.contains(r#""code":4386"#));
    let r = post(&h, "/rest/sql", "Basic !!", "select");
    assert!(r.contains(r#""code":4388"#));
    let r = post(&h, "/rest/sql", "Taosd abcd", "select");
    assert!(r.contains(r#""code":4389"#));
    let r = post(&h, "/rest/sql", BASIC, "");
    assert!(r.starts_with("HTTP/1.1 400") && r.contains(r#""code":4358"#));
    let r = post(&h, "/rest/sql", BASIC, " \n ");
    assert!(r.starts_with("HTTP/1.1 400") && r.contains(r#""code":4359"#));
    let r = post(&h, "/rest/sql?req_id=abc", BASIC, "select");
    assert!(
        r.starts_with("HTTP/1.1 400")
            && r.contains(r#""code":65535,"desc":"illegal param, req_id must be numeric"#)
    );
    let r = post(&h, "/rest/sql?tz=Mars/Base", BASIC, "select");
    assert!(r.starts_with("HTTP/1.1 400") && r.contains("unknown time zone Mars/Base"));
    let r = post(&h, "/rest/sql?row_with_meta=yes", BASIC, "select");
    assert!(r.starts_with("HTTP/1.1 400") && r.contains("row_with_meta must be boolean"));
    let r = post(&h, "/nope", BASIC, "select");
    assert!(r.starts_with("HTTP/1.1 404"));
    let r = raw(&h, b"GARBAGE\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400"));
    let r = raw(&h, b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400"));
}

#[test]
fn rest_login_and_taosd_token() {
    let h = server(ServerConfig::new());
    let r = raw(
        &h,
        b"GET /rest/login/root/taosdata HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    let token = "/KfeAzX/f9na8qdtNZmtONryp201ma04bEl8LcvLUd7a8qdtNZmtONryp201ma04";
    assert!(
        r.ends_with(&format!(r#"{{"code":0,"desc":"{token}"}}"#)),
        "{r}"
    );
    let r = post(&h, "/rest/sql/test", &format!("Taosd {token}"), "select");
    assert!(dechunk(&r).contains(r#""rows":2"#));
    let r = raw(
        &h,
        b"GET /rest/login/root/bad HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 401") && r.contains(r#""code":3"#));
}

#[test]
fn keep_alive_and_chunked_request_bodies() {
    let h = server(ServerConfig::new());
    let mut s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = format!(
        "POST /rest/sql HTTP/1.1\r\nAuthorization: {BASIC}\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nins\r\n3\r\nert\r\n0\r\n\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while seen.matches("\"rows\":1}").count() < 2 {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0);
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

fn ws_connect(
    h: &ServerHandle,
    path: &str,
) -> tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>> {
    let url = format!("ws://{}{path}", h.addr());
    let (ws, _) = tungstenite::connect(url).unwrap();
    ws
}

fn text(
    ws: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    msg: &str,
) -> serde_json::Value {
    ws.send(Message::text(msg)).unwrap();
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn ws_json_and_binary_paths() {
    let h = server(ServerConfig::new());
    let mut ws = ws_connect(&h, "/ws");
    let v = text(&mut ws, r#"{"action":"version"}"#);
    assert_eq!(v["version"], "3.3.6.0");
    assert_eq!(v["req_id"], 0);
    let v = text(
        &mut ws,
        r#"{"action":"query","args":{"req_id":3,"sql":"select"}}"#,
    );
    assert_eq!(
        (v["code"].as_u64(), v["message"].as_str()),
        (Some(65535), Some("server not connected"))
    );
    let v = text(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"bad"}}"#,
    );
    assert_eq!(v["code"], 855);
    let v = text(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"test"}}"#,
    );
    assert_eq!(v["code"], 0);
    let v = text(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata"}}"#,
    );
    assert_eq!(v["message"], "duplicate connections");
    let v = text(
        &mut ws,
        r#"{"action":"query","args":{"req_id":2,"sql":"select"}}"#,
    );
    assert_eq!(v["id"], 1);
    assert_eq!(v["fields_lengths"], serde_json::json!([8, 4, 10, 4]));
    let v = text(&mut ws, r#"{"action":"fetch","args":{"req_id":3,"id":1}}"#);
    assert_eq!(
        (v["rows"].as_u64(), v["completed"].as_bool()),
        (Some(2), Some(false))
    );
    ws.send(Message::text(
        r#"{"action":"fetch_block","args":{"req_id":4,"id":1}}"#,
    ))
    .unwrap();
    let Message::Binary(b) = ws.read().unwrap() else {
        panic!()
    };
    assert_eq!(&b[8..16], &1u64.to_le_bytes());
    assert_eq!(b.len(), 16 + 127);
    let v = text(&mut ws, r#"{"action":"fetch","args":{"req_id":5,"id":1}}"#);
    assert_eq!(v["completed"], true);
    let v = text(&mut ws, r#"{"action":"fetch","args":{"req_id":6,"id":1}}"#);
    assert_eq!(v["message"], "result is nil");
    // free_result is never answered: the next reply is for the version request.
    ws.send(Message::text(
        r#"{"action":"free_result","args":{"req_id":7,"id":1}}"#,
    ))
    .unwrap();
    let v = text(&mut ws, r#"{"action":"version","args":{"req_id":8}}"#);
    assert_eq!(v["req_id"], 8);
    // Binary query + fetch_raw_block.
    let mut q = Vec::new();
    q.extend_from_slice(&9u64.to_le_bytes());
    q.extend_from_slice(&0u64.to_le_bytes());
    q.extend_from_slice(&6u64.to_le_bytes());
    q.extend_from_slice(&1u16.to_le_bytes());
    q.extend_from_slice(&6u32.to_le_bytes());
    q.extend_from_slice(b"select");
    ws.send(Message::binary(q)).unwrap();
    let Message::Text(t) = ws.read().unwrap() else {
        panic!()
    };
    let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
    assert_eq!(
        (v["action"].as_str(), v["id"].as_u64(), v["req_id"].as_u64()),
        (Some("binary_query"), Some(2), Some(9))
    );
    let fetch = |req: u64| {
        let mut f = Vec::new();
        f.extend_from_slice(&req.to_le_bytes());
        f.extend_from_slice(&2u64.to_le_bytes());
        f.extend_from_slice(&7u64.to_le_bytes());
        f.extend_from_slice(&1u16.to_le_bytes());
        f
    };
    ws.send(Message::binary(fetch(10))).unwrap();
    let Message::Binary(b) = ws.read().unwrap() else {
        panic!()
    };
    assert_eq!(&b[..8], &[0xff; 8]);
    assert_eq!(b.len(), 55 + 127);
    assert_eq!(b[50], 0);
    ws.send(Message::binary(fetch(11))).unwrap();
    let Message::Binary(b) = ws.read().unwrap() else {
        panic!()
    };
    assert_eq!((b.len(), b[50]), (51, 1));
    ws.send(Message::binary(fetch(12))).unwrap();
    let Message::Binary(b) = ws.read().unwrap() else {
        panic!()
    };
    assert_eq!(&b[34..38], &0xffffu32.to_le_bytes());
    assert_eq!(&b[42..55], b"result is nil");
    // Garbage and unknown actions.
    let v = text(&mut ws, "not json");
    assert_eq!(
        (v["message"].as_str(), v["action"].as_str()),
        (Some("unmarshal request error"), Some(""))
    );
    let v = text(&mut ws, r#"{"args":{}}"#);
    assert_eq!(v["message"], "request no action");
    let v = text(&mut ws, r#"{"action":"frobnicate","args":{"req_id":5}}"#);
    assert_eq!(
        (v["message"].as_str(), v["req_id"].as_u64()),
        (Some("unknown action frobnicate"), Some(5))
    );
    let v = text(&mut ws, r#"{"action":"query","args":{"req_id":"x"}}"#);
    assert_eq!(v["message"], "unmarshal query request error");
    ws.send(Message::binary(vec![1, 2, 3])).unwrap();
    let Message::Text(t) = ws.read().unwrap() else {
        panic!()
    };
    assert!(t.as_str().contains("message length is too short"));
}

#[test]
fn ws_pings_and_idle_deadline() {
    let h = server(
        ServerConfig::new()
            .ws_ping_interval(Duration::from_millis(20))
            .ws_read_deadline(Duration::from_millis(400)),
    );
    let mut ws = ws_connect(&h, "/ws");
    ws.get_mut()
        .get_mut_tcp()
        .set_read_timeout(Some(Duration::from_secs(5)))
        .ok();
    let mut pings = 0;
    loop {
        match ws.read() {
            Ok(Message::Ping(_)) => pings += 1,
            Ok(_) => {}
            Err(_) => break,
        }
        if pings > 20 {
            break;
        }
    }
    // The client's automatic pongs keep it alive: it sees many pings and no close.
    assert!(pings > 20);
}

trait TcpOf {
    fn get_mut_tcp(&mut self) -> &mut TcpStream;
}
impl TcpOf for tungstenite::stream::MaybeTlsStream<TcpStream> {
    fn get_mut_tcp(&mut self) -> &mut TcpStream {
        match self {
            tungstenite::stream::MaybeTlsStream::Plain(s) => s,
            _ => panic!("plain only"),
        }
    }
}

#[test]
fn idle_websocket_is_dropped() {
    let h = server(
        ServerConfig::new()
            .ws_ping_interval(Duration::from_secs(30))
            .ws_read_deadline(Duration::from_millis(200)),
    );
    let ws = ws_connect(&h, "/ws");
    let mut tcp = match ws.into_inner() {
        tungstenite::stream::MaybeTlsStream::Plain(s) => s,
        _ => panic!(),
    };
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = Vec::new();
    // The server closes the socket after the deadline: read_to_end returns.
    tcp.read_to_end(&mut buf).unwrap();
}

#[test]
fn faults_drop_and_truncate() {
    let h = server(ServerConfig::new().faults(FaultInjector::new().truncate_reply(2)));
    let mut ws = ws_connect(&h, "/ws");
    let _ = text(&mut ws, r#"{"action":"version"}"#);
    ws.send(Message::text(r#"{"action":"version"}"#)).unwrap();
    assert!(ws.read().is_err());
    let h = server(ServerConfig::new().faults(FaultInjector::new().drop_after(1)));
    let mut ws = ws_connect(&h, "/ws");
    let _ = text(&mut ws, r#"{"action":"version"}"#);
    ws.send(Message::text(r#"{"action":"version"}"#)).unwrap();
    assert!(ws.read().is_err());
}

#[test]
fn shutdown_closes_open_connections() {
    let h = server(ServerConfig::new());
    let mut ws = ws_connect(&h, "/ws");
    let _ = text(&mut ws, r#"{"action":"version"}"#);
    let idle = TcpStream::connect(h.addr()).unwrap();
    let started = std::time::Instant::now();
    drop(h);
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(idle);
}

/// A self-signed test certificate for `localhost` / 127.0.0.1 (EC P-256, 100 years).
const TEST_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUIAk/JBDZcnZ7ybl7FlhR7B2GS9gwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMjAxNDMwM1oYDzIxMjYxMDI5
MDE0MzAzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQI/FMWhorDlB27v0whx8+saekFKzoscbiCqKrC3UKZZaXTycADY+Ys
dBf01TWGjf0IQpVgGeMM6TwP0qbRbdvmo28wbTAdBgNVHQ4EFgQUyuFJ+bohpKSI
tR2bey17PNGugPYwHwYDVR0jBBgwFoAUyuFJ+bohpKSItR2bey17PNGugPYwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgKB8SlBDZLJvPXnertrnkDHIvr91ZB5CWOa8YfWCK5xACIAHn
FF7/nakwGGXNLnFZCbzn72e0HCdd6ZScpOFhMeyB
-----END CERTIFICATE-----
";
/// Its PKCS#8 private key.
const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4585f7SYJ3okl22Q
zcT+xTuFLlSPpOJJZjPaEgPT4hWhRANCAAQI/FMWhorDlB27v0whx8+saekFKzos
cbiCqKrC3UKZZaXTycADY+YsdBf01TWGjf0IQpVgGeMM6TwP0qbRbdvm
-----END PRIVATE KEY-----
";

#[test]
fn tls_serves_https_and_wss() {
    let config = ServerConfig::new()
        .tls_pem(TEST_CERT.as_bytes(), TEST_KEY.as_bytes())
        .unwrap();
    let h = server(config);
    assert!(h.dsn_ws().starts_with("wss://root:taosdata@127.0.0.1:"));
    assert!(h.dsn_rest().starts_with("https://"));
    let connector = native_tls::TlsConnector::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    // REST over TLS.
    let tcp = TcpStream::connect(h.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut tls = connector.connect("localhost", tcp).unwrap();
    let req = format!(
        "POST /rest/sql HTTP/1.1\r\nAuthorization: {BASIC}\r\nConnection: close\r\nContent-Length: 6\r\n\r\ninsert"
    );
    tls.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out);
    let out = String::from_utf8_lossy(&out).into_owned();
    assert!(dechunk(&out).contains(r#""data":[[2]]"#), "{out}");
    // WebSocket over TLS.
    let tcp = TcpStream::connect(h.addr()).unwrap();
    let (mut ws, _) = tungstenite::client_tls_with_config(
        format!("wss://localhost:{}/ws", h.port()),
        tcp,
        None,
        Some(tungstenite::Connector::NativeTls(connector)),
    )
    .unwrap();
    let v = text(&mut ws, r#"{"action":"version","args":{"req_id":5}}"#);
    assert_eq!(v["req_id"], 5);
    // A plain-text client on the TLS port gets nothing useful and the server stays up.
    let r = raw(&h, b"GET / HTTP/1.1\r\n\r\n");
    assert!(!r.starts_with("HTTP/1.1 200"));
    assert!(ServerConfig::new().tls_pem(b"junk", b"junk").is_err());
}

#[test]
fn connections_over_the_limit_get_503() {
    let h = server(ServerConfig::new().max_connections(1));
    let mut first = ws_connect(&h, "/ws");
    let _ = text(&mut first, r#"{"action":"version"}"#);
    let r = raw(&h, b"GET /rest/login/root/taosdata HTTP/1.1\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    drop(first);
}

#[test]
fn expect_continue_gets_an_interim_response() {
    let h = server(ServerConfig::new());
    let mut s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let head = format!(
        "POST /rest/sql HTTP/1.1\r\nAuthorization: {BASIC}\r\nExpect: 100-continue\r\nContent-Length: 6\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut buf = [0u8; 25];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(b"insert").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(dechunk(&out).contains(r#""data":[[2]]"#));
}

/// A tiny deterministic generator for garbage inputs.
fn lcg(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

#[test]
fn garbage_never_takes_the_server_down() {
    let h = server(ServerConfig::new().io_timeout(Duration::from_millis(100)));
    let mut seed = 7u64;
    let prefixes: [&[u8]; 4] = [
        b"",
        b"POST /rest/sql HTTP/1.1\r\n",
        b"GET /ws HTTP/1.1\r\n",
        b"POST /rest/sql HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ];
    for i in 0..40 {
        let mut req = prefixes[i % prefixes.len()].to_vec();
        let len = lcg(&mut seed) % 300;
        req.extend((0..len).map(|_| lcg(&mut seed) as u8));
        if i % 2 == 0 {
            req.extend_from_slice(b"\r\n\r\n");
        }
        let _ = raw(&h, &req);
    }
    // WebSocket frames of random bytes, text and binary.
    let mut ws = ws_connect(&h, "/ws");
    let _ = text(
        &mut ws,
        r#"{"action":"conn","args":{"user":"root","password":"taosdata","db":"test"}}"#,
    );
    for i in 0..200 {
        let len = (lcg(&mut seed) % 64) as usize;
        let mut frame: Vec<u8> = (0..len).map(|_| lcg(&mut seed) as u8).collect();
        if i % 3 == 0 && frame.len() >= 24 {
            // A valid action code with a garbage body.
            let action = [6u8, 7, 10][(i / 3) % 3];
            frame[16..24].copy_from_slice(&u64::from(action).to_le_bytes());
        }
        ws.send(Message::binary(frame)).unwrap();
        match ws.read().unwrap() {
            Message::Text(_) | Message::Binary(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    for _ in 0..50 {
        let len = (lcg(&mut seed) % 64) as usize;
        let s: String = (0..len)
            .map(|_| char::from(b' ' + (lcg(&mut seed) % 90) as u8))
            .collect();
        let v = text(&mut ws, &s);
        assert_eq!(v["code"], 65535, "{s}");
    }
    let v = text(
        &mut ws,
        r#"{"action":"query","args":{"req_id":1,"sql":"select"}}"#,
    );
    assert_eq!(v["code"], 0);
    let r = post(&h, "/rest/sql/test", BASIC, "select");
    assert!(dechunk(&r).contains(r#""rows":2"#));
}

#[test]
fn handle_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ServerHandle>();
    assert_send_sync::<ServerConfig>();
}

#[test]
fn slow_requests_are_cut_off() {
    let h = server(ServerConfig::new().io_timeout(Duration::from_millis(300)));
    let mut s = TcpStream::connect(h.addr()).unwrap();
    // One byte every 100 ms for 1.5 s: each read is quick, but the whole head takes far
    // longer than the 300 ms deadline.
    for b in b"POST /rest/sql HTTP/1.1\r\n".iter().take(15) {
        if s.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // By now the server has closed the connection: EOF or reset, not "no data yet".
    s.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(n) => assert_eq!(n, 0, "{:?}", &buf[..n]),
        Err(e) => assert_ne!(e.kind(), std::io::ErrorKind::WouldBlock),
    }
}

#[test]
fn default_zone_follows_tz_then_localtime_then_timezone_file() {
    let link = Some("/usr/share/zoneinfo/Europe/Berlin");
    let file = Some("Asia/Tokyo\n");
    assert_eq!(
        zone_from(Some("Asia/Shanghai"), link, file),
        Tz::Asia__Shanghai
    );
    assert_eq!(
        zone_from(Some(":America/New_York"), None, None),
        Tz::America__New_York
    );
    assert_eq!(
        zone_from(Some(":/usr/share/zoneinfo/Asia/Kolkata"), None, None),
        Tz::Asia__Kolkata
    );
    // An unresolvable TZ is UTC, as glibc reads it; the files are not consulted.
    assert_eq!(zone_from(Some("Mars/Base"), link, file), Tz::UTC);
    assert_eq!(zone_from(Some(""), link, file), Tz::Europe__Berlin);
    assert_eq!(zone_from(None, link, file), Tz::Europe__Berlin);
    assert_eq!(
        zone_from(None, Some("../usr/share/zoneinfo/Etc/UTC"), file),
        Tz::Etc__UTC
    );
    assert_eq!(zone_from(None, Some("/nonsense"), file), Tz::Asia__Tokyo);
    assert_eq!(zone_from(None, None, None), Tz::UTC);
}
