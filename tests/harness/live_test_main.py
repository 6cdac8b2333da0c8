"""The command line every live-cluster test script shares:

    test_X.py [--moosefs 3|4] [unittest options, e.g. -v]

--moosefs 3 (default): MooseFS 3.0.117 from Debian's packages; --moosefs 4: 4.x built from
$MFSMON_MOOSEFS4_SOURCE. Without that variable a 4.x run prints one line saying how to enable
it and exits 77 (ctest's SKIP_RETURN_CODE); a variable naming a missing file is a failure, not
a skip.
"""
import os
import sys
import unittest

from mfscluster import moosefs4_skip_reason
from moosefs4_build import BuildError

SKIP_EXIT = 77


def run(argv, set_moosefs):
    """Parses --moosefs, calls set_moosefs("3" or "4") before any test runs, then runs the
    calling module's tests; returns the exit code."""
    moosefs = "3"
    args = []
    it = iter(argv[1:])
    for a in it:
        if a == "--moosefs":
            moosefs = next(it, "")
        elif a.startswith("--moosefs="):
            moosefs = a.split("=", 1)[1]
        else:
            args.append(a)
    if moosefs not in ("3", "4"):
        print("--moosefs must be 3 or 4", file=sys.stderr)
        return 2
    if moosefs == "4":
        try:
            reason = moosefs4_skip_reason()
        except BuildError as e:  # the variable names a missing file: broken, not skipped
            print(f"FAIL: {e}", file=sys.stderr)
            return 1
        if reason:
            print(reason, flush=True)
            return SKIP_EXIT
    set_moosefs(moosefs)
    prog = f"{os.path.basename(argv[0])} --moosefs {moosefs}"
    result = unittest.main(module="__main__", argv=[prog] + args, exit=False).result
    return 0 if result.wasSuccessful() else 1
