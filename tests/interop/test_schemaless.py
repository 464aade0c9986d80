"""Interop check: schemaless writes through the OFFICIAL taos-ws-py client, unchanged,
against taosync-server.

`taosws.Connection.schemaless_insert(lines, protocol, precision, ttl, req_id)` sends one
WebSocket `insert` action on `/ws` (02 §2.1). The three protocols are written, then the
tables and rows they created are read back with SQL over the same client; error cases check
that the server's errors reach the client. Also drives `POST /influxdb/v1/write` and the
OpenTSDB endpoints with plain HTTP (urllib) to cross-check the HTTP paths.

Usage: TAOSYNC_PORT=6041 python test_schemaless.py
Exits non-zero with a message on the first mismatch.
"""

import base64
import os
import sys
import urllib.error
import urllib.request

import taosws

from checks import check, fail

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
DB = "interop_sml"
LINE = taosws.PySchemalessProtocol.Line
TELNET = taosws.PySchemalessProtocol.Telnet
JSON = taosws.PySchemalessProtocol.Json
MS = taosws.PySchemalessPrecision.Millisecond


def query(conn, sql):
    return [tuple(r) for r in conn.query(sql)]


def scalar(conn, sql):
    rows = query(conn, sql)
    check(len(rows) == 1 and len(rows[0]) == 1, f"{sql}: expected one value, got {rows}")
    return rows[0][0]


def describe(conn, table):
    return [(r[0], r[1], r[2], r[3]) for r in query(conn, f"describe {table}")]


def stables(conn):
    return sorted(r[0] for r in query(conn, "show stables"))


def check_line(conn):
    lines = [
        'meters,location=California.SanFrancisco,groupid=2 current=10.3,voltage=219i32,status=t,note="ok",label=L"ab" 1626006833639',
        'meters,location=California.SanFrancisco,groupid=2 current=12.6,voltage=218i32,status=f,note="ok2",label=L"cd" 1626006833640',
    ]
    conn.schemaless_insert(lines=lines, protocol=LINE, precision=MS, ttl=0, req_id=1)
    cols = describe(conn, "meters")
    want = [
        ("_ts", "TIMESTAMP", 8, ""),
        ("current", "DOUBLE", 8, ""),
        ("voltage", "INT", 4, ""),
        ("status", "BOOL", 1, ""),
        ("note", "VARCHAR", 4, ""),
        ("label", "NCHAR", 4, ""),
        ("location", "NCHAR", 32, "TAG"),
        ("groupid", "NCHAR", 2, "TAG"),
    ]
    check(cols == want, f"line schema {cols}")
    names = query(conn, "select distinct tbname from meters")
    check(names == [("t_251f05d65163f70e2d23faaaa5338caa",)], f"line child table names {names}")
    rows = query(conn, "select current, voltage, status, note, label, groupid from meters order by _ts")
    check(rows == [(10.3, 219, True, "ok", "ab", "2"), (12.6, 218, False, "ok2", "cd", "2")], f"line rows {rows}")
    # Escapes, schema evolution and a ttl.
    conn.schemaless_insert(
        lines=[r'meters,location=LA\ west,groupid=3 current=1.5,extra="a \"b\" c" 1626006833641'],
        protocol=LINE,
        precision=MS,
        ttl=30,
        req_id=2,
    )
    extra = [c for c in describe(conn, "meters") if c[0] == "extra"]
    check(extra == [("extra", "VARCHAR", 8, "")], f"added column {extra}")
    got = query(conn, "select extra, location from meters where groupid = '3'")
    check(got == [('a "b" c', "LA west")], f"escaped values {got}")
    print("line: ok")


def check_telnet(conn):
    lines = [
        "meters.voltage 1648432611249 219 location=California.SanFrancisco group=2",
        "meters.voltage 1648432611250 218 location=California.SanFrancisco group=2",
        "meters.voltage 1648432611249 221 location=California.LosAngeles group=3",
        "meters.voltage 1648432611250 217 location=California.LosAngeles group=3",
    ]
    conn.schemaless_insert(lines=lines, protocol=TELNET, precision=MS, ttl=0, req_id=3)
    cols = [(c[0], c[1]) for c in describe(conn, "meters_voltage")]
    check(
        cols == [("_ts", "TIMESTAMP"), ("_value", "DOUBLE"), ("location", "NCHAR"), ("group", "NCHAR")],
        f"telnet schema {cols}",
    )
    check(scalar(conn, "select count(*) from meters_voltage") == 4, "telnet row count")
    check(len(query(conn, "select distinct tbname from meters_voltage")) == 2, "telnet child tables")
    rows = query(conn, "select _value from meters_voltage where `group` = '3' order by _ts")
    check(rows == [(221.0,), (217.0,)], f"telnet values {rows}")
    print("telnet: ok")


