//! Prepared statements on the embedded server, over raw WebSocket frames built with the
//! crate's `proto::ws` / `proto::stmt` encoders (02 §1): stmt v1 (JSON and binary binds,
//! query statements, the legacy `/rest/stmt` endpoint), stmt2 (many tables per bind,
//! auto-created children, query mode) and the errors of mismatched binds. Rows written
//! through a statement are read back with plain SQL over REST.

use crate::common::{Ws, recv, recv_json, rest_ok, ws_connect};
use serde_json::{Value as J, json};
use taosync_proto::block::encode_block;
use taosync_proto::stmt::{
    BindColumn, Stmt2Bind, Stmt2Table, StmtField, encode_bind, encode_bind_rows,
    encode_set_tags_values, encode_stmt2_bind,
};
use taosync_proto::{Column, Precision, Timestamp, Type, Value};
use taosync_server::{Server, ServerConfig, ServerHandle};
use tungstenite::Message;

const BASE: i64 = 1_700_000_000_000;
/// `POINT (1 2)` as WKB.
const POINT: [u8; 21] = [
    1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40,
];

/// Runs `sql` over REST (code 0 asserted).
fn rest(h: &ServerHandle, sql: &str) -> J {
    rest_ok(h, sql)
}

/// The `data` rows of a REST query.
fn data(h: &ServerHandle, sql: &str) -> Vec<J> {
    rest(h, sql)["data"].as_array().unwrap().clone()
}

fn server() -> ServerHandle {
    let h = Server::start(ServerConfig::new()).unwrap();
    rest(&h, "create database db precision 'ns'");
    rest(
        &h,
        "create stable db.st (ts timestamp, c_bool bool, c_ti tinyint, c_si smallint, c_int int, \
         c_big bigint, c_uti tinyint unsigned, c_usi smallint unsigned, c_ui int unsigned, \
         c_ubig bigint unsigned, c_f float, c_d double, c_vc varchar(8), c_nc nchar(4), \
         c_vb varbinary(8), c_geo geometry(64)) tags (t_int int, t_nc nchar(8))",
    );
    rest(
        &h,
        "create stable db.js (ts timestamp, v int) tags (info json)",
    );
    rest(
        &h,
        "create table db.plain (ts timestamp, v int, s varchar(4))",
    );
    h
}

fn ask(ws: &mut Ws, action: &str, args: J) -> J {
    let msg = json!({ "action": action, "args": args }).to_string();
    ws.send(Message::text(msg)).unwrap();
    recv_json(ws)
}

fn bin(ws: &mut Ws, frame: Vec<u8>) -> J {
    ws.send(Message::binary(frame)).unwrap();
    recv_json(ws)
}

fn ok(v: &J) {
    assert_eq!(v["code"], 0, "{v}");
}

