//! TMQ consumption throughput: writes N rows (default 1,000,000) into a supertable with a
//! topic, then consumes them all with one consumer and prints rows/s and the peak resident
//! memory (VmHWM).
//!
//! ```text
//! cargo run --release --example tmq_bench -- [rows]
//! ```
//!
//! Runs against the embedded server (in this process, so VmHWM includes the server's data
//! and WAL; the figure printed after writing is the baseline) unless `TDENGINE_DSN` names a
//! real one.

use std::time::{Duration, Instant};

use taosync::tmq::Consumer;
use taosync_server::Server;

const TABLES: usize = 10;
const ROWS_PER_INSERT: usize = 5_000;

/// Peak resident set size in KiB (Linux), if known.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn hwm() -> String {
    vm_hwm_kib().map_or_else(
        || "unknown".to_owned(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

fn write(dsn: &str, rows: usize) -> taosync::Result<()> {
    let conn = taosync::connect(dsn)?;
    conn.execute("drop topic if exists tmq_bench", ())?;
    conn.execute("drop database if exists tmq_bench", ())?;
    conn.execute("create database tmq_bench vgroups 4", ())?;
    conn.execute(
        "create stable tmq_bench.meters (ts timestamp, current float, voltage int, phase double) \
         tags (loc int)",
        (),
    )?;
    for t in 0..TABLES {
        conn.execute(
            &format!("create table tmq_bench.d{t} using tmq_bench.meters tags ({t})"),
            (),
        )?;
    }
    conn.execute("create topic tmq_bench as stable tmq_bench.meters", ())?;
    let start = Instant::now();
    let mut written = 0;
    while written < rows {
        let n = ROWS_PER_INSERT.min(rows - written);
        let mut sql = String::with_capacity(n * 48);
        sql.push_str("insert into");
        // One table per statement keeps each table's timestamps increasing.
        let table = (written / ROWS_PER_INSERT) % TABLES;
        sql.push_str(&format!(" tmq_bench.d{table} values"));
        for i in written..written + n {
            sql.push_str(&format!(
                " ({}, {}, {}, 0.5)",
                1_600_000_000_000i64 + i as i64,
                (i % 100) as f32 / 10.0,
                200 + i % 40
            ));
        }
        conn.execute(&sql, ())?;
        written += n;
    }
    println!(
        "wrote {rows} rows in {:.2?}; VmHWM after writing: {}",
        start.elapsed(),
        hwm()
    );
    Ok(())
}

fn main() -> taosync::Result<()> {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    write(&dsn, rows)?;

    let consumer = Consumer::from_dsn_and_config(
        &dsn,
        [("group.id", "bench"), ("auto.offset.reset", "earliest")],
    )?;
    consumer.subscribe(&["tmq_bench"])?;
    println!("server {}", consumer.server_version());
    let start = Instant::now();
    let (mut consumed, mut messages, mut checksum) = (0usize, 0usize, 0i64);
    while consumed < rows {
        let Some(message) = consumer.poll(Duration::from_secs(5))? else {
            println!("no message within 5 s after {consumed} rows; stopping");
            break;
        };
        messages += 1;
        for block in &message {
            for row in block {
                checksum += i64::from(row.get::<i32>(2)?);
                consumed += 1;
            }
        }
        consumer.commit(&message)?;
    }
    let elapsed = start.elapsed();
    println!(
        "consumed {consumed} rows in {messages} messages in {elapsed:.2?}: {:.0} rows/s (voltage sum {checksum})",
        consumed as f64 / elapsed.as_secs_f64()
    );
    println!("peak RSS (VmHWM): {}", hwm());
    consumer.close()?;
    Ok(())
}
