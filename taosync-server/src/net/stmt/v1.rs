//! A stmt v1 handle (02 §1.2): prepare, table name, tags, binds, batches, exec.

use crate::backend::{DbError, ResultSet, Session};
use taosync_proto::value::Value;

use super::fields::{Field, INVALID_OPERATION, api_error, check_rows, generic, tbname_error};
use super::plan::{Batch, InsertPlan, Plan, TableCtx, exec_query, write_batches};

/// A stmt v1 handle.
#[derive(Default)]
pub(super) struct V1 {
    pub(super) plan: Option<Plan>,
    pub(super) table: Option<TableCtx>,
    pub(super) tags: Option<Vec<Value>>,
    /// Rows bound since the last `add_batch`.
    pub(super) pending: Vec<Vec<Value>>,
    pub(super) batches: Vec<Batch>,
    /// Query parameters bound since the last exec.
    pub(super) params: Option<Vec<Value>>,
    pub(super) result: Option<Box<dyn ResultSet>>,
}

impl V1 {
    pub(super) fn insert(&self) -> Result<&InsertPlan, DbError> {
        match &self.plan {
            Some(Plan::Insert(p)) => Ok(p),
            Some(Plan::Query { .. }) => Err(api_error("not an INSERT statement")),
            None => Err(api_error("statement not prepared")),
        }
    }

    pub(super) fn prepare(&mut self, session: &dyn Session, sql: &str) -> Result<bool, DbError> {
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

    pub(super) fn set_table_name(
        &mut self,
        session: &dyn Session,
        name: &str,
    ) -> Result<(), DbError> {
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
    pub(super) fn tag_fields(&self) -> Result<&[Field], DbError> {
        let plan = self.insert()?;
        if self.table.is_none() {
            return Err(tbname_error());
        }
        Ok(&plan.tags)
    }

    pub(super) fn col_fields(&self) -> Result<&[Field], DbError> {
        self.insert()?;
        match &self.table {
            Some(t) => Ok(&t.cols),
            None => Err(tbname_error()),
        }
    }

    /// The tag fields for `set_tags`: binding tags before the table name is out of order.
    pub(super) fn tag_fields_to_set(&self) -> Result<&[Field], DbError> {
        let plan = self.insert()?;
        if self.table.is_none() {
            return Err(api_error("set_tags before set_table_name"));
        }
        Ok(&plan.tags)
    }

    pub(super) fn set_tags(&mut self, tags: Vec<Value>) -> Result<(), DbError> {
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

    pub(super) fn bind_rows(&mut self, rows: Vec<Vec<Value>>) -> Result<(), DbError> {
        let checked = check_rows(self.col_fields()?, rows)?;
        self.pending.extend(checked);
        Ok(())
    }

    pub(super) fn bind_params(&mut self, rows: Vec<Vec<Value>>) -> Result<(), DbError> {
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

    pub(super) fn add_batch(&mut self) -> Result<(), DbError> {
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

    pub(super) fn exec(&mut self, session: &mut dyn Session, req_id: u64) -> Result<u64, DbError> {
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
