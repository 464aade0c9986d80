//! The broker: topics, consumer groups, committed offsets, assignments and polling.
//!
//! # Model
//!
//! * A **topic** reads the WAL of its database's vgroups ([`WalSource`]).
//! * A **consumer** belongs to one group and subscribes to a list of topics. For every
//!   (group, topic), the vgroups of the topic are split between the group's *ready*
//!   consumers subscribed to it: sort the consumers by id and the vgroups ascending, and
//!   give vgroup *i* to consumer *i mod n* (deterministic round-robin).
//! * The split is recomputed whenever membership changes (subscribe, unsubscribe, close,
//!   session timeout, max-poll-interval) and at every poll (so new vgroups are picked
//!   up). A vgroup that stays with its consumer keeps its position; a vgroup that moves
//!   starts at the group's committed offset, else at `auto.offset.reset`: `earliest` =
//!   the WAL's `begin`, `latest` = its `end` at assignment time, `none` = no position
//!   (poll fails with "No committed info").
//! * **Positions** are per consumer and vgroup; a poll delivers the next message of one
//!   assigned vgroup (round-robin over the assignment) and moves the position past the
//!   WAL entries it covers. **Committed offsets** are per (group, topic, vgroup);
//!   `commit` stores every position, `commit_offset` one value.
//! * At-least-once: positions are never stored implicitly (except the adapter-side auto
//!   commit at poll time), so rows a consumer polled without committing are delivered
//!   again to whoever gets the vgroup next.
//! * **Liveness** uses the injected [`Clock`]: every call by a consumer refreshes it;
//!   without a call for `session.timeout.ms` the consumer is *lost* (its calls then fail
//!   with "Consumer not exist"); without a poll for `max.poll.interval.ms` it leaves its
//!   groups (status `rebalancing`) until it polls again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::clock::Clock;
use super::error::{TmqError, TmqResult};
use super::settings::ConsumerSettings;
use super::topic::{MessageBlock, TopicDef};
use super::wal::{WalRange, WalSource};
use taosync_proto::code::Code;
use taosync_proto::tmq::{OFFSET_INVALID, OffsetReset, codes};
use taosync_proto::types::Precision;

/// A consumer's id (unique per broker, never reused).
pub type ConsumerId = i64;

/// The most rows a poll packs into one message (one WAL entry is never split, so a
/// message can exceed it by one entry).
pub const DEFAULT_MAX_ROWS_PER_MESSAGE: usize = 4096;

/// The most WAL entries one poll scans before giving up for this call.
const SCAN_BUDGET: usize = 4096;
/// Entries read from the WAL per call.
const READ_BATCH: usize = 256;

/// A consumer's membership state (SHOW CONSUMERS `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerStatus {
    /// In its groups, holding vgroups.
    Ready,
    /// Out of its groups until its next poll (max poll interval exceeded).
    Rebalancing,
    /// Timed out; gone for good.
    Lost,
}

impl ConsumerStatus {
    /// The SHOW CONSUMERS text: `ready`, `rebalancing` or `lost`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerStatus::Ready => "ready",
            ConsumerStatus::Rebalancing => "rebalancing",
            ConsumerStatus::Lost => "lost",
        }
    }
}

/// One polled message: rows of one topic and one vgroup (02 §3.7).
#[derive(Clone, Debug, PartialEq)]
pub struct TmqMessage {
    /// Topic.
    pub topic: String,
    /// Database of the topic.
    pub db: String,
    /// Vgroup.
    pub vgroup_id: i32,
    /// The WAL version the message starts at (poll `offset`).
    pub offset: i64,
    /// The position after the message (last covered version + 1).
    pub end_offset: i64,
    /// Timestamp precision of the database.
    pub precision: Precision,
    /// Blocks, each the rows of one table.
    pub blocks: Vec<MessageBlock>,
    /// The DDL JSON of a meta message (then `blocks` is empty): one object, or with
    /// `msg.enable.batchmeta` consecutive creations as `{"tmq_meta_version":"1.0",
    /// "metas":[…]}`.
    pub meta: Option<serde_json::Value>,
}

impl TmqMessage {
    /// Total rows of the message.
    pub fn rows(&self) -> usize {
        self.blocks.iter().map(|b| b.rows.len()).sum()
    }
}

