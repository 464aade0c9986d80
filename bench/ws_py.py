"""The taos-ws-py side of bench/compare.sh: the same operations, data and timed sections as
examples/compare_bench.rs, printed as one JSON object per operation.

Env: TAOSYNC_PORT (the server), SERVER_PID (its process, for its CPU time), and the sizes
N_FETCH, N_WIDE, N_BIND, N_SML.
"""

import json
import os
import resource
import time

import taosws

PORT = int(os.environ["TAOSYNC_PORT"])
SERVER_PID = int(os.environ["SERVER_PID"])
N_FETCH = int(os.environ.get("N_FETCH", "1000000"))
N_WIDE = int(os.environ.get("N_WIDE", "200000"))
N_BIND = int(os.environ.get("N_BIND", "200000"))
N_SML = int(os.environ.get("N_SML", "200000"))
DSN = f"ws://root:taosdata@127.0.0.1:{PORT}"
DB = "bench_ws_py"
BASE = 1_700_000_000_000
TABLES = 10


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def server_cpu():
    with open(f"/proc/{SERVER_PID}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Timed:
    def __init__(self, op, rows):
        self.op, self.rows = op, rows

    def __enter__(self):
        self.t, self.c, self.s = time.perf_counter(), cpu(), server_cpu()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            print(json.dumps({
                "client": getattr(self, "client", "taos-ws-py"),
                "op": self.op,
                "rows": self.rows,
                "wall_s": time.perf_counter() - self.t,
                "cpu_s": cpu() - self.c,
                "server_cpu_s": server_cpu() - self.s,
                "peak_rss_mib": peak_rss_mib(),
                **getattr(self, "extra", {}),
            }), flush=True)


def narrow_sql(start, count):
    vals = " ".join(
        f"({BASE + i}, {i % 1000}, {i * 0.5}, 'name-{i % 977}')" for i in range(start, start + count)
    )
    return f"insert into narrow values {vals}"


def wide_sql(start, count):
    parts = []
    for i in range(start, start + count):
        if i % 7 == 6:
            parts.append(f"({BASE + i}, null, null, null, null, null, null, null, null, null, null, null, null, null, null)")
        else:
            parts.append(
                f"({BASE + i}, {'true' if i % 2 else 'false'}, {i % 100}, {i % 30000}, {i}, {i * 3}, "
                f"{i % 200}, {i % 60000}, {i}, {i * 7}, {i / 2}, {i / 4}, 'v{i}', 'n{i}', '\\x0102')"
            )
    return "insert into wide values " + " ".join(parts)


def setup(conn):
    # A run cut short leaves its topic, which would keep the database from being dropped.
    conn.execute("drop topic if exists bench_topic")
    conn.execute(f"drop database if exists {DB}")
    conn.execute(f"create database {DB}")
    conn.execute(f"use {DB}")
    conn.execute("create table narrow (ts timestamp, v int, d double, s varchar(24))")
    conn.execute(
        "create table wide (ts timestamp, c1 bool, c2 tinyint, c3 smallint, c4 int, c5 bigint, "
        "c6 tinyint unsigned, c7 smallint unsigned, c8 int unsigned, c9 bigint unsigned, "
        "c10 float, c11 double, c12 varchar(20), c13 nchar(20), c14 varbinary(16))"
    )
    conn.execute("create stable st (ts timestamp, v int, d double, s varchar(24)) tags (gid int)")
    for start in range(0, N_FETCH, 10000):
        conn.execute(narrow_sql(start, min(10000, N_FETCH - start)))
    for start in range(0, N_WIDE, 5000):
        conn.execute(wide_sql(start, min(5000, N_WIDE - start)))


def fetch(conn, sql, op, rows):
    with Timed(op, rows) as t:
        n = 0
        acc = 0
        for row in conn.query(sql):
            for v in row:
                if v is not None:
                    acc += 1
            n += 1
        t.extra = {"fetched": n}


def consume(conn, rows):
    """TMQ consumption: a topic over `narrow`, polled from the earliest offset until every
    row arrived, touching every value; one commit at the end."""
    conn.execute(f"create topic if not exists bench_topic as select * from {DB}.narrow")
    consumer = taosws.Consumer({
        "td.connect.websocket.scheme": "ws",
        "td.connect.ip": "127.0.0.1",
        "td.connect.port": str(PORT),
        "td.connect.user": "root",
        "td.connect.pass": "taosdata",
        "group.id": "bench",
        "client.id": "taos-ws-py",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": "false",
    })
    consumer.subscribe(["bench_topic"])
    with Timed("tmq consume", rows) as t:
        n = acc = idle = 0
        last = None
        while n < rows and idle < 10:
            msg = consumer.poll(0.5)
            if msg is None:
                idle += 1
                continue
            for block in msg:
                for row in block.fetchall():
                    for v in row:
                        if v is not None:
                            acc += 1
                    n += 1
            last = msg
        if last is not None:
            consumer.commit(last)
        t.extra = {"fetched": n}
    consumer.close()
    # taosws closes the consumer's socket behind the call; the server unsubscribes it
    # when the socket is gone, so the topic may still be held for a moment.
    deadline = time.time() + 10
    while True:
        try:
            conn.execute("drop topic bench_topic")
            break
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def rest_fetch():
    """`ws_py.py rest`: taospy's taosrest fetches the rows compare_bench wrote into
    bench_rest.narrow (BENCH_REST=1), then drops the database."""
    import taosrest

    conn = taosrest.connect(url=f"http://127.0.0.1:{PORT}", user="root", password="taosdata")
    with Timed("fetch narrow over REST", N_FETCH) as t:
        t.client = "taosrest"
        n = 0
        acc = 0
        cur = conn.cursor()
        cur.execute("select * from bench_rest.narrow")
        for row in cur.fetchall():
            for v in row:
                if v is not None:
                    acc += 1
            n += 1
        t.extra = {"fetched": n}
    conn.execute("drop database bench_rest")


def main():
    if len(os.sys.argv) > 1 and os.sys.argv[1] == "rest":
        return rest_fetch()
    conn = taosws.connect(DSN)
    setup(conn)

    with Timed("connect", 100) as t:
        for _ in range(100):
            taosws.connect(f"{DSN}/{DB}").close()

    lat = []
    with Timed("select 1 (p50 latency)", 1000) as t:
        for _ in range(1000):
            s = time.perf_counter()
            for _row in conn.query("select 1"):
                pass
            lat.append(time.perf_counter() - s)
        lat.sort()
        t.extra = {"p50_us": lat[len(lat) // 2] * 1e6}

    fetch(conn, "select * from narrow", "fetch narrow", N_FETCH)
    fetch(conn, "select * from wide", "fetch wide", N_WIDE)
    consume(conn, N_FETCH)

    per_table = N_BIND // TABLES
    chunk = 2000
    conn.execute("drop table if exists st")
    conn.execute("create stable st (ts timestamp, v int, d double, s varchar(24)) tags (gid int)")
    stmt = conn.stmt2_statement()
    stmt.prepare("insert into ? using st tags (?) values (?, ?, ?, ?)")
    with Timed("stmt2 insert", per_table * TABLES):
        for off in range(0, per_table, chunk):
            n = min(chunk, per_table - off)
            params = []
            for t in range(TABLES):
                r = range(off, off + n)
                params.append(taosws.stmt2_bind_param_view(
                    f"s2_{t}", [taosws.int_to_tag(t)],
                    [
                        taosws.millis_timestamps_to_column([BASE + i for i in r]),
                        taosws.ints_to_column([i for i in r]),
                        taosws.doubles_to_column([i / 4 for i in r]),
                        taosws.varchar_to_column([f"v{i}" for i in r]),
                    ],
                ))
            stmt.bind(params)
            stmt.execute()
    stmt.close()

    stmt = conn.statement()
    stmt.prepare("insert into ? using st tags (?) values (?, ?, ?, ?)")
    with Timed("stmt v1 insert", per_table * TABLES):
        for off in range(0, per_table, chunk):
            n = min(chunk, per_table - off)
            for t in range(TABLES):
                r = range(off, off + n)
                stmt.set_tbname_tags(f"s1_{t}", [taosws.int_to_tag(t)])
                stmt.bind_param([
                    taosws.millis_timestamps_to_column([BASE + i for i in r]),
                    taosws.ints_to_column([i for i in r]),
                    taosws.doubles_to_column([i / 4 for i in r]),
                    taosws.varchar_to_column([f"v{i}" for i in r]),
                ])
                stmt.add_batch()
            stmt.execute()

    with Timed("schemaless lines", N_SML):
        for start in range(0, N_SML, 10000):
            lines = [
                f"cpu,host=host{i % 100},region=r{i % 4} usage_user={i % 97}.{i % 10},"
                f"usage_system={(i % 13) / 4},count={i}i {BASE + i // 100}"
                for i in range(start, min(start + 10000, N_SML))
            ]
            conn.schemaless_insert(lines=lines, protocol=taosws.PySchemalessProtocol.Line,
                                   precision=taosws.PySchemalessPrecision.Millisecond, ttl=0, req_id=0)
    conn.execute(f"drop database {DB}")


if __name__ == "__main__":
    main()
