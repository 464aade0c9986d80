//! The stmt v1 execute path (`init` … binary actions 1 and 2 … `exec`): one request per
//! table step.

use crate::error::Result;
use crate::proto::block::encode_block;
use crate::proto::stmt::{StmtField, encode_bind, encode_bind_columns, encode_set_tags_values};
use crate::proto::ws::{
    StmtAddBatchArgs, StmtExecArgs, StmtGetColFieldsArgs, StmtGetTagFieldsArgs, StmtPrepareArgs,
    StmtSetTableNameArgs, StmtUseResultArgs,
};
use crate::row::Column;
use crate::transport::{Outcome, ResultHandle};
use crate::types::Precision;
use crate::value::Value;

use super::{
    COLUMNS_NUM, INVALID_OPERATION, Statement, TAGS_NOT_MATCHED, TableBinds, convert, fits,
    query_param, statement_error,
};

impl Statement {
    /// stmt v1 keeps the tables of a failed execute that were already added on the server
    /// (and would write them at the next `exec`): preparing the same SQL again drops them.
    pub(super) fn discard_server_binds(&mut self) {
        let Some(sql) = self.prepared.as_ref().map(|p| p.sql.clone()) else {
            return;
        };
        if let Err(e) = self.call(|req_id, stmt_id| StmtPrepareArgs {
            req_id,
            stmt_id,
            sql,
        }) {
            log::debug!("re-preparing after a failed stmt v1 execute: {e}");
        }
    }
    fn remember_v1_fields(&mut self, key: &Option<String>, fields: &super::V1Fields) {
        if let Some(p) = self.prepared.as_mut() {
            p.v1_fields.insert(key.clone(), fields.clone());
        }
    }

    /// Executes the bound tables, one `set_table_name` / `set_tags` / `bind` /
    /// `add_batch` each; column values are converted in place where their type differs
    /// from the field's and sent column by column, never copied into rows.
    pub(super) fn exec_v1_insert(&mut self, batches: Vec<TableBinds>) -> Result<u64> {
        for (t, table) in batches.into_iter().enumerate() {
            if let Some(name) = &table.name {
                self.call(|req_id, stmt_id| StmtSetTableNameArgs {
                    req_id,
                    stmt_id,
                    name: name.clone(),
                })?;
            }
            let key = self
                .prepared
                .as_ref()
                .and_then(|p| p.v1_key(table.name.as_deref()));
            let mut cached = self
                .prepared
                .as_ref()
                .and_then(|p| p.v1_fields.get(&key).cloned())
                .unwrap_or_default();
            if let Some(tags) = &table.tags {
                let fields = match cached.tags.clone() {
                    Some(f) => f,
                    None => {
                        let f = self
                            .call(|req_id, stmt_id| StmtGetTagFieldsArgs { req_id, stmt_id })?
                            .fields;
                        cached.tags = Some(f.clone());
                        self.remember_v1_fields(&key, &cached);
                        f
                    }
                };
                if fields.len() != tags.len() {
                    return Err(statement_error(
                        TAGS_NOT_MATCHED,
                        format!(
                            "table {t} binds {} tags, the statement has {}",
                            tags.len(),
                            fields.len()
                        ),
                    ));
                }
                let tags = convert_v1(&fields, tags, &|i| format!("table {t}, tag {i}"))?;
                self.call_binary(|req_id, stmt_id| {
                    encode_set_tags_values(req_id, stmt_id, &fields, &tags)
                })?;
            }
            let fields = match cached.cols.clone() {
                Some(f) => f,
                None => {
                    let f = self
                        .call(|req_id, stmt_id| StmtGetColFieldsArgs { req_id, stmt_id })?
                        .fields
                        .unwrap_or_default();
                    cached.cols = Some(f.clone());
                    self.remember_v1_fields(&key, &cached);
                    f
                }
            };
            if fields.len() != table.cols.len() {
                return Err(statement_error(
                    COLUMNS_NUM,
                    format!(
                        "table {t} binds {} columns, the statement has {}",
                        table.cols.len(),
                        fields.len()
                    ),
                ));
            }
            let mut cols: Vec<Vec<Value>> = table.cols.into_iter().map(|(_, c)| c).collect();
            for (i, (col, f)) in cols.iter_mut().zip(&fields).enumerate() {
                let ty = field_type(f)?;
                let precision = f.timestamp_precision();
                for (r, v) in col.iter_mut().enumerate() {
                    if !fits(v, ty, precision) {
                        *v = convert(v, ty, precision, &|| {
                            format!("table {t}, row {r}, column {i} ({:?})", f.name)
                        })?;
                    }
                }
            }
            self.call_binary(|req_id, stmt_id| {
                encode_bind_columns(req_id, stmt_id, &fields, &cols)
            })?;
            self.call(|req_id, stmt_id| StmtAddBatchArgs { req_id, stmt_id })?;
        }
        let reply = self.call(|req_id, stmt_id| StmtExecArgs { req_id, stmt_id })?;
        Ok(u64::try_from(reply.affected).unwrap_or(0))
    }

