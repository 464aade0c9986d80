//! [`ConsumerBuilder`]: consumer keys, DSN and transport settings.

use std::fmt;
use std::time::Duration;

use crate::error::{ErrorKind, Result};
use crate::options::{
    ConnectOptions, Protocol, TlsOptions, apply_params, parse_timeout, percent_encode,
};

use super::{Consumer, ConsumerConfig};

/// The configuration keys a [`ConsumerBuilder`] hands to the transport (timeouts and
/// retries) rather than to [`ConsumerConfig`], which does not know them.
///
/// ```
/// assert!(taosync::tmq::TRANSPORT_KEYS.contains(&"read_timeout"));
/// assert!(!taosync::tmq::TRANSPORT_KEYS.contains(&"group.id"));
/// ```
pub const TRANSPORT_KEYS: [&str; 5] = [
    "conn_timeout",
    "read_timeout",
    "conn_retries",
    "retry_backoff_ms",
    "retry_backoff_max_ms",
];

/// Builds a [`Consumer`] from consumer keys, a DSN, timeouts and TLS settings.
///
/// ```
/// use std::time::Duration;
/// use taosync::tmq::Consumer;
/// # let server = taosync_server::Server::start(Default::default())?;
/// # let dsn = server.dsn_ws(); // ws://root:taosdata@127.0.0.1:<port>; wss:// works the same
/// let consumer = Consumer::builder()
///     .dsn(dsn.as_str())
///     .config("group.id", "g1")
///     .config("client.id", "worker-1")
///     .conn_timeout(Duration::from_secs(5))
///     .read_timeout(Duration::from_secs(30))
///     // For a `wss://` DSN with a private CA:
///     // .tls(taosync::TlsOptions::new().add_root_certificate_pem(ca_pem))
///     .build()?;
/// assert_eq!(consumer.config().client_id.as_deref(), Some("worker-1"));
/// # Ok::<(), taosync::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ConsumerBuilder {
    dsn: Option<String>,
    entries: Vec<(String, String)>,
    conn_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    tls: Option<TlsOptions>,
}

impl fmt::Debug for ConsumerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keys only: values may hold passwords or tokens.
        f.debug_struct("ConsumerBuilder")
            .field("dsn", &self.dsn.as_ref().map(|_| "…"))
            .field(
                "keys",
                &self.entries.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("conn_timeout", &self.conn_timeout)
            .field("read_timeout", &self.read_timeout)
            .finish_non_exhaustive()
    }
}

impl ConsumerBuilder {
    /// An empty builder (`group.id` must still be given).
    pub fn new() -> ConsumerBuilder {
        ConsumerBuilder::default()
    }

    /// Reads host, credentials, database and keys from a DSN; [`config`](Self::config)
    /// entries override it.
    pub fn dsn(mut self, dsn: impl Into<String>) -> Self {
        self.dsn = Some(dsn.into());
        self
    }

