#!/usr/bin/env python3
"""`mfsmon check replicas` on a real MooseFS cluster, compared with mfscli.

    test_check_replicas.py [--moosefs 3|4] [unittest options, e.g. -v]

--moosefs 3 (default): MooseFS 3.0.117 from Debian's packages. --moosefs 4: MooseFS 4.x built
from $MFSMON_MOOSEFS4_SOURCE (tests/harness/moosefs4_build.py); when that variable is unset
the run prints one line saying how to enable it and exits 77 (ctest: SKIP_RETURN_CODE).

One throw-away cluster (master, metalogger, 3 chunkservers, goal-3 files: on 4.x the storage
class 3CP) is walked through the states an admin meets: healthy, a disk marked for removal,
one / two / three chunkservers stopped, all restarted, master gone. In every state:
  * the plugin's state, exit code and wording are what the state means (3.x rows are
    "goal 3", 4.x rows "redundancy level 2": row index 3 = redundancy level + 1);
  * every cell and class total equals what mfscli prints at the same moment: 3.x both
    matrices of `mfscli -SIC` / `-SIC -m 1`; 4.x all 8 matrices of `mfscli -j -SIC`
    (summary counts and cells, cell labels read as raw indices). Read mfsmon, mfscli,
    mfsmon; compare only when the progress bytes are 0 and both mfsmon reads agree; else
    retry, a bounded number of times.
"""
import json
import os
import signal
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

from mfscluster import Cluster, moosefs4_skip_reason, wait_for  # noqa: E402
import live_test_main  # noqa: E402
from parse_mfscli import json_classes_from_cells, parse_sic, parse_sic_json  # noqa: E402

MFSMON = os.environ.get("MFSMON_BINARY") or os.path.join(HERE, "..", "..", "build", "mfsmon")
MOOSEFS = "3"   # set from --moosefs in main
FILES = 30
GOAL = 3
COMPARE_ATTEMPTS = 20
CLASS_KEYS = {  # mfscli 3.x class names -> mfsmon's JSON keys
    "missing": "missing", "endangered": "endangered", "undergoal": "undergoal",
    "stable": "stable", "overgoal": "overgoal", "pending deletion": "pending_deletion",
    "to be removed": "to_be_removed",
}
JSON_CLASS_KEYS = {  # mfscli -j (4.x) summary names -> mfsmon's JSON keys
    "missing": "missing", "endangered": "endangered", "undergoal": "undergoal",
    "stable": "stable", "overgoal": "overgoal", "pending_deletion": "pending_deletion",
    "ready_to_remove": "to_be_removed",
}
# mfsmon's JSON matrices (4.x) -> mfscli -j keys
JSON_MATRIX_KEYS = {
    ("combined", "all"): "allchunks", ("combined", "regular"): "regularchunks",
    ("copies", "all"): "allchunks_copies", ("copies", "regular"): "regularchunks_copies",
    ("ec8", "all"): "allchunks_ec8", ("ec8", "regular"): "regularchunks_ec8",
    ("ec4", "all"): "allchunks_ec4", ("ec4", "regular"): "regularchunks_ec4",
}


def row_label(goal):
    """How mfsmon names the matrix row of goal-`goal` chunks."""
    return f"goal {goal}" if MOOSEFS == "3" else f"redundancy level {goal - 1}"


