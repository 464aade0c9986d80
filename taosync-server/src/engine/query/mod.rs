//! SELECT: plain scans stream block by block; aggregates, windows, ORDER BY on
//! non-timestamp keys and DISTINCT materialise.

mod aggregate;
mod filter;
mod order;
mod scan;
mod window;

use super::ast::{Expr, Select};
use super::error::{EResult, EngineError, clip};
use super::expr::{BExpr, Binder, Ctx, truthy};
use super::storage::SnapshotCursor;
use super::time::now_ticks;
use super::{QueryResult, Session};
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Type};

use aggregate::aggregate_query;
use filter::{prune_tables, ts_bounds};
use order::{SortKey, finish, order_keys};
use scan::{Merge, Scan, Source, base_scope, resolve};

pub(super) use filter::delete;
pub(crate) use scan::RowSource;

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
