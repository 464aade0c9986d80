//! The write actions over raw frames: `write_raw_block` (4), `write_raw_block_with_fields`
//! (5) and `write_raw` (3) with this server's raw meta JSON (issue #12 item 5).

use crate::common::{recv_json, rest_ok, ws_connect};
use taosync_proto::block::encode_block;
use taosync_proto::tmq::RAW_META_JSON_TYPE;
use taosync_proto::ws::{encode_write_raw, encode_write_raw_block};
use taosync_proto::{Column, Precision, Timestamp, Type, Value};
use taosync_server::{Server, ServerConfig};
use tungstenite::Message;

fn columns(names: &[(&str, Type)]) -> Vec<Column> {
    names
        .iter()
        .map(|(n, t)| Column::new(*n, *t, t.fixed_size().unwrap_or(16) as u32))
        .collect()
}

#[test]
fn raw_writes_apply_blocks_and_meta() {
    let h = Server::start(ServerConfig::new()).unwrap();
    rest_ok(&h, "create database rw");
    rest_ok(&h, "create table rw.t (ts timestamp, a int, b varchar(8))");
    let mut ws = ws_connect(&h, "/ws");
    ws.send(Message::text(
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"rw"}}"#,
    ))
    .unwrap();
    assert_eq!(recv_json(&mut ws)["code"], 0);
    let mut send = |frame: Vec<u8>| {
        ws.send(Message::binary(frame)).unwrap();
        recv_json(&mut ws)
    };

    // Action 4: the block fills the table's columns in order.
    let cols = columns(&[
        ("ts", Type::Timestamp),
        ("a", Type::Int),
        ("b", Type::VarChar),
    ]);
    let block = encode_block(
        &cols,
        &[vec![
            Value::Timestamp(Timestamp::new(1_700_000_000_000, Precision::Millisecond)),
            Value::Int(1),
            Value::from("x"),
        ]],
    )
    .unwrap();
    let reply = send(encode_write_raw_block(2, "t", &block, None).unwrap());
    assert_eq!(
        (reply["code"].as_i64(), reply["action"].as_str()),
        (Some(0), Some("write_raw_block")),
        "{reply}"
    );
    assert_eq!(reply["req_id"], 2);

    // Action 5: named columns, another order, one left out.
    let cols = columns(&[("b", Type::VarChar), ("ts", Type::Timestamp)]);
    let block = encode_block(
        &cols,
        &[vec![
            Value::from("y"),
            Value::Timestamp(Timestamp::new(1_700_000_000_001, Precision::Millisecond)),
        ]],
    )
    .unwrap();
    let reply = send(encode_write_raw_block(3, "t", &block, Some(&cols)).unwrap());
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(reply["action"], "write_raw_block_with_fields");
    let rows = rest_ok(&h, "select a, b from rw.t order by ts");
    assert_eq!(rows["data"], serde_json::json!([[1, "x"], [null, "y"]]));

    // Action 3 with raw meta JSON: the DDL it describes.
    let meta = br#"{"type":"create","tableType":"normal","tableName":"n","columns":[{"name":"ts","type":9},{"name":"v","type":4}],"tags":[]}"#;
    let reply = send(encode_write_raw(4, RAW_META_JSON_TYPE, meta).unwrap());
    assert_eq!(
        (reply["code"].as_i64(), reply["action"].as_str()),
        (Some(0), Some("write_raw")),
        "{reply}"
    );
    assert_eq!(rest_ok(&h, "describe rw.n")["rows"], 2);

    // Errors: a missing table, a malformed frame, an unknown raw type.
    let reply = send(encode_write_raw_block(5, "missing", &block, Some(&cols)).unwrap());
    assert_ne!(reply["code"], 0, "{reply}");
    let mut short = encode_write_raw_block(6, "t", &block, None).unwrap();
    short.truncate(40);
    let reply = send(short);
    assert_eq!(
        (reply["code"].as_i64(), reply["req_id"].as_u64()),
        (Some(0xFFFF), Some(6)),
        "{reply}"
    );
    let reply = send(encode_write_raw(7, 77, b"??").unwrap());
    assert_eq!(reply["code"], 0xFFFF, "{reply}");
    // A value too long for its column is the engine's error, as for any insert.
    let cols = columns(&[
        ("ts", Type::Timestamp),
        ("a", Type::Int),
        ("b", Type::VarChar),
    ]);
    let block = encode_block(
        &cols,
        &[vec![
            Value::Timestamp(Timestamp::new(1_700_000_000_002, Precision::Millisecond)),
            Value::Int(1),
            Value::from("far too long"),
        ]],
    )
    .unwrap();
    let reply = send(encode_write_raw_block(8, "t", &block, None).unwrap());
    assert_eq!(reply["code"], 0x2653, "{reply}");
}
