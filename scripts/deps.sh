#!/usr/bin/env bash
# Installs what building and testing need on Debian 12 (as root). Idempotent and quick when
# everything is present. Only Debian packages; Boost is pinned to 1.81 (never libboost-dev: 1.74).
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config git python3
  libboost1.81-dev libssl-dev libsodium-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libcurl4-openssl-dev libsqlite3-dev libxxhash-dev
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(redis-server redis-tools wrk)  # the Redis GET anchor of bench/cache and bench/service
fi
if [[ "${1:-}" == "--test" ]]; then
  # chromium + emoji font: the dashboard test; iproute2 + util-linux: mDNS in network namespaces
  packages+=(clang-14 libclang-rt-14-dev gh chromium fonts-noto-color-emoji iproute2 util-linux)
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
