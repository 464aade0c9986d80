//! Bounds-checked little-endian cursors shared by the binary codecs of `proto`.
//!
//! Every integer in taosAdapter's binary frames and payloads is little-endian (01 §0,
//! 02 §0.3). [`Reader`] never reads past its slice and never allocates: every accessor
//! returns a [`Result`] whose error names what was being read and where. [`Writer`] appends
//! to a `Vec<u8>` and can patch a length written earlier.

use crate::error::{Error, Result};

/// A forward cursor over borrowed bytes. `what` names the structure being read (for
/// example `"stmt2 bind payload"`) and prefixes every error message.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

macro_rules! read_le {
    ($($name:ident -> $t:ty;)*) => {$(
        #[doc = concat!("Reads one little-endian `", stringify!($t), "`.")]
        pub(crate) fn $name(&mut self, field: &str) -> Result<$t> {
            let bytes = self.array::<{ std::mem::size_of::<$t>() }>(field)?;
            Ok(<$t>::from_le_bytes(bytes))
        }
    )*};
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, positioned at its start.
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Reader { buf, pos: 0, what }
    }

    /// The current offset from the start of the slice.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The number of bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The bytes not read yet, without consuming them.
    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// An error about this structure at the current offset.
    pub(crate) fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::result(format!("{}: {message}", self.what))
    }

    /// Consumes `n` bytes and returns them.
    pub(crate) fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.error(format_args!(
                "truncated at {field}: need {n} bytes at offset {}, only {} left",
                self.pos,
                self.remaining()
            )));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Consumes `n` bytes given as a `u32` count (a length field read from the input).
    pub(crate) fn take_u32(&mut self, n: u32, field: &str) -> Result<&'a [u8]> {
        let n = usize::try_from(n).map_err(|_| self.error(format_args!("{field} too large")))?;
        self.take(n, field)
    }

    fn array<const N: usize>(&mut self, field: &str) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    read_le! {
        u8 -> u8;
        u16 -> u16;
        u32 -> u32;
        i32 -> i32;
        u64 -> u64;
    }
}

/// An append-only little-endian byte builder.
#[derive(Clone, Debug, Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
}

macro_rules! write_le {
    ($($name:ident: $t:ty;)*) => {$(
        #[doc = concat!("Appends one little-endian `", stringify!($t), "`.")]
        pub(crate) fn $name(&mut self, v: $t) -> &mut Self {
            self.buf.extend_from_slice(&v.to_le_bytes());
            self
        }
    )*};
}

impl Writer {
    /// An empty writer with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(capacity),
        }
    }

    /// Makes room for `additional` more bytes.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.buf.reserve(additional);
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Appends raw bytes.
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }

    write_le! {
        u8: u8;
        u16: u16;
        u32: u32;
        i32: i32;
        u64: u64;
        i64: i64;
    }

    /// Overwrites the `u32` at `at` (written earlier as a placeholder). Out-of-range
    /// offsets are ignored: callers only patch offsets they wrote themselves.
    pub(crate) fn patch_u32(&mut self, at: usize, v: u32) {
        if let Some(slot) = self.buf.get_mut(at..at + 4) {
            slot.copy_from_slice(&v.to_le_bytes());
        }
    }

    /// The bytes written.
    pub(crate) fn into_inner(self) -> Vec<u8> {
        self.buf
    }
}

/// A `usize` length as the `u32` a wire format stores, or an error naming `field`.
pub(crate) fn len_u32(n: usize, field: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::interface(format!("{field} too large: {n} bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let mut w = Writer::with_capacity(32);
        w.u8(1)
            .u16(0x0203)
            .u32(0x0405_0607)
            .i32(-1)
            .u64(u64::MAX)
            .i64(-2);
        w.bytes(b"xy");
        w.patch_u32(3, 9);
        let bytes = w.into_inner();
        assert_eq!(bytes.len(), 1 + 2 + 4 + 4 + 8 + 8 + 2);
        let mut r = Reader::new(&bytes, "test");
        assert_eq!(r.u8("a").unwrap(), 1);
        assert_eq!(r.u16("b").unwrap(), 0x0203);
        assert_eq!(r.u32("c").unwrap(), 9);
        assert_eq!(r.i32("d").unwrap(), -1);
        assert_eq!(r.u64("e").unwrap(), u64::MAX);
        assert_eq!(r.u64("f").unwrap() as i64, -2);
        assert_eq!(r.rest(), b"xy");
        let err = r.u32("g").unwrap_err();
        assert_eq!(
            err.message(),
            "test: truncated at g: need 4 bytes at offset 27, only 2 left"
        );
        assert_eq!(r.position(), 27, "a failed read consumes nothing");
        assert_eq!(r.take(2, "h").unwrap(), b"xy");
        assert_eq!(r.remaining(), 0);
    }
}
