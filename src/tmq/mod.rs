//! Data subscription (TMQ): the [`Consumer`].
//!
//! A consumer owns one WebSocket to taosAdapter's `/rest/tmq` endpoint (02 §3). It is
//! built from the TDengine consumer keys (a string map, as Python's `taosws.Consumer`
//! takes them) and/or a DSN, subscribes to topics, and polls [`Message`]s: one topic and
//! one vgroup each, holding blocks of rows of one table each, readable with the crate's
//! typed row API ([`Row`](crate::Row), [`FromRow`](crate::FromRow)).
//!
//! ```
//! use std::time::Duration;
//! use taosync::tmq::Consumer;
//! use taosync::Timestamp;
//!
//! # let server = taosync_server::Server::start(Default::default())?;
//! # let conn = taosync::connect(server.dsn_ws().as_str())?;
//! # conn.execute("create database power", ())?;
//! # conn.execute("create stable power.meters (ts timestamp, current float) tags (groupid int)", ())?;
//! # conn.execute("insert into power.d1001 using power.meters tags (1) values (1700000000000, 10.2)", ())?;
//! # conn.execute("create topic topic_meters as select ts, current from power.meters", ())?;
//! # let port = server.port().to_string();
//! let consumer = Consumer::new([
//!     ("td.connect.ip", "127.0.0.1"),
//!     ("td.connect.port", port.as_str()),
//!     ("group.id", "g1"),
//!     ("auto.offset.reset", "earliest"),
//! ])?;
//! consumer.subscribe(&["topic_meters"])?;
//! for message in consumer.iter(Duration::from_secs(1)) {
//!     let message = message?;
//!     for block in &message {
//!         for row in block {
//!             let (ts, current): (Timestamp, f32) = row.to_typed()?;
//!             println!("{} vgroup {} {}: {ts} {current}", message.topic(), message.vgroup_id(), block.table_name());
//!         }
//!     }
//!     consumer.commit(&message)?;
//! }
//! consumer.close()?;
//! # Ok::<(), taosync::Error>(())
//! ```
//!
//! # Configuration
//!
//! Every key of [`ConsumerConfig`] is accepted (`group.id` is required), plus the
//! transport keys `conn_timeout` and `read_timeout` (durations as in a connection DSN:
//! `500ms`, `5s`, a bare integer of seconds) and the reconnect keys `conn_retries`,
//! `retry_backoff_ms`, `retry_backoff_max_ms` (as in a connection DSN). A DSN (`ws://user:pass@host:port[/db]?group.id=…`,
//! also `wss://`, `tmq+ws://`, `taos+ws://`) carries the same keys as query parameters;
//! map entries override the DSN. TLS certificates are set with
//! [`ConsumerBuilder::tls`], as for connections. An unknown key or a bad value is a
//! [`TmqError`](ErrorKind::Tmq) naming the key.
//!
//! # Semantics
//!
//! * Delivery is at-least-once: a message polled but not committed is delivered again to
//!   the next consumer of the group after this one closes or is dropped.
//! * [`Consumer::commit`] commits the positions the consumer has reached in **every**
//!   vgroup (the protocol's `commit`, 02 §3.6), which includes the message given.
//! * With `enable.auto.commit=true` the server commits all positions at the next poll once
//!   `auto.commit.interval.ms` has elapsed (02 §3.4); the last message before a crash is
//!   therefore delivered again. The default is `false`.
//! * A message's rows are fetched completely inside [`Consumer::poll`] (the server keeps
//!   only the newest message alive), so a [`Message`] is plain owned data.
//! * Data is read with one `fetch_raw_data` per message on servers ≥ 3.3.2.0, and with
//!   `fetch` + `fetch_block` per block on older ones.
//!
//! # Errors
//!
//! * Server refusals carry the server's code in a [`TmqError`](ErrorKind::Tmq): an unknown
//!   topic (`0x03E1`), a call other than `poll` before `subscribe` (`0xFFFF` "tmq not
//!   init"), subscribing twice without `unsubscribe`, `seek`/`commit_offset` on a vgroup
//!   not assigned to this consumer (`0x4008`).
//! * Client-side checks are `TmqError`s too: `poll` before `subscribe` (the server would
//!   hold the poll until a subscribe), and committing a [`Message`] another consumer polled.
//! * Every call after [`Consumer::close`] is an [`InterfaceError`](ErrorKind::Interface)
//!   with code [`Code::CLIENT_CONNECTION_CLOSED`], as for a closed
//!   [`Connection`](crate::Connection).
//! * A socket failure or timeout is a [`Connection`](ErrorKind::Connection) /
//!   [`Operational`](ErrorKind::Operational) error for the call it hit. The server drops
//!   its consumer with the socket, so the next call reconnects (with the connection's
//!   `conn_retries` and backoff) and subscribes again with the same group, client id and
//!   topics: polling resumes from the group's committed offsets. A [`poll`](Consumer::poll)
//!   whose socket dies is retried on the new socket within its timeout.
//! * Delivery stays at-least-once across reconnects: messages polled but not committed
//!   before the socket died are delivered again; committing such a message fails with a
//!   `Connection` error saying so (its position lived on the dead socket), never a silent
//!   acknowledgement, and committed messages are never delivered again.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tungstenite::Bytes;

