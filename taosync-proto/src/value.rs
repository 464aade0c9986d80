//! Values of every TDengine type, and conversions between them and Rust types.
//!
//! [`Value`] is what a row holds; [`FromValue`] turns one into a Rust type with checked
//! narrowing, and `From<T> for Value` turns Rust values into query parameters.
//!
//! ```
//! use taosync_proto::{FromValue, Value};
//! assert_eq!(i32::from_value(&Value::BigInt(7)).unwrap(), 7);
//! assert!(i8::from_value(&Value::Int(300)).is_err());          // out of range, not wrapped
//! assert!(i64::from_value(&Value::Null).is_err());            // NULL needs an Option
//! assert_eq!(Option::<i64>::from_value(&Value::Null).unwrap(), None);
//! assert_eq!(Value::from("héllo"), Value::VarChar("héllo".into()));
//! ```

use std::fmt;

use crate::error::FromValueError;
use crate::types::{Decimal, Precision, Timestamp, Type};

/// One value of any TDengine type. `Null` is typeless; the column says what it would be.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// SQL NULL.
    Null,
    /// BOOL.
    Bool(bool),
    /// TINYINT.
    TinyInt(i8),
    /// SMALLINT.
    SmallInt(i16),
    /// INT.
    Int(i32),
    /// BIGINT.
    BigInt(i64),
    /// TINYINT UNSIGNED.
    UTinyInt(u8),
    /// SMALLINT UNSIGNED.
    USmallInt(u16),
    /// INT UNSIGNED.
    UInt(u32),
    /// BIGINT UNSIGNED.
    UBigInt(u64),
    /// FLOAT.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// TIMESTAMP, lossless in its precision.
    Timestamp(Timestamp),
    /// VARCHAR / BINARY text.
    VarChar(String),
    /// NCHAR text.
    NChar(String),
    /// JSON text (a tag value, or the result of `->`).
    Json(String),
    /// VARBINARY bytes.
    VarBinary(Vec<u8>),
    /// GEOMETRY as well-known binary.
    Geometry(Vec<u8>),
    /// DECIMAL or DECIMAL64, exact.
    Decimal(Decimal),
    /// BLOB bytes.
    Blob(Vec<u8>),
}

impl Value {
    /// The TDengine type of this value (`Type::Null` for NULL).
    pub fn ty(&self) -> Type {
        match self {
            Value::Null => Type::Null,
            Value::Bool(_) => Type::Bool,
            Value::TinyInt(_) => Type::TinyInt,
            Value::SmallInt(_) => Type::SmallInt,
            Value::Int(_) => Type::Int,
            Value::BigInt(_) => Type::BigInt,
            Value::UTinyInt(_) => Type::UTinyInt,
            Value::USmallInt(_) => Type::USmallInt,
            Value::UInt(_) => Type::UInt,
            Value::UBigInt(_) => Type::UBigInt,
            Value::Float(_) => Type::Float,
            Value::Double(_) => Type::Double,
            Value::Timestamp(_) => Type::Timestamp,
            Value::VarChar(_) => Type::VarChar,
            Value::NChar(_) => Type::NChar,
            Value::Json(_) => Type::Json,
            Value::VarBinary(_) => Type::VarBinary,
            Value::Geometry(_) => Type::Geometry,
            Value::Decimal(d) => d.ty(),
            Value::Blob(_) => Type::Blob,
        }
    }

    /// True for NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as an `i128` when it is an integer, bool or timestamp.
    pub fn as_i128(&self) -> Option<i128> {
        Some(match *self {
            Value::Bool(b) => i128::from(b),
            Value::TinyInt(v) => i128::from(v),
            Value::SmallInt(v) => i128::from(v),
            Value::Int(v) => i128::from(v),
            Value::BigInt(v) => i128::from(v),
            Value::UTinyInt(v) => i128::from(v),
            Value::USmallInt(v) => i128::from(v),
            Value::UInt(v) => i128::from(v),
            Value::UBigInt(v) => i128::from(v),
            Value::Timestamp(ts) => i128::from(ts.value()),
            _ => return None,
        })
    }

