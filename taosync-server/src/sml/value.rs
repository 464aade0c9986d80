//! Field values and timestamps shared by the line and telnet formats.
//!
//! Restates `smlParseValue` (`clientSmlLine.c`), `smlParseNumber` and `smlGetTimeValue`
//! (`clientSml.c`) of TDengine.

use taosync_proto::code::Code;
use taosync_proto::types::{Precision, Timestamp};
use taosync_proto::value::{Value, from_hex};

use super::{MAX_BINARY_LEN, MAX_NCHAR_LEN, SmlError, codes};

/// The typed value of a field written `text` (quotes and type prefix or suffix included,
/// backslash escapes of string content still in place).
///
/// * `"…"` VARCHAR, `L"…"`/`l"…"` NCHAR, `B"…"`/`b"…"` VARBINARY (hex-decoded when the
///   content starts with `\x`), `G"…"`/`g"…"` GEOMETRY (WKT `POINT`, `LINESTRING` or
///   `POLYGON`, stored as little-endian WKB);
/// * `t`, `T`, `true`, `f`, `F`, `false` (any case) BOOL;
/// * a number with an optional suffix: none or `f64` DOUBLE, `f32` FLOAT, `i8`/`i16`/`i32`/
///   `i64`/`i` signed integers, `u8`/`u16`/`u32`/`u64`/`u` unsigned ones (suffix letters in
///   any case), range-checked.
pub(crate) fn parse_field_value(text: &str) -> Result<Value, SmlError> {
    let bytes = text.as_bytes();
    let invalid = || {
        SmlError::new(
            codes::TSC_INVALID_VALUE,
            format!("invalid field value {text:?}"),
        )
    };
    let Some(&first) = bytes.first() else {
        return Err(invalid());
    };
    let quoted_after_prefix =
        bytes.len() >= 3 && bytes[1] == b'"' && bytes[bytes.len() - 1] == b'"';
    match first {
        b'"' => {
            if bytes.len() >= 2 && bytes[bytes.len() - 1] == b'"' {
                let content = unescape_string(&text[1..text.len() - 1]);
                if content.len() > MAX_BINARY_LEN {
                    return Err(too_long(content.len(), MAX_BINARY_LEN));
                }
                return Ok(Value::VarChar(content));
            }
            Err(invalid())
        }
        b'l' | b'L' => {
            if quoted_after_prefix {
                let content = unescape_string(&text[2..text.len() - 1]);
                if content.len() > MAX_NCHAR_LEN {
                    return Err(too_long(content.len(), MAX_NCHAR_LEN));
                }
                return Ok(Value::NChar(content));
            }
            Err(invalid())
        }
        b'b' | b'B' => {
            if quoted_after_prefix {
                return parse_varbinary(&text[2..text.len() - 1]);
            }
            Err(invalid())
        }
        b'g' | b'G' => {
            if quoted_after_prefix {
                return parse_geometry(&text[2..text.len() - 1]);
            }
            Err(invalid())
        }
        b't' | b'T' => {
            if bytes.len() == 1 || text.eq_ignore_ascii_case("true") {
                return Ok(Value::Bool(true));
            }
            Err(invalid())
        }
        b'f' | b'F' => {
            if bytes.len() == 1 || text.eq_ignore_ascii_case("false") {
                return Ok(Value::Bool(false));
            }
            Err(invalid())
        }
        _ => parse_number(text),
    }
}

/// The WKB of a `G"…"` value's WKT content (`smlParseValue` → `doGeomFromText`).
fn parse_geometry(wkt: &str) -> Result<Value, SmlError> {
    match crate::engine::convert::wkt_to_wkb(wkt) {
        Some(wkb) if wkb.len() <= MAX_BINARY_LEN => Ok(Value::Geometry(wkb)),
        Some(wkb) => Err(too_long(wkb.len(), MAX_BINARY_LEN)),
        None => Err(SmlError::new(
            codes::TSC_INVALID_VALUE,
            format!("invalid GEOMETRY value: {wkt:?} is not a POINT, LINESTRING or POLYGON in WKT"),
        )),
    }
}

fn too_long(len: usize, max: usize) -> SmlError {
    SmlError::new(
        codes::PAR_INVALID_VAR_COLUMN_LEN,
        format!("string of {len} bytes is longer than the maximum {max}"),
    )
}

/// Removes the backslash of `\"` and `\\` in a quoted field value (TDengine's
/// `PROCESS_SLASH_IN_FIELD_VALUE`); any other backslash is kept.
pub(crate) fn unescape_string(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && (next == '"' || next == '\\')
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// `B"…"` content: hex-decoded when it starts with `\x` (`isHex`), raw bytes otherwise.
fn parse_varbinary(content: &str) -> Result<Value, SmlError> {
    let bytes = if let Some(hex) = content
        .strip_prefix("\\x")
        .or_else(|| content.strip_prefix("\\X"))
    {
        from_hex(hex).ok_or_else(|| {
            SmlError::new(
                Code::SML_INVALID_DATA,
                format!("invalid hex VARBINARY value {content:?}"),
            )
        })?
    } else {
        content.as_bytes().to_vec()
    };
    if bytes.len() > MAX_BINARY_LEN {
        return Err(too_long(bytes.len(), MAX_BINARY_LEN));
    }
    Ok(Value::VarBinary(bytes))
}

/// The longest prefix of `text` C's `strtod` would consume (decimal forms, `inf`,
/// `infinity`, `nan`, with an optional sign; hexadecimal floats are not accepted here).
fn float_prefix(text: &str) -> usize {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let rest = &b[i..];
    for word in ["infinity", "inf", "nan"] {
        if rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes()) {
            return i + word.len();
        }
    }
    let start_digits = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - start_digits;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return 0;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            i = j;
        }
    }
    i
}

