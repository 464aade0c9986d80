//! The WebSocket endpoints `/ws` and the legacy `/rest/ws` (01 §2): the JSON and binary
//! query actions, per-socket result ids, keep-alive pings and the idle read deadline.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::Shutdown;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono_tz::Tz;
use serde::Deserialize;
use tungstenite::protocol::{Message, WebSocket};

use super::Shared;
use super::backend::{DbError, Exec, ResultSet, Session};
use super::faults::{FaultState, ReplyFate};
use super::glue::{encode_block, internal_width};
use super::http::{Stream, is_timeout};
use super::render::{push_json_str, push_num_array, push_str_array};
use crate::row::Column;

/// taosAdapter's generic error code.
const GENERIC: u16 = 0xffff;

/// One reply frame.
#[derive(Debug, PartialEq)]
pub(crate) enum Reply {
    /// A JSON text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// An open result set and the block the last `fetch` produced.
struct Slot {
    rs: Box<dyn ResultSet>,
    block: Option<Vec<u8>>,
}

/// The protocol state of one WebSocket connection (no I/O here, so it is unit-testable).
pub(crate) struct WsState<'a> {
    shared: &'a Shared,
    legacy: bool,
    session: Option<Box<dyn Session>>,
    results: HashMap<u64, Slot>,
    next_id: u64,
}

/// A JSON reply under construction: the five common keys, then action fields.
struct Json {
    out: String,
}

impl Json {
    fn new(code: u16, message: &str, action: &str, req_id: u64, started: Instant) -> Json {
        let mut out = String::with_capacity(128);
        let _ = write!(out, "{{\"code\":{code},\"message\":");
        push_json_str(&mut out, message);
        out.push_str(",\"action\":");
        push_json_str(&mut out, action);
        let _ = write!(
            out,
            ",\"req_id\":{req_id},\"timing\":{}",
            elapsed_ns(started)
        );
        Json { out }
    }

    fn ok(action: &str, req_id: u64, started: Instant) -> Json {
        Json::new(0, "", action, req_id, started)
    }

    /// Adds `"key":<raw json>`.
    fn raw(mut self, key: &str, value: impl std::fmt::Display) -> Json {
        let _ = write!(self.out, ",\"{key}\":{value}");
        self
    }

    fn string(mut self, key: &str, value: &str) -> Json {
        let _ = write!(self.out, ",\"{key}\":");
        push_json_str(&mut self.out, value);
        self
    }

    fn done(mut self) -> Reply {
        self.out.push('}');
        Reply::Text(self.out)
    }
}

