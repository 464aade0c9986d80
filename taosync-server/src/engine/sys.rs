//! SHOW, DESCRIBE and the information_schema / performance_schema tables (03 §2.3–2.6).

use super::ast::{ObjName, Show};
use super::catalog::{Catalog, ColDef, Database, SYSTEM_DBS, TableKind, fmt_minutes, is_system_db};
use super::error::{EResult, EngineError};
use super::expr::like;
use super::{QueryResult, Session};
use taosync_proto::row::Column;
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

fn def(name: &str, ty: Type, length: u32, slot: usize) -> ColDef {
    ColDef {
        name: name.to_string(),
        ty,
        length,
        precision: 0,
        scale: 0,
        slot,
        primary_key: false,
        encode: String::new(),
        compress: String::new(),
        level: String::new(),
    }
}

/// A system-table column: name, type, REST length.
type ColSpec = (&'static str, Type, u32);

fn defs(spec: &[ColSpec]) -> Vec<ColDef> {
    spec.iter()
        .enumerate()
        .map(|(i, (n, t, l))| def(n, *t, *l, i))
        .collect()
}

fn ts_ms(v: i64) -> Value {
    Value::Timestamp(Timestamp::new(v, Precision::Millisecond))
}

fn vc(s: impl Into<String>) -> Value {
    Value::VarChar(s.into())
}

use Type::{BigInt, Bool, Int, SmallInt, Timestamp as Ts, TinyInt, UInt, VarChar};

const INS_DATABASES: &[ColSpec] = &[
    ("name", VarChar, 64),
    ("create_time", Ts, 8),
    ("vgroups", Int, 4),
    ("ntables", BigInt, 8),
    ("replica", TinyInt, 1),
    ("strict", VarChar, 4),
    ("duration", VarChar, 10),
    ("keep", VarChar, 32),
    ("buffer", Int, 4),
    ("pagesize", Int, 4),
    ("pages", Int, 4),
    ("minrows", Int, 4),
    ("maxrows", Int, 4),
    ("comp", TinyInt, 1),
    ("precision", VarChar, 2),
    ("status", VarChar, 10),
    ("retentions", VarChar, 60),
    ("single_stable", Bool, 1),
    ("cachemodel", VarChar, 11),
    ("cachesize", Int, 4),
    ("wal_level", TinyInt, 1),
    ("wal_fsync_period", Int, 4),
    ("wal_retention_period", Int, 4),
    ("wal_retention_size", BigInt, 8),
    ("stt_trigger", SmallInt, 2),
    ("table_prefix", SmallInt, 2),
    ("table_suffix", SmallInt, 2),
    ("tsdb_pagesize", Int, 4),
    ("keep_time_offset", Int, 4),
];

const INS_TABLES: &[ColSpec] = &[
    ("table_name", VarChar, 192),
    ("db_name", VarChar, 64),
    ("create_time", Ts, 8),
    ("columns", Int, 4),
    ("stable_name", VarChar, 192),
    ("uid", BigInt, 8),
    ("vgroup_id", Int, 4),
    ("ttl", Int, 4),
    ("table_comment", VarChar, 1024),
    ("type", VarChar, 21),
];

const INS_STABLES: &[ColSpec] = &[
    ("stable_name", VarChar, 192),
    ("db_name", VarChar, 64),
    ("create_time", Ts, 8),
    ("columns", Int, 4),
    ("tags", Int, 4),
    ("last_update", Ts, 8),
    ("table_comment", VarChar, 1024),
    ("watermark", VarChar, 64),
    ("max_delay", VarChar, 64),
    ("rollup", VarChar, 128),
];

const INS_TAGS: &[ColSpec] = &[
    ("table_name", VarChar, 192),
    ("db_name", VarChar, 64),
    ("stable_name", VarChar, 192),
    ("tag_name", VarChar, 64),
    ("tag_type", VarChar, 32),
    ("tag_value", VarChar, 16384),
];

const INS_COLUMNS: &[ColSpec] = &[
    ("table_name", VarChar, 192),
    ("db_name", VarChar, 64),
    ("table_type", VarChar, 21),
    ("col_name", VarChar, 64),
    ("col_type", VarChar, 32),
    ("col_length", Int, 4),
    ("col_precision", Int, 4),
    ("col_scale", Int, 4),
    ("col_nullable", Int, 4),
];

const INS_TOPICS: &[ColSpec] = &[
    ("topic_name", VarChar, 192),
    ("db_name", VarChar, 64),
    ("create_time", Ts, 8),
    ("sql", VarChar, 1024),
    ("schema", VarChar, 16384),
    ("meta", VarChar, 4),
    ("type", VarChar, 8),
];

const INS_SUBSCRIPTIONS: &[ColSpec] = &[
    ("topic_name", VarChar, 204),
    ("consumer_group", VarChar, 193),
    ("vgroup_id", Int, 4),
    ("consumer_id", BigInt, 8),
    ("user", VarChar, 24),
    ("fqdn", VarChar, 128),
    ("offset", VarChar, 64),
    ("rows", BigInt, 8),
];

const INS_DNODES: &[ColSpec] = &[
    ("id", Int, 4),
    ("endpoint", VarChar, 134),
    ("vnodes", SmallInt, 2),
    ("support_vnodes", SmallInt, 2),
    ("status", VarChar, 10),
    ("create_time", Ts, 8),
    ("reboot_time", Ts, 8),
    ("note", VarChar, 256),
];

const INS_CLUSTER: &[ColSpec] = &[
    ("id", BigInt, 8),
    ("name", VarChar, 134),
    ("uptime", Int, 4),
    ("create_time", Ts, 8),
    ("version", VarChar, 10),
    ("expire_time", Ts, 8),
];

const INS_USERS: &[ColSpec] = &[
    ("name", VarChar, 24),
    ("super", TinyInt, 1),
    ("enable", TinyInt, 1),
    ("sysinfo", TinyInt, 1),
    ("createdb", TinyInt, 1),
    ("create_time", Ts, 8),
];

const INS_VGROUPS: &[ColSpec] = &[
    ("vgroup_id", Int, 4),
    ("db_name", VarChar, 64),
    ("tables", Int, 4),
    ("v1_dnode", Int, 4),
    ("v1_status", VarChar, 9),
    ("status", VarChar, 12),
];

const PERF_CONNECTIONS: &[ColSpec] = &[
    ("conn_id", UInt, 4),
    ("user", VarChar, 24),
    ("app", VarChar, 24),
    ("pid", UInt, 4),
    ("end_point", VarChar, 134),
    ("login_time", Ts, 8),
    ("last_access", Ts, 8),
    ("user_app", VarChar, 24),
    ("user_ip", VarChar, 46),
    ("connector_info", VarChar, 256),
];

const PERF_CONSUMERS: &[ColSpec] = &[
    ("consumer_id", BigInt, 8),
    ("consumer_group", VarChar, 192),
    ("client_id", VarChar, 192),
    ("user", VarChar, 24),
    ("fqdn", VarChar, 128),
    ("status", VarChar, 20),
    ("topics", VarChar, 204),
    ("up_time", Ts, 8),
    ("subscribe_time", Ts, 8),
    ("rebalance_time", Ts, 8),
    ("parameters", VarChar, 1024),
];

const INS_INDEXES: &[ColSpec] = &[
    ("index_name", VarChar, 192),
    ("db_name", VarChar, 64),
    ("table_name", VarChar, 192),
    ("create_time", Ts, 8),
    ("vgroup_id", Int, 4),
    ("index_type", VarChar, 10),
    ("index_extensions", VarChar, 256),
];

const NAMED_EMPTY: &[ColSpec] = &[("name", VarChar, 192), ("db_name", VarChar, 64)];

fn table_text_type(db: &Database, t: &super::catalog::Table) -> (usize, &'static str) {
    let cols = db.schema_of(t).map_or(0, |s| s.columns.len());
    match t.kind {
        TableKind::Child { .. } => (cols, "CHILD_TABLE"),
        TableKind::Normal(_) => (cols, "NORMAL_TABLE"),
    }
}

/// The text of a tag value as `ins_tags.tag_value` shows it.
fn tag_text(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => vc(s.clone()),
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => vc(format!(
            "\\x{}",
            taosync_proto::value::to_hex(b).to_uppercase()
        )),
        Value::Timestamp(t) => vc(t.value().to_string()),
        other => vc(other.to_string()),
    }
}

