//! Schemaless ingestion on the wire (02 §2): the `/ws` action `insert`, the legacy
//! `/rest/schemaless` WebSocket, `POST /influxdb/v1/write` and the OpenTSDB endpoints
//! `POST /opentsdb/v1/put/{json,telnet}/{db}`.
//!
//! Every entry point builds an [`SmlRequest`] and hands it to
//! [`Session::schemaless_insert`]; the write itself (parse, plan, apply) is the engine's.

use std::io::{self, Write};
use std::time::Instant;

use super::auth;
use super::http::{Request, response_bytes};
use super::reply::{Reply, error, ok, timing};
use super::shared::Shared;
use super::socket::FrameHandler;
use crate::backend::{
    DbError, Session, SmlPrecision, SmlProtocol, SmlRequest, telnet_http_payload,
};
use taosync_proto::ws::{self as msg, GENERIC_CODE, IncomingRequest, RequestError, parse_request};

/// Content type of every JSON error body.
const JSON: &str = "application/json; charset=utf-8";

// ---------------------------------------------------------------------------------------
// WebSocket

/// The `insert` action (02 §2.1) on a connected session: protocol 0 is the adapter's own
/// error `message_for_zero`; everything else goes to TDengine's schemaless call.
fn insert_reply(
    session: &mut dyn Session,
    a: &msg::SchemalessInsertArgs,
    message_for_zero: &str,
    started: Instant,
) -> Reply {
    const ACTION: &str = "insert";
    if a.protocol == 0 {
        return error(GENERIC_CODE, message_for_zero, ACTION, a.req_id, started);
    }
    let req = SmlRequest {
        protocol: i64::from(a.protocol),
        precision: SmlPrecision::from_wire(&a.precision),
        data: &a.data,
        ttl: i64::from(a.ttl),
        req_id: a.req_id,
        table_name_key: &a.table_name_key,
    };
    match session.schemaless_insert(&req) {
        Err(e) => error(e.code, &e.message, ACTION, a.req_id, started),
        Ok(out) => {
            let body = msg::SchemalessInsertReply {
                affected_rows: i64::try_from(out.affected_rows).unwrap_or(i64::MAX),
                total_rows: i64::try_from(out.total_rows).unwrap_or(i64::MAX),
            };
            ok(ACTION, a.req_id, started, &body)
        }
    }
}

/// The `/ws` action `insert`: `session` is the connection's (the caller has checked that
/// `conn` succeeded).
pub(crate) fn ws_insert(session: &mut dyn Session, req: &IncomingRequest) -> Reply {
    let started = Instant::now();
    match req.args::<msg::SchemalessInsertArgs>() {
        Err(e) => Reply::Text(e.reply(timing(started)).to_json()),
        Ok(a) => insert_reply(session, &a, "schemaless write protocol is null", started),
    }
}

/// The protocol state of one legacy `/rest/schemaless` WebSocket (02 §2.2): `version`,
/// `conn` and `insert`; unknown actions and binary frames get no reply.
pub(crate) struct LegacyState<'a> {
    shared: &'a Shared,
    session: Option<Box<dyn Session>>,
}

