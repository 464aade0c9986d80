//! Time zones from the system's time zone database, without a compiled-in copy of it.
//!
//! A [`Zone`] is what TDengine itself uses to resolve a zone name: the TZif file of that
//! name in the system's zoneinfo directory (`$TZDIR`, then `/usr/share/zoneinfo`,
//! `/usr/lib/zoneinfo`, `/usr/share/lib/zoneinfo`, `/etc/zoneinfo`), read once and cached.
//! It implements [`chrono::TimeZone`], so a `DateTime<Zone>` works like any chrono
//! date-time, daylight saving time included.
//!
//! [`Zone::from_name`] accepts
//!
//! * `UTC` and its aliases (`Z`, `GMT`, `Etc/UTC`, `Universal`, `Zulu`, …), which need no
//!   file;
//! * fixed offsets east of UTC: `+08:00`, `-0530`, `+8`, `+05:45:30`;
//! * IANA names (`Asia/Shanghai`, `America/New_York`, `US/Eastern`), read from TZif files
//!   (versions 1 to 4, with the POSIX `TZ` rule of the file's footer for instants after
//!   its last transition).
//!
//! With the `bundled-tz` feature, an IANA name the system does not have (Windows, minimal
//! containers without `tzdata`) falls back to the database compiled into `chrono-tz`.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use taosync_proto::tz::Zone;
//!
//! let zone = Zone::from_name("+08:00")?;
//! let local = Utc.timestamp_opt(1_700_000_000, 0).unwrap().with_timezone(&zone);
//! assert_eq!(local.to_rfc3339(), "2023-11-15T06:13:20+08:00");
//! assert_eq!(zone.name(), "+08:00");
//! assert_eq!(Zone::from_name("Z")?, Zone::utc());
//! assert!(Zone::from_name("../etc/passwd").is_err());
//! # Ok::<(), taosync_proto::Error>(())
//! ```

mod posix;
#[cfg(test)]
mod tests;
mod tzif;

use std::collections::HashMap;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{
    FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};

use crate::error::{Error, Result};
use tzif::Tzif;

/// The largest TZif file read (real ones are a few KiB).
const MAX_TZIF_LEN: u64 = 1 << 20;

/// The longest zone name accepted.
const MAX_NAME_LEN: usize = 255;

/// Zones kept by [`Zone::from_name`]; names beyond this many are loaded but not kept.
const MAX_CACHED: usize = 1024;

/// The zoneinfo directories searched after `$TZDIR`, in order.
const ZONEINFO_DIRS: [&str; 4] = [
    "/usr/share/zoneinfo",
    "/usr/lib/zoneinfo",
    "/usr/share/lib/zoneinfo",
    "/etc/zoneinfo",
];

/// Names of UTC that need no file (as `chrono-tz` and the tz database spell them).
const UTC_NAMES: [&str; 9] = [
    "UTC",
    "UCT",
    "Universal",
    "Zulu",
    "GMT",
    "GMT0",
    "GMT+0",
    "GMT-0",
    "Greenwich",
];

fn invalid(message: impl Into<String>) -> Error {
    Error::interface(message)
}

/// A time zone abbreviation such as `CEST` or `+08`, stored inline (up to 8 ASCII
/// characters; longer or non-ASCII ones are dropped).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Abbr {
    bytes: [u8; 8],
    len: u8,
}

impl Abbr {
    const NONE: Abbr = Abbr {
        bytes: [0; 8],
        len: 0,
    };

    fn new(text: &[u8]) -> Abbr {
        if text.len() > 8 || !text.iter().all(u8::is_ascii_graphic) {
            return Abbr::NONE;
        }
        let mut bytes = [0; 8];
        bytes[..text.len()].copy_from_slice(text);
        Abbr {
            bytes,
            len: text.len() as u8,
        }
    }

    fn as_str(&self) -> Option<&str> {
        let text = std::str::from_utf8(self.bytes.get(..usize::from(self.len))?).ok()?;
        (!text.is_empty()).then_some(text)
    }
}

