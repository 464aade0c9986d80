//! Typed args and reply bodies of every `/rest/tmq` JSON action (02 §3.2–§3.6).
//!
//! Each args struct implements [`Action`], so the `/ws` envelope helpers
//! ([`encode_request`](crate::ws::encode_request),
//! [`encode_reply`](crate::ws::encode_reply)) work unchanged; [`decode_tmq_reply`]
//! is the `/rest/tmq` flavour of [`decode_reply`] whose
//! errors are of kind [`Tmq`](ErrorKind::Tmq). Fields deserialize like Go's
//! `encoding/json` (missing or `null` → zero value, unknown keys ignored); field order is
//! the wire order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::row::Column;
use crate::types::{Precision, Type};
use crate::ws::envelope::{Action, Reply, decode_reply, null_default};

pub use crate::ws::messages::{Empty, VersionArgs, VersionReply};

macro_rules! action {
    ($args:ident => $name:literal, $reply:ty) => {
        impl Action for $args {
            const NAME: &'static str = $name;
            const UNMARSHAL_NAME: &'static str = $name;
            type Reply = $reply;
            fn req_id(&self) -> u64 {
                self.req_id
            }
        }
    };
}

fn is_empty(s: &str) -> bool {
    s.is_empty()
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `subscribe` args (02 §3.3): credentials, consumer options (all strings, forwarded only
/// when non-empty), the topic list and a free `config` map applied last.
///
/// The client always writes the fields the official Rust client writes (`user` …
/// `enable_batch_meta`, `connector`, `config`) and the newer optional ones only when they
/// are non-empty, in the order of 02 §3.8.
///
/// `Debug` prints every field but the secrets: `password`, and the values of `config` keys
/// that carry credentials (`td.connect.pass`, `td.connect.token`, any key naming a password
/// or a token):
///
/// ```
/// use taosync_proto::tmq::SubscribeArgs;
/// let mut args = SubscribeArgs { password: "taosdata".into(), ..SubscribeArgs::default() };
/// args.config.insert("td.connect.token".into(), "t0k3n".into());
/// let text = format!("{args:?}");
/// assert!(!text.contains("taosdata") && !text.contains("t0k3n"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscribeArgs {
    /// Request id.
    #[serde(default, deserialize_with = "null_default")]
    pub req_id: u64,
    /// `td.connect.user`.
    #[serde(default, deserialize_with = "null_default")]
    pub user: String,
    /// `td.connect.pass`.
    #[serde(default, deserialize_with = "null_default")]
    pub password: String,
    /// `td.connect.db`.
    #[serde(default, deserialize_with = "null_default")]
    pub db: String,
    /// `group.id`.
    #[serde(default, deserialize_with = "null_default")]
    pub group_id: String,
    /// `client.id`.
    #[serde(default, deserialize_with = "null_default")]
    pub client_id: String,
    /// `auto.offset.reset`, historical spelling (every adapter reads it).
    #[serde(default, deserialize_with = "null_default")]
    pub offset_rest: String,
    /// `auto.offset.reset`, correct spelling (adapter ≥ 3.1.1.15; wins over `offset_rest`).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub offset_reset: String,
    /// The topics to subscribe to.
    #[serde(default, deserialize_with = "null_default")]
    pub topics: Vec<String>,
    /// Adapter-side auto commit flag, `"true"`/`"false"`.
    #[serde(default, deserialize_with = "null_default")]
    pub auto_commit: String,
    /// Adapter-side auto commit interval in ms (decimal string).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub auto_commit_interval_ms: String,
    /// `experimental.snapshot.enable`.
    #[serde(default, deserialize_with = "null_default")]
    pub snapshot_enable: String,
    /// `msg.with.table.name`.
    #[serde(default, deserialize_with = "null_default")]
    pub with_table_name: String,
    /// `msg.enable.batchmeta`.
    #[serde(default, deserialize_with = "null_default")]
    pub enable_batch_meta: String,
    /// `msg.consume.excluded`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub msg_consume_excluded: String,
    /// `msg.consume.rawdata`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub msg_consume_rawdata: String,
    /// `session.timeout.ms`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub session_timeout_ms: String,
    /// `max.poll.interval.ms`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub max_poll_interval_ms: String,
    /// Connection time zone.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub tz: String,
    /// Application name.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub app: String,
    /// Client IP.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_empty"
    )]
    pub ip: String,
    /// Connector description.
    #[serde(default, deserialize_with = "null_default")]
    pub connector: String,
    /// Ask for the adapter instance list in the reply.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_false"
    )]
    pub list_instances: bool,
    /// Any consumer key, applied after the named fields.
    #[serde(default, deserialize_with = "null_default")]
    pub config: BTreeMap<String, String>,
}
action!(SubscribeArgs => "subscribe", SubscribeReply);

