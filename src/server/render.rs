//! Rendering of values as REST JSON text (01 §1.6), written straight into an output buffer
//! so that REST results stream row by row, and a JSON string escaper shared by the REST
//! and WebSocket replies.

use std::fmt::Write as _;

use chrono::Offset as _;
use chrono_tz::Tz;

use crate::types::Timestamp;
use crate::value::{Value, to_hex};

/// Appends `s` as a JSON string. Only `"`, `\` and control characters are escaped, like
/// taosAdapter; everything else is copied through.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a float the way Go's `strconv` shortest formatting writes it: plain notation,
/// exponent form (`1e-07`, `1e+21`) for tiny and huge magnitudes; NaN and infinities are
/// `null`.
fn push_float<F>(out: &mut String, v: F, abs: f64)
where
    F: std::fmt::Display + std::fmt::LowerExp,
{
    if !abs.is_finite() {
        out.push_str("null");
        return;
    }
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{v:e}");
        match text.split_once('e') {
            Some((mantissa, exp)) => {
                let (sign, digits) = match exp.strip_prefix('-') {
                    Some(d) => ('-', d),
                    None => ('+', exp),
                };
                let _ = write!(out, "{mantissa}e{sign}{digits:0>2}");
            }
            None => out.push_str(&text),
        }
    } else {
        let _ = write!(out, "{v}");
    }
}

/// Appends a timestamp as an RFC 3339 string in `tz` (3/6/9 fraction digits by precision,
/// `Z` for a zero offset).
pub(crate) fn push_timestamp(out: &mut String, ts: &Timestamp, tz: Tz) {
    let offset = ts
        .to_utc()
        .map(|utc| utc.with_timezone(&tz).offset().fix())
        .unwrap_or_else(|| chrono::Utc.fix());
    out.push('"');
    out.push_str(&ts.to_rfc3339_in(offset));
    out.push('"');
}

/// Appends `value` as REST renders it, timestamps in `tz`.
pub(crate) fn push_value(out: &mut String, value: &Value, tz: Tz) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::TinyInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::SmallInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Value::BigInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::UTinyInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::USmallInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::UInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::UBigInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Float(v) => push_float(out, *v, f64::from(v.abs())),
        Value::Double(v) => push_float(out, *v, v.abs()),
        Value::Timestamp(ts) => push_timestamp(out, ts, tz),
        Value::VarChar(s) | Value::NChar(s) => push_json_str(out, s),
        Value::Json(s) => {
            if s.trim().is_empty() {
                out.push_str("null");
            } else {
                out.push_str(s);
            }
        }
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => {
            out.push('"');
            out.push_str(&to_hex(b));
            out.push('"');
        }
        Value::Decimal(d) => {
            out.push('"');
            let _ = write!(out, "{d}");
            out.push('"');
        }
    }
}

/// Appends a comma-separated JSON array of strings.
pub(crate) fn push_str_array<'a>(out: &mut String, items: impl IntoIterator<Item = &'a str>) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(out, item);
    }
    out.push(']');
}

/// Appends a comma-separated JSON array of numbers.
pub(crate) fn push_num_array<T: std::fmt::Display>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{item}");
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Decimal, Precision};

    fn render(v: &Value, tz: Tz) -> String {
        let mut s = String::new();
        push_value(&mut s, v, tz);
        s
    }

    #[test]
    fn values_render_like_taosadapter() {
        let utc = Tz::UTC;
        let ts = Value::Timestamp(Timestamp::new(1_700_000_000_000, Precision::Millisecond));
        assert_eq!(render(&ts, utc), "\"2023-11-14T22:13:20.000Z\"");
        assert_eq!(
            render(&ts, Tz::Asia__Shanghai),
            "\"2023-11-15T06:13:20.000+08:00\""
        );
        let ns = Value::Timestamp(Timestamp::new(1, Precision::Nanosecond));
        assert_eq!(render(&ns, utc), "\"1970-01-01T00:00:00.000000001Z\"");
        assert_eq!(render(&Value::Float(1.0), utc), "1");
        assert_eq!(render(&Value::Float(0.1), utc), "0.1");
        assert_eq!(render(&Value::Float(1e-7), utc), "1e-07");
        assert_eq!(render(&Value::Double(1e21), utc), "1e+21");
        assert_eq!(render(&Value::Double(f64::NAN), utc), "null");
        assert_eq!(render(&Value::Float(f32::INFINITY), utc), "null");
        assert_eq!(
            render(&Value::UBigInt(u64::MAX), utc),
            "18446744073709551615"
        );
        assert_eq!(
            render(&Value::VarChar("a\"b\\\n\u{1}中".into()), utc),
            "\"a\\\"b\\\\\\n\\u0001中\""
        );
        assert_eq!(render(&Value::Json("{\"a\":1}".into()), utc), "{\"a\":1}");
        assert_eq!(render(&Value::VarBinary(vec![0xab, 0x01]), utc), "\"ab01\"");
        let d = Value::Decimal(Decimal::new(5, 10, 4));
        assert_eq!(render(&d, utc), "\"0.0005\"");
        assert_eq!(render(&Value::Bool(true), utc), "true");
        assert_eq!(render(&Value::Null, utc), "null");
    }

    #[test]
    fn arrays() {
        let mut s = String::new();
        push_str_array(&mut s, ["a", "b"]);
        push_num_array(&mut s, [1, 2]);
        assert_eq!(s, "[\"a\",\"b\"][1,2]");
    }
}
