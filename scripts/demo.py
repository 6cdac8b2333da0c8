#!/usr/bin/env python3
"""The main job: a throw-away real MooseFS cluster (master, metalogger, 3 chunkservers) in its
own network namespace, goal-3 files, and `mfsmon check replicas` at every step:
healthy -> one chunkserver stopped -> two -> three -> all restarted. Then it tears it down."""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

from mfscluster import Cluster, wait_for  # noqa: E402

MFSMON = os.environ.get("MFSMON_BINARY", os.path.join(ROOT, "build", "mfsmon"))
STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


def main():
    Cluster.cleanup_leftovers(verbose=False)
    with Cluster() as cluster:
        cmd = [MFSMON, "check", "replicas", "-H", cluster.address, "-P", str(cluster.port)]

        def show(step, expect, needle=""):
            # The master needs a moment to notice a stopped chunkserver: wait (bounded) for
            # the expected state, then show what mfsmon says.
            def reached():
                r = cluster.run(cmd)
                return r if r.returncode == expect and needle in r.stdout else None
            try:
                r = wait_for(reached, 60, interval=0.3, what=step)
            except TimeoutError:
                r = cluster.run(cmd)
            print(f"\n=== {step}")
            print(f"$ ip netns exec {cluster.namespace} mfsmon {' '.join(cmd[1:])}")
            print(r.stdout, end="")
            print(f"(exit {r.returncode}: {STATES.get(r.returncode, '?')})")
            if r.returncode != expect:
                raise SystemExit(f"demo: expected {STATES[expect]} at '{step}'")

        print(f"starting a MooseFS cluster in namespace {cluster.namespace} ...")
        t = time.monotonic()
        cluster.start(chunkservers=3, metalogger=True)
        cluster.write_files(30, goal=3, subdir="demo")
        print(f"cluster up, 30 goal-3 files written ({time.monotonic() - t:.1f} s)")

        show("1. healthy", 0, "No errors")
        cluster.stop_chunkserver(0)
        show("2. one chunkserver stopped: 2 of 3 copies left", 1, "lack replicas")
        cluster.stop_chunkserver(1)
        show("3. two chunkservers stopped: 1 copy left (endangered)", 2, "endangered")
        cluster.stop_chunkserver(2)
        show("4. all three chunkservers stopped: no copy left (missing)", 2, "lost")
        for i in range(3):
            cluster.start_chunkserver(i, wait=False)
        cluster.wait_chunkservers()
        show("5. all chunkservers restarted", 0, "No errors")
        print("\ntearing the cluster down ...")
    print("done")


if __name__ == "__main__":
    main()