/// One vgroup of [`Broker::assignment`] (02 §3.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VgroupAssignment {
    /// Vgroup.
    pub vgroup_id: i32,
    /// The consumer's position ([`OFFSET_INVALID`] when it has none).
    pub offset: i64,
    /// First retained WAL version.
    pub begin: i64,
    /// Next WAL version.
    pub end: i64,
}

/// A row of SHOW CONSUMERS (`performance_schema.perf_consumers`, 03 §2.6): one per
/// (consumer, subscribed topic), or one with an empty topic for a consumer with none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerRow {
    /// Consumer id.
    pub consumer_id: ConsumerId,
    /// Group.
    pub consumer_group: String,
    /// `client.id`.
    pub client_id: String,
    /// User.
    pub user: String,
    /// Client address.
    pub fqdn: String,
    /// `ready`, `rebalancing` or `lost`.
    pub status: &'static str,
    /// One subscribed topic.
    pub topic: String,
    /// When the consumer was created (ms).
    pub up_time: i64,
    /// Last subscribe (ms).
    pub subscribe_time: i64,
    /// Last change of its assignment (ms).
    pub rebalance_time: i64,
    /// Settings summary.
    pub parameters: String,
}

/// A row of SHOW SUBSCRIPTIONS (`information_schema.ins_subscriptions`, 03 §2.6): one per
/// (topic, group, vgroup) of every group that ever subscribed to the topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionRow {
    /// Topic.
    pub topic_name: String,
    /// Group.
    pub consumer_group: String,
    /// Vgroup.
    pub vgroup_id: i32,
    /// The consumer holding the vgroup now, if any.
    pub consumer_id: Option<ConsumerId>,
    /// Its user (`""` when none).
    pub user: String,
    /// Its address (`""` when none).
    pub fqdn: String,
    /// The committed offset as `log:<version>`, or `""` when none.
    pub offset: String,
    /// Rows the group has been delivered from the vgroup.
    pub rows: i64,
}

type TopicVg = (String, i32);

#[derive(Debug)]
struct Consumer {
    settings: ConsumerSettings,
    status: ConsumerStatus,
    topics: Vec<String>,
    /// Assigned (topic, vgroup) → position (`None`: no offset, reset policy `none`).
    assignment: BTreeMap<TopicVg, Option<i64>>,
    cursor: usize,
    up_time: i64,
    subscribe_time: i64,
    rebalance_time: i64,
    last_seen: i64,
    last_poll: i64,
    last_auto_commit: i64,
}

#[derive(Debug, Default)]
struct Group {
    committed: BTreeMap<TopicVg, i64>,
    delivered_rows: BTreeMap<TopicVg, i64>,
    /// Topics this group has ever subscribed to (until DROP CONSUMER GROUP / DROP TOPIC).
    topics: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct State {
    topics: BTreeMap<String, TopicDef>,
    consumers: BTreeMap<ConsumerId, Consumer>,
    groups: BTreeMap<String, Group>,
    next_id: ConsumerId,
}

/// The TMQ broker. `Send + Sync`; share it as `Arc<Broker>` between connections.
#[derive(Debug)]
pub struct Broker {
    wal: Arc<dyn WalSource>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    data_generation: Mutex<u64>,
    data_arrived: Condvar,
    max_rows_per_message: usize,
}

fn not_exist(id: ConsumerId) -> TmqError {
    TmqError::new(
        Code::MND_CONSUMER_NOT_EXIST,
        format!("Consumer not exist: {id}"),
    )
}

fn topic_not_exist(topic: &str) -> TmqError {
    TmqError::new(
        Code::MND_TOPIC_NOT_EXIST,
        format!("Topic not exist: {topic}"),
    )
}

impl Broker {
    /// A broker reading `wal`, telling time with `clock`.
    pub fn new(wal: Arc<dyn WalSource>, clock: Arc<dyn Clock>) -> Broker {
        Broker {
            wal,
            clock,
            state: Mutex::new(State {
                next_id: 1,
                ..State::default()
            }),
            data_generation: Mutex::new(0),
            data_arrived: Condvar::new(),
            max_rows_per_message: DEFAULT_MAX_ROWS_PER_MESSAGE,
        }
    }

    /// The same broker packing at most `rows` rows per message (at least 1).
    #[cfg(test)]
    pub fn with_max_rows_per_message(mut self, rows: usize) -> Broker {
        self.max_rows_per_message = rows.max(1);
        self
    }

    /// Now, by the broker's clock (ms).
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // ----------------------------------------------------------------------------------
    // Data arrival (for blocking polls)

