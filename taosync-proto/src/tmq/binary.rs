//! Binary replies of `/rest/tmq` (02 §3.5): `fetch_block`, `fetch_raw`, `fetch_raw_data`,
//! and the multi-block raw payload `fetch_raw_data` carries.
//!
//! Servers encode, clients decode. Decoders treat input as hostile: truncation, bad
//! lengths or impossible counts give an [`ErrorKind::Result`]
//! error, and nothing is allocated beyond what the input itself holds.

use crate::block::{BlockField, DecodedBlock, decode_block, encode_block};
use crate::bytes::{Reader, Writer, len_u32};
use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::row::Column;
use crate::types::{Precision, Type};
use crate::value::Value;

/// A `fetch_block` reply on `/rest/tmq` (02 §3.5.1):
/// `[timing u64][req_id u64 of the fetch][message_id u64][raw block]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TmqFetchBlockReply<'a> {
    /// Server handling time in ns.
    pub timing: u64,
    /// The `req_id` of the `fetch` this block belongs to.
    pub req_id: u64,
    /// The message.
    pub message_id: u64,
    /// The raw block (everything after byte 24).
    pub block: &'a [u8],
}

impl<'a> TmqFetchBlockReply<'a> {
    /// Client: splits a frame of at least 24 bytes.
    pub fn decode(frame: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(frame, "tmq fetch_block reply");
        let timing = r.u64("timing")?;
        let req_id = r.u64("req_id")?;
        let message_id = r.u64("message_id")?;
        Ok(TmqFetchBlockReply {
            timing,
            req_id,
            message_id,
            block: r.rest(),
        })
    }

    /// Server: the frame bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(24 + self.block.len());
        w.u64(self.timing)
            .u64(self.req_id)
            .u64(self.message_id)
            .bytes(self.block);
        w.into_inner()
    }
}

/// The action tag of a legacy `fetch_raw` reply (02 §3.5.3).
pub const TMQ_RAW_MESSAGE: u64 = 3;
/// The action tag of a `fetch_raw_data` reply (02 §3.5.2).
pub const TMQ_FETCH_RAW_NEW_MESSAGE: u64 = 8;
/// The first eight bytes of a `fetch_raw_data` reply.
pub const NEW_FORMAT_MARKER: u64 = u64::MAX;

/// A legacy `fetch_raw` reply (02 §3.5.3):
/// `[timing][req_id][message_id][3 u64][raw_length u32][raw_type u16][raw]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchRawReply<'a> {
    /// Server handling time in ns.
    pub timing: u64,
    /// Request id.
    pub req_id: u64,
    /// The message.
    pub message_id: u64,
    /// `tmq_get_raw` payload type.
    pub raw_type: u16,
    /// The raw payload.
    pub raw: &'a [u8],
}

impl<'a> FetchRawReply<'a> {
    /// Client: parses a frame; the tag must be 3 and the payload as long as announced.
    pub fn decode(frame: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(frame, "tmq fetch_raw reply");
        let timing = r.u64("timing")?;
        let req_id = r.u64("req_id")?;
        let message_id = r.u64("message_id")?;
        let tag = r.u64("message tag")?;
        if tag != TMQ_RAW_MESSAGE {
            return Err(r.error(format_args!("message tag is {tag}, expected 3")));
        }
        let len = r.u32("raw length")?;
        let raw_type = r.u16("raw type")?;
        let raw = r.take_u32(len, "raw payload")?;
        Ok(FetchRawReply {
            timing,
            req_id,
            message_id,
            raw_type,
            raw,
        })
    }

    /// Server: the frame bytes (an error if the payload exceeds 4 GiB).
    pub fn encode(&self) -> Result<Vec<u8>> {
        let len = len_u32(self.raw.len(), "tmq raw payload")?;
        let mut w = Writer::with_capacity(38 + self.raw.len());
        w.u64(self.timing)
            .u64(self.req_id)
            .u64(self.message_id)
            .u64(TMQ_RAW_MESSAGE)
            .u32(len)
            .u16(self.raw_type)
            .bytes(self.raw);
        Ok(w.into_inner())
    }
}

