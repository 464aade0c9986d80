//! The raw block format (01 §3): encode and decode.
//!
//! A raw block is how TDengine ships one batch of result rows: a 28-byte header, one 5-byte
//! schema entry per column, one `i32` data length per column, then the columns one after
//! another. Fixed-width columns are an MSB-first null bitmap followed by packed
//! little-endian values; variable-width columns are `rows` `i32` offsets (−1 = NULL) into a
//! heap of length-prefixed payloads (u16 prefix, u32 for BLOB). Current servers append one
//! `00` byte counted in the header's `length`; older ones do not, so readers accept any
//! number of bytes after the last column.
//!
//! * [`decode_block`] turns a block into a [`DecodedBlock`] (schema and row-major values);
//!   [`decode_rows`] is the fast path that checks the block against known columns and
//!   yields [`Row`]s directly.
//! * [`encode_block`] / [`encode_block_with_group`] write exactly what a current server
//!   writes (version 1, flag `0x8000_0000`, trailing byte).
//! * [`internal_width`] / [`declared_width`] convert between the widths in schema entries
//!   and the declared widths that REST `column_meta` and WS field lists report.
//!
//! Every decoder treats its input as hostile: counts are checked against the bytes present
//! before anything is allocated, and malformed input gives an
//! [`ErrorKind::Result`] error, never a panic.
//!
//! ```
//! use taosync_proto::block::{decode_block, encode_block};
//! use taosync_proto::{Column, Precision, Timestamp, Type, Value};
//!
//! let columns = [Column::new("ts", Type::Timestamp, 8), Column::new("s", Type::VarChar, 10)];
//! let rows = vec![vec![
//!     Value::Timestamp(Timestamp::new(1_700_000_000_000, Precision::Millisecond)),
//!     Value::VarChar("ab".into()),
//! ]];
//! let bytes = encode_block(&columns, &rows).unwrap();
//! let block = decode_block(&bytes, Precision::Millisecond).unwrap();
//! assert_eq!(block.rows, rows);
//! assert_eq!(block.fields[1].bytes, 12); // VARCHAR(10) is 12 bytes wide inside a block
//! ```

use std::sync::Arc;

use crate::bytes::Reader;
use crate::error::{Error, ErrorKind, Result};
use crate::row::{Column, Row};
use crate::types::{Decimal, Precision, Timestamp, Type};
use crate::value::Value;

/// Size of the block header in bytes.
pub const HEADER_LEN: usize = 28;
/// Size of one column schema entry (type code + `bytes`).
pub const SCHEMA_ENTRY_LEN: usize = 5;
/// The block version current servers write.
pub const BLOCK_VERSION: i32 = 1;
/// The "has column schema" flag current servers write at offset 16.
pub const BLOCK_FLAG: u32 = 0x8000_0000;
/// The internal width of a JSON column in a schema entry.
pub const JSON_INTERNAL_WIDTH: u32 = 16_384;
/// The declared width REST and WS report for a JSON column.
pub const JSON_DECLARED_WIDTH: u32 = 4_095;

/// How the values of a type are laid out in a block: the one per-type table the encoder,
/// the decoder and the width conversions share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Storage {
    /// Null bitmap, then packed values of this many bytes.
    Fixed(usize),
    /// Offsets, then a heap of entries with a length prefix of this many bytes (2 or 4).
    Var(usize),
}

impl Storage {
    /// The layout of `ty`, or `None` for types no server puts in a block (MEDIUMBLOB).
    fn of(ty: Type) -> Option<Storage> {
        match ty {
            Type::MediumBlob => None,
            Type::Blob => Some(Storage::Var(4)),
            _ => Some(match ty.fixed_size() {
                Some(width) => Storage::Fixed(width),
                None => Storage::Var(2),
            }),
        }
    }
}

/// The width a block schema entry holds for a column of `ty` declared `declared` wide.
///
/// * VARCHAR, VARBINARY, GEOMETRY: `declared + 2` (the u16 length prefix);
/// * NCHAR: `declared × 4 + 2` (characters are UCS-4);
/// * JSON: always [`JSON_INTERNAL_WIDTH`];
/// * BLOB: `declared + 4` (the u32 length prefix; the engine's limit is 4 MiB + 4);
/// * fixed types: their byte size. DECIMAL and DECIMAL64 return their storage size (16
///   and 8); their schema entry packs precision and scale too, see [`BlockField::decimal`].
///
/// Arithmetic saturates, so absurd inputs cannot overflow.
pub fn internal_width(ty: Type, declared: u32) -> u32 {
    match ty {
        Type::VarChar | Type::VarBinary | Type::Geometry => declared.saturating_add(2),
        Type::NChar => declared.saturating_mul(4).saturating_add(2),
        Type::Json => JSON_INTERNAL_WIDTH,
        Type::Blob | Type::MediumBlob => declared.saturating_add(4),
        _ => fixed_width(ty),
    }
}

/// The inverse of [`internal_width`]: the declared width REST `column_meta` and WS
/// `fields_lengths` report for a schema entry of `ty` with width `internal`. JSON gives
/// [`JSON_DECLARED_WIDTH`]; DECIMAL and DECIMAL64 give 16 and 8.
pub fn declared_width(ty: Type, internal: u32) -> u32 {
    match ty {
        Type::VarChar | Type::VarBinary | Type::Geometry => internal.saturating_sub(2),
        Type::NChar => internal.saturating_sub(2) / 4,
        Type::Json => JSON_DECLARED_WIDTH,
        Type::Blob | Type::MediumBlob => internal.saturating_sub(4),
        _ => fixed_width(ty),
    }
}

fn fixed_width(ty: Type) -> u32 {
    ty.fixed_size()
        .and_then(|w| u32::try_from(w).ok())
        .unwrap_or(0)
}

/// One column schema entry of a block: the type and its internal width.
///
/// For DECIMAL and DECIMAL64 the four `bytes` are overloaded (01 §3.2): byte 0 is the
/// scale, byte 1 the precision, byte 3 the storage size (16 or 8), i.e.
/// `size << 24 | precision << 8 | scale`. Use [`decimal_precision`](Self::decimal_precision)
/// and [`decimal_scale`](Self::decimal_scale) to read them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BlockField {
    /// The column type.
    pub ty: Type,
    /// The internal width (see [`internal_width`]), or the packed decimal description.
    pub bytes: u32,
}

impl BlockField {
    /// A schema entry of `ty` with raw width `bytes`.
    pub const fn new(ty: Type, bytes: u32) -> BlockField {
        BlockField { ty, bytes }
    }

    /// The schema entry of a DECIMAL (`ty` = [`Type::Decimal`]) or DECIMAL64 column.
    pub fn decimal(ty: Type, precision: u8, scale: u8) -> BlockField {
        let size = if ty == Type::Decimal64 { 8 } else { 16 };
        BlockField {
            ty,
            bytes: u32::from_le_bytes([scale, precision, 0, size]),
        }
    }

    /// The schema entry a server writes for `column`: the internal width derived from the
    /// declared `length`, or the packed precision and scale of a decimal.
    pub fn for_column(column: &Column) -> BlockField {
        if column.ty.is_decimal() {
            BlockField::decimal(column.ty, column.precision, column.scale)
        } else {
            BlockField::new(column.ty, internal_width(column.ty, column.length))
        }
    }

    /// DECIMAL precision (byte 1 of `bytes`); meaningless for other types.
    pub fn decimal_precision(&self) -> u8 {
        self.bytes.to_le_bytes()[1]
    }

    /// DECIMAL scale (byte 0 of `bytes`); meaningless for other types.
    pub fn decimal_scale(&self) -> u8 {
        self.bytes.to_le_bytes()[0]
    }

    /// DECIMAL storage size, 16 or 8 (byte 3 of `bytes`); meaningless for other types.
    pub fn decimal_size(&self) -> u8 {
        self.bytes.to_le_bytes()[3]
    }

    /// The declared width REST and WS report for this entry (see [`declared_width`]).
    pub fn declared_length(&self) -> u32 {
        declared_width(self.ty, self.bytes)
    }

    /// A [`Column`] named `name` for this entry, with its declared width and, for
    /// decimals, precision and scale.
    pub fn to_column(&self, name: impl Into<String>) -> Column {
        let column = Column::new(name, self.ty, self.declared_length());
        if self.ty.is_decimal() {
            column.with_decimal(self.decimal_precision(), self.decimal_scale())
        } else {
            column
        }
    }
}

/// The 28-byte header of a raw block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    /// Block version (1 from servers; readers do not insist on it).
    pub version: i32,
    /// Total length of the block in bytes, header and trailing byte included.
    pub length: usize,
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// The "has column schema" flag (ignored by readers).
    pub flag: u32,
    /// Group id (0 for ordinary queries).
    pub group_id: u64,
}

impl BlockHeader {
    /// Reads the header at the start of `bytes`. Checks only that it is present and that
    /// `length`, `rows` and `cols` are not negative and `length` covers the header.
    pub fn parse(bytes: &[u8]) -> Result<BlockHeader> {
        let mut r = Reader::new(bytes, "raw block");
        let version = r.i32("version")?;
        let length = count(&mut r, "length")?;
        let rows = count(&mut r, "row count")?;
        let cols = count(&mut r, "column count")?;
        let flag = r.u32("flag")?;
        let group_id = r.u64("group id")?;
        if length < HEADER_LEN {
            return Err(Error::result(format!(
                "raw block length {length} is shorter than its {HEADER_LEN}-byte header"
            )));
        }
        Ok(BlockHeader {
            version,
            length,
            rows,
            cols,
            flag,
            group_id,
        })
    }
}

/// A decoded raw block: its group id, schema and values, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedBlock {
    /// The block's group id (0 for ordinary queries).
    pub group_id: u64,
    /// One schema entry per column.
    pub fields: Vec<BlockField>,
    /// The values, one `Vec` per row, in column order.
    pub rows: Vec<Vec<Value>>,
}

/// Decodes a raw block whose timestamps are in `precision`.
///
/// The block is `bytes[..length]` (the header's `length`); bytes after the last column
/// within it (the trailing byte of newer servers) are ignored. VARCHAR and JSON payloads
/// must be UTF-8 and NCHAR payloads valid UCS-4; anything malformed is an
/// [`ErrorKind::Result`] error.
///
/// Value lengths are not checked against the widths in the block's schema: a block a
/// client sent (stmt binds) is checked by its reader against the table instead. Readers
/// of server results use [`decode_rows`], [`BlockRows`] or [`BlockView`], which refuse a
/// value longer than its column.
pub fn decode_block(bytes: &[u8], precision: Precision) -> Result<DecodedBlock> {
    let parsed = ParsedBlock::parse(bytes)?;
    let fields = parsed.columns.iter().map(|c| c.field).collect();
    let rows = parsed.collect_rows(precision, false, Ok)?;
    Ok(DecodedBlock {
        group_id: parsed.header.group_id,
        fields,
        rows,
    })
}

