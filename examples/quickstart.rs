//! Connect, create a table, insert rows with parameters, query them back.
//!
//! Runs on an embedded server unless `TDENGINE_DSN` names a real TDengine, e.g.
//! `TDENGINE_DSN=ws://root:taosdata@localhost:6041 cargo run --example quickstart`.

use taosync::{Timestamp, params};
use taosync_server::{Server, ServerConfig};

fn main() -> taosync::Result<()> {
    // A real server when TDENGINE_DSN is set, else an in-memory one for this process.
    let (dsn, _server) = match std::env::var("TDENGINE_DSN") {
        Ok(dsn) => (dsn, None),
        Err(_) => {
            let server = Server::start(ServerConfig::new())?;
            println!(
                "started an embedded TDengine-compatible server at {}",
                server.addr()
            );
            (server.dsn_ws(), Some(server))
        }
    };
    let conn = taosync::connect(dsn.as_str())?;
    println!("connected to TDengine {}", conn.server_version()?);

    conn.execute("create database if not exists quickstart", ())?;
    conn.select_db("quickstart")?;
    conn.execute(
        "create table if not exists meters (ts timestamp, current float, location nchar(32))",
        (),
    )?;

    let mut cur = conn.cursor()?;
    let rows = (0..3i64).map(|i| {
        params![
            1_700_000_000_000 + i * 1000,
            10.0f32 + i as f32,
            "San Francisco"
        ]
    });
    cur.executemany("insert into meters values (?, ?, ?)", rows)?;
    println!("inserted {} rows", cur.rowcount());

    cur.execute(
        "select ts, current, location from meters where current > ?",
        params![10.5f32],
    )?;
    for row in cur.fetchall()? {
        let (ts, current, location): (Timestamp, f32, String) = row.to_typed()?;
        println!("{ts}  {current:>5}  {location}");
    }

    conn.execute("drop database if exists quickstart", ())?;
    conn.close()
}
