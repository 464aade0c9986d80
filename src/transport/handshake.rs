//! The client side of the WebSocket opening handshake (RFC 6455 §4.1), written here so
//! that tungstenite is built without its `handshake` feature: that feature pulls in an
//! HTTP type crate, a SHA-1 implementation with its digest framework and a base-32/64
//! codec (eight crates) for one request and one response per connection.
//!
//! The exchange runs over the connection's [`WsStream`], so `conn_timeout` bounds it like
//! the TCP connect and the TLS handshake before it: a peer dripping its `101` reply fails
//! at the deadline. The reply head is read into a bounded buffer and parsed with
//! httparse; bytes the server sent after the head (a first frame) are handed on to
//! tungstenite with the stream.

use std::io::{self, Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The GUID of RFC 6455 §1.3, appended to the key before hashing.
const ACCEPT_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The largest reply head accepted (taosAdapter's is about 200 bytes).
const MAX_HEAD: usize = 16 * 1024;

/// How an opening handshake failed.
#[derive(Debug)]
pub(crate) enum HandshakeFailure {
    /// Reading or writing the stream failed (a timeout included).
    Io(io::Error),
    /// The server answered with this status instead of `101 Switching Protocols`.
    Status(u16),
    /// The reply was not a valid WebSocket acceptance; the text says why.
    Invalid(String),
}

impl From<io::Error> for HandshakeFailure {
    fn from(e: io::Error) -> Self {
        HandshakeFailure::Io(e)
    }
}

/// The upgrade request for `target` (the path with its query) on `host_header`.
pub(crate) fn request(host_header: &str, target: &str, key: &str) -> String {
    format!(
        "GET {target} HTTP/1.1\r\n\
         Host: {host_header}\r\n\
         Connection: Upgrade\r\n\
         Upgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: {key}\r\n\
         \r\n"
    )
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes in base64.
pub(crate) fn new_key() -> io::Result<String> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(STANDARD.encode(nonce))
}

/// The `Sec-WebSocket-Accept` a server must answer `key` with.
pub(crate) fn accept_key(key: &str) -> String {
    let mut input = Vec::with_capacity(key.len() + ACCEPT_GUID.len());
    input.extend_from_slice(key.as_bytes());
    input.extend_from_slice(ACCEPT_GUID);
    STANDARD.encode(sha1(&input))
}

/// Sends the upgrade request and reads the reply. On success returns the bytes read past
/// the reply head, which belong to the WebSocket.
pub(crate) fn client_handshake<S: Read + Write>(
    stream: &mut S,
    host_header: &str,
    target: &str,
) -> Result<Vec<u8>, HandshakeFailure> {
    let key = new_key()?;
    stream.write_all(request(host_header, target, &key).as_bytes())?;
    stream.flush()?;
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = head_end(&buf) {
            check_reply(&buf[..end], &key)?;
            return Ok(buf.split_off(end));
        }
        if buf.len() > MAX_HEAD {
            return Err(HandshakeFailure::Invalid(format!(
                "the reply head is longer than {MAX_HEAD} bytes"
            )));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(HandshakeFailure::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection during the WebSocket handshake",
            )));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Where the reply head ends (past its blank line), once it has.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Checks a complete reply head against RFC 6455 §4.1's list for the client.
fn check_reply(head: &[u8], key: &str) -> Result<(), HandshakeFailure> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut reply = httparse::Response::new(&mut headers);
    match reply.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(HandshakeFailure::Invalid("an incomplete reply head".into()));
        }
        Err(e) => return Err(HandshakeFailure::Invalid(format!("a malformed reply: {e}"))),
    }
    let status = reply.code.unwrap_or(0);
    if status != 101 {
        return Err(HandshakeFailure::Status(status));
    }
    let header = |name: &str| {
        reply
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
    };
    let upgrade = header("Upgrade").unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(HandshakeFailure::Invalid(format!(
            "the reply upgrades to {upgrade:?}, not websocket"
        )));
    }
    let connection = header("Connection").unwrap_or_default();
    if !connection
        .split(',')
        .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
    {
        return Err(HandshakeFailure::Invalid(format!(
            "the reply's Connection header is {connection:?}, not Upgrade"
        )));
    }
    match header("Sec-WebSocket-Accept") {
        Some(accept) if accept == accept_key(key) => Ok(()),
        Some(_) => Err(HandshakeFailure::Invalid(
            "the reply's Sec-WebSocket-Accept does not match the key sent".into(),
        )),
        None => Err(HandshakeFailure::Invalid(
            "the reply has no Sec-WebSocket-Accept".into(),
        )),
    }
}

