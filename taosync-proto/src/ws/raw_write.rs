//! Binary write frames (01 §2.5, 02 §0.3): `write_raw` (action 3, a TMQ raw payload: data
//! or meta), `write_raw_block` (4) and `write_raw_block_with_fields` (5, a raw block
//! plus one C `TAOS_FIELD` per column naming the table columns it fills).
//!
//! Layouts after the 24-byte header, as taosAdapter reads them
//! (`controller/ws/ws/raw.go`): action 3 `u32 length, u16 raw_type, data`; actions 4 and
//! 5 `i32 rows, u16 name_len, table name, raw block`, and for 5 the fields after the
//! block: 72 bytes each (`char name[65]`, `int8 type`, two bytes of padding, `int32
//! bytes`).

use crate::bytes::{Reader, Writer};
use crate::error::{Error, Result};
use crate::row::Column;
use crate::types::Type;

use super::frame::{BinaryAction, BinaryHeader, HEADER_LEN};

/// The size of one C `TAOS_FIELD`.
pub const TAOS_FIELD_LEN: usize = 72;
/// The longest field name a `TAOS_FIELD` holds (64 bytes and the NUL).
const FIELD_NAME_LEN: usize = 65;

/// One `TAOS_FIELD` of a `write_raw_block_with_fields` frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawField {
    /// The table column the block's column fills.
    pub name: String,
    /// Its type code.
    pub ty: u8,
    /// Its width (declared length for variable types).
    pub bytes: i32,
}

/// A decoded `write_raw_block` / `write_raw_block_with_fields` payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawBlockWrite<'a> {
    /// The row count the client states.
    pub rows: i32,
    /// The target table.
    pub table: &'a str,
    /// The raw block (its own header gives its length).
    pub block: &'a [u8],
    /// The columns the block fills, by name (action 5); empty for action 4, whose block
    /// fills the table's columns in order.
    pub fields: Vec<RawField>,
}

impl<'a> RawBlockWrite<'a> {
    /// Server: reads the payload of action 4 (`with_fields == false`) or 5.
    ///
    /// ```
    /// use taosync_proto::block::encode_block;
    /// use taosync_proto::ws::{BinaryRequest, RawBlockWrite, encode_write_raw_block};
    /// use taosync_proto::{Column, Precision, Timestamp, Type, Value};
    /// let columns = [Column::new("ts", Type::Timestamp, 8), Column::new("v", Type::Int, 4)];
    /// let ts = Value::Timestamp(Timestamp::new(1, Precision::Millisecond));
    /// let block = encode_block(&columns, &[vec![ts, Value::Int(7)]])?;
    /// let frame = encode_write_raw_block(9, "t1", &block, Some(&columns))?;
    /// let request = BinaryRequest::decode(&frame).unwrap();
    /// let write = RawBlockWrite::decode(request.payload, true)?;
    /// assert_eq!((write.table, write.rows, write.fields.len()), ("t1", 1, 2));
    /// assert_eq!(write.fields[1].name, "v");
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn decode(payload: &'a [u8], with_fields: bool) -> Result<RawBlockWrite<'a>> {
        let mut r = Reader::new(payload, "write_raw_block");
        let rows = r.i32("rows")?;
        let name_len = r.u16("table name length")?;
        let name = r.take(usize::from(name_len), "table name")?;
        let table = std::str::from_utf8(name)
            .map_err(|_| Error::result("write_raw_block: the table name is not UTF-8"))?;
        let rest = r.rest();
        let header = crate::block::BlockHeader::parse(rest)?;
        let block = rest.get(..header.length).ok_or_else(|| {
            Error::result(format!(
                "write_raw_block: the block says {} bytes, the frame has {}",
                header.length,
                rest.len()
            ))
        })?;
        let mut fields = Vec::new();
        if with_fields {
            let mut f = Reader::new(&rest[header.length..], "write_raw_block fields");
            let n = header.cols;
            if f.remaining() < n.saturating_mul(TAOS_FIELD_LEN) {
                return Err(f.error(format_args!("{n} fields need {} bytes", n * TAOS_FIELD_LEN)));
            }
            for _ in 0..n {
                let name = f.take(FIELD_NAME_LEN, "field name")?;
                let end = name.iter().position(|b| *b == 0).unwrap_or(name.len());
                let name = std::str::from_utf8(&name[..end])
                    .map_err(|_| Error::result("write_raw_block: a field name is not UTF-8"))?;
                let ty = f.u8("field type")?;
                f.take(2, "field padding")?;
                let bytes = f.i32("field bytes")?;
                fields.push(RawField {
                    name: name.to_owned(),
                    ty,
                    bytes,
                });
            }
        }
        Ok(RawBlockWrite {
            rows,
            table,
            block,
            fields,
        })
    }
}

/// Client: a `write_raw_block` frame (action 4) for `table`, or with `fields` a
/// `write_raw_block_with_fields` frame (action 5) naming the columns the block fills.
pub fn encode_write_raw_block(
    req_id: u64,
    table: &str,
    block: &[u8],
    fields: Option<&[Column]>,
) -> Result<Vec<u8>> {
    let header = crate::block::BlockHeader::parse(block)?;
    let name_len = u16::try_from(table.len())
        .map_err(|_| Error::interface("write_raw_block: the table name is too long"))?;
    let rows = i32::try_from(header.rows)
        .map_err(|_| Error::interface("write_raw_block: too many rows"))?;
    let action = if fields.is_some() {
        BinaryAction::WriteRawBlockWithFields
    } else {
        BinaryAction::WriteRawBlock
    };
    let n_fields = fields.map_or(0, <[Column]>::len);
    let mut w = Writer::with_capacity(
        HEADER_LEN + 6 + table.len() + block.len() + n_fields * TAOS_FIELD_LEN,
    );
    BinaryHeader {
        req_id,
        resource_id: req_id,
        action: action.code(),
    }
    .write(&mut w);
    w.i32(rows)
        .u16(name_len)
        .bytes(table.as_bytes())
        .bytes(block);
    if let Some(fields) = fields {
        if fields.len() != header.cols {
            return Err(Error::interface(format!(
                "write_raw_block: {} fields for a block of {} columns",
                fields.len(),
                header.cols
            )));
        }
        for c in fields {
            let mut name = [0u8; FIELD_NAME_LEN];
            let bytes = c.name.as_bytes();
            if bytes.len() >= FIELD_NAME_LEN {
                return Err(Error::interface(format!(
                    "write_raw_block: column name {:?} is longer than 64 bytes",
                    c.name
                )));
            }
            name[..bytes.len()].copy_from_slice(bytes);
            let width = i32::try_from(c.length).unwrap_or(i32::MAX);
            w.bytes(&name).u8(c.ty.code()).bytes(&[0, 0]).i32(width);
        }
    }
    Ok(w.into_inner())
}

/// A decoded `write_raw` payload: a TMQ raw message as `tmq_get_raw` gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawWrite<'a> {
    /// The raw type (`raw_type` of `tmq_raw_data`).
    pub raw_type: u16,
    /// The raw bytes.
    pub data: &'a [u8],
}