use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, HostAddr};
use crate::proto::block::decode_rows;
use crate::proto::tmq::{
    AssignmentArgs, CommitArgs, CommitOffsetArgs, CommittedArgs, FetchArgs, FetchBlockArgs,
    FetchJsonMetaArgs, FetchRawArgs, FetchRawDataArgs, FetchRawDataReply, FetchRawReply,
    ListTopicsArgs, OFFSET_INVALID, PollArgs, PollReply, PositionArgs, RawData, SeekArgs,
    SubscribeArgs, TmqFetchBlockReply, TopicVgroupId, UnsubscribeArgs,
};
use crate::proto::ws::{Action, binary_reply_req_id};
use crate::row::Column;
use crate::transport::tmq::TmqChannel;
use crate::transport::ws::CONNECTOR;
use crate::transport::{deadline_after, version_at_least};
use crate::types::Precision;

pub use crate::proto::tmq::{Assignment, ConsumerConfig, OffsetReset};

/// The longest `blocking_time` one `poll` request asks for; longer polls send several.
const MAX_BLOCKING: Duration = Duration::from_secs(30);

/// The most blocks one message may have on the `fetch` path (a server that never says
/// `completed` is an error, not an endless loop).
const MAX_BLOCKS_PER_MESSAGE: usize = 1 << 20;

/// How long [`Consumer::close`] waits for the `unsubscribe` reply at most.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Consumer identities, to recognise messages polled by another consumer.
static NEXT_CONSUMER_ID: AtomicU64 = AtomicU64::new(1);

fn tmq_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Tmq, message)
}

fn closed_error() -> Error {
    Error::interface("the consumer is closed").with_code(Code::CLIENT_CONNECTION_CLOSED)
}

mod builder;
mod message;

pub use builder::{ConsumerBuilder, TRANSPORT_KEYS};
pub use message::{
    Message, MessageBlock, MessageType, Messages, RawMeta, TopicAssignment, TopicPartition,
};

// ---------------------------------------------------------------------------------------
// Consumer

/// A TMQ consumer on its own `/rest/tmq` WebSocket (see the [module docs](self)).
///
/// Methods take `&self` and serialise on one socket, so a consumer can be polled in a
/// `for` loop over [`iter`](Self::iter) while messages are committed in the body, and can
/// be shared between threads (`Send + Sync`). Dropping it closes the socket without
/// committing.
pub struct Consumer {
    id: u64,
    config: ConsumerConfig,
    version: String,
    inner: Mutex<Inner>,
}

struct Inner {
    consumer_id: u64,
    opts: ConnectOptions,
    host: HostAddr,
    /// The socket; `None` once the consumer is closed.
    channel: Option<TmqChannel>,
    raw_data: bool,
    req_id: u64,
    last_message_id: u64,
    topics: Vec<String>,
    subscribed: bool,
    /// The subscription to renew after a reconnect (group, client id, options, topics).
    subscription: Option<SubscribeArgs>,
    /// Counts the sockets this consumer has had; a message remembers the one it came on.
    generation: u64,
    /// How many times the consumer reconnected.
    reconnects: u64,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.lock();
        f.debug_struct("Consumer")
            .field("host", &inner.host)
            .field("group_id", &self.config.group_id)
            .field("client_id", &self.config.client_id)
            .field("server_version", &self.version)
            .field("topics", &inner.topics)
            .field("closed", &inner.channel.is_none())
            .finish_non_exhaustive()
    }
}

