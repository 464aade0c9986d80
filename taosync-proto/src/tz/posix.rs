//! POSIX `TZ` strings (POSIX.1-2017 §8.3, with the RFC 8536 §3.3.1 extensions): the footer
//! of a TZif v2+ file, which gives the zone's rule for instants after its last transition.
//!
//! `std offset [dst [offset] [,start[/time],end[/time]]]`, where a name is three or more
//! letters or `<…>` quoted, an offset is `[+-]hh[:mm[:ss]]` *west* of UTC, and a date is
//! `Jn` (1–365, February 29 never counted), `n` (0–365, counting it) or `Mm.w.d` (day `d`
//! of week `w` of month `m`, week 5 = the last).

use super::{Abbr, Span, invalid};
use crate::error::Result;

/// One rule date of a DST rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleDate {
    /// `Jn`: day 1–365, February 29 never counted.
    Julian1(u16),
    /// `n`: day 0–365 of the year, February 29 counted.
    Julian0(u16),
    /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (1–5, 5 = last) of month `m`.
    MonthWeekDay(u8, u8, u8),
}

/// A parsed `TZ` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Posix {
    /// No daylight saving time: one offset forever.
    Fixed(Span),
    /// Standard and daylight time, switching at `start` (local standard time) and `end`
    /// (local daylight time) every year; times in seconds after local midnight.
    Dst {
        std: Span,
        dst: Span,
        start: (RuleDate, i32),
        end: (RuleDate, i32),
    },
}

/// Hours an offset (`std`/`dst`) may have, and hours a transition time may have (RFC 8536
/// allows −167…167 there).
const MAX_OFFSET_HOURS: i64 = 24;
const MAX_TIME_HOURS: i64 = 167;

impl Posix {
    /// Parses a `TZ` string such as `CET-1CEST,M3.5.0,M10.5.0/3` or `<+08>-8`.
    pub(crate) fn parse(text: &str) -> Result<Posix> {
        let bad = |why: &str| invalid(format!("POSIX TZ string {text:?}: {why}"));
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let std_name = p.name().ok_or_else(|| bad("bad standard-time name"))?;
        let std_west = p
            .offset(MAX_OFFSET_HOURS)
            .ok_or_else(|| bad("bad standard-time offset"))?;
        let std = span(-std_west, false, std_name).ok_or_else(|| bad("offset out of range"))?;
        if p.done() {
            return Ok(Posix::Fixed(std));
        }
        let dst_name = p.name().ok_or_else(|| bad("bad daylight-time name"))?;
        let dst_west = if p.peek().is_some_and(|c| c != b',') {
            p.offset(MAX_OFFSET_HOURS)
                .ok_or_else(|| bad("bad daylight-time offset"))?
        } else {
            std_west - 3600
        };
        let dst = span(-dst_west, true, dst_name).ok_or_else(|| bad("offset out of range"))?;
        let (start, end) = if p.done() {
            // POSIX leaves the rule to the implementation; this is the US rule, as glibc.
            (
                (RuleDate::MonthWeekDay(3, 2, 0), 7200),
                (RuleDate::MonthWeekDay(11, 1, 0), 7200),
            )
        } else {
            let start = p.rule().ok_or_else(|| bad("bad start rule"))?;
            let end = p.rule().ok_or_else(|| bad("bad end rule"))?;
            if !p.done() {
                return Err(bad("trailing characters"));
            }
            (start, end)
        };
        Ok(Posix::Dst {
            std,
            dst,
            start,
            end,
        })
    }

    /// The local time type at UTC instant `t` (seconds).
    pub(crate) fn span_at(&self, t: i64) -> Span {
        match self {
            Posix::Fixed(span) => *span,
            Posix::Dst {
                std,
                dst,
                start,
                end,
            } => {
                let year = year_of(t.saturating_add(i64::from(std.utoff)));
                let s = transition(year, *start, std.utoff);
                let e = transition(year, *end, dst.utoff);
                let in_dst = if s < e {
                    s <= t && t < e
                } else {
                    !(e <= t && t < s)
                };
                if in_dst { *dst } else { *std }
            }
        }
    }

    /// Pushes the transition instants in `(lo, hi]` onto `out`.
    pub(crate) fn transitions_in(&self, lo: i64, hi: i64, out: &mut Vec<i64>) {
        let Posix::Dst {
            std,
            dst,
            start,
            end,
        } = self
        else {
            return;
        };
        for year in year_of(lo).saturating_sub(1)..=year_of(hi).saturating_add(1) {
            for t in [
                transition(year, *start, std.utoff),
                transition(year, *end, dst.utoff),
            ] {
                if lo < t && t <= hi {
                    out.push(t);
                }
            }
        }
    }
}

