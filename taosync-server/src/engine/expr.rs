//! Bound expressions: names resolved against a scope, types computed, ready to evaluate
//! per row.

use std::cmp::Ordering;

use chrono_tz::Tz;

use super::ast::{BinOp, Expr, Lit, TypeSpec};
use super::catalog::ColDef;
use super::error::{EResult, EngineError};
use super::parser::parse_int_text;
use super::storage::StoredRow;
use super::time::{duration_ticks, iso8601, parse_timestamp, timezone_text, today_ticks};
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

/// Names an expression can see.
#[derive(Clone, Debug)]
pub struct Scope {
    /// Data columns.
    pub columns: Vec<ColDef>,
    /// Tags.
    pub tags: Vec<ColDef>,
    /// Whether `tbname` is available.
    pub has_tbname: bool,
    /// Names the table may be qualified with (table name, alias).
    pub qualifiers: Vec<String>,
    /// Query precision.
    pub precision: Precision,
    /// Session zone.
    pub tz: Tz,
    /// Statement `now` in ticks of `precision`.
    pub now: i64,
    /// Current database.
    pub db: Option<String>,
    /// Current user.
    pub user: String,
    /// Version string.
    pub version: String,
    /// Whether window pseudo-columns are allowed.
    pub window: bool,
}

/// Aggregate function kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    /// count(*) / count(e)
    Count,
    /// sum
    Sum,
    /// avg
    Avg,
    /// min
    Min,
    /// max
    Max,
    /// first (non-NULL)
    First,
    /// last (non-NULL)
    Last,
    /// last_row
    LastRow,
    /// spread
    Spread,
    /// stddev (population)
    Stddev,
}

impl AggKind {
    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<AggKind> {
        Some(match name {
            "count" => AggKind::Count,
            "sum" => AggKind::Sum,
            "avg" => AggKind::Avg,
            "min" => AggKind::Min,
            "max" => AggKind::Max,
            "first" => AggKind::First,
            "last" => AggKind::Last,
            "last_row" => AggKind::LastRow,
            "spread" => AggKind::Spread,
            "stddev" | "stddev_pop" | "std" => AggKind::Stddev,
            _ => return None,
        })
    }
}

/// An aggregate call found in a select list: kind and argument (None for `count(*)`).
#[derive(Clone, Debug)]
pub struct AggCall {
    /// Kind.
    pub kind: AggKind,
    /// Argument.
    pub arg: Option<BExpr>,
    /// Argument type.
    pub arg_ty: Type,
}

/// A bound expression.
#[derive(Clone, Debug)]
pub enum BExpr {
    /// A constant.
    Const(Value),
    /// A data column by slot.
    Col(usize),
    /// A tag by index.
    Tag(usize),
    /// `tbname`.
    Tbname,
    /// `_wstart`.
    WStart,
    /// `_wend`.
    WEnd,
    /// `_wduration`.
    WDuration,
    /// The i-th aggregate's result.
    Agg(usize),
    /// Unary minus.
    Neg(Box<BExpr>),
    /// NOT.
    Not(Box<BExpr>),
    /// Arithmetic with its result type.
    Arith(BinOp, Box<BExpr>, Box<BExpr>, Type),
    /// Comparison.
    Cmp(BinOp, Box<BExpr>, Box<BExpr>),
    /// AND.
    And(Box<BExpr>, Box<BExpr>),
    /// OR.
    Or(Box<BExpr>, Box<BExpr>),
    /// IN list.
    In(Box<BExpr>, Vec<BExpr>, bool),
    /// LIKE.
    Like(Box<BExpr>, Box<BExpr>, bool),
    /// `IS [NOT] NULL`.
    IsNull(Box<BExpr>, bool),
    /// MATCH (false) / NMATCH (true) with a compiled pattern.
    Match(Box<BExpr>, std::sync::Arc<super::regex::Regex>, bool),
    /// A scalar function.
    Func(String, Vec<BExpr>, TypeSpec),
    /// CASE: (condition, result) pairs, ELSE, result type. A simple CASE is bound as
    /// `operand = value` conditions.
    Case(Vec<(BExpr, BExpr)>, Option<Box<BExpr>>, TypeSpec),
    /// CAST.
    Cast(Box<BExpr>, TypeSpec),
    /// `->`
    JsonGet(Box<BExpr>, String),
    /// CONTAINS.
    Contains(Box<BExpr>, String),
}

