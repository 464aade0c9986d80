//! TDengine's data types, timestamp precisions, timestamps and exact decimals.
//!
//! The numeric codes of [`Type`] are the wire codes used by every TDengine protocol
//! (raw blocks, WebSocket field lists, stmt binds), so `Type::Int as u8 == 4`.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind};

/// A TDengine column type, with its wire code as discriminant.
///
/// ```
/// use taosync_proto::Type;
/// assert_eq!(Type::from_code(9), Some(Type::Timestamp));
/// assert_eq!(Type::NChar.name(), "NCHAR");
/// assert_eq!("binary".parse::<Type>().unwrap(), Type::VarChar);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[non_exhaustive]
pub enum Type {
    /// The type of a NULL literal (code 0).
    Null = 0,
    /// BOOL (code 1).
    Bool = 1,
    /// TINYINT, signed 8 bits (code 2).
    TinyInt = 2,
    /// SMALLINT, signed 16 bits (code 3).
    SmallInt = 3,
    /// INT, signed 32 bits (code 4).
    Int = 4,
    /// BIGINT, signed 64 bits (code 5).
    BigInt = 5,
    /// FLOAT, IEEE-754 single precision (code 6).
    Float = 6,
    /// DOUBLE, IEEE-754 double precision (code 7).
    Double = 7,
    /// VARCHAR, also spelled BINARY: bytes stored as given, normally UTF-8 (code 8).
    VarChar = 8,
    /// TIMESTAMP: an epoch count in the database's precision (code 9).
    Timestamp = 9,
    /// NCHAR: Unicode text, UCS-4 on the wire (code 10).
    NChar = 10,
    /// TINYINT UNSIGNED (code 11).
    UTinyInt = 11,
    /// SMALLINT UNSIGNED (code 12).
    USmallInt = 12,
    /// INT UNSIGNED (code 13).
    UInt = 13,
    /// BIGINT UNSIGNED (code 14).
    UBigInt = 14,
    /// JSON, only allowed as the single tag of a supertable (code 15).
    Json = 15,
    /// VARBINARY: raw bytes (code 16).
    VarBinary = 16,
    /// DECIMAL with precision above 18, stored as a 128-bit integer (code 17).
    Decimal = 17,
    /// BLOB: large raw bytes with a 32-bit length prefix (code 18).
    Blob = 18,
    /// MEDIUMBLOB: reserved by TDengine, never produced (code 19).
    MediumBlob = 19,
    /// GEOMETRY: well-known binary (WKB) (code 20).
    Geometry = 20,
    /// DECIMAL with precision up to 18, stored as a 64-bit integer (code 21).
    Decimal64 = 21,
}

impl Type {
    /// Every type, in code order.
    pub const ALL: [Type; 22] = [
        Type::Null,
        Type::Bool,
        Type::TinyInt,
        Type::SmallInt,
        Type::Int,
        Type::BigInt,
        Type::Float,
        Type::Double,
        Type::VarChar,
        Type::Timestamp,
        Type::NChar,
        Type::UTinyInt,
        Type::USmallInt,
        Type::UInt,
        Type::UBigInt,
        Type::Json,
        Type::VarBinary,
        Type::Decimal,
        Type::Blob,
        Type::MediumBlob,
        Type::Geometry,
        Type::Decimal64,
    ];

    /// The type with wire code `code`, or `None` for an unknown code.
    pub fn from_code(code: u8) -> Option<Type> {
        Type::ALL.get(code as usize).copied()
    }

