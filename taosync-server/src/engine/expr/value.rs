//! Value helpers: numeric views, comparison, truthiness, LIKE, CAST, and conforming a
//! value to its result column.

use std::cmp::Ordering;

use chrono_tz::Tz;

use crate::engine::ast::TypeSpec;
use crate::engine::error::{EResult, EngineError};
use crate::engine::time::parse_timestamp;
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

/// A value as f64 when numeric (strings are parsed).
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Float(f) => Some(f64::from(*f)),
        Value::Double(f) => Some(*f),
        Value::Timestamp(t) => Some(t.value() as f64),
        Value::Decimal(d) => Some(d.to_f64()),
        Value::VarChar(s) | Value::NChar(s) => s.trim().parse().ok(),
        _ => v.as_i128().map(|x| x as f64),
    }
}

/// A value as i128 when integral (ints, bool, timestamp).
pub fn as_int(v: &Value) -> Option<i128> {
    match v {
        Value::Bool(b) => Some(i128::from(*b)),
        Value::Timestamp(t) => Some(i128::from(t.value())),
        _ => v.as_i128(),
    }
}

/// Compares two values; `None` when either is NULL or they are not comparable.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if a.is_null() || b.is_null() {
        return None;
    }
    // A JSON scalar (`info->'k'`) compares as the string / number / bool it holds.
    if let Value::Json(x) = a
        && !matches!(b, Value::Json(_))
    {
        return compare(&json_scalar(x)?, b);
    }
    if let Value::Json(y) = b
        && !matches!(a, Value::Json(_))
    {
        return compare(a, &json_scalar(y)?);
    }
    match (a, b) {
        (
            Value::VarChar(x) | Value::NChar(x) | Value::Json(x),
            Value::VarChar(y) | Value::NChar(y) | Value::Json(y),
        ) => Some(x.as_str().cmp(y.as_str())),
        (
            Value::VarBinary(x) | Value::Geometry(x) | Value::Blob(x),
            Value::VarBinary(y) | Value::Geometry(y) | Value::Blob(y),
        ) => Some(x.cmp(y)),
        _ => {
            if let (Some(x), Some(y)) = (as_int(a), as_int(b)) {
                return Some(x.cmp(&y));
            }
            let (x, y) = (as_f64(a)?, as_f64(b)?);
            x.partial_cmp(&y)
        }
    }
}

/// The scalar a JSON text holds: strings as VARCHAR, numbers as DOUBLE, booleans as
/// BOOL; objects stay JSON; `null` is `None`.
pub(super) fn json_scalar(text: &str) -> Option<Value> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::String(s)) => Some(Value::VarChar(s)),
        Ok(serde_json::Value::Number(n)) => n.as_f64().map(Value::Double),
        Ok(serde_json::Value::Bool(b)) => Some(Value::Bool(b)),
        Ok(serde_json::Value::Null) => None,
        _ => Some(Value::VarChar(text.to_string())),
    }
}

/// Truthiness of a condition value (NULL is false).
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::VarChar(s) | Value::NChar(s) => s.trim().parse::<f64>().is_ok_and(|f| f != 0.0),
        other => as_f64(other).is_some_and(|f| f != 0.0),
    }
}

/// Longest LIKE pattern accepted (matching is O(text × pattern)).
pub(super) const MAX_LIKE_PATTERN: usize = 1024;

