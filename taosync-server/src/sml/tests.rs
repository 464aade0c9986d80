#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::naming::child_table_name_md5;
use super::plan::var_width;
use super::*;

#[test]
fn parse_then_plan_an_empty_database() {
    // Formerly the module-level example of `sml`.
    let now = Timestamp::new(1_700_000_000_000, Precision::Millisecond);
    let batch = parse(
        SmlProtocol::Line,
        SmlPrecision::Millisecond,
        "meters,location=LA current=10.3,note=\"ok\" 1626006833639",
        Precision::Millisecond,
        now,
    )
    .unwrap();
    // The engine passes its catalogue; here the database is empty.
    let plan = plan(&batch, &|_: &str| -> Option<ExistingTable> { None }).unwrap();
    let stable = &plan.stables[0];
    assert!(stable.create);
    assert_eq!(stable.columns[0].name, "_ts");
    assert_eq!(
        (stable.columns[2].ty, stable.columns[2].length),
        (Type::VarChar, 4)
    );
    assert_eq!(
        stable.children[0].rows[0].values[0],
        (1, Value::Double(10.3))
    );
}
use md5::{Digest, Md5};
use proptest::prelude::*;
use taosync_proto::row::Column;

const NOW_MS: i64 = 1_700_000_000_000;

fn now() -> Timestamp {
    Timestamp::new(NOW_MS, Precision::Millisecond)
}

fn line(payload: &str, precision: SmlPrecision, db: Precision) -> Result<SmlBatch, SmlError> {
    parse(SmlProtocol::Line, precision, payload, db, now())
}

fn one(payload: &str) -> SmlPoint {
    let batch = line(payload, SmlPrecision::Millisecond, Precision::Millisecond).unwrap();
    assert_eq!(batch.points.len(), 1, "{payload}");
    batch.points.into_iter().next().unwrap()
}

fn field(point: &SmlPoint, name: &str) -> Value {
    point
        .columns
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.clone())
        .unwrap_or_else(|| panic!("no field {name} in {point:?}"))
}

fn value_of(text: &str) -> Result<Value, SmlError> {
    line(
        &format!("m v={text} 1626006833639"),
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .map(|b| b.points[0].columns[0].value.clone())
}

fn err(payload: &str) -> SmlError {
    line(payload, SmlPrecision::Millisecond, Precision::Millisecond).unwrap_err()
}

fn nothing(_: &str) -> Option<ExistingTable> {
    None
}

fn col(name: &str, ty: Type, length: u32) -> Column {
    Column::new(name, ty, length)
}

const EXAMPLE: &str = "meters,location=California.SanFrancisco,groupid=2 current=10.3,voltage=219i32,status=t,note=\"ok\",label=L\"ab\" 1626006833639\nmeters,location=California.SanFrancisco,groupid=2 current=12.6,voltage=218i32,status=f,note=\"ok2\",label=L\"cd\" 1626006833640";

// ---- wire forms -------------------------------------------------------------------------

#[test]
fn protocol_codes() {
    assert_eq!(SmlProtocol::from_code(1), Some(SmlProtocol::Line));
    assert_eq!(SmlProtocol::from_code(2), Some(SmlProtocol::Telnet));
    assert_eq!(SmlProtocol::from_code(3), Some(SmlProtocol::Json));
    assert_eq!(SmlProtocol::from_code(0), None);
    assert_eq!(SmlProtocol::from_code(4), None);
    assert_eq!(SmlProtocol::Json.code(), 3);
}

#[test]
fn precision_wire_forms() {
    let cases = [
        ("", SmlPrecision::NotConfigured, 0),
        ("h", SmlPrecision::Hour, 1),
        ("m", SmlPrecision::Minute, 2),
        ("s", SmlPrecision::Second, 3),
        ("ms", SmlPrecision::Millisecond, 4),
        ("u", SmlPrecision::Microsecond, 5),
        ("μ", SmlPrecision::Microsecond, 5),
        ("ns", SmlPrecision::Nanosecond, 6),
        ("us", SmlPrecision::NotConfigured, 0),
        ("xyz", SmlPrecision::NotConfigured, 0),
    ];
    for (text, precision, code) in cases {
        assert_eq!(SmlPrecision::from_wire(text), precision, "{text}");
        assert_eq!(precision.code(), code);
        assert_eq!(SmlPrecision::from_code(code), Some(precision));
    }
    assert_eq!(SmlPrecision::from_code(7), None);
}

// ---- worked examples of the notes §2 -----------------------------------------------------

#[test]
fn notes_2_1_example_points() {
    let batch = line(EXAMPLE, SmlPrecision::Millisecond, Precision::Millisecond).unwrap();
    assert_eq!(batch.total_rows, 2);
    let p = &batch.points[0];
    assert_eq!(p.stable, "meters");
    assert_eq!(p.child, "t_251f05d65163f70e2d23faaaa5338caa");
    assert_eq!(
        p.ts,
        Timestamp::new(1_626_006_833_639, Precision::Millisecond)
    );
    assert_eq!(
        p.tags,
        vec![
            SmlField::new("location", Value::NChar("California.SanFrancisco".into())),
            SmlField::new("groupid", Value::NChar("2".into())),
        ]
    );
    assert_eq!(
        p.columns,
        vec![
            SmlField::new("current", Value::Double(10.3)),
            SmlField::new("voltage", Value::Int(219)),
            SmlField::new("status", Value::Bool(true)),
            SmlField::new("note", Value::VarChar("ok".into())),
            SmlField::new("label", Value::NChar("ab".into())),
        ]
    );
    assert_eq!(batch.points[1].child, p.child);
    assert_eq!(batch.points[1].line, 2);
}

#[test]
fn notes_2_8_example_schema() {
    let batch = line(EXAMPLE, SmlPrecision::Millisecond, Precision::Millisecond).unwrap();
    let plan = plan(&batch, &nothing).unwrap();
    assert_eq!(plan.affected_rows, 2);
    assert_eq!(plan.stables.len(), 1);
    let st = &plan.stables[0];
    assert!(st.create);
    assert_eq!(st.name, "meters");
    assert_eq!(
        st.columns,
        vec![
            col("_ts", Type::Timestamp, 8),
            col("current", Type::Double, 8),
            col("voltage", Type::Int, 4),
            col("status", Type::Bool, 1),
            col("note", Type::VarChar, 4),
            col("label", Type::NChar, 4),
        ]
    );
    assert_eq!(
        st.tags,
        vec![
            col("location", Type::NChar, 32),
            col("groupid", Type::NChar, 2)
        ]
    );
    assert_eq!(st.children.len(), 1);
    let child = &st.children[0];
    assert_eq!(child.name, "t_251f05d65163f70e2d23faaaa5338caa");
    assert!(!child.exists);
    assert_eq!(
        child.tags_dense(st.tags.len()),
        vec![
            Value::NChar("California.SanFrancisco".into()),
            Value::NChar("2".into())
        ]
    );
    assert_eq!(child.rows.len(), 2);
    assert_eq!(
        child.rows[1].to_dense(st.columns.len()),
        vec![
            Value::Timestamp(Timestamp::new(1_626_006_833_640, Precision::Millisecond)),
            Value::Double(12.6),
            Value::Int(218),
            Value::Bool(false),
            Value::VarChar("ok2".into()),
            Value::NChar("cd".into()),
        ]
    );
}

#[test]
fn notes_2_7_json_example() {
    let payload = r#"[{"metric": "sys.cpu.nice", "timestamp": 1346846400, "value": 18,
        "tags": {"host": "web01", "dc": "lga"}}]"#;
    let batch = parse(
        SmlProtocol::Json,
        SmlPrecision::NotConfigured,
        payload,
        Precision::Millisecond,
        now(),
    )
    .unwrap();
    let p = &batch.points[0];
    assert_eq!(p.stable, "sys_cpu_nice");
    assert_eq!(p.child, "t_0e1c9ddad586b02a8637569be79f1e45");
    assert_eq!(
        p.ts,
        Timestamp::new(1_346_846_400_000, Precision::Millisecond)
    );
    assert_eq!(
        p.columns,
        vec![SmlField::new("_value", Value::Double(18.0))]
    );
    // Document order is kept; plain JSON strings are VARCHAR.
    assert_eq!(
        p.tags,
        vec![
            SmlField::new("host", Value::VarChar("web01".into())),
            SmlField::new("dc", Value::VarChar("lga".into())),
        ]
    );
    let plan = plan(&batch, &nothing).unwrap();
    assert_eq!(
        plan.stables[0].columns,
        vec![
            col("_ts", Type::Timestamp, 8),
            col("_value", Type::Double, 8)
        ]
    );
    assert_eq!(
        plan.stables[0].tags,
        vec![col("host", Type::VarChar, 8), col("dc", Type::VarChar, 4)]
    );
}

