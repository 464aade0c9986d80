//! Client-side consumer configuration (02 §3.3, §4.1, §4.2): the TDengine consumer keys
//! as a string map and/or a DSN, validated, and turned into `subscribe` args.
//!
//! ```
//! use taosync_proto::tmq::{ConsumerConfig, OffsetReset};
//! let config = ConsumerConfig::from_dsn_and_map(
//!     "ws://root:taosdata@localhost:6041?group.id=g1",
//!     [("auto.offset.reset", "earliest"), ("client.id", "c1")],
//! ).unwrap();
//! assert_eq!(config.group_id, "g1");
//! assert_eq!(config.auto_offset_reset, Some(OffsetReset::Earliest));
//! assert_eq!(config.websocket_url(), "ws://localhost:6041/rest/tmq");
//! let args = config.subscribe_args(&["topic_meters"], 1, "taosync");
//! assert_eq!(args.offset_rest, "earliest");
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::messages::SubscribeArgs;
use crate::error::{Error, ErrorKind, Result};

/// What goes percent-encoded into the endpoint URL: everything but ASCII alphanumerics and
/// the RFC 3986 unreserved marks `-._~`, as upper-case `%XX`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `auto.offset.reset`: where to start a vgroup that has no committed offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OffsetReset {
    /// The oldest data still in the WAL.
    Earliest,
    /// Only data written after the assignment (TDengine's default since 3.2.0.0).
    Latest,
    /// Fail instead of guessing.
    None,
}

impl OffsetReset {
    /// The configuration value: `earliest`, `latest` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            OffsetReset::Earliest => "earliest",
            OffsetReset::Latest => "latest",
            OffsetReset::None => "none",
        }
    }
}

impl fmt::Display for OffsetReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OffsetReset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "earliest" => Ok(OffsetReset::Earliest),
            "latest" => Ok(OffsetReset::Latest),
            "none" => Ok(OffsetReset::None),
            _ => Err(bad_value(
                "auto.offset.reset",
                s,
                "earliest, latest or none",
            )),
        }
    }
}

/// Default taosAdapter port.
pub const DEFAULT_PORT: u16 = 6041;
/// Default `auto.commit.interval.ms`.
pub const DEFAULT_AUTO_COMMIT_INTERVAL_MS: u64 = 5000;
/// Longest `group.id` TDengine accepts.
pub const MAX_GROUP_ID_LEN: usize = 192;
/// Longest `client.id` TDengine accepts.
pub const MAX_CLIENT_ID_LEN: usize = 255;

