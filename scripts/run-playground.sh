#!/usr/bin/env bash
# Sets everything up, then runs the gateway with the playground on
# http://127.0.0.1:8080/ (extra arguments go to the gateway; see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/gateway/sockgate "$@"