impl<'a> LegacyState<'a> {
    /// A fresh, unconnected socket.
    pub(crate) fn new(shared: &'a Shared) -> LegacyState<'a> {
        LegacyState {
            shared,
            session: None,
        }
    }

    fn conn(&mut self, a: &msg::ConnArgs, started: Instant) -> Reply {
        const ACTION: &str = "conn";
        if self.session.is_some() {
            return error(
                GENERIC_CODE,
                "duplicate connections",
                ACTION,
                a.req_id,
                started,
            );
        }
        if let Err(e) = self.shared.backend.authenticate(&a.user, &a.password) {
            return error(e.code, &e.message, ACTION, a.req_id, started);
        }
        let mut session = self.shared.backend.open(&a.user);
        session.set_timezone(self.shared.server_tz);
        if !a.db.is_empty()
            && let Err(e) = session.use_db(&a.db)
        {
            return error(e.code, &e.message, ACTION, a.req_id, started);
        }
        self.session = Some(session);
        ok(ACTION, a.req_id, started, &msg::Empty {})
    }
}

impl FrameHandler for LegacyState<'_> {
    fn on_text(&mut self, text: &str) -> Option<Reply> {
        let started = Instant::now();
        let req = match parse_request(text) {
            Ok(r) => r,
            // taosAdapter answers an undecodable frame; a frame without an action is an
            // unknown action there, which it ignores.
            Err(e) if e.message == "request no action" => return None,
            Err(e) => return Some(Reply::Text(e.reply(timing(started)).to_json())),
        };
        let args_error = |e: RequestError| Reply::Text(e.reply(timing(started)).to_json());
        match req.action.as_str() {
            // The shared, pre-encoded version reply: four keys, no `req_id` or `timing`.
            "version" => Some(Reply::Text(
                serde_json::json!({
                    "code": 0,
                    "message": "",
                    "action": "version",
                    "version": self.shared.version,
                })
                .to_string(),
            )),
            "conn" => Some(match req.args::<msg::ConnArgs>() {
                Ok(a) => self.conn(&a, started),
                Err(e) => args_error(e),
            }),
            "insert" => Some(match req.args::<msg::SchemalessInsertArgs>() {
                Err(e) => args_error(e),
                Ok(a) if a.protocol == 0 => {
                    error(GENERIC_CODE, "args error", "insert", a.req_id, started)
                }
                Ok(a) => match self.session.as_deref_mut() {
                    None => error(
                        GENERIC_CODE,
                        "server not connected",
                        "insert",
                        a.req_id,
                        started,
                    ),
                    Some(session) => insert_reply(session, &a, "args error", started),
                },
            }),
            _ => None,
        }
    }

    fn on_binary(&mut self, _frame: &[u8]) -> Option<Reply> {
        None
    }
}

// ---------------------------------------------------------------------------------------
// HTTP

/// A `204 No Content` response.
fn no_content(out: &mut dyn Write, keep_alive: bool) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 204 No Content\r\nConnection: {}\r\n\r\n",
        if keep_alive { "keep-alive" } else { "close" }
    );
    out.write_all(head.as_bytes())?;
    out.flush()
}

fn json_response(
    out: &mut dyn Write,
    status: u16,
    body: &serde_json::Value,
    keep_alive: bool,
) -> io::Result<()> {
    let text = body.to_string();
    out.write_all(&response_bytes(status, JSON, text.as_bytes(), keep_alive))?;
    out.flush()
}

/// How a TDengine error prints in the adapter's HTTP bodies (driver-go `TaosError`):
/// `[0x<code>] <text>`, the bare text for the adapter's own 0xffff.
fn taos_error_text(e: &DbError) -> String {
    if e.code == GENERIC_CODE {
        e.message.clone()
    } else {
        format!("[0x{:x}] {}", e.code, e.message)
    }
}

/// Go's `strconv.ParseUint(s, 10, 64)`, with its error text.
fn parse_go_u64(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|e| {
        let why = if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        format!("strconv.ParseUint: parsing {s:?}: {why}")
    })
}

/// Go's `strconv.Atoi`, with its error text.
fn parse_go_int(s: &str) -> Result<i64, String> {
    s.parse::<i64>().map_err(|e| {
        let why = if matches!(
            e.kind(),
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
        ) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        format!("strconv.Atoi: parsing {s:?}: {why}")
    })
}

/// Runs `req` for `user` on database `db`: `USE db`, then the schemaless write.
fn run(
    shared: &Shared,
    user: &str,
    password: &str,
    db: &str,
    req: &SmlRequest<'_>,
) -> Result<(), DbError> {
    shared.backend.authenticate(user, password)?;
    let mut session = shared.backend.open(user);
    session.set_timezone(shared.server_tz);
    session.use_db(db)?;
    session.schemaless_insert(req).map(drop)
}

/// A `400` body of the InfluxDB endpoint.
fn influx_bad_request(code: &str, message: &str, op: &str, err: &str) -> serde_json::Value {
    serde_json::json!({"code": code, "message": message, "op": op, "err": err, "line": 0})
}

