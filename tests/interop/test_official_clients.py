"""Interop check: the OFFICIAL TDengine Python clients, unchanged, against taosync-server.

* taosrest (package `taospy`): REST `/rest/sql` with Basic auth.
* taosws (package `taos-ws-py`): WebSocket `/ws`, which the official Rust core drives in
  binary mode (binary query + fetch_raw_block) against a >= 3.3.2 server and in JSON mode
  (query/fetch/fetch_block) against an older one (run the server with --version 3.3.1.0).

Usage: TAOSYNC_PORT=6041 python test_official_clients.py
Exits non-zero with a message on the first mismatch.
"""

import datetime
import os

import taosrest
import taosws

from checks import check, fail

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
DB = "interop"

COLUMNS = [
    ("ts", "TIMESTAMP"),
    ("c_bool", "BOOL"),
    ("c_tiny", "TINYINT"),
    ("c_small", "SMALLINT"),
    ("c_int", "INT"),
    ("c_big", "BIGINT"),
    ("c_utiny", "TINYINT UNSIGNED"),
    ("c_usmall", "SMALLINT UNSIGNED"),
    ("c_uint", "INT UNSIGNED"),
    ("c_ubig", "BIGINT UNSIGNED"),
    ("c_float", "FLOAT"),
    ("c_double", "DOUBLE"),
    ("c_bin", "VARCHAR(20)"),
    ("c_nchar", "NCHAR(20)"),
]

# (ts in ms, values...) for two child tables; the last row is all NULL but the timestamp.
ROWS = [
    ("d1", 1700000000000, [True, -8, -16, -32, -64, 8, 16, 32, 18446744073709551615, 1.5, 2.25, "hello", "héllo 中"]),
    ("d1", 1700000001000, [False, 127, 32767, 2147483647, 9223372036854775807, 255, 65535, 4294967295, 0, -0.5, 1e-10, "x", "y"]),
    ("d2", 1700000002000, [None] * 13),
]


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return "'" + v.replace("'", "\\'") + "'"
    return repr(v)


def expected_row(ts_ms, values):
    return [ts_ms] + list(values)


def same(a, b, ctx):
    if isinstance(b, float) and a is not None:
        check(abs(float(a) - b) <= abs(b) * 1e-6, f"{ctx}: {a!r} != {b!r}")
    else:
        check(a == b, f"{ctx}: {a!r} != {b!r}")


def to_ms(v):
    # taosrest gives naive local times; taosws gives aware ones. run.sh pins TZ=UTC for
    # this process because taosws labels its local rendering with the UTC zone.
    if isinstance(v, datetime.datetime):
        return round(v.timestamp() * 1000)
    return v


def setup_with_rest():
    conn = taosrest.connect(url=f"http://127.0.0.1:{PORT}", user="root", password="taosdata", timeout=10)
    cur = conn.cursor()
    cur.execute(f"drop database if exists {DB}")
    cur.execute(f"create database {DB}")
    cols = ", ".join(f"{n} {t}" for n, t in COLUMNS)
    cur.execute(f"create stable {DB}.meters ({cols}) tags (location varchar(32), groupid int)")
    cur.execute(f"create table {DB}.d1 using {DB}.meters tags ('Beijing', 1)")
    cur.execute(f"create table {DB}.d2 using {DB}.meters tags ('Shanghai', 2)")
    written = 0
    for table, ts, values in ROWS:
        vals = ", ".join([str(ts)] + [sql_literal(v) for v in values])
        affected = cur.execute(f"insert into {DB}.{table} values ({vals})")
        check(affected == 1, f"REST insert affected {affected}, want 1")
        written += affected
    check(written == len(ROWS), "REST wrote all rows")
    # server_info goes through `select server_version()`.
    info = conn.server_info
    check(isinstance(info, str) and len(info.split(".")) >= 4, f"server_info {info!r}")
    return conn


