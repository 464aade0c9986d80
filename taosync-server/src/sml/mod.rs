//! Schemaless ingestion: parsing the three schemaless formats exactly as TDengine's client
//! library does, and planning the tables, columns and rows they turn into.
//!
//! This layer is pure and sans-IO. The network layer hands it a payload (from the WebSocket
//! `insert` action, `POST /influxdb/v1/write` or the OpenTSDB endpoints); [`parse`] returns an
//! [`SmlBatch`] of points or an [`SmlError`] naming the bad line; [`plan`] compares the batch
//! with the database's current schema (through the [`SchemaLookup`] trait the engine
//! implements) and returns an [`SmlPlan`] the engine applies atomically. For example, the
//! line `meters,location=LA current=10.3,note="ok" 1626006833639` planned against an empty
//! database creates supertable `meters` with `_ts` first and `note` as a `VARCHAR(4)`
//! (the unit test `tests::parse_then_plan_an_empty_database` runs exactly this).
//!
//! Sources (restated, no code copied): TDengine `source/client/src/clientSml.c`,
//! `clientSmlLine.c`, `clientSmlTelnet.c`, `clientSmlJson.c`, `source/common/src/tname.c`
//! (`buildChildTableName`), `source/common/src/tglobal.c` (schemaless defaults),
//! `include/util/taoserror.h`; taosAdapter `controller/ws/ws/schemaless.go`; the project
//! notes `02-stmt-schemaless-tmq.md` §2.
//!
//! Deliberate differences from TDengine, all on the lenient side:
//! * blank (whitespace-only) lines of the line and telnet formats are skipped instead of
//!   failing with "measure is empty";
//! * a trailing `\r` on a line is dropped (CRLF payloads);
//! * a batch is parsed completely before anything is planned, so a bad line fails the whole
//!   batch (TDengine may have written earlier lines; the notes §2.5 allow either).

mod json;
mod line;
mod naming;
mod plan;
mod telnet;
mod value;

use std::fmt;

use taosync_proto::code::Code;
use taosync_proto::error::{Error, ErrorKind};
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

pub use naming::dot_to_underline;
pub use plan::{
    ExistingTable, SchemaChange, SchemaLookup, SmlPlan, StablePlan, StableSchema, plan,
};
pub use telnet::telnet_http_payload;

/// The name of the timestamp column of every supertable schemaless creates
/// (`smlTsDefaultName`, default `_ts`, `tglobal.c`).
pub const TS_COLUMN: &str = "_ts";
/// The name of the value column of telnet and JSON points (`VALUE` in `clientSml.h`).
pub const VALUE_COLUMN: &str = "_value";
/// The placeholder tag of a supertable created from points without tags
/// (`smlTagName`, default `_tag_null`, NCHAR(1)).
pub const NULL_TAG: &str = "_tag_null";

/// Longest supertable or child-table name (`TSDB_TABLE_NAME_LEN - 1`).
pub const MAX_TABLE_NAME_LEN: usize = 192;
/// Longest column or tag name (`TSDB_COL_NAME_LEN - 1`).
pub const MAX_COLUMN_NAME_LEN: usize = 64;
/// Longest VARCHAR / VARBINARY content (`TSDB_MAX_BINARY_LEN - VARSTR_HEADER_SIZE`).
pub const MAX_BINARY_LEN: usize = 65_517;
/// Longest NCHAR content in characters (`(TSDB_MAX_NCHAR_LEN - VARSTR_HEADER_SIZE) / 4`).
pub const MAX_NCHAR_LEN: usize = 16_379;

/// Error codes schemaless parsing reports besides the `SML_*` ones in [`Code`]
/// (values from TDengine `include/util/taoserror.h`).
pub mod codes {
    use taosync_proto::code::Code;

