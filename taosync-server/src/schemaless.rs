//! Schemaless ingestion on the wire (02 §2): the `/ws` action `insert`, the legacy
//! `/rest/schemaless` WebSocket, `POST /influxdb/v1/write` and the OpenTSDB endpoints
//! `POST /opentsdb/v1/put/{json,telnet}/{db}`.
//!
//! Every entry point ends in [`write`], which runs the pure [`sml`](super::sml) layer and
//! then applies its plan through the engine's public API:
//!
//! 1. parse the whole payload ([`sml::parse_with`]) — a bad record fails the batch;
//! 2. plan it against the current catalogue ([`sml::plan`] over [`EngineLookup`]) — type
//!    conflicts, names used twice, tables of other kinds fail here;
//! 3. check what the engine would reject while writing rows (timestamps older than the
//!    database KEEP, names the SQL layer cannot quote);
//! 4. run the schema changes as SQL (`CREATE STABLE`, `ALTER STABLE … ADD/MODIFY`);
//! 5. write the rows with [`engine::Session::insert_rows`], creating child tables on the
//!    way — the same path SQL `INSERT` takes, so the rows are visible to `SELECT` (and TMQ).
//!
//! A batch with a bad line therefore writes nothing. Schemaless writers are serialised by
//! one lock, so two batches cannot race on the same schema change.

use std::io::{self, Write};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use serde::Serialize;

use super::Shared;
use super::auth;
use super::backend::{DbError, Session};
use super::engine::error::EngineError;
use super::engine::{self, AutoCreate, RowTarget, TableKind};
use super::http::{Request, response_bytes};
use super::sml::{
    self, ExistingTable, SchemaChange, SchemaLookup, SmlOptions, SmlPlan, SmlPrecision,
    SmlProtocol, StablePlan, StableSchema,
};
use super::ws::{FrameHandler, Reply};
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Timestamp};
use taosync_proto::value::Value;
use taosync_proto::ws::{
    self as msg, GENERIC_CODE, IncomingRequest, ReplyHeader, RequestError, encode_reply,
    parse_request,
};

/// Content type of every JSON error body.
const JSON: &str = "application/json; charset=utf-8";

/// Most values (rows × columns) materialised at once when a child table's sparse rows are
/// made dense for the engine.
const DENSE_CELLS_PER_CHUNK: usize = 1 << 16;

/// Serialises schemaless writers: planning reads the catalogue and applying changes it, so
/// two batches must not interleave (one would try to add a column the other just added).
static WRITE_LOCK: Mutex<()> = Mutex::new(());

/// One schemaless write, as every endpoint describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SmlRequest<'a> {
    /// The wire protocol number (1 line, 2 telnet, 3 JSON); anything else is
    /// `SML_INVALID_PROTOCOL_TYPE`.
    pub(crate) protocol: i64,
    /// The timestamp unit of line-protocol records.
    pub(crate) precision: SmlPrecision,
    /// The payload.
    pub(crate) data: &'a str,
    /// TTL in days of the tables this call creates (accepted; the engine keeps no TTL).
    pub(crate) ttl: i64,
    /// Request id (logging only).
    pub(crate) req_id: u64,
    /// The tag naming child tables (`""` for the MD5 rule).
    pub(crate) table_name_key: &'a str,
}

/// What a successful write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SmlOutcome {
    /// Rows written.
    pub(crate) affected_rows: u64,
    /// Records parsed.
    pub(crate) total_rows: usize,
}

fn sml_error(e: sml::SmlError) -> DbError {
    DbError::new(e.code().value(), e.message())
}

/// The engine's catalogue as [`sml::plan`] sees it.
pub(crate) struct EngineLookup<'a> {
    session: &'a engine::Session,
    db: &'a str,
}

impl SchemaLookup for EngineLookup<'_> {
    fn table(&self, name: &str) -> Option<ExistingTable> {
        let info = self.session.table_info(Some(self.db), name).ok()?;
        Some(match info.kind {
            TableKind::Super => ExistingTable::Super(StableSchema {
                columns: info.columns,
                tags: info.tags,
            }),
            TableKind::Child => ExistingTable::Child {
                stable: info.stable.unwrap_or_default(),
            },
            TableKind::Normal => ExistingTable::Normal,
        })
    }
}

/// The precision of database `db` and the oldest timestamp (in that precision) the engine
/// accepts there (`i64::MIN` when KEEP is not enforced).
fn db_settings(session: &engine::Session, db: &str) -> Result<(Precision, i64), DbError> {
    let engine = session.engine();
    let enforce_keep = engine.config().enforce_keep;
    let catalog = engine.read();
    let database = catalog
        .dbs
        .get(db)
        .ok_or_else(|| DbError::from(EngineError::db_not_exist()))?;
    let precision = database.precision();
    let floor = if enforce_keep {
        let now = engine::time::now_ticks(precision);
        let keep = database.options.keep_minutes[2]
            .saturating_mul(60)
            .saturating_mul(precision.per_second());
        now.saturating_sub(keep)
    } else {
        i64::MIN
    };
    Ok((precision, floor))
}

