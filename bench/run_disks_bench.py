#!/usr/bin/env python3
"""`mfsmon check disks` against many chunkservers: fake 3.0.117 clusters on loopback
(bench/fake_cluster_server.cpp, the fault tests' fakes compiled in): one master whose list
holds 1 chunkserver, one with 500 that all answer, one with 500 of which one accepts the
request and never answers (listed last, so the check waits its whole --cs-timeout after the
rest: the worst case). The three masters share the chunkservers, so every run has the same
fake processes around it. For 1 and 500 answering servers, the floor (bench/replay_client.c,
libc only) has the same conversation: INFO + CHUNKS_MATRIX, then CSERV_LIST, then
CLTOCS_HDD_LIST to every listed server at once (at most 64 sockets, as mfsmon); the fake
master closes on any request that differs from the recorded mfscli one, so a floor that
asked differently would fail.

Measured, per configuration:
  * wall time, CPU time, max RSS: medians of interleaved runs under bench/spawn_rusage.c;
  * peak open descriptors: bench/spawn_fdpeak.c counts /proc/PID/fd every ~0.1 ms while the
    check runs, the most of 5 runs (a sample can miss a descriptor that lives shorter than the
    gap, so this is a lower bound; the 500-server round keeps its sockets near the cap for
    the whole round, hundreds of samples). mfsmon caps its chunkserver sockets at 64
    (collect/collector.h), so the expected peak is 3 (stdio) + 1 (master) + min(64, servers);
  * the smallest RLIMIT_NOFILE (of a few tried) under which the 500-server check still gives
    the same answer: with fewer descriptors than its cap, mfsmon waits for a free one instead
    of failing (transport/multi_exchange.cpp), so the check slows down but stays right.

Targets (reported, never enforced): 500 answering <= 1.5x one; 500 with a silent one <= 1.5x
one + --cs-timeout. The fakes serve every server from its own thread, which polls every
20 ms: their idle CPU is printed, it loads the machine during every run alike.

Environment: MFSMON_BUILD (default build/), MFSMON_BENCH_RUNS (default 30).
"""
import os
import resource
import statistics
import subprocess
import sys
import time

import benchlib
from measure import CSERV_LIST, INFO, MATRIX, frame

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CS_TIMEOUT = 0.5  # --cs-timeout: what the silent server costs
SERVERS = 500


class FakeClusters:
    """A fake_cluster_server process; stops when its stdin is closed."""

    def __init__(self, binary, servers):
        self.proc = subprocess.Popen([binary, str(servers)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.masters = {}  # name -> (port, "ip:port,...")
        for _ in range(3):
            name, port, listed = self.proc.stdout.readline().split()
            self.masters[name] = (int(port), listed)

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=60)
        if rc != 0:
            print("fake masters: requests rejected (exit %d), see above" % rc)


def first_line(text, width=150):
    line = text.split("\n", 1)[0].split(" | ", 1)[0]
    return line if len(line) <= width else line[:width - 3] + "..."


def run_capture(argv, nofile=None):
    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    t0 = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, preexec_fn=limit)
    return r.returncode, r.stdout, time.monotonic() - t0


