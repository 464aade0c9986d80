//! The raw block format (01 §3): encode and decode.
