//! The r2d2 integration (feature `r2d2`): a pool of 4 shared by 16 threads while the server
//! is killed and restarted in the middle.

#![cfg(feature = "r2d2")]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use taosync::pool::{ConnectionManager, r2d2};
use taosync_server::{Server, ServerConfig};

#[derive(Default)]
struct Tally {
    ok: u64,
    wrong: u64,
    errors: BTreeMap<String, u64>,
    ok_after_recovery: u64,
    errors_after_recovery: u64,
}

#[test]
fn a_pool_survives_a_server_restart_and_hands_out_only_working_connections() {
    for scheme in ["ws", "http"] {
        let server = Server::start(ServerConfig::new()).unwrap();
        let port = server.port();
        let dsn = format!(
            "{scheme}://root:taosdata@127.0.0.1:{port}?conn_retries=0&conn_timeout=1s&read_timeout=2s"
        );
        let manager = ConnectionManager::new(dsn.as_str())
            .unwrap()
            .check_timeout(Duration::from_millis(500));
        let pool = r2d2::Pool::builder()
            .max_size(4)
            .connection_timeout(Duration::from_secs(2))
            .build(manager)
            .unwrap();

        let stop = Arc::new(AtomicBool::new(false));
        let recovered = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let workers: Vec<_> = (0..16_i64)
            .map(|t| {
                let (pool, stop, recovered, tally) = (
                    pool.clone(),
                    Arc::clone(&stop),
                    Arc::clone(&recovered),
                    Arc::clone(&tally),
                );
                thread::spawn(move || {
                    let mut i = 0_i64;
                    while !stop.load(Ordering::SeqCst) {
                        i += 1;
                        let want = t * 1_000_000 + i;
                        let after = recovered.load(Ordering::SeqCst);
                        let got = pool
                            .get()
                            .map_err(|e| format!("pool: {e}"))
                            .and_then(|conn| {
                                conn.query_one::<(i64,), _>(&format!("select {want}"), ())
                                    .map_err(|e| e.kind().python_name().to_owned())
                            });
                        let mut t = tally.lock().unwrap();
                        match got {
                            Ok((v,)) if v == want => {
                                t.ok += 1;
                                t.ok_after_recovery += u64::from(after);
                            }
                            Ok(_) => t.wrong += 1,
                            Err(kind) => {
                                *t.errors.entry(kind).or_default() += 1;
                                t.errors_after_recovery += u64::from(after);
                            }
                        }
                    }
                })
            })
            .collect();

        thread::sleep(Duration::from_millis(700));
        drop(server); // killed: every socket closed
        thread::sleep(Duration::from_millis(500));
        let server = Server::start(ServerConfig::new().port(port)).unwrap();
        // Connections that were checked out at the restart may fail once; give them a
        // moment, then every checkout must work.
        thread::sleep(Duration::from_millis(700));
        recovered.store(true, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(1000));
        stop.store(true, Ordering::SeqCst);

        let deadline = Instant::now() + Duration::from_secs(10);
        for w in workers {
            while !w.is_finished() {
                assert!(Instant::now() < deadline, "{scheme}: a worker hangs");
                thread::sleep(Duration::from_millis(20));
            }
            w.join().unwrap();
        }
        let t = tally.lock().unwrap();
        eprintln!(
            "{scheme}: ok {} (after recovery {}), wrong {}, errors {:?}",
            t.ok, t.ok_after_recovery, t.wrong, t.errors
        );
        assert_eq!(t.wrong, 0, "{scheme}: crossed results");
        assert!(t.ok_after_recovery > 100, "{scheme}: the pool recovered");
        assert_eq!(t.errors_after_recovery, 0, "{scheme}: {:?}", t.errors);
        drop(server);
    }
}

#[test]
fn has_broken_is_cheap_and_true_once_the_socket_failed() {
    use r2d2::ManageConnection;
    let server = Server::start(ServerConfig::new()).unwrap();
    let manager = ConnectionManager::new(format!("{}?conn_retries=0", server.dsn_ws())).unwrap();
    let mut conn = manager.connect().unwrap();
    manager.is_valid(&mut conn).unwrap();
    assert!(!manager.has_broken(&mut conn));
    drop(server);
    let e = manager.is_valid(&mut conn).unwrap_err();
    assert_eq!(e.kind(), taosync::ErrorKind::Connection, "{e:?}");
    let start = Instant::now();
    assert!(manager.has_broken(&mut conn));
    assert!(start.elapsed() < Duration::from_millis(50));
}
