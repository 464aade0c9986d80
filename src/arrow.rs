//! Results and TMQ messages as Apache Arrow [`RecordBatch`]es (cargo feature `arrow`, off by
//! default): one batch per block, for handing TDengine data to Polars, DataFusion or
//! Parquet writers.
//!
//! Over WebSocket a batch is built straight from the raw block the server sent, never
//! through [`Value`]: fixed-width columns are copied in bulk from the block's little-endian
//! bytes, the null bitmap is translated once, VARCHAR/JSON are validated and copied once,
//! NCHAR (UCS-4 on the wire) is decoded once per value into the UTF-8 array. REST results
//! (which arrive as JSON) and TMQ message blocks are converted from their rows.
//!
//! | TDengine | Arrow |
//! |---|---|
//! | BOOL | `Boolean` |
//! | TINYINT … BIGINT, unsigned | `Int8` … `Int64`, `UInt8` … `UInt64` |
//! | FLOAT, DOUBLE | `Float32`, `Float64` |
//! | TIMESTAMP | `Timestamp(unit of the database's precision, "UTC")` |
//! | VARCHAR, NCHAR, JSON | `Utf8` (JSON as its text) |
//! | VARBINARY, GEOMETRY (WKB), BLOB | `Binary` |
//! | DECIMAL, DECIMAL64 | `Decimal128(precision, scale)` |
//!
//! Every field is nullable.
//!
//! ```
//! # let server = taosync_server::Server::start(Default::default())?;
//! # let setup = taosync::connect(server.dsn_ws().as_str())?;
//! # setup.execute("create database power", ())?;
//! # setup.execute("create table power.meters (ts timestamp, current float, location nchar(8))", ())?;
//! # setup.execute("insert into power.meters values (now, 10.5, 'attic') (now + 1s, null, 'cellar')", ())?;
//! use taosync::arrow::arrow_array::{Array, Float32Array, StringArray};
//!
//! let conn = taosync::connect(server.dsn_ws().as_str())?;
//! let mut rows = 0;
//! for batch in conn.query("select * from power.meters", ())?.record_batches() {
//!     let batch = batch?;
//!     let current = batch.column(1).as_any().downcast_ref::<Float32Array>().unwrap();
//!     let location = batch.column(2).as_any().downcast_ref::<StringArray>().unwrap();
//!     assert_eq!(current.value(0), 10.5);
//!     assert!(current.is_null(1));
//!     assert_eq!(location.value(1), "cellar");
//!     rows += batch.num_rows();
//! }
//! assert_eq!(rows, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

pub use arrow_array;
pub use arrow_schema;

use arrow_array::builder::{BinaryBuilder, StringBuilder};
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    ArrayRef, ArrowPrimitiveType, BooleanArray, NullArray, PrimitiveArray, RecordBatch,
    RecordBatchOptions,
};
use arrow_buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::connection::ResultSet;
use crate::cursor::Block;
use crate::proto::block::{BlockView, ColumnSlice, nchar_to_string};
use crate::tmq::MessageBlock;
use crate::{Column, Error, Precision, Result, Row, Type, Value};

/// The Arrow type of a column (see the [module docs](self) for the table).
///
/// ```
/// use taosync::arrow::{arrow_schema::{DataType, TimeUnit}, data_type};
/// use taosync::{Column, Precision, Type};
/// let ts = Column::new("ts", Type::Timestamp, 8);
/// assert_eq!(
///     data_type(&ts, Precision::Nanosecond),
///     DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
/// );
/// assert_eq!(data_type(&Column::new("s", Type::NChar, 8), Precision::Millisecond), DataType::Utf8);
/// ```
pub fn data_type(column: &Column, precision: Precision) -> DataType {
    match column.ty {
        Type::Bool => DataType::Boolean,
        Type::TinyInt => DataType::Int8,
        Type::SmallInt => DataType::Int16,
        Type::Int => DataType::Int32,
        Type::BigInt => DataType::Int64,
        Type::UTinyInt => DataType::UInt8,
        Type::USmallInt => DataType::UInt16,
        Type::UInt => DataType::UInt32,
        Type::UBigInt => DataType::UInt64,
        Type::Float => DataType::Float32,
        Type::Double => DataType::Float64,
        Type::Timestamp => DataType::Timestamp(time_unit(precision), Some("UTC".into())),
        Type::VarChar | Type::NChar | Type::Json => DataType::Utf8,
        Type::VarBinary | Type::Geometry | Type::Blob => DataType::Binary,
        Type::Decimal | Type::Decimal64 => {
            DataType::Decimal128(column.precision, i8::try_from(column.scale).unwrap_or(0))
        }
        _ => DataType::Null,
    }
}