impl<'a> RawWrite<'a> {
    /// Server: reads the payload of action 3.
    ///
    /// ```
    /// use taosync_proto::ws::{BinaryRequest, RawWrite, encode_write_raw};
    /// let frame = encode_write_raw(5, 0xffff, b"{}")?;
    /// let request = BinaryRequest::decode(&frame).unwrap();
    /// assert_eq!(RawWrite::decode(request.payload)?, RawWrite { raw_type: 0xffff, data: b"{}" });
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn decode(payload: &'a [u8]) -> Result<RawWrite<'a>> {
        let mut r = Reader::new(payload, "write_raw");
        let length = r.u32("length")?;
        let raw_type = r.u16("raw type")?;
        let data = r.take_u32(length, "raw data")?;
        Ok(RawWrite { raw_type, data })
    }
}

/// Client: a `write_raw` frame (action 3) carrying a TMQ raw message.
pub fn encode_write_raw(req_id: u64, raw_type: u16, data: &[u8]) -> Result<Vec<u8>> {
    let length = u32::try_from(data.len())
        .map_err(|_| Error::interface("write_raw: the raw message is larger than 4 GiB"))?;
    let mut w = Writer::with_capacity(HEADER_LEN + 6 + data.len());
    BinaryHeader {
        req_id,
        resource_id: req_id,
        action: BinaryAction::WriteRaw.code(),
    }
    .write(&mut w);
    w.u32(length).u16(raw_type).bytes(data);
    Ok(w.into_inner())
}

/// The block's column types, for checks against [`RawField`] types.
pub fn field_type(field: &RawField) -> Option<Type> {
    Type::from_code(field.ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_lying_frames_are_errors() {
        assert!(RawBlockWrite::decode(&[1, 0, 0], false).is_err());
        // A name length past the end.
        assert!(RawBlockWrite::decode(&[1, 0, 0, 0, 200, 0, b'a'], false).is_err());
        // A raw length past the end.
        assert!(RawWrite::decode(&[100, 0, 0, 0, 0, 0, 1, 2]).is_err());
    }
}
