//! Evaluation core: per-row evaluation of a bound expression tree, and arithmetic.

use std::cmp::Ordering;

use crate::engine::ast::BinOp;
use crate::engine::error::EResult;
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

use super::functions::call_scalar;
use super::value::{MAX_LIKE_PATTERN, as_f64, as_int, cast, compare, json_scalar, like, truthy};
use super::{BExpr, Ctx};

impl BExpr {
    /// The direct sub-expressions of this node, in evaluation order (empty for leaves).
    /// The one place that knows the shape of every node, so tree walks need not.
    pub fn children(&self) -> Vec<&BExpr> {
        match self {
            BExpr::Const(_)
            | BExpr::Col(_)
            | BExpr::Tag(_)
            | BExpr::Tbname
            | BExpr::WStart
            | BExpr::WEnd
            | BExpr::WDuration
            | BExpr::Agg(_) => Vec::new(),
            BExpr::Neg(x)
            | BExpr::Not(x)
            | BExpr::IsNull(x, _)
            | BExpr::Match(x, _, _)
            | BExpr::Cast(x, _)
            | BExpr::JsonGet(x, _)
            | BExpr::Contains(x, _) => vec![x],
            BExpr::Arith(_, a, c, _)
            | BExpr::Cmp(_, a, c)
            | BExpr::And(a, c)
            | BExpr::Or(a, c)
            | BExpr::Like(a, c, _) => vec![a, c],
            BExpr::In(x, l, _) => std::iter::once(&**x).chain(l).collect(),
            BExpr::Func(_, args, _) => args.iter().collect(),
            BExpr::Case(arms, e, _) => arms
                .iter()
                .flat_map(|(c, r)| [c, r])
                .chain(e.as_deref())
                .collect(),
        }
    }