fn tag_rows(cat: &Catalog, only_db: Option<&str>, only_table: Option<&str>) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for db in cat.dbs.values() {
        if only_db.is_some_and(|d| d != db.name) {
            continue;
        }
        let mut tables: Vec<_> = db.tables.values().collect();
        tables.sort_by_key(|t| t.uid);
        for t in tables {
            if only_table.is_some_and(|n| n != t.name) {
                continue;
            }
            let TableKind::Child { stable, tags } = &t.kind else {
                continue;
            };
            let Some(st) = db.stables.get(stable) else {
                continue;
            };
            for (i, tag) in st.schema.tags.iter().enumerate() {
                rows.push(vec![
                    vc(t.name.clone()),
                    vc(db.name.clone()),
                    vc(stable.clone()),
                    vc(tag.name.clone()),
                    vc(tag.full_type()),
                    tag_text(tags.get(i).unwrap_or(&Value::Null)),
                ]);
            }
        }
    }
    rows
}

/// The tables of a system database.
fn system_table_names(db: &str) -> &'static [&'static str] {
    if db == "information_schema" {
        &[
            "ins_databases",
            "ins_tables",
            "ins_stables",
            "ins_tags",
            "ins_columns",
            "ins_topics",
            "ins_subscriptions",
            "ins_consumers",
            "ins_dnodes",
            "ins_cluster",
            "ins_users",
            "ins_vgroups",
            "ins_indexes",
            "ins_views",
            "ins_streams",
            "ins_functions",
            "ins_grants",
            "ins_configs",
            "ins_mnodes",
        ]
    } else {
        &["perf_connections", "perf_consumers", "perf_queries"]
    }
}

