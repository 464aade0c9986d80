//! Worked examples 02 §1.2.5 (stmt v1) and §1.3.5 (stmt2), round trips and hostile input.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::types::{Precision, Timestamp, Type};
use crate::value::Value;
use crate::ws::{BinaryRequest, GENERIC_CODE};

fn hex(s: &str) -> Vec<u8> {
    let digits: String = s.split_whitespace().collect();
    crate::value::from_hex(&digits).unwrap()
}

fn ms(v: i64) -> Value {
    Value::Timestamp(Timestamp::new(v, Precision::Millisecond))
}

/// The 122-byte binary bind frame of 02 §1.2.5.
const V1_BIND_FRAME: &str = "07 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00
    02 00 00 00 00 00 00 00
    01 00 00 00 62 00 00 00 02 00 00 00 03 00 00 00 ff ff ff ff 00 00 00 00 00 00 00 00
    09 08 00 00 00  04 04 00 00 00  08 03 00 00 00
    10 00 00 00 08 00 00 00 09 00 00 00
    00 00 68 e5 cf 8b 01 00 00 01 68 e5 cf 8b 01 00 00
    40 2a 00 00 00 00 00 00 00
    00 00 00 00 04 00 00 00 02 00 61 62 03 00 78 79 7a";

#[test]
fn v1_binary_bind_frame_of_02_1_2_5() {
    let frame = hex(V1_BIND_FRAME);
    assert_eq!(frame.len(), 122);
    let block = &frame[24..];
    assert_eq!(encode_bind(7, 1, block), frame);
    let req = BinaryRequest::decode(&frame).unwrap();
    assert_eq!(req.header.action_name(), "bind");
    let (stmt_id, got, header) = decode_block_frame(&req).unwrap();
    assert_eq!(stmt_id, 1);
    assert!(std::ptr::eq(got.as_ptr(), block.as_ptr()), "borrowed");
    assert_eq!((header.rows, header.cols, header.length), (2, 3, 98));

    // The block decodes to the stated rows, read as the server's column types.
    let rows = decode_insert_bind(got, &v1_fields()).unwrap();
    assert_eq!(
        rows,
        vec![
            vec![
                ms(1700000000000),
                Value::Int(42),
                Value::VarChar("ab".into())
            ],
            vec![ms(1700000000001), Value::Null, Value::VarChar("xyz".into())],
        ]
    );
    let err = decode_insert_bind(got, &v1_fields()[..2]).unwrap_err();
    assert_eq!(err.message(), "stmt column count not match");
    assert_eq!(err.code().map(|c| c.value()), Some(GENERIC_CODE));
    // A query bind refuses TIMESTAMP, as taosAdapter does.
    assert_eq!(
        decode_query_bind(got).unwrap_err().message(),
        "parse row block info error, err:unsupported data type 9"
    );

    // Re-encoding the rows through proto::block frames the same values (the block differs
    // only in the fields parsers ignore: flag, VARCHAR width, trailing byte).
    let again = encode_bind_rows(7, 1, &v1_fields(), &rows).unwrap();
    assert_eq!(&again[..24], &frame[..24]);
    let req = BinaryRequest::decode(&again).unwrap();
    let (_, block2, _) = decode_block_frame(&req).unwrap();
    assert_eq!(decode_insert_bind(block2, &v1_fields()).unwrap(), rows);

    let tags = encode_set_tags(6, 1, block);
    let req = BinaryRequest::decode(&tags).unwrap();
    assert_eq!(req.header.action_name(), "set_tags");
    assert_eq!(&tags[24..], block);
    assert_eq!(
        decode_set_tags(block, &v1_fields()).unwrap_err().message(),
        "rows not equal 1"
    );

    let short = BinaryRequest::decode(&frame[..40]).unwrap();
    let err = decode_block_frame(&short).unwrap_err();
    assert_eq!(err.code().map(|c| c.value()), Some(GENERIC_CODE));
    let mut negative = frame.clone();
    negative[32..36].copy_from_slice(&(-1i32).to_le_bytes());
    assert!(decode_block_frame(&BinaryRequest::decode(&negative).unwrap()).is_err());
}

