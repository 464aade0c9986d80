//! A stmt2 handle (02 §1.3): prepare, binary binds (actions 9 and 11), exec.

use crate::backend::{DbError, ResultSet, Session};
use taosync_proto::row::Column;
use taosync_proto::stmt::{BindColumn, BindType, Stmt2Bind, Stmt2Field, Stmt2Table};
use taosync_proto::types::{Precision, Type};
use taosync_proto::value::Value;
use taosync_proto::ws as msg;

use super::fields::{
    COLUMNS_NUM, Field, INVALID_OPERATION, TAGS_NOT_MATCHED, api_error, from_error, generic,
    tbname_error,
};
use super::plan::{Batch, InsertPlan, Plan, exec_query, write_batches};

/// A stmt2 handle.
#[derive(Default)]
pub(super) struct V2 {
    pub(super) plan: Option<Plan>,
    /// Tables bound since the last exec.
    pub(super) batches: Vec<Batch>,
    pub(super) params: Option<Vec<Value>>,
    pub(super) result: Option<Box<dyn ResultSet>>,
}

impl V2 {
    pub(super) fn prepare(
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
    pub(super) fn bind(&mut self, session: &dyn Session, payload: &[u8]) -> Result<(), DbError> {
        let bind =
            Stmt2Bind::decode(payload, Precision::Millisecond).map_err(|e| from_error(&e))?;
        self.bind_tables(session, bind)
    }

    /// Binary action 11 (`stmt2_bind_exec`, 02 §1.3.6): binds the column-oriented payload
    /// (one record per prepared field, `row_count` rows, tables delimited by changes of
    /// the table name), then executes; the rows written.
    pub(super) fn bind_exec(
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

    pub(super) fn bind_tables(
        &mut self,
        session: &dyn Session,
        bind: Stmt2Bind,
    ) -> Result<(), DbError> {
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
            // Columns to rows, moving each value (converted only where its type differs).
            let mut columns: Vec<std::vec::IntoIter<Value>> =
                t.cols.into_iter().map(|c| c.values.into_iter()).collect();
            let mut rows: Vec<Vec<Value>> = Vec::with_capacity(n);
            for _ in 0..n {
                let mut row = Vec::with_capacity(columns.len());
                for (values, field) in columns.iter_mut().zip(&table.cols) {
                    row.push(field.check_owned(values.next().unwrap_or(Value::Null))?);
                }
                rows.push(row);
            }
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

    pub(super) fn bind_query(&mut self, bind: Stmt2Bind, params: usize) -> Result<(), DbError> {
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

    pub(super) fn exec(&mut self, session: &mut dyn Session, req_id: u64) -> Result<u64, DbError> {
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
pub(super) fn decode_bind_exec(payload: &[u8]) -> Result<(usize, Vec<BindColumn>), DbError> {
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
pub(super) fn split_tables(
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
