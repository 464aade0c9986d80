//! Scalar function evaluation (math, string, conversion and time functions).

use chrono_tz::Tz;

use crate::engine::ast::TypeSpec;
use crate::engine::error::{EResult, EngineError};
use crate::engine::time::{iso8601, parse_timestamp};
use taosync_proto::code::Code;
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

use super::value::{as_f64, as_int};

pub(super) fn call_scalar(
    name: &str,
    a: &[Value],
    ret: &TypeSpec,
    precision: Precision,
) -> EResult<Value> {
    if a.first().is_some_and(Value::is_null) && name != "concat_ws" {
        return Ok(Value::Null);
    }
    let f = |i: usize| a.get(i).and_then(as_f64);
    let keep_int = |x: f64| -> Value {
        match ret.ty {
            Type::Float => Value::Float(x as f32),
            Type::Double => Value::Double(x),
            Type::TinyInt => Value::TinyInt(x as i8),
            Type::SmallInt => Value::SmallInt(x as i16),
            Type::Int => Value::Int(x as i32),
            Type::UTinyInt => Value::UTinyInt(x as u8),
            Type::USmallInt => Value::USmallInt(x as u16),
            Type::UInt => Value::UInt(x as u32),
            Type::UBigInt => Value::UBigInt(x as u64),
            _ => Value::BigInt(x as i64),
        }
    };
    let text = |i: usize| -> Option<String> {
        a.get(i).and_then(|v| match v {
            Value::Null => None,
            Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
    };
    let wrap = |s: String| {
        if ret.ty == Type::NChar {
            Value::NChar(s)
        } else {
            Value::VarChar(s)
        }
    };
    Ok(match name {
        "abs" => match &a[0] {
            v if ret.ty.is_integer() => {
                as_int(v).map_or(Value::Null, |i| int_value(ret.ty, i.abs()))
            }
            v => as_f64(v).map_or(Value::Null, |x| keep_int(x.abs())),
        },
        "ceil" | "floor" | "round" if ret.ty.is_integer() => a[0].clone(),
        "ceil" => f(0).map_or(Value::Null, |x| keep_int(x.ceil())),
        "floor" => f(0).map_or(Value::Null, |x| keep_int(x.floor())),
        "round" => match (f(0), a.get(1).and_then(as_int)) {
            (Some(x), Some(d)) => {
                let m = 10f64.powi(d as i32);
                keep_int((x * m).round() / m)
            }
            (Some(x), None) => keep_int(x.round()),
            _ => Value::Null,
        },
        "sqrt" => f(0).map_or(Value::Null, |x| Value::Double(x.sqrt())),
        "exp" => f(0).map_or(Value::Null, |x| Value::Double(x.exp())),
        "ln" => f(0).map_or(Value::Null, |x| Value::Double(x.ln())),
        "sin" => f(0).map_or(Value::Null, |x| Value::Double(x.sin())),
        "cos" => f(0).map_or(Value::Null, |x| Value::Double(x.cos())),
        "tan" => f(0).map_or(Value::Null, |x| Value::Double(x.tan())),
        "log" => match (f(0), f(1)) {
            (Some(x), Some(b)) => Value::Double(x.ln() / b.ln()),
            (Some(x), None) => Value::Double(x.ln()),
            _ => Value::Null,
        },
        "pow" => match (f(0), f(1)) {
            (Some(x), Some(y)) => Value::Double(x.powf(y)),
            _ => Value::Null,
        },
        "length" => Value::BigInt(match &a[0] {
            Value::NChar(s) => (s.chars().count() * 4) as i64,
            v => v
                .as_bytes()
                .map_or_else(|| v.to_string().len(), <[u8]>::len) as i64,
        }),
        "char_length" => Value::BigInt(text(0).map_or(0, |s| s.chars().count()) as i64),
        "lower" => wrap(text(0).unwrap_or_default().to_lowercase()),
        "upper" => wrap(text(0).unwrap_or_default().to_uppercase()),
        "ltrim" => wrap(text(0).unwrap_or_default().trim_start().to_string()),
        "rtrim" => wrap(text(0).unwrap_or_default().trim_end().to_string()),
        "trim" => wrap(text(0).unwrap_or_default().trim().to_string()),
        "substr" | "substring" => {
            let s: Vec<char> = text(0).unwrap_or_default().chars().collect();
            let pos = a.get(1).and_then(as_int).unwrap_or(1);
            let start = if pos > 0 {
                (pos - 1) as usize
            } else {
                s.len().saturating_sub(pos.unsigned_abs() as usize)
            };
            let len = a
                .get(2)
                .and_then(as_int)
                .map_or(s.len(), |l| l.max(0) as usize);
            wrap(s.iter().skip(start).take(len).collect())
        }
        "concat" => {
            let mut out = String::new();
            for i in 0..a.len() {
                match text(i) {
                    Some(s) => out.push_str(&s),
                    None => return Ok(Value::Null),
                }
            }
            wrap(out)
        }
        "concat_ws" => {
            let Some(sep) = text(0) else {
                return Ok(Value::Null);
            };
            let parts: Vec<String> = (1..a.len()).filter_map(text).collect();
            wrap(parts.join(&sep))
        }
        "to_iso8601" => {
            let tz = match a.get(1) {
                Some(Value::VarChar(z)) => parse_offset_tz(z),
                _ => Tz::UTC,
            };
            match &a[0] {
                Value::Timestamp(t) => Value::VarChar(iso8601(t.value(), t.precision(), tz)),
                v => as_int(v).map_or(Value::Null, |i| {
                    Value::VarChar(iso8601(i as i64, precision, tz))
                }),
            }
        }
        "to_unixtimestamp" => match text(0).and_then(|s| parse_timestamp(&s, Tz::UTC, precision)) {
            Some(t) => Value::BigInt(t),
            None => Value::Null,
        },
        "timetruncate" => {
            let (Some(t), Some(unit)) = (a.first().and_then(as_int), a.get(1).and_then(as_int))
            else {
                return Ok(Value::Null);
            };
            let (t, unit) = (t as i64, unit as i64);
            if unit <= 0 {
                return Err(EngineError::new(
                    Code::FUNC_FUNTION_PARA_VALUE,
                    "Invalid parameter value : timetruncate",
                ));
            }
            Value::Timestamp(Timestamp::new(
                t.saturating_sub(t.rem_euclid(unit)),
                precision,
            ))
        }
        "timediff" => match (a.first().and_then(as_int), a.get(1).and_then(as_int)) {
            (Some(x), Some(y)) => {
                let d = (x - y) as i64;
                let unit = a.get(2).and_then(as_int).unwrap_or(1).max(1) as i64;
                Value::BigInt(d / unit)
            }
            _ => Value::Null,
        },
        _ => Value::Null,
    })
}

/// An integer as a value of integer type `ty` (NULL when it does not fit).
fn int_value(ty: Type, v: i128) -> Value {
    match ty {
        Type::TinyInt => i8::try_from(v).map_or(Value::Null, Value::TinyInt),
        Type::SmallInt => i16::try_from(v).map_or(Value::Null, Value::SmallInt),
        Type::Int => i32::try_from(v).map_or(Value::Null, Value::Int),
        Type::UTinyInt => u8::try_from(v).map_or(Value::Null, Value::UTinyInt),
        Type::USmallInt => u16::try_from(v).map_or(Value::Null, Value::USmallInt),
        Type::UInt => u32::try_from(v).map_or(Value::Null, Value::UInt),
        Type::UBigInt => u64::try_from(v).map_or(Value::Null, Value::UBigInt),
        _ => i64::try_from(v).map_or(Value::Null, Value::BigInt),
    }
}

/// A zone from an IANA name or a whole-hour offset such as `+08:00` / `-0500` / `Z`
/// (UTC when neither).
fn parse_offset_tz(z: &str) -> Tz {
    let z = z.trim();
    if let Ok(tz) = z.parse::<Tz>() {
        return tz;
    }
    if z.eq_ignore_ascii_case("z") {
        return Tz::UTC;
    }
    let (sign, rest) = match z.as_bytes().first() {
        Some(b'+') => (1, &z[1..]),
        Some(b'-') => (-1, &z[1..]),
        _ => return Tz::UTC,
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let (hh, mm) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().unwrap_or(0), 0),
        3 | 4 => {
            let (h, m) = digits.split_at(digits.len() - 2);
            (h.parse::<i32>().unwrap_or(0), m.parse::<i32>().unwrap_or(0))
        }
        _ => return Tz::UTC,
    };
    if mm != 0 || hh > 14 {
        return Tz::UTC;
    }
    // Etc/GMT zones have inverted signs: UTC+8 is Etc/GMT-8.
    let name = if hh == 0 {
        "Etc/GMT".to_string()
    } else {
        format!("Etc/GMT{}{hh}", if sign > 0 { '-' } else { '+' })
    };
    name.parse::<Tz>().unwrap_or(Tz::UTC)
}
