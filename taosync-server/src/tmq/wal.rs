//! The write-ahead-log abstraction the broker reads topics from, and an in-memory
//! implementation.
//!
//! A database has one or more vgroups; each vgroup has a WAL whose entries carry
//! increasing versions (one per write request, 02 §3.6). The engine implements
//! [`WalSource`] over its storage (or appends to a [`MemoryWal`] from its single write
//! path); the broker only reads.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::error::{TmqError, TmqResult};
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

/// The rows one write request put into one table.
#[derive(Clone, Debug, PartialEq)]
pub struct WalBlock {
    /// The table written.
    pub table: String,
    /// Its supertable, for child tables.
    pub stable: Option<String>,
    /// The table's data columns at write time.
    pub columns: Arc<[Column]>,
    /// The table's tag columns (empty for normal tables).
    pub tag_columns: Arc<[Column]>,
    /// The table's tag values, as long as `tag_columns`.
    pub tag_values: Arc<[Value]>,
    /// The rows written, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
}

impl WalBlock {
    /// A block of a normal table (no supertable, no tags).
    pub fn normal(table: impl Into<String>, columns: Arc<[Column]>, rows: Vec<Vec<Value>>) -> Self {
        WalBlock {
            table: table.into(),
            stable: None,
            columns,
            tag_columns: Arc::from(Vec::new()),
            tag_values: Arc::from(Vec::new()),
            rows,
        }
    }

    /// A block of a child table of `stable` with its tags.
    pub fn child(
        table: impl Into<String>,
        stable: impl Into<String>,
        columns: Arc<[Column]>,
        tag_columns: Arc<[Column]>,
        tag_values: Arc<[Value]>,
        rows: Vec<Vec<Value>>,
    ) -> Self {
        WalBlock {
            table: table.into(),
            stable: Some(stable.into()),
            columns,
            tag_columns,
            tag_values,
            rows,
        }
    }
}

/// A table DDL or DELETE recorded in a vgroup's WAL, which topics created `WITH META`
/// deliver as a meta message (02 §3.5.4).
#[derive(Clone, Debug, PartialEq)]
pub struct WalMeta {
    /// The `tmq_get_json_meta` object, e.g. `{"type":"create","tableType":"super",…}`.
    pub json: serde_json::Value,
    /// The supertable the DDL concerns (the table itself, or a child's supertable).
    pub stable: Option<String>,
    /// A table creation (what `msg.enable.batchmeta` batches).
    pub is_create: bool,
}

/// One WAL entry: a version and the tables it wrote, or a DDL.
#[derive(Clone, Debug, PartialEq)]
pub struct WalEntry {
    /// The entry's version (strictly increasing within a vgroup).
    pub version: i64,
    /// The tables written, in request order.
    pub blocks: Vec<WalBlock>,
    /// The DDL of a meta entry (then `blocks` is empty).
    pub meta: Option<WalMeta>,
}

/// The retained range of a vgroup's WAL: versions `begin..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WalRange {
    /// First retained version.
    pub begin: i64,
    /// The version the next write will get.
    pub end: i64,
}

/// Read access to the per-vgroup WALs of the databases.
///
/// **Locking:** the broker calls these methods while holding its own state lock, so an
/// implementation must not call into the [`Broker`](super::Broker) and must not wait for
/// a lock held by a thread that is calling into the broker (for example the engine's
/// catalog write lock while it runs `DROP TOPIC`). A [`MemoryWal`] fed from the engine's
/// write path satisfies this.
pub trait WalSource: Send + Sync + std::fmt::Debug {
    /// The vgroup ids of `db`, ascending (empty or an error when `db` does not exist).
    fn vgroups(&self, db: &str) -> TmqResult<Vec<i32>>;
    /// The timestamp precision of `db`.
    fn precision(&self, db: &str) -> TmqResult<Precision>;
    /// The retained range of one vgroup.
    fn range(&self, db: &str, vgroup: i32) -> TmqResult<WalRange>;
    /// Up to `max_entries` entries of one vgroup with `version >= from`, ascending
    /// (entries below the retained `begin` are gone and skipped).
    fn read(
        &self,
        db: &str,
        vgroup: i32,
        from: i64,
        max_entries: usize,
    ) -> TmqResult<Vec<WalEntry>>;
}

#[derive(Debug, Default)]
struct VgroupLog {
    begin: i64,
    end: i64,
    entries: VecDeque<WalEntry>,
}

#[derive(Debug)]
struct DbLog {
    precision: Precision,
    vgroups: BTreeMap<i32, VgroupLog>,
}

/// The default number of entries a [`MemoryWal`] vgroup retains.
pub const DEFAULT_MAX_ENTRIES_PER_VGROUP: usize = 100_000;

/// An in-memory [`WalSource`]: databases with fixed vgroups, appended to by the writer.
///
/// Each vgroup retains at most `max_entries` entries (the oldest are dropped and `begin`
/// advances), so memory stays bounded like TDengine's WAL retention. It takes only its own
/// lock and never calls out, so the engine may append to it while holding its own locks.
#[derive(Debug)]
pub struct MemoryWal {
    dbs: Mutex<BTreeMap<String, DbLog>>,
    max_entries: usize,
}