fn span(utoff: i64, dst: bool, name: &[u8]) -> Option<Span> {
    let utoff = i32::try_from(utoff).ok().filter(|o| o.abs() < 86_400)?;
    Some(Span {
        utoff,
        dst,
        abbr: Abbr::new(name),
    })
}

/// The UTC instant of a rule's transition in `year`, its time being local in `utoff`.
fn transition(year: i64, (date, time): (RuleDate, i32), utoff: i32) -> i64 {
    let jan1 = days_from_civil(year, 1, 1);
    let day = match date {
        RuleDate::Julian1(n) => {
            let n = i64::from(n);
            jan1 + n - 1 + i64::from(is_leap(year) && n >= 60)
        }
        RuleDate::Julian0(n) => jan1 + i64::from(n),
        RuleDate::MonthWeekDay(m, w, d) => {
            let m = u32::from(m);
            let first = days_from_civil(year, m, 1);
            // 1970-01-01 was a Thursday (4); weekdays count from Sunday = 0.
            let first_wd = (first + 4).rem_euclid(7);
            let mut day = first + (i64::from(d) - first_wd).rem_euclid(7) + 7 * (i64::from(w) - 1);
            if w == 5 {
                let next = if m == 12 {
                    days_from_civil(year + 1, 1, 1)
                } else {
                    days_from_civil(year, m + 1, 1)
                };
                while day >= next {
                    day -= 7;
                }
            }
            day
        }
    };
    day.saturating_mul(86_400)
        .saturating_add(i64::from(time))
        .saturating_sub(i64::from(utoff))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian year of an instant (seconds since the epoch, local or UTC).
fn year_of(secs: i64) -> i64 {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    yoe + era * 400 + i64::from(mp >= 10)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.i;
        while self.peek().is_some_and(&f) {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    /// `abc…` (3+ letters) or `<…>` (letters, digits, `+`, `-`).
    fn name(&mut self) -> Option<&'a [u8]> {
        if self.eat(b'<') {
            let name = self.take_while(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'-');
            (self.eat(b'>') && !name.is_empty()).then_some(name)
        } else {
            let name = self.take_while(|c| c.is_ascii_alphabetic());
            (name.len() >= 3).then_some(name)
        }
    }

    fn number(&mut self, max_digits: usize) -> Option<i64> {
        let digits = self.take_while(|c| c.is_ascii_digit());
        if digits.is_empty() || digits.len() > max_digits {
            return None;
        }
        Some(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }

    /// `[+-]h[h[h]][:mm[:ss]]` in seconds, hours at most `max_hours`.
    fn offset(&mut self, max_hours: i64) -> Option<i64> {
        let sign = if self.eat(b'-') {
            -1
        } else {
            self.eat(b'+');
            1
        };
        let h = self.number(3).filter(|h| *h <= max_hours)?;
        let mut secs = h * 3600;
        if self.eat(b':') {
            secs += self.number(2).filter(|m| *m < 60)? * 60;
            if self.eat(b':') {
                secs += self.number(2).filter(|s| *s < 60)?;
            }
        }
        Some(sign * secs)
    }

    /// `,date[/time]`.
    fn rule(&mut self) -> Option<(RuleDate, i32)> {
        if !self.eat(b',') {
            return None;
        }
        let date = if self.eat(b'J') {
            RuleDate::Julian1(
                u16::try_from(self.number(3).filter(|n| (1..=365).contains(n))?).ok()?,
            )
        } else if self.eat(b'M') {
            let m = self.number(2).filter(|m| (1..=12).contains(m))?;
            let w = self.eat(b'.').then(|| self.number(1))??;
            let d = self.eat(b'.').then(|| self.number(1))??;
            if !(1..=5).contains(&w) || d > 6 {
                return None;
            }
            RuleDate::MonthWeekDay(m as u8, w as u8, d as u8)
        } else {
            RuleDate::Julian0(u16::try_from(self.number(3).filter(|n| *n <= 365)?).ok()?)
        };
        let time = if self.eat(b'/') {
            self.offset(MAX_TIME_HOURS)?
        } else {
            7200
        };
        Some((date, i32::try_from(time).ok()?))
    }
}
