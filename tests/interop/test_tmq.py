"""Interop check: the OFFICIAL taos-ws-py `taosws.Consumer`, unchanged, subscribing on
taosync-server's `/rest/tmq`.

Data is written with SQL over `/ws` (taosws.connect); the consumer must receive exactly
those rows through a query topic (projection + WHERE), a supertable topic and a database
topic, across several vgroups; a second consumer of the same group after a commit gets
nothing again, and assignment / seek / committed / position work.

Usage: TAOSYNC_PORT=6041 python test_tmq.py
Exits non-zero with a message on the first mismatch.
"""

import os
import subprocess
import sys
import time

import taosws

from checks import check, fail

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
DB = "tmq_interop"
BASE_TS = 1700000000000
CHILDREN = 6
ROWS = 60
LIVE = 12


def setup():
    conn = taosws.connect(f"ws://root:taosdata@127.0.0.1:{PORT}")
    for sql in [
        f"drop topic if exists t_query",
        f"drop topic if exists t_stable",
        f"drop topic if exists t_db",
        f"drop database if exists {DB}",
        f"create database {DB} vgroups 3",
        f"create stable {DB}.meters (ts timestamp, v int, s varchar(16)) tags (loc int)",
    ]:
        conn.execute(sql)
    for i in range(CHILDREN):
        conn.execute(f"create table {DB}.d{i} using {DB}.meters tags ({i})")
    values = " ".join(
        f"{DB}.d{v % CHILDREN} values ({BASE_TS + v}, {v}, 's{v}')" for v in range(ROWS)
    )
    conn.execute(f"insert into {values}")
    conn.execute(f"create topic t_query as select ts, v, s, loc from {DB}.meters where v % 2 = 0")
    conn.execute(f"create topic t_stable as stable {DB}.meters")
    conn.execute(f"create topic t_db as database {DB}")
    return conn


def drop_topic(conn, name):
    """DROP TOPIC, retried while the server still winds down a closed consumer (the
    client closes its socket without waiting)."""
    deadline = time.time() + 5.0
    while True:
        try:
            conn.execute(f"drop topic {name}")
            return
        except taosws.Error as e:
            if "subscribed" not in str(e).lower() or time.time() > deadline:
                fail(f"drop topic {name}: {e}")
            time.sleep(0.05)


def consumer(group, client, **extra):
    conf = {
        "td.connect.websocket.scheme": "ws",
        "td.connect.ip": "127.0.0.1",
        "td.connect.port": str(PORT),
        "td.connect.user": "root",
        "td.connect.pass": "taosdata",
        "group.id": group,
        "client.id": client,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": "false",
        "msg.with.table.name": "true",
    }
    conf.update(extra)
    return taosws.Consumer(conf)


def drain(c, want=None, limit=10.0):
    """Polls until `want` rows arrived (or one empty poll when `want` is None)."""
    rows = []
    last = None
    deadline = time.time() + limit
    while time.time() < deadline:
        msg = c.poll(0.5)
        if msg is None:
            if want is None or len(rows) >= want:
                break
            continue
        last = msg
        check(msg.database() == DB, f"message database {msg.database()}")
        for block in msg:
            for row in block.fetchall():
                rows.append((msg.vgroup(), msg.topic(), tuple(row)))
        if want is not None and len(rows) >= want:
            break
    return rows, last


