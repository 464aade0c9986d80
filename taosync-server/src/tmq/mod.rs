//! TMQ (data subscription) for the embedded server, independent of sockets and of the
//! SQL engine's internals (02 §3, 03 §1.1.12).
//!
//! * [`Broker`]: topics, consumer groups, committed offsets, vgroup assignment with
//!   deterministic rebalancing, polling with at-least-once delivery, SHOW CONSUMERS /
//!   SHOW SUBSCRIPTIONS rows. Its module docs describe the model.
//! * [`WalSource`]: how the broker reads data — the per-vgroup write-ahead logs the engine
//!   provides; [`MemoryWal`] is an in-memory implementation.
//! * [`TopicDef`] / [`TopicKind`] / [`RowProjector`]: what a topic reads and how query
//!   topics shape rows.
//! * [`ConsumerSettings`]: a consumer's configuration, derived from `subscribe` args as
//!   taosAdapter does.
//! * [`Clock`]: injected time ([`SystemClock`], [`ManualClock`] for tests).
//! * [`TmqSession`]: the per-socket `/rest/tmq` state machine (message ids, cached
//!   message, fetch cursor, replay guard) that turns requests into replies.
//!
//! # Plugging it in
//!
//! Engine (one `Arc<Broker>` and one `Arc<MemoryWal>` per engine):
//!
//! * `CREATE DATABASE`: `wal.create_db(db, precision, &vgroup_ids)` (ids as
//!   `Catalog::vgroup_of` numbers them); `DROP DATABASE`: refuse with 0x03ED while
//!   [`Broker::db_has_topics`], then `wal.drop_db(db)`.
//! * Every row write (`insert::write_rows`): `wal.append(db, vgroup_of(table),
//!   vec![WalBlock::child(..)])` (or [`WalBlock::normal`]), then [`Broker::notify_data`]
//!   once the engine's locks are released.
//! * `CREATE TOPIC`: build a [`TopicDef`] ([`TopicKind::Query`] with a [`RowProjector`]
//!   over the engine's expressions, [`TopicKind::Stable`] or [`TopicKind::Database`]) and
//!   call [`Broker::create_topic`]; `DROP TOPIC`: [`Broker::drop_topic`] first (it raises
//!   0x03EB), then forget the catalog entry; `DROP CONSUMER GROUP`:
//!   [`Broker::drop_consumer_group`].
//! * `SHOW CONSUMERS` / `SHOW SUBSCRIPTIONS`: [`Broker::consumer_rows`] /
//!   [`Broker::subscription_rows`] with [`consumer_columns`] / [`consumer_values`] and
//!   [`subscription_columns`] / [`subscription_values`].
//! * Never call the broker while holding a lock that a [`WalSource`] implementation takes.
//!
//! Network layer (`/rest/tmq`): one [`TmqSession`] per socket
//! (`TmqSession::new(broker, version).with_authenticator(..).with_peer(addr)`); feed text
//! frames to [`TmqSession::handle_text`] and send the returned frames in order; call
//! [`TmqSession::heartbeat`] every few seconds while the socket is open and
//! [`TmqSession::close`] when it ends. `poll` blocks inside `handle_text` for up to its
//! `blocking_time`; the single-slot poll queue (a newer poll replaces a waiting one, which
//! gets no reply) is the network layer's.

pub mod broker;
pub mod clock;
pub mod error;
pub mod session;
pub mod settings;
pub mod system;
pub mod topic;
pub mod wal;

#[cfg(test)]
mod tests;

pub use broker::Broker;
pub use clock::SystemClock;
pub use error::{TmqError, TmqResult};
pub use session::{SessionReply, TmqSession};
pub use system::{consumer_values, subscription_values};
pub use topic::{RowProjector, TopicDef, TopicKind};
pub use wal::{MemoryWal, WalBlock, WalMeta};
