//! `/rest/tmq` frames on arbitrary bytes: the server's request parser and the client's
//! binary reply decoders never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taosync_proto::tmq::{FetchRawDataReply, RawData, TmqFetchBlockReply, parse_tmq_request};

fuzz_target!(|data: &[u8]| {
    if let Ok(reply) = FetchRawDataReply::decode(data) {
        if let Some((_, payload)) = reply.payload {
            let _ = RawData::decode(payload);
        }
    }
    let _ = RawData::decode(data);
    let _ = TmqFetchBlockReply::decode(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_tmq_request(text);
    }
});
