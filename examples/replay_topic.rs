//! Replicate a database through TMQ: subscribe to a `WITH META` database topic of `src`,
//! replay every message into `dst` (meta messages with `write_raw_meta`, data blocks with
//! `write_raw_block_with_fields`), then compare the two databases table by table.
//!
//! `cargo run --example replay_topic` (on the embedded server when `TDENGINE_DSN` is not
//! set; with it, the DSN's server is used and databases `replay_src` / `replay_dst` are
//! dropped and recreated there).

use std::time::Duration;

use taosync::tmq::{Consumer, MessageType};
use taosync::{Connection, Row};
use taosync_server::Server;

/// Every row of every table of `db`, sorted, as text.
fn snapshot(conn: &Connection, db: &str) -> taosync::Result<Vec<String>> {
    let mut out = Vec::new();
    let tables: Vec<String> = conn
        .query(&format!("show {db}.tables"), ())?
        .map(|r| r.and_then(|r| r.get::<String>(0)))
        .collect::<taosync::Result<_>>()?;
    for table in tables {
        for row in conn.query(&format!("select * from {db}.`{table}` order by ts"), ())? {
            let row: Row = row?;
            let values: Vec<String> = row.values().iter().map(|v| format!("{v:?}")).collect();
            out.push(format!("{table}: {}", values.join(", ")));
        }
    }
    out.sort();
    Ok(out)
}

fn main() -> taosync::Result<()> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    for sql in [
        "drop topic if exists replay_topic",
        "drop database if exists replay_src",
        "drop database if exists replay_dst",
        "create database replay_src vgroups 1",
        "create database replay_dst vgroups 1",
        "create topic replay_topic with meta as database replay_src",
        "create stable replay_src.meters (ts timestamp, current float, note varchar(16)) tags (site int)",
        "insert into replay_src.d1 using replay_src.meters tags (1) values (1700000000000, 1.5, 'a') (1700000001000, 2.5, 'b')",
        "alter stable replay_src.meters add column phase int",
        "insert into replay_src.d2 using replay_src.meters tags (2) values (1700000000000, 3.5, 'c', 7)",
        "alter table replay_src.d1 set tag site = 10",
        "create table replay_src.plain (ts timestamp, v bigint)",
        "insert into replay_src.plain values (1700000000000, 42)",
        "delete from replay_src.d1 where ts = 1700000000000",
    ] {
        conn.execute(sql, ())?;
    }

    let consumer = Consumer::from_dsn_and_config(
        &dsn,
        [
            ("group.id", "replay"),
            ("auto.offset.reset", "earliest"),
            ("msg.with.table.name", "true"),
        ],
    )?;
    consumer.subscribe(&["replay_topic"])?;
    let replica = taosync::connect(dsn.as_str())?;
    replica.execute("use replay_dst", ())?;
    let (mut metas, mut blocks) = (0, 0);
    for message in consumer.iter(Duration::from_secs(1)) {
        let message = message?;
        if let Some(meta) = message.raw_meta() {
            replica.write_raw_meta(meta)?;
            metas += 1;
        }
        if message.message_type() != MessageType::Meta {
            for block in &message {
                replica.write_raw_block_with_fields(
                    block.table_name(),
                    block.raw_block(),
                    block.columns(),
                )?;
                blocks += 1;
            }
        }
        consumer.commit(&message)?;
    }
    consumer.close()?;
    println!("replayed {metas} meta messages and {blocks} data blocks");

    let (src, dst) = (
        snapshot(&conn, "replay_src")?,
        snapshot(&conn, "replay_dst")?,
    );
    for line in &dst {
        println!("  {line}");
    }
    let tags = |db: &str| -> taosync::Result<Vec<(String, i32)>> {
        conn.query(
            &format!("select distinct tbname, site from {db}.meters"),
            (),
        )?
        .map(|r| r.and_then(|r| r.to_typed::<(String, i32)>()))
        .collect::<taosync::Result<Vec<_>>>()
        .map(|mut v| {
            v.sort();
            v
        })
    };
    if src != dst || tags("replay_src")? != tags("replay_dst")? {
        eprintln!("the replica differs:\nsource  {src:?}\nreplica {dst:?}");
        std::process::exit(1);
    }
    println!(
        "replay_dst matches replay_src: {} rows, tags equal",
        dst.len()
    );
    conn.execute("drop topic replay_topic", ())?;
    Ok(())
}