/// A validated consumer configuration.
///
/// Recognised keys: `td.connect.ip`, `td.connect.port`, `td.connect.user`,
/// `td.connect.pass`, `td.connect.token`, `td.connect.db`,
/// `td.connect.websocket.scheme` (`ws`|`wss`), `group.id` (required), `client.id`,
/// `auto.offset.reset`, `enable.auto.commit`, `auto.commit.interval.ms`,
/// `session.timeout.ms`, `max.poll.interval.ms`, `msg.with.table.name`,
/// `experimental.snapshot.enable`, `msg.enable.batchmeta`, `msg.consume.excluded`,
/// `msg.consume.rawdata`, `enable.replay`, `fetch.max.wait.ms`, `min.poll.rows`,
/// `heartbeat.interval.ms`, `enable.wal.marker`, any other `td.connect.*` key (the
/// server ignores them), and the `taosws` aliases `host`, `td.connect.host`, `port`,
/// `user`, `username`, `password`, `token`, `bearer_token`, `td.connect.bearer_token`
/// (both stored as the token), `protocol`/`driver` (the scheme) and `snapshot`. Keys match
/// without regard to case, as TDengine's `tmq_conf_set` does. Any other key, or a value
/// that does not parse, is an [`ErrorKind::Tmq`] error naming the key.
///
/// ```
/// use taosync_proto::tmq::ConsumerConfig;
/// let config = ConsumerConfig::from_map([
///     ("group.id", "g1"),
///     ("fetch.max.wait.ms", "200"),
///     ("min.poll.rows", "64"),
/// ]).unwrap();
/// assert_eq!(config.fetch_max_wait_ms, Some(200));
/// let args = config.subscribe_args(&["t"], 1, "taosync");
/// assert_eq!(args.config["min.poll.rows"], "64");
/// assert!(ConsumerConfig::from_map([("group.id", "g1"), ("min.poll.rows", "0")]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerConfig {
    /// `td.connect.websocket.scheme`: true for `wss`.
    pub tls: bool,
    /// `td.connect.ip` (default `localhost`).
    pub host: String,
    /// `td.connect.port` (default 6041).
    pub port: u16,
    /// `td.connect.user` (default `root`).
    pub user: String,
    /// `td.connect.pass` (default `taosdata`).
    pub password: String,
    /// `td.connect.token` (cloud token), if any.
    pub token: Option<String>,
    /// `td.connect.db`, if any.
    pub db: Option<String>,
    /// `group.id`.
    pub group_id: String,
    /// `client.id`, if any.
    pub client_id: Option<String>,
    /// `auto.offset.reset`; `None` leaves the server default (`latest`).
    pub auto_offset_reset: Option<OffsetReset>,
    /// `enable.auto.commit` (default false, as the Rust client's DSN default).
    pub enable_auto_commit: bool,
    /// `auto.commit.interval.ms` (default 5000).
    pub auto_commit_interval_ms: u64,
    /// `session.timeout.ms`, in [6000, 1800000].
    pub session_timeout_ms: Option<u64>,
    /// `max.poll.interval.ms`, at least 1000.
    pub max_poll_interval_ms: Option<u64>,
    /// `msg.with.table.name` (default true).
    pub with_table_name: bool,
    /// `experimental.snapshot.enable` (default false).
    pub snapshot_enable: bool,
    /// `msg.enable.batchmeta`, if set.
    pub enable_batch_meta: Option<bool>,
    /// `msg.consume.excluded`, if set.
    pub msg_consume_excluded: Option<bool>,
    /// `msg.consume.rawdata`, if set.
    pub msg_consume_rawdata: Option<bool>,
    /// `enable.replay`, if set.
    pub enable_replay: Option<bool>,
    /// `fetch.max.wait.ms`, in [1, 2^31 − 1]: the longest a poll waits to gather
    /// `min.poll.rows`.
    pub fetch_max_wait_ms: Option<u64>,
    /// `min.poll.rows`, in [1, 2^31 − 1]: the rows a poll tries to gather into a message.
    pub min_poll_rows: Option<u64>,
    /// `heartbeat.interval.ms`, in [1000, `session.timeout.ms`), if set.
    pub heartbeat_interval_ms: Option<u64>,
    /// `enable.wal.marker`, if set.
    pub enable_wal_marker: Option<bool>,
}

impl std::fmt::Debug for ConsumerConfig {
    /// Every field but the secrets: `password` and `token` print as `<redacted>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsumerConfig")
            .field("tls", &self.tls)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("db", &self.db)
            .field("group_id", &self.group_id)
            .field("client_id", &self.client_id)
            .field("auto_offset_reset", &self.auto_offset_reset)
            .field("enable_auto_commit", &self.enable_auto_commit)
            .field("auto_commit_interval_ms", &self.auto_commit_interval_ms)
            .field("session_timeout_ms", &self.session_timeout_ms)
            .field("max_poll_interval_ms", &self.max_poll_interval_ms)
            .field("with_table_name", &self.with_table_name)
            .field("snapshot_enable", &self.snapshot_enable)
            .field("enable_batch_meta", &self.enable_batch_meta)
            .field("msg_consume_excluded", &self.msg_consume_excluded)
            .field("msg_consume_rawdata", &self.msg_consume_rawdata)
            .field("enable_replay", &self.enable_replay)
            .field("fetch_max_wait_ms", &self.fetch_max_wait_ms)
            .field("min_poll_rows", &self.min_poll_rows)
            .field("heartbeat_interval_ms", &self.heartbeat_interval_ms)
            .field("enable_wal_marker", &self.enable_wal_marker)
            .finish()
    }
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            tls: false,
            host: "localhost".into(),
            port: DEFAULT_PORT,
            user: "root".into(),
            password: "taosdata".into(),
            token: None,
            db: None,
            group_id: String::new(),
            client_id: None,
            auto_offset_reset: None,
            enable_auto_commit: false,
            auto_commit_interval_ms: DEFAULT_AUTO_COMMIT_INTERVAL_MS,
            session_timeout_ms: None,
            max_poll_interval_ms: None,
            with_table_name: true,
            snapshot_enable: false,
            enable_batch_meta: None,
            msg_consume_excluded: None,
            msg_consume_rawdata: None,
            enable_replay: None,
            fetch_max_wait_ms: None,
            min_poll_rows: None,
            heartbeat_interval_ms: None,
            enable_wal_marker: None,
        }
    }
}

fn tmq_error(message: String) -> Error {
    Error::new(ErrorKind::Tmq, message)
}

fn bad_value(key: &str, value: &str, expected: &str) -> Error {
    tmq_error(format!(
        "invalid value for consumer key '{key}': {value:?} (expected {expected})"
    ))
}

