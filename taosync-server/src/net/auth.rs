//! REST authentication: the `Authorization` header schemes of taosAdapter (01 §1.3) and the
//! `Taosd` token (DES-ECB over a zero-padded user/password buffer).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use des::Des;
use des::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};

/// The fixed DES key taosAdapter uses for `Taosd` tokens.
const TAOSD_KEY: [u8; 8] = [0x40, 0xb6, 0x7a, 0x30, 0x56, 0x73, 0xfd, 0x44];

/// Width of the user field in the token plaintext.
const USER_FIELD: usize = 24;

/// Why an `Authorization` header was rejected, with the HTTP-layer code and text of
/// taosAdapter (all answered with HTTP 401).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// No header, or an empty one: 0x1105.
    Missing,
    /// A `Basic` value that does not decode to `user:password`: 0x1124.
    InvalidBasic,
    /// A `Taosd` token that does not decrypt: 0x1125.
    InvalidTaosd,
    /// Any other scheme (or `Bearer` next to `?token=`): 0x1122.
    InvalidType,
}

impl AuthError {
    /// The taosAdapter code.
    pub(crate) fn code(self) -> u16 {
        match self {
            AuthError::Missing => 0x1105,
            AuthError::InvalidBasic => 0x1124,
            AuthError::InvalidTaosd => 0x1125,
            AuthError::InvalidType => 0x1122,
        }
    }

    /// The taosAdapter text.
    pub(crate) fn message(self) -> &'static str {
        match self {
            AuthError::Missing => "no auth info input",
            AuthError::InvalidBasic => "invalid basic Authorization",
            AuthError::InvalidTaosd => "invalid taosd Authorization",
            AuthError::InvalidType => "invalid type of Authorization",
        }
    }
}

/// Credentials carried by a REST request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Credentials {
    /// The user name.
    pub(crate) user: String,
    /// The password.
    pub(crate) password: String,
}

/// Parses an `Authorization` header value (`None` when absent) the way taosAdapter's
/// `CheckAuth` does. Bearer tokens (TDengine 3.4 enterprise) are not supported by this
/// server: without `?token=` they are reported as an unsupported scheme too.
pub(crate) fn check_auth(header: Option<&[u8]>) -> Result<Credentials, AuthError> {
    let header = header.unwrap_or_default();
    let text = std::str::from_utf8(header).map_err(|_| AuthError::InvalidType)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AuthError::Missing);
    }
    let (scheme, value) = text.split_once(' ').unwrap_or((text, ""));
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("Basic") {
        decode_basic(value).ok_or(AuthError::InvalidBasic)
    } else if scheme.eq_ignore_ascii_case("Taosd") {
        decode_taosd(value).ok_or(AuthError::InvalidTaosd)
    } else {
        Err(AuthError::InvalidType)
    }
}

fn decode_basic(value: &str) -> Option<Credentials> {
    let raw = B64.decode(value).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, password) = text.split_once(':')?;
    if user.is_empty() || password.is_empty() {
        return None;
    }
    Some(Credentials {
        user: user.to_owned(),
        password: password.to_owned(),
    })
}

/// The `Taosd` token for `user`/`password` (01 §1.3), or `None` when the user is longer
/// than 24 bytes.
pub(crate) fn encode_taosd(user: &str, password: &str) -> Option<String> {
    if user.len() > USER_FIELD {
        return None;
    }
    let len = (USER_FIELD + password.len()).max(48).div_ceil(8) * 8;
    let mut plain = vec![0u8; len];
    plain[..user.len()].copy_from_slice(user.as_bytes());
    plain[USER_FIELD..USER_FIELD + password.len()].copy_from_slice(password.as_bytes());
    let cipher = Des::new(&TAOSD_KEY.into());
    for block in plain.chunks_exact_mut(8) {
        cipher.encrypt_block(block.into());
    }
    Some(B64.encode(plain))
}

fn decode_taosd(value: &str) -> Option<Credentials> {
    let mut raw = B64.decode(value).ok()?;
    if raw.len() < 48 || raw.len() % 8 != 0 {
        return None;
    }
    let cipher = Des::new(&TAOSD_KEY.into());
    for block in raw.chunks_exact_mut(8) {
        cipher.decrypt_block(block.into());
    }
    let cstr = |bytes: &[u8]| -> Option<String> {
        let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
        String::from_utf8(bytes[..end].to_vec()).ok()
    };
    let user = cstr(&raw[..USER_FIELD])?;
    let password = cstr(&raw[USER_FIELD..])?;
    if user.is_empty() {
        return None;
    }
    Some(Credentials { user, password })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT_TOKEN: &str = "/KfeAzX/f9na8qdtNZmtONryp201ma04bEl8LcvLUd7a8qdtNZmtONryp201ma04";

    #[test]
    fn taosd_token_matches_the_documented_vector() {
        assert_eq!(
            encode_taosd("root", "taosdata").as_deref(),
            Some(ROOT_TOKEN)
        );
        let creds = check_auth(Some(format!("Taosd {ROOT_TOKEN}").as_bytes())).unwrap();
        assert_eq!(creds.user, "root");
        assert_eq!(creds.password, "taosdata");
    }

    #[test]
    fn long_passwords_round_trip_and_long_users_are_refused() {
        let pw = "p".repeat(40);
        let token = encode_taosd("u", &pw).unwrap();
        let creds = decode_taosd(&token).unwrap();
        assert_eq!(
            (creds.user.as_str(), creds.password.as_str()),
            ("u", pw.as_str())
        );
        assert_eq!(encode_taosd(&"u".repeat(25), "x"), None);
    }

    #[test]
    fn basic_header() {
        let creds = check_auth(Some(b"Basic cm9vdDp0YW9zZGF0YQ==")).unwrap();
        assert_eq!(
            (creds.user.as_str(), creds.password.as_str()),
            ("root", "taosdata")
        );
        // "a:b:c" keeps everything after the first colon as the password.
        let v = format!("Basic {}", B64.encode("a:b:c"));
        assert_eq!(check_auth(Some(v.as_bytes())).unwrap().password, "b:c");
    }

    #[test]
    fn header_failures_map_to_adapter_codes() {
        assert_eq!(check_auth(None), Err(AuthError::Missing));
        assert_eq!(check_auth(Some(b"  ")), Err(AuthError::Missing));
        assert_eq!(check_auth(Some(b"Basic !!!")), Err(AuthError::InvalidBasic));
        let nocolon = format!("Basic {}", B64.encode("rootonly"));
        assert_eq!(
            check_auth(Some(nocolon.as_bytes())),
            Err(AuthError::InvalidBasic)
        );
        let nopw = format!("Basic {}", B64.encode("root:"));
        assert_eq!(
            check_auth(Some(nopw.as_bytes())),
            Err(AuthError::InvalidBasic)
        );
        assert_eq!(check_auth(Some(b"Taosd abc")), Err(AuthError::InvalidTaosd));
        assert_eq!(check_auth(Some(b"Bearer x")), Err(AuthError::InvalidType));
        assert_eq!(check_auth(Some(b"Digest x")), Err(AuthError::InvalidType));
        assert_eq!(AuthError::Missing.code(), 4357);
        assert_eq!(AuthError::InvalidType.code(), 4386);
    }
}
