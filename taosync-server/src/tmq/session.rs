//! The per-socket `/rest/tmq` state machine (02 §3.1–§3.5, §3.7.1): one consumer, one
//! cached message, the message-id counter, the fetch cursor, the poll replay guard and
//! the "poll before subscribe waits for the subscribe" rule.
//!
//! The network layer feeds every text frame to [`TmqSession::handle_text`] and sends the
//! returned frames in order; when the socket ends it calls [`TmqSession::close`].
//! What stays with the network layer: the single-slot poll queue (a newer `poll` arriving
//! while one waits replaces it without a reply) — `poll` blocks in
//! [`handle`](TmqSession::handle) for up to `blocking_time` ms (capped at
//! [`MAX_BLOCKING_TIME_MS`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::broker::{Broker, ConsumerId, TmqMessage};
use super::error::{TmqError, TmqResult};
use super::settings::ConsumerSettings;
use taosync_proto::block::encode_block;
#[cfg(test)]
use taosync_proto::tmq::parse_tmq_request;
use taosync_proto::tmq::{
    Assignment, AssignmentReply, CommitOffsetReply, CommitReply, CommittedReply, Empty,
    FetchJsonMetaArgs, FetchJsonMetaReply, FetchRawDataReply, FetchRawReply, FetchReply,
    ListTopicsReply, MESSAGE_TYPE_DATA, MESSAGE_TYPE_META, PollArgs, PollReply, PositionReply,
    RAW_DATA_META_TYPE, RAW_META_JSON_TYPE, RawDataTable, SubscribeArgs, SubscribeReply,
    TmqFetchBlockReply, TmqRequest, VersionReply, encode_raw_data, encode_tmq_error,
    encode_tmq_reply,
};

/// The longest a single `poll` blocks, whatever `blocking_time` asks.
pub const MAX_BLOCKING_TIME_MS: i64 = 60_000;

/// The longest a blocking poll sleeps between two looks at the broker.
const POLL_SLICE: Duration = Duration::from_secs(1);

/// One frame to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionReply {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// Checks `subscribe` credentials (user, password).
pub type Authenticator = Box<dyn Fn(&str, &str) -> TmqResult<()> + Send>;

#[derive(Debug)]
struct Cached {
    id: u64,
    message: TmqMessage,
    reply: PollReply,
    next_block: usize,
    fetched: Option<usize>,
}

/// The state of one `/rest/tmq` socket.
pub struct TmqSession {
    broker: Arc<Broker>,
    version: String,
    authenticate: Option<Authenticator>,
    fqdn: String,
    consumer: Option<ConsumerId>,
    subscribed: bool,
    with_table_name: bool,
    /// `min.poll.rows` and `fetch.max.wait.ms` of the consumer.
    gather: Option<(usize, Duration)>,
    /// When the rows now waiting for `min.poll.rows` were first seen.
    gather_since: Option<Instant>,
    last_message_id: u64,
    cached: Option<Cached>,
    pending_poll: Option<PollArgs>,
}

impl std::fmt::Debug for TmqSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TmqSession")
            .field("consumer", &self.consumer)
            .field("subscribed", &self.subscribed)
            .field("last_message_id", &self.last_message_id)
            .finish_non_exhaustive()
    }
}

fn nanos(start: Instant) -> i64 {
    i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX)
}

fn generic(message: &str) -> TmqError {
    TmqError::generic(message)
}

impl TmqSession {
    /// A session on `broker` whose `version` replies report `version`.
    pub fn new(broker: Arc<Broker>, version: impl Into<String>) -> TmqSession {
        TmqSession {
            broker,
            version: version.into(),
            authenticate: None,
            fqdn: String::new(),
            consumer: None,
            subscribed: false,
            with_table_name: true,
            gather: None,
            gather_since: None,
            last_message_id: 0,
            cached: None,
            pending_poll: None,
        }
    }

    /// The same session checking `subscribe` credentials with `authenticate`.
    pub fn with_authenticator(mut self, authenticate: Authenticator) -> TmqSession {
        self.authenticate = Some(authenticate);
        self
    }

