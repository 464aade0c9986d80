//! Worked examples B and C of 01 §2.8–§2.9, byte for byte, plus envelope edge cases and
//! hostile-input properties.

use proptest::prelude::*;
use serde_json::json;

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let digits: String = s.split_whitespace().collect();
    crate::value::from_hex(&digits).unwrap()
}

/// The 127-byte raw block of 01 §3.7.
fn block_d() -> Vec<u8> {
    hex("01 00 00 00 7f 00 00 00 02 00 00 00 04 00 00 00
         00 00 00 80 00 00 00 00 00 00 00 00 09 08 00 00
         00 04 04 00 00 00 08 0c 00 00 00 0a 12 00 00 00
         10 00 00 00 08 00 00 00 04 00 00 00 10 00 00 00
         00 00 68 e5 cf 8b 01 00 00 e8 6b e5 cf 8b 01 00
         00 40 2a 00 00 00 00 00 00 00 00 00 00 00 ff ff
         ff ff 02 00 61 62 00 00 00 00 06 00 00 00 04 00
         2d 4e 00 00 08 00 6f 00 00 00 6b 00 00 00 00")
}

fn as_json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn example_b_requests() {
    assert_eq!(
        encode_request(&VersionArgs { req_id: 0 }).unwrap(),
        r#"{"action":"version"}"#
    );
    let conn = ConnArgs {
        req_id: 1,
        user: "root".into(),
        password: "taosdata".into(),
        db: "test".into(),
        connector: Some("my-rust-client-0.1".into()),
        ..ConnArgs::default()
    };
    assert_eq!(
        as_json(&encode_request(&conn).unwrap()),
        json!({"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"test","connector":"my-rust-client-0.1"}})
    );
    let query = QueryArgs {
        req_id: 2,
        sql: "select ts, v, s, n from d0".into(),
    };
    assert_eq!(
        as_json(&encode_request(&query).unwrap()),
        json!({"action":"query","args":{"req_id":2,"sql":"select ts, v, s, n from d0"}})
    );
    assert_eq!(
        as_json(&encode_request(&FetchArgs { req_id: 3, id: 1 }).unwrap()),
        json!({"action":"fetch","args":{"req_id":3,"id":1}})
    );
    assert_eq!(
        as_json(&encode_request(&FetchBlockArgs { req_id: 4, id: 1 }).unwrap()),
        json!({"action":"fetch_block","args":{"req_id":4,"id":1}})
    );
    assert_eq!(
        as_json(&encode_request(&FreeResultArgs { req_id: 6, id: 1 }).unwrap()),
        json!({"action":"free_result","args":{"req_id":6,"id":1}})
    );
    // The server reads back what the client wrote.
    let incoming = parse_request(&encode_request(&conn).unwrap()).unwrap();
    assert_eq!(incoming.action, "conn");
    assert_eq!(incoming.req_id, 1);
    assert_eq!(incoming.args::<ConnArgs>().unwrap(), conn);
}

const QUERY_REPLY: &str = r#"{"code":0,"message":"","action":"query","req_id":2,"timing":2345678,"id":1,"is_update":false,"affected_rows":0,"fields_count":4,"fields_names":["ts","v","s","n"],"fields_types":[9,4,8,10],"fields_lengths":[8,4,10,4],"precision":0,"fields_precisions":[0,0,0,0],"fields_scales":[0,0,0,0]}"#;

fn d0_columns() -> Vec<crate::Column> {
    use crate::{Column, Type};
    vec![
        Column::new("ts", Type::Timestamp, 8),
        Column::new("v", Type::Int, 4),
        Column::new("s", Type::VarChar, 10),
        Column::new("n", Type::NChar, 4),
    ]
}

#[test]
fn example_b_server_replies_have_exact_key_order() {
    let version = encode_reply(
        &ReplyHeader::ok("version", 0, 11000),
        &VersionReply {
            version: "3.3.6.0".into(),
        },
    )
    .unwrap();
    assert_eq!(
        version,
        r#"{"code":0,"message":"","action":"version","req_id":0,"timing":11000,"version":"3.3.6.0"}"#
    );
    let conn = encode_reply(
        &ReplyHeader::ok("conn", 1, 3051234),
        &ConnReply {
            version: "3.3.6.0".into(),
            list_instances: None,
        },
    )
    .unwrap();
    assert_eq!(
        conn,
        r#"{"code":0,"message":"","action":"conn","req_id":1,"timing":3051234,"version":"3.3.6.0"}"#
    );
    let query = QueryReply::result_set(1, &d0_columns(), crate::Precision::Millisecond);
    assert_eq!(
        encode_reply(&ReplyHeader::ok("query", 2, 2345678), &query).unwrap(),
        QUERY_REPLY
    );
    let fetch = FetchReply {
        id: 1,
        completed: false,
        lengths: Some(vec![8, 4, 12, 18]),
        rows: 2,
    };
    assert_eq!(
        encode_reply(&ReplyHeader::ok("fetch", 3, 345678), &fetch).unwrap(),
        r#"{"code":0,"message":"","action":"fetch","req_id":3,"timing":345678,"id":1,"completed":false,"lengths":[8,4,12,18],"rows":2}"#
    );
    let done = FetchReply {
        id: 1,
        completed: true,
        lengths: None,
        rows: 0,
    };
    assert_eq!(
        encode_reply(&ReplyHeader::ok("fetch", 5, 12000), &done).unwrap(),
        r#"{"code":0,"message":"","action":"fetch","req_id":5,"timing":12000,"id":1,"completed":true,"lengths":null,"rows":0}"#
    );
    let update = QueryReply::affected(3);
    assert_eq!(
        encode_reply(&ReplyHeader::ok("query", 9, 1), &update).unwrap(),
        r#"{"code":0,"message":"","action":"query","req_id":9,"timing":1,"id":0,"is_update":true,"affected_rows":3,"fields_count":0,"fields_names":null,"fields_types":null,"fields_lengths":null,"precision":0,"fields_precisions":null,"fields_scales":null}"#
    );
}

#[test]
fn example_b_client_parses_replies() {
    let reply = decode_reply::<QueryReply>(QUERY_REPLY).unwrap();
    assert_eq!(reply.header.req_id, 2);
    assert_eq!(reply.header.action, "query");
    assert!(reply.body.has_result_set());
    assert_eq!(reply.body.columns().unwrap(), d0_columns());
    // Old servers omit the decimal lists and may add keys we do not know.
    let old = r#"{"code":0,"message":"","action":"query","req_id":2,"timing":1,"id":1,"is_update":false,"affected_rows":0,"fields_count":1,"fields_names":["a"],"fields_types":[4],"fields_lengths":[4],"precision":2,"future":{"x":1}}"#;
    let reply = decode_reply::<QueryReply>(old).unwrap();
    assert_eq!(reply.body.fields_scales, None);
    assert_eq!(
        reply.body.timestamp_precision(),
        crate::Precision::Nanosecond
    );
    assert_eq!(reply.body.columns().unwrap().len(), 1);
    // Inconsistent field lists are an error, not a panic.
    let bad = r#"{"code":0,"action":"query","id":1,"fields_count":2,"fields_names":["a"],"fields_types":[4],"fields_lengths":[4]}"#;
    assert!(
        decode_reply::<QueryReply>(bad)
            .unwrap()
            .body
            .columns()
            .is_err()
    );
    let fetch = decode_reply::<FetchReply>(
        r#"{"code":0,"message":"","action":"fetch","req_id":5,"timing":12000,"id":1,"completed":true,"lengths":null,"rows":0}"#,
    )
    .unwrap();
    assert!(fetch.body.completed);
    // Errors: code and message, masked code kept.
    let err = decode_reply::<ConnReply>(
        r#"{"code":855,"message":"Authentication failure","action":"conn","req_id":1,"timing":5}"#,
    )
    .unwrap_err();
    assert_eq!(err.code(), Some(crate::Code::MND_AUTH_FAILURE));
    assert_eq!(err.message(), "Authentication failure");
    // An unmasked engine code is masked, not rejected.
    let err = decode_reply::<Empty>(
        r#"{"code":-2147473920,"message":"syntax error","action":"query","req_id":1,"timing":1}"#,
    )
    .unwrap_err();
    assert_eq!(err.code(), Some(crate::Code::PAR_SYNTAX_ERROR));
    // `message == "success"` with a code: the code's standard text.
    let err =
        decode_reply::<Empty>(r#"{"code":9731,"message":"success","action":"query"}"#).unwrap_err();
    assert_eq!(err.message(), "Table does not exist");
    assert!(decode_reply::<Empty>("[1,2]").is_err());
    assert!(decode_reply::<Empty>(r#"{"message":"no code"}"#).is_err());
}

#[test]
fn error_reply_has_only_the_common_keys() {
    let e = ReplyHeader::error("query", 2, 77, 0x2600, "syntax error near \"wrong sql\"");
    assert_eq!(
        e.to_json(),
        r#"{"code":9728,"message":"syntax error near \"wrong sql\"","action":"query","req_id":2,"timing":77}"#
    );
    // stmt errors add stmt_id after the five keys.
    let stmt = encode_reply(
        &ReplyHeader::error("prepare", 3, 1, 0xffff, "stmt is nil"),
        &StmtIdReply { stmt_id: 9 },
    )
    .unwrap();
    assert_eq!(
        stmt,
        r#"{"code":65535,"message":"stmt is nil","action":"prepare","req_id":3,"timing":1,"stmt_id":9}"#
    );
}

#[test]
fn envelope_errors() {
    let err = parse_request("{not json").unwrap_err();
    assert_eq!(
        (
            err.action.as_str(),
            err.req_id,
            err.code,
            err.message.as_str()
        ),
        ("", 0, 0xffff, "unmarshal request error")
    );
    assert_eq!(
        parse_request(r#"{"action":5}"#).unwrap_err().message,
        "unmarshal request error"
    );
    assert_eq!(
        parse_request("[]").unwrap_err().message,
        "unmarshal request error"
    );
    let err = parse_request(r#"{"args":{"req_id":5}}"#).unwrap_err();
    assert_eq!((err.message.as_str(), err.req_id), ("request no action", 5));
    assert_eq!(
        parse_request("null").unwrap_err().message,
        "request no action"
    );
    // Args that do not fit: the action's own words, the req_id salvaged.
    let req = parse_request(r#"{"action":"query","args":{"req_id":7,"sql":5}}"#).unwrap();
    let err = req.args::<QueryArgs>().unwrap_err();
    assert_eq!(
        (err.action.as_str(), err.req_id, err.message.as_str()),
        ("query", 7, "unmarshal query request error")
    );
    let req = parse_request(r#"{"action":"init","args":{"req_id":"12","x":[}}"#);
    assert!(req.is_err(), "invalid JSON anywhere is an envelope error");
    let req = parse_request(r#"{"action":"init","args":{"req_id":"12"}}"#).unwrap();
    assert_eq!(req.req_id, 12, "salvaged from a string like jsoniter does");
    assert_eq!(
        req.args::<StmtInitArgs>().unwrap_err().message,
        "unmarshal stmt init request error"
    );
    // Missing args: an error except for version; null args read as zero values.
    let req = parse_request(r#"{"action":"query"}"#).unwrap();
    assert!(req.args::<QueryArgs>().is_err());
    let req = parse_request(r#"{"action":"version"}"#).unwrap();
    assert_eq!(
        req.args::<VersionArgs>().unwrap(),
        VersionArgs { req_id: 0 }
    );
    let req = parse_request(r#"{"action":"query","args":[3,"select 1"]}"#).unwrap();
    assert!(
        req.args::<QueryArgs>().is_err(),
        "Go reads structs from objects only"
    );
    assert!(needs_connection("query") && !needs_connection("version"));
    let req = parse_request(r#"{"action":"query","args":null}"#).unwrap();
    assert_eq!(req.args::<QueryArgs>().unwrap(), QueryArgs::default());
    // Go semantics: nulls and missing keys take zero values; unknown keys are ignored.
    let req = parse_request(
        r#"{"action":"insert","args":{"req_id":11,"protocol":1,"precision":"ms","ttl":null,"data":"m v=1","table_name_key":null,"extra":true}}"#,
    )
    .unwrap();
    let args = req.args::<SchemalessInsertArgs>().unwrap();
    assert_eq!((args.ttl, args.table_name_key.as_str()), (0, ""));
    // Generic errors the server builds from a request.
    let req = parse_request(r#"{"action":"nope","args":{"req_id":4}}"#).unwrap();
    let err = RequestError::unknown_action(&req);
    assert_eq!(
        err.reply(3).to_json(),
        r#"{"code":65535,"message":"unknown action nope","action":"nope","req_id":4,"timing":3}"#
    );
    assert_eq!(
        RequestError::not_connected(&req).message,
        "server not connected"
    );
}

#[test]
fn every_action_round_trips_through_the_envelope() {
    fn check<A: Action + PartialEq + std::fmt::Debug>(args: A) {
        let text = encode_request(&args).unwrap();
        let req = parse_request(&text).unwrap();
        assert_eq!(req.action, A::NAME);
        assert_eq!(req.req_id, args.req_id());
        assert_eq!(req.args::<A>().unwrap(), args);
    }
    check(VersionArgs { req_id: 3 });
    check(OptionsConnectionArgs {
        req_id: 1,
        options: vec![
            ConnOption {
                option: 1,
                value: Some("Asia/Shanghai".into()),
            },
            ConnOption {
                option: 3,
                value: None,
            },
        ],
    });
    check(CheckServerStatusArgs {
        req_id: 1,
        fqdn: None,
        port: 0,
    });
    check(NumFieldsArgs {
        req_id: 1,
        result_id: 4,
    });
    check(GetCurrentDbArgs { req_id: 1 });
    check(GetServerInfoArgs { req_id: 1 });
    check(StmtPrepareArgs {
        req_id: 3,
        stmt_id: 1,
        sql: "INSERT INTO ? USING st TAGS(?) VALUES(?,?,?)".into(),
    });
    check(StmtSetTableNameArgs {
        req_id: 4,
        stmt_id: 1,
        name: "d1001".into(),
    });
    check(StmtSetTagsArgs {
        req_id: 6,
        stmt_id: 1,
        tags: json!(["bj"]),
    });
    check(StmtBindArgs {
        req_id: 7,
        stmt_id: 1,
        columns: json!([
            [1700000000000i64, 1700000000001i64],
            [42, null],
            ["ab", "xyz"]
        ]),
    });
    check(StmtAddBatchArgs {
        req_id: 8,
        stmt_id: 1,
    });
    check(StmtExecArgs {
        req_id: 9,
        stmt_id: 1,
    });
    check(StmtCloseArgs {
        req_id: 10,
        stmt_id: 1,
    });
    check(StmtGetTagFieldsArgs {
        req_id: 1,
        stmt_id: 1,
    });
    check(StmtGetColFieldsArgs {
        req_id: 5,
        stmt_id: 1,
    });
    check(StmtUseResultArgs {
        req_id: 1,
        stmt_id: 1,
    });
    check(StmtNumParamsArgs {
        req_id: 1,
        stmt_id: 1,
    });
    check(StmtGetParamArgs {
        req_id: 1,
        stmt_id: 1,
        index: 2,
    });
    check(Stmt2InitArgs {
        req_id: 2,
        single_stb_insert: true,
        single_table_bind_once: false,
    });
    check(Stmt2PrepareArgs {
        req_id: 3,
        stmt_id: 1,
        sql: "select * from t where v > ?".into(),
        get_fields: true,
    });
    check(Stmt2ExecArgs {
        req_id: 7,
        stmt_id: 1,
    });
    check(Stmt2ResultArgs {
        req_id: 1,
        stmt_id: 1,
    });
    check(Stmt2CloseArgs {
        req_id: 8,
        stmt_id: 1,
    });
}

#[test]
fn stmt_replies_match_02_examples() {
    use crate::stmt::{Stmt2Field, StmtField};
    let field = |name: &str, t: i8, bytes: i32| StmtField {
        name: name.into(),
        field_type: t,
        precision: 0,
        scale: 0,
        bytes,
    };
    let cols = StmtColFieldsReply {
        stmt_id: 1,
        fields: Some(vec![field("ts", 9, 8), field("v", 4, 4), field("s", 8, 18)]),
    };
    assert_eq!(
        encode_reply(&ReplyHeader::ok("get_col_fields", 5, 30000), &cols).unwrap(),
        r#"{"code":0,"message":"","action":"get_col_fields","req_id":5,"timing":30000,"stmt_id":1,"fields":[{"name":"ts","field_type":9,"precision":0,"scale":0,"bytes":8},{"name":"v","field_type":4,"precision":0,"scale":0,"bytes":4},{"name":"s","field_type":8,"precision":0,"scale":0,"bytes":18}]}"#
    );
    let no_tags = StmtTagFieldsReply {
        stmt_id: 1,
        fields: vec![],
    };
    assert_eq!(
        encode_reply(&ReplyHeader::ok("get_tag_fields", 1, 1), &no_tags).unwrap(),
        r#"{"code":0,"message":"","action":"get_tag_fields","req_id":1,"timing":1,"stmt_id":1}"#
    );
    assert_eq!(
        encode_reply(
            &ReplyHeader::ok("exec", 9, 3100000),
            &StmtExecReply {
                stmt_id: 1,
                affected: 2
            }
        )
        .unwrap(),
        r#"{"code":0,"message":"","action":"exec","req_id":9,"timing":3100000,"stmt_id":1,"affected":2}"#
    );
    let f2 = |name: &str, t: i8, bytes: i32, bind: i32| Stmt2Field {
        name: name.into(),
        field_type: t,
        precision: 0,
        scale: 0,
        bytes,
        bind_type: bind,
    };
    let prepare = Stmt2PrepareReply {
        stmt_id: 1,
        is_insert: true,
        fields: Some(vec![
            f2("tbname", 8, 271, 4),
            f2("loc", 10, 66, 2),
            f2("ts", 9, 8, 1),
            f2("v", 4, 4, 1),
            f2("s", 8, 18, 1),
        ]),
        fields_count: 5,
    };
    let text = encode_reply(&ReplyHeader::ok("stmt2_prepare", 3, 410000), &prepare).unwrap();
    assert_eq!(
        text,
        r#"{"code":0,"message":"","action":"stmt2_prepare","req_id":3,"timing":410000,"stmt_id":1,"is_insert":true,"fields":[{"name":"tbname","field_type":8,"precision":0,"scale":0,"bytes":271,"bind_type":4},{"name":"loc","field_type":10,"precision":0,"scale":0,"bytes":66,"bind_type":2},{"name":"ts","field_type":9,"precision":0,"scale":0,"bytes":8,"bind_type":1},{"name":"v","field_type":4,"precision":0,"scale":0,"bytes":4,"bind_type":1},{"name":"s","field_type":8,"precision":0,"scale":0,"bytes":18,"bind_type":1}],"fields_count":5}"#
    );
    let back = decode_reply::<Stmt2PrepareReply>(&text).unwrap().body;
    assert_eq!(back, prepare);
    assert_eq!(
        back.fields.unwrap()[0].kind(),
        Some(crate::stmt::BindType::TableName)
    );
    let insert = decode_reply::<SchemalessInsertReply>(
        r#"{"code":0,"message":"","action":"insert","req_id":11,"timing":5300000,"affected_rows":2,"total_rows":2}"#,
    )
    .unwrap();
    assert_eq!(insert.body.affected_rows, 2);
}

#[test]
fn example_b_fetch_block_reply() {
    let block = block_d();
    assert_eq!(block.len(), 127);
    let frame = FetchBlockReply {
        timing: 98765,
        result_id: 1,
        block: &block,
    }
    .encode();
    assert_eq!(frame.len(), 143);
    assert_eq!(
        &frame[..16],
        &hex("cd 81 01 00 00 00 00 00 01 00 00 00 00 00 00 00")[..]
    );
    assert_eq!(binary_reply_kind(&frame), Some(BinaryReplyKind::FetchBlock));
    let back = FetchBlockReply::decode(&frame).unwrap();
    assert_eq!((back.timing, back.result_id), (98765, 1));
    assert!(
        std::ptr::eq(back.block.as_ptr(), frame[16..].as_ptr()),
        "borrowed"
    );
    assert!(FetchBlockReply::decode(&frame[..15]).is_err());
    assert_eq!(
        BinaryReply::decode(&frame).unwrap(),
        BinaryReply::FetchBlock(back)
    );
    assert!(BinaryReply::decode(&frame[..7]).is_err());
}

const BINARY_QUERY: &str = "02 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
    06 00 00 00 00 00 00 00  01 00 1a 00 00 00 73 65
    6c 65 63 74 20 74 73 2c  20 76 2c 20 73 2c 20 6e
    20 66 72 6f 6d 20 64 30";

#[test]
fn example_c_binary_query_and_fetch_requests() {
    let sql = "select ts, v, s, n from d0";
    let frame = encode_binary_query(2, sql).unwrap();
    assert_eq!(frame, hex(BINARY_QUERY));
    assert_eq!(frame.len(), 56);
    let req = BinaryRequest::decode(&frame).unwrap();
    assert_eq!(
        req.header,
        BinaryHeader {
            req_id: 2,
            resource_id: 0,
            action: 6
        }
    );
    assert_eq!(req.header.action_name(), "binary_query");
    assert_eq!(req.sql().unwrap(), sql.as_bytes());

    let fetch = encode_fetch_raw_block(3, 1);
    assert_eq!(
        fetch,
        hex("03 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00 01 00")
    );
    let req = BinaryRequest::decode(&fetch).unwrap();
    assert_eq!(req.header.action_name(), "fetch_raw_block");
    assert_eq!(req.fetch_raw_block(), Ok(1));

    let validate = encode_validate_sql(8, sql).unwrap();
    let req = BinaryRequest::decode(&validate).unwrap();
    assert_eq!(
        BinaryAction::from_code(req.header.action),
        Some(BinaryAction::ValidateSql)
    );
    assert_eq!(req.sql().unwrap(), sql.as_bytes());
    let reply = encode_reply(
        &ReplyHeader::ok("validate_sql", 8, 10),
        &ValidateSqlReply {
            result_code: -2147473920,
        },
    )
    .unwrap();
    assert_eq!(
        reply,
        r#"{"code":0,"message":"","action":"validate_sql","req_id":8,"timing":10,"result_code":-2147473920}"#
    );
}

#[test]
fn binary_request_errors_use_taosadapter_messages() {
    let err = BinaryRequest::decode(&[1, 0, 0, 0, 0, 0, 0, 0, 9]).unwrap_err();
    assert_eq!(
        (err.req_id, err.message.as_str()),
        (1, "message length is too short")
    );

    let mut frame = hex(BINARY_QUERY);
    // Empty SQL: 30 bytes is below the 31-byte minimum.
    let empty = encode_binary_query(2, "").unwrap();
    let err = BinaryRequest::decode(&empty).unwrap().sql().unwrap_err();
    assert_eq!(
        (err.action.as_str(), err.req_id, err.message.as_str()),
        ("binary_query", 2, "message length is too short")
    );
    frame[24] = 2;
    let err = BinaryRequest::decode(&frame).unwrap().sql().unwrap_err();
    assert_eq!(err.message, "unknown binary query version:2");
    frame[24] = 1;
    frame.truncate(50);
    let err = BinaryRequest::decode(&frame).unwrap().sql().unwrap_err();
    assert_eq!(
        err.message,
        "uncompleted message, sql length:26, remainMessageLength:20"
    );

    let fetch = encode_fetch_raw_block(3, 1);
    let short = BinaryRequest::decode(&fetch[..25]).unwrap();
    assert_eq!(
        short.fetch_raw_block(),
        Err((0xffff, "message length is too short"))
    );
    let mut v2 = fetch.clone();
    v2[24] = 2;
    assert_eq!(
        BinaryRequest::decode(&v2).unwrap().fetch_raw_block(),
        Err((0xffff, "unknown fetch raw block version"))
    );

    let mut unknown = fetch;
    unknown[16] = 42;
    let req = BinaryRequest::decode(&unknown).unwrap();
    assert_eq!(req.header.action_name(), "unknown");
    let err = req.unknown_action();
    assert_eq!(err.message, "unknown binary action 42");
    assert_eq!(
        err.reply(0).to_json(),
        r#"{"code":65535,"message":"unknown binary action 42","action":"unknown","req_id":3,"timing":0}"#
    );
}

#[test]
fn example_c_fetch_raw_block_replies() {
    let block = block_d();
    let data = encode_raw_block_data(123456, 3, 1, &block).unwrap();
    assert_eq!(data.len(), 182);
    assert_eq!(
        &data[..0x37],
        &hex("ff ff ff ff ff ff ff ff  07 00 00 00 00 00 00 00
              01 00 40 e2 01 00 00 00  00 00 03 00 00 00 00 00
              00 00 00 00 00 00 00 00  00 00 01 00 00 00 00 00
              00 00 00 7f 00 00 00")[..]
    );
    assert_eq!(&data[0x37..], &block[..]);
    assert_eq!(
        binary_reply_kind(&data),
        Some(BinaryReplyKind::FetchRawBlock)
    );
    let back = FetchRawBlockReply::decode(&data).unwrap();
    assert_eq!(
        (back.timing, back.req_id, back.code, back.result_id),
        (123456, 3, 0, 1)
    );
    assert!(back.message.is_empty());
    let got = back.into_block().unwrap().unwrap();
    assert!(
        std::ptr::eq(got.as_ptr(), data[0x37..].as_ptr()),
        "borrowed"
    );

    let done = encode_raw_block_finished(123456, 4, 1);
    assert_eq!(done.len(), 51);
    assert_eq!(&done[..8], &[0xff; 8]);
    assert_eq!(&done[26..34], &4u64.to_le_bytes());
    assert_eq!(done[50], 1);
    let back = FetchRawBlockReply::decode(&done).unwrap();
    assert_eq!((back.req_id, back.result_id, back.block), (4, 1, None));
    assert_eq!(back.into_block().unwrap(), None);

    let err = encode_raw_block_error(2345, 5, 9, 0xffff, "result is nil").unwrap();
    assert_eq!(
        err,
        hex("ff ff ff ff ff ff ff ff  07 00 00 00 00 00 00 00
             01 00 29 09 00 00 00 00  00 00 05 00 00 00 00 00
             00 00 ff ff 00 00 0d 00  00 00 72 65 73 75 6c 74
             20 69 73 20 6e 69 6c 09  00 00 00 00 00 00 00 01")
    );
    let back = FetchRawBlockReply::decode(&err).unwrap();
    assert_eq!(back.message, "result is nil");
    let e = back.into_block().unwrap_err();
    assert_eq!(e.code(), Some(crate::Code::ADAPTER_GENERIC));
    assert_eq!(e.message(), "result is nil");
    assert_eq!(e.kind(), crate::ErrorKind::Result);

    // Every truncation of a valid frame is an error, never a panic.
    for n in 0..data.len() {
        assert!(
            FetchRawBlockReply::decode(&data[..n]).is_err(),
            "prefix {n}"
        );
    }
    assert_eq!(binary_reply_kind(&data[..7]), None);
    // A block_len larger than the frame.
    let mut lying = data.clone();
    lying[0x33] = 0xff;
    lying[0x34] = 0xff;
    assert!(FetchRawBlockReply::decode(&lying).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn hostile_binary_frames_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        if let Ok(req) = BinaryRequest::decode(&bytes) {
            if let Ok(sql) = req.sql() {
                prop_assert!(sql.len() <= bytes.len());
            }
            let _ = req.fetch_raw_block();
        }
        if let Ok(r) = FetchRawBlockReply::decode(&bytes) {
            prop_assert!(r.message.len() <= bytes.len());
            prop_assert!(r.block.map_or(0, <[u8]>::len) <= bytes.len());
        }
        let _ = FetchBlockReply::decode(&bytes);
        let _ = BinaryReply::decode(&bytes);
    }

    #[test]
    fn hostile_marker_frames_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..96)) {
        // Start with a valid marker/action/version so decoding goes deep.
        let mut frame = vec![0xff; 8];
        frame.extend_from_slice(&7u64.to_le_bytes());
        frame.extend_from_slice(&1u16.to_le_bytes());
        frame.extend_from_slice(&tail);
        let _ = FetchRawBlockReply::decode(&frame);
    }

    #[test]
    fn raw_block_replies_round_trip(
        timing in any::<u64>(), req_id in any::<u64>(), id in any::<u64>(),
        block in proptest::collection::vec(any::<u8>(), 0..64),
        code in 1u16.., message in ".{0,20}",
    ) {
        let data = encode_raw_block_data(timing, req_id, id, &block).unwrap();
        let r = FetchRawBlockReply::decode(&data).unwrap();
        prop_assert_eq!((r.timing, r.req_id, r.result_id, r.block), (timing, req_id, id, Some(&block[..])));
        let err = encode_raw_block_error(timing, req_id, id, code, &message).unwrap();
        let r = FetchRawBlockReply::decode(&err).unwrap();
        prop_assert_eq!(r.code, u32::from(code));
        prop_assert_eq!(r.message.as_ref(), message.as_str());
    }

    #[test]
    fn sql_frames_round_trip(req_id in any::<u64>(), sql in ".{1,40}") {
        let frame = encode_binary_query(req_id, &sql).unwrap();
        let req = BinaryRequest::decode(&frame).unwrap();
        prop_assert_eq!(req.header.req_id, req_id);
        prop_assert_eq!(req.sql().unwrap(), sql.as_bytes());
    }

    #[test]
    fn hostile_text_frames_never_panic(text in ".{0,80}") {
        if let Ok(req) = parse_request(&text) {
            prop_assert!(!req.action.is_empty());
            let _ = req.args::<QueryArgs>();
            let _ = req.args::<ConnArgs>();
        }
        let _ = decode_reply::<QueryReply>(&text);
        let _ = ReplyHeader::peek(&text);
    }
}