/// A `fetch_raw_data` reply (02 §3.5.2), success or error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRawDataReply<'a> {
    /// Server handling time in ns.
    pub timing: u64,
    /// Request id.
    pub req_id: u64,
    /// 0 on success, else the masked error code.
    pub code: u32,
    /// Error text (`""` on success).
    pub message: &'a str,
    /// The message.
    pub message_id: u64,
    /// On success: `(meta_type, raw payload)`; the payload of a data message is a
    /// [`RawData`].
    pub payload: Option<(u16, &'a [u8])>,
}

impl<'a> FetchRawDataReply<'a> {
    /// Client: parses a frame. An error reply (`code != 0`) decodes fine; use
    /// [`into_result`](Self::into_result) to turn it into an [`Error`].
    pub fn decode(frame: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(frame, "tmq fetch_raw_data reply");
        let marker = r.u64("marker")?;
        if marker != NEW_FORMAT_MARKER {
            return Err(r.error("missing the 0xffffffffffffffff marker"));
        }
        let tag = r.u64("message tag")?;
        if tag != TMQ_FETCH_RAW_NEW_MESSAGE {
            return Err(r.error(format_args!("message tag is {tag}, expected 8")));
        }
        let version = r.u16("version")?;
        if version != 1 {
            return Err(r.error(format_args!("unsupported version {version}")));
        }
        let timing = r.u64("timing")?;
        let req_id = r.u64("req_id")?;
        let code = r.u32("code")?;
        let message_len = r.u32("message length")?;
        let message = std::str::from_utf8(r.take_u32(message_len, "message")?)
            .map_err(|_| r.error("message is not UTF-8"))?;
        let message_id = r.u64("message_id")?;
        let payload = if code == 0 {
            let meta_type = r.u16("meta type")?;
            let len = r.u32("raw length")?;
            Some((meta_type, r.take_u32(len, "raw payload")?))
        } else {
            None
        };
        Ok(FetchRawDataReply {
            timing,
            req_id,
            code,
            message,
            message_id,
            payload,
        })
    }

    /// The payload, or the reply's error as a [`Tmq`](ErrorKind::Tmq) error.
    pub fn into_result(self) -> Result<(u16, &'a [u8])> {
        match self.payload {
            Some(p) if self.code == 0 => Ok(p),
            _ => {
                let code = Code::from_raw(i64::from(self.code));
                let message = if self.message.is_empty() {
                    code.default_message().unwrap_or("").to_owned()
                } else {
                    self.message.to_owned()
                };
                Err(Error::new(ErrorKind::Tmq, message).with_code(code))
            }
        }
    }

    /// Server: the frame bytes. With `payload` `None` this is the error form (which
    /// ends after `message_id`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        let message_len = len_u32(self.message.len(), "tmq error message")?;
        let extra = self.payload.map_or(0, |(_, raw)| 6 + raw.len());
        let mut w = Writer::with_capacity(50 + self.message.len() + extra);
        w.u64(NEW_FORMAT_MARKER)
            .u64(TMQ_FETCH_RAW_NEW_MESSAGE)
            .u16(1)
            .u64(self.timing)
            .u64(self.req_id)
            .u32(self.code)
            .u32(message_len)
            .bytes(self.message.as_bytes())
            .u64(self.message_id);
        if let Some((meta_type, raw)) = self.payload {
            let len = len_u32(raw.len(), "tmq raw payload")?;
            w.u16(meta_type).u32(len).bytes(raw);
        }
        Ok(w.into_inner())
    }
}

/// The `meta_type` this crate's server writes for a data payload. Both official parsers
/// read the payload by its own structure and ignore the type **[uncertain: real servers
/// send the `tmq_get_raw` type of a data message]**.
pub const RAW_DATA_META_TYPE: u16 = 0;

/// The `raw_type` this crate's server writes for the raw form of a meta message: the
/// payload is the message's `tmq_get_json_meta` JSON as UTF-8. Real servers send the
/// vnode request of the DDL (a `TDMT_VND_*` type and its serialized body), which this
/// emulator does not reproduce; `write_raw_meta` on the same server reads this form back.
///
/// ```
/// assert_eq!(taosync_proto::tmq::RAW_META_JSON_TYPE, 0xffff);
/// ```
pub const RAW_META_JSON_TYPE: u16 = 0xffff;

