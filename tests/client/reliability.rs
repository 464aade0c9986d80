//! Issue #14: what happens when sockets die under many users, when the peer drips, and when
//! it never answers. Every case ends in correct rows or a clear error — never another
//! cursor's rows, never a wait past the deadline the caller set.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use taosync::ErrorKind;
use taosync_server::{FaultInjector, Server, ServerConfig};

const THREADS: usize = 8;
const ROWS: i64 = 40;

/// What one worker saw.
#[derive(Debug, Default)]
struct Tally {
    complete: usize,
    errors: BTreeMap<String, usize>,
    wrong: Vec<String>,
}

/// Reads its own table `t{me}` over and over through the shared connection, checking that
/// every row it gets is its own and in order, and that a complete result has every row.
fn worker(conn: &taosync::Connection, me: i64, stop: &AtomicBool) -> Tally {
    let mut tally = Tally::default();
    let base = me * 1_000_000;
    while !stop.load(Ordering::Relaxed) {
        let mut cur = match conn.cursor() {
            Ok(c) => c,
            Err(e) => {
                *tally.errors.entry(format!("{:?}", e.kind())).or_default() += 1;
                continue;
            }
        };
        if let Err(e) = cur.execute(&format!("select v from t{me} order by ts"), ()) {
            *tally.errors.entry(format!("{:?}", e.kind())).or_default() += 1;
            continue;
        }
        let mut next = base;
        loop {
            match cur.fetchmany(Some(7)) {
                Ok(rows) if rows.is_empty() => {
                    if next == base + ROWS {
                        tally.complete += 1;
                    } else {
                        tally.wrong.push(format!(
                            "thread {me}: result ended after {} of {ROWS} rows",
                            next - base
                        ));
                    }
                    break;
                }
                Ok(rows) => {
                    for row in rows {
                        let v: i64 = row.get(0).unwrap();
                        if v != next {
                            tally
                                .wrong
                                .push(format!("thread {me}: expected {next}, read {v}"));
                        }
                        next = v + 1;
                    }
                }
                Err(e) => {
                    // A result lost with its socket says so; it never continues elsewhere.
                    assert!(
                        matches!(e.kind(), ErrorKind::Connection | ErrorKind::Operational),
                        "thread {me}: {e:?}"
                    );
                    *tally.errors.entry(format!("{:?}", e.kind())).or_default() += 1;
                    break;
                }
            }
        }
    }
    tally
}

/// Issue #14 item 1: eight threads share one connection while the server drops every
/// socket after 150 requests. Each thread reads only its own values; a result whose socket
/// died fails with a Connection error, and no thread ever reads another's rows.
fn eight_threads_one_connection(config: ServerConfig) {
    let server = Server::start(
        config
            .block_rows(5)
            .faults(FaultInjector::new().drop_after(150)),
    )
    .unwrap();
    let dsn = format!("{}?conn_retries=3", server.dsn_ws());
    let conn = Arc::new(taosync::connect(&dsn).unwrap());
    // Setup, retried through the drops like any other statement.
    let run = |sql: &str| {
        for _ in 0..5 {
            if conn.execute(sql, ()).is_ok() {
                return;
            }
        }
        panic!("{sql} failed five times");
    };
    run("create database if not exists crossed");
    run("use crossed");
    for me in 0..THREADS as i64 {
        run(&format!(
            "create table if not exists t{me} (ts timestamp, v bigint)"
        ));
        let values: Vec<String> = (0..ROWS)
            .map(|k| format!("({}, {})", 1_700_000_000_000 + k, me * 1_000_000 + k))
            .collect();
        run(&format!("insert into t{me} values {}", values.join(" ")));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..THREADS as i64)
        .map(|me| {
            let (conn, stop) = (conn.clone(), stop.clone());
            thread::spawn(move || worker(&conn, me, &stop))
        })
        .collect();
    thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    let mut complete = 0;
    let mut errors = 0;
    for w in workers {
        let tally = w.join().unwrap();
        assert!(tally.wrong.is_empty(), "{:?}", tally.wrong);
        complete += tally.complete;
        errors += tally.errors.values().sum::<usize>();
    }
    eprintln!("{complete} complete results, {errors} lost with their socket");
    assert!(complete > THREADS, "only {complete} complete results");
    assert!(errors > 0, "the server dropped no socket under a result");
}

#[test]
fn eight_threads_never_read_each_others_rows_while_sockets_drop_ws() {
    eight_threads_one_connection(ServerConfig::new());
}

#[test]
fn eight_threads_never_read_each_others_rows_while_sockets_drop_ws_json() {
    // The JSON fetch path, as an old server (3.3.1.0) makes the client use.
    eight_threads_one_connection(ServerConfig::new().version("3.3.1.0"));
}

