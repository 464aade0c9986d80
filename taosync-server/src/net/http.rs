//! A small HTTP/1.1 layer over a blocking stream: request parsing with `httparse`
//! (keep-alive, `Content-Length` and chunked bodies, bounded sizes and deadlines, a
//! server-wide budget of buffered body bytes) and response writing (fixed-length and
//! chunked bodies).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Most headers accepted in one request.
const MAX_HEADERS: usize = 64;
/// Size of one socket read.
const READ_CHUNK: usize = 16 * 1024;

/// `from + d`, or a point so far away that it never comes when that overflows.
pub(crate) fn after(from: Instant, d: Duration) -> Instant {
    from.checked_add(d)
        .or_else(|| from.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(from)
}

/// A TCP socket whose reads can be held to a deadline: before each read the socket's read
/// timeout is set to the time left, so a peer that drips bytes cannot stretch a bounded
/// phase (TLS handshake, request head, body) past its deadline.
#[derive(Debug)]
pub(crate) struct Tcp {
    sock: TcpStream,
    deadline: Option<Instant>,
}

impl Tcp {
    /// `sock`, with no deadline (reads wait as long as the socket's own read timeout).
    pub(crate) fn new(sock: TcpStream) -> Tcp {
        Tcp {
            sock,
            deadline: None,
        }
    }

    /// Holds every later read to `deadline` (`None`: the socket's own read timeout, as
    /// last set, applies).
    pub(crate) fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }
}

impl Read for Tcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the peer missed its deadline",
                ));
            }
            self.sock.set_read_timeout(Some(left))?;
        }
        self.sock.read(buf)
    }
}

impl Write for Tcp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

/// A plain or TLS server-side connection.
pub(crate) enum Stream {
    /// Plain TCP.
    Plain(Tcp),
    /// TLS over TCP.
    Tls(Box<native_tls::TlsStream<Tcp>>),
}

impl Stream {
    /// The underlying TCP socket (for timeouts and shutdown).
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => &s.sock,
            Stream::Tls(s) => &s.get_ref().sock,
        }
    }

    /// Holds every later read to `deadline` (`None`: the socket's own read timeout, as
    /// last set, applies).
    pub(crate) fn set_deadline(&mut self, deadline: Option<Instant>) {
        match self {
            Stream::Plain(s) => s.set_deadline(deadline),
            Stream::Tls(s) => s.get_mut().set_deadline(deadline),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// The server-wide budget of request-body bytes buffered at once, across all
/// connections. Bodies take from it as they are read and give back when their request is
/// done (see [`BodyLease`]).
#[derive(Debug)]
pub(crate) struct BodyBudget {
    limit: usize,
    used: AtomicUsize,
}

impl BodyBudget {
    /// A budget of `limit` bytes, all free.
    pub(crate) fn new(limit: usize) -> BodyBudget {
        BodyBudget {
            limit,
            used: AtomicUsize::new(0),
        }
    }

    /// The bytes held by bodies right now.
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::SeqCst)
    }

    /// Takes `n` bytes if they fit in what is left.
    fn try_take(&self, n: usize) -> bool {
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(n).filter(|total| *total <= self.limit)
            })
            .is_ok()
    }

    fn give_back(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::SeqCst);
    }
}

/// The part of the [`BodyBudget`] one request's body holds; given back when dropped, on
/// every path (answered, failed, connection cut).
pub(crate) struct BodyLease {
    budget: Arc<BodyBudget>,
    bytes: usize,
}

impl BodyLease {
    /// A lease of nothing yet on `budget`.
    fn new(budget: &Arc<BodyBudget>) -> BodyLease {
        BodyLease {
            budget: Arc::clone(budget),
            bytes: 0,
        }
    }

    /// Takes `n` more bytes; false (and nothing taken) when they do not fit.
    fn grow(&mut self, n: usize) -> bool {
        let ok = self.budget.try_take(n);
        if ok {
            self.bytes += n;
        }
        ok
    }
}

impl Drop for BodyLease {
    fn drop(&mut self) {
        self.budget.give_back(self.bytes);
    }
}

impl std::fmt::Debug for BodyLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyLease")
            .field("bytes", &self.bytes)
            .finish()
    }
}

