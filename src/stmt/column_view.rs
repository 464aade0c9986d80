//! [`ColumnView`]: one bound column, and its constructors.

use crate::types::{Decimal, Precision, Timestamp, Type};
use crate::value::Value;

/// One bound column: a type and one nullable value per row.
///
/// The constructors take anything iterable whose items are the value or an `Option` of it
/// (`None` is NULL): `ColumnView::ints([1, 2])`, `ColumnView::ints([Some(1), None])`,
/// `ColumnView::varchars(["a", "b"])`, `ColumnView::nchars(vec![Some("北京".to_string()), None])`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnView {
    pub(super) ty: Type,
    pub(super) values: Vec<Value>,
}

/// A text item of a [`ColumnView`]: `&str`, `String`, `&String` or an `Option` of one.
pub trait NullableText {
    /// The text, `None` for NULL.
    fn into_text(self) -> Option<String>;
}

impl NullableText for &str {
    fn into_text(self) -> Option<String> {
        Some(self.to_owned())
    }
}
impl NullableText for String {
    fn into_text(self) -> Option<String> {
        Some(self)
    }
}
impl NullableText for &String {
    fn into_text(self) -> Option<String> {
        Some(self.clone())
    }
}
impl<T: NullableText> NullableText for Option<T> {
    fn into_text(self) -> Option<String> {
        self.and_then(NullableText::into_text)
    }
}

/// A binary item of a [`ColumnView`]: `&[u8]`, `Vec<u8>`, `&Vec<u8>`, `[u8; N]` or an
/// `Option` of one.
pub trait NullableBytes {
    /// The bytes, `None` for NULL.
    fn into_bytes(self) -> Option<Vec<u8>>;
}

impl NullableBytes for &[u8] {
    fn into_bytes(self) -> Option<Vec<u8>> {
        Some(self.to_vec())
    }
}
impl NullableBytes for Vec<u8> {
    fn into_bytes(self) -> Option<Vec<u8>> {
        Some(self)
    }
}
impl NullableBytes for &Vec<u8> {
    fn into_bytes(self) -> Option<Vec<u8>> {
        Some(self.clone())
    }
}
impl<const N: usize> NullableBytes for [u8; N] {
    fn into_bytes(self) -> Option<Vec<u8>> {
        Some(self.to_vec())
    }
}
impl<const N: usize> NullableBytes for &[u8; N] {
    fn into_bytes(self) -> Option<Vec<u8>> {
        Some(self.to_vec())
    }
}
impl<T: NullableBytes> NullableBytes for Option<T> {
    fn into_bytes(self) -> Option<Vec<u8>> {
        self.and_then(NullableBytes::into_bytes)
    }
}

