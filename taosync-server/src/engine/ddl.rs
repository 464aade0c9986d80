//! CREATE / DROP / ALTER of databases, supertables, tables, topics and users.

use std::collections::HashSet;

use super::Session;
use super::ast::{AlterAction, ColumnSpec, ObjName, Statement, TopicTarget, UsingClause};
use super::catalog::{
    Catalog, ColDef, Database, DbOptions, STable, Schema, Table, TableKind, Topic, db_mut,
    is_system_db,
};
use super::convert::{WriteCtx, coerce, eval_const};
use super::error::{EResult, EngineError};
use super::storage::TableData;
use super::time::now_ticks;
use super::topics::{self, alter_type};
use taosync_proto::code::Code;
use taosync_proto::types::{Precision, Type};
use taosync_proto::value::Value;

/// Runs a DDL / maintenance statement; returns the affected-row count (0 except DELETE).
pub(super) fn execute(s: &mut Session, stmt: Statement) -> EResult<u64> {
    match stmt {
        Statement::CreateDatabase {
            if_not_exists,
            name,
            options,
        } => create_database(s, if_not_exists, &name, &options),
        Statement::DropDatabase { if_exists, name } => {
            if is_system_db(&name) {
                return Err(EngineError::new(
                    Code::PAR_PERMISSION_DENIED,
                    "Cannot drop system database",
                ));
            }
            let mut cat = s.engine.write();
            if !cat.dbs.contains_key(&name) {
                return if if_exists {
                    Ok(0)
                } else {
                    Err(EngineError::db_not_exist())
                };
            }
            if cat.topics.values().any(|t| t.db == name) {
                return Err(EngineError::code(Code::MND_TOPIC_MUST_BE_DELETED));
            }
            cat.dbs.remove(&name);
            super::topics::db_dropped(&cat, &name);
            drop(cat);
            if s.db.as_deref() == Some(name.as_str()) {
                s.db = None;
            }
            Ok(0)
        }
        Statement::AlterDatabase(name, options) => {
            let mut cat = s.engine.write();
            let db = cat
                .dbs
                .get_mut(&name)
                .ok_or_else(EngineError::db_not_exist)?;
            for (k, v) in options {
                if k == "precision" {
                    return Err(EngineError::new(
                        Code::PAR_INVALID_DB_OPTION,
                        "Invalid option precision",
                    ));
                }
                db.options.raw.insert(k, v);
            }
            Ok(0)
        }
        Statement::DatabaseMaintenance(name) => {
            if s.engine.read().dbs.contains_key(&name) {
                Ok(0)
            } else {
                Err(EngineError::db_not_exist())
            }
        }
        Statement::CreateStable {
            if_not_exists,
            name,
            columns,
            tags,
        } => create_stable(s, if_not_exists, &name, &columns, &tags),
        Statement::CreateTable {
            if_not_exists,
            name,
            columns,
        } => create_normal(s, if_not_exists, &name, &columns),
        Statement::CreateChildren(children) => {
            let tz = s.tz;
            let mut cat = s.engine.write();
            for c in children {
                let dbn = s.db_for(c.name.db.as_deref())?;
                create_child(
                    &mut cat,
                    &dbn,
                    &c.name.name,
                    &c.using,
                    c.if_not_exists,
                    tz,
                    s.db.as_deref(),
                )?;
            }
            Ok(0)
        }
        Statement::Drop { stable, names } => drop_tables(s, stable, &names),
        Statement::Alter {
            stable,
            name,
            action,
        } => alter(s, stable, &name, action),
        Statement::AlterSetTags(all) => {
            for (name, sets) in all {
                alter(s, false, &name, AlterAction::SetTags(sets))?;
            }
            Ok(0)
        }
        Statement::Delete { table, where_ } => super::query::delete(s, &table, where_.as_ref()),
        Statement::CreateTopic {
            if_not_exists,
            name,
            target,
            sql,
        } => create_topic(s, if_not_exists, &name, &target, &sql),
        Statement::DropTopic {
            if_exists,
            name,
            force,
        } => {
            let mut cat = s.engine.write();
            if !cat.topics.contains_key(&name) {
                return if if_exists {
                    Ok(0)
                } else {
                    Err(EngineError::code(Code::MND_TOPIC_NOT_EXIST))
                };
            }
            super::topics::drop_topic(&s.engine, &name, force)?;
            cat.topics.remove(&name);
            Ok(0)
        }
        Statement::DropConsumerGroup {
            if_exists,
            group,
            topic,
        } => {
            let cat = s.engine.read();
            if !cat.topics.contains_key(&topic) {
                return if if_exists {
                    Ok(0)
                } else {
                    Err(EngineError::code(Code::MND_TOPIC_NOT_EXIST))
                };
            }
            super::topics::drop_consumer_group(&s.engine, &group, &topic)?;
            Ok(0)
        }
        Statement::CreateUser(name, pass) => {
            let mut cat = s.engine.write();
            if name == s.engine.config.user || cat.users.contains_key(&name) {
                return Err(EngineError::code(Code::MND_USER_ALREADY_EXIST));
            }
            if pass.is_empty() || pass.len() > 255 {
                return Err(EngineError::code(Code::MND_INVALID_PASS_FORMAT));
            }
            cat.users.insert(name, pass);
            Ok(0)
        }
        Statement::DropUser(name) => {
            let mut cat = s.engine.write();
            if cat.users.remove(&name).is_none() {
                return Err(EngineError::code(Code::MND_USER_NOT_EXIST));
            }
            Ok(0)
        }
        Statement::AlterUser(name, pass) => {
            let mut cat = s.engine.write();
            match cat.users.get_mut(&name) {
                Some(p) => {
                    *p = pass;
                    Ok(0)
                }
                None => Err(EngineError::code(Code::MND_USER_NOT_EXIST)),
            }
        }
        Statement::Use(_)
        | Statement::Insert(_)
        | Statement::Select(_)
        | Statement::Show(_)
        | Statement::Describe(_) => Err(EngineError::new(
            Code::TSC_INVALID_OPERATION,
            "statement dispatched to the wrong executor",
        )),
    }
}

