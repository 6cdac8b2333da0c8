#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this script):
#   1. install dependencies (apt-get),
#   2. build and run the unit, fault and integration tests (the integration tests start
#      throw-away real MooseFS clusters in their own network namespaces: 3.0.117 from Debian's
#      packages, and 4.59.2 built once from $MFSMON_MOOSEFS4_SOURCE when it is set, as
#      .ci/run does; without it the 4.x tests are reported as skipped),
#   3. build the unit and fault tests with AddressSanitizer + UndefinedBehaviorSanitizer and
#      run them,
#   4. build the exporter's tests with ThreadSanitizer and run them,
#   5. build the libFuzzer targets (clang 14) and run each for 30 s.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "run as root: the cluster harness needs network namespaces" >&2; exit 2; }

# Each stage prints its wall time, so the CI budget (45 minutes) can be watched.
stage_start=$SECONDS
stage() {
  echo "== [$((SECONDS - stage_start)) s] $*"
}

bash scripts/install-deps.sh

stage "build (release)"
bash scripts/build.sh build
# Unit tests in parallel (pure, no timing); fault and integration tests one at a time, as
# they measure deadlines and drive live clusters.
stage "unit tests"
ctest --test-dir build --output-on-failure -L unit -j "$(nproc)"
stage "fault and integration tests"
ctest --test-dir build --output-on-failure --timeout 1200 -LE "unit|integration"
# The live-cluster tests one at a time, except the two evacuation tests (integration.trend.*),
# which spend their minutes waiting for the master's chunk loop and so run side by side (the
# others are RUN_SERIAL: tests/integration/CMakeLists.txt).
ctest --test-dir build --output-on-failure --timeout 1200 -L integration -j 2

stage "unit and fault tests under ASan+UBSan"
bash scripts/build.sh build-asan -DMFSMON_SANITIZE=ON -DMFSMON_BENCH=OFF
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Each test binary once, with all its tests: ctest starts one process per test case, and the
# sanitizers' start-up (plus the recordings each decoder test binary scans when it starts)
# made that four minutes for the same tests. The binaries are the ones ctest lists for the
# labels, so a new test binary is never left out.
mapfile -t asan_binaries < <(ctest --test-dir build-asan --show-only=json-v1 -L "unit|fault" |
  python3 -c 'import json, sys
seen = []
for t in json.load(sys.stdin)["tests"]:
    if t["command"][0] not in seen:
        seen.append(t["command"][0])
print("\n".join(seen))')
[[ ${#asan_binaries[@]} -ge 8 ]] || { echo "expected the unit and fault test binaries" >&2; exit 1; }
for binary in "${asan_binaries[@]}"; do
  echo "-- $binary"
  "$binary" --gtest_brief=1
done

# What runs threads (the exporter: HTTP workers, single flight, the connection pool and its
# keep-alive thread) again under ThreadSanitizer: its unit tests and its fault tests, which
# drive the TSan-built exporter with 50 concurrent probes, hostile clients and hung masters.
stage "exporter under ThreadSanitizer"
source scripts/ccache-env.sh
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Release -DMFSMON_TSAN=ON -DMFSMON_BENCH=OFF \
  "${mfsmon_launcher[@]}" >/dev/null
ninja -C build-tsan unit_exporter unit_collect exporter_fault_test
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
for binary in build-tsan/tests/unit/exporter/unit_exporter build-tsan/tests/unit/collect/unit_collect \
  build-tsan/tests/fault/exporter_fault_test; do
  echo "-- $binary"
  "$binary" --gtest_brief=1
done

stage "fuzzing (30 s per target)"
bash scripts/fuzz.sh 30
stage "done"
