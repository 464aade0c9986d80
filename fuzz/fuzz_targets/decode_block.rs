//! Raw block decoding on arbitrary bytes: never panics, and whatever decodes re-encodes
//! to a block that decodes to the same thing.

#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use taosync_proto::block::{decode_block, decode_rows, encode_block_with_group};
use taosync_proto::{Column, Precision};

fuzz_target!(|data: &[u8]| {
    for precision in [
        Precision::Millisecond,
        Precision::Microsecond,
        Precision::Nanosecond,
    ] {
        let Ok(block) = decode_block(data, precision) else {
            continue;
        };
        let columns: Arc<[Column]> = block
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| f.to_column(format!("c{i}")))
            .collect();
        let rows =
            decode_rows(data, precision, &columns).expect("decode_rows agrees with decode_block");
        assert_eq!(rows.len(), block.rows.len());
        // Values a hostile block can carry but a column cannot (a decimal wider than its
        // declared precision) make the encoder refuse; anything it accepts must round-trip.
        if let Ok(encoded) = encode_block_with_group(&columns, &block.rows, block.group_id) {
            let again = decode_block(&encoded, precision).expect("re-encoded block decodes");
            let encoded_again = encode_block_with_group(&columns, &again.rows, again.group_id)
                .expect("decoded values re-encode");
            assert_eq!(encoded, encoded_again);
        }
    }
});
