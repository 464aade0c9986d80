//! The values a [`Consumer`] hands out: [`Message`], [`MessageBlock`], offsets and
//! assignments, and the [`Messages`] iterator.

use std::sync::Arc;
use std::time::Duration;

use crate::cursor::ColumnDescription;
use crate::error::Result;
use crate::proto::tmq::{
    MESSAGE_TYPE_DATA, MESSAGE_TYPE_META, MESSAGE_TYPE_META_DATA, MESSAGE_TYPE_RAW_DATA,
};
use crate::row::{Column, FromRow, Row};
use crate::types::Precision;

use super::{Assignment, Consumer};

/// The kind of a [`Message`] (`message_type` of the poll reply, 02 §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageType {
    /// Rows.
    Data,
    /// Table DDL only ([`Message::meta`]).
    Meta,
    /// DDL and rows.
    MetaData,
    /// Raw data (`msg.consume.rawdata`), read as rows.
    RawData,
}

impl MessageType {
    pub(super) fn from_code(code: i32) -> Option<MessageType> {
        match code {
            MESSAGE_TYPE_DATA => Some(MessageType::Data),
            MESSAGE_TYPE_META => Some(MessageType::Meta),
            MESSAGE_TYPE_META_DATA => Some(MessageType::MetaData),
            MESSAGE_TYPE_RAW_DATA => Some(MessageType::RawData),
            _ => None,
        }
    }

    pub(super) fn has_data(self) -> bool {
        !matches!(self, MessageType::Meta)
    }

    pub(super) fn has_meta(self) -> bool {
        matches!(self, MessageType::Meta | MessageType::MetaData)
    }
}

/// One (topic, vgroup) offset: what [`Consumer::commit_offsets`] commits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TopicPartition {
    /// Topic.
    pub topic: String,
    /// Vgroup id (Python's `partition`).
    pub vgroup_id: i32,
    /// Offset (a WAL version of the vgroup).
    pub offset: i64,
}

impl TopicPartition {
    /// An offset of one vgroup of `topic`.
    pub fn new(topic: impl Into<String>, vgroup_id: i32, offset: i64) -> TopicPartition {
        TopicPartition {
            topic: topic.into(),
            vgroup_id,
            offset,
        }
    }
}

/// The vgroups of one topic assigned to the consumer ([`Consumer::assignment`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TopicAssignment {
    /// Topic.
    pub topic: String,
    /// Its assigned vgroups with position and WAL range.
    pub assignments: Vec<Assignment>,
}

/// The rows of one table inside a [`Message`].
///
/// Iterating a block (by reference or by value) yields its [`Row`]s.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageBlock {
    pub(super) table_name: String,
    pub(super) columns: Arc<[Column]>,
    pub(super) precision: Precision,
    pub(super) rows: Vec<Row>,
    /// The block as the server sent it (see [`raw_block`](Self::raw_block)).
    pub(super) raw: Vec<u8>,
}

impl MessageBlock {
    /// The block in TDengine's raw block layout, as the server sent it: what
    /// [`Connection::write_raw_block`](crate::Connection::write_raw_block) writes into a
    /// table elsewhere.
    pub fn raw_block(&self) -> &[u8] {
        &self.raw
    }

    /// The table the rows belong to (`""` when the server did not say, e.g. some query
    /// topics).
    pub fn table_name(&self) -> &str {
        &self.table_name
    }

    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The columns as PEP 249 descriptions (like [`Cursor::description`](crate::Cursor::description)).
    pub fn description(&self) -> Vec<ColumnDescription> {
        self.columns
            .iter()
            .map(ColumnDescription::from_column)
            .collect()
    }

    /// The timestamp precision of the rows.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.rows.len()
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.columns.len()
    }

    /// The rows.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The rows, owned.
    pub fn into_rows(self) -> Vec<Row> {
        self.rows
    }

    /// Every row converted with [`FromRow`] (a tuple, `Vec<Value>`, or your own type).
    pub fn typed<T: FromRow>(&self) -> Result<Vec<T>> {
        self.rows.iter().map(Row::to_typed).collect()
    }
}