fn time_unit(precision: Precision) -> TimeUnit {
    match precision {
        Precision::Millisecond => TimeUnit::Millisecond,
        Precision::Microsecond => TimeUnit::Microsecond,
        Precision::Nanosecond => TimeUnit::Nanosecond,
    }
}

/// The Arrow schema of a result with `columns` in a database of `precision`.
///
/// ```
/// use taosync::{Column, Precision, Type};
/// let schema = taosync::arrow::schema(&[Column::new("v", Type::Int, 4)], Precision::Millisecond);
/// assert_eq!(schema.field(0).name(), "v");
/// assert!(schema.field(0).is_nullable());
/// ```
pub fn schema(columns: &[Column], precision: Precision) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(&c.name, data_type(c, precision), true))
            .collect::<Vec<_>>(),
    ))
}

fn arrow_error(e: arrow_schema::ArrowError) -> Error {
    Error::result(format!("cannot build the Arrow batch: {e}"))
}

fn batch(schema: SchemaRef, arrays: Vec<ArrayRef>, rows: usize) -> Result<RecordBatch> {
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(schema, arrays, &options).map_err(arrow_error)
}

/// A record batch from a raw block (the WebSocket wire format) of a result with
/// `columns`, converting the block's columns in place.
///
/// ```
/// use taosync::arrow::{arrow_array::{Array, Int32Array}, raw_block_to_record_batch};
/// use taosync::{Column, Precision, Type, Value};
/// let columns = [Column::new("v", Type::Int, 4)];
/// let block = taosync_proto::block::encode_block(&columns, &[[Value::Int(3)], [Value::Null]])?;
/// let batch = raw_block_to_record_batch(&block, &columns, Precision::Millisecond)?;
/// let v = batch.column(0).as_any().downcast_ref::<Int32Array>().unwrap();
/// assert_eq!((v.value(0), v.is_null(1)), (3, true));
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn raw_block_to_record_batch(
    bytes: &[u8],
    columns: &[Column],
    precision: Precision,
) -> Result<RecordBatch> {
    let view = BlockView::parse(bytes)?;
    if view.column_count() != columns.len() {
        return Err(Error::result(format!(
            "raw block has {} columns but the result has {}",
            view.column_count(),
            columns.len()
        )));
    }
    let rows = view.rows();
    let mut arrays = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let slice = view
            .column(i)
            .ok_or_else(|| Error::result(format!("raw block has no column {i}")))?;
        if slice.field().ty != column.ty {
            return Err(Error::result(format!(
                "raw block column {i} is {} but result column {:?} is {}",
                slice.field().ty,
                column.name,
                column.type_name()
            )));
        }
        arrays.push(slice_to_array(&slice, column, precision, rows)?);
    }
    batch(schema(columns, precision), arrays, rows)
}

fn nulls_of(slice: &ColumnSlice<'_, '_>, rows: usize) -> Option<NullBuffer> {
    if (0..rows).any(|r| slice.is_null(r)) {
        Some(NullBuffer::new(BooleanBuffer::from_iter(
            (0..rows).map(|r| !slice.is_null(r)),
        )))
    } else {
        None
    }
}

/// `rows` little-endian values of `N` bytes, converted with `f`, in one pass.
fn fixed<T: ArrowPrimitiveType, const N: usize>(
    slice: &ColumnSlice<'_, '_>,
    rows: usize,
    f: impl Fn([u8; N]) -> T::Native,
) -> Result<PrimitiveArray<T>> {
    let bytes = slice
        .fixed_values()
        .ok_or_else(|| Error::result("raw block: expected a fixed-width column"))?;
    let (chunks, _) = bytes.as_chunks::<N>();
    if chunks.len() < rows || slice.width() != N {
        return Err(Error::result(format!(
            "raw block column of width {} where {N} bytes were expected",
            slice.width()
        )));
    }
    let values: Vec<T::Native> = chunks[..rows].iter().map(|c| f(*c)).collect();
    Ok(PrimitiveArray::<T>::new(
        ScalarBuffer::from(values),
        nulls_of(slice, rows),
    ))
}