#[test]
fn v1_binary_set_tags_round_trip() {
    let loc = StmtField {
        name: "loc".into(),
        field_type: 10,
        precision: 0,
        scale: 0,
        bytes: 66,
    };
    assert_eq!(
        loc.to_column().unwrap(),
        crate::Column::new("loc", Type::NChar, 16)
    );
    let frame =
        encode_set_tags_values(6, 1, std::slice::from_ref(&loc), &[Value::from("bj")]).unwrap();
    let req = BinaryRequest::decode(&frame).unwrap();
    let (_, block, _) = decode_block_frame(&req).unwrap();
    assert_eq!(
        decode_set_tags(block, std::slice::from_ref(&loc)).unwrap(),
        vec![Value::NChar("bj".into())]
    );
    assert_eq!(
        decode_set_tags(block, &[loc.clone(), loc])
            .unwrap_err()
            .message(),
        "stmt tags count not match"
    );
    assert!(encode_bind_rows(1, 1, &v1_fields(), &[vec![Value::Int(1)]]).is_err());
}

fn v1_fields() -> Vec<StmtField> {
    let f = |name: &str, t: i8, bytes: i32| StmtField {
        name: name.into(),
        field_type: t,
        precision: 0,
        scale: 0,
        bytes,
    };
    vec![f("ts", 9, 8), f("v", 4, 4), f("s", 8, 18)]
}

#[test]
fn v1_json_bind_of_02_1_2_5() {
    let columns = json!([
        [1700000000000i64, 1700000000001i64],
        [42, null],
        ["ab", "xyz"]
    ]);
    let values = json::decode_columns(&columns, &v1_fields()).unwrap();
    assert_eq!(
        values,
        vec![
            vec![ms(1700000000000), ms(1700000000001)],
            vec![Value::Int(42), Value::Null],
            vec![Value::VarChar("ab".into()), Value::VarChar("xyz".into())],
        ]
    );
    assert_eq!(json::encode_columns(&values).unwrap(), columns);

    let loc = StmtField {
        name: "loc".into(),
        field_type: 10,
        precision: 0,
        scale: 0,
        bytes: 66,
    };
    let tags = json::decode_tags(&json!(["bj"]), std::slice::from_ref(&loc)).unwrap();
    assert_eq!(tags, vec![Value::NChar("bj".into())]);
    assert_eq!(json::encode_tags(&tags).unwrap(), json!(["bj"]));
}

#[test]
fn v1_json_value_rules() {
    let field = |t: Type, precision: u8| StmtField {
        name: "c".into(),
        field_type: t.code() as i8,
        precision,
        scale: 0,
        bytes: 8,
    };
    let dec = |v: serde_json::Value, t: Type| json::decode_value(&v, &field(t, 0));
    assert_eq!(dec(json!(true), Type::Bool), Ok(Value::Bool(true)));
    assert!(dec(json!(1), Type::Bool).is_err());
    assert_eq!(dec(json!(-128), Type::TinyInt), Ok(Value::TinyInt(-128)));
    assert!(
        dec(json!(128), Type::TinyInt).is_err(),
        "overflow is an error"
    );
    assert!(dec(json!(1.5), Type::Int).is_err());
    assert_eq!(
        dec(json!(u64::MAX), Type::UBigInt),
        Ok(Value::UBigInt(u64::MAX))
    );
    assert!(dec(json!(-1), Type::UInt).is_err());
    assert_eq!(dec(json!(1.5), Type::Double), Ok(Value::Double(1.5)));
    assert_eq!(
        dec(json!("0aff"), Type::VarBinary),
        Ok(Value::VarBinary(vec![10, 255]))
    );
    assert!(dec(json!("abc"), Type::Geometry).is_err(), "odd-length hex");
    assert_eq!(
        dec(json!("{\"a\":1}"), Type::Json),
        Ok(Value::Json("{\"a\":1}".into()))
    );
    assert_eq!(dec(json!(null), Type::Int), Ok(Value::Null));
    assert!(dec(json!("x"), Type::Int).is_err());
    // Timestamps: an integer in the field precision, or RFC 3339 converted to it.
    let us = field(Type::Timestamp, 1);
    assert_eq!(
        json::decode_value(&json!(5), &us),
        Ok(Value::Timestamp(Timestamp::new(5, Precision::Microsecond)))
    );
    assert_eq!(
        json::decode_value(&json!("2023-11-14T22:13:20.000001Z"), &us),
        Ok(Value::Timestamp(Timestamp::new(
            1_700_000_000_000_001,
            Precision::Microsecond
        )))
    );
    assert!(json::decode_value(&json!("yesterday"), &us).is_err());
    // Shape errors.
    let err = json::decode_columns(&json!([[1, 2], [3], ["a", "b"]]), &v1_fields()).unwrap_err();
    assert_eq!(err.message(), "wrong row length, want 2 rows got 1");
    assert!(json::decode_columns(&json!([[1]]), &v1_fields()).is_err());
    assert!(json::decode_columns(&json!({"a":1}), &v1_fields()).is_err());
    assert!(json::decode_tags(&json!([1, 2]), &v1_fields()[..1]).is_err());
    assert!(json::encode_value(&Value::Double(f64::NAN)).is_err());
    assert_eq!(
        json::encode_value(&Value::Geometry(vec![1, 0xab])).unwrap(),
        json!("01ab")
    );
}

