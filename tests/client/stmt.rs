//! `taosync::Statement` against the embedded server, on stmt2 (server 3.3.6.0) and stmt v1
//! (server 3.3.1.0, and chosen explicitly): every type, auto-created child tables, many
//! tables in one execute, row binds, query statements, every bind error, a reopened
//! socket, and REST. Rows are read back with plain SQL.

use taosync::stmt::ColumnView;
use taosync::{Connection, Decimal, ErrorKind, Precision, StmtProtocol, Timestamp, Value};
use taosync_server::{FaultInjector, Server, ServerConfig, ServerHandle};

const BASE: i64 = 1_700_000_000_000_000_000; // ns
/// `POINT (1 2)` as WKB.
const POINT: [u8; 21] = [
    1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40,
];

const PROTOCOLS: [StmtProtocol; 2] = [StmtProtocol::Stmt2, StmtProtocol::Stmt1];

fn setup(config: ServerConfig) -> (ServerHandle, Connection) {
    let h = Server::start(config).unwrap();
    let conn = taosync::connect(h.dsn_ws().as_str()).unwrap();
    conn.execute("create database db precision 'ns'", ())
        .unwrap();
    conn.select_db("db").unwrap();
    conn.execute(
        "create stable st (ts timestamp, c_bool bool, c_ti tinyint, c_si smallint, c_int int, \
         c_big bigint, c_uti tinyint unsigned, c_usi smallint unsigned, c_ui int unsigned, \
         c_ubig bigint unsigned, c_f float, c_d double, c_vc varchar(8), c_nc nchar(4), \
         c_vb varbinary(8), c_geo geometry(64)) tags (t_int int, t_nc nchar(8))",
        (),
    )
    .unwrap();
    conn.execute(
        "create stable js (ts timestamp, v int) tags (info json)",
        (),
    )
    .unwrap();
    conn.execute("create table plain (ts timestamp, v int, s varchar(4))", ())
        .unwrap();
    (h, conn)
}

fn stmt(conn: &Connection, p: StmtProtocol, sql: &str) -> taosync::Statement {
    let s = conn
        .statement_builder()
        .protocol(p)
        .sql(sql)
        .build()
        .unwrap();
    assert_eq!(s.protocol(), p);
    s
}

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    conn.query(sql, ())
        .unwrap()
        .map(|r| r.unwrap().into_values())
        .collect()
}

fn ts(ns: i64) -> Value {
    Value::Timestamp(Timestamp::new(ns, Precision::Nanosecond))
}

/// The 16 columns of `st` for three rows: all set, all NULL, empty strings and unicode.
fn every_type_columns(base: i64) -> Vec<ColumnView> {
    vec![
        ColumnView::nanos_timestamps([base + 1, base + 2, base + 3]),
        ColumnView::bools([Some(true), None, Some(false)]),
        ColumnView::tiny_ints([Some(-128), None, Some(127)]),
        ColumnView::small_ints([Some(-32768), None, Some(1)]),
        ColumnView::ints([Some(i32::MIN), None, Some(0)]),
        ColumnView::bigints([Some(i64::MAX), None, Some(-1)]),
        ColumnView::unsigned_tiny_ints([Some(255u8), None, Some(0)]),
        ColumnView::unsigned_small_ints([Some(65535u16), None, Some(0)]),
        ColumnView::unsigned_ints([Some(u32::MAX), None, Some(0)]),
        ColumnView::unsigned_bigints([Some(u64::MAX), None, Some(0)]),
        ColumnView::floats([Some(1.5f32), None, Some(-0.25)]),
        ColumnView::doubles([Some(2.25f64), None, Some(1e300)]),
        ColumnView::varchars([Some("abc"), None, Some("")]),
        ColumnView::nchars([Some("北京"), None, Some("")]),
        ColumnView::varbinaries([Some(&[0u8, 1, 255][..]), None, Some(&[][..])]),
        ColumnView::geometries([Some(&POINT[..]), None, Some(&POINT[..])]),
    ]
}