/// Length of the prefix before each raw block in a [`RawData`] payload; byte 17 is the
/// timestamp precision.
pub const RAW_BLOCK_PREFIX_LEN: usize = 18;

/// One column descriptor of a [`RawData`] block schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawSchemaField {
    /// Type code.
    pub ty: u8,
    /// Column flags.
    pub flag: i8,
    /// Internal width.
    pub bytes: i32,
    /// Column id (1-based position).
    pub col_id: i32,
    /// Column name.
    pub name: String,
}

/// One block of a [`RawData`] payload: the rows of one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawDataBlock<'a> {
    /// Timestamp precision code (byte 17 of the prefix).
    pub precision: u8,
    /// The raw block.
    pub block: &'a [u8],
    /// Column descriptors (empty when the payload carries no schema).
    pub schema: Vec<RawSchemaField>,
    /// The table the rows belong to, when the payload carries table names.
    pub table_name: Option<String>,
}

impl RawDataBlock<'_> {
    /// Decodes the block's rows with its precision.
    pub fn decode(&self) -> Result<DecodedBlock> {
        let precision = Precision::from_code(self.precision).ok_or_else(|| {
            Error::result(format!(
                "tmq raw data: unknown timestamp precision {}",
                self.precision
            ))
        })?;
        decode_block(self.block, precision)
    }

    /// The result columns: schema names with the block's types and widths (read from the
    /// block's column descriptors, without decoding rows). Falls back to `c0, c1, …`
    /// names when the payload had no schema.
    pub fn columns(&self) -> Result<Vec<Column>> {
        let header = crate::block::BlockHeader::parse(self.block)?;
        let mut r = Reader::new(self.block, "tmq raw data block");
        r.take(28, "block header")?;
        let mut out = Vec::with_capacity(header.cols.min(r.remaining() / 5));
        for i in 0..header.cols {
            let code = r.u8("column type")?;
            let bytes = r.u32("column width")?;
            let ty = Type::from_code(code)
                .ok_or_else(|| r.error(format_args!("unknown column type {code}")))?;
            let name = self
                .schema
                .get(i)
                .map_or_else(|| format!("c{i}"), |s| s.name.clone());
            out.push(BlockField::new(ty, bytes).to_column(name));
        }
        Ok(out)
    }
}

/// The raw payload of a data message (02 §3.5.2): blocks with schema and table names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawData<'a> {
    /// Every block carries a table name.
    pub with_table_name: bool,
    /// Every block carries a schema.
    pub with_schema: bool,
    /// The blocks, in order.
    pub blocks: Vec<RawDataBlock<'a>>,
}

/// Server: one table's rows to put in a [`RawData`] payload.
#[derive(Clone, Copy, Debug)]
pub struct RawDataTable<'a> {
    /// Table name.
    pub table_name: &'a str,
    /// Its columns.
    pub columns: &'a [Column],
    /// Row-major values, each as long as `columns`.
    pub rows: &'a [Vec<Value>],
}

