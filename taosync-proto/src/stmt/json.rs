//! stmt v1 JSON values for `set_tags` and `bind` (02 §1.2.3).
//!
//! `set_tags.tags` is a JSON array with one value per tag; `bind.columns` is a JSON array of
//! columns, each an array of row values (column-major, rectangular). The server reads each
//! value by the *server-side* field type:
//!
//! | field type | JSON accepted |
//! |---|---|
//! | BOOL | `true` / `false` |
//! | integers | a number that fits the exact width |
//! | FLOAT / DOUBLE | a number |
//! | TIMESTAMP | an integer in the field's precision, or an RFC 3339 string |
//! | VARCHAR, NCHAR, JSON | a string |
//! | VARBINARY, GEOMETRY, BLOB | a string of hex digits |
//! | DECIMAL | a string or number holding the decimal |
//! | any | `null` |

use serde_json::Value as J;

use super::StmtField;
use crate::error::{Error, ErrorKind, Result};
use crate::types::{Decimal, Precision, Timestamp, Type};
use crate::value::{Value, from_hex, to_hex};

/// Client: one value as stmt v1 JSON. Timestamps are written as their raw integer, so they
/// must already be in the column's precision; binary values as lower-case hex; decimals as
/// strings. NaN and infinite floats cannot be written (JSON has no form for them).
pub fn encode_value(value: &Value) -> Result<J> {
    Ok(match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::TinyInt(v) => J::from(*v),
        Value::SmallInt(v) => J::from(*v),
        Value::Int(v) => J::from(*v),
        Value::BigInt(v) => J::from(*v),
        Value::UTinyInt(v) => J::from(*v),
        Value::USmallInt(v) => J::from(*v),
        Value::UInt(v) => J::from(*v),
        Value::UBigInt(v) => J::from(*v),
        Value::Float(v) => finite(f64::from(*v))?,
        Value::Double(v) => finite(*v)?,
        Value::Timestamp(ts) => J::from(ts.value()),
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => J::String(s.clone()),
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => J::String(to_hex(b)),
        Value::Decimal(d) => J::String(d.to_string()),
    })
}

fn finite(v: f64) -> Result<J> {
    serde_json::Number::from_f64(v)
        .map(J::Number)
        .ok_or_else(|| Error::new(ErrorKind::Data, format!("{v} cannot be bound as JSON")))
}

/// Client: the `tags` array of a JSON `set_tags` request.
pub fn encode_tags(tags: &[Value]) -> Result<J> {
    tags.iter()
        .map(encode_value)
        .collect::<Result<Vec<_>>>()
        .map(J::Array)
}

/// Client: the `columns` array of a JSON `bind` request from column-major values.
pub fn encode_columns(columns: &[Vec<Value>]) -> Result<J> {
    columns
        .iter()
        .map(|c| encode_tags(c))
        .collect::<Result<Vec<_>>>()
        .map(J::Array)
}

/// Server: the tag values of a JSON `set_tags` request, one per field, decoded by the
/// fields' types. The error message is what follows `stmt parse tag json:` in the reply.
pub fn decode_tags(tags: &J, fields: &[StmtField]) -> Result<Vec<Value>> {
    let items = tags
        .as_array()
        .ok_or_else(|| parse_error("tags must be a JSON array"))?;
    if items.len() != fields.len() {
        return Err(parse_error(format!(
            "got {} tag values, the statement has {} tags",
            items.len(),
            fields.len()
        )));
    }
    items
        .iter()
        .zip(fields)
        .map(|(v, f)| decode_value(v, f).map_err(|e| parse_error(format!("tag {}: {e}", f.name))))
        .collect()
}

/// Server: the column values of a JSON `bind` request (column-major), decoded by the
/// fields' types. Every column must have as many rows as the first. The error message is
/// what follows `stmt parse column json:` in the reply.
pub fn decode_columns(columns: &J, fields: &[StmtField]) -> Result<Vec<Vec<Value>>> {
    let cols = columns
        .as_array()
        .ok_or_else(|| parse_error("columns must be a JSON array"))?;
    if cols.len() != fields.len() {
        return Err(parse_error(format!(
            "got {} columns, the statement has {} columns",
            cols.len(),
            fields.len()
        )));
    }
    let mut out = Vec::with_capacity(cols.len());
    let mut want_rows = None;
    for (c, (col, field)) in cols.iter().zip(fields).enumerate() {
        let rows = col
            .as_array()
            .ok_or_else(|| parse_error(format!("column {c} must be a JSON array")))?;
        match want_rows {
            Some(n) if n != rows.len() => {
                return Err(parse_error(format!(
                    "wrong row length, want {n} rows got {}",
                    rows.len()
                )));
            }
            _ => want_rows = Some(rows.len()),
        }
        let values = rows
            .iter()
            .enumerate()
            .map(|(r, v)| {
                decode_value(v, field)
                    .map_err(|e| parse_error(format!("column {c} ({}) row {r}: {e}", field.name)))
            })
            .collect::<Result<Vec<_>>>()?;
        out.push(values);
    }
    Ok(out)
}