/// The bounds every HTTP connection is held to.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// How long a request head may take: from the accept for the first request (TLS
    /// handshake included), from its first byte for later ones.
    pub(crate) head_timeout: Duration,
    /// How long a whole request (head and body) may take once its first byte is in.
    pub(crate) request_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests.
    pub(crate) idle_timeout: Duration,
    /// Largest request body accepted.
    pub(crate) max_body: usize,
    /// The server-wide budget of buffered body bytes.
    pub(crate) budget: Arc<BodyBudget>,
}

/// One parsed HTTP request.
#[derive(Debug)]
pub(crate) struct Request {
    /// `GET`, `POST`, ...
    pub(crate) method: String,
    /// The percent-decoded path, without the query string.
    pub(crate) path: String,
    /// The decoded query parameters, in order.
    pub(crate) query: Vec<(String, String)>,
    /// Headers with lower-cased names.
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    /// The body (decoded when it was chunked).
    pub(crate) body: Vec<u8>,
    /// Whether the connection may carry another request after this one.
    pub(crate) keep_alive: bool,
    /// Whether the body could not be read in full (the request is answered, then the
    /// connection is closed).
    pub(crate) body_error: bool,
    /// The body's share of the server-wide body budget, given back with the request.
    pub(crate) lease: Option<BodyLease>,
}

impl Request {
    /// The first header named `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// True when the header `name` holds `token` in its comma-separated list.
    pub(crate) fn header_has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .any(|(_, v)| {
                String::from_utf8_lossy(v)
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case(token))
            })
    }

    /// The first query parameter named `name`.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed the connection (or went idle past the timeout) between requests.
    Closed,
    /// The bytes are not an acceptable HTTP/1.1 request: answer 400 and close.
    Malformed(&'static str),
    /// The request head is too large: answer 431 and close.
    HeadTooLarge,
    /// An I/O error or a timeout in the middle of a request: close.
    Io(io::Error),
    /// The body does not fit in what is left of the server-wide body budget; it was not
    /// buffered. Answer 503; the connection may carry another request when `keep_alive`
    /// (the body was read past and dropped), else close it.
    Busy {
        /// Whether the connection is still usable.
        keep_alive: bool,
    },
}

