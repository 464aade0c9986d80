//! Row sources: FROM resolution into table snapshots, and the streaming (optionally
//! timestamp-merged) scan that applies filter, projection, offset and limit.

use std::sync::Arc;

use crate::engine::Session;
use crate::engine::ast::ObjName;
use crate::engine::catalog::TableKind;
use crate::engine::catalog::is_system_db;
use crate::engine::error::{EResult, EngineError};
use crate::engine::expr::{BExpr, Ctx, Scope, truthy};
use crate::engine::storage::{Chunk, SnapshotCursor, StoredRow};
use crate::engine::sys::system_table;
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

/// Where a result's rows come from.
pub(crate) enum RowSource {
    /// Materialised rows.
    Mem(std::vec::IntoIter<Vec<Value>>),
    /// A lazy table scan.
    Scan(Box<Scan>),
}

impl RowSource {
    pub(crate) fn next_row(&mut self) -> EResult<Option<Vec<Value>>> {
        match self {
            RowSource::Mem(it) => Ok(it.next()),
            RowSource::Scan(s) => s.next_row(),
        }
    }
}

/// One table's snapshot.
pub(crate) struct TableSrc {
    pub(super) tbname: String,
    pub(super) tags: Vec<Value>,
    pub(super) chunks: Vec<Arc<Chunk>>,
}

/// A resolved FROM: scope plus table snapshots.
pub(super) struct Source {
    pub(super) scope: Scope,
    pub(super) tables: Vec<TableSrc>,
    pub(super) is_stable: bool,
    pub(super) ts_slot: Option<usize>,
}

/// A streaming scan with filter, projection, offset and limit.
pub(crate) struct Scan {
    pub(super) tables: Vec<TableSrc>,
    pub(super) ti: usize,
    pub(super) cursor: Option<SnapshotCursor>,
    /// K-way merge by timestamp across tables (ORDER BY ts on a supertable).
    pub(super) merge: Option<Merge>,
    pub(super) filter: Option<BExpr>,
    pub(super) items: Vec<BExpr>,
    pub(super) skip: u64,
    pub(super) remaining: Option<u64>,
    pub(super) lo: i64,
    pub(super) hi: i64,
    pub(super) desc: bool,
    pub(super) precision: Precision,
}

/// Merge state: one cursor and one pending row per table, a heap of the pending rows.
pub(super) struct Merge {
    cursors: Vec<SnapshotCursor>,
    heads: Vec<Option<(Arc<Chunk>, usize)>>,
    heap: std::collections::BinaryHeap<(i128, std::cmp::Reverse<usize>)>,
}

impl Merge {
    pub(super) fn new(tables: &[TableSrc], lo: i64, hi: i64, desc: bool) -> Merge {
        let mut m = Merge {
            cursors: tables
                .iter()
                .map(|t| SnapshotCursor::new(t.chunks.clone(), lo, hi, desc))
                .collect(),
            heads: vec![None; tables.len()],
            heap: std::collections::BinaryHeap::with_capacity(tables.len()),
        };
        for ti in 0..tables.len() {
            m.advance(ti, desc);
        }
        m
    }

    fn advance(&mut self, ti: usize, desc: bool) {
        let next = self.cursors[ti].next_row().map(|(c, i)| (Arc::clone(c), i));
        if let Some((c, i)) = &next {
            let ts = i128::from(c.rows[*i].ts);
            self.heap
                .push((if desc { ts } else { -ts }, std::cmp::Reverse(ti)));
        }
        self.heads[ti] = next;
    }

    fn next(&mut self, desc: bool) -> Option<(usize, Arc<Chunk>, usize)> {
        let (_, std::cmp::Reverse(ti)) = self.heap.pop()?;
        let (c, i) = self.heads[ti].take()?;
        self.advance(ti, desc);
        Some((ti, c, i))
    }
}

impl Scan {
    /// The next stored row in output order: table index, chunk, row index.
    fn next_raw(&mut self) -> Option<(usize, Arc<Chunk>, usize)> {
        if let Some(m) = &mut self.merge {
            return m.next(self.desc);
        }
        loop {
            if self.cursor.is_none() {
                let t = self.tables.get(self.ti)?;
                self.cursor = Some(SnapshotCursor::new(
                    t.chunks.clone(),
                    self.lo,
                    self.hi,
                    self.desc,
                ));
            }
            let cur = self.cursor.as_mut()?;
            match cur.next_row() {
                Some((c, i)) => return Some((self.ti, Arc::clone(c), i)),
                None => {
                    self.cursor = None;
                    self.ti += 1;
                }
            }
        }
    }

