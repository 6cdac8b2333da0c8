#!/usr/bin/env python3
"""Starts a throw-away real cluster (3 chunkservers and a metalogger, 60 goal-3 and 12 goal-1
files) and runs bench/measure.py once inside its network namespace, so that every timed command
is spawned from one process there; then kills a chunkserver and has measure.py prove the
`check health` floor once more with missing chunks (the MASS_RESOLVE_PATHS write). Versions:
MooseFS 3.0.117 (Debian's packages), then 4.x built from $MFSMON_MOOSEFS4_SOURCE when that is
set (skipped with one line when it is not).

Environment: MFSMON_BUILD (the build directory, default build/), MFSMON_BENCH_RUNS (timed runs
per command, default 30), MFSMON_MOOSEFS4_SOURCE (see tests/harness/mfscluster.py)."""
import os
import signal
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

from mfscluster import Cluster, moosefs4_skip_reason  # noqa: E402


def measure(cluster, build, runs, extra):
    chunkservers = ",".join("%s:%d" % (cluster.address, cluster.chunkserver_port(i))
                            for i in range(cluster.chunkserver_count)
                            if cluster.chunkserver_running(i))
    return cluster.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "measure.py"),
                        "--host", cluster.address, "--port", str(cluster.port),
                        "--chunkservers", chunkservers,
                        "--mfsmon", os.path.join(build, "mfsmon"),
                        "--floor", os.path.join(build, "floor_client"),
                        "--replay", os.path.join(build, "replay_client"),
                        "--launcher", os.path.join(build, "spawn_rusage"),
                        "--mfscli", cluster.tools()["mfscli"],
                        "--runs", runs] + extra, capture_output=False, timeout=3600).returncode


def bench(version, build, runs):
    with Cluster(version=version) as cluster:
        cluster.start(chunkservers=3, metalogger=True)
        cluster.write_files(60, goal=3, subdir="bench")
        # Goal 1: what the killed chunkserver held is missing afterwards (the last proof).
        cluster.write_files(12, goal=1, subdir="single")
        print("== end to end on MooseFS %s (%s), master %s:%d; median of %s interleaved runs "
              "each" % (cluster.moosefs_version, cluster.tools()["source"], cluster.address,
                        cluster.port, runs), flush=True)
        rc = measure(cluster, build, runs, [])
        print("\n-- chunkserver 0 killed (SIGKILL: no maintenance), its goal-1 chunks missing",
              flush=True)
        cluster.stop_chunkserver(0, signal=signal.SIGKILL)
        rc = measure(cluster, build, runs, ["--prove-only"]) or rc
        print(flush=True)
        return rc


def main():
    build = os.path.abspath(os.environ.get("MFSMON_BUILD", os.path.join(ROOT, "build")))
    runs = os.environ.get("MFSMON_BENCH_RUNS", "30")
    Cluster.cleanup_leftovers(verbose=False)
    rc = bench("3", build, runs)
    reason = moosefs4_skip_reason()
    if reason:
        print("== MooseFS 4.x: skipped (%s)" % reason)
    else:
        rc = bench("4", build, runs) or rc
    return rc


if __name__ == "__main__":
    sys.exit(main())
