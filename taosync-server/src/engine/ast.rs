//! The parsed form of the SQL subset.

use taosync_proto::types::Type;

/// A possibly database-qualified name.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjName {
    /// The database, when qualified.
    pub db: Option<String>,
    /// The object name (folded to lowercase unless back-quoted).
    pub name: String,
}

/// A declared SQL type with its length / decimal parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TypeSpec {
    /// The type.
    pub ty: Type,
    /// Declared length: bytes (VARCHAR/VARBINARY/GEOMETRY), characters (NCHAR); byte width
    /// of fixed types.
    pub length: u32,
    /// DECIMAL precision.
    pub precision: u8,
    /// DECIMAL scale.
    pub scale: u8,
}

/// A column or tag definition in CREATE / ALTER.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSpec {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: TypeSpec,
    /// `PRIMARY KEY` / `COMPOSITE KEY` given.
    pub primary_key: bool,
    /// ENCODE option.
    pub encode: Option<String>,
    /// COMPRESS option.
    pub compress: Option<String>,
    /// LEVEL option.
    pub level: Option<String>,
}

/// A literal constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// NULL.
    Null,
    /// TRUE / FALSE.
    Bool(bool),
    /// An integer literal as written (may be hex/binary, may overflow i64).
    Int(String),
    /// A float literal as written.
    Float(String),
    /// A string literal.
    Str(String),
    /// A duration literal: count and unit.
    Duration(i64, String),
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A constant.
    Lit(Lit),
    /// A column / tag / pseudo-column reference, optionally qualified.
    Column {
        /// Table (or alias) qualifier.
        qualifier: Option<String>,
        /// Name.
        name: String,
    },
    /// `-e`
    Neg(Box<Expr>),
    /// `NOT e`
    Not(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A function call; `star` for `f(*)`.
    Func {
        /// Lowercase function name.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        /// Called as `f(*)`.
        star: bool,
    },
    /// `CAST(e AS type)`
    Cast(Box<Expr>, TypeSpec),
    /// `e [NOT] BETWEEN lo AND hi`
    Between {
        /// Tested expression.
        expr: Box<Expr>,
        /// Lower bound.
        lo: Box<Expr>,
        /// Upper bound.
        hi: Box<Expr>,
        /// NOT BETWEEN.
        negated: bool,
    },
    /// `e [NOT] IN (list)`
    InList {
        /// Tested expression.
        expr: Box<Expr>,
        /// Candidates.
        list: Vec<Expr>,
        /// NOT IN.
        negated: bool,
    },
    /// `e [NOT] LIKE pattern` (or MATCH / NMATCH when `regex`).
    Like {
        /// Tested expression.
        expr: Box<Expr>,
        /// Pattern.
        pattern: Box<Expr>,
        /// NOT LIKE / NMATCH.
        negated: bool,
        /// MATCH / NMATCH (regular expression).
        regex: bool,
    },
    /// `e IS [NOT] NULL`
    IsNull(Box<Expr>, bool),
    /// `e -> 'key'`
    JsonGet(Box<Expr>, String),
    /// `e CONTAINS 'key'`
    Contains(Box<Expr>, String),
    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    Case {
        /// The simple-CASE operand.
        operand: Option<Box<Expr>>,
        /// WHEN / THEN pairs.
        whens: Vec<(Expr, Expr)>,
        /// ELSE.
        else_: Option<Box<Expr>>,
    },
    /// `?` placeholder.
    Placeholder,
    /// A bound parameter value (a `?` after [`bind_params`](super::params::bind_params)).
    Param(taosync_proto::value::Value),
}

/// One select-list entry.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectItem {
    /// The expression (`Expr::Column{name:"*"}` for `*` / `t.*`).
    pub expr: Expr,
    /// `AS alias`.
    pub alias: Option<String>,
    /// The source text (used as the default column name).
    pub text: String,
}

/// The FROM source.
#[derive(Clone, Debug, PartialEq)]
pub struct FromItem {
    /// Table / supertable / system table name.
    pub name: ObjName,
    /// Alias.
    pub alias: Option<String>,
}

/// FILL mode of an INTERVAL query.
#[derive(Clone, Debug, PartialEq)]
pub enum Fill {
    /// FILL(NONE) or no FILL.
    None,
    /// FILL(NULL)
    Null,
    /// FILL(VALUE, v, …)
    Value(Vec<Expr>),
    /// FILL(PREV)
    Prev,
    /// FILL(NEXT)
    Next,
    /// FILL(LINEAR)
    Linear,
}

