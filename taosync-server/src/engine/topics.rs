//! TMQ inside the engine: the per-vgroup WALs every row write feeds, the [`Broker`] that
//! serves `/rest/tmq`, topic creation and removal through the broker, and the rows of
//! SHOW CONSUMERS / SHOW SUBSCRIPTIONS (02 §3, 03 §1.1.12).
//!
//! Lock order: the catalog lock, then the broker's state lock, then the WAL's lock. The
//! catalog owns the [`MemoryWal`] (so `insert::write_rows`, which only sees the catalog,
//! appends under the catalog write lock); the broker reads the same WAL and never takes
//! the catalog lock — query topics project rows with expressions bound at creation time,
//! not by looking tables up.

use std::sync::Arc;

use super::ast::{Expr, Select, TopicTarget};
use super::catalog::{Catalog, Database, Schema, Table, TableKind};
use super::error::{EResult, EngineError, clip};
use super::expr::{BExpr, Binder, Ctx, Scope, truthy};
use super::storage::StoredRow;
use super::time::now_ticks;
use super::{Engine, Session};
use crate::tmq::{
    Broker, MemoryWal, RowProjector, SystemClock, TmqError, TmqResult, TopicDef, TopicKind,
    WalBlock, WalMeta, consumer_values, subscription_values,
};
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Type};
use taosync_proto::value::Value;

impl From<TmqError> for EngineError {
    fn from(e: TmqError) -> EngineError {
        EngineError::new(e.code, e.message)
    }
}

/// A broker reading `wal` on the system clock.
pub(super) fn new_broker(wal: &Arc<MemoryWal>) -> Arc<Broker> {
    let wal: Arc<MemoryWal> = Arc::clone(wal);
    Arc::new(Broker::new(wal, Arc::new(SystemClock)))
}

impl Engine {
    /// The TMQ broker (topics, consumer groups, offsets) the `/rest/tmq` endpoint serves.
    pub fn broker(&self) -> &Arc<Broker> {
        &self.broker
    }

    /// Wakes consumers blocked in `poll`; called after a write once the catalog lock is
    /// released.
    pub(super) fn notify_writes(&self) {
        self.broker.notify_data();
    }
}

/// Registers the WALs of a new database.
pub(super) fn db_created(cat: &Catalog, db: &Database) {
    cat.wal
        .create_db(&db.name, db.precision(), &db.vgroup_ids());
}

/// Forgets the WALs of a dropped database.
pub(super) fn db_dropped(cat: &Catalog, db: &str) {
    cat.wal.drop_db(db);
}

/// Appends one write request's rows of `table` to its vgroup's WAL. A database created
/// with `WAL_RETENTION_PERIOD 0` keeps no WAL (it cannot have topics either), which spares
/// bulk loads the memory.
pub(super) fn append(wal: &MemoryWal, db: &Database, table: &Table, rows: &[StoredRow]) {
    if db.options.int("wal_retention_period", 3600) == 0 {
        return;
    }
    let Some(schema) = db.schema_of(table) else {
        return;
    };
    let columns: Arc<[Column]> = schema.columns.iter().map(|c| c.column()).collect();
    let values: Vec<Vec<Value>> = rows
        .iter()
        .map(|r| {
            schema
                .columns
                .iter()
                .map(|c| r.get(c.slot).clone())
                .collect()
        })
        .collect();
    let block = match &table.kind {
        TableKind::Child { stable, tags } => WalBlock::child(
            table.name.clone(),
            stable.clone(),
            columns,
            schema.tags.iter().map(|c| c.column()).collect(),
            tags.clone().into(),
            values,
        ),
        TableKind::Normal(_) => WalBlock::normal(table.name.clone(), columns, values),
    };
    if let Err(e) = wal.append(&db.name, table.vgroup, vec![block]) {
        // The WAL set mirrors the catalog; a miss means the database was created before
        // TMQ existed in this engine, which cannot happen, so it is only logged.
        log::warn!(
            "WAL append to {}.{} failed: {}",
            db.name,
            table.name,
            e.message
        );
    }
}