fn check_every_type(conn: &Connection, table: &str, base: i64) {
    let got = rows(conn, &format!("select * from {table} order by ts"));
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got[0],
        vec![
            ts(base + 1),
            Value::Bool(true),
            Value::TinyInt(-128),
            Value::SmallInt(-32768),
            Value::Int(i32::MIN),
            Value::BigInt(i64::MAX),
            Value::UTinyInt(255),
            Value::USmallInt(65535),
            Value::UInt(u32::MAX),
            Value::UBigInt(u64::MAX),
            Value::Float(1.5),
            Value::Double(2.25),
            Value::VarChar("abc".into()),
            Value::NChar("北京".into()),
            Value::VarBinary(vec![0, 1, 255]),
            Value::Geometry(POINT.to_vec()),
        ]
    );
    assert_eq!(got[1][0], ts(base + 2));
    assert!(got[1][1..].iter().all(Value::is_null), "{:?}", got[1]);
    assert_eq!(got[2][12], Value::VarChar(String::new()));
    assert_eq!(got[2][13], Value::NChar(String::new()));
    assert_eq!(got[2][14], Value::VarBinary(Vec::new()));
    assert_eq!(got[2][11], Value::Double(1e300));
}

#[test]
fn every_type_many_auto_created_tables_in_one_execute() {
    for p in PROTOCOLS {
        let (_h, conn) = setup(ServerConfig::new());
        let mut s = stmt(
            &conn,
            p,
            "insert into ? using st tags (?, ?) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        );
        assert_eq!(s.is_insert(), Some(true));
        s.set_tbname_tags("d1", &[Value::Int(1), Value::NChar("上海".into())])
            .unwrap();
        s.bind_param(every_type_columns(BASE)).unwrap();
        s.add_batch().unwrap();
        s.set_tbname_tags("db.d2", &[Value::Null, Value::Null])
            .unwrap();
        s.bind_param(every_type_columns(BASE)).unwrap();
        s.add_batch().unwrap();
        assert_eq!(s.execute().unwrap(), 6, "{p:?}");
        assert_eq!(s.affected_rows(), 6);
        check_every_type(&conn, "d1", BASE);
        check_every_type(&conn, "d2", BASE);
        assert_eq!(
            rows(&conn, "select t_int, t_nc from d1 limit 1"),
            vec![vec![Value::Int(1), Value::NChar("上海".into())]]
        );
        assert_eq!(
            rows(&conn, "select t_int, t_nc from d2 limit 1"),
            vec![vec![Value::Null, Value::Null]]
        );
        // A second round on the same statement, into an existing table, without tags.
        s.set_tbname("d1").unwrap();
        s.bind_param(every_type_columns(BASE + 10)).unwrap();
        assert_eq!(s.execute().unwrap(), 3);
        assert_eq!(
            rows(&conn, "select count(*) from d1"),
            vec![vec![Value::BigInt(6)]]
        );
        s.close().unwrap();
        s.close().unwrap();
    }
}

#[test]
fn json_tags_fixed_tables_and_row_binds() {
    for p in PROTOCOLS {
        let (_h, conn) = setup(ServerConfig::new());
        let mut s = stmt(&conn, p, "insert into ? using js tags (?) values (?, ?)");
        s.set_tbname_tags("j1", &[Value::Json(r#"{"k":"v","n":1}"#.into())])
            .unwrap();
        s.bind_row(&[ts(BASE), Value::Int(1)]).unwrap();
        s.bind_row(&[ts(BASE + 1), Value::Null]).unwrap();
        s.add_batch().unwrap();
        s.set_tbname_tags("j2", &[Value::Null]).unwrap();
        s.bind_row(&[ts(BASE), Value::Int(7)]).unwrap();
        assert_eq!(s.execute().unwrap(), 3);
        let got = rows(&conn, "select info->'k', v from j1 order by ts");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0][1], Value::Int(1));
        assert_eq!(got[1][1], Value::Null);
        let tags = rows(&conn, "select info from j1 limit 1");
        let Value::Json(text) = &tags[0][0] else {
            panic!("{tags:?}")
        };
        let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(parsed, serde_json::json!({"k": "v", "n": 1}));

        // A fixed normal table, rows bound one by one; text timestamps and BIGINT counts.
        let mut s = stmt(&conn, p, "insert into plain values (?, ?, ?)");
        s.bind_row(&[ts(BASE), Value::Int(1), Value::from("a")])
            .unwrap();
        s.bind_row(&[Value::BigInt(BASE + 1), Value::Int(2), Value::from("bb")])
            .unwrap();
        s.add_batch().unwrap();
        s.bind_param([
            ColumnView::timestamps([Timestamp::new(BASE / 1_000_000 + 1, Precision::Millisecond)]),
            ColumnView::bigints([3]), // converted to the INT column
            ColumnView::varchars([None::<&str>]),
        ])
        .unwrap();
        assert_eq!(s.execute().unwrap(), 3);
        assert_eq!(
            rows(&conn, "select ts, v, s from plain order by ts"),
            vec![
                vec![ts(BASE), Value::Int(1), Value::VarChar("a".into())],
                vec![ts(BASE + 1), Value::Int(2), Value::VarChar("bb".into())],
                vec![ts(BASE + 1_000_000), Value::Int(3), Value::Null],
            ]
        );
    }
}

#[test]
fn query_statements() {
    for p in PROTOCOLS {
        let (_h, conn) = setup(ServerConfig::new());
        for i in 0..5 {
            conn.execute(
                &format!("insert into plain values ({}, {i}, 'r{i}')", BASE + i),
                (),
            )
            .unwrap();
        }
        let mut s = stmt(
            &conn,
            p,
            "select ts, v, s from plain where v >= ? order by ts",
        );
        assert_eq!(s.is_insert(), Some(false));
        s.bind_param([ColumnView::ints([3])]).unwrap();
        assert_eq!(s.execute().unwrap(), 0);
        let got: Vec<Vec<Value>> = s
            .result()
            .unwrap()
            .map(|r| r.unwrap().into_values())
            .collect();
        assert_eq!(
            got,
            vec![
                vec![ts(BASE + 3), Value::Int(3), Value::VarChar("r3".into())],
                vec![ts(BASE + 4), Value::Int(4), Value::VarChar("r4".into())],
            ]
        );
        // The result is taken once; execute again with other parameters.
        assert_eq!(s.result().unwrap_err().kind(), ErrorKind::Statement);
        s.bind_row(&[ts(BASE + 3)]).unwrap();
        s.prepare("select v from plain where ts > ? and s <> ?")
            .unwrap();
        s.bind_row(&[ts(BASE + 3), Value::from("x")]).unwrap();
        s.execute().unwrap();
        let mut rs = s.result().unwrap();
        assert_eq!(rs.fields()[0].name, "v");
        assert_eq!(
            rs.fetchall().unwrap()[0].values(),
            &[Value::Int(4)],
            "{p:?}"
        );
        // An INSERT has no result set.
        s.prepare("insert into plain values (?, ?, ?)").unwrap();
        s.bind_row(&[ts(BASE + 9), Value::Int(9), Value::Null])
            .unwrap();
        s.execute().unwrap();
        assert_eq!(s.result().unwrap_err().kind(), ErrorKind::Statement);
    }
}

fn code(e: &taosync::Error) -> u16 {
    e.code().map(|c| c.value()).unwrap_or(0)
}

#[test]
fn bind_errors_carry_codes_and_leave_the_statement_usable() {
    for p in PROTOCOLS {
        let (_h, conn) = setup(ServerConfig::new());
        let mut s = stmt(&conn, p, "insert into plain values (?, ?, ?)");
        // Too few columns for the prepared SQL.
        s.bind_param([ColumnView::nanos_timestamps([BASE]), ColumnView::ints([1])])
            .unwrap();
        let e = s.execute().unwrap_err();
        assert_eq!(
            (e.kind(), code(&e)),
            (ErrorKind::Programming, 0x263F),
            "{p:?} {e}"
        );
        // Columns of different row counts.
        let e = s
            .bind_param([
                ColumnView::nanos_timestamps([BASE, BASE + 1]),
                ColumnView::ints([1]),
                ColumnView::varchars(["a", "b"]),
            ])
            .unwrap_err();
        assert_eq!(
            (e.kind(), code(&e)),
            (ErrorKind::Programming, 0x0200),
            "{e}"
        );
        // A value of the wrong type, and one out of range.
        for bad in [Value::from("abc"), Value::BigInt(1 << 40)] {
            s.bind_row(&[ts(BASE), bad, Value::Null]).unwrap();
            let e = s.execute().unwrap_err();
            assert_eq!((e.kind(), code(&e)), (ErrorKind::Data, 0x0203), "{e}");
            assert!(e.message().contains("\"v\""), "{e}");
        }
        // A string longer than VARCHAR(4): the server's code.
        s.bind_row(&[ts(BASE), Value::Int(1), Value::from("toolong")])
            .unwrap();
        let e = s.execute().unwrap_err();
        assert_eq!((e.kind(), code(&e)), (ErrorKind::Data, 0x2653), "{p:?} {e}");
        // Nothing was written, and the statement still works.
        assert!(rows(&conn, "select * from plain").is_empty());
        s.bind_row(&[ts(BASE), Value::Int(1), Value::from("ok")])
            .unwrap();
        assert_eq!(s.execute().unwrap(), 1);

        // A failed execute of several tables writes none of them, and leaves nothing
        // behind for the next execute.
        let mut s = stmt(&conn, p, "insert into ? using js tags (?) values (?, ?)");
        s.set_tbname_tags("good", &[Value::Null]).unwrap();
        s.bind_row(&[ts(BASE), Value::Int(1)]).unwrap();
        s.add_batch().unwrap();
        s.set_tbname_tags("bad", &[Value::Null]).unwrap();
        s.bind_row(&[ts(BASE), Value::from("not a number")])
            .unwrap();
        s.add_batch().unwrap();
        assert_eq!(s.execute().unwrap_err().kind(), ErrorKind::Data);
        s.set_tbname_tags("good", &[Value::Null]).unwrap();
        s.bind_row(&[ts(BASE + 1), Value::Int(2)]).unwrap();
        assert_eq!(s.execute().unwrap(), 1);
        assert_eq!(
            rows(&conn, "select ts, v from js order by ts"),
            vec![vec![ts(BASE + 1), Value::Int(2)]],
            "{p:?}"
        );

        // A table name parameter that was not set.
        let mut s = stmt(&conn, p, "insert into ? using js tags (?) values (?, ?)");
        s.bind_param([ColumnView::nanos_timestamps([BASE]), ColumnView::ints([1])])
            .unwrap();
        let e = s.execute().unwrap_err();
        assert_eq!(
            (e.kind(), code(&e)),
            (ErrorKind::Statement, 0x022B),
            "{p:?} {e}"
        );

        // Tags on a normal table.
        let mut s = stmt(&conn, p, "insert into plain values (?, ?, ?)");
        s.set_tags(&[Value::Int(1)]).unwrap();
        s.bind_row(&[ts(BASE + 5), Value::Int(1), Value::Null])
            .unwrap();
        let e = s.execute().unwrap_err();
        assert_eq!(
            (e.kind(), code(&e)),
            (ErrorKind::Programming, 0x260D),
            "{p:?} {e}"
        );

        // API misuse and a closed statement.
        let e = s.add_batch().unwrap_err();
        assert_eq!((e.kind(), code(&e)), (ErrorKind::Statement, 0x022A));
        let e = s.execute().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Statement);
        s.close().unwrap();
        let e = s
            .bind_row(&[ts(BASE), Value::Int(1), Value::Null])
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Statement);
        assert!(e.message().contains("closed"), "{e}");
        let mut fresh = conn.statement_builder().protocol(p).build().unwrap();
        let e = fresh.bind_row(&[Value::Int(1)]).unwrap_err();
        assert!(e.message().contains("not prepared"), "{e}");
        // Invalid SQL is the server's error.
        let e = fresh.prepare("insert into nosuch values (?)").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Programming, "{e}");
        assert!(e.code().is_some());
    }
}