/// A duration: count and unit (`b u a s m h d w n y`; empty for the precision unit).
#[derive(Clone, Debug, PartialEq)]
pub struct Duration {
    /// Count.
    pub count: i64,
    /// Unit letter.
    pub unit: String,
}

/// INTERVAL clause.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    /// Window length.
    pub len: Duration,
    /// Offset.
    pub offset: Option<Duration>,
    /// SLIDING step.
    pub sliding: Option<Duration>,
    /// FILL.
    pub fill: Fill,
}

/// ORDER BY entry.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderItem {
    /// Expression (may be an alias or a position).
    pub expr: Expr,
    /// DESC.
    pub desc: bool,
    /// NULLS FIRST (Some(true)) / NULLS LAST (Some(false)).
    pub nulls_first: Option<bool>,
}

/// A SELECT statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    /// DISTINCT.
    pub distinct: bool,
    /// Select list.
    pub items: Vec<SelectItem>,
    /// FROM (None for `SELECT 1`).
    pub from: Option<FromItem>,
    /// WHERE.
    pub where_: Option<Expr>,
    /// PARTITION BY.
    pub partition_by: Vec<Expr>,
    /// INTERVAL window.
    pub interval: Option<Interval>,
    /// GROUP BY.
    pub group_by: Vec<Expr>,
    /// HAVING.
    pub having: Option<Expr>,
    /// ORDER BY.
    pub order_by: Vec<OrderItem>,
    /// SLIMIT.
    pub slimit: Option<i64>,
    /// SOFFSET.
    pub soffset: Option<i64>,
    /// LIMIT.
    pub limit: Option<i64>,
    /// OFFSET.
    pub offset: Option<i64>,
}

/// A value in an INSERT row or TAGS list, kept close to its source text for errors.
#[derive(Clone, Debug, PartialEq)]
pub struct InsValue {
    /// The expression.
    pub expr: Expr,
    /// Source text from this value on (for `syntax error near '…'`).
    pub near: Near,
}

/// A position in the statement text, cheap to clone; derefs to the (clipped) text from
/// that position on, for `syntax error near '…'` messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Near {
    sql: std::sync::Arc<str>,
    pos: usize,
}

impl Near {
    /// The text of `sql` from byte `pos` on.
    pub fn new(sql: std::sync::Arc<str>, pos: usize) -> Near {
        let pos = pos.min(sql.len());
        Near { sql, pos }
    }
}

impl std::ops::Deref for Near {
    type Target = str;

    fn deref(&self) -> &str {
        let rest = self.sql.get(self.pos..).unwrap_or("");
        super::error::clip(rest, 63)
    }
}

/// `USING stb [(tags)] TAGS (values)`.
#[derive(Clone, Debug, PartialEq)]
pub struct UsingClause {
    /// Supertable.
    pub stable: ObjName,
    /// Tag name list.
    pub tag_names: Option<Vec<String>>,
    /// Tag values.
    pub tags: Vec<InsValue>,
}

/// One table clause of an INSERT.
#[derive(Clone, Debug, PartialEq)]
pub struct InsertClause {
    /// Target table (or supertable for the `tbname` form).
    pub table: ObjName,
    /// The table name was written `?` (stmt): the first bound parameter names it.
    pub table_placeholder: bool,
    /// Auto-create clause.
    pub using: Option<UsingClause>,
    /// Column list.
    pub columns: Option<Vec<String>>,
    /// Rows.
    pub rows: Vec<Vec<InsValue>>,
}

/// A child-table creation (CREATE TABLE … USING).
#[derive(Clone, Debug, PartialEq)]
pub struct CreateChild {
    /// IF NOT EXISTS.
    pub if_not_exists: bool,
    /// Child name.
    pub name: ObjName,
    /// The USING part.
    pub using: UsingClause,
}

/// ALTER actions.
#[derive(Clone, Debug, PartialEq)]
pub enum AlterAction {
    /// ADD COLUMN.
    AddColumn(ColumnSpec),
    /// DROP COLUMN.
    DropColumn(String),
    /// MODIFY COLUMN.
    ModifyColumn(String, Option<TypeSpec>),
    /// RENAME COLUMN.
    RenameColumn(String, String),
    /// ADD TAG.
    AddTag(ColumnSpec),
    /// DROP TAG.
    DropTag(String),
    /// MODIFY TAG.
    ModifyTag(String, TypeSpec),
    /// RENAME TAG.
    RenameTag(String, String),
    /// SET TAG t = v, …
    SetTags(Vec<(String, InsValue)>),
    /// COMMENT / TTL and other options (accepted, ignored).
    Options,
}