/// SQL LIKE with `%`, `_` and `\` escapes.
pub fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Iterative matcher with backtracking on the last `%`.
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '%' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '_' => {
                    ti += 1;
                    pi += 1;
                    continue;
                }
                '\\' if pi + 1 < p.len()
                    && (p[pi + 1] == '%' || p[pi + 1] == '_' || p[pi + 1] == '\\')
                    && t[ti] == p[pi + 1] =>
                {
                    ti += 1;
                    pi += 2;
                    continue;
                }
                c if c == t[ti] => {
                    ti += 1;
                    pi += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

/// CAST semantics (lenient: unconvertible values become NULL, strings are truncated).
pub fn cast(v: &Value, ty: &TypeSpec, precision: Precision) -> EResult<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let text = || match v {
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => s.clone(),
        Value::Timestamp(t) => t.value().to_string(),
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => {
            String::from_utf8_lossy(b).into_owned()
        }
        other => other.to_string(),
    };
    let int = || as_int(v).or_else(|| as_f64(v).filter(|f| f.is_finite()).map(|f| f as i128));
    Ok(match ty.ty {
        Type::Bool => Value::Bool(truthy(v)),
        Type::TinyInt => int().map_or(Value::Null, |x| Value::TinyInt(x as i8)),
        Type::SmallInt => int().map_or(Value::Null, |x| Value::SmallInt(x as i16)),
        Type::Int => int().map_or(Value::Null, |x| Value::Int(x as i32)),
        Type::BigInt => int().map_or(Value::Null, |x| Value::BigInt(x as i64)),
        Type::UTinyInt => int().map_or(Value::Null, |x| Value::UTinyInt(x as u8)),
        Type::USmallInt => int().map_or(Value::Null, |x| Value::USmallInt(x as u16)),
        Type::UInt => int().map_or(Value::Null, |x| Value::UInt(x as u32)),
        Type::UBigInt => int().map_or(Value::Null, |x| Value::UBigInt(x as u64)),
        Type::Float => as_f64(v).map_or(Value::Null, |f| Value::Float(f as f32)),
        Type::Double => as_f64(v).map_or(Value::Null, Value::Double),
        Type::Timestamp => match v {
            Value::VarChar(s) | Value::NChar(s) => parse_timestamp(s, Tz::UTC, precision)
                .map_or(Value::Null, |t| {
                    Value::Timestamp(Timestamp::new(t, precision))
                }),
            _ => int().map_or(Value::Null, |x| {
                Value::Timestamp(Timestamp::new(x as i64, precision))
            }),
        },
        Type::VarChar | Type::NChar => {
            let mut s = text();
            if ty.ty == Type::NChar {
                if s.chars().count() > ty.length as usize {
                    s = s.chars().take(ty.length as usize).collect();
                }
                Value::NChar(s)
            } else {
                let max = ty.length as usize;
                if s.len() > max {
                    s = crate::engine::error::clip(&s, max).to_string();
                }
                Value::VarChar(s)
            }
        }
        Type::VarBinary => Value::VarBinary(match v.as_bytes() {
            Some(b) => b.to_vec(),
            None => text().into_bytes(),
        }),
        Type::Decimal | Type::Decimal64 => {
            match crate::engine::convert::parse_decimal(&text(), ty.precision, ty.scale) {
                Ok(d) => Value::Decimal(d),
                Err(true) => return Err(EngineError::code(Code::DECIMAL_OVERFLOW)),
                Err(false) => Value::Null,
            }
        }
        _ => return Err(EngineError::func_type("cast")),
    })
}

/// Makes `v` a value of `col`'s type in `precision` (NULL when it cannot be), so that
/// every block a result produces can be encoded as its column list declares.
pub(crate) fn conform(v: &mut Value, col: &Column, precision: Precision) {
    match v {
        Value::Null => {}
        Value::Timestamp(t) if col.ty == Type::Timestamp => {
            if t.precision() != precision {
                *t = t.to_precision(precision);
            }
        }
        Value::Decimal(_) if col.ty.is_decimal() => {}
        _ if v.ty() == col.ty => {}
        _ => {
            let spec = TypeSpec {
                ty: col.ty,
                length: col.length,
                precision: col.precision,
                scale: col.scale,
            };
            *v = cast(v, &spec, precision).unwrap_or(Value::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("abc", "a%"));
        assert!(like("abc", "%c"));
        assert!(like("abc", "a_c"));
        assert!(!like("abc", "a_"));
        assert!(like("a%c", "a\\%c"));
        assert!(!like("abc", "a\\%c"));
        assert!(like("", "%"));
        assert!(like("涛思数据", "涛%据"));
    }

    #[test]
    fn compare_mixed() {
        assert_eq!(
            compare(&Value::Int(1), &Value::Double(1.5)),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare(&Value::UBigInt(u64::MAX), &Value::BigInt(-1)),
            Some(Ordering::Greater)
        );
        assert_eq!(compare(&Value::Null, &Value::Int(1)), None);
        assert_eq!(
            compare(&Value::VarChar("b".into()), &Value::NChar("a".into())),
            Some(Ordering::Greater)
        );
    }
}