impl std::fmt::Debug for SubscribeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config: BTreeMap<&str, &str> = self
            .config
            .iter()
            .map(|(k, v)| {
                let v = if crate::redact::is_secret_key(k) {
                    crate::redact::REDACTED
                } else {
                    v.as_str()
                };
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("SubscribeArgs")
            .field("req_id", &self.req_id)
            .field("user", &self.user)
            .field("password", &crate::redact::REDACTED)
            .field("db", &self.db)
            .field("group_id", &self.group_id)
            .field("client_id", &self.client_id)
            .field("offset_rest", &self.offset_rest)
            .field("offset_reset", &self.offset_reset)
            .field("topics", &self.topics)
            .field("auto_commit", &self.auto_commit)
            .field("auto_commit_interval_ms", &self.auto_commit_interval_ms)
            .field("snapshot_enable", &self.snapshot_enable)
            .field("with_table_name", &self.with_table_name)
            .field("enable_batch_meta", &self.enable_batch_meta)
            .field("msg_consume_excluded", &self.msg_consume_excluded)
            .field("msg_consume_rawdata", &self.msg_consume_rawdata)
            .field("session_timeout_ms", &self.session_timeout_ms)
            .field("max_poll_interval_ms", &self.max_poll_interval_ms)
            .field("tz", &self.tz)
            .field("app", &self.app)
            .field("ip", &self.ip)
            .field("connector", &self.connector)
            .field("list_instances", &self.list_instances)
            .field("config", &config)
            .finish()
    }
}

/// `subscribe` reply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeReply {
    /// The server's client library version.
    #[serde(default, deserialize_with = "null_default")]
    pub version: String,
    /// Adapter instances, only when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_instances: Option<Vec<String>>,
}

/// `poll` args (02 §3.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollArgs {
    /// Request id.
    #[serde(default, deserialize_with = "null_default")]
    pub req_id: u64,
    /// How long the server may wait for a message, in ms.
    #[serde(default, deserialize_with = "null_default")]
    pub blocking_time: i64,
    /// The id of the last message the client received (replay guard, adapter ≥ 3.3.6.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u64>,
}
action!(PollArgs => "poll", PollReply);

message! {
    /// `poll` reply. Without a message every field is zero or empty.
    PollReply {
        /// A message arrived.
        have_message: bool,
        /// Its topic.
        topic: String,
        /// Its database.
        database: String,
        /// Its vgroup.
        vgroup_id: i32,
        /// 1 data, 2 meta, 3 meta+data, 4 raw data.
        message_type: i32,
        /// The per-socket message id (1, 2, …).
        message_id: u64,
        /// The WAL version the message starts at.
        offset: i64,
    }
}

/// `message_type` of a data message.
pub const MESSAGE_TYPE_DATA: i32 = 1;
/// `message_type` of a table-meta (DDL) message.
pub const MESSAGE_TYPE_META: i32 = 2;
/// `message_type` of a meta+data message.
pub const MESSAGE_TYPE_META_DATA: i32 = 3;
/// `message_type` of a raw-data message (`msg.consume.rawdata`).
pub const MESSAGE_TYPE_RAW_DATA: i32 = 4;

