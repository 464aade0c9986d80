"""Interop check, reverse direction of test_tmq.py: the OFFICIAL taos-ws-py (`taosws`)
writes rows over `/ws`, and taosync's own `Consumer` (examples/interop_tmq.rs) reads them
back from taosync-server's `/rest/tmq` through a query topic and a supertable topic.

Usage: TAOSYNC_PORT=6041 TAOSYNC_INTEROP_TMQ=/path/to/interop_tmq python test_tmq_taosync.py
Exits non-zero with a message on the first mismatch.
"""

import os
import subprocess
import sys

import taosws

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
BIN = os.environ["TAOSYNC_INTEROP_TMQ"]
DB = "tmq_rev"
BASE_TS = 1700000000000
CHILDREN = 5
ROWS = 75


def main():
    dsn = f"ws://root:taosdata@127.0.0.1:{PORT}"
    conn = taosws.connect(dsn)
    for sql in [
        "drop topic if exists t_rev_query",
        "drop topic if exists t_rev_stable",
        f"drop database if exists {DB}",
        f"create database {DB} vgroups 3",
        f"create stable {DB}.meters (ts timestamp, v int, s varchar(16)) tags (loc int)",
        f"create topic t_rev_query as select ts, v, s from {DB}.meters where loc >= 0",
        f"create topic t_rev_stable as stable {DB}.meters",
    ]:
        conn.execute(sql)
    for i in range(CHILDREN):
        conn.execute(f"create table {DB}.d{i} using {DB}.meters tags ({i})")
    # Three write requests, so every vgroup's WAL holds several versions.
    for lo in range(0, ROWS, 25):
        values = " ".join(
            f"{DB}.d{v % CHILDREN} values ({BASE_TS + v}, {v}, 's{v}')"
            for v in range(lo, min(lo + 25, ROWS))
        )
        conn.execute(f"insert into {values}")
    conn.close()

    for topic in ["t_rev_query", "t_rev_stable"]:
        env = dict(
            os.environ,
            TAOSYNC_TMQ_DSN=dsn,
            TAOSYNC_TMQ_TOPIC=topic,
            TAOSYNC_TMQ_ROWS=str(ROWS),
        )
        result = subprocess.run([BIN], env=env, capture_output=True, text=True, timeout=60)
        sys.stdout.write(result.stdout)
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            print(f"FAIL: taosync consumer on {topic} exited {result.returncode}", file=sys.stderr)
            sys.exit(1)
    print("OK: taosync's Consumer read the rows taosws wrote")


if __name__ == "__main__":
    main()
