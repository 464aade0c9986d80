//! OpenTSDB JSON as TDengine parses it (`smlParseJSONExt` and helpers in `clientSmlJson.c`).
//!
//! The payload is one data point object or an array of them. Each object has exactly the
//! four keys `metric`, `timestamp`, `value` and `tags` (matched case-insensitively).
//! Plain values map JSON bool → BOOL, number → DOUBLE, string → VARCHAR; a typed value is
//! `{"value": v, "type": t}`. Tags are typed the same way (so a numeric tag is a DOUBLE tag).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use taosync_proto::value::Value;

use super::value::{TsUnit, convert_ts_value};
use super::{
    Context, MAX_BINARY_LEN, MAX_COLUMN_NAME_LEN, MAX_NCHAR_LEN, MAX_TABLE_NAME_LEN, SmlError,
    SmlField, SmlPoint, VALUE_COLUMN, codes, finish_point,
};

fn invalid_json(message: impl Into<String>) -> SmlError {
    SmlError::new(codes::TSC_INVALID_JSON, message)
}

fn invalid_ts(message: impl Into<String>) -> SmlError {
    SmlError::new(codes::INVALID_TIMESTAMP, message)
}

/// The whole payload.
pub(crate) fn parse_json(payload: &str, ctx: &Context<'_>) -> Result<Vec<SmlPoint>, SmlError> {
    let root: Json = serde_json::from_str(payload)
        .map_err(|e| invalid_json(format!("invalid JSON payload: {e}")))?;
    let items: Vec<&Json> = match &root {
        Json::Array(items) => items.iter().collect(),
        Json::Object(_) => vec![&root],
        _ => {
            return Err(invalid_json(
                "invalid JSON payload: expected a data point object or an array of them",
            ));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| parse_point(item, i + 1, ctx).map_err(|e| e.at_point(i + 1)))
        .collect()
}

/// The member of `obj` whose key equals `name` ignoring ASCII case (cJSON's
/// `strcasecmp` lookup).
fn member<'a>(obj: &'a Map<String, Json>, name: &str) -> Option<&'a Json> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn parse_point(item: &Json, index: usize, ctx: &Context<'_>) -> Result<SmlPoint, SmlError> {
    let Json::Object(obj) = item else {
        return Err(invalid_json("a data point must be a JSON object"));
    };
    if obj.len() != 4 {
        return Err(invalid_json(format!(
            "a data point must have exactly the keys metric, timestamp, value and tags; it has {} keys",
            obj.len()
        )));
    }
    let get = |name: &str| {
        member(obj, name).ok_or_else(|| invalid_json(format!("the data point has no {name:?} key")))
    };
    let metric = get("metric")?;
    let timestamp = get("timestamp")?;
    let value = get("value")?;
    let tags = get("tags")?;

    let Json::String(metric) = metric else {
        return Err(invalid_json("\"metric\" must be a string"));
    };
    if metric.is_empty() || metric.len() > MAX_TABLE_NAME_LEN {
        return Err(SmlError::new(
            codes::TSC_INVALID_TABLE_ID_LENGTH,
            format!("metric {metric:?} is empty or longer than {MAX_TABLE_NAME_LEN} bytes"),
        ));
    }
    let value = json_value(value)
        .map_err(|e| SmlError::new(e.code(), format!("\"value\": {}", e.message())))?;

    let Json::Object(tag_obj) = tags else {
        return Err(invalid_json("\"tags\" must be a non-empty object"));
    };
    if tag_obj.is_empty() {
        return Err(invalid_json("tag should not be empty"));
    }
    let mut fields = Vec::with_capacity(tag_obj.len());
    for (key, tag) in tag_obj {
        if key.is_empty() || key.len() > MAX_COLUMN_NAME_LEN {
            return Err(SmlError::new(
                codes::TSC_INVALID_COLUMN_LENGTH,
                format!("tag key {key:?} is empty or longer than {MAX_COLUMN_NAME_LEN} bytes"),
            ));
        }
        let v = json_value(tag)
            .map_err(|e| SmlError::new(e.code(), format!("tag {key:?}: {}", e.message())))?;
        fields.push(SmlField::new(key.clone(), v));
    }

    let ts = json_timestamp(timestamp, ctx)?;
    finish_point(
        index,
        metric,
        metric,
        fields,
        vec![SmlField::new(VALUE_COLUMN, value)],
        taosync_proto::types::Timestamp::new(ts, ctx.db_precision),
        ctx,
    )
}

