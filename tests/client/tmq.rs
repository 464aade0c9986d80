//! The TMQ `Consumer` against the embedded server: every method, the delivery guarantees
//! (at-least-once, no redelivery after commit, independent groups, seek replay, order of
//! rows written while polling), both data paths (`fetch_raw_data` on 3.3.6.0, `fetch` +
//! `fetch_block` on 3.3.1.0) and the error cases.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use taosync::tmq::{Consumer, Message, MessageType, TopicPartition};
use taosync::{Code, ErrorKind, Timestamp, TlsOptions, Type};
use taosync_server::{Server, ServerConfig, ServerHandle};

use crate::common::{CERT, tls_server};

const BASE_TS: i64 = 1_700_000_000_000;
const SHORT: Duration = Duration::from_millis(300);

fn server() -> ServerHandle {
    Server::start(ServerConfig::new()).unwrap()
}

/// Database `db` with `vgroups` vgroups, supertable `meters (ts, v int, s varchar(16))
/// tags (loc int)`, children `d0..d{children}`, and `rows` rows `v = 0..rows` spread
/// round-robin; plus topics `{db}_q` (query, `v`, `s`, `loc`) and `{db}_s` (stable).
fn setup(h: &ServerHandle, db: &str, vgroups: u32, children: u32, rows: i32) {
    let conn = taosync::connect(h.dsn_ws()).unwrap();
    conn.execute(&format!("create database {db} vgroups {vgroups}"), ())
        .unwrap();
    conn.execute(
        &format!("create stable {db}.meters (ts timestamp, v int, s varchar(16)) tags (loc int)"),
        (),
    )
    .unwrap();
    for i in 0..children {
        conn.execute(
            &format!("create table {db}.d{i} using {db}.meters tags ({i})"),
            (),
        )
        .unwrap();
    }
    insert(h, db, children, 0, rows);
    conn.execute(
        &format!("create topic {db}_q as select ts, v, s, loc from {db}.meters"),
        (),
    )
    .unwrap();
    conn.execute(&format!("create topic {db}_s as stable {db}.meters"), ())
        .unwrap();
}

fn insert(h: &ServerHandle, db: &str, children: u32, from: i32, to: i32) {
    if from >= to {
        return;
    }
    let conn = taosync::connect(h.dsn_ws()).unwrap();
    let mut sql = String::from("insert into");
    for v in from..to {
        sql.push_str(&format!(
            " {db}.d{} values ({}, {v}, 's{v}')",
            v.rem_euclid(children as i32),
            BASE_TS + i64::from(v)
        ));
    }
    conn.execute(&sql, ()).unwrap();
}

