"""Interop check: taospy's NATIVE `taos.tmq.Consumer` (ctypes over libtaos.so), unchanged,
loading taosync's libtaos.so (crate taosync-capi) against taosync-server's `/rest/tmq`.

Rows of every fixed and variable type (and a row of NULLs) are written through the native
connection; the consumer must receive exactly those values with their Python types, with
the message's topic, database, vgroup and per-block table names; then commit(message),
commit() of everything, commit(offsets=...), assignment(), position(), committed(),
seek() back to the beginning (the same rows again), unsubscribe and close, and a new
consumer of the group starts from the committed offsets. A nanosecond database checks
the precision path.

Usage: LD_LIBRARY_PATH=<dir of libtaos.so> TAOSYNC_PORT=6041 python test_native_tmq.py
Exits non-zero with a message on the first mismatch.
"""

import datetime
import os
import sys
import time

import taos
from taos.cinterface import tmq_get_res_type, tmq_get_vgroup_id
from taos.error import TmqError
from taos.tmq import Consumer, TopicPartition

from checks import check, fail  # noqa: E402
from native_common import COLUMNS, literal, ticks  # noqa: E402

PORT = int(os.environ.get("TAOSYNC_PORT", "6041"))
UTC = datetime.timezone.utc
DB = "native_tmq"
DB_NS = "native_tmq_ns"
TOPIC = "t_native"
TOPIC_NS = "t_native_ns"
BASE_TS = 1700000000000
ROWS = 24
TABLES = 4
NULL_ROW = 5
NO_OFFSET = -2147467247


def values_of(v):
    """The column values (after ts) of row v; row NULL_ROW is all NULL."""
    if v == NULL_ROW:
        return [None] * (len(COLUMNS) - 1)
    return [
        v % 2 == 0,
        v - 10,
        -1000 * v,
        100000 * v,
        -(10**15) * v - 1,
        200 + v,
        60000 + v,
        4_000_000_000 + v,
        2**64 - 1 - v,
        v + 0.5,
        v / 4,
        f"b{v}",
        f"中{v}é",
        bytes([0xFF, v + 1]),
    ]


def expected_row(v):
    """(ts ticks, columns..., tag loc) as the topic delivers it."""
    return (BASE_TS + v, *values_of(v), v % TABLES)


def setup(conn):
    for sql in [
        f"drop topic if exists {TOPIC}",
        f"drop topic if exists {TOPIC_NS}",
        f"drop database if exists {DB}",
        f"drop database if exists {DB_NS}",
        f"create database {DB} vgroups 2",
        f"create stable {DB}.meters ({', '.join(f'{n} {t}' for n, t in COLUMNS)}) tags (loc int)",
    ]:
        conn.execute(sql)
    for i in range(TABLES):
        conn.execute(f"create table {DB}.d{i} using {DB}.meters tags ({i})")
    for v in range(ROWS):
        vals = ", ".join(literal(x) for x in values_of(v))
        conn.execute(f"insert into {DB}.d{v % TABLES} values ({BASE_TS + v}, {vals})")
    names = ", ".join(n for n, _ in COLUMNS)
    conn.execute(f"create topic {TOPIC} as select {names}, loc from {DB}.meters")

    conn.execute(f"create database {DB_NS} precision 'ns'")
    conn.execute(f"create table {DB_NS}.t (ts timestamp, v int)")
    for i in range(3):
        conn.execute(f"insert into {DB_NS}.t values ({1700000000_000000001 + i}, {i})")
    conn.execute(f"create topic {TOPIC_NS} as select ts, v from {DB_NS}.t")


def consumer(group, client, **extra):
    conf = {
        "group.id": group,
        "client.id": client,
        "td.connect.ip": "127.0.0.1",
        "td.connect.port": str(PORT),
        "td.connect.user": "root",
        "td.connect.pass": "taosdata",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": "false",
        "msg.with.table.name": "true",
    }
    conf.update(extra)
    return Consumer(conf)


