//! A supertable with a JSON tag: create child tables with JSON objects as tags, filter on
//! a tag key and read the tags back as `serde_json::Value`.

use taosync_server::Server;

fn main() -> taosync::Result<()> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    conn.execute("drop database if exists json_tag", ())?;
    conn.execute("create database json_tag", ())?;
    conn.select_db("json_tag")?;
    conn.execute(
        "create stable sensors (ts timestamp, v int) tags (info json)",
        (),
    )?;
    conn.execute(
        r#"create table s1 using sensors tags ('{"room":"kitchen","floor":1}')"#,
        (),
    )?;
    conn.execute(
        r#"create table s2 using sensors tags ('{"room":"attic","floor":3,"beta":true}')"#,
        (),
    )?;
    conn.execute("insert into s1 values (1700000000000, 21)", ())?;
    conn.execute("insert into s2 values (1700000000000, 17)", ())?;

    let mut cur = conn.cursor()?;
    cur.execute("select tbname, info, v from sensors order by tbname", ())?;
    for (name, info, v) in cur.fetchall_as::<(String, serde_json::Value, i32)>()? {
        println!(
            "{name}: room={} floor={} v={v} (tag {info})",
            info["room"], info["floor"]
        );
    }
    cur.execute(
        "select tbname, info->'room' from sensors where info->'floor' > 2",
        (),
    )?;
    for row in cur.by_ref() {
        let row = row?;
        // `->` yields a JSON value: the room is the JSON string "attic".
        let room: serde_json::Value = row.get(1)?;
        println!(
            "upstairs: {} in {}",
            row.get::<String>(0)?,
            room.as_str().unwrap_or("?")
        );
    }
    conn.execute("drop database json_tag", ())?;
    Ok(())
}
