"""Interop check: taospy's NATIVE module (`import taos`, ctypes over libtaos.so), unchanged,
loading taosync's libtaos.so (crate taosync-capi) against taosync-server.

Nothing of TDengine is installed: LD_LIBRARY_PATH points at our libtaos.so, whose
taos_connect reaches the server over WebSocket.

Usage: LD_LIBRARY_PATH=<dir of libtaos.so> TAOSYNC_PORT=6041 python test_native_taos.py
Exits non-zero with a message on the first mismatch.
"""

import ctypes
import datetime
import os
import sys
import threading

import taos
from taos.cinterface import taos_get_client_info

from checks import check, fail  # noqa: E402
from native_common import COLUMNS, literal, ticks  # noqa: E402

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
UTC = datetime.timezone.utc


# taospy's row path reads VARBINARY with ctypes' `.value`, which stops at a NUL byte
# (whatever the library returns), so the bytes here contain none.
VALUES = [
    [True, -8, -16, -32, -64, 8, 16, 32, 18446744073709551615, 1.5, 2.25, "hello", "héllo 中", b"\x01\xffab"],
    [False, 127, 32767, 2147483647, 9223372036854775807, 255, 65535, 4294967295, 0, -0.5, 1e-10, "", "y", b""],
    [None] * 14,
]

# Ticks per second and how taospy renders a timestamp of that precision.
PRECISIONS = {
    "ms": 1000,
    "us": 1000_000,
    "ns": 1000_000_000,
}


def same(got, want, ctx):
    if isinstance(want, float) and got is not None:
        check(abs(float(got) - want) <= abs(want) * 1e-6, f"{ctx}: {got!r} != {want!r}")
    else:
        check(got == want, f"{ctx}: {got!r} != {want!r}")


def check_rows(rows, base, per_second, ctx):
    check(len(rows) == len(VALUES), f"{ctx}: {len(rows)} rows, want {len(VALUES)}")
    for i, (row, want) in enumerate(zip(rows, VALUES)):
        check(ticks(row[0], per_second) == base + i, f"{ctx} row {i}: ts {row[0]!r}, want {base + i}")
        for (name, _), g, w in zip(COLUMNS[1:], row[1:], want):
            same(g, w, f"{ctx} row {i} {name}")


def check_statement2(conn):
    """conn.statement2: taos_stmt2_* with TAOS_STMT2_BINDV built by taospy's bind2 module."""
    conn.execute("drop database if exists native_stmt2")
    conn.execute("create database native_stmt2 precision 'ns'")
    conn.select_db("native_stmt2")
    conn.execute(
        "create stable st (ts timestamp, v int, big bigint, f double, ok bool, s varchar(16), n nchar(8), "
        "vb varbinary(8)) tags (loc varchar(16), gid int)"
    )
    stmt2 = conn.statement2("insert into ? using st tags (?, ?) values (?, ?, ?, ?, ?, ?, ?, ?)")
    check(stmt2.is_insert(), "stmt2 is_insert")
    count, fields = stmt2.get_fields()
    check(count == 11, f"stmt2 field count {count}")
    check([f.field_type for f in fields] == [4, 2, 2] + [1] * 8, f"stmt2 field kinds {fields}")
    check(fields[3].name == "ts" and fields[3].precision == 2, f"stmt2 ts field {fields[3]}")
    base = 1700000000_000000001  # nanoseconds: every digit must survive
    tbnames = ["d1", "d2"]
    tags = [["beijing", 1], ["shanghai", None]]
    datas = [
        [
            [base, base + 1, base + 2],
            [1, None, 3],
            [-(2**63) + 1, 0, 2**63 - 1],
            [1.5, -0.25, None],
            [True, False, None],
            ["a", None, "ccc"],
            ["中文", "é", None],
            [b"\x01\x02", None, b"z"],
        ],
        [
            [base + 10],
            [None],
            [None],
            [None],
            [None],
            [None],
            [None],
            [None],
        ],
    ]
    stmt2.bind_param(tbnames, tags, datas)
    affected = stmt2.execute()
    check(affected == 4, f"stmt2 affected {affected}")
    check(stmt2.affected_rows == 4, "stmt2 affected_rows")
    # A second bind + execute on the same statement.
    stmt2.bind_param(["d3"], [["x", 3]], [[[base + 20], [30], [300], [3.0], [True], ["t"], ["n"], [b"v"]]])
    check(stmt2.execute() == 1, "stmt2 second execute")
    stmt2.close()

    got = conn.query("select ts, v, big, f, ok, s, n, vb, loc, gid from st order by ts").fetch_all()
    want = [
        (base, 1, -(2**63) + 1, 1.5, True, "a", "中文", b"\x01\x02", "beijing", 1),
        (base + 1, None, 0, -0.25, False, None, "é", None, "beijing", 1),
        (base + 2, 3, 2**63 - 1, None, None, "ccc", None, b"z", "beijing", 1),
        (base + 10, None, None, None, None, None, None, None, "shanghai", None),
        (base + 20, 30, 300, 3.0, True, "t", "n", b"v", "x", 3),
    ]
    check(len(got) == len(want), f"stmt2 rows {got}")
    for i, (g, w) in enumerate(zip(got, want)):
        check(ticks(g[0], 1000_000_000) == w[0], f"stmt2 row {i} ts {g[0]!r} != {w[0]}")
        for j, (gv, wv) in enumerate(zip(g[1:], w[1:])):
            same(gv, wv, f"stmt2 row {i} col {j + 1}")

    # A query with parameters, read through taos_stmt2_result.
    q = conn.statement2("select v, s from st where v > ? and s <> ? order by ts")
    check(not q.is_insert(), "stmt2 query is_insert")
    q.bind_param(None, None, [[1, "t"]])
    q.execute()
    rows = q.result().fetch_all()
    check(rows == [(3, "ccc")], f"stmt2 query rows {rows}")
    q.close()

    # Errors come back as StatementError with the library's message.
    bad = conn.statement2()
    try:
        bad.prepare("insert into no_such_table values (?, ?)")
        fail("stmt2 prepare on a missing table succeeded")
    except taos.error.StatementError as e:
        check(e.msg, f"stmt2 prepare error without message {e!r}")
    bad.close()
    conn.select_db("native_ms")