fn elapsed_ns(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn error(code: u16, message: &str, action: &str, req_id: u64, started: Instant) -> Reply {
    Json::new(code, message, action, req_id, started).done()
}

fn db_error(e: &DbError, action: &str, req_id: u64, started: Instant) -> Reply {
    error(e.code, &e.message, action, req_id, started)
}

#[derive(Deserialize)]
struct ConnArgs {
    #[serde(default)]
    req_id: u64,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    db: Option<String>,
    #[serde(default)]
    mode: Option<i64>,
    #[serde(default)]
    tz: Option<String>,
}

#[derive(Deserialize)]
struct QueryArgs {
    #[serde(default)]
    req_id: u64,
    #[serde(default)]
    sql: String,
}

#[derive(Deserialize)]
struct IdArgs {
    #[serde(default)]
    req_id: u64,
    #[serde(default)]
    id: u64,
}

#[derive(Deserialize)]
struct NumFieldsArgs {
    #[serde(default)]
    req_id: u64,
    #[serde(default)]
    result_id: u64,
}

#[derive(Deserialize)]
struct ReqIdArgs {
    #[serde(default)]
    req_id: u64,
}

#[derive(Deserialize)]
struct ConnOption {
    option: i64,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct OptionsArgs {
    #[serde(default)]
    req_id: u64,
    #[serde(default)]
    options: Vec<ConnOption>,
}

/// The binary action codes (01 §2.5).
const BIN_QUERY: u64 = 6;
const BIN_FETCH_RAW: u64 = 7;
const BIN_VALIDATE: u64 = 10;

fn binary_action_name(action: u64) -> &'static str {
    match action {
        1 => "set_tags",
        2 => "bind",
        3 => "write_raw",
        4 => "write_raw_block",
        5 => "write_raw_block_with_fields",
        6 => "binary_query",
        7 => "fetch_raw_block",
        9 => "stmt2_bind",
        10 => "validate_sql",
        11 => "stmt2_bind_exec",
        _ => "unknown",
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The `fetch_raw_block` reply (01 §2.6).
fn raw_block_reply(
    started: Instant,
    req_id: u64,
    code: u16,
    message: &str,
    result_id: u64,
    block: Option<&[u8]>,
) -> Reply {
    let mut out = Vec::with_capacity(55 + message.len() + block.map_or(0, <[u8]>::len));
    out.extend_from_slice(&u64::MAX.to_le_bytes());
    out.extend_from_slice(&BIN_FETCH_RAW.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&elapsed_ns(started).to_le_bytes());
    out.extend_from_slice(&req_id.to_le_bytes());
    out.extend_from_slice(&u32::from(code).to_le_bytes());
    let msg = message.as_bytes();
    out.extend_from_slice(&u32::try_from(msg.len()).unwrap_or(0).to_le_bytes());
    out.extend_from_slice(if u32::try_from(msg.len()).is_ok() {
        msg
    } else {
        &[]
    });
    out.extend_from_slice(&result_id.to_le_bytes());
    match block {
        Some(block) => {
            out.push(0);
            out.extend_from_slice(&u32::try_from(block.len()).unwrap_or(0).to_le_bytes());
            out.extend_from_slice(block);
        }
        None => out.push(1),
    }
    Reply::Binary(out)
}

/// Parses a `tz` value into a zone.
fn parse_tz(name: &str) -> Result<Tz, DbError> {
    name.parse::<Tz>()
        .map_err(|_| DbError::new(GENERIC, format!("unknown time zone {name}")))
}

impl<'a> WsState<'a> {
    /// A fresh connection; `legacy` selects the reduced `/rest/ws` action set.
    pub(crate) fn new(shared: &'a Shared, legacy: bool) -> WsState<'a> {
        WsState {
            shared,
            legacy,
            session: None,
            results: HashMap::new(),
            next_id: 1,
        }
    }

    /// Handles one text frame; returns the replies (none for `free_result`).
    pub(crate) fn on_text(&mut self, text: &str) -> Option<Reply> {
        let started = Instant::now();
        let Ok(request) = serde_json::from_str::<serde_json::Value>(text) else {
            return Some(error(GENERIC, "unmarshal request error", "", 0, started));
        };
        let action = request
            .get("action")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_owned();
        if action.is_empty() {
            return Some(error(GENERIC, "request no action", "", 0, started));
        }
        let args = request
            .get("args")
            .cloned()
            .unwrap_or(serde_json::Value::Object(Default::default()));
        let args = if args.is_null() {
            serde_json::Value::Object(Default::default())
        } else {
            args
        };
        let req_id = args
            .get("req_id")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        let legacy_ok = matches!(
            action.as_str(),
            "version" | "conn" | "query" | "fetch" | "fetch_block" | "free_result"
        );
        if self.legacy && !legacy_ok {
            let msg = format!("unknown action {action}");
            return Some(error(GENERIC, &msg, &action, req_id, started));
        }
        macro_rules! parse {
            ($ty:ty, $what:expr) => {
                match serde_json::from_value::<$ty>(args.clone()) {
                    Ok(a) => a,
                    Err(_) => {
                        let msg = format!("unmarshal {} request error", $what);
                        return Some(error(GENERIC, &msg, &action, req_id, started));
                    }
                }
            };
        }
        let needs_conn = !matches!(action.as_str(), "version" | "conn" | "check_server_status");
        let known = matches!(
            action.as_str(),
            "version"
                | "conn"
                | "check_server_status"
                | "query"
                | "fetch"
                | "fetch_block"
                | "free_result"
                | "num_fields"
                | "get_current_db"
                | "get_server_info"
                | "options_connection"
        );
        if !known {
            let msg = format!("unknown action {action}");
            return Some(error(GENERIC, &msg, &action, req_id, started));
        }
        if needs_conn && self.session.is_none() {
            if action == "free_result" {
                return None;
            }
            return Some(error(
                GENERIC,
                "server not connected",
                &action,
                req_id,
                started,
            ));
        }
        match action.as_str() {
            "version" => Some(
                Json::ok("version", req_id, started)
                    .string("version", &self.shared.version)
                    .done(),
            ),
            "check_server_status" => Some(
                Json::ok("check_server_status", req_id, started)
                    .raw("status", 2)
                    .string("details", "")
                    .done(),
            ),
            "conn" => {
                let a = parse!(ConnArgs, "connect");
                Some(self.conn(a, started))
            }
            "query" => {
                let a = parse!(QueryArgs, "query");
                Some(self.query(&a.sql, a.req_id, "query", started))
            }
            "fetch" => {
                let a = parse!(IdArgs, "fetch");
                Some(self.fetch(a.id, a.req_id, started))
            }
            "fetch_block" => {
                let a = parse!(IdArgs, "fetch block");
                Some(self.fetch_block(a.id, a.req_id, started))
            }
            "free_result" => {
                if let Ok(a) = serde_json::from_value::<IdArgs>(args) {
                    self.results.remove(&a.id);
                }
                None
            }
            "num_fields" => {
                let a = parse!(NumFieldsArgs, "num fields");
                Some(match self.results.get(&a.result_id) {
                    Some(slot) => Json::ok("num_fields", a.req_id, started)
                        .raw("num_fields", slot.rs.columns().len())
                        .done(),
                    None => error(GENERIC, "result is nil", &action, a.req_id, started),
                })
            }
            "get_current_db" => {
                let a = parse!(ReqIdArgs, "get current db");
                let db = self
                    .session
                    .as_ref()
                    .and_then(|s| s.current_db())
                    .unwrap_or_default();
                Some(
                    Json::ok("get_current_db", a.req_id, started)
                        .string("db", &db)
                        .done(),
                )
            }
            "get_server_info" => {
                let a = parse!(ReqIdArgs, "get server info");
                let info = format!("ver:{}", self.shared.version);
                Some(
                    Json::ok("get_server_info", a.req_id, started)
                        .string("info", &info)
                        .done(),
                )
            }
            "options_connection" => {
                let a = parse!(OptionsArgs, "options connection");
                Some(self.options(a, started))
            }
            _ => {
                let msg = format!("unknown action {action}");
                Some(error(GENERIC, &msg, &action, req_id, started))
            }
        }
    }

    fn conn(&mut self, a: ConnArgs, started: Instant) -> Reply {
        const ACTION: &str = "conn";
        if self.session.is_some() {
            return error(GENERIC, "duplicate connections", ACTION, a.req_id, started);
        }
        let user = a.user.unwrap_or_default();
        let password = a.password.unwrap_or_default();
        if let Err(e) = self.shared.backend.authenticate(&user, &password) {
            return db_error(&e, ACTION, a.req_id, started);
        }
        let mut session = self.shared.backend.open(&user);
        session.set_timezone(self.shared.server_tz);
        if let Some(db) = a.db.as_deref().filter(|d| !d.is_empty())
            && let Err(e) = session.use_db(db)
        {
            return db_error(&e, ACTION, a.req_id, started);
        }
        if let Some(mode) = a.mode.filter(|m| *m != 0) {
            let msg = format!("unexpected mode:{mode}");
            return error(GENERIC, &msg, ACTION, a.req_id, started);
        }
        if let Some(tz) = a.tz.as_deref().filter(|t| !t.is_empty()) {
            match parse_tz(tz) {
                Ok(tz) => session.set_timezone(tz),
                Err(e) => return db_error(&e, ACTION, a.req_id, started),
            }
        }
        self.session = Some(session);
        Json::ok(ACTION, a.req_id, started)
            .string("version", &self.shared.version)
            .done()
    }

    fn options(&mut self, a: OptionsArgs, started: Instant) -> Reply {
        const ACTION: &str = "options_connection";
        let server_tz = self.shared.server_tz;
        let Some(session) = self.session.as_mut() else {
            return error(GENERIC, "server not connected", ACTION, a.req_id, started);
        };
        for opt in &a.options {
            match opt.option {
                // CLEAR resets everything this server tracks: the time zone.
                -1 => session.set_timezone(server_tz),
                1 => match opt.value.as_deref() {
                    None | Some("") => session.set_timezone(server_tz),
                    Some(name) => match parse_tz(name) {
                        Ok(tz) => session.set_timezone(tz),
                        Err(e) => return db_error(&e, ACTION, a.req_id, started),
                    },
                },
                // CHARSET, USER_IP, USER_APP, CONNECTOR_INFO: accepted, informational.
                0 | 2..=4 => {}
                other => {
                    let msg = format!("Invalid parameters: unknown option {other}");
                    return error(0x0118, &msg, ACTION, a.req_id, started);
                }
            }
        }
        Json::ok(ACTION, a.req_id, started).done()
    }

    fn query(&mut self, sql: &str, req_id: u64, action: &str, started: Instant) -> Reply {
        let Some(session) = self.session.as_mut() else {
            return error(GENERIC, "server not connected", action, req_id, started);
        };
        match session.execute(sql.trim(), req_id) {
            Err(e) => db_error(&e, action, req_id, started),
            Ok(Exec::Affected(n)) => Json::ok(action, req_id, started)
                .raw("id", 0)
                .raw("is_update", true)
                .raw("affected_rows", n)
                .raw("fields_count", 0)
                .raw("fields_names", "null")
                .raw("fields_types", "null")
                .raw("fields_lengths", "null")
                .raw("precision", 0)
                .raw("fields_precisions", "null")
                .raw("fields_scales", "null")
                .done(),
            Ok(Exec::Rows(rs)) => {
                let id = self.next_id;
                self.next_id += 1;
                let cols = rs.columns().clone();
                let precision = rs.precision().code();
                self.results.insert(id, Slot { rs, block: None });
                let mut names = String::new();
                push_str_array(&mut names, cols.iter().map(|c| c.name.as_str()));
                let mut types = String::new();
                push_num_array(&mut types, cols.iter().map(|c| c.ty.code()));
                let mut lengths = String::new();
                push_num_array(&mut lengths, cols.iter().map(|c| c.length));
                let mut precs = String::new();
                push_num_array(&mut precs, cols.iter().map(|c| c.precision));
                let mut scales = String::new();
                push_num_array(&mut scales, cols.iter().map(|c| c.scale));
                Json::ok(action, req_id, started)
                    .raw("id", id)
                    .raw("is_update", false)
                    .raw("affected_rows", 0)
                    .raw("fields_count", cols.len())
                    .raw("fields_names", names)
                    .raw("fields_types", types)
                    .raw("fields_lengths", lengths)
                    .raw("precision", precision)
                    .raw("fields_precisions", precs)
                    .raw("fields_scales", scales)
                    .done()
            }
        }
    }

    /// Pulls the next non-empty block of result `id` and encodes it. `Ok(None)` at the end
    /// (the result is freed); on an engine error the result is freed too.
    fn next_encoded(&mut self, id: u64) -> Result<Option<(Vec<u8>, usize)>, DbError> {
        let rows = self.shared.block_rows;
        let Some(slot) = self.results.get_mut(&id) else {
            return Err(DbError::new(GENERIC, "result is nil"));
        };
        loop {
            match slot.rs.next_block(rows) {
                Ok(Some(block)) if block.is_empty() => continue,
                Ok(Some(block)) => {
                    let encoded = encode_block(slot.rs.columns(), &block).map_err(|e| {
                        DbError::new(GENERIC, format!("encode block error: {}", e.message()))
                    });
                    return match encoded {
                        Ok(bytes) => Ok(Some((bytes, block.len()))),
                        Err(e) => {
                            self.results.remove(&id);
                            Err(e)
                        }
                    };
                }
                Ok(None) => {
                    self.results.remove(&id);
                    return Ok(None);
                }
                Err(e) => {
                    self.results.remove(&id);
                    return Err(e);
                }
            }
        }
    }

    fn fetch(&mut self, id: u64, req_id: u64, started: Instant) -> Reply {
        const ACTION: &str = "fetch";
        match self.next_encoded(id) {
            Err(e) => db_error(&e, ACTION, req_id, started),
            Ok(None) => Json::ok(ACTION, req_id, started)
                .raw("id", id)
                .raw("completed", true)
                .raw("lengths", "null")
                .raw("rows", 0)
                .done(),
            Ok(Some((block, rows))) => {
                let mut lengths = String::new();
                if let Some(slot) = self.results.get_mut(&id) {
                    push_num_array(
                        &mut lengths,
                        slot.rs
                            .columns()
                            .iter()
                            .map(|c: &Column| internal_width(c.ty, c.length)),
                    );
                    slot.block = Some(block);
                }
                Json::ok(ACTION, req_id, started)
                    .raw("id", id)
                    .raw("completed", false)
                    .raw("lengths", lengths)
                    .raw("rows", rows)
                    .done()
            }
        }
    }

    fn fetch_block(&mut self, id: u64, req_id: u64, started: Instant) -> Reply {
        const ACTION: &str = "fetch_block";
        let Some(slot) = self.results.get(&id) else {
            return error(GENERIC, "result is nil", ACTION, req_id, started);
        };
        let Some(block) = slot.block.as_deref() else {
            return error(GENERIC, "block is nil", ACTION, req_id, started);
        };
        let mut out = Vec::with_capacity(16 + block.len());
        out.extend_from_slice(&elapsed_ns(started).to_le_bytes());
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(block);
        Reply::Binary(out)
    }

    /// Handles one binary frame.
    pub(crate) fn on_binary(&mut self, frame: &[u8]) -> Option<Reply> {
        let started = Instant::now();
        let (Some(req_id), Some(resource), Some(action)) =
            (u64_at(frame, 0), u64_at(frame, 8), u64_at(frame, 16))
        else {
            return Some(error(
                GENERIC,
                "message length is too short",
                "unknown",
                u64_at(frame, 0).unwrap_or(0),
                started,
            ));
        };
        let name = binary_action_name(action);
        let supported = !self.legacy && matches!(action, BIN_QUERY | BIN_FETCH_RAW | BIN_VALIDATE);
        if !supported {
            let msg = format!("unknown binary action {action}");
            return Some(error(GENERIC, &msg, name, req_id, started));
        }
        if self.session.is_none() {
            return Some(error(
                GENERIC,
                "server not connected",
                name,
                req_id,
                started,
            ));
        }
        match action {
            BIN_FETCH_RAW => Some(self.fetch_raw_block(frame, req_id, resource, started)),
            _ => {
                // Action 6 and 10: [u16 version][u32 sql_len][sql].
                if frame.len() < 31 {
                    return Some(error(
                        GENERIC,
                        "message length is too short",
                        name,
                        req_id,
                        started,
                    ));
                }
                let version = u16_at(frame, 24).unwrap_or(0);
                if version != 1 {
                    let msg = format!("unknown binary query version:{version}");
                    return Some(error(GENERIC, &msg, name, req_id, started));
                }
                let sql_len = u32_at(frame, 26).map_or(usize::MAX, |l| l as usize);
                let Some(sql) = frame.get(30..30usize.saturating_add(sql_len)) else {
                    let msg = format!("uncompleted message, sql length:{sql_len}");
                    return Some(error(GENERIC, &msg, name, req_id, started));
                };
                let sql = String::from_utf8_lossy(sql);
                if action == BIN_QUERY {
                    Some(self.query(&sql, req_id, name, started))
                } else {
                    let code = match self.session.as_mut().map(|s| s.validate(sql.trim())) {
                        Some(Err(e)) => i64::from(0x8000_0000u32 as i32 | i32::from(e.code)),
                        _ => 0,
                    };
                    Some(
                        Json::ok(name, req_id, started)
                            .raw("result_code", code)
                            .done(),
                    )
                }
            }
        }
    }

    fn fetch_raw_block(&mut self, frame: &[u8], req_id: u64, id: u64, started: Instant) -> Reply {
        if frame.len() < 26 {
            return raw_block_reply(
                started,
                req_id,
                GENERIC,
                "message length is too short",
                id,
                None,
            );
        }
        let version = u16_at(frame, 24).unwrap_or(0);
        if version != 1 {
            return raw_block_reply(
                started,
                req_id,
                GENERIC,
                "unknown fetch raw block version",
                id,
                None,
            );
        }
        match self.next_encoded(id) {
            Err(e) => raw_block_reply(started, req_id, e.code, &e.message, id, None),
            Ok(None) => raw_block_reply(started, req_id, 0, "", id, None),
            Ok(Some((block, _))) => raw_block_reply(started, req_id, 0, "", id, Some(&block)),
        }
    }
}

/// Writes `msg` as a WebSocket frame cut in half (fault injection), then closes the socket.
fn send_truncated(ws: &mut WebSocket<Stream>, msg: &Message) {
    let (opcode, payload): (u8, &[u8]) = match msg {
        Message::Text(t) => (0x1, t.as_bytes()),
        Message::Binary(b) => (0x2, b),
        _ => (0x9, &[]),
    };
    let mut frame = vec![0x80 | opcode];
    let len = payload.len();
    if len < 126 {
        frame.push(len as u8);
    } else if let Ok(l) = u16::try_from(len) {
        frame.push(126);
        frame.extend_from_slice(&l.to_be_bytes());
    } else {
        frame.push(127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    frame.extend_from_slice(&payload[..len / 2]);
    let stream = ws.get_mut();
    let _ = stream.write_all(&frame);
    let _ = stream.flush();
    let _ = stream.tcp().shutdown(Shutdown::Both);
}

/// Sends one reply, applying faults; false when the connection must end.
fn send(ws: &mut WebSocket<Stream>, reply: Reply, faults: &mut FaultState) -> bool {
    let msg = match reply {
        Reply::Text(t) => Message::text(t),
        Reply::Binary(b) => Message::binary(b),
    };
    match faults.on_reply() {
        ReplyFate::Truncate => {
            send_truncated(ws, &msg);
            false
        }
        ReplyFate::Send => ws.send(msg).is_ok(),
    }
}

/// Serves one upgraded WebSocket until it closes, goes idle past the read deadline, or the
/// server stops.
pub(crate) fn serve(mut ws: WebSocket<Stream>, shared: &Shared, legacy: bool) {
    let tick = (shared.ping_interval / 4)
        .clamp(Duration::from_millis(10), Duration::from_millis(500))
        .min(shared.read_deadline.max(Duration::from_millis(10)));
    let _ = ws.get_ref().tcp().set_read_timeout(Some(tick));
    let _ = ws
        .get_ref()
        .tcp()
        .set_write_timeout(Some(shared.io_timeout));
    let mut state = WsState::new(shared, legacy);
    let mut faults = FaultState::new(&shared.faults);
    let mut last_activity = Instant::now();
    let mut last_ping = Instant::now();
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            let _ = ws.close(None);
            let _ = ws.flush();
            break;
        }
        let reply = match ws.read() {
            Ok(Message::Text(text)) => {
                last_activity = Instant::now();
                if faults.on_request() {
                    break;
                }
                state.on_text(text.as_str())
            }
            Ok(Message::Binary(bytes)) => {
                last_activity = Instant::now();
                if faults.on_request() {
                    break;
                }
                state.on_binary(&bytes)
            }
            Ok(Message::Pong(_)) => {
                last_activity = Instant::now();
                None
            }
            Ok(Message::Ping(_) | Message::Frame(_)) => {
                let _ = ws.flush();
                None
            }
            Ok(Message::Close(_)) => {
                // tungstenite queues the close reply; flush it and finish.
                let _ = ws.flush();
                None
            }
            Err(tungstenite::Error::Io(e)) if is_timeout(&e) => {
                let _ = ws.flush();
                None
            }
            Err(_) => break,
        };
        if let Some(reply) = reply
            && !send(&mut ws, reply, &mut faults)
        {
            break;
        }
        let now = Instant::now();
        if now.duration_since(last_activity) >= shared.read_deadline {
            log::debug!("websocket idle past the read deadline; closing");
            break;
        }
        if now.duration_since(last_ping) >= shared.ping_interval {
            last_ping = now;
            if ws.send(Message::Ping(Default::default())).is_err() {
                break;
            }
        }
    }
    let _ = ws.get_ref().tcp().shutdown(Shutdown::Both);
}
