//! The Rust side of `examples/c/bench_fetch.c`: reads the table the C program filled
//! (`bench.t`) through taosync's own API, row by row (`Cursor::fetchmany`, values decoded)
//! and block by block (`Cursor::next_block` + `BlockView`, read in place), and prints rows/s
//! and this process's CPU per row, to set next to the C numbers of `taos_fetch_block`.
//!
//! Usage: `cargo run --release -p taosync-capi --example bench_fetch -- ws://127.0.0.1:6041`

use std::time::Instant;

use taosync::Value;
use taosync::cursor::Block;
use taosync_proto::block::BlockView;

/// This process's user + system CPU seconds (Linux `/proc/self/stat`, 100 ticks/s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

fn report(what: &str, rows: usize, wall: f64, cpu: f64, check: i64) {
    println!(
        "Rust {what}: {rows} rows in {wall:.3} s = {:.0} rows/s; client CPU {:.1} ns/row (checksum {check})",
        rows as f64 / wall,
        cpu * 1e9 / rows.max(1) as f64
    );
}

fn main() -> Result<(), taosync::Error> {
    let dsn = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://root:taosdata@127.0.0.1:6041".into());
    let conn = taosync::connect(dsn.as_str())?;

    let (t0, c0) = (Instant::now(), cpu_seconds());
    let mut cur = conn.cursor()?;
    cur.execute("SELECT ts, v, d, s FROM bench.t", ())?;
    let (mut rows, mut sum) = (0usize, 0i64);
    loop {
        let batch = cur.fetchmany(Some(4096))?;
        if batch.is_empty() {
            break;
        }
        for row in &batch {
            if let Some(Value::Int(v)) = row.values().get(1) {
                sum += i64::from(*v);
            }
        }
        rows += batch.len();
    }
    report(
        "fetchmany (Values)",
        rows,
        t0.elapsed().as_secs_f64(),
        cpu_seconds() - c0,
        sum,
    );

    let (t0, c0) = (Instant::now(), cpu_seconds());
    let mut cur = conn.cursor()?;
    cur.execute("SELECT ts, v, d, s FROM bench.t", ())?;
    let (mut rows, mut sum) = (0usize, 0i64);
    while let Some((block, _)) = cur.next_block()? {
        if let Block::Raw(bytes) = block {
            let view = BlockView::parse(&bytes)?;
            if let Some(values) = view.column(1).and_then(|c| c.fixed_values()) {
                for b in values.chunks_exact(4) {
                    sum += i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                }
            }
            rows += view.rows();
        }
    }
    report(
        "next_block (in place)",
        rows,
        t0.elapsed().as_secs_f64(),
        cpu_seconds() - c0,
        sum,
    );
    Ok(())
}
