//! WebSocket (`/ws`) messages and binary frames (01 §2, 02 §0.3).
//!
//! * [`envelope`]: the JSON envelope of text frames, request and reply, client and server.
//! * [`messages`]: typed args and reply bodies per action ([`Action`] ties them together).
//! * [`frame`]: binary request frames (24-byte header, actions 6, 7, 10).
//! * [`block_reply`]: binary reply frames carrying raw blocks (`fetch_raw_block`,
//!   legacy `fetch_block`).
//!
//! ```
//! use taosync_proto::ws::{QueryArgs, QueryReply, decode_reply, encode_request};
//! let text = encode_request(&QueryArgs { req_id: 2, sql: "show databases".into() }).unwrap();
//! assert_eq!(text, r#"{"action":"query","args":{"req_id":2,"sql":"show databases"}}"#);
//! let reply = decode_reply::<QueryReply>(
//!     r#"{"code":0,"message":"","action":"query","req_id":2,"timing":1,"id":0,"is_update":true,"affected_rows":3}"#,
//! ).unwrap();
//! assert_eq!(reply.body.affected_rows, 3);
//! let err = decode_reply::<QueryReply>(
//!     r#"{"code":9728,"message":"syntax error","action":"query","req_id":2,"timing":1}"#,
//! ).unwrap_err();
//! assert_eq!(err.code().map(|c| c.value()), Some(0x2600));
//! ```

pub mod block_reply;
pub mod envelope;
pub mod frame;
pub mod messages;
pub mod raw_write;

pub use block_reply::{
    BinaryReply, BinaryReplyKind, FetchBlockReply, FetchRawBlockReply, RAW_BLOCK_MARKER,
    binary_reply_kind, binary_reply_req_id, encode_raw_block_data, encode_raw_block_error,
    encode_raw_block_finished,
};
pub use envelope::{
    ACTIONS_BEFORE_CONN, Action, GENERIC_CODE, IncomingRequest, Reply, ReplyHeader, RequestError,
    decode_body, decode_reply, encode_reply, encode_request, needs_connection, parse_request,
};
pub use frame::{
    BinaryAction, BinaryHeader, BinaryRequest, HEADER_LEN, action_name, encode_binary_query,
    encode_fetch_raw_block, encode_validate_sql,
};
pub use messages::*;
pub use raw_write::{
    RawBlockWrite, RawField, RawWrite, TAOS_FIELD_LEN, encode_write_raw, encode_write_raw_block,
    field_type,
};

#[cfg(test)]
mod tests;
