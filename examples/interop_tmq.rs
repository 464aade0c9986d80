//! Interop check (the reverse of `tests/interop/test_tmq.py`): taosync's [`Consumer`]
//! reads a topic whose rows another client (the official `taosws`) wrote, and validates
//! them. Invoked by `tests/interop/test_tmq_taosync.py`.
//!
//! Environment:
//! * `TAOSYNC_TMQ_DSN`: the server, e.g. `ws://root:taosdata@127.0.0.1:6041`;
//! * `TAOSYNC_TMQ_TOPIC`: a topic over `ts timestamp, v int, s varchar(..)` rows where
//!   `ts = 1700000000000 + v` and `s = "s{v}"`;
//! * `TAOSYNC_TMQ_ROWS`: how many rows were written (`v = 0..rows`, each once).
//!
//! Prints one summary line and exits non-zero on the first mismatch.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use taosync::Timestamp;
use taosync::tmq::Consumer;

const BASE_TS: i64 = 1_700_000_000_000;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn run() -> Result<String, String> {
    let dsn = env("TAOSYNC_TMQ_DSN")?;
    let topic = env("TAOSYNC_TMQ_TOPIC")?;
    let rows: usize = env("TAOSYNC_TMQ_ROWS")?
        .parse()
        .map_err(|e| format!("TAOSYNC_TMQ_ROWS: {e}"))?;
    let consumer = Consumer::from_dsn_and_config(
        &dsn,
        [
            ("group.id", "taosync-interop"),
            ("client.id", "interop_tmq"),
            ("auto.offset.reset", "earliest"),
            ("read_timeout", "20s"),
        ],
    )
    .map_err(|e| e.to_string())?;
    consumer
        .subscribe(&[topic.as_str()])
        .map_err(|e| e.to_string())?;

    let mut seen = vec![false; rows];
    let mut per_table: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    let mut count = 0usize;
    let end = Instant::now() + Duration::from_secs(30);
    while count < rows && Instant::now() < end {
        let Some(message) = consumer
            .poll(Duration::from_millis(500))
            .map_err(|e| e.to_string())?
        else {
            continue;
        };
        if message.topic() != topic {
            return Err(format!("message of topic {:?}", message.topic()));
        }
        for (table, row) in message.rows() {
            let ts: Timestamp = row.get("ts").map_err(|e| e.to_string())?;
            let v: i32 = row.get("v").map_err(|e| e.to_string())?;
            let s: String = row.get("s").map_err(|e| e.to_string())?;
            let slot = usize::try_from(v)
                .ok()
                .and_then(|i| seen.get_mut(i))
                .ok_or_else(|| format!("unexpected v = {v}"))?;
            if std::mem::replace(slot, true) {
                return Err(format!("v = {v} delivered twice"));
            }
            if ts.value() != BASE_TS + i64::from(v) || s != format!("s{v}") {
                return Err(format!(
                    "row {table}: ts {ts} v {v} s {s:?} is not what was written"
                ));
            }
            per_table.entry(table.to_owned()).or_default().push(v);
            count += 1;
        }
        consumer.commit(&message).map_err(|e| e.to_string())?;
    }
    if count != rows {
        return Err(format!("received {count} of {rows} rows"));
    }
    for (table, vs) in &per_table {
        if !vs.windows(2).all(|w| w[0] < w[1]) {
            return Err(format!("rows of {table} out of order: {vs:?}"));
        }
    }
    // Everything was committed: the group is at the end of every vgroup.
    for topic in consumer.assignment().map_err(|e| e.to_string())? {
        for a in &topic.assignments {
            let committed = consumer
                .committed(&topic.topic, a.vgroup_id)
                .map_err(|e| e.to_string())?;
            if committed != Some(a.end) {
                return Err(format!(
                    "vgroup {}: committed {committed:?}, WAL end {}",
                    a.vgroup_id, a.end
                ));
            }
        }
    }
    consumer.close().map_err(|e| e.to_string())?;
    Ok(format!(
        "taosync consumer read {count} rows of {} tables from topic {topic}",
        per_table.len()
    ))
}

fn main() -> ExitCode {
    match run() {
        Ok(summary) => {
            println!("OK: {summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("FAIL: {e}");
            ExitCode::FAILURE
        }
    }
}
