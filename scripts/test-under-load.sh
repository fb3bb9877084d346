#!/usr/bin/env bash
# Proves the suite waits for events, not for the clock: runs the unit and process tests of
# scripts/test.sh (the ASan build once, beforehand) three times in a row with both cores saturated
# by stress-ng, then once pinned to a single core. Stops at the first failing run.
#
#   scripts/test-under-load.sh            # 3 runs under `stress-ng --cpu <nproc>`, 1 under taskset
#   RUNS=5 scripts/test-under-load.sh     # more loaded runs
#   SKIP_PINNED=1 / SKIP_LOADED=1         # only one of the two parts
#
# Writes one log per run to build/under-load/ and prints a summary line per run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
logs=build/under-load
mkdir -p "$logs"

bash scripts/deps.sh --test
if ! command -v stress-ng >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng
fi
for dir in tests/interop tests/github-fixtures tests/service tests/mcp tests/dashboard; do
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done
cmake --preset asan >/dev/null
cmake --build --preset asan

source scripts/raise-fd-limit.sh

# One run of the unit tests then the process tests, prefixed by $1 (e.g. "taskset -c 0").
suite() {
  local prefix=$1
  $prefix ctest --preset asan -j2 --timeout 600 &&
    IPFSA_BUILD="$PWD/build/asan" $prefix node --test --test-concurrency=1 \
      tests/interop/ tests/cli/ tests/swarm/ tests/service/ tests/mcp/ tests/dashboard/
}

# Runs the suite as run $1 with prefix $2; the summary names the run and the outcome.
run() {
  local name=$1 prefix=$2 log="$logs/$1.log" start rc=0
  start=$(date +%s)
  suite "$prefix" >"$log" 2>&1 || rc=$?
  local unit process
  unit=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)
  process=$(grep -E '^# (pass|fail) ' "$log" | tr '\n' ' ' || true)
  printf '%-10s %s  unit: %s  process: %s  (%ss)\n' "$name" "$([[ $rc == 0 ]] && echo PASS || echo FAIL)" \
    "${unit:-none}" "${process:-none}" "$(( $(date +%s) - start ))"
  if [[ $rc != 0 ]]; then
    echo "run $name failed: see $log" >&2
    grep -E 'Failed|not ok|FAILED' "$log" | head -n 20 >&2 || true
    exit 1
  fi
}

if [[ -z "${SKIP_LOADED:-}" ]]; then
  stress-ng --cpu "$(nproc)" --timeout 0 --quiet &
  stress=$!
  trap 'kill "$stress" 2>/dev/null || true' EXIT
  for i in $(seq 1 "$runs"); do run "loaded-$i" ""; done
  kill "$stress"
  wait "$stress" 2>/dev/null || true
  trap - EXIT
fi
if [[ -z "${SKIP_PINNED:-}" ]]; then
  run pinned "taskset -c 0"
fi
echo "all runs passed"
