//! Many rows into many child tables with one prepared statement and one `execute`: the
//! column-wise binding of the Python connector's `bind_multi` example.
//!
//! Runs against the embedded server unless `TDENGINE_DSN` names a real one (a `ws://` DSN:
//! prepared statements need the WebSocket protocol).

use taosync::stmt::ColumnView;
use taosync::{Value, params};
use taosync_server::Server;

fn main() -> taosync::Result<()> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    conn.execute(
        "create database if not exists bind_multi precision 'ms'",
        (),
    )?;
    conn.select_db("bind_multi")?;
    conn.execute("create stable if not exists meters (ts timestamp, current float, voltage int, phase float) \
         tags (location varchar(64), group_id int)", ())?;

    let mut stmt =
        conn.statement_with("INSERT INTO ? USING meters TAGS (?, ?) VALUES (?, ?, ?, ?)")?;
    println!("statement protocol: {:?}", stmt.protocol());
    let start = 1_700_000_000_000i64;
    let (tables, rows) = (10, 100);
    for t in 0..tables {
        stmt.set_tbname_tags(
            &format!("d_bind_{t}"),
            &[Value::from(format!("location_{t}")), Value::Int(t)],
        )?;
        let rows_i64 = 0..i64::from(rows);
        stmt.bind_param([
            ColumnView::millis_timestamps(rows_i64.clone().map(|r| start + r)),
            ColumnView::floats(rows_i64.clone().map(|r| 10.0 + r as f32 / 10.0)),
            ColumnView::ints(rows_i64.clone().map(|r| {
                if r % 10 == 0 {
                    None
                } else {
                    Some(219 + r as i32 % 5)
                }
            })),
            ColumnView::floats(rows_i64.map(|r| 0.3 + r as f32 / 1000.0)),
        ])?;
        stmt.add_batch()?;
    }
    let written = stmt.execute()?;
    println!("inserted {written} rows into {tables} tables with one execute");
    stmt.close()?;

    let mut cur = conn.cursor()?;
    cur.execute(
        "select count(*) from meters where voltage is null and group_id >= ?",
        params![0],
    )?;
    if let Some(row) = cur.fetchone()? {
        println!("rows with a NULL voltage: {}", row.get::<i64>(0)?);
    }
    Ok(())
}
