//! The WebSocket endpoints `/ws` and the legacy `/rest/ws` (01 §2): the JSON and binary
//! query actions, per-socket result ids, keep-alive pings and the idle read deadline.
//!
//! Message shapes come from [`taosync_proto::ws`] and blocks from [`taosync_proto::block`];
//! this module holds the protocol state machine and the socket loop.

use std::collections::HashMap;
use std::time::Instant;

use chrono_tz::Tz;
use tungstenite::protocol::WebSocket;

use super::http::Stream;
use super::raw_write;
use super::reply::{Reply, args, db_error, error, ok, request_error, timing_u64};
use super::schemaless;
use super::shared::Shared;
use super::socket::{FrameHandler, serve_with};
use super::stmt::{self, Host, Stmts};
use crate::backend::{DbError, Exec, ResultSet, Session};
use taosync_proto::block::{encode_block, internal_width};
use taosync_proto::ws::{
    self as msg, BinaryAction, BinaryRequest, FetchBlockReply, GENERIC_CODE, IncomingRequest,
    RequestError, encode_raw_block_data, encode_raw_block_error, encode_raw_block_finished,
    needs_connection, parse_request,
};

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
    /// Prepared statements (stmt v1 and stmt2).
    stmts: Stmts,
    /// The legacy `/rest/stmt` endpoint: `version`, `conn` and stmt v1 only.
    stmt_endpoint: bool,
}

/// The actions the legacy `/rest/ws` endpoint understands (01 §2.1).
const LEGACY_ACTIONS: [&str; 6] = [
    "version",
    "conn",
    "query",
    "fetch",
    "fetch_block",
    "free_result",
];

/// The JSON actions of `/ws` this server implements.
const ACTIONS: [&str; 12] = [
    "insert",
    "version",
    "conn",
    "check_server_status",
    "query",
    "fetch",
    "fetch_block",
    "free_result",
    "num_fields",
    "get_current_db",
    "get_server_info",
    "options_connection",
];

