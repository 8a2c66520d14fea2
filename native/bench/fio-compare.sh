#!/usr/bin/env bash
# fio through each data path, side by side in one run on this machine:
#   tmpfs directly | native engine writethrough | native engine writeback |
#   the bare libfuse 3 peer (/work/shared/peers/cpassthrough.c), writethrough and writeback.
# Workloads: 256-byte sequential sync writes with 1 and 4 jobs, and 64 KiB blocks with 1 job.
# The engine runs in place over its tmpfs, with the test fixture draining its ring every 20 ms
# like the daemon's tick. Needs root, fio, gcc, libfuse3-dev and `npm run build:native`.
#
#   native/bench/fio-compare.sh [seconds per run, default 5]
#   XATTR=1 native/bench/fio-compare.sh     the engine with xattr operations on (see README)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUNTIME=${1:-5}
PEER_SRC=${PEER_SRC:-/work/shared/peers/cpassthrough.c}
WORK=$(mktemp -d /tmp/logshadow-fio-XXXXXX)
chmod 755 "$WORK"
ENGINE_PID=
PEER_MNT=

cleanup() {
  set +e
  [ -n "$ENGINE_PID" ] && kill -TERM "$ENGINE_PID" 2>/dev/null && wait "$ENGINE_PID" 2>/dev/null
  [ -n "$PEER_MNT" ] && grep -q " $PEER_MNT fuse" /proc/mounts && umount "$PEER_MNT"
  for d in "$WORK"/*/; do
    d=${d%/}
    while grep -q " $d " /proc/mounts; do umount -l "$d" || break; done
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

fresh_tmpfs() { mkdir -p "$1" && mount -t tmpfs -o size=1g tmpfs "$1"; }

# prints: iops p50_us p99_us MB/s
run_fio() {
  local dir=$1 bs=$2 jobs=$3
  fio --name=bench --directory="$dir" --rw=write --bs="$bs" --ioengine=sync --size=64m \
    --numjobs="$jobs" --group_reporting --time_based --runtime="$RUNTIME" --output-format=json 2>/dev/null |
    node -e '
      const w = JSON.parse(require("fs").readFileSync(0, "utf8")).jobs[0].write;
      const p = w.clat_ns.percentile;
      console.log([Math.round(w.iops), (p["50.000000"] / 1000).toFixed(2), (p["99.000000"] / 1000).toFixed(2),
                   (w.bw_bytes / 1e6).toFixed(0)].join(" "));'
  rm -f "$dir"/bench.*
}

bench_target() {
  local name=$1 dir=$2
  printf '%-30s' "$name"
  for w in "256 1" "256 4" "64k 1"; do
    set -- $w
    read -r iops p50 p99 mbs < <(run_fio "$dir" "$1" "$2")
    printf ' | %9s %7s %8s %6s' "$iops" "$p50" "$p99" "$mbs"
  done
  echo
}

start_engine() {
  local dir=$1 cache=$2
  mkfifo "$WORK/ctl-$cache"
  node -r "$ROOT/test/helpers/ts-register.js" "$ROOT/test/helpers/native-engine-fixture.ts" \
    "{\"dir\":\"$dir\",\"cache\":\"$cache\",\"xattr\":$([ -n "${XATTR:-}" ] && echo true || echo false)}" \
    <"$WORK/ctl-$cache" >"$WORK/engine-$cache.out" &
  ENGINE_PID=$!
  exec 9>"$WORK/ctl-$cache"
  for _ in $(seq 100); do grep -q ready "$WORK/engine-$cache.out" 2>/dev/null && return; sleep 0.1; done
  echo "the engine did not mount" >&2
  exit 1
}

stop_engine() {
  exec 9>&-
  wait "$ENGINE_PID"
  ENGINE_PID=
  tail -n 1 "$WORK/engine-$1.out" | node -e '
    const c = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(`    engine counters: writes ${c.writes}, ${(c.bytesWritten / 1e6).toFixed(0)} MB, largest write ${c.largestWrite} B, ring dropped ${c.ringDropped}`);'
}

gcc -O2 -o "$WORK/cpassthrough" "$PEER_SRC" $(pkg-config --cflags --libs fuse3)

echo "machine: $(nproc) cores, $(uname -r), $(fio --version), node $(node --version), runtime ${RUNTIME}s per cell"
printf '%-30s | %-34s | %-34s | %-34s\n' "" "256 B sync writes, 1 job" "256 B sync writes, 4 jobs" "64 KiB sync writes, 1 job"
printf '%-30s' "target"
for _ in 1 2 3; do printf ' | %9s %7s %8s %6s' IOPS p50us p99us MB/s; done
echo

fresh_tmpfs "$WORK/tmpfs"
bench_target "tmpfs directly" "$WORK/tmpfs"

for cache in writethrough writeback; do
  fresh_tmpfs "$WORK/engine-$cache"
  start_engine "$WORK/engine-$cache" "$cache"
  bench_target "native engine, $cache${XATTR:+, xattr}" "$WORK/engine-$cache"
  stop_engine "$cache"
done

for wb in 0 1; do
  fresh_tmpfs "$WORK/peer-back-$wb"
  mkdir -p "$WORK/peer-mnt-$wb"
  PEER_MNT="$WORK/peer-mnt-$wb"
  "$WORK/cpassthrough" "$WORK/peer-back-$wb" "$wb" "$PEER_MNT" -o allow_other
  bench_target "C peer, $([ "$wb" = 1 ] && echo writeback || echo writethrough)" "$PEER_MNT"
  # fio's last close may still be in flight
  for _ in 1 2 3 4 5; do umount "$PEER_MNT" 2>/dev/null && break; sleep 1; done
  grep -q " $PEER_MNT fuse" /proc/mounts && umount -l "$PEER_MNT"
  PEER_MNT=
done