impl fmt::Debug for Abbr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str().unwrap_or(""), f)
    }
}

/// One local time type: offset east of UTC in seconds (|offset| < 1 day), DST flag and
/// abbreviation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    utoff: i32,
    dst: bool,
    abbr: Abbr,
}

impl Span {
    const UTC: Span = Span {
        utoff: 0,
        dst: false,
        abbr: Abbr {
            bytes: *b"UTC\0\0\0\0\0",
            len: 3,
        },
    };
}

/// A time zone: UTC, a fixed offset, or a zone of the system's time zone database.
///
/// Cheap to clone (an `Arc` inside). Two zones are equal when they have the same
/// [`name`](Self::name). See the [module docs](self) for the names accepted.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use taosync_proto::tz::Zone;
///
/// let utc = Zone::utc();
/// let dt = utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap();
/// assert_eq!(dt.to_rfc3339(), "2025-01-01T12:00:00+00:00");
/// assert_eq!(dt.with_timezone(&Utc).timestamp(), 1_735_732_800);
/// ```
#[derive(Clone)]
pub struct Zone(Arc<Inner>);

struct Inner {
    name: Box<str>,
    rules: Rules,
}

enum Rules {
    Fixed(Span),
    Tzif(Tzif),
    #[cfg(feature = "bundled-tz")]
    Bundled(chrono_tz::Tz),
}

static UTC_ZONE: LazyLock<Zone> = LazyLock::new(|| Zone::new("UTC", Rules::Fixed(Span::UTC)));

static CACHE: LazyLock<Mutex<HashMap<Box<str>, Zone>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

impl Zone {
    fn new(name: &str, rules: Rules) -> Zone {
        Zone(Arc::new(Inner {
            name: name.into(),
            rules,
        }))
    }

    /// UTC.
    ///
    /// ```
    /// use taosync_proto::tz::Zone;
    /// assert_eq!(Zone::utc().name(), "UTC");
    /// ```
    pub fn utc() -> Zone {
        UTC_ZONE.clone()
    }

    /// A fixed offset of `secs` seconds east of UTC, named like `+08:00` (`+05:45:30` with
    /// seconds). An offset of a day or more is an [`Interface`](crate::ErrorKind::Interface)
    /// error.
    ///
    /// ```
    /// use taosync_proto::tz::Zone;
    /// assert_eq!(Zone::fixed(-5 * 3600 - 1800)?.name(), "-05:30");
    /// assert!(Zone::fixed(86_400).is_err());
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn fixed(secs: i32) -> Result<Zone> {
        if secs.checked_abs().is_none_or(|s| s >= 86_400) {
            return Err(invalid(format!(
                "UTC offset of {secs} s is out of range (less than a day either way)"
            )));
        }
        let (sign, abs) = if secs < 0 { ('-', -secs) } else { ('+', secs) };
        let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
        let name = if s == 0 {
            format!("{sign}{h:02}:{m:02}")
        } else {
            format!("{sign}{h:02}:{m:02}:{s:02}")
        };
        Ok(Zone::new(
            &name,
            Rules::Fixed(Span {
                utoff: secs,
                dst: false,
                abbr: Abbr::NONE,
            }),
        ))
    }

    /// The zone's name: the IANA name as given, `UTC`, or a fixed offset like `+08:00`.
    ///
    /// ```
    /// use taosync_proto::tz::Zone;
    /// assert_eq!(Zone::from_name("-0530")?.name(), "-05:30");
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The zone of a name (see the [module docs](self)). An unknown name, a name that is
    /// not a plain relative path (`..`, a leading `/`, NUL), or a zone file that is not a
    /// valid TZif file is an [`Interface`](crate::ErrorKind::Interface) error.
    ///
    /// ```
    /// use taosync_proto::tz::Zone;
    /// assert_eq!(Zone::from_name("Etc/UTC")?.name(), "Etc/UTC");
    /// assert!(Zone::from_name("Mars/Base").is_err());
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    pub fn from_name(name: &str) -> Result<Zone> {
        if let Some(zone) = builtin(name)? {
            return Ok(zone);
        }
        check_name(name)?;
        if let Some(zone) = cached(name) {
            return Ok(zone);
        }
        let zone = match load_from_dirs(name, &zoneinfo_dirs())? {
            Some(zone) => zone,
            None => bundled(name)?,
        };
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() < MAX_CACHED {
            cache.insert(name.into(), zone.clone());
        }
        Ok(zone)
    }