/// The 192-byte stmt2 bind frame of 02 §1.3.5.
const STMT2_FRAME: &str = "06 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00
    09 00 00 00 00 00 00 00  01 00  ff ff ff ff
    a2 00 00 00 01 00 00 00 01 00 00 00 03 00 00 00 1c 00 00 00 24 00 00 00 40 00 00 00
    06 00 64 31 30 30 31 00
    18 00 00 00
    18 00 00 00 0a 00 00 00 01 00 00 00 00 01 02 00 00 00 02 00 00 00 62 6a
    5e 00 00 00
    23 00 00 00 09 00 00 00 02 00 00 00 00 00 00 10 00 00 00
      00 68 e5 cf 8b 01 00 00 01 68 e5 cf 8b 01 00 00
    1b 00 00 00 04 00 00 00 02 00 00 00 00 01 00 08 00 00 00 2a 00 00 00 00 00 00 00
    20 00 00 00 08 00 00 00 02 00 00 00 00 00 01 02 00 00 00 03 00 00 00 05 00 00 00
      61 62 78 79 7a";

fn stmt2_example() -> Stmt2Bind {
    Stmt2Bind {
        tables: vec![Stmt2Table {
            name: Some("d1001".into()),
            tags: vec![BindColumn::new(
                Type::NChar,
                vec![Value::NChar("bj".into())],
            )],
            cols: vec![
                BindColumn::new(Type::Timestamp, vec![ms(1700000000000), ms(1700000000001)]),
                BindColumn::new(Type::Int, vec![Value::Int(42), Value::Null]),
                BindColumn::new(
                    Type::VarChar,
                    vec![Value::VarChar("ab".into()), Value::VarChar("xyz".into())],
                ),
            ],
        }],
    }
}

#[test]
fn stmt2_bind_frame_of_02_1_3_5() {
    let frame = hex(STMT2_FRAME);
    assert_eq!(frame.len(), 192);
    let bind = stmt2_example();
    assert_eq!(encode_stmt2_bind(6, 1, -1, &bind).unwrap(), frame);

    let req = BinaryRequest::decode(&frame).unwrap();
    assert_eq!(req.header.action_name(), "stmt2_bind");
    let f = Stmt2BindFrame::decode(&req).unwrap();
    assert_eq!((f.stmt_id, f.col_idx, f.payload.len()), (1, -1, 162));
    assert_eq!(
        Stmt2Bind::decode(f.payload, Precision::Millisecond).unwrap(),
        bind
    );
}

#[test]
fn stmt2_sections_are_optional() {
    // A query bind: one table, no name, no tags.
    let query = Stmt2Bind {
        tables: vec![Stmt2Table {
            name: None,
            tags: vec![],
            cols: vec![
                BindColumn::new(Type::VarChar, vec![Value::VarChar("x".into())]),
                BindColumn::new(Type::Double, vec![Value::Null]),
                BindColumn::new(
                    Type::Decimal64,
                    vec![Value::Decimal("12.50".parse().unwrap())],
                ),
            ],
        }],
    };
    let payload = query.encode().unwrap();
    assert_eq!(&payload[16..24], &[0; 8], "no names, no tags");
    assert_eq!(&payload[24..28], &28u32.to_le_bytes());
    let back = Stmt2Bind::decode(&payload, Precision::Millisecond).unwrap();
    assert_eq!(back, query);
    // All-NULL fixed column: buffer_length 0, no slots.
    let double = &payload[28 + 4 + 23..][..18];
    assert_eq!(&double[..4], &18u32.to_le_bytes());
    assert_eq!(&double[14..18], &0u32.to_le_bytes());
}

