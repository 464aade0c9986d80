//! Fetch N rows (ts, int, double, varchar(24)) as Arrow record batches and as rows, on the
//! same server, and print rows/s and client CPU per row for each (feature `arrow`).
//!
//! `cargo run --release --example arrow_bench --features arrow -- [N]` (N defaults to
//! 1 000 000). With no `TDENGINE_DSN`, an embedded server runs in this process; the CPU
//! figures are then the whole process's, server included, and only their difference is
//! the client's.

use std::time::{Duration, Instant};

use taosync::arrow::arrow_array::{Array, Float64Array, Int32Array, StringArray};
use taosync_server::Server;

#[path = "support/measure.rs"]
mod measure;
use measure::cpu_time;

fn main() -> taosync::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    conn.execute("drop database if exists arrow_bench", ())?;
    conn.execute("create database arrow_bench", ())?;
    conn.select_db("arrow_bench")?;
    conn.execute(
        "create table t (ts timestamp, v int, d double, s varchar(24))",
        (),
    )?;
    let base = 1_600_000_000_000i64;
    let mut written = 0u64;
    let mut sql = String::with_capacity(1 << 20);
    while written < n {
        sql.clear();
        sql.push_str("insert into t values");
        let batch = (n - written).min(20_000);
        for i in written..written + batch {
            sql.push_str(&format!(
                " ({}, {}, {}, 'name-{}')",
                base + i as i64,
                i % 1000,
                i as f64 * 0.5,
                i % 977
            ));
        }
        conn.execute(&sql, ())?;
        written += batch;
    }

    for round in 0..3 {
        let (t, cpu) = (Instant::now(), cpu_time());
        let mut rows = 0usize;
        let mut checksum = 0f64;
        for batch in conn
            .query("select ts, v, d, s from t", ())?
            .record_batches()
        {
            let batch = batch?;
            let col = |i: usize| batch.column(i).as_any();
            let (v, d, s) = (
                col(1).downcast_ref::<Int32Array>(),
                col(2).downcast_ref::<Float64Array>(),
                col(3).downcast_ref::<StringArray>(),
            );
            if let (Some(v), Some(d), Some(s)) = (v, d, s) {
                for i in 0..batch.num_rows() {
                    checksum += f64::from(v.value(i)) + d.value(i) + s.value(i).len() as f64;
                }
            }
            rows += batch.num_rows();
        }
        report(
            round,
            "arrow",
            rows,
            t.elapsed(),
            cpu_time().saturating_sub(cpu),
            checksum,
        );

        let (t, cpu) = (Instant::now(), cpu_time());
        let mut rows = 0usize;
        let mut checksum = 0f64;
        for row in conn.query("select ts, v, d, s from t", ())? {
            let row = row?;
            checksum += f64::from(row.get::<i32>(1)?)
                + row.get::<f64>(2)?
                + row.get::<String>(3)?.len() as f64;
            rows += 1;
        }
        report(
            round,
            "rows ",
            rows,
            t.elapsed(),
            cpu_time().saturating_sub(cpu),
            checksum,
        );
    }
    conn.execute("drop database arrow_bench", ())?;
    Ok(())
}

fn report(round: usize, what: &str, rows: usize, wall: Duration, cpu: Duration, checksum: f64) {
    println!(
        "round {round} {what}: {rows} rows in {wall:.2?}: {:>9.0} rows/s, {:.3} µs CPU/row \
         (checksum {checksum})",
        rows as f64 / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / rows.max(1) as f64,
    );
}
