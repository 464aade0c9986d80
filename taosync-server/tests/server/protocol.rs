//! The embedded server on the wire: raw HTTP requests written by hand and raw WebSocket
//! frames, checked against the protocol notes (01 §1, §2, §3.7), not through the taosync
//! client.

use crate::common::{
    BASIC, Ws, body, json_body as json, post, raw, recv, recv_json, status, ws_connect,
};
use taosync_server::{Server, ServerConfig, ServerHandle};
use tungstenite::Message;

const ROOT_TOKEN: &str = "/KfeAzX/f9na8qdtNZmtONryp201ma04bEl8LcvLUd7a8qdtNZmtONryp201ma04";

/// The 127-byte block of 01 §3.7.
const EXAMPLE_BLOCK: &str = "01000000 7f000000 02000000 04000000 00000080 0000000000000000
    0908000000 0404000000 080c000000 0a12000000 10000000 08000000 04000000 10000000
    00 0068e5cf8b010000 e86be5cf8b010000 40 2a000000 00000000 00000000 ffffffff 02006162
    00000000 06000000 04002d4e0000 08006f0000006b000000 00";

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn sql_ok(h: &ServerHandle, sql: &str) {
    let r = post(h, "/rest/sql", BASIC, sql);
    assert_eq!(json(&r)["code"], 0, "{sql}: {r}");
}

/// A server holding `test.d0` with the two rows of the worked examples.
fn server_with_example(config: ServerConfig) -> ServerHandle {
    let h = Server::start(config).unwrap();
    sql_ok(&h, "create database test");
    sql_ok(
        &h,
        "create table test.d0 (ts timestamp, v int, s varchar(10), n nchar(4))",
    );
    let r = post(
        &h,
        "/rest/sql",
        BASIC,
        "insert into test.d0 values (1700000000000, 42, 'ab', '中') (1700000001000, NULL, NULL, 'ok')",
    );
    assert_eq!(
        body(&r),
        r#"{"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[2]],"rows":1}"#
    );
    h
}