/// Per-row evaluation context.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    /// The row (None outside a table).
    pub row: Option<&'a StoredRow>,
    /// Tag values.
    pub tags: &'a [Value],
    /// Table name.
    pub tbname: &'a str,
    /// Aggregate results.
    pub aggs: &'a [Value],
    /// Window start / end.
    pub window: (i64, i64),
    /// Precision for timestamps built here.
    pub precision: Precision,
}

impl Ctx<'_> {
    /// A context with nothing in it.
    pub fn empty(precision: Precision) -> Ctx<'static> {
        Ctx {
            row: None,
            tags: &[],
            tbname: "",
            aggs: &[],
            window: (0, 0),
            precision,
        }
    }
}

fn spec(ty: Type, length: u32) -> TypeSpec {
    TypeSpec {
        ty,
        length,
        precision: 0,
        scale: 0,
    }
}

fn fixed(ty: Type) -> TypeSpec {
    spec(ty, ty.fixed_size().map_or(0, |s| s as u32))
}

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
                    let re = super::regex::Regex::new(&pat)?;
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

/// A value as f64 when numeric (strings are parsed).
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Float(f) => Some(f64::from(*f)),
        Value::Double(f) => Some(*f),
        Value::Timestamp(t) => Some(t.value() as f64),
        Value::Decimal(d) => Some(d.to_f64()),
        Value::VarChar(s) | Value::NChar(s) => s.trim().parse().ok(),
        _ => v.as_i128().map(|x| x as f64),
    }
}

/// A value as i128 when integral (ints, bool, timestamp).
pub fn as_int(v: &Value) -> Option<i128> {
    match v {
        Value::Bool(b) => Some(i128::from(*b)),
        Value::Timestamp(t) => Some(i128::from(t.value())),
        _ => v.as_i128(),
    }
}

/// Compares two values; `None` when either is NULL or they are not comparable.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if a.is_null() || b.is_null() {
        return None;
    }
    // A JSON scalar (`info->'k'`) compares as the string / number / bool it holds.
    if let Value::Json(x) = a
        && !matches!(b, Value::Json(_))
    {
        return compare(&json_scalar(x)?, b);
    }
    if let Value::Json(y) = b
        && !matches!(a, Value::Json(_))
    {
        return compare(a, &json_scalar(y)?);
    }
    match (a, b) {
        (
            Value::VarChar(x) | Value::NChar(x) | Value::Json(x),
            Value::VarChar(y) | Value::NChar(y) | Value::Json(y),
        ) => Some(x.as_str().cmp(y.as_str())),
        (
            Value::VarBinary(x) | Value::Geometry(x) | Value::Blob(x),
            Value::VarBinary(y) | Value::Geometry(y) | Value::Blob(y),
        ) => Some(x.cmp(y)),
        _ => {
            if let (Some(x), Some(y)) = (as_int(a), as_int(b)) {
                return Some(x.cmp(&y));
            }
            let (x, y) = (as_f64(a)?, as_f64(b)?);
            x.partial_cmp(&y)
        }
    }
}

/// The scalar a JSON text holds: strings as VARCHAR, numbers as DOUBLE, booleans as
/// BOOL; objects stay JSON; `null` is `None`.
fn json_scalar(text: &str) -> Option<Value> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::String(s)) => Some(Value::VarChar(s)),
        Ok(serde_json::Value::Number(n)) => n.as_f64().map(Value::Double),
        Ok(serde_json::Value::Bool(b)) => Some(Value::Bool(b)),
        Ok(serde_json::Value::Null) => None,
        _ => Some(Value::VarChar(text.to_string())),
    }
}

/// Truthiness of a condition value (NULL is false).
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::VarChar(s) | Value::NChar(s) => s.trim().parse::<f64>().is_ok_and(|f| f != 0.0),
        other => as_f64(other).is_some_and(|f| f != 0.0),
    }
}

/// Longest LIKE pattern accepted (matching is O(text × pattern)).
const MAX_LIKE_PATTERN: usize = 1024;

