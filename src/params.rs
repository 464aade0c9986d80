//! Client-side rendering of `?` parameters into TDengine SQL literals.
//!
//! Parameters are written `?` (PEP 249 `qmark` style). Before a statement is sent, each `?`
//! outside quoted strings, back-quoted identifiers and comments is replaced by the SQL
//! literal of the matching [`Value`] (03 §3.2):
//!
//! | Value | Literal |
//! |---|---|
//! | NULL | `NULL` |
//! | BOOL | `true` / `false` |
//! | integers, DECIMAL | the exact decimal text |
//! | FLOAT, DOUBLE | the shortest text that reads back as the same number (NaN and ±∞ have no literal: `Data` error) |
//! | TIMESTAMP | a quoted RFC 3339 instant in UTC with all 3/6/9 fraction digits, e.g. `'2023-11-14T22:13:20.123456789Z'`: exact, and independent of the database precision and of the connection time zone |
//! | VARCHAR, NCHAR, JSON | a single-quoted string; `\` and `'` are escaped with a backslash, newlines, returns and tabs as `\n` `\r` `\t` |
//! | VARBINARY, BLOB | `'\x<hex>'` (an empty value is `''`) |
//! | GEOMETRY | the well-known text of the WKB value (POINT, LINESTRING, POLYGON) |
//!
//! An injection attempt therefore stays a string:
//!
//! ```
//! use taosync::params::render;
//! use taosync::Value;
//! let sql = render("select * from t where name = ? and n > ?",
//!                  &[Value::from("x' or '1'='1"), Value::from(3)])?;
//! assert_eq!(sql, r"select * from t where name = 'x\' or \'1\'=\'1' and n > 3");
//! # Ok::<(), taosync::Error>(())
//! ```
//!
//! Parameters are passed as anything implementing the sealed [`Params`] trait: `()`, tuples
//! of up to 16 values, arrays, slices and vectors of [`Value`]-convertible items, or the
//! [`params!`](crate::params!) macro for mixed types.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::error::{Error, ErrorKind, Result};
use crate::value::{Value, to_hex};

mod sealed {
    pub trait Sealed {}
}

/// A list of statement parameters. Sealed; implemented for `()`, tuples of up to 16
/// `Into<Value>` items, `[T; N]`, `&[T]`, `Vec<T>` and `&Vec<T>` with `T: Into<Value> + Clone`,
/// and [`ParamsFromIter`].
///
/// ```
/// use taosync::params::Params;
/// use taosync::Value;
/// assert_eq!((1, "a", None::<i32>).into_values(), vec![Value::Int(1), Value::from("a"), Value::Null]);
/// assert_eq!([1u8, 2].into_values().len(), 2);
/// assert!(().into_values().is_empty());
/// ```
pub trait Params: sealed::Sealed {
    /// The parameter values, in order.
    fn into_values(self) -> Vec<Value>;
}

impl sealed::Sealed for () {}
impl Params for () {
    fn into_values(self) -> Vec<Value> {
        Vec::new()
    }
}

impl<T: Into<Value>, const N: usize> sealed::Sealed for [T; N] {}
impl<T: Into<Value>, const N: usize> Params for [T; N] {
    fn into_values(self) -> Vec<Value> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<Value> + Clone> sealed::Sealed for &[T] {}
impl<T: Into<Value> + Clone> Params for &[T] {
    fn into_values(self) -> Vec<Value> {
        self.iter().cloned().map(Into::into).collect()
    }
}

impl<T: Into<Value> + Clone, const N: usize> sealed::Sealed for &[T; N] {}
impl<T: Into<Value> + Clone, const N: usize> Params for &[T; N] {
    fn into_values(self) -> Vec<Value> {
        self.iter().cloned().map(Into::into).collect()
    }
}

impl<T: Into<Value>> sealed::Sealed for Vec<T> {}
impl<T: Into<Value>> Params for Vec<T> {
    fn into_values(self) -> Vec<Value> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<Value> + Clone> sealed::Sealed for &Vec<T> {}
impl<T: Into<Value> + Clone> Params for &Vec<T> {
    fn into_values(self) -> Vec<Value> {
        self.iter().cloned().map(Into::into).collect()
    }
}

macro_rules! tuple_params {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Into<Value>),+> sealed::Sealed for ($($t,)+) {}
        impl<$($t: Into<Value>),+> Params for ($($t,)+) {
            fn into_values(self) -> Vec<Value> {
                vec![$(self.$i.into()),+]
            }
        }
    };
}
tuple_params!(A 0);
tuple_params!(A 0, B 1);
tuple_params!(A 0, B 1, C 2);
tuple_params!(A 0, B 1, C 2, D 3);
tuple_params!(A 0, B 1, C 2, D 3, E 4);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
tuple_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);

