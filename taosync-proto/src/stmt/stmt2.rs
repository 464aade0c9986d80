//! The stmt2 bind payload of binary action 9 (02 §1.3.3): table names, tags and columns of
//! many tables in one message, each field a "bind record" holding one column of values.
//!
//! [`Stmt2Bind::encode`] builds the payload from a column-wise representation (client);
//! [`Stmt2Bind::decode`] parses it back, validating every count, offset and length
//! against the buffer (server). Decoding never allocates more than a small multiple of the
//! input length: every count is checked against the bytes that must back it before any
//! vector is sized from it.

use super::coerce;
use super::fields::{BindType, Stmt2Field};
use crate::bytes::{Reader, Writer, len_u32};
use crate::error::{Error, ErrorKind, Result};
use crate::types::{Decimal, Precision, Timestamp, Type};
use crate::value::Value;
use crate::ws::GENERIC_CODE;
use crate::ws::frame::{BinaryAction, BinaryHeader, BinaryRequest, HEADER_LEN};

/// Size of the payload header (7 × u32) and the offset of the first section.
const PAYLOAD_HEADER_LEN: u32 = 28;

/// One bind record: a column of values of one type (02 §1.3.3). For tags, `values` holds
/// exactly one value.
#[derive(Clone, Debug, PartialEq)]
pub struct BindColumn {
    /// The type written as `buffer_type`.
    pub ty: Type,
    /// The values, `Value::Null` for NULL rows.
    pub values: Vec<Value>,
}

impl BindColumn {
    /// A column of `ty` holding `values`.
    pub fn new(ty: Type, values: Vec<Value>) -> Self {
        BindColumn { ty, values }
    }
}

/// The binds of one table: its name (when the table name is a parameter), tags and
/// columns (02 §1.3.3).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stmt2Table {
    /// The table name, `None` when the statement does not bind one.
    pub name: Option<String>,
    /// One single-value column per tag.
    pub tags: Vec<BindColumn>,
    /// One column per bound column; all have the same number of rows.
    pub cols: Vec<BindColumn>,
}

/// A stmt2 bind payload: the tables bound by one action-9 message (02 §1.3.3). Every
/// table binds the same number of tags and columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stmt2Bind {
    /// The tables, in order.
    pub tables: Vec<Stmt2Table>,
}

fn bind_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Statement, message)
}

/// An error the server reports as a stmt2 bind failure (code 0xffff).
fn payload_error(message: impl Into<String>) -> Error {
    Error::server(ErrorKind::Statement, i64::from(GENERIC_CODE), message)
}