/// SQL LIKE with `%`, `_` and `\` escapes.
pub fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Iterative matcher with backtracking on the last `%`.
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '%' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '_' => {
                    ti += 1;
                    pi += 1;
                    continue;
                }
                '\\' if pi + 1 < p.len()
                    && (p[pi + 1] == '%' || p[pi + 1] == '_' || p[pi + 1] == '\\')
                    && t[ti] == p[pi + 1] =>
                {
                    ti += 1;
                    pi += 2;
                    continue;
                }
                c if c == t[ti] => {
                    ti += 1;
                    pi += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

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

fn arith(op: BinOp, a: &Value, b: &Value, ty: Type, precision: Precision) -> Value {
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

/// CAST semantics (lenient: unconvertible values become NULL, strings are truncated).
pub fn cast(v: &Value, ty: &TypeSpec, precision: Precision) -> EResult<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let text = || match v {
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => s.clone(),
        Value::Timestamp(t) => t.value().to_string(),
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => {
            String::from_utf8_lossy(b).into_owned()
        }
        other => other.to_string(),
    };
    let int = || as_int(v).or_else(|| as_f64(v).filter(|f| f.is_finite()).map(|f| f as i128));
    Ok(match ty.ty {
        Type::Bool => Value::Bool(truthy(v)),
        Type::TinyInt => int().map_or(Value::Null, |x| Value::TinyInt(x as i8)),
        Type::SmallInt => int().map_or(Value::Null, |x| Value::SmallInt(x as i16)),
        Type::Int => int().map_or(Value::Null, |x| Value::Int(x as i32)),
        Type::BigInt => int().map_or(Value::Null, |x| Value::BigInt(x as i64)),
        Type::UTinyInt => int().map_or(Value::Null, |x| Value::UTinyInt(x as u8)),
        Type::USmallInt => int().map_or(Value::Null, |x| Value::USmallInt(x as u16)),
        Type::UInt => int().map_or(Value::Null, |x| Value::UInt(x as u32)),
        Type::UBigInt => int().map_or(Value::Null, |x| Value::UBigInt(x as u64)),
        Type::Float => as_f64(v).map_or(Value::Null, |f| Value::Float(f as f32)),
        Type::Double => as_f64(v).map_or(Value::Null, Value::Double),
        Type::Timestamp => match v {
            Value::VarChar(s) | Value::NChar(s) => parse_timestamp(s, Tz::UTC, precision)
                .map_or(Value::Null, |t| {
                    Value::Timestamp(Timestamp::new(t, precision))
                }),
            _ => int().map_or(Value::Null, |x| {
                Value::Timestamp(Timestamp::new(x as i64, precision))
            }),
        },
        Type::VarChar | Type::NChar => {
            let mut s = text();
            if ty.ty == Type::NChar {
                if s.chars().count() > ty.length as usize {
                    s = s.chars().take(ty.length as usize).collect();
                }
                Value::NChar(s)
            } else {
                let max = ty.length as usize;
                if s.len() > max {
                    s = super::error::clip(&s, max).to_string();
                }
                Value::VarChar(s)
            }
        }
        Type::VarBinary => Value::VarBinary(match v.as_bytes() {
            Some(b) => b.to_vec(),
            None => text().into_bytes(),
        }),
        Type::Decimal | Type::Decimal64 => {
            match super::convert::parse_decimal(&text(), ty.precision, ty.scale) {
                Ok(d) => Value::Decimal(d),
                Err(true) => return Err(EngineError::code(Code::DECIMAL_OVERFLOW)),
                Err(false) => Value::Null,
            }
        }
        _ => return Err(EngineError::func_type("cast")),
    })
}

fn call_scalar(name: &str, a: &[Value], ret: &TypeSpec, precision: Precision) -> EResult<Value> {
    if a.first().is_some_and(Value::is_null) && name != "concat_ws" {
        return Ok(Value::Null);
    }
    let f = |i: usize| a.get(i).and_then(as_f64);
    let keep_int = |x: f64| -> Value {
        match ret.ty {
            Type::Float => Value::Float(x as f32),
            Type::Double => Value::Double(x),
            Type::TinyInt => Value::TinyInt(x as i8),
            Type::SmallInt => Value::SmallInt(x as i16),
            Type::Int => Value::Int(x as i32),
            Type::UTinyInt => Value::UTinyInt(x as u8),
            Type::USmallInt => Value::USmallInt(x as u16),
            Type::UInt => Value::UInt(x as u32),
            Type::UBigInt => Value::UBigInt(x as u64),
            _ => Value::BigInt(x as i64),
        }
    };
    let text = |i: usize| -> Option<String> {
        a.get(i).and_then(|v| match v {
            Value::Null => None,
            Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
    };
    let wrap = |s: String| {
        if ret.ty == Type::NChar {
            Value::NChar(s)
        } else {
            Value::VarChar(s)
        }
    };
    Ok(match name {
        "abs" => match &a[0] {
            v if ret.ty.is_integer() => {
                as_int(v).map_or(Value::Null, |i| int_value(ret.ty, i.abs()))
            }
            v => as_f64(v).map_or(Value::Null, |x| keep_int(x.abs())),
        },
        "ceil" | "floor" | "round" if ret.ty.is_integer() => a[0].clone(),
        "ceil" => f(0).map_or(Value::Null, |x| keep_int(x.ceil())),
        "floor" => f(0).map_or(Value::Null, |x| keep_int(x.floor())),
        "round" => match (f(0), a.get(1).and_then(as_int)) {
            (Some(x), Some(d)) => {
                let m = 10f64.powi(d as i32);
                keep_int((x * m).round() / m)
            }
            (Some(x), None) => keep_int(x.round()),
            _ => Value::Null,
        },
        "sqrt" => f(0).map_or(Value::Null, |x| Value::Double(x.sqrt())),
        "exp" => f(0).map_or(Value::Null, |x| Value::Double(x.exp())),
        "ln" => f(0).map_or(Value::Null, |x| Value::Double(x.ln())),
        "sin" => f(0).map_or(Value::Null, |x| Value::Double(x.sin())),
        "cos" => f(0).map_or(Value::Null, |x| Value::Double(x.cos())),
        "tan" => f(0).map_or(Value::Null, |x| Value::Double(x.tan())),
        "log" => match (f(0), f(1)) {
            (Some(x), Some(b)) => Value::Double(x.ln() / b.ln()),
            (Some(x), None) => Value::Double(x.ln()),
            _ => Value::Null,
        },
        "pow" => match (f(0), f(1)) {
            (Some(x), Some(y)) => Value::Double(x.powf(y)),
            _ => Value::Null,
        },
        "length" => Value::BigInt(match &a[0] {
            Value::NChar(s) => (s.chars().count() * 4) as i64,
            v => v
                .as_bytes()
                .map_or_else(|| v.to_string().len(), <[u8]>::len) as i64,
        }),
        "char_length" => Value::BigInt(text(0).map_or(0, |s| s.chars().count()) as i64),
        "lower" => wrap(text(0).unwrap_or_default().to_lowercase()),
        "upper" => wrap(text(0).unwrap_or_default().to_uppercase()),
        "ltrim" => wrap(text(0).unwrap_or_default().trim_start().to_string()),
        "rtrim" => wrap(text(0).unwrap_or_default().trim_end().to_string()),
        "trim" => wrap(text(0).unwrap_or_default().trim().to_string()),
        "substr" | "substring" => {
            let s: Vec<char> = text(0).unwrap_or_default().chars().collect();
            let pos = a.get(1).and_then(as_int).unwrap_or(1);
            let start = if pos > 0 {
                (pos - 1) as usize
            } else {
                s.len().saturating_sub(pos.unsigned_abs() as usize)
            };
            let len = a
                .get(2)
                .and_then(as_int)
                .map_or(s.len(), |l| l.max(0) as usize);
            wrap(s.iter().skip(start).take(len).collect())
        }
        "concat" => {
            let mut out = String::new();
            for i in 0..a.len() {
                match text(i) {
                    Some(s) => out.push_str(&s),
                    None => return Ok(Value::Null),
                }
            }
            wrap(out)
        }
        "concat_ws" => {
            let Some(sep) = text(0) else {
                return Ok(Value::Null);
            };
            let parts: Vec<String> = (1..a.len()).filter_map(text).collect();
            wrap(parts.join(&sep))
        }
        "to_iso8601" => {
            let tz = match a.get(1) {
                Some(Value::VarChar(z)) => parse_offset_tz(z),
                _ => Tz::UTC,
            };
            match &a[0] {
                Value::Timestamp(t) => Value::VarChar(iso8601(t.value(), t.precision(), tz)),
                v => as_int(v).map_or(Value::Null, |i| {
                    Value::VarChar(iso8601(i as i64, precision, tz))
                }),
            }
        }
        "to_unixtimestamp" => match text(0).and_then(|s| parse_timestamp(&s, Tz::UTC, precision)) {
            Some(t) => Value::BigInt(t),
            None => Value::Null,
        },
        "timetruncate" => {
            let (Some(t), Some(unit)) = (a.first().and_then(as_int), a.get(1).and_then(as_int))
            else {
                return Ok(Value::Null);
            };
            let (t, unit) = (t as i64, unit as i64);
            if unit <= 0 {
                return Err(EngineError::new(
                    Code::FUNC_FUNTION_PARA_VALUE,
                    "Invalid parameter value : timetruncate",
                ));
            }
            Value::Timestamp(Timestamp::new(
                t.saturating_sub(t.rem_euclid(unit)),
                precision,
            ))
        }
        "timediff" => match (a.first().and_then(as_int), a.get(1).and_then(as_int)) {
            (Some(x), Some(y)) => {
                let d = (x - y) as i64;
                let unit = a.get(2).and_then(as_int).unwrap_or(1).max(1) as i64;
                Value::BigInt(d / unit)
            }
            _ => Value::Null,
        },
        _ => Value::Null,
    })
}

/// An integer as a value of integer type `ty` (NULL when it does not fit).
fn int_value(ty: Type, v: i128) -> Value {
    match ty {
        Type::TinyInt => i8::try_from(v).map_or(Value::Null, Value::TinyInt),
        Type::SmallInt => i16::try_from(v).map_or(Value::Null, Value::SmallInt),
        Type::Int => i32::try_from(v).map_or(Value::Null, Value::Int),
        Type::UTinyInt => u8::try_from(v).map_or(Value::Null, Value::UTinyInt),
        Type::USmallInt => u16::try_from(v).map_or(Value::Null, Value::USmallInt),
        Type::UInt => u32::try_from(v).map_or(Value::Null, Value::UInt),
        Type::UBigInt => u64::try_from(v).map_or(Value::Null, Value::UBigInt),
        _ => i64::try_from(v).map_or(Value::Null, Value::BigInt),
    }
}

/// A zone from an IANA name or a whole-hour offset such as `+08:00` / `-0500` / `Z`
/// (UTC when neither).
fn parse_offset_tz(z: &str) -> Tz {
    let z = z.trim();
    if let Ok(tz) = z.parse::<Tz>() {
        return tz;
    }
    if z.eq_ignore_ascii_case("z") {
        return Tz::UTC;
    }
    let (sign, rest) = match z.as_bytes().first() {
        Some(b'+') => (1, &z[1..]),
        Some(b'-') => (-1, &z[1..]),
        _ => return Tz::UTC,
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let (hh, mm) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().unwrap_or(0), 0),
        3 | 4 => {
            let (h, m) = digits.split_at(digits.len() - 2);
            (h.parse::<i32>().unwrap_or(0), m.parse::<i32>().unwrap_or(0))
        }
        _ => return Tz::UTC,
    };
    if mm != 0 || hh > 14 {
        return Tz::UTC;
    }
    // Etc/GMT zones have inverted signs: UTC+8 is Etc/GMT-8.
    let name = if hh == 0 {
        "Etc/GMT".to_string()
    } else {
        format!("Etc/GMT{}{hh}", if sign > 0 { '-' } else { '+' })
    };
    name.parse::<Tz>().unwrap_or(Tz::UTC)
}

/// Makes `v` a value of `col`'s type in `precision` (NULL when it cannot be), so that
/// every block a result produces can be encoded as its column list declares.
pub(crate) fn conform(v: &mut Value, col: &Column, precision: Precision) {
    match v {
        Value::Null => {}
        Value::Timestamp(t) if col.ty == Type::Timestamp => {
            if t.precision() != precision {
                *t = t.to_precision(precision);
            }
        }
        Value::Decimal(_) if col.ty.is_decimal() => {}
        _ if v.ty() == col.ty => {}
        _ => {
            let spec = TypeSpec {
                ty: col.ty,
                length: col.length,
                precision: col.precision,
                scale: col.scale,
            };
            *v = cast(v, &spec, precision).unwrap_or(Value::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("abc", "a%"));
        assert!(like("abc", "%c"));
        assert!(like("abc", "a_c"));
        assert!(!like("abc", "a_"));
        assert!(like("a%c", "a\\%c"));
        assert!(!like("abc", "a\\%c"));
        assert!(like("", "%"));
        assert!(like("涛思数据", "涛%据"));
    }

    #[test]
    fn compare_mixed() {
        assert_eq!(
            compare(&Value::Int(1), &Value::Double(1.5)),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare(&Value::UBigInt(u64::MAX), &Value::BigInt(-1)),
            Some(Ordering::Greater)
        );
        assert_eq!(compare(&Value::Null, &Value::Int(1)), None);
        assert_eq!(
            compare(&Value::VarChar("b".into()), &Value::NChar("a".into())),
            Some(Ordering::Greater)
        );
    }
}