    /// The value as an `f64` when it is numeric (lossy for large integers and decimals).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(v) => Some(f64::from(v)),
            Value::Double(v) => Some(v),
            Value::Decimal(d) => Some(d.to_f64()),
            _ => self.as_i128().map(|v| v as f64),
        }
    }

    /// The text of a VARCHAR, NCHAR or JSON value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a VARBINARY, GEOMETRY, BLOB or string value.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => Some(b),
            Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// The timestamp of a TIMESTAMP value.
    pub fn as_timestamp(&self) -> Option<Timestamp> {
        match self {
            Value::Timestamp(ts) => Some(*ts),
            _ => None,
        }
    }

    /// The value as JSON, the way REST renders it in the UTC zone: timestamps as RFC 3339
    /// strings, binary types as lower-case hex, decimals as strings, NaN and infinities as
    /// `null`, JSON text parsed (or kept as a string when it is not valid JSON).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::TinyInt(v) => J::from(*v),
            Value::SmallInt(v) => J::from(*v),
            Value::Int(v) => J::from(*v),
            Value::BigInt(v) => J::from(*v),
            Value::UTinyInt(v) => J::from(*v),
            Value::USmallInt(v) => J::from(*v),
            Value::UInt(v) => J::from(*v),
            Value::UBigInt(v) => J::from(*v),
            Value::Float(v) => serde_json::Number::from_f64(f64::from(*v))
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Double(v) => serde_json::Number::from_f64(*v)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Timestamp(ts) => J::String(ts.to_rfc3339()),
            Value::VarChar(s) | Value::NChar(s) => J::String(s.clone()),
            Value::Json(s) => serde_json::from_str(s).unwrap_or_else(|_| J::String(s.clone())),
            Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => J::String(to_hex(b)),
            Value::Decimal(d) => J::String(d.to_string()),
        }
    }
}

/// Lower-case hex of `bytes`, as REST writes binary values.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Bytes from hex text (either case, no prefix); `None` when it is not valid hex.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    if !t.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    t.chunks_exact(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

impl fmt::Display for Value {
    /// SQL-ish text: NULL, numbers, RFC 3339 timestamps, raw text, hex bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::TinyInt(v) => write!(f, "{v}"),
            Value::SmallInt(v) => write!(f, "{v}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::BigInt(v) => write!(f, "{v}"),
            Value::UTinyInt(v) => write!(f, "{v}"),
            Value::USmallInt(v) => write!(f, "{v}"),
            Value::UInt(v) => write!(f, "{v}"),
            Value::UBigInt(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Double(v) => write!(f, "{v}"),
            Value::Timestamp(ts) => write!(f, "{ts}"),
            Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => f.write_str(s),
            Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => {
                write!(f, "\\x{}", to_hex(b))
            }
            Value::Decimal(d) => write!(f, "{d}"),
        }
    }
}

/// Conversion of a [`Value`] into a Rust type.
///
/// Integers convert between widths only when the value fits (an out-of-range read is an
/// error, never a wrap); NULL converts only into `Option<T>`; text converts into
/// `String`, bytes into `Vec<u8>`; timestamps into [`Timestamp`], chrono types and `i64`.
pub trait FromValue: Sized {
    /// Converts `value`, or says why it cannot.
    fn from_value(value: &Value) -> Result<Self, FromValueError>;
}

fn type_label(v: &Value) -> &'static str {
    v.ty().name()
}

fn wrong<T>(v: &Value, target: &'static str) -> Result<T, FromValueError> {
    if v.is_null() {
        Err(FromValueError::Null { target })
    } else {
        Err(FromValueError::WrongType {
            from: type_label(v),
            target,
        })
    }
}

macro_rules! from_value_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Result<Self, FromValueError> {
                let target = stringify!($t);
                match value {
                    Value::Bool(_) | Value::Timestamp(_) | Value::Null => {}
                    _ => {
                        if let Some(v) = value.as_i128() {
                            return <$t>::try_from(v).map_err(|_| FromValueError::OutOfRange {
                                value: v.to_string(),
                                target,
                            });
                        }
                    }
                }
                wrong(value, target)
            }
        }
    )*};
}
from_value_int!(i8, i16, i32, i64, i128, u8, u16, u32, u64, isize, usize);

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value {
            Value::Bool(b) => Ok(*b),
            _ => wrong(value, "bool"),
        }
    }
}

impl FromValue for f64 {
    /// FLOAT and DOUBLE convert exactly; integers convert when exactly representable.
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value {
            Value::Float(v) => Ok(f64::from(*v)),
            Value::Double(v) => Ok(*v),
            Value::Decimal(d) => Ok(d.to_f64()),
            Value::Bool(_) | Value::Timestamp(_) | Value::Null => wrong(value, "f64"),
            _ => match value.as_i128() {
                Some(v) if v.unsigned_abs() <= (1u128 << 53) => Ok(v as f64),
                Some(v) => Err(FromValueError::OutOfRange {
                    value: v.to_string(),
                    target: "f64",
                }),
                None => wrong(value, "f64"),
            },
        }
    }
}

