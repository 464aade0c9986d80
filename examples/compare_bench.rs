//! The taosync side of `bench/compare.sh`: the same operations, data and timed sections as
//! `bench/ws_py.py` (taos-ws-py), printed as one JSON object per operation.
//!
//! Env: `TAOSYNC_PORT` (the server), `SERVER_PID` (its process, for its CPU time), and the
//! sizes `N_FETCH`, `N_WIDE`, `N_BIND`, `N_SML`. Without `TAOSYNC_PORT` it starts an
//! embedded server in-process (server CPU is then not separable and reported as 0).

use std::time::{Duration, Instant};

use taosync::stmt::ColumnView;
use taosync::{Connection, SchemalessPrecision, SchemalessProtocol, StmtProtocol, Value};

#[path = "support/measure.rs"]
mod measure;
use measure::{cpu_time, peak_rss_mib, proc_cpu};

const DB: &str = "bench_taosync";
const BASE: i64 = 1_700_000_000_000;
const TABLES: usize = 10;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

struct Timed {
    op: &'static str,
    rows: usize,
    server_pid: Option<String>,
    t: Instant,
    cpu: Duration,
    server: Duration,
}

impl Timed {
    fn start(op: &'static str, rows: usize, server_pid: &Option<String>) -> Timed {
        let server = server_pid.as_deref().map_or(Duration::ZERO, proc_cpu);
        Timed {
            op,
            rows,
            server_pid: server_pid.clone(),
            t: Instant::now(),
            cpu: cpu_time(),
            server,
        }
    }

    fn end(self, extra: &str) {
        let wall = self.t.elapsed().as_secs_f64();
        let cpu = cpu_time().saturating_sub(self.cpu).as_secs_f64();
        let server = self
            .server_pid
            .as_deref()
            .map_or(Duration::ZERO, proc_cpu)
            .saturating_sub(self.server)
            .as_secs_f64();
        println!(
            "{{\"client\":\"taosync\",\"op\":\"{}\",\"rows\":{},\"wall_s\":{wall},\"cpu_s\":{cpu},\
             \"server_cpu_s\":{server},\"peak_rss_mib\":{}{extra}}}",
            self.op,
            self.rows,
            peak_rss_mib()
        );
    }
}

/// Creates table `narrow` in the current database and writes `n` rows into it.
fn create_narrow(conn: &Connection, n: usize) -> taosync::Result<()> {
    conn.execute(
        "create table narrow (ts timestamp, v int, d double, s varchar(24))",
        (),
    )?;
    for start in (0..n).step_by(10_000) {
        conn.execute(&narrow_sql(start, 10_000.min(n - start)), ())?;
    }
    Ok(())
}

fn narrow_sql(start: usize, count: usize) -> String {
    let mut sql = String::from("insert into narrow values");
    for i in start..start + count {
        sql.push_str(&format!(
            " ({}, {}, {:?}, 'name-{}')",
            BASE + i as i64,
            i % 1000,
            i as f64 * 0.5,
            i % 977
        ));
    }
    sql
}

fn wide_sql(start: usize, count: usize) -> String {
    let mut sql = String::from("insert into wide values");
    for i in start..start + count {
        if i % 7 == 6 {
            sql.push_str(&format!(
                " ({}, null, null, null, null, null, null, null, null, null, null, null, null, null, null)",
                BASE + i as i64
            ));
        } else {
            sql.push_str(&format!(
                " ({}, {}, {}, {}, {i}, {}, {}, {}, {i}, {}, {:?}, {:?}, 'v{i}', 'n{i}', '\\x0102')",
                BASE + i as i64,
                if i % 2 == 1 { "true" } else { "false" },
                i % 100,
                i % 30000,
                i * 3,
                i % 200,
                i % 60000,
                i * 7,
                i as f64 / 2.0,
                i as f64 / 4.0
            ));
        }
    }
    sql
}

/// How many of `row`'s values are not NULL: what every fetch section touches each value for.
fn non_null(row: &taosync::Row) -> usize {
    row.values().iter().filter(|v| !v.is_null()).count()
}

fn fetch(conn: &Connection, sql: &str, op: &'static str, rows: usize, pid: &Option<String>) {
    let t = Timed::start(op, rows, pid);
    let mut n = 0usize;
    let mut acc = 0usize;
    let rs = match conn.query(sql, ()) {
        Ok(rs) => rs,
        Err(e) => return eprintln!("{op}: {e}"),
    };
    for row in rs {
        match row {
            Ok(row) => {
                acc += non_null(&row);
                n += 1;
            }
            Err(e) => return eprintln!("{op}: {e}"),
        }
    }
    t.end(&format!(",\"fetched\":{n},\"non_null\":{acc}"));
}

