#!/bin/sh
# Builds and runs ring-throughput.c: the ring's records per second with its consumer in the same
# process (private memory) and in another (the engine's memfd region), three alternating rounds.
#   native/bench/ring-throughput.sh [seconds per run, default 3] [producer threads, default 2]
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp /tmp/logshadow-ring-bench-XXXXXX)
gcc -O2 -std=gnu11 -D_GNU_SOURCE -pthread -Isrc -o "$out" bench/ring-throughput.c src/ring.c src/shared.c
"$out" "$@"
rm -f "$out"
