#!/usr/bin/env python3
"""Recovery you can watch, on a real MooseFS cluster: a disk marked for removal, evacuated
until the master says READY, with `mfsmon check replicas`, `check disks`, `status` and
`watch` run all along against one history (a temporary --state-dir).

    test_trend.py [--moosefs 3|4] [unittest options, e.g. -v]

The cluster (master, metalogger, 3 chunkservers, goal-2 files) runs its chunk loop at the
fastest pace the master allows (CHUNKS_LOOP_MIN_TIME 60) and, so that the phases last long
enough to be seen, with low replication limits. What must hold:
  * the first run says "no history yet"; later runs measure a rate;
  * while chunks depend on the marked disk: phase recovering (or tail) with a rate and an
    ETA in text, JSON and perfdata; the ETA falls (later estimates below earlier ones);
  * the dependents reach 0 and the server becomes READY: the evacuation ends "done", the
    check is OK, and the READY estimate made after the copies were done came true within a
    chunk-loop pass;
  * every count mfsmon reports equals mfscli's at the same moment (regular minus all deficit,
    read mfsmon / mfscli / mfsmon until both mfsmon reads agree);
  * `status` and `watch` show the progress bar, rate and ETA during the evacuation.
The series of samples is written to $MFSMON_TREND_RECORD (CSV) when set: that is how
tests/fixtures/trend/ was recorded.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

from mfscluster import Cluster, moosefs4_skip_reason  # noqa: E402
import live_test_main  # noqa: E402
from parse_mfscli import parse_sic, parse_sic_json  # noqa: E402

MFSMON = os.environ.get("MFSMON_BINARY") or os.path.join(HERE, "..", "..", "build", "mfsmon")
MOOSEFS = "3"
FILES = {"3": 800, "4": 1500}
INTERVAL = 2.0       # seconds between checks, as a tight monitoring interval
EVACUATION_LIMIT = 600.0  # seconds from marking to READY, generous
LOOP_MIN = 60


def master_config():
    limits = {"CHUNKS_LOOP_MIN_TIME": LOOP_MIN}
    if MOOSEFS == "3":
        limits.update({"CHUNKS_WRITE_REP_LIMIT": "2,1,1,4", "CHUNKS_READ_REP_LIMIT": "2,1,1,4"})
    else:
        limits.update({"CHUNKS_WRITE_REP_LIMIT": "2,1,1,4,4", "CHUNKS_READ_REP_LIMIT": "2,1,1,4,4"})
    return limits


class TrendOnRealEvacuation(unittest.TestCase):
    cluster = None
    state_dir = None

    @classmethod
    def setUpClass(cls):
        if MOOSEFS == "4":
            reason = moosefs4_skip_reason()
            if reason:
                raise unittest.SkipTest(reason)
        Cluster.cleanup_leftovers(verbose=False)
        cls.state_dir = tempfile.mkdtemp(prefix="mfsmon-trend-state-")
        cls.cluster = Cluster(version=MOOSEFS)
        t = time.monotonic()
        cls.cluster.start(chunkservers=3, metalogger=True, master_config=master_config())
        cls.cluster.write_files(FILES[MOOSEFS], goal=2, subdir="evac")
        print(f"\ncluster up, {FILES[MOOSEFS]} goal-2 files written in "
              f"{time.monotonic() - t:.1f} s", file=sys.stderr, flush=True)

    @classmethod
    def tearDownClass(cls):
        if cls.cluster is not None:
            cls.cluster.stop()
        if cls.state_dir:
            shutil.rmtree(cls.state_dir, ignore_errors=True)

    # ---- helpers ----------------------------------------------------------------------

    def run_mfsmon(self, *args, timeout=30):
        c = self.cluster
        return c.run([MFSMON, *args, "-H", c.address, "-P", str(c.port), "-t", "5"],
                     timeout=timeout)

    def check_json(self, check):
        r = self.run_mfsmon("check", check, "--format", "json", "--state-dir", self.state_dir)
        self.assertIn(r.returncode, (0, 1, 2), r.stdout + r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(j["exit_code"], r.returncode)
        return j

    @staticmethod
    def deficit(matrices, which):
        t = matrices["combined"][which]["total"]
        return t["missing"] + t["endangered"] + t["undergoal"]

    def dependents_by_mfscli(self):
        if MOOSEFS == "3":
            def total(args):
                cls = parse_sic(self.cluster.mfscli(args))["classes"]
                return cls["missing"] + cls["endangered"] + cls["undergoal"]
            return max(0, total("-SIC -m 1") - total("-SIC"))
        m = parse_sic_json(self.cluster.mfscli_json("-SIC"))["matrices"]

        def total(name):
            c = m[name]["classes"]
            return c["missing"] + c["endangered"] + c["undergoal"]
        return max(0, total("regularchunks") - total("allchunks"))

    # ---- the test ---------------------------------------------------------------------

    def test_evacuation_from_marked_to_ready(self):
        c = self.cluster
        first = self.run_mfsmon("check", "replicas", "--state-dir", self.state_dir)
        self.assertEqual(first.returncode, 0, first.stdout)
        self.assertIn("no history yet", first.stdout)
        second = self.run_mfsmon("check", "replicas", "--state-dir", self.state_dir)
        self.assertNotIn("no history yet", second.stdout)

        c.mark_disk_for_removal(0)
        samples = []  # (t, json of check disks)
        replicas_texts = []
        status_during = watch_during = None
        compared = False
        ready_estimates = []  # (t, eta_ready) made after the copies were done
        t_start = time.time()
        while time.time() - t_start < EVACUATION_LIMIT:
            j = self.check_json("disks")
            now = time.time()
            samples.append((now, j))
            marked = [s for s in j["chunkservers"] if s["marked_chunks"] > 0]
            evac = j["trends"]["evacuation"]
            if evac["now"] > 0 and evac["phase"] == "recovering":
                r = self.run_mfsmon("check", "replicas", "--state-dir", self.state_dir)
                replicas_texts.append(r.stdout)
                if status_during is None and evac["eta_seconds"] is not None:
                    status_during = self.run_mfsmon("status", "--state-dir", self.state_dir,
                                                    "--color", "never").stdout
                    watch_during = self.run_mfsmon("watch", "-n", "3", "-i", "1").stdout
                if not compared:
                    compared = self.compare_dependents_with_mfscli()
            if evac["now"] == 0 and j["trends"]["eta_ready_seconds"] is not None and marked \
                    and marked[0]["mfr_status"] != 2:
                ready_estimates.append((now, j["trends"]["eta_ready_seconds"]))
            if marked and all(s["mfr_status"] == 2 for s in marked):
                break
            time.sleep(INTERVAL)
        else:
            self.fail("the marked disk was not READY within %d s" % EVACUATION_LIMIT)
        t_ready = samples[-1][0]
        self.record(samples)

        phases = [s[1]["trends"]["evacuation"]["phase"] for s in samples]
        print(f"\nevacuation: {len(samples)} checks over {t_ready - t_start:.0f} s; phases "
              f"{self.runs(phases)}", file=sys.stderr, flush=True)

        # Recovering, with a rate and an ETA, in JSON, text and perfdata.
        recovering = [s[1]["trends"]["evacuation"] for s in samples
                      if s[1]["trends"]["evacuation"]["phase"] == "recovering"
                      and s[1]["trends"]["evacuation"]["eta_seconds"] is not None]
        self.assertGreaterEqual(len(recovering), 3, phases)
        self.assertTrue(all(e["rate_per_second"] > 0 for e in recovering))
        self.assertTrue(any("evacuating" in t and "copies done in about" in t
                            for t in replicas_texts), replicas_texts[-3:])
        self.assertTrue(any("evacuation_rate=" in t for t in replicas_texts))

        # The ETA falls: the later estimates lie below the earlier ones.
        etas = [e["eta_seconds"] for e in recovering]
        third = max(1, len(etas) // 3)
        self.assertLess(statistics.median(etas[-third:]), statistics.median(etas[:third]), etas)

        # Done at READY: dependents 0, the check OK, the evacuation's event over.
        final = samples[-1][1]
        self.assertEqual(final["trends"]["evacuation"]["now"], 0)
        self.assertIn(final["trends"]["evacuation"]["phase"], ("done", "healthy"))
        self.assertEqual(final["exit_code"], 0, final["summary"])
        self.assertIn("done", phases)
        # The READY estimates made once the copies were done came true within one pass.
        self.assertTrue(ready_estimates, "no READY estimate after the copies were done")
        for t, eta in ready_estimates:
            self.assertLess(abs((t + eta) - t_ready), LOOP_MIN + 3 * INTERVAL,
                            f"estimate at {t:.0f}: READY in {eta:.0f} s; came at {t_ready:.0f}")

        self.assertTrue(compared, "mfsmon and mfscli never read the same moment")
        self.assertIsNotNone(status_during, "status never ran while evacuating with an ETA")
        self.assertIn("progress:", status_during)
        self.assertIn("evacuation [", status_during)
        self.assertIn("copies done in about", status_during)
        self.assertEqual(watch_during.count("mfsmon watch"), 3, watch_during)
        self.assertIn("disks marked for removal:", watch_during)
        self.assertIn("still depending", watch_during)

        after = self.run_mfsmon("status", "--state-dir", self.state_dir, "--color", "never")
        self.assertEqual(after.returncode, 0, after.stdout)
        self.assertIn("HEALTH_OK", after.stdout)

    def test_hundred_concurrent_checks_share_one_store(self):
        """100 `check replicas` at once on one state directory: every run gives a valid
        plugin state with the same counts, none waits past -t, and the store is whole after
        (the next run reads a history and saves)."""
        c = self.cluster
        state = tempfile.mkdtemp(prefix="mfsmon-trend-concurrent-")
        try:
            argv = [MFSMON, "check", "replicas", "-H", c.address, "-P", str(c.port), "-t", "10",
                    "--state-dir", state]
            procs = [c.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(100)]
            outs = [(p.communicate(timeout=60), p.returncode) for p in procs]
            first_lines = set()
            for (out, err), code in outs:
                self.assertIn(code, (0, 1), out + err)
                self.assertEqual(err, "")
                self.assertRegex(out, r"^MOOSEFS REPLICAS (OK|WARNING) - ")
                first_lines.add(out.split(" | ")[0].split(",")[0])
            self.assertEqual(len(first_lines), 1, first_lines)
            after = c.run(argv + ["--format", "json"])
            j = json.loads(after.stdout)
            self.assertGreaterEqual(j["trends"]["history_samples"], 90, j["trends"]["notes"])
            self.assertEqual(j["trends"]["notes"], [])
            self.assertEqual(sorted(os.listdir(state)),
                             ["history.mdb", "history.mdb-lock", "history.mdb-writer"])
        finally:
            shutil.rmtree(state, ignore_errors=True)

    def test_watch_in_tmux_restores_the_terminal(self):
        """`watch` in a real terminal (tmux), started from a shell as an admin would: full
        screen while it runs (alternate screen, cursor hidden), the screen read back, and after
        Ctrl-C the shell's screen and cursor are back and the exit code is 0. A small window
        cuts lines instead of wrapping them."""
        c = self.cluster
        sock = f"mfsmon-test-{os.getpid()}"

        def tmux(*args):
            return c.run(["tmux", "-L", sock, *args], timeout=20)

        def wait_until(predicate, seconds):
            deadline = time.time() + seconds
            while not predicate() and time.time() < deadline:
                time.sleep(0.2)
            return predicate()

        try:
            for name, cols, rows in (("big", 100, 30), ("small", 40, 10)):
                r = tmux("new-session", "-d", "-s", name, "-x", str(cols), "-y", str(rows),
                         "-e", "LANG=C.UTF-8", "sh")
                self.assertEqual(r.returncode, 0, r.stderr)

                def screen():
                    return tmux("capture-pane", "-p", "-t", name).stdout

                def flags():
                    # alternate screen on, cursor shown
                    return tmux("display", "-p", "-t", name,
                                "#{alternate_on} #{cursor_flag}").stdout.split()

                tmux("send-keys", "-t", name,
                     f"{MFSMON} watch -H {c.address} -P {c.port} -i 0.5 --color never; "
                     "echo EXIT=$?", "Enter")
                self.assertTrue(wait_until(lambda: "below goal" in screen(), 20), screen())
                text = screen()
                self.assertIn("mfsmon watch", text)
                for line in text.splitlines():
                    self.assertLessEqual(len(line), cols, line)
                self.assertEqual(flags(), ["1", "0"], name)
                tmux("send-keys", "-t", name, "C-c")
                self.assertTrue(wait_until(lambda: "EXIT=" in screen(), 10), screen())
                self.assertIn("EXIT=0", screen())
                self.assertEqual(flags(), ["0", "1"], name)  # the shell's screen, cursor shown
                tmux("kill-session", "-t", name)
        finally:
            tmux("kill-server")

    def compare_dependents_with_mfscli(self):
        """mfsmon, mfscli, mfsmon: equal when both mfsmon reads agree."""
        for _ in range(5):
            a = self.check_json("replicas")
            cli = self.dependents_by_mfscli()
            b = self.check_json("replicas")
            ma, mb = a["matrices"], b["matrices"]
            da = max(0, self.deficit(ma, "regular") - self.deficit(ma, "all"))
            db = max(0, self.deficit(mb, "regular") - self.deficit(mb, "all"))
            if da == db and ma["progress"] == 0 and mb["progress"] == 0:
                self.assertEqual(da, cli)
                self.assertEqual(a["trends"]["evacuation"]["now"], da)
                return True
        return False

    @staticmethod
    def runs(phases):
        out = []
        for p in phases:
            if not out or out[-1][0] != p:
                out.append([p, 0])
            out[-1][1] += 1
        return " -> ".join(f"{p} x{n}" for p, n in out)

    def record(self, samples):
        path = os.environ.get("MFSMON_TREND_RECORD")
        if not path:
            return
        with open(path, "w") as f:
            f.write("t,all_deficit,marked_dependent,progress,loop_start,loop_end,mfr_status,"
                    "marked_chunks\n")
            for t, j in samples:
                m = j["matrices"]
                marked = [s for s in j["chunkservers"] if s["marked_chunks"] > 0]
                loop = j.get("chunk_loop") or {}
                f.write("%.2f,%d,%d,%d,%d,%d,%d,%d\n" % (
                    t, self.deficit(m, "all"),
                    max(0, self.deficit(m, "regular") - self.deficit(m, "all")), m["progress"],
                    loop.get("start", 0), loop.get("end", 0),
                    marked[0]["mfr_status"] if marked else -1,
                    marked[0]["marked_chunks"] if marked else 0))


def main(argv):
    def set_moosefs(version):
        global MOOSEFS
        MOOSEFS = version
    return live_test_main.run(argv, set_moosefs)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
