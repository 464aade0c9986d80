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

use std::collections::HashMap;
use std::time::Instant;

use super::reply::{Reply, args, ok, timing};
use crate::backend::{
    AutoCreate, DbError, Exec, FieldKind, ResultSet, RowTarget, Session, StmtShape,
};
use taosync_proto::block::internal_width;
use taosync_proto::error::Error;
use taosync_proto::row::Column;
use taosync_proto::stmt::{
    BindColumn, BindType, Stmt2Bind, Stmt2BindFrame, Stmt2Field, Stmt2Table, StmtField, coerce,
    decode_block_frame, decode_insert_bind, decode_query_bind, decode_set_tags, json,
};
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;
use taosync_proto::ws::{
    self as msg, BinaryRequest, GENERIC_CODE, IncomingRequest, QueryReply, ReplyHeader,
    RequestError, encode_reply,
};

/// `TSC_INVALID_OPERATION`.
const INVALID_OPERATION: u16 = 0x0200;
/// `TSC_STMT_API_ERROR`: a call out of order.
const API_ERROR: u16 = 0x022A;
/// `TSC_STMT_TBNAME_ERROR`: the table name is a parameter and was not bound.
const TBNAME_ERROR: u16 = 0x022B;
/// `PAR_TAGS_NOT_MATCHED`.
const TAGS_NOT_MATCHED: u16 = 0x260D;
/// `PAR_INVALID_COLUMNS_NUM`.
const COLUMNS_NUM: u16 = 0x263F;
/// `PAR_VALUE_TOO_LONG`.
const VALUE_TOO_LONG: u16 = 0x2653;
/// The width the C library reports for the `tbname` field of stmt2 (02 §1.3.2).
const TBNAME_BYTES: i32 = 271;

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

fn api_error(what: &str) -> DbError {
    DbError::new(API_ERROR, format!("Stmt API usage error: {what}"))
}

fn tbname_error() -> DbError {
    DbError::new(TBNAME_ERROR, "Stmt table name not set")
}

fn generic(message: impl Into<String>) -> DbError {
    DbError::new(GENERIC_CODE, message)
}

fn from_error(e: &Error) -> DbError {
    DbError::new(
        e.code().map_or(GENERIC_CODE, |c| c.value()),
        e.message().to_owned(),
    )
}

/// A stmt error reply: the five common keys and `stmt_id` (02 §1.2.2).
fn fail(action: &str, req_id: u64, stmt_id: u64, started: Instant, e: &DbError) -> Reply {
    let header = ReplyHeader::error(action, req_id, timing(started), e.code, &e.message);
    match encode_reply(&header, &msg::StmtIdReply { stmt_id }) {
        Ok(text) => Reply::Text(text),
        Err(_) => Reply::Text(header.to_json()),
    }
}

/// One bound item of a statement: its column (name, type, declared width, decimal
/// precision and scale) and the timestamp precision of its database.
#[derive(Clone, Debug)]
struct Field {
    column: Column,
    precision: Precision,
}

impl Field {
    fn new(column: Column, precision: Precision) -> Field {
        Field { column, precision }
    }

    /// The `precision` key: the timestamp precision code, or the DECIMAL precision.
    fn precision_code(&self) -> u8 {
        if self.column.ty == Type::Timestamp {
            self.precision.code()
        } else {
            self.column.precision
        }
    }

    fn bytes(&self) -> i32 {
        i32::try_from(internal_width(self.column.ty, self.column.length)).unwrap_or(i32::MAX)
    }

    fn v1(&self) -> StmtField {
        StmtField {
            name: self.column.name.clone(),
            field_type: i8::try_from(self.column.ty.code()).unwrap_or(0),
            precision: self.precision_code(),
            scale: self.column.scale,
            bytes: self.bytes(),
        }
    }

    fn v2(&self, kind: BindType) -> Stmt2Field {
        Stmt2Field {
            name: self.column.name.clone(),
            field_type: i8::try_from(self.column.ty.code()).unwrap_or(0),
            precision: self.precision_code(),
            scale: self.column.scale,
            bytes: if kind == BindType::TableName {
                TBNAME_BYTES
            } else {
                self.bytes()
            },
            bind_type: kind.code(),
        }
    }

