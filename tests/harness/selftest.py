#!/usr/bin/python3
"""Self-test of the real-cluster harness (needs root; the moosefs packages for 3.0.117,
MFSMON_MOOSEFS4_SOURCE for 4.x).

    selftest.py [--moosefs 3|4] [--transitions | --helpers | --kill-test]

Without a part: all three, in that order. --moosefs 4 without MFSMON_MOOSEFS4_SOURCE prints
how to enable it and exits 77 (skipped).

Transitions: 3 chunkservers, 30 goal-3 files (4.x: class 3CP); stop chunkservers one by one
(SIGTERM) and check the all-copies matrix goes stable -> undergoal -> endangered -> missing
(3.x: mfscli -SIC text, 4.x: mfscli -j -SIC), restart all and wait for stable with the
matrix progress byte back at 0. Prints how long each step took.

Helpers: the disk and maintenance helpers the integration tests use, on 3 chunkservers:
every disk is its own tmpfs of the configured size; set_maintenance on/off; a graceful stop
shows temporary maintenance, a SIGKILL does not; add_invalid_disk shows an invalid disk
(-SHD) and the chunkserver keeps running; fill_disk/clear_disk reach the master's -SCS;
stop/start of the metalogger.

Kill test: runs this script with --hold in a child, SIGKILLs the child once its cluster is up
(so nothing of it gets cleaned), checks that its namespace, daemons, tmpfs disks and data dir
are left, then checks that Cluster.cleanup_leftovers() removes all of them.
"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mfscluster import (Cluster, TEMP_MAINTENANCE_S, _list_namespaces, _ns_pids,  # noqa: E402
                        _pid_alive, moosefs4_skip_reason, mounts_under, wait_for)
from moosefs4_build import BuildError  # noqa: E402
from parse_mfscli import JSON_CLASS_OF, parse_sic, parse_sic_json  # noqa: E402

FILES = 30
SKIP_EXIT = 77
MOOSEFS = "3"
CLASS_OF_JSON = {v: k for k, v in JSON_CLASS_OF.items()}


def log(msg, t0=None):
    extra = "" if t0 is None else " (%.2f s)" % (time.monotonic() - t0)
    print("[%7.2f] %s%s" % (time.monotonic() - START, msg, extra), flush=True)


START = time.monotonic()


def sic(c):
    """The all-copies matrix as mfscli shows it: {"cells": {(row, col): n}, "classes":
    {3.x class name: n}} for both versions."""
    if c.version == "3":
        return parse_sic(c.mfscli("-SIC"))
    m = parse_sic_json(c.mfscli_json("-SIC"))["matrices"]["allchunks"]
    return {"cells": m["cells"],
            "classes": {CLASS_OF_JSON[k]: v for k, v in m["classes"].items()}}


def show_sic(c):
    if c.version == "3":
        print(c.mfscli("-SIC"), end="")
    else:
        r = sic(c)
        print("allchunks cells %s classes %s" % (dict(sorted(r["cells"].items())), r["classes"]))


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
    c = Cluster(version=MOOSEFS)
    log("MooseFS %s binaries ready: %s" % (c.moosefs_version, c.tools()["source"]), t)
    with c:
        t = time.monotonic()
        c.start(chunkservers=3, metalogger=True)
        log("cluster up: %s ns=%s dir=%s" % (c.address, c.namespace, c.data_dir), t)

        t = time.monotonic()
        c.write_files(FILES, goal=3, subdir="g3")
        log("wrote %d goal-3 files" % FILES, t)
        dt = wait_cells(c, {(3, 3): FILES}, "all stable")
        log("all stable after %.2f s more" % dt)
        show_sic(c)

        expect = [((3, 2), "undergoal"), ((3, 1), "endangered"), ((3, 0), "missing")]
        for i, (cell, cls) in enumerate(expect):
            t = time.monotonic()
            c.stop_chunkserver(i, signal.SIGTERM)
            t_stop = time.monotonic() - t
            dt = wait_cells(c, {cell: FILES}, cls)
            r = sic(c)
            assert r["classes"][cls] == FILES, r
            maint = c.chunkservers_status()[c.chunkserver_port(i)]["maintenance"]
            log("cs%d stopped (SIGTERM, process exit + master saw it: %.2f s), %s visible "
                "%.2f s later: %s; cs%d maintenance %s"
                % (i, t_stop, cls, dt, r["classes"], i, maint))

        t = time.monotonic()
        for i in range(3):
            c.start_chunkserver(i, wait=False)
        c.wait_chunkservers()
        log("all 3 chunkservers re-registered", t)
        dt = wait_cells(c, {(3, 3): FILES}, "stable again, progress 0", timeout=60,
                        settled=True)
        log("stable again with progress byte 0 after %.2f s more (%.2f s since restart)"
            % (dt, time.monotonic() - t))
        show_sic(c)

        t = time.monotonic()
        c.stop()
        log("cluster stopped and removed", t)


def helpers():
    Cluster.cleanup_leftovers()
    with Cluster(version=MOOSEFS) as c:
        t = time.monotonic()
        c.start(chunkservers=3, metalogger=True)
        log("cluster up", t)
        mounts = mounts_under(c.data_dir)
        assert sorted(mounts) == sorted(c.chunkserver_hdd(i) for i in range(3)), mounts
        st = c.chunkservers_status()
        for i in range(3):
            u = c.disk_usage(i)
            assert u["size"] == c.disk_bytes, u
            assert st[c.chunkserver_port(i)]["total"] == c.disk_bytes, st
        log("3 tmpfs disks of %d MiB, reported total = their size" % (c.disk_bytes >> 20))
        c.write_files(3, goal=2, subdir="g2")

        t = time.monotonic()
        c.set_maintenance(1, True)
        assert c.chunkservers_status()[c.chunkserver_port(1)]["maintenance"] == "on"
        c.set_maintenance(1, False)
        log("set_maintenance(1, on/off) seen by -SCS", t)

        # graceful stop: temporary maintenance for TEMP_MAINTENANCE_S, then off
        port = c.chunkserver_port(2)
        t = time.monotonic()
        c.stop_chunkserver(2, signal.SIGTERM)
        first = c.chunkservers_status()[port]["maintenance"]
        assert first == "temporary", first
        wait_for(lambda: c.chunkservers_status()[port]["maintenance"] == "off",
                 TEMP_MAINTENANCE_S + 15, what="temporary maintenance to end")
        log("SIGTERM: temporary maintenance seen, over %.1f s after the stop began "
            "(CS_TEMP_MAINTENANCE_MODE_TIMEOUT = %d s)" % (time.monotonic() - t,
                                                          TEMP_MAINTENANCE_S))
        c.start_chunkserver(2)
        c.stop_chunkserver(2, signal.SIGKILL)
        m = c.chunkservers_status()[port]["maintenance"]
        assert m == "off", m
        c.start_chunkserver(2)
        log("SIGKILL: no maintenance")

        t = time.monotonic()
        path = c.add_invalid_disk(0)

        def invalid_listed():
            if c.version == "3":
                return any(l.split("\t")[1].endswith(path + "/") and "invalid" in l
                           for l in c.mfscli("-SHD").splitlines() if l.startswith("disks:"))
            return any(d["path"] == path + "/" and "invalid" in d["status_str"]
                       for d in c.mfscli_json("-SHD")["dataset"]["disks"])
        wait_for(invalid_listed, 30, what="invalid disk in -SHD")
        assert c.chunkserver_running(0)
        c.remove_invalid_disks(0)
        log("add_invalid_disk(0): listed invalid by -SHD, chunkserver still running", t)

        t = time.monotonic()
        r = c.fill_disk(1, 0.92)
        assert r["used"] >= 0.92 * r["size"], r
        assert r["reported"]["used"] == r["reported"]["total"], r  # full incl. the reserve
        log("fill_disk(1, 0.92): fs %.3f full, reported %d/%d" % (
            r["used"] / r["size"], r["reported"]["used"], r["reported"]["total"]), t)
        t = time.monotonic()
        r = c.clear_disk(1)
        assert r["filler"] == 0 and r["reported"]["used"] < r["reported"]["total"], r
        log("clear_disk(1) reported", t)

        t = time.monotonic()
        c.stop_metalogger()
        assert c.metaloggers() == []
        c.start_metalogger()
        assert c.metaloggers() == [c.address], c.metaloggers()
        log("metalogger stopped and started", t)
        data_dir = c.data_dir
        t = time.monotonic()
    log("cluster stopped", t)
    assert not mounts_under(data_dir) and not os.path.exists(data_dir)


def hold():
    """Child of the kill test: start a cluster, write files, say READY, wait to be killed."""
    c = Cluster(version=MOOSEFS)
    c.start(chunkservers=2, metalogger=True)
    c.write_files(5, goal=2, subdir="g2")
    print("READY %s %s" % (c.namespace, c.data_dir), flush=True)
    time.sleep(300)  # bounded: the parent kills us long before


def kill_test():
    t = time.monotonic()
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--moosefs", MOOSEFS,
                              "--hold"], stdout=subprocess.PIPE, text=True)
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
    mounts = mounts_under(ddir)
    assert ns in _list_namespaces(), "namespace %s should be left over" % ns
    assert pids, "daemons in %s should be left over" % ns
    assert os.path.isdir(ddir), "%s should be left over" % ddir
    assert len(mounts) == 2, "2 tmpfs disks should be left over: %s" % mounts
    log("after SIGKILL: namespace %s, %d processes, %d tmpfs disks and %s left over"
        % (ns, len(pids), len(mounts), ddir))

    t = time.monotonic()
    removed = Cluster.cleanup_leftovers()
    assert ns in removed, removed
    assert ns not in _list_namespaces()
    assert not any(_pid_alive(p) for p in pids), [p for p in pids if _pid_alive(p)]
    assert not mounts_under(ddir), mounts_under(ddir)
    assert not os.path.exists(ddir)
    log("cleanup_leftovers() removed them", t)


def main(argv):
    global MOOSEFS
    if argv[:1] == ["--moosefs"] and len(argv) >= 2:
        MOOSEFS, argv = argv[1], argv[2:]
    parts = ("--transitions", "--helpers", "--kill-test")
    if MOOSEFS not in ("3", "4") or (argv and argv[0] not in parts + ("--hold",)):
        print(__doc__)
        return 2
    if MOOSEFS == "4":
        try:
            reason = moosefs4_skip_reason()
        except BuildError as e:  # the variable names a missing file: broken, not skipped
            print("FAIL: %s" % e, file=sys.stderr)
            return 1
        if reason:
            print(reason)
            return SKIP_EXIT
    if argv == ["--hold"]:
        hold()
        return 0
    for part, fn in zip(parts, (transitions, helpers, kill_test)):
        if not argv or argv[0] == part:
            log("== MooseFS %s: %s" % (MOOSEFS, part[2:]))
            fn()
    log("selftest OK (MooseFS %s)" % MOOSEFS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
