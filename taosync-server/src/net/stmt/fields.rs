//! The error codes of the stmt protocols and the bound fields: what each placeholder
//! binds and how a bound value is checked against it.

use crate::backend::DbError;
use taosync_proto::block::internal_width;
use taosync_proto::error::Error;
use taosync_proto::row::Column;
use taosync_proto::stmt::{BindType, Stmt2Field, StmtField, coerce};
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;
use taosync_proto::ws::GENERIC_CODE;

/// `TSC_INVALID_OPERATION`.
pub(super) const INVALID_OPERATION: u16 = 0x0200;
/// `TSC_STMT_API_ERROR`: a call out of order.
pub(super) const API_ERROR: u16 = 0x022A;
/// `TSC_STMT_TBNAME_ERROR`: the table name is a parameter and was not bound.
pub(super) const TBNAME_ERROR: u16 = 0x022B;
/// `PAR_TAGS_NOT_MATCHED`.
pub(super) const TAGS_NOT_MATCHED: u16 = 0x260D;
/// `PAR_INVALID_COLUMNS_NUM`.
pub(super) const COLUMNS_NUM: u16 = 0x263F;
/// `PAR_VALUE_TOO_LONG`.
pub(super) const VALUE_TOO_LONG: u16 = 0x2653;
/// The width the C library reports for the `tbname` field of stmt2 (02 §1.3.2).
pub(super) const TBNAME_BYTES: i32 = 271;

pub(super) fn api_error(what: &str) -> DbError {
    DbError::new(API_ERROR, format!("Stmt API usage error: {what}"))
}

pub(super) fn tbname_error() -> DbError {
    DbError::new(TBNAME_ERROR, "Stmt table name not set")
}

pub(super) fn generic(message: impl Into<String>) -> DbError {
    DbError::new(GENERIC_CODE, message)
}

pub(super) fn from_error(e: &Error) -> DbError {
    DbError::new(
        e.code().map_or(GENERIC_CODE, |c| c.value()),
        e.message().to_owned(),
    )
}

/// One bound item of a statement: its column (name, type, declared width, decimal
/// precision and scale) and the timestamp precision of its database.
#[derive(Clone, Debug)]
pub(super) struct Field {
    pub(super) column: Column,
    pub(super) precision: Precision,
}

impl Field {
    pub(super) fn new(column: Column, precision: Precision) -> Field {
        Field { column, precision }
    }

    /// The `precision` key: the timestamp precision code, or the DECIMAL precision.
    pub(super) fn precision_code(&self) -> u8 {
        if self.column.ty == Type::Timestamp {
            self.precision.code()
        } else {
            self.column.precision
        }
    }

    pub(super) fn bytes(&self) -> i32 {
        i32::try_from(internal_width(self.column.ty, self.column.length)).unwrap_or(i32::MAX)
    }

    pub(super) fn v1(&self) -> StmtField {
        StmtField {
            name: self.column.name.clone(),
            field_type: i8::try_from(self.column.ty.code()).unwrap_or(0),
            precision: self.precision_code(),
            scale: self.column.scale,
            bytes: self.bytes(),
        }
    }

    pub(super) fn v2(&self, kind: BindType) -> Stmt2Field {
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
    pub(super) fn check(&self, value: &Value) -> Result<Value, DbError> {
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
        self.check_len(&v)?;
        Ok(v)
    }

    /// [`check`](Self::check) taking the value: one already of the column's type (not a
    /// TIMESTAMP, whose precision may differ, nor a DECIMAL, whose scale may) is kept as
    /// it is instead of being converted into a copy.
    pub(super) fn check_owned(&self, value: Value) -> Result<Value, DbError> {
        let ty = value.ty();
        if ty == self.column.ty
            && !matches!(
                ty,
                Type::Null | Type::Timestamp | Type::Decimal | Type::Decimal64
            )
        {
            self.check_len(&value)?;
            return Ok(value);
        }
        self.check(&value)
    }

    /// A string or binary value no longer than the column (JSON is not checked).
    fn check_len(&self, v: &Value) -> Result<(), DbError> {
        let c = &self.column;
        let len = match v {
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
        Ok(())
    }
}

/// Splits a bound table name `db.tbl` (either part may be back-quoted) into its parts;
/// unquoted names are case-folded like SQL identifiers.
pub(super) fn split_name(name: &str) -> Result<(Option<String>, String), DbError> {
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

/// Checks a row-major set of rows against `fields`, moving each value (converted only
/// where its type differs from its column's).
pub(super) fn check_rows(
    fields: &[Field],
    rows: Vec<Vec<Value>>,
) -> Result<Vec<Vec<Value>>, DbError> {
    rows.into_iter()
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
            row.into_iter()
                .zip(fields)
                .map(|(v, f)| f.check_owned(v))
                .collect()
        })
        .collect()
}
