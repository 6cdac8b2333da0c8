#!/usr/bin/env bash
# Configures and builds mfsmon into build/ (or $1), extra CMake arguments after it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
source scripts/ccache-env.sh
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${mfsmon_launcher[@]}" "$@" >/dev/null
ninja -C "$dir"