def same(got, want, ctx):
    check(type(got) is type(want), f"{ctx}: type {type(got).__name__} != {type(want).__name__} ({got!r})")
    if isinstance(want, float):
        check(abs(got - want) <= abs(want) * 1e-6, f"{ctx}: {got!r} != {want!r}")
    else:
        check(got == want, f"{ctx}: {got!r} != {want!r}")


def drain(c, topic, db, want=None, limit=15.0):
    """Polls until `want` rows arrived (or one empty poll when `want` is None); returns
    [(vgroup, table, row)] and the last message."""
    rows = []
    last = None
    deadline = time.time() + limit
    while time.time() < deadline:
        msg = c.poll(0.5)
        if msg is None:
            if want is None or len(rows) >= want:
                break
            continue
        check(msg.error() is None, f"message error {msg.error()}")
        check(msg.topic() == topic, f"message topic {msg.topic()!r}")
        check(msg.database() == db, f"message database {msg.database()!r}")
        # taospy's Message has no vgroup(): the C accessor it binds.
        vg = getattr(msg, "vgroup", lambda: tmq_get_vgroup_id(msg.msg))()
        check(tmq_get_res_type(msg.msg) == 1, "a data message (TMQ_RES_DATA)")
        check(isinstance(vg, int) and vg > 0, f"message vgroup {vg!r}")
        check(isinstance(msg.offset(), int), f"message offset {msg.offset()!r}")
        blocks = msg.value()
        check(blocks, "a data message has blocks")
        for block in blocks:
            check(block.nrows() == len(block.fetchall()), "block nrows vs rows")
            for row in block.fetchall():
                check(len(row) == block.ncols(), f"row width {len(row)} vs ncols {block.ncols()}")
                rows.append((vg, block.table(), tuple(row)))
        last = msg
        if want is not None and len(rows) >= want:
            break
    return rows, last


def check_rows(rows, ctx):
    by_v = {}
    for vg, table, row in rows:
        v = ticks(row[0], 1000) - BASE_TS
        check(v not in by_v, f"{ctx}: row {v} delivered twice")
        by_v[v] = (vg, table, row)
    check(sorted(by_v) == list(range(ROWS)), f"{ctx}: rows {sorted(by_v)}")
    for v, (vg, table, row) in by_v.items():
        want = expected_row(v)
        check(table == f"d{v % TABLES}", f"{ctx}: row {v} table {table!r}")
        check(len(row) == len(want), f"{ctx}: row {v} width {len(row)}")
        check(isinstance(row[0], datetime.datetime), f"{ctx}: row {v} ts {row[0]!r}")
        for (name, _), g, w in zip(COLUMNS[1:] + [("loc", "INT")], row[1:], want[1:]):
            if w is None:
                check(g is None, f"{ctx}: row {v} {name} {g!r} is not NULL")
            else:
                same(g, w, f"{ctx}: row {v} {name}")
    return {v: vg for v, (vg, _, _) in by_v.items()}


