//! serde for rows and values (cargo feature `serde`): rows deserialize into any
//! `T: DeserializeOwned` by column name ([`Row::deserialize`]), and values and rows serialize
//! (a row as a map of column name to value), for tools that dump results as JSON lines.
//!
//! | TDengine type | deserializes into | serializes as |
//! |---|---|---|
//! | BOOL, integers, FLOAT, DOUBLE | the Rust numbers (range-checked by serde), `bool` | the number / bool |
//! | TIMESTAMP | `i64` (the raw value in the column's precision), `chrono::DateTime<Utc>` or `DateTime<FixedOffset>` (an RFC 3339 string, full precision), `String` | the raw `i64` |
//! | VARCHAR, NCHAR | `String` | the string |
//! | JSON | `serde_json::Value` or any type the JSON fits; `String` gets the JSON text | the JSON itself |
//! | DECIMAL | `String` (exact) or `f64` | the exact string |
//! | VARBINARY, GEOMETRY, BLOB | `Vec<u8>`, `serde_bytes::ByteBuf` | bytes |
//! | NULL | `Option::None`, `()` | `null` / none |
//!
//! A column the target type lacks is ignored; a field the row lacks is an error naming the
//! field; a value that does not fit its field is an error naming the column. All are
//! [`Interface`](ErrorKind::Interface) errors, as [`Row::get`] conversions are.
//!
//! ```
//! use std::sync::Arc;
//! use taosync_proto::{Column, Row, Type, Value};
//!
//! #[derive(serde::Deserialize)]
//! struct Reading {
//!     ts: i64,
//!     location: String,
//!     current: Option<f32>,
//! }
//!
//! let columns: Arc<[Column]> = vec![
//!     Column::new("ts", Type::Timestamp, 8),
//!     Column::new("current", Type::Float, 4),
//!     Column::new("location", Type::VarChar, 16),
//! ]
//! .into();
//! let ts = taosync_proto::Timestamp::new(1_700_000_000_000, taosync_proto::Precision::Millisecond);
//! let row = Row::new(
//!     columns,
//!     vec![Value::Timestamp(ts), Value::Null, Value::VarChar("attic".into())],
//! )?;
//! let r: Reading = row.deserialize()?;
//! assert_eq!((r.ts, r.location.as_str(), r.current), (1_700_000_000_000, "attic", None));
//! assert_eq!(serde_json::to_string(&row).unwrap(), r#"{"ts":1700000000000,"current":null,"location":"attic"}"#);
//! # Ok::<(), taosync_proto::Error>(())
//! ```

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserializer, Serialize, forward_to_deserialize_any};

use crate::error::{Error, ErrorKind, Result};
use crate::row::Row;
use crate::types::Timestamp;
use crate::value::Value;

/// The deserializer's error: a message, later tied to a column.
#[derive(Debug)]
struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError(msg.to_string())
    }
}

impl Row {
    /// The row as a `T`, fields matched to columns by name. See the
    /// [serde module docs](crate::serde_support) for the type mapping.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use taosync_proto::{Column, ErrorKind, Row, Type, Value};
    /// #[derive(serde::Deserialize, Debug)]
    /// struct V { v: u8 }
    /// let columns: Arc<[Column]> = vec![Column::new("v", Type::Int, 4)].into();
    /// let row = Row::new(columns.clone(), vec![Value::Int(7)])?;
    /// assert_eq!(row.deserialize::<V>()?.v, 7);
    /// let too_big = Row::new(columns, vec![Value::Int(300)])?;
    /// let e = too_big.deserialize::<V>().unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::Interface);
    /// assert!(e.message().contains("column `v`"), "{e}");
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T> {
        T::deserialize(RowDeserializer { row: self }).map_err(|e| {
            Error::new(
                ErrorKind::Interface,
                format!("cannot deserialize the row: {e}"),
            )
        })
    }
}

/// A row as a map of column names to values.
struct RowDeserializer<'a> {
    row: &'a Row,
}

impl<'de> Deserializer<'de> for RowDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(RowMap {
            row: self.row,
            next: 0,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // Tuples and sequences take the values in column order.
        visitor.visit_seq(de::value::SeqDeserializer::new(
            self.row
                .values()
                .iter()
                .map(|v| ValueDeserializer { value: v }),
        ))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct
        tuple_struct map struct enum identifier ignored_any
    }
}

struct RowMap<'a> {
    row: &'a Row,
    next: usize,
}