    /// Tells waiting pollers that new WAL entries may exist (the engine calls it after a
    /// write).
    pub fn notify_data(&self) {
        let mut generation = self
            .data_generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *generation = generation.wrapping_add(1);
        self.data_arrived.notify_all();
    }

    /// The current data generation (pass it to [`wait_for_data`](Self::wait_for_data)).
    pub fn data_generation(&self) -> u64 {
        *self
            .data_generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Blocks until [`notify_data`](Self::notify_data) moves the generation past `seen`,
    /// or `timeout` passes (real time). Returns the generation.
    pub fn wait_for_data(&self, seen: u64, timeout: Duration) -> u64 {
        let guard = self
            .data_generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = self
            .data_arrived
            .wait_timeout_while(guard, timeout, |g| *g == seen)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }

    // ----------------------------------------------------------------------------------
    // Topics

    /// Creates a topic. An existing name is 0x03E0 unless `if_not_exists`.
    pub fn create_topic(&self, topic: TopicDef, if_not_exists: bool) -> TmqResult<()> {
        let mut state = self.lock();
        if state.topics.contains_key(&topic.name) {
            if if_not_exists {
                return Ok(());
            }
            return Err(TmqError::code(Code::MND_TOPIC_ALREADY_EXIST));
        }
        state.topics.insert(topic.name.clone(), topic);
        Ok(())
    }

    /// Drops a topic. Missing: 0x03E1 unless `if_exists`. Subscribed by a live consumer:
    /// 0x03EB unless `force`, which unsubscribes those consumers from it. The groups'
    /// offsets for the topic are forgotten.
    pub fn drop_topic(&self, name: &str, if_exists: bool, force: bool) -> TmqResult<()> {
        let now = self.now_ms();
        let mut state = self.lock();
        if !state.topics.contains_key(name) {
            if if_exists {
                return Ok(());
            }
            return Err(topic_not_exist(name));
        }
        self.expire(&mut state, now);
        let subscribed = state
            .consumers
            .values()
            .any(|c| c.status != ConsumerStatus::Lost && c.topics.iter().any(|t| t == name));
        if subscribed && !force {
            return Err(TmqError::code(Code::MND_TOPIC_SUBSCRIBED));
        }
        for consumer in state.consumers.values_mut() {
            consumer.topics.retain(|t| t != name);
        }
        for group in state.groups.values_mut() {
            group.committed.retain(|(t, _), _| t != name);
            group.delivered_rows.retain(|(t, _), _| t != name);
            group.topics.remove(name);
        }
        state.topics.remove(name);
        self.rebalance(&mut state, now);
        Ok(())
    }

    /// `DROP CONSUMER GROUP group ON topic`: forgets the group's offsets for the topic.
    /// 0x03EC while a live consumer of the group is subscribed to it.
    pub fn drop_consumer_group(&self, group: &str, topic: &str) -> TmqResult<()> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.expire(&mut state, now);
        let used = state.consumers.values().any(|c| {
            c.status != ConsumerStatus::Lost
                && c.settings.group_id == group
                && c.topics.iter().any(|t| t == topic)
        });
        if used {
            return Err(TmqError::code(Code::MND_CGROUP_USED));
        }
        if let Some(g) = state.groups.get_mut(group) {
            g.committed.retain(|(t, _), _| t != topic);
            g.delivered_rows.retain(|(t, _), _| t != topic);
            g.topics.remove(topic);
        }
        Ok(())
    }

    /// True when the topic exists.
    #[cfg(test)]
    pub fn topic_exists(&self, name: &str) -> bool {
        self.lock().topics.contains_key(name)
    }

    /// Every topic, by name.
    #[cfg(test)]
    pub fn topics(&self) -> Vec<TopicDef> {
        self.lock().topics.values().cloned().collect()
    }

    /// True when a topic reads `db` (DROP DATABASE must then fail with 0x03ED).
    #[cfg(test)]
    pub fn db_has_topics(&self, db: &str) -> bool {
        self.lock().topics.values().any(|t| t.db == db)
    }

    // ----------------------------------------------------------------------------------
    // Consumers

    /// Creates a consumer (not subscribed to anything yet).
    pub fn create_consumer(&self, settings: ConsumerSettings) -> TmqResult<ConsumerId> {
        if settings.group_id.is_empty() {
            return Err(TmqError::new(codes::INVALID_PARA, "group.id is required"));
        }
        let now = self.now_ms();
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.consumers.insert(
            id,
            Consumer {
                settings,
                status: ConsumerStatus::Ready,
                topics: Vec::new(),
                assignment: BTreeMap::new(),
                cursor: 0,
                up_time: now,
                subscribe_time: 0,
                rebalance_time: 0,
                last_seen: now,
                last_poll: now,
                last_auto_commit: now,
            },
        );
        Ok(id)
    }

