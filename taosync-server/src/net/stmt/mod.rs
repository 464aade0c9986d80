//! Prepared statements on the WebSocket endpoints (02 §1): stmt v1 (`init` … `close`, binary
//! actions 1 and 2) on `/ws` and the legacy `/rest/stmt`, and stmt2 (`stmt2_init` …
//! `stmt2_close`, binary action 9) on `/ws`.
//!
//! Every connection owns one [`Stmts`] table; v1 and stmt2 handles share its id sequence
//! (starting at 1), and an id of the other kind is unknown (02 §1.6). Bound rows are
//! checked against the statement's field types when they are bound, and written at
//! `exec` through the engine's ordinary insert path ([`Session::insert_rows`]), so
//! queries (and TMQ) see them like rows of an SQL `INSERT`.
//!
//! # What a failed execute leaves behind
//!
//! As in TDengine, a bind that fails validation (wrong column or tag count, a value of the
//! wrong type, out of range or too long, rows of unequal length, a missing table name)
//! is refused as a whole and adds nothing: the statement keeps what was bound before it.
//! At `exec` / `stmt2_exec` the batches (one per `add_batch` in v1, one per table of
//! each stmt2 bind) are written in order; each batch is atomic, so a batch the engine
//! rejects writes none of its rows, while the batches written before it stay written.
//! Either way the queue is emptied by `exec`, ready for the next round.

mod fields;
mod plan;
mod v1;
mod v2;

use std::collections::HashMap;
use std::time::Instant;

use super::reply::{Reply, args, ok, timing};
use crate::backend::{DbError, ResultSet, Session};
use taosync_proto::stmt::{
    Stmt2BindFrame, StmtField, decode_block_frame, decode_insert_bind, decode_query_bind,
    decode_set_tags, json,
};
use taosync_proto::value::Value;
use taosync_proto::ws::{
    self as msg, BinaryRequest, IncomingRequest, QueryReply, ReplyHeader, RequestError,
    encode_reply,
};

use fields::{Field, INVALID_OPERATION, api_error, from_error, generic};
use plan::Plan;
use v1::V1;
use v2::V2;

/// The JSON actions of stmt v1 (02 §1.2.2).
pub(crate) const V1_ACTIONS: [&str; 13] = [
    "init",
    "prepare",
    "set_table_name",
    "set_tags",
    "bind",
    "add_batch",
    "exec",
    "close",
    "get_tag_fields",
    "get_col_fields",
    "use_result",
    "stmt_num_params",
    "stmt_get_param",
];

/// The JSON actions of stmt2 (02 §1.3.1).
pub(crate) const V2_ACTIONS: [&str; 5] = [
    "stmt2_init",
    "stmt2_prepare",
    "stmt2_exec",
    "stmt2_result",
    "stmt2_close",
];

/// The JSON actions the legacy `/rest/stmt` endpoint understands besides `version` and
/// `conn` (02 §1.5: stmt v1 before `use_result` and friends existed).
pub(crate) const LEGACY_ACTIONS: [&str; 10] = [
    "init",
    "prepare",
    "set_table_name",
    "set_tags",
    "bind",
    "add_batch",
    "exec",
    "close",
    "get_tag_fields",
    "get_col_fields",
];

/// A stmt error reply: the five common keys and `stmt_id` (02 §1.2.2).
fn fail(action: &str, req_id: u64, stmt_id: u64, started: Instant, e: &DbError) -> Reply {
    let header = ReplyHeader::error(action, req_id, timing(started), e.code, &e.message);
    match encode_reply(&header, &msg::StmtIdReply { stmt_id }) {
        Ok(text) => Reply::Text(text),
        Err(_) => Reply::Text(header.to_json()),
    }
}

enum Handle {
    V1(Box<V1>),
    V2(Box<V2>),
}

/// The prepared statements of one connection.
pub(crate) struct Stmts {
    handles: HashMap<u64, Handle>,
    next_id: u64,
}

impl Default for Stmts {
    fn default() -> Self {
        Stmts {
            handles: HashMap::new(),
            next_id: 1,
        }
    }
}

/// What a stmt request needs from its connection: the session, and a place to register
/// a result set for the query protocol (`fetch`, `fetch_block`, `fetch_raw_block`).
pub(crate) struct Host<'a> {
    /// The connection's session.
    pub(crate) session: &'a mut dyn Session,
    /// Registers a result set; returns its result id.
    pub(crate) register: &'a mut dyn FnMut(Box<dyn ResultSet>) -> u64,
}