fn parse_bool(key: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(bad_value(key, value, "true or false")),
    }
}

fn parse_ms(key: &str, value: &str, min: u64, max: u64) -> Result<u64> {
    let expected = || format!("an integer number of milliseconds in [{min}, {max}]");
    let v: u64 = value
        .trim()
        .parse()
        .map_err(|_| bad_value(key, value, &expected()))?;
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(bad_value(key, value, &expected()))
    }
}

impl ConsumerConfig {
    /// A configuration from consumer keys (see the type docs). `group.id` is required.
    pub fn from_map<K, V>(entries: impl IntoIterator<Item = (K, V)>) -> Result<Self>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut config = ConsumerConfig::default();
        config.apply(entries)?;
        config.validate()?;
        Ok(config)
    }

    /// A configuration from a DSN (`ws://[user:pass@]host[:port][/db][?key=value&…]`,
    /// schemes `ws`, `wss`, `taos+ws`, `taos+wss`, `tmq+ws`, `tmq+wss`; query keys are
    /// consumer keys, `token` is an alias of `td.connect.token`) and then `entries`, which
    /// override the DSN.
    pub fn from_dsn_and_map<K, V>(
        dsn: &str,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut config = ConsumerConfig::default();
        config.apply_dsn(dsn)?;
        config.apply(entries)?;
        config.validate()?;
        Ok(config)
    }

    /// A configuration from a DSN alone.
    pub fn from_dsn(dsn: &str) -> Result<Self> {
        Self::from_dsn_and_map(dsn, std::iter::empty::<(&str, &str)>())
    }

    /// Sets one key (see the type docs); validation of required keys happens in the
    /// constructors.
    pub fn set(&mut self, key: &str, value: &str) -> Result<&mut Self> {
        let key = key.trim();
        let lower = key.to_ascii_lowercase();
        match lower.as_str() {
            "td.connect.websocket.scheme" | "protocol" | "driver" => {
                self.tls = match value.trim().to_ascii_lowercase().as_str() {
                    "ws" => false,
                    "wss" => true,
                    _ => return Err(bad_value(key, value, "ws or wss")),
                }
            }
            "td.connect.ip" | "td.connect.host" | "host" => {
                if value.trim().is_empty() {
                    return Err(bad_value(key, value, "a host name"));
                }
                self.host = value.trim().to_owned();
            }
            "td.connect.port" | "port" => {
                self.port = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| bad_value(key, value, "a port in 1..=65535"))?;
            }
            "td.connect.user" | "username" | "user" => self.user = value.to_owned(),
            "td.connect.pass" | "password" => self.password = value.to_owned(),
            "td.connect.token" | "token" | "td.connect.bearer_token" | "bearer_token" => {
                self.token = Some(value.to_owned());
            }
            "td.connect.db" => self.db = Some(value.to_owned()).filter(|v| !v.is_empty()),
            "group.id" => {
                if value.is_empty() || value.len() > MAX_GROUP_ID_LEN {
                    return Err(bad_value(key, value, "1 to 192 characters"));
                }
                self.group_id = value.to_owned();
            }
            "client.id" => {
                if value.len() > MAX_CLIENT_ID_LEN {
                    return Err(bad_value(key, value, "at most 255 characters"));
                }
                self.client_id = Some(value.to_owned()).filter(|v| !v.is_empty());
            }
            "auto.offset.reset" => self.auto_offset_reset = Some(value.parse()?),
            "enable.auto.commit" => self.enable_auto_commit = parse_bool(key, value)?,
            "auto.commit.interval.ms" => {
                self.auto_commit_interval_ms = parse_ms(key, value, 0, i32::MAX as u64)?;
            }
            "session.timeout.ms" => {
                self.session_timeout_ms = Some(parse_ms(key, value, 6_000, 1_800_000)?);
            }
            "max.poll.interval.ms" => {
                self.max_poll_interval_ms = Some(parse_ms(key, value, 1_000, i32::MAX as u64)?);
            }
            "msg.with.table.name" => self.with_table_name = parse_bool(key, value)?,
            "experimental.snapshot.enable" | "snapshot" => {
                self.snapshot_enable = parse_bool(key, value)?;
            }
            "msg.enable.batchmeta" => self.enable_batch_meta = Some(parse_bool(key, value)?),
            "msg.consume.excluded" => self.msg_consume_excluded = Some(parse_bool(key, value)?),
            "msg.consume.rawdata" => self.msg_consume_rawdata = Some(parse_bool(key, value)?),
            "enable.replay" => self.enable_replay = Some(parse_bool(key, value)?),
            "fetch.max.wait.ms" => {
                self.fetch_max_wait_ms = Some(parse_ms(key, value, 1, i32::MAX as u64)?);
            }
            "min.poll.rows" => {
                let expected = "an integer number of rows in [1, 2147483647]";
                let rows = value
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|v| (1..=i32::MAX as u64).contains(v))
                    .ok_or_else(|| bad_value(key, value, expected))?;
                self.min_poll_rows = Some(rows);
            }
            "heartbeat.interval.ms" => {
                let session = self.session_timeout_ms.unwrap_or(12_000);
                self.heartbeat_interval_ms =
                    Some(parse_ms(key, value, 1_000, session.saturating_sub(1))?);
            }
            "enable.wal.marker" => self.enable_wal_marker = Some(parse_bool(key, value)?),
            // Connection keys of other clients (the adapter connects for the consumer).
            k if k.starts_with("td.connect.") => {}
            _ => {
                return Err(tmq_error(format!(
                    "unknown consumer configuration key: {key}"
                )));
            }
        }
        Ok(self)
    }

    fn apply<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Result<()> {
        for (k, v) in entries {
            self.set(k.as_ref(), v.as_ref())?;
        }
        Ok(())
    }

    fn validate(&self) -> Result<()> {
        if self.group_id.is_empty() {
            return Err(tmq_error(
                "consumer configuration key 'group.id' is required".into(),
            ));
        }
        Ok(())
    }

    fn apply_dsn(&mut self, dsn: &str) -> Result<()> {
        let bad = |why: &str| Error::new(ErrorKind::Tmq, format!("invalid TMQ DSN: {why}"));
        let (scheme, rest) = dsn
            .trim()
            .split_once("://")
            .ok_or_else(|| bad("missing '<scheme>://'"))?;
        self.tls = match scheme.to_ascii_lowercase().as_str() {
            "ws" | "taos+ws" | "tmq+ws" | "taosws" => false,
            "wss" | "taos+wss" | "tmq+wss" | "taoswss" => true,
            other => return Err(bad(&format!("unsupported scheme {other:?}"))),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match rest.split_once('/') {
            Some((a, p)) => (a, p),
            None => (rest, ""),
        };
        let host_port = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => {
                let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                self.user = percent_decode(user).ok_or_else(|| bad("bad user encoding"))?;
                self.password = percent_decode(pass).ok_or_else(|| bad("bad password encoding"))?;
                host_port
            }
            None => authority,
        };
        if !host_port.is_empty() {
            let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
                // IPv6 literal: `[addr]` or `[addr]:port`.
                let (addr, after) = rest
                    .split_once(']')
                    .ok_or_else(|| bad("unterminated IPv6 address"))?;
                let port = match after {
                    "" => None,
                    p => Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| bad("junk after IPv6 address"))?,
                    ),
                };
                (&host_port[..addr.len() + 2], port)
            } else {
                match host_port.rsplit_once(':') {
                    Some((h, p)) => (h, Some(p)),
                    None => (host_port, None),
                }
            };
            if !host.is_empty() {
                self.host = host.to_owned();
            }
            if let Some(port) = port {
                self.set("td.connect.port", port)?;
            }
        }
        let db = path.trim_end_matches('/');
        if !db.is_empty() {
            self.db = Some(percent_decode(db).ok_or_else(|| bad("bad database encoding"))?);
        }
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = percent_decode(k).ok_or_else(|| bad("bad parameter encoding"))?;
            let v = percent_decode(v).ok_or_else(|| bad("bad parameter encoding"))?;
            self.set(&k, &v)?;
        }
        Ok(())
    }

    /// The `/rest/tmq` endpoint URL, e.g. `ws://localhost:6041/rest/tmq` (with
    /// `?token=…` when a token is set).
    pub fn websocket_url(&self) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        let mut url = format!("{scheme}://{}:{}/rest/tmq", self.host, self.port);
        if let Some(token) = &self.token {
            url.push_str("?token=");
            url.extend(utf8_percent_encode(token, COMPONENT));
        }
        url
    }

    /// The `subscribe` args for `topics`: credentials, every option as the adapter's
    /// string field (`auto.offset.reset` under both `offset_rest` and `offset_reset`),
    /// the real auto-commit flag and interval (the adapter commits at poll time, 02 §3.4),
    /// and the keys without a named field in `config`.
    pub fn subscribe_args<S: AsRef<str>>(
        &self,
        topics: &[S],
        req_id: u64,
        connector: &str,
    ) -> SubscribeArgs {
        let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
        let opt_int_flag = |b: Option<bool>| {
            b.map(|b| if b { "1" } else { "0" }.to_owned())
                .unwrap_or_default()
        };
        let reset = self
            .auto_offset_reset
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default();
        let mut config = BTreeMap::new();
        if let Some(token) = &self.token {
            config.insert("td.connect.token".to_owned(), token.clone());
        }
        if let Some(replay) = self.enable_replay {
            config.insert("enable.replay".to_owned(), flag(replay));
        }
        if let Some(ms) = self.fetch_max_wait_ms {
            config.insert("fetch.max.wait.ms".to_owned(), ms.to_string());
        }
        if let Some(rows) = self.min_poll_rows {
            config.insert("min.poll.rows".to_owned(), rows.to_string());
        }
        if let Some(ms) = self.heartbeat_interval_ms {
            config.insert("heartbeat.interval.ms".to_owned(), ms.to_string());
        }
        if let Some(marker) = self.enable_wal_marker {
            config.insert("enable.wal.marker".to_owned(), flag(marker));
        }
        SubscribeArgs {
            req_id,
            user: self.user.clone(),
            password: self.password.clone(),
            db: self.db.clone().unwrap_or_default(),
            group_id: self.group_id.clone(),
            client_id: self.client_id.clone().unwrap_or_default(),
            offset_rest: reset.clone(),
            offset_reset: reset,
            topics: topics.iter().map(|t| t.as_ref().to_owned()).collect(),
            auto_commit: flag(self.enable_auto_commit),
            auto_commit_interval_ms: self.auto_commit_interval_ms.to_string(),
            snapshot_enable: flag(self.snapshot_enable),
            with_table_name: flag(self.with_table_name),
            enable_batch_meta: self
                .enable_batch_meta
                .map(|b| if b { "1" } else { "0" }.to_owned())
                .unwrap_or_default(),
            // Integer flags: the C library reads `taosStr2int64(value) != 0`, so `true`
            // would read as off.
            msg_consume_excluded: opt_int_flag(self.msg_consume_excluded),
            msg_consume_rawdata: opt_int_flag(self.msg_consume_rawdata),
            session_timeout_ms: self
                .session_timeout_ms
                .map(|v| v.to_string())
                .unwrap_or_default(),
            max_poll_interval_ms: self
                .max_poll_interval_ms
                .map(|v| v.to_string())
                .unwrap_or_default(),
            tz: String::new(),
            app: String::new(),
            ip: String::new(),
            connector: connector.to_owned(),
            list_instances: false,
            config,
        }
    }
}

