//! Schemaless writes over REST: taosAdapter's InfluxDB line endpoint and OpenTSDB
//! telnet/JSON endpoints (02 §2.3, §2.4), which answer with HTTP statuses and their own
//! JSON errors rather than the `/rest/sql` envelope.

use super::SchemalessWrite;
use super::rest::RestSession;
use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::percent_encode;

/// The protocol codes of 02 §2 (`SchemalessProtocol::code`).
const LINE: i32 = 1;
const TELNET: i32 = 2;
const JSON: i32 = 3;

impl RestSession {
    /// Writes schemaless records through the InfluxDB / OpenTSDB endpoints (02 §2.3, §2.4)
    /// into the current database.
    pub(crate) fn schemaless_insert(&mut self, r: &SchemalessWrite<'_>) -> Result<u64> {
        let Some(db) = self.current_db().map(str::to_owned) else {
            return Err(Error::from_server(
                i64::from(Code::PAR_DB_NOT_SPECIFIED.value()),
                "schemaless insert over REST needs a current database: name one in the DSN or call select_db",
                ErrorKind::Schemaless,
            )
            .with_affected_rows(0));
        };
        let mut query: Vec<(&str, String)> = Vec::new();
        let path = match r.protocol {
            LINE => {
                query.push(("db", db.clone()));
                if !r.precision.is_empty() {
                    query.push(("precision", r.precision.to_owned()));
                }
                "/influxdb/v1/write".to_owned()
            }
            TELNET => format!("/opentsdb/v1/put/telnet/{}", percent_encode(&db)),
            JSON => format!("/opentsdb/v1/put/json/{}", percent_encode(&db)),
            other => {
                return Err(Error::interface(format!(
                    "unknown schemaless protocol code {other}"
                )));
            }
        };
        if r.ttl != 0 {
            query.push(("ttl", r.ttl.to_string()));
        }
        if !r.table_name_key.is_empty() {
            query.push(("table_name_key", r.table_name_key.to_owned()));
        }
        if r.req_id != 0 {
            query.push(("req_id", (r.req_id & (i64::MAX as u64)).to_string()));
        }
        let (status, body) = self.post_endpoint(&path, &query, r.data.as_bytes())?;
        match status {
            200..=299 => Ok(records_sent(r.protocol, r.data)),
            _ => Err(http_error(status, &body, &path)),
        }
    }
}

/// The number of records in `data` as the HTTP endpoints split it: non-empty lines (line
/// protocol also skips `#` comments), or the elements of the JSON document.
fn records_sent(protocol: i32, data: &str) -> u64 {
    let n = match protocol {
        LINE => data
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count(),
        TELNET => data.lines().filter(|l| !l.trim().is_empty()).count(),
        JSON => match serde_json::from_str::<serde_json::Value>(data) {
            Ok(serde_json::Value::Array(items)) => items.len(),
            _ => 1,
        },
        _ => 0,
    };
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// An error reply of the InfluxDB / OpenTSDB endpoints: `{"code": <text or status>,
/// "message": "[0x<code>] <text>" | "<text>"}` (02 §2.3, §2.4).
fn http_error(status: u16, body: &[u8], path: &str) -> Error {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("message"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned());
    let (code, text) = split_taos_code(&message);
    let kind = match status {
        401 | 403 => ErrorKind::Connection,
        404 | 405 => ErrorKind::NotSupported,
        502..=504 => ErrorKind::Operational,
        _ => ErrorKind::Schemaless,
    };
    let text = if kind == ErrorKind::Schemaless {
        text.to_owned()
    } else {
        format!("POST {path}: HTTP {status}: {text}")
    };
    let mut e = match code {
        Some(code) => Error::from_server(i64::from(code.value()), text, kind),
        None => Error::new(kind, text),
    };
    if code.is_none() && status == 401 {
        e = e.with_code(Code::CLIENT_UNAUTHORIZED);
    }
    if kind == ErrorKind::Schemaless || code.is_some_and(|c| c.kind().is_some()) {
        e = e.with_affected_rows(0);
    }
    e
}

/// Splits driver-go's `[0x<hex>] <text>` into the code and the text.
fn split_taos_code(message: &str) -> (Option<Code>, &str) {
    let parsed = message.strip_prefix("[0x").and_then(|rest| {
        let (hex, text) = rest.split_once(']')?;
        let raw = i64::from_str_radix(hex, 16).ok()?;
        Some((Code::from_raw(raw), text.trim_start()))
    });
    match parsed {
        Some((code, text)) => (Some(code), text),
        None => (None, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_errors_keep_the_taos_code() {
        let e = http_error(
            500,
            br#"{"code":"internal error","message":"[0x3002] Invalid data format: line 2"}"#,
            "/influxdb/v1/write",
        );
        assert_eq!(e.kind(), ErrorKind::Schemaless);
        assert_eq!(e.code(), Some(Code::SML_INVALID_DATA));
        assert_eq!(e.message(), "Invalid data format: line 2");
        assert_eq!(e.affected_rows(), Some(0));

        let e = http_error(
            400,
            br#"{"code":400,"message":"db required"}"#,
            "/opentsdb/v1/put/json/",
        );
        assert_eq!(e.kind(), ErrorKind::Schemaless);
        assert_eq!(e.code(), None);
        assert_eq!(e.message(), "db required");

        let e = http_error(401, br#"{"code":401,"message":"auth needed"}"#, "/x");
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert!(e.message().contains("auth needed"), "{e}");

        let e = http_error(502, b"<html>bad gateway</html>", "/x");
        assert_eq!(e.kind(), ErrorKind::Operational);
        assert!(e.message().contains("bad gateway"), "{e}");
    }

    #[test]
    fn records_are_counted_like_the_endpoints_split_them() {
        assert_eq!(records_sent(LINE, "a f=1\n\n# c\n b f=2 \n"), 2);
        assert_eq!(records_sent(TELNET, "put m 1 2 a=b\n \nm 1 2 a=c"), 2);
        assert_eq!(records_sent(JSON, "[{}, {}, {}]"), 3);
        assert_eq!(records_sent(JSON, "{}"), 1);
    }
}
