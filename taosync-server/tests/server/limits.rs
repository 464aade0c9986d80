//! The server's resource bounds over raw TCP: the handshake deadline that frees the slots
//! of connections that never speak, the keep-alive idle deadline, the server-wide budget of
//! buffered request bodies, the header size caps, and the rejection of conflicting body
//! framing (`Content-Length` twice, or with `Transfer-Encoding`).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::{BASIC, body, json_body as json, raw, status, ws_connect};
use taosync_server::{Server, ServerConfig, ServerHandle};
use tungstenite::Message;

/// A statement the engine answers with one row.
const SQL: &str = "select server_version()";

fn connect(h: &ServerHandle) -> TcpStream {
    let s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// The head of `POST /rest/sql` as root with a `Content-Length` of `len`.
fn sql_head(len: usize, keep_alive: bool) -> String {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    format!(
        "POST /rest/sql HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\nConnection: {connection}\r\nContent-Length: {len}\r\n\r\n"
    )
}

/// `SQL` padded with spaces to `len` bytes.
fn padded_sql(len: usize) -> Vec<u8> {
    let mut b = SQL.as_bytes().to_vec();
    b.resize(len, b' ');
    b
}

/// Reads one response (fixed-length or chunked body) off a keep-alive connection.
fn read_response(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "closed in the head: {buf:?}");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf.clone()).unwrap().to_ascii_lowercase();
    if let Some(at) = head.find("content-length: ") {
        let len: usize = head[at + 16..]
            .split("\r\n")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let mut body = vec![0u8; len];
        s.read_exact(&mut body).unwrap();
        buf.extend_from_slice(&body);
    } else {
        assert!(head.contains("transfer-encoding: chunked"), "{head}");
        while !buf.ends_with(b"\r\n0\r\n\r\n") {
            assert_eq!(s.read(&mut byte).unwrap(), 1, "closed in the body");
            buf.push(byte[0]);
        }
    }
    String::from_utf8(buf).unwrap()
}

