//! Engine tests: DDL, INSERT, SELECT, errors.

use std::sync::Arc;

use super::*;
use crate::types::Type;

fn session() -> Session {
    let mut cfg = EngineConfig::default();
    cfg.default_timezone = Tz::UTC;
    Session::new(Arc::new(Engine::new(cfg)), "root")
}

fn exec(s: &mut Session, sql: &str) -> Outcome {
    match s.execute(sql, 0) {
        Ok(o) => o,
        Err(e) => panic!("{sql}: {e}"),
    }
}

fn affected(s: &mut Session, sql: &str) -> u64 {
    match exec(s, sql) {
        Outcome::Affected(n) => n,
        Outcome::Rows(_) => panic!("{sql}: expected affected rows"),
    }
}

fn query(s: &mut Session, sql: &str) -> (Vec<Column>, Vec<Vec<Value>>) {
    match exec(s, sql) {
        Outcome::Rows(mut r) => {
            let cols = r.columns().to_vec();
            (cols, r.collect_rows().unwrap())
        }
        Outcome::Affected(_) => panic!("{sql}: expected rows"),
    }
}

fn err(s: &mut Session, sql: &str) -> EngineError {
    match s.execute(sql, 0) {
        Ok(_) => panic!("{sql}: expected an error"),
        Err(e) => e,
    }
}

fn setup() -> Session {
    let mut s = session();
    affected(&mut s, "create database test keep 36500");
    affected(&mut s, "use test");
    affected(
        &mut s,
        "create stable meters (ts timestamp, current float, voltage int, phase float) tags (groupid int, location binary(24))",
    );
    s
}

#[test]
fn core_flow() {
    let mut s = setup();
    assert_eq!(
        affected(
            &mut s,
            "insert into d0 using meters tags(1, 'sf') values('2020-01-01 00:00:00', 10.5, 220, 0.3)('2020-01-01 00:00:01', 11, 221, NULL) d1 using meters tags(2, 'la') values(1577836800000, 1, 2, 3)"
        ),
        3
    );
    let (cols, rows) = query(&mut s, "select * from d0");
    assert_eq!(cols.len(), 4);
    assert_eq!(cols[0].name, "ts");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][2], Value::Int(220));
    assert_eq!(rows[1][3], Value::Null);
    let (cols, rows) = query(&mut s, "select * from meters");
    assert_eq!(cols.len(), 6);
    assert_eq!(cols[5].name, "location");
    assert_eq!(cols[5].length, 24);
    assert_eq!(rows.len(), 3);
    let (_, rows) = query(
        &mut s,
        "select tbname, voltage from meters where voltage > 100 limit 1",
    );
    assert_eq!(
        rows,
        vec![vec![Value::VarChar("d0".into()), Value::Int(220)]]
    );
    let (cols, rows) = query(&mut s, "select server_version()");
    assert_eq!(cols[0].name, "server_version()");
    assert_eq!(rows[0][0], Value::VarChar("3.3.8.0".into()));
    let (cols, rows) = query(&mut s, "select count(*) from meters");
    assert_eq!(cols[0].name, "count(*)");
    assert_eq!(cols[0].ty, Type::BigInt);
    assert_eq!(rows[0][0], Value::BigInt(3));
}

#[test]
fn core_errors() {
    let mut s = setup();
    assert_eq!(
        err(&mut s, "select * from nope").code,
        Code::PAR_TABLE_NOT_EXIST
    );
    assert_eq!(
        err(&mut s, "select * from nodb.t").code,
        Code::MND_DB_NOT_EXIST
    );
    assert_eq!(err(&mut s, "use nodb").code, Code::MND_DB_NOT_EXIST);
    assert_eq!(err(&mut s, "selec 1").code, Code::PAR_SYNTAX_ERROR);
    assert_eq!(
        err(&mut s, "create database test").code,
        Code::MND_DB_ALREADY_EXIST
    );
    assert_eq!(
        err(&mut s, "select nocol from meters").code,
        Code::PAR_INVALID_COLUMN
    );
    let mut fresh = session();
    assert_eq!(
        err(&mut fresh, "select * from t").code,
        Code::PAR_DB_NOT_SPECIFIED
    );
}