    pub(super) fn exec_v1_query(&mut self, batches: &[TableBinds]) -> Result<u64> {
        let params = Statement::query_params(batches)?;
        let (columns, row): (Vec<Column>, Vec<Value>) = params
            .cols
            .iter()
            .enumerate()
            .map(|(i, (ty, values))| {
                let (ty, mut values) = query_param(*ty, values);
                let v = values.pop().unwrap_or(Value::Null);
                let width = match &v {
                    Value::VarChar(s) | Value::Json(s) => s.len(),
                    Value::NChar(s) => s.chars().count(),
                    Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => b.len(),
                    _ => 0,
                };
                let column = Column::new(
                    format!("p{i}"),
                    ty,
                    u32::try_from(width.max(1)).unwrap_or(u32::MAX),
                );
                let column = match &v {
                    Value::Decimal(d) => column.with_decimal(d.precision(), d.scale()),
                    _ => column,
                };
                (column, v)
            })
            .unzip();
        let block = encode_block(&columns, &[row])?;
        self.call_binary(|req_id, stmt_id| Ok(encode_bind(req_id, stmt_id, &block)))?;
        self.call(|req_id, stmt_id| StmtAddBatchArgs { req_id, stmt_id })?;
        let reply = self.call(|req_id, stmt_id| StmtExecArgs { req_id, stmt_id })?;
        let result = self.call(|req_id, stmt_id| StmtUseResultArgs { req_id, stmt_id })?;
        let result = ResultHandle::of_statement(
            &self.handle()?,
            result.result_id,
            result.columns()?.into(),
            Precision::from_code(result.precision).unwrap_or(Precision::Millisecond),
        );
        self.result = Some(Outcome::Rows {
            result,
            rows: Default::default(),
        });
        Ok(u64::try_from(reply.affected).unwrap_or(0))
    }
}

/// The type of a v1 field (an error for a code this crate does not know).
fn field_type(f: &StmtField) -> Result<crate::types::Type> {
    f.ty().ok_or_else(|| {
        statement_error(
            INVALID_OPERATION,
            format!("field {:?} has unknown type code {}", f.name, f.field_type),
        )
    })
}

/// Converts `values` to the v1 `fields`' types (`what(i)` names value `i` in errors).
fn convert_v1(
    fields: &[StmtField],
    values: &[Value],
    what: &dyn Fn(usize) -> String,
) -> Result<Vec<Value>> {
    values
        .iter()
        .zip(fields)
        .enumerate()
        .map(|(i, (v, f))| {
            let ty = field_type(f)?;
            convert(v, ty, f.timestamp_precision(), &|| {
                format!("{} ({:?})", what(i), f.name)
            })
        })
        .collect()
}