/// `smlParseValueFromJSON`: a plain or typed value.
fn json_value(v: &Json) -> Result<Value, SmlError> {
    match v {
        Json::Bool(b) => Ok(Value::Bool(*b)),
        Json::Number(n) => Ok(Value::Double(*n)),
        Json::String(s) => string_value(s, "binary"),
        Json::Object(obj) => typed_value(obj),
        Json::Null | Json::Array(_) => Err(invalid_json(
            "a value must be a bool, number, string or {\"value\",\"type\"} object",
        )),
    }
}

/// `smlConvertJSONString`.
fn string_value(s: &str, ty: &str) -> Result<Value, SmlError> {
    let too_long = |max: usize| {
        SmlError::new(
            codes::PAR_INVALID_VAR_COLUMN_LEN,
            format!(
                "string of {} bytes is longer than the maximum {max}",
                s.len()
            ),
        )
    };
    if ty.eq_ignore_ascii_case("binary") {
        if s.len() > MAX_BINARY_LEN {
            return Err(too_long(MAX_BINARY_LEN));
        }
        Ok(Value::VarChar(s.to_string()))
    } else if ty.eq_ignore_ascii_case("varbinary") {
        if s.len() > MAX_BINARY_LEN {
            return Err(too_long(MAX_BINARY_LEN));
        }
        Ok(Value::VarBinary(s.as_bytes().to_vec()))
    } else if ty.eq_ignore_ascii_case("nchar") {
        if s.len() > MAX_NCHAR_LEN {
            return Err(too_long(MAX_NCHAR_LEN));
        }
        Ok(Value::NChar(s.to_string()))
    } else {
        Err(SmlError::new(
            codes::TSC_INVALID_JSON_TYPE,
            format!("invalid type {ty:?} for a JSON string"),
        ))
    }
}

/// `smlParseValueFromJSONObj`: `{"value": v, "type": t}`.
fn typed_value(obj: &Map<String, Json>) -> Result<Value, SmlError> {
    if obj.len() != 2 {
        return Err(invalid_json(
            "a typed value must have exactly the keys \"value\" and \"type\"",
        ));
    }
    let value =
        member(obj, "value").ok_or_else(|| invalid_json("typed value without \"value\""))?;
    let Some(Json::String(ty)) = member(obj, "type") else {
        return Err(invalid_json("typed value without a string \"type\""));
    };
    match value {
        Json::Bool(b) => {
            if ty.eq_ignore_ascii_case("bool") {
                Ok(Value::Bool(*b))
            } else {
                Err(SmlError::new(
                    codes::TSC_INVALID_JSON_TYPE,
                    format!("invalid type {ty:?} for a JSON bool"),
                ))
            }
        }
        Json::Number(n) => typed_number(*n, ty),
        Json::String(s) => string_value(s, ty),
        _ => Err(SmlError::new(
            codes::TSC_INVALID_JSON_TYPE,
            "a typed value must be a bool, number or string",
        )),
    }
}