/// SHA-1 (RFC 3174). Used only for the handshake's accept key, where RFC 6455 fixes the
/// algorithm; it protects nothing.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let bit_len = (data.len() as u64).wrapping_mul(8);
    let mut msg = Vec::with_capacity(data.len() + 72);
    msg.extend_from_slice(data);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (wi, word) in w.iter_mut().zip(block.chunks_exact(4)) {
            *wi = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (hi, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *hi = hi.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (o, hi) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&hi.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha1_matches_the_rfc_3174_vectors() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(
            hex(&sha1(&vec![b'a'; 1_000_000])),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
        // Lengths around the padding boundary (55, 56, 63, 64 bytes).
        assert_eq!(
            hex(&sha1(b"The quick brown fox jumps over the lazy dog")),
            "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"
        );
        for n in [55usize, 56, 63, 64, 65] {
            assert_eq!(sha1(&vec![0u8; n]).len(), 20);
        }
    }

    #[test]
    fn the_accept_key_is_rfc_6455s_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn keys_are_16_random_bytes() {
        let (a, b) = (new_key().unwrap(), new_key().unwrap());
        assert_ne!(a, b);
        assert_eq!(STANDARD.decode(&a).unwrap().len(), 16);
    }

    /// The reply a test peer makes to the request's key.
    type Reply = Box<dyn Fn(&str) -> Vec<u8>>;

    /// A peer that replies with `reply` (computed from the request's key) and records the
    /// request.
    struct Peer {
        request: Vec<u8>,
        reply: Reply,
        out: Option<io::Cursor<Vec<u8>>>,
        /// Bytes handed out per read (a dripping peer when 1).
        step: usize,
    }

    impl Read for Peer {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.out.is_none() {
                let text = String::from_utf8_lossy(&self.request).into_owned();
                let key = text
                    .lines()
                    .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
                    .unwrap_or("")
                    .to_owned();
                self.out = Some(io::Cursor::new((self.reply)(&key)));
            }
            let n = buf.len().min(self.step);
            self.out.as_mut().map_or(Ok(0), |c| c.read(&mut buf[..n]))
        }
    }

    impl Write for Peer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.request.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn run(
        step: usize,
        reply: impl Fn(&str) -> Vec<u8> + 'static,
    ) -> (Result<Vec<u8>, HandshakeFailure>, String) {
        let mut peer = Peer {
            request: Vec::new(),
            reply: Box::new(reply),
            out: None,
            step,
        };
        let r = client_handshake(&mut peer, "db.example:6041", "/ws?token=t");
        (r, String::from_utf8_lossy(&peer.request).into_owned())
    }

    fn accepting(key: &str, extra: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n\
             connection: keep-alive, Upgrade\r\nsec-websocket-accept: {}\r\n\r\n{extra}",
            accept_key(key)
        )
        .into_bytes()
    }

    #[test]
    fn a_valid_reply_is_accepted_and_bytes_past_it_kept() {
        for step in [1, 7, 1024] {
            let (r, request) = run(step, |k| accepting(k, "\u{81}\u{2}hi"));
            // What was read past the head is handed on; a dripping peer's rest is
            // still in the stream.
            let past = r.unwrap();
            assert!("\u{81}\u{2}hi".as_bytes().starts_with(&past), "{past:?}");
            if step == 1024 {
                assert_eq!(past, "\u{81}\u{2}hi".as_bytes());
            }
            assert!(request.starts_with("GET /ws?token=t HTTP/1.1\r\nHost: db.example:6041\r\n"));
            assert!(request.contains("Sec-WebSocket-Version: 13\r\n"));
            assert!(request.ends_with("\r\n\r\n"));
        }
    }

    #[test]
    fn bad_replies_fail_with_the_reason() {
        let (r, _) = run(64, |_| {
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec()
        });
        assert!(matches!(r, Err(HandshakeFailure::Status(404))), "{r:?}");
        let (r, _) = run(64, |_| accepting("wrong key", ""));
        assert!(
            matches!(&r, Err(HandshakeFailure::Invalid(m)) if m.contains("Accept")),
            "{r:?}"
        );
        let (r, _) = run(64, |k| {
            String::from_utf8_lossy(&accepting(k, ""))
                .replace("WebSocket", "h2c")
                .into_bytes()
        });
        assert!(
            matches!(&r, Err(HandshakeFailure::Invalid(m)) if m.contains("h2c")),
            "{r:?}"
        );
        let (r, _) = run(64, |_| b"HTTP/1.1 101 Switching".to_vec());
        assert!(
            matches!(&r, Err(HandshakeFailure::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof),
            "{r:?}"
        );
        let (r, _) = run(64, |_| b"\x00\x01garbage\r\n\r\n".to_vec());
        assert!(
            matches!(&r, Err(HandshakeFailure::Invalid(m)) if m.contains("malformed")),
            "{r:?}"
        );
        let (r, _) = run(1024, |_| {
            let mut v = b"HTTP/1.1 101 Switching Protocols\r\n".to_vec();
            v.extend(std::iter::repeat_n(b'x', 40_000));
            v
        });
        assert!(
            matches!(&r, Err(HandshakeFailure::Invalid(m)) if m.contains("longer")),
            "{r:?}"
        );
    }
}
