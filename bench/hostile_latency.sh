#!/usr/bin/env bash
# How much one hostile client slows everyone else down (issue 10: "another
# session's echo keeps working with its latency within 2x of idle").
#
# For each hostile client of the soak (tests/soak/hostile_clients.hpp) on its
# own, runs a short soak with one ordinary session and reads the canary's
# echo latency: quiet (the canary alone) against hostile (the canary and
# that one client). Prints a table of p50 and p99 and their ratios, and
# writes each run's JSON to test-artifacts/hostile-latency/. A measurement,
# not a test: run it on an otherwise idle machine. Figures and how they were
# taken: docs/SOAK.md.
#
#   bench/hostile_latency.sh                 # every hostile client, 60 s each
#   bench/hostile_latency.sh non-reader      # just these
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR=$PWD

build_dir=${SOCKGATE_BUILD_DIR:-build}
seconds=${SOCKGATE_HOSTILE_SECONDS:-60}
clients=("$@")
if [ ${#clients[@]} -eq 0 ]; then
  clients=(non-reader upgrade-burst hoarder static-non-reader malformed abrupt-drop)
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  scripts/setup.sh --native-only "$build_dir"
fi
cmake --build "$build_dir" --target sockgate-soak sockgate >/dev/null
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

out=test-artifacts/hostile-latency
mkdir -p "$out"
for client in "${clients[@]}"; do
  echo "hostile-latency: $client for $seconds s" >&2
  "$build_dir/tests/soak/sockgate-soak" --seconds "$seconds" --sessions 1 --sockets 8 \
    --hostile "$client" --json "$out/$client.json" >"$out/$client.log" 2>&1 ||
    { echo "hostile-latency: the soak with $client failed; see $out/$client.log" >&2; exit 1; }
done

python3 - "$out" "${clients[@]}" <<'EOF'
import json, sys
out, clients = sys.argv[1], sys.argv[2:]
print(f"{'hostile client':<20}{'quiet p50':>11}{'p50':>11}{'x':>7}{'quiet p99':>12}{'p99':>11}{'x':>7}")
for c in clients:
    lat = json.load(open(f"{out}/{c}.json"))["canary_us"]
    q, h = lat["quiet"], lat["hostile"]
    print(f"{c:<20}{q['p50']:>9.0f}us{h['p50']:>9.0f}us{h['p50'] / q['p50']:>7.2f}"
          f"{q['p99']:>10.0f}us{h['p99']:>9.0f}us{h['p99'] / q['p99']:>7.2f}")
EOF
