//! Consumer settings as the adapter derives them from a `subscribe` request (02 §3.3).

use super::error::{TmqError, TmqResult};
use taosync_proto::tmq::{OffsetReset, SubscribeArgs, codes};

/// Default `session.timeout.ms`.
pub const DEFAULT_SESSION_TIMEOUT_MS: u64 = 12_000;
/// Default `max.poll.interval.ms`.
pub const DEFAULT_MAX_POLL_INTERVAL_MS: u64 = 300_000;
/// Default adapter-side auto commit interval.
pub const DEFAULT_AUTO_COMMIT_INTERVAL_MS: u64 = 5_000;
/// Default `fetch.max.wait.ms` (the C library's `DEFAULT_MAX_POLL_WAIT_TIME`).
pub const DEFAULT_FETCH_MAX_WAIT_MS: u64 = 1_000;

/// One consumer's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerSettings {
    /// `group.id` (required, ≤ 192 characters).
    pub group_id: String,
    /// `client.id`.
    pub client_id: String,
    /// The authenticated user.
    pub user: String,
    /// Where the consumer connects from (SHOW CONSUMERS `fqdn`).
    pub fqdn: String,
    /// `auto.offset.reset` (default `latest`).
    pub auto_offset_reset: OffsetReset,
    /// Commit all positions at poll time once the interval has elapsed (the adapter-side
    /// flag; off when the request did not send `auto_commit`, adapter ≥ 3.3.6.0).
    pub auto_commit: bool,
    /// The auto commit interval in ms.
    pub auto_commit_interval_ms: u64,
    /// Without any call for this long the consumer is lost (its vgroups are rebalanced).
    pub session_timeout_ms: u64,
    /// Without a poll for this long the consumer leaves its groups until it polls again.
    pub max_poll_interval_ms: u64,
    /// `msg.with.table.name`.
    pub with_table_name: bool,
    /// `experimental.snapshot.enable` (recorded; data is always read from the WAL).
    pub snapshot_enable: bool,
    /// `td.connect.db`, if any.
    pub db: String,
    /// `min.poll.rows`, when the consumer set it: a poll that finds fewer rows waits (up
    /// to `fetch.max.wait.ms`, within the poll's own blocking time) for more before
    /// answering, and a message gathers up to this many rows. Unset, a poll answers with
    /// whatever is there (up to the broker's per-message row limit).
    pub min_poll_rows: Option<usize>,
    /// `fetch.max.wait.ms`: the longest a poll waits to reach `min.poll.rows`.
    pub fetch_max_wait_ms: u64,
    /// `msg.consume.excluded`: skip writes made by replication tools (raw block and raw
    /// meta writes, TDengine's `TD_REQ_FROM_TAOX` source).
    pub msg_consume_excluded: bool,
    /// `msg.enable.batchmeta`: deliver consecutive table creations as one batch meta
    /// message.
    pub enable_batch_meta: bool,
    /// `msg.consume.rawdata`.
    pub msg_consume_rawdata: bool,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        ConsumerSettings {
            group_id: String::new(),
            client_id: String::new(),
            user: String::new(),
            fqdn: String::new(),
            auto_offset_reset: OffsetReset::Latest,
            auto_commit: false,
            auto_commit_interval_ms: DEFAULT_AUTO_COMMIT_INTERVAL_MS,
            session_timeout_ms: DEFAULT_SESSION_TIMEOUT_MS,
            max_poll_interval_ms: DEFAULT_MAX_POLL_INTERVAL_MS,
            with_table_name: true,
            snapshot_enable: false,
            db: String::new(),
            min_poll_rows: None,
            fetch_max_wait_ms: DEFAULT_FETCH_MAX_WAIT_MS,
            msg_consume_excluded: false,
            enable_batch_meta: false,
            msg_consume_rawdata: false,
        }
    }
}

fn invalid(key: &str, value: &str) -> TmqError {
    TmqError::new(
        codes::INVALID_PARA,
        format!("invalid value for key '{key}': {value}"),
    )
}

/// Go's `strconv.ParseBool`.
fn go_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A C-library boolean option (`true`/`false`).
fn conf_bool(key: &str, value: &str) -> TmqResult<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(invalid(key, value)),
    }
}

/// A C-library integer flag (`taosStr2int64(value) != 0`), which also takes `true` /
/// `false` as clients write them; anything else reads as off, as the C library does.
fn conf_flag(value: &str) -> bool {
    let v = value.trim();
    v.eq_ignore_ascii_case("true") || v.parse::<i64>().is_ok_and(|n| n != 0)
}

fn conf_ms(key: &str, value: &str, min: u64, max: u64) -> TmqResult<u64> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| invalid(key, value))
}

