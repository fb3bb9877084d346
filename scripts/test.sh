#!/usr/bin/env bash
# One command: install dependencies (Debian packages, `npm ci` of the pinned test tools), build
# under AddressSanitizer + UBSan, run the unit tests, the interop tests against js-libp2p, and a
# short fuzz smoke of every fuzz target. Set FUZZ_SECONDS to change the per-target fuzz time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

step "dependencies"
bash scripts/deps.sh --test
for dir in tests/interop tests/github-fixtures tests/service tests/mcp tests/dashboard; do
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done

step "layer rules (docs/architecture.md)"
python3 scripts/check_layers_test.py
python3 scripts/check_layers.py

step "build (asan preset)"
cmake --preset asan >/dev/null
cmake --build --preset asan

step "unit tests"
ctest --preset asan -j2 --timeout 300

step "process tests: js-libp2p 3.3.11 interop, CLI and gh, the swarm, the service (Octokit, curl, gh), MCP SDK, dashboard in Chromium"
source scripts/raise-fd-limit.sh
IPFSA_BUILD="$PWD/build/asan" node --test --test-concurrency=1 \
  tests/interop/ tests/cli/ tests/swarm/ tests/service/ tests/mcp/ tests/dashboard/

step "release build (what the README's serve command builds and runs)"
cmake --preset release >/dev/null
cmake --build --preset release --target ipfs-accelerate
./build/release/src/cli/ipfs-accelerate --version

step "fuzz smoke"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
for f in build/fuzz/fuzz/*_fuzz; do
  name=$(basename "$f" _fuzz)
  corpus="fuzz/corpus/$name"
  work=$(mktemp -d)
  [[ -d "$corpus" ]] && cp -r "$corpus"/. "$work"/
  echo "-- $name"
  "$f" -max_total_time="${FUZZ_SECONDS:-15}" -print_final_stats=0 "$work" 2>&1 | tail -n 2
  rm -rf "$work"
done

step "all tests passed"
