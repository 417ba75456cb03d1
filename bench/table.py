#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print the Markdown results table of bench/README.md from --json output.

    python3 bench/table.py results.json [more.json ...]

All files are invocations of the same build (bench/alternate.py makes them).
Each figure is the median of the round medians of every file (each
invocation runs its workloads in --rounds interleaved rounds); the spread
column gives the smallest and largest round median.  "vs ref" is reference
/ libgpuvm, where the reference figures are the kernel's drm_gpuvm.c as
measured side by side (kernel_reference in the JSON: not measured by the
benchmark).  Targets: (a), (c), (d) 2.0x, (b), (e) 1.5x, every N, both API
forms.  Python standard library only.
"""
import json
import statistics
import sys

NAMES = {
    "a": "(a) insert",
    "b": "(b) find_first",
    "c": "(c) split+unmap",
    "d": "(d) unmap16+remap16",
    "e": "(e) iterate, per VA",
}


def fmt(x):
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def nlabel(n):
    e = len(str(n)) - 1
    return f"1e{e}" if n == 10 ** e else str(n)


def round_medians(runs, n, w, api):
    """Every round median of (n, w, api) over all invocations."""
    out = []
    for d in runs:
        for r in d["results"]:
            if r["n"] == n and r["workload"] == w and r["api"] == api:
                out += r.get("round_medians") or [r["median"]]
    return out


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    first = runs[0]
    kref = first["kernel_reference"]
    targets = kref.get("targets", {"a": 2.0, "b": 1.5, "c": 2.0, "d": 2.0,
                                   "e": 1.5})
    ref = {row["n"]: row for row in kref["results"]}
    sizes = sorted({r["n"] for r in first["results"]})
    nrounds = sum(d["config"].get("rounds", 1) for d in runs)
    print(f"| N | workload | API | ref | libgpuvm | spread ({nrounds} rounds, "
          f"{len(runs)} invocations) | vs ref | target | met |")
    print("|---|---|---|---:|---:|---:|---:|---:|:---:|")
    met = missed = 0
    for n in sizes:
        for w in "abcde":
            for api in ("ops", "cb"):
                ms = round_medians(runs, n, w, api)
                key = w if api == "ops" else f"{w}_cb"
                if not ms or n not in ref or key not in ref[n]:
                    continue
                m = statistics.median(ms)
                k = ref[n][key]
                sp = k / m
                t = targets[w]
                ok = sp >= t
                met += ok
                missed += not ok
                print("| " + " | ".join([
                    nlabel(n), NAMES[w], "op list" if api == "ops" else "callback",
                    fmt(k), fmt(m), f"{fmt(min(ms))}–{fmt(max(ms))}",
                    f"{sp:.2f}x", f"{t:.1f}x", "yes" if ok else "**no**"]) + " |")
    print()
    print(f"Targets met: {met} of {met + missed} figures.")
    mems = [d["memory"] for d in runs if d.get("memory")]
    if mems:
        b = [m["bytes_per_mapping"] for m in mems]
        print(f"Memory at N = {mems[0]['n']:,}: {min(b):.2f}–{max(b):.2f} bytes "
              f"of peak RSS per mapping (reference: "
              f"{kref.get('bytes_per_mapping', 120):.0f} B per VA).")
    loads = ", ".join(f"{d['machine']['background_load']:.3f}" for d in runs)
    print(f"Background load of the invocation(s): {loads}.")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