macro_rules! fixed_views {
    ($($(#[$doc:meta])* $fn:ident: $t:ty => $ty:ident / $variant:ident;)*) => {$(
        $(#[$doc])*
        pub fn $fn<V: Into<Option<$t>>>(values: impl IntoIterator<Item = V>) -> ColumnView {
            ColumnView::collect(Type::$ty, values, |v: Option<$t>| v.map_or(Value::Null, Value::$variant))
        }
    )*};
}

impl ColumnView {
    fn collect<V, T>(
        ty: Type,
        values: impl IntoIterator<Item = V>,
        f: impl Fn(Option<T>) -> Value,
    ) -> ColumnView
    where
        V: Into<Option<T>>,
    {
        ColumnView {
            ty,
            values: values.into_iter().map(|v| f(v.into())).collect(),
        }
    }

    /// A column of `ty` from values (`Value::Null` for NULL). The values are converted to
    /// the column's type when the statement is executed.
    pub fn from_values(ty: Type, values: Vec<Value>) -> ColumnView {
        ColumnView { ty, values }
    }

    fixed_views! {
        /// A BOOL column.
        bools: bool => Bool / Bool;
        /// A TINYINT column.
        tiny_ints: i8 => TinyInt / TinyInt;
        /// A SMALLINT column.
        small_ints: i16 => SmallInt / SmallInt;
        /// An INT column.
        ints: i32 => Int / Int;
        /// A BIGINT column.
        bigints: i64 => BigInt / BigInt;
        /// A TINYINT UNSIGNED column.
        unsigned_tiny_ints: u8 => UTinyInt / UTinyInt;
        /// A SMALLINT UNSIGNED column.
        unsigned_small_ints: u16 => USmallInt / USmallInt;
        /// An INT UNSIGNED column.
        unsigned_ints: u32 => UInt / UInt;
        /// A BIGINT UNSIGNED column.
        unsigned_bigints: u64 => UBigInt / UBigInt;
        /// A FLOAT column.
        floats: f32 => Float / Float;
        /// A DOUBLE column.
        doubles: f64 => Double / Double;
        /// A TIMESTAMP column of [`Timestamp`]s (each with its own precision; converted to
        /// the column's precision on execute).
        timestamps: Timestamp => Timestamp / Timestamp;
    }

    fn raw_timestamps<V: Into<Option<i64>>>(
        precision: Precision,
        values: impl IntoIterator<Item = V>,
    ) -> ColumnView {
        ColumnView::collect(Type::Timestamp, values, |v: Option<i64>| {
            v.map_or(Value::Null, |t| {
                Value::Timestamp(Timestamp::new(t, precision))
            })
        })
    }

    /// A TIMESTAMP column of milliseconds since the epoch.
    pub fn millis_timestamps<V: Into<Option<i64>>>(values: impl IntoIterator<Item = V>) -> Self {
        ColumnView::raw_timestamps(Precision::Millisecond, values)
    }

    /// A TIMESTAMP column of microseconds since the epoch.
    pub fn micros_timestamps<V: Into<Option<i64>>>(values: impl IntoIterator<Item = V>) -> Self {
        ColumnView::raw_timestamps(Precision::Microsecond, values)
    }

    /// A TIMESTAMP column of nanoseconds since the epoch.
    pub fn nanos_timestamps<V: Into<Option<i64>>>(values: impl IntoIterator<Item = V>) -> Self {
        ColumnView::raw_timestamps(Precision::Nanosecond, values)
    }

    /// A DECIMAL or DECIMAL64 column (each value carries its own precision and scale;
    /// values are rescaled to the column's on execute).
    pub fn decimals<V: Into<Option<Decimal>>>(values: impl IntoIterator<Item = V>) -> Self {
        let values: Vec<Value> = values
            .into_iter()
            .map(|v| v.into().map_or(Value::Null, Value::Decimal))
            .collect();
        let ty = values
            .iter()
            .find_map(|v| match v {
                Value::Decimal(d) => Some(d.ty()),
                _ => None,
            })
            .unwrap_or(Type::Decimal);
        ColumnView { ty, values }
    }

    fn text<V: NullableText>(
        ty: Type,
        values: impl IntoIterator<Item = V>,
        f: fn(String) -> Value,
    ) -> ColumnView {
        ColumnView {
            ty,
            values: values
                .into_iter()
                .map(|v| v.into_text().map_or(Value::Null, f))
                .collect(),
        }
    }

    fn bytes<V: NullableBytes>(
        ty: Type,
        values: impl IntoIterator<Item = V>,
        f: fn(Vec<u8>) -> Value,
    ) -> ColumnView {
        ColumnView {
            ty,
            values: values
                .into_iter()
                .map(|v| v.into_bytes().map_or(Value::Null, f))
                .collect(),
        }
    }

    /// A VARCHAR (BINARY) column.
    pub fn varchars<V: NullableText>(values: impl IntoIterator<Item = V>) -> ColumnView {
        ColumnView::text(Type::VarChar, values, Value::VarChar)
    }

    /// An NCHAR column.
    pub fn nchars<V: NullableText>(values: impl IntoIterator<Item = V>) -> ColumnView {
        ColumnView::text(Type::NChar, values, Value::NChar)
    }

    /// A JSON column (tags only in TDengine): each item is JSON text.
    pub fn jsons<V: NullableText>(values: impl IntoIterator<Item = V>) -> ColumnView {
        ColumnView::text(Type::Json, values, Value::Json)
    }

    /// A VARBINARY column.
    pub fn varbinaries<V: NullableBytes>(values: impl IntoIterator<Item = V>) -> ColumnView {
        ColumnView::bytes(Type::VarBinary, values, Value::VarBinary)
    }

    /// A GEOMETRY column: each item is WKB.
    pub fn geometries<V: NullableBytes>(values: impl IntoIterator<Item = V>) -> ColumnView {
        ColumnView::bytes(Type::Geometry, values, Value::Geometry)
    }

    /// A BLOB column.
    pub fn blobs<V: NullableBytes>(values: impl IntoIterator<Item = V>) -> ColumnView {
        ColumnView::bytes(Type::Blob, values, Value::Blob)
    }

    /// The column's type.
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values, `Value::Null` for NULL rows.
    pub fn values(&self) -> &[Value] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_take_values_or_options() {
        let c = ColumnView::ints([1, 2]);
        assert_eq!(c.values(), &[Value::Int(1), Value::Int(2)]);
        let c = ColumnView::ints([Some(1), None]);
        assert_eq!(c.values(), &[Value::Int(1), Value::Null]);
        let c = ColumnView::varchars(["a", "b"]);
        assert_eq!(c.ty(), Type::VarChar);
        assert_eq!(c.values()[1], Value::VarChar("b".into()));
        let c = ColumnView::nchars(vec![Some("北京".to_string()), None]);
        assert_eq!(c.values(), &[Value::NChar("北京".into()), Value::Null]);
        let c = ColumnView::varbinaries([Some(&b"\x00\x01"[..]), None]);
        assert_eq!(c.values()[0], Value::VarBinary(vec![0, 1]));
        let c = ColumnView::nanos_timestamps([Some(5), None]);
        assert_eq!(
            c.values()[0],
            Value::Timestamp(Timestamp::new(5, Precision::Nanosecond))
        );
        let c = ColumnView::decimals([Some(Decimal::new(12345, 10, 2)), None]);
        assert_eq!(c.ty(), Type::Decimal64);
        assert_eq!(c.len(), 2);
        assert!(!c.is_empty());
        assert!(ColumnView::bools(Vec::<bool>::new()).is_empty());
    }
}
