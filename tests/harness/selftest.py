#!/usr/bin/python3
"""Self-test of the real-cluster harness (needs root and the moosefs packages).

    selftest.py            # transitions test, then the killed-run leftover test
    selftest.py --transitions | --kill-test

Transitions: 3 chunkservers, 30 goal-3 files; stop chunkservers one by one (SIGTERM) and
check -SIC goes stable -> undergoal -> endangered -> missing, restart all and wait for stable
with the matrix progress byte back at 0. Prints how long each step took.

Kill test: runs this script with --hold in a child, SIGKILLs the child once its cluster is up
(so nothing of it gets cleaned), checks that its namespace, daemons and data dir are left,
then checks that Cluster.cleanup_leftovers() removes all of them.
"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mfscluster import Cluster, _list_namespaces, _ns_pids, _pid_alive, wait_for  # noqa: E402
from parse_mfscli import parse_sic  # noqa: E402

FILES = 30


def log(msg, t0=None):
    extra = "" if t0 is None else " (%.2f s)" % (time.monotonic() - t0)
    print("[%7.2f] %s%s" % (time.monotonic() - START, msg, extra), flush=True)


START = time.monotonic()


def sic(c):
    return parse_sic(c.mfscli("-SIC"))


def wait_cells(c, cells, what, timeout=30, settled=False):
    """Wait until the all-matrix cells equal `cells` (and, if settled, the progress byte
    is 0). Returns seconds waited."""
    t = time.monotonic()

    def ok():
        if sic(c)["cells"] != cells:
            return False
        return not settled or c.chunk_matrix()["progress"] == 0
    wait_for(ok, timeout, interval=0.1, what=what)
    return time.monotonic() - t


def transitions():
    Cluster.cleanup_leftovers()
    t = time.monotonic()
    with Cluster() as c:
        c.start(chunkservers=3, metalogger=True)
        log("cluster up: %s ns=%s dir=%s" % (c.address, c.namespace, c.data_dir), t)

        t = time.monotonic()
        c.write_files(FILES, goal=3, subdir="g3")
        log("wrote %d goal-3 files" % FILES, t)
        dt = wait_cells(c, {(3, 3): FILES}, "all stable")
        log("all stable after %.2f s more" % dt)
        print(c.mfscli("-SIC"), end="")

        expect = [((3, 2), "undergoal"), ((3, 1), "endangered"), ((3, 0), "missing")]
        for i, (cell, cls) in enumerate(expect):
            t = time.monotonic()
            c.stop_chunkserver(i, signal.SIGTERM)
            t_stop = time.monotonic() - t
            dt = wait_cells(c, {cell: FILES}, cls)
            r = sic(c)
            assert r["classes"][cls] == FILES, r
            maint = c.chunkservers_status()[c.chunkserver_port(i)]["maint"]
            log("cs%d stopped (SIGTERM, process exit + master saw it: %.2f s), %s visible "
                "%.2f s later: %s; cs%d state %s"
                % (i, t_stop, cls, dt, r["classes"], i, maint))

        t = time.monotonic()
        for i in range(3):
            c.start_chunkserver(i, wait=False)
        c.wait_chunkservers()
        log("all 3 chunkservers re-registered", t)
        dt = wait_cells(c, {(3, 3): FILES}, "stable again, progress 0", settled=True)
        log("stable again with progress byte 0 after %.2f s more (%.2f s since restart)"
            % (dt, time.monotonic() - t))
        print(c.mfscli("-SIC"), end="")
        print(c.mfscli("-SCS"), end="")

        t = time.monotonic()
        c.stop()
        log("cluster stopped and removed", t)


def hold():
    """Child of the kill test: start a cluster, write files, say READY, wait to be killed."""
    c = Cluster()
    c.start(chunkservers=2, metalogger=True)
    c.write_files(5, goal=2, subdir="g2")
    print("READY %s %s" % (c.namespace, c.data_dir), flush=True)
    time.sleep(300)  # bounded: the parent kills us long before


def kill_test():
    t = time.monotonic()
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--hold"],
                             stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()  # the child exits (EOF) if start fails
        if not line.startswith("READY "):
            raise SystemExit("kill test: child did not get ready: %r" % line)
        _, ns, ddir = line.split()
        log("child %d has cluster %s up" % (child.pid, ns), t)
        os.kill(child.pid, signal.SIGKILL)  # no atexit, no cleanup
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    pids = _ns_pids(ns)
    assert ns in _list_namespaces(), "namespace %s should be left over" % ns
    assert pids, "daemons in %s should be left over" % ns
    assert os.path.isdir(ddir), "%s should be left over" % ddir
    log("after SIGKILL: namespace %s, %d processes and %s left over" % (ns, len(pids), ddir))

    t = time.monotonic()
    removed = Cluster.cleanup_leftovers()
    assert ns in removed, removed
    assert ns not in _list_namespaces()
    assert not any(_pid_alive(p) for p in pids), [p for p in pids if _pid_alive(p)]
    assert not os.path.exists(ddir)
    log("cleanup_leftovers() removed them", t)


def main(argv):
    if argv == ["--hold"]:
        hold()
        return 0
    if argv and argv[0] not in ("--transitions", "--kill-test"):
        print(__doc__)
        return 2
    if not argv or argv[0] == "--transitions":
        transitions()
    if not argv or argv[0] == "--kill-test":
        kill_test()
    log("selftest OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
