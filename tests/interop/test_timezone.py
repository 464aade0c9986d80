"""Interop check: a taosync-server started with a non-UTC `TZ` and no `--tz` takes the
machine's zone as taosd does, and the OFFICIAL taos-ws-py client connecting without a
`tz` sees it: time literals without an offset are read in that zone and `timezone()`
names it.

Usage: TAOSYNC_SERVER=/path/to/taosync-server python test_timezone.py [server args...]
Exits non-zero with a message on the first mismatch.
"""

import os
import socket
import subprocess
import sys
import time

import taosws

from checks import check, fail

ZONE = "Asia/Shanghai"


def start_server():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = dict(os.environ, TZ=ZONE)
    server = subprocess.Popen(
        [os.environ["TAOSYNC_SERVER"], "--port", str(port), *sys.argv[1:]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = server.stdout.readline()
    check("listening on" in line, f"server did not start: {line!r}")
    return server, port


def main():
    server, port = start_server()
    try:
        conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{port}")
        conn.execute("create database if not exists tz_interop")
        conn.execute("create table tz_interop.t (ts timestamp, v int)")
        conn.execute("insert into tz_interop.t values ('2025-01-01 12:00:00', 1)")
        rows = list(conn.query("select cast(ts as bigint), v from tz_interop.t"))
        # 12:00 in Shanghai (+08:00) is 04:00 UTC.
        check(rows == [(1735704000000, 1)], f"literal read in the server zone: {rows}")
        zone = list(conn.query("select timezone()"))
        check(zone and ZONE in str(zone[0][0]), f"timezone() {zone}")
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("timezone interop: a tz-less connection sees the server's TZ ok")


if __name__ == "__main__":
    main()