impl FromValue for f32 {
    /// FLOAT converts exactly; DOUBLE converts when it is finite within f32's range
    /// (rounded to the nearest f32); small integers convert exactly.
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value {
            Value::Float(v) => Ok(*v),
            Value::Double(v) => {
                if v.is_finite() && v.abs() > f64::from(f32::MAX) {
                    Err(FromValueError::OutOfRange {
                        value: v.to_string(),
                        target: "f32",
                    })
                } else {
                    Ok(*v as f32)
                }
            }
            Value::Bool(_) | Value::Timestamp(_) | Value::Null => wrong(value, "f32"),
            _ => match value.as_i128() {
                Some(v) if v.unsigned_abs() <= (1u128 << 24) => Ok(v as f32),
                Some(v) => Err(FromValueError::OutOfRange {
                    value: v.to_string(),
                    target: "f32",
                }),
                None => wrong(value, "f32"),
            },
        }
    }
}

impl FromValue for String {
    /// Text types convert as they are; numbers, timestamps and decimals convert to their
    /// display text. Binary types are not text: read them as `Vec<u8>`.
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value {
            Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => Ok(s.clone()),
            Value::Null | Value::VarBinary(_) | Value::Geometry(_) | Value::Blob(_) => {
                wrong(value, "String")
            }
            other => Ok(other.to_string()),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value.as_bytes() {
            Some(b) => Ok(b.to_vec()),
            None => wrong(value, "Vec<u8>"),
        }
    }
}

impl FromValue for Timestamp {
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value {
            Value::Timestamp(ts) => Ok(*ts),
            _ => wrong(value, "Timestamp"),
        }
    }
}

impl FromValue for Decimal {
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value {
            Value::Decimal(d) => Ok(*d),
            _ => match value.as_i128() {
                Some(v) if !matches!(value, Value::Bool(_) | Value::Timestamp(_)) => {
                    Ok(Decimal::new(v, 38, 0))
                }
                _ => wrong(value, "Decimal"),
            },
        }
    }
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        Ok(value.clone())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl FromValue for chrono::DateTime<chrono::Utc> {
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        let ts = Timestamp::from_value(value)?;
        ts.to_utc().ok_or_else(|| FromValueError::OutOfRange {
            value: ts.value().to_string(),
            target: "DateTime<Utc>",
        })
    }
}

impl FromValue for chrono::DateTime<chrono::FixedOffset> {
    /// The instant in UTC (offset +00:00). Use [`Timestamp::to_offset`] for another zone.
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        chrono::DateTime::<chrono::Utc>::from_value(value).map(|d| d.fixed_offset())
    }
}

impl FromValue for chrono::NaiveDateTime {
    /// The instant as a naive date-time in UTC.
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        chrono::DateTime::<chrono::Utc>::from_value(value).map(|d| d.naive_utc())
    }
}