/// How a request's body is delimited (RFC 9112 §6.3).
enum Framing {
    /// No body.
    Empty,
    /// `Content-Length` bytes (`None`: the value is not a number this server takes).
    Length(Option<usize>),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// Reads the framing headers of `req`. Conflicting framing is a smuggling shape and gets
/// 400 and a closed connection: `Content-Length` together with `Transfer-Encoding`, two
/// `Content-Length` values that differ, or a transfer coding other than a lone `chunked`.
/// Repeated `Content-Length` values that are all the same number are taken as that one
/// number (RFC 9110 §8.6 lets a recipient do so).
fn framing(req: &Request) -> Result<Framing, ReadError> {
    let values = |name: &str| -> Vec<String> {
        req.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| {
                String::from_utf8_lossy(v)
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let lengths = values("content-length");
    let has_te = req.header("transfer-encoding").is_some();
    if has_te {
        if !lengths.is_empty() {
            return Err(ReadError::Malformed(
                "both Content-Length and Transfer-Encoding",
            ));
        }
        let codings = values("transfer-encoding");
        return match codings.as_slice() {
            [only] if only.eq_ignore_ascii_case("chunked") => Ok(Framing::Chunked),
            _ => Err(ReadError::Malformed("unsupported Transfer-Encoding")),
        };
    }
    let Some(first) = lengths.first() else {
        return Ok(Framing::Empty);
    };
    if lengths.iter().any(|l| l != first) {
        return Err(ReadError::Malformed("conflicting Content-Length values"));
    }
    let number = (!first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()))
        .then(|| first.parse::<usize>().ok())
        .flatten();
    if number.is_none() && lengths.len() > 1 {
        return Err(ReadError::Malformed("conflicting Content-Length values"));
    }
    Ok(Framing::Length(number))
}

/// The reading side of one HTTP connection: the stream and the bytes read past the last
/// request.
pub(crate) struct HttpConn {
    /// The connection.
    pub(crate) stream: Stream,
    /// Bytes received but not yet consumed.
    pub(crate) buf: Vec<u8>,
    /// The bounds this connection is held to.
    limits: Limits,
    /// When the first request's head must be in (set at the accept, taken by the first
    /// request).
    first_head_by: Option<Instant>,
}

impl HttpConn {
    /// A connection over `stream`, accepted at `accepted`.
    pub(crate) fn new(stream: Stream, limits: Limits, accepted: Instant) -> HttpConn {
        let first_head_by = Some(after(accepted, limits.head_timeout));
        HttpConn {
            stream,
            buf: Vec::new(),
            limits,
            first_head_by,
        }
    }

    /// Reads more bytes into the buffer, by the stream's deadline; `Ok(0)` at end of
    /// stream.
    fn fill(&mut self) -> io::Result<usize> {
        let start = self.buf.len();
        self.buf.resize(start + READ_CHUNK, 0);
        let got = loop {
            match self.stream.read(&mut self.buf[start..]) {
                Ok(n) => break Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(e),
            }
        };
        self.buf.truncate(start + *got.as_ref().unwrap_or(&0));
        got
    }

    /// When the head of a request whose first byte came at `began` must be complete.
    fn head_by(&self, first: Option<Instant>, began: Instant) -> Instant {
        let whole = after(began, self.limits.request_timeout);
        first
            .unwrap_or_else(|| after(began, self.limits.head_timeout))
            .min(whole)
    }

    /// Reads the next request and its body. Bytes after the body stay in the buffer (the
    /// next request, or the first WebSocket frames after an upgrade).
    ///
    /// Deadlines: the first request's head must be in within the head timeout of the
    /// accept; a later one within the head timeout of its first byte, after at most the
    /// idle timeout of silence; the whole request within the request timeout of its first
    /// byte. Silence past the first deadline before any byte is a quiet `Closed`.
    pub(crate) fn read_request(&mut self) -> Result<Request, ReadError> {
        let first = self.first_head_by.take();
        let mut began = (!self.buf.is_empty()).then(Instant::now);
        let wait_by = match began {
            Some(t) => self.head_by(first, t),
            None => first.unwrap_or_else(|| after(Instant::now(), self.limits.idle_timeout)),
        };
        self.stream.set_deadline(Some(wait_by));
        let (head_len, mut req) = loop {
            if !self.buf.is_empty() {
                let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut parsed = httparse::Request::new(&mut headers);
                match parsed.parse(&self.buf) {
                    Ok(httparse::Status::Complete(n)) if n > MAX_HEAD => {
                        return Err(ReadError::HeadTooLarge);
                    }
                    Ok(httparse::Status::Complete(n)) => break (n, build_request(&parsed)?),
                    Ok(httparse::Status::Partial) => {}
                    Err(httparse::Error::TooManyHeaders) => return Err(ReadError::HeadTooLarge),
                    Err(_) => return Err(ReadError::Malformed("malformed request")),
                }
                if self.buf.len() > MAX_HEAD {
                    return Err(ReadError::HeadTooLarge);
                }
            }
            let idle = began.is_none();
            match self.fill() {
                Ok(0) if idle => return Err(ReadError::Closed),
                Ok(0) => return Err(ReadError::Malformed("connection closed mid-request")),
                Ok(_) => {
                    if idle {
                        let now = Instant::now();
                        began = Some(now);
                        let by = self.head_by(first, now);
                        self.stream.set_deadline(Some(by));
                    }
                }
                Err(e) if idle && is_timeout(&e) => return Err(ReadError::Closed),
                Err(e) => return Err(ReadError::Io(e)),
            }
        };
        self.buf.drain(..head_len);
        let began = began.unwrap_or_else(Instant::now);
        self.stream
            .set_deadline(Some(after(began, self.limits.request_timeout)));

        let framing = framing(&req)?;
        // Clients such as curl wait for an interim 100 before sending a large body; it is
        // only sent for a body this server means to read.
        let expects_continue = req
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"));
        let mut lease = BodyLease::new(&self.limits.budget);
        match framing {
            Framing::Empty => {}
            Framing::Length(Some(len)) if len <= self.limits.max_body => {
                let fits = lease.grow(len);
                if !fits && expects_continue && self.buf.is_empty() {
                    // The client has not sent the body and will not before a 100.
                    return Err(ReadError::Busy { keep_alive: false });
                }
                self.send_continue(expects_continue && len > 0)?;
                if !fits {
                    self.take_body(len, None)?;
                    return Err(ReadError::Busy {
                        keep_alive: req.keep_alive,
                    });
                }
                let mut body = Vec::with_capacity(len);
                self.take_body(len, Some(&mut body))?;
                req.body = body;
            }
            Framing::Length(_) => {
                req.body_error = true;
                req.keep_alive = false;
            }
            Framing::Chunked => {
                self.send_continue(expects_continue)?;
                match self.read_chunked(&mut lease) {
                    Ok(Some(body)) => req.body = body,
                    Ok(None) => {
                        return Err(ReadError::Busy {
                            keep_alive: req.keep_alive,
                        });
                    }
                    Err(ReadError::Malformed(_)) => {
                        req.body_error = true;
                        req.keep_alive = false;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        req.lease = Some(lease);
        Ok(req)
    }

    /// Sends the interim `100 Continue` when `wanted` and the body has not started yet.
    fn send_continue(&mut self, wanted: bool) -> Result<(), ReadError> {
        if wanted && self.buf.is_empty() {
            self.stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .and_then(|()| self.stream.flush())
                .map_err(ReadError::Io)?;
        }
        Ok(())
    }

    /// Moves the next `n` body bytes into `sink`, or reads past them when `sink` is
    /// `None`; at most one read's worth of them is held besides the sink.
    fn take_body(&mut self, mut n: usize, mut sink: Option<&mut Vec<u8>>) -> Result<(), ReadError> {
        loop {
            let k = n.min(self.buf.len());
            if let Some(sink) = sink.as_deref_mut() {
                sink.extend_from_slice(&self.buf[..k]);
            }
            self.buf.drain(..k);
            n -= k;
            if n == 0 {
                return Ok(());
            }
            match self.fill() {
                Ok(0) => return Err(ReadError::Malformed("body shorter than Content-Length")),
                Ok(_) => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    /// Reads one CRLF-terminated line (without the CRLF), bounded.
    fn read_line(&mut self) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[..pos].to_vec();
                self.buf.drain(..pos + 2);
                return Ok(line);
            }
            if self.buf.len() > MAX_HEAD {
                return Err(ReadError::Malformed("chunk line too long"));
            }
            match self.fill() {
                Ok(0) => return Err(ReadError::Malformed("connection closed in a chunk")),
                Ok(_) => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    /// Reads a chunked body, taking from the budget chunk by chunk through `lease`.
    /// `Ok(None)`: it outgrew the budget, and the rest of it was read past and dropped.
    fn read_chunked(&mut self, lease: &mut BodyLease) -> Result<Option<Vec<u8>>, ReadError> {
        let mut body = Some(Vec::new());
        let mut total = 0usize;
        loop {
            let line = self.read_line()?;
            let text = String::from_utf8_lossy(&line);
            let size_text = text.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| ReadError::Malformed("bad chunk size"))?;
            if size == 0 {
                // Trailers until an empty line.
                loop {
                    if self.read_line()?.is_empty() {
                        return Ok(body);
                    }
                }
            }
            total = total.saturating_add(size);
            if total > self.limits.max_body {
                return Err(ReadError::Malformed("chunked body too large"));
            }
            if body.is_some() && !lease.grow(size) {
                body = None;
            }
            self.take_body(size, body.as_mut())?;
            if !self.read_line()?.is_empty() {
                return Err(ReadError::Malformed("chunk not followed by CRLF"));
            }
        }
    }
}

fn build_request(parsed: &httparse::Request<'_, '_>) -> Result<Request, ReadError> {
    let method = parsed.method.unwrap_or_default().to_owned();
    let target = parsed.path.unwrap_or_default();
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let path = percent_decode(raw_path, false).ok_or(ReadError::Malformed(
        "path is not valid percent-encoded UTF-8",
    ))?;
    let query = parse_query(raw_query);
    let headers: Vec<(String, Vec<u8>)> = parsed
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
        .collect();
    let version = parsed.version.unwrap_or(1);
    let conn_header = headers
        .iter()
        .filter(|(n, _)| n == "connection")
        .map(|(_, v)| String::from_utf8_lossy(v).to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    let keep_alive = if version == 0 {
        conn_header.contains("keep-alive")
    } else {
        !conn_header.split(',').any(|t| t.trim() == "close")
    };
    Ok(Request {
        method,
        path,
        query,
        headers,
        body: Vec::new(),
        keep_alive,
        body_error: false,
        lease: None,
    })
}

/// Splits and decodes `a=1&b=x%20y` (`+` is a space).
pub(crate) fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| percent_decode(s, true).unwrap_or_else(|| s.to_owned());
            (dec(k), dec(v))
        })
        .collect()
}

/// Percent-decodes `s` (with `plus_is_space`, a `+` is a space, as in form and query
/// strings; `%2B` stays a `+`); `None` for a `%` not followed by two hex digits or a result
/// that is not UTF-8.
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    let spaced;
    let s = if plus_is_space {
        spaced = s.replace('+', " ");
        spaced.as_str()
    } else {
        s
    };
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// True for the errors a socket read timeout produces.
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// The reason phrase for the status codes this server sends.
fn reason(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Serialises a complete response with a fixed-length body.
pub(crate) fn response_bytes(
    status: u16,
    content_type: &str,
    body: &[u8],
    keep_alive: bool,
) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        reason(status),
        body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The head of a chunked response.
pub(crate) fn chunked_head(status: u16, content_type: &str, keep_alive: bool) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: {}\r\n\r\n",
        reason(status),
        if keep_alive { "keep-alive" } else { "close" },
    )
    .into_bytes()
}

/// Writes a chunked body: buffers up to `flush_at` bytes per chunk.
pub(crate) struct ChunkedWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    flush_at: usize,
}

impl<W: Write> ChunkedWriter<W> {
    /// A writer over `out` that sends a chunk each `flush_at` bytes.
    pub(crate) fn new(out: W, flush_at: usize) -> ChunkedWriter<W> {
        ChunkedWriter {
            out,
            buf: Vec::with_capacity(flush_at + 1024),
            flush_at,
        }
    }

    /// The pending (unsent) bytes.
    pub(crate) fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Sends the buffer as a chunk once it has reached the threshold.
    pub(crate) fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= self.flush_at {
            self.send_chunk()?;
        }
        Ok(())
    }

    fn send_chunk(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut frame = format!("{:x}\r\n", self.buf.len()).into_bytes();
        frame.extend_from_slice(&self.buf);
        frame.extend_from_slice(b"\r\n");
        self.out.write_all(&frame)?;
        self.buf.clear();
        Ok(())
    }

    /// Sends what is left and the terminating zero-size chunk.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.send_chunk()?;
        self.out.write_all(b"0\r\n\r\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        let q = parse_query("tz=Asia%2FShanghai&row_with_meta=true&x=a+b&flag");
        assert_eq!(q[0], ("tz".into(), "Asia/Shanghai".into()));
        assert_eq!(q[1], ("row_with_meta".into(), "true".into()));
        assert_eq!(q[2], ("x".into(), "a b".into()));
        assert_eq!(q[3], ("flag".into(), String::new()));
        assert_eq!(percent_decode("%zz", false), None);
        assert_eq!(percent_decode("%4", false), None);
        assert_eq!(
            percent_decode("a+b%2B%20c", true).as_deref(),
            Some("a b+ c")
        );
        assert_eq!(percent_decode("a+b%2B", false).as_deref(), Some("a+b+"));
        assert_eq!(percent_decode("%E4%B8%AD", false).as_deref(), Some("中"));
        assert_eq!(percent_decode("%ff%fe", true), None);
    }

    #[test]
    fn chunked_writer_frames_chunks() {
        let mut w = ChunkedWriter::new(Vec::new(), 4);
        w.buffer().extend_from_slice(b"abcdef");
        w.maybe_flush().unwrap();
        w.buffer().extend_from_slice(b"g");
        let out = w.finish().unwrap();
        assert_eq!(out, b"6\r\nabcdef\r\n1\r\ng\r\n0\r\n\r\n");
    }

    #[test]
    fn fixed_response() {
        let r = response_bytes(404, "text/plain", b"404 page not found", false);
        let text = String::from_utf8(r).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(text.contains("Content-Length: 18\r\n"));
        assert!(text.contains("Connection: close\r\n"));
        assert!(text.ends_with("\r\n\r\n404 page not found"));
    }
}