/// `smlConvertJSONNumber`: range-checked on the double, then truncated toward zero.
fn typed_number(d: f64, ty: &str) -> Result<Value, SmlError> {
    let t = ty.to_ascii_lowercase();
    let out_of_range = |name: &str| {
        SmlError::new(
            codes::TSC_VALUE_OUT_OF_RANGE,
            format!("JSON value {d} cannot fit in type {name}"),
        )
    };
    let check = |lo: f64, hi: f64, name: &str| {
        if d >= lo && d <= hi {
            Ok(())
        } else {
            Err(out_of_range(name))
        }
    };
    Ok(match t.as_str() {
        "i8" | "tinyint" => {
            check(-128.0, 127.0, "tinyint")?;
            Value::TinyInt(d as i8)
        }
        "i16" | "smallint" => {
            check(-32768.0, 32767.0, "smallint")?;
            Value::SmallInt(d as i16)
        }
        "i32" | "int" => {
            check(-2_147_483_648.0, 2_147_483_647.0, "int")?;
            Value::Int(d as i32)
        }
        // BIGINT saturates (`as` does the same).
        "i64" | "bigint" => Value::BigInt(d as i64),
        "f32" | "float" => {
            check(-f64::from(f32::MAX), f64::from(f32::MAX), "float")?;
            Value::Float(d as f32)
        }
        "f64" | "double" => Value::Double(d),
        _ => {
            return Err(SmlError::new(
                codes::TSC_INVALID_JSON_TYPE,
                format!("invalid type {ty:?} for a JSON number"),
            ));
        }
    })
}

/// True when `d` does not fit an i64 (`smlDoubleToInt64OverFlow`: both bounds excluded;
/// NaN counts as overflow here).
fn overflows_i64(d: f64) -> bool {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    d.is_nan() || d >= LIMIT || d <= -LIMIT
}

/// `smlParseTSFromJSON`: the timestamp in the database precision.
fn json_timestamp(v: &Json, ctx: &Context<'_>) -> Result<i64, SmlError> {
    let to = ctx.db_precision;
    match v {
        Json::Number(n) => {
            let d = *n;
            if overflows_i64(d) {
                return Err(invalid_ts(format!("timestamp {n} is too large")));
            }
            if d < 0.0 {
                return Err(invalid_ts(format!("timestamp {n} is negative")));
            }
            let whole = d as i64;
            if whole == 0 && d == 0.0 {
                return Ok(ctx.now.value());
            }
            let digits = whole.unsigned_abs().checked_ilog10().map_or(1, |l| l + 1);
            let unit = match digits {
                10 => TsUnit::Second,
                13 => TsUnit::Milli,
                _ => {
                    return Err(invalid_ts(format!(
                        "timestamp precision can only be seconds(10 digits) or milli seconds(13 digits): {n}"
                    )));
                }
            };
            convert_ts_value(whole, unit, to)
                .ok_or_else(|| invalid_ts(format!("timestamp {n} is out of range")))
        }
        Json::Object(obj) => {
            if obj.len() != 2 {
                return Err(invalid_ts(
                    "a timestamp object must have exactly the keys \"value\" and \"type\"",
                ));
            }
            let Some(Json::Number(n)) = member(obj, "value") else {
                return Err(invalid_ts("a timestamp object needs a numeric \"value\""));
            };
            let Some(Json::String(ty)) = member(obj, "type") else {
                return Err(invalid_ts("a timestamp object needs a string \"type\""));
            };
            let d = *n;
            if overflows_i64(d) {
                return Err(invalid_ts(format!("timestamp {n} is too large")));
            }
            if d == 0.0 {
                return Ok(ctx.now.value());
            }
            if d < 0.0 {
                return Err(invalid_ts(format!("timestamp {n} is negative")));
            }
            let unit = match ty.to_ascii_lowercase().as_str() {
                "s" => TsUnit::Second,
                "ms" => TsUnit::Milli,
                "us" => TsUnit::Micro,
                "ns" => TsUnit::Nano,
                _ => {
                    return Err(invalid_ts(format!(
                        "invalid timestamp type {ty:?} (expected s, ms, us or ns)"
                    )));
                }
            };
            convert_ts_value(d as i64, unit, to)
                .ok_or_else(|| invalid_ts(format!("timestamp {n} is out of range")))
        }
        _ => Err(invalid_ts(
            "a timestamp must be a number or a {\"value\",\"type\"} object",
        )),
    }
}

/// A JSON document that keeps object members in document order, duplicates included, as
/// cJSON does (tag order decides the supertable's tag order; a duplicated key makes a data
/// point have more than four members).
#[derive(Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

type Map<K, V> = Vec<(K, V)>;

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            members.push((k, v));
        }
        Ok(Json::Object(members))
    }
}