/// Writes one schemaless batch into the session's current database. See the module docs
/// for the steps; on any error nothing has been written.
pub(crate) fn write(
    session: &mut engine::Session,
    req: &SmlRequest<'_>,
) -> Result<SmlOutcome, DbError> {
    let Some(db) = session.current_db().map(str::to_owned) else {
        return Err(DbError::new(
            Code::PAR_DB_NOT_SPECIFIED.value(),
            "Database not specified",
        ));
    };
    let Some(protocol) = SmlProtocol::from_code(req.protocol) else {
        return Err(DbError::new(
            Code::SML_INVALID_PROTOCOL_TYPE.value(),
            "protocol invalidate",
        ));
    };
    let (precision, keep_floor) = db_settings(session, &db)?;
    let now = Timestamp::new(
        engine::time::now_ticks(Precision::Nanosecond),
        Precision::Nanosecond,
    );
    let options = SmlOptions {
        table_name_key: Some(req.table_name_key)
            .filter(|k| !k.is_empty())
            .map(str::to_owned),
    };
    let batch = sml::parse_with(protocol, req.precision, req.data, precision, now, &options)
        .map_err(sml_error)?;
    log::debug!(
        "schemaless req_id={} protocol={protocol:?} ttl={}: {} records into {db}",
        req.req_id,
        req.ttl,
        batch.total_rows
    );
    let _guard = WRITE_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    let plan = sml::plan(&batch, &EngineLookup { session, db: &db }).map_err(sml_error)?;
    check_plan(&plan, keep_floor)?;
    let affected_rows = apply(session, &db, &plan, req.req_id)?;
    Ok(SmlOutcome {
        affected_rows,
        total_rows: batch.total_rows,
    })
}

