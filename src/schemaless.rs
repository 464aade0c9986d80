//! Schemaless ingestion: InfluxDB line protocol, OpenTSDB telnet and OpenTSDB JSON
//! (protocol notes 02 §2).
//!
//! TDengine creates the supertables, child tables, columns and tags the records need, widens
//! text columns on demand and adds new keys as new columns. Records go to the connection's
//! current database (the DSN's, or [`Connection::select_db`]).
//!
//! ```
//! use taosync::{SchemalessPrecision, SchemalessProtocol};
//!
//! # let server = taosync_server::Server::start(Default::default())?;
//! # taosync::connect(server.dsn_ws().as_str())?.execute("create database power", ())?;
//! # let dsn = format!("{}/power", server.dsn_ws()); // ws://root:taosdata@127.0.0.1:<port>/power
//! let conn = taosync::connect(dsn.as_str())?;
//! let lines = [
//!     "meters,location=California.SanFrancisco,groupid=2 current=10.3,voltage=219i32 1626006833639",
//!     "meters,location=California.LosAngeles,groupid=3 current=11.8,voltage=221i32 1626006833640",
//! ];
//! // The positional form, like the Python connectors' `schemaless_insert`:
//! let n = conn.schemaless_insert(
//!     &lines,
//!     SchemalessProtocol::Line,
//!     SchemalessPrecision::Millisecond,
//!     0,
//!     None,
//! )?;
//! assert_eq!(n, 2);
//! // The builder form, with defaults for what is not set:
//! conn.schemaless(SchemalessProtocol::Telnet)
//!     .ttl(30)
//!     .insert("sys.cpu.nice 1626006833 9.5 host=web01 dc=lga")?;
//! # Ok::<(), taosync::Error>(())
//! ```
//!
//! # Transports
//!
//! * **WebSocket** (`ws://`, `wss://`): one `insert` action on `/ws` (02 §2.1). The result
//!   is the server's `affected_rows`. A session that fell back to the legacy `/rest/ws`
//!   endpoint (an adapter without `/ws`) has no `insert` action; the server's error is
//!   returned as it is.
//! * **REST** (`http://`, `https://`): taosAdapter has no schemaless action on `/rest/sql`
//!   (and the Python REST connector offers none), so the records are posted to the adapter's
//!   HTTP ingestion endpoints with the connection's credentials and TLS settings:
//!   `POST /influxdb/v1/write?db=<db>` for [`Line`](SchemalessProtocol::Line),
//!   `POST /opentsdb/v1/put/telnet/<db>` for [`Telnet`](SchemalessProtocol::Telnet) and
//!   `POST /opentsdb/v1/put/json/<db>` for [`Json`](SchemalessProtocol::Json)
//!   (02 §2.3, §2.4). Differences a caller can observe:
//!   * These endpoints answer `204 No Content` and report **no row count**. The value
//!     returned over REST is therefore the number of records this client *sent* (non-empty
//!     lines, or the elements of the JSON document), not a count the server confirmed;
//!     a record that overwrites an existing timestamp is counted all the same.
//!   * A current database is required and is checked by the client before sending
//!     (over WebSocket the server checks it); without one the call fails with
//!     `PAR_DB_NOT_SPECIFIED`.
//!   * The database is named per request, so a `USE` sent through *another* connection has
//!     no effect, exactly as for the other REST calls.
//!   * Errors carry the TDengine code when the adapter puts one in its message
//!     (`[0x3002] ...`, the write failures); parameter and authentication failures have
//!     none. The server's text is kept verbatim.
//!   * With [`SchemalessPrecision::NotConfigured`] no `precision` is sent and the InfluxDB
//!     endpoint reads timestamps as nanoseconds, as the WebSocket path does.
//!
//! # Errors
//!
//! A server-side failure is an [`Error`] of kind [`ErrorKind::Schemaless`] with the server's
//! code and message and [`Error::affected_rows`] set (0 unless the server reported a count
//! with the error): malformed records (`SML_INVALID_DATA`, the message names the record), a
//! value whose type conflicts with an existing column (`SML_NOT_SAME_TYPE` or
//! `SML_INVALID_DATA`, depending on the server), no current database
//! (`PAR_DB_NOT_SPECIFIED`), an unknown database. An unknown precision text is rejected
//! client-side by [`SchemalessPrecision::from_str`](std::str::FromStr) with
//! `SML_INVALID_PRECISION_TYPE`. Connection failures keep their own kinds.
//!
//! TDengine itself does not promise atomic batches (some records of a failed batch may be
//! written); the embedded server validates the whole batch first and writes nothing when one
//! record is bad.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::code::Code;
use crate::connection::Connection;
use crate::error::{Error, ErrorKind, Result};
use crate::transport::SchemalessWrite;
use crate::types::Precision;

