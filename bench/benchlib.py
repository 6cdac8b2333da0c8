"""Shared by the end-to-end benchmarks (bench/measure.py, bench/run_disks_bench.py): timing
commands interleaved through a static launcher, and printing medians and ratios.

Every timed command is started by bench/spawn_rusage.c (fork, exec, wait4), so CPU time and
max RSS are the command's own (rusage; Linux carries a peak RSS across exec, and a child
spawned straight from Python would inherit Python's ~11 MB), and wall time is spawn-to-reap as
a monitoring system sees it. Commands are interleaved (run i of every command, then run i+1):
load that comes and goes on the machine hits all of them alike. Medians, never means.

Nothing here fails on a missed target: a benchmark reports.
"""
import statistics
import subprocess


def run_once(launcher, argv):
    """(wall s, cpu s, max RSS KiB, exit code) of one run of argv under spawn_rusage."""
    out = subprocess.run([launcher] + argv, capture_output=True, text=True, check=True,
                         timeout=600).stdout
    wall_ns, cpu_us, rss_kb, code = (int(x) for x in out.split())
    return wall_ns / 1e9, cpu_us / 1e6, rss_kb, code


def interleaved(launcher, commands, runs, warmup):
    """Runs every command of `commands` (name -> argv) warmup + runs times, interleaved.
    Returns name -> {"wall", "cpu" (ms), "rss" (MB), "codes", "runs"} of the medians."""
    samples = {name: [] for name in commands}
    codes = {name: set() for name in commands}
    for i in range(warmup + runs):
        for name, argv in commands.items():
            wall, cpu, rss, code = run_once(launcher, argv)
            codes[name].add(code)
            if i >= warmup:
                samples[name].append((wall, cpu, rss))
    med = {}
    for name, rows in samples.items():
        med[name] = {
            "wall": statistics.median(r[0] for r in rows) * 1000,
            "cpu": statistics.median(r[1] for r in rows) * 1000,
            "rss": statistics.median(r[2] for r in rows) / 1024,
            "codes": sorted(codes[name]),
            "runs": len(rows),
        }
    return med


def print_table(med, width=8):
    print(f"{'command':<{width}} {'runs':>5} {'wall ms':>9} {'cpu ms':>8} {'max RSS MB':>11}"
          f"  exit codes")
    for name, m in med.items():
        print(f"{name:<{width}} {m['runs']:>5} {m['wall']:>9.2f} {m['cpu']:>8.2f} "
              f"{m['rss']:>11.2f}  {m['codes']}")


def verdict(value, limit):
    return "met" if value <= limit else "MISSED"


def ratio_line(label, a, b, target=None):
    """One line: a / b for wall, cpu and RSS. target: (field, limit) judged on that field."""
    wall = a["wall"] / b["wall"]
    cpu = a["cpu"] / max(b["cpu"], 1e-6)
    rss = a["rss"] / b["rss"]
    text = f"{label:<18} wall {wall:5.2f}x   cpu {cpu:5.2f}x   RSS {rss:6.3f}x"
    if target:
        field, limit = target
        value = {"wall": wall, "cpu": cpu, "rss": rss}[field]
        name = "RSS" if field == "rss" else field
        text += f"   (target: {name} <= {limit}x: {verdict(value, limit)})"
    print(text)