impl Stmt2Bind {
    /// Client: the payload bytes (from `total_length` on). Timestamps are written as their
    /// raw value, so convert them to the column precision first; DECIMAL values are sent as
    /// decimal text, NCHAR as UTF-8. Sections are written only when needed: table names
    /// when any table has one (a table without one gets an empty name), tags and columns
    /// when there are any.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut w = Writer::with_capacity(256);
        self.encode_into(&mut w)?;
        Ok(w.into_inner())
    }

    /// Appends the payload to `w` (offsets inside it are relative to where it starts), so
    /// a frame is built in one buffer without copying the payload.
    pub(crate) fn encode_into(&self, w: &mut Writer) -> Result<()> {
        let base = w.len();
        let first = self
            .tables
            .first()
            .ok_or_else(|| bind_error("stmt2 bind needs at least one table"))?;
        let (tag_count, col_count) = (first.tags.len(), first.cols.len());
        for (t, table) in self.tables.iter().enumerate() {
            if table.tags.len() != tag_count || table.cols.len() != col_count {
                return Err(bind_error(format!(
                    "table {t} binds {} tags and {} columns, table 0 binds {tag_count} and {col_count}",
                    table.tags.len(),
                    table.cols.len()
                )));
            }
            for (i, tag) in table.tags.iter().enumerate() {
                if tag.values.len() != 1 {
                    return Err(bind_error(format!(
                        "table {t} tag {i} holds {} values, a tag takes exactly one",
                        tag.values.len()
                    )));
                }
            }
            if let Some(rows) = table.cols.first().map(|c| c.values.len())
                && let Some((i, c)) = table
                    .cols
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.values.len() != rows)
            {
                return Err(bind_error(format!(
                    "table {t} column {i} has {} rows, column 0 has {rows}",
                    c.values.len()
                )));
            }
        }
        let count = len_u32(self.tables.len(), "table count")?;
        w.reserve(self.size_hint());
        w.u32(0) // total_length, patched below
            .u32(count)
            .u32(len_u32(tag_count, "tag count")?)
            .u32(len_u32(col_count, "column count")?)
            .u32(0)
            .u32(0)
            .u32(0);
        if self.tables.iter().any(|t| t.name.is_some()) {
            let at = len_u32(w.len() - base, "payload")?;
            w.patch_u32(base + 16, at);
            let names: Vec<&str> = self
                .tables
                .iter()
                .map(|t| t.name.as_deref().unwrap_or(""))
                .collect();
            for name in &names {
                if name.contains('\0') {
                    return Err(bind_error(format!("table name {name:?} contains NUL")));
                }
                let len = u16::try_from(name.len() + 1).map_err(|_| {
                    bind_error(format!("table name too long: {} bytes", name.len()))
                })?;
                w.u16(len);
            }
            for name in &names {
                w.bytes(name.as_bytes()).u8(0);
            }
        }
        if tag_count > 0 {
            let at = len_u32(w.len() - base, "payload")?;
            w.patch_u32(base + 20, at);
            write_section(w, self.tables.iter().map(|t| t.tags.as_slice()))?;
        }
        if col_count > 0 {
            let at = len_u32(w.len() - base, "payload")?;
            w.patch_u32(base + 24, at);
            write_section(w, self.tables.iter().map(|t| t.cols.as_slice()))?;
        }
        let total = len_u32(w.len() - base, "payload")?;
        w.patch_u32(base, total);
        Ok(())
    }

    /// About the payload's size, to allocate it once.
    fn size_hint(&self) -> usize {
        self.tables
            .iter()
            .map(|t| {
                let name = t.name.as_ref().map_or(0, |n| n.len() + 3);
                let cols: usize = t
                    .tags
                    .iter()
                    .chain(&t.cols)
                    .map(|c| 21 + c.values.len() * 14)
                    .sum();
                name + cols + 8
            })
            .sum::<usize>()
            + 28
    }

    /// Server: parses a payload (from `total_length` on), reading TIMESTAMP values in
    /// `precision`. Every structural error is a [`Statement`](ErrorKind::Statement) error
    /// with code 0xffff and a message naming the table and field.
    pub fn decode(payload: &[u8], precision: Precision) -> Result<Stmt2Bind> {
        let mut r = Reader::new(payload, "stmt2 bind payload");
        let header_err = |e: Error| payload_error(e.message().to_owned());
        let total = r.u32("total_length").map_err(header_err)?;
        if usize::try_from(total).ok() != Some(payload.len()) {
            return Err(payload_error(format!(
                "total length not match, expect {}, but get {total}",
                payload.len()
            )));
        }
        let count = r.u32("count").map_err(header_err)?;
        let tag_count = r.u32("tag_count").map_err(header_err)?;
        let col_count = r.u32("col_count").map_err(header_err)?;
        let names_offset = r.u32("table_names_offset").map_err(header_err)?;
        let tags_offset = r.u32("tags_offset").map_err(header_err)?;
        let cols_offset = r.u32("cols_offset").map_err(header_err)?;
        if tags_offset > 0 && tag_count == 0 {
            return Err(payload_error(
                "tag count is zero, but tags offset is not zero",
            ));
        }
        if cols_offset > 0 && col_count == 0 {
            return Err(payload_error(
                "col count is zero, but cols offset is not zero",
            ));
        }
        if names_offset == 0 && tags_offset == 0 && cols_offset == 0 {
            return Err(payload_error(
                "stmt2 bind payload has no table names, tags or columns",
            ));
        }
        let names = if names_offset > 0 {
            Some(read_names(payload, names_offset, count)?)
        } else {
            None
        };
        let tags = if tags_offset > 0 {
            Some(read_section(
                payload,
                tags_offset,
                count,
                tag_count,
                "tag",
                precision,
            )?)
        } else {
            None
        };
        let cols = if cols_offset > 0 {
            Some(read_section(
                payload,
                cols_offset,
                count,
                col_count,
                "col",
                precision,
            )?)
        } else {
            None
        };
        // At least one section exists and each proved `count` entries from the buffer.
        let n = names
            .as_ref()
            .map(Vec::len)
            .or(tags.as_ref().map(Vec::len))
            .or(cols.as_ref().map(Vec::len))
            .unwrap_or(0);
        let mut names = names.map(Vec::into_iter);
        let mut tags = tags.map(Vec::into_iter);
        let mut cols = cols.map(Vec::into_iter);
        let mut tables = Vec::with_capacity(n);
        for _ in 0..n {
            tables.push(Stmt2Table {
                name: names.as_mut().and_then(Iterator::next),
                tags: tags.as_mut().and_then(Iterator::next).unwrap_or_default(),
                cols: cols.as_mut().and_then(Iterator::next).unwrap_or_default(),
            });
        }
        Ok(Stmt2Bind { tables })
    }
}