    /// Sets one consumer key (see [`ConsumerConfig`]) or transport key (`conn_timeout`,
    /// `read_timeout`). Checked by [`build`](Self::build).
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.entries.push((key.into(), value.into()));
        self
    }

    /// Sets several keys, as [`config`](Self::config).
    pub fn configs<K: Into<String>, V: Into<String>>(
        mut self,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.entries
            .extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// TCP connect and handshake timeout (default 10 s).
    pub fn conn_timeout(mut self, timeout: Duration) -> Self {
        self.conn_timeout = Some(timeout);
        self
    }

    /// How long any reply may take, on top of a poll's own waiting time (default 300 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// TLS settings for `wss` (trusted roots, verification switches).
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Validates the configuration, connects and asks the server's version.
    pub fn build(self) -> Result<Consumer> {
        let mut conn_timeout = None;
        let mut read_timeout = None;
        // The reconnect settings, applied as a DSN would apply them.
        let mut retry_params: Vec<String> = Vec::new();
        let mut take = |key: &str, value: &str| -> Result<bool> {
            let slot = match key.trim() {
                "conn_timeout" => &mut conn_timeout,
                "read_timeout" => &mut read_timeout,
                k @ ("conn_retries" | "retry_backoff_ms" | "retry_backoff_max_ms") => {
                    retry_params.push(format!("{k}={}", percent_encode(value)));
                    return Ok(true);
                }
                _ => return Ok(false),
            };
            *slot = Some(parse_timeout(key, value).map_err(|e| e.with_kind(ErrorKind::Tmq))?);
            Ok(true)
        };
        let dsn = match &self.dsn {
            Some(dsn) => Some(strip_transport_params(dsn, &mut take)?),
            None => None,
        };
        let mut entries = Vec::with_capacity(self.entries.len());
        for (k, v) in &self.entries {
            if !take(k, v)? {
                entries.push((k.as_str(), v.as_str()));
            }
        }
        let config = match &dsn {
            Some(dsn) => ConsumerConfig::from_dsn_and_map(dsn, entries)?,
            None => ConsumerConfig::from_map(entries)?,
        };
        let host = config.host.trim_start_matches('[').trim_end_matches(']');
        let mut opts = ConnectOptions::new()
            .protocol(if config.tls {
                Protocol::Wss
            } else {
                Protocol::Ws
            })
            .host(host)
            .port(config.port)
            .user(config.user.clone())
            .password(config.password.clone());
        if let Some(token) = &config.token {
            opts = opts.token(token.clone());
        }
        if let Some(t) = self.conn_timeout.or(conn_timeout) {
            opts = opts.conn_timeout(t);
        }
        if let Some(t) = self.read_timeout.or(read_timeout) {
            opts = opts.read_timeout(t);
        }
        if let Some(tls) = self.tls {
            opts = opts.tls(tls);
        }
        apply_params(&mut opts, &retry_params.join("&"))
            .map_err(|e| e.with_kind(ErrorKind::Tmq))?;
        Consumer::open(config, opts)
    }
}

/// Removes the transport keys from a DSN's query, feeding them to `take`.
fn strip_transport_params(
    dsn: &str,
    take: &mut impl FnMut(&str, &str) -> Result<bool>,
) -> Result<String> {
    let Some((base, query)) = dsn.split_once('?') else {
        return Ok(dsn.to_owned());
    };
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if !(TRANSPORT_KEYS.contains(&k) && take(k, v)?) {
            kept.push(pair);
        }
    }
    Ok(if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_keys_leave_the_dsn() {
        let mut seen = Vec::new();
        let mut take = |k: &str, v: &str| -> Result<bool> {
            seen.push((k.to_owned(), v.to_owned()));
            Ok(true)
        };
        let dsn = strip_transport_params(
            "ws://h:1?group.id=g&conn_timeout=5s&read_timeout=2&client.id=c",
            &mut take,
        )
        .unwrap();
        assert_eq!(dsn, "ws://h:1?group.id=g&client.id=c");
        assert_eq!(
            seen,
            [
                ("conn_timeout".to_owned(), "5s".to_owned()),
                ("read_timeout".to_owned(), "2".to_owned())
            ]
        );
        let mut none = |_: &str, _: &str| -> Result<bool> { Ok(true) };
        assert_eq!(
            strip_transport_params("ws://h?conn_timeout=1", &mut none).unwrap(),
            "ws://h"
        );
    }

    #[test]
    fn bad_configuration_is_a_tmq_error_naming_the_key() {
        for (config, key) in [
            (vec![("group.id", "g"), ("no.such.key", "1")], "no.such.key"),
            (
                vec![("group.id", "g"), ("read_timeout", "soon")],
                "read_timeout",
            ),
            (
                vec![("group.id", "g"), ("enable.auto.commit", "maybe")],
                "enable.auto.commit",
            ),
            (vec![("client.id", "c")], "group.id"),
        ] {
            let e = Consumer::new(config).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Tmq, "{e}");
            assert!(e.message().contains(key), "{e}");
        }
    }
}
