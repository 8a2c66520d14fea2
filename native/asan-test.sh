#!/bin/sh
# Builds the AddressSanitizer variant of the addons (binding.gyp's Debug configuration, beside
# the Release build) and runs the native engine's tests with it: the engine fixtures load
# native/build/Debug/*.node into a node whose malloc is libasan's (LD_PRELOAD), and abort on the
# first error. Extra arguments go to jest.
#
#   native/asan-test.sh                          memory errors (use after free, overflows, ...)
#   ASAN_OPTIONS=detect_leaks=1:... native/asan-test.sh   leaks as well (see native/lsan.supp)
set -eu
cd "$(dirname "$0")/.."
[ -f native/build/Makefile ] || npx node-gyp configure --directory native --nodedir=/usr
npx node-gyp build --directory native --debug --nodedir=/usr
LOGSHADOW_ASAN_PRELOAD="$(gcc -print-file-name=libasan.so)" \
  npx jest --runInBand test/integration/native-engine.test.ts "$@"