impl<'de> MapAccess<'de> for RowMap<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(column) = self.row.columns().get(self.next) else {
            return Ok(None);
        };
        seed.deserialize(column.name.as_str().into_deserializer())
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let i = self.next;
        self.next += 1;
        let (Some(column), Some(value)) = (self.row.columns().get(i), self.row.values().get(i))
        else {
            return Err(DeError("a value was asked for past the last column".into()));
        };
        seed.deserialize(ValueDeserializer { value })
            .map_err(|e| DeError(format!("column `{}` ({}): {e}", column.name, value.ty())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.row.len().saturating_sub(self.next))
    }
}

/// One value.
struct ValueDeserializer<'a> {
    value: &'a Value,
}

impl<'de> IntoDeserializer<'de, DeError> for ValueDeserializer<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

fn rfc3339(ts: Timestamp) -> Result<String, DeError> {
    ts.to_utc()
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .ok_or_else(|| {
            DeError(format!(
                "timestamp {} is outside chrono's range",
                ts.value()
            ))
        })
}

impl<'de> Deserializer<'de> for ValueDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            Value::Bool(v) => visitor.visit_bool(*v),
            Value::TinyInt(v) => visitor.visit_i8(*v),
            Value::SmallInt(v) => visitor.visit_i16(*v),
            Value::Int(v) => visitor.visit_i32(*v),
            Value::BigInt(v) => visitor.visit_i64(*v),
            Value::UTinyInt(v) => visitor.visit_u8(*v),
            Value::USmallInt(v) => visitor.visit_u16(*v),
            Value::UInt(v) => visitor.visit_u32(*v),
            Value::UBigInt(v) => visitor.visit_u64(*v),
            Value::Float(v) => visitor.visit_f32(*v),
            Value::Double(v) => visitor.visit_f64(*v),
            Value::Timestamp(ts) => visitor.visit_i64(ts.value()),
            Value::VarChar(s) | Value::NChar(s) => visitor.visit_str(s),
            Value::Json(s) => {
                let mut json = serde_json::Deserializer::from_str(s);
                json.deserialize_any(visitor)
                    .map_err(|e| DeError(format!("bad JSON value: {e}")))
            }
            Value::Decimal(d) => visitor.visit_string(d.to_string()),
            // A sequence of bytes: what `Vec<u8>` and self-describing targets
            // (`serde_json::Value`) accept; `deserialize_bytes` gives byte buffers.
            Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => visitor.visit_seq(
                de::value::SeqDeserializer::<_, DeError>::new(b.iter().copied()),
            ),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Timestamp(ts) => visitor.visit_string(rfc3339(*ts)?),
            Value::Json(s) => visitor.visit_str(s),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Decimal(d) => {
                let text = d.to_string();
                let f: f64 = text
                    .parse()
                    .map_err(|e| DeError(format!("DECIMAL {text} as f64: {e}")))?;
                visitor.visit_f64(f)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => {
                visitor.visit_byte_buf(b.clone())
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            _ => self.deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 char seq
        unit_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl Serialize for Value {
    /// See the [serde module docs](crate::serde_support): numbers as numbers, TIMESTAMP as its
    /// raw `i64`, DECIMAL as its exact string, JSON as the JSON itself (its text when it does
    /// not parse), binary types as bytes, NULL as none.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_none(),
            Value::Bool(v) => s.serialize_bool(*v),
            Value::TinyInt(v) => s.serialize_i8(*v),
            Value::SmallInt(v) => s.serialize_i16(*v),
            Value::Int(v) => s.serialize_i32(*v),
            Value::BigInt(v) => s.serialize_i64(*v),
            Value::UTinyInt(v) => s.serialize_u8(*v),
            Value::USmallInt(v) => s.serialize_u16(*v),
            Value::UInt(v) => s.serialize_u32(*v),
            Value::UBigInt(v) => s.serialize_u64(*v),
            Value::Float(v) => s.serialize_f32(*v),
            Value::Double(v) => s.serialize_f64(*v),
            Value::Timestamp(ts) => s.serialize_i64(ts.value()),
            Value::VarChar(v) | Value::NChar(v) => s.serialize_str(v),
            Value::Json(text) => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(json) => json.serialize(s),
                Err(_) => s.serialize_str(text),
            },
            Value::Decimal(d) => s.collect_str(d),
            Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => s.serialize_bytes(b),
        }
    }
}

