//! Reading bound parameters out of C bind structures (`TAOS_STMT2_BIND` of stmt2,
//! `TAOS_MULTI_BIND` of stmt v1) into taosync [`Value`]s.
//!
//! Both describe one column of `num` rows: a `buffer_type` (`TSDB_DATA_TYPE_*`), a value
//! buffer, an `int32_t` length per row and a `char` NULL flag per row (`is_null` may be NULL:
//! no NULLs; a flag of 1 is NULL; 2, taospy's "ignore", is refused). Fixed-width types are
//! packed native-endian arrays of `num` values. Variable-width types differ:
//!
//! * stmt2 ([`VarLayout::Packed`]): the non-NULL values back to back, `length[i]` bytes
//!   each (NULL rows take no bytes);
//! * stmt v1 ([`VarLayout::Strided`]): row `i` at `buffer + i * buffer_length`,
//!   `length[i]` bytes (at most `buffer_length`).
//!
//! Every byte range is computed and checked before the buffer is read, through the checked
//! helpers in `ffi`; a bad length, an unknown type or non-UTF-8 text is an error message,
//! never an out-of-bounds read of our making.

use std::ffi::{c_char, c_int, c_void};

use taosync::stmt::Stmt2Field;
use taosync::{ColumnView, Type, Value};

use crate::ffi;

/// Where variable-width values sit in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarLayout {
    /// stmt2: back to back, NULL rows take no bytes.
    Packed,
    /// stmt v1: one slot of this many bytes per row.
    Strided(usize),
}

/// One C bind column, already split into its fields.
#[derive(Clone, Copy)]
pub(crate) struct RawBind {
    pub(crate) buffer_type: c_int,
    pub(crate) buffer: *const c_void,
    pub(crate) length: *const i32,
    pub(crate) is_null: *const c_char,
    pub(crate) num: c_int,
}

/// The storage width of a fixed-width type, `None` for variable-width ones.
fn fixed_width(ty: Type) -> Option<usize> {
    Some(match ty {
        Type::Bool | Type::TinyInt | Type::UTinyInt => 1,
        Type::SmallInt | Type::USmallInt => 2,
        Type::Int | Type::UInt | Type::Float => 4,
        Type::BigInt | Type::UBigInt | Type::Double | Type::Timestamp => 8,
        _ => return None,
    })
}

fn fixed_value(ty: Type, b: &[u8]) -> Value {
    let a = |n: usize| -> [u8; 8] {
        let mut out = [0u8; 8];
        out[..n].copy_from_slice(&b[..n]);
        out
    };
    match ty {
        Type::Bool => Value::Bool(b[0] != 0),
        Type::TinyInt => Value::TinyInt(b[0] as i8),
        Type::UTinyInt => Value::UTinyInt(b[0]),
        Type::SmallInt => Value::SmallInt(i16::from_ne_bytes([b[0], b[1]])),
        Type::USmallInt => Value::USmallInt(u16::from_ne_bytes([b[0], b[1]])),
        Type::Int => Value::Int(i32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        Type::UInt => Value::UInt(u32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        Type::Float => Value::Float(f32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        Type::BigInt => Value::BigInt(i64::from_ne_bytes(a(8))),
        Type::UBigInt => Value::UBigInt(u64::from_ne_bytes(a(8))),
        Type::Double => Value::Double(f64::from_ne_bytes(a(8))),
        // A raw count in the column's precision: the statement converts BIGINT into the
        // TIMESTAMP field's precision without rescaling.
        Type::Timestamp => Value::BigInt(i64::from_ne_bytes(a(8))),
        _ => Value::Null,
    }
}

fn var_value(ty: Type, b: &[u8]) -> Result<Value, &'static str> {
    let text = || {
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| "a text value is not valid UTF-8")
    };
    Ok(match ty {
        Type::VarChar => Value::VarChar(text()?),
        Type::NChar => Value::NChar(text()?),
        Type::Json => Value::Json(text()?),
        // DECIMAL binds are their decimal text; the statement parses it for the column.
        Type::Decimal | Type::Decimal64 => Value::VarChar(text()?),
        Type::VarBinary => Value::VarBinary(b.to_vec()),
        Type::Geometry => Value::Geometry(b.to_vec()),
        Type::Blob => Value::Blob(b.to_vec()),
        _ => return Err("unsupported buffer_type"),
    })
}

/// The NULL flags of `num` rows (all false when `is_null` is NULL).
fn nulls(p: *const c_char, n: usize) -> Result<Vec<bool>, &'static str> {
    if p.is_null() {
        return Ok(vec![false; n]);
    }
    let flags = ffi::in_slice(p.cast::<u8>(), n).ok_or("is_null is NULL")?;
    flags
        .iter()
        .map(|f| match f {
            0 => Ok(false),
            2 => Err("is_null value 2 (ignore this column) is not supported"),
            _ => Ok(true),
        })
        .collect()
}

