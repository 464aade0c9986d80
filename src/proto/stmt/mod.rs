//! stmt v1 and stmt2 bind payloads (02 §1).

mod fields;

pub use fields::{BindType, Stmt2Field, StmtField};