#[test]
fn notes_2_6_telnet_example() {
    let payload = "sys.if.bytes.out 1479496100 1.3E3 host=web01 interface=eth0\nsys.procs.running 1479496100 42 host=web01";
    let batch = parse(
        SmlProtocol::Telnet,
        SmlPrecision::NotConfigured,
        payload,
        Precision::Millisecond,
        now(),
    )
    .unwrap();
    assert_eq!(batch.total_rows, 2);
    let p = &batch.points[0];
    assert_eq!(p.stable, "sys_if_bytes_out");
    assert_eq!(
        p.ts,
        Timestamp::new(1_479_496_100_000, Precision::Millisecond)
    );
    assert_eq!(
        p.columns,
        vec![SmlField::new("_value", Value::Double(1300.0))]
    );
    assert_eq!(
        p.tags,
        vec![
            SmlField::new("host", Value::NChar("web01".into())),
            SmlField::new("interface", Value::NChar("eth0".into())),
        ]
    );
    assert_eq!(
        p.child,
        child_table_name_md5("sys_if_bytes_out", &p.tags),
        "MD5 rule"
    );
    assert_eq!(batch.points[1].stable, "sys_procs_running");
}

#[test]
fn md5_rule_examples() {
    // Independent of argument order: tags are sorted by key.
    let a = [
        SmlField::new("groupid", Value::NChar("2".into())),
        SmlField::new("location", Value::NChar("California.SanFrancisco".into())),
    ];
    assert_eq!(
        child_table_name_md5("meters", &a),
        "t_251f05d65163f70e2d23faaaa5338caa"
    );
    let b = [
        SmlField::new("host", Value::VarChar("web01".into())),
        SmlField::new("dc", Value::VarChar("lga".into())),
    ];
    assert_eq!(
        child_table_name_md5("sys_cpu_nice", &b),
        "t_0e1c9ddad586b02a8637569be79f1e45"
    );
    // No tags: the hash of the supertable name alone (md5("meters")).
    assert_eq!(
        child_table_name_md5("meters", &[]),
        "t_07d9e3aefc4093a49121c91ef65e708b"
    );
}

#[test]
fn md5_sort_is_case_insensitive_shorter_first() {
    let tags = [
        SmlField::new("b", Value::NChar("1".into())),
        SmlField::new("Ab", Value::NChar("2".into())),
        SmlField::new("a", Value::NChar("3".into())),
    ];
    // Expected input: "st,a=3,Ab=2,b=1".
    let mut h = Md5::new();
    h.update(b"st,a=3,Ab=2,b=1");
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(child_table_name_md5("st", &tags), format!("t_{hex}"));
}

#[test]
fn md5_of_numeric_json_tag_hashes_raw_bytes() {
    let tags = [SmlField::new("t", Value::Double(1.5))];
    let mut input = b"st,t=".to_vec();
    input.extend_from_slice(&1.5f64.to_le_bytes());
    let mut h = Md5::new();
    h.update(&input);
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(child_table_name_md5("st", &tags), format!("t_{hex}"));
}

#[test]
fn table_name_key_names_the_child_and_drops_the_tag() {
    let options = SmlOptions {
        table_name_key: Some("tname".into()),
    };
    let batch = parse_with(
        SmlProtocol::Line,
        SmlPrecision::Millisecond,
        "st,tname=cpu.1,t1=4 c1=3 1626006833639",
        Precision::Millisecond,
        now(),
        &options,
    )
    .unwrap();
    let p = &batch.points[0];
    assert_eq!(p.child, "cpu_1");
    assert_eq!(p.tags, vec![SmlField::new("t1", Value::NChar("4".into()))]);
    // Without the tag, the MD5 rule applies.
    let batch = parse_with(
        SmlProtocol::Line,
        SmlPrecision::Millisecond,
        "st,t1=4 c1=3 1626006833639",
        Precision::Millisecond,
        now(),
        &options,
    )
    .unwrap();
    assert!(batch.points[0].child.starts_with("t_"));
    // Key match is exact (case-sensitive).
    let batch = parse_with(
        SmlProtocol::Line,
        SmlPrecision::Millisecond,
        "st,TNAME=x,t1=4 c1=3 1626006833639",
        Precision::Millisecond,
        now(),
        &options,
    )
    .unwrap();
    assert!(batch.points[0].child.starts_with("t_"));
}

// ---- line protocol: structure and escaping -------------------------------------------------

