//! Result columns and rows, typed access by index or name, and [`FromRow`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::types::Type;
use crate::value::{FromValue, Value};

/// One column of a result: its name, type and declared width.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Column {
    /// The column name (or alias) as the server reports it.
    pub name: String,
    /// The column type.
    pub ty: Type,
    /// The declared width as REST `column_meta` and WS `fields_lengths` report it:
    /// bytes for fixed types, characters for VARCHAR/NCHAR(n), 16 or 8 for DECIMAL.
    pub length: u32,
    /// DECIMAL precision (0 for other types).
    pub precision: u8,
    /// DECIMAL scale (0 for other types).
    pub scale: u8,
}

impl Column {
    /// A column of `ty` named `name` with declared width `length`.
    pub fn new(name: impl Into<String>, ty: Type, length: u32) -> Column {
        Column {
            name: name.into(),
            ty,
            length,
            precision: 0,
            scale: 0,
        }
    }

    /// The same column with DECIMAL precision and scale.
    pub fn with_decimal(mut self, precision: u8, scale: u8) -> Column {
        self.precision = precision;
        self.scale = scale;
        self
    }

    /// The type name as REST writes it: `DECIMAL(p,s)` for decimals, else [`Type::name`].
    pub fn type_name(&self) -> String {
        if self.ty.is_decimal() {
            format!("DECIMAL({},{})", self.precision, self.scale)
        } else {
            self.ty.name().to_owned()
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for &str {}
    impl Sealed for &String {}
}

/// A column position (`usize`) or name (`&str`, matched case-insensitively as TDengine
/// matches identifiers). Sealed.
pub trait RowIndex: sealed::Sealed + fmt::Debug {
    /// The position of this column among `columns`.
    fn index(&self, columns: &[Column]) -> Result<usize>;
}

impl RowIndex for usize {
    fn index(&self, columns: &[Column]) -> Result<usize> {
        if *self < columns.len() {
            Ok(*self)
        } else {
            Err(Error::interface(format!(
                "column index {self} out of range: the row has {} columns",
                columns.len()
            )))
        }
    }
}

impl RowIndex for &str {
    fn index(&self, columns: &[Column]) -> Result<usize> {
        columns
            .iter()
            .position(|c| c.name == *self)
            .or_else(|| {
                columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(self))
            })
            .ok_or_else(|| Error::interface(format!("no column named {self:?} in the row")))
    }
}

impl RowIndex for &String {
    fn index(&self, columns: &[Column]) -> Result<usize> {
        self.as_str().index(columns)
    }
}

/// One result row: owned values and a shared handle to the result's columns.
#[derive(Clone, PartialEq)]
pub struct Row {
    columns: Arc<[Column]>,
    values: Vec<Value>,
}

impl Row {
    /// A row of `values` for `columns`; an [`Interface`](ErrorKind::Interface) error when
    /// their lengths differ (every accessor relies on one value per column).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use taosync_proto::{Column, Row, Type, Value};
    /// let columns: Arc<[Column]> = vec![Column::new("v", Type::Int, 4)].into();
    /// let row = Row::new(Arc::clone(&columns), vec![Value::Int(7)]).unwrap();
    /// assert_eq!(row.get::<i32>("v").unwrap(), 7);
    /// assert!(Row::new(columns, vec![]).is_err());
    /// ```
    pub fn new(columns: Arc<[Column]>, values: Vec<Value>) -> Result<Row> {
        if columns.len() != values.len() {
            return Err(Error::interface(format!(
                "a row of {} values for {} columns",
                values.len(),
                columns.len()
            )));
        }
        Ok(Row { columns, values })
    }

    /// The value of a column converted to `T`, by position or name.
    ///
    /// A NULL read as a non-`Option` type, a value of another type, or a value that does
    /// not fit `T` is an [`Interface`](ErrorKind::Interface) error naming the column.
    pub fn get<T: FromValue>(&self, idx: impl RowIndex) -> Result<T> {
        let i = idx.index(&self.columns)?;
        T::from_value(&self.values[i]).map_err(|e| {
            let c = &self.columns[i];
            Error::new(
                ErrorKind::Interface,
                format!("column {i} ({:?}, {}): {e}", c.name, c.type_name()),
            )
            .with_source(e)
        })
    }

