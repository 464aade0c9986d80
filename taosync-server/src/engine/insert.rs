//! INSERT: value validation, auto-create, and the single row-write path.

use std::collections::HashSet;

use super::Session;
use super::ast::{InsValue, InsertClause, ObjName, UsingClause};
use super::catalog::db_mut;
use super::catalog::{Catalog, Schema};
use super::convert::{Const, WriteCtx, coerce, eval_const};
use super::ddl::create_child;
use super::error::{EResult, EngineError};
use super::storage::StoredRow;
use super::time::now_ticks;
use taosync_proto::code::Code;
use taosync_proto::types::Precision;
use taosync_proto::value::Value;

/// Rows ready to be written into one table.
pub(super) struct PendingWrite {
    db: String,
    table: String,
    rows: Vec<StoredRow>,
    /// The slots written when a column list names only some columns.
    merge: Option<Vec<usize>>,
}

/// Executes an INSERT statement; returns the number of rows written.
pub(super) fn insert(s: &mut Session, clauses: Vec<InsertClause>) -> EResult<u64> {
    let now_ns = now_ticks(Precision::Nanosecond);
    let tz = s.tz;
    let current = s.db.clone();
    let enforce_keep = s.engine.config.enforce_keep;
    let mut cat = s.engine.write();
    let mut pending = Vec::new();
    for clause in clauses {
        if clause.table_placeholder {
            return Err(EngineError::insert_syntax("?", "? only used in stmt"));
        }
        let dbn = match clause.table.db.as_deref().or(current.as_deref()) {
            Some(d) => d.to_string(),
            None => return Err(EngineError::db_not_specified()),
        };
        let precision = db_mut(&mut cat, &dbn)?.precision();
        let ctx = WriteCtx {
            tz,
            precision,
            now: scale_now(now_ns, precision),
        };
        // Supertable syntax: INSERT INTO stb (tbname, …) VALUES (…).
        let is_stable = cat
            .dbs
            .get(&dbn)
            .is_some_and(|d| d.stables.contains_key(&clause.table.name));
        if is_stable && clause.using.is_none() {
            stable_form(
                &mut cat,
                &dbn,
                &clause,
                &ctx,
                current.as_deref(),
                enforce_keep,
                &mut pending,
            )?;
            continue;
        }
        if let Some(using) = &clause.using {
            create_child(
                &mut cat,
                &dbn,
                &clause.table.name,
                using,
                true,
                tz,
                current.as_deref(),
            )?;
        }
        let (rows, merge) = build_rows(
            &cat,
            &dbn,
            &clause.table.name,
            clause.columns.as_deref(),
            &clause.rows,
            &ctx,
            enforce_keep,
        )?;
        pending.push(PendingWrite {
            db: dbn,
            table: clause.table.name.clone(),
            rows,
            merge,
        });
    }
    let mut affected = 0u64;
    for p in pending {
        affected += write_rows(&mut cat, &p.db, &p.table, p.rows, p.merge.as_deref())?;
    }
    drop(cat);
    s.engine.notify_writes();
    Ok(affected)
}

fn scale_now(now_ns: i64, precision: Precision) -> i64 {
    now_ns / (1_000_000_000 / precision.per_second())
}

fn stable_form(
    cat: &mut Catalog,
    dbn: &str,
    clause: &InsertClause,
    ctx: &WriteCtx,
    current: Option<&str>,
    enforce_keep: bool,
    pending: &mut Vec<PendingWrite>,
) -> EResult<()> {
    let Some(cols) = &clause.columns else {
        return Err(EngineError::invalid_operation(
            "tbname column can not be null",
        ));
    };
    let Some(tbi) = cols.iter().position(|c| c.eq_ignore_ascii_case("tbname")) else {
        return Err(EngineError::invalid_operation(
            "tbname column can not be null",
        ));
    };
    let schema = cat
        .dbs
        .get(dbn)
        .and_then(|d| d.stables.get(&clause.table.name))
        .map(|st| st.schema.clone())
        .ok_or_else(|| EngineError::table_not_exist(&clause.table.name))?;
    let mut tag_pos = Vec::new();
    let mut col_pos = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        if i == tbi {
            continue;
        }
        if schema.tag_index(c).is_some() {
            tag_pos.push(i);
        } else {
            col_pos.push(i);
        }
    }
    let data_cols: Vec<String> = col_pos.iter().map(|&i| cols[i].clone()).collect();
    let tag_names: Vec<String> = tag_pos.iter().map(|&i| cols[i].clone()).collect();
    for row in &clause.rows {
        if row.len() != cols.len() {
            return Err(EngineError::code(Code::PAR_INVALID_COLUMNS_NUM));
        }
        let name = match eval_const(&row[tbi], ctx)? {
            Const::Str(s) if !s.is_empty() => s.to_string(),
            Const::Int(s) | Const::Float(s) => s.to_string(),
            _ => {
                return Err(EngineError::invalid_operation(
                    "tbname column can not be null",
                ));
            }
        };
        if name.contains('.') {
            return Err(EngineError::invalid_operation("tbname can not contain '.'"));
        }
        let using = UsingClause {
            stable: ObjName {
                db: Some(dbn.to_string()),
                name: clause.table.name.clone(),
            },
            tag_names: Some(tag_names.clone()),
            tags: tag_pos.iter().map(|&i| row[i].clone()).collect(),
        };
        create_child(cat, dbn, &name, &using, true, ctx.tz, current)?;
        let values: Vec<InsValue> = col_pos.iter().map(|&i| row[i].clone()).collect();
        let (rows, merge) = build_rows(
            cat,
            dbn,
            &name,
            Some(&data_cols),
            std::slice::from_ref(&values),
            ctx,
            enforce_keep,
        )?;
        pending.push(PendingWrite {
            db: dbn.to_string(),
            table: name,
            rows,
            merge,
        });
    }
    Ok(())
}

