#!/usr/bin/env python3
"""The end-to-end comparisons on one running master, from inside its network namespace (run
this file once there; no `ip netns exec` per timed call). Two suites, each a floor, mfsmon
and mfscli, interleaved (see benchlib.py for how runs are timed):

  replicas  the floor: bench/floor_client.cpp (connect, CLTOMA_INFO + CLTOMA_CHUNKS_MATRIX
            in one write, read both answers); `mfsmon check replicas`; `mfscli -SIC`.
  health    the floor: bench/replay_client.c given the conversation of `mfsmon check health`
            (collect/collector.cpp), built here from the master's version:
              write 1: INFO + CHUNKS_MATRIX + MLOG_LIST + CHUNKSTEST_INFO, read INFO's answer;
              write 2: CSERV_LIST + SCLASS_INFO + FSTEST_INFO + MISSING_CHUNKS in the forms
                       the version takes, read the other seven answers;
              write 3: MASS_RESOLVE_PATHS of the first 10 distinct missing inodes, when the
                       master lists missing chunks, and (4.44+) one CHUNKS_MATRIX per storage
                       class in use, read their answers;
              then CLTOCS_HDD_LIST to every chunkserver at once, one answer read from each.
            `mfsmon check health`; mfscli with the tables that hold the same data in one call
            (-SIG -SIC -SIL -SMF -SCS -SMB -SHD -SSC).

Proof that each floor sends what mfsmon sends: before timing, mfsmon and its floor each run
once through a recording proxy (a relay in this process, on a port of its own in the
namespace). The client's bytes are cut into writes wherever the master's bytes came in
between (a client cannot send its next write before it read an answer, so these are its
phases), and the two lists of writes are compared byte for byte. The result is printed.

With --prove-only, only the check health proof is made (run_cluster_bench.py does so once more
after killing a chunkserver that held goal-1 files, so that the third write,
MASS_RESOLVE_PATHS, is proven too).

Prints medians of wall time, CPU time and max RSS and the ratios, with the targets
(mfsmon <= 1.3x its floor for replicas, <= 1.5x for health). Never fails on a target.
"""
import argparse
import select
import shutil
import socket
import sys
import tempfile
import threading
import time

import benchlib

# Request types (MFSCommunication.h), as collect/collector.cpp sends them.
INFO, MATRIX, MLOG_LIST, CHUNKSTEST_INFO = 510, 516, 522, 514
MODULE_INFO = 530
CSERV_LIST, SCLASS_INFO, FSTEST_INFO, MISSING_CHUNKS = 500, 542, 512, 544
MASS_RESOLVE_PATHS = 536
RESOLVE_PATHS = 10  # mfsmon's default --max-paths: inodes resolved to paths

MFSCLI_HEALTH_TABLES = ["-SIG", "-SIC", "-SIL", "-SMF", "-SCS", "-SMB", "-SHD", "-SSC"]


def frame(ptype, payload=b""):
    return ptype.to_bytes(4, "big") + len(payload).to_bytes(4, "big") + payload


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("master closed the connection")
        buf += chunk
    return buf


def ask(sock, ptype, payload=b""):
    """One request, its answer's payload (NOPs skipped)."""
    sock.sendall(frame(ptype, payload))
    while True:
        header = read_exact(sock, 8)
        atype, length = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
        body = read_exact(sock, length)
        if atype == ptype + 1:
            return body
        if atype != 0:
            raise ConnectionError("answer of type %d to request %d" % (atype, ptype))


def version_from_info(payload):
    """(major, mid, minor) as protocol/master_version.cpp reads it."""
    major, mid, minor_byte = int.from_bytes(payload[:2], "big"), payload[2], payload[3]
    plain_patch = major < 2 or (major == 4 and mid <= 10)
    return (major, mid, minor_byte if plain_patch else minor_byte >> 1)


def request_forms(v):
    """The payloads of the version-dependent requests for master version v, as
    protocol/layout_table.cpp's ChooseRequest picks them (None: mfsmon does not send it)."""
    forms = {}
    if v >= (4, 35, 0):
        forms[CSERV_LIST] = b"\x01"
    elif v >= (3, 0, 38):
        forms[CSERV_LIST] = b""
    else:
        forms[CSERV_LIST] = None
    if v >= (4, 57, 0):
        forms[SCLASS_INFO] = b"\x05"
    elif (3, 0, 75) <= v < (4, 0, 0):
        forms[SCLASS_INFO] = b""
    else:
        forms[SCLASS_INFO] = None
    forms[FSTEST_INFO] = b"\x00" if v >= (3, 0, 19) or (2, 0, 66) <= v < (3, 0, 0) else b""
    forms[MISSING_CHUNKS] = (b"\x01" if v >= (3, 0, 25) or (2, 0, 71) <= v < (3, 0, 0)
                             else b"")
    return forms


