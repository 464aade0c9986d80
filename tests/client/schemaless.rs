//! Schemaless ingestion through the client (`Connection::schemaless_insert` and the
//! `schemaless` builder) against the embedded server, over WebSocket (the `/ws` `insert`
//! action) and REST (the InfluxDB / OpenTSDB HTTP endpoints). Every case runs once per
//! transport in its own database; results are read back with SQL through the same client.

use taosync::{
    Code, Connection, ErrorKind, SchemalessPrecision, SchemalessProtocol, Value, connect,
};
use taosync_server::{Server, ServerConfig};

use crate::common::unique_db;

const LINE: SchemalessProtocol = SchemalessProtocol::Line;
const TELNET: SchemalessProtocol = SchemalessProtocol::Telnet;
const JSON: SchemalessProtocol = SchemalessProtocol::Json;
const MS: SchemalessPrecision = SchemalessPrecision::Millisecond;
const NONE: SchemalessPrecision = SchemalessPrecision::NotConfigured;

/// Runs `f` once over WebSocket and once over REST, each with a fresh database of
/// `precision` selected.
fn each(case: &str, precision: &str, f: impl Fn(&str, &Connection)) {
    let server = Server::start(ServerConfig::new()).unwrap();
    for (transport, dsn) in [("ws", server.dsn_ws()), ("rest", server.dsn_rest())] {
        let conn = connect(dsn.as_str()).unwrap();
        let db = unique_db("s", case, transport);
        conn.execute(&format!("create database {db} precision '{precision}'"), ())
            .unwrap();
        conn.select_db(&db).unwrap();
        f(transport, &conn);
    }
}

/// The rows of `sql`, each cell rendered with `Value`'s `Display`.
fn rows(conn: &Connection, sql: &str) -> Vec<Vec<String>> {
    conn.query(sql, ())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .map(|r| r.unwrap().values().iter().map(Value::to_string).collect())
        .collect()
}

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

/// `describe` as (name, type, length, note).
fn describe(conn: &Connection, table: &str) -> Vec<(String, String, String, String)> {
    rows(conn, &format!("describe {table}"))
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
        .collect()
}

fn stables(conn: &Connection) -> Vec<String> {
    let mut names: Vec<String> = rows(conn, "show stables")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    names.sort();
    names
}

const WORKED: [&str; 2] = [
    r#"meters,location=California.SanFrancisco,groupid=2 current=10.3,voltage=219i32,status=t,note="ok",label=L"ab" 1626006833639"#,
    r#"meters,location=California.SanFrancisco,groupid=2 current=12.6,voltage=218i32,status=f,note="ok2",label=L"cd" 1626006833640"#,
];

#[test]
fn line_protocol_worked_example() {
    each("line", "ms", |t, conn| {
        let n = conn.schemaless_insert(&WORKED, LINE, MS, 0, None).unwrap();
        assert_eq!(n, 2, "{t}");
        let d = describe(conn, "meters");
        let expected: Vec<(String, String, String, String)> = [
            ("_ts", "TIMESTAMP", "8", ""),
            ("current", "DOUBLE", "8", ""),
            ("voltage", "INT", "4", ""),
            ("status", "BOOL", "1", ""),
            ("note", "VARCHAR", "4", ""),
            ("label", "NCHAR", "4", ""),
            ("location", "NCHAR", "32", "TAG"),
            ("groupid", "NCHAR", "2", "TAG"),
        ]
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
        .collect();
        assert_eq!(d, expected, "{t}");
        // The child-table naming rule of the notes (02 §2.8): t_ + MD5 of the sorted tags.
        assert_eq!(
            rows(conn, "select distinct tbname from meters"),
            strings(&[&["t_251f05d65163f70e2d23faaaa5338caa"]]),
            "{t}"
        );
        assert_eq!(
            rows(
                conn,
                "select _ts, current, voltage, status, note, label, location, groupid from meters order by _ts"
            ),
            strings(&[
                &[
                    "2021-07-11T12:33:53.639Z",
                    "10.3",
                    "219",
                    "true",
                    "ok",
                    "ab",
                    "California.SanFrancisco",
                    "2"
                ],
                &[
                    "2021-07-11T12:33:53.640Z",
                    "12.6",
                    "218",
                    "false",
                    "ok2",
                    "cd",
                    "California.SanFrancisco",
                    "2"
                ],
            ]),
            "{t}"
        );
        // The same lines as one string, as a Vec<String>, and through the builder: the
        // same timestamps overwrite.
        let joined = WORKED.join("\n");
        assert_eq!(
            conn.schemaless_insert(joined.as_str(), LINE, MS, 0, Some(77))
                .unwrap(),
            2
        );
        let owned: Vec<String> = WORKED.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            conn.schemaless(LINE).precision(MS).insert(&owned).unwrap(),
            2
        );
        assert_eq!(
            rows(conn, "select count(*) from meters"),
            strings(&[&["2"]])
        );
    });
}

