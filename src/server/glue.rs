//! Temporary raw-block encoder used until `crate::proto::block` lands on main; same
//! signatures, so the switch is a one-line re-export.

use crate::error::{Error, ErrorKind, Result};
use crate::row::Column;
use crate::types::Type;
use crate::value::Value;

/// The internal (block schema) width of a column (01 §3.2).
pub(crate) fn internal_width(ty: Type, declared: u32) -> u32 {
    match ty {
        Type::VarChar | Type::VarBinary | Type::Geometry => declared.saturating_add(2),
        Type::NChar => declared.saturating_mul(4).saturating_add(2),
        Type::Json => 16384,
        Type::Blob | Type::MediumBlob => declared.saturating_add(4),
        _ => ty
            .fixed_size()
            .and_then(|w| u32::try_from(w).ok())
            .unwrap_or(0),
    }
}

fn data_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Data, msg)
}

fn fixed_bytes(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Bool(b) => out.push(u8::from(*b)),
        Value::TinyInt(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::SmallInt(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Int(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::BigInt(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::UTinyInt(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::USmallInt(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::UInt(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::UBigInt(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Float(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Double(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Timestamp(t) => out.extend_from_slice(&t.value().to_le_bytes()),
        _ => {}
    }
}

/// Encodes row-major `rows` as a raw block (01 §3) with the trailing byte.
pub(crate) fn encode_block<R: AsRef<[Value]>>(columns: &[Column], rows: &[R]) -> Result<Vec<u8>> {
    let n = rows.len();
    let mut out = Vec::with_capacity(28 + columns.len() * 9 + n * 8 * columns.len() + 1);
    out.extend_from_slice(&1i32.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&(n as i32).to_le_bytes());
    out.extend_from_slice(&(columns.len() as i32).to_le_bytes());
    out.extend_from_slice(&0x8000_0000u32.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    for c in columns {
        out.push(c.ty.code());
        let bytes = if c.ty.is_decimal() {
            let size: u32 = if c.ty == Type::Decimal { 16 } else { 8 };
            size << 24 | u32::from(c.precision) << 8 | u32::from(c.scale)
        } else {
            internal_width(c.ty, c.length)
        };
        out.extend_from_slice(&bytes.to_le_bytes());
    }
    let lengths_at = out.len();
    out.resize(lengths_at + 4 * columns.len(), 0);
    for (ci, c) in columns.iter().enumerate() {
        let start = out.len();
        if c.ty.is_var() {
            let mut heap = Vec::new();
            for row in rows {
                let v = row.as_ref().get(ci).unwrap_or(&Value::Null);
                if v.is_null() {
                    out.extend_from_slice(&(-1i32).to_le_bytes());
                    continue;
                }
                out.extend_from_slice(&(heap.len() as i32).to_le_bytes());
                let payload: Vec<u8> = match v {
                    Value::NChar(s) => s.chars().flat_map(|ch| (ch as u32).to_le_bytes()).collect(),
                    other => other
                        .as_bytes()
                        .map(<[u8]>::to_vec)
                        .or_else(|| other.as_str().map(|s| s.as_bytes().to_vec()))
                        .unwrap_or_default(),
                };
                if c.ty == Type::Blob {
                    heap.extend_from_slice(&(payload.len() as u32).to_le_bytes());
                } else {
                    let len = u16::try_from(payload.len())
                        .map_err(|_| data_err("value longer than 65535 bytes"))?;
                    heap.extend_from_slice(&len.to_le_bytes());
                }
                heap.extend_from_slice(&payload);
            }
            let len = heap.len() as u32;
            out.extend_from_slice(&heap);
            out[lengths_at + ci * 4..lengths_at + ci * 4 + 4].copy_from_slice(&len.to_le_bytes());
        } else {
            let width = if c.ty.is_decimal() {
                if c.ty == Type::Decimal { 16 } else { 8 }
            } else {
                c.ty.fixed_size().unwrap_or(1)
            };
            let bitmap_at = out.len();
            out.resize(bitmap_at + n.div_ceil(8), 0);
            for (r, row) in rows.iter().enumerate() {
                let v = row.as_ref().get(ci).unwrap_or(&Value::Null);
                let before = out.len();
                match v {
                    Value::Null => out[bitmap_at + r / 8] |= 0x80 >> (r % 8),
                    Value::Decimal(d) => {
                        let u = d.unscaled();
                        if width == 16 {
                            out.extend_from_slice(&u.to_le_bytes());
                        } else {
                            out.extend_from_slice(&(u as i64).to_le_bytes());
                        }
                    }
                    other => fixed_bytes(other, &mut out),
                }
                out.resize(before + width, 0);
            }
            let len = (n * width) as u32;
            out[lengths_at + ci * 4..lengths_at + ci * 4 + 4].copy_from_slice(&len.to_le_bytes());
            let _ = start;
        }
    }
    out.push(0);
    let total = out.len() as i32;
    out[4..8].copy_from_slice(&total.to_le_bytes());
    Ok(out)
}