    /// The same session reporting `fqdn` (the peer address) in SHOW CONSUMERS.
    pub fn with_peer(mut self, fqdn: impl Into<String>) -> TmqSession {
        self.fqdn = fqdn.into();
        self
    }

    /// The consumer of this socket, once subscribed.
    pub fn consumer(&self) -> Option<ConsumerId> {
        self.consumer
    }

    /// Keeps the consumer alive while the socket is open. The C client heartbeats in the
    /// background as long as the consumer exists, so the network layer must call this at
    /// least every few seconds (well under `session.timeout.ms`, default 12 s) while the
    /// socket is connected, even when the client sends nothing; errors (consumer already
    /// lost) are for logging only.
    pub fn heartbeat(&self) -> TmqResult<()> {
        match self.consumer {
            Some(id) => self.broker.heartbeat(id),
            None => Ok(()),
        }
    }

    /// Handles one text frame. Malformed frames and unknown actions get no reply (02 §0.3).
    #[cfg(test)]
    pub fn handle_text(&mut self, text: &str) -> Vec<SessionReply> {
        match parse_tmq_request(text) {
            Some(request) => self.handle(request),
            None => Vec::new(),
        }
    }

    /// The socket ended: the consumer is closed without committing.
    pub fn close(&mut self) {
        if let Some(id) = self.consumer.take() {
            self.broker.close(id);
        }
        self.cached = None;
        self.subscribed = false;
        self.pending_poll = None;
    }

