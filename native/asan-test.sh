#!/bin/sh
# Builds the AddressSanitizer variant of the addons and of the engine process (binding.gyp's
# Debug configuration, beside the Release build) and runs the native engine's tests with it: the
# engine fixtures load native/build/Debug/*.node into a node whose malloc is libasan's
# (LD_PRELOAD), the engine process is the Debug executable, and the daemon-restart test attaches,
# detaches (kill -9) and re-attaches daemons while nginx and rsyslog write. Every process aborts
# on its first error and writes its report under $ASAN_DIR: the run fails if any report is there
# (a daemon that aborted is restarted by the engine and would otherwise go unnoticed). Extra
# arguments go to jest.
#
#   native/asan-test.sh                          memory errors (use after free, overflows, ...)
#   ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 native/asan-test.sh   leaks as well
set -eu
cd "$(dirname "$0")/.."
[ -f native/build/Makefile ] || npx node-gyp configure --directory native --nodedir=/usr
npx node-gyp build --directory native --debug --nodedir=/usr
ASAN_DIR=$(mktemp -d /tmp/logshadow-asan-XXXXXX)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}:log_path=$ASAN_DIR/asan"
status=0
LOGSHADOW_ASAN_PRELOAD="$(gcc -print-file-name=libasan.so)" \
  npx jest --runInBand test/integration/native-engine.test.ts test/integration/daemon-restart.test.ts "$@" || status=$?
if [ -n "$(ls -A "$ASAN_DIR")" ]; then
  echo "asan-test: AddressSanitizer reports in $ASAN_DIR:" >&2
  head -n 40 "$ASAN_DIR"/* >&2
  exit 1
fi
rmdir "$ASAN_DIR"
exit $status