impl Stmt2Bind {
    /// Client: the binds of an INSERT from rows in `stmt2_prepare` field order (02 §1.3.2):
    /// each row holds one value per field (table name, then tags, then columns, as the
    /// fields list them). Consecutive rows with the same table name form one table; a table
    /// takes its tags from its first row, and a later row of the same table with other tag
    /// values is an error. Values are converted to the field types with [`coerce`], and
    /// timestamps to each field's precision.
    ///
    /// [`coerce`]: super::coerce
    pub fn from_rows(fields: &[Stmt2Field], rows: &[Vec<Value>]) -> Result<Stmt2Bind> {
        if rows.is_empty() {
            return Err(bind_error("stmt2 bind needs at least one row"));
        }
        let mut name_at = None;
        let (mut tag_at, mut col_at) = (Vec::new(), Vec::new());
        for (i, f) in fields.iter().enumerate() {
            let ty = f.ty().ok_or_else(|| {
                bind_error(format!(
                    "field {:?} has unknown type code {}",
                    f.name, f.field_type
                ))
            })?;
            match f.kind() {
                Some(BindType::TableName) if name_at.is_none() => name_at = Some(i),
                Some(BindType::Tag) => tag_at.push((i, ty)),
                Some(BindType::Column) => col_at.push((i, ty)),
                _ => {
                    return Err(bind_error(format!(
                        "field {:?} has bind_type {}, not a table name, tag or column of an insert",
                        f.name, f.bind_type
                    )));
                }
            }
        }
        let mut tables: Vec<Stmt2Table> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
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
            let name = match name_at.map(|i| &row[i]) {
                None => None,
                Some(Value::VarChar(s) | Value::NChar(s)) => Some(s.clone()),
                Some(v) => {
                    return Err(Error::new(
                        ErrorKind::Interface,
                        format!(
                            "row {r}: the table name must be text, got a {} value",
                            v.ty().name()
                        ),
                    ));
                }
            };
            let convert = |i: usize, ty: Type| {
                coerce(&row[i], ty, fields[i].timestamp_precision()).map_err(|e| {
                    Error::new(
                        ErrorKind::Interface,
                        format!("row {r}, field {:?}: {}", fields[i].name, e.message()),
                    )
                })
            };
            let tags = tag_at
                .iter()
                .map(|&(i, ty)| convert(i, ty))
                .collect::<Result<Vec<_>>>()?;
            let same_table = tables.last().is_some_and(|t| t.name == name);
            if !same_table {
                tables.push(Stmt2Table {
                    name,
                    tags: tag_at
                        .iter()
                        .zip(&tags)
                        .map(|(&(_, ty), v)| BindColumn::new(ty, vec![v.clone()]))
                        .collect(),
                    cols: col_at
                        .iter()
                        .map(|&(_, ty)| BindColumn::new(ty, Vec::new()))
                        .collect(),
                });
            }
            let Some(table) = tables.last_mut() else {
                return Err(bind_error("internal: no current table"));
            };
            if same_table
                && table
                    .tags
                    .iter()
                    .zip(&tags)
                    .any(|(t, v)| t.values.first() != Some(v))
            {
                return Err(Error::new(
                    ErrorKind::Interface,
                    format!("row {r} changes the tag values of its table"),
                ));
            }
            for (col, &(i, ty)) in table.cols.iter_mut().zip(&col_at) {
                col.values.push(convert(i, ty)?);
            }
        }
        Ok(Stmt2Bind { tables })
    }

    /// Client: the binds of a query's `?` parameters (02 §1.3.4): one table, no name, no
    /// tags, one single-row column per parameter typed by its value (NULL is sent as a
    /// NULL VARCHAR).
    pub fn query_params(params: &[Value]) -> Stmt2Bind {
        let cols = params
            .iter()
            .map(|v| {
                let ty = if v.is_null() { Type::VarChar } else { v.ty() };
                BindColumn::new(ty, vec![v.clone()])
            })
            .collect();
        Stmt2Bind {
            tables: vec![Stmt2Table {
                name: None,
                tags: Vec::new(),
                cols,
            }],
        }
    }
}

