#!/usr/bin/env bash
# Builds sockgate-soak if needed and runs it: 2 minutes by default, or the
# number of minutes given (scripts/soak.sh 30 is the long run). Further
# arguments go to the soak (e.g. --seed N to replay a run). See docs/SOAK.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR=$PWD

minutes=${1:-2}
shift || true
build_dir=${SOCKGATE_BUILD_DIR:-build}

if [ ! -f "$build_dir/build.ninja" ]; then
  scripts/setup.sh --native-only "$build_dir"
fi
cmake --build "$build_dir" --target sockgate-soak sockgate

# Sessions, sockets and their peers need about 11000 descriptors on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
stamp=$(date -u +%Y%m%dT%H%M%SZ)
exec "$build_dir/tests/soak/sockgate-soak" --minutes "$minutes" \
  --json "test-artifacts/soak/soak-${minutes}min-${stamp}.json" "$@"
