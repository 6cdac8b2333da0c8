#!/usr/bin/env python3
"""Starts a throw-away real cluster (3 chunkservers, goal-3 files), then runs bench/measure.py
once inside its namespace, so every timed command is spawned from one process there."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

from mfscluster import Cluster  # noqa: E402


def main():
    build = os.environ.get("MFSMON_BUILD", os.path.join(ROOT, "build"))
    runs = os.environ.get("MFSMON_BENCH_RUNS", "30")
    Cluster.cleanup_leftovers(verbose=False)
    with Cluster() as cluster:
        cluster.start(chunkservers=3, metalogger=True)
        cluster.write_files(60, goal=3, subdir="bench")
        r = cluster.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "measure.py"),
                         "--host", cluster.address, "--port", str(cluster.port),
                         "--mfsmon", os.path.join(build, "mfsmon"),
                         "--floor", os.path.join(build, "floor_client"),
                         "--launcher", os.path.join(build, "spawn_rusage"),
                         "--runs", runs], capture_output=False, timeout=1800)
        return r.returncode


if __name__ == "__main__":
    sys.exit(main())
