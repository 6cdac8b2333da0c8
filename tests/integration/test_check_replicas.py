#!/usr/bin/env python3
"""`mfsmon check replicas` on a real MooseFS 3.0.117 cluster, compared with mfscli.

One throw-away cluster (master, metalogger, 3 chunkservers, goal-3 files) is walked through
the states an admin meets: healthy, a disk marked for removal, one / two / three
chunkservers stopped, all restarted. In every state:
  * the plugin's state, exit code and wording are what the state means;
  * every cell and class total of both matrices equals what `mfscli -SIC` / `-SIC -m 1`
    print at the same moment (read mfsmon, mfscli, mfsmon; compare only when the progress
    byte is 0 and both mfsmon reads agree; else retry, a bounded number of times).
"""
import json
import os
import signal
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

from mfscluster import Cluster, wait_for  # noqa: E402
from parse_mfscli import parse_sic  # noqa: E402

MFSMON = os.environ.get("MFSMON_BINARY") or os.path.join(HERE, "..", "..", "build", "mfsmon")
FILES = 30
COMPARE_ATTEMPTS = 20
CLASS_KEYS = {  # mfscli's class names -> mfsmon's JSON keys
    "missing": "missing", "endangered": "endangered", "undergoal": "undergoal",
    "stable": "stable", "overgoal": "overgoal", "pending deletion": "pending_deletion",
    "to be removed": "to_be_removed",
}


class CheckReplicasOnRealCluster(unittest.TestCase):
    cluster = None

    @classmethod
    def setUpClass(cls):
        Cluster.cleanup_leftovers(verbose=False)
        cls.cluster = Cluster()
        cls.cluster.start(chunkservers=3, metalogger=True)
        cls.cluster.write_files(FILES, goal=3, subdir="goal3")

    @classmethod
    def tearDownClass(cls):
        if cls.cluster is not None:
            cls.cluster.stop()

    # ---- helpers --------------------------------------------------------------------

    def mfsmon(self, *extra):
        c = self.cluster
        return c.run([MFSMON, "check", "replicas", "-H", c.address, "-P", str(c.port), "-t", "5",
                      *extra], timeout=30)

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

    def compare_with_mfscli(self):
        """mfsmon, mfscli, mfsmon: compare when the progress byte is 0 and both mfsmon
        reads agree (the cluster did not move in between)."""
        last = None
        for _ in range(COMPARE_ATTEMPTS):
            before = self.mfsmon_json()
            all_cli = parse_sic(self.cluster.mfscli("-SIC"))
            regular_cli = parse_sic(self.cluster.mfscli("-SIC -m 1"))
            after = self.mfsmon_json()
            stable = (before["matrices"] == after["matrices"] and
                      before["matrices"]["progress"] == 0)
            if stable:
                m = after["matrices"]["combined"]
                for name, cli in (("all", all_cli), ("regular", regular_cli)):
                    self.assertEqual(cli["matrix"], name)
                    self.assertEqual(self.cells(m[name]), cli["cells"], f"{name} matrix cells")
                    for cli_name, key in CLASS_KEYS.items():
                        self.assertEqual(m[name]["total"][key], cli["classes"][cli_name],
                                         f"{name} matrix class {cli_name}")
                return after
            last = (before["matrices"]["progress"], after["matrices"]["progress"])
            time.sleep(0.5)
        self.fail(f"cluster never held still for a comparison (progress bytes {last})")

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

        with self.subTest("healthy"):
            r = self.wait_state(0)
            self.assertTrue(r.stdout.startswith("MOOSEFS REPLICAS OK - No errors |"), r.stdout)
            j = self.compare_with_mfscli()
            self.assertEqual(j["matrices"]["combined"]["all"]["total"]["stable"], FILES)

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

        with self.subTest("one chunkserver stopped"):
            c.stop_chunkserver(0)
            r = self.wait_state(1)
            self.assertIn(f"WARNING - {FILES} chunks of goal 3 lack replicas |", r.stdout)
            j = self.compare_with_mfscli()
            self.assertEqual(j["matrices"]["combined"]["all"]["total"]["undergoal"], FILES)

        with self.subTest("two chunkservers stopped"):
            c.stop_chunkserver(1)
            r = self.wait_state(2)
            self.assertIn(f"CRITICAL - {FILES} chunks of goal 3 endangered", r.stdout)
            j = self.compare_with_mfscli()
            self.assertEqual(j["matrices"]["combined"]["all"]["total"]["endangered"], FILES)

        with self.subTest("three chunkservers stopped"):
            c.stop_chunkserver(2)
            r = self.wait_state(2)
            wait_for(lambda: "lost" in self.mfsmon().stdout, 30, what="missing chunks")
            r = self.mfsmon()
            self.assertIn(f"CRITICAL - {FILES} chunks of goal 3 lost |", r.stdout)
            j = self.compare_with_mfscli()
            self.assertEqual(j["matrices"]["combined"]["all"]["total"]["missing"], FILES)

        with self.subTest("all restarted"):
            for i in range(3):
                c.start_chunkserver(i, wait=False)
            c.wait_chunkservers()
            r = self.wait_state(0)
            self.assertIn("OK - No errors", r.stdout)
            self.compare_with_mfscli()

        with self.subTest("master gone: UNKNOWN, never OK"):
            c.stop_master(signal.SIGKILL)
            r = self.mfsmon()
            self.assertEqual(r.returncode, 3, r.stdout)
            self.assertTrue(r.stdout.startswith("MOOSEFS REPLICAS UNKNOWN - "), r.stdout)
            self.assertEqual(len(r.stdout.strip().splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
