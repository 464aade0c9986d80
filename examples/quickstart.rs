//! Connect, create a database and a table, insert rows with parameters, query them and print
//! a small table.
//!
//! Runs against the embedded server unless `TDENGINE_DSN` names a real one, e.g.
//! `TDENGINE_DSN=ws://root:taosdata@localhost:6041 cargo run --example quickstart`.

use taosync::{Timestamp, params};
use taosync_server::{Server, ServerConfig, ServerHandle};

/// The DSN to use, and the embedded server when one was started for it.
fn target() -> taosync::Result<(String, Option<ServerHandle>)> {
    match std::env::var("TDENGINE_DSN") {
        Ok(dsn) => Ok((dsn, None)),
        Err(_) => {
            let server = Server::start(ServerConfig::new())?;
            Ok((server.dsn_ws(), Some(server)))
        }
    }
}

fn main() -> taosync::Result<()> {
    let (dsn, _server) = target()?;
    let conn = taosync::connect(dsn.as_str())?;
    println!("connected to TDengine {}", conn.server_version()?);

    conn.execute(
        "create database if not exists quickstart precision 'ms'",
        (),
    )?;
    conn.select_db("quickstart")?;
    conn.execute("create stable if not exists meters (ts timestamp, current float, voltage int, phase float) \
         tags (location varchar(64), group_id int)", ())?;
    conn.execute(
        "create table if not exists d1001 using meters tags ('California.SanFrancisco', 2)",
        (),
    )?;

    let mut cur = conn.cursor();
    let start = 1_700_000_000_000i64;
    let rows = (0..5).map(|i| {
        params![
            Timestamp::new(start + i * 1000, taosync::Precision::Millisecond),
            10.0f32 + i as f32 / 10.0,
            218 + i as i32,
            0.31f32
        ]
    });
    cur.executemany("insert into d1001 values (?, ?, ?, ?)", rows)?;
    println!("inserted {} rows", cur.rowcount());

    cur.execute(
        "select ts, current, voltage, phase from d1001 where voltage >= ? order by ts",
        params![219],
    )?;
    let names: Vec<String> = cur
        .description()
        .unwrap_or(&[])
        .iter()
        .map(|d| d.name.clone())
        .collect();
    println!(
        "{}",
        names.iter().map(|n| format!("{n:<26}")).collect::<String>()
    );
    while let Some(row) = cur.fetchone()? {
        let line: String = row
            .values()
            .iter()
            .map(|v| format!("{:<26}", v.to_string()))
            .collect();
        println!("{line}");
    }
    println!("{} rows", cur.rowcount());

    conn.execute("drop database if exists quickstart", ())?;
    conn.close()
}
