//! The worked example of 02 §3.8 byte for byte, the binary replies of §3.5, request
//! dispatch, consumer configuration, and hostile-input properties.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::block::{decode_block, encode_block};
use crate::row::Column;
use crate::types::{Precision, Timestamp, Type};
use crate::value::Value;
use crate::ws::{encode_request, parse_request};
use crate::{Code, ErrorKind};

fn hex(s: &str) -> Vec<u8> {
    let digits: String = s.split_whitespace().collect();
    crate::value::from_hex(&digits).unwrap()
}

/// The 90-byte block of 02 §3.8 (no trailing byte).
fn example_block() -> Vec<u8> {
    hex(
        "01 00 00 00 5a 00 00 00 02 00 00 00 03 00 00 00 00 00 00 80 00 00 00 00 00 00 00 00
         09 08 00 00 00 06 04 00 00 00 04 04 00 00 00
         10 00 00 00 08 00 00 00 08 00 00 00
         00 b1 7f 3d ce 7f 01 00 00 b2 7f 3d ce 7f 01 00 00
         00 cd cc 24 41 9a 99 49 41
         00 db 00 00 00 da 00 00 00",
    )
}

fn example_columns() -> Vec<Column> {
    vec![
        Column::new("ts", Type::Timestamp, 8),
        Column::new("current", Type::Float, 4),
        Column::new("voltage", Type::Int, 4),
    ]
}

fn example_rows() -> Vec<Vec<Value>> {
    let ts = |v| Value::Timestamp(Timestamp::new(v, Precision::Millisecond));
    vec![
        vec![ts(1_648_432_611_249), Value::Float(10.3), Value::Int(219)],
        vec![ts(1_648_432_611_250), Value::Float(12.6), Value::Int(218)],
    ]
}