/// The values of a bind column: its type and one value per row (`Value::Null` for NULL).
pub(crate) fn read_column(b: &RawBind, layout: VarLayout) -> Result<ColumnView, &'static str> {
    let n = usize::try_from(b.num).map_err(|_| "num is negative")?;
    let ty = u8::try_from(b.buffer_type)
        .ok()
        .and_then(Type::from_code)
        .filter(|t| *t != Type::Null)
        .ok_or("unknown buffer_type")?;
    let nulls = nulls(b.is_null, n)?;
    let mut values = Vec::with_capacity(n);
    if let Some(width) = fixed_width(ty) {
        if nulls.iter().all(|n| *n) {
            values.resize(n, Value::Null);
            return Ok(ColumnView::from_values(ty, values));
        }
        let bytes = n.checked_mul(width).ok_or("num is too large")?;
        let buf = ffi::in_slice(b.buffer.cast::<u8>(), bytes).ok_or("buffer is NULL")?;
        for (chunk, null) in buf.chunks_exact(width).zip(&nulls) {
            values.push(if *null {
                Value::Null
            } else {
                fixed_value(ty, chunk)
            });
        }
        return Ok(ColumnView::from_values(ty, values));
    }
    if !matches!(
        ty,
        Type::VarChar
            | Type::NChar
            | Type::Json
            | Type::Decimal
            | Type::Decimal64
            | Type::VarBinary
            | Type::Geometry
            | Type::Blob
    ) {
        return Err("unsupported buffer_type");
    }
    if nulls.iter().all(|n| *n) {
        values.resize(n, Value::Null);
        return Ok(ColumnView::from_values(ty, values));
    }
    let lengths = ffi::in_slice(b.length, n).ok_or("length is NULL for a variable-width type")?;
    let mut lens = Vec::with_capacity(n);
    for (l, null) in lengths.iter().zip(&nulls) {
        let l = usize::try_from(*l).map_err(|_| "a length is negative")?;
        lens.push(if *null && layout == VarLayout::Packed {
            0
        } else {
            l
        });
    }
    match layout {
        VarLayout::Packed => {
            let total = lens
                .iter()
                .try_fold(0usize, |acc, l| acc.checked_add(*l))
                .ok_or("lengths overflow")?;
            let buf = ffi::in_slice(b.buffer.cast::<u8>(), total).ok_or("buffer is NULL")?;
            let mut at = 0;
            for (l, null) in lens.iter().zip(&nulls) {
                if *null {
                    values.push(Value::Null);
                    continue;
                }
                values.push(var_value(ty, &buf[at..at + l])?);
                at += l;
            }
        }
        VarLayout::Strided(stride) => {
            let total = n.checked_mul(stride).ok_or("buffer_length is too large")?;
            let buf = ffi::in_slice(b.buffer.cast::<u8>(), total).ok_or("buffer is NULL")?;
            for (i, (l, null)) in lens.iter().zip(&nulls).enumerate() {
                if *null {
                    values.push(Value::Null);
                    continue;
                }
                if *l > stride {
                    return Err("a length is larger than buffer_length");
                }
                let start = i * stride;
                values.push(var_value(ty, &buf[start..start + l])?);
            }
        }
    }
    Ok(ColumnView::from_values(ty, values))
}

/// The first row of a bind column (a tag), `Value::Null` when it has no rows.
pub(crate) fn read_single(b: &RawBind, layout: VarLayout) -> Result<Value, &'static str> {
    let one = RawBind {
        num: b.num.min(1),
        ..*b
    };
    Ok(read_column(&one, layout)?
        .values()
        .first()
        .cloned()
        .unwrap_or(Value::Null))
}

/// Fits a bound column to its placeholder. A TIMESTAMP bound as a raw count stays a BIGINT
/// for a typed TIMESTAMP field (the statement reads it in the field's precision); for an
/// untyped field (`INSERT INTO ? VALUES (...)`, whose columns are known only once the table
/// is) or a query parameter it becomes a timestamp sent as the raw count: the table's
/// precision for an insert, milliseconds for a query (which has no column precision).
pub(crate) fn for_placeholder(view: ColumnView, field: Option<&Stmt2Field>) -> ColumnView {
    let typed = field
        .and_then(Stmt2Field::ty)
        .is_some_and(|t| t != Type::Null);
    if typed || view.ty() != Type::Timestamp {
        return view;
    }
    let values = view
        .values()
        .iter()
        .map(|v| match v {
            Value::BigInt(t) => {
                Value::Timestamp(taosync::Timestamp::new(*t, taosync::Precision::Millisecond))
            }
            other => other.clone(),
        })
        .collect();
    ColumnView::from_values(Type::Timestamp, values)
}