/// Issue #14 item 12: the server drops the consumer's socket every 25 requests. The
/// consumer reconnects and subscribes again on its own; every row is delivered (at least
/// once), a message whose socket died before its commit is refused by `commit` rather
/// than silently acknowledged, and no row is delivered again after its commit succeeded.
#[test]
fn a_consumer_survives_dropped_sockets_at_least_once() {
    const N: i64 = 300;
    let server =
        Server::start(ServerConfig::new().faults(FaultInjector::new().drop_after(25))).unwrap();
    let conn = taosync::connect(format!("{}?conn_retries=3", server.dsn_ws())).unwrap();
    let run = |sql: &str| {
        for _ in 0..5 {
            if conn.execute(sql, ()).is_ok() {
                return;
            }
        }
        panic!("{sql} failed five times");
    };
    run("create database if not exists tmq_drops vgroups 2");
    run("create stable if not exists tmq_drops.st (ts timestamp, v bigint) tags (t int)");
    for k in 0..N {
        // One statement per row: many small WAL entries, so many messages.
        run(&format!(
            "insert into tmq_drops.c{} using tmq_drops.st tags ({}) values ({}, {k})",
            k % 4,
            k % 4,
            1_700_000_000_000 + k
        ));
    }
    run("create topic if not exists tmq_drops_t as select ts, v from tmq_drops.st");

    let consumer = taosync::Consumer::from_dsn_and_config(
        &format!("{}?conn_retries=5&retry_backoff_ms=10", server.dsn_ws()),
        [
            ("group.id", "g_drops"),
            ("auto.offset.reset", "earliest"),
            ("min.poll.rows", "10"),
        ],
    )
    .unwrap();
    consumer.subscribe(&["tmq_drops_t"]).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut committed = std::collections::BTreeSet::new();
    let mut refused_commits = 0;
    let mut errors = 0;
    let start = std::time::Instant::now();
    while seen.len() < N as usize && start.elapsed() < Duration::from_secs(20) {
        let message = match consumer.poll(Duration::from_millis(200)) {
            Ok(Some(m)) => m,
            Ok(None) => continue,
            Err(e) => {
                assert!(
                    matches!(e.kind(), ErrorKind::Connection | ErrorKind::Operational),
                    "{e:?}"
                );
                errors += 1;
                continue;
            }
        };
        let values: Vec<i64> = message
            .rows()
            .map(|(_, row)| row.get::<i64>(1).unwrap())
            .collect();
        for v in &values {
            assert!(
                !committed.contains(v),
                "row {v} delivered again after its commit succeeded"
            );
            seen.insert(*v);
        }
        match consumer.commit(&message) {
            Ok(()) => committed.extend(values),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
                refused_commits += 1;
            }
        }
    }
    eprintln!(
        "{} rows seen, {} committed, {} reconnects, {refused_commits} commits refused, {errors} errors",
        seen.len(),
        committed.len(),
        consumer.reconnects()
    );
    assert_eq!(seen.len(), N as usize, "every row is delivered");
    assert!(
        consumer.reconnects() >= 3,
        "the server dropped the socket many times"
    );
}

/// Issue #14 item 1, statements: a prepared statement lives and dies with its socket.
/// After the server restarts, executing it fails with a Connection error saying it was
/// lost (its id is never sent on the new socket, where it may name another statement),
/// and preparing it again works.
#[test]
fn a_statement_from_a_replaced_socket_fails_and_can_be_prepared_again() {
    for protocol in [taosync::StmtProtocol::Stmt1, taosync::StmtProtocol::Stmt2] {
        let server = Server::start(ServerConfig::new()).unwrap();
        let port = server.port();
        let conn = taosync::connect(format!("{}?conn_retries=3", server.dsn_ws())).unwrap();
        let schema = [
            "create database if not exists lost_stmt",
            "create table if not exists lost_stmt.t (ts timestamp, v int)",
        ];
        for sql in schema {
            conn.execute(sql, ()).unwrap();
        }
        let sql = "insert into lost_stmt.t values (?, ?)";
        let mut s = conn
            .statement_builder()
            .protocol(protocol)
            .sql(sql)
            .build()
            .unwrap();
        s.bind_row(&[taosync::Value::from(1_700_000_000_000_i64), 1.into()])
            .unwrap();
        assert_eq!(s.execute().unwrap(), 1);

        server.shutdown();
        let server = Server::start(ServerConfig::new().port(port)).unwrap();
        for sql in schema {
            // The first statement after the restart may meet the dead socket.
            if conn.execute(sql, ()).is_err() {
                conn.execute(sql, ()).unwrap();
            }
        }
        let e = s
            .bind_row(&[taosync::Value::from(1_700_000_000_001_i64), 2.into()])
            .and_then(|()| s.execute())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{protocol:?}: {e:?}");
        assert!(e.message().contains("lost with its connection"), "{e}");
        let mut again = conn
            .statement_builder()
            .protocol(protocol)
            .sql(sql)
            .build()
            .unwrap();
        again
            .bind_row(&[taosync::Value::from(1_700_000_000_002_i64), 3.into()])
            .unwrap();
        assert_eq!(again.execute().unwrap(), 1, "{protocol:?}");
        let rows: Vec<i32> = conn
            .query("select v from lost_stmt.t", ())
            .unwrap()
            .map(|r| r.unwrap().get(0).unwrap())
            .collect();
        assert_eq!(
            rows,
            [3],
            "{protocol:?}: only the new statement's row, on the new server"
        );
        drop(server);
    }
}
