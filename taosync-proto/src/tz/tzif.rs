//! TZif files (RFC 8536), versions 1 to 4: the binary zone files of the system's time zone
//! database (`/usr/share/zoneinfo/…`). For v2+ files the 64-bit data block and the POSIX
//! `TZ` footer are used; leap-second records are skipped (chrono has no leap seconds).
//!
//! The input is treated as hostile: every count is checked against the bytes present
//! before anything is allocated, every index against its table, and a malformed file is an
//! error, never a panic.

use super::posix::Posix;
use super::{Abbr, MAX_TZIF_LEN, Span, invalid};
use crate::error::Result;

/// The rules of one zone as a TZif file gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tzif {
    /// Transition instants (UTC seconds), strictly ascending.
    times: Vec<i64>,
    /// The local time type in effect from each transition on (an index into `types`).
    indices: Vec<u8>,
    /// Local time types; type 0 applies before the first transition.
    types: Vec<Span>,
    /// The rule after the last transition (or for all instants without transitions).
    footer: Option<Posix>,
}

struct Header {
    version: u8,
    isutcnt: usize,
    isstdcnt: usize,
    leapcnt: usize,
    timecnt: usize,
    typecnt: usize,
    charcnt: usize,
}

impl Header {
    /// The length of the data block that follows this header.
    fn block_len(&self, time_size: usize) -> Option<usize> {
        let times = self.timecnt.checked_mul(time_size + 1)?;
        let types = self.typecnt.checked_mul(6)?;
        let leaps = self.leapcnt.checked_mul(time_size + 4)?;
        times
            .checked_add(types)?
            .checked_add(self.charcnt)?
            .checked_add(leaps)?
            .checked_add(self.isstdcnt)?
            .checked_add(self.isutcnt)
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.buf.len())
            .ok_or_else(|| invalid("TZif data is truncated"))?;
        let bytes = &self.buf[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn count(&mut self) -> Result<usize> {
        usize::try_from(u32::from_be_bytes(self.array()?))
            .map_err(|_| invalid("TZif count does not fit in memory"))
    }

    fn time(&mut self, size: usize) -> Result<i64> {
        Ok(if size == 4 {
            i64::from(i32::from_be_bytes(self.array()?))
        } else {
            i64::from_be_bytes(self.array()?)
        })
    }

    fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    fn header(&mut self) -> Result<Header> {
        if self.take(4)? != b"TZif" {
            return Err(invalid("not a TZif file (no TZif magic)"));
        }
        let version = self.array::<1>()?[0];
        if !matches!(version, 0 | b'2' | b'3' | b'4') {
            return Err(invalid(format!(
                "unsupported TZif version byte {version:#04x}"
            )));
        }
        self.take(15)?;
        Ok(Header {
            version,
            isutcnt: self.count()?,
            isstdcnt: self.count()?,
            leapcnt: self.count()?,
            timecnt: self.count()?,
            typecnt: self.count()?,
            charcnt: self.count()?,
        })
    }
}

impl Tzif {
    /// Parses a whole TZif file.
    pub(crate) fn parse(data: &[u8]) -> Result<Tzif> {
        if data.len() as u64 > MAX_TZIF_LEN {
            return Err(invalid("TZif data is larger than 1 MiB"));
        }
        let mut r = Reader { buf: data, pos: 0 };
        let v1 = r.header()?;
        if v1.version == 0 {
            return block(&mut r, &v1, 4, None);
        }
        let skip = v1
            .block_len(4)
            .ok_or_else(|| invalid("TZif counts overflow"))?;
        r.take(skip)?;
        let v2 = r.header()?;
        let len = v2
            .block_len(8)
            .ok_or_else(|| invalid("TZif counts overflow"))?;
        // The footer comes after the block: `\n` TZ string `\n`.
        let footer = r
            .rest()
            .get(len..)
            .ok_or_else(|| invalid("TZif data is truncated"))?;
        let footer = match footer {
            [b'\n', rest @ ..] => {
                let end = rest
                    .iter()
                    .position(|b| *b == b'\n')
                    .ok_or_else(|| invalid("TZif footer is not terminated"))?;
                let text = std::str::from_utf8(&rest[..end])
                    .map_err(|_| invalid("TZif footer is not UTF-8"))?;
                if text.is_empty() {
                    None
                } else {
                    Some(Posix::parse(text)?)
                }
            }
            [] => return Err(invalid("TZif footer is missing")),
            _ => return Err(invalid("TZif footer does not start with a newline")),
        };
        block(&mut r, &v2, 8, footer)
    }

