//! REST `/rest/sql` JSON responses (01 §1): encode and decode.
//!
//! **Server side** (the embedded server): encoders that append to a `Vec<u8>`, so a
//! response can be streamed block by block exactly as taosAdapter streams it:
//!
//! * [`ResultSetWriter`]: `{"code":0,"column_meta":[…],"data":[` (header), then rows as
//!   arrays or `row_with_meta` objects, then `],"rows":N[,"timing":T]}` (trailer);
//! * [`write_affected_rows`]: the synthetic `affected_rows` body of statements without a
//!   result set;
//! * [`write_error`]: the error body `{"code":C,"desc":"…"[,"timing":T]}`.
//!
//! Values are written the way taosAdapter writes them (01 §1.6): timestamps as RFC 3339
//! strings with 3/6/9 fraction digits in the requested zone, FLOAT/DOUBLE in Go's shortest
//! form (exponent form below 1e-6 and from 1e21, NaN and infinities as `null`), binary
//! types as lower-case hex, decimals as exact strings, JSON inserted as raw JSON.
//!
//! **Client side**: [`decode_response`] turns any body into a [`RestResponse`]: a result set
//! with typed values, an affected-rows count, or an engine error.
//!
//! ```
//! use taosync_proto::rest::{decode_response, RestFormat, ResultSetWriter, RestResponse};
//! use taosync_proto::{Column, Precision, Type, Value};
//!
//! let columns = vec![Column::new("v", Type::Int, 4)];
//! let mut w = ResultSetWriter::new(columns, Precision::Millisecond, RestFormat::default());
//! let mut body = Vec::new();
//! w.write_header(&mut body);
//! w.write_row(&mut body, &[Value::Int(42)]).unwrap();
//! w.write_trailer(&mut body, None);
//! assert_eq!(body, br#"{"code":0,"column_meta":[["v","INT",4]],"data":[[42]],"rows":1}"#);
//! let RestResponse::ResultSet(set) = decode_response(&body).unwrap() else { panic!() };
//! assert_eq!(set.rows, vec![vec![Value::Int(42)]]);
//! ```

use std::fmt::Display;
use std::io::Write as _;
use std::sync::Arc;

use chrono::{Offset as _, TimeZone};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::row::Column;
use crate::types::{Decimal, Precision, Timestamp, Type};
use crate::tz::Zone;
use crate::value::{Value, from_hex, to_hex};

// ---------------------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------------------

/// How a REST response renders values: the `tz` / `conn_tz` zone for timestamps and the
/// `row_with_meta` row form. The default is UTC and array rows.
///
/// The zone is any [`chrono::TimeZone`]: a [`Zone`] by default, or another implementation
/// (the embedded server renders in `chrono_tz::Tz`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestFormat<Tz: TimeZone = Zone> {
    /// The zone timestamps are written in (`Z` when its offset is zero at that instant).
    pub tz: Tz,
    /// Rows as objects keyed by column name instead of arrays.
    pub row_with_meta: bool,
}

impl Default for RestFormat {
    fn default() -> Self {
        RestFormat {
            tz: Zone::utc(),
            row_with_meta: false,
        }
    }
}

/// A streaming writer for a result-set body.
///
/// Call [`write_header`](Self::write_header) once, [`write_row`](Self::write_row) for each
/// row (flushing `out` to the socket whenever convenient), then
/// [`write_trailer`](Self::write_trailer). The bytes are exactly taosAdapter's: compact,
/// keys in its order.
#[derive(Clone, Debug)]
pub struct ResultSetWriter<Tz: TimeZone = Zone> {
    columns: Arc<[Column]>,
    precision: Precision,
    format: RestFormat<Tz>,
    rows: u64,
}

impl<Tz: TimeZone> ResultSetWriter<Tz> {
    /// A writer for a result with `columns` whose timestamps are in `precision`.
    pub fn new(
        columns: impl Into<Arc<[Column]>>,
        precision: Precision,
        format: RestFormat<Tz>,
    ) -> ResultSetWriter<Tz> {
        ResultSetWriter {
            columns: columns.into(),
            precision,
            format,
            rows: 0,
        }
    }

    /// Appends `{"code":0,"column_meta":[[name,type,length],…],"data":[`. The length is the
    /// column's declared width; decimals are named `DECIMAL(p,s)`.
    pub fn write_header(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(br#"{"code":0,"column_meta":["#);
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'[');
            write_str(out, &column.name, Escape::Stream);
            out.push(b',');
            write_str(out, &column.type_name(), Escape::Stream);
            out.push(b',');
            push_display(out, column.length);
            out.push(b']');
        }
        out.extend_from_slice(br#"],"data":["#);
    }