#[test]
fn example_requests_are_byte_exact() {
    assert_eq!(
        encode_request(&VersionArgs { req_id: 0 }).unwrap(),
        r#"{"action":"version"}"#
    );
    let subscribe = SubscribeArgs {
        req_id: 1,
        user: "root".into(),
        password: "taosdata".into(),
        group_id: "g1".into(),
        client_id: "c1".into(),
        offset_rest: "earliest".into(),
        topics: vec!["topic_meters".into()],
        auto_commit: "false".into(),
        snapshot_enable: "false".into(),
        with_table_name: "true".into(),
        enable_batch_meta: "1".into(),
        connector: "rust-x.y.z".into(),
        ..SubscribeArgs::default()
    };
    assert_eq!(
        encode_request(&subscribe).unwrap(),
        concat!(
            r#"{"action":"subscribe","args":{"req_id":1,"user":"root","password":"taosdata","db":"","#,
            r#""group_id":"g1","client_id":"c1","offset_rest":"earliest","topics":["topic_meters"],"#,
            r#""auto_commit":"false","snapshot_enable":"false","with_table_name":"true","#,
            r#""enable_batch_meta":"1","connector":"rust-x.y.z","config":{}}}"#
        )
    );
    let poll = PollArgs {
        req_id: 2,
        blocking_time: 500,
        message_id: Some(0),
    };
    assert_eq!(
        encode_request(&poll).unwrap(),
        r#"{"action":"poll","args":{"req_id":2,"blocking_time":500,"message_id":0}}"#
    );
    assert_eq!(
        encode_request(&FetchArgs {
            req_id: 3,
            message_id: 1
        })
        .unwrap(),
        r#"{"action":"fetch","args":{"req_id":3,"message_id":1}}"#
    );
    assert_eq!(
        encode_request(&FetchBlockArgs {
            req_id: 3,
            message_id: 1
        })
        .unwrap(),
        r#"{"action":"fetch_block","args":{"req_id":3,"message_id":1}}"#
    );
    assert_eq!(
        encode_request(&CommitArgs {
            req_id: 5,
            message_id: 1
        })
        .unwrap(),
        r#"{"action":"commit","args":{"req_id":5,"message_id":1}}"#
    );
    assert_eq!(
        encode_request(&UnsubscribeArgs { req_id: 7 }).unwrap(),
        r#"{"action":"unsubscribe","args":{"req_id":7}}"#
    );
    // The server reads every one of them back.
    let parsed = parse_tmq_request(&encode_request(&subscribe).unwrap()).unwrap();
    assert_eq!(parsed, TmqRequest::Subscribe(Box::new(subscribe)));
    assert_eq!(
        parse_tmq_request(r#"{"action":"version"}"#),
        Some(TmqRequest::Version(VersionArgs { req_id: 0 }))
    );
}

#[test]
fn example_replies_are_byte_exact_and_decode() {
    let cases: Vec<(String, &str)> = vec![
        (
            encode_tmq_reply(
                "version",
                0,
                15000,
                &VersionReply {
                    version: "3.3.6.0".into(),
                },
            )
            .unwrap(),
            r#"{"code":0,"message":"","action":"version","req_id":0,"timing":15000,"version":"3.3.6.0"}"#,
        ),
        (
            encode_tmq_reply(
                "subscribe",
                1,
                14_500_000,
                &SubscribeReply {
                    version: "3.3.6.0".into(),
                    list_instances: None,
                },
            )
            .unwrap(),
            r#"{"code":0,"message":"","action":"subscribe","req_id":1,"timing":14500000,"version":"3.3.6.0"}"#,
        ),
        (
            encode_tmq_reply(
                "poll",
                2,
                3_200_000,
                &PollReply {
                    have_message: true,
                    topic: "topic_meters".into(),
                    database: "power".into(),
                    vgroup_id: 3,
                    message_type: 1,
                    message_id: 1,
                    offset: 12,
                },
            )
            .unwrap(),
            concat!(
                r#"{"code":0,"message":"","action":"poll","req_id":2,"timing":3200000,"have_message":true,"#,
                r#""topic":"topic_meters","database":"power","vgroup_id":3,"message_type":1,"message_id":1,"offset":12}"#
            ),
        ),
        (
            encode_tmq_reply(
                "fetch",
                3,
                90000,
                &FetchReply {
                    message_id: 1,
                    completed: false,
                    table_name: "d1001".into(),
                    rows: 2,
                    fields_count: 3,
                    fields_names: Some(vec!["ts".into(), "current".into(), "voltage".into()]),
                    fields_types: Some(vec![9, 6, 4]),
                    fields_lengths: Some(vec![8, 4, 4]),
                    precision: 0,
                },
            )
            .unwrap(),
            concat!(
                r#"{"code":0,"message":"","action":"fetch","req_id":3,"timing":90000,"message_id":1,"completed":false,"#,
                r#""table_name":"d1001","rows":2,"fields_count":3,"fields_names":["ts","current","voltage"],"#,
                r#""fields_types":[9,6,4],"fields_lengths":[8,4,4],"precision":0}"#
            ),
        ),
        (
            encode_tmq_reply(
                "fetch",
                4,
                20000,
                &FetchReply {
                    message_id: 1,
                    completed: true,
                    ..FetchReply::default()
                },
            )
            .unwrap(),
            concat!(
                r#"{"code":0,"message":"","action":"fetch","req_id":4,"timing":20000,"message_id":1,"completed":true,"#,
                r#""table_name":"","rows":0,"fields_count":0,"fields_names":null,"fields_types":null,"#,
                r#""fields_lengths":null,"precision":0}"#
            ),
        ),
        (
            encode_tmq_reply("commit", 5, 800_000, &CommitReply { message_id: 1 }).unwrap(),
            r#"{"code":0,"message":"","action":"commit","req_id":5,"timing":800000,"message_id":1}"#,
        ),
        (
            encode_tmq_reply("poll", 6, 501_000_000, &PollReply::default()).unwrap(),
            concat!(
                r#"{"code":0,"message":"","action":"poll","req_id":6,"timing":501000000,"have_message":false,"#,
                r#""topic":"","database":"","vgroup_id":0,"message_type":0,"message_id":0,"offset":0}"#
            ),
        ),
        (
            encode_tmq_reply("unsubscribe", 7, 2_100_000, &Empty {}).unwrap(),
            r#"{"code":0,"message":"","action":"unsubscribe","req_id":7,"timing":2100000}"#,
        ),
    ];
    for (got, want) in &cases {
        assert_eq!(got, want);
    }
    let poll = decode_tmq_reply::<PollArgs>(cases[2].1).unwrap();
    assert!(poll.body.have_message);
    assert_eq!((poll.body.vgroup_id, poll.body.offset), (3, 12));
    let fetch = decode_tmq_reply::<FetchArgs>(cases[3].1).unwrap();
    assert_eq!(fetch.body.fields_types, Some(vec![9, 6, 4]));
    assert_eq!(fetch.body.columns().unwrap(), example_columns());
    assert_eq!(fetch.body.timestamp_precision(), Precision::Millisecond);
    let mut broken = fetch.body.clone();
    broken.fields_count = 4;
    assert!(broken.columns().is_err());
    broken.fields_count = 3;
    broken.fields_types = Some(vec![9, 6, 99]);
    assert!(broken.columns().unwrap_err().message().contains("99"));
    let done = decode_tmq_reply::<FetchArgs>(cases[4].1).unwrap();
    assert!(done.body.completed && done.body.fields_names.is_none());
    let version = decode_tmq_reply::<VersionArgs>(cases[0].1).unwrap();
    assert_eq!(version.body.version, "3.3.6.0");
}

#[test]
fn example_fetch_block_frame_is_byte_exact() {
    let block = example_block();
    let frame = TmqFetchBlockReply {
        timing: 0xcb20,
        req_id: 3,
        message_id: 1,
        block: &block,
    }
    .encode();
    let mut want = hex("20 cb 00 00 00 00 00 00 03 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00");
    want.extend_from_slice(&block);
    assert_eq!(frame.len(), 114);
    assert_eq!(frame, want);
    let decoded = TmqFetchBlockReply::decode(&frame).unwrap();
    assert_eq!(
        (decoded.timing, decoded.req_id, decoded.message_id),
        (0xcb20, 3, 1)
    );
    let rows = decode_block(decoded.block, Precision::Millisecond)
        .unwrap()
        .rows;
    assert_eq!(rows, example_rows());
    // The server's block encoder writes the same bytes plus the trailing 00 of current engines.
    let ours = encode_block(&example_columns(), &example_rows()).unwrap();
    assert_eq!(ours.len(), 91);
    assert_eq!(&ours[..4], &block[..4]);
    assert_eq!(&ours[4..8], &91u32.to_le_bytes());
    assert_eq!(&ours[8..90], &block[8..90]);
    assert_eq!(ours[90], 0);
}

#[test]
fn error_replies_carry_message_id_only_for_message_actions() {
    let fetch =
        parse_tmq_request(r#"{"action":"fetch","args":{"req_id":9,"message_id":4}}"#).unwrap();
    assert_eq!(fetch.error_message_id(), Some(4));
    let text = encode_tmq_error(
        fetch.action(),
        fetch.req_id(),
        10,
        0xFFFF,
        "message ID are not equal",
        fetch.error_message_id(),
    )
    .unwrap();
    assert_eq!(
        text,
        r#"{"code":65535,"message":"message ID are not equal","action":"fetch","req_id":9,"timing":10,"message_id":4}"#
    );
    let err = decode_tmq_reply::<FetchArgs>(&text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tmq);
    assert_eq!(err.code(), Some(Code::ADAPTER_GENERIC));
    assert_eq!(err.message(), "message ID are not equal");
    let seek = parse_tmq_request(r#"{"action":"seek","args":{"req_id":1}}"#).unwrap();
    assert_eq!(seek.error_message_id(), None);
    assert_eq!(
        encode_tmq_error(
            "seek",
            1,
            0,
            0x4008,
            "VgId does not belong to this consumer",
            None
        )
        .unwrap(),
        r#"{"code":16392,"message":"VgId does not belong to this consumer","action":"seek","req_id":1,"timing":0}"#
    );
}

#[test]
fn malformed_frames_get_no_reply() {
    for text in [
        "not json",
        "[]",
        r#"{"args":{}}"#,
        r#"{"action":"conn","args":{}}"#,
        r#"{"action":"poll","args":{"blocking_time":"x"}}"#,
        r#"{"action":"poll","args":[1]}"#,
        r#"{"action":"subscribe"}"#,
    ] {
        assert_eq!(parse_tmq_request(text), None, "{text}");
    }
    // Null / missing values take their zero value, unknown keys are ignored.
    let req = parse_tmq_request(
        r#"{"action":"committed","args":{"req_id":null,"topic_vgroup_ids":[{"topic":"t","vgroup_id":2,"x":1}],"y":2}}"#,
    )
    .unwrap();
    assert_eq!(
        req,
        TmqRequest::Committed(CommittedArgs {
            req_id: 0,
            topic_vgroup_ids: vec![TopicVgroupId {
                topic: "t".into(),
                vgroup_id: 2
            }],
        })
    );
    assert!(parse_request("{}").is_err());
}

#[test]
fn every_action_round_trips() {
    fn check<A: crate::ws::Action + PartialEq + std::fmt::Debug + Clone>(
        args: A,
        wrap: fn(A) -> TmqRequest,
    ) {
        let text = encode_request(&args).unwrap();
        let req = parse_tmq_request(&text).unwrap();
        assert_eq!(req.action(), A::NAME);
        assert_eq!(req.req_id(), args.req_id());
        assert_eq!(req, wrap(args));
    }
    let mut config = BTreeMap::new();
    config.insert("enable.replay".to_owned(), "true".to_owned());
    check(
        SubscribeArgs {
            req_id: 1,
            offset_reset: "latest".into(),
            auto_commit_interval_ms: "100".into(),
            session_timeout_ms: "6000".into(),
            list_instances: true,
            config,
            ..SubscribeArgs::default()
        },
        |a| TmqRequest::Subscribe(Box::new(a)),
    );
    check(
        PollArgs {
            req_id: 2,
            blocking_time: 10,
            message_id: None,
        },
        TmqRequest::Poll,
    );
    check(
        FetchArgs {
            req_id: 3,
            message_id: 1,
        },
        TmqRequest::Fetch,
    );
    check(
        FetchBlockArgs {
            req_id: 3,
            message_id: 1,
        },
        TmqRequest::FetchBlock,
    );
    check(
        FetchRawArgs {
            req_id: 4,
            message_id: 1,
        },
        TmqRequest::FetchRaw,
    );
    check(
        FetchRawDataArgs {
            req_id: 5,
            message_id: 1,
        },
        TmqRequest::FetchRawData,
    );
    check(
        FetchJsonMetaArgs {
            req_id: 6,
            message_id: 1,
        },
        TmqRequest::FetchJsonMeta,
    );
    check(
        CommitArgs {
            req_id: 7,
            message_id: 1,
        },
        TmqRequest::Commit,
    );
    check(
        CommitOffsetArgs {
            req_id: 8,
            topic: "t".into(),
            vgroup_id: 2,
            offset: 5,
        },
        TmqRequest::CommitOffset,
    );
    let pairs = vec![TopicVgroupId {
        topic: "t".into(),
        vgroup_id: 2,
    }];
    check(
        CommittedArgs {
            req_id: 9,
            topic_vgroup_ids: pairs.clone(),
        },
        TmqRequest::Committed,
    );
    check(
        PositionArgs {
            req_id: 10,
            topic_vgroup_ids: pairs,
        },
        TmqRequest::Position,
    );
    check(
        SeekArgs {
            req_id: 11,
            topic: "t".into(),
            vgroup_id: 2,
            offset: 0,
        },
        TmqRequest::Seek,
    );
    check(
        AssignmentArgs {
            req_id: 12,
            topic: "t".into(),
        },
        TmqRequest::Assignment,
    );
    check(ListTopicsArgs { req_id: 13 }, TmqRequest::ListTopics);
    check(UnsubscribeArgs { req_id: 14 }, TmqRequest::Unsubscribe);
    // Reply bodies of the offset actions.
    let text = encode_tmq_reply(
        "assignment",
        12,
        1,
        &AssignmentReply {
            assignment: vec![Assignment {
                vgroup_id: 2,
                offset: 0,
                begin: 0,
                end: 7,
            }],
        },
    )
    .unwrap();
    assert_eq!(
        text,
        r#"{"code":0,"message":"","action":"assignment","req_id":12,"timing":1,"assignment":[{"vgroup_id":2,"offset":0,"begin":0,"end":7}]}"#
    );
    let reply = decode_tmq_reply::<CommittedArgs>(
        r#"{"code":0,"message":"","action":"committed","req_id":9,"timing":1,"committed":[-2147467247]}"#,
    )
    .unwrap();
    assert_eq!(reply.body.committed, vec![OFFSET_INVALID]);
    let text = encode_tmq_reply(
        "commit_offset",
        8,
        1,
        &CommitOffsetReply {
            topic: "t".into(),
            vgroup_id: 2,
            offset: 5,
        },
    )
    .unwrap();
    assert_eq!(
        text,
        r#"{"code":0,"message":"","action":"commit_offset","req_id":8,"timing":1,"topic":"t","vgroup_id":2,"offset":5}"#
    );
}

type Table = (Vec<Column>, Vec<Vec<Value>>);

fn raw_tables() -> (Vec<Column>, Vec<Vec<Value>>, Table) {
    let other = vec![
        Column::new("ts", Type::Timestamp, 8),
        Column::new("name", Type::VarChar, 10),
    ];
    let ts = Value::Timestamp(Timestamp::new(5, Precision::Millisecond));
    let other_rows = vec![
        vec![ts, Value::VarChar("x".into())],
        vec![
            Value::Timestamp(Timestamp::new(6, Precision::Millisecond)),
            Value::Null,
        ],
    ];
    (example_columns(), example_rows(), (other, other_rows))
}

#[test]
fn raw_data_round_trips_with_schema_and_table_names() {
    let (c1, r1, (c2, r2)) = raw_tables();
    let raw = encode_raw_data(
        &[
            RawDataTable {
                table_name: "d1001",
                columns: &c1,
                rows: &r1,
            },
            RawDataTable {
                table_name: "t2",
                columns: &c2,
                rows: &r2,
            },
        ],
        Precision::Millisecond,
    )
    .unwrap();
    // Head v=100, n=0; two blocks; both flags set.
    assert_eq!(&raw[..11], &hex("64 00 00 00 00 02 00 00 00 01 01")[..]);
    let data = RawData::decode(&raw).unwrap();
    assert!(data.with_schema && data.with_table_name);
    assert_eq!(data.blocks.len(), 2);
    let b = &data.blocks[0];
    assert_eq!(b.table_name.as_deref(), Some("d1001"));
    assert_eq!(b.precision, 0);
    assert_eq!(b.schema.len(), 3);
    assert_eq!(
        b.schema[1],
        RawSchemaField {
            ty: 6,
            flag: 0,
            bytes: 4,
            col_id: 2,
            name: "current".into()
        }
    );
    assert_eq!(b.decode().unwrap().rows, r1);
    assert_eq!(b.columns().unwrap(), c1);
    let b = &data.blocks[1];
    assert_eq!(b.table_name.as_deref(), Some("t2"));
    assert_eq!(
        b.schema[1].bytes, 12,
        "VARCHAR(10) is 12 bytes wide internally"
    );
    assert_eq!(b.decode().unwrap().rows, r2);
    assert_eq!(b.columns().unwrap(), c2);

    // The whole reply frame.
    let frame = FetchRawDataReply {
        timing: 7,
        req_id: 100,
        code: 0,
        message: "",
        message_id: 3,
        payload: Some((RAW_DATA_META_TYPE, &raw)),
    }
    .encode()
    .unwrap();
    assert_eq!(
        &frame[..18],
        &hex("ff ff ff ff ff ff ff ff 08 00 00 00 00 00 00 00 01 00")[..]
    );
    assert_eq!(frame.len(), 42 + 8 + 2 + 4 + raw.len());
    let reply = FetchRawDataReply::decode(&frame).unwrap();
    assert_eq!((reply.timing, reply.req_id, reply.message_id), (7, 100, 3));
    assert_eq!(reply.into_result().unwrap(), (RAW_DATA_META_TYPE, &raw[..]));
}

#[test]
fn raw_data_accepts_offset_heads() {
    // v = 1 (8-byte offset), then type 2 (16 bytes), zero blocks, no flags.
    let mut raw = vec![1];
    raw.extend_from_slice(&[0; 8]);
    raw.push(2);
    raw.extend_from_slice(&[0; 16]);
    raw.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let data = RawData::decode(&raw).unwrap();
    assert!(data.blocks.is_empty() && !data.with_schema);
    raw[0] = 7;
    assert!(
        RawData::decode(&raw)
            .unwrap_err()
            .message()
            .contains("offset type 7")
    );
}

#[test]
fn fetch_raw_data_error_frame() {
    let frame = FetchRawDataReply {
        timing: 1,
        req_id: 2,
        code: 0xFFFF,
        message: "message ID is not equal",
        message_id: 9,
        payload: None,
    }
    .encode()
    .unwrap();
    assert_eq!(frame.len(), 42 + 23 + 8);
    let reply = FetchRawDataReply::decode(&frame).unwrap();
    assert_eq!(reply.message, "message ID is not equal");
    assert_eq!(reply.message_id, 9);
    let err = reply.into_result().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tmq);
    assert_eq!(err.code(), Some(Code::ADAPTER_GENERIC));
}

#[test]
fn fetch_raw_frame_round_trips() {
    let frame = FetchRawReply {
        timing: 1,
        req_id: 2,
        message_id: 3,
        raw_type: 4,
        raw: b"abc",
    }
    .encode()
    .unwrap();
    assert_eq!(&frame[24..32], &3u64.to_le_bytes());
    assert_eq!(&frame[32..38], &hex("03 00 00 00 04 00")[..]);
    let r = FetchRawReply::decode(&frame).unwrap();
    assert_eq!((r.message_id, r.raw_type, r.raw), (3, 4, &b"abc"[..]));
    let mut bad = frame.clone();
    bad[24] = 4;
    assert!(FetchRawReply::decode(&bad).is_err());
    assert!(FetchRawReply::decode(&frame[..frame.len() - 1]).is_err());
}

// ---------------------------------------------------------------------------------------
// Consumer configuration

#[test]
fn config_from_map_with_every_seed_key() {
    let config = ConsumerConfig::from_map([
        ("td.connect.ip", "db.example"),
        ("td.connect.port", "6042"),
        ("td.connect.user", "u"),
        ("td.connect.pass", "p"),
        ("td.connect.token", "tok en"),
        ("group.id", "g"),
        ("client.id", "c"),
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "true"),
        ("auto.commit.interval.ms", "1000"),
        ("session.timeout.ms", "6000"),
        ("max.poll.interval.ms", "1000"),
        ("msg.with.table.name", "false"),
        ("experimental.snapshot.enable", "true"),
    ])
    .unwrap();
    assert_eq!(config.host, "db.example");
    assert_eq!(config.port, 6042);
    assert_eq!(
        config.websocket_url(),
        "ws://db.example:6042/rest/tmq?token=tok%20en"
    );
    let args = config.subscribe_args(&["t1", "t2"], 5, "taosync-0.1");
    let want = SubscribeArgs {
        req_id: 5,
        user: "u".into(),
        password: "p".into(),
        group_id: "g".into(),
        client_id: "c".into(),
        offset_rest: "earliest".into(),
        offset_reset: "earliest".into(),
        topics: vec!["t1".into(), "t2".into()],
        auto_commit: "true".into(),
        auto_commit_interval_ms: "1000".into(),
        snapshot_enable: "true".into(),
        with_table_name: "false".into(),
        session_timeout_ms: "6000".into(),
        max_poll_interval_ms: "1000".into(),
        connector: "taosync-0.1".into(),
        config: [("td.connect.token".to_owned(), "tok en".to_owned())].into(),
        ..SubscribeArgs::default()
    };
    assert_eq!(args, want);
}

#[test]
fn config_defaults_and_dsn() {
    let c = ConsumerConfig::from_map([("group.id", "g")]).unwrap();
    assert_eq!(c.websocket_url(), "ws://localhost:6041/rest/tmq");
    assert_eq!((c.user.as_str(), c.password.as_str()), ("root", "taosdata"));
    assert!(!c.enable_auto_commit && c.with_table_name && !c.snapshot_enable);
    assert_eq!(c.auto_commit_interval_ms, 5000);
    let args = c.subscribe_args(&["t"], 1, "x");
    assert_eq!(args.offset_rest, "");
    assert_eq!(args.auto_commit, "false");

    let c = ConsumerConfig::from_dsn(
        "tmq+wss://us%40r:p%3Ass@h1:7000/power?group.id=g2&auto.offset.reset=latest&token=abc",
    )
    .unwrap();
    assert!(c.tls);
    assert_eq!((c.user.as_str(), c.password.as_str()), ("us@r", "p:ss"));
    assert_eq!((c.host.as_str(), c.port), ("h1", 7000));
    assert_eq!(c.db.as_deref(), Some("power"));
    assert_eq!(c.auto_offset_reset, Some(OffsetReset::Latest));
    assert_eq!(c.websocket_url(), "wss://h1:7000/rest/tmq?token=abc");
    let c = ConsumerConfig::from_dsn("ws://[::1]:7001?group.id=g").unwrap();
    assert_eq!((c.host.as_str(), c.port), ("[::1]", 7001));
    assert_eq!(c.websocket_url(), "ws://[::1]:7001/rest/tmq");
    let c = ConsumerConfig::from_dsn("ws://[::1]?group.id=g").unwrap();
    assert_eq!((c.host.as_str(), c.port), ("[::1]", 6041));
    assert!(ConsumerConfig::from_dsn("ws://[::1?group.id=g").is_err());
    // The map overrides the DSN.
    let c = ConsumerConfig::from_dsn_and_map("ws://h?group.id=a", [("group.id", "b")]).unwrap();
    assert_eq!(c.group_id, "b");
    assert_eq!(c.port, 6041);
}

#[test]
fn config_accepts_taosws_aliases() {
    let c = ConsumerConfig::from_map([
        ("protocol", "wss"),
        ("host", "h"),
        ("port", "1234"),
        ("username", "u"),
        ("password", "p"),
        ("bearer_token", "b"),
        ("snapshot", "true"),
        ("group.id", "g"),
    ])
    .unwrap();
    assert!(c.tls && c.snapshot_enable);
    assert_eq!((c.host.as_str(), c.port, c.user.as_str()), ("h", 1234, "u"));
    assert_eq!(c.token.as_deref(), Some("b"));
}

#[test]
fn config_errors_name_the_key() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("group.id", "g"), ("bogus.key", "1")], "bogus.key"),
        (
            &[("group.id", "g"), ("auto.offset.reset", "soon")],
            "auto.offset.reset",
        ),
        (
            &[("group.id", "g"), ("enable.auto.commit", "yes")],
            "enable.auto.commit",
        ),
        (
            &[("group.id", "g"), ("auto.commit.interval.ms", "-1")],
            "auto.commit.interval.ms",
        ),
        (
            &[("group.id", "g"), ("session.timeout.ms", "10")],
            "session.timeout.ms",
        ),
        (
            &[("group.id", "g"), ("max.poll.interval.ms", "x")],
            "max.poll.interval.ms",
        ),
        (
            &[("group.id", "g"), ("td.connect.port", "0")],
            "td.connect.port",
        ),
        (
            &[("group.id", "g"), ("msg.with.table.name", "2")],
            "msg.with.table.name",
        ),
        (
            &[("group.id", "g"), ("experimental.snapshot.enable", "")],
            "experimental.snapshot.enable",
        ),
        (
            &[("group.id", "g"), ("fetch.max.wait.ms", "0")],
            "fetch.max.wait.ms",
        ),
        (
            &[("group.id", "g"), ("min.poll.rows", "many")],
            "min.poll.rows",
        ),
        (
            &[("group.id", "g"), ("heartbeat.interval.ms", "12000")],
            "heartbeat.interval.ms",
        ),
        (&[("client.id", "c")], "group.id"),
    ];
    for (entries, key) in cases {
        let err = ConsumerConfig::from_map(entries.iter().copied()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Tmq, "{key}");
        assert!(err.message().contains(key), "{key}: {}", err.message());
    }
    let long = "g".repeat(193);
    assert!(ConsumerConfig::from_map([("group.id", long.as_str())]).is_err());
    for dsn in [
        "http://h?group.id=g",
        "no-scheme",
        "ws://h:99999?group.id=g",
        "ws://h?group.id=g&x=1",
    ] {
        let err = ConsumerConfig::from_dsn(dsn).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Tmq, "{dsn}");
    }
}