fn section_start<'a>(payload: &'a [u8], offset: u32, what: &str) -> Result<Reader<'a>> {
    let start = usize::try_from(offset)
        .ok()
        .filter(|o| *o >= PAYLOAD_HEADER_LEN as usize && *o <= payload.len())
        .ok_or_else(|| {
            payload_error(format!(
                "{what} offset out of range, total length: {}, offset: {offset}",
                payload.len()
            ))
        })?;
    let mut r = Reader::new(payload, "stmt2 bind payload");
    r.take(start, what)?;
    Ok(r)
}

fn read_names(payload: &[u8], offset: u32, count: u32) -> Result<Vec<String>> {
    let mut r = section_start(payload, offset, "table names")?;
    let n = usize::try_from(count).unwrap_or(usize::MAX);
    let lens_len = n
        .checked_mul(2)
        .filter(|l| *l <= r.remaining())
        .ok_or_else(|| {
            payload_error(format!(
                "table name lengths out of range, total length: {}, count: {count}",
                payload.len()
            ))
        })?;
    let mut lens = Reader::new(
        r.take(lens_len, "table name lengths")?,
        "table name lengths",
    );
    let mut names = Vec::with_capacity(n);
    for i in 0..n {
        let len = lens.u16("table name length")?;
        if len == 0 {
            return Err(payload_error(format!(
                "table name length is zero, data index: {i}"
            )));
        }
        let raw = r.take(usize::from(len), "table name").map_err(|_| {
            payload_error(format!(
                "table names out of range, total length: {}, data index: {i}",
                payload.len()
            ))
        })?;
        let text = raw.split(|b| *b == 0).next().unwrap_or_default();
        let name = std::str::from_utf8(text)
            .map_err(|_| payload_error(format!("table name {i} is not valid UTF-8")))?;
        names.push(name.to_owned());
    }
    Ok(names)
}

