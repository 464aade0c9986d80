//! Turning a parsed batch into what the engine must do: supertables to create or alter,
//! child tables to create, rows to insert (`smlModifyDBSchemas`, `smlBuildFieldsList`,
//! `smlFindNearestPowerOf2` and `smlInsertData` in TDengine's `clientSml.c`).
//!
//! The plan is plain data, computed without touching the database, so the engine can check
//! it and apply it under one lock: every schema change, then every child table, then every
//! row.

use std::collections::{HashMap, HashSet};

use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::{Timestamp, Type};
use taosync_proto::value::Value;

use super::{
    MAX_BINARY_LEN, MAX_NCHAR_LEN, NULL_TAG, SmlBatch, SmlError, SmlPoint, TS_COLUMN, codes,
    value_width,
};

/// Most tags a supertable may have (`TSDB_MAX_TAGS`).
const MAX_TAGS: usize = 128;
/// Most columns plus tags (`TSDB_MAX_COLUMNS`).
const MAX_COLUMNS: usize = 4096;
/// Most bytes of all tags (`TSDB_MAX_TAGS_LEN`).
const MAX_TAGS_LEN: usize = 16_384;
/// Most bytes of one row (`TSDB_MAX_BYTES_PER_ROW`).
const MAX_ROW_LEN: usize = 65_531;
/// Widths below this round up to a power of two (`BOUNDARY` in `clientSml.c`).
const POWER_OF_TWO_BOUNDARY: usize = 1024;

/// The declared width schemaless gives a VARCHAR, NCHAR, VARBINARY or GEOMETRY column or tag
/// that must hold `length` (bytes of text, as `value_width` counts them):
/// the smallest power of two strictly greater than `length` when `length < 1024`, else
/// `length`, capped at the type's maximum (65517 bytes, NCHAR 16379 characters). NCHAR widths
/// are in characters (TDengine counts the UTF-8 bytes of the value as characters). Fixed-width
/// types return their size in bytes: VARCHAR 2 → 4, NCHAR 23 → 32, VARCHAR 4 → 8,
/// VARCHAR 1500 → 1500, DOUBLE → 8.
pub fn var_width(ty: Type, length: usize) -> u32 {
    let max = match ty {
        Type::NChar => MAX_NCHAR_LEN,
        Type::VarChar | Type::VarBinary | Type::Geometry => MAX_BINARY_LEN,
        other => return other.fixed_size().unwrap_or(0) as u32,
    };
    let width = if length >= POWER_OF_TWO_BOUNDARY {
        length
    } else {
        let mut w = 1;
        while w <= length {
            w <<= 1;
        }
        w
    };
    width.min(max) as u32
}

/// Bytes one value of `column` takes in a row or in the tag area (`SSchema.bytes`).
fn column_bytes(column: &Column) -> usize {
    let n = column.length as usize;
    match column.ty {
        Type::NChar => n * 4 + 2,
        Type::VarChar | Type::VarBinary | Type::Geometry | Type::Json => n + 2,
        other => other.fixed_size().unwrap_or(n),
    }
}

/// The schema of an existing supertable.
#[derive(Clone, Debug, PartialEq)]
pub struct StableSchema {
    /// The data columns; the first is the timestamp column.
    pub columns: Vec<Column>,
    /// The tag columns.
    pub tags: Vec<Column>,
}

/// What a table name already denotes in the target database.
#[derive(Clone, Debug, PartialEq)]
pub enum ExistingTable {
    /// A supertable with this schema.
    Super(StableSchema),
    /// A child table of supertable `stable`.
    Child {
        /// Its supertable.
        stable: String,
    },
    /// A normal (non-super, non-child) table.
    Normal,
}

/// The read-only view of the target database that [`plan`] needs; the engine implements it
/// (closures `Fn(&str) -> Option<ExistingTable>` do too).
pub trait SchemaLookup {
    /// What `name` is in the target database, or `None` when no table has that name.
    fn table(&self, name: &str) -> Option<ExistingTable>;
}

impl<F: Fn(&str) -> Option<ExistingTable>> SchemaLookup for F {
    fn table(&self, name: &str) -> Option<ExistingTable> {
        self(name)
    }
}

/// One change to an existing supertable, in the order TDengine applies them (tags first).
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaChange {
    /// `ALTER STABLE … ADD TAG`.
    AddTag(Column),
    /// `ALTER STABLE … MODIFY TAG name VARCHAR/NCHAR(length)`.
    WidenTag {
        /// The tag.
        name: String,
        /// The new declared width.
        length: u32,
    },
    /// `ALTER STABLE … ADD COLUMN`.
    AddColumn(Column),
    /// `ALTER STABLE … MODIFY COLUMN name VARCHAR/NCHAR(length)`.
    WidenColumn {
        /// The column.
        name: String,
        /// The new declared width.
        length: u32,
    },
}

