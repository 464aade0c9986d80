//! How a user tests their own code against TDengine: `taosync_server::testing`, the way
//! the README's "Testing code that uses TDengine" shows it.

use taosync::{ErrorKind, connect};
use taosync_server::ServerConfig;
use taosync_server::testing::TestDatabase;

/// The code under test: a user's function that writes and reads a table.
fn record_and_sum(conn: &taosync::Connection, values: &[i32]) -> taosync::Result<i64> {
    conn.execute(
        "create table if not exists readings (ts timestamp, v int)",
        (),
    )?;
    for (i, v) in values.iter().enumerate() {
        let ts = 1_700_000_000_000_i64 + i64::try_from(i).unwrap_or_default();
        conn.execute("insert into readings values (?, ?)", (ts, *v))?;
    }
    let (sum,): (i64,) = conn.query_one("select sum(v) from readings", ())?;
    Ok(sum)
}

#[test]
fn each_test_database_is_isolated_even_in_parallel() {
    let handles: Vec<_> = (0..4)
        .map(|n| {
            std::thread::spawn(move || {
                let db = TestDatabase::new().unwrap();
                let conn = connect(db.dsn().as_str()).unwrap();
                let values: Vec<i32> = (0..=n).collect();
                record_and_sum(&conn, &values).unwrap()
            })
        })
        .collect();
    let sums: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(sums, [0, 1, 3, 6]);
}

#[test]
fn a_test_database_is_dropped_with_its_value() {
    let db = TestDatabase::new().unwrap();
    let name = db.name().to_owned();
    let dsn = db.server().dsn_ws();
    drop(db);
    let conn = connect(dsn.as_str()).unwrap();
    let e = conn.select_db(&name).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Programming, "{e:?}");
}

#[test]
fn an_own_server_takes_any_config_and_works_over_rest() {
    let db = TestDatabase::on_own_server(ServerConfig::new().version("3.3.1.0")).unwrap();
    let conn = connect(db.dsn_rest().as_str()).unwrap();
    assert_eq!(conn.server_version().unwrap(), "3.3.1.0");
    assert_eq!(record_and_sum(&conn, &[5, 6]).unwrap(), 11);
}