    /// Handles one decoded request.
    pub fn handle(&mut self, request: TmqRequest) -> Vec<SessionReply> {
        let start = Instant::now();
        let action = request.action();
        let req_id = request.req_id();
        let message_id = request.error_message_id();
        if self.consumer.is_none() {
            match request {
                TmqRequest::Version(_) | TmqRequest::Subscribe(_) => {}
                TmqRequest::Poll(args) => {
                    // Queued until a subscribe succeeds; an older queued poll is dropped.
                    self.pending_poll = Some(args);
                    return Vec::new();
                }
                TmqRequest::FetchRawData(args) => {
                    return vec![self.raw_data_error(
                        start,
                        req_id,
                        args.message_id,
                        &generic("tmq not init"),
                    )];
                }
                _ => {
                    return vec![error_text(
                        start,
                        action,
                        req_id,
                        &generic("tmq not init"),
                        message_id,
                    )];
                }
            }
        }
        let result = match request {
            TmqRequest::Version(_) => Ok(text(
                start,
                action,
                req_id,
                &VersionReply {
                    version: self.version.clone(),
                },
            )),
            TmqRequest::Subscribe(args) => {
                let mut out = match self.subscribe(&args) {
                    Ok(()) => {
                        let reply = SubscribeReply {
                            version: self.version.clone(),
                            list_instances: args.list_instances.then(Vec::new),
                        };
                        vec![text(start, action, req_id, &reply)]
                    }
                    Err(e) => vec![error_text(start, action, req_id, &e, None)],
                };
                if self.subscribed
                    && let Some(poll) = self.pending_poll.take()
                {
                    out.extend(self.handle(TmqRequest::Poll(poll)));
                }
                return out;
            }
            TmqRequest::Poll(args) => self.poll(&args).map(|r| text(start, action, req_id, &r)),
            TmqRequest::Fetch(args) => self
                .fetch(args.message_id)
                .map(|r| text(start, action, req_id, &r)),
            TmqRequest::FetchBlock(args) => self.fetch_block(args.message_id).map(|block| {
                SessionReply::Binary(
                    TmqFetchBlockReply {
                        timing: nanos(start) as u64,
                        req_id,
                        message_id: args.message_id,
                        block: &block,
                    }
                    .encode(),
                )
            }),
            TmqRequest::FetchRaw(args) => {
                self.raw_payload(args.message_id)
                    .and_then(|(raw_type, raw)| {
                        FetchRawReply {
                            timing: nanos(start) as u64,
                            req_id,
                            message_id: args.message_id,
                            raw_type,
                            raw: &raw,
                        }
                        .encode()
                        .map(SessionReply::Binary)
                        .map_err(|e| generic(e.message()))
                    })
            }
            TmqRequest::FetchRawData(args) => {
                return vec![match self.raw_payload(args.message_id) {
                    Ok((raw_type, raw)) => FetchRawDataReply {
                        timing: nanos(start) as u64,
                        req_id,
                        code: 0,
                        message: "",
                        message_id: args.message_id,
                        payload: Some((raw_type, &raw)),
                    }
                    .encode()
                    .map_or_else(
                        |e| {
                            self.raw_data_error(
                                start,
                                req_id,
                                args.message_id,
                                &generic(e.message()),
                            )
                        },
                        SessionReply::Binary,
                    ),
                    Err(e) => self.raw_data_error(start, req_id, args.message_id, &e),
                }];
            }
            TmqRequest::FetchJsonMeta(args) => self.fetch_json_meta(&args),
            TmqRequest::Commit(args) => self.with_consumer(|b, id| b.commit(id)).map(|()| {
                text(
                    start,
                    action,
                    req_id,
                    &CommitReply {
                        message_id: args.message_id,
                    },
                )
            }),
            TmqRequest::CommitOffset(args) => self
                .with_consumer(|b, id| {
                    b.commit_offset(id, &args.topic, args.vgroup_id, args.offset)
                })
                .map(|()| {
                    text(
                        start,
                        action,
                        req_id,
                        &CommitOffsetReply {
                            topic: args.topic.clone(),
                            vgroup_id: args.vgroup_id,
                            offset: args.offset,
                        },
                    )
                }),
            TmqRequest::Committed(args) => self
                .with_consumer(|b, id| {
                    args.topic_vgroup_ids
                        .iter()
                        .map(|p| b.committed(id, &p.topic, p.vgroup_id))
                        .collect::<TmqResult<Vec<i64>>>()
                })
                .map(|committed| text(start, action, req_id, &CommittedReply { committed })),
            TmqRequest::Position(args) => self
                .with_consumer(|b, id| {
                    args.topic_vgroup_ids
                        .iter()
                        .map(|p| b.position(id, &p.topic, p.vgroup_id))
                        .collect::<TmqResult<Vec<i64>>>()
                })
                .map(|position| text(start, action, req_id, &PositionReply { position })),
            TmqRequest::Seek(args) => self
                .with_consumer(|b, id| b.seek(id, &args.topic, args.vgroup_id, args.offset))
                .map(|()| text(start, action, req_id, &Empty {})),
            TmqRequest::Assignment(args) => self
                .with_consumer(|b, id| b.assignment(id, &args.topic))
                .map(|list| {
                    let assignment = list
                        .into_iter()
                        .map(|a| Assignment {
                            vgroup_id: a.vgroup_id,
                            offset: a.offset,
                            begin: a.begin,
                            end: a.end,
                        })
                        .collect();
                    text(start, action, req_id, &AssignmentReply { assignment })
                }),
            TmqRequest::ListTopics(_) => self
                .with_consumer(|b, id| b.list_topics(id))
                .map(|topics| text(start, action, req_id, &ListTopicsReply { topics })),
            TmqRequest::Unsubscribe(_) => self.with_consumer(|b, id| b.unsubscribe(id)).map(|()| {
                self.subscribed = false;
                self.cached = None;
                text(start, action, req_id, &Empty {})
            }),
        };
        vec![result.unwrap_or_else(|e| error_text(start, action, req_id, &e, message_id))]
    }

    fn with_consumer<T>(
        &self,
        f: impl FnOnce(&Broker, ConsumerId) -> TmqResult<T>,
    ) -> TmqResult<T> {
        let id = self.consumer.ok_or_else(|| generic("tmq not init"))?;
        f(&self.broker, id)
    }