fn slice_to_array(
    slice: &ColumnSlice<'_, '_>,
    column: &Column,
    precision: Precision,
    rows: usize,
) -> Result<ArrayRef> {
    Ok(match column.ty {
        Type::Bool => {
            let bytes = slice.fixed_values().unwrap_or_default();
            let values = BooleanBuffer::from_iter((0..rows).map(|r| bytes.get(r) == Some(&1)));
            Arc::new(BooleanArray::new(values, nulls_of(slice, rows)))
        }
        Type::TinyInt => Arc::new(fixed::<Int8Type, 1>(slice, rows, i8::from_le_bytes)?),
        Type::SmallInt => Arc::new(fixed::<Int16Type, 2>(slice, rows, i16::from_le_bytes)?),
        Type::Int => Arc::new(fixed::<Int32Type, 4>(slice, rows, i32::from_le_bytes)?),
        Type::BigInt => Arc::new(fixed::<Int64Type, 8>(slice, rows, i64::from_le_bytes)?),
        Type::UTinyInt => Arc::new(fixed::<UInt8Type, 1>(slice, rows, u8::from_le_bytes)?),
        Type::USmallInt => Arc::new(fixed::<UInt16Type, 2>(slice, rows, u16::from_le_bytes)?),
        Type::UInt => Arc::new(fixed::<UInt32Type, 4>(slice, rows, u32::from_le_bytes)?),
        Type::UBigInt => Arc::new(fixed::<UInt64Type, 8>(slice, rows, u64::from_le_bytes)?),
        Type::Float => Arc::new(fixed::<Float32Type, 4>(slice, rows, f32::from_le_bytes)?),
        Type::Double => Arc::new(fixed::<Float64Type, 8>(slice, rows, f64::from_le_bytes)?),
        Type::Timestamp => match precision {
            Precision::Millisecond => Arc::new(
                fixed::<TimestampMillisecondType, 8>(slice, rows, i64::from_le_bytes)?
                    .with_timezone("UTC"),
            ),
            Precision::Microsecond => Arc::new(
                fixed::<TimestampMicrosecondType, 8>(slice, rows, i64::from_le_bytes)?
                    .with_timezone("UTC"),
            ),
            Precision::Nanosecond => Arc::new(
                fixed::<TimestampNanosecondType, 8>(slice, rows, i64::from_le_bytes)?
                    .with_timezone("UTC"),
            ),
        },
        Type::Decimal => Arc::new(decimal(
            fixed::<Decimal128Type, 16>(slice, rows, i128::from_le_bytes)?,
            column,
        )?),
        Type::Decimal64 => Arc::new(decimal(
            fixed::<Decimal128Type, 8>(slice, rows, |b| i128::from(i64::from_le_bytes(b)))?,
            column,
        )?),
        Type::VarChar | Type::Json => {
            let mut b = StringBuilder::with_capacity(rows, 0);
            for r in 0..rows {
                match slice.var_value(r)? {
                    None => b.append_null(),
                    Some(p) => b.append_value(std::str::from_utf8(p).map_err(|e| {
                        Error::result(format!("raw block row {r}: value is not UTF-8: {e}"))
                    })?),
                }
            }
            Arc::new(b.finish())
        }
        Type::NChar => {
            let mut b = StringBuilder::with_capacity(rows, 0);
            for r in 0..rows {
                match slice.var_value(r)? {
                    None => b.append_null(),
                    Some(p) => b.append_value(nchar_to_string(p)?),
                }
            }
            Arc::new(b.finish())
        }
        Type::VarBinary | Type::Geometry | Type::Blob => {
            let mut b = BinaryBuilder::with_capacity(rows, 0);
            for r in 0..rows {
                match slice.var_value(r)? {
                    None => b.append_null(),
                    Some(p) => b.append_value(p),
                }
            }
            Arc::new(b.finish())
        }
        _ => Arc::new(NullArray::new(rows)),
    })
}