/// `POST /influxdb/v1/write` (02 §2.3).
pub(crate) fn influxdb_write(
    req: &Request,
    shared: &Shared,
    out: &mut dyn Write,
    keep_alive: bool,
) -> io::Result<()> {
    let respond = |out: &mut dyn Write, status: u16, body: serde_json::Value| {
        json_response(out, status, &body, keep_alive)
    };
    let req_id = match req.param("req_id").filter(|s| !s.is_empty()) {
        None => 0,
        Some(text) => match parse_go_u64(text) {
            Ok(v) => v,
            Err(_) => {
                let m = "req_id must be numeric";
                return respond(
                    out,
                    400,
                    influx_bad_request("illegal param", m, "parse req_id", m),
                );
            }
        },
    };
    let precision = req
        .param("precision")
        .filter(|p| !p.is_empty())
        .unwrap_or("ns");
    // Basic auth from the header, then `u` / `p` from the query string (which win).
    let basic = req
        .header("authorization")
        .filter(|h| h.trim_ascii_start().starts_with(b"Basic"))
        .and_then(|h| auth::check_auth(Some(h)).ok());
    let user = req
        .param("u")
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|c| c.user.clone()));
    let password = req
        .param("p")
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|c| c.password.clone()));
    let (Some(user), Some(password)) = (user, password) else {
        let body = serde_json::json!({"code": "forbidden", "message": "get auth error"});
        return respond(out, 401, body);
    };
    let db = req.param("db").unwrap_or_default();
    if db.is_empty() {
        let m = "db required";
        return respond(
            out,
            400,
            influx_bad_request("not found", m, "get db query", m),
        );
    }
    let ttl = match req.param("ttl").filter(|s| !s.is_empty()) {
        None => 0,
        Some(text) => match parse_go_int(text) {
            Ok(v) => v,
            Err(_) => {
                let m = "ttl must be numeric";
                return respond(
                    out,
                    400,
                    influx_bad_request("illegal param", m, "parse ttl", m),
                );
            }
        },
    };
    if req.body_error {
        return respond(
            out,
            400,
            influx_bad_request(
                "internal error",
                "read line error",
                "read line",
                "invalid content length",
            ),
        );
    }
    let body = String::from_utf8_lossy(&req.body);
    let sml = SmlRequest {
        protocol: i64::from(SmlProtocol::Line.code()),
        precision: SmlPrecision::from_wire(precision),
        data: body.trim(),
        ttl,
        req_id,
        table_name_key: req.param("table_name_key").unwrap_or_default(),
    };
    match run(shared, &user, &password, db, &sml) {
        Ok(()) => no_content(out, keep_alive),
        Err(e) => {
            let body =
                serde_json::json!({"code": "internal error", "message": taos_error_text(&e)});
            respond(out, 500, body)
        }
    }
}

/// Which OpenTSDB endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpenTsdb {
    /// `/opentsdb/v1/put/json/{db}`.
    Json,
    /// `/opentsdb/v1/put/telnet/{db}`.
    Telnet,
}

/// The credentials of the OpenTSDB `Authorization` middleware (`plugin/auth.go`): `Err`
/// is a 401 message; `Ok(None)` a header of another scheme (no credentials, which the
/// handler later reports as `get auth error`).
fn opentsdb_auth(header: Option<&[u8]>) -> Result<Option<(String, String)>, String> {
    let Some(header) = header.filter(|h| !h.is_empty()) else {
        return Err("auth needed".to_owned());
    };
    let text = String::from_utf8_lossy(header);
    let text = text.trim();
    if !text.starts_with("Basic") {
        return Ok(None);
    }
    use base64::Engine as _;
    let encoded = text.get(6..).unwrap_or_default();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| match e {
            base64::DecodeError::InvalidByte(at, _)
            | base64::DecodeError::InvalidLastSymbol { offset: at, .. } => {
                format!("illegal base64 data at input byte {at}")
            }
            _ => format!("illegal base64 data at input byte {}", encoded.len()),
        })?;
    let plain = String::from_utf8_lossy(&decoded);
    let parts: Vec<&str> = plain.split(':').collect();
    match parts.as_slice() {
        [user, password] => Ok(Some(((*user).to_owned(), (*password).to_owned()))),
        [_, _, kind] if *kind == "aes" => {
            Err("AES-encrypted credentials are not supported by this server".to_owned())
        }
        [_, _, _] => Err("unknown auth type".to_owned()),
        _ => Err("parse error".to_owned()),
    }
}

