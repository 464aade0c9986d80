//! TMQ meta messages as SQL: the statements that replay a `tmq_get_json_meta` object
//! (02 §3.5.4) on another database, for `write_raw_meta` and for replication tools.
//!
//! The JSON shapes are TDengine's: `create` (`tableType` `super`, `normal` or `child`, the
//! last with `using` and tag values, or several children in `createList`), `alter` (an
//! `alterType` of TDengine's `TSDB_ALTER_TABLE_*` codes), `drop` (`tableNameList`, or a
//! supertable's `tableName`), `delete` (its `sql`), and a batch (`metas`) of any of them.
//! Names are quoted with backticks, so the statements run in the current database.

use serde_json::Value as Json;

use crate::error::{Error, ErrorKind, Result};
use crate::types::Type;

/// `TSDB_ALTER_TABLE_*` codes of an `alter` meta.
mod alter_type {
    pub const ADD_TAG: i64 = 1;
    pub const DROP_TAG: i64 = 2;
    pub const UPDATE_TAG_NAME: i64 = 3;
    pub const UPDATE_TAG_VAL: i64 = 4;
    pub const ADD_COLUMN: i64 = 5;
    pub const DROP_COLUMN: i64 = 6;
    pub const UPDATE_COLUMN_BYTES: i64 = 7;
    pub const UPDATE_TAG_BYTES: i64 = 8;
    pub const UPDATE_COLUMN_NAME: i64 = 10;
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Tmq, format!("tmq meta: {what}"))
}

/// The SQL statements that apply `meta` (a `tmq_get_json_meta` object) to the current
/// database, in order. A meta without effect (an empty batch) gives none.
///
/// ```
/// use taosync_proto::tmq::meta_to_sql;
/// let meta = serde_json::json!({
///     "type": "create", "tableType": "super", "tableName": "st",
///     "columns": [{"name": "ts", "type": 9}, {"name": "s", "type": 8, "length": 16}],
///     "tags": [{"name": "loc", "type": 4}],
/// });
/// assert_eq!(
///     meta_to_sql(&meta)?,
///     ["create stable if not exists `st` (`ts` TIMESTAMP, `s` VARCHAR(16)) tags (`loc` INT)"]
/// );
/// # Ok::<(), taosync_proto::Error>(())
/// ```
pub fn meta_to_sql(meta: &Json) -> Result<Vec<String>> {
    let mut out = Vec::new();
    push_sql(meta, &mut out)?;
    Ok(out)
}

fn push_sql(meta: &Json, out: &mut Vec<String>) -> Result<()> {
    if let Some(metas) = meta.get("metas") {
        for m in metas
            .as_array()
            .ok_or_else(|| bad("`metas` is not a list"))?
        {
            push_sql(m, out)?;
        }
        return Ok(());
    }
    match str_field(meta, "type")? {
        "create" => create(meta, out),
        "alter" => alter(meta).map(|sql| out.push(sql)),
        "drop" => drop_tables(meta, out),
        "delete" => {
            out.push(str_field(meta, "sql")?.to_owned());
            Ok(())
        }
        other => Err(bad(format_args!("unknown meta type {other:?}"))),
    }
}

fn str_field<'a>(meta: &'a Json, key: &str) -> Result<&'a str> {
    meta.get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| bad(format_args!("`{key}` is missing or not a string")))
}

fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `TYPE` or `TYPE(length)` of a column entry (`type` code, `length` for variable types).
fn type_sql(entry: &Json, type_key: &str, length_key: &str) -> Result<String> {
    let code = entry
        .get(type_key)
        .and_then(Json::as_u64)
        .and_then(|c| u8::try_from(c).ok())
        .ok_or_else(|| bad(format_args!("`{type_key}` is missing")))?;
    let ty = Type::from_code(code).ok_or_else(|| bad(format_args!("unknown type code {code}")))?;
    if ty.is_decimal() {
        let p = entry.get("precision").and_then(Json::as_u64).unwrap_or(38);
        let s = entry.get("scale").and_then(Json::as_u64).unwrap_or(0);
        return Ok(format!("DECIMAL({p},{s})"));
    }
    if ty.is_var() && ty != Type::Json {
        let length = entry
            .get(length_key)
            .and_then(Json::as_u64)
            .ok_or_else(|| bad(format_args!("`{length_key}` of a {} is missing", ty.name())))?;
        return Ok(format!("{}({length})", ty.name()));
    }
    Ok(ty.name().to_owned())
}