    /// The wire code of this type.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The type name as taosAdapter writes it in REST `column_meta` and as `DESCRIBE` shows it.
    ///
    /// DECIMAL columns are written `DECIMAL(p,s)` in full by the REST encoder, which knows the
    /// precision and scale; this returns the bare `DECIMAL`.
    pub fn name(self) -> &'static str {
        match self {
            Type::Null => "NULL",
            Type::Bool => "BOOL",
            Type::TinyInt => "TINYINT",
            Type::SmallInt => "SMALLINT",
            Type::Int => "INT",
            Type::BigInt => "BIGINT",
            Type::Float => "FLOAT",
            Type::Double => "DOUBLE",
            Type::VarChar => "VARCHAR",
            Type::Timestamp => "TIMESTAMP",
            Type::NChar => "NCHAR",
            Type::UTinyInt => "TINYINT UNSIGNED",
            Type::USmallInt => "SMALLINT UNSIGNED",
            Type::UInt => "INT UNSIGNED",
            Type::UBigInt => "BIGINT UNSIGNED",
            Type::Json => "JSON",
            Type::VarBinary => "VARBINARY",
            Type::Decimal | Type::Decimal64 => "DECIMAL",
            Type::Blob => "BLOB",
            Type::MediumBlob => "",
            Type::Geometry => "GEOMETRY",
        }
    }

    /// The width in bytes of one value of a fixed-width type, `None` for variable-width types.
    pub fn fixed_size(self) -> Option<usize> {
        match self {
            Type::Null | Type::Bool | Type::TinyInt | Type::UTinyInt => Some(1),
            Type::SmallInt | Type::USmallInt => Some(2),
            Type::Int | Type::UInt | Type::Float => Some(4),
            Type::BigInt | Type::UBigInt | Type::Double | Type::Timestamp | Type::Decimal64 => {
                Some(8)
            }
            Type::Decimal => Some(16),
            Type::VarChar
            | Type::NChar
            | Type::Json
            | Type::VarBinary
            | Type::Blob
            | Type::MediumBlob
            | Type::Geometry => None,
        }
    }

    /// True for the variable-width types (strings, binary, JSON, geometry, blob).
    pub fn is_var(self) -> bool {
        self.fixed_size().is_none()
    }

    /// True for the integer types, signed and unsigned.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Type::TinyInt
                | Type::SmallInt
                | Type::Int
                | Type::BigInt
                | Type::UTinyInt
                | Type::USmallInt
                | Type::UInt
                | Type::UBigInt
        )
    }

    /// True for DECIMAL and DECIMAL64.
    pub fn is_decimal(self) -> bool {
        matches!(self, Type::Decimal | Type::Decimal64)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Type {
    type Err = Error;

    /// Parses a type name as REST `column_meta`, `DESCRIBE` or SQL spell it, case-insensitively.
    /// `BINARY` is VARCHAR; `DECIMAL(p,s)` is DECIMAL64 for `p <= 18` and DECIMAL above.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        let upper = upper.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(rest) = upper.strip_prefix("DECIMAL") {
            let rest = rest.trim();
            if rest.is_empty() {
                return Ok(Type::Decimal);
            }
            let precision = rest
                .strip_prefix('(')
                .and_then(|r| r.split([',', ')']).next())
                .and_then(|p| p.trim().parse::<u8>().ok());
            return match precision {
                Some(p) if p <= 18 => Ok(Type::Decimal64),
                Some(_) => Ok(Type::Decimal),
                None => Err(Error::new(
                    ErrorKind::Interface,
                    format!("invalid DECIMAL type name {s:?}"),
                )),
            };
        }
        // Strip a length suffix such as VARCHAR(20).
        let base = upper.split('(').next().unwrap_or("").trim();
        Ok(match base {
            "NULL" => Type::Null,
            "BOOL" | "BOOLEAN" => Type::Bool,
            "TINYINT" => Type::TinyInt,
            "SMALLINT" => Type::SmallInt,
            "INT" | "INTEGER" => Type::Int,
            "BIGINT" => Type::BigInt,
            "FLOAT" => Type::Float,
            "DOUBLE" => Type::Double,
            "VARCHAR" | "BINARY" => Type::VarChar,
            "TIMESTAMP" => Type::Timestamp,
            "NCHAR" => Type::NChar,
            "TINYINT UNSIGNED" | "UTINYINT" => Type::UTinyInt,
            "SMALLINT UNSIGNED" | "USMALLINT" => Type::USmallInt,
            "INT UNSIGNED" | "UINT" => Type::UInt,
            "BIGINT UNSIGNED" | "UBIGINT" => Type::UBigInt,
            "JSON" => Type::Json,
            "VARBINARY" => Type::VarBinary,
            "BLOB" => Type::Blob,
            "MEDIUMBLOB" => Type::MediumBlob,
            "GEOMETRY" => Type::Geometry,
            _ => {
                return Err(Error::new(
                    ErrorKind::Interface,
                    format!("unknown TDengine type name {s:?}"),
                ));
            }
        })
    }
}