/// Builds a topic from its `CREATE TOPIC` target and registers it with the broker
/// (called under the catalog write lock, after the catalog checks).
pub(super) fn create_topic(
    s: &Session,
    cat: &Catalog,
    name: &str,
    dbn: &str,
    target: &TopicTarget,
) -> EResult<()> {
    let db = cat.dbs.get(dbn).ok_or_else(EngineError::db_not_exist)?;
    let kind = match target {
        TopicTarget::Database { .. } => TopicKind::Database,
        TopicTarget::Stable {
            name: st, where_, ..
        } => {
            let stable = db
                .stables
                .get(&st.name)
                .ok_or_else(|| EngineError::table_not_exist(&st.name))?;
            match where_ {
                None => TopicKind::Stable {
                    stable: st.name.clone(),
                },
                Some(w) => {
                    // A tag filter: the supertable's data columns of the matching children.
                    let scope = scope(s, db, &stable.schema, &st.name);
                    let items = stable
                        .schema
                        .columns
                        .iter()
                        .map(|c| (BExpr::Col(c.slot), c.column()))
                        .collect();
                    let filter = Some(Binder::new(&scope, false).bind(w)?.0);
                    TopicKind::Query {
                        table: st.name.clone(),
                        projector: Arc::new(ExprProjector::new(
                            &stable.schema,
                            items,
                            filter,
                            db.precision(),
                        )),
                    }
                }
            }
        }
        TopicTarget::Query(sel) => query_kind(s, db, sel)?,
    };
    let with_meta = match target {
        TopicTarget::Database { with_meta, .. } | TopicTarget::Stable { with_meta, .. } => {
            *with_meta
        }
        TopicTarget::Query(_) => false,
    };
    let topic = TopicDef {
        name: name.to_owned(),
        db: dbn.to_owned(),
        kind,
        with_meta,
    };
    s.engine.broker.create_topic(topic, false)?;
    Ok(())
}

/// `DROP TOPIC`: refused while subscribed unless `force` (0x03EB).
pub(super) fn drop_topic(engine: &Engine, name: &str, force: bool) -> EResult<()> {
    engine.broker.drop_topic(name, true, force)?;
    Ok(())
}

/// `DROP CONSUMER GROUP group ON topic` (0x03EC while in use).
pub(super) fn drop_consumer_group(engine: &Engine, group: &str, topic: &str) -> EResult<()> {
    engine.broker.drop_consumer_group(group, topic)?;
    Ok(())
}

/// The rows of `performance_schema.perf_consumers` (SHOW CONSUMERS).
pub(super) fn consumer_rows(engine: &Engine) -> Vec<Vec<Value>> {
    engine
        .broker
        .consumer_rows()
        .iter()
        .map(consumer_values)
        .collect()
}

/// The rows of `information_schema.ins_subscriptions` (SHOW SUBSCRIPTIONS).
pub(super) fn subscription_rows(engine: &Engine) -> Vec<Vec<Value>> {
    engine
        .broker
        .subscription_rows()
        .iter()
        .map(subscription_values)
        .collect()
}

fn scope(s: &Session, db: &Database, schema: &Schema, table: &str) -> Scope {
    let precision = db.precision();
    Scope {
        columns: schema.columns.clone(),
        tags: schema.tags.clone(),
        has_tbname: true,
        qualifiers: vec![table.to_owned()],
        precision,
        tz: s.tz,
        now: now_ticks(precision),
        db: s.db.clone(),
        user: s.user.clone(),
        version: s.engine.config.server_version.clone(),
        window: false,
    }
}