impl FromValue for serde_json::Value {
    /// JSON text is parsed; any other value converts as [`Value::to_json`] renders it.
    fn from_value(value: &Value) -> Result<Self, FromValueError> {
        match value {
            Value::Json(s) => serde_json::from_str(s).map_err(|e| FromValueError::Parse {
                value: s.clone(),
                target: "serde_json::Value",
                reason: e.to_string(),
            }),
            other => Ok(other.to_json()),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::$variant(v)
            }
        }
    )*};
}
value_from!(
    bool => Bool, i8 => TinyInt, i16 => SmallInt, i32 => Int, i64 => BigInt,
    u8 => UTinyInt, u16 => USmallInt, u32 => UInt, u64 => UBigInt,
    f32 => Float, f64 => Double, Timestamp => Timestamp, String => VarChar,
    Vec<u8> => VarBinary, Decimal => Decimal,
);

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::VarChar(v.to_owned())
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::VarBinary(v.to_vec())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::VarChar(v.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl From<chrono::DateTime<chrono::Utc>> for Value {
    /// A nanosecond timestamp (the server converts it to the column's precision); dates
    /// beyond the i64 nanosecond range (after 2262) become microseconds.
    fn from(v: chrono::DateTime<chrono::Utc>) -> Value {
        Timestamp::from_datetime(&v, Precision::Nanosecond)
            .or_else(|| Timestamp::from_datetime(&v, Precision::Microsecond))
            .map_or(Value::Null, Value::Timestamp)
    }
}

impl From<chrono::DateTime<chrono::FixedOffset>> for Value {
    fn from(v: chrono::DateTime<chrono::FixedOffset>) -> Value {
        Value::from(v.to_utc())
    }
}

impl From<chrono::NaiveDateTime> for Value {
    /// The naive date-time is taken as UTC.
    fn from(v: chrono::NaiveDateTime) -> Value {
        Value::from(v.and_utc())
    }
}

impl From<chrono::NaiveDate> for Value {
    /// Midnight UTC of the date, as a millisecond TIMESTAMP: TDengine has no DATE type, and
    /// PEP 249's `Date` constructor (`taosync::dbapi::date`) binds the same instant.
    ///
    /// ```
    /// use taosync_proto::{Precision, Timestamp, Value};
    /// let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
    /// assert_eq!(Value::from(d), Value::Timestamp(Timestamp::new(86_400_000, Precision::Millisecond)));
    /// ```
    fn from(v: chrono::NaiveDate) -> Value {
        let ms = v
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis();
        Value::Timestamp(Timestamp::new(ms, Precision::Millisecond))
    }
}

impl From<chrono::NaiveTime> for Value {
    /// That time of day on 1970-01-01 UTC, as a millisecond TIMESTAMP (sub-millisecond
    /// digits are dropped): TDengine has no TIME type, and PEP 249's `Time` constructor
    /// (`taosync::dbapi::time`) binds the same instant.
    ///
    /// ```
    /// use taosync_proto::{Precision, Timestamp, Value};
    /// let t = chrono::NaiveTime::from_hms_milli_opt(0, 1, 2, 5).unwrap();
    /// assert_eq!(Value::from(t), Value::Timestamp(Timestamp::new(62_005, Precision::Millisecond)));
    /// ```
    fn from(v: chrono::NaiveTime) -> Value {
        let ms = chrono::DateTime::UNIX_EPOCH
            .date_naive()
            .and_time(v)
            .and_utc()
            .timestamp_millis();
        Value::Timestamp(Timestamp::new(ms, Precision::Millisecond))
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        Value::Json(v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_small() {
        // Rows are vectors of values: every byte here is paid once per cell.
        assert_eq!(std::mem::size_of::<Value>(), 32);
    }

    #[test]
    fn checked_narrowing() {
        assert_eq!(u8::from_value(&Value::BigInt(255)).unwrap(), 255);
        assert!(matches!(
            u8::from_value(&Value::BigInt(256)),
            Err(FromValueError::OutOfRange { .. })
        ));
        assert!(matches!(
            u64::from_value(&Value::TinyInt(-1)),
            Err(FromValueError::OutOfRange { .. })
        ));
        assert_eq!(
            u64::from_value(&Value::UBigInt(u64::MAX)).unwrap(),
            u64::MAX
        );
        assert!(matches!(
            i32::from_value(&Value::VarChar("1".into())),
            Err(FromValueError::WrongType { .. })
        ));
        assert!(matches!(
            String::from_value(&Value::Null),
            Err(FromValueError::Null { .. })
        ));
        assert!(f64::from_value(&Value::BigInt(i64::MAX)).is_err());
        assert_eq!(f32::from_value(&Value::Double(0.5)).unwrap(), 0.5);
        assert!(f32::from_value(&Value::Double(1e300)).is_err());
    }

    #[test]
    fn chrono_and_json() {
        let v = Value::Timestamp(Timestamp::new(1_700_000_000_123, Precision::Millisecond));
        let dt = chrono::DateTime::<chrono::Utc>::from_value(&v).unwrap();
        assert_eq!(dt.timestamp_millis(), 1_700_000_000_123);
        let back = Value::from(dt);
        assert_eq!(
            back.as_timestamp()
                .unwrap()
                .to_precision(Precision::Millisecond),
            v.as_timestamp().unwrap()
        );
        let j = Value::Json(r#"{"a":1}"#.into());
        assert_eq!(serde_json::Value::from_value(&j).unwrap()["a"], 1);
        assert_eq!(Value::VarBinary(vec![0xab, 1]).to_json(), "ab01");
        assert_eq!(Value::Double(f64::NAN).to_json(), serde_json::Value::Null);
        assert_eq!(from_hex("AB01"), Some(vec![0xab, 1]));
        assert_eq!(from_hex("abc"), None);
    }
}
