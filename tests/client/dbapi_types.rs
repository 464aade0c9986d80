//! PEP 249 type objects against the `type_code`s a real query reports, and the constructors
//! round-tripping through the embedded server.

use taosync::dbapi::{self, BINARY, DATETIME, NUMBER, ROWID, STRING};
use taosync::{ErrorKind, Precision, Timestamp, Value, connect, params};
use taosync_server::Server;

use crate::common::unique_db;

const COLUMNS: &str = "ts timestamp, i int, d double, b bool, s varchar(16), n nchar(16), \
                       vb varbinary(16)";

#[test]
fn type_objects_match_the_description_of_a_query() {
    let server = Server::start(Default::default()).unwrap();
    let conn = connect(server.dsn_ws().as_str()).unwrap();
    let db = unique_db("t", "typeobj", "ws");
    conn.execute(&format!("create database {db}"), ()).unwrap();
    conn.select_db(&db).unwrap();
    conn.execute(&format!("create table t ({COLUMNS})"), ())
        .unwrap();
    let mut cur = conn.cursor().unwrap();
    cur.execute("select ts, i, d, b, s, n, vb from t", ())
        .unwrap();
    let desc = cur.description().unwrap();
    let codes: Vec<_> = desc.iter().map(|c| c.type_code).collect();
    assert_eq!(codes.len(), 7);
    assert_eq!(DATETIME, codes[0]);
    assert_eq!(codes[1], NUMBER);
    assert_eq!(NUMBER, codes[2]);
    assert_eq!(NUMBER, codes[3]);
    assert_eq!(STRING, codes[4]);
    assert_eq!(STRING, codes[5]);
    assert_eq!(BINARY, codes[6]);
    for (i, code) in codes.iter().enumerate() {
        assert_ne!(ROWID, *code, "column {i}");
        let families = [STRING, BINARY, NUMBER, DATETIME]
            .iter()
            .filter(|f| **f == *code)
            .count();
        assert_eq!(families, 1, "column {i}: {code:?}");
    }
    assert_ne!(STRING, codes[6]);
    assert_ne!(NUMBER, codes[0]);
    conn.execute(&format!("drop database {db}"), ()).unwrap();
}

#[test]
fn constructors_round_trip_through_the_server() {
    let server = Server::start(Default::default()).unwrap();
    let conn = connect(server.dsn_ws().as_str()).unwrap();
    let db = unique_db("t", "ctors", "ws");
    conn.execute(&format!("create database {db}"), ()).unwrap();
    conn.select_db(&db).unwrap();
    conn.execute(
        "create table t (ts timestamp, at timestamp, vb varbinary(16))",
        (),
    )
    .unwrap();

    let leap = dbapi::date(2024, 2, 29).unwrap();
    let noon = dbapi::timestamp(2024, 2, 29, 12, 30, 15).unwrap();
    let ticks = dbapi::timestamp_from_ticks(1_709_209_815.25).unwrap();
    let mut cur = conn.cursor().unwrap();
    cur.execute(
        "insert into t values (?, ?, ?)",
        params![
            leap.clone(),
            noon.clone(),
            dbapi::binary(b"\x00\x01\xff".as_slice())
        ],
    )
    .unwrap();
    cur.execute(
        "insert into t values (?, ?, ?)",
        params![
            ticks.clone(),
            dbapi::time(1, 2, 3).unwrap(),
            dbapi::binary("x")
        ],
    )
    .unwrap();

    cur.execute("select ts, at, vb from t order by ts", ())
        .unwrap();
    let rows = cur.fetchall().unwrap();
    assert_eq!(rows.len(), 2);
    let ms = |v: &Value| match v {
        Value::Timestamp(ts) => ts.to_precision(Precision::Millisecond),
        other => panic!("not a timestamp: {other:?}"),
    };
    assert_eq!(
        ms(rows[0].get_value(0).unwrap()),
        Timestamp::new(1_709_164_800_000, Precision::Millisecond)
    );
    assert_eq!(ms(rows[0].get_value(0).unwrap()), ms(&leap));
    assert_eq!(ms(rows[0].get_value(1).unwrap()), ms(&noon));
    assert_eq!(
        *rows[0].get_value(2).unwrap(),
        Value::VarBinary(vec![0, 1, 255])
    );
    assert_eq!(ms(rows[1].get_value(0).unwrap()), ms(&ticks));
    assert_eq!(
        ms(rows[1].get_value(1).unwrap()),
        Timestamp::new(3_723_000, Precision::Millisecond)
    );
    assert_eq!(
        *rows[1].get_value(2).unwrap(),
        Value::VarBinary(b"x".to_vec())
    );
    conn.execute(&format!("drop database {db}"), ()).unwrap();
}

#[test]
fn invalid_components_are_interface_errors() {
    assert_eq!(
        dbapi::date(2023, 2, 29).unwrap_err().kind(),
        ErrorKind::Interface
    );
    assert_eq!(
        dbapi::time(24, 0, 0).unwrap_err().kind(),
        ErrorKind::Interface
    );
    assert_eq!(
        dbapi::timestamp(2023, 2, 29, 0, 0, 0).unwrap_err().kind(),
        ErrorKind::Interface
    );
    assert_eq!(
        dbapi::timestamp(2024, 2, 29, 24, 0, 0).unwrap_err().kind(),
        ErrorKind::Interface
    );
    assert_eq!(
        dbapi::timestamp_from_ticks(f64::NAN).unwrap_err().kind(),
        ErrorKind::Interface
    );
}