/// True once the server has closed `s`: end of stream or a reset within `within`.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 256];
    match s.read(&mut buf) {
        Ok(0) => true,
        Ok(n) => panic!("unexpected bytes: {:?}", String::from_utf8_lossy(&buf[..n])),
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

/// Polls `h.buffered_body_bytes()` until it is `want` (at most 2 s).
fn wait_buffered(h: &ServerHandle, want: usize) {
    let until = Instant::now() + Duration::from_secs(2);
    while h.buffered_body_bytes() != want {
        assert!(
            Instant::now() < until,
            "buffered {} bytes, expected {want}",
            h.buffered_body_bytes()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `GET /rest/login` on a fresh connection, retried for up to `within` while the
/// server still refuses it with 503 (a slot is given back just after its socket closes).
fn login_within(h: &ServerHandle, within: Duration) -> String {
    let until = Instant::now() + within;
    loop {
        let r = raw(
            h,
            b"GET /rest/login/root/taosdata HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        if status(&r) != 503 || Instant::now() >= until {
            return r;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn silent_connections_give_their_slots_back_after_the_handshake_deadline() {
    let deadline = Duration::from_millis(300);
    let h = Server::start(
        ServerConfig::new()
            .max_connections(4)
            .handshake_timeout(deadline),
    )
    .unwrap();
    let opened = Instant::now();
    // Three sockets that never send a byte, and one that drips a head it never finishes:
    // each read is quick, the head never completes.
    let mut silent: Vec<TcpStream> = (0..3).map(|_| connect(&h)).collect();
    let mut dripper = connect(&h);
    dripper
        .write_all(b"GET /rest/login/root/taosdata HTTP/1.1\r\n")
        .unwrap();
    // Every slot is taken: a fifth client is refused.
    let r = raw(&h, b"GET /rest/login/root/taosdata HTTP/1.1\r\n\r\n");
    assert_eq!(status(&r), 503, "{r}");
    assert!(r.contains(r#""desc":"too many connections""#), "{r}");
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(50));
        if dripper.write_all(b"X-Drip: 1\r\n").is_err() {
            break;
        }
    }
    // Past the deadline (plus a margin) every one of them has been closed, no reply.
    let margin = Duration::from_millis(500);
    for s in silent.iter_mut().chain(std::iter::once(&mut dripper)) {
        let left = (deadline + margin).saturating_sub(opened.elapsed());
        assert!(closed_within(s, left.max(Duration::from_millis(1))));
    }
    assert!(opened.elapsed() >= deadline);
    // And a fresh client is served.
    let r = login_within(&h, Duration::from_millis(500));
    assert_eq!(status(&r), 200, "{r}");
    assert_eq!(json(&r)["code"], 0, "{r}");
}

#[test]
fn a_first_request_in_time_is_served_and_keep_alive_idles_out() {
    let idle = Duration::from_millis(300);
    let h = Server::start(
        ServerConfig::new()
            .handshake_timeout(Duration::from_millis(200))
            .io_timeout(idle),
    )
    .unwrap();
    let mut s = connect(&h);
    // Quiet for most of the handshake deadline, then a request: it is served.
    std::thread::sleep(Duration::from_millis(100));
    s.write_all(sql_head(SQL.len(), true).as_bytes()).unwrap();
    s.write_all(SQL.as_bytes()).unwrap();
    let r = read_response(&mut s);
    assert_eq!(json(&r)["code"], 0, "{r}");
    // Later requests on the connection are not held to the handshake deadline: 250 ms
    // of quiet (past the 200 ms handshake deadline, within the 300 ms idle one) is fine.
    std::thread::sleep(Duration::from_millis(250));
    s.write_all(sql_head(SQL.len(), true).as_bytes()).unwrap();
    s.write_all(SQL.as_bytes()).unwrap();
    let r = read_response(&mut s);
    assert_eq!(json(&r)["code"], 0, "{r}");
    // Then idle past the keep-alive deadline: the server closes it.
    let quiet = Instant::now();
    assert!(closed_within(&mut s, idle + Duration::from_millis(500)));
    assert!(quiet.elapsed() >= idle - Duration::from_millis(50));
}

#[test]
fn websockets_keep_their_own_idle_deadline() {
    let h = Server::start(
        ServerConfig::new()
            .handshake_timeout(Duration::from_millis(100))
            .ws_read_deadline(Duration::from_millis(600)),
    )
    .unwrap();
    let mut ws = ws_connect(&h, "/ws");
    // Quiet past the handshake deadline: the session is still there.
    std::thread::sleep(Duration::from_millis(300));
    ws.send(Message::text(r#"{"action":"version","args":{"req_id":1}}"#))
        .unwrap();
    match ws.read().unwrap() {
        Message::Text(t) => assert!(t.as_str().contains(r#""code":0"#), "{t}"),
        other => panic!("{other:?}"),
    }
    // Quiet past the WebSocket read deadline: the server drops it.
    let quiet = Instant::now();
    let mut tcp = match ws.into_inner() {
        tungstenite::stream::MaybeTlsStream::Plain(s) => s,
        _ => unreachable!(),
    };
    tcp.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut rest = Vec::new();
    let _ = tcp.read_to_end(&mut rest);
    let waited = quiet.elapsed();
    assert!(waited >= Duration::from_millis(500), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
}

#[test]
fn bodies_over_the_global_budget_get_503_and_the_budget_comes_back() {
    const BIG: usize = 700 * 1024;
    let h = Server::start(ServerConfig::new().body_budget(1 << 20)).unwrap();
    let big = padded_sql(BIG);
    // A takes 700 KiB of the 1 MiB budget as soon as its head is in; its body trickles.
    let mut a = connect(&h);
    a.write_all(sql_head(BIG, false).as_bytes()).unwrap();
    a.write_all(&big[..100 * 1024]).unwrap();
    wait_buffered(&h, BIG);
    // Concurrent big bodies do not fit: 503 with a JSON error, body not buffered.
    let others: Vec<_> = (0..4)
        .map(|_| {
            let addr = h.addr();
            let big = big.clone();
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                s.write_all(sql_head(BIG, true).as_bytes()).unwrap();
                s.write_all(&big).unwrap();
                let busy = read_response(&mut s);
                // The body was read past, so the connection carries the next request.
                s.write_all(sql_head(SQL.len(), false).as_bytes()).unwrap();
                s.write_all(SQL.as_bytes()).unwrap();
                (busy, read_response(&mut s))
            })
        })
        .collect();
    for t in others {
        let (busy, next) = t.join().unwrap();
        assert_eq!(status(&busy), 503, "{busy}");
        let v = json(&busy);
        assert_eq!(v["code"], 65535, "{busy}");
        assert!(
            v["desc"].as_str().unwrap().contains("server busy"),
            "{busy}"
        );
        assert_eq!(json(&next)["code"], 0, "{next}");
    }
    // Only A holds anything (the small requests give theirs back just after replying).
    wait_buffered(&h, BIG);
    // A small request still fits.
    let r = raw(
        &h,
        [sql_head(SQL.len(), false).as_bytes(), SQL.as_bytes()]
            .concat()
            .as_slice(),
    );
    assert_eq!(json(&r)["code"], 0, "{r}");
    // A client waiting for 100 Continue is answered 503 at once, and never sends its body.
    let mut c = connect(&h);
    let head = sql_head(BIG, false).replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n");
    c.write_all(head.as_bytes()).unwrap();
    let mut reply = String::new();
    c.read_to_string(&mut reply).unwrap();
    assert_eq!(status(&reply), 503, "{reply}");
    // A finishes and is answered; then the whole budget is back.
    a.write_all(&big[100 * 1024..]).unwrap();
    let mut reply = Vec::new();
    a.read_to_end(&mut reply).unwrap();
    let reply = String::from_utf8(reply).unwrap();
    assert_eq!(json(&reply)["data"][0][0], "3.3.6.0", "{reply}");
    wait_buffered(&h, 0);
    // So a body bigger than A's fits now.
    let bigger = padded_sql(1 << 20);
    let r = raw(
        &h,
        [sql_head(bigger.len(), false).as_bytes(), &bigger]
            .concat()
            .as_slice(),
    );
    assert_eq!(json(&r)["code"], 0, "{r}");
    wait_buffered(&h, 0);
}

#[test]
fn the_budget_is_given_back_on_every_path() {
    let h = Server::start(ServerConfig::new().body_budget(64 * 1024)).unwrap();
    // A client that leaves in the middle of its body.
    let mut s = connect(&h);
    s.write_all(sql_head(60_000, false).as_bytes()).unwrap();
    s.write_all(&padded_sql(1000)).unwrap();
    wait_buffered(&h, 60_000);
    drop(s);
    wait_buffered(&h, 0);
    // A chunked body that outgrows the budget chunk by chunk: 503, the rest read past, the
    // connection still usable, nothing held.
    let mut s = connect(&h);
    let head = format!(
        "POST /rest/sql HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut chunked = Vec::new();
    for piece in padded_sql(100_000).chunks(20_000) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    s.write_all(&chunked).unwrap();
    let r = read_response(&mut s);
    assert_eq!(status(&r), 503, "{r}");
    wait_buffered(&h, 0);
    s.write_all(sql_head(SQL.len(), false).as_bytes()).unwrap();
    s.write_all(SQL.as_bytes()).unwrap();
    let r = read_response(&mut s);
    assert_eq!(json(&r)["code"], 0, "{r}");
    // A chunked body within the budget is served.
    let small: Vec<u8> = [
        head.replace("Transfer", "Connection: close\r\nTransfer")
            .as_bytes(),
        format!("{:x}\r\n{SQL}\r\n0\r\n\r\n", SQL.len()).as_bytes(),
    ]
    .concat();
    let r = raw(&h, &small);
    assert_eq!(json(&r)["code"], 0, "{r}");
    // Requests rejected for their framing or answered with an error hold nothing either.
    let r = raw(
        &h,
        format!(
            "{}{SQL}",
            sql_head(SQL.len(), false).replace(BASIC, "Basic eA==")
        )
        .as_bytes(),
    );
    assert_eq!(status(&r), 401, "{r}");
    wait_buffered(&h, 0);
}

#[test]
fn conflicting_body_framing_gets_400_and_a_closed_connection() {
    let h = Server::start(ServerConfig::new()).unwrap();
    // The second "request" hidden in each body must never be answered.
    let smuggled = "GET /rest/login/root/taosdata HTTP/1.1\r\nHost: x\r\n\r\n";
    let cases = [
        format!("Content-Length: 0\r\nContent-Length: {}", smuggled.len()),
        format!("Content-Length: {}, 0", smuggled.len()),
        format!(
            "Content-Length: {}\r\nTransfer-Encoding: chunked",
            smuggled.len()
        ),
        format!(
            "Transfer-Encoding: chunked\r\nContent-Length: {}",
            smuggled.len()
        ),
        "Transfer-Encoding: gzip".to_owned(),
        "Transfer-Encoding: gzip, chunked".to_owned(),
        "Content-Length: 0\r\nContent-Length: zz".to_owned(),
    ];
    for framing in cases {
        let req = format!(
            "POST /rest/sql HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\n{framing}\r\n\r\n{smuggled}"
        );
        let started = Instant::now();
        let r = raw(&h, req.as_bytes());
        assert_eq!(status(&r), 400, "{framing}: {r}");
        assert_eq!(r.matches("HTTP/1.1 ").count(), 1, "{framing}: {r}");
        assert!(r.contains("Connection: close\r\n"), "{framing}: {r}");
        assert!(
            body(&r).contains("Content-Length") || body(&r).contains("Transfer-Encoding"),
            "{framing}: {r}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    // Repeated Content-Length values that agree are one length (RFC 9110 §8.6).
    for framing in [
        format!("Content-Length: {0}\r\nContent-Length: {0}", SQL.len()),
        format!("Content-Length: {0}, {0}", SQL.len()),
    ] {
        let req = format!(
            "POST /rest/sql HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\nConnection: close\r\n{framing}\r\n\r\n{SQL}"
        );
        let r = raw(&h, req.as_bytes());
        assert_eq!(json(&r)["code"], 0, "{framing}: {r}");
    }
}

#[test]
fn request_heads_are_bounded() {
    let h = Server::start(ServerConfig::new()).unwrap();
    // One enormous header.
    let req = format!(
        "GET /rest/login/root/taosdata HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(70 * 1024)
    );
    let r = raw(&h, req.as_bytes());
    assert_eq!(status(&r), 431, "{r}");
    // Too many headers.
    let many: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    let r = raw(
        &h,
        format!("GET /rest/login/root/taosdata HTTP/1.1\r\n{many}\r\n").as_bytes(),
    );
    assert_eq!(status(&r), 431, "{r}");
    // A header section that never ends: 431 once the cap is passed, then the connection
    // is closed while the client is still sending.
    let mut s = connect(&h);
    let mut writer = s.try_clone().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = writer.write_all(b"GET /rest/login/root/taosdata HTTP/1.1\r\n");
        let line = format!("X-Pad: {}\r\n", "p".repeat(1000));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(4) {
            if writer.write_all(line.as_bytes()).is_err() {
                return true;
            }
        }
        false
    });
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert_eq!(status(&reply), 431, "{reply}");
    assert!(
        feeder.join().unwrap(),
        "the server kept reading an endless head"
    );
    // The server is still fine.
    let r = login_within(&h, Duration::ZERO);
    assert_eq!(status(&r), 200, "{r}");
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
fn the_tls_handshake_is_held_to_the_handshake_deadline() {
    let deadline = Duration::from_millis(300);
    let config = ServerConfig::new()
        .tls_pem(TEST_CERT.as_bytes(), TEST_KEY.as_bytes())
        .unwrap()
        .max_connections(2)
        .handshake_timeout(deadline);
    let h = Server::start(config).unwrap();
    let opened = Instant::now();
    // One socket silent, one dripping a TLS record header and then a byte every 50 ms:
    // every read is quick, but the handshake never completes.
    let mut silent = connect(&h);
    let mut dripper = connect(&h);
    dripper
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .unwrap();
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(50));
        if dripper.write_all(&[0]).is_err() {
            break;
        }
    }
    let margin = Duration::from_millis(500);
    for s in [&mut silent, &mut dripper] {
        let left = (deadline + margin).saturating_sub(opened.elapsed());
        assert!(closed_within(s, left.max(Duration::from_millis(1))));
    }
    // The slots are free again, and a real TLS client is served.
    let connector = native_tls::TlsConnector::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let until = Instant::now() + Duration::from_millis(500);
    let out = loop {
        // While a slot is still taken the server answers in plain text: no handshake.
        let mut out = Vec::new();
        if let Ok(mut tls) = connector.connect("localhost", connect(&h)) {
            let req = [sql_head(SQL.len(), false).as_bytes(), SQL.as_bytes()].concat();
            if tls.write_all(&req).is_ok() {
                let _ = tls.read_to_end(&mut out);
            }
        }
        let out = String::from_utf8_lossy(&out).into_owned();
        if out.starts_with("HTTP/1.1 200") || Instant::now() >= until {
            break out;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(json(&out)["code"], 0, "{out}");
}
