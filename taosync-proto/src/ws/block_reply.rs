//! Binary reply frames that carry raw blocks (01 §2.4.3, §2.6): the `fetch_raw_block` reply
//! to action 7 and the legacy `fetch_block` reply. The block itself is decoded by
//! [`proto::block`](crate::block); here it is only framed, and decoding borrows it
//! from the frame without copying.

use std::borrow::Cow;

use crate::bytes::{Reader, Writer, len_u32};
use crate::error::{Error, ErrorKind, Result};

/// The first `u64` of a `fetch_raw_block` reply (01 §2.6).
pub const RAW_BLOCK_MARKER: u64 = u64::MAX;

/// Length of a `fetch_raw_block` reply before its message (marker to `msg_len`).
const PREFIX_LEN: usize = 42;

/// Which of the two binary reply formats a frame is (01 §2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryReplyKind {
    /// The reply to action 7: the first `u64` is [`RAW_BLOCK_MARKER`].
    FetchRawBlock,
    /// The legacy `fetch_block` reply `[timing][result id][block]`.
    FetchBlock,
}

/// Tells the two binary reply formats apart by the first `u64`; `None` for a frame shorter
/// than 8 bytes.
pub fn binary_reply_kind(frame: &[u8]) -> Option<BinaryReplyKind> {
    let first: [u8; 8] = frame.get(..8)?.try_into().ok()?;
    Some(if u64::from_le_bytes(first) == RAW_BLOCK_MARKER {
        BinaryReplyKind::FetchRawBlock
    } else {
        BinaryReplyKind::FetchBlock
    })
}

/// The `req_id` of a binary reply that starts with [`RAW_BLOCK_MARKER`] (a
/// `fetch_raw_block` reply, and TMQ's `fetch_raw_data` reply, which share the prefix
/// `marker, action, version, timing, req_id`), read without decoding the rest; `None` for
/// any other frame.
///
/// ```
/// use taosync_proto::ws::{binary_reply_req_id, encode_raw_block_finished};
/// assert_eq!(binary_reply_req_id(&encode_raw_block_finished(1, 42, 9)), Some(42));
/// assert_eq!(binary_reply_req_id(&[0u8; 40]), None);
/// ```
pub fn binary_reply_req_id(frame: &[u8]) -> Option<u64> {
    if binary_reply_kind(frame)? != BinaryReplyKind::FetchRawBlock {
        return None;
    }
    let id: [u8; 8] = frame.get(26..34)?.try_into().ok()?;
    Some(u64::from_le_bytes(id))
}

/// Either binary reply, decoded (01 §2.6): what a client gets from one binary frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BinaryReply<'a> {
    /// A reply to action 7.
    FetchRawBlock(FetchRawBlockReply<'a>),
    /// A legacy `fetch_block` reply.
    FetchBlock(FetchBlockReply<'a>),
}

impl<'a> BinaryReply<'a> {
    /// Client: tells the formats apart by the first `u64` and decodes the frame.
    pub fn decode(frame: &'a [u8]) -> Result<Self> {
        match binary_reply_kind(frame) {
            Some(BinaryReplyKind::FetchRawBlock) => {
                FetchRawBlockReply::decode(frame).map(BinaryReply::FetchRawBlock)
            }
            Some(BinaryReplyKind::FetchBlock) => {
                FetchBlockReply::decode(frame).map(BinaryReply::FetchBlock)
            }
            None => Err(Error::result(format!(
                "binary reply of {} bytes is too short",
                frame.len()
            ))),
        }
    }
}

/// A decoded `fetch_raw_block` reply (01 §2.6), borrowing from the frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRawBlockReply<'a> {
    /// Server handling time in ns.
    pub timing: u64,
    /// The request's `req_id`.
    pub req_id: u64,
    /// 0, or the masked error code.
    pub code: u32,
    /// The error message (empty on success); invalid UTF-8 is replaced.
    pub message: Cow<'a, str>,
    /// The result id.
    pub result_id: u64,
    /// The raw block, `None` when `finished` (end of data or error).
    pub block: Option<&'a [u8]>,
}