#[test]
fn protocol_follows_the_server_version() {
    let (_h, conn) = setup(ServerConfig::new());
    assert_eq!(conn.statement().unwrap().protocol(), StmtProtocol::Stmt2);
    let (_h, conn) = setup(ServerConfig::new().version("3.3.1.0"));
    let mut s = conn.statement().unwrap();
    assert_eq!(s.protocol(), StmtProtocol::Stmt1);
    s.prepare("insert into ? using st (t_int) tags (?) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .unwrap();
    s.set_tbname_tags("d9", &[Value::Int(9)]).unwrap();
    s.bind_param(every_type_columns(BASE)).unwrap();
    assert_eq!(s.execute().unwrap(), 3);
    check_every_type(&conn, "d9", BASE);
}

#[test]
fn decimals_bind_on_both_protocols() {
    for p in PROTOCOLS {
        let (_h, conn) = setup(ServerConfig::new());
        conn.execute(
            "create table dec (ts timestamp, d64 decimal(10, 2), d128 decimal(30, 4))",
            (),
        )
        .unwrap();
        let mut s = stmt(&conn, p, "insert into dec values (?, ?, ?)");
        s.bind_param([
            ColumnView::nanos_timestamps([BASE, BASE + 1]),
            ColumnView::decimals([Some(Decimal::new(12345, 10, 2)), None]),
            ColumnView::decimals([Some(Decimal::new(-5, 30, 4)), Some(Decimal::new(1, 5, 0))]),
        ])
        .unwrap();
        assert_eq!(s.execute().unwrap(), 2);
        let got = rows(&conn, "select d64, d128 from dec order by ts");
        assert_eq!(
            got[0][0],
            Value::Decimal(Decimal::new(12345, 10, 2)),
            "{p:?}"
        );
        assert_eq!(got[0][1], Value::Decimal(Decimal::new(-5, 30, 4)));
        assert_eq!(got[1][0], Value::Null);
        assert_eq!(got[1][1], Value::Decimal(Decimal::new(10000, 30, 4)));
    }
}

#[test]
fn a_reopened_socket_fails_the_statement_clearly() {
    for p in PROTOCOLS {
        let h =
            Server::start(ServerConfig::new().faults(FaultInjector::new().drop_after(4))).unwrap();
        let setup = taosync::connect(h.dsn_rest().as_str()).unwrap();
        setup.execute("create database db", ()).unwrap();
        setup
            .execute("create table db.plain (ts timestamp, v int)", ())
            .unwrap();
        // version + conn + init + prepare, then the socket drops on the bind.
        let conn = taosync::connect(format!("{}/db", h.dsn_ws()).as_str()).unwrap();
        let mut s = stmt(&conn, p, "insert into plain values (?, ?)");
        s.bind_row(&[Value::BigInt(1_700_000_000_000), Value::Int(1)])
            .unwrap();
        let e = s.execute().unwrap_err();
        assert_ne!(e.kind(), ErrorKind::Statement, "{e}");
        s.bind_row(&[Value::BigInt(1_700_000_000_000), Value::Int(1)])
            .unwrap();
        let e = s.execute().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{p:?} {e}");
        assert!(e.message().contains("prepare it again"), "{e}");
        // Preparing again works on the new socket.
        s.prepare("insert into plain values (?, ?)").unwrap();
    }
}

#[test]
fn rest_connections_do_not_support_statements() {
    let h = Server::start(ServerConfig::new()).unwrap();
    let conn = taosync::connect(h.dsn_rest().as_str()).unwrap();
    let e = conn.statement().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotSupported);
    assert!(e.message().contains("ws://"), "{e}");
    assert!(e.message().contains("executemany"), "{e}");
}
