//! Literal values written by INSERT / TAGS / SET TAG: evaluation of the value expression
//! and conversion to the target column's type with TDengine's validation (03 §3.2–3.4).

use chrono_tz::Tz;

use super::ast::{BinOp, Expr, InsValue, Lit};
use super::catalog::ColDef;
use super::error::{EResult, EngineError};
use super::parser::parse_int_text;
use super::time::{duration_ticks, parse_timestamp, today_ticks};
use taosync_proto::code::Code;
use taosync_proto::types::{Decimal, Precision, Type};
use taosync_proto::value::{Value, from_hex};

/// What a written value needs to know about its statement.
#[derive(Clone, Copy, Debug)]
pub struct WriteCtx {
    /// Session time zone.
    pub tz: Tz,
    /// Database precision.
    pub precision: Precision,
    /// `NOW` of this statement, in ticks of `precision`.
    pub now: i64,
}

/// A written constant before conversion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Const<'a> {
    /// NULL.
    Null,
    /// TRUE / FALSE.
    Bool(bool),
    /// Integer literal text.
    Int(&'a str),
    /// Float literal text.
    Float(&'a str),
    /// String literal.
    Str(&'a str),
    /// A timestamp already computed (`now`, `now - 1h`, `'…' + 1d`).
    Ts(i64),
    /// A typed value bound to a `?` (stmt).
    Value(&'a Value),
}

/// Evaluates an INSERT value expression to a constant.
pub fn eval_const<'a>(v: &'a InsValue, ctx: &WriteCtx) -> EResult<Const<'a>> {
    match &v.expr {
        Expr::Lit(Lit::Null) => Ok(Const::Null),
        Expr::Lit(Lit::Bool(b)) => Ok(Const::Bool(*b)),
        Expr::Lit(Lit::Int(s)) => Ok(Const::Int(s)),
        Expr::Lit(Lit::Float(s)) => Ok(Const::Float(s)),
        Expr::Lit(Lit::Str(s)) => Ok(Const::Str(s)),
        Expr::Placeholder => Err(EngineError::insert_syntax(&v.near, "? only used in stmt")),
        Expr::Param(p) => Ok(Const::Value(p)),
        Expr::Func { name, args, .. } if args.is_empty() && (name == "now" || name == "today") => {
            Ok(Const::Ts(base_ts(name, ctx)))
        }
        Expr::Binary(op @ (BinOp::Add | BinOp::Sub), a, b) => {
            let (base, dur, sign) = match (a.as_ref(), b.as_ref()) {
                (x, Expr::Lit(Lit::Duration(c, u))) => {
                    (x, (*c, u.as_str()), if *op == BinOp::Sub { -1 } else { 1 })
                }
                (Expr::Lit(Lit::Duration(c, u)), x) if *op == BinOp::Add => {
                    (x, (*c, u.as_str()), 1)
                }
                _ => return Err(EngineError::insert_syntax(&v.near, "invalid timestamp")),
            };
            let base = match base {
                Expr::Func { name, args, .. }
                    if args.is_empty() && (name == "now" || name == "today") =>
                {
                    base_ts(name, ctx)
                }
                Expr::Lit(Lit::Str(s)) => parse_timestamp(s, ctx.tz, ctx.precision)
                    .ok_or_else(|| EngineError::insert_syntax(&v.near, "invalid timestamp"))?,
                Expr::Lit(Lit::Int(s)) => parse_int_text(s)
                    .and_then(|x| i64::try_from(x).ok())
                    .ok_or_else(|| EngineError::insert_syntax(&v.near, "invalid timestamp"))?,
                _ => return Err(EngineError::insert_syntax(&v.near, "invalid timestamp")),
            };
            if matches!(dur.1, "n" | "y") {
                return Err(EngineError::insert_syntax(&v.near, "invalid timestamp"));
            }
            let d = duration_ticks(dur.0, dur.1, ctx.precision)
                .ok_or_else(|| EngineError::insert_syntax(&v.near, "invalid timestamp"))?;
            base.checked_add(sign * d)
                .map(Const::Ts)
                .ok_or_else(|| EngineError::insert_syntax(&v.near, "invalid timestamp"))
        }
        _ => Err(EngineError::insert_syntax(
            &v.near,
            "invalid data or symbol",
        )),
    }
}

fn base_ts(name: &str, ctx: &WriteCtx) -> i64 {
    if name == "today" {
        today_ticks(ctx.tz, ctx.precision)
    } else {
        ctx.now
    }
}

fn is_null_text(s: &str) -> bool {
    s.eq_ignore_ascii_case("null")
}

/// Converts a constant to a value of `col`'s type, validating it as the insert parser does.
pub fn coerce(c: &Const<'_>, col: &ColDef, near: &str, ctx: &WriteCtx) -> EResult<Value> {
    let syn = |reason: &str| EngineError::insert_syntax(near, reason);
    if let Const::Value(v) = c {
        return typed_value(v, col, ctx);
    }
    if matches!(c, Const::Null) {
        return Ok(Value::Null);
    }
    if let Const::Str(s) = c
        && is_null_text(s)
        && !matches!(
            col.ty,
            Type::VarChar | Type::NChar | Type::VarBinary | Type::Blob
        )
    {
        return Ok(Value::Null);
    }
    let ty = col.ty;
    match ty {
        Type::Bool => Ok(Value::Bool(match c {
            Const::Bool(b) => *b,
            Const::Int(s) => parse_int_text(s).ok_or_else(|| syn("invalid bool data"))? != 0,
            Const::Float(s) => s.parse::<f64>().map_err(|_| syn("invalid bool data"))? != 0.0,
            Const::Str(s) if s.eq_ignore_ascii_case("true") => true,
            Const::Str(s) if s.eq_ignore_ascii_case("false") => false,
            Const::Str(s) => match parse_int_text(s.trim()) {
                Some(v) => v != 0,
                None => return Err(syn("invalid bool data")),
            },
            _ => return Err(syn("invalid bool data")),
        })),
        Type::TinyInt | Type::SmallInt | Type::Int | Type::BigInt => {
            let (name, min, max): (&str, i128, i128) = match ty {
                Type::TinyInt => ("tinyint", i8::MIN.into(), i8::MAX.into()),
                Type::SmallInt => ("smallint", i16::MIN.into(), i16::MAX.into()),
                Type::Int => ("int", i32::MIN.into(), i32::MAX.into()),
                _ => ("bigint", i64::MIN.into(), i64::MAX.into()),
            };
            let v = int_of(c).ok_or_else(|| {
                if matches!(c, Const::Str(s) if s.trim().is_empty()) {
                    syn("invalid numeric data")
                } else {
                    syn(&format!("invalid {name} data"))
                }
            })?;
            if v < min || v > max {
                return Err(syn(&if ty == Type::BigInt {
                    "invalid bigint data".to_string()
                } else {
                    format!("{name} data overflow")
                }));
            }
            Ok(match ty {
                Type::TinyInt => Value::TinyInt(v as i8),
                Type::SmallInt => Value::SmallInt(v as i16),
                Type::Int => Value::Int(v as i32),
                _ => Value::BigInt(v as i64),
            })
        }
        Type::UTinyInt | Type::USmallInt | Type::UInt | Type::UBigInt => {
            let (name, max): (&str, i128) = match ty {
                Type::UTinyInt => ("tinyint", u8::MAX.into()),
                Type::USmallInt => ("smallint", u16::MAX.into()),
                Type::UInt => ("int", u32::MAX.into()),
                _ => ("bigint", u64::MAX.into()),
            };
            let v = int_of(c).ok_or_else(|| {
                if matches!(c, Const::Str(s) if s.trim().is_empty()) {
                    syn("invalid numeric data")
                } else {
                    syn(&format!("invalid unsigned {name} data"))
                }
            })?;
            if v < 0 {
                return Err(syn(&format!("invalid unsigned {name} data")));
            }
            if v > max {
                return Err(syn(&if ty == Type::UBigInt {
                    "invalid unsigned bigint data".to_string()
                } else {
                    format!("unsigned {name} data overflow")
                }));
            }
            Ok(match ty {
                Type::UTinyInt => Value::UTinyInt(v as u8),
                Type::USmallInt => Value::USmallInt(v as u16),
                Type::UInt => Value::UInt(v as u32),
                _ => Value::UBigInt(v as u64),
            })
        }
        Type::Float | Type::Double => {
            let reason = if ty == Type::Float {
                "illegal float data"
            } else {
                "illegal double data"
            };
            let v = match c {
                Const::Int(s) => parse_int_text(s).map(|v| v as f64),
                Const::Float(s) => s.parse::<f64>().ok(),
                Const::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
                Const::Str(s) if s.trim().is_empty() => return Err(syn("invalid numeric data")),
                Const::Str(s) => {
                    let t = s.trim();
                    parse_int_text(t).map(|v| v as f64).or_else(|| {
                        t.parse::<f64>().ok().filter(|_| {
                            !t.eq_ignore_ascii_case("inf")
                                && !t.eq_ignore_ascii_case("nan")
                                && !t.to_ascii_lowercase().contains("inf")
                        })
                    })
                }
                _ => None,
            }
            .ok_or_else(|| syn(reason))?;
            if !v.is_finite() || (ty == Type::Float && v.abs() > f64::from(f32::MAX)) {
                return Err(syn(reason));
            }
            Ok(if ty == Type::Float {
                Value::Float(v as f32)
            } else {
                Value::Double(v)
            })
        }
        Type::VarChar | Type::NChar => {
            let s = match c {
                Const::Str(s) => s.to_string(),
                Const::Int(s) | Const::Float(s) => s.to_string(),
                Const::Bool(b) => b.to_string(),
                Const::Ts(t) => t.to_string(),
                Const::Null | Const::Value(_) => return Ok(Value::Null),
            };
            let len = if ty == Type::NChar {
                s.chars().count()
            } else {
                s.len()
            };
            if len > col.length as usize {
                return Err(EngineError::value_too_long(&col.name));
            }
            Ok(if ty == Type::NChar {
                Value::NChar(s)
            } else {
                Value::VarChar(s)
            })
        }
        Type::Timestamp => {
            let v = match c {
                Const::Ts(t) => *t,
                Const::Int(s) => parse_int_text(s)
                    .and_then(|v| i64::try_from(v).ok())
                    .ok_or_else(|| syn("invalid timestamp"))?,
                Const::Str(s) => parse_timestamp(s, ctx.tz, ctx.precision)
                    .or_else(|| parse_int_text(s.trim()).and_then(|v| i64::try_from(v).ok()))
                    .ok_or_else(|| syn("invalid timestamp"))?,
                _ => return Err(syn("invalid timestamp")),
            };
            Ok(Value::Timestamp(taosync_proto::types::Timestamp::new(
                v,
                ctx.precision,
            )))
        }
        Type::VarBinary | Type::Blob => {
            let bytes = match c {
                Const::Str(s) => {
                    if let Some(hex) = s.strip_prefix("\\x").or_else(|| s.strip_prefix("\\X")) {
                        from_hex(hex).ok_or_else(|| {
                            EngineError::new(
                                Code::PAR_SYNTAX_ERROR,
                                format!("Invalid varbinary value: {}", col.name),
                            )
                        })?
                    } else {
                        s.as_bytes().to_vec()
                    }
                }
                Const::Int(s) | Const::Float(s) => s.as_bytes().to_vec(),
                _ => return Err(syn("invalid varbinary data")),
            };
            if bytes.len() > col.length as usize {
                return Err(EngineError::value_too_long(&col.name));
            }
            Ok(if ty == Type::Blob {
                Value::Blob(bytes)
            } else {
                Value::VarBinary(bytes)
            })
        }
        Type::Geometry => {
            let Const::Str(s) = c else {
                return Err(syn("invalid geometry data"));
            };
            let wkb = wkt_to_wkb(s).ok_or_else(|| {
                EngineError::insert_syntax(
                    near,
                    "ParseException: Expected word but encountered end of stream",
                )
            })?;
            if wkb.len() > col.length as usize {
                return Err(EngineError::value_too_long(&col.name));
            }
            Ok(Value::Geometry(wkb))
        }
        Type::Json => {
            let s = match c {
                Const::Str(s) => s,
                _ => return Err(syn("json error invalide value")),
            };
            json_tag(s, near).map(|o| o.map_or(Value::Null, Value::Json))
        }
        Type::Decimal | Type::Decimal64 => {
            let text = match c {
                Const::Int(s) | Const::Float(s) | Const::Str(s) => s.trim().to_string(),
                _ => return Err(syn("invalid decimal data")),
            };
            parse_decimal(&text, col.precision, col.scale)
                .map(Value::Decimal)
                .map_err(|overflow| {
                    if overflow {
                        EngineError::code(Code::DECIMAL_OVERFLOW)
                    } else {
                        syn("invalid decimal data")
                    }
                })
        }
        _ => Err(syn("invalid data or symbol")),
    }
}

/// Converts a typed value (stmt binding, schemaless) to `col`'s type with the same rules
/// as SQL literals: strings and numbers convert, lengths and ranges are checked.
pub(super) fn typed_value(
    v: &Value,
    col: &super::catalog::ColDef,
    ctx: &WriteCtx,
) -> EResult<Value> {
    use taosync_proto::types::Type;
    if v.is_null() {
        return Ok(Value::Null);
    }
    // A value already of the column's type needs no conversion (and no text form), only
    // the checks a literal of that type gets: finite floats, string widths.
    let width_ok = |len: usize| len <= col.length as usize;
    match (v, col.ty) {
        (Value::Timestamp(t), Type::Timestamp) => {
            return Ok(Value::Timestamp(t.to_precision(ctx.precision)));
        }
        (Value::Bool(_), Type::Bool)
        | (Value::TinyInt(_), Type::TinyInt)
        | (Value::SmallInt(_), Type::SmallInt)
        | (Value::Int(_), Type::Int)
        | (Value::BigInt(_), Type::BigInt)
        | (Value::UTinyInt(_), Type::UTinyInt)
        | (Value::USmallInt(_), Type::USmallInt)
        | (Value::UInt(_), Type::UInt)
        | (Value::UBigInt(_), Type::UBigInt) => return Ok(v.clone()),
        (Value::Double(d), Type::Double) if d.is_finite() => return Ok(v.clone()),
        (Value::Float(f), Type::Float) if f.is_finite() => return Ok(v.clone()),
        (Value::VarChar(s), Type::VarChar) => {
            return if width_ok(s.len()) {
                Ok(v.clone())
            } else {
                Err(EngineError::value_too_long(&col.name))
            };
        }
        (Value::NChar(s), Type::NChar) => {
            return if width_ok(s.chars().count()) {
                Ok(v.clone())
            } else {
                Err(EngineError::value_too_long(&col.name))
            };
        }
        _ => {}
    }
    let text;
    let c = match v {
        Value::Timestamp(t) => Const::Ts(t.to_precision(ctx.precision).value()),
        Value::Bool(b) => Const::Bool(*b),
        Value::Float(_) | Value::Double(_) => {
            text = v.to_string();
            Const::Float(&text)
        }
        Value::Decimal(d) => {
            text = d.to_string();
            Const::Float(&text)
        }
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => Const::Str(s),
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => {
            let ok_len = col.ty == Type::Blob || b.len() <= col.length as usize;
            return match col.ty {
                Type::VarBinary | Type::Geometry | Type::Blob if !ok_len => {
                    Err(EngineError::value_too_long(&col.name))
                }
                Type::VarBinary => Ok(Value::VarBinary(b.clone())),
                Type::Geometry => Ok(Value::Geometry(b.clone())),
                Type::Blob => Ok(Value::Blob(b.clone())),
                _ => {
                    let s = String::from_utf8_lossy(b).into_owned();
                    let c = Const::Str(&s);
                    coerce(&c, col, &s, ctx)
                }
            };
        }
        other => {
            text = other.to_string();
            Const::Int(&text)
        }
    };
    let near = text_of(v);
    coerce(&c, col, &near, ctx)
}

fn text_of(v: &Value) -> String {
    super::error::clip(&v.to_string(), 63).to_string()
}

fn int_of(c: &Const<'_>) -> Option<i128> {
    match c {
        Const::Int(s) => parse_int_text(s),
        Const::Bool(b) => Some(i128::from(*b)),
        Const::Float(s) => float_integral(s),
        Const::Str(s) => {
            let t = s.trim();
            parse_int_text(t).or_else(|| float_integral(t))
        }
        Const::Ts(t) => Some(i128::from(*t)),
        Const::Null | Const::Value(_) => None,
    }
}

/// A float text whose value is integral (`1e3`, `2.0`) as an integer.
fn float_integral(s: &str) -> Option<i128> {
    let f: f64 = s.parse().ok()?;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38 {
        Some(f as i128)
    } else {
        None
    }
}

/// Validates a JSON tag value; `Ok(None)` for a NULL tag.
pub fn json_tag(s: &str, near: &str) -> EResult<Option<String>> {
    let t = s.trim();
    if t.is_empty() || is_null_text(t) {
        return Ok(None);
    }
    if t.chars().count() > 4095 {
        return Err(EngineError::insert_syntax(
            near,
            "json string too long than 4095",
        ));
    }
    let v: serde_json::Value = serde_json::from_str(t)
        .map_err(|_| EngineError::insert_syntax(near, "json parse error"))?;
    let serde_json::Value::Object(map) = v else {
        return Err(EngineError::insert_syntax(
            near,
            "json error invalide value",
        ));
    };
    let mut out = serde_json::Map::new();
    for (k, v) in map {
        if k.is_empty() {
            continue;
        }
        if k.len() > 256 {
            return Err(EngineError::insert_syntax(
                near,
                "json key too long, more than 256",
            ));
        }
        if !k.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(EngineError::insert_syntax(near, "json key not validate"));
        }
        if v.is_array() || v.is_object() {
            return Err(EngineError::insert_syntax(
                near,
                "json error invalide value",
            ));
        }
        out.entry(k).or_insert(v);
    }
    Ok(Some(serde_json::Value::Object(out).to_string()))
}