    fn subscribe(&mut self, args: &SubscribeArgs) -> TmqResult<()> {
        if self.subscribed {
            return Err(generic("tmq should have unsubscribed first"));
        }
        if let Some(id) = self.consumer {
            // Re-subscribe: only the topics count (02 §3.1).
            self.cached = None;
            self.broker.subscribe(id, &args.topics)?;
            self.subscribed = true;
            return Ok(());
        }
        let mut settings = ConsumerSettings::from_subscribe(args)?;
        if let Some(auth) = &self.authenticate {
            auth(&args.user, &args.password)?;
        }
        settings.user = args.user.clone();
        settings.fqdn = self.fqdn.clone();
        self.with_table_name = settings.with_table_name;
        self.gather = settings
            .min_poll_rows
            .map(|rows| (rows, Duration::from_millis(settings.fetch_max_wait_ms)));
        let id = self.broker.create_consumer(settings)?;
        if let Err(e) = self.broker.subscribe(id, &args.topics) {
            self.broker.close(id);
            return Err(e);
        }
        self.consumer = Some(id);
        self.subscribed = true;
        Ok(())
    }

    fn poll(&mut self, args: &PollArgs) -> TmqResult<PollReply> {
        let id = self.consumer.ok_or_else(|| generic("tmq not init"))?;
        if let (Some(asked), Some(cached)) = (args.message_id, &self.cached)
            && asked != cached.id
        {
            return Ok(cached.reply.clone());
        }
        let wait = Duration::from_millis(args.blocking_time.clamp(0, MAX_BLOCKING_TIME_MS) as u64);
        let deadline = Instant::now() + wait;
        loop {
            let generation = self.broker.data_generation();
            // With `min.poll.rows`, rows fewer than asked wait for more, up to
            // `fetch.max.wait.ms` after they were first seen. The clock survives the
            // end of this request (the adapter's worker polls in short slices and a
            // client polls again), so a slow trickle is still delivered in time.
            if let Some((min_rows, max_wait)) = self.gather {
                let pending = self.broker.pending_rows(id, min_rows)?;
                if pending > 0 && pending < min_rows {
                    let now = Instant::now();
                    let until = *self.gather_since.get_or_insert(now) + max_wait;
                    if now < until {
                        if now >= deadline {
                            return Ok(PollReply::default());
                        }
                        let slice = (until.min(deadline) - now).min(POLL_SLICE);
                        self.broker.wait_for_data(generation, slice);
                        continue;
                    }
                }
            }
            if let Some(message) = self.broker.poll(id)? {
                self.gather_since = None;
                self.last_message_id += 1;
                let reply = PollReply {
                    have_message: true,
                    topic: message.topic.clone(),
                    database: message.db.clone(),
                    vgroup_id: message.vgroup_id,
                    message_type: if message.meta.is_some() {
                        MESSAGE_TYPE_META
                    } else {
                        MESSAGE_TYPE_DATA
                    },
                    message_id: self.last_message_id,
                    offset: message.offset,
                };
                self.cached = Some(Cached {
                    id: self.last_message_id,
                    message,
                    reply: reply.clone(),
                    next_block: 0,
                    fetched: None,
                });
                return Ok(reply);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(PollReply::default());
            }
            // Wake at least every second: each broker poll also keeps the consumer alive
            // while the client waits longer than its session timeout.
            let slice = (deadline - now).min(POLL_SLICE);
            self.broker.wait_for_data(generation, slice);
        }
    }

    fn cached(&mut self, message_id: u64, mismatch: &str) -> TmqResult<&mut Cached> {
        match &mut self.cached {
            None => Err(generic("message has been freed")),
            Some(c) if c.id != message_id => Err(generic(mismatch)),
            Some(c) => Ok(c),
        }
    }