fn decimal(
    array: PrimitiveArray<Decimal128Type>,
    column: &Column,
) -> Result<PrimitiveArray<Decimal128Type>> {
    array
        .with_precision_and_scale(column.precision, i8::try_from(column.scale).unwrap_or(0))
        .map_err(arrow_error)
}

/// A record batch from decoded rows (REST results, TMQ blocks): the fallback when no raw
/// block is at hand. Every row must have one value per column.
///
/// ```
/// use std::sync::Arc;
/// use taosync::arrow::{arrow_array::{Array, StringArray}, rows_to_record_batch};
/// use taosync::{Column, Precision, Row, Type, Value};
/// let columns: Arc<[Column]> = vec![Column::new("s", Type::VarChar, 8)].into();
/// let rows = vec![Row::new(columns.clone(), vec![Value::VarChar("x".into())])?];
/// let batch = rows_to_record_batch(&columns, Precision::Millisecond, &rows)?;
/// let s = batch.column(0).as_any().downcast_ref::<StringArray>().unwrap();
/// assert_eq!(s.value(0), "x");
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn rows_to_record_batch(
    columns: &[Column],
    precision: Precision,
    rows: &[Row],
) -> Result<RecordBatch> {
    let mut arrays = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let values: Vec<&Value> = rows
            .iter()
            .map(|r| {
                r.values()
                    .get(i)
                    .ok_or_else(|| Error::interface(format!("a row has no column {i}")))
            })
            .collect::<Result<_>>()?;
        arrays.push(values_to_array(&values, column, precision)?);
    }
    batch(schema(columns, precision), arrays, rows.len())
}

fn mismatch(column: &Column, v: &Value) -> Error {
    Error::interface(format!(
        "column {:?} ({}) holds a {} value",
        column.name,
        column.type_name(),
        v.ty()
    ))
}

fn primitive<T: ArrowPrimitiveType>(
    values: &[&Value],
    column: &Column,
    f: impl Fn(&Value) -> Option<T::Native>,
) -> Result<PrimitiveArray<T>> {
    values
        .iter()
        .map(|v| match v {
            Value::Null => Ok(None),
            v => f(v).map(Some).ok_or_else(|| mismatch(column, v)),
        })
        .collect()
}

fn values_to_array(values: &[&Value], column: &Column, precision: Precision) -> Result<ArrayRef> {
    let ts = |v: &Value| match v {
        Value::Timestamp(t) => Some(t.to_precision(precision).value()),
        _ => None,
    };
    Ok(match column.ty {
        Type::Bool => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    Value::Null => Ok(None),
                    Value::Bool(b) => Ok(Some(*b)),
                    v => Err(mismatch(column, v)),
                })
                .collect::<Result<BooleanArray>>()?,
        ),
        Type::TinyInt => Arc::new(primitive::<Int8Type>(values, column, |v| match v {
            Value::TinyInt(x) => Some(*x),
            _ => None,
        })?),
        Type::SmallInt => Arc::new(primitive::<Int16Type>(values, column, |v| match v {
            Value::SmallInt(x) => Some(*x),
            _ => None,
        })?),
        Type::Int => Arc::new(primitive::<Int32Type>(values, column, |v| match v {
            Value::Int(x) => Some(*x),
            _ => None,
        })?),
        Type::BigInt => Arc::new(primitive::<Int64Type>(values, column, |v| match v {
            Value::BigInt(x) => Some(*x),
            _ => None,
        })?),
        Type::UTinyInt => Arc::new(primitive::<UInt8Type>(values, column, |v| match v {
            Value::UTinyInt(x) => Some(*x),
            _ => None,
        })?),
        Type::USmallInt => Arc::new(primitive::<UInt16Type>(values, column, |v| match v {
            Value::USmallInt(x) => Some(*x),
            _ => None,
        })?),
        Type::UInt => Arc::new(primitive::<UInt32Type>(values, column, |v| match v {
            Value::UInt(x) => Some(*x),
            _ => None,
        })?),
        Type::UBigInt => Arc::new(primitive::<UInt64Type>(values, column, |v| match v {
            Value::UBigInt(x) => Some(*x),
            _ => None,
        })?),
        Type::Float => Arc::new(primitive::<Float32Type>(values, column, |v| match v {
            Value::Float(x) => Some(*x),
            _ => None,
        })?),
        Type::Double => Arc::new(primitive::<Float64Type>(values, column, |v| match v {
            Value::Double(x) => Some(*x),
            _ => None,
        })?),
        Type::Timestamp => match precision {
            Precision::Millisecond => Arc::new(
                primitive::<TimestampMillisecondType>(values, column, ts)?.with_timezone("UTC"),
            ),
            Precision::Microsecond => Arc::new(
                primitive::<TimestampMicrosecondType>(values, column, ts)?.with_timezone("UTC"),
            ),
            Precision::Nanosecond => Arc::new(
                primitive::<TimestampNanosecondType>(values, column, ts)?.with_timezone("UTC"),
            ),
        },
        Type::Decimal | Type::Decimal64 => Arc::new(decimal(
            primitive::<Decimal128Type>(values, column, |v| match v {
                Value::Decimal(d) => Some(d.unscaled()),
                _ => None,
            })?,
            column,
        )?),
        Type::VarChar | Type::NChar | Type::Json => {
            let mut b = StringBuilder::with_capacity(values.len(), 0);
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => b.append_value(s),
                    v => return Err(mismatch(column, v)),
                }
            }
            Arc::new(b.finish())
        }
        Type::VarBinary | Type::Geometry | Type::Blob => {
            let mut b = BinaryBuilder::with_capacity(values.len(), 0);
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::VarBinary(x) | Value::Geometry(x) | Value::Blob(x) => b.append_value(x),
                    v => return Err(mismatch(column, v)),
                }
            }
            Arc::new(b.finish())
        }
        _ => Arc::new(NullArray::new(values.len())),
    })
}

