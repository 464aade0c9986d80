//! PEP 249 (DB-API 2.0) in Rust: where each item of the specification lives in taosync,
//! and PEP 249's "Type Objects and Constructors".
//!
//! # PEP 249 → taosync
//!
//! Where the Rust shape of an item is a choice, the choice is written here; the last column
//! names the test in `tests/client/` that checks it on every transport.
//!
//! | PEP 249 | taosync | Checked by |
//! |---|---|---|
//! | `connect(...)` | [`connect`](crate::connect)`(dsn)`, [`ConnectOptions`](crate::ConnectOptions) | `pep249::module_interface` |
//! | `apilevel`, `threadsafety`, `paramstyle` | [`APILEVEL`](crate::APILEVEL) `"2.0"`, [`THREADSAFETY`](crate::THREADSAFETY) `2`, [`PARAMSTYLE`](crate::PARAMSTYLE) `"qmark"` | `pep249::module_interface` |
//! | `Warning`, `Error` and its subclasses | one [`Error`] type whose [`ErrorKind`](crate::ErrorKind) is the class ([`python_name`](crate::ErrorKind::python_name), [`is_database_error`](crate::ErrorKind::is_database_error)); `Warning` exists and is never raised | `pep249::exceptions` |
//! | which class an error gets | the server's code decides, through one table ([`Code::kind`](crate::Code::kind), documented in [`taosync_proto::code`]), on every transport and path | `error_map::*` |
//! | `Connection.close()` | [`Connection::close`](crate::Connection::close): idempotent; later calls are `InterfaceError`s | `pep249::connection_objects` |
//! | `Connection.commit()` / `rollback()` | `commit` succeeds (TDengine autocommits); `rollback` is a `NotSupportedError` | `pep249::connection_objects` |
//! | `Connection.cursor()` | [`Connection::cursor`](crate::Connection::cursor): an owned, `Send` [`Cursor`](crate::Cursor) | `pep249::connection_objects` |
//! | `Cursor.description` | [`Cursor::description`](crate::Cursor::description): `Option<&[ColumnDescription]>`, seven named fields | `pep249::cursor_objects` |
//! | `Cursor.rowcount` | [`Cursor::rowcount`](crate::Cursor::rowcount): affected rows, or a query's rows once all are known, else `-1`; `-1` after a failed fetch | `pep249::cursor_objects`, `error_map::a_peer_hanging_up_mid_result_is_a_connection_error_on_every_transport` |
//! | `Cursor.callproc()` | `NotSupportedError` (no stored procedures) | `pep249::cursor_objects` |
//! | `Cursor.close()` | [`Cursor::close`](crate::Cursor::close): frees the result; idempotent | `pep249::cursor_objects` |
//! | `Cursor.execute(op, params)` | [`Cursor::execute`](crate::Cursor::execute)`(sql, params)`: `?` markers; [`Params`](crate::Params) for tuples, arrays, `Vec`s and [`params!`](crate::params!); a wrong count is a `ProgrammingError` | `pep249::cursor_objects`, `error_map::a_wrong_parameter_count_is_a_programming_error_on_every_transport` |
//! | `Cursor.executemany(op, seq)` | [`Cursor::executemany`](crate::Cursor::executemany): INSERTs batched into few statements | `pep249::cursor_objects` |
//! | `fetchone()`, `fetchmany(size)`, `fetchall()` | `fetchone() -> Option<Row>`, `fetchmany(Option<usize>)` (`None` = `arraysize`), `fetchall()`; typed `*_as::<T>()` variants; fetching without a result set is an `OperationalError` | `pep249::cursor_objects` |
//! | `Cursor.arraysize` | [`arraysize`](crate::Cursor::arraysize) / [`set_arraysize`](crate::Cursor::set_arraysize), default 1 | `pep249::cursor_objects` |
//! | `setinputsizes()`, `setoutputsize()` | accepted and ignored | `pep249::cursor_objects` |
//! | `nextset()`, `lastrowid`, `Cursor.connection`, `messages` | absent: TDengine returns one result set per statement and has no row ids | — |
//! | iterator protocol (optional extension) | `Cursor` and [`ResultSet`](crate::ResultSet) are `Iterator<Item = Result<Row>>`; iteration ends after an error | `pep249::cursor_iteration` |
//! | type objects `STRING`, `BINARY`, `NUMBER`, `DATETIME`, `ROWID` | [`TypeObject`] constants, `==` against [`Type`] (table below) | `pep249::type_objects_and_constructors` |
//! | `Date`, `Time`, `Timestamp`, `*FromTicks`, `Binary` | [`date`], [`time`], [`timestamp`], [`date_from_ticks`], [`time_from_ticks`], [`timestamp_from_ticks`], [`binary`]; also `From<chrono::NaiveDate>` / `NaiveTime` / `NaiveDateTime` for [`Value`] (all UTC, below) | `pep249::type_objects_and_constructors` |
//!
//! # Type objects
//!
//! A [`TypeObject`] compares equal to every [`Type`] of its family, so a
//! `description()[i].type_code` can be tested the way Python code tests
//! `cursor.description[i][1] == STRING`:
//!
//! | Type object | Matches | Why |
//! |---|---|---|
//! | [`STRING`] | VARCHAR (BINARY), NCHAR, JSON | text columns; JSON tags are text (read as [`Value::Json`] strings) |
//! | [`BINARY`] | VARBINARY, GEOMETRY, BLOB, MEDIUMBLOB | byte columns (GEOMETRY is well-known binary) |
//! | [`NUMBER`] | BOOL, every signed and unsigned integer, FLOAT, DOUBLE, DECIMAL, DECIMAL64 | numeric columns; BOOL counts as a number as in Python (`bool` is an `int`) |
//! | [`DATETIME`] | TIMESTAMP | TDengine's only date/time type |
//! | [`ROWID`] | nothing | TDengine has no row ids |
//!
//! The NULL type (of a bare `NULL` literal) matches no family, and neither will any type a
//! future TDengine adds until this table is updated.
//!
//! ```
//! use taosync::{Type, dbapi};
//! assert_eq!(dbapi::STRING, Type::NChar);
//! assert_eq!(Type::Int, dbapi::NUMBER);
//! assert_ne!(dbapi::NUMBER, Type::VarChar);
//! ```
//!
//! # Constructors
//!
//! TDengine has a single date/time type, TIMESTAMP, so [`date`], [`time`], [`timestamp`] and
//! the `*_from_ticks` functions all build a [`Value::Timestamp`] in **millisecond** precision
//! (TDengine's default; ticks are rounded to the nearest millisecond). Components and ticks
//! are interpreted in **UTC**: to bind a wall-clock time in the connection's zone, build the
//! instant with chrono in that zone and convert it with [`Timestamp::from_datetime`] (and
//! read values back in that zone with [`Connection::localize`](crate::Connection::localize)).
//! Invalid components or ticks are an [`ErrorKind::Interface`](crate::ErrorKind::Interface)
//! error, never a panic. [`binary`] builds a VARBINARY value.
//!
//! These functions take no connection, so they cannot know its `timezone`; they are UTC
//! always, never the machine's zone, and so are `Value::from` of a `chrono::NaiveDate`,
//! `NaiveTime` or `NaiveDateTime`. A timestamp value is an instant, so it binds the same
//! way on every path (stmt, interpolated SQL, REST). Only timestamp *strings* in SQL
//! (`'2024-01-01 00:00:00'`) are read by the server in the connection's zone.
//!
//! ```
//! use taosync::{Precision, Timestamp, Value, dbapi};
//! let v = dbapi::timestamp(1970, 1, 1, 0, 0, 1)?;
//! assert_eq!(v, Value::Timestamp(Timestamp::new(1_000, Precision::Millisecond)));
//! # Ok::<(), taosync::Error>(())
//! ```

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