#[test]
fn stmt2_encode_rejects_inconsistent_input() {
    let mut bind = stmt2_example();
    bind.tables[0].cols[1].values.pop();
    assert!(bind.encode().is_err(), "ragged columns");
    let mut bind = stmt2_example();
    bind.tables[0].cols[1].values[0] = Value::VarChar("42".into());
    assert!(bind.encode().is_err(), "value of another type");
    let mut bind = stmt2_example();
    bind.tables.push(Stmt2Table::default());
    assert!(bind.encode().is_err(), "tables with different shapes");
    assert!(Stmt2Bind::default().encode().is_err(), "no tables");
    let mut bind = stmt2_example();
    bind.tables[0].name = Some("a\0b".into());
    assert!(bind.encode().is_err(), "NUL in a name");
}

#[test]
fn stmt2_decode_errors_name_the_problem() {
    let frame = hex(STMT2_FRAME);
    let payload = &frame[30..];
    let decode = |p: &[u8]| Stmt2Bind::decode(p, Precision::Millisecond).unwrap_err();
    let err = decode(&payload[..100]);
    assert_eq!(
        err.message(),
        "total length not match, expect 100, but get 162"
    );
    assert_eq!(err.code().map(|c| c.value()), Some(GENERIC_CODE));
    let mut p = payload.to_vec();
    p[8] = 0; // tag_count 0 with a tags offset
    assert_eq!(
        decode(&p).message(),
        "tag count is zero, but tags offset is not zero"
    );
    let mut p = payload.to_vec();
    p[28] = 0; // table name length 0
    assert_eq!(
        decode(&p).message(),
        "table name length is zero, data index: 0"
    );
    let mut p = payload.to_vec();
    p[36] = 0; // tag length 0
    assert_eq!(decode(&p).message(), "tag length is zero, data index: 0");
    let mut p = payload.to_vec();
    p[40] = 25; // tag record total_length off by one
    assert!(
        decode(&p)
            .message()
            .starts_with("bind data length not match, expect 25")
    );
    let mut p = payload.to_vec();
    p[4] = 200; // 200 tables claimed
    assert!(decode(&p).message().contains("out of range"));

    let mut short = frame.clone();
    short.truncate(29);
    let err = Stmt2BindFrame::decode(&BinaryRequest::decode(&short).unwrap()).unwrap_err();
    assert_eq!(err.message(), "message length is too short");
    let mut v2 = frame;
    v2[24] = 2;
    let err = Stmt2BindFrame::decode(&BinaryRequest::decode(&v2).unwrap()).unwrap_err();
    assert_eq!(err.message(), "unknown stmt2 bind version");
}

fn arb_column(ty: Type, rows: usize) -> BoxedStrategy<BindColumn> {
    let value: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::TinyInt => any::<i8>().prop_map(Value::TinyInt).boxed(),
        Type::SmallInt => any::<i16>().prop_map(Value::SmallInt).boxed(),
        Type::Int => any::<i32>().prop_map(Value::Int).boxed(),
        Type::BigInt => any::<i64>().prop_map(Value::BigInt).boxed(),
        Type::UTinyInt => any::<u8>().prop_map(Value::UTinyInt).boxed(),
        Type::USmallInt => any::<u16>().prop_map(Value::USmallInt).boxed(),
        Type::UInt => any::<u32>().prop_map(Value::UInt).boxed(),
        Type::UBigInt => any::<u64>().prop_map(Value::UBigInt).boxed(),
        Type::Float => (-1e30f32..1e30).prop_map(Value::Float).boxed(),
        Type::Double => (-1e300f64..1e300).prop_map(Value::Double).boxed(),
        Type::Timestamp => any::<i64>().prop_map(ms).boxed(),
        Type::NChar => ".{0,6}".prop_map(Value::NChar).boxed(),
        Type::Json => ".{0,6}".prop_map(Value::Json).boxed(),
        Type::VarBinary => proptest::collection::vec(any::<u8>(), 0..6)
            .prop_map(Value::VarBinary)
            .boxed(),
        Type::Geometry => proptest::collection::vec(any::<u8>(), 0..6)
            .prop_map(Value::Geometry)
            .boxed(),
        Type::Blob => proptest::collection::vec(any::<u8>(), 0..6)
            .prop_map(Value::Blob)
            .boxed(),
        _ => ".{0,6}".prop_map(Value::VarChar).boxed(),
    };
    let cell = prop_oneof![1 => Just(Value::Null), 4 => value];
    proptest::collection::vec(cell, rows)
        .prop_map(move |values| BindColumn::new(ty, values))
        .boxed()
}