def check_query_topic():
    c = consumer("g_query", "q1")
    c.subscribe(["t_query"])
    check(c.list_topics() == ["t_query"], f"list_topics {c.list_topics()}")
    expected = [v for v in range(ROWS) if v % 2 == 0]
    rows, last = drain(c, want=len(expected))
    got = sorted(r[2][1] for r in rows)
    check(got == expected, f"query topic rows {got} != {expected}")
    for _, topic, row in rows:
        check(topic == "t_query", f"topic name {topic}")
        check(len(row) == 4, f"projected row {row}")
        v = row[1]
        check(row[2] == f"s{v}", f"column s of v={v}: {row}")
        check(row[3] == v % CHILDREN, f"tag loc of v={v}: {row}")
    vgroups = {vg for vg, _, _ in rows}
    check(len(vgroups) > 1, f"rows from several vgroups, got {vgroups}")
    extra, _ = drain(c)
    check(extra == [], f"rows beyond the topic's: {extra}")

    # Commit (a message commits once: the client keeps its offset until then), then a
    # new consumer of the same group receives nothing again.
    c.commit(last)
    assignment = c.assignment()
    check(assignment, "assignment after subscribe")
    for topic_assignment in assignment:
        check(topic_assignment.topic() == "t_query", f"assignment topic {topic_assignment.topic()}")
        for a in topic_assignment.assignments():
            check(a.begin() <= a.offset() <= a.end(), f"offset {a.offset()} in [{a.begin()}, {a.end()}]")
            committed = c.committed("t_query", a.vg_id())
            position = c.position("t_query", a.vg_id())
            check(position == a.offset(), f"position {position} vs assignment {a.offset()}")
            check(committed in (position, -2147467247) or committed <= position,
                  f"committed {committed} vs position {position}")
    c.unsubscribe()
    c.close()

    again = consumer("g_query", "q2")
    again.subscribe(["t_query"])
    rows, _ = drain(again)
    # The commit covered the consumer's position on every vgroup, so nothing comes back.
    check(rows == [], f"redelivered after commit: {rows}")
    again.close()
    print("taosws consumer: query topic ok")


def check_stable_and_db_topics(conn):
    c = consumer("g_stable", "s1")
    c.subscribe(["t_stable", "t_db"])
    rows, _ = drain(c, want=2 * ROWS)
    by_topic = {}
    for _, topic, row in rows:
        by_topic.setdefault(topic, []).append(row[1])
    for topic in ("t_stable", "t_db"):
        got = sorted(by_topic.get(topic, []))
        check(got == list(range(ROWS)), f"{topic}: {len(got)} rows, expected {ROWS}")

    # Rows written while subscribed arrive too, in write order per table.
    for v in range(ROWS, ROWS + LIVE):
        conn.execute(f"insert into {DB}.d{v % CHILDREN} values ({BASE_TS + v}, {v}, 's{v}')")
    rows, _ = drain(c, want=2 * LIVE)
    per_table = {}
    for _, topic, row in rows:
        if topic == "t_stable":
            per_table.setdefault(row[1] % CHILDREN, []).append(row[1])
    got = sorted(v for vs in per_table.values() for v in vs)
    check(got == list(range(ROWS, ROWS + LIVE)), f"live rows {got}")
    for table, vs in per_table.items():
        check(vs == sorted(vs), f"rows of d{table} out of order: {vs}")

    # Seek replays a vgroup from its beginning.
    assignment = {ta.topic(): ta.assignments() for ta in c.assignment()}
    first = assignment["t_stable"][0]
    c.seek("t_stable", first.vg_id(), first.begin())
    replay, _ = drain(c)
    check(replay, "seek to the beginning replays rows")
    check(all(topic == "t_stable" and vg == first.vg_id() for vg, topic, _ in replay),
          "only the sought vgroup replays")
    c.close()
    print("taosws consumer: stable and database topics ok")


def check_blocking_poll(conn):
    """A poll waiting on an empty topic returns as soon as another client writes.

    The writer is a separate process: taosws holds the GIL while it polls."""
    conn.execute(f"create table {DB}.live (ts timestamp, v int)")
    conn.execute(f"create topic t_live as select ts, v from {DB}.live")
    c = consumer("g_live", "l1")
    c.subscribe(["t_live"])
    writer = subprocess.Popen([
        sys.executable,
        "-c",
        "import time, taosws; time.sleep(0.5); "
        f"taosws.connect('ws://root:taosdata@127.0.0.1:{PORT}')"
        f".execute('insert into {DB}.live values ({BASE_TS}, 7)')",
    ])
    started = time.time()
    msg = c.poll(10.0)
    waited = time.time() - started
    writer.wait(timeout=30)
    check(writer.returncode == 0, "the writer process failed")
    check(msg is not None, "the blocked poll returned no message")
    rows = [tuple(r) for block in msg for r in block.fetchall()]
    check([r[1] for r in rows] == [7], f"live rows {rows}")
    check(waited < 5.0, f"the poll woke late ({waited:.2f}s)")
    c.unsubscribe()
    c.close()
    drop_topic(conn, "t_live")
    print("taosws consumer: blocking poll wakes on a write ok")


