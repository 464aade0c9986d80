//! INTERVAL window geometry: fixed-length and calendar (month / year) windows, FILL ranges.

use crate::engine::error::{EResult, EngineError};
use crate::engine::time::duration_ticks;
use taosync_proto::code::Code;
use taosync_proto::types::Precision;

/// INTERVAL geometry: fixed-length windows aligned to the epoch (plus offset), or natural
/// months / years (`n`, `y`) aligned to calendar months in the session zone.
#[derive(Clone, Copy, Debug)]
pub(super) enum Windows {
    Fixed {
        len: i64,
        sliding: i64,
        off: i64,
    },
    Months {
        len: i64,
        sliding: i64,
        tz: chrono_tz::Tz,
        precision: Precision,
    },
}

/// Most windows one query may produce through FILL.
const MAX_FILL_WINDOWS: usize = 1_000_000;

impl Windows {
    pub(super) fn new(
        iv: &crate::engine::ast::Interval,
        precision: Precision,
        tz: chrono_tz::Tz,
    ) -> EResult<Windows> {
        let natural = |d: &crate::engine::ast::Duration| matches!(d.unit.as_str(), "n" | "y");
        let bad = |d: &crate::engine::ast::Duration| {
            EngineError::syntax_near(&format!("{}{}", d.count, d.unit))
        };
        let sliding_d = iv.sliding.as_ref().unwrap_or(&iv.len);
        if natural(&iv.len) || natural(sliding_d) {
            let months = |d: &crate::engine::ast::Duration| -> EResult<i64> {
                let m = match d.unit.as_str() {
                    "n" => Some(d.count),
                    "y" => d.count.checked_mul(12),
                    _ => None,
                };
                m.filter(|m| (1..=120_000).contains(m))
                    .ok_or_else(|| bad(d))
            };
            let len = months(&iv.len)?;
            let sliding = months(sliding_d)?;
            if iv.offset.is_some() {
                return Err(EngineError::unsupported(
                    "INTERVAL offset with natural month/year units",
                ));
            }
            if sliding > len {
                return Err(EngineError::new(
                    Code::new(0x2625),
                    "sliding value no larger than the interval value",
                ));
            }
            return Ok(Windows::Months {
                len,
                sliding,
                tz,
                precision,
            });
        }
        let t = |d: &crate::engine::ast::Duration| -> EResult<i64> {
            duration_ticks(d.count, &d.unit, precision)
                .filter(|v| *v > 0)
                .ok_or_else(|| bad(d))
        };
        let len = t(&iv.len)?;
        let min = duration_ticks(10, "a", precision).unwrap_or(1);
        if len < min {
            return Err(EngineError::new(
                Code::PAR_INTER_VALUE_TOO_SMALL,
                "Interval cannot be less than 10 a",
            ));
        }
        let sliding = t(sliding_d)?;
        if len / sliding > 10_000 {
            return Err(EngineError::new(
                Code::PAR_INTER_VALUE_TOO_SMALL,
                "sliding value too small for the interval",
            ));
        }
        if sliding > len {
            return Err(EngineError::new(
                Code::new(0x2625),
                "sliding value no larger than the interval value",
            ));
        }
        let off = match &iv.offset {
            Some(d) => t(d)?,
            None => 0,
        };
        Ok(Windows::Fixed { len, sliding, off })
    }

    /// The starts of every window containing `ts`, latest first.
    pub(super) fn starts(&self, ts: i64, out: &mut Vec<i64>) {
        match *self {
            Windows::Fixed { len, sliding, off } => {
                let (ts, len, sliding, off) = (
                    i128::from(ts),
                    i128::from(len),
                    i128::from(sliding),
                    i128::from(off),
                );
                let mut ws = (ts - off).div_euclid(sliding) * sliding + off;
                while ws + len > ts {
                    if let Ok(w) = i64::try_from(ws) {
                        out.push(w);
                    }
                    ws -= sliding;
                }
            }
            Windows::Months {
                len,
                sliding,
                tz,
                precision,
            } => {
                let Some(m) = month_index(ts, tz, precision) else {
                    return;
                };
                let mut mi = m.div_euclid(sliding) * sliding;
                while mi + len > m {
                    if let Some(w) = month_start(mi, tz, precision) {
                        out.push(w);
                    }
                    mi -= sliding;
                }
            }
        }
    }

    /// The (exclusive) end of the window starting at `ws`.
    pub(super) fn end(&self, ws: i64) -> i64 {
        match *self {
            Windows::Fixed { len, .. } => ws.saturating_add(len),
            Windows::Months {
                len, tz, precision, ..
            } => month_index(ws, tz, precision)
                .and_then(|m| month_start(m + len, tz, precision))
                .unwrap_or(i64::MAX),
        }
    }

    /// Every window start from the one containing `lo` up to `hi` (for FILL).
    pub(super) fn fill_starts(&self, lo: i64, hi: i64) -> EResult<Vec<i64>> {
        let too_many = || EngineError::code(Code::PAR_INVALID_FILL_TIME_RANGE);
        let mut out = Vec::new();
        match *self {
            Windows::Fixed { sliding, off, .. } => {
                let (lo, hi, sliding, off) = (
                    i128::from(lo),
                    i128::from(hi),
                    i128::from(sliding),
                    i128::from(off),
                );
                let first = (lo - off).div_euclid(sliding) * sliding + off;
                if (hi - first) / sliding > MAX_FILL_WINDOWS as i128 {
                    return Err(too_many());
                }
                let mut ws = first;
                while ws <= hi {
                    if let Ok(w) = i64::try_from(ws) {
                        out.push(w);
                    }
                    ws += sliding;
                }
            }
            Windows::Months {
                sliding,
                tz,
                precision,
                ..
            } => {
                let (Some(a), Some(b)) = (
                    month_index(lo, tz, precision),
                    month_index(hi, tz, precision),
                ) else {
                    return Err(too_many());
                };
                if (b - a) / sliding > MAX_FILL_WINDOWS as i64 {
                    return Err(too_many());
                }
                let mut mi = a.div_euclid(sliding) * sliding;
                while mi <= b {
                    if let Some(w) = month_start(mi, tz, precision) {
                        out.push(w);
                    }
                    mi += sliding;
                }
            }
        }
        Ok(out)
    }
}

/// Months since 0000-01 of the calendar month holding `ts` in `tz`.
fn month_index(ts: i64, tz: chrono_tz::Tz, precision: Precision) -> Option<i64> {
    use chrono::Datelike;
    let per = precision.per_second();
    let dt = chrono::DateTime::from_timestamp(ts.div_euclid(per), 0)?.with_timezone(&tz);
    Some(i64::from(dt.year()) * 12 + i64::from(dt.month0()))
}

/// The first instant of month `mi` (see [`month_index`]) in `tz`, in ticks.
fn month_start(mi: i64, tz: chrono_tz::Tz, precision: Precision) -> Option<i64> {
    use chrono::TimeZone;
    let year = i32::try_from(mi.div_euclid(12)).ok()?;
    let month = u32::try_from(mi.rem_euclid(12)).ok()? + 1;
    let date = chrono::NaiveDate::from_ymd_opt(year, month, 1)?;
    let local = tz
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .earliest()?;
    crate::engine::time::datetime_ticks(&local, precision)
}
