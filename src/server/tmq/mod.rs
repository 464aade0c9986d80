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

pub use broker::{
    Broker, ConsumerId, ConsumerRow, ConsumerStatus, DEFAULT_MAX_ROWS_PER_MESSAGE, SubscriptionRow,
    TmqMessage, VgroupAssignment,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{TmqError, TmqResult};
pub use session::{SessionReply, TmqSession};
pub use settings::ConsumerSettings;
pub use system::{consumer_columns, consumer_values, subscription_columns, subscription_values};
pub use topic::{MessageBlock, RowFilter, RowProjector, SelectColumns, TopicDef, TopicKind};
pub use wal::{MemoryWal, WalBlock, WalEntry, WalRange, WalSource};
