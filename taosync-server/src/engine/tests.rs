//! Engine tests: DDL, INSERT, SELECT, errors.

use std::sync::Arc;

use super::*;
use taosync_proto::types::{Precision, Type};

fn session() -> Session {
    let cfg = EngineConfig {
        default_timezone: Tz::UTC,
        ..EngineConfig::default()
    };
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

fn vc(s: &str) -> Value {
    Value::VarChar(s.into())
}

fn one(s: &mut Session, sql: &str) -> Value {
    let (_, rows) = query(s, sql);
    assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
    rows[0][0].clone()
}

#[test]
fn create_database_and_show() {
    let mut s = session();
    affected(
        &mut s,
        "create database if not exists d1 precision 'ns' vgroups 1 keep 36500 wal_retention_period 3600",
    );
    affected(&mut s, "create database if not exists d1");
    affected(
        &mut s,
        "CREATE DATABASE d2 KEEP 5256000m,5256000m,5256000m DURATION 14400m BUFFER 100 CACHEMODEL 'both' COMP 2 REPLICA 1 WAL_LEVEL 1 PAGES 64 MINROWS 100 SINGLE_STABLE 0 SCHEMALESS 1;",
    );
    let (cols, rows) = query(&mut s, "show databases");
    assert_eq!(
        (cols[0].name.as_str(), cols[0].ty, cols[0].length),
        ("name", Type::VarChar, 64)
    );
    let names: Vec<Value> = rows.into_iter().map(|mut r| r.remove(0)).collect();
    assert_eq!(
        names,
        vec![
            vc("information_schema"),
            vc("performance_schema"),
            vc("d1"),
            vc("d2")
        ]
    );
    let (cols, rows) = query(
        &mut s,
        "select name, precision, vgroups, keep, duration from information_schema.ins_databases where name = 'd1'",
    );
    assert_eq!(cols[1].name, "precision");
    assert_eq!(
        rows,
        vec![vec![
            vc("d1"),
            vc("ns"),
            Value::Int(1),
            vc("36500d,36500d,36500d"),
            vc("10d")
        ]]
    );
    assert_eq!(
        one(
            &mut s,
            "select keep from information_schema.ins_databases where name = 'd2'"
        ),
        vc("3650d,3650d,3650d")
    );
    assert_eq!(
        one(
            &mut s,
            "select duration from information_schema.ins_databases where name = 'd2'"
        ),
        vc("10d")
    );
    assert_eq!(
        err(&mut s, "create database d3 precision 'xs'").code,
        Code::PAR_INVALID_DB_OPTION
    );
    assert_eq!(
        err(&mut s, "create database d3 bogus 1").code,
        Code::PAR_SYNTAX_ERROR
    );
    assert_eq!(
        err(&mut s, "create database d3 update 2").code,
        Code::PAR_SYNTAX_ERROR
    );
    assert_eq!(affected(&mut s, "drop database d2"), 0);
    assert_eq!(affected(&mut s, "drop database if exists d2"), 0);
    assert_eq!(err(&mut s, "drop database d2").code, Code::MND_DB_NOT_EXIST);
    affected(&mut s, "use d1");
    assert_eq!(one(&mut s, "select database()"), vc("d1"));
    affected(&mut s, "drop database d1");
    assert_eq!(s.current_db(), None);
    assert_eq!(one(&mut s, "select database()"), Value::Null);
    assert_eq!(one(&mut s, "SELECT DATABASE()"), Value::Null);
}

#[test]
fn ddl_errors() {
    let mut s = setup();
    assert_eq!(
        err(
            &mut s,
            "create stable meters (ts timestamp, v int) tags (t int)"
        )
        .code,
        Code::MND_STB_ALREADY_EXIST
    );
    affected(
        &mut s,
        "create stable if not exists meters (ts timestamp, v int) tags (t int)",
    );
    assert_eq!(
        err(
            &mut s,
            "create table st2 (v int, ts timestamp) tags (t int)"
        )
        .code,
        Code::PAR_INVALID_FIRST_COLUMN
    );
    assert_eq!(
        err(
            &mut s,
            "create table st2 (ts timestamp, v int, V int) tags (t int)"
        )
        .code,
        Code::PAR_DUPLICATED_COLUMN
    );
    assert_eq!(
        err(
            &mut s,
            "create table st2 (ts timestamp, v int) tags (v int)"
        )
        .code,
        Code::PAR_DUPLICATED_COLUMN
    );
    assert_eq!(
        err(
            &mut s,
            "create table st2 (ts timestamp, v json) tags (t int)"
        )
        .code,
        Code::PAR_INVALID_COL_JSON
    );
    assert_eq!(
        err(
            &mut s,
            "create table st2 (ts timestamp, v int) tags (j json, t int)"
        )
        .code,
        Code::PAR_ONLY_ONE_JSON_TAG
    );
    assert_eq!(
        err(
            &mut s,
            "create table st2 (ts timestamp, v binary(0)) tags (t int)"
        )
        .code,
        Code::PAR_INVALID_VAR_COLUMN_LEN
    );
    assert_eq!(
        err(
            &mut s,
            "create table st2 (ts timestamp, v binary(65500), w binary(100)) tags (t int)"
        )
        .code,
        Code::PAR_INVALID_ROW_LENGTH
    );
    assert_eq!(
        err(&mut s, "create table `a.b` (ts timestamp, v int)").message,
        "The table name cannot contain '.'"
    );
    affected(&mut s, "create table nt (ts timestamp, v int)");
    assert_eq!(
        err(&mut s, "create table nt (ts timestamp, v int)").code,
        Code::TDB_TABLE_ALREADY_EXIST
    );
    affected(
        &mut s,
        "create table if not exists nt (ts timestamp, x double)",
    );
    assert_eq!(
        err(&mut s, "create table c1 using nt tags (1)").code,
        Code::TSC_INVALID_OPERATION
    );
    assert_eq!(
        err(&mut s, "create table c1 using nost tags (1)").code,
        Code::PAR_TABLE_NOT_EXIST
    );
    assert_eq!(
        err(&mut s, "create table c1 using meters tags (1)").code,
        Code::PAR_TAGS_NOT_MATCHED
    );
    assert_eq!(
        err(&mut s, "create table c1 using meters (nope) tags (1)").code,
        Code::PAR_INVALID_TAG_NAME
    );
    affected(
        &mut s,
        "create table c1 using meters (groupid) tags (1) c2 using meters tags (2, 'x')",
    );
    assert_eq!(
        err(&mut s, "create table c1 using meters tags (1, 'a')").code,
        Code::TDB_TABLE_ALREADY_EXIST
    );
    affected(
        &mut s,
        "create table if not exists c1 using meters tags (9, 'zz')",
    );
    assert_eq!(
        one(
            &mut s,
            "select tag_value from information_schema.ins_tags where table_name = 'c1' and tag_name = 'location'"
        ),
        Value::Null
    );
    let (_, rows) = query(&mut s, "show tags from c1");
    assert_eq!(
        rows[0],
        vec![
            vc("c1"),
            vc("test"),
            vc("meters"),
            vc("groupid"),
            vc("INT"),
            vc("1")
        ]
    );
    assert_eq!(rows[1][4], vc("VARCHAR(24)"));
    assert_eq!(rows[1][5], Value::Null);
    let e = err(
        &mut s,
        "create table c3 using meters tags (1, '涛思数据-涛思数据-涛思数据-涛思数据-')",
    );
    assert_eq!(e.code, Code::PAR_VALUE_TOO_LONG);
    assert_eq!(e.message, "Value too long for column/tag: location");
    let mut none = session();
    assert_eq!(
        err(&mut none, "create table t (ts timestamp, v int)").code,
        Code::PAR_DB_NOT_SPECIFIED
    );
    assert_eq!(
        err(&mut none, "show tables").code,
        Code::PAR_DB_NOT_SPECIFIED
    );
    assert_eq!(
        err(&mut none, "show nodb.stables").code,
        Code::MND_DB_NOT_EXIST
    );
    assert_eq!(err(&mut none, "show x").code, Code::PAR_INCOMPLETE_SQL);
    assert_eq!(err(&mut none, "show x").message, "Incomplete SQL statement");
}

#[test]
fn show_tables_and_describe() {
    let mut s = setup();
    affected(&mut s, "create table d0 using meters tags (1, 'a')");
    affected(
        &mut s,
        "create table ntb (ts timestamp, c1 nchar(20), c2 varbinary(10), c3 decimal(10, 2))",
    );
    let (cols, rows) = query(&mut s, "show tables");
    assert_eq!((cols[0].name.as_str(), cols[0].length), ("table_name", 192));
    assert_eq!(rows, vec![vec![vc("d0")], vec![vc("ntb")]]);
    assert_eq!(query(&mut s, "show normal tables").1, vec![vec![vc("ntb")]]);
    assert_eq!(query(&mut s, "show child tables").1, vec![vec![vc("d0")]]);
    assert_eq!(
        query(&mut s, "show test.tables like 'n%'").1,
        vec![vec![vc("ntb")]]
    );
    let (cols, rows) = query(&mut s, "show `test`.stables");
    assert_eq!(cols[0].name, "stable_name");
    assert_eq!(rows, vec![vec![vc("meters")]]);
    let (cols, rows) = query(&mut s, "describe meters");
    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "field", "type", "length", "note", "encode", "compress", "level"
        ]
    );
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[0],
        vec![
            vc("ts"),
            vc("TIMESTAMP"),
            Value::Int(8),
            vc(""),
            vc("delta-i"),
            vc("lz4"),
            vc("medium")
        ]
    );
    assert_eq!(
        rows[5],
        vec![
            vc("location"),
            vc("VARCHAR"),
            Value::Int(24),
            vc("TAG"),
            vc("disabled"),
            vc("disabled"),
            vc("disabled")
        ]
    );
    let (_, rows) = query(&mut s, "desc test.ntb");
    assert_eq!(rows[1][1..3], [vc("NCHAR"), Value::Int(20)]);
    assert_eq!(rows[3][1..3], [vc("DECIMAL(10, 2)"), Value::Int(8)]);
    assert_eq!(query(&mut s, "describe d0").1.len(), 6);
    assert_eq!(
        err(&mut s, "describe test.noexits").code,
        Code::PAR_TABLE_NOT_EXIST
    );
    assert_eq!(
        err(&mut s, "describe information_schema._tb1").code,
        Code::PAR_TABLE_NOT_EXIST
    );
    let (_, rows) = query(
        &mut s,
        "select table_name, stable_name, type from information_schema.ins_tables where db_name = 'test' order by table_name",
    );
    assert_eq!(
        rows,
        vec![
            vec![vc("d0"), vc("meters"), vc("CHILD_TABLE")],
            vec![vc("ntb"), Value::Null, vc("NORMAL_TABLE")]
        ]
    );
    let (cols, _) = query(&mut s, "select * from information_schema.ins_stables");
    assert_eq!(cols[0].name, "stable_name");
    let (cols, rows) = query(
        &mut s,
        "select * from information_schema.ins_columns where table_name = 'ntb'",
    );
    assert_eq!(cols.len(), 9);
    assert_eq!(rows[1][4], vc("NCHAR(20)"));
    let (_, rows) = query(
        &mut s,
        "SELECT * FROM information_schema.INS_INDEXES WHERE db_name = 'test' AND table_name = 'ntb'",
    );
    assert!(rows.is_empty());
    let (cols, rows) = query(&mut s, "show create table ntb");
    assert_eq!(cols[1].name, "Create Table");
    assert!(
        rows[0][1]
            .as_str()
            .unwrap()
            .starts_with("CREATE TABLE `ntb`")
    );
    assert_eq!(query(&mut s, "show vgroups").1.len(), 2);
    assert!(query(&mut s, "show topics").1.is_empty());
    assert_eq!(query(&mut s, "show dnodes").1.len(), 1);
    assert!(
        query(&mut s, "show connections")
            .0
            .last()
            .is_some_and(|c| c.name == "connector_info")
    );
}

