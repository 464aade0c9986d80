//! stmt v1 binary frames: action 1 (`set_tags`) and action 2 (`bind`), each the 24-byte
//! header followed by a raw block of the bound columns (02 §1.2.4).
//!
//! The raw block itself is [`proto::block`](crate::block)'s format; this module
//! frames it, and applies the server's rules for reading it: an insert's values are read
//! as the *server-side* field types (02 §1.2.4, §1.6), a query's as the block's own types
//! with TIMESTAMP refused.

use super::{StmtField, coerce};
use crate::block::{BlockHeader, decode_block, encode_block};
use crate::error::{Error, ErrorKind, Result};
use crate::row::Column;
use crate::types::{Precision, Type};
use crate::value::Value;
use crate::ws::GENERIC_CODE;
use crate::ws::frame::{BinaryAction, BinaryHeader, BinaryRequest, encode_with_header};

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

/// Client: the action-2 frame binding `rows` (row-major) to `stmt_id`, laid out as
/// `fields` (from `get_col_fields`) say: each value is converted to its field's type with
/// [`coerce`], since the server reads the block with its own column types.
pub fn encode_bind_rows<R: AsRef<[Value]>>(
    req_id: u64,
    stmt_id: u64,
    fields: &[StmtField],
    rows: &[R],
) -> Result<Vec<u8>> {
    let block = encode_fields_block(fields, rows)?;
    Ok(encode_bind(req_id, stmt_id, &block))
}

/// Client: the action-2 frame binding values given column by column (`cols[c][r]`), as
/// a column-wise bind holds them: no rows are built. Unlike [`encode_bind_rows`] nothing
/// is converted: every value must be NULL or of its field's type already (see
/// [`coerce`]), timestamps in the field's precision.
pub fn encode_bind_columns<C: AsRef<[Value]>>(
    req_id: u64,
    stmt_id: u64,
    fields: &[StmtField],
    cols: &[C],
) -> Result<Vec<u8>> {
    let columns = fields
        .iter()
        .map(StmtField::to_column)
        .collect::<Result<Vec<Column>>>()?;
    let block = crate::block::encode_block_columns(&columns, cols)?;
    Ok(encode_bind(req_id, stmt_id, &block))
}

/// Client: the action-1 frame binding `tags` to `stmt_id`, laid out as `fields` (from
/// `get_tag_fields`) say.
pub fn encode_set_tags_values(
    req_id: u64,
    stmt_id: u64,
    fields: &[StmtField],
    tags: &[Value],
) -> Result<Vec<u8>> {
    let block = encode_fields_block(fields, &[tags])?;
    Ok(encode_set_tags(req_id, stmt_id, &block))
}

fn encode_fields_block<R: AsRef<[Value]>>(fields: &[StmtField], rows: &[R]) -> Result<Vec<u8>> {
    let columns = fields
        .iter()
        .map(StmtField::to_column)
        .collect::<Result<Vec<Column>>>()?;
    let converted = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let row = row.as_ref();
            if row.len() != fields.len() {
                return Err(Error::new(
                    ErrorKind::Interface,
                    format!(
                        "row {r} has {} values, the statement takes {}",
                        row.len(),
                        fields.len()
                    ),
                ));
            }
            row.iter()
                .zip(fields.iter().zip(&columns))
                .map(|(v, (f, c))| coerce(v, c.ty, f.timestamp_precision()))
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    encode_block(&columns, &converted)
}

/// An error the server answers with code 0xffff and the stmt id.
fn frame_error(message: impl Into<String>) -> Error {
    Error::server(ErrorKind::Statement, i64::from(GENERIC_CODE), message)
}

/// Server: the stmt id and raw block of an action-1 or action-2 frame, with the block's
/// header. A block too short to hold its 28-byte header, or with negative counts, is an
/// error with code 0xffff; the server answers it with the stmt id.
pub fn decode_block_frame<'a>(request: &BinaryRequest<'a>) -> Result<(u64, &'a [u8], BlockHeader)> {
    let header =
        BlockHeader::parse(request.payload).map_err(|e| frame_error(e.message().to_owned()))?;
    Ok((request.header.resource_id, request.payload, header))
}

/// Server: the tag values of a binary `set_tags` block, read as the statement's tag
/// `fields`. The block must have exactly one row (`rows not equal 1`) and one column per
/// tag (`stmt tags count not match`); both errors carry code 0xffff.
pub fn decode_set_tags(block: &[u8], fields: &[StmtField]) -> Result<Vec<Value>> {
    let header = BlockHeader::parse(block).map_err(|e| frame_error(e.message().to_owned()))?;
    if header.rows != 1 {
        return Err(frame_error("rows not equal 1"));
    }
    if header.cols != fields.len() {
        return Err(frame_error("stmt tags count not match"));
    }
    let mut rows = decode_as_fields(block, fields)?;
    Ok(rows.pop().unwrap_or_default())
}

/// Server: the rows (row-major) of a binary `bind` block for an INSERT, read as the
/// statement's column `fields`: one block column per field (`stmt column count not
/// match`, code 0xffff), each value converted to its field's type and timestamp
/// precision.
pub fn decode_insert_bind(block: &[u8], fields: &[StmtField]) -> Result<Vec<Vec<Value>>> {
    let header = BlockHeader::parse(block).map_err(|e| frame_error(e.message().to_owned()))?;
    if header.cols != fields.len() {
        return Err(frame_error("stmt column count not match"));
    }
    decode_as_fields(block, fields)
}

fn decode_as_fields(block: &[u8], fields: &[StmtField]) -> Result<Vec<Vec<Value>>> {
    let precision = fields
        .iter()
        .find(|f| f.ty() == Some(Type::Timestamp))
        .map_or(Precision::Millisecond, StmtField::timestamp_precision);
    let decoded =
        decode_block(block, precision).map_err(|e| frame_error(e.message().to_owned()))?;
    let types = fields
        .iter()
        .map(|f| {
            f.ty().ok_or_else(|| {
                frame_error(format!(
                    "field {:?} has unknown type code {}",
                    f.name, f.field_type
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    decoded
        .rows
        .into_iter()
        .map(|row| {
            row.iter()
                .zip(fields.iter().zip(&types))
                .map(|(v, (f, ty))| {
                    coerce(v, *ty, f.timestamp_precision())
                        .map_err(|e| frame_error(format!("field {:?}: {}", f.name, e.message())))
                })
                .collect()
        })
        .collect()
}

/// Server: the rows of a binary `bind` block for a query, read with the block's own types
/// (02 §1.2.4). TIMESTAMP (and types the adapter does not accept for query parameters) are
/// refused with `parse row block info error, err:unsupported data type <n>`.
pub fn decode_query_bind(block: &[u8]) -> Result<Vec<Vec<Value>>> {
    let decoded = decode_block(block, Precision::Millisecond)
        .map_err(|e| frame_error(e.message().to_owned()))?;
    if let Some(f) = decoded.fields.iter().find(|f| {
        !matches!(
            f.ty,
            Type::Bool
                | Type::TinyInt
                | Type::SmallInt
                | Type::Int
                | Type::BigInt
                | Type::UTinyInt
                | Type::USmallInt
                | Type::UInt
                | Type::UBigInt
                | Type::Float
                | Type::Double
                | Type::VarChar
                | Type::NChar
                | Type::Json
                | Type::VarBinary
        )
    }) {
        return Err(frame_error(format!(
            "parse row block info error, err:unsupported data type {}",
            f.ty.code()
        )));
    }
    Ok(decoded.rows)
}