/// Rejects, before anything is written, what the engine would only reject halfway: names
/// the SQL layer cannot quote and rows older than the database KEEP.
fn check_plan(plan: &SmlPlan, keep_floor: i64) -> Result<(), DbError> {
    let invalid_name = |what: &str, name: &str| {
        DbError::new(
            Code::SML_INVALID_DATA.value(),
            format!("invalid {what} name {name:?}: a back-quote is not allowed in names"),
        )
    };
    for st in &plan.stables {
        if st.name.contains('`') {
            return Err(invalid_name("supertable", &st.name));
        }
        for c in st.columns.iter().chain(&st.tags) {
            if c.name.contains('`') {
                return Err(invalid_name("column", &c.name));
            }
        }
        for child in &st.children {
            if child.name.contains('`') {
                return Err(invalid_name("table", &child.name));
            }
            if let Some(row) = child.rows.iter().find(|r| r.ts.value() < keep_floor) {
                return Err(DbError::new(
                    Code::TDB_TIMESTAMP_OUT_OF_RANGE.value(),
                    format!(
                        "Timestamp data out of range: {} of table {:?} is older than the database keeps",
                        row.ts, child.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `name` back-quoted for SQL (names with a back-quote were rejected by [`check_plan`]).
fn quoted(name: &str) -> String {
    format!("`{name}`")
}

/// The SQL type of `column`, e.g. `NCHAR(32)` or `BIGINT UNSIGNED`.
fn type_sql(column: &Column) -> String {
    if column.ty.is_var() {
        format!("{}({})", column.ty.name(), column.length)
    } else {
        column.ty.name().to_owned()
    }
}

fn column_list(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| format!("{} {}", quoted(&c.name), type_sql(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE STABLE IF NOT EXISTS` for a supertable the plan creates.
fn create_sql(db: &str, st: &StablePlan) -> String {
    format!(
        "CREATE STABLE IF NOT EXISTS {}.{} ({}) TAGS ({})",
        quoted(db),
        quoted(&st.name),
        column_list(&st.columns),
        column_list(&st.tags)
    )
}

/// The `ALTER STABLE` statement of one schema change.
fn alter_sql(db: &str, stable: &str, change: &SchemaChange, columns: &[Column]) -> String {
    let target = format!("ALTER STABLE {}.{}", quoted(db), quoted(stable));
    let widened = |name: &str, length: u32| {
        let ty = columns
            .iter()
            .find(|c| c.name == name)
            .map_or(taosync_proto::types::Type::VarChar, |c| c.ty);
        format!("{}({length})", ty.name())
    };
    match change {
        SchemaChange::AddTag(c) => format!("{target} ADD TAG {} {}", quoted(&c.name), type_sql(c)),
        SchemaChange::AddColumn(c) => {
            format!("{target} ADD COLUMN {} {}", quoted(&c.name), type_sql(c))
        }
        SchemaChange::WidenTag { name, length } => {
            format!(
                "{target} MODIFY TAG {} {}",
                quoted(name),
                widened(name, *length)
            )
        }
        SchemaChange::WidenColumn { name, length } => format!(
            "{target} MODIFY COLUMN {} {}",
            quoted(name),
            widened(name, *length)
        ),
    }
}

/// Applies a checked plan: every schema change first, then every child table's rows.
/// Returns the rows written.
fn apply(
    session: &mut engine::Session,
    db: &str,
    plan: &SmlPlan,
    req_id: u64,
) -> Result<u64, DbError> {
    for st in &plan.stables {
        if st.create {
            session.execute(&create_sql(db, st), req_id)?;
        }
        let all: Vec<Column> = st.columns.iter().chain(&st.tags).cloned().collect();
        for change in &st.changes {
            session.execute(&alter_sql(db, &st.name, change, &all), req_id)?;
        }
    }
    let mut affected = 0u64;
    for st in &plan.stables {
        let width = st.columns.len().max(1);
        let columns: Vec<String> = st.columns.iter().map(|c| c.name.clone()).collect();
        let tag_names: Vec<String> = st.tags.iter().map(|c| c.name.clone()).collect();
        let chunk = (DENSE_CELLS_PER_CHUNK / width).max(1);
        for child in &st.children {
            let mut using = (!child.exists).then(|| AutoCreate {
                stable: st.name.clone(),
                tag_names: Some(tag_names.clone()),
                tags: child.tags_dense(st.tags.len()),
            });
            for rows in child.rows.chunks(chunk) {
                let dense: Vec<Vec<Value>> = rows.iter().map(|r| r.to_dense(width)).collect();
                let target = RowTarget {
                    db: Some(db.to_owned()),
                    table: child.name.clone(),
                    // Only the first chunk creates the table.
                    using: using.take(),
                    columns: Some(columns.clone()),
                };
                affected += session.insert_rows(&target, &dense)?;
            }
        }
    }
    Ok(affected)
}

// ---------------------------------------------------------------------------------------
// WebSocket

fn timing(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)
}

fn ws_error(code: u16, message: &str, action: &str, req_id: u64, started: Instant) -> Reply {
    Reply::Text(ReplyHeader::error(action, req_id, timing(started), code, message).to_json())
}

fn ws_ok<T: Serialize>(action: &str, req_id: u64, started: Instant, body: &T) -> Reply {
    match encode_reply(&ReplyHeader::ok(action, req_id, timing(started)), body) {
        Ok(text) => Reply::Text(text),
        Err(e) => ws_error(GENERIC_CODE, e.message(), action, req_id, started),
    }
}

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
        return ws_error(GENERIC_CODE, message_for_zero, ACTION, a.req_id, started);
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
        Err(e) => ws_error(e.code, &e.message, ACTION, a.req_id, started),
        Ok(out) => {
            let body = msg::SchemalessInsertReply {
                affected_rows: i64::try_from(out.affected_rows).unwrap_or(i64::MAX),
                total_rows: i64::try_from(out.total_rows).unwrap_or(i64::MAX),
            };
            ws_ok(ACTION, a.req_id, started, &body)
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
            return ws_error(
                GENERIC_CODE,
                "duplicate connections",
                ACTION,
                a.req_id,
                started,
            );
        }
        if let Err(e) = self.shared.backend.authenticate(&a.user, &a.password) {
            return ws_error(e.code, &e.message, ACTION, a.req_id, started);
        }
        let mut session = self.shared.backend.open(&a.user);
        session.set_timezone(self.shared.server_tz);
        if !a.db.is_empty()
            && let Err(e) = session.use_db(&a.db)
        {
            return ws_error(e.code, &e.message, ACTION, a.req_id, started);
        }
        self.session = Some(session);
        ws_ok(ACTION, a.req_id, started, &msg::Empty {})
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
                    ws_error(GENERIC_CODE, "args error", "insert", a.req_id, started)
                }
                Ok(a) => match self.session.as_deref_mut() {
                    None => ws_error(
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
            | base64::DecodeError::InvalidLastSymbol(at, _) => {
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
        OpenTsdb::Telnet => (SmlProtocol::Telnet, sml::telnet_http_payload(&body)),
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

    #[test]
    fn ddl_text() {
        let st = StablePlan {
            name: "m`x".replace('`', ""),
            create: true,
            changes: Vec::new(),
            columns: vec![
                Column::new("_ts", taosync_proto::types::Type::Timestamp, 8),
                Column::new("v", taosync_proto::types::Type::UBigInt, 8),
                Column::new("s", taosync_proto::types::Type::VarChar, 4),
            ],
            tags: vec![Column::new("t k", taosync_proto::types::Type::NChar, 8)],
            children: Vec::new(),
        };
        assert_eq!(
            create_sql("db", &st),
            "CREATE STABLE IF NOT EXISTS `db`.`mx` (`_ts` TIMESTAMP, `v` BIGINT UNSIGNED, `s` VARCHAR(4)) TAGS (`t k` NCHAR(8))"
        );
        let all: Vec<Column> = st.columns.iter().chain(&st.tags).cloned().collect();
        let widen = SchemaChange::WidenTag {
            name: "t k".into(),
            length: 16,
        };
        assert_eq!(
            alter_sql("db", "mx", &widen, &all),
            "ALTER STABLE `db`.`mx` MODIFY TAG `t k` NCHAR(16)"
        );
    }
}