def check_consumer(conn):
    # A bad key is refused by tmq_conf_set, a bad value too.
    for extra in ({"no.such.key": "1"}, {"auto.offset.reset": "sometimes"}):
        try:
            consumer("g_bad", "b", **extra)
            fail(f"consumer with {extra} was created")
        except TmqError as e:
            check(e.errno in (-1, -2), f"tmq_conf_set code {e.errno} for {extra}")

    c = consumer("g_native", "c1")
    c.subscribe([TOPIC])
    check(c.list_topics() == [TOPIC], f"list_topics {c.list_topics()}")
    rows, last = drain(c, TOPIC, DB, want=ROWS)
    vg_of = check_rows(rows, "first read")
    extra, _ = drain(c, TOPIC, DB)
    check(extra == [], f"rows beyond the topic's: {extra}")

    # assignment: one entry per vgroup with rows, at the end of its WAL after the drain.
    assignment = c.assignment()
    check(assignment, "assignment after subscribe")
    vgroups = {tp.partition: tp for tp in assignment}
    check(set(vg_of.values()) <= set(vgroups), f"rows from vgroups {set(vg_of.values())} not in {set(vgroups)}")
    for tp in assignment:
        check(tp.topic == TOPIC, f"assignment topic {tp.topic}")
        check(0 <= tp.begin <= tp.offset <= tp.end, f"assignment {tp} begin {tp.begin} end {tp.end}")
    positions = c.position([TopicPartition(TOPIC, vg, 0) for vg in vgroups])
    for p in positions:
        check(p.offset == vgroups[p.partition].offset, f"position {p.offset} vs assignment {vgroups[p.partition].offset}")

    # Nothing committed yet: committed() raises the "no offset" error.
    try:
        c.committed([TopicPartition(TOPIC, next(iter(vgroups)), 0)])
        fail("committed() before any commit returned an offset")
    except TmqError as e:
        check(e.errno == NO_OFFSET, f"committed() before commit: errno {e.errno}")

    # commit(message) commits every position reached (the protocol's commit).
    c.commit(last)
    for tp in c.committed([TopicPartition(TOPIC, vg, 0) for vg in vgroups]):
        check(tp.offset == vgroups[tp.partition].offset, f"committed {tp.offset} vs position {vgroups[tp.partition].offset}")

    # seek() each vgroup back to its beginning: the same rows again.
    for vg, tp in vgroups.items():
        c.seek(TopicPartition(TOPIC, vg, tp.begin))
    for p in c.position([TopicPartition(TOPIC, vg, 0) for vg in vgroups]):
        check(p.offset == vgroups[p.partition].begin, f"position after seek {p.offset}")
    again, _ = drain(c, TOPIC, DB, want=ROWS)
    check(check_rows(again, "after seek") == vg_of, "the same vgroups after seek")

    # commit() with neither message nor offsets: everything polled.
    c.commit()
    for tp in c.committed([TopicPartition(TOPIC, vg, 0) for vg in vgroups]):
        check(tp.offset == vgroups[tp.partition].end, f"committed {tp.offset} after commit() vs end {vgroups[tp.partition].end}")

    # commit(offsets=...): one vgroup back to its beginning.
    first_vg = min(vg_of.values())
    c.commit(offsets=[TopicPartition(TOPIC, first_vg, vgroups[first_vg].begin)])
    got = c.committed([TopicPartition(TOPIC, first_vg, 0)])[0].offset
    check(got == vgroups[first_vg].begin, f"committed {got} after commit(offsets)")

    c.unsubscribe()
    check(c.list_topics() == [], f"list_topics after unsubscribe {c.list_topics()}")
    check(c.assignment() is None, "assignment after unsubscribe")
    c.close()
    c.close()

    # A new consumer of the group starts from the committed offsets: only first_vg's rows.
    c2 = consumer("g_native", "c2")
    c2.subscribe([TOPIC])
    want = sorted(v for v, vg in vg_of.items() if vg == first_vg)
    rows, msg = drain(c2, TOPIC, DB, want=len(want))
    got = sorted(ticks(r[0], 1000) - BASE_TS for _, _, r in rows)
    check(got == want, f"after commit(offsets): rows {got}, want {want}")
    extra, _ = drain(c2, TOPIC, DB)
    check(extra == [], f"more rows after commit(offsets): {extra}")

    # A message can only be committed by the consumer that polled it.
    other = consumer("g_other", "o1")
    other.subscribe([TOPIC])
    try:
        other.commit(msg)
        fail("a consumer committed another consumer's message")
    except TmqError:
        pass
    other.close()
    c2.close()
    print("native tmq consumer: rows, commit, assignment, seek, committed, position ok")


def check_nanoseconds():
    c = consumer("g_ns", "n1")
    c.subscribe([TOPIC_NS])
    rows, _ = drain(c, TOPIC_NS, DB_NS, want=3)
    got = sorted(tuple(r) for _, _, r in rows)
    want = [(1700000000_000000001 + i, i) for i in range(3)]
    check(got == want, f"ns rows {got} != {want}")
    check(all(t == "t" for _, t, _ in rows), f"ns table names {[t for _, t, _ in rows]}")
    c.close()
    print("native tmq consumer: nanosecond topic ok")


def main():
    conn = taos.connect(host="127.0.0.1", port=PORT, user="root", password="taosdata")
    setup(conn)
    check_consumer(conn)
    check_nanoseconds()
    conn.close()


if __name__ == "__main__":
    main()
