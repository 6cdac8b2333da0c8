#!/usr/bin/env python3
"""The main job: a throw-away real MooseFS cluster (master, metalogger, 3 chunkservers) in its
own network namespace, goal-3 files, and `mfsmon check replicas` at every step:
healthy -> one chunkserver stopped -> two -> three -> all restarted. Then a second cluster
with goal-2 files and a disk marked for removal: the count, rate and ETA every few seconds
until the disk is READY, then `mfsmon status` and one scrape of the Prometheus exporter. Both
are torn down."""
import os
import shutil
import sys
import tempfile
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
    evacuation()
    print("done")


def evacuation():
    """A disk marked for removal, watched until READY: what an admin's shell loop around a
    check looked like, now with the rate and the ETA (from the history in a temporary
    --state-dir). The chunk loop runs at its fastest allowed pace (60 s per pass), so the
    copies take about a minute and READY one clean pass more."""
    state = tempfile.mkdtemp(prefix="mfsmon-demo-state-")
    try:
        with Cluster() as cluster:
            print("\n=== 6. evacuating a disk: a second cluster, 600 goal-2 files")
            cluster.start(chunkservers=3, metalogger=True,
                          master_config={"CHUNKS_LOOP_MIN_TIME": 60})
            cluster.write_files(600, goal=2, subdir="evac")
            base = ["-H", cluster.address, "-P", str(cluster.port), "--state-dir", state]
            replicas = [MFSMON, "check", "replicas", *base]
            print(f"$ ip netns exec {cluster.namespace} mfsmon check replicas "
                  f"{' '.join(base[:4])} --state-dir DIR")
            print(cluster.run(replicas).stdout.splitlines()[0])
            cluster.mark_disk_for_removal(0)
            print("disk of chunkserver 1 marked for removal ('*' in mfshdd.cfg); every 5 s:")
            t0 = time.monotonic()
            ready = False
            while time.monotonic() - t0 < 400:
                r = cluster.run([MFSMON, "check", "disks", *base])
                line = r.stdout.splitlines()[0].split(" | ")[0]
                print(f"  {time.monotonic() - t0:5.0f} s  {line}", flush=True)
                if r.returncode == 0 and time.monotonic() - t0 > 5:
                    ready = True
                    break
                time.sleep(5)
            if not ready:
                raise SystemExit("demo: the marked disk did not become READY")
            print(f"$ ip netns exec {cluster.namespace} mfsmon status {' '.join(base[:4])} "
                  "--state-dir DIR")
            print(cluster.run([MFSMON, "status", *base]).stdout, end="")
            show_exporter(cluster)
            print("\ntearing the cluster down ...")
    finally:
        shutil.rmtree(state, ignore_errors=True)


def show_exporter(cluster):
    """The Prometheus exporter on the same cluster: one /probe, a few of its lines."""
    import subprocess
    exporter = os.path.join(os.path.dirname(MFSMON), "mfsmon-exporter")
    target = f"{cluster.address}:{cluster.port}"
    print(f"\n=== the Prometheus exporter\n$ ip netns exec {cluster.namespace} mfsmon exporter "
          f"--listen 127.0.0.1:9423 --allow-target {cluster.address} &")
    proc = subprocess.Popen(["ip", "netns", "exec", cluster.namespace, exporter, "--listen",
                             "127.0.0.1:9423", "--allow-target", cluster.address],
                            stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:9423/probe?target={target}"
        body = wait_for(lambda: cluster.run(["curl", "-sf", url]).stdout, 20, interval=0.3,
                        what="the exporter")
        print(f"$ curl -s '{url}' | grep -E '^mfsmon_(up|health_status|chunks\\{{matrix=\"all\",goal=\"2\")'")
        for line in body.splitlines():
            if line.startswith(("mfsmon_up", "mfsmon_health_status",
                                'mfsmon_chunks{matrix="all",goal="2"')):
                print(line)
        print(f"({len(body.splitlines())} lines in all: docs/metrics.md)")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
