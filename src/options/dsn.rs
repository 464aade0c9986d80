//! The DSN parser (see the [module docs](super) for the syntax) and its inverse, the
//! secret-free `Display` of [`ConnectOptions`].

use std::fmt;
use std::time::Duration;

use super::percent::percent_decode;
use super::{
    ConnectOptions, DEFAULT_CONN_RETRIES, DEFAULT_CONN_TIMEOUT, DEFAULT_KEEPALIVE, DEFAULT_PORT,
    DEFAULT_READ_TIMEOUT, DEFAULT_RETRY_BACKOFF, DEFAULT_RETRY_BACKOFF_MAX, HostAddr, Protocol,
    percent_encode,
};
use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};
use crate::tz::Zone;

pub(super) fn dsn_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Interface, message).with_code(Code::CLIENT_DSN_ERROR)
}

/// The DSN's zone: a name the server resolves too (an IANA name or `UTC`), so not the
/// fixed offsets and `Z` that [`Zone::from_name`] also takes (neither taosAdapter's REST
/// `tz` nor its WebSocket `conn` accepts them).
pub(super) fn parse_tz(name: &str) -> Result<Zone> {
    if name == "Z" || name.starts_with(['+', '-']) {
        return Err(dsn_error(format!(
            "time zone {name:?} is not a zone name the server accepts (use an IANA name \
             such as Asia/Shanghai, UTC, or Etc/GMT-8 for a fixed UTC+8)"
        )));
    }
    Zone::from_name(name).map_err(|e| dsn_error(e.message()).with_source(e))
}

impl fmt::Display for ConnectOptions {
    /// The DSN, with the password and token replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:***@", self.protocol, percent_encode(&self.user))?;
        for (i, h) in self.hosts.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{h}")?;
        }
        if let Some(db) = &self.database {
            write!(f, "/{}", percent_encode(db))?;
        }
        let mut params: Vec<(String, String)> = Vec::new();
        if self.token.is_some() {
            params.push(("token".into(), "***".into()));
        }
        if let Some(tz) = &self.timezone {
            params.push(("timezone".into(), percent_encode(tz)));
        }
        if self.conn_timeout != DEFAULT_CONN_TIMEOUT {
            params.push(("conn_timeout".into(), fmt_duration(self.conn_timeout)));
        }
        if self.read_timeout != DEFAULT_READ_TIMEOUT {
            params.push(("read_timeout".into(), fmt_duration(self.read_timeout)));
        }
        if self.keepalive != DEFAULT_KEEPALIVE {
            params.push(("keepalive".into(), fmt_duration(self.keepalive)));
        }
        if self.conn_retries != DEFAULT_CONN_RETRIES {
            params.push(("conn_retries".into(), self.conn_retries.to_string()));
        }
        if self.retry_backoff != DEFAULT_RETRY_BACKOFF {
            params.push((
                "retry_backoff_ms".into(),
                self.retry_backoff.as_millis().to_string(),
            ));
        }
        if self.retry_backoff_max != DEFAULT_RETRY_BACKOFF_MAX {
            params.push((
                "retry_backoff_max_ms".into(),
                self.retry_backoff_max.as_millis().to_string(),
            ));
        }
        if self.compression {
            params.push(("compression".into(), "true".into()));
        }
        if let Some(app) = &self.app {
            params.push(("app".into(), percent_encode(app)));
        }
        if let Some(ip) = &self.ip {
            params.push(("ip".into(), percent_encode(ip)));
        }
        for (i, (k, v)) in params.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// The longest DSN accepted; anything longer is certainly not a DSN.
const MAX_DSN_LEN: usize = 64 * 1024;