/// One row of a child table, sparse: only the values the point had.
///
/// Sparse so that a small payload cannot expand into a huge dense matrix (a batch that
/// adds thousands of columns once and then writes many one-field rows).
#[derive(Clone, Debug, PartialEq)]
pub struct SmlRow {
    /// The timestamp, in the database precision (goes into column 0).
    pub ts: Timestamp,
    /// `(index into StablePlan::columns, value)` for every field of the point, in the
    /// order written; indexes are at least 1 and distinct. Other columns are NULL.
    pub values: Vec<(usize, Value)>,
}

impl SmlRow {
    /// The row as a dense vector of `width` values (`StablePlan::columns.len()`): the
    /// timestamp first, NULL where the point had no value.
    pub fn to_dense(&self, width: usize) -> Vec<Value> {
        let mut row = vec![Value::Null; width.max(1)];
        row[0] = Value::Timestamp(self.ts);
        for (i, v) in &self.values {
            if let Some(slot) = row.get_mut(*i) {
                *slot = v.clone();
            }
        }
        row
    }
}

/// The rows of one child table.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildPlan {
    /// The child table name.
    pub name: String,
    /// True when the child table already exists (its tags are then left as they are).
    pub exists: bool,
    /// `(index into StablePlan::tags, value)` for the tags of the first point of this child
    /// in the batch (other tags NULL); used when creating the child.
    pub tags: Vec<(usize, Value)>,
    /// The rows, in payload order; a later row with the same timestamp overwrites an
    /// earlier one.
    pub rows: Vec<SmlRow>,
}

impl ChildPlan {
    /// The tag values as a dense vector of `width` values (`StablePlan::tags.len()`).
    pub fn tags_dense(&self, width: usize) -> Vec<Value> {
        let mut tags = vec![Value::Null; width];
        for (i, v) in &self.tags {
            if let Some(slot) = tags.get_mut(*i) {
                *slot = v.clone();
            }
        }
        tags
    }
}

/// What to do for one supertable.
#[derive(Clone, Debug, PartialEq)]
pub struct StablePlan {
    /// The supertable name.
    pub name: String,
    /// True when the supertable must be created with [`columns`](Self::columns) and
    /// [`tags`](Self::tags) (then [`changes`](Self::changes) is empty).
    pub create: bool,
    /// Changes to an existing supertable.
    pub changes: Vec<SchemaChange>,
    /// The complete column list after the plan is applied (first: the timestamp column).
    pub columns: Vec<Column>,
    /// The complete tag list after the plan is applied.
    pub tags: Vec<Column>,
    /// The child tables written, in first-appearance order.
    pub children: Vec<ChildPlan>,
}

/// Everything a schemaless write does, per supertable in first-appearance order.
#[derive(Clone, Debug, PartialEq)]
pub struct SmlPlan {
    /// One entry per supertable.
    pub stables: Vec<StablePlan>,
    /// The rows written (the `affected_rows` of the reply).
    pub affected_rows: usize,
}

/// A column or tag as the batch needs it: its first type and widest value.
struct Needed {
    name: String,
    ty: Type,
    width: usize,
}

/// The columns (or tags) a group of points needs, in first-appearance order, with an index
/// by name so collecting stays linear in the number of fields.
#[derive(Default)]
struct NeededSet {
    list: Vec<Needed>,
    index: HashMap<String, usize>,
}

