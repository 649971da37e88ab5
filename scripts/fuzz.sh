#!/usr/bin/env bash
# Fuzzes every decoder that sees untrusted bytes: builds the libFuzzer targets
# of tests/fuzz with clang, AddressSanitizer and UndefinedBehaviorSanitizer in
# build-fuzz/, then runs each for SECONDS (two at a time) from its seed corpus
# in tests/fuzz/corpus/, the inputs that once crashed it (tests/fuzz/regressions/)
# and what earlier runs found (build-fuzz/corpus/).
# Crashes, leaks and timeouts are saved in test-artifacts/fuzz/ with each
# target's log; the script exits non-zero if any target found one.
# Usage: scripts/fuzz.sh [SECONDS-per-target (default 60)] [TARGET...]
#   scripts/fuzz.sh 600    the 10-minute run per target
# Reproduce a saved input: build-fuzz/tests/fuzz/TARGET test-artifacts/fuzz/TARGET-crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR=$PWD

seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "fuzz: SECONDS must be a positive whole number, not '$seconds'" >&2
  exit 2
fi
all_targets=(frame_decoder_fuzz control_message_fuzz policy_rule_fuzz config_file_fuzz static_path_fuzz client_core_fuzz)
targets=("${@:-${all_targets[@]}}")
jobs=${FUZZ_JOBS:-2}

packages=(clang libclang-rt-14-dev cmake ninja-build ccache nlohmann-json3-dev)
source scripts/lib/packages.sh
install_missing fuzz "${packages[@]}"

build=build-fuzz
start=$SECONDS
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DSOCKGATE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"
echo "fuzz: built in $((SECONDS - start)) s; running ${#targets[@]} targets for ${seconds} s each, $jobs at a time"

artifacts=test-artifacts/fuzz
mkdir -p "$artifacts"

max_len() {
  case $1 in
    frame_decoder_fuzz) echo 66000 ;;  # room for an oversized DATAGRAM
    control_message_fuzz | config_file_fuzz) echo 4096 ;;
    policy_rule_fuzz) echo 256 ;;
    static_path_fuzz) echo 512 ;;
    client_core_fuzz) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

run_one() {
  local t=$1
  local seeds=tests/fuzz/corpus/$t work=$build/corpus/$t dirs
  mkdir -p "$work" "$seeds"
  rm -f "$artifacts/$t"-*
  dirs=("$work" "$seeds")
  # Inputs that once crashed a target (each also a unit test in tests/unit/fuzz_regressions_test.cpp).
  [ -d "tests/fuzz/regressions/$t" ] && dirs+=("tests/fuzz/regressions/$t")
  local args=(-max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048
    -artifact_prefix="$artifacts/$t-" -print_final_stats=1)
  [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
  # New inputs go to the first directory, so the seeds in the tree stay as they are.
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
    "$build/tests/fuzz/$t" "${args[@]}" "${dirs[@]}" >"$artifacts/$t.log" 2>&1
}

failed=()
pids=()
names=()
wait_one() {
  local pid=${pids[0]} t=${names[0]}
  pids=("${pids[@]:1}")
  names=("${names[@]:1}")
  if wait "$pid"; then
    echo "fuzz: $t ok ($(grep -E '^stat::number_of_executed_units' "$artifacts/$t.log" | awk '{print $2}') runs," \
      "$(grep -oE 'cov: [0-9]+' "$artifacts/$t.log" | tail -1))"
  else
    echo "fuzz: $t FOUND A PROBLEM; log $artifacts/$t.log, input $(ls "$artifacts/$t"-* 2>/dev/null | tr '\n' ' ')"
    grep -E "ERROR: |FUZZ_CHECK|SUMMARY|runtime error|terminate called|what\(\)" "$artifacts/$t.log" | head -8 | sed 's/^/    /'
    failed+=("$t")
  fi
}
for t in "${targets[@]}"; do
  ((${#pids[@]} < jobs)) || wait_one
  run_one "$t" &
  pids+=($!)
  names+=("$t")
done
while ((${#pids[@]})); do wait_one; done

echo "fuzz: done in $((SECONDS - start)) s"
if ((${#failed[@]})); then
  echo "fuzz: ${failed[*]} failed; reproduce with $build/tests/fuzz/TARGET FILE" >&2
  exit 1
fi