def check_client_keys():
    """Every key taos-ws-py 0.7 and the TDengine docs list is accepted, and
    min.poll.rows / fetch.max.wait.ms shape what a poll returns."""
    c = consumer(
        "g_keys", "k1",
        **{
            "fetch.max.wait.ms": "300",
            "min.poll.rows": "100000",
            "msg.enable.batchmeta": "1",
            "msg.consume.excluded": "1",
            "msg.consume.rawdata": "0",
            "session.timeout.ms": "20000",
            "max.poll.interval.ms": "60000",
            "experimental.snapshot.enable": "false",
        },
    )
    c.subscribe(["t_query"])
    # Everything written so far: the initial rows and the live ones.
    expected = [v for v in range(ROWS + LIVE) if v % 2 == 0]
    # Asking for more rows than exist: each poll gathers what there is for at most
    # fetch.max.wait.ms, then answers.
    started = time.time()
    rows, _ = drain(c, want=len(expected))
    waited = time.time() - started
    got = sorted(r[2][1] for r in rows)
    check(got == expected, f"rows with the 0.7 keys {got} != {expected}")
    check(waited < 8.0, f"min.poll.rows held the polls too long ({waited:.2f}s)")
    c.close()
    print("taosws consumer: 0.7 configuration keys ok")


def check_with_meta(conn):
    """A `with meta` database topic: creations and ALTERs arrive as meta messages (no
    data blocks; taosws fetches their JSON meta), in order with the data messages."""
    for sql in [
        "drop topic if exists t_meta",
        "drop database if exists tmq_meta",
        "create database tmq_meta vgroups 1",
        "create topic t_meta with meta as database tmq_meta",
        "create stable tmq_meta.st (ts timestamp, v int) tags (loc int, g int)",
        f"insert into tmq_meta.c1 using tmq_meta.st tags (1, 1) values ({BASE_TS}, 1)",
        "alter stable tmq_meta.st add column w int",
        "alter table tmq_meta.c1 set tag loc = 5",
        "alter stable tmq_meta.st drop tag g",
        f"insert into tmq_meta.c1 values ({BASE_TS + 1}, 2, 3)",
    ]:
        conn.execute(sql)
    for batch in ("1", "0"):
        c = consumer(f"g_meta_{batch}", "m1", **{"msg.enable.batchmeta": batch})
        c.subscribe(["t_meta"])
        seen = []
        deadline = time.time() + 10.0
        while time.time() < deadline:
            msg = c.poll(0.5)
            if msg is None:
                break
            rows = [tuple(r) for block in msg for r in block.fetchall()]
            seen.append("meta" if not rows else f"data {[r[1] for r in rows]}")
        creations = ["meta"] if batch == "1" else ["meta", "meta"]
        want = creations + ["data [1]", "meta", "meta", "meta", "data [2]"]
        check(seen == want, f"with meta, batchmeta={batch}: {seen} != {want}")
        c.close()
    drop_topic(conn, "t_meta")
    print("taosws consumer: with meta topic, ALTERs as meta messages ok")


def check_errors():
    c = consumer("g_err", "e1")
    try:
        c.subscribe(["no_such_topic"])
        fail("subscribing to a missing topic did not raise")
    except Exception as e:  # the client raises its ConsumerException
        check("not exist" in str(e).lower() or "0x3e1" in str(e).lower(), f"error text {e}")
    c.close()
    print("taosws consumer: errors ok")


def main():
    conn = setup()
    check_query_topic()
    check_stable_and_db_topics(conn)
    check_blocking_poll(conn)
    check_client_keys()
    check_with_meta(conn)
    check_errors()
    for topic in ("t_query", "t_stable", "t_db"):
        drop_topic(conn, topic)
    conn.close()
    print("tmq interop: all checks passed")


if __name__ == "__main__":
    main()
