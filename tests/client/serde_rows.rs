//! The `serde` feature over every transport: rows of every type into structs by column
//! name, and rows back out as JSON lines.

#![cfg(feature = "serde")]

use serde::Deserialize;
use taosync::{ErrorKind, params};

use crate::dbapi::each;

#[derive(Deserialize, Debug)]
struct Reading {
    ts: chrono::DateTime<chrono::Utc>,
    raw_ts: i64,
    v: Option<i32>,
    big: u64,
    d: f64,
    name: String,
    label: String,
    bytes: Vec<u8>,
    amount: String,
    info: serde_json::Value,
}

#[test]
fn rows_deserialize_by_column_name_on_every_transport() {
    each("serde", "ns", |name, conn| {
        conn.execute(
            "create stable st (ts timestamp, v int, big bigint unsigned, d double, \
             name varchar(16), label nchar(8), bytes varbinary(8), amount decimal(12, 3)) \
             tags (info json)",
            (),
        )
        .unwrap();
        conn.execute(
            r#"create table t1 using st tags ('{"site":"attic","n":3}')"#,
            (),
        )
        .unwrap();
        conn.execute(
            "insert into t1 values (1700000000123456789, ?, ?, ?, ?, ?, '\\x00ff', '12.345')",
            params![None::<i32>, u64::MAX, 0.5, "n1", "ü"],
        )
        .unwrap();
        let mut cur = conn.cursor().unwrap();
        cur.execute(
            "select ts, ts as raw_ts, v, big, d, name, label, bytes, amount, info from st",
            (),
        )
        .unwrap();
        let rows: Vec<Reading> = cur.fetchall_deserialized().unwrap();
        assert_eq!(rows.len(), 1, "{name}");
        let r = &rows[0];
        assert_eq!(
            r.ts.timestamp_nanos_opt(),
            Some(1_700_000_000_123_456_789),
            "{name}"
        );
        assert_eq!(r.raw_ts, 1_700_000_000_123_456_789, "{name}");
        assert_eq!((r.v, r.big, r.d), (None, u64::MAX, 0.5), "{name}");
        assert_eq!((r.name.as_str(), r.label.as_str()), ("n1", "ü"), "{name}");
        assert_eq!(r.bytes, [0, 255], "{name}");
        assert_eq!(r.amount, "12.345", "{name}");
        assert_eq!(r.info["site"], "attic", "{name}");

        // A field the result lacks, or a value that does not fit, names the culprit.
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Narrow {
            big: u8,
        }
        cur.execute("select big from st", ()).unwrap();
        let e = cur.fetchone_deserialized::<Narrow>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface, "{name}");
        assert!(e.message().contains("column `big`"), "{name}: {e}");

        // Rows serialize: one JSON object per row.
        cur.execute("select v, name, info from st", ()).unwrap();
        let line = serde_json::to_string(&cur.fetchone().unwrap().unwrap()).unwrap();
        assert_eq!(
            line, r#"{"v":null,"name":"n1","info":{"n":3,"site":"attic"}}"#,
            "{name}"
        );
    });
}