    /// The raw value of a column, by position or name.
    pub fn get_value(&self, idx: impl RowIndex) -> Result<&Value> {
        let i = idx.index(&self.columns)?;
        Ok(&self.values[i])
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True for a row without columns.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The result's columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The shared column list.
    pub fn columns_arc(&self) -> &Arc<[Column]> {
        &self.columns
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The values, consuming the row.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// The row as a column-name → value map (the Python connector's `fetch_all_into_dict`).
    /// With duplicate names the last column wins.
    pub fn to_map(&self) -> BTreeMap<String, Value> {
        self.columns
            .iter()
            .zip(&self.values)
            .map(|(c, v)| (c.name.clone(), v.clone()))
            .collect()
    }

    /// The row as a JSON object keyed by column name (REST's `row_with_meta` form).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.columns
                .iter()
                .zip(&self.values)
                .map(|(c, v)| (c.name.clone(), v.to_json()))
                .collect(),
        )
    }

    /// Converts the row to `T` (a tuple or any [`FromRow`] type).
    pub fn to_typed<T: FromRow>(&self) -> Result<T> {
        T::from_row(self)
    }
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.columns.iter().map(|c| &c.name).zip(&self.values))
            .finish()
    }
}

impl std::ops::Index<usize> for Row {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        &self.values[i]
    }
}

/// Conversion of a whole [`Row`] into a Rust type. Implemented for [`Row`] itself,
/// `Vec<Value>`, and tuples of up to 16 [`FromValue`] types (the tuple's arity must match
/// the row's column count).
///
/// A struct implements it by hand:
///
/// ```
/// use taosync_proto::{FromRow, Row, Result};
/// struct Reading { ts: i64, current: Option<f32> }
/// impl FromRow for Reading {
///     fn from_row(row: &Row) -> Result<Self> {
///         Ok(Reading { ts: row.get("ts")?, current: row.get("current")? })
///     }
/// }
/// ```
pub trait FromRow: Sized {
    /// Converts `row`.
    fn from_row(row: &Row) -> Result<Self>;
}

impl FromRow for Row {
    fn from_row(row: &Row) -> Result<Self> {
        Ok(row.clone())
    }
}

impl FromRow for Vec<Value> {
    fn from_row(row: &Row) -> Result<Self> {
        Ok(row.values.clone())
    }
}

macro_rules! tuple_from_row {
    ($n:expr; $($t:ident $i:tt),+) => {
        impl<$($t: FromValue),+> FromRow for ($($t,)+) {
            fn from_row(row: &Row) -> Result<Self> {
                if row.len() != $n {
                    return Err(Error::interface(format!(
                        "cannot read a row of {} columns as a tuple of {}", row.len(), $n
                    )));
                }
                Ok(($(row.get::<$t>($i)?,)+))
            }
        }
    };
}
tuple_from_row!(1; A 0);
tuple_from_row!(2; A 0, B 1);
tuple_from_row!(3; A 0, B 1, C 2);
tuple_from_row!(4; A 0, B 1, C 2, D 3);
tuple_from_row!(5; A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(6; A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_from_row!(9; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_from_row!(10; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_from_row!(11; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_from_row!(12; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
tuple_from_row!(13; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
tuple_from_row!(14; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
tuple_from_row!(15; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
tuple_from_row!(16; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Precision, Timestamp};

    fn row() -> Row {
        let cols: Arc<[Column]> = vec![
            Column::new("ts", Type::Timestamp, 8),
            Column::new("v", Type::Int, 4),
            Column::new("s", Type::VarChar, 10),
        ]
        .into();
        Row::new(
            cols,
            vec![
                Value::Timestamp(Timestamp::new(1, Precision::Millisecond)),
                Value::Null,
                Value::VarChar("ab".into()),
            ],
        )
        .unwrap()
    }

    #[test]
    fn typed_access_names_the_column() {
        let r = row();
        assert_eq!(r.get::<String>("S").unwrap(), "ab");
        assert_eq!(r.get::<Option<i32>>(1).unwrap(), None);
        let e = r.get::<i32>("v").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface);
        assert!(e.to_string().contains("\"v\""), "{e}");
        assert!(r.get::<i32>(9).is_err());
        assert!(r.get::<i32>("nope").is_err());
        let (ts, v, s): (Timestamp, Option<i64>, String) = r.to_typed().unwrap();
        assert_eq!((ts.value(), v, s.as_str()), (1, None, "ab"));
        assert!(r.to_typed::<(i64, i64)>().is_err());
        assert_eq!(r.to_json()["s"], "ab");
        assert_eq!(r.to_map()["v"], Value::Null);
    }
}