use crate::{Error, Precision, Result, Timestamp, Type, Value};

/// A PEP 249 type object: equal to every [`Type`] of one family (see the
/// [module docs](self) for the table).
///
/// ```
/// use taosync::{Type, dbapi::{BINARY, DATETIME, TypeObject}};
/// let family: TypeObject = BINARY;
/// assert_eq!(family, Type::VarBinary);
/// assert_ne!(DATETIME, Type::VarBinary);
/// assert!(DATETIME.matches(Type::Timestamp));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TypeObject {
    family: Family,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Family {
    String,
    Binary,
    Number,
    Datetime,
    RowId,
}

/// Text columns: VARCHAR (BINARY), NCHAR and JSON.
///
/// ```
/// use taosync::{Type, dbapi::STRING};
/// assert_eq!(STRING, Type::VarChar);
/// assert_eq!(STRING, Type::Json);
/// ```
pub const STRING: TypeObject = TypeObject {
    family: Family::String,
};

/// Byte columns: VARBINARY, GEOMETRY, BLOB (and the reserved MEDIUMBLOB).
///
/// ```
/// use taosync::{Type, dbapi::BINARY};
/// assert_eq!(BINARY, Type::Geometry);
/// assert_ne!(BINARY, Type::VarChar);
/// ```
pub const BINARY: TypeObject = TypeObject {
    family: Family::Binary,
};