/// Parameters taken from an iterator (rusqlite's `params_from_iter`).
#[derive(Clone, Debug)]
pub struct ParamsFromIter<I>(I);

/// Wraps an iterator of `Into<Value>` items as [`Params`].
///
/// ```
/// use taosync::params::{params_from_iter, Params};
/// assert_eq!(params_from_iter(1..=3).into_values().len(), 3);
/// ```
pub fn params_from_iter<I>(iter: I) -> ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: Into<Value>,
{
    ParamsFromIter(iter)
}

impl<I> sealed::Sealed for ParamsFromIter<I> {}
impl<I> Params for ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: Into<Value>,
{
    fn into_values(self) -> Vec<Value> {
        self.0.into_iter().map(Into::into).collect()
    }
}

/// Builds a `Vec<Value>` from expressions of different types, for use as [`Params`].
///
/// ```
/// use taosync::{params, Value};
/// let p = params![1, "two", 3.5f64, None::<i32>];
/// assert_eq!(p, vec![Value::Int(1), Value::from("two"), Value::Double(3.5), Value::Null]);
/// let empty: Vec<Value> = params![];
/// assert!(empty.is_empty());
/// ```
#[macro_export]
macro_rules! params {
    () => { ::std::vec::Vec::<$crate::Value>::new() };
    ($($p:expr),+ $(,)?) => { ::std::vec![$($crate::Value::from($p)),+] };
}

/// The positions of the `?` placeholders of `sql`, skipping quoted strings (`'…'`, `"…"`
/// with backslash escapes and doubled quotes), back-quoted identifiers, `--` line comments
/// and `/* … */` block comments.
pub fn placeholder_positions(sql: &str) -> Vec<usize> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'?' => {
                out.push(i);
                i += 1;
            }
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\\' && q != b'`' {
                        i += 2;
                    } else if b[i] == q {
                        if b.get(i + 1) == Some(&q) {
                            i += 2;
                        } else {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    out
}

/// Replaces each `?` placeholder of `sql` by the literal of the matching value.
///
/// A placeholder count that differs from `params.len()` is a
/// [`Programming`](ErrorKind::Programming) error (PEP 249's own example of one); a value without a literal form (NaN, an
/// unsupported geometry) is a [`Data`](ErrorKind::Data) error. Without parameters the
/// statement is returned as it is (borrowed) once it is known to hold no placeholder.
pub fn render<'a>(sql: &'a str, params: &[Value]) -> Result<Cow<'a, str>> {
    // `str::contains(char)` is memchr-fast; a large INSERT without `?` skips the scan.
    if params.is_empty() && !sql.contains('?') {
        return Ok(Cow::Borrowed(sql));
    }
    let positions = placeholder_positions(sql);
    if positions.len() != params.len() {
        return Err(Error::new(
            ErrorKind::Programming,
            format!(
                "the statement has {} parameter placeholder(s) but {} parameter(s) were given",
                positions.len(),
                params.len()
            ),
        ));
    }
    if params.is_empty() {
        return Ok(Cow::Borrowed(sql));
    }
    let mut out = String::with_capacity(sql.len() + params.len() * 8);
    let mut last = 0;
    for (pos, value) in positions.iter().zip(params) {
        out.push_str(&sql[last..*pos]);
        write_literal(&mut out, value)?;
        last = pos + 1;
    }
    out.push_str(&sql[last..]);
    Ok(Cow::Owned(out))
}

/// The SQL literal of one value (see the [module docs](self)).
///
/// ```
/// use taosync::params::literal;
/// use taosync::{Precision, Timestamp, Value};
/// assert_eq!(literal(&Value::VarBinary(vec![0xde, 0xad]))?, r"'\xdead'");
/// assert_eq!(literal(&Value::Timestamp(Timestamp::new(1, Precision::Nanosecond)))?,
///            "'1970-01-01T00:00:00.000000001Z'");
/// assert_eq!(literal(&Value::from("it's"))?, r"'it\'s'");
/// assert!(literal(&Value::Double(f64::NAN)).is_err());
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn literal(value: &Value) -> Result<String> {
    let mut s = String::new();
    write_literal(&mut s, value)?;
    Ok(s)
}

