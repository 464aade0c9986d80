//! The taosAdapter-compatible network layer: HTTP with keep-alive and TLS, REST, the
//! WebSocket endpoints (`/ws`, `/rest/ws`, `/rest/stmt`, `/rest/schemaless`, `/rest/tmq`)
//! and the schemaless HTTP endpoints.
//!
//! It reaches the engine side (`engine`, `sml`, `tmq`) only through `crate::backend`: the
//! [`Backend`](crate::backend::Backend) / `Session` / `ResultSet` traits and the types
//! that module re-exports (stmt shapes, row targets, schemaless requests, and the TMQ
//! broker that `Backend::tmq_broker` hands to `/rest/tmq`). Nothing here names
//! `crate::engine`, `crate::sml` or `crate::tmq`.
//!
//! Layering (each module uses only those below it): `conn` (accept, route, upgrade) →
//! `ws`, `tmq_ws`, `rest` → `schemaless`, `stmt`, `raw_write` → `socket` (the WebSocket loop) →
//! `reply` (reply frames) → `http`, `auth`, `shared`.

pub(crate) mod auth;
pub(crate) mod conn;
pub(crate) mod http;
pub(crate) mod raw_write;
pub(crate) mod reply;
pub(crate) mod rest;
pub(crate) mod schemaless;
pub(crate) mod shared;
pub(crate) mod socket;
pub(crate) mod stmt;
pub(crate) mod tmq_ws;
pub(crate) mod ws;

pub(crate) use shared::Shared;
