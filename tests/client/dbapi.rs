//! The DB-API integration suite. Every case runs over each transport against the embedded
//! server — WebSocket with binary fetch, WebSocket with JSON fetch (a server reporting
//! version 3.3.1.0), REST — and additionally against a real server when `TAOSYNC_TEST_DSN`
//! is set. Each case uses its own database.

use std::sync::Arc;
use std::time::Duration;

use taosync::{
    Code, Connection, Decimal, ErrorKind, Precision, Timestamp, Type, Value, connect, params,
};
use taosync_server::{FaultInjector, Server, ServerConfig, ServerHandle};

use crate::common::unique_db;

/// Rows per block the embedded servers send: small, so results span many blocks.
const BLOCK_ROWS: usize = 7;

pub(crate) struct Targets {
    pub(crate) dsns: Vec<(&'static str, String)>,
    _servers: Vec<ServerHandle>,
}

pub(crate) fn targets() -> Targets {
    let new = Server::start(ServerConfig::new().block_rows(BLOCK_ROWS)).unwrap();
    let old = Server::start(
        ServerConfig::new()
            .version("3.3.1.0")
            .block_rows(BLOCK_ROWS),
    )
    .unwrap();
    let mut dsns = vec![
        ("ws-binary", new.dsn_ws()),
        ("ws-json", old.dsn_ws()),
        ("rest", new.dsn_rest()),
    ];
    if let Ok(real) = std::env::var("TAOSYNC_TEST_DSN") {
        dsns.push(("real", real));
    }
    Targets {
        dsns,
        _servers: vec![new, old],
    }
}

/// Runs `case` once per transport with a fresh database selected.
pub(crate) fn each(case: &str, precision: &str, f: impl Fn(&str, &Connection)) {
    let t = targets();
    for (name, dsn) in &t.dsns {
        let conn = connect(dsn.as_str()).unwrap_or_else(|e| panic!("{name}: connect: {e}"));
        let db = unique_db("c", case, name);
        conn.execute(&format!("create database {db} precision '{precision}'"), ())
            .unwrap_or_else(|e| panic!("{name}: create database: {e}"));
        conn.select_db(&db).unwrap();
        f(name, &conn);
        conn.execute(&format!("drop database {db}"), ()).unwrap();
    }
}

fn point_wkb(x: f64, y: f64) -> Vec<u8> {
    let mut wkb = vec![1, 1, 0, 0, 0];
    wkb.extend_from_slice(&x.to_le_bytes());
    wkb.extend_from_slice(&y.to_le_bytes());
    wkb
}

#[test]
fn every_type_round_trips_identically_on_every_transport() {
    let mut seen: Vec<(String, Vec<Vec<Value>>)> = Vec::new();
    let seen_ref = std::cell::RefCell::new(&mut seen);
    each("types", "ns", |name, conn| {
        conn.execute("create table t (ts timestamp, c_bool bool, c_tiny tinyint, c_small smallint, c_int int, \
             c_big bigint, c_utiny tinyint unsigned, c_usmall smallint unsigned, c_uint int unsigned, \
             c_ubig bigint unsigned, c_float float, c_double double, c_varchar varchar(40), \
             c_nchar nchar(10), c_varbinary varbinary(8), c_geometry geometry(32), c_decimal decimal(20,4))", ())
        .unwrap();
        let ts = Timestamp::new(1_700_000_000_123_456_789, Precision::Nanosecond);
        let dec: Decimal = "-4467440737095516.1230".parse().unwrap();
        let n = conn
            .execute(
                "insert into t values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    ts,
                    true,
                    i8::MIN,
                    i16::MAX,
                    i32::MIN,
                    i64::MAX,
                    u8::MAX,
                    u16::MAX,
                    u32::MAX,
                    u64::MAX,
                    1.5f32,
                    -2.25e100f64,
                    r"it's a \ 'quote' ?",
                    "涛思数据 ü",
                    vec![0u8, 0xff, 0x10],
                    Value::Geometry(point_wkb(100.0, 100.0)),
                    dec
                ],
            )
            .unwrap();
        assert_eq!(n, 1, "{name}");
        // A row of NULLs (only the timestamp set).
        conn.execute("insert into t (ts) values (1700000000123456790)", ())
            .unwrap();

        let mut cur = conn.cursor().unwrap();
        cur.execute("select * from t order by ts", ()).unwrap();
        let d = cur.description().unwrap();
        assert_eq!(d.len(), 17, "{name}");
        assert_eq!(d[0].type_code, Type::Timestamp);
        assert_eq!(d[12].name, "c_varchar");
        assert_eq!(d[12].internal_size, Some(40), "{name}: declared width");
        assert_eq!(d[13].type_code, Type::NChar);
        assert_eq!(d[16].precision, Some(20), "{name}");
        assert_eq!(d[16].scale, Some(4), "{name}");
        let rows = cur.fetchall().unwrap();
        assert_eq!(rows.len(), 2, "{name}");
        let r = &rows[0];
        assert_eq!(r.get::<Timestamp>(0).unwrap(), ts, "{name}: ns kept");
        assert!(r.get::<bool>(1).unwrap());
        assert_eq!(r.get::<i8>(2).unwrap(), i8::MIN);
        assert_eq!(r.get::<i16>(3).unwrap(), i16::MAX);
        assert_eq!(r.get::<i32>(4).unwrap(), i32::MIN);
        assert_eq!(r.get::<i64>(5).unwrap(), i64::MAX);
        assert_eq!(r.get::<u8>(6).unwrap(), u8::MAX);
        assert_eq!(r.get::<u16>(7).unwrap(), u16::MAX);
        assert_eq!(r.get::<u32>(8).unwrap(), u32::MAX);
        assert_eq!(r.get::<u64>(9).unwrap(), u64::MAX, "{name}");
        assert_eq!(r.get::<f32>(10).unwrap(), 1.5);
        assert_eq!(r.get::<f64>(11).unwrap(), -2.25e100);
        assert_eq!(
            r.get::<String>(12).unwrap(),
            r"it's a \ 'quote' ?",
            "{name}"
        );
        assert_eq!(r.get::<String>("c_nchar").unwrap(), "涛思数据 ü", "{name}");
        assert_eq!(
            r.get::<Vec<u8>>(14).unwrap(),
            vec![0u8, 0xff, 0x10],
            "{name}"
        );
        assert_eq!(
            r.get::<Vec<u8>>(15).unwrap(),
            point_wkb(100.0, 100.0),
            "{name}"
        );
        assert_eq!(
            r.get::<Decimal>(16).unwrap().to_string(),
            "-4467440737095516.1230"
        );
        let nulls = &rows[1];
        for i in 1..17 {
            assert_eq!(nulls.values()[i], Value::Null, "{name}: column {i}");
        }
        assert!(
            nulls.get::<i32>(4).is_err(),
            "NULL into a non-Option is an error"
        );
        assert_eq!(nulls.get::<Option<i32>>(4).unwrap(), None);
        seen_ref.borrow_mut().push((
            name.to_owned(),
            rows.iter().map(|r| r.values().to_vec()).collect(),
        ));
    });
    // Every transport produced the very same values.
    for w in seen.windows(2) {
        assert_eq!(w[0].1, w[1].1, "{} vs {}", w[0].0, w[1].0);
    }
}

