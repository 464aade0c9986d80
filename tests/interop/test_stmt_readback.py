"""Interop check, other direction: rows inserted by taosync's Statement
(examples/interop_stmt.rs) are read back identically by the OFFICIAL taos-ws-py.

Usage: TAOSYNC_PORT=6041 python test_stmt_readback.py stmt2|stmt1
(run examples/interop_stmt.rs with the same protocol first). Exits non-zero on a mismatch.
"""

import os
import sys

import taosws

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
PROTOCOL = sys.argv[1] if len(sys.argv) > 1 else "stmt2"
DB = f"interop_rs_{PROTOCOL}"
BASE = 1700000000000

# Per table: (name, groupid, location), then its three rows after ts.
TABLES = [("rs_a", 0, "北京"), ("rs_b", 1, "")]
ROWS = [
    [True, -128, -2147483648, 9223372036854775807, 18446744073709551615, 1.5, -2.25,
     "héllo", "中文🙂", b"\x00\x01\xff"],
    [None] * 10,
    [False, 0, 7, -1, 0, -0.5, 1e100, "", "", b""],
]


def fail(msg):
    print(f"FAIL ({PROTOCOL}): {msg}", file=sys.stderr)
    sys.exit(1)


def ms(v):
    return round(v.timestamp() * 1000) if hasattr(v, "timestamp") else v


conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}")
cur = conn.cursor()
cur.execute(f"select tbname, groupid, location, * from {DB}.meters order by tbname, ts")
got = [tuple(r) for r in cur.fetchall()]
if len(got) != 6:
    fail(f"want 6 rows, got {got}")
for t, (name, gid, loc) in enumerate(TABLES):
    for r, want in enumerate(ROWS):
        row = got[t * 3 + r]
        if (row[0], row[1], row[2]) != (name, gid, loc):
            fail(f"table/tags {row[:3]} != {(name, gid, loc)}")
        if ms(row[3]) != BASE + t * 10 + r:
            fail(f"ts {row[3]} != {BASE + t * 10 + r}")
        values = list(row[4:14])
        if values[9] is not None:
            values[9] = bytes(values[9])
        if values != want:
            fail(f"{name} row {r}: {values} != {want}")
print(f"OK: taos-ws-py read back the {PROTOCOL} rows taosync inserted")
