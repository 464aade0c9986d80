//! Percent coding of DSN and URL parts, through the `percent-encoding` crate.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::dsn::dsn_error;
use crate::error::Result;

/// What [`percent_encode`] escapes: everything but ASCII alphanumerics and the RFC 3986
/// unreserved marks `-._~` (so the result is safe in any URL component).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes everything but ASCII alphanumerics and `-._~`, as upper-case `%XX`
/// escapes of the UTF-8 bytes.
pub(crate) fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Decodes `%XX` escapes; `what` names the DSN part for the error message. A `%` not
/// followed by two hex digits, or bytes that are not UTF-8 once decoded, are DSN errors
/// (the crate's decoder would pass a bad escape through unchanged).
pub(super) fn percent_decode(s: &str, what: &str) -> Result<String> {
    if let Some(i) = invalid_escape(s) {
        return Err(dsn_error(format!(
            "{what} contains an invalid percent escape at byte {i}"
        )));
    }
    percent_decode_str(s)
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| dsn_error(format!("{what} is not valid UTF-8 after percent-decoding")))
}

/// The byte offset of the first `%` that does not start a `%XX` escape.
fn invalid_escape(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let hex = |i: usize| b.get(i).is_some_and(u8::is_ascii_hexdigit);
    (0..b.len()).find(|&i| b[i] == b'%' && !(hex(i + 1) && hex(i + 2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_all_but_unreserved_in_upper_case() {
        assert_eq!(percent_encode("aZ09-._~"), "aZ09-._~");
        assert_eq!(
            percent_encode("a b/c?d&e=f%g@h:i+j#k"),
            "a%20b%2Fc%3Fd%26e%3Df%25g%40h%3Ai%2Bj%23k"
        );
        assert_eq!(percent_encode("é\u{1F600}"), "%C3%A9%F0%9F%98%80");
        assert_eq!(percent_encode("\0\x7f"), "%00%7F");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn decodes_escapes_of_either_case() {
        assert_eq!(percent_decode("p%40ss%2f%3A", "x").unwrap(), "p@ss/:");
        assert_eq!(percent_decode("a+b", "x").unwrap(), "a+b");
        assert_eq!(percent_decode("%C3%A9", "x").unwrap(), "é");
        assert_eq!(percent_decode("plain", "x").unwrap(), "plain");
    }

    #[test]
    fn bad_escapes_and_bad_utf8_are_dsn_errors() {
        for (s, at) in [
            ("%zz", 0),
            ("ab%", 2),
            ("ab%4", 2),
            ("%41%g1", 3),
            ("%+1", 0),
        ] {
            let e = percent_decode(s, "password").unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Interface, "{s}");
            assert_eq!(e.code(), Some(crate::Code::CLIENT_DSN_ERROR), "{s}");
            assert_eq!(
                e.message(),
                format!("password contains an invalid percent escape at byte {at}"),
                "{s}"
            );
        }
        for s in ["%ff", "%C3", "%C3%28"] {
            let e = percent_decode(s, "database").unwrap_err();
            assert_eq!(e.code(), Some(crate::Code::CLIENT_DSN_ERROR), "{s}");
            assert_eq!(
                e.message(),
                "database is not valid UTF-8 after percent-decoding",
                "{s}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn decode_inverts_encode(s in "\\PC*") {
            proptest::prop_assert_eq!(percent_decode(&percent_encode(&s), "x").unwrap(), s);
        }
    }
}
