"""A real MooseFS cluster on one host, for mfsmon's integration tests: MooseFS 3.0.117 from
Debian's packages, or MooseFS 4.x built from a source tarball (tests/harness/moosefs4_build.py).

Python 3 standard library only; needs root (network namespaces, tmpfs mounts). Version 3
needs the Debian packages moosefs-master, -chunkserver, -metalogger, -cli and libmfsio-dev;
version 4 needs MFSMON_MOOSEFS4_SOURCE=/path/to/moosefs-4.x.tar.gz (built once into a cache
outside the clone, see moosefs4_build.py) and the build dependencies in
scripts/install-deps.sh.

Why a network namespace: the master refuses chunkservers that connect from 127.0.0.0/8, so
every daemon binds to a /32 address from the benchmarking range 198.18.0.0/15 on the *own*
loopback of a namespace created for this run. No packet ever leaves that namespace, and
parallel runs cannot see each other. Everything that talks to the cluster (mfscli, the
writer helper, mfsmon itself) must run inside it: use Cluster.run().

    from mfscluster import Cluster
    with Cluster(version="4") as c:        # "3" (default) or "4"
        c.start(chunkservers=3)
        c.write_files(30, goal=3, subdir="g3")   # 4.x: storage class "3CP"
        print(c.mfscli("-SIC"))                  # plain text (both versions)
        print(c.mfscli_json("-SIC"))             # 4.x: `mfscli -j`, parsed
        c.stop_chunkserver(0)

Names: namespace "mfsmon-<owner pid>-<random hex>", data dir <base>/<namespace> with
base = $MFSMON_CLUSTER_BASE or /tmp/mfsmon-clusters. The owner PID in the name lets
Cluster.cleanup_leftovers() find and remove what a killed run left behind (daemons, tmpfs
mounts, namespace, data dir). Call it at the start of a test session (it is not automatic: it
trusts that a dead PID means a dead owner). Set MFSMON_KEEP_DATA=1 to keep the data dir
(configs, logs) after stop(); the tmpfs disks are unmounted even then.

Layout of the data dir: master/ metalogger/ cs<i>/ (each with its .cfg files, data/ and
daemon.log = the daemon's stdout+stderr), cs<i>/hdd/ (the chunkserver's disk: a tmpfs of
disk_mib MiB, default 2048, mounted for this run, so disk usage figures are the test's own and
not the host's) and the compiled mfs_write_files helper. Ports inside the namespace: master
9419/9420/9421, chunkserver i on 9422+i.

Disk figures: the chunkserver keeps HDD_LEAVE_SPACE_DEFAULT = 256 MiB free and counts it as
used, so an empty 2048 MiB disk is reported as total 2048 MiB, used ~256 MiB; fill_disk() fills
the tmpfs itself (statvfs), the reported "used" is then min(total, fs used + 256 MiB).
"""

import atexit
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moosefs4_build  # noqa: E402

# MooseFS 3.0.x from Debian's packages
MFSCLI = "/usr/bin/mfscli"
MFSMASTER = "/usr/sbin/mfsmaster"
MFSCHUNKSERVER = "/usr/sbin/mfschunkserver"
MFSMETALOGGER = "/usr/sbin/mfsmetalogger"
EMPTY_METADATA = "/var/lib/mfs/metadata.mfs.empty"
VERSIONS = ("3", "4")

DEFAULT_BASE = "/tmp/mfsmon-clusters"
NS_PREFIX = "mfsmon-"
NS_RE = re.compile(r"^mfsmon-(\d+)-([0-9a-f]+)$")

MATOML_PORT = 9419  # metaloggers -> master
MATOCS_PORT = 9420  # chunkservers -> master
MATOCL_PORT = 9421  # clients / admin tools -> master
CS_BASE_PORT = 9422  # chunkserver i listens on 9422 + i

# tmpfs per chunkserver disk. Not 512: with only 256 MiB above the 256 MiB reserve the
# master's own per-server figures (CSERV_LIST used/total) came out as 512/256 MiB on 3.0.117,
# 200 % "used", while the disk list said 50 %; from 2 GiB on, both agree (12.5 % empty).
# tmpfs takes memory only for what is written.
DISK_MIB = 2048
LEAVE_SPACE_MIB = 256   # HDD_LEAVE_SPACE_DEFAULT (3.0.117's and 4.59.2's default, explicit)
FILLER = ".mfsmon-filler"  # fill_disk()'s file, at the top of a chunkserver's tmpfs
# Temporary maintenance after a graceful chunkserver stop (SIGTERM); the default is 30 min.
# Both versions accept any number of seconds; 1 s is the smallest useful value (0 means "no
# timeout" in 4.59.2: csdb.c sets no end time, the maintenance lasts until the server comes
# back), but it is checked once a second, so it ends 1-2 s after the stop: gone before a
# test polling with mfscli (0.2 s per call, several s on a busy machine) can see it. 10 s
# can be seen by a test polling mfscli or mfsmon and costs nothing else here: it only delays
# re-replication of the stopped server's chunks, which needs more servers than the goal and
# then waits for the chunk loop (>= 60 s) anyway.
TEMP_MAINTENANCE_S = 10

# Bounds for every wait (seconds). Measured: cluster up 3.5-9 s, down ~4 s.
START_TIMEOUT = 60.0
DAEMON_STOP_TIMEOUT = 30.0
KILL_TIMEOUT = 5.0
MFSCLI_TIMEOUT = 20.0
REPORT_TIMEOUT = 30.0  # a maintenance switch or disk list change reaching the master
# A chunkserver re-reads its disks' usage after chunk operations on them, else every 60 s
# (hddspacemgr.c), so a fill_disk() reaches the master within ~60 s plus a report.
DISK_REPORT_TIMEOUT = 90.0


class ClusterError(RuntimeError):
    pass


def base_dir():
    return os.environ.get("MFSMON_CLUSTER_BASE") or DEFAULT_BASE


