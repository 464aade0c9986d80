//! Row storage of one table: rows sorted by timestamp in bounded chunks behind `Arc`, so
//! a query snapshots a table by cloning a vector of `Arc`s and writers copy-on-write only
//! the chunk they touch.

use std::sync::Arc;

use taosync_proto::value::Value;

/// Rows per chunk before a chunk is split / a new one started.
#[cfg(not(test))]
const CHUNK: usize = 4096;
/// Tiny chunks in tests, so that splits and chunk boundaries are exercised.
#[cfg(test)]
const CHUNK: usize = 8;

/// One stored row: its primary timestamp and the values by column slot.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRow {
    /// Primary timestamp in database ticks.
    pub ts: i64,
    /// Values by column slot (the slot of the timestamp column holds the timestamp too).
    /// Slots past the end read as NULL (columns added later).
    pub vals: Box<[Value]>,
}

impl StoredRow {
    /// The value in `slot`, NULL when the row predates the column.
    pub fn get(&self, slot: usize) -> &Value {
        self.vals.get(slot).unwrap_or(&Value::Null)
    }
}

/// A sorted run of rows.
#[derive(Clone, Debug, Default)]
pub struct Chunk {
    /// Rows in ascending timestamp order, unique timestamps.
    pub rows: Vec<StoredRow>,
}

/// The data of one table.
#[derive(Clone, Debug, Default)]
pub struct TableData {
    chunks: Vec<Arc<Chunk>>,
    len: usize,
}

impl TableData {
    /// Number of rows.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// A consistent snapshot: the chunks at this instant.
    pub fn snapshot(&self) -> Vec<Arc<Chunk>> {
        self.chunks.clone()
    }

    /// Inserts `row`, replacing a row with the same timestamp. Returns true when the row
    /// is new.
    pub fn insert(&mut self, row: StoredRow) -> bool {
        let ts = row.ts;
        let Some(last) = self.chunks.last_mut() else {
            self.chunks.push(Arc::new(Chunk { rows: vec![row] }));
            self.len = 1;
            return true;
        };
        let last_ts = last.rows.last().map_or(i64::MIN, |r| r.ts);
        if ts > last_ts {
            if last.rows.len() >= CHUNK {
                let mut rows = Vec::with_capacity(CHUNK);
                rows.push(row);
                self.chunks.push(Arc::new(Chunk { rows }));
            } else {
                Arc::make_mut(last).rows.push(row);
            }
            self.len += 1;
            return true;
        }
        // Out of order: the first chunk whose last ts is >= ts.
        let ci = self
            .chunks
            .partition_point(|c| c.rows.last().map_or(i64::MIN, |r| r.ts) < ts);
        let ci = ci.min(self.chunks.len() - 1);
        let chunk = Arc::make_mut(&mut self.chunks[ci]);
        match chunk.rows.binary_search_by(|r| r.ts.cmp(&ts)) {
            Ok(i) => {
                chunk.rows[i] = row;
                false
            }
            Err(i) => {
                chunk.rows.insert(i, row);
                self.len += 1;
                if chunk.rows.len() > 2 * CHUNK {
                    let tail = chunk.rows.split_off(CHUNK);
                    self.chunks.insert(ci + 1, Arc::new(Chunk { rows: tail }));
                }
                true
            }
        }
    }

    /// Inserts `row`; when a row with its timestamp exists and `merge` lists slots, only
    /// those slots are overwritten (a partial-column re-insert keeps the other values, as
    /// TDengine 3.x does). Returns true when the row is new.
    pub fn upsert(&mut self, row: StoredRow, merge: Option<&[usize]>) -> bool {
        let Some(slots) = merge else {
            return self.insert(row);
        };
        let ts = row.ts;
        let ci = self
            .chunks
            .partition_point(|c| c.rows.last().map_or(i64::MIN, |r| r.ts) < ts);
        let found = self
            .chunks
            .get(ci)
            .and_then(|c| c.rows.binary_search_by(|r| r.ts.cmp(&ts)).ok());
        let Some(ri) = found else {
            return self.insert(row);
        };
        let existing = &mut Arc::make_mut(&mut self.chunks[ci]).rows[ri];
        let width = existing.vals.len().max(row.vals.len());
        let mut vals = std::mem::take(&mut existing.vals).into_vec();
        vals.resize(width, Value::Null);
        for &slot in slots {
            if let (Some(dst), Some(src)) = (vals.get_mut(slot), row.vals.get(slot)) {
                *dst = src.clone();
            }
        }
        existing.vals = vals.into_boxed_slice();
        false
    }

    /// Removes the rows for which `pred` holds; returns how many were removed.
    pub fn delete_where(&mut self, mut pred: impl FnMut(&StoredRow) -> bool) -> usize {
        let mut removed = 0;
        for c in &mut self.chunks {
            if !c.rows.iter().any(&mut pred) {
                continue;
            }
            let chunk = Arc::make_mut(c);
            let before = chunk.rows.len();
            chunk.rows.retain(|r| !pred(r));
            removed += before - chunk.rows.len();
        }
        self.chunks.retain(|c| !c.rows.is_empty());
        self.len -= removed;
        removed
    }
}

/// An owned cursor over a snapshot in timestamp order, restricted to `[lo, hi]`, forwards
/// or backwards.
#[derive(Debug)]
pub struct SnapshotCursor {
    chunks: Vec<Arc<Chunk>>,
    ci: usize,
    ri: usize,
    lo: i64,
    hi: i64,
    desc: bool,
    done: bool,
}

