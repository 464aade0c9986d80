//! ORDER BY keys, row comparison, and the final DISTINCT / sort / OFFSET / LIMIT pass.

use std::cmp::Ordering;
use std::collections::HashSet;

use crate::engine::QueryResult;
use crate::engine::ast::{Expr, Lit, Select};
use crate::engine::error::{EResult, EngineError};
use crate::engine::expr::{BExpr, Binder, compare};
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

use super::OutCol;

/// A sort key: output column index or a hidden expression.
pub(super) enum SortKey {
    Out(usize),
    Hidden(usize),
}

/// Resolves ORDER BY items against the output columns, binding the rest.
pub(super) fn order_keys(
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

pub(super) fn cmp_keys(
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

pub(super) fn finish(
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