    /// Appends one row (with the separating comma after the first). The value's variant
    /// decides its JSON form; timestamps are converted to the result precision. A row
    /// whose length differs from the column count is an [`ErrorKind::Interface`] error and
    /// writes nothing.
    pub fn write_row(&mut self, out: &mut Vec<u8>, row: &[Value]) -> Result<()> {
        if row.len() != self.columns.len() {
            return Err(Error::interface(format!(
                "REST row has {} values but the result has {} columns",
                row.len(),
                self.columns.len()
            )));
        }
        if self.rows > 0 {
            out.push(b',');
        }
        if self.format.row_with_meta {
            out.push(b'{');
            for (i, (column, value)) in self.columns.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, &column.name, Escape::Stream);
                out.push(b':');
                self.write_value(out, column, value);
            }
            out.push(b'}');
        } else {
            out.push(b'[');
            for (i, (column, value)) in self.columns.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                self.write_value(out, column, value);
            }
            out.push(b']');
        }
        self.rows += 1;
        Ok(())
    }

    /// Appends `],"rows":N` (N = rows written), `,"timing":T` when given, and `}`.
    pub fn write_trailer(&self, out: &mut Vec<u8>, timing: Option<u64>) {
        out.extend_from_slice(br#"],"rows":"#);
        push_display(out, self.rows);
        write_timing(out, timing);
        out.push(b'}');
    }

    /// Number of rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn write_value(&self, out: &mut Vec<u8>, column: &Column, value: &Value) {
        match value {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(v) => out.extend_from_slice(if *v { b"true" } else { b"false" }),
            Value::TinyInt(v) => push_display(out, v),
            Value::SmallInt(v) => push_display(out, v),
            Value::Int(v) => push_display(out, v),
            Value::BigInt(v) => push_display(out, v),
            Value::UTinyInt(v) => push_display(out, v),
            Value::USmallInt(v) => push_display(out, v),
            Value::UInt(v) => push_display(out, v),
            Value::UBigInt(v) => push_display(out, v),
            Value::Float(v) => write_f32(out, *v),
            Value::Double(v) => write_f64(out, *v),
            Value::Timestamp(ts) => {
                let text = format_timestamp(*ts, self.precision, &self.format.tz);
                write_str(out, &text, Escape::Stream);
            }
            Value::VarChar(s) | Value::NChar(s) => write_str(out, s, Escape::Stream),
            Value::Json(text) => write_json_text(out, text),
            Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => {
                out.push(b'"');
                out.extend_from_slice(to_hex(b).as_bytes());
                out.push(b'"');
            }
            Value::Decimal(d) => {
                let d = if column.ty.is_decimal() {
                    d.rescale(column.precision, column.scale).unwrap_or(*d)
                } else {
                    *d
                };
                out.push(b'"');
                push_display(out, d);
                out.push(b'"');
            }
        }
    }
}

/// Appends the body of a statement without a result set:
/// `{"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[N]],"rows":1}`, with
/// `[{"affected_rows":N}]` as data under `row_with_meta`, and `,"timing":T` when given.
pub fn write_affected_rows<Tz: TimeZone>(
    out: &mut Vec<u8>,
    affected: u64,
    format: &RestFormat<Tz>,
    timing: Option<u64>,
) {
    let columns = vec![affected_rows_column()];
    let mut writer = ResultSetWriter::new(columns, Precision::Millisecond, format.clone());
    writer.write_header(out);
    // One value for one column cannot fail the length check.
    let _ = writer.write_row(out, &[Value::UBigInt(affected)]);
    writer.write_trailer(out, timing);
}

/// Appends an error body `{"code":C,"desc":"…"}` with `,"timing":T` when given. The text is
/// escaped as Go's `encoding/json` escapes it (which is what taosAdapter uses here).
pub fn write_error(out: &mut Vec<u8>, code: Code, desc: &str, timing: Option<u64>) {
    out.extend_from_slice(br#"{"code":"#);
    push_display(out, code.value());
    out.extend_from_slice(br#","desc":"#);
    write_str(out, desc, Escape::GoJson);
    write_timing(out, timing);
    out.push(b'}');
}

fn affected_rows_column() -> Column {
    Column::new("affected_rows", Type::Int, 4)
}

fn write_timing(out: &mut Vec<u8>, timing: Option<u64>) {
    if let Some(t) = timing {
        out.extend_from_slice(br#","timing":"#);
        push_display(out, t);
    }
}

fn push_display(out: &mut Vec<u8>, v: impl Display) {
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{v}");
}

/// RFC 3339 text of `ts` in `precision` (3/6/9 fraction digits) and zone `tz`: `Z` for a
/// zero offset, `+08:00` otherwise. Out of chrono's range it is the raw epoch number.
///
/// ```
/// use taosync_proto::rest::format_timestamp;
/// use taosync_proto::tz::Zone;
/// use taosync_proto::{Precision, Timestamp};
///
/// let ts = Timestamp::new(1_700_000_000_123, Precision::Millisecond);
/// let shanghai = Zone::from_name("+08:00")?;
/// assert_eq!(format_timestamp(ts, Precision::Millisecond, &shanghai), "2023-11-15T06:13:20.123+08:00");
/// assert_eq!(format_timestamp(ts, Precision::Microsecond, &chrono::Utc), "2023-11-14T22:13:20.123000Z");
/// # Ok::<(), taosync_proto::Error>(())
/// ```
pub fn format_timestamp<Tz: TimeZone>(ts: Timestamp, precision: Precision, tz: &Tz) -> String {
    let ts = ts.to_precision(precision);
    let offset = match ts.to_utc() {
        Some(utc) => tz.offset_from_utc_datetime(&utc.naive_utc()).fix(),
        None => chrono::Utc.fix(),
    };
    ts.to_rfc3339_in(offset)
}

/// Go's shortest round-trip form of an `f32` (taosAdapter's `WriteFloat32`).
fn write_f32(out: &mut Vec<u8>, v: f32) {
    if !v.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    let abs = v.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        write_go_exponent(out, &format!("{v:e}"));
    } else {
        push_display(out, v);
    }
}

/// Go's shortest round-trip form of an `f64` (taosAdapter's `WriteFloat64`).
fn write_f64(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    let abs = v.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        write_go_exponent(out, &format!("{v:e}"));
    } else {
        push_display(out, v);
    }
}

/// Rewrites Rust's `1.5e-7` as Go's `1.5e-07` (explicit sign, at least two digits).
fn write_go_exponent(out: &mut Vec<u8>, rust: &str) {
    let (mantissa, exp) = rust.split_once('e').unwrap_or((rust, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => (b'-', d),
        None => (b'+', exp),
    };
    out.extend_from_slice(mantissa.as_bytes());
    out.push(b'e');
    out.push(sign);
    if digits.len() < 2 {
        out.push(b'0');
    }
    out.extend_from_slice(digits.as_bytes());
}

/// JSON text is inserted as it is when it is valid JSON (as taosAdapter does with what the
/// engine stored); anything else is written as a JSON string so the body stays valid.
fn write_json_text(out: &mut Vec<u8>, text: &str) {
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        out.extend_from_slice(text.trim().as_bytes());
    } else {
        write_str(out, text, Escape::Stream);
    }
}

/// Which Go encoder's string escaping to imitate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// taosAdapter's stream builder (`WriteString`): `"`, `\`, `\n`, `\r`, `\t`, other
    /// control bytes as `\u00XX`; everything else as it is.
    Stream,
    /// Go's `encoding/json`: as above plus `\b`, `\f`, HTML-safe `<`, `>`, `&` and
    /// U+2028/U+2029 escaped as `\uXXXX`.
    GoJson,
}