    /// A consumer's status (`Lost` consumers stay visible until closed).
    #[cfg(test)]
    pub fn status(&self, id: ConsumerId) -> TmqResult<ConsumerStatus> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.expire(&mut state, now);
        state
            .consumers
            .get(&id)
            .map(|c| c.status)
            .ok_or_else(|| not_exist(id))
    }

    /// Refreshes the consumer's liveness (any request from its connection counts).
    pub fn heartbeat(&self, id: ConsumerId) -> TmqResult<()> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.touch(&mut state, id, now).map(|_| ())
    }

    /// Expires, then returns the live consumer `id` with its `last_seen` refreshed.
    fn touch<'s>(
        &self,
        state: &'s mut State,
        id: ConsumerId,
        now: i64,
    ) -> TmqResult<&'s mut Consumer> {
        self.expire(state, now);
        match state.consumers.get_mut(&id) {
            Some(c) if c.status != ConsumerStatus::Lost => {
                c.last_seen = now;
                Ok(c)
            }
            _ => Err(not_exist(id)),
        }
    }

    /// Subscribes to `topics` (replacing the previous list; empty = unsubscribe). Every
    /// topic must exist (0x03E1).
    pub fn subscribe(&self, id: ConsumerId, topics: &[String]) -> TmqResult<()> {
        let now = self.now_ms();
        let mut state = self.lock();
        if let Some(missing) = topics.iter().find(|t| !state.topics.contains_key(*t)) {
            return Err(topic_not_exist(missing));
        }
        let consumer = self.touch(&mut state, id, now)?;
        let mut list: Vec<String> = Vec::with_capacity(topics.len());
        for t in topics {
            if !list.contains(t) {
                list.push(t.clone());
            }
        }
        consumer.topics = list.clone();
        consumer.subscribe_time = now;
        consumer.last_poll = now;
        consumer.status = ConsumerStatus::Ready;
        let group = consumer.settings.group_id.clone();
        state.groups.entry(group).or_default().topics.extend(list);
        self.rebalance(&mut state, now);
        Ok(())
    }

    /// Drops the subscription (without committing); the group rebalances.
    pub fn unsubscribe(&self, id: ConsumerId) -> TmqResult<()> {
        self.subscribe(id, &[])
    }

    /// Removes the consumer (without committing); the group rebalances. Closing a lost or
    /// unknown consumer is a no-op.
    pub fn close(&self, id: ConsumerId) {
        let now = self.now_ms();
        let mut state = self.lock();
        state.consumers.remove(&id);
        self.rebalance(&mut state, now);
    }

    /// The consumer's subscription list.
    pub fn list_topics(&self, id: ConsumerId) -> TmqResult<Vec<String>> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.touch(&mut state, id, now).map(|c| c.topics.clone())
    }

    /// Marks consumers lost (session timeout) or out of their groups (max poll interval),
    /// then rebalances if anything changed.
    fn expire(&self, state: &mut State, now: i64) {
        let mut changed = false;
        for c in state.consumers.values_mut() {
            if c.status == ConsumerStatus::Lost {
                continue;
            }
            let session = i64::try_from(c.settings.session_timeout_ms).unwrap_or(i64::MAX);
            let max_poll = i64::try_from(c.settings.max_poll_interval_ms).unwrap_or(i64::MAX);
            if now.saturating_sub(c.last_seen) > session {
                c.status = ConsumerStatus::Lost;
                changed = true;
            } else if c.status == ConsumerStatus::Ready
                && !c.topics.is_empty()
                && now.saturating_sub(c.last_poll) > max_poll
            {
                c.status = ConsumerStatus::Rebalancing;
                changed = true;
            }
        }
        if changed {
            self.rebalance(state, now);
        }
    }

    /// Recomputes every assignment (see the module docs).
    fn rebalance(&self, state: &mut State, now: i64) {
        let mut members: BTreeMap<(String, String), Vec<ConsumerId>> = BTreeMap::new();
        for (id, c) in &state.consumers {
            if c.status != ConsumerStatus::Ready {
                continue;
            }
            for t in &c.topics {
                members
                    .entry((c.settings.group_id.clone(), t.clone()))
                    .or_default()
                    .push(*id);
            }
        }
        let mut desired: BTreeMap<ConsumerId, BTreeSet<TopicVg>> = BTreeMap::new();
        for ((_, topic), ids) in &members {
            let Some(def) = state.topics.get(topic) else {
                continue;
            };
            let vgroups = self.wal.vgroups(&def.db).unwrap_or_default();
            for (i, vg) in vgroups.into_iter().enumerate() {
                let owner = ids[i % ids.len()];
                desired
                    .entry(owner)
                    .or_default()
                    .insert((topic.clone(), vg));
            }
        }
        for (id, c) in state.consumers.iter_mut() {
            let want = desired.remove(id).unwrap_or_default();
            if c.assignment.keys().eq(want.iter()) {
                continue;
            }
            c.rebalance_time = now;
            c.assignment.retain(|k, _| want.contains(k));
            let group = state.groups.get(&c.settings.group_id);
            for key in want {
                if c.assignment.contains_key(&key) {
                    continue;
                }
                let committed = group.and_then(|g| g.committed.get(&key)).copied();
                let position = match committed {
                    Some(offset) => Some(offset),
                    None => {
                        let range = state
                            .topics
                            .get(&key.0)
                            .and_then(|t| self.wal.range(&t.db, key.1).ok())
                            .unwrap_or_default();
                        match c.settings.auto_offset_reset {
                            OffsetReset::Earliest => Some(range.begin),
                            OffsetReset::Latest => Some(range.end),
                            OffsetReset::None => None,
                        }
                    }
                };
                c.assignment.insert(key, position);
            }
        }
    }

    fn commit_positions(state: &mut State, id: ConsumerId) {
        let Some(c) = state.consumers.get(&id) else {
            return;
        };
        let positions: Vec<(TopicVg, i64)> = c
            .assignment
            .iter()
            .filter_map(|(k, p)| p.map(|p| (k.clone(), p)))
            .collect();
        let group = state.groups.entry(c.settings.group_id.clone()).or_default();
        for (k, p) in positions {
            group.committed.insert(k, p);
        }
    }

    // ----------------------------------------------------------------------------------
    // Polling

    /// The next message for the consumer, or `None` when its assigned vgroups have
    /// nothing new. Never blocks (see [`wait_for_data`](Self::wait_for_data)).
    ///
    /// First rejoins the groups if the consumer had left them (max poll interval), runs the
    /// adapter-side auto commit when due, and picks up new vgroups. Errors: consumer lost
    /// (0x03E6); a vgroup without a position under `auto.offset.reset=none` (0x4011).
    pub fn poll(&self, id: ConsumerId) -> TmqResult<Option<TmqMessage>> {
        let now = self.now_ms();
        let mut state = self.lock();
        let consumer = self.touch(&mut state, id, now)?;
        consumer.last_poll = now;
        consumer.status = ConsumerStatus::Ready;
        let auto_commit = consumer.settings.auto_commit
            && now.saturating_sub(consumer.last_auto_commit)
                >= i64::try_from(consumer.settings.auto_commit_interval_ms).unwrap_or(i64::MAX);
        if auto_commit {
            consumer.last_auto_commit = now;
        }
        self.rebalance(&mut state, now);
        if auto_commit {
            Self::commit_positions(&mut state, id);
        }
        let state = &mut *state;
        let Some(consumer) = state.consumers.get_mut(&id) else {
            return Err(not_exist(id));
        };
        let keys: Vec<TopicVg> = consumer.assignment.keys().cloned().collect();
        if keys.is_empty() {
            return Ok(None);
        }
        let mut budget = SCAN_BUDGET;
        for step in 0..keys.len() {
            let index = (consumer.cursor + step) % keys.len();
            let key = &keys[index];
            let Some(topic) = state.topics.get(&key.0) else {
                continue;
            };
            let Some(position) = consumer.assignment.get(key).copied().flatten() else {
                return Err(TmqError::new(
                    codes::TMQ_NO_COMMITTED,
                    format!(
                        "No committed info for topic {} vgroup {} and auto.offset.reset is none",
                        key.0, key.1
                    ),
                ));
            };
            let limit = consumer
                .settings
                .min_poll_rows
                .unwrap_or(self.max_rows_per_message);
            let batch_meta = consumer.settings.enable_batch_meta;
            let scan = self.scan(topic, key.1, position, limit, batch_meta, &mut budget)?;
            if let Some(next) = scan.next_position {
                consumer.assignment.insert(key.clone(), Some(next));
            }
            if let Some(message) = scan.message {
                consumer.cursor = index + 1;
                let group = state
                    .groups
                    .entry(consumer.settings.group_id.clone())
                    .or_default();
                *group.delivered_rows.entry(key.clone()).or_default() +=
                    i64::try_from(message.rows()).unwrap_or(i64::MAX);
                return Ok(Some(message));
            }
            if budget == 0 {
                break;
            }
        }
        Ok(None)
    }

    /// The most rows any one assigned vgroup could deliver to the consumer right now,
    /// counting no further than `cap` (what a poll uses to honour `min.poll.rows`). No
    /// position moves; like any call it keeps the consumer alive.
    pub fn pending_rows(&self, id: ConsumerId, cap: usize) -> TmqResult<usize> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.touch(&mut state, id, now)?;
        let consumer = state.consumers.get(&id).ok_or_else(|| not_exist(id))?;
        let mut best = 0usize;
        for (key, position) in &consumer.assignment {
            let (Some(topic), Some(position)) = (state.topics.get(&key.0), position) else {
                continue;
            };
            let mut budget = SCAN_BUDGET;
            let scan = self.scan(topic, key.1, *position, cap, false, &mut budget)?;
            if let Some(message) = scan.message {
                best = best.max(message.rows());
            }
            if best >= cap {
                break;
            }
        }
        Ok(best)
    }

    /// Reads one vgroup of `topic` from `position`: the next message, and the position
    /// after everything scanned.
    fn scan(
        &self,
        topic: &TopicDef,
        vgroup: i32,
        position: i64,
        limit: usize,
        batch_meta: bool,
        budget: &mut usize,
    ) -> TmqResult<Scan> {
        let mut scan = Scan::default();
        let mut blocks: Vec<MessageBlock> = Vec::new();
        let mut rows = 0usize;
        let mut first_version: Option<i64> = None;
        let mut metas: Vec<serde_json::Value> = Vec::new();
        let mut metas_batchable = false;
        let mut from = position;
        // Entries are read (cloned) in batches that start at one and double up to
        // READ_BATCH: a message may end after the first entry (one write of 10,000 rows
        // is past `limit`), and reading READ_BATCH such entries to use one made a long
        // topic quadratic to consume.
        let mut batch = 1usize;
        'outer: while *budget > 0 {
            let entries = self.wal.read(&topic.db, vgroup, from, batch.min(*budget))?;
            if entries.is_empty() {
                break;
            }
            batch = (batch * 2).min(READ_BATCH);
            for entry in entries {
                if let Some(meta) = &entry.meta
                    && topic.wants_meta(meta)
                {
                    // A DDL is a message of its own, in WAL order with the data: it ends
                    // a data message before it, and with batch meta consecutive creations
                    // share one message.
                    let batching = batch_meta && meta.is_create;
                    let joins =
                        metas.is_empty() || (batching && metas_batchable && blocks.is_empty());
                    if !blocks.is_empty() || !joins {
                        break 'outer;
                    }
                    *budget = budget.saturating_sub(1);
                    first_version.get_or_insert(entry.version);
                    from = entry.version.saturating_add(1);
                    scan.next_position = Some(from);
                    metas.push(meta.json.clone());
                    metas_batchable = batching;
                    if !batching {
                        break 'outer;
                    }
                    continue;
                }
                if !metas.is_empty()
                    && entry
                        .blocks
                        .iter()
                        .any(|b| topic.select(b).is_ok_and(|s| s.is_some()))
                {
                    break 'outer;
                }
                *budget = budget.saturating_sub(1);
                from = entry.version.saturating_add(1);
                scan.next_position = Some(from);
                for block in &entry.blocks {
                    let Some(selected) = topic.select(block)? else {
                        continue;
                    };
                    first_version.get_or_insert(entry.version);
                    rows += selected.rows.len();
                    match blocks.last_mut() {
                        Some(last)
                            if last.table_name == selected.table_name
                                && last.columns == selected.columns =>
                        {
                            last.rows.extend(selected.rows);
                        }
                        _ => blocks.push(selected),
                    }
                }
                if rows >= limit || *budget == 0 {
                    break 'outer;
                }
            }
        }
        let meta = match metas.len() {
            0 => None,
            1 if !metas_batchable => metas.pop(),
            _ => Some(serde_json::json!({"tmq_meta_version": "1.0", "metas": metas})),
        };
        if let Some(offset) = first_version {
            scan.message = Some(TmqMessage {
                meta,
                topic: topic.name.clone(),
                db: topic.db.clone(),
                vgroup_id: vgroup,
                offset,
                end_offset: from,
                precision: self.wal.precision(&topic.db)?,
                blocks,
            });
        }
        Ok(scan)
    }

    // ----------------------------------------------------------------------------------
    // Offsets

    /// Commits every current position of the consumer for its group.
    pub fn commit(&self, id: ConsumerId) -> TmqResult<()> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.touch(&mut state, id, now)?;
        Self::commit_positions(&mut state, id);
        Ok(())
    }

    /// Checks that the consumer is subscribed to `topic` (0x4009) and holds `vgroup`
    /// (0x4008); returns the WAL range of the vgroup.
    fn check_assigned(
        &self,
        state: &mut State,
        id: ConsumerId,
        topic: &str,
        vgroup: i32,
        now: i64,
    ) -> TmqResult<WalRange> {
        let consumer = self.touch(state, id, now)?;
        if !consumer.topics.iter().any(|t| t == topic) {
            return Err(TmqError::code(codes::TMQ_INVALID_TOPIC));
        }
        if !consumer
            .assignment
            .contains_key(&(topic.to_owned(), vgroup))
        {
            return Err(TmqError::code(codes::TMQ_INVALID_VGID));
        }
        let db = state
            .topics
            .get(topic)
            .map(|t| t.db.clone())
            .ok_or_else(|| topic_not_exist(topic))?;
        self.wal.range(&db, vgroup)
    }

    /// Commits `offset` for (`topic`, `vgroup`) of the consumer's group. The vgroup must be
    /// assigned to the consumer and `offset` within `0..=end` (0x4007).
    pub fn commit_offset(
        &self,
        id: ConsumerId,
        topic: &str,
        vgroup: i32,
        offset: i64,
    ) -> TmqResult<()> {
        let now = self.now_ms();
        let mut state = self.lock();
        let range = self.check_assigned(&mut state, id, topic, vgroup, now)?;
        if offset < 0 || offset > range.end {
            return Err(TmqError::code(codes::TMQ_VERSION_OUT_OF_RANGE));
        }
        let group = state
            .consumers
            .get(&id)
            .map(|c| c.settings.group_id.clone())
            .ok_or_else(|| not_exist(id))?;
        state
            .groups
            .entry(group)
            .or_default()
            .committed
            .insert((topic.to_owned(), vgroup), offset);
        Ok(())
    }

    /// The group's committed offset for (`topic`, `vgroup`), [`OFFSET_INVALID`] if none.
    /// The vgroup must be assigned to the consumer.
    pub fn committed(&self, id: ConsumerId, topic: &str, vgroup: i32) -> TmqResult<i64> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.check_assigned(&mut state, id, topic, vgroup, now)?;
        let group = state
            .consumers
            .get(&id)
            .map(|c| c.settings.group_id.as_str())
            .ok_or_else(|| not_exist(id))?;
        Ok(state
            .groups
            .get(group)
            .and_then(|g| g.committed.get(&(topic.to_owned(), vgroup)))
            .copied()
            .unwrap_or(OFFSET_INVALID))
    }

    /// The consumer's position (next offset to read) for an assigned vgroup,
    /// [`OFFSET_INVALID`] if it has none.
    pub fn position(&self, id: ConsumerId, topic: &str, vgroup: i32) -> TmqResult<i64> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.check_assigned(&mut state, id, topic, vgroup, now)?;
        Ok(state
            .consumers
            .get(&id)
            .and_then(|c| c.assignment.get(&(topic.to_owned(), vgroup)))
            .copied()
            .flatten()
            .unwrap_or(OFFSET_INVALID))
    }

    /// Moves the position of an assigned vgroup to `offset` (within `0..=end`, 0x4007).
    pub fn seek(&self, id: ConsumerId, topic: &str, vgroup: i32, offset: i64) -> TmqResult<()> {
        let now = self.now_ms();
        let mut state = self.lock();
        let range = self.check_assigned(&mut state, id, topic, vgroup, now)?;
        if offset < 0 || offset > range.end {
            return Err(TmqError::code(codes::TMQ_VERSION_OUT_OF_RANGE));
        }
        if let Some(c) = state.consumers.get_mut(&id) {
            c.assignment
                .insert((topic.to_owned(), vgroup), Some(offset));
        }
        Ok(())
    }

    /// The vgroups of `topic` assigned to the consumer, with position and WAL range.
    /// The consumer must be subscribed to the topic (0x4009).
    pub fn assignment(&self, id: ConsumerId, topic: &str) -> TmqResult<Vec<VgroupAssignment>> {
        let now = self.now_ms();
        let mut state = self.lock();
        let consumer = self.touch(&mut state, id, now)?;
        if !consumer.topics.iter().any(|t| t == topic) {
            return Err(TmqError::code(codes::TMQ_INVALID_TOPIC));
        }
        let assigned: Vec<(i32, Option<i64>)> = consumer
            .assignment
            .iter()
            .filter(|((t, _), _)| t == topic)
            .map(|((_, vg), p)| (*vg, *p))
            .collect();
        let db = state
            .topics
            .get(topic)
            .map(|t| t.db.clone())
            .ok_or_else(|| topic_not_exist(topic))?;
        assigned
            .into_iter()
            .map(|(vgroup_id, position)| {
                let range = self.wal.range(&db, vgroup_id)?;
                Ok(VgroupAssignment {
                    vgroup_id,
                    offset: position.unwrap_or(OFFSET_INVALID),
                    begin: range.begin,
                    end: range.end,
                })
            })
            .collect()
    }

    // ----------------------------------------------------------------------------------
    // System tables

    /// SHOW CONSUMERS rows, by consumer id then topic.
    pub fn consumer_rows(&self) -> Vec<ConsumerRow> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.expire(&mut state, now);
        let mut rows = Vec::new();
        for (id, c) in &state.consumers {
            let topics: Vec<&str> = if c.topics.is_empty() {
                vec![""]
            } else {
                c.topics.iter().map(String::as_str).collect()
            };
            for topic in topics {
                rows.push(ConsumerRow {
                    consumer_id: *id,
                    consumer_group: c.settings.group_id.clone(),
                    client_id: c.settings.client_id.clone(),
                    user: c.settings.user.clone(),
                    fqdn: c.settings.fqdn.clone(),
                    status: c.status.as_str(),
                    topic: topic.to_owned(),
                    up_time: c.up_time,
                    subscribe_time: c.subscribe_time,
                    rebalance_time: c.rebalance_time,
                    parameters: c.settings.parameters(),
                });
            }
        }
        rows
    }

    /// SHOW SUBSCRIPTIONS rows, by topic, group and vgroup.
    pub fn subscription_rows(&self) -> Vec<SubscriptionRow> {
        let now = self.now_ms();
        let mut state = self.lock();
        self.expire(&mut state, now);
        let mut owners: BTreeMap<(String, String, i32), ConsumerId> = BTreeMap::new();
        for (id, c) in &state.consumers {
            for (t, vg) in c.assignment.keys() {
                owners.insert((t.clone(), c.settings.group_id.clone(), *vg), *id);
            }
        }
        let mut pairs: Vec<(&String, &String, &Group)> = state
            .groups
            .iter()
            .flat_map(|(g, group)| group.topics.iter().map(move |t| (t, g, group)))
            .collect();
        pairs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let mut rows = Vec::new();
        for (topic, group_name, group) in pairs {
            let Some(def) = state.topics.get(topic) else {
                continue;
            };
            for vg in self.wal.vgroups(&def.db).unwrap_or_default() {
                let key = (topic.clone(), vg);
                let owner = owners
                    .get(&(topic.clone(), group_name.clone(), vg))
                    .copied();
                let consumer = owner.and_then(|id| state.consumers.get(&id));
                rows.push(SubscriptionRow {
                    topic_name: topic.clone(),
                    consumer_group: group_name.clone(),
                    vgroup_id: vg,
                    consumer_id: owner,
                    user: consumer
                        .map(|c| c.settings.user.clone())
                        .unwrap_or_default(),
                    fqdn: consumer
                        .map(|c| c.settings.fqdn.clone())
                        .unwrap_or_default(),
                    offset: group
                        .committed
                        .get(&key)
                        .map(|o| format!("log:{o}"))
                        .unwrap_or_default(),
                    rows: group.delivered_rows.get(&key).copied().unwrap_or(0),
                });
            }
        }
        rows
    }
}

#[derive(Debug, Default)]
struct Scan {
    next_position: Option<i64>,
    message: Option<TmqMessage>,
}