/// The record format of a schemaless write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemalessProtocol {
    /// InfluxDB line protocol (wire code 1).
    Line,
    /// OpenTSDB telnet lines, `metric timestamp value tag=v ...` (wire code 2).
    Telnet,
    /// One OpenTSDB JSON document, an object or an array of objects (wire code 3).
    Json,
}

impl SchemalessProtocol {
    /// The wire code of the `protocol` field: 1, 2 or 3.
    pub fn code(self) -> i32 {
        match self {
            SchemalessProtocol::Line => 1,
            SchemalessProtocol::Telnet => 2,
            SchemalessProtocol::Json => 3,
        }
    }

    /// The protocol of wire code `code`.
    pub fn from_code(code: i32) -> Option<SchemalessProtocol> {
        match code {
            1 => Some(SchemalessProtocol::Line),
            2 => Some(SchemalessProtocol::Telnet),
            3 => Some(SchemalessProtocol::Json),
            _ => None,
        }
    }
}

impl fmt::Display for SchemalessProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SchemalessProtocol::Line => "line",
            SchemalessProtocol::Telnet => "telnet",
            SchemalessProtocol::Json => "json",
        })
    }
}

impl FromStr for SchemalessProtocol {
    type Err = Error;

    /// `line`/`influxdb`, `telnet`/`opentsdb_telnet`, `json`/`opentsdb_json` (any case).
    fn from_str(s: &str) -> Result<SchemalessProtocol> {
        match s.to_ascii_lowercase().as_str() {
            "line" | "influxdb" | "influx" => Ok(SchemalessProtocol::Line),
            "telnet" | "opentsdb_telnet" => Ok(SchemalessProtocol::Telnet),
            "json" | "opentsdb_json" => Ok(SchemalessProtocol::Json),
            _ => Err(Error::new(
                ErrorKind::Schemaless,
                format!("unknown schemaless protocol {s:?}: expected line, telnet or json"),
            )
            .with_code(Code::SML_INVALID_PROTOCOL_TYPE)),
        }
    }
}

/// The unit of line-protocol timestamps. Telnet and JSON records ignore it: their
/// timestamps carry their own unit (10 digits seconds, 13 digits milliseconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SchemalessPrecision {
    /// Not configured (TDengine's `TSDB_SML_TIMESTAMP_NOT_CONFIGURED`): line-protocol
    /// timestamps are nanoseconds.
    #[default]
    NotConfigured,
    /// Hours (`h`).
    Hour,
    /// Minutes (`m`).
    Minute,
    /// Seconds (`s`).
    Second,
    /// Milliseconds (`ms`).
    Millisecond,
    /// Microseconds (`u`).
    Microsecond,
    /// Nanoseconds (`ns`).
    Nanosecond,
}

impl SchemalessPrecision {
    /// The wire text: `""`, `h`, `m`, `s`, `ms`, `u`, `ns`.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemalessPrecision::NotConfigured => "",
            SchemalessPrecision::Hour => "h",
            SchemalessPrecision::Minute => "m",
            SchemalessPrecision::Second => "s",
            SchemalessPrecision::Millisecond => "ms",
            SchemalessPrecision::Microsecond => "u",
            SchemalessPrecision::Nanosecond => "ns",
        }
    }
}

impl fmt::Display for SchemalessPrecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SchemalessPrecision {
    type Err = Error;

    /// The wire texts (`""`, `h`, `m`, `s`, `ms`, `u`, `μ`, `ns`) plus `us` and `µ`;
    /// anything else is a [`Schemaless`](ErrorKind::Schemaless) error with code
    /// `SML_INVALID_PRECISION_TYPE`.
    fn from_str(s: &str) -> Result<SchemalessPrecision> {
        Ok(match s {
            "" => SchemalessPrecision::NotConfigured,
            "h" => SchemalessPrecision::Hour,
            "m" => SchemalessPrecision::Minute,
            "s" => SchemalessPrecision::Second,
            "ms" => SchemalessPrecision::Millisecond,
            "u" | "us" | "μ" | "µ" => SchemalessPrecision::Microsecond,
            "ns" => SchemalessPrecision::Nanosecond,
            _ => {
                return Err(Error::new(
                    ErrorKind::Schemaless,
                    format!(
                        "unknown schemaless precision {s:?}: expected one of h, m, s, ms, u, ns or empty"
                    ),
                )
                .with_code(Code::SML_INVALID_PRECISION_TYPE)
                .with_affected_rows(0));
            }
        })
    }
}