// ---------------------------------------------------------------------------------------
// Hostile input

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn hostile_binary_replies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
        if let Ok(r) = TmqFetchBlockReply::decode(&bytes) {
            prop_assert_eq!(r.block.len() + 24, bytes.len());
        }
        if let Ok(r) = FetchRawReply::decode(&bytes) {
            prop_assert!(r.raw.len() <= bytes.len());
        }
        if let Ok(r) = FetchRawDataReply::decode(&bytes) {
            prop_assert!(r.message.len() <= bytes.len());
        }
        if let Ok(data) = RawData::decode(&bytes) {
            prop_assert!(data.blocks.len() <= bytes.len());
            for b in &data.blocks {
                let _ = b.decode();
                let _ = b.columns();
            }
        }
    }

    #[test]
    fn hostile_raw_data_after_valid_head(tail in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut raw = vec![100, 0, 0, 0, 0];
        raw.extend_from_slice(&tail);
        if let Ok(data) = RawData::decode(&raw) {
            for b in &data.blocks {
                prop_assert!(b.block.len() <= raw.len());
                let _ = b.decode();
            }
        }
    }

    #[test]
    fn mutated_raw_data_never_panics(pos in 0usize..400, byte in any::<u8>(), cut in 0usize..400) {
        let (c1, r1, (c2, r2)) = raw_tables();
        let mut raw = encode_raw_data(
            &[
                RawDataTable { table_name: "d1001", columns: &c1, rows: &r1 },
                RawDataTable { table_name: "t2", columns: &c2, rows: &r2 },
            ],
            Precision::Nanosecond,
        ).unwrap();
        let len = raw.len();
        raw[pos % len] = byte;
        raw.truncate(len - cut % len);
        if let Ok(data) = RawData::decode(&raw) {
            for b in &data.blocks {
                let _ = b.decode();
                let _ = b.columns();
            }
        }
    }

    #[test]
    fn raw_data_reply_round_trips(
        timing in any::<u64>(), req_id in any::<u64>(), id in any::<u64>(),
        code in any::<u32>(), message in ".{0,20}", raw in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let payload = (code == 0).then_some((3u16, &raw[..]));
        let reply = FetchRawDataReply { timing, req_id, code, message: &message, message_id: id, payload };
        let frame = reply.encode().unwrap();
        prop_assert_eq!(FetchRawDataReply::decode(&frame).unwrap(), reply);
    }

    #[test]
    fn config_never_panics(key in "[a-z.]{0,30}", value in ".{0,20}") {
        let _ = ConsumerConfig::from_map([("group.id", "g"), (key.as_str(), value.as_str())]);
        let dsn = format!("ws://{value}?{key}={value}");
        let _ = ConsumerConfig::from_dsn(&dsn);
    }
}

