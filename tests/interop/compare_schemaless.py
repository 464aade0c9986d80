"""Interop check: the same schemaless records written by the official taos-ws-py client and
by taosync must produce identical databases (tables, schemas and rows).

run.sh first writes tests/interop/schemaless_lines.json with taosync
(`examples/interop_schemaless.rs`) into one database per taosync transport; this script
writes the same records with `taosws.Connection.schemaless_insert` into its own database and
compares every database named on the command line against it.

Usage: TAOSYNC_PORT=6041 python compare_schemaless.py <lines.json> <taosync db>...
Exits non-zero with a message on the first difference.
"""

import json
import os
import sys

import taosws

from checks import fail

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
REFERENCE = "interop_sml_taosws"


def rows(conn, sql):
    return [tuple(str(c) for c in r) for r in conn.query(sql)]


def snapshot(db):
    """Everything observable about `db`: its supertables, tables, schemas and rows."""
    conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}/{db}")
    stables = sorted(r[0] for r in rows(conn, "show stables"))
    out = {"stables": stables, "tables": sorted(r[0] for r in rows(conn, "show tables"))}
    for st in stables:
        name = "`" + st.replace("`", "``") + "`"
        out[f"describe {st}"] = [r[:4] for r in rows(conn, f"describe {name}")]
        out[f"rows {st}"] = sorted(rows(conn, f"select tbname, * from {name}"))
    conn.close()
    return out


def main():
    if len(sys.argv) < 3:
        fail("usage: compare_schemaless.py <lines.json> <taosync db>...")
    with open(sys.argv[1], encoding="utf-8") as f:
        records = json.load(f)
    admin = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}")
    admin.execute(f"drop database if exists {REFERENCE}")
    admin.execute(f"create database {REFERENCE} precision 'ms'")
    conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}/{REFERENCE}")
    ms = taosws.PySchemalessPrecision.Millisecond
    proto = taosws.PySchemalessProtocol
    conn.schemaless_insert(lines=records["line"], protocol=proto.Line, precision=ms, ttl=0, req_id=1)
    conn.schemaless_insert(lines=records["telnet"], protocol=proto.Telnet, precision=ms, ttl=0, req_id=2)
    conn.schemaless_insert(lines=[records["json"]], protocol=proto.Json, precision=ms, ttl=0, req_id=3)
    conn.close()

    expected = snapshot(REFERENCE)
    if len(expected["stables"]) < 5 or not any(expected[k] for k in expected if k.startswith("rows ")):
        fail(f"taos-ws-py wrote less than expected: {expected['stables']}")
    for db in sys.argv[2:]:
        got = snapshot(db)
        for key in sorted(set(expected) | set(got)):
            if expected.get(key) != got.get(key):
                fail(f"{db} differs from {REFERENCE} in {key}:\n  taosws:  {expected.get(key)}\n  taosync: {got.get(key)}")
        print(f"schemaless compare: {db} == {REFERENCE} ({len(expected['stables'])} supertables, "
              f"{len(expected['tables'])} tables)")
    admin.execute(f"drop database {REFERENCE}")
    for db in sys.argv[2:]:
        admin.execute(f"drop database {db}")


if __name__ == "__main__":
    main()