/// C `strtoll`/`strtoull` base 10 on the start of `text`: optional sign then digits (no
/// digits gives 0). `None` on overflow (`ERANGE`).
fn leading_integer(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let mut i = 0;
    let negative = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut value: i128 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        value = value
            .checked_mul(10)?
            .checked_add(i128::from(b[i] - b'0'))?;
        if value > i128::from(u64::MAX) + 1 {
            return None;
        }
        i += 1;
    }
    Some(if negative { -value } else { value })
}

/// `smlParseNumber`: a number with an optional type suffix.
fn parse_number(text: &str) -> Result<Value, SmlError> {
    let end = float_prefix(text);
    let invalid = || {
        SmlError::new(
            codes::TSC_INVALID_VALUE,
            format!("invalid field value {text:?}"),
        )
    };
    if end == 0 {
        return Err(invalid());
    }
    let result: f64 = text[..end].parse().map_err(|_| invalid())?;
    let suffix = text[end..].to_ascii_lowercase();
    let out_of_range = |what: &str| {
        SmlError::new(
            codes::TSC_INVALID_VALUE,
            format!("{what} out of range: {text:?}"),
        )
    };
    // Mirrors IS_VALID_* on the double: NaN is never in range; the value is truncated
    // toward zero afterwards, as the C cast does.
    let in_range = |lo: f64, hi: f64| result >= lo && result <= hi;
    Ok(match suffix.as_str() {
        "" | "f64" => Value::Double(result),
        "f32" => {
            if !in_range(-f64::from(f32::MAX), f64::from(f32::MAX)) {
                return Err(out_of_range("float"));
            }
            Value::Float(result as f32)
        }
        "i8" => {
            if !in_range(-128.0, 127.0) {
                return Err(out_of_range("tiny int"));
            }
            Value::TinyInt(result as i8)
        }
        "i16" => {
            if !in_range(-32768.0, 32767.0) {
                return Err(out_of_range("small int"));
            }
            Value::SmallInt(result as i16)
        }
        "i32" => {
            if !in_range(-2_147_483_648.0, 2_147_483_647.0) {
                return Err(out_of_range("int"));
            }
            Value::Int(result as i32)
        }
        "i" | "i64" => {
            let v = leading_integer(text)
                .and_then(|v| i64::try_from(v).ok())
                .ok_or_else(|| out_of_range("big int"))?;
            Value::BigInt(v)
        }
        "u8" => {
            if !in_range(0.0, 255.0) {
                return Err(out_of_range("unsigned tiny int"));
            }
            Value::UTinyInt(result as u8)
        }
        "u16" => {
            if !in_range(0.0, 65535.0) {
                return Err(out_of_range("unsigned small int"));
            }
            Value::USmallInt(result as u16)
        }
        "u32" => {
            if !in_range(0.0, 4_294_967_295.0) {
                return Err(out_of_range("unsigned int"));
            }
            Value::UInt(result as u32)
        }
        "u" | "u64" => {
            if result < 0.0 {
                return Err(out_of_range("unsigned big int"));
            }
            let v = leading_integer(text)
                .and_then(|v| u64::try_from(v).ok())
                .ok_or_else(|| out_of_range("unsigned big int"))?;
            Value::UBigInt(v)
        }
        _ => return Err(invalid()),
    })
}

/// The unit a timestamp is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TsUnit {
    Hour,
    Minute,
    Second,
    Milli,
    Micro,
    Nano,
}

fn invalid_ts(text: &str) -> SmlError {
    SmlError::new(
        codes::INVALID_TIMESTAMP,
        format!("invalid timestamp {text:?}"),
    )
}

/// `smlGetTimeValue`: the integer `text` (optional sign, digits only) in `unit`, converted to
/// `to`. Hours, minutes and seconds go through milliseconds with an overflow check.
pub(crate) fn convert_ts(text: &str, unit: TsUnit, to: Precision) -> Result<i64, SmlError> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_ts(text));
    }
    let value: i64 = text.parse().map_err(|_| invalid_ts(text))?;
    convert_ts_value(value, unit, to).ok_or_else(|| invalid_ts(text))
}

/// [`convert_ts`] on a number; `None` on overflow.
pub(crate) fn convert_ts_value(value: i64, unit: TsUnit, to: Precision) -> Option<i64> {
    let (value, from) = match unit {
        TsUnit::Hour => (value.checked_mul(3_600_000)?, Precision::Millisecond),
        TsUnit::Minute => (value.checked_mul(60_000)?, Precision::Millisecond),
        TsUnit::Second => (value.checked_mul(1_000)?, Precision::Millisecond),
        TsUnit::Milli => (value, Precision::Millisecond),
        TsUnit::Micro => (value, Precision::Microsecond),
        TsUnit::Nano => (value, Precision::Nanosecond),
    };
    let from_per = from.per_second();
    let to_per = to.per_second();
    if to_per >= from_per {
        value.checked_mul(to_per / from_per)
    } else {
        // C integer division truncates toward zero.
        Some(value / (from_per / to_per))
    }
}

/// A timestamp of `value` in precision `to`.
pub(crate) fn ts(value: i64, to: Precision) -> Timestamp {
    Timestamp::new(value, to)
}
