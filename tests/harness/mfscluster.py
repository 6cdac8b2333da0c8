"""A real MooseFS 3.0.x cluster on one host, for mfsmon's integration tests.

Python 3 standard library only; needs root (network namespaces) and the Debian packages
moosefs-master, -chunkserver, -metalogger, -cli and libmfsio-dev.

Why a network namespace: the master refuses chunkservers that connect from 127.0.0.0/8, so
every daemon binds to a /32 address from the benchmarking range 198.18.0.0/15 on the *own*
loopback of a namespace created for this run. No packet ever leaves that namespace, and
parallel runs cannot see each other. Everything that talks to the cluster (mfscli, the
writer helper, mfsmon itself) must run inside it: use Cluster.run().

    from mfscluster import Cluster
    with Cluster() as c:
        c.start(chunkservers=3)
        c.write_files(30, goal=3, subdir="g3")
        print(c.mfscli("-SIC"))
        c.stop_chunkserver(0)

Names: namespace "mfsmon-<owner pid>-<random hex>", data dir <base>/<namespace> with
base = $MFSMON_CLUSTER_BASE or /tmp/mfsmon-clusters. The owner PID in the name lets
Cluster.cleanup_leftovers() find and remove what a killed run left behind.
Call it at the start of a test session (it is not automatic: it trusts that a dead PID means
a dead owner). Set MFSMON_KEEP_DATA=1 to keep the data dir (configs, logs) after stop().

Layout of the data dir: master/ metalogger/ cs<i>/ (each with its .cfg files, data/ and
daemon.log = the daemon's stdout+stderr), cs<i>/hdd/ (the chunkserver's disk) and the
compiled mfs_write_files helper. Ports inside the namespace: master 9419/9420/9421,
chunkserver i on 9422+i.
"""

import atexit
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

MFSCLI = "/usr/bin/mfscli"
MFSMASTER = "/usr/sbin/mfsmaster"
MFSCHUNKSERVER = "/usr/sbin/mfschunkserver"
MFSMETALOGGER = "/usr/sbin/mfsmetalogger"
EMPTY_METADATA = "/var/lib/mfs/metadata.mfs.empty"
DEFAULT_BASE = "/tmp/mfsmon-clusters"
NS_PREFIX = "mfsmon-"
NS_RE = re.compile(r"^mfsmon-(\d+)-([0-9a-f]+)$")

MATOML_PORT = 9419  # metaloggers -> master
MATOCS_PORT = 9420  # chunkservers -> master
MATOCL_PORT = 9421  # clients / admin tools -> master
CS_BASE_PORT = 9422  # chunkserver i listens on 9422 + i