class CheckReplicasOnRealCluster(unittest.TestCase):
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
        cls.cluster.start(chunkservers=3, metalogger=True)
        t_up = time.monotonic()
        cls.cluster.write_files(FILES, goal=GOAL, subdir="goal3")
        tools = cls.cluster.tools()
        print(f"\nMooseFS {tools['moosefs_version']} ({tools['source']}): binaries ready in "
              f"{t_built - t:.1f} s, cluster up in {t_up - t_built:.1f} s, {FILES} files "
              f"written in {time.monotonic() - t_up:.1f} s", file=sys.stderr, flush=True)

    @classmethod
    def tearDownClass(cls):
        if cls.cluster is not None:
            t = time.monotonic()
            cls.cluster.stop()
            print(f"cluster stopped and removed in {time.monotonic() - t:.1f} s",
                  file=sys.stderr, flush=True)

    # ---- helpers --------------------------------------------------------------------

    def mfsmon(self, *extra):
        c = self.cluster
        return c.run([MFSMON, "check", "replicas", "-H", c.address, "-P", str(c.port), "-t", "5",
                      *extra, "--no-history"], timeout=30)

    def mfsmon_json(self):
        r = self.mfsmon("--format", "json")
        self.assertIn(r.returncode, (0, 1, 2), r.stdout + r.stderr)
        return json.loads(r.stdout)

    @staticmethod
    def cells(matrix_json):
        out = {}
        for row in matrix_json["rows"]:
            for col, n in enumerate(row["cells"]):
                if n:
                    out[(row["row"], col)] = n
        return out

    def mfscli_matrices(self):
        """mfscli's view: {"progress": n or None, "matrices": {(group, view): (cells,
        classes as mfsmon's keys)}}. 3.x: -SIC and -SIC -m 1 (no progress byte in the
        plain text); 4.x: the 8 matrices of -j -SIC."""
        if MOOSEFS == "3":
            out = {}
            for view, args in (("all", "-SIC"), ("regular", "-SIC -m 1")):
                cli = parse_sic(self.cluster.mfscli(args))
                self.assertEqual(cli["matrix"], view)
                out[("combined", view)] = (cli["cells"], {CLASS_KEYS[k]: v for k, v in
                                                          cli["classes"].items()})
            return {"progress": None, "matrices": out}
        cli = parse_sic_json(self.cluster.mfscli_json("-SIC"))
        out = {}
        for key, name in JSON_MATRIX_KEYS.items():
            m = cli["matrices"][name]
            # mfscli's own summary must agree with its cells (labels read as raw indices)
            self.assertEqual(json_classes_from_cells(m["cells"]), m["classes"],
                             f"mfscli -j {name}: summary vs cells")
            out[key] = (m["cells"], {JSON_CLASS_KEYS[k]: v for k, v in m["classes"].items()})
        return {"progress": cli["progress"], "matrices": out}

    def compare_with_mfscli(self):
        """mfsmon, mfscli, mfsmon: compare when the progress bytes are 0 and both mfsmon
        reads agree (the cluster did not move in between)."""
        last = None
        for attempt in range(COMPARE_ATTEMPTS):
            before = self.mfsmon_json()
            cli = self.mfscli_matrices()
            after = self.mfsmon_json()
            stable = (before["matrices"] == after["matrices"] and
                      before["matrices"]["progress"] == 0 and cli["progress"] in (0, None))
            if stable:
                m = after["matrices"]
                for group in {k[0] for k in cli["matrices"]}:
                    self.assertIn(group, m, f"mfsmon's JSON has no {group} matrices")
                for (group, view), (cells, classes) in cli["matrices"].items():
                    what = f"{group} {view} matrix"
                    self.assertEqual(self.cells(m[group][view]), cells, f"{what} cells")
                    self.assertEqual(m[group][view]["total"], classes, f"{what} classes")
                self.retries.append(attempt)
                return after
            last = (before["matrices"]["progress"], cli["progress"],
                    after["matrices"]["progress"])
            time.sleep(0.5)
        self.fail(f"cluster never held still for a comparison (progress bytes mfsmon, mfscli, "
                  f"mfsmon: {last})")

    def wait_state(self, exit_code, timeout=60):
        """Poll the plugin until it reaches exit_code; returns its CompletedProcess."""
        def reached():
            r = self.mfsmon()
            return r if r.returncode == exit_code else None
        try:
            return wait_for(reached, timeout, interval=0.3, what=f"mfsmon exit {exit_code}")
        except TimeoutError:
            r = self.mfsmon()
            self.fail(f"expected exit {exit_code}, still {r.returncode}: {r.stdout}")

    # ---- the states, in order ----------------------------------------------------------

    def test_states_in_order(self):
        c = self.cluster
        row = row_label(GOAL)
        timings = []

        def step(name, t):
            timings.append(f"{name} {time.monotonic() - t:.1f} s")

        t = time.monotonic()
        with self.subTest("healthy"):
            r = self.wait_state(0)
            self.assertTrue(r.stdout.startswith("MOOSEFS REPLICAS OK - No errors |"), r.stdout)
            j = self.compare_with_mfscli()
            self.assertEqual(j["matrices"]["combined"]["all"]["total"]["stable"], FILES)
            if MOOSEFS == "4":
                self.assertEqual(j["matrices"]["rows"], "redundancy_level_plus_one")
                self.assertEqual(j["matrices"]["copies"]["all"]["total"]["stable"], FILES)
                self.assertIn(f"rl{GOAL - 1}_stable=", r.stdout)
            else:
                self.assertIn(f"goal{GOAL}_stable=", r.stdout)
        step("healthy", t)

        t = time.monotonic()
        with self.subTest("disk marked for removal"):
            c.mark_disk_for_removal(0)
            r = self.wait_state(1)
            first = r.stdout.splitlines()[0]
            self.assertIn(f"{FILES} chunks below goal once disks marked for removal", first)
            self.assertNotIn("lost", first)
            j = self.compare_with_mfscli()
            totals = j["matrices"]["combined"]
            self.assertEqual(totals["all"]["total"]["missing"], 0)
            self.assertEqual(totals["regular"]["total"]["undergoal"], FILES)
            self.assertEqual([f["code"] for f in j["findings"]], ["replicas.marked_for_removal"])
            c.unmark_disk(0)
            self.wait_state(0)
        step("marked", t)

        t = time.monotonic()
        with self.subTest("one chunkserver stopped"):
            c.stop_chunkserver(0)
            r = self.wait_state(1)
            self.assertIn(f"WARNING - {FILES} chunks of {row} lack replicas |", r.stdout)
            j = self.compare_with_mfscli()
            self.assertEqual(j["matrices"]["combined"]["all"]["total"]["undergoal"], FILES)
        step("one stopped", t)

        t = time.monotonic()
        with self.subTest("two chunkservers stopped"):
            c.stop_chunkserver(1)
            r = self.wait_state(2)
            self.assertIn(f"CRITICAL - {FILES} chunks of {row} endangered", r.stdout)
            j = self.compare_with_mfscli()
            self.assertEqual(j["matrices"]["combined"]["all"]["total"]["endangered"], FILES)
        step("two stopped", t)

        t = time.monotonic()
        with self.subTest("three chunkservers stopped"):
            c.stop_chunkserver(2)
            r = self.wait_state(2)
            wait_for(lambda: "lost" in self.mfsmon().stdout, 30, what="missing chunks")
            r = self.mfsmon()
            self.assertIn(f"CRITICAL - {FILES} chunks of {row} lost |", r.stdout)
            j = self.compare_with_mfscli()
            self.assertEqual(j["matrices"]["combined"]["all"]["total"]["missing"], FILES)
        step("three stopped", t)

        t = time.monotonic()
        with self.subTest("all restarted"):
            for i in range(3):
                c.start_chunkserver(i, wait=False)
            c.wait_chunkservers()
            r = self.wait_state(0)
            self.assertIn("OK - No errors", r.stdout)
            self.compare_with_mfscli()
        step("restarted", t)

        t = time.monotonic()
        with self.subTest("master gone: UNKNOWN, never OK"):
            c.stop_master(signal.SIGKILL)
            r = self.mfsmon()
            self.assertEqual(r.returncode, 3, r.stdout)
            self.assertTrue(r.stdout.startswith("MOOSEFS REPLICAS UNKNOWN - "), r.stdout)
            self.assertEqual(len(r.stdout.strip().splitlines()), 1)
        step("master gone", t)
        print("\nstate timings: " + ", ".join(timings) + "; comparisons retried "
              + str(self.retries) + " times", file=sys.stderr, flush=True)


def main(argv):
    def set_moosefs(version):
        global MOOSEFS
        MOOSEFS = version
    return live_test_main.run(argv, set_moosefs)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
