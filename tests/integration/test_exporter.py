#!/usr/bin/env python3
"""mfsmon-exporter on a real MooseFS cluster, scraped by a real Prometheus.

    test_exporter.py [--moosefs 3|4] [unittest options, e.g. -v]

--moosefs 3 (default): MooseFS 3.0.117 from Debian's packages; --moosefs 4: 4.x built from
$MFSMON_MOOSEFS4_SOURCE (exit 77 when unset, ctest's SKIP_RETURN_CODE).

One throw-away cluster (4 chunkservers, goal-2 and goal-4 files) and, inside its network
namespace, the exporter (with --master for /metrics) and a Prometheus server (Debian's
`prometheus`) configured from contrib/prometheus/prometheus.yml -- its multi-target
relabelling, its recording and alerting rules -- with the intervals shortened to seconds:
  1. `promtool check metrics` finds nothing to say about /probe and /metrics;
  2. every chunk-matrix cell and class of /probe equals mfscli -SIC's (all and regular
     matrices; 4.x also the copies/EC split) read at the same moment, and so do the
     chunkservers' connected flags;
  3. connections are kept between scrapes: after 12 s idle (the master drops a silent admin
     connection after 10 s, a chunkserver after 5 s) the next probe borrows them
     (mfsmon_exporter_connection_misses_total does not grow);
  4. a chunkserver is killed: a query through Prometheus's HTTP API returns mfscli's
     endangered + undergoal count, the recording rule mfsmon:chunks_deficient:sum the same
     deficit, mfsmon_chunkserver_connected 0 for that server, and the alert
     MooseFSChunkserverDisconnected is pending or firing.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

from mfscluster import Cluster, wait_for  # noqa: E402
import live_test_main  # noqa: E402
from parse_mfscli import parse_sic, parse_sic_json  # noqa: E402

EXPORTER = os.environ.get("MFSMON_EXPORTER_BINARY") or os.path.join(ROOT, "build",
                                                                    "mfsmon-exporter")
PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
MOOSEFS = "3"  # set from --moosefs in main
CHUNKSERVERS = 4
FILES = 12  # per goal
EXPORTER_PORT = 9423  # inside the cluster's own namespace: free
PROMETHEUS_PORT = 9090
COMPARE_ATTEMPTS = 20
CLASS_KEYS = {  # mfscli 3.x class names -> mfsmon's state label
    "missing": "missing", "endangered": "endangered", "undergoal": "undergoal",
    "stable": "stable", "overgoal": "overgoal", "pending deletion": "pending_deletion",
    "to be removed": "to_be_removed",
}
JSON_CLASS_KEYS = {  # mfscli -j (4.x) summary names -> mfsmon's state label
    "missing": "missing", "endangered": "endangered", "undergoal": "undergoal",
    "stable": "stable", "overgoal": "overgoal", "pending_deletion": "pending_deletion",
    "ready_to_remove": "to_be_removed",
}
# (family, storage label or None, matrix label) -> mfscli -j key
JSON_MATRICES = {
    ("mfsmon_chunks", None, "all"): "allchunks",
    ("mfsmon_chunks", None, "regular"): "regularchunks",
    ("mfsmon_chunks_by_storage", "copies", "all"): "allchunks_copies",
    ("mfsmon_chunks_by_storage", "copies", "regular"): "regularchunks_copies",
    ("mfsmon_chunks_by_storage", "ec8", "all"): "allchunks_ec8",
    ("mfsmon_chunks_by_storage", "ec8", "regular"): "regularchunks_ec8",
    ("mfsmon_chunks_by_storage", "ec4", "all"): "allchunks_ec4",
    ("mfsmon_chunks_by_storage", "ec4", "regular"): "regularchunks_ec4",
}


# ---- the text format ---------------------------------------------------------------------------

def parse_exposition(text):
    """[(name, {label: value}, value)] of every sample; comment lines skipped. Label values
    are unescaped (\\\\, \\", \\n)."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        labels = {}
        if "{" in line:
            name, rest = line.split("{", 1)
            i = 0
            while rest[i] != "}":
                eq = rest.index("=", i)
                key = rest[i:eq]
                j = eq + 2  # after ="
                value = []
                while rest[j] != '"':
                    if rest[j] == "\\":
                        j += 1
                        value.append({"n": "\n"}.get(rest[j], rest[j]))
                    else:
                        value.append(rest[j])
                    j += 1
                labels[key] = "".join(value)
                i = j + 1
                if rest[i] == ",":
                    i += 1
            value = rest[i + 1:].split()[0]
        else:
            name, value = line.split()[:2]
        out.append((name, labels, float(value)))
    return out


def samples(parsed, name, **match):
    return [(l, v) for n, l, v in parsed if n == name and all(l.get(k) == m for k, m in
                                                              match.items())]


class ExporterOnRealCluster(unittest.TestCase):
    cluster = None
    exporter = None
    prometheus = None
    workdir = None

    @classmethod
    def setUpClass(cls):
        Cluster.cleanup_leftovers(verbose=False)
        cls.workdir = tempfile.mkdtemp(prefix="mfsmon-exporter-test-")
        cls.cluster = Cluster(version=MOOSEFS)
        c = cls.cluster
        c.start(chunkservers=CHUNKSERVERS, metalogger=True)
        c.write_files(FILES, goal=2, subdir="g2")
        # Goal 4 on 4 servers: once one dies these stay undergoal (no fifth server to copy
        # to), so the deficit holds still long enough to be compared through Prometheus.
        c.write_files(FILES, goal=4, subdir="g4")
        cls.master = f"{c.address}:{c.port}"
        cls.exporter_log = open(os.path.join(cls.workdir, "exporter.log"), "w")
        cls.exporter = subprocess.Popen(
            ["ip", "netns", "exec", c.namespace, EXPORTER, "--listen",
             f"127.0.0.1:{EXPORTER_PORT}", "--master", cls.master, "--timeout", "5"],
            stdout=cls.exporter_log, stderr=subprocess.STDOUT)
        wait_for(lambda: cls.http_status("/") == 200, 20, what="the exporter to listen")
        cls.start_prometheus()

    @classmethod
    def start_prometheus(cls):
        """contrib/prometheus as shipped, with seconds for intervals and this cluster as
        the one target (the file_sd list left empty)."""
        conf = os.path.join(cls.workdir, "prometheus")
        shutil.copytree(os.path.join(ROOT, "contrib", "prometheus"), conf)
        with open(os.path.join(conf, "targets", "masters.yml"), "w") as f:
            f.write("[]\n")
        path = os.path.join(conf, "prometheus.yml")
        with open(path) as f:
            text = f.read()
        for old, new in (("scrape_interval: 30s", "scrape_interval: 2s"),
                         ("scrape_timeout: 10s", "scrape_timeout: 2s"),
                         ("evaluation_interval: 30s", "evaluation_interval: 1s"),
                         ("mfsmaster.example.org:9421", cls.master)):
            if old not in text:
                raise AssertionError(f"contrib/prometheus/prometheus.yml has no {old!r}")
            text = text.replace(old, new)
        with open(path, "w") as f:
            f.write(text)
        cls.prometheus_log = open(os.path.join(cls.workdir, "prometheus.log"), "w")
        cls.prometheus = subprocess.Popen(
            ["ip", "netns", "exec", cls.cluster.namespace, PROMETHEUS,
             f"--config.file={path}", f"--storage.tsdb.path={os.path.join(cls.workdir, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{PROMETHEUS_PORT}"],
            stdout=cls.prometheus_log, stderr=subprocess.STDOUT)
        wait_for(lambda: cls.prom_query("mfsmon_up") != [], 60,
                 what="Prometheus to scrape the exporter")

    @classmethod
    def tearDownClass(cls):
        for p in (cls.prometheus, cls.exporter):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if cls.exporter is not None:
            # The exporter stops cleanly on SIGTERM (exit 0), never by a crash.
            assert cls.exporter.returncode == 0, f"exporter exit {cls.exporter.returncode}"
        if cls.cluster is not None:
            cls.cluster.stop()
        for log in (getattr(cls, "exporter_log", None), getattr(cls, "prometheus_log", None)):
            if log is not None:
                log.close()
        if cls.workdir:
            if os.environ.get("MFSMON_KEEP_DATA"):
                print(f"logs kept in {cls.workdir}", file=sys.stderr)
            else:
                shutil.rmtree(cls.workdir, ignore_errors=True)

    # ---- HTTP inside the namespace -------------------------------------------------------------

    @classmethod
    def http(cls, port, path, timeout=15):
        r = cls.cluster.run(["curl", "-s", "-S", "--max-time", str(timeout), "-o", "-", "-w",
                             "\n%{http_code}", f"http://127.0.0.1:{port}{path}"],
                            timeout=timeout + 10)
        body, _, code = r.stdout.rpartition("\n")
        return int(code or 0), body

    @classmethod
    def http_status(cls, path):
        try:
            return cls.http(EXPORTER_PORT, path, timeout=2)[0]
        except Exception:  # noqa: BLE001 -- not up yet
            return 0

    def get(self, path):
        code, body = self.http(EXPORTER_PORT, path)
        self.assertEqual(code, 200, body[-500:])
        return body

    def probe(self):
        return self.get("/probe?target=" + urllib.parse.quote(self.master))

    @classmethod
    def prom_query(cls, query):
        code, body = cls.http(PROMETHEUS_PORT,
                              "/api/v1/query?query=" + urllib.parse.quote(query))
        if code != 200:
            return []
        doc = json.loads(body)
        return doc["data"]["result"] if doc.get("status") == "success" else []

    def mfscli_classes(self):
        """{(family, storage, matrix): (cells, classes)} as mfscli reads them now."""
        c = self.cluster
        out = {}
        if MOOSEFS == "3":
            for view, args in (("all", "-SIC"), ("regular", "-SIC -m 1")):
                cli = parse_sic(c.mfscli(args))
                out[("mfsmon_chunks", None, view)] = (
                    cli["cells"], {CLASS_KEYS[k]: v for k, v in cli["classes"].items()})
            return out
        cli = parse_sic_json(c.mfscli_json("-SIC"))
        for key, name in JSON_MATRICES.items():
            m = cli["matrices"][name]
            out[key] = (m["cells"], {JSON_CLASS_KEYS[k]: v for k, v in m["classes"].items()})
        return out

    @staticmethod
    def exported_classes(parsed, family, storage, matrix):
        """(cells, classes) of one matrix from the exposition; classes summed over rows."""
        match = {"matrix": matrix}
        if storage:
            match["storage"] = storage
        classes = dict.fromkeys(CLASS_KEYS.values(), 0)
        for labels, v in samples(parsed, family, **match):
            classes[labels["state"]] += int(v)
        cells = {}
        if family == "mfsmon_chunks":
            for labels, v in samples(parsed, "mfsmon_chunk_matrix_cells", matrix=matrix):
                cells[(int(labels["goal"]), int(labels["copies"]))] = int(v)
        return cells, classes

    # ---- the tests ------------------------------------------------------------------------------

    def test_1_promtool_finds_nothing(self):
        for path in ("/probe?target=" + urllib.parse.quote(self.master), "/metrics"):
            text = self.get(path)
            r = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                               text=True, timeout=60)
            self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""), f"{path}:\n{text[:3000]}")
        parsed = parse_exposition(self.get("/metrics"))
        self.assertEqual(samples(parsed, "mfsmon_up", master=self.master)[0][1], 1.0)

    def test_2_counts_equal_mfscli(self):
        for attempt in range(COMPARE_ATTEMPTS):
            before = self.mfscli_classes()
            parsed = parse_exposition(self.probe())
            after = self.mfscli_classes()
            if before != after:
                time.sleep(1)
                continue
            self.assertEqual(samples(parsed, "mfsmon_up")[0][1], 1.0)
            for (family, storage, matrix), (cells, classes) in before.items():
                got_cells, got_classes = self.exported_classes(parsed, family, storage, matrix)
                self.assertEqual(got_classes, classes, f"{family} {storage} {matrix} classes")
                if family == "mfsmon_chunks":
                    self.assertEqual(got_cells, cells, f"{matrix} matrix cells")
            connected = samples(parsed, "mfsmon_chunkserver_connected")
            self.assertEqual(len(connected), CHUNKSERVERS)
            self.assertTrue(all(v == 1.0 for _, v in connected), connected)
            return
        self.fail(f"mfscli's counts did not hold still over {COMPARE_ATTEMPTS} attempts")

    def test_3_connections_kept_between_scrapes(self):
        def misses():
            parsed = parse_exposition(self.get("/metrics"))
            return samples(parsed, "mfsmon_exporter_connection_misses_total")[0][1]

        self.probe()
        before = misses()
        time.sleep(12)  # past the master's 10 s and the chunkservers' 5 s idle timeouts
        self.probe()
        self.assertEqual(misses(), before, "the probe after 12 s idle had to open connections")
        parsed = parse_exposition(self.get("/metrics"))
        self.assertGreater(samples(parsed, "mfsmon_exporter_connection_reuses_total")[0][1], 0)

    def test_4_prometheus_sees_the_undergoal_after_a_chunkserver_dies(self):
        c = self.cluster
        c.stop_chunkserver(0, signal=signal.SIGKILL, wait=True)
        server = f"{c.address}:{c.chunkserver_port(0)}"
        # job "mfsmon" is the probe of contrib's config; job "mfsmon-exporter" has the same
        # master's series again (the exporter runs with --master), labelled master=.
        deficit_query = ('sum(mfsmon_chunks{job="mfsmon",matrix="all",'
                         'state=~"endangered|undergoal"})')
        last = None
        for attempt in range(60):
            classes = self.mfscli_classes()[("mfsmon_chunks", None, "all")][1]
            want = classes["endangered"] + classes["undergoal"]
            t_read = time.time()
            time.sleep(3)  # a scrape (every 2 s) that began after the read
            got = self.prom_query(deficit_query)
            again = self.mfscli_classes()[("mfsmon_chunks", None, "all")][1]
            if again != classes or not got:
                continue
            value, stamp = float(got[0]["value"][1]), float(got[0]["value"][0])
            last = (want, value)
            if want > 0 and value == want and stamp > t_read:
                break
        else:
            self.fail(f"Prometheus never showed mfscli's endangered + undergoal: {last}")
        connected = self.prom_query(
            f'mfsmon_chunkserver_connected{{job="mfsmon",server="{server}"}}')
        self.assertEqual(float(connected[0]["value"][1]), 0.0, connected)
        self.assertEqual(connected[0]["metric"]["instance"], self.master)  # the relabelling
        recorded = wait_for(lambda: self.prom_query('mfsmon:chunks_deficient:sum{job="mfsmon"}'),
                            30, what="the recording rule")
        self.assertEqual(float(recorded[0]["value"][1]), want)
        alerts = wait_for(
            lambda: self.prom_query('ALERTS{alertname="MooseFSChunkserverDisconnected"}'), 30,
            what="the MooseFSChunkserverDisconnected alert")
        self.assertEqual(alerts[0]["metric"]["server"], server)


def main(argv):
    def set_moosefs(version):
        global MOOSEFS
        MOOSEFS = version
    return live_test_main.run(argv, set_moosefs)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
