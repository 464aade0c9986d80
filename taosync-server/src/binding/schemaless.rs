//! The engine side of schemaless ingestion (02 §2): every network entry point (the `/ws`
//! action `insert`, the legacy `/rest/schemaless` WebSocket, `POST /influxdb/v1/write`, the
//! OpenTSDB endpoints) ends in [`write`], through
//! [`Session::schemaless_insert`](crate::backend::Session::schemaless_insert). It runs the pure [`sml`] layer and then
//! applies its plan through the engine's public API:
//!
//! 1. parse the whole payload ([`sml::parse_with`]) — a bad record fails the batch;
//! 2. plan it against the current catalogue ([`sml::plan`] over [`EngineLookup`]) — type
//!    conflicts, names used twice, tables of other kinds fail here;
//! 3. check what the engine would reject while writing rows (timestamps older than the
//!    database KEEP, names the SQL layer cannot quote);
//! 4. run the schema changes as SQL (`CREATE STABLE`, `ALTER STABLE … ADD/MODIFY`);
//! 5. write the rows with [`engine::Session::insert_rows`], creating child tables on the
//!    way — the same path SQL `INSERT` takes, so the rows are visible to `SELECT` (and TMQ).
//!
//! A batch with a bad line therefore writes nothing. Schemaless writers are serialised by
//! one lock, so two batches cannot race on the same schema change.

use std::sync::{Mutex, PoisonError};

use crate::backend::{DbError, SmlOutcome, SmlRequest};
use crate::engine::error::EngineError;
use crate::engine::{self, AutoCreate, RowTarget, TableKind};
use crate::sml::{
    self, ExistingTable, SchemaChange, SchemaLookup, SmlOptions, SmlPlan, SmlProtocol, StablePlan,
    StableSchema,
};
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Timestamp};
use taosync_proto::value::Value;

/// Most values (rows × columns) materialised at once when a child table's sparse rows are
/// made dense for the engine.
const DENSE_CELLS_PER_CHUNK: usize = 1 << 16;

/// Serialises schemaless writers: planning reads the catalogue and applying changes it, so
/// two batches must not interleave (one would try to add a column the other just added).
static WRITE_LOCK: Mutex<()> = Mutex::new(());

fn sml_error(e: sml::SmlError) -> DbError {
    DbError::new(e.code().value(), e.message())
}

/// The engine's catalogue as [`sml::plan`] sees it.
struct EngineLookup<'a> {
    session: &'a engine::Session,
    db: &'a str,
}

impl SchemaLookup for EngineLookup<'_> {
    fn table(&self, name: &str) -> Option<ExistingTable> {
        let info = self.session.table_info(Some(self.db), name).ok()?;
        Some(match info.kind {
            TableKind::Super => ExistingTable::Super(StableSchema {
                columns: info.columns,
                tags: info.tags,
            }),
            TableKind::Child => ExistingTable::Child {
                stable: info.stable.unwrap_or_default(),
            },
            TableKind::Normal => ExistingTable::Normal,
        })
    }
}

/// The precision of database `db` and the oldest timestamp (in that precision) the engine
/// accepts there (`i64::MIN` when KEEP is not enforced).
fn db_settings(session: &engine::Session, db: &str) -> Result<(Precision, i64), DbError> {
    let engine = session.engine();
    let enforce_keep = engine.config().enforce_keep;
    let catalog = engine.read();
    let database = catalog
        .dbs
        .get(db)
        .ok_or_else(|| DbError::from(EngineError::db_not_exist()))?;
    let precision = database.precision();
    let floor = if enforce_keep {
        let now = engine::time::now_ticks(precision);
        let keep = database.options.keep_minutes[2]
            .saturating_mul(60)
            .saturating_mul(precision.per_second());
        now.saturating_sub(keep)
    } else {
        i64::MIN
    };
    Ok((precision, floor))
}

