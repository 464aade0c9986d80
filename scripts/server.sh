# Sourced (not run) by the scripts that drive a taosync-server binary: tests/interop/run.sh,
# bench/compare.sh, examples/c/run.sh and examples/c/bench.sh.
#
#   start_server BIN [ARGS...]   starts BIN --port <a free port> ARGS in the background and
#                                waits until it listens (10 s at most); sets SERVER_PORT
#                                and SERVER_PID. Exits the calling script if it dies or
#                                does not start, printing its log.
#   stop_servers                 stops every server started so far and removes the logs;
#                                call it from the script's EXIT trap.

_taosync_servers=()
_taosync_server_logs=()

start_server() {
    local bin="$1" log
    shift
    SERVER_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    log="$(mktemp)"
    "$bin" --port "$SERVER_PORT" "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    _taosync_servers+=("$SERVER_PID")
    _taosync_server_logs+=("$log")
    for _ in $(seq 1 100); do
        if grep -q "listening on" "$log"; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$log" >&2
            echo "taosync-server exited early" >&2
            exit 1
        fi
        sleep 0.1
    done
    cat "$log" >&2
    echo "taosync-server did not start" >&2
    exit 1
}

stop_servers() {
    local pid
    for pid in "${_taosync_servers[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ ${#_taosync_server_logs[@]} -gt 0 ]; then
        rm -f "${_taosync_server_logs[@]}"
    fi
}
