//! Interop helper: writes the records of `tests/interop/schemaless_lines.json` with
//! taosync into one fresh database, so that `tests/interop/compare_schemaless.py` can write
//! the same records with the official taos-ws-py client into another and compare the two.
//!
//! `cargo run --example interop_schemaless -- <DSN> <database> <lines.json>`
//!
//! The DSN picks the transport (`ws://` the `/ws` insert action, `http://` the InfluxDB and
//! OpenTSDB HTTP endpoints). The database is dropped and recreated with precision `ms`.

use taosync::{SchemalessPrecision, SchemalessProtocol};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dsn, db, path] = args.as_slice() else {
        return Err("usage: interop_schemaless <DSN> <database> <lines.json>".into());
    };
    let text = std::fs::read_to_string(path)?;
    let records: serde_json::Value = serde_json::from_str(&text)?;
    let strings = |key: &str| -> Result<Vec<String>, String> {
        records[key]
            .as_array()
            .ok_or_else(|| format!("{path}: `{key}` is not an array"))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{path}: `{key}` holds a non-string"))
            })
            .collect()
    };
    let line = strings("line")?;
    let telnet = strings("telnet")?;
    let json = records["json"]
        .as_str()
        .ok_or_else(|| format!("{path}: `json` is not a string"))?;

    let conn = taosync::connect(dsn.as_str())?;
    conn.execute(&format!("drop database if exists {db}"), ())?;
    conn.execute(&format!("create database {db} precision 'ms'"), ())?;
    conn.select_db(db)?;
    let ms = SchemalessPrecision::Millisecond;
    let n_line = conn.schemaless_insert(&line, SchemalessProtocol::Line, ms, 0, Some(1))?;
    let n_telnet = conn.schemaless_insert(&telnet, SchemalessProtocol::Telnet, ms, 0, Some(2))?;
    let n_json = conn.schemaless_insert(json, SchemalessProtocol::Json, ms, 0, Some(3))?;
    println!("taosync wrote {n_line} line, {n_telnet} telnet, {n_json} json records into {db}");
    Ok(())
}