impl From<Precision> for SchemalessPrecision {
    fn from(p: Precision) -> SchemalessPrecision {
        match p {
            Precision::Millisecond => SchemalessPrecision::Millisecond,
            Precision::Microsecond => SchemalessPrecision::Microsecond,
            Precision::Nanosecond => SchemalessPrecision::Nanosecond,
        }
    }
}

/// What [`Connection::schemaless_insert`] accepts as records: one string (several lines
/// separated by `\n`, or one JSON document), or a slice, array or `Vec` of strings (one
/// record or document each).
pub trait SchemalessLines {
    /// The strings, in order.
    fn pieces(&self) -> Vec<Cow<'_, str>>;
}

impl SchemalessLines for str {
    fn pieces(&self) -> Vec<Cow<'_, str>> {
        vec![Cow::Borrowed(self)]
    }
}

impl SchemalessLines for String {
    fn pieces(&self) -> Vec<Cow<'_, str>> {
        vec![Cow::Borrowed(self.as_str())]
    }
}

impl<S: AsRef<str>> SchemalessLines for [S] {
    fn pieces(&self) -> Vec<Cow<'_, str>> {
        self.iter().map(|s| Cow::Borrowed(s.as_ref())).collect()
    }
}

impl<S: AsRef<str>, const N: usize> SchemalessLines for [S; N] {
    fn pieces(&self) -> Vec<Cow<'_, str>> {
        self.as_slice().pieces()
    }
}

impl<S: AsRef<str>> SchemalessLines for Vec<S> {
    fn pieces(&self) -> Vec<Cow<'_, str>> {
        self.as_slice().pieces()
    }
}

impl<T: SchemalessLines + ?Sized> SchemalessLines for &T {
    fn pieces(&self) -> Vec<Cow<'_, str>> {
        (**self).pieces()
    }
}

/// A configured schemaless write: [`Connection::schemaless`] then setters, then
/// [`insert`](Self::insert). Unset options take TDengine's defaults: precision not
/// configured, no TTL, MD5 child-table names, a request id from the connection's counter.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `insert` is called"]
pub struct Schemaless<'c> {
    conn: &'c Connection,
    protocol: SchemalessProtocol,
    precision: SchemalessPrecision,
    ttl: u32,
    table_name_key: Option<String>,
    req_id: Option<u64>,
}

impl Schemaless<'_> {
    /// The unit of line-protocol timestamps (default: not configured, i.e. nanoseconds).
    pub fn precision(mut self, precision: SchemalessPrecision) -> Self {
        self.precision = precision;
        self
    }

    /// TTL in days of the tables this write creates (default 0: none).
    pub fn ttl(mut self, days: u32) -> Self {
        self.ttl = days;
        self
    }

    /// The tag whose value names each record's child table (dots become underscores), in
    /// place of TDengine's `t_<md5>` names. Needs taosAdapter ≥ 3.3.3.0.
    pub fn table_name_key(mut self, key: &str) -> Self {
        self.table_name_key = (!key.is_empty()).then(|| key.to_owned());
        self
    }

    /// The request id sent with the write (for tracing).
    pub fn req_id(mut self, req_id: u64) -> Self {
        self.req_id = Some(req_id);
        self
    }

    /// Writes `lines` and returns the affected-row count (see the [module docs](self) for
    /// what REST returns instead).
    pub fn insert<L: SchemalessLines + ?Sized>(&self, lines: &L) -> Result<u64> {
        let pieces = lines.pieces();
        let payload = payload(self.protocol, &pieces)?;
        let ttl = i32::try_from(self.ttl).map_err(|_| {
            Error::new(
                ErrorKind::Programming,
                format!("schemaless ttl {} days is out of range", self.ttl),
            )
        })?;
        let shared = self.conn.shared();
        let req_id = self.req_id.unwrap_or_else(|| shared.next_req_id());
        log::debug!(
            "schemaless insert req_id={req_id} protocol={} precision={:?} ({} bytes)",
            self.protocol,
            self.precision.as_str(),
            payload.len()
        );
        let write = SchemalessWrite {
            protocol: self.protocol.code(),
            precision: self.precision.as_str(),
            ttl,
            table_name_key: self.table_name_key.as_deref().unwrap_or_default(),
            req_id,
            data: &payload,
        };
        shared.with(|session| session.schemaless_insert(&write))
    }
}

