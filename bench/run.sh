#!/usr/bin/env bash
# The benchmarks. Reports only: it gates nothing. Run as root. In order:
#   1. end to end on throw-away real clusters (3.0.117; 4.x too when MFSMON_MOOSEFS4_SOURCE
#      is set): `check replicas` and `check health` against their static floors (each proven
#      to send the same bytes in the same writes) and against mfscli, and what the history
#      adds to `check replicas` (bench/measure.py);
#   2. `check disks` against 1 and 500 fake chunkservers on loopback, one of them silent:
#      wall time, peak descriptors, max RSS (bench/run_disks_bench.py);
#   3. the history store against SQLite, one fresh process per check run
#      (bench/run_history_store_bench.py; the history's cost inside a check is in 1.);
#   4. mfsmon-exporter under wrk on throw-away real clusters (3.0.117; 4.x when
#      MFSMON_MOOSEFS4_SOURCE is set): /probe at 1 and 50 concurrent, CPU per scrape against
#      the GUI's mfscli call, RSS over 100 000 scrapes (bench/run_exporter_bench.py);
#   5. the decoder and rule micro-benchmarks (Google Benchmark).
# Environment: MFSMON_BUILD (build directory, default build), MFSMON_BENCH_RUNS (timed runs per
# command, default 30), MFSMON_MOOSEFS4_SOURCE (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MFSMON_BUILD:-build}
bash scripts/install-deps.sh
bash scripts/build.sh "$build"
export MFSMON_BUILD
MFSMON_BUILD=$(cd "$build" && pwd)
/usr/bin/python3 bench/run_cluster_bench.py
echo
/usr/bin/python3 bench/run_disks_bench.py
echo
/usr/bin/python3 bench/run_history_store_bench.py
echo
/usr/bin/python3 bench/run_exporter_bench.py
echo
/usr/bin/python3 bench/run_exporter_bench.py --moosefs 4
echo
echo "== decoders and rule (Google Benchmark)"
"$MFSMON_BUILD/bench/decode_bench" --benchmark_min_time=0.2
