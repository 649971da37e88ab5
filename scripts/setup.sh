#!/usr/bin/env bash
# Installs what sockgate needs on Debian 12 (as root) and builds it all:
# the native gateway and tools in build/, the wasm client and examples in
# build-wasm/, and the playground's web root in build/web/.
# Usage: scripts/setup.sh [--native-only] [BUILD_DIR] [extra cmake args...]
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Lets ccache reuse results across clones in different folders.
export CCACHE_BASEDIR=$PWD

native_only=0
if [ "${1:-}" = "--native-only" ]; then
  native_only=1
  shift
fi
build_dir=${1:-build}
shift || true

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libasio-dev libwebsocketpp-dev nlohmann-json3-dev libgtest-dev zlib1g-dev python3
)
if ((!native_only)); then
  packages+=(emscripten node-acorn chromium fonts-noto-cjk fonts-noto-color-emoji)
  # nginx and openssl: the reverse-proxy test (tests/proxy/) runs the compose deployment's nginx.conf.
  packages+=(nginx openssl)
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

source scripts/lib/packages.sh
install_missing setup "${packages[@]}"

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir"
if ((!native_only)); then
  scripts/build-web.sh "$build_dir/web"
fi