#[test]
fn telnet_and_json() {
    each("tsdb", "ms", |t, conn| {
        let telnet = [
            "meters.current 1648432611249 10.3 location=California.SanFrancisco groupid=2",
            "meters.current 1648432611250 12.6 location=California.SanFrancisco groupid=2",
            "meters.current 1648432611 11.8 location=California.LosAngeles groupid=3",
        ];
        let n = conn.schemaless(TELNET).insert(&telnet).unwrap();
        assert_eq!(n, 3, "{t}");
        let cols: Vec<(String, String)> = describe(conn, "meters_current")
            .into_iter()
            .map(|c| (c.0, c.1))
            .collect();
        assert_eq!(
            cols,
            [
                ("_ts", "TIMESTAMP"),
                ("_value", "DOUBLE"),
                ("location", "NCHAR"),
                ("groupid", "NCHAR")
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned())),
            "{t}"
        );
        assert_eq!(
            rows(
                conn,
                "select _ts, _value, groupid from meters_current order by _ts"
            ),
            strings(&[
                &["2022-03-28T01:56:51.000Z", "11.8", "3"],
                &["2022-03-28T01:56:51.249Z", "10.3", "2"],
                &["2022-03-28T01:56:51.250Z", "12.6", "2"],
            ]),
            "{t}"
        );

        // One JSON object, then an array; the notes' worked child-table name.
        let object = r#"{"metric":"sys.cpu.nice","timestamp":1700000000,"value":18,"tags":{"host":"web01","dc":"lga"}}"#;
        assert_eq!(
            conn.schemaless_insert(object, JSON, NONE, 0, None).unwrap(),
            1
        );
        let array = r#"[{"metric":"sys.cpu.nice","timestamp":1700000001000,"value":9,"tags":{"host":"web01","dc":"lga"}},
            {"metric":"sys.cpu.nice","timestamp":{"value":1700000002,"type":"s"},"value":{"value":7,"type":"f64"},
             "tags":{"host":"web02","dc":"lga"}}]"#;
        assert_eq!(
            conn.schemaless(JSON).ttl(7).insert(&[array]).unwrap(),
            2,
            "{t}"
        );
        assert_eq!(
            rows(
                conn,
                "select tbname, _ts, _value from sys_cpu_nice where host = 'web01' order by _ts"
            ),
            strings(&[
                &[
                    "t_0e1c9ddad586b02a8637569be79f1e45",
                    "2023-11-14T22:13:20.000Z",
                    "18"
                ],
                &[
                    "t_0e1c9ddad586b02a8637569be79f1e45",
                    "2023-11-14T22:13:21.000Z",
                    "9"
                ],
            ]),
            "{t}"
        );
        // JSON is one document: two strings are refused before anything is sent.
        let e = conn.schemaless(JSON).insert(&[object, object]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Programming, "{e}");
    });
}

