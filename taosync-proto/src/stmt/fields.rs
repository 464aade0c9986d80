//! Field descriptors returned by stmt v1 `get_tag_fields`/`get_col_fields` (02 §1.2.2) and
//! stmt2 `stmt2_prepare` (02 §1.3.2).

use serde::{Deserialize, Serialize};

use crate::block::declared_width;
use crate::error::{Error, ErrorKind, Result};
use crate::row::Column;
use crate::types::{Precision, Type};
use crate::ws::envelope::null_default;

/// One stmt v1 field (`StmtField`, 02 §1.2.2): `{"name","field_type","precision","scale","bytes"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtField {
    /// Column or tag name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Type code (02 §0.4).
    #[serde(default, deserialize_with = "null_default")]
    pub field_type: i8,
    /// Timestamp precision code for TIMESTAMP fields, DECIMAL precision for decimals.
    #[serde(default, deserialize_with = "null_default")]
    pub precision: u8,
    /// DECIMAL scale.
    #[serde(default, deserialize_with = "null_default")]
    pub scale: u8,
    /// Storage width as the C library reports it (VARCHAR(20) → 22, NCHAR(20) → 82).
    #[serde(default, deserialize_with = "null_default")]
    pub bytes: i32,
}

impl StmtField {
    /// The field's type, `None` for an unknown code.
    pub fn ty(&self) -> Option<Type> {
        u8::try_from(self.field_type).ok().and_then(Type::from_code)
    }

    /// The timestamp precision of a TIMESTAMP field (milliseconds for unknown codes).
    pub fn timestamp_precision(&self) -> Precision {
        Precision::from_code(self.precision).unwrap_or(Precision::Millisecond)
    }

    /// The field as a [`Column`] with its declared width (the inverse of the storage width
    /// in `bytes`, see [`declared_width`]) and, for decimals, precision and scale.
    pub fn to_column(&self) -> Result<Column> {
        let ty = self.ty().ok_or_else(|| {
            Error::new(
                ErrorKind::Interface,
                format!(
                    "field {:?} has unknown type code {}",
                    self.name, self.field_type
                ),
            )
        })?;
        let bytes = u32::try_from(self.bytes).unwrap_or(0);
        let column = Column::new(self.name.clone(), ty, declared_width(ty, bytes));
        Ok(if ty.is_decimal() {
            column.with_decimal(self.precision, self.scale)
        } else {
            column
        })
    }
}

/// What a stmt2 field binds (`bind_type`, 02 §1.3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BindType {
    /// 1: a column value.
    Column,
    /// 2: a tag value.
    Tag,
    /// 3: a query parameter.
    Query,
    /// 4: the table name.
    TableName,
}

impl BindType {
    /// The wire code.
    pub fn code(self) -> i32 {
        match self {
            BindType::Column => 1,
            BindType::Tag => 2,
            BindType::Query => 3,
            BindType::TableName => 4,
        }
    }

    /// The kind for a wire code, `None` when unknown.
    pub fn from_code(code: i32) -> Option<BindType> {
        match code {
            1 => Some(BindType::Column),
            2 => Some(BindType::Tag),
            3 => Some(BindType::Query),
            4 => Some(BindType::TableName),
            _ => None,
        }
    }
}

/// One stmt2 field (`Stmt2Field`, 02 §1.3.2):
/// `{"name","field_type","precision","scale","bytes","bind_type"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stmt2Field {
    /// Column, tag or `tbname`.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Type code (02 §0.4).
    #[serde(default, deserialize_with = "null_default")]
    pub field_type: i8,
    /// Timestamp precision code for TIMESTAMP fields, DECIMAL precision for decimals.
    #[serde(default, deserialize_with = "null_default")]
    pub precision: u8,
    /// DECIMAL scale.
    #[serde(default, deserialize_with = "null_default")]
    pub scale: u8,
    /// Storage width (the table name entry reports 271).
    #[serde(default, deserialize_with = "null_default")]
    pub bytes: i32,
    /// 1 column, 2 tag, 3 query parameter, 4 table name ([`BindType`]).
    #[serde(default, deserialize_with = "null_default")]
    pub bind_type: i32,
}

impl Stmt2Field {
    /// The field's type, `None` for an unknown code.
    pub fn ty(&self) -> Option<Type> {
        u8::try_from(self.field_type).ok().and_then(Type::from_code)
    }

    /// What this field binds, `None` for an unknown code.
    pub fn kind(&self) -> Option<BindType> {
        BindType::from_code(self.bind_type)
    }

    /// The timestamp precision of a TIMESTAMP field (milliseconds for unknown codes).
    pub fn timestamp_precision(&self) -> Precision {
        Precision::from_code(self.precision).unwrap_or(Precision::Millisecond)
    }
}
