#!/usr/bin/env bash
# The HTTP service under wrk beside Redis GET on the same machine (docs/service.md, issue 5 item 9).
#
#   bench/service/run.sh [duration_s]
#
# Builds a release service_testbed in build/release-service (if missing), serves a repository
# from the recorded-GitHub fixtures server through it, warms the cache with one read, then runs
#   wrk -c 32 -t 2 -d <duration> --latency   on a cached GET /api/v3/repos/... (keep-alive)
#   wrk -c 32 -t 2 -d <duration> --latency   on GET /api/mcp/cache/stats
#   redis-benchmark -t get -P 1 -c 32        on a throwaway redis-server
# and prints p50 and requests/s of each, and p50 / Redis GET p50 (target <= 1.5).
# Needs wrk, redis-server, redis-benchmark (apt-get install wrk redis-server), node and
# tests/github-fixtures/node_modules (npm ci there). Run on a quiet machine (load < 1).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-10}
build=${IPFSA_RELEASE_BUILD:-$root/build/release-service}
testbed=$build/src/service/service_testbed

for tool in wrk redis-server redis-benchmark node curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "missing $tool: apt-get install -y wrk redis-server nodejs curl" >&2
    exit 2
  fi
done
if [[ ! -x $testbed ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIPFSA_BENCH=OFF >/dev/null
  cmake --build "$build" --target service_testbed -j2
fi

load=$(cut -d' ' -f1 /proc/loadavg)
if awk "BEGIN{exit !($load >= 1)}"; then
  echo "warning: load average $load >= 1: figures will be noisy" >&2
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # file pattern
  for _ in $(seq 1 200); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1
}

# Recorded GitHub.
fport=$(free_port)
(cd "$root/tests/github-fixtures" && exec node serve.mjs "$fport" './custom/*.json') >"$work/fixtures.log" 2>&1 &
pids+=($!)
wait_for "$work/fixtures.log" 'fixtures server on'
api=$(curl -fsS -XPOST -H 'Content-Type: application/json' "http://127.0.0.1:$fport/fixtures" \
        -d '{"scenario":"get-repository"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')

# The service.
CACHE_DIR=$work/cache GITHUB_API_URL=$api GH_TOKEN=0000000000000000000000000000000000000001 \
  LOG_LEVEL=warning "$testbed" --port 0 >"$work/service.log" 2>&1 &
pids+=($!)
wait_for "$work/service.log" '"url"'
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$work/service.log" | head -1)
accept='Accept: application/vnd.github.v3+json'
repo="$url/api/v3/repos/octokit-fixture-org/hello-world"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "$accept" "$repo")
[[ $status == 200 ]] || { echo "warm-up read failed: $status" >&2; exit 1; }
[[ $(curl -s -D - -o /dev/null -H "$accept" "$repo" | tr -d '\r' | sed -n 's/^X-Cache-Status: //Ip') == hit ]] \
  || { echo "second read is not a hit" >&2; exit 1; }

# wrk's "50%  123.45us" -> milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000}}'; }
run_wrk() {  # name url [header] [connections]
  local out c=${4:-32} t=2
  ((c == 1)) && t=1
  if [[ -n ${3:-} ]]; then
    out=$(wrk -c "$c" -t "$t" -d "${duration}s" --latency -H "$3" "$2")
  else
    out=$(wrk -c "$c" -t "$t" -d "${duration}s" --latency "$2")
  fi
  local p50 rps non2xx
  p50=$(echo "$out" | awk '$1=="50%"{print $2}' | to_ms)
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/{print $NF}')
  [[ -z $non2xx ]] || { echo "$1: $non2xx non-2xx answers" >&2; echo "$out" >&2; exit 1; }
  echo "$1 $p50 $rps"
}
proxy=$(run_wrk proxy_cached_get "$repo" "$accept")
stats=$(run_wrk cache_stats "$url/api/mcp/cache/stats")
# One connection: the time to serve a request without queueing behind 31 others.
proxy1=$(run_wrk proxy_cached_get_c1 "$repo" "$accept" 1)
stats1=$(run_wrk cache_stats_c1 "$url/api/mcp/cache/stats" "" 1)

# Redis GET on the same machine.
rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$rport" set key:__rand_int__ x >/dev/null
requests=$(awk "BEGIN{print int($duration * 50000)}")
rout=$(redis-benchmark -p "$rport" -t get -P 1 -c 32 -n "$requests" -q 2>/dev/null | tr '\r' '\n' | grep -E '^GET' | tail -1)
redis_rps=$(echo "$rout" | sed -n 's/^GET: \([0-9.]*\) requests per second.*/\1/p')
redis_p50=$(echo "$rout" | sed -n 's/.*p50=\([0-9.]*\) msec.*/\1/p')
rout1=$(redis-benchmark -p "$rport" -t get -P 1 -c 1 -n "$((requests / 4))" -q 2>/dev/null | tr '\r' '\n' | grep -E '^GET' | tail -1)
redis1_rps=$(echo "$rout1" | sed -n 's/^GET: \([0-9.]*\) requests per second.*/\1/p')
redis1_p50=$(echo "$rout1" | sed -n 's/.*p50=\([0-9.]*\) msec.*/\1/p')

printf '%-22s %10s %12s %14s %14s\n' route p50_ms req_per_s p50_vs_redis rps_vs_redis
row() {  # line redis_p50 redis_rps
  read -r name p50 rps <<<"$1"
  printf '%-22s %10.3f %12.0f %14.2f %14.2f\n' "$name" "$p50" "$rps" \
    "$(awk "BEGIN{print $p50 / $2}")" "$(awk "BEGIN{print $rps / $3}")"
}
echo "-- 32 keep-alive connections (wrk -c 32 -t 2; redis-benchmark -c 32)"
row "$proxy" "$redis_p50" "$redis_rps"
row "$stats" "$redis_p50" "$redis_rps"
printf '%-22s %10.3f %12.0f %14s %14s\n' redis_get "$redis_p50" "$redis_rps" 1.00 1.00
echo "-- 1 connection (wrk -c 1 -t 1; redis-benchmark -c 1)"
row "$proxy1" "$redis1_p50" "$redis1_rps"
row "$stats1" "$redis1_p50" "$redis1_rps"
printf '%-22s %10.3f %12.0f %14s %14s\n' redis_get_c1 "$redis1_p50" "$redis1_rps" 1.00 1.00
echo "target: p50 <= 1.5 x Redis GET p50 (load average at start: $load)"
echo "note: at 32 connections wrk's p50 is close to the Little's-law mean (connections / rate),"
echo "      while redis-benchmark's is not; compare requests/s there, p50 at 1 connection"