impl ResultSet {
    /// The next block of the result as a record batch, `None` at the end. Rows already
    /// read with the row API are not repeated; rows it left buffered come first.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// let mut rs = conn.query("select 1 as one", ())?;
    /// let batch = rs.next_record_batch()?.expect("one block");
    /// assert_eq!(batch.schema().field(0).name(), "one");
    /// assert!(rs.next_record_batch()?.is_none());
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn next_record_batch(&mut self) -> Result<Option<RecordBatch>> {
        let columns = self.fields().to_vec();
        match self.cursor.next_block()? {
            None => Ok(None),
            Some((Block::Raw(bytes), precision)) => {
                raw_block_to_record_batch(&bytes, &columns, precision).map(Some)
            }
            Some((Block::Rows(rows), precision)) => {
                rows_to_record_batch(&columns, precision, &rows).map(Some)
            }
        }
    }

    /// The rest of the result as an iterator of record batches, one per block; it ends
    /// after an error.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// let conn = taosync::connect(server.dsn_rest().as_str())?;
    /// let rows: usize = conn
    ///     .query("select 1", ())?
    ///     .record_batches()
    ///     .map(|b| b.map(|b| b.num_rows()))
    ///     .sum::<taosync::Result<usize>>()?;
    /// assert_eq!(rows, 1);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn record_batches(self) -> RecordBatches {
        RecordBatches {
            rs: self,
            done: false,
        }
    }
}

/// The iterator of [`ResultSet::record_batches`].
///
/// ```
/// # let server = taosync_server::Server::start(Default::default())?;
/// let conn = taosync::connect(server.dsn_ws().as_str())?;
/// let mut batches: taosync::arrow::RecordBatches = conn.query("select 1", ())?.record_batches();
/// assert!(batches.next().is_some());
/// # Ok::<(), taosync::Error>(())
/// ```
pub struct RecordBatches {
    rs: ResultSet,
    done: bool,
}

impl Iterator for RecordBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Result<RecordBatch>> {
        if self.done {
            return None;
        }
        match self.rs.next_record_batch() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl MessageBlock {
    /// The block's rows as a record batch.
    ///
    /// ```no_run
    /// # fn demo(block: &taosync::MessageBlock) -> taosync::Result<()> {
    /// let batch = block.to_record_batch()?;
    /// println!("{} rows of {}", batch.num_rows(), block.table_name());
    /// # Ok(()) }
    /// ```
    pub fn to_record_batch(&self) -> Result<RecordBatch> {
        rows_to_record_batch(self.columns(), self.precision(), self.rows())
    }
}
