//! What a prepared statement (stmt / stmt2) needs to know about its SQL: which `?` are
//! the table name, tags and columns of an insert, with their types, and where the bound
//! rows go (feed them to [`Session::insert_rows`](super::Session::insert_rows)).

use super::Session;
use super::ast::{Expr, InsValue, Lit, Statement};
use super::error::EngineError;
use super::params::count_params;
use super::parser::parse;
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::Type;
use taosync_proto::value::Value;

/// What a placeholder binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A data column (stmt2 `bind_type` 1).
    Column,
    /// A tag (stmt2 `bind_type` 2).
    Tag,
    /// The table name (stmt2 `bind_type` 4).
    TableName,
}

/// One placeholder of a prepared statement.
#[derive(Clone, Debug, PartialEq)]
pub struct StmtField {
    /// What it binds.
    pub kind: FieldKind,
    /// Name, type and declared length of the column / tag (`tbname` VARCHAR(192) for the
    /// table name).
    pub column: Column,
}

/// The shape of a prepared statement.
#[derive(Clone, Debug, PartialEq)]
pub struct StmtShape {
    /// True for INSERT.
    pub is_insert: bool,
    /// Number of `?`.
    pub params: usize,
    /// For inserts: the placeholders in stmt2 order (table name, tags, columns).
    pub fields: Vec<StmtField>,
    /// For inserts: the database written to.
    pub db: Option<String>,
    /// For inserts: the fixed table name (`None` when it is a `?` or the `tbname` column).
    pub table: Option<String>,
    /// For inserts: the supertable children are auto-created from.
    pub stable: Option<String>,
    /// For inserts: the tag names bound, in order.
    pub tag_names: Vec<String>,
    /// For inserts: the column names bound, in order.
    pub columns: Vec<String>,
}

fn is_param(v: &InsValue) -> bool {
    matches!(v.expr, Expr::Placeholder)
}

fn no_mix() -> EngineError {
    EngineError::invalid_operation("no mix usage for ? and values")
}

