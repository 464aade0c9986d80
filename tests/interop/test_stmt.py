"""Interop check: the OFFICIAL taos-ws-py (`taosws`) prepared-statement APIs, unchanged,
against taosync-server.

* `conn.statement()` (stmt v1: init / prepare / set_table_name / set_tags / binary bind /
  add_batch / exec) inserts rows into auto-created child tables.
* `conn.stmt2_statement()` (stmt2: binary bind action 9 with many tables per bind, and a
  query statement read through `result_set()`); stmt2 exists on servers >= 3.3.5.0, so it
  is skipped when the server reports an older version.

Every row is read back with plain SQL.

Usage: TAOSYNC_PORT=6041 python test_stmt.py
Exits non-zero with a message on the first mismatch.
"""

import os

import taosws

from checks import check, fail

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
DB = "interop_stmt"

# ts in ms: base + i.
BASE = 1700000000000


def version_tuple(v):
    parts = []
    for p in v.split(".")[:4]:
        digits = "".join(c for c in p if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def rows(conn, sql):
    cur = conn.cursor()
    cur.execute(sql)
    return [tuple(r) for r in cur.fetchall()]


def ms(v):
    # The cursor gives aware datetimes; run.sh pins TZ=UTC for this process.
    return round(v.timestamp() * 1000) if hasattr(v, "timestamp") else v


def setup(conn):
    conn.execute(f"drop database if exists {DB}")
    conn.execute(f"create database {DB}")
    conn.execute(f"use {DB}")
    conn.execute(
        "create stable meters (ts timestamp, c_bool bool, c_tiny tinyint, c_small smallint, "
        "c_int int, c_big bigint, c_utiny tinyint unsigned, c_usmall smallint unsigned, "
        "c_uint int unsigned, c_ubig bigint unsigned, c_float float, c_double double, "
        "c_bin varchar(20), c_nchar nchar(20), c_vb varbinary(16)) "
        "tags (groupid int, location varchar(24))"
    )
    conn.execute("create stable jmeters (ts timestamp, v int) tags (info json)")
    conn.execute("create table plain (ts timestamp, v int, s nchar(10))")


def check_v1(conn):
    stmt = conn.statement()
    stmt.prepare(
        "insert into ? using meters tags (?, ?) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    total = 0
    for i, (name, loc) in enumerate([("v1_a", "北京"), ("v1_b", "")]):
        stmt.set_tbname_tags(name, [taosws.int_to_tag(i), taosws.varchar_to_tag(loc)])
        stmt.bind_param(
            [
                taosws.millis_timestamps_to_column([BASE + i * 10, BASE + i * 10 + 1]),
                taosws.bools_to_column([True, None]),
                taosws.tiny_ints_to_column([-128, None]),
                taosws.small_ints_to_column([32767, None]),
                taosws.ints_to_column([-2147483648, None]),
                taosws.big_ints_to_column([9223372036854775807, None]),
                taosws.unsigned_tiny_ints_to_column([255, None]),
                taosws.unsigned_small_ints_to_column([65535, None]),
                taosws.unsigned_ints_to_column([4294967295, None]),
                taosws.unsigned_big_ints_to_column([18446744073709551615, None]),
                taosws.floats_to_column([1.5, None]),
                taosws.doubles_to_column([-2.25, None]),
                taosws.varchar_to_column(["héllo", None]),
                taosws.nchar_to_column(["中文🙂", None]),
                taosws.varbinary_to_column([b"\x00\x01\xff", None]),
            ]
        )
        stmt.add_batch()
        total += stmt.execute()
    check(total == 4, f"v1 execute affected {total}, want 4")
    stmt.close()
    got = rows(conn, "select tbname, groupid, location, * from meters where tbname like 'v1_%' order by ts")
    check(len(got) == 4, f"v1 rows {got}")
    first = got[0]
    check(first[0] == "v1_a" and first[1] == 0 and first[2] == "北京", f"v1 tags {first}")
    check(ms(first[3]) == BASE, f"v1 ts {first[3]}")
    want = [True, -128, 32767, -2147483648, 9223372036854775807, 255, 65535, 4294967295,
            18446744073709551615, 1.5, -2.25, "héllo", "中文🙂"]
    check(list(first[4:17]) == want, f"v1 values {first[4:17]} != {want}")
    check(bytes(first[17]) == b"\x00\x01\xff", f"v1 varbinary {first[17]!r}")
    check(all(v is None for v in got[1][4:18]), f"v1 NULL row {got[1]}")
    check(got[2][0] == "v1_b" and got[2][2] == "", f"v1 empty tag {got[2]}")

    # A fixed normal table: no table name, no tags.
    stmt = conn.statement()
    stmt.prepare("insert into plain values (?, ?, ?)")
    stmt.bind_param(
        [
            taosws.millis_timestamps_to_column([BASE, BASE + 1, BASE + 2]),
            taosws.ints_to_column([1, None, 3]),
            taosws.nchar_to_column(["a", "ü", None]),
        ]
    )
    stmt.add_batch()
    n = stmt.execute()
    check(n == 3, f"v1 plain affected {n}")
    got = rows(conn, "select v, s from plain order by ts")
    check(got == [(1, "a"), (None, "ü"), (3, None)], f"v1 plain rows {got}")

    # A JSON tag (stmt v1 sends tags as JSON text, which the server reads by the tag type).
    stmt = conn.statement()
    stmt.prepare("insert into ? using jmeters tags (?) values (?, ?)")
    stmt.set_tbname_tags("j1", [taosws.json_to_tag('{"k":"v","n":1}')])
    stmt.bind_param([taosws.millis_timestamps_to_column([BASE]), taosws.ints_to_column([7])])
    stmt.add_batch()
    check(stmt.execute() == 1, "v1 json-tag insert")
    got = rows(conn, "select v, info->'k' from jmeters")
    check(got == [(7, '"v"')], f"v1 json tag rows {got}")

    # A bind with the wrong number of columns is refused by the server.
    stmt = conn.statement()
    stmt.prepare("insert into plain values (?, ?, ?)")
    try:
        stmt.bind_param([taosws.millis_timestamps_to_column([BASE + 5])])
        stmt.add_batch()
        stmt.execute()
        fail("v1: a bind with one column of three did not raise")
    except Exception as e:  # noqa: BLE001 - taos-ws-py raises several classes here
        check("count" in str(e).lower() or "column" in str(e).lower(), f"v1 column count error {e}")
    print("taosws statement(): ok")


def check_v2(conn):
    stmt = conn.stmt2_statement()
    stmt.prepare("insert into ? using meters (groupid, location) tags (?, ?) (ts, c_int, c_bin, c_nchar) values (?, ?, ?, ?)")
    params = []
    for t in range(3):
        params.append(
            taosws.stmt2_bind_param_view(
                f"v2_{t}",
                [taosws.int_to_tag(10 + t), taosws.varchar_to_tag(f"loc{t}")],
                [
                    taosws.millis_timestamps_to_column([BASE + 100 + t * 10 + r for r in range(2)]),
                    taosws.ints_to_column([t, None]),
                    taosws.varchar_to_column([f"s{t}", ""]),
                    taosws.nchar_to_column(["ñ", None]),
                ],
            )
        )
    stmt.bind(params)
    n = stmt.execute()
    check(n == 6, f"stmt2 affected {n}, want 6")
    got = rows(conn, "select tbname, groupid, location, c_int, c_bin, c_nchar from meters where tbname like 'v2_%' order by ts")
    check(len(got) == 6, f"stmt2 rows {got}")
    check(got[0] == ("v2_0", 10, "loc0", 0, "s0", "ñ"), f"stmt2 row 0 {got[0]}")
    check(got[1] == ("v2_0", 10, "loc0", None, "", None), f"stmt2 row 1 {got[1]}")
    check(got[5][0] == "v2_2" and got[5][1] == 12, f"stmt2 row 5 {got[5]}")
    stmt.close()

    # The table name as the only thing known at prepare: a normal table bound by name.
    stmt = conn.stmt2_statement()
    stmt.prepare("insert into ? values (?, ?, ?)")
    stmt.bind(
        [
            taosws.stmt2_bind_param_view(
                "plain",
                None,
                [
                    taosws.millis_timestamps_to_column([BASE + 50]),
                    taosws.ints_to_column([50]),
                    taosws.nchar_to_column(["stmt2"]),
                ],
            )
        ]
    )
    check(stmt.execute() == 1, "stmt2 insert into ? values")
    got = rows(conn, "select v, s from plain where v = 50")
    check(got == [(50, "stmt2")], f"stmt2 plain rows {got}")
    # A value longer than its column is refused with TDengine's code.
    try:
        stmt.bind(
            [
                taosws.stmt2_bind_param_view(
                    "plain",
                    None,
                    [
                        taosws.millis_timestamps_to_column([BASE + 51]),
                        taosws.ints_to_column([51]),
                        taosws.nchar_to_column(["x" * 11]),
                    ],
                )
            ]
        )
        stmt.execute()
        fail("stmt2: an over-long NCHAR did not raise")
    except taosws.Error as e:
        check("0x2653" in str(e), f"stmt2 too-long error {e}")
    stmt.close()

    # A query statement.
    stmt = conn.stmt2_statement()
    stmt.prepare("select tbname, c_int from meters where c_int >= ? and location = ? order by ts")
    stmt.bind([taosws.stmt2_bind_param_view(None, None, [taosws.ints_to_column([1]), taosws.varchar_to_column(["loc2"])])])
    stmt.execute()
    got = [tuple(r) for r in stmt.result_set()]
    check(got == [("v2_2", 2)], f"stmt2 query rows {got}")
    stmt.close()
    print("taosws stmt2_statement(): ok")


def main():
    conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}")
    version = rows(conn, "select server_version()")[0][0]
    setup(conn)
    conn.close()
    # The statements and the read-back run on a connection whose DSN names the database.
    conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}/{DB}")
    check_v1(conn)
    if version_tuple(version) >= (3, 3, 5, 0):
        check_v2(conn)
    else:
        print(f"taosws stmt2_statement(): skipped (server {version} < 3.3.5.0)")
    conn.close()
    print("interop stmt: all checks passed")


if __name__ == "__main__":
    main()
