//! What `Debug` prints in place of a credential.

/// The text shown instead of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// `None` stays `None`; a present secret prints as [`REDACTED`].
pub(crate) fn option(secret: &Option<String>) -> Option<&'static str> {
    secret.as_ref().map(|_| REDACTED)
}

/// Whether a configuration key carries a credential: `td.connect.pass`, `td.connect.token`,
/// and any key naming a password, a token or a secret.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "token", "secret", "totp"]
        .iter()
        .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_keys_are_recognised() {
        for key in [
            "td.connect.pass",
            "td.connect.token",
            "password",
            "TOTP_code",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["group.id", "td.connect.user", "client.id"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