impl Default for MemoryWal {
    fn default() -> Self {
        MemoryWal {
            dbs: Mutex::default(),
            max_entries: DEFAULT_MAX_ENTRIES_PER_VGROUP,
        }
    }
}

fn db_missing(db: &str) -> TmqError {
    TmqError::new(Code::MND_DB_NOT_EXIST, format!("Database not exist: {db}"))
}

fn vgroup_missing(vgroup: i32) -> TmqError {
    TmqError::new(Code::new(0x4008), format!("vgroup {vgroup} does not exist"))
}

impl MemoryWal {
    /// An empty WAL set retaining [`DEFAULT_MAX_ENTRIES_PER_VGROUP`] entries per vgroup.
    #[cfg(test)]
    pub fn new() -> MemoryWal {
        MemoryWal::default()
    }

    /// The same WAL set retaining at most `max_entries` (at least 1) entries per vgroup.
    #[cfg(test)]
    pub fn with_max_entries(mut self, max_entries: usize) -> MemoryWal {
        self.max_entries = max_entries.max(1);
        self
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, DbLog>> {
        self.dbs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers `db` with `vgroups` (ids), each WAL starting at version 0. Re-creating an
    /// existing database replaces it.
    pub fn create_db(&self, db: &str, precision: Precision, vgroups: &[i32]) {
        let log = DbLog {
            precision,
            vgroups: vgroups.iter().map(|v| (*v, VgroupLog::default())).collect(),
        };
        self.lock().insert(db.to_owned(), log);
    }

    /// Forgets `db`.
    pub fn drop_db(&self, db: &str) {
        self.lock().remove(db);
    }

    /// Appends one entry with `blocks` to a vgroup and returns its version.
    pub fn append(&self, db: &str, vgroup: i32, blocks: Vec<WalBlock>) -> TmqResult<i64> {
        self.push(db, vgroup, blocks, None)
    }

    /// Appends one meta entry to a vgroup and returns its version.
    pub fn append_meta(&self, db: &str, vgroup: i32, meta: WalMeta) -> TmqResult<i64> {
        self.push(db, vgroup, Vec::new(), Some(meta))
    }

    fn push(
        &self,
        db: &str,
        vgroup: i32,
        blocks: Vec<WalBlock>,
        meta: Option<WalMeta>,
    ) -> TmqResult<i64> {
        let mut dbs = self.lock();
        let log = dbs.get_mut(db).ok_or_else(|| db_missing(db))?;
        let vg = log
            .vgroups
            .get_mut(&vgroup)
            .ok_or_else(|| vgroup_missing(vgroup))?;
        let version = vg.end;
        vg.entries.push_back(WalEntry {
            version,
            blocks,
            meta,
        });
        vg.end += 1;
        while vg.entries.len() > self.max_entries {
            vg.entries.pop_front();
        }
        if let Some(first) = vg.entries.front() {
            vg.begin = vg.begin.max(first.version);
        }
        Ok(version)
    }

    /// Drops the entries of a vgroup below `version` (WAL retention).
    #[cfg(test)]
    pub fn trim(&self, db: &str, vgroup: i32, version: i64) -> TmqResult<()> {
        let mut dbs = self.lock();
        let log = dbs.get_mut(db).ok_or_else(|| db_missing(db))?;
        let vg = log
            .vgroups
            .get_mut(&vgroup)
            .ok_or_else(|| vgroup_missing(vgroup))?;
        let version = version.min(vg.end);
        vg.entries.retain(|e| e.version >= version);
        vg.begin = vg.begin.max(version);
        Ok(())
    }
}

impl WalSource for MemoryWal {
    fn vgroups(&self, db: &str) -> TmqResult<Vec<i32>> {
        let dbs = self.lock();
        let log = dbs.get(db).ok_or_else(|| db_missing(db))?;
        Ok(log.vgroups.keys().copied().collect())
    }

    fn precision(&self, db: &str) -> TmqResult<Precision> {
        let dbs = self.lock();
        Ok(dbs.get(db).ok_or_else(|| db_missing(db))?.precision)
    }

    fn range(&self, db: &str, vgroup: i32) -> TmqResult<WalRange> {
        let dbs = self.lock();
        let log = dbs.get(db).ok_or_else(|| db_missing(db))?;
        let vg = log
            .vgroups
            .get(&vgroup)
            .ok_or_else(|| vgroup_missing(vgroup))?;
        Ok(WalRange {
            begin: vg.begin,
            end: vg.end,
        })
    }

    fn read(
        &self,
        db: &str,
        vgroup: i32,
        from: i64,
        max_entries: usize,
    ) -> TmqResult<Vec<WalEntry>> {
        let dbs = self.lock();
        let log = dbs.get(db).ok_or_else(|| db_missing(db))?;
        let vg = log
            .vgroups
            .get(&vgroup)
            .ok_or_else(|| vgroup_missing(vgroup))?;
        let start = vg.entries.partition_point(|e| e.version < from);
        Ok(vg
            .entries
            .range(start..)
            .take(max_entries)
            .cloned()
            .collect())
    }
}
