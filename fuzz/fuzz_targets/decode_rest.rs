//! REST response decoding on arbitrary bytes: never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taosync_proto::rest::decode_response;

fuzz_target!(|data: &[u8]| {
    let _ = decode_response(data);
});