def check_json(conn):
    payload = [
        """[{"metric": "sys.cpu.nice", "timestamp": 1700000000, "value": 18,
             "tags": {"host": "web01", "dc": "lga"}},
            {"metric": "meters.current", "timestamp": 1681345954000, "value": 10.3,
             "tags": {"location": "California.SanFrancisco", "groupid": 2}}]"""
    ]
    conn.schemaless_insert(lines=payload, protocol=JSON, precision=MS, ttl=0, req_id=4)
    names = query(conn, "select distinct tbname from sys_cpu_nice")
    check(names == [("t_0e1c9ddad586b02a8637569be79f1e45",)], f"json child table names {names}")
    check(scalar(conn, "select _value from sys_cpu_nice") == 18.0, "json value")
    groupid = [c for c in describe(conn, "meters_current") if c[0] == "groupid"]
    check(groupid == [("groupid", "DOUBLE", 8, "TAG")], f"json numeric tag {groupid}")
    print("json: ok")


def check_errors(conn):
    before = stables(conn)
    # One bad line: nothing of the batch is written.
    try:
        conn.schemaless_insert(
            lines=["brand_new,t=1 f=1i 1626006833639", "brand_new,t=1 f=bad 1626006833640"],
            protocol=LINE,
            precision=MS,
            ttl=0,
            req_id=5,
        )
        fail("a bad line did not raise")
    except taosws.Error as e:
        check("line 2" in str(e), f"bad line error text {e}")
    check(stables(conn) == before, "a failed batch created tables")
    # A type conflict with the existing schema.
    try:
        conn.schemaless_insert(
            lines=['meters,location=x,groupid=9 current="text" 1626006833650'],
            protocol=LINE,
            precision=MS,
            ttl=0,
            req_id=6,
        )
        fail("a type conflict did not raise")
    except taosws.Error as e:
        check("0x3002" in str(e).lower() or "mismatch" in str(e).lower(), f"type conflict error {e}")
    # No database selected.
    bare = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}")
    try:
        bare.schemaless_insert(lines=["m f=1 1"], protocol=LINE, precision=MS, ttl=0, req_id=7)
        fail("no database did not raise")
    except taosws.Error as e:
        check("database not specified" in str(e).lower() or "0x2616" in str(e).lower(), f"no db error {e}")
    bare.close()
    print("errors: ok")


def http(path, body, auth=True):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=body.encode(), method="POST")
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(b"root:taosdata").decode())
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def check_http(conn):
    status, _ = http(f"/influxdb/v1/write?db={DB}&precision=ms", "http_line,host=a v=1i 1626006833639\n")
    check(status == 204, f"influxdb status {status}")
    status, _ = http(f"/opentsdb/v1/put/telnet/{DB}", "put http.telnet 1700000000 3 host=a\n")
    check(status == 204, f"opentsdb telnet status {status}")
    status, _ = http(
        f"/opentsdb/v1/put/json/{DB}",
        '{"metric":"http.json","timestamp":1700000000000,"value":4,"tags":{"host":"a"}}',
    )
    check(status == 204, f"opentsdb json status {status}")
    check(scalar(conn, "select v from http_line") == 1, "influxdb row")
    check(scalar(conn, "select _value from http_telnet") == 3.0, "telnet row")
    check(scalar(conn, "select _value from http_json") == 4.0, "json row")
    status, body = http("/influxdb/v1/write?db=no_such_db", "m v=1 1")
    check(status == 500 and b"0x388" in body, f"influxdb missing db {status} {body!r}")
    status, body = http(f"/opentsdb/v1/put/json/{DB}", "{}", auth=False)
    check(status == 401 and b"auth needed" in body, f"opentsdb no auth {status} {body!r}")
    print("http: ok")


def main():
    admin = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}")
    admin.execute(f"drop database if exists {DB}")
    admin.execute(f"create database {DB} precision 'ms'")
    admin.close()
    conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}/{DB}")
    check_line(conn)
    check_telnet(conn)
    check_json(conn)
    check_errors(conn)
    check_http(conn)
    conn.close()
    print("schemaless interop: all checks passed")


if __name__ == "__main__":
    main()
