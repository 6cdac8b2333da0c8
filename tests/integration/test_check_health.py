#!/usr/bin/env python3
"""`mfsmon check chunkservers|disks|space|master|classes|health` on a real MooseFS cluster,
compared with mfscli.

    test_check_health.py [--moosefs 3|4] [unittest options, e.g. -v]

--moosefs 3 (default): MooseFS 3.0.117 from Debian's packages. --moosefs 4: MooseFS 4.x built
from $MFSMON_MOOSEFS4_SOURCE (tests/harness/moosefs4_build.py); when that variable is unset
the run prints one line saying how to enable it and exits 77 (ctest: SKIP_RETURN_CODE).

One throw-away cluster (master, metalogger, 4 chunkservers, goal-2 and goal-3 files; on 4.x
the storage classes 2CP and 3CP) is walked through, in order:
  1. healthy: every check exits 0, and mfsmon's figures equal mfscli's at the same moment:
     per chunkserver ip/port/id/chunks/used/total (-SCS), per disk path/chunks/used/total
     (-SHD), metaloggers ip/version (-SMB), per storage class name/files/dirs (-SSC), cluster
     total/avail space (-SIG). 3.x: mfscli's tab-separated plain text; 4.x: `mfscli -j`.
     Read mfsmon, mfscli, mfsmon; compare only when both mfsmon reads agree, else retry (a
     bounded number of times);
  2. a chunkserver killed (SIGKILL): chunkservers.disconnected (CRITICAL), also in health;
  3. a chunkserver stopped gracefully (SIGTERM): chunkservers.disconnected_in_maintenance
     (WARNING) while the temporary maintenance lasts (TEMP_MAINTENANCE_S);
  4. maintenance switched on: chunkservers.maintenance (WARNING);
  5. a disk marked for removal: disks.marked_for_removal (WARNING); health shows
     replicas.marked_for_removal or the disk;
  6. metalogger stopped: metaloggers.none (CRITICAL) in `check master`;
  7. an invalid disk line: disks.invalid (CRITICAL) naming the path;
  8. a disk filled to 95 %: disks.full / disks.nearly_full as the disk's own reported
     used/total says (the 256 MiB reserve counts as used), and that disk's used/total equal
     mfscli -SHD's.
"""
import json
import os
import signal
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

from parse_mfscli import parse_sic_json  # noqa: E402
from mfscluster import TEMP_MAINTENANCE_S, Cluster, moosefs4_skip_reason, wait_for  # noqa: E402
import live_test_main  # noqa: E402

MFSMON = os.environ.get("MFSMON_BINARY") or os.path.join(HERE, "..", "..", "build", "mfsmon")
MOOSEFS = "3"   # set from --moosefs in main
CHUNKSERVERS = 4
FILES = 10      # per goal
COMPARE_ATTEMPTS = 20
CHECKS = ("chunkservers", "disks", "space", "master", "classes", "health")
USED_WARNING_PCT = 90.0   # mfsmon check disks defaults (--used-warning / --used-critical)
USED_CRITICAL_PCT = 99.0


# ---- mfscli's view, both versions -----------------------------------------------------------

def _rows(text, prefixes):
    for line in text.splitlines():
        f = line.rstrip("\r").split("\t")
        if f[0] in prefixes:
            yield f


def cli_chunkservers(c):
    """{(ip, port): (id, chunks, used, total)} of the connected chunkservers."""
    res = {}
    if MOOSEFS == "4":
        for e in c.mfscli_json("-SCS")["dataset"]["chunkservers"]:
            if e.get("connected"):
                res[(e["ip"], int(e["port"]))] = (int(e["csid"]), int(e["hdd_regular_chunks"]),
                                                  int(e["hdd_regular_used"]),
                                                  int(e["hdd_regular_total"]))
        return res
    # chunk servers: ip port id labels version load maintenance chunks used total ...
    for f in _rows(c.mfscli("-SCS"), ("chunk servers:",)):
        res[(f[1], int(f[2]))] = (int(f[3]), int(f[8]), int(f[9]), int(f[10]))
    return res


def cli_disks(c):
    """{(ip:port, path): (chunks, used, total)}."""
    res = {}
    if MOOSEFS == "4":
        for e in c.mfscli_json("-SHD")["dataset"]["disks"]:
            res[("%s:%d" % (e["ip"], int(e["port"])), e["path"])] = (
                int(e["chunks"]), int(e["used"]), int(e["total"]))
        return res
    # disks: ip:port:path chunks last_error status ... used total
    for f in _rows(c.mfscli("-SHD"), ("disks:",)):
        ip, port, path = f[1].split(":", 2)
        res[("%s:%s" % (ip, port), path)] = (int(f[2]), int(f[-2]), int(f[-1]))
    return res