/// The data-column positions a column list binds to (all columns without a list).
fn bind_columns(schema: &Schema, columns: Option<&[String]>) -> EResult<Vec<usize>> {
    let Some(cols) = columns else {
        return Ok((0..schema.columns.len()).collect());
    };
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(cols.len());
    for c in cols {
        let i = schema
            .columns
            .iter()
            .position(|d| d.name == *c)
            .or_else(|| {
                schema
                    .columns
                    .iter()
                    .position(|d| d.name.eq_ignore_ascii_case(c))
            })
            .ok_or_else(|| EngineError::invalid_column(c))?;
        if !seen.insert(i) {
            return Err(EngineError::insert_syntax(c, "duplicated column name"));
        }
        out.push(i);
    }
    if !out.contains(&0) {
        return Err(EngineError::invalid_operation(
            "primary timestamp column can not be null",
        ));
    }
    Ok(out)
}

fn build_rows(
    cat: &Catalog,
    dbn: &str,
    table: &str,
    columns: Option<&[String]>,
    rows: &[Vec<InsValue>],
    ctx: &WriteCtx,
    enforce_keep: bool,
) -> EResult<(Vec<StoredRow>, Option<Vec<usize>>)> {
    let db = cat.dbs.get(dbn).ok_or_else(EngineError::db_not_exist)?;
    let t = db.tables.get(table).ok_or_else(|| {
        if db.stables.contains_key(table) {
            EngineError::invalid_operation("tbname column can not be null")
        } else {
            EngineError::table_not_exist(table)
        }
    })?;
    let schema = db
        .schema_of(t)
        .ok_or_else(|| EngineError::table_not_exist(table))?;
    let positions = bind_columns(schema, columns)?;
    let merge = merge_slots(schema, &positions);
    let keep_lo = keep_floor(db, ctx, enforce_keep);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if row.len() != positions.len() {
            return Err(EngineError::code(Code::PAR_INVALID_COLUMNS_NUM));
        }
        let mut vals = vec![Value::Null; schema.next_slot];
        let mut ts = None;
        for (v, &ci) in row.iter().zip(&positions) {
            let col = &schema.columns[ci];
            let c = eval_const(v, ctx)?;
            let val = coerce(&c, col, &v.near, ctx)?;
            if ci == 0 {
                match &val {
                    Value::Timestamp(t) => ts = Some(t.value()),
                    _ => {
                        return Err(EngineError::insert_syntax(
                            &v.near,
                            "primary timestamp should not be null",
                        ));
                    }
                }
            }
            if let Some(slot) = vals.get_mut(col.slot) {
                *slot = val;
            }
        }
        let Some(ts) = ts else {
            return Err(EngineError::invalid_operation(
                "primary timestamp column can not be null",
            ));
        };
        if ts < keep_lo {
            return Err(EngineError::code(Code::TDB_TIMESTAMP_OUT_OF_RANGE));
        }
        out.push(StoredRow {
            ts,
            vals: vals.into_boxed_slice(),
        });
    }
    Ok((out, merge))
}

/// The slots a partial column list writes (`None` when it covers every column).
fn merge_slots(schema: &Schema, positions: &[usize]) -> Option<Vec<usize>> {
    if positions.len() >= schema.columns.len() {
        return None;
    }
    Some(positions.iter().map(|&i| schema.columns[i].slot).collect())
}

/// Writes validated rows into `db.table`. Every row written by any path (SQL INSERT, stmt,
/// schemaless) goes through here, and is appended to the table's vgroup WAL for TMQ
/// (callers wake pollers with `Engine::notify_writes` once the catalog lock is released).
/// Returns the number of distinct rows written.
pub(super) fn write_rows(
    cat: &mut Catalog,
    dbn: &str,
    table: &str,
    rows: Vec<StoredRow>,
    merge: Option<&[usize]>,
) -> EResult<u64> {
    let db = cat.dbs.get(dbn).ok_or_else(EngineError::db_not_exist)?;
    let t = db
        .tables
        .get(table)
        .ok_or_else(|| EngineError::table_not_exist(table))?;
    super::topics::append(&cat.wal, db, t, &rows);
    let db = cat.dbs.get_mut(dbn).ok_or_else(EngineError::db_not_exist)?;
    let t = db
        .tables
        .get_mut(table)
        .ok_or_else(|| EngineError::table_not_exist(table))?;
    let mut seen = HashSet::with_capacity(rows.len());
    let mut n = 0u64;
    for r in rows {
        if seen.insert(r.ts) {
            n += 1;
        }
        t.data.upsert(r, merge);
    }
    Ok(n)
}