#[test]
fn every_key_the_official_clients_send_is_accepted() {
    // taos-ws-py 0.7 sends these, plus the batch-meta, exclusion and raw-data flags and
    // the session keys; keys match without regard to case.
    let c = ConsumerConfig::from_map([
        ("group.id", "g"),
        ("fetch.max.wait.ms", "100"),
        ("MIN.POLL.ROWS", "10"),
        ("msg.enable.batchmeta", "true"),
        ("msg.consume.excluded", "1"),
        ("msg.consume.rawdata", "false"),
        ("session.timeout.ms", "20000"),
        ("heartbeat.interval.ms", "5000"),
        ("max.poll.interval.ms", "60000"),
        ("enable.wal.marker", "false"),
        ("td.connect.ip", "127.0.0.1"),
        ("td.connect.websocket.scheme", "ws"),
        ("td.connect.some.future.key", "x"),
    ])
    .unwrap();
    assert_eq!(
        (c.fetch_max_wait_ms, c.min_poll_rows),
        (Some(100), Some(10))
    );
    assert_eq!(c.heartbeat_interval_ms, Some(5000));
    let args = c.subscribe_args(&["t"], 1, "taosync");
    assert_eq!(args.config["fetch.max.wait.ms"], "100");
    assert_eq!(args.config["min.poll.rows"], "10");
    assert_eq!(args.config["heartbeat.interval.ms"], "5000");
    assert_eq!(args.config["enable.wal.marker"], "false");
    assert_eq!(args.enable_batch_meta, "1");
    assert_eq!(args.msg_consume_excluded, "1");
    assert_eq!(args.session_timeout_ms, "20000");
}