/// The borrowed path: blocks from [`taosync::Cursor::next_block`] read in place with
/// [`taosync::cursor::Block::for_each_row`], touching every value as `fetch` does.
fn fetch_borrowed(
    conn: &Connection,
    sql: &str,
    op: &'static str,
    rows: usize,
    pid: &Option<String>,
) {
    let t = Timed::start(op, rows, pid);
    let mut n = 0usize;
    let mut acc = 0usize;
    let mut run = || -> taosync::Result<()> {
        let mut cur = conn.cursor()?;
        cur.execute(sql, ())?;
        while let Some((block, precision)) = cur.next_block()? {
            block.for_each_row(precision, |values| {
                acc += values.iter().filter(|v| !v.is_null()).count();
                n += 1;
                Ok(())
            })?;
        }
        Ok(())
    };
    if let Err(e) = run() {
        return eprintln!("{op}: {e}");
    }
    t.end(&format!(",\"fetched\":{n},\"non_null\":{acc}"));
}

/// TMQ consumption: a topic over `narrow`, polled from the earliest offset until every
/// row arrived, touching every value; one commit at the end.
fn consume(dsn: &str, rows: usize, pid: &Option<String>) -> taosync::Result<()> {
    let conn = taosync::connect(format!("{dsn}/{DB}"))?;
    conn.execute(
        "create topic if not exists bench_topic as select * from narrow",
        (),
    )?;
    let consumer = taosync::tmq::Consumer::builder()
        .dsn(dsn)
        .configs([
            ("group.id", "bench"),
            ("client.id", "taosync"),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
        ])
        .build()?;
    consumer.subscribe(&["bench_topic"])?;
    let t = Timed::start("tmq consume", rows, pid);
    let (mut n, mut acc, mut idle) = (0usize, 0usize, 0);
    let mut last = None;
    while n < rows && idle < 10 {
        match consumer.poll(Duration::from_millis(500))? {
            Some(m) => {
                for (_, row) in m.rows() {
                    acc += non_null(row);
                    n += 1;
                }
                last = Some(m);
            }
            None => idle += 1,
        }
    }
    if let Some(m) = &last {
        consumer.commit(m)?;
    }
    t.end(&format!(",\"fetched\":{n},\"non_null\":{acc}"));
    consumer.close()?;
    conn.execute("drop topic bench_topic", ())?;
    Ok(())
}

fn bind(
    conn: &Connection,
    protocol: StmtProtocol,
    op: &'static str,
    n_bind: usize,
    pid: &Option<String>,
) -> taosync::Result<()> {
    let per_table = n_bind / TABLES;
    let chunk = 2000;
    let prefix = if protocol == StmtProtocol::Stmt2 {
        "s2"
    } else {
        "s1"
    };
    let mut stmt = conn
        .statement_builder()
        .protocol(protocol)
        .sql("insert into ? using st tags (?) values (?, ?, ?, ?)")
        .build()?;
    let t = Timed::start(op, per_table * TABLES, pid);
    let mut off = 0;
    while off < per_table {
        let n = chunk.min(per_table - off);
        for table in 0..TABLES {
            let r = off..off + n;
            stmt.set_tbname_tags(&format!("{prefix}_{table}"), &[Value::Int(table as i32)])?;
            stmt.bind_param([
                ColumnView::millis_timestamps(r.clone().map(|i| BASE + i as i64)),
                ColumnView::ints(r.clone().map(|i| i as i32)),
                ColumnView::doubles(r.clone().map(|i| i as f64 / 4.0)),
                ColumnView::varchars(r.map(|i| format!("v{i}"))),
            ])?;
            stmt.add_batch()?;
        }
        stmt.execute()?;
        off += n;
    }
    t.end("");
    Ok(())
}

/// `BENCH_REST=1`: writes `n` narrow rows into `bench_rest.narrow` (over WebSocket, left
/// in place for bench/ws_py.py's taosrest run) and fetches them over REST, which streams
/// the reply block by block: the peak RSS is the figure to watch.
fn rest_fetch(ws_dsn: &str, n: usize, pid: &Option<String>) -> taosync::Result<()> {
    let conn = taosync::connect(ws_dsn)?;
    conn.execute("drop database if exists bench_rest", ())?;
    conn.execute("create database bench_rest", ())?;
    conn.select_db("bench_rest")?;
    create_narrow(&conn, n)?;
    let rest_dsn = ws_dsn.replacen("ws://", "http://", 1);
    let rest = taosync::connect(rest_dsn.as_str())?;
    fetch(
        &rest,
        "select * from bench_rest.narrow",
        "fetch narrow over REST",
        n,
        pid,
    );
    Ok(())
}