    /// `value` as this field's type: a timestamp keeps its raw count, read in the
    /// database precision (both bind formats carry raw counts); other values are converted
    /// without loss (0x0200 when that is impossible) and text is checked against the
    /// declared width (0x2653).
    fn check(&self, value: &Value) -> Result<Value, DbError> {
        let c = &self.column;
        let v = match value {
            Value::Timestamp(ts) if c.ty == Type::Timestamp => {
                Value::Timestamp(Timestamp::new(ts.value(), self.precision))
            }
            other => coerce(other, c.ty, self.precision).map_err(|e| {
                DbError::new(
                    INVALID_OPERATION,
                    format!("Invalid operation: {}: {}", c.name, e.message()),
                )
            })?,
        };
        let len = match &v {
            Value::VarChar(s) => s.len(),
            Value::NChar(s) => s.chars().count(),
            Value::VarBinary(b) | Value::Geometry(b) => b.len(),
            _ => 0,
        };
        if len > usize::try_from(c.length).unwrap_or(usize::MAX) && c.ty != Type::Json {
            return Err(DbError::new(
                VALUE_TOO_LONG,
                format!("Value too long for column/tag: {}", c.name),
            ));
        }
        Ok(v)
    }
}

/// Checks a row-major set of rows against `fields`.
fn check_rows(fields: &[Field], rows: &[Vec<Value>]) -> Result<Vec<Vec<Value>>, DbError> {
    rows.iter()
        .map(|row| {
            if row.len() != fields.len() {
                return Err(DbError::new(
                    COLUMNS_NUM,
                    format!(
                        "Illegal number of columns: the statement binds {}, got {}",
                        fields.len(),
                        row.len()
                    ),
                ));
            }
            row.iter().zip(fields).map(|(v, f)| f.check(v)).collect()
        })
        .collect()
}

/// Splits a bound table name `db.tbl` (either part may be back-quoted) into its parts;
/// unquoted names are case-folded like SQL identifiers.
fn split_name(name: &str) -> Result<(Option<String>, String), DbError> {
    fn ident(s: &str) -> String {
        let s = s.trim();
        match s.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
            Some(q) => q.to_owned(),
            None => s.to_lowercase(),
        }
    }
    let name = name.trim();
    // The first `.` outside back-quotes separates the database.
    let mut quoted = false;
    let dot = name.char_indices().find_map(|(i, c)| match c {
        '`' => {
            quoted = !quoted;
            None
        }
        '.' if !quoted => Some(i),
        _ => None,
    });
    let (db, table) = match dot {
        Some(i) => (Some(ident(&name[..i])), ident(&name[i + 1..])),
        None => (None, ident(name)),
    };
    if table.is_empty() || db.as_deref() == Some("") {
        return Err(DbError::new(
            INVALID_OPERATION,
            format!("Invalid operation: invalid table name {name:?}"),
        ));
    }
    Ok((db, table))
}

/// An INSERT statement: where rows go and the types of what is bound.
struct InsertPlan {
    shape: StmtShape,
    /// The tag placeholders, in order.
    tags: Vec<Field>,
    /// The column placeholders, `None` for `INSERT INTO ? VALUES (…)` (known once the
    /// table is bound).
    cols: Option<Vec<Field>>,
    /// `USING st TAGS ('x', 1)` written as constants: the values children are created with.
    literal_tags: Option<Vec<Value>>,
}

/// One table an INSERT writes: its name and the types of its columns.
#[derive(Clone)]
struct TableCtx {
    db: Option<String>,
    name: String,
    cols: Vec<Field>,
    col_names: Vec<String>,
}