#[test]
fn no_tags_gets_placeholder_tag() {
    let batch = line(
        "m f=1 1626006833639",
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    assert!(batch.points[0].tags.is_empty());
    assert_eq!(batch.points[0].child, child_table_name_md5("m", &[]));
    let plan = plan(&batch, &nothing).unwrap();
    assert_eq!(plan.stables[0].tags, vec![col("_tag_null", Type::NChar, 1)]);
    assert_eq!(plan.stables[0].children[0].tags_dense(1), vec![Value::Null]);
    assert!(plan.stables[0].children[0].tags.is_empty());
}

#[test]
fn escapes_in_names_and_values() {
    let p = one(r#"my\ meas\,ure,tag\ k\=1=v\ a\,l\=ue f\,k\ \=x="s \"q\" \\ e" 1626006833639"#);
    assert_eq!(p.stable, "my meas,ure");
    assert_eq!(
        p.tags,
        vec![SmlField::new("tag k=1", Value::NChar("v a,l=ue".into()))]
    );
    assert_eq!(
        p.columns,
        vec![SmlField::new(
            "f,k =x",
            Value::VarChar(r#"s "q" \ e"#.into())
        )]
    );
    // TDengine hashes the measurement as written (escapes included).
    let expected = child_table_name_md5(r"my\ meas\,ure", &p.tags);
    assert_eq!(p.child, expected);
}

#[test]
fn backslash_before_other_characters_is_kept() {
    let p = one(r#"m\x,t=a\b f="c\d" 1626006833639"#);
    assert_eq!(p.stable, r"m\x");
    assert_eq!(p.tags[0].value, Value::NChar(r"a\b".into()));
    assert_eq!(p.columns[0].value, Value::VarChar(r"c\d".into()));
}

#[test]
fn quoted_values_keep_spaces_commas_equals() {
    let p = one(r#"m s="a b,c=d",n=L"x y" 1626006833639"#);
    assert_eq!(field(&p, "s"), Value::VarChar("a b,c=d".into()));
    assert_eq!(field(&p, "n"), Value::NChar("x y".into()));
}

#[test]
fn escaped_backslash_then_closing_quote() {
    let p = one(r#"m s="a\\",t=1 1626006833639"#);
    assert_eq!(field(&p, "s"), Value::VarChar(r"a\".into()));
    assert_eq!(field(&p, "t"), Value::Double(1.0));
}

#[test]
fn dots_become_underscores_in_stable_but_not_tags() {
    let p = one("a.b.c,t=x.y f=1 1626006833639");
    assert_eq!(p.stable, "a_b_c");
    assert_eq!(p.tags[0].value, Value::NChar("x.y".into()));
    assert_eq!(p.child, child_table_name_md5("a_b_c", &p.tags));
}

#[test]
fn comments_blank_lines_crlf_and_leading_spaces() {
    let payload =
        "# a comment\n\n   \nm,t=1 f=1 1626006833639\r\n  m,t=1 f=2 1626006833640\n#m f=x\n";
    let batch = line(payload, SmlPrecision::Millisecond, Precision::Millisecond).unwrap();
    assert_eq!(batch.total_rows, 2);
    assert_eq!(batch.points[0].line, 4);
    assert_eq!(batch.points[1].line, 5);
    assert_eq!(batch.points[1].columns[0].value, Value::Double(2.0));
    // Only a '#' in the first byte makes a comment.
    assert!(line(" #m f=1", SmlPrecision::Millisecond, Precision::Millisecond).is_ok());
}

#[test]
fn text_after_timestamp_is_ignored() {
    let p = one("m f=1 1626006833639 trailing words");
    assert_eq!(p.ts.value(), 1_626_006_833_639);
}

#[test]
fn missing_or_zero_timestamp_is_now() {
    for payload in ["m f=1", "m f=1 ", "m f=1 0"] {
        let b = line(payload, SmlPrecision::Millisecond, Precision::Microsecond).unwrap();
        assert_eq!(
            b.points[0].ts,
            Timestamp::new(NOW_MS * 1000, Precision::Microsecond),
            "{payload:?}"
        );
    }
}

// ---- line protocol: value typing ----------------------------------------------------------

#[test]
fn every_numeric_suffix() {
    let cases: Vec<(&str, Value)> = vec![
        ("1", Value::Double(1.0)),
        ("-1.5", Value::Double(-1.5)),
        ("1e3", Value::Double(1000.0)),
        (".5", Value::Double(0.5)),
        ("2.5f64", Value::Double(2.5)),
        ("2.5F64", Value::Double(2.5)),
        ("2.5f32", Value::Float(2.5)),
        ("-128i8", Value::TinyInt(-128)),
        ("127I8", Value::TinyInt(127)),
        ("-32768i16", Value::SmallInt(-32768)),
        ("2147483647i32", Value::Int(i32::MAX)),
        ("-9223372036854775808i64", Value::BigInt(i64::MIN)),
        ("9223372036854775807i", Value::BigInt(i64::MAX)),
        ("42I", Value::BigInt(42)),
        ("255u8", Value::UTinyInt(255)),
        ("65535u16", Value::USmallInt(65535)),
        ("4294967295U32", Value::UInt(u32::MAX)),
        ("18446744073709551615u64", Value::UBigInt(u64::MAX)),
        ("7u", Value::UBigInt(7)),
        ("1.9i32", Value::Int(1)),
    ];
    for (text, expected) in cases {
        assert_eq!(value_of(text).unwrap(), expected, "{text}");
    }
    assert!(matches!(value_of("inf").unwrap(), Value::Double(d) if d.is_infinite()));
    assert!(matches!(value_of("-Infinity").unwrap(), Value::Double(d) if d == f64::NEG_INFINITY));
    assert!(matches!(value_of("nan").unwrap(), Value::Double(d) if d.is_nan()));
}

#[test]
fn out_of_range_numbers_fail() {
    for text in [
        "128i8",
        "-129i8",
        "32768i16",
        "2147483648i32",
        "9223372036854775808i64",
        "256u8",
        "-1u8",
        "65536u16",
        "4294967296u32",
        "18446744073709551616u64",
        "-1u",
        "1e39f32",
        "nanf32",
    ] {
        let e = value_of(text).unwrap_err();
        assert_eq!(e.code(), codes::TSC_INVALID_VALUE, "{text}");
        assert!(
            e.message().contains("out of range"),
            "{text}: {}",
            e.message()
        );
    }
}

#[test]
fn bool_spellings() {
    for t in ["t", "T", "true", "True", "TRUE", "tRuE"] {
        assert_eq!(value_of(t).unwrap(), Value::Bool(true), "{t}");
    }
    for f in ["f", "F", "false", "False", "FALSE"] {
        assert_eq!(value_of(f).unwrap(), Value::Bool(false), "{f}");
    }
    for bad in ["tr", "yes", "fals", "f32", "1x", "abc", "i8", "--1", "1i9"] {
        assert_eq!(
            value_of(bad).unwrap_err().code(),
            codes::TSC_INVALID_VALUE,
            "{bad}"
        );
    }
}

#[test]
fn string_prefixes() {
    assert_eq!(value_of(r#""""#).unwrap(), Value::VarChar(String::new()));
    assert_eq!(value_of(r#"L"""#).unwrap(), Value::NChar(String::new()));
    assert_eq!(value_of(r#"l"日本""#).unwrap(), Value::NChar("日本".into()));
    assert_eq!(
        value_of(r#"B"ab""#).unwrap(),
        Value::VarBinary(b"ab".to_vec())
    );
    assert_eq!(
        value_of(r#"b"\x6869""#).unwrap(),
        Value::VarBinary(b"hi".to_vec())
    );
    assert_eq!(
        value_of(r#"b"\x6""#).unwrap_err().code(),
        Code::SML_INVALID_DATA
    );
    // GEOMETRY: WKT in, little-endian WKB out (1 byte order, u32 type, two f64).
    let mut point = vec![1u8, 1, 0, 0, 0];
    point.extend_from_slice(&1f64.to_le_bytes());
    point.extend_from_slice(&2f64.to_le_bytes());
    assert_eq!(
        value_of(r#"G"POINT(1 2)""#).unwrap(),
        Value::Geometry(point)
    );
    assert!(matches!(
        value_of(r#"g"LINESTRING(0 0, 1 1)""#).unwrap(),
        Value::Geometry(b) if b.len() == 41
    ));
    assert_eq!(
        value_of(r#"G"CIRCLE(1)""#).unwrap_err().code(),
        codes::TSC_INVALID_VALUE
    );
    assert_eq!(
        value_of(r#"X"a""#).unwrap_err().code(),
        codes::TSC_INVALID_VALUE
    );
    assert_eq!(
        value_of(r#""ab"c"#).unwrap_err().code(),
        codes::TSC_INVALID_VALUE
    );
}

#[test]
fn nchar_width_counts_utf8_bytes() {
    let batch = line(
        "m,t=日本 s=L\"日本語\" 1626006833639",
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    let plan = plan(&batch, &nothing).unwrap();
    // 9 bytes -> 16, 6 bytes -> 8.
    assert_eq!(plan.stables[0].columns[1], col("s", Type::NChar, 16));
    assert_eq!(plan.stables[0].tags[0], col("t", Type::NChar, 8));
}

// ---- precisions --------------------------------------------------------------------------

#[test]
fn every_line_precision() {
    let cases = [
        (SmlPrecision::Hour, "2", Precision::Millisecond, 7_200_000),
        (SmlPrecision::Minute, "2", Precision::Millisecond, 120_000),
        (SmlPrecision::Second, "2", Precision::Microsecond, 2_000_000),
        (
            SmlPrecision::Millisecond,
            "2",
            Precision::Nanosecond,
            2_000_000,
        ),
        (SmlPrecision::Microsecond, "2500", Precision::Millisecond, 2),
        (
            SmlPrecision::Nanosecond,
            "2500000",
            Precision::Millisecond,
            2,
        ),
        (
            SmlPrecision::NotConfigured,
            "2500000",
            Precision::Microsecond,
            2500,
        ),
        (
            SmlPrecision::Hour,
            "1",
            Precision::Nanosecond,
            3_600_000_000_000,
        ),
    ];
    for (precision, ts, db, expected) in cases {
        let b = line(&format!("m f=1 {ts}"), precision, db).unwrap();
        assert_eq!(
            b.points[0].ts,
            Timestamp::new(expected, db),
            "{precision:?} {ts}"
        );
        assert_eq!(b.precision, db);
    }
}

#[test]
fn bad_timestamps() {
    for payload in [
        "m f=1 abc",
        "m f=1 12x",
        "m f=1 -5",
        "m f=1 99999999999999999999",
    ] {
        let e = line(payload, SmlPrecision::Millisecond, Precision::Millisecond).unwrap_err();
        assert_eq!(e.code(), codes::INVALID_TIMESTAMP, "{payload}");
    }
    // Hours overflow while going through milliseconds.
    let e = line(
        "m f=1 9223372036854775807",
        SmlPrecision::Hour,
        Precision::Millisecond,
    )
    .unwrap_err();
    assert_eq!(e.code(), codes::INVALID_TIMESTAMP);
    // Finer than the database and rounding to zero is not a valid timestamp.
    let e = line("m f=1 5", SmlPrecision::Nanosecond, Precision::Millisecond).unwrap_err();
    assert_eq!(e.code(), codes::INVALID_TIMESTAMP);
}

#[test]
fn telnet_timestamps() {
    let t = |payload: &str, db: Precision| {
        parse(SmlProtocol::Telnet, SmlPrecision::Hour, payload, db, now())
    };
    let b = t("m 1626006833 1 a=b", Precision::Nanosecond).unwrap();
    assert_eq!(b.points[0].ts.value(), 1_626_006_833_000_000_000);
    let b = t("m 1626006833639 1 a=b", Precision::Microsecond).unwrap();
    assert_eq!(b.points[0].ts.value(), 1_626_006_833_639_000);
    let b = t("m 0 1 a=b", Precision::Millisecond).unwrap();
    assert_eq!(b.points[0].ts.value(), NOW_MS);
    for bad in [
        "m 16260068 1 a=b",
        "m 16260068336391 1 a=b",
        "m abcdefghij 1 a=b",
    ] {
        assert_eq!(
            t(bad, Precision::Millisecond).unwrap_err().code(),
            codes::INVALID_TIMESTAMP,
            "{bad}"
        );
    }
}

#[test]
fn json_timestamps() {
    let j = |ts: &str| {
        parse(
            SmlProtocol::Json,
            SmlPrecision::NotConfigured,
            &format!(r#"{{"metric":"m","timestamp":{ts},"value":1,"tags":{{"a":"b"}}}}"#),
            Precision::Microsecond,
            now(),
        )
    };
    assert_eq!(
        j("1626006833").unwrap().points[0].ts.value(),
        1_626_006_833_000_000
    );
    assert_eq!(
        j("1626006833639").unwrap().points[0].ts.value(),
        1_626_006_833_639_000
    );
    assert_eq!(j("0").unwrap().points[0].ts.value(), NOW_MS * 1000);
    for (ty, value, expected) in [
        ("s", "1626006833", 1_626_006_833_000_000),
        ("ms", "1626006833639", 1_626_006_833_639_000),
        ("us", "1626006833639123", 1_626_006_833_639_123),
        ("NS", "1626006833639123456", 1_626_006_833_639_123),
    ] {
        let ts = format!(r#"{{"value":{value},"type":"{ty}"}}"#);
        assert_eq!(j(&ts).unwrap().points[0].ts.value(), expected, "{ty}");
    }
    for bad in [
        "-1",
        "123",
        "1e30",
        "\"1626006833\"",
        r#"{"value":1,"type":"h"}"#,
        r#"{"value":"1","type":"s"}"#,
        r#"{"value":1}"#,
    ] {
        assert_eq!(
            j(bad).unwrap_err().code(),
            codes::INVALID_TIMESTAMP,
            "{bad}"
        );
    }
}

// ---- telnet -------------------------------------------------------------------------------

#[test]
fn telnet_values_and_errors() {
    let t = |payload: &str| {
        parse(
            SmlProtocol::Telnet,
            SmlPrecision::NotConfigured,
            payload,
            Precision::Millisecond,
            now(),
        )
    };
    let b = t("m 1626006833 219i32 a=b  c=d").unwrap();
    assert_eq!(b.points[0].columns[0].value, Value::Int(219));
    assert_eq!(b.points[0].tags.len(), 2);
    let b = t("m 1626006833 \"s\" a=b").unwrap();
    assert_eq!(b.points[0].columns[0].value, Value::VarChar("s".into()));
    let b = t("m 1626006833 t a=b").unwrap();
    assert_eq!(b.points[0].columns[0].value, Value::Bool(true));
    let cases = [
        ("m", codes::TSC_INVALID_TABLE_ID_LENGTH),
        ("m 1626006833", Code::SML_INVALID_DATA),
        ("m 1626006833 1", codes::TSC_INVALID_VALUE),
        ("m 1626006833 1 ", codes::TSC_INVALID_VALUE),
        ("m 1626006833 abc a=b", codes::TSC_INVALID_VALUE),
        ("m 1626006833 1 a", codes::TSC_INVALID_COLUMN_LENGTH),
        ("m 1626006833 1 =b", codes::TSC_INVALID_COLUMN_LENGTH),
        ("m 1626006833 1 a=", codes::TSC_INVALID_VALUE),
        ("m 1626006833 1 a=b=c", Code::SML_INVALID_DATA),
        ("m 1626006833 1 a=b a=c", codes::DUP_KEY),
    ];
    for (payload, code) in cases {
        let e = t(payload).unwrap_err();
        assert_eq!(e.code(), code, "{payload}: {}", e.message());
        assert_eq!(e.line(), Some(1));
    }
}

// ---- JSON ---------------------------------------------------------------------------------

fn json(payload: &str) -> Result<SmlBatch, SmlError> {
    parse(
        SmlProtocol::Json,
        SmlPrecision::NotConfigured,
        payload,
        Precision::Millisecond,
        now(),
    )
}

#[test]
fn json_typed_values_and_tags() {
    let payload = r#"[
      {"metric":"m","timestamp":1626006833,"value":{"value":1,"type":"i8"},"tags":{"a":true,"b":2,"c":{"value":"x","type":"nchar"}}},
      {"metric":"m2","timestamp":1626006833,"value":{"value":true,"type":"BOOL"},"tags":{"a":"b"}},
      {"metric":"m3","timestamp":1626006833,"value":"text","tags":{"a":"b"}},
      {"metric":"m4","timestamp":1626006833,"value":false,"tags":{"a":"b"}},
      {"metric":"m5","timestamp":1626006833,"value":{"value":"ab","type":"varbinary"},"tags":{"a":"b"}}
    ]"#;
    let b = json(payload).unwrap();
    assert_eq!(b.total_rows, 5);
    assert_eq!(b.points[0].columns[0].value, Value::TinyInt(1));
    assert_eq!(
        b.points[0].tags,
        vec![
            SmlField::new("a", Value::Bool(true)),
            SmlField::new("b", Value::Double(2.0)),
            SmlField::new("c", Value::NChar("x".into())),
        ]
    );
    assert_eq!(b.points[1].columns[0].value, Value::Bool(true));
    assert_eq!(b.points[2].columns[0].value, Value::VarChar("text".into()));
    assert_eq!(b.points[3].columns[0].value, Value::Bool(false));
    assert_eq!(
        b.points[4].columns[0].value,
        Value::VarBinary(b"ab".to_vec())
    );
    let typed = [
        ("i16", "300", Value::SmallInt(300)),
        ("smallint", "300", Value::SmallInt(300)),
        ("int", "70000", Value::Int(70000)),
        ("i32", "-7.9", Value::Int(-7)),
        ("bigint", "1e30", Value::BigInt(i64::MAX)),
        ("tinyint", "-128", Value::TinyInt(-128)),
        ("float", "1.5", Value::Float(1.5)),
        ("f64", "1.5", Value::Double(1.5)),
        ("double", "2", Value::Double(2.0)),
    ];
    for (ty, v, expected) in typed {
        let payload = format!(
            r#"{{"metric":"m","timestamp":1626006833,"value":{{"value":{v},"type":"{ty}"}},"tags":{{"a":"b"}}}}"#
        );
        assert_eq!(
            json(&payload).unwrap().points[0].columns[0].value,
            expected,
            "{ty}"
        );
    }
}

#[test]
fn json_errors() {
    let point = |value: &str, tags: &str| {
        format!(r#"{{"metric":"m","timestamp":1626006833,"value":{value},"tags":{tags}}}"#)
    };
    let cases: Vec<(String, Code)> = vec![
        ("not json".into(), codes::TSC_INVALID_JSON),
        ("42".into(), codes::TSC_INVALID_JSON),
        ("[1]".into(), codes::TSC_INVALID_JSON),
        (
            r#"{"metric":"m","timestamp":0,"value":1}"#.into(),
            codes::TSC_INVALID_JSON,
        ),
        (
            r#"{"metric":"m","timestamp":0,"value":1,"tags":{"a":"b"},"x":1}"#.into(),
            codes::TSC_INVALID_JSON,
        ),
        (
            r#"{"metric":"m","metric":"m","timestamp":0,"value":1,"tags":{"a":"b"}}"#.into(),
            codes::TSC_INVALID_JSON,
        ),
        (
            r#"{"metric":"","timestamp":0,"value":1,"tags":{"a":"b"}}"#.into(),
            codes::TSC_INVALID_TABLE_ID_LENGTH,
        ),
        (
            r#"{"metric":5,"timestamp":0,"value":1,"tags":{"a":"b"}}"#.into(),
            codes::TSC_INVALID_JSON,
        ),
        (point("1", "{}"), codes::TSC_INVALID_JSON),
        (point("1", "\"a\""), codes::TSC_INVALID_JSON),
        (point("null", r#"{"a":"b"}"#), codes::TSC_INVALID_JSON),
        (point("[1]", r#"{"a":"b"}"#), codes::TSC_INVALID_JSON),
        (
            point(r#"{"value":1,"type":"u8"}"#, r#"{"a":"b"}"#),
            codes::TSC_INVALID_JSON_TYPE,
        ),
        (
            point(r#"{"value":true,"type":"int"}"#, r#"{"a":"b"}"#),
            codes::TSC_INVALID_JSON_TYPE,
        ),
        (
            point(r#"{"value":"x","type":"int"}"#, r#"{"a":"b"}"#),
            codes::TSC_INVALID_JSON_TYPE,
        ),
        (
            point(r#"{"value":null,"type":"int"}"#, r#"{"a":"b"}"#),
            codes::TSC_INVALID_JSON_TYPE,
        ),
        (
            point(r#"{"value":1}"#, r#"{"a":"b"}"#),
            codes::TSC_INVALID_JSON,
        ),
        (
            point(r#"{"value":1,"type":5}"#, r#"{"a":"b"}"#),
            codes::TSC_INVALID_JSON,
        ),
        (
            point(r#"{"value":300,"type":"i8"}"#, r#"{"a":"b"}"#),
            codes::TSC_VALUE_OUT_OF_RANGE,
        ),
        (
            point(r#"{"value":1e40,"type":"f32"}"#, r#"{"a":"b"}"#),
            codes::TSC_VALUE_OUT_OF_RANGE,
        ),
        (point("1", r#"{"":"b"}"#), codes::TSC_INVALID_COLUMN_LENGTH),
        (point("1", r#"{"a":null}"#), codes::TSC_INVALID_JSON),
    ];
    for (payload, code) in cases {
        let e = json(&payload).unwrap_err();
        assert_eq!(e.code(), code, "{payload}: {}", e.message());
    }
    // Errors name the data point.
    let e = json(&format!(
        "[{}, {}]",
        point("1", r#"{"a":"b"}"#),
        point("1", "{}")
    ))
    .unwrap_err();
    assert_eq!(e.line(), Some(2));
    assert!(e.message().starts_with("data point 2:"), "{}", e.message());
    // Empty array: nothing to do.
    assert_eq!(json("[]").unwrap().total_rows, 0);
    // Keys are matched case-insensitively.
    let b = json(r#"{"METRIC":"m","TimeStamp":1626006833,"Value":1,"TAGS":{"a":"b"}}"#).unwrap();
    assert_eq!(b.points[0].stable, "m");
}

// ---- malformed line protocol -------------------------------------------------------------

#[test]
fn malformed_lines_name_line_and_code() {
    let cases = [
        (",t=1 f=1", Code::SML_INVALID_DATA),
        // Leading spaces are skipped, so "f=1" is the measurement and the fields are missing.
        (" f=1", Code::SML_INVALID_DATA),
        ("m", Code::SML_INVALID_DATA),
        ("m,t=1", Code::SML_INVALID_DATA),
        ("m,t=1 ", Code::SML_INVALID_DATA),
        ("m,t f=1", Code::SML_INVALID_DATA),
        ("m,t= f=1", Code::SML_INVALID_DATA),
        ("m,=1 f=1", codes::TSC_INVALID_COLUMN_LENGTH),
        ("m,t=1=2 f=1", Code::SML_INVALID_DATA),
        ("m f", codes::TSC_INVALID_COLUMN_LENGTH),
        ("m f,g=1", Code::SML_INVALID_DATA),
        ("m f=", Code::SML_INVALID_DATA),
        ("m f=\"abc", Code::SML_INVALID_DATA),
        ("m f=\"a\"b\"c\"", Code::SML_INVALID_DATA),
        ("m f=abc", codes::TSC_INVALID_VALUE),
        ("m f=1,f=2", codes::DUP_KEY),
        ("m,t=1,t=2 f=1", codes::DUP_KEY),
    ];
    for (payload, code) in cases {
        let text = format!("m,ok=1 f=1 1626006833639\n{payload}");
        let e = err(&text);
        assert_eq!(e.code(), code, "{payload:?}: {}", e.message());
        assert_eq!(e.line(), Some(2), "{payload:?}");
        assert!(e.message().starts_with("line 2:"), "{}", e.message());
        assert!(e.message().contains(payload.trim()), "{}", e.message());
        let converted: taosync_proto::Error = e.into();
        assert_eq!(converted.kind(), taosync_proto::ErrorKind::Schemaless);
        assert_eq!(converted.code(), Some(code));
    }
}

#[test]
fn long_names_are_rejected() {
    let long = "a".repeat(193);
    assert_eq!(
        err(&format!("{long} f=1")).code(),
        codes::TSC_INVALID_TABLE_ID_LENGTH
    );
    assert!(
        line(
            &format!("{} f=1", "a".repeat(192)),
            SmlPrecision::Millisecond,
            Precision::Millisecond
        )
        .is_ok()
    );
    let key = "k".repeat(65);
    assert_eq!(
        err(&format!("m {key}=1")).code(),
        codes::TSC_INVALID_COLUMN_LENGTH
    );
    assert_eq!(
        err(&format!("m,{key}=1 f=1")).code(),
        codes::TSC_INVALID_COLUMN_LENGTH
    );
    let long_value = "v".repeat(MAX_NCHAR_LEN + 1);
    assert_eq!(
        err(&format!("m,t={long_value} f=1")).code(),
        codes::PAR_INVALID_VAR_COLUMN_LEN
    );
}

#[test]
fn type_conflict_within_batch() {
    let e = err("m f=1 1626006833639\nm g=1 1626006833640\nm f=\"x\" 1626006833641");
    assert_eq!(e.code(), Code::SML_NOT_SAME_TYPE);
    assert_eq!(e.line(), Some(3));
    // Different supertables may use different types for one key.
    assert!(
        line(
            "a f=1\nb f=\"x\"",
            SmlPrecision::Millisecond,
            Precision::Millisecond
        )
        .is_ok()
    );
    // JSON tags are checked too.
    let e = json(
        r#"[{"metric":"m","timestamp":1626006833,"value":1,"tags":{"a":"b"}},
            {"metric":"m","timestamp":1626006833,"value":1,"tags":{"a":1}}]"#,
    )
    .unwrap_err();
    assert_eq!(e.code(), Code::SML_NOT_SAME_TYPE);
}

// ---- planning against an existing schema --------------------------------------------------

fn existing_meters(name: &str) -> Option<ExistingTable> {
    match name {
        "meters" => Some(ExistingTable::Super(StableSchema {
            columns: vec![
                col("ts", Type::Timestamp, 8),
                col("current", Type::Double, 8),
                col("note", Type::VarChar, 4),
            ],
            tags: vec![
                col("location", Type::NChar, 32),
                col("groupid", Type::NChar, 2),
            ],
        })),
        "d1001" => Some(ExistingTable::Child {
            stable: "meters".into(),
        }),
        "d2001" => Some(ExistingTable::Child {
            stable: "other".into(),
        }),
        "plain" => Some(ExistingTable::Normal),
        _ => None,
    }
}

#[test]
fn schema_evolution_adds_and_widens() {
    let batch = line(
        "meters,location=LA,groupid=123,extra=e current=1,note=\"long note\",volts=5i32 1626006833639",
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    let plan = plan(&batch, &existing_meters).unwrap();
    let st = &plan.stables[0];
    assert!(!st.create);
    assert_eq!(
        st.changes,
        vec![
            SchemaChange::WidenTag {
                name: "groupid".into(),
                length: 4
            },
            SchemaChange::AddTag(col("extra", Type::NChar, 2)),
            SchemaChange::WidenColumn {
                name: "note".into(),
                length: 16
            },
            SchemaChange::AddColumn(col("volts", Type::Int, 4)),
        ]
    );
    assert_eq!(
        st.columns,
        vec![
            col("ts", Type::Timestamp, 8),
            col("current", Type::Double, 8),
            col("note", Type::VarChar, 16),
            col("volts", Type::Int, 4),
        ]
    );
    assert_eq!(st.tags.len(), 3);
    let child = &st.children[0];
    let row = child.rows[0].to_dense(st.columns.len());
    assert_eq!(
        row[0],
        Value::Timestamp(Timestamp::new(1_626_006_833_639, Precision::Millisecond))
    );
    assert_eq!(row[3], Value::Int(5));
    assert_eq!(
        child.rows[0].values,
        vec![
            (1, Value::Double(1.0)),
            (2, Value::VarChar("long note".into())),
            (3, Value::Int(5))
        ]
    );
}

#[test]
fn existing_schema_missing_fields_are_null_and_nothing_changes() {
    let batch = line(
        "meters,groupid=1 current=2 1626006833639",
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    let plan = plan(&batch, &existing_meters).unwrap();
    let st = &plan.stables[0];
    assert!(st.changes.is_empty());
    assert_eq!(st.children[0].tags, vec![(1, Value::NChar("1".into()))]);
    assert_eq!(
        st.children[0].tags_dense(st.tags.len()),
        vec![Value::Null, Value::NChar("1".into())]
    );
    assert_eq!(
        st.children[0].rows[0].to_dense(st.columns.len())[1..],
        [Value::Double(2.0), Value::Null]
    );
}

#[test]
fn type_conflict_with_database() {
    let batch = line(
        "meters current=1i32 1626006833639",
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    let e = plan(&batch, &existing_meters).unwrap_err();
    assert_eq!(e.code(), Code::SML_INVALID_DATA);
    assert!(e.message().contains("current"), "{}", e.message());
    // A tag that is a column of the supertable.
    let batch = line(
        "meters,current=x note=\"a\" 1626006833639",
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    assert_eq!(
        plan(&batch, &existing_meters).unwrap_err().code(),
        codes::PAR_DUPLICATED_COLUMN
    );
    // New supertable: a key used as tag and field.
    let batch = line(
        "n,k=x k=1 1626006833639",
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    assert_eq!(
        plan(&batch, &nothing).unwrap_err().code(),
        codes::PAR_DUPLICATED_COLUMN
    );
    let batch = line(
        "n _ts=1 1626006833639",
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    assert_eq!(
        plan(&batch, &nothing).unwrap_err().code(),
        codes::PAR_DUPLICATED_COLUMN
    );
}

#[test]
fn child_table_conflicts() {
    let options = SmlOptions {
        table_name_key: Some("tname".into()),
    };
    let parse_named = |payload: &str| {
        parse_with(
            SmlProtocol::Line,
            SmlPrecision::Millisecond,
            payload,
            Precision::Millisecond,
            now(),
            &options,
        )
        .unwrap()
    };
    let ok = plan(
        &parse_named("meters,tname=d1001 current=1 1626006833639"),
        &existing_meters,
    )
    .unwrap();
    assert!(ok.stables[0].children[0].exists);
    let e = plan(
        &parse_named("meters,tname=d2001 current=1 1626006833639"),
        &existing_meters,
    )
    .unwrap_err();
    assert_eq!(e.code(), Code::TDB_TABLE_IN_OTHER_STABLE);
    let e = plan(
        &parse_named("meters,tname=plain current=1 1626006833639"),
        &existing_meters,
    )
    .unwrap_err();
    assert_eq!(e.code(), Code::TDB_TABLE_IN_OTHER_STABLE);
    let e = plan(&parse_named("a,tname=x f=1\nb,tname=x f=1"), &nothing).unwrap_err();
    assert_eq!(e.code(), Code::TDB_TABLE_IN_OTHER_STABLE);
    let e = plan(&parse_named("plain f=1"), &existing_meters).unwrap_err();
    assert_eq!(e.code(), Code::TDB_TABLE_ALREADY_EXIST);
}

#[test]
fn batch_groups_children_and_widest_value_wins() {
    let payload = "st,t=a f=\"x\" 1626006833639\nst,t=b f=\"xxxxxxxxx\",g=1 1626006833640\nst,t=a f=\"y\" 1626006833641\nother f=1";
    let batch = line(payload, SmlPrecision::Millisecond, Precision::Millisecond).unwrap();
    let plan = plan(&batch, &nothing).unwrap();
    assert_eq!(plan.affected_rows, 4);
    assert_eq!(plan.stables.len(), 2);
    let st = &plan.stables[0];
    assert_eq!(st.columns[1], col("f", Type::VarChar, 16));
    assert_eq!(st.columns[2], col("g", Type::Double, 8));
    assert_eq!(st.children.len(), 2);
    assert_eq!(st.children[0].rows.len(), 2);
    assert_eq!(
        st.children[0].rows[0].to_dense(st.columns.len())[2],
        Value::Null
    );
    assert_eq!(st.children[1].rows.len(), 1);
    assert_eq!(plan.stables[1].name, "other");
}

#[test]
fn limits_on_tags_and_columns() {
    let tags: Vec<String> = (0..129).map(|i| format!("t{i}=v")).collect();
    let batch = line(
        &format!("m,{} f=1", tags.join(",")),
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    assert_eq!(
        plan(&batch, &nothing).unwrap_err().code(),
        codes::PAR_INVALID_TAGS_NUM
    );
    let fields: Vec<String> = (0..4096).map(|i| format!("f{i}=1")).collect();
    let batch = line(
        &format!("m {}", fields.join(",")),
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    assert_eq!(
        plan(&batch, &nothing).unwrap_err().code(),
        codes::PAR_TOO_MANY_COLUMNS
    );
    let big = "x".repeat(5000);
    let batch = line(
        &format!("m,a={big},b={big},c={big},d={big} f=1"),
        SmlPrecision::Millisecond,
        Precision::Millisecond,
    )
    .unwrap();
    assert_eq!(
        plan(&batch, &nothing).unwrap_err().code(),
        codes::PAR_INVALID_TAGS_LENGTH
    );
}

#[test]
fn var_width_rule() {
    assert_eq!(var_width(Type::VarChar, 0), 1);
    assert_eq!(var_width(Type::VarChar, 1), 2);
    assert_eq!(var_width(Type::VarChar, 2), 4);
    assert_eq!(var_width(Type::VarChar, 6), 8);
    assert_eq!(var_width(Type::VarChar, 23), 32);
    assert_eq!(var_width(Type::NChar, 1023), 1024);
    assert_eq!(var_width(Type::NChar, 1024), 1024);
    assert_eq!(var_width(Type::VarChar, 70_000), 65_517);
    assert_eq!(var_width(Type::NChar, 20_000), 16_379);
    assert_eq!(var_width(Type::Int, 4), 4);
}

// ---- robustness ---------------------------------------------------------------------------

proptest! {
    #[test]
    fn parsers_never_panic(payload in "\\PC{0,200}") {
        for protocol in [SmlProtocol::Line, SmlProtocol::Telnet, SmlProtocol::Json] {
            if let Ok(batch) = parse(protocol, SmlPrecision::NotConfigured, &payload, Precision::Nanosecond, now()) {
                let _ = plan(&batch, &nothing);
            }
        }
    }

    #[test]
    fn line_like_input_never_panics(payload in "[a-z ,=\"\\\\Ll.0-9ift#\n]{0,120}") {
        for precision in [SmlPrecision::NotConfigured, SmlPrecision::Hour, SmlPrecision::Millisecond] {
            if let Ok(batch) = parse(SmlProtocol::Line, precision, &payload, Precision::Millisecond, now()) {
                let _ = plan(&batch, &existing_meters);
            }
        }
        let _ = parse(SmlProtocol::Telnet, SmlPrecision::NotConfigured, &payload, Precision::Millisecond, now());
    }

    #[test]
    fn escaped_names_round_trip(name in "[a-zA-Z][a-zA-Z0-9 ,=]{0,20}", value in "[a-zA-Z0-9 ,=]{1,20}") {
        let esc = |s: &str| s.replace(',', "\\,").replace(' ', "\\ ").replace('=', "\\=");
        let measure = name.replace(',', "\\,").replace(' ', "\\ ");
        let payload = format!("{measure},{}={} f=1 1626006833639", esc(&name), esc(&value));
        let batch = parse(SmlProtocol::Line, SmlPrecision::Millisecond, &payload, Precision::Millisecond, now()).unwrap();
        let p = &batch.points[0];
        prop_assert_eq!(&p.stable, &name.replace('.', "_"));
        prop_assert_eq!(&p.tags[0].name, &name);
        prop_assert_eq!(&p.tags[0].value, &Value::NChar(value.clone()));
    }
}

/// A field value and the line-protocol text that writes it.
fn typed_field() -> impl Strategy<Value = (Value, String)> {
    prop_oneof![
        any::<i8>().prop_map(|v| (Value::TinyInt(v), format!("{v}i8"))),
        any::<i16>().prop_map(|v| (Value::SmallInt(v), format!("{v}i16"))),
        any::<i32>().prop_map(|v| (Value::Int(v), format!("{v}i32"))),
        any::<i64>().prop_map(|v| (Value::BigInt(v), format!("{v}i64"))),
        any::<i64>().prop_map(|v| (Value::BigInt(v), format!("{v}i"))),
        any::<u8>().prop_map(|v| (Value::UTinyInt(v), format!("{v}u8"))),
        any::<u16>().prop_map(|v| (Value::USmallInt(v), format!("{v}u16"))),
        any::<u32>().prop_map(|v| (Value::UInt(v), format!("{v}u32"))),
        any::<u64>().prop_map(|v| (Value::UBigInt(v), format!("{v}u64"))),
        any::<u64>().prop_map(|v| (Value::UBigInt(v), format!("{v}U"))),
        (-1e300f64..1e300).prop_map(|v| (Value::Double(v), format!("{v:e}"))),
        (-1e30f32..1e30).prop_map(|v| (Value::Float(v), format!("{v:e}f32"))),
        any::<bool>().prop_map(|v| (Value::Bool(v), v.to_string())),
        "[a-z \",=\\\\]{0,12}".prop_map(|s| {
            let text = format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
            (Value::VarChar(s), text)
        }),
        "[a-z \",=日本]{0,12}".prop_map(|s| {
            let text = format!("L\"{}\"", s.replace('"', "\\\""));
            (Value::NChar(s), text)
        }),
    ]
}

proptest! {
    #[test]
    fn typed_fields_round_trip(fields in proptest::collection::vec(typed_field(), 1..8)) {
        let text: Vec<String> = fields
            .iter()
            .enumerate()
            .map(|(i, (_, t))| format!("f{i}={t}"))
            .collect();
        let payload = format!("m,t=x {} 1626006833639", text.join(","));
        let batch = parse(SmlProtocol::Line, SmlPrecision::Millisecond, &payload, Precision::Millisecond, now()).unwrap();
        let got: Vec<Value> = batch.points[0].columns.iter().map(|f| f.value.clone()).collect();
        let want: Vec<Value> = fields.into_iter().map(|(v, _)| v).collect();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn wide_schema_with_many_narrow_rows_stays_sparse() {
    let fields: Vec<String> = (0..2000).map(|i| format!("f{i}=1")).collect();
    let mut payload = format!("m {} 1", fields.join(","));
    for i in 0..5000 {
        payload.push_str(&format!("\nm f0=2 {}", i + 2));
    }
    let batch = line(&payload, SmlPrecision::Millisecond, Precision::Millisecond).unwrap();
    let plan = plan(&batch, &nothing).unwrap();
    let st = &plan.stables[0];
    assert_eq!(st.columns.len(), 2001);
    let rows = &st.children[0].rows;
    assert_eq!(rows.len(), 5001);
    assert_eq!(rows[0].values.len(), 2000);
    assert!(
        rows[1..]
            .iter()
            .all(|r| r.values == vec![(1, Value::Double(2.0))])
    );
}

#[test]
fn very_many_keys_are_handled_linearly() {
    // Quadratic duplicate or schema checks would take minutes here.
    let fields: Vec<String> = (0..50_000).map(|i| format!("f{i}=1")).collect();
    let tags: Vec<String> = (0..50_000).map(|i| format!("t{i}=x")).collect();
    let payload = format!("m,{} {} 1", tags.join(","), fields.join(","));
    let batch = line(&payload, SmlPrecision::Millisecond, Precision::Millisecond).unwrap();
    assert_eq!(
        plan(&batch, &nothing).unwrap_err().code(),
        codes::PAR_INVALID_TAGS_NUM
    );
    let payload = format!("m {} 1", fields.join(","));
    let batch = line(&payload, SmlPrecision::Millisecond, Precision::Millisecond).unwrap();
    assert_eq!(
        plan(&batch, &existing_meters).unwrap_err().code(),
        codes::PAR_TOO_MANY_COLUMNS
    );
}
