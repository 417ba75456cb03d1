#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/table.py on made-up invocations whose ratios are known.

Two libgpuvm invocations and two reference ones, each with one figure per
target kind: (a) at 1e3 through the op list meets 2.0x by the median but
not in the second pair, (b) meets 1.5x in both pairs, (d) through
callbacks misses.  Checks the table's medians, the per-pair column, the
"met" verdicts, both summary lines, and that unpaired files are refused.
Usage: test_table.py PATH/TO/table.py
"""
import json
import os
import subprocess
import sys
import tempfile


def invocation(figures, rounds=3):
    """A --json document holding @figures: {(n, w, api): [round medians]}."""
    results = [{"n": n, "workload": w, "api": api, "median": sorted(rm)[1],
                "round_medians": rm}
               for (n, w, api), rm in figures.items()]
    return {
        "config": {"rounds": rounds},
        "results": results,
        "kernel_reference": {"results": [],
                             "targets": {"a": 2.0, "b": 1.5, "c": 2.0,
                                         "d": 2.0, "e": 1.5}},
        "machine": {"background_load": 0.001},
    }


def write(d, name, doc):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def fail(msg, out):
    sys.exit(f"test_table: {msg}\n--- output ---\n{out}")


def main():
    table = sys.argv[1]
    A, B, D = (1000, "a", "ops"), (1000, "b", "ops"), (1000, "d", "cb")
    with tempfile.TemporaryDirectory() as d:
        # Pair 1: a 100/40 = 2.5x, b 60/30 = 2.0x, d 1800/1000 = 1.8x.
        # Pair 2: a 100/55 = 1.82x, b 60/35 = 1.71x, d 1900/1000 = 1.9x.
        # Named so that a plain sort would pair ref-10 with new-2: the
        # order must come from the numbers.
        new = [write(d, "new-2.json", invocation({
                   A: [39, 40, 41], B: [29, 30, 31], D: [990, 1000, 1010]})),
               write(d, "new-10.json", invocation({
                   A: [54, 55, 56], B: [34, 35, 36], D: [990, 1000, 1010]}))]
        ref = [write(d, "ref-2.json", invocation({
                   A: [99, 100, 101], B: [59, 60, 61], D: [1790, 1800, 1810]})),
               write(d, "ref-10.json", invocation({
                   A: [99, 100, 101], B: [59, 60, 61], D: [1890, 1900, 1910]}))]
        out = subprocess.run([sys.executable, table] + new[::-1] + ["--ref"] +
                             ref, check=True, capture_output=True,
                             text=True).stdout
        rows = {}
        for line in out.splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 11 and cells[0] == "1e3":
                rows[cells[1]] = cells
        if set(rows) != {"(a) insert", "(b) find_first",
                         "(d) unmap16+remap16"}:
            fail(f"rows {sorted(rows)}", out)
        # Medians over all six round medians: a ref 100 / new 47.5.
        a = rows["(a) insert"]
        if a[3] != "100" or a[5] != "47.5" or a[7] != "2.11x":
            fail(f"(a) medians/ratio {a[3]} {a[5]} {a[7]}", out)
        if a[8] != "1.82–2.50x" or a[10] != "yes":
            fail(f"(a) per pair {a[8]}, met {a[10]}", out)
        b = rows["(b) find_first"]
        if b[8] != "1.71–2.00x" or b[10] != "yes":
            fail(f"(b) per pair {b[8]}, met {b[10]}", out)
        dd = rows["(d) unmap16+remap16"]
        if dd[2] != "callback" or dd[7] != "1.85x" or dd[8] != "1.80–1.90x" \
                or dd[10] != "**no**":
            fail(f"(d) {dd}", out)
        if "Targets met: 2 of 3 figures." not in out:
            fail("summary of the medians", out)
        if "Met in every invocation pair: 1 of 3." not in out:
            fail("summary of the pairs", out)

        # One reference invocation short: refused, nothing printed.
        bad = subprocess.run([sys.executable, table] + new + ["--ref", ref[0]],
                             capture_output=True, text=True)
        if bad.returncode == 0 or "pair up" not in bad.stderr or bad.stdout:
            fail("unpaired invocations were accepted",
                 bad.stdout + bad.stderr)
    print("test_table: ok")


if __name__ == "__main__":
    main()