def classes_in_use_v5(payload):
    """The ids of the storage classes in use (files or dirs > 0), in the master's order, from
    a MATOCL_SCLASS_INFO answer to the fver 5 request (4.57+; protocol/sclass_info_decoder.cpp:
    id, name, description, a 202-byte fixed part, then 130 bytes per label)."""
    ids, pos = [], 2  # allservers:16
    while pos < len(payload):
        cid = payload[pos]
        pos += 2 + payload[pos + 1]  # id, name
        pos += 1 + payload[pos]  # description
        fixed = payload[pos:pos + 202]
        files, dirs = int.from_bytes(fixed[0:4], "big"), int.from_bytes(fixed[4:8], "big")
        labels = fixed[173] + fixed[180] + fixed[187] + fixed[195]  # create, keep, arch, trash
        pos += 202 + labels * 130
        if files > 0 or dirs > 0:
            ids.append(cid)
    return ids


def health_steps(host, port, chunkservers):
    """The replay_client steps of `mfsmon check health` against this master (as
    collect/collector.cpp talks), and a description. Asks the master itself for its version,
    its missing chunks and (4.44+) its storage classes."""
    with socket.create_connection((host, port), timeout=10) as s:
        version = version_from_info(ask(s, INFO))
        forms = request_forms(version)
        inodes = []
        if forms[MISSING_CHUNKS] is not None:
            missing = ask(s, MISSING_CHUNKS, forms[MISSING_CHUNKS])
            size = 17 if forms[MISSING_CHUNKS] == b"\x01" else 16
            for off in range(0, len(missing) - size + 1, size):
                inode = int.from_bytes(missing[off + 8:off + 12], "big")
                if inode not in inodes and len(inodes) < RESOLVE_PATHS:
                    inodes.append(inode)
        # One CHUNKS_MATRIX per class in use, with the class id (00 + id), from 4.44 on; the
        # classes come from SCLASS_INFO, which mfsmon reads in the fver 5 form (4.57+).
        classes = []
        if version >= (4, 44, 0) and forms[SCLASS_INFO] == b"\x05":
            classes = classes_in_use_v5(ask(s, SCLASS_INFO, forms[SCLASS_INFO]))
    first = frame(INFO) + frame(MATRIX) + frame(MLOG_LIST) + frame(CHUNKSTEST_INFO)
    second = [frame(t, forms[t]) for t in (CSERV_LIST, SCLASS_INFO, FSTEST_INFO, MISSING_CHUNKS)
              if forms[t] is not None]
    steps = ["w:" + first.hex(), "r:1", "w:" + b"".join(second).hex(), "r:%d" % (3 + len(second))]
    text = ("master %d.%d.%d: write 1 INFO + MATRIX + MLOG_LIST + CHUNKSTEST_INFO, write 2 %d "
            "version-dependent requests" % (version + (len(second),)))
    third = []
    if inodes:
        third.append(frame(MASS_RESOLVE_PATHS, b"".join(i.to_bytes(4, "big") for i in inodes)))
    third += [frame(MATRIX, bytes([0, c])) for c in classes]
    if third:
        steps += ["w:" + b"".join(third).hex(), "r:%d" % len(third)]
        text += ", write 3 %s" % " + ".join(
            (["MASS_RESOLVE_PATHS of %d inodes" % len(inodes)] if inodes else [])
            + (["MATRIX of classes %s" % ",".join(map(str, classes))] if classes else []))
    if not inodes:
        text += " (no missing chunks: no MASS_RESOLVE_PATHS)"
    steps.append("cs:" + ",".join(chunkservers))
    text += ", then CLTOCS_HDD_LIST to %d chunkservers" % len(chunkservers)
    return steps, text