fn consumer(h: &ServerHandle, group: &str, client: &str) -> Consumer {
    Consumer::builder()
        .dsn(h.dsn_ws())
        .configs([
            ("group.id", group),
            ("client.id", client),
            ("auto.offset.reset", "earliest"),
        ])
        .read_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// The `v` values of every message until a poll brings nothing within `SHORT`.
fn drain(c: &Consumer) -> (Vec<i32>, Vec<Message>) {
    let mut values = Vec::new();
    let mut messages = Vec::new();
    for m in c.iter(SHORT) {
        let m = m.unwrap();
        for (_, row) in m.rows() {
            values.push(row.get::<i32>("v").unwrap());
        }
        messages.push(m);
    }
    (values, messages)
}

fn sorted(mut v: Vec<i32>) -> Vec<i32> {
    v.sort_unstable();
    v
}

fn all(n: i32) -> Vec<i32> {
    (0..n).collect()
}

fn check_messages(h: &ServerHandle, expect_binary: bool) {
    setup(h, "m", 3, 6, 60);
    let c = consumer(h, "g", "c1");
    assert_eq!(
        c.server_version() >= "3.3.2.0",
        expect_binary,
        "{}",
        c.server_version()
    );
    c.subscribe(&["m_q"]).unwrap();
    let (values, messages) = drain(&c);
    assert_eq!(sorted(values), all(60));
    let vgroups: BTreeSet<i32> = messages.iter().map(Message::vgroup_id).collect();
    assert_eq!(vgroups.len(), 3, "{vgroups:?}");
    for m in &messages {
        assert_eq!(m.topic(), "m_q");
        assert_eq!(m.database(), "m");
        assert_eq!(m.message_type(), MessageType::Data);
        assert!(m.meta().is_none());
        assert!(m.num_rows() > 0);
        for block in m {
            assert!(
                block.table_name().starts_with('d'),
                "{}",
                block.table_name()
            );
            let names: Vec<&str> = block.columns().iter().map(|c| c.name.as_str()).collect();
            assert_eq!(names, ["ts", "v", "s", "loc"]);
            let d = block.description();
            assert_eq!(d[0].type_code, Type::Timestamp);
            assert_eq!(d[2].type_code, Type::VarChar);
            assert_eq!(d[2].internal_size, Some(16));
            assert_eq!(block.ncols(), 4);
            let typed: Vec<(Timestamp, i32, String, i32)> = block.typed().unwrap();
            assert_eq!(typed.len(), block.nrows());
            let loc: i32 = block.table_name()[1..].parse().unwrap();
            for (ts, v, s, l) in typed {
                assert_eq!(ts.value(), BASE_TS + i64::from(v));
                assert_eq!(s, format!("s{v}"));
                assert_eq!((l, v % 6), (loc, loc));
            }
        }
    }
    // Per table, rows arrive in insertion order.
    let mut per_table: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for m in &messages {
        for (table, row) in m.rows() {
            per_table
                .entry(table.to_owned())
                .or_default()
                .push(row.get("v").unwrap());
        }
    }
    for (table, vs) in per_table {
        assert!(vs.windows(2).all(|w| w[0] < w[1]), "{table}: {vs:?}");
    }
    c.close().unwrap();
}

#[test]
fn messages_carry_rows_tables_and_columns_binary_path() {
    check_messages(&server(), true);
}

#[test]
fn messages_carry_rows_tables_and_columns_fetch_block_path() {
    let h = Server::start(ServerConfig::new().version("3.3.1.0")).unwrap();
    check_messages(&h, false);
}

#[test]
fn commit_stops_redelivery_and_offsets_are_readable() {
    let h = server();
    setup(&h, "c", 2, 4, 40);
    let a = consumer(&h, "g", "a");
    a.subscribe(&["c_s"]).unwrap();
    let (values, messages) = drain(&a);
    assert_eq!(sorted(values), all(40));
    let assignment = a.assignment().unwrap();
    assert_eq!(assignment.len(), 1);
    assert_eq!(assignment[0].topic, "c_s");
    let vgroups: Vec<i32> = assignment[0]
        .assignments
        .iter()
        .map(|x| x.vgroup_id)
        .collect();
    assert_eq!(vgroups.len(), 2);
    let pairs: Vec<(&str, i32)> = vgroups.iter().map(|v| ("c_s", *v)).collect();
    assert_eq!(a.committed_many(&pairs).unwrap(), [None, None]);
    let positions = a.position_many(&pairs).unwrap();
    for (p, x) in positions.iter().zip(&assignment[0].assignments) {
        assert_eq!(*p, Some(x.offset));
        assert_eq!(
            x.offset, x.end,
            "consumed everything: position is the WAL end"
        );
    }
    a.commit(messages.last().unwrap()).unwrap();
    assert_eq!(a.committed_many(&pairs).unwrap(), positions);
    assert_eq!(a.committed("c_s", vgroups[0]).unwrap(), positions[0]);
    assert_eq!(a.position("c_s", vgroups[0]).unwrap(), positions[0]);
    a.close().unwrap();

    let b = consumer(&h, "g", "b");
    b.subscribe(&["c_s"]).unwrap();
    assert!(b.poll(SHORT).unwrap().is_none(), "committed rows came back");
    insert(&h, "c", 4, 40, 44);
    let (values, _) = drain(&b);
    assert_eq!(sorted(values), (40..44).collect::<Vec<_>>());
}

#[test]
fn uncommitted_rows_are_delivered_again_to_the_group() {
    let h = server();
    setup(&h, "a", 2, 4, 30);
    let first = consumer(&h, "g", "first");
    first.subscribe(&["a_q"]).unwrap();
    let (values, _) = drain(&first);
    assert_eq!(sorted(values), all(30));
    drop(first); // no commit

    let second = consumer(&h, "g", "second");
    second.subscribe(&["a_q"]).unwrap();
    // The server notices the dropped socket asynchronously; poll until everything came.
    let mut got = Vec::new();
    let end = Instant::now() + Duration::from_secs(10);
    while got.len() < 30 && Instant::now() < end {
        got.extend(drain(&second).0);
    }
    assert_eq!(sorted(got), all(30));
}

#[test]
fn two_groups_each_receive_everything() {
    let h = server();
    setup(&h, "t", 3, 3, 45);
    let g1 = consumer(&h, "g1", "x");
    let g2 = consumer(&h, "g2", "x");
    g1.subscribe(&["t_q"]).unwrap();
    g2.subscribe(&["t_q"]).unwrap();
    let (v1, m1) = drain(&g1);
    g1.commit(m1.last().unwrap()).unwrap();
    let (v2, _) = drain(&g2);
    assert_eq!(sorted(v1), all(45));
    assert_eq!(sorted(v2), all(45));
}

#[test]
fn seek_replays_a_vgroup() {
    let h = server();
    setup(&h, "s", 2, 4, 20);
    let c = consumer(&h, "g", "c");
    c.subscribe(&["s_q"]).unwrap();
    let (values, _) = drain(&c);
    assert_eq!(sorted(values), all(20));
    assert!(c.poll(Duration::ZERO).unwrap().is_none());
    for a in c.topic_assignment("s_q").unwrap() {
        c.seek("s_q", a.vgroup_id, a.begin).unwrap();
        assert_eq!(c.position("s_q", a.vgroup_id).unwrap(), Some(a.begin));
    }
    let (again, _) = drain(&c);
    assert_eq!(sorted(again), all(20));
}

#[test]
fn rows_written_while_polling_arrive_in_order() {
    let h = server();
    setup(&h, "w", 2, 4, 0);
    let c = consumer(&h, "g", "c");
    c.subscribe(&["w_s"]).unwrap();
    let writer = {
        let dsn = h.dsn_ws();
        std::thread::spawn(move || {
            let conn = taosync::connect(dsn).unwrap();
            for batch in 0..20 {
                let mut sql = String::from("insert into");
                for v in batch * 10..batch * 10 + 10 {
                    sql.push_str(&format!(
                        " w.d{} values ({}, {v}, 's{v}')",
                        v % 4,
                        BASE_TS + i64::from(v)
                    ));
                }
                conn.execute(&sql, ()).unwrap();
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let mut per_vgroup: BTreeMap<i32, Vec<(String, i32)>> = BTreeMap::new();
    let mut total = 0;
    let end = Instant::now() + Duration::from_secs(20);
    while total < 200 && Instant::now() < end {
        if let Some(m) = c.poll(Duration::from_millis(200)).unwrap() {
            for (table, row) in m.rows() {
                per_vgroup
                    .entry(m.vgroup_id())
                    .or_default()
                    .push((table.to_owned(), row.get("v").unwrap()));
                total += 1;
            }
            c.commit(&m).unwrap();
        }
    }
    writer.join().unwrap();
    assert_eq!(total, 200);
    for (vg, rows) in &per_vgroup {
        // Within a vgroup, batches arrive in write order, and so do a table's rows.
        let batches: Vec<i32> = rows.iter().map(|(_, v)| v / 10).collect();
        assert!(
            batches.windows(2).all(|w| w[0] <= w[1]),
            "vgroup {vg}: {rows:?}"
        );
        let mut tables: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
        for (t, v) in rows {
            tables.entry(t).or_default().push(*v);
        }
        for vs in tables.values() {
            assert!(vs.windows(2).all(|w| w[0] < w[1]), "vgroup {vg}: {vs:?}");
        }
    }
    assert!(c.poll(SHORT).unwrap().is_none());
}

#[test]
fn commit_offset_list_topics_and_resubscribe() {
    let h = server();
    setup(&h, "o", 2, 2, 10);
    let c = consumer(&h, "g", "c");
    c.subscribe(&["o_q", "o_s"]).unwrap();
    assert_eq!(
        c.list_topics()
            .unwrap()
            .into_iter()
            .collect::<BTreeSet<_>>(),
        BTreeSet::from(["o_q".to_owned(), "o_s".to_owned()])
    );
    // An unbounded timeout is fine (data is waiting, so this returns at once).
    let m = c.poll(Duration::MAX).unwrap().unwrap();
    taosync::with_req_id(77, || c.commit_offset(m.topic(), m.vgroup_id(), m.offset())).unwrap();
    assert_eq!(
        c.committed(m.topic(), m.vgroup_id()).unwrap(),
        Some(m.offset())
    );
    let other = c
        .topic_assignment(m.topic())
        .unwrap()
        .into_iter()
        .find(|a| a.vgroup_id != m.vgroup_id())
        .unwrap();
    c.commit_offsets(&[TopicPartition::new(m.topic(), other.vgroup_id, other.begin)])
        .unwrap();
    assert_eq!(
        c.committed(m.topic(), other.vgroup_id).unwrap(),
        Some(other.begin)
    );

    c.unsubscribe().unwrap();
    assert!(c.list_topics().unwrap().is_empty());
    assert!(c.assignment().unwrap().is_empty());
    taosync::with_req_id(1000, || c.subscribe(&["o_q"])).unwrap();
    assert_eq!(
        taosync::with_req_id(1001, || c.list_topics()).unwrap(),
        ["o_q"]
    );
    // Resumes from the committed offsets: the first message of vgroup `m` comes again.
    let (values, _) = drain(&c);
    assert_eq!(sorted(values), all(10));
}

#[test]
fn consumer_calls_inside_with_req_id_work() {
    // The embedded server only echoes the id (the consumer matches replies by it), so a
    // call that succeeds inside the scope is one whose request carried the scoped id.
    let h = server();
    setup(&h, "rq", 1, 1, 3);
    let c = consumer(&h, "g", "c");
    taosync::with_req_id(0x5eed, || c.subscribe(&["rq_q"])).unwrap();
    assert_eq!(
        taosync::with_req_id(0x5eee, || c.list_topics()).unwrap(),
        ["rq_q"]
    );
    // The first poll request takes the id; the fetches after it use the consumer's own.
    let m = taosync::with_req_id(0x5eef, || c.poll(Duration::from_secs(5)))
        .unwrap()
        .unwrap();
    assert_eq!(m.topic(), "rq_q");
    // Nested scopes, and an id that was already used once.
    taosync::with_req_id(1, || taosync::with_req_id(0x5eed, || c.commit(&m))).unwrap();
    let position = taosync::with_req_id(0x5ef0, || c.position(m.topic(), m.vgroup_id())).unwrap();
    assert!(position.is_some());
    assert_eq!(
        taosync::with_req_id(0x5ef1, || c.committed(m.topic(), m.vgroup_id())).unwrap(),
        position
    );
    // Outside any scope the consumer numbers its requests itself again.
    assert_eq!(c.list_topics().unwrap(), ["rq_q"]);
    c.close().unwrap();
}

#[test]
fn auto_commit_happens_at_the_next_poll() {
    let h = server();
    setup(&h, "ac", 1, 2, 10);
    let c = Consumer::from_dsn(&format!(
        "{}?group.id=g&auto.offset.reset=earliest&enable.auto.commit=true&auto.commit.interval.ms=0&read_timeout=10s",
        h.dsn_ws()
    ))
    .unwrap();
    c.subscribe(&["ac_q"]).unwrap();
    let (values, _) = drain(&c); // the last, empty poll auto-commits everything
    assert_eq!(sorted(values), all(10));
    let vg = c.topic_assignment("ac_q").unwrap()[0].vgroup_id;
    assert!(c.committed("ac_q", vg).unwrap().is_some());
    c.close().unwrap();
    let d = consumer(&h, "g", "d");
    d.subscribe(&["ac_q"]).unwrap();
    assert!(d.poll(SHORT).unwrap().is_none());
}

#[test]
fn configuration_from_map_and_dsn() {
    let h = server();
    let port = h.port().to_string();
    let c = Consumer::new([
        ("td.connect.ip", "127.0.0.1"),
        ("td.connect.port", port.as_str()),
        ("td.connect.user", "root"),
        ("td.connect.pass", "taosdata"),
        ("group.id", "g"),
        ("conn_timeout", "2s"),
    ])
    .unwrap();
    assert_eq!(c.config().group_id, "g");
    assert_eq!(c.config().port, h.port());
    let c = Consumer::from_dsn_and_config(&h.dsn_ws(), [("group.id", "g2")]).unwrap();
    assert_eq!(c.config().group_id, "g2");
    let e = Consumer::from_dsn(&format!("{}?group.id=g&bogus=1", h.dsn_ws())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq);
    assert!(e.message().contains("bogus"), "{e}");
    let e =
        Consumer::from_dsn(&format!("{}?group.id=g&conn_timeout=later", h.dsn_ws())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq);
    assert!(e.message().contains("conn_timeout"), "{e}");
    // Wrong credentials fail at subscribe, with the server's code.
    let bad = Consumer::from_dsn(&format!("ws://root:wrong@{}?group.id=g", h.addr())).unwrap();
    let e = bad.subscribe(&["x"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq, "{e}");
    assert!(e.code().is_some());
    // Nothing listening: a connection error, not a hang.
    let e = Consumer::new([("td.connect.port", "1"), ("group.id", "g")]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
}

#[test]
fn errors_carry_the_servers_codes() {
    let h = server();
    setup(&h, "e", 2, 2, 4);
    let c = consumer(&h, "g", "c");

    // Before subscribe: poll is refused client-side, the rest by the server.
    let e = c.poll(SHORT).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq);
    assert!(e.message().contains("subscribe"), "{e}");
    let e = c.topic_assignment("e_q").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq);
    assert_eq!(e.code(), Some(Code::ADAPTER_GENERIC), "{e}");
    assert!(e.message().contains("tmq not init"), "{e}");

    // A missing topic is a programming error, as every missing object is (the code table).
    let e = c.subscribe(&["no_such_topic"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Programming);
    assert_eq!(e.code(), Some(Code::MND_TOPIC_NOT_EXIST), "{e}");

    c.subscribe(&["e_q"]).unwrap();
    let e = c.subscribe(&["e_s"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq);
    assert!(e.message().contains("unsubscribed first"), "{e}");

    let e = c.seek("e_q", 12345, 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq);
    assert_eq!(e.code(), Some(Code::new(0x4008)), "{e}");

    let m = c.poll(Duration::from_secs(2)).unwrap().unwrap();
    let other = consumer(&h, "g2", "o");
    other.subscribe(&["e_q"]).unwrap();
    let e = other.commit(&m).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq);
    assert!(e.message().contains("another consumer"), "{e}");

    c.close().unwrap();
    c.close().unwrap();
    assert!(c.is_closed());
    for e in [
        c.poll(SHORT).map(|_| ()).unwrap_err(),
        c.commit(&m).unwrap_err(),
        c.list_topics().map(|_| ()).unwrap_err(),
        c.subscribe(&["e_q"]).unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Interface, "{e}");
        assert_eq!(e.code(), Some(Code::CLIENT_CONNECTION_CLOSED));
    }
}

#[test]
fn consumer_is_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Consumer>();
    check::<Message>();
}

#[test]
fn consumes_over_wss_with_the_connection_tls_options() {
    let h = tls_server();
    assert!(h.dsn_ws().starts_with("wss://"));
    let conn = taosync::ConnectOptions::from_dsn(&h.dsn_ws())
        .unwrap()
        .tls(TlsOptions::new().add_root_certificate_pem(CERT))
        .connect()
        .unwrap();
    conn.execute("create database tls vgroups 1", ()).unwrap();
    conn.execute("create table tls.t (ts timestamp, v int)", ())
        .unwrap();
    conn.execute("insert into tls.t values (1700000000000, 7)", ())
        .unwrap();
    conn.execute("create topic tls_t as select * from tls.t", ())
        .unwrap();
    let builder = Consumer::builder()
        .dsn(h.dsn_ws())
        .config("group.id", "g")
        .config("auto.offset.reset", "earliest")
        .conn_timeout(Duration::from_secs(5));
    // The certificate is not trusted by default.
    let e = builder.clone().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    let c = builder
        .tls(TlsOptions::new().add_root_certificate_pem(CERT))
        .build()
        .unwrap();
    c.subscribe(&["tls_t"]).unwrap();
    let m = c.poll(Duration::from_secs(2)).unwrap().unwrap();
    assert_eq!(m.typed::<(Timestamp, i32)>().unwrap()[0].1, 7);
}

#[test]
fn rows_written_by_sql_stmt_and_schemaless_all_reach_a_database_topic() {
    use taosync::{Precision, SchemalessPrecision, SchemalessProtocol, Value};
    let h = server();
    let conn = taosync::connect(h.dsn_ws()).unwrap();
    conn.execute("create database every_path vgroups 2", ())
        .unwrap();
    conn.select_db("every_path").unwrap();
    conn.execute(
        "create stable meters (ts timestamp, v int) tags (loc int)",
        (),
    )
    .unwrap();
    conn.execute("create topic every_path_db as database every_path", ())
        .unwrap();
    let c = consumer(&h, "g_paths", "c1");
    c.subscribe(&["every_path_db"]).unwrap();
    assert!(c.poll(SHORT).unwrap().is_none(), "nothing written yet");

    // SQL.
    conn.execute(
        &format!("insert into sql_t using meters tags (1) values ({BASE_TS}, 1)"),
        (),
    )
    .unwrap();
    // stmt2.
    let mut stmt = conn
        .statement_with("insert into ? using meters tags (?) values (?, ?)")
        .unwrap();
    stmt.set_tbname_tags("stmt_t", &[Value::Int(2)]).unwrap();
    stmt.bind_row(&[
        Value::Timestamp(Timestamp::new(BASE_TS + 1, Precision::Millisecond)),
        Value::Int(2),
    ])
    .unwrap();
    stmt.add_batch().unwrap();
    assert_eq!(stmt.execute().unwrap(), 1);
    // Schemaless (its own supertable, child table named by the MD5 rule).
    let line = format!("sml,loc=3 v=3i32 {}", BASE_TS + 2);
    conn.schemaless_insert(
        &[line.as_str()],
        SchemalessProtocol::Line,
        SchemalessPrecision::Millisecond,
        0,
        None,
    )
    .unwrap();

    let (_, messages) = drain(&c);
    let mut seen: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for m in &messages {
        for (table, row) in m.rows() {
            let v = row.get::<Value>("v").unwrap();
            let v = match v {
                Value::Int(v) => i64::from(v),
                other => panic!("unexpected v {other:?} in {table}"),
            };
            seen.entry(table.to_owned()).or_default().push(v);
        }
    }
    assert_eq!(seen.get("sql_t"), Some(&vec![1]), "{seen:?}");
    assert_eq!(seen.get("stmt_t"), Some(&vec![2]), "{seen:?}");
    let sml: Vec<_> = seen
        .iter()
        .filter(|(t, _)| t.starts_with("t_"))
        .map(|(_, v)| v.clone())
        .collect();
    assert_eq!(sml, vec![vec![3]], "{seen:?}");
}

#[test]
fn min_poll_rows_and_fetch_max_wait_ms_shape_polls() {
    let h = server();
    setup(&h, "tmq_gather", 1, 1, 1);
    let c = Consumer::builder()
        .dsn(h.dsn_ws())
        .configs([
            ("group.id", "g"),
            ("auto.offset.reset", "earliest"),
            ("min.poll.rows", "2"),
            ("fetch.max.wait.ms", "2000"),
            ("msg.enable.batchmeta", "1"),
            ("msg.consume.excluded", "1"),
            ("session.timeout.ms", "20000"),
            ("max.poll.interval.ms", "60000"),
        ])
        .build()
        .unwrap();
    c.subscribe(&["tmq_gather_q"]).unwrap();
    // One row is there and two are asked for: the poll waits for the second write.
    let writer = {
        let dsn = h.dsn_ws();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            let conn = taosync::connect(dsn).unwrap();
            conn.execute(
                &format!(
                    "insert into tmq_gather.d0 values ({}, 1, 's1')",
                    BASE_TS + 1
                ),
                (),
            )
            .unwrap();
        })
    };
    let m = c.poll(Duration::from_secs(5)).unwrap().unwrap();
    writer.join().unwrap();
    assert_eq!(m.num_rows(), 2);
    // With nobody writing, a short message comes after fetch.max.wait.ms at the latest.
    insert(&h, "tmq_gather", 1, 2, 3);
    let start = Instant::now();
    let m = c.poll(Duration::from_secs(10)).unwrap().unwrap();
    assert_eq!(m.num_rows(), 1);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(6),
        "{waited:?}"
    );
}

/// Every message of a `with meta` topic until a poll brings nothing: `("data", rows)` or
/// `(meta type + table, 0)`.
fn meta_and_data(c: &Consumer) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for m in c.iter(SHORT) {
        let m = m.unwrap();
        match m.message_type() {
            MessageType::Meta => {
                let meta = m.meta().unwrap();
                let label = match meta.get("metas") {
                    Some(list) => format!("batch of {}", list.as_array().unwrap().len()),
                    None => format!(
                        "{} {}",
                        meta["type"].as_str().unwrap(),
                        meta["tableName"]
                            .as_str()
                            .or(meta["tableNameList"][0].as_str())
                            .unwrap_or("")
                    ),
                };
                out.push((label, 0));
            }
            _ => out.push(("data".into(), m.num_rows())),
        }
    }
    out
}