    /// The local time type at UTC instant `t` (seconds since the epoch).
    fn span_at(&self, t: i64) -> Span {
        match &self.0.rules {
            Rules::Fixed(span) => *span,
            Rules::Tzif(tzif) => tzif.span_at(t),
            #[cfg(feature = "bundled-tz")]
            Rules::Bundled(tz) => {
                let dt = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
                bundled_span(&tz.offset_from_utc_datetime(&dt.naive_utc()))
            }
        }
    }

    /// The local time types that local wall-clock time `l` (seconds) can be in, earliest
    /// instant first.
    fn spans_at_local(&self, l: i64) -> LocalResult<Span> {
        let offsets = match &self.0.rules {
            Rules::Fixed(span) => return LocalResult::Single(*span),
            Rules::Tzif(tzif) => tzif.offsets_in(l - 86_400, l + 86_400),
            #[cfg(feature = "bundled-tz")]
            Rules::Bundled(tz) => {
                let Some(dt) = chrono::DateTime::from_timestamp(l, 0) else {
                    return LocalResult::None;
                };
                return tz
                    .offset_from_local_datetime(&dt.naive_utc())
                    .map(|o| bundled_span(&o));
            }
        };
        // A valid instant is `l - offset` for an offset in effect at that very instant;
        // every offset is less than a day, so the instant is within a day of `l`.
        let mut found: Vec<(i64, Span)> = Vec::with_capacity(2);
        for offset in offsets {
            let t = l - i64::from(offset);
            let span = self.span_at(t);
            if span.utoff == offset && !found.iter().any(|(x, _)| *x == t) {
                found.push((t, span));
            }
        }
        found.sort_by_key(|(t, _)| *t);
        match found.as_slice() {
            [] => LocalResult::None,
            [(_, span)] => LocalResult::Single(*span),
            [(_, first), .., (_, last)] => LocalResult::Ambiguous(*first, *last),
        }
    }

    fn offset(&self, span: Span) -> ZoneOffset {
        ZoneOffset {
            zone: self.clone(),
            span,
        }
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.name == other.0.name
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Zone").field(&self.name()).finish()
    }
}

impl fmt::Display for Zone {
    /// The zone's [`name`](Zone::name).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Zone {
    type Err = Error;

    /// [`Zone::from_name`].
    ///
    /// ```
    /// use taosync_proto::tz::Zone;
    /// let zone: Zone = "UTC".parse()?;
    /// assert_eq!(zone, Zone::utc());
    /// # Ok::<(), taosync_proto::Error>(())
    /// ```
    fn from_str(name: &str) -> Result<Zone> {
        Zone::from_name(name)
    }
}

/// The offset of a [`Zone`] at one instant: what a `DateTime<Zone>` carries.
///
/// It displays as the zone's abbreviation (`CET`, `EDT`, `+08`) when the database gives
/// one, else as `±HH:MM`.
///
/// ```
/// use chrono::{Offset, TimeZone};
/// use taosync_proto::tz::Zone;
///
/// let zone = Zone::fixed(3600)?;
/// let dt = zone.timestamp_opt(0, 0).unwrap();
/// assert_eq!(dt.offset().fix().local_minus_utc(), 3600);
/// assert_eq!(dt.offset().to_string(), "+01:00");
/// assert!(!dt.offset().is_dst());
/// # Ok::<(), taosync_proto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ZoneOffset {
    zone: Zone,
    span: Span,
}

