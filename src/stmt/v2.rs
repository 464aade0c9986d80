//! The stmt2 execute path (`stmt2_init` … binary action 9 … `stmt2_exec`): many tables
//! per request.

use crate::error::Result;
use crate::proto::stmt::{
    BindColumn, BindType, Stmt2Bind, Stmt2Field, Stmt2Table, encode_stmt2_bind,
};
use crate::proto::ws::{Stmt2ExecArgs, Stmt2ResultArgs};
use crate::transport::{Outcome, ResultHandle};
use crate::types::{Precision, Type};

use super::{
    INVALID_OPERATION, Statement, TBNAME_ERROR, TableBinds, convert, fits, query_param,
    statement_error,
};

impl Statement {
    /// Executes the bound tables; the values are moved into the bind (and converted in
    /// place only where a value's type differs from its column's), never copied.
    pub(super) fn exec_stmt2_insert(&mut self, batches: Vec<TableBinds>) -> Result<u64> {
        let fields = &self.prepared()?.fields;
        let has_name = fields.iter().any(|f| f.kind() == Some(BindType::TableName));
        let tag_fields: Vec<&Stmt2Field> = fields
            .iter()
            .filter(|f| f.kind() == Some(BindType::Tag))
            .collect();
        let col_fields: Vec<&Stmt2Field> = fields
            .iter()
            .filter(|f| f.kind() == Some(BindType::Column))
            .collect();
        let mut tables = Vec::with_capacity(batches.len());
        for (t, table) in batches.into_iter().enumerate() {
            if has_name && table.name.is_none() {
                return Err(statement_error(
                    TBNAME_ERROR,
                    format!(
                        "table {t}: the table name is a parameter and was not set (set_tbname)"
                    ),
                ));
            }
            let tags = match table.tags {
                None => Vec::new(),
                Some(values) => values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let typed = tag_fields.get(i).and_then(|f| f.ty().map(|ty| (f, ty)));
                        match typed {
                            Some((f, ty)) if ty != Type::Null => {
                                let v = convert(v, ty, f.timestamp_precision(), &|| {
                                    format!("table {t}, tag {:?}", f.name)
                                })?;
                                Ok(BindColumn::new(ty, vec![v]))
                            }
                            _ => {
                                let ty = if v.is_null() { Type::VarChar } else { v.ty() };
                                Ok(BindColumn::new(ty, vec![v.clone()]))
                            }
                        }
                    })
                    .collect::<Result<Vec<_>>>()?,
            };
            let cols = table
                .cols
                .into_iter()
                .enumerate()
                .map(|(i, (view_ty, mut values))| {
                    let typed = col_fields
                        .get(i)
                        .and_then(|f| f.ty().map(|ty| (f, ty)))
                        .filter(|(_, ty)| *ty != Type::Null);
                    match typed {
                        Some((f, ty)) => {
                            let precision = f.timestamp_precision();
                            for (r, v) in values.iter_mut().enumerate() {
                                if !fits(v, ty, precision) {
                                    *v = convert(v, ty, precision, &|| {
                                        format!("table {t}, column {:?}, row {r}", f.name)
                                    })?;
                                }
                            }
                            Ok(BindColumn::new(ty, values))
                        }
                        None => Ok(BindColumn::new(view_ty, values)),
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            tables.push(Stmt2Table {
                name: table.name,
                tags,
                cols,
            });
        }
        self.stmt2_bind_and_exec(&Stmt2Bind { tables })
    }

    pub(super) fn stmt2_bind_and_exec(&self, bind: &Stmt2Bind) -> Result<u64> {
        self.call_binary(|req_id, stmt_id| {
            encode_stmt2_bind(req_id, stmt_id, -1, bind)
                .map_err(|e| statement_error(INVALID_OPERATION, e.message().to_owned()))
        })?;
        let reply = self.call(|req_id, stmt_id| Stmt2ExecArgs { req_id, stmt_id })?;
        Ok(u64::try_from(reply.affected).unwrap_or(0))
    }
    pub(super) fn exec_stmt2_query(&mut self, batches: &[TableBinds]) -> Result<u64> {
        let params = Statement::query_params(batches)?;
        let cols = params
            .cols
            .iter()
            .map(|(ty, values)| {
                let (ty, values) = query_param(*ty, values);
                BindColumn::new(ty, values)
            })
            .collect();
        let bind = Stmt2Bind {
            tables: vec![Stmt2Table {
                name: None,
                tags: Vec::new(),
                cols,
            }],
        };
        let affected = self.stmt2_bind_and_exec(&bind)?;
        let reply = self.call(|req_id, stmt_id| Stmt2ResultArgs { req_id, stmt_id })?;
        let result = ResultHandle::of_statement(
            &self.handle()?,
            reply.id,
            reply.columns()?.into(),
            Precision::from_code(reply.precision).unwrap_or(Precision::Millisecond),
        );
        self.result = Some(Outcome::Rows {
            result,
            rows: Default::default(),
        });
        Ok(affected)
    }
}