/// Parses a `tz` value into a zone.
fn parse_tz(name: &str) -> Result<Tz, DbError> {
    name.parse::<Tz>()
        .map_err(|_| DbError::new(GENERIC_CODE, format!("unknown time zone {name}")))
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
            stmts: Stmts::default(),
            stmt_endpoint: false,
        }
    }

    /// A fresh connection of the legacy `/rest/stmt` endpoint (02 §0.2).
    pub(crate) fn new_stmt_endpoint(shared: &'a Shared) -> WsState<'a> {
        WsState {
            stmt_endpoint: true,
            ..WsState::new(shared, false)
        }
    }

    /// True when `action` is a stmt action this endpoint serves.
    fn is_stmt_action(&self, action: &str) -> bool {
        if self.stmt_endpoint {
            stmt::LEGACY_ACTIONS.contains(&action)
        } else {
            !self.legacy
                && (stmt::V1_ACTIONS.contains(&action) || stmt::V2_ACTIONS.contains(&action))
        }
    }

    /// Hands a stmt request to the statement table with this connection's session.
    fn on_stmt_text(&mut self, req: &IncomingRequest, started: Instant) -> Option<Reply> {
        let Some(session) = self.session.as_deref_mut() else {
            return Some(request_error(&RequestError::not_connected(req), started));
        };
        let (results, next_id) = (&mut self.results, &mut self.next_id);
        let mut register = |rs: Box<dyn ResultSet>| {
            let id = *next_id;
            *next_id += 1;
            results.insert(id, Slot { rs, block: None });
            id
        };
        self.stmts.on_text(
            req,
            Host {
                session,
                register: &mut register,
            },
        )
    }

    /// Handles one text frame; returns the reply (none for `free_result`).
    pub(crate) fn on_text(&mut self, text: &str) -> Option<Reply> {
        let started = Instant::now();
        let req = match parse_request(text) {
            Ok(r) => r,
            Err(e) => return Some(request_error(&e, started)),
        };
        let action = req.action.as_str();
        if self.is_stmt_action(action) {
            return self.on_stmt_text(&req, started);
        }
        let known = if self.stmt_endpoint {
            matches!(action, "version" | "conn")
        } else if self.legacy {
            LEGACY_ACTIONS.contains(&action)
        } else {
            ACTIONS.contains(&action)
        };
        if !known {
            return Some(request_error(&RequestError::unknown_action(&req), started));
        }
        if needs_connection(action) && self.session.is_none() {
            if action == "free_result" {
                return None;
            }
            return Some(request_error(&RequestError::not_connected(&req), started));
        }
        let reply = match action {
            "version" => args::<msg::VersionArgs>(&req, started).map(|a| {
                let body = msg::VersionReply {
                    version: self.shared.version.clone(),
                };
                ok(action, a.req_id, started, &body)
            }),
            "check_server_status" => args::<msg::CheckServerStatusArgs>(&req, started).map(|a| {
                // TSDB_SRV_STATUS_SERVICE_OK.
                let body = msg::CheckServerStatusReply {
                    status: 2,
                    details: String::new(),
                };
                ok(action, a.req_id, started, &body)
            }),
            "conn" => args::<msg::ConnArgs>(&req, started).map(|a| self.conn(a, started)),
            "query" => args::<msg::QueryArgs>(&req, started)
                .map(|a| self.query(&a.sql, a.req_id, action, started)),
            "fetch" => args::<msg::FetchArgs>(&req, started).map(|a| self.fetch(a, started)),
            "fetch_block" => args::<msg::FetchBlockArgs>(&req, started)
                .map(|a| self.fetch_block(a.id, a.req_id, started)),
            "free_result" => {
                if let Ok(a) = req.args::<msg::FreeResultArgs>() {
                    self.results.remove(&a.id);
                }
                return None;
            }
            "num_fields" => args::<msg::NumFieldsArgs>(&req, started).map(|a| {
                match self.results.get(&a.result_id) {
                    Some(slot) => {
                        let n = i64::try_from(slot.rs.columns().len()).unwrap_or(i64::MAX);
                        ok(
                            action,
                            a.req_id,
                            started,
                            &msg::NumFieldsReply { num_fields: n },
                        )
                    }
                    None => error(GENERIC_CODE, "result is nil", action, a.req_id, started),
                }
            }),
            "get_current_db" => args::<msg::GetCurrentDbArgs>(&req, started).map(|a| {
                let db = self
                    .session
                    .as_ref()
                    .and_then(|s| s.current_db())
                    .unwrap_or_default();
                ok(action, a.req_id, started, &msg::GetCurrentDbReply { db })
            }),
            "get_server_info" => args::<msg::GetServerInfoArgs>(&req, started).map(|a| {
                let info = format!("ver:{}", self.shared.version);
                ok(action, a.req_id, started, &msg::GetServerInfoReply { info })
            }),
            "options_connection" => {
                args::<msg::OptionsConnectionArgs>(&req, started).map(|a| self.options(a, started))
            }
            "insert" => match self.session.as_deref_mut() {
                Some(session) => Ok(schemaless::ws_insert(session, &req)),
                None => Err(request_error(&RequestError::not_connected(&req), started)),
            },
            _ => Err(request_error(&RequestError::unknown_action(&req), started)),
        };
        Some(reply.unwrap_or_else(|e| e))
    }

    fn conn(&mut self, a: msg::ConnArgs, started: Instant) -> Reply {
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
            return db_error(&e, ACTION, a.req_id, started);
        }
        let mut session = self.shared.backend.open(&a.user);
        session.set_timezone(self.shared.server_tz);
        if !a.db.is_empty()
            && let Err(e) = session.use_db(&a.db)
        {
            return db_error(&e, ACTION, a.req_id, started);
        }
        if let Some(mode) = a.mode.filter(|m| *m != 0) {
            let message = format!("unexpected mode:{mode}");
            return error(GENERIC_CODE, &message, ACTION, a.req_id, started);
        }
        if let Some(tz) = a.tz.as_deref().filter(|t| !t.is_empty()) {
            match parse_tz(tz) {
                Ok(tz) => session.set_timezone(tz),
                Err(e) => return db_error(&e, ACTION, a.req_id, started),
            }
        }
        self.session = Some(session);
        let body = msg::ConnReply {
            version: self.shared.version.clone(),
            list_instances: None,
        };
        ok(ACTION, a.req_id, started, &body)
    }

    fn options(&mut self, a: msg::OptionsConnectionArgs, started: Instant) -> Reply {
        const ACTION: &str = "options_connection";
        let server_tz = self.shared.server_tz;
        let Some(session) = self.session.as_mut() else {
            return error(
                GENERIC_CODE,
                "server not connected",
                ACTION,
                a.req_id,
                started,
            );
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
                    let message = format!("Invalid parameters: unknown option {other}");
                    return error(0x0118, &message, ACTION, a.req_id, started);
                }
            }
        }
        ok(ACTION, a.req_id, started, &msg::Empty {})
    }

    fn query(&mut self, sql: &str, req_id: u64, action: &str, started: Instant) -> Reply {
        let Some(session) = self.session.as_mut() else {
            return error(
                GENERIC_CODE,
                "server not connected",
                action,
                req_id,
                started,
            );
        };
        match session.execute(sql.trim(), req_id) {
            Err(e) => db_error(&e, action, req_id, started),
            Ok(Exec::Affected(n)) => {
                let n = i64::try_from(n).unwrap_or(i64::MAX);
                ok(action, req_id, started, &msg::QueryReply::affected(n))
            }
            Ok(Exec::Rows(rs)) => {
                let id = self.next_id;
                self.next_id += 1;
                let body = msg::QueryReply::result_set(id, rs.columns(), rs.precision());
                self.results.insert(id, Slot { rs, block: None });
                ok(action, req_id, started, &body)
            }
        }
    }

    /// Pulls the next non-empty block of result `id` and encodes it. `Ok(None)` at the end
    /// (the result is freed); on an error the result is freed too.
    fn next_encoded(&mut self, id: u64) -> Result<Option<(Vec<u8>, usize)>, DbError> {
        let rows = self.shared.block_rows;
        let Some(slot) = self.results.get_mut(&id) else {
            return Err(DbError::new(GENERIC_CODE, "result is nil"));
        };
        let outcome = loop {
            match slot.rs.next_block(rows) {
                Ok(Some(block)) if block.is_empty() => continue,
                Ok(Some(block)) => {
                    break encode_block(slot.rs.columns(), &block)
                        .map(|bytes| Some((bytes, block.len())))
                        .map_err(|e| {
                            DbError::new(
                                GENERIC_CODE,
                                format!("encode block error: {}", e.message()),
                            )
                        });
                }
                Ok(None) => break Ok(None),
                Err(e) => break Err(e),
            }
        };
        if !matches!(outcome, Ok(Some(_))) {
            self.results.remove(&id);
        }
        outcome
    }

    fn fetch(&mut self, a: msg::FetchArgs, started: Instant) -> Reply {
        const ACTION: &str = "fetch";
        match self.next_encoded(a.id) {
            Err(e) => db_error(&e, ACTION, a.req_id, started),
            Ok(None) => {
                let body = msg::FetchReply {
                    id: a.id,
                    completed: true,
                    lengths: None,
                    rows: 0,
                };
                ok(ACTION, a.req_id, started, &body)
            }
            Ok(Some((block, rows))) => {
                let mut lengths = Vec::new();
                if let Some(slot) = self.results.get_mut(&a.id) {
                    lengths = slot
                        .rs
                        .columns()
                        .iter()
                        .map(|c| i64::from(internal_width(c.ty, c.length)))
                        .collect();
                    slot.block = Some(block);
                }
                let body = msg::FetchReply {
                    id: a.id,
                    completed: false,
                    lengths: Some(lengths),
                    rows: i64::try_from(rows).unwrap_or(i64::MAX),
                };
                ok(ACTION, a.req_id, started, &body)
            }
        }
    }

    fn fetch_block(&mut self, id: u64, req_id: u64, started: Instant) -> Reply {
        const ACTION: &str = "fetch_block";
        let Some(slot) = self.results.get(&id) else {
            return error(GENERIC_CODE, "result is nil", ACTION, req_id, started);
        };
        let Some(block) = slot.block.as_deref() else {
            return error(GENERIC_CODE, "block is nil", ACTION, req_id, started);
        };
        let reply = FetchBlockReply {
            timing: timing_u64(started),
            result_id: id,
            block,
        };
        Reply::Binary(reply.encode())
    }

    /// Handles one binary frame.
    pub(crate) fn on_binary(&mut self, frame: &[u8]) -> Option<Reply> {
        let started = Instant::now();
        let req = match BinaryRequest::decode(frame) {
            Ok(r) => r,
            Err(e) => return Some(request_error(&e, started)),
        };
        let req_id = req.header.req_id;
        if self.session.is_none() {
            // taosAdapter checks the connection before it looks at the action code.
            let name = req.header.action_name();
            return Some(error(
                GENERIC_CODE,
                "server not connected",
                name,
                req_id,
                started,
            ));
        }
        let action = BinaryAction::from_code(req.header.action).filter(|a| {
            let stmt_v1 = matches!(a, BinaryAction::SetTags | BinaryAction::Bind);
            if self.stmt_endpoint {
                return stmt_v1;
            }
            !self.legacy
                && (stmt_v1
                    || matches!(
                        a,
                        BinaryAction::BinaryQuery
                            | BinaryAction::FetchRawBlock
                            | BinaryAction::ValidateSql
                            | BinaryAction::Stmt2Bind
                            | BinaryAction::Stmt2BindExec
                            | BinaryAction::WriteRaw
                            | BinaryAction::WriteRawBlock
                            | BinaryAction::WriteRawBlockWithFields
                    ))
        });
        let Some(action) = action else {
            return Some(request_error(&req.unknown_action(), started));
        };
        let name = action.name();
        if matches!(
            action,
            BinaryAction::SetTags
                | BinaryAction::Bind
                | BinaryAction::Stmt2Bind
                | BinaryAction::Stmt2BindExec
        ) && let Some(session) = self.session.as_deref_mut()
        {
            let (results, next_id) = (&mut self.results, &mut self.next_id);
            let mut register = |rs: Box<dyn ResultSet>| {
                let id = *next_id;
                *next_id += 1;
                results.insert(id, Slot { rs, block: None });
                id
            };
            let host = Host {
                session,
                register: &mut register,
            };
            return Some(self.stmts.on_binary(&req, name, host));
        }
        if action == BinaryAction::FetchRawBlock {
            return Some(self.fetch_raw_block(&req, started));
        }
        if matches!(
            action,
            BinaryAction::WriteRaw
                | BinaryAction::WriteRawBlock
                | BinaryAction::WriteRawBlockWithFields
        ) && let Some(session) = self.session.as_deref_mut()
        {
            return Some(match raw_write::apply(session, action, &req) {
                Ok(()) => ok(name, req_id, started, &msg::Empty {}),
                Err(e) => db_error(&e, name, req_id, started),
            });
        }
        let sql = match req.sql() {
            Ok(sql) => String::from_utf8_lossy(sql).into_owned(),
            Err(e) => return Some(request_error(&e, started)),
        };
        if action == BinaryAction::BinaryQuery {
            return Some(self.query(&sql, req_id, name, started));
        }
        let result_code = match self.session.as_mut().map(|s| s.validate(sql.trim())) {
            // The raw, unmasked engine value: 0x8000_0000 | code as an i32.
            Some(Err(e)) => i64::from(i32::from_ne_bytes(
                (0x8000_0000u32 | u32::from(e.code)).to_ne_bytes(),
            )),
            _ => 0,
        };
        Some(ok(
            name,
            req_id,
            started,
            &msg::ValidateSqlReply { result_code },
        ))
    }

    fn fetch_raw_block(&mut self, req: &BinaryRequest<'_>, started: Instant) -> Reply {
        let req_id = req.header.req_id;
        let id = req.header.resource_id;
        let raw_error = |code: u16, message: &str| {
            encode_raw_block_error(timing_u64(started), req_id, id, code, message)
                .map(Reply::Binary)
                .unwrap_or_else(|e| {
                    error(
                        GENERIC_CODE,
                        e.message(),
                        "fetch_raw_block",
                        req_id,
                        started,
                    )
                })
        };
        if let Err((code, message)) = req.fetch_raw_block() {
            return raw_error(code, message);
        }
        match self.next_encoded(id) {
            Err(e) => raw_error(e.code, &e.message),
            Ok(None) => Reply::Binary(encode_raw_block_finished(timing_u64(started), req_id, id)),
            Ok(Some((block, _))) => {
                match encode_raw_block_data(timing_u64(started), req_id, id, &block) {
                    Ok(bytes) => Reply::Binary(bytes),
                    Err(e) => raw_error(GENERIC_CODE, e.message()),
                }
            }
        }
    }
}

impl FrameHandler for WsState<'_> {
    fn on_text(&mut self, text: &str) -> Option<Reply> {
        WsState::on_text(self, text)
    }

    fn on_binary(&mut self, frame: &[u8]) -> Option<Reply> {
        WsState::on_binary(self, frame)
    }
}

/// Serves one upgraded WebSocket until it closes, goes idle past the read deadline, or the
/// server stops.
pub(crate) fn serve(ws: WebSocket<Stream>, shared: &Shared, legacy: bool) {
    serve_with(ws, shared, &mut WsState::new(shared, legacy));
}

/// Serves one upgraded WebSocket of the legacy `/rest/stmt` endpoint (02 §0.2).
pub(crate) fn serve_stmt(ws: WebSocket<Stream>, shared: &Shared) {
    serve_with(ws, shared, &mut WsState::new_stmt_endpoint(shared));
}
