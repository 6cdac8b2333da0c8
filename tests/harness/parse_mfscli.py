"""Parse mfscli's chunk matrices, the ground truth mfsmon's numbers are compared with:
`mfscli -n -p -SIC` / `-SIC -m 1` plain output of MooseFS 3.0.117 (parse_sic) and
`mfscli -j -SIC` JSON of MooseFS 4.x (parse_sic_json). Python 3 standard library only.

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

parse_sic_json(doc) -> {  # doc: the parsed `mfscli -j -SIC` document (4.59.2)
    "progress": n,                                   # progress_status
    "matrices": {key: {"cells": {(row, col): chunks}, "classes": {...}}, ...},
}
with the 8 keys of mfscli -j (allchunks, regularchunks, allchunks_copies,
regularchunks_copies, allchunks_ec8, regularchunks_ec8, allchunks_ec4, regularchunks_ec4)
and classes under mfscli -j's summary names (JSON_CLASSES). Cell labels are read as the raw
row/column indices they are (json_matrix_index; moosefs-4x-layouts.md section 2: "1+2" is
index 2 = 2 copies, "4+2" index 2 = 4+1 parts, "3" index 3 = redundancy level 2).

Usage as a script: parse_mfscli.py FILE... prints the parsed result of each file (a .json
file is read as `mfscli -j -SIC` output).
"""

import json
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


JSON_CLASSES = ("missing", "endangered", "undergoal", "stable", "overgoal",
                "pending_deletion", "ready_to_remove")
JSON_MATRICES = ("allchunks", "regularchunks", "allchunks_copies", "regularchunks_copies",
                 "allchunks_ec8", "regularchunks_ec8", "allchunks_ec4", "regularchunks_ec4")
# 3.x class names (parse_sic, classify) -> mfscli -j summary keys
JSON_CLASS_OF = dict(zip(CLASSES, JSON_CLASSES))


def json_matrix_index(label):
    """A 4.59.2 mfscli -j cell label ("2", "1+2", "4+2", "0") as the raw index it really is:
    the number after the last '+', or the plain number (like JsonMatrixIndex in
    tests/unit/protocol/fixture_loader.h)."""
    number = str(label).rpartition("+")[2]
    if not number.isdigit() or int(number) > 10:
        raise ValueError("matrix label %r is not an index 0..10" % (label,))
    return int(number)


def parse_sic_json(doc):
    try:
        chunks = doc["dataset"]["info"]["chunks"]
    except (KeyError, TypeError):
        raise ValueError("no dataset.info.chunks in the mfscli -j document") from None
    if not isinstance(chunks.get("progress_status"), int):
        raise ValueError("no progress_status in dataset.info.chunks")
    out = {"progress": chunks["progress_status"], "matrices": {}}
    for key in JSON_MATRICES:
        if key not in chunks or key not in chunks.get("summary", {}):
            raise ValueError("matrix %s or its summary missing" % key)
        cells = {}
        for cell in chunks[key]:
            rc = (json_matrix_index(cell["target"]), json_matrix_index(cell["current"]))
            if rc in cells:
                raise ValueError("%s: cell %s listed twice" % (key, rc))
            cells[rc] = int(cell["chunks"])
        summary = chunks["summary"][key]
        missing = [c for c in JSON_CLASSES if c not in summary]
        if missing:
            raise ValueError("%s summary lacks %s" % (key, ", ".join(missing)))
        out["matrices"][key] = {"cells": cells,
                                "classes": {c: int(summary[c]) for c in JSON_CLASSES}}
    return out


def json_classes_from_cells(cells):
    """classes_from_cells() under mfscli -j's summary names."""
    return {JSON_CLASS_OF[k]: v for k, v in classes_from_cells(cells).items()}


def main(paths):
    rc = 0
    for p in paths:
        if p.endswith(".json"):
            with open(p) as f:
                try:
                    r = parse_sic_json(json.load(f))
                except ValueError as e:
                    print("%s: %s" % (p, e))
                    rc = 1
                    continue
            for key, m in r["matrices"].items():
                ok = json_classes_from_cells(m["cells"]) == m["classes"]
                print("%s: %s progress %d, cells %s, classes %s%s"
                      % (p, key, r["progress"], dict(sorted(m["cells"].items())),
                         m["classes"], "" if ok else "  (class sums do not match the cells!)"))
                rc |= 0 if ok else 1
            continue
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
