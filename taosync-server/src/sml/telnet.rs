//! OpenTSDB telnet lines as TDengine parses them (`smlParseTelnetString` in
//! `clientSmlTelnet.c`):
//!
//! `<metric> <timestamp> <value> <tagk_1>=<tagv_1>[ <tagk_n>=<tagv_n>]`
//!
//! Elements are separated by spaces; there is no escaping. The timestamp has 10 digits
//! (seconds) or 13 (milliseconds), or is `0` (now). The value is typed like a line-protocol
//! field value; it becomes the `_value` column. At least one tag is required; tags are NCHAR.

use taosync_proto::code::Code;
use taosync_proto::value::Value;

use super::value::{TsUnit, convert_ts, parse_field_value, ts};
use super::{
    Context, MAX_COLUMN_NAME_LEN, MAX_TABLE_NAME_LEN, SmlError, SmlField, SmlPoint, VALUE_COLUMN,
    codes, finish_point,
};

/// The telnet payload taosAdapter builds from a `POST /opentsdb/v1/put/telnet/<db>` body
/// (`schemaless/capi` `InsertOpentsdbTelnet`): every non-empty line trimmed of surrounding
/// whitespace and of a leading `put `, joined with `\n`. Returns `None` when no line is left
/// (the adapter then answers 204 without writing anything).
pub fn telnet_http_payload(body: &str) -> Option<String> {
    let lines: Vec<&str> = body
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(|l| {
            let t = l.trim();
            t.strip_prefix("put ").unwrap_or(t)
        })
        .collect();
    if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    }
}

/// Longest telnet tag value: `(TSDB_MAX_TAGS_LEN - VARSTR_HEADER_SIZE) / TSDB_NCHAR_SIZE`.
const MAX_TELNET_TAG_LEN: usize = 4095;

/// `smlParseTelnetElement`: skips spaces, then takes bytes up to the next space. As in
/// TDengine, an element that runs to the end of the line without a following space has
/// length 0 (so a line must continue after the metric, the timestamp and the value).
fn element<'a>(text: &'a str, p: &mut usize) -> &'a str {
    let b = text.as_bytes();
    while *p < b.len() && b[*p] == b' ' {
        *p += 1;
    }
    let start = *p;
    while *p < b.len() {
        if b[*p] == b' ' {
            return &text[start..*p];
        }
        *p += 1;
    }
    ""
}

/// One telnet line (not blank).
pub(crate) fn parse_telnet(
    text: &str,
    line: usize,
    ctx: &Context<'_>,
) -> Result<SmlPoint, SmlError> {
    let mut p = 0;
    let metric = element(text, &mut p);
    if metric.is_empty() || metric.len() > MAX_TABLE_NAME_LEN {
        return Err(SmlError::new(
            codes::TSC_INVALID_TABLE_ID_LENGTH,
            format!("invalid data: metric is empty or longer than {MAX_TABLE_NAME_LEN} bytes"),
        ));
    }
    let ts_text = element(text, &mut p);
    if ts_text.is_empty() {
        return Err(SmlError::new(
            Code::SML_INVALID_DATA,
            "invalid timestamp: missing",
        ));
    }
    let ts_value = if ts_text == "0" {
        ctx.now.value()
    } else {
        let unit = match ts_text.len() {
            10 => TsUnit::Second,
            13 => TsUnit::Milli,
            _ => {
                return Err(SmlError::new(
                    codes::INVALID_TIMESTAMP,
                    format!(
                        "timestamp precision can only be seconds(10 digits) or milli seconds(13 digits): {ts_text:?}"
                    ),
                ));
            }
        };
        let v = convert_ts(ts_text, unit, ctx.db_precision)?;
        if v < 0 {
            return Err(SmlError::new(
                codes::INVALID_TIMESTAMP,
                format!("invalid timestamp {ts_text:?}: before the epoch"),
            ));
        }
        v
    };
    let value_text = element(text, &mut p);
    if value_text.is_empty() {
        return Err(SmlError::new(
            codes::TSC_INVALID_VALUE,
            "invalid value: missing value or tags",
        ));
    }
    let value = parse_field_value(value_text)
        .map_err(|e| SmlError::new(codes::TSC_INVALID_VALUE, e.message().to_string()))?;

    let b = text.as_bytes();
    let mut tags = Vec::new();
    while p < b.len() {
        while p < b.len() && b[p] == b' ' {
            p += 1;
        }
        if p >= b.len() {
            break;
        }
        let key_start = p;
        let mut key_end = None;
        while p < b.len() {
            if b[p] == b' ' {
                return Err(SmlError::new(
                    Code::SML_INVALID_DATA,
                    format!(
                        "invalid data: tag {:?} has no '=' value",
                        &text[key_start..p]
                    ),
                ));
            }
            if b[p] == b'=' {
                key_end = Some(p);
                p += 1;
                break;
            }
            p += 1;
        }
        let key = &text[key_start..key_end.unwrap_or(key_start)];
        if key.is_empty() || key.len() > MAX_COLUMN_NAME_LEN {
            return Err(SmlError::new(
                codes::TSC_INVALID_COLUMN_LENGTH,
                format!(
                    "invalid tag key {key:?}: empty or longer than {MAX_COLUMN_NAME_LEN} bytes"
                ),
            ));
        }
        let value_start = p;
        while p < b.len() && b[p] != b' ' {
            if b[p] == b'=' {
                return Err(SmlError::new(
                    Code::SML_INVALID_DATA,
                    format!("invalid data: '=' in the value of tag {key:?}"),
                ));
            }
            p += 1;
        }
        let tag_value = &text[value_start..p];
        if tag_value.is_empty() {
            return Err(SmlError::new(
                codes::TSC_INVALID_VALUE,
                format!("invalid value: tag {key:?} has an empty value"),
            ));
        }
        if tag_value.len() > MAX_TELNET_TAG_LEN {
            return Err(SmlError::new(
                codes::PAR_INVALID_VAR_COLUMN_LEN,
                format!("tag {key:?} value is longer than {MAX_TELNET_TAG_LEN} bytes"),
            ));
        }
        tags.push(SmlField::new(key, Value::NChar(tag_value.to_string())));
    }
    if tags.is_empty() {
        return Err(SmlError::new(
            codes::TSC_INVALID_VALUE,
            "invalid value: at least one tag is required",
        ));
    }
    finish_point(
        line,
        metric,
        metric,
        tags,
        vec![SmlField::new(VALUE_COLUMN, value)],
        ts(ts_value, ctx.db_precision),
        ctx,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_payload_is_trimmed_and_joined() {
        assert_eq!(
            telnet_http_payload("put m 1626006833 1 a=b\r\n\r\n  m 1626006834 2 a=b  \n")
                .as_deref(),
            Some("m 1626006833 1 a=b\nm 1626006834 2 a=b"),
        );
        assert_eq!(telnet_http_payload("\n\n"), None);
    }
}