#[test]
fn drop_and_alter() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'a') values (1600000000000, 1.5, 1, 2)",
    );
    affected(
        &mut s,
        "insert into d1 using meters tags (2, 'b') values (1600000000000, 2.5, 2, 3)",
    );
    affected(&mut s, "alter stable meters add column c5 nchar(8)");
    affected(
        &mut s,
        "insert into d0 values (1600000000001, 1, 1, 1, '中文')",
    );
    let (cols, rows) = query(&mut s, "select * from d0");
    assert_eq!(cols.len(), 5);
    assert_eq!(rows[0][4], Value::Null);
    assert_eq!(rows[1][4], Value::NChar("中文".into()));
    assert_eq!(
        err(&mut s, "alter table meters add column c5 int").code,
        Code::MND_COLUMN_ALREADY_EXIST
    );
    affected(&mut s, "alter table meters drop column phase");
    assert_eq!(query(&mut s, "select * from d0").0.len(), 4);
    assert_eq!(
        err(&mut s, "alter table meters drop column ts").code,
        Code::PAR_CANNOT_DROP_PRIMARY_KEY
    );
    assert_eq!(
        err(&mut s, "alter table meters drop column nope").code,
        Code::MND_COLUMN_NOT_EXIST
    );
    affected(&mut s, "alter stable meters modify column c5 nchar(16)");
    assert_eq!(
        err(&mut s, "alter stable meters modify column c5 nchar(4)").code,
        Code::PAR_INVALID_MODIFY_COL
    );
    assert_eq!(
        err(&mut s, "alter stable meters modify column voltage bigint").code,
        Code::PAR_INVALID_MODIFY_COL
    );
    affected(&mut s, "alter table `meters` add tag new1 bool");
    assert_eq!(one(&mut s, "select new1 from d0 limit 1"), Value::Null);
    affected(&mut s, "alter table d0 set tag new1 = true, groupid = 7");
    assert_eq!(
        query(&mut s, "select groupid, new1 from d0").1[0],
        vec![Value::Int(7), Value::Bool(true)]
    );
    assert_eq!(
        err(&mut s, "alter table d0 set tag nope = 1").code,
        Code::PAR_INVALID_TAG_NAME
    );
    affected(&mut s, "alter stable meters rename tag new1 flag");
    affected(&mut s, "alter stable meters drop tag location");
    assert_eq!(
        query(&mut s, "select * from meters")
            .0
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>(),
        ["ts", "current", "voltage", "c5", "groupid", "flag"]
    );
    assert_eq!(
        query(&mut s, "select flag from d0").1[0][0],
        Value::Bool(true)
    );
    assert_eq!(
        err(&mut s, "alter stable meters drop tag nope").code,
        Code::MND_TAG_NOT_EXIST
    );
    affected(&mut s, "create table nt (ts timestamp, a int)");
    affected(&mut s, "alter table nt add column b binary(10)");
    affected(&mut s, "alter table nt rename column b c");
    assert_eq!(
        err(&mut s, "alter table nt add tag t int").code,
        Code::PAR_INVALID_ALTER_TABLE
    );
    assert_eq!(
        err(&mut s, "alter table nt set tag t = 1").code,
        Code::PAR_INVALID_ALTER_TABLE
    );
    assert_eq!(
        err(&mut s, "drop table d0, meters").code,
        Code::PAR_INVALID_DROP_STABLE
    );
    affected(&mut s, "drop table d0");
    assert_eq!(err(&mut s, "drop table d0").code, Code::PAR_TABLE_NOT_EXIST);
    affected(&mut s, "drop table if exists d0, nt");
    affected(&mut s, "drop stable if exists nothing");
    affected(&mut s, "drop table `meters`");
    assert_eq!(
        err(&mut s, "select * from d1").code,
        Code::PAR_TABLE_NOT_EXIST
    );
    assert!(query(&mut s, "show tables").1.is_empty());
}

#[test]
fn insert_value_rules() {
    let mut s = setup();
    affected(
        &mut s,
        "create table t (ts timestamp, b bool, ti tinyint, si smallint, i int, bi bigint, uti tinyint unsigned, usi smallint unsigned, ui int unsigned, ubi bigint unsigned, f float, d double, vc varchar(10), nc nchar(4), vb varbinary(8), g geometry(64), dec decimal(10, 2))",
    );
    affected(
        &mut s,
        "insert into t values ('2021-01-01 00:00:00', true, -128, 32767, '42', 9223372036854775807, 255, 65535, 4294967295, 18446744073709551615, 3.5, -1e300, 'abc', '涛思数据', '\\x0aFF', 'POINT (4.0 8.0)', '99.9876')",
    );
    let (cols, rows) = query(&mut s, "select * from t");
    assert_eq!(cols[16].type_name(), "DECIMAL(10,2)");
    let r = &rows[0];
    assert_eq!(r[1], Value::Bool(true));
    assert_eq!(r[2], Value::TinyInt(-128));
    assert_eq!(r[4], Value::Int(42));
    assert_eq!(r[9], Value::UBigInt(u64::MAX));
    assert_eq!(r[10], Value::Float(3.5));
    assert_eq!(r[13], Value::NChar("涛思数据".into()));
    assert_eq!(r[14], Value::VarBinary(vec![0x0a, 0xff]));
    assert_eq!(r[15].as_bytes().map(<[u8]>::len), Some(21));
    assert_eq!(r[16].to_string(), "99.99");
    let bad = |s: &mut Session, col: &str, v: &str| {
        err(s, &format!("insert into t (ts, {col}) values (now, {v})"))
    };
    let e = bad(&mut s, "ti", "128");
    assert_eq!(e.code, Code::TSC_SQL_SYNTAX_ERROR);
    assert!(e.message.contains("tinyint data overflow"), "{}", e.message);
    assert!(
        bad(&mut s, "uti", "-1")
            .message
            .contains("invalid unsigned tinyint data")
    );
    assert!(
        bad(&mut s, "i", "'abc'")
            .message
            .contains("invalid int data")
    );
    assert!(
        bad(&mut s, "i", "''")
            .message
            .contains("invalid numeric data")
    );
    assert!(
        bad(&mut s, "b", "'maybe'")
            .message
            .contains("invalid bool data")
    );
    assert!(
        bad(&mut s, "f", "1e40")
            .message
            .contains("illegal float data")
    );
    assert_eq!(
        bad(&mut s, "vc", "'12345678901'").code,
        Code::PAR_VALUE_TOO_LONG
    );
    assert_eq!(
        bad(&mut s, "nc", "'涛思数据x'").code,
        Code::PAR_VALUE_TOO_LONG
    );
    assert_eq!(
        bad(&mut s, "vb", "'123456789'").code,
        Code::PAR_VALUE_TOO_LONG
    );
    assert_eq!(bad(&mut s, "dec", "123456789").code, Code::DECIMAL_OVERFLOW);
    assert_eq!(bad(&mut s, "nope", "1").code, Code::PAR_INVALID_COLUMN);
    assert!(
        err(
            &mut s,
            "insert into t (ts, i) values ('2021-13-01 00:00:00', 1)"
        )
        .message
        .contains("invalid timestamp")
    );
    assert_eq!(
        err(&mut s, "insert into t (ts, i) values (now, 1, 2)").code,
        Code::PAR_INVALID_COLUMNS_NUM
    );
    assert_eq!(
        err(&mut s, "insert into t values (now, 1)").code,
        Code::PAR_INVALID_COLUMNS_NUM
    );
    assert_eq!(
        err(&mut s, "insert into t (i) values (1)").code,
        Code::TSC_INVALID_OPERATION
    );
    assert!(
        err(&mut s, "insert into t (ts, i) values (null, 1)")
            .message
            .contains("primary timestamp should not be null")
    );
    assert!(
        err(&mut s, "insert into t (ts, i, i) values (now, 1, 1)")
            .message
            .contains("duplicated column name")
    );
    assert!(
        err(&mut s, "insert into t (ts, i) values (?, 1)")
            .message
            .contains("? only used in stmt")
    );
    assert_eq!(
        err(&mut s, "insert into nope values (now, 1)").code,
        Code::PAR_TABLE_NOT_EXIST
    );
    assert_eq!(
        err(&mut s, "insert into nodb.t values (now, 1)").code,
        Code::MND_DB_NOT_EXIST
    );
    assert_eq!(
        err(
            &mut s,
            "insert into t (ts, i) values ('1900-01-01 00:00:00', 1)"
        )
        .code,
        Code::TDB_TIMESTAMP_OUT_OF_RANGE
    );
    // Nothing from the failed statements was written.
    assert_eq!(one(&mut s, "select count(*) from t"), Value::BigInt(1));
    // NULL spellings, quoted numbers, bare numbers into strings.
    affected(
        &mut s,
        "insert into t (ts, i, vc, vb, b, nc) values ('2021-01-01 00:00:01', 'null', 12345, '0x7661', 'TRUE', 'null')",
    );
    let (_, rows) = query(
        &mut s,
        "select i, vc, vb, b, nc from t where ts = '2021-01-01 00:00:01'",
    );
    assert_eq!(
        rows[0],
        vec![
            Value::Null,
            vc("12345"),
            Value::VarBinary(b"0x7661".to_vec()),
            Value::Bool(true),
            Value::NChar("null".into())
        ]
    );
}