fn db_option_err(name: &str) -> EngineError {
    EngineError::new(
        Code::PAR_INVALID_DB_OPTION,
        format!("Invalid option {name}"),
    )
}

/// Minutes of a KEEP / DURATION item: bare numbers are days.
fn minutes_of(item: &str) -> Option<i64> {
    let t = item.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&t[..i], &t[i..]),
        None => (t, "d"),
    };
    let n: i64 = num.parse().ok()?;
    match unit {
        "m" => Some(n),
        "h" => n.checked_mul(60),
        "d" => n.checked_mul(1440),
        _ => None,
    }
}

fn create_database(
    s: &Session,
    if_not_exists: bool,
    name: &str,
    options: &[(String, String)],
) -> EResult<u64> {
    if is_system_db(name) {
        return Err(EngineError::new(
            Code::PAR_PERMISSION_DENIED,
            format!("Cannot create system database: {name}"),
        ));
    }
    let mut opts = DbOptions::default();
    for (k, v) in options {
        match k.as_str() {
            "precision" => {
                opts.precision = match v.trim_matches(['\'', '"']).to_ascii_lowercase().as_str() {
                    "ms" => Precision::Millisecond,
                    "us" => Precision::Microsecond,
                    "ns" => Precision::Nanosecond,
                    _ => return Err(db_option_err("precision")),
                }
            }
            "vgroups" => {
                let n: i32 = v.parse().map_err(|_| db_option_err("vgroups"))?;
                if !(1..=1024).contains(&n) {
                    return Err(db_option_err("vgroups"));
                }
                opts.vgroups = n;
            }
            "keep" => {
                let items: Vec<i64> = v
                    .split(',')
                    .map(minutes_of)
                    .collect::<Option<_>>()
                    .ok_or_else(|| db_option_err("keep"))?;
                let mut k3 = [0i64; 3];
                for (i, slot) in k3.iter_mut().enumerate() {
                    *slot = *items
                        .get(i)
                        .or(items.last())
                        .ok_or_else(|| db_option_err("keep"))?;
                }
                if k3.iter().any(|m| *m < 1440 || *m > 365_000 * 1440) {
                    return Err(db_option_err("keep"));
                }
                opts.keep_minutes = k3;
            }
            "duration" => {
                opts.duration_minutes = minutes_of(v).ok_or_else(|| db_option_err("duration"))?;
            }
            "wal_level" => {
                if !matches!(v.as_str(), "1" | "2") {
                    return Err(db_option_err("wal_level"));
                }
                opts.raw.insert(k.clone(), v.clone());
            }
            _ => {
                opts.raw.insert(k.clone(), v.clone());
            }
        }
    }
    let mut cat = s.engine.write();
    if cat.dbs.contains_key(name) {
        return if if_not_exists {
            Ok(0)
        } else {
            Err(EngineError::code(Code::MND_DB_ALREADY_EXIST))
        };
    }
    let db = Database {
        name: name.to_string(),
        options: opts,
        create_time: now_ticks(Precision::Millisecond),
        stables: Default::default(),
        tables: Default::default(),
    };
    super::topics::db_created(&cat, &db);
    cat.dbs.insert(name.to_string(), db);
    Ok(0)
}

