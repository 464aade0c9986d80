//! Databases, supertables, tables and their schemas.

use std::collections::{BTreeMap, HashMap};

use super::ast::{ColumnSpec, TypeSpec};
use super::error::{EResult, EngineError};
use super::storage::TableData;
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Type};
use taosync_proto::value::Value;

/// A column or tag of a table schema.
#[derive(Clone, Debug, PartialEq)]
pub struct ColDef {
    /// Name as stored.
    pub name: String,
    /// Type.
    pub ty: Type,
    /// Declared length (bytes / characters / fixed width).
    pub length: u32,
    /// DECIMAL precision.
    pub precision: u8,
    /// DECIMAL scale.
    pub scale: u8,
    /// Storage slot of a data column (index into stored rows); tag position for tags.
    pub slot: usize,
    /// Composite primary key column.
    pub primary_key: bool,
    /// ENCODE.
    pub encode: String,
    /// COMPRESS.
    pub compress: String,
    /// LEVEL.
    pub level: String,
}

impl ColDef {
    /// A definition from a parsed spec; `tag` selects the `disabled` codecs.
    pub fn from_spec(spec: &ColumnSpec, slot: usize, tag: bool) -> ColDef {
        let (e, c, l) = if tag {
            ("disabled", "disabled", "disabled")
        } else {
            default_codec(spec.ty.ty)
        };
        ColDef {
            name: spec.name.clone(),
            ty: spec.ty.ty,
            length: spec.ty.length,
            precision: spec.ty.precision,
            scale: spec.ty.scale,
            slot,
            primary_key: spec.primary_key,
            encode: spec.encode.clone().unwrap_or_else(|| e.into()),
            compress: spec.compress.clone().unwrap_or_else(|| c.into()),
            level: spec.level.clone().unwrap_or_else(|| l.into()),
        }
    }

    /// The result column describing this definition.
    pub fn column(&self) -> Column {
        Column::new(self.name.clone(), self.ty, self.length)
            .with_decimal(self.precision, self.scale)
    }

    /// The type spec.
    pub fn type_spec(&self) -> TypeSpec {
        TypeSpec {
            ty: self.ty,
            length: self.length,
            precision: self.precision,
            scale: self.scale,
        }
    }

    /// Type text as DESCRIBE shows it (`VARCHAR`, `DECIMAL(10, 2)`).
    pub fn describe_type(&self) -> String {
        if self.ty.is_decimal() {
            format!("DECIMAL({}, {})", self.precision, self.scale)
        } else {
            self.ty.name().to_string()
        }
    }

    /// Type text with length, as `ins_tags.tag_type` / `ins_columns` show it (`VARCHAR(20)`).
    pub fn full_type(&self) -> String {
        match self.ty {
            Type::VarChar | Type::NChar | Type::VarBinary | Type::Geometry => {
                format!("{}({})", self.ty.name(), self.length)
            }
            t if t.is_decimal() => format!("DECIMAL({},{})", self.precision, self.scale),
            t => t.name().to_string(),
        }
    }

    /// Declared length for DESCRIBE: the fixed width or the declared size.
    pub fn describe_length(&self) -> i32 {
        i32::try_from(self.length).unwrap_or(i32::MAX)
    }
}

fn default_codec(ty: Type) -> (&'static str, &'static str, &'static str) {
    match ty {
        Type::Timestamp | Type::BigInt | Type::UBigInt => ("delta-i", "lz4", "medium"),
        Type::Int | Type::UInt => ("simple8b", "lz4", "medium"),
        Type::TinyInt | Type::SmallInt | Type::UTinyInt | Type::USmallInt => {
            ("simple8b", "zlib", "medium")
        }
        Type::Float | Type::Double => ("delta-d", "lz4", "medium"),
        Type::Bool => ("bit-packing", "zstd", "medium"),
        Type::Decimal | Type::Decimal64 => ("disabled", "zstd", "medium"),
        _ => ("disabled", "zstd", "medium"),
    }
}

/// Columns and tags of a table or supertable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Data columns in order; the first is the primary timestamp.
    pub columns: Vec<ColDef>,
    /// Tags in order (empty for normal tables).
    pub tags: Vec<ColDef>,
    /// The next unused storage slot.
    pub next_slot: usize,
}

impl Schema {
    /// The data column named `name` (case-insensitive fallback).
    pub fn column(&self, name: &str) -> Option<&ColDef> {
        self.columns.iter().find(|c| c.name == name).or_else(|| {
            self.columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
        })
    }

    /// Index of the tag named `name`.
    pub fn tag_index(&self, name: &str) -> Option<usize> {
        self.tags.iter().position(|c| c.name == name).or_else(|| {
            self.tags
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name))
        })
    }

    /// The slot of the primary timestamp.
    pub fn ts_slot(&self) -> usize {
        self.columns.first().map_or(0, |c| c.slot)
    }
}

/// A supertable.
#[derive(Clone, Debug)]
pub struct STable {
    /// Name.
    pub name: String,
    /// Schema.
    pub schema: Schema,
    /// Creation time (ms).
    pub create_time: i64,
}

/// What kind of table.
#[derive(Clone, Debug)]
pub enum TableKind {
    /// A normal table with its own schema.
    Normal(Schema),
    /// A child table of a supertable, with its tag values (in tag order).
    Child {
        /// Supertable name.
        stable: String,
        /// Tag values.
        tags: Vec<Value>,
    },
}

