#!/usr/bin/env python3
"""The history store's cost per check run: LMDB (what mfsmon uses) against SQLite doing the
same, and against a process that does nothing. bench/history_store_bench.cpp, a static binary
like mfsmon, is started once per run under bench/spawn_rusage.c:
  * noop:   start and exit (the floor every check pays anyway);
  * lmdb:   RecordAndRead of one ~300-byte sample on a store of 1000 prior samples, the 100
            newest read back (open, read transaction, writer lock, put, retention, commit with
            one fdatasync, close);
  * sqlite: the same on SQLite 3 (WAL, synchronous=NORMAL): open, select the 100 newest, insert
            the same encoded bytes, close (the last connection's close checkpoints the WAL).
Runs are interleaved (run i of each mode, then run i+1) on one temporary directory under /tmp,
so both stores grow alike (by one sample per run) and load that comes and goes hits all modes.
Printed: median and p90 of wall and CPU time per run, and each mode against noop (the ratio and
the difference, which is the store's own cost).

Environment: MFSMON_BUILD (default build/), MFSMON_BENCH_RUNS (default 200).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = ("noop", "lmdb", "sqlite")
WARMUP = 5


def p90(values):
    return statistics.quantiles(values, n=10)[-1]


def main():
    build = os.environ.get("MFSMON_BUILD", os.path.join(ROOT, "build"))
    runs = int(os.environ.get("MFSMON_BENCH_RUNS", "200"))
    launcher = os.path.join(build, "spawn_rusage")
    bench = os.path.join(build, "history_store_bench")
    for binary in (launcher, bench):
        if not os.access(binary, os.X_OK):
            sys.exit(f"{binary} is missing: build spawn_rusage and history_store_bench first")

    work = tempfile.mkdtemp(prefix="mfsmon-history-bench-", dir="/tmp")
    try:
        prepared = subprocess.run([bench, "prepare", work], capture_output=True, text=True,
                                  check=True).stdout.strip()
        print(f"stores in {work}: {prepared}, each run adds one; {runs} runs per mode "
              f"(+{WARMUP} warm-up), interleaved")
        wall = {m: [] for m in MODES}
        cpu = {m: [] for m in MODES}
        codes = {m: set() for m in MODES}
        for i in range(WARMUP + runs):
            for mode in MODES:
                w, c, _rss, code = benchlib.run_once(launcher, [bench, mode, work])
                codes[mode].add(code)
                if i >= WARMUP:
                    wall[mode].append(w * 1000)
                    cpu[mode].append(c * 1000)

        print(f"{'mode':<8} {'wall ms':>9} {'p90':>8} {'cpu ms':>8} {'p90':>8}  exit codes")
        for mode in MODES:
            print(f"{mode:<8} {statistics.median(wall[mode]):>9.3f} {p90(wall[mode]):>8.3f} "
                  f"{statistics.median(cpu[mode]):>8.3f} {p90(cpu[mode]):>8.3f}  "
                  f"{sorted(codes[mode])}")
        base_wall = statistics.median(wall["noop"])
        base_cpu = statistics.median(cpu["noop"])
        for mode in ("lmdb", "sqlite"):
            w = statistics.median(wall[mode])
            c = statistics.median(cpu[mode])
            print(f"{mode} over noop: wall {w / base_wall:5.2f}x (+{w - base_wall:.3f} ms), "
                  f"cpu {c / max(base_cpu, 1e-6):5.2f}x (+{c - base_cpu:.3f} ms)")
        lw = statistics.median(wall["lmdb"]) - base_wall
        sw = statistics.median(wall["sqlite"]) - base_wall
        print(f"sqlite's own wall cost / lmdb's: {sw / max(lw, 1e-6):.1f}x")
        sizes = {name: sum(os.path.getsize(os.path.join(work, name, f))
                           for f in os.listdir(os.path.join(work, name)))
                 for name in ("lmdb", "sqlite")}
        print(f"files at the end: lmdb {sizes['lmdb'] / 1024:.0f} KiB, "
              f"sqlite {sizes['sqlite'] / 1024:.0f} KiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