    /// `TSDB_CODE_DUP_KEY`: a key appears twice in one record.
    pub const DUP_KEY: Code = Code::new(0x0124);
    /// `TSDB_CODE_INVALID_TIMESTAMP`: a timestamp that cannot be parsed or is not positive.
    pub const INVALID_TIMESTAMP: Code = Code::new(0x0127);
    /// `TSDB_CODE_TSC_INVALID_VALUE`: a field value of no known form.
    pub const TSC_INVALID_VALUE: Code = Code::new(0x0203);
    /// `TSDB_CODE_TSC_INVALID_TABLE_ID_LENGTH`: empty or over-long measurement / metric.
    pub const TSC_INVALID_TABLE_ID_LENGTH: Code = Code::new(0x020A);
    /// `TSDB_CODE_TSC_INVALID_COLUMN_LENGTH`: empty or over-long tag / field key.
    pub const TSC_INVALID_COLUMN_LENGTH: Code = Code::new(0x021F);
    /// `TSDB_CODE_TSC_INVALID_JSON`: malformed OpenTSDB JSON.
    pub const TSC_INVALID_JSON: Code = Code::new(0x0221);
    /// `TSDB_CODE_TSC_INVALID_JSON_TYPE`: an unknown `type` in a typed JSON value.
    pub const TSC_INVALID_JSON_TYPE: Code = Code::new(0x0222);
    /// `TSDB_CODE_TSC_VALUE_OUT_OF_RANGE`: a typed JSON value out of its type's range.
    pub const TSC_VALUE_OUT_OF_RANGE: Code = Code::TSC_VALUE_OUT_OF_RANGE;
    /// `TSDB_CODE_PAR_INVALID_VAR_COLUMN_LEN`: a string longer than its type allows.
    pub const PAR_INVALID_VAR_COLUMN_LEN: Code = Code::PAR_INVALID_VAR_COLUMN_LEN;
    /// `TSDB_CODE_PAR_DUPLICATED_COLUMN`: a tag and a column share a name.
    pub const PAR_DUPLICATED_COLUMN: Code = Code::PAR_DUPLICATED_COLUMN;
    /// `TSDB_CODE_PAR_INVALID_TAGS_NUM`: more than 128 tags.
    pub const PAR_INVALID_TAGS_NUM: Code = Code::PAR_INVALID_TAGS_NUM;
    /// `TSDB_CODE_PAR_TOO_MANY_COLUMNS`: more than 4096 columns and tags.
    pub const PAR_TOO_MANY_COLUMNS: Code = Code::new(0x2640);
    /// `TSDB_CODE_PAR_INVALID_TAGS_LENGTH`: the tags of a supertable exceed 16384 bytes.
    pub const PAR_INVALID_TAGS_LENGTH: Code = Code::PAR_INVALID_TAGS_LENGTH;
    /// `TSDB_CODE_PAR_INVALID_ROW_LENGTH`: the columns of a supertable exceed 65531 bytes.
    pub const PAR_INVALID_ROW_LENGTH: Code = Code::PAR_INVALID_ROW_LENGTH;
}

/// The schemaless format of a payload, with TDengine's `TSDB_SML_PROTOCOL_TYPE` value as
/// discriminant (the `protocol` argument of the WebSocket `insert` action).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SmlProtocol {
    /// InfluxDB line protocol (1).
    Line = 1,
    /// OpenTSDB telnet lines (2).
    Telnet = 2,
    /// OpenTSDB JSON (3).
    Json = 3,
}

impl SmlProtocol {
    /// The protocol with wire value `code` (1, 2 or 3); `None` for anything else, which the
    /// adapter rejects with `"schemaless write protocol is null"` (0) or TDengine with
    /// `SML_INVALID_PROTOCOL_TYPE`.
    pub fn from_code(code: i64) -> Option<SmlProtocol> {
        match code {
            1 => Some(SmlProtocol::Line),
            2 => Some(SmlProtocol::Telnet),
            3 => Some(SmlProtocol::Json),
            _ => None,
        }
    }

    /// The wire value.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The unit of line-protocol timestamps, with TDengine's `TSDB_SML_TIMESTAMP_TYPE` value as
/// discriminant. Telnet and JSON ignore it (they infer the unit from the value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SmlPrecision {
    /// Not configured (0): line-protocol timestamps are nanoseconds.
    #[default]
    NotConfigured = 0,
    /// Hours (1).
    Hour = 1,
    /// Minutes (2).
    Minute = 2,
    /// Seconds (3).
    Second = 3,
    /// Milliseconds (4).
    Millisecond = 4,
    /// Microseconds (5).
    Microsecond = 5,
    /// Nanoseconds (6).
    Nanosecond = 6,
}

impl SmlPrecision {
    /// The precision a request spells `text`: `""` (not configured), `h`, `m`, `s`, `ms`,
    /// `u` or `μ`/`µ`, `ns`. Anything else is "not configured", as taosAdapter maps it
    /// (`controller/ws/ws/schemaless.go`; notes §2.1). The InfluxDB endpoint defaults a
    /// missing `precision` to `ns` before calling this.
    pub fn from_wire(text: &str) -> SmlPrecision {
        match text {
            "h" => SmlPrecision::Hour,
            "m" => SmlPrecision::Minute,
            "s" => SmlPrecision::Second,
            "ms" => SmlPrecision::Millisecond,
            "u" | "μ" | "µ" => SmlPrecision::Microsecond,
            "ns" => SmlPrecision::Nanosecond,
            _ => SmlPrecision::NotConfigured,
        }
    }

