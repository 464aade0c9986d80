//! Converting a bound parameter to the type of the field it binds (02 §1.2.4, §1.3.3).
//!
//! Both bind encodings carry values at the *server's* field type: stmt v1 binary binds are
//! decoded with the server-side column types, and a stmt2 record's `buffer_type` should be
//! the field's type from `stmt2_prepare`. [`coerce`] turns what a caller passed (a Rust
//! `i64` for an INT column, an RFC 3339 string for a TIMESTAMP) into exactly that type,
//! failing instead of truncating.

use crate::error::{Error, ErrorKind, Result};
use crate::types::{Decimal, Precision, Timestamp, Type};
use crate::value::Value;

fn mismatch(value: &Value, ty: Type) -> Error {
    Error::new(
        ErrorKind::Interface,
        format!(
            "cannot bind a {} value to a {} field",
            value.ty().name(),
            ty.name()
        ),
    )
}

fn out_of_range(value: &Value, ty: Type) -> Error {
    Error::new(
        ErrorKind::Interface,
        format!("value {value} is out of range for a {} field", ty.name()),
    )
}

/// `value` as a value of `ty`; timestamps in `precision` (the field's precision).
///
/// * integers and bools convert to any integer type (range-checked), to BOOL (0 and 1
///   only), to FLOAT/DOUBLE, to DECIMAL, and to TIMESTAMP as a raw count in `precision`;
/// * FLOAT/DOUBLE convert to each other; a DOUBLE that does not fit FLOAT is an error;
/// * timestamps convert to `precision` (truncating toward the past when coarser);
/// * text converts to any text type, to VARBINARY/BLOB (its bytes), to TIMESTAMP
///   (RFC 3339) and to DECIMAL (decimal text);
/// * bytes convert to VARBINARY, GEOMETRY and BLOB;
/// * NULL stays NULL.
///
/// ```
/// use taosync_proto::stmt::coerce;
/// use taosync_proto::{Precision, Timestamp, Type, Value};
/// assert_eq!(coerce(&Value::BigInt(42), Type::Int, Precision::Millisecond).unwrap(), Value::Int(42));
/// assert!(coerce(&Value::BigInt(1 << 40), Type::Int, Precision::Millisecond).is_err());
/// let ts = coerce(&Value::from("2023-11-14T22:13:20Z"), Type::Timestamp, Precision::Microsecond).unwrap();
/// assert_eq!(ts, Value::Timestamp(Timestamp::new(1_700_000_000_000_000, Precision::Microsecond)));
/// ```
pub fn coerce(value: &Value, ty: Type, precision: Precision) -> Result<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let range = || out_of_range(value, ty);
    if let (Value::Timestamp(ts), Type::Timestamp) = (value, ty) {
        return Ok(Value::Timestamp(ts.to_precision(precision)));
    }
    if let (Some(i), false) = (value.as_i128(), matches!(value, Value::Timestamp(_))) {
        return Ok(match ty {
            Type::Bool => match i {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return Err(range()),
            },
            Type::TinyInt => Value::TinyInt(i8::try_from(i).map_err(|_| range())?),
            Type::SmallInt => Value::SmallInt(i16::try_from(i).map_err(|_| range())?),
            Type::Int => Value::Int(i32::try_from(i).map_err(|_| range())?),
            Type::BigInt => Value::BigInt(i64::try_from(i).map_err(|_| range())?),
            Type::UTinyInt => Value::UTinyInt(u8::try_from(i).map_err(|_| range())?),
            Type::USmallInt => Value::USmallInt(u16::try_from(i).map_err(|_| range())?),
            Type::UInt => Value::UInt(u32::try_from(i).map_err(|_| range())?),
            Type::UBigInt => Value::UBigInt(u64::try_from(i).map_err(|_| range())?),
            Type::Float => Value::Float(i as f32),
            Type::Double => Value::Double(i as f64),
            Type::Timestamp => Value::Timestamp(Timestamp::new(
                i64::try_from(i).map_err(|_| range())?,
                precision,
            )),
            Type::Decimal | Type::Decimal64 => {
                Value::Decimal(i.to_string().parse::<Decimal>().map_err(|_| range())?)
            }
            _ => return Err(mismatch(value, ty)),
        });
    }
    Ok(match (value, ty) {
        (Value::Float(f), Type::Float) => Value::Float(*f),
        (Value::Float(f), Type::Double) => Value::Double(f64::from(*f)),
        (Value::Double(f), Type::Double) => Value::Double(*f),
        (Value::Double(f), Type::Float) => {
            let narrow = *f as f32;
            if f.is_finite() && !narrow.is_finite() {
                return Err(range());
            }
            Value::Float(narrow)
        }
        (Value::VarChar(s) | Value::NChar(s) | Value::Json(s), _) => match ty {
            Type::VarChar => Value::VarChar(s.clone()),
            Type::NChar => Value::NChar(s.clone()),
            Type::Json => Value::Json(s.clone()),
            Type::VarBinary => Value::VarBinary(s.as_bytes().to_vec()),
            Type::Blob => Value::Blob(s.as_bytes().to_vec()),
            Type::Timestamp => {
                let dt = chrono::DateTime::parse_from_rfc3339(s).map_err(|e| {
                    Error::new(
                        ErrorKind::Interface,
                        format!("cannot bind {s:?} to a TIMESTAMP field: {e}"),
                    )
                })?;
                Value::Timestamp(Timestamp::from_datetime(&dt, precision).ok_or_else(range)?)
            }
            Type::Decimal | Type::Decimal64 => Value::Decimal(s.parse()?),
            _ => return Err(mismatch(value, ty)),
        },
        (Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b), _) => match ty {
            Type::VarBinary => Value::VarBinary(b.clone()),
            Type::Geometry => Value::Geometry(b.clone()),
            Type::Blob => Value::Blob(b.clone()),
            _ => return Err(mismatch(value, ty)),
        },
        (Value::Decimal(d), Type::Decimal | Type::Decimal64) => Value::Decimal(*d),
        _ => return Err(mismatch(value, ty)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Precision = Precision::Millisecond;

    #[test]
    fn integers_are_range_checked() {
        assert_eq!(
            coerce(&Value::Int(-1), Type::BigInt, MS).unwrap(),
            Value::BigInt(-1)
        );
        assert!(coerce(&Value::Int(-1), Type::UInt, MS).is_err());
        assert!(coerce(&Value::UBigInt(u64::MAX), Type::BigInt, MS).is_err());
        assert_eq!(
            coerce(&Value::Bool(true), Type::TinyInt, MS).unwrap(),
            Value::TinyInt(1)
        );
        assert_eq!(
            coerce(&Value::Int(1), Type::Bool, MS).unwrap(),
            Value::Bool(true)
        );
        assert!(coerce(&Value::Int(2), Type::Bool, MS).is_err());
        assert_eq!(
            coerce(&Value::Int(3), Type::Double, MS).unwrap(),
            Value::Double(3.0)
        );
        assert_eq!(
            coerce(&Value::BigInt(5), Type::Timestamp, Precision::Nanosecond).unwrap(),
            Value::Timestamp(Timestamp::new(5, Precision::Nanosecond))
        );
        assert_eq!(
            coerce(&Value::Int(12), Type::Decimal64, MS).unwrap(),
            Value::Decimal("12".parse().unwrap())
        );
        assert!(coerce(&Value::Int(1), Type::VarChar, MS).is_err());
    }

    #[test]
    fn other_conversions() {
        let ts = Timestamp::new(1_500, MS);
        assert_eq!(
            coerce(
                &Value::Timestamp(ts),
                Type::Timestamp,
                Precision::Microsecond
            )
            .unwrap(),
            Value::Timestamp(Timestamp::new(1_500_000, Precision::Microsecond))
        );
        assert!(coerce(&Value::Timestamp(ts), Type::BigInt, MS).is_err());
        assert!(coerce(&Value::Double(1e300), Type::Float, MS).is_err());
        assert_eq!(
            coerce(&Value::Float(0.5), Type::Double, MS).unwrap(),
            Value::Double(0.5)
        );
        assert_eq!(
            coerce(&Value::from("x"), Type::NChar, MS).unwrap(),
            Value::NChar("x".into())
        );
        assert_eq!(
            coerce(&Value::from("x"), Type::VarBinary, MS).unwrap(),
            Value::VarBinary(b"x".to_vec())
        );
        assert!(coerce(&Value::from("x"), Type::Int, MS).is_err());
        assert!(coerce(&Value::from("nope"), Type::Timestamp, MS).is_err());
        assert_eq!(
            coerce(&Value::VarBinary(vec![1]), Type::Geometry, MS).unwrap(),
            Value::Geometry(vec![1])
        );
        assert!(coerce(&Value::VarBinary(vec![1]), Type::VarChar, MS).is_err());
        assert_eq!(coerce(&Value::Null, Type::Int, MS).unwrap(), Value::Null);
    }
}