/// The result set of the last exec, handed over to the query protocol.
fn take_result(
    slot: &mut Option<Box<dyn ResultSet>>,
    plan: &Option<Plan>,
) -> Result<Box<dyn ResultSet>, DbError> {
    match (slot.take(), plan) {
        (Some(rs), _) => Ok(rs),
        (None, Some(Plan::Query { .. })) => Err(api_error("no result set: exec the query first")),
        (None, Some(Plan::Insert(_))) => Err(api_error("an INSERT has no result set")),
        (None, None) => Err(api_error("statement not prepared")),
    }
}

/// Column-major values to rows.
fn transpose(cols: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let n = cols.first().map_or(0, Vec::len);
    let mut rows: Vec<Vec<Value>> = (0..n).map(|_| Vec::with_capacity(cols.len())).collect();
    for col in cols {
        for (row, v) in rows.iter_mut().zip(col) {
            row.push(v);
        }
    }
    rows
}

/// The parameters of a JSON `bind` for a query: columns of JSON values read by their JSON
/// type (integers as BIGINT, other numbers as DOUBLE, strings as VARCHAR).
fn json_query_rows(columns: &serde_json::Value) -> Result<Vec<Vec<Value>>, DbError> {
    use serde_json::Value as J;
    let err = |m: &str| generic(format!("stmt parse column json:{m}"));
    let cols = columns
        .as_array()
        .ok_or_else(|| err("columns must be a JSON array"))?;
    let mut out = Vec::with_capacity(cols.len());
    let mut want = None;
    for col in cols {
        let vals = col
            .as_array()
            .ok_or_else(|| err("a column must be a JSON array"))?;
        match want {
            Some(n) if n != vals.len() => return Err(err("wrong row length")),
            _ => want = Some(vals.len()),
        }
        let vals = vals
            .iter()
            .map(|v| match v {
                J::Null => Ok(Value::Null),
                J::Bool(b) => Ok(Value::Bool(*b)),
                J::Number(n) => Ok(n
                    .as_i64()
                    .map(Value::BigInt)
                    .or_else(|| n.as_u64().map(Value::UBigInt))
                    .unwrap_or_else(|| Value::Double(n.as_f64().unwrap_or(f64::NAN)))),
                J::String(s) => Ok(Value::VarChar(s.clone())),
                _ => Err(err("a query parameter must be a scalar")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push(vals);
    }
    Ok(transpose(out))
}

impl Stmts {
    fn add(&mut self, h: Handle) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.handles.insert(id, h);
        id
    }

    fn missing(&self, id: u64, v2: bool) -> DbError {
        if id != 0 && id < self.next_id && !self.handles.contains_key(&id) {
            generic("stmt has been freed")
        } else if v2 {
            generic("stmt2 is nil")
        } else {
            generic("stmt is nil")
        }
    }

    fn v1(&mut self, id: u64) -> Result<&mut V1, DbError> {
        let err = self.missing(id, false);
        match self.handles.get_mut(&id) {
            Some(Handle::V1(s)) => Ok(s),
            _ => Err(err),
        }
    }

    fn v2(&mut self, id: u64) -> Result<&mut V2, DbError> {
        let err = self.missing(id, true);
        match self.handles.get_mut(&id) {
            Some(Handle::V2(s)) => Ok(s),
            _ => Err(err),
        }
    }

    /// Handles one stmt JSON request (`req.action` is one of [`V1_ACTIONS`] or
    /// [`V2_ACTIONS`]); `None` for a successful v1 `close`, which is not answered.
    pub(crate) fn on_text(&mut self, req: &IncomingRequest, host: Host<'_>) -> Option<Reply> {
        let started = Instant::now();
        match self.text(req, host, started) {
            Ok(r) | Err(r) => r,
        }
    }

    fn text(
        &mut self,
        req: &IncomingRequest,
        host: Host<'_>,
        started: Instant,
    ) -> Result<Option<Reply>, Option<Reply>> {
        let action = req.action.as_str();
        let session = host.session;
        // Runs `f` on the request's stmt and answers `ok` with its body or the stmt error.
        macro_rules! with {
            ($args:ty, $kind:ident, |$a:ident, $s:ident| $body:expr) => {{
                let $a: $args = args(req, started).map_err(Some)?;
                let (req_id, stmt_id) = ($a.req_id, $a.stmt_id);
                let out = self.$kind(stmt_id).and_then(|$s| $body);
                Ok(Some(match out {
                    Ok(body) => ok(action, req_id, started, &body),
                    Err(e) => fail(action, req_id, stmt_id, started, &e),
                }))
            }};
        }
        let id_reply = |stmt_id| msg::StmtIdReply { stmt_id };
        match action {
            "init" => {
                let a: msg::StmtInitArgs = args(req, started).map_err(Some)?;
                let stmt_id = self.add(Handle::V1(Box::default()));
                Ok(Some(ok(action, a.req_id, started, &id_reply(stmt_id))))
            }
            "prepare" => with!(msg::StmtPrepareArgs, v1, |a, s| s
                .prepare(&*session, &a.sql)
                .map(|is_insert| msg::StmtPrepareReply {
                    stmt_id: a.stmt_id,
                    is_insert,
                })),
            "set_table_name" => with!(msg::StmtSetTableNameArgs, v1, |a, s| s
                .set_table_name(&*session, &a.name)
                .map(|()| id_reply(a.stmt_id))),
            "set_tags" => with!(msg::StmtSetTagsArgs, v1, |a, s| {
                let fields: Vec<StmtField> = s.tag_fields_to_set()?.iter().map(Field::v1).collect();
                let tags = json::decode_tags(&a.tags, &fields)
                    .map_err(|e| generic(format!("stmt parse tag json:{}", e.message())))?;
                s.set_tags(tags).map(|()| id_reply(a.stmt_id))
            }),
            "bind" => with!(msg::StmtBindArgs, v1, |a, s| {
                let out = if let Some(Plan::Query { .. }) = &s.plan {
                    json_query_rows(&a.columns).and_then(|rows| s.bind_params(rows))
                } else {
                    let fields: Vec<StmtField> = s.col_fields()?.iter().map(Field::v1).collect();
                    let cols = json::decode_columns(&a.columns, &fields)
                        .map_err(|e| generic(format!("stmt parse column json:{}", e.message())))?;
                    s.bind_rows(transpose(cols))
                };
                out.map(|()| id_reply(a.stmt_id))
            }),
            "add_batch" => with!(msg::StmtAddBatchArgs, v1, |a, s| s
                .add_batch()
                .map(|()| id_reply(a.stmt_id))),
            "exec" => with!(msg::StmtExecArgs, v1, |a, s| s
                .exec(&mut *session, a.req_id)
                .map(|n| msg::StmtExecReply {
                    stmt_id: a.stmt_id,
                    affected: i64::try_from(n).unwrap_or(i64::MAX),
                })),
            "close" => {
                let a: msg::StmtCloseArgs = args(req, started).map_err(Some)?;
                match self.v1(a.stmt_id) {
                    Ok(_) => {
                        self.handles.remove(&a.stmt_id);
                        Ok(None)
                    }
                    Err(e) => Ok(Some(fail(action, a.req_id, a.stmt_id, started, &e))),
                }
            }
            "get_tag_fields" => with!(msg::StmtGetTagFieldsArgs, v1, |a, s| s.tag_fields().map(
                |f| msg::StmtTagFieldsReply {
                    stmt_id: a.stmt_id,
                    fields: f.iter().map(Field::v1).collect(),
                }
            )),
            "get_col_fields" => with!(msg::StmtGetColFieldsArgs, v1, |a, s| s.col_fields().map(
                |f| msg::StmtColFieldsReply {
                    stmt_id: a.stmt_id,
                    fields: (!f.is_empty()).then(|| f.iter().map(Field::v1).collect()),
                }
            )),
            "use_result" => with!(msg::StmtUseResultArgs, v1, |a, s| {
                let rs = take_result(&mut s.result, &s.plan)?;
                let r = QueryReply::result_set(0, rs.columns(), rs.precision());
                let result_id = (host.register)(rs);
                Ok::<_, DbError>(msg::StmtUseResultReply {
                    stmt_id: a.stmt_id,
                    result_id,
                    fields_count: r.fields_count,
                    fields_names: r.fields_names,
                    fields_types: r.fields_types,
                    fields_lengths: r.fields_lengths,
                    precision: r.precision,
                    fields_precisions: r.fields_precisions,
                    fields_scales: r.fields_scales,
                })
            }),
            "stmt_num_params" => with!(msg::StmtNumParamsArgs, v1, |a, s| {
                let n = match &s.plan {
                    Some(Plan::Query { params, .. }) => *params,
                    _ => s.col_fields()?.len(),
                };
                Ok::<_, DbError>(msg::StmtNumParamsReply {
                    stmt_id: a.stmt_id,
                    num_params: i64::try_from(n).unwrap_or(i64::MAX),
                })
            }),
            "stmt_get_param" => with!(msg::StmtGetParamArgs, v1, |a, s| {
                let fields = s.col_fields()?;
                let f = usize::try_from(a.index)
                    .ok()
                    .and_then(|i| fields.get(i))
                    .ok_or_else(|| {
                        DbError::new(
                            INVALID_OPERATION,
                            format!("Invalid operation: no parameter at index {}", a.index),
                        )
                    })?;
                Ok::<_, DbError>(msg::StmtGetParamReply {
                    stmt_id: a.stmt_id,
                    index: a.index,
                    data_type: i64::from(f.column.ty.code()),
                    length: i64::from(f.bytes()),
                })
            }),
            "stmt2_init" => {
                let a: msg::Stmt2InitArgs = args(req, started).map_err(Some)?;
                let stmt_id = self.add(Handle::V2(Box::default()));
                Ok(Some(ok(action, a.req_id, started, &id_reply(stmt_id))))
            }
            "stmt2_prepare" => with!(msg::Stmt2PrepareArgs, v2, |a, s| s
                .prepare(&*session, &a.sql, a.get_fields)
                .map(|r| msg::Stmt2PrepareReply {
                    stmt_id: a.stmt_id,
                    ..r
                })),
            "stmt2_exec" => with!(msg::Stmt2ExecArgs, v2, |a, s| s
                .exec(&mut *session, a.req_id)
                .map(|n| msg::StmtExecReply {
                    stmt_id: a.stmt_id,
                    affected: i64::try_from(n).unwrap_or(i64::MAX),
                })),
            "stmt2_result" => with!(msg::Stmt2ResultArgs, v2, |a, s| {
                if let Some(Plan::Insert(_)) = &s.plan {
                    return Err(generic("stmt is insert, no result set"));
                }
                let rs = take_result(&mut s.result, &s.plan)?;
                let r = QueryReply::result_set(0, rs.columns(), rs.precision());
                let id = (host.register)(rs);
                Ok::<_, DbError>(msg::Stmt2ResultReply {
                    stmt_id: a.stmt_id,
                    id,
                    fields_count: r.fields_count,
                    fields_names: r.fields_names,
                    fields_types: r.fields_types,
                    fields_lengths: r.fields_lengths,
                    precision: r.precision,
                    fields_precisions: r.fields_precisions,
                    fields_scales: r.fields_scales,
                })
            }),
            "stmt2_close" => {
                let a: msg::Stmt2CloseArgs = args(req, started).map_err(Some)?;
                Ok(Some(match self.v2(a.stmt_id) {
                    Ok(_) => {
                        self.handles.remove(&a.stmt_id);
                        ok(action, a.req_id, started, &id_reply(a.stmt_id))
                    }
                    Err(e) => fail(action, a.req_id, a.stmt_id, started, &e),
                }))
            }
            _ => Err(Some(Reply::Text(
                RequestError::unknown_action(req)
                    .reply(timing(started))
                    .to_json(),
            ))),
        }
    }

    /// Handles binary action 1 (`set_tags`), 2 (`bind`), 9 (`stmt2_bind`) or 11
    /// (`stmt2_bind_exec`, answered like `stmt2_exec`); `name` is the action name the reply
    /// carries.
    pub(crate) fn on_binary(
        &mut self,
        req: &BinaryRequest<'_>,
        name: &str,
        host: Host<'_>,
    ) -> Reply {
        let started = Instant::now();
        let req_id = req.header.req_id;
        let stmt_id = req.header.resource_id;
        if req.header.action == 11 {
            let session = host.session;
            let out = self.v2(stmt_id).and_then(|s| {
                // The frame header is followed by the action-11 payload.
                s.bind_exec(session, req.payload, req_id)
            });
            return match out {
                Ok(n) => {
                    let body = msg::StmtExecReply {
                        stmt_id,
                        affected: i64::try_from(n).unwrap_or(i64::MAX),
                    };
                    ok(name, req_id, started, &body)
                }
                Err(e) => fail(name, req_id, stmt_id, started, &e),
            };
        }
        let out = match req.header.action {
            1 => self.binary_set_tags(req),
            2 => self.binary_bind(req),
            _ => Stmt2BindFrame::decode(req)
                .map_err(|e| from_error(&e))
                .and_then(|frame| {
                    let session = &*host.session;
                    self.v2(frame.stmt_id)?.bind(session, frame.payload)
                }),
        };
        match out {
            Ok(()) => ok(name, req_id, started, &msg::StmtIdReply { stmt_id }),
            Err(e) => fail(name, req_id, stmt_id, started, &e),
        }
    }

    fn binary_set_tags(&mut self, req: &BinaryRequest<'_>) -> Result<(), DbError> {
        let (stmt_id, block, _) = decode_block_frame(req).map_err(|e| from_error(&e))?;
        let s = self.v1(stmt_id)?;
        let fields: Vec<StmtField> = s.tag_fields_to_set()?.iter().map(Field::v1).collect();
        if fields.is_empty() {
            return Ok(());
        }
        let tags = decode_set_tags(block, &fields).map_err(|e| from_error(&e))?;
        s.set_tags(tags)
    }

    fn binary_bind(&mut self, req: &BinaryRequest<'_>) -> Result<(), DbError> {
        let (stmt_id, block, _) = decode_block_frame(req).map_err(|e| from_error(&e))?;
        let s = self.v1(stmt_id)?;
        if let Some(Plan::Query { .. }) = &s.plan {
            let rows = decode_query_bind(block).map_err(|e| from_error(&e))?;
            return s.bind_params(rows);
        }
        let fields: Vec<StmtField> = s.col_fields()?.iter().map(Field::v1).collect();
        if fields.is_empty() {
            return Ok(());
        }
        let rows = decode_insert_bind(block, &fields).map_err(|e| from_error(&e))?;
        s.bind_rows(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::fields::{Field, VALUE_TOO_LONG, split_name};
    use super::*;
    use taosync_proto::row::Column;
    use taosync_proto::stmt::BindType;
    use taosync_proto::types::{Precision, Timestamp, Type};

    #[test]
    fn bound_table_names_split_and_fold() {
        assert_eq!(split_name("D1").unwrap(), (None, "d1".to_owned()));
        assert_eq!(
            split_name("Db.T1").unwrap(),
            (Some("db".to_owned()), "t1".to_owned())
        );
        assert_eq!(
            split_name("db.`Mixed.Case`").unwrap(),
            (Some("db".to_owned()), "Mixed.Case".to_owned())
        );
        assert_eq!(split_name("`A`").unwrap(), (None, "A".to_owned()));
        assert_eq!(split_name("").unwrap_err().code, INVALID_OPERATION);
        assert_eq!(split_name(".t").unwrap_err().code, INVALID_OPERATION);
    }

    #[test]
    fn values_are_checked_against_the_field() {
        let ns = Precision::Nanosecond;
        let vc = Field::new(Column::new("s", Type::VarChar, 3), ns);
        assert_eq!(vc.check(&Value::from("abc")).unwrap(), Value::from("abc"));
        assert_eq!(
            vc.check(&Value::from("abcd")).unwrap_err().code,
            VALUE_TOO_LONG
        );
        let nc = Field::new(Column::new("n", Type::NChar, 2), ns);
        assert_eq!(
            nc.check(&Value::from("中文")).unwrap(),
            Value::NChar("中文".into())
        );
        assert_eq!(
            nc.check(&Value::from("中文!")).unwrap_err().code,
            VALUE_TOO_LONG
        );
        let int = Field::new(Column::new("i", Type::Int, 4), ns);
        assert_eq!(int.check(&Value::BigInt(7)).unwrap(), Value::Int(7));
        assert_eq!(
            int.check(&Value::BigInt(1 << 40)).unwrap_err().code,
            INVALID_OPERATION
        );
        assert_eq!(int.check(&Value::Null).unwrap(), Value::Null);
        // A timestamp keeps its raw count, read in the database precision.
        let ts = Field::new(Column::new("ts", Type::Timestamp, 8), ns);
        let raw = Value::Timestamp(Timestamp::new(5, Precision::Millisecond));
        assert_eq!(
            ts.check(&raw).unwrap(),
            Value::Timestamp(Timestamp::new(5, ns))
        );
        let f = ts.v1();
        assert_eq!((f.field_type, f.precision, f.bytes), (9, 2, 8));
        let f = vc.v2(BindType::Column);
        assert_eq!((f.bytes, f.bind_type), (5, 1));
    }

    #[test]
    fn columns_transpose_to_rows() {
        let cols = vec![
            vec![Value::Int(1), Value::Int(2)],
            vec![Value::from("a"), Value::Null],
        ];
        assert_eq!(
            transpose(cols),
            vec![
                vec![Value::Int(1), Value::from("a")],
                vec![Value::Int(2), Value::Null]
            ]
        );
        let rows =
            json_query_rows(&serde_json::json!([[1], ["x"], [null], [1.5], [true]])).unwrap();
        assert_eq!(
            rows,
            vec![vec![
                Value::BigInt(1),
                Value::from("x"),
                Value::Null,
                Value::Double(1.5),
                Value::Bool(true)
            ]]
        );
        assert!(json_query_rows(&serde_json::json!([[1], [2, 3]])).is_err());
    }
}
