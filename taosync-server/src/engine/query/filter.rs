//! WHERE analysis: row/tag reference checks, tag-only table pruning, primary-timestamp
//! bounds; and DELETE, whose condition may only read the timestamp and tags.

use crate::engine::Session;
use crate::engine::ast::{Expr, ObjName};
use crate::engine::catalog::db_mut;
use crate::engine::catalog::{Schema, TableKind};
use crate::engine::error::{EResult, EngineError};
use crate::engine::expr::{BExpr, Binder, Ctx, as_int, truthy};
use crate::engine::time::now_ticks;
use taosync_proto::code::Code;
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

use super::scan::{TableSrc, base_scope};

/// Whether `b` reads row data outside aggregates.
pub(super) fn refs_row(b: &BExpr) -> bool {
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
pub(super) fn prune_tables(
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
pub(super) fn grouped_ok(e: &BExpr, keys: &[String]) -> bool {
    if !refs_row(e) || keys.contains(&format!("{e:?}")) {
        return true;
    }
    match e {
        BExpr::Col(_) | BExpr::Tag(_) | BExpr::Tbname => false,
        _ => e.children().into_iter().all(|x| grouped_ok(x, keys)),
    }
}

/// `[lo, hi]` bounds on the primary timestamp implied by top-level AND conjuncts.
pub(super) fn ts_bounds(b: &BExpr, ts_slot: usize, lo: &mut i64, hi: &mut i64) {
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
            use crate::engine::ast::BinOp::*;
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

fn flip(op: crate::engine::ast::BinOp) -> crate::engine::ast::BinOp {
    use crate::engine::ast::BinOp::*;
    match op {
        Lt => Gt,
        Le => Ge,
        Gt => Lt,
        Ge => Le,
        o => o,
    }
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
pub(crate) fn delete(s: &Session, table: &ObjName, where_: Option<&Expr>) -> EResult<u64> {
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
    let ts_slot = schema.ts_slot();
    let ts_name = schema
        .columns
        .first()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let mut removed = 0u64;
    let mut metas = Vec::new();
    for name in targets {
        let Some(t) = db.tables.get_mut(&name) else {
            continue;
        };
        let mut range: Option<(i64, i64)> = None;
        let tags = match &t.kind {
            TableKind::Child { tags, .. } => tags.clone(),
            TableKind::Normal(_) => Vec::new(),
        };
        let tbname = t.name.clone();
        let mut err = None;
        let n = t.data.delete_where(|r| {
            let hit = match &cond {
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
            };
            if hit && let Value::Timestamp(ts) = r.get(ts_slot) {
                let v = ts.value();
                range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
            }
            hit
        }) as u64;
        if let Some(e) = err {
            return Err(e);
        }
        removed += n;
        if let Some((lo, hi)) = range {
            // The meta TDengine's tmq_get_json_meta gives a DELETE: one per table, the
            // deleted time range.
            let sql =
                format!("delete from `{tbname}` where `{ts_name}` >= {lo} and `{ts_name}` <= {hi}");
            metas.push((
                t.vgroup,
                t.stable().map(str::to_owned),
                serde_json::json!({"type": "delete", "sql": sql}),
            ));
        }
    }
    for (vgroup, stable, json) in metas {
        crate::engine::topics::append_meta(
            &cat,
            &dbn,
            Some(vgroup),
            json,
            stable.as_deref(),
            false,
        );
    }
    Ok(removed)
}
