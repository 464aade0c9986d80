//! InfluxDB line protocol as TDengine parses it (`smlParseInfluxString` and helpers in
//! `clientSmlLine.c`):
//!
//! `measurement[,tag_key=tag_value…] field_key=field_value[,field_key=field_value…] [timestamp]`
//!
//! A comma, space or equals sign is a separator unless the byte just before it is a
//! backslash. Unescaping removes a backslash in front of a comma or space (measurement), in
//! front of a comma, space or equals sign (tag keys, tag values, field keys), and in front of
//! a double quote or backslash (quoted field values); other backslashes stay.

use taosync_proto::code::Code;
use taosync_proto::value::Value;

use super::value::{TsUnit, convert_ts, parse_field_value, ts};
use super::{
    Context, MAX_COLUMN_NAME_LEN, MAX_NCHAR_LEN, MAX_TABLE_NAME_LEN, SmlError, SmlField, SmlPoint,
    SmlPrecision, codes, finish_point,
};

/// True when byte `p` of `b` is `c` and not escaped by a backslash just before it.
fn is_sep(b: &[u8], p: usize, c: u8) -> bool {
    b[p] == c && (p == 0 || b[p - 1] != b'\\')
}

/// Removes a backslash that stands just before one of `specials`.
fn unescape(raw: &str, specials: &[u8]) -> String {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() && specials.contains(&b[i + 1]) {
            out.push(b[i + 1]);
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    // Only ASCII bytes were removed, so the result is still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn invalid(message: impl Into<String>) -> SmlError {
    SmlError::new(Code::SML_INVALID_DATA, message)
}

/// Parses a key ending at an unescaped `=` starting at `*p`; leaves `*p` after the `=`.
fn parse_key(text: &str, p: &mut usize, what: &str) -> Result<String, SmlError> {
    let b = text.as_bytes();
    let start = *p;
    let mut key_end = None;
    while *p < b.len() {
        if is_sep(b, *p, b' ') || is_sep(b, *p, b',') {
            return Err(invalid(format!(
                "invalid data: {what} key {:?} has no '=' value",
                &text[start..*p]
            )));
        }
        if is_sep(b, *p, b'=') {
            key_end = Some(*p);
            *p += 1;
            break;
        }
        *p += 1;
    }
    let key = unescape(&text[start..key_end.unwrap_or(start)], b", =");
    if key.is_empty() || key.len() > MAX_COLUMN_NAME_LEN {
        return Err(SmlError::new(
            codes::TSC_INVALID_COLUMN_LENGTH,
            format!("invalid {what} key {key:?}: empty or longer than {MAX_COLUMN_NAME_LEN} bytes"),
        ));
    }
    Ok(key)
}

/// One line (not a comment, not blank).
pub(crate) fn parse_line(text: &str, line: usize, ctx: &Context<'_>) -> Result<SmlPoint, SmlError> {
    let b = text.as_bytes();
    let end = b.len();
    let mut p = 0;
    while p < end && b[p] == b' ' {
        p += 1;
    }
    if p < end && b[p] == b',' {
        return Err(invalid("invalid data: the line starts with a comma"));
    }

    // Measurement.
    let measure_start = p;
    while p < end && !is_sep(b, p, b',') && !is_sep(b, p, b' ') {
        p += 1;
    }
    let raw_measure = &text[measure_start..p];
    let measure = unescape(raw_measure, b", ");
    if measure.is_empty() || measure.len() > MAX_TABLE_NAME_LEN {
        return Err(SmlError::new(
            codes::TSC_INVALID_TABLE_ID_LENGTH,
            format!("measure is empty or too large than {MAX_TABLE_NAME_LEN}"),
        ));
    }
    let mut tags_end = p;
    while tags_end < end && !is_sep(b, tags_end, b' ') {
        tags_end += 1;
    }

    // Tags.
    let mut tags = Vec::new();
    if p < end && b[p] == b',' {
        p += 1;
        while p < end {
            if is_sep(b, p, b' ') {
                break;
            }
            let key = parse_key(text, &mut p, "tag")?;
            let value_start = p;
            while p < end && !is_sep(b, p, b' ') && !is_sep(b, p, b',') {
                if is_sep(b, p, b'=') {
                    return Err(invalid(format!(
                        "invalid data: unescaped '=' in the value of tag {key:?}"
                    )));
                }
                p += 1;
            }
            if p == value_start {
                return Err(invalid(format!(
                    "invalid value: tag {key:?} has an empty value"
                )));
            }
            let value = unescape(&text[value_start..p], b", =");
            if value.len() > MAX_NCHAR_LEN {
                return Err(SmlError::new(
                    codes::PAR_INVALID_VAR_COLUMN_LEN,
                    format!("tag {key:?} value is longer than {MAX_NCHAR_LEN} bytes"),
                ));
            }
            tags.push(SmlField::new(key, Value::NChar(value)));
            if p < end && is_sep(b, p, b' ') {
                break;
            }
            p += 1;
        }
    }

    // Fields.
    p = tags_end;
    while p < end && b[p] == b' ' {
        p += 1;
    }
    let cols_start = p;
    let mut columns = Vec::new();
    while p < end {
        if is_sep(b, p, b' ') {
            break;
        }
        let key = parse_key(text, &mut p, "field")?;
        let value_start = p;
        let mut quotes = 0;
        let mut escape_at: Option<usize> = None;
        while p < end {
            if b[p] == b'"' && (p == 0 || b[p - 1] != b'\\' || Some(p - 1) == escape_at) {
                quotes += 1;
                p += 1;
                if quotes > 2 {
                    break;
                }
                continue;
            }
            if quotes % 2 == 0 && (is_sep(b, p, b' ') || is_sep(b, p, b',')) {
                break;
            }
            if p > 0
                && b[p - 1] == b'\\'
                && (b[p] == b'"' || b[p] == b'\\')
                && Some(p - 1) != escape_at
            {
                escape_at = Some(p);
            }
            p += 1;
        }
        if quotes != 0 && quotes != 2 {
            return Err(invalid(format!(
                "unbalanced quotes in the value of field {key:?}"
            )));
        }
        if p == value_start {
            return Err(invalid(format!(
                "invalid value: field {key:?} has an empty value"
            )));
        }
        let value = parse_field_value(&text[value_start..p])
            .map_err(|e| SmlError::new(e.code(), format!("field {key:?}: {}", e.message())))?;
        columns.push(SmlField::new(key, value));
        if p < end && is_sep(b, p, b' ') {
            break;
        }
        p += 1;
    }
    let p = p.min(end);
    if p == cols_start || columns.is_empty() {
        return Err(invalid("cols is empty"));
    }

    // Timestamp: up to the next whitespace; anything after it is ignored.
    let mut p = p;
    while p < end && b[p] == b' ' {
        p += 1;
    }
    let ts_start = p;
    while p < end && !b[p].is_ascii_whitespace() {
        p += 1;
    }
    let ts_text = &text[ts_start..p];
    let value = if ts_text.is_empty() || ts_text == "0" {
        ctx.now.value()
    } else {
        let unit = match ctx.precision {
            SmlPrecision::NotConfigured | SmlPrecision::Nanosecond => TsUnit::Nano,
            SmlPrecision::Hour => TsUnit::Hour,
            SmlPrecision::Minute => TsUnit::Minute,
            SmlPrecision::Second => TsUnit::Second,
            SmlPrecision::Millisecond => TsUnit::Milli,
            SmlPrecision::Microsecond => TsUnit::Micro,
        };
        let v = convert_ts(ts_text, unit, ctx.db_precision)?;
        if v <= 0 {
            return Err(SmlError::new(
                codes::INVALID_TIMESTAMP,
                format!("invalid timestamp {ts_text:?}: not after the epoch"),
            ));
        }
        v
    };
    finish_point(
        line,
        raw_measure,
        &measure,
        tags,
        columns,
        ts(value, ctx.db_precision),
        ctx,
    )
}