fn parse_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Statement, message)
}

/// Server: one JSON value read as the type of `field` (02 §1.2.3). The error text says what
/// was expected and what came.
pub fn decode_value(value: &J, field: &StmtField) -> std::result::Result<Value, String> {
    let ty = field
        .ty()
        .ok_or_else(|| format!("unknown field type {}", field.field_type))?;
    if value.is_null() {
        return Ok(Value::Null);
    }
    let want = |what: &str| format!("expected {what} for {}, got {value}", ty.name());
    let int = || -> std::result::Result<i128, String> {
        value
            .as_i64()
            .map(i128::from)
            .or_else(|| value.as_u64().map(i128::from))
            .ok_or_else(|| want("an integer"))
    };
    let fit = |v: i128| format!("{v} is out of range for {}", ty.name());
    let text = || value.as_str().ok_or_else(|| want("a string"));
    Ok(match ty {
        Type::Null => Value::Null,
        Type::Bool => Value::Bool(value.as_bool().ok_or_else(|| want("true or false"))?),
        Type::TinyInt => {
            let v = int()?;
            Value::TinyInt(i8::try_from(v).map_err(|_| fit(v))?)
        }
        Type::SmallInt => {
            let v = int()?;
            Value::SmallInt(i16::try_from(v).map_err(|_| fit(v))?)
        }
        Type::Int => {
            let v = int()?;
            Value::Int(i32::try_from(v).map_err(|_| fit(v))?)
        }
        Type::BigInt => {
            let v = int()?;
            Value::BigInt(i64::try_from(v).map_err(|_| fit(v))?)
        }
        Type::UTinyInt => {
            let v = int()?;
            Value::UTinyInt(u8::try_from(v).map_err(|_| fit(v))?)
        }
        Type::USmallInt => {
            let v = int()?;
            Value::USmallInt(u16::try_from(v).map_err(|_| fit(v))?)
        }
        Type::UInt => {
            let v = int()?;
            Value::UInt(u32::try_from(v).map_err(|_| fit(v))?)
        }
        Type::UBigInt => {
            let v = int()?;
            Value::UBigInt(u64::try_from(v).map_err(|_| fit(v))?)
        }
        Type::Float => Value::Float(value.as_f64().ok_or_else(|| want("a number"))? as f32),
        Type::Double => Value::Double(value.as_f64().ok_or_else(|| want("a number"))?),
        Type::Timestamp => Value::Timestamp(decode_timestamp(value, field.timestamp_precision())?),
        Type::VarChar => Value::VarChar(text()?.to_owned()),
        Type::NChar => Value::NChar(text()?.to_owned()),
        Type::Json => Value::Json(text()?.to_owned()),
        Type::VarBinary | Type::Geometry | Type::Blob | Type::MediumBlob => {
            let bytes = from_hex(text()?).ok_or_else(|| want("an even-length hex string"))?;
            match ty {
                Type::Geometry => Value::Geometry(bytes),
                Type::VarBinary => Value::VarBinary(bytes),
                _ => Value::Blob(bytes),
            }
        }
        Type::Decimal | Type::Decimal64 => {
            let s = match value {
                J::Number(n) => n.to_string(),
                J::String(s) => s.clone(),
                _ => return Err(want("a decimal string")),
            };
            let d: Decimal = s.parse().map_err(|_| want("a decimal"))?;
            let d = if field.precision > 0 {
                d.rescale(field.precision, field.scale).ok_or_else(|| {
                    format!(
                        "{s} does not fit DECIMAL({},{})",
                        field.precision, field.scale
                    )
                })?
            } else {
                d
            };
            Value::Decimal(d)
        }
    })
}

fn decode_timestamp(value: &J, precision: Precision) -> std::result::Result<Timestamp, String> {
    if let Some(v) = value.as_i64() {
        return Ok(Timestamp::new(v, precision));
    }
    if let Some(s) = value.as_str() {
        let dt = chrono::DateTime::parse_from_rfc3339(s)
            .map_err(|e| format!("cannot parse {s:?} as an RFC 3339 timestamp: {e}"))?;
        return Timestamp::from_datetime(&dt, precision)
            .ok_or_else(|| format!("timestamp {s:?} is out of range"));
    }
    Err(format!(
        "expected an integer or an RFC 3339 string for TIMESTAMP, got {value}"
    ))
}