/// Parses decimal text exactly (optional exponent), rounding half away from zero to
/// `scale`. `Err(true)` on overflow of `precision`, `Err(false)` when not a number.
pub fn parse_decimal(text: &str, precision: u8, scale: u8) -> Result<Decimal, bool> {
    let (mant, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().map_err(|_| false)?),
        None => (text, 0),
    };
    let (neg, body) = match mant.as_bytes().first() {
        Some(b'-') => (true, &mant[1..]),
        Some(b'+') => (false, &mant[1..]),
        _ => (false, mant),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(false);
    }
    let digits: String = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    // value = digits * 10^(exp - frac.len())
    let mut e = exp - frac.len() as i32 + i32::from(scale);
    // We want unscaled = value * 10^scale = digits * 10^e.
    let mut d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    let mut round_up = false;
    if e < 0 {
        let cut = (-e) as usize;
        if cut > d.len() {
            d.clear();
        } else {
            let keep = d.len() - cut;
            round_up = d[keep] >= 5;
            d.truncate(keep);
        }
        e = 0;
    }
    if d.len() + e as usize > 38 {
        return Err(true);
    }
    let mut unscaled: i128 = 0;
    for x in d {
        unscaled = unscaled * 10 + i128::from(x);
    }
    for _ in 0..e {
        unscaled *= 10;
    }
    if round_up {
        unscaled += 1;
    }
    let limit = 10i128.checked_pow(u32::from(precision)).ok_or(true)?;
    if unscaled >= limit {
        return Err(true);
    }
    Ok(Decimal::new(
        if neg { -unscaled } else { unscaled },
        precision,
        scale,
    ))
}