#[test]
fn timestamps_precision_and_zones() {
    let mut s = session();
    affected(&mut s, "create database ns precision 'ns'");
    affected(&mut s, "create table ns.t (ts timestamp, v int)");
    affected(
        &mut s,
        "insert into ns.t values (1626006833639000000, 1) ('2021-07-11 12:33:53.639000001+00:00', 2)",
    );
    let (_, rows) = query(&mut s, "select ts from ns.t");
    assert_eq!(
        rows[0][0],
        Value::Timestamp(taosync_proto::Timestamp::new(
            1_626_006_833_639_000_000,
            Precision::Nanosecond
        ))
    );
    assert_eq!(
        rows[1][0].as_timestamp().unwrap().value(),
        1_626_006_833_639_000_001
    );
    let ny: Tz = "America/New_York".parse().unwrap();
    s.set_timezone(ny);
    affected(&mut s, "create database tz");
    affected(&mut s, "create table tz.t (ts timestamp, v int)");
    affected(&mut s, "insert into tz.t values ('2025-01-01 12:00:00', 1)");
    let ts = query(&mut s, "select ts from tz.t").1[0][0]
        .as_timestamp()
        .unwrap();
    assert_eq!(ts.to_rfc3339(), "2025-01-01T17:00:00.000Z");
    assert_eq!(
        one(
            &mut s,
            "select v from tz.t where ts = '2025-01-01 12:00:00'"
        ),
        Value::Int(1)
    );
    assert_eq!(
        one(
            &mut s,
            "select count(*) from tz.t where ts >= '2025-01-01 17:00:00Z'"
        ),
        Value::BigInt(1)
    );
    // now, now ± durations, all NOWs in a statement equal.
    affected(&mut s, "create table tz.n (ts timestamp, v int)");
    assert_eq!(
        affected(&mut s, "insert into tz.n values (now, 1)(now, 2)"),
        1
    );
    assert_eq!(
        query(&mut s, "select v from tz.n").1,
        vec![vec![Value::Int(2)]]
    );
    affected(
        &mut s,
        "insert into tz.n values (now - 10s, 3) (now + 1a, 4) (NOW() - 1h, 5)",
    );
    assert_eq!(
        one(&mut s, "select count(*) from tz.n where ts > now - 2h"),
        Value::BigInt(4)
    );
    affected(&mut s, "create table tz.d (ts timestamp, v int)");
    affected(
        &mut s,
        "insert into tz.d values (today(), 1) (today + 1s, 2)",
    );
    assert_eq!(
        one(
            &mut s,
            "select count(*) from tz.d where ts <= now() and ts > now - 1d"
        ),
        Value::BigInt(2)
    );
    assert_eq!(
        one(&mut s, "select count(*) from tz.n where ts > now - 5s"),
        Value::BigInt(2)
    );
    let (cols, rows) = query(&mut s, "select timezone()");
    assert_eq!(cols[0].name, "timezone()");
    assert!(
        rows[0][0]
            .as_str()
            .unwrap()
            .starts_with("America/New_York (")
    );
}

#[test]
fn duplicates_and_ordering() {
    let mut s = setup();
    affected(&mut s, "create table t (ts timestamp, v int)");
    assert_eq!(
        affected(
            &mut s,
            "insert into t values (1600000000003, 3) (1600000000001, 1) (1600000000002, 2)"
        ),
        3
    );
    assert_eq!(
        affected(&mut s, "insert into t values (1600000000002, 20)"),
        1
    );
    let (_, rows) = query(&mut s, "select v from t");
    assert_eq!(
        rows,
        vec![
            vec![Value::Int(1)],
            vec![Value::Int(20)],
            vec![Value::Int(3)]
        ]
    );
    let (_, rows) = query(&mut s, "select v from t order by ts desc limit 2");
    assert_eq!(rows, vec![vec![Value::Int(3)], vec![Value::Int(20)]]);
    let (_, rows) = query(&mut s, "select v from t order by v desc limit 1 offset 1");
    assert_eq!(rows, vec![vec![Value::Int(3)]]);
    let (_, rows) = query(&mut s, "select v from t order by 1 limit 1, 1");
    assert_eq!(rows, vec![vec![Value::Int(3)]]);
    let (_, rows) = query(&mut s, "select v as x from t order by x desc");
    assert_eq!(rows[0], vec![Value::Int(20)]);
    assert_eq!(
        err(&mut s, "select v from t limit 1 offset -1").code,
        Code::PAR_OFFSET_LESS_ZERO
    );
}

#[test]
fn where_clauses() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'sf') values (1600000000000, 1.0, 100, NULL) (1600000000001, 2.0, 200, 0.5) d1 using meters tags (2, 'la') values (1600000000000, 3.0, 300, 1.5)",
    );
    let count = |s: &mut Session, w: &str| match one(
        s,
        &format!("select count(*) from meters where {w}"),
    ) {
        Value::BigInt(n) => n,
        v => panic!("{v:?}"),
    };
    assert_eq!(count(&mut s, "voltage between 100 and 200"), 2);
    assert_eq!(count(&mut s, "voltage not between 100 and 200"), 1);
    assert_eq!(count(&mut s, "voltage in (100, 300)"), 2);
    assert_eq!(count(&mut s, "voltage not in (100, 300)"), 1);
    assert_eq!(count(&mut s, "phase is null"), 1);
    assert_eq!(count(&mut s, "phase is not null"), 2);
    assert_eq!(count(&mut s, "location like 's%'"), 2);
    assert_eq!(count(&mut s, "location not like 's%'"), 1);
    assert_eq!(count(&mut s, "tbname = 'd1'"), 1);
    assert_eq!(
        count(&mut s, "groupid = 1 and (voltage > 150 or current < 1.5)"),
        2
    );
    assert_eq!(count(&mut s, "not (groupid = 1)"), 1);
    assert_eq!(count(&mut s, "phase > 0"), 2);
    assert_eq!(count(&mut s, "ts >= 1600000000001"), 1);
    assert_eq!(count(&mut s, "ts < '2020-09-13 12:26:40.001'"), 2);
    assert_eq!(count(&mut s, "voltage * 2 + 1 > 401"), 1);
    let (cols, rows) = query(
        &mut s,
        "select voltage / 4, voltage + 1, current * 2 from d0 where ts = 1600000000000",
    );
    assert_eq!(cols[0].name, "voltage / 4");
    assert_eq!(cols[0].ty, Type::Double);
    assert_eq!(cols[1].ty, Type::BigInt);
    assert_eq!(
        rows[0],
        vec![Value::Double(25.0), Value::BigInt(101), Value::Double(2.0)]
    );
    assert_eq!(
        err(&mut s, "select * from meters where nocol = 1").code,
        Code::PAR_INVALID_COLUMN
    );
}