fn write_str(out: &mut Vec<u8>, s: &str, mode: Escape) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (escape, len): (Option<&[u8]>, usize) = match b {
            b'"' => (Some(b"\\\""), 1),
            b'\\' => (Some(b"\\\\"), 1),
            b'\n' => (Some(b"\\n"), 1),
            b'\r' => (Some(b"\\r"), 1),
            b'\t' => (Some(b"\\t"), 1),
            0x08 if mode == Escape::GoJson => (Some(b"\\b"), 1),
            0x0c if mode == Escape::GoJson => (Some(b"\\f"), 1),
            0..0x20 => (None, 1),
            b'<' | b'>' | b'&' if mode == Escape::GoJson => (None, 1),
            // U+2028 / U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
            0xe2 if mode == Escape::GoJson
                && matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xa8 | 0xa9])) =>
            {
                (None, 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        match escape {
            Some(e) => out.extend_from_slice(e),
            None if len == 3 => {
                out.extend_from_slice(b"\\u202");
                out.push(if bytes.get(i + 2) == Some(&0xa8) {
                    b'8'
                } else {
                    b'9'
                });
            }
            None => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        i += len;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

// ---------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------

/// A decoded `/rest/sql` response body.
#[derive(Clone, Debug, PartialEq)]
pub enum RestResponse {
    /// A statement with a result set.
    ResultSet(RestResultSet),
    /// A statement without a result set (INSERT, CREATE, …): the synthetic
    /// `affected_rows` reply.
    AffectedRows {
        /// Rows written (0 for DDL).
        affected_rows: u64,
        /// The server's `timing` in nanoseconds, when it sent one.
        timing: Option<u64>,
    },
    /// An error reply `{"code","desc"}` with a non-zero code.
    Error {
        /// The error code (masked to 16 bits).
        code: Code,
        /// The server's message, verbatim.
        desc: String,
        /// The server's `timing` in nanoseconds, when it sent one.
        timing: Option<u64>,
    },
}

/// A result set decoded from REST JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct RestResultSet {
    /// The columns from `column_meta` (declared widths; decimals with precision and scale).
    pub columns: Vec<Column>,
    /// The timestamp precision, inferred from the fraction digits of the first timestamp
    /// (3 ms, 6 µs, 9 ns); milliseconds when the result holds no timestamp.
    pub precision: Precision,
    /// The values, one `Vec` per row, converted by column type.
    pub rows: Vec<Vec<Value>>,
    /// The server's `timing` in nanoseconds, when it sent one.
    pub timing: Option<u64>,
}

/// The top-level keys of a `/rest/sql` body; cells stay raw until their type is known.
#[derive(Deserialize)]
struct Body<'a> {
    code: Option<i64>,
    desc: Option<String>,
    #[serde(borrow)]
    column_meta: Option<Vec<(String, &'a RawValue, Option<u64>)>>,
    #[serde(borrow)]
    data: Option<Vec<&'a RawValue>>,
    rows: Option<u64>,
    timing: Option<u64>,
    #[serde(borrow)]
    status: Option<&'a RawValue>,
}

/// A `row_with_meta` object: its values in key order (duplicate keys kept).
struct OrderedValues<'a>(Vec<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for OrderedValues<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = OrderedValues<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a row object")
            }
            fn visit_map<M: MapAccess<'de>>(
                self,
                mut map: M,
            ) -> std::result::Result<Self::Value, M::Error> {
                let mut values = Vec::new();
                while let Some((_, value)) = map.next_entry::<&'de str, &'de RawValue>()? {
                    values.push(value);
                }
                Ok(OrderedValues(values))
            }
        }
        deserializer.deserialize_map(V(std::marker::PhantomData))
    }
}

fn operational(message: String) -> Error {
    Error::new(ErrorKind::Operational, message)
}

fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body.get(..200).unwrap_or(body));
    format!("{:?}", text.trim())
}