fn read_section(
    payload: &[u8],
    offset: u32,
    count: u32,
    fields: u32,
    what: &str,
    precision: Precision,
) -> Result<Vec<Vec<BindColumn>>> {
    let mut r = section_start(payload, offset, what)?;
    let n = usize::try_from(count).unwrap_or(usize::MAX);
    let lens_len = n
        .checked_mul(4)
        .filter(|l| *l <= r.remaining())
        .ok_or_else(|| {
            payload_error(format!(
                "{what}s lengths out of range, total length: {}, count: {count}",
                payload.len()
            ))
        })?;
    let mut lens = Reader::new(r.take(lens_len, "lengths")?, "lengths");
    let mut table_lens = Vec::with_capacity(n);
    for i in 0..n {
        let len = lens.u32("length")?;
        if len == 0 {
            return Err(payload_error(format!(
                "{what} length is zero, data index: {i}"
            )));
        }
        table_lens.push(len);
    }
    let mut tables = Vec::with_capacity(n);
    for (t, len) in table_lens.into_iter().enumerate() {
        let body = r.take_u32(len, what).map_err(|_| {
            payload_error(format!(
                "{what}s out of range, total length: {}, tableIndex: {t}",
                payload.len()
            ))
        })?;
        let mut tr = Reader::new(body, "stmt2 bind records");
        // Every record takes at least 17 bytes, which bounds the allocation.
        let mut columns = Vec::with_capacity(body.len() / 17);
        for f in 0..fields {
            columns.push(read_record(&mut tr, t, f, precision)?);
        }
        if tr.remaining() != 0 {
            return Err(payload_error(format!(
                "{what} data length of table {t} is {len}, but its {fields} records take {}",
                tr.position()
            )));
        }
        tables.push(columns);
    }
    Ok(tables)
}

fn read_record(
    r: &mut Reader<'_>,
    table: usize,
    field: u32,
    precision: Precision,
) -> Result<BindColumn> {
    let at = |e: Error| {
        payload_error(format!(
            "bind data length error, tableIndex: {table}, fieldIndex: {field}: {}",
            e.message()
        ))
    };
    let start = r.position();
    let total = r.u32("total_length").map_err(at)?;
    let code = r.u32("buffer_type").map_err(at)?;
    let ty = u8::try_from(code)
        .ok()
        .and_then(Type::from_code)
        .filter(|t| !matches!(t, Type::Null | Type::MediumBlob))
        .ok_or_else(|| {
            payload_error(format!(
                "unsupported buffer type {code}, tableIndex: {table}, fieldIndex: {field}"
            ))
        })?;
    let num = r.u32("num").map_err(at)?;
    let is_null = r.take_u32(num, "is_null").map_err(at)?;
    let num = is_null.len();
    let have_length = r.u8("have_length").map_err(at)?;
    let lengths = if have_length != 0 {
        let n = num
            .checked_mul(4)
            .ok_or_else(|| at(Error::result("length array too large")))?;
        Some(r.take(n, "length").map_err(at)?)
    } else {
        None
    };
    let buffer_length = r.u32("buffer_length").map_err(at)?;
    let buffer = r.take_u32(buffer_length, "buffer").map_err(at)?;
    let consumed = r.position() - start;
    if usize::try_from(total).ok() != Some(consumed) {
        return Err(payload_error(format!(
            "bind data length not match, expect {total}, but get {consumed}, tableIndex:{table}"
        )));
    }
    let bad = |m: String| payload_error(format!("{m}, tableIndex: {table}, fieldIndex: {field}"));
    let mut values = Vec::with_capacity(num);
    if let Some(width) = ty.fixed_size().filter(|_| !ty.is_decimal()) {
        let all_null = is_null.iter().all(|b| *b != 0);
        if buffer.is_empty() && all_null {
            values.resize(num, Value::Null);
        } else {
            if Some(buffer.len()) != num.checked_mul(width) {
                return Err(bad(format!(
                    "buffer length {} is not {num} × {width} for {}",
                    buffer.len(),
                    ty.name()
                )));
            }
            for (slot, null) in buffer.chunks_exact(width).zip(is_null) {
                values.push(if *null != 0 {
                    Value::Null
                } else {
                    fixed_value(ty, slot, precision)
                        .ok_or_else(|| bad(format!("bad {} value", ty.name())))?
                });
            }
        }
    } else {
        let lengths = lengths.ok_or_else(|| {
            bad(format!(
                "{} needs a length array (have_length = 0)",
                ty.name()
            ))
        })?;
        let mut data = Reader::new(buffer, "stmt2 bind buffer");
        for (len, null) in lengths.chunks_exact(4).zip(is_null) {
            let len = i32::from_le_bytes([len[0], len[1], len[2], len[3]]);
            let len = usize::try_from(len).map_err(|_| bad(format!("negative length {len}")))?;
            let bytes = data.take(len, "value").map_err(|_| {
                bad(format!(
                    "value lengths exceed buffer length {}",
                    buffer.len()
                ))
            })?;
            values.push(if *null != 0 {
                Value::Null
            } else {
                var_value(ty, bytes).map_err(&bad)?
            });
        }
        if data.remaining() != 0 {
            return Err(bad(format!(
                "value lengths sum to {} but buffer length is {}",
                data.position(),
                buffer.len()
            )));
        }
    }
    Ok(BindColumn { ty, values })
}

