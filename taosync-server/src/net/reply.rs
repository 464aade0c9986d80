//! One WebSocket reply frame and the JSON replies every WebSocket endpoint builds the same
//! way (the five common keys of 01 §2, then the action's own fields).

use std::time::Instant;

use serde::Serialize;

use crate::backend::DbError;
use taosync_proto::ws::{
    Action, GENERIC_CODE, IncomingRequest, ReplyHeader, RequestError, encode_reply,
};

/// One reply frame.
#[derive(Debug, PartialEq)]
pub(crate) enum Reply {
    /// A JSON text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// Nanoseconds since `started` (the `timing` key).
pub(crate) fn timing(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)
}

/// Nanoseconds since `started`, unsigned (binary fetch replies).
pub(crate) fn timing_u64(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The five-key error reply.
pub(crate) fn error(
    code: u16,
    message: &str,
    action: &str,
    req_id: u64,
    started: Instant,
) -> Reply {
    Reply::Text(ReplyHeader::error(action, req_id, timing(started), code, message).to_json())
}

/// The reply to a request whose frame or args do not decode.
pub(crate) fn request_error(e: &RequestError, started: Instant) -> Reply {
    Reply::Text(e.reply(timing(started)).to_json())
}

/// The five-key error reply of an engine error.
pub(crate) fn db_error(e: &DbError, action: &str, req_id: u64, started: Instant) -> Reply {
    error(e.code, &e.message, action, req_id, started)
}

/// A success reply: the common keys, then `body`'s fields.
pub(crate) fn ok<T: Serialize>(action: &str, req_id: u64, started: Instant, body: &T) -> Reply {
    match encode_reply(&ReplyHeader::ok(action, req_id, timing(started)), body) {
        Ok(text) => Reply::Text(text),
        Err(e) => error(GENERIC_CODE, e.message(), action, req_id, started),
    }
}

/// The args of `A`, or the reply for args that do not fit.
pub(crate) fn args<A: Action>(req: &IncomingRequest, started: Instant) -> Result<A, Reply> {
    req.args::<A>().map_err(|e| request_error(&e, started))
}