class RecordingProxy:
    """A relay to the master on a port of its own; records, per connection it accepts, the
    bytes each side sent, in the order this relay saw them: [("c"|"s", bytes), ...]."""

    def __init__(self, host, upstream_port):
        self.upstream = (host, upstream_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind((host, 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.conversations = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.upstream, timeout=10)
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            events = []
            self.conversations.append(events)
            peer = {client: (upstream, "c"), upstream: (client, "s")}
            try:
                while True:
                    ready, _, _ = select.select([client, upstream], [], [], 30)
                    if not ready:
                        break
                    done = False
                    for s in ready:
                        data = s.recv(1 << 16)
                        if not data:
                            done = True
                            break
                        other, tag = peer[s]
                        events.append((tag, data))
                        other.sendall(data)
                    if done:
                        break
            except OSError:
                pass
            client.close()
            upstream.close()

    def close(self):
        self.listener.close()

    def record(self, run):
        """Runs run(port) and returns the client's writes (bytes per phase) it made."""
        before = len(self.conversations)
        run(self.port)
        time.sleep(0.2)  # let the relay see the close
        convs = self.conversations[before:]
        writes = []
        for events in convs:
            last = None
            for tag, data in events:
                if tag == "c":
                    if last == "c":
                        writes[-1] += data
                    else:
                        writes.append(data)
                last = tag
        return writes, len(convs)


def describe_writes(writes):
    """"3 writes: 32 + 36 + 12 bytes (types 510 516 522 514 | ...)"."""
    parts = []
    for w in writes:
        types, off = [], 0
        while off + 8 <= len(w):
            types.append(str(int.from_bytes(w[off:off + 4], "big")))
            off += 8 + int.from_bytes(w[off + 4:off + 8], "big")
        parts.append(" ".join(types))
    return "%d writes of %s bytes (request types %s)" % (
        len(writes), " + ".join(str(len(w)) for w in writes), " | ".join(parts))


def prove(proxy, name, mfsmon_argv, floor_argv, launcher):
    """Runs mfsmon and the floor once each through the proxy and compares what the master
    received. Prints the verdict; returns True when identical."""
    def run(argv):
        return lambda port: benchlib.run_once(launcher, argv(port))
    mine, n_mine = proxy.record(run(mfsmon_argv))
    floor, n_floor = proxy.record(run(floor_argv))
    same = mine == floor and n_mine == 1 and n_floor == 1
    if same:
        print("proof (%s): the master received the same bytes in the same writes from mfsmon "
              "and the floor: %s" % (name, describe_writes(mine)))
    else:
        print("proof (%s): DIFFERENT. mfsmon (%d connections): %s; floor (%d connections): %s"
              % (name, n_mine, describe_writes(mine), n_floor, describe_writes(floor)))
        for i, (a, b) in enumerate(zip(mine, floor)):
            if a != b:
                print("  write %d: mfsmon %s\n           floor  %s" % (i + 1, a.hex(), b.hex()))
    return same


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=9421)
    ap.add_argument("--chunkservers", default="",
                    help="IP:PORT,... of the connected chunkservers (the health floor's)")
    ap.add_argument("--mfsmon", required=True)
    ap.add_argument("--floor", required=True, help="floor_client (replicas)")
    ap.add_argument("--replay", required=True, help="replay_client (health)")
    ap.add_argument("--launcher", required=True, help="the spawn_rusage binary")
    ap.add_argument("--mfscli", default="/usr/bin/mfscli")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--prefill", type=int, default=300,
                    help="history samples written before the history cost is timed")
    ap.add_argument("--prove-only", action="store_true",
                    help="only the check health proof (for a cluster with missing chunks: "
                    "waits up to 30 s for the master to list some)")
    args = ap.parse_args()
    host, port = args.host, str(args.port)
    mfscli = ["/usr/bin/python3", args.mfscli, "-H", host, "-P", port, "-n", "-p"]
    chunkservers = [c for c in args.chunkservers.split(",") if c]
    steps, conversation = health_steps(host, args.port, chunkservers)
    if args.prove_only:
        deadline = time.monotonic() + 30
        while "no missing chunks" in conversation and time.monotonic() < deadline:
            time.sleep(1)
            steps, conversation = health_steps(host, args.port, chunkservers)
        print("conversation: " + conversation)
        if "no missing chunks" in conversation:
            print("(the master listed no missing chunks within 30 s: MASS_RESOLVE_PATHS is not "
                  "exercised by this proof)")
        proxy = RecordingProxy(host, args.port)
        try:
            prove(proxy, "check health, missing chunks",
                  lambda p: [args.mfsmon, "check", "health", "-H", host, "-P", str(p),
                             "--no-history"],
                  lambda p: [args.replay, host, str(p)] + steps, args.launcher)
        finally:
            proxy.close()
        return 0

    state_dir = tempfile.mkdtemp(prefix="mfsmon-bench-state-")
    history_steps, history_text = replicas_history_steps(host, args.port)
    proxy = RecordingProxy(host, args.port)
    try:
        proven_replicas = prove(
            proxy, "check replicas",
            lambda p: [args.mfsmon, "check", "replicas", "-H", host, "-P", str(p),
                       "--no-history"],
            lambda p: [args.floor, host, str(p)], args.launcher)
        proven_health = prove(
            proxy, "check health",
            lambda p: [args.mfsmon, "check", "health", "-H", host, "-P", str(p),
                       "--no-history"],
            lambda p: [args.replay, host, str(p)] + steps, args.launcher)
        proven_history = prove(
            proxy, "check replicas with history",
            lambda p: [args.mfsmon, "check", "replicas", "-H", host, "-P", str(p),
                       "--state-dir", state_dir],
            lambda p: [args.replay, host, str(p)] + history_steps, args.launcher)
    finally:
        proxy.close()

    print()
    print("-- check replicas: floor = connect, INFO + CHUNKS_MATRIX, read both; "
          "mfscli -SIC")
    med = benchlib.interleaved(args.launcher, {
        "floor": [args.floor, host, port],
        "mfsmon": [args.mfsmon, "check", "replicas", "-H", host, "-P", port, "--no-history"],
        "mfscli": mfscli + ["-SIC"],
    }, args.runs, args.warmup)
    benchlib.print_table(med)
    print()
    note = "" if proven_replicas else "   [floor NOT proven equal, see above]"
    benchlib.ratio_line("mfsmon / floor", med["mfsmon"], med["floor"], ("wall", 1.3))
    if note:
        print(note)
    benchlib.ratio_line("mfsmon / mfscli", med["mfsmon"], med["mfscli"], ("rss", 0.1))
    print(f"mfscli / mfsmon     wall {med['mfscli']['wall'] / med['mfsmon']['wall']:.1f}x "
          f"slower, {med['mfscli']['rss'] / med['mfsmon']['rss']:.1f}x the memory")

    print()
    print("-- check health: floor = replay_client, " + conversation)
    print("   mfscli " + " ".join(MFSCLI_HEALTH_TABLES))
    med = benchlib.interleaved(args.launcher, {
        "floor": [args.replay, host, port] + steps,
        "mfsmon": [args.mfsmon, "check", "health", "-H", host, "-P", port, "--no-history"],
        "mfscli": mfscli + MFSCLI_HEALTH_TABLES,
    }, args.runs, args.warmup)
    benchlib.print_table(med)
    print()
    benchlib.ratio_line("mfsmon / floor", med["mfsmon"], med["floor"], ("wall", 1.5))
    if not proven_health:
        print("   [floor NOT proven equal, see above]")
    benchlib.ratio_line("mfsmon / mfscli", med["mfsmon"], med["mfscli"], ("rss", 0.1))
    print(f"mfscli / mfsmon     wall {med['mfscli']['wall'] / med['mfsmon']['wall']:.1f}x "
          f"slower, {med['mfscli']['rss'] / med['mfsmon']['rss']:.1f}x the memory")

    history_cost(args, host, port, state_dir, history_steps, history_text, proven_history)
    shutil.rmtree(state_dir, ignore_errors=True)
    return 0


