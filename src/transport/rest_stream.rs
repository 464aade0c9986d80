//! Streaming a `/rest/sql` reply: the `data` array is read row by row while the body
//! arrives, and handed out in blocks, so a REST result of any size needs about one block of
//! memory (01 §1: taosAdapter writes `code`, `column_meta`, then `data`, then `rows`).
//!
//! The reader scans the JSON structure only (strings, escapes, nesting); each block of raw
//! rows is decoded by the same code as a whole reply (`taosync_proto::rest`), framed as a
//! small reply of its own: the members before `data` (the head) plus the block's rows.

use std::io::{BufRead, ErrorKind as IoKind};

use crate::error::{Error, Result};

/// Rows per block handed out.
pub(crate) const BLOCK_ROWS: usize = 4096;
/// The largest head (`code`, `column_meta`, …) or single row accepted.
const MAX_PIECE: usize = 64 << 20;

/// Where the scan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Inside the `data` array, before an element or its end.
    Rows,
    /// The body was read to its end.
    Done,
}

/// A reply being read: its head and, while rows remain, the reader.
pub(crate) struct RestStream<R> {
    reader: R,
    /// The members before `data`, as `"key":value,` text (no braces).
    head: Vec<u8>,
    state: State,
    /// Rows read so far.
    delivered: u64,
}

impl<R> std::fmt::Debug for RestStream<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestStream")
            .field("state", &self.state)
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

fn malformed(why: impl std::fmt::Display) -> Error {
    Error::result(format!("REST reply is not a taosAdapter reply: {why}"))
}

fn io_error(e: std::io::Error) -> Error {
    let kind = if matches!(e.kind(), IoKind::TimedOut | IoKind::WouldBlock) {
        crate::ErrorKind::Operational
    } else {
        crate::ErrorKind::Connection
    };
    let code = if kind == crate::ErrorKind::Operational {
        crate::Code::CLIENT_RECV_TIMEOUT
    } else {
        crate::Code::CLIENT_CONNECTION_CLOSED
    };
    Error::new(
        kind,
        format!("REST reply cut off while reading its rows: {e}"),
    )
    .with_code(code)
    .with_source(e)
}

/// The next byte, `None` at the end of the body.
fn peek<R: BufRead>(r: &mut R) -> Result<Option<u8>> {
    loop {
        match r.fill_buf() {
            Ok(buf) => return Ok(buf.first().copied()),
            Err(e) if e.kind() == IoKind::Interrupted => {}
            Err(e) => return Err(io_error(e)),
        }
    }
}

fn bump<R: BufRead>(r: &mut R) {
    r.consume(1);
}

fn skip_ws<R: BufRead>(r: &mut R) -> Result<Option<u8>> {
    while let Some(b) = peek(r)? {
        if b.is_ascii_whitespace() {
            bump(r);
        } else {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

fn expect<R: BufRead>(r: &mut R, want: u8) -> Result<()> {
    match skip_ws(r)? {
        Some(b) if b == want => {
            bump(r);
            Ok(())
        }
        Some(b) => Err(malformed(format!(
            "expected {:?}, found {:?}",
            want as char, b as char
        ))),
        None => Err(io_error(std::io::Error::new(
            IoKind::UnexpectedEof,
            format!("the body ended where {:?} was expected", want as char),
        ))),
    }
}

/// Appends one complete JSON value (after optional whitespace) to `out`, byte for byte.
fn read_value<R: BufRead>(r: &mut R, out: &mut Vec<u8>) -> Result<()> {
    let limit = out.len() + MAX_PIECE;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let first = skip_ws(r)?.ok_or_else(|| {
        io_error(std::io::Error::new(
            IoKind::UnexpectedEof,
            "the body ended where a value was expected",
        ))
    })?;
    let scalar = !matches!(first, b'{' | b'[' | b'"');
    loop {
        let Some(b) = peek(r)? else {
            if scalar && depth == 0 {
                return Ok(());
            }
            return Err(io_error(std::io::Error::new(
                IoKind::UnexpectedEof,
                "the body ended inside a value",
            )));
        };
        if scalar && !in_string && matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
            return Ok(());
        }
        bump(r);
        out.push(b);
        if out.len() > limit {
            return Err(malformed(format!("a value longer than {MAX_PIECE} bytes")));
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 0 {
                    return Ok(());
                }
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| malformed("unbalanced brackets"))?;
                if depth == 0 {
                    return Ok(());
                }
            }
            _ => {}
        }
    }
}

/// How the opening of a reply ended.
pub(crate) enum Opened<R> {
    /// The whole reply (no `data` member, or one already complete): decode it as is.
    Whole(Vec<u8>),
    /// A reply whose `data` array is being read: the first block's body, and the stream
    /// for the rest.
    Streaming(Vec<u8>, RestStream<R>),
}

impl<R: BufRead> RestStream<R> {
    /// Reads the members before `data` and the first block of rows.
    pub(crate) fn open(mut reader: R) -> Result<Opened<R>> {
        expect(&mut reader, b'{')?;
        let mut head = Vec::new();
        loop {
            match skip_ws(&mut reader)? {
                Some(b'}') => {
                    bump(&mut reader);
                    let mut body = Vec::with_capacity(head.len() + 2);
                    body.push(b'{');
                    body.extend_from_slice(head.strip_suffix(b",").unwrap_or(&head));
                    body.push(b'}');
                    return Ok(Opened::Whole(body));
                }
                Some(b',') => bump(&mut reader),
                _ => {}
            }
            let mut key = Vec::new();
            read_value(&mut reader, &mut key)?;
            expect(&mut reader, b':')?;
            if key == b"\"data\"" && head.windows(13).any(|w| w == b"\"column_meta\"") {
                expect(&mut reader, b'[')?;
                let mut stream = RestStream {
                    reader,
                    head,
                    state: State::Rows,
                    delivered: 0,
                };
                let first = stream.next_body()?.unwrap_or_else(|| stream.body_of(&[]));
                return Ok(Opened::Streaming(first, stream));
            }
            head.extend_from_slice(&key);
            head.push(b':');
            read_value(&mut reader, &mut head)?;
            head.push(b',');
            if head.len() > MAX_PIECE {
                return Err(malformed(format!("a head longer than {MAX_PIECE} bytes")));
            }
        }
    }

