//! Schemaless ingestion on the wire (02 §2): the `/ws` action `insert` and the legacy
//! `/rest/schemaless` socket over raw WebSocket frames, `POST /influxdb/v1/write` and the
//! OpenTSDB endpoints over raw HTTP; results checked with SQL over `/rest/sql`.

use crate::common::{
    BASIC, Ws, body, json_body, post_with, recv_json, rest_ok, status, ws_connect,
};
use serde_json::{Value, json};
use taosync_server::{Server, ServerConfig, ServerHandle};
use tungstenite::Message;

/// Runs `sql` over REST and returns the reply object (code 0 asserted).
fn sql(h: &ServerHandle, sql: &str) -> Value {
    rest_ok(h, sql)
}

/// The rows of a query.
fn rows(h: &ServerHandle, q: &str) -> Vec<Vec<Value>> {
    let v = sql(h, q);
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().clone())
        .collect()
}

/// `DESCRIBE` as (name, type, length, note) tuples.
fn describe(h: &ServerHandle, table: &str) -> Vec<(String, String, i64, String)> {
    rows(h, &format!("describe {table}"))
        .into_iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_owned(),
                r[1].as_str().unwrap().to_owned(),
                r[2].as_i64().unwrap(),
                r[3].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn stables(h: &ServerHandle, db: &str) -> Vec<String> {
    let mut names: Vec<String> = rows(h, &format!("show {db}.stables"))
        .into_iter()
        .map(|r| r[0].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn server(dbs: &[&str]) -> ServerHandle {
    let h = Server::start(ServerConfig::new()).unwrap();
    for db in dbs {
        sql(&h, &format!("create database {db}"));
    }
    h
}

fn ask(ws: &mut Ws, msg: &Value) -> Value {
    ws.send(Message::text(msg.to_string())).unwrap();
    recv_json(ws)
}

/// A `/ws` socket connected to `db` (`""` for none).
fn ws_conn(h: &ServerHandle, db: &str) -> Ws {
    let mut ws = ws_connect(h, "/ws");
    let v = ask(
        &mut ws,
        &json!({"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":db}}),
    );
    assert_eq!(v["code"], 0, "{v}");
    ws
}

fn insert(ws: &mut Ws, protocol: i64, precision: &str, data: &str) -> Value {
    ask(
        ws,
        &json!({"action":"insert","args":{"req_id":7,"protocol":protocol,"precision":precision,
            "ttl":null,"data":data,"table_name_key":null}}),
    )
}

fn insert_ok(ws: &mut Ws, protocol: i64, precision: &str, data: &str) -> Value {
    let v = insert(ws, protocol, precision, data);
    assert_eq!(v["code"], 0, "{data}: {v}");
    v
}

#[test]
fn ws_insert_line_worked_example() {
    let h = server(&["sml"]);
    let mut ws = ws_conn(&h, "sml");
    let data = "meters,location=California.SanFrancisco,groupid=2 current=10.3,voltage=219i32,status=t,note=\"ok\",label=L\"ab\" 1626006833639\n\
                meters,location=California.SanFrancisco,groupid=2 current=12.6,voltage=218i32,status=f,note=\"ok2\",label=L\"cd\" 1626006833640";
    let v = insert(&mut ws, 1, "ms", data);
    assert_eq!(
        (
            v["code"].as_i64(),
            v["message"].as_str(),
            v["action"].as_str(),
            v["req_id"].as_u64(),
            v["affected_rows"].as_i64(),
            v["total_rows"].as_i64(),
        ),
        (Some(0), Some(""), Some("insert"), Some(7), Some(2), Some(2)),
        "{v}"
    );
    assert!(v["timing"].as_i64().is_some());
    let tag = "TAG".to_owned();
    assert_eq!(
        describe(&h, "sml.meters"),
        vec![
            ("_ts".into(), "TIMESTAMP".into(), 8, String::new()),
            ("current".into(), "DOUBLE".into(), 8, String::new()),
            ("voltage".into(), "INT".into(), 4, String::new()),
            ("status".into(), "BOOL".into(), 1, String::new()),
            ("note".into(), "VARCHAR".into(), 4, String::new()),
            ("label".into(), "NCHAR".into(), 4, String::new()),
            ("location".into(), "NCHAR".into(), 32, tag.clone()),
            ("groupid".into(), "NCHAR".into(), 2, tag),
        ]
    );
    assert_eq!(
        rows(&h, "select distinct tbname from sml.meters"),
        vec![vec![json!("t_251f05d65163f70e2d23faaaa5338caa")]]
    );
    assert_eq!(
        rows(
            &h,
            "select _ts, current, voltage, status, note, label, location, groupid from sml.meters order by _ts"
        ),
        vec![
            vec![
                json!("2021-07-11T12:33:53.639Z"),
                json!(10.3),
                json!(219),
                json!(true),
                json!("ok"),
                json!("ab"),
                json!("California.SanFrancisco"),
                json!("2")
            ],
            vec![
                json!("2021-07-11T12:33:53.640Z"),
                json!(12.6),
                json!(218),
                json!(false),
                json!("ok2"),
                json!("cd"),
                json!("California.SanFrancisco"),
                json!("2")
            ],
        ]
    );
    // Re-sending is idempotent: same timestamps overwrite.
    insert_ok(&mut ws, 1, "ms", data);
    assert_eq!(
        rows(&h, "select count(*) from sml.meters"),
        vec![vec![json!(2)]]
    );
}

#[test]
fn ws_insert_telnet_and_json() {
    let h = server(&["sml"]);
    let mut ws = ws_conn(&h, "sml");
    let v = insert_ok(
        &mut ws,
        2,
        "",
        "meters.current 1648432611249 10.3 location=California.SanFrancisco groupid=2\n\
         meters.current 1648432611250 12.6 location=California.SanFrancisco groupid=2\n\
         meters.current 1648432611 11.8 location=California.LosAngeles groupid=3",
    );
    assert_eq!(
        (v["affected_rows"].as_i64(), v["total_rows"].as_i64()),
        (Some(3), Some(3))
    );
    assert_eq!(
        describe(&h, "sml.meters_current")
            .into_iter()
            .map(|c| (c.0, c.1))
            .collect::<Vec<_>>(),
        vec![
            ("_ts".into(), "TIMESTAMP".into()),
            ("_value".into(), "DOUBLE".into()),
            ("location".into(), "NCHAR".into()),
            ("groupid".into(), "NCHAR".into()),
        ]
    );
    assert_eq!(
        rows(
            &h,
            "select _ts, _value, groupid from sml.meters_current order by _ts"
        ),
        vec![
            vec![json!("2022-03-28T01:56:51.000Z"), json!(11.8), json!("3")],
            vec![json!("2022-03-28T01:56:51.249Z"), json!(10.3), json!("2")],
            vec![json!("2022-03-28T01:56:51.250Z"), json!(12.6), json!("2")],
        ]
    );
    // The JSON worked example of the notes, as a bare object and as an array.
    let v = insert_ok(
        &mut ws,
        3,
        "",
        r#"{"metric":"sys.cpu.nice","timestamp":1700000000,"value":18,"tags":{"host":"web01","dc":"lga"}}"#,
    );
    assert_eq!(v["affected_rows"], 1);
    insert_ok(
        &mut ws,
        3,
        "ms",
        r#"[{"metric":"sys.cpu.nice","timestamp":1700000001000,"value":9,"tags":{"host":"web01","dc":"lga"}},
            {"metric":"sys.cpu.nice","timestamp":{"value":1700000002,"type":"s"},"value":{"value":7,"type":"f64"},
             "tags":{"host":"web02","dc":"lga"}}]"#,
    );
    let names: Vec<Vec<Value>> = rows(
        &h,
        "select tbname, _ts, _value from sml.sys_cpu_nice where host = 'web01' order by _ts",
    );
    assert_eq!(
        names,
        vec![
            vec![
                json!("t_0e1c9ddad586b02a8637569be79f1e45"),
                json!("2023-11-14T22:13:20.000Z"),
                json!(18)
            ],
            vec![
                json!("t_0e1c9ddad586b02a8637569be79f1e45"),
                json!("2023-11-14T22:13:21.000Z"),
                json!(9)
            ],
        ]
    );
    // A bool `_value` where the column is DOUBLE conflicts with the schema.
    let v = insert(
        &mut ws,
        3,
        "",
        r#"{"metric":"sys.cpu.nice","timestamp":1700000003,"value":true,"tags":{"host":"web01","dc":"lga"}}"#,
    );
    assert_eq!(v["code"], 0x3002, "{v}");
    assert_eq!(
        rows(&h, "select count(*) from sml.sys_cpu_nice"),
        vec![vec![json!(3)]]
    );
}

#[test]
fn every_precision_converts_to_the_database_precision() {
    let h = server(&[]);
    sql(&h, "create database ns precision 'ns'");
    sql(&h, "create database us precision 'us'");
    let mut ws = ws_conn(&h, "ns");
    // 2021-07-11T12:00:00Z in each unit.
    let cases = [
        ("h", "451668"),
        ("m", "27100080"),
        ("s", "1626004800"),
        ("ms", "1626004800000"),
        ("u", "1626004800000000"),
        ("μ", "1626004800000000"),
        ("ns", "1626004800000000000"),
        // Not configured, and anything unknown: nanoseconds.
        ("", "1626004800000000000"),
        ("xyz", "1626004800000000000"),
    ];
    for (i, (precision, ts)) in cases.iter().enumerate() {
        insert_ok(&mut ws, 1, precision, &format!("p{i},k=v f=1i {ts}"));
        assert_eq!(
            rows(&h, &format!("select _ts from ns.p{i}")),
            vec![vec![json!("2021-07-11T12:00:00.000000000Z")]],
            "precision {precision:?}"
        );
    }
    // Into a microsecond database, nanoseconds are truncated.
    let mut ws = ws_conn(&h, "us");
    insert_ok(&mut ws, 1, "ns", "q,k=v f=1i 1626004800123456789");
    assert_eq!(
        rows(&h, "select _ts from us.q"),
        vec![vec![json!("2021-07-11T12:00:00.123456Z")]]
    );
    // A missing timestamp is "now".
    insert_ok(&mut ws, 1, "ms", "now_t,k=v f=1i");
    assert_eq!(
        rows(&h, "select count(*) from us.now_t where _ts > now - 1m"),
        vec![vec![json!(1)]]
    );
}

#[test]
fn escaping_in_names_and_values() {
    let h = server(&["sml"]);
    let mut ws = ws_conn(&h, "sml");
    let line = r#"m\ 1\,x,t\ k=v\,1\=2,t2=a\ b f\=1="say \"hi\", a=b \\ c",g=1i,h=L"中文 x" 1626006833639"#;
    insert_ok(&mut ws, 1, "ms", line);
    assert_eq!(stables(&h, "sml"), vec!["m 1,x".to_owned()]);
    let cols: Vec<String> = describe(&h, "sml.`m 1,x`")
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(cols, ["_ts", "f=1", "g", "h", "t k", "t2"]);
    assert_eq!(
        rows(&h, "select `f=1`, g, h, `t k`, t2 from sml.`m 1,x`"),
        vec![vec![
            json!(r#"say "hi", a=b \ c"#),
            json!(1),
            json!("中文 x"),
            json!("v,1=2"),
            json!("a b")
        ]]
    );
    // Dots become underscores in the supertable name; a line without tags gets `_tag_null`.
    insert_ok(&mut ws, 1, "ms", "a.b.c f=2 1626006833639");
    let d = describe(&h, "sml.a_b_c");
    assert_eq!(
        d.last().unwrap(),
        &("_tag_null".into(), "NCHAR".into(), 1, "TAG".into())
    );
}

#[test]
fn schema_evolution_adds_and_widens() {
    let h = server(&["sml"]);
    let mut ws = ws_conn(&h, "sml");
    insert_ok(&mut ws, 1, "ms", "evo,t=a f1=1i 1700000000000");
    insert_ok(
        &mut ws,
        1,
        "ms",
        "evo,t=a,t2=bb f1=2i,f2=\"a string of 19 b\" 1700000001000",
    );
    let d = describe(&h, "sml.evo");
    let find = |name: &str| d.iter().find(|c| c.0 == name).cloned().unwrap();
    assert_eq!(
        find("f2"),
        ("f2".into(), "VARCHAR".into(), 32, String::new())
    );
    assert_eq!(find("t2"), ("t2".into(), "NCHAR".into(), 4, "TAG".into()));
    // A longer value widens the column and the tag.
    insert_ok(
        &mut ws,
        1,
        "ms",
        &format!(
            "evo,t=a,t2={} f2=\"{}\" 1700000002000",
            "x".repeat(9),
            "y".repeat(40)
        ),
    );
    let d = describe(&h, "sml.evo");
    let find = |name: &str| d.iter().find(|c| c.0 == name).cloned().unwrap();
    assert_eq!(find("f2").2, 64);
    assert_eq!(find("t2").2, 16);
    assert_eq!(
        rows(&h, "select f1, f2 from sml.evo order by _ts"),
        vec![
            vec![json!(1), Value::Null],
            vec![json!(2), json!("a string of 19 b")],
            vec![Value::Null, json!("y".repeat(40))],
        ]
    );
    // Two different tag sets → two child tables; `t=a` alone and `t=a,t2=bb` differ.
    assert_eq!(rows(&h, "select distinct tbname from sml.evo").len(), 3);
}

#[test]
fn a_bad_line_writes_nothing() {
    let h = server(&["sml"]);
    let mut ws = ws_conn(&h, "sml");
    let v = insert(
        &mut ws,
        1,
        "ms",
        "good,t=1 f=1i 1626006833639\nother,t=1 f=2i 1626006833639\nbad,t=1 f=nope 1626006833639",
    );
    assert_ne!(v["code"], 0);
    assert!(v["message"].as_str().unwrap().contains("line 3"), "{v}");
    assert!(stables(&h, "sml").is_empty());
    // A type conflict inside one batch.
    let v = insert(
        &mut ws,
        1,
        "ms",
        "tc,t=1 f=1i 1626006833639\ntc,t=1 f=\"s\" 1626006833640",
    );
    assert_eq!(v["code"], 0x3004, "{v}");
    assert!(stables(&h, "sml").is_empty());
    // A type conflict with the existing schema: nothing of the batch is written, not even
    // a supertable that would have been new.
    insert_ok(&mut ws, 1, "ms", "conf,t=1 f=1i 1626006833639");
    let v = insert(
        &mut ws,
        1,
        "ms",
        "fresh,t=1 f=1i 1626006833639\nconf,t=1 f=\"text\" 1626006833640",
    );
    assert_eq!(v["code"], 0x3002, "{v}");
    assert_eq!(stables(&h, "sml"), vec!["conf".to_owned()]);
    assert_eq!(
        rows(&h, "select count(*) from sml.conf"),
        vec![vec![json!(1)]]
    );
    // Timestamps older than KEEP fail before anything is written.
    let v = insert(
        &mut ws,
        1,
        "ms",
        "fresh,t=1 f=1i 1626006833639\nconf,t=1 f=3i 1000",
    );
    assert_eq!(v["code"], 0x060B, "{v}");
    assert_eq!(stables(&h, "sml"), vec!["conf".to_owned()]);
}

#[test]
fn ws_errors() {
    let h = server(&["sml"]);
    // No database selected.
    let mut ws = ws_conn(&h, "");
    let v = insert(&mut ws, 1, "ms", "m,t=1 f=1 1626006833639");
    assert_eq!(
        (v["code"].as_i64(), v["message"].as_str()),
        (Some(0x2616), Some("Database not specified"))
    );
    // USE makes it work.
    let v = ask(
        &mut ws,
        &json!({"action":"query","args":{"req_id":2,"sql":"use sml"}}),
    );
    assert_eq!(v["code"], 0);
    insert_ok(&mut ws, 1, "ms", "m,t=1 f=1 1626006833639");
    // Protocol 0 is the adapter's own error; other unknown protocols are TDengine's.
    let v = insert(&mut ws, 0, "ms", "m,t=1 f=1 1626006833639");
    assert_eq!(
        (v["code"].as_i64(), v["message"].as_str()),
        (Some(65535), Some("schemaless write protocol is null"))
    );
    let v = insert(&mut ws, 9, "ms", "m,t=1 f=1 1626006833639");
    assert_eq!(v["code"], 0x3000);
    // Before conn.
    let mut fresh = ws_connect(&h, "/ws");
    let v = insert(&mut fresh, 1, "ms", "m,t=1 f=1 1626006833639");
    assert_eq!(
        (
            v["code"].as_i64(),
            v["message"].as_str(),
            v["action"].as_str()
        ),
        (Some(65535), Some("server not connected"), Some("insert"))
    );
    // Undecodable args.
    let v = ask(
        &mut ws,
        &json!({"action":"insert","args":{"req_id":3,"protocol":"one"}}),
    );
    assert_eq!(
        (v["code"].as_i64(), v["req_id"].as_u64()),
        (Some(65535), Some(3))
    );
}

#[test]
fn table_name_key_and_ttl() {
    let h = server(&["sml"]);
    let mut ws = ws_conn(&h, "sml");
    let v = ask(
        &mut ws,
        &json!({"action":"insert","args":{"req_id":1,"protocol":1,"precision":"ms","ttl":30,
            "data":"tk,id=dev.1,loc=x f=1i 1626006833639","table_name_key":"id"}}),
    );
    assert_eq!(v["code"], 0, "{v}");
    assert_eq!(
        rows(&h, "select tbname, loc from sml.tk"),
        vec![vec![json!("dev_1"), json!("x")]]
    );
}

#[test]
fn legacy_rest_schemaless_socket() {
    let h = server(&["sml"]);
    let mut ws = ws_connect(&h, "/rest/schemaless");
    let v = ask(&mut ws, &json!({"action":"version"}));
    assert_eq!(
        (v["code"].as_i64(), v["version"].as_str()),
        (Some(0), Some("3.3.6.0"))
    );
    // Insert before conn.
    let v = ask(
        &mut ws,
        &json!({"action":"insert","args":{"req_id":4,"protocol":1,"precision":"ms","data":"m f=1 1"}}),
    );
    assert_eq!(
        (v["code"].as_i64(), v["message"].as_str()),
        (Some(65535), Some("server not connected"))
    );
    let v = ask(
        &mut ws,
        &json!({"action":"conn","args":{"req_id":5,"user":"root","password":"taosdata","db":"sml"}}),
    );
    assert_eq!(
        (v["code"].as_i64(), v["action"].as_str()),
        (Some(0), Some("conn"))
    );
    let v = ask(
        &mut ws,
        &json!({"action":"conn","args":{"req_id":6,"user":"root","password":"taosdata","db":"sml"}}),
    );
    assert_eq!(v["message"], "duplicate connections");
    let v = ask(
        &mut ws,
        &json!({"action":"insert","args":{"req_id":7,"protocol":0,"data":"m f=1 1"}}),
    );
    assert_eq!(
        (v["code"].as_i64(), v["message"].as_str()),
        (Some(65535), Some("args error"))
    );
    // Unknown actions get no reply: the next reply is the insert's.
    ws.send(Message::text(r#"{"action":"nope","args":{"req_id":8}}"#))
        .unwrap();
    let v = ask(
        &mut ws,
        &json!({"action":"insert","args":{"req_id":9,"protocol":2,
            "data":"legacy.metric 1626006833 5 host=a"}}),
    );
    assert_eq!(
        (
            v["code"].as_i64(),
            v["req_id"].as_u64(),
            v["affected_rows"].as_i64()
        ),
        (Some(0), Some(9), Some(1)),
        "{v}"
    );
    assert_eq!(
        rows(&h, "select _value from sml.legacy_metric"),
        vec![vec![json!(5)]]
    );
}

#[test]
fn influxdb_endpoint() {
    let h = server(&["sml"]);
    let data = "cpu,host=a usage=1.5,n=3i 1626006833639\ncpu,host=b usage=2.5 1626006833640\n";
    let r = post_with(
        &h,
        "/influxdb/v1/write?db=sml&precision=ms",
        Some(BASIC),
        data,
    );
    assert_eq!(status(&r), 204, "{r}");
    assert_eq!(body(&r), "");
    assert_eq!(
        rows(&h, "select count(*) from sml.cpu"),
        vec![vec![json!(2)]]
    );
    // u/p in the query string; default precision ns.
    let r = post_with(
        &h,
        "/influxdb/v1/write?db=sml&u=root&p=taosdata",
        None,
        "cpu,host=c usage=3 1626006833641000000",
    );
    assert_eq!(status(&r), 204, "{r}");
    assert_eq!(
        rows(&h, "select _ts from sml.cpu where host = 'c'"),
        vec![vec![json!("2021-07-11T12:33:53.641Z")]]
    );
    // table_name_key.
    let r = post_with(
        &h,
        "/influxdb/v1/write?db=sml&precision=s&table_name_key=host",
        Some(BASIC),
        "cpu,host=named.one usage=4 1626006834",
    );
    assert_eq!(status(&r), 204, "{r}");
    assert_eq!(
        rows(&h, "select usage from sml.named_one"),
        vec![vec![json!(4)]]
    );

    // Errors.
    let r = post_with(&h, "/influxdb/v1/write?db=sml", None, data);
    assert_eq!(status(&r), 401);
    assert_eq!(
        json_body(&r),
        json!({"code":"forbidden","message":"get auth error"})
    );
    let r = post_with(&h, "/influxdb/v1/write", Some(BASIC), data);
    assert_eq!(status(&r), 400);
    assert_eq!(
        json_body(&r),
        json!({"code":"not found","message":"db required","op":"get db query","err":"db required","line":0})
    );
    let r = post_with(&h, "/influxdb/v1/write?db=sml&ttl=x", Some(BASIC), data);
    assert_eq!(status(&r), 400);
    assert_eq!(json_body(&r)["message"], "ttl must be numeric");
    let r = post_with(&h, "/influxdb/v1/write?db=sml&req_id=-1", Some(BASIC), data);
    assert_eq!(status(&r), 400);
    assert_eq!(json_body(&r)["op"], "parse req_id");
    let r = post_with(&h, "/influxdb/v1/write?db=nope", Some(BASIC), data);
    assert_eq!(status(&r), 500);
    assert_eq!(
        json_body(&r),
        json!({"code":"internal error","message":"[0x388] Database not exist"})
    );
    let r = post_with(
        &h,
        "/influxdb/v1/write?db=sml&precision=ms",
        Some(BASIC),
        "cpu,host=a usage=1.5 1626006833650\ncpu,host=a usage=oops 1626006833651",
    );
    assert_eq!(status(&r), 500);
    let v = json_body(&r);
    assert_eq!(v["code"], "internal error");
    assert!(v["message"].as_str().unwrap().starts_with("[0x"), "{v}");
    // 4 rows: hosts a, b, c and the named one; the failed batch added nothing.
    assert_eq!(
        rows(&h, "select count(*) from sml.cpu"),
        vec![vec![json!(4)]]
    );
    let r = post_with(&h, "/influxdb/v1/write?db=sml&u=root&p=wrong", None, data);
    assert_eq!(status(&r), 500);
    assert!(
        json_body(&r)["message"]
            .as_str()
            .unwrap()
            .starts_with("[0x357]")
    );
}

#[test]
fn opentsdb_endpoints() {
    let h = server(&["sml"]);
    let r = post_with(
        &h,
        "/opentsdb/v1/put/json/sml",
        Some(BASIC),
        r#"[{"metric":"sys.cpu.nice","timestamp":1700000000,"value":18,"tags":{"host":"web01","dc":"lga"}}]"#,
    );
    assert_eq!(status(&r), 204, "{r}");
    assert_eq!(
        rows(&h, "select tbname, _value from sml.sys_cpu_nice"),
        vec![vec![json!("t_0e1c9ddad586b02a8637569be79f1e45"), json!(18)]]
    );
    let r = post_with(
        &h,
        "/opentsdb/v1/put/telnet/sml",
        Some(BASIC),
        "put sys.if.bytes.out 1700000100 1.3E3 host=web01 interface=eth0\r\n\r\n  sys.if.bytes.out 1700000101 1.4E3 host=web01 interface=eth0  \n",
    );
    assert_eq!(status(&r), 204, "{r}");
    assert_eq!(
        rows(&h, "select _value from sml.sys_if_bytes_out order by _ts"),
        vec![vec![json!(1300)], vec![json!(1400)]]
    );
    // Empty payloads succeed without writing.
    for path in ["/opentsdb/v1/put/json/sml", "/opentsdb/v1/put/telnet/nope"] {
        let r = post_with(&h, path, Some(BASIC), "");
        assert_eq!(status(&r), 204, "{path}: {r}");
    }

    // Errors.
    let r = post_with(&h, "/opentsdb/v1/put/json/sml", None, "{}");
    assert_eq!(status(&r), 401);
    assert_eq!(json_body(&r), json!({"code":401,"message":"auth needed"}));
    let r = post_with(&h, "/opentsdb/v1/put/json/sml", Some("Taosd x"), "{}");
    assert_eq!(status(&r), 400);
    assert_eq!(
        json_body(&r),
        json!({"code":400,"message":"get auth error"})
    );
    let r = post_with(&h, "/opentsdb/v1/put/json/sml?ttl=x", Some(BASIC), "{}");
    assert_eq!(status(&r), 400);
    assert_eq!(
        json_body(&r)["message"],
        "illegal param, ttl must be numeric strconv.Atoi: parsing \"x\": invalid syntax"
    );
    let r = post_with(
        &h,
        "/opentsdb/v1/put/telnet/nope",
        Some(BASIC),
        "m 1700000100 1 host=a",
    );
    assert_eq!(status(&r), 500);
    assert_eq!(
        json_body(&r),
        json!({"code":500,"message":"[0x388] Database not exist"})
    );
    let r = post_with(
        &h,
        "/opentsdb/v1/put/telnet/sml",
        Some(BASIC),
        "m 1700000100 1 host=a\nm 17000001 1 host=a",
    );
    assert_eq!(status(&r), 500);
    assert_eq!(json_body(&r)["code"], 500);
    assert!(!stables(&h, "sml").contains(&"m".to_owned()));
}

#[test]
fn geometry_from_wkt() {
    let h = server(&["sml"]);
    let mut ws = ws_conn(&h, "sml");
    insert_ok(
        &mut ws,
        1,
        "ms",
        "geo,t=1 loc=G\"POINT(1 2)\" 1626006833639\ngeo,t=1 loc=G\"LINESTRING(0 0, 1 1)\" 1626006833640",
    );
    let d = describe(&h, "sml.geo");
    assert_eq!(d[1], ("loc".into(), "GEOMETRY".into(), 64, String::new()));
    let got = rows(&h, "select loc from sml.geo order by _ts");
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0][0],
        json!("0101000000000000000000f03f0000000000000040"),
        "{got:?}"
    );
    let v = insert(&mut ws, 1, "ms", "geo,t=1 loc=G\"CIRCLE(1)\" 1626006833641");
    assert_eq!(v["code"], 0x0203, "{v}");
}

#[test]
fn concurrent_writers_evolve_one_schema() {
    let h = server(&["sml"]);
    std::thread::scope(|s| {
        for t in 0..4 {
            let h = &h;
            s.spawn(move || {
                let mut ws = ws_conn(h, "sml");
                for i in 0..10 {
                    // Every writer adds its own field and tag to the same supertable.
                    let line = format!(
                        "shared,w{t}=x f{t}={i}i,common={i} {}",
                        1_700_000_000_000i64 + i64::from(t) * 100 + i64::from(i)
                    );
                    insert_ok(&mut ws, 1, "ms", &line);
                }
            });
        }
    });
    assert_eq!(
        rows(&h, "select count(*) from sml.shared"),
        vec![vec![json!(40)]]
    );
    let names: Vec<String> = describe(&h, "sml.shared")
        .into_iter()
        .map(|c| c.0)
        .collect();
    for t in 0..4 {
        assert!(names.contains(&format!("f{t}")), "{names:?}");
        assert!(names.contains(&format!("w{t}")), "{names:?}");
    }
}