const BIND_TYPES: [Type; 17] = [
    Type::Bool,
    Type::TinyInt,
    Type::SmallInt,
    Type::Int,
    Type::BigInt,
    Type::UTinyInt,
    Type::USmallInt,
    Type::UInt,
    Type::UBigInt,
    Type::Float,
    Type::Double,
    Type::Timestamp,
    Type::VarChar,
    Type::NChar,
    Type::Json,
    Type::VarBinary,
    Type::Geometry,
];

fn arb_bind() -> impl Strategy<Value = Stmt2Bind> {
    let types = |n| proptest::collection::vec(proptest::sample::select(&BIND_TYPES[..]), n);
    (
        types(0..3),
        types(0..4),
        1usize..4,
        0usize..5,
        any::<bool>(),
    )
        .prop_filter("something to bind", |(tags, cols, _, _, named)| {
            *named || !tags.is_empty() || !cols.is_empty()
        })
        .prop_flat_map(|(tag_types, col_types, tables, rows, named)| {
            let table = (
                ".{0,8}".prop_filter("no NUL", |s: &String| !s.contains('\0')),
                tag_types
                    .iter()
                    .map(|t| arb_column(*t, 1))
                    .collect::<Vec<_>>(),
                col_types
                    .iter()
                    .map(|t| arb_column(*t, rows))
                    .collect::<Vec<_>>(),
            )
                .prop_map(move |(name, tags, cols)| Stmt2Table {
                    name: named.then_some(name),
                    tags,
                    cols,
                });
            proptest::collection::vec(table, tables).prop_map(|tables| Stmt2Bind { tables })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn stmt2_round_trips(bind in arb_bind()) {
        let payload = bind.encode().unwrap();
        prop_assert_eq!(Stmt2Bind::decode(&payload, Precision::Millisecond).unwrap(), bind.clone());
        let frame = encode_stmt2_bind(9, 3, -1, &bind).unwrap();
        let req = BinaryRequest::decode(&frame).unwrap();
        let f = Stmt2BindFrame::decode(&req).unwrap();
        prop_assert_eq!(f.payload, &payload[..]);
    }

    #[test]
    fn stmt2_hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Stmt2Bind::decode(&bytes, Precision::Nanosecond);
        let mut with_len = bytes.clone();
        if with_len.len() >= 4 {
            let n = u32::try_from(with_len.len()).unwrap();
            with_len[..4].copy_from_slice(&n.to_le_bytes());
            let _ = Stmt2Bind::decode(&with_len, Precision::Nanosecond);
        }
    }

    #[test]
    fn stmt2_mutated_payloads_never_panic(
        bind in arb_bind(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut payload = bind.encode().unwrap();
        for (at, byte) in flips {
            let i = at.index(payload.len());
            payload[i] = byte;
        }
        let total = u32::try_from(payload.len()).unwrap();
        payload[..4].copy_from_slice(&total.to_le_bytes());
        if let Ok(back) = Stmt2Bind::decode(&payload, Precision::Millisecond) {
            let values: usize = back.tables.iter()
                .flat_map(|t| t.tags.iter().chain(&t.cols))
                .map(|c| c.values.len())
                .sum();
            prop_assert!(values <= payload.len(), "every value is backed by input bytes");
            let reserved: usize = back.tables.iter()
                .flat_map(|t| t.tags.iter().chain(&t.cols))
                .map(|c| c.values.capacity())
                .sum::<usize>()
                + back.tables.iter().map(|t| t.tags.capacity() + t.cols.capacity()).sum::<usize>();
            prop_assert!(reserved <= 2 * payload.len(), "capacity is sized from checked lengths");
        }
        let n = cut.index(payload.len());
        let _ = Stmt2Bind::decode(&payload[..n], Precision::Millisecond);
    }

    #[test]
    fn v1_json_round_trips(bind in arb_bind()) {
        for table in &bind.tables {
            let columns: Vec<Vec<Value>> = table.cols.iter().map(|c| c.values.clone()).collect();
            let fields: Vec<StmtField> = table.cols.iter().map(|c| StmtField {
                name: "c".into(),
                field_type: c.ty.code() as i8,
                precision: 0,
                scale: 0,
                bytes: 0,
            }).collect();
            let text = json::encode_columns(&columns).unwrap();
            let back = json::decode_columns(&text, &fields).unwrap();
            // FLOAT goes through f64 text; compare everything else exactly.
            for (a, b) in back.iter().flatten().zip(columns.iter().flatten()) {
                match (a, b) {
                    (Value::Float(x), Value::Float(y)) => prop_assert!((x - y).abs() <= y.abs() * 1e-6),
                    _ => prop_assert_eq!(a, b),
                }
            }
        }
    }
}

fn insert_fields() -> Vec<Stmt2Field> {
    let f = |name: &str, t: Type, bytes: i32, bind: BindType| Stmt2Field {
        name: name.into(),
        field_type: t.code() as i8,
        precision: 0,
        scale: 0,
        bytes,
        bind_type: bind.code(),
    };
    vec![
        f("tbname", Type::VarChar, 271, BindType::TableName),
        f("loc", Type::NChar, 66, BindType::Tag),
        f("ts", Type::Timestamp, 8, BindType::Column),
        f("v", Type::Int, 4, BindType::Column),
        f("s", Type::VarChar, 18, BindType::Column),
    ]
}

#[test]
fn stmt2_from_rows_builds_the_02_1_3_5_payload() {
    let rows = vec![
        vec![
            Value::from("d1001"),
            Value::from("bj"),
            Value::BigInt(1700000000000),
            Value::BigInt(42),
            Value::from("ab"),
        ],
        vec![
            Value::from("d1001"),
            Value::from("bj"),
            Value::from("2023-11-14T22:13:20.001Z"),
            Value::Null,
            Value::from("xyz"),
        ],
    ];
    let bind = Stmt2Bind::from_rows(&insert_fields(), &rows).unwrap();
    assert_eq!(bind, stmt2_example());
    assert_eq!(
        encode_stmt2_bind(6, 1, -1, &bind).unwrap(),
        hex(STMT2_FRAME)
    );

    // A new table name starts a new table; tags may not change within one.
    let mut more = rows.clone();
    more.push(vec![
        Value::from("d1002"),
        Value::from("sh"),
        Value::BigInt(1),
        Value::Int(1),
        Value::Null,
    ]);
    let bind = Stmt2Bind::from_rows(&insert_fields(), &more).unwrap();
    assert_eq!(bind.tables.len(), 2);
    assert_eq!(bind.tables[1].name.as_deref(), Some("d1002"));
    assert_eq!(bind.tables[1].cols[0].values.len(), 1);
    let mut bad = rows.clone();
    bad[1][1] = Value::from("sh");
    assert!(Stmt2Bind::from_rows(&insert_fields(), &bad).is_err());
    let mut bad = rows.clone();
    bad[0][3] = Value::BigInt(1 << 40);
    assert!(
        Stmt2Bind::from_rows(&insert_fields(), &bad)
            .unwrap_err()
            .message()
            .contains("\"v\"")
    );
    assert!(Stmt2Bind::from_rows(&insert_fields(), &[vec![Value::Null]]).is_err());
    assert!(Stmt2Bind::from_rows(&insert_fields(), &[]).is_err());

    let query = Stmt2Bind::query_params(&[Value::Int(1), Value::Null]);
    let payload = query.encode().unwrap();
    let back = Stmt2Bind::decode(&payload, Precision::Millisecond).unwrap();
    assert_eq!(back.tables[0].cols[0].ty, Type::Int);
    assert_eq!(back.tables[0].cols[1].values, vec![Value::Null]);
}