fn check_columns(columns: &[ColumnSpec], tags: &[ColumnSpec], normal: bool) -> EResult<()> {
    if columns.first().is_none_or(|c| c.ty.ty != Type::Timestamp) {
        return Err(EngineError::code(Code::PAR_INVALID_FIRST_COLUMN));
    }
    if normal && columns.len() < 2 {
        return Err(EngineError::code(Code::PAR_INVALID_COLUMNS_NUM));
    }
    let mut seen = HashSet::new();
    for c in columns.iter().chain(tags) {
        if !seen.insert(c.name.to_ascii_lowercase()) {
            return Err(EngineError::code(Code::PAR_DUPLICATED_COLUMN));
        }
    }
    if columns.iter().any(|c| c.ty.ty == Type::Json) {
        return Err(EngineError::code(Code::PAR_INVALID_COL_JSON));
    }
    if tags.iter().any(|t| t.ty.ty == Type::Json) && tags.len() > 1 {
        return Err(EngineError::code(Code::PAR_ONLY_ONE_JSON_TAG));
    }
    if tags
        .iter()
        .any(|t| t.ty.ty.is_decimal() || t.ty.ty == Type::Blob)
    {
        return Err(EngineError::new(
            Code::PAR_SYNTAX_ERROR,
            "syntax error near \"tags\" (DECIMAL and BLOB cannot be tags)",
        ));
    }
    if columns.iter().filter(|c| c.ty.ty == Type::Blob).count() > 1 {
        return Err(EngineError::new(
            Code::PAR_SYNTAX_ERROR,
            "syntax error near \"blob\" (only one BLOB column allowed)",
        ));
    }
    if !normal && (tags.is_empty() || tags.len() > 128) {
        return Err(EngineError::code(Code::PAR_INVALID_TAGS_NUM));
    }
    if columns.len() + tags.len() > 4096 {
        return Err(EngineError::code(Code::PAR_INVALID_COLUMNS_NUM));
    }
    let width = |c: &ColumnSpec| -> u64 {
        match c.ty.ty {
            Type::NChar => u64::from(c.ty.length) * 4 + 2,
            Type::Blob => 2,
            t if t.is_var() => u64::from(c.ty.length) + 2,
            t => t.fixed_size().unwrap_or(8) as u64,
        }
    };
    let tag_len: u64 = tags.iter().map(width).sum();
    if tag_len > 16_384 {
        return Err(EngineError::new(
            Code::PAR_INVALID_TAGS_LENGTH,
            "Tags length exceeds max length 16384",
        ));
    }
    let row_len: u64 = columns.iter().map(width).sum();
    if row_len > 65_531 {
        return Err(EngineError::new(
            Code::PAR_INVALID_ROW_LENGTH,
            "Row length exceeds max length 65531",
        ));
    }
    Ok(())
}

fn build_schema(columns: &[ColumnSpec], tags: &[ColumnSpec]) -> Schema {
    Schema {
        columns: columns
            .iter()
            .enumerate()
            .map(|(i, c)| ColDef::from_spec(c, i, false))
            .collect(),
        tags: tags
            .iter()
            .enumerate()
            .map(|(i, c)| ColDef::from_spec(c, i, true))
            .collect(),
        next_slot: columns.len(),
    }
}

fn create_stable(
    s: &Session,
    if_not_exists: bool,
    name: &ObjName,
    columns: &[ColumnSpec],
    tags: &[ColumnSpec],
) -> EResult<u64> {
    let dbn = s.db_for(name.db.as_deref())?;
    let mut cat = s.engine.write();
    let db = db_mut(&mut cat, &dbn)?;
    if db.stables.contains_key(&name.name) {
        return if if_not_exists {
            Ok(0)
        } else {
            Err(EngineError::code(Code::MND_STB_ALREADY_EXIST))
        };
    }
    if db.tables.contains_key(&name.name) {
        return if if_not_exists {
            Ok(0)
        } else {
            Err(EngineError::code(Code::TDB_TABLE_ALREADY_EXIST))
        };
    }
    check_columns(columns, tags, false)?;
    let schema = build_schema(columns, tags);
    let meta = topics::create_meta(&name.name, "super", &schema);
    db.stables.insert(
        name.name.clone(),
        STable {
            name: name.name.clone(),
            schema,
            create_time: now_ticks(Precision::Millisecond),
        },
    );
    topics::append_meta(&cat, &dbn, None, meta, Some(&name.name), true);
    Ok(0)
}