impl Session {
    /// Analyses a statement for stmt / stmt2 prepare: its placeholders and, for an
    /// insert, the target and the type of every bound item.
    pub fn prepare_shape(&self, sql: &str) -> Result<StmtShape, EngineError> {
        let stmt = parse(sql)?;
        let params = count_params(&stmt);
        let Statement::Insert(clauses) = &stmt else {
            return Ok(StmtShape {
                is_insert: false,
                params,
                fields: Vec::new(),
                db: None,
                table: None,
                stable: None,
                tag_names: Vec::new(),
                columns: Vec::new(),
            });
        };
        let [clause] = clauses.as_slice() else {
            return Err(EngineError::invalid_operation(
                "stmt supports one table clause per INSERT",
            ));
        };
        if clause.rows.len() != 1 {
            return Err(EngineError::invalid_operation(
                "stmt supports one VALUES row per INSERT",
            ));
        }
        let dbn = self.db_for(clause.table.db.as_deref())?;
        let cat = self.engine.read();
        let db = cat.dbs.get(&dbn).ok_or_else(EngineError::db_not_exist)?;
        let mut fields = Vec::new();
        let row = &clause.rows[0];
        let mut shape = StmtShape {
            is_insert: true,
            params,
            fields: Vec::new(),
            db: Some(dbn.clone()),
            table: None,
            stable: None,
            tag_names: Vec::new(),
            columns: Vec::new(),
        };
        let tbname_field = || StmtField {
            kind: FieldKind::TableName,
            column: Column::new("tbname", Type::VarChar, 192),
        };
        if let Some(using) = &clause.using {
            let st = db
                .stables
                .get(&using.stable.name)
                .ok_or_else(|| EngineError::table_not_exist(&using.stable.name))?;
            if clause.table_placeholder {
                fields.push(tbname_field());
            } else {
                shape.table = Some(clause.table.name.clone());
            }
            let tag_names: Vec<String> = match &using.tag_names {
                Some(n) => n.clone(),
                None => st.schema.tags.iter().map(|t| t.name.clone()).collect(),
            };
            if tag_names.len() != using.tags.len() {
                return Err(EngineError::code(Code::PAR_TAGS_NOT_MATCHED));
            }
            let any = using.tags.iter().any(is_param);
            if any && !using.tags.iter().all(is_param) {
                return Err(no_mix());
            }
            for n in &tag_names {
                let i = st.schema.tag_index(n).ok_or_else(|| {
                    EngineError::new(Code::PAR_INVALID_TAG_NAME, format!("Invalid tag name: {n}"))
                })?;
                if any {
                    fields.push(StmtField {
                        kind: FieldKind::Tag,
                        column: st.schema.tags[i].column(),
                    });
                }
            }
            shape.stable = Some(st.name.clone());
            shape.tag_names = tag_names;
            let cols: Vec<String> = match &clause.columns {
                Some(c) => c.clone(),
                None => st.schema.columns.iter().map(|c| c.name.clone()).collect(),
            };
            for n in &cols {
                let c = st
                    .schema
                    .column(n)
                    .ok_or_else(|| EngineError::invalid_column(n))?;
                fields.push(StmtField {
                    kind: FieldKind::Column,
                    column: c.column(),
                });
            }
            shape.columns = cols;
        } else if let Some(st) = db.stables.get(&clause.table.name) {
            // INSERT INTO stb (tbname, cols…, tags…) VALUES (?, …)
            let Some(list) = &clause.columns else {
                return Err(EngineError::invalid_operation(
                    "tbname column can not be null",
                ));
            };
            if !list.iter().any(|c| c.eq_ignore_ascii_case("tbname")) {
                return Err(EngineError::invalid_operation(
                    "tbname column can not be null",
                ));
            }
            fields.push(tbname_field());
            for n in list {
                if let Some(i) = st.schema.tag_index(n) {
                    fields.push(StmtField {
                        kind: FieldKind::Tag,
                        column: st.schema.tags[i].column(),
                    });
                    shape.tag_names.push(st.schema.tags[i].name.clone());
                }
            }
            for n in list {
                if n.eq_ignore_ascii_case("tbname") || st.schema.tag_index(n).is_some() {
                    continue;
                }
                let c = st
                    .schema
                    .column(n)
                    .ok_or_else(|| EngineError::invalid_column(n))?;
                fields.push(StmtField {
                    kind: FieldKind::Column,
                    column: c.column(),
                });
                shape.columns.push(c.name.clone());
            }
            shape.stable = Some(st.name.clone());
        } else {
            if clause.table_placeholder {
                fields.push(tbname_field());
            }
            let schema = if clause.table_placeholder {
                None
            } else {
                let t = db
                    .tables
                    .get(&clause.table.name)
                    .ok_or_else(|| EngineError::table_not_exist(&clause.table.name))?;
                shape.table = Some(t.name.clone());
                db.schema_of(t)
            };
            match schema {
                Some(schema) => {
                    let cols: Vec<String> = match &clause.columns {
                        Some(c) => c.clone(),
                        None => schema.columns.iter().map(|c| c.name.clone()).collect(),
                    };
                    for n in &cols {
                        let c = schema
                            .column(n)
                            .ok_or_else(|| EngineError::invalid_column(n))?;
                        fields.push(StmtField {
                            kind: FieldKind::Column,
                            column: c.column(),
                        });
                    }
                    shape.columns = cols;
                }
                None => {
                    // `INSERT INTO ? VALUES (…)`: the columns are only known once the
                    // table is bound.
                    shape.columns = clause.columns.clone().unwrap_or_default();
                }
            }
        }
        let any = row.iter().any(is_param);
        if any && !row.iter().all(is_param) {
            return Err(no_mix());
        }
        shape.fields = fields;
        Ok(shape)
    }
}

/// A constant of the SQL text as a value (`None` for anything but a plain literal).
fn literal(e: &Expr) -> Option<Value> {
    match e {
        Expr::Lit(Lit::Null) => Some(Value::Null),
        Expr::Lit(Lit::Bool(b)) => Some(Value::Bool(*b)),
        Expr::Lit(Lit::Str(s)) => Some(Value::VarChar(s.clone())),
        Expr::Lit(Lit::Int(s)) => s
            .parse::<i64>()
            .map(Value::BigInt)
            .or_else(|_| s.parse::<u64>().map(Value::UBigInt))
            .ok(),
        Expr::Lit(Lit::Float(s)) => s.parse::<f64>().ok().map(Value::Double),
        Expr::Neg(inner) => match literal(inner)? {
            Value::BigInt(v) => v.checked_neg().map(Value::BigInt),
            Value::Double(v) => Some(Value::Double(-v)),
            _ => None,
        },
        _ => None,
    }
}

/// The constant tag values of an `INSERT INTO ? USING st TAGS (…)` written without `?`.
pub fn literal_tags(sql: &str) -> Option<Vec<Value>> {
    let Ok(Statement::Insert(clauses)) = parse(sql) else {
        return None;
    };
    let using = clauses.first()?.using.as_ref()?;
    using.tags.iter().map(|t| literal(&t.expr)).collect()
}
