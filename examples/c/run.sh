#!/usr/bin/env bash
# Builds the C examples (quickstart.c: connect, stmt2 insert, query; tmq.c: subscribe,
# poll, commit, assignment, seek) with `cc` against taosync-capi's taos.h and libtaos.so,
# checks the struct layouts of taos.h (layout.c, compile time), starts a taosync-server on
# a free port and runs each program under valgrind: CI fails on wrong values, invalid
# reads/writes or definite leaks (our library is all the C programs link).
#
# Usage: examples/c/run.sh        Environment: CARGO_TARGET_DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

cargo build --quiet --manifest-path "$root/Cargo.toml" -p taosync-server --bin taosync-server
cargo build --quiet --manifest-path "$root/Cargo.toml" -p taosync-capi --lib
lib="$target/debug"
# Struct layouts of our taos.h against TDengine's (compile-time checks only).
cc -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only "$here/layout.c" -I"$root/taosync-capi/include"
for example in quickstart tmq; do
    cc -std=c11 -Wall -Wextra -Werror -g -o "$target/$example" "$here/$example.c" \
        -I"$root/taosync-capi/include" -L"$lib" -ltaos -Wl,-rpath,"$lib"
done

. "$root/scripts/server.sh"
trap stop_servers EXIT
start_server "$target/debug/taosync-server"
port="$SERVER_PORT"

# "Possibly lost" is not reported: a connection's keepalive thread is told to stop by
# taos_close but may still be winding down (its stack allocated) when the program exits.
for example in quickstart tmq; do
    echo "== $example"
    valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
        --show-possibly-lost=no "$target/$example" 127.0.0.1 "$port"
done