/// SHOW variants.
#[derive(Clone, Debug, PartialEq)]
pub enum Show {
    /// SHOW DATABASES (with USER / SYSTEM filter).
    Databases {
        /// Include user databases.
        user: bool,
        /// Include system databases.
        system: bool,
    },
    /// `SHOW [NORMAL|CHILD] TABLES`.
    Tables {
        /// Database.
        db: Option<String>,
        /// Normal tables.
        normal: bool,
        /// Child tables.
        child: bool,
        /// LIKE filter.
        like: Option<String>,
    },
    /// SHOW STABLES.
    Stables {
        /// Database.
        db: Option<String>,
        /// LIKE filter.
        like: Option<String>,
    },
    /// SHOW TAGS FROM.
    Tags(ObjName),
    /// SHOW CREATE TABLE / STABLE.
    CreateTable(ObjName, bool),
    /// SHOW CREATE DATABASE.
    CreateDatabase(String),
    /// SHOW VGROUPS.
    Vgroups(Option<String>),
    /// A system-table-backed SHOW: system table, optional db.
    System(&'static str, Option<String>),
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// CREATE DATABASE.
    CreateDatabase {
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// Name.
        name: String,
        /// Options as (upper-case name, raw value text).
        options: Vec<(String, String)>,
    },
    /// DROP DATABASE.
    DropDatabase {
        /// IF EXISTS.
        if_exists: bool,
        /// Name.
        name: String,
    },
    /// ALTER DATABASE (accepted).
    AlterDatabase(String, Vec<(String, String)>),
    /// FLUSH / COMPACT / TRIM DATABASE (accepted).
    DatabaseMaintenance(String),
    /// USE.
    Use(String),
    /// CREATE STABLE or CREATE TABLE … TAGS.
    CreateStable {
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// Name.
        name: ObjName,
        /// Columns.
        columns: Vec<ColumnSpec>,
        /// Tags.
        tags: Vec<ColumnSpec>,
    },
    /// CREATE TABLE (normal).
    CreateTable {
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// Name.
        name: ObjName,
        /// Columns.
        columns: Vec<ColumnSpec>,
    },
    /// CREATE TABLE … USING (one or more).
    CreateChildren(Vec<CreateChild>),
    /// DROP TABLE / STABLE.
    Drop {
        /// DROP STABLE.
        stable: bool,
        /// Names with their IF EXISTS flag.
        names: Vec<(ObjName, bool)>,
    },
    /// ALTER TABLE / STABLE.
    Alter {
        /// ALTER STABLE.
        stable: bool,
        /// Target.
        name: ObjName,
        /// Action.
        action: AlterAction,
    },
    /// `ALTER TABLE c1 SET TAG … c2 SET TAG …` (several child tables).
    AlterSetTags(Vec<(ObjName, Vec<(String, InsValue)>)>),
    /// INSERT.
    Insert(Vec<InsertClause>),
    /// SELECT.
    Select(Box<Select>),
    /// SHOW.
    Show(Show),
    /// DESCRIBE.
    Describe(ObjName),
    /// DELETE FROM.
    Delete {
        /// Table.
        table: ObjName,
        /// Condition.
        where_: Option<Expr>,
    },
    /// CREATE TOPIC.
    CreateTopic {
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// Name.
        name: String,
        /// What the topic reads.
        target: TopicTarget,
        /// The full SQL text.
        sql: String,
    },
    /// DROP TOPIC.
    DropTopic {
        /// IF EXISTS.
        if_exists: bool,
        /// Name.
        name: String,
        /// FORCE: drop even while consumers are subscribed.
        force: bool,
    },
    /// DROP CONSUMER GROUP (accepted).
    DropConsumerGroup {
        /// IF EXISTS.
        if_exists: bool,
        /// Group.
        group: String,
        /// Topic.
        topic: String,
    },
    /// CREATE USER.
    CreateUser(String, String),
    /// DROP USER.
    DropUser(String),
    /// ALTER USER … PASS.
    AlterUser(String, String),
}

/// What a topic subscribes to.
#[derive(Clone, Debug, PartialEq)]
pub enum TopicTarget {
    /// AS SELECT …
    Query(Box<Select>),
    /// `[WITH META] AS DATABASE db`.
    Database {
        /// Database.
        db: String,
        /// WITH META.
        with_meta: bool,
    },
    /// `[WITH META] AS STABLE stb [WHERE …]`.
    Stable {
        /// Supertable.
        name: ObjName,
        /// WITH META.
        with_meta: bool,
        /// WHERE on tags.
        where_: Option<Expr>,
    },
}
