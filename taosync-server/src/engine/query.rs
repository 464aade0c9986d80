//! SELECT: plain scans stream block by block; aggregates, windows, ORDER BY on
//! non-timestamp keys and DISTINCT materialise.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::ast::{Expr, Fill, Lit, ObjName, Select};
use super::catalog::{Schema, TableKind};
use super::catalog::{db_mut, is_system_db};
use super::error::{EResult, EngineError, clip};
use super::expr::{AggCall, AggKind, BExpr, Binder, Ctx, Scope, as_f64, as_int, compare, truthy};
use super::storage::{Chunk, SnapshotCursor, StoredRow};
use super::sys::system_table;
use super::time::{duration_ticks, now_ticks};
use super::{QueryResult, Session};
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Type};
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
    tbname: String,
    tags: Vec<Value>,
    chunks: Vec<Arc<Chunk>>,
}

/// A resolved FROM: scope plus table snapshots.
struct Source {
    scope: Scope,
    tables: Vec<TableSrc>,
    is_stable: bool,
    ts_slot: Option<usize>,
}

/// A streaming scan with filter, projection, offset and limit.
pub(crate) struct Scan {
    tables: Vec<TableSrc>,
    ti: usize,
    cursor: Option<SnapshotCursor>,
    /// K-way merge by timestamp across tables (ORDER BY ts on a supertable).
    merge: Option<Merge>,
    filter: Option<BExpr>,
    items: Vec<BExpr>,
    skip: u64,
    remaining: Option<u64>,
    lo: i64,
    hi: i64,
    desc: bool,
    precision: Precision,
}

/// Merge state: one cursor and one pending row per table, a heap of the pending rows.
struct Merge {
    cursors: Vec<SnapshotCursor>,
    heads: Vec<Option<(Arc<Chunk>, usize)>>,
    heap: std::collections::BinaryHeap<(i128, std::cmp::Reverse<usize>)>,
}