#[test]
fn aggregates_and_groups() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'sf') values (1600000000000, 1.0, 100, NULL) (1600000001000, 2.0, 200, 0.5) d1 using meters tags (2, 'la') values (1600000000000, 3.0, 300, 1.5)",
    );
    let (cols, rows) = query(
        &mut s,
        "select count(*), count(phase), sum(voltage), avg(voltage), min(current), max(voltage), spread(voltage), first(phase), last(phase), last_row(phase) from meters",
    );
    let types: Vec<Type> = cols.iter().map(|c| c.ty).collect();
    assert_eq!(
        types,
        [
            Type::BigInt,
            Type::BigInt,
            Type::BigInt,
            Type::Double,
            Type::Float,
            Type::Int,
            Type::Double,
            Type::Float,
            Type::Float,
            Type::Float
        ]
    );
    assert_eq!(
        rows[0][..7],
        [
            Value::BigInt(3),
            Value::BigInt(2),
            Value::BigInt(600),
            Value::Double(200.0),
            Value::Float(1.0),
            Value::Int(300),
            Value::Double(200.0)
        ]
    );
    let (_, rows) = query(
        &mut s,
        "select tbname, count(*) c from meters group by tbname order by tbname",
    );
    assert_eq!(
        rows,
        vec![
            vec![vc("d0"), Value::BigInt(2)],
            vec![vc("d1"), Value::BigInt(1)]
        ]
    );
    let (_, rows) = query(
        &mut s,
        "select location, sum(voltage) from meters partition by location order by 2 desc",
    );
    assert_eq!(rows[0], vec![vc("sf"), Value::BigInt(300)]);
    let (_, rows) = query(
        &mut s,
        "select groupid, count(*) from meters group by groupid having count(*) > 1",
    );
    assert_eq!(rows, vec![vec![Value::Int(1), Value::BigInt(2)]]);
    let (_, rows) = query(
        &mut s,
        "select count(*), avg(voltage) from meters where voltage > 1000",
    );
    assert_eq!(rows, vec![vec![Value::BigInt(0), Value::Null]]);
    assert_eq!(
        err(&mut s, "select voltage, count(*) from meters").code,
        Code::PAR_NOT_SINGLE_GROUP
    );
    let (_, rows) = query(&mut s, "select last(ts), voltage from d0");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        err(&mut s, "select sum(location) from meters").code,
        Code::FUNC_FUNTION_PARA_TYPE
    );
    let (cols, _) = query(&mut s, "select stddev(voltage) from meters");
    assert_eq!(cols[0].ty, Type::Double);
}

#[test]
fn interval_windows() {
    let mut s = setup();
    affected(&mut s, "create table t (ts timestamp, v int)");
    affected(
        &mut s,
        "insert into t values (1600000000000, 1) (1600000005000, 2) (1600000012000, 3) (1600000031000, 4)",
    );
    let (cols, rows) = query(
        &mut s,
        "select _wstart, _wend, _wduration, count(*), sum(v) from t interval(10s)",
    );
    assert_eq!(cols[0].name, "_wstart");
    assert_eq!(cols[2].ty, Type::BigInt);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0][0].as_timestamp().unwrap().value(),
        1_600_000_000_000
    );
    assert_eq!(
        rows[0][1].as_timestamp().unwrap().value(),
        1_600_000_010_000
    );
    assert_eq!(rows[0][2], Value::BigInt(10_000));
    assert_eq!(rows[0][3..], [Value::BigInt(2), Value::BigInt(3)]);
    assert_eq!(rows[2][3..], [Value::BigInt(1), Value::BigInt(4)]);
    let (_, rows) = query(
        &mut s,
        "select _wstart, count(*) from t where ts >= 1600000000000 and ts < 1600000040000 interval(10s) fill(null)",
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2][1], Value::Null);
    let (_, rows) = query(
        &mut s,
        "select _wstart, sum(v) from t where ts >= 1600000000000 and ts < 1600000040000 interval(10s) fill(prev)",
    );
    assert_eq!(rows[2][1], Value::BigInt(3));
    let (_, rows) = query(
        &mut s,
        "select _wstart, sum(v) from t where ts >= 1600000000000 and ts < 1600000040000 interval(10s) fill(value, 0)",
    );
    assert_eq!(rows[2][1], Value::BigInt(0));
    let (_, rows) = query(&mut s, "select count(*) from t interval(10s) sliding(5s)");
    assert_eq!(rows.len(), 6);
    assert_eq!(
        err(&mut s, "select count(*) from t interval(10s) fill(null)").code,
        Code::PAR_INVALID_FILL_TIME_RANGE
    );
    assert_eq!(
        err(&mut s, "select count(*) from t interval(1a)").code,
        Code::PAR_INTER_VALUE_TOO_SMALL
    );
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'a') values (1600000000000, 1, 1, 1) d1 using meters tags (2, 'b') values (1600000000000, 2, 2, 2)",
    );
    let (_, rows) = query(
        &mut s,
        "select tbname, _wstart, max(voltage) from meters partition by tbname interval(1m)",
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], vc("d1"));
}

#[test]
fn functions_without_from() {
    let mut s = session();
    let (cols, rows) = query(
        &mut s,
        "select 1+1, 'abc', 2.5, true, now(), server_status(), client_version()",
    );
    assert_eq!(cols[0].name, "1+1");
    assert_eq!(cols[0].ty, Type::BigInt);
    assert_eq!(cols[1].ty, Type::VarChar);
    assert_eq!(cols[1].length, 3);
    assert_eq!(cols[4].ty, Type::Timestamp);
    assert_eq!(
        rows[0][..4],
        [
            Value::BigInt(2),
            vc("abc"),
            Value::Double(2.5),
            Value::Bool(true)
        ]
    );
    assert_eq!(rows[0][5], Value::Int(1));
    assert_eq!(
        one(&mut s, "select to_iso8601(0) as ts"),
        vc("1970-01-01T00:00:00.000+00:00")
    );
    assert_eq!(one(&mut s, "select abs(-3)"), Value::BigInt(3));
    assert_eq!(one(&mut s, "select concat('a', 'b', 'c')"), vc("abc"));
    assert_eq!(one(&mut s, "select upper('abc')"), vc("ABC"));
    assert_eq!(one(&mut s, "select length('abc')"), Value::BigInt(3));
    assert_eq!(one(&mut s, "select round(2.567, 1)"), Value::Double(2.6));
    assert_eq!(one(&mut s, "select cast(12 as varchar(8))"), vc("12"));
    assert_eq!(one(&mut s, "select cast('7' as int)"), Value::Int(7));
    assert_eq!(
        one(&mut s, "select timetruncate(1601, 1000)")
            .as_timestamp()
            .map(|t| t.value()),
        Some(1000)
    );
    let (cols, _) = query(&mut s, "select SERVER_VERSION()");
    assert_eq!(cols[0].name, "SERVER_VERSION()");
    assert_eq!(err(&mut s, "select nofn()").code, Code::PAR_SYNTAX_ERROR);
    assert_eq!(err(&mut s, "select count(*)").code, Code::PAR_SYNTAX_ERROR);
}

#[test]
fn json_tags_and_selects() {
    let mut s = setup();
    affected(
        &mut s,
        "create stable js (ts timestamp, v int) tags (info json)",
    );
    affected(
        &mut s,
        "insert into j1 using js tags ('{\"k1\":\"v1\",\"n\":2}') values (1600000000000, 1) j2 using js tags (NULL) values (1600000000000, 2)",
    );
    let (cols, rows) = query(&mut s, "select info->'k1', v from js order by v");
    assert_eq!(
        (cols[0].name.as_str(), cols[0].ty, cols[0].length),
        ("info->'k1'", Type::Json, 4095)
    );
    assert_eq!(rows[0][0], Value::Json("\"v1\"".into()));
    assert_eq!(rows[1][0], Value::Null);
    assert_eq!(
        one(&mut s, "select count(*) from js where info contains 'n'"),
        Value::BigInt(1)
    );
    assert_eq!(
        one(&mut s, "select count(*) from js where info is null"),
        Value::BigInt(1)
    );
    let (cols, rows) = query(&mut s, "select * from js where v = 1");
    assert_eq!(cols[2].ty, Type::Json);
    assert_eq!(rows[0][2], Value::Json("{\"k1\":\"v1\",\"n\":2}".into()));
    assert!(
        err(&mut s, "create table j3 using js tags ('[1]')")
            .message
            .contains("json")
    );
    assert_eq!(
        err(&mut s, "select * from js where info in ('a')").code,
        Code::PAR_SYNTAX_ERROR
    );
}

#[test]
fn stable_insert_syntax_and_multi_table() {
    let mut s = setup();
    assert_eq!(
        affected(
            &mut s,
            "insert into meters (tbname, ts, current, groupid) values ('c9', 1600000000000, 1.5, 9) ('c9', 1600000000001, 2.5, 9)"
        ),
        2
    );
    assert_eq!(one(&mut s, "select groupid from c9 limit 1"), Value::Int(9));
    assert_eq!(
        err(
            &mut s,
            "insert into meters (ts, current) values (1600000000000, 1)"
        )
        .code,
        Code::TSC_INVALID_OPERATION
    );
    assert_eq!(
        affected(
            &mut s,
            "insert into c9 values (1600000000002, 1, 1, 1) c9 values (1600000000003, 1, 1, 1), (1600000000004, 1, 1, 1)"
        ),
        3
    );
    assert_eq!(
        affected(
            &mut s,
            "insert into c10 using meters (location) tags ('x') (ts, voltage) values (1600000000000, 5)"
        ),
        1
    );
    assert_eq!(
        query(&mut s, "select groupid, location, voltage from c10").1[0],
        vec![Value::Null, vc("x"), Value::Int(5)]
    );
    assert_eq!(
        affected(
            &mut s,
            "insert into test.c10 (ts, voltage) using meters tags (1, 'y') values (1600000000001, 6)"
        ),
        1
    );
    assert_eq!(query(&mut s, "select location from c10").1[0][0], vc("x"));
}