    fn fetch(&mut self, message_id: u64) -> TmqResult<FetchReply> {
        let with_table_name = self.with_table_name;
        let cached = self.cached(message_id, "message ID are not equal")?;
        let Some(block) = cached.message.blocks.get(cached.next_block) else {
            cached.fetched = None;
            return Ok(FetchReply {
                message_id,
                completed: true,
                ..FetchReply::default()
            });
        };
        cached.fetched = Some(cached.next_block);
        cached.next_block += 1;
        Ok(FetchReply {
            message_id,
            completed: false,
            table_name: if with_table_name {
                block.table_name.clone()
            } else {
                String::new()
            },
            rows: i32::try_from(block.rows.len()).unwrap_or(i32::MAX),
            fields_count: i32::try_from(block.columns.len()).unwrap_or(i32::MAX),
            fields_names: Some(block.columns.iter().map(|c| c.name.clone()).collect()),
            fields_types: Some(block.columns.iter().map(|c| c.ty.code()).collect()),
            fields_lengths: Some(block.columns.iter().map(|c| i64::from(c.length)).collect()),
            precision: i32::from(cached.message.precision.code()),
        })
    }

    fn fetch_block(&mut self, message_id: u64) -> TmqResult<Vec<u8>> {
        let cached = match &self.cached {
            Some(c) if c.id == message_id => c,
            _ => return Err(generic("message is nil")),
        };
        let index = cached.fetched.ok_or_else(|| generic("no fetch data"))?;
        let block = cached
            .message
            .blocks
            .get(index)
            .ok_or_else(|| generic("no fetch data"))?;
        encode_block(&block.columns, &block.rows).map_err(|e| generic(e.message()))
    }

    /// The raw form of a message: its data as a raw-data payload, or the JSON of a meta
    /// message ([`RAW_META_JSON_TYPE`]).
    fn raw_payload(&mut self, message_id: u64) -> TmqResult<(u16, Vec<u8>)> {
        let cached = self.cached(message_id, "message ID is not equal")?;
        if let Some(meta) = &cached.message.meta {
            return Ok((RAW_META_JSON_TYPE, meta.to_string().into_bytes()));
        }
        let tables: Vec<RawDataTable<'_>> = cached
            .message
            .blocks
            .iter()
            .map(|b| RawDataTable {
                table_name: &b.table_name,
                columns: &b.columns,
                rows: &b.rows,
            })
            .collect();
        encode_raw_data(&tables, cached.message.precision)
            .map(|raw| (RAW_DATA_META_TYPE, raw))
            .map_err(|e| generic(e.message()))
    }

    fn fetch_json_meta(&mut self, args: &FetchJsonMetaArgs) -> TmqResult<SessionReply> {
        let start = Instant::now();
        let cached = self.cached(args.message_id, "message ID is not equal")?;
        if let Some(meta) = &cached.message.meta {
            let reply = FetchJsonMetaReply {
                message_id: args.message_id,
                data: meta.clone(),
            };
            return Ok(text(start, "fetch_json_meta", args.req_id, &reply));
        }
        Err(generic(&format!(
            "message type can not get meta, type: {}",
            cached.reply.message_type
        )))
    }

    fn raw_data_error(
        &self,
        start: Instant,
        req_id: u64,
        message_id: u64,
        e: &TmqError,
    ) -> SessionReply {
        let frame = FetchRawDataReply {
            timing: nanos(start) as u64,
            req_id,
            code: u32::from(e.code.value()),
            message: &e.message,
            message_id,
            payload: None,
        }
        .encode()
        .unwrap_or_default();
        SessionReply::Binary(frame)
    }
}

fn text<T: Serialize>(start: Instant, action: &str, req_id: u64, body: &T) -> SessionReply {
    match encode_tmq_reply(action, req_id, nanos(start), body) {
        Ok(s) => SessionReply::Text(s),
        Err(e) => error_text(start, action, req_id, &generic(e.message()), None),
    }
}

fn error_text(
    start: Instant,
    action: &str,
    req_id: u64,
    e: &TmqError,
    message_id: Option<u64>,
) -> SessionReply {
    let text = encode_tmq_error(
        action,
        req_id,
        nanos(start),
        e.code.value(),
        &e.message,
        message_id,
    )
    .unwrap_or_default();
    SessionReply::Text(text)
}