#[test]
fn rest_worked_example_a() {
    let h = server_with_example(ServerConfig::new());
    let r = post(&h, "/rest/sql/test", BASIC, "select ts, v, s, n from d0");
    assert_eq!(status(&r), 200);
    assert!(r.contains("Transfer-Encoding: chunked"));
    assert!(r.contains("Content-Type: application/json; charset=utf-8"));
    assert_eq!(
        body(&r),
        r#"{"code":0,"column_meta":[["ts","TIMESTAMP",8],["v","INT",4],["s","VARCHAR",10],["n","NCHAR",4]],"data":[["2023-11-14T22:13:20.000Z",42,"ab","中"],["2023-11-14T22:13:21.000Z",null,null,"ok"]],"rows":2}"#
    );
    let r = post(
        &h,
        "/rest/sql/test?tz=Asia/Shanghai",
        BASIC,
        "select ts, v, s, n from d0",
    );
    assert_eq!(json(&r)["data"][0][0], "2023-11-15T06:13:20.000+08:00");
    let r = post(
        &h,
        "/rest/sql/test?row_with_meta=true",
        BASIC,
        "select ts, v, s, n from d0",
    );
    assert!(body(&r).contains(
        r#""data":[{"ts":"2023-11-14T22:13:20.000Z","v":42,"s":"ab","n":"中"},{"ts":"2023-11-14T22:13:21.000Z","v":null,"s":null,"n":"ok"}]"#
    ));
    let r = post(
        &h,
        "/rest/sql/test?timing=true&req_id=77",
        BASIC,
        "select ts from d0",
    );
    let v = json(&r);
    assert!(v["timing"].as_u64().is_some());
    assert_eq!(v["rows"], 2);
    // Keys come in taosAdapter's order.
    assert!(body(&r).starts_with(r#"{"code":0,"column_meta":"#));
    // Taosd token auth.
    let r = post(
        &h,
        "/rest/sql/test",
        &format!("Taosd {ROOT_TOKEN}"),
        "select v from d0",
    );
    assert_eq!(json(&r)["data"], serde_json::json!([[42], [null]]));
    // The URL database only applies to one request, and its `use` error is ignored.
    let r = post(&h, "/rest/sql/newdb", BASIC, "create database newdb");
    assert_eq!(json(&r)["code"], 0);
    let r = post(&h, "/rest/sql", BASIC, "select v from d0");
    assert_eq!(json(&r)["code"], 0x2616);
}

#[test]
fn rest_errors_and_status_codes() {
    let h = server_with_example(ServerConfig::new());
    // Engine errors: HTTP 200 with code/desc/timing.
    let r = post(&h, "/rest/sql", BASIC, "wrong sql");
    assert_eq!(status(&r), 200);
    let v = json(&r);
    assert_eq!(v["code"], 9728);
    assert!(v["desc"].as_str().unwrap().contains("syntax error"));
    assert!(body(&r).starts_with(r#"{"code":9728,"desc":"#) && v["timing"].is_u64());
    let r = post(&h, "/rest/sql", BASIC, "select * from test.nope");
    assert_eq!(json(&r)["code"], 0x2603);
    // Wrong password is an engine error too: 200 + 0x0357.
    let r = post(&h, "/rest/sql", "Basic cm9vdDp3cm9uZw==", "select 1");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (200, Some(855)));
    // Header problems are 401 with 0x11xx codes.
    let r = raw(
        &h,
        b"POST /rest/sql HTTP/1.1\r\nConnection: close\r\nContent-Length: 8\r\n\r\nselect 1",
    );
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (401, Some(0x1105)));
    assert_eq!(json(&r)["desc"], "no auth info input");
    for (auth, code) in [
        ("Basic !!!", 0x1124),
        ("Basic cm9vdA==", 0x1124),
        ("Taosd AAAA", 0x1125),
        ("Digest x", 0x1122),
    ] {
        let r = post(&h, "/rest/sql", auth, "select 1");
        assert_eq!(status(&r), 401, "{auth}");
        assert_eq!(json(&r)["code"], code, "{auth}");
    }
    // Bodies and parameters.
    let r = post(&h, "/rest/sql", BASIC, "");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (400, Some(0x1106)));
    let r = post(&h, "/rest/sql", BASIC, " \t\n");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (400, Some(0x1107)));
    let r = post(&h, "/rest/sql?req_id=x1", BASIC, "select 1");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (400, Some(65535)));
    let r = post(&h, "/rest/sql?tz=Nowhere/Land", BASIC, "select 1");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (400, Some(65535)));
    let r = post(&h, "/rest/sql?row_with_meta=maybe", BASIC, "select 1");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (400, Some(65535)));
    // Login.
    let r = raw(
        &h,
        b"GET /rest/login/root/taosdata HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(json(&r)["desc"], ROOT_TOKEN);
    let r = raw(
        &h,
        b"GET /rest/login/root/nope HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (401, Some(3)));
    // Unknown paths, malformed HTTP, a non-WebSocket request to /ws.
    assert_eq!(status(&post(&h, "/rest/nothing", BASIC, "x")), 404);
    assert_eq!(status(&raw(&h, b"\x00\x01garbage\r\n\r\n")), 400);
    assert_eq!(
        status(&raw(
            &h,
            b"POST /rest/sql HTTP/1.1\r\nContent-Length: zz\r\n\r\n"
        )),
        401
    );
    assert_eq!(
        status(&raw(
            &h,
            b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )),
        400
    );
    // The server survives all of that.
    sql_ok(&h, "select server_version()");
}

#[test]
fn rest_server_version_and_unsupported_sql() {
    let h = Server::start(ServerConfig::new().version("3.3.1.0")).unwrap();
    let r = post(&h, "/rest/sql", BASIC, "select server_version()");
    assert_eq!(json(&r)["data"], serde_json::json!([["3.3.1.0"]]));
    let r = post(
        &h,
        "/rest/sql",
        BASIC,
        "create stream s1 into t as select 1",
    );
    let v = json(&r);
    assert_ne!(v["code"], 0, "{r}");
    assert!(!v["desc"].as_str().unwrap().is_empty());
}

fn ask(ws: &mut Ws, msg: &str) -> serde_json::Value {
    ws.send(Message::text(msg)).unwrap();
    recv_json(ws)
}

fn binary(ws: &mut Ws, frame: Vec<u8>) -> Message {
    ws.send(Message::binary(frame)).unwrap();
    recv(ws)
}

fn bin_query(req_id: u64, sql: &str) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&req_id.to_le_bytes());
    f.extend_from_slice(&0u64.to_le_bytes());
    f.extend_from_slice(&6u64.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&(sql.len() as u32).to_le_bytes());
    f.extend_from_slice(sql.as_bytes());
    f
}

