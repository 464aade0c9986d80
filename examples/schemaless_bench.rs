//! Schemaless write throughput: N InfluxDB lines (default 1,000,000) in batches (default
//! 10,000 lines) over WebSocket and over REST, printing lines per second for each.
//!
//! `cargo run --release --example schemaless_bench -- [N] [BATCH]`
//!
//! Runs both transports against the embedded server unless `TDENGINE_DSN` names a real
//! server, in which case only that DSN's transport is measured. Each transport writes into
//! its own fresh database (`taosync_sml_bench_<transport>`), dropped at the end. Only the
//! inserts are timed, not building the lines.

use std::time::{Duration, Instant};

use taosync::{SchemalessPrecision, SchemalessProtocol};
use taosync_server::{Server, ServerConfig, ServerHandle};

/// (transport name, DSN) pairs to measure, and the embedded server when one was started.
type Targets = (Vec<(String, String)>, Option<ServerHandle>);

/// What to measure: the `TDENGINE_DSN`, or both transports of an embedded server.
fn targets() -> taosync::Result<Targets> {
    match std::env::var("TDENGINE_DSN") {
        Ok(dsn) => {
            let name = dsn.split("://").next().unwrap_or("dsn").to_owned();
            Ok((vec![(name, dsn)], None))
        }
        Err(_) => {
            let server = Server::start(ServerConfig::new())?;
            let dsns = vec![
                ("ws".to_owned(), server.dsn_ws()),
                ("rest".to_owned(), server.dsn_rest()),
            ];
            Ok((dsns, Some(server)))
        }
    }
}

fn arg(n: usize, default: usize) -> Result<usize, String> {
    match std::env::args().nth(n) {
        None => Ok(default),
        Some(text) => text
            .replace('_', "")
            .parse::<usize>()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| format!("argument {n} must be a positive integer, got {text:?}")),
    }
}

/// Lines `start..start + count`: 100 hosts in 4 regions, millisecond timestamps.
fn batch(start: usize, count: usize, out: &mut Vec<String>) {
    const BASE_MS: usize = 1_700_000_000_000;
    out.clear();
    out.extend((start..start + count).map(|i| {
        format!(
            "cpu,host=host{},region=r{} usage_user={}.{},usage_system={},count={i}i {}",
            i % 100,
            i % 4,
            i % 97,
            i % 10,
            (i % 13) as f64 / 4.0,
            BASE_MS + i / 100
        )
    }));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let total = arg(1, 1_000_000)?;
    let batch_size = arg(2, 10_000)?.min(total);
    let (targets, _server) = targets()?;
    println!("{total} lines in batches of {batch_size}");
    let mut lines = Vec::with_capacity(batch_size);
    for (name, dsn) in &targets {
        let conn = taosync::connect(dsn.as_str())?;
        let db = format!("taosync_sml_bench_{name}");
        conn.execute(&format!("drop database if exists {db}"), ())?;
        conn.execute(&format!("create database {db} precision 'ms'"), ())?;
        conn.select_db(&db)?;
        let mut busy = Duration::ZERO;
        let mut written = 0u64;
        let mut start = 0;
        while start < total {
            let count = batch_size.min(total - start);
            batch(start, count, &mut lines);
            let t0 = Instant::now();
            written += conn.schemaless_insert(
                &lines,
                SchemalessProtocol::Line,
                SchemalessPrecision::Millisecond,
                0,
                None,
            )?;
            busy += t0.elapsed();
            start += count;
        }
        let stored: i64 = conn
            .query("select count(*) from cpu", ())?
            .next()
            .transpose()?
            .map(|r| r.get(0))
            .transpose()?
            .unwrap_or(0);
        let rate = total as f64 / busy.as_secs_f64().max(1e-9);
        println!(
            "{name:>5}: {total} lines in {:.2} s = {rate:.0} lines/s ({written} reported, {stored} rows stored)",
            busy.as_secs_f64()
        );
        conn.execute(&format!("drop database {db}"), ())?;
    }
    Ok(())
}
