//! WebSocket JSON messages and binary frames (01 §2).
