//! stmt v1 and stmt2 bind payloads (02 §1).
//!
//! * [`v1`]: binary `set_tags`/`bind` frames (actions 1 and 2) around a raw block
//!   (02 §1.2.4).
//! * [`json`]: the stmt v1 JSON value encoding of `set_tags`/`bind` (02 §1.2.3).
//! * [`stmt2`]: the stmt2 bind payload of action 9 (02 §1.3.3).
//! * [`coerce`]: a bound parameter converted to its field's type.
//! * Field descriptors: [`StmtField`] (v1) and [`Stmt2Field`] (`stmt2_prepare`, 02 §1.3.2).

mod coerce;
mod fields;
pub mod json;
pub mod stmt2;
pub mod v1;

pub use coerce::coerce;
pub use fields::{BindType, Stmt2Field, StmtField};
pub use stmt2::{BindColumn, Stmt2Bind, Stmt2BindFrame, Stmt2Table, encode_stmt2_bind};
pub use v1::{BlockShape, block_shape, decode_block_frame, encode_bind, encode_set_tags};

#[cfg(test)]
mod tests;