def cli_metaloggers(c):
    """sorted [(ip, version)]."""
    if MOOSEFS == "4":
        return sorted((m["ip"], m["strver"]) for m in
                      c.mfscli_json("-SMB")["dataset"].get("metaloggers", []))
    return sorted((f[1], f[2]) for f in _rows(c.mfscli("-SMB"), ("metadata backup loggers:",)))


def cli_classes(c):
    """{name: (files, dirs)}."""
    if MOOSEFS == "4":
        return {s["sclassname"]: (int(s["files"]), int(s["dirs"]))
                for s in c.mfscli_json("-SSC")["dataset"]["storage_classes"]}
    # storage classes: id name admin_only mode files dirs ...
    return {f[2]: (int(f[5]), int(f[6])) for f in _rows(c.mfscli("-SSC"), ("storage classes:",))}


# Per-class chunk matrices (4.44+): the summary of each matrix mfsmon rates, per class in use.
MATRIX_KEYS = {"allchunks": ("combined", "all"), "regularchunks": ("combined", "regular"),
               "allchunks_copies": ("copies", "all"), "allchunks_ec4": ("ec4", "all"),
               "allchunks_ec8": ("ec8", "all")}
SUM_KEYS = ("missing", "endangered", "undergoal", "stable", "overgoal")


def cli_class_matrices(c):
    """{class id: {matrix key: (missing, endangered, undergoal, stable, overgoal)}} for every
    class in use, from `mfscli -SIC -i ID -j` (one call per class)."""
    res = {}
    for s in c.mfscli_json("-SSC")["dataset"]["storage_classes"]:
        if int(s["files"]) == 0 and int(s["dirs"]) == 0:
            continue
        sic = parse_sic_json(c.mfscli_json(["-SIC", "-i", str(s["sclassid"])]))
        res[int(s["sclassid"])] = {k: tuple(sic["matrices"][k]["classes"][x] for x in SUM_KEYS)
                                   for k in MATRIX_KEYS}
    return res


def cli_space(c):
    """(total, avail) bytes."""
    if MOOSEFS == "4":
        g = c.mfscli_json("-SIG")["dataset"]["info"]["general"]
        return (int(g["total_space"]), int(g["avail_space"]))
    info = {f[1]: f[2] for f in _rows(c.mfscli("-SIG"), ("master info:",)) if len(f) >= 3}
    return (int(info["total space"]), int(info["avail space"]))


CLI = {"chunkservers": cli_chunkservers, "disks": cli_disks, "metaloggers": cli_metaloggers,
       "classes": cli_classes, "space": cli_space, "class_matrices": cli_class_matrices}


def views_of_this_version():
    """Every view, but the per-class matrices only where the master has them (4.44+)."""
    return tuple(v for v in CLI if v != "class_matrices" or MOOSEFS == "4")


# ---- the same figures from mfsmon's JSON ----------------------------------------------------

def mon_chunkservers(j):
    return {(e["ip"], int(e["port"])): (int(e["id"]), int(e["chunks"]), int(e["used_bytes"]),
                                        int(e["total_bytes"]))
            for e in j["chunkservers"] if e.get("connected")}


def mon_disks(j):
    res = {}
    for s in j["disks"]:
        for d in s.get("disks") or []:
            res[(s["server"], d["path"])] = (int(d["chunks"]), int(d["used_bytes"]),
                                             int(d["total_bytes"]))
    return res


def mon_metaloggers(j):
    return sorted((m["ip"], m["version"]) for m in j["metaloggers"])


def mon_classes(j):
    return {s["name"]: (int(s["files"]), int(s["dirs"])) for s in j["storage_classes"]["classes"]}


def mon_class_matrices(j):
    res = {}
    for cm in j["class_matrices"]:
        m = cm["matrices"]
        res[int(cm["class_id"])] = {
            k: tuple(int(m[mode][which]["total"][x]) for x in SUM_KEYS)
            for k, (mode, which) in MATRIX_KEYS.items()}
    return res


def mon_space(j):
    return (int(j["master"]["total_space_bytes"]), int(j["master"]["avail_space_bytes"]))