fn fetch_raw(req_id: u64, id: u64) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&req_id.to_le_bytes());
    f.extend_from_slice(&id.to_le_bytes());
    f.extend_from_slice(&7u64.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes());
    f
}

#[test]
fn ws_worked_example_b_json_mode() {
    let h = server_with_example(ServerConfig::new());
    let mut ws = ws_connect(&h, "/ws");
    let v = ask(&mut ws, r#"{"action":"version"}"#);
    assert_eq!(v["version"], "3.3.6.0");
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6);
    let v = ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"test","connector":"raw-test"}}"#,
    );
    assert_eq!(
        (
            v["code"].as_u64(),
            v["action"].as_str(),
            v["req_id"].as_u64()
        ),
        (Some(0), Some("conn"), Some(1))
    );
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":2,"sql":"select ts, v, s, n from d0"}}"#,
    );
    assert_eq!(v["id"], 1);
    assert_eq!(v["is_update"], false);
    assert_eq!(v["fields_names"], serde_json::json!(["ts", "v", "s", "n"]));
    assert_eq!(v["fields_types"], serde_json::json!([9, 4, 8, 10]));
    assert_eq!(v["fields_lengths"], serde_json::json!([8, 4, 10, 4]));
    assert_eq!(v["precision"], 0);
    let v = ask(&mut ws, r#"{"action":"fetch","args":{"req_id":3,"id":1}}"#);
    assert_eq!(
        (v["completed"].as_bool(), v["rows"].as_u64()),
        (Some(false), Some(2))
    );
    assert_eq!(v["lengths"], serde_json::json!([8, 4, 12, 18]));
    ws.send(Message::text(
        r#"{"action":"fetch_block","args":{"req_id":4,"id":1}}"#,
    ))
    .unwrap();
    let Message::Binary(b) = recv(&mut ws) else {
        panic!("fetch_block must answer in binary")
    };
    assert_eq!(&b[8..16], &1u64.to_le_bytes());
    assert_eq!(&b[16..], hex(EXAMPLE_BLOCK).as_slice());
    let v = ask(&mut ws, r#"{"action":"fetch","args":{"req_id":5,"id":1}}"#);
    assert_eq!(
        (v["completed"].as_bool(), v["lengths"].is_null()),
        (Some(true), true)
    );
    // Auto-freed at the end of the fetch.
    let v = ask(&mut ws, r#"{"action":"fetch","args":{"req_id":6,"id":1}}"#);
    assert_eq!(
        (v["code"].as_u64(), v["message"].as_str()),
        (Some(65535), Some("result is nil"))
    );
    // free_result is never answered.
    ws.send(Message::text(
        r#"{"action":"free_result","args":{"req_id":7,"id":1}}"#,
    ))
    .unwrap();
    let v = ask(&mut ws, r#"{"action":"version","args":{"req_id":0}}"#);
    assert_eq!(
        (v["action"].as_str(), v["req_id"].as_u64()),
        (Some("version"), Some(0))
    );
    // Updates, num_fields, current db, server info.
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":8,"sql":"insert into d0 values (1700000002000, 7, 'c', 'd')"}}"#,
    );
    assert_eq!(
        (
            v["is_update"].as_bool(),
            v["affected_rows"].as_u64(),
            v["id"].as_u64()
        ),
        (Some(true), Some(1), Some(0))
    );
    assert!(v["fields_names"].is_null());
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":9,"sql":"select v from d0"}}"#,
    );
    assert_eq!(v["id"], 2);
    let v = ask(
        &mut ws,
        r#"{"action":"num_fields","args":{"req_id":10,"result_id":2}}"#,
    );
    assert_eq!(v["num_fields"], 1);
    let v = ask(
        &mut ws,
        r#"{"action":"get_current_db","args":{"req_id":11}}"#,
    );
    assert_eq!(v["db"], "test");
    let v = ask(
        &mut ws,
        r#"{"action":"get_server_info","args":{"req_id":12}}"#,
    );
    assert!(v["info"].as_str().unwrap().contains("3.3.6.0"));
    let v = ask(
        &mut ws,
        r#"{"action":"options_connection","args":{"req_id":13,"options":[{"option":1,"value":"Asia/Shanghai"},{"option":3,"value":"app"},{"option":1,"value":null}]}}"#,
    );
    assert_eq!(v["code"], 0);
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":14,"sql":"select * from nope"}}"#,
    );
    assert_eq!(v["code"], 0x2603);
    assert_eq!(
        v.as_object().unwrap().len(),
        5,
        "errors carry only the envelope"
    );
}