impl SnapshotCursor {
    /// A cursor over `chunks` for timestamps in `[lo, hi]`.
    pub fn new(chunks: Vec<Arc<Chunk>>, lo: i64, hi: i64, desc: bool) -> SnapshotCursor {
        let mut c = SnapshotCursor {
            chunks,
            ci: 0,
            ri: 0,
            lo,
            hi,
            desc,
            done: lo > hi,
        };
        if c.chunks.is_empty() {
            c.done = true;
            return c;
        }
        if desc {
            // Last chunk whose first ts <= hi.
            let n = c
                .chunks
                .partition_point(|ch| ch.rows.first().is_some_and(|r| r.ts <= hi));
            if n == 0 {
                c.done = true;
            } else {
                c.ci = n - 1;
                let rows = &c.chunks[c.ci].rows;
                let p = rows.partition_point(|r| r.ts <= hi);
                if p == 0 {
                    c.done = true;
                } else {
                    c.ri = p - 1;
                }
            }
        } else {
            let ci = c
                .chunks
                .partition_point(|ch| ch.rows.last().is_some_and(|r| r.ts < lo));
            if ci >= c.chunks.len() {
                c.done = true;
            } else {
                c.ci = ci;
                c.ri = c.chunks[ci].rows.partition_point(|r| r.ts < lo);
            }
        }
        c
    }

    /// The next row, or `None` at the end.
    pub fn next_row(&mut self) -> Option<(&Arc<Chunk>, usize)> {
        if self.done {
            return None;
        }
        loop {
            let chunk = self.chunks.get(self.ci)?;
            if self.desc {
                let row = chunk.rows.get(self.ri)?;
                if row.ts < self.lo {
                    self.done = true;
                    return None;
                }
                let (ci, ri) = (self.ci, self.ri);
                if self.ri == 0 {
                    if self.ci == 0 {
                        self.done = true;
                    } else {
                        self.ci -= 1;
                        self.ri = self.chunks[self.ci].rows.len().saturating_sub(1);
                    }
                } else {
                    self.ri -= 1;
                }
                return Some((&self.chunks[ci], ri));
            }
            if self.ri >= chunk.rows.len() {
                self.ci += 1;
                self.ri = 0;
                if self.ci >= self.chunks.len() {
                    self.done = true;
                    return None;
                }
                continue;
            }
            let row = &chunk.rows[self.ri];
            if row.ts > self.hi {
                self.done = true;
                return None;
            }
            let (ci, ri) = (self.ci, self.ri);
            self.ri += 1;
            return Some((&self.chunks[ci], ri));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ts: i64, v: i32) -> StoredRow {
        StoredRow {
            ts,
            vals: vec![Value::BigInt(ts), Value::Int(v)].into(),
        }
    }

    fn collect(d: &TableData, lo: i64, hi: i64, desc: bool) -> Vec<i64> {
        let mut c = SnapshotCursor::new(d.snapshot(), lo, hi, desc);
        let mut out = Vec::new();
        while let Some((ch, i)) = c.next_row() {
            out.push(ch.rows[i].ts);
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, .. Default::default() })]

        /// The chunked store behaves like an ordered map under random inserts, overwrites,
        /// deletes and range scans in both directions.
        #[test]
        fn behaves_like_an_ordered_map(
            ops in proptest::collection::vec((0u8..10, -50i64..12_000, -60i64..12_000), 1..400)
        ) {
            let mut d = TableData::default();
            let mut model = std::collections::BTreeMap::new();
            for (op, a, b) in ops {
                match op {
                    0 => {
                        let (lo, hi) = (a.min(b), a.max(b));
                        let removed = d.delete_where(|r| (lo..=hi).contains(&r.ts));
                        let before = model.len();
                        model.retain(|k, _| !(lo..=hi).contains(k));
                        proptest::prop_assert_eq!(removed, before - model.len());
                    }
                    1..=2 => {
                        let (lo, hi) = (a.min(b), a.max(b));
                        let want: Vec<i64> = model.range(lo..=hi).map(|(k, _)| *k).collect();
                        proptest::prop_assert_eq!(collect(&d, lo, hi, false), want.clone());
                        let rev: Vec<i64> = want.into_iter().rev().collect();
                        proptest::prop_assert_eq!(collect(&d, lo, hi, true), rev);
                    }
                    _ => {
                        // Mostly appends (as real inserts are), some out of order.
                        let ts = if op < 8 { model.keys().next_back().map_or(a, |k| k + 1 + a.rem_euclid(3)) } else { a };
                        let fresh = d.insert(row(ts, b as i32));
                        proptest::prop_assert_eq!(fresh, model.insert(ts, b).is_none());
                    }
                }
                proptest::prop_assert_eq!(d.len(), model.len());
            }
            let all: Vec<i64> = model.keys().copied().collect();
            proptest::prop_assert_eq!(collect(&d, i64::MIN, i64::MAX, false), all);
        }
    }

    #[test]
    fn sorted_with_overwrite_and_splits() {
        let mut d = TableData::default();
        for ts in (0..20_000).rev() {
            assert!(d.insert(row(ts * 2, 1)));
        }
        assert!(!d.insert(row(100, 7)));
        assert!(d.insert(row(101, 7)));
        assert_eq!(d.len(), 20_001);
        let all = collect(&d, i64::MIN, i64::MAX, false);
        assert_eq!(all.len(), 20_001);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(collect(&d, 99, 104, false), vec![100, 101, 102, 104]);
        assert_eq!(collect(&d, 99, 104, true), vec![104, 102, 101, 100]);
        assert_eq!(collect(&d, 5, 4, false), Vec::<i64>::new());
        let snap = d.snapshot();
        assert_eq!(d.delete_where(|r| r.ts < 1000), 501);
        assert_eq!(snap.iter().map(|c| c.rows.len()).sum::<usize>(), 20_001);
        assert_eq!(d.len(), 19_500);
        assert_eq!(collect(&d, i64::MIN, i64::MAX, true).len(), 19_500);
    }
}