fn create_normal(
    s: &Session,
    if_not_exists: bool,
    name: &ObjName,
    columns: &[ColumnSpec],
) -> EResult<u64> {
    let dbn = s.db_for(name.db.as_deref())?;
    let mut cat = s.engine.write();
    let uid = cat.uid();
    let db = db_mut(&mut cat, &dbn)?;
    if db.tables.contains_key(&name.name) || db.stables.contains_key(&name.name) {
        return if if_not_exists {
            Ok(0)
        } else {
            Err(EngineError::code(Code::TDB_TABLE_ALREADY_EXIST))
        };
    }
    check_columns(columns, &[], true)?;
    let vgroup = db.vgroup_of(&name.name);
    let schema = build_schema(columns, &[]);
    let meta = topics::create_meta(&name.name, "normal", &schema);
    db.tables.insert(
        name.name.clone(),
        Table {
            name: name.name.clone(),
            kind: TableKind::Normal(schema),
            data: TableData::default(),
            uid,
            create_time: now_ticks(Precision::Millisecond),
            vgroup,
        },
    );
    topics::append_meta(&cat, &dbn, Some(vgroup), meta, None, true);
    Ok(0)
}

/// Creates child `name` of `using.stable` in `dbn`; returns true when it was created
/// (false when it existed and `if_not_exists`/auto-create allows that).
pub(super) fn create_child(
    cat: &mut Catalog,
    dbn: &str,
    name: &str,
    using: &UsingClause,
    if_not_exists: bool,
    tz: chrono_tz::Tz,
    current_db: Option<&str>,
) -> EResult<bool> {
    let stable_db = match using.stable.db.as_deref().or(current_db) {
        Some(d) => d.to_string(),
        None => dbn.to_string(),
    };
    if stable_db != dbn {
        return Err(EngineError::invalid_operation(
            "the child table and its super table must be in the same database",
        ));
    }
    create_child_with(
        cat,
        dbn,
        name,
        &using.stable.name,
        if_not_exists,
        tz,
        |schema, ctx| tag_values(schema, using, ctx),
    )
}

/// Creates child `name` of supertable `stable`, computing its tags with `tags` (called
/// only when the child is really created). Returns true when it was created.
pub(super) fn create_child_with(
    cat: &mut Catalog,
    dbn: &str,
    name: &str,
    stable: &str,
    if_not_exists: bool,
    tz: chrono_tz::Tz,
    tags: impl FnOnce(&Schema, WriteCtx) -> EResult<Vec<Value>>,
) -> EResult<bool> {
    let uid = cat.uid();
    let db = db_mut(cat, dbn)?;
    if let Some(t) = db.tables.get(name) {
        if !if_not_exists {
            return Err(EngineError::code(Code::TDB_TABLE_ALREADY_EXIST));
        }
        if let Some(st) = t.stable()
            && st != stable
        {
            return Err(EngineError::code(Code::TDB_TABLE_IN_OTHER_STABLE));
        }
        return Ok(false);
    }
    if db.stables.contains_key(name) {
        return Err(EngineError::code(Code::TDB_TABLE_ALREADY_EXIST));
    }
    if name.is_empty() || name.len() > 192 {
        return Err(EngineError::new(
            Code::PAR_INVALID_IDENTIFIER_NAME,
            format!("Invalid identifier name: {name}"),
        ));
    }
    let Some(st) = db.stables.get(stable) else {
        if db.tables.contains_key(stable) {
            return Err(EngineError::invalid_operation(
                "create table only from super table is allowed",
            ));
        }
        return Err(EngineError::table_not_exist(stable));
    };
    let tags = tags(
        &st.schema,
        WriteCtx {
            tz,
            precision: db.precision(),
            now: now_ticks(db.precision()),
        },
    )?;
    let vgroup = db.vgroup_of(name);
    let meta = topics::create_child_meta(name, stable, &st.schema, &tags);
    db.tables.insert(
        name.to_string(),
        Table {
            name: name.to_string(),
            kind: TableKind::Child {
                stable: stable.to_string(),
                tags,
            },
            data: TableData::default(),
            uid,
            create_time: now_ticks(Precision::Millisecond),
            vgroup,
        },
    );
    topics::append_meta(cat, dbn, Some(vgroup), meta, Some(stable), true);
    Ok(true)
}