/// Decodes a `/rest/sql` response body.
///
/// * `code` ≠ 0 → [`RestResponse::Error`].
/// * `column_meta` exactly `[["affected_rows","INT",4]]` with one integer row →
///   [`RestResponse::AffectedRows`]. REST has no other marker, so a query that returns one
///   INT column aliased `affected_rows` and one row reads the same way (as it does for the
///   Python connector).
/// * otherwise → [`RestResponse::ResultSet`]. Type names are read case-insensitively
///   (`BINARY` = VARCHAR, `DECIMAL(p,s)`, a bare type code such as `9` for TIMESTAMP);
///   rows may be arrays or `row_with_meta` objects.
///
/// A body that is not a JSON object or has no `code` (such as the bare string
/// `"memory exceeds threshold"`) is an [`ErrorKind::Operational`] error, as is a 2.x
/// `status` body. A well-formed reply whose contents do not fit (a value of the wrong type
/// for its column, a row of the wrong length) is an [`ErrorKind::Result`] error.
pub fn decode_response(body: &[u8]) -> Result<RestResponse> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        let what = match serde_json::from_slice::<String>(body) {
            Ok(s) => format!("the message {s:?}"),
            Err(_) => preview(body),
        };
        return Err(operational(format!(
            "REST server answered with {what} instead of a JSON object"
        )));
    }
    let parsed: Body<'_> = serde_json::from_slice(body).map_err(|e| {
        operational(format!(
            "REST response is not a taosAdapter reply ({e}): {}",
            preview(body)
        ))
        .with_source(e)
    })?;
    let Some(code) = parsed.code else {
        if let Some(status) = parsed.status {
            return Err(operational(format!(
                "REST server answered in the TDengine 2.x format (status {}); \
                 taosync needs a 3.x taosAdapter",
                status.get()
            )));
        }
        return Err(operational(format!(
            "REST response has no \"code\": {}",
            preview(body)
        )));
    };
    if code != 0 {
        return Ok(RestResponse::Error {
            code: Code::from_raw(code),
            desc: parsed.desc.unwrap_or_default(),
            timing: parsed.timing,
        });
    }
    let meta = parsed.column_meta.unwrap_or_default();
    let columns = meta
        .iter()
        .enumerate()
        .map(|(i, (name, ty, len))| parse_column(i, name, ty, *len))
        .collect::<Result<Vec<Column>>>()?;
    let data = parsed.data.unwrap_or_default();
    if let Some(n) = parsed.rows
        && usize::try_from(n).ok() != Some(data.len())
    {
        return Err(Error::result(format!(
            "REST response says {n} rows but holds {}",
            data.len()
        )));
    }
    let cells = data
        .iter()
        .enumerate()
        .map(|(r, raw)| row_cells(r, raw, columns.len()))
        .collect::<Result<Vec<Vec<&RawValue>>>>()?;
    if let ([only], [row]) = (columns.as_slice(), cells.as_slice())
        && let [cell] = row.as_slice()
        && *only == affected_rows_column()
        && let Ok(affected_rows) = serde_json::from_str::<u64>(cell.get())
    {
        return Ok(RestResponse::AffectedRows {
            affected_rows,
            timing: parsed.timing,
        });
    }
    let precision = infer_precision(&columns, &cells);
    let rows = cells
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let mut values = Vec::with_capacity(columns.len());
            for (c, (column, cell)) in columns.iter().zip(row).enumerate() {
                values.push(cell_value(column, cell, precision).map_err(|why| {
                    Error::result(format!(
                        "REST row {r} column {c} ({:?}, {}): {why}",
                        column.name,
                        column.type_name()
                    ))
                })?);
            }
            Ok(values)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RestResponse::ResultSet(RestResultSet {
        columns,
        precision,
        rows,
        timing: parsed.timing,
    }))
}

fn parse_column(i: usize, name: &str, ty: &RawValue, len: Option<u64>) -> Result<Column> {
    let bad = |why: String| Error::result(format!("REST column_meta[{i}] ({name:?}): {why}"));
    let ty_text = ty.get();
    let (ty, decimal) = if let Ok(code) = serde_json::from_str::<u8>(ty_text) {
        let ty = Type::from_code(code).ok_or_else(|| bad(format!("unknown type code {code}")))?;
        (ty, None)
    } else {
        let name: String = serde_json::from_str(ty_text)
            .map_err(|_| bad(format!("type {ty_text} is neither a name nor a code")))?;
        let ty: Type = name
            .parse()
            .map_err(|e: Error| bad(e.message().to_owned()))?;
        (
            ty,
            if ty.is_decimal() {
                decimal_args(&name)
            } else {
                None
            },
        )
    };
    let length = u32::try_from(len.unwrap_or(0)).map_err(|_| bad("length is too large".into()))?;
    let column = Column::new(name, ty, length);
    Ok(match decimal {
        Some((p, s)) => column.with_decimal(p, s),
        None => column,
    })
}

/// `(p, s)` of `DECIMAL(p,s)` / `DECIMAL(p, s)`; scale 0 when only `p` is given.
fn decimal_args(name: &str) -> Option<(u8, u8)> {
    let inner = name.split_once('(')?.1.split_once(')')?.0;
    let mut parts = inner.split(',').map(|p| p.trim().parse::<u8>());
    let p = parts.next()?.ok()?;
    let s = match parts.next() {
        Some(s) => s.ok()?,
        None => 0,
    };
    Some((p, s))
}

fn row_cells<'a>(r: usize, raw: &'a RawValue, cols: usize) -> Result<Vec<&'a RawValue>> {
    let text = raw.get();
    let cells = if text.starts_with('{') {
        serde_json::from_str::<OrderedValues<'a>>(text).map(|o| o.0)
    } else {
        serde_json::from_str::<Vec<&'a RawValue>>(text)
    }
    .map_err(|e| {
        Error::result(format!(
            "REST row {r} is neither an array nor an object: {e}"
        ))
    })?;
    if cells.len() != cols {
        return Err(Error::result(format!(
            "REST row {r} has {} values but column_meta has {cols} columns",
            cells.len()
        )));
    }
    Ok(cells)
}

/// The precision of the first timestamp string among the timestamp columns.
fn infer_precision(columns: &[Column], rows: &[Vec<&RawValue>]) -> Precision {
    let ts_columns: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.ty == Type::Timestamp)
        .map(|(i, _)| i)
        .collect();
    rows.iter()
        .flat_map(|row| ts_columns.iter().filter_map(|&c| row.get(c)))
        .find_map(|cell| serde_json::from_str::<String>(cell.get()).ok())
        .map_or(Precision::Millisecond, |s| precision_of(&s))
}

/// The precision whose digit count covers the fraction of an RFC 3339 string.
fn precision_of(text: &str) -> Precision {
    let digits = text.split_once('.').map_or(0, |(_, frac)| {
        frac.bytes().take_while(u8::is_ascii_digit).count()
    });
    Precision::from_fraction_digits(digits).unwrap_or(match digits {
        0..=3 => Precision::Millisecond,
        4..=6 => Precision::Microsecond,
        _ => Precision::Nanosecond,
    })
}

