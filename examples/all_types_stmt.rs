//! Every TDengine type through a prepared statement: one column-wise bind of two rows (one
//! fully set, one all NULL) into an auto-created child table with a JSON tag, then the rows
//! read back. The Python connector's `all_type_stmt` example.
//!
//! Runs against the embedded server unless `TDENGINE_DSN` names a real one (a `ws://` DSN;
//! DECIMAL needs TDengine ≥ 3.3.6).

use taosync::stmt::ColumnView;
use taosync::{Decimal, Value};
use taosync_server::Server;

/// `POINT (100 100)` as WKB.
const POINT: [u8; 21] = [
    1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x59, 0x40, 0, 0, 0, 0, 0, 0, 0x59, 0x40,
];

fn main() -> taosync::Result<()> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    conn.execute(
        "create database if not exists all_types_stmt precision 'ns'",
        (),
    )?;
    conn.select_db("all_types_stmt")?;
    conn.execute(
        "create stable if not exists stb (ts timestamp, c_bool bool, c_ti tinyint, c_si smallint, \
         c_int int, c_big bigint, c_uti tinyint unsigned, c_usi smallint unsigned, \
         c_ui int unsigned, c_ubig bigint unsigned, c_f float, c_d double, c_vc varchar(16), \
         c_nc nchar(16), c_vb varbinary(16), c_geo geometry(64), c_dec64 decimal(10, 2), \
         c_dec decimal(30, 6)) tags (info json)",
        (),
    )?;

    let mut stmt = conn.statement_with(
        "INSERT INTO ? USING stb TAGS (?) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    stmt.set_tbname_tags(
        "t1",
        &[Value::Json(r#"{"device":"sensor-1","floor":3}"#.into())],
    )?;
    let ns = 1_700_000_000_123_456_789i64;
    stmt.bind_param([
        ColumnView::nanos_timestamps([ns, ns + 1]),
        ColumnView::bools([Some(true), None]),
        ColumnView::tiny_ints([Some(i8::MIN), None]),
        ColumnView::small_ints([Some(i16::MAX), None]),
        ColumnView::ints([Some(i32::MIN), None]),
        ColumnView::bigints([Some(i64::MAX), None]),
        ColumnView::unsigned_tiny_ints([Some(u8::MAX), None]),
        ColumnView::unsigned_small_ints([Some(u16::MAX), None]),
        ColumnView::unsigned_ints([Some(u32::MAX), None]),
        ColumnView::unsigned_bigints([Some(u64::MAX), None]),
        ColumnView::floats([Some(3.25f32), None]),
        ColumnView::doubles([Some(-1.0e-300f64), None]),
        ColumnView::varchars([Some("varchar"), None]),
        ColumnView::nchars([Some("涛思数据"), None]),
        ColumnView::varbinaries([Some(&b"\x00\xffbin"[..]), None]),
        ColumnView::geometries([Some(&POINT[..]), None]),
        ColumnView::decimals([Some(Decimal::new(-123_456, 10, 2)), None]),
        ColumnView::decimals([Some(Decimal::new(123_456_789_012_345_678_901, 30, 6)), None]),
    ])?;
    println!(
        "inserted {} rows over {:?}",
        stmt.execute()?,
        stmt.protocol()
    );

    let rs = conn.query("select * from stb order by ts", ())?;
    let names: Vec<String> = rs
        .fields()
        .iter()
        .map(|c| format!("{} {}", c.name, c.type_name()))
        .collect();
    println!("columns: {}", names.join(", "));
    for row in rs {
        let row = row?;
        for (column, value) in row.columns().iter().zip(row.values()) {
            println!("  {:>8} = {value:?}", column.name);
        }
        println!();
    }
    Ok(())
}
