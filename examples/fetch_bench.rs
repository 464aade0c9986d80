//! Fetch N rows with `fetchmany` and print rows/s and memory use. The fetch streams one
//! block at a time, so the client's memory stays around one block whatever N is.
//!
//! `cargo run --release --example fetch_bench -- [N]` (N defaults to 10 000 000).
//! Against the embedded server the server's own storage lives in this process too, so the
//! growth of the peak RSS *during the fetch* is the number that shows the client's cost.

use std::time::Instant;

use taosync_server::Server;

#[path = "support/measure.rs"]
mod measure;
use measure::status_kib;

fn main() -> taosync::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(10_000_000);
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    conn.execute("drop database if exists fetch_bench", ())?;
    conn.execute("create database fetch_bench", ())?;
    conn.select_db("fetch_bench")?;
    conn.execute("create table t (ts timestamp, v int, d double)", ())?;

    let t0 = Instant::now();
    let base = 1_600_000_000_000i64;
    let mut written = 0u64;
    let mut sql = String::with_capacity(1 << 20);
    while written < n {
        sql.clear();
        sql.push_str("insert into t values");
        let batch = (n - written).min(20_000);
        for i in written..written + batch {
            sql.push_str(&format!(
                " ({}, {}, {})",
                base + i as i64,
                i % 1000,
                i as f64 * 0.5
            ));
        }
        conn.execute(&sql, ())?;
        written += batch;
    }
    println!("inserted {n} rows in {:.2?}", t0.elapsed());

    let rss_before = status_kib("VmRSS:");
    let hwm_before = status_kib("VmHWM:");
    let mut cur = conn.cursor()?;
    cur.set_arraysize(10_000);
    let t1 = Instant::now();
    cur.execute("select ts, v, d from t", ())?;
    let mut fetched = 0u64;
    let mut checksum = 0i64;
    loop {
        let rows = cur.fetchmany(None)?;
        if rows.is_empty() {
            break;
        }
        fetched += rows.len() as u64;
        for r in &rows {
            checksum = checksum.wrapping_add(i64::from(r.get::<i32>(1)?));
        }
    }
    let secs = t1.elapsed().as_secs_f64();
    let hwm_after = status_kib("VmHWM:");
    println!(
        "fetched {fetched} rows in {secs:.2}s: {:.0} rows/s (checksum {checksum})",
        fetched as f64 / secs.max(1e-9)
    );
    println!(
        "peak RSS (VmHWM) {} MiB; RSS before the fetch {} MiB; peak growth during the fetch {} MiB",
        hwm_after / 1024,
        rss_before / 1024,
        hwm_after.saturating_sub(hwm_before.max(rss_before)) / 1024
    );
    conn.execute("drop database fetch_bench", ())?;
    Ok(())
}
