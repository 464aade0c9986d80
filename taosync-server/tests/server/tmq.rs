//! TMQ on the embedded server over raw `/rest/tmq` WebSocket frames (02 §3), with data
//! written through `/rest/sql`: delivery guarantees (at-least-once, no redelivery after a
//! commit, independent groups, seek, per-vgroup order of rows written during a poll,
//! rebalancing) and the error paths.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::{Ws, rest_reply, ws_connect};
use taosync_proto::Value;
use taosync_proto::block::decode_block;
use taosync_proto::tmq::{
    AssignmentArgs, AssignmentReply, CommitArgs, CommitOffsetArgs, CommittedArgs, FetchArgs,
    FetchBlockArgs, FetchJsonMetaArgs, FetchRawDataArgs, FetchRawDataReply, ListTopicsArgs,
    PollArgs, PollReply, RAW_META_JSON_TYPE, RawData, SeekArgs, SubscribeArgs, TmqFetchBlockReply,
    TopicVgroupId, UnsubscribeArgs, VersionArgs, decode_tmq_reply,
};
use taosync_proto::ws::{Action, Reply, encode_request};
use taosync_server::{Server, ServerConfig, ServerHandle};
use tungstenite::Message;

// ---------------------------------------------------------------------------------------
// Helpers

/// Runs SQL through `/rest/sql` and returns the JSON reply (panics on an error code).
fn sql(h: &ServerHandle, sql: &str) -> serde_json::Value {
    let reply = sql_reply(h, sql);
    assert_eq!(reply["code"], 0, "{sql}: {reply}");
    reply
}

fn sql_reply(h: &ServerHandle, sql: &str) -> serde_json::Value {
    rest_reply(h, sql)
}

/// A database with `vgroups` vgroups, supertable `meters (ts, v int) tags (loc int)` and
/// children `d0..d{children}`.
fn setup(h: &ServerHandle, db: &str, vgroups: u32, children: u32) {
    sql(h, &format!("create database {db} vgroups {vgroups}"));
    sql(
        h,
        &format!("create stable {db}.meters (ts timestamp, v int) tags (loc int)"),
    );
    for i in 0..children {
        sql(
            h,
            &format!("create table {db}.d{i} using {db}.meters tags ({i})"),
        );
    }
}

/// Inserts `v` values `from..to`, spread round-robin over `children` tables, one row per
/// statement clause; timestamps follow `v`.
fn insert(h: &ServerHandle, db: &str, children: u32, from: i32, to: i32) {
    let mut stmt = String::from("insert into");
    for v in from..to {
        let table = v.rem_euclid(children as i32);
        stmt.push_str(&format!(
            " {db}.d{table} values ({}, {v})",
            1_700_000_000_000i64 + i64::from(v)
        ));
    }
    sql(h, &stmt);
}

/// One `/rest/tmq` socket.
struct Consumer {
    ws: Ws,
    req: u64,
    last_message: u64,
}

fn subscribe_args(group: &str, client: &str, topics: &[&str]) -> SubscribeArgs {
    SubscribeArgs {
        user: "root".into(),
        password: "taosdata".into(),
        group_id: group.into(),
        client_id: client.into(),
        offset_rest: "earliest".into(),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        auto_commit: "false".into(),
        with_table_name: "true".into(),
        ..SubscribeArgs::default()
    }
}

impl Consumer {
    fn connect(h: &ServerHandle) -> Consumer {
        let ws = ws_connect(h, "/rest/tmq");
        Consumer {
            ws,
            req: 0,
            last_message: 0,
        }
    }

    /// Connects and subscribes (asserting success).
    fn subscribed(h: &ServerHandle, group: &str, client: &str, topics: &[&str]) -> Consumer {
        let mut c = Consumer::connect(h);
        c.call(&subscribe_args(group, client, topics)).unwrap();
        c
    }

    fn next_req(&mut self) -> u64 {
        self.req += 1;
        self.req
    }

    fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).unwrap();
    }

    fn recv(&mut self) -> Message {
        loop {
            match self.ws.read().unwrap() {
                Message::Ping(_) | Message::Pong(_) => continue,
                m => return m,
            }
        }
    }

    fn recv_text(&mut self) -> String {
        match self.recv() {
            Message::Text(t) => t.as_str().to_owned(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    fn call<A: Action>(&mut self, args: &A) -> taosync_proto::Result<Reply<A::Reply>> {
        let text = encode_request(args).unwrap();
        self.send_text(&text);
        decode_tmq_reply::<A>(&self.recv_text())
    }

    fn poll(&mut self, blocking_ms: i64) -> PollReply {
        let req_id = self.next_req();
        let args = PollArgs {
            req_id,
            blocking_time: blocking_ms,
            message_id: Some(self.last_message),
        };
        let reply = self.call(&args).unwrap().body;
        if reply.have_message {
            self.last_message = reply.message_id;
        }
        reply
    }

    /// The message's rows per table through `fetch_raw_data`.
    fn fetch_raw(&mut self, message_id: u64) -> Vec<(String, Vec<Vec<Value>>)> {
        let req_id = self.next_req();
        let text = encode_request(&FetchRawDataArgs { req_id, message_id }).unwrap();
        self.send_text(&text);
        let Message::Binary(frame) = self.recv() else {
            panic!("fetch_raw_data replies with a binary frame");
        };
        let reply = FetchRawDataReply::decode(&frame).unwrap();
        assert_eq!(reply.req_id, req_id);
        let (_, raw) = reply.into_result().unwrap();
        let data = RawData::decode(raw).unwrap();
        data.blocks
            .iter()
            .map(|b| {
                (
                    b.table_name.clone().unwrap_or_default(),
                    b.decode().unwrap().rows,
                )
            })
            .collect()
    }

    /// Polls until `want` rows arrived or `limit` passed; returns (vgroup, table, row).
    fn consume(&mut self, want: usize, limit: Duration) -> Vec<(i32, String, Vec<Value>)> {
        let deadline = Instant::now() + limit;
        let mut out = Vec::new();
        while out.len() < want && Instant::now() < deadline {
            let p = self.poll(200);
            if !p.have_message {
                continue;
            }
            for (table, rows) in self.fetch_raw(p.message_id) {
                out.extend(rows.into_iter().map(|r| (p.vgroup_id, table.clone(), r)));
            }
        }
        out
    }

    /// Polls until a poll comes back empty; returns the `v` values received.
    fn drain(&mut self) -> Vec<i32> {
        let mut out = Vec::new();
        loop {
            let p = self.poll(300);
            if !p.have_message {
                return out;
            }
            for (_, rows) in self.fetch_raw(p.message_id) {
                out.extend(rows.iter().map(|r| v_of(r)));
            }
        }
    }

    fn commit(&mut self) {
        let req_id = self.next_req();
        self.call(&CommitArgs {
            req_id,
            message_id: self.last_message,
        })
        .unwrap();
    }

    fn assignment(&mut self, topic: &str) -> AssignmentReply {
        let req_id = self.next_req();
        self.call(&AssignmentArgs {
            req_id,
            topic: topic.into(),
        })
        .unwrap()
        .body
    }
}

fn v_of(row: &[Value]) -> i32 {
    match row.get(1) {
        Some(Value::Int(v)) => *v,
        other => panic!("column v is an INT, got {other:?}"),
    }
}

fn values(rows: &[(i32, String, Vec<Value>)]) -> BTreeSet<i32> {
    rows.iter().map(|(_, _, r)| v_of(r)).collect()
}

fn start() -> ServerHandle {
    Server::start(ServerConfig::new().port(0)).unwrap()
}

// ---------------------------------------------------------------------------------------
// Delivery

#[test]
fn query_topic_projects_and_filters_rows_of_every_vgroup() {
    let h = start();
    setup(&h, "tq", 4, 8);
    sql(
        &h,
        "create topic t_even as select ts, v, loc, v * 10 as ten from tq.meters where v % 2 = 0",
    );
    insert(&h, "tq", 8, 0, 40);
    let topics = sql(&h, "show topics");
    assert_eq!(topics["data"][0][0], "t_even");

    let mut c = Consumer::subscribed(&h, "g1", "c1", &["t_even"]);
    let rows = c.consume(20, Duration::from_secs(5));
    assert_eq!(rows.len(), 20, "{rows:?}");
    assert_eq!(values(&rows), (0..40).step_by(2).collect::<BTreeSet<_>>());
    let vgroups: BTreeSet<i32> = rows.iter().map(|(vg, _, _)| *vg).collect();
    assert!(vgroups.len() > 1, "8 tables over 4 vgroups: {vgroups:?}");
    for (_, table, row) in &rows {
        let v = v_of(row);
        assert_eq!(table, &format!("d{}", v % 8));
        assert_eq!(row[2], Value::Int(v % 8), "the loc tag");
        assert_eq!(
            row[3],
            Value::BigInt(i64::from(v) * 10),
            "the computed column"
        );
    }
    assert!(!c.poll(100).have_message, "nothing more");
}

#[test]
fn database_and_stable_topics_carry_the_data_columns() {
    let h = start();
    setup(&h, "td", 2, 2);
    sql(
        &h,
        "create table td.plain (ts timestamp, v int, s binary(8))",
    );
    sql(&h, "create topic t_db as database td");
    sql(&h, "create topic t_st as stable td.meters");
    insert(&h, "td", 2, 0, 6);
    sql(&h, "insert into td.plain values (1700000000000, 100, 'x')");

    let mut db = Consumer::subscribed(&h, "g", "c", &["t_db"]);
    let rows = db.consume(7, Duration::from_secs(5));
    let tables: BTreeSet<&str> = rows.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(tables, BTreeSet::from(["d0", "d1", "plain"]));
    assert_eq!(values(&rows), BTreeSet::from([0, 1, 2, 3, 4, 5, 100]));

    let mut st = Consumer::subscribed(&h, "g", "c2", &["t_st"]);
    let rows = st.consume(6, Duration::from_secs(5));
    assert_eq!(values(&rows), (0..6).collect::<BTreeSet<_>>());
    assert!(
        rows.iter().all(|(_, _, r)| r.len() == 2),
        "data columns only"
    );
}

#[test]
fn a_consumer_that_dies_uncommitted_is_replaced_and_rows_are_redelivered() {
    let h = start();
    setup(&h, "ta", 2, 4);
    sql(&h, "create topic t_a as select * from ta.meters");
    insert(&h, "ta", 4, 0, 12);

    let mut first = Consumer::subscribed(&h, "grp", "first", &["t_a"]);
    let got = first.consume(12, Duration::from_secs(5));
    assert_eq!(values(&got).len(), 12);
    drop(first); // the socket ends without a commit

    let mut second = Consumer::subscribed(&h, "grp", "second", &["t_a"]);
    let again = second.consume(12, Duration::from_secs(10));
    assert_eq!(
        values(&again),
        (0..12).collect::<BTreeSet<_>>(),
        "at least once"
    );
    second.commit();
    // Committed positions are reported per vgroup.
    let topic_vgroup_ids = second
        .assignment("t_a")
        .assignment
        .iter()
        .map(|a| TopicVgroupId {
            topic: "t_a".into(),
            vgroup_id: a.vgroup_id,
        })
        .collect::<Vec<_>>();
    let committed = second
        .call(&CommittedArgs {
            req_id: 90,
            topic_vgroup_ids,
        })
        .unwrap()
        .body
        .committed;
    assert!(committed.iter().all(|&o| o > 0), "{committed:?}");
    drop(second);

    insert(&h, "ta", 4, 12, 16);
    let mut third = Consumer::subscribed(&h, "grp", "third", &["t_a"]);
    let rest = third.consume(4, Duration::from_secs(10));
    assert_eq!(values(&rest), (12..16).collect::<BTreeSet<_>>());
    assert!(third.drain().is_empty(), "nothing committed is redelivered");
}

#[test]
fn two_groups_each_receive_everything() {
    let h = start();
    setup(&h, "tg", 3, 6);
    sql(&h, "create topic t_g as stable tg.meters");
    insert(&h, "tg", 6, 0, 30);
    let mut a = Consumer::subscribed(&h, "ga", "a", &["t_g"]);
    let mut b = Consumer::subscribed(&h, "gb", "b", &["t_g"]);
    let all: BTreeSet<i32> = (0..30).collect();
    assert_eq!(values(&a.consume(30, Duration::from_secs(5))), all);
    assert_eq!(values(&b.consume(30, Duration::from_secs(5))), all);
}

#[test]
fn seek_replays_a_vgroup() {
    let h = start();
    setup(&h, "ts", 2, 4);
    sql(&h, "create topic t_s as select ts, v from ts.meters");
    insert(&h, "ts", 4, 0, 8);
    let mut c = Consumer::subscribed(&h, "g", "c", &["t_s"]);
    let first = c.consume(8, Duration::from_secs(5));
    assert_eq!(first.len(), 8);
    let assignment = c.assignment("t_s").assignment;
    assert_eq!(assignment.len(), 2, "both vgroups: {assignment:?}");
    let target = assignment[0].clone();
    assert_eq!(target.offset, target.end, "fully consumed");
    let expected: BTreeSet<i32> = first
        .iter()
        .filter(|(vg, _, _)| *vg == target.vgroup_id)
        .map(|(_, _, r)| v_of(r))
        .collect();
    c.call(&SeekArgs {
        req_id: 7,
        topic: "t_s".into(),
        vgroup_id: target.vgroup_id,
        offset: target.begin,
    })
    .unwrap();
    let replay: BTreeSet<i32> = c.drain().into_iter().collect();
    assert_eq!(replay, expected);
    // Seeking outside the WAL is refused.
    let err = c
        .call(&SeekArgs {
            req_id: 8,
            topic: "t_s".into(),
            vgroup_id: target.vgroup_id,
            offset: target.end + 100,
        })
        .unwrap_err();
    assert!(err.code().is_some(), "{err}");
}

#[test]
fn rows_written_while_polling_arrive_in_order() {
    let h = start();
    setup(&h, "to", 2, 2);
    sql(&h, "create topic t_o as select ts, v from to.meters");
    let mut c = Consumer::subscribed(&h, "g", "c", &["t_o"]);
    // A blocking poll with nothing to read waits, then wakes on the write.
    let first_poll = {
        let h = &h;
        std::thread::scope(|s| {
            s.spawn(move || {
                std::thread::sleep(Duration::from_millis(150));
                for v in 0..20 {
                    insert(h, "to", 2, v, v + 1);
                }
            });
            let started = Instant::now();
            let p = c.poll(5000);
            (p, started.elapsed())
        })
    };
    let (p, waited) = first_poll;
    assert!(p.have_message, "the write wakes the blocked poll");
    assert!(waited < Duration::from_secs(4), "woke late: {waited:?}");
    let mut rows: Vec<(i32, String, Vec<Value>)> = c
        .fetch_raw(p.message_id)
        .into_iter()
        .flat_map(|(t, rows)| rows.into_iter().map(move |r| (p.vgroup_id, t.clone(), r)))
        .collect();
    rows.extend(c.consume(20 - rows.len(), Duration::from_secs(10)));
    assert_eq!(rows.len(), 20);
    let mut per_table: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for (_, table, row) in &rows {
        per_table.entry(table.clone()).or_default().push(v_of(row));
    }
    for (table, vs) in per_table {
        let mut sorted = vs.clone();
        sorted.sort_unstable();
        assert_eq!(vs, sorted, "rows of {table} in write order");
    }

    // A poll with nothing to read waits its blocking time, not much more.
    let started = Instant::now();
    assert!(!c.poll(400).have_message);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(350),
        "returned early: {waited:?}"
    );
}

#[test]
fn two_consumers_of_a_group_share_the_vgroups() {
    let h = start();
    setup(&h, "tr", 4, 8);
    sql(&h, "create topic t_r as stable tr.meters");
    insert(&h, "tr", 8, 0, 40);
    let mut a = Consumer::subscribed(&h, "grp", "a", &["t_r"]);
    let mut b = Consumer::subscribed(&h, "grp", "b", &["t_r"]);
    let va: BTreeSet<i32> = a
        .assignment("t_r")
        .assignment
        .iter()
        .map(|x| x.vgroup_id)
        .collect();
    let vb: BTreeSet<i32> = b
        .assignment("t_r")
        .assignment
        .iter()
        .map(|x| x.vgroup_id)
        .collect();
    assert_eq!(va.len() + vb.len(), 4, "{va:?} {vb:?}");
    assert!(va.is_disjoint(&vb));
    assert!(!va.is_empty() && !vb.is_empty());
    let ra = a.drain();
    let rb = b.drain();
    let union: BTreeSet<i32> = ra.iter().chain(&rb).copied().collect();
    assert_eq!(ra.len() + rb.len(), 40, "delivered once each");
    assert_eq!(union, (0..40).collect::<BTreeSet<_>>());

    // SHOW CONSUMERS / SHOW SUBSCRIPTIONS list them.
    let consumers = sql(&h, "show consumers");
    assert_eq!(consumers["rows"], 2, "{consumers}");
    let subs = sql(&h, "show subscriptions");
    assert_eq!(subs["rows"], 4, "{subs}");
    let ins = sql(
        &h,
        "select consumer_group, client_id, status from information_schema.ins_consumers",
    );
    assert_eq!(ins["rows"], 2, "{ins}");
    assert_eq!(ins["data"][0][0], "grp");
    let ins = sql(
        &h,
        "select topic_name, consumer_group, vgroup_id from information_schema.ins_subscriptions",
    );
    assert_eq!(ins["rows"], 4, "{ins}");
    assert_eq!(ins["data"][0][0], "t_r");

    // Dropping a subscribed topic is refused unless forced.
    let refused = sql_reply(&h, "drop topic t_r");
    assert_eq!(refused["code"], 0x03EB, "{refused}");
    sql(&h, "drop topic force t_r");
    assert_eq!(sql(&h, "show topics")["rows"], 0);
}

// ---------------------------------------------------------------------------------------
// Older clients: fetch + fetch_block

#[test]
fn fetch_and_fetch_block_serve_the_same_rows() {
    let h = start();
    setup(&h, "tf", 1, 1);
    sql(&h, "create topic t_f as select ts, v from tf.meters");
    insert(&h, "tf", 1, 0, 3);
    let mut c = Consumer::subscribed(&h, "g", "c", &["t_f"]);
    let p = c.poll(1000);
    assert!(p.have_message);
    assert_eq!(p.topic, "t_f");
    assert_eq!(p.database, "tf");
    let fetch = c
        .call(&FetchArgs {
            req_id: 3,
            message_id: p.message_id,
        })
        .unwrap()
        .body;
    assert!(!fetch.completed);
    assert_eq!(fetch.table_name, "d0");
    assert_eq!(fetch.rows, 3);
    let columns = fetch.columns().unwrap();
    assert_eq!(columns[1].name, "v");
    c.send_text(
        &encode_request(&FetchBlockArgs {
            req_id: 4,
            message_id: p.message_id,
        })
        .unwrap(),
    );
    let Message::Binary(frame) = c.recv() else {
        panic!("fetch_block replies with a binary frame");
    };
    let block = TmqFetchBlockReply::decode(&frame).unwrap();
    let rows = decode_block(block.block, fetch.timestamp_precision())
        .unwrap()
        .rows;
    assert_eq!(
        rows.iter().map(|r| v_of(r)).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    let done = c
        .call(&FetchArgs {
            req_id: 5,
            message_id: p.message_id,
        })
        .unwrap()
        .body;
    assert!(done.completed);
}

// ---------------------------------------------------------------------------------------
// Errors

#[test]
fn errors_unknown_topic_misuse_and_after_close() {
    let h = start();
    setup(&h, "te", 2, 2);
    sql(&h, "create topic t_e as select ts, v from te.meters");

    let mut c = Consumer::connect(&h);
    // Malformed frames and unknown actions get no reply; the socket stays usable.
    c.send_text("{not json");
    c.send_text(r#"{"action":"no_such_action","args":{"req_id":1}}"#);
    c.ws.send(Message::binary(vec![1, 2, 3])).unwrap();
    let v = c.call(&VersionArgs { req_id: 2 }).unwrap();
    assert_eq!(v.header.req_id, 2);
    // Before subscribe.
    let err = c.call(&ListTopicsArgs { req_id: 3 }).unwrap_err();
    assert!(err.message().contains("tmq not init"), "{err}");
    // Unknown topic.
    let err = c
        .call(&subscribe_args("g", "c", &["no_such_topic"]))
        .unwrap_err();
    assert_eq!(err.code().map(|c| c.value()), Some(0x03E1), "{err}");
    // Wrong password.
    let mut bad = subscribe_args("g", "c", &["t_e"]);
    bad.password = "nope".into();
    let err = c.call(&bad).unwrap_err();
    assert_eq!(err.code().map(|c| c.value()), Some(0x0357), "{err}");

    c.call(&subscribe_args("g", "c", &["t_e"])).unwrap();
    let topics = c.call(&ListTopicsArgs { req_id: 4 }).unwrap().body.topics;
    assert_eq!(topics, vec!["t_e".to_owned()]);
    // Commit/seek misuse: a vgroup that does not exist, a topic not subscribed.
    let err = c
        .call(&CommitOffsetArgs {
            req_id: 5,
            topic: "t_e".into(),
            vgroup_id: 999,
            offset: 0,
        })
        .unwrap_err();
    assert!(err.code().is_some(), "{err}");
    let err = c
        .call(&SeekArgs {
            req_id: 6,
            topic: "other".into(),
            vgroup_id: 2,
            offset: 0,
        })
        .unwrap_err();
    assert!(err.code().is_some(), "{err}");
    // fetch_raw_data of a message that never existed answers in the binary error form.
    c.send_text(
        &encode_request(&FetchRawDataArgs {
            req_id: 7,
            message_id: 42,
        })
        .unwrap(),
    );
    let Message::Binary(frame) = c.recv() else {
        panic!("binary error form");
    };
    let reply = FetchRawDataReply::decode(&frame).unwrap();
    assert_ne!(reply.code, 0);
    // Re-subscribing without unsubscribing is refused.
    assert!(c.call(&subscribe_args("g", "c", &["t_e"])).is_err());
    // After unsubscribe, polling and committing fail.
    c.call(&UnsubscribeArgs { req_id: 8 }).unwrap();
    let listed = c.call(&ListTopicsArgs { req_id: 9 }).unwrap().body.topics;
    assert!(listed.is_empty(), "{listed:?} after unsubscribe");
    let err = c
        .call(&AssignmentArgs {
            req_id: 10,
            topic: "t_e".into(),
        })
        .unwrap_err();
    assert_eq!(err.code().map(|c| c.value()), Some(0x4009), "{err}");
    assert!(
        !c.poll(100).have_message,
        "an unsubscribed consumer reads nothing"
    );

    // DROP TOPIC is allowed once nobody subscribes.
    drop(c);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = sql_reply(&h, "drop topic t_e");
        if r["code"] == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{r}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let r = sql_reply(&h, "drop topic t_e");
    assert_eq!(r["code"], 0x03E1, "{r}");
    sql(&h, "drop topic if exists t_e");
}

#[test]
fn a_closed_socket_closes_its_consumer() {
    let h = start();
    setup(&h, "tc", 1, 1);
    sql(&h, "create topic t_c as stable tc.meters");
    let c = Consumer::subscribed(&h, "g", "c", &["t_c"]);
    assert_eq!(sql(&h, "show consumers")["rows"], 1);
    drop(c);
    let deadline = Instant::now() + Duration::from_secs(5);
    while sql(&h, "show consumers")["rows"] != 0 {
        assert!(
            Instant::now() < deadline,
            "the consumer outlived its socket"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------------------
// The poll queue

#[test]
fn a_newer_poll_replaces_a_waiting_one() {
    let h = start();
    setup(&h, "tp", 1, 1);
    sql(&h, "create topic t_p as stable tp.meters");
    let mut c = Consumer::subscribed(&h, "g", "c", &["t_p"]);
    let long = PollArgs {
        req_id: 100,
        blocking_time: 5000,
        message_id: Some(0),
    };
    let short = PollArgs {
        req_id: 101,
        blocking_time: 100,
        message_id: Some(0),
    };
    let started = Instant::now();
    c.send_text(&encode_request(&long).unwrap());
    std::thread::sleep(Duration::from_millis(50));
    c.send_text(&encode_request(&short).unwrap());
    let reply = decode_tmq_reply::<PollArgs>(&c.recv_text()).unwrap();
    assert_eq!(reply.header.req_id, 101, "only the newer poll is answered");
    assert!(!reply.body.have_message);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the long poll gave way"
    );
    // The socket keeps serving: the next request's reply is the next frame.
    let v = c.call(&VersionArgs { req_id: 102 }).unwrap();
    assert_eq!(v.header.req_id, 102);
}

#[test]
fn a_poll_sent_before_subscribe_is_answered_after_it() {
    let h = start();
    setup(&h, "tb", 1, 1);
    sql(&h, "create topic t_b as stable tb.meters");
    insert(&h, "tb", 1, 0, 2);
    let mut c = Consumer::connect(&h);
    c.send_text(
        &encode_request(&PollArgs {
            req_id: 1,
            blocking_time: 2000,
            message_id: None,
        })
        .unwrap(),
    );
    c.send_text(&encode_request(&subscribe_args("g", "c", &["t_b"])).unwrap());
    let sub = decode_tmq_reply::<SubscribeArgs>(&c.recv_text()).unwrap();
    assert_eq!(sub.header.action, "subscribe");
    let poll = decode_tmq_reply::<PollArgs>(&c.recv_text()).unwrap();
    assert_eq!(poll.header.req_id, 1);
    assert!(poll.body.have_message);
    let rows = c.fetch_raw(poll.body.message_id);
    assert_eq!(rows[0].1.len(), 2);
}

#[test]
fn a_database_without_wal_retention_refuses_topics() {
    let h = start();
    sql(&h, "create database tn wal_retention_period 0");
    sql(&h, "create table tn.t (ts timestamp, v int)");
    sql(&h, "insert into tn.t values (1700000000000, 1)");
    let r = sql_reply(&h, "create topic t_n as select ts, v from tn.t");
    assert_ne!(r["code"], 0, "{r}");
}

// ---------------------------------------------------------------------------------------
// Other write paths feed the WAL too

#[test]
fn schemaless_writes_reach_database_topics() {
    let h = start();
    sql(&h, "create database tl vgroups 2");
    sql(&h, "create topic t_l as database tl");
    let body =
        "weather,city=paris temp=21i 1700000000000\nweather,city=rome temp=25i 1700000000001";
    let mut s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let req = format!(
        "POST /influxdb/v1/write?db=tl&precision=ms HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic cm9vdDp0YW9zZGF0YQ==\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let resp = String::from_utf8_lossy(&out);
    assert!(resp.starts_with("HTTP/1.1 204"), "{resp}");

    let mut c = Consumer::subscribed(&h, "g", "c", &["t_l"]);
    let rows = c.consume(2, Duration::from_secs(5));
    let mut temps: Vec<Value> = rows.iter().map(|(_, _, r)| r[1].clone()).collect();
    temps.sort_by_key(|v| format!("{v:?}"));
    assert_eq!(
        temps,
        vec![Value::BigInt(21), Value::BigInt(25)],
        "{rows:?}"
    );
}

#[test]
fn a_flood_of_requests_is_answered_in_order() {
    let h = start();
    let mut c = Consumer::connect(&h);
    for req_id in 1..=600u64 {
        c.send_text(&encode_request(&VersionArgs { req_id }).unwrap());
    }
    for req_id in 1..=600u64 {
        let v = decode_tmq_reply::<VersionArgs>(&c.recv_text()).unwrap();
        assert_eq!(v.header.req_id, req_id);
    }
}

#[test]
fn another_request_ends_a_waiting_poll_early() {
    let h = start();
    setup(&h, "tw", 1, 1);
    sql(&h, "create topic t_w as stable tw.meters");
    let mut c = Consumer::subscribed(&h, "g", "c", &["t_w"]);
    let started = Instant::now();
    c.send_text(
        &encode_request(&PollArgs {
            req_id: 1,
            blocking_time: 10_000,
            message_id: Some(0),
        })
        .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(50));
    c.send_text(&encode_request(&UnsubscribeArgs { req_id: 2 }).unwrap());
    let poll = decode_tmq_reply::<PollArgs>(&c.recv_text()).unwrap();
    assert_eq!(poll.header.req_id, 1);
    assert!(!poll.body.have_message);
    let unsub = decode_tmq_reply::<UnsubscribeArgs>(&c.recv_text()).unwrap();
    assert_eq!(unsub.header.req_id, 2);
    assert!(started.elapsed() < Duration::from_secs(3));
    // Unsubscribed: the topic can be dropped at once.
    sql(&h, "drop topic t_w");
}

// ---------------------------------------------------------------------------------------
// WITH META

#[test]
fn with_meta_messages_are_json_meta_and_raw_meta_in_order_with_data() {
    let h = start();
    sql(&h, "create database wm vgroups 1");
    sql(&h, "create topic wm_t with meta as database wm");
    sql(
        &h,
        "create stable wm.st (ts timestamp, v int) tags (loc int, g int)",
    );
    sql(
        &h,
        "insert into wm.c1 using wm.st tags (1, 2) values (1700000000000, 1)",
    );
    sql(&h, "alter stable wm.st drop tag g");
    sql(&h, "drop table wm.c1");
    let mut c = Consumer::subscribed(&h, "g", "c", &["wm_t"]);
    let mut seen = Vec::new();
    loop {
        let p = c.poll(300);
        if !p.have_message {
            break;
        }
        if p.message_type == 1 {
            seen.push(format!("data {}", c.fetch_raw(p.message_id).len()));
            continue;
        }
        assert_eq!(p.message_type, 2, "{p:?}");
        let req_id = c.next_req();
        let meta = c
            .call(&FetchJsonMetaArgs {
                req_id,
                message_id: p.message_id,
            })
            .unwrap()
            .body
            .data;
        // The raw form of the same message: the JSON, typed RAW_META_JSON_TYPE.
        let req_id = c.next_req();
        let text = encode_request(&FetchRawDataArgs {
            req_id,
            message_id: p.message_id,
        })
        .unwrap();
        c.send_text(&text);
        let Message::Binary(frame) = c.recv() else {
            panic!("fetch_raw_data replies with a binary frame");
        };
        let (raw_type, raw) = FetchRawDataReply::decode(&frame)
            .unwrap()
            .into_result()
            .unwrap();
        assert_eq!(raw_type, RAW_META_JSON_TYPE);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(raw).unwrap(),
            meta
        );
        seen.push(format!(
            "{} {}",
            meta["type"].as_str().unwrap(),
            meta["alterType"].as_i64().unwrap_or(-1)
        ));
    }
    assert_eq!(
        seen,
        ["create -1", "create -1", "data 1", "alter 2", "drop -1"]
    );
}