#[test]
fn every_precision() {
    // 2021-07-11T12:00:00Z in each unit.
    let cases = [
        (SchemalessPrecision::Hour, "451668"),
        (SchemalessPrecision::Minute, "27100080"),
        (SchemalessPrecision::Second, "1626004800"),
        (SchemalessPrecision::Millisecond, "1626004800000"),
        (SchemalessPrecision::Microsecond, "1626004800000000"),
        (SchemalessPrecision::Nanosecond, "1626004800000000000"),
        // Not configured: nanoseconds.
        (SchemalessPrecision::NotConfigured, "1626004800000000000"),
    ];
    each("prec", "ns", |t, conn| {
        for (i, (precision, ts)) in cases.iter().enumerate() {
            let line = format!("p{i},k=v f=1i {ts}");
            conn.schemaless_insert(&line, LINE, *precision, 0, None)
                .unwrap_or_else(|e| panic!("{t} {precision:?}: {e}"));
            assert_eq!(
                rows(conn, &format!("select _ts from p{i}")),
                strings(&[&["2021-07-11T12:00:00.000000000Z"]]),
                "{t} {precision:?}"
            );
        }
    });
    // Precision texts: the wire forms parse, anything else is a SchemalessError.
    assert_eq!(
        "μ".parse::<SchemalessPrecision>().unwrap(),
        SchemalessPrecision::Microsecond
    );
    let e = "fortnight".parse::<SchemalessPrecision>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Schemaless);
    assert_eq!(e.code(), Some(Code::SML_INVALID_PRECISION_TYPE));
    assert_eq!(e.affected_rows(), Some(0));
    assert!(e.message().contains("fortnight"), "{e}");
}