/// A system table's columns and rows (0x2603 for unknown names).
pub(super) fn system_table(
    s: &Session,
    db: &str,
    name: &str,
) -> EResult<(Vec<ColDef>, Vec<Vec<Value>>)> {
    let cat = s.engine.read();
    let lname = name.to_ascii_lowercase();
    let info = db == "information_schema";
    let (spec, rows): (&[ColSpec], Vec<Vec<Value>>) = match (info, lname.as_str()) {
        (true, "ins_databases") => {
            let mut rows = Vec::new();
            for sys in SYSTEM_DBS {
                let mut r = vec![Value::Null; INS_DATABASES.len()];
                r[0] = vc(sys);
                r[2] = Value::Int(0);
                r[3] = Value::BigInt(0);
                r[15] = vc("ready");
                rows.push(r);
            }
            for d in cat.dbs.values() {
                let o = &d.options;
                rows.push(vec![
                    vc(d.name.clone()),
                    ts_ms(d.create_time),
                    Value::Int(o.vgroups),
                    Value::BigInt(d.tables.len() as i64),
                    Value::TinyInt(o.int("replica", 1) as i8),
                    vc("off"),
                    vc(fmt_minutes(o.duration_minutes)),
                    vc(o.keep_minutes
                        .iter()
                        .map(|m| fmt_minutes(*m))
                        .collect::<Vec<_>>()
                        .join(",")),
                    Value::Int(o.int("buffer", 256) as i32),
                    Value::Int(o.int("pagesize", 4) as i32),
                    Value::Int(o.int("pages", 256) as i32),
                    Value::Int(o.int("minrows", 100) as i32),
                    Value::Int(o.int("maxrows", 4096) as i32),
                    Value::TinyInt(o.int("comp", 2) as i8),
                    vc(o.precision.as_str()),
                    vc("ready"),
                    Value::Null,
                    Value::Bool(o.int("single_stable", 0) != 0),
                    vc(o.text("cachemodel", "none")),
                    Value::Int(o.int("cachesize", 1) as i32),
                    Value::TinyInt(o.int("wal_level", 1) as i8),
                    Value::Int(o.int("wal_fsync_period", 3000) as i32),
                    Value::Int(o.int("wal_retention_period", 3600) as i32),
                    Value::BigInt(o.int("wal_retention_size", 0)),
                    Value::SmallInt(o.int("stt_trigger", 2) as i16),
                    Value::SmallInt(o.int("table_prefix", 0) as i16),
                    Value::SmallInt(o.int("table_suffix", 0) as i16),
                    Value::Int(o.int("tsdb_pagesize", 4) as i32),
                    Value::Int(o.int("keep_time_offset", 0) as i32),
                ]);
            }
            (INS_DATABASES, rows)
        }
        (true, "ins_tables") => {
            let mut rows = Vec::new();
            for d in cat.dbs.values() {
                let mut tables: Vec<_> = d.tables.values().collect();
                tables.sort_by_key(|t| t.uid);
                for t in tables {
                    let (ncols, kind) = table_text_type(d, t);
                    rows.push(vec![
                        vc(t.name.clone()),
                        vc(d.name.clone()),
                        ts_ms(t.create_time),
                        Value::Int(ncols as i32),
                        t.stable().map_or(Value::Null, vc),
                        Value::BigInt(t.uid),
                        Value::Int(t.vgroup),
                        Value::Int(0),
                        vc(""),
                        vc(kind),
                    ]);
                }
            }
            (INS_TABLES, rows)
        }
        (true, "ins_stables") => {
            let mut rows = Vec::new();
            for d in cat.dbs.values() {
                for st in d.stables.values() {
                    rows.push(vec![
                        vc(st.name.clone()),
                        vc(d.name.clone()),
                        ts_ms(st.create_time),
                        Value::Int(st.schema.columns.len() as i32),
                        Value::Int(st.schema.tags.len() as i32),
                        ts_ms(st.create_time),
                        vc(""),
                        vc("5000a,5000a"),
                        vc("-1a,-1a"),
                        vc(""),
                    ]);
                }
            }
            (INS_STABLES, rows)
        }
        (true, "ins_tags") => (INS_TAGS, tag_rows(&cat, None, None)),
        (true, "ins_columns") => {
            let mut rows = Vec::new();
            let mut push = |t: &str, db: &str, kind: &str, c: &ColDef| {
                rows.push(vec![
                    vc(t),
                    vc(db),
                    vc(kind),
                    vc(c.name.clone()),
                    vc(c.full_type()),
                    Value::Int(c.describe_length()),
                    Value::Int(i32::from(c.precision)),
                    Value::Int(i32::from(c.scale)),
                    Value::Int(0),
                ]);
            };
            for d in cat.dbs.values() {
                for st in d.stables.values() {
                    for c in &st.schema.columns {
                        push(&st.name, &d.name, "SUPER_TABLE", c);
                    }
                }
                for t in d.tables.values() {
                    let (_, kind) = table_text_type(d, t);
                    if let Some(sc) = d.schema_of(t) {
                        for c in &sc.columns {
                            push(&t.name, &d.name, kind, c);
                        }
                    }
                }
            }
            (INS_COLUMNS, rows)
        }
        (true, "ins_topics") => (
            INS_TOPICS,
            cat.topics
                .values()
                .map(|t| {
                    vec![
                        vc(t.name.clone()),
                        vc(t.db.clone()),
                        ts_ms(t.create_time),
                        vc(t.sql.clone()),
                        Value::Null,
                        vc(if t.with_meta { "yes" } else { "no" }),
                        vc(t.kind),
                    ]
                })
                .collect(),
        ),
        (true, "ins_subscriptions") => (
            INS_SUBSCRIPTIONS,
            super::topics::subscription_rows(&s.engine),
        ),
        (true, "ins_dnodes") => (
            INS_DNODES,
            vec![vec![
                Value::Int(1),
                vc("localhost:6030"),
                Value::SmallInt(cat.dbs.values().map(|d| d.options.vgroups).sum::<i32>() as i16),
                Value::SmallInt(256),
                vc("ready"),
                ts_ms(0),
                ts_ms(0),
                vc(""),
            ]],
        ),
        (true, "ins_cluster") => (
            INS_CLUSTER,
            vec![vec![
                Value::BigInt(1),
                vc("taosync"),
                Value::Int(0),
                ts_ms(0),
                vc("community"),
                Value::Null,
            ]],
        ),
        (true, "ins_users") => {
            let mut rows = vec![vec![
                vc(s.engine.config.user.clone()),
                Value::TinyInt(1),
                Value::TinyInt(1),
                Value::TinyInt(1),
                Value::TinyInt(1),
                ts_ms(0),
            ]];
            for u in cat.users.keys() {
                rows.push(vec![
                    vc(u.clone()),
                    Value::TinyInt(0),
                    Value::TinyInt(1),
                    Value::TinyInt(1),
                    Value::TinyInt(0),
                    ts_ms(0),
                ]);
            }
            (INS_USERS, rows)
        }
        (true, "ins_vgroups") => {
            let mut rows = Vec::new();
            for d in cat.dbs.values() {
                for v in 0..d.options.vgroups {
                    let id = v + 2;
                    let n = d.tables.values().filter(|t| t.vgroup == id).count();
                    rows.push(vec![
                        Value::Int(id),
                        vc(d.name.clone()),
                        Value::Int(n as i32),
                        Value::Int(1),
                        vc("leader"),
                        vc("ready"),
                    ]);
                }
            }
            (INS_VGROUPS, rows)
        }
        (true, "ins_indexes") => (INS_INDEXES, Vec::new()),
        (
            true,
            "ins_views" | "ins_streams" | "ins_functions" | "ins_grants" | "ins_configs"
            | "ins_mnodes",
        ) => (NAMED_EMPTY, Vec::new()),
        (false, "perf_connections") => (
            PERF_CONNECTIONS,
            s.engine
                .connections()
                .into_iter()
                .map(|(id, c, login)| {
                    vec![
                        Value::UInt(id),
                        vc(c.user),
                        vc(c.app),
                        Value::UInt(c.pid),
                        vc(c.end_point),
                        ts_ms(login),
                        ts_ms(login),
                        vc(c.user_app),
                        vc(c.user_ip),
                        vc(c.connector_info),
                    ]
                })
                .collect(),
        ),
        (false, "perf_consumers") | (true, "ins_consumers") => {
            (PERF_CONSUMERS, super::topics::consumer_rows(&s.engine))
        }
        (false, "perf_queries") => (NAMED_EMPTY, Vec::new()),
        _ => return Err(EngineError::table_not_exist(name)),
    };
    Ok((defs(spec), rows))
}