fn fixed_value(ty: Type, b: &[u8], precision: Precision) -> Option<Value> {
    let a8 = || <[u8; 8]>::try_from(b).ok();
    let a4 = || <[u8; 4]>::try_from(b).ok();
    let a2 = || <[u8; 2]>::try_from(b).ok();
    Some(match ty {
        Type::Bool => Value::Bool(*b.first()? != 0),
        Type::TinyInt => Value::TinyInt(i8::from_le_bytes([*b.first()?])),
        Type::UTinyInt => Value::UTinyInt(*b.first()?),
        Type::SmallInt => Value::SmallInt(i16::from_le_bytes(a2()?)),
        Type::USmallInt => Value::USmallInt(u16::from_le_bytes(a2()?)),
        Type::Int => Value::Int(i32::from_le_bytes(a4()?)),
        Type::UInt => Value::UInt(u32::from_le_bytes(a4()?)),
        Type::Float => Value::Float(f32::from_le_bytes(a4()?)),
        Type::BigInt => Value::BigInt(i64::from_le_bytes(a8()?)),
        Type::UBigInt => Value::UBigInt(u64::from_le_bytes(a8()?)),
        Type::Double => Value::Double(f64::from_le_bytes(a8()?)),
        Type::Timestamp => Value::Timestamp(Timestamp::new(i64::from_le_bytes(a8()?), precision)),
        _ => return None,
    })
}

fn var_value(ty: Type, bytes: &[u8]) -> std::result::Result<Value, String> {
    let text = || {
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| format!("{} value is not valid UTF-8", ty.name()))
    };
    Ok(match ty {
        Type::VarChar => Value::VarChar(text()?),
        Type::NChar => Value::NChar(text()?),
        Type::Json => Value::Json(text()?),
        Type::VarBinary => Value::VarBinary(bytes.to_vec()),
        Type::Geometry => Value::Geometry(bytes.to_vec()),
        Type::Blob => Value::Blob(bytes.to_vec()),
        Type::Decimal | Type::Decimal64 => {
            let s = text()?;
            Value::Decimal(
                s.parse::<Decimal>()
                    .map_err(|_| format!("invalid decimal text {s:?}"))?,
            )
        }
        _ => return Err(format!("{} is not a variable-width type", ty.name())),
    })
}

/// Writes one section: each table's total record length, then every record, straight
/// into `w` (record lengths are computed first, so nothing is encoded twice or copied).
fn write_section<'a>(
    w: &mut Writer,
    tables: impl Iterator<Item = &'a [BindColumn]> + Clone,
) -> Result<()> {
    for cols in tables.clone() {
        let mut len = 0usize;
        for col in cols {
            len += record_len(col)?;
        }
        w.u32(len_u32(len, "bind records")?);
    }
    for cols in tables {
        for col in cols {
            encode_record_into(w, col)?;
        }
    }
    Ok(())
}

fn type_error(ty: Type, row: usize, value: &Value) -> Error {
    Error::new(
        ErrorKind::Interface,
        format!(
            "stmt2 bind: a {} column cannot hold the {} value in row {row}",
            ty.name(),
            value.ty().name()
        ),
    )
}