/// Numeric columns: BOOL, all integers, FLOAT, DOUBLE, DECIMAL and DECIMAL64.
///
/// ```
/// use taosync::{Type, dbapi::NUMBER};
/// assert_eq!(NUMBER, Type::UBigInt);
/// assert_eq!(NUMBER, Type::Decimal64);
/// ```
pub const NUMBER: TypeObject = TypeObject {
    family: Family::Number,
};

/// Date/time columns: TIMESTAMP.
///
/// ```
/// use taosync::{Type, dbapi::DATETIME};
/// assert_eq!(DATETIME, Type::Timestamp);
/// ```
pub const DATETIME: TypeObject = TypeObject {
    family: Family::Datetime,
};

/// Row ids: matches no type, TDengine has none.
///
/// ```
/// use taosync::{Type, dbapi::ROWID};
/// assert!(Type::ALL.iter().all(|&t| ROWID != t));
/// ```
pub const ROWID: TypeObject = TypeObject {
    family: Family::RowId,
};

impl TypeObject {
    /// True when `ty` belongs to this family.
    ///
    /// ```
    /// use taosync::{Type, dbapi::NUMBER};
    /// assert!(NUMBER.matches(Type::Bool));
    /// assert!(!NUMBER.matches(Type::Timestamp));
    /// ```
    pub fn matches(self, ty: Type) -> bool {
        family_of(ty) == Some(self.family)
    }
}

#[allow(unreachable_patterns)] // `Type` is non_exhaustive: future types have no family.
fn family_of(ty: Type) -> Option<Family> {
    match ty {
        Type::VarChar | Type::NChar | Type::Json => Some(Family::String),
        Type::VarBinary | Type::Geometry | Type::Blob | Type::MediumBlob => Some(Family::Binary),
        Type::Bool
        | Type::TinyInt
        | Type::SmallInt
        | Type::Int
        | Type::BigInt
        | Type::UTinyInt
        | Type::USmallInt
        | Type::UInt
        | Type::UBigInt
        | Type::Float
        | Type::Double
        | Type::Decimal
        | Type::Decimal64 => Some(Family::Number),
        Type::Timestamp => Some(Family::Datetime),
        Type::Null => None,
        _ => None,
    }
}

impl PartialEq<Type> for TypeObject {
    fn eq(&self, other: &Type) -> bool {
        self.matches(*other)
    }
}

impl PartialEq<TypeObject> for Type {
    fn eq(&self, other: &TypeObject) -> bool {
        other.matches(*self)
    }
}

fn ms_value(dt: NaiveDateTime) -> Value {
    Value::Timestamp(Timestamp::new(
        dt.and_utc().timestamp_millis(),
        Precision::Millisecond,
    ))
}

fn naive_date(year: i32, month: u32, day: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| Error::interface(format!("invalid date {year:04}-{month:02}-{day:02}")))
}

fn naive_time(hour: u32, minute: u32, second: u32) -> Result<NaiveTime> {
    NaiveTime::from_hms_opt(hour, minute, second)
        .ok_or_else(|| Error::interface(format!("invalid time {hour:02}:{minute:02}:{second:02}")))
}

