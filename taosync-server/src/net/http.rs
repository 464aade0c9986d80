//! A small HTTP/1.1 layer over a blocking stream: request parsing with `httparse`
//! (keep-alive, `Content-Length` and chunked bodies, bounded sizes) and response writing
//! (fixed-length and chunked bodies).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Most headers accepted in one request.
const MAX_HEADERS: usize = 64;
/// Size of one socket read.
const READ_CHUNK: usize = 16 * 1024;

/// A plain or TLS server-side connection.
pub(crate) enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<native_tls::TlsStream<TcpStream>>),
}

impl Stream {
    /// The underlying TCP socket (for timeouts and shutdown).
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref(),
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
}

/// The reading side of one HTTP connection: the stream and the bytes read past the last
/// request.
pub(crate) struct HttpConn {
    /// The connection.
    pub(crate) stream: Stream,
    /// Bytes received but not yet consumed.
    pub(crate) buf: Vec<u8>,
    /// Largest request body accepted.
    pub(crate) max_body: usize,
    /// How long one request may take to arrive once its first byte is in.
    request_deadline: Duration,
    /// When the request being read started (its first byte), if one is in progress.
    started: Option<Instant>,
}

impl HttpConn {
    /// A connection over `stream`.
    pub(crate) fn new(stream: Stream, max_body: usize, request_deadline: Duration) -> HttpConn {
        HttpConn {
            stream,
            buf: Vec::new(),
            max_body,
            request_deadline,
            started: None,
        }
    }

    /// Reads more bytes into the buffer; `Ok(0)` at end of stream. A request that trickles
    /// in for longer than the deadline is cut off (a timed-out error), so a slow client
    /// cannot hold its thread forever.
    fn fill(&mut self) -> io::Result<usize> {
        if let Some(started) = self.started
            && started.elapsed() > self.request_deadline
        {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request took too long to arrive",
            ));
        }
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

    /// Reads the next request and its body. Bytes after the body stay in the buffer (the
    /// next request, or the first WebSocket frames after an upgrade).
    pub(crate) fn read_request(&mut self) -> Result<Request, ReadError> {
        self.started = (!self.buf.is_empty()).then(Instant::now);
        let result = self.read_request_inner();
        self.started = None;
        result
    }

    fn read_request_inner(&mut self) -> Result<Request, ReadError> {
        // Parse the head.
        let (head_len, mut req) = loop {
            if !self.buf.is_empty() {
                let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut parsed = httparse::Request::new(&mut headers);
                match parsed.parse(&self.buf) {
                    Ok(httparse::Status::Complete(n)) => break (n, build_request(&parsed)?),
                    Ok(httparse::Status::Partial) => {}
                    Err(httparse::Error::TooManyHeaders) => return Err(ReadError::HeadTooLarge),
                    Err(_) => return Err(ReadError::Malformed("malformed request")),
                }
                if self.buf.len() > MAX_HEAD {
                    return Err(ReadError::HeadTooLarge);
                }
            }
            let was_empty = self.buf.is_empty();
            if was_empty && self.started.is_none() {
                // Idle between requests: the deadline starts with the first byte.
                match self.fill() {
                    Ok(0) => return Err(ReadError::Closed),
                    Ok(_) => {
                        self.started = Some(Instant::now());
                        continue;
                    }
                    Err(e) if is_timeout(&e) => return Err(ReadError::Closed),
                    Err(e) => return Err(ReadError::Io(e)),
                }
            }
            match self.fill() {
                Ok(0) if was_empty => return Err(ReadError::Closed),
                Ok(0) => return Err(ReadError::Malformed("connection closed mid-request")),
                Ok(_) => {}
                Err(e) if was_empty && is_timeout(&e) => return Err(ReadError::Closed),
                Err(e) => return Err(ReadError::Io(e)),
            }
        };
        self.buf.drain(..head_len);

        // Clients such as curl wait for an interim 100 before sending a large body.
        let expects_continue = req
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"));
        if expects_continue && self.buf.is_empty() {
            self.stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .and_then(|()| self.stream.flush())
                .map_err(ReadError::Io)?;
        }

        // Then the body.
        let chunked = req.header("transfer-encoding").is_some_and(|v| {
            String::from_utf8_lossy(v)
                .to_ascii_lowercase()
                .contains("chunked")
        });
        if chunked {
            match self.read_chunked() {
                Ok(body) => req.body = body,
                Err(ReadError::Malformed(_)) => {
                    req.body_error = true;
                    req.keep_alive = false;
                }
                Err(e) => return Err(e),
            }
        } else if let Some(len) = req.header("content-length") {
            let len = std::str::from_utf8(len)
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok());
            match len {
                Some(len) if len <= self.max_body => req.body = self.read_exact_body(len)?,
                _ => {
                    req.body_error = true;
                    req.keep_alive = false;
                }
            }
        }
        Ok(req)
    }

    fn read_exact_body(&mut self, len: usize) -> Result<Vec<u8>, ReadError> {
        while self.buf.len() < len {
            match self.fill() {
                Ok(0) => return Err(ReadError::Malformed("body shorter than Content-Length")),
                Ok(_) => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
        Ok(self.buf.drain(..len).collect())
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

    fn read_chunked(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
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
            if body.len().saturating_add(size) > self.max_body {
                return Err(ReadError::Malformed("chunked body too large"));
            }
            let chunk = self.read_exact_body(size)?;
            body.extend_from_slice(&chunk);
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