#[test]
fn with_meta_topics_deliver_ddl_in_order_with_data() {
    let h = server();
    let conn = taosync::connect(h.dsn_ws()).unwrap();
    for sql in [
        "create database meta_src vgroups 1",
        "create topic meta_db with meta as database meta_src",
        "create topic meta_plain as database meta_src",
        "create stable meta_src.st (ts timestamp, v int) tags (loc int)",
        "create table meta_src.c1 using meta_src.st tags (1)",
        "insert into meta_src.c1 values (1700000000000, 1) (1700000000001, 2)",
        "alter stable meta_src.st add column w varchar(8)",
        "alter table meta_src.c1 set tag loc = 7",
        "insert into meta_src.c2 using meta_src.st tags (2) values (1700000000000, 3, 'x')",
        "create table meta_src.n1 (ts timestamp, v int)",
        "alter table meta_src.n1 rename column v vv",
        "delete from meta_src.c1 where ts <= 1700000000000",
        "drop table meta_src.n1",
    ] {
        conn.execute(sql, ()).unwrap();
    }
    let c = consumer(&h, "g_meta", "m1");
    c.subscribe(&["meta_db"]).unwrap();
    let got = meta_and_data(&c);
    let want: Vec<(String, usize)> = [
        ("create st", 0),
        ("create c1", 0),
        ("data", 2),
        ("alter st", 0),
        ("alter c1", 0),
        ("create c2", 0),
        ("data", 1),
        ("create n1", 0),
        ("alter n1", 0),
        ("delete ", 0),
        ("drop n1", 0),
    ]
    .iter()
    .map(|(l, n)| (l.to_string(), *n))
    .collect();
    assert_eq!(got, want);

    // The JSON carries what a replay needs.
    let c = consumer(&h, "g_meta_json", "m2");
    c.subscribe(&["meta_db"]).unwrap();
    let metas: Vec<serde_json::Value> = c
        .iter(SHORT)
        .map(|m| m.unwrap())
        .filter_map(|m| m.meta().cloned())
        .collect();
    assert_eq!(metas[0]["tableType"], "super");
    assert_eq!(metas[0]["columns"][1]["name"], "v");
    assert_eq!(metas[0]["tags"][0]["name"], "loc");
    assert_eq!(metas[1]["using"], "st");
    assert_eq!(metas[1]["tags"][0]["value"], 1);
    assert_eq!(
        (metas[2]["alterType"].as_i64(), metas[2]["colName"].as_str()),
        (Some(5), Some("w"))
    );
    assert_eq!(metas[2]["colLength"], 8);
    assert_eq!(
        (
            metas[3]["alterType"].as_i64(),
            metas[3]["colValue"].as_str()
        ),
        (Some(4), Some("7"))
    );
    assert_eq!(metas[6]["colNewName"], "vv");
    assert_eq!(
        metas[7]["sql"],
        "delete from `c1` where `ts` >= 1700000000000 and `ts` <= 1700000000000"
    );

    // Without WITH META only the data comes (the DDL between the writes does not split
    // the message).
    let c = consumer(&h, "g_plain", "p1");
    c.subscribe(&["meta_plain"]).unwrap();
    assert_eq!(meta_and_data(&c), vec![("data".to_string(), 3)]);
}