#[test]
fn ws_worked_example_c_binary_mode() {
    let h = server_with_example(ServerConfig::new());
    let mut ws = ws_connect(&h, "/ws");
    ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"test"}}"#,
    );
    let Message::Text(t) = binary(&mut ws, bin_query(2, "select ts, v, s, n from d0")) else {
        panic!()
    };
    let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
    assert_eq!(
        (v["action"].as_str(), v["req_id"].as_u64(), v["id"].as_u64()),
        (Some("binary_query"), Some(2), Some(1))
    );
    let Message::Binary(b) = binary(&mut ws, fetch_raw(3, 1)) else {
        panic!()
    };
    assert_eq!(&b[0..8], &[0xff; 8]);
    assert_eq!(&b[8..16], &7u64.to_le_bytes());
    assert_eq!(&b[16..18], &1u16.to_le_bytes());
    assert_eq!(&b[26..34], &3u64.to_le_bytes());
    assert_eq!(&b[34..42], &[0; 8]);
    assert_eq!(&b[42..50], &1u64.to_le_bytes());
    assert_eq!(b[50], 0);
    assert_eq!(&b[51..55], &127u32.to_le_bytes());
    assert_eq!(&b[55..], hex(EXAMPLE_BLOCK).as_slice());
    let Message::Binary(b) = binary(&mut ws, fetch_raw(4, 1)) else {
        panic!()
    };
    assert_eq!((b.len(), b[50]), (51, 1));
    let Message::Binary(b) = binary(&mut ws, fetch_raw(5, 9)) else {
        panic!()
    };
    assert_eq!(
        hex("ffffffffffffffff 0700000000000000 0100").as_slice(),
        &b[..18]
    );
    assert_eq!(&b[26..34], &5u64.to_le_bytes());
    assert_eq!(&b[34..42], &hex("ffff0000 0d000000")[..]);
    assert_eq!(&b[42..55], b"result is nil");
    assert_eq!(&b[55..], &hex("0900000000000000 01")[..]);
    // validate_sql (action 10).
    let mut frame = bin_query(6, "select * from d0");
    frame[16] = 10;
    let Message::Text(t) = binary(&mut ws, frame) else {
        panic!()
    };
    let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
    assert_eq!(
        (v["action"].as_str(), v["result_code"].as_i64()),
        (Some("validate_sql"), Some(0))
    );
    let mut frame = bin_query(7, "selec nonsense");
    frame[16] = 10;
    let Message::Text(t) = binary(&mut ws, frame) else {
        panic!()
    };
    let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
    assert_eq!(v["code"], 0);
    assert_ne!(v["result_code"], 0);
    // Framing errors.
    let Message::Text(t) = binary(&mut ws, vec![1, 2, 3]) else {
        panic!()
    };
    assert!(t.as_str().contains("\"code\":65535"));
    let Message::Text(t) = binary(&mut ws, bin_query(8, "")) else {
        panic!()
    };
    assert!(t.as_str().contains("message length is too short"));
    let mut short = bin_query(9, "select 1");
    short.truncate(33);
    let Message::Text(t) = binary(&mut ws, short) else {
        panic!()
    };
    assert!(t.as_str().contains("uncompleted message"));
    let mut unknown = bin_query(10, "select 1");
    unknown[16] = 42;
    let Message::Text(t) = binary(&mut ws, unknown) else {
        panic!()
    };
    assert!(t.as_str().contains("unknown binary action 42"));
    // Still alive.
    let v = ask(&mut ws, r#"{"action":"version","args":{"req_id":11}}"#);
    assert_eq!(v["req_id"], 11);
}