/// One bind record (02 §1.3.3).
/// The payload bytes of one variable-width value (`None` for NULL).
fn var_bytes<'v>(ty: Type, row: usize, v: &'v Value) -> Result<Option<std::borrow::Cow<'v, [u8]>>> {
    use std::borrow::Cow;
    Ok(Some(match (ty, v) {
        (_, Value::Null) => return Ok(None),
        (
            Type::VarChar | Type::NChar | Type::Json,
            Value::VarChar(s) | Value::NChar(s) | Value::Json(s),
        ) => Cow::Borrowed(s.as_bytes()),
        (
            Type::VarBinary | Type::Geometry | Type::Blob,
            Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b),
        ) => Cow::Borrowed(b.as_slice()),
        (Type::VarBinary | Type::Blob, Value::VarChar(s)) => Cow::Borrowed(s.as_bytes()),
        (Type::Decimal | Type::Decimal64, Value::Decimal(d)) => {
            Cow::Owned(d.to_string().into_bytes())
        }
        _ => return Err(type_error(ty, row, v)),
    }))
}

fn check_bindable(ty: Type) -> Result<()> {
    if matches!(ty, Type::Null | Type::MediumBlob) {
        return Err(Error::new(
            ErrorKind::Interface,
            format!("stmt2 bind: cannot bind a column of type {ty:?}"),
        ));
    }
    Ok(())
}

/// The bytes of the buffer of one record: values of a variable type one after another;
/// fixed types `rows × size`, or nothing when every value is NULL.
fn buffer_len(col: &BindColumn) -> Result<usize> {
    let ty = col.ty;
    if ty.is_var() || ty.is_decimal() {
        let mut len = 0usize;
        for (row, v) in col.values.iter().enumerate() {
            let n = match (ty, v) {
                (_, Value::Null) => 0,
                (Type::Decimal | Type::Decimal64, _) => {
                    var_bytes(ty, row, v)?.map_or(0, |b| b.len())
                }
                (_, Value::VarChar(s) | Value::NChar(s) | Value::Json(s)) => s.len(),
                (_, Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b)) => b.len(),
                _ => return Err(type_error(ty, row, v)),
            };
            if i32::try_from(n).is_err() {
                return Err(Error::new(
                    ErrorKind::Interface,
                    format!("stmt2 bind: value in row {row} too long"),
                ));
            }
            len += n;
        }
        Ok(len)
    } else if col.values.iter().all(Value::is_null) {
        Ok(0)
    } else {
        Ok(col.values.len() * ty.fixed_size().unwrap_or(0))
    }
}

/// The length of one record (02 §1.3.3), its own length field included.
fn record_len(col: &BindColumn) -> Result<usize> {
    check_bindable(col.ty)?;
    let num = col.values.len();
    let var = col.ty.is_var() || col.ty.is_decimal();
    Ok(17 + num + if var { 4 * num } else { 0 } + buffer_len(col)?)
}

/// Appends one bind record (02 §1.3.3) to `w`.
fn encode_record_into(w: &mut Writer, col: &BindColumn) -> Result<()> {
    let ty = col.ty;
    check_bindable(ty)?;
    let num = col.values.len();
    let num_u32 = len_u32(num, "rows")?;
    let var = ty.is_var() || ty.is_decimal();
    let buffer = buffer_len(col)?;
    let total = 17 + num + if var { 4 * num } else { 0 } + buffer;
    w.u32(len_u32(total, "bind record")?)
        .u32(u32::from(ty.code()))
        .u32(num_u32);
    for v in &col.values {
        w.u8(u8::from(v.is_null()));
    }
    w.u8(u8::from(var));
    if var {
        for (row, v) in col.values.iter().enumerate() {
            let n = var_bytes(ty, row, v)?.map_or(0, |b| b.len());
            w.i32(i32::try_from(n).unwrap_or(i32::MAX));
        }
        w.u32(len_u32(buffer, "bind buffer")?);
        for (row, v) in col.values.iter().enumerate() {
            if let Some(bytes) = var_bytes(ty, row, v)? {
                w.bytes(&bytes);
            }
        }
    } else {
        w.u32(len_u32(buffer, "bind buffer")?);
        if buffer > 0 {
            for (row, v) in col.values.iter().enumerate() {
                write_fixed(w, ty, v).ok_or_else(|| type_error(ty, row, v))?;
            }
        }
    }
    Ok(())
}