/// A normal or child table.
#[derive(Clone, Debug)]
pub struct Table {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: TableKind,
    /// Rows.
    pub data: TableData,
    /// Unique id (creation order).
    pub uid: i64,
    /// Creation time (ms).
    pub create_time: i64,
    /// Vgroup id.
    pub vgroup: i32,
}

impl Table {
    /// The supertable name for a child.
    pub fn stable(&self) -> Option<&str> {
        match &self.kind {
            TableKind::Child { stable, .. } => Some(stable),
            TableKind::Normal(_) => None,
        }
    }
}

/// Database options, as given / defaulted (rendered by `ins_databases`).
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// Timestamp precision.
    pub precision: Precision,
    /// VGROUPS.
    pub vgroups: i32,
    /// KEEP in minutes (the three values).
    pub keep_minutes: [i64; 3],
    /// DURATION in minutes.
    pub duration_minutes: i64,
    /// Other options by lower-case name, as written.
    pub raw: HashMap<String, String>,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            precision: Precision::Millisecond,
            vgroups: 2,
            keep_minutes: [3650 * 1440; 3],
            duration_minutes: 10 * 1440,
            raw: HashMap::new(),
        }
    }
}

impl DbOptions {
    /// An integer option, or `default`.
    pub fn int(&self, name: &str, default: i64) -> i64 {
        self.raw
            .get(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }

    /// A string option (quotes stripped), or `default`.
    pub fn text(&self, name: &str, default: &str) -> String {
        self.raw
            .get(name)
            .map(|v| v.trim_matches(['\'', '"']).to_string())
            .unwrap_or_else(|| default.to_string())
    }
}

/// Renders minutes in the largest whole unit (`10d`, `36h`, `90m`).
pub fn fmt_minutes(m: i64) -> String {
    if m % 1440 == 0 {
        format!("{}d", m / 1440)
    } else if m % 60 == 0 {
        format!("{}h", m / 60)
    } else {
        format!("{m}m")
    }
}

/// A database.
#[derive(Clone, Debug)]
pub struct Database {
    /// Name.
    pub name: String,
    /// Options.
    pub options: DbOptions,
    /// Creation time (ms).
    pub create_time: i64,
    /// Supertables by name.
    pub stables: BTreeMap<String, STable>,
    /// Normal and child tables by name.
    pub tables: BTreeMap<String, Table>,
}

impl Database {
    /// The precision.
    pub fn precision(&self) -> Precision {
        self.options.precision
    }

    /// The vgroup a table name hashes to (ids start at 2 like a fresh cluster's).
    pub fn vgroup_of(&self, table: &str) -> i32 {
        let mut h: u32 = 0x811c_9dc5;
        for b in table.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        let n = self.options.vgroups.max(1) as u32;
        (h % n) as i32 + 2
    }

    /// Every vgroup id of this database, in order (what [`vgroup_of`](Self::vgroup_of)
    /// returns; a TMQ WAL is created with these).
    pub fn vgroup_ids(&self) -> Vec<i32> {
        (0..self.options.vgroups.max(1)).map(|i| i + 2).collect()
    }

    /// The schema of a table (its own or its supertable's).
    pub fn schema_of<'a>(&'a self, table: &'a Table) -> Option<&'a Schema> {
        match &table.kind {
            TableKind::Normal(s) => Some(s),
            TableKind::Child { stable, .. } => self.stables.get(stable).map(|s| &s.schema),
        }
    }

    /// Children of `stable` in creation order.
    pub fn children_of(&self, stable: &str) -> Vec<&Table> {
        let mut v: Vec<&Table> = self
            .tables
            .values()
            .filter(|t| t.stable() == Some(stable))
            .collect();
        v.sort_by_key(|t| t.uid);
        v
    }
}

/// A topic definition.
#[derive(Clone, Debug)]
pub struct Topic {
    /// Name.
    pub name: String,
    /// Database.
    pub db: String,
    /// Creation time (ms).
    pub create_time: i64,
    /// Original SQL.
    pub sql: String,
    /// `column`, `stable` or `db`.
    pub kind: &'static str,
    /// WITH META.
    pub with_meta: bool,
    /// Supertable or table name for query / stable topics.
    pub table: Option<String>,
}

/// Everything the engine stores.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Databases by name.
    pub dbs: BTreeMap<String, Database>,
    /// Topics by name.
    pub topics: BTreeMap<String, Topic>,
    /// Extra users (name → password); the configured user always exists.
    pub users: BTreeMap<String, String>,
    /// The next uid.
    pub next_uid: i64,
    /// The per-vgroup WALs TMQ reads (every row write appends; see `topics`).
    pub wal: std::sync::Arc<crate::tmq::MemoryWal>,
}

impl Catalog {
    /// A fresh unique id.
    pub fn uid(&mut self) -> i64 {
        self.next_uid += 1;
        self.next_uid
    }
}

/// The two system databases.
pub(crate) const SYSTEM_DBS: [&str; 2] = ["information_schema", "performance_schema"];

/// True for `information_schema` / `performance_schema`.
pub(crate) fn is_system_db(name: &str) -> bool {
    SYSTEM_DBS.contains(&name)
}

/// The database `dbn` for writing (0x0388 when missing; system databases refused).
pub(crate) fn db_mut<'c>(cat: &'c mut Catalog, dbn: &str) -> EResult<&'c mut Database> {
    if is_system_db(dbn) {
        return Err(EngineError::new(
            Code::new(0x2651),
            "System table not allowed",
        ));
    }
    cat.dbs.get_mut(dbn).ok_or_else(EngineError::db_not_exist)
}