#[test]
fn ws_errors_before_conn_and_garbage() {
    let h = Server::start(ServerConfig::new()).unwrap();
    let mut ws = ws_connect(&h, "/ws");
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":1,"sql":"select 1"}}"#,
    );
    assert_eq!(
        (
            v["code"].as_u64(),
            v["message"].as_str(),
            v["req_id"].as_u64()
        ),
        (Some(65535), Some("server not connected"), Some(1))
    );
    let Message::Text(t) = binary(&mut ws, fetch_raw(2, 1)) else {
        panic!("before conn even action 7 gets JSON")
    };
    assert!(t.as_str().contains("server not connected"));
    assert!(t.as_str().contains("\"action\":\"fetch_raw_block\""));
    let v = ask(
        &mut ws,
        r#"{"action":"check_server_status","args":{"req_id":3}}"#,
    );
    assert_eq!(v["code"], 0);
    let v = ask(&mut ws, "{{{{");
    assert_eq!(v["message"], "unmarshal request error");
    let v = ask(&mut ws, r#"{"args":{"req_id":4}}"#);
    assert_eq!(v["message"], "request no action");
    let v = ask(&mut ws, r#"{"action":"teleport","args":{"req_id":5}}"#);
    assert_eq!(
        (v["message"].as_str(), v["action"].as_str()),
        (Some("unknown action teleport"), Some("teleport"))
    );
    let v = ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":6,"user":"root","password":"nope"}}"#,
    );
    assert_eq!(
        (v["code"].as_u64(), v["message"].as_str()),
        (Some(855), Some("Authentication failure"))
    );
    let v = ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":7,"user":"root","password":"taosdata","db":"missing"}}"#,
    );
    assert_eq!(v["code"], 0x0388);
    let v = ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":8,"user":"root","password":"taosdata","mode":5}}"#,
    );
    assert_eq!(v["message"], "unexpected mode:5");
    let v = ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":9,"user":"root","password":"taosdata","tz":"UTC"}}"#,
    );
    assert_eq!(v["code"], 0);
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":10,"sql":"select server_version()"}}"#,
    );
    assert_eq!(v["fields_names"], serde_json::json!(["server_version()"]));
}

#[test]
fn legacy_rest_ws_endpoint() {
    let h = Server::start(ServerConfig::new()).unwrap();
    let (mut ws, _) = tungstenite::connect(format!("ws://{}/rest/ws", h.addr())).unwrap();
    let v = ask(&mut ws, r#"{"action":"version"}"#);
    assert_eq!(v["code"], 0);
    let v = ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata"}}"#,
    );
    assert_eq!(v["code"], 0);
    let v = ask(
        &mut ws,
        r#"{"action":"get_current_db","args":{"req_id":2}}"#,
    );
    assert_eq!(v["message"], "unknown action get_current_db");
}

#[test]
fn rest_conn_tz_reads_literals_and_renders_results() {
    let h = server_with_example(ServerConfig::new().timezone(chrono_tz::Tz::UTC));
    // The literal is read in New York time (UTC-5 in January) ...
    let r = post(
        &h,
        "/rest/sql/test?conn_tz=America/New_York",
        BASIC,
        "insert into d0 values ('2025-01-01 12:00:00', 1, 'tz', 'tz')",
    );
    assert_eq!(json(&r)["data"], serde_json::json!([[1]]), "{r}");
    // ... and rendered in it too, since conn_tz replaces tz for rendering.
    let r = post(
        &h,
        "/rest/sql/test?conn_tz=America/New_York&tz=Asia/Shanghai",
        BASIC,
        "select ts from d0 where v = 1",
    );
    assert_eq!(
        json(&r)["data"],
        serde_json::json!([["2025-01-01T12:00:00.000-05:00"]])
    );
    let r = post(&h, "/rest/sql/test", BASIC, "select ts from d0 where v = 1");
    assert_eq!(
        json(&r)["data"],
        serde_json::json!([["2025-01-01T17:00:00.000Z"]])
    );
    // Bearer next to ?token= is refused at the header level.
    let r = post(&h, "/rest/sql?token=abc", "Bearer xyz", "select 1");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (401, Some(0x1122)));
}