impl ZoneOffset {
    /// The abbreviation of the local time type (`CEST`), when the zone gives one.
    ///
    /// ```
    /// use chrono::TimeZone;
    /// use taosync_proto::tz::Zone;
    /// let dt = Zone::utc().timestamp_opt(0, 0).unwrap();
    /// assert_eq!(dt.offset().abbreviation(), Some("UTC"));
    /// ```
    pub fn abbreviation(&self) -> Option<&str> {
        self.span.abbr.as_str()
    }

    /// Whether daylight saving time is in effect (as the database flags it).
    ///
    /// ```
    /// use chrono::TimeZone;
    /// use taosync_proto::tz::Zone;
    /// assert!(!Zone::utc().timestamp_opt(0, 0).unwrap().offset().is_dst());
    /// ```
    pub fn is_dst(&self) -> bool {
        self.span.dst
    }

    /// The zone this offset belongs to.
    ///
    /// ```
    /// use chrono::TimeZone;
    /// use taosync_proto::tz::Zone;
    /// assert_eq!(Zone::utc().timestamp_opt(0, 0).unwrap().offset().zone(), &Zone::utc());
    /// ```
    pub fn zone(&self) -> &Zone {
        &self.zone
    }
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        FixedOffset::east_opt(self.span.utoff).unwrap_or(Utc.fix())
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.abbreviation() {
            Some(abbr) => f.write_str(abbr),
            None => fmt::Display::fmt(&self.fix(), f),
        }
    }
}

impl fmt::Debug for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone.clone()
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        let first = self
            .offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
            .earliest();
        let last = local
            .and_hms_opt(23, 59, 59)
            .and_then(|dt| self.offset_from_local_datetime(&dt).latest());
        match (first, last) {
            (Some(a), Some(b)) if a != b => LocalResult::Ambiguous(a, b),
            (Some(a), _) | (None, Some(a)) => LocalResult::Single(a),
            (None, None) => LocalResult::None,
        }
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        self.spans_at_local(local.and_utc().timestamp())
            .map(|span| self.offset(span))
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.offset(self.span_at(utc.and_utc().timestamp()))
    }
}

/// UTC aliases and fixed offsets; `Ok(None)` for anything else.
fn builtin(name: &str) -> Result<Option<Zone>> {
    if name == "UTC" || name == "Z" {
        return Ok(Some(Zone::utc()));
    }
    let bare = name.strip_prefix("Etc/").unwrap_or(name);
    if UTC_NAMES.contains(&bare) {
        let abbr = if bare.starts_with("GMT") || bare == "Greenwich" {
            Abbr::new(b"GMT")
        } else {
            Abbr::new(b"UTC")
        };
        let span = Span {
            utoff: 0,
            dst: false,
            abbr,
        };
        return Ok(Some(Zone::new(name, Rules::Fixed(span))));
    }
    if let Some(rest) = name.strip_prefix(['+', '-']) {
        let secs = parse_fixed(rest).ok_or_else(|| {
            invalid(format!(
                "invalid UTC offset {name:?} (expected ±HH, ±HH:MM, ±HHMM or ±HH:MM:SS)"
            ))
        })?;
        let secs = if name.starts_with('-') { -secs } else { secs };
        return Zone::fixed(secs).map(Some);
    }
    Ok(None)
}

