//! Sans-IO encoding and decoding of taosAdapter's wire formats: raw result blocks, REST JSON,
//! WebSocket JSON messages and binary frames, and stmt bind payloads.
//!
//! Nothing here touches a socket. The client transports and the embedded server both build
//! on these functions, and every decoder treats its input as hostile: truncated or
//! inconsistent bytes give an [`ErrorKind::Result`](crate::ErrorKind::Result) error, never a
//! panic or an unbounded allocation.

pub mod block;
pub(crate) mod bytes;
pub mod rest;
pub mod stmt;
pub mod tmq;
pub mod ws;