#[test]
fn delete_rows() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'a') values (1600000000000, 1, 1, 1) (1600000000001, 1, 1, 1) d1 using meters tags (2, 'b') values (1600000000000, 1, 1, 1)",
    );
    assert_eq!(
        affected(&mut s, "delete from d0 where ts = 1600000000000"),
        1
    );
    assert_eq!(
        affected(&mut s, "delete from meters where ts <= 1600000000000"),
        1
    );
    assert_eq!(
        err(&mut s, "delete from meters where voltage = 1").code,
        Code::PAR_INVALID_DELETE_WHERE
    );
    assert_eq!(affected(&mut s, "delete from meters"), 1);
    assert_eq!(one(&mut s, "select count(*) from meters"), Value::BigInt(0));
}

#[test]
fn topics_and_users() {
    let mut s = setup();
    affected(&mut s, "create topic t1 as database test");
    affected(&mut s, "create topic if not exists t1 as database test");
    assert_eq!(
        err(&mut s, "create topic t1 as database test").code,
        Code::MND_TOPIC_ALREADY_EXIST
    );
    affected(&mut s, "create topic t2 with meta as database test");
    affected(&mut s, "create topic t3 as select ts, current from meters");
    assert_eq!(
        err(&mut s, "create topic t4 as select count(*) from meters").code,
        Code::PAR_INVALID_TOPIC_QUERY
    );
    let (cols, rows) = query(
        &mut s,
        "select topic_name, db_name, create_time, sql from information_schema.ins_topics",
    );
    assert_eq!(cols[3].name, "sql");
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[2][3],
        vc("create topic t3 as select ts, current from meters")
    );
    assert_eq!(
        err(&mut s, "drop database test").code,
        Code::MND_TOPIC_MUST_BE_DELETED
    );
    for t in ["t1", "t2", "t3"] {
        affected(&mut s, &format!("drop topic {t}"));
    }
    assert_eq!(err(&mut s, "drop topic t1").code, Code::MND_TOPIC_NOT_EXIST);
    affected(&mut s, "drop topic if exists t1");
    affected(&mut s, "create database z wal_retention_period 0");
    assert_eq!(
        err(&mut s, "create topic tz as database z").code,
        Code::MND_DB_RETENTION_PERIOD_ZERO
    );
    affected(&mut s, "create user u1 pass 'pw123'");
    assert_eq!(
        err(&mut s, "create user u1 pass 'pw123'").code,
        Code::MND_USER_ALREADY_EXIST
    );
    assert!(s.engine().authenticate("u1", "pw123").is_ok());
    assert_eq!(
        s.engine().authenticate("root", "bad").unwrap_err().code,
        Code::MND_AUTH_FAILURE
    );
    affected(&mut s, "drop user u1");
    assert_eq!(err(&mut s, "drop user u1").code, Code::MND_USER_NOT_EXIST);
}

#[test]
fn streaming_blocks_and_snapshot() {
    let mut s = setup();
    affected(&mut s, "create table t (ts timestamp, v int)");
    let values: String = (0..5000)
        .map(|i| format!("({}, {i})", 1_600_000_000_000i64 + i))
        .collect();
    assert_eq!(
        affected(&mut s, &format!("insert into t values {values}")),
        5000
    );
    let Outcome::Rows(mut r) = exec(&mut s, "select * from t where v >= 100 limit 3000") else {
        panic!()
    };
    // Writes after the query started are not seen (snapshot).
    affected(&mut s, "insert into t values (1500000000000, -1)");
    let b1 = r.next_block(1000).unwrap().unwrap();
    assert_eq!(b1.len(), 1000);
    assert_eq!(b1[0][1], Value::Int(100));
    let mut total = b1.len();
    while let Some(b) = r.next_block(1024).unwrap() {
        total += b.len();
    }
    assert_eq!(total, 3000);
    assert!(r.next_block(10).unwrap().is_none());
}

#[test]
fn hostile_sql_never_panics() {
    let mut s = setup();
    for sql in [
        "",
        " ",
        ";",
        "select",
        "select (",
        "select )",
        "insert into",
        "insert into t values (",
        "create table (",
        "'",
        "`",
        "select * from `",
        "select 1 +",
        "select -",
        "show",
        "describe",
        "drop",
        "alter table meters",
        "select * from meters where",
        "select count(*) from meters interval(",
        "select * from meters limit",
        "create database x keep",
        "insert into t values ((1))",
        "select 99999999999999999999999999999999999999999",
        "select 1e999",
        "select * from meters order by 99",
        "select 0x",
        "select cast(1 as nothing)",
    ] {
        let _ = s.execute(sql, 0);
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

        #[test]
        fn parser_never_panics(sql in "\\PC{0,80}") {
            let _ = parser::parse(&sql);
        }

        #[test]
        fn sqlish_never_panics(parts in proptest::collection::vec(prop_oneof![
            Just("select"), Just("*"), Just("from"), Just("meters"), Just("where"), Just("("), Just(")"),
            Just(","), Just("'x'"), Just("1"), Just("-"), Just("+"), Just("ts"), Just("and"), Just("or"),
            Just("insert"), Just("into"), Just("values"), Just("using"), Just("tags"), Just("count(*)"),
            Just("interval(10s)"), Just("order"), Just("by"), Just("limit"), Just("now"), Just("->"),
            Just("create"), Just("table"), Just("int"), Just("in"), Just("like"), Just("is"), Just("null"),
        ], 0..24)) {
            let sql = parts.join(" ");
            let mut s = setup();
            let _ = s.execute(&sql, 0);
        }
    }
}

#[test]
fn engine_and_results_are_thread_safe() {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send_static<T: Send + 'static>() {}
    assert_send_sync::<Engine>();
    assert_send_static::<QueryResult>();
    assert_send_static::<Session>();
    let engine = Arc::new(Engine::with_defaults());
    let mut s = Session::new(engine.clone(), "root");
    affected(&mut s, "create database c");
    affected(&mut s, "create table c.t (ts timestamp, v int)");
    let handles: Vec<_> = (0..4)
        .map(|k| {
            let e = engine.clone();
            std::thread::spawn(move || {
                let mut s = Session::new(e, "root");
                for i in 0..50 {
                    let ts = 1_600_000_000_000i64 + k * 1000 + i;
                    s.execute(&format!("insert into c.t values ({ts}, {i})"), 0)
                        .map(|_| ())
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(one(&mut s, "select count(*) from c.t"), Value::BigInt(200));
}

#[test]
fn typed_insert_rows_api() {
    let mut s = setup();
    let ts = |v: i64| Value::Timestamp(taosync_proto::Timestamp::new(v, Precision::Millisecond));
    let target = RowTarget {
        db: None,
        table: "d5".into(),
        using: Some(AutoCreate {
            stable: "meters".into(),
            tag_names: Some(vec!["location".into()]),
            tags: vec![vc("sf")],
        }),
        columns: Some(vec!["ts".into(), "voltage".into(), "current".into()]),
    };
    let rows = vec![
        vec![ts(1_600_000_000_000), Value::BigInt(5), Value::Double(1.5)],
        vec![ts(1_600_000_000_001), vc("6"), Value::Null],
    ];
    assert_eq!(s.insert_rows(&target, &rows).unwrap(), 2);
    let (_, got) = query(&mut s, "select voltage, current, location, groupid from d5");
    assert_eq!(
        got[0],
        vec![Value::Int(5), Value::Float(1.5), vc("sf"), Value::Null]
    );
    assert_eq!(got[1][0], Value::Int(6));
    let bad = vec![vec![
        ts(1_600_000_000_002),
        Value::BigInt(1 << 40),
        Value::Null,
    ]];
    assert_eq!(
        s.insert_rows(&target, &bad).unwrap_err().code,
        Code::TSC_SQL_SYNTAX_ERROR
    );
    let info = s.table_info(None, "d5").unwrap();
    assert_eq!(info.kind, TableKind::Child);
    assert_eq!(info.stable.as_deref(), Some("meters"));
    assert_eq!(info.columns.len(), 4);
    assert_eq!(info.tag_values, vec![Value::Null, vc("sf")]);
    assert_eq!(s.table_info(None, "meters").unwrap().kind, TableKind::Super);
    assert_eq!(
        s.table_info(None, "nope").unwrap_err().code,
        Code::PAR_TABLE_NOT_EXIST
    );
    let missing = RowTarget {
        table: "nope".into(),
        ..RowTarget::default()
    };
    assert_eq!(
        s.insert_rows(&missing, &rows).unwrap_err().code,
        Code::PAR_TABLE_NOT_EXIST
    );
}

#[test]
fn star_selection_functions_and_partition_limit() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'a') values (1600000000000, 1, 10, NULL) (1600000001000, 2, 20, 0.5) d1 using meters tags (2, 'b') values (1600000000000, 3, 30, 1)",
    );
    let (cols, rows) = query(&mut s, "select last_row(*) from d0");
    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "last_row(ts)",
            "last_row(current)",
            "last_row(voltage)",
            "last_row(phase)"
        ]
    );
    assert_eq!(rows[0][2], Value::Int(20));
    let (_, rows) = query(&mut s, "select first(*) from meters");
    assert_eq!(rows[0][1], Value::Float(1.0));
    assert_eq!(rows[0][3], Value::Float(1.0));
    let (_, rows) = query(
        &mut s,
        "select tbname, _wstart, count(*) from meters partition by tbname interval(1s) limit 1",
    );
    assert_eq!(rows.len(), 2);
    let (_, rows) = query(
        &mut s,
        "select distinct groupid from meters order by groupid",
    );
    assert_eq!(rows, vec![vec![Value::Int(1)], vec![Value::Int(2)]]);
    let (_, rows) = query(
        &mut s,
        "select tbname, ts from meters order by tbname desc, ts desc limit 2",
    );
    assert_eq!(rows[0][0], vc("d1"));
    assert_eq!(
        rows[1][1].as_timestamp().unwrap().value(),
        1_600_000_001_000
    );
}