/// Server: encodes a data payload with schema and table names: head `v = 100, n = 0`,
/// then one block per table (02 §3.5.2).
pub fn encode_raw_data(tables: &[RawDataTable<'_>], precision: Precision) -> Result<Vec<u8>> {
    let count = i32::try_from(tables.len())
        .map_err(|_| Error::interface("tmq raw data: too many blocks"))?;
    let mut w = Writer::with_capacity(64);
    w.u8(100).u32(0).i32(count).u8(1).u8(1);
    let mut out = w.into_inner();
    for table in tables {
        let block = encode_block(table.columns, table.rows)?;
        put_varint(&mut out, (RAW_BLOCK_PREFIX_LEN + block.len()) as u64);
        let mut prefix = [0u8; RAW_BLOCK_PREFIX_LEN];
        prefix[17] = precision.code();
        out.extend_from_slice(&prefix);
        out.extend_from_slice(&block);
        put_zigzag(&mut out, table.columns.len() as i64);
        put_zigzag(&mut out, 1);
        for (i, column) in table.columns.iter().enumerate() {
            out.push(column.ty.code());
            out.push(u8::from(i == 0));
            put_zigzag(&mut out, i64::from(BlockField::for_column(column).bytes));
            put_zigzag(&mut out, i as i64 + 1);
            put_name(&mut out, &column.name);
        }
        put_name(&mut out, table.table_name);
    }
    Ok(out)
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    put_varint(out, name.len() as u64 + 1);
    out.extend_from_slice(name.as_bytes());
    out.push(0);
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7F) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_zigzag(out: &mut Vec<u8>, v: i64) {
    put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn varint(r: &mut Reader<'_>, field: &str) -> Result<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = r.u8(field)?;
        v |= u64::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(r.error(format_args!("{field}: varint longer than 10 bytes")))
}

fn zigzag(r: &mut Reader<'_>, field: &str) -> Result<i64> {
    let v = varint(r, field)?;
    Ok((v >> 1) as i64 ^ -((v & 1) as i64))
}

fn skip_offset(r: &mut Reader<'_>, kind: i8) -> Result<()> {
    match kind {
        1 => r.take(8, "offset")?,
        2 | 3 => r.take(16, "offset")?,
        other => return Err(r.error(format_args!("unknown offset type {other}"))),
    };
    Ok(())
}

fn name(r: &mut Reader<'_>, field: &str) -> Result<String> {
    let len = varint(r, field)?;
    let len = usize::try_from(len).map_err(|_| r.error(format_args!("{field} too long")))?;
    let bytes = r.take(len, field)?;
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| r.error(format_args!("{field} is not UTF-8")))
}

impl<'a> RawData<'a> {
    /// Client: parses a data payload (02 §3.5.2). Schemas are read only when the
    /// `with_schema` flag is set.
    pub fn decode(raw: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(raw, "tmq raw data");
        let head = r.u8("head")? as i8;
        if head >= 100 {
            let skip = r.u32("head length")?;
            r.take_u32(skip, "head")?;
        } else {
            skip_offset(&mut r, head)?;
            let kind = r.u8("offset type")? as i8;
            skip_offset(&mut r, kind)?;
        }
        let block_num = r.i32("block count")?;
        let count = usize::try_from(block_num).map_err(|_| r.error("negative block count"))?;
        let with_table_name = r.u8("with_table_name flag")? != 0;
        let with_schema = r.u8("with_schema flag")? != 0;
        let mut blocks = Vec::with_capacity(count.min(r.remaining() / 19));
        for _ in 0..count {
            let total = varint(&mut r, "block length")?;
            let total = usize::try_from(total).map_err(|_| r.error("block too long"))?;
            if total < RAW_BLOCK_PREFIX_LEN {
                return Err(r.error(format_args!(
                    "block length {total} is shorter than its 18-byte prefix"
                )));
            }
            let prefix = r.take(RAW_BLOCK_PREFIX_LEN, "block prefix")?;
            let precision = prefix[17];
            let block = r.take(total - RAW_BLOCK_PREFIX_LEN, "raw block")?;
            let mut schema = Vec::new();
            if with_schema {
                let cols = zigzag(&mut r, "schema column count")?;
                if cols < 0 {
                    return Err(r.error("negative schema column count"));
                }
                zigzag(&mut r, "schema version")?;
                for _ in 0..cols {
                    let ty = r.u8("column type")?;
                    let flag = r.u8("column flag")? as i8;
                    let bytes = zigzag(&mut r, "column bytes")?;
                    let col_id = zigzag(&mut r, "column id")?;
                    let name = name(&mut r, "column name")?;
                    schema.push(RawSchemaField {
                        ty,
                        flag,
                        bytes: i32::try_from(bytes)
                            .map_err(|_| r.error("column bytes out of range"))?,
                        col_id: i32::try_from(col_id)
                            .map_err(|_| r.error("column id out of range"))?,
                        name,
                    });
                }
            }
            let table_name = if with_table_name {
                Some(name(&mut r, "table name")?)
            } else {
                None
            };
            blocks.push(RawDataBlock {
                precision,
                block,
                schema,
                table_name,
            });
        }
        Ok(RawData {
            with_table_name,
            with_schema,
            blocks,
        })
    }
}
