//! No secret in `Debug` or `Display` of any public type that holds credentials (issue #14
//! item 6). Dependencies' own trace-level logs are outside the crate's control.

use taosync::tmq::ConsumerConfig;
use taosync::{ConnectOptions, Consumer, ConsumerBuilder, RestClient, connect};
use taosync_server::{Server, ServerConfig};

const PASSWORD: &str = "s3cr3t-Pw";
const TOKEN: &str = "tok3n-XyZ";

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(PASSWORD),
        "{what} shows the password: {text}"
    );
    assert!(!text.contains(TOKEN), "{what} shows the token: {text}");
}

fn check(what: &str, v: &impl std::fmt::Debug) {
    assert_clean(what, &format!("{v:?}"));
    assert_clean(what, &format!("{v:#?}"));
}

#[test]
fn no_public_type_prints_a_password_or_a_token() {
    let server = Server::start(ServerConfig::new().user("alice", PASSWORD)).unwrap();
    let addr = server.addr();
    let ws = format!("ws://alice:{PASSWORD}@{addr}?token={TOKEN}");
    let rest = format!("http://alice:{PASSWORD}@{addr}?token={TOKEN}");

    let options = ConnectOptions::from_dsn(&ws).unwrap();
    check("ConnectOptions", &options);
    assert_clean("ConnectOptions (Display)", &options.to_string());

    for dsn in [&ws, &rest] {
        let conn = connect(dsn.as_str()).unwrap();
        check("Connection", &conn);
        check("Connection::options", conn.options());
        let cur = conn.cursor().unwrap();
        check("Cursor", &cur);
        assert_clean("Connection::options (Display)", &conn.options().to_string());
    }
    check("RestClient", &RestClient::new(&rest).unwrap());

    let consumer_keys = [
        ("group.id", "g1"),
        ("td.connect.user", "alice"),
        ("td.connect.pass", PASSWORD),
        ("td.connect.token", TOKEN),
    ];
    let config = ConsumerConfig::from_map(consumer_keys).unwrap();
    check("ConsumerConfig", &config);
    let builder = ConsumerBuilder::new()
        .dsn(format!("ws://alice:{PASSWORD}@{addr}"))
        .configs(consumer_keys);
    check("ConsumerBuilder", &builder);
    let consumer = Consumer::from_dsn_and_config(
        &format!("ws://alice:{PASSWORD}@{addr}"),
        [("group.id", "g1")],
    )
    .unwrap();
    check("Consumer", &consumer);
    check("Consumer::config", consumer.config());

    // The wire messages that carry credentials (what a trace of the protocol would print).
    let conn_args = taosync_proto::ws::ConnArgs {
        user: "alice".into(),
        password: PASSWORD.into(),
        totp_code: Some(PASSWORD.into()),
        bearer_token: Some(TOKEN.into()),
        ..Default::default()
    };
    check("ConnArgs", &conn_args);
    let mut subscribe = taosync_proto::tmq::SubscribeArgs {
        user: "alice".into(),
        password: PASSWORD.into(),
        ..Default::default()
    };
    for (k, v) in consumer_keys {
        subscribe.config.insert(k.into(), v.into());
    }
    check("SubscribeArgs", &subscribe);

    // Errors carry no secret either: a refused login names the user, not the password.
    let e = connect(format!("ws://alice:wrong-{PASSWORD}@{addr}?conn_retries=0")).unwrap_err();
    check("Error", &e);
    assert_clean("Error (Display)", &e.to_string());
}