/// Decodes a DSN part as a form value: `+` is a space, `%XX` an escaped byte. `None` for a
/// `%` not followed by two hex digits (the crate's decoder would pass it through unchanged)
/// or for bytes that are not UTF-8 once decoded.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let hex = |i: usize| b.get(i).is_some_and(u8::is_ascii_hexdigit);
    if (0..b.len()).any(|i| b[i] == b'%' && !(hex(i + 1) && hex(i + 2))) {
        return None;
    }
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_coding() {
        assert_eq!(percent_decode("a+b%2B%20c").as_deref(), Some("a b+ c"));
        assert_eq!(percent_decode("%C3%a9").as_deref(), Some("\u{e9}"));
        for bad in ["%zz", "ab%", "ab%4", "%+1", "%ff", "%C3%28"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
        assert_eq!(
            utf8_percent_encode("aZ09-._~ /+%\u{e9}", COMPONENT).to_string(),
            "aZ09-._~%20%2F%2B%25%C3%A9"
        );
    }

    #[test]
    fn bad_dsn_encodings_are_tmq_errors() {
        for (dsn, what) in [
            ("ws://u%zz:p@h?group.id=g", "bad user encoding"),
            ("ws://u:p%@h?group.id=g", "bad password encoding"),
            ("ws://h/d%ff?group.id=g", "bad database encoding"),
            ("ws://h?group.id=g%4", "bad parameter encoding"),
            ("ws://h?group%zz.id=g", "bad parameter encoding"),
        ] {
            let e = ConsumerConfig::from_dsn(dsn).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Tmq, "{dsn}");
            assert_eq!(e.message(), format!("invalid TMQ DSN: {what}"), "{dsn}");
        }
        let c = ConsumerConfig::from_dsn("ws://u%20s+r:p%2Bw@h/d+b?group.id=g+1&client.id=c%2B1")
            .unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("u s r", "p+w"));
        assert_eq!(c.db.as_deref(), Some("d b"));
        assert_eq!(
            (c.group_id.as_str(), c.client_id.as_deref()),
            ("g 1", Some("c+1"))
        );
    }
}
