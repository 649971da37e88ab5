#!/usr/bin/env bash
# Installs what sockgate needs on Debian 12 (as root) and builds it all:
# the native gateway and tools in build/, the wasm client and examples in
# build-wasm/, and the playground's web root in build/web/.
# Usage: scripts/setup.sh [--native-only | --image] [--packages-only] [BUILD_DIR] [extra cmake args...]
#   --native-only   the native programs and their tests, no wasm or page
#   --image         what the container image needs (docker/Dockerfile): no
#                   browser, fonts or test servers; of the native programs only
#                   the gateway; the wasm client, examples and page as usual
#   --packages-only install the Debian packages and stop (the image's build
#                   stage installs them in a layer of their own)
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Lets ccache reuse results across clones in different folders.
export CCACHE_BASEDIR=$PWD

native_only=0
image=0
packages_only=0
while (($#)); do
  case $1 in
    --native-only) native_only=1 ;;
    --image) image=1 ;;
    --packages-only) packages_only=1 ;;
    *) break ;;
  esac
  shift
done
build_dir=${1:-build}
shift || true

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libasio-dev libwebsocketpp-dev nlohmann-json3-dev libgtest-dev zlib1g-dev python3 libssl-dev openssl
)
if ((!native_only)); then
  packages+=(emscripten node-acorn)
  if ((!image)); then
    packages+=(chromium fonts-noto-cjk fonts-noto-color-emoji)
    # nginx and openssl: the reverse-proxy test (tests/proxy/) runs the compose deployment's nginx.conf.
    packages+=(nginx openssl)
    # websockify: a baseline of the browser bench (bench/browser/).
    packages+=(websockify)
  fi
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

source scripts/lib/packages.sh
install_missing setup "${packages[@]}"
((packages_only)) && exit 0

if ((image)); then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF "$@" >/dev/null
  cmake --build "$build_dir" --target sockgate
else
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build_dir"
fi
if ((!native_only)); then
  scripts/build-web.sh "$build_dir/web"
fi
