//! One accepted connection: TLS handshake, HTTP requests with keep-alive, routing to the
//! REST and schemaless handlers, and the upgrade to one of the WebSocket endpoints.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::http::{self, HttpConn, Limits, ReadError, Request, Stream, Tcp};
use super::shared::Shared;
use super::{rest, schemaless, socket, tmq_ws, ws};
use crate::faults::{FaultState, ReplyFate};

/// Answers a connection over the limit with 503 and closes it, without blocking the
/// accept loop for long.
pub(crate) fn refuse(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let body = br#"{"code":65535,"desc":"too many connections"}"#;
    let _ = stream.write_all(&http::response_bytes(
        503,
        "application/json; charset=utf-8",
        body,
        false,
    ));
    let _ = stream.shutdown(Shutdown::Both);
}

/// The 503 body of a request whose body does not fit in the server-wide body budget.
const BUSY_BODY: &[u8] =
    br#"{"code":65535,"desc":"server busy: too many request body bytes buffered; retry later"}"#;

/// How long an error reply waits for the client to stop sending before the socket is
/// closed (closing with unread bytes resets the connection, which can destroy the reply).
const LINGER: Duration = Duration::from_secs(1);
/// Most bytes read and dropped while lingering.
const LINGER_BYTES: usize = 1 << 20;

/// Serves one accepted connection: TLS handshake if configured, then HTTP requests until
/// the connection closes or is upgraded to a WebSocket.
///
/// The TLS handshake and the first request head must both be in within the handshake
/// timeout of the accept, so a connection that never speaks gives its slot back quickly.
pub(crate) fn handle_connection(tcp: TcpStream, shared: &Shared) {
    let accepted = Instant::now();
    let _ = tcp.set_nodelay(true);
    let _ = tcp.set_read_timeout(Some(shared.io_timeout));
    let _ = tcp.set_write_timeout(Some(shared.io_timeout));
    let mut tcp = Tcp::new(tcp);
    let stream = match &shared.tls {
        None => Stream::Plain(tcp),
        Some(acceptor) => {
            tcp.set_deadline(Some(http::after(accepted, shared.handshake_timeout)));
            match acceptor.accept(tcp) {
                Ok(tls) => Stream::Tls(Box::new(tls)),
                Err(e) => {
                    log::debug!("TLS handshake failed: {e}");
                    return;
                }
            }
        }
    };
    let limits = Limits {
        head_timeout: shared.handshake_timeout,
        request_timeout: shared.io_timeout,
        idle_timeout: shared.io_timeout,
        max_body: shared.max_body,
        budget: std::sync::Arc::clone(&shared.body_budget),
    };
    let mut conn = HttpConn::new(stream, limits, accepted);
    let mut faults = FaultState::new(&shared.faults);
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let mut req = match conn.read_request() {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Io(e)) => {
                log::debug!("connection dropped mid-request: {e}");
                return;
            }
            Err(ReadError::Malformed(why)) => {
                let body = format!("400 Bad Request: {why}");
                let _ = respond(
                    &mut conn.stream,
                    400,
                    "text/plain; charset=utf-8",
                    body.as_bytes(),
                );
                return;
            }
            Err(ReadError::HeadTooLarge) => {
                let _ = respond(
                    &mut conn.stream,
                    431,
                    "text/plain; charset=utf-8",
                    b"431 Request Header Fields Too Large",
                );
                return;
            }
            Err(ReadError::Busy { keep_alive: false }) => {
                let _ = respond(&mut conn.stream, 503, JSON, BUSY_BODY);
                return;
            }
            Err(ReadError::Busy { keep_alive: true }) => {
                let reply = http::response_bytes(503, JSON, BUSY_BODY, true);
                if conn.stream.write_all(&reply).is_err() || conn.stream.flush().is_err() {
                    return;
                }
                continue;
            }
        };
        if faults.on_request() {
            return;
        }
        let path = req.path.trim_end_matches('/').to_owned();
        if matches!(
            path.as_str(),
            "/ws" | "/rest/ws" | "/rest/schemaless" | "/rest/stmt" | "/rest/tmq"
        ) {
            if is_websocket_upgrade(&req) {
                // The session outlives the request: give back what its body held.
                req.body = Vec::new();
                req.lease = None;
                upgrade(conn, &req, shared, &path);
                return;
            }
            let _ = respond(
                &mut conn.stream,
                400,
                "text/plain; charset=utf-8",
                b"400 Bad Request: not a WebSocket handshake",
            );
            return;
        }
        let keep_alive = req.keep_alive && !req.body_error;
        let fate = faults.on_reply();
        let result = match fate {
            ReplyFate::Send => route(&req, &path, shared, &mut conn.stream, keep_alive),
            ReplyFate::Truncate => {
                let mut buf = Vec::new();
                let _ = route(&req, &path, shared, &mut buf, false);
                let _ = conn.stream.write_all(&buf[..buf.len() / 2]);
                let _ = conn.stream.flush();
                let _ = conn.stream.tcp().shutdown(Shutdown::Both);
                return;
            }
        };
        if result.is_err() || !keep_alive {
            let _ = conn.stream.flush();
            let _ = conn.stream.tcp().shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Dispatches a plain HTTP request.
fn route(
    req: &Request,
    path: &str,
    shared: &Shared,
    out: &mut dyn Write,
    keep_alive: bool,
) -> io::Result<()> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("POST", ["rest", "sql"]) => rest::sql(req, None, shared, out, keep_alive),
        ("POST", ["rest", "sql", db]) => rest::sql(req, Some(db), shared, out, keep_alive),
        ("GET", ["rest", "login", user, password]) => {
            rest::login(user, password, shared, out, keep_alive)
        }
        ("POST", ["influxdb", "v1", "write"]) => {
            schemaless::influxdb_write(req, shared, out, keep_alive)
        }
        ("POST", ["opentsdb", "v1", "put", "json", db]) => {
            let kind = schemaless::OpenTsdb::Json;
            schemaless::opentsdb_put(req, kind, db, shared, out, keep_alive)
        }
        ("POST", ["opentsdb", "v1", "put", "telnet", db]) => {
            let kind = schemaless::OpenTsdb::Telnet;
            schemaless::opentsdb_put(req, kind, db, shared, out, keep_alive)
        }
        _ => {
            out.write_all(&http::response_bytes(
                404,
                "text/plain",
                b"404 page not found",
                keep_alive,
            ))?;
            out.flush()
        }
    }
}

