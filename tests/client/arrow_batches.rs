//! The `arrow` feature over every transport: a result of every type, spanning several
//! blocks, read as record batches equals the same result read as rows.

#![cfg(feature = "arrow")]

use taosync::arrow::arrow_array::{
    Array, Decimal128Array, Int32Array, StringArray, TimestampNanosecondArray,
};
use taosync::arrow::rows_to_record_batch;
use taosync::{Decimal, Precision, Timestamp, Value, params};

use crate::dbapi::each;

#[test]
fn record_batches_equal_the_rows_on_every_transport() {
    each("arrow", "ns", |name, conn| {
        conn.execute(
            "create table t (ts timestamp, c_bool bool, c_tiny tinyint, c_small smallint, \
             c_int int, c_big bigint, c_utiny tinyint unsigned, c_usmall smallint unsigned, \
             c_uint int unsigned, c_ubig bigint unsigned, c_float float, c_double double, \
             c_varchar varchar(40), c_nchar nchar(10), c_varbinary varbinary(8), \
             c_decimal decimal(20,4))",
            (),
        )
        .unwrap();
        for i in 0..20_i64 {
            let ts = Timestamp::new(1_700_000_000_000_000_000 + i, Precision::Nanosecond);
            if i % 5 == 4 {
                conn.execute("insert into t (ts) values (?)", params![ts])
                    .unwrap();
                continue;
            }
            let dec: Decimal = format!("{i}.1234").parse().unwrap();
            conn.execute(
                "insert into t values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    ts,
                    i % 2 == 0,
                    i as i8,
                    -(i as i16),
                    i as i32 * 1000,
                    i * 1_000_000_000,
                    i as u8,
                    i as u16,
                    i as u32,
                    u64::MAX - i as u64,
                    i as f32 / 2.0,
                    i as f64 / 4.0,
                    format!("v{i}"),
                    format!("ü{i}"),
                    vec![i as u8, 0xff],
                    dec
                ],
            )
            .unwrap();
        }
        let sql = "select * from t order by ts";
        let rows = conn.cursor().and_then(|mut c| {
            c.execute(sql, ())?;
            c.fetchall()
        });
        let rows = rows.unwrap();
        let rs = conn.query(sql, ()).unwrap();
        let columns = rs.fields().to_vec();
        let mut at = 0;
        let mut batches = 0;
        for batch in rs.record_batches() {
            let batch = batch.unwrap();
            let n = batch.num_rows();
            let expected =
                rows_to_record_batch(&columns, Precision::Nanosecond, &rows[at..at + n]).unwrap();
            assert_eq!(batch, expected, "{name}: rows {at}..{}", at + n);
            if at == 0 {
                let ts = batch
                    .column(0)
                    .as_any()
                    .downcast_ref::<TimestampNanosecondArray>()
                    .unwrap();
                assert_eq!(ts.value(0), 1_700_000_000_000_000_000, "{name}");
                let int = batch
                    .column(4)
                    .as_any()
                    .downcast_ref::<Int32Array>()
                    .unwrap();
                assert_eq!((int.value(1), int.is_null(4)), (1000, true), "{name}");
                let nchar = batch
                    .column(13)
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .unwrap();
                assert_eq!(nchar.value(3), "ü3", "{name}");
                let dec = batch
                    .column(15)
                    .as_any()
                    .downcast_ref::<Decimal128Array>()
                    .unwrap();
                assert_eq!(dec.value_as_string(2), "2.1234", "{name}");
            }
            at += n;
            batches += 1;
        }
        assert_eq!(at, 20, "{name}");
        if name != "rest" {
            assert!(batches > 1, "{name}: one batch per block");
        }
        assert_eq!(rows[4].values()[1], Value::Null, "{name}");
    });
}

#[test]
fn rows_read_first_are_not_repeated_and_rowcount_completes() {
    each("arrow_mix", "ms", |name, conn| {
        conn.execute("create table t (ts timestamp, v int)", ())
            .unwrap();
        for i in 0..10 {
            conn.execute(
                "insert into t values (?, ?)",
                params![1_700_000_000_000_i64 + i, i as i32],
            )
            .unwrap();
        }
        let mut rs = conn.query("select v from t order by ts", ()).unwrap();
        let first = rs.next().unwrap().unwrap();
        assert_eq!(first.get::<i32>(0).unwrap(), 0);
        let mut seen = vec![0];
        while let Some(batch) = rs.next_record_batch().unwrap() {
            let v = batch
                .column(0)
                .as_any()
                .downcast_ref::<Int32Array>()
                .unwrap();
            seen.extend(v.iter().map(|x| x.unwrap()));
        }
        assert_eq!(seen, (0..10).collect::<Vec<_>>(), "{name}");
        assert_eq!(rs.rowcount(), 10, "{name}");
    });
}
