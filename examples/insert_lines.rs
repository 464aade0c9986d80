//! Schemaless ingestion with all three protocols — InfluxDB line, OpenTSDB telnet and
//! OpenTSDB JSON — then a look at what TDengine created: the supertables, their child
//! tables, a schema and the rows. Mirrors the Python connector's `insert_lines.py`.
//!
//! Runs against the embedded server unless `TDENGINE_DSN` names a real one, e.g.
//! `TDENGINE_DSN=ws://root:taosdata@localhost:6041 cargo run --example insert_lines`
//! (an `http://` DSN works too: the records then go to taosAdapter's InfluxDB and OpenTSDB
//! HTTP endpoints).

use taosync::{Connection, SchemalessPrecision, SchemalessProtocol};
use taosync_server::Server;

/// The DSN to use, and the embedded server when one was started for it.
/// Prints the rows of `sql`, one per line, cells separated by ` | `.
fn print_query(conn: &Connection, sql: &str) -> taosync::Result<()> {
    println!("> {sql}");
    for row in conn.query(sql, ())? {
        let row = row?;
        let cells: Vec<String> = row.values().iter().map(ToString::to_string).collect();
        println!("  {}", cells.join(" | "));
    }
    Ok(())
}

fn main() -> taosync::Result<()> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    let db = "taosync_insert_lines";
    conn.execute(&format!("drop database if exists {db}"), ())?;
    conn.execute(&format!("create database {db} precision 'us'"), ())?;
    conn.select_db(db)?;

    // InfluxDB line protocol: measurement,tags fields timestamp (nanoseconds when the
    // precision is not configured).
    let lines = [
        r#"st,t1=3i64,t2=4f64,t3="t3" c1=3i64,c3=L"passit",c2=false,c4=4f64 1626006833639000000"#,
        r#"st,t1=4i64,t3="t4",t2=5f64,t4=5f64 c1=3i64,c3=L"passitagin",c2=true,c4=5f64,c5=5f64 1626006833640000000"#,
    ];
    let n = conn.schemaless_insert(
        &lines,
        SchemalessProtocol::Line,
        SchemalessPrecision::NotConfigured,
        0,
        None,
    )?;
    println!("line protocol: {n} rows");
    // A new field is added as a new column.
    let n = conn
        .schemaless(SchemalessProtocol::Line)
        .precision(SchemalessPrecision::Millisecond)
        .insert(r#"st,t1=4i64,t3="t4",t2=5f64,t4=5f64 c1=3i64,c3=L"passitagin_stf",c2=false,c5=5f64,c6=7u64 1626006933641"#)?;
    println!("line protocol, new column c6: {n} rows");

    // OpenTSDB telnet: metric timestamp value tags (10 digits: seconds, 13: milliseconds).
    let telnet = [
        "meters.current 1648432611249 10.3 location=California.SanFrancisco groupid=2",
        "meters.current 1648432611250 12.6 location=California.SanFrancisco groupid=2",
        "meters.voltage 1648432611 219 location=California.LosAngeles groupid=3",
    ];
    let n = conn
        .schemaless(SchemalessProtocol::Telnet)
        .insert(&telnet)?;
    println!("telnet: {n} rows");

    // OpenTSDB JSON: one document, an object or an array of objects (string tags become
    // VARCHAR here, NCHAR in telnet, so JSON writes its own metrics). `table_name_key`
    // names each child table after a tag instead of TDengine's `t_<md5>` names.
    let json = r#"[
        {"metric": "meters.power", "timestamp": 1648432611249, "value": 2.1,
         "tags": {"location": "California.SanFrancisco", "host": "pm.1"}},
        {"metric": "meters.power", "timestamp": 1648432611250, "value": 2.5,
         "tags": {"location": "California.LosAngeles", "host": "pm.2"}},
        {"metric": "sys.cpu.nice", "timestamp": 1648432611250, "value": 18,
         "tags": {"host": "web01", "dc": "lga"}}
    ]"#;
    let n = conn
        .schemaless(SchemalessProtocol::Json)
        .table_name_key("host")
        .insert(json)?;
    println!("json: {n} rows");

    print_query(&conn, "show stables")?;
    print_query(&conn, "show tables")?;
    print_query(&conn, "describe st")?;
    print_query(&conn, "select * from st order by _ts")?;
    print_query(&conn, "select tbname, * from meters_power")?;

    // A malformed record is a SchemalessError naming it.
    match conn.schemaless_insert(
        "st,t1=1i64 c1=oops 1626006833642000000",
        SchemalessProtocol::Line,
        SchemalessPrecision::NotConfigured,
        0,
        None,
    ) {
        Ok(n) => println!("unexpectedly accepted ({n} rows)"),
        Err(e) => println!("rejected as expected: {e}"),
    }

    conn.execute(&format!("drop database {db}"), ())?;
    Ok(())
}