fn one_col(name: &str, len: u32, rows: Vec<String>) -> QueryResult {
    QueryResult::from_rows(
        vec![Column::new(name, Type::VarChar, len)],
        Precision::Millisecond,
        rows.into_iter().map(|r| vec![vc(r)]).collect(),
    )
}

fn db_checked(s: &Session, db: Option<&str>) -> EResult<String> {
    let d = s.db_for(db)?;
    if !is_system_db(&d) && !s.engine.read().dbs.contains_key(&d) {
        return Err(EngineError::db_not_exist());
    }
    Ok(d)
}

/// Executes a SHOW statement.
pub(super) fn show(s: &Session, show: Show) -> EResult<QueryResult> {
    match show {
        Show::Databases { user, system } => {
            let mut names = Vec::new();
            if system {
                names.extend(SYSTEM_DBS.iter().map(|d| d.to_string()));
            }
            if user {
                names.extend(s.engine.read().dbs.keys().cloned());
            }
            Ok(one_col("name", 64, names))
        }
        Show::Tables {
            db,
            normal,
            child,
            like: pat,
        } => {
            let d = db_checked(s, db.as_deref())?;
            if is_system_db(&d) {
                let names = system_table_names(&d)
                    .iter()
                    .filter(|n| pat.as_ref().is_none_or(|p| like(n, p)))
                    .map(|n| n.to_string())
                    .collect();
                return Ok(one_col("table_name", 192, names));
            }
            let cat = s.engine.read();
            let mut names = Vec::new();
            if let Some(dbv) = cat.dbs.get(&d) {
                let mut tables: Vec<_> = dbv.tables.values().collect();
                tables.sort_by_key(|t| t.uid);
                for t in tables {
                    let is_child = t.stable().is_some();
                    if (is_child && !child) || (!is_child && !normal) {
                        continue;
                    }
                    if pat.as_ref().is_some_and(|p| !like(&t.name, p)) {
                        continue;
                    }
                    names.push(t.name.clone());
                }
            }
            Ok(one_col("table_name", 192, names))
        }
        Show::Stables { db, like: pat } => {
            let d = db_checked(s, db.as_deref())?;
            let cat = s.engine.read();
            let names = cat
                .dbs
                .get(&d)
                .map(|dbv| {
                    dbv.stables
                        .keys()
                        .filter(|n| pat.as_ref().is_none_or(|p| like(n, p)))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            Ok(one_col("stable_name", 192, names))
        }
        Show::Tags(name) => {
            let d = db_checked(s, name.db.as_deref())?;
            let cat = s.engine.read();
            let dbv = cat.dbs.get(&d).ok_or_else(EngineError::db_not_exist)?;
            if !dbv.tables.contains_key(&name.name) {
                return Err(EngineError::table_not_exist(&name.name));
            }
            let rows = tag_rows(&cat, Some(&d), Some(&name.name));
            Ok(QueryResult::from_rows(
                defs(INS_TAGS).iter().map(ColDef::column).collect(),
                Precision::Millisecond,
                rows,
            ))
        }
        Show::CreateDatabase(name) => {
            let cat = s.engine.read();
            let d = cat.dbs.get(&name).ok_or_else(EngineError::db_not_exist)?;
            let text = format!(
                "CREATE DATABASE `{}` BUFFER {} CACHESIZE {} CACHEMODEL '{}' COMP {} DURATION {} WAL_FSYNC_PERIOD {} MAXROWS {} MINROWS {} KEEP {} PAGES {} PAGESIZE {} PRECISION '{}' REPLICA {} WAL_LEVEL {} VGROUPS {} SINGLE_STABLE {} TABLE_PREFIX {} TABLE_SUFFIX {} TSDB_PAGESIZE {} WAL_RETENTION_PERIOD {} WAL_RETENTION_SIZE {}",
                d.name,
                d.options.int("buffer", 256),
                d.options.int("cachesize", 1),
                d.options.text("cachemodel", "none"),
                d.options.int("comp", 2),
                fmt_minutes(d.options.duration_minutes),
                d.options.int("wal_fsync_period", 3000),
                d.options.int("maxrows", 4096),
                d.options.int("minrows", 100),
                d.options
                    .keep_minutes
                    .iter()
                    .map(|m| fmt_minutes(*m))
                    .collect::<Vec<_>>()
                    .join(","),
                d.options.int("pages", 256),
                d.options.int("pagesize", 4),
                d.options.precision.as_str(),
                d.options.int("replica", 1),
                d.options.int("wal_level", 1),
                d.options.vgroups,
                d.options.int("single_stable", 0),
                d.options.int("table_prefix", 0),
                d.options.int("table_suffix", 0),
                d.options.int("tsdb_pagesize", 4),
                d.options.int("wal_retention_period", 3600),
                d.options.int("wal_retention_size", 0),
            );
            Ok(QueryResult::from_rows(
                vec![
                    Column::new("Database", Type::VarChar, 64),
                    Column::new("Create Database", Type::VarChar, 1024),
                ],
                Precision::Millisecond,
                vec![vec![vc(name), vc(text)]],
            ))
        }
        Show::CreateTable(name, _) => {
            let d = db_checked(s, name.db.as_deref())?;
            let cat = s.engine.read();
            let dbv = cat.dbs.get(&d).ok_or_else(EngineError::db_not_exist)?;
            let coldefs = |cs: &[ColDef]| {
                cs.iter()
                    .map(|c| match c.ty {
                        Type::VarChar | Type::NChar | Type::VarBinary | Type::Geometry => {
                            format!("`{}` {}({})", c.name, c.ty.name(), c.length)
                        }
                        t if t.is_decimal() => {
                            format!("`{}` DECIMAL({},{})", c.name, c.precision, c.scale)
                        }
                        t => format!("`{}` {}", c.name, t.name()),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let text = if let Some(st) = dbv.stables.get(&name.name) {
                format!(
                    "CREATE STABLE `{}` ({}) TAGS ({})",
                    st.name,
                    coldefs(&st.schema.columns),
                    coldefs(&st.schema.tags)
                )
            } else {
                let t = dbv
                    .tables
                    .get(&name.name)
                    .ok_or_else(|| EngineError::table_not_exist(&name.name))?;
                match &t.kind {
                    TableKind::Normal(sc) => {
                        format!("CREATE TABLE `{}` ({})", t.name, coldefs(&sc.columns))
                    }
                    TableKind::Child { stable, tags } => format!(
                        "CREATE TABLE `{}` USING `{}` TAGS ({})",
                        t.name,
                        stable,
                        tags.iter()
                            .map(|v| match v {
                                Value::Null => "NULL".to_string(),
                                Value::VarChar(x) | Value::NChar(x) | Value::Json(x) =>
                                    format!("\"{x}\""),
                                o => o.to_string(),
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            };
            Ok(QueryResult::from_rows(
                vec![
                    Column::new("Table", Type::VarChar, 192),
                    Column::new("Create Table", Type::VarChar, 16384),
                ],
                Precision::Millisecond,
                vec![vec![vc(name.name), vc(text)]],
            ))
        }
        Show::Vgroups(db) => {
            let d = db_checked(s, db.as_deref())?;
            let (cols, rows) = system_table(s, "information_schema", "ins_vgroups")?;
            let rows = rows.into_iter().filter(|r| r[1] == vc(d.clone())).collect();
            Ok(QueryResult::from_rows(
                cols.iter().map(ColDef::column).collect(),
                Precision::Millisecond,
                rows,
            ))
        }
        Show::System(table, db) => {
            if let Some(d) = &db {
                db_checked(s, Some(d))?;
            }
            if table == "alive" {
                return Ok(QueryResult::from_rows(
                    vec![Column::new("status", Type::Int, 4)],
                    Precision::Millisecond,
                    vec![vec![Value::Int(1)]],
                ));
            }
            let sysdb = if table.starts_with("perf_") {
                "performance_schema"
            } else {
                "information_schema"
            };
            let (cols, rows) = system_table(s, sysdb, table)?;
            if table == "ins_topics" {
                return Ok(QueryResult::from_rows(
                    vec![cols[0].column()],
                    Precision::Millisecond,
                    rows.into_iter()
                        .map(|mut r| vec![r.swap_remove(0)])
                        .collect(),
                ));
            }
            Ok(QueryResult::from_rows(
                cols.iter().map(ColDef::column).collect(),
                Precision::Millisecond,
                rows,
            ))
        }
    }
}

/// DESCRIBE: one row per column, then per tag (03 §2.4).
pub(super) fn describe(s: &Session, name: &ObjName) -> EResult<QueryResult> {
    let d = s.db_for(name.db.as_deref())?;
    let columns = vec![
        Column::new("field", Type::VarChar, 64),
        Column::new("type", Type::VarChar, 20),
        Column::new("length", Type::Int, 4),
        Column::new("note", Type::VarChar, 16),
        Column::new("encode", Type::VarChar, 12),
        Column::new("compress", Type::VarChar, 12),
        Column::new("level", Type::VarChar, 12),
    ];
    let row = |c: &ColDef, tag: bool| {
        vec![
            vc(c.name.clone()),
            vc(c.describe_type()),
            Value::Int(c.describe_length()),
            vc(if tag {
                "TAG"
            } else if c.primary_key {
                "PRIMARY KEY"
            } else {
                ""
            }),
            vc(if tag {
                "disabled".to_string()
            } else {
                c.encode.clone()
            }),
            vc(if tag {
                "disabled".to_string()
            } else {
                c.compress.clone()
            }),
            vc(if tag {
                "disabled".to_string()
            } else {
                c.level.clone()
            }),
        ]
    };
    if is_system_db(&d) {
        let (cols, _) = system_table(s, &d, &name.name)?;
        let rows = cols.iter().map(|c| row(c, false)).collect();
        return Ok(QueryResult::from_rows(
            columns,
            Precision::Millisecond,
            rows,
        ));
    }
    let cat = s.engine.read();
    let dbv = cat.dbs.get(&d).ok_or_else(EngineError::db_not_exist)?;
    let schema = if let Some(st) = dbv.stables.get(&name.name) {
        &st.schema
    } else {
        let t = dbv
            .tables
            .get(&name.name)
            .ok_or_else(|| EngineError::table_not_exist(&name.name))?;
        dbv.schema_of(t)
            .ok_or_else(|| EngineError::table_not_exist(&name.name))?
    };
    let mut rows: Vec<Vec<Value>> = schema.columns.iter().map(|c| row(c, false)).collect();
    rows.extend(schema.tags.iter().map(|c| row(c, true)));
    Ok(QueryResult::from_rows(
        columns,
        Precision::Millisecond,
        rows,
    ))
}
