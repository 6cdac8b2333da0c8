"""Build cache for MooseFS 4.x from a source tarball, for live 4.x test clusters.

Python 3 standard library only; needs root the first time (it installs nothing system-wide,
but the default cache lives under /var/cache).

Debian 12 ships only MooseFS 3.0.117. When MFSMON_MOOSEFS4_SOURCE names a 4.x source tarball
(e.g. /work/shared/moosefs/moosefs-4.59.2.tar.gz), ensure_built() builds it once and keeps the
install OUTSIDE the clone, keyed by the tarball's sha256:

    <root>/moosefs-<sha256>/install/   --prefix of the build: sbin/ bin/ lib/ include/ var/mfs/
    <root>/moosefs-<sha256>/build.log  configure + make + make install output
    <root>/moosefs-<sha256>/COMPLETE   written last (JSON: version, sha256, timings)
    <root>/moosefs-<sha256>.lock       flock: one builder at a time

root = $MFSMON_MOOSEFS4_CACHE or /var/cache/mfsmon. A directory without COMPLETE is a killed
or failed build: it is wiped and built again. The tarball is never copied into the project:
it is unpacked in <root>/moosefs-<sha256>/src/ (removed after a successful build).
Nothing is installed over the Debian packages (everything stays under the prefix).

Configure flags as in shared/moosefs/README.md (2 min 33 s on 2 cores for 4.59.2).

As a script:  moosefs4_build.py [TARBALL]   builds (if needed) and prints the prefix.
"""

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

ENV_SOURCE = "MFSMON_MOOSEFS4_SOURCE"
ENV_CACHE = "MFSMON_MOOSEFS4_CACHE"
DEFAULT_CACHE_ROOT = "/var/cache/mfsmon"
ENABLE_HINT = ("set %s=/path/to/moosefs-4.59.2.tar.gz (e.g. ../shared/moosefs/"
               "moosefs-4.59.2.tar.gz, as .ci/run does) to run them" % ENV_SOURCE)

CONFIGURE_FLAGS = ["--with-default-user=root", "--with-default-group=root",
                   "--disable-mfsgui", "--disable-mfscgi", "--disable-mfsnetdump",
                   "--disable-mfsbdev"]
# Debian packages the build needs (also in scripts/install-deps.sh).
BUILD_DEPS = ["build-essential", "pkg-config", "libfuse3-dev", "fuse3", "zlib1g-dev",
              "libpcap-dev", "python3"]

# Bounds (seconds). Measured: 2.5 min for the whole build on 2 idle cores.
STEP_TIMEOUT = 1800.0   # configure, make, make install: each
LOCK_TIMEOUT = 2400.0   # waiting for another process's build

# What a usable install must have (relative to the prefix).
REQUIRED = ["sbin/mfsmaster", "sbin/mfschunkserver", "sbin/mfsmetalogger", "bin/mfscli",
            "include/mfsio.h", "var/mfs/metadata.mfs.empty"]


class BuildError(RuntimeError):
    pass


class Install:
    """A complete cached 4.x install."""

    def __init__(self, cache_dir, info):
        self.cache_dir = cache_dir
        self.prefix = os.path.join(cache_dir, "install")
        self.info = info
        self.version = info["version"]
        self.sha256 = info["sha256"]

    def path(self, rel):
        return os.path.join(self.prefix, rel)

    @property
    def mfsmaster(self):
        return self.path("sbin/mfsmaster")

    @property
    def mfschunkserver(self):
        return self.path("sbin/mfschunkserver")

    @property
    def mfsmetalogger(self):
        return self.path("sbin/mfsmetalogger")

    @property
    def mfscli(self):
        return self.path("bin/mfscli")

    @property
    def empty_metadata(self):
        return self.path("var/mfs/metadata.mfs.empty")

    @property
    def include_dir(self):
        return self.path("include")

    @property
    def lib_dir(self):
        return self.path("lib")

    def __repr__(self):
        return "<MooseFS %s at %s>" % (self.version, self.prefix)