impl NeededSet {
    fn collect(&mut self, fields: &[super::SmlField]) {
        for field in fields {
            let width = value_width(&field.value);
            match self.index.get(field.name.as_str()) {
                Some(&i) => {
                    if let Some(n) = self.list.get_mut(i) {
                        n.width = n.width.max(width);
                    }
                }
                None => {
                    self.index.insert(field.name.clone(), self.list.len());
                    self.list.push(Needed {
                        name: field.name.clone(),
                        ty: field.value.ty(),
                        width,
                    });
                }
            }
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
}

fn new_column(n: &Needed) -> Column {
    Column::new(n.name.clone(), n.ty, var_width(n.ty, n.width))
}

fn duplicated(name: &str, stable: &str) -> SmlError {
    SmlError::new(
        codes::PAR_DUPLICATED_COLUMN,
        format!("{name:?} is both a tag and a column of supertable {stable:?}"),
    )
}

/// Merges the needed columns into `current` (an existing supertable's columns or tags),
/// recording changes.
fn evolve(
    stable: &str,
    current: &mut Vec<Column>,
    needed: &[Needed],
    other_kind: &[Column],
    is_tag: bool,
    changes: &mut Vec<SchemaChange>,
) -> Result<(), SmlError> {
    let others: HashSet<&str> = other_kind.iter().map(|c| c.name.as_str()).collect();
    let mut index: HashMap<String, usize> = current
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), i))
        .collect();
    for n in needed {
        if others.contains(n.name.as_str()) {
            return Err(duplicated(&n.name, stable));
        }
        match index.get(n.name.as_str()).and_then(|&i| current.get_mut(i)) {
            Some(column) => {
                if column.ty != n.ty {
                    return Err(SmlError::new(
                        Code::SML_INVALID_DATA,
                        format!(
                            "point type and db type mismatch: {} {:?} of {stable:?} is {} in the database but {} in the data",
                            if is_tag { "tag" } else { "column" },
                            n.name,
                            column.ty,
                            n.ty
                        ),
                    ));
                }
                if n.ty.is_var() && (column.length as usize) < n.width {
                    let length = var_width(n.ty, n.width);
                    column.length = length;
                    let name = n.name.clone();
                    changes.push(if is_tag {
                        SchemaChange::WidenTag { name, length }
                    } else {
                        SchemaChange::WidenColumn { name, length }
                    });
                }
            }
            None => {
                let column = new_column(n);
                index.insert(column.name.clone(), current.len());
                current.push(column.clone());
                changes.push(if is_tag {
                    SchemaChange::AddTag(column)
                } else {
                    SchemaChange::AddColumn(column)
                });
            }
        }
    }
    Ok(())
}

fn check_counts(stable: &str, columns: usize, tags: usize) -> Result<(), SmlError> {
    if tags > MAX_TAGS {
        return Err(SmlError::new(
            codes::PAR_INVALID_TAGS_NUM,
            format!("too many tags than {MAX_TAGS} in supertable {stable:?}"),
        ));
    }
    if columns + tags > MAX_COLUMNS {
        return Err(SmlError::new(
            codes::PAR_TOO_MANY_COLUMNS,
            format!("too many columns than {MAX_COLUMNS} in supertable {stable:?}"),
        ));
    }
    Ok(())
}

fn check_limits(stable: &str, columns: &[Column], tags: &[Column]) -> Result<(), SmlError> {
    check_counts(stable, columns.len(), tags.len())?;
    if tags.iter().map(column_bytes).sum::<usize>() > MAX_TAGS_LEN {
        return Err(SmlError::new(
            codes::PAR_INVALID_TAGS_LENGTH,
            format!("the tags of supertable {stable:?} exceed {MAX_TAGS_LEN} bytes"),
        ));
    }
    if columns.iter().map(column_bytes).sum::<usize>() > MAX_ROW_LEN {
        return Err(SmlError::new(
            codes::PAR_INVALID_ROW_LENGTH,
            format!("a row of supertable {stable:?} exceeds {MAX_ROW_LEN} bytes"),
        ));
    }
    Ok(())
}