#[test]
fn timestamps_keep_precision_and_zone_helpers_work() {
    for precision in ["ms", "us", "ns"] {
        each("prec", precision, |name, conn| {
            conn.execute("create table t (ts timestamp, v int)", ())
                .unwrap();
            conn.execute(
                "insert into t values ('2023-11-14T22:13:20.123456789Z', 1)",
                (),
            )
            .unwrap();
            let mut cur = conn.cursor().unwrap();
            cur.execute("select ts from t", ()).unwrap();
            let ts: Timestamp = cur.fetchone().unwrap().unwrap().get(0).unwrap();
            let p: Precision = precision.parse().unwrap();
            assert_eq!(ts.precision(), p, "{name}");
            let full = Timestamp::new(1_700_000_000_123_456_789, Precision::Nanosecond);
            assert_eq!(ts, full.to_precision(p), "{name} {precision}");
            let local = conn.localize(ts).unwrap();
            assert_eq!(local.timestamp(), 1_700_000_000);
        });
    }
}

#[test]
fn empty_results_and_statements_without_rows() {
    each("empty", "ms", |name, conn| {
        let mut cur = conn.cursor().unwrap();
        assert!(cur.description().is_none());
        assert_eq!(cur.rowcount(), -1);
        cur.execute("create table t (ts timestamp, v int)", ())
            .unwrap();
        assert!(cur.description().is_none(), "{name}");
        assert_eq!(cur.rowcount(), 0);
        let e = cur.fetchone().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Operational, "{name}: fetch after DDL");
        cur.execute("select * from t", ()).unwrap();
        assert_eq!(cur.description().unwrap().len(), 2, "{name}");
        assert!(cur.fetchone().unwrap().is_none());
        assert!(cur.fetchmany(Some(10)).unwrap().is_empty());
        assert!(cur.fetchall().unwrap().is_empty());
        assert_eq!(cur.rowcount(), 0, "{name}");
        cur.execute(
            "insert into t values (1700000000000, 1) (1700000000001, 2)",
            (),
        )
        .unwrap();
        assert_eq!(cur.rowcount(), 2, "{name}");
    });
}