impl<'a> FetchRawBlockReply<'a> {
    /// Client: decodes a frame, checking the marker, action 7, version 1, and every length
    /// against the frame. Bytes after the block are ignored.
    pub fn decode(frame: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(frame, "fetch_raw_block reply");
        let marker = r.u64("marker")?;
        if marker != RAW_BLOCK_MARKER {
            return Err(r.error(format_args!("bad marker {marker:#x}")));
        }
        let action = r.u64("action")?;
        if action != 7 {
            return Err(r.error(format_args!("unexpected action {action}")));
        }
        let version = r.u16("version")?;
        if version != 1 {
            return Err(r.error(format_args!("unsupported version {version}")));
        }
        let timing = r.u64("timing")?;
        let req_id = r.u64("req_id")?;
        let code = r.u32("code")?;
        let msg_len = r.u32("msg_len")?;
        let message = String::from_utf8_lossy(r.take_u32(msg_len, "message")?);
        let result_id = r.u64("result id")?;
        let finished = r.u8("finished")?;
        let block = if finished == 0 {
            let block_len = r.u32("block_len")?;
            Some(r.take_u32(block_len, "block")?)
        } else {
            None
        };
        Ok(FetchRawBlockReply {
            timing,
            req_id,
            code,
            message,
            result_id,
            block,
        })
    }

    /// The block (`Some`), the end of data (`None`), or the server's error as an
    /// [`ErrorKind::Result`] error with its code.
    pub fn into_block(self) -> Result<Option<&'a [u8]>> {
        if self.code != 0 {
            return Err(Error::server(
                ErrorKind::Result,
                i64::from(self.code),
                self.message.into_owned(),
            ));
        }
        Ok(self.block)
    }
}

fn raw_block_prefix(
    capacity: usize,
    timing: u64,
    req_id: u64,
    code: u32,
    message: &str,
) -> Result<Writer> {
    let msg_len = len_u32(message.len(), "message")?;
    let mut w = Writer::with_capacity(capacity);
    w.u64(RAW_BLOCK_MARKER)
        .u64(7)
        .u16(1)
        .u64(timing)
        .u64(req_id)
        .u32(code)
        .u32(msg_len)
        .bytes(message.as_bytes());
    Ok(w)
}

/// Server: a `fetch_raw_block` reply carrying `block` (55 + block length bytes).
pub fn encode_raw_block_data(
    timing: u64,
    req_id: u64,
    result_id: u64,
    block: &[u8],
) -> Result<Vec<u8>> {
    let block_len = len_u32(block.len(), "block")?;
    let mut w = raw_block_prefix(PREFIX_LEN + 13 + block.len(), timing, req_id, 0, "")?;
    w.u64(result_id).u8(0).u32(block_len).bytes(block);
    Ok(w.into_inner())
}

/// Server: the `fetch_raw_block` end-of-data reply (51 bytes, `finished` = 1).
pub fn encode_raw_block_finished(timing: u64, req_id: u64, result_id: u64) -> Vec<u8> {
    let mut w = Writer::with_capacity(PREFIX_LEN + 9);
    w.u64(RAW_BLOCK_MARKER)
        .u64(7)
        .u16(1)
        .u64(timing)
        .u64(req_id)
        .u32(0)
        .u32(0)
        .u64(result_id)
        .u8(1);
    w.into_inner()
}

/// Server: a `fetch_raw_block` error reply (`code` masked, message, `finished` = 1).
pub fn encode_raw_block_error(
    timing: u64,
    req_id: u64,
    result_id: u64,
    code: u16,
    message: &str,
) -> Result<Vec<u8>> {
    let mut w = raw_block_prefix(
        PREFIX_LEN + message.len() + 9,
        timing,
        req_id,
        u32::from(code),
        message,
    )?;
    w.u64(result_id).u8(1);
    Ok(w.into_inner())
}

/// A decoded legacy `fetch_block` reply `[timing u64][result id u64][block]` (01 §2.4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchBlockReply<'a> {
    /// Server handling time in ns.
    pub timing: u64,
    /// The result id (this reply has no `req_id`).
    pub result_id: u64,
    /// The raw block, everything after byte 16.
    pub block: &'a [u8],
}

impl<'a> FetchBlockReply<'a> {
    /// Client: splits a frame of at least 16 bytes.
    pub fn decode(frame: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(frame, "fetch_block reply");
        let timing = r.u64("timing")?;
        let result_id = r.u64("result id")?;
        Ok(FetchBlockReply {
            timing,
            result_id,
            block: r.rest(),
        })
    }

    /// Server: the frame bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(16 + self.block.len());
        w.u64(self.timing).u64(self.result_id).bytes(self.block);
        w.into_inner()
    }
}
