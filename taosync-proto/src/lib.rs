//! # taosync-proto
//!
//! The wire-level crate of [taosync](https://docs.rs/taosync): sans-IO encoding and decoding
//! of taosAdapter's wire formats (raw result blocks, REST JSON, WebSocket JSON messages and
//! binary frames, stmt bind payloads, TMQ replies) and the value model they decode into
//! ([`Value`], [`Type`], [`Timestamp`], [`Row`], [`Error`]).
//!
//! Most users want the `taosync` client, which re-exports the value model; this crate is for
//! the embedded server (`taosync-server`), the fuzz targets and anyone writing another
//! transport. Section references such as "01 §2.4.3" point into `docs/protocol/` of the
//! repository.
//!
//! Nothing here touches a socket. The client transports and the embedded server both build
//! on these functions, and every decoder treats its input as hostile: truncated or
//! inconsistent bytes give an [`ErrorKind::Result`] error, never a
//! panic or an unbounded allocation.

/// Declares a JSON message struct of the WS and TMQ protocols: public fields in wire order,
/// each read like Go's `encoding/json` reads it (missing or `null` → the zero value). The
/// expansion site imports `serde::{Deserialize, Serialize}` and `null_default`.
macro_rules! message {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $(
                $(#[$fm])*
                #[serde(default, deserialize_with = "null_default")]
                pub $field: $ty,
            )*
        }
    };
}

pub mod block;
pub(crate) mod bytes;
pub mod rest;
pub mod stmt;
pub mod tmq;
pub mod ws;

pub mod code;
pub mod error;
mod redact;
pub mod row;
#[cfg(feature = "serde")]
pub mod serde_support;
pub mod types;
pub mod tz;
pub mod value;

pub use code::Code;
pub use error::{Error, ErrorKind, FromValueError, Result};
pub use row::{Column, FromRow, Row, RowIndex};
pub use types::{Decimal, Precision, Timestamp, Type};
pub use value::{FromValue, Value};
