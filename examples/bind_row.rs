//! Row-by-row binding into one child table, then a query statement with a parameter: the
//! Python connector's `bind_row` example.
//!
//! Runs against the embedded server unless `TDENGINE_DSN` names a real one (a `ws://` DSN).

use taosync::{Precision, Timestamp, Value};
use taosync_server::Server;

fn main() -> taosync::Result<()> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    conn.execute("create database if not exists bind_row precision 'ms'", ())?;
    conn.select_db("bind_row")?;
    conn.execute("create stable if not exists meters (ts timestamp, current float, voltage int, location nchar(16)) \
         tags (group_id int)", ())?;

    let mut stmt =
        conn.statement_with("INSERT INTO ? USING meters TAGS (?) VALUES (?, ?, ?, ?)")?;
    stmt.set_tbname_tags("d_row", &[Value::Int(1)])?;
    let start = 1_700_000_000_000i64;
    let rows = [
        (0, Some(10.3f32), Some(219), "北京"),
        (1, Some(12.6), None, "上海"),
        (2, None, Some(221), ""),
    ];
    for (i, current, voltage, location) in rows {
        stmt.bind_row(&[
            Value::Timestamp(Timestamp::new(start + i * 1000, Precision::Millisecond)),
            Value::from(current),
            Value::from(voltage),
            Value::NChar(location.to_owned()),
        ])?;
    }
    stmt.add_batch()?;
    println!("inserted {} rows", stmt.execute()?);

    stmt.prepare("SELECT ts, current, voltage, location FROM meters WHERE ts >= ? ORDER BY ts")?;
    stmt.bind_row(&[Value::Timestamp(Timestamp::new(
        start + 1000,
        Precision::Millisecond,
    ))])?;
    stmt.execute()?;
    for row in stmt.result()? {
        let row = row?;
        println!("{:?}", row.values());
    }
    Ok(())
}