#[test]
fn batch_meta_puts_consecutive_creations_in_one_message() {
    let h2 = server();
    let conn = taosync::connect(h2.dsn_ws()).unwrap();
    for sql in [
        "create database meta_batch vgroups 1",
        "create stable meta_batch.st (ts timestamp, v int) tags (loc int)",
        "create topic meta_b with meta as stable meta_batch.st",
        "create table meta_batch.a using meta_batch.st tags (1)",
        "create table meta_batch.b using meta_batch.st tags (2)",
        "create table meta_batch.c using meta_batch.st tags (3)",
        "insert into meta_batch.a values (1700000000000, 1)",
        "alter stable meta_batch.st add tag t2 int",
        "create table meta_batch.other (ts timestamp, v int)",
    ] {
        conn.execute(sql, ()).unwrap();
    }
    let c = Consumer::builder()
        .dsn(h2.dsn_ws())
        .configs([
            ("group.id", "g"),
            ("auto.offset.reset", "earliest"),
            ("msg.enable.batchmeta", "1"),
        ])
        .build()
        .unwrap();
    c.subscribe(&["meta_b"]).unwrap();
    // The supertable topic sees its own DDL only (not `other`), and the creations (the
    // supertable's and its children's, still in the WAL) come batched.
    assert_eq!(
        meta_and_data(&c),
        vec![
            ("batch of 4".to_string(), 0),
            ("data".to_string(), 1),
            ("alter st".to_string(), 0),
        ]
    );
}