    fn body_of(&self, rows: &[u8]) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.head.len() + rows.len() + 12);
        body.push(b'{');
        body.extend_from_slice(&self.head);
        body.extend_from_slice(b"\"data\":[");
        body.extend_from_slice(rows);
        body.extend_from_slice(b"]}");
        body
    }

    /// True once every row was read.
    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The next block as a small reply body (head plus up to [`BLOCK_ROWS`] rows), `None`
    /// when no rows remain.
    pub(crate) fn next_body(&mut self) -> Result<Option<Vec<u8>>> {
        if self.state == State::Done {
            return Ok(None);
        }
        let mut rows = Vec::new();
        let mut n = 0usize;
        while n < BLOCK_ROWS {
            match skip_ws(&mut self.reader)? {
                Some(b']') => {
                    bump(&mut self.reader);
                    self.finish()?;
                    break;
                }
                Some(b',') if n > 0 || self.delivered > 0 => bump(&mut self.reader),
                _ => {}
            }
            if n > 0 {
                rows.push(b',');
            }
            read_value(&mut self.reader, &mut rows)?;
            n += 1;
            self.delivered += 1;
        }
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(self.body_of(&rows)))
    }

    /// Reads the members after `data` (`rows`, `timing`) and the closing brace.
    fn finish(&mut self) -> Result<()> {
        let mut tail = Vec::new();
        loop {
            match skip_ws(&mut self.reader)? {
                Some(b'}') => {
                    bump(&mut self.reader);
                    break;
                }
                Some(b',') => bump(&mut self.reader),
                None => {
                    return Err(io_error(std::io::Error::new(
                        IoKind::UnexpectedEof,
                        "the body ended before its closing brace",
                    )));
                }
                _ => {}
            }
            tail.clear();
            read_value(&mut self.reader, &mut tail)?;
            let key = std::mem::take(&mut tail);
            expect(&mut self.reader, b':')?;
            read_value(&mut self.reader, &mut tail)?;
            if key == b"\"rows\"" {
                let n: u64 = serde_json::from_slice(&tail)
                    .map_err(|e| malformed(format!("\"rows\" is not a count: {e}")))?;
                if n != self.delivered {
                    return Err(Error::result(format!(
                        "REST response says {n} rows but holds {}",
                        self.delivered
                    )));
                }
            }
        }
        self.state = State::Done;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(body: &str) -> Opened<&[u8]> {
        RestStream::open(body.as_bytes()).unwrap()
    }

    #[test]
    fn a_reply_without_data_is_whole() {
        let Opened::Whole(b) = open(r#" {"code":9728,"desc":"syntax error near \"}\""} "#) else {
            panic!("whole")
        };
        assert_eq!(
            std::str::from_utf8(&b).unwrap(),
            r#"{"code":9728,"desc":"syntax error near \"}\""}"#
        );
    }

    #[test]
    fn rows_come_in_blocks_and_the_count_is_checked() {
        let rows: Vec<String> = (0..BLOCK_ROWS + 3)
            .map(|i| format!("[{i},\"a,]\\\"b\"]"))
            .collect();
        let body = format!(
            r#"{{"code":0,"column_meta":[["v","INT",4],["s","VARCHAR",8]],"data":[{}],"rows":{}}}"#,
            rows.join(","),
            rows.len()
        );
        let Opened::Streaming(first, mut s) = open(&body) else {
            panic!("streaming")
        };
        let first: serde_json::Value = serde_json::from_slice(&first).unwrap();
        assert_eq!(first["data"].as_array().unwrap().len(), BLOCK_ROWS);
        assert_eq!(first["data"][1][1], "a,]\"b");
        let second: serde_json::Value =
            serde_json::from_slice(&s.next_body().unwrap().unwrap()).unwrap();
        assert_eq!(second["data"].as_array().unwrap().len(), 3);
        assert_eq!(second["column_meta"][0][0], "v");
        assert!(s.next_body().unwrap().is_none());
        assert!(s.is_done());

        let lying = body.replace(&format!("\"rows\":{}", rows.len()), "\"rows\":7");
        let Opened::Streaming(_, mut s) = open(&lying) else {
            panic!("streaming")
        };
        let e = std::iter::from_fn(|| s.next_body().transpose()).find_map(Result::err);
        assert!(e.unwrap().message().contains("says 7 rows"));
    }

    #[test]
    fn empty_data_and_cut_bodies() {
        let Opened::Streaming(first, mut s) =
            open(r#"{"code":0,"column_meta":[["v","INT",4]],"data":[],"rows":0}"#)
        else {
            panic!("streaming")
        };
        let first: serde_json::Value = serde_json::from_slice(&first).unwrap();
        assert_eq!(first["data"], serde_json::json!([]));
        assert!(s.next_body().unwrap().is_none());

        let cut = r#"{"code":0,"column_meta":[["v","INT",4]],"data":[[1],[2"#;
        let e = RestStream::open(cut.as_bytes()).err().unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::Connection, "{e:?}");
        for junk in ["", "[1]", r#"{"code":0 "x"}"#] {
            assert!(RestStream::open(junk.as_bytes()).is_err(), "{junk:?}");
        }
    }
}
