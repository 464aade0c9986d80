//! Data subscription, as in the Python connector's TMQ example: create a database, a
//! supertable and a topic, write rows, then consume them with manual commits, showing the
//! assignment, committed offsets and positions.
//!
//! Runs against the embedded server unless `TDENGINE_DSN` names a real one, e.g.
//! `TDENGINE_DSN=ws://root:taosdata@localhost:6041 cargo run --example tmq_consumer`.

use std::time::Duration;

use taosync::tmq::Consumer;
use taosync::{Timestamp, params};
use taosync_server::Server;

/// The DSN to use, and the embedded server when one was started for it.
fn prepare(dsn: &str) -> taosync::Result<()> {
    let conn = taosync::connect(dsn)?;
    conn.execute("drop topic if exists topic_meters", ())?;
    conn.execute("drop database if exists power", ())?;
    conn.execute("create database power vgroups 2", ())?;
    conn.execute(
        "create stable power.meters (ts timestamp, current float, voltage int, phase float) \
         tags (location varchar(64), group_id int)",
        (),
    )?;
    conn.execute(
        "create table power.d1001 using power.meters tags ('California.SanFrancisco', 2)",
        (),
    )?;
    conn.execute(
        "create table power.d1002 using power.meters tags ('California.LosAngeles', 3)",
        (),
    )?;
    conn.execute(
        "create topic topic_meters as select ts, current, voltage, phase, location, group_id \
         from power.meters",
        (),
    )?;
    let mut cur = conn.cursor()?;
    let start = 1_700_000_000_000i64;
    for table in ["d1001", "d1002"] {
        let rows = (0..5).map(|i| {
            params![
                Timestamp::new(start + i * 1000, taosync::Precision::Millisecond),
                10.0f32 + i as f32 * 0.3,
                219 + i as i32,
                0.31f32
            ]
        });
        cur.executemany(
            &format!("insert into power.{table} values (?, ?, ?, ?)"),
            rows,
        )?;
    }
    println!("wrote 10 rows into power.meters");
    Ok(())
}

fn main() -> taosync::Result<()> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    prepare(&dsn)?;

    let consumer = Consumer::from_dsn_and_config(
        &dsn,
        [
            ("group.id", "group1"),
            ("client.id", "client1"),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
        ],
    )?;
    consumer.subscribe(&["topic_meters"])?;
    println!("subscribed to {:?}", consumer.list_topics()?);

    let mut total = 0;
    for message in consumer.iter(Duration::from_secs(1)) {
        let message = message?;
        println!(
            "message: topic {} database {} vgroup {} offset {} ({} rows)",
            message.topic(),
            message.database(),
            message.vgroup_id(),
            message.offset(),
            message.num_rows()
        );
        for block in &message {
            let names: Vec<&str> = block.columns().iter().map(|c| c.name.as_str()).collect();
            println!("  table {} columns {names:?}", block.table_name());
            for row in block {
                let (ts, current, voltage, phase, location, group_id): (
                    Timestamp,
                    f32,
                    i32,
                    f32,
                    String,
                    i32,
                ) = row.to_typed()?;
                println!("    {ts} {current:.1} {voltage} {phase} {location} {group_id}");
                total += 1;
            }
        }
        consumer.commit(&message)?;
    }
    println!("consumed {total} rows");

    for topic in consumer.assignment()? {
        for a in &topic.assignments {
            let committed = consumer.committed(&topic.topic, a.vgroup_id)?;
            let position = consumer.position(&topic.topic, a.vgroup_id)?;
            println!(
                "assignment: topic {} vgroup {} offset {} begin {} end {} committed {committed:?} position {position:?}",
                topic.topic, a.vgroup_id, a.offset, a.begin, a.end
            );
            // Rewind to replay the vgroup from the oldest retained data.
            consumer.seek(&topic.topic, a.vgroup_id, a.begin)?;
        }
    }
    let replayed: usize = consumer
        .iter(Duration::from_millis(500))
        .map(|m| m.map(|m| m.num_rows()))
        .sum::<taosync::Result<usize>>()?;
    println!("replayed {replayed} rows after seeking to the beginning");

    consumer.unsubscribe()?;
    consumer.close()?;
    let conn = taosync::connect(dsn.as_str())?;
    conn.execute("drop topic if exists topic_meters", ())?;
    Ok(())
}
