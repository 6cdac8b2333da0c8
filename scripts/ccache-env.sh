# Sourced by the build scripts: compile through ccache when it is installed, with the cache
# outside the clone (CI builds a fresh clone on the same machine each time: three full builds
# of the same sources, release, ASan and TSan, and the fuzz build, mostly unchanged between
# runs). CCACHE_BASEDIR makes the paths relative, so a clone in another folder hits the same
# entries. MFSMON_CCACHE=0 turns it off.
if [[ ${MFSMON_CCACHE:-1} != 0 ]] && command -v ccache >/dev/null; then
  export CCACHE_DIR=${CCACHE_DIR:-/var/cache/mfsmon/ccache}
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  export CCACHE_NOHASHDIR=1
  export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
  mkdir -p "$CCACHE_DIR"
  mfsmon_launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
else
  mfsmon_launcher=()
fi