    fn next_row(&mut self) -> EResult<Option<Vec<Value>>> {
        loop {
            if self.remaining == Some(0) {
                return Ok(None);
            }
            let Some((ti, chunk, i)) = self.next_raw() else {
                return Ok(None);
            };
            let t = &self.tables[ti];
            let row = &chunk.rows[i];
            let ctx = Ctx {
                row: Some(row),
                tags: &t.tags,
                tbname: &t.tbname,
                aggs: &[],
                window: (0, 0),
                precision: self.precision,
            };
            if let Some(f) = &self.filter
                && !truthy(&f.eval(&ctx)?)
            {
                continue;
            }
            if self.skip > 0 {
                self.skip -= 1;
                continue;
            }
            let mut out = Vec::with_capacity(self.items.len());
            for it in &self.items {
                out.push(it.eval(&ctx)?);
            }
            if let Some(r) = &mut self.remaining {
                *r -= 1;
            }
            return Ok(Some(out));
        }
    }
}

pub(super) fn base_scope(s: &Session, precision: Precision, now_ns: i64) -> Scope {
    Scope {
        columns: Vec::new(),
        tags: Vec::new(),
        has_tbname: false,
        qualifiers: Vec::new(),
        precision,
        tz: s.tz,
        now: now_ns / (1_000_000_000 / precision.per_second()),
        db: s.db.clone(),
        user: s.user.clone(),
        version: s.engine.config.server_version.clone(),
        window: false,
    }
}

pub(super) fn resolve(
    s: &Session,
    name: &ObjName,
    alias: Option<&str>,
    now_ns: i64,
) -> EResult<Source> {
    let dbn = s.db_for(name.db.as_deref())?;
    let mut quals = vec![name.name.clone()];
    if let Some(a) = alias {
        quals.push(a.to_string());
    }
    if is_system_db(&dbn) {
        let (cols, rows) = system_table(s, &dbn, &name.name)?;
        let mut scope = base_scope(s, Precision::Millisecond, now_ns);
        scope.columns = cols;
        scope.qualifiers = quals;
        let stored: Vec<StoredRow> = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| StoredRow {
                ts: i as i64,
                vals: r.into_boxed_slice(),
            })
            .collect();
        return Ok(Source {
            scope,
            tables: vec![TableSrc {
                tbname: name.name.clone(),
                tags: Vec::new(),
                chunks: vec![Arc::new(Chunk { rows: stored })],
            }],
            is_stable: false,
            ts_slot: None,
        });
    }
    let cat = s.engine.read();
    let db = cat.dbs.get(&dbn).ok_or_else(EngineError::db_not_exist)?;
    let mut scope = base_scope(s, db.precision(), now_ns);
    scope.has_tbname = true;
    scope.qualifiers = quals;
    if let Some(st) = db.stables.get(&name.name) {
        scope.columns = st.schema.columns.clone();
        scope.tags = st.schema.tags.clone();
        let tables = db
            .children_of(&name.name)
            .into_iter()
            .map(|t| TableSrc {
                tbname: t.name.clone(),
                tags: match &t.kind {
                    TableKind::Child { tags, .. } => tags.clone(),
                    TableKind::Normal(_) => Vec::new(),
                },
                chunks: t.data.snapshot(),
            })
            .collect();
        let ts_slot = Some(st.schema.ts_slot());
        return Ok(Source {
            scope,
            tables,
            is_stable: true,
            ts_slot,
        });
    }
    let t = db
        .tables
        .get(&name.name)
        .ok_or_else(|| EngineError::table_not_exist(&name.name))?;
    let schema = db
        .schema_of(t)
        .ok_or_else(|| EngineError::table_not_exist(&name.name))?;
    scope.columns = schema.columns.clone();
    scope.tags = schema.tags.clone();
    let tags = match &t.kind {
        TableKind::Child { tags, .. } => tags.clone(),
        TableKind::Normal(_) => Vec::new(),
    };
    Ok(Source {
        scope,
        tables: vec![TableSrc {
            tbname: t.name.clone(),
            tags,
            chunks: t.data.snapshot(),
        }],
        is_stable: false,
        ts_slot: Some(schema.ts_slot()),
    })
}