/// The precision of a database's timestamps, with its wire code as discriminant
/// (0 = milliseconds, 1 = microseconds, 2 = nanoseconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Precision {
    /// Milliseconds (`ms`), TDengine's default.
    #[default]
    Millisecond = 0,
    /// Microseconds (`us`).
    Microsecond = 1,
    /// Nanoseconds (`ns`).
    Nanosecond = 2,
}

impl Precision {
    /// The precision with wire code `code`.
    pub fn from_code(code: u8) -> Option<Precision> {
        match code {
            0 => Some(Precision::Millisecond),
            1 => Some(Precision::Microsecond),
            2 => Some(Precision::Nanosecond),
            _ => None,
        }
    }

    /// The wire code of this precision.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The SQL spelling: `ms`, `us` or `ns`.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Millisecond => "ms",
            Precision::Microsecond => "us",
            Precision::Nanosecond => "ns",
        }
    }

    /// Units of this precision in one second.
    pub fn per_second(self) -> i64 {
        match self {
            Precision::Millisecond => 1_000,
            Precision::Microsecond => 1_000_000,
            Precision::Nanosecond => 1_000_000_000,
        }
    }

    /// Number of fraction digits REST uses for this precision (3, 6 or 9).
    pub fn fraction_digits(self) -> usize {
        match self {
            Precision::Millisecond => 3,
            Precision::Microsecond => 6,
            Precision::Nanosecond => 9,
        }
    }

    /// The precision whose REST timestamps carry `digits` fraction digits.
    pub fn from_fraction_digits(digits: usize) -> Option<Precision> {
        match digits {
            3 => Some(Precision::Millisecond),
            6 => Some(Precision::Microsecond),
            9 => Some(Precision::Nanosecond),
            _ => None,
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Precision {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .trim_matches(['\'', '"'])
            .to_ascii_lowercase()
            .as_str()
        {
            "ms" => Ok(Precision::Millisecond),
            "us" | "µs" => Ok(Precision::Microsecond),
            "ns" => Ok(Precision::Nanosecond),
            _ => Err(Error::new(
                ErrorKind::Interface,
                format!("unknown timestamp precision {s:?} (expected ms, us or ns)"),
            )),
        }
    }
}

/// A TDengine timestamp: an epoch count in a given precision. Lossless: a nanosecond
/// timestamp keeps every nanosecond.
///
/// ```
/// use taosync_proto::{Precision, Timestamp};
/// let ts = Timestamp::new(1_700_000_000_123_456_789, Precision::Nanosecond);
/// assert_eq!(ts.to_rfc3339(), "2023-11-14T22:13:20.123456789Z");
/// assert_eq!(ts.to_utc().unwrap().timestamp_subsec_nanos(), 123_456_789);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    value: i64,
    precision: Precision,
}

impl Timestamp {
    /// A timestamp of `value` units of `precision` since the Unix epoch.
    pub const fn new(value: i64, precision: Precision) -> Self {
        Timestamp { value, precision }
    }

    /// The raw epoch count.
    pub const fn value(&self) -> i64 {
        self.value
    }

    /// The precision of [`value`](Self::value).
    pub const fn precision(&self) -> Precision {
        self.precision
    }

    /// The same instant in another precision. Converting to a coarser precision truncates
    /// toward negative infinity; converting to a finer one saturates at the i64 range.
    pub fn to_precision(&self, precision: Precision) -> Timestamp {
        let from = self.precision.per_second();
        let to = precision.per_second();
        let value = if to >= from {
            self.value.saturating_mul(to / from)
        } else {
            self.value.div_euclid(from / to)
        };
        Timestamp { value, precision }
    }

    /// Nanoseconds since the epoch (saturating at the i64 range).
    pub fn as_nanos(&self) -> i64 {
        self.to_precision(Precision::Nanosecond).value
    }