pub(super) fn parse_dsn(dsn: &str) -> Result<ConnectOptions> {
    if dsn.len() > MAX_DSN_LEN {
        return Err(dsn_error(format!(
            "DSN is {} bytes long; at most {MAX_DSN_LEN} are accepted",
            dsn.len()
        )));
    }
    let dsn = dsn.trim();
    if dsn.chars().any(char::is_control) {
        return Err(dsn_error("DSN contains control characters"));
    }
    let mut o = ConnectOptions::default();

    // Scheme.
    let rest = match dsn.find("://") {
        Some(i) => {
            o.protocol = parse_scheme(&dsn[..i])?;
            &dsn[i + 3..]
        }
        None => dsn,
    };

    // Query parameters.
    let (rest, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    if rest.contains('#') {
        return Err(dsn_error(
            "DSN contains '#' (fragments are not allowed; percent-encode it as %23)",
        ));
    }

    // Credentials: everything before the last '@' (so an unencoded '/' in a password works).
    let (userinfo, rest) = match rest.rfind('@') {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    if let Some(ui) = userinfo {
        let (user, password) = match ui.find(':') {
            Some(i) => (&ui[..i], Some(&ui[i + 1..])),
            None => (ui, None),
        };
        let user = percent_decode(user, "user")?;
        if user.is_empty() {
            if password.is_some() {
                return Err(dsn_error("DSN has a password but an empty user name"));
            }
        } else {
            o.user = user;
        }
        if let Some(p) = password {
            o.password = percent_decode(p, "password")?;
        }
    }

    // Hosts and database.
    let (hosts, db) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    o.hosts = parse_hosts(hosts)?;
    if let Some(db) = db {
        let db = db.strip_suffix('/').unwrap_or(db);
        if db.contains('/') {
            return Err(dsn_error(format!(
                "database {db:?} in DSN contains '/' (the path must be a single database name)"
            )));
        }
        let db = percent_decode(db, "database")?;
        o.database = (!db.is_empty()).then_some(db);
    }

    if let Some(q) = query {
        parse_params(&mut o, q)?;
    }
    Ok(o)
}

fn parse_scheme(scheme: &str) -> Result<Protocol> {
    let lower = scheme.to_ascii_lowercase();
    let (driver, proto) = match lower.split_once('+') {
        Some((d, p)) => (d, Some(p)),
        None => (lower.as_str(), None),
    };
    if let (None, Some(p)) = (proto, Protocol::parse(driver)) {
        return Ok(p);
    }
    let default = match driver {
        "taos" | "tdengine" | "taosws" => Protocol::Ws,
        "taosrest" => Protocol::Http,
        "" => {
            return Err(dsn_error(format!(
                "empty driver name in DSN scheme {scheme:?}"
            )));
        }
        other => {
            return Err(dsn_error(format!(
                "unknown DSN scheme {other:?} (expected ws, wss, http, https, or taos[+<protocol>])"
            )));
        }
    };
    match proto {
        None => Ok(default),
        Some("native") => Err(dsn_error(
            "the native protocol (taos+native://) is not supported; use ws, wss, http or https",
        )),
        Some(p) => Protocol::parse(p).ok_or_else(|| {
            dsn_error(format!(
                "unknown protocol {p:?} in DSN scheme {scheme:?} (expected ws, wss, http or https)"
            ))
        }),
    }
}

fn parse_hosts(s: &str) -> Result<Vec<HostAddr>> {
    if s.is_empty() {
        return Ok(vec![HostAddr::new("localhost", DEFAULT_PORT)]);
    }
    s.split(',').map(parse_host).collect()
}

fn parse_host(s: &str) -> Result<HostAddr> {
    let (host, port) = if let Some(inner) = s.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or_else(|| dsn_error(format!("host {s:?}: '[' without a closing ']'")))?;
        let addr = &inner[..close];
        addr.parse::<std::net::Ipv6Addr>()
            .map_err(|_| dsn_error(format!("host {s:?}: {addr:?} is not an IPv6 address")))?;
        let after = &inner[close + 1..];
        let port =
            match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(|| {
                    dsn_error(format!("host {s:?}: expected ':<port>' after ']'"))
                })?),
            };
        (addr.to_owned(), port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => {
                if h.contains(':') {
                    return Err(dsn_error(format!(
                        "host {s:?}: write IPv6 addresses in brackets, e.g. [::1]:6041"
                    )));
                }
                (h.to_owned(), Some(p))
            }
            None => (s.to_owned(), None),
        }
    };
    let host = if host.is_empty() {
        if s.is_empty() {
            return Err(dsn_error(
                "empty host in the DSN's host list (check for a stray ',')",
            ));
        }
        "localhost".to_owned()
    } else {
        host
    };
    if !host.contains(':')
        && !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        return Err(dsn_error(format!(
            "host {host:?} contains characters not allowed in a host name"
        )));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(0) | Err(_) => {
                return Err(dsn_error(format!(
                    "port {p:?} of host {host:?} is not a port number (1-65535)"
                )));
            }
            Ok(n) => n,
        },
    };
    Ok(HostAddr { host, port })
}