/// PEP 249 `Date(year, month, day)`: midnight UTC of that day, as a millisecond TIMESTAMP.
///
/// ```
/// use taosync::{ErrorKind, Precision, Timestamp, Value, dbapi};
/// let v = dbapi::date(1970, 1, 2)?;
/// assert_eq!(v, Value::Timestamp(Timestamp::new(86_400_000, Precision::Millisecond)));
/// assert_eq!(dbapi::date(2023, 2, 29).unwrap_err().kind(), ErrorKind::Interface);
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn date(year: i32, month: u32, day: u32) -> Result<Value> {
    Ok(ms_value(
        naive_date(year, month, day)?.and_time(NaiveTime::MIN),
    ))
}

/// PEP 249 `Time(hour, minute, second)`: that time of day on 1970-01-01 UTC, as a
/// millisecond TIMESTAMP (TDengine has no time-of-day type).
///
/// ```
/// use taosync::{ErrorKind, Precision, Timestamp, Value, dbapi};
/// let v = dbapi::time(0, 1, 2)?;
/// assert_eq!(v, Value::Timestamp(Timestamp::new(62_000, Precision::Millisecond)));
/// assert_eq!(dbapi::time(24, 0, 0).unwrap_err().kind(), ErrorKind::Interface);
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn time(hour: u32, minute: u32, second: u32) -> Result<Value> {
    let t = naive_time(hour, minute, second)?;
    Ok(ms_value(DateTime::UNIX_EPOCH.date_naive().and_time(t)))
}

/// PEP 249 `Timestamp(year, month, day, hour, minute, second)`: that instant in UTC, as a
/// millisecond TIMESTAMP.
///
/// ```
/// use taosync::{Precision, Timestamp, Value, dbapi};
/// let v = dbapi::timestamp(2023, 11, 14, 22, 13, 20)?;
/// assert_eq!(v, Value::Timestamp(Timestamp::new(1_700_000_000_000, Precision::Millisecond)));
/// assert!(dbapi::timestamp(2024, 1, 1, 0, 60, 0).is_err());
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn timestamp(
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
) -> Result<Value> {
    let d = naive_date(year, month, day)?;
    let t = naive_time(hour, minute, second)?;
    Ok(ms_value(d.and_time(t)))
}

/// Ticks (seconds since the epoch) as a UTC date-time, rounded to the millisecond.
fn from_ticks(secs: f64) -> Result<NaiveDateTime> {
    let invalid = || Error::interface(format!("ticks out of range: {secs}"));
    if !secs.is_finite() {
        return Err(invalid());
    }
    let ms = (secs * 1000.0).round();
    // i64::MAX as f64 rounds up to 2^63, so `<` keeps the cast below in range.
    if !(ms >= i64::MIN as f64 && ms < i64::MAX as f64) {
        return Err(invalid());
    }
    #[allow(clippy::cast_possible_truncation)] // range-checked above
    let ms = ms as i64;
    DateTime::from_timestamp_millis(ms)
        .map(|d| d.naive_utc())
        .ok_or_else(invalid)
}

/// PEP 249 `DateFromTicks(ticks)`: midnight UTC of the (UTC) day containing `secs` seconds
/// since the Unix epoch (as Python's `time.time()`), as a millisecond TIMESTAMP.
/// NaN, infinities and out-of-range ticks are an Interface error.
///
/// ```
/// use taosync::{ErrorKind, Precision, Timestamp, Value, dbapi};
/// let v = dbapi::date_from_ticks(86_400.0 + 3_600.5)?;
/// assert_eq!(v, Value::Timestamp(Timestamp::new(86_400_000, Precision::Millisecond)));
/// assert_eq!(dbapi::date_from_ticks(f64::NAN).unwrap_err().kind(), ErrorKind::Interface);
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn date_from_ticks(secs: f64) -> Result<Value> {
    Ok(ms_value(from_ticks(secs)?.date().and_time(NaiveTime::MIN)))
}

/// PEP 249 `TimeFromTicks(ticks)`: the UTC time of day of `secs` seconds since the epoch,
/// rounded to the millisecond, on 1970-01-01, as a millisecond TIMESTAMP.
/// NaN, infinities and out-of-range ticks are an Interface error.
///
/// ```
/// use taosync::{Precision, Timestamp, Value, dbapi};
/// let v = dbapi::time_from_ticks(3.0 * 86_400.0 + 61.25)?;
/// assert_eq!(v, Value::Timestamp(Timestamp::new(61_250, Precision::Millisecond)));
/// assert!(dbapi::time_from_ticks(f64::INFINITY).is_err());
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn time_from_ticks(secs: f64) -> Result<Value> {
    let t = from_ticks(secs)?.time();
    Ok(ms_value(DateTime::UNIX_EPOCH.date_naive().and_time(t)))
}

