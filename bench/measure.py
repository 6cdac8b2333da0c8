#!/usr/bin/env python3
"""Times the floor client, `mfsmon check replicas` and `mfscli -SIC` against one running
master, interleaved, from this one process (run it inside the cluster's namespace once; no
`ip netns exec` per call). Prints median wall time, CPU time and max RSS, and the ratios.

Each command is started by the tiny static launcher spawn_rusage (fork, exec, wait4), so CPU
time and max RSS are the command's own (rusage; Linux carries a peak RSS across exec, and a
child spawned straight from Python would inherit Python's), and wall time is spawn-to-reap as a
monitoring system sees it.
"""
import argparse
import os
import statistics
import sys
import subprocess


def run_once(launcher, argv):
    out = subprocess.run([launcher] + argv, capture_output=True, text=True, check=True).stdout
    wall_ns, cpu_us, rss_kb, code = (int(x) for x in out.split())
    return wall_ns / 1e9, cpu_us / 1e6, rss_kb, code


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", default="9421")
    ap.add_argument("--mfsmon", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--launcher", required=True, help="the spawn_rusage binary")
    ap.add_argument("--mfscli", default="/usr/bin/mfscli")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()

    commands = {
        "floor": [args.floor, args.host, args.port],
        "mfsmon": [args.mfsmon, "check", "replicas", "-H", args.host, "-P", args.port],
        "mfscli": ["/usr/bin/python3", args.mfscli, "-H", args.host, "-P", args.port, "-n", "-p",
                   "-SIC"],
    }
    samples = {name: [] for name in commands}
    codes = {name: set() for name in commands}
    for i in range(args.warmup + args.runs):
        for name, argv in commands.items():  # interleaved: drift hits all three alike
            wall, cpu, rss, code = run_once(args.launcher, argv)
            codes[name].add(code)
            if i >= args.warmup:
                samples[name].append((wall, cpu, rss))

    med = {}
    print(f"{'command':<8} {'runs':>5} {'wall ms':>9} {'cpu ms':>8} {'max RSS MB':>11}  exit codes")
    for name, rows in samples.items():
        wall = statistics.median(r[0] for r in rows) * 1000
        cpu = statistics.median(r[1] for r in rows) * 1000
        rss = statistics.median(r[2] for r in rows) / 1024
        med[name] = (wall, cpu, rss)
        print(f"{name:<8} {len(rows):>5} {wall:>9.2f} {cpu:>8.2f} {rss:>11.2f}  {sorted(codes[name])}")
    f, m, c = med["floor"], med["mfsmon"], med["mfscli"]
    print()
    print(f"mfsmon / floor   wall {m[0] / f[0]:.2f}x   cpu {m[1] / max(f[1], 1e-6):.2f}x   "
          f"RSS {m[2] / f[2]:.2f}x   (target: wall <= 1.5x)")
    print(f"mfsmon / mfscli  wall {m[0] / c[0]:.3f}x   cpu {m[1] / max(c[1], 1e-6):.3f}x   "
          f"RSS {m[2] / c[2]:.3f}x   (target: RSS <= 0.1x)")
    print(f"mfscli / mfsmon  wall {c[0] / m[0]:.1f}x slower, {c[2] / m[2]:.1f}x the memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