#[test]
fn results_span_many_blocks_and_fetchmany_crosses_boundaries() {
    each("blocks", "ms", |name, conn| {
        conn.execute("create table t (ts timestamp, v int)", ())
            .unwrap();
        let mut cur = conn.cursor().unwrap();
        cur.executemany(
            "insert into t values (?, ?)",
            (0..100).map(|i| {
                (
                    Timestamp::new(1_700_000_000_000 + i, Precision::Millisecond),
                    i as i32,
                )
            }),
        )
        .unwrap();
        assert_eq!(cur.rowcount(), 100, "{name}");
        cur.execute("select v from t order by ts", ()).unwrap();
        let mut got = Vec::new();
        // Sizes that land on, before and after the 7-row block boundaries.
        for size in [7, 1, 6, 8, 14, 13, 100] {
            let rows = cur.fetchmany(Some(size)).unwrap();
            assert!(rows.len() <= size);
            got.extend(rows.iter().map(|r| r.get::<i32>(0).unwrap()));
        }
        assert_eq!(got, (0..100).collect::<Vec<i32>>(), "{name}");
        assert!(cur.fetchmany(None).unwrap().is_empty());
        assert_eq!(cur.rowcount(), 100);
        // Default arraysize is 1.
        cur.execute("select v from t order by ts", ()).unwrap();
        assert_eq!(cur.fetchmany(None).unwrap().len(), 1);
        cur.set_arraysize(50);
        assert_eq!(cur.fetchmany(None).unwrap().len(), 50);
        // The iterator finishes the rest.
        assert_eq!(cur.by_ref().count(), 49);
    });
}

/// Creates `t (ts, v)` holding `v` = 0..n, one millisecond apart.
fn counting_table(conn: &Connection, n: i64) {
    conn.execute("create table t (ts timestamp, v int)", ())
        .unwrap();
    let values: Vec<String> = (0..n)
        .map(|i| format!("({}, {i})", 1_700_000_000_000i64 + i))
        .collect();
    conn.execute(&format!("insert into t values {}", values.join(" ")), ())
        .unwrap();
}