/// Content type of JSON replies.
const JSON: &str = "application/json; charset=utf-8";

/// Sends a final reply on a connection that is to close, then closes it gracefully: the
/// write side first, then whatever the client still sends is read and dropped for a
/// moment, so that closing with unread bytes does not reset the connection before the
/// client has read the reply.
fn respond(out: &mut Stream, status: u16, content_type: &str, body: &[u8]) -> io::Result<()> {
    out.write_all(&http::response_bytes(status, content_type, body, false))?;
    out.flush()?;
    linger_close(out);
    Ok(())
}

fn linger_close(out: &mut Stream) {
    let tcp = out.tcp();
    let _ = tcp.shutdown(Shutdown::Write);
    let until = Instant::now() + LINGER;
    let mut sink = [0u8; 16 * 1024];
    let mut dropped = 0usize;
    while dropped < LINGER_BYTES {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || tcp.set_read_timeout(Some(left)).is_err() {
            break;
        }
        let mut reader: &TcpStream = tcp;
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => dropped += n,
        }
    }
    let _ = tcp.shutdown(Shutdown::Both);
}

fn is_websocket_upgrade(req: &Request) -> bool {
    req.method == "GET"
        && req.header_has_token("upgrade", "websocket")
        && req.header_has_token("connection", "upgrade")
        && req.header("sec-websocket-key").is_some()
}

/// Answers the upgrade with 101 and serves the WebSocket at `path`.
fn upgrade(mut conn: HttpConn, req: &Request, shared: &Shared, path: &str) {
    let key = req.header("sec-websocket-key").unwrap_or_default();
    let accept = tungstenite::handshake::derive_accept_key(key);
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    if conn.stream.write_all(head.as_bytes()).is_err() || conn.stream.flush().is_err() {
        return;
    }
    // The WebSocket loops set their own read timeouts and idle deadline.
    conn.stream.set_deadline(None);
    let leftover = std::mem::take(&mut conn.buf);
    let socket = tungstenite::WebSocket::from_partially_read(
        conn.stream,
        leftover,
        tungstenite::protocol::Role::Server,
        None,
    );
    match path {
        "/rest/schemaless" => {
            socket::serve_with(socket, shared, &mut schemaless::LegacyState::new(shared));
        }
        "/rest/stmt" => ws::serve_stmt(socket, shared),
        "/rest/tmq" => tmq_ws::serve(socket, shared),
        _ => ws::serve(socket, shared, path == "/rest/ws"),
    }
}
