//! The client's integration suite: one test binary, one module per area, every case against
//! the embedded server (`taosync-server`), and the DB-API cases also against a real server
//! when `TAOSYNC_TEST_DSN` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod arrow_batches;
mod common;
mod dbapi;
mod dbapi_types;
mod error_map;
mod faults;
mod fixture;
mod keepalive;
mod pep249;
mod pool;
mod reliability;
mod rest_stream;
mod schemaless;
mod secrets;
mod serde_rows;
mod stmt;
mod tls;
mod tmq;