    /// The precision with `TSDB_SML_TIMESTAMP_TYPE` value `code` (0–6).
    #[cfg(test)]
    pub fn from_code(code: u8) -> Option<SmlPrecision> {
        Some(match code {
            0 => SmlPrecision::NotConfigured,
            1 => SmlPrecision::Hour,
            2 => SmlPrecision::Minute,
            3 => SmlPrecision::Second,
            4 => SmlPrecision::Millisecond,
            5 => SmlPrecision::Microsecond,
            6 => SmlPrecision::Nanosecond,
            _ => return None,
        })
    }

    /// The `TSDB_SML_TIMESTAMP_TYPE` value.
    #[cfg(test)]
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Per-request naming options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmlOptions {
    /// `table_name_key` of the request (or the client option `smlChildTableName`, empty by
    /// default): the tag with exactly this key names the child table (dots replaced by
    /// underscores, cut to 192 bytes) and is removed from the child's tags.
    pub table_name_key: Option<String>,
}

/// A schemaless failure: TDengine's error code and a message that names the bad record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmlError {
    code: Code,
    message: String,
    line: Option<usize>,
}

impl SmlError {
    /// An error with `code` and `message`, not tied to one record.
    pub fn new(code: Code, message: impl Into<String>) -> SmlError {
        SmlError {
            code,
            message: message.into(),
            line: None,
        }
    }

    /// TDengine's error code (16 bits), as the adapter reports it.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message, naming the record and what is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line (line and telnet formats) or data point (JSON) that failed.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// Ties the error to record `line` whose text is `text`.
    pub(crate) fn at_line(mut self, line: usize, text: &str) -> SmlError {
        self.line = Some(line);
        self.message = format!("line {line}: {}: {}", self.message, excerpt(text));
        self
    }

    /// Ties the error to data point `index` (1-based) of a JSON payload.
    pub(crate) fn at_point(mut self, index: usize) -> SmlError {
        self.line = Some(index);
        self.message = format!("data point {index}: {}", self.message);
        self
    }
}

impl fmt::Display for SmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

impl std::error::Error for SmlError {}

impl From<SmlError> for Error {
    fn from(e: SmlError) -> Error {
        Error::new(ErrorKind::Schemaless, e.message).with_code(e.code)
    }
}

/// At most 200 bytes of `text` (on a character boundary), for error messages.
fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// A named value: a tag or a data column of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct SmlField {
    /// The key, unescaped.
    pub name: String,
    /// The typed value (tags of the line and telnet formats are always [`Value::NChar`]).
    pub value: Value,
}

impl SmlField {
    /// A field `name` = `value`.
    pub fn new(name: impl Into<String>, value: Value) -> SmlField {
        SmlField {
            name: name.into(),
            value,
        }
    }
}

/// The length TDengine sizes a column by: bytes of the text (UTF-8) for VARCHAR and NCHAR,
/// bytes for VARBINARY and GEOMETRY, the fixed width otherwise.
pub(crate) fn value_width(value: &Value) -> usize {
    match value {
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => s.len(),
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => b.len(),
        other => other.ty().fixed_size().unwrap_or(0),
    }
}

/// One parsed record: a row of one child table of one supertable.
#[derive(Clone, Debug, PartialEq)]
pub struct SmlPoint {
    /// The 1-based line (line, telnet) or data point (JSON) it came from.
    pub line: usize,
    /// The supertable name: the measurement / metric unescaped, dots replaced by underscores.
    pub stable: String,
    /// The child table name (MD5 rule or `table_name_key`).
    pub child: String,
    /// The tags in the order written (the `table_name_key` tag removed).
    pub tags: Vec<SmlField>,
    /// The data columns in the order written, without the timestamp.
    pub columns: Vec<SmlField>,
    /// The timestamp, in the database's precision.
    pub ts: Timestamp,
}

/// The result of [`parse`]: every record of a payload.
#[derive(Clone, Debug, PartialEq)]
pub struct SmlBatch {
    /// The records, in payload order.
    pub points: Vec<SmlPoint>,
    /// The records parsed (the adapter's `total_rows`).
    pub total_rows: usize,
    /// The database precision every timestamp was converted to.
    pub precision: Precision,
}