/// Applies DSN query parameters (`k=v&…`, percent-encoded) to `o`, as a DSN would.
pub(crate) fn apply_params(o: &mut ConnectOptions, q: &str) -> Result<()> {
    parse_params(o, q)
}

fn parse_params(o: &mut ConnectOptions, q: &str) -> Result<()> {
    for pair in q.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k, "parameter name")?;
        let value = percent_decode(v, &format!("value of parameter {key:?}"))?;
        match key.as_str() {
            "token" => o.token = Some(value),
            "timezone" | "tz" => {
                parse_tz(&value)?;
                o.timezone = Some(value);
            }
            "conn_timeout" => o.conn_timeout = parse_duration(&key, &value, Unit::Seconds)?,
            "read_timeout" => o.read_timeout = parse_duration(&key, &value, Unit::Seconds)?,
            "keepalive" => o.keepalive = parse_duration(&key, &value, Unit::Seconds)?,
            "conn_retries" => {
                o.conn_retries = value.parse::<u32>().map_err(|_| {
                    dsn_error(format!(
                        "parameter conn_retries={value:?} is not a non-negative integer"
                    ))
                })?;
            }
            "retry_backoff_ms" => {
                o.retry_backoff = parse_duration(&key, &value, Unit::Millis)?;
            }
            "retry_backoff_max_ms" => {
                o.retry_backoff_max = parse_duration(&key, &value, Unit::Millis)?;
            }
            "compression" => o.compression = parse_bool(&key, &value)?,
            "app" => o.app = Some(value),
            "ip" => o.ip = Some(value),
            _ => {
                log::warn!("ignoring unknown DSN parameter {key:?}");
                o.extra_params.push((key, value));
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Unit {
    Seconds,
    Millis,
}

/// Parses a timeout as the DSN does: `500ms`, `5s`, `2m`, `1h`, or a bare integer of
/// seconds (an Interface error naming `key` otherwise).
pub(crate) fn parse_timeout(key: &str, value: &str) -> Result<Duration> {
    parse_duration(key, value, Unit::Seconds)
}

/// Parses `500ms`, `5s`, `2m`, `1h`, or a bare integer in `bare` units.
fn parse_duration(key: &str, value: &str, bare: Unit) -> Result<Duration> {
    let bad = || {
        dsn_error(format!(
            "parameter {key}={value:?} is not a duration (examples: 500ms, 5s, 2m, or a bare integer)"
        ))
    };
    let v = value.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    if num.is_empty() {
        return Err(bad());
    }
    let n: u64 = num.parse().map_err(|_| bad())?;
    let d = match (unit.trim(), bare) {
        ("", Unit::Seconds) | ("s", _) => Duration::from_secs(n),
        ("", Unit::Millis) | ("ms", _) => Duration::from_millis(n),
        ("us", _) => Duration::from_micros(n),
        ("m", _) => Duration::from_secs(n.checked_mul(60).ok_or_else(bad)?),
        ("h", _) => Duration::from_secs(n.checked_mul(3600).ok_or_else(bad)?),
        _ => return Err(bad()),
    };
    Ok(d)
}

fn parse_bool(key: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(dsn_error(format!(
            "parameter {key}={value:?} is not a boolean (true/false)"
        ))),
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(dsn: &str) -> String {
        let e = ConnectOptions::from_dsn(dsn).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface);
        assert_eq!(e.code(), Some(Code::CLIENT_DSN_ERROR));
        e.message().to_owned()
    }

    #[test]
    fn schemes() {
        for (dsn, p) in [
            ("ws://h", Protocol::Ws),
            ("WSS://h", Protocol::Wss),
            ("http://h", Protocol::Http),
            ("https://h", Protocol::Https),
            ("taos://h", Protocol::Ws),
            ("taos+ws://h", Protocol::Ws),
            ("taos+wss://h", Protocol::Wss),
            ("taosws://h", Protocol::Ws),
            ("taosws+wss://h", Protocol::Wss),
            ("taos+http://h", Protocol::Http),
            ("taos+https://h", Protocol::Https),
            ("taosrest://h", Protocol::Http),
            ("h:6041", Protocol::Ws),
            ("", Protocol::Ws),
        ] {
            assert_eq!(ConnectOptions::from_dsn(dsn).unwrap().protocol, p, "{dsn}");
        }
        assert!(err("taos+native://h").contains("native"));
        assert!(err("mysql://h").contains("mysql"));
        assert!(err("taos+ftp://h").contains("ftp"));
    }

    #[test]
    fn full_dsn() {
        let o = ConnectOptions::from_dsn(
            "taos+ws://us%20er:pa%2Fss:w@h1:1,h2,[::1]:3,[fe80::1]/my%20db?token=t%26k&tz=UTC\
             &conn_timeout=500ms&read_timeout=7&conn_retries=4&retry_backoff_ms=10\
             &retry_backoff_max_ms=2s&compression=on&app=a&ip=1.2.3.4&future=x",
        )
        .unwrap();
        assert_eq!(o.user, "us er");
        assert_eq!(o.password, "pa/ss:w");
        assert_eq!(
            o.hosts,
            vec![
                HostAddr::new("h1", 1),
                HostAddr::new("h2", 6041),
                HostAddr::new("::1", 3),
                HostAddr::new("fe80::1", 6041)
            ]
        );
        assert_eq!(o.database.as_deref(), Some("my db"));
        assert_eq!(o.token.as_deref(), Some("t&k"));
        assert_eq!(o.timezone.as_deref(), Some("UTC"));
        assert_eq!(o.conn_timeout, Duration::from_millis(500));
        assert_eq!(o.read_timeout, Duration::from_secs(7));
        assert_eq!(o.conn_retries, 4);
        assert_eq!(o.retry_backoff, Duration::from_millis(10));
        assert_eq!(o.retry_backoff_max, Duration::from_secs(2));
        assert!(o.compression);
        assert_eq!(o.app.as_deref(), Some("a"));
        assert_eq!(o.ip.as_deref(), Some("1.2.3.4"));
        assert_eq!(o.extra_params, vec![("future".to_owned(), "x".to_owned())]);
        let shown = format!("{o} {o:?}");
        assert!(
            !shown.contains("pa/ss") && !shown.contains("pa%2Fss"),
            "{shown}"
        );
        assert!(
            !shown.contains("t&k") && !shown.contains("t%26k"),
            "{shown}"
        );
        // Display round-trips (minus the secrets).
        let again = ConnectOptions::from_dsn(&o.to_string()).unwrap();
        assert_eq!(again.hosts, o.hosts);
        assert_eq!(again.database, o.database);
        assert_eq!(again.conn_timeout, o.conn_timeout);
    }

    #[test]
    fn defaults_and_partial_credentials() {
        let o = ConnectOptions::from_dsn("ws://u@h/").unwrap();
        assert_eq!((o.user.as_str(), o.password.as_str()), ("u", "taosdata"));
        assert_eq!(o.database, None);
        let o = ConnectOptions::from_dsn("ws://:6042").unwrap();
        assert_eq!(o.hosts, vec![HostAddr::new("localhost", 6042)]);
        let o = ConnectOptions::from_dsn("ws://u:@h").unwrap();
        assert_eq!(o.password, "");
        assert_eq!(
            ConnectOptions::from_dsn("ws://").unwrap(),
            ConnectOptions::new()
        );
    }

    #[test]
    fn time_zone_names_the_server_resolves() {
        for name in [
            "UTC",
            "Etc/UTC",
            "GMT",
            "Asia/Shanghai",
            "America/New_York",
            "US/Eastern",
            "Asia/Calcutta",
            "Etc/GMT-8",
            "EST5EDT",
        ] {
            let o = ConnectOptions::from_dsn(&format!("ws://h?tz={name}")).unwrap();
            let zone = o.parsed_timezone().unwrap().unwrap();
            assert_eq!(zone.name(), name);
        }
    }

    #[test]
    fn malformed() {
        assert!(err("ws://h:0").contains("port"));
        assert!(err("ws://h:abc").contains("port"));
        assert!(err("ws://h:1,,h2").contains("empty host"));
        assert!(err("ws://[::1").contains("]"));
        assert!(err("ws://[zz]:1").contains("IPv6"));
        assert!(err("ws://::1:6041").contains("brackets"));
        assert!(err("ws://h o:1").contains("host"));
        assert!(err("ws://h/a/b").contains("database"));
        assert!(err("ws://u:p%zz@h").contains("password"));
        assert!(err("ws://h?conn_timeout=abc").contains("conn_timeout"));
        assert!(err("ws://h?read_timeout=5x").contains("read_timeout"));
        assert!(err("ws://h?conn_retries=-1").contains("conn_retries"));
        assert!(err("ws://h?compression=maybe").contains("compression"));
        assert!(err("ws://h?timezone=Mars/Base").contains("unknown time zone"));
        assert!(err("ws://h?tz=../../etc/passwd").contains("invalid time zone name"));
        assert!(err("ws://h?tz=%2Fetc%2Flocaltime").contains("absolute"));
        assert!(err("ws://h?tz=%2B08:00").contains("not a zone name the server accepts"));
        assert!(err("ws://h?tz=-0530").contains("not a zone name the server accepts"));
        assert!(err("ws://h?tz=Z").contains("not a zone name the server accepts"));
        assert!(err("ws://:p@h").contains("user"));
        assert!(err("ws://h#frag").contains('#'));
    }

    #[test]
    fn builder_matches_dsn() {
        let b = ConnectOptions::new()
            .protocol(Protocol::Wss)
            .host("a")
            .port(7)
            .add_host("b", 8)
            .user("u")
            .password("p")
            .database("d")
            .token("t")
            .timezone("UTC")
            .timeout(Duration::from_secs(3))
            .conn_retries(0)
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
            .compression(true)
            .app("x")
            .ip("y");
        let d = ConnectOptions::from_dsn(
            "wss://u:p@a:7,b:8/d?token=t&timezone=UTC&conn_timeout=3s&read_timeout=3s\
             &conn_retries=0&retry_backoff_ms=1&retry_backoff_max_ms=5&compression=true&app=x&ip=y",
        )
        .unwrap();
        assert_eq!(b, d);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = ConnectOptions::from_dsn(&s);
        }

        #[test]
        fn never_panics_dsn_like(s in "(taos\\+)?(ws|http)s?://([a-z%:@]{0,8}@)?[a-z0-9\\[\\]:,.]{0,20}(/[a-z%]{0,5})?(\\?[a-z_=&%0-9]{0,30})?") {
            let _ = ConnectOptions::from_dsn(&s);
        }
    }
}
