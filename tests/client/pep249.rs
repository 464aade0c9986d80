//! PEP 249, section by section, on every transport (ws-binary, ws-json, REST and a real
//! server when `TAOSYNC_TEST_DSN` is set). The crate docs' table (`taosync::dbapi`) maps each
//! PEP 249 item to its taosync item and to the test here that checks it.

use taosync::{
    Code, ErrorKind, NUMBER, Precision, ROWID, STRING, Timestamp, Type, Value, dbapi, params,
};

use crate::dbapi::each;

/// "Module Interface": connect, apilevel, threadsafety, paramstyle.
#[test]
fn module_interface() {
    assert_eq!(taosync::APILEVEL, "2.0");
    assert_eq!(taosync::THREADSAFETY, 2);
    assert_eq!(taosync::PARAMSTYLE, "qmark");
    // connect(parameters...) is taosync::connect(dsn); a bad DSN is an InterfaceError.
    let e = taosync::connect("ws://host:notaport").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Interface);
}

/// "Exceptions": the hierarchy (Warning beside Error; InterfaceError and DatabaseError
/// under Error; the six DatabaseError subclasses) and the names Python code catches.
#[test]
fn exceptions() {
    let database_errors = [
        (ErrorKind::Database, "DatabaseError"),
        (ErrorKind::Data, "DataError"),
        (ErrorKind::Operational, "OperationalError"),
        (ErrorKind::Integrity, "IntegrityError"),
        (ErrorKind::Internal, "InternalError"),
        (ErrorKind::Programming, "ProgrammingError"),
        (ErrorKind::NotSupported, "NotSupportedError"),
    ];
    for (kind, name) in database_errors {
        assert_eq!(kind.python_name(), name);
        assert!(kind.is_database_error(), "{name}");
    }
    for (kind, name) in [
        (ErrorKind::Interface, "InterfaceError"),
        (ErrorKind::Warning, "Warning"),
    ] {
        assert_eq!(kind.python_name(), name);
        assert!(!kind.is_database_error(), "{name}");
    }
    // The classes PEP 249 names are what the code table hands out.
    for (code, kind) in [
        (Code::PAR_SYNTAX_ERROR, ErrorKind::Programming),
        (Code::PAR_TABLE_NOT_EXIST, ErrorKind::Programming),
        (Code::PAR_VALUE_TOO_LONG, ErrorKind::Data),
        (Code::MND_DB_NOT_EXIST, ErrorKind::Programming),
    ] {
        assert_eq!(code.kind(), Some(kind), "{code}");
    }
}

/// "Connection Objects": close (idempotent, then every call an InterfaceError), commit (a
/// no-op: TDengine autocommits), rollback (NotSupported), cursor.
#[test]
fn connection_objects() {
    each("pep_conn", "ms", |name, conn| {
        conn.commit().unwrap();
        assert_eq!(
            conn.rollback().unwrap_err().kind(),
            ErrorKind::NotSupported,
            "{name}"
        );
        let mut cur = conn.cursor().unwrap();
        cur.execute("select 1", ()).unwrap();
        assert_eq!(cur.fetchall().unwrap().len(), 1, "{name}");

        let other = conn.options().connect().unwrap();
        let mut orphan = other.cursor().unwrap();
        other.close().unwrap();
        other.close().unwrap();
        assert!(other.is_closed());
        for e in [
            other.cursor().map(|_| ()).unwrap_err(),
            other.execute("select 1", ()).map(|_| ()).unwrap_err(),
            orphan.execute("select 1", ()).unwrap_err(),
            other.commit().unwrap_err(),
        ] {
            assert_eq!(e.kind(), ErrorKind::Interface, "{name}: {e:?}");
        }
    });
}

/// "Cursor Objects": description, rowcount, callproc, close, execute, executemany,
/// fetchone, fetchmany, fetchall, arraysize, setinputsizes, setoutputsize.
#[test]
fn cursor_objects() {
    each("pep_cursor", "ms", |name, conn| {
        let mut cur = conn.cursor().unwrap();
        assert!(cur.description().is_none(), "{name}");
        assert_eq!(cur.rowcount(), -1, "{name}");
        assert_eq!(cur.arraysize(), 1, "{name}");

        cur.execute(
            "create table t (ts timestamp, v int, s varchar(8), d decimal(10, 2))",
            (),
        )
        .unwrap();
        assert!(cur.description().is_none(), "{name}: DDL has no result set");

        cur.setinputsizes(&[None, Some(8)]);
        cur.setoutputsize(8, None);
        cur.executemany(
            "insert into t values (?, ?, ?, ?)",
            (0..5).map(|i| params![1_700_000_000_000_i64 + i, i as i32, format!("s{i}"), "1.25"]),
        )
        .unwrap();
        assert_eq!(
            cur.rowcount(),
            5,
            "{name}: executemany totals the affected rows"
        );

        cur.execute("select ts, v, s, d from t order by ts", ())
            .unwrap();
        let d = cur.description().unwrap();
        let names: Vec<&str> = d.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["ts", "v", "s", "d"], "{name}");
        assert_eq!(d[0].type_code, Type::Timestamp, "{name}");
        assert_eq!(d[2].internal_size, Some(8), "{name}");
        assert_eq!((d[3].precision, d[3].scale), (Some(10), Some(2)), "{name}");
        assert_eq!(d[1].precision, None, "{name}");

        // fetchone, fetchmany(arraysize), fetchmany(n), fetchall, then the end.
        assert_eq!(cur.fetchone().unwrap().unwrap().get::<i32>(1).unwrap(), 0);
        assert_eq!(
            cur.fetchmany(None).unwrap().len(),
            1,
            "{name}: arraysize rows"
        );
        cur.set_arraysize(2);
        assert_eq!(cur.fetchmany(None).unwrap().len(), 2, "{name}");
        assert_eq!(cur.fetchall().unwrap().len(), 1, "{name}");
        assert!(cur.fetchone().unwrap().is_none(), "{name}");
        assert!(cur.fetchmany(Some(3)).unwrap().is_empty(), "{name}");
        assert_eq!(
            cur.rowcount(),
            5,
            "{name}: known once every row was fetched"
        );

        assert_eq!(
            cur.callproc("p").unwrap_err().kind(),
            ErrorKind::NotSupported,
            "{name}"
        );
        // An INSERT leaves no result set: fetching is an error, not an empty list.
        cur.execute("insert into t values (now, 9, 'x', '0')", ())
            .unwrap();
        assert_eq!(cur.rowcount(), 1, "{name}");
        assert!(cur.description().is_none(), "{name}");
        assert_eq!(
            cur.fetchall().unwrap_err().kind(),
            ErrorKind::Operational,
            "{name}"
        );

        cur.close().unwrap();
        cur.close().unwrap();
        assert!(cur.description().is_none(), "{name}");
        for e in [
            cur.execute("select 1", ()).unwrap_err(),
            cur.fetchone().map(|_| ()).unwrap_err(),
        ] {
            assert_eq!(e.kind(), ErrorKind::Interface, "{name}: {e:?}");
        }
    });
}