/// `POST /opentsdb/v1/put/json/{db}` and `/opentsdb/v1/put/telnet/{db}` (02 §2.4).
pub(crate) fn opentsdb_put(
    req: &Request,
    kind: OpenTsdb,
    db: &str,
    shared: &Shared,
    out: &mut dyn Write,
    keep_alive: bool,
) -> io::Result<()> {
    let respond = |out: &mut dyn Write, status: u16, message: &str| {
        let body = serde_json::json!({"code": status, "message": message});
        json_response(out, status, &body, keep_alive)
    };
    let creds = match opentsdb_auth(req.header("authorization")) {
        Ok(c) => c,
        Err(message) => return respond(out, 401, &message),
    };
    let req_id = match req.param("req_id").filter(|s| !s.is_empty()) {
        None => 0,
        Some(text) => match parse_go_u64(text) {
            Ok(v) => v,
            Err(e) => {
                return respond(
                    out,
                    400,
                    &format!("illegal param, req_id must be numeric {e}"),
                );
            }
        },
    };
    if db.is_empty() {
        return respond(out, 400, "db required");
    }
    let ttl = match req.param("ttl").filter(|s| !s.is_empty()) {
        None => 0,
        Some(text) => match parse_go_int(text) {
            Ok(v) => v,
            Err(e) => {
                return respond(out, 400, &format!("illegal param, ttl must be numeric {e}"));
            }
        },
    };
    if req.body_error {
        return respond(out, 400, "invalid content length");
    }
    let Some((user, password)) = creds else {
        return respond(out, 400, "get auth error");
    };
    let body = String::from_utf8_lossy(&req.body);
    let (protocol, payload) = match kind {
        OpenTsdb::Json => (
            SmlProtocol::Json,
            Some(body.into_owned()).filter(|b| !b.is_empty()),
        ),
        OpenTsdb::Telnet => (SmlProtocol::Telnet, telnet_http_payload(&body)),
    };
    if let Err(e) = shared.backend.authenticate(&user, &password) {
        return respond(out, 500, &taos_error_text(&e));
    }
    // An empty payload succeeds without touching the database.
    let Some(payload) = payload else {
        return no_content(out, keep_alive);
    };
    let sml = SmlRequest {
        protocol: i64::from(protocol.code()),
        precision: SmlPrecision::NotConfigured,
        data: &payload,
        ttl,
        req_id,
        table_name_key: req.param("table_name_key").unwrap_or_default(),
    };
    match run(shared, &user, &password, db, &sml) {
        Ok(()) => no_content(out, keep_alive),
        Err(e) => respond(out, 500, &taos_error_text(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_number_errors() {
        assert_eq!(parse_go_u64("12"), Ok(12));
        assert_eq!(
            parse_go_u64("x1").unwrap_err(),
            "strconv.ParseUint: parsing \"x1\": invalid syntax"
        );
        assert_eq!(
            parse_go_u64("99999999999999999999").unwrap_err(),
            "strconv.ParseUint: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(parse_go_int("-3"), Ok(-3));
        assert_eq!(
            parse_go_int("1d").unwrap_err(),
            "strconv.Atoi: parsing \"1d\": invalid syntax"
        );
    }

    #[test]
    fn taos_error_texts() {
        assert_eq!(
            taos_error_text(&DbError::new(0x0388, "Database not exist")),
            "[0x388] Database not exist"
        );
        assert_eq!(
            taos_error_text(&DbError::new(GENERIC_CODE, "get auth error")),
            "get auth error"
        );
    }

    #[test]
    fn opentsdb_auth_header() {
        assert_eq!(opentsdb_auth(None), Err("auth needed".to_owned()));
        assert_eq!(
            opentsdb_auth(Some(b"Basic cm9vdDp0YW9zZGF0YQ==")),
            Ok(Some(("root".to_owned(), "taosdata".to_owned())))
        );
        assert_eq!(opentsdb_auth(Some(b"Taosd abc")), Ok(None));
        assert_eq!(
            opentsdb_auth(Some(b"Basic cm9vdA==")),
            Err("parse error".to_owned())
        );
        assert!(
            opentsdb_auth(Some(b"Basic !!!"))
                .unwrap_err()
                .starts_with("illegal base64 data at input byte")
        );
    }
}