fn main() -> taosync::Result<()> {
    let n_fetch = env_usize("N_FETCH", 1_000_000);
    let n_wide = env_usize("N_WIDE", 200_000);
    let n_bind = env_usize("N_BIND", 200_000);
    let n_sml = env_usize("N_SML", 200_000);
    let (dsn, _server, pid) = match std::env::var("TAOSYNC_PORT") {
        Ok(port) => (
            format!("ws://root:taosdata@127.0.0.1:{port}"),
            None,
            std::env::var("SERVER_PID").ok(),
        ),
        Err(_) => {
            let server = taosync_server::Server::start(taosync_server::ServerConfig::new())?;
            (server.dsn_ws(), Some(server), None)
        }
    };
    if std::env::var("BENCH_REST").is_ok_and(|v| v == "1") {
        return rest_fetch(&dsn, n_fetch, &pid);
    }
    let conn = taosync::connect(dsn.as_str())?;
    // A run cut short leaves its topic, which would keep the database from being dropped.
    conn.execute("drop topic if exists bench_topic", ())?;
    conn.execute(&format!("drop database if exists {DB}"), ())?;
    conn.execute(&format!("create database {DB}"), ())?;
    conn.select_db(DB)?;
    create_narrow(&conn, n_fetch)?;
    conn.execute(
        "create table wide (ts timestamp, c1 bool, c2 tinyint, c3 smallint, c4 int, c5 bigint, \
         c6 tinyint unsigned, c7 smallint unsigned, c8 int unsigned, c9 bigint unsigned, \
         c10 float, c11 double, c12 varchar(20), c13 nchar(20), c14 varbinary(16))",
        (),
    )?;
    for start in (0..n_wide).step_by(5_000) {
        conn.execute(&wide_sql(start, 5_000.min(n_wide - start)), ())?;
    }

    let t = Timed::start("connect", 100, &pid);
    for _ in 0..100 {
        taosync::connect(format!("{dsn}/{DB}"))?.close()?;
    }
    t.end("");

    let t = Timed::start("select 1 (p50 latency)", 1000, &pid);
    let mut lat = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let s = Instant::now();
        for row in conn.query("select 1", ())? {
            row?;
        }
        lat.push(s.elapsed());
    }
    lat.sort();
    t.end(&format!(
        ",\"p50_us\":{}",
        lat[lat.len() / 2].as_secs_f64() * 1e6
    ));

    fetch(&conn, "select * from narrow", "fetch narrow", n_fetch, &pid);
    fetch(&conn, "select * from wide", "fetch wide", n_wide, &pid);
    fetch_borrowed(
        &conn,
        "select * from narrow",
        "fetch narrow, borrowed",
        n_fetch,
        &pid,
    );
    fetch_borrowed(
        &conn,
        "select * from wide",
        "fetch wide, borrowed",
        n_wide,
        &pid,
    );
    consume(&dsn, n_fetch, &pid)?;

    conn.execute(
        "create stable st (ts timestamp, v int, d double, s varchar(24)) tags (gid int)",
        (),
    )?;
    bind(&conn, StmtProtocol::Stmt2, "stmt2 insert", n_bind, &pid)?;
    bind(&conn, StmtProtocol::Stmt1, "stmt v1 insert", n_bind, &pid)?;

    let t = Timed::start("schemaless lines", n_sml, &pid);
    for start in (0..n_sml).step_by(10_000) {
        let lines: Vec<String> = (start..(start + 10_000).min(n_sml))
            .map(|i| {
                format!(
                    "cpu,host=host{},region=r{} usage_user={}.{},usage_system={},count={i}i {}",
                    i % 100,
                    i % 4,
                    i % 97,
                    i % 10,
                    (i % 13) as f64 / 4.0,
                    BASE + (i / 100) as i64
                )
            })
            .collect();
        conn.schemaless_insert(
            &lines,
            SchemalessProtocol::Line,
            SchemalessPrecision::Millisecond,
            0,
            None,
        )?;
    }
    t.end("");
    // BENCH_KEEP=1 leaves the data for other clients (the `taos` crate comparison).
    if !std::env::var("BENCH_KEEP").is_ok_and(|v| v == "1") {
        conn.execute(&format!("drop database {DB}"), ())?;
    }
    Ok(())
}