/// Converts the TAGS values of a USING clause to the supertable's tag order.
pub(super) fn tag_values(
    schema: &Schema,
    using: &UsingClause,
    ctx: WriteCtx,
) -> EResult<Vec<Value>> {
    let mut out = vec![Value::Null; schema.tags.len()];
    let positions: Vec<usize> = match &using.tag_names {
        Some(names) => {
            let mut seen = HashSet::new();
            names
                .iter()
                .map(|n| {
                    let i = schema.tag_index(n).ok_or_else(|| {
                        EngineError::new(
                            Code::PAR_INVALID_TAG_NAME,
                            format!("Invalid tag name: {n}"),
                        )
                    })?;
                    if !seen.insert(i) {
                        return Err(EngineError::insert_syntax(n, "duplicated column name"));
                    }
                    Ok(i)
                })
                .collect::<EResult<_>>()?
        }
        None => (0..schema.tags.len()).collect(),
    };
    if positions.len() != using.tags.len() {
        return Err(EngineError::code(Code::PAR_TAGS_NOT_MATCHED));
    }
    for (pos, v) in positions.into_iter().zip(&using.tags) {
        let c = eval_const(v, &ctx)?;
        out[pos] = coerce(&c, &schema.tags[pos], &v.near, &ctx)?;
    }
    Ok(out)
}

fn drop_tables(s: &Session, stable: bool, names: &[(ObjName, bool)]) -> EResult<u64> {
    let mut cat = s.engine.write();
    if !stable && names.len() > 1 {
        for (name, _) in names {
            let dbn = s.db_for(name.db.as_deref())?;
            if cat
                .dbs
                .get(&dbn)
                .is_some_and(|d| d.stables.contains_key(&name.name))
            {
                return Err(EngineError::code(Code::PAR_INVALID_DROP_STABLE));
            }
        }
    }
    for (name, if_exists) in names {
        let dbn = s.db_for(name.db.as_deref())?;
        let topic_uses = cat
            .topics
            .values()
            .any(|t| t.db == dbn && t.table.as_deref() == Some(name.name.as_str()));
        let db = db_mut(&mut cat, &dbn)?;
        if db.stables.contains_key(&name.name) {
            if !stable && names.len() > 1 {
                return Err(EngineError::code(Code::PAR_INVALID_DROP_STABLE));
            }
            if topic_uses {
                return Err(EngineError::code(Code::MND_TOPIC_MUST_BE_DELETED));
            }
            db.stables.remove(&name.name);
            let stb = name.name.clone();
            db.tables.retain(|_, t| t.stable() != Some(stb.as_str()));
            let meta = serde_json::json!({"type": "drop", "tableType": "super", "tableName": stb});
            topics::append_meta(&cat, &dbn, None, meta, Some(&stb), false);
            continue;
        }
        if !stable && db.tables.contains_key(&name.name) {
            if topic_uses {
                return Err(EngineError::code(Code::MND_TOPIC_MUST_BE_DELETED));
            }
            if let Some(t) = db.tables.remove(&name.name) {
                let meta = serde_json::json!({"type": "drop", "tableNameList": [t.name]});
                topics::append_meta(&cat, &dbn, Some(t.vgroup), meta, t.stable(), false);
            }
            continue;
        }
        if !*if_exists {
            return Err(if stable {
                EngineError::code(Code::MND_STB_NOT_EXIST)
            } else {
                EngineError::table_not_exist(&name.name)
            });
        }
    }
    Ok(0)
}