#[test]
fn interleaved_cursors_share_one_connection() {
    each("interleave", "ms", |name, conn| {
        counting_table(conn, 30);
        let mut a = conn.cursor().unwrap();
        let mut b = conn.cursor().unwrap();
        a.execute("select v from t order by ts", ()).unwrap();
        b.execute("select v from t order by ts desc", ()).unwrap();
        let mut left = Vec::new();
        let mut right = Vec::new();
        for _ in 0..30 {
            left.push(a.fetchone().unwrap().unwrap().get::<i32>(0).unwrap());
            right.push(b.fetchone().unwrap().unwrap().get::<i32>(0).unwrap());
        }
        assert_eq!(left, (0..30).collect::<Vec<_>>(), "{name}");
        assert_eq!(right, (0..30).rev().collect::<Vec<_>>(), "{name}");
        // A third query while `a` is mid-way through a fresh result.
        a.execute("select v from t order by ts", ()).unwrap();
        a.fetchmany(Some(3)).unwrap();
        assert_eq!(
            conn.execute("insert into t values (1800000000000, 99)", ())
                .unwrap(),
            1
        );
        assert_eq!(a.fetchall().unwrap().len(), 27);
    });
}

/// The next block of a WebSocket result is asked for while the current one is read: its
/// reply must reach that result and no other, whatever runs on the connection meanwhile
/// (statements, other results, a pause long enough for the idle check, an early drop).
#[test]
fn blocks_fetched_ahead_reach_their_own_result() {
    each("ahead", "ms", |name, conn| {
        counting_table(conn, 40);
        let mut a = conn.cursor().unwrap();
        a.execute("select v from t order by ts", ()).unwrap();
        let mut got: Vec<i32> = Vec::new();
        let take = |cur: &mut taosync::Cursor, n: usize, got: &mut Vec<i32>| {
            for row in cur.fetchmany(Some(n)).unwrap() {
                got.push(row.get::<i32>(0).unwrap());
            }
        };
        take(&mut a, 3, &mut got);
        // A statement and a whole multi-block result while `a`'s next block is in flight.
        assert_eq!(
            conn.execute("insert into t values (1800000000000, 99)", ())
                .unwrap(),
            1
        );
        let count: i64 = conn
            .query("select count(*) from t", ())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(count, 41, "{name}");
        let mut b = conn.cursor().unwrap();
        b.execute("select v from t order by ts desc", ()).unwrap();
        assert_eq!(b.fetchall().unwrap().len(), 41, "{name}");
        take(&mut a, 10, &mut got);
        // A pause past the idle check (which reads whatever has arrived) mid-result.
        std::thread::sleep(Duration::from_millis(700));
        take(&mut a, 5, &mut got);
        // A result dropped with its next block in flight, then fresh ones.
        let mut c = conn.cursor().unwrap();
        c.execute("select v + 1000 from t order by ts", ()).unwrap();
        c.fetchmany(Some(2)).unwrap();
        drop(c);
        let mut d = conn.cursor().unwrap();
        d.execute("select v from t where v < 5 order by ts", ())
            .unwrap();
        let small: Vec<i32> = d
            .fetchall()
            .unwrap()
            .iter()
            .map(|r| r.get::<i32>(0).unwrap())
            .collect();
        assert_eq!(small, vec![0, 1, 2, 3, 4], "{name}");
        take(&mut a, 100, &mut got);
        // `a`'s rows are 0..40 in order, none from another result (plus the row inserted
        // after it was opened, on a server that computes results lazily).
        let expected: Vec<i32> = (0..40).collect();
        assert_eq!(&got[..40], &expected[..], "{name}");
        assert!(got.len() == 40 || got[40..] == [99], "{name}: {got:?}");
    });
}

