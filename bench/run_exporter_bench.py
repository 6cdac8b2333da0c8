#!/usr/bin/env python3
"""mfsmon-exporter under load, on a throw-away real cluster (4 chunkservers, 24 goal-2 and 24
goal-3 files; MooseFS 3.0.117 from Debian's packages, or 4.x built from
$MFSMON_MOOSEFS4_SOURCE with --moosefs 4: one line and exit 0 when that is not set).

The exporter runs inside the cluster's namespace (`--listen 127.0.0.1:PORT`; the chunkservers
bind the cluster's own address, so 9423 is free there), and so does wrk, against
`/probe?target=MASTER:9421`. Every probe collects at scrape time (no cache): concurrent probes
of one target share one collection (single-flight), and the connections to the master and
chunkservers are kept between scrapes. The exporter's counters are read from its /metrics over
one kept connection (a small client in the namespace); its CPU time, VmRSS and descriptors from
/proc/PID, never over HTTP. In this order:

  GUI       the work the MooseFS 4.59 GUI does per /metrics scrape (mfsscripts/views/
            metrics.py, default scope): one mfscli call with -SIM -SLI -SIG -SIC -SIL -SCS
            -SMB -SHD -SMC -a 1 -b all -SCC -c 1 -d all (-j on 4.x; 3.0.117 has neither -j nor
            'all': -n -p, the same tables as text, every chart named), timed --gui-runs times
            under bench/spawn_rusage.c (median wall, the child's CPU and max RSS from rusage).
            A lower bound of a GUI scrape (the CGI's own Python, which turns the JSON into
            metrics, is left out); the issue's figure, measured on 4.59.2 (443 ms wall, 0.42 s
            CPU, 45 MiB per scrape), is printed beside it as the reference. First, so that its
            TIME_WAIT sockets (3.0.117's mfscli opens one connection per chart) are gone when
            the soak ends;
  warm-up   wrk -t2 -c50 until --warmup probes were answered, half of them with
            Accept-Encoding: gzip; then VmRSS and descriptors, the soak's baseline;
  loads     wrk -t1 -c1 and -t2 -c50, plain and with Accept-Encoding: gzip (what Prometheus
            sends), --duration seconds each: requests/s, p50/p99/max of the latency (wrk's
            Lua done(): exact percentiles of its histogram), the exporter's CPU per answered
            probe (utime+stime of /proc/PID/stat, all its threads), the master's too, and
            probes per collection (mfsmon_exporter_collections_total): the single-flight
            sharing. The exporter's -c1 p50 and CPU per probe are printed as ratios to the
            mfscli call and to the issue's figure;
  soak      wrk -t2 -c50 gzip until --scrapes probes were answered in all (wrk gets SIGINT
            once the exporter's count reaches it); then VmRSS and descriptors against the
            warm-up's, connections opened anew over the soak, and the TIME_WAIT sockets in the
            namespace before and after it: towards the master and chunkservers (kept
            connections: 0 expected) and on the HTTP side (wrk closing its own at each run's
            end).

Everything shares the machine: wrk, the exporter, the master and the chunkservers compete for
the same cores, so the c50 latencies include wrk's own CPU. Targets (reported, never enforced:
exit 0 unless something broke): p99 <= 5 ms at 50 concurrent probes (-t2 -c50, plain); VmRSS
flat within +-5 % between the warm-up and the end of the soak.

Environment: MFSMON_BUILD (default build/), MFSMON_MOOSEFS4_SOURCE (see
tests/harness/mfscluster.py).
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

from mfscluster import Cluster, ClusterError, moosefs4_skip_reason  # noqa: E402

P99_TARGET_MS = 5.0
RSS_TARGET_PCT = 5.0
# The figure for the 4.59 GUI's /metrics, measured on 4.59.2 by its author.
GUI_QUOTED = {"wall": 443.0, "cpu": 420.0, "rss": 45.0}  # ms, ms, MiB
GUI_TABLES = ["-SIM", "-SLI", "-SIG", "-SIC", "-SIL", "-SCS", "-SMB", "-SHD",
              "-SMC", "-a", "1", "-b", "all", "-SCC", "-c", "1", "-d", "all"]
CLK_TCK = os.sysconf("SC_CLK_TCK")

# wrk's Lua: one parseable line at the end, exact percentiles of wrk's latency histogram.
# (A count limit cannot live here: wrk.thread:stop() ends a thread's loop, but wrk's main
# thread still sleeps out -d; wrk_until() interrupts it instead, as Ctrl-C does.)
WRK_LUA = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d "
    .. "p99_us=%d p999_us=%d max_us=%d mean_us=%.1f connect=%d read=%d write=%d status=%d "
    .. "timeout=%d\n", summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean, e.connect, e.read, e.write,
    e.status, e.timeout))
end
"""

