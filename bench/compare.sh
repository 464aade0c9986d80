#!/usr/bin/env bash
# Side-by-side benchmark: one release taosync-server, the same operations, data and timed
# sections through taos-ws-py (bench/ws_py.py, installed into a venv) and through taosync
# (examples/compare_bench.rs), REPS times each (default 3); prints the medians as a table
# of rows/s, client CPU per row (the client process's user+system time over the timed
# section), server CPU per row and peak client RSS, with taosync / taos-ws-py ratios.
#
# Usage: bench/compare.sh            Environment: REPS, N_FETCH (1000000), N_WIDE (200000),
#        N_BIND (200000), N_SML (200000), BENCH_VENV (default .venv), CARGO_TARGET_DIR,
#        BENCH_FIRST_OFFSET (1: taosync goes first in odd repetitions).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="${BENCH_VENV:-$root/.venv}"
reps="${REPS:-3}"
export N_FETCH="${N_FETCH:-1000000}" N_WIDE="${N_WIDE:-200000}" N_BIND="${N_BIND:-200000}" N_SML="${N_SML:-200000}"

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check taos-ws-py taospy

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p taosync-server --bin taosync-server
cargo build --quiet --release --manifest-path "$root/Cargo.toml" --example compare_bench
target="${CARGO_TARGET_DIR:-$root/target}"

. "$root/scripts/server.sh"
results="$(mktemp)"
trap 'stop_servers; rm -f "$results"' EXIT
start_server "$target/release/taosync-server"
port="$SERVER_PORT" server_pid="$SERVER_PID"
export TAOSYNC_PORT="$port" SERVER_PID="$server_pid"

# The clients take turns going first: whoever runs second meets a server that has already
# served (and freed) a full run, so a fixed order would bias the server CPU figures.
# BENCH_FIRST_OFFSET=1 starts with taosync.
for rep in $(seq 1 "$reps"); do
    echo "repetition $rep/$reps" >&2
    if [ $(( (rep + ${BENCH_FIRST_OFFSET:-0}) % 2 )) -eq 1 ]; then
        "$venv/bin/python" "$here/ws_py.py" >>"$results"
        "$target/release/examples/compare_bench" >>"$results"
    else
        "$target/release/examples/compare_bench" >>"$results"
        "$venv/bin/python" "$here/ws_py.py" >>"$results"
    fi
done
# REST fetch of N_FETCH rows, each client in a process of its own (peak RSS is per process):
# taosync streams the reply block by block, taospy's taosrest reads it whole.
BENCH_REST=1 "$target/release/examples/compare_bench" >>"$results"
"$venv/bin/python" "$here/ws_py.py" rest >>"$results"

"$venv/bin/python" - "$results" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        r = json.loads(line)
        runs.setdefault((r["op"], r["client"]), []).append(r)
ops = []
for op, _ in runs:
    if op not in ops:
        ops.append(op)
def med(rs, f):
    return statistics.median(f(r) for r in rs)
def figures(rs):
    rows = rs[0]["rows"]
    out = {
        "rate": med(rs, lambda r: r["rows"] / r["wall_s"]),
        "cpu_us": med(rs, lambda r: r["cpu_s"] * 1e6 / r["rows"]),
        "srv_us": med(rs, lambda r: r["server_cpu_s"] * 1e6 / r["rows"]),
        "rss": max(r["peak_rss_mib"] for r in rs),
    }
    if "p50_us" in rs[0]:
        out["p50_us"] = med(rs, lambda r: r["p50_us"])
    return out
print(f"| op | client | rows/s | client CPU µs/row | server CPU µs/row | peak RSS MiB | extra |")
print("|---|---|---|---|---|---|---|")
for op in ops:
    f = {c: figures(runs[(op, c)]) for c in ("taos-ws-py", "taosrest", "taosync") if (op, c) in runs}
    for c, x in f.items():
        extra = f"p50 {x['p50_us']:.0f} µs" if "p50_us" in x else ""
        if op == "connect":
            extra = f"{1e3 / x['rate']:.2f} ms/connect"
        print(f"| {op} | {c} | {x['rate']:,.0f} | {x['cpu_us']:.2f} | {x['srv_us']:.2f} | {x['rss']:.0f} | {extra} |")
    if len(f) == 2:
        other = "taosrest" if "taosrest" in f else "taos-ws-py"
        a, b = f[other], f["taosync"]
        ratio = lambda n, d: f"{n / d:.2f}×" if d else "-"
        extra = f"p50 {ratio(b['p50_us'], a['p50_us'])}" if "p50_us" in a else ""
        print(f"| {op} | **taosync / {other}** | {ratio(b['rate'], a['rate'])} | {ratio(b['cpu_us'], a['cpu_us'])} | {ratio(b['srv_us'], a['srv_us'])} | | {extra} |")
PY