def check_statement(conn):
    """conn.statement: taos_stmt_* (v1) with TAOS_MULTI_BIND built by taospy's bind module."""
    conn.execute("drop database if exists native_stmt1")
    conn.execute("create database native_stmt1 precision 'us'")
    conn.select_db("native_stmt1")
    conn.execute("create stable st (ts timestamp, v int, f float, s varchar(16), n nchar(8)) tags (loc varchar(16), gid int)")
    stmt = conn.statement("insert into ? using st tags (?, ?) values (?, ?, ?, ?, ?)")
    base = 1700000000_000001  # microseconds
    for name, (loc, gid), rows in [
        ("d1", ("beijing", 1), [(base, 1, 1.5, "a", "中文"), (base + 1, None, None, None, None)]),
        ("d2", ("shanghai", None), [(base + 5, 3, -2.0, "ccc", "é")]),
    ]:
        tags = taos.new_bind_params(2)
        tags[0].binary([loc])
        tags[1].int([gid])
        stmt.set_tbname_tags(name, tags)
        cols = list(zip(*rows))
        params = taos.new_multi_binds(5)
        params[0].timestamp(list(cols[0]))
        params[1].int(list(cols[1]))
        params[2].float(list(cols[2]))
        params[3].binary(list(cols[3]))
        params[4].nchar(list(cols[4]))
        stmt.bind_param_batch(params)
    stmt.execute()
    check(stmt.affected_rows == 3, f"stmt affected_rows {stmt.affected_rows}")
    stmt.close()

    # One row at a time into a plain table named by set_tbname (bind_param adds the batch
    # itself): the columns are only known once the table is, and the raw microsecond counts
    # must land unscaled.
    conn.execute("create table plain (ts timestamp, v bigint, s varchar(8))")
    stmt = conn.statement("insert into ? values (?, ?, ?)")
    stmt.set_tbname("plain")
    for i in range(3):
        params = taos.new_bind_params(3)
        params[0].timestamp(base + i)
        params[1].bigint(i * 10)
        params[2].binary(None if i == 1 else f"r{i}")
        stmt.bind_param(params)
    stmt.execute()
    check(stmt.affected_rows == 3, f"plain affected_rows {stmt.affected_rows}")
    stmt.close()
    got = conn.query("select ts, v, s from plain order by ts").fetch_all()
    check([ticks(r[0], 1000_000) for r in got] == [base, base + 1, base + 2], f"plain ts {got}")
    check([r[1:] for r in got] == [(0, "r0"), (10, None), (20, "r2")], f"plain rows {got}")

    got = conn.query("select ts, v, f, s, n, loc, gid from st order by ts").fetch_all()
    want = [
        (base, 1, 1.5, "a", "中文", "beijing", 1),
        (base + 1, None, None, None, None, "beijing", 1),
        (base + 5, 3, -2.0, "ccc", "é", "shanghai", None),
    ]
    check(len(got) == len(want), f"stmt rows {got}")
    for i, (g, w) in enumerate(zip(got, want)):
        check(ticks(g[0], 1000_000) == w[0], f"stmt row {i} ts {g[0]!r} != {w[0]}")
        for j, (gv, wv) in enumerate(zip(g[1:], w[1:])):
            same(gv, wv, f"stmt row {i} col {j + 1}")

    # A query with a parameter, read through taos_stmt_use_result.
    q = conn.statement("select v, s from st where v > ? order by ts")
    params = taos.new_bind_params(1)
    params[0].int(1)
    q.bind_param(params)
    q.execute()
    rows = q.use_result().fetch_all()
    check(rows == [(3, "ccc")], f"stmt query rows {rows}")
    q.close()

    try:
        conn.statement("insert into no_such_table values (?, ?)")
        fail("stmt prepare on a missing table succeeded")
    except taos.error.StatementError as e:
        check(e.msg, f"stmt prepare error without message {e!r}")
    conn.select_db("native_ms")