fn err(v: &J, code: u64, message: &str) {
    assert_eq!(v["code"], code, "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(m.contains(message), "{m:?} does not contain {message:?}");
}

fn open(h: &ServerHandle, path: &str, db: &str) -> Ws {
    let mut ws = ws_connect(h, path);
    ok(&ask(
        &mut ws,
        "conn",
        json!({"req_id": 1, "user": "root", "password": "taosdata", "db": db}),
    ));
    ws
}

fn init(ws: &mut Ws, action: &str) -> u64 {
    let r = ask(ws, action, json!({"req_id": 2}));
    ok(&r);
    r["stmt_id"].as_u64().unwrap()
}

fn v1_prepare(ws: &mut Ws, sql: &str) -> u64 {
    let id = init(ws, "init");
    let r = ask(
        ws,
        "prepare",
        json!({"req_id": 3, "stmt_id": id, "sql": sql}),
    );
    ok(&r);
    assert_eq!(r["stmt_id"], id);
    id
}

fn fields(v: &J) -> Vec<StmtField> {
    serde_json::from_value(v["fields"].clone()).unwrap()
}

fn ts(ns: i64) -> Value {
    Value::Timestamp(Timestamp::new(ns, Precision::Nanosecond))
}

/// One full row of `db.st` columns; `i` varies the values.
fn full_row(i: i64) -> Vec<Value> {
    vec![
        ts(BASE * 1_000_000 + i),
        Value::Bool(i % 2 == 0),
        Value::TinyInt(-128),
        Value::SmallInt(32767),
        Value::Int(-7),
        Value::BigInt(i64::MAX),
        Value::UTinyInt(255),
        Value::USmallInt(65535),
        Value::UInt(u32::MAX),
        Value::UBigInt(u64::MAX),
        Value::Float(1.5),
        Value::Double(-2.25),
        Value::VarChar("héllo".into()),
        Value::NChar("中文🙂".into()),
        Value::VarBinary(vec![0, 1, 0xff]),
        Value::Geometry(POINT.to_vec()),
    ]
}

fn null_row(i: i64) -> Vec<Value> {
    let mut row = vec![Value::Null; 16];
    row[0] = ts(BASE * 1_000_000 + i);
    row
}

#[test]
fn v1_insert_every_type_json_and_binary() {
    let h = server();
    let mut ws = open(&h, "/ws", "db");
    let id = v1_prepare(
        &mut ws,
        "insert into ? using st tags (?, ?) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    // Fields need the table name first (02 §1.2.1).
    let r = ask(
        &mut ws,
        "get_col_fields",
        json!({"req_id": 4, "stmt_id": id}),
    );
    err(&r, 555, "table name");
    assert_eq!(r["stmt_id"], id);
    ok(&ask(
        &mut ws,
        "set_table_name",
        json!({"req_id": 5, "stmt_id": id, "name": "db.d1"}),
    ));
    let r = ask(
        &mut ws,
        "get_tag_fields",
        json!({"req_id": 6, "stmt_id": id}),
    );
    let tags = fields(&r);
    assert_eq!(tags.len(), 2);
    assert_eq!(
        (tags[1].name.as_str(), tags[1].field_type, tags[1].bytes),
        ("t_nc", 10, 34)
    );
    let r = ask(
        &mut ws,
        "get_col_fields",
        json!({"req_id": 7, "stmt_id": id}),
    );
    let cols = fields(&r);
    assert_eq!(cols.len(), 16);
    assert_eq!(
        (cols[0].field_type, cols[0].precision),
        (9, 2),
        "ns timestamp"
    );
    assert_eq!((cols[12].name.as_str(), cols[12].bytes), ("c_vc", 10));
    assert_eq!(cols[15].field_type, 20);
    let r = ask(
        &mut ws,
        "stmt_num_params",
        json!({"req_id": 8, "stmt_id": id}),
    );
    assert_eq!(r["num_params"], 16);
    let r = ask(
        &mut ws,
        "stmt_get_param",
        json!({"req_id": 9, "stmt_id": id, "index": 13}),
    );
    assert_eq!(
        (r["data_type"].as_i64(), r["length"].as_i64()),
        (Some(10), Some(18))
    );

    // Table 1: JSON tags, binary bind of two rows (one all NULL).
    ok(&ask(
        &mut ws,
        "set_tags",
        json!({"req_id": 10, "stmt_id": id, "tags": [1, "北京"]}),
    ));
    let frame = encode_bind_rows(11, id, &cols, &[full_row(0), null_row(1)]).unwrap();
    let r = bin(&mut ws, frame);
    ok(&r);
    assert_eq!(
        (r["action"].as_str(), r["req_id"].as_u64()),
        (Some("bind"), Some(11))
    );
    ok(&ask(
        &mut ws,
        "add_batch",
        json!({"req_id": 12, "stmt_id": id}),
    ));

    // Table 2: binary tags (an empty string), JSON bind with hex binaries and an RFC 3339
    // timestamp, empty strings.
    ok(&ask(
        &mut ws,
        "set_table_name",
        json!({"req_id": 13, "stmt_id": id, "name": "d2"}),
    ));
    let frame =
        encode_set_tags_values(14, id, &tags, &[Value::Int(2), Value::NChar(String::new())])
            .unwrap();
    let r = bin(&mut ws, frame);
    ok(&r);
    assert_eq!(r["action"], "set_tags");
    let geo: String = POINT.iter().map(|b| format!("{b:02x}")).collect();
    let columns = json!([
        ["2023-11-14T22:13:20.000000005Z"],
        [false],
        [1],
        [2],
        [3],
        [4],
        [5],
        [6],
        [7],
        [8],
        [0.5],
        [0.25],
        [""],
        [""],
        ["00ff"],
        [geo]
    ]);
    ok(&ask(
        &mut ws,
        "bind",
        json!({"req_id": 15, "stmt_id": id, "columns": columns}),
    ));
    ok(&ask(
        &mut ws,
        "add_batch",
        json!({"req_id": 16, "stmt_id": id}),
    ));
    let r = ask(&mut ws, "exec", json!({"req_id": 17, "stmt_id": id}));
    ok(&r);
    assert_eq!(r["affected"], 3);

    // close is not answered: the next request's reply comes first.
    ws.send(Message::text(
        json!({"action": "close", "args": {"req_id": 18, "stmt_id": id}}).to_string(),
    ))
    .unwrap();
    let r = ask(&mut ws, "exec", json!({"req_id": 19, "stmt_id": id}));
    err(&r, 65535, "stmt has been freed");
    assert_eq!(r["req_id"], 19);

    let rows = data(
        &h,
        "select tbname, t_int, t_nc, c_bool, c_ti, c_si, c_int, c_big, c_uti, c_usi, c_ui, c_ubig, \
         c_f, c_d, c_vc, c_nc, c_vb, c_geo, ts from db.st order by ts",
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        json!([
            "d1",
            1,
            "北京",
            true,
            -128,
            32767,
            -7,
            i64::MAX,
            255,
            65535,
            u32::MAX,
            u64::MAX,
            1.5,
            -2.25,
            "héllo",
            "中文🙂",
            "0001ff",
            rows[0][17],
            "2023-11-14T22:13:20.000000000Z"
        ])
    );
    assert!(
        rows[1].as_array().unwrap()[3..18].iter().all(J::is_null),
        "{}",
        rows[1]
    );
    assert_eq!(rows[1][18], "2023-11-14T22:13:20.000000001Z");
    assert_eq!(rows[2][0], "d2");
    assert_eq!(rows[2][2], "");
    assert_eq!(rows[2][14], "");
    assert_eq!(rows[2][15], "");
    assert_eq!(rows[2][18], "2023-11-14T22:13:20.000000005Z");
    assert_eq!(rows[0][17], rows[2][17], "geometry round-trips");
}

#[test]
fn v1_json_tag_fixed_table_and_query_statement() {
    let h = server();
    let mut ws = open(&h, "/ws", "db");
    let id = v1_prepare(&mut ws, "insert into ? using js tags (?) values (?, ?)");
    ok(&ask(
        &mut ws,
        "set_table_name",
        json!({"req_id": 4, "stmt_id": id, "name": "j1"}),
    ));
    ok(&ask(
        &mut ws,
        "set_tags",
        json!({"req_id": 5, "stmt_id": id, "tags": ["{\"k\":\"v\"}"]}),
    ));
    ok(&ask(
        &mut ws,
        "bind",
        json!({"req_id": 6, "stmt_id": id, "columns": [[BASE * 1_000_000], [7]]}),
    ));
    ok(&ask(
        &mut ws,
        "add_batch",
        json!({"req_id": 7, "stmt_id": id}),
    ));
    assert_eq!(
        ask(&mut ws, "exec", json!({"req_id": 8, "stmt_id": id}))["affected"],
        1
    );
    assert_eq!(
        data(&h, "select v, info->'k' from db.js"),
        vec![json!([7, "v"])]
    );

    // A fixed normal table: no table name; tags are refused.
    let id = v1_prepare(&mut ws, "insert into plain values (?, ?, ?)");
    let r = ask(
        &mut ws,
        "get_tag_fields",
        json!({"req_id": 9, "stmt_id": id}),
    );
    ok(&r);
    assert!(r.get("fields").is_none(), "no tags: key omitted: {r}");
    let r = ask(
        &mut ws,
        "set_tags",
        json!({"req_id": 10, "stmt_id": id, "tags": ["x"]}),
    );
    err(&r, 65535, "stmt parse tag json");
    let r = ask(
        &mut ws,
        "get_col_fields",
        json!({"req_id": 11, "stmt_id": id}),
    );
    let cols = fields(&r);
    let rows = [
        vec![
            Value::BigInt(BASE * 1_000_000),
            Value::Int(1),
            Value::from("a"),
        ],
        vec![
            Value::BigInt(BASE * 1_000_000 + 1),
            Value::Null,
            Value::from(""),
        ],
    ];
    ok(&bin(
        &mut ws,
        encode_bind_rows(12, id, &cols, &rows).unwrap(),
    ));
    ok(&ask(
        &mut ws,
        "add_batch",
        json!({"req_id": 13, "stmt_id": id}),
    ));
    assert_eq!(
        ask(&mut ws, "exec", json!({"req_id": 14, "stmt_id": id}))["affected"],
        2
    );

    // A query statement: binary bind of one row, exec, use_result, fetch.
    let id = v1_prepare(&mut ws, "select v, s from plain where v >= ? or s = ?");
    let r = ask(
        &mut ws,
        "stmt_num_params",
        json!({"req_id": 15, "stmt_id": id}),
    );
    assert_eq!(r["num_params"], 2);
    let block = encode_block(
        &[
            Column::new("p0", Type::Int, 4),
            Column::new("p1", Type::VarChar, 4),
        ],
        &[vec![Value::Int(1), Value::from("")]],
    )
    .unwrap();
    ok(&bin(&mut ws, encode_bind(16, id, &block)));
    ok(&ask(
        &mut ws,
        "add_batch",
        json!({"req_id": 17, "stmt_id": id}),
    ));
    ok(&ask(&mut ws, "exec", json!({"req_id": 18, "stmt_id": id})));
    let r = ask(&mut ws, "use_result", json!({"req_id": 19, "stmt_id": id}));
    ok(&r);
    assert_eq!(r["fields_names"], json!(["v", "s"]));
    let result_id = r["result_id"].as_u64().unwrap();
    let r = ask(&mut ws, "fetch", json!({"req_id": 20, "id": result_id}));
    ok(&r);
    assert_eq!(r["rows"], 2);
    ws.send(Message::text(
        json!({"action": "fetch_block", "args": {"req_id": 21, "id": result_id}}).to_string(),
    ))
    .unwrap();
    assert!(matches!(recv(&mut ws), Message::Binary(_)));
    // TIMESTAMP is not a query parameter type of binary binds (02 §1.2.4).
    let block = encode_block(&[Column::new("p", Type::Timestamp, 8)], &[vec![ts(1)]]).unwrap();
    let id = v1_prepare(&mut ws, "select v from plain where ts > ?");
    err(
        &bin(&mut ws, encode_bind(22, id, &block)),
        65535,
        "unsupported data type 9",
    );
}

#[test]
fn v1_errors_and_failed_batches() {
    let h = server();
    let mut ws = open(&h, "/ws", "db");
    let r = ask(
        &mut ws,
        "prepare",
        json!({"req_id": 1, "stmt_id": 99, "sql": "select 1"}),
    );
    err(&r, 65535, "stmt is nil");
    assert_eq!(r["stmt_id"], 99);
    let id = v1_prepare(
        &mut ws,
        "insert into ? using st (t_int) tags (?) (ts, c_int, c_vc) values (?, ?, ?)",
    );
    // Bind before the table name.
    let r = ask(
        &mut ws,
        "bind",
        json!({"req_id": 2, "stmt_id": id, "columns": [[1], [1], ["a"]]}),
    );
    err(&r, 555, "table name");
    // Tags before the table name are out of order.
    let r = ask(
        &mut ws,
        "set_tags",
        json!({"req_id": 2, "stmt_id": id, "tags": [1]}),
    );
    err(&r, 554, "set_tags before set_table_name");
    ok(&ask(
        &mut ws,
        "set_table_name",
        json!({"req_id": 3, "stmt_id": id, "name": "e1"}),
    ));
    ok(&ask(
        &mut ws,
        "set_tags",
        json!({"req_id": 4, "stmt_id": id, "tags": [1]}),
    ));
    let cols = fields(&ask(
        &mut ws,
        "get_col_fields",
        json!({"req_id": 5, "stmt_id": id}),
    ));
    assert_eq!(cols.len(), 3);
    // Column count, row count, range and length errors; none of them binds anything.
    let block = encode_block(
        &[Column::new("ts", Type::Timestamp, 8)],
        &[vec![ts(BASE * 1_000_000)]],
    )
    .unwrap();
    err(
        &bin(&mut ws, encode_bind(6, id, &block)),
        65535,
        "stmt column count not match",
    );
    let r = ask(
        &mut ws,
        "bind",
        json!({"req_id": 7, "stmt_id": id, "columns": [[1, 2], [1], ["a", "b"]]}),
    );
    err(&r, 65535, "wrong row length");
    let r = ask(
        &mut ws,
        "bind",
        json!({"req_id": 8, "stmt_id": id, "columns": [[1], [4294967296_i64], ["a"]]}),
    );
    err(&r, 65535, "stmt parse column json");
    let r = ask(
        &mut ws,
        "bind",
        json!({"req_id": 9, "stmt_id": id, "columns": [[1], [1], ["way too long"]]}),
    );
    err(&r, 0x2653, "Value too long");
    // add_batch with nothing bound is out of order.
    err(
        &ask(&mut ws, "add_batch", json!({"req_id": 10, "stmt_id": id})),
        554,
        "",
    );
    // A good batch for e1, then a batch for e2 the engine refuses at exec (NULL primary
    // timestamp): e1's rows stay, e2 writes nothing.
    ok(&ask(
        &mut ws,
        "bind",
        json!({"req_id": 11, "stmt_id": id, "columns": [[BASE * 1_000_000], [1], ["a"]]}),
    ));
    ok(&ask(
        &mut ws,
        "add_batch",
        json!({"req_id": 12, "stmt_id": id}),
    ));
    ok(&ask(
        &mut ws,
        "set_table_name",
        json!({"req_id": 13, "stmt_id": id, "name": "e2"}),
    ));
    ok(&ask(
        &mut ws,
        "set_tags",
        json!({"req_id": 14, "stmt_id": id, "tags": [2]}),
    ));
    ok(&ask(
        &mut ws,
        "bind",
        json!({"req_id": 15, "stmt_id": id, "columns": [[BASE * 1_000_000 + 1, null], [2, 3], ["b", "c"]]}),
    ));
    ok(&ask(
        &mut ws,
        "add_batch",
        json!({"req_id": 16, "stmt_id": id}),
    ));
    let r = ask(&mut ws, "exec", json!({"req_id": 17, "stmt_id": id}));
    assert_ne!(r["code"], 0, "{r}");
    let rows = data(&h, "select tbname, c_int from db.st order by ts");
    assert_eq!(rows, vec![json!(["e1", 1])]);
    // The queue was emptied: exec again is out of order.
    err(
        &ask(&mut ws, "exec", json!({"req_id": 18, "stmt_id": id})),
        554,
        "",
    );
    // A stmt2 id is unknown to v1 actions and vice versa.
    let id2 = init(&mut ws, "stmt2_init");
    err(
        &ask(&mut ws, "exec", json!({"req_id": 19, "stmt_id": id2})),
        65535,
        "stmt is nil",
    );
    err(
        &ask(&mut ws, "stmt2_exec", json!({"req_id": 20, "stmt_id": id})),
        65535,
        "stmt2 is nil",
    );
}

#[test]
fn legacy_rest_stmt_endpoint() {
    let h = server();
    let mut ws = open(&h, "/rest/stmt", "db");
    let id = v1_prepare(&mut ws, "insert into plain values (?, ?, ?)");
    ok(&ask(
        &mut ws,
        "bind",
        json!({"req_id": 4, "stmt_id": id, "columns": [[BASE * 1_000_000, BASE * 1_000_000 + 1], [5, null], ["x", null]]}),
    ));
    ok(&ask(
        &mut ws,
        "add_batch",
        json!({"req_id": 5, "stmt_id": id}),
    ));
    let r = ask(&mut ws, "exec", json!({"req_id": 6, "stmt_id": id}));
    assert_eq!(r["affected"], 2, "{r}");
    // Only stmt v1 lives there.
    err(
        &ask(&mut ws, "query", json!({"req_id": 7, "sql": "select 1"})),
        65535,
        "unknown action",
    );
    err(
        &ask(&mut ws, "stmt2_init", json!({"req_id": 8})),
        65535,
        "unknown action",
    );
    assert_eq!(
        data(&h, "select v, s from db.plain order by ts"),
        vec![json!([5, "x"]), json!([null, null])]
    );
}

fn stmt2_prepare(ws: &mut Ws, sql: &str) -> (u64, J) {
    let id = init(ws, "stmt2_init");
    let r = ask(
        ws,
        "stmt2_prepare",
        json!({"req_id": 3, "stmt_id": id, "sql": sql, "get_fields": true}),
    );
    ok(&r);
    (id, r)
}

fn table(name: Option<&str>, tags: Vec<BindColumn>, cols: Vec<BindColumn>) -> Stmt2Table {
    Stmt2Table {
        name: name.map(str::to_owned),
        tags,
        cols,
    }
}

fn col(ty: Type, values: Vec<Value>) -> BindColumn {
    BindColumn::new(ty, values)
}

fn bind2(ws: &mut Ws, req_id: u64, id: u64, tables: Vec<Stmt2Table>) -> J {
    let frame = encode_stmt2_bind(req_id, id, -1, &Stmt2Bind { tables }).unwrap();
    bin(ws, frame)
}

#[test]
fn stmt2_many_tables_every_type_and_query() {
    let h = server();
    let mut ws = open(&h, "/ws", "db");
    let (id, r) = stmt2_prepare(
        &mut ws,
        "insert into ? using st tags (?, ?) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    assert_eq!(r["is_insert"], true);
    assert_eq!(r["fields_count"], 19);
    let f = &r["fields"];
    assert_eq!(
        f[0],
        json!({"name": "tbname", "field_type": 8, "precision": 0, "scale": 0, "bytes": 271, "bind_type": 4})
    );
    assert_eq!(
        f[2],
        json!({"name": "t_nc", "field_type": 10, "precision": 0, "scale": 0, "bytes": 34, "bind_type": 2})
    );
    assert_eq!(
        f[3],
        json!({"name": "ts", "field_type": 9, "precision": 2, "scale": 0, "bytes": 8, "bind_type": 1})
    );
    let types: Vec<Type> = f.as_array().unwrap()[3..]
        .iter()
        .map(|x| Type::from_code(u8::try_from(x["field_type"].as_u64().unwrap()).unwrap()).unwrap())
        .collect();
    // Three tables in one bind, all auto-created; the third has only NULLs.
    let columns = |rows: &[Vec<Value>]| -> Vec<BindColumn> {
        types
            .iter()
            .enumerate()
            .map(|(c, ty)| col(*ty, rows.iter().map(|r| r[c].clone()).collect()))
            .collect()
    };
    let tags = |i: i32, s: &str| {
        vec![
            col(Type::Int, vec![Value::Int(i)]),
            col(Type::NChar, vec![Value::NChar(s.into())]),
        ]
    };
    let r = bind2(
        &mut ws,
        4,
        id,
        vec![
            table(
                Some("s1"),
                tags(1, "ü"),
                columns(&[full_row(0), full_row(1)]),
            ),
            table(Some("db.s2"), tags(2, ""), columns(&[full_row(2)])),
            table(Some("s3"), tags(3, "z"), columns(&[null_row(3)])),
        ],
    );
    ok(&r);
    assert_eq!(
        (
            r["action"].as_str(),
            r["req_id"].as_u64(),
            r["stmt_id"].as_u64()
        ),
        (Some("stmt2_bind"), Some(4), Some(id))
    );
    let r = ask(&mut ws, "stmt2_exec", json!({"req_id": 5, "stmt_id": id}));
    ok(&r);
    assert_eq!(r["affected"], 4);
    err(
        &ask(&mut ws, "stmt2_result", json!({"req_id": 6, "stmt_id": id})),
        65535,
        "stmt is insert, no result set",
    );
    let rows = data(
        &h,
        "select tbname, t_int, t_nc, c_nc, c_vb, ts from db.st order by ts",
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[0],
        json!([
            "s1",
            1,
            "ü",
            "中文🙂",
            "0001ff",
            "2023-11-14T22:13:20.000000000Z"
        ])
    );
    assert_eq!(
        rows[2],
        json!([
            "s2",
            2,
            "",
            "中文🙂",
            "0001ff",
            "2023-11-14T22:13:20.000000002Z"
        ])
    );
    assert_eq!(
        rows[3],
        json!(["s3", 3, "z", null, null, "2023-11-14T22:13:20.000000003Z"])
    );
    let r = ask(&mut ws, "stmt2_close", json!({"req_id": 7, "stmt_id": id}));
    ok(&r);
    assert_eq!(r["stmt_id"], id);

    // `tbname` in the column list of a supertable insert.
    let (id, r) = stmt2_prepare(
        &mut ws,
        "insert into st (tbname, ts, c_int, t_int) values (?, ?, ?, ?)",
    );
    let kinds: Vec<u64> = r["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["bind_type"].as_u64().unwrap())
        .collect();
    assert_eq!(kinds, vec![4, 2, 1, 1]);
    ok(&bind2(
        &mut ws,
        8,
        id,
        vec![table(
            Some("s4"),
            vec![col(Type::Int, vec![Value::Int(4)])],
            vec![
                col(Type::Timestamp, vec![ts(BASE * 1_000_000 + 9)]),
                col(Type::Int, vec![Value::Int(44)]),
            ],
        )],
    ));
    assert_eq!(
        ask(&mut ws, "stmt2_exec", json!({"req_id": 9, "stmt_id": id}))["affected"],
        1
    );
    assert_eq!(
        data(&h, "select t_int, c_int from db.s4"),
        vec![json!([4, 44])]
    );

    // Constant tags: the bound children are created with them.
    let (id, r) = stmt2_prepare(
        &mut ws,
        "insert into ? using st (t_int, t_nc) tags (-5, 'lit') (ts, c_int) values (?, ?)",
    );
    assert_eq!(r["fields_count"], 3, "{r}");
    ok(&bind2(
        &mut ws,
        16,
        id,
        vec![table(
            Some("s5"),
            vec![],
            vec![
                col(Type::Timestamp, vec![ts(BASE * 1_000_000 + 10)]),
                col(Type::Int, vec![Value::Int(55)]),
            ],
        )],
    ));
    assert_eq!(
        ask(&mut ws, "stmt2_exec", json!({"req_id": 17, "stmt_id": id}))["affected"],
        1
    );
    assert_eq!(
        data(&h, "select t_int, t_nc, c_int from db.s5"),
        vec![json!([-5, "lit", 55])]
    );

    // `INSERT INTO ? VALUES`: the columns are listed untyped until a table is bound.
    let (id, r) = stmt2_prepare(&mut ws, "insert into ? values (?, ?, ?)");
    let listed: Vec<(u64, u64)> = r["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["bind_type"].as_u64().unwrap(),
                x["field_type"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, vec![(4, 8), (1, 0), (1, 0), (1, 0)]);
    ok(&bind2(
        &mut ws,
        14,
        id,
        vec![table(
            Some("plain"),
            vec![],
            vec![
                col(Type::Timestamp, vec![ts(BASE * 1_000_000)]),
                col(Type::Int, vec![Value::Int(3)]),
                col(Type::VarChar, vec![Value::from("p")]),
            ],
        )],
    ));
    assert_eq!(
        ask(&mut ws, "stmt2_exec", json!({"req_id": 15, "stmt_id": id}))["affected"],
        1
    );
    assert_eq!(data(&h, "select v, s from db.plain"), vec![json!([3, "p"])]);

    // A query statement: the parameter count, one row of parameters, a result id.
    let (id, r) = stmt2_prepare(
        &mut ws,
        "select tbname, c_int from st where t_int >= ? and t_nc = ? order by ts",
    );
    assert_eq!(
        (r["is_insert"].as_bool(), r["fields_count"].as_i64()),
        (Some(false), Some(2))
    );
    ok(&bind2(
        &mut ws,
        10,
        id,
        vec![table(
            None,
            vec![],
            vec![
                col(Type::Int, vec![Value::Int(2)]),
                col(Type::VarChar, vec![Value::from("")]),
            ],
        )],
    ));
    assert_eq!(
        ask(&mut ws, "stmt2_exec", json!({"req_id": 11, "stmt_id": id}))["affected"],
        0
    );
    let r = ask(
        &mut ws,
        "stmt2_result",
        json!({"req_id": 12, "stmt_id": id}),
    );
    ok(&r);
    assert_eq!(r["fields_names"], json!(["tbname", "c_int"]));
    let rid = r["id"].as_u64().unwrap();
    let r = ask(&mut ws, "fetch", json!({"req_id": 13, "id": rid}));
    assert_eq!(r["rows"], 1);
}

/// A fixed-width bind record without NULLs (02 §1.3.3).
fn record(ty: Type, values: &[&[u8]]) -> Vec<u8> {
    let buf: Vec<u8> = values.concat();
    let num = u32::try_from(values.len()).unwrap();
    let total = 17 + values.len() + buf.len();
    let mut r = Vec::new();
    r.extend_from_slice(&u32::try_from(total).unwrap().to_le_bytes());
    r.extend_from_slice(&u32::from(ty.code()).to_le_bytes());
    r.extend_from_slice(&num.to_le_bytes());
    r.extend(std::iter::repeat_n(0u8, values.len()));
    r.push(0);
    r.extend_from_slice(&u32::try_from(buf.len()).unwrap().to_le_bytes());
    r.extend_from_slice(&buf);
    r
}

/// An action-9 frame binding one table whose TIMESTAMP column has one row and whose INT
/// column has two.
fn ragged_frame(stmt_id: u64) -> Vec<u8> {
    let ts = (BASE * 1_000_000).to_le_bytes();
    let mut records = record(Type::Timestamp, &[&ts]);
    records.extend(record(
        Type::Int,
        &[&1i32.to_le_bytes(), &2i32.to_le_bytes()],
    ));
    let mut payload = Vec::new();
    let total = 28 + 4 + records.len();
    for v in [total, 1, 0, 2, 0, 0, 28, records.len()] {
        payload.extend_from_slice(&u32::try_from(v).unwrap().to_le_bytes());
    }
    payload.extend(records);
    let mut frame = Vec::new();
    frame.extend_from_slice(&99u64.to_le_bytes());
    frame.extend_from_slice(&stmt_id.to_le_bytes());
    frame.extend_from_slice(&9u64.to_le_bytes());
    frame.extend_from_slice(&1u16.to_le_bytes());
    frame.extend_from_slice(&(-1i32).to_le_bytes());
    frame.extend(payload);
    frame
}

#[test]
fn stmt2_errors() {
    let h = server();
    let mut ws = open(&h, "/ws", "db");
    let (id, _) = stmt2_prepare(
        &mut ws,
        "insert into ? using st (t_int) tags (?) (ts, c_int, c_vc) values (?, ?, ?)",
    );
    let good_cols = || {
        vec![
            col(Type::Timestamp, vec![ts(BASE * 1_000_000)]),
            col(Type::Int, vec![Value::Int(1)]),
            col(Type::VarChar, vec![Value::from("a")]),
        ]
    };
    let one_tag = || vec![col(Type::Int, vec![Value::Int(1)])];
    // Missing table name.
    err(
        &bind2(&mut ws, 1, id, vec![table(None, one_tag(), good_cols())]),
        555,
        "table name",
    );
    // Column count.
    let mut short = good_cols();
    short.pop();
    err(
        &bind2(&mut ws, 2, id, vec![table(Some("x1"), one_tag(), short)]),
        0x263F,
        "columns",
    );
    // Tag count.
    let two_tags = vec![
        col(Type::Int, vec![Value::Int(1)]),
        col(Type::NChar, vec![Value::from("a")]),
    ];
    err(
        &bind2(
            &mut ws,
            3,
            id,
            vec![table(Some("x1"), two_tags, good_cols())],
        ),
        0x260D,
        "Tags number",
    );
    // Type and range.
    let mut wrong = good_cols();
    wrong[1] = col(Type::VarChar, vec![Value::from("1")]);
    err(
        &bind2(&mut ws, 5, id, vec![table(Some("x1"), one_tag(), wrong)]),
        0x0200,
        "c_int",
    );
    let mut big = good_cols();
    big[1] = col(Type::BigInt, vec![Value::BigInt(1 << 40)]);
    err(
        &bind2(&mut ws, 6, id, vec![table(Some("x1"), one_tag(), big)]),
        0x0200,
        "out of range",
    );
    // Too long.
    let mut long = good_cols();
    long[2] = col(Type::VarChar, vec![Value::from("123456789")]);
    err(
        &bind2(&mut ws, 7, id, vec![table(Some("x1"), one_tag(), long)]),
        0x2653,
        "Value too long",
    );
    // A bind whose second table fails validation adds nothing, not even the first table.
    let mut long = good_cols();
    long[2] = col(Type::VarChar, vec![Value::from("123456789")]);
    err(
        &bind2(
            &mut ws,
            8,
            id,
            vec![
                table(Some("x1"), one_tag(), good_cols()),
                table(Some("x2"), one_tag(), long),
            ],
        ),
        0x2653,
        "",
    );
    err(
        &ask(&mut ws, "stmt2_exec", json!({"req_id": 9, "stmt_id": id})),
        554,
        "",
    );
    assert_eq!(data(&h, "select count(*) from db.st"), vec![json!([0])]);
    // Tags on a statement over a normal table.
    let (id2, _) = stmt2_prepare(&mut ws, "insert into plain values (?, ?, ?)");
    let plain_cols = vec![
        col(Type::Timestamp, vec![ts(BASE)]),
        col(Type::Int, vec![Value::Int(1)]),
        col(Type::VarChar, vec![Value::from("a")]),
    ];
    err(
        &bind2(&mut ws, 10, id2, vec![table(None, one_tag(), plain_cols)]),
        0x260D,
        "Tags number",
    );
    // Columns of one table with different row counts (hand-built: the encoder refuses).
    let (id3, _) = stmt2_prepare(&mut ws, "insert into plain (ts, v) values (?, ?)");
    err(
        &bin(&mut ws, ragged_frame(id3)),
        0x0200,
        "different row counts",
    );
    // Malformed payloads.
    let mut frame = encode_stmt2_bind(
        11,
        id,
        -1,
        &Stmt2Bind {
            tables: vec![table(Some("x1"), one_tag(), good_cols())],
        },
    )
    .unwrap();
    frame[24] = 2;
    err(&bin(&mut ws, frame), 65535, "unknown stmt2 bind version");
    let mut frame = encode_stmt2_bind(
        12,
        id,
        -1,
        &Stmt2Bind {
            tables: vec![table(Some("x1"), one_tag(), good_cols())],
        },
    )
    .unwrap();
    frame.push(0);
    err(&bin(&mut ws, frame), 65535, "total length not match");
    // Close, then the id is freed; an id never handed out is nil.
    ok(&ask(
        &mut ws,
        "stmt2_close",
        json!({"req_id": 13, "stmt_id": id}),
    ));
    err(
        &bind2(
            &mut ws,
            14,
            id,
            vec![table(Some("x1"), one_tag(), good_cols())],
        ),
        65535,
        "stmt has been freed",
    );
    err(
        &ask(
            &mut ws,
            "stmt2_exec",
            json!({"req_id": 15, "stmt_id": 1000}),
        ),
        65535,
        "stmt2 is nil",
    );
    // Nothing was written by any of it.
    assert_eq!(data(&h, "select count(*) from db.st"), vec![json!([0])]);
}

#[test]
fn mutated_bind_frames_are_answered_not_fatal() {
    let h = server();
    let mut ws = open(&h, "/ws", "db");
    let v1 = v1_prepare(&mut ws, "insert into plain values (?, ?, ?)");
    let cols = fields(&ask(
        &mut ws,
        "get_col_fields",
        json!({"req_id": 4, "stmt_id": v1}),
    ));
    let rows = [vec![
        Value::BigInt(BASE * 1_000_000),
        Value::Int(1),
        Value::from("a"),
    ]];
    let good_v1 = encode_bind_rows(5, v1, &cols, &rows).unwrap();
    let (v2, _) = stmt2_prepare(
        &mut ws,
        "insert into ? using st (t_int) tags (?) (ts, c_int) values (?, ?)",
    );
    let bind = Stmt2Bind {
        tables: vec![table(
            Some("m1"),
            vec![col(Type::Int, vec![Value::Int(1)])],
            vec![
                col(Type::Timestamp, vec![ts(BASE * 1_000_000)]),
                col(Type::Int, vec![Value::Int(1)]),
            ],
        )],
    };
    let good_v2 = encode_stmt2_bind(6, v2, -1, &bind).unwrap();
    // A small deterministic generator: flip, truncate and overwrite bytes past the header.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..300 {
        let mut frame = if round % 2 == 0 {
            good_v1.clone()
        } else {
            good_v2.clone()
        };
        let n = u64::try_from(frame.len()).unwrap();
        match next() % 3 {
            0 => {
                let at = 24 + usize::try_from(next() % (n - 24)).unwrap();
                frame[at] ^= u8::try_from(next() % 255 + 1).unwrap();
            }
            1 => frame.truncate(24 + usize::try_from(next() % (n - 24)).unwrap()),
            _ => {
                let at = 24 + usize::try_from(next() % (n - 28)).unwrap();
                frame[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            }
        }
        let r = bin(&mut ws, frame);
        assert!(r["code"].is_u64(), "round {round}: {r}");
    }
    // The connection and both statements still work.
    ok(&bin(&mut ws, good_v1));
    ok(&bin(&mut ws, good_v2));
}

/// A variable-width bind record without NULLs (02 §1.3.3).
fn var_record(ty: Type, values: &[&[u8]]) -> Vec<u8> {
    let buf: Vec<u8> = values.concat();
    let total = 17 + values.len() * 5 + buf.len();
    let mut r = Vec::new();
    r.extend_from_slice(&u32::try_from(total).unwrap().to_le_bytes());
    r.extend_from_slice(&u32::from(ty.code()).to_le_bytes());
    r.extend_from_slice(&u32::try_from(values.len()).unwrap().to_le_bytes());
    r.extend(std::iter::repeat_n(0u8, values.len()));
    r.push(1);
    for v in values {
        r.extend_from_slice(&i32::try_from(v.len()).unwrap().to_le_bytes());
    }
    r.extend_from_slice(&u32::try_from(buf.len()).unwrap().to_le_bytes());
    r.extend_from_slice(&buf);
    r
}

/// An action-11 frame (02 §1.3.6): one record per prepared field over all rows.
fn bind_exec_frame(
    req_id: u64,
    stmt_id: u64,
    rows: u32,
    tables: u32,
    records: &[Vec<u8>],
) -> Vec<u8> {
    let body: Vec<u8> = records.concat();
    let mut frame = Vec::new();
    frame.extend_from_slice(&req_id.to_le_bytes());
    frame.extend_from_slice(&stmt_id.to_le_bytes());
    frame.extend_from_slice(&11u64.to_le_bytes());
    frame.extend_from_slice(&1u16.to_le_bytes());
    let total = u32::try_from(20 + body.len()).unwrap();
    let fields = u32::try_from(records.len()).unwrap();
    for v in [total, rows, tables, fields, 20] {
        frame.extend_from_slice(&v.to_le_bytes());
    }
    frame.extend(body);
    frame
}

#[test]
fn stmt2_bind_exec_splits_tables_by_name() {
    let h = server();
    let mut ws = open(&h, "/ws", "db");
    let (id, _) = stmt2_prepare(
        &mut ws,
        "insert into ? using st (t_int) tags (?) (ts, c_int) values (?, ?)",
    );
    let t0 = BASE * 1_000_000;
    let records = [
        var_record(Type::VarChar, &[b"ba", b"ba", b"bb"]),
        record(
            Type::Int,
            &[
                &1i32.to_le_bytes(),
                &1i32.to_le_bytes(),
                &2i32.to_le_bytes(),
            ],
        ),
        record(
            Type::Timestamp,
            &[
                &t0.to_le_bytes(),
                &(t0 + 1).to_le_bytes(),
                &(t0 + 2).to_le_bytes(),
            ],
        ),
        record(
            Type::Int,
            &[
                &10i32.to_le_bytes(),
                &11i32.to_le_bytes(),
                &20i32.to_le_bytes(),
            ],
        ),
    ];
    let r = bin(&mut ws, bind_exec_frame(7, id, 3, 2, &records));
    ok(&r);
    assert_eq!(
        (
            r["action"].as_str(),
            r["req_id"].as_u64(),
            r["affected"].as_i64()
        ),
        (Some("stmt2_bind_exec"), Some(7), Some(3))
    );
    assert_eq!(
        data(&h, "select tbname, t_int, c_int from db.st order by ts"),
        vec![
            json!(["ba", 1, 10]),
            json!(["ba", 1, 11]),
            json!(["bb", 2, 20])
        ]
    );
    // A query statement takes exactly one row.
    let (q, _) = stmt2_prepare(&mut ws, "select c_int from st where c_int > ?");
    let two = [record(
        Type::Int,
        &[&1i32.to_le_bytes(), &2i32.to_le_bytes()],
    )];
    err(
        &bin(&mut ws, bind_exec_frame(8, q, 2, 1, &two)),
        65535,
        "query only supports one row",
    );
    let one = [record(Type::Int, &[&10i32.to_le_bytes()])];
    let r = bin(&mut ws, bind_exec_frame(9, q, 1, 1, &one));
    ok(&r);
    let r = ask(&mut ws, "stmt2_result", json!({"req_id": 10, "stmt_id": q}));
    let rid = r["id"].as_u64().unwrap();
    assert_eq!(
        ask(&mut ws, "fetch", json!({"req_id": 11, "id": rid}))["rows"],
        2
    );
    // Structure errors.
    let mut bad = bind_exec_frame(12, id, 3, 2, &records);
    bad.push(0);
    err(&bin(&mut ws, bad), 65535, "total length not match");
    let mut bad = bind_exec_frame(13, id, 3, 2, &records);
    bad[24] = 9;
    err(&bin(&mut ws, bad), 65535, "unknown stmt2 bind version");
    err(
        &bin(&mut ws, bind_exec_frame(14, id, 4, 2, &records)),
        0x0200,
        "4 rows",
    );
}