fn write_literal(out: &mut String, value: &Value) -> Result<()> {
    match value {
        Value::Null => out.push_str("NULL"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::TinyInt(v) => push_display(out, v),
        Value::SmallInt(v) => push_display(out, v),
        Value::Int(v) => push_display(out, v),
        Value::BigInt(v) => push_display(out, v),
        Value::UTinyInt(v) => push_display(out, v),
        Value::USmallInt(v) => push_display(out, v),
        Value::UInt(v) => push_display(out, v),
        Value::UBigInt(v) => push_display(out, v),
        Value::Float(v) => {
            if !v.is_finite() {
                return Err(no_literal(value));
            }
            push_debug(out, v);
        }
        Value::Double(v) => {
            if !v.is_finite() {
                return Err(no_literal(value));
            }
            push_debug(out, v);
        }
        Value::Decimal(d) => push_display(out, d),
        Value::Timestamp(ts) => {
            let text = ts.to_rfc3339();
            if text.starts_with(|c: char| c.is_ascii_digit()) && text.contains('T') {
                out.push('\'');
                out.push_str(&text);
                out.push('\'');
            } else {
                // Out of chrono's range: the raw epoch count (in the value's precision).
                push_display(out, &ts.value());
            }
        }
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => push_quoted(out, s),
        Value::VarBinary(b) | Value::Blob(b) => {
            if b.is_empty() {
                out.push_str("''");
            } else {
                out.push_str("'\\x");
                out.push_str(&to_hex(b));
                out.push('\'');
            }
        }
        Value::Geometry(wkb) => {
            let wkt = wkb_to_wkt(wkb).ok_or_else(|| no_literal(value))?;
            push_quoted(out, &wkt);
        }
        #[allow(unreachable_patterns)]
        _ => return Err(no_literal(value)),
    }
    Ok(())
}

fn no_literal(value: &Value) -> Error {
    Error::new(
        ErrorKind::Data,
        format!("{} value {value:?} has no SQL literal form", value.ty()),
    )
}

fn push_display(out: &mut String, v: &impl std::fmt::Display) {
    let _ = write!(out, "{v}");
}

fn push_debug(out: &mut String, v: &impl std::fmt::Debug) {
    let _ = write!(out, "{v:?}");
}

fn push_quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// Well-known text of a 2-D WKB POINT, LINESTRING or POLYGON (either byte order).
fn wkb_to_wkt(wkb: &[u8]) -> Option<String> {
    struct R<'a> {
        b: &'a [u8],
        le: bool,
    }
    impl R<'_> {
        fn u32(&mut self) -> Option<u32> {
            let (h, t) = self.b.split_first_chunk::<4>()?;
            self.b = t;
            Some(if self.le {
                u32::from_le_bytes(*h)
            } else {
                u32::from_be_bytes(*h)
            })
        }
        fn f64(&mut self) -> Option<f64> {
            let (h, t) = self.b.split_first_chunk::<8>()?;
            self.b = t;
            Some(if self.le {
                f64::from_le_bytes(*h)
            } else {
                f64::from_be_bytes(*h)
            })
        }
        fn points(&mut self, out: &mut String) -> Option<()> {
            let n = self.u32()? as usize;
            if n > self.b.len() / 16 {
                return None;
            }
            out.push('(');
            for i in 0..n {
                if i > 0 {
                    out.push_str(", ");
                }
                let (x, y) = (self.f64()?, self.f64()?);
                let _ = write!(out, "{x:?} {y:?}");
            }
            out.push(')');
            Some(())
        }
    }
    let (&order, rest) = wkb.split_first()?;
    let mut r = R {
        b: rest,
        le: order == 1,
    };
    let mut out = String::new();
    match r.u32()? {
        1 => {
            let (x, y) = (r.f64()?, r.f64()?);
            let _ = write!(out, "POINT ({x:?} {y:?})");
        }
        2 => {
            out.push_str("LINESTRING ");
            r.points(&mut out)?;
        }
        3 => {
            let rings = r.u32()? as usize;
            if rings > r.b.len() / 4 {
                return None;
            }
            out.push_str("POLYGON (");
            for i in 0..rings {
                if i > 0 {
                    out.push_str(", ");
                }
                r.points(&mut out)?;
            }
            out.push(')');
        }
        _ => return None,
    }
    r.b.is_empty().then_some(out)
}

