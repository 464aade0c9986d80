//! Topic definitions (03 §1.1.12, 02 §3.7): what a topic reads from the WAL and how its
//! rows are shaped.

use std::fmt;
use std::sync::Arc;

use super::error::TmqResult;
use super::wal::{WalBlock, WalMeta};
use taosync_proto::row::Column;
use taosync_proto::value::Value;

/// Turns the rows of one WAL block into the rows of a query topic (`AS SELECT`):
/// projection and filter. The engine implements it with its expression evaluator;
/// [`SelectColumns`] is a plain column selection with an optional row predicate.
pub trait RowProjector: Send + Sync + fmt::Debug {
    /// The topic's output columns, fixed at creation.
    fn columns(&self) -> Arc<[Column]>;
    /// The output rows for `block` (possibly none), each as long as
    /// [`columns`](Self::columns).
    fn project(&self, block: &WalBlock) -> TmqResult<Vec<Vec<Value>>>;
}

/// A row predicate over a block and one of its rows.
#[cfg(test)]
pub type RowFilter = Arc<dyn Fn(&WalBlock, &[Value]) -> bool + Send + Sync>;

/// A [`RowProjector`] that picks columns (data or tag columns) by name and keeps the rows
/// `filter` accepts. Output column `i` takes the block's column named like `columns[i]`
/// (a tag when no data column has that name; NULL when neither exists).
#[cfg(test)]
#[derive(Clone)]
pub struct SelectColumns {
    columns: Arc<[Column]>,
    filter: Option<RowFilter>,
}

#[cfg(test)]
impl SelectColumns {
    /// Selects `columns` (output schema) from each block, keeping every row.
    pub fn new(columns: Vec<Column>) -> SelectColumns {
        SelectColumns {
            columns: Arc::from(columns),
            filter: None,
        }
    }

    /// The same selection keeping only the rows `filter` accepts.
    pub fn with_filter(mut self, filter: RowFilter) -> SelectColumns {
        self.filter = Some(filter);
        self
    }
}

#[cfg(test)]
impl fmt::Debug for SelectColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectColumns")
            .field("columns", &self.columns)
            .field("filter", &self.filter.is_some())
            .finish()
    }
}

#[cfg(test)]
enum Source {
    Data(usize),
    Tag(usize),
    Missing,
}

#[cfg(test)]
impl RowProjector for SelectColumns {
    fn columns(&self) -> Arc<[Column]> {
        Arc::clone(&self.columns)
    }

    fn project(&self, block: &WalBlock) -> TmqResult<Vec<Vec<Value>>> {
        let sources: Vec<Source> = self
            .columns
            .iter()
            .map(|c| {
                let find = |cols: &[Column]| {
                    cols.iter()
                        .position(|b| b.name.eq_ignore_ascii_case(&c.name))
                };
                match (find(&block.columns), find(&block.tag_columns)) {
                    (Some(i), _) => Source::Data(i),
                    (None, Some(i)) => Source::Tag(i),
                    (None, None) => Source::Missing,
                }
            })
            .collect();
        let mut out = Vec::new();
        for row in &block.rows {
            if let Some(filter) = &self.filter
                && !filter(block, row)
            {
                continue;
            }
            out.push(
                sources
                    .iter()
                    .map(|s| match s {
                        Source::Data(i) => row.get(*i).cloned().unwrap_or(Value::Null),
                        Source::Tag(i) => block.tag_values.get(*i).cloned().unwrap_or(Value::Null),
                        Source::Missing => Value::Null,
                    })
                    .collect(),
            );
        }
        Ok(out)
    }
}

/// What a topic reads.
#[derive(Clone, Debug)]
pub enum TopicKind {
    /// `AS SELECT … FROM table_or_stable [WHERE …]`: rows of `table` (a normal table, or
    /// every child of a supertable of that name), shaped by `projector`.
    Query {
        /// The source table or supertable.
        table: String,
        /// Projection and filter.
        projector: Arc<dyn RowProjector>,
    },
    /// `AS STABLE stb`: the data columns of every child of `stable`.
    Stable {
        /// The supertable.
        stable: String,
    },
    /// `AS DATABASE db`: every table of the database.
    Database,
}

impl TopicKind {}

/// A topic.
#[derive(Clone, Debug)]
pub struct TopicDef {
    /// Topic name (global, lowercase).
    pub name: String,
    /// The database it reads.
    pub db: String,
    /// What it reads.
    pub kind: TopicKind,
    /// Created `WITH META`: table DDL is delivered as meta messages (database and
    /// supertable topics only).
    pub with_meta: bool,
}

/// One block of a delivered message: rows of one table.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageBlock {
    /// The table (`""` is never produced here, but clients must accept it).
    pub table_name: String,
    /// The block's columns.
    pub columns: Arc<[Column]>,
    /// Row-major values.
    pub rows: Vec<Vec<Value>>,
}

impl TopicDef {
    /// Whether this topic delivers the DDL `meta`.
    pub(crate) fn wants_meta(&self, meta: &WalMeta) -> bool {
        self.with_meta
            && match &self.kind {
                TopicKind::Database => true,
                TopicKind::Stable { stable } => meta.stable.as_deref() == Some(stable.as_str()),
                TopicKind::Query { .. } => false,
            }
    }

    /// The blocks of `block` this topic delivers (none when the table is not part of it).
    pub(crate) fn select(&self, block: &WalBlock) -> TmqResult<Option<MessageBlock>> {
        let (columns, rows) = match &self.kind {
            TopicKind::Database => (Arc::clone(&block.columns), block.rows.clone()),
            TopicKind::Stable { stable } => {
                if block.stable.as_deref() != Some(stable.as_str()) {
                    return Ok(None);
                }
                (Arc::clone(&block.columns), block.rows.clone())
            }
            TopicKind::Query { table, projector } => {
                if block.table != *table && block.stable.as_deref() != Some(table.as_str()) {
                    return Ok(None);
                }
                (projector.columns(), projector.project(block)?)
            }
        };
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(MessageBlock {
            table_name: block.table.clone(),
            columns,
            rows,
        }))
    }
}
