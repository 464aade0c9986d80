//! DSN parsing on arbitrary text never panics, and what parses displays without the
//! password.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taosync::options::ConnectOptions;

fuzz_target!(|data: &[u8]| {
    if let Ok(dsn) = std::str::from_utf8(data) {
        if let Ok(opts) = ConnectOptions::from_dsn(dsn) {
            let _ = opts.to_string();
            let _ = format!("{opts:?}");
        }
    }
});
