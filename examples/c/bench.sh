#!/usr/bin/env bash
# The taos_fetch_block benchmark of issue 13: a 1,000,000-row fetch through libtaos.so from C
# (examples/c/bench_fetch.c) next to taosync's Rust API reading the same blocks in place
# (taosync-capi/examples/bench_fetch.rs), against one release taosync-server. The table is
# filled once; then both clients fetch it REPS times (default 5), alternating which goes
# first. Prints every run, the medians of rows/s and client CPU per row (getrusage of the
# client process) and the ratio C / Rust of CPU per row (goal: at most 1.10).
#
# Usage: examples/c/bench.sh     Environment: REPS, ROWS (1000000), CARGO_TARGET_DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
reps="${REPS:-5}"
rows="${ROWS:-1000000}"

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p taosync-server --bin taosync-server
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p taosync-capi --lib --example bench_fetch
lib="$target/release"
bin="$target/bench_fetch"
cc -std=c11 -Wall -Wextra -Werror -O2 -o "$bin" "$here/bench_fetch.c" \
    -I"$root/taosync-capi/include" -L"$lib" -ltaos -Wl,-rpath,"$lib"

. "$root/scripts/server.sh"
results="$(mktemp)"
trap 'stop_servers; rm -f "$results"' EXIT
start_server "$target/release/taosync-server"
port="$SERVER_PORT"

run_c() { "$bin" 127.0.0.1 "$port" 0 | tee -a "$results"; }
run_rust() {
    "$target/release/examples/bench_fetch" "ws://root:taosdata@127.0.0.1:$port" --blocks-only | tee -a "$results"
}

echo "filling bench.t with $rows rows (and one warm-up fetch each)"
"$bin" 127.0.0.1 "$port" "$rows" >/dev/null
"$target/release/examples/bench_fetch" "ws://root:taosdata@127.0.0.1:$port" --blocks-only >/dev/null
for i in $(seq 1 "$reps"); do
    if [ $((i % 2)) -eq 1 ]; then run_c; run_rust; else run_rust; run_c; fi
done

# Medians of "= N rows/s" and "CPU X ns/row" per client, then the ratio.
python3 - "$results" <<'PY'
import re, statistics, sys
runs = {"C": [], "Rust": []}
for line in open(sys.argv[1]):
    m = re.search(r"= (\d+) rows/s; client CPU ([\d.]+) ns/row", line)
    if m:
        runs["C" if line.startswith("C ") else "Rust"].append((float(m[1]), float(m[2])))
med = {k: (statistics.median(r for r, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
print()
print(f"{'client':<36} {'rows/s':>12} {'CPU ns/row':>11}   (medians of {len(runs['C'])} runs)")
print(f"{'C taos_fetch_block (libtaos.so)':<36} {med['C'][0]:>12.0f} {med['C'][1]:>11.1f}")
print(f"{'Rust Cursor::next_block + BlockView':<36} {med['Rust'][0]:>12.0f} {med['Rust'][1]:>11.1f}")
ratio = med["C"][1] / med["Rust"][1]
print(f"C / Rust CPU per row: {ratio:.3f} ({(ratio - 1) * 100:+.1f} %; goal: at most +10 %)")
PY