/// Parses `payload` in `protocol` with default [`SmlOptions`]. See [`parse_with`].
#[cfg(test)]
pub fn parse(
    protocol: SmlProtocol,
    precision: SmlPrecision,
    payload: &str,
    db_precision: Precision,
    now: Timestamp,
) -> Result<SmlBatch, SmlError> {
    parse_with(
        protocol,
        precision,
        payload,
        db_precision,
        now,
        &SmlOptions::default(),
    )
}

/// Parses `payload` in `protocol` into points whose timestamps are in `db_precision`.
///
/// `precision` is the unit of line-protocol timestamps; `now` (any precision) replaces a
/// missing or zero timestamp. Lines are separated by `\n`; in the line format a line whose
/// first byte is `#` is a comment. Any bad record fails the whole batch with an error that
/// names it; a column whose type differs between records of one supertable fails with
/// `SML_NOT_SAME_TYPE`.
pub fn parse_with(
    protocol: SmlProtocol,
    precision: SmlPrecision,
    payload: &str,
    db_precision: Precision,
    now: Timestamp,
    options: &SmlOptions,
) -> Result<SmlBatch, SmlError> {
    let ctx = Context {
        precision,
        db_precision,
        now: now.to_precision(db_precision),
        options,
    };
    let points = match protocol {
        SmlProtocol::Line | SmlProtocol::Telnet => {
            let mut points = Vec::new();
            for (index, raw) in payload.split('\n').enumerate() {
                let text = raw.strip_suffix('\r').unwrap_or(raw);
                let number = index + 1;
                if text.trim().is_empty()
                    || (protocol == SmlProtocol::Line && text.starts_with('#'))
                {
                    continue;
                }
                let point = match protocol {
                    SmlProtocol::Line => line::parse_line(text, number, &ctx),
                    _ => telnet::parse_telnet(text, number, &ctx),
                }
                .map_err(|e| e.at_line(number, text))?;
                points.push(point);
            }
            points
        }
        SmlProtocol::Json => json::parse_json(payload, &ctx)?,
    };
    check_same_types(&points)?;
    Ok(SmlBatch {
        total_rows: points.len(),
        points,
        precision: db_precision,
    })
}

/// What every record parser needs.
pub(crate) struct Context<'a> {
    pub(crate) precision: SmlPrecision,
    pub(crate) db_precision: Precision,
    /// The current time in `db_precision`.
    pub(crate) now: Timestamp,
    pub(crate) options: &'a SmlOptions,
}

/// TDengine's `smlUpdateMeta`: within one batch a data column keeps the type it was first
/// seen with (`SML_NOT_SAME_TYPE`). Tags are checked too (the line and telnet formats only
/// produce NCHAR tags, so this only bites JSON).
fn check_same_types(points: &[SmlPoint]) -> Result<(), SmlError> {
    use std::collections::HashMap;
    let mut seen: HashMap<(&str, bool, &str), Type> = HashMap::new();
    for point in points {
        for (is_tag, fields) in [(false, &point.columns), (true, &point.tags)] {
            for field in fields {
                let ty = field.value.ty();
                let first = *seen
                    .entry((point.stable.as_str(), is_tag, field.name.as_str()))
                    .or_insert(ty);
                if first != ty {
                    let what = if is_tag { "tag" } else { "column" };
                    return Err(SmlError {
                        code: Code::SML_NOT_SAME_TYPE,
                        message: format!(
                            "line {}: the type is not the same like before: {what} {:?} of {:?} is {} here but {} earlier in the batch",
                            point.line, field.name, point.stable, ty, first
                        ),
                        line: Some(point.line),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Builds the point shared by every format: applies the naming rules to `measurement` (the
/// raw text as written, escapes included, which TDengine hashes) and checks duplicate keys.
pub(crate) fn finish_point(
    line: usize,
    raw_measurement: &str,
    measurement: &str,
    mut tags: Vec<SmlField>,
    columns: Vec<SmlField>,
    ts: Timestamp,
    ctx: &Context<'_>,
) -> Result<SmlPoint, SmlError> {
    check_duplicates(&tags, "tag")?;
    check_duplicates(&columns, "field")?;
    let stable = dot_to_underline(measurement);
    let child = naming::child_table_name(raw_measurement, &mut tags, ctx.options);
    Ok(SmlPoint {
        line,
        stable,
        child,
        tags,
        columns,
        ts,
    })
}

fn check_duplicates(fields: &[SmlField], what: &str) -> Result<(), SmlError> {
    let mut seen = std::collections::HashSet::with_capacity(fields.len());
    for field in fields {
        if !seen.insert(field.name.as_str()) {
            return Err(SmlError::new(
                codes::DUP_KEY,
                format!("duplicate {what} key {:?}", field.name),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