impl InsertPlan {
    fn new(session: &dyn Session, sql: &str, shape: StmtShape) -> Result<InsertPlan, DbError> {
        let db = shape.db.as_deref();
        let anchor = shape.stable.as_deref().or(shape.table.as_deref());
        let precision = match anchor {
            Some(t) => session.table_info(db, t)?.precision,
            None => Precision::Millisecond,
        };
        let field = |kind: FieldKind| -> Vec<Field> {
            shape
                .fields
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| Field::new(f.column.clone(), precision))
                .collect()
        };
        let tags = field(FieldKind::Tag);
        let cols = field(FieldKind::Column);
        let cols = if anchor.is_some() { Some(cols) } else { None };
        let literal_tags =
            if shape.stable.is_some() && tags.is_empty() && !shape.tag_names.is_empty() {
                session.literal_tags(sql)
            } else {
                None
            };
        Ok(InsertPlan {
            shape,
            tags,
            cols,
            literal_tags,
        })
    }

    fn name_is_param(&self) -> bool {
        self.shape.table.is_none()
    }

    fn has_tbname_field(&self) -> bool {
        self.shape
            .fields
            .iter()
            .any(|f| f.kind == FieldKind::TableName)
    }

    /// The table rows go to: `name` when the table name is a parameter.
    fn table(&self, session: &dyn Session, name: Option<&str>) -> Result<TableCtx, DbError> {
        let (db, table) = match (&self.shape.table, name) {
            (Some(fixed), _) => (self.shape.db.clone(), fixed.clone()),
            (None, None) => return Err(tbname_error()),
            (None, Some(n)) => {
                let (db, t) = split_name(n)?;
                (db.or_else(|| self.shape.db.clone()), t)
            }
        };
        let (cols, col_names) = match &self.cols {
            Some(cols) => (cols.clone(), self.shape.columns.clone()),
            None => {
                let info = session.table_info(db.as_deref(), &table)?;
                let names = if self.shape.columns.is_empty() {
                    info.columns.iter().map(|c| c.name.clone()).collect()
                } else {
                    self.shape.columns.clone()
                };
                let cols = names
                    .iter()
                    .map(|n| {
                        info.columns
                            .iter()
                            .find(|c| c.name.eq_ignore_ascii_case(n))
                            .map(|c| Field::new(c.clone(), info.precision))
                            .ok_or_else(|| {
                                DbError::new(0x2602, format!("Invalid column name: {n}"))
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                (cols, names)
            }
        };
        Ok(TableCtx {
            db,
            name: table,
            cols,
            col_names,
        })
    }

    /// Where rows of `table` go; `tags` (already checked) auto-create it.
    fn target(&self, table: &TableCtx, tags: Option<Vec<Value>>) -> RowTarget {
        let tags = if self.tags.is_empty() {
            self.literal_tags.clone()
        } else {
            tags
        };
        let using = match (&self.shape.stable, tags) {
            (Some(stable), Some(tags)) => Some(AutoCreate {
                stable: stable.clone(),
                tag_names: Some(self.shape.tag_names.clone()),
                tags,
            }),
            _ => None,
        };
        RowTarget {
            db: table.db.clone(),
            table: table.name.clone(),
            using,
            columns: Some(table.col_names.clone()),
        }
    }
}

/// What a statement was prepared as.
enum Plan {
    Insert(InsertPlan),
    Query { sql: String, params: usize },
}

/// Rows for one table, written atomically at exec.
struct Batch {
    target: RowTarget,
    rows: Vec<Vec<Value>>,
}

/// Writes `batches` in order; see the module doc for what a failure leaves.
fn write_batches(session: &mut dyn Session, batches: Vec<Batch>) -> Result<u64, DbError> {
    let mut affected = 0u64;
    for b in batches {
        affected = affected.saturating_add(session.insert_rows(&b.target, &b.rows)?);
    }
    Ok(affected)
}

/// Runs a prepared query with its bound parameters (v1 and stmt2 alike), keeping a result
/// set for `use_result` / `stmt2_result`; the affected rows (0 for a result set).
fn exec_query(
    sql: &str,
    params: &mut Option<Vec<Value>>,
    result: &mut Option<Box<dyn ResultSet>>,
    session: &mut dyn Session,
    req_id: u64,
) -> Result<u64, DbError> {
    let params = params.take().ok_or_else(|| api_error("exec before bind"))?;
    match session.execute_with_params(sql, &params, req_id)? {
        Exec::Affected(n) => {
            *result = None;
            Ok(n)
        }
        Exec::Rows(rs) => {
            *result = Some(rs);
            Ok(0)
        }
    }
}

/// A stmt v1 handle.
#[derive(Default)]
struct V1 {
    plan: Option<Plan>,
    table: Option<TableCtx>,
    tags: Option<Vec<Value>>,
    /// Rows bound since the last `add_batch`.
    pending: Vec<Vec<Value>>,
    batches: Vec<Batch>,
    /// Query parameters bound since the last exec.
    params: Option<Vec<Value>>,
    result: Option<Box<dyn ResultSet>>,
}

impl V1 {
    fn insert(&self) -> Result<&InsertPlan, DbError> {
        match &self.plan {
            Some(Plan::Insert(p)) => Ok(p),
            Some(Plan::Query { .. }) => Err(api_error("not an INSERT statement")),
            None => Err(api_error("statement not prepared")),
        }
    }

    fn prepare(&mut self, session: &dyn Session, sql: &str) -> Result<bool, DbError> {
        let shape = session.prepare_shape(sql.trim())?;
        *self = V1::default();
        if shape.is_insert {
            let plan = InsertPlan::new(session, sql.trim(), shape)?;
            if !plan.name_is_param() {
                self.table = Some(plan.table(session, None)?);
            }
            self.plan = Some(Plan::Insert(plan));
            Ok(true)
        } else {
            self.plan = Some(Plan::Query {
                sql: sql.trim().to_owned(),
                params: shape.params,
            });
            Ok(false)
        }
    }

    fn set_table_name(&mut self, session: &dyn Session, name: &str) -> Result<(), DbError> {
        let plan = self.insert()?;
        let table = plan.table(session, Some(name))?;
        if !self.pending.is_empty() {
            return Err(api_error("add_batch before binding another table"));
        }
        self.table = Some(table);
        self.tags = None;
        Ok(())
    }

    /// The tag fields; the table must be bound when its name is a parameter.
    fn tag_fields(&self) -> Result<&[Field], DbError> {
        let plan = self.insert()?;
        if self.table.is_none() {
            return Err(tbname_error());
        }
        Ok(&plan.tags)
    }

    fn col_fields(&self) -> Result<&[Field], DbError> {
        self.insert()?;
        match &self.table {
            Some(t) => Ok(&t.cols),
            None => Err(tbname_error()),
        }
    }

    /// The tag fields for `set_tags`: binding tags before the table name is out of order.
    fn tag_fields_to_set(&self) -> Result<&[Field], DbError> {
        let plan = self.insert()?;
        if self.table.is_none() {
            return Err(api_error("set_tags before set_table_name"));
        }
        Ok(&plan.tags)
    }

    fn set_tags(&mut self, tags: Vec<Value>) -> Result<(), DbError> {
        let fields = self.tag_fields_to_set()?;
        if tags.len() != fields.len() {
            return Err(generic("stmt tags count not match"));
        }
        let checked = tags
            .iter()
            .zip(fields)
            .map(|(v, f)| f.check(v))
            .collect::<Result<Vec<_>, _>>()?;
        self.tags = Some(checked);
        Ok(())
    }

    fn bind_rows(&mut self, rows: Vec<Vec<Value>>) -> Result<(), DbError> {
        let checked = check_rows(self.col_fields()?, &rows)?;
        self.pending.extend(checked);
        Ok(())
    }

    fn bind_params(&mut self, rows: Vec<Vec<Value>>) -> Result<(), DbError> {
        let Some(Plan::Query { params, .. }) = &self.plan else {
            return Err(api_error("statement not prepared"));
        };
        let [row] = rows.as_slice() else {
            return Err(DbError::new(
                INVALID_OPERATION,
                "Invalid operation: query only supports one row",
            ));
        };
        if row.len() != *params {
            return Err(DbError::new(
                INVALID_OPERATION,
                format!(
                    "Invalid operation: the query has {params} parameters, got {}",
                    row.len()
                ),
            ));
        }
        self.params = Some(row.clone());
        Ok(())
    }

    fn add_batch(&mut self) -> Result<(), DbError> {
        match &self.plan {
            Some(Plan::Query { .. }) if self.params.is_some() => return Ok(()),
            Some(Plan::Query { .. }) => return Err(api_error("add_batch before bind")),
            _ => {}
        }
        let plan = self.insert()?;
        if self.pending.is_empty() {
            return Err(api_error("add_batch before bind"));
        }
        let table = self.table.as_ref().ok_or_else(tbname_error)?;
        let target = plan.target(table, self.tags.clone());
        let rows = std::mem::take(&mut self.pending);
        self.batches.push(Batch { target, rows });
        Ok(())
    }

    fn exec(&mut self, session: &mut dyn Session, req_id: u64) -> Result<u64, DbError> {
        match &self.plan {
            None => Err(api_error("statement not prepared")),
            Some(Plan::Query { sql, .. }) => {
                exec_query(sql, &mut self.params, &mut self.result, session, req_id)
            }
            Some(Plan::Insert(_)) => {
                if !self.pending.is_empty() || self.batches.is_empty() {
                    return Err(api_error("exec before add_batch"));
                }
                write_batches(session, std::mem::take(&mut self.batches))
            }
        }
    }
}

/// A stmt2 handle.
#[derive(Default)]
struct V2 {
    plan: Option<Plan>,
    /// Tables bound since the last exec.
    batches: Vec<Batch>,
    params: Option<Vec<Value>>,
    result: Option<Box<dyn ResultSet>>,
}

impl V2 {
    fn prepare(
        &mut self,
        session: &dyn Session,
        sql: &str,
        get_fields: bool,
    ) -> Result<msg::Stmt2PrepareReply, DbError> {
        let shape = session.prepare_shape(sql.trim())?;
        *self = V2::default();
        let mut reply = msg::Stmt2PrepareReply {
            is_insert: shape.is_insert,
            ..msg::Stmt2PrepareReply::default()
        };
        if shape.is_insert {
            let plan = InsertPlan::new(session, sql.trim(), shape)?;
            if get_fields {
                let mut fields = Vec::new();
                if plan.has_tbname_field() {
                    let tbname = Column::new("tbname", Type::VarChar, 192);
                    fields.push(Field::new(tbname, Precision::Millisecond).v2(BindType::TableName));
                }
                fields.extend(plan.tags.iter().map(|f| f.v2(BindType::Tag)));
                match &plan.cols {
                    Some(cols) => fields.extend(cols.iter().map(|f| f.v2(BindType::Column))),
                    // `INSERT INTO ? VALUES (…)`: the column types are only known once a
                    // table is bound, but clients size their binds by this list, so each
                    // column placeholder is listed, untyped (NULL) unless the SQL names it.
                    None => {
                        let n = plan.shape.params.saturating_sub(fields.len());
                        fields.extend((0..n).map(|i| Stmt2Field {
                            name: plan.shape.columns.get(i).cloned().unwrap_or_default(),
                            bind_type: BindType::Column.code(),
                            ..Stmt2Field::default()
                        }));
                    }
                }
                reply.fields_count = i64::try_from(fields.len()).unwrap_or(i64::MAX);
                reply.fields = Some(fields);
            }
            self.plan = Some(Plan::Insert(plan));
        } else {
            reply.fields_count = i64::try_from(shape.params).unwrap_or(i64::MAX);
            self.plan = Some(Plan::Query {
                sql: sql.trim().to_owned(),
                params: shape.params,
            });
        }
        Ok(reply)
    }

    /// Binary action 9: the payload of 02 §1.3.3.
    fn bind(&mut self, session: &dyn Session, payload: &[u8]) -> Result<(), DbError> {
        let bind =
            Stmt2Bind::decode(payload, Precision::Millisecond).map_err(|e| from_error(&e))?;
        self.bind_tables(session, bind)
    }

    /// Binary action 11 (`stmt2_bind_exec`, 02 §1.3.6): binds the column-oriented payload
    /// (one record per prepared field, `row_count` rows, tables delimited by changes of
    /// the table name), then executes; the rows written.
    fn bind_exec(
        &mut self,
        session: &mut dyn Session,
        payload: &[u8],
        req_id: u64,
    ) -> Result<u64, DbError> {
        let (rows, cols) = decode_bind_exec(payload)?;
        let bind = match &self.plan {
            None => return Err(api_error("statement not prepared")),
            Some(Plan::Query { .. }) if rows != 1 => {
                return Err(generic("query only supports one row"));
            }
            Some(Plan::Query { .. }) => Stmt2Bind {
                tables: vec![Stmt2Table {
                    name: None,
                    tags: Vec::new(),
                    cols,
                }],
            },
            Some(Plan::Insert(plan)) => split_tables(plan, rows, cols)?,
        };
        self.bind_tables(&*session, bind)?;
        self.exec(session, req_id)
    }

    fn bind_tables(&mut self, session: &dyn Session, bind: Stmt2Bind) -> Result<(), DbError> {
        let plan = match &self.plan {
            None => return Err(api_error("statement not prepared")),
            Some(Plan::Query { params, .. }) => return self.bind_query(bind, *params),
            Some(Plan::Insert(plan)) => plan,
        };
        let mut batches = Vec::with_capacity(bind.tables.len());
        for (i, t) in bind.tables.into_iter().enumerate() {
            if plan.name_is_param() && t.name.is_none() {
                return Err(tbname_error());
            }
            let table = plan.table(session, t.name.as_deref())?;
            let tags = if t.tags.is_empty() {
                None
            } else {
                if t.tags.len() != plan.tags.len() {
                    return Err(DbError::new(
                        TAGS_NOT_MATCHED,
                        format!(
                            "Tags number not matched: table {i} binds {} tags, the statement has {}",
                            t.tags.len(),
                            plan.tags.len()
                        ),
                    ));
                }
                let values = t
                    .tags
                    .iter()
                    .zip(&plan.tags)
                    .map(|(c, f)| match c.values.as_slice() {
                        [v] => f.check(v),
                        _ => Err(DbError::new(
                            INVALID_OPERATION,
                            format!(
                                "Invalid operation: tag {} must bind one value",
                                f.column.name
                            ),
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Some(values)
            };
            if t.cols.len() != table.cols.len() {
                return Err(DbError::new(
                    COLUMNS_NUM,
                    format!(
                        "Illegal number of columns: table {i} binds {} columns, the statement has {}",
                        t.cols.len(),
                        table.cols.len()
                    ),
                ));
            }
            let n = t.cols.first().map_or(0, |c| c.values.len());
            if t.cols.iter().any(|c| c.values.len() != n) {
                return Err(DbError::new(
                    INVALID_OPERATION,
                    format!(
                        "Invalid operation: the columns of table {i} have different row counts"
                    ),
                ));
            }
            let rows: Vec<Vec<Value>> = (0..n)
                .map(|r| t.cols.iter().map(|c| c.values[r].clone()).collect())
                .collect();
            let rows = check_rows(&table.cols, &rows)?;
            if rows.is_empty() {
                continue;
            }
            batches.push(Batch {
                target: plan.target(&table, tags),
                rows,
            });
        }
        self.batches.extend(batches);
        Ok(())
    }

    fn bind_query(&mut self, bind: Stmt2Bind, params: usize) -> Result<(), DbError> {
        let [table] = bind.tables.as_slice() else {
            return Err(DbError::new(
                INVALID_OPERATION,
                "Invalid operation: query only supports one row",
            ));
        };
        if table.name.is_some() || !table.tags.is_empty() {
            return Err(DbError::new(
                INVALID_OPERATION,
                "Invalid operation: a query binds no table name or tags",
            ));
        }
        if table.cols.len() != params {
            return Err(DbError::new(
                INVALID_OPERATION,
                format!(
                    "Invalid operation: the query has {params} parameters, got {}",
                    table.cols.len()
                ),
            ));
        }
        let row = table
            .cols
            .iter()
            .map(|c| match c.values.as_slice() {
                [v] => Ok(v.clone()),
                _ => Err(DbError::new(
                    INVALID_OPERATION,
                    "Invalid operation: query only supports one row",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.params = Some(row);
        Ok(())
    }

    fn exec(&mut self, session: &mut dyn Session, req_id: u64) -> Result<u64, DbError> {
        match &self.plan {
            None => Err(api_error("statement not prepared")),
            Some(Plan::Query { sql, .. }) => {
                exec_query(sql, &mut self.params, &mut self.result, session, req_id)
            }
            Some(Plan::Insert(_)) => {
                if self.batches.is_empty() {
                    return Err(api_error("exec before bind"));
                }
                write_batches(session, std::mem::take(&mut self.batches))
            }
        }
    }
}

/// The records of an action-11 payload (after the frame header): the row count and one
/// column per prepared field. The records have the format of action 9, so they are read
/// by re-framing them as a one-table action-9 payload.
fn decode_bind_exec(payload: &[u8]) -> Result<(usize, Vec<BindColumn>), DbError> {
    let u32_at = |at: usize| -> Option<u32> {
        let b = payload.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let short = || generic("message length is too short");
    let version = payload
        .get(..2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(short)?;
    if version != 1 {
        return Err(generic("unknown stmt2 bind version"));
    }
    let body = &payload[2..];
    let total = u32_at(2).ok_or_else(short)?;
    if usize::try_from(total).ok() != Some(body.len()) {
        return Err(generic(format!(
            "total length not match, expect {}, but get {total}",
            body.len()
        )));
    }
    let (rows, fields, offset) = match (u32_at(6), u32_at(14), u32_at(18)) {
        (Some(r), Some(f), Some(o)) => (r, f, o),
        _ => return Err(short()),
    };
    let records = usize::try_from(offset)
        .ok()
        .filter(|o| *o >= 20)
        .and_then(|o| body.get(o..))
        .ok_or_else(|| generic(format!("field offset {offset} is out of range")))?;
    let len = u32::try_from(records.len()).map_err(|_| generic("payload too large"))?;
    let mut framed = Vec::with_capacity(records.len() + 32);
    for v in [len.saturating_add(32), 1, 0, fields, 0, 0, 28, len] {
        framed.extend_from_slice(&v.to_le_bytes());
    }
    framed.extend_from_slice(records);
    let mut bind =
        Stmt2Bind::decode(&framed, Precision::Millisecond).map_err(|e| from_error(&e))?;
    let cols = bind.tables.pop().map(|t| t.cols).unwrap_or_default();
    let rows = usize::try_from(rows).unwrap_or(usize::MAX);
    if cols.iter().any(|c| c.values.len() != rows) {
        return Err(DbError::new(
            INVALID_OPERATION,
            format!("Invalid operation: every field must bind {rows} rows"),
        ));
    }
    Ok((rows, cols))
}

/// Splits the per-field columns of an action-11 bind into tables: the table name field
/// (when the statement has one), the tag fields, then the columns; a table ends where the
/// table name changes.
fn split_tables(
    plan: &InsertPlan,
    rows: usize,
    cols: Vec<BindColumn>,
) -> Result<Stmt2Bind, DbError> {
    let mut cols = cols.into_iter();
    let names = if plan.has_tbname_field() {
        let col = cols.next().ok_or_else(tbname_error)?;
        let names = col
            .values
            .into_iter()
            .map(|v| match v {
                Value::VarChar(s) | Value::NChar(s) => Ok(Some(s)),
                Value::VarBinary(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
                Value::Null => Ok(None),
                other => Err(DbError::new(
                    INVALID_OPERATION,
                    format!(
                        "Invalid operation: a table name cannot be a {}",
                        other.ty().name()
                    ),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Some(names)
    } else {
        None
    };
    let rest: Vec<BindColumn> = cols.collect();
    if rest.len() < plan.tags.len() {
        return Err(DbError::new(
            TAGS_NOT_MATCHED,
            format!(
                "Tags number not matched: the statement has {} tags, got {} fields",
                plan.tags.len(),
                rest.len()
            ),
        ));
    }
    let (tags, data) = rest.split_at(plan.tags.len());
    let name_at = |r: usize| names.as_ref().and_then(|n| n.get(r).cloned().flatten());
    let mut tables = Vec::new();
    let mut start = 0;
    for end in 1..=rows {
        if end < rows && names.as_ref().is_some_and(|n| n.get(end) == n.get(start)) {
            continue;
        }
        if names.is_none() && end < rows {
            continue;
        }
        tables.push(Stmt2Table {
            name: name_at(start),
            tags: tags
                .iter()
                .map(|c| BindColumn::new(c.ty, c.values.get(start).cloned().into_iter().collect()))
                .collect(),
            cols: data
                .iter()
                .map(|c| {
                    BindColumn::new(c.ty, c.values.get(start..end).unwrap_or_default().to_vec())
                })
                .collect(),
        });
        start = end;
    }
    if plan.name_is_param() && tables.iter().any(|t| t.name.is_none()) {
        return Err(tbname_error());
    }
    Ok(Stmt2Bind { tables })
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
    use super::*;

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
