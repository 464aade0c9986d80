//! Bound expressions: names resolved against a scope, types computed, ready to evaluate
//! per row.

mod bind;
mod eval;
mod functions;
mod value;

use chrono_tz::Tz;

use super::ast::{BinOp, TypeSpec};
use super::catalog::ColDef;
use super::storage::StoredRow;
use taosync_proto::types::{Precision, Type};
use taosync_proto::value::Value;

pub use bind::Binder;
pub(crate) use value::conform;
pub use value::{as_f64, as_int, cast, compare, like, truthy};

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