# view -> (the check whose JSON carries it, extractor)
MON = {"chunkservers": ("chunkservers", mon_chunkservers), "disks": ("disks", mon_disks),
       "metaloggers": ("master", mon_metaloggers), "classes": ("classes", mon_classes),
       "space": ("space", mon_space), "class_matrices": ("classes", mon_class_matrices)}


class CheckHealthOnRealCluster(unittest.TestCase):
    cluster = None
    retries = []  # per comparison: how many reads did not hold still

    @classmethod
    def setUpClass(cls):
        if MOOSEFS == "4":
            reason = moosefs4_skip_reason()
            if reason:
                raise unittest.SkipTest(reason)
        Cluster.cleanup_leftovers(verbose=False)
        t = time.monotonic()
        cls.cluster = Cluster(version=MOOSEFS)
        t_built = time.monotonic()
        cls.cluster.start(chunkservers=CHUNKSERVERS, metalogger=True)
        t_up = time.monotonic()
        cls.cluster.write_files(FILES, goal=2, subdir="goal2")
        cls.cluster.write_files(FILES, goal=3, subdir="goal3")
        tools = cls.cluster.tools()
        print(f"\nMooseFS {tools['moosefs_version']} ({tools['source']}): binaries ready in "
              f"{t_built - t:.1f} s, cluster up in {t_up - t_built:.1f} s, 2x{FILES} files "
              f"written in {time.monotonic() - t_up:.1f} s", file=sys.stderr, flush=True)

    @classmethod
    def tearDownClass(cls):
        if cls.cluster is not None:
            t = time.monotonic()
            cls.cluster.stop()
            print(f"cluster stopped and removed in {time.monotonic() - t:.1f} s",
                  file=sys.stderr, flush=True)

    # ---- helpers --------------------------------------------------------------------

    @staticmethod
    def history_args(check):
        """Never the machine's default state directory: these tests are not about history."""
        return ["--no-history"] if check in ("disks", "health") else []

    def mfsmon(self, check, *extra):
        c = self.cluster
        return c.run([MFSMON, "check", check, "-H", c.address, "-P", str(c.port), "-t", "5",
                      *extra, *self.history_args(check)], timeout=30)

    def mfsmon_json(self, check):
        r = self.mfsmon(check, "--format", "json")
        self.assertIn(r.returncode, (0, 1, 2, 3), r.stdout + r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(j["exit_code"], r.returncode, r.stdout)
        return j

    def wait_check(self, check, pred, timeout=60, what=None):
        """Poll `check CHECK --format json` until pred(json) is true; returns that JSON."""
        last = []
        seen = set()  # finding codes of the reads that did not match yet
        t0 = time.monotonic()

        def reached():
            j = self.mfsmon_json(check)
            last[:] = [j]
            if pred(j):
                return j
            seen.update(f["code"] for f in j["findings"])
            return None
        try:
            j = wait_for(reached, timeout, interval=0.3, what=what or check)
            waited = time.monotonic() - t0
            if waited > 10:
                print(f"\ncheck {check}: {waited:.1f} s until {what or 'reached'}; meanwhile "
                      f"{sorted(seen)}", file=sys.stderr, flush=True)
            return j
        except TimeoutError:
            j = last[0] if last else None
            self.fail(f"check {check}: {what} not reached in {timeout} s; last: "
                      f"exit {j and j['exit_code']}, findings "
                      f"{j and [(f['code'], f.get('subject')) for f in j['findings']]}")

    def wait_exit(self, check, code, timeout=60):
        return self.wait_check(check, lambda j: j["exit_code"] == code, timeout,
                               f"exit {code}")

    @staticmethod
    def findings(j, code):
        return [f for f in j["findings"] if f["code"] == code]

    def compare_with_mfscli(self, views=None):
        """mfsmon, mfscli, mfsmon: compare when both mfsmon reads agree."""
        views = views or views_of_this_version()
        last = None
        for attempt in range(COMPARE_ATTEMPTS):
            before = {v: MON[v][1](self.mfsmon_json(MON[v][0])) for v in views}
            cli = {v: CLI[v](self.cluster) for v in views}
            after = {v: MON[v][1](self.mfsmon_json(MON[v][0])) for v in views}
            if before == after:
                for v in views:
                    self.assertEqual(after[v], cli[v], f"{v}: mfsmon (first) vs mfscli (second)")
                self.retries.append(attempt)
                return after
            last = (before, after)
            time.sleep(0.5)
        self.fail(f"cluster never held still for a comparison: {last}")

    def check_class_matrices_while_degraded(self):
        """4.44+: the per-class matrices equal mfscli's while chunks lack copies, and the
        classes the findings name are exactly those with endangered or missing chunks."""
        self.compare_with_mfscli(("class_matrices",))
        j = self.mfsmon_json("classes")
        names = {s["id"]: s["name"] for s in j["storage_classes"]["classes"]}
        for code, key in (("classes.chunks_endangered", "endangered"),
                          ("classes.chunks_missing", "missing")):
            want = sorted(names[cm["class_id"]] for cm in j["class_matrices"]
                          if cm["matrices"]["combined"]["all"]["total"][key] > 0)
            self.assertEqual(sorted(f["subject"] for f in self.findings(j, code)), want, code)
            print(f"\n{code}: {want or 'none'}", file=sys.stderr, flush=True)

    # ---- the scenarios, in order ---------------------------------------------------------

    def test_scenarios_in_order(self):
        c = self.cluster
        ip = c.address
        timings = []

        def step(name, t):
            timings.append(f"{name} {time.monotonic() - t:.1f} s")

        def server(i):
            return f"{ip}:{c.chunkserver_port(i)}"

        t = time.monotonic()
        with self.subTest("1 healthy"):
            for check in CHECKS:
                self.wait_exit(check, 0)
            v = self.compare_with_mfscli()
            self.assertEqual(len(v["chunkservers"]), CHUNKSERVERS)
            self.assertEqual(len(v["disks"]), CHUNKSERVERS)
            self.assertEqual([m[0] for m in v["metaloggers"]], [ip])
            names = ("2", "3") if MOOSEFS == "3" else ("2CP", "3CP")
            for n in names:
                self.assertEqual(v["classes"][n][0], FILES, f"class {n} files")
            for check in CHECKS:  # still all OK after the comparison
                r = self.mfsmon(check)
                self.assertEqual(r.returncode, 0, f"{check}: {r.stdout}")
        step("healthy", t)

        t = time.monotonic()
        with self.subTest("2 chunkserver killed"):
            i = 3
            c.stop_chunkserver(i, signal=signal.SIGKILL)
            j = self.wait_check("chunkservers",
                                lambda j: self.findings(j, "chunkservers.disconnected"),
                                what="chunkservers.disconnected")
            self.assertEqual(j["exit_code"], 2)
            f = self.findings(j, "chunkservers.disconnected")
            self.assertEqual([x["subject"] for x in f], [server(i)])
            self.assertEqual(f[0]["severity"], "CRITICAL")
            h = self.mfsmon_json("health")
            self.assertEqual([x["subject"] for x in self.findings(h, "chunkservers.disconnected")],
                             [server(i)])
            self.assertEqual(h["exit_code"], 2)
            try:
                if MOOSEFS == "4":
                    self.check_class_matrices_while_degraded()
            finally:
                c.start_chunkserver(i)
            self.wait_exit("chunkservers", 0)
        step("killed", t)

        t = time.monotonic()
        with self.subTest("3 chunkserver stopped gracefully"):
            i = 2
            t_stop = time.monotonic()
            c.stop_chunkserver(i, signal=signal.SIGTERM, wait=False)
            code = "chunkservers.disconnected_in_maintenance"
            j = self.wait_check("chunkservers", lambda j: self.findings(j, code),
                                timeout=TEMP_MAINTENANCE_S, what=code)
            seen_after = time.monotonic() - t_stop
            f = self.findings(j, code)
            self.assertEqual([x["subject"] for x in f], [server(i)])
            self.assertEqual(f[0]["severity"], "WARNING")
            self.assertEqual(j["exit_code"], 1,
                             [(x["code"], x.get("subject")) for x in j["findings"]])
            print(f"\n{code} seen {seen_after:.1f} s after SIGTERM", file=sys.stderr, flush=True)
            c.start_chunkserver(i)
            self.wait_exit("chunkservers", 0)
        step("sigterm", t)

        t = time.monotonic()
        with self.subTest("4 maintenance on"):
            i = 1
            c.set_maintenance(i, True)
            code = "chunkservers.maintenance"
            j = self.wait_check("chunkservers", lambda j: self.findings(j, code), what=code)
            f = self.findings(j, code)
            self.assertEqual([x["subject"] for x in f], [server(i)])
            self.assertEqual(f[0]["severity"], "WARNING")
            self.assertEqual(j["exit_code"], 1)
            c.set_maintenance(i, False)
            self.wait_exit("chunkservers", 0)
        step("maintenance", t)

        t = time.monotonic()
        with self.subTest("5 disk marked for removal"):
            i = 0
            c.mark_disk_for_removal(i)
            code = "disks.marked_for_removal"
            j = self.wait_check("disks", lambda j: self.findings(j, code), what=code)
            f = self.findings(j, code)
            self.assertEqual(len(f), 1, f)
            self.assertIn(server(i), f[0]["subject"])
            self.assertIn(c.chunkserver_hdd(i), f[0]["subject"] + f[0]["text"])
            self.assertEqual(f[0]["severity"], "WARNING")
            h = self.mfsmon_json("health")
            codes = {x["code"] for x in h["findings"]}
            self.assertTrue(codes & {"replicas.marked_for_removal", "disks.marked_for_removal",
                                     "disks.ready_for_removal"}, codes)
            c.unmark_disk(i)
            self.wait_exit("disks", 0)
        step("marked", t)

        t = time.monotonic()
        with self.subTest("6 metalogger stopped"):
            c.stop_metalogger()
            j = self.wait_exit("master", 2)
            f = self.findings(j, "metaloggers.none")
            self.assertEqual(len(f), 1, j["findings"])
            self.assertEqual(f[0]["severity"], "CRITICAL")
            self.assertEqual(j["metaloggers"], [])
            c.start_metalogger()
            j = self.wait_exit("master", 0)
            self.assertEqual(mon_metaloggers(j), cli_metaloggers(c))
        step("metalogger", t)

        t = time.monotonic()
        with self.subTest("7 invalid disk"):
            i = 1
            path = c.add_invalid_disk(i)
            code = "disks.invalid"
            j = self.wait_check("disks", lambda j: self.findings(j, code), what=code)
            self.assertEqual(j["exit_code"], 2)
            f = self.findings(j, code)
            self.assertEqual(len(f), 1, f)
            self.assertIn(server(i), f[0]["subject"])
            self.assertIn(path, f[0]["subject"] + f[0]["text"])
            self.assertEqual(f[0]["severity"], "CRITICAL")
            c.remove_invalid_disks(i)
            self.wait_exit("disks", 0)
        step("invalid", t)

        t = time.monotonic()
        with self.subTest("8 disk filled"):
            i = 2
            hdd = c.chunkserver_hdd(i).rstrip("/")
            key = None

            def this_disk(j):
                for (srv, p), v in mon_disks(j).items():
                    if srv == server(i) and p.rstrip("/") == hdd:
                        return (srv, p), v
                return None, None

            c.fill_disk(i, 0.95)

            def filled(j):
                v = this_disk(j)[1]
                return v is not None and v[2] > 0 and v[1] * 100.0 / v[2] > USED_WARNING_PCT
            # the disk list (HDD_LIST) is its own report, separate from -SCS: poll it
            j = self.wait_check("disks", filled, timeout=90, what="disk usage over 90%")
            key, (chunks, used, total) = this_disk(j)
            pct = used * 100.0 / total
            expected = ("disks.full" if pct > USED_CRITICAL_PCT else "disks.nearly_full"
                        if pct > USED_WARNING_PCT else None)
            got = [x for x in j["findings"] if x["code"] in ("disks.full", "disks.nearly_full")]
            self.assertEqual([(x["code"], server(i) in x["subject"]) for x in got],
                             [(expected, True)], f"disk {key}: {used}/{total} = {pct:.2f}%")
            self.assertEqual(got[0]["severity"],
                             "CRITICAL" if expected == "disks.full" else "WARNING")
            self.assertEqual(j["exit_code"], 2 if expected == "disks.full" else 1)
            v = self.compare_with_mfscli(("disks",))
            self.assertEqual(v["disks"][key][1:], (used, total))
            print(f"\nfilled disk {key[1]}: {used}/{total} bytes = {pct:.2f}% -> {expected}",
                  file=sys.stderr, flush=True)
            c.clear_disk(i)
            self.wait_exit("disks", 0, timeout=90)
        step("filled", t)

        t = time.monotonic()
        with self.subTest("all healthy again"):
            for check in CHECKS:
                self.wait_exit(check, 0, timeout=90)
            self.compare_with_mfscli()
        step("healthy again", t)
        print("\nscenario timings: " + ", ".join(timings) + "; comparisons retried "
              + str(self.retries) + " times", file=sys.stderr, flush=True)


def main(argv):
    def set_moosefs(version):
        global MOOSEFS
        MOOSEFS = version
    return live_test_main.run(argv, set_moosefs)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
