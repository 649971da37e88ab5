#!/usr/bin/env bash
# Sets everything up and runs every test: the normal build, then the same
# tests under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
scripts/setup.sh build
echo "== tests (RelWithDebInfo)"
ctest --test-dir build --output-on-failure -j "$jobs"

scripts/setup.sh build-asan -DSOCKGATE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"