#[test]
fn escaping_in_names_and_values() {
    each("esc", "ms", |t, conn| {
        let line = r#"m\ 1\,x,t\ k=v\,1\=2,t2=a\ b f\=1="say \"hi\", a=b \\ c",g=1i,h=L"中文 x" 1626006833639"#;
        assert_eq!(conn.schemaless_insert(line, LINE, MS, 0, None).unwrap(), 1);
        assert_eq!(stables(conn), ["m 1,x"], "{t}");
        let cols: Vec<String> = describe(conn, "`m 1,x`").into_iter().map(|c| c.0).collect();
        assert_eq!(cols, ["_ts", "f=1", "g", "h", "t k", "t2"], "{t}");
        assert_eq!(
            rows(conn, "select `f=1`, g, h, `t k`, t2 from `m 1,x`"),
            strings(&[&[r#"say "hi", a=b \ c"#, "1", "中文 x", "v,1=2", "a b"]]),
            "{t}"
        );
        // Dots become underscores; a record without tags gets the `_tag_null` tag.
        conn.schemaless_insert("a.b.c f=2 1626006833639", LINE, MS, 0, None)
            .unwrap();
        let d = describe(conn, "a_b_c");
        assert_eq!(
            d.last().unwrap(),
            &(
                "_tag_null".to_owned(),
                "NCHAR".to_owned(),
                "1".to_owned(),
                "TAG".to_owned()
            ),
            "{t}"
        );
    });
}

#[test]
fn schema_evolution() {
    each("evo", "ms", |t, conn| {
        let sml = |line: &str| conn.schemaless(LINE).precision(MS).insert(line).unwrap();
        sml("evo,t=a f1=1i 1700000000000");
        sml("evo,t=a,t2=bb f1=2i,f2=\"a string of 19 b\" 1700000001000");
        let find = |name: &str| {
            describe(conn, "evo")
                .into_iter()
                .find(|c| c.0 == name)
                .unwrap()
        };
        assert_eq!(find("f2").1, "VARCHAR", "{t}");
        assert_eq!(find("f2").2, "32", "{t}");
        assert_eq!((find("t2").1, find("t2").2), ("NCHAR".into(), "4".into()));
        // Longer values widen the column and the tag.
        sml(&format!(
            "evo,t=a,t2={} f2=\"{}\" 1700000002000",
            "x".repeat(9),
            "y".repeat(40)
        ));
        assert_eq!(find("f2").2, "64", "{t}");
        assert_eq!(find("t2").2, "16", "{t}");
        assert_eq!(
            rows(conn, "select f1, f2 from evo order by _ts"),
            strings(&[
                &["1", "NULL"],
                &["2", "a string of 19 b"],
                &["NULL", &"y".repeat(40)],
            ]),
            "{t}"
        );
        // Three tag sets, three child tables.
        assert_eq!(
            rows(conn, "select distinct tbname from evo").len(),
            3,
            "{t}"
        );
    });
}

#[test]
fn table_name_key_names_the_child_table() {
    each("tnk", "ms", |t, conn| {
        let n = conn
            .schemaless(LINE)
            .precision(MS)
            .ttl(30)
            .table_name_key("id")
            .req_id(4242)
            .insert("tk,id=dev.1,loc=x f=1i 1626006833639")
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            rows(conn, "select tbname, loc from tk"),
            strings(&[&["dev_1", "x"]]),
            "{t}"
        );
    });
}

#[test]
fn a_malformed_line_fails_the_batch_and_writes_nothing() {
    each("bad", "ms", |t, conn| {
        let lines = [
            "good,t=1 f=1i 1626006833639",
            "other,t=1 f=2i 1626006833639",
            "bad,t=1 f=nope 1626006833639",
        ];
        let e = conn
            .schemaless_insert(&lines, LINE, MS, 0, None)
            .unwrap_err();
        // The server's code (which code TDengine picks varies with the fault), and the
        // kind the code table gives it, `Schemaless` for the codes it leaves to the context.
        assert!(e.code().is_some_and(|c| !c.is_client_local()), "{t}: {e}");
        assert_eq!(e.kind(), kind_of(&e), "{t}: {e}");
        if e.code() == Some(Code::new(0x0203)) {
            assert_eq!(e.kind(), ErrorKind::Data, "{t}: {e}");
        }
        assert_eq!(e.affected_rows(), Some(0), "{t}");
        assert!(e.message().contains("line 3"), "{t}: {e}");
        assert!(e.message().contains("f=nope"), "{t}: {e}");
        assert!(stables(conn).is_empty(), "{t}");
        // Malformed telnet and JSON too.
        let e = conn.schemaless(TELNET).insert("m 12345 1 t=1").unwrap_err();
        assert!(e.code().is_some(), "{t}: {e}");
        assert_eq!(e.kind(), kind_of(&e), "{t}: {e}");
        let e = conn.schemaless(JSON).insert("{not json").unwrap_err();
        assert_eq!(e.kind(), kind_of(&e), "{t}: {e}");
        assert!(stables(conn).is_empty(), "{t}");
    });
}

#[test]
fn a_type_conflict_with_an_existing_column() {
    each("conflict", "ms", |t, conn| {
        conn.schemaless_insert("conf,t=1 f=1i 1626006833639", LINE, MS, 0, None)
            .unwrap();
        let e = conn
            .schemaless_insert(
                &[
                    "fresh,t=1 f=1i 1626006833639",
                    "conf,t=1 f=\"text\" 1626006833640",
                ],
                LINE,
                MS,
                0,
                None,
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Schemaless, "{t}: {e}");
        assert!(
            matches!(
                e.code(),
                Some(Code::SML_INVALID_DATA | Code::SML_NOT_SAME_TYPE)
            ),
            "{t}: {e}"
        );
        assert_eq!(e.affected_rows(), Some(0));
        assert_eq!(stables(conn), ["conf"], "{t}");
        assert_eq!(rows(conn, "select count(*) from conf"), strings(&[&["1"]]));
    });
}

#[test]
fn no_database_and_unknown_database() {
    let server = Server::start(ServerConfig::new()).unwrap();
    for (t, dsn) in [("ws", server.dsn_ws()), ("rest", server.dsn_rest())] {
        let conn = connect(dsn.as_str()).unwrap();
        let e = conn
            .schemaless_insert("m,t=1 f=1 1626006833639", LINE, MS, 0, None)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Programming, "{t}: {e}");
        assert_eq!(e.code(), Some(Code::PAR_DB_NOT_SPECIFIED), "{t}: {e}");
        assert_eq!(e.affected_rows(), Some(0));

        // The current database is dropped behind the client's back.
        let db = unique_db("s", "gone", t);
        conn.execute(&format!("create database {db}"), ()).unwrap();
        conn.select_db(&db).unwrap();
        conn.execute(&format!("drop database {db}"), ()).unwrap();
        let e = conn
            .schemaless(TELNET)
            .insert("m 1626006833 1 t=1")
            .unwrap_err();
        assert!(e.code().is_some(), "{t}: {e}");
        assert_eq!(e.kind(), kind_of(&e), "{t}: {e}");

        // A closed connection is an interface error, as for every other call.
        conn.close().unwrap();
        let e = conn
            .schemaless_insert("m,t=1 f=1 1626006833639", LINE, MS, 0, None)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Interface, "{t}: {e}");
    }
}

/// The kind a schemaless error with a server code has: the code table's class, else
/// `Schemaless`.
fn kind_of(e: &taosync::Error) -> ErrorKind {
    e.code()
        .and_then(Code::kind)
        .unwrap_or(ErrorKind::Schemaless)
}
