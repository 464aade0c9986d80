//! The embedded, in-memory, taosAdapter-compatible server (feature `server`).

pub mod engine;
pub mod sml;
