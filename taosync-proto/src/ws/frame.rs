//! Binary request frames of `/ws` (01 §2.5, 02 §0.3): the 24-byte header and the payloads of
//! actions 6 (binary query), 7 (fetch raw block) and 10 (validate SQL). The stmt payloads of
//! actions 1, 2 and 9 are in [`proto::stmt`](crate::stmt), framed by the same header.
//!
//! Encoders serve the client; decoders serve the server and report failures as the JSON
//! [`RequestError`] taosAdapter sends back, with its exact message.

use super::envelope::RequestError;
use crate::bytes::{Reader, Writer, len_u32};
use crate::error::Result;

/// Length of the common header: `req_id`, resource id, action, each a `u64`.
pub const HEADER_LEN: usize = 24;

/// Binary action codes (01 §2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BinaryAction {
    /// 1: stmt v1 tags as a raw block.
    SetTags,
    /// 2: stmt v1 columns as a raw block.
    Bind,
    /// 3: write a TMQ raw payload.
    WriteRaw,
    /// 4: write a raw block.
    WriteRawBlock,
    /// 5: write a raw block with field descriptors.
    WriteRawBlockWithFields,
    /// 6: SQL in binary form.
    BinaryQuery,
    /// 7: fetch the next block.
    FetchRawBlock,
    /// 9: stmt2 bind payload.
    Stmt2Bind,
    /// 10: validate SQL.
    ValidateSql,
    /// 11: stmt2 bind and execute (unreleased upstream).
    Stmt2BindExec,
}

impl BinaryAction {
    /// The action for a wire code, `None` for an unknown one.
    pub fn from_code(code: u64) -> Option<BinaryAction> {
        Some(match code {
            1 => BinaryAction::SetTags,
            2 => BinaryAction::Bind,
            3 => BinaryAction::WriteRaw,
            4 => BinaryAction::WriteRawBlock,
            5 => BinaryAction::WriteRawBlockWithFields,
            6 => BinaryAction::BinaryQuery,
            7 => BinaryAction::FetchRawBlock,
            9 => BinaryAction::Stmt2Bind,
            10 => BinaryAction::ValidateSql,
            11 => BinaryAction::Stmt2BindExec,
            _ => return None,
        })
    }

    /// The wire code.
    pub fn code(self) -> u64 {
        match self {
            BinaryAction::SetTags => 1,
            BinaryAction::Bind => 2,
            BinaryAction::WriteRaw => 3,
            BinaryAction::WriteRawBlock => 4,
            BinaryAction::WriteRawBlockWithFields => 5,
            BinaryAction::BinaryQuery => 6,
            BinaryAction::FetchRawBlock => 7,
            BinaryAction::Stmt2Bind => 9,
            BinaryAction::ValidateSql => 10,
            BinaryAction::Stmt2BindExec => 11,
        }
    }

    /// The `action` name used in JSON replies to this binary action.
    pub fn name(self) -> &'static str {
        match self {
            BinaryAction::SetTags => "set_tags",
            BinaryAction::Bind => "bind",
            BinaryAction::WriteRaw => "write_raw",
            BinaryAction::WriteRawBlock => "write_raw_block",
            BinaryAction::WriteRawBlockWithFields => "write_raw_block_with_fields",
            BinaryAction::BinaryQuery => "binary_query",
            BinaryAction::FetchRawBlock => "fetch_raw_block",
            BinaryAction::Stmt2Bind => "stmt2_bind",
            BinaryAction::ValidateSql => "validate_sql",
            BinaryAction::Stmt2BindExec => "stmt2_bind_exec",
        }
    }
}

/// The reply `action` name for any wire code: `unknown` when the code is not known.
pub fn action_name(code: u64) -> &'static str {
    BinaryAction::from_code(code).map_or("unknown", BinaryAction::name)
}

/// The common 24-byte header of a binary request (01 §2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinaryHeader {
    /// Request id, echoed in the reply.
    pub req_id: u64,
    /// Result id (action 7), stmt id (1, 2, 9, 11), message id (writes), else 0.
    pub resource_id: u64,
    /// Action code (see [`BinaryAction`]).
    pub action: u64,
}

impl BinaryHeader {
    /// Appends the header to `w`.
    pub(crate) fn write(&self, w: &mut Writer) {
        w.u64(self.req_id).u64(self.resource_id).u64(self.action);
    }

    /// The reply `action` name of this header's code.
    pub fn action_name(&self) -> &'static str {
        action_name(self.action)
    }
}

/// Server: one binary frame split into header and payload (bytes after offset 24).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinaryRequest<'a> {
    /// The header.
    pub header: BinaryHeader,
    /// The bytes after the header.
    pub payload: &'a [u8],
}