fn alter(s: &Session, stable: bool, name: &ObjName, action: AlterAction) -> EResult<u64> {
    let dbn = s.db_for(name.db.as_deref())?;
    let tz = s.tz;
    let mut cat = s.engine.write();
    let db = db_mut(&mut cat, &dbn)?;
    let precision = db.precision();
    // SET TAG targets a child table.
    if let AlterAction::SetTags(sets) = &action {
        let Some(table) = db.tables.get(&name.name) else {
            return Err(EngineError::table_not_exist(&name.name));
        };
        let Some(stb) = table.stable().map(str::to_string) else {
            return Err(EngineError::code(Code::PAR_INVALID_ALTER_TABLE));
        };
        let schema = db
            .stables
            .get(&stb)
            .map(|st| st.schema.clone())
            .ok_or_else(|| EngineError::table_not_exist(&stb))?;
        let ctx = WriteCtx {
            tz,
            precision,
            now: now_ticks(precision),
        };
        let mut updates = Vec::new();
        for (tag, v) in sets {
            let i = schema.tag_index(tag).ok_or_else(|| {
                EngineError::new(
                    Code::PAR_INVALID_TAG_NAME,
                    format!("Invalid tag name: {tag}"),
                )
            })?;
            let c = eval_const(v, &ctx)?;
            updates.push((i, coerce(&c, &schema.tags[i], &v.near, &ctx)?));
        }
        let mut metas = Vec::new();
        let mut vgroup = None;
        if let Some(t) = db.tables.get_mut(&name.name)
            && let TableKind::Child { tags, .. } = &mut t.kind
        {
            vgroup = Some(t.vgroup);
            for (i, v) in updates {
                let null = v.is_null();
                let text = match v.to_json() {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                metas.push(serde_json::json!({
                    "type": "alter",
                    "tableType": "child",
                    "tableName": name.name,
                    "alterType": alter_type::UPDATE_TAG_VAL,
                    "colName": schema.tags[i].name,
                    "colValue": if null { String::new() } else { text },
                    "colValueNull": null,
                }));
                if let Some(slot) = tags.get_mut(i) {
                    *slot = v;
                }
            }
        }
        for meta in metas {
            topics::append_meta(&cat, &dbn, vgroup, meta, Some(&stb), false);
        }
        return Ok(0);
    }
    if matches!(action, AlterAction::Options) {
        if db.tables.contains_key(&name.name) || db.stables.contains_key(&name.name) {
            return Ok(0);
        }
        return Err(EngineError::table_not_exist(&name.name));
    }
    let is_stable = db.stables.contains_key(&name.name);
    if stable && !is_stable {
        return Err(EngineError::code(Code::MND_STB_NOT_EXIST));
    }
    let tag_action = matches!(
        action,
        AlterAction::AddTag(_)
            | AlterAction::DropTag(_)
            | AlterAction::ModifyTag(..)
            | AlterAction::RenameTag(..)
    );
    if is_stable {
        let children: Vec<String> = db
            .children_of(&name.name)
            .iter()
            .map(|t| t.name.clone())
            .collect();
        let st = db
            .stables
            .get_mut(&name.name)
            .ok_or_else(|| EngineError::table_not_exist(&name.name))?;
        let meta = alter_meta("super", &name.name, &action);
        let change = alter_schema(&mut st.schema, action, true)?;
        let stb = name.name.clone();
        if let Some(change) = change {
            for c in children {
                if let Some(TableKind::Child { tags, .. }) =
                    db.tables.get_mut(&c).map(|t| &mut t.kind)
                {
                    match change {
                        TagChange::Added => tags.push(Value::Null),
                        TagChange::Dropped(i) => {
                            if i < tags.len() {
                                tags.remove(i);
                            }
                        }
                    }
                }
            }
        }
        if let Some(meta) = meta {
            topics::append_meta(&cat, &dbn, None, meta, Some(&stb), false);
        }
        return Ok(0);
    }
    let Some(table) = db.tables.get_mut(&name.name) else {
        return Err(EngineError::table_not_exist(&name.name));
    };
    let vgroup = table.vgroup;
    match &mut table.kind {
        TableKind::Normal(schema) => {
            if tag_action {
                return Err(EngineError::code(Code::PAR_INVALID_ALTER_TABLE));
            }
            let meta = alter_meta("normal", &name.name, &action);
            alter_schema(schema, action, false)?;
            if let Some(meta) = meta {
                topics::append_meta(&cat, &dbn, Some(vgroup), meta, None, false);
            }
            Ok(0)
        }
        TableKind::Child { .. } => Err(EngineError::code(Code::PAR_INVALID_ALTER_TABLE)),
    }
}

/// The `tmq_get_json_meta` object of an ALTER on a supertable or normal table (SET TAG
/// is built where the values are known; options changes have none).
fn alter_meta(table_type: &str, name: &str, action: &AlterAction) -> Option<serde_json::Value> {
    let mut o = serde_json::json!({"type": "alter", "tableType": table_type, "tableName": name});
    let typed = |o: &mut serde_json::Value, code: i32, col: &str, ty: &super::ast::TypeSpec| {
        o["alterType"] = serde_json::json!(code);
        o["colName"] = serde_json::json!(col);
        o["colType"] = serde_json::json!(ty.ty.code());
        if ty.ty.is_var() {
            o["colLength"] = serde_json::json!(ty.length);
        }
    };
    let named = |o: &mut serde_json::Value, code: i32, col: &str| {
        o["alterType"] = serde_json::json!(code);
        o["colName"] = serde_json::json!(col);
    };
    match action {
        AlterAction::AddColumn(c) => typed(&mut o, alter_type::ADD_COLUMN, &c.name, &c.ty),
        AlterAction::AddTag(c) => typed(&mut o, alter_type::ADD_TAG, &c.name, &c.ty),
        AlterAction::ModifyColumn(col, Some(ty)) => {
            typed(&mut o, alter_type::UPDATE_COLUMN_BYTES, col, ty)
        }
        AlterAction::ModifyTag(col, ty) => typed(&mut o, alter_type::UPDATE_TAG_BYTES, col, ty),
        AlterAction::DropColumn(col) => named(&mut o, alter_type::DROP_COLUMN, col),
        AlterAction::DropTag(col) => named(&mut o, alter_type::DROP_TAG, col),
        AlterAction::RenameColumn(old, new) | AlterAction::RenameTag(old, new) => {
            let code = if matches!(action, AlterAction::RenameTag(..)) {
                alter_type::UPDATE_TAG_NAME
            } else {
                alter_type::UPDATE_COLUMN_NAME
            };
            named(&mut o, code, old);
            o["colNewName"] = serde_json::json!(new);
        }
        AlterAction::ModifyColumn(_, None) | AlterAction::SetTags(_) | AlterAction::Options => {
            return None;
        }
    }
    Some(o)
}

enum TagChange {
    Added,
    Dropped(usize),
}

fn exists_in(schema: &Schema, n: &str) -> bool {
    schema.column(n).is_some() || schema.tag_index(n).is_some()
}

fn alter_schema(
    schema: &mut Schema,
    action: AlterAction,
    stable: bool,
) -> EResult<Option<TagChange>> {
    let col_exists = || {
        if stable {
            EngineError::code(Code::MND_COLUMN_ALREADY_EXIST)
        } else {
            EngineError::new(
                Code::MND_COLUMN_ALREADY_EXIST,
                "Table column already exists",
            )
        }
    };
    let col_missing = || {
        if stable {
            EngineError::code(Code::MND_COLUMN_NOT_EXIST)
        } else {
            EngineError::new(Code::MND_COLUMN_NOT_EXIST, "Table column not exists")
        }
    };
    let modify_ok = |old: &ColDef, ty: &super::ast::TypeSpec| {
        old.ty == ty.ty
            && matches!(
                ty.ty,
                Type::VarChar | Type::NChar | Type::VarBinary | Type::Geometry
            )
            && ty.length >= old.length
    };
    match action {
        AlterAction::AddColumn(spec) => {
            if exists_in(schema, &spec.name) {
                return Err(col_exists());
            }
            if spec.ty.ty == Type::Json {
                return Err(EngineError::code(Code::PAR_INVALID_COL_JSON));
            }
            let slot = schema.next_slot;
            schema.next_slot += 1;
            schema.columns.push(ColDef::from_spec(&spec, slot, false));
            Ok(None)
        }
        AlterAction::DropColumn(n) => {
            let i = schema
                .columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(&n))
                .ok_or_else(col_missing)?;
            if i == 0 {
                return Err(EngineError::code(Code::PAR_CANNOT_DROP_PRIMARY_KEY));
            }
            schema.columns.remove(i);
            Ok(None)
        }
        AlterAction::ModifyColumn(n, ty) => {
            let c = schema
                .columns
                .iter_mut()
                .find(|c| c.name.eq_ignore_ascii_case(&n))
                .ok_or_else(col_missing)?;
            if let Some(ty) = ty {
                if !modify_ok(c, &ty) {
                    return Err(EngineError::code(Code::PAR_INVALID_MODIFY_COL));
                }
                c.length = ty.length;
            }
            Ok(None)
        }
        AlterAction::RenameColumn(old, new) => {
            if exists_in(schema, &new) {
                return Err(col_exists());
            }
            let i = schema
                .columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(&old))
                .ok_or_else(col_missing)?;
            if i == 0 {
                return Err(EngineError::code(Code::PAR_CANNOT_DROP_PRIMARY_KEY));
            }
            schema.columns[i].name = new;
            Ok(None)
        }
        AlterAction::AddTag(spec) => {
            if exists_in(schema, &spec.name) {
                return Err(EngineError::code(Code::MND_TAG_ALREADY_EXIST));
            }
            if spec.ty.ty == Type::Json || schema.tags.iter().any(|t| t.ty == Type::Json) {
                return Err(EngineError::code(Code::PAR_ONLY_ONE_JSON_TAG));
            }
            if schema.tags.len() >= 128 {
                return Err(EngineError::code(Code::PAR_INVALID_TAGS_NUM));
            }
            let slot = schema.tags.len();
            schema.tags.push(ColDef::from_spec(&spec, slot, true));
            Ok(Some(TagChange::Added))
        }
        AlterAction::DropTag(n) => {
            let i = schema
                .tag_index(&n)
                .ok_or_else(|| EngineError::code(Code::MND_TAG_NOT_EXIST))?;
            if schema.tags.len() == 1 {
                return Err(EngineError::code(Code::PAR_INVALID_ALTER_TABLE));
            }
            schema.tags.remove(i);
            for (j, t) in schema.tags.iter_mut().enumerate() {
                t.slot = j;
            }
            Ok(Some(TagChange::Dropped(i)))
        }
        AlterAction::ModifyTag(n, ty) => {
            let i = schema
                .tag_index(&n)
                .ok_or_else(|| EngineError::code(Code::MND_TAG_NOT_EXIST))?;
            if !modify_ok(&schema.tags[i], &ty) {
                return Err(EngineError::code(Code::PAR_INVALID_MODIFY_COL));
            }
            schema.tags[i].length = ty.length;
            Ok(None)
        }
        AlterAction::RenameTag(old, new) => {
            if exists_in(schema, &new) {
                return Err(EngineError::code(Code::MND_TAG_ALREADY_EXIST));
            }
            let i = schema
                .tag_index(&old)
                .ok_or_else(|| EngineError::code(Code::MND_TAG_NOT_EXIST))?;
            schema.tags[i].name = new;
            Ok(None)
        }
        AlterAction::SetTags(_) | AlterAction::Options => Ok(None),
    }
}

