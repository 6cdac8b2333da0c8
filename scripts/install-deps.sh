#!/usr/bin/env bash
# Installs everything mfsmon needs to build, test and demo on Debian 12, from Debian's
# packages only. Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libcli11-dev libfmt-dev nlohmann-json3-dev
  # the history store (LMDB; lmdb-utils for mdb_stat), and SQLite for the store benchmark
  liblmdb-dev lmdb-utils libsqlite3-dev zlib1g-dev
  # the test of `mfsmon watch` reads its screen from a real terminal
  tmux
  # the Prometheus exporter (mfsmon-exporter), and for its tests and benchmark: promtool and a
  # real Prometheus server, curl, wrk
  prometheus-cpp-dev libcivetweb-dev prometheus curl wrk
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang-14 libclang-rt-14-dev
  python3 iproute2 procps time
  moosefs-master moosefs-chunkserver moosefs-metalogger moosefs-cli moosefs-client
  libmfsio1 libmfsio-dev
  # to build MooseFS 4.x from source for the live 4.x tests (tests/harness/moosefs4_build.py)
  libfuse3-dev fuse3 zlib1g-dev libpcap-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