#[test]
fn ws_conn_tz_and_options_connection() {
    let h = server_with_example(ServerConfig::new().timezone(chrono_tz::Tz::UTC));
    let mut ws = ws_connect(&h, "/ws");
    ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"test","tz":"Asia/Shanghai"}}"#,
    );
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":2,"sql":"insert into d0 values ('2025-01-01 08:00:00', 5, 'a', 'b')"}}"#,
    );
    assert_eq!(v["affected_rows"], 1);
    // Switch the zone to UTC through options_connection; the same literal is now 8 h later.
    let v = ask(
        &mut ws,
        r#"{"action":"options_connection","args":{"req_id":3,"options":[{"option":1,"value":"UTC"}]}}"#,
    );
    assert_eq!(v["code"], 0);
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":4,"sql":"insert into d0 values ('2025-01-01 08:00:00', 6, 'a', 'b')"}}"#,
    );
    assert_eq!(v["affected_rows"], 1);
    let r = post(
        &h,
        "/rest/sql/test",
        BASIC,
        "select ts, v from d0 where v in (5, 6) order by ts",
    );
    assert_eq!(
        json(&r)["data"],
        serde_json::json!([
            ["2025-01-01T00:00:00.000Z", 5],
            ["2025-01-01T08:00:00.000Z", 6]
        ])
    );
    let v = ask(
        &mut ws,
        r#"{"action":"options_connection","args":{"req_id":5,"options":[{"option":1,"value":"No/Where"}]}}"#,
    );
    assert_eq!(v["code"], 65535);
}

#[test]
fn rest_http_code_server_error_option() {
    let h = Server::start(ServerConfig::new().http_code_server_error(true)).unwrap();
    let r = post(&h, "/rest/sql", BASIC, "wrong sql");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (400, Some(9728)));
    let r = post(&h, "/rest/sql", BASIC, "select * from nodb.t");
    assert_eq!(status(&r), 500);
    let r = post(&h, "/rest/sql", "Basic cm9vdDp3cm9uZw==", "select 1");
    assert_eq!((status(&r), json(&r)["code"].as_u64()), (401, Some(855)));
    let r = post(&h, "/rest/sql", BASIC, "select server_version()");
    assert_eq!(status(&r), 200);
}

#[test]
fn results_stream_block_by_block() {
    let h = Server::start(ServerConfig::new().block_rows(3)).unwrap();
    sql_ok(&h, "create database s");
    sql_ok(&h, "create table s.t (ts timestamp, v bigint)");
    let values: Vec<String> = (0..10)
        .map(|i| format!("({}, {i})", 1_700_000_000_000i64 + i))
        .collect();
    sql_ok(&h, &format!("insert into s.t values {}", values.join(" ")));
    // REST: one body with every row, whatever the block size.
    let r = post(&h, "/rest/sql/s", BASIC, "select v from t");
    let v = json(&r);
    assert_eq!(v["rows"], 10);
    assert_eq!(v["data"][9][0], 9);
    // WS binary: blocks of 3, 3, 3, 1, then the end (which frees the result).
    let mut ws = ws_connect(&h, "/ws");
    ask(
        &mut ws,
        r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"s"}}"#,
    );
    let Message::Text(_) = binary(&mut ws, bin_query(2, "select * from t")) else {
        panic!()
    };
    let mut sizes = Vec::new();
    for req in 3.. {
        let Message::Binary(b) = binary(&mut ws, fetch_raw(req, 1)) else {
            panic!()
        };
        if b[50] == 1 {
            break;
        }
        sizes.push(u32::from_le_bytes(b[55 + 8..55 + 12].try_into().unwrap()));
    }
    assert_eq!(sizes, [3, 3, 3, 1]);
    // WS JSON: fetch/fetch_block pairs, same blocks.
    let v = ask(
        &mut ws,
        r#"{"action":"query","args":{"req_id":20,"sql":"select * from t"}}"#,
    );
    assert_eq!(v["id"], 2, "ids keep counting per socket");
    let mut rows = Vec::new();
    loop {
        let v = ask(&mut ws, r#"{"action":"fetch","args":{"req_id":21,"id":2}}"#);
        if v["completed"] == true {
            break;
        }
        rows.push(v["rows"].as_u64().unwrap());
        ws.send(Message::text(
            r#"{"action":"fetch_block","args":{"req_id":22,"id":2}}"#,
        ))
        .unwrap();
        let Message::Binary(b) = recv(&mut ws) else {
            panic!()
        };
        assert_eq!(
            u64::from(u32::from_le_bytes(b[16 + 8..16 + 12].try_into().unwrap())),
            *rows.last().unwrap()
        );
    }
    assert_eq!(rows, [3, 3, 3, 1]);
}
