//! Soak test: worker threads write and read back their own rows, on one shared connection
//! and on connections of their own, while the embedded server drops sockets (its fault
//! injector, a random count per start) and restarts at random. Every value read is
//! checked; at the end it prints operations, reconnects, errors by kind, wrong results
//! (which must be 0) and the peak RSS, and exits with 1 if any result was wrong.
//!
//! `cargo run --release --example soak -- [SECONDS] [THREADS]` (defaults: 60 s, 8 threads).
//! The server runs in this process (it holds the data in memory), so the peak RSS covers
//! both. A restart loses the data, as it would on a real server that lost its disk: the
//! workers recreate their tables and keep checking that what they read is theirs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use taosync::{Connection, ErrorKind};
use taosync_server::{FaultInjector, Server, ServerConfig, ServerHandle};

#[path = "support/measure.rs"]
mod measure;
use measure::peak_rss_mib;

/// Rows each insert writes.
const BATCH: u64 = 20;
/// Values of worker `i` are `i * STRIDE + seq`.
const STRIDE: i64 = 1_000_000_000;

/// A small xorshift generator: the soak needs variety, not statistics.
struct Rng(u64);

impl Rng {
    fn seeded(salt: u64) -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Rng((nanos ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

#[derive(Default)]
struct Stats {
    ops: AtomicU64,
    wrong: AtomicU64,
    restarts: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
    wrong_examples: Mutex<Vec<String>>,
}

impl Stats {
    fn error(&self, e: &taosync::Error) {
        let kind = format!("{:?}", e.kind());
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        *errors.entry(kind).or_default() += 1;
    }

    fn wrong(&self, what: String) {
        self.wrong.fetch_add(1, Ordering::Relaxed);
        let mut examples = self
            .wrong_examples
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if examples.len() < 10 {
            examples.push(what);
        }
    }
}

fn start_server(port: u16, rng: &mut Rng) -> taosync::Result<ServerHandle> {
    let faults = FaultInjector::new().drop_after(rng.between(40, 400) as usize);
    Server::start(ServerConfig::new().port(port).faults(faults))
}

/// One worker's state: the next sequence number it writes to its table.
struct Worker {
    me: i64,
    next_seq: u64,
    table_ready: bool,
}

impl Worker {
    /// One round: make sure the table exists, insert a batch, read the table back and
    /// check every row.
    fn round(&mut self, conn: &Connection, stats: &Stats) -> taosync::Result<()> {
        let table = format!("soak.t{}", self.me);
        if !self.table_ready {
            conn.execute("create database if not exists soak", ())?;
            conn.execute(
                &format!("create table if not exists {table} (ts timestamp, v bigint)"),
                (),
            )?;
            self.table_ready = true;
        }
        let values: Vec<String> = (self.next_seq..self.next_seq + BATCH)
            .map(|seq| {
                format!(
                    "({}, {})",
                    1_700_000_000_000_i64 + seq as i64,
                    self.me * STRIDE + seq as i64
                )
            })
            .collect();
        let inserted = conn.execute(
            &format!("insert into {table} values {}", values.join(" ")),
            (),
        );
        // Sequence numbers are never reused, whether the insert failed or not: a row
        // read later is then either one that was written or a wrong result.
        self.next_seq += BATCH;
        match inserted {
            Ok(n) if n != BATCH => stats.wrong(format!(
                "worker {}: insert of {BATCH} rows reported {n}",
                self.me
            )),
            Ok(_) => {}
            Err(e) => {
                if e.kind() == ErrorKind::Programming {
                    // The server restarted without our table.
                    self.table_ready = false;
                }
                return Err(e);
            }
        }
        stats.ops.fetch_add(1, Ordering::Relaxed);
        let mut cur = conn.cursor()?;
        if let Err(e) = cur.execute(&format!("select v from {table} order by ts"), ()) {
            if e.kind() == ErrorKind::Programming {
                self.table_ready = false;
            }
            return Err(e);
        }
        let mut last = None::<i64>;
        loop {
            let rows = cur.fetchmany(Some(64))?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let v: i64 = row.get(0)?;
                let owner = v / STRIDE;
                let seq = v % STRIDE;
                if owner != self.me || seq < 0 || seq as u64 >= self.next_seq {
                    stats.wrong(format!(
                        "worker {}: read {v}, not one of its values",
                        self.me
                    ));
                }
                if last.is_some_and(|l| l >= v) {
                    stats.wrong(format!(
                        "worker {}: read {v} after {}",
                        self.me,
                        last.unwrap_or_default()
                    ));
                }
                last = Some(v);
            }
        }
        stats.ops.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn main() -> taosync::Result<()> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);
    let mut rng = Rng::seeded(0);

    let first = Server::start(ServerConfig::new())?;
    let port = first.port();
    drop(first);
    let server = Arc::new(Mutex::new(Some(start_server(port, &mut rng)?)));
    let dsn = format!(
        "ws://root:taosdata@127.0.0.1:{port}?conn_retries=5&retry_backoff_ms=20&retry_backoff_max_ms=500&conn_timeout=2s&read_timeout=10s"
    );
    println!("soak: {threads} threads for {seconds} s against {dsn}");

    let stats = Arc::new(Stats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let shared = Arc::new(taosync::connect(&dsn)?);

    // Chaos: restart the server every 2 to 8 seconds.
    let chaos = {
        let (server, stats, stop) = (server.clone(), stats.clone(), stop.clone());
        thread::spawn(move || {
            let mut rng = Rng::seeded(1);
            while !stop.load(Ordering::Relaxed) {
                let wait = Instant::now() + Duration::from_millis(rng.between(2_000, 8_000));
                while Instant::now() < wait && !stop.load(Ordering::Relaxed) {
                    thread::sleep(Duration::from_millis(50));
                }
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let mut slot = server.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(old) = slot.take() {
                    old.shutdown();
                }
                thread::sleep(Duration::from_millis(rng.between(0, 300)));
                match start_server(port, &mut rng) {
                    Ok(s) => *slot = Some(s),
                    Err(e) => eprintln!("soak: restart failed: {e}"),
                }
                stats.restarts.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let own_reconnects = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..threads)
        .map(|i| {
            let (stats, stop, shared, dsn, own_reconnects) = (
                stats.clone(),
                stop.clone(),
                shared.clone(),
                dsn.clone(),
                own_reconnects.clone(),
            );
            thread::spawn(move || {
                let mut worker = Worker {
                    me: i as i64,
                    next_seq: 0,
                    table_ready: false,
                };
                // Even workers share one connection, odd ones open their own.
                let mut own: Option<Connection> = None;
                while !stop.load(Ordering::Relaxed) {
                    let conn = if i % 2 == 0 {
                        &*shared
                    } else {
                        if own.is_none() {
                            match taosync::connect(&dsn) {
                                Ok(c) => own = Some(c),
                                Err(e) => {
                                    stats.error(&e);
                                    thread::sleep(Duration::from_millis(50));
                                    continue;
                                }
                            }
                        }
                        match own.as_ref() {
                            Some(c) => c,
                            None => continue,
                        }
                    };
                    if let Err(e) = worker.round(conn, &stats) {
                        stats.error(&e);
                        thread::sleep(Duration::from_millis(10));
                    }
                }
                if let Some(c) = own {
                    own_reconnects.fetch_add(c.reconnects(), Ordering::Relaxed);
                }
            })
        })
        .collect();

    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut next_report = start + Duration::from_secs(10);
    while Instant::now() < end {
        thread::sleep(Duration::from_millis(100));
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(10);
            println!(
                "{:>5.0} s: {} ops, {} restarts, {} wrong, peak RSS {:.0} MiB",
                start.elapsed().as_secs_f64(),
                stats.ops.load(Ordering::Relaxed),
                stats.restarts.load(Ordering::Relaxed),
                stats.wrong.load(Ordering::Relaxed),
                peak_rss_mib()
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let _ = chaos.join();

    let errors = stats
        .errors
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let wrong = stats.wrong.load(Ordering::Relaxed);
    println!(
        "--- soak summary ({:.0} s, {threads} threads) ---",
        start.elapsed().as_secs_f64()
    );
    println!("operations        {}", stats.ops.load(Ordering::Relaxed));
    println!(
        "server restarts   {}",
        stats.restarts.load(Ordering::Relaxed)
    );
    println!(
        "reconnects        {} (shared connection {}, own connections {})",
        shared.reconnects() + own_reconnects.load(Ordering::Relaxed),
        shared.reconnects(),
        own_reconnects.load(Ordering::Relaxed)
    );
    println!("errors by kind    {errors:?}");
    println!("wrong results     {wrong}");
    println!("peak RSS          {:.0} MiB", peak_rss_mib());
    for example in stats
        .wrong_examples
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        println!("  wrong: {example}");
    }
    if wrong > 0 {
        std::process::exit(1);
    }
    Ok(())
}
