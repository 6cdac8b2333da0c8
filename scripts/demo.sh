#!/usr/bin/env bash
# The main job: install what is needed, build, start a throw-away real MooseFS cluster and
# show `mfsmon check replicas` on it, step by step. Run as root (network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "run as root: the demo cluster needs a network namespace" >&2; exit 2; }
bash scripts/install-deps.sh
bash scripts/build.sh build
exec /usr/bin/python3 scripts/demo.py