fn create_topic(
    s: &Session,
    if_not_exists: bool,
    name: &str,
    target: &TopicTarget,
    sql: &str,
) -> EResult<u64> {
    let (dbn, kind, with_meta, table) = match target {
        TopicTarget::Database { db, with_meta } => (db.clone(), "db", *with_meta, None),
        TopicTarget::Stable {
            name, with_meta, ..
        } => (
            s.db_for(name.db.as_deref())?,
            "stable",
            *with_meta,
            Some(name.name.clone()),
        ),
        TopicTarget::Query(sel) => {
            let Some(from) = &sel.from else {
                return Err(EngineError::code(Code::PAR_INVALID_TOPIC_QUERY));
            };
            if sel.interval.is_some() || !sel.group_by.is_empty() || !sel.partition_by.is_empty() {
                return Err(EngineError::code(Code::PAR_INVALID_TOPIC_QUERY));
            }
            // Validate the query by planning it (no rows are read).
            super::query::validate_topic_query(s, sel)?;
            (
                s.db_for(from.name.db.as_deref())?,
                "column",
                false,
                Some(from.name.name.clone()),
            )
        }
    };
    let mut cat = s.engine.write();
    if cat.topics.contains_key(name) {
        return if if_not_exists {
            Ok(0)
        } else {
            Err(EngineError::code(Code::MND_TOPIC_ALREADY_EXIST))
        };
    }
    let db = cat.dbs.get(&dbn).ok_or_else(EngineError::db_not_exist)?;
    if db.options.int("wal_retention_period", 3600) == 0 {
        return Err(EngineError::code(Code::MND_DB_RETENTION_PERIOD_ZERO));
    }
    if let (Some(t), "stable") = (&table, kind)
        && !db.stables.contains_key(t)
    {
        return Err(EngineError::table_not_exist(t));
    }
    super::topics::create_topic(s, &cat, name, &dbn, target)?;
    cat.topics.insert(
        name.to_string(),
        Topic {
            name: name.to_string(),
            db: dbn,
            create_time: now_ticks(Precision::Millisecond),
            sql: sql.to_string(),
            kind,
            with_meta,
            table,
        },
    );
    Ok(0)
}