def main():
    check(taos_get_client_info().startswith("3."), f"client info {taos_get_client_info()!r}")
    conn = taos.connect(host="127.0.0.1", port=PORT, user="root", password="taosdata")
    check(len(conn.server_info.split(".")) >= 4, f"server_info {conn.server_info!r}")
    check(conn.client_info.startswith("3."), "client_info")

    cols = ", ".join(f"{n} {t}" for n, t in COLUMNS)
    for prec, per_second in PRECISIONS.items():
        db = f"native_{prec}"
        conn.execute(f"drop database if exists {db}")
        conn.execute(f"create database {db} precision '{prec}'")
        conn.execute(f"create stable {db}.st ({cols}) tags (loc varchar(16), gid int)")
        base = 1700000000 * per_second + 123  # sub-millisecond digits survive in us/ns
        if prec == "ms":
            base = 1700000000123
        rows = " ".join(
            "(" + ", ".join([str(base + i)] + [literal(v) for v in vals]) + ")" for i, vals in enumerate(VALUES)
        )
        affected = conn.execute(f"insert into {db}.d1 using {db}.st tags ('bj', 1) values {rows}")
        check(affected == len(VALUES), f"{prec}: insert affected {affected}")

        # conn.query + fetch_all: taos_fetch_block, column offsets, null bitmaps.
        result = conn.query(f"select {', '.join(n for n, _ in COLUMNS)} from {db}.st order by ts")
        check(result.precision == {"ms": 0, "us": 1, "ns": 2}[prec], f"{prec}: precision {result.precision}")
        check(result.field_count == len(COLUMNS), f"{prec}: field_count {result.field_count}")
        names = [f.name for f in result.fields]
        check(names == [n for n, _ in COLUMNS], f"{prec}: field names {names}")
        types = [f.type for f in result.fields]
        check(types == [9, 1, 2, 3, 4, 5, 11, 12, 13, 14, 6, 7, 8, 10, 16], f"{prec}: field types {types}")
        check_rows(result.fetch_all(), base, per_second, f"{prec} fetch_all")

        # Row by row: taos_fetch_row + taos_fetch_lengths.
        result = conn.query(f"select {', '.join(n for n, _ in COLUMNS)} from {db}.st order by ts")
        check_rows([r.as_tuple() for r in result.rows_iter()], base, per_second, f"{prec} rows_iter")

        # The PEP 249 cursor.
        cur = conn.cursor()
        cur.execute(f"select {', '.join(n for n, _ in COLUMNS)}, loc, gid from {db}.st order by ts")
        check([d[0] for d in cur.description] == [n for n, _ in COLUMNS] + ["loc", "gid"], "cursor description")
        got = cur.fetchall()
        check_rows([r[: len(COLUMNS)] for r in got], base, per_second, f"{prec} cursor")
        check(all(r[len(COLUMNS) :] == ("bj", 1) for r in got), f"{prec}: tags {got}")
        cur.execute(f"select count(*) from {db}.st")
        check(cur.fetchone()[0] == len(VALUES), f"{prec}: count(*)")
        cur.close()

    # Several blocks: 10,000 rows through fetch_all and row iteration.
    conn.execute("create table native_ms.big (ts timestamp, v int, s varchar(8))")
    for chunk in range(10):
        vals = " ".join(f"({1600000000000 + chunk * 1000 + i}, {chunk * 1000 + i}, 's{i}')" for i in range(1000))
        conn.execute(f"insert into native_ms.big values {vals}")
    result = conn.query("select v, s from native_ms.big order by ts")
    rows = result.fetch_all()
    check([r[0] for r in rows] == list(range(10000)), "10k rows in order through fetch_all")
    check(rows[1234][1] == "s234", f"varchar in a later block: {rows[1234]!r}")
    check(result.row_count == 10000, f"row_count {result.row_count}")
    n = sum(1 for _ in conn.query("select v from native_ms.big").rows_iter())
    check(n == 10000, f"rows_iter over several blocks: {n}")

    # select_db, then unqualified names; req_id variants.
    conn.select_db("native_us")
    check(conn.query("select count(*) from st", req_id=42).fetch_all() == [(3,)], "select_db + req_id query")
    check(conn.execute("insert into d1 values (now, true, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 'a', 'b', 'c')", req_id=7) == 1, "execute req_id")

    # Errors: the class and code the native client gives.
    try:
        conn.query("select * from native_ms.no_such_table")
        fail("querying a missing table did not raise")
    except taos.ProgrammingError as e:
        check(e.errno & 0xFFFF == 0x2603, f"missing table code {e.errno:#x}")
    try:
        conn.execute("this is not sql")
        fail("bad SQL did not raise")
    except taos.Error as e:
        check(e.errno != 0 and e.msg, f"bad SQL error {e!r}")
    try:
        taos.connect(host="127.0.0.1", port=PORT, user="root", password="wrong")
        fail("a wrong password connected")
    except taos.Error as e:
        check(e.errno != 0, f"auth error {e!r}")

    # Asynchronous query: the callback runs on a thread of the library's.
    done = threading.Event()
    seen = {}

    @taos.cinterface.async_query_callback_type
    def on_query(param, res, code):
        seen["code"] = code
        seen["thread"] = threading.get_ident()
        seen["rows"] = taos.TaosResult(res, close_after=True).fetch_all() if code == 0 else None
        done.set()

    conn.query_a("select v from native_ms.big where v < 5 order by ts", on_query, None)
    check(done.wait(10), "query_a callback never ran")
    check(seen["code"] == 0, f"query_a code {seen['code']}")
    check(seen["thread"] != threading.get_ident(), "query_a called back on the caller's thread")
    check(seen["rows"] == [(i,) for i in range(5)], f"query_a rows {seen['rows']}")

    # Schemaless, the three protocols, through taos_schemaless_insert(_raw).
    from taos import SmlProtocol, SmlPrecision
    conn.execute("create database if not exists native_sml")
    conn.select_db("native_sml")
    n = conn.schemaless_insert(
        ["meters,location=attic current=10.5,voltage=219i 1700000000000"],
        SmlProtocol.LINE_PROTOCOL, SmlPrecision.MILLI_SECONDS)
    check(n == 1, f"line protocol wrote {n}")
    conn.schemaless_insert(["disk_used 1700000000 42 host=h1"], SmlProtocol.TELNET_PROTOCOL,
                           SmlPrecision.SECONDS)
    conn.schemaless_insert(['[{"metric":"temp","timestamp":1700000000,"value":21.5,"tags":{"room":"k"}}]'],
                           SmlProtocol.JSON_PROTOCOL, SmlPrecision.SECONDS)
    got = conn.query("select current, voltage, location from meters").fetch_all()
    check(got == [(10.5, 219, "attic")], f"line rows {got!r}")
    check(conn.query("select count(*) from disk_used").fetch_all() == [(1,)], "telnet row")
    check(conn.query("select count(*) from temp").fetch_all() == [(1,)], "json row")
    try:
        conn.schemaless_insert(["not a line"], SmlProtocol.LINE_PROTOCOL, SmlPrecision.MILLI_SECONDS)
        fail("a malformed line was accepted")
    except taos.error.SchemalessError:
        pass

    check_statement2(conn)
    check_statement(conn)

    conn.close()
    print("native taos module (taospy over taosync libtaos.so): OK")


if __name__ == "__main__":
    main()