impl Connection {
    /// Writes schemaless records into the current database and returns the affected-row
    /// count: the Python connectors' `schemaless_insert(lines, protocol, precision, ttl,
    /// req_id)`. `ttl` is in days (0: none); `req_id` `None` takes the connection's next id.
    ///
    /// `lines` is one string or a slice/array/`Vec` of strings; for
    /// [`Json`](SchemalessProtocol::Json) it must be exactly one document. See the
    /// [module docs](crate::schemaless) for the transports and errors, and
    /// [`schemaless`](Self::schemaless) for the builder form (`table_name_key`).
    pub fn schemaless_insert<L: SchemalessLines + ?Sized>(
        &self,
        lines: &L,
        protocol: SchemalessProtocol,
        precision: SchemalessPrecision,
        ttl: u32,
        req_id: Option<u64>,
    ) -> Result<u64> {
        let mut b = self.schemaless(protocol).precision(precision).ttl(ttl);
        b.req_id = req_id;
        b.insert(lines)
    }

    /// A schemaless write of `protocol` records with every option at its default; set
    /// options on the returned builder, then call [`insert`](Schemaless::insert).
    pub fn schemaless(&self, protocol: SchemalessProtocol) -> Schemaless<'_> {
        Schemaless {
            conn: self,
            protocol,
            precision: SchemalessPrecision::NotConfigured,
            ttl: 0,
            table_name_key: None,
            req_id: None,
        }
    }
}

/// The wire payload: the pieces joined with `\n` (line, telnet), or the one JSON document.
fn payload(protocol: SchemalessProtocol, pieces: &[Cow<'_, str>]) -> Result<String> {
    if protocol == SchemalessProtocol::Json && pieces.len() != 1 {
        return Err(Error::new(
            ErrorKind::Programming,
            format!(
                "OpenTSDB JSON takes exactly one document (an object or an array), got {} strings",
                pieces.len()
            ),
        ));
    }
    Ok(pieces.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_texts_round_trip() {
        for p in [
            SchemalessPrecision::NotConfigured,
            SchemalessPrecision::Hour,
            SchemalessPrecision::Minute,
            SchemalessPrecision::Second,
            SchemalessPrecision::Millisecond,
            SchemalessPrecision::Microsecond,
            SchemalessPrecision::Nanosecond,
        ] {
            assert_eq!(p.as_str().parse::<SchemalessPrecision>().ok(), Some(p));
        }
        assert_eq!(
            "μ".parse::<SchemalessPrecision>().ok(),
            Some(SchemalessPrecision::Microsecond)
        );
        let e = "xs".parse::<SchemalessPrecision>().err();
        let e = e.as_ref().map(|e| (e.kind(), e.code()));
        assert_eq!(
            e,
            Some((
                ErrorKind::Schemaless,
                Some(Code::SML_INVALID_PRECISION_TYPE)
            ))
        );
    }

    #[test]
    fn protocol_codes() {
        for p in [
            SchemalessProtocol::Line,
            SchemalessProtocol::Telnet,
            SchemalessProtocol::Json,
        ] {
            assert_eq!(SchemalessProtocol::from_code(p.code()), Some(p));
            assert_eq!(p.to_string().parse::<SchemalessProtocol>().ok(), Some(p));
        }
        assert_eq!(SchemalessProtocol::from_code(0), None);
        assert!("csv".parse::<SchemalessProtocol>().is_err());
    }

    #[test]
    fn lines_accept_strings_slices_and_vecs() {
        fn join<L: SchemalessLines + ?Sized>(l: &L) -> String {
            l.pieces().join("|")
        }
        assert_eq!(join("a\nb"), "a\nb");
        assert_eq!(join(&String::from("a")), "a");
        assert_eq!(join(&["a", "b"]), "a|b");
        assert_eq!(join(&vec![String::from("a"), String::from("b")]), "a|b");
        let slice: &[&str] = &["x"];
        assert_eq!(join(slice), "x");
        assert!(payload(SchemalessProtocol::Json, &["{}".into(), "{}".into()]).is_err());
        assert_eq!(
            payload(SchemalessProtocol::Line, &["a".into(), "b".into()]).ok(),
            Some("a\nb".to_owned())
        );
    }
}