    /// The instant as a chrono UTC date-time; `None` when out of chrono's range.
    pub fn to_utc(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let per = self.precision.per_second();
        let secs = self.value.div_euclid(per);
        let frac = self.value.rem_euclid(per);
        let nanos = frac * (1_000_000_000 / per);
        chrono::DateTime::from_timestamp(secs, u32::try_from(nanos).ok()?)
    }

    /// The instant as a naive date-time in UTC.
    pub fn to_naive_utc(&self) -> Option<chrono::NaiveDateTime> {
        self.to_utc().map(|d| d.naive_utc())
    }

    /// The instant in a fixed offset time zone.
    pub fn to_offset(
        &self,
        offset: chrono::FixedOffset,
    ) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.to_utc().map(|d| d.with_timezone(&offset))
    }

    /// A timestamp from any chrono date-time, in `precision`. `None` when it does not fit i64.
    pub fn from_datetime<Tz: chrono::TimeZone>(
        dt: &chrono::DateTime<Tz>,
        precision: Precision,
    ) -> Option<Timestamp> {
        let secs = dt.timestamp();
        let nanos = i64::from(dt.timestamp_subsec_nanos());
        let per = precision.per_second();
        let value = secs
            .checked_mul(per)?
            .checked_add(nanos / (1_000_000_000 / per))?;
        Some(Timestamp { value, precision })
    }

    /// RFC 3339 text in UTC with 3, 6 or 9 fraction digits by precision, as REST writes it.
    pub fn to_rfc3339(&self) -> String {
        self.to_rfc3339_in(chrono::FixedOffset::east_opt(0).unwrap_or(chrono::Utc.fix()))
    }

    /// RFC 3339 text in `offset`, `Z` for a zero offset, 3/6/9 fraction digits by precision.
    /// Falls back to the raw epoch number when out of chrono's range.
    pub fn to_rfc3339_in(&self, offset: chrono::FixedOffset) -> String {
        let Some(dt) = self.to_offset(offset) else {
            return self.value.to_string();
        };
        let digits = self.precision.fraction_digits();
        let per = self.precision.per_second();
        let frac = self.value.rem_euclid(per);
        // Written field by field rather than through chrono's strftime interpreter, which
        // is slower and pulls its whole formatting machinery into every binary.
        use chrono::{Datelike as _, Timelike as _};
        use fmt::Write as _;
        let mut out = String::with_capacity(36);
        let year = dt.year();
        // As chrono's `%Y`: four digits, with a sign outside 0..=9999.
        let _ = match year {
            0..=9999 => write!(out, "{year:04}"),
            10000.. => write!(out, "+{year}"),
            _ => write!(out, "-{:04}", year.unsigned_abs()),
        };
        let _ = write!(
            out,
            "-{:02}-{:02}T{:02}:{:02}:{:02}.{frac:0digits$}",
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
        );
        let zone = offset.local_minus_utc();
        if zone == 0 {
            out.push('Z');
        } else {
            let sign = if zone < 0 { '-' } else { '+' };
            let minutes = zone.unsigned_abs() / 60;
            let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
        }
        out
    }
}

use chrono::Offset as _;

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// An exact decimal number: an unscaled integer and a scale, with the declared precision.
/// No floating-point rounding anywhere.
///
/// ```
/// use taosync_proto::Decimal;
/// let d: Decimal = "-12.3400".parse().unwrap();
/// assert_eq!((d.unscaled(), d.scale()), (-123400, 4));
/// assert_eq!(d.to_string(), "-12.3400");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    // The unscaled i128 split in two halves: an `i128` field would raise the alignment of
    // `Decimal`, and with it the size of every `Value`, from 8 to 16 bytes.
    lo: u64,
    hi: i64,
    precision: u8,
    scale: u8,
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decimal")
            .field("unscaled", &self.unscaled())
            .field("precision", &self.precision)
            .field("scale", &self.scale)
            .finish()
    }
}