/// `AS SELECT items FROM table [WHERE cond]` as a query topic.
fn query_kind(s: &Session, db: &Database, sel: &Select) -> EResult<TopicKind> {
    let invalid = || EngineError::code(taosync_proto::code::Code::PAR_INVALID_TOPIC_QUERY);
    let from = sel.from.as_ref().ok_or_else(invalid)?;
    let table = &from.name.name;
    let (schema, is_stable) = if let Some(st) = db.stables.get(table) {
        (&st.schema, true)
    } else {
        let t = db
            .tables
            .get(table)
            .ok_or_else(|| EngineError::table_not_exist(table))?;
        let schema = db
            .schema_of(t)
            .ok_or_else(|| EngineError::table_not_exist(table))?;
        (schema, false)
    };
    let mut scope = scope(s, db, schema, table);
    if let Some(alias) = &from.alias {
        scope.qualifiers.push(alias.clone());
    }
    let mut items = Vec::new();
    for item in &sel.items {
        if let Expr::Column { name, .. } = &item.expr
            && name == "*"
        {
            items.extend(
                schema
                    .columns
                    .iter()
                    .map(|c| (BExpr::Col(c.slot), c.column())),
            );
            if is_stable {
                items.extend(
                    schema
                        .tags
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (BExpr::Tag(i), c.column())),
                );
            }
            continue;
        }
        let mut binder = Binder::new(&scope, false);
        let (expr, spec) = binder.bind(&item.expr)?;
        let name = match (&item.alias, &item.expr) {
            (Some(a), _) => a.clone(),
            (None, Expr::Column { name, .. }) => schema
                .columns
                .iter()
                .chain(&schema.tags)
                .find(|c| c.name.eq_ignore_ascii_case(name))
                .map_or_else(|| name.to_ascii_lowercase(), |c| c.name.clone()),
            (None, _) => item.text.clone(),
        };
        let length = if spec.ty == Type::Null {
            1
        } else {
            spec.length
        };
        let column =
            Column::new(clip(&name, 64), spec.ty, length).with_decimal(spec.precision, spec.scale);
        items.push((expr, column));
    }
    let filter = match &sel.where_ {
        Some(w) => Some(Binder::new(&scope, false).bind(w)?.0),
        None => None,
    };
    Ok(TopicKind::Query {
        table: table.clone(),
        projector: Arc::new(ExprProjector::new(schema, items, filter, db.precision())),
    })
}

/// A query topic's projection and filter, bound against the source schema at creation.
///
/// WAL rows arrive in column order; they are laid out by the creation-time slots (matched
/// by column name, so columns added later read as NULL) and evaluated like a scan would.
#[derive(Debug)]
struct ExprProjector {
    columns: Arc<[Column]>,
    items: Vec<BExpr>,
    filter: Option<BExpr>,
    /// Data column names with their slots at creation.
    slots: Vec<(String, usize)>,
    width: usize,
    /// Tag names in tag-index order at creation.
    tags: Vec<String>,
    precision: Precision,
}

impl ExprProjector {
    fn new(
        schema: &Schema,
        items: Vec<(BExpr, Column)>,
        filter: Option<BExpr>,
        precision: Precision,
    ) -> ExprProjector {
        let (items, columns): (Vec<BExpr>, Vec<Column>) = items.into_iter().unzip();
        ExprProjector {
            columns: columns.into(),
            items,
            filter,
            slots: schema
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.slot))
                .collect(),
            width: schema.next_slot,
            tags: schema.tags.iter().map(|c| c.name.clone()).collect(),
            precision,
        }
    }
}

fn tmq_error(e: &EngineError) -> TmqError {
    TmqError::new(e.code, e.message.clone())
}

impl RowProjector for ExprProjector {
    fn columns(&self) -> Arc<[Column]> {
        Arc::clone(&self.columns)
    }