#[test]
fn json_tags_and_unicode() {
    each("json", "ms", |name, conn| {
        conn.execute(
            "create stable st (ts timestamp, v nchar(8)) tags (info json)",
            (),
        )
        .unwrap();
        conn.execute(
            "create table c1 using st tags (?)",
            params![Value::Json(r#"{"room":"客厅","floor":2}"#.into())],
        )
        .unwrap();
        conn.execute("insert into c1 values (1700000000000, 'ünï😀')", ())
            .unwrap();
        let mut cur = conn.cursor().unwrap();
        cur.execute("select info, v from st", ()).unwrap();
        let (info, v): (serde_json::Value, String) = cur.fetchone_as().unwrap().unwrap();
        assert_eq!(info["room"], "客厅", "{name}");
        assert_eq!(info["floor"], 2, "{name}");
        assert_eq!(v, "ünï😀", "{name}");
        let maps = {
            cur.execute("select v from st", ()).unwrap();
            cur.fetchall_into_dicts().unwrap()
        };
        assert_eq!(maps[0]["v"], Value::NChar("ünï😀".into()), "{name}");
    });
}

#[test]
fn errors_carry_codes_and_kinds() {
    each("errors", "ms", |name, conn| {
        let e = conn.execute("selec 1 frm", ()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Programming, "{name}: {e:?}");
        assert_eq!(e.code(), Some(Code::PAR_SYNTAX_ERROR), "{name}: {e:?}");
        assert!(e.kind().is_database_error());

        let e = conn.execute("select * from no_such_table", ()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Programming, "{name}");
        assert_eq!(e.code(), Some(Code::PAR_TABLE_NOT_EXIST), "{name}: {e:?}");
        assert!(e.to_string().starts_with("[0x2603]"), "{name}: {e}");

        let e = conn.select_db("no_such_db_here").unwrap_err();
        assert_eq!(e.code(), Some(Code::MND_DB_NOT_EXIST), "{name}: {e:?}");

        let mut cur = conn.cursor().unwrap();
        assert_eq!(cur.fetchone().unwrap_err().kind(), ErrorKind::Operational);
        let e = cur.execute("select ?", ()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Programming, "{name}: parameter count");
        assert_eq!(conn.rollback().unwrap_err().kind(), ErrorKind::NotSupported);
        conn.commit().unwrap();
        cur.close().unwrap();
        cur.close().unwrap();
        assert_eq!(
            cur.execute("select 1", ()).unwrap_err().kind(),
            ErrorKind::Interface
        );
        // The connection still works after all of that.
        assert!(conn.server_version().unwrap().starts_with('3'), "{name}");
    });
}

#[test]
fn wrong_password_is_a_connection_error_with_the_server_code() {
    let t = targets();
    for (name, dsn) in &t.dsns {
        if *name == "real" {
            continue;
        }
        let bad = dsn.replace(":taosdata@", ":wrong@");
        let e = connect(format!("{bad}?conn_retries=3&retry_backoff_ms=1000")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{name}: {e:?}");
        assert_eq!(e.code(), Some(Code::MND_AUTH_FAILURE), "{name}: {e:?}");
    }
}

#[test]
fn closed_connection_fails_cleanly_and_close_is_idempotent() {
    let t = targets();
    for (name, dsn) in &t.dsns {
        let conn = connect(dsn.as_str()).unwrap();
        let mut cur = conn.cursor().unwrap();
        cur.execute("select server_version()", ()).unwrap();
        conn.close().unwrap();
        conn.close().unwrap();
        assert!(conn.is_closed());
        for e in [
            conn.execute("select 1", ()).unwrap_err(),
            conn.server_version().unwrap_err(),
            conn.cursor().unwrap_err(),
            cur.fetchone().unwrap_err(),
            cur.execute("select 1", ()).unwrap_err(),
        ] {
            assert_eq!(e.kind(), ErrorKind::Interface, "{name}: {e:?}");
        }
    }
}

#[test]
fn current_db_is_remembered_across_requests() {
    let t = targets();
    for (name, dsn) in &t.dsns {
        let db = unique_db("c", "use", name);
        let conn = connect(dsn.as_str()).unwrap();
        assert_eq!(conn.current_db().unwrap(), None);
        conn.execute(&format!("create database {db}"), ()).unwrap();
        conn.execute(&format!("use {db}"), ()).unwrap();
        assert_eq!(conn.current_db().unwrap().as_deref(), Some(db.as_str()));
        // Unqualified names work on the next request (REST sends the db in the URL).
        conn.execute("create table t (ts timestamp, v int)", ())
            .unwrap();
        conn.execute("insert into t values (1700000000000, 1)", ())
            .unwrap();
        let rows: Vec<_> = conn.query("select v from t", ()).unwrap().collect();
        assert_eq!(rows.len(), 1, "{name}");
        // A DSN with a database selects it from the start.
        let with_db = connect(format!("{dsn}/{db}")).unwrap();
        assert_eq!(
            with_db.query("select v from t", ()).unwrap().count(),
            1,
            "{name}"
        );
        conn.execute(&format!("drop database {db}"), ()).unwrap();
    }
}

#[test]
fn a_connection_is_shared_between_threads() {
    each("threads", "ms", |name, conn| {
        conn.execute("create table t (ts timestamp, v int)", ())
            .unwrap();
        std::thread::scope(|s| {
            for k in 0..4i64 {
                s.spawn(move || {
                    for i in 0..10i64 {
                        conn.execute(
                            "insert into t values (?, ?)",
                            (
                                Timestamp::new(
                                    1_700_000_000_000 + k * 100 + i,
                                    Precision::Millisecond,
                                ),
                                i as i32,
                            ),
                        )
                        .unwrap();
                    }
                });
            }
        });
        let rs = conn.query("select count(*) from t", ()).unwrap();
        assert_eq!(rs.field_count(), 1);
        let n: i64 = rs.map(|r| r.unwrap().get::<i64>(0).unwrap()).sum();
        assert_eq!(n, 40, "{name}");
    });
}

#[test]
fn server_dropping_the_connection_mid_result() {
    // Each connection is dropped when its 6th WebSocket data frame arrives.
    let server = Server::start(
        ServerConfig::new()
            .block_rows(2)
            .faults(FaultInjector::new().drop_after(5)),
    )
    .unwrap();
    let dsn = format!("{}?conn_retries=0&read_timeout=5s", server.dsn_ws());
    // version, conn, create, create, insert: 5 frames.
    let setup = connect(dsn.as_str()).unwrap();
    setup.execute("create database d", ()).unwrap();
    setup
        .execute("create table d.t (ts timestamp, v int)", ())
        .unwrap();
    setup
        .execute(
            "insert into d.t values (1700000000000, 1) (1700000000001, 2) (1700000000002, 3)",
            (),
        )
        .unwrap();
    // version, conn, query, fetch (2 rows), fetch (1 row), then the 6th frame is dropped.
    let conn = connect(dsn.as_str()).unwrap();
    let results: Vec<taosync::Result<taosync::Row>> =
        conn.query("select * from d.t", ()).unwrap().collect();
    assert_eq!(results.len(), 4, "{results:?}");
    assert!(results[..3].iter().all(Result::is_ok));
    let e = results[3].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
}

#[test]
fn refused_port_is_a_connection_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for scheme in ["ws", "http"] {
        let e = connect(format!(
            "{scheme}://127.0.0.1:{port}?conn_retries=1&retry_backoff_ms=1"
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{scheme}: {e:?}");
        assert!(e.message().contains(&port.to_string()));
    }
}

#[test]
fn malformed_dsn_is_an_interface_error() {
    for dsn in [
        "ws://h:99999",
        "nope://h",
        "ws://[::1",
        "ws://h?conn_timeout=soon",
    ] {
        let e = connect(dsn).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface, "{dsn}");
        assert_eq!(e.code(), Some(Code::CLIENT_DSN_ERROR), "{dsn}");
    }
}

#[test]
fn rest_client_returns_raw_json() {
    let server = Server::start(ServerConfig::new()).unwrap();
    let client = taosync::RestClient::new(&server.dsn_rest())
        .unwrap()
        .timeout(Duration::from_secs(5));
    let v = client.sql("select server_version()").unwrap();
    assert_eq!(v["code"], 0);
    assert_eq!(v["column_meta"][0][0], "server_version()");
    let e = client.sql("selec 1").unwrap_err();
    assert_eq!(e.code(), Some(Code::PAR_SYNTAX_ERROR));
    let shared = Arc::new(client);
    assert_eq!(shared.sql("show databases").unwrap()["code"], 0);
}

#[test]
fn a_socket_the_server_dropped_while_idle_is_reopened() {
    // The server drops WebSocket clients silent for 300 ms (taosAdapter: ~114 s).
    let server = Server::start(
        ServerConfig::new()
            .ws_read_deadline(Duration::from_millis(300))
            .ws_ping_interval(Duration::from_secs(60)),
    )
    .unwrap();
    let conn = connect(server.dsn_ws()).unwrap();
    conn.execute("create database if not exists idle", ())
        .unwrap();
    conn.select_db("idle").unwrap();
    std::thread::sleep(Duration::from_millis(900));
    // The dead socket is noticed before the statement is sent, and the database is
    // selected again on the new one.
    conn.execute("create table t (ts timestamp, v int)", ())
        .unwrap();
    assert_eq!(conn.current_db().unwrap().as_deref(), Some("idle"));
    assert_eq!(conn.query("select * from t", ()).unwrap().count(), 0);
}

#[test]
fn connection_time_zone_applies_to_literals_and_helpers() {
    let t = targets();
    for (name, dsn) in &t.dsns {
        if *name == "real" {
            continue;
        }
        let conn = connect(format!("{dsn}?timezone=America/New_York")).unwrap();
        assert_eq!(conn.timezone().unwrap().name(), "America/New_York");
        let db = unique_db("c", "tz", name);
        conn.execute(&format!("create database {db}"), ()).unwrap();
        conn.select_db(&db).unwrap();
        conn.execute("create table t (ts timestamp, v int)", ())
            .unwrap();
        conn.execute("insert into t values ('2025-01-01 12:00:00', 1)", ())
            .unwrap();
        let ts: Timestamp = conn
            .query("select ts from t", ())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .get(0)
            .unwrap();
        let local = conn.localize(ts).unwrap();
        assert_eq!(local.to_rfc3339(), "2025-01-01T12:00:00-05:00", "{name}");
        assert_eq!(ts.to_rfc3339(), "2025-01-01T17:00:00.000Z", "{name}");
        conn.execute(&format!("drop database {db}"), ()).unwrap();
    }
}

#[test]
fn a_reconnect_whose_database_is_gone_goes_on_without_it() {
    let server = Server::start(ServerConfig::new()).unwrap();
    let port = server.port();
    let setup = connect(server.dsn_ws().as_str()).unwrap();
    setup.execute("create database keepme", ()).unwrap();
    let dsn = format!("{}/keepme?conn_retries=0&read_timeout=3s", server.dsn_ws());
    let conn = connect(dsn.as_str()).unwrap();
    conn.execute("create table t (ts timestamp, v int)", ())
        .unwrap();
    drop(setup);
    drop(server); // restarted empty: the DSN's database is gone
    let server = Server::start(ServerConfig::new().port(port)).unwrap();
    // The first call after the restart may see the dead socket; then the connection
    // reconnects without the missing database and the statement says what is missing.
    let first = conn.execute("select * from t", ());
    let e = match first {
        Err(e) if e.kind() == ErrorKind::Connection => {
            conn.execute("select * from t", ()).unwrap_err()
        }
        Err(e) => e,
        Ok(_) => panic!("a table of a vanished database answered"),
    };
    assert_ne!(e.kind(), ErrorKind::Connection, "{e:?}");
    conn.execute("create database if not exists keepme", ())
        .unwrap();
    conn.execute("create table keepme.t (ts timestamp, v int)", ())
        .unwrap();
    conn.execute("insert into keepme.t values (now, 1)", ())
        .unwrap();
    assert_eq!(
        conn.query_one::<(i32,), _>("select v from keepme.t", ())
            .unwrap()
            .0,
        1
    );
    drop(server);
}
