//! Insert throughput: N rows × 10 columns across 100 child tables, once through a stmt2
//! prepared statement (column-wise binds, one execute per 10 rounds of all tables) and once
//! through `Cursor::executemany` (client-side rendered multi-row INSERT SQL), printing rows/s
//! for each.
//!
//! `cargo run --release --example stmt_bench -- [rows]` (default 1,000,000). Runs against the
//! embedded server unless `TDENGINE_DSN` names a real one (a `ws://` DSN).

use std::time::Instant;

use taosync::params::params_from_iter;
use taosync::stmt::ColumnView;
use taosync::{Precision, Timestamp, Value};
use taosync_server::Server;

const TABLES: usize = 100;
/// Rows per table per bind.
const CHUNK: usize = 1000;

fn create(conn: &taosync::Connection, db: &str) -> taosync::Result<()> {
    conn.execute(&format!("drop database if exists {db}"), ())?;
    conn.execute(&format!("create database {db} precision 'ms'"), ())?;
    conn.select_db(db)?;
    conn.execute(
        "create stable meters (ts timestamp, c1 int, c2 bigint, c3 float, c4 double, c5 bool, \
         c6 smallint, c7 tinyint, c8 varchar(16), c9 nchar(16)) tags (gid int)",
        (),
    )?;
    Ok(())
}

const START: i64 = 1_700_000_000_000;

fn main() -> taosync::Result<()> {
    let total: usize = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|_| {
            taosync::Error::new(
                taosync::ErrorKind::Interface,
                format!("the row count must be a number, got {n:?}"),
            )
        })?,
        None => 1_000_000,
    };
    let per_table = total / TABLES;
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;
    let conn = taosync::connect(dsn.as_str())?;
    println!(
        "{} rows x 10 columns across {TABLES} child tables",
        per_table * TABLES
    );

    // stmt2: each round binds CHUNK rows for every table, one execute per round.
    create(&conn, "bench_stmt")?;
    let mut stmt =
        conn.statement_with("INSERT INTO ? USING meters TAGS (?) VALUES (?,?,?,?,?,?,?,?,?,?)")?;
    let started = Instant::now();
    let mut written = 0u64;
    let mut offset = 0;
    while offset < per_table {
        let n = CHUNK.min(per_table - offset);
        for t in 0..TABLES {
            stmt.set_tbname_tags(&format!("d{t}"), &[Value::Int(t as i32)])?;
            let rows = offset..offset + n;
            stmt.bind_param([
                ColumnView::millis_timestamps(rows.clone().map(|r| START + r as i64)),
                ColumnView::ints(rows.clone().map(|r| r as i32)),
                ColumnView::bigints(rows.clone().map(|r| r as i64 * 3)),
                ColumnView::floats(rows.clone().map(|r| r as f32 / 2.0)),
                ColumnView::doubles(rows.clone().map(|r| r as f64 / 4.0)),
                ColumnView::bools(rows.clone().map(|r| r % 2 == 0)),
                ColumnView::small_ints(rows.clone().map(|r| (r % 1000) as i16)),
                ColumnView::tiny_ints(rows.clone().map(|r| (r % 100) as i8)),
                ColumnView::varchars(rows.clone().map(|r| format!("v{r}"))),
                ColumnView::nchars(rows.map(|r| format!("n{r}"))),
            ])?;
            stmt.add_batch()?;
        }
        written += stmt.execute()?;
        offset += n;
    }
    report(&format!("stmt ({:?})", stmt.protocol()), written, started);

    // executemany: the same rows as parameter sets, batched into multi-row INSERT SQL.
    create(&conn, "bench_many")?;
    let mut cur = conn.cursor()?;
    let started = Instant::now();
    let mut written = 0u64;
    for t in 0..TABLES {
        let sql = format!("INSERT INTO d{t} USING meters TAGS ({t}) VALUES (?,?,?,?,?,?,?,?,?,?)");
        let rows = (0..per_table).map(|r| {
            params_from_iter([
                Value::Timestamp(Timestamp::new(START + r as i64, Precision::Millisecond)),
                Value::Int(r as i32),
                Value::BigInt(r as i64 * 3),
                Value::Float(r as f32 / 2.0),
                Value::Double(r as f64 / 4.0),
                Value::Bool(r % 2 == 0),
                Value::SmallInt((r % 1000) as i16),
                Value::TinyInt((r % 100) as i8),
                Value::VarChar(format!("v{r}")),
                Value::NChar(format!("n{r}")),
            ])
        });
        cur.executemany(&sql, rows)?;
        written += u64::try_from(cur.rowcount()).unwrap_or(0);
    }
    report("Cursor::executemany", written, started);
    Ok(())
}

fn report(what: &str, rows: u64, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what:>22}: {rows} rows in {secs:.2} s = {:.0} rows/s",
        rows as f64 / secs.max(1e-9)
    );
}
