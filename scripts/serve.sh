#!/usr/bin/env bash
# One command: install dependencies, build the release binary, run the node with embedded
# defaults (libp2p host on CACHE_LISTEN_PORT, default 9100). Extra arguments go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ipfs-accelerate
exec ./build/release/src/cli/ipfs-accelerate serve "$@"