#[test]
fn json_scalars_and_tag_pruning() {
    let mut s = setup();
    affected(
        &mut s,
        "create stable js (ts timestamp, v int) tags (info json)",
    );
    affected(
        &mut s,
        "insert into j1 using js tags ('{\"k\":\"v1\",\"n\":2}') values (1600000000000, 1) j2 using js tags ('{\"k\":\"v2\"}') values (1600000000000, 2)",
    );
    assert_eq!(
        one(&mut s, "select v from js where info->'k' = 'v2'"),
        Value::Int(2)
    );
    assert_eq!(
        one(&mut s, "select v from js where info->'n' > 1"),
        Value::Int(1)
    );
    assert_eq!(
        one(&mut s, "select count(*) from js where info->'k' like 'v%'"),
        Value::BigInt(2)
    );
    for i in 0..50 {
        affected(
            &mut s,
            &format!(
                "insert into c{i} using meters tags ({i}, 'loc{i}') values (1600000000000, {i}, {i}, {i})"
            ),
        );
    }
    assert_eq!(
        one(&mut s, "select voltage from meters where tbname = 'c7'"),
        Value::Int(7)
    );
    assert_eq!(
        one(
            &mut s,
            "select count(*) from meters where groupid > 10 and voltage < 20"
        ),
        Value::BigInt(9)
    );
    assert_eq!(
        one(
            &mut s,
            "select count(*) from meters where groupid > 10 or voltage < 20"
        ),
        Value::BigInt(50)
    );
}

#[test]
fn sql_sent_by_connector_libraries() {
    let mut s = setup();
    affected(&mut s, "create table ntb (ts timestamp, v int)");
    for sql in [
        "select server_version()",
        "SELECT server_version()",
        "select database()",
        "use `test`",
        "show databases;",
        "describe `meters`",
        "describe test.meters",
        "show `test`.stables",
        "show stables",
        "show normal tables",
        "show normal `test`.tables",
        "show `test`.views",
        "SELECT * FROM information_schema.INS_INDEXES WHERE db_name = 'test' AND table_name = 'meters'",
        "SELECT * FROM information_schema.ins_topics",
        "select version, (expire_time < now) from information_schema.ins_cluster",
        "show grants",
        "select * from information_schema.ins_databases",
        "show consumers",
        "show subscriptions",
        "select 1",
        "select generate_series(1)",
    ] {
        if sql.contains("generate_series") {
            assert!(s.execute(sql, 0).is_err());
            continue;
        }
        assert!(
            matches!(exec(&mut s, sql), Outcome::Rows(_) | Outcome::Affected(0)),
            "{sql}"
        );
    }
    assert_eq!(query(&mut s, "show stables").1, vec![vec![vc("meters")]]);
    assert_eq!(query(&mut s, "show normal tables").1, vec![vec![vc("ntb")]]);
    let (cols, _) = query(
        &mut s,
        "select version, (expire_time < now) from information_schema.ins_cluster",
    );
    assert_eq!(cols[1].name, "(expire_time < now)");
    affected(&mut s, "create topic if not exists `tp` as database `test`");
    affected(
        &mut s,
        "create topic if not exists `tq` with meta as database `test`",
    );
    affected(&mut s, "drop consumer group `g1` on tp");
    affected(&mut s, "flush database test");
    let (cols, rows) = query(&mut s, "select * from information_schema.ins_topics");
    assert_eq!(
        &cols[..4]
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        &["topic_name", "db_name", "create_time", "sql"]
    );
    assert_eq!(rows.len(), 2);
}

#[test]
fn supertable_ts_order_merges() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into a using meters tags (1, 'a') values (1600000000000, 1, 1, 1) (1600000000003, 1, 3, 1) b using meters tags (2, 'b') values (1600000000001, 1, 2, 1) (1600000000004, 1, 4, 1) (1600000000005, 1, 5, 1)",
    );
    let v = |rows: Vec<Vec<Value>>| rows.into_iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    let (_, rows) = query(&mut s, "select voltage from meters order by ts");
    assert_eq!(v(rows), [1, 2, 3, 4, 5].map(Value::Int));
    let (_, rows) = query(
        &mut s,
        "select voltage from meters order by ts desc limit 3 offset 1",
    );
    assert_eq!(v(rows), [4, 3, 2].map(Value::Int));
    let Outcome::Rows(r) = exec(&mut s, "select * from meters order by ts") else {
        panic!()
    };
    assert!(matches!(r.source, query::RowSource::Scan(_)));
}

#[test]
fn bound_parameters() {
    let mut s = setup();
    let ts = |v: i64| Value::Timestamp(taosync_proto::Timestamp::new(v, Precision::Microsecond));
    let p = [
        vc("d9"),
        Value::Int(3),
        vc("sf"),
        ts(1_600_000_000_000_000),
        Value::Double(1.5),
        Value::BigInt(220),
        Value::Null,
    ];
    let Outcome::Affected(n) = s
        .execute_with_params(
            "insert into ? using meters tags (?, ?) values (?, ?, ?, ?)",
            &p,
            0,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!()
    };
    // `insert into ?` names the table through a placeholder: not a value position.
    assert_eq!(n, 1);
    let (_, rows) = query(
        &mut s,
        "select ts, current, voltage, phase, groupid from d9",
    );
    assert_eq!(
        rows[0][0].as_timestamp().unwrap().value(),
        1_600_000_000_000
    );
    assert_eq!(
        rows[0][1..],
        [
            Value::Float(1.5),
            Value::Int(220),
            Value::Null,
            Value::Int(3)
        ]
    );
    let Outcome::Rows(mut r) = s
        .execute_with_params(
            "select voltage from meters where voltage > ? and ts >= ?",
            &[Value::Int(100), ts(1_600_000_000_000_000)],
            0,
        )
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(r.collect_rows().unwrap(), vec![vec![Value::Int(220)]]);
    assert_eq!(
        s.execute_with_params("select * from meters where voltage > ?", &[], 0)
            .unwrap_err()
            .code,
        Code::TSC_INVALID_OPERATION
    );
    assert_eq!(
        params::count_params(
            &parser::parse("select * from d9 where voltage in (?, ?) and ts > ?").unwrap()
        ),
        3
    );
}

#[test]
fn stmt_prepare_shapes() {
    use super::stmt::FieldKind;
    let mut s = setup();
    affected(&mut s, "create table nt (ts timestamp, v int, s binary(8))");
    let shape = s
        .prepare_shape("INSERT INTO ? USING meters TAGS(?, ?) VALUES(?, ?, ?, ?)")
        .unwrap();
    assert!(shape.is_insert);
    assert_eq!(shape.params, 7);
    let kinds: Vec<FieldKind> = shape.fields.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FieldKind::TableName,
            FieldKind::Tag,
            FieldKind::Tag,
            FieldKind::Column,
            FieldKind::Column,
            FieldKind::Column,
            FieldKind::Column
        ]
    );
    assert_eq!(shape.fields[2].column.name, "location");
    assert_eq!(shape.fields[2].column.length, 24);
    assert_eq!(shape.stable.as_deref(), Some("meters"));
    let shape = s
        .prepare_shape("insert into meters (tbname, ts, current, groupid) values (?, ?, ?, ?)")
        .unwrap();
    let names: Vec<&str> = shape
        .fields
        .iter()
        .map(|f| f.column.name.as_str())
        .collect();
    assert_eq!(names, ["tbname", "groupid", "ts", "current"]);
    assert_eq!(shape.columns, ["ts", "current"]);
    let shape = s.prepare_shape("insert into nt values (?, ?, ?)").unwrap();
    assert_eq!(shape.table.as_deref(), Some("nt"));
    assert_eq!(shape.fields.len(), 3);
    let shape = s
        .prepare_shape("select * from nt where v > ? and ts > ?")
        .unwrap();
    assert!(!shape.is_insert);
    assert_eq!(shape.params, 2);
    assert_eq!(
        s.prepare_shape("insert into nt values (?, 1, ?)")
            .unwrap_err()
            .message,
        "no mix usage for ? and values"
    );
    assert_eq!(
        s.prepare_shape("insert into nope values (?, ?)")
            .unwrap_err()
            .code,
        Code::PAR_TABLE_NOT_EXIST
    );
}

#[test]
fn connections_are_listed_while_open() {
    let mut s = session();
    let engine = Arc::clone(s.engine());
    let info = ConnectionInfo {
        user: "root".into(),
        user_app: "myapp".into(),
        user_ip: "10.0.0.1".into(),
        connector_info: "taosync-0.1".into(),
        ..ConnectionInfo::default()
    };
    let guard = engine.register_connection(info);
    let (cols, rows) = query(&mut s, "show connections");
    assert_eq!(cols.last().unwrap().name, "connector_info");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], Value::UInt(guard.id()));
    assert_eq!(
        rows[0][7..],
        [vc("myapp"), vc("10.0.0.1"), vc("taosync-0.1")]
    );
    drop(guard);
    assert!(
        query(&mut s, "select * from performance_schema.perf_connections")
            .1
            .is_empty()
    );
}

