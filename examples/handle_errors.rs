//! Error kinds, codes and messages, shown the way the Python connector's exception example
//! prints them: the class name, the hex code and the server's message. The class follows
//! TDengine's error code (the table in `taosync_proto::code`), whatever the transport:
//! run it with `TDENGINE_DSN=http://...` to see the same classes over REST.

use taosync::{Error, ErrorKind};
use taosync_server::Server;

fn show(what: &str, r: taosync::Result<impl std::fmt::Debug>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => report(what, &e),
    }
}

fn report(what: &str, e: &Error) {
    let code = e.code().map_or_else(|| "-".to_owned(), |c| c.to_string());
    println!(
        "{what}:\n    {} (database error: {}), code {code}\n    message: {}",
        e.kind().python_name(),
        e.kind().is_database_error(),
        e.message()
    );
    match e.kind() {
        ErrorKind::Programming => println!("    -> fix the SQL and retry"),
        ErrorKind::Data => println!("    -> fix the value"),
        ErrorKind::Connection => println!("    -> check the address, credentials and server"),
        _ => {}
    }
}

fn main() -> taosync::Result<()> {
    let (dsn, _server) = Server::from_env_or_start("TDENGINE_DSN")?;

    show("malformed DSN", taosync::connect("ws://localhost:notaport"));
    let bad_login = taosync::ConnectOptions::from_dsn(&dsn)?
        .password("wrong-password")
        .conn_retries(0)
        .timeout(std::time::Duration::from_secs(5));
    show("wrong password", bad_login.connect());

    let (base, query) = dsn.split_once('?').unwrap_or((dsn.as_str(), ""));
    show(
        "DSN naming a missing database",
        taosync::connect(format!("{}/no_such_db?{query}", base.trim_end_matches('/'))),
    );

    let conn = taosync::connect(dsn.as_str())?;
    show("syntax error", conn.execute("selec * frm nowhere", ()));
    conn.execute("create database if not exists handle_errors", ())?;
    conn.execute(
        "create table if not exists handle_errors.t (ts timestamp, name varchar(4))",
        (),
    )?;
    show(
        "value too long for its column",
        conn.execute("insert into handle_errors.t values (now, 'toolong')", ()),
    );
    show("missing database", conn.select_db("no_such_database_here"));
    show(
        "missing table",
        conn.execute("select * from information_schema.no_such_table", ()),
    );
    let mut cur = conn.cursor()?;
    show("fetch before execute", cur.fetchone());
    show(
        "wrong parameter count",
        cur.execute("select ? , ?", taosync::params![1]),
    );
    show("rollback", conn.rollback());
    cur.close()?;
    show("closed cursor", cur.execute("select 1", ()));
    conn.execute("drop database handle_errors", ())?;
    conn.close()?;
    show("closed connection", conn.execute("select 1", ()));

    show(
        "refused port",
        taosync::connect("ws://127.0.0.1:1?conn_retries=0&conn_timeout=2s"),
    );
    Ok(())
}
