#!/usr/bin/env bash
# Sets everything up and runs every test:
#   0. every C++ file laid out as .clang-format says; every build below
#      treats compiler warnings as errors
#   1. native unit and integration tests (real gateway, real sockets, hostile
#      clients), the 2-minute soak and the quick benchmark
#   2. the wasm client's JavaScript API under Node, against the real gateway
#   3. the example programs, native and wasm side by side
#   4. Python socket programs in the playground's Python (under Node, then in
#      Chromium) against Debian's CPython, and the quick runs of the Python
#      benchmarks (the Python path; the page with Python in Chromium), and
#      the browser bench's quick run (bench/browser/)
#   5. the playground in headless Chromium, over http and then over https;
#      the compose deployment's nginx.conf in Debian's nginx in front of two
#      gateways; and the container image (docker/test.sh)
#   6. the native tests again under AddressSanitizer and UndefinedBehaviorSanitizer
#   7. each libFuzzer target for about a minute
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
# Every build below (native, wasm, sanitizers, fuzz) treats compiler
# warnings as errors; CMakeLists.txt reads this over its cached option.
export SOCKGATE_WERROR=ON
echo "== C++ layout (.clang-format)"
scripts/check-format.sh
scripts/setup.sh build

echo "== native tests"
ctest --test-dir build --output-on-failure -j "$jobs"

export SOCKGATE_GATEWAY_BIN=$PWD/build/gateway/sockgate
export SOCKGATE_WASM_DIR=$PWD/build-wasm/wasm/browser
export SOCKGATE_EXAMPLES_WASM_DIR=$PWD/build-wasm/examples
export SOCKGATE_EXAMPLES_NATIVE_DIR=$PWD/build/examples
export SOCKGATE_WEB_ROOT=$PWD/build/web
export SOCKGATE_ARTIFACTS=$PWD/test-artifacts

echo "== wasm client API (Node)"
node --test tests/wasm/
echo "== examples, native and wasm"
node --test tests/examples/
echo "== Python programs: the playground's Python against CPython"
node --test tests/python/
SOCKGATE_PYODIDE_RUNNER=tests/python/chromium_runner.mjs node --test tests/python/
node bench/python/python_bench.mjs --quick
node bench/python/page_bench.mjs --quick
echo "== the browser bench's quick run: five paths and UDP from a page in Chromium, every byte checked; page weight"
node bench/browser/browser_bench.mjs --quick
echo "== playground in Chromium"
node --test tests/browser/
echo "== playground in Chromium again, served over https and wss by the gateway's own TLS"
SOCKGATE_BROWSER_TLS=1 node --test tests/browser/
echo "== nginx with docker/nginx.conf, over TLS, in front of two gateways"
node --test tests/proxy/
echo "== the container image: docker/Dockerfile built by podman, run from its exported root"
docker/test.sh

scripts/setup.sh --native-only build-asan -DSOCKGATE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "== native tests under AddressSanitizer + UndefinedBehaviorSanitizer"
# Without the browser suites' SOCKGATE_* exports, which the gateway would
# read as options (SOCKGATE_WEB_ROOT is its --web-root): as in the first run.
env -u SOCKGATE_WEB_ROOT ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE bench
echo "== fuzzing every decoder of untrusted bytes (libFuzzer + ASan/UBSan, 60 s per target)"
scripts/fuzz.sh
