#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print the Markdown results table of bench/README.md from --json output.

    python3 bench/table.py results.json [more.json ...]

The first file gives the published medians; with more files (other
invocations of the same build) a column shows the range of the op-list
medians over all of them.  Speedup is kernel / libgpuvm; targets are the
issue's: (a), (c), (d) 1.5x at every N; (b), (e) 1.0x up to 1e4 and 1.3x
from 1e5.  Python standard library only.
"""
import json
import sys

NAMES = {
    "a": "(a) insert",
    "b": "(b) find_first",
    "c": "(c) split+unmap",
    "d": "(d) unmap16+remap16",
    "e": "(e) iterate, per VA",
}


def target(w, n):
    if w in "acd":
        return 1.5
    return 1.0 if n <= 10000 else 1.3


def fmt(x):
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def nlabel(n):
    e = len(str(n)) - 1
    return f"1e{e}" if n == 10 ** e else str(n)


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    first = runs[0]
    kref = {}
    for row in first["kernel_reference"]["results"]:
        for w in "abcde":
            kref[(row["n"], w)] = row[w]

    def med(d, n, w, api):
        for r in d["results"]:
            if r["n"] == n and r["workload"] == w and r["api"] == api:
                return r["median"]
        return None

    sizes = sorted({r["n"] for r in first["results"]})
    multi = len(runs) > 1
    head = ("| N | workload | kernel | libgpuvm | speedup | target | met "
            "| callback | speedup |")
    sep = "|---|---|---:|---:|---:|---:|:---:|---:|---:|"
    if multi:
        head += f" range ({len(runs)} invocations) |"
        sep += "---:|"
    print(head)
    print(sep)
    for n in sizes:
        for w in "abcde":
            m = med(first, n, w, "ops")
            if m is None:
                continue
            k = kref[(n, w)]
            sp = k / m
            t = target(w, n)
            cb = med(first, n, w, "cb")
            cells = [nlabel(n), NAMES[w], fmt(k), fmt(m), f"{sp:.2f}x",
                     f"{t:.1f}x", "yes" if sp >= t else "**no**",
                     fmt(cb) if cb else "", f"{k / cb:.2f}x" if cb else ""]
            if multi:
                ms = [x for x in (med(d, n, w, "ops") for d in runs)
                      if x is not None]
                cells.append(f"{fmt(min(ms))}–{fmt(max(ms))}")
            print("| " + " | ".join(cells) + " |")
    mem = first.get("memory")
    if mem:
        print()
        print(f"Memory at N = {mem['n']:,}: {mem['bytes_per_mapping']} bytes "
              f"of peak RSS per mapping (kernel: 128 B of heap).")
    loads = ", ".join(f"{d['machine']['background_load']:.3f}" for d in runs)
    print(f"Background load of the invocation(s): {loads}.")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
