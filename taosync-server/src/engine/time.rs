//! Timestamp strings, durations and time zones.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use taosync_proto::types::Precision;

/// Nanoseconds in one unit of a duration letter (`b u a s m h d w`); `None` for others.
pub fn unit_nanos(unit: &str) -> Option<i64> {
    Some(match unit {
        "b" => 1,
        "u" => 1_000,
        "a" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" => 86_400_000_000_000,
        "w" => 604_800_000_000_000,
        _ => return None,
    })
}

/// A duration `count unit` in ticks of `precision` (truncated); `None` for an unknown unit
/// or overflow. An empty unit means ticks of the precision itself.
pub fn duration_ticks(count: i64, unit: &str, precision: Precision) -> Option<i64> {
    if unit.is_empty() {
        return Some(count);
    }
    let nanos = unit_nanos(unit)?;
    let per_tick = 1_000_000_000 / precision.per_second();
    if nanos >= per_tick {
        count.checked_mul(nanos / per_tick)
    } else {
        Some(count.checked_mul(nanos)? / per_tick)
    }
}

/// Ticks of `precision` for a UTC date-time; `None` when out of range.
pub fn datetime_ticks<T: TimeZone>(dt: &chrono::DateTime<T>, precision: Precision) -> Option<i64> {
    let secs = dt.timestamp();
    let nanos = i64::from(dt.timestamp_subsec_nanos());
    secs.checked_mul(precision.per_second())?
        .checked_add(nanos / (1_000_000_000 / precision.per_second()))
}

/// The current instant in ticks of `precision`.
pub fn now_ticks(precision: Precision) -> i64 {
    datetime_ticks(&chrono::Utc::now(), precision).unwrap_or(0)
}

/// Local midnight of today in `tz`, in ticks of `precision`.
pub fn today_ticks(tz: Tz, precision: Precision) -> i64 {
    let now = chrono::Utc::now().with_timezone(&tz);
    let midnight = now.date_naive().and_time(NaiveTime::MIN);
    match tz.from_local_datetime(&midnight).earliest() {
        Some(dt) => datetime_ticks(&dt, precision).unwrap_or(0),
        None => now_ticks(precision),
    }
}

/// Parses a TDengine timestamp string: `YYYY-MM-DD[( |T)HH:MM:SS[.frac]][zone]` with zone
/// `Z`, `±HH:MM`, `±HHMM` or `±HH`; without a zone the string is local time in `tz`.
/// Returns ticks of `precision` (excess fraction digits truncated).
pub fn parse_timestamp(s: &str, tz: Tz, precision: Precision) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 8 {
        return None;
    }
    // Date part.
    let mut i = 0;
    let year = take_digits(b, &mut i, 4, 4)?;
    expect(b, &mut i, b'-')?;
    let month = take_digits(b, &mut i, 1, 2)?;
    expect(b, &mut i, b'-')?;
    let day = take_digits(b, &mut i, 1, 2)?;
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month as u32, day as u32)?;
    let (mut h, mut mi, mut sec, mut frac_nanos) = (0u32, 0u32, 0u32, 0i64);
    if i < b.len() && (b[i] == b' ' || b[i] == b'T' || b[i] == b't') {
        i += 1;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        h = take_digits(b, &mut i, 1, 2)? as u32;
        expect(b, &mut i, b':')?;
        mi = take_digits(b, &mut i, 1, 2)? as u32;
        if i < b.len() && b[i] == b':' {
            i += 1;
            sec = take_digits(b, &mut i, 1, 2)? as u32;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let start = i;
            let mut nanos: i64 = 0;
            let mut digits = 0;
            while i < b.len() && b[i].is_ascii_digit() {
                if digits < 9 {
                    nanos = nanos * 10 + i64::from(b[i] - b'0');
                    digits += 1;
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            for _ in digits..9 {
                nanos *= 10;
            }
            frac_nanos = nanos;
        }
    }
    let time = NaiveTime::from_hms_opt(h, mi, sec)?;
    let naive = NaiveDateTime::new(date, time);
    // Zone.
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let offset_secs: Option<i32> = if i == b.len() {
        None
    } else if (b[i] == b'Z' || b[i] == b'z') && i + 1 == b.len() {
        Some(0)
    } else if b[i] == b'+' || b[i] == b'-' {
        let neg = b[i] == b'-';
        i += 1;
        let hh = take_digits(b, &mut i, 2, 2)? as i32;
        let mut mm = 0;
        if i < b.len() {
            if b[i] == b':' {
                i += 1;
            }
            mm = take_digits(b, &mut i, 2, 2)? as i32;
        }
        if i != b.len() || hh > 14 || mm > 59 {
            return None;
        }
        let v = hh * 3600 + mm * 60;
        Some(if neg { -v } else { v })
    } else {
        return None;
    };
    let utc_secs = match offset_secs {
        Some(off) => naive.and_utc().timestamp() - i64::from(off),
        None => {
            let local = tz.from_local_datetime(&naive);
            let dt = local.earliest().or_else(|| {
                // A gap (DST start): shift by the zone's offset before the gap.
                let off = tz.offset_from_utc_datetime(&naive).fix().local_minus_utc();
                chrono::DateTime::from_timestamp(naive.and_utc().timestamp() - i64::from(off), 0)
                    .map(|d| d.with_timezone(&tz))
            })?;
            dt.timestamp()
        }
    };
    let per = precision.per_second();
    utc_secs
        .checked_mul(per)?
        .checked_add(frac_nanos / (1_000_000_000 / per))
}

fn take_digits(b: &[u8], i: &mut usize, min: usize, max: usize) -> Option<i64> {
    let start = *i;
    let mut v: i64 = 0;
    while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
        v = v * 10 + i64::from(b[*i] - b'0');
        *i += 1;
    }
    if *i - start < min { None } else { Some(v) }
}