impl Merge {
    fn new(tables: &[TableSrc], lo: i64, hi: i64, desc: bool) -> Merge {
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

fn base_scope(s: &Session, precision: Precision, now_ns: i64) -> Scope {
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

fn resolve(s: &Session, name: &ObjName, alias: Option<&str>, now_ns: i64) -> EResult<Source> {
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

/// One output column before execution.
struct OutCol {
    expr: BExpr,
    column: Column,
}

fn out_column(name: &str, spec: &super::ast::TypeSpec) -> Column {
    let length = if spec.ty == Type::Null {
        1
    } else {
        spec.length
    };
    Column::new(clip(name, 64), spec.ty, length).with_decimal(spec.precision, spec.scale)
}

fn expand_items(
    sel: &Select,
    src: Option<&Source>,
    binder: &mut Binder<'_>,
) -> EResult<Vec<OutCol>> {
    let mut out = Vec::new();
    for item in &sel.items {
        if let (
            Expr::Func {
                name, star: true, ..
            },
            Some(src),
        ) = (&item.expr, src)
            && matches!(name.as_str(), "first" | "last" | "last_row")
        {
            for c in &src.scope.columns {
                let call = Expr::Func {
                    name: name.clone(),
                    args: vec![Expr::Column {
                        qualifier: None,
                        name: c.name.clone(),
                    }],
                    star: false,
                };
                let (b, spec) = binder.bind(&call)?;
                out.push(OutCol {
                    column: out_column(&format!("{name}({})", c.name), &spec),
                    expr: b,
                });
            }
            continue;
        }
        if let Expr::Column { name, qualifier } = &item.expr
            && name == "*"
        {
            let Some(src) = src else {
                return Err(EngineError::syntax_near("*"));
            };
            if let Some(q) = qualifier
                && !src.scope.qualifiers.iter().any(|x| x == q)
            {
                return Err(EngineError::invalid_column(&format!("{q}.*")));
            }
            for c in &src.scope.columns {
                out.push(OutCol {
                    expr: BExpr::Col(c.slot),
                    column: c.column(),
                });
            }
            if src.is_stable {
                for (i, c) in src.scope.tags.iter().enumerate() {
                    out.push(OutCol {
                        expr: BExpr::Tag(i),
                        column: c.column(),
                    });
                }
            }
            continue;
        }
        let (b, spec) = binder.bind(&item.expr)?;
        let name = match (&item.alias, &item.expr) {
            (Some(a), _) => a.clone(),
            (None, Expr::Column { name, .. }) => {
                let sc = binder.scope;
                sc.columns
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(name))
                    .or_else(|| sc.tags.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
                    .map_or_else(|| name.to_ascii_lowercase(), |c| c.name.clone())
            }
            (None, _) => item.text.clone(),
        };
        out.push(OutCol {
            column: out_column(&name, &spec),
            expr: b,
        });
    }
    Ok(out)
}

/// Whether `b` reads row data outside aggregates.
fn refs_row(b: &BExpr) -> bool {
    match b {
        BExpr::Col(_) | BExpr::Tag(_) | BExpr::Tbname => true,
        _ => b.children().into_iter().any(refs_row),
    }
}

/// Whether `b` reads only tags, `tbname` and constants (so it is decided per table).
fn tag_only(b: &BExpr) -> bool {
    match b {
        BExpr::Tag(_) | BExpr::Tbname | BExpr::Const(_) => true,
        BExpr::Col(_) | BExpr::Agg(_) | BExpr::WStart | BExpr::WEnd | BExpr::WDuration => false,
        _ => b.children().into_iter().all(tag_only),
    }
}

/// The AND of the top-level conjuncts of `b` that only read tags / `tbname`.
fn table_filter(b: &BExpr) -> Option<BExpr> {
    match b {
        BExpr::And(x, y) => match (table_filter(x), table_filter(y)) {
            (Some(a), Some(c)) => Some(BExpr::And(Box::new(a), Box::new(c))),
            (a, c) => a.or(c),
        },
        other if tag_only(other) => Some(other.clone()),
        _ => None,
    }
}

/// Drops the tables a tag-only filter rejects.
fn prune_tables(
    tables: &mut Vec<TableSrc>,
    filter: Option<&BExpr>,
    precision: Precision,
) -> EResult<()> {
    let Some(tf) = filter.and_then(table_filter) else {
        return Ok(());
    };
    let mut keep = Vec::with_capacity(tables.len());
    for t in tables.drain(..) {
        let ctx = Ctx {
            row: None,
            tags: &t.tags,
            tbname: &t.tbname,
            aggs: &[],
            window: (0, 0),
            precision,
        };
        if truthy(&tf.eval(&ctx)?) {
            keep.push(t);
        }
    }
    *tables = keep;
    Ok(())
}

/// Whether `e` only reads row data through GROUP BY keys (or inside aggregates).
fn grouped_ok(e: &BExpr, keys: &[String]) -> bool {
    if !refs_row(e) || keys.contains(&format!("{e:?}")) {
        return true;
    }
    match e {
        BExpr::Col(_) | BExpr::Tag(_) | BExpr::Tbname => false,
        _ => e.children().into_iter().all(|x| grouped_ok(x, keys)),
    }
}

/// `[lo, hi]` bounds on the primary timestamp implied by top-level AND conjuncts.
fn ts_bounds(b: &BExpr, ts_slot: usize, lo: &mut i64, hi: &mut i64) {
    match b {
        BExpr::And(x, y) => {
            ts_bounds(x, ts_slot, lo, hi);
            ts_bounds(y, ts_slot, lo, hi);
        }
        BExpr::Cmp(op, a, c) => {
            let (op, v) = match (a.as_ref(), c.as_ref()) {
                (BExpr::Col(s), BExpr::Const(v)) if *s == ts_slot => (*op, v),
                (BExpr::Const(v), BExpr::Col(s)) if *s == ts_slot => (flip(*op), v),
                _ => return,
            };
            let Some(v) = as_int(v).and_then(|v| i64::try_from(v).ok()) else {
                return;
            };
            use super::ast::BinOp::*;
            match op {
                Gt => *lo = (*lo).max(v.saturating_add(1)),
                Ge => *lo = (*lo).max(v),
                Lt => *hi = (*hi).min(v.saturating_sub(1)),
                Le => *hi = (*hi).min(v),
                Eq => {
                    *lo = (*lo).max(v);
                    *hi = (*hi).min(v);
                }
                _ => {}
            }
        }
        _ => {}
    }
}

fn flip(op: super::ast::BinOp) -> super::ast::BinOp {
    use super::ast::BinOp::*;
    match op {
        Lt => Gt,
        Le => Ge,
        Gt => Lt,
        Ge => Le,
        o => o,
    }
}

fn check_limits(sel: &Select) -> EResult<(u64, Option<u64>)> {
    if (sel.slimit.is_some() || sel.soffset.is_some())
        && sel.partition_by.is_empty()
        && sel.group_by.is_empty()
    {
        return Err(EngineError::new(
            Code::new(0x2638),
            "slimit/soffset only available for PARTITION/GROUP BY query",
        ));
    }
    let offset = sel.offset.unwrap_or(0);
    if offset < 0 || sel.soffset.is_some_and(|o| o < 0) {
        return Err(EngineError::code(Code::PAR_OFFSET_LESS_ZERO));
    }
    let limit = match sel.limit {
        Some(l) if l < 0 => return Err(EngineError::syntax_near(&l.to_string())),
        Some(l) => Some(l as u64),
        None => None,
    };
    Ok((offset as u64, limit))
}

/// A sort key: output column index or a hidden expression.
enum SortKey {
    Out(usize),
    Hidden(usize),
}

/// Resolves ORDER BY items against the output columns, binding the rest.
fn order_keys(
    sel: &Select,
    outs: &[OutCol],
    binder: &mut Binder<'_>,
    hidden: &mut Vec<BExpr>,
) -> EResult<Vec<(SortKey, bool, bool)>> {
    let mut keys = Vec::new();
    for o in &sel.order_by {
        let nulls_first = o.nulls_first.unwrap_or(o.desc);
        let key = match &o.expr {
            Expr::Lit(Lit::Int(n)) => {
                let n: usize = n.parse().map_err(|_| EngineError::syntax_near(n))?;
                if n == 0 || n > outs.len() {
                    return Err(EngineError::new(
                        Code::PAR_SYNTAX_ERROR,
                        "syntax error near \"order by\" (Invalid position)",
                    ));
                }
                SortKey::Out(n - 1)
            }
            Expr::Column {
                qualifier: None,
                name,
            } if outs.iter().any(|c| c.column.name == *name)
                && binder.column(None, name).is_err() =>
            {
                SortKey::Out(
                    outs.iter()
                        .position(|c| c.column.name == *name)
                        .unwrap_or(0),
                )
            }
            e => {
                let text_match = sel.items.iter().position(|it| {
                    it.alias
                        .as_deref()
                        .is_some_and(|a| matches!(e, Expr::Column{name,..} if name == a))
                });
                if let Some(i) = text_match.filter(|i| *i < outs.len()) {
                    SortKey::Out(i)
                } else {
                    let (b, _) = binder.bind(e)?;
                    hidden.push(b);
                    SortKey::Hidden(hidden.len() - 1)
                }
            }
        };
        keys.push((key, o.desc, nulls_first));
    }
    Ok(keys)
}

fn cmp_keys(
    a: &(Vec<Value>, Vec<Value>),
    b: &(Vec<Value>, Vec<Value>),
    keys: &[(SortKey, bool, bool)],
) -> Ordering {
    for (k, desc, nulls_first) in keys {
        let (x, y) = match k {
            SortKey::Out(i) => (&a.0[*i], &b.0[*i]),
            SortKey::Hidden(i) => (&a.1[*i], &b.1[*i]),
        };
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if *nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if *nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            _ => {
                let o = compare(x, y).unwrap_or(Ordering::Equal);
                if *desc { o.reverse() } else { o }
            }
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn finish(
    columns: Vec<Column>,
    precision: Precision,
    mut rows: Vec<(Vec<Value>, Vec<Value>)>,
    keys: &[(SortKey, bool, bool)],
    distinct: bool,
    offset: u64,
    limit: Option<u64>,
) -> QueryResult {
    if distinct {
        let mut seen = HashSet::new();
        rows.retain(|r| seen.insert(format!("{:?}", r.0)));
    }
    if !keys.is_empty() {
        rows.sort_by(|a, b| cmp_keys(a, b, keys));
    }
    let it = rows.into_iter().map(|r| r.0).skip(offset as usize);
    let rows: Vec<Vec<Value>> = match limit {
        Some(l) => it.take(l as usize).collect(),
        None => it.collect(),
    };
    QueryResult::from_rows(columns, precision, rows)
}

/// Executes a SELECT.
pub(super) fn select(s: &Session, sel: &Select) -> EResult<QueryResult> {
    let now_ns = now_ticks(Precision::Nanosecond);
    let (offset, limit) = check_limits(sel)?;
    let Some(from) = &sel.from else {
        let scope = base_scope(s, Precision::Millisecond, now_ns);
        let mut binder = Binder::new(&scope, false);
        let outs = expand_items(sel, None, &mut binder)?;
        let ctx = Ctx::empty(Precision::Millisecond);
        let mut row = Vec::with_capacity(outs.len());
        for o in &outs {
            row.push(o.expr.eval(&ctx)?);
        }
        let columns = outs.into_iter().map(|o| o.column).collect();
        let rows = if offset > 0 || limit == Some(0) {
            Vec::new()
        } else {
            vec![row]
        };
        return Ok(QueryResult::from_rows(
            columns,
            Precision::Millisecond,
            rows,
        ));
    };
    let mut src = resolve(s, &from.name, from.alias.as_deref(), now_ns)?;
    src.scope.window = sel.interval.is_some();
    let scope = src.scope.clone();
    let precision = scope.precision;
    let mut binder = Binder::new(&scope, true);
    let outs = expand_items(sel, Some(&src), &mut binder)?;
    let filter = match &sel.where_ {
        Some(w) => {
            let mut wb = Binder::new(&scope, false);
            Some(wb.bind(w)?.0)
        }
        None => None,
    };
    let (mut lo, mut hi) = (i64::MIN, i64::MAX);
    if let (Some(f), Some(ts)) = (&filter, src.ts_slot) {
        ts_bounds(f, ts, &mut lo, &mut hi);
    }
    if src.is_stable {
        prune_tables(&mut src.tables, filter.as_ref(), precision)?;
    }
    let aggregate = !binder.aggs.is_empty() || !sel.group_by.is_empty() || sel.interval.is_some();
    if aggregate {
        return aggregate_query(sel, src, binder, outs, filter, (lo, hi), offset, limit);
    }
    {
        // PARTITION BY without aggregation only orders rows by partition (one table's
        // rows are contiguous already), but its expressions must still be valid.
        let mut pb = Binder::new(&scope, false);
        for p in &sel.partition_by {
            pb.bind(p)?;
        }
    }
    if sel.having.is_some() {
        return Err(EngineError::new(
            Code::PAR_SYNTAX_ERROR,
            "syntax error near \"having\" (HAVING requires aggregation)",
        ));
    }
    let mut hidden = Vec::new();
    let keys = order_keys(sel, &outs, &mut binder, &mut hidden)?;
    if !binder.aggs.is_empty() {
        return Err(EngineError::code(Code::PAR_NOT_SINGLE_GROUP));
    }
    // Streaming: no ORDER BY, or ORDER BY the primary timestamp of one table.
    let ts_order = match (keys.as_slice(), src.ts_slot) {
        ([], _) => Some(false),
        ([(k, desc, _)], Some(ts)) => {
            let is_ts = match k {
                SortKey::Out(i) => matches!(outs[*i].expr, BExpr::Col(s) if s == ts),
                SortKey::Hidden(i) => matches!(hidden[*i], BExpr::Col(s) if s == ts),
            };
            if is_ts { Some(*desc) } else { None }
        }
        _ => None,
    };
    let columns: Vec<Column> = outs.iter().map(|o| o.column.clone()).collect();
    if let (Some(desc), false) = (ts_order, sel.distinct) {
        let merge = (!keys.is_empty() && src.tables.len() > 1)
            .then(|| Merge::new(&src.tables, lo, hi, desc));
        let scan = Scan {
            tables: src.tables,
            ti: 0,
            cursor: None,
            merge,
            filter,
            items: outs.into_iter().map(|o| o.expr).collect(),
            skip: offset,
            remaining: limit,
            lo,
            hi,
            desc,
            precision,
        };
        return Ok(QueryResult {
            columns: columns.into(),
            precision,
            source: RowSource::Scan(Box::new(scan)),
        });
    }
    // Materialise, then sort.
    let mut rows = Vec::new();
    for t in &src.tables {
        let mut cur = SnapshotCursor::new(t.chunks.clone(), lo, hi, false);
        while let Some((chunk, i)) = cur.next_row() {
            let ctx = Ctx {
                row: Some(&chunk.rows[i]),
                tags: &t.tags,
                tbname: &t.tbname,
                aggs: &[],
                window: (0, 0),
                precision,
            };
            if let Some(f) = &filter
                && !truthy(&f.eval(&ctx)?)
            {
                continue;
            }
            let mut out = Vec::with_capacity(outs.len());
            for o in &outs {
                out.push(o.expr.eval(&ctx)?);
            }
            let mut hk = Vec::with_capacity(hidden.len());
            for h in &hidden {
                hk.push(h.eval(&ctx)?);
            }
            rows.push((out, hk));
        }
    }
    Ok(finish(
        columns,
        precision,
        rows,
        &keys,
        sel.distinct,
        offset,
        limit,
    ))
}

/// Running state of one aggregate.
#[derive(Clone, Debug)]
enum AggState {
    Count(i64),
    Sum { int: i128, float: f64, any: bool },
    Avg { sum: f64, n: u64 },
    MinMax { v: Value, max: bool },
    First { ts: i64, v: Value },
    Last { ts: i64, v: Value },
    LastRow { ts: i64, v: Value },
    Spread { min: f64, max: f64, any: bool },
    Stddev { n: u64, sum: f64, sumsq: f64 },
}

impl AggState {
    fn new(kind: AggKind) -> AggState {
        match kind {
            AggKind::Count => AggState::Count(0),
            AggKind::Sum => AggState::Sum {
                int: 0,
                float: 0.0,
                any: false,
            },
            AggKind::Avg => AggState::Avg { sum: 0.0, n: 0 },
            AggKind::Min => AggState::MinMax {
                v: Value::Null,
                max: false,
            },
            AggKind::Max => AggState::MinMax {
                v: Value::Null,
                max: true,
            },
            AggKind::First => AggState::First {
                ts: i64::MAX,
                v: Value::Null,
            },
            AggKind::Last => AggState::Last {
                ts: i64::MIN,
                v: Value::Null,
            },
            AggKind::LastRow => AggState::LastRow {
                ts: i64::MIN,
                v: Value::Null,
            },
            AggKind::Spread => AggState::Spread {
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
                any: false,
            },
            AggKind::Stddev => AggState::Stddev {
                n: 0,
                sum: 0.0,
                sumsq: 0.0,
            },
        }
    }

    fn update(&mut self, v: Value, ts: i64, count_all: bool) {
        match self {
            AggState::Count(n) => {
                if count_all || !v.is_null() {
                    *n += 1;
                }
            }
            AggState::LastRow { ts: t, v: cur } => {
                if ts >= *t {
                    *t = ts;
                    *cur = v;
                }
            }
            _ if v.is_null() => {}
            AggState::Sum { int, float, any } => {
                *any = true;
                match (&v, as_int(&v)) {
                    (Value::Float(_) | Value::Double(_) | Value::Decimal(_), _) | (_, None) => {
                        *float += as_f64(&v).unwrap_or(0.0)
                    }
                    (_, Some(i)) => *int = int.saturating_add(i),
                }
            }
            AggState::Avg { sum, n } => {
                if let Some(f) = as_f64(&v) {
                    *sum += f;
                    *n += 1;
                }
            }
            AggState::MinMax { v: cur, max } => {
                let better = cur.is_null()
                    || match compare(&v, cur) {
                        Some(Ordering::Greater) => *max,
                        Some(Ordering::Less) => !*max,
                        _ => false,
                    };
                if better {
                    *cur = v;
                }
            }
            AggState::First { ts: t, v: cur } => {
                if ts < *t {
                    *t = ts;
                    *cur = v;
                }
            }
            AggState::Last { ts: t, v: cur } => {
                if ts >= *t {
                    *t = ts;
                    *cur = v;
                }
            }
            AggState::Spread { min, max, any } => {
                if let Some(f) = as_f64(&v) {
                    *any = true;
                    *min = min.min(f);
                    *max = max.max(f);
                }
            }
            AggState::Stddev { n, sum, sumsq } => {
                if let Some(f) = as_f64(&v) {
                    *n += 1;
                    *sum += f;
                    *sumsq += f * f;
                }
            }
        }
    }

    fn finish(&self, out_ty: Type) -> Value {
        match self {
            AggState::Count(n) => Value::BigInt(*n),
            AggState::Sum { int, float, any } => {
                if !*any {
                    return Value::Null;
                }
                match out_ty {
                    Type::Double => Value::Double(*float + *int as f64),
                    Type::UBigInt => Value::UBigInt(u64::try_from(*int).unwrap_or(u64::MAX)),
                    _ => Value::BigInt(i64::try_from(*int).unwrap_or(if *int < 0 {
                        i64::MIN
                    } else {
                        i64::MAX
                    })),
                }
            }
            AggState::Avg { sum, n } => {
                if *n == 0 {
                    Value::Null
                } else {
                    Value::Double(*sum / *n as f64)
                }
            }
            AggState::MinMax { v, .. }
            | AggState::First { v, .. }
            | AggState::Last { v, .. }
            | AggState::LastRow { v, .. } => v.clone(),
            AggState::Spread { min, max, any } => {
                if *any {
                    Value::Double(max - min)
                } else {
                    Value::Null
                }
            }
            AggState::Stddev { n, sum, sumsq } => {
                if *n == 0 {
                    Value::Null
                } else {
                    let nf = *n as f64;
                    let mean = sum / nf;
                    Value::Double((sumsq / nf - mean * mean).max(0.0).sqrt())
                }
            }
        }
    }
}

/// INTERVAL geometry: fixed-length windows aligned to the epoch (plus offset), or natural
/// months / years (`n`, `y`) aligned to calendar months in the session zone.
#[derive(Clone, Copy, Debug)]
enum Windows {
    Fixed {
        len: i64,
        sliding: i64,
        off: i64,
    },
    Months {
        len: i64,
        sliding: i64,
        tz: chrono_tz::Tz,
        precision: Precision,
    },
}

/// Most windows one query may produce through FILL.
const MAX_FILL_WINDOWS: usize = 1_000_000;

impl Windows {
    fn new(iv: &super::ast::Interval, precision: Precision, tz: chrono_tz::Tz) -> EResult<Windows> {
        let natural = |d: &super::ast::Duration| matches!(d.unit.as_str(), "n" | "y");
        let bad =
            |d: &super::ast::Duration| EngineError::syntax_near(&format!("{}{}", d.count, d.unit));
        let sliding_d = iv.sliding.as_ref().unwrap_or(&iv.len);
        if natural(&iv.len) || natural(sliding_d) {
            let months = |d: &super::ast::Duration| -> EResult<i64> {
                let m = match d.unit.as_str() {
                    "n" => Some(d.count),
                    "y" => d.count.checked_mul(12),
                    _ => None,
                };
                m.filter(|m| (1..=120_000).contains(m))
                    .ok_or_else(|| bad(d))
            };
            let len = months(&iv.len)?;
            let sliding = months(sliding_d)?;
            if iv.offset.is_some() {
                return Err(EngineError::unsupported(
                    "INTERVAL offset with natural month/year units",
                ));
            }
            if sliding > len {
                return Err(EngineError::new(
                    Code::new(0x2625),
                    "sliding value no larger than the interval value",
                ));
            }
            return Ok(Windows::Months {
                len,
                sliding,
                tz,
                precision,
            });
        }
        let t = |d: &super::ast::Duration| -> EResult<i64> {
            duration_ticks(d.count, &d.unit, precision)
                .filter(|v| *v > 0)
                .ok_or_else(|| bad(d))
        };
        let len = t(&iv.len)?;
        let min = duration_ticks(10, "a", precision).unwrap_or(1);
        if len < min {
            return Err(EngineError::new(
                Code::PAR_INTER_VALUE_TOO_SMALL,
                "Interval cannot be less than 10 a",
            ));
        }
        let sliding = t(sliding_d)?;
        if len / sliding > 10_000 {
            return Err(EngineError::new(
                Code::PAR_INTER_VALUE_TOO_SMALL,
                "sliding value too small for the interval",
            ));
        }
        if sliding > len {
            return Err(EngineError::new(
                Code::new(0x2625),
                "sliding value no larger than the interval value",
            ));
        }
        let off = match &iv.offset {
            Some(d) => t(d)?,
            None => 0,
        };
        Ok(Windows::Fixed { len, sliding, off })
    }

    /// The starts of every window containing `ts`, latest first.
    fn starts(&self, ts: i64, out: &mut Vec<i64>) {
        match *self {
            Windows::Fixed { len, sliding, off } => {
                let (ts, len, sliding, off) = (
                    i128::from(ts),
                    i128::from(len),
                    i128::from(sliding),
                    i128::from(off),
                );
                let mut ws = (ts - off).div_euclid(sliding) * sliding + off;
                while ws + len > ts {
                    if let Ok(w) = i64::try_from(ws) {
                        out.push(w);
                    }
                    ws -= sliding;
                }
            }
            Windows::Months {
                len,
                sliding,
                tz,
                precision,
            } => {
                let Some(m) = month_index(ts, tz, precision) else {
                    return;
                };
                let mut mi = m.div_euclid(sliding) * sliding;
                while mi + len > m {
                    if let Some(w) = month_start(mi, tz, precision) {
                        out.push(w);
                    }
                    mi -= sliding;
                }
            }
        }
    }

    /// The (exclusive) end of the window starting at `ws`.
    fn end(&self, ws: i64) -> i64 {
        match *self {
            Windows::Fixed { len, .. } => ws.saturating_add(len),
            Windows::Months {
                len, tz, precision, ..
            } => month_index(ws, tz, precision)
                .and_then(|m| month_start(m + len, tz, precision))
                .unwrap_or(i64::MAX),
        }
    }

    /// Every window start from the one containing `lo` up to `hi` (for FILL).
    fn fill_starts(&self, lo: i64, hi: i64) -> EResult<Vec<i64>> {
        let too_many = || EngineError::code(Code::PAR_INVALID_FILL_TIME_RANGE);
        let mut out = Vec::new();
        match *self {
            Windows::Fixed { sliding, off, .. } => {
                let (lo, hi, sliding, off) = (
                    i128::from(lo),
                    i128::from(hi),
                    i128::from(sliding),
                    i128::from(off),
                );
                let first = (lo - off).div_euclid(sliding) * sliding + off;
                if (hi - first) / sliding > MAX_FILL_WINDOWS as i128 {
                    return Err(too_many());
                }
                let mut ws = first;
                while ws <= hi {
                    if let Ok(w) = i64::try_from(ws) {
                        out.push(w);
                    }
                    ws += sliding;
                }
            }
            Windows::Months {
                sliding,
                tz,
                precision,
                ..
            } => {
                let (Some(a), Some(b)) = (
                    month_index(lo, tz, precision),
                    month_index(hi, tz, precision),
                ) else {
                    return Err(too_many());
                };
                if (b - a) / sliding > MAX_FILL_WINDOWS as i64 {
                    return Err(too_many());
                }
                let mut mi = a.div_euclid(sliding) * sliding;
                while mi <= b {
                    if let Some(w) = month_start(mi, tz, precision) {
                        out.push(w);
                    }
                    mi += sliding;
                }
            }
        }
        Ok(out)
    }
}

/// Months since 0000-01 of the calendar month holding `ts` in `tz`.
fn month_index(ts: i64, tz: chrono_tz::Tz, precision: Precision) -> Option<i64> {
    use chrono::Datelike;
    let per = precision.per_second();
    let dt = chrono::DateTime::from_timestamp(ts.div_euclid(per), 0)?.with_timezone(&tz);
    Some(i64::from(dt.year()) * 12 + i64::from(dt.month0()))
}

/// The first instant of month `mi` (see [`month_index`]) in `tz`, in ticks.
fn month_start(mi: i64, tz: chrono_tz::Tz, precision: Precision) -> Option<i64> {
    use chrono::TimeZone;
    let year = i32::try_from(mi.div_euclid(12)).ok()?;
    let month = u32::try_from(mi.rem_euclid(12)).ok()? + 1;
    let date = chrono::NaiveDate::from_ymd_opt(year, month, 1)?;
    let local = tz
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .earliest()?;
    super::time::datetime_ticks(&local, precision)
}

struct Group {
    rep_row: Option<StoredRow>,
    tags: Vec<Value>,
    tbname: String,
    windows: BTreeMap<i64, Vec<AggState>>,
}

fn agg_out_type(call: &AggCall) -> Type {
    match call.kind {
        AggKind::Count => Type::BigInt,
        AggKind::Sum => match call.arg_ty {
            Type::Float | Type::Double => Type::Double,
            Type::UTinyInt | Type::USmallInt | Type::UInt | Type::UBigInt => Type::UBigInt,
            t if t.is_decimal() => Type::Double,
            _ => Type::BigInt,
        },
        AggKind::Avg | AggKind::Spread | AggKind::Stddev => Type::Double,
        _ => call.arg_ty,
    }
}

#[allow(clippy::too_many_arguments)]
fn aggregate_query(
    sel: &Select,
    src: Source,
    mut binder: Binder<'_>,
    outs: Vec<OutCol>,
    filter: Option<BExpr>,
    (lo, hi): (i64, i64),
    offset: u64,
    limit: Option<u64>,
) -> EResult<QueryResult> {
    let scope = binder.scope;
    let precision = scope.precision;
    let mut keys_b = Vec::new();
    let grouping = if !sel.group_by.is_empty() {
        &sel.group_by
    } else {
        &sel.partition_by
    };
    {
        let mut kb = Binder::new(scope, false);
        for g in grouping {
            keys_b.push(kb.bind(g)?.0);
        }
    }
    if grouping.is_empty() && sel.interval.is_none() {
        let selective = binder.aggs.iter().all(|a| {
            matches!(
                a.kind,
                AggKind::First | AggKind::Last | AggKind::LastRow | AggKind::Min | AggKind::Max
            )
        });
        if outs.iter().any(|o| refs_row(&o.expr)) && !selective {
            return Err(EngineError::code(Code::PAR_NOT_SINGLE_GROUP));
        }
    }
    if !sel.group_by.is_empty() {
        let keys: Vec<String> = keys_b.iter().map(|k| format!("{k:?}")).collect();
        for (o, item) in outs.iter().zip(&sel.items) {
            if !grouped_ok(&o.expr, &keys) {
                return Err(EngineError::new(
                    Code::PAR_GROUPBY_LACK_EXPRESSION,
                    format!("Not a GROUP BY expression: {}", clip(&item.text, 64)),
                ));
            }
        }
    }
    if sel.interval.is_some() && !sel.group_by.is_empty() {
        return Err(EngineError::new(
            Code::new(0x2624),
            "Window query not supported, since not valid primary timestamp column as input",
        ));
    }
    let having = match &sel.having {
        Some(h) => Some(binder.bind(h)?.0),
        None => None,
    };
    let mut hidden = Vec::new();
    let order = order_keys(sel, &outs, &mut binder, &mut hidden)?;
    let aggs = binder.aggs.clone();
    // Window geometry.
    let window = match &sel.interval {
        Some(iv) => Some(Windows::new(iv, precision, scope.tz)?),
        None => None,
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let count_all: Vec<bool> = aggs.iter().map(|a| a.arg.is_none()).collect();
    for t in &src.tables {
        let mut cur = SnapshotCursor::new(t.chunks.clone(), lo, hi, false);
        while let Some((chunk, i)) = cur.next_row() {
            let row = &chunk.rows[i];
            let ctx = Ctx {
                row: Some(row),
                tags: &t.tags,
                tbname: &t.tbname,
                aggs: &[],
                window: (0, 0),
                precision,
            };
            if let Some(f) = &filter
                && !truthy(&f.eval(&ctx)?)
            {
                continue;
            }
            let mut key = String::new();
            for k in &keys_b {
                key.push_str(&format!("{:?}|", k.eval(&ctx)?));
            }
            let gi = match index.get(&key) {
                Some(g) => *g,
                None => {
                    groups.push(Group {
                        rep_row: Some(row.clone()),
                        tags: t.tags.clone(),
                        tbname: t.tbname.clone(),
                        windows: BTreeMap::new(),
                    });
                    index.insert(key, groups.len() - 1);
                    groups.len() - 1
                }
            };
            let mut vals = Vec::with_capacity(aggs.len());
            for a in &aggs {
                vals.push(match &a.arg {
                    Some(e) => e.eval(&ctx)?,
                    None => Value::Null,
                });
            }
            let g = &mut groups[gi];
            let mut starts = Vec::new();
            match &window {
                Some(w) => w.starts(row.ts, &mut starts),
                None => starts.push(0),
            }
            for ws in starts {
                let states = g
                    .windows
                    .entry(ws)
                    .or_insert_with(|| aggs.iter().map(|a| AggState::new(a.kind)).collect());
                for ((st, v), all) in states.iter_mut().zip(&vals).zip(&count_all) {
                    st.update(v.clone(), row.ts, *all);
                }
            }
        }
    }
    // An aggregate over no rows without grouping still yields one row.
    if groups.is_empty() && grouping.is_empty() && window.is_none() {
        let mut w = BTreeMap::new();
        w.insert(0, aggs.iter().map(|a| AggState::new(a.kind)).collect());
        groups.push(Group {
            rep_row: None,
            tags: Vec::new(),
            tbname: String::new(),
            windows: w,
        });
    }
    // FILL.
    let fill = sel.interval.as_ref().map_or(Fill::None, |i| i.fill.clone());
    if !matches!(fill, Fill::None) {
        let Some(w) = &window else {
            return Err(EngineError::code(Code::PAR_INVALID_FILL_TIME_RANGE));
        };
        if lo == i64::MIN || hi == i64::MAX {
            return Err(EngineError::code(Code::PAR_INVALID_FILL_TIME_RANGE));
        }
        let all = w.fill_starts(lo, hi)?;
        for g in &mut groups {
            for ws in &all {
                g.windows.entry(*ws).or_insert_with(Vec::new);
            }
        }
    }
    let fill_values: Vec<Value> = match &fill {
        Fill::Value(exprs) => {
            let mut fb = Binder::new(scope, false);
            let mut v = Vec::new();
            for e in exprs {
                v.push(fb.bind(e)?.0.eval(&Ctx::empty(precision))?);
            }
            v
        }
        _ => Vec::new(),
    };
    let out_types: Vec<Type> = aggs.iter().map(agg_out_type).collect();
    let columns: Vec<Column> = outs.iter().map(|o| o.column.clone()).collect();
    let soffset = sel.soffset.unwrap_or(0).max(0) as usize;
    let slimit = sel.slimit.map(|l| l.max(0) as usize);
    let mut rows = Vec::new();
    let per_partition = !sel.partition_by.is_empty();
    for g in groups
        .iter()
        .skip(soffset)
        .take(slimit.unwrap_or(usize::MAX))
    {
        let mut prev: Option<Vec<Value>> = None;
        let mut grows = Vec::new();
        let finals: Vec<(i64, Option<Vec<Value>>)> = g
            .windows
            .iter()
            .map(|(ws, st)| {
                if st.is_empty() && !aggs.is_empty() {
                    (*ws, None)
                } else {
                    (
                        *ws,
                        Some(
                            st.iter()
                                .zip(&out_types)
                                .map(|(s, t)| s.finish(*t))
                                .collect(),
                        ),
                    )
                }
            })
            .collect();
        for (wi, (ws, vals)) in finals.iter().enumerate() {
            let vals = match vals {
                Some(v) => v.clone(),
                None => match &fill {
                    Fill::Prev => prev
                        .clone()
                        .unwrap_or_else(|| vec![Value::Null; aggs.len()]),
                    Fill::Linear => {
                        let before = finals[..wi]
                            .iter()
                            .rev()
                            .find_map(|(w, v)| v.as_ref().map(|v| (*w, v)));
                        let after = finals[wi + 1..]
                            .iter()
                            .find_map(|(w, v)| v.as_ref().map(|v| (*w, v)));
                        (0..aggs.len())
                            .map(|i| match (before, after) {
                                (Some((w0, v0)), Some((w1, v1))) => {
                                    match (as_f64(&v0[i]), as_f64(&v1[i])) {
                                        (Some(a), Some(b)) if w1 != w0 => {
                                            let f = (*ws - w0) as f64 / (w1 - w0) as f64;
                                            let spec = super::ast::TypeSpec {
                                                ty: out_types[i],
                                                length: 8,
                                                precision: 0,
                                                scale: 0,
                                            };
                                            super::expr::cast(
                                                &Value::Double(a + (b - a) * f),
                                                &spec,
                                                precision,
                                            )
                                            .unwrap_or(Value::Null)
                                        }
                                        _ => Value::Null,
                                    }
                                }
                                _ => Value::Null,
                            })
                            .collect()
                    }
                    Fill::Next => finals[wi + 1..]
                        .iter()
                        .find_map(|(_, v)| v.clone())
                        .unwrap_or_else(|| vec![Value::Null; aggs.len()]),
                    Fill::Value(_) => (0..aggs.len())
                        .map(|i| {
                            let v = fill_values
                                .get(i)
                                .or(fill_values.last())
                                .cloned()
                                .unwrap_or(Value::Null);
                            super::expr::cast(
                                &v,
                                &super::ast::TypeSpec {
                                    ty: out_types[i],
                                    length: 8,
                                    precision: 0,
                                    scale: 0,
                                },
                                precision,
                            )
                            .unwrap_or(Value::Null)
                        })
                        .collect(),
                    _ => vec![Value::Null; aggs.len()],
                },
            };
            let we = window.as_ref().map_or(0, |w| w.end(*ws));
            let ctx = Ctx {
                row: g.rep_row.as_ref(),
                tags: &g.tags,
                tbname: &g.tbname,
                aggs: &vals,
                window: (*ws, we),
                precision,
            };
            if let Some(h) = &having
                && !truthy(&h.eval(&ctx)?)
            {
                prev = Some(vals);
                continue;
            }
            let mut out = Vec::with_capacity(outs.len());
            for o in &outs {
                out.push(o.expr.eval(&ctx)?);
            }
            let mut hk = Vec::with_capacity(hidden.len());
            for h in &hidden {
                hk.push(h.eval(&ctx)?);
            }
            grows.push((out, hk));
            prev = Some(vals);
        }
        if per_partition {
            // LIMIT / OFFSET / ORDER BY apply inside each partition.
            if !order.is_empty() {
                grows.sort_by(|a, b| cmp_keys(a, b, &order));
            }
            rows.extend(
                grows
                    .into_iter()
                    .skip(offset as usize)
                    .take(limit.map_or(usize::MAX, |l| l as usize)),
            );
        } else {
            rows.append(&mut grows);
        }
    }
    if per_partition {
        return Ok(finish(columns, precision, rows, &[], sel.distinct, 0, None));
    }
    Ok(finish(
        columns,
        precision,
        rows,
        &order,
        sel.distinct,
        offset,
        limit,
    ))
}

/// Checks that a topic's query is a projection over one table (0x2639 otherwise).
pub(super) fn validate_topic_query(s: &Session, sel: &Select) -> EResult<()> {
    let Some(from) = &sel.from else {
        return Err(EngineError::code(Code::PAR_INVALID_TOPIC_QUERY));
    };
    let src = resolve(
        s,
        &from.name,
        from.alias.as_deref(),
        now_ticks(Precision::Nanosecond),
    )?;
    let mut binder = Binder::new(&src.scope, true);
    expand_items(sel, Some(&src), &mut binder)?;
    if !binder.aggs.is_empty() {
        return Err(EngineError::code(Code::PAR_INVALID_TOPIC_QUERY));
    }
    if let Some(w) = &sel.where_ {
        Binder::new(&src.scope, false).bind(w)?;
    }
    Ok(())
}

fn only_ts_and_tags(b: &BExpr, ts_slot: usize) -> bool {
    match b {
        BExpr::Col(s) => *s == ts_slot,
        BExpr::Const(_) | BExpr::Tag(_) | BExpr::Tbname => true,
        BExpr::Agg(_) | BExpr::WStart | BExpr::WEnd | BExpr::WDuration => false,
        _ => b
            .children()
            .into_iter()
            .all(|x| only_ts_and_tags(x, ts_slot)),
    }
}

/// DELETE FROM: removes rows whose primary timestamp (and tags / tbname) match.
pub(super) fn delete(s: &Session, table: &ObjName, where_: Option<&Expr>) -> EResult<u64> {
    let dbn = s.db_for(table.db.as_deref())?;
    let now_ns = now_ticks(Precision::Nanosecond);
    let mut cat = s.engine.write();
    let db = db_mut(&mut cat, &dbn)?;
    let (schema, targets): (Schema, Vec<String>) = if let Some(st) = db.stables.get(&table.name) {
        (
            st.schema.clone(),
            db.children_of(&table.name)
                .iter()
                .map(|t| t.name.clone())
                .collect(),
        )
    } else {
        let t = db
            .tables
            .get(&table.name)
            .ok_or_else(|| EngineError::table_not_exist(&table.name))?;
        let schema = db
            .schema_of(t)
            .cloned()
            .ok_or_else(|| EngineError::table_not_exist(&table.name))?;
        (schema, vec![t.name.clone()])
    };
    let mut scope = base_scope(s, db.precision(), now_ns);
    scope.columns = schema.columns.clone();
    scope.tags = schema.tags.clone();
    scope.has_tbname = true;
    scope.qualifiers = vec![table.name.clone()];
    let cond = match where_ {
        Some(w) => {
            let b = Binder::new(&scope, false).bind(w)?.0;
            if !only_ts_and_tags(&b, schema.ts_slot()) {
                return Err(EngineError::code(Code::PAR_INVALID_DELETE_WHERE));
            }
            Some(b)
        }
        None => None,
    };
    let precision = db.precision();
    let mut removed = 0u64;
    for name in targets {
        let Some(t) = db.tables.get_mut(&name) else {
            continue;
        };
        let tags = match &t.kind {
            TableKind::Child { tags, .. } => tags.clone(),
            TableKind::Normal(_) => Vec::new(),
        };
        let tbname = t.name.clone();
        let mut err = None;
        removed += t.data.delete_where(|r| match &cond {
            None => true,
            Some(c) => {
                let ctx = Ctx {
                    row: Some(r),
                    tags: &tags,
                    tbname: &tbname,
                    aggs: &[],
                    window: (0, 0),
                    precision,
                };
                match c.eval(&ctx) {
                    Ok(v) => truthy(&v),
                    Err(e) => {
                        err = Some(e);
                        false
                    }
                }
            }
        }) as u64;
        if let Some(e) = err {
            return Err(e);
        }
    }
    Ok(removed)
}
