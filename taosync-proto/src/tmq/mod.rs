//! TMQ (data subscription) over taosAdapter's `/rest/tmq` WebSocket (02 §3).
//!
//! * [`messages`]: typed args and reply bodies of every JSON action; the `/ws` envelope
//!   helpers ([`encode_request`](crate::ws::encode_request),
//!   [`encode_reply`](crate::ws::encode_reply)) apply unchanged, and
//!   [`decode_tmq_reply`] reads replies as [`Tmq`](crate::ErrorKind::Tmq) errors.
//! * [`request`]: the server's dispatch ([`parse_tmq_request`], silent on malformed
//!   frames) and error replies.
//! * [`binary`]: the binary replies (`fetch_block`, `fetch_raw`, `fetch_raw_data`) and the
//!   multi-block raw-data payload.
//! * [`config`]: the client's [`ConsumerConfig`] (keys or DSN → `subscribe` args).
//! * [`codes`]: the TMQ error codes servers and clients use.
//!
//! ```
//! use taosync_proto::tmq::{PollArgs, PollReply, decode_tmq_reply};
//! use taosync_proto::ws::encode_request;
//! let text = encode_request(&PollArgs { req_id: 2, blocking_time: 500, message_id: Some(0) }).unwrap();
//! assert_eq!(text, r#"{"action":"poll","args":{"req_id":2,"blocking_time":500,"message_id":0}}"#);
//! let err = decode_tmq_reply::<PollArgs>(
//!     r#"{"code":65535,"message":"tmq not init","action":"poll","req_id":2,"timing":1}"#,
//! ).unwrap_err();
//! assert_eq!(err.kind(), taosync_proto::ErrorKind::Tmq);
//! ```

pub mod binary;
pub mod config;
pub mod messages;
mod meta;
pub mod request;

#[cfg(test)]
mod tests;

pub use binary::{
    FetchRawDataReply, FetchRawReply, NEW_FORMAT_MARKER, RAW_BLOCK_PREFIX_LEN, RAW_DATA_META_TYPE,
    RAW_META_JSON_TYPE, RawData, RawDataBlock, RawDataTable, RawSchemaField,
    TMQ_FETCH_RAW_NEW_MESSAGE, TMQ_RAW_MESSAGE, TmqFetchBlockReply, encode_raw_data,
};
pub use config::{ConsumerConfig, OffsetReset};
pub use messages::*;
pub use meta::meta_to_sql;
pub use request::{
    GENERIC_CODE, TmqRequest, encode_tmq_error, encode_tmq_reply, parse_tmq_request,
};

/// TMQ error codes (TDengine `taoserror.h` and taosAdapter), masked to 16 bits.
pub mod codes {
    use crate::code::Code;

    /// Invalid message (0x4000).
    pub const TMQ_INVALID_MSG: Code = Code::TMQ_INVALID_MSG;
    /// The consumer is closed (0x4002).
    pub const TMQ_CONSUMER_CLOSED: Code = Code::TMQ_CONSUMER_CLOSED;
    /// "Offset out of range" (0x4007): a seek or commit outside the WAL.
    pub const TMQ_VERSION_OUT_OF_RANGE: Code = Code::new(0x4007);
    /// "VgId does not belong to this consumer" (0x4008).
    pub const TMQ_INVALID_VGID: Code = Code::new(0x4008);
    /// "Topic does not belong to this consumer" (0x4009).
    pub const TMQ_INVALID_TOPIC: Code = Code::new(0x4009);
    /// "No committed info" (0x4011); as an `i32` it is the `OFFSET_INVALID` sentinel.
    pub const TMQ_NO_COMMITTED: Code = Code::new(0x4011);
    /// Invalid parameter (0x0118): a bad consumer option.
    pub const INVALID_PARA: Code = Code::new(0x0118);
    /// The topic does not exist (0x03E1).
    pub const MND_TOPIC_NOT_EXIST: Code = Code::MND_TOPIC_NOT_EXIST;
    /// The consumer does not exist, e.g. it timed out (0x03E6).
    pub const MND_CONSUMER_NOT_EXIST: Code = Code::MND_CONSUMER_NOT_EXIST;
    /// A subscribed topic cannot be dropped (0x03EB).
    pub const MND_TOPIC_SUBSCRIBED: Code = Code::MND_TOPIC_SUBSCRIBED;
    /// The consumer group is in use (0x03EC).
    pub const MND_CGROUP_USED: Code = Code::MND_CGROUP_USED;
    /// taosAdapter's generic code.
    pub const ADAPTER_GENERIC: Code = Code::ADAPTER_GENERIC;

    /// TDengine's text for the codes above that [`Code::default_message`] does not know.
    pub fn message(code: Code) -> &'static str {
        match code.value() {
            0x4007 => "Offset out of range",
            0x4008 => "VgId does not belong to this consumer",
            0x4009 => "Topic does not belong to this consumer",
            0x4011 => "No committed info",
            0x0118 => "Invalid parameters",
            _ => code.default_message().unwrap_or(""),
        }
    }
}