impl<'a> BinaryRequest<'a> {
    /// Splits `frame`. Frames shorter than the header are rejected with
    /// `message length is too short` (taosAdapter itself does not check, 01 §2.5); the
    /// `req_id` is kept when at least its 8 bytes arrived.
    pub fn decode(frame: &'a [u8]) -> std::result::Result<Self, RequestError> {
        let mut r = Reader::new(frame, "binary request");
        match (r.u64("req_id"), r.u64("resource_id"), r.u64("action")) {
            (Ok(req_id), Ok(resource_id), Ok(action)) => Ok(BinaryRequest {
                header: BinaryHeader {
                    req_id,
                    resource_id,
                    action,
                },
                payload: r.rest(),
            }),
            (req_id, ..) => Err(RequestError::generic(
                "unknown",
                req_id.unwrap_or(0),
                "message length is too short",
            )),
        }
    }

    /// The error taosAdapter sends for an unknown action code: `unknown binary action <n>`.
    pub fn unknown_action(&self) -> RequestError {
        RequestError::generic(
            self.header.action_name(),
            self.header.req_id,
            format!("unknown binary action {}", self.header.action),
        )
    }

    fn error(&self, message: impl Into<String>) -> RequestError {
        RequestError::generic(self.header.action_name(), self.header.req_id, message)
    }

    /// Server: the SQL bytes of action 6 (binary query) or 10 (validate SQL): frame of at
    /// least 31 bytes, version 1, then `u32 sql_len` and the SQL (01 §2.5). Bytes after the
    /// SQL are ignored, as taosAdapter does. The SQL is returned as bytes; taosAdapter does
    /// not validate UTF-8.
    pub fn sql(&self) -> std::result::Result<&'a [u8], RequestError> {
        if self.payload.len() + HEADER_LEN < 31 {
            return Err(self.error("message length is too short"));
        }
        let mut r = Reader::new(self.payload, "binary query");
        let version = r
            .u16("version")
            .map_err(|_| self.error("message length is too short"))?;
        if version != 1 {
            return Err(self.error(format!("unknown binary query version:{version}")));
        }
        let sql_len = r
            .u32("sql_len")
            .map_err(|_| self.error("message length is too short"))?;
        let remain = r.remaining();
        usize::try_from(sql_len)
            .ok()
            .filter(|n| *n <= remain)
            .and_then(|n| r.take(n, "sql").ok())
            .ok_or_else(|| {
                self.error(format!(
                    "uncompleted message, sql length:{sql_len}, remainMessageLength:{remain}"
                ))
            })
    }

    /// Server: checks an action-7 frame (at least 26 bytes, version 1) and returns the
    /// result id to fetch. The error is the `(code, message)` to put in the *binary* error
    /// reply (01 §2.6), which is how taosAdapter answers action 7 even on failure.
    pub fn fetch_raw_block(&self) -> std::result::Result<u64, (u16, &'static str)> {
        let mut r = Reader::new(self.payload, "fetch raw block");
        let version = r
            .u16("version")
            .map_err(|_| (super::envelope::GENERIC_CODE, "message length is too short"))?;
        if version != 1 {
            return Err((
                super::envelope::GENERIC_CODE,
                "unknown fetch raw block version",
            ));
        }
        Ok(self.header.resource_id)
    }
}

/// Client: action 6, binary query (01 §2.5): header with resource id 0, `u16` version 1,
/// `u32` SQL length, SQL bytes.
pub fn encode_binary_query(req_id: u64, sql: &str) -> Result<Vec<u8>> {
    encode_sql_frame(req_id, BinaryAction::BinaryQuery, sql)
}

/// Client: action 10, validate SQL (01 §2.5): same layout as action 6.
pub fn encode_validate_sql(req_id: u64, sql: &str) -> Result<Vec<u8>> {
    encode_sql_frame(req_id, BinaryAction::ValidateSql, sql)
}

fn encode_sql_frame(req_id: u64, action: BinaryAction, sql: &str) -> Result<Vec<u8>> {
    let sql_len = len_u32(sql.len(), "SQL")?;
    let mut w = Writer::with_capacity(HEADER_LEN + 6 + sql.len());
    BinaryHeader {
        req_id,
        resource_id: 0,
        action: action.code(),
    }
    .write(&mut w);
    w.u16(1).u32(sql_len).bytes(sql.as_bytes());
    Ok(w.into_inner())
}

/// Client: action 7, fetch the next raw block of `result_id` (01 §2.5): 26 bytes.
pub fn encode_fetch_raw_block(req_id: u64, result_id: u64) -> Vec<u8> {
    let mut w = Writer::with_capacity(HEADER_LEN + 2);
    BinaryHeader {
        req_id,
        resource_id: result_id,
        action: BinaryAction::FetchRawBlock.code(),
    }
    .write(&mut w);
    w.u16(1);
    w.into_inner()
}

/// Client: a frame of `header` followed by `payload` (used by the stmt frames).
pub(crate) fn encode_with_header(header: BinaryHeader, payload_parts: &[&[u8]]) -> Vec<u8> {
    let len = HEADER_LEN + payload_parts.iter().map(|p| p.len()).sum::<usize>();
    let mut w = Writer::with_capacity(len);
    header.write(&mut w);
    for part in payload_parts {
        w.bytes(part);
    }
    w.into_inner()
}
