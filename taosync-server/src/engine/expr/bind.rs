//! Binding: resolves names against a scope, computes result types and checks function
//! calls, producing a `BExpr` ready to evaluate.

use crate::engine::ast::{BinOp, Expr, Lit, TypeSpec};
use crate::engine::error::{EResult, EngineError};
use crate::engine::parser::parse_int_text;
use crate::engine::time::{duration_ticks, parse_timestamp, timezone_text, today_ticks};
use taosync_proto::code::Code;
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

use super::value::MAX_LIKE_PATTERN;
use super::{AggCall, AggKind, BExpr, Scope, fixed, spec};

/// Binds expressions; collects aggregate calls when allowed.
pub struct Binder<'s> {
    /// The scope.
    pub scope: &'s Scope,
    /// Aggregates found (when `allow_aggs`).
    pub aggs: Vec<AggCall>,
    /// Whether aggregate calls are allowed here.
    pub allow_aggs: bool,
}

impl<'s> Binder<'s> {
    /// A binder over `scope`.
    pub fn new(scope: &'s Scope, allow_aggs: bool) -> Binder<'s> {
        Binder {
            scope,
            aggs: Vec::new(),
            allow_aggs,
        }
    }

    /// Resolves a column name: data column, tag or pseudo-column.
    pub fn column(&self, qualifier: Option<&str>, name: &str) -> EResult<(BExpr, TypeSpec)> {
        if let Some(q) = qualifier
            && !self.scope.qualifiers.iter().any(|x| x == q)
        {
            return Err(EngineError::invalid_column(&format!("{q}.{name}")));
        }
        let s = self.scope;
        if let Some(c) = s
            .columns
            .iter()
            .find(|c| c.name == name)
            .or_else(|| s.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
        {
            return Ok((BExpr::Col(c.slot), c.type_spec()));
        }
        if let Some(i) = s.tags.iter().position(|c| c.name == name).or_else(|| {
            s.tags
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name))
        }) {
            return Ok((BExpr::Tag(i), s.tags[i].type_spec()));
        }
        let lname = name.to_ascii_lowercase();
        match lname.as_str() {
            "tbname" if s.has_tbname => Ok((BExpr::Tbname, spec(Type::VarChar, 192))),
            "_rowts" | "_c0" if !s.columns.is_empty() && s.columns[0].ty == Type::Timestamp => {
                Ok((BExpr::Col(s.columns[0].slot), fixed(Type::Timestamp)))
            }
            "_wstart" if s.window => Ok((BExpr::WStart, fixed(Type::Timestamp))),
            "_wend" if s.window => Ok((BExpr::WEnd, fixed(Type::Timestamp))),
            "_wduration" if s.window => Ok((BExpr::WDuration, fixed(Type::BigInt))),
            "_qstart" | "_qend" => Err(EngineError::unsupported(name)),
            _ => Err(EngineError::invalid_column(name)),
        }
    }

