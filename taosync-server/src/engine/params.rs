//! Binding `?` parameters (stmt / stmt2 queries) into a parsed statement.

use super::ast::{AlterAction, Expr, InsValue, Select, Statement, UsingClause};
use super::error::{EResult, EngineError};
use taosync_proto::value::Value;

/// Counts the `?` placeholders of a statement.
pub fn count_params(stmt: &Statement) -> usize {
    let mut n = 0;
    let mut stmt = stmt.clone();
    visit(&mut stmt, &mut |e| {
        if matches!(e, Expr::Placeholder) {
            n += 1;
        }
    });
    n
}

/// Replaces the `?` placeholders of `stmt`, in text order, by `params`. The number of
/// parameters must match (0x0200 otherwise).
pub fn bind_params(stmt: &mut Statement, params: &[Value]) -> EResult<()> {
    let expected = count_params(stmt);
    if expected != params.len() {
        return Err(EngineError::invalid_operation(format!(
            "the statement has {expected} parameters, {} were bound",
            params.len()
        )));
    }
    let mut it = params.iter();
    visit(stmt, &mut |e| {
        if matches!(e, Expr::Placeholder)
            && let Some(v) = it.next()
        {
            *e = Expr::Param(v.clone());
        }
    });
    Ok(())
}

/// Calls `f` on every placeholder-capable expression of `stmt`, in text order.
fn visit(stmt: &mut Statement, f: &mut impl FnMut(&mut Expr)) {
    match stmt {
        Statement::Select(sel) => visit_select(sel, f),
        Statement::Insert(clauses) => {
            for c in clauses {
                if c.table_placeholder {
                    let mut e = Expr::Placeholder;
                    f(&mut e);
                    if let Expr::Param(v) = e {
                        let text = match &v {
                            Value::VarChar(s) | Value::NChar(s) => s.clone(),
                            other => other.to_string(),
                        };
                        match text.split_once('.') {
                            Some((db, name)) => {
                                c.table.db = Some(db.trim_matches('`').to_string());
                                c.table.name = name.trim_matches('`').to_string();
                            }
                            None => c.table.name = text.trim_matches('`').to_string(),
                        }
                        c.table_placeholder = false;
                    }
                }
                if let Some(u) = &mut c.using {
                    visit_using(u, f);
                }
                for row in &mut c.rows {
                    for v in row {
                        visit_expr(&mut v.expr, f);
                    }
                }
            }
        }
        Statement::CreateChildren(children) => {
            for c in children {
                visit_using(&mut c.using, f);
            }
        }
        Statement::Delete {
            where_: Some(w), ..
        } => visit_expr(w, f),
        Statement::Alter {
            action: AlterAction::SetTags(sets),
            ..
        } => {
            for (_, v) in sets {
                visit_expr(&mut v.expr, f);
            }
        }
        Statement::AlterSetTags(all) => {
            for (_, sets) in all {
                for (_, v) in sets {
                    visit_expr(&mut v.expr, f);
                }
            }
        }
        _ => {}
    }
}

fn visit_using(u: &mut UsingClause, f: &mut impl FnMut(&mut Expr)) {
    for InsValue { expr, .. } in &mut u.tags {
        visit_expr(expr, f);
    }
}

fn visit_select(sel: &mut Select, f: &mut impl FnMut(&mut Expr)) {
    for it in &mut sel.items {
        visit_expr(&mut it.expr, f);
    }
    if let Some(w) = &mut sel.where_ {
        visit_expr(w, f);
    }
    for e in &mut sel.partition_by {
        visit_expr(e, f);
    }
    for e in &mut sel.group_by {
        visit_expr(e, f);
    }
    if let Some(h) = &mut sel.having {
        visit_expr(h, f);
    }
    for o in &mut sel.order_by {
        visit_expr(&mut o.expr, f);
    }
}

fn visit_expr(e: &mut Expr, f: &mut impl FnMut(&mut Expr)) {
    match e {
        Expr::Placeholder => f(e),
        Expr::Lit(_) | Expr::Column { .. } | Expr::Param(_) => {}
        Expr::Neg(x)
        | Expr::Not(x)
        | Expr::Cast(x, _)
        | Expr::JsonGet(x, _)
        | Expr::Contains(x, _) => visit_expr(x, f),
        Expr::IsNull(x, _) => visit_expr(x, f),
        Expr::Binary(_, a, b) => {
            visit_expr(a, f);
            visit_expr(b, f);
        }
        Expr::Func { args, .. } => {
            for a in args {
                visit_expr(a, f);
            }
        }
        Expr::Between { expr, lo, hi, .. } => {
            visit_expr(expr, f);
            visit_expr(lo, f);
            visit_expr(hi, f);
        }
        Expr::InList { expr, list, .. } => {
            visit_expr(expr, f);
            for x in list {
                visit_expr(x, f);
            }
        }
        Expr::Like { expr, pattern, .. } => {
            visit_expr(expr, f);
            visit_expr(pattern, f);
        }
        Expr::Case {
            operand,
            whens,
            else_,
        } => {
            if let Some(o) = operand {
                visit_expr(o, f);
            }
            for (w, t) in whens {
                visit_expr(w, f);
                visit_expr(t, f);
            }
            if let Some(e) = else_ {
                visit_expr(e, f);
            }
        }
    }
}