    /// Evaluates in `ctx`.
    pub fn eval(&self, ctx: &Ctx<'_>) -> EResult<Value> {
        Ok(match self {
            BExpr::Const(v) => v.clone(),
            BExpr::Col(slot) => ctx.row.map_or(Value::Null, |r| r.get(*slot).clone()),
            BExpr::Tag(i) => ctx.tags.get(*i).cloned().unwrap_or(Value::Null),
            BExpr::Tbname => Value::VarChar(ctx.tbname.to_string()),
            BExpr::WStart => Value::Timestamp(Timestamp::new(ctx.window.0, ctx.precision)),
            BExpr::WEnd => Value::Timestamp(Timestamp::new(ctx.window.1, ctx.precision)),
            BExpr::WDuration => Value::BigInt(ctx.window.1.saturating_sub(ctx.window.0)),
            BExpr::Agg(i) => ctx.aggs.get(*i).cloned().unwrap_or(Value::Null),
            BExpr::Neg(x) => match x.eval(ctx)? {
                Value::Null => Value::Null,
                v @ (Value::Float(_) | Value::Double(_) | Value::Decimal(_)) => {
                    as_f64(&v).map_or(Value::Null, |f| Value::Double(-f))
                }
                v => match as_int(&v) {
                    Some(i) => i64::try_from(-i).map_or(Value::Null, Value::BigInt),
                    None => as_f64(&v).map_or(Value::Null, |f| Value::Double(-f)),
                },
            },
            BExpr::Not(x) => match x.eval(ctx)? {
                Value::Null => Value::Null,
                v => Value::Bool(!truthy(&v)),
            },
            BExpr::And(a, b) => {
                let x = a.eval(ctx)?;
                if !x.is_null() && !truthy(&x) {
                    return Ok(Value::Bool(false));
                }
                let y = b.eval(ctx)?;
                if !y.is_null() && !truthy(&y) {
                    return Ok(Value::Bool(false));
                }
                if x.is_null() || y.is_null() {
                    Value::Null
                } else {
                    Value::Bool(true)
                }
            }
            BExpr::Or(a, b) => {
                let x = a.eval(ctx)?;
                if truthy(&x) {
                    return Ok(Value::Bool(true));
                }
                let y = b.eval(ctx)?;
                if truthy(&y) {
                    return Ok(Value::Bool(true));
                }
                if x.is_null() || y.is_null() {
                    Value::Null
                } else {
                    Value::Bool(false)
                }
            }
            BExpr::Cmp(op, a, b) => {
                let (x, y) = (a.eval(ctx)?, b.eval(ctx)?);
                match compare(&x, &y) {
                    None => Value::Null,
                    Some(o) => Value::Bool(match op {
                        BinOp::Eq => o == Ordering::Equal,
                        BinOp::Ne => o != Ordering::Equal,
                        BinOp::Lt => o == Ordering::Less,
                        BinOp::Le => o != Ordering::Greater,
                        BinOp::Gt => o == Ordering::Greater,
                        _ => o != Ordering::Less,
                    }),
                }
            }
            BExpr::Arith(op, a, b, ty) => {
                arith(*op, &a.eval(ctx)?, &b.eval(ctx)?, *ty, ctx.precision)
            }
            BExpr::In(x, list, neg) => {
                let v = x.eval(ctx)?;
                if v.is_null() {
                    return Ok(Value::Null);
                }
                let mut found = false;
                for it in list {
                    if compare(&v, &it.eval(ctx)?) == Some(Ordering::Equal) {
                        found = true;
                        break;
                    }
                }
                Value::Bool(found != *neg)
            }
            BExpr::Like(x, p, neg) => {
                let (v, pat) = (x.eval(ctx)?, p.eval(ctx)?);
                let v = match &v {
                    Value::Json(t) => json_scalar(t).unwrap_or(Value::Null),
                    _ => v,
                };
                match (v.as_str(), pat.as_str()) {
                    (Some(_), Some(pt)) if pt.chars().count() > MAX_LIKE_PATTERN => Value::Null,
                    (Some(t), Some(pt)) => Value::Bool(like(t, pt) != *neg),
                    _ => Value::Null,
                }
            }
            BExpr::IsNull(x, neg) => Value::Bool(x.eval(ctx)?.is_null() != *neg),
            BExpr::Match(x, re, neg) => {
                let v = x.eval(ctx)?;
                let v = match &v {
                    Value::Json(t) => json_scalar(t).unwrap_or(Value::Null),
                    _ => v,
                };
                match v.as_str() {
                    Some(t) => Value::Bool(re.is_match(t) != *neg),
                    None => Value::Null,
                }
            }
            BExpr::Cast(x, ty) => cast(&x.eval(ctx)?, ty, ctx.precision)?,
            BExpr::JsonGet(x, k) => match x.eval(ctx)? {
                Value::Json(s) => serde_json::from_str::<serde_json::Value>(&s)
                    .ok()
                    .and_then(|j| j.get(k).cloned())
                    .filter(|j| !j.is_null())
                    .map_or(Value::Null, |j| Value::Json(j.to_string())),
                _ => Value::Null,
            },
            BExpr::Contains(x, k) => match x.eval(ctx)? {
                Value::Json(s) => Value::Bool(
                    serde_json::from_str::<serde_json::Value>(&s)
                        .ok()
                        .is_some_and(|j| j.get(k).is_some()),
                ),
                _ => Value::Null,
            },
            BExpr::Case(arms, else_, ty) => {
                for (c, r) in arms {
                    if truthy(&c.eval(ctx)?) {
                        return cast(&r.eval(ctx)?, ty, ctx.precision);
                    }
                }
                match else_ {
                    Some(e) => cast(&e.eval(ctx)?, ty, ctx.precision)?,
                    None => Value::Null,
                }
            }
            BExpr::Func(name, args, ret) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(a.eval(ctx)?);
                }
                call_scalar(name, &vals, ret, ctx.precision)?
            }
        })
    }
}

pub(super) fn arith(op: BinOp, a: &Value, b: &Value, ty: Type, precision: Precision) -> Value {
    if a.is_null() || b.is_null() {
        return Value::Null;
    }
    match ty {
        Type::BigInt | Type::Timestamp => {
            let (Some(x), Some(y)) = (as_int(a), as_int(b)) else {
                return Value::Null;
            };
            let r = match op {
                BinOp::Add => x.checked_add(y),
                BinOp::Sub => x.checked_sub(y),
                BinOp::Mul => x.checked_mul(y),
                BinOp::BitAnd => Some(x & y),
                BinOp::BitOr => Some(x | y),
                _ => None,
            };
            match r.and_then(|r| i64::try_from(r).ok()) {
                Some(v) if ty == Type::Timestamp => Value::Timestamp(Timestamp::new(v, precision)),
                Some(v) => Value::BigInt(v),
                None => Value::Null,
            }
        }
        _ => {
            let (Some(x), Some(y)) = (as_f64(a), as_f64(b)) else {
                return Value::Null;
            };
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => {
                    if y == 0.0 {
                        return Value::Null;
                    }
                    x / y
                }
                BinOp::Rem => {
                    if y == 0.0 {
                        return Value::Null;
                    }
                    x % y
                }
                _ => return Value::Null,
            };
            Value::Double(r)
        }
    }
}