/// Computes what writing `batch` does to the database `lookup` describes.
///
/// New supertables get `_ts TIMESTAMP`, the data columns in first-appearance order and the
/// tags in first-appearance order (or the placeholder `_tag_null NCHAR(1)` when no point has
/// tags), variable widths per [`var_width`]. Existing supertables gain missing tags and
/// columns and have VARCHAR/NCHAR widths widened; a type that differs from the database's is
/// `SML_INVALID_DATA`, a name used both as tag and column `PAR_DUPLICATED_COLUMN`. A child
/// name that is a table of another supertable (or a normal table) is
/// `TDB_TABLE_IN_OTHER_STABLE`; a supertable name that is not a supertable is
/// `TDB_TABLE_ALREADY_EXIST`.
pub fn plan<L: SchemaLookup + ?Sized>(batch: &SmlBatch, lookup: &L) -> Result<SmlPlan, SmlError> {
    // Group points by supertable, keeping first-appearance order.
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&SmlPoint>> = HashMap::new();
    for point in &batch.points {
        let group = groups.entry(point.stable.as_str()).or_insert_with(|| {
            order.push(point.stable.as_str());
            Vec::new()
        });
        group.push(point);
    }

    let mut child_owner: HashMap<&str, &str> = HashMap::new();
    let mut stables = Vec::with_capacity(order.len());
    for name in order {
        let points = groups.get(name).map(Vec::as_slice).unwrap_or_default();
        let mut need_cols = NeededSet::default();
        let mut need_tags = NeededSet::default();
        for point in points {
            need_cols.collect(&point.columns);
            need_tags.collect(&point.tags);
        }
        // Fail fast on oversized schemas before any per-name work.
        check_counts(name, need_cols.list.len() + 1, need_tags.list.len())?;

        let (create, mut columns, mut tags, changes) = match lookup.table(name) {
            None => {
                for t in &need_tags.list {
                    if t.name == TS_COLUMN || need_cols.contains(&t.name) {
                        return Err(duplicated(&t.name, name));
                    }
                }
                if need_cols.contains(TS_COLUMN) {
                    return Err(SmlError::new(
                        codes::PAR_DUPLICATED_COLUMN,
                        format!(
                            "field {TS_COLUMN:?} clashes with the timestamp column of {name:?}"
                        ),
                    ));
                }
                let mut columns = vec![Column::new(TS_COLUMN, Type::Timestamp, 8)];
                columns.extend(need_cols.list.iter().map(new_column));
                let tags = if need_tags.list.is_empty() {
                    vec![Column::new(NULL_TAG, Type::NChar, 1)]
                } else {
                    need_tags.list.iter().map(new_column).collect()
                };
                (true, columns, tags, Vec::new())
            }
            Some(ExistingTable::Super(schema)) => {
                let mut columns = schema.columns;
                let mut tags = schema.tags;
                if columns.is_empty() {
                    return Err(SmlError::new(
                        Code::SML_INTERNAL_ERROR,
                        format!("supertable {name:?} has no timestamp column"),
                    ));
                }
                let mut changes = Vec::new();
                evolve(
                    name,
                    &mut tags,
                    &need_tags.list,
                    &columns,
                    true,
                    &mut changes,
                )?;
                evolve(
                    name,
                    &mut columns,
                    &need_cols.list,
                    &tags,
                    false,
                    &mut changes,
                )?;
                (false, columns, tags, changes)
            }
            Some(_) => {
                return Err(SmlError::new(
                    Code::TDB_TABLE_ALREADY_EXIST,
                    format!("table {name:?} already exists and is not a supertable"),
                ));
            }
        };
        check_limits(name, &columns, &tags)?;
        // The values of a point are placed by name; the timestamp goes first.
        let col_index: HashMap<&str, usize> = columns
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let tag_index: HashMap<&str, usize> = tags
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();

        let mut children: Vec<ChildPlan> = Vec::new();
        let mut child_pos: HashMap<&str, usize> = HashMap::new();
        for point in points {
            let pos = match child_pos.get(point.child.as_str()) {
                Some(&pos) => pos,
                None => {
                    if let Some(owner) = child_owner.get(point.child.as_str())
                        && *owner != name
                    {
                        return Err(in_other_stable(&point.child, owner));
                    }
                    let exists = match lookup.table(&point.child) {
                        None => false,
                        Some(ExistingTable::Child { stable }) if stable == name => true,
                        Some(ExistingTable::Child { stable }) => {
                            return Err(in_other_stable(&point.child, &stable));
                        }
                        Some(_) => {
                            return Err(SmlError::new(
                                Code::TDB_TABLE_IN_OTHER_STABLE,
                                format!(
                                    "table {:?} already exists and is not a child table of {name:?}",
                                    point.child
                                ),
                            ));
                        }
                    };
                    child_owner.insert(point.child.as_str(), name);
                    let tag_values = point
                        .tags
                        .iter()
                        .filter_map(|tag| {
                            tag_index
                                .get(tag.name.as_str())
                                .map(|&i| (i, tag.value.clone()))
                        })
                        .collect();
                    children.push(ChildPlan {
                        name: point.child.clone(),
                        exists,
                        tags: tag_values,
                        rows: Vec::new(),
                    });
                    child_pos.insert(point.child.as_str(), children.len() - 1);
                    children.len() - 1
                }
            };
            let row = SmlRow {
                ts: point.ts,
                values: point
                    .columns
                    .iter()
                    .filter_map(|field| {
                        col_index
                            .get(field.name.as_str())
                            .map(|&i| (i, field.value.clone()))
                    })
                    .collect(),
            };
            if let Some(child) = children.get_mut(pos) {
                child.rows.push(row);
            }
        }
        stables.push(StablePlan {
            name: name.to_string(),
            create,
            changes,
            columns: std::mem::take(&mut columns),
            tags: std::mem::take(&mut tags),
            children,
        });
    }
    Ok(SmlPlan {
        stables,
        affected_rows: batch.points.len(),
    })
}

fn in_other_stable(child: &str, owner: &str) -> SmlError {
    SmlError::new(
        Code::TDB_TABLE_IN_OTHER_STABLE,
        format!("table {child:?} already exists in other stable {owner:?}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_width_of_the_documented_cases() {
        assert_eq!(var_width(Type::VarChar, 2), 4);
        assert_eq!(var_width(Type::NChar, 23), 32);
        assert_eq!(var_width(Type::VarChar, 4), 8);
        assert_eq!(var_width(Type::VarChar, 1500), 1500);
        assert_eq!(var_width(Type::Double, 8), 8);
    }
}
