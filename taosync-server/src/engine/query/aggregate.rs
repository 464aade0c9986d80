//! Aggregation: per-aggregate running state, and GROUP BY / PARTITION BY / INTERVAL
//! execution with FILL, HAVING and SLIMIT.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use crate::engine::QueryResult;
use crate::engine::ast::{Fill, Select};
use crate::engine::error::{EResult, EngineError, clip};
use crate::engine::expr::{AggCall, AggKind, BExpr, Binder, Ctx, as_f64, as_int, compare, truthy};
use crate::engine::storage::{SnapshotCursor, StoredRow};
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::Type;
use taosync_proto::value::Value;

use super::OutCol;
use super::filter::{grouped_ok, refs_row};
use super::order::{cmp_keys, finish, order_keys};
use super::scan::Source;
use super::window::Windows;

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
pub(super) fn aggregate_query(
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
                                            let spec = crate::engine::ast::TypeSpec {
                                                ty: out_types[i],
                                                length: 8,
                                                precision: 0,
                                                scale: 0,
                                            };
                                            crate::engine::expr::cast(
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
                            crate::engine::expr::cast(
                                &v,
                                &crate::engine::ast::TypeSpec {
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
