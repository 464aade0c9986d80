//! stmt v1 binary frames: action 1 (`set_tags`) and action 2 (`bind`), each the 24-byte
//! header followed by a raw block of the bound columns (02 §1.2.4).
//!
//! The raw block itself is encoded and decoded by [`proto::block`](crate::proto::block);
//! this module frames it and reads the block header fields the server checks first
//! (`rows`, `cols`).

use crate::error::{Error, ErrorKind, Result};
use crate::proto::bytes::Reader;
use crate::proto::ws::GENERIC_CODE;
use crate::proto::ws::frame::{BinaryAction, BinaryHeader, BinaryRequest, encode_with_header};

/// Client: the action-1 frame binding the tags of `stmt_id` (one-row raw block `block`).
pub fn encode_set_tags(req_id: u64, stmt_id: u64, block: &[u8]) -> Vec<u8> {
    encode_with_header(
        BinaryHeader {
            req_id,
            resource_id: stmt_id,
            action: BinaryAction::SetTags.code(),
        },
        &[block],
    )
}

/// Client: the action-2 frame binding the columns of `stmt_id` (raw block `block`).
pub fn encode_bind(req_id: u64, stmt_id: u64, block: &[u8]) -> Vec<u8> {
    encode_with_header(
        BinaryHeader {
            req_id,
            resource_id: stmt_id,
            action: BinaryAction::Bind.code(),
        },
        &[block],
    )
}

/// The `rows` and `cols` of a raw block, read from its header (01 §3.1) without decoding
/// the columns. The server checks them before decoding (`rows not equal 1`,
/// `stmt column count not match`, 02 §1.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockShape {
    /// Row count.
    pub rows: u32,
    /// Column count.
    pub cols: u32,
}

/// Server: the stmt id and raw block of an action-1 or action-2 frame, and the block's
/// shape. A block too short to hold its 28-byte header, or with negative counts, is an
/// error with code 0xffff; the server answers it with the stmt id.
pub fn decode_block_frame<'a>(request: &BinaryRequest<'a>) -> Result<(u64, &'a [u8], BlockShape)> {
    let shape = block_shape(request.payload).map_err(|e| {
        Error::server(
            ErrorKind::Statement,
            i64::from(GENERIC_CODE),
            e.message().to_owned(),
        )
    })?;
    Ok((request.header.resource_id, request.payload, shape))
}

/// The `rows` and `cols` of the raw block `block`.
pub fn block_shape(block: &[u8]) -> Result<BlockShape> {
    let mut r = Reader::new(block, "stmt raw block");
    let _version = r.i32("version")?;
    let _length = r.i32("length")?;
    let rows = r.i32("rows")?;
    let cols = r.i32("cols")?;
    r.take(12, "flag and group id")?;
    let rows = u32::try_from(rows).map_err(|_| r.error(format_args!("negative rows {rows}")))?;
    let cols = u32::try_from(cols).map_err(|_| r.error(format_args!("negative cols {cols}")))?;
    Ok(BlockShape { rows, cols })
}