    /// Binds `e`.
    pub fn bind(&mut self, e: &Expr) -> EResult<(BExpr, TypeSpec)> {
        let s = self.scope;
        match e {
            Expr::Lit(l) => Ok(bind_lit(l, s.precision)?),
            Expr::Param(v) => {
                let v = match v {
                    Value::Timestamp(t) => Value::Timestamp(t.to_precision(s.precision)),
                    other => other.clone(),
                };
                let ty = v.ty();
                let length = match &v {
                    Value::VarChar(x) | Value::NChar(x) | Value::Json(x) => x.len() as u32,
                    Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => b.len() as u32,
                    _ => ty.fixed_size().map_or(0, |n| n as u32),
                };
                let (precision, scale) = match &v {
                    Value::Decimal(d) => (d.precision(), d.scale()),
                    _ => (0, 0),
                };
                Ok((
                    BExpr::Const(v),
                    TypeSpec {
                        ty,
                        length,
                        precision,
                        scale,
                    },
                ))
            }
            Expr::Placeholder => Err(EngineError::new(
                Code::TSC_SQL_SYNTAX_ERROR,
                "syntax error near '?' (? only used in stmt)",
            )),
            Expr::Column { qualifier, name } => {
                if name == "*" {
                    return Err(EngineError::syntax_near("*"));
                }
                self.column(qualifier.as_deref(), name)
            }
            Expr::Neg(x) => {
                let (b, t) = self.bind(x)?;
                let t = if t.ty.is_integer() || matches!(t.ty, Type::Bool | Type::Timestamp) {
                    fixed(Type::BigInt)
                } else {
                    fixed(Type::Double)
                };
                Ok((BExpr::Neg(Box::new(b)), t))
            }
            Expr::Not(x) => {
                let (b, _) = self.bind(x)?;
                Ok((BExpr::Not(Box::new(b)), fixed(Type::Bool)))
            }
            Expr::Binary(op, a, b) => {
                let (ba, ta) = self.bind(a)?;
                let (bb, tb) = self.bind(b)?;
                match op {
                    BinOp::And => Ok((BExpr::And(Box::new(ba), Box::new(bb)), fixed(Type::Bool))),
                    BinOp::Or => Ok((BExpr::Or(Box::new(ba), Box::new(bb)), fixed(Type::Bool))),
                    BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        let ba = self.coerce_for_cmp(ba, ta.ty, tb.ty)?;
                        let bb = self.coerce_for_cmp(bb, tb.ty, ta.ty)?;
                        Ok((
                            BExpr::Cmp(*op, Box::new(ba), Box::new(bb)),
                            fixed(Type::Bool),
                        ))
                    }
                    BinOp::BitAnd | BinOp::BitOr => Ok((
                        BExpr::Arith(*op, Box::new(ba), Box::new(bb), Type::BigInt),
                        fixed(Type::BigInt),
                    )),
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                        let ty = arith_type(*op, ta.ty, tb.ty);
                        Ok((BExpr::Arith(*op, Box::new(ba), Box::new(bb), ty), fixed(ty)))
                    }
                }
            }
            Expr::Between {
                expr,
                lo,
                hi,
                negated,
            } => {
                let (x, tx) = self.bind(expr)?;
                let (l, tl) = self.bind(lo)?;
                let (h, th) = self.bind(hi)?;
                let l = self.coerce_for_cmp(l, tl.ty, tx.ty)?;
                let h = self.coerce_for_cmp(h, th.ty, tx.ty)?;
                let inner = BExpr::And(
                    Box::new(BExpr::Cmp(BinOp::Ge, Box::new(x.clone()), Box::new(l))),
                    Box::new(BExpr::Cmp(BinOp::Le, Box::new(x), Box::new(h))),
                );
                Ok((
                    if *negated {
                        BExpr::Not(Box::new(inner))
                    } else {
                        inner
                    },
                    fixed(Type::Bool),
                ))
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let (x, tx) = self.bind(expr)?;
                if tx.ty == Type::Json {
                    return Err(EngineError::new(
                        Code::PAR_SYNTAX_ERROR,
                        "Json not support in in/notin operator",
                    ));
                }
                let mut items = Vec::with_capacity(list.len());
                for it in list {
                    let (b, t) = self.bind(it)?;
                    items.push(self.coerce_for_cmp(b, t.ty, tx.ty)?);
                }
                Ok((BExpr::In(Box::new(x), items, *negated), fixed(Type::Bool)))
            }
            Expr::Like {
                expr,
                pattern,
                negated,
                regex,
            } => {
                let (x, _) = self.bind(expr)?;
                if *regex {
                    let (p, _) = self.bind(pattern)?;
                    let BExpr::Const(Value::VarChar(pat)) = p else {
                        return Err(EngineError::new(
                            Code::PAR_WRONG_VALUE_TYPE,
                            "Invalid value type: MATCH needs a constant string pattern",
                        ));
                    };
                    let re = crate::engine::regex::Regex::new(&pat)?;
                    return Ok((
                        BExpr::Match(Box::new(x), std::sync::Arc::new(re), *negated),
                        fixed(Type::Bool),
                    ));
                }
                let (p, _) = self.bind(pattern)?;
                if let BExpr::Const(Value::VarChar(pt)) = &p
                    && pt.chars().count() > MAX_LIKE_PATTERN
                {
                    return Err(EngineError::new(
                        Code::PAR_WRONG_VALUE_TYPE,
                        format!(
                            "Invalid value type: LIKE pattern longer than {MAX_LIKE_PATTERN} characters"
                        ),
                    ));
                }
                Ok((
                    BExpr::Like(Box::new(x), Box::new(p), *negated),
                    fixed(Type::Bool),
                ))
            }
            Expr::IsNull(x, neg) => {
                let (b, _) = self.bind(x)?;
                Ok((BExpr::IsNull(Box::new(b), *neg), fixed(Type::Bool)))
            }
            Expr::Cast(x, ty) => {
                let (b, _) = self.bind(x)?;
                let ty = if ty.ty == Type::Timestamp {
                    fixed(Type::Timestamp)
                } else {
                    *ty
                };
                Ok((BExpr::Cast(Box::new(b), ty), ty))
            }
            Expr::JsonGet(x, k) => {
                let (b, t) = self.bind(x)?;
                if t.ty != Type::Json {
                    return Err(EngineError::new(
                        Code::PAR_SYNTAX_ERROR,
                        "syntax error near \"->\" (left side of -> must be a json tag)",
                    ));
                }
                Ok((
                    BExpr::JsonGet(Box::new(b), k.clone()),
                    spec(Type::Json, 4095),
                ))
            }
            Expr::Contains(x, k) => {
                let (b, _) = self.bind(x)?;
                Ok((BExpr::Contains(Box::new(b), k.clone()), fixed(Type::Bool)))
            }
            Expr::Func { name, args, star } => self.bind_func(name, args, *star),
            Expr::Case {
                operand,
                whens,
                else_,
            } => {
                let op = match operand {
                    Some(o) => Some(self.bind(o)?),
                    None => None,
                };
                let mut arms = Vec::with_capacity(whens.len());
                let mut ty: Option<TypeSpec> = None;
                for (w, t) in whens {
                    let (wb, wt) = self.bind(w)?;
                    let cond = match &op {
                        Some((ob, ot)) => {
                            let wb = self.coerce_for_cmp(wb, wt.ty, ot.ty)?;
                            BExpr::Cmp(BinOp::Eq, Box::new(ob.clone()), Box::new(wb))
                        }
                        None => wb,
                    };
                    let (tb, tt) = self.bind(t)?;
                    ty = merge_case_type(ty, tt);
                    arms.push((cond, tb));
                }
                let else_b = match else_ {
                    Some(e) => {
                        let (eb, et) = self.bind(e)?;
                        ty = merge_case_type(ty, et);
                        Some(Box::new(eb))
                    }
                    None => None,
                };
                let ty = ty.unwrap_or_else(|| spec(Type::Null, 1));
                Ok((BExpr::Case(arms, else_b, ty), ty))
            }
        }
    }

    /// A constant string compared with a TIMESTAMP becomes a timestamp (session zone);
    /// a constant compared with a numeric column stays as it is.
    fn coerce_for_cmp(&self, b: BExpr, own: Type, other: Type) -> EResult<BExpr> {
        if other == Type::Timestamp
            && let BExpr::Const(Value::VarChar(s)) = &b
        {
            let t = parse_timestamp(s, self.scope.tz, self.scope.precision).ok_or_else(|| {
                EngineError::new(
                    Code::PAR_WRONG_VALUE_TYPE,
                    format!("Invalid value type: {s}"),
                )
            })?;
            return Ok(BExpr::Const(Value::Timestamp(Timestamp::new(
                t,
                self.scope.precision,
            ))));
        }
        let _ = own;
        Ok(b)
    }

    fn bind_func(&mut self, name: &str, args: &[Expr], star: bool) -> EResult<(BExpr, TypeSpec)> {
        let s = self.scope;
        if let Some(kind) = AggKind::from_name(name) {
            if !self.allow_aggs {
                return Err(EngineError::new(
                    Code::PAR_SYNTAX_ERROR,
                    format!("syntax error near \"{name}\" (aggregate function not allowed here)"),
                ));
            }
            let (arg, aty) = if star {
                if kind != AggKind::Count {
                    return Err(EngineError::unsupported(&format!("{name}(*)")));
                }
                (None, fixed(Type::BigInt))
            } else {
                if args.len() != 1 {
                    return Err(EngineError::func_num(name));
                }
                let mut inner = Binder::new(s, false);
                let (b, t) = inner.bind(&args[0]).map_err(|e| {
                    if e.message.contains("aggregate function not allowed") {
                        EngineError::new(Code::PAR_SYNTAX_ERROR, format!("syntax error near \"{name}\" (aggregate functions cannot be nested)"))
                    } else {
                        e
                    }
                })?;
                if kind == AggKind::Count && matches!(b, BExpr::Const(_)) {
                    (None, t)
                } else {
                    (Some(b), t)
                }
            };
            let numeric = aty.ty.is_integer()
                || matches!(
                    aty.ty,
                    Type::Float | Type::Double | Type::Bool | Type::Timestamp
                )
                || aty.ty.is_decimal();
            let out = match kind {
                AggKind::Count => fixed(Type::BigInt),
                AggKind::Sum => {
                    if !numeric || aty.ty == Type::Timestamp {
                        return Err(EngineError::func_type(name));
                    }
                    match aty.ty {
                        Type::Float | Type::Double => fixed(Type::Double),
                        Type::UTinyInt | Type::USmallInt | Type::UInt | Type::UBigInt => {
                            fixed(Type::UBigInt)
                        }
                        t if t.is_decimal() => fixed(Type::Double),
                        _ => fixed(Type::BigInt),
                    }
                }
                AggKind::Avg | AggKind::Spread | AggKind::Stddev => {
                    if !numeric {
                        return Err(EngineError::func_type(name));
                    }
                    fixed(Type::Double)
                }
                _ => aty,
            };
            let idx = self.aggs.len();
            self.aggs.push(AggCall {
                kind,
                arg,
                arg_ty: aty.ty,
            });
            return Ok((BExpr::Agg(idx), out));
        }
        if star {
            return Err(EngineError::func_num(name));
        }
        let mut bargs = Vec::with_capacity(args.len());
        let mut tys = Vec::with_capacity(args.len());
        for a in args {
            let (b, t) = self.bind(a)?;
            bargs.push(b);
            tys.push(t);
        }
        let argn = |n: usize| -> EResult<()> {
            if bargs.len() == n {
                Ok(())
            } else {
                Err(EngineError::func_num(name))
            }
        };
        let ret = match name {
            "now" | "today" => {
                argn(0)?;
                let v = if name == "now" {
                    s.now
                } else {
                    today_ticks(s.tz, s.precision)
                };
                return Ok((
                    BExpr::Const(Value::Timestamp(Timestamp::new(v, s.precision))),
                    fixed(Type::Timestamp),
                ));
            }
            "server_version" | "client_version" => {
                argn(0)?;
                return Ok((
                    BExpr::Const(Value::VarChar(s.version.clone())),
                    spec(Type::VarChar, 30),
                ));
            }
            "database" => {
                argn(0)?;
                return Ok((
                    BExpr::Const(s.db.clone().map_or(Value::Null, Value::VarChar)),
                    spec(Type::VarChar, 64),
                ));
            }
            "server_status" => {
                argn(0)?;
                return Ok((BExpr::Const(Value::Int(1)), fixed(Type::Int)));
            }
            "timezone" => {
                argn(0)?;
                return Ok((
                    BExpr::Const(Value::VarChar(timezone_text(s.tz))),
                    spec(Type::VarChar, 64),
                ));
            }
            "current_user" | "user" => {
                argn(0)?;
                let u = if name == "user" {
                    format!("{}@localhost", s.user)
                } else {
                    s.user.clone()
                };
                return Ok((BExpr::Const(Value::VarChar(u)), spec(Type::VarChar, 24)));
            }
            "abs" | "ceil" | "floor" | "round" => {
                if bargs.is_empty() || bargs.len() > 2 {
                    return Err(EngineError::func_num(name));
                }
                let t = tys[0].ty;
                if !(t.is_integer() || matches!(t, Type::Float | Type::Double)) {
                    return Err(EngineError::func_type(name));
                }
                fixed(t)
            }
            "sqrt" | "log" | "pow" | "exp" | "ln" | "sin" | "cos" | "tan" => {
                for t in &tys {
                    if !(t.ty.is_integer() || matches!(t.ty, Type::Float | Type::Double)) {
                        return Err(EngineError::func_type(name));
                    }
                }
                fixed(Type::Double)
            }
            "length" | "char_length" => {
                argn(1)?;
                fixed(Type::BigInt)
            }
            "lower" | "upper" | "ltrim" | "rtrim" | "trim" => {
                argn(1)?;
                if !matches!(tys[0].ty, Type::VarChar | Type::NChar) {
                    return Err(EngineError::func_type(name));
                }
                tys[0]
            }
            "substr" | "substring" => {
                if bargs.len() < 2 || bargs.len() > 3 {
                    return Err(EngineError::func_num(name));
                }
                if !matches!(tys[0].ty, Type::VarChar | Type::NChar) {
                    return Err(EngineError::func_type(name));
                }
                tys[0]
            }
            "concat" | "concat_ws" => {
                if bargs.len() < 2 {
                    return Err(EngineError::func_num(name));
                }
                let nchar = tys.iter().any(|t| t.ty == Type::NChar);
                let len: u32 = tys.iter().map(|t| t.length).sum();
                spec(if nchar { Type::NChar } else { Type::VarChar }, len.max(1))
            }
            "to_iso8601" => {
                if bargs.is_empty() || bargs.len() > 2 {
                    return Err(EngineError::func_num(name));
                }
                if bargs.len() == 1 {
                    // Without a zone argument the connection's zone is used.
                    bargs.push(BExpr::Const(Value::VarChar(s.tz.name().to_string())));
                }
                spec(Type::VarChar, 64)
            }
            "to_unixtimestamp" => {
                argn(1)?;
                fixed(Type::BigInt)
            }
            "timetruncate" => {
                if bargs.len() < 2 || bargs.len() > 3 {
                    return Err(EngineError::func_num(name));
                }
                fixed(Type::Timestamp)
            }
            "timediff" => {
                if bargs.len() < 2 || bargs.len() > 3 {
                    return Err(EngineError::func_num(name));
                }
                fixed(Type::BigInt)
            }
            _ => {
                return Err(EngineError::new(
                    Code::PAR_SYNTAX_ERROR,
                    format!("Invalid function name: {name}"),
                ));
            }
        };
        Ok((BExpr::Func(name.to_string(), bargs, ret), ret))
    }
}