message! {
    /// Args of the message-scoped actions (`fetch`, `fetch_block`, `fetch_raw`,
    /// `fetch_raw_data`, `fetch_json_meta`, `commit`).
    MessageArgs {
        /// Request id.
        req_id: u64,
        /// The message.
        message_id: u64,
    }
}

macro_rules! message_action {
    ($(#[$m:meta])* $name:ident => $action:literal, $reply:ty) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            /// Request id.
            #[serde(default, deserialize_with = "null_default")]
            pub req_id: u64,
            /// The message.
            #[serde(default, deserialize_with = "null_default")]
            pub message_id: u64,
        }
        action!($name => $action, $reply);
    };
}

message_action! {
    /// `fetch` args: the next block of the message (02 §3.5.1).
    FetchArgs => "fetch", FetchReply
}
message_action! {
    /// `fetch_block` args: the block of the last `fetch`; the reply is binary
    /// ([`TmqFetchBlockReply`](super::TmqFetchBlockReply)). Send it with the `req_id` of
    /// the `fetch`.
    FetchBlockArgs => "fetch_block", Empty
}
message_action! {
    /// `fetch_raw` args; the reply is binary ([`FetchRawReply`](super::FetchRawReply)).
    FetchRawArgs => "fetch_raw", Empty
}
message_action! {
    /// `fetch_raw_data` args; the reply is binary
    /// ([`FetchRawDataReply`](super::FetchRawDataReply)), errors included.
    FetchRawDataArgs => "fetch_raw_data", Empty
}
message_action! {
    /// `fetch_json_meta` args (02 §3.5.4).
    FetchJsonMetaArgs => "fetch_json_meta", FetchJsonMetaReply
}
message_action! {
    /// `commit` args: commits every current position; `message_id` is only echoed.
    CommitArgs => "commit", CommitReply
}

message! {
    /// `fetch` reply. `completed: true` (with zero/empty/null fields) ends the message.
    FetchReply {
        /// The message.
        message_id: u64,
        /// No more blocks.
        completed: bool,
        /// The table of this block's rows (may be `""`).
        table_name: String,
        /// Rows in the block.
        rows: i32,
        /// Columns in the block.
        fields_count: i32,
        /// Column names (`null` when completed).
        fields_names: Option<Vec<String>>,
        /// Column type codes.
        fields_types: Option<Vec<u8>>,
        /// Declared column widths.
        fields_lengths: Option<Vec<i64>>,
        /// Timestamp precision code (0 ms, 1 µs, 2 ns).
        precision: i32,
    }
}

impl FetchReply {
    /// The block's columns from the field lists (all three lists must have
    /// `fields_count` entries with known type codes, else an
    /// [`ErrorKind::Result`] error).
    pub fn columns(&self) -> Result<Vec<Column>> {
        let bad = |what: &str| Error::result(format!("malformed tmq fetch reply: {what}"));
        let n = usize::try_from(self.fields_count).map_err(|_| bad("negative fields_count"))?;
        let names = self.fields_names.as_deref().unwrap_or_default();
        let types = self.fields_types.as_deref().unwrap_or_default();
        let lengths = self.fields_lengths.as_deref().unwrap_or_default();
        if names.len() != n || types.len() != n || lengths.len() != n {
            return Err(bad("field lists do not match fields_count"));
        }
        names
            .iter()
            .zip(types)
            .zip(lengths)
            .map(|((name, code), length)| {
                let ty = Type::from_code(*code)
                    .ok_or_else(|| bad(&format!("unknown type code {code}")))?;
                let length = u32::try_from(*length).map_err(|_| bad("bad field length"))?;
                Ok(Column::new(name.clone(), ty, length))
            })
            .collect()
    }

    /// The timestamp precision of the block (milliseconds for unknown codes).
    pub fn timestamp_precision(&self) -> Precision {
        u8::try_from(self.precision)
            .ok()
            .and_then(Precision::from_code)
            .unwrap_or_default()
    }
}

message! {
    /// `fetch_json_meta` reply.
    FetchJsonMetaReply {
        /// The message.
        message_id: u64,
        /// The DDL JSON of the message, or `null`.
        data: serde_json::Value,
    }
}