/// Converts one JSON cell to a value of `column`'s type; the error says why not.
fn cell_value(
    column: &Column,
    cell: &RawValue,
    precision: Precision,
) -> std::result::Result<Value, String> {
    let text = cell.get();
    if text == "null" {
        return Ok(Value::Null);
    }
    fn parse<'a, T: Deserialize<'a>>(text: &'a str, what: &str) -> std::result::Result<T, String> {
        serde_json::from_str(text).map_err(|_| format!("expected {what}, got {}", clip(text)))
    }
    fn int<T: TryFrom<i128>>(text: &str) -> std::result::Result<T, String> {
        let v: i128 = if text.starts_with('-') {
            i128::from(parse::<i64>(text, "an integer")?)
        } else {
            i128::from(parse::<u64>(text, "an integer")?)
        };
        T::try_from(v).map_err(|_| format!("{v} is out of range"))
    }
    fn number<T: std::str::FromStr>(text: &str) -> std::result::Result<T, String> {
        let is_json_number = text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
        text.parse()
            .ok()
            .filter(|_| is_json_number)
            .ok_or_else(|| format!("expected a number, got {}", clip(text)))
    }
    Ok(match column.ty {
        Type::Null => Value::Null,
        Type::Bool => Value::Bool(parse(text, "true or false")?),
        Type::TinyInt => Value::TinyInt(int(text)?),
        Type::SmallInt => Value::SmallInt(int(text)?),
        Type::Int => Value::Int(int(text)?),
        Type::BigInt => Value::BigInt(int(text)?),
        Type::UTinyInt => Value::UTinyInt(int(text)?),
        Type::USmallInt => Value::USmallInt(int(text)?),
        Type::UInt => Value::UInt(int(text)?),
        Type::UBigInt => Value::UBigInt(int(text)?),
        // std's parser rounds correctly; serde_json's default float parser can be off by
        // an ulp, which would break the round trip of DOUBLE values.
        Type::Float => Value::Float(number(text)?),
        Type::Double => Value::Double(number(text)?),
        Type::Timestamp => Value::Timestamp(if text.starts_with('"') {
            let s: String = parse(text, "an RFC 3339 string")?;
            let dt = chrono::DateTime::parse_from_rfc3339(&s)
                .map_err(|e| format!("{s:?} is not an RFC 3339 timestamp: {e}"))?;
            Timestamp::from_datetime(&dt, precision)
                .ok_or_else(|| format!("{s:?} is out of the timestamp range"))?
        } else {
            Timestamp::new(parse(text, "a timestamp")?, precision)
        }),
        Type::VarChar => Value::VarChar(parse(text, "a string")?),
        Type::NChar => Value::NChar(parse(text, "a string")?),
        Type::Json => Value::Json(text.to_owned()),
        Type::VarBinary | Type::Geometry | Type::Blob | Type::MediumBlob => {
            let s: String = parse(text, "a hex string")?;
            let bytes = from_hex(&s).ok_or_else(|| format!("{} is not hex", clip(&s)))?;
            match column.ty {
                Type::VarBinary => Value::VarBinary(bytes),
                Type::Geometry => Value::Geometry(bytes),
                _ => Value::Blob(bytes),
            }
        }
        Type::Decimal | Type::Decimal64 => {
            let s: String = if text.starts_with('"') {
                parse(text, "a decimal string")?
            } else {
                text.to_owned()
            };
            let d: Decimal = s
                .parse()
                .map_err(|_| format!("{} is not a decimal", clip(&s)))?;
            let precision = if column.precision == 0 {
                d.precision()
            } else {
                column.precision
            };
            Value::Decimal(
                d.rescale(precision, column.scale).ok_or_else(|| {
                    format!("{s} does not fit DECIMAL({precision},{})", column.scale)
                })?,
            )
        }
    })
}