# Bounds for every wait (seconds). Measured: cluster up 3.5-9 s, down ~4 s.
START_TIMEOUT = 60.0
DAEMON_STOP_TIMEOUT = 30.0
KILL_TIMEOUT = 5.0
MFSCLI_TIMEOUT = 20.0


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
    """A MooseFS cluster (master, N chunkservers, optional metalogger) in its own netns."""

    def __init__(self, base=None, min_free_mib=2048):
        self._token = "%08x" % random.getrandbits(32)
        self._ns = "%s%d-%s" % (NS_PREFIX, os.getpid(), self._token)
        self._dir = os.path.join(base or base_dir(), self._ns)
        # 198.18.0.0/15 is reserved for benchmarking; pick one address per run.
        self._addr = "198.%d.%d.%d" % (random.choice((18, 19)), random.randint(0, 255),
                                       random.randint(1, 254))
        self._min_free_mib = min_free_mib
        self._master = None
        self._metalogger = None
        self._cs = []  # _Daemon per chunkserver index
        self._ns_created = False
        self._stopped = False
        self._writer = None

    # ---- properties -------------------------------------------------------------------

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

    def chunkserver_port(self, i):
        return CS_BASE_PORT + i

    def chunkserver_hdd(self, i):
        """The chunkserver's storage directory (the one line of its mfshdd.cfg)."""
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
        return "<Cluster %s %s:%d>" % (self._ns, self._addr, MATOCL_PORT)

    # ---- leftovers from killed runs ---------------------------------------------------

    @staticmethod
    def cleanup_leftovers(base=None, verbose=True):
        """Remove what runs whose owner process is gone left behind: daemons (found with
        `ip netns pids` and, in case the namespace is already gone, by their config path
        under the base dir), namespaces mfsmon-<pid>-* and data dirs. Runs of live processes
        are not touched. Returns the list of removed namespace names."""
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
            if os.path.exists("/run/netns/" + name):
                _ip("netns", "del", name, check=False)
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
            removed.append(name)
            if verbose:
                print("mfscluster: removed leftover %s (killed %d processes)" % (name, len(pids)),
                      file=sys.stderr)
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

    def _write_configs(self, chunkservers, master_config, chunkserver_config):
        a = self._addr
        d = os.path.join(self._dir, "master")
        self._write(os.path.join(d, "mfsexports.cfg"),
                    "* / rw,alldirs,admin,maproot=0:0\n* . rw\n")
        self._write(os.path.join(d, "mfstopology.cfg"), "")
        os.makedirs(os.path.join(d, "data"), exist_ok=True)
        shutil.copyfile(EMPTY_METADATA, os.path.join(d, "data", "metadata.mfs"))
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
            "MATOCL_LISTEN_PORT = %d" % MATOCL_PORT,
            # seconds instead of minutes (see real-cluster-on-one-host.md)
            "REPLICATIONS_DELAY_INIT = 0",
            "CS_TEMP_MAINTENANCE_MODE_TIMEOUT = 1",
            "CHUNKS_WRITE_REP_LIMIT = 20,15,10,20",
            "CHUNKS_READ_REP_LIMIT = 50,30,20,30",
            "CHUNKS_SOFT_DEL_LIMIT = 50",
            "CHUNKS_HARD_DEL_LIMIT = 100"])
        self._master = _Daemon("master", [MFSMASTER, "-a", "-c", os.path.join(d, "mfsmaster.cfg"),
                                          "-f", "start"], self.log_path("master"))

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
        self._metalogger = _Daemon("metalogger", [MFSMETALOGGER, "-c",
                                                  os.path.join(d, "mfsmetalogger.cfg"),
                                                  "-f", "start"], self.log_path("metalogger"))

        for i in range(chunkservers):
            d = os.path.join(self._dir, "cs%d" % i)
            os.makedirs(os.path.join(d, "data"), exist_ok=True)
            os.makedirs(self.chunkserver_hdd(i), exist_ok=True)
            self._write_hdd_cfg(i, marked=False)
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
                # explicit (it is also 3.0.117's default): the reserve counts as used space,
                # and Cluster checks free disk space against it
                "HDD_LEAVE_SPACE_DEFAULT = 256MiB",
                "MASTER_RECONNECTION_DELAY = 1"])
            self._cs.append(_Daemon("cs%d" % i, [MFSCHUNKSERVER, "-c",
                                                  os.path.join(d, "mfschunkserver.cfg"),
                                                  "-f", "start"], self.log_path("cs%d" % i)))

    def _write_hdd_cfg(self, i, marked):
        # No size limit: on a shared filesystem it makes the disk look full (see the note).
        self._write(os.path.join(self._dir, "cs%d" % i, "mfshdd.cfg"),
                    "%s%s\n" % ("*" if marked else "", self.chunkserver_hdd(i)))

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
        """Create the namespace, start master, metalogger and chunkservers, and wait until
        all chunkservers are registered and have reported their disks and chunks (and the
        metalogger is connected). master_config / chunkserver_config: dicts of extra or
        replaced config keys, e.g. {"CS_TEMP_MAINTENANCE_MODE_TIMEOUT": 1800} to keep the
        temporary maintenance of a SIGTERMed chunkserver visible.
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
        r = self.run([MFSCLI, "-H", self._addr, "-P", str(MATOCL_PORT), "-n", "-p", "-SIN"],
                     timeout=MFSCLI_TIMEOUT)
        return r.returncode == 0 and "master info:" in r.stdout

    def _wait_master(self, timeout):
        try:
            wait_for(self._master_up, max(timeout, 1), what="mfsmaster")
        except TimeoutError as e:
            self._fail(str(e), [self._master])

    def chunkservers_status(self):
        """{port: {"connected": bool, "maint": str, "chunks": int, "total": int, ...}} from
        `mfscli -SCS` for this cluster's address."""
        out = self.mfscli("-SCS")
        res = {}
        for line in out.splitlines():
            f = line.split("\t")
            if f[0] == "chunk servers:" and len(f) >= 12 and f[1] == self._addr:
                res[int(f[2])] = {"connected": True, "csid": f[3], "maint": f[7],
                                  "chunks": int(f[8]), "used": int(f[9]), "total": int(f[10]),
                                  "mfr": f[11]}
            elif f[0] == "Disconnected chunk servers:" and len(f) >= 4 and f[1] == self._addr:
                res[int(f[2])] = {"connected": False, "csid": f[3],
                                  "maint": f[4] if len(f) > 4 else ""}
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

    def _wait_metalogger(self, timeout):
        def connected():
            if not self._metalogger.running():
                self._fail("mfsmetalogger exited", [self._metalogger, self._master])
            return any(l.startswith("metadata backup loggers:\t")
                       for l in self.mfscli("-SMB").splitlines())
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

    def mfscli(self, args, check=True):
        """`mfscli -H ADDR -P 9421 -n -p <args>` inside the namespace; returns stdout.
        args: a string ("-SIC -m 1") or a list."""
        if isinstance(args, str):
            args = args.split()
        r = self.run([MFSCLI, "-H", self._addr, "-P", str(MATOCL_PORT), "-n", "-p"] + list(args),
                     timeout=MFSCLI_TIMEOUT)
        # mfscli exits 0 even when it cannot reach the master; it only prints this
        unreachable = "Working master servers not found" in r.stdout
        if check and (r.returncode != 0 or unreachable):
            raise ClusterError("mfscli %s failed (rc %d): %s"
                               % (" ".join(args), r.returncode, (r.stderr or r.stdout).strip()))
        return r.stdout

    def chunk_matrix(self):
        """The raw CHUNKS_MATRIX answer (progress byte and both matrices), queried with a tiny
        inline client: mfscli's plain output does not show the progress byte.
        Returns {"progress": int, "all": [[n]*11]*11, "regular": [[n]*11]*11}."""
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
        if len(p) != 969:
            raise ClusterError("unexpected CHUNKS_MATRIX answer length %d" % len(p))
        vals = [int.from_bytes(p[1 + 4 * k:5 + 4 * k], "big") for k in range(242)]
        return {"progress": p[0],
                "all": [vals[g * 11:(g + 1) * 11] for g in range(11)],
                "regular": [vals[121 + g * 11:121 + (g + 1) * 11] for g in range(11)]}

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
        temporary maintenance, for CS_TEMP_MAINTENANCE_MODE_TIMEOUT = 1 s here; SIGKILL =
        crash). With wait, also wait until the master lists it as disconnected. (The
        parameter shadows the signal module inside these methods; they do not use it.)"""
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

    def wait_chunkservers(self, indices=None, timeout=START_TIMEOUT):
        """Wait until chunkservers `indices` (default: all) are registered with disk space."""
        self._wait_chunkservers(range(len(self._cs)) if indices is None else indices, timeout)

    def stop_metalogger(self, signal=signal.SIGTERM, wait=True, timeout=DAEMON_STOP_TIMEOUT):
        self._stop_daemons([self._metalogger], signal, timeout)
        if wait:
            wait_for(lambda: not any(l.startswith("metadata backup loggers:\t")
                                     for l in self.mfscli("-SMB").splitlines()),
                     timeout, what="master to drop the metalogger")

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

    def _hup_chunkserver(self, i):
        if not self._cs[i].running():
            raise ClusterError("chunkserver %d is not running" % i)
        os.kill(self._cs[i].pid, signal.SIGHUP)  # SIGHUP = reload config incl. mfshdd.cfg

    def mark_disk_for_removal(self, i):
        """Prefix chunkserver i's disk with '*' in mfshdd.cfg and reload it. The master shows
        it within ~1 s (-SCS NOT READY, -SHD "marked for removal")."""
        self._check_index(i)
        self._write_hdd_cfg(i, marked=True)
        self._hup_chunkserver(i)

    def unmark_disk(self, i):
        self._check_index(i)
        self._write_hdd_cfg(i, marked=False)
        self._hup_chunkserver(i)

    # ---- data -------------------------------------------------------------------------

    def _writer_path(self):
        if self._writer:
            return self._writer
        prebuilt = os.environ.get("MFSMON_WRITER")
        if prebuilt:
            if not os.access(prebuilt, os.X_OK):
                raise ClusterError("MFSMON_WRITER=%s is not an executable file" % prebuilt)
            self._writer = prebuilt
            return prebuilt
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mfs_write_files.c")
        out = os.path.join(self._dir, "mfs_write_files")
        try:
            r = subprocess.run(["gcc", "-O2", "-Wall", "-o", out, src, "-lmfsio"],
                               capture_output=True, text=True, timeout=120)
        except FileNotFoundError:
            raise ClusterError("cannot compile %s: gcc not found (install gcc, or set "
                               "MFSMON_WRITER to a prebuilt binary)" % src)
        if r.returncode != 0:
            raise ClusterError("compiling %s failed (is libmfsio-dev installed?):\n%s"
                               % (src, r.stderr))
        self._writer = out
        return out

    def write_files(self, count, goal, subdir, size=65536, timeout=None):
        """Write `count` files of `size` bytes (default 64 KiB = one chunk each) with goal
        `goal` into /<subdir> (created; files f000000.. are overwritten if present)."""
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
        still in the namespace, delete the namespace and the data dir. Idempotent."""
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
        if os.environ.get("MFSMON_KEEP_DATA"):
            print("mfscluster: keeping %s (MFSMON_KEEP_DATA)" % self._dir, file=sys.stderr)
        else:
            shutil.rmtree(self._dir, ignore_errors=True)
        self._stopped = True
        _live.discard(self)