/// The result type of CASE: the first non-NULL branch type, widened for strings and
/// numbers of different kinds.
fn merge_case_type(acc: Option<TypeSpec>, t: TypeSpec) -> Option<TypeSpec> {
    match acc {
        None => Some(t),
        Some(a) if a.ty == Type::Null => Some(t),
        Some(a) if t.ty == Type::Null || a.ty == t.ty => Some(TypeSpec {
            length: a.length.max(t.length),
            ..a
        }),
        Some(a) if is_text(a.ty) || is_text(t.ty) => Some(spec(
            if a.ty == Type::NChar || t.ty == Type::NChar {
                Type::NChar
            } else {
                Type::VarChar
            },
            a.length.max(t.length).max(32),
        )),
        Some(a) if a.ty.is_integer() && t.ty.is_integer() => Some(fixed(Type::BigInt)),
        Some(_) => Some(fixed(Type::Double)),
    }
}

fn is_text(t: Type) -> bool {
    matches!(t, Type::VarChar | Type::NChar)
}

fn bind_lit(l: &Lit, precision: Precision) -> EResult<(BExpr, TypeSpec)> {
    Ok(match l {
        Lit::Null => (BExpr::Const(Value::Null), spec(Type::Null, 1)),
        Lit::Bool(b) => (BExpr::Const(Value::Bool(*b)), fixed(Type::Bool)),
        Lit::Int(s) => match parse_int_text(s) {
            Some(v) if i64::try_from(v).is_ok() => {
                (BExpr::Const(Value::BigInt(v as i64)), fixed(Type::BigInt))
            }
            Some(v) if u64::try_from(v).is_ok() => {
                (BExpr::Const(Value::UBigInt(v as u64)), fixed(Type::UBigInt))
            }
            _ => (
                BExpr::Const(Value::Double(s.parse().unwrap_or(f64::NAN))),
                fixed(Type::Double),
            ),
        },
        Lit::Float(s) => (
            BExpr::Const(Value::Double(
                s.parse().map_err(|_| EngineError::syntax_near(s))?,
            )),
            fixed(Type::Double),
        ),
        Lit::Str(s) => (
            BExpr::Const(Value::VarChar(s.clone())),
            spec(Type::VarChar, s.len() as u32),
        ),
        Lit::Duration(c, u) => {
            let t = duration_ticks(*c, u, precision)
                .ok_or_else(|| EngineError::syntax_near(&format!("{c}{u}")))?;
            (BExpr::Const(Value::BigInt(t)), fixed(Type::BigInt))
        }
    })
}

fn arith_type(op: BinOp, a: Type, b: Type) -> Type {
    let is_float =
        |t: Type| matches!(t, Type::Float | Type::Double) || t.is_decimal() || !is_num(t);
    if matches!(op, BinOp::Add | BinOp::Sub)
        && ((a == Type::Timestamp && (b.is_integer() || b == Type::Null))
            || (b == Type::Timestamp && a.is_integer() && op == BinOp::Add))
    {
        return Type::Timestamp;
    }
    if matches!(op, BinOp::Div | BinOp::Rem) || is_float(a) || is_float(b) {
        Type::Double
    } else {
        Type::BigInt
    }
}

fn is_num(t: Type) -> bool {
    t.is_integer()
        || matches!(
            t,
            Type::Float | Type::Double | Type::Bool | Type::Timestamp | Type::Null
        )
        || t.is_decimal()
}
