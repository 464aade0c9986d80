//! Server side of `/rest/tmq` text frames: dispatch of a request to its typed args, and
//! the error replies (02 §0.3, §3.2, §3.9).
//!
//! Unlike `/ws`, taosAdapter answers nothing at all to an undecodable frame, undecodable
//! args or an unknown action; [`parse_tmq_request`] returns `None` for those and the
//! server must stay silent.

use serde::Serialize;

use super::messages::*;
use crate::error::Result;
use crate::ws::envelope::{Action, ReplyHeader, encode_reply, parse_request};

/// The taosAdapter generic error code.
pub const GENERIC_CODE: u16 = 0xFFFF;

/// One decoded `/rest/tmq` request.
#[derive(Clone, Debug, PartialEq)]
pub enum TmqRequest {
    /// `version`.
    Version(VersionArgs),
    /// `subscribe`.
    Subscribe(Box<SubscribeArgs>),
    /// `poll`.
    Poll(PollArgs),
    /// `fetch`.
    Fetch(FetchArgs),
    /// `fetch_block` (binary reply).
    FetchBlock(FetchBlockArgs),
    /// `fetch_raw` (binary reply).
    FetchRaw(FetchRawArgs),
    /// `fetch_raw_data` (binary reply).
    FetchRawData(FetchRawDataArgs),
    /// `fetch_json_meta`.
    FetchJsonMeta(FetchJsonMetaArgs),
    /// `commit`.
    Commit(CommitArgs),
    /// `commit_offset`.
    CommitOffset(CommitOffsetArgs),
    /// `committed`.
    Committed(CommittedArgs),
    /// `position`.
    Position(PositionArgs),
    /// `seek`.
    Seek(SeekArgs),
    /// `assignment`.
    Assignment(AssignmentArgs),
    /// `list_topics`.
    ListTopics(ListTopicsArgs),
    /// `unsubscribe`.
    Unsubscribe(UnsubscribeArgs),
}

impl TmqRequest {
    /// The action name.
    pub fn action(&self) -> &'static str {
        match self {
            TmqRequest::Version(_) => VersionArgs::NAME,
            TmqRequest::Subscribe(_) => SubscribeArgs::NAME,
            TmqRequest::Poll(_) => PollArgs::NAME,
            TmqRequest::Fetch(_) => FetchArgs::NAME,
            TmqRequest::FetchBlock(_) => FetchBlockArgs::NAME,
            TmqRequest::FetchRaw(_) => FetchRawArgs::NAME,
            TmqRequest::FetchRawData(_) => FetchRawDataArgs::NAME,
            TmqRequest::FetchJsonMeta(_) => FetchJsonMetaArgs::NAME,
            TmqRequest::Commit(_) => CommitArgs::NAME,
            TmqRequest::CommitOffset(_) => CommitOffsetArgs::NAME,
            TmqRequest::Committed(_) => CommittedArgs::NAME,
            TmqRequest::Position(_) => PositionArgs::NAME,
            TmqRequest::Seek(_) => SeekArgs::NAME,
            TmqRequest::Assignment(_) => AssignmentArgs::NAME,
            TmqRequest::ListTopics(_) => ListTopicsArgs::NAME,
            TmqRequest::Unsubscribe(_) => UnsubscribeArgs::NAME,
        }
    }

    /// The request id.
    pub fn req_id(&self) -> u64 {
        match self {
            TmqRequest::Version(a) => a.req_id,
            TmqRequest::Subscribe(a) => a.req_id,
            TmqRequest::Poll(a) => a.req_id,
            TmqRequest::Fetch(a) => a.req_id,
            TmqRequest::FetchBlock(a) => a.req_id,
            TmqRequest::FetchRaw(a) => a.req_id,
            TmqRequest::FetchRawData(a) => a.req_id,
            TmqRequest::FetchJsonMeta(a) => a.req_id,
            TmqRequest::Commit(a) => a.req_id,
            TmqRequest::CommitOffset(a) => a.req_id,
            TmqRequest::Committed(a) => a.req_id,
            TmqRequest::Position(a) => a.req_id,
            TmqRequest::Seek(a) => a.req_id,
            TmqRequest::Assignment(a) => a.req_id,
            TmqRequest::ListTopics(a) => a.req_id,
            TmqRequest::Unsubscribe(a) => a.req_id,
        }
    }

    /// The `message_id` an error reply to this request must carry (the message-scoped
    /// actions `fetch`, `fetch_block`, `fetch_raw`, `fetch_json_meta`), else `None`.
    pub fn error_message_id(&self) -> Option<u64> {
        match self {
            TmqRequest::Fetch(a) => Some(a.message_id),
            TmqRequest::FetchBlock(a) => Some(a.message_id),
            TmqRequest::FetchRaw(a) => Some(a.message_id),
            TmqRequest::FetchJsonMeta(a) => Some(a.message_id),
            _ => None,
        }
    }
}

/// Server: decodes a text frame, or `None` when taosAdapter would drop it silently
/// (undecodable JSON, missing or unknown action, undecodable args).
pub fn parse_tmq_request(text: &str) -> Option<TmqRequest> {
    let request = parse_request(text).ok()?;
    let req = match request.action.as_str() {
        "version" => TmqRequest::Version(request.args().ok()?),
        "subscribe" => TmqRequest::Subscribe(Box::new(request.args().ok()?)),
        "poll" => TmqRequest::Poll(request.args().ok()?),
        "fetch" => TmqRequest::Fetch(request.args().ok()?),
        "fetch_block" => TmqRequest::FetchBlock(request.args().ok()?),
        "fetch_raw" => TmqRequest::FetchRaw(request.args().ok()?),
        "fetch_raw_data" => TmqRequest::FetchRawData(request.args().ok()?),
        "fetch_json_meta" => TmqRequest::FetchJsonMeta(request.args().ok()?),
        "commit" => TmqRequest::Commit(request.args().ok()?),
        "commit_offset" => TmqRequest::CommitOffset(request.args().ok()?),
        "committed" => TmqRequest::Committed(request.args().ok()?),
        "position" => TmqRequest::Position(request.args().ok()?),
        "seek" => TmqRequest::Seek(request.args().ok()?),
        "assignment" => TmqRequest::Assignment(request.args().ok()?),
        "list_topics" => TmqRequest::ListTopics(request.args().ok()?),
        "unsubscribe" => TmqRequest::Unsubscribe(request.args().ok()?),
        _ => return None,
    };
    Some(req)
}

/// Server: a success reply for `action`: the five common keys, then `body`'s fields.
pub fn encode_tmq_reply<T: Serialize>(
    action: &str,
    req_id: u64,
    timing: i64,
    body: &T,
) -> Result<String> {
    encode_reply(&ReplyHeader::ok(action, req_id, timing), body)
}

/// Server: an error reply: the five common keys, plus `message_id` for the
/// message-scoped actions (see [`TmqRequest::error_message_id`]).
pub fn encode_tmq_error(
    action: &str,
    req_id: u64,
    timing: i64,
    code: u16,
    message: &str,
    message_id: Option<u64>,
) -> Result<String> {
    let header = ReplyHeader::error(action, req_id, timing, code, message);
    match message_id {
        Some(message_id) => encode_reply(&header, &CommitReply { message_id }),
        None => Ok(header.to_json()),
    }
}