impl Serialize for Row {
    /// A map of column name to value, in column order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (column, value) in self.columns().iter().zip(self.values()) {
            map.serialize_entry(&column.name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use serde::Deserialize;

    use crate::row::Column;
    use crate::types::{Decimal, Precision, Type};

    use super::*;

    fn every_type_row() -> Row {
        let cols: Arc<[Column]> = vec![
            Column::new("ts", Type::Timestamp, 8),
            Column::new("b", Type::Bool, 1),
            Column::new("i8", Type::TinyInt, 1),
            Column::new("u64", Type::UBigInt, 8),
            Column::new("f", Type::Float, 4),
            Column::new("d", Type::Double, 8),
            Column::new("s", Type::VarChar, 8),
            Column::new("n", Type::NChar, 8),
            Column::new("j", Type::Json, 64),
            Column::new("dec", Type::Decimal, 16),
            Column::new("vb", Type::VarBinary, 8),
            Column::new("g", Type::Geometry, 32),
            Column::new("missing", Type::Int, 4),
        ]
        .into();
        let ts = Timestamp::new(1_700_000_000_123_456_789, Precision::Nanosecond);
        Row::new(
            cols,
            vec![
                Value::Timestamp(ts),
                Value::Bool(true),
                Value::TinyInt(-8),
                Value::UBigInt(u64::MAX),
                Value::Float(1.5),
                Value::Double(-2.25),
                Value::VarChar("abc".into()),
                Value::NChar("ünï".into()),
                Value::Json(r#"{"k":[1,"x"]}"#.into()),
                Value::Decimal("12345.67".parse::<Decimal>().unwrap()),
                Value::VarBinary(vec![0, 255]),
                Value::Geometry(vec![1, 2, 3]),
                Value::Null,
            ],
        )
        .unwrap()
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Everything {
        ts: i64,
        b: bool,
        i8: i8,
        u64: u64,
        f: f32,
        d: f64,
        s: String,
        n: String,
        j: serde_json::Value,
        dec: String,
        vb: Vec<u8>,
        g: Vec<u8>,
        missing: Option<i32>,
    }

    #[test]
    fn every_type_deserializes() {
        let e: Everything = every_type_row().deserialize().unwrap();
        assert_eq!(e.ts, 1_700_000_000_123_456_789);
        assert!(e.b);
        assert_eq!((e.i8, e.u64, e.f, e.d), (-8, u64::MAX, 1.5, -2.25));
        assert_eq!((e.s.as_str(), e.n.as_str()), ("abc", "ünï"));
        assert_eq!(e.j, serde_json::json!({"k": [1, "x"]}));
        assert_eq!(e.dec, "12345.67");
        assert_eq!((e.vb, e.g), (vec![0, 255], vec![1, 2, 3]));
        assert_eq!(e.missing, None);
    }

    #[test]
    fn timestamps_into_chrono_and_strings_decimals_into_f64_json_into_text() {
        #[derive(Deserialize)]
        struct T {
            ts: chrono::DateTime<chrono::Utc>,
            dec: f64,
            j: String,
        }
        let t: T = every_type_row().deserialize().unwrap();
        assert_eq!(t.ts.timestamp_nanos_opt(), Some(1_700_000_000_123_456_789));
        assert!((t.dec - 12345.67).abs() < 1e-9);
        assert_eq!(t.j, r#"{"k":[1,"x"]}"#);
        let as_text: BTreeMap<String, serde_json::Value> = every_type_row().deserialize().unwrap();
        assert_eq!(as_text["s"], "abc");
    }

    #[test]
    fn errors_name_the_column_or_the_field() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct WrongType {
            s: i32,
        }
        let e = every_type_row().deserialize::<WrongType>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface);
        assert!(e.message().contains("column `s`"), "{e}");

        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct NotNull {
            missing: i32,
        }
        let e = every_type_row().deserialize::<NotNull>().unwrap_err();
        assert!(e.message().contains("column `missing`"), "{e}");

        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Absent {
            nowhere: i32,
        }
        let e = every_type_row().deserialize::<Absent>().unwrap_err();
        assert!(e.message().contains("nowhere"), "{e}");
    }

    #[test]
    fn tuples_take_columns_in_order() {
        let cols: Arc<[Column]> = vec![
            Column::new("a", Type::Int, 4),
            Column::new("b", Type::VarChar, 4),
        ]
        .into();
        let row = Row::new(cols, vec![Value::Int(1), Value::VarChar("x".into())]).unwrap();
        let t: (i64, String) = row.deserialize().unwrap();
        assert_eq!(t, (1, "x".to_owned()));
    }

    #[test]
    fn rows_serialize_as_json_objects() {
        let json = serde_json::to_value(every_type_row()).unwrap();
        assert_eq!(json["ts"], 1_700_000_000_123_456_789_i64);
        assert_eq!(json["u64"], u64::MAX);
        assert_eq!(json["j"], serde_json::json!({"k": [1, "x"]}));
        assert_eq!(json["dec"], "12345.67");
        assert_eq!(json["vb"], serde_json::json!([0, 255]));
        assert_eq!(json["missing"], serde_json::Value::Null);
    }
}