impl Consumer {
    /// Connects a consumer configured by consumer keys (see [`ConsumerConfig`]) and the
    /// transport keys `conn_timeout` / `read_timeout` / `conn_retries` / `retry_backoff_ms`
    /// / `retry_backoff_max_ms`. `group.id` is required.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let port = server.port().to_string();
    /// let consumer = taosync::tmq::Consumer::new([
    ///     ("group.id", "g1"),
    ///     ("td.connect.ip", "127.0.0.1"),
    ///     ("td.connect.port", port.as_str()),
    /// ])?;
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn new<K: Into<String>, V: Into<String>>(
        config: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Consumer> {
        ConsumerBuilder::new().configs(config).build()
    }

    /// Connects a consumer configured by a DSN,
    /// e.g. `ws://root:taosdata@localhost:6041?group.id=g1&auto.offset.reset=earliest`.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let dsn = server.dsn_ws(); // ws://root:taosdata@127.0.0.1:<port>
    /// let consumer = taosync::tmq::Consumer::from_dsn(&format!("{dsn}?group.id=g1&auto.offset.reset=earliest"))?;
    /// assert_eq!(consumer.config().group_id, "g1");
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn from_dsn(dsn: &str) -> Result<Consumer> {
        ConsumerBuilder::new().dsn(dsn).build()
    }

    /// Connects a consumer configured by a DSN and keys that override it (Python's
    /// `taosws.Consumer(conf, dsn)`).
    pub fn from_dsn_and_config<K: Into<String>, V: Into<String>>(
        dsn: &str,
        config: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Consumer> {
        ConsumerBuilder::new().dsn(dsn).configs(config).build()
    }

    /// A builder (timeouts, TLS, keys, DSN).
    pub fn builder() -> ConsumerBuilder {
        ConsumerBuilder::new()
    }

    pub(super) fn open(config: ConsumerConfig, opts: ConnectOptions) -> Result<Consumer> {
        let host = opts
            .get_hosts()
            .first()
            .cloned()
            .unwrap_or_else(|| HostAddr::new("localhost", config.port));
        let id = NEXT_CONSUMER_ID.fetch_add(1, Ordering::Relaxed);
        let (channel, version) = TmqChannel::open(&opts, &host, 1)?;
        let inner = Inner {
            consumer_id: id,
            opts,
            host,
            channel: Some(channel),
            raw_data: version_at_least(&version, [3, 3, 2, 0]),
            req_id: 1,
            last_message_id: 0,
            topics: Vec::new(),
            subscribed: false,
            subscription: None,
            generation: 0,
            reconnects: 0,
        };
        log::debug!(
            "tmq {}: server version {}, {} data path",
            inner.host,
            version,
            if inner.raw_data {
                "fetch_raw_data"
            } else {
                "fetch + fetch_block"
            }
        );
        Ok(Consumer {
            id,
            config,
            version,
            inner: Mutex::new(inner),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The validated configuration.
    pub fn config(&self) -> &ConsumerConfig {
        &self.config
    }

    /// The version the server reported.
    pub fn server_version(&self) -> &str {
        &self.version
    }

    /// True once [`close`](Self::close) ran.
    pub fn is_closed(&self) -> bool {
        self.lock().channel.is_none()
    }

    /// Subscribes to `topics`. A consumer subscribes once; call
    /// [`unsubscribe`](Self::unsubscribe) before subscribing to another list (after which
    /// only the topic list changes, the group and options stay).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database power", ())?;
    /// # conn.execute("create stable power.meters (ts timestamp, current float) tags (groupid int)", ())?;
    /// # conn.execute("insert into power.d1001 using power.meters tags (1) values (1700000000000, 10.2)", ())?;
    /// # conn.execute("create topic topic_meters as select ts, current from power.meters", ())?;
    /// # let consumer = taosync::tmq::Consumer::from_dsn(&format!("{}?group.id=g1&auto.offset.reset=earliest", server.dsn_ws()))?;
    /// consumer.subscribe(&["topic_meters"])?;
    /// assert_eq!(consumer.list_topics()?, ["topic_meters"]);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn subscribe<S: AsRef<str>>(&self, topics: &[S]) -> Result<()> {
        let mut inner = self.lock();
        inner.revive()?;
        let req_id = inner.next_req_id();
        let args = self.config.subscribe_args(topics, req_id, CONNECTOR);
        let deadline = inner.deadline();
        inner.request(&args, deadline)?;
        inner.subscribed = true;
        inner.topics = args.topics.clone();
        inner.subscription = Some(args);
        Ok(())
    }

    /// How many times this consumer reopened its socket (after the server or the network
    /// dropped it) and subscribed again.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let consumer = taosync::tmq::Consumer::from_dsn(&format!("{}?group.id=g1", server.dsn_ws()))?;
    /// assert_eq!(consumer.reconnects(), 0);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn reconnects(&self) -> u64 {
        self.lock().reconnects
    }

    /// Ends the subscription without committing; the consumer can subscribe again.
    pub fn unsubscribe(&self) -> Result<()> {
        let mut inner = self.lock();
        inner.revive()?;
        let req_id = inner.next_req_id();
        let deadline = inner.deadline();
        inner.request(&UnsubscribeArgs { req_id }, deadline)?;
        inner.subscribed = false;
        inner.subscription = None;
        inner.topics.clear();
        Ok(())
    }

    /// Waits up to `timeout` for a message; `None` when none arrived. The message's rows
    /// are fetched before it is returned.
    ///
    /// Inside [`with_req_id`](crate::with_req_id) the first `poll` request takes the
    /// scoped id (a long poll may send more, and fetching the data sends more; those use
    /// the consumer's own ids).
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database power", ())?;
    /// # conn.execute("create stable power.meters (ts timestamp, current float) tags (groupid int)", ())?;
    /// # conn.execute("insert into power.d1001 using power.meters tags (1) values (1700000000000, 10.2)", ())?;
    /// # conn.execute("create topic topic_meters as select ts, current from power.meters", ())?;
    /// # let consumer = taosync::tmq::Consumer::from_dsn(&format!("{}?group.id=g1&auto.offset.reset=earliest", server.dsn_ws()))?;
    /// consumer.subscribe(&["topic_meters"])?;
    /// let message = taosync::with_req_id(0x5eed, || consumer.poll(Duration::from_secs(1)))?;
    /// if let Some(message) = message {
    ///     assert_eq!(message.topic(), "topic_meters");
    ///     println!("{} rows from vgroup {}", message.num_rows(), message.vgroup_id());
    /// }
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn poll(&self, timeout: Duration) -> Result<Option<Message>> {
        let mut inner = self.lock();
        if inner.channel.is_none() {
            return Err(closed_error());
        }
        if !inner.subscribed {
            return Err(tmq_error(
                "poll before subscribe: call subscribe(topics) first",
            ));
        }
        let end = deadline_after(timeout);
        // One retry on a new socket when the socket dies under the poll: nothing was
        // delivered, and the new server-side consumer starts from the committed offsets.
        let mut retried = false;
        loop {
            inner.revive()?;
            match inner.poll_once(end) {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                Err(e) if !retried && e.kind() == ErrorKind::Connection && !inner.usable() => {
                    log::debug!(
                        "tmq {}: poll lost its socket ({e}); reconnecting",
                        inner.host
                    );
                    retried = true;
                    continue;
                }
                Err(e) => return Err(e),
            }
            if Instant::now() >= end {
                return Ok(None);
            }
        }
    }

    /// An iterator that polls with `idle_timeout` and yields messages until a poll brings
    /// none (or an error, which it yields and then ends).
    pub fn iter(&self, idle_timeout: Duration) -> Messages<'_> {
        Messages {
            consumer: self,
            idle_timeout,
            done: false,
        }
    }

    /// Commits the positions this consumer has reached in every vgroup (so `message` and
    /// everything polled before it). The message must come from this consumer.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database power", ())?;
    /// # conn.execute("create stable power.meters (ts timestamp, current float) tags (groupid int)", ())?;
    /// # conn.execute("insert into power.d1001 using power.meters tags (1) values (1700000000000, 10.2)", ())?;
    /// # conn.execute("create topic topic_meters as select ts, current from power.meters", ())?;
    /// # let consumer = taosync::tmq::Consumer::from_dsn(&format!("{}?group.id=g1&auto.offset.reset=earliest", server.dsn_ws()))?;
    /// consumer.subscribe(&["topic_meters"])?;
    /// while let Some(message) = consumer.poll(Duration::from_millis(500))? {
    ///     // … handle the rows, then mark them consumed for the group:
    ///     consumer.commit(&message)?;
    ///     assert!(consumer.committed(message.topic(), message.vgroup_id())?.is_some());
    /// }
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn commit(&self, message: &Message) -> Result<()> {
        if message.consumer_id != self.id {
            return Err(tmq_error(format!(
                "cannot commit message {} of topic {:?}: it was polled by another consumer",
                message.message_id, message.topic
            )));
        }
        let mut inner = self.lock();
        if inner.channel.is_some() && (message.generation != inner.generation || !inner.usable()) {
            return Err(Error::new(
                ErrorKind::Connection,
                format!(
                    "cannot commit message {} of topic {:?}: the socket it was polled on is \
                     gone, and the server's consumer with it; it is not committed and will be \
                     delivered again",
                    message.message_id, message.topic
                ),
            )
            .with_code(Code::CLIENT_WEBSOCKET_DISCONNECTED));
        }
        let req_id = inner.next_req_id();
        let deadline = inner.deadline();
        inner.request(
            &CommitArgs {
                req_id,
                message_id: message.message_id,
            },
            deadline,
        )?;
        Ok(())
    }

    /// Commits `offset` for one vgroup of `topic` (the next poll of a consumer of the
    /// group that starts there begins at `offset`).
    pub fn commit_offset(&self, topic: &str, vgroup_id: i32, offset: i64) -> Result<()> {
        let mut inner = self.lock();
        inner.revive()?;
        let req_id = inner.next_req_id();
        let deadline = inner.deadline();
        inner.request(
            &CommitOffsetArgs {
                req_id,
                topic: topic.to_owned(),
                vgroup_id,
                offset,
            },
            deadline,
        )?;
        Ok(())
    }

    /// Commits several offsets, in order (one request each; stops at the first error).
    pub fn commit_offsets(&self, offsets: &[TopicPartition]) -> Result<()> {
        for tp in offsets {
            self.commit_offset(&tp.topic, tp.vgroup_id, tp.offset)?;
        }
        Ok(())
    }

    /// The vgroups assigned to this consumer for every subscribed topic.
    pub fn assignment(&self) -> Result<Vec<TopicAssignment>> {
        let topics = {
            let inner = self.lock();
            inner.ensure_open()?;
            inner.topics.clone()
        };
        topics
            .into_iter()
            .map(|topic| {
                let assignments = self.topic_assignment(&topic)?;
                Ok(TopicAssignment { topic, assignments })
            })
            .collect()
    }

    /// The vgroups of `topic` assigned to this consumer, with position and WAL range.
    pub fn topic_assignment(&self, topic: &str) -> Result<Vec<Assignment>> {
        let mut inner = self.lock();
        inner.revive()?;
        let req_id = inner.next_req_id();
        let deadline = inner.deadline();
        let reply = inner.request(
            &AssignmentArgs {
                req_id,
                topic: topic.to_owned(),
            },
            deadline,
        )?;
        Ok(reply.assignment)
    }

    /// Moves this consumer's position in one assigned vgroup (e.g. to
    /// [`Assignment::begin`] to replay).
    pub fn seek(&self, topic: &str, vgroup_id: i32, offset: i64) -> Result<()> {
        let mut inner = self.lock();
        inner.revive()?;
        let req_id = inner.next_req_id();
        let deadline = inner.deadline();
        inner.request(
            &SeekArgs {
                req_id,
                topic: topic.to_owned(),
                vgroup_id,
                offset,
            },
            deadline,
        )?;
        Ok(())
    }

    /// The group's committed offset of one vgroup, `None` if nothing was committed.
    pub fn committed(&self, topic: &str, vgroup_id: i32) -> Result<Option<i64>> {
        let all = self.committed_many(&[(topic, vgroup_id)])?;
        Ok(all.into_iter().next().flatten())
    }

    /// [`committed`](Self::committed) for several (topic, vgroup) pairs in one request.
    pub fn committed_many<S: AsRef<str>>(&self, pairs: &[(S, i32)]) -> Result<Vec<Option<i64>>> {
        let mut inner = self.lock();
        inner.revive()?;
        let args = CommittedArgs {
            req_id: inner.next_req_id(),
            topic_vgroup_ids: topic_vgroup_ids(pairs),
        };
        let deadline = inner.deadline();
        let reply = inner.request(&args, deadline)?;
        offsets(reply.committed, pairs.len(), "committed")
    }

    /// This consumer's position (next offset to consume) in one vgroup, `None` if it has
    /// none.
    pub fn position(&self, topic: &str, vgroup_id: i32) -> Result<Option<i64>> {
        let all = self.position_many(&[(topic, vgroup_id)])?;
        Ok(all.into_iter().next().flatten())
    }

    /// [`position`](Self::position) for several (topic, vgroup) pairs in one request.
    pub fn position_many<S: AsRef<str>>(&self, pairs: &[(S, i32)]) -> Result<Vec<Option<i64>>> {
        let mut inner = self.lock();
        inner.revive()?;
        let args = PositionArgs {
            req_id: inner.next_req_id(),
            topic_vgroup_ids: topic_vgroup_ids(pairs),
        };
        let deadline = inner.deadline();
        let reply = inner.request(&args, deadline)?;
        offsets(reply.position, pairs.len(), "position")
    }

    /// The topics of the current subscription, as the server knows them.
    pub fn list_topics(&self) -> Result<Vec<String>> {
        let mut inner = self.lock();
        inner.revive()?;
        let req_id = inner.next_req_id();
        let deadline = inner.deadline();
        Ok(inner.request(&ListTopicsArgs { req_id }, deadline)?.topics)
    }

    /// Unsubscribes (without committing) and closes the socket. Closing twice is fine;
    /// any other call afterwards is an [`InterfaceError`](ErrorKind::Interface).
    pub fn close(&self) -> Result<()> {
        let mut inner = self.lock();
        let usable = match &inner.channel {
            None => return Ok(()),
            Some(c) => c.is_usable(),
        };
        if inner.subscribed && usable {
            let req_id = inner.next_req_id();
            let wait = inner.opts.get_read_timeout().min(CLOSE_WAIT);
            if let Err(e) = inner.request(&UnsubscribeArgs { req_id }, deadline_after(wait)) {
                log::debug!("tmq {}: unsubscribe on close failed: {e}", inner.host);
            }
        }
        inner.shutdown();
        Ok(())
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        self.lock().shutdown();
    }
}

fn topic_vgroup_ids<S: AsRef<str>>(pairs: &[(S, i32)]) -> Vec<TopicVgroupId> {
    pairs
        .iter()
        .map(|(t, v)| TopicVgroupId {
            topic: t.as_ref().to_owned(),
            vgroup_id: *v,
        })
        .collect()
}

fn offsets(values: Vec<i64>, expected: usize, what: &str) -> Result<Vec<Option<i64>>> {
    if values.len() != expected {
        return Err(Error::result(format!(
            "tmq {what} reply has {} offsets for {expected} vgroups",
            values.len()
        )));
    }
    Ok(values
        .into_iter()
        .map(|v| (v != OFFSET_INVALID).then_some(v))
        .collect())
}

// ---------------------------------------------------------------------------------------
// Requests

/// The `req_id` of a `fetch_block` reply (bytes 8..16: the `fetch`'s id).
fn fetch_block_req_id(frame: &[u8]) -> Option<u64> {
    let id = u64::from_le_bytes(frame.get(8..16)?.try_into().ok()?);
    (frame.len() >= 24 && binary_reply_req_id(frame).is_none()).then_some(id)
}

impl Inner {
    /// The id of the next request: the caller's (see [`crate::with_req_id`]) or the
    /// consumer's own counter.
    fn next_req_id(&mut self) -> u64 {
        crate::req_id::next(|| {
            self.req_id = self.req_id.wrapping_add(1);
            self.req_id
        })
    }

    fn deadline(&self) -> Instant {
        deadline_after(self.opts.get_read_timeout())
    }

    fn channel(&mut self) -> Result<&mut TmqChannel> {
        self.channel.as_mut().ok_or_else(closed_error)
    }

    fn ensure_open(&self) -> Result<()> {
        self.channel
            .as_ref()
            .ok_or_else(closed_error)?
            .ensure_usable()
    }

    /// True while the socket works.
    fn usable(&self) -> bool {
        self.channel.as_ref().is_some_and(TmqChannel::is_usable)
    }

    /// Reopens a socket that broke and subscribes again as before (same group, client id,
    /// options and topics), trying `conn_retries` more times with backoff. A closed
    /// consumer stays closed.
    fn revive(&mut self) -> Result<()> {
        match &self.channel {
            None => return Err(closed_error()),
            Some(c) if c.is_usable() => return Ok(()),
            Some(_) => {}
        }
        let target = format!("tmq {}: reconnect", self.host);
        let (channel, version) = crate::retry::with_backoff(&self.opts, &target, || {
            TmqChannel::open(&self.opts, &self.host, self.req_id.wrapping_add(1))
        })?;
        self.req_id = self.req_id.wrapping_add(1);
        self.channel = Some(channel);
        self.raw_data = version_at_least(&version, [3, 3, 2, 0]);
        self.generation += 1;
        self.reconnects += 1;
        // Message ids are the old server consumer's: the new one starts afresh.
        self.last_message_id = 0;
        if let Some(mut args) = self.subscription.clone() {
            args.req_id = self.next_req_id();
            let deadline = self.deadline();
            if let Err(e) = self.request(&args, deadline) {
                // Leave the socket for the next attempt to reopen: a half-renewed consumer
                // must not poll.
                if let Some(c) = self.channel.as_mut() {
                    c.mark_broken(format!("subscribing again failed: {e}"));
                }
                return Err(e);
            }
        }
        log::info!(
            "tmq {}: reconnected (socket {}) and subscribed again to {:?}",
            self.host,
            self.generation,
            self.topics
        );
        Ok(())
    }

    /// One `poll` request of at most `MAX_BLOCKING`: `Some(message or None at the end)`
    /// when the caller should return, `None` to poll again.
    fn poll_once(&mut self, end: Instant) -> Result<Option<Option<Message>>> {
        let left = end.saturating_duration_since(Instant::now());
        let blocking = left.min(MAX_BLOCKING);
        let req_id = self.next_req_id();
        let args = PollArgs {
            req_id,
            blocking_time: i64::try_from(blocking.as_millis()).unwrap_or(i64::MAX),
            message_id: Some(self.last_message_id),
        };
        let deadline = self.deadline() + blocking;
        let reply = self.request(&args, deadline)?;
        if reply.have_message {
            self.last_message_id = reply.message_id;
            return self.fetch_message(reply).map(|m| Some(Some(m)));
        }
        Ok(None)
    }

    fn shutdown(&mut self) {
        let wait = CLOSE_WAIT.min(self.opts.get_read_timeout());
        if let Some(mut channel) = self.channel.take() {
            channel.close(wait);
        }
    }

    /// Sends one JSON request and waits for the text reply with its `req_id`.
    fn request<A: Action>(&mut self, args: &A, deadline: Instant) -> Result<A::Reply> {
        self.channel()?.request(args, deadline)
    }

    /// Sends one JSON request whose reply is binary; `req_id_of` reads a binary frame's
    /// request id.
    fn request_binary<A: Action>(
        &mut self,
        args: &A,
        req_id_of: fn(&[u8]) -> Option<u64>,
    ) -> Result<Bytes> {
        let req_id = args.req_id();
        self.channel()?
            .request_binary(args, &|f| req_id_of(f) == Some(req_id))
    }

    // ---- messages ----

    fn fetch_message(&mut self, reply: PollReply) -> Result<Message> {
        let message_type = MessageType::from_code(reply.message_type).ok_or_else(|| {
            tmq_error(format!(
                "unsupported tmq message type {} (topic {:?})",
                reply.message_type, reply.topic
            ))
        })?;
        let blocks = if !message_type.has_data() {
            Vec::new()
        } else if self.raw_data {
            self.fetch_raw_data(reply.message_id)?
        } else if message_type == MessageType::RawData {
            return Err(tmq_error(
                "raw-data messages need fetch_raw_data (server ≥ 3.3.2.0)",
            ));
        } else {
            self.fetch_blocks(reply.message_id)?
        };
        let meta = if message_type.has_meta() {
            let req_id = self.next_req_id();
            let deadline = self.deadline();
            let reply = self.request(
                &FetchJsonMetaArgs {
                    req_id,
                    message_id: reply.message_id,
                },
                deadline,
            )?;
            Some(reply.data).filter(|d| !d.is_null())
        } else {
            None
        };
        // The meta's raw form, for replaying it elsewhere with `write_raw_meta`.
        let raw_meta = if message_type.has_meta() {
            let req_id = self.next_req_id();
            let frame = self.request_binary(
                &FetchRawArgs {
                    req_id,
                    message_id: reply.message_id,
                },
                |f| FetchRawReply::decode(f).ok().map(|r| r.req_id),
            )?;
            let raw = FetchRawReply::decode(&frame)?;
            Some(RawMeta {
                raw_type: raw.raw_type,
                data: raw.raw.to_vec(),
            })
        } else {
            None
        };
        Ok(Message {
            consumer_id: self.consumer_id,
            generation: self.generation,
            message_id: reply.message_id,
            topic: reply.topic,
            database: reply.database,
            vgroup_id: reply.vgroup_id,
            offset: reply.offset,
            message_type,
            blocks,
            meta,
            raw_meta,
        })
    }

    fn fetch_raw_data(&mut self, message_id: u64) -> Result<Vec<MessageBlock>> {
        let req_id = self.next_req_id();
        let frame = self.request_binary(
            &FetchRawDataArgs { req_id, message_id },
            binary_reply_req_id,
        )?;
        let (_, raw) = FetchRawDataReply::decode(&frame)?.into_result()?;
        let data = RawData::decode(raw)?;
        data.blocks
            .iter()
            .map(|b| {
                let precision = Precision::from_code(b.precision).ok_or_else(|| {
                    Error::result(format!(
                        "tmq raw data: unknown timestamp precision {}",
                        b.precision
                    ))
                })?;
                let columns: Arc<[Column]> = b.columns()?.into();
                let rows = decode_rows(b.block, precision, &columns)?;
                Ok(MessageBlock {
                    table_name: b.table_name.clone().unwrap_or_default(),
                    columns,
                    precision,
                    rows,
                    raw: b.block.to_vec(),
                })
            })
            .collect()
    }

    fn fetch_blocks(&mut self, message_id: u64) -> Result<Vec<MessageBlock>> {
        let mut blocks = Vec::new();
        loop {
            let req_id = self.next_req_id();
            let deadline = self.deadline();
            let reply = self.request(&FetchArgs { req_id, message_id }, deadline)?;
            if reply.completed {
                return Ok(blocks);
            }
            if blocks.len() >= MAX_BLOCKS_PER_MESSAGE {
                return Err(Error::result(format!(
                    "tmq message {message_id} has more than {MAX_BLOCKS_PER_MESSAGE} blocks"
                )));
            }
            let columns: Arc<[Column]> = reply.columns()?.into();
            let precision = reply.timestamp_precision();
            // fetch_block goes with the fetch's req_id, and its reply carries that id.
            let frame =
                self.request_binary(&FetchBlockArgs { req_id, message_id }, fetch_block_req_id)?;
            let block = TmqFetchBlockReply::decode(&frame)?;
            let rows = decode_rows(block.block, precision, &columns)?;
            blocks.push(MessageBlock {
                table_name: reply.table_name,
                columns,
                precision,
                rows,
                raw: block.block.to_vec(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_reply_ids() {
        let mut frame = vec![0xFFu8; 8];
        frame.extend_from_slice(&8u64.to_le_bytes());
        frame.extend_from_slice(&1u16.to_le_bytes());
        frame.extend_from_slice(&0u64.to_le_bytes());
        frame.extend_from_slice(&42u64.to_le_bytes());
        assert_eq!(binary_reply_req_id(&frame), Some(42));
        assert_eq!(fetch_block_req_id(&frame), None);
        let mut block = 7u64.to_le_bytes().to_vec();
        block.extend_from_slice(&9u64.to_le_bytes());
        block.extend_from_slice(&1u64.to_le_bytes());
        assert_eq!(fetch_block_req_id(&block), Some(9));
        assert_eq!(binary_reply_req_id(&block), None);
        assert_eq!(fetch_block_req_id(&block[..10]), None);
    }
}