def source_tarball():
    """The tarball named by MFSMON_MOOSEFS4_SOURCE, or None when the variable is unset or
    empty. A set variable naming a missing file is an error (never a silent skip)."""
    path = os.environ.get(ENV_SOURCE)
    if not path:
        return None
    if not os.path.isfile(path):
        raise BuildError("%s=%s: no such file" % (ENV_SOURCE, path))
    return os.path.abspath(path)


def cache_root():
    return os.environ.get(ENV_CACHE) or DEFAULT_CACHE_ROOT


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _complete(cache_dir, sha):
    """The COMPLETE marker's info if the install in cache_dir is complete, else None."""
    try:
        with open(os.path.join(cache_dir, "COMPLETE")) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return None
    if info.get("sha256") != sha:
        return None
    prefix = os.path.join(cache_dir, "install")
    if not all(os.path.exists(os.path.join(prefix, r)) for r in REQUIRED):
        return None
    return info


def _tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return "(cannot read %s: %s)\n" % (path, e)


def _lock(lock_path, timeout, say):
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if not told:
                say("moosefs4_build: another process is building into the cache; waiting "
                    "(at most %.0f s) for %s" % (timeout, lock_path))
                told = True
            if time.monotonic() >= deadline:
                os.close(fd)
                raise BuildError("timed out after %.0f s waiting for the build lock %s"
                                 % (timeout, lock_path))
            time.sleep(1.0)


def _unpack(tarball, dest):
    """Unpack into dest; returns the top directory (e.g. dest/moosefs-4.59.2). Keeps the
    files' timestamps, so make does not try to rerun autotools."""
    with tarfile.open(tarball, "r:gz") as t:
        names = [n[2:] if n.startswith("./") else n for n in t.getnames()]
        tops = {n.split("/", 1)[0] for n in names if n not in ("", ".")}
        for m in t.getmembers():
            if m.name.startswith("/") or ".." in m.name.split("/"):
                raise BuildError("%s: unsafe member %r" % (tarball, m.name))
        if hasattr(tarfile, "data_filter"):
            t.extractall(dest, filter="data")
        else:
            t.extractall(dest)
    if len(tops) != 1:
        raise BuildError("%s: expected one top directory, found %s" % (tarball, sorted(tops)))
    top = os.path.join(dest, tops.pop())
    if not os.path.isfile(os.path.join(top, "configure")):
        raise BuildError("%s: no configure script in %s" % (tarball, top))
    return top


def _version_of(top):
    m = re.match(r"moosefs-(\d+\.\d+\.\d+)$", os.path.basename(top))
    if m:
        return m.group(1)
    with open(os.path.join(top, "configure"), errors="replace") as f:
        m = re.search(r"PACKAGE_VERSION='([^']+)'", f.read())
    if not m:
        raise BuildError("cannot tell the MooseFS version of %s" % top)
    return m.group(1)


def _run_step(name, argv, cwd, log_path, timings, lock_fd):
    """One build step. The lock fd is passed down, so the lock stays held while any process
    of the build lives: if our process is killed, an orphaned make keeps the next builder
    waiting instead of racing it in the same directory."""
    t = time.monotonic()
    with open(log_path, "ab") as log:
        log.write(("\n==== %s: %s\n" % (name, " ".join(argv))).encode())
        log.flush()
        try:
            r = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.STDOUT, timeout=STEP_TIMEOUT,
                               pass_fds=(lock_fd,))
        except subprocess.TimeoutExpired:
            raise BuildError("%s timed out after %.0f s; last lines of %s:\n%s"
                             % (name, STEP_TIMEOUT, log_path, _tail(log_path)))
        except FileNotFoundError as e:
            raise BuildError("%s: %s (install the build dependencies: %s)"
                             % (name, e, " ".join(BUILD_DEPS)))
    timings[name] = round(time.monotonic() - t, 1)
    if r.returncode != 0:
        raise BuildError("%s failed (rc %d); last lines of %s:\n%s"
                         % (name, r.returncode, log_path, _tail(log_path)))