/// Where [`Session::insert_rows`](super::Session::insert_rows) writes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowTarget {
    /// Database (the session's current one when `None`).
    pub db: Option<String>,
    /// Table name (as stored: already folded / unquoted).
    pub table: String,
    /// Auto-create the table as a child when it does not exist.
    pub using: Option<AutoCreate>,
    /// Column names the row values bind to (all data columns in order when `None`).
    pub columns: Option<Vec<String>>,
}

/// The `USING stb [(tags)] TAGS (…)` part of a [`RowTarget`], with typed tag values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AutoCreate {
    /// Supertable name.
    pub stable: String,
    /// Tag names the values bind to (all tags in order when `None`).
    pub tag_names: Option<Vec<String>>,
    /// Tag values.
    pub tags: Vec<Value>,
}

/// Writes typed rows; see [`Session::insert_rows`](super::Session::insert_rows).
pub(super) fn insert_rows(s: &Session, target: &RowTarget, rows: &[Vec<Value>]) -> EResult<u64> {
    let dbn = s.db_for(target.db.as_deref())?;
    let tz = s.tz;
    let enforce_keep = s.engine.config.enforce_keep;
    let mut cat = s.engine.write();
    let precision = db_mut(&mut cat, &dbn)?.precision();
    let ctx = WriteCtx {
        tz,
        precision,
        now: scale_now(now_ticks(Precision::Nanosecond), precision),
    };
    if let Some(using) = &target.using {
        super::ddl::create_child_with(
            &mut cat,
            &dbn,
            &target.table,
            &using.stable,
            true,
            tz,
            |schema, ctx| {
                let positions: Vec<usize> = match &using.tag_names {
                    Some(names) => names
                        .iter()
                        .map(|n| {
                            schema.tag_index(n).ok_or_else(|| {
                                EngineError::new(
                                    Code::PAR_INVALID_TAG_NAME,
                                    format!("Invalid tag name: {n}"),
                                )
                            })
                        })
                        .collect::<EResult<_>>()?,
                    None => (0..schema.tags.len()).collect(),
                };
                if positions.len() != using.tags.len() {
                    return Err(EngineError::code(Code::PAR_TAGS_NOT_MATCHED));
                }
                let mut out = vec![Value::Null; schema.tags.len()];
                for (p, v) in positions.into_iter().zip(&using.tags) {
                    out[p] = super::convert::typed_value(v, &schema.tags[p], &ctx)?;
                }
                Ok(out)
            },
        )?;
    }
    let db = cat.dbs.get(&dbn).ok_or_else(EngineError::db_not_exist)?;
    let t = db
        .tables
        .get(&target.table)
        .ok_or_else(|| EngineError::table_not_exist(&target.table))?;
    let schema = db
        .schema_of(t)
        .ok_or_else(|| EngineError::table_not_exist(&target.table))?;
    let positions = bind_columns(schema, target.columns.as_deref())?;
    let merge = merge_slots(schema, &positions);
    let keep_lo = keep_floor(db, &ctx, enforce_keep);
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        if row.len() != positions.len() {
            return Err(EngineError::code(Code::PAR_INVALID_COLUMNS_NUM));
        }
        let mut vals = vec![Value::Null; schema.next_slot];
        for (v, &ci) in row.iter().zip(&positions) {
            let col = &schema.columns[ci];
            if let Some(slot) = vals.get_mut(col.slot) {
                *slot = super::convert::typed_value(v, col, &ctx)?;
            }
        }
        let ts = match vals.get(schema.ts_slot()) {
            Some(Value::Timestamp(t)) => t.value(),
            _ => {
                return Err(EngineError::invalid_operation(
                    "primary timestamp column can not be null",
                ));
            }
        };
        if ts < keep_lo {
            return Err(EngineError::code(Code::TDB_TIMESTAMP_OUT_OF_RANGE));
        }
        stored.push(StoredRow {
            ts,
            vals: vals.into_boxed_slice(),
        });
    }
    let n = write_rows(&mut cat, &dbn, &target.table, stored, merge.as_deref())?;
    drop(cat);
    s.engine.notify_writes();
    Ok(n)
}

fn keep_floor(db: &super::catalog::Database, ctx: &WriteCtx, enforce_keep: bool) -> i64 {
    if !enforce_keep {
        return i64::MIN;
    }
    let keep_ticks = db.options.keep_minutes[2]
        .saturating_mul(60)
        .saturating_mul(ctx.precision.per_second());
    ctx.now.saturating_sub(keep_ticks)
}
