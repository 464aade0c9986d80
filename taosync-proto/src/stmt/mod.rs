//! stmt v1 and stmt2 bind payloads (02 §1).
//!
//! * [`v1`]: binary `set_tags`/`bind` frames (actions 1 and 2) around a raw block
//!   (02 §1.2.4).
//! * [`json`]: the stmt v1 JSON value encoding of `set_tags`/`bind` (02 §1.2.3).
//! * [`stmt2`]: the stmt2 bind payload of action 9 (02 §1.3.3).
//! * [`coerce`]: a bound parameter converted to its field's type.
//! * Field descriptors: [`StmtField`] (v1) and [`Stmt2Field`] (`stmt2_prepare`, 02 §1.3.2).
//!
//! ```
//! use taosync_proto::stmt::{BindType, Stmt2Bind, Stmt2Field};
//! use taosync_proto::{Precision, Type, Value};
//!
//! // The fields `stmt2_prepare` returned for `INSERT INTO ? VALUES (?, ?)`.
//! let field = |name: &str, ty: Type, kind: BindType| Stmt2Field {
//!     name: name.into(),
//!     field_type: ty.code() as i8,
//!     bind_type: kind.code(),
//!     ..Stmt2Field::default()
//! };
//! let fields = [
//!     field("tbname", Type::VarChar, BindType::TableName),
//!     field("ts", Type::Timestamp, BindType::Column),
//!     field("v", Type::Int, BindType::Column),
//! ];
//! let rows = vec![
//!     vec![Value::from("d1"), Value::BigInt(1_700_000_000_000), Value::BigInt(7)],
//!     vec![Value::from("d1"), Value::BigInt(1_700_000_000_001), Value::Null],
//! ];
//! let bind = Stmt2Bind::from_rows(&fields, &rows).unwrap();
//! let payload = bind.encode().unwrap();
//! let back = Stmt2Bind::decode(&payload, Precision::Millisecond).unwrap();
//! assert_eq!(back.tables[0].name.as_deref(), Some("d1"));
//! assert_eq!(back.tables[0].cols[1].values, vec![Value::Int(7), Value::Null]);
//! ```

mod coerce;
mod fields;
pub mod json;
pub mod stmt2;
pub mod v1;

pub use coerce::coerce;
pub use fields::{BindType, Stmt2Field, StmtField};
pub use stmt2::{BindColumn, Stmt2Bind, Stmt2BindFrame, Stmt2Table, encode_stmt2_bind};
pub use v1::{
    decode_block_frame, decode_insert_bind, decode_query_bind, decode_set_tags, encode_bind,
    encode_bind_columns, encode_bind_rows, encode_set_tags, encode_set_tags_values,
};

#[cfg(test)]
mod tests;