#[test]
fn match_and_nmatch() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d1 using meters tags (1, 'beijing') values (1600000000000, 1, 1, 1) d22 using meters tags (2, 'shanghai') values (1600000000000, 1, 1, 1)",
    );
    assert_eq!(
        one(
            &mut s,
            "select count(*) from meters where tbname match '^d[0-9]$'"
        ),
        Value::BigInt(1)
    );
    assert_eq!(
        one(
            &mut s,
            "select count(*) from meters where location nmatch 'jing'"
        ),
        Value::BigInt(1)
    );
    assert_eq!(
        err(&mut s, "select * from meters where location match '('").code,
        Code::PAR_WRONG_VALUE_TYPE
    );
}

#[test]
fn extreme_values_do_not_overflow() {
    let cfg = EngineConfig {
        enforce_keep: false,
        ..EngineConfig::default()
    };
    let mut s = Session::new(Arc::new(Engine::new(cfg)), "root");
    affected(&mut s, "create database x precision 'ns' keep 365000");
    affected(
        &mut s,
        "create table x.t (ts timestamp, v bigint, d double)",
    );
    affected(
        &mut s,
        "insert into x.t values (9223372036854775806, 9223372036854775807, 1e308) (-9223372036854775807, -9223372036854775808, -1e308)",
    );
    for sql in [
        "select _wstart, _wend, _wduration, count(*) from x.t interval(1d)",
        "select _wstart, count(*) from x.t interval(1d) sliding(1h)",
        "select count(*) from x.t where ts > -9223372036854775808 and ts < 9223372036854775807 interval(10s) fill(null)",
        "select v + 1, v - 1, v * 2, -v, d * 10, v / 0, v % 0, abs(v), ceil(d) from x.t",
        "select sum(v), avg(v), spread(v), stddev(d) from x.t",
        "select timetruncate(ts, 1000), cast(v as int), cast(d as bigint) from x.t",
        "select * from x.t where ts between -9223372036854775808 and 9223372036854775807",
        "select * from x.t where ts > 9223372036854775807",
    ] {
        let _ = s.execute(sql, 0).and_then(|o| match o {
            Outcome::Rows(mut r) => r.collect_rows().map(drop),
            Outcome::Affected(_) => Ok(()),
        });
    }
    assert_eq!(
        err(&mut s, "select count(*) from x.t interval(1d) sliding(1b)").code,
        Code::PAR_INTER_VALUE_TOO_SMALL
    );
}

#[test]
fn alter_several_children_set_tag() {
    let mut s = setup();
    affected(
        &mut s,
        "create table c1 using meters tags (1, 'a') c2 using meters tags (2, 'b')",
    );
    affected(
        &mut s,
        "alter table c1 set tag groupid = 10, location = 'x' c2 set tag groupid = 20",
    );
    let (_, rows) = query(
        &mut s,
        "select table_name, tag_value from information_schema.ins_tags where tag_name = 'groupid' order by table_name",
    );
    assert_eq!(
        rows,
        vec![vec![vc("c1"), vc("10")], vec![vc("c2"), vc("20")]]
    );
    assert_eq!(
        err(
            &mut s,
            "alter table c1 set tag groupid = 1 nope set tag groupid = 2"
        )
        .code,
        Code::PAR_TABLE_NOT_EXIST
    );
}

#[test]
fn every_value_matches_its_column_type() {
    let mut s = setup();
    affected(
        &mut s,
        "create table t (ts timestamp, i int, u int unsigned, f float, s nchar(4), j binary(4))",
    );
    affected(
        &mut s,
        "insert into t values (1600000000000, -5, 7, 1.5, 'ab', 'cd') (1600000000001, NULL, NULL, NULL, NULL, NULL)",
    );
    for sql in [
        "select -i, abs(i), abs(u), ceil(f), floor(i), round(f), -f, i + u, i / u, i % 2, cast(i as tinyint), concat(s, j), lower(s), substr(s, 1, 1), length(s), -ts from t",
        "select max(i), min(f), sum(u), sum(f), first(s), last(j), spread(ts), avg(i), count(s), stddev(u) from t",
        "select _wstart, max(i) from t where ts >= 1600000000000 and ts < 1600000000010 interval(10a) fill(value, 1)",
        "select now(), 1, 1.5, 'x', null, true, timezone(), database()",
    ] {
        let (cols, rows) = query(&mut s, sql);
        for r in &rows {
            for (v, c) in r.iter().zip(&cols) {
                assert!(
                    v.is_null() || v.ty() == c.ty,
                    "{sql}: {} is {:?} for {:?}",
                    c.name,
                    v,
                    c.ty
                );
            }
        }
    }
    assert_eq!(
        err(&mut s, "select substr(i, 1) from t").code,
        Code::FUNC_FUNTION_PARA_TYPE
    );
}

#[test]
fn client_suite_statements() {
    let mut s = session();
    affected(&mut s, "create database all_types precision 'ns'");
    affected(&mut s, "use all_types");
    affected(&mut s, "create table t (ts timestamp, v int)");
    affected(
        &mut s,
        "insert into t values ('2023-11-14T22:13:20.123456789Z', 1)",
    );
    assert_eq!(
        one(&mut s, "select ts from t")
            .as_timestamp()
            .unwrap()
            .value(),
        1_700_000_000_123_456_789
    );
    affected(
        &mut s,
        "create stable sensors (ts timestamp, v int) tags (info json)",
    );
    affected(
        &mut s,
        "create table s1 using sensors tags ('{\"room\":\"a\",\"floor\":3}')",
    );
    affected(
        &mut s,
        "create table s2 using sensors tags ('{\"room\":\"b\",\"floor\":1}')",
    );
    affected(&mut s, "insert into s1 values (1700000000000000000, 21)");
    affected(&mut s, "insert into s2 values (1700000000000000000, 17)");
    let (cols, rows) = query(
        &mut s,
        "select tbname, info->'room' from sensors where info->'floor' > 2",
    );
    assert_eq!(cols[1].name, "info->'room'");
    assert_eq!(rows, vec![vec![vc("s1"), Value::Json("\"a\"".into())]]);
    let (cols, rows) = query(&mut s, "select 1 , NULL");
    assert_eq!(cols[1].name, "NULL");
    assert_eq!(rows[0], vec![Value::BigInt(1), Value::Null]);
    affected(
        &mut s,
        "create stable st (ts timestamp, v nchar(8)) tags (info json)",
    );
    affected(&mut s, "create table c1 using st tags ('{\"k\":1}')");
    affected(
        &mut s,
        "insert into c1 values (1700000000000000000, 'ünï😀')",
    );
    assert_eq!(
        one(&mut s, "select v from c1"),
        Value::NChar("ünï😀".into())
    );
    assert_eq!(
        err(&mut s, "select * from information_schema.no_such_table").code,
        Code::PAR_TABLE_NOT_EXIST
    );
    assert_eq!(
        err(&mut s, "insert into t values (?, '(')").code,
        Code::TSC_SQL_SYNTAX_ERROR
    );
    assert!(s.execute("insert into t values ?", 0).is_err());
    assert!(s.execute("insert into t values", 0).is_err());
    assert!(
        s.execute(
            "select * from t where name = 'x\\' or \\'1\\'=\\'1' and n > 3",
            0
        )
        .is_err()
    );
}

#[test]
fn group_by_keys_only() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'a') values (1600000000000, 1, 10, 1)",
    );
    assert_eq!(
        err(
            &mut s,
            "select voltage, count(*) from meters group by groupid"
        )
        .code,
        Code::PAR_GROUPBY_LACK_EXPRESSION
    );
    let (_, rows) = query(
        &mut s,
        "select groupid + 1, count(*) from meters group by groupid",
    );
    assert_eq!(rows, vec![vec![Value::BigInt(2), Value::BigInt(1)]]);
    let (_, rows) = query(
        &mut s,
        "select voltage, count(*) from meters partition by groupid",
    );
    assert_eq!(rows, vec![vec![Value::Int(10), Value::BigInt(1)]]);
}

#[test]
fn show_tables_of_system_databases() {
    let mut s = session();
    affected(&mut s, "use information_schema");
    let (_, rows) = query(&mut s, "show tables like 'ins_t%'");
    assert_eq!(
        rows,
        vec![
            vec![vc("ins_tables")],
            vec![vc("ins_tags")],
            vec![vc("ins_topics")]
        ]
    );
    assert_eq!(query(&mut s, "select name from ins_databases").1.len(), 2);
}

#[test]
fn partition_by_without_aggregates() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'a') values (1600000000000, 1, 10, 1) d1 using meters tags (2, 'b') values (1600000000000, 1, 20, 1)",
    );
    assert_eq!(
        query(
            &mut s,
            "select tbname, voltage from meters partition by tbname"
        )
        .1
        .len(),
        2
    );
    assert_eq!(
        err(&mut s, "select voltage from meters partition by nope").code,
        Code::PAR_INVALID_COLUMN
    );
}

