#!/usr/bin/env bash
# Builds the browser side and assembles the web root the gateway serves:
#   build/web/             the page (bundled from web/ by esbuild)
#   build/web/wasm/        the client core compiled to wasm, with its JS API
#   build/web/examples/    the example socket programs compiled to wasm (one module,
#                          programs.mjs + .wasm), and their sources;
#                          examples/python/ the Python examples for the page's editor
#   build/web/pyodide/     CPython for the browser (the npm package pinned in package-lock.json)
# Needs the packages scripts/setup.sh installs (emscripten, node, npm).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-build/web}
wasm_build=${WASM_BUILD_DIR:-build-wasm}
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten needs node-acorn from here

if [ ! -f "$wasm_build/build.ninja" ]; then
  emcmake cmake -S . -B "$wasm_build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$wasm_build"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi

mkdir -p "$out/wasm" "$out/examples/src"
node web/build.mjs --out "$out"
cp "$wasm_build"/wasm/browser/sockgate_client.{mjs,wasm} "$out/wasm/"
# Only the shared module: a web root made before it may still hold one
# module per program, which nothing asks for any more.
rm -f "$out"/examples/{tcp,udp}_{server,client}.{mjs,wasm}{,.br,.gz}
cp "$wasm_build"/examples/programs.{mjs,wasm} "$out/examples/"
cp examples/index.json "$out/examples/"
cp examples/*.cpp "$out/examples/src/"
# The Python examples are served as they are: the page loads them into its editor.
mkdir -p "$out/examples/python"
cp examples/python/index.json examples/python/*.py "$out/examples/python/"
# Only what the standard library needs: no extra packages are served.
mkdir -p "$out/pyodide"
cp -p node_modules/pyodide/{pyodide.mjs,pyodide.asm.mjs,pyodide.asm.wasm,python_stdlib.zip,pyodide-lock.json} "$out/pyodide/"
node web/compress.mjs "$out"
echo "web root ready in $out"