    fn project(&self, block: &WalBlock) -> TmqResult<Vec<Vec<Value>>> {
        // Where each block column lands in the creation-time slot layout.
        let placement: Vec<Option<usize>> = block
            .columns
            .iter()
            .map(|c| {
                self.slots
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&c.name))
                    .map(|(_, slot)| *slot)
            })
            .collect();
        let tags: Vec<Value> = self
            .tags
            .iter()
            .map(|n| {
                block
                    .tag_columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(n))
                    .and_then(|i| block.tag_values.get(i).cloned())
                    .unwrap_or(Value::Null)
            })
            .collect();
        let mut out = Vec::new();
        for row in &block.rows {
            let mut vals = vec![Value::Null; self.width];
            for (v, slot) in row.iter().zip(&placement) {
                if let Some(cell) = slot.and_then(|s| vals.get_mut(s)) {
                    *cell = v.clone();
                }
            }
            let ts = match row.first() {
                Some(Value::Timestamp(t)) => t.value(),
                _ => 0,
            };
            let stored = StoredRow {
                ts,
                vals: vals.into_boxed_slice(),
            };
            let ctx = Ctx {
                row: Some(&stored),
                tags: &tags,
                tbname: &block.table,
                aggs: &[],
                window: (0, 0),
                precision: self.precision,
            };
            if let Some(f) = &self.filter
                && !truthy(&f.eval(&ctx).map_err(|e| tmq_error(&e))?)
            {
                continue;
            }
            let mut values = Vec::with_capacity(self.items.len());
            for (item, column) in self.items.iter().zip(self.columns.iter()) {
                let mut v = item.eval(&ctx).map_err(|e| tmq_error(&e))?;
                super::expr::conform(&mut v, column, self.precision);
                values.push(v);
            }
            out.push(values);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use super::super::{AutoCreate, Engine, RowTarget, Session};
    use crate::tmq::broker::TmqMessage;
    use crate::tmq::settings::ConsumerSettings;
    use taosync_proto::tmq::OffsetReset;
    use taosync_proto::types::{Precision, Timestamp};
    use taosync_proto::value::Value;

    fn session() -> Session {
        let mut s = Session::new(Arc::new(Engine::with_defaults()), "root");
        for sql in [
            "create database w vgroups 3",
            "use w",
            "create stable st (ts timestamp, v int) tags (g int)",
            "create table n (ts timestamp, v int)",
        ] {
            s.execute(sql, 0).unwrap();
        }
        s
    }

    fn drain(engine: &Engine, topic: &str) -> Vec<TmqMessage> {
        let broker = engine.broker();
        let settings = ConsumerSettings {
            group_id: "g".into(),
            auto_offset_reset: OffsetReset::Earliest,
            ..ConsumerSettings::default()
        };
        let id = broker.create_consumer(settings).unwrap();
        broker.subscribe(id, &[topic.to_owned()]).unwrap();
        let mut out = Vec::new();
        while let Some(m) = broker.poll(id).unwrap() {
            out.push(m);
        }
        broker.close(id);
        out
    }

    fn ints(messages: &[TmqMessage], column: usize) -> Vec<i32> {
        let mut v: Vec<i32> = messages
            .iter()
            .flat_map(|m| &m.blocks)
            .flat_map(|b| &b.rows)
            .filter_map(|r| match r.get(column) {
                Some(Value::Int(i)) => Some(*i),
                _ => None,
            })
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn sql_and_typed_row_writes_both_feed_the_wal() {
        let mut s = session();
        s.execute("create topic t as database w", 0).unwrap();
        s.execute(
            "insert into c1 using st tags (1) values (1700000000000, 1)",
            0,
        )
        .unwrap();
        s.execute("insert into n values (1700000000000, 2)", 0)
            .unwrap();
        // The stmt / schemaless path.
        let target = RowTarget {
            db: None,
            table: "c2".into(),
            using: Some(AutoCreate {
                stable: "st".into(),
                tag_names: None,
                tags: vec![Value::Int(2)],
            }),
            columns: None,
        };
        let ts = Value::Timestamp(Timestamp::new(1_700_000_000_001, Precision::Millisecond));
        s.insert_rows(&target, &[vec![ts, Value::Int(3)]]).unwrap();
        let messages = drain(s.engine(), "t");
        assert_eq!(ints(&messages, 1), vec![1, 2, 3]);
        let vgroups: Vec<i32> = messages.iter().map(|m| m.vgroup_id).collect();
        assert!(vgroups.iter().all(|v| (2..5).contains(v)), "{vgroups:?}");
    }

    #[test]
    fn query_topics_filter_and_compute_with_tags_and_tbname() {
        let mut s = session();
        s.execute(
            "create topic q as select ts, v + g as s, tbname as t from st where g = 2 and v > 0",
            0,
        )
        .unwrap();
        s.execute(
            "insert into a using st tags (1) values (1700000000000, 5) b using st tags (2) values (1700000000000, 7) (1700000000001, -1)",
            0,
        )
        .unwrap();
        let messages = drain(s.engine(), "q");
        let rows: Vec<&Vec<Value>> = messages
            .iter()
            .flat_map(|m| &m.blocks)
            .flat_map(|b| &b.rows)
            .collect();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0][1], Value::BigInt(9));
        assert_eq!(rows[0][2], Value::VarChar("b".into()));
    }

    #[test]
    fn topics_go_through_the_broker_and_block_drops() {
        let mut s = session();
        s.execute("create topic t as stable st", 0).unwrap();
        assert!(s.engine().broker().topic_exists("t"));
        let e = s.execute("create topic t as stable st", 0).unwrap_err();
        assert_eq!(e.code.value(), 0x03E0);
        assert_eq!(
            s.execute("drop database w", 0).unwrap_err().code.value(),
            0x03ED
        );
        s.execute("drop topic t", 0).unwrap();
        assert!(!s.engine().broker().topic_exists("t"));
        s.execute("drop database w", 0).unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Meta entries: table DDL and DELETE as `tmq_get_json_meta` objects (02 §3.5.4) in the WAL,
// for topics created WITH META.

/// TDengine's `TSDB_ALTER_TABLE_*` codes, the `alterType` of an alter meta.
pub(super) mod alter_type {
    pub const ADD_TAG: i32 = 1;
    pub const DROP_TAG: i32 = 2;
    pub const UPDATE_TAG_NAME: i32 = 3;
    pub const UPDATE_TAG_VAL: i32 = 4;
    pub const ADD_COLUMN: i32 = 5;
    pub const DROP_COLUMN: i32 = 6;
    pub const UPDATE_COLUMN_BYTES: i32 = 7;
    pub const UPDATE_TAG_BYTES: i32 = 8;
    pub const UPDATE_COLUMN_NAME: i32 = 10;
}

/// One column or tag of a meta: `name`, `type` and, for variable-length types, `length`.
pub(super) fn column_json(c: &super::catalog::ColDef) -> serde_json::Value {
    let mut o = serde_json::json!({"name": c.name, "type": c.ty.code()});
    if c.ty.is_var() {
        o["length"] = serde_json::json!(c.length);
    }
    o
}

/// The meta of a supertable or normal table creation.
pub(super) fn create_meta(name: &str, table_type: &str, schema: &Schema) -> serde_json::Value {
    serde_json::json!({
        "type": "create",
        "tableType": table_type,
        "tableName": name,
        "columns": schema.columns.iter().map(column_json).collect::<Vec<_>>(),
        "tags": schema.tags.iter().map(column_json).collect::<Vec<_>>(),
    })
}

/// The meta of a child table creation.
pub(super) fn create_child_meta(
    name: &str,
    stable: &str,
    schema: &Schema,
    tags: &[Value],
) -> serde_json::Value {
    let tags: Vec<serde_json::Value> = schema
        .tags
        .iter()
        .zip(tags)
        .map(
            |(c, v)| serde_json::json!({"name": c.name, "type": c.ty.code(), "value": v.to_json()}),
        )
        .collect();
    serde_json::json!({
        "type": "create",
        "tableType": "child",
        "tableName": name,
        "using": stable,
        "tagNum": schema.tags.len(),
        "tags": tags,
        "createList": [],
    })
}

/// Records `json` in the WAL of `db`: in the table's vgroup, or in every vgroup for a
/// supertable DDL (each vnode applies those, as in TDengine). Databases without a WAL
/// (`WAL_RETENTION_PERIOD 0`) record nothing.
pub(crate) fn append_meta(
    cat: &Catalog,
    dbn: &str,
    vgroup: Option<i32>,
    json: serde_json::Value,
    stable: Option<&str>,
    is_create: bool,
) {
    let Some(db) = cat.dbs.get(dbn) else {
        return;
    };
    if db.options.int("wal_retention_period", 3600) == 0 {
        return;
    }
    let vgroups = match vgroup {
        Some(v) => vec![v],
        None => db.vgroup_ids(),
    };
    for vg in vgroups {
        let meta = WalMeta {
            json: json.clone(),
            stable: stable.map(str::to_owned),
            is_create,
        };
        if let Err(e) = cat.wal.append_meta(dbn, vg, meta) {
            log::warn!("WAL meta append to {dbn} failed: {}", e.message);
        }
    }
}