/// A validated raw block whose columns are read in place, without decoding any value
/// into a [`Value`]: for columnar consumers (Arrow arrays, typed column slices) that copy
/// fixed-width data in bulk and decode strings once per column.
///
/// Parsing checks the header, the schema and that every column's data lies within the
/// block, so reading a column afterwards cannot run out of bounds.
///
/// ```
/// use taosync_proto::block::{BlockView, encode_block};
/// use taosync_proto::{Column, Type, Value};
/// let columns = [Column::new("v", Type::Int, 4), Column::new("s", Type::VarChar, 8)];
/// let rows = [
///     vec![Value::Int(7), Value::VarChar("a".into())],
///     vec![Value::Null, Value::Null],
/// ];
/// let bytes = encode_block(&columns, &rows)?;
/// let block = BlockView::parse(&bytes)?;
/// assert_eq!((block.rows(), block.column_count()), (2, 2));
/// let v = block.column(0).unwrap();
/// assert_eq!(v.fixed_values().map(|b| &b[..4]), Some(&7_i32.to_le_bytes()[..]));
/// assert!(!v.is_null(0) && v.is_null(1));
/// let s = block.column(1).unwrap();
/// assert_eq!(s.var_value(0)?, Some(&b"a"[..]));
/// assert_eq!(s.var_value(1)?, None);
/// # Ok::<(), taosync_proto::Error>(())
/// ```
pub struct BlockView<'a> {
    parsed: ParsedBlock<'a>,
}

impl<'a> BlockView<'a> {
    /// Validates `bytes` as a raw block (see [`decode_block`] for what is checked).
    pub fn parse(bytes: &'a [u8]) -> Result<BlockView<'a>> {
        ParsedBlock::parse(bytes).map(|parsed| BlockView { parsed })
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.parsed.header.rows
    }

    /// The block's group id (0 for ordinary queries).
    pub fn group_id(&self) -> u64 {
        self.parsed.header.group_id
    }

    /// The number of columns.
    pub fn column_count(&self) -> usize {
        self.parsed.columns.len()
    }

    /// Column `i`, `None` past the last.
    pub fn column(&self, i: usize) -> Option<ColumnSlice<'_, 'a>> {
        self.parsed.columns.get(i).map(|view| ColumnSlice {
            view,
            rows: self.parsed.header.rows,
        })
    }
}

/// One column of a [`BlockView`], read in place.
#[derive(Clone, Copy)]
pub struct ColumnSlice<'v, 'a> {
    view: &'v ColumnView<'a>,
    rows: usize,
}

impl<'a> ColumnSlice<'_, 'a> {
    /// The column's type and width as the block describes it.
    pub fn field(&self) -> BlockField {
        self.view.field
    }

    /// True when row `row` is NULL (rows past the end count as NULL).
    pub fn is_null(&self, row: usize) -> bool {
        if row >= self.rows {
            return true;
        }
        match self.view.data {
            ColumnData::Fixed { bitmap, .. } => bitmap
                .get(row >> 3)
                .is_some_and(|b| b & (0x80 >> (row & 7)) != 0),
            ColumnData::Var { offsets, .. } => offsets
                .get(row * 4..row * 4 + 4)
                .and_then(|b| b.first_chunk::<4>())
                .is_none_or(|b| i32::from_le_bytes(*b) < 0),
        }
    }

    /// A fixed-width column's values: `rows × width` little-endian bytes (a NULL row's
    /// bytes are unspecified); `None` for variable-width columns.
    pub fn fixed_values(&self) -> Option<&'a [u8]> {
        match self.view.data {
            ColumnData::Fixed { values, .. } => Some(values),
            ColumnData::Var { .. } => None,
        }
    }

    /// The column's two parts as the block lays them out, for readers that hand them on
    /// in place (a C `taos_fetch_block`): for a fixed-width column the MSB-first null
    /// bitmap and the values; for a variable-width one the `rows` little-endian `i32`
    /// offsets (−1 = NULL) and the heap of length-prefixed entries they point into. Only
    /// the slices' bounds were checked by [`BlockView::parse`], not the offsets.
    ///
    /// ```
    /// use taosync_proto::block::{BlockView, encode_block};
    /// use taosync_proto::{Column, Type, Value};
    /// let columns = [Column::new("s", Type::VarChar, 8)];
    /// let bytes = encode_block(&columns, &[vec![Value::VarChar("ab".into())], vec![Value::Null]])?;
    /// let block = BlockView::parse(&bytes)?;
    /// let (offsets, heap) = block.column(0).unwrap().parts();
    /// assert_eq!(offsets, [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    /// assert_eq!(heap, [2, 0, b'a', b'b']);
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn parts(&self) -> (&'a [u8], &'a [u8]) {
        match self.view.data {
            ColumnData::Fixed { bitmap, values, .. } => (bitmap, values),
            ColumnData::Var { offsets, heap, .. } => (offsets, heap),
        }
    }

    /// The byte width of one fixed-width value (0 for variable-width columns).
    pub fn width(&self) -> usize {
        match self.view.data {
            ColumnData::Fixed { width, .. } => width,
            ColumnData::Var { .. } => 0,
        }
    }

    /// The value at `row` of a fixed-width column (`None` for NULL), its TIMESTAMPs in
    /// `precision`; an error for a variable-width column or a row past the end.
    fn fixed_at(&self, row: usize, precision: Precision) -> Result<Option<Value>> {
        let ColumnData::Fixed { values, width, .. } = self.view.data else {
            return Err(Error::result(format!(
                "raw block: {} is not a fixed-width column",
                self.view.field.ty
            )));
        };
        if self.is_null(row) {
            return Ok(None);
        }
        let chunk = values
            .get(row * width..row * width + width)
            .ok_or_else(|| Error::result(format!("raw block has no row {row}")))?;
        fixed_value(self.view.field, chunk, precision).map(Some)
    }

    /// A variable-width column's payload at `row` (UTF-8 for VARCHAR and JSON, UCS-4 for
    /// NCHAR, raw bytes otherwise), `None` when NULL; an error for a fixed-width column or
    /// an entry that runs past the heap.
    pub fn var_value(&self, row: usize) -> Result<Option<&'a [u8]>> {
        let ColumnData::Var {
            offsets,
            heap,
            prefix,
        } = self.view.data
        else {
            return Err(Error::result(format!(
                "raw block: {} is not a variable-width column",
                self.view.field.ty
            )));
        };
        let offset = offsets
            .get(row * 4..row * 4 + 4)
            .and_then(|b| b.first_chunk::<4>())
            .map(|b| i32::from_le_bytes(*b))
            .ok_or_else(|| Error::result(format!("raw block has no row {row}")))?;
        if offset == -1 {
            return Ok(None);
        }
        let payload = var_payload(heap, offset, prefix, row)?;
        check_width(self.view.field, prefix, payload.len(), row)?;
        Ok(Some(payload))
    }
}

/// The rows of one raw block, decoded one at a time as they are taken: the block stays
/// in its wire form (validated once, as by [`decode_block`]), and only the rows the caller
/// holds exist as [`Row`]s. Memory for a block is therefore its bytes on the wire plus the
/// rows taken from it, whatever shape its data has (a block of 8M one-byte BOOL rows is
/// not turned into 8M rows at once).
///
/// ```
/// use std::sync::Arc;
/// use taosync_proto::block::{BlockRows, encode_block};
/// use taosync_proto::{Column, Precision, Type, Value};
/// let columns: Arc<[Column]> = Arc::from(vec![Column::new("v", Type::Int, 4)]);
/// let bytes = encode_block(&columns, &[vec![Value::Int(1)], vec![Value::Int(2)]])?;
/// let mut rows = BlockRows::new(bytes, Precision::Millisecond, Arc::clone(&columns))?;
/// assert_eq!(rows.remaining(), 2);
/// assert_eq!(rows.next().transpose()?.unwrap().get::<i32>(0)?, 1);
/// assert_eq!(rows.remaining(), 1);
/// # Ok::<(), taosync_proto::Error>(())
/// ```
pub struct BlockRows {
    bytes: Vec<u8>,
    layout: Vec<ColumnLayout>,
    columns: Arc<[Column]>,
    precision: Precision,
    rows: usize,
    next: usize,
}

/// Where one column's data lies in [`BlockRows::bytes`].
#[derive(Clone, Debug)]
struct ColumnLayout {
    field: BlockField,
    kind: LayoutKind,
}

#[derive(Clone, Debug)]
enum LayoutKind {
    Fixed {
        bitmap: std::ops::Range<usize>,
        values: std::ops::Range<usize>,
        width: usize,
    },
    Var {
        offsets: std::ops::Range<usize>,
        heap: std::ops::Range<usize>,
        prefix: usize,
    },
}

/// The range `part` occupies inside `whole` (a subslice of it).
fn range_in(whole: &[u8], part: &[u8]) -> std::ops::Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    start..start + part.len()
}

impl BlockRows {
    /// Validates `bytes` as a block of `columns` (count and types must match).
    pub fn new(bytes: Vec<u8>, precision: Precision, columns: Arc<[Column]>) -> Result<BlockRows> {
        let parsed = ParsedBlock::parse(&bytes)?;
        check_columns(&parsed, &columns)?;
        let layout = parsed
            .columns
            .iter()
            .map(|c| ColumnLayout {
                field: c.field,
                kind: match c.data {
                    ColumnData::Fixed {
                        bitmap,
                        values,
                        width,
                    } => LayoutKind::Fixed {
                        bitmap: range_in(&bytes, bitmap),
                        values: range_in(&bytes, values),
                        width,
                    },
                    ColumnData::Var {
                        offsets,
                        heap,
                        prefix,
                    } => LayoutKind::Var {
                        offsets: range_in(&bytes, offsets),
                        heap: range_in(&bytes, heap),
                        prefix,
                    },
                },
            })
            .collect();
        let rows = parsed.header.rows;
        Ok(BlockRows {
            bytes,
            layout,
            columns,
            precision,
            rows,
            next: 0,
        })
    }

    /// How many rows have not been taken yet.
    pub fn remaining(&self) -> usize {
        self.rows - self.next
    }

    /// The block's bytes on the wire.
    pub fn wire_len(&self) -> usize {
        self.bytes.len()
    }

    fn row(&self, row: usize) -> Result<Row> {
        let mut values = Vec::with_capacity(self.layout.len());
        for column in &self.layout {
            let part = |r: &std::ops::Range<usize>| self.bytes.get(r.clone()).unwrap_or_default();
            let data = match &column.kind {
                LayoutKind::Fixed {
                    bitmap,
                    values,
                    width,
                } => ColumnData::Fixed {
                    bitmap: part(bitmap),
                    values: part(values),
                    width: *width,
                },
                LayoutKind::Var {
                    offsets,
                    heap,
                    prefix,
                } => ColumnData::Var {
                    offsets: part(offsets),
                    heap: part(heap),
                    prefix: *prefix,
                },
            };
            let view = ColumnView {
                field: column.field,
                data,
            };
            let slice = ColumnSlice {
                view: &view,
                rows: self.rows,
            };
            let value = match view.data {
                ColumnData::Fixed { .. } => {
                    slice.fixed_at(row, self.precision)?.unwrap_or(Value::Null)
                }
                ColumnData::Var { .. } => match slice.var_value(row)? {
                    None => Value::Null,
                    Some(payload) => var_value(view.field.ty, payload, row)?,
                },
            };
            values.push(value);
        }
        Row::new(Arc::clone(&self.columns), values)
    }
}