fn column_list(meta: &Json, key: &str) -> Result<String> {
    let list = meta
        .get(key)
        .and_then(Json::as_array)
        .ok_or_else(|| bad(format_args!("`{key}` is missing")))?;
    let items = list
        .iter()
        .map(|c| {
            Ok(format!(
                "{} {}",
                ident(str_field(c, "name")?),
                type_sql(c, "type", "length")?
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(items.join(", "))
}

/// A tag value of a child creation as a SQL literal.
fn literal(value: &Json) -> String {
    match value {
        Json::Null => "NULL".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => quote(s),
        other => quote(&other.to_string()),
    }
}

fn create(meta: &Json, out: &mut Vec<String>) -> Result<()> {
    let name = str_field(meta, "tableName")?;
    match str_field(meta, "tableType")? {
        "super" => out.push(format!(
            "create stable if not exists {} ({}) tags ({})",
            ident(name),
            column_list(meta, "columns")?,
            column_list(meta, "tags")?
        )),
        "normal" => out.push(format!(
            "create table if not exists {} ({})",
            ident(name),
            column_list(meta, "columns")?
        )),
        "child" => {
            let more = meta.get("createList").and_then(Json::as_array);
            if let Some(list) = more.filter(|l| !l.is_empty()) {
                for child in list {
                    out.push(child_sql(child)?);
                }
            } else {
                out.push(child_sql(meta)?);
            }
        }
        other => return Err(bad(format_args!("unknown table type {other:?}"))),
    }
    Ok(())
}

fn child_sql(meta: &Json) -> Result<String> {
    let name = str_field(meta, "tableName")?;
    let stable = str_field(meta, "using")?;
    let tags = meta
        .get("tags")
        .and_then(Json::as_array)
        .ok_or_else(|| bad("`tags` of a child table is missing"))?;
    let names = tags
        .iter()
        .map(|t| str_field(t, "name").map(ident))
        .collect::<Result<Vec<_>>>()?;
    let values: Vec<String> = tags
        .iter()
        .map(|t| literal(t.get("value").unwrap_or(&Json::Null)))
        .collect();
    Ok(format!(
        "create table if not exists {} using {} ({}) tags ({})",
        ident(name),
        ident(stable),
        names.join(", "),
        values.join(", ")
    ))
}

/// A `SET TAG` value: `colValueNull` is NULL; TDengine writes string values in double
/// quotes, numbers and booleans bare.
fn tag_value(meta: &Json) -> String {
    if meta.get("colValueNull").and_then(Json::as_bool) == Some(true) {
        return "NULL".into();
    }
    let text = meta.get("colValue").and_then(Json::as_str).unwrap_or("");
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return quote(inner);
    }
    let bare = text.parse::<f64>().is_ok() || matches!(text, "true" | "false");
    if bare { text.to_owned() } else { quote(text) }
}

fn alter(meta: &Json) -> Result<String> {
    let name = ident(str_field(meta, "tableName")?);
    let kind = if str_field(meta, "tableType")? == "super" {
        "stable"
    } else {
        "table"
    };
    let code = meta
        .get("alterType")
        .and_then(Json::as_i64)
        .ok_or_else(|| bad("`alterType` is missing"))?;
    let col = || str_field(meta, "colName").map(ident);
    let typed = || type_sql(meta, "colType", "colLength");
    let new_name = || str_field(meta, "colNewName").map(ident);
    Ok(match code {
        alter_type::ADD_TAG => format!("alter {kind} {name} add tag {} {}", col()?, typed()?),
        alter_type::DROP_TAG => format!("alter {kind} {name} drop tag {}", col()?),
        alter_type::UPDATE_TAG_NAME => {
            format!("alter {kind} {name} rename tag {} {}", col()?, new_name()?)
        }
        alter_type::UPDATE_TAG_VAL => {
            format!(
                "alter table {name} set tag {} = {}",
                col()?,
                tag_value(meta)
            )
        }
        alter_type::ADD_COLUMN => format!("alter {kind} {name} add column {} {}", col()?, typed()?),
        alter_type::DROP_COLUMN => format!("alter {kind} {name} drop column {}", col()?),
        alter_type::UPDATE_COLUMN_BYTES => {
            format!("alter {kind} {name} modify column {} {}", col()?, typed()?)
        }
        alter_type::UPDATE_TAG_BYTES => {
            format!("alter {kind} {name} modify tag {} {}", col()?, typed()?)
        }
        alter_type::UPDATE_COLUMN_NAME => {
            format!(
                "alter {kind} {name} rename column {} {}",
                col()?,
                new_name()?
            )
        }
        other => return Err(bad(format_args!("unsupported alterType {other}"))),
    })
}

fn drop_tables(meta: &Json, out: &mut Vec<String>) -> Result<()> {
    if meta.get("tableType").and_then(Json::as_str) == Some("super") {
        out.push(format!(
            "drop stable if exists {}",
            ident(str_field(meta, "tableName")?)
        ));
        return Ok(());
    }
    let names = meta
        .get("tableNameList")
        .and_then(Json::as_array)
        .ok_or_else(|| bad("`tableNameList` is missing"))?;
    for name in names {
        let name = name
            .as_str()
            .ok_or_else(|| bad("a table name is not a string"))?;
        out.push(format!("drop table if exists {}", ident(name)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_meta_shape_becomes_sql() {
        let child = json!({"type": "create", "tableType": "child", "tableName": "c1",
            "using": "st", "tagNum": 2,
            "tags": [{"name": "loc", "type": 4, "value": 1},
                     {"name": "n", "type": 8, "value": "it's"}],
            "createList": []});
        assert_eq!(
            meta_to_sql(&child).unwrap(),
            ["create table if not exists `c1` using `st` (`loc`, `n`) tags (1, 'it\\'s')"]
        );
        let alter = |extra: Json| {
            let mut m = json!({"type": "alter", "tableType": "super", "tableName": "st"});
            for (k, v) in extra.as_object().unwrap() {
                m[k] = v.clone();
            }
            meta_to_sql(&m).unwrap().remove(0)
        };
        assert_eq!(
            alter(json!({"alterType": 5, "colName": "w", "colType": 8, "colLength": 8})),
            "alter stable `st` add column `w` VARCHAR(8)"
        );
        assert_eq!(
            alter(json!({"alterType": 3, "colName": "a", "colNewName": "b"})),
            "alter stable `st` rename tag `a` `b`"
        );
        assert_eq!(
            alter(
                json!({"alterType": 4, "tableType": "child", "colName": "loc", "colValue": "7", "colValueNull": false})
            ),
            "alter table `st` set tag `loc` = 7"
        );
        assert_eq!(
            alter(json!({"alterType": 4, "colName": "s", "colValue": "\"x y\""})),
            "alter table `st` set tag `s` = 'x y'"
        );
        assert_eq!(
            alter(json!({"alterType": 4, "colName": "s", "colValueNull": true})),
            "alter table `st` set tag `s` = NULL"
        );
        let drop = json!({"type": "drop", "tableNameList": ["a", "b"]});
        assert_eq!(
            meta_to_sql(&drop).unwrap(),
            ["drop table if exists `a`", "drop table if exists `b`"]
        );
        let batch = json!({"metas": [drop, {"type": "delete", "sql": "delete from `c1`"}]});
        assert_eq!(meta_to_sql(&batch).unwrap().len(), 3);
        assert!(meta_to_sql(&json!({"type": "nonsense"})).is_err());
        assert!(
            meta_to_sql(
                &json!({"type": "alter", "tableType": "normal", "tableName": "t", "alterType": 99})
            )
            .is_err()
        );
    }
}