/// `HH[[:]MM[[:]SS]]` (hours 1–2 digits) in seconds.
fn parse_fixed(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    let digits = |s: &[u8]| -> Option<i32> {
        (!s.is_empty() && s.iter().all(u8::is_ascii_digit))
            .then(|| s.iter().fold(0, |n, d| n * 10 + i32::from(d - b'0')))
    };
    let (h, rest) = match b {
        [a, b, rest @ ..] if b.is_ascii_digit() => (digits(&[*a, *b])?, rest),
        [a, rest @ ..] => (digits(&[*a])?, rest),
        [] => return None,
    };
    let parts: Vec<&[u8]> = if rest.is_empty() {
        Vec::new()
    } else if rest.first() == Some(&b':') {
        rest[1..].split(|c| *c == b':').collect()
    } else {
        rest.chunks(2).collect()
    };
    if parts.len() > 2 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let m = parts.first().map_or(Some(0), |p| digits(p))?;
    let s = parts.get(1).map_or(Some(0), |p| digits(p))?;
    (h < 24 && m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

/// A zone name must be a plain relative path of the database: no `.`/`..` or empty
/// component, no leading `/`, nothing but letters, digits and `/ _ - + .`.
fn check_name(name: &str) -> Result<()> {
    let bad = |why: &str| invalid(format!("invalid time zone name {name:?}: {why}"));
    if name.is_empty() {
        return Err(bad("empty"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(bad("longer than 255 bytes"));
    }
    if name.contains('\0') {
        return Err(bad("contains NUL"));
    }
    if name.starts_with('/') {
        return Err(bad("absolute paths are not zone names"));
    }
    if name
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(bad("path components must not be empty, `.` or `..`"));
    }
    if !name
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'_' | b'-' | b'+' | b'.'))
    {
        return Err(bad("only letters, digits and / _ - + . are allowed"));
    }
    Ok(())
}

fn cached(name: &str) -> Option<Zone> {
    let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.get(name).cloned()
}

fn zoneinfo_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::with_capacity(ZONEINFO_DIRS.len() + 1);
    if let Some(dir) = std::env::var_os("TZDIR").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.extend(ZONEINFO_DIRS.iter().map(PathBuf::from));
    dirs
}

/// The zone `name` (already checked) from the first of `dirs` that has a file of that
/// name; `Ok(None)` when none has.
fn load_from_dirs(name: &str, dirs: &[PathBuf]) -> Result<Option<Zone>> {
    for dir in dirs {
        let path = dir.join(name);
        if let Some(bytes) = read_bounded(&path)? {
            let tzif = Tzif::parse(&bytes).map_err(|e| {
                invalid(format!(
                    "time zone file {} is not valid: {}",
                    path.display(),
                    e.message()
                ))
            })?;
            return Ok(Some(Zone::new(name, Rules::Tzif(tzif))));
        }
    }
    Ok(None)
}

/// The contents of a regular file of at most [`MAX_TZIF_LEN`] bytes; `Ok(None)` when there
/// is no such file (or it is a directory).
fn read_bounded(path: &Path) -> Result<Option<Vec<u8>>> {
    let io_error = |e: std::io::Error| {
        invalid(format!(
            "cannot read time zone file {}: {e}",
            path.display()
        ))
        .with_source(e)
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(io_error(e)),
    };
    if !file.metadata().map_err(io_error)?.is_file() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(MAX_TZIF_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_TZIF_LEN {
        return Err(invalid(format!(
            "time zone file {} is larger than 1 MiB",
            path.display()
        )));
    }
    Ok(Some(bytes))
}

fn unknown(name: &str) -> Error {
    invalid(format!(
        "unknown time zone {name:?} (expected an IANA name such as Asia/Shanghai, UTC, \
         or an offset such as +08:00; IANA names are read from the system's zoneinfo \
         directory: set TZDIR, install tzdata, or build with the bundled-tz feature)"
    ))
}

#[cfg(feature = "bundled-tz")]
fn bundled(name: &str) -> Result<Zone> {
    let tz: chrono_tz::Tz = name.parse().map_err(|_| unknown(name))?;
    Ok(Zone::new(name, Rules::Bundled(tz)))
}

#[cfg(not(feature = "bundled-tz"))]
fn bundled(name: &str) -> Result<Zone> {
    Err(unknown(name))
}

#[cfg(feature = "bundled-tz")]
fn bundled_span(offset: &chrono_tz::TzOffset) -> Span {
    use chrono_tz::{OffsetComponents as _, OffsetName as _};
    Span {
        utoff: offset.fix().local_minus_utc(),
        dst: !offset.dst_offset().is_zero(),
        abbr: Abbr::new(offset.abbreviation().unwrap_or("").as_bytes()),
    }
}
