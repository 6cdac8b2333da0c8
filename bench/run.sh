#!/usr/bin/env bash
# mfsmon vs mfscli vs the floor, on a throw-away real cluster; then the decoder
# micro-benchmarks. Reports only: it gates nothing. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
echo "== end to end (median of ${MFSMON_BENCH_RUNS:-30} interleaved runs each)"
/usr/bin/python3 bench/run_cluster_bench.py
echo
echo "== decoders and rule (Google Benchmark)"
./build/bench/decode_bench --benchmark_min_time=0.2