def replicas_history_steps(host, port):
    """The replay_client steps of `check replicas` with the history on: CHUNKSTEST_INFO in
    the first write (the chunk loop's timing), and MODULE_INFO in a second where INFO has no
    metadata id (before 4.4)."""
    with socket.create_connection((host, port), timeout=10) as s:
        version = version_from_info(ask(s, INFO))
    steps = ["w:" + (frame(INFO) + frame(MATRIX) + frame(CHUNKSTEST_INFO)).hex(), "r:3"]
    text = "write 1 INFO + MATRIX + CHUNKSTEST_INFO"
    if (3, 0, 0) <= version < (4, 4, 0):
        steps += ["w:" + frame(MODULE_INFO).hex(), "r:1"]
        text += ", write 2 MODULE_INFO"
    return steps, text


def history_cost(args, host, port, state_dir, steps, text, proven):
    """What keeping the history costs a check: `check replicas` with the history in a
    store that already holds a day's samples, against --no-history and against the floor
    that sends the same (history) requests."""
    with_history = [args.mfsmon, "check", "replicas", "-H", host, "-P", port,
                    "--state-dir", state_dir]
    for _ in range(args.prefill):  # a store in use: the read window is full
        benchlib.run_once(args.launcher, with_history)
    print()
    print("-- history cost, check replicas: floor = replay_client, " + text +
          f"; store prefilled with {args.prefill} samples")
    med = benchlib.interleaved(args.launcher, {
        "floor": [args.replay, host, port] + steps,
        "off": [args.mfsmon, "check", "replicas", "-H", host, "-P", port, "--no-history"],
        "on": with_history,
    }, args.runs, args.warmup)
    benchlib.print_table(med)
    print()
    added_wall = med["on"]["wall"] - med["off"]["wall"]
    added_cpu = med["on"]["cpu"] - med["off"]["cpu"]
    print(f"history adds        wall {added_wall:+.2f} ms   cpu {added_cpu:+.2f} ms"
          f"   (target: wall <= 0.5 ms: {benchlib.verdict(added_wall, 0.5)})")
    benchlib.ratio_line("on / floor", med["on"], med["floor"], ("wall", 1.5))
    if not proven:
        print("   [floor NOT proven equal, see above]")


if __name__ == "__main__":
    sys.exit(main())