/// An `INSERT … VALUES (…)` template split for batching: the text before the value group
/// (`INSERT INTO t [USING … TAGS (…)] [(cols)] VALUES`), the group `( … )` and what follows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InsertTemplate<'a> {
    /// Table clause after `INSERT INTO`, up to and including `VALUES`.
    pub(crate) clause: &'a str,
    /// The parenthesised value group.
    pub(crate) group: &'a str,
}

/// Splits `INSERT INTO <clause> VALUES (<group>)` when the statement has exactly that form
/// (one table, one value group, nothing after it but whitespace or `;`).
pub(crate) fn split_insert(sql: &str) -> Option<InsertTemplate<'_>> {
    let t = sql.trim_start();
    let head = t.get(..11)?;
    if !head.eq_ignore_ascii_case("insert into") || !t[11..].starts_with(char::is_whitespace) {
        return None;
    }
    let body = &t[11..];
    // Find the keyword VALUES outside quotes.
    let b = body.as_bytes();
    let mut i = 0;
    let mut values_end = None;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && q != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                if body[start..i].eq_ignore_ascii_case("values") {
                    if values_end.is_some() {
                        return None; // several VALUES: multi-table insert, leave alone
                    }
                    values_end = Some(i);
                }
            }
            _ => i += 1,
        }
    }
    let ve = values_end?;
    let clause = body[..ve].trim();
    let rest = body[ve..].trim();
    let rest = rest.strip_suffix(';').unwrap_or(rest).trim_end();
    if !rest.starts_with('(') || !rest.ends_with(')') {
        return None;
    }
    // The group must be one balanced parenthesis pair.
    let rb = rest.as_bytes();
    let mut depth = 0i32;
    let mut j = 0;
    while j < rb.len() {
        match rb[j] {
            q @ (b'\'' | b'"' | b'`') => {
                j += 1;
                while j < rb.len() && rb[j] != q {
                    if rb[j] == b'\\' && q != b'`' {
                        j += 1;
                    }
                    j += 1;
                }
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 && j + 1 != rb.len() {
                    return None;
                }
            }
            _ => {}
        }
        j += 1;
    }
    (depth == 0).then_some(InsertTemplate {
        clause,
        group: rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Decimal, Precision, Timestamp};

    #[test]
    fn placeholders_skip_quotes_and_comments() {
        let sql = "select '?', \"?\", `a?` -- ?\n, ? /* ? */ from t where a = ? and b = 'it''s ?' and c = '\\' ?'";
        assert_eq!(placeholder_positions(sql).len(), 2);
        assert_eq!(
            render("select ? , ?", &[Value::Int(1), Value::Null]).unwrap(),
            "select 1 , NULL"
        );
        let e = render("select ?", &[]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Programming);
        assert!(e.message().contains("1 parameter placeholder"));
        assert!(render("select 1", &[Value::Int(1)]).is_err());
        // Unterminated quotes and comments do not panic.
        for s in ["'abc", "/* x", "`x", "\"\\", "'\\"] {
            let _ = placeholder_positions(s);
        }
    }

    #[test]
    fn literals_of_every_type() {
        let cases: Vec<(Value, &str)> = vec![
            (Value::Null, "NULL"),
            (Value::Bool(true), "true"),
            (Value::TinyInt(-8), "-8"),
            (Value::SmallInt(300), "300"),
            (Value::Int(i32::MIN), "-2147483648"),
            (Value::BigInt(i64::MAX), "9223372036854775807"),
            (Value::UTinyInt(255), "255"),
            (Value::USmallInt(65535), "65535"),
            (Value::UInt(u32::MAX), "4294967295"),
            (Value::UBigInt(u64::MAX), "18446744073709551615"),
            (Value::Float(0.1), "0.1"),
            (Value::Double(1e300), "1e300"),
            (Value::Double(-2.5e-7), "-2.5e-7"),
            (Value::Decimal(Decimal::new(-123456, 10, 4)), "-12.3456"),
            (
                Value::Timestamp(Timestamp::new(
                    1_700_000_000_123_456,
                    Precision::Microsecond,
                )),
                "'2023-11-14T22:13:20.123456Z'",
            ),
            (
                Value::Timestamp(Timestamp::new(-1, Precision::Millisecond)),
                "'1969-12-31T23:59:59.999Z'",
            ),
            (Value::VarChar("a\\b'c\"d\ne".into()), r#"'a\\b\'c\"d\ne'"#),
            (Value::NChar("中文".into()), "'中文'"),
            (Value::Json(r#"{"k":"v"}"#.into()), r#"'{\"k\":\"v\"}'"#),
            (Value::VarBinary(vec![0, 0xff]), r"'\x00ff'"),
            (Value::VarBinary(vec![]), "''"),
            (Value::Blob(vec![1]), r"'\x01'"),
        ];
        for (v, want) in cases {
            assert_eq!(literal(&v).unwrap(), want, "{v:?}");
        }
        assert_eq!(
            literal(&Value::Float(f32::INFINITY)).unwrap_err().kind(),
            ErrorKind::Data
        );
    }

    #[test]
    fn geometry_as_wkt() {
        let mut point = vec![1, 1, 0, 0, 0];
        point.extend_from_slice(&100f64.to_le_bytes());
        point.extend_from_slice(&100f64.to_le_bytes());
        assert_eq!(
            literal(&Value::Geometry(point)).unwrap(),
            "'POINT (100.0 100.0)'"
        );
        let mut line = vec![1, 2, 0, 0, 0, 2, 0, 0, 0];
        for v in [1f64, 2., 3., 4.] {
            line.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(
            literal(&Value::Geometry(line)).unwrap(),
            "'LINESTRING (1.0 2.0, 3.0 4.0)'"
        );
        assert!(literal(&Value::Geometry(vec![1, 9, 0, 0, 0])).is_err());
        assert!(literal(&Value::Geometry(vec![1, 2, 0, 0, 0, 255, 255, 255, 255])).is_err());
    }

    #[test]
    fn insert_templates() {
        let t = split_insert("INSERT INTO d1 USING st TAGS (?, 'VALUES') (ts, v) VALUES (?, ?);")
            .unwrap();
        assert_eq!(t.clause, "d1 USING st TAGS (?, 'VALUES') (ts, v) VALUES");
        assert_eq!(t.group, "(?, ?)");
        assert_eq!(
            split_insert("insert into t values (?, '(')").unwrap().group,
            "(?, '(')"
        );
        assert!(split_insert("select 1").is_none());
        assert!(split_insert("insert into t values (?) (?)").is_none());
        assert!(split_insert("insert into a values (?) b values (?)").is_none());
        assert!(split_insert("insert into t values ?").is_none());
    }

    proptest::proptest! {
        #[test]
        fn strings_round_trip_as_one_literal(s in "\\PC*") {
            let lit = literal(&Value::VarChar(s.clone())).unwrap();
            // The literal is a single quoted token: no placeholder escapes it.
            proptest::prop_assert!(placeholder_positions(&lit).is_empty());
            proptest::prop_assert!(lit.starts_with('\'') && lit.ends_with('\''));
        }

        #[test]
        fn scanner_never_panics(s in "\\PC*") {
            let _ = placeholder_positions(&s);
            let _ = split_insert(&s);
        }
    }
}