fn clip(text: &str) -> String {
    let end = text.char_indices().nth(40).map_or(text.len(), |(i, _)| i);
    format!("{:?}", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: i64) -> Value {
        Value::Timestamp(Timestamp::new(v, Precision::Millisecond))
    }

    const EXAMPLE_A: &str = r#"{"code":0,"column_meta":[["ts","TIMESTAMP",8],["v","INT",4],["s","VARCHAR",10],["n","NCHAR",4]],"data":[["2023-11-14T22:13:20.000Z",42,"ab","中"],["2023-11-14T22:13:21.000Z",null,null,"ok"]],"rows":2}"#;

    fn example_columns() -> Vec<Column> {
        vec![
            Column::new("ts", Type::Timestamp, 8),
            Column::new("v", Type::Int, 4),
            Column::new("s", Type::VarChar, 10),
            Column::new("n", Type::NChar, 4),
        ]
    }

    fn example_rows() -> Vec<Vec<Value>> {
        vec![
            vec![
                ms(1_700_000_000_000),
                Value::Int(42),
                Value::VarChar("ab".into()),
                Value::NChar("中".into()),
            ],
            vec![
                ms(1_700_000_001_000),
                Value::Null,
                Value::Null,
                Value::NChar("ok".into()),
            ],
        ]
    }

    fn encode(format: RestFormat, timing: Option<u64>) -> String {
        let mut w = ResultSetWriter::new(example_columns(), Precision::Millisecond, format);
        let mut out = Vec::new();
        w.write_header(&mut out);
        for row in example_rows() {
            w.write_row(&mut out, &row).unwrap();
        }
        w.write_trailer(&mut out, timing);
        assert_eq!(w.rows(), 2);
        String::from_utf8(out).unwrap()
    }

    fn result_set(body: &str) -> RestResultSet {
        match decode_response(body.as_bytes()).unwrap() {
            RestResponse::ResultSet(set) => set,
            other => panic!("not a result set: {other:?}"),
        }
    }

    #[test]
    fn example_a_encodes_byte_for_byte_and_decodes() {
        assert_eq!(encode(RestFormat::default(), None), EXAMPLE_A);
        let set = result_set(EXAMPLE_A);
        assert_eq!(set.columns, example_columns());
        assert_eq!(set.precision, Precision::Millisecond);
        assert_eq!(set.rows, example_rows());
        assert_eq!(set.timing, None);
    }

    #[test]
    fn example_a_variants() {
        let shanghai = RestFormat {
            tz: Zone::from_name("Asia/Shanghai").unwrap(),
            row_with_meta: false,
        };
        let body = encode(shanghai, None);
        assert!(
            body.contains(r#""data":[["2023-11-15T06:13:20.000+08:00",42"#),
            "{body}"
        );
        assert_eq!(result_set(&body).rows, example_rows());

        let meta = RestFormat {
            row_with_meta: true,
            ..RestFormat::default()
        };
        let body = encode(meta, None);
        let data = r#""data":[{"ts":"2023-11-14T22:13:20.000Z","v":42,"s":"ab","n":"中"},{"ts":"2023-11-14T22:13:21.000Z","v":null,"s":null,"n":"ok"}]"#;
        assert!(body.contains(data), "{body}");
        assert_eq!(result_set(&body).rows, example_rows());

        let body = encode(RestFormat::default(), Some(1_234_567));
        assert!(body.ends_with(r#","rows":2,"timing":1234567}"#), "{body}");
        assert_eq!(result_set(&body).timing, Some(1_234_567));
    }

    #[test]
    fn affected_rows_bodies() {
        let mut out = Vec::new();
        write_affected_rows(&mut out, 1, &RestFormat::default(), None);
        let body = r#"{"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[1]],"rows":1}"#;
        assert_eq!(String::from_utf8(out).unwrap(), body);
        assert_eq!(
            decode_response(body.as_bytes()).unwrap(),
            RestResponse::AffectedRows {
                affected_rows: 1,
                timing: None
            }
        );
        let mut out = Vec::new();
        let meta = RestFormat {
            row_with_meta: true,
            ..RestFormat::default()
        };
        write_affected_rows(&mut out, 0, &meta, Some(9));
        let body = String::from_utf8(out).unwrap();
        assert_eq!(
            body,
            r#"{"code":0,"column_meta":[["affected_rows","INT",4]],"data":[{"affected_rows":0}],"rows":1,"timing":9}"#
        );
        assert_eq!(
            decode_response(body.as_bytes()).unwrap(),
            RestResponse::AffectedRows {
                affected_rows: 0,
                timing: Some(9)
            }
        );
        // A BIGINT column of that name is a result set.
        let body =
            r#"{"code":0,"column_meta":[["affected_rows","BIGINT",8]],"data":[[3]],"rows":1}"#;
        assert!(matches!(
            decode_response(body.as_bytes()).unwrap(),
            RestResponse::ResultSet(_)
        ));
    }

    #[test]
    fn error_bodies() {
        let mut out = Vec::new();
        write_error(
            &mut out,
            Code::from_raw(0x2600),
            "syntax error near \"wrong sql\"",
            Some(5),
        );
        let body = String::from_utf8(out).unwrap();
        assert_eq!(
            body,
            r#"{"code":9728,"desc":"syntax error near \"wrong sql\"","timing":5}"#
        );
        assert_eq!(
            decode_response(body.as_bytes()).unwrap(),
            RestResponse::Error {
                code: Code::from_raw(9728),
                desc: "syntax error near \"wrong sql\"".into(),
                timing: Some(5)
            }
        );
        let mut out = Vec::new();
        write_error(
            &mut out,
            Code::new(0xffff),
            "a<b>&c\u{8}\u{c}\u{1}\u{2028}é",
            None,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"code":65535,"desc":"a\u003cb\u003e\u0026c\b\f\u0001\u2028é"}"#
        );
        let e = decode_response(br#"{"code":4357,"desc":"no auth info input"}"#).unwrap();
        assert!(matches!(e, RestResponse::Error { code, .. } if code.value() == 0x1105));
    }

    #[test]
    fn non_object_bodies_are_operational_errors() {
        for body in [
            &br#""memory exceeds threshold""#[..],
            b"",
            b"   ",
            b"<html>502</html>",
            b"[1,2]",
            b"{\"code\":",
            br#"{"desc":"x"}"#,
            br#"{"code":"0"}"#,
        ] {
            let e = decode_response(body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Operational, "{body:?}: {e}");
        }
        let e = decode_response(br#""memory exceeds threshold""#).unwrap_err();
        assert!(e.message().contains("memory exceeds threshold"), "{e}");
        let e = decode_response(br#"{"status":"error","code":null,"desc":"x"}"#).unwrap_err();
        assert!(e.message().contains("2.x"), "{e}");
        let e = decode_response(br#"{"status":"succ","head":["a"],"data":[[1]],"rows":1}"#)
            .unwrap_err();
        assert!(e.message().contains("2.x"), "{e}");
    }

    #[test]
    fn hostile_result_sets_are_result_errors() {
        for body in [
            r#"{"code":0,"column_meta":[["v","INT",4]],"data":[[1,2]],"rows":1}"#,
            r#"{"code":0,"column_meta":[["v","INT",4]],"data":[["x"]],"rows":1}"#,
            r#"{"code":0,"column_meta":[["v","INT",4]],"data":[[3000000000]],"rows":1}"#,
            r#"{"code":0,"column_meta":[["v","TINYINT",1]],"data":[[1.5]],"rows":1}"#,
            r#"{"code":0,"column_meta":[["v","INT",4]],"data":[[1]],"rows":7}"#,
            r#"{"code":0,"column_meta":[["v","WHAT",4]],"data":[],"rows":0}"#,
            r#"{"code":0,"column_meta":[["v",99,4]],"data":[],"rows":0}"#,
            r#"{"code":0,"column_meta":[["v","TIMESTAMP",8]],"data":[["yesterday"]],"rows":1}"#,
            r#"{"code":0,"column_meta":[["v","VARBINARY",8]],"data":[["abc"]],"rows":1}"#,
            r#"{"code":0,"column_meta":[["v","DECIMAL(5,2)",8]],"data":[["12345.6"]],"rows":1}"#,
            r#"{"code":0,"column_meta":[["v","INT",4]],"data":[7],"rows":1}"#,
        ] {
            let e = decode_response(body.as_bytes()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Result, "{body}: {e}");
        }
    }

    #[test]
    fn every_type_round_trips_through_json() {
        let columns = vec![
            Column::new("ts", Type::Timestamp, 8),
            Column::new("b", Type::Bool, 1),
            Column::new("ti", Type::TinyInt, 1),
            Column::new("si", Type::SmallInt, 2),
            Column::new("i", Type::Int, 4),
            Column::new("bi", Type::BigInt, 8),
            Column::new("uti", Type::UTinyInt, 1),
            Column::new("usi", Type::USmallInt, 2),
            Column::new("ui", Type::UInt, 4),
            Column::new("ubi", Type::UBigInt, 8),
            Column::new("f", Type::Float, 4),
            Column::new("d", Type::Double, 8),
            Column::new("vc", Type::VarChar, 20),
            Column::new("nc", Type::NChar, 20),
            Column::new("vb", Type::VarBinary, 20),
            Column::new("g", Type::Geometry, 100),
            Column::new("bl", Type::Blob, 4_194_304),
            Column::new("dec", Type::Decimal, 16).with_decimal(20, 4),
            Column::new("d64", Type::Decimal64, 8).with_decimal(5, 2),
            Column::new("j", Type::Json, 4095),
        ];
        let row = vec![
            Value::Timestamp(Timestamp::new(-1, Precision::Nanosecond)),
            Value::Bool(true),
            Value::TinyInt(i8::MIN),
            Value::SmallInt(i16::MAX),
            Value::Int(i32::MIN),
            Value::BigInt(i64::MIN),
            Value::UTinyInt(u8::MAX),
            Value::USmallInt(u16::MAX),
            Value::UInt(u32::MAX),
            Value::UBigInt(u64::MAX),
            Value::Float(1e-7),
            Value::Double(1.5e300),
            Value::VarChar("q\"\\\n\u{1}é".into()),
            Value::NChar("中文".into()),
            Value::VarBinary(vec![0, 0xab]),
            Value::Geometry(vec![1, 1, 0]),
            Value::Blob(vec![]),
            Value::Decimal(Decimal::new(44_674_407_370_955_161_230, 20, 4)),
            Value::Decimal(Decimal::new(-5, 5, 2)),
            Value::Json(r#"{"b":1,"a":[true]}"#.into()),
        ];
        let mut w = ResultSetWriter::new(
            columns.clone(),
            Precision::Nanosecond,
            RestFormat::default(),
        );
        let mut out = Vec::new();
        w.write_header(&mut out);
        w.write_row(&mut out, &row).unwrap();
        w.write_row(&mut out, &vec![Value::Null; columns.len()])
            .unwrap();
        w.write_trailer(&mut out, None);
        let body = String::from_utf8(out).unwrap();
        for part in [
            r#"["dec","DECIMAL(20,4)",16],["d64","DECIMAL(5,2)",8]"#,
            r#"[["1969-12-31T23:59:59.999999999Z",true,-128,32767,-2147483648"#,
            r#",18446744073709551615,1e-07,1.5e+300,"q\"\\\n\u0001é","中文","00ab","010100","","4467440737095516.1230","-0.05",{"b":1,"a":[true]}]"#,
        ] {
            assert!(body.contains(part), "{part} not in {body}");
        }
        let set = result_set(&body);
        assert_eq!(set.columns, columns);
        assert_eq!(set.precision, Precision::Nanosecond);
        assert_eq!(set.rows[0], row);
        assert!(set.rows[1].iter().all(Value::is_null));
        assert!(w.write_row(&mut Vec::new(), &[Value::Null]).is_err());
    }

    #[test]
    fn floats_are_written_as_go_writes_them() {
        let cases64: [(f64, &str); 10] = [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.1, "0.1"),
            (1e-6, "0.000001"),
            (1e-7, "1e-07"),
            (-2.5e-10, "-2.5e-10"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ];
        for (v, want) in cases64 {
            let mut out = Vec::new();
            write_f64(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{v}");
        }
        for (v, want) in [
            (10.0f32, "10"),
            (3.1f32, "3.1"),
            (1e-7f32, "1e-07"),
            (3.4e38f32, "3.4e+38"),
        ] {
            let mut out = Vec::new();
            write_f32(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{v}");
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut out = Vec::new();
            write_f64(&mut out, v);
            assert_eq!(out, b"null");
        }
        let mut out = Vec::new();
        write_f32(&mut out, f32::NAN);
        assert_eq!(out, b"null");
    }

    #[test]
    fn client_accepts_variant_spellings() {
        let body = r#"{"code":0,"column_meta":[["ts",9,8],["s","binary",10],["x","Varchar",3],["d","DECIMAL(10, 2)",8]],"data":[["2023-11-15T06:13:20.123456+08:00","a","b","1.5"],[1700000000000000,null,null,null]],"rows":2,"timing":3}"#;
        let set = result_set(body);
        assert_eq!(set.precision, Precision::Microsecond);
        assert_eq!(set.columns[0].ty, Type::Timestamp);
        assert_eq!(set.columns[1].ty, Type::VarChar);
        assert_eq!(set.columns[2].ty, Type::VarChar);
        assert_eq!(
            (
                set.columns[3].ty,
                set.columns[3].precision,
                set.columns[3].scale
            ),
            (Type::Decimal64, 10, 2)
        );
        assert_eq!(
            set.rows[0][0],
            Value::Timestamp(Timestamp::new(
                1_700_000_000_123_456,
                Precision::Microsecond
            ))
        );
        assert_eq!(set.rows[0][3], Value::Decimal(Decimal::new(150, 10, 2)));
        assert_eq!(
            set.rows[1][0],
            Value::Timestamp(Timestamp::new(
                1_700_000_000_000_000,
                Precision::Microsecond
            ))
        );
        assert_eq!(set.timing, Some(3));
        let empty =
            result_set(r#"{"code":0,"column_meta":[["ts","TIMESTAMP",8]],"data":[],"rows":0}"#);
        assert!(empty.rows.is_empty());
        assert_eq!(empty.precision, Precision::Millisecond);
    }

    /// taosAdapter `TestJsonWriteRawBlock` values (01 §3.7's server vector) as REST writes
    /// them at ms, µs and ns precision.
    #[test]
    fn adapter_block_vector_renders_like_rest() {
        let columns = vec![
            Column::new("ts", Type::Timestamp, 8),
            Column::new("b", Type::Bool, 1),
            Column::new("vb", Type::VarBinary, 30),
            Column::new("g", Type::Geometry, 30),
            Column::new("j", Type::Json, 4095),
        ];
        let point = from_hex("010100000000000000000059400000000000005940").unwrap();
        for (precision, raw, text) in [
            (
                Precision::Millisecond,
                1_660_114_960_500,
                "2022-08-10T07:02:40.500Z",
            ),
            (
                Precision::Microsecond,
                1_660_114_960_500_000,
                "2022-08-10T07:02:40.500000Z",
            ),
            (
                Precision::Nanosecond,
                1_660_114_960_500_000_000,
                "2022-08-10T07:02:40.500000000Z",
            ),
        ] {
            let row = vec![
                Value::Timestamp(Timestamp::new(raw, precision)),
                Value::Bool(true),
                Value::VarBinary(b"test_varbinary".to_vec()),
                Value::Geometry(point.clone()),
                Value::Json(r#"{"a":1}"#.into()),
            ];
            let mut w = ResultSetWriter::new(columns.clone(), precision, RestFormat::default());
            let mut out = Vec::new();
            w.write_header(&mut out);
            w.write_row(&mut out, &row).unwrap();
            w.write_trailer(&mut out, None);
            let body = String::from_utf8(out).unwrap();
            let want = format!(
                r#""data":[["{text}",true,"746573745f76617262696e617279","010100000000000000000059400000000000005940",{{"a":1}}]]"#
            );
            assert!(body.contains(&want), "{body}");
            let set = result_set(&body);
            assert_eq!(set.precision, precision);
            assert_eq!(set.rows[0], row);
        }
    }

    fn round_trip_columns() -> Vec<Column> {
        vec![
            Column::new("ts", Type::Timestamp, 8),
            Column::new("i", Type::BigInt, 8),
            Column::new("u", Type::UBigInt, 8),
            Column::new("f", Type::Float, 4),
            Column::new("d", Type::Double, 8),
            Column::new("s", Type::VarChar, 64),
            Column::new("n", Type::NChar, 64),
            Column::new("b", Type::VarBinary, 64),
            Column::new("dec", Type::Decimal, 16).with_decimal(38, 6),
        ]
    }

    fn row_strategy() -> impl proptest::strategy::Strategy<Value = Vec<Value>> {
        use proptest::prelude::*;
        fn nullable(s: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
            prop_oneof![1 => Just(Value::Null), 4 => s].boxed()
        }
        // Nanoseconds within chrono's range: every i64 nanosecond count is.
        vec![
            nullable(
                any::<i64>()
                    .prop_map(|v| Value::Timestamp(Timestamp::new(v, Precision::Nanosecond))),
            ),
            nullable(any::<i64>().prop_map(Value::BigInt)),
            nullable(any::<u64>().prop_map(Value::UBigInt)),
            nullable(proptest::num::f32::NORMAL.prop_map(Value::Float)),
            nullable(proptest::num::f64::NORMAL.prop_map(Value::Double)),
            nullable("\\PC{0,10}".prop_map(Value::VarChar)),
            nullable("[\\x00-\\x7f]{0,10}".prop_map(Value::NChar)),
            nullable(proptest::collection::vec(any::<u8>(), 0..10).prop_map(Value::VarBinary)),
            nullable(
                (-(10i128.pow(38) - 1)..10i128.pow(38))
                    .prop_map(|u| Value::Decimal(Decimal::new(u, 38, 6))),
            ),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 5_000,
            failure_persistence: None,
            ..Default::default()
        })]

        #[test]
        fn hostile_json_never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120)) {
            let _ = decode_response(&body);
        }

        #[test]
        fn mutated_bodies_never_panic(at in proptest::prelude::any::<proptest::sample::Index>(), byte in 0x20u8..0x7f) {
            let mut body = EXAMPLE_A.as_bytes().to_vec();
            let i = at.index(body.len());
            body[i] = byte;
            let _ = decode_response(&body);
            body.truncate(i);
            let _ = decode_response(&body);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 1_000,
            failure_persistence: None,
            ..Default::default()
        })]

        #[test]
        fn strings_escape_to_what_serde_reads_back(s in "\\PC*|[\\x00-\\x1f\"\\\\<>&\u{2028}]{0,8}") {
            for mode in [Escape::Stream, Escape::GoJson] {
                let mut out = Vec::new();
                write_str(&mut out, &s, mode);
                let back: String = serde_json::from_slice(&out).unwrap();
                proptest::prop_assert_eq!(&back, &s);
            }
        }

        #[test]
        fn values_round_trip_through_json(
            rows in proptest::collection::vec(row_strategy(), 0..6),
            row_with_meta in proptest::prelude::any::<bool>(),
        ) {
            let format = RestFormat { row_with_meta, ..RestFormat::default() };
            let mut w = ResultSetWriter::new(round_trip_columns(), Precision::Nanosecond, format);
            let mut out = Vec::new();
            w.write_header(&mut out);
            for row in &rows {
                w.write_row(&mut out, row).unwrap();
            }
            w.write_trailer(&mut out, None);
            let RestResponse::ResultSet(set) = decode_response(&out).unwrap() else {
                panic!("not a result set");
            };
            proptest::prop_assert_eq!(set.rows, rows);
        }
    }
}