/// Writes one schemaless batch into the session's current database. See the module docs
/// for the steps; on any error nothing has been written.
pub(crate) fn write(
    session: &mut engine::Session,
    req: &SmlRequest<'_>,
) -> Result<SmlOutcome, DbError> {
    let Some(db) = session.current_db().map(str::to_owned) else {
        return Err(DbError::new(
            Code::PAR_DB_NOT_SPECIFIED.value(),
            "Database not specified",
        ));
    };
    let Some(protocol) = SmlProtocol::from_code(req.protocol) else {
        return Err(DbError::new(
            Code::SML_INVALID_PROTOCOL_TYPE.value(),
            "protocol invalidate",
        ));
    };
    let (precision, keep_floor) = db_settings(session, &db)?;
    let now = Timestamp::new(
        engine::time::now_ticks(Precision::Nanosecond),
        Precision::Nanosecond,
    );
    let options = SmlOptions {
        table_name_key: Some(req.table_name_key)
            .filter(|k| !k.is_empty())
            .map(str::to_owned),
    };
    let batch = sml::parse_with(protocol, req.precision, req.data, precision, now, &options)
        .map_err(sml_error)?;
    log::debug!(
        "schemaless req_id={} protocol={protocol:?} ttl={}: {} records into {db}",
        req.req_id,
        req.ttl,
        batch.total_rows
    );
    let _guard = WRITE_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    let plan = sml::plan(&batch, &EngineLookup { session, db: &db }).map_err(sml_error)?;
    check_plan(&plan, keep_floor)?;
    let affected_rows = apply(session, &db, &plan, req.req_id)?;
    Ok(SmlOutcome {
        affected_rows,
        total_rows: batch.total_rows,
    })
}