METRIC_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def parse_metrics(text):
    """{(name, frozenset of (label, value))): value} of a Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        m = METRIC_RE.match(line)
        if not m:
            continue
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric(parsed, name, **labels):
    """Sum of the series of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in parsed.items() if n == name and want <= ls)


# A client inside the namespace that keeps one HTTP connection to the exporter (one curl per
# read would leave a TIME_WAIT socket and a process start each): a path per line on stdin,
# "<status> <length>" and the body on stdout.
HTTP_HELPER = r"""
import http.client, sys
port = int(sys.argv[1])
conn = None
for line in sys.stdin:
    for attempt in (1, 2):
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", line.strip())
            r = conn.getresponse()
            body = r.read()
            status = r.status
            break
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            conn = None  # the exporter closed an idle one (keep_alive_timeout_ms): again
            status, body = 0, str(e).encode()
    sys.stdout.buffer.write(b"%d %d\n" % (status, len(body)) + body)
    sys.stdout.buffer.flush()
"""


class Exporter:
    """mfsmon-exporter inside the cluster's namespace; its /proc figures, its /metrics."""

    def __init__(self, cluster, binary, port, log_path):
        self.cluster = cluster
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.http = None
        # `ip netns exec` execs the command itself: the Popen's PID is the exporter's.
        self.proc = cluster.popen([binary, "--listen", "127.0.0.1:%d" % port],
                                  stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("mfsmon-exporter exited (rc %d):\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            if os.path.realpath("/proc/%d/exe" % self.pid) == os.path.realpath(binary):
                r = cluster.run(["curl", "-sf", "-o", "/dev/null",
                                 "http://127.0.0.1:%d/metrics" % port], timeout=10)
                if r.returncode == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("mfsmon-exporter did not answer within 20 s:\n%s"
                                   % self.log_tail())
            time.sleep(0.1)
        self.http = cluster.popen(["/usr/bin/python3", "-c", HTTP_HELPER, str(port)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def get(self, path):
        self.http.stdin.write(path.encode() + b"\n")
        self.http.stdin.flush()
        head = self.http.stdout.readline().split()
        if len(head) != 2:
            raise RuntimeError("the HTTP helper in the namespace is gone")
        status, length = int(head[0]), int(head[1])
        body = self.http.stdout.read(length).decode(errors="replace")
        if status != 200:
            raise RuntimeError("GET %s: %s" % (path, body if status == 0 else status))
        return body

    def log_tail(self, lines=20):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def metrics(self):
        return parse_metrics(self.get("/metrics"))

    def alive(self):
        return self.proc.poll() is None

    def cpu_seconds(self):
        return proc_cpu_seconds(self.pid)

    def status(self, field):
        """A kB figure of /proc/PID/status (VmRSS, VmHWM, ...), in MiB."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        raise KeyError(field)

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.pid))

    def threads(self):
        return len(os.listdir("/proc/%d/task" % self.pid))

    def stop(self):
        if self.http is not None:
            self.http.stdin.close()
            self.http.wait(timeout=10)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def proc_cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def master_pid(cluster):
    r = subprocess.run(["ip", "netns", "pids", cluster.namespace], capture_output=True,
                       text=True, timeout=30)
    for pid in (int(p) for p in r.stdout.split() if p.isdigit()):
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == "mfsmaster":
                    return pid
        except OSError:
            pass
    raise RuntimeError("no mfsmaster in the namespace")


def wrk_argv(script, url, threads, connections, seconds, extra=()):
    return ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--timeout",
            "10s", "-s", script] + list(extra) + [url]


def wrk_result(rc, stdout, stderr):
    line = next((ln for ln in stdout.splitlines() if ln.startswith("WRK ")), None)
    if rc != 0 or line is None:
        raise RuntimeError("wrk failed (rc %s):\n%s%s" % (rc, stdout, stderr))
    out = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    out["errors"] = sum(out[k] for k in ("connect", "read", "write", "status", "timeout"))
    return out


def wrk(cluster, script, url, threads, connections, seconds, extra=()):
    r = cluster.run(wrk_argv(script, url, threads, connections, seconds, extra),
                    timeout=seconds + 60)
    return wrk_result(r.returncode, r.stdout, r.stderr)


def answered_probes(exporter):
    return metric(exporter.metrics(), "mfsmon_exporter_http_requests_total", handler="probe")


def wrk_until(cluster, exporter, script, url, total, extra=(), limit_s=1800):
    """wrk -t2 -c50 until the exporter has answered `total` probes since it started (read from
    its /metrics every 0.25 s; wrk then gets SIGINT, finishes its threads within ~0.1 s and
    prints its summary, so a few hundred more than `total` are answered)."""
    proc = cluster.popen(wrk_argv(script, url, 2, 50, limit_s, extra), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        while proc.poll() is None and answered_probes(exporter) < total:
            time.sleep(0.25)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return wrk_result(proc.returncode, stdout, stderr)


def load(cluster, exporter, mpid, script, url, threads, connections, seconds, extra=()):
    """One wrk run, with the exporter's and master's CPU and the exporter's counters around
    it."""
    before = exporter.metrics()
    cpu0, mcpu0 = exporter.cpu_seconds(), proc_cpu_seconds(mpid)
    w = wrk(cluster, script, url, threads, connections, seconds, extra)
    cpu1, mcpu1 = exporter.cpu_seconds(), proc_cpu_seconds(mpid)
    after = exporter.metrics()

    def delta(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    answered = delta("mfsmon_exporter_http_requests_total", handler="probe")
    w.update(cpu=cpu1 - cpu0, master_cpu=mcpu1 - mcpu0, answered=answered,
             ok=delta("mfsmon_exporter_http_requests_total", handler="probe", code="200"),
             collections=delta("mfsmon_exporter_collections_total"),
             failed=delta("mfsmon_exporter_collections_total", result="failure"),
             shared=delta("mfsmon_exporter_shared_probes_total"),
             reuses=delta("mfsmon_exporter_connection_reuses_total"),
             misses=delta("mfsmon_exporter_connection_misses_total"))
    return w


def time_wait(cluster, exporter_port):
    """TIME_WAIT sockets in the namespace: (towards the master/chunkservers, HTTP side)."""
    r = cluster.run(["ss", "-Htan", "state", "time-wait"], timeout=30)
    cluster_side = http_side = 0
    for line in r.stdout.splitlines():
        cols = line.split()
        if len(cols) < 4:
            continue
        local, peer = cols[-2], cols[-1]
        if local.endswith(":%d" % exporter_port) or peer.endswith(":%d" % exporter_port):
            http_side += 1
        else:
            cluster_side += 1
    return cluster_side, http_side


def mfscli_3_charts(mfscli):
    """3.0.117's mfscli has no 'all' chart name: the names 4.59's 'all' stands for (every
    chart numbered below 100), read from its mcchartslist and ccchartslist."""
    with open(mfscli) as f:
        src = f.read()
    names = {}
    for table in ("mcchartslist", "ccchartslist"):
        body = src[src.index(table + " = ["):]
        body = body[:body.index("]")]
        found = re.findall(r"\('(\w+)',\s*(\d+),", body)
        names[table] = list(dict.fromkeys(n for n, no in found if int(no) < 100))
    return names["mcchartslist"], names["ccchartslist"]


def gui_argv(cluster):
    """The GUI's mfscli call for this cluster, and how to print it."""
    tools = cluster.tools()
    tables = GUI_TABLES
    shown = " ".join(GUI_TABLES)
    if cluster.version == "4":
        argv = ["/usr/bin/python3", tools["mfscli"], "-j"]
        shown = "-j " + shown
    else:
        argv = [tools["mfscli"], "-n", "-p"]
        master, cs = mfscli_3_charts(tools["mfscli"])
        servers = ["%s:%d" % (cluster.address, cluster.chunkserver_port(i))
                   for i in range(cluster.chunkserver_count)]
        tables = [a for a in GUI_TABLES]
        tables[tables.index("-b") + 1] = ",".join(master)
        tables[tables.index("-d") + 1] = ",".join("%s:%s" % (s, n) for s in servers for n in cs)
        shown = "-n -p " + shown.replace(
            "-b all", "-b <its %d master charts>" % len(master)).replace(
            "-d all", "-d <its %d chunkserver charts x %d servers>" % (len(cs), len(servers)))
    return argv + tables + ["-H", cluster.address, "-P", str(cluster.port)], shown


def gui_equivalent(cluster, launcher, runs):
    """The GUI's mfscli call: one checked capture, then `runs` timed runs (+2 warm-up)."""
    argv, shown = gui_argv(cluster)
    r = cluster.run(argv, timeout=60)
    out = r.stdout
    if (r.returncode != 0 or "Working master servers not found" in out
            or "Unknown" in out[:200] or len(out) < 1000):
        raise RuntimeError("mfscli failed (rc %d): %s" % (r.returncode, (r.stderr + out)[-500:]))
    samples = []
    codes = set()
    for i in range(2 + runs):
        timed = cluster.run([launcher] + argv, timeout=120)
        wall_ns, cpu_us, rss_kb, code = (int(x) for x in timed.stdout.split())
        codes.add(code)
        if i >= 2:
            samples.append((wall_ns / 1e6, cpu_us / 1e3, rss_kb / 1024))
    return {"argv": shown, "bytes": len(out), "runs": runs, "codes": sorted(codes),
            "wall": statistics.median(x[0] for x in samples),
            "cpu": statistics.median(x[1] for x in samples),
            "rss": statistics.median(x[2] for x in samples)}


def row(name, w):
    n = max(w["requests"], 1)
    rps = w["requests"] / (w["duration_us"] / 1e6)
    per_coll = w["answered"] / max(w["collections"], 1)
    return (f"{name:<14} {int(w['requests']):>8} {rps:>8.0f} {w['p50_us'] / 1000:>7.3f} "
            f"{w['p99_us'] / 1000:>7.3f} {w['max_us'] / 1000:>7.2f} "
            f"{w['cpu'] / n * 1e6:>8.1f} {w['master_cpu'] / n * 1e6:>8.1f} "
            f"{int(w['collections']):>7} {per_coll:>6.2f} {int(w['errors']):>6}")


def bench(version, args, build):
    exporter_bin = os.path.join(build, "mfsmon-exporter")
    launcher = os.path.join(build, "spawn_rusage")
    for binary in (exporter_bin, launcher, "/usr/bin/wrk", "/usr/bin/curl"):
        if not os.access(binary, os.X_OK):
            raise RuntimeError(f"{binary} is missing (build mfsmon-exporter and spawn_rusage; "
                               f"apt-get install wrk curl)")
    work = tempfile.mkdtemp(prefix="mfsmon-exporter-bench-", dir="/tmp")
    script = os.path.join(work, "wrk.lua")
    with open(script, "w") as f:
        f.write(WRK_LUA)
    exporter = None
    loads = {}
    with Cluster(version=version) as cluster:
        try:
            cluster.start(chunkservers=4, metalogger=False)
            cluster.write_files(24, goal=2, subdir="g2")
            cluster.write_files(24, goal=3, subdir="g3")
            target = "%s:%d" % (cluster.address, cluster.port)
            url = "http://127.0.0.1:%d/probe?target=%s" % (args.port, target)
            print("== mfsmon-exporter on MooseFS %s (%s), master %s, 4 chunkservers, 48 files; "
                  "exporter and wrk in the namespace, %d cores shared" % (
                      cluster.moosefs_version, cluster.tools()["source"], target,
                      os.cpu_count()), flush=True)
            # First, so that its TIME_WAIT sockets are gone (60 s) when the soak ends.
            gui = gui_equivalent(cluster, launcher, args.gui_runs)

            exporter = Exporter(cluster, exporter_bin, args.port,
                                os.path.join(work, "exporter.log"))
            mpid = master_pid(cluster)
            body = exporter.get("/probe?target=" + target)
            probe = parse_metrics(body)
            print("one probe: mfsmon_up %g, %d bytes, %d series, mfsmon_scrape_duration_seconds "
                  "%.3f ms (cold: connections opened)" % (
                      metric(probe, "mfsmon_up"), len(body), len(probe),
                      metric(probe, "mfsmon_scrape_duration_seconds") * 1000), flush=True)
            if metric(probe, "mfsmon_up") != 1:
                raise RuntimeError("the probe says mfsmon_up 0:\n" + body[:2000])

            # warm-up, plain and gzip (every code path the soak's RSS will see), then the
            # baseline of the soak
            gzip = ["-H", "Accept-Encoding: gzip"]  # what Prometheus sends
            wrk_until(cluster, exporter, script, url, args.warmup // 2)
            wrk_until(cluster, exporter, script, url, args.warmup, gzip)
            rss0, fds0, thr0 = exporter.status("VmRSS"), exporter.fds(), exporter.threads()
            answered0 = answered_probes(exporter)

            for name, threads, conns, extra in (("-t1 -c1", 1, 1, []),
                                                ("-t2 -c50", 2, 50, []),
                                                ("-t1 -c1 gzip", 1, 1, gzip),
                                                ("-t2 -c50 gzip", 2, 50, gzip)):
                loads[name] = load(cluster, exporter, mpid, script, url, threads, conns,
                                   args.duration, extra)

            # the soak: up to --scrapes answered probes in all
            tw_before = time_wait(cluster, args.port)
            soak_before = exporter.metrics()
            t0 = time.monotonic()
            soak = wrk_until(cluster, exporter, script, url, args.scrapes, gzip)
            soak_s = time.monotonic() - t0
            rss1, fds1, thr1 = exporter.status("VmRSS"), exporter.fds(), exporter.threads()
            hwm = exporter.status("VmHWM")
            tw_after = time_wait(cluster, args.port)
            final = exporter.metrics()
            if not exporter.alive():
                raise RuntimeError("mfsmon-exporter died:\n" + exporter.log_tail())
        finally:
            if exporter:
                exporter.stop()
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n{'load':<14} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7} {'cpu us/r':>8} {'mst us/r':>8} {'collect':>7} {'r/coll':>6} "
          f"{'errors':>6}")
    for name, w in loads.items():
        print(row(name, w))
    print("(wrk in the namespace, %d s each, keep-alive; cpu us/r: the exporter's utime+stime "
          "per answered probe, all threads; mst: the master's; collect: collections done; "
          "r/coll: probes per collection, the single-flight sharing; errors: wrk's connect, "
          "read, write, timeout and non-2xx; gzip: Accept-Encoding: gzip, as Prometheus asks)"
          % args.duration)
    for name, w in loads.items():
        if w["failed"] or w["answered"] != w["ok"]:
            print(f"{name}: {int(w['failed'])} failed collections, "
                  f"{int(w['answered'] - w['ok'])} probes answered with a code other than 200")
    print(f"kept connections over these loads: "
          f"{int(sum(w['reuses'] for w in loads.values()))} borrowed from the pool, "
          f"{int(sum(w['misses'] for w in loads.values()))} opened anew")

    print(f"\nGUI-equivalent (the GUI's metrics view, default scope): mfscli {gui['argv']}")
    print(f"({gui['bytes']} bytes of output; median of {gui['runs']} runs under spawn_rusage, "
          f"exit codes {gui['codes']}; the GUI's own Python on top of it is not counted)")
    print(f"{'per scrape':<28} {'wall ms':>9} {'cpu ms':>8} {'RSS MiB':>8}")
    rows = {}
    for name in ("-t1 -c1", "-t1 -c1 gzip"):
        w = loads[name]
        rows[name] = {"wall": w["p50_us"] / 1000, "cpu": w["cpu"] / max(w["requests"], 1) * 1000,
                      "rss": rss1}
        label = "mfsmon-exporter, p50" + (" gzip" if "gzip" in name else "")
        print(f"{label:<28} {rows[name]['wall']:>9.3f} {rows[name]['cpu']:>8.3f} "
              f"{rss1:>8.2f}  (-c1; RSS: the whole long-lived process)")
    print(f"{'mfscli, GUI tables':<28} {gui['wall']:>9.2f} {gui['cpu']:>8.2f} {gui['rss']:>8.2f}"
          f"  (a fresh process per scrape: max RSS)")
    print(f"{'GUI 4.59.2, the issue':<28} {GUI_QUOTED['wall']:>9.2f} {GUI_QUOTED['cpu']:>8.2f} "
          f"{GUI_QUOTED['rss']:>8.2f}  (quoted, measured on 4.59.2: the reference)")
    for name, exp in rows.items():
        for label, ref in (("mfscli here", gui), ("the issue's GUI", GUI_QUOTED)):
            w, c = exp["wall"] / ref["wall"], exp["cpu"] / max(ref["cpu"], 1e-6)
            tag = "exporter%s / %s" % (" gzip" if "gzip" in name else "", label)
            print(f"{tag:<32} wall {w:7.4f}x (1/{1 / w:<5.0f})  cpu {c:7.4f}x "
                  f"(1/{1 / max(c, 1e-9):.0f})")

    total = metric(final, "mfsmon_exporter_http_requests_total", handler="probe")
    drss = (rss1 - rss0) / rss0 * 100

    def soak_delta(name):
        return metric(final, name) - metric(soak_before, name)

    in_soak = total - metric(soak_before, "mfsmon_exporter_http_requests_total", handler="probe")
    print(f"\nsoak: {int(total)} probes answered in all ({int(answered0)} at the warm-up's end), "
          f"the last {int(in_soak)} in {soak_s:.1f} s of wrk -t2 -c50 gzip (p50 "
          f"{soak['p50_us'] / 1000:.3f} ms, p99 {soak['p99_us'] / 1000:.3f} ms, "
          f"{int(soak['errors'])} errors); over the soak "
          f"{int(soak_delta('mfsmon_exporter_collections_total'))} collections, "
          f"{int(soak_delta('mfsmon_exporter_connection_misses_total'))} connections opened "
          f"anew, {int(soak_delta('mfsmon_exporter_connection_drops_total'))} dropped")
    print(f"VmRSS {rss0:.2f} -> {rss1:.2f} MiB ({drss:+.2f} %), VmHWM {hwm:.2f} MiB; "
          f"descriptors {fds0} -> {fds1}; threads {thr0} -> {thr1}")
    print(f"TIME_WAIT in the namespace before -> after the soak: {tw_before[0]} -> "
          f"{tw_after[0]} towards the master and chunkservers, {tw_before[1]} -> {tw_after[1]} "
          f"on the HTTP side (wrk closes its connections to :{args.port} at each run's end)")
    print(f"collections in all: {int(metric(final, 'mfsmon_exporter_collections_total'))} "
          f"({int(metric(final, 'mfsmon_exporter_collections_total', result='failure'))} "
          f"failed), connections opened anew in all: "
          f"{int(metric(final, 'mfsmon_exporter_connection_misses_total'))}")

    p99 = loads["-t2 -c50"]["p99_us"] / 1000
    print(f"\ntargets: p99 at 50 concurrent {p99:.3f} ms <= {P99_TARGET_MS:g} ms: "
          f"{benchlib.verdict(p99, P99_TARGET_MS)}; VmRSS {drss:+.2f} % within "
          f"+-{RSS_TARGET_PCT:g} %: {benchlib.verdict(abs(drss), RSS_TARGET_PCT)}", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moosefs", choices=("3", "4"), default="3",
                    help="3: 3.0.117 (Debian's packages); 4: built from $MFSMON_MOOSEFS4_SOURCE")
    ap.add_argument("--duration", type=int, default=20, help="seconds per wrk load (default 20)")
    ap.add_argument("--warmup", type=int, default=1000,
                    help="probes before the RSS baseline (default 1000)")
    ap.add_argument("--scrapes", type=int, default=100000,
                    help="probes in all at the soak's end (default 100000)")
    ap.add_argument("--gui-runs", type=int, default=20,
                    help="timed runs of the mfscli call (default 20)")
    ap.add_argument("--port", type=int, default=9423, help="the exporter's port on 127.0.0.1 "
                    "in the namespace (default 9423; the chunkservers bind the cluster's address)")
    args = ap.parse_args()
    build = os.path.abspath(os.environ.get("MFSMON_BUILD", os.path.join(ROOT, "build")))
    if args.moosefs == "4":
        reason = moosefs4_skip_reason()
        if reason:
            print("== mfsmon-exporter on MooseFS 4.x: skipped (%s)" % reason)
            return 0
    Cluster.cleanup_leftovers(verbose=False)
    try:
        return bench(args.moosefs, args, build)
    except (ClusterError, RuntimeError, subprocess.TimeoutExpired) as e:
        print("mfsmon-exporter bench: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