impl Iterator for BlockRows {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        if self.next >= self.rows {
            return None;
        }
        let row = self.next;
        self.next += 1;
        let r = self.row(row);
        if r.is_err() {
            // A malformed row ends the block: nothing after it is trusted.
            self.next = self.rows;
        }
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining(), Some(self.remaining()))
    }
}

impl std::fmt::Debug for BlockRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockRows")
            .field("rows", &self.rows)
            .field("next", &self.next)
            .field("wire_len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

fn check_columns(parsed: &ParsedBlock<'_>, columns: &[Column]) -> Result<()> {
    if parsed.columns.len() != columns.len() {
        return Err(Error::result(format!(
            "raw block has {} columns but the result has {}",
            parsed.columns.len(),
            columns.len()
        )));
    }
    for (i, (view, column)) in parsed.columns.iter().zip(columns.iter()).enumerate() {
        if view.field.ty != column.ty {
            return Err(Error::result(format!(
                "raw block column {i} is {} but result column {:?} is {}",
                view.field.ty,
                column.name,
                column.type_name()
            )));
        }
    }
    Ok(())
}

/// One value of a raw block, borrowed from it where the wire form allows: VARCHAR and
/// JSON as `&str`, binary types as `&[u8]`; fixed-width values are copied out as a
/// [`Value`] (which allocates nothing for them); NCHAR is decoded from UCS-4.
///
/// ```
/// use taosync_proto::block::{BlockView, ValueRef, encode_block};
/// use taosync_proto::{Column, Precision, Type, Value};
/// let columns = [Column::new("v", Type::Int, 4), Column::new("s", Type::VarChar, 8)];
/// let bytes = encode_block(&columns, &[vec![Value::Int(7), Value::from("abc")]])?;
/// let block = BlockView::parse(&bytes)?;
/// assert_eq!(block.value_ref(0, 0, Precision::Millisecond)?, ValueRef::Fixed(Value::Int(7)));
/// assert_eq!(block.value_ref(0, 1, Precision::Millisecond)?.as_str(), Some("abc"));
/// # Ok::<(), taosync_proto::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ValueRef<'a> {
    /// NULL.
    Null,
    /// A fixed-width value (never [`Value::Null`]): BOOL, the integers, the floats,
    /// TIMESTAMP, DECIMAL.
    Fixed(Value),
    /// A VARCHAR value.
    VarChar(&'a str),
    /// A JSON value (its text).
    Json(&'a str),
    /// An NCHAR value, decoded from UCS-4 (owned when it came from a block).
    NChar(std::borrow::Cow<'a, str>),
    /// A VARBINARY value.
    VarBinary(&'a [u8]),
    /// A GEOMETRY value (WKB).
    Geometry(&'a [u8]),
    /// A BLOB value.
    Blob(&'a [u8]),
}

impl<'a> ValueRef<'a> {
    /// True for NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, ValueRef::Null)
    }

    /// The text of a VARCHAR, JSON or NCHAR value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ValueRef::VarChar(s) | ValueRef::Json(s) => Some(s),
            ValueRef::NChar(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a VARBINARY, GEOMETRY or BLOB value.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            ValueRef::VarBinary(b) | ValueRef::Geometry(b) | ValueRef::Blob(b) => Some(b),
            _ => None,
        }
    }

    /// The owned [`Value`].
    pub fn to_value(&self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Fixed(v) => v.clone(),
            ValueRef::VarChar(s) => Value::VarChar((*s).to_owned()),
            ValueRef::Json(s) => Value::Json((*s).to_owned()),
            ValueRef::NChar(s) => Value::NChar(s.clone().into_owned()),
            ValueRef::VarBinary(b) => Value::VarBinary(b.to_vec()),
            ValueRef::Geometry(b) => Value::Geometry(b.to_vec()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

impl<'a> From<&'a Value> for ValueRef<'a> {
    /// Borrows an owned value.
    fn from(v: &'a Value) -> ValueRef<'a> {
        match v {
            Value::Null => ValueRef::Null,
            Value::VarChar(s) => ValueRef::VarChar(s),
            Value::Json(s) => ValueRef::Json(s),
            Value::NChar(s) => ValueRef::NChar(std::borrow::Cow::Borrowed(s)),
            Value::VarBinary(b) => ValueRef::VarBinary(b),
            Value::Geometry(b) => ValueRef::Geometry(b),
            Value::Blob(b) => ValueRef::Blob(b),
            other => ValueRef::Fixed(other.clone()),
        }
    }
}

impl<'a> BlockView<'a> {
    /// The value at `row` of column `col`, borrowed from the block where its wire form
    /// allows (see [`ValueRef`]); TIMESTAMPs are read in `precision`. A value longer than
    /// its column, malformed UTF-8 or UCS-4, or a row or column past the end is an error.
    pub fn value_ref(&self, row: usize, col: usize, precision: Precision) -> Result<ValueRef<'a>> {
        let slice = self
            .column(col)
            .ok_or_else(|| Error::result(format!("raw block has no column {col}")))?;
        if row >= self.rows() {
            return Err(Error::result(format!("raw block has no row {row}")));
        }
        let field = slice.field();
        match slice.view.data {
            ColumnData::Fixed { .. } => Ok(slice
                .fixed_at(row, precision)?
                .map_or(ValueRef::Null, ValueRef::Fixed)),
            ColumnData::Var { .. } => {
                let Some(payload) = slice.var_value(row)? else {
                    return Ok(ValueRef::Null);
                };
                let utf8 = |what: &str| {
                    std::str::from_utf8(payload).map_err(|e| {
                        Error::result(format!(
                            "raw block row {row}: {what} value is not UTF-8: {e}"
                        ))
                    })
                };
                Ok(match field.ty {
                    Type::VarChar => ValueRef::VarChar(utf8("VARCHAR")?),
                    Type::Json => ValueRef::Json(utf8("JSON")?),
                    Type::NChar => {
                        ValueRef::NChar(std::borrow::Cow::Owned(ucs4_to_string(payload, row)?))
                    }
                    Type::VarBinary => ValueRef::VarBinary(payload),
                    Type::Geometry => ValueRef::Geometry(payload),
                    Type::Blob => ValueRef::Blob(payload),
                    other => {
                        return Err(Error::result(format!(
                            "raw block: {other} is not a variable-width type"
                        )));
                    }
                })
            }
        }
    }
}

impl BlockView<'_> {
    /// Calls `f` with each row's values in order, borrowed as [`value_ref`](Self::value_ref)
    /// gives them, with one buffer for every row. NCHAR columns are decoded from UCS-4 once
    /// per column into one string, so their values borrow too: nothing is allocated per
    /// row or per value. Rows are decoded 256 at a time, column by column; a malformed
    /// value fails the call before the rows of its group of 256 reach `f`.
    ///
    /// ```
    /// use taosync_proto::block::{BlockView, encode_block};
    /// use taosync_proto::{Column, Precision, Type, Value};
    ///
    /// let columns = [Column::new("n", Type::NChar, 8), Column::new("v", Type::Int, 4)];
    /// let bytes = encode_block(
    ///     &columns,
    ///     &[
    ///         vec![Value::NChar("été".into()), Value::Int(1)],
    ///         vec![Value::Null, Value::Int(2)],
    ///     ],
    /// )?;
    /// let mut seen = Vec::new();
    /// BlockView::parse(&bytes)?.for_each_row(Precision::Millisecond, |row| {
    ///     seen.push((row[0].as_str().map(str::to_owned), row[1].is_null()));
    ///     Ok(())
    /// })?;
    /// assert_eq!(seen, [(Some("été".to_owned()), false), (None, false)]);
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn for_each_row(
        &self,
        precision: Precision,
        mut f: impl FnMut(&[ValueRef<'_>]) -> Result<()>,
    ) -> Result<()> {
        let cols = self.column_count();
        let mut nchar: Vec<Option<DecodedNChar>> = Vec::with_capacity(cols);
        for c in 0..cols {
            let Some(slice) = self.column(c) else {
                return Err(Error::result(format!("raw block has no column {c}")));
            };
            if slice.field().ty != Type::NChar {
                nchar.push(None);
                continue;
            }
            let mut text = String::new();
            let mut ranges = Vec::with_capacity(self.rows());
            for r in 0..self.rows() {
                ranges.push(match slice.var_value(r)? {
                    None => None,
                    Some(payload) => {
                        let start = text.len();
                        push_ucs4(&mut text, payload, r)?;
                        Some(start..text.len())
                    }
                });
            }
            nchar.push(Some((text, ranges)));
        }
        // Rows are decoded FOR_EACH_CHUNK at a time, column by column, so each column's
        // type is looked at once per chunk rather than once per value.
        let rows = self.rows();
        let mut buf: Vec<ValueRef<'_>> = Vec::with_capacity(FOR_EACH_CHUNK.min(rows) * cols);
        let mut r0 = 0;
        while r0 < rows {
            let n = FOR_EACH_CHUNK.min(rows - r0);
            // Every cell is written below, so the buffer is only sized (once, and again
            // for a shorter last group), never cleared.
            buf.resize(n * cols, ValueRef::Null);
            for (c, decoded) in nchar.iter().enumerate() {
                let cells = buf.iter_mut().skip(c).step_by(cols);
                match decoded {
                    Some((text, ranges)) => {
                        for (cell, range) in cells.zip(ranges.iter().skip(r0)) {
                            *cell = match range {
                                Some(range) => ValueRef::NChar(std::borrow::Cow::Borrowed(
                                    text.get(range.clone()).unwrap_or_default(),
                                )),
                                None => ValueRef::Null,
                            };
                        }
                    }
                    None => {
                        let Some(slice) = self.column(c) else {
                            return Err(Error::result(format!("raw block has no column {c}")));
                        };
                        if let ColumnData::Fixed { .. } = slice.view.data {
                            fill_fixed(&slice, r0, cells, precision)?;
                        } else {
                            for (i, cell) in cells.enumerate() {
                                *cell = self.value_ref(r0 + i, c, precision)?;
                            }
                        }
                    }
                }
            }
            for row in buf.chunks_exact(cols.max(1)) {
                f(row)?;
            }
            r0 += n;
        }
        Ok(())
    }
}

/// How many rows [`BlockView::for_each_row`] decodes at a time.
const FOR_EACH_CHUNK: usize = 256;

/// Fills `cells` (rows `r0..` of a fixed-width column) with its values, dispatching on
/// the column's type once: the common types get a loop of their own.
fn fill_fixed<'c, 'v: 'c>(
    slice: &ColumnSlice<'_, '_>,
    r0: usize,
    cells: impl Iterator<Item = &'c mut ValueRef<'v>>,
    precision: Precision,
) -> Result<()> {
    let field = slice.field();
    match field.ty {
        Type::Int => fill_with(slice, r0, cells, |b| {
            Ok(Value::Int(i32::from_le_bytes(le(b)?)))
        }),
        Type::BigInt => fill_with(slice, r0, cells, |b| {
            Ok(Value::BigInt(i64::from_le_bytes(le(b)?)))
        }),
        Type::Double => fill_with(slice, r0, cells, |b| {
            Ok(Value::Double(f64::from_le_bytes(le(b)?)))
        }),
        Type::Float => fill_with(slice, r0, cells, |b| {
            Ok(Value::Float(f32::from_le_bytes(le(b)?)))
        }),
        Type::Timestamp => fill_with(slice, r0, cells, |b| {
            let t = i64::from_le_bytes(le(b)?);
            Ok(Value::Timestamp(Timestamp::new(t, precision)))
        }),
        Type::Bool => fill_with(slice, r0, cells, |b| {
            Ok(Value::Bool(b.first().is_some_and(|v| *v != 0)))
        }),
        Type::TinyInt => fill_with(slice, r0, cells, |b| {
            Ok(Value::TinyInt(i8::from_le_bytes(le(b)?)))
        }),
        Type::SmallInt => fill_with(slice, r0, cells, |b| {
            Ok(Value::SmallInt(i16::from_le_bytes(le(b)?)))
        }),
        Type::UTinyInt => fill_with(slice, r0, cells, |b| {
            Ok(Value::UTinyInt(u8::from_le_bytes(le(b)?)))
        }),
        Type::USmallInt => fill_with(slice, r0, cells, |b| {
            Ok(Value::USmallInt(u16::from_le_bytes(le(b)?)))
        }),
        Type::UInt => fill_with(slice, r0, cells, |b| {
            Ok(Value::UInt(u32::from_le_bytes(le(b)?)))
        }),
        Type::UBigInt => fill_with(slice, r0, cells, |b| {
            Ok(Value::UBigInt(u64::from_le_bytes(le(b)?)))
        }),
        _ => fill_with(slice, r0, cells, |b| fixed_value(field, b, precision)),
    }
}

/// [`fill_fixed`]'s loop for one conversion.
fn fill_with<'c, 'v: 'c>(
    slice: &ColumnSlice<'_, '_>,
    r0: usize,
    cells: impl Iterator<Item = &'c mut ValueRef<'v>>,
    conv: impl Fn(&[u8]) -> Result<Value>,
) -> Result<()> {
    let ColumnData::Fixed { values, width, .. } = slice.view.data else {
        return Err(Error::result("raw block: not a fixed-width column"));
    };
    for (i, cell) in cells.enumerate() {
        let r = r0 + i;
        if slice.is_null(r) {
            *cell = ValueRef::Null;
            continue;
        }
        let chunk = values
            .get(r * width..r * width + width)
            .ok_or_else(|| Error::result(format!("raw block has no row {r}")))?;
        *cell = ValueRef::Fixed(conv(chunk)?);
    }
    Ok(())
}

/// An NCHAR column of a block decoded: its values back to back, and each row's range
/// (`None` for NULL).
type DecodedNChar = (String, Vec<Option<std::ops::Range<usize>>>);

/// Decodes one NCHAR payload (UCS-4, little-endian) into a `String`.
///
/// ```
/// let s = taosync_proto::block::nchar_to_string(&[0xFC, 0, 0, 0])?;
/// assert_eq!(s, "ü");
/// # Ok::<(), taosync_proto::Error>(())
/// ```
pub fn nchar_to_string(payload: &[u8]) -> Result<String> {
    ucs4_to_string(payload, 0)
}

/// Decodes a raw block straight into [`Row`]s sharing `columns`.
///
/// The block must have as many columns as `columns`, of the same types (in order);
/// otherwise it is an [`ErrorKind::Result`] error. One `Vec` is allocated per row, plus
/// the payload of each string or binary value; a value longer than its column's width in
/// the schema is an error, so a block cannot decode into more than its rows × its widths.
pub fn decode_rows(
    bytes: &[u8],
    precision: Precision,
    columns: &Arc<[Column]>,
) -> Result<Vec<Row>> {
    let parsed = ParsedBlock::parse(bytes)?;
    check_columns(&parsed, columns)?;
    parsed.collect_rows(precision, true, |values| {
        Row::new(Arc::clone(columns), values)
    })
}

/// Encodes `rows` (row-major, each as long as `columns`) as a raw block with group id 0,
/// exactly as a current server writes it. See [`encode_block_with_group`].
pub fn encode_block<R: AsRef<[Value]>>(columns: &[Column], rows: &[R]) -> Result<Vec<u8>> {
    encode_block_with_group(columns, rows, 0)
}

/// Encodes `rows` as a raw block with `group_id`: version 1, flag `0x8000_0000`, schema
/// entries from [`BlockField::for_column`], LE lengths, and a trailing `00` byte counted
/// in the length.
///
/// Each value must be NULL or of its column's type (an [`ErrorKind::Interface`] error
/// otherwise, as is a row of the wrong length): the block format has no room for
/// conversions. Timestamps are written as their raw epoch count, so they must already be
/// in the result's precision. A decimal is rescaled to its column's precision and scale.
/// A value the format cannot hold (a string over 65 535 bytes, a decimal that does not fit
/// its column, a block over 2 GiB) is an [`ErrorKind::Data`] error, and a MEDIUMBLOB column
/// (which no server produces) an [`ErrorKind::NotSupported`] one.
pub fn encode_block_with_group<R: AsRef<[Value]>>(
    columns: &[Column],
    rows: &[R],
    group_id: u64,
) -> Result<Vec<u8>> {
    for (r, row) in rows.iter().enumerate() {
        let len = row.as_ref().len();
        if len != columns.len() {
            return Err(Error::interface(format!(
                "row {r} has {len} values but the block has {} columns",
                columns.len()
            )));
        }
    }
    encode_cells(columns, rows.len(), group_id, &|r, c| {
        rows.get(r)
            .and_then(|row| row.as_ref().get(c))
            .unwrap_or(&Value::Null)
    })
}

/// Encodes a block from columns of values (`cols[c][r]`, each column as long as the
/// first), without building rows: what a column-wise bind (stmt v1) writes.
///
/// ```
/// use taosync_proto::block::{decode_block, encode_block_columns};
/// use taosync_proto::{Column, Precision, Type, Value};
/// let columns = [Column::new("v", Type::Int, 4), Column::new("s", Type::VarChar, 8)];
/// let cols = [vec![Value::Int(1), Value::Null], vec![Value::from("a"), Value::from("b")]];
/// let block = encode_block_columns(&columns, &cols)?;
/// let rows = decode_block(&block, Precision::Millisecond)?.rows;
/// assert_eq!(rows, [vec![Value::Int(1), Value::from("a")], vec![Value::Null, Value::from("b")]]);
/// # Ok::<(), taosync_proto::Error>(())
/// ```
pub fn encode_block_columns<C: AsRef<[Value]>>(columns: &[Column], cols: &[C]) -> Result<Vec<u8>> {
    if cols.len() != columns.len() {
        return Err(Error::interface(format!(
            "{} value columns for a block of {} columns",
            cols.len(),
            columns.len()
        )));
    }
    let n_rows = cols.first().map_or(0, |c| c.as_ref().len());
    if let Some((c, col)) = cols
        .iter()
        .enumerate()
        .find(|(_, col)| col.as_ref().len() != n_rows)
    {
        return Err(Error::interface(format!(
            "column {c} has {} values, column 0 has {n_rows}",
            col.as_ref().len()
        )));
    }
    encode_cells(columns, n_rows, 0, &|r, c| {
        cols.get(c)
            .and_then(|col| col.as_ref().get(r))
            .unwrap_or(&Value::Null)
    })
}

/// The encoder shared by the row-major and column-major entry points: `cell(r, c)` is the
/// value at row `r` of column `c`.
fn encode_cells<'v>(
    columns: &[Column],
    rows: usize,
    group_id: u64,
    cell: &dyn Fn(usize, usize) -> &'v Value,
) -> Result<Vec<u8>> {
    let n_rows = wire_i32(rows, "row count")?;
    let n_cols = wire_i32(columns.len(), "column count")?;
    let mut out = Vec::with_capacity(HEADER_LEN + columns.len() * 9 + rows * 8 + 1);
    out.extend_from_slice(&BLOCK_VERSION.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // total length, patched at the end
    out.extend_from_slice(&n_rows.to_le_bytes());
    out.extend_from_slice(&n_cols.to_le_bytes());
    out.extend_from_slice(&BLOCK_FLAG.to_le_bytes());
    out.extend_from_slice(&group_id.to_le_bytes());
    for column in columns {
        let field = BlockField::for_column(column);
        out.push(field.ty.code());
        out.extend_from_slice(&field.bytes.to_le_bytes());
    }
    let lengths_at = out.len();
    out.resize(lengths_at + 4 * columns.len(), 0);
    for (c, column) in columns.iter().enumerate() {
        let storage = Storage::of(column.ty).ok_or_else(|| {
            Error::not_supported(format!(
                "column {c} ({:?}): type {} cannot be written to a raw block",
                column.name, column.ty
            ))
        })?;
        let column_cell = |r: usize| cell(r, c);
        let data_len = match storage {
            Storage::Fixed(width) => encode_fixed(&mut out, c, column, width, rows, &column_cell)?,
            Storage::Var(prefix) => encode_var(&mut out, c, column, prefix, rows, &column_cell)?,
        };
        let len = wire_i32(data_len, "column data length")?;
        put_i32_at(&mut out, lengths_at + 4 * c, len);
    }
    out.push(0); // blankFill byte of current servers
    let total = wire_i32(out.len(), "block length")?;
    put_i32_at(&mut out, 4, total);
    Ok(out)
}

fn wire_i32(n: usize, what: &str) -> Result<i32> {
    i32::try_from(n).map_err(|_| {
        Error::new(
            ErrorKind::Data,
            format!("raw block {what} {n} does not fit the format's i32"),
        )
    })
}

fn put_i32_at(out: &mut [u8], at: usize, value: i32) {
    if let Some(slot) = out.get_mut(at..at + 4) {
        slot.copy_from_slice(&value.to_le_bytes());
    }
}

fn mismatch(c: usize, column: &Column, value: &Value) -> Error {
    Error::interface(format!(
        "column {c} ({:?}) is {}: cannot write a {} value to it",
        column.name,
        column.type_name(),
        value.ty()
    ))
}

/// Writes the bitmap and values of fixed-width column `c`; returns the data length
/// (without the bitmap).
fn encode_fixed<'v>(
    out: &mut Vec<u8>,
    c: usize,
    column: &Column,
    width: usize,
    n_rows: usize,
    cell: &dyn Fn(usize) -> &'v Value,
) -> Result<usize> {
    let bitmap_at = out.len();
    out.resize(bitmap_at + n_rows.div_ceil(8), 0);
    out.reserve(n_rows * width);
    for r in 0..n_rows {
        let value = cell(r);
        let start = out.len();
        match (column.ty, value) {
            (_, Value::Null) => {
                if let Some(byte) = out.get_mut(bitmap_at + (r >> 3)) {
                    *byte |= 0x80 >> (r & 7);
                }
                out.resize(start + width, 0);
            }
            (Type::Bool, Value::Bool(v)) => out.push(u8::from(*v)),
            (Type::TinyInt, Value::TinyInt(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::SmallInt, Value::SmallInt(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::Int, Value::Int(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::BigInt, Value::BigInt(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::UTinyInt, Value::UTinyInt(v)) => out.push(*v),
            (Type::USmallInt, Value::USmallInt(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::UInt, Value::UInt(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::UBigInt, Value::UBigInt(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::Float, Value::Float(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::Double, Value::Double(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::Timestamp, Value::Timestamp(ts)) => {
                out.extend_from_slice(&ts.value().to_le_bytes());
            }
            (Type::Decimal | Type::Decimal64, Value::Decimal(d)) => {
                let fitted = d.rescale(column.precision, column.scale).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Data,
                        format!(
                            "column {c} ({:?}): decimal {d} does not fit {}",
                            column.name,
                            column.type_name()
                        ),
                    )
                })?;
                if column.ty == Type::Decimal64 {
                    let v = i64::try_from(fitted.unscaled()).map_err(|_| {
                        Error::new(
                            ErrorKind::Data,
                            format!(
                                "column {c} ({:?}): decimal {d} exceeds DECIMAL64",
                                column.name
                            ),
                        )
                    })?;
                    out.extend_from_slice(&v.to_le_bytes());
                } else {
                    out.extend_from_slice(&fitted.unscaled().to_le_bytes());
                }
            }
            (_, other) => return Err(mismatch(c, column, other)),
        }
        debug_assert_eq!(out.len(), start + width);
    }
    Ok(n_rows * width)
}

/// Writes the offsets and heap of variable-width column `c`; returns the heap length.
fn encode_var<'v>(
    out: &mut Vec<u8>,
    c: usize,
    column: &Column,
    prefix: usize,
    n_rows: usize,
    cell: &dyn Fn(usize) -> &'v Value,
) -> Result<usize> {
    let offsets_at = out.len();
    out.resize(offsets_at + 4 * n_rows, 0);
    let heap_at = out.len();
    for r in 0..n_rows {
        let value = cell(r);
        let offset = if value.is_null() {
            -1
        } else {
            wire_i32(out.len() - heap_at, "column heap")?
        };
        put_i32_at(out, offsets_at + 4 * r, offset);
        let payload: &[u8] = match (column.ty, value) {
            (_, Value::Null) => continue,
            (Type::VarChar, Value::VarChar(s)) | (Type::Json, Value::Json(s)) => s.as_bytes(),
            (Type::VarBinary, Value::VarBinary(b))
            | (Type::Geometry, Value::Geometry(b))
            | (Type::Blob, Value::Blob(b)) => b,
            (Type::NChar, Value::NChar(s)) => {
                let len = s.chars().count().saturating_mul(4);
                put_prefix(out, c, column, prefix, len)?;
                for ch in s.chars() {
                    out.extend_from_slice(&u32::from(ch).to_le_bytes());
                }
                continue;
            }
            (_, other) => return Err(mismatch(c, column, other)),
        };
        put_prefix(out, c, column, prefix, payload.len())?;
        out.extend_from_slice(payload);
    }
    Ok(out.len() - heap_at)
}

fn put_prefix(
    out: &mut Vec<u8>,
    c: usize,
    column: &Column,
    prefix: usize,
    len: usize,
) -> Result<()> {
    let too_long = || {
        Error::new(
            ErrorKind::Data,
            format!(
                "column {c} ({:?}): a {len}-byte {} value is too long for a raw block",
                column.name, column.ty
            ),
        )
    };
    if prefix == 4 {
        let n = u32::try_from(len).map_err(|_| too_long())?;
        out.extend_from_slice(&n.to_le_bytes());
    } else {
        let n = u16::try_from(len).map_err(|_| too_long())?;
        out.extend_from_slice(&n.to_le_bytes());
    }
    Ok(())
}

/// Reads an `i32` count that must not be negative.
fn count(r: &mut Reader<'_>, field: &str) -> Result<usize> {
    let v = r.i32(field)?;
    usize::try_from(v).map_err(|_| r.error(format_args!("{field} is negative ({v})")))
}

/// One column of a parsed block: its schema entry and its validated data slices.
struct ColumnView<'a> {
    field: BlockField,
    data: ColumnData<'a>,
}

enum ColumnData<'a> {
    /// A null bitmap and `rows × width` value bytes.
    Fixed {
        bitmap: &'a [u8],
        values: &'a [u8],
        width: usize,
    },
    /// `rows × 4` offset bytes and the value heap.
    Var {
        offsets: &'a [u8],
        heap: &'a [u8],
        prefix: usize,
    },
}

/// A block whose header, schema, lengths and column slices have been validated.
struct ParsedBlock<'a> {
    header: BlockHeader,
    columns: Vec<ColumnView<'a>>,
}

impl<'a> ParsedBlock<'a> {
    fn parse(bytes: &'a [u8]) -> Result<ParsedBlock<'a>> {
        let header = BlockHeader::parse(bytes)?;
        let block = bytes.get(..header.length).ok_or_else(|| {
            Error::result(format!(
                "raw block truncated: header says {} bytes, got {}",
                header.length,
                bytes.len()
            ))
        })?;
        let (rows, cols) = (header.rows, header.cols);
        if cols == 0 && rows > 0 {
            return Err(Error::result(format!(
                "raw block has {rows} rows but no columns"
            )));
        }
        // Each column needs a 5-byte schema entry and a 4-byte length: check before
        // allocating anything sized by `cols`.
        let meta = cols
            .checked_mul(SCHEMA_ENTRY_LEN + 4)
            .filter(|m| *m <= block.len() - HEADER_LEN)
            .ok_or_else(|| {
                Error::result(format!(
                    "raw block column count {cols} does not fit its {} bytes",
                    block.len()
                ))
            })?;
        let mut r = Reader::new(block, "raw block");
        r.take(HEADER_LEN, "header")?;
        let schema = r.take(cols * SCHEMA_ENTRY_LEN, "column schema")?;
        let lengths = r.take(meta - cols * SCHEMA_ENTRY_LEN, "column lengths")?;
        let mut columns = Vec::with_capacity(cols);
        for (i, (entry, len)) in schema
            .chunks_exact(SCHEMA_ENTRY_LEN)
            .zip(lengths.chunks_exact(4))
            .enumerate()
        {
            let mut er = Reader::new(entry, "raw block schema entry");
            let code = er.u8("type code")?;
            let bytes = er.u32("width")?;
            let ty = Type::from_code(code).ok_or_else(|| {
                Error::result(format!("raw block column {i} has unknown type code {code}"))
            })?;
            let field = BlockField::new(ty, bytes);
            let data_len = count(&mut Reader::new(len, "raw block"), "column data length")?;
            let storage = Storage::of(ty).ok_or_else(|| {
                Error::result(format!(
                    "raw block column {i} has unsupported type {ty} ({code})"
                ))
            })?;
            let data = match storage {
                Storage::Fixed(width) => {
                    if ty.is_decimal() {
                        check_decimal_field(i, field)?;
                    }
                    if rows.checked_mul(width) != Some(data_len) {
                        return Err(Error::result(format!(
                            "raw block column {i} ({ty}) has {data_len} data bytes, \
                             expected {rows} rows × {width}"
                        )));
                    }
                    let bitmap = r.take(rows.div_ceil(8), "null bitmap")?;
                    let values = r.take(data_len, "column values")?;
                    ColumnData::Fixed {
                        bitmap,
                        values,
                        width,
                    }
                }
                Storage::Var(prefix) => {
                    let n = rows.checked_mul(4).ok_or_else(|| {
                        Error::result(format!("raw block row count {rows} is absurd"))
                    })?;
                    let offsets = r.take(n, "column offsets")?;
                    let heap = r.take(data_len, "column heap")?;
                    ColumnData::Var {
                        offsets,
                        heap,
                        prefix,
                    }
                }
            };
            columns.push(ColumnView { field, data });
        }
        Ok(ParsedBlock { header, columns })
    }

    /// Builds every row (one `Vec` of exact capacity each) and maps it through `make`.
    fn collect_rows<T>(
        &self,
        precision: Precision,
        check_widths: bool,
        mut make: impl FnMut(Vec<Value>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let rows = self.header.rows;
        let mut cursors: Vec<Cursor<'_>> = self
            .columns
            .iter()
            .map(|c| Cursor::new(c, precision, check_widths))
            .collect();
        // `parse` has checked that every column holds `rows` entries, so `rows` is
        // bounded by the input length.
        let mut out = Vec::with_capacity(rows);
        for _ in 0..rows {
            let mut values = Vec::with_capacity(cursors.len());
            for cursor in &mut cursors {
                values.push(cursor.next_value()?);
            }
            out.push(make(values)?);
        }
        Ok(out)
    }
}

fn check_decimal_field(i: usize, field: BlockField) -> Result<()> {
    let (p, s, size) = (
        field.decimal_precision(),
        field.decimal_scale(),
        field.decimal_size(),
    );
    let (max_p, want_size) = if field.ty == Type::Decimal64 {
        (18, 8)
    } else {
        (38, 16)
    };
    if p > max_p || s > p || size != want_size {
        return Err(Error::result(format!(
            "raw block column {i} ({}) has an invalid description: precision {p}, scale {s}, \
             size {size}",
            field.ty
        )));
    }
    Ok(())
}

/// Walks one column row by row.
struct Cursor<'a> {
    view: &'a ColumnView<'a>,
    precision: Precision,
    check_widths: bool,
    row: usize,
    chunks: std::slice::ChunksExact<'a, u8>,
}

impl<'a> Cursor<'a> {
    fn new(view: &'a ColumnView<'a>, precision: Precision, check_widths: bool) -> Self {
        let chunks = match view.data {
            ColumnData::Fixed { values, width, .. } => values.chunks_exact(width.max(1)),
            ColumnData::Var { offsets, .. } => offsets.chunks_exact(4),
        };
        Cursor {
            view,
            precision,
            check_widths,
            row: 0,
            chunks,
        }
    }

    fn next_value(&mut self) -> Result<Value> {
        let row = self.row;
        self.row += 1;
        let chunk = self
            .chunks
            .next()
            .ok_or_else(|| Error::result(format!("raw block column ran out at row {row}")))?;
        match self.view.data {
            ColumnData::Fixed { bitmap, .. } => {
                let null = bitmap
                    .get(row >> 3)
                    .is_some_and(|b| b & (0x80 >> (row & 7)) != 0);
                if null {
                    Ok(Value::Null)
                } else {
                    fixed_value(self.view.field, chunk, self.precision)
                }
            }
            ColumnData::Var { heap, prefix, .. } => {
                let offset = i32::from_le_bytes(le(chunk)?);
                if offset == -1 {
                    return Ok(Value::Null);
                }
                let payload = var_payload(heap, offset, prefix, row)?;
                if self.check_widths {
                    check_width(self.view.field, prefix, payload.len(), row)?;
                }
                var_value(self.view.field.ty, payload, row)
            }
        }
    }
}

fn le<const N: usize>(chunk: &[u8]) -> Result<[u8; N]> {
    chunk
        .first_chunk::<N>()
        .copied()
        .ok_or_else(|| Error::result(format!("raw block value shorter than {N} bytes")))
}

fn fixed_value(field: BlockField, chunk: &[u8], precision: Precision) -> Result<Value> {
    Ok(match field.ty {
        Type::Null => Value::Null,
        Type::Bool => Value::Bool(chunk.first().is_some_and(|b| *b != 0)),
        Type::TinyInt => Value::TinyInt(i8::from_le_bytes(le(chunk)?)),
        Type::SmallInt => Value::SmallInt(i16::from_le_bytes(le(chunk)?)),
        Type::Int => Value::Int(i32::from_le_bytes(le(chunk)?)),
        Type::BigInt => Value::BigInt(i64::from_le_bytes(le(chunk)?)),
        Type::UTinyInt => Value::UTinyInt(u8::from_le_bytes(le(chunk)?)),
        Type::USmallInt => Value::USmallInt(u16::from_le_bytes(le(chunk)?)),
        Type::UInt => Value::UInt(u32::from_le_bytes(le(chunk)?)),
        Type::UBigInt => Value::UBigInt(u64::from_le_bytes(le(chunk)?)),
        Type::Float => Value::Float(f32::from_le_bytes(le(chunk)?)),
        Type::Double => Value::Double(f64::from_le_bytes(le(chunk)?)),
        Type::Timestamp => {
            Value::Timestamp(Timestamp::new(i64::from_le_bytes(le(chunk)?), precision))
        }
        Type::Decimal64 => Value::Decimal(Decimal::new(
            i128::from(i64::from_le_bytes(le(chunk)?)),
            field.decimal_precision(),
            field.decimal_scale(),
        )),
        Type::Decimal => Value::Decimal(Decimal::new(
            i128::from_le_bytes(le(chunk)?),
            field.decimal_precision(),
            field.decimal_scale(),
        )),
        other => {
            return Err(Error::result(format!(
                "raw block: {other} is not a fixed-width type"
            )));
        }
    })
}

/// The payload of the heap entry at `offset`, after its `prefix`-byte length.
/// A variable-width value may not be longer than its column's schema entry says (the
/// entry's width counts the length prefix). Without this check a hostile block whose rows
/// all point at one long value would decode into rows × that value. A zero width (writers
/// that leave it out) and JSON (whose width is nominal) are not checked.
fn check_width(field: BlockField, prefix: usize, len: usize, row: usize) -> Result<()> {
    let width = field.bytes as usize;
    if width == 0 || field.ty == Type::Json || len.saturating_add(prefix) <= width {
        return Ok(());
    }
    Err(Error::result(format!(
        "raw block row {row}: a {len}-byte {} value is longer than its column's width ({} bytes)",
        field.ty,
        width.saturating_sub(prefix)
    )))
}

fn var_payload(heap: &[u8], offset: i32, prefix: usize, row: usize) -> Result<&[u8]> {
    let bad = |why: &str| {
        Error::result(format!(
            "raw block row {row}: value offset {offset} {why} (heap is {} bytes)",
            heap.len()
        ))
    };
    let start = usize::try_from(offset).map_err(|_| bad("is negative"))?;
    let entry = heap.get(start..).ok_or_else(|| bad("is past the heap"))?;
    let (len, rest) = if prefix == 4 {
        let (p, rest) = entry
            .split_first_chunk::<4>()
            .ok_or_else(|| bad("leaves no room for the length"))?;
        (
            usize::try_from(u32::from_le_bytes(*p)).unwrap_or(usize::MAX),
            rest,
        )
    } else {
        let (p, rest) = entry
            .split_first_chunk::<2>()
            .ok_or_else(|| bad("leaves no room for the length"))?;
        (usize::from(u16::from_le_bytes(*p)), rest)
    };
    rest.get(..len)
        .ok_or_else(|| bad(&format!("has a {len}-byte value running past the heap")))
}

fn var_value(ty: Type, payload: &[u8], row: usize) -> Result<Value> {
    let utf8 = |what: &str| {
        std::str::from_utf8(payload)
            .map(str::to_owned)
            .map_err(|e| {
                Error::result(format!(
                    "raw block row {row}: {what} value is not UTF-8: {e}"
                ))
                .with_source(e)
            })
    };
    Ok(match ty {
        Type::VarChar => Value::VarChar(utf8("VARCHAR")?),
        Type::Json => Value::Json(utf8("JSON")?),
        Type::NChar => Value::NChar(ucs4_to_string(payload, row)?),
        Type::VarBinary => Value::VarBinary(payload.to_vec()),
        Type::Geometry => Value::Geometry(payload.to_vec()),
        Type::Blob => Value::Blob(payload.to_vec()),
        other => {
            return Err(Error::result(format!(
                "raw block: {other} is not a variable-width type"
            )));
        }
    })
}

fn ucs4_to_string(payload: &[u8], row: usize) -> Result<String> {
    let mut s = String::with_capacity(payload.len() / 4);
    push_ucs4(&mut s, payload, row)?;
    Ok(s)
}

/// Appends one NCHAR payload (UCS-4, little-endian) to `s`.
fn push_ucs4(s: &mut String, payload: &[u8], row: usize) -> Result<()> {
    let (units, rest) = payload.as_chunks::<4>();
    if !rest.is_empty() {
        return Err(Error::result(format!(
            "raw block row {row}: NCHAR value of {} bytes is not whole UCS-4 characters",
            payload.len()
        )));
    }
    s.reserve(payload.len() / 4);
    for unit in units {
        let cp = u32::from_le_bytes(*unit);
        let ch = char::from_u32(cp).ok_or_else(|| {
            Error::result(format!(
                "raw block row {row}: NCHAR value holds invalid code point {cp:#x}"
            ))
        })?;
        s.push(ch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_hex;
    use proptest::prelude::*;

    fn hex(lines: &[&str]) -> Vec<u8> {
        from_hex(&lines.concat()).unwrap()
    }

    fn ms(v: i64) -> Value {
        Value::Timestamp(Timestamp::new(v, Precision::Millisecond))
    }

    /// 01 §3.7: `ts TIMESTAMP, v INT, s VARCHAR(10), n NCHAR(4)`, two rows, 127 bytes.
    fn example_d() -> Vec<u8> {
        hex(&[
            "010000007f0000000200000004000000",
            "00000080000000000000000009080000",
            "000404000000080c0000000a12000000",
            "10000000080000000400000010000000",
            "000068e5cf8b010000e86be5cf8b0100",
            "00402a0000000000000000000000ffff",
            "ffff0200616200000000060000000400",
            "2d4e000008006f0000006b00000000",
        ])
    }

    fn example_d_columns() -> Vec<Column> {
        vec![
            Column::new("ts", Type::Timestamp, 8),
            Column::new("v", Type::Int, 4),
            Column::new("s", Type::VarChar, 10),
            Column::new("n", Type::NChar, 4),
        ]
    }

    fn example_d_rows() -> Vec<Vec<Value>> {
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

    #[test]
    fn example_d_decodes_and_re_encodes_byte_for_byte() {
        let bytes = example_d();
        assert_eq!(bytes.len(), 127);
        let block = decode_block(&bytes, Precision::Millisecond).unwrap();
        assert_eq!(block.group_id, 0);
        assert_eq!(
            block.fields,
            vec![
                BlockField::new(Type::Timestamp, 8),
                BlockField::new(Type::Int, 4),
                BlockField::new(Type::VarChar, 12),
                BlockField::new(Type::NChar, 18),
            ]
        );
        assert_eq!(block.rows, example_d_rows());
        let columns = example_d_columns();
        assert_eq!(encode_block(&columns, &block.rows).unwrap(), bytes);
        let names = ["ts", "v", "s", "n"];
        let from_fields: Vec<Column> = block
            .fields
            .iter()
            .zip(names)
            .map(|(f, n)| f.to_column(n))
            .collect();
        assert_eq!(from_fields, columns);
    }

    #[test]
    fn decode_rows_checks_the_columns() {
        let bytes = example_d();
        let columns: Arc<[Column]> = example_d_columns().into();
        let rows = decode_rows(&bytes, Precision::Millisecond, &columns).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get::<String>("n").unwrap(), "中");
        assert_eq!(rows[1].get::<Option<i32>>("v").unwrap(), None);
        let mut wrong = example_d_columns();
        wrong[1].ty = Type::BigInt;
        let e = decode_rows(&bytes, Precision::Millisecond, &wrong.into()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Result);
        assert!(e.message().contains("column 1"), "{e}");
        let short: Arc<[Column]> = example_d_columns()[..3].to_vec().into();
        let e = decode_rows(&bytes, Precision::Millisecond, &short).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Result);
    }

    /// The 17-column, 422-byte server block of taosAdapter's `TestJsonWriteRawBlock`
    /// (2022-era engine, so no trailing byte).
    fn adapter_vector() -> Vec<u8> {
        hex(&[
            "01000000a601000002000000110000000000008000000000000000000908000000010100000002010000000302000000",
            "040400000005080000000b010000000c020000000d040000000e080000000604000000070800000008160000000a5200",
            "0000102000000014200000000f0040000010000000020000000200000004000000080000001000000002000000040000",
            "000800000010000000080000001000000008000000160000001000000017000000120000000074009086820100005c04",
            "908682010000400100400200400300000040040000000000000040050000000000000000000000000000004006004007",
            "000000400800000000000000400900000000000000000000000000000040000020410000000040000000000000264000",
            "0000000000000000000000ffffffff060062696e61727900000000ffffffff14006e0000006300000068000000610000",
            "007200000000000000ffffffff0e00746573745f76617262696e61727900000000ffffffff1500010100000000000000",
            "000059400000000000005940000000000900000007007b2261223a317d07007b2261223a317d",
        ])
    }

    #[test]
    fn adapter_server_vector_decodes() {
        let bytes = adapter_vector();
        assert_eq!(bytes.len(), 422);
        let block = decode_block(&bytes, Precision::Millisecond).unwrap();
        let types: Vec<u8> = block.fields.iter().map(|f| f.ty.code()).collect();
        assert_eq!(
            types,
            [9, 1, 2, 3, 4, 5, 11, 12, 13, 14, 6, 7, 8, 10, 16, 20, 15]
        );
        let declared: Vec<u32> = block
            .fields
            .iter()
            .map(BlockField::declared_length)
            .collect();
        assert_eq!(
            declared,
            [8, 1, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8, 20, 20, 30, 30, 4095]
        );
        let point = from_hex("010100000000000000000059400000000000005940").unwrap();
        let json = Value::Json(r#"{"a":1}"#.into());
        assert_eq!(
            block.rows[0],
            vec![
                ms(1_660_114_960_500),
                Value::Bool(true),
                Value::TinyInt(2),
                Value::SmallInt(3),
                Value::Int(4),
                Value::BigInt(5),
                Value::UTinyInt(6),
                Value::USmallInt(7),
                Value::UInt(8),
                Value::UBigInt(9),
                Value::Float(10.0),
                Value::Double(11.0),
                Value::VarChar("binary".into()),
                Value::NChar("nchar".into()),
                Value::VarBinary(b"test_varbinary".to_vec()),
                Value::Geometry(point),
                json.clone(),
            ]
        );
        let mut second = vec![ms(1_660_114_961_500)];
        second.extend(std::iter::repeat_n(Value::Null, 15));
        second.push(json);
        assert_eq!(block.rows[1], second);
        assert_eq!(
            block.rows[0][0].as_timestamp().unwrap().to_rfc3339(),
            "2022-08-10T07:02:40.500Z"
        );
    }

    /// taos-connector-rust `parse_decimal_float_test`: TIMESTAMP, DECIMAL64(5,2), INT, one
    /// row, with the trailing byte.
    #[test]
    fn decimal64_vector_decodes() {
        let bytes = hex(&[
            "010000004f00000001000000030000000000008000000000000000000908000000150205000804040000",
            "00080000000800000004000000",
            "00ab785c9b99010000",
            "003930000000000000",
            "0001000000",
            "00",
        ]);
        assert_eq!(bytes.len(), 79);
        let block = decode_block(&bytes, Precision::Microsecond).unwrap();
        let field = block.fields[1];
        assert_eq!(
            (
                field.ty,
                field.decimal_precision(),
                field.decimal_scale(),
                field.decimal_size()
            ),
            (Type::Decimal64, 5, 2, 8)
        );
        assert_eq!(field, BlockField::decimal(Type::Decimal64, 5, 2));
        assert_eq!(block.rows[0][1], Value::Decimal(Decimal::new(12345, 5, 2)));
        assert_eq!(block.rows[0][1].to_string(), "123.45");
        assert_eq!(block.rows[0][2], Value::Int(1));
        let ts = block.rows[0][0].as_timestamp().unwrap();
        assert_eq!(ts.precision(), Precision::Microsecond);
        let columns = [
            Column::new("ts", Type::Timestamp, 8),
            Column::new("d", Type::Decimal64, 8).with_decimal(5, 2),
            Column::new("i", Type::Int, 4),
        ];
        assert_eq!(encode_block(&columns, &block.rows).unwrap(), bytes);
    }

    #[test]
    fn widths_convert_both_ways() {
        for (ty, declared, internal) in [
            (Type::VarChar, 20, 22),
            (Type::NChar, 20, 82),
            (Type::VarBinary, 30, 32),
            (Type::Geometry, 100, 102),
            (Type::Blob, 4_194_304, 4_194_308),
            (Type::Int, 4, 4),
            (Type::Timestamp, 8, 8),
            (Type::Decimal, 16, 16),
            (Type::Decimal64, 8, 8),
        ] {
            assert_eq!(internal_width(ty, declared), internal, "{ty}");
            assert_eq!(declared_width(ty, internal), declared, "{ty}");
        }
        assert_eq!(internal_width(Type::Json, 4095), 16384);
        assert_eq!(declared_width(Type::Json, 16384), 4095);
        assert_eq!(internal_width(Type::NChar, u32::MAX), u32::MAX);
        let d = BlockField::for_column(&Column::new("d", Type::Decimal, 16).with_decimal(20, 4));
        assert_eq!(d.bytes.to_le_bytes(), [4, 20, 0, 16]);
        assert_eq!(d.declared_length(), 16);
    }

    #[test]
    fn group_id_and_blob_round_trip() {
        let columns = [
            Column::new("b", Type::Blob, 4_194_304),
            Column::new("d", Type::Decimal, 16).with_decimal(38, 10),
        ];
        let big = i128::from(10u8).pow(37) + 7;
        let rows = vec![
            vec![
                Value::Blob(vec![1, 2, 3]),
                Value::Decimal(Decimal::new(-big, 38, 10)),
            ],
            vec![Value::Blob(vec![]), Value::Null],
        ];
        let bytes = encode_block_with_group(&columns, &rows, 77).unwrap();
        let block = decode_block(&bytes, Precision::Nanosecond).unwrap();
        assert_eq!(block.group_id, 77);
        assert_eq!(block.rows, rows);
        // The BLOB heap uses u32 prefixes: 4 + 3 and 4 + 0 bytes.
        let header = BlockHeader::parse(&bytes).unwrap();
        assert_eq!(header.length, bytes.len());
        assert_eq!(
            &bytes[HEADER_LEN + 10..HEADER_LEN + 14],
            &11i32.to_le_bytes()
        );
    }

    #[test]
    fn encoder_rejects_mismatched_values() {
        let columns = example_d_columns();
        let mut rows = example_d_rows();
        rows[0][1] = Value::BigInt(42);
        let e = encode_block(&columns, &rows).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface);
        assert!(
            e.message().contains("column 1") && e.message().contains("BIGINT"),
            "{e}"
        );
        let e = encode_block(&columns, &[vec![Value::Null]]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface);
        let long = Value::VarChar("x".repeat(70_000));
        let e = encode_block(&[Column::new("s", Type::VarChar, 10)], &[vec![long]]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        let e = encode_block(
            &[Column::new("d", Type::Decimal64, 8).with_decimal(5, 2)],
            &[vec![Value::Decimal(Decimal::new(123_456, 6, 2))]],
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        // A decimal of a smaller scale is rescaled to the column's.
        let bytes = encode_block(
            &[Column::new("d", Type::Decimal64, 8).with_decimal(5, 2)],
            &[vec![Value::Decimal(Decimal::new(5, 2, 1))]],
        )
        .unwrap();
        let block = decode_block(&bytes, Precision::Millisecond).unwrap();
        assert_eq!(block.rows[0][0], Value::Decimal(Decimal::new(50, 5, 2)));
        let e = encode_block(
            &[Column::new("m", Type::MediumBlob, 10)],
            &[vec![Value::Null]],
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSupported);
    }

    fn expect_result_error(bytes: &[u8], needle: &str) {
        let e = decode_block(bytes, Precision::Millisecond).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Result, "{e}");
        assert!(e.message().contains(needle), "{needle:?} not in {e}");
    }

    fn patched(at: usize, with: &[u8]) -> Vec<u8> {
        let mut b = example_d();
        b[at..at + with.len()].copy_from_slice(with);
        b
    }

    #[test]
    fn hostile_blocks_are_result_errors() {
        let good = example_d();
        for n in 0..good.len() - 1 {
            let e = decode_block(&good[..n], Precision::Millisecond).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Result, "prefix {n}: {e}");
        }
        // Zero or more bytes after the last column are accepted.
        assert!(decode_block(&good[..126], Precision::Millisecond).is_err());
        let mut shorter = good[..126].to_vec();
        shorter[4] = 126;
        assert!(decode_block(&shorter, Precision::Millisecond).is_ok());
        expect_result_error(&patched(4, &[0x10, 0, 0, 0]), "shorter than");
        expect_result_error(&patched(4, &[0xff, 0, 0, 0]), "header says 255");
        expect_result_error(
            &patched(8, &[0xff, 0xff, 0xff, 0x7f]),
            "expected 2147483647 rows",
        );
        expect_result_error(&patched(8, &[0xff, 0xff, 0xff, 0xff]), "negative");
        expect_result_error(&patched(12, &[0xff, 0xff, 0xff, 0x0f]), "column count");
        expect_result_error(&patched(0x1c, &[0x63]), "unknown type code 99");
        expect_result_error(&patched(0x1c, &[19]), "unsupported type");
        expect_result_error(&patched(0x34, &[9, 0, 0, 0]), "expected 2 rows");
        expect_result_error(&patched(0x38, &[0xf0, 0, 0, 0]), "truncated");
        expect_result_error(&patched(0x5a, &[0xfe, 0xff, 0xff, 0xff]), "negative");
        expect_result_error(&patched(0x5a, &[0x40, 0, 0, 0]), "past the heap");
        expect_result_error(&patched(0x62, &[0x09, 0x00]), "running past");
        expect_result_error(&patched(0x64, &[0xff, 0xfe]), "not UTF-8");
        expect_result_error(&patched(0x6e, &[0x03, 0x00]), "whole UCS-4");
        expect_result_error(
            &patched(0x70, &[0x00, 0xd8, 0x00, 0x00]),
            "invalid code point",
        );
        expect_result_error(
            &patched(0x70, &[0x00, 0x00, 0x11, 0x00]),
            "invalid code point",
        );
        let no_cols = hex(&[
            "01000000",
            "1c000000",
            "05000000",
            "00000000",
            "00000080",
            "0000000000000000",
        ]);
        expect_result_error(&no_cols, "no columns");
        let mut empty = no_cols.clone();
        empty[8] = 0;
        let block = decode_block(&empty, Precision::Millisecond).unwrap();
        assert!(block.rows.is_empty() && block.fields.is_empty());
        let mut bad_decimal = hex(&[
            "010000004f00000001000000030000000000008000000000000000000908000000150205000804040000",
            "00080000000800000004000000",
            "00ab785c9b99010000003930000000000000000100000000",
        ]);
        bad_decimal[0x22] = 6; // scale 6 > precision 5
        expect_result_error(&bad_decimal, "invalid description");
    }

    /// A column type with a strategy for its values (NULL included).
    fn column_strategy() -> impl Strategy<Value = (Column, BoxedStrategy<Value>)> {
        fn with_null(s: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
            prop_oneof![1 => Just(Value::Null), 4 => s].boxed()
        }
        fn col(ty: Type, len: u32, s: BoxedStrategy<Value>) -> (Column, BoxedStrategy<Value>) {
            (Column::new("c", ty, len), with_null(s))
        }
        let fixed = prop_oneof![
            Just(col(
                Type::Bool,
                1,
                any::<bool>().prop_map(Value::Bool).boxed()
            )),
            Just(col(
                Type::TinyInt,
                1,
                any::<i8>().prop_map(Value::TinyInt).boxed()
            )),
            Just(col(
                Type::SmallInt,
                2,
                any::<i16>().prop_map(Value::SmallInt).boxed()
            )),
            Just(col(Type::Int, 4, any::<i32>().prop_map(Value::Int).boxed())),
            Just(col(
                Type::BigInt,
                8,
                any::<i64>().prop_map(Value::BigInt).boxed()
            )),
            Just(col(
                Type::UTinyInt,
                1,
                any::<u8>().prop_map(Value::UTinyInt).boxed()
            )),
            Just(col(
                Type::USmallInt,
                2,
                any::<u16>().prop_map(Value::USmallInt).boxed()
            )),
            Just(col(
                Type::UInt,
                4,
                any::<u32>().prop_map(Value::UInt).boxed()
            )),
            Just(col(
                Type::UBigInt,
                8,
                any::<u64>().prop_map(Value::UBigInt).boxed()
            )),
            Just(col(
                Type::Float,
                4,
                any::<f32>()
                    .prop_filter("NaN != NaN", |f| !f.is_nan())
                    .prop_map(Value::Float)
                    .boxed()
            )),
            Just(col(
                Type::Double,
                8,
                any::<f64>()
                    .prop_filter("NaN != NaN", |f| !f.is_nan())
                    .prop_map(Value::Double)
                    .boxed()
            )),
            Just(col(Type::Timestamp, 8, any::<i64>().prop_map(ms).boxed())),
        ];
        let var = prop_oneof![
            // VARCHAR widths are bytes: 12 characters of UTF-8 take up to 48.
            Just(col(
                Type::VarChar,
                48,
                "\\PC{0,12}".prop_map(Value::VarChar).boxed()
            )),
            Just(col(
                Type::NChar,
                16,
                "\\PC{0,12}".prop_map(Value::NChar).boxed()
            )),
            Just(col(
                Type::Json,
                4095,
                "[ -~]{0,12}".prop_map(Value::Json).boxed()
            )),
            Just(col(
                Type::VarBinary,
                16,
                prop::collection::vec(any::<u8>(), 0..16)
                    .prop_map(Value::VarBinary)
                    .boxed()
            )),
            Just(col(
                Type::Geometry,
                64,
                prop::collection::vec(any::<u8>(), 0..16)
                    .prop_map(Value::Geometry)
                    .boxed()
            )),
            Just(col(
                Type::Blob,
                4_194_304,
                prop::collection::vec(any::<u8>(), 0..16)
                    .prop_map(Value::Blob)
                    .boxed()
            )),
        ];
        let decimal = (1u8..=38)
            .prop_flat_map(|p| (Just(p), 0..=p))
            .prop_map(|(p, s)| {
                let ty = if p <= 18 {
                    Type::Decimal64
                } else {
                    Type::Decimal
                };
                let limit = 10i128.pow(u32::from(p)) - 1;
                let values = prop_oneof![Just(limit), Just(-limit), Just(0i128), -limit..=limit,]
                    .prop_map(move |u| Value::Decimal(Decimal::new(u, p, s)))
                    .boxed();
                (
                    Column::new("d", ty, if p <= 18 { 8 } else { 16 }).with_decimal(p, s),
                    with_null(values),
                )
            });
        prop_oneof![fixed, var, decimal]
    }

    fn block_strategy() -> impl Strategy<Value = (Vec<Column>, Vec<Vec<Value>>)> {
        prop::collection::vec(column_strategy(), 1..6).prop_flat_map(|cols| {
            let (columns, strategies): (Vec<Column>, Vec<BoxedStrategy<Value>>) =
                cols.into_iter().unzip();
            (Just(columns), prop::collection::vec(strategies, 0..12))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        #[test]
        fn encode_decode_round_trips((columns, rows) in block_strategy()) {
            let bytes = encode_block(&columns, &rows).unwrap();
            let header = BlockHeader::parse(&bytes).unwrap();
            prop_assert_eq!(header.length, bytes.len());
            prop_assert_eq!(bytes.last(), Some(&0));
            let block = decode_block(&bytes, Precision::Millisecond).unwrap();
            prop_assert_eq!(&block.rows, &rows);
            let fields: Vec<BlockField> = columns.iter().map(BlockField::for_column).collect();
            prop_assert_eq!(&block.fields, &fields);
            let shared: Arc<[Column]> = columns.clone().into();
            let typed = decode_rows(&bytes, Precision::Millisecond, &shared).unwrap();
            let values: Vec<Vec<Value>> = typed.into_iter().map(Row::into_values).collect();
            prop_assert_eq!(&values, &rows);
            let lazy = BlockRows::new(bytes.clone(), Precision::Millisecond, Arc::clone(&shared))
                .unwrap()
                .map(|r| r.map(Row::into_values))
                .collect::<Result<Vec<_>>>()
                .unwrap();
            prop_assert_eq!(&lazy, &rows);
            let view = BlockView::parse(&bytes).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    let borrowed = view.value_ref(r, c, Precision::Millisecond).unwrap();
                    prop_assert_eq!(&borrowed.to_value(), v);
                    prop_assert_eq!(&borrowed, &ValueRef::from(v));
                }
            }
            let mut walked: Vec<Vec<Value>> = Vec::new();
            view.for_each_row(Precision::Millisecond, |row| {
                walked.push(row.iter().map(ValueRef::to_value).collect());
                Ok(())
            })
            .unwrap();
            prop_assert_eq!(&walked, &rows);
            prop_assert_eq!(&encode_block(&columns, &block.rows).unwrap(), &bytes);
            let transposed: Vec<Vec<Value>> = (0..columns.len())
                .map(|c| rows.iter().map(|r| r[c].clone()).collect())
                .collect();
            prop_assert_eq!(&encode_block_columns(&columns, &transposed).unwrap(), &bytes);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 20_000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..160)) {
            let _ = decode_block(&bytes, Precision::Nanosecond);
        }

        #[test]
        fn random_bodies_behind_a_plausible_header_never_panic(
            rows in 0i32..6,
            cols in 0i32..5,
            body in prop::collection::vec(any::<u8>(), 0..200),
        ) {
            let mut bytes = Vec::new();
            let len = i32::try_from(HEADER_LEN + body.len()).unwrap();
            for v in [1, len, rows, cols, 0] {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            bytes.extend_from_slice(&0u64.to_le_bytes());
            bytes.extend_from_slice(&body);
            let _ = decode_block(&bytes, Precision::Millisecond);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2_500,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn mutated_blocks_never_panic(
            (columns, rows) in block_strategy(),
            mutations in prop::collection::vec(
                (
                    prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
                    prop::option::of(any::<prop::sample::Index>()),
                ),
                8,
            ),
        ) {
            // Eight mutants per generated block keep 20 000 hostile decodes fast.
            let valid = encode_block(&columns, &rows).unwrap();
            let shared: Arc<[Column]> = columns.into();
            for (edits, cut) in mutations {
                let mut bytes = valid.clone();
                for (at, byte) in edits {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
                if let Some(cut) = cut {
                    bytes.truncate(cut.index(bytes.len()));
                }
                let _ = decode_block(&bytes, Precision::Microsecond);
                let _ = decode_rows(&bytes, Precision::Microsecond, &shared);
                if let Ok(view) = BlockView::parse(&bytes) {
                    let _ = view.for_each_row(Precision::Microsecond, |_| Ok(()));
                }
            }
        }
    }

    /// `for_each_row` decodes 256 rows at a time: a block of several chunks (and a
    /// partial last one) with NULLs in every column reads back as the bulk decoder does.
    #[test]
    fn for_each_row_matches_the_bulk_decoder_across_chunks() {
        let columns = [
            Column::new("ts", Type::Timestamp, 8),
            Column::new("i", Type::Int, 4),
            Column::new("d", Type::Double, 8),
            Column::new("s", Type::VarChar, 8),
            Column::new("n", Type::NChar, 4),
            Column::new("b", Type::Bool, 1),
            Column::new("u", Type::USmallInt, 2),
        ];
        let rows: Vec<Vec<Value>> = (0..601i32)
            .map(|i| {
                let null = |k: i32| i % k == 0;
                vec![
                    Value::Timestamp(Timestamp::new(i64::from(i), Precision::Microsecond)),
                    if null(3) { Value::Null } else { Value::Int(i) },
                    if null(5) {
                        Value::Null
                    } else {
                        Value::Double(f64::from(i) / 2.0)
                    },
                    if null(7) {
                        Value::Null
                    } else {
                        Value::VarChar(format!("s{}", i % 100))
                    },
                    if null(11) {
                        Value::Null
                    } else {
                        Value::NChar(format!("é{}", i % 10))
                    },
                    if null(13) {
                        Value::Null
                    } else {
                        Value::Bool(i % 2 == 0)
                    },
                    if null(2) {
                        Value::Null
                    } else {
                        Value::USmallInt(i as u16)
                    },
                ]
            })
            .collect();
        let bytes = encode_block(&columns, &rows).unwrap();
        let mut walked: Vec<Vec<Value>> = Vec::new();
        BlockView::parse(&bytes)
            .unwrap()
            .for_each_row(Precision::Microsecond, |row| {
                walked.push(row.iter().map(ValueRef::to_value).collect());
                Ok(())
            })
            .unwrap();
        assert_eq!(walked, rows);
    }

    /// A malformed value in the middle of a block lets every row before it through, then
    /// fails, then ends the block.
    #[test]
    fn block_rows_deliver_every_good_row_before_a_malformed_one() {
        let columns: Arc<[Column]> = Arc::from(vec![Column::new("s", Type::VarChar, 8)]);
        let rows: Vec<Vec<Value>> = (0..400)
            .map(|i| vec![Value::VarChar(format!("v{i}"))])
            .collect();
        let mut bytes = encode_block(&columns, &rows).unwrap();
        // Row 300's offset points past the heap.
        let at = HEADER_LEN + SCHEMA_ENTRY_LEN + 4 + 300 * 4;
        bytes[at..at + 4].copy_from_slice(&0x7fff_0000_i32.to_le_bytes());
        let mut lazy = BlockRows::new(bytes, Precision::Millisecond, columns).unwrap();
        for i in 0..300 {
            let row = lazy.next().unwrap().unwrap();
            assert_eq!(row.get::<String>(0).unwrap(), format!("v{i}"));
        }
        assert!(lazy.next().unwrap().is_err());
        assert!(lazy.next().is_none());
    }

    /// Issue #14 item 7: a block whose rows all point at one 65,535-byte value of a
    /// VARCHAR(16) column is refused instead of decoding into rows × 64 KiB.
    #[test]
    fn a_value_longer_than_its_column_is_refused() {
        let columns: Arc<[Column]> = Arc::from(vec![Column::new("s", Type::VarChar, 16)]);
        let long = "x".repeat(65_535);
        let honest = encode_block(&columns, &[vec![Value::VarChar(long)]]).unwrap();
        // Rewrite it as 1,000 rows whose offsets all point at that one value.
        let rows = 1_000usize;
        let heap_len = 2 + 65_535;
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&honest[..HEADER_LEN]);
        bytes.extend_from_slice(&honest[HEADER_LEN..HEADER_LEN + SCHEMA_ENTRY_LEN]);
        bytes.extend_from_slice(&(heap_len as i32).to_le_bytes());
        bytes.extend(std::iter::repeat_n(0u8, rows * 4));
        let heap_at = HEADER_LEN + SCHEMA_ENTRY_LEN + 4 + 4;
        bytes.extend_from_slice(&honest[heap_at..heap_at + heap_len]);
        bytes.push(0);
        let total = bytes.len() as i32;
        bytes[4..8].copy_from_slice(&total.to_le_bytes());
        bytes[8..12].copy_from_slice(&(rows as i32).to_le_bytes());
        let e = decode_rows(&bytes, Precision::Millisecond, &columns).unwrap_err();
        assert!(e.message().contains("longer than its column"), "{e}");
        let mut lazy = BlockRows::new(bytes.clone(), Precision::Millisecond, columns).unwrap();
        assert!(lazy.next().unwrap().is_err());
        assert!(lazy.next().is_none(), "a malformed row ends the block");
        let view = BlockView::parse(&bytes).unwrap();
        assert!(view.column(0).unwrap().var_value(0).is_err());
    }
}