#[test]
fn case_expressions() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'a') values (1600000000000, 1, 10, 1) (1600000000001, 1, 250, NULL)",
    );
    let (cols, rows) = query(
        &mut s,
        "select case when voltage > 100 then 'high' else 'low' end as lvl, case voltage when 10 then 1 when 250 then 2 end from d0",
    );
    assert_eq!(cols[0].name, "lvl");
    assert_eq!(cols[0].ty, Type::VarChar);
    assert_eq!(cols[1].ty, Type::BigInt);
    assert_eq!(
        rows,
        vec![
            vec![vc("low"), Value::BigInt(1)],
            vec![vc("high"), Value::BigInt(2)]
        ]
    );
    assert_eq!(
        one(
            &mut s,
            "select count(*) from d0 where case when phase is null then true else false end"
        ),
        Value::BigInt(1)
    );
    assert_eq!(
        err(&mut s, "select case end from d0").code,
        Code::PAR_SYNTAX_ERROR
    );
}

#[test]
fn natural_month_windows() {
    let mut s = setup();
    affected(&mut s, "create table t (ts timestamp, v int)");
    affected(
        &mut s,
        "insert into t values ('2024-01-15 00:00:00', 1) ('2024-01-31 23:59:59', 2) ('2024-02-01 00:00:00', 3) ('2024-04-10 00:00:00', 4)",
    );
    let (_, rows) = query(&mut s, "select _wstart, _wend, sum(v) from t interval(1n)");
    assert_eq!(rows.len(), 3);
    let iso = |v: &Value| v.as_timestamp().unwrap().to_rfc3339();
    assert_eq!(iso(&rows[0][0]), "2024-01-01T00:00:00.000Z");
    assert_eq!(iso(&rows[0][1]), "2024-02-01T00:00:00.000Z");
    assert_eq!(rows[0][2], Value::BigInt(3));
    assert_eq!(rows[1][2], Value::BigInt(3));
    let (_, rows) = query(
        &mut s,
        "select _wstart, count(*) from t where ts >= '2024-01-01' and ts < '2024-05-01' interval(1n) fill(value, 0)",
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2][1], Value::BigInt(0));
    let (_, rows) = query(&mut s, "select count(*) from t interval(1y)");
    assert_eq!(rows, vec![vec![Value::BigInt(4)]]);
    let (_, rows) = query(
        &mut s,
        "select _wstart, count(*) from t interval(2n) sliding(1n)",
    );
    assert_eq!(rows.len(), 5);
    assert_eq!(
        err(&mut s, "select count(*) from t interval(1n, 1d)").code,
        Code::PAR_SYNTAX_ERROR
    );
}

#[test]
fn fill_linear_and_next() {
    let mut s = setup();
    affected(&mut s, "create table t (ts timestamp, v double)");
    affected(
        &mut s,
        "insert into t values (1600000000000, 1.0) (1600000030000, 4.0)",
    );
    let q = |s: &mut Session, f: &str| {
        query(s, &format!("select avg(v) from t where ts >= 1600000000000 and ts < 1600000040000 interval(10s) fill({f})")).1
    };
    let rows = q(&mut s, "linear");
    assert_eq!(
        rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(),
        [1.0, 2.0, 3.0, 4.0].map(Value::Double)
    );
    let rows = q(&mut s, "next");
    assert_eq!(rows[1][0], Value::Double(4.0));
    let rows = q(&mut s, "none");
    assert_eq!(rows.len(), 2);
}

mod roundtrip {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

        /// Values written as SQL literals read back unchanged, for every scalar type.
        #[test]
        fn literals_round_trip(
            b in any::<bool>(), ti in any::<i8>(), si in any::<i16>(), i in any::<i32>(), bi in any::<i64>(),
            ub in any::<u64>(), d in -1e300f64..1e300, text in "[a-zA-Z0-9 _涛思]{0,10}",
            bytes in proptest::collection::vec(any::<u8>(), 0..8),
        ) {
            let mut s = setup();
            affected(&mut s, "create table t (ts timestamp, b bool, ti tinyint, si smallint, i int, bi bigint, ub bigint unsigned, d double, n nchar(10), vb varbinary(8))");
            let hex: String = bytes.iter().map(|x| format!("{x:02x}")).collect();
            let sql = format!(
                "insert into t values (1600000000000, {b}, {ti}, {si}, {i}, {bi}, {ub}, {d:e}, '{text}', '\\x{hex}')"
            );
            affected(&mut s, &sql);
            let (_, rows) = query(&mut s, "select b, ti, si, i, bi, ub, d, n, vb from t");
            prop_assert_eq!(&rows[0], &vec![
                Value::Bool(b), Value::TinyInt(ti), Value::SmallInt(si), Value::Int(i), Value::BigInt(bi),
                Value::UBigInt(ub), Value::Double(d), Value::NChar(text), Value::VarBinary(bytes),
            ]);
        }
    }
}

#[test]
fn to_iso8601_zones() {
    let mut s = session();
    assert_eq!(
        one(&mut s, "select to_iso8601(0) as ts"),
        vc("1970-01-01T00:00:00.000+00:00")
    );
    assert_eq!(
        one(&mut s, "select to_iso8601(0, '+08:00')"),
        vc("1970-01-01T08:00:00.000+08:00")
    );
    assert_eq!(
        one(&mut s, "select to_iso8601(0, 'America/New_York')"),
        vc("1969-12-31T19:00:00.000-05:00")
    );
    s.set_timezone("Asia/Shanghai".parse().unwrap());
    assert_eq!(
        one(&mut s, "select to_iso8601(0)"),
        vc("1970-01-01T08:00:00.000+08:00")
    );
}

#[test]
fn slimit_needs_partitions() {
    let mut s = setup();
    affected(
        &mut s,
        "insert into d0 using meters tags (1, 'a') values (1600000000000, 1, 10, 1) d1 using meters tags (2, 'b') values (1600000000000, 1, 20, 1)",
    );
    assert_eq!(
        err(&mut s, "select * from meters slimit 1").code,
        Code::new(0x2638)
    );
    let (_, rows) = query(
        &mut s,
        "select tbname, count(*) from meters partition by tbname slimit 1 soffset 1",
    );
    assert_eq!(rows, vec![vec![vc("d1"), Value::BigInt(1)]]);
}

#[test]
fn partial_column_reinsert_keeps_other_values() {
    let mut s = setup();
    affected(&mut s, "create table t (ts timestamp, a int, b int)");
    affected(&mut s, "insert into t values (1600000000000, 1, 2)");
    affected(&mut s, "insert into t (ts, b) values (1600000000000, 20)");
    assert_eq!(
        query(&mut s, "select a, b from t").1,
        vec![vec![Value::Int(1), Value::Int(20)]]
    );
    affected(
        &mut s,
        "insert into t (ts, a) values (1600000000000, NULL) (1600000000001, 5)",
    );
    assert_eq!(
        query(&mut s, "select a, b from t").1,
        vec![
            vec![Value::Null, Value::Int(20)],
            vec![Value::Int(5), Value::Null]
        ]
    );
    affected(&mut s, "insert into t values (1600000000000, 7, NULL)");
    assert_eq!(
        query(&mut s, "select a, b from t limit 1").1,
        vec![vec![Value::Int(7), Value::Null]]
    );
}

#[test]
fn tables_hash_to_the_database_vgroups() {
    let mut s = session();
    affected(&mut s, "create database v vgroups 3");
    let cat = s.engine().read();
    let db = cat.dbs.get("v").unwrap();
    assert_eq!(db.vgroup_ids(), vec![2, 3, 4]);
    let used: std::collections::BTreeSet<i32> =
        (0..50).map(|i| db.vgroup_of(&format!("t{i}"))).collect();
    assert!(used.iter().all(|v| db.vgroup_ids().contains(v)));
    assert_eq!(used.len(), 3);
}

#[test]
fn insert_comma_leniency_matches_the_insert_tokenizer() {
    let mut s = setup();
    // Rows separated by commas, a trailing comma after the last row.
    assert_eq!(
        affected(
            &mut s,
            "insert into d0 using meters tags (1, 'a') values (1600000000000, 1, 1, 1), (1600000000001, 2, 2, 2),"
        ),
        2
    );
    // A comma between table clauses, `using … (tags) tags` with a column list, and rows
    // without separators, in one statement.
    assert_eq!(
        affected(
            &mut s,
            "insert into d0 values (1600000000002, 3, 3, 3), d1 using meters (groupid) tags (2) (ts, voltage) values (1600000000000, 7) (1600000000001, 8), test.d2 using test.meters tags (3, 'c') values (1600000000000, 9, 9, 9),"
        ),
        4
    );
    assert_eq!(
        query(&mut s, "select count(*) from meters").1[0],
        vec![Value::BigInt(6)]
    );
    assert_eq!(
        query(
            &mut s,
            "select groupid, location, voltage from d1 order by ts"
        )
        .1,
        vec![
            vec![Value::Int(2), Value::Null, Value::Int(7)],
            vec![Value::Int(2), Value::Null, Value::Int(8)],
        ]
    );
    // Two commas in a row are still a syntax error, and nothing is written.
    let e = err(
        &mut s,
        "insert into d0 values (1600000000010, 1, 1, 1),, (1600000000011, 1, 1, 1)",
    );
    assert_eq!(e.code, Code::TSC_SQL_SYNTAX_ERROR);
    assert_eq!(
        query(&mut s, "select count(*) from d0").1[0],
        vec![Value::BigInt(3)]
    );
    // A lone comma is not a row.
    assert_eq!(
        err(&mut s, "insert into d0 values ,").code,
        Code::TSC_SQL_SYNTAX_ERROR
    );
}