fn expect(b: &[u8], i: &mut usize, c: u8) -> Option<()> {
    if b.get(*i) == Some(&c) {
        *i += 1;
        Some(())
    } else {
        None
    }
}

/// `UTC (UTC, +0000)`-style text for `SELECT TIMEZONE()`.
pub fn timezone_text(tz: Tz) -> String {
    let now = chrono::Utc::now().with_timezone(&tz);
    format!("{} ({}, {})", tz.name(), now.format("%Z"), now.format("%z"))
}

/// ISO-8601 text of a timestamp in `tz` (`to_iso8601`).
pub fn iso8601(ticks: i64, precision: Precision, tz: Tz) -> String {
    let per = precision.per_second();
    let secs = ticks.div_euclid(per);
    let frac = ticks.rem_euclid(per);
    let Some(dt) = chrono::DateTime::from_timestamp(secs, 0) else {
        return ticks.to_string();
    };
    let local = dt.with_timezone(&tz);
    let digits = precision.fraction_digits();
    format!(
        "{}.{frac:0digits$}{}",
        local.format("%Y-%m-%dT%H:%M:%S"),
        local.format("%:z")
    )
}

/// The process' local time zone as an IANA zone, falling back to UTC.
pub fn local_timezone() -> Tz {
    if let Ok(name) = std::env::var("TZ")
        && let Ok(tz) = name.trim_start_matches(':').parse::<Tz>()
    {
        return tz;
    }
    if let Ok(link) = std::fs::read_link("/etc/localtime") {
        let s = link.to_string_lossy();
        if let Some(idx) = s.find("zoneinfo/")
            && let Ok(tz) = s[idx + 9..].parse::<Tz>()
        {
            return tz;
        }
    }
    if let Ok(name) = std::fs::read_to_string("/etc/timezone")
        && let Ok(tz) = name.trim().parse::<Tz>()
    {
        return tz;
    }
    Tz::UTC
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        let ms = Precision::Millisecond;
        let utc = Tz::UTC;
        assert_eq!(parse_timestamp("1970-01-01 00:00:01", utc, ms), Some(1000));
        assert_eq!(
            parse_timestamp("1970-01-01T00:00:01.5Z", utc, ms),
            Some(1500)
        );
        assert_eq!(
            parse_timestamp("1970-01-01 08:00:00+08:00", utc, ms),
            Some(0)
        );
        assert_eq!(
            parse_timestamp(
                "1970-01-01 08:00:00.123456789+0800",
                utc,
                Precision::Nanosecond
            ),
            Some(123_456_789)
        );
        assert_eq!(parse_timestamp("1970-01-02", utc, ms), Some(86_400_000));
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            parse_timestamp("2025-01-01 12:00:00", ny, ms),
            parse_timestamp("2025-01-01 17:00:00Z", utc, ms)
        );
        assert_eq!(parse_timestamp("2025-02-30 00:00:00", utc, ms), None);
        assert_eq!(parse_timestamp("hello", utc, ms), None);
        assert_eq!(parse_timestamp("2025-01-01 00:00:00 junk", utc, ms), None);
    }

    #[test]
    fn durations() {
        assert_eq!(
            duration_ticks(10, "s", Precision::Millisecond),
            Some(10_000)
        );
        assert_eq!(duration_ticks(10, "b", Precision::Millisecond), Some(0));
        assert_eq!(duration_ticks(10, "b", Precision::Nanosecond), Some(10));
        assert_eq!(duration_ticks(1, "y", Precision::Millisecond), None);
        assert_eq!(
            iso8601(0, Precision::Millisecond, Tz::UTC),
            "1970-01-01T00:00:00.000+00:00"
        );
        assert!(timezone_text(Tz::UTC).starts_with("UTC (UTC, +0000)"));
    }
}
