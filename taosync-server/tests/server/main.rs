//! The embedded server's integration suite: one test binary that speaks to the server over
//! raw HTTP and WebSocket frames (built with `taosync-proto`), never through the client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod limits;
mod protocol;
mod raw_write;
mod schemaless;
mod stmt;
mod tmq;
