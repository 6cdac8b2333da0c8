"""Parse `mfscli -n -p -SIC` / `-SIC -m 1` plain output (MooseFS 3.0.117), the ground truth
mfsmon's chunk-matrix numbers are compared with. Python 3 standard library only.

Input lines (tab-separated, only non-zero cells are printed):
    all chunks matrix:<TAB>goal/copies/chunks:<TAB>3<TAB>2<TAB>200
    all chunks matrix:<TAB>chunkclass missing:<TAB>0
    ...
    all chunks matrix:<TAB>chunkclass to be removed:<TAB>0
With `-m 1` the prefix is "regular chunks matrix:".

parse_sic(text) -> {
    "matrix": "all" | "regular",
    "cells": {(goal, copies): chunks, ...},          # goal/copies 0..10 (10 means 10+)
    "classes": {"missing": n, "endangered": n, "undergoal": n, "stable": n,
                "overgoal": n, "pending deletion": n, "to be removed": n},
}
Other lines (e.g. from a combined `-SIN -SIC` call) are ignored; a missing class line or
lines of both matrices raise ValueError, so a format change fails loudly.

Usage as a script: parse_mfscli.py FILE... prints the parsed result of each file.
"""

import sys

CLASSES = ("missing", "endangered", "undergoal", "stable", "overgoal",
           "pending deletion", "to be removed")
PREFIXES = {"all chunks matrix:": "all", "regular chunks matrix:": "regular"}


def parse_sic(text, sep="\t"):
    matrix = None
    cells = {}
    classes = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        f = line.rstrip("\r").split(sep)
        if f[0] not in PREFIXES or len(f) < 2:
            continue
        kind = PREFIXES[f[0]]
        if matrix is None:
            matrix = kind
        elif matrix != kind:
            raise ValueError("line %d: both 'all' and 'regular' matrix lines present" % lineno)
        try:
            if f[1] == "goal/copies/chunks:" and len(f) == 5:
                cells[(int(f[2]), int(f[3]))] = int(f[4])
            elif f[1].startswith("chunkclass ") and f[1].endswith(":") and len(f) == 3:
                name = f[1][len("chunkclass "):-1]
                if name not in CLASSES:
                    raise ValueError("unknown chunk class %r" % name)
                classes[name] = int(f[2])
            else:
                raise ValueError("unexpected fields %r" % f[1:])
        except ValueError as e:
            raise ValueError("line %d: %s: %r" % (lineno, e, line)) from None
    if matrix is None:
        raise ValueError("no chunk matrix lines found")
    missing = [c for c in CLASSES if c not in classes]
    if missing:
        raise ValueError("chunk class lines missing: %s" % ", ".join(missing))
    return {"matrix": matrix, "cells": cells, "classes": classes}


def classify(goal, copies):
    """mfscli's class of a matrix cell (same rules as its -SIC summary)."""
    if goal == 0:
        return "to be removed" if copies == 0 else "pending deletion"
    if copies == 0:
        return "missing"
    if copies < goal:
        return "endangered" if copies == 1 else "undergoal"
    return "stable" if copies == goal else "overgoal"


def classes_from_cells(cells):
    """Recompute the class summary from the cells (a consistency check of the parse)."""
    res = dict.fromkeys(CLASSES, 0)
    for (goal, copies), n in cells.items():
        res[classify(goal, copies)] += n
    return res


def main(paths):
    rc = 0
    for p in paths:
        with open(p) as f:
            try:
                r = parse_sic(f.read())
            except ValueError as e:
                print("%s: %s" % (p, e))
                rc = 1
                continue
        ok = classes_from_cells(r["cells"]) == r["classes"]
        print("%s: %s matrix, cells %s, classes %s%s"
              % (p, r["matrix"], dict(sorted(r["cells"].items())), r["classes"],
                 "" if ok else "  (class sums do not match the cells!)"))
        rc |= 0 if ok else 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