/// Minimal WKT → little-endian WKB for POINT, LINESTRING and POLYGON.
pub fn wkt_to_wkb(s: &str) -> Option<Vec<u8>> {
    let t = s.trim();
    let open = t.find('(')?;
    let kind = t[..open].trim().to_ascii_uppercase();
    let body = t[open..].trim();
    let inner = body.strip_prefix('(')?.strip_suffix(')')?;
    let mut out = vec![1u8];
    let points = |text: &str| -> Option<Vec<(f64, f64)>> {
        text.split(',')
            .map(|p| {
                let mut it = p.split_whitespace();
                let x = it.next()?.parse::<f64>().ok()?;
                let y = it.next()?.parse::<f64>().ok()?;
                if it.next().is_some() {
                    return None;
                }
                Some((x, y))
            })
            .collect()
    };
    let push_pts = |out: &mut Vec<u8>, pts: &[(f64, f64)]| {
        for (x, y) in pts {
            out.extend_from_slice(&x.to_le_bytes());
            out.extend_from_slice(&y.to_le_bytes());
        }
    };
    match kind.as_str() {
        "POINT" => {
            let pts = points(inner)?;
            if pts.len() != 1 {
                return None;
            }
            out.extend_from_slice(&1u32.to_le_bytes());
            push_pts(&mut out, &pts);
        }
        "LINESTRING" => {
            let pts = points(inner)?;
            if pts.len() < 2 {
                return None;
            }
            out.extend_from_slice(&2u32.to_le_bytes());
            out.extend_from_slice(&(pts.len() as u32).to_le_bytes());
            push_pts(&mut out, &pts);
        }
        "POLYGON" => {
            out.extend_from_slice(&3u32.to_le_bytes());
            let mut rings = Vec::new();
            let mut rest = inner.trim();
            while !rest.is_empty() {
                let r = rest.strip_prefix('(')?;
                let close = r.find(')')?;
                let pts = points(&r[..close])?;
                if pts.len() < 4 || pts.first() != pts.last() {
                    return None;
                }
                rings.push(pts);
                rest = r[close + 1..].trim_start();
                if let Some(x) = rest.strip_prefix(',') {
                    rest = x.trim_start();
                }
            }
            if rings.is_empty() {
                return None;
            }
            out.extend_from_slice(&(rings.len() as u32).to_le_bytes());
            for ring in rings {
                out.extend_from_slice(&(ring.len() as u32).to_le_bytes());
                push_pts(&mut out, &ring);
            }
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use taosync_proto::value::to_hex;

    #[test]
    fn wkb() {
        assert_eq!(
            to_hex(&wkt_to_wkb("point(100 100)").unwrap()),
            "010100000000000000000059400000000000005940"
        );
        assert_eq!(wkt_to_wkb("POINT (4.0 8.0)").unwrap().len(), 21);
        assert_eq!(
            wkt_to_wkb("LINESTRING(1 1, 2 2, 3 3)").unwrap().len(),
            9 + 48
        );
        assert_eq!(
            wkt_to_wkb("POLYGON((0 0, 1 0, 1 1, 0 0))").unwrap().len(),
            13 + 64
        );
        assert!(wkt_to_wkb("POINT(1)").is_none());
        assert!(wkt_to_wkb("CIRCLE(1 2)").is_none());
    }

    #[test]
    fn decimals() {
        let d = |s: &str, p, sc| parse_decimal(s, p, sc).map(|d| d.to_string());
        assert_eq!(d("99.9876", 10, 2), Ok("99.99".into()));
        assert_eq!(d("-123.456", 10, 2), Ok("-123.46".into()));
        assert_eq!(d("1.0234", 10, 2), Ok("1.02".into()));
        assert_eq!(d("0.1234567890123", 20, 10), Ok("0.1234567890".into()));
        assert_eq!(
            d("1234567890.1234567890", 20, 10),
            Ok("1234567890.1234567890".into())
        );
        assert_eq!(d("1.23E+5", 10, 0), Ok("123000".into()));
        assert_eq!(d("12345", 4, 0), Err(true));
        assert_eq!(d("abc", 4, 0), Err(false));
    }

    #[test]
    fn json_tags() {
        assert_eq!(
            json_tag("{\"a\":1,\"\":2}", "x").unwrap().unwrap(),
            "{\"a\":1}"
        );
        assert_eq!(json_tag(" ", "x").unwrap(), None);
        assert!(json_tag("[1]", "x").is_err());
        assert!(json_tag("{\"a\":[1]}", "x").is_err());
    }
}