impl Decimal {
    /// A decimal equal to `unscaled / 10^scale` with declared `precision` (total digits).
    pub const fn new(unscaled: i128, precision: u8, scale: u8) -> Self {
        Decimal {
            lo: unscaled as u64,
            hi: (unscaled >> 64) as i64,
            precision,
            scale,
        }
    }

    /// The unscaled integer.
    pub const fn unscaled(&self) -> i128 {
        ((self.hi as i128) << 64) | self.lo as i128
    }

    /// The declared precision (total number of digits).
    pub const fn precision(&self) -> u8 {
        self.precision
    }

    /// The number of digits after the decimal point.
    pub const fn scale(&self) -> u8 {
        self.scale
    }

    /// The wire type: DECIMAL64 for precision up to 18, DECIMAL above.
    pub fn ty(&self) -> Type {
        if self.precision <= 18 {
            Type::Decimal64
        } else {
            Type::Decimal
        }
    }

    /// The nearest `f64` (lossy; for display and arithmetic only).
    pub fn to_f64(&self) -> f64 {
        self.unscaled() as f64 / 10f64.powi(i32::from(self.scale))
    }

    /// The same value at another scale and precision; `None` when digits would be lost or
    /// the value no longer fits `precision` digits.
    pub fn rescale(&self, precision: u8, scale: u8) -> Option<Decimal> {
        let unscaled = if scale >= self.scale {
            self.unscaled()
                .checked_mul(10i128.checked_pow(u32::from(scale - self.scale))?)?
        } else {
            let div = 10i128.checked_pow(u32::from(self.scale - scale))?;
            if self.unscaled() % div != 0 {
                return None;
            }
            self.unscaled() / div
        };
        let limit = 10i128.checked_pow(u32::from(precision))?;
        if unscaled.abs() >= limit {
            return None;
        }
        Some(Decimal::new(unscaled, precision, scale))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = usize::from(self.scale);
        let digits = self.unscaled().unsigned_abs().to_string();
        let sign = if self.unscaled() < 0 { "-" } else { "" };
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

impl FromStr for Decimal {
    type Err = Error;

    /// Parses `[-+]digits[.digits]`; precision is the number of significant digits written
    /// (at least the scale + 1).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || Error::new(ErrorKind::Interface, format!("invalid decimal {s:?}"));
        let t = s.trim();
        let (neg, body) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let all = format!("{int}{frac}");
        let trimmed = all.trim_start_matches('0');
        if trimmed.len() > 38 {
            return Err(bad());
        }
        let mut unscaled: i128 = if trimmed.is_empty() {
            0
        } else {
            trimmed.parse().map_err(|_| bad())?
        };
        if neg {
            unscaled = -unscaled;
        }
        let scale = u8::try_from(frac.len()).map_err(|_| bad())?;
        let precision = u8::try_from(trimmed.len().max(frac.len() + 1)).map_err(|_| bad())?;
        Ok(Decimal::new(unscaled, precision.min(38), scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_codes_round_trip() {
        for t in Type::ALL {
            assert_eq!(Type::from_code(t.code()), Some(t));
        }
        assert_eq!(Type::from_code(22), None);
        assert_eq!("DECIMAL(20,4)".parse::<Type>().unwrap(), Type::Decimal);
        assert_eq!("decimal(5, 2)".parse::<Type>().unwrap(), Type::Decimal64);
        assert_eq!("BIGINT UNSIGNED".parse::<Type>().unwrap(), Type::UBigInt);
        assert_eq!("VARCHAR(20)".parse::<Type>().unwrap(), Type::VarChar);
        assert!("FOO".parse::<Type>().is_err());
    }

    #[test]
    fn timestamps_keep_their_precision() {
        let ts = Timestamp::new(1_700_000_000_000, Precision::Millisecond);
        assert_eq!(ts.to_rfc3339(), "2023-11-14T22:13:20.000Z");
        let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(ts.to_rfc3339_in(tz), "2023-11-15T06:13:20.000+08:00");
        let us = Timestamp::new(-1, Precision::Microsecond);
        assert_eq!(us.to_rfc3339(), "1969-12-31T23:59:59.999999Z");
        assert_eq!(us.to_precision(Precision::Millisecond).value(), -1);
        let dt = ts.to_utc().unwrap();
        assert_eq!(
            Timestamp::from_datetime(&dt, Precision::Millisecond),
            Some(ts)
        );
    }

    /// The hand-written RFC 3339 text is exactly what chrono's `%Y-%m-%dT%H:%M:%S` and
    /// `%:z` give, across years with and without a sign, every precision and offsets on
    /// both sides of UTC.
    #[test]
    fn rfc3339_text_matches_chronos_formatting() {
        let chrono_text = |ts: &Timestamp, offset: chrono::FixedOffset| {
            let dt = ts.to_offset(offset).unwrap();
            let digits = ts.precision().fraction_digits();
            let frac = ts.value().rem_euclid(ts.precision().per_second());
            let zone = if offset.local_minus_utc() == 0 {
                "Z".to_string()
            } else {
                dt.format("%:z").to_string()
            };
            format!("{}.{frac:0digits$}{zone}", dt.format("%Y-%m-%dT%H:%M:%S"))
        };
        let ms = |secs: i64| Timestamp::new(secs * 1000, Precision::Millisecond);
        assert_eq!(
            ms(253_402_300_800).to_rfc3339(),
            "+10000-01-01T00:00:00.000Z"
        );
        assert_eq!(
            ms(-62_198_755_200).to_rfc3339(),
            "-0001-01-01T00:00:00.000Z"
        );
        let west = chrono::FixedOffset::west_opt(9 * 3600 + 30 * 60).unwrap();
        assert_eq!(ms(0).to_rfc3339_in(west), "1969-12-31T14:30:00.000-09:30");
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let seconds = [
            0i64,
            -1,
            1_700_000_000,
            -62_135_596_800,    // 0001-01-01
            -62_167_219_200,    // 0000-01-01
            -62_198_755_200,    // year -1
            253_402_300_799,    // 9999-12-31T23:59:59
            253_402_300_800,    // 10000-01-01
            8_210_298_412_799,  // year 262143
            -8_334_632_851_200, // year -262143
        ];
        for i in 0..2_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = match seconds.get(i as usize % 40) {
                Some(s) => *s,
                None => (x % 600_000_000_000) as i64 - 300_000_000_000,
            };
            let precision = [
                Precision::Millisecond,
                Precision::Microsecond,
                Precision::Nanosecond,
            ][(x >> 20) as usize % 3];
            let per = precision.per_second();
            let Some(value) = secs
                .checked_mul(per)
                .and_then(|v| v.checked_add((x >> 30) as i64 % per))
            else {
                continue;
            };
            let ts = Timestamp::new(value, precision);
            let offset_secs = ((x >> 40) % (2 * 86_340)) as i32 - 86_340;
            for offset in [
                0,
                offset_secs - offset_secs % 60,
                8 * 3600,
                -(9 * 3600 + 30 * 60),
            ] {
                let offset = chrono::FixedOffset::east_opt(offset).unwrap();
                if ts.to_offset(offset).is_none() {
                    assert_eq!(ts.to_rfc3339_in(offset), value.to_string());
                    continue;
                }
                assert_eq!(
                    ts.to_rfc3339_in(offset),
                    chrono_text(&ts, offset),
                    "{value} {precision:?}"
                );
            }
        }
    }

    #[test]
    fn decimals_are_exact() {
        for (s, u, sc) in [
            ("4467440737095516.1230", 44674407370955161230i128, 4),
            ("0.0005", 5, 4),
            ("-0.5", -5, 1),
            ("12", 12, 0),
        ] {
            let d: Decimal = s.parse().unwrap();
            assert_eq!((d.unscaled(), d.scale()), (u, sc), "{s}");
            assert_eq!(d.to_string(), s);
        }
        assert!("1.2.3".parse::<Decimal>().is_err());
        assert!("".parse::<Decimal>().is_err());
        let d = Decimal::new(5, 5, 2).rescale(10, 4).unwrap();
        assert_eq!(d.to_string(), "0.0500");
        assert_eq!(Decimal::new(123, 5, 2).rescale(5, 1), None);
    }
}
