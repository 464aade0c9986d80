//! The Rust side of `examples/c/bench_fetch.c`: reads the table the C program filled
//! (`bench.t`) through taosync's own API and prints rows/s and this process's CPU per row,
//! to set next to the C numbers of `taos_fetch_block`. Both programs do the same work per
//! row: add up the INT column and the lengths of the VARCHAR values.
//!
//! * `next_block (in place)`: `Cursor::next_block` + `BlockView`, values read where they
//!   lie in the received block: the path `taos_fetch_block` is built on, so the one the
//!   C numbers are compared with (`examples/c/bench.sh` prints the ratio).
//! * `fetchmany (Values)`: rows decoded into `Value`s (skipped with `--blocks-only`).
//!
//! Usage: `cargo run --release -p taosync-capi --example bench_fetch -- ws://127.0.0.1:6041 [--blocks-only]`

use std::time::Instant;

use taosync::Value;
use taosync::cursor::Block;
use taosync_proto::block::BlockView;

/// `struct timeval` of Linux on 64-bit targets.
#[repr(C)]
#[derive(Default)]
struct Timeval {
    sec: i64,
    usec: i64,
}

/// `struct rusage` of Linux on 64-bit targets: two timevals, then 14 `long` counters.
#[repr(C)]
#[derive(Default)]
struct Rusage {
    utime: Timeval,
    stime: Timeval,
    counters: [i64; 14],
}

unsafe extern "C" {
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}

/// This process's user + system CPU seconds (`getrusage(RUSAGE_SELF)`, all threads, µs
/// resolution: the same clock the C program reads).
fn cpu_seconds() -> f64 {
    let mut u = Rusage::default();
    // SAFETY: `u` is a valid, writable `struct rusage`; RUSAGE_SELF is 0.
    if unsafe { getrusage(0, &mut u) } != 0 {
        return 0.0;
    }
    let t = |tv: &Timeval| tv.sec as f64 + tv.usec as f64 / 1e6;
    t(&u.utime) + t(&u.stime)
}

fn report(what: &str, rows: usize, wall: f64, cpu: f64, sum: i64, text: usize) {
    println!(
        "Rust {what}: {rows} rows in {wall:.3} s = {:.0} rows/s; client CPU {:.1} ns/row \
         (checksum {sum}, {text} text bytes)",
        rows as f64 / wall,
        cpu * 1e9 / rows.max(1) as f64
    );
}

fn main() -> Result<(), taosync::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let blocks_only = args.iter().any(|a| a == "--blocks-only");
    let dsn = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "ws://root:taosdata@127.0.0.1:6041".into());
    let conn = taosync::connect(dsn.as_str())?;

    let (t0, c0) = (Instant::now(), cpu_seconds());
    let mut cur = conn.cursor()?;
    cur.execute("SELECT ts, v, d, s FROM bench.t", ())?;
    let (mut rows, mut sum, mut text) = (0usize, 0i64, 0usize);
    while let Some((block, _)) = cur.next_block()? {
        if let Block::Raw(bytes) = block {
            let view = BlockView::parse(&bytes)?;
            if let Some(values) = view.column(1).and_then(|c| c.fixed_values()) {
                for b in values.chunks_exact(4) {
                    sum += i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                }
            }
            if let Some(s) = view.column(3) {
                for r in 0..view.rows() {
                    text += s.var_value(r)?.map_or(0, <[u8]>::len);
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
        text,
    );
    if blocks_only {
        return Ok(());
    }

    let (t0, c0) = (Instant::now(), cpu_seconds());
    let mut cur = conn.cursor()?;
    cur.execute("SELECT ts, v, d, s FROM bench.t", ())?;
    let (mut rows, mut sum, mut text) = (0usize, 0i64, 0usize);
    loop {
        let batch = cur.fetchmany(Some(4096))?;
        if batch.is_empty() {
            break;
        }
        for row in &batch {
            if let Some(Value::Int(v)) = row.values().get(1) {
                sum += i64::from(*v);
            }
            if let Some(Value::VarChar(s)) = row.values().get(3) {
                text += s.len();
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
        text,
    );
    Ok(())
}
