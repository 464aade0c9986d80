//! Interop: inserts a fixed set of rows with taosync's `Statement` into the server named by
//! `TDENGINE_DSN` (a `ws://` DSN), for `tests/interop/test_stmt_readback.py` to read back
//! with the official taos-ws-py. The protocol is the first argument: `stmt2` (default) or
//! `stmt1`; each writes its own database, `interop_rs_<protocol>`.
//!
//! Without `TDENGINE_DSN` it runs against the embedded server (a smoke run).

use taosync::stmt::ColumnView;
use taosync::{StmtProtocol, Value};
use taosync_server::Server;

const BASE: i64 = 1_700_000_000_000;

fn main() -> taosync::Result<()> {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "stmt2".into());
    let protocol = match arg.as_str() {
        "stmt2" => StmtProtocol::Stmt2,
        "stmt1" => StmtProtocol::Stmt1,
        other => {
            return Err(taosync::Error::new(
                taosync::ErrorKind::Interface,
                format!("protocol must be stmt2 or stmt1, got {other:?}"),
            ));
        }
    };
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    let db = format!("interop_rs_{arg}");
    conn.execute(&format!("drop database if exists {db}"), ())?;
    conn.execute(&format!("create database {db} precision 'ms'"), ())?;
    conn.select_db(&db)?;
    conn.execute(
        "create stable meters (ts timestamp, c_bool bool, c_tiny tinyint, c_int int, \
         c_big bigint, c_ubig bigint unsigned, c_float float, c_double double, \
         c_bin varchar(20), c_nchar nchar(20), c_vb varbinary(16)) \
         tags (groupid int, location nchar(24))",
        (),
    )?;
    let mut stmt = conn
        .statement_builder()
        .protocol(protocol)
        .sql("insert into ? using meters tags (?, ?) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .build()?;
    for (i, (name, location)) in [("rs_a", "北京"), ("rs_b", "")].into_iter().enumerate() {
        let i = i as i64;
        stmt.set_tbname_tags(name, &[Value::Int(i as i32), Value::NChar(location.into())])?;
        stmt.bind_param([
            ColumnView::millis_timestamps([BASE + i * 10, BASE + i * 10 + 1, BASE + i * 10 + 2]),
            ColumnView::bools([Some(true), None, Some(false)]),
            ColumnView::tiny_ints([Some(-128), None, Some(0)]),
            ColumnView::ints([Some(i32::MIN), None, Some(7)]),
            ColumnView::bigints([Some(i64::MAX), None, Some(-1)]),
            ColumnView::unsigned_bigints([Some(u64::MAX), None, Some(0)]),
            ColumnView::floats([Some(1.5f32), None, Some(-0.5)]),
            ColumnView::doubles([Some(-2.25f64), None, Some(1e100)]),
            ColumnView::varchars([Some("héllo"), None, Some("")]),
            ColumnView::nchars([Some("中文🙂"), None, Some("")]),
            ColumnView::varbinaries([Some(&b"\x00\x01\xff"[..]), None, Some(&b""[..])]),
        ])?;
        stmt.add_batch()?;
    }
    let written = stmt.execute()?;
    println!("{db}: {written} rows written over {:?}", stmt.protocol());
    Ok(())
}
