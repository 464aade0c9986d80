//! What a statement was prepared as: an INSERT's targets and field types, or a query;
//! and the writes and query runs both stmt versions share at exec.

use crate::backend::{
    AutoCreate, DbError, Exec, FieldKind, ResultSet, RowTarget, Session, StmtShape,
};
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

use super::fields::{Field, api_error, split_name, tbname_error};

/// An INSERT statement: where rows go and the types of what is bound.
pub(super) struct InsertPlan {
    pub(super) shape: StmtShape,
    /// The tag placeholders, in order.
    pub(super) tags: Vec<Field>,
    /// The column placeholders, `None` for `INSERT INTO ? VALUES (…)` (known once the
    /// table is bound).
    pub(super) cols: Option<Vec<Field>>,
    /// `USING st TAGS ('x', 1)` written as constants: the values children are created with.
    pub(super) literal_tags: Option<Vec<Value>>,
}

/// One table an INSERT writes: its name and the types of its columns.
#[derive(Clone)]
pub(super) struct TableCtx {
    pub(super) db: Option<String>,
    pub(super) name: String,
    pub(super) cols: Vec<Field>,
    pub(super) col_names: Vec<String>,
}

impl InsertPlan {
    pub(super) fn new(
        session: &dyn Session,
        sql: &str,
        shape: StmtShape,
    ) -> Result<InsertPlan, DbError> {
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

    pub(super) fn name_is_param(&self) -> bool {
        self.shape.table.is_none()
    }

    pub(super) fn has_tbname_field(&self) -> bool {
        self.shape
            .fields
            .iter()
            .any(|f| f.kind == FieldKind::TableName)
    }

    /// The table rows go to: `name` when the table name is a parameter.
    pub(super) fn table(
        &self,
        session: &dyn Session,
        name: Option<&str>,
    ) -> Result<TableCtx, DbError> {
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
    pub(super) fn target(&self, table: &TableCtx, tags: Option<Vec<Value>>) -> RowTarget {
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
pub(super) enum Plan {
    Insert(InsertPlan),
    Query { sql: String, params: usize },
}

/// Rows for one table, written atomically at exec.
pub(super) struct Batch {
    pub(super) target: RowTarget,
    pub(super) rows: Vec<Vec<Value>>,
}

/// Writes `batches` in order; see the module doc for what a failure leaves.
pub(super) fn write_batches(
    session: &mut dyn Session,
    batches: Vec<Batch>,
) -> Result<u64, DbError> {
    let mut affected = 0u64;
    for b in batches {
        affected = affected.saturating_add(session.insert_rows(&b.target, &b.rows)?);
    }
    Ok(affected)
}

/// Runs a prepared query with its bound parameters (v1 and stmt2 alike), keeping a result
/// set for `use_result` / `stmt2_result`; the affected rows (0 for a result set).
pub(super) fn exec_query(
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