/// Issue #12 item 5: a `with meta` database topic replayed into a second database with
/// `write_raw_meta` and `write_raw_block_with_fields` gives the same tables and rows;
/// `write_raw_block` fills a table's columns in order; REST refuses the raw writes.
#[test]
fn a_with_meta_topic_replays_into_another_database() {
    let h = server();
    let conn = taosync::connect(h.dsn_ws()).unwrap();
    for sql in [
        "create database rp_src vgroups 2",
        "create database rp_dst vgroups 1",
        "create topic rp_t with meta as database rp_src",
        "create stable rp_src.st (ts timestamp, v int, s nchar(4)) tags (loc int)",
        "insert into rp_src.c1 using rp_src.st tags (1) values (1700000000000, 1, 'ä') (1700000000001, 2, null)",
        "alter stable rp_src.st add column w double",
        "insert into rp_src.c2 using rp_src.st tags (2) values (1700000000000, 3, 'b', 0.5)",
        "alter table rp_src.c2 set tag loc = 20",
        "create table rp_src.n (ts timestamp, v bigint)",
        "insert into rp_src.n values (1700000000000, 9)",
        "delete from rp_src.c1 where ts = 1700000000001",
    ] {
        conn.execute(sql, ()).unwrap();
    }
    let c = consumer(&h, "g_replay", "r1");
    c.subscribe(&["rp_t"]).unwrap();
    let replica = taosync::connect(format!("{}/rp_dst", h.dsn_ws())).unwrap();
    let (mut metas, mut blocks) = (0, 0);
    for m in c.iter(SHORT) {
        let m = m.unwrap();
        if let Some(raw) = m.raw_meta() {
            assert!(m.meta().is_some());
            replica.write_raw_meta(raw).unwrap();
            metas += 1;
        }
        for b in &m {
            assert!(!b.raw_block().is_empty());
            replica
                .write_raw_block_with_fields(b.table_name(), b.raw_block(), b.columns())
                .unwrap();
            blocks += 1;
        }
    }
    assert!(metas >= 6 && blocks >= 3, "{metas} metas, {blocks} blocks");
    let dump = |db: &str| -> Vec<String> {
        let mut out = Vec::new();
        for t in ["c1", "c2", "n"] {
            for r in conn
                .query(&format!("select * from {db}.{t} order by ts"), ())
                .unwrap()
            {
                out.push(format!("{t} {:?}", r.unwrap().values()));
            }
        }
        out.push(format!(
            "{:?}",
            conn.query(
                &format!("select tbname, loc from {db}.st order by tbname"),
                ()
            )
            .unwrap()
            .map(|r| r.unwrap().into_values())
            .collect::<Vec<_>>()
        ));
        out
    };
    assert_eq!(dump("rp_src"), dump("rp_dst"));

    // write_raw_block: columns in order; REST has no raw writes.
    let cols = [
        taosync::Column::new("ts", taosync::Type::Timestamp, 8),
        taosync::Column::new("v", taosync::Type::BigInt, 8),
    ];
    let raw = taosync_proto::block::encode_block(
        &cols,
        &[vec![
            taosync::Value::Timestamp(taosync::Timestamp::new(
                1_700_000_000_005,
                taosync::Precision::Millisecond,
            )),
            taosync::Value::BigInt(5),
        ]],
    )
    .unwrap();
    replica.write_raw_block("n", &raw).unwrap();
    let e = replica.write_raw_block("nope", &raw).unwrap_err();
    assert!(e.code().is_some(), "{e:?}");
    let rest = taosync::connect(format!("{}/rp_dst", h.dsn_rest())).unwrap();
    assert_eq!(
        rest.write_raw_block("n", &raw).unwrap_err().kind(),
        ErrorKind::NotSupported
    );
}