def _pid_alive(pid):
    """True if pid exists and is not a zombie (a zombie has exited; only reaping remains)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    # state is the first field after the parenthesised command name
    state = stat.rpartition(")")[2].split()[0]
    return state not in ("Z", "X")


def _ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), capture_output=True, text=True,
                          timeout=30, check=check)


def _list_namespaces():
    out = _ip("netns", "list", check=False).stdout
    # lines look like "NAME" or "NAME (id: 3)"
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _ns_pids(ns):
    r = _ip("netns", "pids", ns, check=False)
    return [int(p) for p in r.stdout.split() if p.isdigit()]


def _kill_and_wait(pids, timeout=KILL_TIMEOUT):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_pid_alive(p) for p in pids):
        time.sleep(0.05)


def _tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return "(cannot read %s: %s)\n" % (path, e)


def _unescape_mountinfo(field):
    # mountinfo escapes space, tab, newline and backslash as \ooo
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mounts_under(prefix):
    """Mount points at or below directory `prefix` in this process's mount namespace, deepest
    first (the order to unmount them in)."""
    prefix = os.path.realpath(prefix).rstrip("/") + "/"
    found = []
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                mp = _unescape_mountinfo(line.split()[4])
                if (mp + "/").startswith(prefix):
                    found.append(mp)
    except OSError:
        return []
    return sorted(set(found), key=lambda m: (-m.count("/"), m))


def _umount(path):
    """Unmount path (lazily if it is busy). Returns an error text or None."""
    r = subprocess.run(["umount", path], capture_output=True, text=True, timeout=30)
    if r.returncode == 0:
        return None
    r2 = subprocess.run(["umount", "-l", path], capture_output=True, text=True, timeout=30)
    if r2.returncode == 0:
        return None
    return (r.stderr or r2.stderr).strip()


def _umount_all_under(prefix, verbose=True):
    errors = []
    for mp in mounts_under(prefix):
        err = _umount(mp)
        if err:
            errors.append("%s: %s" % (mp, err))
    if errors and verbose:
        print("mfscluster: could not unmount %s" % "; ".join(errors), file=sys.stderr)
    return errors


def moosefs4_skip_reason():
    """None when live 4.x clusters can run (MFSMON_MOOSEFS4_SOURCE names an existing file),
    else one line saying how to enable them. A variable that names a missing file raises
    moosefs4_build.BuildError: that is a broken setup, never a skip."""
    if moosefs4_build.source_tarball() is None:
        return ("MooseFS 4.x live tests skipped: %s is not set; %s"
                % (moosefs4_build.ENV_SOURCE, moosefs4_build.ENABLE_HINT))
    return None


def wait_for(predicate, timeout, interval=0.2, what="condition"):
    """Call predicate() until it returns something truthy (which is returned) or timeout
    seconds pass (TimeoutError). Exceptions from predicate propagate."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


class _Daemon:
    """One daemon process: its command line, log file and Popen."""

    def __init__(self, name, argv, log):
        self.name = name
        self.argv = argv
        self.log = log
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        if self.proc is None:
            return False
        self.proc.poll()  # reap if it exited (non-blocking)
        return self.proc.returncode is None and _pid_alive(self.proc.pid)


# Live clusters, for the atexit / signal clean-up. Weak so a forgotten Cluster can be freed.
_live = weakref.WeakSet()
_hooks_installed = False
_hooks_lock = threading.Lock()


def _cleanup_all():
    for c in list(_live):
        try:
            c.stop()
        except Exception as e:  # keep cleaning the others
            print("mfscluster: cleanup of %s failed: %s" % (c.namespace, e), file=sys.stderr)


def _on_signal(signum, frame):
    # Ignore repeats while cleaning (a second Ctrl-C must not abort the cleanup half-way).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _cleanup_all()
    # Unwind normally (finally blocks, context managers; stop() is idempotent).
    raise SystemExit(128 + signum)


def _install_hooks():
    global _hooks_installed
    with _hooks_lock:
        if _hooks_installed:
            return
        _hooks_installed = True
        atexit.register(_cleanup_all)
        # Signal handlers can only be set from the main thread; leave handlers set by the
        # program itself (e.g. a test runner) alone: only replace the defaults.
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):
                    signal.signal(sig, _on_signal)


