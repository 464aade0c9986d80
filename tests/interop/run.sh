#!/usr/bin/env bash
# Runs the official Python clients (taospy's taosrest, taos-ws-py's taosws) unchanged
# against taosync-server: builds the server, creates a venv, starts the server on a free
# port, runs the official-client scripts (test_official_clients.py, test_schemaless.py,
# test_stmt.py, test_timezone.py on a second server started with TZ=Asia/Shanghai,
# test_tmq.py), then checks taosync against taos-ws-py in both directions:
# schemaless records (compare_schemaless.py), Statement inserts read back by taosws
# (interop_stmt + test_stmt_readback.py) and a Consumer reading rows taosws wrote
# (interop_tmq + test_tmq_taosync.py); then taospy's native `taos` module loading our own
# libtaos.so (crate taosync-capi, test_native_taos.py, and its TMQ consumer, test_native_tmq.py);
# stops the server.
#
# Usage: tests/interop/run.sh [--version 3.3.1.0]   (extra arguments go to the server)
# Environment: INTEROP_VENV (default .venv at the repo root), CARGO_TARGET_DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${INTEROP_VENV:-$root/.venv}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check taospy taos-ws-py

cargo build --quiet --manifest-path "$root/Cargo.toml" -p taosync-server --bin taosync-server
cargo build --quiet --manifest-path "$root/Cargo.toml" \
    --example interop_schemaless --example interop_stmt --example interop_tmq
# libtaos.so for taospy's native module.
cargo build --quiet --manifest-path "$root/Cargo.toml" -p taosync-capi --lib
target="${CARGO_TARGET_DIR:-$root/target}"
server_bin="$target/debug/taosync-server"
sml_bin="$target/debug/examples/interop_schemaless"
stmt_bin="$target/debug/examples/interop_stmt"
interop_tmq_bin="$target/debug/examples/interop_tmq"
libtaos_dir="$target/debug"

. "$root/scripts/server.sh"
trap stop_servers EXIT
start_server "$server_bin" "$@"
port="$SERVER_PORT"

# The clients render timestamps in the process zone; pin it so the checks are exact.
TZ=UTC TAOSYNC_PORT="$port" "$venv/bin/python" "$here/test_official_clients.py"
TZ=UTC TAOSYNC_PORT="$port" "$venv/bin/python" "$here/test_schemaless.py"
TZ=UTC TAOSYNC_PORT="$port" "$venv/bin/python" "$here/test_stmt.py"
# The same schemaless records through taosync (WS and REST) and taos-ws-py: identical tables.
lines="$here/schemaless_lines.json"
"$sml_bin" "ws://root:taosdata@127.0.0.1:$port" interop_sml_taosync_ws "$lines"
"$sml_bin" "http://root:taosdata@127.0.0.1:$port" interop_sml_taosync_rest "$lines"
TZ=UTC TAOSYNC_PORT="$port" "$venv/bin/python" "$here/compare_schemaless.py" "$lines" \
    interop_sml_taosync_ws interop_sml_taosync_rest
# A server started with a non-UTC TZ and no --tz: a tz-less taosws connection sees it.
TZ=UTC TAOSYNC_SERVER="$server_bin" "$venv/bin/python" "$here/test_timezone.py" "$@"
# TMQ: the official taosws.Consumer on /rest/tmq.
TZ=UTC TAOSYNC_PORT="$port" "$venv/bin/python" "$here/test_tmq.py"
# TMQ, other direction: taosws writes, taosync's Consumer reads.
TZ=UTC TAOSYNC_PORT="$port" TAOSYNC_INTEROP_TMQ="$interop_tmq_bin" "$venv/bin/python" "$here/test_tmq_taosync.py"

# The other direction: rows inserted by taosync's Statement (stmt2 and stmt v1), read back
# by taos-ws-py.
for protocol in stmt2 stmt1; do
    TDENGINE_DSN="ws://root:taosdata@127.0.0.1:$port" "$stmt_bin" "$protocol"
    TZ=UTC TAOSYNC_PORT="$port" "$venv/bin/python" "$here/test_stmt_readback.py" "$protocol"
done

# taospy's native module (ctypes over libtaos.so) with nothing of TDengine installed: our
# libtaos.so, found through LD_LIBRARY_PATH, talks WebSocket to the server.
TZ=UTC TAOSYNC_PORT="$port" LD_LIBRARY_PATH="$libtaos_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$venv/bin/python" "$here/test_native_taos.py"
# taospy's native taos.tmq.Consumer on the same library (tmq_* over /rest/tmq).
TZ=UTC TAOSYNC_PORT="$port" LD_LIBRARY_PATH="$libtaos_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$venv/bin/python" "$here/test_native_tmq.py"
