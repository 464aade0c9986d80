//! Dumps a query's rows as JSON lines and reads them back into a struct (feature `serde`):
//! `cargo run --example json_lines --features serde`.

use serde::Deserialize;
use taosync_server::Server;

#[derive(Deserialize, Debug)]
struct Meter {
    ts: chrono::DateTime<chrono::Utc>,
    current: f32,
    location: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    conn.execute("create database if not exists json_lines", ())?;
    conn.execute(
        "create table if not exists json_lines.meters (ts timestamp, current float, location varchar(16))",
        (),
    )?;
    conn.execute(
        "insert into json_lines.meters values (now, 10.5, 'attic') (now + 1s, 11.25, 'cellar')",
        (),
    )?;

    let mut cur = conn.cursor()?;
    cur.execute("select * from json_lines.meters", ())?;
    for row in cur.fetchall()? {
        println!("{}", serde_json::to_string(&row)?);
    }

    cur.execute("select * from json_lines.meters", ())?;
    let meters: Vec<Meter> = cur.fetchall_deserialized()?;
    for m in &meters {
        println!("{} {:>6.2} A at {}", m.ts, m.current, m.location);
    }
    conn.execute("drop database json_lines", ())?;
    Ok(())
}