def check_rest(conn):
    cur = conn.cursor()
    cur.execute(f"select * from {DB}.meters order by ts")
    names = [d[0] for d in cur.description]
    check(names == [n for n, _ in COLUMNS] + ["location", "groupid"], f"REST description names {names}")
    rows = cur.fetchall()
    check(len(rows) == len(ROWS), f"REST row count {len(rows)}")
    for row, (table, ts, values) in zip(rows, ROWS):
        want = expected_row(ts, values)
        got = [to_ms(row[0])] + list(row[1 : len(COLUMNS)])
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"REST row {ts} column {COLUMNS[i][0]}")
        check(row[len(COLUMNS)] == ("Beijing" if table == "d1" else "Shanghai"), f"REST tag {row}")
    # Aggregate through a fresh cursor.
    cur.execute(f"select count(*) from {DB}.meters")
    check(cur.fetchone()[0] == len(ROWS), "REST count(*)")
    # A connection with a database posts to /rest/sql/{db}: unqualified names resolve.
    with_db = taosrest.connect(
        url=f"http://127.0.0.1:{PORT}", user="root", password="taosdata", database=DB, timeout=10
    )
    db_cur = with_db.cursor()
    db_cur.execute("select location, groupid from meters where groupid = 2")
    check(db_cur.fetchall() == [["Shanghai", 2]], "REST /rest/sql/{db} resolves unqualified names")
    # Errors: code and class.
    try:
        cur.execute(f"select * from {DB}.no_such_table")
        fail("REST: querying a missing table did not raise")
    except taosrest.Error as e:
        check(e.errno & 0xFFFF == 0x2603, f"REST error code {e.errno:#x}, want 0x2603")
    try:
        cur.execute("this is not sql")
        fail("REST: bad SQL did not raise")
    except taosrest.Error as e:
        check(e.errno & 0xFFFF == 0x2600, f"REST syntax error code {e.errno:#x}")
    bad = taosrest.connect(url=f"http://127.0.0.1:{PORT}", user="root", password="wrong", timeout=10)
    try:
        bad.cursor().execute("select server_version()")
        fail("REST: wrong password did not raise")
    except taosrest.Error as e:
        check(e.errno & 0xFFFF == 0x0357, f"REST auth error code {e.errno:#x}")
    print("taosrest: ok")


def check_ws():
    # The database in the DSN travels in the `conn` request's `db`.
    conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}/{DB}")
    # The DB-API cursor.
    cur = conn.cursor()
    cur.execute("select * from meters order by ts")
    names = [d[0] for d in cur.description]
    check(names == [n for n, _ in COLUMNS] + ["location", "groupid"], f"WS description names {names}")
    rows = cur.fetchall()
    check(len(rows) == len(ROWS), f"WS row count {len(rows)}")
    for row, (table, ts, values) in zip(rows, ROWS):
        want = expected_row(ts, values)
        got = [to_ms(row[0])] + list(row[1 : len(COLUMNS)])
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"WS row {ts} column {COLUMNS[i][0]}")
        check(row[len(COLUMNS)] == ("Beijing" if table == "d1" else "Shanghai"), f"WS tag {row}")
    # The native-style result API with field metadata.
    result = conn.query("select ts, c_int, c_bin, c_nchar from meters where c_int is not null order by ts")
    fields = [(f.name(), f.type(), f.bytes()) for f in result.fields]
    check([f[0] for f in fields] == ["ts", "c_int", "c_bin", "c_nchar"], f"WS fields {fields}")
    check(fields[0][1] == "TIMESTAMP" and fields[1][1] == "INT", f"WS field types {fields}")
    check(fields[2][2] == 20 and fields[3][2] == 20, f"WS field lengths {fields}")
    got = [tuple(r) for r in result]
    check(len(got) == 2 and got[0][1] == -32 and got[1][3] == "y", f"WS query rows {got}")
    # Inserting over WS reports affected rows.
    n = conn.execute("insert into d2 values (1700000003000, true, 1, 2, 3, 4, 5, 6, 7, 8, 9.5, 10.5, 'ws', 'ws')")
    check(n == 1, f"WS insert affected {n}")
    cur.execute("select count(*) from meters")
    check(cur.fetchone()[0] == len(ROWS) + 1, "WS count(*) after insert")
    # Errors: code and class.
    try:
        conn.query("select * from no_such_table")
        fail("WS: querying a missing table did not raise")
    except taosws.Error as e:
        check("0x2603" in str(e).lower() or "does not exist" in str(e).lower(), f"WS error text {e}")
        check(isinstance(e, taosws.QueryError) or isinstance(e, taosws.ProgrammingError), f"WS error class {type(e)}")
    try:
        taosws.connect(f"ws://root:wrong@127.0.0.1:{PORT}")
        fail("WS: wrong password did not raise")
    except taosws.Error as e:
        check("authentication" in str(e).lower() or "0x0357" in str(e).lower(), f"WS auth error {e}")
    conn.close()
    print("taosws: ok")


def main():
    conn = setup_with_rest()
    check_rest(conn)
    check_ws()
    print("interop: all checks passed")


if __name__ == "__main__":
    main()