/// PEP 249 `TimestampFromTicks(ticks)`: the instant `secs` seconds after the Unix epoch,
/// rounded to the nearest millisecond, as a millisecond TIMESTAMP.
/// NaN, infinities and out-of-range ticks are an Interface error.
///
/// ```
/// use taosync::{Precision, Timestamp, Value, dbapi};
/// let v = dbapi::timestamp_from_ticks(1_700_000_000.1234)?;
/// assert_eq!(v, Value::Timestamp(Timestamp::new(1_700_000_000_123, Precision::Millisecond)));
/// assert!(dbapi::timestamp_from_ticks(1e300).is_err());
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn timestamp_from_ticks(secs: f64) -> Result<Value> {
    Ok(ms_value(from_ticks(secs)?))
}

/// PEP 249 `Binary(string)`: a VARBINARY value holding `bytes`.
///
/// ```
/// use taosync::{Value, dbapi};
/// assert_eq!(dbapi::binary(b"\x00\xff".as_slice()), Value::VarBinary(vec![0, 255]));
/// assert_eq!(dbapi::binary("hi"), Value::VarBinary(b"hi".to_vec()));
/// ```
pub fn binary(bytes: impl Into<Vec<u8>>) -> Value {
    Value::VarBinary(bytes.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn ms(v: Value) -> i64 {
        match v {
            Value::Timestamp(ts) => {
                assert_eq!(ts.precision(), Precision::Millisecond);
                ts.value()
            }
            other => panic!("not a timestamp: {other:?}"),
        }
    }

    #[test]
    fn every_type_has_at_most_one_family() {
        let all = [STRING, BINARY, NUMBER, DATETIME, ROWID];
        for ty in Type::ALL {
            let n = all.iter().filter(|o| **o == ty).count();
            let expected = usize::from(ty != Type::Null);
            assert_eq!(n, expected, "{ty:?}");
            assert_eq!(all.iter().filter(|o| ty == **o).count(), expected, "{ty:?}");
        }
    }

    #[test]
    fn families_follow_the_helpers() {
        for ty in Type::ALL {
            if ty.is_integer() || ty.is_decimal() {
                assert_eq!(NUMBER, ty);
            }
        }
        assert_eq!(STRING, Type::Json);
        assert_eq!(BINARY, Type::Blob);
        assert_eq!(DATETIME, Type::Timestamp);
    }

    #[test]
    fn constructors_build_utc_milliseconds() {
        assert_eq!(ms(date(1970, 1, 1).unwrap()), 0);
        assert_eq!(ms(date(1969, 12, 31).unwrap()), -86_400_000);
        assert_eq!(ms(time(23, 59, 59).unwrap()), 86_399_000);
        assert_eq!(
            ms(timestamp(2024, 2, 29, 12, 0, 0).unwrap()),
            1_709_208_000_000
        );
        assert_eq!(ms(timestamp_from_ticks(-0.0015).unwrap()), -2);
        assert_eq!(ms(date_from_ticks(-1.0).unwrap()), -86_400_000);
        assert_eq!(ms(time_from_ticks(-1.0).unwrap()), 86_399_000);
    }

    #[test]
    fn invalid_components_and_ticks_are_interface_errors() {
        let errs = [
            date(2023, 2, 29),
            date(2024, 13, 1),
            date(2024, 0, 1),
            time(24, 0, 0),
            time(0, 0, 60),
            timestamp(2024, 4, 31, 0, 0, 0),
            timestamp_from_ticks(f64::NAN),
            timestamp_from_ticks(f64::NEG_INFINITY),
            timestamp_from_ticks(1e17),
            date_from_ticks(-1e300),
            time_from_ticks(f64::INFINITY),
        ];
        for e in errs {
            assert_eq!(e.unwrap_err().kind(), ErrorKind::Interface);
        }
    }
}