def _build(tarball, sha, cache_dir, say, lock_fd):
    if os.path.exists(cache_dir):
        say("moosefs4_build: removing the incomplete build in %s" % cache_dir)
        shutil.rmtree(cache_dir)
    os.makedirs(cache_dir)
    log_path = os.path.join(cache_dir, "build.log")
    prefix = os.path.join(cache_dir, "install")
    src = os.path.join(cache_dir, "src")
    timings = {}
    t0 = time.monotonic()
    say("moosefs4_build: building %s into %s (first run only; ~2.5 min on 2 cores), log %s"
        % (tarball, prefix, log_path))
    t = time.monotonic()
    top = _unpack(tarball, src)
    timings["unpack"] = round(time.monotonic() - t, 1)
    version = _version_of(top)
    jobs = str(max(1, min(os.cpu_count() or 1, 4)))
    # PYTHON: mfscli's shebang (otherwise the first python on PATH, e.g. a pyenv one)
    _run_step("configure", ["./configure", "--prefix=" + prefix] + CONFIGURE_FLAGS
              + ["PYTHON=/usr/bin/python3"], top, log_path, timings, lock_fd)
    _run_step("make", ["make", "-j" + jobs], top, log_path, timings, lock_fd)
    _run_step("make install", ["make", "install"], top, log_path, timings, lock_fd)
    missing = [r for r in REQUIRED if not os.path.exists(os.path.join(prefix, r))]
    libs = [n for n in os.listdir(os.path.join(prefix, "lib"))] if os.path.isdir(
        os.path.join(prefix, "lib")) else []
    if not any(n.startswith("libmfsio.so") for n in libs):
        missing.append("lib/libmfsio.so")
    if missing:
        raise BuildError("the build did not install %s; last lines of %s:\n%s"
                         % (", ".join(missing), log_path, _tail(log_path)))
    shutil.rmtree(src, ignore_errors=True)
    timings["total"] = round(time.monotonic() - t0, 1)
    info = {"version": version, "sha256": sha, "tarball": tarball,
            "configure_flags": CONFIGURE_FLAGS, "timings_s": timings,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    # The marker goes last, atomically: a killed build never looks complete.
    tmp = os.path.join(cache_dir, "COMPLETE.tmp")
    with open(tmp, "w") as f:
        json.dump(info, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(cache_dir, "COMPLETE"))
    say("moosefs4_build: MooseFS %s built in %.0f s (%s)"
        % (version, timings["total"], ", ".join("%s %.0f s" % kv for kv in timings.items())))
    return info


def ensure_built(tarball=None, say=None):
    """Return the Install for `tarball` (default: $MFSMON_MOOSEFS4_SOURCE), building it into
    the cache first if needed. Raises BuildError (with the build log's tail) on failure."""
    say = say or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if tarball is None:
        tarball = source_tarball()
        if tarball is None:
            raise BuildError("%s is not set; %s" % (ENV_SOURCE, ENABLE_HINT))
    elif not os.path.isfile(tarball):
        raise BuildError("%s: no such file" % tarball)
    tarball = os.path.abspath(tarball)
    sha = sha256_of(tarball)
    root = cache_root()
    cache_dir = os.path.join(root, "moosefs-" + sha)
    info = _complete(cache_dir, sha)
    if info:
        return Install(cache_dir, info)
    os.makedirs(root, exist_ok=True)
    fd = _lock(os.path.join(root, "moosefs-%s.lock" % sha), LOCK_TIMEOUT, say)
    try:
        info = _complete(cache_dir, sha)  # built by another process while we waited
        if not info:
            info = _build(tarball, sha, cache_dir, say, fd)
        return Install(cache_dir, info)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def main(argv):
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print(__doc__)
        return 2
    try:
        inst = ensure_built(argv[0] if argv else None)
    except BuildError as e:
        print("moosefs4_build: %s" % e, file=sys.stderr)
        return 1
    print(inst.prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