def main():
    build = os.path.abspath(os.environ.get("MFSMON_BUILD", os.path.join(ROOT, "build")))
    runs = int(os.environ.get("MFSMON_BENCH_RUNS", "30"))
    mfsmon = os.path.join(build, "mfsmon")
    replay = os.path.join(build, "replay_client")
    launcher = os.path.join(build, "spawn_rusage")
    fdpeak = os.path.join(build, "spawn_fdpeak")

    print("== check disks at scale: fake 3.0.117 chunkservers on 127.0.0.1, --cs-timeout %g, "
          "median of %d interleaved runs each" % (CS_TIMEOUT, runs), flush=True)
    fakes = FakeClusters(os.path.join(build, "fake_cluster_server"), SERVERS)
    try:
        c0 = fakes.cpu_seconds()
        time.sleep(1.0)
        print("the fakes' %d polling threads, idle: %.0f%% of one core"
              % (SERVERS + 4, (fakes.cpu_seconds() - c0) * 100))

        def check(master):
            return [mfsmon, "check", "disks", "-H", "127.0.0.1", "-P",
                    str(fakes.masters[master][0]), "-t", "10", "--cs-timeout", "%g" % CS_TIMEOUT]

        def floor(master):
            port, listed = fakes.masters[master]
            return [replay, "127.0.0.1", str(port), "w:" + (frame(INFO) + frame(MATRIX)).hex(),
                    "r:1", "w:" + frame(CSERV_LIST).hex(), "r:2", "cs:" + listed]

        commands = {
            "floor, 1": floor("one"),
            "mfsmon, 1": check("one"),
            "floor, 500": floor("all"),
            "mfsmon, 500": check("all"),
            "mfsmon, 500+silent": check("silent"),
        }
        servers = {"floor, 1": 1, "mfsmon, 1": 1}
        answers = {}
        for name, argv in commands.items():
            code, out, _ = run_capture(argv)
            answers[name] = (code, out.split("\n", 1)[0])
            if name.startswith("mfsmon"):
                print("%-19s exit %d: %s" % (name, code, first_line(out)))
        print()

        med = benchlib.interleaved(launcher, commands, runs, 2)
        peaks = {}
        for name, argv in commands.items():
            found = []
            for _ in range(5):
                out = subprocess.run([fdpeak, "/dev/null"] + argv, capture_output=True,
                                     text=True, check=True, timeout=120).stdout.split()
                found.append((int(out[3]), int(out[4])))
            peaks[name] = (max(p for p, _ in found), statistics.median(s for _, s in found))
        print(f"{'command, servers':<19} {'runs':>5} {'wall ms':>9} {'cpu ms':>8} "
              f"{'max RSS MB':>11} {'peak fds':>9} {'expected':>9}  exit codes")
        for name, m in med.items():
            expected = 4 + min(64, servers.get(name, SERVERS))
            print(f"{name:<19} {m['runs']:>5} {m['wall']:>9.2f} {m['cpu']:>8.2f} "
                  f"{m['rss']:>11.2f} {peaks[name][0]:>9} {expected:>9}  {m['codes']}")
        print("(peak fds: the most entries seen in /proc/PID/fd, sampled every ~0.1 ms, max of "
              "5 runs, ~%d samples per mfsmon 500-server run; expected: 3 stdio + 1 master + "
              "min(64, servers))" % peaks["mfsmon, 500"][1])
        print()
        one, many, silent = med["mfsmon, 1"], med["mfsmon, 500"], med["mfsmon, 500+silent"]
        benchlib.ratio_line("500 / 1", many, one, ("wall", 1.5))
        ratio = (silent["wall"] - CS_TIMEOUT * 1000) / one["wall"]
        print(f"{'500+silent / 1':<18} wall {silent['wall'] / one['wall']:5.2f}x; less the "
              f"{CS_TIMEOUT:g} s --cs-timeout {ratio:.2f}x   (target: <= 1.5x one + "
              f"--cs-timeout: {benchlib.verdict(ratio, 1.5)})")
        floor_ratio = med["floor, 500"]["wall"] / med["floor, 1"]["wall"]
        print(f"floor 500 / 1      wall {floor_ratio:5.2f}x   (what 499 more TCP exchanges cost "
              f"a bare client here)")
        benchlib.ratio_line("mfsmon / floor, 1", one, med["floor, 1"])
        benchlib.ratio_line("mfsmon / floor,500", many, med["floor, 500"])
        print(f"max RSS            500 servers {many['rss']:.2f} MB, one {one['rss']:.2f} MB "
              f"({many['rss'] / one['rss']:.2f}x)")

        # The fewest descriptors it needs: same answer, only slower.
        tried = []
        for nofile in (4 + 64, 32, 16, 8, 6, 5, 4):
            code, out, seconds = run_capture(commands["mfsmon, 500"], nofile)
            same = (code, out.split("\n", 1)[0]) == answers["mfsmon, 500"]
            tried.append("%d: %s in %.0f ms" % (nofile, "same answer" if same else
                                                "DIFFERENT (exit %d)" % code, seconds * 1000))
            if not same:
                break
        print("RLIMIT_NOFILE, 500 servers: " + "; ".join(tried))
    finally:
        fakes.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