impl IntoIterator for MessageBlock {
    type Item = Row;
    type IntoIter = std::vec::IntoIter<Row>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

impl<'a> IntoIterator for &'a MessageBlock {
    type Item = &'a Row;
    type IntoIter = std::slice::Iter<'a, Row>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

/// One polled message: data of one topic and one vgroup, as blocks of one table each.
///
/// Iterating a message yields its [`MessageBlock`]s; [`rows`](Self::rows) flattens them
/// into `(table name, row)` pairs.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub(super) consumer_id: u64,
    /// The consumer's socket it was polled on (see `Inner::generation`).
    pub(super) generation: u64,
    pub(super) message_id: u64,
    pub(super) topic: String,
    pub(super) database: String,
    pub(super) vgroup_id: i32,
    pub(super) offset: i64,
    pub(super) message_type: MessageType,
    pub(super) blocks: Vec<MessageBlock>,
    pub(super) meta: Option<serde_json::Value>,
    pub(super) raw_meta: Option<RawMeta>,
}

/// The raw form of a meta message (`tmq_get_raw` of it): what
/// [`Connection::write_raw_meta`](crate::Connection::write_raw_meta) applies to another
/// database, byte for byte as the server produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawMeta {
    pub(super) raw_type: u16,
    pub(super) data: Vec<u8>,
}

impl RawMeta {
    /// A raw meta from its parts (`raw_type` and bytes of a `tmq_raw_data`), e.g. one
    /// stored earlier.
    ///
    /// ```
    /// let meta = taosync::tmq::RawMeta::new(0xffff, b"{}".to_vec());
    /// assert_eq!((meta.raw_type(), meta.data()), (0xffff, &b"{}"[..]));
    /// ```
    pub fn new(raw_type: u16, data: Vec<u8>) -> RawMeta {
        RawMeta { raw_type, data }
    }

    /// The raw type (`raw_type` of `tmq_raw_data`).
    pub fn raw_type(&self) -> u16 {
        self.raw_type
    }

    /// The raw bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

impl Message {
    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The database the data comes from.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The vgroup (Python's `partition` / `vgroup()`).
    pub fn vgroup_id(&self) -> i32 {
        self.vgroup_id
    }

    /// The WAL version of the vgroup the message starts at (negative for snapshot data).
    pub fn offset(&self) -> i64 {
        self.offset
    }

    /// The per-socket message id the server assigned.
    pub fn message_id(&self) -> u64 {
        self.message_id
    }

    /// What the message carries.
    pub fn message_type(&self) -> MessageType {
        self.message_type
    }

    /// The data blocks (empty for a meta-only message).
    pub fn blocks(&self) -> &[MessageBlock] {
        &self.blocks
    }

    /// The blocks, owned.
    pub fn into_blocks(self) -> Vec<MessageBlock> {
        self.blocks
    }

    /// The DDL JSON of a meta message (02 §3.5.4), `None` for data messages.
    pub fn meta(&self) -> Option<&serde_json::Value> {
        self.meta.as_ref()
    }

    /// The raw form of a meta message, `None` for data messages: replay it elsewhere with
    /// [`Connection::write_raw_meta`](crate::Connection::write_raw_meta).
    pub fn raw_meta(&self) -> Option<&RawMeta> {
        self.raw_meta.as_ref()
    }

    /// The total number of rows over all blocks.
    pub fn num_rows(&self) -> usize {
        self.blocks.iter().map(MessageBlock::nrows).sum()
    }

    /// Every row with the name of its table, block after block.
    pub fn rows(&self) -> impl Iterator<Item = (&str, &Row)> + '_ {
        self.blocks
            .iter()
            .flat_map(|b| b.rows.iter().map(move |r| (b.table_name.as_str(), r)))
    }

    /// Every row converted with [`FromRow`], block after block.
    pub fn typed<T: FromRow>(&self) -> Result<Vec<T>> {
        self.rows().map(|(_, r)| r.to_typed()).collect()
    }
}

impl IntoIterator for Message {
    type Item = MessageBlock;
    type IntoIter = std::vec::IntoIter<MessageBlock>;
    fn into_iter(self) -> Self::IntoIter {
        self.blocks.into_iter()
    }
}

impl<'a> IntoIterator for &'a Message {
    type Item = &'a MessageBlock;
    type IntoIter = std::slice::Iter<'a, MessageBlock>;
    fn into_iter(self) -> Self::IntoIter {
        self.blocks.iter()
    }
}

/// The iterator of [`Consumer::iter`].
#[derive(Debug)]
pub struct Messages<'a> {
    pub(super) consumer: &'a Consumer,
    pub(super) idle_timeout: Duration,
    pub(super) done: bool,
}

impl Iterator for Messages<'_> {
    type Item = Result<Message>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.consumer.poll(self.idle_timeout) {
            Ok(Some(m)) => Some(Ok(m)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