message! {
    /// `commit` reply.
    CommitReply {
        /// Echo of the request's `message_id`.
        message_id: u64,
    }
}

message! {
    /// `commit_offset` args (and, without `req_id`, its reply body).
    CommitOffsetArgs {
        /// Request id.
        req_id: u64,
        /// Topic.
        topic: String,
        /// Vgroup.
        vgroup_id: i32,
        /// Offset to commit.
        offset: i64,
    }
}
action!(CommitOffsetArgs => "commit_offset", CommitOffsetReply);

message! {
    /// `commit_offset` reply: the request echoed.
    CommitOffsetReply {
        /// Topic.
        topic: String,
        /// Vgroup.
        vgroup_id: i32,
        /// The committed offset.
        offset: i64,
    }
}

message! {
    /// One (topic, vgroup) pair of `committed` / `position`.
    TopicVgroupId {
        /// Topic.
        topic: String,
        /// Vgroup.
        vgroup_id: i32,
    }
}

message! {
    /// `committed` args.
    CommittedArgs {
        /// Request id.
        req_id: u64,
        /// The pairs to look up.
        topic_vgroup_ids: Vec<TopicVgroupId>,
    }
}
action!(CommittedArgs => "committed", CommittedReply);

message! {
    /// `committed` reply: one offset per requested pair, [`OFFSET_INVALID`] for none.
    CommittedReply {
        /// Offsets, in request order.
        committed: Vec<i64>,
    }
}

message! {
    /// `position` args.
    PositionArgs {
        /// Request id.
        req_id: u64,
        /// The pairs to look up.
        topic_vgroup_ids: Vec<TopicVgroupId>,
    }
}
action!(PositionArgs => "position", PositionReply);

message! {
    /// `position` reply: the next offset to consume per pair, [`OFFSET_INVALID`] for none.
    PositionReply {
        /// Positions, in request order.
        position: Vec<i64>,
    }
}

/// The "no offset" value of `committed` / `position` (TMQ_NO_COMMITTED as an `i32`).
pub const OFFSET_INVALID: i64 = -2_147_467_247;

message! {
    /// `seek` args: move the position of one assigned vgroup.
    SeekArgs {
        /// Request id.
        req_id: u64,
        /// Topic.
        topic: String,
        /// Vgroup.
        vgroup_id: i32,
        /// New position.
        offset: i64,
    }
}
action!(SeekArgs => "seek", Empty);

message! {
    /// `assignment` args.
    AssignmentArgs {
        /// Request id.
        req_id: u64,
        /// Topic.
        topic: String,
    }
}
action!(AssignmentArgs => "assignment", AssignmentReply);

message! {
    /// One vgroup of an `assignment` reply (02 §3.6).
    Assignment {
        /// Vgroup.
        vgroup_id: i32,
        /// The consumer's current position.
        offset: i64,
        /// First retained WAL version.
        begin: i64,
        /// Next WAL version to be written.
        end: i64,
    }
}

message! {
    /// `assignment` reply.
    AssignmentReply {
        /// The vgroups of the topic assigned to this consumer.
        assignment: Vec<Assignment>,
    }
}

message! {
    /// `list_topics` args.
    ListTopicsArgs {
        /// Request id.
        req_id: u64,
    }
}
action!(ListTopicsArgs => "list_topics", ListTopicsReply);

message! {
    /// `list_topics` reply.
    ListTopicsReply {
        /// The subscription list.
        topics: Vec<String>,
    }
}

message! {
    /// `unsubscribe` args.
    UnsubscribeArgs {
        /// Request id.
        req_id: u64,
    }
}
action!(UnsubscribeArgs => "unsubscribe", Empty);

/// Client: parses a `/rest/tmq` reply; a non-zero `code` is an error carrying the code and
/// message, of the code's class, else of kind [`Tmq`](ErrorKind::Tmq).
pub fn decode_tmq_reply<A: Action>(text: &str) -> Result<Reply<A::Reply>> {
    decode_reply::<A::Reply>(text).map_err(|e| e.in_context(ErrorKind::Tmq))
}