impl ConsumerSettings {
    /// Applies one consumer option as `tmq_conf_set` would: keys match without regard to
    /// case, every key the C library documents is accepted (and `td.connect.*` keys the
    /// clients send for themselves, such as `td.connect.websocket.scheme`), unknown keys
    /// and malformed values are code 280 errors naming the key.
    pub fn set(&mut self, key: &str, value: &str) -> TmqResult<()> {
        let lower = key.trim().to_ascii_lowercase();
        match lower.as_str() {
            "group.id" => {
                if value.len() > 192 || value.contains(':') {
                    return Err(invalid(key, value));
                }
                self.group_id = value.to_owned();
            }
            "client.id" => {
                if value.len() > 255 {
                    return Err(invalid(key, value));
                }
                self.client_id = value.to_owned();
            }
            "auto.offset.reset" => {
                self.auto_offset_reset = value.parse().map_err(|_| invalid(key, value))?;
            }
            // Forced off in the C library by the adapter; the adapter flag is `auto_commit`.
            "enable.auto.commit" | "enable.wal.marker" | "enable.replay" => {
                conf_bool(key, value)?;
            }
            "auto.commit.interval.ms" => {
                conf_ms(key, value, 0, i32::MAX as u64)?;
            }
            "session.timeout.ms" => {
                self.session_timeout_ms = conf_ms(key, value, 6_000, 1_800_000)?;
            }
            "heartbeat.interval.ms" => {
                conf_ms(key, value, 1_000, self.session_timeout_ms.saturating_sub(1))?;
            }
            "max.poll.interval.ms" => {
                self.max_poll_interval_ms = conf_ms(key, value, 1_000, i32::MAX as u64)?;
            }
            "fetch.max.wait.ms" => {
                self.fetch_max_wait_ms = conf_ms(key, value, 1, i32::MAX as u64)?;
            }
            "min.poll.rows" => {
                let rows = conf_ms(key, value, 1, i32::MAX as u64)?;
                self.min_poll_rows = Some(usize::try_from(rows).unwrap_or(usize::MAX));
            }
            "msg.with.table.name" => self.with_table_name = conf_bool(key, value)?,
            "experimental.snapshot.enable" => self.snapshot_enable = conf_bool(key, value)?,
            "msg.enable.batchmeta" => self.enable_batch_meta = conf_flag(value),
            "msg.consume.excluded" => self.msg_consume_excluded = conf_flag(value),
            "msg.consume.rawdata" => self.msg_consume_rawdata = conf_flag(value),
            "td.connect.db" => self.db = value.to_owned(),
            // The adapter connects for the consumer: credentials, address and the
            // clients' own transport keys are not consumer settings.
            k if k.starts_with("td.connect.") => {}
            _ => {
                return Err(TmqError::new(
                    codes::INVALID_PARA,
                    format!("unknown configuration key: {key}"),
                ));
            }
        }
        Ok(())
    }

    /// The settings a `subscribe` request asks for (02 §3.3): named fields forwarded when
    /// non-empty (`offset_reset` over `offset_rest`), then the `config` map. `user` and
    /// `fqdn` are left empty for the caller to fill. Errors: bad options (code 280),
    /// unparsable `auto_commit` / interval (0xffff), missing `group_id` (280).
    pub fn from_subscribe(args: &SubscribeArgs) -> TmqResult<ConsumerSettings> {
        let mut s = ConsumerSettings::default();
        let named: [(&str, &str); 11] = [
            ("td.connect.db", &args.db),
            ("group.id", &args.group_id),
            ("client.id", &args.client_id),
            (
                "auto.offset.reset",
                if args.offset_reset.is_empty() {
                    &args.offset_rest
                } else {
                    &args.offset_reset
                },
            ),
            ("experimental.snapshot.enable", &args.snapshot_enable),
            ("msg.with.table.name", &args.with_table_name),
            ("msg.enable.batchmeta", &args.enable_batch_meta),
            ("msg.consume.excluded", &args.msg_consume_excluded),
            ("msg.consume.rawdata", &args.msg_consume_rawdata),
            ("session.timeout.ms", &args.session_timeout_ms),
            ("max.poll.interval.ms", &args.max_poll_interval_ms),
        ];
        for (key, value) in named {
            if !value.is_empty() {
                s.set(key, value)?;
            }
        }
        if !args.auto_commit.is_empty() {
            s.auto_commit = go_bool(&args.auto_commit).ok_or_else(|| {
                TmqError::generic(format!(
                    "strconv.ParseBool: parsing {:?}: invalid syntax",
                    args.auto_commit
                ))
            })?;
        }
        if !args.auto_commit_interval_ms.is_empty() {
            let v: i64 = args.auto_commit_interval_ms.parse().map_err(|_| {
                TmqError::generic(format!(
                    "strconv.Atoi: parsing {:?}: invalid syntax",
                    args.auto_commit_interval_ms
                ))
            })?;
            s.auto_commit_interval_ms = u64::try_from(v).unwrap_or(0);
        }
        for (key, value) in &args.config {
            s.set(key, value)?;
        }
        if s.group_id.is_empty() {
            return Err(TmqError::new(codes::INVALID_PARA, "group.id is required"));
        }
        Ok(s)
    }

    /// The `parameters` text of SHOW CONSUMERS.
    pub fn parameters(&self) -> String {
        format!(
            "tbname:{},commit:{},interval:{}ms,reset:{}",
            u8::from(self.with_table_name),
            u8::from(self.auto_commit),
            self.auto_commit_interval_ms,
            self.auto_offset_reset
        )
    }
}