/// Rejects, before anything is written, what the engine would only reject halfway: names
/// the SQL layer cannot quote and rows older than the database KEEP.
fn check_plan(plan: &SmlPlan, keep_floor: i64) -> Result<(), DbError> {
    let invalid_name = |what: &str, name: &str| {
        DbError::new(
            Code::SML_INVALID_DATA.value(),
            format!("invalid {what} name {name:?}: a back-quote is not allowed in names"),
        )
    };
    for st in &plan.stables {
        if st.name.contains('`') {
            return Err(invalid_name("supertable", &st.name));
        }
        for c in st.columns.iter().chain(&st.tags) {
            if c.name.contains('`') {
                return Err(invalid_name("column", &c.name));
            }
        }
        for child in &st.children {
            if child.name.contains('`') {
                return Err(invalid_name("table", &child.name));
            }
            if let Some(row) = child.rows.iter().find(|r| r.ts.value() < keep_floor) {
                return Err(DbError::new(
                    Code::TDB_TIMESTAMP_OUT_OF_RANGE.value(),
                    format!(
                        "Timestamp data out of range: {} of table {:?} is older than the database keeps",
                        row.ts, child.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `name` back-quoted for SQL (names with a back-quote were rejected by [`check_plan`]).
fn quoted(name: &str) -> String {
    format!("`{name}`")
}

/// The SQL type of `column`, e.g. `NCHAR(32)` or `BIGINT UNSIGNED`.
fn type_sql(column: &Column) -> String {
    if column.ty.is_var() {
        format!("{}({})", column.ty.name(), column.length)
    } else {
        column.ty.name().to_owned()
    }
}

fn column_list(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| format!("{} {}", quoted(&c.name), type_sql(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE STABLE IF NOT EXISTS` for a supertable the plan creates.
fn create_sql(db: &str, st: &StablePlan) -> String {
    format!(
        "CREATE STABLE IF NOT EXISTS {}.{} ({}) TAGS ({})",
        quoted(db),
        quoted(&st.name),
        column_list(&st.columns),
        column_list(&st.tags)
    )
}

/// The `ALTER STABLE` statement of one schema change.
fn alter_sql(db: &str, stable: &str, change: &SchemaChange, columns: &[Column]) -> String {
    let target = format!("ALTER STABLE {}.{}", quoted(db), quoted(stable));
    let widened = |name: &str, length: u32| {
        let ty = columns
            .iter()
            .find(|c| c.name == name)
            .map_or(taosync_proto::types::Type::VarChar, |c| c.ty);
        format!("{}({length})", ty.name())
    };
    match change {
        SchemaChange::AddTag(c) => format!("{target} ADD TAG {} {}", quoted(&c.name), type_sql(c)),
        SchemaChange::AddColumn(c) => {
            format!("{target} ADD COLUMN {} {}", quoted(&c.name), type_sql(c))
        }
        SchemaChange::WidenTag { name, length } => {
            format!(
                "{target} MODIFY TAG {} {}",
                quoted(name),
                widened(name, *length)
            )
        }
        SchemaChange::WidenColumn { name, length } => format!(
            "{target} MODIFY COLUMN {} {}",
            quoted(name),
            widened(name, *length)
        ),
    }
}

/// Applies a checked plan: every schema change first, then every child table's rows.
/// Returns the rows written.
fn apply(
    session: &mut engine::Session,
    db: &str,
    plan: &SmlPlan,
    req_id: u64,
) -> Result<u64, DbError> {
    for st in &plan.stables {
        if st.create {
            session.execute(&create_sql(db, st), req_id)?;
        }
        let all: Vec<Column> = st.columns.iter().chain(&st.tags).cloned().collect();
        for change in &st.changes {
            session.execute(&alter_sql(db, &st.name, change, &all), req_id)?;
        }
    }
    let mut affected = 0u64;
    for st in &plan.stables {
        let width = st.columns.len().max(1);
        let columns: Vec<String> = st.columns.iter().map(|c| c.name.clone()).collect();
        let tag_names: Vec<String> = st.tags.iter().map(|c| c.name.clone()).collect();
        let chunk = (DENSE_CELLS_PER_CHUNK / width).max(1);
        for child in &st.children {
            let mut using = (!child.exists).then(|| AutoCreate {
                stable: st.name.clone(),
                tag_names: Some(tag_names.clone()),
                tags: child.tags_dense(st.tags.len()),
            });
            for rows in child.rows.chunks(chunk) {
                let dense: Vec<Vec<Value>> = rows.iter().map(|r| r.to_dense(width)).collect();
                let target = RowTarget {
                    db: Some(db.to_owned()),
                    table: child.name.clone(),
                    // Only the first chunk creates the table.
                    using: using.take(),
                    columns: Some(columns.clone()),
                };
                affected += session.insert_rows(&target, &dense)?;
            }
        }
    }
    Ok(affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_text() {
        let st = StablePlan {
            name: "m`x".replace('`', ""),
            create: true,
            changes: Vec::new(),
            columns: vec![
                Column::new("_ts", taosync_proto::types::Type::Timestamp, 8),
                Column::new("v", taosync_proto::types::Type::UBigInt, 8),
                Column::new("s", taosync_proto::types::Type::VarChar, 4),
            ],
            tags: vec![Column::new("t k", taosync_proto::types::Type::NChar, 8)],
            children: Vec::new(),
        };
        assert_eq!(
            create_sql("db", &st),
            "CREATE STABLE IF NOT EXISTS `db`.`mx` (`_ts` TIMESTAMP, `v` BIGINT UNSIGNED, `s` VARCHAR(4)) TAGS (`t k` NCHAR(8))"
        );
        let all: Vec<Column> = st.columns.iter().chain(&st.tags).cloned().collect();
        let widen = SchemaChange::WidenTag {
            name: "t k".into(),
            length: 16,
        };
        assert_eq!(
            alter_sql("db", "mx", &widen, &all),
            "ALTER STABLE `db`.`mx` MODIFY TAG `t k` NCHAR(16)"
        );
    }
}