    /// The local time type at UTC instant `t`.
    pub(crate) fn span_at(&self, t: i64) -> Span {
        let first = self.types.first().copied().unwrap_or(Span::UTC);
        let Some(&last) = self.times.last() else {
            return self.footer.as_ref().map_or(first, |f| f.span_at(t));
        };
        if t > last
            && let Some(footer) = &self.footer
        {
            return footer.span_at(t);
        }
        match self.times.partition_point(|x| *x <= t) {
            0 => first,
            n => self
                .indices
                .get(n - 1)
                .and_then(|i| self.types.get(usize::from(*i)))
                .copied()
                .unwrap_or(first),
        }
    }

    /// Every UTC offset in effect at some instant of `[lo, hi]`.
    pub(crate) fn offsets_in(&self, lo: i64, hi: i64) -> Vec<i32> {
        let mut at = vec![lo];
        let a = self.times.partition_point(|x| *x <= lo);
        let b = self.times.partition_point(|x| *x <= hi);
        at.extend_from_slice(&self.times[a..b.max(a)]);
        if let Some(footer) = &self.footer
            && self.times.last().is_none_or(|last| hi > *last)
        {
            footer.transitions_in(lo, hi, &mut at);
        }
        let mut offsets: Vec<i32> = at.into_iter().map(|t| self.span_at(t).utoff).collect();
        offsets.sort_unstable();
        offsets.dedup();
        offsets
    }
}

/// Reads one data block (32-bit times for v1, 64-bit for v2+) and validates it.
fn block(r: &mut Reader<'_>, h: &Header, time_size: usize, footer: Option<Posix>) -> Result<Tzif> {
    if h.typecnt == 0 || h.typecnt > 256 {
        return Err(invalid(format!(
            "TZif has {} local time types (1 to 256 allowed)",
            h.typecnt
        )));
    }
    if h.charcnt == 0 {
        return Err(invalid("TZif has no abbreviation characters"));
    }
    if (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) || (h.isutcnt != 0 && h.isutcnt != h.typecnt) {
        return Err(invalid("TZif indicator counts do not match its type count"));
    }
    let len = h
        .block_len(time_size)
        .ok_or_else(|| invalid("TZif counts overflow"))?;
    if r.rest().len() < len {
        return Err(invalid("TZif data is truncated"));
    }
    let mut times = Vec::with_capacity(h.timecnt);
    for _ in 0..h.timecnt {
        let t = r.time(time_size)?;
        if times.last().is_some_and(|prev| *prev >= t) {
            return Err(invalid("TZif transition times are not ascending"));
        }
        times.push(t);
    }
    let indices = r.take(h.timecnt)?.to_vec();
    if indices.iter().any(|i| usize::from(*i) >= h.typecnt) {
        return Err(invalid(
            "TZif transition refers to a missing local time type",
        ));
    }
    let mut raw = Vec::with_capacity(h.typecnt);
    for _ in 0..h.typecnt {
        let utoff = i32::from_be_bytes(r.array()?);
        let [isdst, abbrind] = r.array()?;
        if utoff.checked_abs().is_none_or(|o| o >= 86_400) {
            return Err(invalid(format!("TZif UTC offset {utoff} is out of range")));
        }
        if isdst > 1 {
            return Err(invalid("TZif isdst flag is not 0 or 1"));
        }
        if usize::from(abbrind) >= h.charcnt {
            return Err(invalid("TZif abbreviation index is out of range"));
        }
        raw.push((utoff, isdst == 1, usize::from(abbrind)));
    }
    let chars = r.take(h.charcnt)?;
    let types = raw
        .into_iter()
        .map(|(utoff, dst, i)| {
            let tail = &chars[i..];
            let end = tail.iter().position(|b| *b == 0).unwrap_or(tail.len());
            Span {
                utoff,
                dst,
                abbr: Abbr::new(&tail[..end]),
            }
        })
        .collect();
    r.take(h.leapcnt * (time_size + 4) + h.isstdcnt + h.isutcnt)?;
    Ok(Tzif {
        times,
        indices,
        types,
        footer,
    })
}