class Cluster:
    """A MooseFS cluster (master, N chunkservers, optional metalogger) in its own netns.

    version "3": MooseFS 3.0.117 from Debian's packages; "4": MooseFS 4.x built from
    $MFSMON_MOOSEFS4_SOURCE into the cache (built on first use; ClusterError with the one-line
    hint when the variable is unset, see moosefs4_skip_reason())."""

    def __init__(self, base=None, min_free_mib=2048, version="3", disk_mib=DISK_MIB):
        version = str(version)
        if version not in VERSIONS:
            raise ValueError("version must be one of %s, not %r" % (VERSIONS, version))
        if disk_mib <= LEAVE_SPACE_MIB:
            raise ValueError("disk_mib must be larger than HDD_LEAVE_SPACE_DEFAULT (%d MiB)"
                             % LEAVE_SPACE_MIB)
        self._version = version
        self._install = None  # moosefs4_build.Install for version 4
        if version == "4":
            reason = moosefs4_skip_reason()
            if reason:
                raise ClusterError(reason)
            try:
                self._install = moosefs4_build.ensure_built()
            except moosefs4_build.BuildError as e:
                raise ClusterError("MooseFS 4.x build failed: %s" % e) from None
            inst = self._install
            self._bin = {"mfsmaster": inst.mfsmaster, "mfschunkserver": inst.mfschunkserver,
                         "mfsmetalogger": inst.mfsmetalogger, "mfscli": inst.mfscli,
                         "metadata.mfs.empty": inst.empty_metadata}
            self._moosefs_version = inst.version
        else:
            self._bin = {"mfsmaster": MFSMASTER, "mfschunkserver": MFSCHUNKSERVER,
                         "mfsmetalogger": MFSMETALOGGER, "mfscli": MFSCLI,
                         "metadata.mfs.empty": EMPTY_METADATA}
            self._moosefs_version = None  # asked from dpkg when needed
        self._token = "%08x" % random.getrandbits(32)
        self._ns = "%s%d-%s" % (NS_PREFIX, os.getpid(), self._token)
        self._dir = os.path.join(base or base_dir(), self._ns)
        # 198.18.0.0/15 is reserved for benchmarking; pick one address per run.
        self._addr = "198.%d.%d.%d" % (random.choice((18, 19)), random.randint(0, 255),
                                       random.randint(1, 254))
        self._min_free_mib = min_free_mib
        self._disk_mib = disk_mib
        self._master = None
        self._metalogger = None
        self._cs = []  # _Daemon per chunkserver index
        self._hdd = []  # per chunkserver: {"marked": bool, "invalid": [paths]}
        self._mounts = []  # tmpfs mount points of this run
        self._ns_created = False
        self._stopped = False
        self._writer = None

    # ---- properties -------------------------------------------------------------------

    @property
    def version(self):
        """"3" or "4": the MooseFS major version this cluster runs."""
        return self._version

    @property
    def moosefs_version(self):
        """The full version of the binaries used, e.g. "3.0.117" or "4.59.2"."""
        if self._moosefs_version is None:
            r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "moosefs-master"],
                               capture_output=True, text=True, timeout=30)
            self._moosefs_version = (r.stdout.split("-")[0] if r.returncode == 0
                                     else "3.0.x (dpkg-query failed)")
        return self._moosefs_version

    def tools(self):
        """Which binaries this cluster uses: {"version", "moosefs_version", "source",
        "mfsmaster", "mfschunkserver", "mfsmetalogger", "mfscli", "metadata.mfs.empty",
        "libmfsio" (compile/link flags of the writer helper), "writer" (its binary, once
        compiled), "cache_dir" (4.x only)}."""
        t = {"version": self._version, "moosefs_version": self.moosefs_version}
        t.update(self._bin)
        if self._install:
            t["source"] = "built from %s (sha256 %s)" % (self._install.info.get("tarball"),
                                                        self._install.sha256)
            t["cache_dir"] = self._install.cache_dir
            t["libmfsio"] = "-I%s -L%s -lmfsio" % (self._install.include_dir,
                                                   self._install.lib_dir)
        else:
            t["source"] = "Debian packages"
            t["libmfsio"] = "-lmfsio (libmfsio-dev)"
        t["writer"] = self._writer
        return t

    @property
    def address(self):
        return self._addr

    @property
    def port(self):
        return MATOCL_PORT

    @property
    def namespace(self):
        return self._ns

    @property
    def data_dir(self):
        return self._dir

    @property
    def chunkserver_count(self):
        return len(self._cs)

    @property
    def disk_bytes(self):
        """Size of each chunkserver's tmpfs disk."""
        return self._disk_mib * 1024 * 1024

    def chunkserver_port(self, i):
        return CS_BASE_PORT + i

    def chunkserver_hdd(self, i):
        """The chunkserver's storage directory (its tmpfs; the first line of mfshdd.cfg)."""
        return os.path.join(self._dir, "cs%d" % i, "hdd")

    def log_path(self, daemon):
        """daemon: "master", "metalogger" or "cs<i>"."""
        return os.path.join(self._dir, daemon, "daemon.log")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def __repr__(self):
        return "<Cluster %s MooseFS %s %s:%d>" % (self._ns, self._version, self._addr,
                                                 MATOCL_PORT)

    # ---- leftovers from killed runs ---------------------------------------------------

    @staticmethod
    def cleanup_leftovers(base=None, verbose=True):
        """Remove what runs whose owner process is gone left behind: daemons (found with
        `ip netns pids` and, in case the namespace is already gone, by their config path
        under the base dir), tmpfs disks mounted under their data dirs, namespaces
        mfsmon-<pid>-* and data dirs. Runs of live processes are not touched. Returns the
        list of removed namespace names."""
        base = base or base_dir()

        def dead_owner(name):
            m = NS_RE.match(name)
            if not m:
                return False
            pid = int(m.group(1))
            return pid != os.getpid() and not _pid_alive(pid)

        names = {n for n in _list_namespaces() if dead_owner(n)}
        if os.path.isdir(base):
            names |= {n for n in os.listdir(base) if dead_owner(n)}
        # data dirs whose directory entry is gone but whose mounts are not (rare)
        for mp in mounts_under(base):
            rel = os.path.relpath(mp, os.path.realpath(base)).split("/", 1)[0]
            if dead_owner(rel):
                names.add(rel)
        removed = []
        for name in sorted(names):
            pids = _ns_pids(name) if os.path.exists("/run/netns/" + name) else []
            # Daemons whose namespace was deleted already: match their -c path.
            marker = os.path.join(base, name) + "/"
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % entry, "rb") as f:
                        cmd = f.read().decode(errors="replace")
                except OSError:
                    continue
                if marker in cmd and int(entry) not in pids:
                    pids.append(int(entry))
            if pids:
                _kill_and_wait(pids)
            mounts = mounts_under(os.path.join(base, name))
            _umount_all_under(os.path.join(base, name), verbose)
            if os.path.exists("/run/netns/" + name):
                _ip("netns", "del", name, check=False)
            if not mounts_under(os.path.join(base, name)):
                shutil.rmtree(os.path.join(base, name), ignore_errors=True)
            removed.append(name)
            if verbose:
                print("mfscluster: removed leftover %s (killed %d processes, unmounted %d "
                      "disks)" % (name, len(pids), len(mounts)), file=sys.stderr)
        return removed

    # ---- start ------------------------------------------------------------------------

    def _check_disk(self):
        os.makedirs(self._dir, exist_ok=True)
        free_mib = shutil.disk_usage(self._dir).free // (1024 * 1024)
        if free_mib < self._min_free_mib:
            raise ClusterError("not enough free disk space: %d MiB free in %s, need %d MiB"
                               % (free_mib, self._dir, self._min_free_mib))

    def _write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def _write_cfg(self, path, overrides, lines):
        """Write "KEY = value" lines; overrides (dict) replace or add keys."""
        cfg = dict(l.split(" = ", 1) for l in lines)
        cfg.update({k: str(v) for k, v in (overrides or {}).items()})
        self._write(path, "".join("%s = %s\n" % kv for kv in cfg.items()))

    def _master_settings(self):
        """The master settings that turn minutes into seconds (real-cluster-on-one-host.md).
        4.x wants a fifth value in the replication limits (I/O-triggered recovery)."""
        if self._version == "4":
            write_rep, read_rep = "20,15,10,20,20", "50,30,20,30,50"
        else:
            write_rep, read_rep = "20,15,10,20", "50,30,20,30"
        return ["REPLICATIONS_DELAY_INIT = 0",
                "CS_TEMP_MAINTENANCE_MODE_TIMEOUT = %d" % TEMP_MAINTENANCE_S,
                "CHUNKS_WRITE_REP_LIMIT = " + write_rep,
                "CHUNKS_READ_REP_LIMIT = " + read_rep,
                "CHUNKS_SOFT_DEL_LIMIT = 50",
                "CHUNKS_HARD_DEL_LIMIT = 100"]

    def _write_configs(self, chunkservers, master_config, chunkserver_config):
        a = self._addr
        d = os.path.join(self._dir, "master")
        self._write(os.path.join(d, "mfsexports.cfg"),
                    "* / rw,alldirs,admin,maproot=0:0\n* . rw\n")
        self._write(os.path.join(d, "mfstopology.cfg"), "")
        os.makedirs(os.path.join(d, "data"), exist_ok=True)
        shutil.copyfile(self._bin["metadata.mfs.empty"], os.path.join(d, "data", "metadata.mfs"))
        self._write_cfg(os.path.join(d, "mfsmaster.cfg"), master_config, [
            "WORKING_USER = root",
            "WORKING_GROUP = root",
            "DATA_PATH = %s/data" % d,
            "EXPORTS_FILENAME = %s/mfsexports.cfg" % d,
            "TOPOLOGY_FILENAME = %s/mfstopology.cfg" % d,
            "MATOML_LISTEN_HOST = %s" % a,
            "MATOML_LISTEN_PORT = %d" % MATOML_PORT,
            "MATOCS_LISTEN_HOST = %s" % a,
            "MATOCS_LISTEN_PORT = %d" % MATOCS_PORT,
            # '*' so 127.0.0.1:9421 works inside the namespace too
            "MATOCL_LISTEN_HOST = *",
            "MATOCL_LISTEN_PORT = %d" % MATOCL_PORT] + self._master_settings())
        self._master = _Daemon("master", [self._bin["mfsmaster"], "-a", "-c",
                                          os.path.join(d, "mfsmaster.cfg"), "-f", "start"],
                               self.log_path("master"))

        d = os.path.join(self._dir, "metalogger")
        os.makedirs(os.path.join(d, "data"), exist_ok=True)
        self._write_cfg(os.path.join(d, "mfsmetalogger.cfg"), None, [
            "WORKING_USER = root",
            "WORKING_GROUP = root",
            "DATA_PATH = %s/data" % d,
            "MASTER_HOST = %s" % a,
            "MASTER_PORT = %d" % MATOML_PORT,
            "BIND_HOST = %s" % a,
            "META_DOWNLOAD_FREQ = 1"])
        self._metalogger = _Daemon("metalogger", [self._bin["mfsmetalogger"], "-c",
                                                  os.path.join(d, "mfsmetalogger.cfg"),
                                                  "-f", "start"], self.log_path("metalogger"))

        for i in range(chunkservers):
            d = os.path.join(self._dir, "cs%d" % i)
            os.makedirs(os.path.join(d, "data"), exist_ok=True)
            self._mount_disk(i)
            self._hdd.append({"marked": False, "invalid": []})
            self._write_hdd_cfg(i)
            self._write_cfg(os.path.join(d, "mfschunkserver.cfg"), chunkserver_config, [
                "WORKING_USER = root",
                "WORKING_GROUP = root",
                "DATA_PATH = %s/data" % d,
                "MASTER_HOST = %s" % a,
                "MASTER_PORT = %d" % MATOCS_PORT,
                "BIND_HOST = %s" % a,
                "CSSERV_LISTEN_HOST = %s" % a,
                "CSSERV_LISTEN_PORT = %d" % self.chunkserver_port(i),
                "HDD_CONF_FILENAME = %s/mfshdd.cfg" % d,
                # explicit (it is also the default of both versions): the reserve counts as
                # used space; the tmpfs disk is larger than it
                "HDD_LEAVE_SPACE_DEFAULT = %dMiB" % LEAVE_SPACE_MIB,
                "MASTER_RECONNECTION_DELAY = 1"])
            self._cs.append(_Daemon("cs%d" % i, [self._bin["mfschunkserver"], "-c",
                                                  os.path.join(d, "mfschunkserver.cfg"),
                                                  "-f", "start"], self.log_path("cs%d" % i)))

    def _mount_disk(self, i):
        """A size-limited tmpfs as chunkserver i's disk, mounted in the host's mount namespace
        (`ip netns exec` gives the daemons a slave copy of it, so they see it)."""
        hdd = self.chunkserver_hdd(i)
        os.makedirs(hdd, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                            "size=%dm,mode=0755" % self._disk_mib, "mfsmon-cs%d" % i, hdd],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise ClusterError("mounting a %d MiB tmpfs on %s failed: %s"
                               % (self._disk_mib, hdd, r.stderr.strip()))
        self._mounts.append(hdd)

    def _write_hdd_cfg(self, i):
        # The tmpfs line first ('*' = marked for removal), then invalid lines if any.
        # No size limit: the tmpfs has its own size.
        h = self._hdd[i]
        lines = ["%s%s" % ("*" if h["marked"] else "", self.chunkserver_hdd(i))] + h["invalid"]
        self._write(os.path.join(self._dir, "cs%d" % i, "mfshdd.cfg"),
                    "".join(l + "\n" for l in lines))

    def _spawn(self, daemon):
        if daemon.running():
            raise ClusterError("%s is already running (pid %d)" % (daemon.name, daemon.pid))
        log = open(daemon.log, "ab")
        try:
            # `ip netns exec` execs the command without forking, so Popen.pid is the
            # daemon's PID. start_new_session = setsid: the daemon gets its own session and
            # process group, so a terminal's Ctrl-C reaches only us and we stop it ourselves.
            daemon.proc = subprocess.Popen(["ip", "netns", "exec", self._ns] + daemon.argv,
                                           stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                           cwd=os.path.dirname(daemon.log),
                                           start_new_session=True)
        finally:
            log.close()

    def _fail(self, message, daemons):
        text = [message]
        for d in daemons:
            if d is not None:
                text.append("---- %s (%s), last lines of %s:\n%s"
                            % (d.name, "running" if d.running() else "not running",
                               d.log, _tail(d.log)))
        raise ClusterError("\n".join(text))

    def start(self, chunkservers=3, metalogger=True, timeout=START_TIMEOUT,
              master_config=None, chunkserver_config=None):
        """Create the namespace, mount the chunkservers' tmpfs disks, start master,
        metalogger and chunkservers, and wait until all chunkservers are registered and have
        reported their disks and chunks (and the metalogger is connected).
        master_config / chunkserver_config: dicts of extra or replaced config keys, e.g.
        {"CS_TEMP_MAINTENANCE_MODE_TIMEOUT": 1800} to keep the temporary maintenance of a
        SIGTERMed chunkserver visible for longer than TEMP_MAINTENANCE_S.
        On any failure everything is torn down and ClusterError carries the log tails."""
        if self._master is not None or self._stopped:
            raise ClusterError("start() can be called once per Cluster")
        if chunkservers < 1 or chunkservers > 20:
            raise ValueError("chunkservers must be 1..20")
        _install_hooks()
        _live.add(self)
        try:
            self._check_disk()
            _ip("netns", "add", self._ns)
            self._ns_created = True
            _ip("-n", self._ns, "link", "set", "lo", "up")
            _ip("-n", self._ns, "addr", "add", self._addr + "/32", "dev", "lo")
            self._write_configs(chunkservers, master_config, chunkserver_config)
            deadline = time.monotonic() + timeout
            self._spawn(self._master)
            self._wait_master(deadline - time.monotonic())
            if metalogger:
                self._spawn(self._metalogger)
            for d in self._cs:
                self._spawn(d)
            self._wait_chunkservers(range(chunkservers), deadline - time.monotonic())
            if metalogger:
                self._wait_metalogger(deadline - time.monotonic())
        except BaseException:
            self.stop()
            raise
        return self

    def _master_up(self):
        if not self._master.running():
            self._fail("mfsmaster exited (rc %s)" % self._master.proc.returncode, [self._master])
        if self._version == "4":
            try:
                doc = self.mfscli_json("-SIG", check=False)
            except ClusterError:
                return False
            return bool(doc and not doc.get("errors")
                        and doc.get("dataset", {}).get("info", {}).get("general"))
        r = self.run(self._mfscli_argv() + ["-H", self._addr, "-P", str(MATOCL_PORT), "-n", "-p",
                      "-SIN"], timeout=MFSCLI_TIMEOUT)
        return r.returncode == 0 and "master info:" in r.stdout

    def _wait_master(self, timeout):
        try:
            wait_for(self._master_up, max(timeout, 1), what="mfsmaster")
        except TimeoutError as e:
            self._fail(str(e), [self._master])

    @staticmethod
    def _maintenance_name(text):
        """mfscli's maintenance wording, both versions -> "off" | "on" | "temporary"."""
        t = (text or "").lower()
        if "tmp" in t or "temp" in t:
            return "temporary"
        if t.endswith("_on") or t == "on" or t.startswith("on"):
            return "on"
        return "off"

    def chunkservers_status(self):
        """{port: {...}} for this cluster's chunkservers, from `mfscli -SCS` (3.x plain text,
        4.x JSON). Every entry has "connected" (bool), "csid", "maint" (mfscli's own word:
        3.x maintenance_off/_on/_tmp_on, 4.x off/on/on (temp)...), "maintenance" ("off",
        "on" or "temporary", both versions); connected entries also "chunks", "used",
        "total" (bytes, regular disks), "mfr" (3.x: mfscli's removal status text; 4.x:
        hdd_removal_stat) and on 4.x "maintenance_timeout" and "flags"."""
        res = {}
        if self._version == "4":
            for e in self.mfscli_json("-SCS")["dataset"]["chunkservers"]:
                if e.get("ip") != self._addr:
                    continue
                mm = str(e.get("maintenance_mode"))
                flags = e.get("flags", 0)
                ent = {"connected": bool(e.get("connected")), "csid": str(e.get("csid")),
                       "maint": mm, "flags": flags,
                       "maintenance": ("temporary" if flags & 4 else "on" if flags & 2
                                       else "off"),
                       "maintenance_timeout": e.get("maintenance_mode_timeout")}
                if ent["connected"]:
                    ent.update({"chunks": e["hdd_regular_chunks"], "used": e["hdd_regular_used"],
                                "total": e["hdd_regular_total"], "mfr": e.get("hdd_removal_stat"),
                                "removal_chunks": e.get("hdd_removal_chunks")})
                res[int(e["port"])] = ent
            return res
        out = self.mfscli("-SCS")
        for line in out.splitlines():
            f = line.split("\t")
            if f[0] == "chunk servers:" and len(f) >= 12 and f[1] == self._addr:
                res[int(f[2])] = {"connected": True, "csid": f[3], "maint": f[7],
                                  "maintenance": self._maintenance_name(f[7]),
                                  "chunks": int(f[8]), "used": int(f[9]), "total": int(f[10]),
                                  "mfr": f[11]}
            elif f[0] == "Disconnected chunk servers:" and len(f) >= 4 and f[1] == self._addr:
                maint = f[4] if len(f) > 4 else ""
                res[int(f[2])] = {"connected": False, "csid": f[3], "maint": maint,
                                  "maintenance": self._maintenance_name(maint)}
        return res

    def _registered(self, indices):
        for i in indices:
            if not self._cs[i].running():
                self._fail("chunkserver %d exited (rc %s)" % (i, self._cs[i].proc.returncode),
                           [self._cs[i], self._master])
        st = self.chunkservers_status()
        # "total > 0": it has reported its disks. Registration alone is not enough: its
        # chunks are counted (and it can take writes) only ~1.5 s later, with the totals.
        return all(st.get(self.chunkserver_port(i), {}).get("connected")
                   and st[self.chunkserver_port(i)]["total"] > 0 for i in indices)

    def _wait_chunkservers(self, indices, timeout):
        indices = list(indices)
        try:
            wait_for(lambda: self._registered(indices), max(timeout, 1),
                     what="chunkservers %s to register" % indices)
        except TimeoutError as e:
            self._fail(str(e), [self._master] + [self._cs[i] for i in indices])

    def metaloggers(self):
        """IP addresses of the metaloggers the master lists (mfscli -SMB)."""
        if self._version == "4":
            return [m.get("ip") for m in
                    self.mfscli_json("-SMB")["dataset"].get("metaloggers", [])]
        return [l.split("\t")[1] for l in self.mfscli("-SMB").splitlines()
                if l.startswith("metadata backup loggers:\t")]

    def _wait_metalogger(self, timeout):
        def connected():
            if not self._metalogger.running():
                self._fail("mfsmetalogger exited", [self._metalogger, self._master])
            return bool(self.metaloggers())
        try:
            wait_for(connected, max(timeout, 1), what="metalogger")
        except TimeoutError as e:
            self._fail(str(e), [self._metalogger, self._master])

    # ---- commands inside the namespace -------------------------------------------------

    def run(self, argv, **kw):
        """Run argv inside the namespace; returns CompletedProcess. Defaults: capture
        output as text, timeout 120 s (every wait is bounded), no check."""
        if not self._ns_created:
            raise ClusterError("cluster namespace does not exist (not started or stopped)")
        kw.setdefault("timeout", 120)
        if "stdout" not in kw and "stderr" not in kw:
            kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run(["ip", "netns", "exec", self._ns] + list(argv), **kw)

    def popen(self, argv, **kw):
        """Popen inside the namespace (e.g. a long-running mfsmon). The caller waits for it."""
        if not self._ns_created:
            raise ClusterError("cluster namespace does not exist (not started or stopped)")
        return subprocess.Popen(["ip", "netns", "exec", self._ns] + list(argv), **kw)

    def _mfscli_argv(self):
        """How to run this cluster's mfscli. The 4.x one is started with Debian's python3:
        its shebang is whatever python configure found first on PATH at build time."""
        if self._version == "4":
            return ["/usr/bin/python3", self._bin["mfscli"]]
        return [self._bin["mfscli"]]

    def mfscli(self, args, check=True):
        """`mfscli -H ADDR -P 9421 -n -p <args>` inside the namespace (this cluster's own
        mfscli: 3.0.117 or 4.x); returns stdout. args: a string ("-SIC -m 1") or a list.
        Plain-text layouts differ between versions; on 4.x prefer mfscli_json()."""
        if isinstance(args, str):
            args = args.split()
        r = self.run(self._mfscli_argv() + ["-H", self._addr, "-P", str(MATOCL_PORT), "-n", "-p"]
                     + list(args), timeout=MFSCLI_TIMEOUT)
        # mfscli exits 0 even when it cannot reach the master; it only prints this
        unreachable = "Working master servers not found" in r.stdout
        if check and (r.returncode != 0 or unreachable):
            raise ClusterError("mfscli %s failed (rc %d): %s"
                               % (" ".join(args), r.returncode, (r.stderr or r.stdout).strip()))
        return r.stdout

    def mfscli_json(self, args, check=True):
        """4.x only: `mfscli -H ADDR -P 9421 -j <args>` inside the namespace, parsed.
        Returns the whole document ({"version", "timestamp", "dataset": {...}, "errors":
        [...]}). With check, a non-zero exit, unparsable output or a non-empty "errors" list
        (e.g. master unreachable) raise ClusterError."""
        if self._version != "4":
            raise ClusterError("mfscli_json() needs a 4.x cluster (3.0.117's mfscli has no -j)")
        if isinstance(args, str):
            args = args.split()
        r = self.run(self._mfscli_argv() + ["-H", self._addr, "-P", str(MATOCL_PORT), "-j"]
                     + list(args), timeout=MFSCLI_TIMEOUT)
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            if check:
                raise ClusterError("mfscli -j %s printed no JSON (rc %d): %s"
                                   % (" ".join(args), r.returncode,
                                      (r.stderr or r.stdout).strip()[:2000]))
            return None
        if check and (r.returncode != 0 or doc.get("errors")):
            raise ClusterError("mfscli -j %s failed (rc %d): %s"
                               % (" ".join(args), r.returncode,
                                  doc.get("errors") or r.stderr.strip()))
        return doc

    def chunk_matrix(self):
        """The raw CHUNKS_MATRIX answer, queried with a tiny inline client: mfscli's plain
        output does not show the progress byte.
        3.x (969 bytes): {"progress": int, "all": 11x11, "regular": 11x11}.
        4.x (3873 bytes): the same keys (matrices 0 and 1) plus "matrices": the 8 matrices
        (all, regular, copies all/regular, EC8 all/regular, EC4 all/regular), each 11x11."""
        code = (
            "import socket,struct,sys\n"
            "s=socket.create_connection((sys.argv[1],int(sys.argv[2])),5)\n"
            "s.sendall(struct.pack('>II',516,0))\n"
            "def rd(n):\n"
            " b=b''\n"
            " while len(b)<n:\n"
            "  c=s.recv(n-len(b))\n"
            "  if not c: raise SystemExit('connection closed')\n"
            "  b+=c\n"
            " return b\n"
            "while True:\n"
            " t,l=struct.unpack('>II',rd(8)); p=rd(l)\n"
            " if t==517: break\n"  # skip NOPs (type 0)
            "sys.stdout.write(p.hex())\n")
        r = self.run([sys.executable or "/usr/bin/python3", "-c", code, self._addr, str(MATOCL_PORT)],
                     timeout=MFSCLI_TIMEOUT)
        if r.returncode != 0:
            raise ClusterError("chunk matrix query failed: %s" % r.stderr.strip())
        p = bytes.fromhex(r.stdout)
        count = {"3": 2, "4": 8}[self._version]
        if len(p) != 1 + 484 * count:
            raise ClusterError("unexpected CHUNKS_MATRIX answer length %d (MooseFS %s: %d)"
                               % (len(p), self._version, 1 + 484 * count))
        vals = [int.from_bytes(p[1 + 4 * k:5 + 4 * k], "big") for k in range(121 * count)]
        mats = [[vals[m * 121 + r * 11:m * 121 + (r + 1) * 11] for r in range(11)]
                for m in range(count)]
        res = {"progress": p[0], "all": mats[0], "regular": mats[1]}
        if count == 8:
            res["matrices"] = mats
        return res

    # ---- daemon control ---------------------------------------------------------------

    def _stop_daemons(self, daemons, sig=signal.SIGTERM, timeout=DAEMON_STOP_TIMEOUT):
        """Signal all, then wait (bounded) for all to exit; SIGKILL what remains."""
        daemons = [d for d in daemons if d is not None and d.proc is not None]
        for d in daemons:
            if d.running():
                try:
                    os.kill(d.pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(d.running() for d in daemons):
            time.sleep(0.05)
        left = [d.pid for d in daemons if d.running()]
        if left:
            print("mfscluster: %s did not stop in %.0f s, sending SIGKILL"
                  % ([d.name for d in daemons if d.running()], timeout), file=sys.stderr)
            _kill_and_wait(left)
        for d in daemons:
            d.proc.poll()

    def _check_index(self, i):
        if not 0 <= i < len(self._cs):
            raise IndexError("no chunkserver %d (have %d)" % (i, len(self._cs)))

    def stop_chunkserver(self, i, signal=signal.SIGTERM, wait=True, timeout=DAEMON_STOP_TIMEOUT):
        """Stop chunkserver i with `signal` (SIGTERM = graceful: the master puts it into
        temporary maintenance, for CS_TEMP_MAINTENANCE_MODE_TIMEOUT = TEMP_MAINTENANCE_S
        here; SIGKILL = crash, no maintenance). With wait, also wait until the master lists
        it as disconnected. (The parameter shadows the signal module inside these methods;
        they do not use it.)"""
        self._check_index(i)
        self._stop_daemons([self._cs[i]], signal, timeout)
        if wait:
            port = self.chunkserver_port(i)
            wait_for(lambda: not self.chunkservers_status().get(port, {}).get("connected"),
                     timeout, what="master to see chunkserver %d disconnected" % i)

    def start_chunkserver(self, i, wait=True, timeout=START_TIMEOUT):
        """(Re)start chunkserver i and, with wait, wait until it is registered again. To
        restart several at once: start_chunkserver(i, wait=False) for each, then
        wait_chunkservers()."""
        self._check_index(i)
        self._spawn(self._cs[i])
        if wait:
            self._wait_chunkservers([i], timeout)

    def chunkserver_running(self, i):
        self._check_index(i)
        return self._cs[i].running()

    def wait_chunkservers(self, indices=None, timeout=START_TIMEOUT):
        """Wait until chunkservers `indices` (default: all) are registered with disk space."""
        self._wait_chunkservers(range(len(self._cs)) if indices is None else indices, timeout)

    def stop_metalogger(self, signal=signal.SIGTERM, wait=True, timeout=DAEMON_STOP_TIMEOUT):
        self._stop_daemons([self._metalogger], signal, timeout)
        if wait:
            wait_for(lambda: not self.metaloggers(), timeout,
                     what="master to drop the metalogger")

    def start_metalogger(self, timeout=START_TIMEOUT):
        self._spawn(self._metalogger)
        self._wait_metalogger(timeout)

    def stop_master(self, signal=signal.SIGTERM, timeout=DAEMON_STOP_TIMEOUT):
        """Stop the master (for "master unreachable" tests). Chunkservers keep running and
        reconnect when start_master() is called."""
        self._stop_daemons([self._master], signal, timeout)

    def start_master(self, timeout=START_TIMEOUT):
        """Restart the master (with -a: recovers after SIGKILL) and wait until every running
        chunkserver has registered again."""
        deadline = time.monotonic() + timeout
        self._spawn(self._master)
        self._wait_master(deadline - time.monotonic())
        running = [i for i, d in enumerate(self._cs) if d.running()]
        self._wait_chunkservers(running, deadline - time.monotonic())

    def set_maintenance(self, i, on, wait=True, timeout=REPORT_TIMEOUT):
        """Switch chunkserver i's maintenance mode on or off: `mfscli -CM1/IP/PORT` or
        `-CM0/IP/PORT` (the same command in 3.0.117 and 4.x). With wait, wait until -SCS
        shows it ("on" / "off"; switching off also ends a temporary maintenance)."""
        self._check_index(i)
        port = self.chunkserver_port(i)
        cmd = "-CM%d/%s/%d" % (1 if on else 0, self._addr, port)
        out = self.mfscli([cmd])
        if "can't" in out.lower() or "not found" in out.lower():
            raise ClusterError("mfscli %s: %s" % (cmd, out.strip()))
        if wait:
            want = "on" if on else "off"
            wait_for(lambda: self.chunkservers_status().get(port, {}).get("maintenance") == want,
                     timeout, what="chunkserver %d maintenance %s" % (i, want))
        return out

    # ---- disks ------------------------------------------------------------------------

    def _hup_chunkserver(self, i):
        if not self._cs[i].running():
            raise ClusterError("chunkserver %d is not running" % i)
        os.kill(self._cs[i].pid, signal.SIGHUP)  # SIGHUP = reload config incl. mfshdd.cfg

    def mark_disk_for_removal(self, i):
        """Prefix chunkserver i's disk with '*' in mfshdd.cfg and reload it. The master shows
        it within ~1 s (-SCS NOT READY, -SHD "marked for removal")."""
        self._check_index(i)
        self._hdd[i]["marked"] = True
        self._write_hdd_cfg(i)
        self._hup_chunkserver(i)

    def unmark_disk(self, i):
        self._check_index(i)
        self._hdd[i]["marked"] = False
        self._write_hdd_cfg(i)
        self._hup_chunkserver(i)

    def add_invalid_disk(self, i):
        """Add a line to chunkserver i's mfshdd.cfg naming a folder that does not exist and
        reload it (SIGHUP): the chunkserver keeps running and reports that disk as invalid
        (-SHD; in the HDD_LIST answer flags damaged+invalid). Returns the path.
        remove_invalid_disks(i) takes such lines out again."""
        self._check_index(i)
        path = os.path.join(self._dir, "cs%d" % i,
                            "no-such-disk-%d" % (len(self._hdd[i]["invalid"]) + 1))
        if os.path.exists(path):
            raise ClusterError("%s exists" % path)
        self._hdd[i]["invalid"].append(path)
        self._write_hdd_cfg(i)
        self._hup_chunkserver(i)
        return path

    def remove_invalid_disks(self, i):
        self._check_index(i)
        self._hdd[i]["invalid"] = []
        self._write_hdd_cfg(i)
        self._hup_chunkserver(i)

    def disk_usage(self, i):
        """Chunkserver i's tmpfs as statvfs sees it and as the chunkserver will report it:
        {"size", "used", "free", "filler", "expected_reported_used"} in bytes, where
        expected_reported_used = min(size, used + HDD_LEAVE_SPACE_DEFAULT)."""
        self._check_index(i)
        hdd = self.chunkserver_hdd(i)
        st = os.statvfs(hdd)
        size = st.f_frsize * st.f_blocks
        free = st.f_frsize * st.f_bavail
        used = size - free
        filler = os.path.join(hdd, FILLER)
        fsize = os.stat(filler).st_blocks * 512 if os.path.exists(filler) else 0
        return {"size": size, "used": used, "free": free, "filler": fsize,
                "expected_reported_used": min(size, used + LEAVE_SPACE_MIB * 1024 * 1024)}

    def _wait_reported_usage(self, i, timeout):
        """Wait until the master reports chunkserver i's disk usage as the tmpfs now has it
        (within 1 MiB plus 1% of the size: chunks may be written meanwhile)."""
        port = self.chunkserver_port(i)
        slack = 1024 * 1024 + self.disk_bytes // 100

        def reported():
            want = self.disk_usage(i)["expected_reported_used"]
            st = self.chunkservers_status().get(port, {})
            if not st.get("connected") or not st.get("total"):
                return None
            return st if abs(st["used"] - want) <= slack else None
        return wait_for(reported, timeout, interval=0.3,
                        what="master to report chunkserver %d's new disk usage" % i)

    def fill_disk(self, i, fraction, wait=True, timeout=DISK_REPORT_TIMEOUT):
        """Make chunkserver i's tmpfs at least `fraction` (0 < fraction <= 1) full with a
        filler file (FILLER, at the top of the tmpfs; the chunkserver ignores it), or remove
        the filler when fraction is None or 0. With wait, wait until the master reports the
        new usage: up to ~60 s, as the chunkserver re-reads a disk's usage every 60 s unless
        chunks are written to it (to fill several disks, call with wait=False for each, then
        wait_disk_reports()). Returns disk_usage(i) (plus "reported": the -SCS entry when
        waited). Remember the reserve: the chunkserver reports
        used = min(size, fs used + 256 MiB), so 0.5 of a 512 MiB disk already shows as full."""
        self._check_index(i)
        hdd = self.chunkserver_hdd(i)
        filler = os.path.join(hdd, FILLER)
        if os.path.exists(filler):
            os.unlink(filler)
        if fraction:
            if not 0 < fraction <= 1:
                raise ValueError("fraction must be in (0, 1]")
            u = self.disk_usage(i)
            need = int(fraction * u["size"]) - u["used"] + 4096
            if need > 0:
                fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.posix_fallocate(fd, 0, min(need, u["free"]))
                except OSError as e:
                    raise ClusterError("filling %s with %d bytes failed: %s" % (filler, need, e))
                finally:
                    os.close(fd)
        res = self.disk_usage(i)
        if wait:
            res["reported"] = self._wait_reported_usage(i, timeout)
        return res

    def wait_disk_reports(self, indices=None, timeout=DISK_REPORT_TIMEOUT):
        """Wait until the master reports the disk usage of chunkservers `indices` (default:
        all) as their tmpfs disks now have it (after fill_disk(..., wait=False))."""
        deadline = time.monotonic() + timeout
        for i in (range(len(self._cs)) if indices is None else indices):
            self._wait_reported_usage(i, max(deadline - time.monotonic(), 1))

    def clear_disk(self, i, wait=True, timeout=DISK_REPORT_TIMEOUT):
        """Remove fill_disk()'s filler file."""
        return self.fill_disk(i, None, wait, timeout)

    # ---- data -------------------------------------------------------------------------

    def _writer_path(self):
        if self._writer:
            return self._writer
        env = "MFSMON_WRITER4" if self._version == "4" else "MFSMON_WRITER"
        prebuilt = os.environ.get(env)
        if prebuilt:
            if not os.access(prebuilt, os.X_OK):
                raise ClusterError("%s=%s is not an executable file" % (env, prebuilt))
            self._writer = prebuilt
            return prebuilt
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mfs_write_files.c")
        if self._version == "4":
            inst = self._install
            out = os.path.join(self._dir, "mfs_write_files4")
            argv = ["gcc", "-O2", "-Wall", "-DMFS_WRITE_FILES_V4", "-I", inst.include_dir,
                    "-o", out, src, "-L", inst.lib_dir, "-Wl,-rpath," + inst.lib_dir, "-lmfsio"]
            hint = "the cached 4.x libmfsio in %s" % inst.lib_dir
        else:
            out = os.path.join(self._dir, "mfs_write_files")
            argv = ["gcc", "-O2", "-Wall", "-o", out, src, "-lmfsio"]
            hint = "is libmfsio-dev installed?"
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        except FileNotFoundError:
            raise ClusterError("cannot compile %s: gcc not found (install gcc, or set "
                               "%s to a prebuilt binary)" % (src, env))
        if r.returncode != 0:
            raise ClusterError("compiling %s failed (%s):\n%s" % (src, hint, r.stderr))
        self._writer = out
        return out

    def write_files(self, count, goal, subdir, size=65536, timeout=None):
        """Write `count` files of `size` bytes (default 64 KiB = one chunk each) with goal
        `goal` into /<subdir> (created; files f000000.. are overwritten if present).
        3.x: goal N = storage class id N. 4.x: the storage class "NCP" (2CP and 3CP are
        predefined; others are created with N copies on first use)."""
        if timeout is None:
            timeout = 60 + count * 0.5
        path = "/" + subdir.strip("/")
        r = self.run([self._writer_path(), self._addr, str(MATOCL_PORT), path, str(count),
                      str(goal), str(size)], timeout=timeout)
        if r.returncode != 0:
            raise ClusterError("writing %d goal-%d files to %s failed (rc %d):\n%s%s"
                               % (count, goal, path, r.returncode, r.stdout, r.stderr))
        return ["%s/f%06d" % (path, k) for k in range(count)]

    # ---- stop -------------------------------------------------------------------------

    def stop(self):
        """Stop every daemon (SIGTERM, SIGKILL after a bounded wait), kill anything else
        still in the namespace, delete the namespace, unmount the tmpfs disks and delete the
        data dir. Idempotent."""
        if self._stopped:
            return
        # chunkservers and metalogger first, so the master sees clean disconnects and
        # stores its metadata last
        self._stop_daemons(self._cs + [self._metalogger])
        self._stop_daemons([self._master])
        if self._ns_created:
            stray = _ns_pids(self._ns)
            if stray:
                _kill_and_wait(stray)
            _ip("netns", "del", self._ns, check=False)
            self._ns_created = False
        errors = _umount_all_under(self._dir) if os.path.isdir(self._dir) else []
        self._mounts = []
        if os.environ.get("MFSMON_KEEP_DATA"):
            print("mfscluster: keeping %s (MFSMON_KEEP_DATA)" % self._dir, file=sys.stderr)
        elif not errors:
            # never rmtree through a mount that could not be removed
            shutil.rmtree(self._dir, ignore_errors=True)
        self._stopped = True
        _live.discard(self)
