//! WebSocket frames on arbitrary bytes: the server's request decoders (binary frames,
//! text envelopes, stmt2 bind payloads) and the client's reply decoders never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taosync_proto::Precision;
use taosync_proto::stmt::Stmt2Bind;
use taosync_proto::ws::{BinaryReply, BinaryRequest, ReplyHeader, parse_request};

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = BinaryRequest::decode(data) {
        let _ = request.sql();
        let _ = request.fetch_raw_block();
    }
    let _ = BinaryReply::decode(data);
    let _ = Stmt2Bind::decode(data, Precision::Nanosecond);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(request) = parse_request(text) {
            let _ = request.args::<taosync_proto::ws::QueryArgs>();
        }
        let _ = ReplyHeader::peek(text);
    }
});