/// The optional "iterator protocol" extension: `for row in cursor`.
#[test]
fn cursor_iteration() {
    each("pep_iter", "ms", |name, conn| {
        conn.execute("create table t (ts timestamp, v int)", ())
            .unwrap();
        for i in 0..20 {
            conn.execute(
                "insert into t values (?, ?)",
                params![1_700_000_000_000_i64 + i, i as i32],
            )
            .unwrap();
        }
        let mut cur = conn.cursor().unwrap();
        cur.execute("select v from t order by ts", ()).unwrap();
        let seen: Vec<i32> = cur
            .by_ref()
            .map(|r| r.unwrap().get::<i32>(0).unwrap())
            .collect();
        assert_eq!(seen, (0..20).collect::<Vec<_>>(), "{name}");
        assert!(cur.next().is_none(), "{name}");
    });
}

/// "Type Objects and Constructors": type objects against description type codes, and the
/// constructors' values stored and read back as the instants they document (UTC).
#[test]
fn type_objects_and_constructors() {
    each("pep_types", "ms", |name, conn| {
        conn.execute(
            "create table t (ts timestamp, n nchar(4), s varchar(4), i bigint, f double, \
             b bool, vb varbinary(8))",
            (),
        )
        .unwrap();
        let values = params![
            dbapi::timestamp(2023, 11, 14, 22, 13, 20).unwrap(),
            "ab",
            "cd",
            7_i64,
            1.5,
            true,
            dbapi::binary(b"\x00\x01".as_slice()),
        ];
        conn.execute("insert into t values (?, ?, ?, ?, ?, ?, ?)", values)
            .unwrap();
        let mut cur = conn.cursor().unwrap();
        cur.execute("select * from t", ()).unwrap();
        let d = cur.description().unwrap();
        let types: Vec<Type> = d.iter().map(|c| c.type_code).collect();
        assert_eq!(dbapi::DATETIME, types[0], "{name}");
        assert!(
            types[1..3].iter().all(|t| STRING == *t),
            "{name}: {types:?}"
        );
        assert!(
            types[3..6].iter().all(|t| NUMBER == *t),
            "{name}: {types:?}"
        );
        assert_eq!(dbapi::BINARY, types[6], "{name}");
        assert!(types.iter().all(|t| ROWID != *t), "{name}");

        let row = cur.fetchone().unwrap().unwrap();
        assert_eq!(
            row.values()[0],
            Value::Timestamp(Timestamp::new(1_700_000_000_000, Precision::Millisecond)),
            "{name}"
        );
        assert_eq!(row.values()[6], Value::VarBinary(vec![0, 1]), "{name}");

        // Date and the ticks constructors bind the instants their docs name. (Time builds
        // instants on 1970-01-01, outside a real server's keep window: checked as values.)
        assert_eq!(dbapi::time(1, 2, 3).unwrap(), ms_value(3_723_000));
        assert_eq!(
            dbapi::time_from_ticks(86_400.0 + 1.5).unwrap(),
            ms_value(1_500)
        );
        let leap_day = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        for (v, ms) in [
            (dbapi::date(2024, 2, 28).unwrap(), 1_709_078_400_000_i64),
            (
                dbapi::date_from_ticks(1_709_200_000.0).unwrap(),
                1_709_164_800_000,
            ),
            (
                dbapi::timestamp_from_ticks(1_700_000_001.25).unwrap(),
                1_700_000_001_250,
            ),
            (Value::from(leap_day.succ_opt().unwrap()), 1_709_251_200_000),
        ] {
            assert_eq!(v, ms_value(ms), "{name}");
            conn.execute("insert into t (ts, i) values (?, ?)", params![v, ms])
                .unwrap();
        }
        let rows: Vec<(Timestamp, i64)> = conn
            .cursor()
            .and_then(|mut c| {
                c.execute("select ts, i from t where i <> 7 order by ts", ())?;
                c.fetchall_as()
            })
            .unwrap();
        assert_eq!(rows.len(), 4, "{name}");
        for (ts, ms) in rows {
            assert_eq!(ts.value(), ms, "{name}");
        }
    });
}

fn ms_value(ms: i64) -> Value {
    Value::Timestamp(Timestamp::new(ms, Precision::Millisecond))
}