/// Appends one fixed-width value (zeros for NULL); `None` when `v` does not match `ty`.
fn write_fixed(w: &mut Writer, ty: Type, v: &Value) -> Option<()> {
    match (ty, v) {
        (_, Value::Null) => {
            w.bytes(&[0u8; 8][..ty.fixed_size()?]);
        }
        (Type::Bool, Value::Bool(b)) => {
            w.u8(u8::from(*b));
        }
        (Type::TinyInt, Value::TinyInt(x)) => {
            w.bytes(&x.to_le_bytes());
        }
        (Type::UTinyInt, Value::UTinyInt(x)) => {
            w.u8(*x);
        }
        (Type::SmallInt, Value::SmallInt(x)) => {
            w.bytes(&x.to_le_bytes());
        }
        (Type::USmallInt, Value::USmallInt(x)) => {
            w.u16(*x);
        }
        (Type::Int, Value::Int(x)) => {
            w.i32(*x);
        }
        (Type::UInt, Value::UInt(x)) => {
            w.u32(*x);
        }
        (Type::Float, Value::Float(x)) => {
            w.bytes(&x.to_le_bytes());
        }
        (Type::BigInt, Value::BigInt(x)) => {
            w.i64(*x);
        }
        (Type::UBigInt, Value::UBigInt(x)) => {
            w.u64(*x);
        }
        (Type::Double, Value::Double(x)) => {
            w.bytes(&x.to_le_bytes());
        }
        (Type::Timestamp, Value::Timestamp(ts)) => {
            w.i64(ts.value());
        }
        _ => return None,
    }
    Some(())
}

/// A decoded action-9 frame: the stmt id, the column index and the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stmt2BindFrame<'a> {
    /// The statement id (header resource id).
    pub stmt_id: u64,
    /// −1 to bind all columns, else the one column index bound.
    pub col_idx: i32,
    /// The payload, for [`Stmt2Bind::decode`].
    pub payload: &'a [u8],
}

impl<'a> Stmt2BindFrame<'a> {
    /// Server: checks the frame (at least 30 bytes, version 1) and splits it. Errors carry
    /// code 0xffff and taosAdapter's message (`message length is too short`,
    /// `unknown stmt2 bind version`); the server answers them with the stmt id.
    pub fn decode(request: &BinaryRequest<'a>) -> Result<Self> {
        let mut r = Reader::new(request.payload, "stmt2 bind");
        let short = |_| payload_error("message length is too short");
        let version = r.u16("version").map_err(short)?;
        let col_idx = r.i32("col_idx").map_err(short)?;
        if version != 1 {
            return Err(payload_error("unknown stmt2 bind version"));
        }
        Ok(Stmt2BindFrame {
            stmt_id: request.header.resource_id,
            col_idx,
            payload: r.rest(),
        })
    }
}

/// Client: the action-9 frame binding `bind` to `stmt_id` (`col_idx` −1 binds all columns).
pub fn encode_stmt2_bind(
    req_id: u64,
    stmt_id: u64,
    col_idx: i32,
    bind: &Stmt2Bind,
) -> Result<Vec<u8>> {
    let mut w = Writer::with_capacity(HEADER_LEN + 6);
    BinaryHeader {
        req_id,
        resource_id: stmt_id,
        action: BinaryAction::Stmt2Bind.code(),
    }
    .write(&mut w);
    w.u16(1).i32(col_idx);
    bind.encode_into(&mut w)?;
    Ok(w.into_inner())
}
